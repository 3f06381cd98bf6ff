"""Type stubs of the private native module ``cape._cape`` (use the ``cape`` package instead)."""

import datetime
import decimal
import os
from typing import Optional, Sequence, Tuple, Union, final

__version__: str
"""The version of the package (Cargo's version of cape-py)."""

CORE_VERSION: str
"""The version of cape-core the package was built with."""

# --- exceptions --------------------------------------------------------------------------------------------

class CapeError(Exception):
    """Root of every exception cape raises.

    ``kind`` is the stable snake-case name of the cape-core error kind (``"invalid_entry_number"``...) and
    ``code`` its stable number (the C API's). A bug inside cape (a Rust panic) is raised as a plain
    ``CapeError``, never as ``PanicException``.
    """

    kind: str
    code: int

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
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def __lt__(self, other: "EntryNumber") -> bool: ...
    def __le__(self, other: "EntryNumber") -> bool: ...
    def __gt__(self, other: "EntryNumber") -> bool: ...
    def __ge__(self, other: "EntryNumber") -> bool: ...
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
    absent, :class:`FormatError` when the content is neither CSV nor a workbook.
    """

@final
class Es003:
    """The result of :func:`read_es003`: entries, diagnostics and the counts."""

    @property
    def entries(self) -> Tuple["Entry", ...]:
        """The entries, in order of first appearance."""
    @property
    def diagnostics(self) -> Tuple["Diagnostic", ...]:
        """What cape says about rows it could not use as they are (and file-level facts)."""
    @property
    def summary(self) -> "IngestSummary":
        """The counts: ``rows_read == rows_used + rows_rejected``."""

@final
class IngestSummary:
    """The counts of one ingest."""

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
    def columns_used(self) -> Tuple[str, ...]:
        """The canonical names of the columns found and used."""
    @property
    def columns_missing(self) -> Tuple[str, ...]:
        """The canonical names of optional columns not in the file."""
    def is_balanced(self) -> bool:
        """True when ``rows_read == rows_used + rows_rejected`` and ``rows_used == tariff_rows``."""

@final
class Diagnostic:
    """One finding about one input row, or about the file when ``row`` is ``None``. ``str()`` formats it."""

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

@final
class Entry:
    """An entry summary: header facts and lines.

    An optional fact is its value when the file supplied and cape read it, and ``None`` when the column is
    absent, the cell blank, or its text unreadable (see the diagnostics). Money is ``decimal.Decimal``.
    """

    @property
    def number(self) -> EntryNumber: ...
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
    def importer_number(self) -> Optional[str]: ...
    @property
    def importer_number_kind(self) -> Optional[str]:
        """The importer number's form (IRS, CBP-assigned, SSN, unrecognised), as cape-core names it."""
    @property
    def importer_name(self) -> Optional[str]: ...
    @property
    def filer_name(self) -> Optional[str]: ...
    @property
    def port_of_entry(self) -> Optional[str]: ...
    @property
    def entry_date(self) -> Optional[datetime.date]:
        """``Entry Date`` (required, so set on every entry read from a file)."""
    @property
    def entry_summary_date(self) -> Optional[datetime.date]: ...
    @property
    def initial_summary_create_date(self) -> Optional[datetime.date]: ...
    @property
    def importation_date(self) -> Optional[datetime.date]: ...
    @property
    def liquidation_date(self) -> Optional[datetime.date]: ...
    @property
    def liquidation_status(self) -> Optional[str]:
        """``unliquidated``, ``liquidated``, ``suspended``, ``extended``, ``under_review`` or ``final``."""
    @property
    def final_liquidation(self) -> Optional[bool]: ...
    @property
    def reconciliation_flag(self) -> Optional[bool]: ...
    @property
    def psc_flag(self) -> Optional[bool]: ...
    @property
    def protest_number(self) -> Optional[str]: ...
    @property
    def protest_status(self) -> Optional[str]:
        """``open``, ``suspended`` or ``closed``."""
    @property
    def control_status(self) -> Optional[str]: ...
    @property
    def review_team(self) -> Optional[str]: ...
    @property
    def total_liquidated_duty(self) -> Optional[decimal.Decimal]: ...
    @property
    def payment_date(self) -> Optional[datetime.date]: ...
    @property
    def payment_type(self) -> Optional[int]: ...
    @property
    def refund_designee(self) -> Optional[str]: ...
    @property
    def summary_status(self) -> Optional[str]:
        """``accepted``, ``cancelled`` or ``rejected``."""
    @property
    def reconciliation_entry(self) -> Optional[EntryNumber]: ...
    @property
    def drawback_flag(self) -> Optional[bool]: ...
    @property
    def surety_paid(self) -> Optional[bool]: ...
    @property
    def adcvd_status(self) -> Optional[str]:
        """``suspended``, ``pending_liquidation``, ``liquidated`` or ``not_applicable``."""
    @property
    def ach_refund_enrolled(self) -> Optional[bool]: ...
    @property
    def importer_class(self) -> Optional[str]:
        """``corporate`` or ``noncorporate``."""

@final
class Line:
    """One entry-summary line and its tariff ordinals."""

    @property
    def number(self) -> int: ...
    @property
    def entry_number(self) -> EntryNumber:
        """The entry the line belongs to."""
    @property
    def country_of_origin(self) -> Optional[str]: ...
    @property
    def country_of_export(self) -> Optional[str]: ...
    @property
    def spi(self) -> Optional[str]: ...
    @property
    def manufacturer_id(self) -> Optional[str]: ...
    @property
    def foreign_exporter_id(self) -> Optional[str]: ...
    @property
    def mfn_rate_percent(self) -> Optional[decimal.Decimal]:
        """``Column 1 Current Primary Duty Rate`` as a percent (``Free`` is 0)."""
    @property
    def psc_flag(self) -> Optional[bool]: ...
    @property
    def tariffs(self) -> Tuple["Tariff", ...]:
        """The tariff ordinals, in ordinal order."""

@final
class Tariff:
    """One tariff ordinal of a line: one ES-003 row."""

    @property
    def ordinal(self) -> int: ...
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
    def quantity(self) -> Optional[decimal.Decimal]: ...
    @property
    def uom(self) -> Optional[str]: ...
    @property
    def source_row(self) -> int:
        """The 1-based row of the source file (the header is row 1)."""

# --- command line ------------------------------------------------------------------------------------------

def run_cli(argv: Sequence[str]) -> int:
    """Run the ``cape`` command line with ``argv`` (without the program name) on the process's stdout and
    stderr, without holding the GIL; return the exit code. Flush Python's ``sys.stdout`` first."""

def _panic_for_tests(message: str) -> None:
    """Private: panics inside cape's panic boundary (raises :class:`CapeError`)."""
