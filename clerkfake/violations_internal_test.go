package clerkfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// TestResponseBreakingSpecIsRecorded feeds writeValidated a response that no
// operation returns, because a bug in the fake cannot be reached through the
// exported API.
func TestResponseBreakingSpecIsRecorded(t *testing.T) {
	tests := []struct {
		name string
		resp response
	}{
		{name: "missing required field", resp: success(map[string]any{"data": []any{}})},
		{name: "unknown field", resp: success(identifierPage{Data: []identifier{{Object: "blocklist_identifier", InvitationID: "inv_x"}}})},
		{name: "wrong enum value", resp: success(identifierPage{Data: []identifier{{Object: "allowlist_identifier"}}, TotalCount: 1})},
		{name: "error body without code", resp: response{status: http.StatusUnauthorized, body: map[string]any{"errors": []any{map[string]any{"message": "m"}}}}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := NewHandler()
			if err != nil {
				t.Fatalf("NewHandler() error = %v", err)
			}
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/blocklist_identifiers", nil)
			route, pathParams, apiErr := srv.validator.findRoute(req)
			if apiErr != nil {
				t.Fatalf("findRoute() error = %s", apiErr.longMessage)
			}
			input := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route}

			recorder := httptest.NewRecorder()
			srv.writeValidated(recorder, "trace", input, tt.resp)

			if recorder.Code != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", recorder.Code)
			}
			var body clerkErrors
			if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
				t.Fatalf("decode body %q: %v", recorder.Body.Bytes(), err)
			}
			if len(body.Errors) != 1 || body.Errors[0].Code != codeInternalClerkError {
				t.Fatalf("body = %s, want one error with code %s", recorder.Body.Bytes(), codeInternalClerkError)
			}
			if !strings.Contains(body.Errors[0].Message, "does not match openapi.yaml") {
				t.Errorf("message = %q, want it to name the spec violation", body.Errors[0].Message)
			}

			violations := srv.SpecViolations()
			if len(violations) != 1 {
				t.Fatalf("SpecViolations() = %q, want one", violations)
			}
			if !strings.HasPrefix(violations[0], OperationListBlocklistIdentifiers+":") {
				t.Errorf("SpecViolations()[0] = %q, want it to start with the operation ID", violations[0])
			}
		})
	}
}
