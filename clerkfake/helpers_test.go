package clerkfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
)

// fake is a started clerkfake.Server with a client that sends its secret key.
type fake struct {
	*clerkfake.Server
	t      *testing.T
	client *http.Client
}

// startFake starts a Server and registers a cleanup that closes it and fails
// the test if any response broke openapi.yaml.
func startFake(t *testing.T, opts ...clerkfake.Option) *fake {
	t.Helper()

	srv, err := clerkfake.Start(opts...)
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	t.Cleanup(func() {
		srv.Close()
		if violations := srv.SpecViolations(); len(violations) > 0 {
			t.Errorf("SpecViolations() = %q, want none", violations)
		}
	})

	return &fake{Server: srv, t: t, client: &http.Client{Timeout: 10 * time.Second}}
}

// result is a response with its body read.
type result struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request to path under URL(), with the secret key as bearer token
// and, for a non-empty body, the content type application/json. edit, if not
// nil, changes the request before it is sent. do reports failures with
// t.Errorf, so goroutines may call it, and then returns a result with status 0.
func (f *fake) do(method, path, body string, edit func(*http.Request)) result {
	f.t.Helper()
	return send(f.t, f.client, f.URL()+path, f.SecretKey(), method, body, edit)
}

func send(t *testing.T, client *http.Client, url, secretKey, method, body string, edit func(*http.Request)) result {
	t.Helper()

	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, reader)
	if err != nil {
		t.Errorf("NewRequest(%s %s) error = %v", method, url, err)
		return result{}
	}
	req.Header.Set("Authorization", "Bearer "+secretKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}

	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s error = %v", method, url, err)
		return result{}
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Errorf("%s %s: read body error = %v", method, url, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

// identifier is an allow-list or block-list entry as the fake encodes it.
type identifier struct {
	Object         string `json:"object"`
	ID             string `json:"id"`
	InvitationID   string `json:"invitation_id"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifier_type"`
	InstanceID     string `json:"instance_id"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

type identifierPage struct {
	Data       []identifier `json:"data"`
	TotalCount int          `json:"total_count"`
}

type deletedObject struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

type clerkErrors struct {
	Errors []struct {
		Message     string         `json:"message"`
		LongMessage string         `json:"long_message"`
		Code        string         `json:"code"`
		Meta        map[string]any `json:"meta"`
	} `json:"errors"`
	ClerkTraceID string `json:"clerk_trace_id"`
}

// decode decodes a JSON body into T and rejects fields that T lacks, so that
// a test notices any field the fake adds.
func decode[T any](t *testing.T, r result) T {
	t.Helper()

	var value T
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&value); err != nil {
		t.Errorf("decode %T from %d response %q: %v", value, r.status, r.body, err)
	}
	return value
}

// checkClerkError checks that r is a ClerkErrors response with status and
// code, whose trace ID is in the body and the Clerk-Trace-Id header, and
// returns the decoded body.
func checkClerkError(t *testing.T, r result, status int, code string) clerkErrors {
	t.Helper()

	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}

	body := decode[clerkErrors](t, r)
	if len(body.Errors) != 1 {
		t.Errorf("len(errors) = %d, want 1 (body %s)", len(body.Errors), r.body)
		return body
	}
	if got := body.Errors[0].Code; got != code {
		t.Errorf("code = %q, want %q (body %s)", got, code, r.body)
	}
	if body.Errors[0].Message == "" || body.Errors[0].LongMessage == "" {
		t.Errorf("message or long_message is empty (body %s)", r.body)
	}
	if body.ClerkTraceID == "" {
		t.Errorf("clerk_trace_id is empty (body %s)", r.body)
	}
	if got := r.header.Get("Clerk-Trace-Id"); got != body.ClerkTraceID {
		t.Errorf("Clerk-Trace-Id header = %q, want clerk_trace_id %q", got, body.ClerkTraceID)
	}
	return body
}

// create adds value to the allow-list or block-list, as path selects, and
// returns the new entry.
func (f *fake) create(path, value string) identifier {
	f.t.Helper()

	body, err := json.Marshal(map[string]string{"identifier": value})
	if err != nil {
		f.t.Errorf("encode identifier %q: %v", value, err)
	}
	r := f.do(http.MethodPost, path, string(body), nil)
	if r.status != http.StatusOK {
		f.t.Errorf("POST %s %q: status = %d, want 200 (body %s)", path, value, r.status, r.body)
	}
	return decode[identifier](f.t, r)
}
