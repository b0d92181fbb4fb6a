package bench_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// connectionTestTimeout bounds TestConnectionReuse. Its 320,000 calls took
// 8 to 13 s on 2 cores without the race detector.
const connectionTestTimeout = 3 * time.Minute

// TestConnectionReuse fills the idle pool of a transport with 64
// connections (MaxIdleConnsPerHost 64), then sends the mixed workload from
// 64 goroutines, 5,000 calls each, through one wrapper client on that
// transport. Because the wrapper reads every response body to the end and
// closes it, each call takes a pooled connection and the server accepts no
// connection beyond the 64 in the pool.
func TestConnectionReuse(t *testing.T) {
	callsPerGoroutine := 5000
	switch {
	case testing.Short():
		callsPerGoroutine = 200
	case raceEnabled:
		// The race detector makes the full run take about two minutes;
		// 32,000 calls cross the pool the same way.
		callsPerGoroutine = 500
	}
	srv := newFixtureServer(t)
	transport := newTransport(throughputGoroutines)
	// net/http returns a connection to the idle pool from its read loop
	// after the caller has seen the body's end. A goroutine that sends its
	// next request at once can then find the pool empty and dial. That
	// happened 2 times in 32,000 calls on a loaded 2-core machine. Capping
	// the connections at the pool size makes such a request wait for the
	// returning connection instead. A connection that the client loses,
	// for example by closing a body unread, still frees its slot, and the
	// new connection that replaces it fails the count below.
	transport.MaxConnsPerHost = throughputGoroutines
	t.Cleanup(transport.CloseIdleConnections)
	httpClient := &http.Client{Transport: transport}
	call := newImplementations(t, srv, httpClient).mixed()["wrapper"]

	srv.warmUp(t, httpClient, throughputGoroutines)
	if got := srv.accepted.Load(); got != throughputGoroutines {
		t.Fatalf("after the warm-up the server had accepted %d connections, want %d", got, throughputGoroutines)
	}

	completed, err := runConcurrently(t.Context(), throughputGoroutines, callsPerGoroutine, connectionTestTimeout, call)
	if err != nil {
		t.Fatalf("after %d of %d calls: %v", completed, throughputGoroutines*callsPerGoroutine, err)
	}
	if got := srv.accepted.Load(); got != throughputGoroutines {
		t.Errorf("server accepted %d connections in all, %d of them during %d calls from %d goroutines; want no connection beyond the %d in the idle pool",
			got, got-throughputGoroutines, completed, throughputGoroutines, throughputGoroutines)
	}
}

// TestConnectionCountCatchesUnreadBodies is the control for
// TestConnectionReuse: a client that closes response bodies unread loses
// its connection after each call, and the server's count shows it.
func TestConnectionCountCatchesUnreadBodies(t *testing.T) {
	const goroutines, callsPerGoroutine = 8, 20
	srv := newFixtureServer(t)
	transport := newTransport(goroutines)
	t.Cleanup(transport.CloseIdleConnections)
	httpClient := &http.Client{Transport: transport}

	unread := func(ctx context.Context, _ int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.baseURL+"/allowlist_identifiers?limit=500", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+secretKey)
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		// Reading one byte of a 140 KB body and closing it makes the
		// transport close the connection instead of reusing it.
		_, _ = io.ReadFull(resp.Body, make([]byte, 1))
		return resp.Body.Close()
	}

	completed, err := runConcurrently(t.Context(), goroutines, callsPerGoroutine, time.Minute, unread)
	if err != nil {
		t.Fatalf("after %d calls: %v", completed, err)
	}
	if got := srv.accepted.Load(); got <= goroutines {
		t.Errorf("server accepted %d connections for %d calls with unread bodies, want more than %d", got, completed, goroutines)
	}
}

// runConcurrently runs call from goroutines goroutines, callsPerGoroutine
// times each, and stops all of them at the first error or when timeout
// passes. It returns the number of calls that succeeded.
func runConcurrently(ctx context.Context, goroutines, callsPerGoroutine int, timeout time.Duration, call mixedCall) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var (
		completed atomic.Int64
		firstErr  error
		errOnce   sync.Once
		wg        sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := range callsPerGoroutine {
				if err := call(ctx, g+i); err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
				completed.Add(1)
			}
		})
	}
	wg.Wait()
	return completed.Load(), firstErr
}
