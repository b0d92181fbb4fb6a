package clerkfake

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// DefaultSecretKey is the secret key that a Server accepts unless WithSecretKey
// sets another one. It has the shape of a Clerk test key but is not a real key.
const DefaultSecretKey = "sk_test_clerkfake"

// defaultAddr makes Start listen on an ephemeral port of the IPv4 loopback
// interface.
const defaultAddr = "127.0.0.1:0"

// Option configures a Server created by Start or NewHandler. An Option returns
// an error when its argument is invalid, and Start or NewHandler return that
// error.
type Option func(*config) error

type config struct {
	secretKey string
	addr      string
}

func newConfig(opts []Option) (config, error) {
	cfg := config{
		secretKey: DefaultSecretKey,
		addr:      defaultAddr,
	}

	for i, opt := range opts {
		if opt == nil {
			return config{}, fmt.Errorf("clerkfake: option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// WithSecretKey sets the secret key that requests must send in the header
// "Authorization: Bearer <key>". The default is DefaultSecretKey. The key must
// not be empty and may contain only printable ASCII characters other than
// space, so that it fits in an HTTP header unchanged.
func WithSecretKey(key string) Option {
	return func(cfg *config) error {
		if key == "" {
			return errors.New("clerkfake: secret key is empty")
		}

		// The error names no character, so that no part of the key is echoed.
		for i := range len(key) {
			if key[i] <= ' ' || key[i] >= 0x7f {
				return fmt.Errorf("clerkfake: secret key has a space, control or non-ASCII character at byte %d", i)
			}
		}

		cfg.secretKey = key
		return nil
	}
}

// WithAddr sets the TCP address, as host:port, that Start listens on. The
// default is "127.0.0.1:0", an ephemeral port on the IPv4 loopback interface.
// The host must be a loopback IP address such as 127.0.0.1 or ::1, so that the
// fake is never reachable from another machine. Host names, including
// localhost, are rejected because they may resolve to other interfaces.
// NewHandler ignores this option.
func WithAddr(addr string) Option {
	return func(cfg *config) error {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("clerkfake: invalid address %q: %w", addr, err)
		}

		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.IsLoopback() {
			return fmt.Errorf("clerkfake: invalid address %q: host must be a loopback IP address such as 127.0.0.1", addr)
		}
		if port == "" || strings.TrimLeft(port, "0123456789") != "" {
			return fmt.Errorf("clerkfake: invalid address %q: port must be a number, or 0 for an ephemeral port", addr)
		}

		cfg.addr = addr
		return nil
	}
}
