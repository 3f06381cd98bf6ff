"""read_es003: a small CSV in the shapes ACE exports it, from a path and from bytes; errors; the sample."""

from __future__ import annotations

import datetime
import pathlib
from decimal import Decimal

import pytest

import cape

HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Importer Name,"
    "Entry Date,Entry Summary Date,Liquidation Date,Liquidation Status,Country of Origin Code"
)
ROWS = [
    # row 2: Excel-wrapped cells, thousands separators
    '="ABC-1234567-6",1,1,="8471300100","$1,234.56",$0.00,="01",="12-345678900",Acme Imports,'
    "04/15/2025,04/25/2025,,Unliquidated,CN",
    # row 3: the Chapter 99 ordinal of the same line carries the IEEPA duty
    'ABC-1234567-6,1,2,99030125,$0.00,$123.46,01,12-345678900,Acme Imports,04/15/2025,04/25/2025,,Unliquidated,CN',
    # row 4: a second line
    'ABC-1234567-6,2,1,8471300100,"$2,000.00",$50.00,01,12-345678900,Acme Imports,04/15/2025,04/25/2025,,'
    "Unliquidated,CN",
    # row 5: wrong check digit: rejected, reported, not raised
    "ABC-1234567-5,1,1,8471300100,$10.00,$1.00,01,12-345678900,Acme Imports,04/15/2025,,,,CN",
    # row 6: a liquidated entry
    "B76-0158522-0,1,1,99030125,0.00,\"$1,000.01\",01,12-345678900,Acme Imports,03/03/2025,03/13/2025,"
    "01/30/2026,Liquidated,MX",
]


def es003_bytes(header: str = HEADER, rows: list[str] = ROWS) -> bytes:
    """The report as ACE exports it: UTF-8 with a byte-order mark and CRLF line ends."""
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


@pytest.fixture
def es003_path(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "es003.csv"
    path.write_bytes(es003_bytes())
    return path


def check_report(report: cape.Es003) -> None:
    s = report.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (5, 4, 1)
    assert s.rows_read == s.rows_used + s.rows_rejected
    assert s.is_balanced()
    assert (s.entries, s.lines, s.tariff_rows) == (2, 3, 4)
    assert s.format == "csv"
    assert isinstance(report.entries, tuple)
    assert [str(e.number) for e in report.entries] == ["ABC-1234567-6", "B76-0158522-0"]

    abc, b76 = report.entries
    assert isinstance(abc.number, cape.EntryNumber)
    assert abc.number == cape.EntryNumber("ABC12345676")
    assert abc.entry_type == "01"
    assert abc.importer_number == "12-345678900"
    assert abc.importer_name == "Acme Imports"
    assert abc.entry_date == datetime.date(2025, 4, 15)
    assert type(abc.entry_date) is datetime.date
    assert abc.entry_summary_date == datetime.date(2025, 4, 25)
    assert abc.liquidation_date is None  # blank cell
    assert abc.liquidation_status == "unliquidated"
    assert abc.protest_status is None  # column not in the file
    assert abc.total_duty == Decimal("173.46")
    assert abc.tariff_count == 3
    assert not abc.conflicting and not abc.split

    assert [line.number for line in abc.lines] == [1, 2]
    line1 = abc.lines[0]
    assert line1.country_of_origin == "CN"
    assert line1.entry_number == abc.number
    t1, t2 = line1.tariffs
    assert (t1.ordinal, t1.hts, t1.source_row) == (1, "8471.30.01.00", 2)
    assert (t2.ordinal, t2.hts, t2.source_row) == (2, "9903.01.25", 3)
    assert t1.goods_value == Decimal("1234.56") and t1.duty == Decimal("0")
    assert t2.goods_value == Decimal("0") and t2.duty == Decimal("123.46")
    for t in (t1, t2):
        assert type(t.duty) is Decimal and type(t.goods_value) is Decimal
    assert str(t2.duty) == "123.46"
    assert abc.lines[1].tariffs[0].goods_value == Decimal("2000.00")

    assert b76.entry_date == datetime.date(2025, 3, 3)
    assert b76.liquidation_date == datetime.date(2026, 1, 30)
    assert b76.liquidation_status == "liquidated"
    assert b76.lines[0].country_of_origin == "MX"
    assert b76.lines[0].tariffs[0].duty == Decimal("1000.01")

    errors = [d for d in report.diagnostics if d.severity == "error"]
    assert len(errors) == 1
    (bad,) = errors
    assert bad.row == 5
    assert bad.code == "ES003_INVALID_ENTRY_NUMBER"
    assert bad.column == "Entry Summary Number"
    assert bad.value == "ABC-1234567-5"
    assert "expected 6" in bad.message
    assert str(bad).startswith(f"{s.source}:5: error ES003_INVALID_ENTRY_NUMBER")
    assert s.errors == 1


def test_read_from_path(es003_path: pathlib.Path) -> None:
    report = cape.read_es003(es003_path)
    check_report(report)
    assert report.summary.source.endswith("es003.csv")
    assert all(d.source == report.summary.source for d in report.diagnostics)


def test_read_from_str_path(es003_path: pathlib.Path) -> None:
    check_report(cape.read_es003(str(es003_path)))


def test_read_from_bytes() -> None:
    report = cape.read_es003(es003_bytes())
    check_report(report)
    assert report.summary.source == "<buffer>"


def test_read_from_bytearray_with_source_name() -> None:
    report = cape.read_es003(bytearray(es003_bytes()), source_name="broker.csv")
    check_report(report)
    assert report.summary.source == "broker.csv"
    assert {d.source for d in report.diagnostics} == {"broker.csv"}


def test_values_are_frozen(es003_path: pathlib.Path) -> None:
    report = cape.read_es003(es003_path)
    entry = report.entries[0]
    tariff = entry.lines[0].tariffs[0]
    for obj, attr in [
        (report, "entries"),
        (report.summary, "rows_read"),
        (entry, "importer_name"),
        (entry.lines[0], "number"),
        (tariff, "duty"),
        (report.diagnostics[0], "message"),
    ]:
        with pytest.raises(AttributeError):
            setattr(obj, attr, None)
    assert "ABC-1234567-6" in repr(entry)
    assert "rows_read=5" in repr(report.summary)


def test_missing_required_column_names_it() -> None:
    header = HEADER.replace("Line Tariff Duty Amount,", "")
    with pytest.raises(cape.MissingColumnError) as info:
        cape.read_es003(es003_bytes(header, ["ABC-1234567-6,1,1,8471300100,$1.00,01,,,04/15/2025,,,,"]))
    assert "Line Tariff Duty Amount" in str(info.value)
    assert info.value.column == "Line Tariff Duty Amount"
    assert info.value.kind == "missing_column"
    assert isinstance(info.value, ValueError)


def test_missing_file_is_cape_io_error(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(cape.CapeIOError) as info:
        cape.read_es003(missing)
    assert isinstance(info.value, OSError)
    assert info.value.filename == str(missing)
    assert info.value.errno == 2
    assert info.value.kind == "io"


def test_bad_source_type_is_type_error() -> None:
    with pytest.raises(TypeError, match="path"):
        cape.read_es003(42)  # type: ignore[arg-type]


def test_empty_input_is_format_error() -> None:
    with pytest.raises(cape.FormatError):
        cape.read_es003(b"")


def test_diagnostics_are_data_for_every_bad_row() -> None:
    rows = [
        "ABC-1234567-6,1,1,8471300100,$1.00,$0.10,01,,,04/15/2025,,,,",
        "ABC-1234567-6,1,2,not-hts,$1.00,$0.10,01,,,04/15/2025,,,,",
        "ABC-1234567-6,1,3,8471300100,$1.00,lots,01,,,04/15/2025,,,,",
        "ABC-1234567-6,1,4,8471300100,$1.00,$0.10,01,,,someday,,,,",
    ]
    report = cape.read_es003(es003_bytes(HEADER, rows))
    s = report.summary
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (4, 1, 3)
    codes = {d.row: d.code for d in report.diagnostics if d.severity == "error"}
    assert codes == {3: "ES003_INVALID_HTS", 4: "ES003_INVALID_MONEY", 5: "ES003_INVALID_DATE"}
    assert s.counts_by_code["ES003_INVALID_MONEY"] == 1
    assert sum(s.counts_by_code.values()) == len(report.diagnostics)
    assert s.diagnostics_dropped == 0


def test_a_sub_cent_duty_cell_is_rejected_with_its_own_code() -> None:
    rows = [
        "ABC-1234567-6,1,1,8471300100,$1.00,$0.105,01,,,04/15/2025,,,,",
        # One usable row: a file with none is refused as a whole (FormatError).
        "ABC-1234567-6,1,2,8471300100,$1.00,$0.10,01,,,04/15/2025,,,,",
    ]
    report = cape.read_es003(es003_bytes(HEADER, rows))
    assert report.summary.rows_rejected == 1
    assert report.summary.counts_by_code["ES003_SUB_CENT_AMOUNT"] == 1


def test_embedded_sample_reads_cleanly() -> None:
    # Found from this file (tests/python/ -> repository root), not from the installed package.
    sample = pathlib.Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"
    report = cape.read_es003(sample)
    s = report.summary
    assert s.rows_read > 0
    assert s.rows_rejected == 0
    assert s.rows_read == s.rows_used
    assert s.entries == len(report.entries) > 0
    assert not [d for d in report.diagnostics if d.severity == "error"]
    for entry in report.entries:
        assert isinstance(entry.entry_date, datetime.date)
        for line in entry.lines:
            for t in line.tariffs:
                assert isinstance(t.duty, Decimal)


def test_final_liquidation_holds_a_flag_or_a_date() -> None:
    # A broker tool writes the day the liquidation becomes final; Y/N stays a flag.
    header = HEADER + ",Final Liquidation"
    rows = [
        ROWS[1] + ",Y",
        "B76-0158522-0,1,1,99030125,0.00,10.00,01,12-345678900,Acme Imports,03/03/2025,,01/30/2026,Liquidated,MX,"
        "07/29/2026",
    ]
    report = cape.read_es003(es003_bytes(header, rows))
    flagged, dated = report.entries
    assert (flagged.final_liquidation, flagged.final_liquidation_date) == (True, None)
    assert (dated.final_liquidation, dated.final_liquidation_date) == (None, datetime.date(2026, 7, 29))
