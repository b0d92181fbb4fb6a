package clerkfake_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
)

func TestAuthenticationFailure(t *testing.T) {
	const secretKey = "sk_test_authenticationfailure"
	const wrongKey = "sk_test_wrongkeywrongkey"

	headers := []struct {
		name          string
		authorization string // "" sends no Authorization header
		wantCode      string
	}{
		{name: "missing header", authorization: "", wantCode: "authorization_header_format_invalid"},
		{name: "key without scheme", authorization: secretKey, wantCode: "authorization_header_format_invalid"},
		{name: "basic scheme", authorization: "Basic " + secretKey, wantCode: "authorization_header_format_invalid"},
		{name: "bearer without key", authorization: "Bearer ", wantCode: "authorization_header_format_invalid"},
		{name: "wrong key", authorization: "Bearer " + wrongKey, wantCode: "clerk_key_invalid"},
		{name: "key with suffix", authorization: "Bearer " + secretKey + "x", wantCode: "clerk_key_invalid"},
		{name: "key prefix", authorization: "Bearer " + secretKey[:len(secretKey)-1], wantCode: "clerk_key_invalid"},
		{name: "default key", authorization: "Bearer " + clerkfake.DefaultSecretKey, wantCode: "clerk_key_invalid"},
	}
	operations := []struct {
		method string
		path   string
		body   string
	}{
		{method: http.MethodGet, path: "/allowlist_identifiers"},
		{method: http.MethodPost, path: "/allowlist_identifiers", body: `{"identifier":"ada@example.com"}`},
		{method: http.MethodDelete, path: "/allowlist_identifiers/alid_unknown"},
		{method: http.MethodGet, path: "/blocklist_identifiers"},
		{method: http.MethodPost, path: "/blocklist_identifiers", body: `{"identifier":"ada@example.com"}`},
		{method: http.MethodDelete, path: "/blocklist_identifiers/blid_unknown"},
		// A request that also breaks the spec gets the 401, not a 400.
		{method: http.MethodPost, path: "/allowlist_identifiers", body: `{"unknown":1}`},
		{method: http.MethodGet, path: "/allowlist_identifiers?limit=1000"},
	}

	f := startFake(t, clerkfake.WithSecretKey(secretKey))
	for _, h := range headers {
		for _, op := range operations {
			t.Run(h.name+"/"+op.method+" "+op.path, func(t *testing.T) {
				r := f.do(op.method, op.path, op.body, func(req *http.Request) {
					req.Header.Del("Authorization")
					if h.authorization != "" {
						req.Header.Set("Authorization", h.authorization)
					}
				})

				checkClerkError(t, r, http.StatusUnauthorized, h.wantCode)
				for _, key := range []string{secretKey, wrongKey} {
					if strings.Contains(string(r.body), key) {
						t.Errorf("body %s contains a key", r.body)
					}
					for name, values := range r.header {
						if strings.Contains(strings.Join(values, " "), key) {
							t.Errorf("header %s contains a key", name)
						}
					}
				}
			})
		}
	}

	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		if got := listIdentifiers(t, f, path); len(got) != 0 {
			t.Errorf("GET %s = %d entries after unauthenticated creates, want 0", path, len(got))
		}
	}
}

func TestAuthenticationSchemeCaseInsensitive(t *testing.T) {
	f := startFake(t)

	r := f.do(http.MethodGet, "/blocklist_identifiers", "", func(req *http.Request) {
		req.Header.Set("Authorization", "bearer "+f.SecretKey())
	})
	if r.status != http.StatusOK {
		t.Errorf("status = %d, want 200 (body %s)", r.status, r.body)
	}
}

func TestWithSecretKey(t *testing.T) {
	const secretKey = "sk_live_withsecretkey"
	f := startFake(t, clerkfake.WithSecretKey(secretKey))

	if got := f.SecretKey(); got != secretKey {
		t.Errorf("SecretKey() = %q, want %q", got, secretKey)
	}
	if r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil); r.status != http.StatusOK {
		t.Errorf("status with the configured key = %d, want 200 (body %s)", r.status, r.body)
	}
}

func TestDefaultSecretKey(t *testing.T) {
	f := startFake(t)

	if got := f.SecretKey(); got != clerkfake.DefaultSecretKey {
		t.Errorf("SecretKey() = %q, want %q", got, clerkfake.DefaultSecretKey)
	}
	if got := clerkfake.DefaultSecretKey; got != "sk_test_clerkfake" {
		t.Errorf("DefaultSecretKey = %q, want sk_test_clerkfake", got)
	}
}
