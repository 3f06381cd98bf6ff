"""Return values against the stubs' annotations, at run time.

stubtest compares signatures, not what a call returns: a stub could say ``List[str]`` where the module returns
``pathlib.Path`` objects, and code that type-checks would fail at run time. These tests call every public
function, method and property of the stub on real objects (the embedded sample, assessed) and check each value
against its annotation with a small recursive checker. The members are enumerated from the stub, so a new
member without a way to call it here fails ``test_every_member_is_called``.
"""

from __future__ import annotations

import ast
import collections.abc
import datetime
import decimal
import inspect
import pathlib
import types
import typing
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import cape
from cape import _cape

PACKAGE = pathlib.Path(cape.__file__).parent
STUB_SOURCE = (PACKAGE / "_cape.pyi").read_text(encoding="utf-8")
STUB = ast.parse(STUB_SOURCE)
REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cape-core" / "data" / "sample_es003.csv"
AS_OF = datetime.date(2026, 11, 26)
STUB_MODULE = "cape_stub_annotations"

# The stub as Python objects, its annotations resolved lazily (they name classes defined further down).
NS: Dict[str, Any] = {"__name__": STUB_MODULE}
exec(compile("from __future__ import annotations\n" + STUB_SOURCE, "_cape.pyi", "exec"), NS)

# Dunder methods whose results are checked too (the others are comparisons and hashing: plain bools/ints).
DUNDERS = {"__len__", "__getitem__", "__iter__", "__next__", "__reduce__"}

# What cannot be called cheaply here, and why. Keep it short: every entry is a member whose return value is
# not checked anywhere.
SKIP = {
    "_panic_for_tests": "private: panics on purpose",
    "_unpickle": "private: checked by test_pickle.py through pickle.loads",
}


# --- the checker -------------------------------------------------------------------------------------------


def runtime_class(tp: type) -> type:
    """The native class a stub class stands for."""
    if tp.__module__ == STUB_MODULE:
        return getattr(_cape, tp.__name__)  # type: ignore[no-any-return]
    return tp


def mismatch(value: object, tp: Any, where: str = "") -> str:
    """Why ``value`` does not have type ``tp`` (``""`` when it does). Strict where Python's subclassing would
    hide a bug: a ``bool`` is not an ``int`` here, a ``datetime`` not a ``date``."""
    if tp is Any or tp is object:
        return ""
    if tp is None or tp is type(None):
        return "" if value is None else f"{where}: expected None, got {type(value).__name__}"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if any(not mismatch(value, a) for a in args):
            return ""
        return f"{where}: {type(value).__name__} {value!r:.60} is none of {args}"
    if origin is typing.Literal:
        return "" if value in args else f"{where}: {value!r} not in {args}"
    if origin is tuple:
        if not isinstance(value, tuple):
            return f"{where}: expected tuple, got {type(value).__name__}"
        if len(args) == 2 and args[1] is Ellipsis:
            return next((m for i, v in enumerate(value) if (m := mismatch(v, args[0], f"{where}[{i}]"))), "")
        if len(value) != len(args):
            return f"{where}: expected {len(args)} items, got {len(value)}"
        return next((m for i, (v, a) in enumerate(zip(value, args)) if (m := mismatch(v, a, f"{where}[{i}]"))), "")
    if origin in (list, collections.abc.Sequence):
        seq: type = list if origin is list else collections.abc.Sequence
        if not isinstance(value, seq) or isinstance(value, str):
            return f"{where}: expected {seq.__name__}, got {type(value).__name__}"
        return next((m for i, v in enumerate(value) if (m := mismatch(v, args[0], f"{where}[{i}]"))), "")
    if origin in (dict, collections.abc.Mapping):
        mapping: type = dict if origin is dict else collections.abc.Mapping
        if not isinstance(value, mapping):
            return f"{where}: expected {mapping.__name__}, got {type(value).__name__}"
        for k, v in value.items():
            m = mismatch(k, args[0], f"{where} key {k!r}") or mismatch(v, args[1], f"{where}[{k!r}]")
            if m:
                return m
        return ""
    if origin is collections.abc.Iterator:
        return "" if isinstance(value, collections.abc.Iterator) else f"{where}: not an iterator"
    if origin is collections.abc.Callable:
        return "" if callable(value) else f"{where}: not callable"
    if origin is not None:
        return "" if isinstance(value, origin) else f"{where}: expected {origin}, got {type(value).__name__}"
    if tp is int and isinstance(value, bool):
        return f"{where}: expected int, got bool"
    if tp is datetime.date and isinstance(value, datetime.datetime):
        return f"{where}: expected date, got datetime"
    if tp is float:
        return f"{where}: a float in cape's API"
    cls = runtime_class(tp)
    return "" if isinstance(value, cls) else f"{where}: expected {cls.__name__}, got {type(value).__name__} {value!r:.80}"


def test_the_checker() -> None:
    # The checker itself: it must catch what it is here to catch.
    assert mismatch([pathlib.Path("a")], List[str])
    assert not mismatch([pathlib.Path("a")], List[pathlib.Path])
    assert mismatch(True, int) and not mismatch(1, int)
    assert mismatch(datetime.datetime(2026, 1, 1), datetime.date)
    assert mismatch((1, "a"), Tuple[int, ...]) and not mismatch((1, 2), Tuple[int, ...])
    assert mismatch({"a": 1}, Dict[str, str]) and not mismatch({"a": None}, Dict[str, typing.Optional[int]])
    assert mismatch("x", typing.Literal["a", "b"])
    assert mismatch(decimal.Decimal(1), typing.Optional[int])
    assert not mismatch(cape.EntryNumber("ABC-1234567-6"), NS["EntryNumber"])
    assert mismatch("ABC-1234567-6", NS["EntryNumber"])


# --- the members of the stub -------------------------------------------------------------------------------


def stub_members() -> Iterator[Tuple[str, Callable[..., Any]]]:
    """``(qualified name, stub function)`` of every function, method and property whose result is checked."""
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            yield node.name, NS[node.name]
        elif isinstance(node, ast.ClassDef) and not node.name.endswith("Error"):
            cls = NS[node.name]
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and (not item.name.startswith("_") or item.name in DUNDERS):
                    attr = cls.__dict__[item.name]
                    fn: Callable[..., Any] = attr.fget if isinstance(attr, property) else getattr(attr, "__func__", attr)
                    yield f"{node.name}.{item.name}", fn


MEMBERS = dict(stub_members())
PROPERTIES = {
    f"{node.name}.{item.name}"
    for node in STUB.body
    if isinstance(node, ast.ClassDef)
    for item in node.body
    if isinstance(item, ast.FunctionDef) and isinstance(NS[node.name].__dict__.get(item.name), property)
}


def return_type(name: str) -> Any:
    """The stub's return annotation; for an ``@overload``ed member, the union of its overloads' returns."""
    fn = MEMBERS[name]
    overloads = typing.get_overloads(types.SimpleNamespace(__module__=STUB_MODULE, __qualname__=name))
    if overloads:
        returns = tuple(typing.get_type_hints(o, globalns=NS)["return"] for o in overloads)
        return typing.Union[returns]
    return typing.get_type_hints(fn, globalns=NS)["return"]


# --- real objects ------------------------------------------------------------------------------------------

RESULTS_CSV = b"ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n{ok},C-1,Entry Summary Updated,\n{bad},,Failed,x\n"


class World:
    """Instances of every class of the stub, made from the embedded sample (several of each where a value may
    or may not be there: entries with and without interest, a partial with and without entries...)."""

    def __init__(self, tmp: pathlib.Path) -> None:
        self.tmp = tmp
        es = _cape.read_es003(SAMPLE)
        bad = _cape.read_es003(REPO / "tests" / "data" / "bad" / "mixed_date_formats.csv")
        report = _cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
        no_rate = _cape.assess(SAMPLE, as_of=AS_OF)
        partial = _cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True, min_refund=20)
        summary_only = _cape.assess_partition(SAMPLE, as_of=AS_OF, keep_entries=False)
        written = report.write_declarations(tmp / "declared")
        declaration = next(pathlib.Path(p) for p in written if not str(p).endswith("manifest.csv"))
        self.declared_dir = tmp / "declared"
        self.declaration = declaration
        check = _cape.check_declaration(declaration)
        entries = list(report)
        numbers = [a.entry_number for a in entries]
        results_csv = RESULTS_CSV.replace(b"{ok}", numbers[0].compact.encode()).replace(
            b"{bad}", numbers[1].compact.encode()
        )
        self.results_csv = results_csv
        plans = [report.plan(), report.plan(by="week"), partial.plan(within=30)]
        interest = _cape.interest(decimal.Decimal("10000.00"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16))
        entries_read = list(es.entries) + list(bad.entries)
        lines = [line for e in entries_read for line in e.lines]
        self.objects: Dict[str, List[Any]] = {
            "EntryNumber": numbers[:50],
            "Es003": [es, bad],
            "IngestSummary": [es.summary, bad.summary, report.ingest, partial.ingest],
            "Diagnostic": list(es.diagnostics) + list(bad.diagnostics),
            "Entry": entries_read + [a.removal.new_version for a in entries[:50]],
            "Line": lines,
            "Tariff": [t for line in lines for t in line.tariffs],
            "Tables": [_cape.Tables(), _cape.Tables.embedded()],
            "RecordSpool": [_cape.RecordSpool(["Entry Summary Number"])],
            "AssessmentIterator": [_cape.iter_assess(SAMPLE, as_of=AS_OF)],
            "AssessedReport": [report, no_rate],
            "Partial": [partial, summary_only],
            "EntryIter": [iter(report)],
            "EntryAssessment": entries + list(no_rate),
            "Finding": [f for a in entries for f in a.findings],
            "Reason": [r for a in entries for r in a.reasons],
            "Removal": [a.removal for a in entries[:200]],
            "Totals": [report.totals, no_rate.totals, partial.totals],
            "RefundTotals": [report.refund_totals(), partial.refund_totals()],
            "Refund": list(report.refunds()) + list(partial.refunds()),
            "Plan": plans,
            "PlanGroup": [g for p in plans for g in p.groups],
            "PlanItem": [i for p in plans for g in p.groups for i in g.items],
            "Interest": [interest],
            "InterestPeriod": list(interest.periods),
            "DeclarationCheck": [check, _cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)],
            "Results": [_cape.read_results(results_csv), _cape.read_results(results_csv, declared_dir=self.declared_dir)],
        }
        checks = self.objects["DeclarationCheck"]
        self.objects["CheckFinding"] = [f for c in checks for f in c.findings] + list(
            _cape.check_declaration(b"Entry Number\nnot-an-entry\n").findings
        )
        self.objects["EntryVerdict"] = [v for c in checks for v in c.entry_verdicts]
        self.objects["ResultRow"] = [r for res in self.objects["Results"] for r in res.rows]
        self.objects["ResultProblem"] = list(_cape.read_results(RESULTS_CSV.replace(b"{ok}", b"??").replace(b"{bad}", b"x")).problems)
        self.results_path = tmp / "results.csv"
        self.results_path.write_bytes(results_csv)
        self.refunds_path = tmp / "rev615.csv"
        self.refunds_path.write_text(
            "Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Refund Secondary Status\n"
            f"{numbers[0]},R1,{entries[0].ieepa_duty},0.00,2027-03-15,Treasury Issued\n"
            f"{_cape.EntryNumber.from_parts('ZZZ', 42)},R2,7.77,0.00,2027-03-15,Treasury Issued\n"
        )
        self.ledger = _cape.Ledger(tmp / "cape.db")
        outcomes = [
            self.ledger.record_es003(SAMPLE, as_of=AS_OF, assume_last_rate=True),
            self.ledger.record_declarations(self.declared_dir),
            self.ledger.record_results(self.results_path),
            self.ledger.record_refund_report(self.refunds_path),
            self.ledger.record_results(self.results_path),
        ]
        status = self.ledger.status()
        self.objects["Ledger"] = [self.ledger]
        self.objects["ImportOutcome"] = outcomes
        self.objects["LedgerStatus"] = [status, self.ledger.status(state="paid_over")]
        self.objects["LedgerEntry"] = list(status.entries)
        self.objects["LedgerTotal"] = list(status.totals)
        self.objects["UnmatchedPayment"] = list(status.unmatched)
        self.objects["LedgerFact"] = list(self.ledger.history(numbers[0])) + list(self.ledger.history(numbers[1]))
        for name, objs in self.objects.items():
            assert objs, f"no {name} to call"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("annotations"))


# Calls of the members that take arguments or consume their object: `(world, object) -> value`, or for
# module-level functions `(world) -> value`. Every other member is a property or a method called without
# arguments on every object of its class.
CALLS: Dict[str, Callable[..., Any]] = {
    "check_digit": lambda w: _cape.check_digit("ABC1234567"),
    "read_es003": lambda w: _cape.read_es003(SAMPLE.read_bytes(), source_name="sample"),
    "assess": lambda w: _cape.assess(SAMPLE, as_of=AS_OF),
    "assess_partition": lambda w: _cape.assess_partition(SAMPLE, as_of=AS_OF),
    "iter_assess": lambda w: _cape.iter_assess(SAMPLE, as_of=AS_OF),
    "interest": lambda w: _cape.interest(10000, datetime.date(2025, 6, 2), datetime.date(2026, 3, 16)),
    "check_declaration": lambda w: _cape.check_declaration(w.declaration),
    "read_results": lambda w: _cape.read_results(w.results_csv, declared_dir=w.declared_dir),
    "read_closures": lambda w: _cape.read_closures(b"# closures\n2026-01-02\n\n2026-12-24\n"),
    "run_cli": lambda w: _cape.run_cli(["--version"]),
    "EntryNumber.from_parts": lambda w, n: type(n).from_parts(n.filer_code, int(n.serial)),
    "RecordSpool.push_columns": lambda w, s: s.push_columns([["ABC-1234567-6"]]),
    "Plan.add": lambda w, p: _cape.Plan(as_of=AS_OF).add(w.objects["EntryAssessment"][0]),
    "Partial.merge": lambda w, p: p.merge(p),
    "AssessedReport.write_declarations": lambda w, r: r.write_declarations(w.tmp / f"out{id(r)}", replace=True),
    "AssessedReport.__getitem__": lambda w, r: r[-1],
    "Partial.__getitem__": lambda w, p: p[0] if len(p) else w.objects["Partial"][0][-1],
    "AssessmentIterator.finish": lambda w, i: _cape.iter_assess(SAMPLE, as_of=AS_OF).finish(),
    "AssessmentIterator.__next__": lambda w, i: next(_cape.iter_assess(SAMPLE, as_of=AS_OF)),
    "EntryIter.__next__": lambda w, i: next(iter(w.objects["AssessedReport"][0])),
    "_cli_options": lambda w: _cape._cli_options("assess"),
    "_write_csv": lambda w: _cape._write_csv("refunds", w.objects["Refund"], w.tmp / "refunds.csv"),
    "AssessedReport.get": lambda w, r: r.get(r[0].entry_number),
    "Partial.get": lambda w, p: p.get("ABC-1234567-6"),
    "AssessedReport.to_csv": lambda w, r: r.to_csv(w.tmp / f"report{id(r)}.csv"),
    "Partial.to_csv": lambda w, p: p.to_csv(w.tmp / f"partial{id(p)}.csv"),
    "DeclarationCheck.to_csv": lambda w, c: c.to_csv(w.tmp / f"check{id(c)}.csv"),
    "Results.to_csv": lambda w, r: r.to_csv(w.tmp / f"results{id(r)}.csv"),
    "Ledger.close": lambda w, l: _cape.Ledger(w.tmp / "closed.db").close(),
    "Ledger.record": lambda w, l: l.record(w.declared_dir),
    "Ledger.record_es003": lambda w, l: l.record_es003(SAMPLE, as_of=AS_OF, assume_last_rate=True),
    "Ledger.record_declarations": lambda w, l: l.record_declarations(w.declared_dir / "manifest.csv"),
    "Ledger.record_results": lambda w, l: l.record_results(w.results_path),
    "Ledger.record_refund_report": lambda w, l: l.record_refund_report(w.refunds_path, kind="rev615"),
    "Ledger.history": lambda w, l: l.history(w.objects["EntryNumber"][0]),
    "Ledger.changes_since": lambda w, l: l.changes_since(1),
    "Ledger.statement": lambda w, l: l.statement(w.objects["LedgerEntry"][0].importer, w.tmp / "statement.html"),
}


def test_every_member_is_called() -> None:
    # A member that takes arguments needs a call in CALLS (or a reason in SKIP); a new one fails here.
    missing = []
    for name, fn in MEMBERS.items():
        required = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.name not in ("self", "cls") and p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if (required or "." not in name) and name not in CALLS and name not in SKIP:
            missing.append(name)
    assert not missing, f"no call for {missing}: add one to CALLS"


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_return_value_matches_the_stub(name: str, world: World) -> None:
    if name in SKIP:
        pytest.skip(SKIP[name])
    expected = return_type(name)
    if "." not in name:
        values = [CALLS[name](world)]
    else:
        cls, member = name.split(".")
        values = []
        for obj in world.objects[cls]:
            if name in CALLS:
                values.append(CALLS[name](world, obj))
            else:
                attr = getattr(obj, member)
                values.append(attr if name in PROPERTIES else attr())
    problems = [m for i, v in enumerate(values) if (m := mismatch(v, expected, f"{name}() #{i}"))]
    assert not problems, problems[:3]
