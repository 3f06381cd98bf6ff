//! CAPE's answers: the ACE "claim details" results file, and its reconciliation with what was declared.
//!
//! Columns `ENTRY_NUMBER, CLAIM_NUMBER, STATUS, ERROR_DESCRIPTION` (matched ignoring case, spaces and
//! underscores; other columns ignored), values often wrapped `="…"`, possibly a BOM. A broker's workbook names
//! them otherwise (`Entry Summary Number`, `Cape Claim Number`, `Filing Status`, `Error Detail`): the documented
//! alternates of [`RESULT_COLUMN_SPECS`] are accepted too, and [`ResultsOptions::columns`] maps any other header
//! (the user column map). Each error text is mapped to a [`CapeErrorKind`] with its meaning and remedy (CAPE.md
//! §3), retired texts flagged; unknown texts are kept verbatim and counted, never dropped. A CSV file is split into
//! records by the reader of ES-003 reports (quoted line breaks, CRLF/LF/CR line ends, UTF-16 with its byte-order
//! mark, the record limit); row numbers count every line end outside quotes, blank lines included. An XLSX
//! workbook is read by the ES-003 workbook reader (its limits), one sheet: [`ResultsOptions::sheet`] or the first
//! non-empty one; row numbers are the sheet's.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::cbp;
use super::preflight::{preflight_path, PreflightOptions, PreflightReport};
use crate::diagnostic::{cut_note, echo_value};
use crate::error::{Error, ErrorKind, Result};
use crate::ingest::columns::header_key;
use crate::ingest::records::{in_memory, CsvRecords, Record};
use crate::ingest::source::{utf8_text, DEFAULT_MAX_RECORD_BYTES};
use crate::ingest::workbook::{WorkbookInput, WorkbookLimits, WorkbookRows};
use crate::values::text::unwrap_excel_str;
use crate::EntryNumber;

/// The result-file columns, in CAPE's order.
pub const RESULT_COLUMNS: [&str; 4] = ["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"];

/// One column of the results file: its canonical name and the other headers accepted for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultColumnSpec {
    /// The canonical name (one of [`RESULT_COLUMNS`]).
    pub name: &'static str,
    /// Other headers accepted for it, tried in this order after the canonical name (matched, as the canonical
    /// name is, ignoring case, spaces and punctuation: `Entry Number` and `Claim Number` are the canonical names).
    pub alternates: &'static [&'static str],
}

/// The result-file columns with their documented alternates, in [`RESULT_COLUMNS`] order: the headers of ACE's
/// claim-details download, and those of brokers' workbooks built from it.
pub const RESULT_COLUMN_SPECS: [ResultColumnSpec; 4] = [
    ResultColumnSpec { name: "ENTRY_NUMBER", alternates: &["Entry Summary Number", "Entry Summary No", "Entry No"] },
    ResultColumnSpec { name: "CLAIM_NUMBER", alternates: &["Cape Claim Number", "Cape Claim No", "Claim No"] },
    ResultColumnSpec { name: "STATUS", alternates: &["Filing Status", "Claim Status", "Cape Status"] },
    ResultColumnSpec {
        name: "ERROR_DESCRIPTION",
        alternates: &["Error Detail", "Error Details", "Error Message", "Error Text"],
    },
];

/// Options of [`read_results_bytes_with`] / [`read_results_path_with`]; [`Default`] reads by the canonical names
/// and alternates, the first non-empty sheet of a workbook, at most [`MAX_RESULTS_ROWS`] rows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResultsOptions {
    /// The user column map: for a result column (a name of [`RESULT_COLUMNS`], matched ignoring case, spaces and
    /// underscores), the header of the file's column that holds it, matched the same way. A mapped column is read
    /// only from that header (its alternates are not tried). Keys that name no result column are an error.
    pub columns: BTreeMap<String, String>,
    /// For a workbook: the sheet to read (default: the first non-empty one).
    pub sheet: Option<String>,
    /// The most rows (and over-long rows) read; a file with more is refused. Default [`MAX_RESULTS_ROWS`].
    pub max_rows: usize,
}

impl Default for ResultsOptions {
    fn default() -> Self {
        ResultsOptions { columns: BTreeMap::new(), sheet: None, max_rows: MAX_RESULTS_ROWS }
    }
}

/// The most rows [`read_results_bytes_with`] reads: 1,000,000, a hundred full declarations' answers. Every row is
/// kept in memory, so this bounds what a workbook (whose rows compress far better than the
/// [`MAX_RESULTS_FILE_BYTES`] a file may have) or a file that is not a results export can make cape hold.
pub const MAX_RESULTS_ROWS: usize = 1_000_000;

impl ResultsOptions {
    /// These options with `column` (a name of [`RESULT_COLUMNS`]) read from the header `header`.
    #[must_use]
    pub fn with_column(mut self, column: &str, header: &str) -> Self {
        self.columns.insert(column.to_owned(), header.to_owned());
        self
    }
}

/// Where each result column sits in `names` (the header cells, unwrapped), in [`RESULT_COLUMNS`] order.
fn locate_columns(names: &[String], options: &ResultsOptions, source: &str) -> Result<[usize; 4]> {
    let position = |header: &str| {
        let key = header_key(header);
        names.iter().position(|n| !key.is_empty() && header_key(n) == key)
    };
    for (key, header) in &options.columns {
        if !RESULT_COLUMNS.iter().any(|c| header_key(c) == header_key(key)) {
            let reason = format!("not a results column; the columns are {}", RESULT_COLUMNS.join(", "));
            return Err(Error::value(ErrorKind::InvalidValue, "results column", key, reason));
        }
        if header_key(header).is_empty() {
            let reason = format!("the header mapped to {key} has no letter or digit");
            return Err(Error::value(ErrorKind::InvalidValue, "results column header", header, reason));
        }
    }
    let found = || if names.iter().all(|n| n.is_empty()) { "(none)".to_owned() } else { names.join(", ") };
    let mut idx = [0usize; 4];
    for (i, spec) in RESULT_COLUMN_SPECS.iter().enumerate() {
        let mapped = options.columns.iter().find(|(k, _)| header_key(k) == header_key(spec.name)).map(|(_, h)| h);
        let at = match mapped {
            Some(h) => position(h).ok_or_else(|| Error::MissingColumn {
                source_name: source.to_owned(),
                column: format!("{h} (mapped to {})", spec.name),
                found: found(),
            })?,
            None => std::iter::once(&spec.name).chain(spec.alternates).find_map(|h| position(h)).ok_or_else(|| {
                Error::MissingColumn { source_name: source.to_owned(), column: spec.name.to_owned(), found: found() }
            })?,
        };
        if let Some(j) = idx.get(..i).and_then(|before| before.iter().position(|&p| p == at)) {
            let other = RESULT_COLUMNS.get(j).copied().unwrap_or_default();
            let header = names.get(at).map(String::as_str).unwrap_or_default();
            return Err(Error::Format {
                source_name: source.to_owned(),
                message: format!(
                    "columns {other} and {} would both be read from the header {header:?}; map one of them to \
                     another header",
                    spec.name
                ),
            });
        }
        if let Some(slot) = idx.get_mut(i) {
            *slot = at;
        }
    }
    Ok(idx)
}

/// The records of a results file: CSV text, or a workbook's sheet.
enum ResultRecords<'a> {
    Csv(Box<CsvRecords<&'a [u8]>>),
    Workbook(WorkbookRows),
}

impl ResultRecords<'_> {
    /// The next record and its 1-based row; `None` at the end.
    fn read(&mut self, rec: &mut Record) -> Result<Option<u64>> {
        match self {
            // Reading from memory cannot fail.
            ResultRecords::Csv(r) => Ok(r.read(rec).ok().flatten()),
            ResultRecords::Workbook(w) => w.next(rec),
        }
    }
}

macro_rules! cape_errors {
    ($( $(#[$m:meta])* $variant:ident = $name:literal, $text:expr, $retired:literal, $meaning:literal, $remedy:literal; )*) => {
        crate::values::codes::stable_codes! {
            /// An error text CAPE returns in `ERROR_DESCRIPTION` (CAPE.md §3), by its stable snake-case
            /// [`CapeErrorKind::name`] (`unknown` for a text cape does not know).
            pub enum CapeErrorKind: name {
                $( $(#[$m])* $variant = $name, )*
                /// A text cape does not know (kept verbatim in [`CapeError::text`]).
                Unknown = "unknown",
            }
        }

        impl CapeErrorKind {
            /// Every known kind (not [`CapeErrorKind::Unknown`]), in table order.
            pub const KNOWN: &'static [CapeErrorKind] = &[$(CapeErrorKind::$variant,)*];

            /// CAPE's exact text, `None` for unknown.
            pub fn text(self) -> Option<&'static str> {
                match self { $( CapeErrorKind::$variant => Some($text), )* CapeErrorKind::Unknown => None }
            }

            /// True for texts CBP has retired (CSMS 69056483).
            pub fn retired(self) -> bool {
                match self { $( CapeErrorKind::$variant => $retired, )* CapeErrorKind::Unknown => false }
            }

            /// What the error means.
            pub fn meaning(self) -> &'static str {
                match self {
                    $( CapeErrorKind::$variant => $meaning, )*
                    CapeErrorKind::Unknown => "an error text cape does not know; read it verbatim",
                }
            }

            /// What to do about it.
            pub fn remedy(self) -> &'static str {
                match self {
                    $( CapeErrorKind::$variant => $remedy, )*
                    CapeErrorKind::Unknown => "check CBP's latest CSMS guidance or contact CBP",
                }
            }
        }
    };
}

cape_errors! {
    /// `ENTRY ON DRAWBACK`.
    EntryOnDrawback = "entry_on_drawback", cbp::ENTRY_ON_DRAWBACK, false,
        "the entry summary is linked to a drawback claim", "not refundable through CAPE in Phase 1";
    /// `ENTRY SUMMARY FLAGGED FOR RECON`.
    FlaggedForRecon = "flagged_for_recon", cbp::FLAGGED_FOR_RECON, false,
        "the entry summary is flagged for reconciliation",
        "declare again in Phase 2 (from 2026-06-29) if the entry is type 01/02/06 and no type 09 was filed";
    /// `ENTRY SUMMARY IS CANCELLED/REJECTED`.
    SummaryCancelledRejected = "summary_cancelled_rejected", cbp::SUMMARY_CANCELLED_REJECTED, false,
        "the entry summary is not accepted", "fix the entry summary, then declare again";
    /// `ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS`.
    FinalLiquidation = "final_liquidation", cbp::FINAL_LIQUIDATION, false,
        "the entry is past the 80-day window after liquidation",
        "protest under 19 USC 1514 within 180 days of liquidation";
    /// `PROTEST ON ENTRY`.
    ProtestOnEntry = "protest_on_entry", cbp::PROTEST_ON_ENTRY, false,
        "an open or suspended protest is on the entry",
        "withdraw an IEEPA-only protest, then declare again within 80 days of liquidation";
    /// `UNABLE TO CALCULATE DUTY`.
    UnableToCalculateDuty = "unable_to_calculate_duty", "UNABLE TO CALCULATE DUTY", false,
        "CAPE's duty recalculation failed", "resubmit; if it persists, contact CBP";
    /// `GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE`.
    GoodsValueOnIeepaLine = "goods_value_on_ieepa_line", "GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE", false,
        "a goods value is reported on the Chapter 99 line", "file a PSC (reason H99), then resubmit";
    /// `INVALID HTS`.
    InvalidHts = "invalid_hts", "INVALID HTS", false,
        "a line's date is outside an HTS number's begin/end dates", "file a PSC to the replacement HTS number";
    /// `HTS RELATIONSHIP MISMATCH`.
    HtsRelationshipMismatch = "hts_relationship_mismatch", "HTS RELATIONSHIP MISMATCH", false,
        "an add/replace HTS number lacks its companion", "file a PSC adding the companion number";
    /// `GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97` (retired).
    GoodsValueMustBeReportedRetired = "goods_value_must_be_reported_retired",
        "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97", true,
        "retired error text (CSMS 69056483)", "resubmit";
    /// `HTS RELATIONSHIP/SEQUENCE MISMATCH` (retired, split into two texts).
    HtsRelationshipSequenceMismatchRetired = "hts_relationship_sequence_mismatch_retired",
        "HTS RELATIONSHIP/SEQUENCE MISMATCH", true,
        "retired error text, split into INVALID HTS and HTS RELATIONSHIP MISMATCH (CSMS 69056483)", "resubmit";
}

fn normalise_text(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl CapeErrorKind {
    /// The kind of an error text (case and runs of spaces ignored; dash variants equal); `Unknown` otherwise.
    pub fn from_text(text: &str) -> Self {
        let t = normalise_text(text);
        Self::KNOWN.iter().copied().find(|k| k.text().is_some_and(|x| x == t)).unwrap_or(CapeErrorKind::Unknown)
    }
}

/// One error CAPE returned for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapeError {
    /// The kind.
    pub kind: CapeErrorKind,
    /// The text as in the file (unwrapped and trimmed), cut by [`echo_value`] beyond
    /// [`crate::diagnostic::MAX_ECHOED_CHARS`] characters with its full length said.
    pub text: String,
}

impl CapeError {
    /// Classifies an error text.
    pub fn from_text(text: &str) -> Self {
        CapeError { kind: CapeErrorKind::from_text(text), text: echo_value(text).into_owned() }
    }
}

impl Serialize for CapeError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("kind", self.kind.name())?;
        m.serialize_entry("text", &self.text)?;
        m.serialize_entry("known", &(self.kind != CapeErrorKind::Unknown))?;
        m.serialize_entry("retired", &self.kind.retired())?;
        m.serialize_entry("meaning", self.kind.meaning())?;
        m.serialize_entry("remedy", self.kind.remedy())?;
        m.end()
    }
}

/// The status of one entry in the results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultStatus {
    /// `Entry Summary Updated`: CAPE accepted the entry and removed the IEEPA duty.
    EntrySummaryUpdated,
    /// `Failed`.
    Failed,
    /// Another status, kept verbatim.
    Other(String),
}

impl ResultStatus {
    /// Reads a status (case and spacing ignored for the known ones).
    pub fn parse(s: &str) -> Self {
        match normalise_text(s).as_str() {
            "ENTRY SUMMARY UPDATED" => ResultStatus::EntrySummaryUpdated,
            "FAILED" => ResultStatus::Failed,
            _ => ResultStatus::Other(echo_value(s).into_owned()),
        }
    }

    /// `entry_summary_updated`, `failed`, or the verbatim text.
    pub fn name(&self) -> &str {
        match self {
            ResultStatus::EntrySummaryUpdated => "entry_summary_updated",
            ResultStatus::Failed => "failed",
            ResultStatus::Other(s) => s,
        }
    }
}

impl Serialize for ResultStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One row of the results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultRow {
    /// The 1-based row (header = 1).
    pub row: u64,
    /// The entry, when the value parses.
    pub entry_number: Option<EntryNumber>,
    /// The entry number as written.
    pub entry_text: String,
    /// The claim number, when given.
    pub claim_number: Option<String>,
    /// The status.
    pub status: ResultStatus,
    /// The error, when `ERROR_DESCRIPTION` is not blank.
    pub error: Option<CapeError>,
}

/// A row cape could not use as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsProblem {
    /// The 1-based row.
    pub row: u64,
    /// The raw value, cut by [`echo_value`] beyond [`crate::diagnostic::MAX_ECHOED_CHARS`] characters.
    pub value: String,
    /// What is wrong.
    pub message: String,
}

/// Counts over a results file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResultsSummary {
    /// Data rows read (blank rows excluded).
    pub rows: usize,
    /// Rows with status `Entry Summary Updated`.
    pub updated: usize,
    /// Rows with status `Failed`.
    pub failed: usize,
    /// Rows with another status.
    pub other_status: usize,
    /// Known errors by kind name.
    pub errors_by_kind: BTreeMap<String, usize>,
    /// Rows whose error text is unknown.
    pub unknown_errors: usize,
    /// Unknown error texts, verbatim, with their counts.
    pub unknown_texts: BTreeMap<String, usize>,
    /// Rows with a retired error text.
    pub retired_errors: usize,
}

/// A parsed results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapeResults {
    /// The file name or `<buffer>`.
    pub source: String,
    /// Every data row, in file order.
    pub rows: Vec<ResultRow>,
    /// Rows whose entry number does not parse, or longer than
    /// [`DEFAULT_MAX_RECORD_BYTES`] (not read).
    pub problems: Vec<ResultsProblem>,
    /// Counts.
    pub summary: ResultsSummary,
}

/// Reads a results file held in memory, by the canonical column names and their alternates.
///
/// # Errors
///
/// As [`read_results_bytes_with`].
pub fn read_results_bytes(bytes: &[u8], source_name: Option<&str>) -> Result<CapeResults> {
    read_results_bytes_with(bytes, source_name, &ResultsOptions::default())
}

/// Reads a results file held in memory (CSV text or an XLSX workbook), as `options` say.
///
/// # Errors
///
/// [`Error::Format`] when the bytes are neither CSV text nor an XLSX workbook (an `.xls` workbook, binary), are
/// empty, or two columns would be read from one header; [`Error::MissingColumn`] when a required column is
/// absent (neither its canonical name, an alternate, nor its mapped header); [`Error::Value`] for a key of
/// [`ResultsOptions::columns`] that names no result column. Bad rows are [`CapeResults::problems`], not errors.
pub fn read_results_bytes_with(
    bytes: &[u8],
    source_name: Option<&str>,
    options: &ResultsOptions,
) -> Result<CapeResults> {
    let source = source_name.unwrap_or("<buffer>").to_owned();
    let bad = |message: &str| Error::Format { source_name: source.clone(), message: message.to_owned() };
    // A file re-saved by Excel as UTF-16 (with its byte-order mark) is read as its text.
    let text = utf8_text(bytes);
    let bytes = &*text;
    let mut records = if bytes.starts_with(b"PK\x03\x04") {
        // A workbook: its limits (sizes, compression ratios) are the ES-003 reader's.
        let input = WorkbookInput::Bytes(bytes.into());
        let rows = WorkbookRows::open(&input, &source, options.sheet.as_deref(), &WorkbookLimits::default())?;
        ResultRecords::Workbook(rows)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || bytes.contains(&0) {
        return Err(bad(
            "not a CSV file or an XLSX workbook (an Excel 97-2003 workbook or binary data); save the claim details \
             as CSV or XLSX",
        ));
    } else {
        // The records as an ES-003 report's are read: the delimiter sniffed from the header line (Excel's
        // "Unicode text" is tab-separated), quoted line breaks, CR-only line ends, the record limit; blank lines
        // are skipped and keep their row numbers.
        let head = bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes);
        let delimiter = crate::ingest::sniff::sniff_delimiter(head);
        ResultRecords::Csv(Box::new(in_memory(bytes, delimiter, DEFAULT_MAX_RECORD_BYTES)))
    };
    let mut rec = Record::default();
    let strings =
        |rec: &Record| -> Vec<String> { rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect() };
    let is_blank = |raw: &[String]| raw.iter().all(|c| unwrap_excel_str(c).is_empty());
    let header = loop {
        match records.read(&mut rec) {
            Ok(Some(row)) if rec.too_long().is_some() => {
                let len = rec.too_long().unwrap_or_default();
                return Err(bad(&format!(
                    "the header (row {row}) is {len} bytes long, over the {DEFAULT_MAX_RECORD_BYTES} a row may have"
                )));
            }
            Ok(Some(_)) if is_blank(&strings(&rec)) => continue,
            Ok(Some(_)) => break strings(&rec),
            Ok(None) => return Err(bad("the file is empty")),
            Err(e) => return Err(e),
        }
    };
    let names: Vec<String> = header.iter().map(|c| unwrap_excel_str(c).to_owned()).collect();
    let idx = locate_columns(&names, options, &source)?;
    let mut out =
        CapeResults { source: source.clone(), rows: Vec::new(), problems: Vec::new(), summary: Default::default() };
    // Rows kept (read, or reported as over-long): at most `options.max_rows`.
    let mut kept = 0usize;
    let keep = |kept: &mut usize| {
        *kept = kept.saturating_add(1);
        if *kept > options.max_rows {
            return Err(bad(&format!(
                "more than {} rows; not read. Split it, or check that it is a claim-details export",
                options.max_rows
            )));
        }
        Ok(())
    };
    while let Some(row) = records.read(&mut rec)? {
        if let Some(len) = rec.too_long() {
            keep(&mut kept)?;
            // Its first bytes, with its full length said, as an ES-003 report's over-long row shows it.
            let value = cut_note(
                &String::from_utf8_lossy(rec.get(0).unwrap_or_default()),
                usize::try_from(len).unwrap_or(usize::MAX),
            );
            let message =
                format!("row {row} is {len} bytes long, over the {DEFAULT_MAX_RECORD_BYTES} a row may have; not read");
            out.problems.push(ResultsProblem { row, value, message });
            continue;
        }
        let raw = strings(&rec);
        let vals: Vec<&str> = raw.iter().map(|c| unwrap_excel_str(c)).collect();
        if vals.iter().all(|v| v.is_empty()) {
            continue;
        }
        keep(&mut kept)?;
        // Raw cells are parsed as they are, and kept (and echoed) cut by `echo_value`.
        let raw_cell = |i: usize| vals.get(i).copied().unwrap_or_default();
        let cell = |i: usize| echo_value(raw_cell(i)).into_owned();
        let [entry_col, claim_col, status_col, error_col] = idx;
        let entry_text = cell(entry_col);
        let entry_number = match EntryNumber::parse_reason(raw_cell(entry_col)) {
            Ok(n) => Some(n),
            Err(e) => {
                let message = format!("invalid entry number {entry_text:?}: {e}");
                out.problems.push(ResultsProblem { row, value: entry_text.clone(), message });
                None
            }
        };
        let claim = cell(claim_col);
        let status = ResultStatus::parse(raw_cell(status_col));
        let err_text = raw_cell(error_col);
        let error = (!err_text.is_empty()).then(|| CapeError::from_text(err_text));
        let s = &mut out.summary;
        s.rows += 1;
        match status {
            ResultStatus::EntrySummaryUpdated => s.updated += 1,
            ResultStatus::Failed => s.failed += 1,
            ResultStatus::Other(_) => s.other_status += 1,
        }
        if let Some(e) = &error {
            if e.kind == CapeErrorKind::Unknown {
                s.unknown_errors += 1;
                *s.unknown_texts.entry(e.text.clone()).or_default() += 1;
            } else {
                *s.errors_by_kind.entry(e.kind.name().to_owned()).or_default() += 1;
                if e.kind.retired() {
                    s.retired_errors += 1;
                }
            }
        }
        out.rows.push(ResultRow {
            row,
            entry_number,
            entry_text,
            claim_number: (!claim.is_empty()).then_some(claim),
            status,
            error,
        });
    }
    Ok(out)
}

/// Reads a results file, by the canonical column names and their alternates.
///
/// # Errors
///
/// As [`read_results_path_with`].
pub fn read_results_path(path: impl AsRef<Path>) -> Result<CapeResults> {
    read_results_path_with(path, &ResultsOptions::default())
}

/// Reads a results file (CSV or XLSX, at most [`MAX_RESULTS_FILE_BYTES`]), as `options` say.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] when it is larger than
/// [`MAX_RESULTS_FILE_BYTES`]; otherwise as [`read_results_bytes_with`].
pub fn read_results_path_with(path: impl AsRef<Path>, options: &ResultsOptions) -> Result<CapeResults> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match crate::ingest::source::read_capped(path, &name, MAX_RESULTS_FILE_BYTES)? {
        crate::ingest::source::Capped::Whole(bytes) => read_results_bytes_with(&bytes, Some(&name), options),
        crate::ingest::source::Capped::TooLarge(size) => Err(Error::Format {
            source_name: name,
            message: format!(
                "the file is {size} bytes, more than the {MAX_RESULTS_FILE_BYTES} cape reads as a CAPE claim-details \
                 file (about 600,000 rows); not read. Split it, or check that it is a claim-details export"
            ),
        }),
    }
}

/// The largest claim-details file [`read_results_path`] reads: 64 MiB, some 600,000 result rows (sixty full
/// declarations), so that a file that is not a results export cannot make cape hold gigabytes.
pub const MAX_RESULTS_FILE_BYTES: u64 = 64 << 20;

/// What was declared against what CAPE answered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Reconciliation {
    /// Declared entries that appear in the results.
    pub matched: usize,
    /// Declared entries absent from the results (in the order given).
    pub declared_not_in_results: Vec<EntryNumber>,
    /// Entries in the results that were never declared (in file order, once each).
    pub in_results_not_declared: Vec<EntryNumber>,
    /// Entries appearing on more than one results row (resubmissions), once each.
    pub repeated_in_results: Vec<EntryNumber>,
}

/// Reconciles results against the entries declared.
pub fn reconcile<'a>(results: &CapeResults, declared: impl IntoIterator<Item = &'a EntryNumber>) -> Reconciliation {
    let mut in_results: HashSet<EntryNumber> = HashSet::new();
    let mut repeated = Vec::new();
    for n in results.rows.iter().filter_map(|r| r.entry_number) {
        if !in_results.insert(n) && !repeated.contains(&n) {
            repeated.push(n);
        }
    }
    let mut declared_set = HashSet::new();
    let mut rec = Reconciliation { repeated_in_results: repeated, ..Default::default() };
    for &n in declared {
        if !declared_set.insert(n) {
            continue;
        }
        if in_results.contains(&n) {
            rec.matched += 1;
        } else {
            rec.declared_not_in_results.push(n);
        }
    }
    let mut reported = HashSet::new();
    for n in results.rows.iter().filter_map(|r| r.entry_number) {
        if !declared_set.contains(&n) && reported.insert(n) {
            rec.in_results_not_declared.push(n);
        }
    }
    rec
}

/// The entries declared in a directory's `*.csv` declaration files (the manifest excluded), in file-name then
/// row order, with each file's pre-flight report.
///
/// # Errors
///
/// [`Error::Io`] when the directory or a file cannot be read.
pub fn declared_in_dir(dir: impl AsRef<Path>) -> Result<(Vec<EntryNumber>, Vec<PreflightReport>)> {
    let dir = dir.as_ref();
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut paths = Vec::new();
    for e in rd {
        let p = e.map_err(|e| Error::io(dir.display().to_string(), e))?.path();
        let is_csv = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv"));
        let is_manifest = p.file_name().is_some_and(|n| n == super::declaration::MANIFEST_FILE);
        if p.is_file() && is_csv && !is_manifest {
            paths.push(p);
        }
    }
    paths.sort();
    let mut entries = Vec::new();
    let mut reports = Vec::new();
    for p in paths {
        // Read as `cape check` reads it: size-capped, and against the manifest beside it.
        let r = preflight_path(&p, &PreflightOptions::default())?;
        entries.extend(r.entries.iter().map(|l| l.entry_number));
        reports.push(r);
    }
    Ok((entries, reports))
}

impl CapeResults {
    /// The entries CAPE accepted (status `ENTRY SUMMARY UPDATED`): those to pass as
    /// [`crate::assess::AssessOptions::already_accepted`] so they are not declared again.
    pub fn accepted_entries(&self) -> std::collections::HashSet<crate::EntryNumber> {
        self.rows
            .iter()
            .filter(|r| matches!(r.status, ResultStatus::EntrySummaryUpdated))
            .filter_map(|r| r.entry_number)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_and_alternates_are_distinct() {
        let mut keys = HashSet::new();
        for (spec, name) in RESULT_COLUMN_SPECS.iter().zip(RESULT_COLUMNS) {
            assert_eq!(spec.name, name);
            for h in std::iter::once(&spec.name).chain(spec.alternates) {
                assert!(keys.insert(header_key(h)), "{h} repeats a header");
            }
        }
    }
}
