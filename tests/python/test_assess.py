"""cape.assess on the embedded sample: the command line's figures, exact money, conservation, declarations."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import subprocess
import sys
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)


@pytest.fixture(scope="module")
def sample() -> Path:
    return Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"


@pytest.fixture(scope="module")
def report(sample: Path) -> cape.AssessedReport:
    return cape.assess(sample, as_of=AS_OF, assume_last_rate=True)


@pytest.fixture(scope="module")
def cli_rows(sample: Path) -> list[dict[str, str]]:
    out = subprocess.run(
        [sys.executable, "-m", "cape", "assess", str(sample), "--as-of", AS_OF.isoformat(), "--assume-last-rate",
         "--format", "csv"],
        check=True, capture_output=True, text=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_counts_by_status_equal_the_command_line(report: cape.AssessedReport, cli_rows: list[dict[str, str]]) -> None:
    assert Counter(e.status for e in report) == Counter(r["status"] for r in cli_rows)
    t = report.totals
    assert (t.eligible, t.eligible_deferred, t.ineligible, t.needs_review) == tuple(
        Counter(r["status"] for r in cli_rows)[s] for s in ("eligible", "eligible_deferred", "ineligible", "needs_review")
    )
    assert t.entries == len(report) == len(cli_rows) == 2000


def test_per_entry_amounts_equal_the_command_line(report: cape.AssessedReport, cli_rows: list[dict[str, str]]) -> None:
    for e, r in zip(report, cli_rows):
        assert str(e.entry_number) == r["entry_number"]
        assert e.ieepa_duty == Decimal(r["ieepa_duty"]) and str(e.ieepa_duty) == r["ieepa_duty"]
        assert str(e.duty_before) == r["duty_before"] and str(e.duty_after) == r["duty_after"]
        assert (str(e.interest) if e.interest is not None else "") == r["interest"]
        assert (e.last_filing_day.isoformat() if e.last_filing_day else "") == r["last_filing_day"]


def test_records_have_the_contract_keys_and_exact_types(report: cape.AssessedReport) -> None:
    records = report.to_records()
    assert len(records) == 2000
    for rec in records:
        assert tuple(rec) == cape.RECORD_KEYS
        for key in ("duty_before", "duty_after", "ieepa_duty"):
            assert type(rec[key]) is Decimal and rec[key].as_tuple().exponent == -2
        assert rec["interest"] is None or type(rec["interest"]) is Decimal
        assert rec["entry_date"] is None or type(rec["entry_date"]) is datetime.date
        assert rec["duty_after"] + rec["ieepa_duty"] == rec["duty_before"]
    assert report[0].to_record() == records[0]
    assert report[-1].to_record() == records[-1]


def test_results_are_frozen(report: cape.AssessedReport) -> None:
    e = report[0]
    with pytest.raises(AttributeError):
        e.status = "eligible"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        report.totals.entries = 1  # type: ignore[misc]
    with pytest.raises(IndexError):
        report[2000]


def test_conservation_refunds_equal_eligible_principal_plus_interest(report: cape.AssessedReport) -> None:
    refunds = report.refunds()
    paid = sum((r.total for r in refunds), Decimal(0))
    eligible = [e for e in report if e.status == "eligible" and e.ieepa_duty > 0]
    expected = sum((e.ieepa_duty + (e.interest or Decimal(0)) for e in eligible), Decimal(0))
    assert paid == expected
    assert sum(len(r.entries) for r in refunds) == len(eligible)
    for r in refunds:
        assert r.total == r.principal + r.interest
    totals = report.refund_totals()
    assert totals.paid == paid and totals.principal == sum((e.ieepa_duty for e in eligible), Decimal(0))
    assert totals.interest == report.totals.interest


def test_min_refund_waives_small_refunds_and_conserves(report: cape.AssessedReport) -> None:
    refunds = report.refunds(min_refund=Decimal("20.00"))
    total = sum((r.total + r.waived_principal + r.waived_interest for r in refunds), Decimal(0))
    assert total == report.refund_totals().paid
    with pytest.raises(TypeError):
        report.refunds(min_refund=20.0)  # type: ignore[arg-type]


def test_write_declarations(report: cape.AssessedReport, tmp_path: Path) -> None:
    paths = report.write_declarations(tmp_path)
    names = sorted(p.name for p in map(Path, paths))
    assert "manifest.csv" in names
    listed = []
    for p in map(Path, paths):
        if p.name != "manifest.csv":
            lines = p.read_text().splitlines()
            assert lines[0] == "Entry Number"
            listed += lines[1:]
    assert len(listed) == report.totals.eligible + report.totals.eligible_deferred
    split = report.write_declarations(tmp_path / "split", split_by_importer=True)
    assert len(split) > len(paths)


def test_write_declarations_refuses_a_used_folder_unless_replace(report: cape.AssessedReport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = report.write_declarations(out, max_per_file=10)
    assert len(first) > 3
    # A second run with fewer files is refused: the folder would hold stale files beside the new manifest.
    with pytest.raises(cape.OutputNotEmptyError) as info:
        report.write_declarations(out)
    assert isinstance(info.value, OSError)
    assert info.value.kind == "output_not_empty"  # type: ignore[attr-defined]
    assert info.value.path == str(out)  # type: ignore[attr-defined]
    assert str(info.value).startswith(f"{out}: the output folder is not empty")
    assert "cape-declaration-001.csv" in info.value.found  # type: ignore[attr-defined]
    assert "replace" in str(info.value)
    assert sorted(p.name for p in out.iterdir() if p.name != ".cape-lock") == sorted(Path(p).name for p in first)
    # With replace=True the folder holds exactly what the new manifest lists.
    second = [Path(p) for p in report.write_declarations(out, replace=True)]
    assert [p.name for p in second] == ["cape-declaration-001.csv", "manifest.csv"]
    assert sorted(p.name for p in out.iterdir()) == [".cape-lock", "cape-declaration-001.csv", "manifest.csv"]
    manifest = (out / "manifest.csv").read_text().splitlines()
    assert manifest[0] == "file,importer,entries,first_entry,last_entry,sha256"
    assert manifest[1].split(",")[-1] == hashlib.sha256(second[0].read_bytes()).hexdigest()
    assert cape.check_declaration(second[0]).exit_code == 0
    # A file cut at a line end is detected through the manifest.
    lines = second[0].read_text().splitlines(keepends=True)
    second[0].write_text("".join(lines[:-1]))
    cut = cape.check_declaration(second[0])
    assert cut.exit_code == 1
    assert any(f.code == "MANIFEST_MISMATCH" for f in cut.findings)


def test_write_declarations_refuses_a_symlinked_folder(report: cape.AssessedReport, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(cape.UnsafeOutputError, match="symbolic link"):
        report.write_declarations(link, replace=True)
    assert list(real.iterdir()) == []


def test_check_declaration_and_results_round_trip(report: cape.AssessedReport, sample: Path, tmp_path: Path) -> None:
    paths = [Path(p) for p in report.write_declarations(tmp_path)]
    decl = next(p for p in paths if p.name != "manifest.csv")
    check = cape.check_declaration(decl)
    assert (check.verdict, check.exit_code) == ("accept", 0) or check.exit_code == 0
    assert len(check.entries) == report.totals.eligible + report.totals.eligible_deferred
    with_es003 = cape.check_declaration(decl.read_bytes(), es003=sample, as_of=AS_OF)
    assert with_es003.exit_code in (0, 2)
    assert isinstance(with_es003.to_dict(), dict)
    bad = cape.check_declaration(b"Entry Number\nnot-an-entry\n")
    assert bad.exit_code != 0 and bad.findings
    results_csv = (
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n"
        f"{check.entries[0].compact},C-1,Entry Summary Updated,\n"
        f"{check.entries[1].compact},,Failed,Entry summary is not eligible\n"
    ).encode()
    results = cape.read_results(results_csv)
    assert results.accepted == (check.entries[0],)
    assert results.summary["rows"] == 2
    again = cape.assess(sample, as_of=AS_OF, assume_last_rate=True, already_accepted=results.accepted)
    assert [r["code"] for r in again[0].to_record()["reasons"]] is not None
    assert again.totals.entries == 2000


def test_sources_path_bytes_agree(report: cape.AssessedReport, sample: Path) -> None:
    from_bytes = cape.assess(sample.read_bytes(), as_of=AS_OF, assume_last_rate=True)
    assert from_bytes.to_records() == report.to_records()
    assert from_bytes.totals == report.totals


def test_options_are_checked(sample: Path) -> None:
    with pytest.raises(cape.InvalidValueError):
        cape.assess(sample, as_of=AS_OF, rules="phase9")
    with pytest.raises(ValueError):
        cape.assess(sample, as_of=AS_OF, importer_class="partnership")
    with pytest.raises(cape.CapeIOError):
        cape.assess(sample.with_name("missing.csv"), as_of=AS_OF)
    with pytest.raises(cape.MissingColumnError):
        cape.assess(b"a,b\n1,2\n", as_of=AS_OF)
    with pytest.raises(TypeError):
        cape.assess(12, as_of=AS_OF)  # type: ignore[arg-type]


def test_phase1_and_noncorporate(sample: Path) -> None:
    r = cape.assess(sample, as_of=AS_OF, rules="phase1", importer_class="noncorporate", assume_last_rate=True)
    assert r.rule_set == "phase1" and all(e.rule_set == "phase1" for e in r)


def test_progress_callback(sample: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    r = cape.assess(sample, as_of=AS_OF, progress=lambda done, total: calls.append((done, total)))
    # a file reports bytes of its size (a percentage for a progress bar), the last call the whole size
    size = sample.stat().st_size
    assert r.ingest.rows_read > 0 and calls and calls[-1] == (size, size)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert all(t == size and 0 <= d <= size for d, t in calls)

    def boom(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cape.assess(sample, as_of=AS_OF, progress=boom)


def test_assess_releases_the_gil(sample: Path) -> None:
    data = sample.read_bytes()
    ticks = 0
    done = threading.Event()

    def work() -> None:
        for _ in range(3):
            cape.assess(data, as_of=AS_OF)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    assert ticks > 1000


def test_entry_remove_ieepa(sample: Path) -> None:
    es = cape.read_es003(sample)
    tables = cape.Tables.embedded()
    for entry in es.entries[:300]:
        removal = entry.remove_ieepa()
        assert removal.duty_after + removal.ieepa_duty == removal.duty_before == entry.total_duty
        assert removal.entry_number == entry.number
        new = removal.new_version
        assert isinstance(new, cape.Entry) and new.total_duty == removal.duty_after
        again = new.remove_ieepa(tables)
        assert again.ieepa_duty == Decimal("0.00") and again.duty_before == removal.duty_after
        for line, before, ieepa, after in removal.lines:
            assert after + ieepa == before
        for f in removal.findings:
            assert isinstance(f, cape.Finding) and f.code and f.message


def test_tables_from_files(tmp_path: Path) -> None:
    t = cape.Tables()
    assert {"phase1", "phase2"} <= set(t.rule_sets)
    assert isinstance(t.rates_last_day, datetime.date)
    with pytest.raises(cape.CapeIOError):
        cape.Tables(rates=tmp_path / "none.csv")


def test_totals_count_entries_whose_interest_is_unknown() -> None:
    sample = (Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv").read_bytes()
    as_of = datetime.date(2026, 11, 26)
    without = cape.assess(sample, as_of=as_of).totals
    assumed = cape.assess(sample, as_of=as_of, assume_last_rate=True).totals
    # Past the published rate table some eligible entries have no interest figure, unless a rate is assumed.
    assert without.interest_unknown > 0
    assert assumed.interest_unknown == 0
    assert assumed.interest > without.interest
    assert f"interest_unknown={without.interest_unknown}" in repr(without)
