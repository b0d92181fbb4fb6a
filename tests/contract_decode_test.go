package tests

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// Responses of today's shapes with a field and an identifier_type value that
// openapi.yaml does not know, as Clerk may send them once it adds either
// without a new API version.
const (
	contractNewerEntry = `{"object":"allowlist_identifier","id":"alid_1","identifier":"ada@example.com",` +
		`"identifier_type":"passkey","instance_id":"ins_1","created_at":1733327400000,"updated_at":1733327400000,` +
		`"label":"vip","verification":{"status":"verified"}}`
	contractNewerBlockEntry = `{"object":"blocklist_identifier","id":"blid_1","identifier":"mallory@example.com",` +
		`"identifier_type":"passkey","instance_id":"ins_1","created_at":1733327400000,"updated_at":1733327400000,"label":"spam"}`
)

// TestContractWrapperDecodesNewerResponses serves each operation a response
// with an unknown field and an unknown enum value, and checks that the
// wrapper decodes the known fields and keeps the unknown enum value as is.
func TestContractWrapperDecodesNewerResponses(t *testing.T) {
	bodies := map[string]string{
		"GET /v1/allowlist_identifiers":           `[` + contractNewerEntry + `]`,
		"GET /v1/allowlist_identifiers?paginated": `{"data":[` + contractNewerEntry + `],"total_count":1,"has_more":false}`,
		"POST /v1/allowlist_identifiers":          contractNewerEntry,
		"DELETE /v1/allowlist_identifiers/alid_1": `{"object":"allowlist_identifier","id":"alid_1","deleted":true,"deleted_at":1733327400000}`,
		"GET /v1/blocklist_identifiers":           `{"data":[` + contractNewerBlockEntry + `],"total_count":1,"next_cursor":null}`,
		"POST /v1/blocklist_identifiers":          contractNewerBlockEntry,
		"DELETE /v1/blocklist_identifiers/blid_1": `{"object":"blocklist_identifier","id":"blid_1","deleted":true,"reason":"expired"}`,
		"DELETE /v1/blocklist_identifiers/blid_2": `{"errors":[{"code":"resource_not_found","message":"not found","long_message":"not found",` +
			`"meta":{},"severity":"low"}],"clerk_trace_id":"trace_1","request_id":"req_1"}`,
	}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if r.URL.Query().Get("paginated") == "true" {
			key += "?paginated"
		}
		body, ok := bodies[key]
		if !ok {
			t.Errorf("unexpected request %s", key)
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if key == "DELETE /v1/blocklist_identifiers/blid_2" {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write([]byte(body))
	}))
	defer server.Close()

	client, err := wrapper.New("sk_test_decode", wrapper.WithBaseURL(server.URL+"/v1"))
	if err != nil {
		t.Fatalf("wrapper.New = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), contractFakeCallTimeout)
	defer cancel()

	t.Run("ListAllowlistIdentifiers array", func(t *testing.T) {
		page, err := client.ListAllowlistIdentifiers(ctx, nil)
		if err != nil {
			t.Fatalf("ListAllowlistIdentifiers = %v", err)
		}
		if len(page.Data) != 1 {
			t.Fatalf("len(Data) = %d, want 1", len(page.Data))
		}
		contractCheckNewerAllowEntry(t, page.Data[0])
	})
	t.Run("ListAllowlistIdentifiers paginated", func(t *testing.T) {
		page, err := client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Paginated: true})
		if err != nil {
			t.Fatalf("ListAllowlistIdentifiers(paginated) = %v", err)
		}
		if len(page.Data) != 1 || page.TotalCount == nil || *page.TotalCount != 1 {
			t.Fatalf("page = %d entries, total %v; want 1 and 1", len(page.Data), page.TotalCount)
		}
		contractCheckNewerAllowEntry(t, page.Data[0])
	})
	t.Run("CreateAllowlistIdentifier", func(t *testing.T) {
		created, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", false)
		if err != nil {
			t.Fatalf("CreateAllowlistIdentifier = %v", err)
		}
		contractCheckNewerAllowEntry(t, *created)
	})
	t.Run("DeleteAllowlistIdentifier", func(t *testing.T) {
		deleted, err := client.DeleteAllowlistIdentifier(ctx, "alid_1")
		if err != nil {
			t.Fatalf("DeleteAllowlistIdentifier = %v", err)
		}
		if !deleted.Deleted || deleted.Id == nil || *deleted.Id != "alid_1" {
			t.Errorf("DeleteAllowlistIdentifier = %+v, want alid_1 deleted", *deleted)
		}
	})
	t.Run("ListBlocklistIdentifiers", func(t *testing.T) {
		list, err := client.ListBlocklistIdentifiers(ctx)
		if err != nil {
			t.Fatalf("ListBlocklistIdentifiers = %v", err)
		}
		if len(list.Data) != 1 || list.TotalCount != 1 {
			t.Fatalf("list = %d entries, total %d; want 1 and 1", len(list.Data), list.TotalCount)
		}
		contractCheckNewerBlockEntry(t, list.Data[0])
	})
	t.Run("CreateBlocklistIdentifier", func(t *testing.T) {
		created, err := client.CreateBlocklistIdentifier(ctx, "mallory@example.com")
		if err != nil {
			t.Fatalf("CreateBlocklistIdentifier = %v", err)
		}
		contractCheckNewerBlockEntry(t, *created)
	})
	t.Run("DeleteBlocklistIdentifier", func(t *testing.T) {
		deleted, err := client.DeleteBlocklistIdentifier(ctx, "blid_1")
		if err != nil {
			t.Fatalf("DeleteBlocklistIdentifier = %v", err)
		}
		if !deleted.Deleted || deleted.Id == nil || *deleted.Id != "blid_1" {
			t.Errorf("DeleteBlocklistIdentifier = %+v, want blid_1 deleted", *deleted)
		}
	})
	t.Run("ClerkErrors with unknown fields", func(t *testing.T) {
		_, err := client.DeleteBlocklistIdentifier(ctx, "blid_2", wrapper.WithoutRetries())
		var clerkErrors *wrapper.ClerkErrors
		if !errors.As(err, &clerkErrors) {
			t.Fatalf("DeleteBlocklistIdentifier(blid_2) = %v (%T), want *wrapper.ClerkErrors", err, err)
		}
		if !clerkErrors.HasCode("resource_not_found") || clerkErrors.TraceID != "trace_1" {
			t.Errorf("ClerkErrors = %+v, want code resource_not_found and trace ID trace_1", *clerkErrors)
		}
	})
}

func contractCheckNewerAllowEntry(t *testing.T, entry gen.AllowlistIdentifier) {
	t.Helper()
	if entry.Id == nil || *entry.Id != "alid_1" || entry.Identifier == nil || *entry.Identifier != "ada@example.com" {
		t.Errorf("entry id and identifier = %v, %v; want alid_1, ada@example.com", entry.Id, entry.Identifier)
	}
	contractCheckUnknownType(t, entry.IdentifierType)
}

func contractCheckNewerBlockEntry(t *testing.T, entry gen.BlocklistIdentifier) {
	t.Helper()
	if entry.Id == nil || *entry.Id != "blid_1" || entry.Identifier == nil || *entry.Identifier != "mallory@example.com" {
		t.Errorf("entry id and identifier = %v, %v; want blid_1, mallory@example.com", entry.Id, entry.Identifier)
	}
	contractCheckUnknownType(t, entry.IdentifierType)
}

// contractCheckUnknownType checks that an unknown identifier_type survives
// decoding and that Valid returns false for it.
func contractCheckUnknownType(t *testing.T, got *gen.IdentifierType) {
	t.Helper()
	if got == nil || *got != "passkey" {
		t.Errorf("IdentifierType = %v, want passkey", got)
		return
	}
	if got.Valid() {
		t.Errorf("IdentifierType(passkey).Valid() = true, want false for a value openapi.yaml does not declare")
	}
}
