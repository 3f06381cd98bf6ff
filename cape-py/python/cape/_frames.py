"""Conveniences around the native module: tables in (pandas, pyarrow), tables out, the ``assess`` facade.

Nothing here knows a rule, a rate or a rounding: a DataFrame or Arrow table is turned into the text cells a CSV
with the same content would have (so it goes through exactly the same ingest as a file), and results are turned
into pandas / pyarrow columns with money kept exact (``Decimal`` objects, ``decimal128(18, 2)``).
pandas and pyarrow are optional: they are imported only when used.
"""

from __future__ import annotations

import datetime
import decimal
import math
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from cape import _cape

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyarrow

Progress = Callable[[int, Optional[int]], object]
Source = Union[str, "os.PathLike[str]", bytes, bytearray, "pandas.DataFrame", "pyarrow.Table"]

RECORD_KEYS: Tuple[str, ...] = tuple(_cape.RECORD_KEYS)
"""The keys of each record (``cape assess --format json``'s per-entry keys: a public contract)."""

MONEY_FIELDS = ("duty_before", "duty_after", "ieepa_duty", "interest")
DATE_FIELDS = (
    "entry_date",
    "liquidation_date",
    "last_filing_day",
    "deposit_date",
    "projected_acceptance_date",
    "projected_liquidation_date",
    "act_by",
    "refund_due_by",
)


def _cell(value: Any, column: str) -> str:
    """The text a CSV cell would hold for ``value`` (no domain parsing: the core parses the text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise _cape.MoneyError(f"column {column!r}: {value} is not a finite amount")
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):  # pandas' missing value
            return ""
        raise TypeError(
            f"column {column!r} holds a float ({value!r}); money and codes must not go through floats: "
            "read the report as text (pandas.read_csv(..., dtype=str, keep_default_na=False)) "
            "or use Decimal / integer columns"
        )
    # numpy scalars, pandas NA / NaT and other scalar types
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return ""
    item = getattr(value, "item", None)
    if callable(item):
        return _cell(item(), column)
    raise TypeError(f"column {column!r}: cannot use a {type(value).__name__} as an ES-003 cell")


def _is_dataframe(obj: object) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def _is_arrow(obj: object) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(obj, (pa.Table, pa.RecordBatch))


#: Rows of a DataFrame or Arrow table converted to text cells at a time: the Python objects of one batch
#: (about 20 columns x 8,192 rows) are alive at once, never those of the whole table.
SPOOL_BATCH_ROWS = 8_192


def _texts(values: List[Any], column: str) -> List[str]:
    """:func:`_cell` of each value; a column that is all text already (a frame read with ``dtype=str``) is
    passed as it is, without a Python call per cell."""
    if all(type(v) is str for v in values):
        return values
    return [_cell(v, column) for v in values]


def records_of(source: object, name: Optional[str] = None) -> Optional[Tuple[_cape.RecordSpool, int]]:
    """A :class:`RecordSpool` holding a DataFrame's or Arrow table's rows as text cells, and the row count;
    ``None`` for anything else. The table is converted and written a batch of rows at a time."""
    if _is_dataframe(source):
        df: Any = source
        header = [str(c) for c in df.columns]
        spool = _cape.RecordSpool(header, name or "<DataFrame>")
        for start in range(0, len(df), SPOOL_BATCH_ROWS):
            chunk = df.iloc[start : start + SPOOL_BATCH_ROWS]
            spool.push_columns([_texts(chunk[c].tolist(), n) for n, c in zip(header, df.columns)])
        return spool, len(df)
    if _is_arrow(source):
        table: Any = source
        header = [str(n) for n in table.schema.names]
        spool = _cape.RecordSpool(header, name or "<Arrow table>")
        for start in range(0, table.num_rows, SPOOL_BATCH_ROWS):
            chunk = table.slice(start, SPOOL_BATCH_ROWS)
            spool.push_columns([_texts(chunk.column(i).to_pylist(), n) for i, n in enumerate(header)])
        return spool, table.num_rows
    return None


def _native_args(source: object, progress: Optional[Progress], source_name: Optional[str]) -> Dict[str, Any]:
    recs = records_of(source, source_name)
    if recs is None:
        return {"source": source, "progress": progress, "source_name": source_name}
    spool, rows = recs
    # The spool's temporary file is not a name to show: diagnostics name the table as the caller did.
    name = source_name or ("<DataFrame>" if _is_dataframe(source) else "<Arrow table>")
    return {"records": spool, "progress": progress, "total_rows": rows, "source_name": name}


def assess(
    source: Source,
    *,
    as_of: datetime.date,
    rules: str = "auto",
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: str = "corporate",
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[str] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Iterable[datetime.date]] = None,
    already_accepted: Optional[Iterable[Union[_cape.EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    progress: Optional[Progress] = None,
    threads: Optional[int] = None,
) -> _cape.AssessedReport:
    """Assesses every entry of an ES-003 report as of ``as_of``.

    ``source`` is a path, the bytes of a CSV/XLSX file, a pandas DataFrame or a pyarrow Table of ES-003 rows
    (the same columns as the file; cells as text, ``Decimal``, ``date`` or integers — not floats).
    ``progress(done_rows, total_rows)`` is called about ten times a second (``total_rows`` is ``None`` for
    files). The work runs without the GIL. Raises :class:`MissingColumnError`, :class:`FormatError`,
    :class:`CapeIOError` for unreadable input, :class:`InvalidValueError` naming the parameter for an unknown
    rule set or class, a number out of range (``threads=0``, negative days) or text given as ``source``
    instead of a path; problems with rows are the result's ``diagnostics``. ``threads=1`` reads and assesses
    on one thread; the default (two on two or more cores) reads ahead on a second thread, with the same result.
    ``court_accrual`` (``"liquidation_date"``, the default, or ``"final_liquidation"``) is the day a Court of
    International Trade claim is taken to accrue for the ``court_action`` deadline (28 USC 2636(i); unsettled,
    so a parameter). Each entry's ``next_action``, ``act_by`` and ``refund_due_by`` are in its record;
    :meth:`AssessedReport.plan` groups the actions due.

    The schedule options, in days (``None`` keeps cape's default; the command line's flags of the same names):
    ``acceptance_lag`` (days from the as-of date to the day CAPE validates a declaration: it moves the
    projected liquidation of unliquidated entries and the day the 80-day window is judged on),
    ``liquidation_offset`` (acceptance to the projected liquidation, 45 by default) and ``reliquidation_window``
    (19 USC 1501's window after liquidation, 90 by default: a liquidated entry's projected reliquidation is the
    earlier of acceptance + the offset and liquidation + the window).
    ``closures`` is a list of ``datetime.date``: extra federal closures (e.g. a national day of mourning) that
    are not business days; :func:`cape.read_closures` reads them from a file.
    """
    return _cape.assess(
        as_of=as_of,
        rules=rules,
        tables=tables,
        assume_last_rate=assume_last_rate,
        importer_class=importer_class,
        class_overrides=dict(class_overrides) if class_overrides is not None else None,
        urgent_within_days=urgent_within_days,
        last_day_offset=last_day_offset,
        court_accrual=court_accrual,
        acceptance_lag=acceptance_lag,
        liquidation_offset=liquidation_offset,
        reliquidation_window=reliquidation_window,
        closures=list(closures) if closures is not None else None,
        already_accepted=list(already_accepted) if already_accepted is not None else None,
        sheet=sheet,
        threads=threads,
        **_native_args(source, progress, source_name),
    )


def assess_partition(
    source: Source,
    *,
    as_of: datetime.date,
    rules: str = "auto",
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: str = "corporate",
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[str] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Iterable[datetime.date]] = None,
    already_accepted: Optional[Iterable[Union[_cape.EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    min_refund: Optional[Union[decimal.Decimal, int]] = None,
    keep_entries: bool = True,
    progress: Optional[Progress] = None,
    threads: Optional[int] = None,
) -> _cape.Partial:
    """Assesses one partition of a report into a :class:`Partial` that merges exactly with the others.

    Every row of an entry must be in the same partition (partition by entry number). The merge of the
    partials of all partitions, in input order, equals :func:`assess` of the whole report: same entries,
    same totals, same refunds, to the cent.
    """
    return _cape.assess_partition(
        as_of=as_of,
        rules=rules,
        tables=tables,
        assume_last_rate=assume_last_rate,
        importer_class=importer_class,
        class_overrides=dict(class_overrides) if class_overrides is not None else None,
        urgent_within_days=urgent_within_days,
        last_day_offset=last_day_offset,
        court_accrual=court_accrual,
        acceptance_lag=acceptance_lag,
        liquidation_offset=liquidation_offset,
        reliquidation_window=reliquidation_window,
        closures=list(closures) if closures is not None else None,
        already_accepted=list(already_accepted) if already_accepted is not None else None,
        sheet=sheet,
        min_refund=min_refund,
        keep_entries=keep_entries,
        threads=threads,
        **_native_args(source, progress, source_name),
    )


def iter_assess(
    source: Source,
    *,
    as_of: datetime.date,
    rules: str = "auto",
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: str = "corporate",
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[str] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Iterable[datetime.date]] = None,
    already_accepted: Optional[Iterable[Union[_cape.EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    min_refund: Optional[Union[decimal.Decimal, int]] = None,
    progress: Optional[Progress] = None,
    threads: Optional[int] = None,
) -> _cape.AssessmentIterator:
    """Assesses an ES-003 report entry by entry: yields each :class:`EntryAssessment` in file order while the
    rest is still being read, in memory bounded by a few hundred entries whatever the report's size.

    Takes the same sources and options as :func:`assess`. After the loop, ``finish()`` returns the
    :class:`Partial` of the whole report (totals, refunds, ingest balance, diagnostics)::

        it = cape.iter_assess("es003.csv", as_of=date(2026, 12, 1))
        for a in it:
            ...
        summary = it.finish()
    """
    return _cape.iter_assess(
        as_of=as_of,
        rules=rules,
        tables=tables,
        assume_last_rate=assume_last_rate,
        importer_class=importer_class,
        class_overrides=dict(class_overrides) if class_overrides is not None else None,
        urgent_within_days=urgent_within_days,
        last_day_offset=last_day_offset,
        court_accrual=court_accrual,
        acceptance_lag=acceptance_lag,
        liquidation_offset=liquidation_offset,
        reliquidation_window=reliquidation_window,
        closures=list(closures) if closures is not None else None,
        already_accepted=list(already_accepted) if already_accepted is not None else None,
        sheet=sheet,
        min_refund=min_refund,
        threads=threads,
        **_native_args(source, progress, source_name),
    )


def merge(partials: Iterable[_cape.Partial]) -> _cape.Partial:
    """Merges partial results in order (``functools.reduce`` of :meth:`Partial.merge`)."""
    it = iter(partials)
    try:
        acc = next(it)
    except StopIteration:
        raise ValueError("merge() needs at least one partial") from None
    for p in it:
        acc = acc.merge(p)
    return acc


def arrow_schema() -> "pyarrow.Schema":
    """The Arrow schema of the records: money ``decimal128(18, 2)``, dates ``date32``."""
    import pyarrow as pa

    money = pa.decimal128(18, 2)
    note = pa.struct([("code", pa.string()), ("message", pa.string()), ("cbp_message", pa.string())])
    finding = pa.struct(list(note) + [pa.field("line", pa.uint32())])
    reason = pa.struct(list(note) + [pa.field("effect", pa.string())])
    return pa.schema(
        [
            ("entry_number", pa.string()),
            ("importer_number", pa.string()),
            ("entry_type", pa.string()),
            ("entry_date", pa.date32()),
            ("duty_before", money),
            ("duty_after", money),
            ("ieepa_duty", money),
            ("principal_is_upper_bound", pa.bool_()),
            ("findings", pa.list_(finding)),
            ("status", pa.string()),
            ("reasons", pa.list_(reason)),
            ("liquidation_date", pa.date32()),
            ("last_filing_day", pa.date32()),
            ("days_left", pa.int64()),
            ("urgent", pa.bool_()),
            ("rule_set", pa.string()),
            ("deposit_date", pa.date32()),
            ("deposit_date_rule", pa.string()),
            ("projected_acceptance_date", pa.date32()),
            ("projected_liquidation_date", pa.date32()),
            ("interest", money),
            ("interest_days", pa.uint32()),
            ("interest_note", pa.string()),
            ("importer_class", pa.string()),
            ("refund_recipient", pa.string()),
            ("refund_held", pa.bool_()),
            ("next_action", pa.string()),
            ("act_by", pa.date32()),
            ("next_action_note", pa.string()),
            ("refund_due_by", pa.date32()),
        ]
    )


def table_of(arrays: Sequence["pyarrow.Array"], schema: "pyarrow.Schema") -> "pyarrow.Table":
    """The table of an assessment's columns (:meth:`AssessedReport.to_arrow`): the native module builds each
    column of :func:`arrow_schema` whole, as Arrow buffers that pyarrow takes without a copy (no Python object
    per cell)."""
    import pyarrow as pa

    return pa.Table.from_arrays(list(arrays), schema=schema)


#: The ``money=`` choices of ``to_pandas``: ``Decimal`` objects, or Arrow-backed ``decimal128(18, 2)`` columns.
MONEY_KINDS = ("decimal", "arrow")
#: The integer columns of ``to_pandas``, as pandas' nullable ``Int64``.
INT_FIELDS = ("days_left", "interest_days")
#: The boolean column that may be null (no refund recipient), as pandas' nullable ``boolean``.
NULLABLE_BOOL_FIELDS = ("refund_held",)


#: The list columns of ``to_pandas``, kept Arrow-backed (``pandas.ArrowDtype``): no Python object per item.
LIST_FIELDS = ("findings", "reasons")


def _decimal_objects(pd: Any, columns: Sequence["pyarrow.ChunkedArray"]) -> List["pandas.Series"]:
    """``decimal128`` columns as object Series of ``Decimal`` (``None`` where null). One ``Decimal`` is made per
    distinct amount over all the columns and shared by the cells holding it (``Decimal`` is immutable): amounts
    repeat within and across columns, and making the objects is most of the cost."""
    import numpy as np
    import pyarrow as pa

    lengths = [len(c) for c in columns]
    joined = pa.chunked_array([chunk for c in columns for chunk in c.chunks], type=pa.decimal128(18, 2))
    encoded = joined.combine_chunks().dictionary_encode()
    values = encoded.dictionary.to_numpy(zero_copy_only=False)
    indices = encoded.indices
    if indices.null_count == 0:
        cells = values[indices.to_numpy()]
    else:
        cells = np.full(len(indices), None, dtype=object)
        present = indices.is_valid().to_numpy(zero_copy_only=False)
        cells[present] = values[indices.drop_null().to_numpy()]
    out = []
    start = 0
    for n in lengths:
        out.append(pd.Series(cells[start : start + n], dtype=object, copy=False))
        start += n
    return out


def frame_of(table: "pyarrow.Table", money: str = "decimal") -> "pandas.DataFrame":
    """The DataFrame of an assessment's Arrow table (:meth:`AssessedReport.to_pandas`).

    Money: ``money="decimal"`` gives object columns of exact ``decimal.Decimal`` (two decimals);
    ``money="arrow"`` gives ``pandas.ArrowDtype(pyarrow.decimal128(18, 2))`` columns (exact, no object per cell,
    much faster). Dates are ``datetime64[ms]`` (midnight, no time zone; a missing date is ``NaT``);
    ``days_left`` and ``interest_days`` are nullable ``Int64``; ``refund_held`` is nullable ``boolean``; the
    other flags are ``bool``; text columns are pandas' default string dtype (``str`` on pandas 3, object before);
    ``findings`` and ``reasons`` are ``pandas.ArrowDtype`` list-of-struct columns (each cell reads as a list
    of dicts, as in :meth:`AssessedReport.to_records`).
    """
    import pandas as pd
    import pyarrow as pa

    if money not in MONEY_KINDS:
        raise ValueError(f"money must be one of {MONEY_KINDS}, not {money!r}")
    data: Dict[str, Any] = {}
    if money == "decimal":
        data.update(zip(MONEY_FIELDS, _decimal_objects(pd, [table.column(n) for n in MONEY_FIELDS])))
    for name in table.column_names:
        col = table.column(name)
        if name in MONEY_FIELDS:
            if money == "arrow":
                data[name] = pd.Series(pd.arrays.ArrowExtensionArray(col), copy=False)
        elif name in LIST_FIELDS:
            data[name] = pd.Series(pd.arrays.ArrowExtensionArray(col), copy=False)
        elif name in DATE_FIELDS:
            data[name] = col.to_pandas(date_as_object=False)
        elif name in INT_FIELDS:
            data[name] = col.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif name in NULLABLE_BOOL_FIELDS:
            data[name] = col.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        else:
            data[name] = col.to_pandas()
    return pd.DataFrame(data, columns=list(table.column_names), copy=False)
