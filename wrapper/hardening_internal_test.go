package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerklists/clerklists/gen"
)

const hardeningKey = "sk_test_hardening0123456789"

func newHardeningClient(t *testing.T, baseURL string, opts ...ClientOption) *Client {
	t.Helper()
	all := append([]ClientOption{WithBaseURL(baseURL)}, opts...)
	client, err := New(hardeningKey, all...)
	if err != nil {
		t.Fatalf("New(%q) = %v, want no error", baseURL, err)
	}
	return client
}

func fastRetry(maxElapsed time.Duration) RetryConfig {
	rc := DefaultRetryConfig()
	rc.Backoff.InitialInterval = time.Millisecond
	rc.Backoff.RandomizationFactor = 0
	rc.Backoff.MaxElapsedTime = maxElapsed
	return rc
}

// A server that echoes the key in a malformed status line makes net/http
// quote it in the transport error.
func TestTransportErrorRedactsEchoedKey(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = listener.Close() }()
	go func() {
		for range 20 {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			buffer := make([]byte, 4096)
			_, _ = conn.Read(buffer)
			_, _ = io.WriteString(conn, "XTTP/1.1 "+hardeningKey+"\r\n\r\n")
			_ = conn.Close()
		}
	}()

	client := newHardeningClient(t, "http://"+listener.Addr().String()+"/v1", WithRetryConfig(fastRetry(20*time.Millisecond)))
	_, err = client.ListBlocklistIdentifiers(context.Background())
	if err == nil {
		t.Fatal("ListBlocklistIdentifiers() error = nil, want a transport error")
	}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		if text := fmt.Sprintf(verb, err); strings.Contains(text, hardeningKey) {
			t.Errorf("Sprintf(%q, err) = %q, contains the secret key", verb, text)
		}
	}
}

func TestClerkErrorsRedactsEscapedKey(t *testing.T) {
	escaped := strings.Replace(hardeningKey, "_", `\u005f`, 1)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = fmt.Fprintf(w, `{"errors":[{"code":"c","message":"%s","long_message":"%s","meta":{"k":["%s"]}}],"clerk_trace_id":"%s"}`, escaped, escaped, escaped, escaped)
	}))
	defer server.Close()

	client := newHardeningClient(t, server.URL)
	_, err := client.CreateBlocklistIdentifier(context.Background(), "a@example.com")
	var clerkErrors *ClerkErrors
	if !errors.As(err, &clerkErrors) {
		t.Fatalf("CreateBlocklistIdentifier() error = %v, want *ClerkErrors", err)
	}
	encoded, _ := json.Marshal(clerkErrors)
	for name, text := range map[string]string{"Error()": err.Error(), "fields": string(encoded)} {
		if strings.Contains(text, hardeningKey) {
			t.Errorf("ClerkErrors %s = %s, contains the secret key", name, text)
		}
	}
}

func TestErrorTextIsOneBoundedLine(t *testing.T) {
	message := "a\x1b[31mb\u2028c\x00d" + strings.Repeat("x", 10_000)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": "resource_not_found", "message": message, "long_message": ""}}})
		_, _ = w.Write(body)
	}))
	defer server.Close()

	client := newHardeningClient(t, server.URL)
	_, err := client.DeleteAllowlistIdentifier(context.Background(), "alid_1")
	if err == nil {
		t.Fatal("DeleteAllowlistIdentifier() error = nil, want *ClerkErrors")
	}
	text := err.Error()
	if strings.ContainsAny(text, "\x1b\x00\u2028\n") {
		t.Errorf("Error() = %q, want no control characters or line separators", text)
	}
	if len(text) > 2*maxErrorFieldBytes {
		t.Errorf("len(Error()) = %d, want at most %d", len(text), 2*maxErrorFieldBytes)
	}
}

// net/http hands a 101 response's raw connection over as its body; reading
// it would ignore every timeout.
func TestSwitchingProtocolsDoesNotHang(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = listener.Close() }()
	release := make(chan struct{})
	defer close(release)
	go func() {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		buffer := make([]byte, 4096)
		_, _ = conn.Read(buffer)
		_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
		<-release
	}()

	client := newHardeningClient(t, "http://"+listener.Addr().String())
	_, err = client.ListBlocklistIdentifiers(context.Background(), WithoutRetries())
	var sdkError *SDKError
	if !errors.As(err, &sdkError) || sdkError.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("ListBlocklistIdentifiers() error = %v, want *SDKError with status 101", err)
	}
}

func TestRetryConfigRejectsOverflow(t *testing.T) {
	rc := DefaultRetryConfig()
	rc.Backoff = BackoffStrategy{InitialInterval: math.MaxInt64, MaxInterval: math.MaxInt64, Exponent: 1.5, MaxElapsedTime: time.Second}
	if err := rc.validate(); err == nil {
		t.Errorf("validate(MaxInterval %v) = nil, want an error", rc.Backoff.MaxInterval)
	}
}

func TestCallBackOffStopsOnHugeWait(t *testing.T) {
	b := newCallBackOff(BackoffStrategy{InitialInterval: time.Millisecond, MaxInterval: time.Second, Exponent: 2, MaxElapsedTime: time.Second}, time.Time{})
	b.Reset()
	b.setRetryAfter(maxRetryDuration)
	if next := b.NextBackOff(); next != -1 {
		t.Errorf("NextBackOff() after Retry-After %v = %v, want backoff.Stop", maxRetryDuration, next)
	}
}

func TestParseRetryAfterOutOfRange(t *testing.T) {
	delay, ok := parseRetryAfter("99999999999999999999", time.Now())
	if !ok || delay != maxRetryDuration {
		t.Errorf("parseRetryAfter(huge) = %v, %v, want %v, true", delay, ok, maxRetryDuration)
	}
}

func TestNilClientReturnsError(t *testing.T) {
	var nilClient *Client
	if _, err := nilClient.ListBlocklistIdentifiers(context.Background()); err == nil {
		t.Error("(*Client)(nil).ListBlocklistIdentifiers() error = nil, want *ArgumentError")
	}
	if _, err := (&Client{}).DeleteAllowlistIdentifier(context.Background(), "alid_1"); err == nil {
		t.Error("(&Client{}).DeleteAllowlistIdentifier() error = nil, want *ArgumentError")
	}
	if got := nilClient.BaseURL(); got != "" {
		t.Errorf("(*Client)(nil).BaseURL() = %q, want empty", got)
	}
}

func TestSecretKeyShape(t *testing.T) {
	for _, key := range []string{"code", "e", "sk_test_", "sk_test_abc", "REDACTED", "pk_test_abcdef", "sk_prod_abcdef", "sk_test_abcdef\u00a0", "sk_test_abc\u200bdef"} {
		if _, err := New(key); err == nil {
			t.Errorf("New(%q) error = nil, want an error", key)
		}
	}
	if _, err := New("sk_live_abcd"); err != nil {
		t.Errorf("New(sk_live_abcd) = %v, want no error", err)
	}
}

func TestBaseURLRejectsFragmentAndSpace(t *testing.T) {
	for _, raw := range []string{"https://api.clerk.com/v1#", "https://api.clerk.com/v1 ", " https://api.clerk.com/v1"} {
		if _, err := New(hardeningKey, WithBaseURL(raw)); err == nil {
			t.Errorf("New(WithBaseURL(%q)) error = nil, want an error", raw)
		}
	}
}

func TestWithHeaderRejectsReserved(t *testing.T) {
	for _, name := range []string{"authorization", "Accept-Encoding", "Idempotency-Key", "x-idempotency-key", "Host", "Content-Length", "Transfer-Encoding", "User-Agent", "Accept", "Content-Type"} {
		var cc callConfig
		if err := WithHeader(name, "v")(&cc); err == nil {
			t.Errorf("WithHeader(%q) error = nil, want an error", name)
		}
	}
}

func TestIteratorStopsOnLyingServer(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(offset int) string
		wantErr  bool
		maxItems int
	}{
		{name: "huge total, one item per page", respond: func(offset int) string {
			return fmt.Sprintf(`{"data":[{"id":"alid_%d"}],"total_count":9223372036854775807}`, offset)
		}, maxItems: 1},
		{name: "offset ignored", respond: func(int) string {
			return `{"data":[{"id":"alid_a"},{"id":"alid_b"}],"total_count":1000}`
		}, wantErr: true, maxItems: 2},
		{name: "total_count missing", respond: func(int) string {
			return `{"data":[{"id":"alid_a"},{"id":"alid_b"}]}`
		}, wantErr: true, maxItems: 0},
		{name: "array shape", respond: func(int) string {
			return `[{"id":"alid_a"},{"id":"alid_b"}]`
		}, wantErr: true, maxItems: 0},
		{name: "full pages beyond total", respond: func(offset int) string {
			return fmt.Sprintf(`{"data":[{"id":"alid_%d"},{"id":"alid_%dx"}],"total_count":1}`, offset, offset)
		}, maxItems: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if requests.Add(1) > 50 {
					w.WriteHeader(http.StatusTeapot)
					return
				}
				var offset int
				_, _ = fmt.Sscan(r.URL.Query().Get("offset"), &offset)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tt.respond(offset))
			}))
			defer server.Close()

			client := newHardeningClient(t, server.URL)
			var items []gen.AllowlistIdentifier
			var iterErr error
			for item, err := range client.AllowlistIdentifiers(context.Background(), 2) {
				if err != nil {
					iterErr = err
					break
				}
				items = append(items, item)
			}
			if got := requests.Load(); got > 3 {
				t.Errorf("requests = %d, want at most 3", got)
			}
			if (iterErr != nil) != tt.wantErr {
				t.Errorf("iterator error = %v, want error %v", iterErr, tt.wantErr)
			}
			if len(items) > tt.maxItems {
				t.Errorf("items = %d, want at most %d", len(items), tt.maxItems)
			}
		})
	}
}

// dnsNotFoundTransport fails every dial as DNS does for a host that does
// not exist, without sending a query.
type dnsNotFoundTransport struct{ dials atomic.Int32 }

func (d *dnsNotFoundTransport) RoundTrip(*http.Request) (*http.Response, error) {
	d.dials.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.clerk.example", IsNotFound: true}}
}

func TestUnknownHostIsNotRetried(t *testing.T) {
	transport := &dnsNotFoundTransport{}
	client, err := New(hardeningKey, WithHTTPClient(&http.Client{Transport: transport}), WithRetryConfig(fastRetry(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ListBlocklistIdentifiers(context.Background())
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Errorf("ListBlocklistIdentifiers() error = %v, want a *net.DNSError", err)
	}
	if got := transport.dials.Load(); got != 1 {
		t.Errorf("attempts = %d, want 1 for a host that does not exist", got)
	}
}

func TestStopReasonIsLogged(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer server.Close()

	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	client := newHardeningClient(t, server.URL, WithLogger(logger))
	if _, err := client.ListBlocklistIdentifiers(context.Background()); err == nil {
		t.Fatal("ListBlocklistIdentifiers() error = nil, want the 503")
	}
	if want := "Retry-After wait of 1h0m0s would pass MaxElapsedTime"; !strings.Contains(logs.String(), want) {
		t.Errorf("log = %q, want it to contain %q", logs.String(), want)
	}
}

func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	var requests atomic.Int32
	server := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
	defer server.Close()

	// A new transport does not trust the test server's certificate.
	client := newHardeningClient(t, server.URL, WithHTTPClient(&http.Client{Transport: &http.Transport{}}), WithRetryConfig(fastRetry(time.Second)))
	_, err := client.ListBlocklistIdentifiers(context.Background())
	var attemptsError *AttemptsError
	if !errors.As(err, &attemptsError) || attemptsError.Attempts != 1 {
		t.Errorf("ListBlocklistIdentifiers() error = %v, want *AttemptsError after 1 attempt", err)
	}
}

func TestRedirectLoopIsNotRetried(t *testing.T) {
	var requests atomic.Int32
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}))
	defer server.Close()

	client := newHardeningClient(t, server.URL, WithRetryConfig(fastRetry(time.Second)))
	if _, err := client.ListBlocklistIdentifiers(context.Background()); err == nil {
		t.Fatal("ListBlocklistIdentifiers() error = nil, want the redirect limit")
	}
	// One attempt: the first request and the redirects up to the limit,
	// which counts every request made, as net/http's default policy does.
	if got, want := requests.Load(), int32(maxRedirects); got != want {
		t.Errorf("requests = %d, want %d: one attempt stopped at the redirect limit", got, want)
	}
}

// The key passed where an identifier ID belongs ends up in the URL that
// net/http quotes; the redacted error must still match the context error.
func TestRedactedErrorKeepsContextMatch(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer server.Close()
	defer close(release)

	client := newHardeningClient(t, server.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.DeleteAllowlistIdentifier(ctx, hardeningKey)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DeleteAllowlistIdentifier() error = %v, want it to match context.DeadlineExceeded", err)
	}
	if err != nil && strings.Contains(err.Error(), hardeningKey) {
		t.Errorf("DeleteAllowlistIdentifier() error = %q, contains the secret key", err)
	}
}

func TestBlocklistWithoutTotalCount(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[{"id":"blid_1"}]}`)
	}))
	defer server.Close()

	client := newHardeningClient(t, server.URL)
	_, err := client.ListBlocklistIdentifiers(context.Background())
	var sdkError *SDKError
	if !errors.As(err, &sdkError) || !strings.Contains(sdkError.Message, "total_count") {
		t.Errorf("ListBlocklistIdentifiers() error = %v, want *SDKError naming total_count", err)
	}
}

func TestPageGuardEdgeCases(t *testing.T) {
	total := int64(math.MaxInt64)
	empty := ""
	guard := pageGuard{operationID: "ListAllowlistIdentifiers", size: 1}
	first := &AllowlistIdentifierPage{Data: []gen.AllowlistIdentifier{{Id: &empty}}, TotalCount: &total}
	if err := guard.check(first); err != nil {
		t.Errorf("check(first page, total MaxInt64, empty ID) = %v, want nil", err)
	}
	if err := guard.check(first); err == nil {
		t.Error("check(the same page again) = nil, want an error")
	}
}
