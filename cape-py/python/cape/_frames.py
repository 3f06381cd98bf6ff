"""Conveniences around the native module: tables in (pandas, polars, pyarrow), tables out, the ``assess`` facade.

Nothing here knows a rule, a rate or a rounding: a DataFrame or Arrow table is turned into the text cells a CSV
with the same content would have (so it goes through exactly the same ingest as a file), and results are turned
into pandas / polars / pyarrow columns with money kept exact (``Decimal`` objects, ``decimal128(18, 2)``).
pandas, polars and pyarrow are optional: they are imported only when used. CSV output is the core's writer (the
command line's ``--format csv``), never re-implemented here.
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
    import polars
    import pyarrow

#: ``progress(done, total)``: bytes read and the file's size for a path or bytes (``total`` is ``None`` for a
#: pipe); rows read and the row count for a DataFrame or Arrow table.
Progress = Callable[[int, Optional[int]], object]
Source = Union[str, "os.PathLike[str]", bytes, bytearray, "pandas.DataFrame", "polars.DataFrame", "pyarrow.Table"]

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


def _is_polars(obj: object) -> bool:
    pl = sys.modules.get("polars")
    return pl is not None and isinstance(obj, pl.DataFrame)


#: The source name of a polars DataFrame in diagnostics (unless ``source_name=`` is given).
POLARS_NAME = "<polars DataFrame>"

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
    """A :class:`RecordSpool` holding a DataFrame's (pandas or polars) or Arrow table's rows as text cells, and
    the row count; ``None`` for anything else. The table is converted and written a batch of rows at a time; a
    polars DataFrame goes through Arrow (``DataFrame.to_arrow()``, without a copy for most column types)."""
    if _is_polars(source):
        return records_of(source.to_arrow(), name or POLARS_NAME)  # type: ignore[attr-defined]
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
    if _is_polars(source):
        name = source_name or POLARS_NAME
    else:
        name = source_name or ("<DataFrame>" if _is_dataframe(source) else "<Arrow table>")
    return {"records": spool, "progress": progress, "total_rows": rows, "source_name": name}


def assess(
    source: Source,
    *,
    as_of: datetime.date,
    rules: Optional[str] = None,
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = None,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Optional[Union[decimal.Decimal, int, str]] = None,
    accepted: Optional[Union[str, "os.PathLike[str]"]] = None,
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

    ``source`` is a path, the bytes of a CSV/XLSX file, a pandas or polars DataFrame or a pyarrow Table of
    ES-003 rows (the same columns as the file; cells as text, ``Decimal``, ``date`` or integers — not floats).
    ``progress(done, total)`` is called about ten times a second: bytes read of the file's size for a path or
    bytes (a percentage for a progress bar; the last call has ``done == total``), rows read of the table's rows
    for a DataFrame or Arrow table. The work runs without the GIL. Raises :class:`MissingColumnError`,
    :class:`FormatError`, :class:`CapeIOError` for unreadable input, :class:`InvalidValueError` naming the
    parameter for an unknown rule set or class, a number out of range (``threads=0``, negative days) or text
    given as ``source`` instead of a path; problems with rows are the result's ``diagnostics``. ``threads=1``
    reads and assesses on one thread; the default (two on two or more cores) reads ahead on a second thread,
    with the same result.
    ``court_accrual`` (``"liquidation_date"``, the default, or ``"final_liquidation"``) is the day a Court of
    International Trade claim is taken to accrue for the ``court_action`` deadline (28 USC 2636(i); unsettled,
    so a parameter). Each entry's ``next_action``, ``act_by`` and ``refund_due_by`` are in its record;
    :meth:`AssessedReport.plan` groups the actions due.

    Every option of ``cape assess`` has a keyword of the same name (``--urgent-days`` is ``urgent_days``,
    ``--assume-rate`` ``assume_rate``, ``--accepted CLAIMS.csv`` ``accepted``; ``--class`` is ``importer_class``,
    ``class`` being a Python keyword), and ``None`` or ``False`` means the command line's default, defined once
    in cape-core. ``urgent_within_days`` is the older name of ``urgent_days``. ``rules`` may name a rule-set
    file (``"rules.json"``) as ``--rules`` does.

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
        urgent_days=urgent_days,
        assume_rate=assume_rate,
        accepted=accepted,
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
    rules: Optional[str] = None,
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = None,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Optional[Union[decimal.Decimal, int, str]] = None,
    accepted: Optional[Union[str, "os.PathLike[str]"]] = None,
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
        urgent_days=urgent_days,
        assume_rate=assume_rate,
        accepted=accepted,
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
    rules: Optional[str] = None,
    tables: Optional[_cape.Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = None,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Optional[Union[decimal.Decimal, int, str]] = None,
    accepted: Optional[Union[str, "os.PathLike[str]"]] = None,
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
        urgent_days=urgent_days,
        assume_rate=assume_rate,
        accepted=accepted,
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


def polars_of(table: "pyarrow.Table") -> "polars.DataFrame":
    """The polars DataFrame of an Arrow table (``polars.from_arrow``: no copy for most column types; money
    ``decimal128(18, 2)`` becomes polars ``Decimal(18, 2)``, dates ``Date``)."""
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def pandas_of(table: "pyarrow.Table") -> "pandas.DataFrame":
    """The pandas DataFrame of a small result's Arrow table (diagnostics, refunds, check findings, results rows),
    typed as :func:`frame_of` types an assessment's: money as ``Decimal`` objects, dates ``datetime64[ms]``,
    integers nullable ``Int64``, flags ``bool`` (nullable ``boolean`` where one may be missing), lists
    Arrow-backed, text pandas' string dtype."""
    import pandas as pd
    import pyarrow as pa

    data: Dict[str, Any] = {}
    for name, col in zip(table.column_names, table.columns):
        t = col.type
        if pa.types.is_decimal(t):
            data[name] = _decimal_objects(pd, [col])[0]
        elif pa.types.is_date(t):
            data[name] = col.to_pandas(date_as_object=False)
        elif pa.types.is_integer(t):
            data[name] = col.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif pa.types.is_boolean(t) and col.null_count:
            data[name] = col.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        elif pa.types.is_list(t):
            data[name] = pd.Series(pd.arrays.ArrowExtensionArray(col), copy=False)
        else:
            data[name] = col.to_pandas()
    return pd.DataFrame(data, columns=list(table.column_names), copy=False)


def _table(columns: Sequence[Tuple[str, "pyarrow.DataType"]], rows: Iterable[Sequence[Any]]) -> "pyarrow.Table":
    import pyarrow as pa

    cells = list(zip(*rows)) or [() for _ in columns]
    arrays = [pa.array(list(values), type=t) for values, (_, t) in zip(cells, columns)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(columns)))


def _text(value: object) -> Optional[str]:
    return None if value is None else str(value)


def diagnostics_table(diagnostics: Iterable[_cape.Diagnostic]) -> "pyarrow.Table":
    """The Arrow table of diagnostics: the columns of ``cape ingest --format csv``."""
    import pyarrow as pa

    s = pa.string()
    columns = [("source", s), ("row", pa.int64()), ("severity", s), ("code", s), ("column", s), ("value", s)]
    columns += [("entry", s), ("message", s)]
    rows = [
        (d.source, d.row, d.severity, d.code, d.column, d.value, _text(d.entry), d.message) for d in diagnostics
    ]
    return _table(columns, rows)


def refunds_table(refunds: Iterable[_cape.Refund]) -> "pyarrow.Table":
    """The Arrow table of consolidated refunds: the columns of ``cape refunds --format csv`` (``entry_numbers``
    a list, money ``decimal128(18, 2)``, dates ``date32``)."""
    import pyarrow as pa

    money, day, s = pa.decimal128(18, 2), pa.date32(), pa.string()
    columns = [("recipient", s), ("liquidation_date", day), ("refund_due_by", day), ("held", pa.bool_())]
    columns += [("entries", pa.int64()), ("principal", money), ("interest", money), ("total", money)]
    columns += [("entry_numbers", pa.list_(s))]
    rows = [
        (
            r.recipient,
            r.liquidation_date,
            r.refund_due_by,
            r.held,
            len(r.entries),
            r.principal,
            r.interest,
            r.total,
            [str(e) for e in r.entries],
        )
        for r in refunds
    ]
    return _table(columns, rows)


def check_table(check: _cape.DeclarationCheck) -> "pyarrow.Table":
    """The Arrow table of a declaration check's findings: the columns of ``cape check --format csv``."""
    import pyarrow as pa

    s = pa.string()
    columns = [("row", pa.int64()), ("level", s), ("code", s), ("value", s), ("message", s), ("cbp_message", s)]
    rows = [(f.row, f.level, f.code, f.value, f.message, f.cbp_message) for f in check.findings]
    return _table(columns, rows)


def results_table(results: _cape.Results) -> "pyarrow.Table":
    """The Arrow table of a results file's rows: the columns of ``cape results --format csv``."""
    import pyarrow as pa

    s = pa.string()
    columns = [("row", pa.int64()), ("entry_number", s), ("entry_text", s), ("claim_number", s), ("status", s)]
    columns += [("error_kind", s), ("error_text", s), ("error_retired", pa.bool_())]
    columns += [("error_meaning", s), ("error_remedy", s)]
    rows = [
        (
            r.row,
            _text(r.entry_number),
            r.entry_text,
            r.claim_number,
            r.status,
            r.error_kind,
            r.error_text,
            r.error_retired,
            r.error_meaning,
            r.error_remedy,
        )
        for r in results.rows
    ]
    return _table(columns, rows)


def ledger_table(status: _cape.LedgerStatus) -> "pyarrow.Table":
    """The Arrow table of a ledger status's entries: one row per entry, money ``decimal128(18, 2)``, dates
    ``date32``."""
    import pyarrow as pa

    money, day, s = pa.decimal128(18, 2), pa.date32(), pa.string()
    columns = [("entry_number", s), ("importer", s), ("recipient", s), ("state", s), ("claim_status", s)]
    columns += [("expected", money), ("paid", money), ("variance", money), ("refund_date", day)]
    columns += [("refund_number", s), ("payment_status_text", s), ("claim_number", s), ("error_kind", s)]
    columns += [("error_text", s), ("error_remedy", s), ("projected_liquidation", day), ("refund_due_by", day)]
    columns += [("next_action", s), ("act_by", day), ("note", s)]
    rows = [tuple(getattr(e, name) for name, _ in columns) for e in status.entries]
    return _table(columns, rows)


def ledger_frame(status: _cape.LedgerStatus) -> "pandas.DataFrame":
    """:meth:`LedgerStatus.to_pandas`."""
    return pandas_of(ledger_table(status))


def ledger_polars(status: _cape.LedgerStatus) -> "polars.DataFrame":
    """:meth:`LedgerStatus.to_polars`."""
    return polars_of(ledger_table(status))


def check_frame(check: _cape.DeclarationCheck) -> "pandas.DataFrame":
    """:meth:`DeclarationCheck.to_pandas`."""
    return pandas_of(check_table(check))


def check_polars(check: _cape.DeclarationCheck) -> "polars.DataFrame":
    """:meth:`DeclarationCheck.to_polars`."""
    return polars_of(check_table(check))


def results_frame(results: _cape.Results) -> "pandas.DataFrame":
    """:meth:`Results.to_pandas`."""
    return pandas_of(results_table(results))


def results_polars(results: _cape.Results) -> "polars.DataFrame":
    """:meth:`Results.to_polars`."""
    return polars_of(results_table(results))


class Diagnostics(Tuple[_cape.Diagnostic, ...]):
    """The diagnostics of a read or an assessment: a tuple of :class:`Diagnostic`, with tables and CSV out."""

    __slots__ = ()

    def to_arrow(self) -> "pyarrow.Table":
        """The diagnostics as a ``pyarrow.Table`` (the columns of :meth:`to_csv`)."""
        return diagnostics_table(self)

    def to_pandas(self) -> "pandas.DataFrame":
        """The diagnostics as a pandas DataFrame (the columns of :meth:`to_csv`; ``row`` nullable ``Int64``)."""
        return pandas_of(self.to_arrow())

    def to_polars(self) -> "polars.DataFrame":
        """The diagnostics as a polars DataFrame (the columns of :meth:`to_pandas`)."""
        return polars_of(self.to_arrow())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the diagnostics to ``path`` as ``cape ingest --format csv`` writes them (atomically)."""
        _cape._write_csv("diagnostics", self, os.fspath(path))

    def _repr_html_(self) -> str:
        """A compact HTML table (Jupyter's rich display)."""
        from cape import _html

        return _html.diagnostics_html(self)


class Refunds(Tuple[_cape.Refund, ...]):
    """Consolidated refunds: a tuple of :class:`Refund`, with tables and CSV out."""

    __slots__ = ()

    def to_arrow(self) -> "pyarrow.Table":
        """The refunds as a ``pyarrow.Table`` (the columns of :meth:`to_csv`, ``entry_numbers`` a list)."""
        return refunds_table(self)

    def to_pandas(self) -> "pandas.DataFrame":
        """The refunds as a pandas DataFrame: money ``Decimal``, dates ``datetime64[ms]``."""
        return pandas_of(self.to_arrow())

    def to_polars(self) -> "polars.DataFrame":
        """The refunds as a polars DataFrame: money ``Decimal(18, 2)``, dates ``Date``."""
        return polars_of(self.to_arrow())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the refunds to ``path`` as ``cape refunds --format csv`` writes them (atomically)."""
        _cape._write_csv("refunds", self, os.fspath(path))

    def _repr_html_(self) -> str:
        """A compact HTML table (Jupyter's rich display)."""
        from cape import _html

        return _html.refunds_html(self)
