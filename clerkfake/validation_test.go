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
			name: "wrong content type", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "text/plain",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has unexpected value "text/plain"`,
		},
		{
			name: "notify null", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com","notify":null}`, wantMessage: `"/notify": Value is not nullable`, wantParam: "notify",
		},
		{
			name: "identifier null", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{"identifier":null}`, wantMessage: `"/identifier": Value is not nullable`, wantParam: "identifier",
		},
		{
			name: "garbage after body on allow-list", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com"} garbage`, wantMessage: "request body contains data after the JSON value at byte offset 33",
		},
		{
			name: "garbage after body on block-list", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{"identifier":"ada@example.com"} garbage`, wantMessage: "request body contains data after the JSON value at byte offset 33",
		},
		{
			name: "comma after body", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com"},`, wantMessage: "request body contains data after the JSON value at byte offset 32",
		},
		{
			name: "two objects on allow-list", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com"}{"identifier":"bob@example.com"}`, wantMessage: "request body contains a second JSON value at byte offset 32",
		},
		{
			name: "two objects on block-list", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{"identifier":"ada@example.com"}{"identifier":"bob@example.com"}`, wantMessage: "request body contains a second JSON value at byte offset 32",
		},
		{
			name: "two objects on separate lines", method: http.MethodPost, path: "/allowlist_identifiers",
			body: "{\"identifier\":\"ada@example.com\"}\n{\"identifier\":\"bob@example.com\"}\n", wantMessage: "request body contains a second JSON value at byte offset 33",
		},
		{
			name: "charset iso-8859-1 on allow-list", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "application/json; charset=iso-8859-1",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has unsupported charset "iso-8859-1"`,
		},
		{
			name: "charset iso-8859-1 on block-list", method: http.MethodPost, path: "/blocklist_identifiers", contentType: "application/json; charset=iso-8859-1",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has unsupported charset "iso-8859-1"`,
		},
		{
			name: "charset utf-16", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "application/json; charset=UTF-16",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has unsupported charset "UTF-16"`,
		},
		{
			name: "charset without value", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "application/json; charset",
			body: `{"identifier":"ada@example.com"}`, wantMessage: `header Content-Type has invalid value "application/json; charset"`,
		},
		{
			name: "invalid UTF-8 on allow-list", method: http.MethodPost, path: "/allowlist_identifiers",
			body: "{\"identifier\":\"ada\xff@example.com\"}", wantMessage: "request body is not valid UTF-8: byte 0xff at byte offset 18",
		},
		{
			name: "invalid UTF-8 on block-list", method: http.MethodPost, path: "/blocklist_identifiers",
			body: "{\"identifier\":\"ada\xff@example.com\"}", wantMessage: "request body is not valid UTF-8: byte 0xff at byte offset 18",
		},
		{
			name: "Latin-1 byte with charset utf-8", method: http.MethodPost, path: "/allowlist_identifiers", contentType: "application/json; charset=utf-8",
			body: "{\"identifier\":\"zo\xeb@example.com\"}", wantMessage: "request body is not valid UTF-8: byte 0xeb at byte offset 17",
		},
		{
			name: "truncated UTF-8 sequence", method: http.MethodPost, path: "/blocklist_identifiers",
			body: "{\"identifier\":\"ada@example.com\xe2\x82\"}", wantMessage: "request body is not valid UTF-8: byte 0xe2 at byte offset 30",
		},
		{
			name: "UTF-8 encoded surrogate", method: http.MethodPost, path: "/allowlist_identifiers",
			body: "{\"identifier\":\"ada\xed\xa0\x80@example.com\"}", wantMessage: "request body is not valid UTF-8: byte 0xed at byte offset 18",
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

func TestCreateAcceptsJSONText(t *testing.T) {
	tests := []struct {
		name           string
		contentType    string // "" keeps the default, application/json
		body           string
		wantIdentifier string
	}{
		{name: "trailing newline", body: "{\"identifier\":\"ada@example.com\"}\n", wantIdentifier: "ada@example.com"},
		{name: "surrounding whitespace", body: " \t\r\n{\"identifier\":\"bob@example.com\"} \t\r\n", wantIdentifier: "bob@example.com"},
		{name: "charset utf-8", contentType: "application/json; charset=utf-8", body: `{"identifier":"carol@example.com"}`, wantIdentifier: "carol@example.com"},
		{name: "charset UTF-8 quoted", contentType: `application/json;charset="UTF-8"`, body: `{"identifier":"dave@example.com"}`, wantIdentifier: "dave@example.com"},
		{name: "non-ASCII UTF-8", body: `{"identifier":"zoë@example.com"}`, wantIdentifier: "zoë@example.com"},
		{name: "escaped non-ASCII", body: `{"identifier":"zo\u00eb@example.org"}`, wantIdentifier: "zoë@example.org"},
	}

	f := startFake(t)
	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				r := f.do(http.MethodPost, path, tt.body, func(req *http.Request) {
					if tt.contentType != "" {
						req.Header.Set("Content-Type", tt.contentType)
					}
				})
				if r.status != http.StatusOK {
					t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
				}
				if got := decode[identifier](t, r).Identifier; got != tt.wantIdentifier {
					t.Errorf("identifier = %q, want %q", got, tt.wantIdentifier)
				}
			})
		}
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
