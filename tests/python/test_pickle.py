"""Every result class pickles and unpickles exactly; a corrupted pickle raises cape.FormatError."""

from __future__ import annotations

import datetime
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cape-core" / "data" / "sample_es003.csv"
HOSTILE = REPO / "tests" / "data" / "bad" / "negative_and_nonnumeric_money.csv"
PLAIN = (str, int, bool, Decimal, datetime.date, type(None), cape.EntryNumber)


def state(obj: object, depth: int = 0) -> object:
    """Everything Python can see of a value: its type, repr and every public attribute, recursively."""
    if isinstance(obj, PLAIN):
        return obj
    if isinstance(obj, (tuple, list)):
        return tuple(state(x, depth) for x in obj)
    if isinstance(obj, dict):
        return {k: state(v, depth) for k, v in obj.items()}
    assert type(obj).__module__ == "cape", type(obj)
    fields: dict[str, object] = {"__type__": type(obj).__name__, "__repr__": repr(obj)}
    for name in dir(obj):
        if name.startswith("_"):
            continue
        v = getattr(obj, name)
        if not callable(v):
            fields[name] = state(v, depth + 1) if depth < 4 else repr(v)
    for method in ("to_record", "to_records", "refunds", "refund_totals"):
        if hasattr(obj, method):
            fields[method] = state(getattr(obj, method)(), depth + 1)
    return fields


def round_trip(obj: object) -> object:
    if type(obj) is not cape.EntryNumber:  # which pickles as EntryNumber(text)
        assert obj.__reduce__()[0] is cape._cape._unpickle  # type: ignore[attr-defined]
    data = pickle.dumps(obj)
    back = pickle.loads(data)
    assert type(back) is type(obj)
    assert state(back) == state(obj)
    return back


@pytest.fixture(scope="module")
def report() -> cape.AssessedReport:
    return cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)


@pytest.fixture(scope="module")
def partial() -> cape.Partial:
    return cape.assess_partition(SAMPLE.read_bytes(), as_of=AS_OF, assume_last_rate=True)


def test_partial_round_trips(partial: cape.Partial) -> None:
    back = pickle.loads(pickle.dumps(partial))
    assert back.fingerprint == partial.fingerprint and back.partitions == partial.partitions
    assert back.to_records() == partial.to_records() and len(back) == len(partial) == 2000
    assert back.totals == partial.totals and back.refund_totals() == partial.refund_totals()
    assert back.refunds() == partial.refunds()
    assert state(back.ingest) == state(partial.ingest)
    assert repr(back) == repr(partial) and back.rule_set == partial.rule_set and back.as_of == partial.as_of
    # An unpickled partial merges with the original: same fingerprint, sums add.
    both = back.merge(partial)
    assert both.partitions == 2 and both.totals.entries == 4000


def test_every_value_class_round_trips(report: cape.AssessedReport) -> None:
    round_trip(report)
    # The first entry of each status, and the first 200 (findings, reasons with CBP's messages, interest).
    first = {e.status: e for e in reversed(list(report))}
    assert set(first) == {"eligible", "eligible_deferred", "ineligible", "needs_review"}
    chosen = [*list(report)[:200], *first.values()]
    assert any(e.findings for e in chosen) and any(r.cbp_message for e in chosen for r in e.reasons)
    assert any(e.interest is not None for e in chosen) and any(e.interest is None for e in chosen)
    for e in chosen:
        back = round_trip(e)
        assert back.to_record() == e.to_record()
        for f in e.findings:
            round_trip(f)
        for r in e.reasons:
            round_trip(r)
    removal = round_trip(report[5].removal)
    assert isinstance(removal, cape.Removal)
    assert state(removal.new_version) == state(report[5].removal.new_version)
    round_trip(report.totals)
    round_trip(report.refund_totals())
    for r in report.refunds()[:20]:
        assert round_trip(r) == r
    round_trip(report.ingest)
    interest = cape.interest(Decimal("10000.00"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
    round_trip(interest)
    for p in interest.periods:
        round_trip(p)
    assert round_trip(cape.EntryNumber("ABC-1234567-6")) == cape.EntryNumber("ABC-1234567-6")


def test_ingest_values_round_trip() -> None:
    es = cape.read_es003(HOSTILE)
    assert es.diagnostics
    back = round_trip(es)
    assert [str(d) for d in back.diagnostics] == [str(d) for d in es.diagnostics]
    for d in es.diagnostics:
        round_trip(d)
    round_trip(es.summary)
    for entry in es.entries:
        round_trip(entry)
        for line in entry.lines:
            round_trip(line)
            for t in line.tariffs:
                round_trip(t)
    report = cape.assess(HOSTILE, as_of=AS_OF)
    assert [str(d) for d in round_trip(report).diagnostics] == [str(d) for d in report.diagnostics]


def corrupt(data: bytes, old: bytes, new: bytes) -> bytes:
    assert len(old) == len(new) and old in data
    return data.replace(old, new, 1)


def test_a_corrupted_pickle_raises_format_error(partial: cape.Partial, report: cape.AssessedReport) -> None:
    data = pickle.dumps(partial)
    cases = [
        corrupt(data, b'\x02{"fingerprint"', b'\x07{"fingerprint"'),  # another format version
        corrupt(data, b'"status":"eligible"', b'"status":"elegible"'),  # not a status
        corrupt(data, b'"Entry Summary Number"', b'"Entry Summary Numbr "'),  # not a column cape knows
        corrupt(data, b"\x8c\x07Partial", b"\x8c\x07Parti4l"),  # an unknown class name
    ]
    for bad in cases:
        with pytest.raises(cape.FormatError):
            pickle.loads(bad)
    one = pickle.dumps(report[0])
    with pytest.raises(cape.FormatError, match="EntryAssessment"):
        pickle.loads(corrupt(one, b'"entry_number":"', b'"entry_numbr_":"'))
    # Bytes handed to the unpickler directly: truncated, empty, garbage.
    payload = partial.__reduce__()[1][1]
    for bad_payload in (payload[: len(payload) // 2], b"", b"\x01not json", bytes(range(256))):
        with pytest.raises(cape.FormatError):
            cape._cape._unpickle("Partial", bad_payload)


def test_reduce_names_the_class_and_the_version(partial: cape.Partial) -> None:
    fn, (name, payload) = partial.__reduce__()
    # Format 2 since entries carry their next action (issue 16); a format-1 pickle is refused, saying so.
    assert fn is cape._cape._unpickle and name == "Partial" and payload[:1] == b"\x02"
    with pytest.raises(cape.FormatError, match="version"):
        cape._cape._unpickle("Partial", b"\x01" + payload[1:])


def test_a_declaration_check_round_trips(report: cape.AssessedReport, tmp_path: Path) -> None:
    ineligible = next(e for e in report if e.status == "ineligible")
    listed = [str(report[0].entry_number), str(ineligible.entry_number), "ABC-1234567-6", "ABC-1234567-5"]
    declaration = ("Entry Number\n" + "\n".join(n.replace("-", "") for n in listed) + "\n").encode()
    check = cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)
    assert check.findings and check.entry_verdicts
    back = round_trip(check)
    assert back.to_dict() == check.to_dict() and back.exit_code == check.exit_code


def test_results_round_trip(report: cape.AssessedReport, tmp_path: Path) -> None:
    written = [Path(p) for p in report.write_declarations(tmp_path)]
    declared = [n for p in written if p.name != "manifest.csv" for n in cape.check_declaration(p).entries]
    results_csv = (
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n"
        f"{declared[0].compact},C-1,Entry Summary Updated,\n"
        f"{declared[1].compact},,Failed,Entry summary is not eligible\n"
        "not-an-entry,,Something else,\n"
    ).encode()
    for results in (cape.read_results(results_csv), cape.read_results(results_csv, declared_dir=tmp_path)):
        back = round_trip(results)
        assert back.to_dict() == results.to_dict() and back.accepted == results.accepted == (declared[0],)
        assert list(back.to_dict()) == list(results.to_dict())  # the same keys in the same order
