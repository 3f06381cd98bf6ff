"""The `cape` console script and `python -m cape`, run as the user runs them: in a subprocess."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Callable

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


@pytest.fixture(scope="module")
def big_es003(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A generated ES-003 large enough that declaring it takes over a second in a release build (30,000 entries
    took under the 0.5 s the declare test waits once the pipeline got faster)."""
    path = tmp_path_factory.mktemp("big") / "es003.csv"
    result = run(cape_script(), "sample", "--output", str(path), "--entries", "150000")
    assert result.returncode == 0, result
    return path


def interrupt_after_start(args: list[str], started: Callable[[], bool]) -> tuple[int, str, float]:
    """Starts the console script, sends SIGINT once `started()` holds, returns (status, stderr, seconds to exit)."""
    import signal
    import time

    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not started() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the command ended before it could be interrupted; make the input larger"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err, time.monotonic() - sent


@pytest.mark.skipif(os.name == "nt", reason="SIGINT semantics are POSIX")
def test_ctrl_c_stops_assess_within_a_second(big_es003: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out.jsonl"
    args = [cape_script(), "assess", str(big_es003), "--format", "jsonl", "--as-of", "2026-04-20", "--threads", "1"]
    with open(out, "w") as sink:
        import signal
        import time

        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while out.stat().st_size == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "assess ended before it could be interrupted"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert err == "cape: interrupted\n", err
    assert elapsed < 1.0, f"took {elapsed:.2f} s to stop"


@pytest.mark.skipif(os.name == "nt", reason="SIGINT semantics are POSIX")
def test_ctrl_c_during_declare_leaves_no_declaration_file(big_es003: pathlib.Path, tmp_path: pathlib.Path) -> None:
    import time

    out_dir = tmp_path / "declarations"
    t0 = time.monotonic()
    status, err, elapsed = interrupt_after_start(
        [cape_script(), "declare", str(big_es003), "--out-dir", str(out_dir), "--as-of", "2026-04-20"],
        lambda: time.monotonic() - t0 > 0.5,
    )
    assert status == 130, err
    assert err == "cape: interrupted\n", err
    assert "Traceback" not in err
    assert elapsed < 1.0, f"took {elapsed:.2f} s to stop"
    leftovers = sorted(p.name for p in out_dir.iterdir()) if out_dir.exists() else []
    assert leftovers == [], leftovers
