package wrapper

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/clerklists/clerklists/gen"
)

// The block-list operations, with the error statuses that openapi.yaml
// declares for each.
var (
	listBlocklistOperation   = operation{id: "ListBlocklistIdentifiers", method: http.MethodGet, declared: []int{401, 402}}
	createBlocklistOperation = operation{id: "CreateBlocklistIdentifier", method: http.MethodPost, declared: []int{400, 402, 422}}
	deleteBlocklistOperation = operation{id: "DeleteBlocklistIdentifier", method: http.MethodDelete, declared: []int{402, 404}}
)

// ListBlocklistIdentifiers returns the whole block-list with its total count.
// It calls ListBlocklistIdentifiers, GET /blocklist_identifiers.
func (c *Client) ListBlocklistIdentifiers(ctx context.Context, opts ...CallOption) (*gen.BlocklistIdentifiers, error) {
	op := &listBlocklistOperation
	resp, err := c.send(ctx, op, func(ctx context.Context, serverURL string) (*http.Request, error) {
		return newRequest(ctx, op.method, serverURL, "blocklist_identifiers", nil)
	}, opts)
	if err != nil {
		return nil, err
	}

	// TotalCount is a pointer here, unlike in gen's model, so that a
	// missing total_count is an error instead of a silent 0.
	var list struct {
		Data       []gen.BlocklistIdentifier `json:"data"`
		TotalCount *int64                    `json:"total_count"`
	}
	if err := decodeJSON(op, resp, "BlocklistIdentifiers", &list); err != nil {
		return nil, err
	}
	switch {
	case list.Data == nil:
		return nil, resp.decodeError(op, "response has no data array", nil)
	case list.TotalCount == nil:
		return nil, resp.decodeError(op, "response has no total_count", nil)
	}
	return &gen.BlocklistIdentifiers{Data: list.Data, TotalCount: *list.TotalCount}, nil
}

// CreateBlocklistIdentifier adds identifier to the block-list and returns the
// new entry. It calls CreateBlocklistIdentifier, POST /blocklist_identifiers.
func (c *Client) CreateBlocklistIdentifier(ctx context.Context, identifier string, opts ...CallOption) (*gen.BlocklistIdentifier, error) {
	op := &createBlocklistOperation
	if err := validateIdentifier(op.id, identifier); err != nil {
		return nil, err
	}

	body, err := json.Marshal(gen.CreateBlocklistIdentifierRequest{Identifier: identifier})
	if err != nil {
		return nil, &ArgumentError{Operation: op.id, Argument: "identifier", Reason: err.Error()}
	}
	return sendAndDecode[gen.BlocklistIdentifier](ctx, c, op, "blocklist_identifiers", body, "BlocklistIdentifier", opts)
}

// DeleteBlocklistIdentifier removes the block-list entry with the given
// identifier ID. It calls DeleteBlocklistIdentifier,
// DELETE /blocklist_identifiers/{identifier_id}.
func (c *Client) DeleteBlocklistIdentifier(ctx context.Context, identifierID string, opts ...CallOption) (*gen.DeletedObject, error) {
	return c.deleteIdentifier(ctx, &deleteBlocklistOperation, "blocklist_identifiers", identifierID, opts)
}
