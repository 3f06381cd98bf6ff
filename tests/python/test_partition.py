"""Scale-out: the sample as several partitions, on a real Dask LocalCluster, equals a single-process run."""

from __future__ import annotations

import datetime
import faulthandler
import functools
import multiprocessing
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"
README = Path(__file__).resolve().parents[2] / "cape-py" / "README.md"
# The most a process-based test may take (worker start-up included) before it fails rather than hangs.
TIMEOUT = 300


# BEGIN README RECIPE (cape-py/README.md shows this code as is; test_readme_recipe_is_this_code checks it)
def partitions(df: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """Splits rows into ``n`` parts by entry (every row of an entry in one part), keeping input order."""
    entry = "Entry Summary Number"
    first_seen = {e: i for i, e in reversed(list(enumerate(df[entry])))}
    order = sorted(first_seen, key=first_seen.__getitem__)
    part_of = {e: i * n // len(order) for i, e in enumerate(order)}
    keys = df[entry].map(part_of)
    return [df[keys == k].reset_index(drop=True) for k in range(n)]


def assess_on_dask(parts: list[pd.DataFrame], as_of: datetime.date) -> cape.Partial:
    """Assesses the partitions on a process-based Dask cluster; the merged result equals one run's."""
    import distributed

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        futures = [
            client.submit(cape.assess_partition, part, as_of=as_of, assume_last_rate=True, pure=False)
            for part in parts
        ]
        # Partials pickle exactly: they travel to the worker that merges them, and the result back.
        return client.submit(cape.merge, futures).result(timeout=300)
# END README RECIPE


def canonical(p: cape.Partial | cape.AssessedReport) -> tuple[object, ...]:
    records = sorted(p.to_records(), key=lambda r: r["entry_number"])
    refunds = sorted(
        (r.recipient, r.liquidation_date, r.held, r.principal, r.interest, r.total, sorted(map(str, r.entries)))
        for r in p.refunds()
    )
    return records, refunds


@pytest.fixture(scope="module")
def single() -> cape.AssessedReport:
    return cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


def test_partials_merge_exactly(single: cape.AssessedReport, frame: pd.DataFrame) -> None:
    parts = [cape.assess_partition(p, as_of=AS_OF, assume_last_rate=True) for p in partitions(frame, 5)]
    merged = cape.merge(parts)
    assert merged.partitions == 5 and len(merged) == len(single)
    assert merged.totals == single.totals
    assert merged.refund_totals() == single.refund_totals()
    assert canonical(merged) == canonical(single)
    # merge is associative
    left = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]).merge(parts[4]))
    assert left.totals == merged.totals and left.refund_totals() == merged.refund_totals()


def test_partials_without_entries_still_merge_totals(single: cape.AssessedReport, frame: pd.DataFrame) -> None:
    parts = [cape.assess_partition(p, as_of=AS_OF, assume_last_rate=True, keep_entries=False)
             for p in partitions(frame, 3)]
    merged = cape.merge(parts)
    assert len(merged) == 0 and merged.totals == single.totals
    assert sum((r.total for r in merged.refunds()), Decimal(0)) == single.refund_totals().paid


def test_min_refund_must_agree_to_merge(frame: pd.DataFrame) -> None:
    a, b = (cape.assess_partition(p, as_of=AS_OF, min_refund=m) for p, m in zip(partitions(frame, 2), (None, 20)))
    with pytest.raises(cape.InvalidValueError):
        a.merge(b)


@pytest.fixture
def watchdog() -> Iterator[None]:
    """Fails a process-based test that hangs (a worker that never starts or never answers): after twice
    ``TIMEOUT`` the process dumps its threads' stacks and exits, instead of hanging the suite forever."""
    faulthandler.dump_traceback_later(2 * TIMEOUT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def assert_same_as_single(merged: cape.Partial, single: cape.AssessedReport, frame: pd.DataFrame, n: int) -> None:
    assert merged.partitions == n and len(merged) == len(single)
    assert merged.totals == single.totals
    assert merged.refund_totals() == single.refund_totals()
    assert canonical(merged) == canonical(single)
    # Computed with the same tables and options as a single run of the whole file.
    assert merged.fingerprint == cape.assess_partition(frame.head(1), as_of=AS_OF, assume_last_rate=True).fingerprint


def test_on_a_dask_local_cluster_with_threads(single: cape.AssessedReport, frame: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        futures = [
            client.submit(cape.assess_partition, part, as_of=AS_OF, assume_last_rate=True, pure=False)
            for part in partitions(frame, 4)
        ]
        merged = client.submit(cape.merge, futures).result(timeout=TIMEOUT)
    assert_same_as_single(merged, single, frame, 4)


def test_on_a_process_based_dask_cluster(
    single: cape.AssessedReport, frame: pd.DataFrame, watchdog: None
) -> None:
    pytest.importorskip("distributed")
    merged = assess_on_dask(partitions(frame, 4), AS_OF)
    assert_same_as_single(merged, single, frame, 4)


def test_on_a_process_pool(single: cape.AssessedReport, frame: pd.DataFrame, watchdog: None) -> None:
    # spawn: each worker is a fresh interpreter importing the installed cape (no fork of a threaded parent).
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        task = functools.partial(cape.assess_partition, as_of=AS_OF, assume_last_rate=True)
        futures = [pool.submit(task, part) for part in partitions(frame, 4)]
        parts = [f.result(timeout=TIMEOUT) for f in futures]
        # The partials go back to a worker process to be merged, and the merged one comes back.
        merged = pool.submit(cape.merge, parts).result(timeout=TIMEOUT)
    assert_same_as_single(merged, single, frame, 4)
    assert_same_as_single(cape.merge(parts), single, frame, 4)


def test_readme_recipe_is_this_code() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    recipe = re.search(r"# BEGIN README RECIPE[^\n]*\n(.*?)# END README RECIPE", here, re.S)
    assert recipe is not None
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert any(recipe.group(1).strip() in b for b in blocks), "cape-py/README.md's Dask recipe differs from the test"
