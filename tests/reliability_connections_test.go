package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clerklists/clerklists/wrapper"
)

// TestRetryConnectionReuse checks that retried attempts share one
// keep-alive connection when the client can drain the error body, and that
// a body too long to drain costs a new connection instead of being read to
// its end.
func TestRetryConnectionReuse(t *testing.T) {
	tests := []struct {
		name            string
		errorBodyBytes  int
		wantConnections int64
	}{
		{name: "small error body", errorBodyBytes: 100, wantConnections: 1},
		// Read up to 64 KiB, then drain up to 64 KiB more: 100 KiB fits.
		{name: "100 KiB error body drained", errorBodyBytes: 100 << 10, wantConnections: 1},
		// 1 MiB does not: the connection is closed after each attempt.
		{name: "1 MiB error body not drained", errorBodyBytes: 1 << 20, wantConnections: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

			errorBody := strings.Repeat("x", tt.errorBodyBytes)
			server := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request, attempt int) {
				if attempt <= 2 {
					writeResponse(w, attempt, http.StatusServiceUnavailable, "text/plain", errorBody)
					return
				}
				writeResponse(w, attempt, http.StatusOK, "application/json", `[]`)
			})
			client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, retryConfig(time.Millisecond, 1, 5*time.Second))

			if _, err := client.ListAllowlistIdentifiers(t.Context(), nil); err != nil {
				t.Fatalf("ListAllowlistIdentifiers() = %v, want no error", err)
			}

			if got := server.requests.Load(); got != 3 {
				t.Errorf("ListAllowlistIdentifiers() attempts = %d, want 3", got)
			}
			if got := server.connections.Load(); got != tt.wantConnections {
				t.Errorf("ListAllowlistIdentifiers() connections accepted = %d, want %d", got, tt.wantConnections)
			}
			client.transport.checkBodiesClosed(t)
			if got := client.transport.opened.Load(); got != 3 {
				t.Errorf("response bodies handed out = %d, want 3", got)
			}
		})
	}
}

// concurrencyServer serves every operation and fails the first attempts of
// each call with 503. The X-Test-Call header names a call, and
// X-Test-Failures sets how many of its attempts fail.
type concurrencyServer struct {
	mu       sync.Mutex
	attempts map[string]int // per call
	created  map[string]int // times each identifier was created
}

func (s *concurrencyServer) handle(t *testing.T, w http.ResponseWriter, r *http.Request) {
	callID := r.Header.Get("X-Test-Call")
	failures, err := strconv.Atoi(r.Header.Get("X-Test-Failures"))
	if callID == "" || err != nil {
		t.Errorf("request %s %s has no X-Test-Call or X-Test-Failures header", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.attempts[callID]++
	attempt := s.attempts[callID]
	s.mu.Unlock()
	if attempt <= failures {
		writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkErrorBody("service_unavailable", "Try again"))
		return
	}

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/allowlist_identifiers":
		writeResponse(w, attempt, http.StatusOK, "application/json", `[]`)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/blocklist_identifiers":
		writeResponse(w, attempt, http.StatusOK, "application/json", `{"data":[],"total_count":0}`)
	case r.Method == http.MethodPost:
		var body struct {
			Identifier string `json:"identifier"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("POST %s body does not decode: %v", r.URL.Path, err)
		}
		s.mu.Lock()
		s.created[body.Identifier]++
		s.mu.Unlock()
		reply, _ := json.Marshal(map[string]string{"id": "id_" + callID, "identifier": body.Identifier})
		writeResponse(w, attempt, http.StatusOK, "application/json", string(reply))
	case r.Method == http.MethodDelete:
		id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		reply, _ := json.Marshal(map[string]any{"id": id, "deleted": true, "object": "allowlist_identifier"})
		writeResponse(w, attempt, http.StatusOK, "application/json", string(reply))
	default:
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestConcurrentCallsOwnSchedules shares one client among 64 goroutines
// that run mixed operations while the server fails each call 0 to 2
// times. If calls shared a backoff schedule, its interval would grow with
// every retry of every call and soon pass the budget, so calls would fail
// or miss attempts.
func TestConcurrentCallsOwnSchedules(t *testing.T) {
	const (
		goroutines       = 64
		callsPerRoutine  = 20
		operationKinds   = 6
		initialInterval  = time.Millisecond
		overrideInterval = 2 * time.Millisecond
	)
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

	state := &concurrencyServer{attempts: map[string]int{}, created: map[string]int{}}
	server := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		state.handle(t, w, r)
	})
	client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, retryConfig(initialInterval, 2, 5*time.Second))

	type callResult struct {
		callID   string
		failures int
		minWait  time.Duration
		elapsed  time.Duration
		err      error
		check    string // empty when the result matched the call
	}
	results := make([]callResult, goroutines*callsPerRoutine)

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range callsPerRoutine {
				index := g*callsPerRoutine + i
				r := &results[index]
				r.callID = fmt.Sprintf("g%02d-c%02d", g, i)
				r.failures = (g + i) % 3
				opts := []wrapper.CallOption{
					wrapper.WithHeader("X-Test-Call", r.callID),
					wrapper.WithHeader("X-Test-Failures", strconv.Itoa(r.failures)),
				}
				// Every fourth call overrides the schedule with equal waits
				// of 2 ms; the others wait 1 ms, then 2 ms.
				if index%4 == 0 {
					opts = append(opts, wrapper.WithRetries(retryConfig(overrideInterval, 1, 5*time.Second)))
					r.minWait = time.Duration(r.failures) * overrideInterval
				} else {
					r.minWait = time.Duration((1<<r.failures)-1) * initialInterval
				}

				start := time.Now()
				r.check, r.err = runMixedCall(t, client.Client, index%operationKinds, r.callID, opts)
				r.elapsed = time.Since(start)
			}
		}()
	}
	wg.Wait()

	// The handlers wrote state under its mutex; the race detector cannot
	// see that the responses ordered those writes before this read.
	state.mu.Lock()
	defer state.mu.Unlock()
	creates := 0
	for index, r := range results {
		if kind := index % operationKinds; kind == 1 || kind == 4 {
			creates++
		}
		if r.err != nil {
			t.Errorf("call %s with %d failures = %v, want no error", r.callID, r.failures, r.err)
			continue
		}
		if r.check != "" {
			t.Errorf("call %s: %s", r.callID, r.check)
		}
		if got := state.attempts[r.callID]; got != r.failures+1 {
			t.Errorf("call %s attempts = %d, want %d", r.callID, got, r.failures+1)
		}
		if r.elapsed < r.minWait {
			t.Errorf("call %s took %v, want at least its own waits of %v", r.callID, r.elapsed, r.minWait)
		}
	}
	for identifier, count := range state.created {
		if count != 1 {
			t.Errorf("identifier %s created %d times, want 1", identifier, count)
		}
	}
	if got := len(state.created); got != creates {
		t.Errorf("identifiers created = %d, want %d", got, creates)
	}
	client.transport.checkBodiesClosed(t)
}

// runMixedCall runs one of six operations and returns a description of a
// result that does not match the call, or the call's error.
func runMixedCall(t *testing.T, c *wrapper.Client, kind int, callID string, opts []wrapper.CallOption) (string, error) {
	ctx := t.Context()
	identifier := callID + "@example.com"
	switch kind {
	case 0:
		_, err := c.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: 10}, opts...)
		return "", err
	case 1:
		created, err := c.CreateAllowlistIdentifier(ctx, identifier, false, opts...)
		if err != nil {
			return "", err
		}
		if created.Identifier == nil || *created.Identifier != identifier {
			return fmt.Sprintf("CreateAllowlistIdentifier(%q) returned %v, want the same identifier", identifier, created.Identifier), nil
		}
		return "", nil
	case 2:
		deleted, err := c.DeleteAllowlistIdentifier(ctx, "alid_"+callID, opts...)
		if err != nil {
			return "", err
		}
		if deleted.Id == nil || *deleted.Id != "alid_"+callID {
			return fmt.Sprintf("DeleteAllowlistIdentifier(%q) returned ID %v", "alid_"+callID, deleted.Id), nil
		}
		return "", nil
	case 3:
		_, err := c.ListBlocklistIdentifiers(ctx, opts...)
		return "", err
	case 4:
		created, err := c.CreateBlocklistIdentifier(ctx, identifier, opts...)
		if err != nil {
			return "", err
		}
		if created.Identifier == nil || *created.Identifier != identifier {
			return fmt.Sprintf("CreateBlocklistIdentifier(%q) returned %v, want the same identifier", identifier, created.Identifier), nil
		}
		return "", nil
	default:
		deleted, err := c.DeleteBlocklistIdentifier(ctx, "blid_"+callID, opts...)
		if err != nil {
			return "", err
		}
		if deleted.Id == nil || *deleted.Id != "blid_"+callID {
			return fmt.Sprintf("DeleteBlocklistIdentifier(%q) returned ID %v", "blid_"+callID, deleted.Id), nil
		}
		return "", nil
	}
}

// TestLongLivedClientRetries uses a client long after its MaxElapsedTime
// has passed since New: each call still gets the whole budget, counted from
// its own first attempt.
func TestLongLivedClientRetries(t *testing.T) {
	// The 5 ms retry leaves 145 ms of the budget for the attempts, so that
	// a loaded machine still fits the retry in every call.
	const budget = 150 * time.Millisecond
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

	// Odd attempts fail, so every call needs exactly one retry.
	server := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request, attempt int) {
		if attempt%2 == 1 {
			writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkErrorBody("service_unavailable", "Try again"))
			return
		}
		writeResponse(w, attempt, http.StatusOK, "application/json", `[]`)
	})
	client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, retryConfig(5*time.Millisecond, 1, budget))

	for call := 1; call <= 3; call++ {
		// A deliberate wait, not synchronisation: wall time must pass the
		// budget since New, or since the previous call.
		time.Sleep(3 * budget)

		if _, err := client.ListAllowlistIdentifiers(t.Context(), nil); err != nil {
			t.Fatalf("ListAllowlistIdentifiers() call %d, %v after New = %v, want no error", call, time.Duration(call)*3*budget, err)
		}
		if got, want := server.requests.Load(), int64(2*call); got != want {
			t.Errorf("ListAllowlistIdentifiers() call %d: total attempts = %d, want %d", call, got, want)
		}
	}
	client.transport.checkBodiesClosed(t)
}

// TestCallTimeoutKeepsLastError ends a call with WithTimeout while its
// second attempt waits for headers: errors.Is finds the deadline and
// errors.As finds the first attempt's 503, with both attempts counted.
// A per-attempt http.Client.Timeout, by contrast, gives an *AttemptsError
// (the "headers slower than timeout" rows of TestFaultMatrix).
func TestCallTimeoutKeepsLastError(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })

	server := newCountingServer(t, func(w http.ResponseWriter, r *http.Request, attempt int) {
		if attempt == 1 {
			writeResponse(w, attempt, http.StatusServiceUnavailable, "application/json", clerkErrorBody("service_unavailable", "Try again"))
			return
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, retryConfig(5*time.Millisecond, 1, time.Minute))

	_, err := client.ListAllowlistIdentifiers(t.Context(), nil, wrapper.WithTimeout(200*time.Millisecond))

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ListAllowlistIdentifiers(WithTimeout) = %v, want errors.Is context.DeadlineExceeded", err)
	}
	var sdkError *wrapper.SDKError
	if !errors.As(err, &sdkError) {
		t.Fatalf("ListAllowlistIdentifiers(WithTimeout) = %v, want errors.As *wrapper.SDKError of the 503", err)
	}
	if sdkError.StatusCode != http.StatusServiceUnavailable || sdkError.Attempts != 2 {
		t.Errorf("SDKError = {StatusCode: %d, Attempts: %d}, want {503, 2}", sdkError.StatusCode, sdkError.Attempts)
	}
	if got := server.requests.Load(); got != 2 {
		t.Errorf("ListAllowlistIdentifiers(WithTimeout) attempts = %d, want 2", got)
	}
	client.transport.checkBodiesClosed(t)
}
