# Targets for developers and CI. `make help` lists them.

# Clerk's published Backend API spec, used by demo-prism and contract. Point
# it at a newer published file to check against it.
CLERK_SPEC ?= ../shared/clerk-openapi/bapi-2026-05-12.yml
# Loopback port for Prism; the scripts fail fast if it is taken.
PRISM_PORT ?= 4010

GO ?= go
NPM ?= npm
TOOLS_MODFILE := tools/go.mod
NODE_STAMP := node_modules/.package-lock.json

.PHONY: help generate check-generated test demo demo-prism lint contract bench fuzz

help:
	@echo "make demo             run the main job against the embedded fake Clerk"
	@echo "make test             run all Go tests with the race detector"
	@echo "make demo-prism       run the main job against Prism mocking CLERK_SPEC"
	@echo "make generate         regenerate gen/ from openapi.yaml"
	@echo "make check-generated  fail if gen/ differs from a fresh generation"
	@echo "make contract         check openapi.yaml and the client against CLERK_SPEC"
	@echo "make lint             gofmt, go vet and golangci-lint (gen/ excluded)"
	@echo "make bench            run the benchmarks"
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
	$(GO) tool -modfile=$(TOOLS_MODFILE) golangci-lint run ./...
