//go:build unix

package bench_test

import (
	"syscall"
	"testing"
	"time"
)

// startCPUTimer returns a function that reports the CPU time, user plus
// system, that the whole process spent per iteration since the call, as
// cpu-ns/op. It includes the fixture server's share, which is the same for
// every implementation. It changes much less than ns/op when other
// processes compete for the cores.
func startCPUTimer(b *testing.B) func() {
	b.Helper()
	start := processCPUTime(b)
	return func() {
		b.Helper()
		if b.N > 0 {
			b.ReportMetric(float64(processCPUTime(b)-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPUTime(b *testing.B) time.Duration {
	b.Helper()
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatalf("getrusage failed: %v", err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
