// Package bench contains the benchmarks and load tests that measure what the
// wrapper costs per call against plain net/http and against the generated
// client. It has no importable code: everything is in _test.go files, run
// by `make bench` for the figures in BENCHMARKS.md and by `go test ./...`
// for the tests.
package bench
