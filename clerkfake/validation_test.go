package clerkfake_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
)

func TestRequestBreaksSpec(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string // "" keeps the default, application/json for a body
		body        string
		wantMessage string // a substring of the message that names the violation
		wantParam   string // meta.param_name, or "" for none
	}{
		{
			name: "unknown body property", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com","role":"admin"}`, wantMessage: `property "role" is unsupported`,
		},
		{
			name: "notify on block-list", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{"identifier":"ada@example.com","notify":true}`, wantMessage: `property "notify" is unsupported`,
		},
		{
			name: "identifier not a string", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":123}`, wantMessage: `"/identifier": value must be a string`, wantParam: "identifier",
		},
		{
			name: "notify not a boolean", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com","notify":"yes"}`, wantMessage: `"/notify": value must be a boolean`, wantParam: "notify",
		},
		{
			name: "identifier missing", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{}`, wantMessage: `property "identifier" is missing`, wantParam: "identifier",
		},
		{
			name: "body not an object", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `["ada@example.com"]`, wantMessage: "value must be an object",
		},
		{
			name: "body not JSON", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `identifier=ada@example.com`, wantMessage: "failed to decode request body",
		},
		{
			name: "body missing", method: http.MethodPost, path: "/blocklist_identifiers",
			wantMessage: "request body has an error: value is required but missing",
		},
		{
			name: "wrong content type", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "text/plain",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has unexpected value "text/plain"`,
		},
		{
			name: "limit above maximum", method: http.MethodGet, path: "/allowlist_identifiers?limit=1000",
			wantMessage: `parameter "limit" in query has an error: number must be at most 500`, wantParam: "limit",
		},
		{
			name: "limit zero", method: http.MethodGet, path: "/allowlist_identifiers?limit=0",
			wantMessage: `parameter "limit" in query has an error: number must be at least 1`, wantParam: "limit",
		},
		{
			name: "limit not a number", method: http.MethodGet, path: "/allowlist_identifiers?paginated=true&limit=ten",
			wantMessage: `parameter "limit" in query has an error`, wantParam: "limit",
		},
		{
			name: "negative offset", method: http.MethodGet, path: "/allowlist_identifiers?offset=-1",
			wantMessage: `parameter "offset" in query has an error: number must be at least 0`, wantParam: "offset",
		},
		{
			name: "paginated not a boolean", method: http.MethodGet, path: "/allowlist_identifiers?paginated=maybe",
			wantMessage: `parameter "paginated" in query has an error`, wantParam: "paginated",
		},
	}

	f := startFake(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.method, tt.path, tt.body, func(req *http.Request) {
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
			})

			body := checkClerkError(t, r, http.StatusBadRequest, "request_invalid")
			if len(body.Errors) != 1 {
				return
			}
			if got := body.Errors[0].Message; !strings.Contains(got, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", got, tt.wantMessage)
			}
			if got, _ := body.Errors[0].Meta["param_name"].(string); got != tt.wantParam {
				t.Errorf("meta.param_name = %q, want %q", got, tt.wantParam)
			}
		})
	}

	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		if got := listIdentifiers(t, f, path); len(got) != 0 {
			t.Errorf("GET %s = %d entries after invalid requests, want 0", path, len(got))
		}
	}
}

func TestRequestBodyTooLarge(t *testing.T) {
	f := startFake(t)

	// Valid JSON padded with spaces past the 1 MiB cap.
	body := `{"identifier":"ada@example.com"}` + strings.Repeat(" ", 1<<20)
	r := f.do(http.MethodPost, "/allowlist_identifiers", body, nil)
	checkClerkError(t, r, http.StatusRequestEntityTooLarge, "request_body_too_large")
}

func TestContentTypeWithCharset(t *testing.T) {
	f := startFake(t)

	r := f.do(http.MethodPost, "/allowlist_identifiers", `{"identifier":"ada@example.com"}`, func(req *http.Request) {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	})
	if r.status != http.StatusOK {
		t.Errorf("status = %d, want 200 (body %s)", r.status, r.body)
	}
}

func TestUnknownPathOrMethod(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		url        string // relative to the server root, not to URL()
		wantStatus int
		wantCode   string
		wantAllow  string
	}{
		{name: "other resource", method: http.MethodGet, url: "/v1/users", wantStatus: http.StatusNotFound, wantCode: "resource_not_found"},
		{name: "root", method: http.MethodGet, url: "/", wantStatus: http.StatusNotFound, wantCode: "resource_not_found"},
		{name: "missing base path", method: http.MethodGet, url: "/allowlist_identifiers", wantStatus: http.StatusNotFound, wantCode: "resource_not_found"},
		{name: "trailing slash", method: http.MethodGet, url: "/v1/allowlist_identifiers/", wantStatus: http.StatusNotFound, wantCode: "resource_not_found"},
		{name: "extra segment", method: http.MethodDelete, url: "/v1/blocklist_identifiers/blid_x/y", wantStatus: http.StatusNotFound, wantCode: "resource_not_found"},
		{name: "put on list", method: http.MethodPut, url: "/v1/allowlist_identifiers", wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantAllow: "GET, POST"},
		{name: "delete without ID", method: http.MethodDelete, url: "/v1/blocklist_identifiers", wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantAllow: "GET, POST"},
		{name: "get on entry", method: http.MethodGet, url: "/v1/allowlist_identifiers/alid_x", wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantAllow: "DELETE"},
		{name: "patch on entry", method: http.MethodPatch, url: "/v1/blocklist_identifiers/blid_x", wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantAllow: "DELETE"},
	}

	f := startFake(t)
	root := strings.TrimSuffix(f.URL(), "/v1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, f.client, root+tt.url, f.SecretKey(), tt.method, "", nil)
			checkClerkError(t, r, tt.wantStatus, tt.wantCode)
			if got := r.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}

	for _, operationID := range []string{
		clerkfake.OperationListAllowlistIdentifiers,
		clerkfake.OperationCreateAllowlistIdentifier,
		clerkfake.OperationDeleteAllowlistIdentifier,
		clerkfake.OperationListBlocklistIdentifiers,
		clerkfake.OperationCreateBlocklistIdentifier,
		clerkfake.OperationDeleteBlocklistIdentifier,
	} {
		if got := f.Requests(operationID); got != 0 {
			t.Errorf("Requests(%s) = %d, want 0 after unrouted requests", operationID, got)
		}
	}
}

func TestTraceIDsAreFresh(t *testing.T) {
	f := startFake(t)

	seen := make(map[string]bool)
	for range 5 {
		r := f.do(http.MethodDelete, "/allowlist_identifiers/alid_unknown", "", nil)
		body := checkClerkError(t, r, http.StatusNotFound, "resource_not_found")
		if seen[body.ClerkTraceID] {
			t.Errorf("clerk_trace_id %q repeated", body.ClerkTraceID)
		}
		seen[body.ClerkTraceID] = true
	}
}
