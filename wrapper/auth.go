package wrapper

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// secretKey is the instance's secret key. Its formatting methods print a
// redacted form, so that a key reaching fmt by mistake is not leaked.
type secretKey struct {
	value  string
	header string // "Bearer " + value, built once so that each request does not allocate it
}

func newSecretKey(value string) (secretKey, error) {
	if value == "" {
		return secretKey{}, fmt.Errorf("clerk: New: secret key is empty; pass the sk_test_… or sk_live_… key from the Clerk Dashboard")
	}
	if strings.TrimSpace(value) == "" {
		return secretKey{}, fmt.Errorf("clerk: New: secret key is only whitespace; pass the sk_test_… or sk_live_… key from the Clerk Dashboard")
	}
	for _, r := range value {
		if r <= ' ' || r == 0x7f {
			return secretKey{}, fmt.Errorf("clerk: New: secret key contains whitespace or a control character; copy it again from the Clerk Dashboard")
		}
	}
	return secretKey{value: value, header: "Bearer " + value}, nil
}

// String returns the key's kind, never the key itself.
func (k secretKey) String() string {
	switch {
	case strings.HasPrefix(k.value, "sk_live_"):
		return "sk_live_[REDACTED]"
	case strings.HasPrefix(k.value, "sk_test_"):
		return "sk_test_[REDACTED]"
	default:
		return "[REDACTED]"
	}
}

// GoString is String, so that %#v prints no key either.
func (k secretKey) GoString() string {
	return k.String()
}

// setAuthorization adds the bearer token to req. It is the only place that
// reads the key's value. The header is set on each attempt's request rather
// than by a RoundTripper, so that net/http can drop it when a redirect leads
// to another host.
func (c *Client) setAuthorization(req *http.Request) {
	req.Header.Set("Authorization", c.key.header)
}

// checkTransportSecurity rejects a plain http URL to a host that is not a
// loopback address, unless WithInsecureHTTP was given.
func (c *Client) checkTransportSecurity(baseURL string) error {
	if c.allowHTTP || !strings.HasPrefix(baseURL, "http://") {
		return nil
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return fmt.Errorf("URL %q is invalid: %w", baseURL, err)
	}
	if isLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("URL %q uses plain http to a host that is not loopback, which would send the secret key unencrypted; use https, or WithInsecureHTTP for a trusted proxy", baseURL)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validateHeaderValue rejects values that net/http would refuse to send, so
// that the mistake is reported before any request.
func validateHeaderValue(value string) error {
	for _, r := range value {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return fmt.Errorf("header value %q contains a control character; remove it", value)
		}
	}
	return nil
}
