package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clerklists/clerklists/gen"
)

// MaxErrorBodyBytes caps SDKError.Body. Longer bodies are cut, and
// SDKError.BodyTruncated is set.
const MaxErrorBodyBytes = 4 << 10

// ClerkError is one entry of a Clerk error response.
type ClerkError struct {
	// Code is Clerk's machine-readable code, such as "form_identifier_exists".
	Code string
	// Message is a short summary for people.
	Message string
	// LongMessage explains the error in more detail. It may quote the
	// identifier that was sent, so it is not part of Error().
	LongMessage string
	// Meta holds details such as the name of the parameter at fault; nil
	// when Clerk sent none.
	Meta map[string]any
}

// ClerkErrors is the error returned for a response whose status the
// operation declares in openapi.yaml and whose body is Clerk's JSON error
// object. Find it with errors.As.
type ClerkErrors struct {
	// Operation is the operationId that failed, such as "CreateAllowlistIdentifier".
	Operation string
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// Errors are the errors Clerk reported, in its order.
	Errors []ClerkError
	// Meta is the body's top-level meta object; nil when absent.
	Meta map[string]any
	// TraceID identifies the request in Clerk's logs: the body's
	// clerk_trace_id, or else the Clerk-Trace-Id header. Quote it to Clerk support.
	TraceID string
	// Attempts is the number of attempts the call made, retries included.
	Attempts int
}

// Error returns one line with the operation, the status, the first error's
// code and message, the trace ID and, when there was more than one, the
// number of attempts. It never
// contains the secret key, identifier values or LongMessage.
func (e *ClerkErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clerk: %s: %s", e.Operation, statusText(e.StatusCode))
	if len(e.Errors) > 0 {
		first := e.Errors[0]
		fmt.Fprintf(&b, ": %s: %s", oneLine(first.Code), oneLine(first.Message))
		if len(e.Errors) > 1 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Errors)-1)
		}
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " (trace ID %s)", oneLine(e.TraceID))
	}
	writeAttempts(&b, e.Attempts)
	return b.String()
}

// HasCode reports whether any of the errors has the given Clerk code.
func (e *ClerkErrors) HasCode(code string) bool {
	for _, item := range e.Errors {
		if item.Code == code {
			return true
		}
	}
	return false
}

// SDKError is the error returned for every failed response that is not a
// ClerkErrors: a status the operation does not declare, an error body that
// is not Clerk's JSON, or a successful response whose body does not decode.
// Find it with errors.As.
type SDKError struct {
	// Operation is the operationId that failed.
	Operation string
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// ContentType is the response's Content-Type header.
	ContentType string
	// Body is the start of the response body, at most MaxErrorBodyBytes. It
	// may contain identifier values, so it is not part of Error().
	Body []byte
	// BodyTruncated is true when Body is shorter than the response body.
	BodyTruncated bool
	// Message describes what was wrong with the response.
	Message string
	// TraceID is the Clerk-Trace-Id header, when the response had one.
	TraceID string
	// Attempts is the number of attempts the call made, retries included.
	Attempts int
	// Err is the decoding error, when there was one.
	Err error
}

// Error returns one line with the operation, the status, the content type,
// the message, the trace ID and, when there was more than one, the number of
// attempts. It never contains the
// body.
func (e *SDKError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clerk: %s: %s", e.Operation, statusText(e.StatusCode))
	if e.ContentType != "" {
		fmt.Fprintf(&b, " (%s)", oneLine(e.ContentType))
	}
	fmt.Fprintf(&b, ": %s", e.Message)
	if e.TraceID != "" {
		fmt.Fprintf(&b, " (trace ID %s)", oneLine(e.TraceID))
	}
	writeAttempts(&b, e.Attempts)
	return b.String()
}

// Unwrap returns the decoding error, if any.
func (e *SDKError) Unwrap() error {
	return e.Err
}

// ArgumentError reports an invalid argument or option. It is returned
// before any request is sent.
type ArgumentError struct {
	// Operation is the operationId of the call.
	Operation string
	// Argument names the parameter, such as "identifier ID".
	Argument string
	// Reason describes the problem and how to fix it.
	Reason string
}

// Error implements error.
func (e *ArgumentError) Error() string {
	return fmt.Sprintf("clerk: %s: invalid %s: %s", e.Operation, e.Argument, e.Reason)
}

// AttemptsError wraps the error of a call whose last attempt got no usable
// HTTP response, with the number of attempts made. Examples are a refused
// connection, a reset, a body cut off after the status arrived and a stop
// by the redirect policy.
type AttemptsError struct {
	// Operation is the operationId that failed.
	Operation string
	// Attempts is the number of attempts the call made.
	Attempts int
	// Err is the last attempt's error, usually a *url.Error.
	Err error
}

// Error implements error.
func (e *AttemptsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clerk: %s: %v", e.Operation, e.Err)
	writeAttempts(&b, e.Attempts)
	return b.String()
}

// Unwrap returns the last attempt's error.
func (e *AttemptsError) Unwrap() error {
	return e.Err
}

// canceledError is returned when the context ends a call after at least one
// attempt failed: errors.Is finds the context error and errors.As finds the
// last attempt's error.
type canceledError struct {
	ctxErr  error
	lastErr error
}

func (e *canceledError) Error() string {
	return fmt.Sprintf("%v (then stopped: %v)", e.lastErr, e.ctxErr)
}

func (e *canceledError) Unwrap() []error {
	return []error{e.ctxErr, e.lastErr}
}

// responseError builds the error for a response with a status of 400 or
// more: *ClerkErrors when the operation declares the status and the body is
// Clerk's error JSON, else *SDKError.
func responseError(op *operation, resp *http.Response, body []byte, truncated bool) error {
	contentType := resp.Header.Get("Content-Type")
	headerTraceID := resp.Header.Get("Clerk-Trace-Id")

	if op.declaresStatus(resp.StatusCode) && isJSON(contentType) && !truncated {
		if clerkErrors, err := decodeClerkErrors(op.id, resp.StatusCode, body, headerTraceID); err == nil {
			return clerkErrors
		}
	}

	var message string
	switch {
	case len(body) == 0:
		message = "error response with an empty body"
	case !op.declaresStatus(resp.StatusCode):
		message = "status not declared for this operation"
	case !isJSON(contentType):
		message = "error response is not JSON"
	case truncated:
		message = "error response is larger than the 64 KiB limit"
	default:
		message = "error response is not Clerk's error JSON"
	}
	return newSDKError(op.id, resp, body, truncated, message, nil)
}

func newSDKError(operationID string, resp *http.Response, body []byte, truncated bool, message string, cause error) *SDKError {
	kept := body
	if len(kept) > MaxErrorBodyBytes {
		kept = kept[:MaxErrorBodyBytes]
		truncated = true
	}
	return &SDKError{
		Operation:     operationID,
		StatusCode:    resp.StatusCode,
		ContentType:   resp.Header.Get("Content-Type"),
		Body:          bytes.Clone(kept),
		BodyTruncated: truncated,
		Message:       message,
		TraceID:       resp.Header.Get("Clerk-Trace-Id"),
		Err:           cause,
	}
}

// decodeClerkErrors returns an error unless body is an object with an
// errors array whose entries each have a code, which is what separates
// Clerk's error JSON from a proxy's or a load balancer's.
func decodeClerkErrors(operationID string, status int, body []byte, headerTraceID string) (*ClerkErrors, error) {
	var decoded gen.ClerkErrors
	if err := json.Unmarshal(body, &decoded); err != nil {
		return nil, err
	}
	if decoded.Errors == nil {
		return nil, errors.New("body has no errors array")
	}

	result := &ClerkErrors{
		Operation:  operationID,
		StatusCode: status,
		Errors:     make([]ClerkError, 0, len(decoded.Errors)),
		TraceID:    headerTraceID,
	}
	for _, item := range decoded.Errors {
		if item.Code == "" {
			return nil, errors.New("an error has no code")
		}
		converted := ClerkError{Code: item.Code, Message: item.Message, LongMessage: item.LongMessage}
		if item.Meta != nil {
			converted.Meta = *item.Meta
		}
		result.Errors = append(result.Errors, converted)
	}
	if decoded.Meta != nil {
		result.Meta = *decoded.Meta
	}
	if decoded.ClerkTraceId != nil && *decoded.ClerkTraceId != "" {
		result.TraceID = *decoded.ClerkTraceId
	}
	return result, nil
}

// isJSON reports whether a Content-Type is application/json, with or
// without parameters such as charset.
func isJSON(contentType string) bool {
	if contentType == "application/json" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

func statusText(status int) string {
	if text := http.StatusText(status); text != "" {
		return strconv.Itoa(status) + " " + text
	}
	return strconv.Itoa(status)
}

func writeAttempts(b *strings.Builder, attempts int) {
	if attempts > 1 {
		fmt.Fprintf(b, " after %d attempts", attempts)
	}
}

// maxErrorFieldBytes caps each server-supplied text, such as Clerk's
// message or the trace ID, in an Error() string.
const maxErrorFieldBytes = 256

// oneLine makes a server-supplied text safe to put in an error message.
// Every control character and Unicode line or paragraph separator becomes a
// space, so that the text cannot split a log line or send terminal escapes.
// The text is cut to maxErrorFieldBytes with "…".
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean && len(s) <= maxErrorFieldBytes {
		return s
	}

	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxErrorFieldBytes {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}
