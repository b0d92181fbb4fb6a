package clerkfake

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Identifier types, the values of the IdentifierType enum in openapi.yaml.
const (
	identifierTypeEmailAddress = "email_address"
	identifierTypePhoneNumber  = "phone_number"
	identifierTypeWeb3Wallet   = "web3_wallet"
)

var (
	phoneNumberPattern = regexp.MustCompile(`^\+[0-9]+$`)
	web3WalletPattern  = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
)

// inferIdentifierType returns the identifier type of identifier, or false when
// the identifier matches none of the types Clerk accepts. Any value with an @ is an
// email address, which includes *@domain patterns.
func inferIdentifierType(identifier string) (string, bool) {
	switch {
	case strings.Contains(identifier, "@"):
		return identifierTypeEmailAddress, true
	case phoneNumberPattern.MatchString(identifier):
		return identifierTypePhoneNumber, true
	case web3WalletPattern.MatchString(identifier):
		return identifierTypeWeb3Wallet, true
	default:
		return "", false
	}
}

// identifier is one allow-list or block-list entry, in the JSON shape of the
// AllowlistIdentifier and BlocklistIdentifier schemas. Block-list entries
// never have an invitation ID, so the field stays out of their JSON.
type identifier struct {
	Object         string `json:"object"`
	ID             string `json:"id"`
	InvitationID   string `json:"invitation_id,omitempty"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifier_type"`
	InstanceID     string `json:"instance_id"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// identifierList is the allow-list or the block-list of one instance.
type identifierList struct {
	name     string // "allow-list" or "block-list", for error messages
	object   string // object tag of entries and of DeletedObject
	idPrefix string
	entries  []identifier // oldest first
}

// store is the state of one fake Clerk instance. It is safe for concurrent use.
type store struct {
	instanceID string

	mu        sync.Mutex
	allowlist identifierList
	blocklist identifierList
}

func newStore() *store {
	return &store{
		instanceID: newID("ins_"),
		allowlist: identifierList{
			name:     "allow-list",
			object:   "allowlist_identifier",
			idPrefix: "alid_",
		},
		blocklist: identifierList{
			name:     "block-list",
			object:   "blocklist_identifier",
			idPrefix: "blid_",
		},
	}
}

// create adds value to list. With invite set, an email address or phone number
// also gets an invitation ID, as if Clerk had sent an invitation. A *@domain
// pattern or a web3 wallet gets none, because neither can receive one.
func (st *store) create(list *identifierList, value string, invite bool, now time.Time) (identifier, *apiError) {
	// No identifier type allows control characters, but inferIdentifierType
	// would take "a\n@example.com" for an email address.
	if offset := strings.IndexFunc(value, unicode.IsControl); offset >= 0 {
		char, _ := utf8.DecodeRuneInString(value[offset:])
		return identifier{}, errIdentifierHasControlCharacter(char, offset)
	}

	identifierType, ok := inferIdentifierType(value)
	if !ok {
		return identifier{}, errIdentifierFormatInvalid()
	}

	entry := identifier{
		Object:         list.object,
		ID:             newID(list.idPrefix),
		Identifier:     value,
		IdentifierType: identifierType,
		InstanceID:     st.instanceID,
		CreatedAt:      now.UnixMilli(),
		UpdatedAt:      now.UnixMilli(),
	}
	if invite && identifierType != identifierTypeWeb3Wallet && !strings.HasPrefix(value, "*@") {
		entry.InvitationID = newID("inv_")
	}

	st.mu.Lock()
	defer st.mu.Unlock()

	// NOTE: duplicates are found by exact comparison. Clerk may also treat
	// identifiers that differ only in letter case as duplicates.
	if slices.ContainsFunc(list.entries, func(e identifier) bool { return e.Identifier == value }) {
		return identifier{}, errIdentifierExists(list)
	}
	list.entries = append(list.entries, entry)
	return entry, nil
}

// page returns up to limit entries of list, newest first, after skipping
// offset entries, and the number of entries on the whole list. The result is
// never nil, so that an empty page encodes as [].
func (st *store) page(list *identifierList, limit, offset int) ([]identifier, int) {
	st.mu.Lock()
	defer st.mu.Unlock()

	total := len(list.entries)
	result := make([]identifier, 0, max(0, min(limit, total-offset)))
	for i := total - 1 - offset; i >= 0 && len(result) < limit; i-- {
		result = append(result, list.entries[i])
	}
	return result, total
}

// remove deletes the entry with the identifier ID id from list.
func (st *store) remove(list *identifierList, id string) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()

	i := slices.IndexFunc(list.entries, func(e identifier) bool { return e.ID == id })
	if i < 0 {
		return errIdentifierNotFound(list, id)
	}
	list.entries = slices.Delete(list.entries, i, i+1)
	return nil
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idLength matches the 27 characters that follow the prefix in Clerk's IDs.
const idLength = 27

// newID returns prefix followed by random alphanumeric characters. IDs must
// only be unique within a test run, so they need no cryptographic randomness.
func newID(prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + idLength)
	b.WriteString(prefix)
	for range idLength {
		b.WriteByte(idAlphabet[rand.IntN(len(idAlphabet))])
	}
	return b.String()
}
