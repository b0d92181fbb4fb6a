#!/usr/bin/env bash
# Usage: scripts/bench-compare.sh RESULTS
#
# Prints benchstat tables for a `go test -bench` output file from ./bench.
# Sub-benchmarks named raw, gen and wrapper are split into one file each,
# with that part of the name removed, so that benchstat puts the three
# side by side and shows gen and wrapper against raw ("vs base"). The
# retry-schedule benchmark has no such parts and gets a table of its own.
set -euo pipefail

results=$1
if [ ! -s "$results" ]; then
	echo "bench-compare: $results is missing or empty; run 'make bench' first" >&2
	exit 2
fi
GO=${GO:-go}
benchstat=("$GO" tool -modfile=tools/go.mod benchstat)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for implementation in raw gen wrapper; do
	{
		grep -E '^(goos|goarch|pkg|cpu):' "$results" || true
		sed -nE "s#^(Benchmark[^[:space:]]*)/$implementation(-[0-9]+)?([[:space:]])#\1\2\3#p" "$results"
	} >"$dir/$implementation.txt"
done

"${benchstat[@]}" raw="$dir/raw.txt" gen="$dir/gen.txt" wrapper="$dir/wrapper.txt"
echo
"${benchstat[@]}" -filter '.name:RetrySchedule .unit:(ns/op OR max-late-ns OR min-late-ns)' "$results"
