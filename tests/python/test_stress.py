"""Bindings under stress: concurrent calls from threads, and Ctrl-C during a long call."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return (Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv").read_bytes()


def test_concurrent_calls_from_threads_give_identical_results(sample_bytes: bytes) -> None:
    expected = cape.assess(sample_bytes, as_of=AS_OF, assume_last_rate=True).to_records()
    assert len(expected) == 2000

    def one(_: int) -> list[dict[str, object]]:
        return cape.assess(sample_bytes, as_of=AS_OF, assume_last_rate=True).to_records()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(8)))
    for r in results:
        assert r == expected


def test_ctrl_c_during_a_long_call_is_honoured(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    subprocess.run(
        [sys.executable, "-m", "cape", "sample", "--entries", "20000", "--seed", "9", "--output", str(big)],
        check=True,
        capture_output=True,
    )
    # Time an uninterrupted run first, so the interrupted one can be shown to stop early.
    t0 = time.monotonic()
    cape.assess(big, as_of=AS_OF)
    full = time.monotonic() - t0

    timer = threading.Timer(min(0.2, full / 4), lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        cape.assess(big, as_of=AS_OF)
    elapsed = time.monotonic() - t0
    timer.join()
    assert elapsed < full * 0.8, (elapsed, full)


def test_one_or_two_threads_give_the_same_report_and_refunds(sample_bytes: bytes) -> None:
    one = cape.assess(sample_bytes, as_of=AS_OF, assume_last_rate=True, threads=1)
    two = cape.assess(sample_bytes, as_of=AS_OF, assume_last_rate=True, threads=2)
    assert len(one) == 2000
    assert one.to_records() == two.to_records()
    assert [(d.row, d.code, d.message) for d in one.diagnostics] == [(d.row, d.code, d.message) for d in two.diagnostics]
    p1 = cape.assess_partition(sample_bytes, as_of=AS_OF, assume_last_rate=True, keep_entries=False, threads=1)
    p2 = cape.assess_partition(sample_bytes, as_of=AS_OF, assume_last_rate=True, keep_entries=False, threads=2)
    assert [(r.recipient, r.total, r.entries) for r in p1.refunds()] == [(r.recipient, r.total, r.entries) for r in p2.refunds()]
    assert p1.totals.interest == p2.totals.interest > 0
    with pytest.raises(ValueError):
        cape.assess(sample_bytes, as_of=AS_OF, threads=0)
