package tests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerklists/clerklists/wrapper"
)

// keyPlaceholder in a fuzzed body or header is replaced by the secret key,
// so that the fuzzer also tries servers that echo the key back.
const keyPlaceholder = "$KEY"

// fuzzTransport responds to every request with the same fuzzed response,
// without a network, and counts round trips and closed bodies.
type fuzzTransport struct {
	status     int
	header     http.Header
	body       []byte
	roundTrips atomic.Int64
	closed     atomic.Int64
}

func (ft *fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ft.roundTrips.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode:    ft.status,
		Header:        ft.header.Clone(),
		Body:          &closeCounter{Reader: bytes.NewReader(ft.body), closed: &ft.closed},
		ContentLength: int64(len(ft.body)),
		Request:       req,
	}, nil
}

type closeCounter struct {
	io.Reader
	closed *atomic.Int64
}

func (c *closeCounter) Close() error {
	c.closed.Add(1)
	return nil
}

// declaredStatuses are the error statuses that openapi.yaml declares with a
// ClerkErrors body, per operation.
var declaredStatuses = map[string][]int{
	"ListAllowlistIdentifiers":  {401, 402},
	"CreateAllowlistIdentifier": {400, 402, 422},
	"DeleteAllowlistIdentifier": {402, 404},
	"ListBlocklistIdentifiers":  {401, 402},
	"CreateBlocklistIdentifier": {400, 402, 422},
	"DeleteBlocklistIdentifier": {402, 404},
}

var fuzzOperations = []string{
	"ListAllowlistIdentifiers", "CreateAllowlistIdentifier", "DeleteAllowlistIdentifier",
	"ListBlocklistIdentifiers", "CreateBlocklistIdentifier", "DeleteBlocklistIdentifier",
}

// callOperation runs the named operation and reports whether it returned a
// value.
func callOperation(ctx context.Context, c *wrapper.Client, name string) (bool, error) {
	switch name {
	case "ListAllowlistIdentifiers":
		page, err := c.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Paginated: true})
		return page != nil, err
	case "CreateAllowlistIdentifier":
		created, err := c.CreateAllowlistIdentifier(ctx, "user@example.com", true)
		return created != nil, err
	case "DeleteAllowlistIdentifier":
		deleted, err := c.DeleteAllowlistIdentifier(ctx, "alid_1")
		return deleted != nil, err
	case "ListBlocklistIdentifiers":
		list, err := c.ListBlocklistIdentifiers(ctx)
		return list != nil, err
	case "CreateBlocklistIdentifier":
		created, err := c.CreateBlocklistIdentifier(ctx, "user@example.com")
		return created != nil, err
	default:
		deleted, err := c.DeleteBlocklistIdentifier(ctx, "blid_1")
		return deleted != nil, err
	}
}

// FuzzResponseMapping sends any status, Content-Type, Retry-After,
// Clerk-Trace-Id and body through the real client. Every response must give
// a decoded value or exactly one of the client's error types, never a
// panic. Every body must be closed, and no error may contain the key.
func FuzzResponseMapping(f *testing.F) {
	f.Fuzz(func(t *testing.T, operation, status int, contentType, retryAfter, traceID string, body []byte) {
		name := fuzzOperations[uint(operation)%uint(len(fuzzOperations))]
		if status < 100 || status > 999 {
			status = 100 + int(uint(status)%900)
		}
		body = bytes.ReplaceAll(body, []byte(keyPlaceholder), []byte(testSecretKey))
		header := http.Header{}
		for headerName, value := range map[string]string{"Content-Type": contentType, "Retry-After": retryAfter, "Clerk-Trace-Id": traceID} {
			if value != "" {
				header.Set(headerName, strings.ReplaceAll(value, keyPlaceholder, testSecretKey))
			}
		}
		transport := &fuzzTransport{status: status, header: header, body: body}
		// Waits of 1, 4, 16, ... µs within 2 ms: a few retries, fast.
		client, err := wrapper.New(testSecretKey,
			wrapper.WithBaseURL("http://127.0.0.1:1/v1"),
			wrapper.WithHTTPClient(&http.Client{Transport: transport}),
			wrapper.WithRetryConfig(retryConfig(time.Microsecond, 4, 2*time.Millisecond)))
		if err != nil {
			t.Fatalf("wrapper.New() = %v, want no error", err)
		}

		gotValue, err := callOperation(t.Context(), client, name)

		if gotValue == (err != nil) {
			t.Fatalf("%s() with status %d = value %v, error %v; want exactly one", name, status, gotValue, err)
		}
		if opened, closed := transport.roundTrips.Load(), transport.closed.Load(); opened != closed {
			t.Errorf("%s() closed %d response bodies, want %d", name, closed, opened)
		}
		if err == nil {
			if status < 200 || status > 299 {
				t.Errorf("%s() with status %d = a value, want an error", name, status)
			}
			return
		}
		checkFuzzedError(t, name, status, body, transport.roundTrips.Load(), err)
	})
}

// checkFuzzedError checks the error of a call whose every attempt got the
// fuzzed response.
func checkFuzzedError(t *testing.T, name string, status int, body []byte, roundTrips int64, err error) {
	var (
		clerkErrors   *wrapper.ClerkErrors
		sdkError      *wrapper.SDKError
		attemptsError *wrapper.AttemptsError
		argumentError *wrapper.ArgumentError
	)
	found := 0
	for _, ok := range []bool{errors.As(err, &clerkErrors), errors.As(err, &sdkError), errors.As(err, &attemptsError), errors.As(err, &argumentError)} {
		if ok {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%s() with status %d = %T %v, want exactly one of the client's error types, found %d", name, status, err, err, found)
	}

	text := err.Error()
	if strings.ContainsAny(text, "\r\n") {
		t.Errorf("%s() Error() = %q, want one line", name, text)
	}
	// A key that the server sent back escaped is a documented gap of the
	// redaction, so only bodies without escapes are checked for it.
	if !bytes.Contains(body, []byte(`\`)) && !bytes.Contains(body, []byte("%")) {
		checkNoSecret(t, name+"() error", errorRenderings(err))
	}

	switch {
	case clerkErrors != nil:
		if _, ok := directError[*wrapper.ClerkErrors](err); !ok {
			t.Errorf("%s() error = %T, want *wrapper.ClerkErrors unwrapped", name, err)
		}
		declared := false
		for _, s := range declaredStatuses[name] {
			declared = declared || s == status
		}
		if !declared {
			t.Errorf("%s() with status %d = *ClerkErrors, want it only for declared statuses %v", name, status, declaredStatuses[name])
		}
		if clerkErrors.StatusCode != status || int64(clerkErrors.Attempts) != roundTrips {
			t.Errorf("%s() = ClerkErrors{StatusCode: %d, Attempts: %d}, want {%d, %d}", name, clerkErrors.StatusCode, clerkErrors.Attempts, status, roundTrips)
		}
	case sdkError != nil:
		if _, ok := directError[*wrapper.SDKError](err); !ok {
			t.Errorf("%s() error = %T, want *wrapper.SDKError unwrapped", name, err)
		}
		if sdkError.StatusCode != status || int64(sdkError.Attempts) != roundTrips {
			t.Errorf("%s() = SDKError{StatusCode: %d, Attempts: %d}, want {%d, %d}", name, sdkError.StatusCode, sdkError.Attempts, status, roundTrips)
		}
		if len(sdkError.Body) > wrapper.MaxErrorBodyBytes {
			t.Errorf("%s() len(SDKError.Body) = %d, want at most %d", name, len(sdkError.Body), wrapper.MaxErrorBodyBytes)
		}
		if status < 200 {
			// A 1XX body is closed unread, because for 101 it is the raw
			// connection, which no timeout bounds.
			if len(sdkError.Body) != 0 {
				t.Errorf("%s() with status %d SDKError.Body = %q, want empty", name, status, sdkError.Body)
			}
			return
		}
		if wantTruncated := len(body) > wrapper.MaxErrorBodyBytes; sdkError.BodyTruncated != wantTruncated {
			t.Errorf("%s() SDKError.BodyTruncated = %v for a %d-byte body, want %v", name, sdkError.BodyTruncated, len(body), wantTruncated)
		}
		if !bytes.Contains(body, []byte(testSecretKey)) && !bytes.Equal(sdkError.Body, body[:min(len(body), wrapper.MaxErrorBodyBytes)]) {
			t.Errorf("%s() SDKError.Body = %q, want the start of the body %q", name, sdkError.Body, body)
		}
	default:
		t.Errorf("%s() with status %d = %T %v, want *ClerkErrors or *SDKError for a response", name, status, err, err)
	}
}
