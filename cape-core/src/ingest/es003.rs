//! The ACE report "ES-003 Entry Summary Line Tariff Details", as CSV or XLSX.
//!
//! One ES-003 row is one tariff ordinal of one entry-summary line. [`Es003Reader`] groups rows into
//! [`Entry`]s (entry → lines → tariff ordinals) and yields them **streaming, in input order**: an entry whose
//! rows are contiguous (the normal export) is yielded as soon as its last row has been read, so memory is
//! bounded by one entry. An entry whose rows are *not* contiguous (two exports concatenated, a file sorted by
//! HTS in Excel) is still correct: a first, cheap pass over the entry-number column finds such entries, and the
//! reader holds only them until their last row, then yields them merged (flagged [`Entry::split`], reported as
//! [`DiagnosticCode::SplitEntry`]).
//!
//! Every row is accounted for: it is used, or reported as a [`Diagnostic`] naming the file, row, column, raw
//! value, a stable code and a message. [`IngestSummary`] states `rows_read = rows_used + rows_rejected`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub use super::reader::Es003Reader;

use crate::diagnostic::{append_capped, Diagnostic, DiagnosticCode, Severity, DEFAULT_MAX_DIAGNOSTICS_PER_CODE};
use crate::error::Result;
use crate::ingest::workbook::WorkbookLimits;
use crate::model::Entry;

/// The file format an ES-003 report was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Comma-separated (or tab/semicolon/pipe-separated, detected from the header line) text.
    Csv,
    /// An Excel workbook (XLSX; legacy XLS, XLSB and ODS are refused).
    Xlsx,
    /// In-memory records of text cells ([`Es003Reader::from_records`]).
    Records,
}

impl SourceFormat {
    /// Stable lower-case name (`csv`, `xlsx`).
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Xlsx => "xlsx",
            SourceFormat::Records => "records",
        }
    }
}

/// Options for reading an ES-003 report.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Es003Options {
    /// The name diagnostics give the source (default: the path, or `<buffer>`).
    pub source_name: Option<String>,
    /// For workbooks: the one sheet to read (default: every sheet whose first non-empty row is an ES-003
    /// header, in workbook order, as one report).
    pub sheet: Option<String>,
    /// A flag the caller sets (from another thread or a signal handler) to stop reading: the reader then
    /// ends with [`Error::Cancelled`] at the next row, in both passes, so a long job stops within
    /// milliseconds. `None` (the default): reading is never cancelled.
    ///
    /// [`Error::Cancelled`]: crate::Error::Cancelled
    pub cancel: Option<Arc<AtomicBool>>,
    /// For workbooks: the limits on their parts' sizes and compression ratios.
    pub workbook: WorkbookLimits,
    /// For CSV: the longest record read, in bytes (default
    /// [`DEFAULT_MAX_RECORD_BYTES`](super::source::DEFAULT_MAX_RECORD_BYTES), 1 MiB). A longer record is rejected
    /// as a row ([`DiagnosticCode::RecordTooLong`]) and reading goes on after it, in bounded memory.
    pub max_record_bytes: Option<usize>,
    /// Detailed diagnostics kept per code; beyond it a diagnostic is only counted
    /// ([`IngestSummary::counts_by_code`], [`IngestSummary::diagnostics_dropped`]), so that memory stays
    /// bounded for any number of bad rows. `None` means [`DEFAULT_MAX_DIAGNOSTICS_PER_CODE`] (1,000);
    /// `Some(u64::MAX)` keeps every diagnostic.
    pub max_diagnostics_per_code: Option<u64>,
    /// One `ES003_MISSING_OPTIONAL_COLUMN` diagnostic naming every absent optional column instead of one per
    /// column: set by [`crate::Es003Builder::build`], whose records carry only the columns a host set.
    pub(crate) merge_missing_optional: bool,
}

impl Es003Options {
    /// The per-code cap in force: [`Es003Options::max_diagnostics_per_code`] or its default.
    pub fn diagnostics_per_code(&self) -> u64 {
        self.max_diagnostics_per_code.unwrap_or(DEFAULT_MAX_DIAGNOSTICS_PER_CODE)
    }
}

/// What reading a report did: counts that always reconcile (`rows_read = rows_used + rows_rejected`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSummary {
    /// The source's name.
    pub source: String,
    /// The detected format.
    #[serde(serialize_with = "ser_format", deserialize_with = "de_format")]
    pub format: SourceFormat,
    /// Data rows read (the header is not counted).
    pub rows_read: u64,
    /// Rows that became tariff ordinals of an entry.
    pub rows_used: u64,
    /// Rows rejected, each with at least one error diagnostic (duplicates included).
    pub rows_rejected: u64,
    /// Entries yielded.
    pub entries: u64,
    /// Lines over all entries yielded.
    pub lines: u64,
    /// Tariff ordinals over all entries yielded (equals `rows_used`).
    pub tariff_rows: u64,
    /// Entries whose rows were not contiguous and were merged.
    pub split_entries: u64,
    /// Entries with conflicting values across their rows.
    pub conflicting_entries: u64,
    /// Diagnostics of severity error.
    pub errors: u64,
    /// Diagnostics of severity warning.
    pub warnings: u64,
    /// Diagnostics of severity info.
    pub infos: u64,
    /// The canonical names of the columns found and used.
    #[serde(deserialize_with = "de_columns")]
    pub columns_used: Vec<&'static str>,
    /// The canonical names of optional columns not in the file.
    #[serde(deserialize_with = "de_columns")]
    pub columns_missing: Vec<&'static str>,
    /// For workbooks: the sheets read, in order (empty for other sources).
    pub sheets_read: Vec<String>,
    /// For workbooks: the sheets not read (no ES-003 header, empty, or not the sheet asked for).
    pub sheets_skipped: Vec<String>,
    /// Diagnostics per code, exact for any number of rows (serialised as `{"ES003_…": n}`), whether or not
    /// each was kept in detail.
    #[serde(serialize_with = "ser_counts")]
    pub counts_by_code: BTreeMap<DiagnosticCode, u64>,
    /// Diagnostics counted but not kept in detail, beyond [`IngestSummary::max_diagnostics_per_code`].
    pub diagnostics_dropped: u64,
    /// Detailed diagnostics kept per code ([`Es003Options::max_diagnostics_per_code`]; `u64::MAX`: all).
    pub max_diagnostics_per_code: u64,
}

fn ser_counts<S: serde::Serializer>(
    counts: &BTreeMap<DiagnosticCode, u64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_map(counts.iter().map(|(c, n)| (c.as_str(), n)))
}

/// Reads the names `ser_format` writes.
fn de_format<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<SourceFormat, D::Error> {
    let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    [SourceFormat::Csv, SourceFormat::Xlsx, SourceFormat::Records]
        .into_iter()
        .find(|f| f.name() == s)
        .ok_or_else(|| serde::de::Error::unknown_variant(&s, &["csv", "xlsx", "records"]))
}

/// Reads canonical column names back as the `'static` names of [`crate::ingest::columns::COLUMNS`]; any other
/// name is an error (no name is leaked to make it `'static`).
fn de_columns<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<&'static str>, D::Error> {
    let names = <Vec<std::borrow::Cow<'de, str>> as serde::Deserialize>::deserialize(d)?;
    names
        .iter()
        .map(|n| {
            crate::ingest::columns::COLUMNS.iter().find(|c| c.name == n.as_ref()).map(|c| c.name).ok_or_else(|| {
                serde::de::Error::invalid_value(
                    serde::de::Unexpected::Str(n),
                    &"the canonical name of an ES-003 column",
                )
            })
        })
        .collect()
}

fn ser_format<S: serde::Serializer>(f: &SourceFormat, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(f.name())
}

impl IngestSummary {
    /// The summary of a source before any row is read: every count zero, no columns, no sheets.
    pub fn empty(source: impl Into<String>, format: SourceFormat, max_diagnostics_per_code: u64) -> Self {
        IngestSummary {
            source: source.into(),
            format,
            rows_read: 0,
            rows_used: 0,
            rows_rejected: 0,
            entries: 0,
            lines: 0,
            tariff_rows: 0,
            split_entries: 0,
            conflicting_entries: 0,
            errors: 0,
            warnings: 0,
            infos: 0,
            columns_used: Vec::new(),
            columns_missing: Vec::new(),
            sheets_read: Vec::new(),
            sheets_skipped: Vec::new(),
            counts_by_code: BTreeMap::new(),
            diagnostics_dropped: 0,
            max_diagnostics_per_code,
        }
    }

    /// Adds the counts of the summary of the next part of the same file (read by another reader of
    /// [`Es003Reader::open_parts`]).
    pub fn absorb(&mut self, next: &IngestSummary) {
        self.rows_read += next.rows_read;
        self.rows_used += next.rows_used;
        self.rows_rejected += next.rows_rejected;
        self.entries += next.entries;
        self.lines += next.lines;
        self.tariff_rows += next.tariff_rows;
        self.split_entries += next.split_entries;
        self.conflicting_entries += next.conflicting_entries;
        self.errors += next.errors;
        self.warnings += next.warnings;
        self.infos += next.infos;
        for (code, n) in &next.counts_by_code {
            *self.counts_by_code.entry(*code).or_default() += n;
        }
        self.diagnostics_dropped += next.diagnostics_dropped;
    }

    /// Adds the next part of the same file, summary and diagnostics, to this part's (`diagnostics` are this
    /// part's): counts add up, and the diagnostics kept are exactly those one reader over the whole file
    /// would have kept (the first [`IngestSummary::max_diagnostics_per_code`] of each code, in file order).
    pub fn absorb_part(
        &mut self,
        diagnostics: &mut Vec<Diagnostic>,
        next: &IngestSummary,
        next_diagnostics: Vec<Diagnostic>,
    ) {
        self.absorb(next);
        let cap = (self.max_diagnostics_per_code != u64::MAX).then_some(self.max_diagnostics_per_code);
        append_capped(diagnostics, next_diagnostics, cap, &mut self.diagnostics_dropped);
    }

    /// How many diagnostics of `code` were found (kept in detail or not).
    pub fn count(&self, code: DiagnosticCode) -> u64 {
        self.counts_by_code.get(&code).copied().unwrap_or(0)
    }

    /// The exact count of each error code (the codes that reject rows), most frequent first, then by code.
    pub fn rejections_by_code(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> = self
            .counts_by_code
            .iter()
            .filter(|(c, _)| c.severity() == Severity::Error)
            .map(|(c, n)| (c.as_str(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// True when the counts reconcile: rows read = rows used + rows rejected, and used rows = tariff ordinals.
    pub fn is_balanced(&self) -> bool {
        self.rows_read == self.rows_used + self.rows_rejected && self.rows_used == self.tariff_rows
    }
}

/// A whole ES-003 report read into memory: entries in input order, diagnostics, summary.
#[derive(Debug, Clone)]
pub struct Es003 {
    /// The entries, in input order (a split entry at the position of its last row).
    pub entries: Vec<Entry>,
    /// The diagnostics kept in detail, in the order found: every one up to
    /// [`Es003Options::max_diagnostics_per_code`] per code; [`IngestSummary::counts_by_code`] counts them all.
    pub diagnostics: Vec<Diagnostic>,
    /// The counts.
    pub summary: IngestSummary,
}

/// Reads a whole ES-003 report (CSV or workbook, detected from the content) from a path.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] when it has no header, is a damaged
/// workbook, a workbook beyond its [`WorkbookLimits`] or a legacy `.xls`/`.xlsb`/`.ods`, or has no usable row
/// (a header alone, or every row rejected: the message gives the rows read and the most frequent rejection
/// codes); [`Error::MissingColumn`] naming the first required column absent and the columns found. Problems
/// with individual rows are diagnostics, not errors.
///
/// # Example
///
/// ```
/// let dir = std::env::temp_dir().join("cape-doc-read-es003");
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("es003.csv");
/// std::fs::write(&path, "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,\
/// HTS Number - Full,Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date\n\
/// ABC-1234567-6,1,1,99030125,0.00,$100.00,04/15/2025\n\
/// ABC-1234567-6,1,2,8471300100,\"$1,000.00\",0.00,04/15/2025\n").unwrap();
/// let report = cape_core::read_es003_path(&path, &Default::default())?;
/// assert_eq!(report.entries.len(), 1);
/// assert_eq!(report.entries[0].total_duty().to_string(), "100.00");
/// assert_eq!(report.summary.rows_read, 2);
/// assert!(report.summary.is_balanced());
/// # Ok::<(), cape_core::Error>(())
/// ```
///
/// [`Error::Io`]: crate::Error::Io
/// [`Error::Format`]: crate::Error::Format
/// [`Error::MissingColumn`]: crate::Error::MissingColumn
pub fn read_es003_path(path: impl AsRef<Path>, options: &Es003Options) -> Result<Es003> {
    Es003Reader::open(path, options)?.read_all()
}

/// Reads a whole ES-003 report from an in-memory buffer (CSV or workbook bytes).
///
/// # Errors
///
/// As [`read_es003_path`], without the I/O errors.
pub fn read_es003_bytes(bytes: &[u8], options: &Es003Options) -> Result<Es003> {
    Es003Reader::from_bytes(bytes.to_vec(), options)?.read_all()
}
