package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"net/http"

	"github.com/clerklists/clerklists/gen"
)

// The allow-list operations, with the error statuses that openapi.yaml
// declares for each.
var (
	listAllowlistOperation   = operation{id: "ListAllowlistIdentifiers", method: http.MethodGet, declared: []int{401, 402}}
	createAllowlistOperation = operation{id: "CreateAllowlistIdentifier", method: http.MethodPost, declared: []int{400, 402, 422}}
	deleteAllowlistOperation = operation{id: "DeleteAllowlistIdentifier", method: http.MethodDelete, declared: []int{402, 404}}
)

// MaxListLimit is the largest page size Clerk accepts for the allow-list.
const MaxListLimit = 500

// ListAllowlistIdentifiersParams selects a page of the allow-list. The zero
// value requests Clerk's defaults: the first 10 identifiers, as a bare array.
type ListAllowlistIdentifiersParams struct {
	// Limit is the page size, from 1 to 500; 0 sends no limit, so Clerk
	// uses its default of 10.
	Limit int
	// Offset is the number of identifiers to skip; 0 or more.
	Offset int
	// Paginated requests the paginated shape, which also carries the
	// total number of identifiers.
	Paginated bool
}

// AllowlistIdentifierPage is one response of ListAllowlistIdentifiers.
type AllowlistIdentifierPage struct {
	// Data are the identifiers on this page, newest first.
	Data []gen.AllowlistIdentifier
	// TotalCount is the number of identifiers on the whole allow-list; nil
	// when Clerk sent the bare-array shape, which has no total.
	TotalCount *int64
}

// ListAllowlistIdentifiers returns a page of the allow-list.
// It calls ListAllowlistIdentifiers, GET /allowlist_identifiers.
// A nil params is the zero value.
func (c *Client) ListAllowlistIdentifiers(ctx context.Context, params *ListAllowlistIdentifiersParams, opts ...CallOption) (*AllowlistIdentifierPage, error) {
	op := &listAllowlistOperation
	var query *gen.ListAllowlistIdentifiersParams
	if params != nil {
		var err error
		if query, err = params.toGen(op.id); err != nil {
			return nil, err
		}
	}

	path := listAllowlistPath(query)
	resp, err := c.send(ctx, op, func(ctx context.Context, serverURL string) (*http.Request, error) {
		return newRequest(ctx, op.method, serverURL, path, nil)
	}, opts)
	if err != nil {
		return nil, err
	}
	return decodeAllowlistPage(op, resp)
}

func (p *ListAllowlistIdentifiersParams) toGen(operationID string) (*gen.ListAllowlistIdentifiersParams, error) {
	if p.Limit < 0 || p.Limit > MaxListLimit {
		return nil, &ArgumentError{Operation: operationID, Argument: "limit", Reason: fmt.Sprintf("limit %d is outside 1 to %d; pass 0 for Clerk's default of 10", p.Limit, MaxListLimit)}
	}
	if p.Offset < 0 {
		return nil, &ArgumentError{Operation: operationID, Argument: "offset", Reason: fmt.Sprintf("offset %d is negative; pass 0 or more", p.Offset)}
	}

	query := &gen.ListAllowlistIdentifiersParams{}
	if p.Limit != 0 {
		limit := p.Limit
		query.Limit = &limit
	}
	if p.Offset != 0 {
		offset := p.Offset
		query.Offset = &offset
	}
	if p.Paginated {
		paginated := true
		query.Paginated = &paginated
	}
	return query, nil
}

// decodeAllowlistPage accepts both shapes of the listing: a bare array, and
// the {data, total_count} object sent for paginated=true.
func decodeAllowlistPage(op *operation, resp *response) (*AllowlistIdentifierPage, error) {
	trimmed := bytes.TrimLeft(resp.body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list gen.AllowlistIdentifierList
		if err := decodeJSON(op, resp, "AllowlistIdentifierList", &list); err != nil {
			return nil, err
		}
		return &AllowlistIdentifierPage{Data: list}, nil
	}

	// TotalCount is a pointer here, unlike in gen's model, so that a
	// missing total_count is an error instead of a silent 0.
	var page struct {
		Data       []gen.AllowlistIdentifier `json:"data"`
		TotalCount *int64                    `json:"total_count"`
	}
	if err := decodeJSON(op, resp, "PaginatedAllowlistIdentifiers", &page); err != nil {
		return nil, err
	}
	switch {
	case page.Data == nil:
		return nil, resp.decodeError(op, "paginated response has no data array", nil)
	case page.TotalCount == nil:
		return nil, resp.decodeError(op, "paginated response has no total_count", nil)
	case *page.TotalCount < 0:
		return nil, resp.decodeError(op, fmt.Sprintf("paginated response has a negative total_count %d", *page.TotalCount), nil)
	}
	return &AllowlistIdentifierPage{Data: page.Data, TotalCount: page.TotalCount}, nil
}

// DefaultPageSize is the page size AllowlistIdentifiers uses when given 0.
const DefaultPageSize = 100

// AllowlistIdentifiers returns an iterator over the whole allow-list. It
// calls ListAllowlistIdentifiers with paginated=true, pageSize identifiers at
// a time (0 means DefaultPageSize; at most MaxListLimit), and stops after a
// page shorter than pageSize or when the offset reaches the total count. It
// fetches at most total_count/pageSize + 2 pages, with total_count from the
// first page, so that a server whose pages never end cannot keep it
// running. The iterator yields the first error and stops, including an
// *SDKError when the server sends the unpaginated shape or repeats a page.
// Options apply to each page's call: WithTimeout bounds one page, and the
// context bounds the whole iteration.
//
// NOTE: pages are fetched by offset, so an identifier created or deleted
// while iterating can shift the pages: one entry may be skipped or yielded
// twice.
func (c *Client) AllowlistIdentifiers(ctx context.Context, pageSize int, opts ...CallOption) iter.Seq2[gen.AllowlistIdentifier, error] {
	return func(yield func(gen.AllowlistIdentifier, error) bool) {
		operationID := listAllowlistOperation.id
		size := pageSize
		if size == 0 {
			size = DefaultPageSize
		}
		if size < 0 || size > MaxListLimit {
			reason := fmt.Sprintf("page size %d is outside 1 to %d; pass 0 for %d", size, MaxListLimit, DefaultPageSize)
			yield(gen.AllowlistIdentifier{}, &ArgumentError{Operation: operationID, Argument: "page size", Reason: reason})
			return
		}

		params := ListAllowlistIdentifiersParams{Limit: size, Paginated: true}
		guard := pageGuard{operationID: operationID, size: int64(size)}
		for {
			page, err := c.ListAllowlistIdentifiers(ctx, &params, opts...)
			if err != nil {
				yield(gen.AllowlistIdentifier{}, err)
				return
			}
			if err := guard.check(page); err != nil {
				yield(gen.AllowlistIdentifier{}, err)
				return
			}

			for _, item := range page.Data {
				if !yield(item, nil) {
					return
				}
			}
			params.Offset += len(page.Data)
			if len(page.Data) < size || int64(params.Offset) >= *page.TotalCount {
				return
			}
		}
	}
}

// pageGuard checks that the pages of one iteration form a consistent
// paginated listing, so that a server that ignores offset or sends pages
// without end cannot keep the iterator running.
type pageGuard struct {
	operationID string
	size        int64
	pages       int64  // pages checked so far
	maxPages    int64  // from the first page's total_count
	firstID     string // ID of the previous page's first entry
	hasFirstID  bool
}

// check returns an *SDKError when page is the unpaginated shape, goes past
// the number of pages that the first total count allows, or starts with the
// same entry as the previous page.
func (g *pageGuard) check(page *AllowlistIdentifierPage) error {
	inconsistent := func(message string) error {
		return &SDKError{Operation: g.operationID, StatusCode: 200, Message: message}
	}
	if page.TotalCount == nil {
		return inconsistent("server sent the unpaginated array shape although paginated=true was requested")
	}

	g.pages++
	if g.pages == 1 {
		// The quotient is clamped so that adding 2 cannot overflow.
		g.maxPages = *page.TotalCount / g.size
		if g.maxPages > math.MaxInt64-2 {
			g.maxPages = math.MaxInt64 - 2
		}
		g.maxPages += 2
	}
	if g.pages > g.maxPages {
		return inconsistent(fmt.Sprintf("server sent more than %d pages although the first page gave a total_count of %d", g.maxPages, *page.TotalCount))
	}

	if len(page.Data) > 0 && page.Data[0].Id != nil {
		id := *page.Data[0].Id
		if g.hasFirstID && id == g.firstID {
			return inconsistent("server sent the same page twice; offset is not applied")
		}
		g.firstID, g.hasFirstID = id, true
	}
	return nil
}

// CreateAllowlistIdentifier adds identifier to the allow-list and returns
// the new entry. With notify, Clerk also invites an email address or phone
// number to sign up. notify is always sent, false included.
// It calls CreateAllowlistIdentifier, POST /allowlist_identifiers.
func (c *Client) CreateAllowlistIdentifier(ctx context.Context, identifier string, notify bool, opts ...CallOption) (*gen.AllowlistIdentifier, error) {
	op := &createAllowlistOperation
	if err := validateIdentifier(op.id, identifier); err != nil {
		return nil, err
	}

	// The body is encoded once and each attempt reads a new reader over it,
	// so that a retry sends exactly the same bytes.
	body, err := json.Marshal(gen.CreateAllowlistIdentifierRequest{Identifier: identifier, Notify: &notify})
	if err != nil {
		return nil, &ArgumentError{Operation: op.id, Argument: "identifier", Reason: err.Error()}
	}
	return sendAndDecode[gen.AllowlistIdentifier](ctx, c, op, "allowlist_identifiers", body, "AllowlistIdentifier", opts)
}

// DeleteAllowlistIdentifier removes the allow-list entry with the given
// identifier ID. It calls DeleteAllowlistIdentifier,
// DELETE /allowlist_identifiers/{identifier_id}.
func (c *Client) DeleteAllowlistIdentifier(ctx context.Context, identifierID string, opts ...CallOption) (*gen.DeletedObject, error) {
	return c.deleteIdentifier(ctx, &deleteAllowlistOperation, "allowlist_identifiers", identifierID, opts)
}

// deleteIdentifier runs either delete operation; they differ only in the
// collection path, such as "allowlist_identifiers".
func (c *Client) deleteIdentifier(ctx context.Context, op *operation, collection, identifierID string, opts []CallOption) (*gen.DeletedObject, error) {
	if err := validateIdentifierID(op.id, identifierID); err != nil {
		return nil, err
	}
	return sendAndDecode[gen.DeletedObject](ctx, c, op, identifierPath(collection, identifierID), nil, "DeletedObject", opts)
}

// sendAndDecode runs one call with send and decodes its successful body
// into a new T. path is relative to the server URL, and body, when not nil,
// is sent unchanged on every attempt. schema names T in the error.
func sendAndDecode[T any](ctx context.Context, c *Client, op *operation, path string, body []byte, schema string, opts []CallOption) (*T, error) {
	resp, err := c.send(ctx, op, func(ctx context.Context, serverURL string) (*http.Request, error) {
		return newRequest(ctx, op.method, serverURL, path, body)
	}, opts)
	if err != nil {
		return nil, err
	}

	var decoded T
	if err := decodeJSON(op, resp, schema, &decoded); err != nil {
		return nil, err
	}
	return &decoded, nil
}

// decodeJSON decodes a successful response body into v. A body that is not
// JSON of the expected shape is an SDKError carrying the status; schema
// names the expected shape in its message, such as "DeletedObject".
func decodeJSON(op *operation, resp *response, schema string, v any) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return resp.decodeError(op, fmt.Sprintf("response body does not decode as %s: %v", schema, err), err)
	}
	return nil
}
