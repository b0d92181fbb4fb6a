package clerkfake

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// traceIDHeader carries the trace ID of every response, and error bodies repeat
// it in clerk_trace_id.
const traceIDHeader = "Clerk-Trace-Id"

// Error codes that the fake sends in ClerkErrors bodies. The authentication
// codes and messages follow the index of authentication errors in Clerk's
// documentation. The codes of a 400 for a request that breaks openapi.yaml or
// RFC 8259, a 405 and a 413 are the fake's own.
const (
	codeAuthorizationHeaderFormatInvalid = "authorization_header_format_invalid"
	codeClerkKeyInvalid                  = "clerk_key_invalid"
	codeFormIdentifierExists             = "form_identifier_exists"
	codeFormParamFormatInvalid           = "form_param_format_invalid"
	codeFormParamMissing                 = "form_param_missing"
	codeInternalClerkError               = "internal_clerk_error"
	codeMethodNotAllowed                 = "method_not_allowed"
	codeRequestBodyTooLarge              = "request_body_too_large"
	codeRequestInvalid                   = "request_invalid"
	codeResourceNotFound                 = "resource_not_found"
)

// apiError is one error response, sent as a ClerkErrors body with a single
// ClerkError in it.
type apiError struct {
	status      int
	code        string
	message     string
	longMessage string
	meta        map[string]any
	allow       []string // methods for the Allow header of a 405
}

// clerkError and clerkErrors are the JSON shapes of the ClerkError and
// ClerkErrors schemas in openapi.yaml.
type clerkError struct {
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Code        string         `json:"code"`
	Meta        map[string]any `json:"meta,omitempty"`
}

type clerkErrors struct {
	Errors       []clerkError `json:"errors"`
	ClerkTraceID string       `json:"clerk_trace_id"`
}

func (e *apiError) body(traceID string) clerkErrors {
	return clerkErrors{
		Errors: []clerkError{{
			Message:     e.message,
			LongMessage: e.longMessage,
			Code:        e.code,
			Meta:        e.meta,
		}},
		ClerkTraceID: traceID,
	}
}

// newTraceID returns a random trace ID of 32 hexadecimal digits. Trace IDs
// only tell responses apart, so they need no cryptographic randomness.
func newTraceID() string {
	return fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64())
}

// statusErrorCode turns the text of an HTTP status into an error code in
// snake case, such as service_unavailable for 503.
func statusErrorCode(status int) string {
	text := http.StatusText(status)
	if text == "" {
		return fmt.Sprintf("status_%d", status)
	}

	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		default:
			return '_'
		}
	}, text)
}

func errMissingAuthorization() *apiError {
	return &apiError{
		status:      http.StatusUnauthorized,
		code:        codeAuthorizationHeaderFormatInvalid,
		message:     "Invalid Authorization header format",
		longMessage: "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'",
	}
}

func errInvalidSecretKey() *apiError {
	return &apiError{
		status:      http.StatusUnauthorized,
		code:        codeClerkKeyInvalid,
		message:     "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
		longMessage: "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
	}
}

func errPathNotFound(path string) *apiError {
	return &apiError{
		status:      http.StatusNotFound,
		code:        codeResourceNotFound,
		message:     "not found",
		longMessage: fmt.Sprintf("No operation of the allow-list and block-list API is served at %s.", path),
	}
}

func errMethodNotAllowed(method, path string, allowed []string) *apiError {
	return &apiError{
		status:      http.StatusMethodNotAllowed,
		code:        codeMethodNotAllowed,
		message:     "method not allowed",
		longMessage: fmt.Sprintf("%s is not allowed on %s. Allowed methods are %s.", method, path, strings.Join(allowed, ", ")),
		allow:       allowed,
	}
}

func errIdentifierNotFound(list *identifierList, id string) *apiError {
	return &apiError{
		status:      http.StatusNotFound,
		code:        codeResourceNotFound,
		message:     "not found",
		longMessage: fmt.Sprintf("No %s entry has the identifier ID %q.", list.name, id),
	}
}

// errIdentifierMissing describes a create request without a body. Clerk's
// spec leaves the body optional, so kin-openapi lets such a request through,
// but its schema requires identifier.
func errIdentifierMissing() *apiError {
	return &apiError{
		status:      http.StatusUnprocessableEntity,
		code:        codeFormParamMissing,
		message:     "is missing",
		longMessage: "identifier must be included.",
		meta:        map[string]any{"param_name": "identifier"},
	}
}

func errIdentifierFormatInvalid() *apiError {
	return &apiError{
		status:  http.StatusUnprocessableEntity,
		code:    codeFormParamFormatInvalid,
		message: "is invalid",
		longMessage: "identifier must be an email address, a *@domain pattern, a phone number " +
			"(+ followed by digits) or a web3 wallet address (0x followed by 40 hexadecimal digits).",
		meta: map[string]any{"param_name": "identifier"},
	}
}

// errIdentifierHasControlCharacter describes an identifier with the control
// character char at byte offset offset. It is the error of
// errIdentifierFormatInvalid with the character named, because no identifier
// type allows control characters.
func errIdentifierHasControlCharacter(char rune, offset int) *apiError {
	apiErr := errIdentifierFormatInvalid()
	apiErr.longMessage = fmt.Sprintf("identifier contains the control character %U at byte offset %d. ", char, offset) + apiErr.longMessage
	return apiErr
}

func errIdentifierExists(list *identifierList) *apiError {
	return &apiError{
		status:      http.StatusUnprocessableEntity,
		code:        codeFormIdentifierExists,
		message:     "That identifier is taken. Please try another.",
		longMessage: fmt.Sprintf("The identifier is already on the %s.", list.name),
		meta:        map[string]any{"param_name": "identifier"},
	}
}

func errRequestBodyTooLarge(limit int64) *apiError {
	return &apiError{
		status:      http.StatusRequestEntityTooLarge,
		code:        codeRequestBodyTooLarge,
		message:     "request body too large",
		longMessage: fmt.Sprintf("The request body is larger than %d bytes.", limit),
	}
}

// errRequestBodyReadFailed describes a request body that could not be read,
// for example because the client closed the connection.
func errRequestBodyReadFailed(err error) *apiError {
	message := fmt.Sprintf("request body has an error: reading failed: %v", err)
	return &apiError{
		status:      http.StatusBadRequest,
		code:        codeRequestInvalid,
		message:     message,
		longMessage: message + ". Send the request again.",
	}
}

// errContentTypeInvalid describes a Content-Type header whose media type
// openapi.yaml allows but whose parameters do not parse.
func errContentTypeInvalid(contentType string, err error) *apiError {
	message := fmt.Sprintf("header Content-Type has invalid value %q: %v", contentType, err)
	return &apiError{
		status:      http.StatusBadRequest,
		code:        codeRequestInvalid,
		message:     message,
		longMessage: message + ". Send Content-Type application/json.",
	}
}

// errCharsetNotUTF8 describes a JSON request body sent with a charset other
// than UTF-8. RFC 8259, section 8.1, requires UTF-8 for JSON exchanged
// between systems.
func errCharsetNotUTF8(charset string) *apiError {
	message := fmt.Sprintf("header Content-Type has unsupported charset %q", charset)
	return &apiError{
		status:  http.StatusBadRequest,
		code:    codeRequestInvalid,
		message: message,
		longMessage: message + ". JSON request bodies must be encoded as UTF-8, so send Content-Type " +
			"application/json without a charset or with charset=utf-8.",
	}
}

// errRequestBodyNotJSONText describes a request body that kin-openapi
// accepts but that is not one JSON value encoded as UTF-8, which is what
// RFC 8259 calls a JSON text. message names the problem and its byte offset.
func errRequestBodyNotJSONText(message string) *apiError {
	return &apiError{
		status:      http.StatusBadRequest,
		code:        codeRequestInvalid,
		message:     message,
		longMessage: message + ". A JSON request body must be exactly one JSON value, encoded as UTF-8.",
	}
}

// errInternal describes a bug in the fake, such as a response that breaks the
// spec, as a 500 with the code internal_clerk_error.
func errInternal(message string) *apiError {
	return &apiError{
		status:      http.StatusInternalServerError,
		code:        codeInternalClerkError,
		message:     message,
		longMessage: "clerkfake failed to serve the request: " + message,
	}
}
