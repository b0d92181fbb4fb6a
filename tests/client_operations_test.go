package tests

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// clientAddAllowlist adds each identifier to the fake's allow-list in order and
// returns the IDs, oldest first.
func clientAddAllowlist(t *testing.T, f *clientFake, identifiers ...string) []string {
	t.Helper()
	ids := make([]string, 0, len(identifiers))
	for _, identifier := range identifiers {
		created, err := f.client.CreateAllowlistIdentifier(clientCallContext(t), identifier, false)
		if err != nil {
			t.Fatalf("CreateAllowlistIdentifier(%q, false) error = %v, want nil", identifier, err)
		}
		ids = append(ids, *created.Id)
	}
	return ids
}

// clientNumberedIdentifiers returns n distinct email addresses.
func clientNumberedIdentifiers(n int) []string {
	identifiers := make([]string, n)
	for i := range identifiers {
		identifiers[i] = fmt.Sprintf("user%02d@example.com", i)
	}
	return identifiers
}

// clientAllowlistIDs returns the identifier IDs of entries, in order.
func clientAllowlistIDs(entries []gen.AllowlistIdentifier) []string {
	ids := make([]string, 0, len(entries))
	for _, entry := range entries {
		ids = append(ids, clientDeref(entry.Id))
	}
	return ids
}

// clientNewestFirst returns ids reversed, the order in which Clerk lists entries.
func clientNewestFirst(ids []string) []string {
	reversed := make([]string, len(ids))
	for i, id := range ids {
		reversed[len(ids)-1-i] = id
	}
	return reversed
}

func clientDeref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestClientAllowlistCreateListDelete(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	ctx := clientCallContext(t)

	created, err := f.client.CreateAllowlistIdentifier(ctx, "ada@example.com", false)
	if err != nil {
		t.Fatalf("CreateAllowlistIdentifier(%q, false) error = %v, want nil", "ada@example.com", err)
	}
	if got := clientDeref(created.Object); got != "allowlist_identifier" {
		t.Errorf("CreateAllowlistIdentifier(%q, false).Object = %q, want %q", "ada@example.com", got, "allowlist_identifier")
	}
	if got := clientDeref(created.Id); !strings.HasPrefix(got, "alid_") {
		t.Errorf("CreateAllowlistIdentifier(%q, false).Id = %q, want prefix alid_", "ada@example.com", got)
	}
	if got := clientDeref(created.Identifier); got != "ada@example.com" {
		t.Errorf("CreateAllowlistIdentifier(%q, false).Identifier = %q, want %q", "ada@example.com", got, "ada@example.com")
	}
	if got := clientDeref(created.InstanceId); got == "" {
		t.Errorf("CreateAllowlistIdentifier(%q, false).InstanceId = %q, want an instance ID", "ada@example.com", got)
	}
	if got := clientDeref(created.CreatedAt); got <= 0 {
		t.Errorf("CreateAllowlistIdentifier(%q, false).CreatedAt = %d, want a positive time in milliseconds", "ada@example.com", got)
	}

	page, err := f.client.ListAllowlistIdentifiers(ctx, nil)
	if err != nil {
		t.Fatalf("ListAllowlistIdentifiers(nil) error = %v, want nil", err)
	}
	if got, want := clientAllowlistIDs(page.Data), []string{*created.Id}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListAllowlistIdentifiers(nil) IDs = %q, want %q", got, want)
	}

	deleted, err := f.client.DeleteAllowlistIdentifier(ctx, *created.Id)
	if err != nil {
		t.Fatalf("DeleteAllowlistIdentifier(%q) error = %v, want nil", *created.Id, err)
	}
	want := gen.DeletedObject{Object: "allowlist_identifier", Id: created.Id, Deleted: true}
	if !reflect.DeepEqual(*deleted, want) {
		t.Errorf("DeleteAllowlistIdentifier(%q) = %+v, want %+v", *created.Id, *deleted, want)
	}

	page, err = f.client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Paginated: true})
	if err != nil {
		t.Fatalf("ListAllowlistIdentifiers(paginated) error = %v, want nil", err)
	}
	if len(page.Data) != 0 || page.TotalCount == nil || *page.TotalCount != 0 {
		t.Errorf("ListAllowlistIdentifiers(paginated) after delete = %d entries, total %v, want 0 entries, total 0", len(page.Data), page.TotalCount)
	}
}

func TestClientAllowlistIdentifierTypes(t *testing.T) {
	t.Parallel()
	wallet := "0x" + strings.Repeat("ab", 20)

	tests := []struct {
		name           string
		identifier     string
		notify         bool
		wantType       gen.IdentifierType
		wantInvitation bool
	}{
		{name: "email without notify", identifier: "ada@example.com", notify: false, wantType: "email_address", wantInvitation: false},
		{name: "email with notify", identifier: "grace@example.com", notify: true, wantType: "email_address", wantInvitation: true},
		{name: "domain pattern with notify", identifier: "*@example.org", notify: true, wantType: "email_address", wantInvitation: false},
		{name: "phone number with notify", identifier: "+15555550100", notify: true, wantType: "phone_number", wantInvitation: true},
		{name: "web3 wallet with notify", identifier: wallet, notify: true, wantType: "web3_wallet", wantInvitation: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t)

			created, err := f.client.CreateAllowlistIdentifier(clientCallContext(t), tt.identifier, tt.notify)
			if err != nil {
				t.Fatalf("CreateAllowlistIdentifier(%q, %t) error = %v, want nil", tt.identifier, tt.notify, err)
			}
			if got := clientDeref(created.IdentifierType); got != tt.wantType {
				t.Errorf("CreateAllowlistIdentifier(%q, %t).IdentifierType = %q, want %q", tt.identifier, tt.notify, got, tt.wantType)
			}
			if got := created.InvitationId != nil; got != tt.wantInvitation {
				t.Errorf("CreateAllowlistIdentifier(%q, %t).InvitationId = %q, want one: %t", tt.identifier, tt.notify, clientDeref(created.InvitationId), tt.wantInvitation)
			}
		})
	}
}

func TestClientListAllowlistShapes(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	// Twelve entries exceed Clerk's default page of 10.
	ids := clientNewestFirst(clientAddAllowlist(t, f, clientNumberedIdentifiers(12)...))
	total := int64(len(ids))

	tests := []struct {
		name      string
		params    *wrapper.ListAllowlistIdentifiersParams
		wantIDs   []string
		wantTotal *int64 // nil for the bare-array shape
	}{
		{name: "nil params", params: nil, wantIDs: ids[:10]},
		{name: "zero params", params: &wrapper.ListAllowlistIdentifiersParams{}, wantIDs: ids[:10]},
		{name: "array with limit", params: &wrapper.ListAllowlistIdentifiersParams{Limit: 3}, wantIDs: ids[:3]},
		{name: "array with limit and offset", params: &wrapper.ListAllowlistIdentifiersParams{Limit: 4, Offset: 5}, wantIDs: ids[5:9]},
		{name: "array with offset near end", params: &wrapper.ListAllowlistIdentifiersParams{Offset: 9}, wantIDs: ids[9:]},
		{name: "paginated default page", params: &wrapper.ListAllowlistIdentifiersParams{Paginated: true}, wantIDs: ids[:10], wantTotal: &total},
		{name: "paginated with limit and offset", params: &wrapper.ListAllowlistIdentifiersParams{Limit: 5, Offset: 2, Paginated: true}, wantIDs: ids[2:7], wantTotal: &total},
		{name: "paginated maximum limit", params: &wrapper.ListAllowlistIdentifiersParams{Limit: wrapper.MaxListLimit, Paginated: true}, wantIDs: ids, wantTotal: &total},
		{name: "paginated offset past end", params: &wrapper.ListAllowlistIdentifiersParams{Offset: 50, Paginated: true}, wantIDs: []string{}, wantTotal: &total},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page, err := f.client.ListAllowlistIdentifiers(clientCallContext(t), tt.params)
			if err != nil {
				t.Fatalf("ListAllowlistIdentifiers(%+v) error = %v, want nil", tt.params, err)
			}
			if got := clientAllowlistIDs(page.Data); !reflect.DeepEqual(got, tt.wantIDs) {
				t.Errorf("ListAllowlistIdentifiers(%+v) IDs = %q, want %q", tt.params, got, tt.wantIDs)
			}
			switch {
			case tt.wantTotal == nil && page.TotalCount != nil:
				t.Errorf("ListAllowlistIdentifiers(%+v).TotalCount = %d, want nil for the array shape", tt.params, *page.TotalCount)
			case tt.wantTotal != nil && page.TotalCount == nil:
				t.Errorf("ListAllowlistIdentifiers(%+v).TotalCount = nil, want %d", tt.params, *tt.wantTotal)
			case tt.wantTotal != nil && *page.TotalCount != *tt.wantTotal:
				t.Errorf("ListAllowlistIdentifiers(%+v).TotalCount = %d, want %d", tt.params, *page.TotalCount, *tt.wantTotal)
			}
		})
	}
}

func TestClientListAllowlistRejectsInvalidParams(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	tests := []struct {
		name         string
		params       wrapper.ListAllowlistIdentifiersParams
		wantArgument string
	}{
		{name: "negative limit", params: wrapper.ListAllowlistIdentifiersParams{Limit: -1}, wantArgument: "limit"},
		{name: "limit above maximum", params: wrapper.ListAllowlistIdentifiersParams{Limit: wrapper.MaxListLimit + 1}, wantArgument: "limit"},
		{name: "negative offset", params: wrapper.ListAllowlistIdentifiersParams{Offset: -1, Paginated: true}, wantArgument: "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.ListAllowlistIdentifiers(clientCallContext(t), &tt.params)
			argumentError := clientAsArgumentError(t, fmt.Sprintf("ListAllowlistIdentifiers(%+v)", tt.params), err)
			if argumentError.Argument != tt.wantArgument {
				t.Errorf("ListAllowlistIdentifiers(%+v) error argument = %q, want %q", tt.params, argumentError.Argument, tt.wantArgument)
			}
			if argumentError.Operation != clerkfake.OperationListAllowlistIdentifiers {
				t.Errorf("ListAllowlistIdentifiers(%+v) error operation = %q, want %q", tt.params, argumentError.Operation, clerkfake.OperationListAllowlistIdentifiers)
			}
		})
	}

	if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != 0 {
		t.Errorf("Requests(%s) after invalid params = %d, want 0", clerkfake.OperationListAllowlistIdentifiers, got)
	}
}

func TestClientBlocklistCreateListDelete(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	ctx := clientCallContext(t)
	identifiers := []string{"mallory@example.com", "*@spam.example", "+15555550199"}

	var ids []string
	for _, identifier := range identifiers {
		created, err := f.client.CreateBlocklistIdentifier(ctx, identifier)
		if err != nil {
			t.Fatalf("CreateBlocklistIdentifier(%q) error = %v, want nil", identifier, err)
		}
		if got := clientDeref(created.Object); got != "blocklist_identifier" {
			t.Errorf("CreateBlocklistIdentifier(%q).Object = %q, want %q", identifier, got, "blocklist_identifier")
		}
		if got := clientDeref(created.Id); !strings.HasPrefix(got, "blid_") {
			t.Errorf("CreateBlocklistIdentifier(%q).Id = %q, want prefix blid_", identifier, got)
		}
		if got := clientDeref(created.Identifier); got != identifier {
			t.Errorf("CreateBlocklistIdentifier(%q).Identifier = %q, want %q", identifier, got, identifier)
		}
		ids = append(ids, *created.Id)
	}

	list, err := f.client.ListBlocklistIdentifiers(ctx)
	if err != nil {
		t.Fatalf("ListBlocklistIdentifiers() error = %v, want nil", err)
	}
	if list.TotalCount != int64(len(ids)) {
		t.Errorf("ListBlocklistIdentifiers().TotalCount = %d, want %d", list.TotalCount, len(ids))
	}
	var gotIDs []string
	for _, entry := range list.Data {
		gotIDs = append(gotIDs, clientDeref(entry.Id))
	}
	if want := clientNewestFirst(ids); !reflect.DeepEqual(gotIDs, want) {
		t.Errorf("ListBlocklistIdentifiers() IDs = %q, want %q", gotIDs, want)
	}

	deleted, err := f.client.DeleteBlocklistIdentifier(ctx, ids[1])
	if err != nil {
		t.Fatalf("DeleteBlocklistIdentifier(%q) error = %v, want nil", ids[1], err)
	}
	want := gen.DeletedObject{Object: "blocklist_identifier", Id: &ids[1], Deleted: true}
	if !reflect.DeepEqual(*deleted, want) {
		t.Errorf("DeleteBlocklistIdentifier(%q) = %+v, want %+v", ids[1], *deleted, want)
	}

	list, err = f.client.ListBlocklistIdentifiers(ctx)
	if err != nil {
		t.Fatalf("ListBlocklistIdentifiers() after delete error = %v, want nil", err)
	}
	if len(list.Data) != 2 {
		t.Errorf("ListBlocklistIdentifiers() after delete = %d entries, want 2", len(list.Data))
	}
	if list.TotalCount != 2 {
		t.Errorf("ListBlocklistIdentifiers().TotalCount after delete = %d, want 2", list.TotalCount)
	}
}

func TestClientCreateRejectsInvalidIdentifier(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	tests := []struct {
		name       string
		identifier string
	}{
		{name: "empty", identifier: ""},
		{name: "spaces", identifier: "   "},
		{name: "whitespace", identifier: "\t\r\n"},
		{name: "invalid UTF-8", identifier: "ada\xff@example.com"},
	}
	for _, op := range []clientOperation{clientOpCreateAllowlist, clientOpCreateBlocklist} {
		for _, tt := range tests {
			t.Run(op.operationID+"/"+tt.name, func(t *testing.T) {
				err := op.call(clientCallContext(t), f.client, tt.identifier)
				argumentError := clientAsArgumentError(t, fmt.Sprintf("%s(%q)", op.operationID, tt.identifier), err)
				if argumentError.Argument != "identifier" {
					t.Errorf("%s(%q) error argument = %q, want %q", op.operationID, tt.identifier, argumentError.Argument, "identifier")
				}
				if tt.identifier != "" && strings.Contains(err.Error(), tt.identifier) {
					t.Errorf("%s(%q) error = %q, want no identifier value in it", op.operationID, tt.identifier, err)
				}
			})
		}
		if got := f.Requests(op.operationID); got != 0 {
			t.Errorf("Requests(%s) after invalid identifiers = %d, want 0", op.operationID, got)
		}
	}
}

func TestClientAllowlistIteratorPages(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name         string
		entries      int
		pageSize     int
		wantRequests int
	}{
		{name: "several pages with a short last page", entries: 7, pageSize: 3, wantRequests: 3},
		{name: "exact multiple of page size", entries: 6, pageSize: 3, wantRequests: 2},
		{name: "page size one", entries: 3, pageSize: 1, wantRequests: 3},
		{name: "default page size", entries: 12, pageSize: 0, wantRequests: 1},
		{name: "empty list", entries: 0, pageSize: 5, wantRequests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t)
			want := clientNewestFirst(clientAddAllowlist(t, f, clientNumberedIdentifiers(tt.entries)...))

			got := []string{}
			for entry, err := range f.client.AllowlistIdentifiers(clientCallContext(t), tt.pageSize) {
				if err != nil {
					t.Fatalf("AllowlistIdentifiers(%d) yielded error = %v, want nil", tt.pageSize, err)
				}
				got = append(got, clientDeref(entry.Id))
				if len(got) > tt.entries {
					t.Fatalf("AllowlistIdentifiers(%d) yielded %d entries, want %d", tt.pageSize, len(got), tt.entries)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("AllowlistIdentifiers(%d) IDs = %q, want %q", tt.pageSize, got, want)
			}
			if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != tt.wantRequests {
				t.Errorf("AllowlistIdentifiers(%d) over %d entries sent %d list requests, want %d", tt.pageSize, tt.entries, got, tt.wantRequests)
			}
		})
	}
}

func TestClientAllowlistIteratorStopsEarly(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	clientAddAllowlist(t, f, clientNumberedIdentifiers(9)...)

	yielded := 0
	for _, err := range f.client.AllowlistIdentifiers(clientCallContext(t), 2) {
		if err != nil {
			t.Fatalf("AllowlistIdentifiers(2) yielded error = %v, want nil", err)
		}
		yielded++
		if yielded == 3 {
			break
		}
	}
	// Entries 1 and 2 come from the first page and entry 3 from the second,
	// so breaking there must not fetch a third page.
	if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != 2 {
		t.Errorf("AllowlistIdentifiers(2) broken after 3 entries sent %d list requests, want 2", got)
	}
}

func TestClientAllowlistIteratorYieldsError(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	// The first page succeeds, the second gets a 402.
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListAllowlistIdentifiers, Status: 200,
		Body: []byte(`{"data":[` + clientAllowlistEntryJSON + `,` + clientAllowlistEntryJSON + `],"total_count":5}`)})
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListAllowlistIdentifiers, Status: 402})

	var entries, errorsYielded int
	var lastErr error
	for _, err := range f.client.AllowlistIdentifiers(clientCallContext(t), 2) {
		if err != nil {
			errorsYielded++
			lastErr = err
			continue
		}
		entries++
		if entries+errorsYielded > 10 {
			t.Fatalf("AllowlistIdentifiers(2) yielded more than 10 values, want 3")
		}
	}

	if entries != 2 {
		t.Errorf("AllowlistIdentifiers(2) yielded %d entries, want 2", entries)
	}
	if errorsYielded != 1 {
		t.Errorf("AllowlistIdentifiers(2) yielded %d errors, want 1", errorsYielded)
	}
	clerkErrors := clientAsClerkErrors(t, "AllowlistIdentifiers(2)", lastErr)
	if clerkErrors.StatusCode != 402 {
		t.Errorf("AllowlistIdentifiers(2) error status = %d, want 402", clerkErrors.StatusCode)
	}
	if got := f.Requests(clerkfake.OperationListAllowlistIdentifiers); got != 2 {
		t.Errorf("AllowlistIdentifiers(2) sent %d list requests, want 2", got)
	}
}
