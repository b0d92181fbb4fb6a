package wrapper

import (
	"strings"
	"unicode/utf8"
)

// validateIdentifier rejects an identifier that Clerk could never accept.
// The identifier itself is never quoted in the error, because it is
// personal data such as an email address.
func validateIdentifier(operationID, identifier string) error {
	switch {
	case identifier == "":
		return &ArgumentError{Operation: operationID, Argument: "identifier", Reason: "identifier is empty; pass an email address, phone number, web3 wallet or *@domain pattern"}
	case strings.TrimSpace(identifier) == "":
		return &ArgumentError{Operation: operationID, Argument: "identifier", Reason: "identifier is only whitespace; pass an email address, phone number, web3 wallet or *@domain pattern"}
	case !utf8.ValidString(identifier):
		return &ArgumentError{Operation: operationID, Argument: "identifier", Reason: "identifier is not valid UTF-8"}
	}
	return nil
}

// validateIdentifierID rejects IDs that cannot name one path segment. Any
// other ID is sent percent-escaped as a single segment. "." and ".." are
// rejected because URL resolution would turn them into another path, such
// as the list endpoint.
func validateIdentifierID(operationID, identifierID string) error {
	switch {
	case identifierID == "":
		return &ArgumentError{Operation: operationID, Argument: "identifier ID", Reason: "identifier ID is empty; pass the id returned when the identifier was created"}
	case strings.TrimSpace(identifierID) == "":
		return &ArgumentError{Operation: operationID, Argument: "identifier ID", Reason: "identifier ID is only whitespace; pass the id returned when the identifier was created"}
	case identifierID == "." || identifierID == "..":
		return &ArgumentError{Operation: operationID, Argument: "identifier ID", Reason: `identifier ID "` + identifierID + `" would change the request path; pass the id returned when the identifier was created`}
	case !utf8.ValidString(identifierID):
		return &ArgumentError{Operation: operationID, Argument: "identifier ID", Reason: "identifier ID is not valid UTF-8"}
	}
	return nil
}
