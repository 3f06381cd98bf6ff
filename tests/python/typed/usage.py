"""A back-office script, type-checked with `mypy --strict` against the installed stubs (tests/python/test_typing.py).

Not collected by pytest (no test_ prefix); it is also run once to show that it works.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import cape


def main(es003: Path, out_dir: Path) -> Decimal:
    report: cape.AssessedReport = cape.assess(es003, as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
    by_status: Dict[str, int] = {}
    for entry in report:
        by_status[entry.status] = by_status.get(entry.status, 0) + 1
        principal: Decimal = entry.ieepa_duty
        interest: Optional[Decimal] = entry.interest
        last_day: Optional[datetime.date] = entry.last_filing_day
        assert principal >= 0 and (interest is None or interest >= 0) and (last_day is None or last_day.year > 2000)
    records: List[Dict[str, object]] = report.to_records()
    assert len(records) == report.totals.entries
    paths: List[Path] = report.write_declarations(out_dir, split_by_importer=True)
    assert paths and paths[-1].name == "manifest.csv"
    try:
        report.write_declarations(out_dir)
    except cape.OutputNotEmptyError as e:
        found: Tuple[str, ...] = e.found
        assert found and e.path == str(out_dir)
    paths = report.write_declarations(out_dir, replace=True)
    paid: Decimal = sum((r.total for r in report.refunds(min_refund=Decimal("20.00"))), Decimal(0))
    i: cape.Interest = cape.interest(Decimal("10000.00"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
    assert i.amount == Decimal("483.05")
    try:
        cape.EntryNumber("not an entry")
    except cape.EntryNumberError as e:
        assert isinstance(e, ValueError) and e.kind == "invalid_entry_number"
    # The actions due within 30 days, per importer, soonest first; each refund's due date.
    plan: cape.Plan = report.plan(within=30, by="importer")
    for group in plan.groups:
        at_stake: Decimal = group.ieepa_duty
        first: Optional[datetime.date] = group.earliest_act_by
        assert at_stake >= 0 and (first is None or first.year > 2000)
        for item in group.items:
            act_by: Optional[datetime.date] = item.act_by
            action: str = item.action
            assert action != "none" and (act_by is None or item.days_left is not None)
    due: List[datetime.date] = [r.refund_due_by for r in report.refunds()]
    assert all(d > report.as_of for d in due)
    partial = cape.assess_partition(es003.read_bytes(), as_of=datetime.date(2026, 11, 26))
    merged: cape.Partial = cape.merge([partial, partial])
    assert merged.totals.entries == 2 * partial.totals.entries
    # CBP validating ten days later, with a national day of mourning; a broker's claim details by a column map.
    closed: List[datetime.date] = cape.read_closures(b"2025-10-06\n")
    lagged = cape.iter_assess(es003, as_of=datetime.date(2026, 11, 26), acceptance_lag=10, closures=closed)
    assert sum(1 for _ in lagged) == report.totals.entries
    claims = b"Ref,Claim No,Outcome,Error Text\nABC12345676,C9,Entry Summary Updated,\n"
    results: cape.Results = cape.read_results(claims, columns={"ENTRY_NUMBER": "Ref", "STATUS": "Outcome"})
    assert [str(n) for n in results.accepted] == ["ABC-1234567-6"]
    # Typed rows and findings (one name for CBP's wording: cbp_message); tables and CSV out of every result.
    row: cape.ResultRow = results.rows[0]
    kind: Optional[str] = row.error_kind
    assert row.status == "entry_summary_updated" and kind is None
    check: cape.DeclarationCheck = cape.check_declaration(b"Entry Number\nABC12345676\n", report=report)
    wording: List[Optional[str]] = [f.cbp_message for f in check.findings]
    wording += [v.cbp_message for v in check.entry_verdicts]
    assert len(wording) >= 1
    refunds: cape.Refunds = report.refunds()
    refunds.to_csv(out_dir / "refunds.csv")
    report.diagnostics.to_csv(out_dir / "diagnostics.csv")
    page: str = report._repr_html_() + refunds._repr_html_() + check._repr_html_()
    assert "<table" in page
    # The refund ledger: record, then ask where each entry stands (money as Decimal, states as codes).
    with cape.Ledger(out_dir / "cape.db", busy_timeout=2.5) as ledger:
        outcome: cape.ImportOutcome = ledger.record_es003(es003, as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
        assert outcome.recorded and outcome.rows_rejected == 0
        assert ledger.record_declarations(out_dir).kind == "declarations"
        status: cape.LedgerStatus = ledger.status(state="declared")
        expected: Decimal = sum((e.expected for e in status.entries), Decimal(0))
        variance: List[Optional[Decimal]] = [e.variance for e in status.entries]
        assert expected > 0 and set(variance) == {None}
        counts: Dict[str, int] = {}
        for t in ledger.status().totals:  # per importer, recipient and state
            counts[t.state] = counts.get(t.state, 0) + t.entries
        assert counts["declared"] == len(status.entries)
        facts: Tuple[cape.LedgerFact, ...] = ledger.history(status.entries[0].entry_number)
        assert [f.kind for f in facts] == ["assessment", "declarations"]
    return paid


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])))
