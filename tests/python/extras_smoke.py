"""Smoke test of one optional extra (`make py-test-extras`): run in a fresh venv holding only the cape wheel
installed with that extra (`pip install "cape-....whl[polars]"`). The extra's libraries import, and its path
works on the embedded sample with money exact. Not collected by pytest (the suite runs with every extra)."""

from __future__ import annotations

import datetime
import decimal
import pathlib
import sys

import cape

AS_OF = datetime.date(2026, 11, 26)
SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "cape-core" / "data" / "sample_es003.csv"


def main(extra: str) -> None:
    report = cape.assess(SAMPLE, as_of=AS_OF, assume_last_rate=True)
    duty = report.totals.ieepa_duty
    assert duty > 0
    if extra == "pandas":
        import pandas as pd

        frame = report.to_pandas()
        assert sum(frame["ieepa_duty"], decimal.Decimal(0)) == duty
        again = cape.assess(pd.read_csv(SAMPLE, dtype=str, keep_default_na=False), as_of=AS_OF, assume_last_rate=True)
        assert again.totals == report.totals
        refunds = report.refunds().to_pandas()
        assert sum(refunds["total"], decimal.Decimal(0)) == report.refund_totals().paid
    elif extra == "arrow":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        table = report.to_arrow()
        assert sum(table.column("ieepa_duty").to_pylist(), decimal.Decimal(0)) == duty
        text = pacsv.ConvertOptions(column_types={n: pa.string() for n in pacsv.read_csv(SAMPLE).column_names})
        again = cape.assess(pacsv.read_csv(SAMPLE, convert_options=text), as_of=AS_OF, assume_last_rate=True)
        assert again.totals == report.totals
        assert "pandas" not in sys.modules, "the arrow extra must not need pandas"
    elif extra == "polars":
        import polars as pl

        frame = report.to_polars()
        assert frame.schema["ieepa_duty"] == pl.Decimal(18, 2)
        assert sum(frame["ieepa_duty"].to_list(), decimal.Decimal(0)) == duty
        again = cape.assess(pl.read_csv(SAMPLE, infer_schema=False), as_of=AS_OF, assume_last_rate=True)
        assert again.totals == report.totals
        assert len(report.refunds().to_polars()) == len(report.refunds())
    elif extra == "dask":
        import dask.dataframe as dd

        parts = dd.read_csv(SAMPLE, dtype=str, keep_default_na=False, blocksize=None).to_delayed()
        merged = cape.merge(cape.assess_partition(p.compute(), as_of=AS_OF, assume_last_rate=True) for p in parts)
        assert merged.totals == report.totals
    else:
        raise SystemExit(f"unknown extra {extra!r}")
    print(f"cape[{extra}]: ok ({len(report)} entries, IEEPA duty {duty})")


if __name__ == "__main__":
    main(sys.argv[1])
