"""The `cape` console script and `python -m cape`, run as the user runs them: in a subprocess."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

BIN = pathlib.Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "error"})


def cape_script() -> str:
    script = BIN / ("cape.exe" if os.name == "nt" else "cape")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    return str(script)


def test_entry_number_check_reports_each_argument() -> None:
    result = run(cape_script(), "entry-number", "check", "ABC-1234567-6", "XYZ")
    assert result.returncode == 1, result
    lines = result.stdout.splitlines()
    assert "OK ABC-1234567-6" in lines
    assert any(line.startswith("INVALID XYZ: ") for line in lines), result.stdout


def test_entry_number_check_all_valid_exits_zero() -> None:
    result = run(cape_script(), "entry-number", "check", "abc12345676", "B76-0158522-0")
    assert result.returncode == 0, result
    assert result.stdout.splitlines() == ["OK ABC-1234567-6", "OK B76-0158522-0"]


def test_bad_check_digit_says_expected() -> None:
    result = run(cape_script(), "entry-number", "check", "ABC-1234567-5")
    assert result.returncode == 1
    assert "expected 6" in result.stdout + result.stderr


def test_python_dash_m_help() -> None:
    result = run(sys.executable, "-m", "cape", "--help")
    assert result.returncode == 0, result
    assert "entry-number" in result.stdout


def test_unknown_command_fails_with_usage() -> None:
    result = run(cape_script(), "no-such-command")
    assert result.returncode != 0
    assert result.stderr


def test_run_cli_in_process_returns_code(capfd: pytest.CaptureFixture[str]) -> None:
    from cape import _cape

    assert _cape.run_cli(["entry-number", "check", "ABC-1234567-6"]) == 0
    out, _ = capfd.readouterr()
    assert "OK ABC-1234567-6" in out


def test_run_cli_rejects_a_string() -> None:
    from cape import _cape

    with pytest.raises(TypeError):
        _cape.run_cli("entry-number check")  # type: ignore[arg-type]
