#!/usr/bin/env bash
# Packaging and example checks of libcape, run by `make c-test`:
#   - the shared library's SONAME is libcape.so.0;
#   - `make install PREFIX=tmp` installs the header, both libraries and cape.pc;
#   - the example builds against the installed shared library with `pkg-config --cflags --libs cape`, and
#     against the static library alone with `pkg-config --cflags --libs --static cape` (the -l flags suffice);
#   - the example prints one line per entry, matching known values and `cape assess --format csv`;
#   - the example fails with a message for an unreadable file.
# Usage: check_package.sh LIB_DIR SAMPLE_ES003 [CAPE_CLI]
set -euo pipefail
lib_dir=$1
sample=$2
cli=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

soname=$(readelf -d "$lib_dir/libcape.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libcape.so.0 ] || fail "SONAME is '$soname', expected libcape.so.0"
echo "SONAME: $soname"

make --no-print-directory install PREFIX="$tmp/prefix" FFI_PROFILE_DIR="$lib_dir" >/dev/null
for f in include/cape.h lib/libcape.a lib/libcape.so lib/libcape.so.0 lib/pkgconfig/cape.pc; do
    [ -e "$tmp/prefix/$f" ] || fail "make install did not install $f"
done
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
echo "pkg-config --libs --static cape: $(pkg-config --libs --static cape)"

# shared
gcc -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/assess_shared" cape-ffi/examples/assess.c \
    $(pkg-config --cflags --libs cape) -Wl,-rpath,"$tmp/prefix/lib"
readelf -d "$tmp/assess_shared" | grep -q 'Shared library: \[libcape.so.0\]' || fail "example does not need libcape.so.0"

# static: with the shared library gone, the flags pkg-config gives must link libcape.a alone
rm "$tmp"/prefix/lib/libcape.so*
gcc -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/assess" cape-ffi/examples/assess.c \
    $(pkg-config --cflags --libs --static cape)
if readelf -d "$tmp/assess" | grep -q libcape; then fail "static example still needs a libcape shared library"; fi

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

if "$tmp/assess" /nonexistent/es003.csv 2026-04-20 >/dev/null 2>"$tmp/err"; then fail "unreadable file exited 0"; fi
grep -q 'nonexistent' "$tmp/err" || fail "no message for the unreadable file"
echo "example: unreadable file -> $(cat "$tmp/err")"
echo "check_package: ok"
