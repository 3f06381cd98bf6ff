"""cape.interest: the reference's worked examples, Decimal in and out, argument checking."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cape

D = datetime.date


def test_worked_example_of_the_reference() -> None:
    r = cape.interest(Decimal("10000.00"), D(2025, 6, 2), D(2026, 3, 16))
    assert r.amount == Decimal("483.05") and str(r.amount) == "483.05"
    assert r.days == (D(2026, 3, 16) - D(2025, 6, 2)).days
    assert sum((p.interest for p in r.periods), Decimal(0)) == r.amount
    assert sum(p.days for p in r.periods) == r.days
    assert r.importer_class == "corporate" and not r.used_assumed_rate


def test_across_the_april_2026_rate_change() -> None:
    r = cape.interest(Decimal("8838.00"), D(2026, 2, 18), D(2026, 5, 15))
    assert r.amount == Decimal("114.78")
    assert len(r.periods) >= 2


def test_int_principal_and_noncorporate() -> None:
    a = cape.interest(10000, D(2025, 6, 2), D(2026, 3, 16), "noncorporate")
    assert a.amount > Decimal("483.05") and a.principal == Decimal("10000.00")


def test_days_past_the_table_need_an_assumption() -> None:
    end = cape.Tables.embedded().rates_last_day + datetime.timedelta(days=30)
    with pytest.raises(cape.CapeError):
        cape.interest(Decimal("100.00"), D(2026, 1, 1), end)
    r = cape.interest(Decimal("100.00"), D(2026, 1, 1), end, assume_last_rate=True)
    assert r.used_assumed_rate and any(p.assumed for p in r.periods)


@pytest.mark.parametrize("bad", [1.5, True, "10.00", None])
def test_money_must_be_decimal_or_int(bad: object) -> None:
    with pytest.raises(TypeError):
        cape.interest(bad, D(2025, 1, 1), D(2025, 2, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "sNaN", "1" * 40])
def test_money_must_be_finite_and_exact(bad: str) -> None:
    with pytest.raises(cape.MoneyError) as info:
        cape.interest(Decimal(bad), D(2025, 1, 1), D(2025, 2, 1))
    assert isinstance(info.value, ValueError)


def test_sub_cent_principal_is_refused_not_rounded() -> None:
    with pytest.raises(cape.MoneyError) as info:
        cape.interest(Decimal("100.005"), D(2025, 6, 2), D(2026, 3, 16))
    assert "principal" in str(info.value) and "100.005" in str(info.value)
    # Trailing zeros are whole cents.
    assert cape.interest(Decimal("100.000"), D(2025, 6, 2), D(2026, 3, 16)).principal == Decimal("100.00")


def test_an_end_before_the_start_is_an_input_error() -> None:
    with pytest.raises(ValueError) as info:
        cape.interest(Decimal("100.00"), D(2026, 3, 16), D(2025, 6, 2))
    assert "2025-06-02" in str(info.value) and "2026-03-16" in str(info.value)
    assert cape.interest(Decimal("100.00"), D(2026, 3, 16), D(2026, 3, 16)).amount == Decimal("0.00")


def test_negative_principal_is_an_input_error() -> None:
    with pytest.raises(ValueError):
        cape.interest(Decimal("-1.00"), D(2025, 1, 1), D(2025, 2, 1))


cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))
days = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 3, 31))


@given(principal=cents, start=days, length=st.integers(min_value=0, max_value=400))
def test_decimal_and_dates_round_trip(principal: Decimal, start: datetime.date, length: int) -> None:
    end = start + datetime.timedelta(days=length)
    r = cape.interest(principal, start, end, assume_last_rate=True)
    assert r.principal == principal and type(r.principal) is Decimal
    assert (r.start, r.end) == (start, end)
    assert type(r.amount) is Decimal and r.amount >= 0 and r.amount.as_tuple().exponent == -2
    assert sum((p.interest for p in r.periods), Decimal(0)) == r.amount


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**9, places=2))
def test_exponent_forms_parse_exactly(d: Decimal) -> None:
    scientific = Decimal(f"{d:e}") if d else d
    a = cape.interest(d, D(2025, 6, 2), D(2025, 7, 2))
    b = cape.interest(scientific, D(2025, 6, 2), D(2025, 7, 2))
    assert a.amount == b.amount and a.principal == d
