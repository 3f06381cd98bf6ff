"""Results as collections a Python user expects: slices, lookup by entry number, value equality and hashing.

Every frozen value object compares by value (equal when cape-core's values are equal, whatever object holds
them) and hashes consistently with that; reports and partials are sequences of entries that can also be looked up
by entry number.
"""

from __future__ import annotations

import datetime
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, List

import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"
FIRST = "VSU-0828889-3"  # the first entry of the sample


@pytest.fixture(scope="module")
def report() -> cape.AssessedReport:
    return cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)


def test_slice_gives_a_tuple_of_entries(report: cape.AssessedReport) -> None:
    two = report[0:2]
    assert isinstance(two, tuple)
    assert [str(e.entry_number) for e in two] == [str(report[0].entry_number), str(report[1].entry_number)]
    assert str(two[0].entry_number) == FIRST
    assert len(report[::2]) == (len(report) + 1) // 2
    assert [e.entry_number for e in report[-3:]] == [e.entry_number for e in list(report)[-3:]]
    assert report[5:5] == ()
    assert [e.entry_number for e in report[3:0:-1]] == [report[i].entry_number for i in (3, 2, 1)]


def test_lookup_by_entry_number_in_every_form(report: cape.AssessedReport) -> None:
    e = report[FIRST]
    assert str(e.entry_number) == FIRST
    assert e == report[0]
    assert report["VSU08288893"] == e  # compact form
    assert report["vsu 0828889 3"] == e  # as EntryNumber() reads it
    assert report[cape.EntryNumber(FIRST)] == e
    last = report[-1]
    assert report[str(last.entry_number)] == last


def test_missing_and_malformed_keys(report: cape.AssessedReport) -> None:
    absent = str(cape.EntryNumber.from_parts("ZZZ", 1))
    with pytest.raises(KeyError):
        report[absent]
    with pytest.raises(cape.EntryNumberError):
        report["VSU-0828889-4"]  # wrong check digit
    with pytest.raises(IndexError):
        report[len(report)]
    with pytest.raises(TypeError):
        report[1.5]  # type: ignore[call-overload]
    assert report.get(absent) is None
    assert report.get("not an entry number") is None
    sentinel = report[1]
    assert report.get(absent, sentinel) is sentinel
    assert report.get(FIRST) == report[0]


def test_in(report: cape.AssessedReport) -> None:
    assert FIRST in report
    assert "VSU08288893" in report
    assert cape.EntryNumber(FIRST) in report
    assert report[3] in report
    assert str(cape.EntryNumber.from_parts("ZZZ", 1)) not in report
    assert "garbage" not in report
    assert 42 not in report


def test_len_and_iteration_unchanged(report: cape.AssessedReport) -> None:
    assert len(report) == report.totals.entries == len(list(report))
    assert [e.entry_number for e in report][:2] == [e.entry_number for e in report[0:2]]


def test_partial_has_the_same_lookups() -> None:
    p = cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert p[FIRST] == p[0]
    assert len(p[0:3]) == 3
    assert FIRST in p
    assert p.get("VSU08288893") == p[0]


def test_entry_assessment_equality_and_hash(report: cape.AssessedReport) -> None:
    a, b = report[0], report[0]
    assert a is not b
    assert a == b and not (a != b)
    assert hash(a) == hash(b)
    assert report[0] != report[1]
    assert a != "VSU-0828889-3"
    assert len({e for e in report}) == len(report)
    # an equal value from another run and from a pickle is equal
    again = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert again[0] == a and hash(again[0]) == hash(a)
    assert pickle.loads(pickle.dumps(a)) == a
    # another assessment date gives another value
    later = cape.assess(SAMPLE, as_of=AS_OF + datetime.timedelta(days=30), assume_last_rate=True)
    assert later[0] != a


def _value_objects(report: cape.AssessedReport) -> List[Callable[[cape.AssessedReport], Any]]:
    return [
        lambda r: r.totals,
        lambda r: r.ingest,
        lambda r: r.refund_totals(),
        lambda r: r.refunds()[0],
        lambda r: r[0],
        lambda r: r[0].removal,
        lambda r: next(x for x in r if x.findings).findings[0],
        lambda r: next(x for x in r if x.reasons).reasons[0],
        lambda r: r.diagnostics[0],
        lambda r: r.plan().groups[0],
        lambda r: r.plan().groups[0].items[0],
    ]


def test_every_value_object_compares_and_hashes_by_value() -> None:
    # an override of an importer the sample does not have gives a diagnostic to compare
    unknown = {"12-999999900": "noncorporate"}
    report = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True, class_overrides=unknown)
    again = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True, class_overrides=unknown)
    assert [d.code for d in report.diagnostics] == ["ES003_UNKNOWN_OVERRIDE_IMPORTER"]
    for get in _value_objects(report):
        x, y = get(report), get(again)
        assert x is not y
        assert x == y, type(x).__name__
        assert hash(x) == hash(y), type(x).__name__
        assert {x, y} == {x}


def test_es003_values_compare_by_value() -> None:
    data = SAMPLE.read_bytes() + b"not,a,row\n"  # a ragged row: one diagnostic
    a, b = cape.read_es003(data, source_name="es003.csv"), cape.read_es003(bytearray(data), source_name="es003.csv")
    assert a.entries[0] == b.entries[0] and hash(a.entries[0]) == hash(b.entries[0])
    assert a.entries[0] != a.entries[1]
    assert a.entries[0].lines[0] == b.entries[0].lines[0]
    assert a.entries[0].lines[0] != a.entries[0].lines[1]
    t, u = a.entries[0].lines[0].tariffs[0], b.entries[0].lines[0].tariffs[0]
    assert t == u and hash(t) == hash(u)
    assert a.diagnostics[0] == b.diagnostics[0] and hash(a.diagnostics[0]) == hash(b.diagnostics[0])
    assert a.summary == b.summary and hash(a.summary) == hash(b.summary)
    # the same report under another name is another summary
    assert a.summary != cape.read_es003(data, source_name="other.csv").summary
    # a line equal in values but of another entry is another line
    r = a.entries[0].remove_ieepa()
    assert r == a.entries[0].remove_ieepa() and hash(r) == hash(a.entries[0].remove_ieepa())
    assert r.new_version != a.entries[0]


def test_interest_values() -> None:
    i = cape.interest(Decimal("10000.00"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
    j = cape.interest(10000, datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
    assert i == j and hash(i) == hash(j)
    assert i.periods[0] == j.periods[0] and hash(i.periods[0]) == hash(j.periods[0])
    assert i != cape.interest(Decimal("10000.01"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
    assert {i: 1}[j] == 1
