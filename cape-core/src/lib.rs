//! # cape-core — the engine behind cape, for IEEPA tariff refunds through CBP's CAPE
//!
//! From a broker's ACE ES-003 report (entry summary line tariff details), cape tells which entries qualify for a
//! CAPE declaration and why not, what each will be refunded with interest and when, writes the declaration files,
//! checks them the way CAPE will, and reads CAPE's answers back.
//!
//! # The crate map
//!
//! CBP's CAPE has four components; each has its module here, and one spine runs an ES-003 through them all.
//!
//! | CAPE component | module | what it holds |
//! |---|---|---|
//! | 1. *Claim Portal* | [`claim`] | rule sets by phase, eligibility and its reasons, declaration files, pre-flight of a declaration as CAPE validates it, CAPE's results files |
//! | 2. *Mass Processing* | [`mass`] | the dated Chapter 99 catalogue, classification of each tariff ordinal, removal of IEEPA duty and the recalculated entry version |
//! | 3. *Review and Liquidation/Reliquidation* | [`liquidation`] | the business calendar, deposit dates, the projected acceptance and (re)liquidation schedule |
//! | 4. *Refund Consolidation* | [`refund`] | interest under 19 USC 1505 (rates, daily compounding), the recipient (importer or Form 4811 designee), consolidation per recipient and date |
//!
//! Around them:
//!
//! | module | what it holds |
//! |---|---|
//! | [`values`] | identifiers (entry numbers with their check digit, HTS numbers, importer numbers), money, dates, stable codes, provenance |
//! | [`model`], [`diagnostic`], [`error`] | the entry as cape holds it (entry → lines → tariff ordinals); row diagnostics; the one error type |
//! | [`ingest`] | reading ACE exports: source sniffing and encodings, streaming XLSX, the CSV record reader every file goes through, header mapping, cells, entry assembly, the two-pass split, the builder |
//! | [`assess`] | one entry through the four components ([`assess::Assessor`]), and the reference [`assess::Tables`] the caller owns |
//! | [`run`] | **the spine**: a source streamed entry by entry through [`assess`], each result to the caller, the rest folded into a mergeable [`run::Partial`]; progress, cancellation, threads. The only loop over entries |
//! | [`report`] | writing files atomically |
//! | `ledger` (feature `ledger`, on by default) | the refund ledger: a SQLite file following each entry from assessment to payment |
//! | `cli` (feature `cli`, on by default) | the `cape` command line, one file per command, over [`run`] |
//! | [`sample`] | a deterministic generator of realistic ES-003 data |
//!
//! The Python package (cape-py) and the C library (cape-ffi) convert arguments, call one function of this
//! crate, and convert the result back.
//!
//! Money is [`Usd`] over `rust_decimal` and never a float; every rounding names a [`Rounding`]. Dates are
//! `chrono::NaiveDate` calendar dates. Reference data is embedded, with provenance, and replaceable by the
//! caller; the library holds no global mutable state.
//!
//! ```
//! use cape_core::EntryNumber;
//! let n: EntryNumber = "B76-0158522-0".parse()?;
//! assert_eq!(n.compact(), "B7601585220");
//! # Ok::<(), cape_core::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod assess;
pub mod claim;
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostic;
pub mod error;
pub mod ingest;
#[cfg(feature = "ledger")]
pub mod ledger;
pub mod liquidation;
pub mod mass;
pub mod model;
pub mod refund;
pub mod report;
pub mod run;
pub mod sample;
pub mod values;

/// Entries built field by field (moved into [`ingest`]; this path is kept for existing callers).
pub use ingest::builder;

pub use builder::{assess_es003, Es003Builder};
pub use diagnostic::{Diagnostic, DiagnosticCode, Severity};
pub use error::{EntryNumberError, Error, ErrorKind, LedgerProblem, Result};
pub use ingest::ahead::ReadAhead;
pub use ingest::es003::{read_es003_bytes, read_es003_path, Es003, Es003Options, Es003Reader, IngestSummary};
pub use ingest::workbook::WorkbookLimits;
pub use model::{Entry, EntryHeader, Fact, Line, Tariff, Text};
pub use values::date::{excel_serial_date, iso, parse_date};
pub use values::entry_number::{check_digit, EntryNumber};
pub use values::hts::HtsNumber;
pub use values::ids::{CountryCode, EntryType, FilerCode, ImporterNumber, ImporterNumberKind};
pub use values::money::{Rounding, Usd};

/// The version of cape-core (Cargo's package version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// refund
pub use refund::{
    compute_interest, deposit_date, project_liquidation, AssumedRate, BusinessCalendar, DepositDate, DepositOptions,
    DepositRule, InterestCalculator, InterestOptions, InterestPeriod, InterestResult, ProjectedDates, RateTable,
    ScheduleOptions,
};

// mass processing
pub use mass::{
    remove_ieepa, Catalogue, CatalogueRow, Classification, Finding, FindingCode, Lookup, OtherPrograms, Provenance,
    Removal, RowKind,
};

// claim
pub use claim::{
    assess_claim, build_declarations, preflight_bytes, preflight_path, read_results_bytes, read_results_path,
    reconcile, write_declarations, CapeError, CapeErrorKind, CapeResults, Check, ClaimAssessment, ClaimInputs,
    ClaimOptions, ClaimStatus, DeclarationOptions, DeclarationSet, PreflightOptions, PreflightReport, Reason,
    ReasonCode, RuleSet, RuleSets, Verdict,
};
