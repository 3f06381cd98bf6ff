#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/data/bad/): each file one kind of mess seen in real ACE ES-003 exports.

The files are committed; this script documents how each was made and rewrites them byte for byte:

    python3 tests/data/bad/make_bad.py

The XLSX files are derived from tests/fuzz/corpus/es003_xlsx/seed-small.xlsx (a real workbook written by
rust_xlsxwriter; see cape-core/tests/fuzz_corpus.rs). cape-core/tests/bad_inputs.rs states the exact
diagnostics or error expected for each file.
"""
import os
import struct
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


if __name__ == "__main__":
    main()
