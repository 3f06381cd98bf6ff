#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/data/bad/): each file one kind of mess seen in real ACE ES-003 exports
(and, named `declaration_*` / `results_*` / `refunds_*`, in CAPE declaration and results files and ACE refund
reports).

The files are committed; this script documents how each was made and rewrites them byte for byte:

    python3 tests/data/bad/make_bad.py

The XLSX files are derived from tests/fuzz/corpus/es003_xlsx/seed-small.xlsx (a real workbook written by
rust_xlsxwriter; see cape-core/tests/fuzz_corpus.rs). cape-core/tests/bad_inputs.rs states the exact
diagnostics or error expected for each file.
"""
import os
import sqlite3
import struct
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

H = ["Entry Summary Number", "Entry Summary Line Number", "Tariff Ordinal Number", "HTS Number - Full",
     "Line Tariff Goods Value Amount", "Line Tariff Duty Amount", "Entry Date", "Importer Number", "Importer Name"]
A, B, C, D = "VSU-0828889-3", "VSU-0828893-5", "WQH-0749207-6", "WQH-0749210-0"
IMP, NAME = "12-345678900", "Acme Imports"


def row(entry, line, ordinal, hts, value, duty, date="04/15/2025", imp=IMP, name=NAME):
    return [entry, str(line), str(ordinal), hts, value, duty, date, imp, name]


def good(entry):
    """One entry: an IEEPA Chapter 99 ordinal and its Chapter 1-97 ordinal."""
    return [row(entry, 1, 1, "9903.01.25", "0.00", "100.00"), row(entry, 1, 2, "8471300100", "1000.00", "0.00")]


def csv(rows, sep=","):
    out = []
    for r in rows:
        cells = []
        for c in r:
            if sep in c or '"' in c:
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        out.append(sep.join(cells))
    return ("\n".join(out) + "\n").encode()


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    # Cut mid-row: the download stopped inside the last row.
    write("truncated_mid_row.csv", csv([H] + good(A)) + b"VSU-0828893-5,1,1,9903.0")
    # Cut inside a quoted money cell: the quote never closes.
    write("truncated_mid_quote.csv", csv([H] + good(A)) + b'VSU-0828893-5,1,1,9903.01.25,0.00,"1,00')
    # Saved with a European locale: semicolons (sniffed and read).
    write("semicolon_delimiter.csv", csv([H] + good(A) + good(B), sep=";"))
    # A delimiter no export uses: the header is one cell, so no required column is found.
    write("caret_delimiter.csv", csv([H] + good(A), sep="^"))
    # The duty column was deleted before saving.
    drop = H.index("Line Tariff Duty Amount")
    write("missing_required_column.csv",
          csv([[c for i, c in enumerate(r) if i != drop] for r in [H] + good(A)]))
    # Two exports pasted one under the other: the header row repeats mid-file.
    write("header_repeated_mid_file.csv", csv([H] + good(A) + [H] + good(B)))
    # A column name appearing twice (the second copy holds other values and is ignored).
    dup = H + ["Line Tariff Duty Amount"]
    write("duplicate_column_name.csv", csv([dup] + [r + ["999.99"] for r in good(A)]))
    # Dates in several formats: US, ISO, ISO with time, single-digit month, and a European one cape rejects.
    rows = [H]
    for entry, date in [(A, "04/15/2025"), (B, "2025-04-15"), (C, "2025-04-15T00:00:00"), (D, "4/5/2025")]:
        rows += [r[:6] + [date] + r[7:] for r in good(entry)]
    rows.append(row("OAT-0893674-1", 1, 1, "9903.01.25", "0.00", "100.00", date="15.04.2025"))
    write("mixed_date_formats.csv", csv(rows))
    # Money: negative (sign and parentheses) is used with a warning; text and a letter O are rejected.
    write("negative_and_nonnumeric_money.csv", csv([
        H,
        row(A, 1, 1, "9903.01.25", "0.00", "-50.00"),
        row(A, 1, 2, "8471300100", "$1,000.00", "0.00"),
        row(B, 1, 1, "9903.01.25", "0.00", "(25.00)"),
        row(C, 1, 1, "9903.01.25", "0.00", "N/A"),
        row(D, 1, 1, "9903.01.25", "12.3O", "10.00"),
    ]))
    # Sub-cent money (a spreadsheet formula's result pasted as a value): a duty or goods value with non-zero
    # digits beyond cents rejects its row; trailing zeros (10.000) are whole cents.
    write("sub_cent_money.csv", csv([
        H,
        *good(A),
        row(B, 1, 1, "9903.01.25", "0.00", "10.005"),
        row(B, 1, 2, "8471300100", "$1,000.0001", "0.00"),
        row(C, 1, 1, "9903.01.25", "0.00", "10.000"),
        row(C, 1, 2, "8471300100", "1000.00", "(0.125)"),
    ]))
    # Entry numbers with a twelfth character (an extra digit, in compact and dashed form).
    write("twelve_char_entry_numbers.csv", csv([
        H,
        row("VSU082888931", 1, 1, "9903.01.25", "0.00", "100.00"),
        row("VSU-0828889-31", 1, 2, "8471300100", "1000.00", "0.00"),
    ] + good(B)))
    # Empty rows: cells all blank (commas only) and whitespace-only cells, between good rows.
    # Truly blank lines (LF and CRLF) are not rows of data, but the rows after them keep the numbers a
    # spreadsheet shows.
    write("empty_rows.csv", csv([H] + good(A)) + b"\n\r\n"
          + csv([[""] * len(H), [" "] * len(H)] + good(B) + [[""] * len(H)]))
    # Latin-1 importer names (an export saved as Windows-1252): not UTF-8.
    latin = csv([H] + [r[:8] + ["Caf\u00e9 M\u00fcller GmbH"] for r in good(A)]).decode().encode("latin-1")
    write("latin1_importer_names.csv", latin)
    # One entry's rows apart (sorted by HTS in Excel), the later row naming another importer.
    write("split_entry_conflicting_importers.csv", csv([
        H,
        row(A, 1, 1, "9903.01.25", "0.00", "100.00"),
        *good(B),
        row(A, 1, 2, "8471300100", "1000.00", "0.00", imp="98-765432100", name="Other Importer LLC"),
    ]))
    # Excel's "Save as Unicode text": UTF-16 with a byte-order mark, tab-separated, CRLF. 20 rows of 5 entries,
    # one importer name outside ASCII (and one outside the Basic Multilingual Plane: a surrogate pair).
    unicode = [H]
    for k, entry in enumerate([A, B, C, D, "OAT-0893674-1"]):
        name = {1: "Caf\u00e9 M\u00fcller GmbH", 3: "\U0001D538 Trading \u2013 Z\u00fcrich"}.get(k, NAME)
        for line in (1, 2):
            unicode += [row(entry, line, 1, "9903.01.25", "0.00", "%d.%02d" % (10 * (k + 1), line), name=name),
                        row(entry, line, 2, "8471300100", "1000.00", "0.00", name=name)]
    text = csv(unicode, sep="\t").decode().replace("\n", "\r\n")
    write("utf16le_bom_tab_crlf.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    write("utf16be_bom_tab_crlf.csv", b"\xfe\xff" + text.encode("utf-16-be"))
    seed = os.path.join(ROOT, "tests", "fuzz", "corpus", "es003_csv")
    with open(os.path.join(seed, "seed-utf16le-bom-tab-crlf.csv"), "wb") as f:
        f.write(b"\xff\xfe" + "\r\n".join(text.split("\r\n")[:5]).encode("utf-16-le") + b"\x00\xd8\x0a")
    with open(os.path.join(seed, "seed-utf16be-bom.csv"), "wb") as f:
        f.write(b"\xfe\xff" + "\r\n".join(text.split("\r\n")[:3]).encode("utf-16-be"))
    # A header and nothing else, and a file whose every row is rejected: no usable row, a file-level error.
    write("header_only.csv", csv([H]).replace(b"\n", b"\r\n"))
    write("all_rows_rejected.csv", csv([
        H,
        row("VSU-0828889-4", 1, 1, "9903.01.25", "0.00", "100.00"),
        row("VSU-0828889-4", 1, 2, "8471300100", "1000.00", "0.00"),
        row(A, 1, 1, "9903.01.25", "0.00", "100.00", date="15.04.2025"),
        row(B, 1, 1, "99030125X", "0.00", "N/A"),
    ]))
    # Excel error values (a VLOOKUP that found nothing, a broken formula) in optional and required cells. In an
    # optional column they are unreadable values (the entry needs review), never blanks; `N/A` written as a word
    # in the AD/CVD column still means "not AD/CVD"; in a required column they reject the row. Also a `Final
    # Liquidation` date and `individual` as the importer class.
    xh = H + ["Entry Type Code", "Payment Date", "AD/CVD Liquidation Status", "Importer Class", "Country of Origin Code",
              "Final Liquidation"]
    write("excel_error_values.csv", csv([
        xh,
        *[r + ["01", "#N/A", "", "corporate", "CN", "N"] for r in good(A)],
        *[r + ["01", "05/02/2025", "N/A", "individual", "CN", ""] for r in good(B)],
        *[r + ["01", "05/02/2025", "#N/A", "C", "#VALUE!", ""] for r in good(C)],
        *[r + ["01", "05/02/2025", "", "", "CN", "10/12/2026"] for r in good(D)],
        row("OAT-0893674-1", 1, 1, "9903.01.25", "0.00", "#DIV/0!") + ["01", "", "", "", "", ""],
        row("OAT-0893674-1", 1, 2, "8471300100", "1000.00", "0.00", date="#REF!") + ["01", "", "", "", "", ""],
    ]))
    # A workbook whose zip directory claims the sheet is ~4 GB uncompressed (the data is a few hundred bytes).
    seed = os.path.join(ROOT, "tests", "fuzz", "corpus", "es003_xlsx", "seed-small.xlsx")
    with open(seed, "rb") as f:
        data = bytearray(f.read())
    claim = 0xFFFF_FFF0
    with zipfile.ZipFile(seed) as z:
        sheets = [i for i in z.infolist() if i.filename.startswith("xl/worksheets/")]
    for info in sheets:
        # Local file header: uncompressed size at offset 22.
        struct.pack_into("<I", data, info.header_offset + 22, claim)
    # Central directory entries: signature PK\x01\x02, uncompressed size at offset 24, name at 46.
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n, = struct.unpack_from("<H", data, i + 28)
        name = bytes(data[i + 46:i + 46 + n]).decode()
        if name.startswith("xl/worksheets/"):
            struct.pack_into("<I", data, i + 24, claim)
        i = data.find(b"PK\x01\x02", i + 4)
    write("xlsx_4gb_claimed.xlsx", bytes(data))
    # CAPE files (declarations, CAPE results) read through the same record reader as ES-003. A declaration saved
    # as Excel's "CSV (Macintosh)": CR line ends, a blank line, and a quoted cell holding a line break.
    write("declaration_cr_quoted_break.csv",
          ("Entry Number\r%s\r\r\"%s\nnote\"\r%s\r" % (A, B.replace("-", ""), C)).encode())
    # A declaration saved as Excel's "Unicode text": UTF-16LE with a byte-order mark, CRLF.
    write("declaration_utf16le_bom.csv", b"\xff\xfe" + ("Entry Number\r\n%s\r\n%s\r\n" % (A, D)).encode("utf-16-le"))
    # A CAPE results file as UTF-16LE with CR line ends, an error text with a quoted line break, a blank line.
    results = ("ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\r"
               "=\"%s\",=\"C000123\",=\"Failed\",\"ENTRY SUMMARY IS IN\r\nFINAL LIQUIDATION STATUS\"\r\r"
               "=\"%s\",=\"C000123\",=\"Entry Summary Updated\",=\"\"\r" % (A.replace("-", ""), B.replace("-", "")))
    write("results_utf16le_cr_quoted_break.csv", b"\xff\xfe" + results.encode("utf-16-le"))
    # A claim-details file as a broker's workbook exports it: its own headers (and a notes column), a BOM, CRLF,
    # every value wrapped ="…", and an entry number whose check digit is wrong (A with 4 for 3).
    broker = [["Entry Summary Number", "Cape Claim Number", "Filing Status", "Error Detail", "Notes"],
              [A.replace("-", ""), "C000777", "Entry Summary Updated", "", "client A"],
              [B, "C000777", "Failed", "PROTEST ON ENTRY", ""],
              [A[:-1] + "4", "C000777", "Failed", "INVALID HTS", ""]]
    wrapped = "".join(",".join('="%s"' % c for c in r) + "\r\n" for r in broker[1:])
    write("results_broker_headers.csv", ("\ufeff" + ",".join(broker[0]) + "\r\n" + wrapped).encode())
    # The same rows in a workbook (cells as text, no wrappers), on its one sheet "Claim Details".
    write("results_broker_headers.xlsx", xlsx([("Claim Details", sheet("A1:E4", broker))]))
    # ACE refund reports (ES-022, REV-603, REV-615; cape-core/tests/refund_reports.rs). A REV-615 saved as
    # Excel's "Unicode text" with CR line ends: UTF-16LE with a BOM, ="…" wrapped cells, a note with a quoted line
    # break, a blank line, and one bad row of each kind (sub-cent, text as money, an impossible date, a bad check
    # digit, no refund number, a negative amount, a cell past the header).
    rev615 = ("Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Status,Note\r"
              "=\"%s\",=\"R0000001\",\"$1,234.56\",12.34,05/12/2026,Treasury Issued,\"first\r\nline\"\r\r"
              "%s,R0000002,100.00,0.00,2026-05-19,sent to  TREASURY,\r"
              "%s,R0000003,10.005,0.00,05/12/2026,Treasury Issued,\r"
              "%s,R0000004,N/A,0.00,05/12/2026,Treasury Issued,\r"
              "%s,R0000005,5.00,0.00,02/30/2026,Treasury Issued,\r"
              "%s,R0000006,5.00,0.00,05/12/2026,Treasury Issued,\r"
              "%s,,5.00,0.00,05/12/2026,Treasury Issued,\r"
              "%s,R0000008,(5.00),0.00,05/12/2026,Check Returned,\r"
              "%s,R0000009,5.00,0.00,05/12/2026,ACH Returned,,extra\r"
              % (A.replace("-", ""), B, C, D, A, A[:-1] + "4", B, C, D))
    write("refunds_rev615_utf16le_cr.csv", b"\xff\xfe" + rev615.encode("utf-16-le"))
    # An ES-022 as a broker's workbook holds it: amounts as ACE writes them ("$1,234.56"), claim numbers, a
    # claim status in capitals, dates MM/DD/YYYY and ISO.
    es022 = [["CAPE Declaration Number", "Entry Number", "Refund Number", "Refund Principal", "Interest Amount",
              "Refund Date", "Claim Status"],
             ["D000001", A, "R0000001", "$1,234.56", "$12.34", "05/12/2026", "TREASURY ISSUED"],
             ["D000001", B, "", "$2,000.00", "$0.00", "", "Accepted"],
             ["D000001", "VSU-082888", "R0000003", "$1.00", "$0.00", "2026-05-12", "Funds Diverted"]]
    write("refunds_es022_broker.xlsx", xlsx([("ES-022", sheet("A1:G4", es022))]))

    # Workbooks written member by member, so that cell positions, dimensions and sizes are exactly as stated.
    # The sparse, multi-sheet and merged ones are also fuzz seeds (tests/fuzz/corpus/es003_xlsx/).
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", "es003_xlsx")
    # One stray cell at XFD1048576, the last cell of a sheet: the old reader sized its grid by it (512 GiB).
    sparse = xlsx([("Sheet1", sheet("A1:XFD1048576", [H] + good(A) + good(B), {1048576: [(16383, "x")]}))])
    write("xlsx_sparse_xfd1048576.xlsx", sparse)
    write_seed(seeds, "seed-sparse-xfd.xlsx", sparse)
    # The data continues on a second and third sheet (the third with its columns in another order), and a
    # notes sheet without the header sits between them.
    rev = lambda r: list(reversed(r))
    multi = xlsx([
        ("Sheet1", sheet("A1:I5", [H] + good(A) + good(B)[:1])),
        ("Notes", sheet("A1:A1", [["Exported from ACE"]])),
        ("Sheet2", sheet("A1:I4", [H] + good(B)[1:] + good(C))),
        ("Sheet3", sheet("A1:I3", [rev(H)] + [rev(r) for r in good(D)])),
    ])
    write("xlsx_three_sheets.xlsx", multi)
    write_seed(seeds, "seed-multi-sheet.xlsx", multi)
    # The entry number merged over an entry's two rows (only the first cell holds it), as a user formats a
    # report in Excel.
    merged = xlsx([("Sheet1", sheet("A1:I5", [H] + good(A) + good(B), merges=["A2:A3", "A4:A5"]))])
    write("xlsx_merged_entry_cells.xlsx", merged)
    write_seed(seeds, "seed-merged.xlsx", merged)
    # A zip bomb in small: 10 MiB of sheet XML from about 10 KB (1000:1, over the 100:1 limit).
    unit = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    body = unit * ((10 << 20) // len(unit))
    bomb = xlsx([("Sheet1", sheet("A1:I1", [H])[:-len(SHEET_END)] + body + SHEET_END)], level=9)
    write("xlsx_ratio_bomb.xlsx", bomb)
    # A shared strings table claiming a trillion strings: calamine reserved room for them before reading
    # (24 TB) and the process aborted.
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst '
           'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000" '
           'uniqueCount="1000000000000"><si><t>x</t></si></sst>')
    # Excel error cells (t="e"): `#N/A` in an optional column is unreadable, never blank; `#DIV/0!` as the duty
    # rejects its row.
    eh = H + ["AD/CVD Liquidation Status", "Importer Class"]
    write("xlsx_excel_error_cells.xlsx", xlsx([("Sheet1", sheet("A1:K5", [
        eh,
        *[r + ["#N/A", "#NAME?"] for r in good(A)],
        row(B, 1, 1, "9903.01.25", "0.00", "#DIV/0!") + ["N/A", "individual"],
        row(B, 1, 2, "8471300100", "1000.00", "0.00") + ["N/A", "individual"],
    ]))]))
    write("xlsx_shared_strings_count_lie.xlsx",
          xlsx([("Sheet1", sheet("A1:I3", [H] + good(A)))], extra=[("xl/sharedStrings.xml", sst)]))
    # A legacy Excel 97-2003 workbook (an OLE compound file): refused, never handed to a reader that loads
    # it whole.
    write("legacy_excel97.xls", bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(504))
    # Ledger files cape must refuse and leave untouched (cape-core/tests/ledger.rs): garbage bytes where a
    # ledger should be, another program's SQLite database, and a cape ledger from a newer cape.
    write("ledger_garbage.db", bytes((i * 2654435761 >> 13) & 0xFF for i in range(8192)))
    write("ledger_foreign.db", sqlite_file([
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO customers VALUES (1, 'Acme')",
    ]))
    write("ledger_newer_schema.db", sqlite_file([
        "PRAGMA application_id = 1128353861",  # 0x43415045, "CAPE": cape's ledger
        "PRAGMA user_version = 99",
        "CREATE TABLE imports (id INTEGER PRIMARY KEY)",
    ]))


SHEET_END = "</sheetData></worksheet>"


def col_name(c):
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(ref):
    """(0-based column, 1-based row) of an A1 reference."""
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col - 1, int(ref[len(letters):])


def merged_away(merges, c, r):
    """True for a cell inside a merged range other than its top-left one (Excel keeps only that one)."""
    for m in merges:
        (c1, r1), (c2, r2) = (cell_ref(x) for x in m.split(":"))
        if c1 <= c <= c2 and r1 <= r <= r2 and (c, r) != (c1, r1):
            return True
    return False


EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;")


def sheet(dimension, rows, extra=None, merges=()):
    """Worksheet XML: `rows` from row 1 (an empty cell is left out), `extra` {row: [(col, text)]} after them."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f'<dimension ref="{dimension}"/><sheetData>']
    cells = {i + 1: [(c, t) for c, t in enumerate(r) if t != "" and not merged_away(merges, c, i + 1)]
             for i, r in enumerate(rows)}
    cells.update(extra or {})
    for r in sorted(cells):
        out.append(f'<row r="{r}">')
        for c, t in cells[r]:
            if t in EXCEL_ERRORS:
                # An error cell, as Excel stores a formula that failed.
                out.append(f'<c r="{col_name(c)}{r}" t="e"><v>{esc(t)}</v></c>')
            else:
                out.append(f'<c r="{col_name(c)}{r}" t="inlineStr"><is><t>{esc(t)}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData>")
    if merges:
        out.append(f'<mergeCells count="{len(merges)}">')
        out.extend(f'<mergeCell ref="{m}"/>' for m in merges)
        out.append("</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


def xlsx(sheets, level=6, extra=()):
    """A minimal workbook (no shared strings, no styles) of (name, worksheet XML) sheets."""
    import io
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    wb, rels = [], []
    for k, (name, _) in enumerate(sheets, 1):
        ct.append(f'<Override PartName="/xl/worksheets/sheet{k}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        wb.append(f'<sheet name="{name}" sheetId="{k}" r:id="rId{k}"/>')
        rels.append(f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/sheet{k}.xml"/>')
    ct.append("</Types>")
    parts = [
        ("[Content_Types].xml", "".join(ct)),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         + "".join(wb) + "</sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         + "".join(rels) + "</Relationships>"),
    ] + [(f"xl/worksheets/sheet{k}.xml", xml) for k, (_, xml) in enumerate(sheets, 1)] + list(extra)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode(), compresslevel=level)
    return buf.getvalue()


def sqlite_file(statements):
    """The bytes of a SQLite database (rollback journal, no WAL) made by running `statements`."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.db")
        con = sqlite3.connect(path)
        for s in statements:
            con.execute(s)
        con.commit()
        con.close()
        with open(path, "rb") as f:
            return f.read()


def write_seed(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
