"""The three surfaces give the same bytes: `cape assess --format jsonl` (the command line), `cape.iter_assess`
(Python) and `cape_run_path` with `cape_entry_json` (C, tests/c/jsonl.c) print the same per-entry records and
the same totals, on the sample and on a generated 100,000-row file, because each is a thin adapter over the
one spine in cape-core. `make test` builds the C program and passes its path in ``CAPE_C_JSONL``."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import cape

REPO = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cape-core" / "data" / "sample_es003.csv"
AS_OF = "2026-11-26"


def cli() -> list[str]:
    """The `cape` console script of the Python install under test (the same interpreter's bin folder)."""
    exe = pathlib.Path(sys.executable).parent / "cape"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cape"]


def c_program() -> str:
    path = os.environ.get("CAPE_C_JSONL")
    if not path:
        pytest.skip("CAPE_C_JSONL is not set: run through `make test` (or `make c-test` first and set it)")
    assert pathlib.Path(path).exists(), path
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A generated ES-003 of about 100,000 tariff rows (21,000 entries, seed 14), with malformed rows."""
    path = tmp_path_factory.mktemp("cross") / "es003_100k.csv"
    done = subprocess.run(
        [*cli(), "sample", "--output", str(path), "--entries", "21000", "--seed", "14", "--malformed", "2"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return path


def by_cli(path: pathlib.Path) -> tuple[list[str], str]:
    lines = subprocess.run(
        [*cli(), "assess", str(path), "--as-of", AS_OF, "--assume-last-rate", "--format", "jsonl"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    summary = subprocess.run(
        [*cli(), "assess", str(path), "--as-of", AS_OF, "--assume-last-rate", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return lines, json.dumps(json.loads(summary)["summary"]["totals"], sort_keys=True)


def by_python(path: pathlib.Path) -> tuple[list[str], str]:
    it = cape.iter_assess(path, as_of=datetime.date.fromisoformat(AS_OF), assume_last_rate=True)
    lines = [a.to_json() for a in it]
    return lines, it.finish().totals.to_json()


def by_c(path: pathlib.Path) -> tuple[list[str], str]:
    out = subprocess.run([c_program(), str(path), AS_OF], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[-1].startswith("totals "), lines[-1]
    return lines[:-1], lines[-1][len("totals ") :]


@pytest.mark.parametrize("which", ["sample", "100k"])
def test_cli_python_and_c_print_the_same_bytes(which: str, request: pytest.FixtureRequest) -> None:
    path = SAMPLE if which == "sample" else request.getfixturevalue("big")
    cli_lines, cli_totals = by_cli(path)
    py_lines, py_totals = by_python(path)
    c_lines, c_totals = by_c(path)
    assert len(cli_lines) > 1000
    assert py_lines == cli_lines
    assert c_lines == cli_lines
    # Python and C return the same bytes; the command line prints the same object inside its JSON summary.
    assert py_totals == c_totals
    assert json.dumps(json.loads(py_totals), sort_keys=True) == cli_totals
    totals = json.loads(cli_totals)
    assert totals["entries"] == len(cli_lines)
    assert totals["eligible"] > 0 and totals["ineligible"] > 0
