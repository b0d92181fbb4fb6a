# Targets for developers and CI. `make help` lists them.

# Clerk's published Backend API spec, used by demo-prism and contract. Point
# it at a newer published file to check against it.
CLERK_SPEC ?= ../shared/clerk-openapi/bapi-2026-05-12.yml
# Loopback port for Prism; the scripts fail fast if it is taken.
PRISM_PORT ?= 4010
# Loopback ports of the two Prism mocks that make contract starts: one of
# CLERK_SPEC and one of openapi.yaml.
PRISM_CLERK_PORT ?= 4011
PRISM_OURS_PORT ?= 4012

GO ?= go
NPM ?= npm
TOOLS_MODFILE := tools/go.mod
NODE_STAMP := node_modules/.package-lock.json
# make bench takes BENCH_COUNT samples of each benchmark, each run for
# BENCH_TIME, and writes them to BENCH_OUT/bench.txt. With the defaults it
# takes about three minutes on 2 cores.
BENCH_COUNT ?= 10
BENCH_TIME ?= 500ms
BENCH_OUT ?= bench/results

.PHONY: help generate check-generated test demo demo-prism lint contract bench fuzz

help:
	@echo "make demo             run the demo program against the embedded fake Clerk"
	@echo "make test             run all Go tests with the race detector"
	@echo "make demo-prism       run the demo program against Prism mocking CLERK_SPEC"
	@echo "make generate         regenerate gen/ from openapi.yaml"
	@echo "make check-generated  fail if gen/ differs from a fresh generation"
	@echo "make contract         check openapi.yaml and the client against CLERK_SPEC"
	@echo "make lint             gofmt, go vet and golangci-lint (gen/ excluded)"
	@echo "make bench            run the benchmarks and compare raw, gen and wrapper"
	@echo "make fuzz             run each fuzz target for a short fixed time"

generate:
	$(GO) generate ./...

check-generated: generate
	@git diff --exit-code -- gen/ || { echo "gen/ is out of date: run 'make generate' and commit the result" >&2; exit 1; }
	@test -z "$$(git status --porcelain -- gen/)" || { echo "gen/ has untracked files: run 'make generate' and commit the result" >&2; git status --porcelain -- gen/ >&2; exit 1; }

test:
	$(GO) test -race -count=1 ./...

demo:
	$(GO) run ./cmd/clerklists-demo

$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error

demo-prism: $(NODE_STAMP)
	scripts/with-prism.sh "$(CLERK_SPEC)" "$(PRISM_PORT)" \
		$(GO) run ./cmd/clerklists-demo -base-url "http://127.0.0.1:$(PRISM_PORT)" -secret-key sk_test_prism -skip-faults

lint:
	@out="$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/'))"; test -z "$$out" || { echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags contract ./tests/
	$(GO) tool -modfile=$(TOOLS_MODFILE) golangci-lint run --build-tags contract ./...

# The connection test runs first, at full size and without the race
# detector, which `make test` cannot afford. The samples are taken in
# BENCH_COUNT rounds of -test.count 1 rather than with -count BENCH_COUNT,
# which would take all samples of one benchmark back to back: on a shared
# machine a burst of load then lands on one implementation only.
bench:
	@mkdir -p $(BENCH_OUT)
	$(GO) test -count=1 -run '^TestConnectionReuse$$' ./bench/
	$(GO) test -c -o $(BENCH_OUT)/bench.test ./bench/
	@rm -f $(BENCH_OUT)/bench.txt
	@for round in $$(seq $(BENCH_COUNT)); do \
		echo "bench: round $$round of $(BENCH_COUNT)"; \
		$(BENCH_OUT)/bench.test -test.run '^$$' -test.bench . -test.benchmem -test.count 1 -test.benchtime $(BENCH_TIME) -test.timeout 10m >>$(BENCH_OUT)/bench.txt || { cat $(BENCH_OUT)/bench.txt; exit 1; }; \
	done
	GO=$(GO) scripts/bench-compare.sh $(BENCH_OUT)/bench.txt

# Spectral lints openapi.yaml, then the contract tests run under a Prism mock
# of CLERK_SPEC and one of openapi.yaml: oasdiff in both directions, the
# kin-openapi comparison, the Prism checks, clerkfake against the spec and the
# regeneration drill. docs/contract-testing.md describes each check.
contract: $(NODE_STAMP)
	node_modules/.bin/spectral lint --ruleset contract/spectral.yaml --fail-severity warn openapi.yaml
	$(GO) vet -tags contract ./tests/
	CLERK_SPEC="$(abspath $(CLERK_SPEC))" \
		scripts/with-prism.sh "$(CLERK_SPEC)" "$(PRISM_CLERK_PORT)" \
		scripts/with-prism.sh openapi.yaml "$(PRISM_OURS_PORT)" \
		env PRISM_CLERK_URL="http://127.0.0.1:$(PRISM_CLERK_PORT)" PRISM_OURS_URL="http://127.0.0.1:$(PRISM_OURS_PORT)" \
		$(GO) test -race -count=1 -timeout 5m -tags contract -run '^TestContract' ./tests/

# Each fuzz target in tests/ runs for FUZZ_TIME, one after another. A new
# interesting input is minimised for at most 5 s, so that the run keeps
# fuzzing. A failing input is written to tests/testdata/fuzz/<FuzzName>/,
# where make test then runs it as a seed.
FUZZ_TIME ?= 15s

fuzz:
	@targets="$$($(GO) test -list '^Fuzz' ./tests/ | grep '^Fuzz')"; \
	test -n "$$targets" || { echo "make fuzz: no fuzz targets in ./tests/" >&2; exit 1; }; \
	for target in $$targets; do \
		echo "== $$target for $(FUZZ_TIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZ_TIME) -fuzzminimizetime 5s ./tests/ || exit 1; \
	done
