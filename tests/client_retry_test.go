package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

// clientAttempts returns the Attempts field of whichever error type err
// wraps, or -1 when it wraps none of them.
func clientAttempts(err error) int {
	var clerkErrors *wrapper.ClerkErrors
	if errors.As(err, &clerkErrors) {
		return clerkErrors.Attempts
	}
	var sdkError *wrapper.SDKError
	if errors.As(err, &sdkError) {
		return sdkError.Attempts
	}
	var attemptsError *wrapper.AttemptsError
	if errors.As(err, &attemptsError) {
		return attemptsError.Attempts
	}
	return -1
}

func TestClientRetriesServiceUnavailable(t *testing.T) {
	t.Parallel()
	for _, op := range clientAllOperations {
		t.Run(op.operationID, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t)
			target := clientFakeTarget(t, f, op)
			f.failNext(t, 1, clerkfake.Fault{OperationID: op.operationID, Status: http.StatusServiceUnavailable})

			err := op.call(clientCallContext(t), f.client, target)
			clientCheckNoError(t, fmt.Sprintf("%s(%q) after one 503", op.operationID, target), err)
			if got := f.Requests(op.operationID); got != 2 {
				t.Errorf("%s(%q) after one 503 sent %d requests, want 2", op.operationID, target, got)
			}
		})
	}
}

func TestClientRetryAfter(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		status     int
		retryAfter string
		retry      wrapper.RetryConfig
	}{
		// With a one-minute schedule and a 30-second call deadline, only a
		// Retry-After that replaces the schedule lets the second attempt run.
		{name: "zero seconds replaces the schedule", status: 429, retryAfter: "0", retry: clientSlowRetry()},
		{name: "HTTP date in the past replaces the schedule", status: 429,
			retryAfter: time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), retry: clientSlowRetry()},
		{name: "zero seconds on a 503", status: 503, retryAfter: "0", retry: clientSlowRetry()},
		{name: "unparseable value falls back to the schedule", status: 429, retryAfter: "soon", retry: clientFastRetry(2 * time.Second)},
		{name: "negative seconds fall back to the schedule", status: 429, retryAfter: "-5", retry: clientFastRetry(2 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t, wrapper.WithRetryConfig(tt.retry))
			f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListBlocklistIdentifiers, Status: tt.status, RetryAfter: tt.retryAfter})

			_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t))
			clientCheckNoError(t, fmt.Sprintf("ListBlocklistIdentifiers() after %d with Retry-After %q", tt.status, tt.retryAfter), err)
			if got := f.Requests(clerkfake.OperationListBlocklistIdentifiers); got != 2 {
				t.Errorf("ListBlocklistIdentifiers() after %d with Retry-After %q sent %d requests, want 2", tt.status, tt.retryAfter, got)
			}
		})
	}
}

func TestClientRetryAfterWaits(t *testing.T) {
	t.Parallel()
	// The schedule alone would wait 2 ms, so a wait of a second can only
	// come from the header.
	f := clientStartFake(t)
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListBlocklistIdentifiers, Status: 429, RetryAfter: "1"})

	start := time.Now()
	_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t))
	elapsed := time.Since(start)

	clientCheckNoError(t, `ListBlocklistIdentifiers() after 429 with Retry-After "1"`, err)
	if elapsed < time.Second {
		t.Errorf(`ListBlocklistIdentifiers() after 429 with Retry-After "1" took %v, want at least 1s`, elapsed)
	}
	if got := f.Requests(clerkfake.OperationListBlocklistIdentifiers); got != 2 {
		t.Errorf(`ListBlocklistIdentifiers() after 429 with Retry-After "1" sent %d requests, want 2`, got)
	}
}

func TestClientRetryAfterBeyondBudget(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		retryAfter string
	}{
		{name: "seconds", retryAfter: "3600"},
		{name: "HTTP date in the future", retryAfter: time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The call's budget is 2 seconds, so an hour's wait is not worth
			// starting: the client returns the 429 at once.
			f := clientStartFake(t)
			f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationCreateBlocklistIdentifier, Status: 429, RetryAfter: tt.retryAfter})

			call := fmt.Sprintf("CreateBlocklistIdentifier(%q) after 429 with Retry-After %q", "mallory@example.com", tt.retryAfter)
			_, err := f.client.CreateBlocklistIdentifier(clientCallContext(t), "mallory@example.com")
			got := clientAsSDKError(t, call, err)
			if got.StatusCode != http.StatusTooManyRequests {
				t.Errorf("%s error StatusCode = %d, want 429", call, got.StatusCode)
			}
			if got.Attempts != 1 {
				t.Errorf("%s error Attempts = %d, want 1", call, got.Attempts)
			}
			if got := f.Requests(clerkfake.OperationCreateBlocklistIdentifier); got != 1 {
				t.Errorf("%s sent %d requests, want 1", call, got)
			}
		})
	}
}

func TestClientRetriesExhaustedCountsAttempts(t *testing.T) {
	t.Parallel()
	// The 400 ms budget leaves room for a second attempt on a loaded
	// machine, and 1000 faults are more than it can use, so every attempt
	// fails.
	f := clientStartFake(t, wrapper.WithRetryConfig(clientFastRetry(400*time.Millisecond)))
	f.failNext(t, 1000, clerkfake.Fault{OperationID: clerkfake.OperationDeleteAllowlistIdentifier, Status: 503})

	_, err := f.client.DeleteAllowlistIdentifier(clientCallContext(t), "alid_1")
	got := clientAsSDKError(t, `DeleteAllowlistIdentifier("alid_1")`, err)

	requests := f.Requests(clerkfake.OperationDeleteAllowlistIdentifier)
	if requests < 2 {
		t.Errorf(`DeleteAllowlistIdentifier("alid_1") against 503s sent %d requests, want 2 or more`, requests)
	}
	if got.Attempts != requests {
		t.Errorf(`DeleteAllowlistIdentifier("alid_1") error Attempts = %d, want %d, the requests the server saw`, got.Attempts, requests)
	}
	if want := fmt.Sprintf("after %d attempts", requests); !strings.Contains(err.Error(), want) {
		t.Errorf(`DeleteAllowlistIdentifier("alid_1") error = %q, want it to contain %q`, err, want)
	}
}

func TestClientDoesNotRetryClientErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		operation clientOperation
		status    int
	}{
		{name: "CreateAllowlistIdentifier 400", operation: clientOpCreateAllowlist, status: 400},
		{name: "ListAllowlistIdentifiers 401", operation: clientOpListAllowlist, status: 401},
		{name: "ListBlocklistIdentifiers 402", operation: clientOpListBlocklist, status: 402},
		{name: "DeleteBlocklistIdentifier 404", operation: clientOpDeleteBlocklist, status: 404},
		{name: "CreateBlocklistIdentifier 409", operation: clientOpCreateBlocklist, status: 409},
		{name: "CreateAllowlistIdentifier 422", operation: clientOpCreateAllowlist, status: 422},
		{name: "DeleteAllowlistIdentifier 501", operation: clientOpDeleteAllowlist, status: 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t)
			f.failNext(t, 5, clerkfake.Fault{OperationID: tt.operation.operationID, Status: tt.status})

			call := fmt.Sprintf("%s(%q) after %d", tt.operation.operationID, tt.operation.target, tt.status)
			err := tt.operation.call(clientCallContext(t), f.client, tt.operation.target)
			if err == nil {
				t.Fatalf("%s error = nil, want the %d", call, tt.status)
			}
			clientCheckNoSecret(t, call, err)
			if got := clientAttempts(err); got != 1 {
				t.Errorf("%s error Attempts = %d, want 1 (error %v)", call, got, err)
			}
			if got := f.Requests(tt.operation.operationID); got != 1 {
				t.Errorf("%s sent %d requests, want 1", call, got)
			}
		})
	}
}

func TestClientRetriesDialFailure(t *testing.T) {
	t.Parallel()
	baseURL := clientClosedBaseURL(t)

	for _, op := range clientAllOperations {
		t.Run(op.operationID, func(t *testing.T) {
			t.Parallel()
			client, _ := clientNewClient(t, baseURL, clientSecretKey, wrapper.WithRetryConfig(clientFastRetry(400*time.Millisecond)))

			call := fmt.Sprintf("%s(%q) to a closed port", op.operationID, op.target)
			err := op.call(clientCallContext(t), client, op.target)
			got := clientAsAttemptsError(t, call, err)

			if got.Operation != op.operationID {
				t.Errorf("%s error Operation = %q, want %q", call, got.Operation, op.operationID)
			}
			if got.Attempts < 2 {
				t.Errorf("%s error Attempts = %d, want 2 or more", call, got.Attempts)
			}
			var opErr *net.OpError
			if !errors.As(err, &opErr) || opErr.Op != "dial" {
				t.Errorf("%s error = %v, want a *net.OpError from dial", call, err)
			}
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("%s error = %v, want errors.Is ECONNREFUSED", call, err)
			}
		})
	}

	t.Run("RetryConnectionErrors off", func(t *testing.T) {
		t.Parallel()
		retry := clientFastRetry(100 * time.Millisecond)
		retry.RetryConnectionErrors = false
		client, _ := clientNewClient(t, baseURL, clientSecretKey, wrapper.WithRetryConfig(retry))

		err := clientOpCreateAllowlist.call(clientCallContext(t), client, "ada@example.com")
		got := clientAsAttemptsError(t, `CreateAllowlistIdentifier("ada@example.com") to a closed port`, err)
		if got.Attempts != 1 {
			t.Errorf(`CreateAllowlistIdentifier("ada@example.com") to a closed port error Attempts = %d, want 1`, got.Attempts)
		}
	})
}

func TestClientReplaysPostBody(t *testing.T) {
	t.Parallel()

	tests := []struct {
		operation clientOperation
		wantBody  map[string]any
	}{
		{operation: clientOpCreateAllowlist, wantBody: map[string]any{"identifier": "ada@example.com", "notify": false}},
		{operation: clientOpCreateBlocklist, wantBody: map[string]any{"identifier": "mallory@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.operation.operationID, func(t *testing.T) {
			t.Parallel()
			failure := string(clientClerkErrorsBody(t, []wrapper.ClerkError{{Code: "service_unavailable", Message: "unavailable", LongMessage: "unavailable"}}, nil, ""))
			server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
				switch number {
				case 1:
					clientWriteResponse(w, http.StatusServiceUnavailable, "application/json", failure)
				case 2:
					w.Header().Set("Retry-After", "0")
					clientWriteResponse(w, http.StatusTooManyRequests, "application/json", failure)
				default:
					clientWriteResponse(w, http.StatusOK, "application/json", tt.operation.successBody)
				}
			})
			client, _ := clientNewClient(t, server.url, clientSecretKey)

			call := fmt.Sprintf("%s(%q)", tt.operation.operationID, tt.operation.target)
			clientCheckNoError(t, call, tt.operation.call(clientCallContext(t), client, tt.operation.target))

			requests := server.recorded()
			if len(requests) != 3 {
				t.Fatalf("%s sent %d requests, want 3", call, len(requests))
			}
			var first map[string]any
			if err := json.Unmarshal(requests[0].body, &first); err != nil {
				t.Fatalf("%s first body %q does not decode: %v", call, requests[0].body, err)
			}
			if !reflect.DeepEqual(first, tt.wantBody) {
				t.Errorf("%s first body = %v, want %v", call, first, tt.wantBody)
			}
			for i, request := range requests {
				if string(request.body) != string(requests[0].body) {
					t.Errorf("%s attempt %d body = %q, want %q, the first attempt's", call, i+1, request.body, requests[0].body)
				}
				if request.contentLength != int64(len(requests[0].body)) {
					t.Errorf("%s attempt %d Content-Length = %d, want %d", call, i+1, request.contentLength, len(requests[0].body))
				}
				if request.method != http.MethodPost || request.path != tt.operation.path {
					t.Errorf("%s attempt %d = %s %s, want POST %s", call, i+1, request.method, request.path, tt.operation.path)
				}
				if request.contentType != "application/json" {
					t.Errorf("%s attempt %d Content-Type = %q, want application/json", call, i+1, request.contentType)
				}
			}
		})
	}
}

// clientCancelHandler is a slog.Handler that cancels a context at the first
// record. The client logs a record after a failed attempt and before it
// waits, so the cancel lands during the wait.
type clientCancelHandler struct {
	cancel  context.CancelFunc
	records *atomic.Int32
}

func (h clientCancelHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h clientCancelHandler) Handle(context.Context, slog.Record) error {
	h.records.Add(1)
	h.cancel()
	return nil
}

func (h clientCancelHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h clientCancelHandler) WithGroup(string) slog.Handler { return h }

func TestClientCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(clientCallContext(t))
	defer cancel()
	records := &atomic.Int32{}

	// A 20-second wait fits the 30-second call deadline, so the client logs
	// and starts waiting. If the cancel did not end the wait, the second
	// attempt would succeed after 20 seconds and the test would fail.
	retry := clientSlowRetry()
	retry.Backoff.InitialInterval = 20 * time.Second
	f := clientStartFake(t,
		wrapper.WithRetryConfig(retry),
		wrapper.WithLogger(slog.New(clientCancelHandler{cancel: cancel, records: records})),
	)
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListAllowlistIdentifiers, Status: http.StatusServiceUnavailable})

	_, err := f.client.ListAllowlistIdentifiers(ctx, nil)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("ListAllowlistIdentifiers(nil) canceled during backoff error = %v, want errors.Is context.Canceled", err)
	}
	got := clientAsSDKError(t, "ListAllowlistIdentifiers(nil) canceled during backoff", err)
	if got.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("ListAllowlistIdentifiers(nil) canceled during backoff error StatusCode = %d, want 503", got.StatusCode)
	}
	if got.Attempts != 1 {
		t.Errorf("ListAllowlistIdentifiers(nil) canceled during backoff error Attempts = %d, want 1", got.Attempts)
	}
	if got := records.Load(); got != 1 {
		t.Errorf("ListAllowlistIdentifiers(nil) canceled during backoff logged %d records, want 1", got)
	}
	if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != 1 {
		t.Errorf("ListAllowlistIdentifiers(nil) canceled during backoff sent %d requests, want 1", got)
	}
}

func TestClientCancelDuringRetryAttempt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(clientCallContext(t))
	defer cancel()

	failure := string(clientClerkErrorsBody(t, []wrapper.ClerkError{{Code: "service_unavailable", Message: "unavailable", LongMessage: "unavailable"}}, nil, ""))
	server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
		if number == 1 {
			clientWriteResponse(w, http.StatusServiceUnavailable, "application/json", failure)
			return
		}
		// The second attempt cancels the call, then delays the response until
		// the client has gone away, or at most 10 seconds.
		cancel()
		timer := time.NewTimer(10 * time.Second)
		defer timer.Stop()
		select {
		case <-r.Context().Done():
		case <-timer.C:
			t.Errorf("attempt %d: client did not close the request within 10s of the cancel", number)
		}
	})
	client, _ := clientNewClient(t, server.url, clientSecretKey)

	_, err := client.CreateBlocklistIdentifier(ctx, "mallory@example.com")

	call := `CreateBlocklistIdentifier("mallory@example.com") canceled during attempt 2`
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s error = %v, want errors.Is context.Canceled", call, err)
	}
	got := clientAsSDKError(t, call, err)
	if got.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%s error StatusCode = %d, want 503", call, got.StatusCode)
	}
	if got.Attempts != 2 {
		t.Errorf("%s error Attempts = %d, want 2", call, got.Attempts)
	}
	if got := len(server.recorded()); got != 2 {
		t.Errorf("%s sent %d requests, want 2", call, got)
	}
}

func TestClientCanceledBeforeCall(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	for _, op := range clientAllOperations {
		call := fmt.Sprintf("%s(%q) with a canceled context", op.operationID, op.target)
		err := op.call(ctx, f.client, op.target)
		clientCheckNoSecret(t, call, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s error = %v, want errors.Is context.Canceled", call, err)
		}
		if got := f.Requests(op.operationID); got != 0 {
			t.Errorf("%s sent %d requests, want 0", call, got)
		}
	}
}

func TestClientCallRetryOverride(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name         string
		clientRetry  wrapper.RetryConfig
		callOptions  []wrapper.CallOption
		wantSuccess  bool
		wantRequests int
	}{
		{name: "client backoff without option", clientRetry: clientFastRetry(2 * time.Second),
			wantSuccess: true, wantRequests: 4},
		{name: "client backoff with WithoutRetries", clientRetry: clientFastRetry(2 * time.Second),
			callOptions: []wrapper.CallOption{wrapper.WithoutRetries()}, wantSuccess: false, wantRequests: 1},
		{name: "client backoff with WithRetries of strategy none", clientRetry: clientFastRetry(2 * time.Second),
			callOptions: []wrapper.CallOption{wrapper.WithRetries(clientNoRetry())}, wantSuccess: false, wantRequests: 1},
		{name: "client none without option", clientRetry: clientNoRetry(),
			wantSuccess: false, wantRequests: 1},
		{name: "client none with WithRetries", clientRetry: clientNoRetry(),
			callOptions: []wrapper.CallOption{wrapper.WithRetries(clientFastRetry(2 * time.Second))}, wantSuccess: true, wantRequests: 4},
		// The client's one-minute schedule cannot finish within the call
		// deadline, so success proves that the call's schedule was used.
		{name: "client slow backoff with WithRetries fast", clientRetry: clientSlowRetry(),
			callOptions: []wrapper.CallOption{wrapper.WithRetries(clientFastRetry(2 * time.Second))}, wantSuccess: true, wantRequests: 4},
		{name: "WithoutRetries then WithRetries", clientRetry: clientNoRetry(),
			callOptions: []wrapper.CallOption{wrapper.WithoutRetries(), wrapper.WithRetries(clientFastRetry(2 * time.Second))}, wantSuccess: true, wantRequests: 4},
		{name: "WithRetries then WithoutRetries", clientRetry: clientNoRetry(),
			callOptions: []wrapper.CallOption{wrapper.WithRetries(clientFastRetry(2 * time.Second)), wrapper.WithoutRetries()}, wantSuccess: false, wantRequests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t, wrapper.WithRetryConfig(tt.clientRetry))
			f.failNext(t, 3, clerkfake.Fault{OperationID: clerkfake.OperationCreateAllowlistIdentifier, Status: http.StatusServiceUnavailable})

			call := fmt.Sprintf(`CreateAllowlistIdentifier("ada@example.com") after three 503s, %s`, tt.name)
			_, err := f.client.CreateAllowlistIdentifier(clientCallContext(t), "ada@example.com", false, tt.callOptions...)
			if tt.wantSuccess {
				clientCheckNoError(t, call, err)
			} else {
				got := clientAsSDKError(t, call, err)
				if got.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("%s error StatusCode = %d, want 503", call, got.StatusCode)
				}
				if got.Attempts != tt.wantRequests {
					t.Errorf("%s error Attempts = %d, want %d", call, got.Attempts, tt.wantRequests)
				}
			}
			if got := f.Requests(clerkfake.OperationCreateAllowlistIdentifier); got != tt.wantRequests {
				t.Errorf("%s sent %d requests, want %d", call, got, tt.wantRequests)
			}
		})
	}
}
