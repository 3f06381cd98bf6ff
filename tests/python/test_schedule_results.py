"""The schedule options (acceptance lag, liquidation offset, reliquidation window), extra federal closures and
the results reader's column map and sheet, from Python, with dates computed by hand (as the command line's
tests in cape-core/tests/cli_options.rs: the same report, the same dates)."""

from __future__ import annotations

import datetime
import pathlib

import pytest

import cape

AS_OF = datetime.date(2026, 4, 19)
D = datetime.date

# ABC-1234567-6 liquidated 2026-01-30 (its last filing day 2026-04-19), paid on the day of its entry;
# B76-0158522-0 unliquidated, entered 2025-09-02 and paid on a periodic monthly statement (payment type 7, no
# payment date): deposited on the 15th working day of October 2025.
ES003 = (
    b"Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    b"Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,"
    b"Country of Origin Code,Liquidation Date,Liquidation Status,Column 1 Current Primary Duty Rate,Payment Date,"
    b"Payment Type Code,ACH Refund Enrolled\n"
    b"ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,1,Y\n"
    b"ABC-1234567-6,1,2,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,4%,"
    b"06/02/2025,1,Y\n"
    b"B76-0158522-0,1,1,99030124,0,300.00,01,98-765432100,09/02/2025,CN,,,,,7,Y\n"
    b"B76-0158522-0,1,2,8471300100,3000.00,0.00,01,98-765432100,09/02/2025,CN,,,0%,,7,Y\n"
)


def facts(**options: object) -> list[tuple[str, str, object, object]]:
    """(entry, status, projected (re)liquidation, deposit date) of each entry."""
    report = cape.assess(ES003, as_of=AS_OF, assume_last_rate=True, **options)  # type: ignore[arg-type]
    return [(str(a.entry_number), a.status, a.projected_liquidation_date, a.deposit_date) for a in report]


def test_defaults() -> None:
    # Acceptance 04-19. Liquidated: min(04-19 + 45 = 06-03, 01-30 + 90 = 04-30) = 04-30; unliquidated 06-03.
    # October 2025 (Columbus Day Oct 13): working days 1 2 3 6 7 8 9 10 14 15 16 17 20 21 22 -> the 15th is 10-22.
    assert facts() == [
        ("ABC-1234567-6", "eligible", D(2026, 4, 30), D(2025, 6, 2)),
        ("B76-0158522-0", "eligible", D(2026, 6, 3), D(2025, 10, 22)),
    ]


def test_acceptance_lag_moves_the_projection_and_the_80_day_window() -> None:
    # Acceptance 04-29: unliquidated 04-29 + 45 = 06-13. CAPE validating on 04-29 finds the liquidated entry
    # past its last filing day (04-19): ineligible, no projection.
    got = facts(acceptance_lag=10)
    assert got[1][1:3] == ("eligible", D(2026, 6, 13))
    assert got[0][1:3] == ("ineligible", None)


def test_liquidation_offset_and_reliquidation_window() -> None:
    # Offset 30: unliquidated 04-19 + 30 = 05-19; liquidated min(05-19, 04-30) = 04-30.
    assert [g[2] for g in facts(liquidation_offset=30)] == [D(2026, 4, 30), D(2026, 5, 19)]
    # Offset 5: both 04-24.
    assert [g[2] for g in facts(liquidation_offset=5)] == [D(2026, 4, 24), D(2026, 4, 24)]
    # Window 120: liquidated min(06-03, 01-30 + 120 = 05-30) = 05-30.
    assert [g[2] for g in facts(reliquidation_window=120)] == [D(2026, 5, 30), D(2026, 6, 3)]
    # Combined: acceptance 04-21, + 30 = 05-21; the liquidated entry, validated after its last day, has none.
    assert [g[2] for g in facts(acceptance_lag=2, liquidation_offset=30)] == [None, D(2026, 5, 21)]


def test_closures_move_the_pms_deposit_date() -> None:
    # Closed on Oct 6 and Oct 7 as well: 1 2 3 8 9 10 14 15 16 17 20 21 22 23 24 -> the 15th is 10-24.
    got = facts(closures=[D(2025, 10, 6), D(2025, 10, 7)])
    assert got[1][3] == D(2025, 10, 24)
    assert got[0][3] == D(2025, 6, 2)
    # An empty list changes nothing; a tuple is taken as well.
    assert facts(closures=[])[1][3] == D(2025, 10, 22)
    assert facts(closures=(D(2025, 10, 6),))[1][3] == D(2025, 10, 23)


def test_every_assess_function_takes_the_schedule_options() -> None:
    kw = {"acceptance_lag": 10, "closures": [D(2025, 10, 6), D(2025, 10, 7)]}
    it = cape.iter_assess(ES003, as_of=AS_OF, assume_last_rate=True, **kw)  # type: ignore[arg-type]
    streamed = [(a.status, a.projected_liquidation_date, a.deposit_date) for a in it]
    assert streamed == [("ineligible", None, D(2025, 6, 2)), ("eligible", D(2026, 6, 13), D(2025, 10, 24))]
    part = cape.assess_partition(ES003, as_of=AS_OF, assume_last_rate=True, **kw)  # type: ignore[arg-type]
    assert [(a.status, a.projected_liquidation_date) for a in part] == [
        ("ineligible", None),
        ("eligible", D(2026, 6, 13)),
    ]
    # Partials computed with other schedule options do not merge.
    other = cape.assess_partition(ES003, as_of=AS_OF, assume_last_rate=True)
    with pytest.raises(cape.InvalidValueError):
        part.merge(other)
    # Closures alone change the tables' calendar: those partials do not merge with others either.
    closed = cape.assess_partition(ES003, as_of=AS_OF, assume_last_rate=True, closures=[D(2025, 10, 6)])
    with pytest.raises(cape.InvalidValueError):
        closed.merge(other)
    assert len(closed.merge(closed)) == 4


def test_bad_schedule_options_raise() -> None:
    with pytest.raises(cape.InvalidValueError, match="acceptance_lag"):
        cape.assess(ES003, as_of=AS_OF, acceptance_lag=-3)
    with pytest.raises(TypeError):
        cape.assess(ES003, as_of=AS_OF, reliquidation_window="ninety")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cape.assess(ES003, as_of=AS_OF, closures=["2025-10-06"])  # type: ignore[list-item]


def test_read_closures(tmp_path: pathlib.Path) -> None:
    text = "# extra federal closures\n2025-10-06   # a national day of mourning\n\n10/07/2025\n2026-12-24\n"
    path = tmp_path / "closures.txt"
    path.write_text(text)
    want = [D(2025, 10, 6), D(2025, 10, 7), D(2026, 12, 24)]
    assert cape.read_closures(path) == want
    assert cape.read_closures(str(path)) == want
    assert cape.read_closures(text.encode()) == want
    assert facts(closures=cape.read_closures(path))[1][3] == D(2025, 10, 24)
    with pytest.raises(cape.FormatError, match="line 3"):
        cape.read_closures(b"2025-10-06\n# note\n13/45/2025\n")
    with pytest.raises(cape.CapeIOError):
        cape.read_closures(tmp_path / "missing.txt")


def corpus(repo: pathlib.Path, name: str) -> pathlib.Path:
    return repo / "tests" / "data" / "bad" / name


def rows_of(results: cape.Results) -> list[tuple[object, ...]]:
    return [
        (r.row, None if r.entry_number is None else str(r.entry_number), r.claim_number, r.status, r.error_kind)
        for r in results.rows
    ]


BROKER_ROWS = [
    (2, "VSU-0828889-3", "C000777", "entry_summary_updated", None),
    (3, "VSU-0828893-5", "C000777", "failed", "protest_on_entry"),
]


def test_broker_headers_are_read_as_alternates(repo: pathlib.Path) -> None:
    csv = cape.read_results(corpus(repo, "results_broker_headers.csv"))
    # Row 4's entry number has a wrong check digit: a problem, not a row.
    assert rows_of(csv)[:2] == BROKER_ROWS
    assert [p.row for p in csv.problems] == [4]
    assert [str(n) for n in csv.accepted] == ["VSU-0828889-3"]
    xlsx = cape.read_results(corpus(repo, "results_broker_headers.xlsx"))
    assert rows_of(xlsx) == rows_of(csv)
    assert cape.read_results(corpus(repo, "results_broker_headers.xlsx"), sheet="Claim Details").rows == xlsx.rows
    with pytest.raises(cape.FormatError, match="Nope"):
        cape.read_results(corpus(repo, "results_broker_headers.xlsx"), sheet="Nope")
    # The same file's bytes, and a column map naming the same headers, read the same.
    data = corpus(repo, "results_broker_headers.csv").read_bytes()
    assert rows_of(cape.read_results(data)) == rows_of(csv)
    mapped = cape.read_results(data, columns={"ENTRY_NUMBER": "Entry Summary Number", "STATUS": "filing status"})
    assert rows_of(mapped) == rows_of(csv)
    # A map pointing at a header the file does not have: only that header is tried.
    with pytest.raises(cape.MissingColumnError, match="Entry Ref"):
        cape.read_results(data, columns={"ENTRY_NUMBER": "Entry Ref"})
    # A row cap below the file's rows refuses it.
    with pytest.raises(cape.FormatError):
        cape.read_results(data, max_rows=1)


def test_column_map_reads_a_files_own_headers(tmp_path: pathlib.Path) -> None:
    data = b"Ref,Claim,Outcome,Message\nABC12345676,C9,Entry Summary Updated,\nB76-0158522-0,C9,Failed,INVALID HTS\n"
    with pytest.raises(cape.MissingColumnError, match="ENTRY_NUMBER"):
        cape.read_results(data)
    columns = {"ENTRY_NUMBER": "Ref", "claim_number": "Claim", "Status": "Outcome", "ERROR DESCRIPTION": "message"}
    got = cape.read_results(data, columns=columns)
    assert rows_of(got) == [
        (2, "ABC-1234567-6", "C9", "entry_summary_updated", None),
        (3, "B76-0158522-0", "C9", "failed", "invalid_hts"),
    ]
    path = tmp_path / "claims.csv"
    path.write_bytes(data)
    assert rows_of(cape.read_results(path, columns=columns)) == rows_of(got)
    with pytest.raises(cape.InvalidValueError, match="CLAIM"):
        cape.read_results(data, columns={"CLAIM": "Claim"})
