package clerkfake

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// shutdownTimeout bounds how long Close waits for requests in flight before
// it closes their connections.
const shutdownTimeout = 5 * time.Second

// Server is an in-memory fake of Clerk's Backend API for the allow-list and
// block-list operations. It is an http.Handler and is safe for concurrent use.
type Server struct {
	secretKey string
	validator *validator
	store     *store

	mu          sync.Mutex
	faults      []pendingFault
	requests    map[string]int
	violations  []string
	httpServer  *http.Server  // nil unless created by Start
	serveDone   chan struct{} // closed when httpServer.Serve returns
	url         string
	closeCalled bool
}

// NewHandler returns a Server that does not listen on any address, for
// mounting in an httptest.Server or another server of the caller's. Requests
// must reach it with their path unchanged, such as /v1/allowlist_identifiers,
// so mount it at the root or remove a prefix with http.StripPrefix. The
// client's base URL is the server's URL followed by /v1. NewHandler returns an
// error when an option is invalid or openapi.yaml cannot be loaded.
func NewHandler(opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return newServer(cfg)
}

func newServer(cfg config) (*Server, error) {
	v, err := newValidator(handledOperationIDs())
	if err != nil {
		return nil, err
	}

	return &Server{
		secretKey: cfg.secretKey,
		validator: v,
		store:     newStore(),
		requests:  make(map[string]int),
	}, nil
}

// Start returns a Server that listens on an ephemeral port of 127.0.0.1, or
// on the loopback address that WithAddr sets. Call Close to stop it.
func Start(opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}

	listener, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("clerkfake: listen on %s: %w", cfg.addr, err)
	}

	s.httpServer = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.serveDone = make(chan struct{})
	s.url = "http://" + listener.Addr().String() + basePath

	go func() {
		defer close(s.serveDone)
		// Serve returns http.ErrServerClosed after Shutdown or Close, and any
		// other error only when the listener fails, which leaves nothing to
		// serve.
		_ = s.httpServer.Serve(listener)
	}()
	return s, nil
}

// URL returns the base URL that a client uses, such as
// http://127.0.0.1:41234/v1. It returns "" for a Server from NewHandler.
func (s *Server) URL() string {
	return s.url
}

// SecretKey returns the secret key that requests must send as a bearer token.
func (s *Server) SecretKey() string {
	return s.secretKey
}

// Close stops a Server from Start. It closes the listener, waits up to 5
// seconds for requests in flight, closes every connection and returns when the
// serving goroutine has exited. Close does nothing for a Server from
// NewHandler, and calls after the first do nothing.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closeCalled || s.httpServer == nil {
		s.mu.Unlock()
		return
	}
	s.closeCalled = true
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.httpServer.Shutdown(ctx); err != nil {
		// Shutdown has closed the listener already, so an error from Close
		// could only report that again.
		_ = s.httpServer.Close()
	}
	<-s.serveDone
}

// Requests returns how many requests were routed to the operation with the
// given operation ID, whatever their outcome, so rejected requests and faults
// count too. Requests to an unknown path or method count for no operation.
func (s *Server) Requests(operationID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[operationID]
}

// SpecViolations returns a description of each response that the fake built
// but replaced with a 500, because it did not match openapi.yaml. Each one is
// a bug in the fake, so tests can assert that the result is empty.
func (s *Server) SpecViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// ServeHTTP serves one request. It routes the request (404, 405), sends a
// queued Fault if one matches, checks the secret key (401), validates the
// request against openapi.yaml (400, 413), runs the operation and validates
// its response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	traceID := newTraceID()
	w.Header().Set(traceIDHeader, traceID)

	route, pathParams, apiErr := s.validator.findRoute(r)
	if apiErr != nil {
		if len(apiErr.allow) > 0 {
			w.Header().Set("Allow", strings.Join(apiErr.allow, ", "))
		}
		writeJSON(w, apiErr.status, apiErr.body(traceID))
		return
	}
	operationID := route.Operation.OperationID

	s.mu.Lock()
	s.requests[operationID]++
	s.mu.Unlock()

	if f, ok := s.takeFault(operationID); ok {
		writeFault(w, traceID, f)
		return
	}

	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
	}
	resp := s.authorizeAndServe(w, input)
	s.writeValidated(w, traceID, input, resp)
}

func (s *Server) authorizeAndServe(w http.ResponseWriter, input *openapi3filter.RequestValidationInput) response {
	r := input.Request
	if apiErr := s.authenticate(r.Header.Get("Authorization")); apiErr != nil {
		return failure(apiErr)
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBodyBytes)
	if apiErr := s.validator.validateRequest(r.Context(), input); apiErr != nil {
		return failure(apiErr)
	}

	return s.serveOperation(input)
}

// authenticate checks the Authorization header value. Error messages never
// contain the header value or the secret key.
func (s *Server) authenticate(authorization string) *apiError {
	scheme, token, found := strings.Cut(authorization, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errMissingAuthorization()
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.secretKey)) != 1 {
		return errInvalidSecretKey()
	}
	return nil
}

// writeValidated encodes resp, checks it against openapi.yaml and writes it.
// A response that breaks the spec is recorded and replaced with a 500.
func (s *Server) writeValidated(w http.ResponseWriter, traceID string, input *openapi3filter.RequestValidationInput, resp response) {
	body := resp.body
	if resp.err != nil {
		body = resp.err.body(traceID)
	}

	data, err := json.Marshal(body)
	if err == nil {
		header := http.Header{"Content-Type": {"application/json"}}
		err = s.validator.validateResponse(input.Request.Context(), input, resp.status, header, data)
	}
	if err != nil {
		violation := fmt.Sprintf("%s: response with status %d does not match openapi.yaml: %v",
			input.Route.Operation.OperationID, resp.status, err)
		s.mu.Lock()
		s.violations = append(s.violations, violation)
		s.mu.Unlock()

		writeJSON(w, http.StatusInternalServerError, errInternal(violation).body(traceID))
		return
	}

	writeBody(w, resp.status, data)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		// Only error bodies come here, and they hold strings and maps of
		// strings, which always encode.
		panic(fmt.Sprintf("clerkfake: encode error body: %v", err))
	}
	writeBody(w, status, data)
}

func writeBody(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data) // The client may have gone away, and the fake has no one to tell.
}
