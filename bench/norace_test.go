//go:build !race

package bench_test

// raceEnabled reports whether the race detector is on, which makes each
// call about ten times slower.
const raceEnabled = false
