package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is the production Backend API that a Client calls unless
// WithBaseURL names another.
const DefaultBaseURL = "https://api.clerk.com/v1"

// Version is this module's release, sent in the default User-Agent header.
const Version = "0.1.0"

// DefaultUserAgent is the User-Agent header sent unless WithUserAgent sets
// another.
const DefaultUserAgent = "clerklists-go/" + Version

// DefaultHTTPTimeout is the per-attempt timeout of the *http.Client that New
// creates when WithHTTPClient is not given. It bounds one attempt, not a
// whole call with its retries; use WithTimeout or the context for that.
const DefaultHTTPTimeout = 30 * time.Second

// Client calls the allow-list and block-list endpoints of Clerk's Backend
// API. Create one with New and share it: it is safe for concurrent use and
// holds no per-call state.
type Client struct {
	key        *secretKey // a pointer, so that fmt prints an address for a Client value, never the key
	baseURL    string     // normalised to end in "/", as the gen request builders expect
	httpClient *http.Client
	retry      RetryConfig
	userAgent  string
	logger     *slog.Logger
	allowHTTP  bool
}

// ClientOption configures a Client in New. Each option validates its
// argument and makes New return an error when it is invalid.
type ClientOption func(*Client) error

// New returns a Client that authenticates with secretKey, the instance's
// secret key from the Clerk Dashboard (sk_test_… or sk_live_…).
//
// Without options the client calls DefaultBaseURL with a new *http.Client
// whose timeout is DefaultHTTPTimeout, retries with DefaultRetryConfig, sends
// DefaultUserAgent and logs nothing.
func New(secretKey string, opts ...ClientOption) (*Client, error) {
	key, err := newSecretKey(secretKey)
	if err != nil {
		return nil, err
	}

	c := &Client{
		key:        key,
		baseURL:    DefaultBaseURL + "/",
		httpClient: &http.Client{Timeout: DefaultHTTPTimeout},
		retry:      DefaultRetryConfig(),
		userAgent:  DefaultUserAgent,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("clerk: New: option is nil; remove it or pass a ClientOption")
		}
		if err := opt(c); err != nil {
			return nil, key.redactError(err)
		}
	}

	// The check runs after all options because WithInsecureHTTP may come
	// after WithBaseURL.
	if err := c.checkTransportSecurity(c.baseURL); err != nil {
		return nil, key.redactError(fmt.Errorf("clerk: New: %w", err))
	}
	c.httpClient = withRedirectPolicy(c.httpClient)
	return c, nil
}

// WithBaseURL sets the URL that operation paths are appended to, such as
// "https://api.clerk.com/v1" or a clerkfake server's URL. It needs an http
// or https scheme and a host, and may not carry a query, a fragment or
// credentials. A trailing slash is optional. Plain http is accepted only for
// loopback hosts unless WithInsecureHTTP is also given.
func WithBaseURL(baseURL string) ClientOption {
	return func(c *Client) error {
		normalised, err := normaliseBaseURL(baseURL)
		if err != nil {
			return fmt.Errorf("clerk: WithBaseURL: %w", err)
		}
		c.baseURL = normalised
		return nil
	}
}

// WithHTTPClient sets the *http.Client that sends every attempt. Its Timeout
// bounds one attempt. Its Transport decides connection reuse, and the
// client drains and closes every response body so that connections are
// reused.
//
// The client keeps a shallow copy whose CheckRedirect first runs
// httpClient's own. It then removes the Authorization header from a
// redirect to another scheme, host or port. httpClient itself is not
// changed.
func WithHTTPClient(httpClient *http.Client) ClientOption {
	return func(c *Client) error {
		if httpClient == nil {
			return fmt.Errorf("clerk: WithHTTPClient: *http.Client is nil; pass http.DefaultClient or a configured client")
		}
		c.httpClient = httpClient
		return nil
	}
}

// WithRetryConfig sets the retry configuration used by every call that does
// not override it with WithRetries or WithoutRetries.
func WithRetryConfig(config RetryConfig) ClientOption {
	return func(c *Client) error {
		if err := config.validate(); err != nil {
			return fmt.Errorf("clerk: WithRetryConfig: %w", err)
		}
		c.retry = config
		return nil
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(userAgent string) ClientOption {
	return func(c *Client) error {
		if userAgent == "" {
			return fmt.Errorf("clerk: WithUserAgent: user agent is empty; omit the option to send %q", DefaultUserAgent)
		}
		if err := validateHeaderValue(userAgent); err != nil {
			return fmt.Errorf("clerk: WithUserAgent: %w", err)
		}
		c.userAgent = userAgent
		return nil
	}
}

// WithLogger sets a logger that receives one Info record per retry, with the
// operation, the attempt number, the delay before the next attempt and the
// error. When a wait would pass MaxElapsedTime or the context deadline, it
// also receives one record with the reason the retries stopped. Headers,
// bodies and the secret key are never logged. Without it the client logs
// nothing.
func WithLogger(logger *slog.Logger) ClientOption {
	return func(c *Client) error {
		if logger == nil {
			return fmt.Errorf("clerk: WithLogger: logger is nil; omit the option to log nothing")
		}
		c.logger = logger
		return nil
	}
}

// WithInsecureHTTP allows plain http:// base URLs and server URLs whose host
// is not a loopback address. Without it the client refuses to send the
// secret key unencrypted over a network. Use it only for a trusted proxy.
func WithInsecureHTTP() ClientOption {
	return func(c *Client) error {
		c.allowHTTP = true
		return nil
	}
}

// BaseURL returns the base URL that calls use unless WithServerURL overrides
// it, with a trailing slash.
func (c *Client) BaseURL() string {
	if c == nil {
		return ""
	}
	return c.baseURL
}

// String returns a description of the client without its secret key. It
// and GoString and Format have value receivers, so that printing a Client
// value is as safe as printing a *Client.
func (c Client) String() string {
	return fmt.Sprintf("wrapper.Client{BaseURL: %q, SecretKey: %s}", c.baseURL, c.key)
}

// GoString is String, so that %#v cannot print the secret key either.
func (c Client) GoString() string {
	return c.String()
}

// Format prints String for every verb, so that no verb or flag of the fmt
// package reaches the unexported secret key.
func (c Client) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprint(f, c.String())
}

// normaliseBaseURL validates a base or server URL and returns it with exactly
// one trailing slash, the form that the generated request builders resolve
// operation paths against.
func normaliseBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("URL is empty; use %q or a clerkfake server's URL", DefaultBaseURL)
	}
	if strings.TrimSpace(raw) != raw {
		return "", fmt.Errorf("URL %s starts or ends with whitespace; remove it", describeURL(strings.TrimSpace(raw)))
	}
	// An empty fragment ("…/v1#") parses as no fragment at all, but the
	// "#" would still cut every operation path off the URL.
	if strings.Contains(raw, "#") {
		return "", fmt.Errorf("URL %s has a fragment; remove it", describeURL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			// url.Error quotes the whole URL, which may carry a credential.
			err = urlErr.Err
		}
		return "", fmt.Errorf("URL is invalid: %w", err)
	}
	shown := describeURL(raw)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL %s has no http or https scheme; write it like %q", shown, DefaultBaseURL)
	}
	if u.Host == "" {
		return "", fmt.Errorf("URL %s has no host; write it like %q", shown, DefaultBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("URL %s contains credentials; remove them, because the client authenticates with the secret key", shown)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", fmt.Errorf("URL %s has a query; remove it, because operations add their own", shown)
	}
	if u.Fragment != "" {
		return "", fmt.Errorf("URL %s has a fragment; remove it", shown)
	}

	for len(raw) > 0 && raw[len(raw)-1] == '/' {
		raw = raw[:len(raw)-1]
	}
	return raw + "/", nil
}

// describeURL quotes a URL for an error message with its credentials,
// query and fragment elided, because any of them may carry a secret.
func describeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	safe := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, Opaque: u.Opaque}
	if u.User != nil {
		safe.User = url.User("xxxxx")
	}
	shown := safe.String()
	if u.RawQuery != "" || u.ForceQuery {
		shown += "?…"
	}
	if strings.Contains(raw, "#") {
		shown += "#…"
	}
	return strconv.Quote(shown)
}
