package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerklists/clerklists/wrapper"
)

// renderings returns every text a caller may print for v.
func renderings(v any) string {
	return fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%T", v, v, v, v, v, v, v)
}

// errorRenderings returns every text a caller may print or log for err,
// with the server-supplied fields of the client's error types.
func errorRenderings(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	b.WriteString(renderings(err))
	var sdkError *wrapper.SDKError
	if errors.As(err, &sdkError) {
		fmt.Fprintf(&b, "|%s|%s|%s|%s", sdkError.Body, sdkError.ContentType, sdkError.TraceID, sdkError.Message)
	}
	var clerkErrors *wrapper.ClerkErrors
	if errors.As(err, &clerkErrors) {
		fmt.Fprintf(&b, "|%#v|%#v|%s", clerkErrors.Errors, clerkErrors.Meta, clerkErrors.TraceID)
	}
	return b.String()
}

// startEchoServer starts a server that sends the request's Authorization
// header back in every place an error could quote it, as a debugging
// proxy's error page might: the body, Clerk's error fields, the
// Clerk-Trace-Id and the Content-Type.
func startEchoServer(t *testing.T) *countingServer {
	return newCountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Clerk-Trace-Id", "trace "+auth)
		switch r.Method {
		case http.MethodPost:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q,"long_message":%q,"meta":{"echo":%q}}],"meta":{"echo":%q},"clerk_trace_id":%q}`,
				"code "+auth, "message "+auth, "long "+auth, auth, auth, "trace "+auth)
		case http.MethodDelete:
			w.Header().Set("Content-Type", "text/html; note="+strings.ReplaceAll(auth, " ", "_"))
			fmt.Fprintf(w, "<html>You sent Authorization: %s</html>", auth)
		default:
			w.Header().Set("Content-Type", "text/plain; note="+strings.ReplaceAll(auth, " ", "_"))
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "upstream failed; request headers: Authorization: %s", auth)
		}
	})
}

// TestSecretKeyNeverShown collects every error, formatted value, panic and
// log record that the client can produce in common failures, and checks
// that none contains the secret key.
func TestSecretKeyNeverShown(t *testing.T) {
	var logs bytes.Buffer
	jsonLogger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	textLogger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fast := retryConfig(time.Millisecond, 1, time.Second)

	unavailable := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request, attempt int) {
		writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkErrorBody("service_unavailable", "Try again"))
	})
	echo := startEchoServer(t)

	var texts []string
	add := func(what string, v any) {
		texts = append(texts, what+": "+renderings(v))
		if err, ok := v.(error); ok && err != nil {
			texts = append(texts, what+": "+errorRenderings(err))
		}
	}

	// Errors from calls, with both loggers recording the retries.
	for _, logger := range []*slog.Logger{jsonLogger, textLogger} {
		client := newTestClient(t, unavailable.URL+"/v1", defaultHTTPTimeout, fast, wrapper.WithLogger(logger))
		_, err := client.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithRetries(retryConfig(time.Millisecond, 1, 20*time.Millisecond)))
		add("503 after retries", err)
		_, err = client.ListBlocklistIdentifiers(t.Context(), wrapper.WithTimeout(30*time.Millisecond), wrapper.WithRetries(retryConfig(10*time.Millisecond, 1, time.Minute)))
		add("context ended after retries", err)
		_, err = client.DeleteAllowlistIdentifier(t.Context(), "..")
		add("argument error", err)
		_, err = client.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithHeader("Authorization", "Bearer "+testSecretKey))
		add("Authorization via WithHeader", err)

		refusedClient := newTestClient(t, refusedURL(t), defaultHTTPTimeout, fast, wrapper.WithLogger(logger))
		_, err = refusedClient.CreateAllowlistIdentifier(t.Context(), "user@example.com", false, wrapper.WithRetries(retryConfig(time.Millisecond, 1, 10*time.Millisecond)))
		add("dial refused", err)
	}

	echoClient := newTestClient(t, echo.URL+"/v1", defaultHTTPTimeout, fast)
	_, err := echoClient.CreateAllowlistIdentifier(t.Context(), "user@example.com", false)
	add("echoed ClerkErrors", err)
	_, err = echoClient.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithoutRetries())
	add("echoed SDKError", err)
	_, err = echoClient.DeleteAllowlistIdentifier(t.Context(), "alid_1")
	add("echoed 200 page", err)

	// Errors from New.
	_, err = wrapper.New(testSecretKey+" ", wrapper.WithBaseURL(unavailable.URL))
	add("New with a key that has a space", err)
	_, err = wrapper.New("\x00" + testSecretKey)
	add("New with a control character", err)
	_, err = wrapper.New(testSecretKey, wrapper.WithBaseURL("http://192.0.2.1/v1"))
	add("New with plain http", err)

	// The client and its configuration, also as values and inside other
	// values, where fmt reads unexported fields without calling methods.
	client := newTestClient(t, unavailable.URL+"/v1", defaultHTTPTimeout, fast)
	add("client", client.Client)
	add("client value", *client.Client)
	add("struct holding the client", struct{ C *wrapper.Client }{client.Client})
	add("struct holding a client value", struct{ C wrapper.Client }{*client.Client})
	add("slice of clients", []*wrapper.Client{client.Client})
	add("retry config", fast)
	add("client String", client.String())
	add("client BaseURL", client.BaseURL())

	// Panics: calls on a nil client.
	var nilClient *wrapper.Client
	add("panic of a nil client", recoverPanic(func() { _, _ = nilClient.ListAllowlistIdentifiers(context.Background(), nil) }))
	add("nil client", nilClient)

	texts = append(texts, "logs: "+logs.String())
	for _, text := range texts {
		checkNoSecret(t, strings.SplitN(text, ":", 2)[0], text)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("logs = %q, want retry records from WithLogger", logs.String())
	}
	if got := echo.requests.Load(); got != 3 {
		t.Errorf("echo server requests = %d, want 3", got)
	}
}

func recoverPanic(f func()) (recovered any) {
	defer func() { recovered = recover() }()
	f()
	return nil
}

// TestPlainHTTPRejected checks that the key is sent over plain http only to
// a loopback host, unless WithInsecureHTTP allows it.
func TestPlainHTTPRejected(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  bool
	}{
		{name: "http to a public host", url: "http://api.example.com/v1", wantErr: true},
		{name: "http to an address", url: "http://192.0.2.1/v1", wantErr: true},
		{name: "upper-case HTTP", url: "HTTP://api.example.com/v1", wantErr: true},
		{name: "mixed-case Http", url: "Http://api.example.com/v1", wantErr: true},
		{name: "http to unspecified address", url: "http://0.0.0.0/v1", wantErr: true},
		{name: "http to a localhost lookalike", url: "http://localhost.example.com/v1", wantErr: true},
		{name: "http to IPv4 loopback", url: "http://127.0.0.1:1/v1"},
		{name: "http to another IPv4 loopback", url: "http://127.0.0.2:1/v1"},
		{name: "http to IPv6 loopback", url: "http://[::1]:1/v1"},
		{name: "http to localhost", url: "http://LOCALHOST:1/v1"},
		{name: "https to a public host", url: "https://api.example.com/v1"},
		{name: "http to a public host allowed", url: "http://api.example.com/v1", insecure: true},
		{name: "upper-case HTTP allowed", url: "HTTP://api.example.com/v1", insecure: true},
	}
	for _, tt := range tests {
		t.Run("New/"+tt.name, func(t *testing.T) {
			opts := []wrapper.ClientOption{wrapper.WithBaseURL(tt.url)}
			if tt.insecure {
				// After WithBaseURL on purpose: the check runs after all
				// options.
				opts = append(opts, wrapper.WithInsecureHTTP())
			}
			_, err := wrapper.New(testSecretKey, opts...)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("wrapper.New(WithBaseURL(%q), insecure %v) = %v, want error %v", tt.url, tt.insecure, err, tt.wantErr)
			}
		})

		t.Run("WithServerURL/"+tt.name, func(t *testing.T) {
			// The guard transport responds to every request itself, so that no
			// request leaves this machine whatever the client decides.
			guard := &guardTransport{}
			opts := []wrapper.ClientOption{wrapper.WithHTTPClient(&http.Client{Transport: guard})}
			if tt.insecure {
				opts = append(opts, wrapper.WithInsecureHTTP())
			}
			client, err := wrapper.New(testSecretKey, opts...)
			if err != nil {
				t.Fatalf("wrapper.New() = %v, want no error", err)
			}

			_, err = client.ListBlocklistIdentifiers(t.Context(), wrapper.WithServerURL(tt.url), wrapper.WithoutRetries())

			if tt.wantErr {
				checkArgumentError(t, err, "ListBlocklistIdentifiers(WithServerURL("+tt.url+"))", "ListBlocklistIdentifiers", "option")
				if guard.requests != 0 {
					t.Errorf("ListBlocklistIdentifiers(WithServerURL(%q)) reached the transport %d times, want 0", tt.url, guard.requests)
				}
				return
			}
			if guard.requests != 1 {
				t.Errorf("ListBlocklistIdentifiers(WithServerURL(%q)) reached the transport %d times, want 1 (error %v)", tt.url, guard.requests, err)
			}
		})
	}
}

// guardTransport responds to every request with 503 without sending it
// anywhere and counts the requests. It is used only without retries.
type guardTransport struct {
	requests int
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	g.requests++
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusServiceUnavailable,
		Header:     http.Header{},
		Body:       http.NoBody,
		Request:    req,
	}, nil
}

// TestRedirectDropsAuthorization checks that a redirect to another origin
// never carries the secret key, whatever the caller's CheckRedirect does,
// and that a redirect within the origin still authenticates.
func TestRedirectDropsAuthorization(t *testing.T) {
	// copyHeaders is a common CheckRedirect that keeps every header across
	// redirects, the Authorization header included.
	copyHeaders := func(req *http.Request, via []*http.Request) error {
		req.Header = via[0].Header.Clone()
		return nil
	}
	useLastResponse := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	tests := []struct {
		name string
		// target turns the target server's URL into the redirect's.
		target        func(targetURL, originURL string) string
		checkRedirect func(req *http.Request, via []*http.Request) error
		wantTarget    int64
		wantStatus    int
	}{
		{
			name:       "other host name",
			target:     func(targetURL, _ string) string { return strings.Replace(targetURL, "127.0.0.1", "localhost", 1) },
			wantTarget: 1, wantStatus: http.StatusOK,
		},
		{
			// net/http compares host names without ports, so it would
			// keep the header here.
			name:       "same host other port",
			target:     func(targetURL, _ string) string { return targetURL },
			wantTarget: 1, wantStatus: http.StatusOK,
		},
		{
			name:          "caller copies headers to other port",
			target:        func(targetURL, _ string) string { return targetURL },
			checkRedirect: copyHeaders,
			wantTarget:    1, wantStatus: http.StatusOK,
		},
		{
			name:          "caller copies headers to other host",
			target:        func(targetURL, _ string) string { return strings.Replace(targetURL, "127.0.0.1", "localhost", 1) },
			checkRedirect: copyHeaders,
			wantTarget:    1, wantStatus: http.StatusOK,
		},
		{
			name:          "caller stops redirects",
			target:        func(targetURL, _ string) string { return targetURL },
			checkRedirect: useLastResponse,
			wantTarget:    0, wantStatus: http.StatusTemporaryRedirect,
		},
		{
			name:       "same origin",
			target:     func(_, originURL string) string { return originURL + "/moved" },
			wantTarget: 0, wantStatus: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
				if got := r.Header.Get("Authorization"); got != "" {
					t.Errorf("redirect target on another origin got an Authorization header of %d bytes, want none", len(got))
				}
				writeResponse(w, attempt, http.StatusOK, "application/json", `{"data":[],"total_count":0}`)
			})
			var origin *countingServer
			origin = newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
				if strings.HasPrefix(r.URL.Path, "/moved") {
					if got := r.Header.Get("Authorization"); got != "Bearer "+testSecretKey {
						t.Errorf("same-origin redirect Authorization header has %d bytes, want the bearer token", len(got))
					}
					writeResponse(w, attempt, http.StatusOK, "application/json", `{"data":[],"total_count":0}`)
					return
				}
				http.Redirect(w, r, tt.target(target.URL, origin.URL)+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			})
			transport := newCountingTransport()
			t.Cleanup(transport.base.CloseIdleConnections)
			httpClient := &http.Client{Transport: transport, Timeout: defaultHTTPTimeout, CheckRedirect: tt.checkRedirect}
			client, err := wrapper.New(testSecretKey, wrapper.WithBaseURL(origin.URL+"/v1"), wrapper.WithHTTPClient(httpClient))
			if err != nil {
				t.Fatalf("wrapper.New() = %v, want no error", err)
			}

			_, err = client.ListBlocklistIdentifiers(t.Context(), wrapper.WithoutRetries())

			if tt.wantStatus == http.StatusOK && err != nil {
				t.Errorf("ListBlocklistIdentifiers() = %v, want no error", err)
			}
			if tt.wantStatus != http.StatusOK {
				_ = checkSDKError(t, err, "ListBlocklistIdentifiers", tt.wantStatus, 1)
			}
			if got := target.requests.Load(); got != tt.wantTarget {
				t.Errorf("redirect target requests = %d, want %d", got, tt.wantTarget)
			}
			if (httpClient.CheckRedirect == nil) != (tt.checkRedirect == nil) {
				t.Errorf("the caller's http.Client CheckRedirect was changed, want it left as given")
			}
			transport.checkBodiesClosed(t)
		})
	}
}
