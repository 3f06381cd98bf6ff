# C: libcape, the header check, the C tests. Owned by the C binding work.
#
#   make header         regenerate include/cape.h (the pinned cbindgen, through cape-ffi/tests/header.rs)
#   make header-check   fail when include/cape.h differs from what cape-ffi generates
#   make c-test         build libcape (debug) and run tests/c/test_cape.c: C99 + static lib, C++ + static lib,
#                       C99 + shared lib, C99 + AddressSanitizer/UBSan, and under valgrind (zero errors, zero
#                       leaks of any kind); then tests/c/check_package.sh: SONAME, `make install`, pkg-config
#                       (shared and --static), and the example cape-ffi/examples/assess.c on the sample
#                       The memory check: benches/c/stream_rss.c streams a generated ES-003 of FFI_RSS_ROWS
#                       (200k) rows through cape_run_path, with a per-entry callback and keeping nothing, and
#                       fails when either peaks at FFI_RSS_MAX_MB (64) MB or more
#   make c-bench        (release) the same program on generated files of BENCH_ROWS rows (100k 1M 5M), printing
#                       each mode's seconds and peak memory; part of `make bench`. It runs as the throughput
#                       harness's `pipeline` mode (same options, one thread; CAPE_BENCH_THREADS=0 for libcape's
#                       default): its seconds against that row are what the C surface adds
#   make install PREFIX=/usr/local   build libcape (release) and install lib/libcape.{a,so*} (debug info stripped),
#                       include/cape.h, lib/pkgconfig/{cape,cape-static}.pc and the CMake package
#                       lib/cmake/cape/cape-config{,-version}.cmake under PREFIX (DESTDIR honoured)
.PHONY: header header-check c-test c-lib c-bench install

FFI_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug
FFI_BUILD := $(FFI_TARGET)/c-test
# From `cargo rustc -p cape-ffi --lib --crate-type staticlib -- --print native-static-libs` (Linux, glibc).
FFI_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
FFI_TEST_SRC := tests/c/test_cape.c
FFI_SAMPLE := cape-core/data/sample_es003.csv
FFI_CFLAGS := -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude
FFI_CXXFLAGS := -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude
FFI_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
FFI_MAJOR := $(firstword $(subst ., ,$(FFI_VERSION)))
PREFIX ?= /usr/local
FFI_RSS_SRC := benches/c/stream_rss.c
FFI_RSS_ROWS ?= 200000
FFI_RSS_MAX_MB ?= 64
# Generated ES-003 files, shared with the throughput harness (benches/src/bin/throughput.rs): same name, seed
# and entries (rows / 4.75, rounded up).
FFI_BENCH_DATA := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/bench-data
# $(call ffi_es003,ROWS,PROFILE_FLAG): generate $(FFI_BENCH_DATA)/es003_ROWS.csv unless it is there
ffi_es003 = mkdir -p $(FFI_BENCH_DATA) && { test -f $(FFI_BENCH_DATA)/es003_$(1).csv || $(CARGO) run -q $(2) \
	-p cape-core --example cape -- sample --seed 8 --entries $$(( ($(1) * 4 + 18) / 19 )) \
	--output $(FFI_BENCH_DATA)/es003_$(1).csv; }
# The build `make install` installs from; check_package.sh points it at the debug build.
FFI_PROFILE_DIR ?=
# Installed libraries carry no debug info (the release profile keeps line tables for profiling: 20 MB .so, 90 MB
# .a); FFI_STRIP=true installs them as built.
FFI_STRIP ?= strip --strip-debug
ffi_empty :=
ffi_space := $(ffi_empty) $(ffi_empty)
# The same system libraries as a CMake list (gcc_s;util;...), for the imported static target.
FFI_NATIVE_LIBS_CMAKE := $(subst $(ffi_space),;,$(patsubst -l%,%,$(FFI_NATIVE_LIBS)))
# The CMake consumer test (tests/c/check_package.sh) uses the CMake pinned in cape-py/requirements-dev.txt.
FFI_CMAKE ?= $(VENV)/bin/cmake

header:
	CAPE_BLESS_HEADER=1 $(CARGO) test -p cape-ffi --test header

header-check:
	$(CARGO) test -p cape-ffi --test header

c-lib:
	$(CARGO) build -p cape-ffi

c-test: c-lib $(VENV)/.dev-requirements
	mkdir -p $(FFI_BUILD)
	gcc $(FFI_CFLAGS) -o $(FFI_BUILD)/test_cape_c $(FFI_TEST_SRC) $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	$(FFI_BUILD)/test_cape_c $(FFI_SAMPLE)
	g++ $(FFI_CXXFLAGS) -o $(FFI_BUILD)/test_cape_cxx $(FFI_TEST_SRC) -x none $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	$(FFI_BUILD)/test_cape_cxx $(FFI_SAMPLE)
	# the library's SONAME is libcape.so.0: give the uninstalled build that name next to the test
	ln -sf $(FFI_TARGET)/libcape.so $(FFI_BUILD)/libcape.so.0
	gcc $(FFI_CFLAGS) -o $(FFI_BUILD)/test_cape_shared $(FFI_TEST_SRC) -L$(FFI_TARGET) -Wl,-rpath,$(FFI_BUILD) -lcape
	$(FFI_BUILD)/test_cape_shared $(FFI_SAMPLE)
	gcc $(FFI_CFLAGS) -g -fsanitize=address,undefined -fno-omit-frame-pointer -o $(FFI_BUILD)/test_cape_asan \
		$(FFI_TEST_SRC) $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(FFI_BUILD)/test_cape_asan $(FFI_SAMPLE)
	valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--suppressions=tests/c/valgrind.supp \
		$(FFI_BUILD)/test_cape_c $(FFI_SAMPLE) 2>&1 | grep -E '^==[0-9]+== (ERROR SUMMARY|All heap|  total heap|    (definitely|indirectly|possibly) lost|    still reachable)|passed' ; \
		test "$${PIPESTATUS[0]}" -eq 0
	CMAKE=$(FFI_CMAKE) tests/c/check_package.sh $(FFI_TARGET) $(FFI_SAMPLE) $(VENV)/bin/cape
	# the C side of the cross-language test (tests/python/test_cross_language.py, run by py-test)
	gcc $(FFI_CFLAGS) -o $(FFI_BUILD)/cape_jsonl tests/c/jsonl.c $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	$(call ffi_es003,$(FFI_RSS_ROWS),)
	gcc $(FFI_CFLAGS) -o $(FFI_BUILD)/stream_rss $(FFI_RSS_SRC) $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	$(FFI_BUILD)/stream_rss $(FFI_BENCH_DATA)/es003_$(FFI_RSS_ROWS).csv callback $(FFI_RSS_MAX_MB)
	$(FFI_BUILD)/stream_rss $(FFI_BENCH_DATA)/es003_$(FFI_RSS_ROWS).csv keep-nothing $(FFI_RSS_MAX_MB)

c-bench:
	$(CARGO) build --release -p cape-ffi
	$(eval FFI_RELEASE := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/release)
	mkdir -p $(FFI_RELEASE)/c-bench
	gcc $(FFI_CFLAGS) -O2 -o $(FFI_RELEASE)/c-bench/stream_rss $(FFI_RSS_SRC) $(FFI_RELEASE)/libcape.a $(FFI_NATIVE_LIBS)
	for rows in $(or $(BENCH_ROWS),100000 1000000 5000000); do \
		$(call ffi_es003,$$rows,--release); \
		for mode in keep-nothing callback; do \
			$(FFI_RELEASE)/c-bench/stream_rss $(FFI_BENCH_DATA)/es003_$$rows.csv $$mode; \
		done; \
	done

install:
	@if [ -z "$(FFI_PROFILE_DIR)" ]; then $(CARGO) build --release -p cape-ffi; fi
	$(eval FFI_FROM := $(or $(FFI_PROFILE_DIR),$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/release))
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/cape $(DESTDIR)$(PREFIX)/include
	install -m 644 include/cape.h $(DESTDIR)$(PREFIX)/include/cape.h
	install -m 644 $(FFI_FROM)/libcape.a $(DESTDIR)$(PREFIX)/lib/libcape.a
	$(FFI_STRIP) $(DESTDIR)$(PREFIX)/lib/libcape.a
	install -m 755 $(FFI_FROM)/libcape.so $(DESTDIR)$(PREFIX)/lib/libcape.so.$(FFI_VERSION)
	$(FFI_STRIP) $(DESTDIR)$(PREFIX)/lib/libcape.so.$(FFI_VERSION)
	ln -sf libcape.so.$(FFI_VERSION) $(DESTDIR)$(PREFIX)/lib/libcape.so.$(FFI_MAJOR)
	ln -sf libcape.so.$(FFI_MAJOR) $(DESTDIR)$(PREFIX)/lib/libcape.so
	for pc in cape cape-static; do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(FFI_VERSION)|' -e 's|@NATIVE_LIBS@|$(FFI_NATIVE_LIBS)|' \
			cape-ffi/$$pc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$pc.pc || exit 1; \
	done
	for f in cape-config cape-config-version; do \
		sed -e 's|@VERSION@|$(FFI_VERSION)|g' -e 's|@MAJOR@|$(FFI_MAJOR)|g' \
			-e 's|@NATIVE_LIBS@|$(FFI_NATIVE_LIBS_CMAKE)|' -e "s|@SIZEOF_VOID_P@|$$(( $$(getconf LONG_BIT) / 8 ))|" \
			cape-ffi/cmake/$$f.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/cape/$$f.cmake || exit 1; \
	done
