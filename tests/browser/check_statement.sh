#!/usr/bin/env bash
# Opens the sample client statement in a real headless browser (Debian's chromium) and checks what it renders.
#
#   tests/browser/check_statement.sh            (or: make browser-test)
#
# 1. Writes the statement of the fixed sample importer (cape-core/examples/statement.rs) to
#    target/browser/statement.html.
# 2. Renders it with `chromium --headless --dump-dom` and checks the rendered page holds the three totals, exact,
#    in their elements, and the status breakdown and entry tables (no script runs: the page has none).
# 3. Takes a screenshot (target/browser/statement.png) and prints the page to PDF on A4 and on Letter
#    (target/browser/statement-{a4,letter}.pdf, from copies with that @page size), kept as test artifacts.
# 4. Builds a ledger through the command line (a generated ES-003 recorded and declared, one entry paid, under
#    target/browser/ledger/), writes one importer's page with `cape ledger statement` and checks the rendered
#    totals are the ones the command printed.
#
# Chromium is installed when missing and we are root (apt-get install -y chromium); otherwise the script says how.
# CHROMIUM=/path/to/chrome overrides the browser; CARGO and CARGO_TARGET_DIR are honoured.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$TARGET/browser
CARGO=${CARGO:-cargo}
mkdir -p "$OUT"
# Artifacts of an earlier run must not pass for this one.
rm -f "$OUT"/statement*.html "$OUT"/statement*.pdf "$OUT"/statement.png "$OUT"/chromium.log

find_browser() {
    if [[ -n "${CHROMIUM:-}" ]]; then echo "$CHROMIUM"; return; fi
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return; fi
    done
}

BROWSER=$(find_browser || true)
if [[ -z "$BROWSER" ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "check_statement: chromium is missing; installing it (apt-get install -y chromium)" >&2
        apt-get update -qq >/dev/null || { echo "check_statement: apt-get update failed" >&2; exit 1; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        BROWSER=$(find_browser || true)
    fi
    if [[ -z "$BROWSER" ]]; then
        echo "check_statement: no headless browser found. Install Debian's chromium (sudo apt-get install chromium)" \
             "or set CHROMIUM=/path/to/chrome, then run again." >&2
        exit 1
    fi
fi

HTML=$OUT/statement.html
(cd "$ROOT" && "$CARGO" run -q -p cape-core --example statement -- "$HTML")

# A private profile, no GPU, no network needed; --no-sandbox only when root (chromium refuses to run otherwise).
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
FLAGS=(--headless --disable-gpu --no-first-run --no-default-browser-check --disable-extensions
       --user-data-dir="$PROFILE" --hide-scrollbars --force-device-scale-factor=1)
if [[ $(id -u) -eq 0 ]]; then FLAGS+=(--no-sandbox); fi
URL="file://$HTML"

# Rendering can be slow on a loaded machine: give each step its time, never hang.
run() { timeout 120 "$BROWSER" "${FLAGS[@]}" "$@" 2>>"$OUT/chromium.log"; }

DOM=$OUT/statement.dom.html
run --dump-dom "$URL" >"$DOM"
fail=0
expect() {
    if grep -qF -- "$1" "$DOM"; then echo "ok   $2"; else echo "FAIL $2: not in the rendered page: $1"; fail=1; fi
}
expect '<span class="amount" id="total-expected">$2,347,655.64</span>' "total expected"
expect '<span class="amount" id="total-paid">$583,506.68</span>' "total paid"
expect '<span class="amount" id="total-outstanding">$1,764,148.96</span>' "total outstanding"
expect 'Acme Imports &amp; Co. &lt;Sample&gt; (12-345678900)' "importer name escaped"
expect '<table id="states">' "status breakdown"
expect '<table id="entries">' "entry table"
expect '<title id="chart-title">Expected and received refunds by month</title>' "chart"
rows=$( { grep -o '<td class="entry">' "$DOM" || true; } | wc -l)
if [[ $rows -eq 56 ]]; then echo "ok   48 entry rows and 8 deadline rows"; else echo "FAIL entry and deadline rows: $rows, not 56"; fail=1; fi

run --screenshot="$OUT/statement.png" --window-size=1100,1600 "$URL" >/dev/null
# The page leaves the paper size to the printer: print a copy on each size (an @page size added before
# </head>) to see both, at the page's own margins and print rules.
for paper in A4 Letter; do
    lower=$(echo "$paper" | tr '[:upper:]' '[:lower:]')
    sed "s|</head>|<style>@page { size: $paper; }</style></head>|" "$HTML" >"$OUT/statement-$lower.html"
    run --print-to-pdf="$OUT/statement-$lower.pdf" --no-pdf-header-footer "file://$OUT/statement-$lower.html" \
        >/dev/null
done
if [[ -s "$OUT/statement.png" ]]; then echo "ok   $OUT/statement.png"; else echo "FAIL no screenshot"; fail=1; fi
# Each PDF on its paper (the MediaBox in points: A4 595 x 842, Letter 612 x 792), over more than one page (the
# entry table runs on, its header repeated by the print CSS).
for pair in "a4:/MediaBox \[0 0 594.9[0-9]* 841.9[0-9]*\]" "letter:/MediaBox \[0 0 612 792\]"; do
    paper=${pair%%:*}; box=${pair#*:}; pdf=$OUT/statement-$paper.pdf
    pages=$(grep -ac "$box" "$pdf" 2>/dev/null || true)
    if [[ $pages -ge 2 ]]; then echo "ok   $pdf: $pages pages"; else echo "FAIL $pdf: ${pages:-no} pages on $paper"; fail=1; fi
done

# 4. The page as `cape ledger statement` writes it from a real ledger (a generated ES-003 recorded and declared
#    through the command line): the rendered totals are the ones the command prints.
L=$OUT/ledger
rm -rf "$L"
mkdir -p "$L"
cape() { (cd "$ROOT" && "$CARGO" run -q -p cape-core --example cape -- "$@"); }
cape sample --output "$L/es003.csv" --entries 300 >/dev/null 2>&1
cape ledger record "$L/es003.csv" --db "$L/cape.db" --as-of 2026-12-01 >/dev/null
cape declare "$L/es003.csv" --out-dir "$L/decl" --as-of 2026-12-01 >/dev/null
cape ledger record "$L/decl" --db "$L/cape.db" >/dev/null
FIRST=$(cape ledger status --db "$L/cape.db" --state declared --format csv | awk -F, 'NR == 2 { print $1 "," $2 "," $6 }')
IFS=, read -r ENTRY IMPORTER EXPECTED <<<"$FIRST"
# Treasury pays that entry in full (a REV-615 row), so the page has a paid total too.
printf 'Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Refund Secondary Status\n%s,R1,%s,0.00,03/15/2027,Treasury Issued\n' \
    "$ENTRY" "$EXPECTED" >"$L/rev615.csv"
cape ledger record "$L/rev615.csv" --db "$L/cape.db" >/dev/null
LEDGER_HTML=$OUT/statement-ledger.html
LINE=$(cape ledger statement --db "$L/cape.db" --importer "$IMPORTER" --out "$LEDGER_HTML" --as-of 2026-12-01)
DOM=$OUT/statement-ledger.dom.html
run --dump-dom "file://$LEDGER_HTML" >"$DOM"
for total in expected paid outstanding; do
    amount=$(sed -E "s/.* $total (\\\$[0-9,]*\\.[0-9]{2}).*/\\1/" <<<"$LINE")
    expect "<span class=\"amount\" id=\"total-$total\">$amount</span>" "cape ledger statement: $total $amount"
done
expect "<strong id=\"importer\">$IMPORTER</strong>" "cape ledger statement: importer $IMPORTER"

if [[ $fail -ne 0 ]]; then
    echo "check_statement: FAILED (the rendered page is $DOM)" >&2
    exit 1
fi
echo "check_statement: the statement renders in $("$BROWSER" --version 2>/dev/null | head -1); artifacts in $OUT"
