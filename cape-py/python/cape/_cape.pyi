"""Type stubs of the private native module ``cape._cape`` (use the ``cape`` package instead)."""

import datetime
import decimal
import os
import pathlib
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    final,
    overload,
)

from cape._frames import Diagnostics, Refunds

__version__: str
"""The version of the package (Cargo's version of cape-py)."""

CORE_VERSION: str
"""The version of cape-core the package was built with."""
RECORD_KEYS: Tuple[str, ...]
"""The keys of each assessment record, in order (``cape assess``'s output contract), from the core."""

# --- exceptions --------------------------------------------------------------------------------------------

class CapeError(Exception):
    """Root of every exception cape raises.

    ``kind`` is the stable snake-case name of the cape-core error kind (``"invalid_entry_number"``...) and
    ``code`` its stable number (the C API's). A bug inside cape (a Rust panic) is raised as a plain
    ``CapeError``, never as ``PanicException``.
    """

    kind: str
    code: int
    problem: Optional[str]
    """Why a ledger file cannot be used, as a stable code (``LEDGER_FOREIGN_FILE``, ``LEDGER_NEWER_SCHEMA``,
    ``LEDGER_READ_ONLY``, ``LEDGER_BUSY``...; docs/codes.md), with ``path`` the file; ``None`` for other errors."""

class EntryNumberError(CapeError, ValueError):
    """An entry number is malformed or its check digit is wrong (kind ``invalid_entry_number``)."""

class HtsNumberError(CapeError, ValueError):
    """An HTS number is malformed (kind ``invalid_hts_number``)."""

class MoneyError(CapeError, ValueError):
    """A money amount is malformed or out of range (kind ``invalid_money``)."""

class DateError(CapeError, ValueError):
    """A date is malformed or out of range (kind ``invalid_date``)."""

class InvalidValueError(CapeError, ValueError):
    """Some other single value (country code, filer code, option) is malformed (kind ``invalid_value``)."""

class FormatError(CapeError, ValueError):
    """A file or buffer cannot be read as the format it should have (kind ``invalid_format``)."""

class MissingColumnError(CapeError, ValueError):
    """A required column is missing from a report (kind ``missing_column``)."""

    column: str
    """The canonical name of the missing column, e.g. ``"Entry Summary Number"``."""

class ReferenceDataError(CapeError, ValueError):
    """Reference data (catalogue, rate table) is inconsistent (kind ``invalid_reference_data``)."""

class CapeIOError(CapeError, OSError):
    """An operating-system I/O error (kind ``io``); ``filename`` is the path, ``errno`` set when known."""

class CapeOverflowError(CapeError, ValueError):
    """Arithmetic overflowed: an amount far outside any real duty (kind ``overflow``)."""

class OutputNotEmptyError(CapeError, OSError):
    """The output folder already holds files (kind ``output_not_empty``); ``path`` is the folder, ``found``
    the names in the way. Pass ``replace=True`` to replace cape's own files (others are never replaced)."""

    path: str
    """The folder."""
    found: Tuple[str, ...]
    """The names in the folder that stand in the way, sorted."""

class OutputLockedError(CapeError, OSError):
    """Another run is writing into the same output folder (kind ``output_locked``); ``path`` is the folder."""

    path: str

class UnsafeOutputError(CapeError, OSError):
    """An output path cape will not write through: a symbolic link, or not a folder (kind ``unsafe_output``);
    ``path`` is the path refused."""

    path: str

class CancelledError(CapeError):
    """The call was stopped by its caller's cancel request (kind ``cancelled``)."""

# --- entry numbers -----------------------------------------------------------------------------------------

@final
class EntryNumber:
    """A CBP entry number (``XXX-NNNNNNN-C``) whose format and check digit have been verified.

    Accepts ``XXX-NNNNNNN-C``, ``XXXNNNNNNNC``, spaces and lower case. ``str()`` gives the canonical dashed
    form. Immutable, hashable, ordered, picklable.

    >>> n = EntryNumber("abc 1234567 6")
    >>> str(n), n.compact, n.filer_code, n.serial, n.check_digit
    ('ABC-1234567-6', 'ABC12345676', 'ABC', '1234567', 6)

    Raises :class:`EntryNumberError` (a ``ValueError``) saying what is wrong, e.g.
    ``check digit is 5, expected 6``.
    """

    def __new__(cls, text: str) -> "EntryNumber": ...
    @classmethod
    def from_parts(cls, filer_code: str, serial: int) -> "EntryNumber":
        """The entry number of a filer code and serial (0..9999999), with its check digit computed."""
    @property
    def compact(self) -> str:
        """The 11-character form without dashes, as the CAPE declaration file wants it."""
    @property
    def filer_code(self) -> str:
        """The 3-character filer code."""
    @property
    def serial(self) -> str:
        """The 7-digit transaction serial, as text (leading zeros are significant)."""
    @property
    def check_digit(self) -> int:
        """The check digit (0-9)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: "EntryNumber", /) -> bool: ...
    def __le__(self, value: "EntryNumber", /) -> bool: ...
    def __gt__(self, value: "EntryNumber", /) -> bool: ...
    def __ge__(self, value: "EntryNumber", /) -> bool: ...
    def __hash__(self) -> int: ...

def check_digit(base: str) -> int:
    """The check digit of the first ten characters of an entry number (filer code + serial).

    Dashes and spaces are ignored, letters may be lower case. Raises :class:`EntryNumberError` unless the base
    is 10 letters/digits with a 7-digit serial.

    >>> check_digit("ABC1234567")
    6
    """

# --- ES-003 ingest -----------------------------------------------------------------------------------------

def read_es003(
    source: Union[str, "os.PathLike[str]", bytes, bytearray],
    *,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
) -> "Es003":
    """Read an ACE ES-003 report (CSV or XLSX, detected from the content).

    ``source`` is a path (``str`` or path-like) or the file's content as ``bytes``. ``sheet`` picks a workbook
    sheet; ``source_name`` names the source in diagnostics (default: the path, or ``<buffer>``). The work runs
    without holding the GIL.

    Rows cape cannot use are reported in :attr:`Es003.diagnostics`, never raised. Raises
    :class:`CapeIOError` when the file cannot be read, :class:`MissingColumnError` when a required column is
    absent, :class:`FormatError` when the content is neither CSV nor a workbook, :class:`InvalidValueError`
    (``got text, not a path``) for a ``str`` that holds a file's text rather than its name: pass
    ``text.encode()``.
    """

@final
class Es003:
    """The result of :func:`read_es003`: entries, diagnostics and the counts."""

    @property
    def entries(self) -> Tuple["Entry", ...]:
        """The entries, in order of first appearance."""
    @property
    def diagnostics(self) -> Diagnostics:
        """What cape says about rows it could not use as they are (and file-level facts)."""
    @property
    def summary(self) -> "IngestSummary":
        """The counts: ``rows_read == rows_used + rows_rejected``."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Es003", serialised form))``."""

@final
class IngestSummary:
    """The counts of one ingest."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def source(self) -> str:
        """The source's name."""
    @property
    def format(self) -> str:
        """The detected format's name (``"csv"``, ``"xlsx"``...)."""
    @property
    def rows_read(self) -> int:
        """Data rows read (the header excluded)."""
    @property
    def rows_used(self) -> int:
        """Rows that became a tariff ordinal."""
    @property
    def rows_rejected(self) -> int:
        """Rows not used; each has an error diagnostic."""
    @property
    def entries(self) -> int:
        """Entries built."""
    @property
    def lines(self) -> int:
        """Lines built."""
    @property
    def tariff_rows(self) -> int:
        """Tariff ordinals built."""
    @property
    def split_entries(self) -> int:
        """Entries whose rows were not contiguous."""
    @property
    def conflicting_entries(self) -> int:
        """Entries whose rows disagreed (need review)."""
    @property
    def errors(self) -> int:
        """Diagnostics of severity error."""
    @property
    def warnings(self) -> int:
        """Diagnostics of severity warning."""
    @property
    def infos(self) -> int:
        """Diagnostics of severity info."""
    @property
    def counts_by_code(self) -> Dict[str, int]:
        """Diagnostics per code, exact for any number of rows (details are kept for at most 1,000 per code)."""
    @property
    def diagnostics_dropped(self) -> int:
        """Diagnostics counted but not kept in detail (beyond the per-code cap)."""
    @property
    def columns_used(self) -> Tuple[str, ...]:
        """The canonical names of the columns found and used."""
    @property
    def columns_missing(self) -> Tuple[str, ...]:
        """The canonical names of optional columns not in the file."""
    @property
    def sheets_read(self) -> Tuple[str, ...]:
        """For workbooks: the sheets read, in order (every sheet with the ES-003 header, or ``sheet``)."""
    @property
    def sheets_skipped(self) -> Tuple[str, ...]:
        """For workbooks: the sheets not read."""
    def is_balanced(self) -> bool:
        """True when ``rows_read == rows_used + rows_rejected`` and ``rows_used == tariff_rows``."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("IngestSummary", serialised form))``."""

@final
class Diagnostic:
    """One finding about one input row, or about the file when ``row`` is ``None``. ``str()`` formats it."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def source(self) -> str:
        """The source's name (``<buffer>`` for bytes)."""
    @property
    def row(self) -> Optional[int]:
        """The 1-based row of the file (the header is row 1); ``None`` for file-level facts."""
    @property
    def column(self) -> Optional[str]:
        """The column's name as written in the file, when one cell is concerned."""
    @property
    def value(self) -> Optional[str]:
        """The raw cell value, when one cell is concerned."""
    @property
    def code(self) -> str:
        """The stable code, e.g. ``"ES003_INVALID_ENTRY_NUMBER"``."""
    @property
    def severity(self) -> str:
        """``"info"``, ``"warning"`` or ``"error"`` (error: the row was rejected)."""
    @property
    def message(self) -> str:
        """A plain-English message."""
    @property
    def entry(self) -> Optional[EntryNumber]:
        """The entry concerned, when known."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Diagnostic", serialised form))``."""

@final
class Entry:
    """An entry summary: header facts and lines.

    An optional fact is its value when the file supplied and cape read it, and ``None`` when the column is
    absent, the cell blank, or its text unreadable (see the diagnostics). Money is ``decimal.Decimal``.
    """

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def number(self) -> EntryNumber:
        """The entry number (``Entry Summary Number``)."""
    @property
    def lines(self) -> Tuple["Line", ...]:
        """The lines, in line-number order."""
    @property
    def conflicting(self) -> bool:
        """True when values disagreed across the entry's rows: the entry needs review."""
    @property
    def split(self) -> bool:
        """True when the entry's rows were not contiguous in the file and were merged."""
    @property
    def first_row(self) -> int:
        """The first source row of the entry."""
    @property
    def tariff_count(self) -> int:
        """The number of tariff ordinals (rows used)."""
    @property
    def total_duty(self) -> decimal.Decimal:
        """The sum of ``Line Tariff Duty Amount`` over all ordinals, as filed."""
    @property
    def entry_type(self) -> Optional[str]:
        """Two-digit entry type code, e.g. ``"01"``."""
    @property
    def importer_number(self) -> Optional[str]:
        """``Importer Number``: the importer of record (its form is :attr:`importer_number_kind`)."""
    @property
    def importer_number_kind(self) -> Optional[str]:
        """The importer number's form (IRS, CBP-assigned, SSN, unrecognised), as cape-core names it."""
    @property
    def importer_name(self) -> Optional[str]:
        """``Importer Name``."""
    @property
    def filer_name(self) -> Optional[str]:
        """``Filer Name`` (extended report)."""
    @property
    def port_of_entry(self) -> Optional[str]:
        """``Port of Entry Code``."""
    @property
    def entry_date(self) -> Optional[datetime.date]:
        """``Entry Date`` (required, so set on every entry read from a file)."""
    @property
    def entry_summary_date(self) -> Optional[datetime.date]:
        """``Entry Summary Date``."""
    @property
    def initial_summary_create_date(self) -> Optional[datetime.date]:
        """``Initial Entry Summary Create Date``."""
    @property
    def importation_date(self) -> Optional[datetime.date]:
        """``Importation Date`` (extended report)."""
    @property
    def liquidation_date(self) -> Optional[datetime.date]:
        """``Liquidation Date``."""
    @property
    def liquidation_status(self) -> Optional[str]:
        """``unliquidated``, ``liquidated``, ``suspended``, ``extended``, ``under_review`` or ``final``."""
    @property
    def final_liquidation(self) -> Optional[bool]:
        """The ``Final Liquidation`` flag; ``None`` when blank, unreadable or a date (see ``final_liquidation_date``)."""
    @property
    def final_liquidation_date(self) -> Optional[datetime.date]:
        """The date ``Final Liquidation`` holds: the liquidation is final on and after it."""
    @property
    def reconciliation_flag(self) -> Optional[bool]:
        """``Reconciliation Indicator``: True when the entry is flagged for reconciliation."""
    @property
    def psc_flag(self) -> Optional[bool]:
        """``Post Summary Correction Indicator``."""
    @property
    def protest_number(self) -> Optional[str]:
        """``Protest Number``."""
    @property
    def protest_status(self) -> Optional[str]:
        """``open``, ``suspended`` or ``closed``."""
    @property
    def control_status(self) -> Optional[str]:
        """``Control Status``, as written."""
    @property
    def review_team(self) -> Optional[str]:
        """``Review Team Number``."""
    @property
    def total_liquidated_duty(self) -> Optional[decimal.Decimal]:
        """``Total Liquidated Duty Amount``."""
    @property
    def payment_date(self) -> Optional[datetime.date]:
        """``Payment Date`` (extra column): the day the duty was deposited."""
    @property
    def payment_type(self) -> Optional[int]:
        """``Payment Type Code`` (extra column): 1 single payment, 2 daily statement, 6 or 7 periodic
        monthly statement..."""
    @property
    def refund_designee(self) -> Optional[str]:
        """``Refund Designee Number`` (extra column): the CBP Form 4811 designee."""
    @property
    def summary_status(self) -> Optional[str]:
        """``accepted``, ``cancelled`` or ``rejected``."""
    @property
    def reconciliation_entry(self) -> Optional[EntryNumber]:
        """``Reconciliation Entry Number`` (extra column): the type 09 entry, when filed."""
    @property
    def drawback_flag(self) -> Optional[bool]:
        """``Drawback Indicator`` (extra column)."""
    @property
    def surety_paid(self) -> Optional[bool]:
        """``Surety Paid Indicator`` (extra column)."""
    @property
    def adcvd_status(self) -> Optional[str]:
        """``suspended``, ``pending_liquidation``, ``liquidated`` or ``not_applicable``."""
    @property
    def ach_refund_enrolled(self) -> Optional[bool]:
        """``ACH Refund Enrolled`` (extra column); a refund to an importer not enrolled is held."""
    @property
    def importer_class(self) -> Optional[str]:
        """``corporate`` or ``noncorporate``."""

    def remove_ieepa(self, tables: Optional["Tables"] = None) -> "Removal":
        """Removes the IEEPA duty as CAPE's Mass Processing does (with ``tables``' catalogue, the embedded one
        by default): the new entry version, the amounts (``Decimal``) and the findings."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Entry", serialised form))``."""

@final
class Line:
    """One entry-summary line and its tariff ordinals."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def number(self) -> int:
        """``Entry Summary Line Number``."""
    @property
    def entry_number(self) -> EntryNumber:
        """The entry the line belongs to."""
    @property
    def country_of_origin(self) -> Optional[str]:
        """``Country of Origin Code``, e.g. ``"CN"``."""
    @property
    def country_of_export(self) -> Optional[str]:
        """``Country of Export Code``, e.g. ``"CN"``."""
    @property
    def spi(self) -> Optional[str]:
        """``Line SPI Code`` (Special Program Indicator)."""
    @property
    def manufacturer_id(self) -> Optional[str]:
        """``Manufacturer ID`` (MID)."""
    @property
    def foreign_exporter_id(self) -> Optional[str]:
        """``Foreign Exporter ID``."""
    @property
    def mfn_rate_percent(self) -> Optional[decimal.Decimal]:
        """``Column 1 Current Primary Duty Rate`` as a percent (``Free`` is 0)."""
    @property
    def psc_flag(self) -> Optional[bool]:
        """``Line Post Summary Correction Indicator``."""
    @property
    def tariffs(self) -> Tuple["Tariff", ...]:
        """The tariff ordinals, in ordinal order."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Line", serialised form))``."""

@final
class Tariff:
    """One tariff ordinal of a line: one ES-003 row."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def ordinal(self) -> int:
        """``Tariff Ordinal Number``: the ordinal's place in its line."""
    @property
    def hts(self) -> str:
        """The HTS number, dotted (``9903.01.25``)."""
    @property
    def goods_value(self) -> Optional[decimal.Decimal]:
        """``Line Tariff Goods Value Amount``; ``None`` when the file has no such column."""
    @property
    def duty(self) -> decimal.Decimal:
        """``Line Tariff Duty Amount``, as filed."""
    @property
    def quantity(self) -> Optional[decimal.Decimal]:
        """``Line Tariff Quantity (1)``; ``None`` when absent or blank."""
    @property
    def uom(self) -> Optional[str]:
        """``Line Tariff UOM (1) Code``; ``None`` when absent or blank."""
    @property
    def source_row(self) -> int:
        """The 1-based row of the source file (the header is row 1)."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Tariff", serialised form))``."""

# --- command line ------------------------------------------------------------------------------------------

def run_cli(argv: Sequence[str]) -> int:
    """Run the ``cape`` command line with ``argv`` (without the program name) on the process's stdout and
    stderr, without holding the GIL; return the exit code. Flush Python's ``sys.stdout`` first. Ctrl-C stops
    the command at the next row: it removes its temporary files, says ``cape: interrupted`` and returns 130."""

def _cli_options(command: str) -> Optional[List[str]]:
    """The options (`--name`, without the dashes) `cape COMMAND` accepts, for `assess`, `refunds`, `declare`, `plan`
    and `interest`; `None` for another command. The command line's own lists (cape-core's
    `cli::command_options`): what `tests/python/test_parity.py` checks the Python keywords against (private)."""

def _panic_for_tests(message: str) -> None:
    """Private: panics inside cape's panic boundary (raises :class:`CapeError`)."""

def _unpickle(name: str, data: bytes) -> Any:
    """Private: rebuilds a value pickled by a class's ``__reduce__`` (``name`` is the class, ``data`` its
    serialised form: a format-version byte, then the value). Raises :class:`FormatError` for an unknown class
    or bytes that are not exactly such a value."""

# --- assessment --------------------------------------------------------------------------------------------

_Progress = Callable[[int, Optional[int]], object]
_Path = Union[str, "os.PathLike[str]"]

@final
class Tables:
    """The reference data of an assessment: the Chapter 99 catalogue, the CAPE rule sets, the interest rate
    table and the business-day calendar. ``Tables()`` is cape's embedded data; each part can be replaced (or,
    for the catalogue and rules, extended) from files."""

    def __new__(
        cls,
        *,
        catalogue: Optional[_Path] = None,
        extra_catalogues: Sequence[_Path] = ...,
        rules: Sequence[_Path] = ...,
        rates: Optional[_Path] = None,
    ) -> "Tables": ...
    @staticmethod
    def embedded() -> "Tables":
        """cape's embedded tables (parsed once per process)."""
    @property
    def rule_sets(self) -> List[str]:
        """The names of the rule sets (``phase1``, ``phase2`` and any added)."""
    @property
    def rates_last_day(self) -> datetime.date:
        """The last day the rate table covers."""

def assess(
    source: Union[_Path, bytes, bytearray, None] = None,
    *,
    as_of: datetime.date,
    records: Union["RecordSpool", Tuple[Sequence[str], Sequence[Sequence[str]]], None] = None,
    rules: Optional[str] = ...,
    tables: Optional[Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = ...,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Union[decimal.Decimal, int, str, None] = None,
    accepted: Optional[_Path] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[Literal["liquidation_date", "final_liquidation"]] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Sequence[datetime.date]] = None,
    already_accepted: Optional[Sequence[Union[EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    progress: Optional[_Progress] = None,
    total_rows: Optional[int] = None,
    threads: Optional[int] = None,
) -> "AssessedReport":
    """Assesses every entry of an ES-003 report (a path, bytes, or ``records=(header, columns)`` of text
    cells) as of ``as_of``, without the GIL. Use :func:`cape.assess`, which also takes DataFrames."""

def assess_partition(
    source: Union[_Path, bytes, bytearray, None] = None,
    *,
    as_of: datetime.date,
    records: Union["RecordSpool", Tuple[Sequence[str], Sequence[Sequence[str]]], None] = None,
    rules: Optional[str] = ...,
    tables: Optional[Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = ...,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Union[decimal.Decimal, int, str, None] = None,
    accepted: Optional[_Path] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[Literal["liquidation_date", "final_liquidation"]] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Sequence[datetime.date]] = None,
    already_accepted: Optional[Sequence[Union[EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    min_refund: Union[decimal.Decimal, int, None] = None,
    keep_entries: bool = True,
    progress: Optional[_Progress] = None,
    total_rows: Optional[int] = None,
    threads: Optional[int] = None,
) -> "Partial":
    """Assesses one partition of a report into a mergeable :class:`Partial`. Use :func:`cape.assess_partition`."""

def iter_assess(
    source: Union[_Path, bytes, bytearray, None] = None,
    *,
    as_of: datetime.date,
    records: Union["RecordSpool", Tuple[Sequence[str], Sequence[Sequence[str]]], None] = None,
    rules: Optional[str] = ...,
    tables: Optional[Tables] = None,
    assume_last_rate: bool = False,
    importer_class: Optional[str] = ...,
    class_overrides: Optional[Mapping[str, str]] = None,
    urgent_within_days: Optional[int] = None,
    urgent_days: Optional[int] = None,
    assume_rate: Union[decimal.Decimal, int, str, None] = None,
    accepted: Optional[_Path] = None,
    last_day_offset: Optional[int] = None,
    court_accrual: Optional[Literal["liquidation_date", "final_liquidation"]] = None,
    acceptance_lag: Optional[int] = None,
    liquidation_offset: Optional[int] = None,
    reliquidation_window: Optional[int] = None,
    closures: Optional[Sequence[datetime.date]] = None,
    already_accepted: Optional[Sequence[Union[EntryNumber, str]]] = None,
    sheet: Optional[str] = None,
    source_name: Optional[str] = None,
    min_refund: Union[decimal.Decimal, int, None] = None,
    progress: Optional[_Progress] = None,
    total_rows: Optional[int] = None,
    threads: Optional[int] = None,
) -> "AssessmentIterator":
    """Assesses an ES-003 report entry by entry, in bounded memory. Use :func:`cape.iter_assess`."""

@final
class RecordSpool:
    """A table of text cells written a batch of columns at a time to a private temporary file, for
    ``records=``: how a DataFrame or Arrow table reaches the reader in bounded memory."""

    def __new__(cls, header: Sequence[str], name: str = "<records>") -> "RecordSpool": ...
    def push_columns(self, columns: Sequence[Sequence[str]]) -> None:
        """Writes a batch of rows given as one list of text cells per header column, all the same length."""
    @property
    def rows(self) -> int:
        """Rows written so far."""

@final
class AssessmentIterator:
    """The entries' assessments in file order (:func:`cape.iter_assess`); :meth:`finish` gives the
    :class:`Partial` of the whole report."""

    def __iter__(self) -> "AssessmentIterator": ...
    def __next__(self) -> "EntryAssessment": ...
    def finish(self) -> "Partial":
        """Ends the run (assessing, without yielding, what was not iterated) and returns the whole report's
        :class:`Partial` (totals, refunds, ingest balance, diagnostics; no entries)."""

@final
class AssessedReport:
    """The assessment of a whole report: a sequence of :class:`EntryAssessment` in input order.

    Indexing: an entry by position (``report[0]``, ``report[-1]``), a tuple of entries by slice
    (``report[0:2]``), or an entry by entry number (``report["VSU-0828889-3"]``, compact ``report["VSU08288893"]``,
    or an :class:`EntryNumber`); ``IndexError`` or ``KeyError`` when absent, :class:`EntryNumberError` for text
    that is not an entry number. ``key in report`` takes an entry number (text or :class:`EntryNumber`) or an
    equal :class:`EntryAssessment`.
    """

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, key: Union[int, str, EntryNumber], /) -> "EntryAssessment": ...
    @overload
    def __getitem__(self, key: slice, /) -> Tuple["EntryAssessment", ...]: ...
    def __contains__(self, key: object, /) -> bool: ...
    def get(
        self, key: Union[str, EntryNumber], default: Optional["EntryAssessment"] = None
    ) -> Optional["EntryAssessment"]:
        """The entry with entry number `key` (text or `EntryNumber`), or `default` when there is none (or `key` is
        not an entry number)."""
    def __iter__(self) -> Iterator["EntryAssessment"]: ...
    @property
    def totals(self) -> "Totals":
        """Counts by status and exact sums."""
    @property
    def diagnostics(self) -> Diagnostics:
        """The ingest's findings about rows and columns (data, not exceptions)."""
    @property
    def ingest(self) -> IngestSummary:
        """The ingest counts."""
    @property
    def rule_set(self) -> str:
        """The rule set applied."""
    @property
    def as_of(self) -> datetime.date:
        """The assessment date."""
    def to_records(self) -> List[Dict[str, Any]]:
        """One dict per entry with the keys of ``cape assess --format json`` (:data:`cape.RECORD_KEYS`);
        money as ``Decimal``, dates as ``date``."""
    def to_pandas(self, *, money: Literal["decimal", "arrow"] = "decimal") -> Any:
        """The records as a pandas DataFrame (columns :data:`cape.RECORD_KEYS`), converted column by column
        from :meth:`to_arrow`. Needs pandas and pyarrow.

        Money: ``money="decimal"`` (default) gives object columns of exact ``decimal.Decimal``;
        ``money="arrow"`` gives ``pandas.ArrowDtype(pyarrow.decimal128(18, 2))`` columns (exact, and much
        faster: no Python object per amount). Dates are ``datetime64[ms]`` (``NaT`` when absent);
        ``days_left`` and ``interest_days`` are nullable ``Int64``; ``refund_held`` is nullable ``boolean``;
        ``principal_is_upper_bound`` and ``urgent`` are ``bool``; text is pandas' default string dtype (``str``
        on pandas 3); ``findings`` and ``reasons`` are ``pandas.ArrowDtype`` list columns (a cell reads as a list of
        dicts); equal amounts share one ``Decimal`` object. Raises ``ValueError`` for another ``money``."""
    def to_arrow(self) -> Any:
        """The records as a pyarrow Table with :func:`cape.arrow_schema` (money ``decimal128(18, 2)``, dates
        ``date32``), its columns built in Rust as whole buffers. Needs pyarrow."""
    def to_polars(self) -> Any:
        """The entries as a polars DataFrame: `polars.from_arrow` of `to_arrow()` (money `Decimal(18, 2)`)."""
    def to_csv(self, path: _Path) -> None:
        """Writes the entries to `path` as `cape assess --format csv` writes them (atomically)."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the totals and the first entries (Jupyter's rich display)."""
    def plan(self, within: Optional[int] = None, by: Optional[Literal["importer", "week"]] = ...) -> "Plan":
        """The actions due (every entry's ``next_action`` but ``none`` and ``track_refund``) as of
        :attr:`as_of`, grouped by importer or by week (Monday to Sunday) of ``act_by``, soonest first, with the
        IEEPA duty at stake: ``cape plan``. ``within`` keeps only the actions due within that many days
        (entries without a deadline left out). Raises :class:`InvalidValueError` for another ``by`` or a
        negative ``within``."""
    def refunds(self, min_refund: Union[decimal.Decimal, int, None] = None) -> Refunds:
        """The refunds CBP would pay, consolidated per recipient and projected liquidation date;
        ``min_refund`` waives entries whose principal + interest is below it (19 CFR 159.6)."""
    def refund_totals(self, min_refund: Union[decimal.Decimal, int, None] = None) -> "RefundTotals":
        """Totals over the consolidated refunds."""
    def write_declarations(
        self,
        dir: _Path,
        *,
        split_by_importer: bool = False,
        max_per_file: Optional[int] = None,
        prefix: Optional[str] = None,
        replace: bool = False,
    ) -> List[pathlib.Path]:
        """Writes the CAPE declaration CSVs of the eligible and deferred entries and ``manifest.csv`` (each
        file's entry count and SHA-256) into ``dir``, atomically; returns the paths written (``pathlib.Path``),
        manifest last.

        ``dir`` is created if missing; one that holds files raises :class:`OutputNotEmptyError` unless
        ``replace=True``, which replaces an earlier run's files there (never files that are not cape's). A
        symbolic-link ``dir`` raises :class:`UnsafeOutputError`; a run into a folder another run is writing
        raises :class:`OutputLockedError`. On any error no file of this call is left under a final name.
        """
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("AssessedReport", serialised form))``."""

@final
class Partial:
    """A partial result (some partitions of a report) that merges exactly with others; its kept entries are a
    sequence like :class:`AssessedReport`'s.

    Indexing: an entry by position (``partial[0]``, ``partial[-1]``), a tuple of entries by slice
    (``partial[0:2]``), or an entry by entry number (``partial["VSU-0828889-3"]``, compact ``partial["VSU08288893"]``,
    or an :class:`EntryNumber`); ``IndexError`` or ``KeyError`` when absent, :class:`EntryNumberError` for text
    that is not an entry number. ``key in partial`` takes an entry number (text or :class:`EntryNumber`) or an
    equal :class:`EntryAssessment`.
    """

    def merge(self, other: "Partial") -> "Partial":
        """The partial result of both, this one's entries first (exact to the cent; associative). Raises
        :class:`InvalidValueError` when the two were computed with other tables, rule set or options (their
        :attr:`fingerprint` differs)."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, key: Union[int, str, EntryNumber], /) -> "EntryAssessment": ...
    @overload
    def __getitem__(self, key: slice, /) -> Tuple["EntryAssessment", ...]: ...
    def __contains__(self, key: object, /) -> bool: ...
    def get(
        self, key: Union[str, EntryNumber], default: Optional["EntryAssessment"] = None
    ) -> Optional["EntryAssessment"]:
        """The entry with entry number `key` (text or `EntryNumber`), or `default` when there is none (or `key` is
        not an entry number)."""
    def __iter__(self) -> Iterator["EntryAssessment"]: ...
    @property
    def totals(self) -> "Totals":
        """Counts by status and exact sums."""
    @property
    def partitions(self) -> int:
        """How many partitions were merged."""
    @property
    def as_of(self) -> datetime.date:
        """The assessment date."""
    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of cape's version, the tables, the rule set and every option: partials merge only
        when their fingerprints are equal."""
    @property
    def ingest(self) -> IngestSummary:
        """The ingest counts, summed over the partitions."""
    @property
    def rule_set(self) -> str:
        """The rule set applied."""
    @property
    def diagnostics(self) -> Diagnostics:
        """The ingest diagnostics of every partition (row numbers are per partition)."""
    def refunds(self) -> Refunds:
        """The consolidated refunds (with the partition's ``min_refund``)."""
    def refund_totals(self) -> "RefundTotals":
        """Totals over the consolidated refunds."""
    def to_records(self) -> List[Dict[str, Any]]:
        """As :meth:`AssessedReport.to_records` (empty when built with ``keep_entries=False``)."""
    def to_pandas(self, *, money: Literal["decimal", "arrow"] = "decimal") -> Any:
        """As :meth:`AssessedReport.to_pandas`."""
    def to_arrow(self) -> Any:
        """As :meth:`AssessedReport.to_arrow`."""
    def to_polars(self) -> Any:
        """The kept entries as a polars DataFrame: `polars.from_arrow` of `to_arrow()`."""
    def to_csv(self, path: _Path) -> None:
        """Writes the kept entries to `path` as `cape assess --format csv` writes them (atomically)."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the totals and the first kept entries (Jupyter's rich display)."""
    def plan(self, within: Optional[int] = None, by: Optional[Literal["importer", "week"]] = ...) -> "Plan":
        """As :meth:`AssessedReport.plan`, over the kept entries (none with ``keep_entries=False``)."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Partial", serialised form))``."""

@final
class EntryIter:
    """An iterator over the entries of a result."""

    def __iter__(self) -> "EntryIter": ...
    def __next__(self) -> "EntryAssessment": ...

@final
class EntryAssessment:
    """Everything cape knows about one entry as of the assessment date (frozen)."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def entry_number(self) -> EntryNumber:
        """The entry."""
    @property
    def importer_number(self) -> Optional[str]:
        """The importer of record, as written in the report."""
    @property
    def entry_type(self) -> Optional[str]:
        """The two-digit entry type code, e.g. ``"01"``."""
    @property
    def entry_date(self) -> Optional[datetime.date]:
        """The entry date."""
    @property
    def duty_before(self) -> decimal.Decimal:
        """Total duty deposited on the tariff rows."""
    @property
    def duty_after(self) -> decimal.Decimal:
        """Duty after the IEEPA ordinals are removed."""
    @property
    def ieepa_duty(self) -> decimal.Decimal:
        """The IEEPA principal: ``duty_before - duty_after``."""
    @property
    def principal_is_upper_bound(self) -> bool:
        """True when a floor line's MFN rate was unknown: :attr:`ieepa_duty` is then an upper bound."""
    @property
    def findings(self) -> Tuple["Finding", ...]:
        """The mass-processing findings (noticed; they never change the amounts)."""
    @property
    def status(self) -> str:
        """``eligible``, ``eligible_deferred``, ``ineligible`` or ``needs_review``."""
    @property
    def reasons(self) -> Tuple["Reason", ...]:
        """Every claim reason behind :attr:`status`, in the order checked."""
    @property
    def liquidation_date(self) -> Optional[datetime.date]:
        """The liquidation date, when the entry has one."""
    @property
    def last_filing_day(self) -> Optional[datetime.date]:
        """The last day to declare the entry: the liquidation date + the last-day offset; ``None`` when not
        liquidated."""
    @property
    def days_left(self) -> Optional[int]:
        """Days from the assessment date to :attr:`last_filing_day` (negative once past); ``None`` when not
        liquidated."""
    @property
    def urgent(self) -> bool:
        """True for a liquidated entry, not ineligible, whose last filing day is within the urgency horizon
        (``urgent_within_days``)."""
    @property
    def rule_set(self) -> str:
        """The name of the rule set applied (``phase1``, ``phase2``...)."""
    @property
    def deposit_date(self) -> Optional[datetime.date]:
        """The day the duty was deposited (interest runs from the day after); ``None`` when unknown."""
    @property
    def deposit_date_rule(self) -> Optional[str]:
        """How :attr:`deposit_date` was found: ``payment_date``, ``periodic_monthly_statement`` or
        ``entry_summary_date``."""
    @property
    def projected_acceptance_date(self) -> Optional[datetime.date]:
        """The projected acceptance of the declaration (eligible entries only)."""
    @property
    def projected_liquidation_date(self) -> Optional[datetime.date]:
        """The projected (re)liquidation date (eligible entries only)."""
    @property
    def interest(self) -> Optional[decimal.Decimal]:
        """Interest to the projected (re)liquidation date; ``None`` when not computed (see ``interest_note``)."""
    @property
    def interest_days(self) -> Optional[int]:
        """The days of interest, when interest was computed."""
    @property
    def interest_note(self) -> Optional[str]:
        """Why there is no interest, or that an assumed rate was used; ``None`` otherwise."""
    @property
    def importer_class(self) -> str:
        """The importer class the interest rate was taken for: ``corporate`` or ``noncorporate``."""
    @property
    def refund_recipient(self) -> Optional[str]:
        """Who the refund is paid to (the refund designee or the importer), when known."""
    @property
    def refund_held(self) -> Optional[bool]:
        """True when the refund would be held for missing ACH refund enrollment; ``None`` without a
        recipient."""
    @property
    def removal(self) -> "Removal":
        """The mass-processing result, with the new entry version."""
    @property
    def next_action(self) -> str:
        """What to do next: a stable action code (``declare``, ``withdraw_protest_then_declare``, ``protest``,
        ``court_action``, ``review_facts``, ``none``...; docs/codes.md, family ``action``)."""
    @property
    def act_by(self) -> Optional[datetime.date]:
        """The last day to act, or ``None`` when no deadline runs."""
    @property
    def next_action_note(self) -> str:
        """One line: what to do, by when, and why that day."""
    @property
    def refund_due_by(self) -> Optional[datetime.date]:
        """The day the refund is due: the projected (re)liquidation + 30 days (19 USC 1505(b)); ``None``
        without a projection (entries not eligible)."""
    def to_record(self) -> Dict[str, Any]:
        """This entry's record (see :meth:`AssessedReport.to_records`)."""
    def to_json(self) -> str:
        """The record as one line of JSON, byte for byte as ``cape assess --format jsonl`` prints it."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("EntryAssessment", serialised form))``."""

@final
class Finding:
    """A mass-processing finding: noticed, never changes the amounts."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def code(self) -> str:
        """The stable code (docs/codes.md)."""
    @property
    def message(self) -> str:
        """A plain-English explanation naming the HTS number, line and dates involved."""
    @property
    def cbp_message(self) -> Optional[str]:
        """The text ACE would return for this problem, where CBP published one."""
    @property
    def line(self) -> Optional[int]:
        """The entry-summary line, when the finding is about one."""
    @property
    def ordinal(self) -> Optional[int]:
        """The tariff ordinal, when the finding is about one."""
    @property
    def hts(self) -> Optional[str]:
        """The HTS number involved (dotted), if any."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Finding", serialised form))``."""

@final
class Reason:
    """A claim reason; ``effect`` is ``ineligible``, ``review``, ``deferred`` or ``note``."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def code(self) -> str:
        """The stable code (docs/codes.md)."""
    @property
    def message(self) -> str:
        """A plain-English explanation."""
    @property
    def cbp_message(self) -> Optional[str]:
        """The text CAPE would return for this problem, where CBP published one."""
    @property
    def effect(self) -> str:
        """What the reason does to the status: ``ineligible``, ``review``, ``deferred`` or ``note``."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Reason", serialised form))``."""

@final
class Removal:
    """The removal of the IEEPA duty from one entry: ``duty_after + ieepa_duty == duty_before``."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def entry_number(self) -> EntryNumber:
        """The entry."""
    @property
    def duty_before(self) -> decimal.Decimal:
        """The filed duty of every ordinal, summed."""
    @property
    def ieepa_duty(self) -> decimal.Decimal:
        """The refund principal: the duty deposited on the dutiable IEEPA ordinals, less MFN duty restored on
        Korea-style floor lines."""
    @property
    def duty_after(self) -> decimal.Decimal:
        """The duty of the new version."""
    @property
    def principal_is_upper_bound(self) -> bool:
        """True when some line's MFN rate was unknown, so the principal is an upper bound."""
    @property
    def has_dutiable_ieepa(self) -> bool:
        """True when the entry has at least one dutiable IEEPA (duty or floor) ordinal: a CAPE candidate."""
    @property
    def findings(self) -> Tuple[Finding, ...]:
        """What was noticed; never changes the amounts."""
    @property
    def lines(self) -> Tuple[Tuple[int, decimal.Decimal, decimal.Decimal, decimal.Decimal], ...]:
        """Per line: ``(line, duty_before, ieepa_duty, duty_after)``."""
    @property
    def new_version(self) -> Entry:
        """The new entry-summary version (IEEPA ordinals removed)."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Removal", serialised form))``."""

@final
class Totals:
    """Counts by status and exact sums over assessed entries."""

    def __hash__(self) -> int: ...

    def to_json(self) -> str:
        """The totals as one line of JSON, byte for byte the ``summary.totals`` of ``cape assess --format json``."""
    @property
    def entries(self) -> int:
        """Entries assessed."""
    @property
    def eligible(self) -> int:
        """Entries with status ``eligible``."""
    @property
    def eligible_deferred(self) -> int:
        """Entries with status ``eligible_deferred``."""
    @property
    def ineligible(self) -> int:
        """Entries with status ``ineligible``."""
    @property
    def needs_review(self) -> int:
        """Entries with status ``needs_review``."""
    @property
    def urgent(self) -> int:
        """Urgent entries: the filing window closes within the urgency horizon."""
    @property
    def ieepa_duty(self) -> decimal.Decimal:
        """The IEEPA principal over all entries."""
    @property
    def declarable_ieepa_duty(self) -> decimal.Decimal:
        """The IEEPA principal of the declarable (eligible and deferred) entries."""
    @property
    def interest(self) -> decimal.Decimal:
        """Interest over the eligible entries whose interest was computed."""
    @property
    def interest_unknown(self) -> int:
        """Eligible entries with a principal whose interest could not be computed (no published rate for some
        day); without ``assume_last_rate`` these are not in ``interest``."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the counts and amounts (Jupyter's rich display)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Totals", serialised form))``."""

@final
class RefundTotals:
    """Totals over consolidated refunds: ``paid`` excludes waived entries, ``held`` is within ``paid``."""

    def __hash__(self) -> int: ...

    @property
    def entries(self) -> int:
        """Entries consolidated."""
    @property
    def principal(self) -> decimal.Decimal:
        """Principal of all entries (waived ones included)."""
    @property
    def interest(self) -> decimal.Decimal:
        """Interest of all entries (waived ones included)."""
    @property
    def paid(self) -> decimal.Decimal:
        """Principal + interest paid: every entry but the waived ones, held refunds included."""
    @property
    def held(self) -> decimal.Decimal:
        """Principal + interest of the refunds held for missing ACH refund enrollment (within ``paid``)."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the amounts (Jupyter's rich display)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("RefundTotals", serialised form))``."""

@final
class Refund:
    """One consolidated refund: a recipient, a (projected) liquidation date, the entries paid together."""

    def __hash__(self) -> int: ...

    @property
    def recipient(self) -> str:
        """Who is paid (the refund designee or the importer)."""
    @property
    def liquidation_date(self) -> datetime.date:
        """The (projected) (re)liquidation date of the entries paid together."""
    @property
    def held(self) -> bool:
        """True when the refund would be held for missing ACH refund enrollment."""
    @property
    def refund_due_by(self) -> datetime.date:
        """The day the whole refund is due: the latest due date of its entries (19 USC 1505(b))."""
    @property
    def principal(self) -> decimal.Decimal:
        """The principal of the entries paid."""
    @property
    def interest(self) -> decimal.Decimal:
        """The interest of the entries paid."""
    @property
    def total(self) -> decimal.Decimal:
        """``principal + interest``."""
    @property
    def entries(self) -> Tuple[EntryNumber, ...]:
        """The entries paid, in the order added."""
    @property
    def interest_unknown(self) -> Tuple[EntryNumber, ...]:
        """Entries whose interest could not be computed (counted as zero)."""
    @property
    def waived(self) -> Tuple[EntryNumber, ...]:
        """Entries waived because their refund is below ``min_refund`` (19 CFR 159.6)."""
    @property
    def waived_principal(self) -> decimal.Decimal:
        """The principal of the waived entries."""
    @property
    def waived_interest(self) -> decimal.Decimal:
        """The interest of the waived entries."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Refund", serialised form))``."""

@final
class Plan:
    """The actions due over assessed entries, grouped by importer or by week, soonest first (``cape plan``):
    :meth:`AssessedReport.plan`, or ``Plan(as_of=...)`` and :meth:`add` for each entry of
    :func:`cape.iter_assess` (only the due actions are kept). ``len(plan)`` is the number of actions due."""

    def __new__(
        cls, *, as_of: datetime.date, within: Optional[int] = None, by: Optional[Literal["importer", "week"]] = ...
    ) -> "Plan": ...
    def add(self, entry: EntryAssessment) -> None:
        """Adds one assessed entry (kept when its action is due, within the horizon if one is set); add the
        entries in input order."""
    def __len__(self) -> int: ...
    @property
    def entries_seen(self) -> int:
        """The entries added, due or not."""
    @property
    def as_of(self) -> datetime.date:
        """The date the plan counts days from."""
    @property
    def within(self) -> Optional[int]:
        """Only actions due within this many days of :attr:`as_of`; ``None``: every due action."""
    @property
    def by(self) -> str:
        """``importer`` or ``week``."""
    @property
    def groups(self) -> Tuple["PlanGroup", ...]:
        """The groups: by the earliest ``act_by`` (groups without a deadline last)."""
    def to_json(self) -> str:
        """The plan as JSON, byte for byte as ``cape plan --format json`` writes it."""

@final
class PlanGroup:
    """One group of a :class:`Plan`: an importer, or a week of deadlines."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def key(self) -> str:
        """The importer number (``unknown importer`` when none), ``week of YYYY-MM-DD`` (its Monday) or
        ``no deadline``."""
    @property
    def earliest_act_by(self) -> Optional[datetime.date]:
        """The earliest ``act_by`` of the group's items; ``None`` when none has a deadline."""
    @property
    def ieepa_duty(self) -> decimal.Decimal:
        """The IEEPA duty at stake over the group's items."""
    @property
    def items(self) -> Tuple["PlanItem", ...]:
        """Soonest first; input order among equal deadlines; no deadline last."""
    def __len__(self) -> int: ...

@final
class PlanItem:
    """One entry's due action in a :class:`Plan`."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def entry_number(self) -> EntryNumber:
        """The entry."""
    @property
    def importer_number(self) -> Optional[str]:
        """The importer of record, as written."""
    @property
    def status(self) -> str:
        """The entry's claim status."""
    @property
    def action(self) -> str:
        """The entry's ``next_action``."""
    @property
    def act_by(self) -> Optional[datetime.date]:
        """The last day to act, when a deadline runs."""
    @property
    def days_left(self) -> Optional[int]:
        """``act_by`` minus the plan's as-of date, in days."""
    @property
    def ieepa_duty(self) -> decimal.Decimal:
        """The IEEPA duty at stake (the entry's principal)."""
    @property
    def note(self) -> str:
        """The entry's ``next_action_note``."""

# --- interest, declarations, results -----------------------------------------------------------------------

def interest(
    principal: Union[decimal.Decimal, int],
    start: datetime.date,
    end: datetime.date,
    importer_class: Optional[str] = ...,
    *,
    assume_last_rate: bool = False,
    assume_rate: Union[decimal.Decimal, int, str, None] = None,
    tables: Optional[Tables] = None,
) -> "Interest":
    """Interest under 19 USC 1505 (daily compounding) on ``principal`` from the deposit date ``start``
    (excluded) to the (re)liquidation date ``end`` (included). Raises ``TypeError`` for a float or bool
    principal, :class:`MoneyError` for NaN/infinite/negative ones, :class:`CapeError` for days past the
    rate table unless ``assume_last_rate``."""

@final
class Interest:
    """Interest on one deposit, with the rate periods that explain it."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def amount(self) -> decimal.Decimal:
        """The interest, rounded once to cents."""
    @property
    def principal(self) -> decimal.Decimal:
        """The principal the interest is on."""
    @property
    def start(self) -> datetime.date:
        """The deposit date: interest runs from the day after."""
    @property
    def end(self) -> datetime.date:
        """The (re)liquidation date: the last day of interest."""
    @property
    def importer_class(self) -> str:
        """``corporate`` or ``noncorporate``: which rate applies."""
    @property
    def days(self) -> int:
        """The days of interest (``end - start``)."""
    @property
    def used_assumed_rate(self) -> bool:
        """True when some day had no published rate and the last one was assumed (``assume_last_rate``)."""
    @property
    def periods(self) -> Tuple["InterestPeriod", ...]:
        """The rate periods, in date order; their interest adds up to :attr:`amount`."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Interest", serialised form))``."""

@final
class InterestPeriod:
    """One rate period (first and last counted day inclusive); the periods' interest adds up to the total."""

    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def first_day(self) -> datetime.date:
        """The first counted day (inclusive)."""
    @property
    def last_day(self) -> datetime.date:
        """The last counted day (inclusive)."""
    @property
    def days(self) -> int:
        """The counted days: ``last_day - first_day + 1``."""
    @property
    def annual_rate_percent(self) -> decimal.Decimal:
        """The annual rate, in percent."""
    @property
    def days_in_year(self) -> int:
        """The divisor of the annual rate: 365 or 366."""
    @property
    def interest(self) -> decimal.Decimal:
        """The interest earned in the period (the periods are made to add up to the total)."""
    @property
    def assumed(self) -> bool:
        """True when the rate is the assumed last rate, not a published one."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("InterestPeriod", serialised form))``."""

def check_declaration(
    source: Union[_Path, bytes, bytearray],
    *,
    es003: Union[_Path, bytes, bytearray, None] = None,
    report: Union["AssessedReport", "Partial", None] = None,
    as_of: Optional[datetime.date] = None,
    rules: Optional[str] = None,
    tables: Optional[Tables] = None,
) -> "DeclarationCheck":
    """Pre-flights a declaration file as CAPE will; with `es003` (and `as_of`), also checks each listed entry's
    status in that report as of `as_of`; with `report` (an `AssessedReport` or a `Partial` that kept its
    entries), checks them against that assessment instead of reading and assessing an ES-003 again."""

@final
class DeclarationCheck:
    """The pre-flight of a declaration file: the verdict, and every finding with its row (data, not exceptions)."""

    @property
    def source(self) -> str:
        """The name of the declaration file checked (``<buffer>`` for bytes)."""
    @property
    def verdict(self) -> str:
        """``accept``, ``reject_file`` or ``reject_entries``."""
    @property
    def exit_code(self) -> int:
        """0 accepted, 1 whole file rejected, 2 some entries rejected."""
    @property
    def rows_read(self) -> int:
        """Data rows read (the header excluded)."""
    @property
    def entries(self) -> Tuple[EntryNumber, ...]:
        """The entries the file lists, in file order."""
    @property
    def findings(self) -> Tuple["CheckFinding", ...]:
        """Every finding (`CheckFinding`), in row order."""
    @property
    def entry_verdicts(self) -> Tuple["EntryVerdict", ...]:
        """Per listed entry checked against assessed data (`EntryVerdict`); empty without `es003` or `report`."""
    def to_dict(self) -> Dict[str, Any]:
        """The check as `cape check --format json` writes it, but with each finding's CAPE wording under
        `cbp_message` (the package's one name for it)."""
    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame, one row per finding (the columns of `to_csv`)."""
    def to_polars(self) -> Any:
        """The findings as a polars DataFrame (the columns of `to_pandas`)."""
    def to_csv(self, path: _Path) -> None:
        """Writes the findings to `path` as `cape check --format csv` writes them (atomically)."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the verdict and findings (Jupyter's rich display)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("DeclarationCheck", serialised form))``."""

@final
class CheckFinding:
    """One finding of a declaration check: its code, how far it reaches (`file`, `entry`, `warning`), the row
    (`None` for the whole file), the value concerned, cape's message and CBP's wording where known."""

    @property
    def code(self) -> str:
        """The finding's code (a ``preflight`` code of ``docs/codes.md``, e.g. ``EMPTY_FILE``)."""
    @property
    def level(self) -> Literal["file", "entry", "warning"]:
        """`file` (CAPE would reject the whole file), `entry` (the entry only) or `warning`."""
    @property
    def row(self) -> Optional[int]:
        """The 1-based row (the header is row 1); `None` for the whole file."""
    @property
    def value(self) -> Optional[str]:
        """The value concerned, as written in the file; ``None`` when the finding is about no one value."""
    @property
    def message(self) -> str:
        """cape's message: what is wrong and where."""
    @property
    def cbp_message(self) -> Optional[str]:
        """CAPE's wording of the rejection, where known."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        ...

@final
class EntryVerdict:
    """The verdict on one listed entry from assessed data: the outcome (`accept`, `accept_deferred`, `reject`,
    `review`, `not_in_data`), its claim status, the codes of its reasons and CBP's message."""

    @property
    def row(self) -> int:
        """The 1-based row of the declaration file."""
    @property
    def entry_number(self) -> EntryNumber:
        """The listed entry."""
    @property
    def outcome(self) -> Literal["accept", "accept_deferred", "reject", "review", "not_in_data"]:
        """What CAPE is expected to do: ``accept``, ``accept_deferred``, ``reject``, ``review`` or ``not_in_data``."""
    @property
    def status(self) -> Optional[str]:
        """The entry's claim status; `None` when it is not in the data."""
    @property
    def reasons(self) -> Tuple[str, ...]:
        """The codes of the reasons that are not notes."""
    @property
    def cbp_message(self) -> Optional[str]:
        """CBP's message for a rejection, where known; ``None`` otherwise."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        ...

def read_results(
    source: Union[_Path, bytes, bytearray],
    *,
    declared_dir: Optional[_Path] = None,
    columns: Optional[Mapping[str, str]] = None,
    sheet: Optional[str] = None,
    max_rows: Optional[int] = None,
) -> "Results":
    """Reads ACE's claim-details file (CSV or XLSX); with ``declared_dir``, reconciles it with the declarations
    there. Broker workbooks' headers (``Entry Summary Number``, ``Cape Claim Number``, ...) are read as the
    documented alternates; ``columns`` maps a result column (``ENTRY_NUMBER``, ``CLAIM_NUMBER``, ``STATUS``,
    ``ERROR_DESCRIPTION``) to the header of the file's column that holds it (then only that header is tried).
    ``sheet`` names the workbook sheet (default: the first non-empty one); ``max_rows`` overrides the row cap
    (1,000,000). Raises :class:`MissingColumnError` when a column is not found, :class:`InvalidValueError` for
    a ``columns`` key that is not a result column, :class:`FormatError` for an unreadable file or a missing
    sheet."""

def read_closures(source: Union[_Path, bytes, bytearray]) -> List[datetime.date]:
    """Reads a file of extra federal closures (one ``YYYY-MM-DD`` date a line; blank lines and ``#`` comments
    ignored), for the ``closures=`` of :func:`cape.assess` and its family. Raises :class:`FormatError` for a
    line that is not a date, :class:`CapeIOError` for an unreadable file."""

@final
class Results:
    """CAPE's answer to declarations: per row the claim number, status and error (with meaning and remedy)."""

    @property
    def source(self) -> str:
        """The results file's name (``<buffer>`` for bytes)."""
    @property
    def rows(self) -> Tuple["ResultRow", ...]:
        """Every row of the file (`ResultRow`), in file order."""
    @property
    def problems(self) -> Tuple["ResultProblem", ...]:
        """Rows cape could not use as they are (`ResultProblem`): an entry number that does not parse, an
        over-long row."""
    @property
    def summary(self) -> Dict[str, Any]:
        """Counts as `cape results --format json` writes them: rows, updated, failed, other_status, errors_by_kind,
        unknown_errors, unknown_texts, retired_errors."""
    @property
    def reconciliation(self) -> Optional[Dict[str, Any]]:
        """With `declared_dir`: matched, declared_not_in_results, in_results_not_declared, repeated_in_results;
        otherwise `None`."""
    @property
    def accepted(self) -> Tuple[EntryNumber, ...]:
        """Entries CAPE accepted (status ``Entry Summary Updated``): pass to ``assess(already_accepted=...)``."""
    def to_dict(self) -> Dict[str, Any]:
        """The results as `cape results --format json` writes them: source, rows, problems, summary,
        reconciliation."""
    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (the columns of `to_csv`)."""
    def to_polars(self) -> Any:
        """The rows as a polars DataFrame (the columns of `to_pandas`)."""
    def to_csv(self, path: _Path) -> None:
        """Writes the rows to `path` as `cape results --format csv` writes them (atomically)."""
    def _repr_html_(self) -> str:
        """A compact HTML table of the rows (Jupyter's rich display)."""
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        """Pickles exactly: ``(_unpickle, ("Results", serialised form))``."""

@final
class ResultRow:
    """One row of a results file: the entry (`None` when its number does not parse; `entry_text` is as written),
    the claim number, the status (`entry_summary_updated`, `failed` or the text as written) and CAPE's error
    classified: its kind, text, whether CBP retired it, what it means and what to do."""

    @property
    def row(self) -> int:
        """The 1-based row (the header is row 1)."""
    @property
    def entry_number(self) -> Optional[EntryNumber]:
        """The entry; ``None`` when its number does not parse (``entry_text`` is as written)."""
    @property
    def entry_text(self) -> str:
        """The entry number as written in the file."""
    @property
    def claim_number(self) -> Optional[str]:
        """CAPE's claim number; ``None`` when the row has none."""
    @property
    def status(self) -> str:
        """``entry_summary_updated``, ``failed``, or the status text as written for another."""
    @property
    def error_kind(self) -> Optional[str]:
        """The error's kind (`unknown` for a text cape does not know); `None` without an error."""
    @property
    def error_text(self) -> Optional[str]:
        """CAPE's error text as written; ``None`` without an error."""
    @property
    def error_retired(self) -> Optional[bool]:
        """Whether CBP has retired this error text (CSMS 69056483); ``None`` without an error."""
    @property
    def error_meaning(self) -> Optional[str]:
        """What the error means; ``None`` without an error."""
    @property
    def error_remedy(self) -> Optional[str]:
        """What to do about it; ``None`` without an error."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        ...

@final
class ResultProblem:
    """A row of a results file cape could not use as it is: the row, the raw value and what is wrong."""

    @property
    def row(self) -> int:
        """The 1-based row (the header is row 1)."""
    @property
    def value(self) -> str:
        """The value as written."""
    @property
    def message(self) -> str:
        """What is wrong with it."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[[str, bytes], Any], Tuple[str, bytes]]:
        ...

def _write_csv(kind: Literal["diagnostics", "refunds"], items: Sequence[Any], path: _Path) -> None:
    """Writes `items` (`Diagnostic`s for `kind="diagnostics"`, `Refund`s for `kind="refunds"`) to `path` as the
    command line's `--format csv` does (`cape ingest`, `cape refunds`), atomically. Private: the `to_csv` of
    `cape.Diagnostics` and `cape.Refunds`."""

# --- the refund ledger -------------------------------------------------------------------------------------

_LedgerState = Literal[
    "not_declared",
    "declared",
    "rejected",
    "accepted",
    "liquidated",
    "paid",
    "paid_short",
    "paid_over",
    "held",
    "returned",
    "diverted",
    "overdue",
]

@final
class Ledger:
    """An open ledger file: cape's record of every entry from assessment to payment (SQLite, one file).

    ``Ledger(path=None, *, create=True, read_only=False, busy_timeout=None, max_size=None)`` opens the ledger at
    ``path`` (default ``cape.db``), creating it when there is none unless ``create=False``. ``read_only=True``
    reads without writing anything (recording raises). ``busy_timeout`` is how many seconds a write waits for
    another process's (default 5); ``max_size`` a ceiling in bytes on the file (a write past it fails as a full
    disk does). A foreign, damaged or newer file is refused and left as it was: :class:`FormatError`
    (``problem`` ``LEDGER_FOREIGN_FILE``, ``LEDGER_CORRUPT``, ``LEDGER_NEWER_SCHEMA``), :class:`CapeIOError`
    (``LEDGER_READ_ONLY``, ``LEDGER_FULL``), :class:`OutputLockedError` (``LEDGER_BUSY``); ``path`` is the file.
    Each record method records one file in one transaction, at most once (by its kind and SHA-256; an ES-003 once per
    ``as_of`` day). Use it in a
    ``with`` block, or call :meth:`close`.
    """

    def __new__(
        cls,
        path: Optional[_Path] = None,
        *,
        create: bool = True,
        read_only: bool = False,
        busy_timeout: Union[int, float, None] = None,
        max_size: Optional[int] = None,
    ) -> "Ledger": ...
    @property
    def path(self) -> str:
        """The ledger file's path as given."""
    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
    def close(self) -> None:
        """Closes the file (idempotent); any later call but :meth:`close` raises ``ValueError``."""
    def __enter__(self) -> "Ledger": ...
    def __exit__(self, *_exc: object) -> bool: ...
    def record(
        self,
        path: _Path,
        *,
        kind: Optional[Literal["es003", "declarations", "claim_results", "refunds"]] = None,
        as_of: Optional[datetime.date] = None,
    ) -> "ImportOutcome":
        """Records any file cape reads, its kind detected from its content as ``cape ledger record`` does: an
        ES-003 (assessed as of ``as_of``, which it then needs), a declaration folder or its ``manifest.csv``, a
        CAPE claim-details file or an ACE refund report. ``kind`` (``"es003"``, ``"declarations"``,
        ``"claim_results"``, ``"refunds"``) skips the detection. Each file is one transaction; a file recorded
        before changes nothing (``recorded`` is ``False``). Raises :class:`FormatError` for a file of no known kind."""
    def record_es003(
        self,
        path: _Path,
        *,
        as_of: datetime.date,
        rules: Optional[str] = None,
        tables: Optional[Tables] = None,
        assume_last_rate: bool = False,
        importer_class: Optional[str] = None,
        class_overrides: Optional[Mapping[str, str]] = None,
        urgent_days: Optional[int] = None,
        assume_rate: Union[decimal.Decimal, int, str, None] = None,
        accepted: Optional[_Path] = None,
        last_day_offset: Optional[int] = None,
        court_accrual: Optional[Literal["liquidation_date", "final_liquidation"]] = None,
        acceptance_lag: Optional[int] = None,
        liquidation_offset: Optional[int] = None,
        reliquidation_window: Optional[int] = None,
        closures: Optional[Sequence[datetime.date]] = None,
        already_accepted: Optional[Sequence[Union[EntryNumber, str]]] = None,
        sheet: Optional[str] = None,
        progress: Optional[_Progress] = None,
        threads: Optional[int] = None,
    ) -> "ImportOutcome":
        """Records an ES-003 file's assessments as of ``as_of``: cape assesses it (streaming, as
        :func:`cape.iter_assess` does, with the same keywords) and records per entry its claim status, expected
        principal and interest, recipient, projected dates and next action, with the reader's diagnostics."""
    def record_declarations(self, manifest_or_dir: _Path) -> "ImportOutcome":
        """Records a declaration folder written by :meth:`AssessedReport.write_declarations`: its ``manifest.csv``
        (``manifest_or_dir`` is the manifest or its folder) and each entry of each file it lists. Raises
        :class:`FormatError` when a file changed after it was written (its SHA-256 differs from the manifest's)."""
    def record_results(
        self,
        path: _Path,
        *,
        columns: Optional[Mapping[str, str]] = None,
        sheet: Optional[str] = None,
        max_rows: Optional[int] = None,
    ) -> "ImportOutcome":
        """Records a CAPE claim-details file (CSV or XLSX): per row the entry, claim number, status and CAPE's error;
        ``columns``, ``sheet`` and ``max_rows`` as :func:`cape.read_results` takes them."""
    def record_refund_report(
        self,
        path: _Path,
        *,
        kind: Optional[Literal["es022", "rev603", "rev615"]] = None,
        columns: Optional[Mapping[str, str]] = None,
        map_file: Optional[_Path] = None,
        sheet: Optional[str] = None,
    ) -> "ImportOutcome":
        """Records an ACE refund report (ES-022, REV-603 or REV-615; CSV or XLSX): per row the entry, refund number,
        principal, interest, refund date and status. ``kind`` (``"es022"``, ``"rev603"``, ``"rev615"``) is
        detected from the headers when ``None``; ``columns`` maps a field (``entry_number``, ``principal``...) to
        the header of the file's column that holds it, over the fields of the map file ``map_file`` (one
        ``field = Header`` per line). A row naming an entry the ledger never assessed is kept (``unmatched``)."""
    def status(
        self,
        *,
        importer: Optional[str] = None,
        state: Optional[_LedgerState] = None,
        as_of: Optional[datetime.date] = None,
        since: Optional[int] = None,
    ) -> "LedgerStatus":
        """Every entry's state (optionally only ``importer``'s, only those in ``state``, a code such as
        ``"paid_short"``), the totals per importer, recipient and state, and the refund report rows naming no
        assessed entry. ``overdue`` is judged as of ``as_of`` (default: the latest import's as-of day, else
        today). With ``since`` (an :attr:`ImportOutcome.import_id`), only what changed after that import, as
        :meth:`changes_since`."""
    def history(self, entry: Union[EntryNumber, str]) -> Tuple["LedgerFact", ...]:
        """Every fact recorded about ``entry`` (an :class:`EntryNumber` or text), oldest import first."""
    def changes_since(self, import_id: int) -> "LedgerStatus":
        """What changed after import ``import_id`` (an :attr:`ImportOutcome.import_id`): the entries with a fact
        recorded by a later import with their state now and totals, and the refund report rows of later imports
        naming no assessed entry."""
    def statement(self, importer: str, path: _Path, *, as_of: Optional[datetime.date] = None) -> pathlib.Path:
        """Writes ``importer``'s client statement to ``path``: one self-contained HTML page (totals expected, paid
        and outstanding, refunds by month, states, open deadlines, one line per entry), as of ``as_of`` (default:
        the day :meth:`status` judges against). Returns the path written."""


@final
class ImportOutcome:
    """What recording a file did: ``recorded`` is False when the same file (kind and SHA-256, an ES-003 as of the same day) was recorded before
    and nothing changed (then ``import_id`` and ``recorded_at`` are the earlier import's and the counts
    ``None``). ``kind`` is what was recorded (``assessment``, ``declarations``, ``claim_results``, ``es022``,
    ``rev603``, ``rev615``)."""

    @property
    def recorded(self) -> bool:
        """True when the file was recorded now; False when it was recorded before (nothing changed)."""
    @property
    def import_id(self) -> int:
        """The import's id (the earlier import's when the file was recorded before)."""
    @property
    def kind(self) -> str:
        """What was recorded: ``assessment``, ``declarations``, ``claim_results``, ``es022``, ``rev603``, ``rev615``."""
    @property
    def recorded_at(self) -> Optional[str]:
        """When the earlier import was recorded (UTC), for a file recorded before; else ``None``."""
    @property
    def rows_read(self) -> Optional[int]:
        """Rows (or entries) read; ``None`` when nothing was recorded."""
    @property
    def rows_used(self) -> Optional[int]:
        """Rows recorded as facts; ``None`` when nothing was recorded."""
    @property
    def rows_rejected(self) -> Optional[int]:
        """Rows recorded as diagnostics instead; ``None`` when nothing was recorded."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class LedgerStatus:
    """The answer of :meth:`Ledger.status` and :meth:`Ledger.changes_since`: ``entries`` (:class:`LedgerEntry`, by
    importer then entry number), ``totals`` (:class:`LedgerTotal` per importer, recipient and state), ``states``
    (per state over them all), ``unmatched`` (refund report rows naming
    no assessed entry) and the day ``as_of`` that ``overdue`` was judged against. ``to_pandas()`` and
    ``to_polars()`` give the entries as a table."""

    @property
    def as_of(self) -> datetime.date:
        """The day ``overdue`` was judged against."""
    @property
    def entries(self) -> Tuple["LedgerEntry", ...]:
        """Each entry the query selected, with its state."""
    @property
    def totals(self) -> Tuple["LedgerTotal", ...]:
        """Per importer, recipient and state: entries, expected and paid."""
    @property
    def states(self) -> Tuple["LedgerTotal", ...]:
        """Per state over every importer and recipient selected (``importer`` and ``recipient`` are ``None``):
        entries, expected and paid."""
    @property
    def unmatched(self) -> Tuple["UnmatchedPayment", ...]:
        """Refund report rows naming no entry the ledger assessed (whatever the query's importer and state; for
        :meth:`Ledger.changes_since`, those recorded after the import)."""
    def to_pandas(self) -> Any:
        """The entries as a pandas DataFrame, one row per entry (money as ``Decimal``)."""
    def to_polars(self) -> Any:
        """The entries as a polars DataFrame (the columns of ``to_pandas``)."""

@final
class LedgerEntry:
    """One entry as the ledger's view ``entry_state`` gives it: its ``state`` (a code such as ``"paid_short"``),
    what was expected and paid (principal + interest, ``Decimal``), the variance once a refund was issued, CAPE's
    claim and error, and the projected dates and next action of its latest assessment."""

    @property
    def entry_number(self) -> str:
        """The entry number, dashed (``ABC-1234567-6``)."""
    @property
    def importer(self) -> Optional[str]:
        """The importer of record, when assessed."""
    @property
    def recipient(self) -> Optional[str]:
        """Who the refund goes to, when known."""
    @property
    def state(self) -> _LedgerState:
        """The state's code (``not_declared``, ``declared``, ``rejected``, ``accepted``, ``liquidated``, ``paid``,
        ``paid_short``, ``paid_over``, ``held``, ``returned``, ``diverted``, ``overdue``)."""
    @property
    def claim_status(self) -> Optional[str]:
        """The latest assessment's claim status (``eligible``...), when assessed."""
    @property
    def expected(self) -> decimal.Decimal:
        """Principal + interest expected (0 when never assessed)."""
    @property
    def paid(self) -> decimal.Decimal:
        """Principal + interest Treasury issued."""
    @property
    def variance(self) -> Optional[decimal.Decimal]:
        """Paid minus expected, once a refund was issued; else ``None``."""
    @property
    def refund_date(self) -> Optional[datetime.date]:
        """The latest issued refund's date."""
    @property
    def refund_number(self) -> Optional[str]:
        """The latest refund's number."""
    @property
    def payment_status_text(self) -> Optional[str]:
        """The refund report's words for a hold or an unknown status."""
    @property
    def claim_number(self) -> Optional[str]:
        """CAPE's claim number."""
    @property
    def error_kind(self) -> Optional[str]:
        """CAPE's error kind for a rejected entry."""
    @property
    def error_text(self) -> Optional[str]:
        """CAPE's error text."""
    @property
    def error_remedy(self) -> Optional[str]:
        """What to do about the error."""
    @property
    def projected_liquidation(self) -> Optional[datetime.date]:
        """The projected (re)liquidation."""
    @property
    def refund_due_by(self) -> Optional[datetime.date]:
        """When the refund is due (projected (re)liquidation + 30 days)."""
    @property
    def next_action(self) -> Optional[str]:
        """The next action's code."""
    @property
    def act_by(self) -> Optional[datetime.date]:
        """The day to act by."""
    @property
    def note(self) -> Optional[str]:
        """The next action's note."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class LedgerTotal:
    """The entries and amounts of one state for one importer and recipient."""

    @property
    def importer(self) -> Optional[str]:
        """The importer."""
    @property
    def recipient(self) -> Optional[str]:
        """The recipient."""
    @property
    def state(self) -> _LedgerState:
        """The state's code."""
    @property
    def entries(self) -> int:
        """How many entries."""
    @property
    def expected(self) -> decimal.Decimal:
        """Principal + interest expected for them."""
    @property
    def paid(self) -> decimal.Decimal:
        """Principal + interest issued for them."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class UnmatchedPayment:
    """A refund report row naming no entry the ledger assessed: kept and reported, never dropped."""

    @property
    def import_id(self) -> int:
        """The import that recorded the row."""
    @property
    def source(self) -> str:
        """The report file."""
    @property
    def row(self) -> int:
        """The row in the file."""
    @property
    def entry_number(self) -> Optional[str]:
        """The entry as reported (``None``: the row names none)."""
    @property
    def refund_number(self) -> Optional[str]:
        """The refund number."""
    @property
    def amount(self) -> decimal.Decimal:
        """Principal + interest of the row."""
    @property
    def status(self) -> Optional[str]:
        """The payment's status class (``treasury_issued``...)."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...

@final
class LedgerFact:
    """One fact the ledger holds about an entry and the import that brought it."""

    @property
    def import_id(self) -> int:
        """The import."""
    @property
    def kind(self) -> str:
        """The import's kind (``assessment``, ``declarations``, ``claim_results``, ``es022``...)."""
    @property
    def source(self) -> str:
        """The file."""
    @property
    def recorded_at(self) -> str:
        """When it was recorded (UTC)."""
    @property
    def row(self) -> Optional[int]:
        """The file's row, where it has rows."""
    @property
    def fact(self) -> str:
        """The fact in one line."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
