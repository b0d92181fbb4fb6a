package clerkfake_test

import (
	"net/http"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
)

func TestFailNext(t *testing.T) {
	tests := []struct {
		name            string
		n               int
		fault           clerkfake.Fault
		wantContentType string
		wantBody        string // "" checks for the default ClerkErrors body, unless wantEmptyBody
		wantEmptyBody   bool
		wantCode        string // code of the default body
	}{
		{
			name: "service unavailable", n: 2,
			fault:           clerkfake.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1"},
			wantContentType: "application/json", wantCode: "service_unavailable",
		},
		{
			name: "rate limit with HTTP date", n: 1,
			fault:           clerkfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"},
			wantContentType: "application/json", wantCode: "too_many_requests",
		},
		{
			name: "internal server error without Retry-After", n: 3,
			fault:           clerkfake.Fault{Status: http.StatusInternalServerError},
			wantContentType: "application/json", wantCode: "internal_server_error",
		},
		{
			name: "custom body", n: 1,
			fault:           clerkfake.Fault{Status: http.StatusBadGateway, ContentType: "text/html", Body: []byte("<h1>502 Bad Gateway</h1>")},
			wantContentType: "text/html", wantBody: "<h1>502 Bad Gateway</h1>",
		},
		{
			name: "custom body without content type", n: 1,
			fault:           clerkfake.Fault{Status: http.StatusServiceUnavailable, Body: []byte(`{"unexpected":true}`)},
			wantContentType: "application/json", wantBody: `{"unexpected":true}`,
		},
		{
			name: "empty body", n: 1,
			fault:         clerkfake.Fault{Status: http.StatusBadGateway, Body: []byte{}},
			wantEmptyBody: true,
		},
		{
			name: "success status with malformed body", n: 1,
			fault:           clerkfake.Fault{Status: http.StatusOK, Body: []byte(`[{"object":`)},
			wantContentType: "application/json", wantBody: `[{"object":`,
		},
		{
			name: "success status without body", n: 1,
			fault:         clerkfake.Fault{Status: http.StatusOK},
			wantEmptyBody: true,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t)
			if err := f.FailNext(tt.n, tt.fault); err != nil {
				t.Fatalf("FailNext(%d, %+v) error = %v", tt.n, tt.fault, err)
			}

			for attempt := 1; attempt <= tt.n; attempt++ {
				r := f.do(http.MethodGet, "/allowlist_identifiers", "", nil)
				if r.status != tt.fault.Status {
					t.Errorf("attempt %d: status = %d, want %d", attempt, r.status, tt.fault.Status)
				}
				if got := r.header.Get("Retry-After"); got != tt.fault.RetryAfter {
					t.Errorf("attempt %d: Retry-After = %q, want %q", attempt, got, tt.fault.RetryAfter)
				}
				if got := r.header.Get("Clerk-Trace-Id"); got == "" {
					t.Errorf("attempt %d: Clerk-Trace-Id header is missing", attempt)
				}

				switch {
				case tt.wantEmptyBody:
					if len(r.body) != 0 {
						t.Errorf("attempt %d: body = %q, want empty", attempt, r.body)
					}
				case tt.wantBody != "":
					if got := string(r.body); got != tt.wantBody {
						t.Errorf("attempt %d: body = %q, want %q", attempt, got, tt.wantBody)
					}
					if got := r.header.Get("Content-Type"); got != tt.wantContentType {
						t.Errorf("attempt %d: Content-Type = %q, want %q", attempt, got, tt.wantContentType)
					}
				default:
					checkClerkError(t, r, tt.fault.Status, tt.wantCode)
				}
			}

			r := f.do(http.MethodGet, "/allowlist_identifiers", "", nil)
			if r.status != http.StatusOK {
				t.Errorf("request after %d faults: status = %d, want 200 (body %s)", tt.n, r.status, r.body)
			}
			if got := r.header.Get("Retry-After"); got != "" {
				t.Errorf("request after %d faults: Retry-After = %q, want none", tt.n, got)
			}
			if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != tt.n+1 {
				t.Errorf("Requests(%s) = %d, want %d", clerkfake.OperationListAllowlistIdentifiers, got, tt.n+1)
			}
		})
	}
}

func TestFailNextOperation(t *testing.T) {
	f := startFake(t)
	fault := clerkfake.Fault{
		OperationID: clerkfake.OperationCreateAllowlistIdentifier,
		Status:      http.StatusServiceUnavailable,
		RetryAfter:  "2",
	}
	if err := f.FailNext(2, fault); err != nil {
		t.Fatalf("FailNext() error = %v", err)
	}

	// Other operations are served while the fault waits.
	if r := f.do(http.MethodGet, "/allowlist_identifiers", "", nil); r.status != http.StatusOK {
		t.Errorf("GET /allowlist_identifiers status = %d, want 200", r.status)
	}
	if r := f.do(http.MethodPost, "/blocklist_identifiers", `{"identifier":"eve@example.com"}`, nil); r.status != http.StatusOK {
		t.Errorf("POST /blocklist_identifiers status = %d, want 200", r.status)
	}

	for attempt := 1; attempt <= 2; attempt++ {
		r := f.do(http.MethodPost, "/allowlist_identifiers", `{"identifier":"ada@example.com"}`, nil)
		checkClerkError(t, r, http.StatusServiceUnavailable, "service_unavailable")
		if got := r.header.Get("Retry-After"); got != "2" {
			t.Errorf("attempt %d: Retry-After = %q, want 2", attempt, got)
		}
	}
	f.create("/allowlist_identifiers", "ada@example.com")

	wantRequests := map[string]int{
		clerkfake.OperationListAllowlistIdentifiers:  1,
		clerkfake.OperationCreateAllowlistIdentifier: 3,
		clerkfake.OperationCreateBlocklistIdentifier: 1,
		clerkfake.OperationDeleteAllowlistIdentifier: 0,
	}
	for operationID, want := range wantRequests {
		if got := f.Requests(operationID); got != want {
			t.Errorf("Requests(%s) = %d, want %d", operationID, got, want)
		}
	}
	if got := f.Requests("NoSuchOperation"); got != 0 {
		t.Errorf("Requests(NoSuchOperation) = %d, want 0", got)
	}
}

func TestFailNextQueueOrder(t *testing.T) {
	f := startFake(t)
	if err := f.FailNext(1, clerkfake.Fault{Status: http.StatusInternalServerError}); err != nil {
		t.Fatalf("FailNext(1, 500) error = %v", err)
	}
	if err := f.FailNext(2, clerkfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3"}); err != nil {
		t.Fatalf("FailNext(2, 429) error = %v", err)
	}

	want := []int{http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusOK}
	for i, wantStatus := range want {
		r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil)
		if r.status != wantStatus {
			t.Errorf("request %d: status = %d, want %d", i+1, r.status, wantStatus)
		}
	}
}

func TestFaultBeforeAuthentication(t *testing.T) {
	f := startFake(t)
	if err := f.FailNext(1, clerkfake.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatalf("FailNext() error = %v", err)
	}

	// A fault stands for a failure in front of Clerk, so it comes before the
	// key check.
	r := f.do(http.MethodGet, "/blocklist_identifiers", "", func(req *http.Request) {
		req.Header.Del("Authorization")
	})
	checkClerkError(t, r, http.StatusServiceUnavailable, "service_unavailable")
}

func TestFaultSkipsUnknownPaths(t *testing.T) {
	f := startFake(t)
	if err := f.FailNext(1, clerkfake.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatalf("FailNext() error = %v", err)
	}

	r := f.do(http.MethodGet, "/users", "", nil)
	checkClerkError(t, r, http.StatusNotFound, "resource_not_found")

	r = f.do(http.MethodGet, "/blocklist_identifiers", "", nil)
	checkClerkError(t, r, http.StatusServiceUnavailable, "service_unavailable")
}

func TestFailNextCopiesBody(t *testing.T) {
	f := startFake(t)
	body := []byte("original")
	if err := f.FailNext(1, clerkfake.Fault{Status: http.StatusBadGateway, ContentType: "text/plain", Body: body}); err != nil {
		t.Fatalf("FailNext() error = %v", err)
	}
	copy(body, "modified")

	r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil)
	if got := string(r.body); got != "original" {
		t.Errorf("body = %q, want original", got)
	}
}

func TestFailNextInvalid(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		fault clerkfake.Fault
	}{
		{name: "zero count", n: 0, fault: clerkfake.Fault{Status: http.StatusServiceUnavailable}},
		{name: "negative count", n: -1, fault: clerkfake.Fault{Status: http.StatusServiceUnavailable}},
		{name: "zero status", n: 1, fault: clerkfake.Fault{}},
		{name: "informational status", n: 1, fault: clerkfake.Fault{Status: http.StatusContinue}},
		{name: "status above 599", n: 1, fault: clerkfake.Fault{Status: 600}},
		{name: "unknown operation ID", n: 1, fault: clerkfake.Fault{OperationID: "ListUsers", Status: http.StatusServiceUnavailable}},
		{name: "line break in Retry-After", n: 1, fault: clerkfake.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1\r\nSet-Cookie: a=b"}},
		{name: "line break in content type", n: 1, fault: clerkfake.Fault{Status: http.StatusServiceUnavailable, ContentType: "text/plain\n"}},
		{name: "body with 204", n: 1, fault: clerkfake.Fault{Status: http.StatusNoContent, Body: []byte("x")}},
	}

	f := startFake(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.FailNext(tt.n, tt.fault); err == nil {
				t.Errorf("FailNext(%d, %+v) error = nil, want an error", tt.n, tt.fault)
			}
		})
	}

	// Rejected faults queue nothing.
	if r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil); r.status != http.StatusOK {
		t.Errorf("status after rejected faults = %d, want 200", r.status)
	}
}
