#!/usr/bin/env bash
# Usage: scripts/with-prism.sh SPEC PORT COMMAND [ARG...]
#
# Starts Prism on 127.0.0.1:PORT mocking SPEC, waits until it listens (at
# most 120 s), runs COMMAND, then stops Prism and exits with COMMAND's
# status. Prism's log goes to a temporary file, printed if anything fails.
set -euo pipefail

spec=$1 port=$2
shift 2

if [ ! -f "$spec" ]; then
	echo "with-prism: spec file $spec not found; set CLERK_SPEC to Clerk's published Backend API spec" >&2
	exit 2
fi
prism=node_modules/.bin/prism
if [ ! -x "$prism" ]; then
	echo "with-prism: $prism is missing; run 'npm ci' first" >&2
	exit 2
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "with-prism: port $port on 127.0.0.1 is already in use; set PRISM_PORT (make demo-prism) or PRISM_CLERK_PORT and PRISM_OURS_PORT (make contract) to a free port" >&2
	exit 2
fi

log=$(mktemp)
"$prism" mock --host 127.0.0.1 --port "$port" "$spec" >"$log" 2>&1 &
prism_pid=$!
cleanup() {
	kill "$prism_pid" 2>/dev/null || true
	wait "$prism_pid" 2>/dev/null || true
	rm -f "$log"
}
trap cleanup EXIT

# Prism loads Clerk's whole spec before it listens: about 10 s on a 2-core machine.
for _ in $(seq 1 240); do
	if grep -q "Prism is listening" "$log"; then
		break
	fi
	if ! kill -0 "$prism_pid" 2>/dev/null; then
		echo "with-prism: Prism exited before listening:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.5
done
if ! grep -q "Prism is listening" "$log"; then
	echo "with-prism: Prism did not listen on port $port within 120 s:" >&2
	cat "$log" >&2
	exit 1
fi

status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
	echo "with-prism: command failed with status $status; Prism's log:" >&2
	tail -n 50 "$log" >&2
fi
exit "$status"
