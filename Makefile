# cape — build, run and test everything. See README.md.
#
#   make demo   the main job on the embedded sample (README command 1)
#   make test   every test: Rust, Python, C, plus fmt, clippy, docs and the header check (README command 2)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
export PYO3_PYTHON := $(VPY)

.PHONY: demo test rust-test lint docs bench

include mk/py.mk
include mk/ffi.mk
include mk/fuzz.mk
include mk/browser.mk

demo: py-install
	$(VENV)/bin/cape demo

test: lint rust-test header-check c-test browser-test py-test docs
	@echo "all tests passed"

rust-test:
	$(CARGO) test --workspace --exclude cape-py

lint: $(VPY)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	# The engine alone, as libcape and other embedders build it: no command line, no ledger (no SQLite).
	$(CARGO) clippy -p cape-core --no-default-features --all-targets -- -D warnings

# Throughput on generated ES-003 files of 100k, 1M and 5M tariff rows (BENCH_ROWS to change): the raw csv
# floor, ingest, the pipeline on one and two threads, `cape assess --format jsonl` and the Python bulk call
# (release wheel), with peak memory each; then the C streaming API (`make c-bench`: cape_run_path with a
# per-entry callback and keeping nothing, peak memory each). Then the criterion micro-benchmarks
# (BENCH_CRITERION=0 to skip).
bench:
	$(MAKE) py-install PY_PROFILE=--release
	CAPE_PYTHON=$(VPY) $(CARGO) run --release -p cape-benches --bin throughput -- \
		$(or $(BENCH_ROWS),100000 1000000 5000000)
	$(MAKE) --no-print-directory c-bench BENCH_ROWS="$(or $(BENCH_ROWS),100000 1000000 5000000)"
	if [ "$(BENCH_CRITERION)" != 0 ]; then $(CARGO) bench -p cape-benches --bench core; fi

docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p cape-core -p cape-ffi
