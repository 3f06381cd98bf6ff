"""Parity with the command line: every option of `cape assess`, `refunds`, `declare`, `plan` and `interest` has a
Python keyword of the same name (dashes as underscores) whose default is the command line's, and the same
options give the same results.

The option lists come from the command line's own parser (cape-core's `cli::command_options`, exposed as
`cape._cape._cli_options`), so a new option without its keyword fails here. Defaults are defined once, in
cape-core: a Python keyword left out (`None`, or `False` for a flag) means the core's default, never a default
of its own.
"""

from __future__ import annotations

import datetime
import inspect
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

import pytest

import cape
from cape import _cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"

#: Options with no keyword, and why: each is about the command line's output or exit status.
CLI_ONLY: Dict[str, str] = {
    "format": "the printed format; Python returns objects (to_json(), to_records(), to_pandas())",
    "strict": "exit status 3 when rows were rejected; Python code reads report.ingest.rows_rejected",
    "explain": "prints the rate periods; Python has them as Interest.periods",
}

#: Options whose keyword has another name, and why: the option's name is a Python keyword, or the value is the
#: function's one required argument.
RENAMED: Dict[str, str] = {
    "class": "importer_class",  # `class` is a Python keyword
    "from": "start",  # `from` is a Python keyword
    "to": "end",  # ... and `to` is its pair
    "out-dir": "dir",  # write_declarations(dir): the folder is the method's required argument
    "class-override": "class_overrides",  # the repeated IMPORTER=CLASS option is one mapping {IMPORTER: CLASS}
}

#: Keywords required in Python where the command line has a default, and why.
REQUIRED: Dict[str, str] = {
    "as-of": "the command line's default is today; a library call must not change with the day it runs",
}

#: The Python functions that together take a command's options (assessing, then the command's own step).
COMMANDS: Dict[str, List[Callable[..., Any]]] = {
    "assess": [cape.assess],
    "refunds": [cape.assess, cape.AssessedReport.refunds],
    "declare": [cape.assess, cape.AssessedReport.write_declarations],
    "plan": [cape.assess, cape.AssessedReport.plan],
    "interest": [cape.interest],
}


def keyword(option: str) -> str:
    return RENAMED.get(option, option.replace("-", "_"))


def parameters(functions: Sequence[Callable[..., Any]]) -> Dict[str, inspect.Parameter]:
    out: Dict[str, inspect.Parameter] = {}
    for f in functions:
        out.update(inspect.signature(f).parameters)
    return out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_has_a_keyword_with_the_core_default(command: str) -> None:
    options = _cape._cli_options(command)
    assert options, command
    params = parameters(COMMANDS[command])
    missing = [o for o in options if o not in CLI_ONLY and keyword(o) not in params]
    assert missing == [], f"cape {command}: options without a Python keyword: {missing}"
    for o in options:
        if o in CLI_ONLY:
            continue
        p = params[keyword(o)]
        if o in REQUIRED or o in RENAMED and p.default is inspect.Parameter.empty:
            continue
        if p.default is inspect.Parameter.empty:
            assert o in ("principal",), f"{o} is required in Python but not on the command line"
            continue
        # None / False: the core's default. A literal here would be a second definition of it.
        assert p.default is None or p.default is False, f"cape {command} --{o}: Python default {p.default!r}"


@pytest.mark.parametrize("function", [cape.iter_assess, cape.assess_partition])
def test_the_other_assessing_functions_take_the_same_keywords(function: Callable[..., Any]) -> None:
    options = _cape._cli_options("assess")
    assert options
    params = inspect.signature(function).parameters
    assert [o for o in options if o not in CLI_ONLY and keyword(o) not in params] == []


def test_the_lists_are_the_parsers() -> None:
    assert _cape._cli_options("ingest") is None
    assess = _cape._cli_options("assess")
    assert assess is not None and "assume-rate" in assess and "urgent-days" in assess
    plan = _cape._cli_options("plan")
    assert plan is not None and set(assess) < set(plan) and {"within", "by"} <= set(plan)
    # an option the parser does not list is refused by the command line
    code = subprocess.run(
        [sys.executable, "-m", "cape", "assess", str(SAMPLE), "--no-such-option", "1"], capture_output=True
    ).returncode
    assert code == 64


def cli(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "cape", *args], check=True, capture_output=True, text=True, timeout=300
    ).stdout


def jsonl(report: cape.AssessedReport) -> List[str]:
    return [e.to_json() for e in report]


def test_defaults_give_the_command_lines_result() -> None:
    out = cli("assess", str(SAMPLE), "--as-of", AS_OF.isoformat(), "--format", "jsonl").splitlines()
    assert out == jsonl(cape.assess(SAMPLE, as_of=AS_OF))


def test_the_same_options_give_the_same_result() -> None:
    args = ["--urgent-days", "200", "--assume-rate", "7", "--class", "noncorporate", "--last-day-offset", "3",
            "--acceptance-lag", "5", "--rules", "phase2", "--threads", "1"]
    out = cli("assess", str(SAMPLE), "--as-of", AS_OF.isoformat(), "--format", "jsonl", *args).splitlines()
    report = cape.assess(
        SAMPLE, as_of=AS_OF, urgent_days=200, assume_rate=7, importer_class="noncorporate", last_day_offset=3,
        acceptance_lag=5, rules="phase2", threads=1,
    )
    assert out == jsonl(report)
    # urgent_days is --urgent-days: more days, more urgent entries (20 by the default 14 days, 156 by 200)
    assert cape.assess(SAMPLE, as_of=AS_OF).totals.urgent == 20
    assert cape.assess(SAMPLE, as_of=AS_OF, urgent_days=200).totals.urgent == 156
    # the older name still works and means the same
    assert jsonl(cape.assess(SAMPLE, as_of=AS_OF, urgent_within_days=200, assume_rate=Decimal("7"),
                             importer_class="noncorporate", last_day_offset=3, acceptance_lag=5,
                             rules="phase2")) == out


def test_assume_rate_and_assume_last_rate_are_one_choice() -> None:
    with pytest.raises(cape.InvalidValueError, match="assume_rate"):
        cape.assess(SAMPLE, as_of=AS_OF, assume_rate=7, assume_last_rate=True)
    proc = subprocess.run(
        [sys.executable, "-m", "cape", "assess", str(SAMPLE), "--assume-rate", "7", "--assume-last-rate"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 64 and "not both" in proc.stderr
    with pytest.raises(TypeError):
        cape.assess(SAMPLE, as_of=AS_OF, assume_rate=7.0)  # type: ignore[arg-type]
    with pytest.raises(cape.InvalidValueError):
        cape.assess(SAMPLE, as_of=AS_OF, urgent_days=10, urgent_within_days=20)


def test_plan_and_refunds_match() -> None:
    report = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    base = ["--as-of", AS_OF.isoformat(), "--assume-last-rate", "--format", "json"]
    assert cli("plan", str(SAMPLE), *base).rstrip("\n") == report.plan().to_json().rstrip("\n")
    assert cli("plan", str(SAMPLE), *base, "--within", "30", "--by", "week").rstrip("\n") == (
        report.plan(within=30, by="week").to_json().rstrip("\n")
    )
    refunds = json.loads(cli("refunds", str(SAMPLE), *base, "--min-refund", "20.00"))
    totals = report.refund_totals(min_refund=Decimal("20.00"))
    assert Decimal(refunds["totals"]["paid"]) == totals.paid
    assert Decimal(refunds["totals"]["held"]) == totals.held
    assert len(refunds["refunds"]) == len(report.refunds(min_refund=Decimal("20.00")))


def test_interest_matches() -> None:
    last = cape.Tables.embedded().rates_last_day
    start, end = last - datetime.timedelta(days=200), last + datetime.timedelta(days=120)
    out = cli("interest", "--principal", "10000.00", "--from", start.isoformat(), "--to", end.isoformat(),
              "--assume-rate", "7", "--class", "noncorporate")
    i = cape.interest(Decimal("10000.00"), start, end, "noncorporate", assume_rate=7)
    assert out.splitlines()[0] == str(i.amount)
    assert i.used_assumed_rate
    default = cli("interest", "--principal", "10000.00", "--from", "2025-06-02", "--to", "2026-03-16")
    assert default.splitlines()[0] == str(
        cape.interest(Decimal("10000.00"), datetime.date(2025, 6, 2), datetime.date(2026, 3, 16)).amount
    )


def test_class_overrides_as_the_command_line() -> None:
    """`--class-override IMPORTER=CLASS` is `class_overrides={IMPORTER: CLASS}`; an importer no entry has is
    reported the same way by both: an ES003_UNKNOWN_OVERRIDE_IMPORTER warning (and a line on the CLI's stderr)."""
    report = cape.assess(SAMPLE, as_of=AS_OF)
    importer = next(e.importer_number for e in report if e.importer_number and e.interest)
    unknown = "12-999999900"
    args = ["assess", str(SAMPLE), "--as-of", AS_OF.isoformat(), "--format", "json",
            "--class-override", f"{importer}=noncorporate", "--class-override", f"{unknown}=noncorporate"]
    proc = subprocess.run([sys.executable, "-m", "cape", *args], check=True, capture_output=True, text=True)
    out = json.loads(proc.stdout)
    py = cape.assess(SAMPLE, as_of=AS_OF, class_overrides={importer: "noncorporate", unknown: "noncorporate"})
    assert [json.loads(e.to_json()) for e in py] == out["entries"]
    overridden = [e for e in py if e.importer_number == importer]
    assert overridden and all(e.importer_class == "noncorporate" for e in overridden)
    assert [(d.code, d.severity, d.value, d.row) for d in py.diagnostics] == [
        ("ES003_UNKNOWN_OVERRIDE_IMPORTER", "warning", unknown, None)
    ]
    assert [d["message"] for d in out["diagnostics"]] == [d.message for d in py.diagnostics]
    assert proc.stderr == f"cape: warning: --class-override: {py.diagnostics[0].message}\n"
    assert py.ingest.counts_by_code["ES003_UNKNOWN_OVERRIDE_IMPORTER"] == 1
    # partitions: reported only when no partition had the importer
    half = len(SAMPLE.read_text().splitlines()) // 2
    rows = SAMPLE.read_text().splitlines(keepends=True)
    cut = next(i for i in range(half, len(rows)) if rows[i].split(",")[0] != rows[i - 1].split(",")[0])
    parts = [rows[0] + "".join(rows[1:cut]), rows[0] + "".join(rows[cut:])]
    partials = [
        cape.assess_partition(p.encode(), as_of=AS_OF, source_name=str(SAMPLE),
                              class_overrides={importer: "noncorporate", unknown: "noncorporate"})
        for p in parts
    ]
    merged = cape.merge(partials)
    assert [(d.code, d.value) for d in merged.diagnostics] == [("ES003_UNKNOWN_OVERRIDE_IMPORTER", unknown)]
    assert merged.totals == py.totals
