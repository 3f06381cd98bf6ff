# C: libcape, the header check, the C tests. Owned by the C binding work.
#
#   make header         regenerate include/cape.h (the pinned cbindgen, through cape-ffi/tests/header.rs)
#   make header-check   fail when include/cape.h differs from what cape-ffi generates
#   make c-test         build libcape (debug) and run tests/c/test_cape.c: C99 + static lib, C++ + static lib,
#                       C99 + shared lib, C99 + AddressSanitizer/UBSan, and under valgrind (zero errors, zero
#                       leaks of any kind); then tests/c/check_package.sh: SONAME, `make install`, pkg-config
#                       (shared and --static), and the example cape-ffi/examples/assess.c on the sample
#   make install PREFIX=/usr/local   build libcape (release) and install lib/libcape.{a,so*}, include/cape.h and
#                       lib/pkgconfig/cape.pc under PREFIX (DESTDIR honoured)
.PHONY: header header-check c-test c-lib install

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
# The build `make install` installs from; check_package.sh points it at the debug build.
FFI_PROFILE_DIR ?=

header:
	CAPE_BLESS_HEADER=1 $(CARGO) test -p cape-ffi --test header

header-check:
	$(CARGO) test -p cape-ffi --test header

c-lib:
	$(CARGO) build -p cape-ffi

c-test: c-lib
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
	tests/c/check_package.sh $(FFI_TARGET) $(FFI_SAMPLE) $(VENV)/bin/cape

install:
	@if [ -z "$(FFI_PROFILE_DIR)" ]; then $(CARGO) build --release -p cape-ffi; fi
	$(eval FFI_FROM := $(or $(FFI_PROFILE_DIR),$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/release))
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 include/cape.h $(DESTDIR)$(PREFIX)/include/cape.h
	install -m 644 $(FFI_FROM)/libcape.a $(DESTDIR)$(PREFIX)/lib/libcape.a
	install -m 755 $(FFI_FROM)/libcape.so $(DESTDIR)$(PREFIX)/lib/libcape.so.$(FFI_VERSION)
	ln -sf libcape.so.$(FFI_VERSION) $(DESTDIR)$(PREFIX)/lib/libcape.so.$(FFI_MAJOR)
	ln -sf libcape.so.$(FFI_MAJOR) $(DESTDIR)$(PREFIX)/lib/libcape.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(FFI_VERSION)|' -e 's|@NATIVE_LIBS@|$(FFI_NATIVE_LIBS)|' \
		cape-ffi/cape.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/cape.pc
