"""cape: IEEPA tariff refunds through CBP's CAPE.

A thin wrapper of the Rust library cape-core. Money is always :class:`decimal.Decimal`, dates
:class:`datetime.date`; every value is immutable.

>>> import cape
>>> str(cape.EntryNumber("abc 1234567 6"))
'ABC-1234567-6'
>>> cape.check_digit("ABC1234567")
6

Errors derive from :class:`CapeError`; those caused by bad input also derive from :class:`ValueError`,
I/O errors from :class:`OSError`. Problems with individual rows of a report are not raised: they are the
report's :attr:`Es003.diagnostics`.
"""

from cape._cape import (
    CapeError,
    CapeIOError,
    CapeOverflowError,
    DateError,
    Diagnostic,
    Entry,
    EntryNumber,
    EntryNumberError,
    Es003,
    FormatError,
    HtsNumberError,
    IngestSummary,
    InvalidValueError,
    Line,
    MissingColumnError,
    MoneyError,
    ReferenceDataError,
    Tariff,
    __version__,
    check_digit,
    read_es003,
)

__all__ = [
    "__version__",
    # values
    "EntryNumber",
    "check_digit",
    # ES-003 ingest
    "read_es003",
    "Es003",
    "IngestSummary",
    "Diagnostic",
    "Entry",
    "Line",
    "Tariff",
    # exceptions
    "CapeError",
    "EntryNumberError",
    "HtsNumberError",
    "MoneyError",
    "DateError",
    "InvalidValueError",
    "FormatError",
    "MissingColumnError",
    "ReferenceDataError",
    "CapeIOError",
    "CapeOverflowError",
]
