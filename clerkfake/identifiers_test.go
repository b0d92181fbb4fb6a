package clerkfake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
)

var (
	allowlistIDPattern  = regexp.MustCompile(`^alid_[0-9A-Za-z]{27}$`)
	blocklistIDPattern  = regexp.MustCompile(`^blid_[0-9A-Za-z]{27}$`)
	instanceIDPattern   = regexp.MustCompile(`^ins_[0-9A-Za-z]{27}$`)
	invitationIDPattern = regexp.MustCompile(`^inv_[0-9A-Za-z]{27}$`)
)

const wallet = "0x52908400098527886E0F7030069857D2E4169EE7"

func TestCreateAllowlistIdentifier(t *testing.T) {
	tests := []struct {
		name           string
		body           string
		wantIdentifier string
		wantType       string
		wantInvitation bool
	}{
		{name: "email address", body: `{"identifier":"ada@example.com"}`, wantIdentifier: "ada@example.com", wantType: "email_address"},
		{name: "domain pattern", body: `{"identifier":"*@example.org"}`, wantIdentifier: "*@example.org", wantType: "email_address"},
		{name: "phone number", body: `{"identifier":"+15555550100"}`, wantIdentifier: "+15555550100", wantType: "phone_number"},
		{name: "web3 wallet", body: `{"identifier":"` + wallet + `"}`, wantIdentifier: wallet, wantType: "web3_wallet"},
		{name: "notify false", body: `{"identifier":"bob@example.com","notify":false}`, wantIdentifier: "bob@example.com", wantType: "email_address"},
		{name: "notify email address", body: `{"identifier":"eve@example.com","notify":true}`, wantIdentifier: "eve@example.com", wantType: "email_address", wantInvitation: true},
		{name: "notify phone number", body: `{"identifier":"+15555550101","notify":true}`, wantIdentifier: "+15555550101", wantType: "phone_number", wantInvitation: true},
		{name: "notify domain pattern", body: `{"identifier":"*@example.net","notify":true}`, wantIdentifier: "*@example.net", wantType: "email_address"},
		{name: "notify web3 wallet", body: `{"identifier":"0x0000000000000000000000000000000000000001","notify":true}`, wantIdentifier: "0x0000000000000000000000000000000000000001", wantType: "web3_wallet"},
	}

	f := startFake(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().UnixMilli()
			r := f.do(http.MethodPost, "/allowlist_identifiers", tt.body, nil)
			after := time.Now().UnixMilli()

			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
			}
			got := decode[identifier](t, r)
			if got.Object != "allowlist_identifier" {
				t.Errorf("object = %q, want allowlist_identifier", got.Object)
			}
			if !allowlistIDPattern.MatchString(got.ID) {
				t.Errorf("id = %q, want alid_ and 27 alphanumerics", got.ID)
			}
			if got.Identifier != tt.wantIdentifier {
				t.Errorf("identifier = %q, want %q", got.Identifier, tt.wantIdentifier)
			}
			if got.IdentifierType != tt.wantType {
				t.Errorf("identifier_type = %q, want %q", got.IdentifierType, tt.wantType)
			}
			if !instanceIDPattern.MatchString(got.InstanceID) {
				t.Errorf("instance_id = %q, want ins_ and 27 alphanumerics", got.InstanceID)
			}
			if got.CreatedAt < before || got.CreatedAt > after {
				t.Errorf("created_at = %d, want Unix milliseconds from %d to %d", got.CreatedAt, before, after)
			}
			if got.UpdatedAt != got.CreatedAt {
				t.Errorf("updated_at = %d, want created_at %d", got.UpdatedAt, got.CreatedAt)
			}
			if tt.wantInvitation && !invitationIDPattern.MatchString(got.InvitationID) {
				t.Errorf("invitation_id = %q, want inv_ and 27 alphanumerics", got.InvitationID)
			}
			if !tt.wantInvitation && got.InvitationID != "" {
				t.Errorf("invitation_id = %q, want none", got.InvitationID)
			}
		})
	}
}

func TestCreateBlocklistIdentifier(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		wantType string
	}{
		{name: "email address", value: "mallory@example.com", wantType: "email_address"},
		{name: "domain pattern", value: "*@spam.example", wantType: "email_address"},
		{name: "phone number", value: "+15555550199", wantType: "phone_number"},
		{name: "web3 wallet", value: wallet, wantType: "web3_wallet"},
	}

	f := startFake(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(http.MethodPost, "/blocklist_identifiers", fmt.Sprintf(`{"identifier":%q}`, tt.value), nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
			}
			got := decode[identifier](t, r)
			if got.Object != "blocklist_identifier" {
				t.Errorf("object = %q, want blocklist_identifier", got.Object)
			}
			if !blocklistIDPattern.MatchString(got.ID) {
				t.Errorf("id = %q, want blid_ and 27 alphanumerics", got.ID)
			}
			if got.Identifier != tt.value {
				t.Errorf("identifier = %q, want %q", got.Identifier, tt.value)
			}
			if got.IdentifierType != tt.wantType {
				t.Errorf("identifier_type = %q, want %q", got.IdentifierType, tt.wantType)
			}
			if got.InvitationID != "" {
				t.Errorf("invitation_id = %q, want none on the block-list", got.InvitationID)
			}
		})
	}
}

func TestCreateIdentifierFormatInvalid(t *testing.T) {
	values := []struct {
		name  string
		value string
	}{
		{name: "empty", value: ""},
		{name: "domain without pattern", value: "example.com"},
		{name: "phone number with space", value: "+1 555 555 0100"},
		{name: "phone number without plus", value: "15555550100"},
		{name: "plus only", value: "+"},
		{name: "short wallet", value: "0x1234"},
		{name: "wallet with non-hex digit", value: "0x52908400098527886E0F7030069857D2E4169EEZ"},
	}

	f := startFake(t)
	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		for _, tt := range values {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				r := f.do(http.MethodPost, path, fmt.Sprintf(`{"identifier":%q}`, tt.value), nil)
				body := checkClerkError(t, r, http.StatusUnprocessableEntity, "form_param_format_invalid")
				if len(body.Errors) == 1 && body.Errors[0].Meta["param_name"] != "identifier" {
					t.Errorf("meta = %v, want param_name identifier", body.Errors[0].Meta)
				}
			})
		}
	}

	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		if got := listIdentifiers(t, f, path); len(got) != 0 {
			t.Errorf("GET %s = %d entries after invalid creates, want 0", path, len(got))
		}
	}
}

func TestCreateIdentifierControlCharacter(t *testing.T) {
	values := []struct {
		name        string
		value       string
		wantMessage string // a substring of long_message that names the character
	}{
		{name: "line feed in email address", value: "a\n@example.com", wantMessage: "control character U+000A at byte offset 1"},
		{name: "tab in email address", value: "ada@exa\tmple.com", wantMessage: "control character U+0009 at byte offset 7"},
		{name: "NUL in email address", value: "ada@example.com\x00", wantMessage: "control character U+0000 at byte offset 15"},
		{name: "carriage return in domain pattern", value: "*@example.com\r", wantMessage: "control character U+000D at byte offset 13"},
		{name: "DEL in email address", value: "ada\x7f@example.com", wantMessage: "control character U+007F at byte offset 3"},
		{name: "C1 next line in email address", value: "zoë\u0085@example.com", wantMessage: "control character U+0085 at byte offset 4"},
		{name: "line feed after phone number", value: "+15555550100\n", wantMessage: "control character U+000A at byte offset 12"},
	}

	f := startFake(t)
	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		for _, tt := range values {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				// json.Marshal escapes control characters, so the body is valid JSON.
				body, err := json.Marshal(map[string]string{"identifier": tt.value})
				if err != nil {
					t.Fatalf("encode identifier %q: %v", tt.value, err)
				}

				r := f.do(http.MethodPost, path, string(body), nil)
				got := checkClerkError(t, r, http.StatusUnprocessableEntity, "form_param_format_invalid")
				if len(got.Errors) != 1 {
					return
				}
				if got.Errors[0].Meta["param_name"] != "identifier" {
					t.Errorf("meta = %v, want param_name identifier", got.Errors[0].Meta)
				}
				if !strings.Contains(got.Errors[0].LongMessage, tt.wantMessage) {
					t.Errorf("long_message = %q, want it to contain %q", got.Errors[0].LongMessage, tt.wantMessage)
				}
			})
		}
	}

	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		if got := listIdentifiers(t, f, path); len(got) != 0 {
			t.Errorf("GET %s = %d entries after identifiers with control characters, want 0", path, len(got))
		}
	}
}

func TestCreateIdentifierBodyMissing(t *testing.T) {
	f := startFake(t)
	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		t.Run(path, func(t *testing.T) {
			r := f.do(http.MethodPost, path, "", nil)
			got := checkClerkError(t, r, http.StatusUnprocessableEntity, "form_param_missing")
			if len(got.Errors) == 1 && got.Errors[0].Meta["param_name"] != "identifier" {
				t.Errorf("meta = %v, want param_name identifier", got.Errors[0].Meta)
			}
		})
	}
}

func TestInstanceIDSharedByLists(t *testing.T) {
	f := startFake(t)

	allowed := f.create("/allowlist_identifiers", "ada@example.com")
	blocked := f.create("/blocklist_identifiers", "eve@example.com")
	if allowed.InstanceID != blocked.InstanceID {
		t.Errorf("instance_id = %q on the allow-list and %q on the block-list, want equal", allowed.InstanceID, blocked.InstanceID)
	}
}

func TestDuplicateIdentifier(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		otherPath string
	}{
		{name: "allow-list", path: "/allowlist_identifiers", otherPath: "/blocklist_identifiers"},
		{name: "block-list", path: "/blocklist_identifiers", otherPath: "/allowlist_identifiers"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t)
			first := f.create(tt.path, "ada@example.com")

			r := f.do(http.MethodPost, tt.path, `{"identifier":"ada@example.com"}`, nil)
			body := checkClerkError(t, r, http.StatusUnprocessableEntity, "form_identifier_exists")
			if len(body.Errors) == 1 && body.Errors[0].Meta["param_name"] != "identifier" {
				t.Errorf("meta = %v, want param_name identifier", body.Errors[0].Meta)
			}
			if got := listIdentifiers(t, f, tt.path); len(got) != 1 {
				t.Errorf("GET %s = %d entries after a duplicate, want 1", tt.path, len(got))
			}

			// The same identifier may be on the other list.
			f.create(tt.otherPath, "ada@example.com")

			// After a delete, the identifier can be added again.
			if r := f.do(http.MethodDelete, tt.path+"/"+first.ID, "", nil); r.status != http.StatusOK {
				t.Fatalf("DELETE status = %d, want 200 (body %s)", r.status, r.body)
			}
			f.create(tt.path, "ada@example.com")
		})
	}
}

// listIdentifiers returns every entry of the allow-list or block-list, as path
// selects, newest first.
func listIdentifiers(t *testing.T, f *fake, path string) []identifier {
	t.Helper()

	query := ""
	if path == "/allowlist_identifiers" {
		query = "?paginated=true&limit=500"
	}
	r := f.do(http.MethodGet, path+query, "", nil)
	if r.status != http.StatusOK {
		t.Errorf("GET %s status = %d, want 200 (body %s)", path+query, r.status, r.body)
		return nil
	}
	return decode[identifierPage](t, r).Data
}

func identifierValues(entries []identifier) []string {
	values := make([]string, 0, len(entries))
	for _, e := range entries {
		values = append(values, e.Identifier)
	}
	return values
}

func TestListAllowlistIdentifiers(t *testing.T) {
	f := startFake(t)

	// user11 is created last, so it comes first.
	var newestFirst []string
	for i := range 12 {
		value := fmt.Sprintf("user%02d@example.com", i)
		f.create("/allowlist_identifiers", value)
		newestFirst = slices.Insert(newestFirst, 0, value)
	}

	tests := []struct {
		name      string
		query     string
		paginated bool
		want      []string
	}{
		{name: "default", query: "", want: newestFirst[:10]},
		{name: "paginated false", query: "?paginated=false", want: newestFirst[:10]},
		{name: "limit", query: "?limit=3", want: newestFirst[:3]},
		{name: "limit and offset", query: "?limit=3&offset=2", want: newestFirst[2:5]},
		{name: "offset only", query: "?offset=4", want: newestFirst[4:12]},
		{name: "offset at end", query: "?offset=12", want: []string{}},
		{name: "offset past end", query: "?offset=100", want: []string{}},
		{name: "max limit", query: "?limit=500", want: newestFirst},
		{name: "paginated default", query: "?paginated=true", paginated: true, want: newestFirst[:10]},
		{name: "paginated limit and offset", query: "?paginated=true&limit=5&offset=10", paginated: true, want: newestFirst[10:12]},
		{name: "paginated offset past end", query: "?paginated=true&offset=12", paginated: true, want: []string{}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(http.MethodGet, "/allowlist_identifiers"+tt.query, "", nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
			}

			var entries []identifier
			if tt.paginated {
				page := decode[identifierPage](t, r)
				if page.TotalCount != 12 {
					t.Errorf("total_count = %d, want 12", page.TotalCount)
				}
				entries = page.Data
			} else {
				entries = decode[[]identifier](t, r)
			}

			if entries == nil {
				t.Errorf("body = %s, want a JSON array, not null", r.body)
			}
			if got := identifierValues(entries); !slices.Equal(got, tt.want) {
				t.Errorf("identifiers = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestListEmptyLists(t *testing.T) {
	tests := []struct {
		name string
		path string
		want string
	}{
		{name: "allow-list array", path: "/allowlist_identifiers", want: `[]`},
		{name: "allow-list paginated", path: "/allowlist_identifiers?paginated=true", want: `{"data":[],"total_count":0}`},
		{name: "block-list", path: "/blocklist_identifiers", want: `{"data":[],"total_count":0}`},
	}

	f := startFake(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(http.MethodGet, tt.path, "", nil)
			if r.status != http.StatusOK {
				t.Errorf("status = %d, want 200", r.status)
			}
			if got := string(r.body); got != tt.want {
				t.Errorf("body = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestListBlocklistIdentifiers(t *testing.T) {
	f := startFake(t)

	// More than the allow-list's default limit of 10, to show that the
	// block-list listing has no limit.
	var newestFirst []string
	for i := range 12 {
		value := fmt.Sprintf("+1555555%04d", i)
		f.create("/blocklist_identifiers", value)
		newestFirst = slices.Insert(newestFirst, 0, value)
	}

	r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200 (body %s)", r.status, r.body)
	}
	page := decode[identifierPage](t, r)
	if page.TotalCount != 12 {
		t.Errorf("total_count = %d, want 12", page.TotalCount)
	}
	if got := identifierValues(page.Data); !slices.Equal(got, newestFirst) {
		t.Errorf("identifiers = %q, want %q", got, newestFirst)
	}
}

func TestDeleteIdentifier(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		wantObject string
	}{
		{name: "allow-list", path: "/allowlist_identifiers", wantObject: "allowlist_identifier"},
		{name: "block-list", path: "/blocklist_identifiers", wantObject: "blocklist_identifier"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t)
			remaining := f.create(tt.path, "remaining@example.com")
			deleted := f.create(tt.path, "deleted@example.com")

			r := f.do(http.MethodDelete, tt.path+"/"+deleted.ID, "", nil)
			if r.status != http.StatusOK {
				t.Fatalf("DELETE status = %d, want 200 (body %s)", r.status, r.body)
			}
			want := deletedObject{Object: tt.wantObject, ID: deleted.ID, Deleted: true}
			if got := decode[deletedObject](t, r); got != want {
				t.Errorf("DELETE body = %+v, want %+v", got, want)
			}

			if got := identifierValues(listIdentifiers(t, f, tt.path)); !slices.Equal(got, []string{remaining.Identifier}) {
				t.Errorf("identifiers after DELETE = %q, want %q", got, []string{remaining.Identifier})
			}

			r = f.do(http.MethodDelete, tt.path+"/"+deleted.ID, "", nil)
			body := checkClerkError(t, r, http.StatusNotFound, "resource_not_found")
			if len(body.Errors) == 1 && !strings.Contains(body.Errors[0].LongMessage, deleted.ID) {
				t.Errorf("long_message = %q, want it to name %s", body.Errors[0].LongMessage, deleted.ID)
			}
		})
	}
}

func TestDeleteUnknownIdentifier(t *testing.T) {
	f := startFake(t)
	allowed := f.create("/allowlist_identifiers", "ada@example.com")
	blocked := f.create("/blocklist_identifiers", "eve@example.com")

	tests := []struct {
		name string
		path string
	}{
		{name: "unknown allow-list ID", path: "/allowlist_identifiers/alid_unknown"},
		{name: "unknown block-list ID", path: "/blocklist_identifiers/blid_unknown"},
		{name: "block-list ID on allow-list", path: "/allowlist_identifiers/" + blocked.ID},
		{name: "allow-list ID on block-list", path: "/blocklist_identifiers/" + allowed.ID},
		{name: "escaped slash", path: "/allowlist_identifiers/alid%2Fx"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(http.MethodDelete, tt.path, "", nil)
			checkClerkError(t, r, http.StatusNotFound, "resource_not_found")
		})
	}

	if got := listIdentifiers(t, f, "/allowlist_identifiers"); len(got) != 1 {
		t.Errorf("allow-list has %d entries, want 1", len(got))
	}
	if got := listIdentifiers(t, f, "/blocklist_identifiers"); len(got) != 1 {
		t.Errorf("block-list has %d entries, want 1", len(got))
	}
	if got := f.Requests(clerkfake.OperationDeleteAllowlistIdentifier); got != 3 {
		t.Errorf("Requests(%s) = %d, want 3", clerkfake.OperationDeleteAllowlistIdentifier, got)
	}
}
