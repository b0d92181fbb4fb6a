package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerklists/clerklists/wrapper"
)

// secretKey is the key that every client in this package sends and that
// the fixture server expects.
const secretKey = "sk_test_benchmark"

// listSizes are the page sizes that the fixture server can return and that
// the list benchmarks request. 100 is there so that the per-item cost can be
// checked for linearity on three points, not two.
var listSizes = []int{10, 100, 500}

// fixtureServer is a loopback Backend API that returns fixed, realistic
// bodies, so that the client side is what a benchmark measures. It counts
// the connections it accepts.
type fixtureServer struct {
	*httptest.Server
	// baseURL is the server URL with the "/v1" prefix that Clerk's API has.
	baseURL  string
	accepted atomic.Int64
	// warmUpBarrier holds the requests to /v1/warm-up until all of a
	// warm-up's requests have arrived; nil outside warmUp.
	warmUpBarrier atomic.Pointer[barrier]
}

// newFixtureServer starts a fixture server on 127.0.0.1 and stops it when
// tb ends.
func newFixtureServer(tb testing.TB) *fixtureServer {
	tb.Helper()

	created := mustJSON(tb, allowlistIdentifier(0))
	deleted := mustJSON(tb, map[string]any{"id": "alid_000000", "object": "allowlist_identifier", "deleted": true})
	lists := make(map[int][]byte, len(listSizes))
	for _, size := range listSizes {
		lists[size] = allowlistBody(tb, size)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/allowlist_identifiers", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "reading the request body failed", http.StatusBadRequest)
			return
		}
		writeJSON(w, created)
	})
	mux.HandleFunc("DELETE /v1/allowlist_identifiers/{identifier_id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, deleted)
	})
	mux.HandleFunc("GET /v1/allowlist_identifiers", func(w http.ResponseWriter, r *http.Request) {
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		body, ok := lists[limit]
		if err != nil || !ok {
			http.Error(w, fmt.Sprintf("limit %q is not one of the fixture sizes %v", r.URL.Query().Get("limit"), listSizes), http.StatusBadRequest)
			return
		}
		writeJSON(w, body)
	})

	fs := &fixtureServer{}
	mux.HandleFunc("GET /v1/warm-up", func(w http.ResponseWriter, r *http.Request) {
		b := fs.warmUpBarrier.Load()
		if b == nil {
			http.Error(w, "no warm-up is running", http.StatusConflict)
			return
		}
		if err := b.arriveAndWait(r.Context()); err != nil {
			http.Error(w, "warm-up did not complete: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	srv := httptest.NewUnstartedServer(requireKey(mux))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			fs.accepted.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)

	fs.Server = srv
	fs.baseURL = srv.URL + "/v1"
	return fs
}

// warmUp fills the idle pool of httpClient's transport with connections
// connections to the server. It sends that many requests at once, and the
// server responds to none of them until all have arrived, so that each
// request dials its own connection. Without it, goroutines that start
// together open a few connections more than they need, because net/http
// finishes a dial it started for a request even when an idle connection
// serves that request first, and pools the new connection. The count would
// then not show whether the calls under test reuse connections.
func (fs *fixtureServer) warmUp(tb testing.TB, httpClient *http.Client, connections int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), warmUpTimeout)
	defer cancel()

	b := &barrier{release: make(chan struct{})}
	b.remaining.Store(int64(connections))
	fs.warmUpBarrier.Store(b)
	defer fs.warmUpBarrier.Store(nil)

	errs := make(chan error, connections)
	for range connections {
		go func() {
			errs <- warmUpRequest(ctx, httpClient, fs.baseURL+"/warm-up")
		}()
	}
	for range connections {
		if err := <-errs; err != nil {
			tb.Fatalf("warming up %d connections failed: %v", connections, err)
		}
	}
}

// warmUpTimeout bounds warmUp, whose requests wait for each other.
const warmUpTimeout = 30 * time.Second

func warmUpRequest(ctx context.Context, httpClient *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+secretKey)
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("GET %s: status %s", url, resp.Status)
	}
	return nil
}

// barrier releases its waiters once remaining of them have arrived.
type barrier struct {
	remaining atomic.Int64
	release   chan struct{}
}

func (b *barrier) arriveAndWait(ctx context.Context) error {
	if b.remaining.Add(-1) == 0 {
		close(b.release)
	}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requireKey rejects requests without the bearer token, so that every
// client under test is shown to authenticate like the others.
func requireKey(next http.Handler) http.Handler {
	want := "Bearer " + secretKey
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// allowlistIdentifier returns entry i in the shape Clerk sends, every
// field present.
func allowlistIdentifier(i int) map[string]any {
	return map[string]any{
		"id":              fmt.Sprintf("alid_2ZkQ8b1xV0%06d", i),
		"object":          "allowlist_identifier",
		"identifier":      fmt.Sprintf("user%06d@example.com", i),
		"identifier_type": "email_address",
		"invitation_id":   fmt.Sprintf("inv_2ZkQ8b1xV0%06d", i),
		"instance_id":     "ins_2ZkQ7nWqT3a1b2c3d4e5f6g7h8",
		"created_at":      int64(1_700_000_000_000 + i),
		"updated_at":      int64(1_700_000_000_000 + i),
	}
}

// allowlistBody returns the bare-array listing of size entries.
func allowlistBody(tb testing.TB, size int) []byte {
	tb.Helper()
	entries := make([]map[string]any, size)
	for i := range entries {
		entries[i] = allowlistIdentifier(i)
	}
	return mustJSON(tb, entries)
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("json.Marshal(%T) failed: %v", v, err)
	}
	return body
}

// newTransport returns a transport like http.DefaultTransport whose idle
// pool keeps maxIdlePerHost connections to the fixture server.
func newTransport(maxIdlePerHost int) *http.Transport {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = maxIdlePerHost
	transport.MaxIdleConnsPerHost = maxIdlePerHost
	return transport
}

// newWrapperClient returns a wrapper client with the default retry
// configuration that sends through httpClient to srv.
func newWrapperClient(tb testing.TB, srv *fixtureServer, httpClient *http.Client) *wrapper.Client {
	tb.Helper()
	client, err := wrapper.New(secretKey, wrapper.WithBaseURL(srv.baseURL), wrapper.WithHTTPClient(httpClient))
	if err != nil {
		tb.Fatalf("wrapper.New failed: %v", err)
	}
	return client
}
