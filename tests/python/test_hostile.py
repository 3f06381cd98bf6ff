"""Every file of the bad-input corpus (tests/data/bad) through the Python API: each is read with every row
accounted for, or refused with a ``cape.CapeError`` subclass naming the problem; none takes the interpreter
down (a crash here would end the whole pytest process, not one test)."""

from __future__ import annotations

import datetime
import pathlib

import pytest

import cape

REPO = pathlib.Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "data" / "bad"
FILES = sorted(p for p in BAD.iterdir() if p.suffix in {".csv", ".xlsx", ".xls"})

# Files cape refuses as a whole, and why (the rest are read, with diagnostics).
REFUSED = {
    "all_rows_rejected.csv": (cape.FormatError, "no usable row"),
    "header_only.csv": (cape.FormatError, "no usable row"),
    "caret_delimiter.csv": (cape.MissingColumnError, "required column"),
    "legacy_excel97.xls": (cape.FormatError, ".xlsx or .csv"),
    "missing_required_column.csv": (cape.MissingColumnError, "required column"),
    "xlsx_ratio_bomb.xlsx": (cape.FormatError, "100:1"),
    "xlsx_shared_strings_count_lie.xlsx": (cape.FormatError, "shared strings"),
}


def test_the_corpus_is_all_here() -> None:
    names = {p.name for p in FILES}
    assert set(REFUSED) <= names
    assert {"utf16le_bom_tab_crlf.csv", "utf16be_bom_tab_crlf.csv", "xlsx_sparse_xfd1048576.xlsx"} <= names


# The corpus's CAPE declarations and results files, and what their readers make of them (the same figures
# cape-core/tests/bad_inputs.rs checks in Rust).
DECLARATIONS = {
    "declaration_cr_quoted_break.csv": ("reject_file", ["VSU-0828889-3", "WQH-0749207-6"]),
    "declaration_utf16le_bom.csv": ("accept", ["VSU-0828889-3", "WQH-0749210-0"]),
}
RESULTS = {"results_utf16le_cr_quoted_break.csv", "results_broker_headers.csv", "results_broker_headers.xlsx"}
# The corpus's ACE refund reports, recorded through cape.Ledger: (kind detected, rows read, used, rejected), the
# figures cape-core/tests/refund_reports.rs checks in Rust.
REFUND_REPORTS = {
    "refunds_rev615_utf16le_cr.csv": ("rev615", 9, 2, 7),
    "refunds_es022_broker.xlsx": ("es022", 3, 2, 1),
}
ES003_FILES = [p for p in FILES if p.name not in DECLARATIONS and p.name not in RESULTS and p.name not in REFUND_REPORTS]


def test_the_refund_reports_of_the_corpus_are_recorded_every_row_used_or_reported(tmp_path: pathlib.Path) -> None:
    with cape.Ledger(tmp_path / "cape.db") as ledger:
        for name, (kind, read, used, rejected) in REFUND_REPORTS.items():
            out = ledger.record_refund_report(BAD / name)
            assert (out.kind, out.rows_read, out.rows_used, out.rows_rejected) == (kind, read, used, rejected), name


@pytest.mark.parametrize(
    "name, cls, problem",
    [
        ("ledger_garbage.db", cape.FormatError, "LEDGER_CORRUPT"),
        ("ledger_foreign.db", cape.FormatError, "LEDGER_FOREIGN_FILE"),
        ("ledger_newer_schema.db", cape.FormatError, "LEDGER_NEWER_SCHEMA"),
    ],
)
def test_the_corpus_ledger_files_are_refused_unchanged(
    name: str, cls: type, problem: str, tmp_path: pathlib.Path
) -> None:
    db = tmp_path / name
    db.write_bytes((BAD / name).read_bytes())
    for read_only in (False, True):
        with pytest.raises(cls) as info:
            cape.Ledger(db, read_only=read_only)
        assert (info.value.problem, info.value.path) == (problem, str(db))  # type: ignore[attr-defined]
    assert db.read_bytes() == (BAD / name).read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == [name], "no -wal or -shm left beside it"


def test_the_declarations_and_results_of_the_corpus_read_through_their_own_readers() -> None:
    for name, (verdict, entries) in DECLARATIONS.items():
        for source in (BAD / name, (BAD / name).read_bytes()):
            check = cape.check_declaration(source)
            assert check.verdict == verdict, name
            assert [str(e) for e in check.entries] == entries, name
    for name in RESULTS:
        for source in (BAD / name, (BAD / name).read_bytes()):
            results = cape.read_results(source)
            assert results.rows and all(r.row >= 2 for r in results.rows), name


@pytest.mark.parametrize("path", ES003_FILES, ids=lambda p: p.name)
def test_every_corpus_file_is_read_or_refused_with_a_cape_error(path: pathlib.Path) -> None:
    for source in (path, path.read_bytes()):
        if path.name in REFUSED:
            cls, words = REFUSED[path.name]
            with pytest.raises(cls) as info:
                cape.read_es003(source)
            assert words in str(info.value), str(info.value)
            continue
        report = cape.read_es003(source)
        s = report.summary
        assert s.is_balanced(), path.name
        assert s.rows_used > 0, path.name
        assessed = cape.assess(source, as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
        assert len(assessed) == s.entries, path.name


def test_utf16_exports_read_as_their_text() -> None:
    le = cape.read_es003(BAD / "utf16le_bom_tab_crlf.csv")
    be = cape.read_es003(BAD / "utf16be_bom_tab_crlf.csv")
    assert le.summary.rows_read == be.summary.rows_read == 20
    assert [str(e.number) for e in le.entries] == [str(e.number) for e in be.entries]
    assert le.summary.entries > 0


def test_a_cell_at_xfd1048576_is_one_reported_row() -> None:
    r = cape.read_es003(BAD / "xlsx_sparse_xfd1048576.xlsx")
    rows = [d.row for d in r.diagnostics if d.code == "ES003_RAGGED_ROW"]
    assert rows == [1048576]
    assert list(r.summary.sheets_read) == ["Sheet1"]
