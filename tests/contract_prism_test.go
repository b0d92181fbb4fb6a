//go:build contract

package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clerklists/clerklists"
	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// Environment variables with the base URLs of the two Prism mocks that
// `make contract` starts, such as http://127.0.0.1:4011. Prism serves the
// paths without the /v1 of Clerk's server URL.
const (
	contractPrismClerkEnv = "PRISM_CLERK_URL" // mocks CLERK_SPEC
	contractPrismOursEnv  = "PRISM_OURS_URL"  // mocks openapi.yaml
)

// contractPrismSecretKey is sent to Prism, which checks only that a bearer
// token is present.
const contractPrismSecretKey = "sk_test_prism"

// contractCallTimeout bounds one call to Prism.
const contractCallTimeout = 20 * time.Second

// contractMaxRecordedBody caps the response bodies that contractSendRaw
// reads; Prism's responses here are a few hundred bytes.
const contractMaxRecordedBody = 1 << 20

// contractPrismViolationsHeader is the header in which Prism lists the
// findings of its request validator when it returns an error response that
// the spec declares.
const contractPrismViolationsHeader = "Sl-Violations"

func contractPrismURL(t *testing.T, env string) string {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		contractSkipOrFail(t, "%s is not set; run `make contract`, which starts Prism and sets it", env)
	}
	return url
}

// contractNewClient returns a wrapper client for baseURL that never retries,
// so that each call is one request, and records every response.
func contractNewClient(t *testing.T, baseURL, secretKey string) (*wrapper.Client, *contractExchangeRecorder) {
	t.Helper()
	recorder := &contractExchangeRecorder{next: http.DefaultTransport}
	noRetries := wrapper.DefaultRetryConfig()
	noRetries.Strategy = wrapper.RetryStrategyNone

	client, err := wrapper.New(secretKey,
		wrapper.WithBaseURL(baseURL),
		wrapper.WithHTTPClient(&http.Client{Transport: recorder, Timeout: contractCallTimeout}),
		wrapper.WithRetryConfig(noRetries),
	)
	if err != nil {
		t.Fatalf("wrapper.New(%q) = %v", baseURL, err)
	}
	return client, recorder
}

// contractOperationCall runs one wrapper method and checks what it decoded.
type contractOperationCall struct {
	name string
	call func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error
}

// contractSixOperations calls each of the six operations once and checks
// that the decoded values carry the fields that every response of the
// operation has.
var contractSixOperations = []contractOperationCall{
	{
		name: "ListAllowlistIdentifiers",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			page, err := client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: 5, Offset: 1}, opts...)
			if err != nil {
				return err
			}
			if page.Data == nil {
				return errors.New("page.Data is nil")
			}
			for _, entry := range page.Data {
				if err := contractCheckAllowlistIdentifier(entry); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		name: "CreateAllowlistIdentifier",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			created, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", true, opts...)
			if err != nil {
				return err
			}
			return contractCheckAllowlistIdentifier(*created)
		},
	},
	{
		name: "DeleteAllowlistIdentifier",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			deleted, err := client.DeleteAllowlistIdentifier(ctx, "alid_2ZkQ9mVfB3dXyL0pR7sT1uW4aE6", opts...)
			if err != nil {
				return err
			}
			return contractCheckDeleted(deleted)
		},
	},
	{
		name: "ListBlocklistIdentifiers",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			list, err := client.ListBlocklistIdentifiers(ctx, opts...)
			if err != nil {
				return err
			}
			for _, entry := range list.Data {
				if err := contractCheckBlocklistIdentifier(entry); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		name: "CreateBlocklistIdentifier",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			created, err := client.CreateBlocklistIdentifier(ctx, "+15555550100", opts...)
			if err != nil {
				return err
			}
			return contractCheckBlocklistIdentifier(*created)
		},
	},
	{
		name: "DeleteBlocklistIdentifier",
		call: func(ctx context.Context, client *wrapper.Client, opts ...wrapper.CallOption) error {
			deleted, err := client.DeleteBlocklistIdentifier(ctx, "blid_2ZkQ9mVfB3dXyL0pR7sT1uW4aE6", opts...)
			if err != nil {
				return err
			}
			return contractCheckDeleted(deleted)
		},
	},
}

func contractCheckAllowlistIdentifier(entry gen.AllowlistIdentifier) error {
	switch {
	case entry.Object == nil || *entry.Object != gen.AllowlistIdentifierObjectAllowlistIdentifier:
		return fmt.Errorf("allow-list entry object = %v, want allowlist_identifier", entry.Object)
	case entry.Id == nil || entry.Identifier == nil || entry.CreatedAt == nil:
		return errors.New("allow-list entry lacks id, identifier or created_at")
	case entry.IdentifierType == nil || !entry.IdentifierType.Valid():
		return fmt.Errorf("allow-list entry identifier_type = %v, want a declared value", entry.IdentifierType)
	}
	return nil
}

func contractCheckBlocklistIdentifier(entry gen.BlocklistIdentifier) error {
	switch {
	case entry.Object == nil || *entry.Object != gen.BlocklistIdentifierObjectBlocklistIdentifier:
		return fmt.Errorf("block-list entry object = %v, want blocklist_identifier", entry.Object)
	case entry.Id == nil || entry.Identifier == nil || entry.CreatedAt == nil:
		return errors.New("block-list entry lacks id, identifier or created_at")
	case entry.IdentifierType == nil || !entry.IdentifierType.Valid():
		return fmt.Errorf("block-list entry identifier_type = %v, want a declared value", entry.IdentifierType)
	}
	return nil
}

func contractCheckDeleted(deleted *gen.DeletedObject) error {
	if !deleted.Deleted || deleted.Object == "" {
		return fmt.Errorf("deleted object = %+v, want deleted true and an object tag", *deleted)
	}
	return nil
}

// contractRunSixOperations runs every operation against one Prism and checks
// that Prism's request validator found nothing in any request.
func contractRunSixOperations(t *testing.T, baseURL string) {
	client, recorder := contractNewClient(t, baseURL, contractPrismSecretKey)
	for _, op := range contractSixOperations {
		t.Run(op.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), contractCallTimeout)
			defer cancel()

			if err := op.call(ctx, client); err != nil {
				t.Fatalf("%s against Prism at %s = %v", op.name, baseURL, err)
			}
			resp := recorder.last(t)
			if violations := resp.header.Get(contractPrismViolationsHeader); violations != "" {
				t.Errorf("%s %s: Prism found the request invalid: %s", resp.request.Method, resp.request.URL.Path, violations)
			}
		})
	}
}

// TestContractPrismPublishedOperations sends the wrapper's six requests to
// Prism mocking Clerk's published spec, which validates each request, and
// decodes the responses that Prism builds from that spec.
func TestContractPrismPublishedOperations(t *testing.T) {
	contractRunSixOperations(t, contractPrismURL(t, contractPrismClerkEnv))
}

// TestContractPrismPublishedListShape shows that the published spec
// describes only the array: for a request with paginated=true, Prism sends
// an array, and the wrapper decodes it without a total.
func TestContractPrismPublishedListShape(t *testing.T) {
	client, _ := contractNewClient(t, contractPrismURL(t, contractPrismClerkEnv), contractPrismSecretKey)
	ctx, cancel := context.WithTimeout(context.Background(), contractCallTimeout)
	defer cancel()

	page, err := client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Paginated: true, Limit: 2})
	if err != nil {
		t.Fatalf("ListAllowlistIdentifiers(paginated) = %v", err)
	}
	if page.TotalCount != nil {
		t.Errorf("TotalCount = %d, want nil for the array that the published spec describes", *page.TotalCount)
	}
	if len(page.Data) == 0 {
		t.Errorf("len(Data) = 0, want Prism's generated entry")
	}
}

// TestContractPrismPublishedRejectsBadRequests proves that the check above
// can fail: requests that break Clerk's contract are rejected by Prism's
// validator with a 422. They are sent with net/http, because the wrapper
// rejects them before sending, or cannot express them.
func TestContractPrismPublishedRejectsBadRequests(t *testing.T) {
	baseURL := contractPrismURL(t, contractPrismClerkEnv)

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantRule   string // the validator's rule in Prism's report; empty for a valid request
	}{
		{
			name: "valid create as control", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com"}`, wantStatus: http.StatusOK,
		},
		{
			name: "unknown body property", method: http.MethodPost, path: "/allowlist_identifiers",
			body: `{"identifier":"ada@example.com","role":"admin"}`, wantStatus: http.StatusUnprocessableEntity, wantRule: "additionalProperties",
		},
		{
			name: "notify on block-list", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{"identifier":"ada@example.com","notify":true}`, wantStatus: http.StatusUnprocessableEntity, wantRule: "additionalProperties",
		},
		{
			name: "identifier missing", method: http.MethodPost, path: "/blocklist_identifiers",
			body: `{}`, wantStatus: http.StatusUnprocessableEntity, wantRule: "required",
		},
		{
			name: "limit 1000", method: http.MethodGet, path: "/allowlist_identifiers?limit=1000",
			wantStatus: http.StatusUnprocessableEntity, wantRule: "maximum",
		},
		{
			name: "limit 0", method: http.MethodGet, path: "/allowlist_identifiers?limit=0",
			wantStatus: http.StatusUnprocessableEntity, wantRule: "minimum",
		},
	}

	httpClient := &http.Client{Timeout: contractCallTimeout}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, violations := contractSendRaw(t, httpClient, baseURL, tt.method, tt.path, tt.body)
			if status != tt.wantStatus {
				t.Errorf("%s %s = status %d, want %d; Prism's report: %s", tt.method, tt.path, status, tt.wantStatus, violations)
			}
			if tt.wantRule == "" {
				if violations != "" {
					t.Errorf("%s %s: Prism reported %s, want nothing", tt.method, tt.path, violations)
				}
				return
			}
			if !strings.Contains(violations, `"code":"`+tt.wantRule+`"`) {
				t.Errorf("%s %s: Prism's report = %s, want a %q violation", tt.method, tt.path, violations, tt.wantRule)
			}
		})
	}
}

// contractSendRaw sends one request with the bearer token and returns the
// status and Prism's validation report: the Sl-Violations header when Prism
// returned an error response that the spec declares, or else the body of its
// own application/problem+json error.
func contractSendRaw(t *testing.T, client *http.Client, baseURL, method, path, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), contractCallTimeout)
	defer cancel()

	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, baseURL+path, reader)
	if err != nil {
		t.Fatalf("http.NewRequest(%s %s) = %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+contractPrismSecretKey)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s = %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, contractMaxRecordedBody))
	if err != nil {
		t.Fatalf("read response of %s %s: %v", method, path, err)
	}

	if violations := resp.Header.Get(contractPrismViolationsHeader); violations != "" {
		return resp.StatusCode, violations
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		return resp.StatusCode, string(data)
	}
	return resp.StatusCode, ""
}

// TestContractPrismOursOperations runs the six operations against Prism
// mocking openapi.yaml.
func TestContractPrismOursOperations(t *testing.T) {
	contractRunSixOperations(t, contractPrismURL(t, contractPrismOursEnv))
}

// TestContractPrismOursListExamples requests each named example of the
// allow-list response in openapi.yaml from Prism and checks that the wrapper
// decodes both shapes into the same entries as the example.
func TestContractPrismOursListExamples(t *testing.T) {
	client, _ := contractNewClient(t, contractPrismURL(t, contractPrismOursEnv), contractPrismSecretKey)
	doc := contractLoadOurs(t)
	media := doc.Components.Responses["AllowlistIdentifierListResponse"].Value.Content.Get("application/json")

	tests := []struct {
		name      string
		paginated bool
	}{
		{name: "array", paginated: false},
		{name: "paginated", paginated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			example := media.Examples[tt.name]
			if example == nil {
				t.Fatalf("openapi.yaml has no example %q for AllowlistIdentifierListResponse", tt.name)
			}
			wantIDs, wantTotal := contractExampleIDs(t, example.Value.Value)

			ctx, cancel := context.WithTimeout(context.Background(), contractCallTimeout)
			defer cancel()
			page, err := client.ListAllowlistIdentifiers(ctx,
				&wrapper.ListAllowlistIdentifiersParams{Paginated: tt.paginated, Limit: 2},
				wrapper.WithHeader("Prefer", "example="+tt.name))
			if err != nil {
				t.Fatalf("ListAllowlistIdentifiers(Prefer: example=%s) = %v", tt.name, err)
			}

			var gotIDs []string
			for _, entry := range page.Data {
				if err := contractCheckAllowlistIdentifier(entry); err != nil {
					t.Errorf("entry %d: %v", len(gotIDs), err)
				}
				if entry.Id != nil {
					gotIDs = append(gotIDs, *entry.Id)
				}
			}
			if !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("entry IDs = %v, want %v", gotIDs, wantIDs)
			}
			switch {
			case wantTotal < 0 && page.TotalCount != nil:
				t.Errorf("TotalCount = %d, want nil for the array shape", *page.TotalCount)
			case wantTotal >= 0 && page.TotalCount == nil:
				t.Errorf("TotalCount = nil, want %d", wantTotal)
			case wantTotal >= 0 && *page.TotalCount != wantTotal:
				t.Errorf("TotalCount = %d, want %d", *page.TotalCount, wantTotal)
			}
		})
	}
}

// contractExampleIDs returns the entry IDs of an allow-list example and its
// total_count, or -1 for the array shape, which has none.
func contractExampleIDs(t *testing.T, value any) ([]string, int64) {
	t.Helper()
	data, err := json.Marshal(value)
	if err != nil {
		t.Fatalf("encode example: %v", err)
	}
	var entries []gen.AllowlistIdentifier
	if err := json.Unmarshal(data, &entries); err == nil {
		return contractIDs(entries), -1
	}
	var page gen.PaginatedAllowlistIdentifiers
	if err := json.Unmarshal(data, &page); err != nil {
		t.Fatalf("example is neither an array nor a page: %v", err)
	}
	return contractIDs(page.Data), page.TotalCount
}

func contractIDs(entries []gen.AllowlistIdentifier) []string {
	ids := make([]string, 0, len(entries))
	for _, entry := range entries {
		if entry.Id != nil {
			ids = append(ids, *entry.Id)
		}
	}
	return ids
}

// TestContractPrismOursDeclaredErrors requests every error status that
// openapi.yaml declares from Prism, operation by operation, and checks that
// the wrapper returns *wrapper.ClerkErrors with the fields of the body that
// Prism sent. The last case requests a status that is not declared. Prism
// then returns its own problem+json 404, which must not pass for Clerk's
// error.
func TestContractPrismOursDeclaredErrors(t *testing.T) {
	client, recorder := contractNewClient(t, contractPrismURL(t, contractPrismOursEnv), contractPrismSecretKey)
	doc := contractLoadOurs(t)
	calls := make(map[string]contractOperationCall, len(contractSixOperations))
	for _, op := range contractSixOperations {
		calls[op.name] = op
	}

	type errorCase struct {
		name            string
		operationID     string
		prefer          int
		wantStatus      int
		wantClerkErrors bool
	}
	var tests []errorCase
	for _, op := range contractOperations {
		operation := doc.Paths.Value(op.path).GetOperation(op.method)
		for _, status := range operation.Responses.Keys() {
			code, err := strconv.Atoi(status)
			if err != nil || code < 400 {
				continue
			}
			tests = append(tests, errorCase{
				name: fmt.Sprintf("%s %d", op.operationID, code), operationID: op.operationID,
				prefer: code, wantStatus: code, wantClerkErrors: true,
			})
		}
	}
	if len(tests) != 14 {
		t.Errorf("openapi.yaml declares %d error statuses over the six operations, want 14; update this test if the spec changed", len(tests))
	}
	tests = append(tests, errorCase{
		name: "undeclared status 409", operationID: "DeleteAllowlistIdentifier",
		prefer: 409, wantStatus: http.StatusNotFound, wantClerkErrors: false,
	})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), contractCallTimeout)
			defer cancel()

			err := calls[tt.operationID].call(ctx, client, wrapper.WithHeader("Prefer", fmt.Sprintf("code=%d", tt.prefer)))
			resp := recorder.last(t)
			if resp.status != tt.wantStatus {
				t.Fatalf("Prism status = %d, want %d; body: %s", resp.status, tt.wantStatus, resp.body)
			}

			var clerkErrors *wrapper.ClerkErrors
			if !tt.wantClerkErrors {
				var sdkError *wrapper.SDKError
				if errors.As(err, &clerkErrors) || !errors.As(err, &sdkError) {
					t.Errorf("%s = %v (%T), want *wrapper.SDKError for Prism's own error body", tt.operationID, err, err)
				}
				return
			}
			if !errors.As(err, &clerkErrors) {
				t.Fatalf("%s = %v (%T), want *wrapper.ClerkErrors", tt.operationID, err, err)
			}
			contractCheckClerkErrors(t, clerkErrors, tt.operationID, tt.wantStatus, resp.body)
		})
	}
}

// contractCheckClerkErrors compares the fields of a ClerkErrors with the
// body it was decoded from.
func contractCheckClerkErrors(t *testing.T, got *wrapper.ClerkErrors, operationID string, status int, body []byte) {
	t.Helper()
	var want gen.ClerkErrors
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("response body is not ClerkErrors JSON: %v; body: %s", err, body)
	}

	if got.Operation != operationID {
		t.Errorf("Operation = %q, want %q", got.Operation, operationID)
	}
	if got.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d", got.StatusCode, status)
	}
	if got.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", got.Attempts)
	}
	if want.ClerkTraceId != nil && got.TraceID != *want.ClerkTraceId {
		t.Errorf("TraceID = %q, want clerk_trace_id %q", got.TraceID, *want.ClerkTraceId)
	}
	if want.Meta != nil && got.Meta == nil {
		t.Errorf("Meta = nil, want the body's meta %v", *want.Meta)
	}
	if len(got.Errors) != len(want.Errors) {
		t.Fatalf("len(Errors) = %d, want %d", len(got.Errors), len(want.Errors))
	}
	for i, w := range want.Errors {
		g := got.Errors[i]
		if g.Code != w.Code || g.Message != w.Message || g.LongMessage != w.LongMessage {
			t.Errorf("Errors[%d] = {Code: %q, Message: %q, LongMessage: %q}, want {%q, %q, %q}",
				i, g.Code, g.Message, g.LongMessage, w.Code, w.Message, w.LongMessage)
		}
		if w.Meta != nil && g.Meta == nil {
			t.Errorf("Errors[%d].Meta = nil, want the body's meta %v", i, *w.Meta)
		}
	}
	if got.Error() == "" || !strings.Contains(got.Error(), strconv.Itoa(status)) {
		t.Errorf("Error() = %q, want it to name status %d", got.Error(), status)
	}
}

// contractLoadOurs loads the embedded openapi.yaml.
func contractLoadOurs(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(clerklists.OpenAPISpec())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	return doc
}
