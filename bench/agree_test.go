package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// TestImplementationsAgree checks that the three clients the benchmarks
// compare send requests the fixture server accepts and decode the same
// values, so that each benchmark compares equal work.
func TestImplementationsAgree(t *testing.T) {
	srv := newFixtureServer(t)
	transport := newTransport(2)
	t.Cleanup(transport.CloseIdleConnections)
	impls := newImplementations(t, srv, &http.Client{Transport: transport})
	ctx := context.Background()

	t.Run("create", func(t *testing.T) {
		raw, err := impls.raw.createAllowlistIdentifier(ctx, benchIdentifier, true)
		if err != nil {
			t.Fatalf("raw create failed: %v", err)
		}
		generated, err := genCreate(ctx, impls.gen, benchIdentifier, true)
		if err != nil {
			t.Fatalf("gen create failed: %v", err)
		}
		wrapped, err := impls.wrapper.CreateAllowlistIdentifier(ctx, benchIdentifier, true)
		if err != nil {
			t.Fatalf("wrapper create failed: %v", err)
		}
		if got := fromGen(*generated); got != *raw {
			t.Errorf("gen create = %+v, want %+v", got, *raw)
		}
		if got := fromGen(*wrapped); got != *raw {
			t.Errorf("wrapper create = %+v, want %+v", got, *raw)
		}
	})

	t.Run("delete", func(t *testing.T) {
		raw, err := impls.raw.deleteAllowlistIdentifier(ctx, benchIdentifierID)
		if err != nil {
			t.Fatalf("raw delete failed: %v", err)
		}
		generated, err := genDelete(ctx, impls.gen, benchIdentifierID)
		if err != nil {
			t.Fatalf("gen delete failed: %v", err)
		}
		wrapped, err := impls.wrapper.DeleteAllowlistIdentifier(ctx, benchIdentifierID)
		if err != nil {
			t.Fatalf("wrapper delete failed: %v", err)
		}
		for name, got := range map[string]*gen.DeletedObject{"gen": generated, "wrapper": wrapped} {
			if got.Id == nil || *got.Id != raw.ID || got.Object != raw.Object || got.Deleted != raw.Deleted {
				t.Errorf("%s delete = %+v, want the values of %+v", name, got, *raw)
			}
		}
	})

	for _, size := range listSizes {
		t.Run(fmt.Sprintf("list %d", size), func(t *testing.T) {
			raw, err := impls.raw.listAllowlistIdentifiers(ctx, size)
			if err != nil {
				t.Fatalf("raw list failed: %v", err)
			}
			if len(raw) != size {
				t.Fatalf("raw list has %d entries, want %d", len(raw), size)
			}
			generated, err := genList(ctx, impls.gen, size)
			if err != nil {
				t.Fatalf("gen list failed: %v", err)
			}
			page, err := impls.wrapper.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: size})
			if err != nil {
				t.Fatalf("wrapper list failed: %v", err)
			}
			if got := fromGenList(generated); !reflect.DeepEqual(got, raw) {
				t.Errorf("gen list differs from the raw list")
			}
			if got := fromGenList(page.Data); !reflect.DeepEqual(got, raw) {
				t.Errorf("wrapper list differs from the raw list")
			}
		})
	}
}

func fromGen(item gen.AllowlistIdentifier) rawIdentifier {
	var out rawIdentifier
	copyString(&out.ID, item.Id)
	copyString(&out.Identifier, item.Identifier)
	copyString(&out.InvitationID, item.InvitationId)
	copyString(&out.InstanceID, item.InstanceId)
	if item.Object != nil {
		out.Object = string(*item.Object)
	}
	if item.IdentifierType != nil {
		out.IdentifierType = string(*item.IdentifierType)
	}
	if item.CreatedAt != nil {
		out.CreatedAt = *item.CreatedAt
	}
	if item.UpdatedAt != nil {
		out.UpdatedAt = *item.UpdatedAt
	}
	return out
}

func fromGenList(items []gen.AllowlistIdentifier) []rawIdentifier {
	out := make([]rawIdentifier, len(items))
	for i, item := range items {
		out[i] = fromGen(item)
	}
	return out
}

func copyString(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}
