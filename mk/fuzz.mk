# Fuzzing (issue 9). The targets live in tests/fuzz (a cargo-fuzz project, its own workspace).
#
#   make fuzz-corpus   replay every committed corpus file through the targets' checks (plain cargo test; `make test`
#                      runs the same tests as part of rust-test)
#   make fuzz-smoke    each target for 10 s under libFuzzer (needs `cargo install cargo-fuzz`)
#   make fuzz-run      each target for FUZZ_SECONDS s (default 600); FUZZ_JOBS parallel jobs per target
#
# libFuzzer needs nightly-only flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. New inputs go to
# target/fuzz/corpus/<target> (not committed); the committed seeds in tests/fuzz/corpus/<target> are read only.
# Crashes are written to tests/fuzz/artifacts/<target>/ (ignored by git): add a minimised one to the corpus
# and a regression test when fixing it.

FUZZ_TARGETS := es003_csv es003_xlsx preflight results values reference
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 1
FUZZ_RSS_MB ?= 2048
FUZZ_ENV := RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CURDIR)/target/fuzz

.PHONY: fuzz-corpus fuzz-build fuzz-smoke fuzz-run

fuzz-corpus:
	$(CARGO) test -p cape-core --test fuzz_corpus --test bad_inputs

fuzz-build:
	$(FUZZ_ENV) $(CARGO) fuzz build --fuzz-dir tests/fuzz

define fuzz_one
	mkdir -p target/fuzz/corpus/$(1)
	$(FUZZ_ENV) $(CARGO) fuzz run --fuzz-dir tests/fuzz $(1) target/fuzz/corpus/$(1) tests/fuzz/corpus/$(1) -- \
		-max_total_time=$(2) -rss_limit_mb=$(FUZZ_RSS_MB) -timeout=10 -jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-print_final_stats=1

endef

fuzz-smoke: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t),10))

fuzz-run: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_one,$(t),$(FUZZ_SECONDS)))
