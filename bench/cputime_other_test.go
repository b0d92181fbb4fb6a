//go:build !unix

package bench_test

import "testing"

// startCPUTimer reports nothing where getrusage is missing.
func startCPUTimer(*testing.B) func() {
	return func() {}
}
