//! One entry point that records any file cape knows ([`Ledger::record_path`]), its kind detected from its
//! content (the header row), never from its name.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::{ImportKind, ImportOutcome, Ledger};
use crate::assess::{AssessOptions, Tables};
use crate::claim::declaration::{sha256_hex, MANIFEST_FILE, MANIFEST_HEADER};
use crate::claim::results::{ResultsOptions, RESULT_COLUMN_SPECS};
use crate::error::{Error, ErrorKind, Result};
use crate::ingest::columns::{header_key, COLUMNS};
use crate::ingest::records::{in_memory, Record};
use crate::ingest::source::{read_capped, utf8_text, Capped, DEFAULT_MAX_RECORD_BYTES};
use crate::ingest::workbook::{WorkbookInput, WorkbookLimits, WorkbookRows};
use crate::refund::payments::{
    read_refund_report, PaymentField, RefundReportKind, RefundReportNames, RefundReportOptions, RefundReportSource,
    MAX_REFUND_REPORT_FILE_BYTES,
};
use crate::run::RunOptions;
use crate::values::text::unwrap_excel_str;

/// How many bytes of a CSV file [`detect_kind`] reads to find its header row: 64 KiB, more than any header
/// cape reads (a header longer than this is not recognised, and the caller names the kind instead).
pub const DETECT_PREFIX_BYTES: usize = 64 * 1024;

/// What kind of file [`Ledger::record_path`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// An ES-003 report, assessed as of a day.
    Es003,
    /// A declaration folder's `manifest.csv` (or the folder holding it).
    Declarations,
    /// A CAPE claim-details (results) file.
    ClaimResults,
    /// An ACE refund report (ES-022, REV-603, REV-615).
    Refunds,
}

impl RecordKind {
    /// Every kind, in the order [`detect_kind`] tries them.
    pub const ALL: [RecordKind; 4] =
        [RecordKind::Declarations, RecordKind::ClaimResults, RecordKind::Refunds, RecordKind::Es003];

    /// The stable name (`es003`, `declarations`, `claim_results`, `refunds`), as `--kind` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Es003 => "es003",
            RecordKind::Declarations => "declarations",
            RecordKind::ClaimResults => "claim_results",
            RecordKind::Refunds => "refunds",
        }
    }

    /// The kind a name gives ([`RecordKind::as_str`], case and punctuation ignored; `manifest` and `results`
    /// also name declarations and claim results).
    pub fn parse(name: &str) -> Option<RecordKind> {
        let k = header_key(name);
        match k.as_str() {
            "manifest" => Some(RecordKind::Declarations),
            "results" | "claimdetails" => Some(RecordKind::ClaimResults),
            _ => RecordKind::ALL.iter().copied().find(|r| header_key(r.as_str()) == k),
        }
    }
}

/// How [`Ledger::record_path`] reads a file; [`Default`] detects the kind and reads each kind by its defaults.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RecordOptions {
    /// The file's kind; `None` detects it ([`detect_kind`]).
    pub kind: Option<RecordKind>,
    /// The day an ES-003 is assessed as of (required for an ES-003; the other kinds ignore it).
    pub as_of: Option<NaiveDate>,
    /// The reference data an ES-003 is assessed with; `None`: the embedded tables ([`Tables::embedded`]).
    pub tables: Option<Tables>,
    /// How an ES-003 is assessed (its `as_of` is replaced by [`RecordOptions::as_of`]); `None`: the defaults.
    pub assess: Option<AssessOptions>,
    /// How an ES-003 is read and run (sheet, threads, the cancel flag).
    pub run: RunOptions,
    /// How a claim-details file is read (column map, sheet).
    pub results: ResultsOptions,
    /// How a refund report is read (kind, column map, sheet).
    pub refunds: RefundReportOptions,
}

impl std::fmt::Debug for RecordOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordOptions")
            .field("kind", &self.kind)
            .field("as_of", &self.as_of)
            .field("results", &self.results)
            .field("refunds", &self.refunds)
            .finish_non_exhaustive()
    }
}

/// What [`Ledger::record_path`] did: the import's outcome and the kind of file it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordOutcome {
    /// The kind recorded (for a refund report, which report).
    pub kind: ImportKind,
    /// Whether the kind was detected from the content (false: the caller named it).
    pub detected: bool,
    /// Recorded, or recorded before.
    pub outcome: ImportOutcome,
}

/// What [`detect_kind`] looks for, in the error for a file it cannot place.
fn looked_for() -> String {
    let results: Vec<String> = RESULT_COLUMN_SPECS
        .iter()
        .map(|s| std::iter::once(s.name).chain(s.alternates.iter().copied()).collect::<Vec<_>>().join(" / "))
        .collect();
    let es003: Vec<String> = COLUMNS
        .iter()
        .filter(|c| c.required)
        .map(|c| std::iter::once(c.name).chain(c.alternates.iter().copied()).collect::<Vec<_>>().join(" / "))
        .collect();
    format!(
        "a declaration manifest (header {MANIFEST_HEADER}); a CAPE claim-details file (columns {}); an ACE refund \
         report (ES-022, REV-603 or REV-615: an entry or refund number column and a refund number, principal or \
         interest column, by the names of refund_report_columns.json or --column); an ES-003 (columns {})",
        results.join(", "),
        es003.join(", ")
    )
}

/// Detects what kind of file `path` is from its header row (a folder holding `manifest.csv` is declarations):
/// a declaration manifest (cape's [`MANIFEST_HEADER`]), a CAPE claim-details file (the four result columns, by
/// their names, alternates or `options.results`'s map), an ACE refund report (as the refund-report reader
/// detects its kind, with a refund number, principal or interest column), an ES-003 (every required ES-003
/// column), tried in that order. CSV (UTF-8 or UTF-16 with its byte-order mark) and XLSX are read; only the
/// first [`DETECT_PREFIX_BYTES`] of a CSV file.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] when it is binary, an `.xls` workbook, empty,
/// or none of the kinds (the message lists what was looked for).
pub fn detect_kind(path: &Path, options: &RecordOptions) -> Result<RecordKind> {
    let name = path.display().to_string();
    let unknown = |what: String| Error::Format {
        source_name: name.clone(),
        message: format!("cannot tell what file this is ({what}); cape looked for {}. Give --kind", looked_for()),
    };
    if path.is_dir() {
        return if path.join(MANIFEST_FILE).is_file() {
            Ok(RecordKind::Declarations)
        } else {
            Err(unknown(format!("a folder without {MANIFEST_FILE}")))
        };
    }
    let sheet = options.refunds.sheet.as_deref().or(options.results.sheet.as_deref());
    let names = header_names(path, &name, sheet)?;
    let keys: Vec<String> = names.iter().map(|n| header_key(n)).collect();
    let has = |h: &str| {
        let k = header_key(h);
        !k.is_empty() && keys.contains(&k)
    };
    let manifest: Vec<String> = MANIFEST_HEADER.split(',').map(header_key).collect();
    if keys == manifest {
        return Ok(RecordKind::Declarations);
    }
    let mapped = |map: &std::collections::BTreeMap<String, String>, column: &str| {
        map.iter().find(|(k, _)| header_key(k) == header_key(column)).map(|(_, h)| h.clone())
    };
    let results = RESULT_COLUMN_SPECS.iter().all(|s| match mapped(&options.results.columns, s.name) {
        Some(h) => has(&h),
        None => has(s.name) || s.alternates.iter().any(|a| has(a)),
    });
    if results {
        return Ok(RecordKind::ClaimResults);
    }
    let embedded;
    let table = match &options.refunds.names {
        Some(t) => t,
        None => {
            embedded = RefundReportNames::embedded()?;
            &embedded
        }
    };
    let field = |f: PaymentField| match options.refunds.columns.get(&f) {
        Some(h) => has(h),
        None => table.fields.get(&f).is_some_and(|hs| hs.iter().any(|h| has(h))),
    };
    let kind = options.refunds.kind.unwrap_or_else(|| {
        if table.es022_markers.iter().any(|m| has(m)) {
            RefundReportKind::Es022
        } else if !field(PaymentField::EntryNumber) {
            RefundReportKind::Rev603
        } else {
            RefundReportKind::Rev615
        }
    });
    let money = [PaymentField::RefundNumber, PaymentField::Principal, PaymentField::Interest];
    if kind.required_fields().iter().all(|f| field(*f)) && money.iter().any(|f| field(*f)) {
        return Ok(RecordKind::Refunds);
    }
    if COLUMNS.iter().filter(|c| c.required).all(|c| has(c.name) || c.alternates.iter().any(|a| has(a))) {
        return Ok(RecordKind::Es003);
    }
    let shown: Vec<&str> = names.iter().map(String::as_str).filter(|n| !n.is_empty()).take(12).collect();
    Err(unknown(format!("its header is {}", if shown.is_empty() { "empty".to_owned() } else { shown.join(", ") })))
}

/// The first non-blank row of a CSV (the first [`DETECT_PREFIX_BYTES`]) or a workbook's sheet.
fn header_names(path: &Path, name: &str, sheet: Option<&str>) -> Result<Vec<String>> {
    let bad = |message: &str| Error::Format { source_name: name.to_owned(), message: message.to_owned() };
    let file = std::fs::File::open(path).map_err(|e| Error::io(name, e))?;
    let mut head = Vec::with_capacity(DETECT_PREFIX_BYTES);
    file.take(DETECT_PREFIX_BYTES as u64).read_to_end(&mut head).map_err(|e| Error::io(name, e))?;
    let mut rec = Record::default();
    let strings = |rec: &Record| -> Vec<String> {
        rec.iter().map(|c| unwrap_excel_str(&String::from_utf8_lossy(c)).to_owned()).collect()
    };
    if head.starts_with(b"PK\x03\x04") {
        let input = WorkbookInput::Path(path.to_path_buf());
        let mut rows = WorkbookRows::open(&input, name, sheet, &WorkbookLimits::default())?;
        while rows.next(&mut rec)?.is_some() {
            let cells = strings(&rec);
            if cells.iter().any(|c| !c.is_empty()) {
                return Ok(cells);
            }
        }
        return Err(bad("the workbook is empty"));
    }
    let text = utf8_text(&head);
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || text.contains(&0) {
        return Err(bad("not a CSV file or an XLSX workbook (an Excel 97-2003 workbook or binary data)"));
    }
    let delimiter = crate::ingest::sniff::sniff_delimiter(&text);
    let mut records = in_memory(&text, delimiter, DEFAULT_MAX_RECORD_BYTES);
    while records.read(&mut rec).map_err(|e| Error::io(name, e))?.is_some() {
        let cells = strings(&rec);
        if cells.iter().any(|c| !c.is_empty()) {
            return Ok(cells);
        }
    }
    Err(bad("the file is empty"))
}

impl Ledger {
    /// Records the file at `path`, whatever its kind: an ES-003 (assessed as of `options.as_of`,
    /// [`Ledger::record_es003`]), a declaration manifest or the folder holding it
    /// ([`Ledger::record_declarations`]), a CAPE claim-details file ([`Ledger::record_results_path`]) or an ACE
    /// refund report (hashed and read from the same bytes, [`Ledger::record_payments`]). The kind is
    /// `options.kind`, else detected from the content ([`detect_kind`]). One transaction: after any error the
    /// ledger is as before.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming `--as-of` for an ES-003 without `options.as_of`; [`detect_kind`]'s
    /// errors; the errors of the method recording the kind.
    pub fn record_path(&mut self, path: &Path, options: &RecordOptions) -> Result<RecordOutcome> {
        let (kind, detected) = match options.kind {
            Some(k) => (k, false),
            None => (detect_kind(path, options)?, true),
        };
        let name = path.display().to_string();
        let (kind, outcome) = match kind {
            RecordKind::Declarations => {
                let manifest: PathBuf = if path.is_dir() { path.join(MANIFEST_FILE) } else { path.to_path_buf() };
                (ImportKind::Declarations, self.record_declarations(&manifest)?)
            }
            RecordKind::ClaimResults => (ImportKind::ClaimResults, self.record_results_path(path, &options.results)?),
            RecordKind::Refunds => {
                let bytes = match read_capped(path, &name, MAX_REFUND_REPORT_FILE_BYTES)? {
                    Capped::Whole(b) => b,
                    Capped::TooLarge(size) => {
                        return Err(Error::Format {
                            source_name: name,
                            message: format!(
                                "the file is {size} bytes, more than the {MAX_REFUND_REPORT_FILE_BYTES} cape reads \
                                 as a refund report; not read"
                            ),
                        })
                    }
                };
                let sha = sha256_hex(&bytes);
                let source = RefundReportSource::Bytes { bytes: &bytes, name: Some(&name) };
                let report = read_refund_report(source, &options.refunds)?;
                let outcome = self.record_payments(&name, &sha, report.kind, &report.rows, &report.diagnostics)?;
                (ImportKind::Refunds(report.kind), outcome)
            }
            RecordKind::Es003 => {
                let as_of = options.as_of.ok_or_else(|| {
                    Error::value(
                        ErrorKind::InvalidValue,
                        "as-of day (--as-of)",
                        "",
                        format!("{name} is an ES-003: give the day to assess it as of (--as-of YYYY-MM-DD)"),
                    )
                })?;
                let embedded;
                let tables = match &options.tables {
                    Some(t) => t,
                    None => {
                        embedded = Tables::embedded()?;
                        &embedded
                    }
                };
                let mut assess = options.assess.clone().unwrap_or_else(|| AssessOptions::new(as_of));
                assess.as_of = as_of;
                (ImportKind::Assessment, self.record_es003(path, tables, assess, &options.run)?)
            }
        };
        Ok(RecordOutcome { kind, detected, outcome })
    }
}
