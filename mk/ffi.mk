# C: libcape, the header check, the C tests. Owned by the C binding work.
#
#   make header         regenerate include/cape.h (the pinned cbindgen, through cape-ffi/tests/header.rs)
#   make header-check   fail when include/cape.h differs from what cape-ffi generates
#   make c-test         build libcape (debug) and run tests/c/test_cape.c: C99 + static lib, C++ + static lib,
#                       C99 + shared lib, C99 + AddressSanitizer, and under valgrind when it is installed
.PHONY: header header-check c-test c-lib

FFI_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/debug
FFI_BUILD := $(FFI_TARGET)/c-test
# From `cargo rustc -p cape-ffi --lib --crate-type staticlib -- --print native-static-libs` (Linux, glibc).
FFI_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
FFI_TEST_SRC := tests/c/test_cape.c
FFI_SAMPLE := cape-core/data/sample_es003.csv
FFI_CFLAGS := -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude
FFI_CXXFLAGS := -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude

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
	gcc $(FFI_CFLAGS) -o $(FFI_BUILD)/test_cape_shared $(FFI_TEST_SRC) -L$(FFI_TARGET) -Wl,-rpath,$(FFI_TARGET) -lcape
	$(FFI_BUILD)/test_cape_shared $(FFI_SAMPLE)
	gcc $(FFI_CFLAGS) -g -fsanitize=address,undefined -fno-omit-frame-pointer -o $(FFI_BUILD)/test_cape_asan \
		$(FFI_TEST_SRC) $(FFI_TARGET)/libcape.a $(FFI_NATIVE_LIBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 $(FFI_BUILD)/test_cape_asan $(FFI_SAMPLE)
	if command -v valgrind >/dev/null; then \
		valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
			$(FFI_BUILD)/test_cape_c $(FFI_SAMPLE); \
	else \
		echo "valgrind not installed: skipping the valgrind run"; \
	fi
