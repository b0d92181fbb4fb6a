package wrapper

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/clerklists/clerklists/gen"
)

// baseURLs are base URLs that normaliseBaseURL accepts, including forms
// whose resolution against an operation path is not plain concatenation.
var baseURLs = []string{
	"https://api.clerk.com/v1/",
	"http://127.0.0.1:4010/",
	"http://[::1]:8080/v1/",
	"https://api.clerk.com/a%2Fb/v1/",
	"https://api.clerk.com/caf%C3%A9/",
	"https://api.clerk.com/café/",
	"https://api.clerk.com//v1/",
	"https://api.clerk.com/v1/./",
	"https://api.clerk.com/v0/../v1/",
	"https://api.clerk.com/../",
	"https://api.clerk.com/.well-known/v1/",
	"https://api.clerk.com/v1/%2E%2E/",
	"https://api.clerk.com/a b/",
	"https://api.clerk.com/a|b/",
	"https://api.clerk.com/%7e/",
	"HTTPS://API.Clerk.com/V1/",
	"https://api.clerk.com/v1;x=1/",
}

// identifierIDs are identifier IDs that pass validateIdentifierID, with
// characters that must be escaped in a path segment.
var identifierIDs = []string{
	"alid_2ZkQ8b1xV0000000",
	"a/b",
	"a?b#c",
	"a b+c",
	"a%2Fb",
	"%",
	"a;b,c",
	"...",
	".a",
	"a/../b",
	"ü🙂",
	"a:b@c$&=!*'()",
	"\t\x01",
}

func boolPointer(b bool) *bool { return &b }
func intPointer(i int) *int    { return &i }

// TestNewRequestMatchesGenerated checks that newRequest builds the method,
// URL, headers and body that the generated request builders build, for
// every operation and every base URL above.
func TestNewRequestMatchesGenerated(t *testing.T) {
	body := []byte(`{"identifier":"user@example.com","notify":false}`)
	queries := []*gen.ListAllowlistIdentifiersParams{
		nil,
		{},
		{Limit: intPointer(10)},
		{Offset: intPointer(20)},
		{Paginated: boolPointer(true), Limit: intPointer(500), Offset: intPointer(1000)},
		{Paginated: boolPointer(false)},
	}

	type requestCase struct {
		name      string
		got       func(serverURL string) (*http.Request, error)
		generated func(serverURL string) (*http.Request, error)
	}
	var cases []requestCase
	for _, query := range queries {
		cases = append(cases, requestCase{
			name: "ListAllowlistIdentifiers " + listAllowlistPath(query),
			got: func(serverURL string) (*http.Request, error) {
				return newRequest(context.Background(), http.MethodGet, serverURL, listAllowlistPath(query), nil)
			},
			generated: func(serverURL string) (*http.Request, error) {
				return gen.NewListAllowlistIdentifiersRequest(serverURL, query)
			},
		})
	}
	cases = append(cases,
		requestCase{
			name: "CreateAllowlistIdentifier",
			got: func(serverURL string) (*http.Request, error) {
				return newRequest(context.Background(), http.MethodPost, serverURL, "allowlist_identifiers", body)
			},
			generated: func(serverURL string) (*http.Request, error) {
				return gen.NewCreateAllowlistIdentifierRequestWithBody(serverURL, "application/json", bytes.NewReader(body))
			},
		},
		requestCase{
			name: "ListBlocklistIdentifiers",
			got: func(serverURL string) (*http.Request, error) {
				return newRequest(context.Background(), http.MethodGet, serverURL, "blocklist_identifiers", nil)
			},
			generated: gen.NewListBlocklistIdentifiersRequest,
		},
		requestCase{
			name: "CreateBlocklistIdentifier",
			got: func(serverURL string) (*http.Request, error) {
				return newRequest(context.Background(), http.MethodPost, serverURL, "blocklist_identifiers", body)
			},
			generated: func(serverURL string) (*http.Request, error) {
				return gen.NewCreateBlocklistIdentifierRequestWithBody(serverURL, "application/json", bytes.NewReader(body))
			},
		},
	)
	for _, identifierID := range identifierIDs {
		cases = append(cases,
			requestCase{
				name: "DeleteAllowlistIdentifier " + identifierID,
				got: func(serverURL string) (*http.Request, error) {
					return newRequest(context.Background(), http.MethodDelete, serverURL, identifierPath("allowlist_identifiers", identifierID), nil)
				},
				generated: func(serverURL string) (*http.Request, error) {
					return gen.NewDeleteAllowlistIdentifierRequest(serverURL, identifierID)
				},
			},
			requestCase{
				name: "DeleteBlocklistIdentifier " + identifierID,
				got: func(serverURL string) (*http.Request, error) {
					return newRequest(context.Background(), http.MethodDelete, serverURL, identifierPath("blocklist_identifiers", identifierID), nil)
				},
				generated: func(serverURL string) (*http.Request, error) {
					return gen.NewDeleteBlocklistIdentifierRequest(serverURL, identifierID)
				},
			},
		)
	}

	for _, tc := range cases {
		for _, baseURL := range baseURLs {
			serverURL, err := normaliseBaseURL(baseURL)
			if err != nil {
				t.Fatalf("normaliseBaseURL(%q) failed: %v; the table must hold accepted base URLs", baseURL, err)
			}
			want, err := tc.generated(serverURL)
			if err != nil {
				t.Fatalf("%s: generated builder for %q failed: %v", tc.name, serverURL, err)
			}
			got, err := tc.got(serverURL)
			if err != nil {
				t.Errorf("%s: newRequest for %q failed: %v", tc.name, serverURL, err)
				continue
			}
			compareRequests(t, tc.name+" at "+serverURL, got, want)
		}
	}
}

func compareRequests(t *testing.T, name string, got, want *http.Request) {
	t.Helper()
	if got.Method != want.Method {
		t.Errorf("%s: method = %s, want %s", name, got.Method, want.Method)
	}
	if got.URL.String() != want.URL.String() {
		t.Errorf("%s: URL = %q, want %q", name, got.URL.String(), want.URL.String())
	}
	if got.URL.RequestURI() != want.URL.RequestURI() {
		t.Errorf("%s: request URI = %q, want %q", name, got.URL.RequestURI(), want.URL.RequestURI())
	}
	if got.Host != want.Host {
		t.Errorf("%s: Host = %q, want %q", name, got.Host, want.Host)
	}
	if got.Header.Get("Content-Type") != want.Header.Get("Content-Type") || len(got.Header) != len(want.Header) {
		t.Errorf("%s: header = %v, want %v", name, got.Header, want.Header)
	}
	if got.ContentLength != want.ContentLength {
		t.Errorf("%s: ContentLength = %d, want %d", name, got.ContentLength, want.ContentLength)
	}
	if (got.GetBody == nil) != (want.GetBody == nil) {
		t.Errorf("%s: GetBody set = %t, want %t", name, got.GetBody != nil, want.GetBody != nil)
	}
	if gotBody, wantBody := readAll(t, got.Body), readAll(t, want.Body); !bytes.Equal(gotBody, wantBody) {
		t.Errorf("%s: body = %q, want %q", name, gotBody, wantBody)
	}
}

func readAll(t *testing.T, body io.ReadCloser) []byte {
	t.Helper()
	if body == nil {
		return nil
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("reading a request body failed: %v", err)
	}
	return data
}
