package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

// Package-level names of the client tests start with "client", because the
// reliability and contract tests share this package.

// The secret keys of the client tests. The fake accepts only clientSecretKey, so a
// client with clientWrongSecretKey gets Clerk's 401. Both have a distinctive tail
// so that clientCheckNoSecret also finds a key that leaks without its prefix.
const (
	clientSecretKey      = "sk_test_clientsuite7f3a9c1e"
	clientWrongSecretKey = "sk_test_wrongkey51d2e8b4"
)

// clientSecretFragments are the strings that no error, log line or formatted
// value may contain.
var clientSecretFragments = []string{clientSecretKey, clientWrongSecretKey, "clientsuite7f3a9c1e", "wrongkey51d2e8b4"}

// clientCallTimeout bounds every call of the suite, so that a client that waits
// too long fails its test instead of hanging it. It is shorter than the
// one-minute intervals that some tests configure, so that the client stops
// at once when it would wait that long.
const clientCallTimeout = 30 * time.Second

// clientCallContext returns a context for one call, ended by clientCallTimeout or by
// the end of the test.
func clientCallContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientCallTimeout)
	t.Cleanup(cancel)
	return ctx
}

// clientFastRetry retries every few milliseconds, with exact waits, until
// maxElapsed has passed.
func clientFastRetry(maxElapsed time.Duration) wrapper.RetryConfig {
	return wrapper.RetryConfig{
		Strategy: wrapper.RetryStrategyBackoff,
		Backoff: wrapper.BackoffStrategy{
			InitialInterval:     2 * time.Millisecond,
			MaxInterval:         8 * time.Millisecond,
			Exponent:            2,
			MaxElapsedTime:      maxElapsed,
			RandomizationFactor: 0,
		},
		RetryConnectionErrors: true,
	}
}

// clientSlowRetry waits a minute before each retry. With clientCallContext's
// shorter deadline the client gives up instead of waiting, so a test that
// succeeds with it proves that something else, such as Retry-After or a
// call option, replaced the schedule.
func clientSlowRetry() wrapper.RetryConfig {
	return wrapper.RetryConfig{
		Strategy: wrapper.RetryStrategyBackoff,
		Backoff: wrapper.BackoffStrategy{
			InitialInterval:     time.Minute,
			MaxInterval:         time.Minute,
			Exponent:            1,
			MaxElapsedTime:      10 * time.Minute,
			RandomizationFactor: 0,
		},
		RetryConnectionErrors: true,
	}
}

// clientNoRetry sends one attempt per call.
func clientNoRetry() wrapper.RetryConfig {
	return wrapper.RetryConfig{Strategy: wrapper.RetryStrategyNone}
}

// clientTraceRecorder is an http.RoundTripper that keeps the Clerk-Trace-Id header
// of every response, so that a test can compare ClerkErrors.TraceID with the
// header that the server sent.
type clientTraceRecorder struct {
	base http.RoundTripper

	mu       sync.Mutex
	traceIDs []string
}

func (r *clientTraceRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.traceIDs = append(r.traceIDs, resp.Header.Get("Clerk-Trace-Id"))
		r.mu.Unlock()
	}
	return resp, err
}

// last returns the Clerk-Trace-Id header of the latest response, or "" when
// there was none.
func (r *clientTraceRecorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.traceIDs) == 0 {
		return ""
	}
	return r.traceIDs[len(r.traceIDs)-1]
}

// clientNewClient returns a client for baseURL that authenticates with key and
// retries with clientFastRetry(2s). opts come last, so they can replace both.
// The client has its own transport, closed when the test ends.
func clientNewClient(t *testing.T, baseURL, key string, opts ...wrapper.ClientOption) (*wrapper.Client, *clientTraceRecorder) {
	t.Helper()

	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	recorder := &clientTraceRecorder{base: transport}

	all := []wrapper.ClientOption{
		wrapper.WithBaseURL(baseURL),
		wrapper.WithHTTPClient(&http.Client{Transport: recorder, Timeout: 10 * time.Second}),
		wrapper.WithRetryConfig(clientFastRetry(2 * time.Second)),
	}
	all = append(all, opts...)
	client, err := wrapper.New(key, all...)
	if err != nil {
		t.Fatalf("wrapper.New(key, WithBaseURL(%q), …) error = %v, want nil", baseURL, err)
	}
	return client, recorder
}

// clientFake is a started clerkfake server with a client that sends its
// secret key.
type clientFake struct {
	*clerkfake.Server
	client *wrapper.Client
	traces *clientTraceRecorder
}

// clientStartFake starts a fake with clientSecretKey and registers a cleanup that
// closes it and fails the test if any response broke openapi.yaml. opts
// configure the client.
func clientStartFake(t *testing.T, opts ...wrapper.ClientOption) *clientFake {
	t.Helper()

	server, err := clerkfake.Start(clerkfake.WithSecretKey(clientSecretKey))
	if err != nil {
		t.Fatalf("clerkfake.Start() error = %v, want nil", err)
	}
	t.Cleanup(func() {
		server.Close()
		if violations := server.SpecViolations(); len(violations) > 0 {
			t.Errorf("SpecViolations() = %q, want none", violations)
		}
	})

	client, traces := clientNewClient(t, server.URL(), clientSecretKey, opts...)
	return &clientFake{Server: server, client: client, traces: traces}
}

// newClientWithKey returns another client for the fake, such as one that sends
// clientWrongSecretKey.
func (f *clientFake) newClientWithKey(t *testing.T, key string, opts ...wrapper.ClientOption) (*wrapper.Client, *clientTraceRecorder) {
	t.Helper()
	return clientNewClient(t, f.URL(), key, opts...)
}

// failNext queues a fault on the fake.
func (f *clientFake) failNext(t *testing.T, n int, fault clerkfake.Fault) {
	t.Helper()
	if err := f.FailNext(n, fault); err != nil {
		t.Fatalf("FailNext(%d, %+v) error = %v, want nil", n, fault, err)
	}
}

// clientRecordedRequest is what a clientScriptedServer saw of one request.
type clientRecordedRequest struct {
	method        string
	path          string // decoded, r.URL.Path
	escapedPath   string
	authorization []string
	userAgent     string
	accept        string
	contentType   string
	contentLength int64
	body          []byte
}

// clientScriptedServer is an HTTP server on 127.0.0.1 that records every request
// and responds with a handler that the test writes.
type clientScriptedServer struct {
	url string // the base URL for a client, ending in /v1

	mu       sync.Mutex
	requests []clientRecordedRequest
}

// clientStartScripted starts a clientScriptedServer. handler gets each request
// after it is recorded, with the body still readable, and the request's
// number, counting from 1. Handlers report failures with t.Errorf.
func clientStartScripted(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, number int)) *clientScriptedServer {
	t.Helper()

	s := &clientScriptedServer{}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf(`net.Listen("tcp", "127.0.0.1:0") error = %v, want nil`, err)
	}
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			t.Errorf("%s %s: read request body error = %v", r.Method, r.URL, err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		s.mu.Lock()
		s.requests = append(s.requests, clientRecordedRequest{
			method:        r.Method,
			path:          r.URL.Path,
			escapedPath:   r.URL.EscapedPath(),
			authorization: r.Header.Values("Authorization"),
			userAgent:     r.Header.Get("User-Agent"),
			accept:        r.Header.Get("Accept"),
			contentType:   r.Header.Get("Content-Type"),
			contentLength: r.ContentLength,
			body:          body,
		})
		number := len(s.requests)
		s.mu.Unlock()

		handler(w, r, number)
	}))
	// httptest listens on 127.0.0.1 unless the -httptest.serve flag is set,
	// and falls back to ::1, so the listener is replaced to keep the address
	// certain.
	_ = server.Listener.Close()
	server.Listener = listener
	server.Start()
	t.Cleanup(server.Close)

	s.url = server.URL + "/v1"
	return s
}

// recorded returns a copy of the requests seen so far.
func (s *clientScriptedServer) recorded() []clientRecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]clientRecordedRequest(nil), s.requests...)
}

// clientWriteResponse writes a response with the given Content-Type. An
// empty contentType sends no Content-Type header at all.
func clientWriteResponse(w http.ResponseWriter, status int, contentType, body string) {
	if contentType == "" {
		// Without this net/http would sniff a Content-Type from the body.
		w.Header()["Content-Type"] = nil
	} else {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// clientClosedBaseURL returns a base URL on 127.0.0.1 whose port had a listener
// that is now closed, so that every dial to it is refused.
func clientClosedBaseURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf(`net.Listen("tcp", "127.0.0.1:0") error = %v, want nil`, err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("Close() of listener %s error = %v, want nil", addr, err)
	}
	return "http://" + addr + "/v1"
}

// clientClerkErrorsBody encodes a ClerkErrors response body. An empty traceID
// leaves clerk_trace_id out, and a nil meta leaves meta out.
func clientClerkErrorsBody(t *testing.T, items []wrapper.ClerkError, meta map[string]any, traceID string) []byte {
	t.Helper()

	type clerkError struct {
		Code        string         `json:"code"`
		Message     string         `json:"message"`
		LongMessage string         `json:"long_message"`
		Meta        map[string]any `json:"meta,omitempty"`
	}
	body := struct {
		Errors       []clerkError   `json:"errors"`
		Meta         map[string]any `json:"meta,omitempty"`
		ClerkTraceID string         `json:"clerk_trace_id,omitempty"`
	}{Errors: []clerkError{}, Meta: meta, ClerkTraceID: traceID}
	for _, item := range items {
		body.Errors = append(body.Errors, clerkError(item))
	}

	data, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("json.Marshal(ClerkErrors body) error = %v, want nil", err)
	}
	return data
}

// clientOperation runs one of the six operations through a client, so that a
// table can cover every operation alike.
type clientOperation struct {
	operationID string
	method      string
	// path is the request path under the base URL, with the target of a
	// delete filled in.
	path string
	// target is the identifier that a create sends or the identifier ID that
	// a delete sends. The list operations ignore it.
	target string
	// successBody is a valid 200 body, for scripted servers.
	successBody string
	call        func(ctx context.Context, client *wrapper.Client, target string, opts ...wrapper.CallOption) error
}

const (
	clientAllowlistEntryJSON = `{"object":"allowlist_identifier","id":"alid_1","identifier":"ada@example.com","identifier_type":"email_address","instance_id":"ins_1","created_at":1733327400000,"updated_at":1733327400000}`
	clientBlocklistEntryJSON = `{"object":"blocklist_identifier","id":"blid_1","identifier":"mallory@example.com","identifier_type":"email_address","instance_id":"ins_1","created_at":1733327400000,"updated_at":1733327400000}`
)

var (
	clientOpListAllowlist = clientOperation{
		operationID: clerkfake.OperationListAllowlistIdentifiers,
		method:      http.MethodGet,
		path:        "/v1/allowlist_identifiers",
		successBody: "[" + clientAllowlistEntryJSON + "]",
		call: func(ctx context.Context, client *wrapper.Client, _ string, opts ...wrapper.CallOption) error {
			_, err := client.ListAllowlistIdentifiers(ctx, nil, opts...)
			return err
		},
	}
	clientOpCreateAllowlist = clientOperation{
		operationID: clerkfake.OperationCreateAllowlistIdentifier,
		method:      http.MethodPost,
		path:        "/v1/allowlist_identifiers",
		target:      "ada@example.com",
		successBody: clientAllowlistEntryJSON,
		call: func(ctx context.Context, client *wrapper.Client, identifier string, opts ...wrapper.CallOption) error {
			_, err := client.CreateAllowlistIdentifier(ctx, identifier, false, opts...)
			return err
		},
	}
	clientOpDeleteAllowlist = clientOperation{
		operationID: clerkfake.OperationDeleteAllowlistIdentifier,
		method:      http.MethodDelete,
		path:        "/v1/allowlist_identifiers/alid_1",
		target:      "alid_1",
		successBody: `{"object":"allowlist_identifier","id":"alid_1","deleted":true}`,
		call: func(ctx context.Context, client *wrapper.Client, identifierID string, opts ...wrapper.CallOption) error {
			_, err := client.DeleteAllowlistIdentifier(ctx, identifierID, opts...)
			return err
		},
	}
	clientOpListBlocklist = clientOperation{
		operationID: clerkfake.OperationListBlocklistIdentifiers,
		method:      http.MethodGet,
		path:        "/v1/blocklist_identifiers",
		successBody: `{"data":[` + clientBlocklistEntryJSON + `],"total_count":1}`,
		call: func(ctx context.Context, client *wrapper.Client, _ string, opts ...wrapper.CallOption) error {
			_, err := client.ListBlocklistIdentifiers(ctx, opts...)
			return err
		},
	}
	clientOpCreateBlocklist = clientOperation{
		operationID: clerkfake.OperationCreateBlocklistIdentifier,
		method:      http.MethodPost,
		path:        "/v1/blocklist_identifiers",
		target:      "mallory@example.com",
		successBody: clientBlocklistEntryJSON,
		call: func(ctx context.Context, client *wrapper.Client, identifier string, opts ...wrapper.CallOption) error {
			_, err := client.CreateBlocklistIdentifier(ctx, identifier, opts...)
			return err
		},
	}
	clientOpDeleteBlocklist = clientOperation{
		operationID: clerkfake.OperationDeleteBlocklistIdentifier,
		method:      http.MethodDelete,
		path:        "/v1/blocklist_identifiers/blid_1",
		target:      "blid_1",
		successBody: `{"object":"blocklist_identifier","id":"blid_1","deleted":true}`,
		call: func(ctx context.Context, client *wrapper.Client, identifierID string, opts ...wrapper.CallOption) error {
			_, err := client.DeleteBlocklistIdentifier(ctx, identifierID, opts...)
			return err
		},
	}
)

// clientAllOperations lists the six operations in the order of openapi.yaml.
var clientAllOperations = []clientOperation{
	clientOpListAllowlist,
	clientOpCreateAllowlist,
	clientOpDeleteAllowlist,
	clientOpListBlocklist,
	clientOpCreateBlocklist,
	clientOpDeleteBlocklist,
}

// clientFakeTarget returns a target with which op succeeds against the fake: the
// ID of a new entry for a delete, op.target otherwise. Call it before
// queueing faults, because it may create an entry.
func clientFakeTarget(t *testing.T, f *clientFake, op clientOperation) string {
	t.Helper()
	ctx := clientCallContext(t)

	switch op.operationID {
	case clerkfake.OperationDeleteAllowlistIdentifier:
		created, err := f.client.CreateAllowlistIdentifier(ctx, "delete-me@example.com", false)
		if err != nil {
			t.Fatalf("CreateAllowlistIdentifier(%q) error = %v, want nil", "delete-me@example.com", err)
		}
		return *created.Id
	case clerkfake.OperationDeleteBlocklistIdentifier:
		created, err := f.client.CreateBlocklistIdentifier(ctx, "delete-me@example.com")
		if err != nil {
			t.Fatalf("CreateBlocklistIdentifier(%q) error = %v, want nil", "delete-me@example.com", err)
		}
		return *created.Id
	}
	return op.target
}

// clientCheckNoSecret fails the test when any error in err's tree, formatted with
// Error() or any common fmt verb, contains a secret key or its tail.
func clientCheckNoSecret(t *testing.T, call string, err error) {
	t.Helper()
	for _, node := range clientErrorTree(err) {
		clientCheckTextNoSecret(t, call+" error", node.Error())
		for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
			clientCheckTextNoSecret(t, call+" error formatted with "+verb, fmt.Sprintf(verb, node))
		}
	}
}

// clientCheckTextNoSecret fails the test when text contains a secret key or
// its tail.
func clientCheckTextNoSecret(t *testing.T, label, text string) {
	t.Helper()
	for _, fragment := range clientSecretFragments {
		if strings.Contains(text, fragment) {
			t.Errorf("%s = %q, want no secret key (found %q)", label, text, fragment)
		}
	}
}

// clientMaxErrorTreeNodes bounds clientErrorTree, so that an error whose Unwrap returns
// itself cannot loop forever.
const clientMaxErrorTreeNodes = 64

// clientErrorTree returns err and every error it wraps, through Unwrap() error and
// Unwrap() []error, breadth first.
func clientErrorTree(err error) []error {
	if err == nil {
		return nil
	}
	tree := []error{err}
	for i := 0; i < len(tree) && len(tree) < clientMaxErrorTreeNodes; i++ {
		switch node := tree[i].(type) { //nolint:errorlint // walks the wrap tree itself, one level at a time
		case interface{ Unwrap() error }:
			if inner := node.Unwrap(); inner != nil {
				tree = append(tree, inner)
			}
		case interface{ Unwrap() []error }:
			for _, inner := range node.Unwrap() {
				if inner != nil {
					tree = append(tree, inner)
				}
			}
		}
	}
	return tree
}

// clientAsClerkErrors returns err as *wrapper.ClerkErrors, or stops the test. It
// also checks that err contains no secret key.
func clientAsClerkErrors(t *testing.T, call string, err error) *wrapper.ClerkErrors {
	t.Helper()
	clientCheckNoSecret(t, call, err)
	var clerkErrors *wrapper.ClerkErrors
	if !errors.As(err, &clerkErrors) {
		t.Fatalf("%s error = %v (%T), want *wrapper.ClerkErrors", call, err, err)
	}
	return clerkErrors
}

// clientAsSDKError returns err as *wrapper.SDKError, or stops the test. It also
// checks that err contains no secret key.
func clientAsSDKError(t *testing.T, call string, err error) *wrapper.SDKError {
	t.Helper()
	clientCheckNoSecret(t, call, err)
	var sdkError *wrapper.SDKError
	if !errors.As(err, &sdkError) {
		t.Fatalf("%s error = %v (%T), want *wrapper.SDKError", call, err, err)
	}
	return sdkError
}

// clientAsArgumentError returns err as *wrapper.ArgumentError, or stops the test.
// It also checks that err contains no secret key.
func clientAsArgumentError(t *testing.T, call string, err error) *wrapper.ArgumentError {
	t.Helper()
	clientCheckNoSecret(t, call, err)
	var argumentError *wrapper.ArgumentError
	if !errors.As(err, &argumentError) {
		t.Fatalf("%s error = %v (%T), want *wrapper.ArgumentError", call, err, err)
	}
	return argumentError
}

// clientAsAttemptsError returns err as *wrapper.AttemptsError, or stops the test.
// It also checks that err contains no secret key.
func clientAsAttemptsError(t *testing.T, call string, err error) *wrapper.AttemptsError {
	t.Helper()
	clientCheckNoSecret(t, call, err)
	var attemptsError *wrapper.AttemptsError
	if !errors.As(err, &attemptsError) {
		t.Fatalf("%s error = %v (%T), want *wrapper.AttemptsError", call, err, err)
	}
	return attemptsError
}

// clientCheckNoError fails the test when err is not nil, after checking it for
// secret keys too.
func clientCheckNoError(t *testing.T, call string, err error) {
	t.Helper()
	if err != nil {
		clientCheckNoSecret(t, call, err)
		t.Errorf("%s error = %v, want nil", call, err)
	}
}
