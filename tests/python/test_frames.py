"""DataFrame and Arrow input equal path input; to_pandas / to_arrow keep money exact; hypothesis round trips."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"


@pytest.fixture(scope="module")
def by_path() -> cape.AssessedReport:
    return cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


def test_dataframe_input_equals_path_input(by_path: cape.AssessedReport, frame: pd.DataFrame) -> None:
    calls: list[tuple[int, int | None]] = []
    r = cape.assess(frame, as_of=AS_OF, assume_last_rate=True, progress=lambda d, t: calls.append((d, t)))
    assert r.to_records() == by_path.to_records()
    assert r.totals == by_path.totals
    assert r.refunds() == by_path.refunds()
    assert calls[-1] == (len(frame), len(frame))


def test_arrow_input_equals_path_input(by_path: cape.AssessedReport, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    r = cape.assess(table, as_of=AS_OF, assume_last_rate=True)
    assert r.to_records() == by_path.to_records()


def test_typed_columns_equal_text(by_path: cape.AssessedReport, frame: pd.DataFrame) -> None:
    def typed_or_text(convert: Callable[[str], object], v: str) -> object:
        try:
            return convert(v)
        except (ValueError, ArithmeticError):
            return v  # a malformed cell of the sample stays text: mixed columns are fine

    def day(v: str) -> datetime.date:
        return datetime.datetime.strptime(v, "%m/%d/%Y").date()

    typed = frame.copy()
    typed["Line Tariff Duty Amount"] = [typed_or_text(Decimal, v) for v in frame["Line Tariff Duty Amount"]]
    typed["Entry Summary Line Number"] = [typed_or_text(int, v) for v in frame["Entry Summary Line Number"]]
    typed["Entry Date"] = [typed_or_text(day, v) for v in frame["Entry Date"]]
    assert any(type(v) is Decimal for v in typed["Line Tariff Duty Amount"])
    assert cape.assess(typed, as_of=AS_OF, assume_last_rate=True).to_records() == by_path.to_records()


def test_float_money_is_refused(frame: pd.DataFrame) -> None:
    floats = frame.head(20).copy()
    floats["Line Tariff Duty Amount"] = [1.5] * len(floats)
    with pytest.raises(TypeError, match="float"):
        cape.assess(floats, as_of=AS_OF)


def test_to_pandas_keeps_decimal(by_path: cape.AssessedReport) -> None:
    df = by_path.to_pandas()
    assert list(df.columns) == list(cape.RECORD_KEYS) and len(df) == len(by_path)
    assert all(type(v) is Decimal for v in df["ieepa_duty"])
    assert sum(df["ieepa_duty"], Decimal(0)) == by_path.totals.ieepa_duty


def test_to_arrow_uses_decimal128(by_path: cape.AssessedReport) -> None:
    t = by_path.to_arrow()
    assert t.schema == cape.arrow_schema()
    assert t.schema.field("ieepa_duty").type == pa.decimal128(18, 2)
    assert t.schema.field("entry_date").type == pa.date32()
    assert sum(t.column("ieepa_duty").to_pylist(), Decimal(0)) == by_path.totals.ieepa_duty
    assert t.column("interest").to_pylist() == [e.interest for e in by_path]


HEADER = ["Entry Summary Number", "Entry Summary Line Number", "Tariff Ordinal Number", "HTS Number - Full",
          "Line Tariff Duty Amount", "Entry Date", "Importer Number"]


@settings(max_examples=60)
@given(
    serial=st.integers(min_value=0, max_value=9_999_999),
    filer=st.sampled_from(["ABC", "B76", "9ZZ", "VSU"]),
    duty=st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2)),
    other=st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2)),
    day=st.dates(min_value=datetime.date(2025, 2, 1), max_value=datetime.date(2026, 2, 23)),
)
def test_round_trip_of_decimal_date_and_entry_number(
    serial: int, filer: str, duty: Decimal, other: Decimal, day: datetime.date
) -> None:
    number = cape.EntryNumber.from_parts(filer, serial)
    rows = [
        [str(number), 1, 1, "9903.01.25", duty, day, "12-345678900"],
        [number.compact, 1, 2, "8471.30.0100", other, day, "12-345678900"],
    ]
    df = pd.DataFrame(rows, columns=HEADER)
    csv = ",".join(HEADER) + "\n" + "".join(
        f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5].isoformat()},{r[6]}\n" for r in rows
    )
    a = cape.assess(df, as_of=AS_OF)
    b = cape.assess(csv.encode(), as_of=AS_OF)
    table = pa.table({
        h: pa.array([r[i] for r in rows], type=t)
        for i, (h, t) in enumerate(zip(HEADER, [pa.string(), pa.int64(), pa.int32(), pa.string(),
                                                 pa.decimal128(18, 2), pa.date32(), pa.string()]))
    })
    c = cape.assess(table, as_of=AS_OF)
    assert a.to_records() == b.to_records() == c.to_records()
    (e,) = list(a)
    assert e.entry_number == number and e.entry_date == day
    assert e.duty_before == duty + other
    assert e.duty_after + e.ieepa_duty == e.duty_before


# --- to_arrow / to_pandas: columns built in Rust, compared cell by cell with the records ---------------------


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> cape.Partial:
    """The sample and a generated report (17,000 entries: the list columns are built on a second thread from
    16,384; malformed rows), merged: every status, findings,
    reasons and nulls."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("frames") / "es003.csv"
    exe = Path(sys.executable).parent / "cape"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cape"]
    done = subprocess.run(
        [*cmd, "sample", "--output", str(path), "--entries", "17000", "--seed", "5", "--malformed", "2"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    # An entry without importer number, entry type or recipient: the nulls the files above never have.
    number = cape.EntryNumber.from_parts("ABC", 1234567)
    bare = ",".join(HEADER) + "\n" + "".join(
        f"{number},1,{o},{hts},{duty},2025-06-02,\n" for o, hts, duty in [(1, "9903.01.25", "100.00"),
                                                                          (2, "8471.30.0100", "5.00")]
    )
    parts = [SAMPLE, path, bare.encode()]
    return cape.merge(cape.assess_partition(p, as_of=AS_OF, assume_last_rate=True) for p in parts)


def _reference_arrow(records: list[dict[str, object]]) -> pa.Table:
    """The record-based conversion (one dict per entry through ``from_pylist``): the reference of the fast path."""
    return pa.Table.from_pylist(records, schema=cape.arrow_schema())


@pytest.mark.parametrize("which", ["sample", "varied"])
def test_to_arrow_equals_the_records_cell_by_cell(
    which: str, by_path: cape.AssessedReport, varied: cape.Partial
) -> None:
    report: cape.AssessedReport | cape.Partial = by_path if which == "sample" else varied
    records = report.to_records()
    t = report.to_arrow()
    t.validate(full=True)
    assert t.schema == cape.arrow_schema() and t.num_rows == len(records)
    rows = t.to_pylist()
    for got, want in zip(rows, records):
        assert got == want
    assert t.equals(_reference_arrow(records))
    if which == "varied":
        # The generated report covers what the columns must carry: each status, nulls and lists.
        statuses = {r["status"] for r in records}
        assert statuses == {"eligible", "eligible_deferred", "ineligible", "needs_review"}, statuses
        assert any(r["findings"] for r in records) and any(r["reasons"] for r in records)
        nullable = ("interest", "interest_days", "days_left", "liquidation_date", "refund_held", "refund_recipient",
                    "interest_note", "deposit_date", "deposit_date_rule", "importer_number", "entry_type",
                    "projected_liquidation_date")
        for key in nullable:
            values = [r[key] for r in records]
            assert None in values and any(v is not None for v in values), key
        assert any(f["line"] is None for r in records for f in r["findings"])  # type: ignore[attr-defined]
        assert any(x["cbp_message"] is not None for r in records for x in r["reasons"])  # type: ignore[attr-defined]


def test_to_arrow_of_partial_and_of_nothing(by_path: cape.AssessedReport) -> None:
    p = cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert p.to_arrow().equals(by_path.to_arrow())
    empty = cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True, keep_entries=False)
    t = empty.to_arrow()
    t.validate(full=True)
    assert t.num_rows == 0 and t.schema == cape.arrow_schema()
    assert len(empty.to_pandas()) == 0


def _cell(v: object) -> object:
    """A pandas cell as the record's value: NA/NaT to None, Timestamps to dates, arrays of dicts to lists."""
    import numpy as np

    if isinstance(v, np.ndarray):
        return [dict(x) for x in v]
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        assert v == v.normalize()
        return v.date()
    if isinstance(v, (np.integer, np.bool_)):
        return v.item()
    return v


@pytest.mark.parametrize("money", ["decimal", "arrow"])
def test_to_pandas_equals_the_records_cell_by_cell(money: str, varied: cape.Partial) -> None:
    records = varied.to_records()
    df = varied.to_pandas(money=money)  # type: ignore[arg-type]
    assert list(df.columns) == list(cape.RECORD_KEYS) and len(df) == len(records)
    for key in ("days_left", "interest_days"):
        assert df[key].dtype == pd.Int64Dtype(), key
    assert df["refund_held"].dtype == pd.BooleanDtype()
    for key in ("findings", "reasons"):
        assert df[key].dtype == pd.ArrowDtype(cape.arrow_schema().field(key).type), key
    assert df["urgent"].dtype == bool and df["principal_is_upper_bound"].dtype == bool
    for key in ("entry_date", "liquidation_date", "deposit_date", "projected_liquidation_date"):
        assert df[key].dtype == "datetime64[ms]", key
    for key in ("duty_before", "duty_after", "ieepa_duty", "interest"):
        if money == "arrow":
            assert df[key].dtype == pd.ArrowDtype(pa.decimal128(18, 2)), key
        else:
            assert df[key].dtype == object and all(type(v) is Decimal for v in df[key].dropna()), key
    columns = {k: df[k].tolist() for k in df.columns}
    for i, want in enumerate(records):
        got = {k: _cell(columns[k][i]) for k in df.columns}
        assert got == want, i


def test_to_pandas_refuses_an_unknown_money_kind(by_path: cape.AssessedReport) -> None:
    with pytest.raises(ValueError, match="money"):
        by_path.to_pandas(money="float")  # type: ignore[arg-type]
