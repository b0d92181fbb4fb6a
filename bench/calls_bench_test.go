package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// newSequentialSetup starts a fixture server and the three clients over one
// transport. One call is in flight at a time, so one connection is reused.
func newSequentialSetup(b *testing.B) implementations {
	b.Helper()
	srv := newFixtureServer(b)
	transport := newTransport(2)
	b.Cleanup(transport.CloseIdleConnections)
	return newImplementations(b, srv, &http.Client{Transport: transport})
}

// loop runs call until b.Loop ends and reports allocations and CPU time
// per call.
func loop(b *testing.B, call func() error) {
	b.Helper()
	b.ReportAllocs()
	stopCPUTimer := startCPUTimer(b)
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	stopCPUTimer()
}

func BenchmarkCreate(b *testing.B) {
	impls := newSequentialSetup(b)
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		loop(b, func() error {
			_, err := impls.raw.createAllowlistIdentifier(ctx, benchIdentifier, false)
			return err
		})
	})
	b.Run("gen", func(b *testing.B) {
		loop(b, func() error {
			_, err := genCreate(ctx, impls.gen, benchIdentifier, false)
			return err
		})
	})
	b.Run("wrapper", func(b *testing.B) {
		loop(b, func() error {
			_, err := impls.wrapper.CreateAllowlistIdentifier(ctx, benchIdentifier, false)
			return err
		})
	})
}

func BenchmarkDelete(b *testing.B) {
	impls := newSequentialSetup(b)
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		loop(b, func() error {
			_, err := impls.raw.deleteAllowlistIdentifier(ctx, benchIdentifierID)
			return err
		})
	})
	b.Run("gen", func(b *testing.B) {
		loop(b, func() error {
			_, err := genDelete(ctx, impls.gen, benchIdentifierID)
			return err
		})
	})
	b.Run("wrapper", func(b *testing.B) {
		loop(b, func() error {
			_, err := impls.wrapper.DeleteAllowlistIdentifier(ctx, benchIdentifierID)
			return err
		})
	})
}

func BenchmarkList(b *testing.B) {
	impls := newSequentialSetup(b)
	ctx := context.Background()

	for _, size := range listSizes {
		checkSize := func(n int) error {
			if n != size {
				return fmt.Errorf("list has %d entries, want %d", n, size)
			}
			return nil
		}
		b.Run(fmt.Sprintf("items=%d", size), func(b *testing.B) {
			b.Run("raw", func(b *testing.B) {
				loop(b, func() error {
					list, err := impls.raw.listAllowlistIdentifiers(ctx, size)
					if err != nil {
						return err
					}
					return checkSize(len(list))
				})
			})
			b.Run("gen", func(b *testing.B) {
				loop(b, func() error {
					list, err := genList(ctx, impls.gen, size)
					if err != nil {
						return err
					}
					return checkSize(len(list))
				})
			})
			b.Run("wrapper", func(b *testing.B) {
				params := &wrapper.ListAllowlistIdentifiersParams{Limit: size}
				loop(b, func() error {
					page, err := impls.wrapper.ListAllowlistIdentifiers(ctx, params)
					if err != nil {
						return err
					}
					return checkSize(len(page.Data))
				})
			})
		})
	}
}

// BenchmarkDecodeList decodes a listing body without any HTTP, once into the
// raw client's struct and once into the generated model, whose optional
// fields are pointers. The difference is the part of the list cost that
// comes from the model, not from the client.
func BenchmarkDecodeList(b *testing.B) {
	for _, size := range listSizes {
		body := allowlistBody(b, size)
		b.Run(fmt.Sprintf("items=%d", size), func(b *testing.B) {
			b.Run("raw", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					var list []rawIdentifier
					if err := json.Unmarshal(body, &list); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("gen", func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					var list gen.AllowlistIdentifierList
					if err := json.Unmarshal(body, &list); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// throughputGoroutines is the number of goroutines that share one client
// in BenchmarkThroughput and TestConnectionReuse, and the idle pool size of
// the transport they use.
const throughputGoroutines = 64

// BenchmarkThroughput sends the mixed workload from throughputGoroutines
// goroutines, rounded up to a multiple of GOMAXPROCS, through one client
// whose transport pool has been filled with throughputGoroutines
// connections. ns/op is wall time per call, and
// calls/s its inverse. new-conns counts the connections the server
// accepted beyond the warmed pool during the run; 0 means every call
// reused a pooled connection.
func BenchmarkThroughput(b *testing.B) {
	for _, name := range implementationNames {
		b.Run(name, func(b *testing.B) {
			srv := newFixtureServer(b)
			transport := newTransport(throughputGoroutines)
			b.Cleanup(transport.CloseIdleConnections)
			httpClient := &http.Client{Transport: transport}
			call := newImplementations(b, srv, httpClient).mixed()[name]
			ctx := context.Background()
			srv.warmUp(b, httpClient, throughputGoroutines)
			warmed := srv.accepted.Load()

			b.ReportAllocs()
			b.SetParallelism((throughputGoroutines + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			stopCPUTimer := startCPUTimer(b)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					if err := call(ctx, i); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
			stopCPUTimer()
			b.ReportMetric(float64(srv.accepted.Load()-warmed), "new-conns")
		})
	}
}
