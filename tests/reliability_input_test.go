package tests

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/clerklists/clerklists/wrapper"
)

// recordingServer records the raw request URI and decoded path of every
// request and responds to each with body.
type recordingServer struct {
	*countingServer
	mu       sync.Mutex
	requests []*http.Request
}

func newRecordingServer(t testing.TB, body string) *recordingServer {
	t.Helper()
	s := &recordingServer{}
	s.countingServer = newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		s.mu.Unlock()
		writeResponse(w, attempt, http.StatusOK, "application/json", body)
	})
	return s
}

func (s *recordingServer) recorded() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

// take returns the recorded requests and clears the record.
func (s *recordingServer) take() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	requests := s.requests
	s.requests = nil
	return requests
}

// checkArgumentError checks that err is an *wrapper.ArgumentError, unwrapped,
// for operation and argument.
func checkArgumentError(t *testing.T, err error, call, operation, argument string) {
	t.Helper()
	argumentError, ok := directError[*wrapper.ArgumentError](err)
	if !ok {
		t.Errorf("%s = %T %v, want *wrapper.ArgumentError", call, err, err)
		return
	}
	if argumentError.Operation != operation || argumentError.Argument != argument {
		t.Errorf("%s = ArgumentError{Operation: %q, Argument: %q}, want {%q, %q}", call, argumentError.Operation, argumentError.Argument, operation, argument)
	}
	if argumentError.Reason == "" {
		t.Errorf("%s ArgumentError.Reason is empty, want what is wrong and how to fix it", call)
	}
}

// identifierIDCases lists identifier IDs that must be rejected before any
// request, and IDs that must reach the server as one escaped path segment.
var identifierIDCases = []struct {
	name    string
	id      string
	invalid bool
}{
	{name: "empty", id: "", invalid: true},
	{name: "space", id: " ", invalid: true},
	{name: "tab and newline", id: "\t\n", invalid: true},
	{name: "unicode whitespace", id: "\u00a0\u2003", invalid: true},
	{name: "dot", id: ".", invalid: true},
	{name: "dot dot", id: "..", invalid: true},
	{name: "invalid UTF-8", id: "alid_\xff", invalid: true},
	{name: "plain", id: "alid_2abc"},
	{name: "slash", id: "a/b"},
	{name: "slash only", id: "/"},
	{name: "question mark", id: "a?b=c"},
	{name: "hash", id: "a#b"},
	{name: "percent", id: "100%"},
	{name: "escaped slash", id: "a%2Fb"},
	{name: "escaped dot dot", id: "%2e%2e"},
	{name: "dot dot slash", id: "../admin"},
	{name: "dot slash", id: "./"},
	{name: "three dots", id: "..."},
	{name: "path traversal", id: "x/../../users"},
	{name: "inner space", id: "a b"},
	{name: "leading and trailing space", id: " alid_1 "},
	{name: "unicode", id: "üñí©ødé-日本-🚀"},
	{name: "NUL", id: "a\x00b"},
	{name: "control characters", id: "\x01\x1f\x7f"},
	{name: "CRLF", id: "a\r\nHost: evil"},
	{name: "reserved characters", id: "!$&'()*+,;=:@[]"},
}

// TestIdentifierIDPath checks every delete operation with every case of
// identifierIDCases: an invalid ID gets an *ArgumentError and no request,
// any other ID exactly one request whose path has one more segment, which
// the server decodes back to the ID.
func TestIdentifierIDPath(t *testing.T) {
	deletes := []struct {
		name      string
		operation string
		prefix    string
		call      func(c *wrapper.Client, ctx context.Context, id string) error
	}{
		{
			name: "allow-list", operation: "DeleteAllowlistIdentifier", prefix: "/v1/allowlist_identifiers/",
			call: func(c *wrapper.Client, ctx context.Context, id string) error {
				_, err := c.DeleteAllowlistIdentifier(ctx, id, wrapper.WithoutRetries())
				return err
			},
		},
		{
			name: "block-list", operation: "DeleteBlocklistIdentifier", prefix: "/v1/blocklist_identifiers/",
			call: func(c *wrapper.Client, ctx context.Context, id string) error {
				_, err := c.DeleteBlocklistIdentifier(ctx, id, wrapper.WithoutRetries())
				return err
			},
		},
	}
	for _, del := range deletes {
		for _, tt := range identifierIDCases {
			t.Run(del.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				server := newRecordingServer(t, `{"deleted":true}`)
				client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, clientRetry)

				err := del.call(client.Client, t.Context(), tt.id)

				call := del.operation + "(" + strings.ToValidUTF8(tt.id, "?") + ")"
				requests := server.recorded()
				if tt.invalid {
					checkArgumentError(t, err, call, del.operation, "identifier ID")
					if len(requests) != 0 {
						t.Errorf("%s sent %d requests, want 0", call, len(requests))
					}
					return
				}
				if err != nil {
					t.Fatalf("%s = %v, want no error", call, err)
				}
				if len(requests) != 1 {
					t.Fatalf("%s sent %d requests, want 1", call, len(requests))
				}
				checkIDSegment(t, call, requests[0], del.prefix, tt.id)
			})
		}
	}
}

// checkIDSegment checks that r's path is prefix followed by exactly one
// escaped segment that decodes to id.
func checkIDSegment(t *testing.T, call string, r *http.Request, prefix, id string) {
	t.Helper()
	rawPath, rawQuery, _ := strings.Cut(r.RequestURI, "?")
	if rawQuery != "" {
		t.Errorf("%s request URI = %q, want no query", call, r.RequestURI)
	}
	if r.URL.EscapedPath() != rawPath {
		t.Errorf("%s URL.EscapedPath() = %q, want the raw path %q", call, r.URL.EscapedPath(), rawPath)
	}
	segment, ok := strings.CutPrefix(rawPath, prefix)
	if !ok {
		t.Fatalf("%s request path = %q, want it to start with %q", call, rawPath, prefix)
	}
	if strings.Contains(segment, "/") {
		t.Errorf("%s path segment = %q, want one segment without /", call, segment)
	}
	if want := url.PathEscape(id); segment != want {
		t.Errorf("%s path segment = %q, want %q", call, segment, want)
	}
	decoded, err := url.PathUnescape(segment)
	if err != nil || decoded != id {
		t.Errorf("url.PathUnescape(%q) = %q, %v, want %q", segment, decoded, err, id)
	}
	if r.URL.Path != prefix+id {
		t.Errorf("%s decoded path = %q, want %q", call, r.URL.Path, prefix+id)
	}
}

// TestArgumentValidation checks that invalid identifiers, list parameters
// and contexts get an *ArgumentError before any request.
func TestArgumentValidation(t *testing.T) {
	var nilContext context.Context
	tests := []struct {
		name      string
		operation string
		argument  string
		call      func(c *wrapper.Client, ctx context.Context) error
	}{
		{
			name: "empty allow-list identifier", operation: "CreateAllowlistIdentifier", argument: "identifier",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.CreateAllowlistIdentifier(ctx, "", false)
				return err
			},
		},
		{
			name: "whitespace allow-list identifier", operation: "CreateAllowlistIdentifier", argument: "identifier",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.CreateAllowlistIdentifier(ctx, " \t\r\n", true)
				return err
			},
		},
		{
			name: "invalid UTF-8 block-list identifier", operation: "CreateBlocklistIdentifier", argument: "identifier",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.CreateBlocklistIdentifier(ctx, "user\xff@example.com")
				return err
			},
		},
		{
			name: "whitespace block-list identifier", operation: "CreateBlocklistIdentifier", argument: "identifier",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.CreateBlocklistIdentifier(ctx, "   ")
				return err
			},
		},
		{
			name: "limit negative", operation: "ListAllowlistIdentifiers", argument: "limit",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: -1})
				return err
			},
		},
		{
			name: "limit above 500", operation: "ListAllowlistIdentifiers", argument: "limit",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: wrapper.MaxListLimit + 1})
				return err
			},
		},
		{
			name: "offset negative", operation: "ListAllowlistIdentifiers", argument: "offset",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: 10, Offset: -1})
				return err
			},
		},
		{
			name: "nil context list allow-list", operation: "ListAllowlistIdentifiers", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.ListAllowlistIdentifiers(nilContext, nil)
				return err
			},
		},
		{
			name: "nil context create allow-list", operation: "CreateAllowlistIdentifier", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.CreateAllowlistIdentifier(nilContext, "user@example.com", false)
				return err
			},
		},
		{
			name: "nil context delete allow-list", operation: "DeleteAllowlistIdentifier", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.DeleteAllowlistIdentifier(nilContext, "alid_1")
				return err
			},
		},
		{
			name: "nil context list block-list", operation: "ListBlocklistIdentifiers", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.ListBlocklistIdentifiers(nilContext)
				return err
			},
		},
		{
			name: "nil context create block-list", operation: "CreateBlocklistIdentifier", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.CreateBlocklistIdentifier(nilContext, "user@example.com")
				return err
			},
		},
		{
			name: "nil context delete block-list", operation: "DeleteBlocklistIdentifier", argument: "context",
			call: func(c *wrapper.Client, _ context.Context) error {
				_, err := c.DeleteBlocklistIdentifier(nilContext, "blid_1")
				return err
			},
		},
		{
			name: "nil call option", operation: "ListBlocklistIdentifiers", argument: "option",
			call: func(c *wrapper.Client, ctx context.Context) error {
				_, err := c.ListBlocklistIdentifiers(ctx, nil)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := newRecordingServer(t, `[]`)
			client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, clientRetry)

			err := tt.call(client.Client, t.Context())

			checkArgumentError(t, err, tt.operation+"()", tt.operation, tt.argument)
			if got := len(server.recorded()); got != 0 {
				t.Errorf("%s() sent %d requests, want 0", tt.operation, got)
			}
		})
	}
}

// TestListLimitBounds checks that the limits 1 and 500 are sent as given
// and that 0 sends none, so Clerk applies its default.
func TestListLimitBounds(t *testing.T) {
	tests := []struct {
		name      string
		params    wrapper.ListAllowlistIdentifiersParams
		wantQuery string
	}{
		{name: "default", params: wrapper.ListAllowlistIdentifiersParams{}, wantQuery: ""},
		{name: "limit 1", params: wrapper.ListAllowlistIdentifiersParams{Limit: 1}, wantQuery: "limit=1"},
		{name: "limit 500 offset 7", params: wrapper.ListAllowlistIdentifiersParams{Limit: 500, Offset: 7}, wantQuery: "limit=500&offset=7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := newRecordingServer(t, `[]`)
			client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, clientRetry)

			if _, err := client.ListAllowlistIdentifiers(t.Context(), &tt.params); err != nil {
				t.Fatalf("ListAllowlistIdentifiers(%+v) = %v, want no error", tt.params, err)
			}

			requests := server.recorded()
			if len(requests) != 1 {
				t.Fatalf("ListAllowlistIdentifiers(%+v) sent %d requests, want 1", tt.params, len(requests))
			}
			if got := requests[0].URL.RawQuery; got != tt.wantQuery {
				t.Errorf("ListAllowlistIdentifiers(%+v) query = %q, want %q", tt.params, got, tt.wantQuery)
			}
		})
	}
}

// TestBaseURLForms checks every form of base URL, given to New with
// WithBaseURL and to a call with WithServerURL: a form that cannot work
// gets an error before any request, and every other form reaches
// /v1/allowlist_identifiers.
func TestBaseURLForms(t *testing.T) {
	tests := []struct {
		name string
		// form turns the server's "http://127.0.0.1:port" into the URL under test.
		form    func(server string) string
		invalid bool
	}{
		{name: "no trailing slash", form: func(s string) string { return s + "/v1" }},
		{name: "trailing slash", form: func(s string) string { return s + "/v1/" }},
		{name: "several trailing slashes", form: func(s string) string { return s + "/v1///" }},
		{name: "upper-case scheme", form: func(s string) string { return "HTTP" + strings.TrimPrefix(s, "http") + "/v1" }},
		{name: "localhost", form: func(s string) string { return strings.Replace(s, "127.0.0.1", "localhost", 1) + "/v1" }},
		{name: "no scheme", form: func(s string) string { return strings.TrimPrefix(s, "http://") + "/v1" }, invalid: true},
		{name: "scheme-relative", form: func(s string) string { return strings.TrimPrefix(s, "http:") + "/v1" }, invalid: true},
		{name: "other scheme", form: func(s string) string { return "ftp" + strings.TrimPrefix(s, "http") + "/v1" }, invalid: true},
		{name: "query", form: func(s string) string { return s + "/v1?limit=1" }, invalid: true},
		{name: "empty query", form: func(s string) string { return s + "/v1?" }, invalid: true},
		{name: "fragment", form: func(s string) string { return s + "/v1#top" }, invalid: true},
		{name: "credentials", form: func(s string) string { return strings.Replace(s, "http://", "http://user:s3cret@", 1) + "/v1" }, invalid: true},
		{name: "empty", form: func(string) string { return "" }, invalid: true},
	}
	for _, tt := range tests {
		t.Run("New/"+tt.name, func(t *testing.T) {
			t.Parallel()
			server := newRecordingServer(t, `[]`)
			baseURL := tt.form(server.URL)

			client, err := wrapper.New(testSecretKey, wrapper.WithBaseURL(baseURL), wrapper.WithHTTPClient(&http.Client{Transport: newCountingTransport(), Timeout: defaultHTTPTimeout}))
			if tt.invalid {
				if err == nil {
					t.Fatalf("wrapper.New(WithBaseURL(%q)) = %v, want an error", baseURL, client)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("wrapper.New(WithBaseURL(%q)) error = %q, want the password left out", baseURL, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("wrapper.New(WithBaseURL(%q)) = %v, want no error", baseURL, err)
			}
			if _, err := client.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithoutRetries()); err != nil {
				t.Fatalf("ListAllowlistIdentifiers() with base URL %q = %v, want no error", baseURL, err)
			}
			checkListPath(t, baseURL, server.recorded())
		})

		t.Run("WithServerURL/"+tt.name, func(t *testing.T) {
			t.Parallel()
			server := newRecordingServer(t, `[]`)
			serverURL := tt.form(server.URL)
			client := newTestClient(t, refusedURL(t), defaultHTTPTimeout, clientRetry)

			_, err := client.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithServerURL(serverURL), wrapper.WithoutRetries())
			if tt.invalid {
				checkArgumentError(t, err, "ListAllowlistIdentifiers(WithServerURL("+serverURL+"))", "ListAllowlistIdentifiers", "option")
				if got := client.transport.roundTrips.Load(); got != 0 {
					t.Errorf("ListAllowlistIdentifiers(WithServerURL(%q)) round trips = %d, want 0", serverURL, got)
				}
				if err != nil && strings.Contains(err.Error(), "s3cret") {
					t.Errorf("ListAllowlistIdentifiers(WithServerURL(%q)) error = %q, want the password left out", serverURL, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ListAllowlistIdentifiers(WithServerURL(%q)) = %v, want no error", serverURL, err)
			}
			checkListPath(t, serverURL, server.recorded())
		})
	}
}

func checkListPath(t *testing.T, baseURL string, requests []*http.Request) {
	t.Helper()
	if len(requests) != 1 {
		t.Fatalf("ListAllowlistIdentifiers() with base URL %q sent %d requests, want 1", baseURL, len(requests))
	}
	if got := requests[0].URL.Path; got != "/v1/allowlist_identifiers" {
		t.Errorf("ListAllowlistIdentifiers() with base URL %q requested %q, want /v1/allowlist_identifiers", baseURL, got)
	}
}
