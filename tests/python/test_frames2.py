"""Issue 17's data surfaces: typed check and results objects (one naming: ``cbp_message``), ``check_declaration``
against an assessed report, ``to_pandas`` / ``to_polars`` / ``to_csv`` on every result (the CSV byte for byte the
command line's), polars input, the declared extras and Jupyter's ``_repr_html_``."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import pathlib
import pickle
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import polars as pl
import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cape-core" / "data" / "sample_es003.csv"
BAD = REPO / "tests" / "data" / "bad"
RESULTS_CSV = BAD / "results_broker_headers.csv"
CAPE = pathlib.Path(sys.executable).parent / ("cape.exe" if os.name == "nt" else "cape")


def cli(*args: object) -> bytes:
    """The stdout of the installed `cape` command (exit 0 or 2: some entries rejected is still an answer)."""
    done = subprocess.run([str(CAPE), *map(str, args)], capture_output=True, timeout=300)
    assert done.returncode in (0, 2), done.stderr.decode()
    return done.stdout


@pytest.fixture(scope="module")
def report() -> cape.AssessedReport:
    return cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)


@pytest.fixture(scope="module")
def declaration(report: cape.AssessedReport) -> bytes:
    """A declaration listing an eligible entry, an ineligible one and one not in the data."""
    ineligible = next(e for e in report if e.status == "ineligible" and any(r.cbp_message for r in e.reasons))
    eligible = next(e for e in report if e.status == "eligible")
    listed = [eligible.entry_number.compact, ineligible.entry_number.compact, "ABC12345676"]
    return ("Entry Number\n" + "\n".join(listed) + "\n").encode()


# --- typed check and results -------------------------------------------------------------------------------


def test_check_findings_and_verdicts_are_typed_frozen_values(report: cape.AssessedReport, declaration: bytes) -> None:
    check = cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)
    assert check.verdict == "reject_entries" and check.exit_code == 2
    findings = check.findings
    assert all(isinstance(f, cape.CheckFinding) for f in findings)
    (bad,) = cape.check_declaration(b"Entry Number\nnot-an-entry\n").findings
    assert (bad.row, bad.level, bad.code, bad.value) == (2, "file", "MALFORMED_ENTRY_NUMBER", "not-an-entry")
    # CAPE's wording is `cbp_message`, as on every other object of the package.
    rejected = next(f for f in findings if f.code == "ENTRY_INELIGIBLE")
    assert rejected.row == 3 and rejected.cbp_message and not hasattr(rejected, "cape_message")
    assert check.to_dict()["findings"][findings.index(rejected)]["cbp_message"] == rejected.cbp_message
    verdicts = check.entry_verdicts
    assert [(v.row, v.outcome) for v in verdicts] == [(2, "accept"), (3, "reject"), (4, "not_in_data")]
    assert isinstance(verdicts[0], cape.EntryVerdict) and verdicts[0].status == "eligible"
    assert verdicts[1].cbp_message == rejected.cbp_message and verdicts[1].reasons
    # Value equality and hashing; a pickle round trip gives equal values.
    again = cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)
    assert again.findings == findings and again.entry_verdicts == verdicts and again == check
    assert len({*findings, *again.findings}) == len(findings)
    assert len({*verdicts, *again.entry_verdicts}) == len(verdicts)
    assert pickle.loads(pickle.dumps(rejected)) == rejected
    assert pickle.loads(pickle.dumps(verdicts[1])) == verdicts[1]
    with pytest.raises(AttributeError):
        rejected.code = "X"  # type: ignore[misc]
    assert repr(rejected).startswith("<CheckFinding row 3 ENTRY_INELIGIBLE: ")


def test_check_against_an_assessed_report_equals_reading_the_es003_again(
    report: cape.AssessedReport, declaration: bytes
) -> None:
    by_file = cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)
    by_report = cape.check_declaration(declaration, report=report)
    assert by_report == by_file
    assert by_report.entry_verdicts == by_file.entry_verdicts and by_report.findings == by_file.findings
    partial = cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert cape.check_declaration(declaration, report=partial, as_of=AS_OF) == by_file
    with pytest.raises(cape.InvalidValueError, match="as_of"):
        cape.check_declaration(declaration, report=report, as_of=AS_OF + datetime.timedelta(days=1))
    with pytest.raises(cape.InvalidValueError, match="not both"):
        cape.check_declaration(declaration, report=report, es003=SAMPLE, as_of=AS_OF)
    summary = cape.assess_partition(SAMPLE, as_of=AS_OF, keep_entries=False)
    with pytest.raises(cape.InvalidValueError, match="keep_entries"):
        cape.check_declaration(declaration, report=summary)
    with pytest.raises(TypeError, match="AssessedReport or a Partial"):
        cape.check_declaration(declaration, report="es003.csv")  # type: ignore[arg-type]


def test_es003_without_as_of_is_an_invalid_value_naming_as_of(declaration: bytes) -> None:
    with pytest.raises(cape.InvalidValueError) as info:
        cape.check_declaration(declaration, es003=SAMPLE)
    assert isinstance(info.value, cape.CapeError) and isinstance(info.value, ValueError)
    assert "as_of" in str(info.value) and info.value.kind == "invalid_value"


def test_results_rows_and_problems_are_typed_frozen_values() -> None:
    results = cape.read_results(RESULTS_CSV)
    rows = results.rows
    assert all(isinstance(r, cape.ResultRow) for r in rows)
    updated, failed = rows[0], rows[1]
    assert (updated.row, str(updated.entry_number), updated.claim_number) == (2, "VSU-0828889-3", "C000777")
    assert (updated.status, updated.error_kind, updated.error_text, updated.error_retired) == (
        "entry_summary_updated",
        None,
        None,
        None,
    )
    assert (failed.status, failed.error_kind, failed.error_retired) == ("failed", "protest_on_entry", False)
    assert failed.error_text and failed.error_meaning and failed.error_remedy
    problems = results.problems
    assert [(type(p), p.row) for p in problems] == [(cape.ResultProblem, 4)] and problems[0].message
    again = cape.read_results(RESULTS_CSV.read_bytes())
    assert again.rows == rows and again.problems == problems
    assert len({*rows, *again.rows}) == len(rows) and hash(rows[1]) == hash(again.rows[1])
    assert rows[0] != rows[1]
    for value in (failed, problems[0]):
        assert pickle.loads(pickle.dumps(value)) == value
    back = pickle.loads(pickle.dumps(results))
    assert back.rows == rows and back.to_dict() == results.to_dict() and back.accepted == results.accepted
    assert repr(failed) == "<ResultRow row 3 VSU-0828893-5 failed protest_on_entry>"


# --- to_pandas / to_polars / to_csv ------------------------------------------------------------------------


def test_refunds_and_diagnostics_have_tables(report: cape.AssessedReport) -> None:
    refunds = report.refunds()
    assert isinstance(refunds, cape.Refunds) and isinstance(refunds, tuple) and len(refunds) > 1
    frame = refunds.to_pandas()
    assert list(frame.columns) == [
        "recipient",
        "liquidation_date",
        "refund_due_by",
        "held",
        "entries",
        "principal",
        "interest",
        "total",
        "entry_numbers",
    ]
    assert all(type(v) is Decimal for v in frame["total"])
    assert sum(frame["total"], Decimal(0)) == report.refund_totals().paid
    assert list(frame["entries"]) == [len(r.entries) for r in refunds]
    assert list(frame["entry_numbers"][0]) == [str(e) for e in refunds[0].entries]
    polars = refunds.to_polars()
    assert polars.schema["total"] == pl.Decimal(18, 2) and polars.schema["liquidation_date"] == pl.Date
    assert sum(polars["total"].to_list(), Decimal(0)) == report.refund_totals().paid
    back = pickle.loads(pickle.dumps(refunds))
    assert type(back) is cape.Refunds and back == refunds

    mixed = cape.read_es003(BAD / "mixed_date_formats.csv")
    diagnostics = mixed.diagnostics
    assert isinstance(diagnostics, cape.Diagnostics) and diagnostics
    d = diagnostics.to_pandas()
    assert list(d["code"]) == [x.code for x in diagnostics]
    assert list(d["row"].fillna(0)) == [x.row or 0 for x in diagnostics] and str(d["row"].dtype) == "Int64"
    assert list(diagnostics.to_polars()["message"]) == [x.message for x in diagnostics]
    assert type(pickle.loads(pickle.dumps(diagnostics))) is cape.Diagnostics
    assert report.diagnostics.to_pandas().shape[1] == 8


def test_check_and_results_have_tables(declaration: bytes) -> None:
    check = cape.check_declaration(declaration, es003=SAMPLE, as_of=AS_OF)
    frame = check.to_pandas()
    assert list(frame.columns) == ["row", "level", "code", "value", "message", "cbp_message"]
    assert list(frame["code"]) == [f.code for f in check.findings]
    assert check.to_polars()["cbp_message"].to_list() == [f.cbp_message for f in check.findings]
    results = cape.read_results(RESULTS_CSV)
    r = results.to_pandas()
    assert list(r["error_kind"].fillna("-")) == [x.error_kind or "-" for x in results.rows]
    assert list(r["entry_number"].fillna("-")) == [str(x.entry_number or "-") for x in results.rows]
    assert results.to_polars()["status"].to_list() == [x.status for x in results.rows]


def test_report_to_polars_keeps_money_exact(report: cape.AssessedReport) -> None:
    frame = report.to_polars()
    assert frame.columns == list(cape.RECORD_KEYS) and frame.height == len(report)
    assert frame.schema["ieepa_duty"] == pl.Decimal(18, 2) and frame.schema["entry_date"] == pl.Date
    assert sum(frame["ieepa_duty"].to_list(), Decimal(0)) == report.totals.ieepa_duty
    partial = cape.assess_partition(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert partial.to_polars().equals(frame)


def test_to_csv_writes_what_the_command_line_writes(
    report: cape.AssessedReport, declaration: bytes, tmp_path: pathlib.Path
) -> None:
    common = ("--as-of", AS_OF, "--assume-last-rate")
    report.to_csv(tmp_path / "assess.csv")
    expected = cli("assess", SAMPLE, *common, "--format", "csv")
    assert (tmp_path / "assess.csv").read_bytes() == expected
    assert expected.splitlines()[0].decode() == ",".join(cape.RECORD_KEYS)
    # findings and reasons are `;`-joined codes, never Python reprs of lists
    assert b"[" not in expected and b"{" not in expected
    report.refunds().to_csv(tmp_path / "refunds.csv")
    assert (tmp_path / "refunds.csv").read_bytes() == cli("refunds", SAMPLE, *common, "--format", "csv")
    (tmp_path / "decl.csv").write_bytes(declaration)
    check = cape.check_declaration(tmp_path / "decl.csv", es003=SAMPLE, as_of=AS_OF)
    check.to_csv(tmp_path / "check.csv")
    from_cli = cli("check", tmp_path / "decl.csv", "--es003", SAMPLE, "--as-of", AS_OF, "--format", "csv")
    assert (tmp_path / "check.csv").read_bytes() == from_cli and b"ENTRY_INELIGIBLE" in from_cli
    cape.read_results(RESULTS_CSV).to_csv(tmp_path / "results.csv")
    assert (tmp_path / "results.csv").read_bytes() == cli("results", RESULTS_CSV, "--format", "csv")
    mixed = BAD / "mixed_date_formats.csv"
    cape.read_es003(mixed).diagnostics.to_csv(tmp_path / "diagnostics.csv")
    assert (tmp_path / "diagnostics.csv").read_bytes() == cli("ingest", mixed, "--format", "csv")
    with pytest.raises(cape.CapeIOError):
        report.to_csv(tmp_path / "missing" / "x.csv")


# --- polars input -----------------------------------------------------------------------------------------


def test_a_polars_dataframe_is_assessed_as_the_file(report: cape.AssessedReport) -> None:
    frame = pl.read_csv(SAMPLE, infer_schema=False)
    by_frame = cape.assess(frame, as_of=AS_OF, assume_last_rate=True)
    assert by_frame.to_records() == report.to_records() and by_frame.totals == report.totals
    partial = cape.assess_partition(frame, as_of=AS_OF, assume_last_rate=True)
    assert partial.totals == report.totals
    assert [a.entry_number for a in cape.iter_assess(frame, as_of=AS_OF)] == [a.entry_number for a in report]
    # Typed polars columns go through the same cells a CSV would hold; floats are refused as for pandas.
    duty = pl.col("Line Tariff Duty Amount").str.replace_all(r"[$,]", "")
    typed = frame.with_columns(duty.cast(pl.Decimal(18, 2)))
    assert cape.assess(typed, as_of=AS_OF, assume_last_rate=True).totals == report.totals
    floats = frame.with_columns(duty.cast(pl.Float64))
    with pytest.raises(TypeError, match="float"):
        cape.assess(floats, as_of=AS_OF)
    bad = pl.concat([frame.head(1).with_columns(pl.lit("not-a-date").alias("Entry Date")), frame.slice(1, 40)])
    diagnostics = cape.assess(bad, as_of=AS_OF).diagnostics
    assert diagnostics and {d.source for d in diagnostics} == {"<polars DataFrame>"}


# --- extras -----------------------------------------------------------------------------------------------


def test_the_extras_are_declared() -> None:
    meta = importlib.metadata.metadata("cape")
    assert {"pandas", "arrow", "polars", "dask"} <= set(meta.get_all("Provides-Extra") or [])
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("polars") and "extra == 'polars'" in r for r in requires), requires
    assert not any("==" in r.split(";")[0] for r in requires), "extras give lower bounds, not pins"


# --- Jupyter ----------------------------------------------------------------------------------------------


def test_html_of_the_report_totals_refunds_and_check(report: cape.AssessedReport, declaration: bytes) -> None:
    html = report._repr_html_()
    assert html.startswith("<div><table") and html.count("<tr>") == 10 + 1 + 20 + 1  # totals, head, rows, "more"
    first = report[0]
    assert str(first.entry_number) in html
    assert f'color:#1a7f37;font-weight:600">eligible</span>' in html
    assert f'text-align:right;font-variant-numeric:tabular-nums">{report.totals.ieepa_duty:,.2f}</td>' in html
    assert f"… {len(report) - 20:,} more" in html
    totals = report.totals._repr_html_()
    assert f">{report.totals.interest:,.2f}</td>" in totals and 'color:#cf222e;font-weight:600">ineligible' in totals
    rt = report.refund_totals()
    assert f">{rt.held:,.2f}</td>" in rt._repr_html_()
    refunds = report.refunds()
    r_html = refunds._repr_html_()
    assert f">{refunds[0].total:,.2f}</td>" in r_html and f"{len(refunds):,} refunds" in r_html
    check = cape.check_declaration(declaration, report=report)
    c_html = check._repr_html_()
    assert 'color:#9a6700;font-weight:600">reject_entries</span>' in c_html
    assert "ENTRY_INELIGIBLE" in c_html and 'color:#cf222e;font-weight:600">not_in_data' in c_html
    assert "<td" in cape.read_results(RESULTS_CSV)._repr_html_()


def test_html_escapes_what_came_from_the_input(report: cape.AssessedReport) -> None:
    script = "<script>alert(1)</script>"
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).head(40)
    frame["Importer Number"] = script
    frame["Importer Name"] = script
    hostile = cape.assess(frame, as_of=AS_OF)
    shown = hostile._repr_html_() + hostile.diagnostics._repr_html_() + hostile.refunds()._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    check = cape.check_declaration(f"Entry Number\n{script}\n".encode())
    c_html = check._repr_html_()
    assert "<script>" not in c_html and "&lt;script&gt;" in c_html
