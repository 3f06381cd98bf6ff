"""Entry numbers: CAPE.md §4 vectors, accepted forms, precise errors, value semantics, round trips."""

from __future__ import annotations

import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cape

# CAPE.md §4: first ten characters -> check digit.
VECTORS = [
    ("ABC1234567", 6),
    ("9999999999", 0),
    ("3160123456", 5),
    ("1234567890", 3),
    ("ZZZ0000000", 3),
    ("B760158522", 0),
]


@pytest.mark.parametrize(("base", "digit"), VECTORS)
def test_check_digit_vectors(base: str, digit: int) -> None:
    assert cape.check_digit(base) == digit
    n = cape.EntryNumber(f"{base}{digit}")
    assert n.compact == f"{base}{digit}"
    assert n.check_digit == digit
    assert str(n) == f"{base[:3]}-{base[3:]}-{digit}"


def test_check_digit_accepts_dashes_and_lower_case() -> None:
    assert cape.check_digit("abc-1234567") == 6
    assert cape.check_digit("B76 0158522") == 0


@pytest.mark.parametrize("text", ["ABC-1234567-6", "ABC12345676", "abc 1234567 6", " abc-1234567-6 ", "AbC\t1234567-6"])
def test_accepted_forms(text: str) -> None:
    n = cape.EntryNumber(text)
    assert str(n) == "ABC-1234567-6"
    assert n.compact == "ABC12345676"
    assert n.filer_code == "ABC"
    assert n.serial == "1234567"
    assert n.check_digit == 6


def test_leading_zeros_are_significant() -> None:
    n = cape.EntryNumber.from_parts("B76", 158522)
    assert str(n) == "B76-0158522-0"
    assert n.serial == "0158522"


def test_bad_check_digit_says_what_was_expected() -> None:
    with pytest.raises(cape.EntryNumberError, match="expected 6") as info:
        cape.EntryNumber("ABC-1234567-5")
    assert "check digit is 5" in str(info.value)
    assert info.value.kind == "invalid_entry_number"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ABC-1234567", "found 10"),
        ("ABC-1234567-66", "found 12"),
        ("AB_-1234567-6", "'_'"),
        ("ABC-12345X7-6", "serial"),
        ("ABC-1234567-X", "check digit (position 11)"),
        ("", "found 0"),
    ],
)
def test_malformed_entry_numbers(text: str, fragment: str) -> None:
    with pytest.raises(cape.EntryNumberError) as info:
        cape.EntryNumber(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize("base", ["ABC123456", "ABC12345X7", "AB#1234567"])
def test_check_digit_rejects_bad_bases(base: str) -> None:
    with pytest.raises(cape.EntryNumberError):
        cape.check_digit(base)


def test_from_parts_rejects_bad_input() -> None:
    with pytest.raises(cape.EntryNumberError):
        cape.EntryNumber.from_parts("ABC", 10_000_000)
    with pytest.raises(cape.EntryNumberError):
        cape.EntryNumber.from_parts("A_C", 1)


def test_wrong_argument_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        cape.EntryNumber(12345676)  # type: ignore[arg-type]


def test_value_semantics() -> None:
    a = cape.EntryNumber("ABC-1234567-6")
    b = cape.EntryNumber("abc12345676")
    c = cape.EntryNumber("B76-0158522-0")
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != "ABC-1234567-6"
    assert len({a, b, c}) == 2
    assert sorted([c, a]) == [a, c]  # ordered like the compact text
    assert a < c and not c < a
    assert repr(a) == "EntryNumber('ABC-1234567-6')"
    assert pickle.loads(pickle.dumps(a)) == a


def test_entry_number_is_frozen() -> None:
    n = cape.EntryNumber("ABC-1234567-6")
    with pytest.raises(AttributeError):
        n.serial = "0000000"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        n.extra = 1  # type: ignore[attr-defined]


FILER = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=3, max_size=3)
SERIAL = st.integers(min_value=0, max_value=9_999_999)


@given(filer=FILER, serial=SERIAL)
def test_round_trip(filer: str, serial: int) -> None:
    base = f"{filer}{serial:07d}"
    digit = cape.check_digit(base)
    assert 0 <= digit <= 9
    n = cape.EntryNumber(f"{base}{digit}")
    assert str(n) == f"{filer}-{serial:07d}-{digit}"
    assert cape.EntryNumber(str(n)) == n
    assert cape.EntryNumber(n.compact.lower()) == n
    assert cape.EntryNumber.from_parts(filer, serial) == n
    assert (n.filer_code, n.serial, n.check_digit) == (filer, f"{serial:07d}", digit)


@given(filer=FILER, serial=SERIAL, delta=st.integers(min_value=1, max_value=9))
def test_every_other_check_digit_is_rejected(filer: str, serial: int, delta: int) -> None:
    base = f"{filer}{serial:07d}"
    wrong = (cape.check_digit(base) + delta) % 10
    with pytest.raises(cape.EntryNumberError, match=f"check digit is {wrong}, expected"):
        cape.EntryNumber(f"{base}{wrong}")
