//! Diagnostics: what cape says about input rows it could not use as they are.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::EntryNumber;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A fact about the file (a column missing, an ignored column). No row is affected.
    Info,
    /// The row was used, but something about it needs attention (the entry may need review).
    Warning,
    /// The row was rejected and not used.
    Error,
}

impl Severity {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $sev:ident, $meaning:literal; )*) => {
        crate::values::codes::stable_codes! {
            /// A stable diagnostic code. The text form ([`DiagnosticCode::as_str`], e.g. `ES003_INVALID_ENTRY_NUMBER`)
            /// is a public contract.
            pub enum DiagnosticCode: as_str {
                $( $(#[$m])* #[doc = $meaning] $variant = $code, )*
            }
        }

        impl DiagnosticCode {
            /// The severity this code always has.
            pub fn severity(self) -> Severity {
                match self { $( DiagnosticCode::$variant => Severity::$sev, )* }
            }

            /// What the code means, in one sentence.
            pub fn meaning(self) -> &'static str {
                match self { $( DiagnosticCode::$variant => $meaning, )* }
            }
        }
    };
}

codes! {
    MissingValue = "ES003_MISSING_VALUE", Error, "A required cell (entry number, line, ordinal, HTS, duty, entry date) is empty; the row is rejected.";
    InvalidEntryNumber = "ES003_INVALID_ENTRY_NUMBER", Error, "The entry number is malformed or its check digit is wrong; the row is rejected.";
    InvalidNumber = "ES003_INVALID_NUMBER", Error, "A line number or tariff ordinal is not a positive whole number; the row is rejected.";
    InvalidHts = "ES003_INVALID_HTS", Error, "The HTS number is not 8 or 10 digits; the row is rejected.";
    InvalidMoney = "ES003_INVALID_MONEY", Error, "A money cell does not parse; the row is rejected.";
    SubCentAmount = "ES003_SUB_CENT_AMOUNT", Error, "A money cell (duty or goods value) has non-zero digits beyond cents (`10.005`); the row is rejected, as ACE amounts are whole cents.";
    InvalidDate = "ES003_INVALID_DATE", Error, "The entry date does not parse; the row is rejected.";
    RaggedRow = "ES003_RAGGED_ROW", Error, "The row has a different number of cells than the header; the row is rejected.";
    EmptyRow = "ES003_EMPTY_ROW", Error, "The row has no values; it is counted as rejected.";
    UnreadableRow = "ES003_UNREADABLE_ROW", Error, "The CSV reader could not read the row (bad quoting); the row is rejected.";
    RecordTooLong = "ES003_RECORD_TOO_LONG", Error, "The record is longer than the limit (1 MiB unless set otherwise, `Es003Options::max_record_bytes`; for a workbook row, 1 MiB of text or one cell over 128 KiB); the row is rejected and reading goes on after the first line end past the limit.";
    DuplicateRow = "ES003_DUPLICATE_ROW", Error, "The row repeats an earlier row of the same entry, line and ordinal with the same values; it is counted once.";
    ConflictingDuplicateRow = "ES003_CONFLICTING_DUPLICATE_ROW", Error, "The row repeats an earlier entry/line/ordinal with different values; it is rejected and the entry needs review.";
    ConflictingEntryValue = "ES003_CONFLICTING_ENTRY_VALUE", Warning, "An entry-level value differs from the value on the entry's first row; the first value is kept and the entry needs review.";
    ConflictingLineValue = "ES003_CONFLICTING_LINE_VALUE", Warning, "A line-level value differs between ordinals of the same line; the first value is kept and the entry needs review.";
    UnreadableValue = "ES003_UNREADABLE_VALUE", Warning, "An optional cell holds text cape cannot read (an Excel error value included); it is kept verbatim, the fact is unknown, and an entry-level fact so read makes the entry needs_review (UNREADABLE_FACT).";
    UnrecognisedImporterNumber = "ES003_UNRECOGNISED_IMPORTER_NUMBER", Warning, "The importer number is in no known form (IRS, CBP-assigned, SSN); it is kept as written.";
    NegativeAmount = "ES003_NEGATIVE_AMOUNT", Warning, "A duty or value amount is negative; it is used as filed.";
    SplitEntry = "ES003_SPLIT_ENTRY", Warning, "The entry's rows are not contiguous in the file; they were merged.";
    MissingOptionalColumn = "ES003_MISSING_OPTIONAL_COLUMN", Info, "An optional column is absent; the fact it carries is unknown for every entry.";
    UnknownColumn = "ES003_UNKNOWN_COLUMN", Info, "A column cape does not use; it is ignored.";
    DuplicateColumn = "ES003_DUPLICATE_COLUMN", Info, "A column name appears twice; the first occurrence is used.";
    UnknownOverrideImporter = "ES003_UNKNOWN_OVERRIDE_IMPORTER", Warning, "A class override (`--class-override`, Python's `class_overrides`) names an importer number no entry of the report has; the override is not used.";
    RefundMissingValue = "REFUND_MISSING_VALUE", Error, "A refund-report row lacks a value its kind requires (the entry in ES-022 and REV-615, the refund number in REV-603 and REV-615); the row is rejected.";
    RefundInvalidEntryNumber = "REFUND_INVALID_ENTRY_NUMBER", Error, "A refund-report row (ES-022, REV-615) names an entry number that is malformed or fails its check digit; the row is rejected.";
    RefundUnreadableEntryNumber = "REFUND_UNREADABLE_ENTRY_NUMBER", Warning, "A REV-603 row's entry number does not parse; the refund is kept by its refund number, without the entry.";
    RefundInvalidMoney = "REFUND_INVALID_MONEY", Error, "A refund amount (principal or interest) is not an amount or is negative; the row is rejected.";
    RefundSubCentAmount = "REFUND_SUB_CENT_AMOUNT", Error, "A refund amount has non-zero digits beyond cents; the row is rejected, as refunds are whole cents.";
    RefundInvalidDate = "REFUND_INVALID_DATE", Error, "A refund or status date is neither MM/DD/YYYY nor YYYY-MM-DD, or no such day; the row is rejected.";
    RefundRaggedRow = "REFUND_RAGGED_ROW", Error, "A refund-report row has values beyond the header's columns, or (CSV) fewer cells than the header; the row is rejected.";
    RefundRecordTooLong = "REFUND_RECORD_TOO_LONG", Error, "A refund-report record is longer than 1 MiB; the row is rejected and reading goes on after it.";
}

/// One finding about one row (or, for file-level facts, the file).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The source file name (`<buffer>` for in-memory input).
    pub source: Arc<str>,
    /// The 1-based row in the file (the header is row 1); `None` for file-level facts.
    pub row: Option<u64>,
    /// The column's name as written in the file, when one cell is concerned.
    pub column: Option<Box<str>>,
    /// The raw cell value, when one cell is concerned, cut by [`echo_value`] beyond [`MAX_ECHOED_CHARS`]
    /// characters with its full length said.
    pub value: Option<Box<str>>,
    /// The stable code.
    pub code: DiagnosticCode,
    /// A plain-English message.
    pub message: String,
    /// The entry concerned, when known.
    pub entry: Option<EntryNumber>,
}

impl Diagnostic {
    /// The severity of the diagnostic's code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(r) = self.row {
            write!(f, ":{r}")?;
        }
        write!(f, ": {} {}", self.severity().name(), self.code)?;
        if let Some(c) = &self.column {
            write!(f, " [{c}")?;
            if let Some(v) = &self.value {
                write!(f, " = {v:?}")?;
            }
            write!(f, "]")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("source", &*self.source)?;
        m.serialize_entry("row", &self.row)?;
        m.serialize_entry("column", &self.column.as_deref())?;
        m.serialize_entry("value", &self.value.as_deref())?;
        m.serialize_entry("code", self.code.as_str())?;
        m.serialize_entry("severity", self.severity().name())?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("entry_number", &self.entry.map(|e| e.to_string()))?;
        m.end()
    }
}

impl<'de> serde::Deserialize<'de> for Diagnostic {
    /// Reads what `Serialize` writes; `severity` must be the code's (it is derived from the code).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            source: String,
            row: Option<u64>,
            column: Option<Box<str>>,
            value: Option<Box<str>>,
            code: DiagnosticCode,
            severity: String,
            message: String,
            entry_number: Option<EntryNumber>,
        }
        let f = Fields::deserialize(d)?;
        if f.severity != f.code.severity().name() {
            return Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&f.severity),
                &f.code.severity().name(),
            ));
        }
        Ok(Diagnostic {
            source: f.source.into(),
            row: f.row,
            column: f.column,
            value: f.value,
            code: f.code,
            message: f.message,
            entry: f.entry_number,
        })
    }
}

/// The most characters of a raw value that cape echoes in a diagnostic, a preflight finding or a results
/// message. A longer value is cut there (on a character boundary) and its full length is said, so that a
/// hostile 1 GB cell costs a few hundred bytes of output, not gigabytes.
pub const MAX_ECHOED_CHARS: usize = 200;

/// A raw value as cape echoes it: unchanged when it has at most [`MAX_ECHOED_CHARS`] characters, else its
/// first [`MAX_ECHOED_CHARS`] characters followed by `… (cut; N bytes in all)`. The one helper every echo
/// of an input value goes through (ES-003 diagnostics, declaration-file findings, results messages).
///
/// # Example
///
/// ```
/// use cape_core::diagnostic::{echo_value, MAX_ECHOED_CHARS};
/// assert_eq!(echo_value("10.00x"), "10.00x");
/// let long = "é".repeat(1_000);
/// let shown = echo_value(&long);
/// assert!(shown.starts_with(&"é".repeat(MAX_ECHOED_CHARS)));
/// assert!(shown.ends_with("… (cut; 2000 bytes in all)"));
/// ```
pub fn echo_value(raw: &str) -> Cow<'_, str> {
    match raw.char_indices().nth(MAX_ECHOED_CHARS) {
        None => Cow::Borrowed(raw),
        Some((at, _)) => Cow::Owned(cut_note(raw.get(..at).unwrap_or_default(), raw.len())),
    }
}

/// `head` (already cut) followed by the note saying the value's full length in bytes.
pub(crate) fn cut_note(head: &str, full_len: usize) -> String {
    format!("{head}… (cut; {full_len} bytes in all)")
}

/// The default number of detailed diagnostics kept per code by a reader ([`crate::Es003Options`]); counts
/// per code stay exact beyond it ([`crate::IngestSummary::counts_by_code`]).
pub const DEFAULT_MAX_DIAGNOSTICS_PER_CODE: u64 = 1_000;

/// Appends the diagnostics of the next part of the same file (read by another reader of
/// [`crate::Es003Reader::open_parts`]) to those of the parts before, keeping per code only as many as one
/// reader over the whole file would have kept (the first `max_per_code`, in file order), and counts the rest
/// in `dropped`. `None` keeps every diagnostic.
pub(crate) fn append_capped(
    kept: &mut Vec<Diagnostic>,
    next: Vec<Diagnostic>,
    max_per_code: Option<u64>,
    dropped: &mut u64,
) {
    let Some(cap) = max_per_code else {
        kept.extend(next);
        return;
    };
    let mut have: std::collections::BTreeMap<DiagnosticCode, u64> = std::collections::BTreeMap::new();
    for d in kept.iter() {
        *have.entry(d.code).or_default() += 1;
    }
    for d in next {
        let n = have.entry(d.code).or_default();
        if *n < cap {
            *n += 1;
            kept.push(d);
        } else {
            *dropped = dropped.saturating_add(1);
        }
    }
}
