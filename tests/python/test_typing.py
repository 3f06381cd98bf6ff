"""Typing: the stubs match the native module (mypy.stubtest) and a typed script passes `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=HERE, capture_output=True, text=True)


def test_stubtest() -> None:
    r = run("-m", "mypy.stubtest", "cape._cape", "--allowlist", str(REPO / "cape-py" / "stubtest-allowlist.txt"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_allowlist_entries_have_reasons() -> None:
    lines = (REPO / "cape-py" / "stubtest-allowlist.txt").read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert i > 0 and lines[i - 1].startswith("#"), f"allowlist entry without a reason: {line}"


def test_typed_usage_passes_mypy_strict() -> None:
    r = run("-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", "typed/usage.py")
    assert r.returncode == 0, r.stdout + r.stderr


def test_typed_usage_runs(tmp_path: Path) -> None:
    r = run("typed/usage.py", str(REPO / "cape-core" / "data" / "sample_es003.csv"), str(tmp_path))
    assert r.returncode == 0, r.stderr
