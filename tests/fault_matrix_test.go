package tests

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clerklists/clerklists/wrapper"
)

// operationKind selects the operation that a fault matrix row calls.
type operationKind int

const (
	listAllowlist operationKind = iota
	createAllowlist
	deleteAllowlist
)

func (k operationKind) String() string {
	switch k {
	case listAllowlist:
		return "ListAllowlistIdentifiers"
	case createAllowlist:
		return "CreateAllowlistIdentifier"
	default:
		return "DeleteAllowlistIdentifier"
	}
}

// method is the HTTP method of the operation.
func (k operationKind) method() string {
	switch k {
	case listAllowlist:
		return http.MethodGet
	case createAllowlist:
		return http.MethodPost
	default:
		return http.MethodDelete
	}
}

// call runs the operation and returns its result, or a nil any with the
// error, so that a typed nil pointer never hides in the any.
func (k operationKind) call(ctx context.Context, c *wrapper.Client, opts ...wrapper.CallOption) (any, error) {
	switch k {
	case listAllowlist:
		page, err := c.ListAllowlistIdentifiers(ctx, nil, opts...)
		if err != nil {
			return nil, err
		}
		return page, nil
	case createAllowlist:
		created, err := c.CreateAllowlistIdentifier(ctx, "user@example.com", false, opts...)
		if err != nil {
			return nil, err
		}
		return created, nil
	default:
		deleted, err := c.DeleteAllowlistIdentifier(ctx, "alid_123", opts...)
		if err != nil {
			return nil, err
		}
		return deleted, nil
	}
}

// The three ways each row is run: with the client's RetryConfig, with
// WithoutRetries, and with a WithRetries override that allows one attempt
// more than the client's.
const (
	modeRetries        = "retries"
	modeWithoutRetries = "without_retries"
	modePerCall        = "per_call_retries"
)

var faultModes = []string{modeRetries, modeWithoutRetries, modePerCall}

// expectation is what one mode of a row must produce: the attempts the
// server saw and bounds on the call's duration.
type expectation struct {
	attempts   int
	minElapsed time.Duration
	maxElapsed time.Duration
}

// retried is the expectation of a fault that the client retries until the
// schedule's budget runs out.
func retried() map[string]expectation {
	return map[string]expectation{
		modeRetries:        {attempts: clientRetryAttempts, minElapsed: clientRetryWaits, maxElapsed: clientRetryWaits + timingSlack},
		modeWithoutRetries: {attempts: 1, maxElapsed: timingSlack},
		modePerCall:        {attempts: callRetryAttempts, minElapsed: callRetryWaits, maxElapsed: callRetryWaits + timingSlack},
	}
}

// notRetried is the expectation of a fault that ends the call at once.
func notRetried() map[string]expectation {
	once := expectation{attempts: 1, maxElapsed: timingSlack}
	return map[string]expectation{modeRetries: once, modeWithoutRetries: once, modePerCall: once}
}

// faultTarget is the faulty server of one run of a row.
type faultTarget struct {
	baseURL string
	// attempts returns the number of attempts the server saw. Nil means
	// that no server exists and the client's round trips are counted.
	attempts func() int64
	// after runs checks once the call has returned; nil means none.
	after func(t *testing.T)
}

// faultRow is one fault of the matrix.
type faultRow struct {
	name string
	op   operationKind
	// start starts a new faulty server for each mode.
	start func(t *testing.T) faultTarget
	// httpTimeout is the *http.Client Timeout; 0 means defaultHTTPTimeout.
	httpTimeout time.Duration
	// clientRetry and callRetry replace the matrix's schedules when set.
	clientRetry *wrapper.RetryConfig
	callRetry   *wrapper.RetryConfig
	want        map[string]expectation
	// check checks the result or error; attempts is the expected count.
	check func(t *testing.T, mode string, attempts int, got any, err error)
}

// TestFaultMatrix runs every fault with retries on, with WithoutRetries and
// with a WithRetries override. Rows run one after another so that each can
// check that it left no goroutine behind; the modes of a row run in
// parallel.
func TestFaultMatrix(t *testing.T) {
	for _, row := range faultRows() {
		t.Run(row.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			// Cleanup runs after the parallel subtests, whose own cleanups
			// have closed their servers and idle connections by then.
			t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

			for _, mode := range faultModes {
				t.Run(mode, func(t *testing.T) {
					t.Parallel()
					runFaultRow(t, row, mode)
				})
			}
		})
	}
}

func runFaultRow(t *testing.T, row faultRow, mode string) {
	want, ok := row.want[mode]
	if !ok {
		t.Fatalf("row %q has no expectation for mode %q", row.name, mode)
	}
	clientConfig, callConfig := clientRetry, callRetry
	if row.clientRetry != nil {
		clientConfig = *row.clientRetry
	}
	if row.callRetry != nil {
		callConfig = *row.callRetry
	}

	target := row.start(t)
	client := newTestClient(t, target.baseURL, cmp.Or(row.httpTimeout, defaultHTTPTimeout), clientConfig)
	var opts []wrapper.CallOption
	switch mode {
	case modeWithoutRetries:
		opts = append(opts, wrapper.WithoutRetries())
	case modePerCall:
		opts = append(opts, wrapper.WithRetries(callConfig))
	}

	start := time.Now()
	got, err := row.op.call(t.Context(), client.Client, opts...)
	elapsed := time.Since(start)

	attempts := client.transport.roundTrips.Load()
	if target.attempts != nil {
		attempts = target.attempts()
	}
	if attempts != int64(want.attempts) {
		t.Errorf("%s() attempts seen by the server = %d, want %d", row.op, attempts, want.attempts)
	}
	if elapsed < want.minElapsed || elapsed > want.maxElapsed {
		t.Errorf("%s() took %v, want between %v and %v", row.op, elapsed, want.minElapsed, want.maxElapsed)
	}
	client.transport.checkBodiesClosed(t)
	if err != nil {
		checkNoBackoffTypes(t, err)
		checkNoSecret(t, "error", fmt.Sprintf("%v|%+v|%#v|%s", err, err, err, err.Error()))
	}

	row.check(t, mode, want.attempts, got, err)
	if target.after != nil {
		target.after(t)
	}
}

// serve starts a counting server that checks each request's path and
// authentication and passes it to handle.
func serve(op operationKind, handle attemptHandler) func(t *testing.T) faultTarget {
	return func(t *testing.T) faultTarget {
		s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
			checkRequest(t, op, r)
			handle(w, r, attempt)
		})
		return faultTarget{baseURL: s.URL + "/v1", attempts: s.requests.Load}
	}
}

// checkRequest reports a request that does not match the operation or
// lacks the bearer token. It runs in server handlers, so it never stops the
// test.
func checkRequest(t *testing.T, op operationKind, r *http.Request) {
	if r.Method != op.method() {
		t.Errorf("request method = %s, want %s", r.Method, op.method())
	}
	if !strings.HasPrefix(r.URL.Path, "/v1/allowlist_identifiers") {
		t.Errorf("request path = %q, want it under /v1/allowlist_identifiers", r.URL.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testSecretKey {
		t.Errorf("request Authorization header has %d bytes, want the bearer token", len(got))
	}
}

// serveStatus responds to every attempt with the same status and body.
func serveStatus(op operationKind, status int, contentType, body string, header ...string) func(t *testing.T) faultTarget {
	return serve(op, func(w http.ResponseWriter, _ *http.Request, attempt int) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeResponse(w, attempt, status, contentType, body)
	})
}

// expectSDKError checks for an *SDKError with status that came from the
// last attempt's response.
func expectSDKError(op operationKind, status int, extra func(t *testing.T, e *wrapper.SDKError)) func(*testing.T, string, int, any, error) {
	return func(t *testing.T, _ string, attempts int, _ any, err error) {
		e := checkSDKError(t, err, op.String(), status, attempts)
		if want := fmt.Sprintf("trace-%d", attempts); e.TraceID != want {
			t.Errorf("SDKError.TraceID = %q, want %q (the last response's)", e.TraceID, want)
		}
		if extra != nil {
			extra(t, e)
		}
	}
}

// expectClerkErrors checks for a *ClerkErrors with status and code.
func expectClerkErrors(op operationKind, status int, code string) func(*testing.T, string, int, any, error) {
	return func(t *testing.T, _ string, attempts int, _ any, err error) {
		_ = checkClerkErrors(t, err, op.String(), status, attempts, code)
	}
}

// expectAttemptsError checks for an *AttemptsError whose cause matches.
func expectAttemptsError(op operationKind, causeName string, isCause func(error) bool) func(*testing.T, string, int, any, error) {
	return func(t *testing.T, _ string, attempts int, _ any, err error) {
		e := checkAttemptsError(t, err, op.String(), attempts)
		if !isCause(e.Err) {
			t.Errorf("AttemptsError.Err = %v, want %s", e.Err, causeName)
		}
	}
}

// expectDecodeError checks for the *SDKError of a 200 response whose body
// is not JSON of the expected shape.
func expectDecodeError(op operationKind, contentType string) func(*testing.T, string, int, any, error) {
	return expectSDKError(op, http.StatusOK, func(t *testing.T, e *wrapper.SDKError) {
		var syntaxError *json.SyntaxError
		if !errors.As(e, &syntaxError) {
			t.Errorf("errors.As(%v, *json.SyntaxError) = false, want true", e)
		}
		if e.ContentType != contentType {
			t.Errorf("SDKError.ContentType = %q, want %q", e.ContentType, contentType)
		}
	})
}

func isConnectionLoss(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func isTimeout(err error) bool {
	var netError net.Error
	return errors.As(err, &netError) && netError.Timeout()
}

// largeListBody is a 200 body of more than 5 MB, below the 8 MiB bound.
var largeListBody = sync.OnceValues(func() (string, int) {
	const entries = 60000
	var b strings.Builder
	b.WriteByte('[')
	for i := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"alid_%06d","identifier":"user%06d@example.com","identifier_type":"email_address","object":"allowlist_identifier"}`, i, i)
	}
	b.WriteByte(']')
	return b.String(), entries
})

func faultRows() []faultRow {
	clerkInternal := clerkErrorBody("internal_error", "Something went wrong")
	raOneSecond := retryConfig(5*time.Millisecond, 1, 1500*time.Millisecond)
	raOneSecondShort := retryConfig(5*time.Millisecond, 1, 500*time.Millisecond)
	// With Retry-After "0" or a past date, the long schedules would wait
	// seconds, so a fast call proves that Retry-After replaced them. Waits
	// of 1 and 2 s fit 3 s (3 attempts). Waits of 1, 1.5, 2.25 and 3.375 s
	// fit 5 s (5 attempts).
	raLong := retryConfig(time.Second, 2, 3*time.Second)
	raLongCall := retryConfig(time.Second, 1.5, 5*time.Second)
	fastRetryAfter := map[string]expectation{
		modeRetries:        {attempts: 3, maxElapsed: 900 * time.Millisecond},
		modeWithoutRetries: {attempts: 1, maxElapsed: 900 * time.Millisecond},
		modePerCall:        {attempts: 5, maxElapsed: 900 * time.Millisecond},
	}
	const perAttemptTimeout = 30 * time.Millisecond
	// Each slow attempt takes the 30 ms timeout. The client schedule waits
	// 10 then 100 ms, and its next wait of 1 s exceeds the 300 ms budget:
	// 3 attempts, at least 30+10+30+100+30 = 200 ms. The per-call schedule
	// waits 10 ms, then its next wait of 1 s exceeds the budget: 2
	// attempts, at least 70 ms.
	slowClientRetry := retryConfig(10*time.Millisecond, 10, 300*time.Millisecond)
	slowCallRetry := retryConfig(10*time.Millisecond, 100, 300*time.Millisecond)

	return []faultRow{
		{
			name:  "500",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusInternalServerError, "application/json", clerkInternal),
			want:  retried(),
			check: expectSDKError(listAllowlist, http.StatusInternalServerError, func(t *testing.T, e *wrapper.SDKError) {
				// 500 is not declared for the operation, so even Clerk's
				// error JSON is an SDKError.
				if string(e.Body) != clerkInternal {
					t.Errorf("SDKError.Body = %q, want %q", e.Body, clerkInternal)
				}
			}),
		},
		{
			name:  "502 HTML body",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusBadGateway, "text/html", "<html><body>502 Bad Gateway</body></html>"),
			want:  retried(),
			check: expectSDKError(listAllowlist, http.StatusBadGateway, func(t *testing.T, e *wrapper.SDKError) {
				if e.ContentType != "text/html" {
					t.Errorf("SDKError.ContentType = %q, want text/html", e.ContentType)
				}
				if !strings.HasPrefix(string(e.Body), "<html>") || e.BodyTruncated {
					t.Errorf("SDKError.Body = %q (truncated %v), want the whole HTML page", e.Body, e.BodyTruncated)
				}
			}),
		},
		{
			// The one row that waits a real second: the client default
			// allows the wait, the per-call budget of 500 ms does not, so
			// that call returns at once instead of sleeping.
			name:        "503 Retry-After 1 second",
			op:          listAllowlist,
			start:       serveStatus(listAllowlist, http.StatusServiceUnavailable, "application/json", clerkInternal, "Retry-After", "1"),
			clientRetry: &raOneSecond,
			callRetry:   &raOneSecondShort,
			want: map[string]expectation{
				modeRetries:        {attempts: 2, minElapsed: time.Second, maxElapsed: time.Second + timingSlack},
				modeWithoutRetries: {attempts: 1, maxElapsed: 900 * time.Millisecond},
				modePerCall:        {attempts: 1, maxElapsed: 900 * time.Millisecond},
			},
			check: expectSDKError(listAllowlist, http.StatusServiceUnavailable, nil),
		},
		{
			name: "503 Retry-After HTTP date",
			op:   listAllowlist,
			start: serve(listAllowlist, func(w http.ResponseWriter, _ *http.Request, attempt int) {
				// A date in the past means no wait. HTTP dates have
				// whole seconds, so a future date would make the row slow.
				w.Header().Set("Retry-After", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))
				writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkInternal)
			}),
			clientRetry: &raLong,
			callRetry:   &raLongCall,
			want:        fastRetryAfter,
			check:       expectSDKError(listAllowlist, http.StatusServiceUnavailable, nil),
		},
		{
			name:  "503 Retry-After unparseable",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusServiceUnavailable, "application/json", clerkInternal, "Retry-After", "soon"),
			want:  retried(),
			check: expectSDKError(listAllowlist, http.StatusServiceUnavailable, nil),
		},
		{
			name:  "503 Retry-After negative",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusServiceUnavailable, "application/json", clerkInternal, "Retry-After", "-5"),
			want:  retried(),
			check: expectSDKError(listAllowlist, http.StatusServiceUnavailable, nil),
		},
		{
			// A Retry-After longer than the remaining budget ends the call
			// at once with the response's error.
			name:  "503 Retry-After beyond budget",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusServiceUnavailable, "application/json", clerkInternal, "Retry-After", "3600"),
			want:  notRetried(),
			check: expectSDKError(listAllowlist, http.StatusServiceUnavailable, nil),
		},
		{
			name:  "504 empty body",
			op:    deleteAllowlist,
			start: serveStatus(deleteAllowlist, http.StatusGatewayTimeout, "", ""),
			want:  retried(),
			check: expectSDKError(deleteAllowlist, http.StatusGatewayTimeout, func(t *testing.T, e *wrapper.SDKError) {
				if len(e.Body) != 0 {
					t.Errorf("SDKError.Body = %q, want empty", e.Body)
				}
			}),
		},
		{
			// A 429 or 5XX response means Clerk did not apply the request,
			// so even a POST is retried.
			name:        "429 Retry-After 0 on POST",
			op:          createAllowlist,
			start:       serveStatus(createAllowlist, http.StatusTooManyRequests, "application/json", clerkErrorBody("too_many_requests", "Too many requests"), "Retry-After", "0"),
			clientRetry: &raLong,
			callRetry:   &raLongCall,
			want:        fastRetryAfter,
			check:       expectSDKError(createAllowlist, http.StatusTooManyRequests, nil),
		},
		{
			name:  "501 not retried",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusNotImplemented, "application/json", clerkErrorBody("not_implemented", "Not implemented")),
			want:  notRetried(),
			check: expectSDKError(listAllowlist, http.StatusNotImplemented, nil),
		},
		{
			name:  "422 Clerk error not retried",
			op:    createAllowlist,
			start: serveStatus(createAllowlist, http.StatusUnprocessableEntity, "application/json", clerkErrorBody("form_identifier_exists", "Identifier already exists")),
			want:  notRetried(),
			check: expectClerkErrors(createAllowlist, http.StatusUnprocessableEntity, "form_identifier_exists"),
		},
		{
			name:  "404 Clerk error on DELETE",
			op:    deleteAllowlist,
			start: serveStatus(deleteAllowlist, http.StatusNotFound, "application/json", clerkErrorBody("resource_not_found", "Not found")),
			want:  notRetried(),
			check: expectClerkErrors(deleteAllowlist, http.StatusNotFound, "resource_not_found"),
		},
		{
			name:  "dial refused GET",
			op:    listAllowlist,
			start: func(t *testing.T) faultTarget { return faultTarget{baseURL: refusedURL(t)} },
			want:  retried(),
			check: expectAttemptsError(listAllowlist, "ECONNREFUSED", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }),
		},
		{
			// A refused dial sent no byte, so a POST is retried too.
			name:  "dial refused POST",
			op:    createAllowlist,
			start: func(t *testing.T) faultTarget { return faultTarget{baseURL: refusedURL(t)} },
			want:  retried(),
			check: expectAttemptsError(createAllowlist, "ECONNREFUSED", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }),
		},
		{
			// No POST variant: a reset this early may come while the
			// client dials, which makes it a dial error that even a POST
			// retries, or after, which does not.
			name:  "reset before request read GET",
			op:    listAllowlist,
			start: startResetServer(false),
			want:  retried(),
			check: expectAttemptsError(listAllowlist, "a lost connection", isConnectionLoss),
		},
		{
			name:  "reset after request read GET",
			op:    listAllowlist,
			start: startResetServer(true),
			want:  retried(),
			check: expectAttemptsError(listAllowlist, "a lost connection", isConnectionLoss),
		},
		{
			// Clerk read the POST and may have applied it.
			name:  "reset after request read POST",
			op:    createAllowlist,
			start: startResetServer(true),
			want:  notRetried(),
			check: expectAttemptsError(createAllowlist, "a lost connection", isConnectionLoss),
		},
		{
			name:  "closed after request GET",
			op:    listAllowlist,
			start: startCloseAfterRequestServer,
			want:  retried(),
			check: expectAttemptsError(listAllowlist, "io.EOF", isConnectionLoss),
		},
		{
			name:  "closed after request DELETE",
			op:    deleteAllowlist,
			start: startCloseAfterRequestServer,
			want:  retried(),
			check: expectAttemptsError(deleteAllowlist, "io.EOF", isConnectionLoss),
		},
		{
			// Clerk read the whole POST and may have applied it: sending it
			// again could create the identifier twice.
			name:  "closed after request POST",
			op:    createAllowlist,
			start: startCloseAfterRequestServer,
			want:  notRetried(),
			check: expectAttemptsError(createAllowlist, "io.EOF", isConnectionLoss),
		},
		{
			name:  "body cut mid-stream GET",
			op:    listAllowlist,
			start: startCutBodyServer(listAllowlist),
			want:  retried(),
			check: expectAttemptsError(listAllowlist, "io.ErrUnexpectedEOF", func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }),
		},
		{
			name:  "body cut mid-stream POST",
			op:    createAllowlist,
			start: startCutBodyServer(createAllowlist),
			want:  notRetried(),
			check: expectAttemptsError(createAllowlist, "io.ErrUnexpectedEOF", func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }),
		},
		{
			name:        "headers slower than timeout GET",
			op:          listAllowlist,
			start:       startSlowHeadersServer(listAllowlist),
			httpTimeout: perAttemptTimeout,
			clientRetry: &slowClientRetry,
			callRetry:   &slowCallRetry,
			want: map[string]expectation{
				modeRetries:        {attempts: 3, minElapsed: 200 * time.Millisecond, maxElapsed: 200*time.Millisecond + timingSlack},
				modeWithoutRetries: {attempts: 1, minElapsed: perAttemptTimeout, maxElapsed: perAttemptTimeout + timingSlack},
				modePerCall:        {attempts: 2, minElapsed: 70 * time.Millisecond, maxElapsed: 70*time.Millisecond + timingSlack},
			},
			check: expectAttemptsError(listAllowlist, "a timeout", isTimeout),
		},
		{
			name:        "headers slower than timeout POST",
			op:          createAllowlist,
			start:       startSlowHeadersServer(createAllowlist),
			httpTimeout: perAttemptTimeout,
			want: map[string]expectation{
				modeRetries:        {attempts: 1, minElapsed: perAttemptTimeout, maxElapsed: perAttemptTimeout + timingSlack},
				modeWithoutRetries: {attempts: 1, minElapsed: perAttemptTimeout, maxElapsed: perAttemptTimeout + timingSlack},
				modePerCall:        {attempts: 1, minElapsed: perAttemptTimeout, maxElapsed: perAttemptTimeout + timingSlack},
			},
			check: expectAttemptsError(createAllowlist, "a timeout", isTimeout),
		},
		{
			name:  "200 truncated JSON",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusOK, "application/json", `[{"id":"alid_1","identifier":"a@example.com"`),
			want:  notRetried(),
			check: expectDecodeError(listAllowlist, "application/json"),
		},
		{
			name:  "200 empty body",
			op:    deleteAllowlist,
			start: serveStatus(deleteAllowlist, http.StatusOK, "application/json", ""),
			want:  notRetried(),
			check: expectDecodeError(deleteAllowlist, "application/json"),
		},
		{
			// The client decodes a 2XX body whatever its Content-Type.
			name:  "200 JSON with text Content-Type",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusOK, "text/plain", `[{"id":"alid_1","identifier":"a@example.com"}]`),
			want:  notRetried(),
			check: func(t *testing.T, _ string, _ int, got any, err error) {
				page := checkPage(t, got, err, 1)
				if page != nil && *page.Data[0].Id != "alid_1" {
					t.Errorf("ListAllowlistIdentifiers() Data[0].Id = %q, want alid_1", *page.Data[0].Id)
				}
			},
		},
		{
			name:  "200 HTML page",
			op:    listAllowlist,
			start: serveStatus(listAllowlist, http.StatusOK, "text/html", "<html><body>Sign in to the proxy</body></html>"),
			want:  notRetried(),
			check: expectDecodeError(listAllowlist, "text/html"),
		},
		{
			name: "200 5 MB body",
			op:   listAllowlist,
			start: serve(listAllowlist, func(w http.ResponseWriter, _ *http.Request, attempt int) {
				body, _ := largeListBody()
				writeResponse(w, attempt, http.StatusOK, "application/json", body)
			}),
			// Decoding 5 MB takes seconds under the race detector.
			want: map[string]expectation{
				modeRetries:        {attempts: 1, maxElapsed: 30 * time.Second},
				modeWithoutRetries: {attempts: 1, maxElapsed: 30 * time.Second},
				modePerCall:        {attempts: 1, maxElapsed: 30 * time.Second},
			},
			check: func(t *testing.T, _ string, _ int, got any, err error) {
				_, entries := largeListBody()
				checkPage(t, got, err, entries)
			},
		},
		{
			name:  "redirect to another host",
			op:    listAllowlist,
			start: startRedirectServers,
			want:  notRetried(),
			check: expectClerkErrors(listAllowlist, http.StatusUnauthorized, "authentication_invalid"),
		},
		{
			// Nothing is lost: the call that outlives two 503 responses
			// returns the third response's data.
			name: "503 twice then 200",
			op:   listAllowlist,
			start: serve(listAllowlist, func(w http.ResponseWriter, _ *http.Request, attempt int) {
				if attempt <= 2 {
					writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkInternal)
					return
				}
				writeResponse(w, attempt, http.StatusOK, "application/json", `[{"id":"alid_recovered"}]`)
			}),
			want: map[string]expectation{
				modeRetries:        {attempts: 3, minElapsed: 50 * time.Millisecond, maxElapsed: 50*time.Millisecond + timingSlack},
				modeWithoutRetries: {attempts: 1, maxElapsed: timingSlack},
				modePerCall:        {attempts: 3, minElapsed: 30 * time.Millisecond, maxElapsed: 30*time.Millisecond + timingSlack},
			},
			check: func(t *testing.T, mode string, attempts int, got any, err error) {
				if mode == modeWithoutRetries {
					_ = checkSDKError(t, err, listAllowlist.String(), http.StatusServiceUnavailable, attempts)
					return
				}
				page := checkPage(t, got, err, 1)
				if page != nil && *page.Data[0].Id != "alid_recovered" {
					t.Errorf("ListAllowlistIdentifiers() Data[0].Id = %q, want alid_recovered", *page.Data[0].Id)
				}
			},
		},
	}
}

// checkPage checks that a list call succeeded with entries identifiers.
func checkPage(t *testing.T, got any, err error, entries int) *wrapper.AllowlistIdentifierPage {
	t.Helper()
	if err != nil {
		t.Errorf("ListAllowlistIdentifiers() = %v, want no error", err)
		return nil
	}
	page, ok := got.(*wrapper.AllowlistIdentifierPage)
	if !ok {
		t.Errorf("ListAllowlistIdentifiers() = %T, want *wrapper.AllowlistIdentifierPage", got)
		return nil
	}
	if len(page.Data) != entries {
		t.Errorf("ListAllowlistIdentifiers() returned %d identifiers, want %d", len(page.Data), entries)
		return nil
	}
	for i, item := range page.Data {
		if item.Id == nil {
			t.Errorf("ListAllowlistIdentifiers() Data[%d].Id = nil, want an ID", i)
			return nil
		}
	}
	return page
}

// startResetServer resets each connection by closing it with SO_LINGER 0,
// at once or after reading the request with its body.
func startResetServer(afterRequest bool) func(t *testing.T) faultTarget {
	return func(t *testing.T) faultTarget {
		s := newRawServer(t, func(s *rawServer, conn net.Conn) {
			if afterRequest {
				s.readRequest(t, conn)
			}
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
		})
		return faultTarget{baseURL: s.URL(), attempts: s.accepted.Load}
	}
}

// startCloseAfterRequestServer reads each request with its body, then
// closes the connection without a response.
func startCloseAfterRequestServer(t *testing.T) faultTarget {
	s := newRawServer(t, func(s *rawServer, conn net.Conn) {
		s.readRequest(t, conn)
	})
	return faultTarget{baseURL: s.URL(), attempts: s.requests.Load}
}

// startCutBodyServer sends a 200 whose body stops after a few of its
// announced 1000 bytes, then closes the connection.
func startCutBodyServer(op operationKind) func(t *testing.T) faultTarget {
	return func(t *testing.T) faultTarget {
		return serve(op, func(w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("Hijack() = %v, want a connection", err)
				return
			}
			defer func() { _ = conn.Close() }()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
			_, _ = buf.WriteString(`[{"id":"alid_1","identifier":"a@ex`)
			_ = buf.Flush()
		})(t)
	}
}

// startSlowHeadersServer holds every request until the client gives up, or
// 5 s at most.
func startSlowHeadersServer(op operationKind) func(t *testing.T) faultTarget {
	return serve(op, func(_ http.ResponseWriter, r *http.Request, _ int) {
		// The server notices a closed connection, and ends r.Context(),
		// only once the request body has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
}

// startRedirectServers starts a server on 127.0.0.1 that redirects every
// request to a second server named as localhost, which must not receive
// the secret key.
func startRedirectServers(t *testing.T) faultTarget {
	other := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
		if got := r.Header.Get("Authorization"); got != "" {
			t.Errorf("redirected request Authorization header has %d bytes, want none", len(got))
		}
		writeResponse(w, attempt, http.StatusUnauthorized, "application/json", clerkErrorBody("authentication_invalid", "Missing secret key"))
	})
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		checkRequest(t, listAllowlist, r)
		http.Redirect(w, r, otherURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	return faultTarget{
		baseURL:  s.URL + "/v1",
		attempts: s.requests.Load,
		after: func(t *testing.T) {
			if got := other.requests.Load(); got != 1 {
				t.Errorf("redirect target requests = %d, want 1", got)
			}
		},
	}
}
