"""cape.iter_assess hands entries over a batch per release of the GIL: same entries, in order, as assess();
an error after some entries is raised once they have been yielded; finish() works at any point."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"


def test_entries_in_order_across_batches() -> None:
    whole = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert len(whole) > 256 * 3  # several batches of the iterator
    it = cape.iter_assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    assert [a.to_json() for a in it] == [a.to_json() for a in whole]
    assert next(it, None) is None
    assert it.finish().totals == whole.totals


@pytest.mark.parametrize("taken", [0, 1, 256, 300])
def test_finish_after_part_of_the_entries(taken: int) -> None:
    whole = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    it = cape.iter_assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    got = [next(it).entry_number for _ in range(taken)]
    assert got == [a.entry_number for a in whole][:taken]
    assert it.finish().totals == whole.totals
    assert next(it, None) is None
    with pytest.raises(ValueError, match="finish"):
        it.finish()


class Stop(Exception):
    pass


def test_a_raising_callback_stops_the_iteration_with_its_error() -> None:
    def progress(done: int, total: int | None) -> None:
        raise Stop(done)

    yielded = 0
    with pytest.raises(Stop):
        for _ in cape.iter_assess(SAMPLE, as_of=AS_OF, assume_last_rate=True, progress=progress):
            yielded += 1
    assert yielded <= len(cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True))


def test_dropping_unfinished_iterators_does_not_hang() -> None:
    # Each run's thread takes the interpreter lock to report progress; dropping its iterator joined the thread
    # while holding the lock, and with a few runs alive the process waited for ever.
    import subprocess
    import sys

    script = (
        "import datetime, cape\n"
        f"runs = [cape.iter_assess({str(SAMPLE)!r}, as_of=datetime.date(2026, 11, 26)) for _ in range(4)]\n"
        "next(runs[0])\n"
        "while runs:\n"
        "    runs.pop()\n"
        "print('done')\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "done", r.stderr
