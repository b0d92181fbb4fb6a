package tests

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

// Errors that the fake itself sends, as clerkfake documents them.
var (
	clientKeyInvalidError = wrapper.ClerkError{
		Code:        "clerk_key_invalid",
		Message:     "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
		LongMessage: "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
	}
	clientFormatInvalidError = wrapper.ClerkError{
		Code:    "form_param_format_invalid",
		Message: "is invalid",
		LongMessage: "identifier must be an email address, a *@domain pattern, a phone number " +
			"(+ followed by digits) or a web3 wallet address (0x followed by 40 hexadecimal digits).",
		Meta: map[string]any{"param_name": "identifier"},
	}
)

// clientIdentifierExistsError is the fake's 422 for a duplicate on the list
// named listName ("allow-list" or "block-list").
func clientIdentifierExistsError(listName string) wrapper.ClerkError {
	return wrapper.ClerkError{
		Code:        "form_identifier_exists",
		Message:     "That identifier is taken. Please try another.",
		LongMessage: "The identifier is already on the " + listName + ".",
		Meta:        map[string]any{"param_name": "identifier"},
	}
}

// clientNotFoundError is the fake's 404 for an unknown identifier ID.
func clientNotFoundError(listName, identifierID string) wrapper.ClerkError {
	return wrapper.ClerkError{
		Code:        "resource_not_found",
		Message:     "not found",
		LongMessage: fmt.Sprintf("No %s entry has the identifier ID %q.", listName, identifierID),
	}
}

// clientPaymentRequiredError is a 402 entry as Clerk sends it for a feature
// outside the instance's plan.
var clientPaymentRequiredError = wrapper.ClerkError{
	Code:        "feature_not_enabled",
	Message:     "not available on your plan",
	LongMessage: "Allow-lists and block-lists are not included in the instance's current plan.",
	Meta:        map[string]any{"feature": "restrictions"},
}

func TestClientDeclaredStatusClerkErrors(t *testing.T) {
	t.Parallel()
	badRequest := wrapper.ClerkError{
		Code:        "form_param_unknown",
		Message:     "is unknown",
		LongMessage: "notify is not a valid parameter for this request.",
		Meta:        map[string]any{"param_name": "notify"},
	}
	planMeta := map[string]any{"plan": "free", "upgrade": true}

	tests := []struct {
		name      string
		operation clientOperation
		status    int
		// wrongKey sends clientWrongSecretKey, so that the fake returns 401.
		wrongKey bool
		// target replaces the operation's target. The value "duplicate"
		// creates the operation's target first instead, so that the call
		// gets the fake's 422.
		target string
		// fault, if not nil, replaces the fake's response. Its body is built
		// from wantErrors, wantMeta and bodyTraceID.
		fault       *clerkfake.Fault
		bodyTraceID string
		wantErrors  []wrapper.ClerkError
		wantMeta    map[string]any
	}{
		{
			name: "ListAllowlistIdentifiers 401 wrong key", operation: clientOpListAllowlist, status: 401,
			wrongKey: true, wantErrors: []wrapper.ClerkError{clientKeyInvalidError},
		},
		{
			name: "ListAllowlistIdentifiers 402 with charset", operation: clientOpListAllowlist, status: 402,
			fault:       &clerkfake.Fault{ContentType: "application/json; charset=utf-8"},
			bodyTraceID: "trace_list_allowlist_402",
			wantErrors:  []wrapper.ClerkError{clientPaymentRequiredError}, wantMeta: planMeta,
		},
		{
			name: "CreateAllowlistIdentifier 400", operation: clientOpCreateAllowlist, status: 400,
			fault:      &clerkfake.Fault{},
			wantErrors: []wrapper.ClerkError{badRequest},
		},
		{
			name: "CreateAllowlistIdentifier 402", operation: clientOpCreateAllowlist, status: 402,
			fault:       &clerkfake.Fault{ContentType: "application/json;charset=UTF-8"},
			bodyTraceID: "trace_create_allowlist_402",
			wantErrors:  []wrapper.ClerkError{clientPaymentRequiredError}, wantMeta: planMeta,
		},
		{
			name: "CreateAllowlistIdentifier 422 duplicate", operation: clientOpCreateAllowlist, status: 422,
			target: "duplicate", wantErrors: []wrapper.ClerkError{clientIdentifierExistsError("allow-list")},
		},
		{
			name: "CreateAllowlistIdentifier 422 invalid format", operation: clientOpCreateAllowlist, status: 422,
			target: "not-an-identifier", wantErrors: []wrapper.ClerkError{clientFormatInvalidError},
		},
		{
			name: "DeleteAllowlistIdentifier 402 with two errors", operation: clientOpDeleteAllowlist, status: 402,
			fault:       &clerkfake.Fault{},
			bodyTraceID: "trace_delete_allowlist_402",
			wantErrors: []wrapper.ClerkError{clientPaymentRequiredError, {
				Code: "billing_account_suspended", Message: "billing suspended", LongMessage: "The billing account is suspended.",
			}},
		},
		{
			name: "DeleteAllowlistIdentifier 404 unknown ID", operation: clientOpDeleteAllowlist, status: 404,
			target: "alid_missing", wantErrors: []wrapper.ClerkError{clientNotFoundError("allow-list", "alid_missing")},
		},
		{
			name: "ListBlocklistIdentifiers 401 wrong key", operation: clientOpListBlocklist, status: 401,
			wrongKey: true, wantErrors: []wrapper.ClerkError{clientKeyInvalidError},
		},
		{
			name: "ListBlocklistIdentifiers 402", operation: clientOpListBlocklist, status: 402,
			fault:       &clerkfake.Fault{},
			bodyTraceID: "trace_list_blocklist_402",
			wantErrors:  []wrapper.ClerkError{clientPaymentRequiredError},
		},
		{
			name: "CreateBlocklistIdentifier 400 with charset", operation: clientOpCreateBlocklist, status: 400,
			fault:      &clerkfake.Fault{ContentType: "application/json; charset=utf-8"},
			wantErrors: []wrapper.ClerkError{badRequest}, wantMeta: map[string]any{"request": "rejected"},
		},
		{
			name: "CreateBlocklistIdentifier 402", operation: clientOpCreateBlocklist, status: 402,
			fault:       &clerkfake.Fault{},
			bodyTraceID: "trace_create_blocklist_402",
			wantErrors:  []wrapper.ClerkError{clientPaymentRequiredError}, wantMeta: planMeta,
		},
		{
			name: "CreateBlocklistIdentifier 422 duplicate", operation: clientOpCreateBlocklist, status: 422,
			target: "duplicate", wantErrors: []wrapper.ClerkError{clientIdentifierExistsError("block-list")},
		},
		{
			name: "CreateBlocklistIdentifier 422 invalid format", operation: clientOpCreateBlocklist, status: 422,
			target: "not-an-identifier", wantErrors: []wrapper.ClerkError{clientFormatInvalidError},
		},
		{
			name: "DeleteBlocklistIdentifier 402", operation: clientOpDeleteBlocklist, status: 402,
			fault:      &clerkfake.Fault{ContentType: "application/json; charset=utf-8"},
			wantErrors: []wrapper.ClerkError{clientPaymentRequiredError},
		},
		{
			name: "DeleteBlocklistIdentifier 404 unknown ID", operation: clientOpDeleteBlocklist, status: 404,
			target: "blid_missing", wantErrors: []wrapper.ClerkError{clientNotFoundError("block-list", "blid_missing")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := clientStartFake(t)
			client, traces := f.client, f.traces
			if tt.wrongKey {
				client, traces = f.newClientWithKey(t, clientWrongSecretKey)
			}

			target := tt.operation.target
			switch tt.target {
			case "":
			case "duplicate":
				clientCheckNoError(t, tt.operation.operationID+"(first)", tt.operation.call(clientCallContext(t), f.client, target))
			default:
				target = tt.target
			}
			if tt.fault != nil {
				fault := *tt.fault
				fault.OperationID = tt.operation.operationID
				fault.Status = tt.status
				fault.Body = clientClerkErrorsBody(t, tt.wantErrors, tt.wantMeta, tt.bodyTraceID)
				f.failNext(t, 1, fault)
			}
			requestsBefore := f.Requests(tt.operation.operationID)

			call := fmt.Sprintf("%s(%q)", tt.operation.operationID, target)
			err := tt.operation.call(clientCallContext(t), client, target)
			got := clientAsClerkErrors(t, call, err)

			// The fake's own error bodies repeat the Clerk-Trace-Id header in
			// clerk_trace_id. A fault body without clerk_trace_id leaves the
			// header as the only source.
			wantTraceID := tt.bodyTraceID
			if wantTraceID == "" {
				wantTraceID = traces.last()
				if wantTraceID == "" {
					t.Errorf("%s response had no Clerk-Trace-Id header, want one from the fake", call)
				}
			}
			want := &wrapper.ClerkErrors{
				Operation:  tt.operation.operationID,
				StatusCode: tt.status,
				Errors:     tt.wantErrors,
				Meta:       tt.wantMeta,
				TraceID:    wantTraceID,
				Attempts:   1,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s error = %+v, want %+v", call, *got, *want)
			}

			message := err.Error()
			for _, part := range []string{tt.operation.operationID, fmt.Sprint(tt.status), tt.wantErrors[0].Code, tt.wantErrors[0].Message, wantTraceID} {
				if !strings.Contains(message, part) {
					t.Errorf("%s error = %q, want it to contain %q", call, message, part)
				}
			}
			if extra := len(tt.wantErrors) - 1; extra > 0 {
				if want := fmt.Sprintf("(and %d more)", extra); !strings.Contains(message, want) {
					t.Errorf("%s error = %q, want it to contain %q", call, message, want)
				}
			}
			// The fake's 401 repeats its message as long_message, so only a
			// distinct LongMessage can show that Error() leaves it out.
			if long := tt.wantErrors[0].LongMessage; long != tt.wantErrors[0].Message && strings.Contains(message, long) {
				t.Errorf("%s error = %q, want no LongMessage %q in it", call, message, long)
			}
			if target != "" && strings.Contains(message, target) {
				t.Errorf("%s error = %q, want no identifier or identifier ID in it", call, message)
			}
			if got := f.Requests(tt.operation.operationID) - requestsBefore; got != 1 {
				t.Errorf("%s sent %d requests, want 1", call, got)
			}
		})
	}
}

func TestClientClerkErrorsTraceID(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		headerID    string // "" sends no Clerk-Trace-Id header
		bodyTraceID string // "" leaves clerk_trace_id out of the body
		emptyInBody bool   // sends "clerk_trace_id": "" in the body
		wantTraceID string
	}{
		{name: "body and header", headerID: "trace_header", bodyTraceID: "trace_body", wantTraceID: "trace_body"},
		{name: "header only", headerID: "trace_header", wantTraceID: "trace_header"},
		{name: "empty in body", headerID: "trace_header", emptyInBody: true, wantTraceID: "trace_header"},
		{name: "body only", bodyTraceID: "trace_body", wantTraceID: "trace_body"},
		{name: "neither", wantTraceID: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := string(clientClerkErrorsBody(t, []wrapper.ClerkError{clientPaymentRequiredError}, nil, tt.bodyTraceID))
			if tt.emptyInBody {
				body = strings.Replace(body, `"errors":`, `"clerk_trace_id":"","errors":`, 1)
			}
			server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
				if tt.headerID != "" {
					w.Header().Set("Clerk-Trace-Id", tt.headerID)
				}
				clientWriteResponse(w, http.StatusPaymentRequired, "application/json", body)
			})
			client, _ := clientNewClient(t, server.url, clientSecretKey)

			_, err := client.ListBlocklistIdentifiers(clientCallContext(t))
			got := clientAsClerkErrors(t, "ListBlocklistIdentifiers()", err)
			if got.TraceID != tt.wantTraceID {
				t.Errorf("ListBlocklistIdentifiers() error TraceID = %q, want %q (body %s)", got.TraceID, tt.wantTraceID, body)
			}
		})
	}
}

func TestClientErrorContentTypes(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name          string
		contentType   string // "" sends no Content-Type header
		wantClerkJSON bool
	}{
		{name: "plain", contentType: "application/json", wantClerkJSON: true},
		{name: "charset", contentType: "application/json; charset=utf-8", wantClerkJSON: true},
		{name: "charset without space", contentType: "application/json;charset=UTF-8", wantClerkJSON: true},
		{name: "upper case", contentType: "Application/JSON", wantClerkJSON: true},
		{name: "problem JSON", contentType: "application/problem+json", wantClerkJSON: false},
		{name: "text", contentType: "text/plain; charset=utf-8", wantClerkJSON: false},
		{name: "missing", contentType: "", wantClerkJSON: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := string(clientClerkErrorsBody(t, []wrapper.ClerkError{clientNotFoundError("allow-list", "alid_1")}, nil, "trace_content_type"))
			server := clientStartScripted(t, func(w http.ResponseWriter, r *http.Request, number int) {
				clientWriteResponse(w, http.StatusNotFound, tt.contentType, body)
			})
			client, _ := clientNewClient(t, server.url, clientSecretKey)

			_, err := client.DeleteAllowlistIdentifier(clientCallContext(t), "alid_1")
			call := fmt.Sprintf("DeleteAllowlistIdentifier(%q) with Content-Type %q", "alid_1", tt.contentType)
			if tt.wantClerkJSON {
				got := clientAsClerkErrors(t, call, err)
				if got.StatusCode != http.StatusNotFound {
					t.Errorf("%s error StatusCode = %d, want 404", call, got.StatusCode)
				}
				if len(got.Errors) != 1 || got.Errors[0].Code != "resource_not_found" {
					t.Errorf("%s error Errors = %+v, want one with code resource_not_found", call, got.Errors)
				}
				return
			}
			got := clientAsSDKError(t, call, err)
			if got.StatusCode != http.StatusNotFound {
				t.Errorf("%s error StatusCode = %d, want 404", call, got.StatusCode)
			}
			if got.ContentType != tt.contentType {
				t.Errorf("%s error ContentType = %q, want %q", call, got.ContentType, tt.contentType)
			}
			if string(got.Body) != body {
				t.Errorf("%s error Body = %q, want %q", call, got.Body, body)
			}
		})
	}
}

func TestClientErrorResponseSDKError(t *testing.T) {
	t.Parallel()
	clerkBody := func(t *testing.T, code string) []byte {
		return clientClerkErrorsBody(t, []wrapper.ClerkError{{Code: code, Message: code, LongMessage: code}}, nil, "trace_"+code)
	}
	const (
		undeclared = "status not declared for this operation"
		notJSON    = "error response is not JSON"
		emptyBody  = "error response with an empty body"
		notClerk   = "error response is not Clerk's error JSON"
	)

	tests := []struct {
		name      string
		operation clientOperation
		// wrongKey sends clientWrongSecretKey, so that the fake returns 401.
		wrongKey bool
		// fault, if not nil, replaces the fake's response, and body builds
		// its body.
		fault           *clerkfake.Fault
		body            func(t *testing.T) []byte
		wantStatus      int
		wantContentType string
		wantBodyPart    string // the body must contain it; the fault body must match exactly
		wantMessage     string
	}{
		{name: "CreateAllowlistIdentifier 401 undeclared", operation: clientOpCreateAllowlist, wrongKey: true,
			wantStatus: 401, wantContentType: "application/json", wantBodyPart: `"code":"clerk_key_invalid"`, wantMessage: undeclared},
		{name: "CreateBlocklistIdentifier 401 undeclared", operation: clientOpCreateBlocklist, wrongKey: true,
			wantStatus: 401, wantContentType: "application/json", wantBodyPart: `"code":"clerk_key_invalid"`, wantMessage: undeclared},
		{name: "DeleteAllowlistIdentifier 401 undeclared", operation: clientOpDeleteAllowlist, wrongKey: true,
			wantStatus: 401, wantContentType: "application/json", wantBodyPart: `"code":"clerk_key_invalid"`, wantMessage: undeclared},
		{name: "DeleteBlocklistIdentifier 401 undeclared", operation: clientOpDeleteBlocklist, wrongKey: true,
			wantStatus: 401, wantContentType: "application/json", wantBodyPart: `"code":"clerk_key_invalid"`, wantMessage: undeclared},
		{name: "ListAllowlistIdentifiers 409 with ClerkErrors body", operation: clientOpListAllowlist,
			fault: &clerkfake.Fault{Status: 409}, body: func(t *testing.T) []byte { return clerkBody(t, "conflict") },
			wantStatus: 409, wantContentType: "application/json", wantMessage: undeclared},
		{name: "CreateBlocklistIdentifier 409 with ClerkErrors body", operation: clientOpCreateBlocklist,
			fault: &clerkfake.Fault{Status: 409}, body: func(t *testing.T) []byte { return clerkBody(t, "conflict") },
			wantStatus: 409, wantContentType: "application/json", wantMessage: undeclared},
		{name: "ListBlocklistIdentifiers 418 with ClerkErrors body", operation: clientOpListBlocklist,
			fault: &clerkfake.Fault{Status: 418}, body: func(t *testing.T) []byte { return clerkBody(t, "teapot") },
			wantStatus: 418, wantContentType: "application/json", wantMessage: undeclared},
		{name: "CreateAllowlistIdentifier 500 with ClerkErrors body", operation: clientOpCreateAllowlist,
			fault: &clerkfake.Fault{Status: 500}, body: func(t *testing.T) []byte { return clerkBody(t, "internal_clerk_error") },
			wantStatus: 500, wantContentType: "application/json", wantMessage: undeclared},
		{name: "DeleteBlocklistIdentifier 500 with ClerkErrors body and charset", operation: clientOpDeleteBlocklist,
			fault: &clerkfake.Fault{Status: 500, ContentType: "application/json; charset=utf-8"}, body: func(t *testing.T) []byte { return clerkBody(t, "internal_clerk_error") },
			wantStatus: 500, wantContentType: "application/json; charset=utf-8", wantMessage: undeclared},
		{name: "ListAllowlistIdentifiers 402 HTML", operation: clientOpListAllowlist,
			fault: &clerkfake.Fault{Status: 402, ContentType: "text/html"}, body: func(*testing.T) []byte { return []byte("<h1>Payment required</h1>") },
			wantStatus: 402, wantContentType: "text/html", wantMessage: notJSON},
		{name: "DeleteAllowlistIdentifier 404 HTML from a proxy", operation: clientOpDeleteAllowlist,
			fault: &clerkfake.Fault{Status: 404, ContentType: "text/html; charset=utf-8"}, body: func(*testing.T) []byte { return []byte("<html><body>Not Found</body></html>") },
			wantStatus: 404, wantContentType: "text/html; charset=utf-8", wantMessage: notJSON},
		{name: "ListBlocklistIdentifiers 502 HTML from a proxy", operation: clientOpListBlocklist,
			fault: &clerkfake.Fault{Status: 502, ContentType: "text/html"}, body: func(*testing.T) []byte { return []byte("<h1>502 Bad Gateway</h1>") },
			wantStatus: 502, wantContentType: "text/html", wantMessage: undeclared},
		{name: "CreateAllowlistIdentifier 422 empty body", operation: clientOpCreateAllowlist,
			fault: &clerkfake.Fault{Status: 422}, body: func(*testing.T) []byte { return []byte{} },
			wantStatus: 422, wantContentType: "", wantMessage: emptyBody},
		{name: "ListBlocklistIdentifiers 401 empty body", operation: clientOpListBlocklist,
			fault: &clerkfake.Fault{Status: 401}, body: func(*testing.T) []byte { return []byte{} },
			wantStatus: 401, wantContentType: "", wantMessage: emptyBody},
		{name: "DeleteBlocklistIdentifier 404 empty body", operation: clientOpDeleteBlocklist,
			fault: &clerkfake.Fault{Status: 404}, body: func(*testing.T) []byte { return []byte{} },
			wantStatus: 404, wantContentType: "", wantMessage: emptyBody},
		{name: "CreateBlocklistIdentifier 400 JSON of another shape", operation: clientOpCreateBlocklist,
			fault: &clerkfake.Fault{Status: 400}, body: func(*testing.T) []byte { return []byte(`{"error":"bad request"}`) },
			wantStatus: 400, wantContentType: "application/json", wantMessage: notClerk},
		{name: "DeleteAllowlistIdentifier 402 JSON array", operation: clientOpDeleteAllowlist,
			fault: &clerkfake.Fault{Status: 402}, body: func(*testing.T) []byte { return []byte(`["payment required"]`) },
			wantStatus: 402, wantContentType: "application/json", wantMessage: notClerk},
		{name: "CreateAllowlistIdentifier 422 ClerkErrors entry without code", operation: clientOpCreateAllowlist,
			fault: &clerkfake.Fault{Status: 422}, body: func(*testing.T) []byte {
				return []byte(`{"errors":[{"message":"is invalid","long_message":"is invalid"}]}`)
			},
			wantStatus: 422, wantContentType: "application/json", wantMessage: notClerk},
		{name: "ListAllowlistIdentifiers 401 problem JSON", operation: clientOpListAllowlist,
			fault: &clerkfake.Fault{Status: 401, ContentType: "application/problem+json"}, body: func(*testing.T) []byte { return []byte(`{"title":"Unauthorized","status":401}`) },
			wantStatus: 401, wantContentType: "application/problem+json", wantMessage: notJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Without retries, so that a 5XX gives one attempt.
			f := clientStartFake(t, wrapper.WithRetryConfig(clientNoRetry()))
			client := f.client
			if tt.wrongKey {
				client, _ = f.newClientWithKey(t, clientWrongSecretKey, wrapper.WithRetryConfig(clientNoRetry()))
			}
			var wantBody []byte
			if tt.fault != nil {
				fault := *tt.fault
				fault.OperationID = tt.operation.operationID
				fault.Body = tt.body(t)
				wantBody = fault.Body
				f.failNext(t, 1, fault)
			}

			call := fmt.Sprintf("%s(%q)", tt.operation.operationID, tt.operation.target)
			err := tt.operation.call(clientCallContext(t), client, tt.operation.target)
			got := clientAsSDKError(t, call, err)

			if got.Operation != tt.operation.operationID {
				t.Errorf("%s error Operation = %q, want %q", call, got.Operation, tt.operation.operationID)
			}
			if got.StatusCode != tt.wantStatus {
				t.Errorf("%s error StatusCode = %d, want %d", call, got.StatusCode, tt.wantStatus)
			}
			if got.ContentType != tt.wantContentType {
				t.Errorf("%s error ContentType = %q, want %q", call, got.ContentType, tt.wantContentType)
			}
			if wantBody != nil && string(got.Body) != string(wantBody) {
				t.Errorf("%s error Body = %q, want %q", call, got.Body, wantBody)
			}
			if !strings.Contains(string(got.Body), tt.wantBodyPart) {
				t.Errorf("%s error Body = %q, want it to contain %q", call, got.Body, tt.wantBodyPart)
			}
			if got.BodyTruncated {
				t.Errorf("%s error BodyTruncated = true, want false", call)
			}
			if got.Message != tt.wantMessage {
				t.Errorf("%s error Message = %q, want %q", call, got.Message, tt.wantMessage)
			}
			if got.TraceID == "" {
				t.Errorf("%s error TraceID = %q, want the Clerk-Trace-Id header of the fake", call, got.TraceID)
			}
			if got.Attempts != 1 {
				t.Errorf("%s error Attempts = %d, want 1", call, got.Attempts)
			}
			if len(got.Body) > 0 && strings.Contains(err.Error(), string(got.Body)) {
				t.Errorf("%s error = %q, want no response body in it", call, err)
			}
			if want := fmt.Sprint(tt.wantStatus); !strings.Contains(err.Error(), want) {
				t.Errorf("%s error = %q, want it to contain the status %s", call, err, want)
			}
			if got := f.Requests(tt.operation.operationID); got != 1 {
				t.Errorf("%s sent %d requests, want 1", call, got)
			}
		})
	}
}

func TestClientUndecodableSuccessSDKError(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		operation   clientOperation
		status      int
		contentType string
		body        string
		wantMessage string // a part of SDKError.Message
		wantErr     bool   // SDKError.Err contains the decoding error
	}{
		{name: "ListAllowlistIdentifiers HTML", operation: clientOpListAllowlist, status: 200, contentType: "text/html",
			body: "<html>maintenance</html>", wantMessage: "does not decode", wantErr: true},
		{name: "ListAllowlistIdentifiers page without data", operation: clientOpListAllowlist, status: 200,
			body: `{"total_count":3}`, wantMessage: "no data array"},
		{name: "ListAllowlistIdentifiers wrong field type", operation: clientOpListAllowlist, status: 200,
			body: `[{"id":5}]`, wantMessage: "does not decode", wantErr: true},
		{name: "CreateAllowlistIdentifier array", operation: clientOpCreateAllowlist, status: 200,
			body: `[]`, wantMessage: "does not decode", wantErr: true},
		{name: "CreateAllowlistIdentifier 201 truncated JSON", operation: clientOpCreateAllowlist, status: 201,
			body: `{"object":"allowlist_identifier","id":`, wantMessage: "does not decode", wantErr: true},
		{name: "DeleteAllowlistIdentifier not JSON", operation: clientOpDeleteAllowlist, status: 200, contentType: "text/plain",
			body: "deleted", wantMessage: "does not decode", wantErr: true},
		{name: "ListBlocklistIdentifiers object without data", operation: clientOpListBlocklist, status: 200,
			body: `{}`, wantMessage: "no data array"},
		{name: "CreateBlocklistIdentifier wrong time type", operation: clientOpCreateBlocklist, status: 200,
			body: `{"object":"blocklist_identifier","created_at":"yesterday"}`, wantMessage: "does not decode", wantErr: true},
		{name: "DeleteBlocklistIdentifier empty body", operation: clientOpDeleteBlocklist, status: 200,
			body: "", wantMessage: "does not decode", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Retries stay on, to show that a 2XX is never retried.
			f := clientStartFake(t)
			f.failNext(t, 1, clerkfake.Fault{OperationID: tt.operation.operationID, Status: tt.status, ContentType: tt.contentType, Body: []byte(tt.body)})

			call := fmt.Sprintf("%s(%q)", tt.operation.operationID, tt.operation.target)
			err := tt.operation.call(clientCallContext(t), f.client, tt.operation.target)
			got := clientAsSDKError(t, call, err)

			wantContentType := tt.contentType
			if wantContentType == "" && tt.body != "" {
				wantContentType = "application/json"
			}
			if got.StatusCode != tt.status {
				t.Errorf("%s error StatusCode = %d, want %d", call, got.StatusCode, tt.status)
			}
			if got.ContentType != wantContentType {
				t.Errorf("%s error ContentType = %q, want %q", call, got.ContentType, wantContentType)
			}
			if string(got.Body) != tt.body {
				t.Errorf("%s error Body = %q, want %q", call, got.Body, tt.body)
			}
			if !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("%s error Message = %q, want it to contain %q", call, got.Message, tt.wantMessage)
			}
			if (got.Err != nil) != tt.wantErr {
				t.Errorf("%s error Err = %v, want a decoding error: %t", call, got.Err, tt.wantErr)
			}
			if got.Attempts != 1 {
				t.Errorf("%s error Attempts = %d, want 1", call, got.Attempts)
			}
			if got := f.Requests(tt.operation.operationID); got != 1 {
				t.Errorf("%s sent %d requests, want 1", call, got)
			}
		})
	}
}

func TestClientUndecodableSuccessCountsAttempts(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListBlocklistIdentifiers, Status: 503})
	f.failNext(t, 1, clerkfake.Fault{OperationID: clerkfake.OperationListBlocklistIdentifiers, Status: 200, Body: []byte("not json")})

	_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t))
	got := clientAsSDKError(t, "ListBlocklistIdentifiers()", err)

	if got.StatusCode != http.StatusOK {
		t.Errorf("ListBlocklistIdentifiers() error StatusCode = %d, want 200", got.StatusCode)
	}
	if got.Attempts != 2 {
		t.Errorf("ListBlocklistIdentifiers() error Attempts = %d, want 2", got.Attempts)
	}
	if want := "after 2 attempts"; !strings.Contains(err.Error(), want) {
		t.Errorf("ListBlocklistIdentifiers() error = %q, want it to contain %q", err, want)
	}
}
