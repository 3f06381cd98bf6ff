"""Scale-out: the sample as several partitions, on a real Dask LocalCluster, equals a single-process run."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"
ENTRY = "Entry Summary Number"


def partitions(df: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """Splits rows into ``n`` parts by entry (every row of an entry in one part), keeping input order."""
    first_seen = {e: i for i, e in reversed(list(enumerate(df[ENTRY])))}
    order = sorted(first_seen, key=first_seen.__getitem__)
    part_of = {e: i * n // len(order) for i, e in enumerate(order)}
    keys = df[ENTRY].map(part_of)
    return [df[keys == k].reset_index(drop=True) for k in range(n)]


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


def test_on_a_dask_local_cluster(single: cape.AssessedReport, frame: pd.DataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        futures = [
            client.submit(cape.assess_partition, part, as_of=AS_OF, assume_last_rate=True, pure=False)
            for part in partitions(frame, 4)
        ]
        merged = client.submit(cape.merge, futures).result()
    assert merged.partitions == 4
    assert merged.totals == single.totals
    assert merged.refund_totals() == single.refund_totals()
    assert canonical(merged) == canonical(single)
