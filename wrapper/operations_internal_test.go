package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clerklists/clerklists"
)

// The operation table is typed by hand. This test keeps it equal to
// openapi.yaml, so that regenerating after a spec change cannot leave the
// error mapping behind.
func TestOperationsMatchSpec(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(clerklists.OpenAPISpec())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}

	operations := []*operation{
		&listAllowlistOperation, &createAllowlistOperation, &deleteAllowlistOperation,
		&listBlocklistOperation, &createBlocklistOperation, &deleteBlocklistOperation,
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, specOp := range item.Operations() {
			seen[specOp.OperationID] = true
			index := slices.IndexFunc(operations, func(op *operation) bool { return op.id == specOp.OperationID })
			if index < 0 {
				t.Errorf("openapi.yaml has %s %s (%s), which the wrapper does not call", method, path, specOp.OperationID)
				continue
			}
			op := operations[index]
			if op.method != method {
				t.Errorf("%s: wrapper method = %s, want %s", op.id, op.method, method)
			}

			var declared []int
			for code, response := range specOp.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || status < 400 {
					continue
				}
				schema := response.Value.Content.Get("application/json").Schema
				if schema == nil || !strings.HasSuffix(schema.Ref, "/ClerkErrors") {
					t.Errorf("%s: status %d has no ClerkErrors JSON body in openapi.yaml", op.id, status)
				}
				declared = append(declared, status)
			}
			sort.Ints(declared)
			got := slices.Sorted(slices.Values(op.declared))
			if !slices.Equal(got, declared) {
				t.Errorf("%s: declared error statuses = %v, want %v from openapi.yaml", op.id, got, declared)
			}
		}
	}
	for _, op := range operations {
		if !seen[op.id] {
			t.Errorf("wrapper operation %s is not in openapi.yaml", op.id)
		}
	}
}

func TestClientFormatHidesKey(t *testing.T) {
	const key = "sk_test_formatcheck0123456789"
	client, err := New(key, WithBaseURL("https://api.clerk.com/v1"))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}
	for _, verb := range verbs {
		for name, value := range map[string]any{"pointer": client, "value": *client, "key": client.key, "key value": *client.key} {
			if out := fmt.Sprintf(verb, value); strings.Contains(out, key) || strings.Contains(out, fmt.Sprintf("%x", key)) {
				t.Errorf("Sprintf(%q, %s) = %q, contains the secret key", verb, name, out)
			}
		}
	}
}

func TestSetAuthorization(t *testing.T) {
	client, err := New("sk_live_abcdef")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, "https://api.clerk.com/v1/allowlist_identifiers", nil)
	if err != nil {
		t.Fatal(err)
	}
	client.setAuthorization(req)
	if got, want := req.Header.Get("Authorization"), "Bearer sk_live_abcdef"; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
}

func TestNewRedactsKeyInOptionErrors(t *testing.T) {
	const key = "sk_test_misplaced0123456789"
	_, err := New(key, WithBaseURL(key))
	if err == nil {
		t.Fatalf("New(key, WithBaseURL(key)) error = nil, want an error")
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("New(key, WithBaseURL(key)) error = %q, contains the secret key", err)
	}
}
