#!/usr/bin/env bash
# Packaging and example checks of libcape, run by `make c-test`:
#   - the shared library's SONAME is libcape.so.0;
#   - `make install PREFIX=tmp` installs the header, both libraries (no debug info left), cape.pc, cape-static.pc
#     and the CMake package;
#   - the example builds against the installed shared library with `pkg-config --cflags --libs cape`, and
#     statically with `pkg-config --cflags --libs cape-static` while libcape.so sits beside libcape.a (ldd shows no
#     libcape);
#   - a CMake project (tests/c/cmake_consumer) finds the package with find_package(cape 0.1 CONFIG REQUIRED) and
#     links the example to cape::cape (needs libcape.so.0) and to cape::cape_static (needs no libcape), both print
#     what the pkg-config builds print; find_package(cape 1.0) is refused; the prefix still works once moved;
#   - the example prints one line per entry, matching known values and `cape assess --format csv`;
#   - the example fails with a message for an unreadable file.
# Usage: [CMAKE=cmake] check_package.sh LIB_DIR SAMPLE_ES003 [CAPE_CLI]
set -euo pipefail
lib_dir=$1
sample=$2
cli=${3:-}
cmake=${CMAKE:-cmake}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

soname=$(readelf -d "$lib_dir/libcape.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libcape.so.0 ] || fail "SONAME is '$soname', expected libcape.so.0"
echo "SONAME: $soname"

make --no-print-directory install PREFIX="$tmp/prefix" FFI_PROFILE_DIR="$lib_dir" >/dev/null
for f in include/cape.h lib/libcape.a lib/libcape.so lib/libcape.so.0 lib/pkgconfig/cape.pc \
    lib/pkgconfig/cape-static.pc lib/cmake/cape/cape-config.cmake lib/cmake/cape/cape-config-version.cmake; do
    [ -e "$tmp/prefix/$f" ] || fail "make install did not install $f"
done

# installed libraries carry no debug info (readelf lists an archive's members' sections one after another)
for lib in libcape.a libcape.so.0; do
    if readelf -S --wide "$tmp/prefix/lib/$lib" | grep -q '\.debug_'; then fail "installed $lib has debug sections"; fi
    echo "installed $lib: $(du -Lh "$tmp/prefix/lib/$lib" | cut -f1) (build: $(du -Lh "$lib_dir/${lib%.0}" | cut -f1)), no debug info"
done

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
echo "pkg-config --libs cape-static: $(pkg-config --libs cape-static)"

# shared
gcc -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/assess_shared" cape-ffi/examples/assess.c \
    $(pkg-config --cflags --libs cape) -Wl,-rpath,"$tmp/prefix/lib"
readelf -d "$tmp/assess_shared" | grep -q 'Shared library: \[libcape.so.0\]' || fail "example does not need libcape.so.0"

# static, with libcape.so installed beside libcape.a: the documented flags must still link libcape.a
gcc -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/assess" cape-ffi/examples/assess.c \
    $(pkg-config --cflags --libs cape-static)
if readelf -d "$tmp/assess" | grep -q libcape; then fail "static example needs a libcape shared library"; fi
ldd "$tmp/assess" >"$tmp/ldd" || fail "ldd failed on the static example"
if grep -q libcape "$tmp/ldd"; then fail "ldd of the static example names libcape: $(grep libcape "$tmp/ldd")"; fi
echo "static example: ldd names no libcape"

"$tmp/assess" "$sample" 2026-04-20 >"$tmp/out.tsv"
entries=$(cut -d, -f1 "$sample" | tail -n +2 | sort -u | wc -l)
lines=$(wc -l <"$tmp/out.tsv")
[ "$lines" -eq "$entries" ] || fail "example printed $lines lines for $entries entries"
want=$(printf 'WQH-0749207-6\teligible\t48.30\t3.87\t-')
grep -qxF "$want" "$tmp/out.tsv" || fail "no line '$want'"
want=$(printf 'WQH-0749209-2\tineligible\t2429.50\t-\t2026-08-11')
grep -qxF "$want" "$tmp/out.tsv" || fail "no line '$want'"
awk -F'\t' 'NF != 5 { exit 1 }' "$tmp/out.tsv" || fail "a line without 5 tab-separated fields"
echo "example: $lines lines, one per entry"

if [ -n "$cli" ] && [ -x "$cli" ]; then
    # columns of `cape assess --format csv`: 1 entry_number, 7 ieepa_duty, 10 status, 13 last_filing_day, 21 interest
    "$cli" assess "$sample" --as-of 2026-04-20 --format csv >"$tmp/cli.csv"
    tail -n +2 "$tmp/cli.csv" |
        awk -F, '{ printf "%s\t%s\t%s\t%s\t%s\n", $1, $10, $7, ($21 == "" ? "-" : $21), ($13 == "" ? "-" : $13) }' \
            >"$tmp/cli.tsv"
    diff "$tmp/out.tsv" "$tmp/cli.tsv" >"$tmp/diff" || fail "example differs from cape assess --format csv: $(head -5 "$tmp/diff")"
    echo "example: every line equals cape assess --format csv"
else
    echo "example: cape CLI not built; compared with known values only"
fi

"$tmp/assess_shared" "$sample" 2026-04-20 | cmp -s - "$tmp/out.tsv" || fail "shared example differs from static"

# CMake: find_package(cape CONFIG) with the imported targets, against the installed prefix and then a moved one
command -v "$cmake" >/dev/null || fail "no cmake ('$cmake'); make c-test installs the pinned one into the venv"
cmake_consumer() { # PREFIX BUILD_DIR [extra -D...]
    local prefix=$1 build=$2
    shift 2
    "$cmake" -S tests/c/cmake_consumer -B "$build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER=gcc \
        -DCAPE_EXAMPLE="$PWD/cape-ffi/examples/assess.c" "$@" >"$build.log" 2>&1
}
for where in installed moved; do
    if [ "$where" = moved ]; then mv "$tmp/prefix" "$tmp/elsewhere"; prefix="$tmp/elsewhere"; else prefix="$tmp/prefix"; fi
    build="$tmp/cmake-$where"
    cmake_consumer "$prefix" "$build" || fail "cmake configure ($where prefix): $(tail -5 "$build.log")"
    grep -q "cape 0.1" "$build.log" || fail "find_package did not report cape's version: $(cat "$build.log")"
    "$cmake" --build "$build" >"$build.build.log" 2>&1 || fail "cmake build ($where): $(tail -5 "$build.build.log")"
    readelf -d "$build/assess_shared" | grep -q 'Shared library: \[libcape.so.0\]' ||
        fail "cape::cape ($where) does not link libcape.so.0"
    if readelf -d "$build/assess_static" | grep -q libcape; then fail "cape::cape_static ($where) needs libcape.so"; fi
    for exe in assess_shared assess_static; do
        "$build/$exe" "$sample" 2026-04-20 | cmp -s - "$tmp/out.tsv" || fail "cmake $exe ($where) prints other lines"
    done
    echo "cmake ($where prefix): cape::cape and cape::cape_static link and print the same lines"
done
if cmake_consumer "$tmp/elsewhere" "$tmp/cmake-v1" -DCAPE_WANT_VERSION=1.0; then fail "find_package(cape 1.0) accepted 0.1"; fi
grep -q "0.1.0" "$tmp/cmake-v1.log" || fail "find_package(cape 1.0) refused without naming the version found"
echo "cmake: find_package(cape 1.0) refused"

if "$tmp/assess" /nonexistent/es003.csv 2026-04-20 >/dev/null 2>"$tmp/err"; then fail "unreadable file exited 0"; fi
grep -q 'nonexistent' "$tmp/err" || fail "no message for the unreadable file"
echo "example: unreadable file -> $(cat "$tmp/err")"
echo "check_package: ok"
