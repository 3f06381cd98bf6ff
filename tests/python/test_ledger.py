"""cape.Ledger: the refund ledger through Python, end to end on 2,000 generated entries, and its refusals.

The states and cents per state are computed here from the inputs (the assessments of cape.assess and the
synthetic claim-details and refund report the test writes), never read back from the ledger to be compared
with itself.
"""

from __future__ import annotations

import collections
import csv
import datetime
import decimal
import pathlib
import sqlite3
import subprocess
import sys
from typing import Dict, List, Tuple

import pytest

import cape
from cape import _cape

AS_OF = datetime.date(2026, 11, 26)
ZERO = decimal.Decimal("0.00")
# Real CAPE error texts (cape-core's claim::cbp and results table).
REJECT_TEXTS = ("PROTEST ON ENTRY", "ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS")
UNKNOWN_ENTRY = str(cape.EntryNumber.from_parts("ZZZ", 42))
StateKey = Tuple[str, str, str]  # importer, recipient, state


def expected(a: cape.EntryAssessment) -> decimal.Decimal:
    return a.ieepa_duty + (a.interest or ZERO)


def declared_entries(folder: pathlib.Path) -> List[str]:
    """The entries of every declaration file the manifest lists (first column after the header)."""
    out: List[str] = []
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as m:
        for listing in csv.DictReader(m):
            with open(folder / listing["file"], newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            out += [str(cape.EntryNumber(r[0])) for r in rows[1:] if r and r[0]]
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, object]:
    tmp = tmp_path_factory.mktemp("ledger")
    es003 = tmp / "es003.csv"
    assert _cape.run_cli(["sample", "--entries", "2000", "--seed", "18", "--output", str(es003)]) == 0
    report = cape.assess(es003, as_of=AS_OF, assume_last_rate=True)
    assert len(report) == 2000
    report.write_declarations(tmp / "declared")
    declared = declared_entries(tmp / "declared")
    assert 200 < len(declared) < 2000

    # Claim details: every declared entry but the last 50 answered; every 10th of those rejected.
    answered = declared[:-50]
    rejected = set(answered[::10])
    with open(tmp / "claims.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Entry Number", "Claim Number", "Status", "Error Description"])
        for i, e in enumerate(answered):
            if e in rejected:
                w.writerow([e, "CL-18", "Failed", REJECT_TEXTS[i % 2]])
            else:
                w.writerow([e, "CL-18", "Entry Summary Updated", ""])

    # A refund report for half the accepted entries that are not held: every 3rd short by 1.00, one returned;
    # and one row for an entry the ledger never saw.
    by_number = {str(a.entry_number): a for a in report}
    accepted = [e for e in answered if e not in rejected]
    payable = [e for e in accepted if not by_number[e].refund_held and expected(by_number[e]) > 1][: len(accepted) // 2]
    paid: Dict[str, decimal.Decimal] = {}
    returned = payable[0]
    with open(tmp / "rev615.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Entry Summary Number", "Refund Number", "Principal Amount", "Interest Amount", "Refund Date",
                    "Refund Secondary Status"])
        for i, e in enumerate(payable):
            a = by_number[e]
            principal = a.ieepa_duty - (1 if i % 3 == 1 else 0)
            status = "Check/ACH Returned" if e == returned else "Treasury Issued"
            w.writerow([e, f"R{i}", f"{principal:.2f}", f"{a.interest or ZERO:.2f}", "2027-03-15", status])
            if e != returned:
                paid[e] = principal + (a.interest or ZERO)
        w.writerow([UNKNOWN_ENTRY, "RZ", "7.77", "0.00", "2027-03-15", "Treasury Issued"])

    # Each entry's state by the rules, from the inputs alone.
    want: Dict[StateKey, List[object]] = collections.defaultdict(lambda: [0, ZERO, ZERO])
    states: Dict[str, str] = {}
    for e, a in by_number.items():
        if e == returned:
            state = "returned"
        elif e in paid:
            state = "paid" if paid[e] == expected(a) else "paid_short"
        elif e in rejected:
            state = "rejected"
        elif e in accepted:
            state = "held" if a.refund_held else "accepted"
        elif e in declared:
            state = "declared"
        else:
            state = "not_declared"
        if state in ("declared", "accepted") and a.refund_due_by is not None and a.refund_due_by < AS_OF:
            state = "overdue"
        states[e] = state
        t = want[(a.importer_number or "", a.refund_recipient or "", state)]
        t[0] += 1  # type: ignore[operator]
        t[1] += expected(a)  # type: ignore[operator]
        t[2] += paid.get(e, ZERO)  # type: ignore[operator]
    return {"tmp": tmp, "es003": es003, "report": report, "declared": declared, "rejected": rejected,
            "paid": paid, "returned": returned, "want": dict(want), "states": states}


def totals(status: cape.LedgerStatus) -> Dict[StateKey, List[object]]:
    return {(t.importer or "", t.recipient or "", t.state): [t.entries, t.expected, t.paid] for t in status.totals}


def dump(db: pathlib.Path) -> List[object]:
    """Every row of every table of the file (read beside the open ledger: WAL lets a reader in)."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return [(n, c.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall()) for n in names]
    finally:
        c.close()


def record_all(ledger: cape.Ledger, s: Dict[str, object]) -> List[cape.ImportOutcome]:
    tmp = s["tmp"]
    assert isinstance(tmp, pathlib.Path)
    return [
        ledger.record_es003(tmp / "es003.csv", as_of=AS_OF, assume_last_rate=True),
        ledger.record_declarations(tmp / "declared"),
        ledger.record_results(tmp / "claims.csv"),
        ledger.record_refund_report(tmp / "rev615.csv", kind="rev615"),
    ]


def test_record_detects_each_kind_and_records_what_the_specific_methods_record(
    scenario: Dict[str, object], tmp_path: pathlib.Path
) -> None:
    tmp = scenario["tmp"]
    assert isinstance(tmp, pathlib.Path)
    with cape.Ledger(tmp_path / "specific.db") as ledger:
        specific = record_all(ledger, scenario)
    with cape.Ledger(tmp_path / "generic.db") as ledger:
        files = [tmp / "es003.csv", tmp / "declared", tmp / "claims.csv", tmp / "rev615.csv"]
        generic = [ledger.record(files[0], as_of=AS_OF)] + [ledger.record(f) for f in files[1:]]
        assert [o.kind for o in generic] == [o.kind for o in specific]
        assert [(o.rows_read, o.rows_used, o.rows_rejected) for o in generic[1:]] == [
            (o.rows_read, o.rows_used, o.rows_rejected) for o in specific[1:]
        ]
        # Each file again, by either door: the same (kind, SHA-256), so nothing changes.
        assert [o.recorded for o in (ledger.record(f, as_of=AS_OF) for f in files)] == [False] * 4
        with pytest.raises(cape.InvalidValueError, match="as-of|as_of"):
            cape.Ledger(tmp_path / "third.db").record(files[0])
        with pytest.raises(cape.InvalidValueError, match="kind"):
            ledger.record(files[2], kind="ledger")  # type: ignore[arg-type]
        with pytest.raises(cape.FormatError):
            (tmp_path / "notes.txt").write_text("hello\n")
            ledger.record(tmp_path / "notes.txt")


def test_two_thousand_entries_end_to_end(scenario: Dict[str, object], tmp_path: pathlib.Path) -> None:
    db = tmp_path / "cape.db"
    with cape.Ledger(db) as ledger:
        outcomes = record_all(ledger, scenario)
        assert [o.recorded for o in outcomes] == [True] * 4
        assert [o.kind for o in outcomes] == ["assessment", "declarations", "claim_results", "rev615"]
        assert [o.import_id for o in outcomes] == [1, 2, 3, 4]
        es, decl, res, refunds = outcomes
        assert (es.rows_rejected, decl.rows_used) == (0, len(scenario["declared"]))  # type: ignore[arg-type]
        answered = len(scenario["declared"]) - 50  # type: ignore[arg-type]
        assert (res.rows_read, res.rows_used, res.rows_rejected) == (answered, answered, 0)
        assert refunds.rows_used == len(scenario["paid"]) + 2  # type: ignore[arg-type]

        status = ledger.status()
        assert status.as_of == AS_OF
        assert len(status.entries) == 2000
        assert totals(status) == scenario["want"]
        # The counts per state, as a person reads them.
        counts = collections.Counter(e.state for e in status.entries)
        assert counts == collections.Counter(scenario["states"].values())  # type: ignore[union-attr]
        assert counts["returned"] == 1 and counts["paid_short"] > 0 and counts["paid"] > 0 and counts["rejected"] > 0
        by_entry = {e.entry_number: e for e in status.entries}
        for e in by_entry.values():
            assert e.state == scenario["states"][e.entry_number]  # type: ignore[index]
            if e.state == "paid_short":
                assert e.variance == decimal.Decimal("-1.00")
            if e.state == "rejected":
                assert e.error_text in REJECT_TEXTS and e.error_remedy and e.claim_number == "CL-18"
        assert [(u.entry_number, u.amount, u.status) for u in status.unmatched] == [
            (UNKNOWN_ENTRY, decimal.Decimal("7.77"), "treasury_issued")
        ]

        # Filters are the core's: one state, one importer.
        short = ledger.status(state="paid_short")
        assert {e.entry_number for e in short.entries} == {k for k, v in scenario["states"].items() if v == "paid_short"}  # type: ignore[union-attr]
        importer = status.entries[0].importer
        assert importer is not None
        mine = ledger.status(importer=importer)
        assert len(mine.entries) == sum(1 for e in status.entries if e.importer == importer)

        # History and changes.
        returned = str(scenario["returned"])
        facts = ledger.history(returned)
        assert [f.kind for f in facts] == ["assessment", "declarations", "claim_results", "rev615"]
        assert ledger.history(cape.EntryNumber(returned)) == facts
        changed = ledger.changes_since(3)
        # The unknown entry's row is a change too, in `unmatched` (not an entry of the ledger).
        assert {e.entry_number for e in changed.entries} == set(scenario["paid"]) | {returned}  # type: ignore[arg-type]
        assert [u.entry_number for u in changed.unmatched] == [UNKNOWN_ENTRY]
        assert ledger.status(since=3).entries == changed.entries
        by_state = {t.state: t.entries for t in changed.states}
        assert by_state["returned"] == 1 and "rejected" not in by_state
        nothing = ledger.changes_since(4)
        assert (nothing.entries, nothing.unmatched, nothing.states) == ((), (), ())
        # Per state over all importers and recipients: the per-importer totals summed, importer None.
        summed: "collections.Counter[str]" = collections.Counter()
        for t in status.totals:
            summed[t.state] += t.entries
        assert {t.state: t.entries for t in status.states} == dict(summed)
        assert all(t.importer is None and t.recipient is None for t in status.states)

        # The statement is the core's HTML, written where asked.
        page = ledger.statement(importer, tmp_path / "statement.html")
        assert page == tmp_path / "statement.html"
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and importer in html
        # Without as_of the statement judges as of the ledger's day, as status and `cape ledger statement` do.
        dated = ledger.statement(importer, tmp_path / "dated.html", as_of=status.as_of)
        assert dated.read_bytes() == page.read_bytes()

        # Recording the same files again changes nothing.
        before = dump(db)
        again = record_all(ledger, scenario)
        assert [o.recorded for o in again] == [False] * 4
        assert [o.import_id for o in again] == [1, 2, 3, 4]
        assert all(o.recorded_at and o.rows_read is None for o in again)
        assert totals(ledger.status()) == scenario["want"]
        assert dump(db) == before
    assert ledger.closed
    with pytest.raises(ValueError, match="closed"):
        ledger.status()
    # Reopened read-only: the same answer.
    with cape.Ledger(db, read_only=True) as ro:
        assert totals(ro.status()) == scenario["want"]


def test_status_to_pandas_keeps_money_exact(scenario: Dict[str, object], tmp_path: pathlib.Path) -> None:
    pytest.importorskip("pandas")
    with cape.Ledger(tmp_path / "cape.db") as ledger:
        record_all(ledger, scenario)
        status = ledger.status(state="paid_short")
        df = status.to_pandas()
        assert len(df) == len(status.entries) > 0
        assert list(df["entry_number"]) == [e.entry_number for e in status.entries]
        assert list(df["variance"]) == [decimal.Decimal("-1.00")] * len(df)
        assert sum(df["paid"]) == sum(e.paid for e in status.entries)
        pl = pytest.importorskip("polars")
        assert isinstance(status.to_polars(), pl.DataFrame)


def ledger_with_one_import(tmp_path: pathlib.Path) -> pathlib.Path:
    db = tmp_path / "cape.db"
    claims = tmp_path / "claims.csv"
    claims.write_text("Entry Number,Claim Number,Status,Error Description\nABC-1234567-6,C1,Entry Summary Updated,\n")
    with cape.Ledger(db) as ledger:
        ledger.record_results(claims)
    return db


def test_a_foreign_sqlite_file_is_refused_unchanged(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE t (x)")
    c.close()
    before = db.read_bytes()
    with pytest.raises(cape.FormatError) as e:
        cape.Ledger(db)
    assert (e.value.problem, e.value.path, e.value.kind) == ("LEDGER_FOREIGN_FILE", str(db), "invalid_format")
    assert db.read_bytes() == before


def test_a_newer_schema_is_refused_naming_both_versions(tmp_path: pathlib.Path) -> None:
    db = ledger_with_one_import(tmp_path)
    c = sqlite3.connect(db)
    supported = c.execute("PRAGMA user_version").fetchone()[0]
    c.execute(f"PRAGMA user_version = {supported + 5}")
    c.close()
    before = db.read_bytes()
    with pytest.raises(cape.FormatError) as e:
        cape.Ledger(db)
    assert (e.value.problem, e.value.found, e.value.supported) == ("LEDGER_NEWER_SCHEMA", supported + 5, supported)
    assert db.read_bytes() == before


def test_a_read_only_ledger_refuses_to_record(tmp_path: pathlib.Path) -> None:
    db = ledger_with_one_import(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("Entry Number,Claim Number,Status,Error Description\nABC-1234567-6,C2,Failed,INVALID HTS\n")
    with cape.Ledger(db, read_only=True) as ro:
        with pytest.raises(cape.CapeIOError) as e:
            ro.record_results(other)
        assert (e.value.problem, e.value.path) == ("LEDGER_READ_ONLY", str(db))
        assert [x.state for x in ro.status().entries] == ["accepted"]
    with pytest.raises(cape.CapeIOError):
        cape.Ledger(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


HOLD_WRITE_LOCK = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
c.execute("ROLLBACK")
"""


def test_a_busy_ledger_gives_up_after_its_timeout(tmp_path: pathlib.Path) -> None:
    db = ledger_with_one_import(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("Entry Number,Claim Number,Status,Error Description\nABC-1234567-6,C2,Failed,INVALID HTS\n")
    # Another process holds the write lock (POSIX locks do not stop a second SQLite library in this process)
    # until its stdin closes.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with cape.Ledger(db, busy_timeout=0.05) as ledger:
            with pytest.raises(cape.OutputLockedError) as e:
                ledger.record_results(other)
            assert (e.value.problem, e.value.path) == ("LEDGER_BUSY", str(db))
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
        assert holder.stdout is not None
        holder.stdout.close()
    with cape.Ledger(db) as ledger:
        assert ledger.record_results(other).recorded
        assert [x.state for x in ledger.status().entries] == ["rejected"]


def test_a_full_ledger_keeps_what_it_had(scenario: Dict[str, object], tmp_path: pathlib.Path) -> None:
    db = ledger_with_one_import(tmp_path)
    with cape.Ledger(db, max_size=64 * 1024) as ledger:
        with pytest.raises(cape.CapeIOError) as e:
            ledger.record_es003(scenario["es003"], as_of=AS_OF)  # type: ignore[arg-type]
        assert e.value.problem == "LEDGER_FULL"
        assert len(ledger.status().entries) == 1


def test_bad_arguments_name_the_parameter(tmp_path: pathlib.Path) -> None:
    with cape.Ledger(tmp_path / "cape.db") as ledger:
        with pytest.raises(cape.InvalidValueError, match="state") as e:
            ledger.status(state="lost")
        assert e.value.problem is None  # only a ledger file's errors have a problem code
        with pytest.raises(cape.InvalidValueError, match="kind"):
            ledger.record_refund_report(tmp_path / "x.csv", kind="rev999")
        with pytest.raises(cape.InvalidValueError, match="columns"):
            ledger.record_refund_report(tmp_path / "x.csv", columns={"amount": "Amt"})
        with pytest.raises(cape.EntryNumberError):
            ledger.history("not an entry")
    with pytest.raises(cape.InvalidValueError, match="busy_timeout"):
        cape.Ledger(tmp_path / "b.db", busy_timeout=-1)


def test_a_refund_report_with_other_headers_reads_through_a_column_map(tmp_path: pathlib.Path) -> None:
    # Headers no broker export uses: the map file names two fields, `columns` the rest (and wins over the file).
    report = tmp_path / "refunds.csv"
    number = str(cape.EntryNumber.from_parts("ABC", 1234567))
    report.write_text(
        "Ref,Refund No,Amt USD,Int USD,Paid On,State\n"
        f"{number},R1,100.00,2.50,2027-03-15,Treasury Issued\n"
        "not-an-entry,R2,5.00,0.00,2027-03-15,Treasury Issued\n"
    )
    map_file = tmp_path / "map.txt"
    map_file.write_text("# ours\nentry_number = Ref\nprincipal = Wrong Header\n")
    with cape.Ledger(tmp_path / "cape.db") as ledger:
        out = ledger.record_refund_report(
            report,
            kind="rev615",
            map_file=map_file,
            columns={"principal": "Amt USD", "interest": "Int USD", "refund_date": "Paid On", "status": "State"},
        )
        assert (out.kind, out.rows_read, out.rows_used, out.rows_rejected) == ("rev615", 2, 1, 1)
        status = ledger.status()
        # Never assessed, declared or answered: kept as unmatched with its full amount, not an entry of the ledger.
        assert [(u.entry_number, u.amount) for u in status.unmatched] == [(number, decimal.Decimal("102.50"))]
        assert [(e.entry_number, e.state, e.paid) for e in status.entries] == []
        # The same bytes again (whatever the options): already recorded.
        again = ledger.record_refund_report(report, kind="rev615", map_file=map_file, columns={"principal": "Amt USD"})
        assert (again.recorded, again.import_id) == (False, out.import_id)


def test_a_progress_callback_that_raises_stops_the_import_and_leaves_the_ledger_as_before(
    scenario: Dict[str, object], tmp_path: pathlib.Path
) -> None:
    db = ledger_with_one_import(tmp_path)
    before = dump(db)
    calls: List[Tuple[int, object]] = []

    def stop(done: int, total: object) -> None:
        calls.append((done, total))
        raise RuntimeError("stop here")

    with cape.Ledger(db) as ledger:
        with pytest.raises(RuntimeError, match="stop here"):
            ledger.record_es003(scenario["es003"], as_of=AS_OF, progress=stop)  # type: ignore[arg-type]
        assert calls and calls[0][1] == pathlib.Path(str(scenario["es003"])).stat().st_size
        assert dump(db) == before
        # Nothing half-recorded: the same file records in full afterwards.
        out = ledger.record_es003(scenario["es003"], as_of=AS_OF)  # type: ignore[arg-type]
        assert (out.recorded, out.import_id) == (True, 2)
        assert len(ledger.status().entries) == 2001
