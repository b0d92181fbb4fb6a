package wrapper

import (
	"fmt"
	"net/http"
	"net/textproto"
	"time"
)

// CallOption changes one call. Options are applied in order, validated
// before any request is sent, and never change the Client.
type CallOption func(*callConfig) error

type callConfig struct {
	retry     RetryConfig
	serverURL string // normalised like the client's base URL; empty means the client's
	timeout   time.Duration
	header    http.Header
}

// WithRetries replaces the client's retry configuration for this call.
func WithRetries(config RetryConfig) CallOption {
	return func(cc *callConfig) error {
		if err := config.validate(); err != nil {
			return fmt.Errorf("WithRetries: %w", err)
		}
		cc.retry = config
		return nil
	}
}

// WithoutRetries makes this call send exactly one attempt.
func WithoutRetries() CallOption {
	return func(cc *callConfig) error {
		cc.retry.Strategy = RetryStrategyNone
		return nil
	}
}

// WithServerURL sends this call to serverURL instead of the client's base
// URL. The URL is checked like WithBaseURL's.
func WithServerURL(serverURL string) CallOption {
	return func(cc *callConfig) error {
		normalised, err := normaliseBaseURL(serverURL)
		if err != nil {
			return fmt.Errorf("WithServerURL: %w", err)
		}
		cc.serverURL = normalised
		return nil
	}
}

// WithTimeout bounds the whole call, every attempt and every wait between
// attempts included. It must be positive. The context's own deadline still
// applies when it is earlier.
func WithTimeout(timeout time.Duration) CallOption {
	return func(cc *callConfig) error {
		if timeout <= 0 {
			return fmt.Errorf("WithTimeout: timeout %v is not positive; pass a duration such as 5*time.Second", timeout)
		}
		cc.timeout = timeout
		return nil
	}
}

// WithHeader adds a header to every attempt of this call. It rejects the
// headers that the client or net/http sets itself (Authorization,
// User-Agent, Accept, Content-Type, Content-Length, Transfer-Encoding,
// Host) and Idempotency-Key and X-Idempotency-Key, with which net/http would
// resend a POST after a lost connection.
func WithHeader(key, value string) CallOption {
	return func(cc *callConfig) error {
		canonical := textproto.CanonicalMIMEHeaderKey(key)
		if key == "" {
			return fmt.Errorf("WithHeader: header name is empty")
		}
		if reason, reserved := reservedHeaders[canonical]; reserved {
			return fmt.Errorf("WithHeader: the %s header cannot be set per call: %s", canonical, reason)
		}
		if err := validateHeaderName(key); err != nil {
			return fmt.Errorf("WithHeader: %w", err)
		}
		if err := validateHeaderValue(value); err != nil {
			return fmt.Errorf("WithHeader %s: %w", canonical, err)
		}
		if cc.header == nil {
			cc.header = make(http.Header)
		}
		cc.header.Add(canonical, value)
		return nil
	}
}

// reservedHeaders are the headers that WithHeader rejects, with the reason.
var reservedHeaders = map[string]string{
	"Authorization":     "the client sends its secret key; create a Client with another key instead",
	"User-Agent":        "use WithUserAgent when creating the Client",
	"Accept":            "the client always requests application/json",
	"Accept-Encoding":   "net/http decompresses a response only when it set this header itself",
	"Content-Type":      "the client sends application/json bodies",
	"Content-Length":    "net/http sets it from the body",
	"Transfer-Encoding": "net/http sets it from the body",
	"Host":              "use WithServerURL",
	// net/http's Transport resends a request carrying either of these after
	// a lost connection, which would replay a POST that Clerk may already
	// have applied.
	"Idempotency-Key":   "net/http would then resend a POST after a lost connection, which could apply it twice",
	"X-Idempotency-Key": "net/http would then resend a POST after a lost connection, which could apply it twice",
}

// validateHeaderName accepts the token characters of RFC 9110, section 5.6.2.
func validateHeaderName(name string) error {
	for i := 0; i < len(name); i++ {
		b := name[i]
		isToken := b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' ||
			b == '!' || b == '#' || b == '$' || b == '%' || b == '&' || b == '\'' || b == '*' ||
			b == '+' || b == '-' || b == '.' || b == '^' || b == '_' || b == '`' || b == '|' || b == '~'
		if !isToken {
			return fmt.Errorf("header name %q contains %q, which is not allowed in a header name", name, b)
		}
	}
	return nil
}

// newCallConfig applies opts over the client's defaults. The error names the
// operation so that a bad option is traced to its call.
func (c *Client) newCallConfig(operationID string, opts []CallOption) (callConfig, error) {
	cc := callConfig{retry: c.retry}
	for _, opt := range opts {
		if opt == nil {
			return cc, &ArgumentError{Operation: operationID, Argument: "option", Reason: "nil CallOption; remove it"}
		}
		if err := opt(&cc); err != nil {
			return cc, &ArgumentError{Operation: operationID, Argument: "option", Reason: c.key.redactError(err).Error()}
		}
	}
	if cc.serverURL != "" {
		if err := c.checkTransportSecurity(cc.serverURL); err != nil {
			return cc, &ArgumentError{Operation: operationID, Argument: "option", Reason: c.key.redactError(fmt.Errorf("WithServerURL: %w", err)).Error()}
		}
	}
	return cc, nil
}
