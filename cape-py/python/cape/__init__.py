"""cape: IEEPA tariff refunds through CBP's CAPE.

A thin wrapper of the Rust library cape-core. Money is always :class:`decimal.Decimal`, dates
:class:`datetime.date`; every value is immutable.

>>> import cape
>>> str(cape.EntryNumber("abc 1234567 6"))
'ABC-1234567-6'
>>> cape.check_digit("ABC1234567")
6

>>> from datetime import date
>>> from decimal import Decimal
>>> cape.interest(Decimal("10000.00"), date(2025, 6, 2), date(2026, 3, 16)).amount
Decimal('483.05')

Errors derive from :class:`CapeError`; those caused by bad input also derive from :class:`ValueError`,
I/O errors from :class:`OSError`. Problems with individual rows of a report are not raised: they are the
report's :attr:`Es003.diagnostics`.
"""

from cape._cape import (
    AssessedReport,
    AssessmentIterator,
    CancelledError,
    CapeError,
    CapeIOError,
    CapeOverflowError,
    CheckFinding,
    DateError,
    DeclarationCheck,
    Diagnostic,
    Entry,
    EntryAssessment,
    EntryNumber,
    EntryNumberError,
    EntryVerdict,
    Es003,
    Finding,
    FormatError,
    HtsNumberError,
    ImportOutcome,
    IngestSummary,
    Interest,
    InterestPeriod,
    InvalidValueError,
    Ledger,
    LedgerEntry,
    LedgerFact,
    LedgerStatus,
    LedgerTotal,
    Line,
    MissingColumnError,
    MoneyError,
    OutputLockedError,
    OutputNotEmptyError,
    Partial,
    Plan,
    PlanGroup,
    PlanItem,
    Reason,
    RecordSpool,
    ReferenceDataError,
    Refund,
    RefundTotals,
    Removal,
    ResultProblem,
    ResultRow,
    Results,
    Tables,
    Tariff,
    Totals,
    UnmatchedPayment,
    UnsafeOutputError,
    __version__,
    check_declaration,
    check_digit,
    interest,
    read_closures,
    read_es003,
    read_results,
)
from cape._frames import (
    RECORD_KEYS,
    Diagnostics,
    Refunds,
    arrow_schema,
    assess,
    assess_partition,
    iter_assess,
    merge,
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
    "Diagnostics",
    "Entry",
    "Line",
    "Tariff",
    # assessment
    "assess",
    "assess_partition",
    "iter_assess",
    "AssessmentIterator",
    "RecordSpool",
    "merge",
    "Tables",
    "AssessedReport",
    "EntryAssessment",
    "Finding",
    "Reason",
    "Removal",
    "Totals",
    "Refund",
    "Refunds",
    "RefundTotals",
    "Partial",
    "Plan",
    "PlanGroup",
    "PlanItem",
    "RECORD_KEYS",
    "arrow_schema",
    # refunds, declarations, results
    "interest",
    "Interest",
    "InterestPeriod",
    "check_declaration",
    "DeclarationCheck",
    "CheckFinding",
    "EntryVerdict",
    "read_results",
    "Results",
    "ResultRow",
    "ResultProblem",
    "read_closures",
    # the refund ledger
    "Ledger",
    "ImportOutcome",
    "LedgerStatus",
    "LedgerEntry",
    "LedgerTotal",
    "UnmatchedPayment",
    "LedgerFact",
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
    "OutputNotEmptyError",
    "OutputLockedError",
    "UnsafeOutputError",
    "CancelledError",
]
