package wrapper

import (
	"bytes"
	"errors"
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

// minSecretLength is the shortest secret accepted after the sk_test_ or
// sk_live_ prefix. Clerk's keys are much longer; the bound only rejects
// values that cannot be keys.
const minSecretLength = 4

func newSecretKey(value string) (*secretKey, error) {
	if value == "" {
		return nil, fmt.Errorf("clerk: New: secret key is empty; pass the sk_test_… or sk_live_… key from the Clerk Dashboard")
	}
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("clerk: New: secret key is only whitespace; pass the sk_test_… or sk_live_… key from the Clerk Dashboard")
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b <= ' ' || b >= 0x7f {
			return nil, fmt.Errorf("clerk: New: secret key contains whitespace, a control character or a non-ASCII character at byte %d; copy it again from the Clerk Dashboard", i)
		}
	}
	// Clerk's secret keys are sk_test_ or sk_live_ followed by the secret.
	// Requiring that shape also keeps redaction meaningful: a key such as
	// "code" would be replaced in every error body that contains the word.
	prefix, rest, _ := strings.Cut(value, "_")
	environment, secret, _ := strings.Cut(rest, "_")
	if prefix != "sk" || (environment != "test" && environment != "live") || len(secret) < minSecretLength {
		return nil, fmt.Errorf("clerk: New: secret key is not of the form sk_test_… or sk_live_… with at least %d characters after the prefix; copy it from API Keys in the Clerk Dashboard", minSecretLength)
	}
	return &secretKey{value: value, header: "Bearer " + value}, nil
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

// Format prints String for every verb, %d and %x included.
func (k secretKey) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprint(f, k.String())
}

// redact replaces the key in data that a server sent back. Some proxies and
// debugging endpoints echo the request headers in their error pages, which
// would otherwise carry the key into an error and from there into logs.
//
// NOTE: a key sent back in another form, such as JSON-escaped or
// percent-encoded, is not found.
func (k *secretKey) redact(data []byte) []byte {
	if !bytes.Contains(data, []byte(k.value)) {
		return data
	}
	return bytes.ReplaceAll(data, []byte(k.value), []byte(k.String()))
}

// redirectError marks an error of the redirect policy, which no retry can
// change.
type redirectError struct{ err error }

func (e *redirectError) Error() string { return e.err.Error() }
func (e *redirectError) Unwrap() error { return e.err }

// redactedError is an error whose text had the key replaced. It has no
// Unwrap, because the cause's own text still carries the key, but its Is
// method delegates to the cause, so that a redacted error keeps matching
// context.DeadlineExceeded or syscall.ECONNREFUSED.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }

// Is reports whether the cause matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// redactError returns err unchanged unless its text contains the key. That
// happens when a caller passes the key where a URL or header value belongs,
// or when a server echoes the key in a malformed response that net/http
// then quotes in a transport error. Such an error is replaced by a
// *redactedError.
func (k *secretKey) redactError(err error) error {
	if err == nil || !strings.Contains(err.Error(), k.value) {
		return err
	}
	return &redactedError{text: strings.ReplaceAll(err.Error(), k.value, k.String()), cause: err}
}

// redactClerkErrors replaces the key in the decoded fields of a ClerkErrors,
// which catches an echo in any JSON escape form, such as "sk\u005ftest".
func (k *secretKey) redactClerkErrors(e *ClerkErrors) {
	replace := func(s string) string { return strings.ReplaceAll(s, k.value, k.String()) }
	e.TraceID = replace(e.TraceID)
	for i := range e.Errors {
		item := &e.Errors[i]
		item.Code = replace(item.Code)
		item.Message = replace(item.Message)
		item.LongMessage = replace(item.LongMessage)
		item.Meta = redactJSONObject(item.Meta, replace)
	}
	e.Meta = redactJSONObject(e.Meta, replace)
}

// redactJSONObject applies replace to every string in a decoded JSON
// object, keys included, down to maxRedactDepth levels. Deeper values are
// dropped rather than kept unchecked.
func redactJSONObject(object map[string]any, replace func(string) string) map[string]any {
	if object == nil {
		return nil
	}
	redacted, _ := redactJSONValue(object, replace, 0).(map[string]any)
	return redacted
}

const maxRedactDepth = 32

func redactJSONValue(value any, replace func(string) string, depth int) any {
	if depth > maxRedactDepth {
		return nil
	}
	switch v := value.(type) {
	case string:
		return replace(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, item := range v {
			out[replace(key)] = redactJSONValue(item, replace, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = redactJSONValue(item, replace, depth+1)
		}
		return out
	default:
		return v
	}
}

// redactHeader replaces the key in the response headers that errors quote.
func (k *secretKey) redactHeader(header http.Header) {
	for _, name := range [...]string{"Content-Type", "Clerk-Trace-Id"} {
		if value := header.Get(name); strings.Contains(value, k.value) {
			header.Set(name, strings.ReplaceAll(value, k.value, k.String()))
		}
	}
}

// setAuthorization adds the bearer token to req. The header is set on each
// attempt's request rather than by a RoundTripper, so that the redirect
// policy of withRedirectPolicy can drop it.
func (c *Client) setAuthorization(req *http.Request) {
	req.Header.Set("Authorization", c.key.header)
}

// maxRedirects is the redirect limit of an *http.Client without its own
// CheckRedirect, as net/http's default policy sets it.
const maxRedirects = 10

// withRedirectPolicy returns a shallow copy of httpClient whose CheckRedirect
// removes the Authorization header from a redirect to another origin: another
// scheme, host or port than the first request's. net/http removes it only
// when the host name changes, so it would send the key to another port of
// the same host, or over plain http after a redirect from https. The
// caller's CheckRedirect runs first, so that one that copies every header
// to the next request cannot put the key back.
func withRedirectPolicy(httpClient *http.Client) *http.Client {
	next := httpClient.CheckRedirect
	copied := *httpClient
	copied.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if next != nil {
			err := next(req, via)
			if errors.Is(err, http.ErrUseLastResponse) {
				// Returned as is: net/http compares it with ==.
				return err
			}
			if err != nil {
				return &redirectError{err: err}
			}
		} else if len(via) >= maxRedirects {
			return &redirectError{err: fmt.Errorf("stopped after %d redirects", maxRedirects)}
		}
		if !sameOrigin(req.URL, via[0].URL) {
			req.Header.Del("Authorization")
		}
		return nil
	}
	return &copied
}

// sameOrigin reports whether two URLs have the same scheme, host and port.
// url.Parse has lowercased both schemes.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Host, b.Host)
}

// checkTransportSecurity rejects a plain http URL to a host that is not a
// loopback address, unless WithInsecureHTTP was given.
func (c *Client) checkTransportSecurity(baseURL string) error {
	if c.allowHTTP {
		return nil
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return fmt.Errorf("URL %s is invalid: %w", describeURL(baseURL), err)
	}
	// u.Scheme is lowercase, so that "HTTP://" is caught too.
	if u.Scheme != "http" || isLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("URL %s uses plain http to a host that is not loopback, which would send the secret key unencrypted; use https, or WithInsecureHTTP for a trusted proxy", describeURL(baseURL))
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
// The value is not quoted in the error, because it may be a credential.
func validateHeaderValue(value string) error {
	for i := 0; i < len(value); i++ {
		if b := value[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return fmt.Errorf("header value contains the control character %#02x at byte %d; remove it", b, i)
		}
	}
	return nil
}
