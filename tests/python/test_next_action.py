"""Every entry's next action, its act-by date and the refund's due date, and the plan of the actions due, from
Python, with dates computed by hand (CAPE.md §2, §7): last filing day = liquidation + 79, protest by =
liquidation + 180 (19 USC 1514), court by = accrual + 2 years (28 USC 2636(i)), refund due = projected
(re)liquidation + 30 (19 USC 1505(b)). As of 2026-12-01."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

import cape

AS_OF = datetime.date(2026, 12, 1)
HEADER = (
    "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,"
    "Liquidation Date,Liquidation Status,Protest Number,Protest Status,Entry Summary Status,Drawback Indicator,"
    "AD/CVD Liquidation Status,Payment Date,Country of Origin Code"
)
A, B = "12-345678900", "98-765432100"


def number(serial: int) -> str:
    base = f"ABC{serial:07d}"
    return f"ABC-{serial:07d}-{cape.check_digit(base)}"


def rows(importer: str, serial: int, liquidated: str = "", protest: str = "", protest_status: str = "") -> str:
    """A Chapter 1-97 row and a dutiable IEEPA reciprocal row (9903.01.25, 1,000.00 of duty)."""
    status = "Liquidated" if liquidated else ""
    common = f"01,{importer},06/02/2025,{liquidated},{status},{protest},{protest_status},Accepted,N,,06/05/2025,CN"
    n = number(serial)
    return f"{n},1,1,8471300100,10000.00,0.00,{common}\n{n},1,2,9903.01.25,0.00,1000.00,{common}\n"


def report_csv() -> bytes:
    csv = HEADER + "\n"
    csv += rows(A, 2, "10/01/2026")  # declare by 2026-10-01 + 79 = 2026-12-19
    csv += rows(A, 3, "08/01/2026")  # protest by 2026-08-01 + 180 = 2027-01-28
    csv += rows(A, 1)  # unliquidated: declare, no deadline
    csv += rows(B, 5, "10/01/2026", "2704-26-100001", "Open")  # withdraw the protest, declare by 2026-12-19
    csv += f"{number(7)},1,1,8471300100,10000.00,250.00,01,{B},06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n"  # no IEEPA
    csv += rows(B, 4, "03/02/2026")  # finally liquidated: court by 2028-03-02
    return csv.encode()


@pytest.fixture(scope="module")
def report() -> cape.AssessedReport:
    return cape.assess(report_csv(), as_of=AS_OF, assume_last_rate=True)


WANT = [
    (2, "declare", datetime.date(2026, 12, 19), datetime.date(2027, 1, 29)),
    (3, "protest", datetime.date(2027, 1, 28), None),
    (1, "declare", None, datetime.date(2027, 2, 14)),
    (5, "withdraw_protest_then_declare", datetime.date(2026, 12, 19), None),
    (7, "none", None, None),
    (4, "court_action", datetime.date(2028, 3, 2), None),
]


def test_each_entry_has_its_action_deadline_and_refund_due_date(report: cape.AssessedReport) -> None:
    got = [(str(e.entry_number), e.next_action, e.act_by, e.refund_due_by) for e in report]
    assert got == [(number(s), action, act_by, due) for s, action, act_by, due in WANT]
    first = report[0]
    assert first.next_action_note == (
        "Declare in CAPE by 2026-12-19 (18 days left), the last filing day after liquidation"
    )
    assert "protest under 19 USC 1514 by 2027-01-28 (58 days left)" in report[1].next_action_note
    # Liquidated 2026-10-01, accepted 2026-12-01: reliquidated by min(2027-01-15, 2026-12-30), due 30 days on.
    assert first.projected_liquidation_date == datetime.date(2026, 12, 30)


def test_records_json_and_columns_carry_the_four_keys(report: cape.AssessedReport) -> None:
    assert cape.RECORD_KEYS[-4:] == ("next_action", "act_by", "next_action_note", "refund_due_by")
    records = report.to_records()
    for e, rec in zip(report, records):
        assert (rec["next_action"], rec["act_by"], rec["next_action_note"], rec["refund_due_by"]) == (
            e.next_action,
            e.act_by,
            e.next_action_note,
            e.refund_due_by,
        )
        line = json.loads(e.to_json())
        assert line["act_by"] == (e.act_by.isoformat() if e.act_by else None)
        assert line["refund_due_by"] == (e.refund_due_by.isoformat() if e.refund_due_by else None)
        assert line["next_action"] == e.next_action and line["next_action_note"] == e.next_action_note
    assert records[0]["act_by"] == datetime.date(2026, 12, 19)
    assert records[0]["refund_due_by"] == datetime.date(2027, 1, 29)
    table = report.to_arrow()
    assert table.schema == cape.arrow_schema()
    assert table.column("next_action").to_pylist() == [w[1] for w in WANT]
    assert table.column("act_by").to_pylist() == [w[2] for w in WANT]
    assert table.column("refund_due_by").to_pylist() == [w[3] for w in WANT]
    assert table.column("next_action_note").to_pylist() == [e.next_action_note for e in report]
    df = report.to_pandas()
    assert list(df.columns) == list(cape.RECORD_KEYS)
    assert df["act_by"].dtype == "datetime64[ms]" and df["refund_due_by"].dtype == "datetime64[ms]"
    assert df["act_by"].iloc[0] == pd.Timestamp("2026-12-19") and pd.isna(df["act_by"].iloc[2])
    assert df["refund_due_by"].iloc[2] == pd.Timestamp("2027-02-14")
    assert list(df["next_action"]) == [w[1] for w in WANT]


def test_refunds_are_due_30_days_after_their_liquidation(report: cape.AssessedReport) -> None:
    due = {(r.recipient, r.liquidation_date): r.refund_due_by for r in report.refunds()}
    assert due[(A, datetime.date(2026, 12, 30))] == datetime.date(2027, 1, 29)
    assert due[(A, datetime.date(2027, 1, 15))] == datetime.date(2027, 2, 14)


def test_court_accrual_is_an_option() -> None:
    r = cape.assess(report_csv(), as_of=AS_OF, assume_last_rate=True, court_accrual="final_liquidation")
    # Final 2026-03-02 + 180 = 2026-08-29; two years later.
    assert (r[5].next_action, r[5].act_by) == ("court_action", datetime.date(2028, 8, 29))
    assert "became final" in r[5].next_action_note
    default = cape.assess(report_csv(), as_of=AS_OF, assume_last_rate=True, court_accrual="liquidation_date")
    assert default[5].act_by == datetime.date(2028, 3, 2)
    with pytest.raises(cape.InvalidValueError, match="final_liquidation"):
        cape.assess(report_csv(), as_of=AS_OF, court_accrual="someday")
    it = cape.iter_assess(report_csv(), as_of=AS_OF, assume_last_rate=True, court_accrual="final_liquidation")
    assert [e.act_by for e in it][5] == datetime.date(2028, 8, 29)
    p = cape.assess_partition(report_csv(), as_of=AS_OF, assume_last_rate=True, court_accrual="final_liquidation")
    assert p[5].act_by == datetime.date(2028, 8, 29)


def test_the_plan_groups_by_importer_soonest_first(report: cape.AssessedReport) -> None:
    plan = report.plan()
    assert isinstance(plan, cape.Plan)
    assert (len(plan), plan.entries_seen, plan.as_of, plan.by, plan.within) == (5, 6, AS_OF, "importer", None)
    groups = plan.groups
    assert [g.key for g in groups] == [A, B]
    assert [str(i.entry_number) for i in groups[0].items] == [number(2), number(3), number(1)]
    assert [str(i.entry_number) for i in groups[1].items] == [number(5), number(4)]
    assert (groups[0].ieepa_duty, groups[1].ieepa_duty) == (Decimal("3000.00"), Decimal("2000.00"))
    assert groups[0].earliest_act_by == datetime.date(2026, 12, 19) and len(groups[0]) == 3
    item = groups[1].items[1]
    assert (item.importer_number, item.status, item.action) == (B, report[5].status, "court_action")
    assert (item.act_by, item.days_left, item.ieepa_duty) == (datetime.date(2028, 3, 2), 457, Decimal("1000.00"))
    assert item.note == report[5].next_action_note
    assert groups[0].items[2].days_left is None


def test_the_plan_by_week_within_a_horizon(report: cape.AssessedReport) -> None:
    plan = report.plan(within=30, by="week")
    # Only the two deadlines of 2026-12-19 (a Saturday: the week of Monday 2026-12-14), 18 days away.
    assert len(plan) == 2 and plan.within == 30 and plan.by == "week"
    (week,) = plan.groups
    assert (week.key, week.ieepa_duty) == ("week of 2026-12-14", Decimal("2000.00"))
    assert [i.action for i in week.items] == ["declare", "withdraw_protest_then_declare"]
    assert [i.days_left for i in week.items] == [18, 18]
    out = json.loads(plan.to_json())
    assert (out["by"], out["within_days"], out["items"], out["ieepa_duty"]) == ("week", 30, 2, "2000.00")
    keys = [g.key for g in report.plan(by="week").groups]
    assert keys == ["week of 2026-12-14", "week of 2027-01-25", "week of 2028-02-28", "no deadline"]


def test_a_plan_from_a_stream_equals_the_plan_of_the_report(report: cape.AssessedReport) -> None:
    plan = cape.Plan(as_of=AS_OF)
    for e in cape.iter_assess(report_csv(), as_of=AS_OF, assume_last_rate=True):
        plan.add(e)
    assert plan.to_json() == report.plan().to_json()
    assert repr(plan) == "<Plan as_of=2026-12-01 by=importer within=None items=5 entries_seen=6>"
    partial = cape.assess_partition(report_csv(), as_of=AS_OF, assume_last_rate=True)
    assert partial.plan(within=60).to_json() == report.plan(within=60).to_json()


def test_bad_plan_arguments_raise(report: cape.AssessedReport) -> None:
    with pytest.raises(cape.InvalidValueError, match="importer or week"):
        report.plan(by="month")
    with pytest.raises(cape.InvalidValueError, match="within"):
        report.plan(within=-1)
    with pytest.raises(cape.InvalidValueError):
        cape.Plan(as_of=AS_OF, by="day")
    with pytest.raises(TypeError):
        cape.Plan(as_of=AS_OF).add("ABC-0000002-8")  # type: ignore[arg-type]


def test_the_plan_json_is_the_command_lines(report: cape.AssessedReport, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "es003.csv"
    path.write_bytes(report_csv())
    args = [sys.executable, "-m", "cape", "plan", str(path), "--as-of", "2026-12-01", "--assume-last-rate"]
    args += ["--format", "json", "--by", "week", "--within", "60"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert result.returncode == 0, result
    assert result.stdout == report.plan(within=60, by="week").to_json() + "\n"
