# seeupo — build, test and run. `make help` lists the targets.

GO       ?= go
# Recipes run in bash with pipefail, so a test run piped into testreport
# keeps go test's exit status.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c
BIN      := bin/seeupo
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# Packages with concurrency, tested under the race detector as well.
RACE_PKGS := ./cmd/... ./harness/...
# The openblas build tag routes matmuls to OpenBLAS; it is picked when
# Debian's libopenblas-dev is installed. TAGS= forces the pure-Go build.
TAGS ?= $(if $(wildcard /usr/include/x86_64-linux-gnu/cblas.h /usr/include/aarch64-linux-gnu/cblas.h /usr/include/cblas.h),openblas)
# Packages tested in both builds when the openblas tag is on.
BLAS_PKGS := ./kernels/... ./policy/...
# A package's tests may run for up to GOTEST_TIMEOUT (go test's own default of
# 10 minutes is too short for ./cmd/... under the race detector on a loaded
# 2-core machine).
GOTEST_TIMEOUT ?= 30m
# Each test run's skipped tests, summarised at the end of `make test`.
TESTLOG   := bin/testlog
REPORT    := bin/testreport

.PHONY: help build run test vet fmt-check unit race skip-summary testreport bench bench-kernels lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/seeupo (and bin/seeupo-purego beside it when the openblas tag is on)
	$(GO) build -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/seeupo
	@if [ -n "$(TAGS)" ]; then echo "$(GO) build -o bin/seeupo-purego ./cmd/seeupo"; \
		$(GO) build -ldflags '$(LDFLAGS)' -o bin/seeupo-purego ./cmd/seeupo; fi

# RUN_BIN=bin/seeupo (the OpenBLAS build) or bin/seeupo-purego skips the
# measurement and runs the suite with that binary.
run: build ## the main job: the quick comparative benchmark on the embedded default, in the faster kernels build here (RUN_BIN= forces one)
	@bin=$${RUN_BIN:-$$(scripts/faster-build $(BIN) $(if $(TAGS),bin/seeupo-purego))} && echo "kernels build for the suite: $$bin" && \
		$$bin bench --suite quick

test: vet fmt-check unit race skip-summary ## vet, gofmt check, all tests, race detector where it matters; ends with the skipped tests and why

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

testreport:
	@$(GO) build -o $(REPORT) ./internal/testreport
	@rm -rf $(TESTLOG) && mkdir -p $(TESTLOG)

unit: testreport
	$(GO) test -timeout $(GOTEST_TIMEOUT) -json -tags '$(TAGS)' ./... | $(REPORT) -label '$(or $(TAGS),pure-Go) build' -skips $(TESTLOG)/unit.skips
	@if [ -n "$(TAGS)" ]; then echo "pure-Go build of the kernels:"; \
		$(GO) test -timeout $(GOTEST_TIMEOUT) -json $(BLAS_PKGS) | $(REPORT) -label 'pure-Go build' -skips $(TESTLOG)/purego.skips; fi

race: testreport
	$(GO) test -timeout $(GOTEST_TIMEOUT) -json -race $(RACE_PKGS) | $(REPORT) -label race -skips $(TESTLOG)/race.skips

skip-summary:
	@shopt -s nullglob; $(REPORT) -summary $(TESTLOG)/*.skips

bench-kernels: build ## kernels and the native model against PyTorch, both builds side by side
	$(BIN) bench kernels

bench: ## run the Go benchmarks
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchmem ./...

lint: vet fmt-check ## static checks (go vet, gofmt, staticcheck when installed)
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed: go install honnef.co/go/tools/cmd/staticcheck@latest"; fi

clean: ## remove build outputs
	rm -rf bin
