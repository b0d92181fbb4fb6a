package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

// clientAwkwardIDs are identifier IDs with characters that a URL path gives
// a meaning to, or that need percent-encoding.
var clientAwkwardIDs = []struct {
	name string
	id   string
}{
	{name: "slash", id: "alid_a/b"},
	{name: "parent segment after slash", id: "../allowlist_identifiers"},
	{name: "question mark", id: "alid_a?limit=1"},
	{name: "hash", id: "alid_a#fragment"},
	{name: "percent", id: "alid_100%"},
	{name: "percent escape", id: "alid_%2F%3F"},
	{name: "space", id: "alid a b"},
	{name: "unicode", id: "alid_ünïcødé_😀"},
	{name: "leading dot", id: ".alid"},
	{name: "three dots", id: "..."},
	{name: "plus semicolon and equals", id: "a+b;c=d"},
}

func TestClientDeleteEscapesIdentifierID(t *testing.T) {
	t.Parallel()

	tests := []struct {
		operation clientOperation
		prefix    string
	}{
		{operation: clientOpDeleteAllowlist, prefix: "/v1/allowlist_identifiers/"},
		{operation: clientOpDeleteBlocklist, prefix: "/v1/blocklist_identifiers/"},
	}
	for _, tt := range tests {
		for _, awkward := range clientAwkwardIDs {
			t.Run(tt.operation.operationID+"/"+awkward.name, func(t *testing.T) {
				t.Parallel()
				call := fmt.Sprintf("%s(%q)", tt.operation.operationID, awkward.id)

				// The ServeMux pattern matches only one path segment, so a
				// request reaches it only if the ID stayed in one segment.
				var (
					mu         sync.Mutex
					pathValues []string
				)
				mux := http.NewServeMux()
				mux.HandleFunc("DELETE "+tt.prefix+"{identifier_id}", func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					pathValues = append(pathValues, r.PathValue("identifier_id"))
					mu.Unlock()
					clientWriteResponse(w, http.StatusOK, "application/json", tt.operation.successBody)
				})
				server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
					mux.ServeHTTP(w, r)
				})
				client, _ := clientNewClient(t, server.url, clientSecretKey)

				clientCheckNoError(t, call, tt.operation.call(clientCallContext(t), client, awkward.id))

				requests := server.recorded()
				if len(requests) != 1 {
					t.Fatalf("%s sent %d requests, want 1", call, len(requests))
				}
				request := requests[0]
				segment, found := strings.CutPrefix(request.escapedPath, tt.prefix)
				if !found || strings.Contains(segment, "/") {
					t.Errorf("%s escaped path = %q, want %s followed by one segment", call, request.escapedPath, tt.prefix)
				}
				if decoded, err := url.PathUnescape(segment); err != nil || decoded != awkward.id {
					t.Errorf("%s escaped segment %q decodes to %q (error %v), want %q", call, segment, decoded, err, awkward.id)
				}
				if want := tt.prefix + awkward.id; request.path != want {
					t.Errorf("%s path = %q, want %q", call, request.path, want)
				}
				mu.Lock()
				defer mu.Unlock()
				if len(pathValues) != 1 || pathValues[0] != awkward.id {
					t.Errorf("%s PathValue(identifier_id) = %q, want [%q]", call, pathValues, awkward.id)
				}
			})
		}
	}
}

func TestClientDeleteEscapedIDReachesFake(t *testing.T) {
	t.Parallel()

	for _, op := range []clientOperation{clientOpDeleteAllowlist, clientOpDeleteBlocklist} {
		for _, awkward := range clientAwkwardIDs {
			t.Run(op.operationID+"/"+awkward.name, func(t *testing.T) {
				t.Parallel()
				f := clientStartFake(t)
				call := fmt.Sprintf("%s(%q)", op.operationID, awkward.id)

				// No entry has this ID, so the fake's 404 names the ID it
				// decoded from the path.
				err := op.call(clientCallContext(t), f.client, awkward.id)
				got := clientAsClerkErrors(t, call, err)
				if got.StatusCode != http.StatusNotFound || len(got.Errors) != 1 {
					t.Fatalf("%s error = %+v, want one 404 error", call, *got)
				}
				if want := fmt.Sprintf("identifier ID %q.", awkward.id); !strings.HasSuffix(got.Errors[0].LongMessage, want) {
					t.Errorf("%s error LongMessage = %q, want it to end with %q", call, got.Errors[0].LongMessage, want)
				}
				if got := f.Requests(op.operationID); got != 1 {
					t.Errorf("Requests(%s) after %s = %d, want 1", op.operationID, call, got)
				}
			})
		}
	}
}

func TestClientDeleteRejectsInvalidID(t *testing.T) {
	t.Parallel()
	server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
		t.Errorf("request %d %s %s reached the server, want none", number, r.Method, r.URL.EscapedPath())
		clientWriteResponse(w, http.StatusInternalServerError, "text/plain", "unexpected request")
	})
	client, _ := clientNewClient(t, server.url, clientSecretKey)

	tests := []struct {
		name string
		id   string
	}{
		{name: "empty", id: ""},
		{name: "dot", id: "."},
		{name: "dot dot", id: ".."},
		{name: "space", id: " "},
		{name: "whitespace", id: "\t\n "},
		{name: "invalid UTF-8", id: "alid_\xff"},
	}
	for _, op := range []clientOperation{clientOpDeleteAllowlist, clientOpDeleteBlocklist} {
		for _, tt := range tests {
			t.Run(op.operationID+"/"+tt.name, func(t *testing.T) {
				call := fmt.Sprintf("%s(%q)", op.operationID, tt.id)
				err := op.call(clientCallContext(t), client, tt.id)
				got := clientAsArgumentError(t, call, err)
				if got.Operation != op.operationID {
					t.Errorf("%s error Operation = %q, want %q", call, got.Operation, op.operationID)
				}
				if got.Argument != "identifier ID" {
					t.Errorf("%s error Argument = %q, want %q", call, got.Argument, "identifier ID")
				}
			})
		}
	}

	if got := len(server.recorded()); got != 0 {
		t.Errorf("server saw %d requests for invalid identifier IDs, want 0", got)
	}
}

func TestClientCreateSendsNotify(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name      string
		operation clientOperation
		call      func(client *wrapper.Client, t *testing.T) error
		wantBody  map[string]string // raw JSON of each key
	}{
		{
			name: "allow-list notify false", operation: clientOpCreateAllowlist,
			call: func(client *wrapper.Client, t *testing.T) error {
				_, err := client.CreateAllowlistIdentifier(clientCallContext(t), "ada@example.com", false)
				return err
			},
			wantBody: map[string]string{"identifier": `"ada@example.com"`, "notify": "false"},
		},
		{
			name: "allow-list notify true", operation: clientOpCreateAllowlist,
			call: func(client *wrapper.Client, t *testing.T) error {
				_, err := client.CreateAllowlistIdentifier(clientCallContext(t), "ada@example.com", true)
				return err
			},
			wantBody: map[string]string{"identifier": `"ada@example.com"`, "notify": "true"},
		},
		{
			name: "block-list has no notify", operation: clientOpCreateBlocklist,
			call: func(client *wrapper.Client, t *testing.T) error {
				_, err := client.CreateBlocklistIdentifier(clientCallContext(t), "mallory@example.com")
				return err
			},
			wantBody: map[string]string{"identifier": `"mallory@example.com"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
				clientWriteResponse(w, http.StatusOK, "application/json", tt.operation.successBody)
			})
			client, _ := clientNewClient(t, server.url, clientSecretKey)

			clientCheckNoError(t, tt.name, tt.call(client, t))

			requests := server.recorded()
			if len(requests) != 1 {
				t.Fatalf("%s sent %d requests, want 1", tt.name, len(requests))
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(requests[0].body, &body); err != nil {
				t.Fatalf("%s body %q does not decode as a JSON object: %v", tt.name, requests[0].body, err)
			}
			if len(body) != len(tt.wantBody) {
				t.Errorf("%s body = %s, want keys %v", tt.name, requests[0].body, tt.wantBody)
			}
			for key, want := range tt.wantBody {
				got, found := body[key]
				if !found {
					t.Errorf("%s body = %s, want key %q", tt.name, requests[0].body, key)
					continue
				}
				if string(got) != want {
					t.Errorf("%s body[%q] = %s, want %s", tt.name, key, got, want)
				}
			}
		})
	}
}

func TestClientSendsBearerAuth(t *testing.T) {
	t.Parallel()

	for _, op := range clientAllOperations {
		t.Run(op.operationID, func(t *testing.T) {
			t.Parallel()
			// The first attempt fails, so that the retry's headers are checked
			// too.
			server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
				if number == 1 {
					clientWriteResponse(w, http.StatusServiceUnavailable, "text/plain", "unavailable")
					return
				}
				clientWriteResponse(w, http.StatusOK, "application/json", op.successBody)
			})
			client, _ := clientNewClient(t, server.url, clientSecretKey)

			call := fmt.Sprintf("%s(%q)", op.operationID, op.target)
			clientCheckNoError(t, call, op.call(clientCallContext(t), client, op.target))

			requests := server.recorded()
			if len(requests) != 2 {
				t.Fatalf("%s sent %d requests, want 2", call, len(requests))
			}
			for i, request := range requests {
				if got := request.authorization; len(got) != 1 || got[0] != "Bearer "+clientSecretKey {
					t.Errorf("%s attempt %d Authorization = %q, want [%q]", call, i+1, got, "Bearer "+clientSecretKey)
				}
				if request.userAgent != wrapper.DefaultUserAgent {
					t.Errorf("%s attempt %d User-Agent = %q, want %q", call, i+1, request.userAgent, wrapper.DefaultUserAgent)
				}
				if request.accept != "application/json" {
					t.Errorf("%s attempt %d Accept = %q, want application/json", call, i+1, request.accept)
				}
				if request.method != op.method || request.path != op.path {
					t.Errorf("%s attempt %d = %s %s, want %s %s", call, i+1, request.method, request.path, op.method, op.path)
				}
			}
		})
	}
}

func TestClientSendsCustomHeaders(t *testing.T) {
	t.Parallel()
	var (
		mu        sync.Mutex
		requestID string
	)
	server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
		mu.Lock()
		requestID = r.Header.Get("X-Request-Id")
		mu.Unlock()
		clientWriteResponse(w, http.StatusOK, "application/json", clientOpListBlocklist.successBody)
	})
	client, _ := clientNewClient(t, server.url, clientSecretKey, wrapper.WithUserAgent("my-service/1.2"))

	_, err := client.ListBlocklistIdentifiers(clientCallContext(t), wrapper.WithHeader("X-Request-Id", "req_123"))
	clientCheckNoError(t, `ListBlocklistIdentifiers(WithHeader("X-Request-Id", "req_123"))`, err)

	requests := server.recorded()
	if len(requests) != 1 {
		t.Fatalf("ListBlocklistIdentifiers() sent %d requests, want 1", len(requests))
	}
	if got := requests[0].userAgent; got != "my-service/1.2" {
		t.Errorf("ListBlocklistIdentifiers() with WithUserAgent User-Agent = %q, want %q", got, "my-service/1.2")
	}
	if got := requests[0].authorization; len(got) != 1 || got[0] != "Bearer "+clientSecretKey {
		t.Errorf("ListBlocklistIdentifiers() with WithHeader Authorization = %q, want [Bearer <key>]", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if requestID != "req_123" {
		t.Errorf("ListBlocklistIdentifiers(WithHeader(%q, %q)) sent %q, want %q", "X-Request-Id", "req_123", requestID, "req_123")
	}
}

func TestClientWithHeaderRejectsAuthorization(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	for _, name := range []string{"Authorization", "authorization", "AUTHORIZATION"} {
		call := fmt.Sprintf(`ListBlocklistIdentifiers(WithHeader(%q, "Bearer other"))`, name)
		_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t), wrapper.WithHeader(name, "Bearer sk_test_other"))
		got := clientAsArgumentError(t, call, err)
		if got.Argument != "option" {
			t.Errorf("%s error Argument = %q, want %q", call, got.Argument, "option")
		}
	}
	if got := f.Requests(clerkfake.OperationListBlocklistIdentifiers); got != 0 {
		t.Errorf("Requests(%s) after rejected options = %d, want 0", clerkfake.OperationListBlocklistIdentifiers, got)
	}
}
