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
