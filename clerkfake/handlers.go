package clerkfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// Operation IDs of the six operations in openapi.yaml, for Fault.OperationID
// and Server.Requests.
const (
	OperationListAllowlistIdentifiers  = "ListAllowlistIdentifiers"
	OperationCreateAllowlistIdentifier = "CreateAllowlistIdentifier"
	OperationDeleteAllowlistIdentifier = "DeleteAllowlistIdentifier"
	OperationListBlocklistIdentifiers  = "ListBlocklistIdentifiers"
	OperationCreateBlocklistIdentifier = "CreateBlocklistIdentifier"
	OperationDeleteBlocklistIdentifier = "DeleteBlocklistIdentifier"
)

// handledOperationIDs returns the operation IDs that serveOperation handles,
// sorted.
func handledOperationIDs() []string {
	return []string{
		OperationCreateAllowlistIdentifier,
		OperationCreateBlocklistIdentifier,
		OperationDeleteAllowlistIdentifier,
		OperationDeleteBlocklistIdentifier,
		OperationListAllowlistIdentifiers,
		OperationListBlocklistIdentifiers,
	}
}

// Defaults of the limit and offset query parameters, as in openapi.yaml.
const (
	defaultLimit  = 10
	defaultOffset = 0
)

// response is a status with either a success body or, when err is not nil, a
// ClerkErrors body built from err.
type response struct {
	status int
	body   any
	err    *apiError
}

func success(body any) response {
	return response{status: http.StatusOK, body: body}
}

func failure(err *apiError) response {
	return response{status: err.status, err: err}
}

// deletedObject is the JSON shape of the DeletedObject schema.
type deletedObject struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// identifierPage is the JSON shape of the PaginatedAllowlistIdentifiers and
// BlocklistIdentifiers schemas.
type identifierPage struct {
	Data       []identifier `json:"data"`
	TotalCount int          `json:"total_count"`
}

// serveOperation runs the operation that input was routed to. The request has
// passed authentication and validation against openapi.yaml.
func (s *Server) serveOperation(input *openapi3filter.RequestValidationInput) response {
	r := input.Request
	switch operationID := input.Route.Operation.OperationID; operationID {
	case OperationListAllowlistIdentifiers:
		return s.listAllowlistIdentifiers(r.URL.Query())
	case OperationCreateAllowlistIdentifier:
		return s.createIdentifier(r, &s.store.allowlist)
	case OperationDeleteAllowlistIdentifier:
		return s.deleteIdentifier(input.PathParams, &s.store.allowlist)
	case OperationListBlocklistIdentifiers:
		return s.listBlocklistIdentifiers()
	case OperationCreateBlocklistIdentifier:
		return s.createIdentifier(r, &s.store.blocklist)
	case OperationDeleteBlocklistIdentifier:
		return s.deleteIdentifier(input.PathParams, &s.store.blocklist)
	default:
		return failure(errInternal(fmt.Sprintf("no handler for operation %s", operationID)))
	}
}

// listAllowlistIdentifiers returns a bare array, or a page with the total when
// paginated is true. Limit and offset apply to both shapes.
func (s *Server) listAllowlistIdentifiers(query url.Values) response {
	paginated, err := boolParam(query, "paginated")
	if err != nil {
		return failure(err)
	}
	limit, err := intParam(query, "limit", defaultLimit)
	if err != nil {
		return failure(err)
	}
	offset, err := intParam(query, "offset", defaultOffset)
	if err != nil {
		return failure(err)
	}

	entries, total := s.store.page(&s.store.allowlist, limit, offset)
	if paginated {
		return success(identifierPage{Data: entries, TotalCount: total})
	}
	return success(entries)
}

// listBlocklistIdentifiers returns the whole block-list, newest first, because
// the operation takes no limit or offset.
func (s *Server) listBlocklistIdentifiers() response {
	entries, total := s.store.page(&s.store.blocklist, math.MaxInt, 0)
	return success(identifierPage{Data: entries, TotalCount: total})
}

func (s *Server) createIdentifier(r *http.Request, list *identifierList) response {
	// Validation has rejected unknown properties, wrong types, null values
	// and data after the JSON object, so decoding into this struct loses
	// nothing. A missing notify stays false, its default in openapi.yaml.
	var body struct {
		Identifier string `json:"identifier"`
		Notify     bool   `json:"notify"`
	}
	err := json.NewDecoder(r.Body).Decode(&body)
	if errors.Is(err, io.EOF) {
		return failure(errIdentifierMissing())
	}
	if err != nil {
		return failure(errInternal(fmt.Sprintf("decode validated request body: %v", err)))
	}

	entry, apiErr := s.store.create(list, body.Identifier, body.Notify, time.Now())
	if apiErr != nil {
		return failure(apiErr)
	}
	return success(entry)
}

func (s *Server) deleteIdentifier(pathParams map[string]string, list *identifierList) response {
	// The router leaves path parameters percent-encoded.
	id, err := url.PathUnescape(pathParams["identifier_id"])
	if err != nil {
		id = pathParams["identifier_id"]
	}

	if apiErr := s.store.remove(list, id); apiErr != nil {
		return failure(apiErr)
	}
	return success(deletedObject{Object: list.object, ID: id, Deleted: true})
}

// boolParam and intParam parse query parameters that validation has already
// checked, so their errors only show a bug in the fake.
func boolParam(query url.Values, name string) (bool, *apiError) {
	raw := query.Get(name)
	if raw == "" {
		return false, nil
	}
	value, err := strconv.ParseBool(raw)
	if err != nil {
		return false, errInternal(fmt.Sprintf("parse validated query parameter %s: %v", name, err))
	}
	return value, nil
}

func intParam(query url.Values, name string, defaultValue int) (int, *apiError) {
	raw := query.Get(name)
	if raw == "" {
		return defaultValue, nil
	}
	value, err := strconv.Atoi(raw)
	if err != nil {
		return 0, errInternal(fmt.Sprintf("parse validated query parameter %s: %v", name, err))
	}
	return value, nil
}
