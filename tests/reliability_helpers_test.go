package tests

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/clerklists/clerklists/wrapper"
)

// testSecretKey is the key every reliability and security test sends. The
// security tests search for it in everything a caller can see.
const testSecretKey = "sk_test_R3liabilityKeyThatMustNeverLeak0042"

// testSecretKeyValue is the part after the prefix, which a redacted form
// such as "sk_test_[REDACTED]" does not contain.
const testSecretKeyValue = "R3liabilityKeyThatMustNeverLeak0042"

// defaultHTTPTimeout bounds one attempt in tests that do not test timeouts,
// so that a hung server fails the test instead of hanging it.
const defaultHTTPTimeout = 5 * time.Second

// timingSlack is added to every upper bound on elapsed time. It is large on
// purpose: the bounds prove that no unexpected wait happened, not how fast a
// machine is.
const timingSlack = 3 * time.Second

// The retry schedules below use RandomizationFactor 0, so that every wait is
// exact and the number of attempts depends only on MaxElapsedTime. Each
// budget leaves at least 100 ms for the attempts themselves before the last
// wait that fits would no longer fit. The first wait that does not fit
// exceeds the budget on its own. A slow or loaded machine running the race
// detector therefore does not change the count.
var (
	// clientRetry is the client default in the fault matrix. Waits of 10
	// and 40 ms fit its 150 ms budget and the next wait of 160 ms does not,
	// so a failing call makes 3 attempts and waits 50 ms in total.
	clientRetry = wrapper.RetryConfig{
		Strategy: wrapper.RetryStrategyBackoff,
		Backoff: wrapper.BackoffStrategy{
			InitialInterval: 10 * time.Millisecond,
			MaxInterval:     time.Second,
			Exponent:        4,
			MaxElapsedTime:  150 * time.Millisecond,
		},
		RetryConnectionErrors: true,
	}

	// callRetry is the per-call override in the fault matrix. Waits of 5,
	// 25 and 125 ms fit its 300 ms budget and the next wait of 625 ms does
	// not, so a failing call makes 4 attempts and waits 155 ms in total.
	callRetry = wrapper.RetryConfig{
		Strategy: wrapper.RetryStrategyBackoff,
		Backoff: wrapper.BackoffStrategy{
			InitialInterval: 5 * time.Millisecond,
			MaxInterval:     time.Second,
			Exponent:        5,
			MaxElapsedTime:  300 * time.Millisecond,
		},
		RetryConnectionErrors: true,
	}
)

// Attempts and total waits of clientRetry and callRetry for a call whose
// every attempt fails at once.
const (
	clientRetryAttempts = 3
	clientRetryWaits    = 50 * time.Millisecond
	callRetryAttempts   = 4
	callRetryWaits      = 155 * time.Millisecond
)

// retryConfig returns a backoff RetryConfig with exact waits.
func retryConfig(initial time.Duration, exponent float64, maxElapsed time.Duration) wrapper.RetryConfig {
	return wrapper.RetryConfig{
		Strategy: wrapper.RetryStrategyBackoff,
		Backoff: wrapper.BackoffStrategy{
			InitialInterval: initial,
			MaxInterval:     time.Minute,
			Exponent:        exponent,
			MaxElapsedTime:  maxElapsed,
		},
		RetryConnectionErrors: true,
	}
}

// countingTransport wraps an *http.Transport and counts round trips,
// response bodies handed out, bodies closed and bytes read from them, so
// that a test can prove the client closes every body, retried attempts
// included.
type countingTransport struct {
	base       *http.Transport
	roundTrips atomic.Int64
	opened     atomic.Int64
	closed     atomic.Int64
	bytesRead  atomic.Int64
}

func newCountingTransport() *countingTransport {
	return &countingTransport{base: &http.Transport{
		// No proxy: every test server is on 127.0.0.1.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     30 * time.Second,
	}}
}

func (ct *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ct.roundTrips.Add(1)
	resp, err := ct.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	ct.opened.Add(1)
	resp.Body = &countingBody{ReadCloser: resp.Body, transport: ct}
	return resp, nil
}

// checkBodiesClosed reports every response body that was handed out and
// not closed.
func (ct *countingTransport) checkBodiesClosed(t *testing.T) {
	t.Helper()
	if opened, closed := ct.opened.Load(), ct.closed.Load(); opened != closed {
		t.Errorf("response bodies closed = %d, want %d (every body handed out)", closed, opened)
	}
}

type countingBody struct {
	io.ReadCloser
	transport *countingTransport
	once      sync.Once
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.transport.bytesRead.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error {
	b.once.Do(func() { b.transport.closed.Add(1) })
	return b.ReadCloser.Close()
}

// testClient is a wrapper.Client with the transport that counts for it.
type testClient struct {
	*wrapper.Client
	transport  *countingTransport
	httpClient *http.Client
}

// newTestClient returns a client for baseURL that authenticates with
// testSecretKey and sends through its own counting transport, whose idle
// connections are closed when the test ends.
func newTestClient(t *testing.T, baseURL string, httpTimeout time.Duration, retry wrapper.RetryConfig, opts ...wrapper.ClientOption) *testClient {
	t.Helper()
	transport := newCountingTransport()
	t.Cleanup(transport.base.CloseIdleConnections)
	httpClient := &http.Client{Transport: transport, Timeout: httpTimeout}

	all := append([]wrapper.ClientOption{
		wrapper.WithBaseURL(baseURL),
		wrapper.WithHTTPClient(httpClient),
		wrapper.WithRetryConfig(retry),
	}, opts...)
	client, err := wrapper.New(testSecretKey, all...)
	if err != nil {
		t.Fatalf("wrapper.New(%q) = %v, want no error", baseURL, err)
	}
	return &testClient{Client: client, transport: transport, httpClient: httpClient}
}

// attemptHandler serves one attempt; attempt counts from 1.
type attemptHandler func(w http.ResponseWriter, r *http.Request, attempt int)

// countingServer is an httptest server on 127.0.0.1 that counts the
// requests it serves and the connections it accepts.
type countingServer struct {
	*httptest.Server
	requests    atomic.Int64
	connections atomic.Int64
}

// newCountingServer starts a server that passes each request with its
// number to handle. The server is closed when the test ends.
func newCountingServer(t testing.TB, handle attemptHandler) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempt := int(s.requests.Add(1))
		handle(w, r, attempt)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.connections.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// rawServer accepts TCP connections on 127.0.0.1 and hands each to handle,
// for faults that net/http cannot produce, such as a reset. It accepts at
// most maxRawConnections connections and gives each 5 s.
type rawServer struct {
	listener net.Listener
	accepted atomic.Int64
	requests atomic.Int64
	wg       sync.WaitGroup
}

const maxRawConnections = 100

func newRawServer(t *testing.T, handle func(s *rawServer, conn net.Conn)) *rawServer {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen(127.0.0.1:0) = %v, want no error", err)
	}
	s := &rawServer{listener: listener}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for range maxRawConnections {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() { _ = conn.Close() }()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				handle(s, conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = listener.Close()
		s.wg.Wait()
	})
	return s
}

// URL returns the server's base URL with the /v1 path.
func (s *rawServer) URL() string {
	return "http://" + s.listener.Addr().String() + "/v1"
}

// readRequest reads one request with its body from conn and counts it.
func (s *rawServer) readRequest(t *testing.T, conn net.Conn) bool {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		t.Errorf("http.ReadRequest() = %v, want a request", err)
		return false
	}
	_, _ = io.Copy(io.Discard, req.Body)
	_ = req.Body.Close()
	s.requests.Add(1)
	return true
}

// refusedURL returns a base URL on 127.0.0.1 where nothing listens: it
// listens on a free port and closes the listener again.
func refusedURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen(127.0.0.1:0) = %v, want no error", err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("listener.Close() = %v, want no error", err)
	}
	return "http://" + addr + "/v1"
}

// directError returns err as a T when err itself, not something wrapping
// it, is a T. Callers rely on errors.As; this stricter check proves that
// nothing was wrapped around the error on the way out.
func directError[T error](err error) (T, bool) {
	typed, ok := err.(T) //nolint:errorlint // the test checks that err is not wrapped
	return typed, ok
}

// checkAttemptsText checks that Error() states the number of attempts when
// there was more than one.
func checkAttemptsText(t *testing.T, err error, attempts int) {
	t.Helper()
	text := err.Error()
	if attempts > 1 {
		if want := fmt.Sprintf("after %d attempts", attempts); !strings.Contains(text, want) {
			t.Errorf("Error() = %q, want it to contain %q", text, want)
		}
		return
	}
	if strings.Contains(text, "attempts") {
		t.Errorf("Error() = %q, want no attempt count for a single attempt", text)
	}
}

// checkNoBackoffTypes checks that no type of the backoff package reaches
// the caller.
func checkNoBackoffTypes(t *testing.T, err error) {
	t.Helper()
	var permanent *backoff.PermanentError
	if errors.As(err, &permanent) {
		t.Errorf("errors.As(%v, *backoff.PermanentError) = true, want false", err)
	}
	if strings.Contains(fmt.Sprintf("%#v", err), "backoff.") {
		t.Errorf("%%#v of error = %#v, want no backoff type in it", err)
	}
}

// checkSDKError checks that err is an *wrapper.SDKError, unwrapped, for
// operation, status and attempts, and returns it.
func checkSDKError(t *testing.T, err error, operation string, status, attempts int) *wrapper.SDKError {
	t.Helper()
	sdkError, ok := directError[*wrapper.SDKError](err)
	if !ok {
		t.Fatalf("%s() error = %T %v, want *wrapper.SDKError", operation, err, err)
	}
	if sdkError.Operation != operation {
		t.Errorf("SDKError.Operation = %q, want %q", sdkError.Operation, operation)
	}
	if sdkError.StatusCode != status {
		t.Errorf("SDKError.StatusCode = %d, want %d", sdkError.StatusCode, status)
	}
	if sdkError.Attempts != attempts {
		t.Errorf("SDKError.Attempts = %d, want %d", sdkError.Attempts, attempts)
	}
	if len(sdkError.Body) > wrapper.MaxErrorBodyBytes {
		t.Errorf("len(SDKError.Body) = %d, want at most %d", len(sdkError.Body), wrapper.MaxErrorBodyBytes)
	}
	checkAttemptsText(t, err, attempts)
	return sdkError
}

// checkClerkErrors checks that err is an *wrapper.ClerkErrors, unwrapped,
// for operation, status, attempts and Clerk code, and returns it.
func checkClerkErrors(t *testing.T, err error, operation string, status, attempts int, code string) *wrapper.ClerkErrors {
	t.Helper()
	clerkErrors, ok := directError[*wrapper.ClerkErrors](err)
	if !ok {
		t.Fatalf("%s() error = %T %v, want *wrapper.ClerkErrors", operation, err, err)
	}
	if clerkErrors.Operation != operation {
		t.Errorf("ClerkErrors.Operation = %q, want %q", clerkErrors.Operation, operation)
	}
	if clerkErrors.StatusCode != status {
		t.Errorf("ClerkErrors.StatusCode = %d, want %d", clerkErrors.StatusCode, status)
	}
	if clerkErrors.Attempts != attempts {
		t.Errorf("ClerkErrors.Attempts = %d, want %d", clerkErrors.Attempts, attempts)
	}
	if !clerkErrors.HasCode(code) {
		t.Errorf("ClerkErrors.HasCode(%q) = false, want true; errors: %+v", code, clerkErrors.Errors)
	}
	checkAttemptsText(t, err, attempts)
	return clerkErrors
}

// checkAttemptsError checks that err is an *wrapper.AttemptsError, unwrapped,
// for operation and attempts, and returns it.
func checkAttemptsError(t *testing.T, err error, operation string, attempts int) *wrapper.AttemptsError {
	t.Helper()
	attemptsError, ok := directError[*wrapper.AttemptsError](err)
	if !ok {
		t.Fatalf("%s() error = %T %v, want *wrapper.AttemptsError", operation, err, err)
	}
	if attemptsError.Operation != operation {
		t.Errorf("AttemptsError.Operation = %q, want %q", attemptsError.Operation, operation)
	}
	if attemptsError.Attempts != attempts {
		t.Errorf("AttemptsError.Attempts = %d, want %d", attemptsError.Attempts, attempts)
	}
	checkAttemptsText(t, err, attempts)
	return attemptsError
}

// clerkErrorBody returns Clerk's JSON error object with one error.
func clerkErrorBody(code, message string) string {
	return fmt.Sprintf(`{"errors":[{"code":%q,"message":%q,"long_message":%q}]}`, code, message, message)
}

// writeResponse writes a response with a Clerk-Trace-Id of "trace-N", N
// being the attempt, so that a test can tell which attempt an error came
// from.
func writeResponse(w http.ResponseWriter, attempt, status int, contentType, body string) {
	w.Header().Set("Clerk-Trace-Id", fmt.Sprintf("trace-%d", attempt))
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// checkNoSecret reports text that contains the secret key.
func checkNoSecret(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, testSecretKeyValue) {
		t.Errorf("%s contains the secret key: %q", what, text)
	}
}
