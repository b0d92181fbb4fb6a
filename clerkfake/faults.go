package clerkfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Fault is a response that replaces the normal handling of a request. Faults
// let tests show how a client deals with rate limits, outages and malformed
// responses. A fault response is not validated against openapi.yaml.
type Fault struct {
	// OperationID limits the fault to requests for one operation, such as
	// OperationCreateAllowlistIdentifier. Empty matches every operation.
	OperationID string

	// Status is the HTTP status code, from 200 to 599.
	Status int

	// RetryAfter is the raw value of the Retry-After header, such as "2" or
	// an HTTP date. Empty sends no Retry-After header. Values that a client
	// cannot parse are allowed, so that tests can cover them.
	RetryAfter string

	// ContentType is the value of the Content-Type header of a non-empty body.
	// Empty means application/json.
	ContentType string

	// Body is the response body. Nil sends a ClerkErrors body whose code is the
	// status text in snake case, such as service_unavailable, or no body for a
	// status below 400. A non-nil empty slice sends an empty body.
	Body []byte
}

type pendingFault struct {
	fault     Fault
	remaining int
}

// FailNext makes the next n requests that match f.OperationID get f instead
// of being served. Faults from several calls queue up in call order, and each
// request takes at most one. Requests that match no operation, such as an
// unknown path, take no fault. FailNext returns an error, and queues nothing,
// when n is below 1 or f is invalid. It is safe for concurrent use.
func (s *Server) FailNext(n int, f Fault) error {
	if n < 1 {
		return fmt.Errorf("clerkfake: fault count %d is below 1", n)
	}
	if valid := handledOperationIDs(); f.OperationID != "" && !slices.Contains(valid, f.OperationID) {
		return fmt.Errorf("clerkfake: fault has unknown operation ID %q (valid IDs: %s)", f.OperationID, strings.Join(valid, ", "))
	}
	if f.Status < 200 || f.Status > 599 {
		return fmt.Errorf("clerkfake: fault status %d is outside 200 to 599", f.Status)
	}
	if err := validateHeaderValue("Retry-After", f.RetryAfter); err != nil {
		return err
	}
	if err := validateHeaderValue("Content-Type", f.ContentType); err != nil {
		return err
	}
	if len(f.Body) > 0 && !bodyAllowed(f.Status) {
		return fmt.Errorf("clerkfake: fault status %d does not allow a body", f.Status)
	}

	// The copy keeps later changes to the caller's slice out of the queue, and
	// bytes.Clone keeps a nil Body nil.
	f.Body = bytes.Clone(f.Body)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, pendingFault{fault: f, remaining: n})
	return nil
}

// takeFault removes one use of the first queued fault that matches
// operationID and returns it.
func (s *Server) takeFault(operationID string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for i := range s.faults {
		pending := &s.faults[i]
		if pending.fault.OperationID != "" && pending.fault.OperationID != operationID {
			continue
		}

		f := pending.fault
		pending.remaining--
		if pending.remaining == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f, true
	}
	return Fault{}, false
}

func writeFault(w http.ResponseWriter, traceID string, f Fault) {
	body := f.Body
	if body == nil && f.Status >= 400 {
		// The body holds only strings and a nil meta map, which json.Marshal
		// always encodes, so the error is ignored.
		body, _ = json.Marshal((&apiError{
			code:        statusErrorCode(f.Status),
			message:     strings.ToLower(http.StatusText(f.Status)),
			longMessage: "clerkfake sent this fault because a test called FailNext.",
		}).body(traceID))
	}

	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if len(body) > 0 {
		contentType := f.ContentType
		if contentType == "" {
			contentType = "application/json"
		}
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write(body) // The client may have gone away, and the fake has no one to tell.
}

// validateHeaderValue rejects control characters, which net/http would
// refuse to send.
func validateHeaderValue(name, value string) error {
	for i := range len(value) {
		if (value[i] < ' ' && value[i] != '\t') || value[i] == 0x7f {
			return fmt.Errorf("clerkfake: fault %s value has a control character at byte %d", name, i)
		}
	}
	return nil
}

// bodyAllowed reports whether a response with status may have a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}
