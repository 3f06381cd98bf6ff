//! CAPE's answers: the ACE "claim details" results file, and its reconciliation with what was declared.
//!
//! Columns `ENTRY_NUMBER, CLAIM_NUMBER, STATUS, ERROR_DESCRIPTION` (matched ignoring case, spaces and
//! underscores; other columns ignored), values often wrapped `="…"`, possibly a BOM. Each error text is mapped to a
//! [`CapeErrorKind`] with its meaning and remedy (CAPE.md §3), retired texts flagged; unknown texts are kept
//! verbatim and counted, never dropped. The file is split into records by the reader of ES-003 reports (quoted line
//! breaks, CRLF/LF/CR line ends, UTF-16 with its byte-order mark, the record limit); row numbers count every line
//! end outside quotes, blank lines included.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::cbp;
use super::preflight::{preflight_path, PreflightOptions, PreflightReport};
use crate::diagnostic::{cut_note, echo_value};
use crate::error::{Error, Result};
use crate::ingest::columns::header_key;
use crate::ingest::records::{in_memory, Record};
use crate::ingest::source::{utf8_text, DEFAULT_MAX_RECORD_BYTES};
use crate::values::text::unwrap_excel_str;
use crate::EntryNumber;

/// The result-file columns, in CAPE's order.
pub const RESULT_COLUMNS: [&str; 4] = ["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"];

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

/// Reads a results file held in memory.
///
/// # Errors
///
/// [`Error::Format`] when the bytes are not CSV text (a spreadsheet, binary) or empty; [`Error::MissingColumn`]
/// when a required column is absent. Bad rows are [`CapeResults::problems`], not errors.
pub fn read_results_bytes(bytes: &[u8], source_name: Option<&str>) -> Result<CapeResults> {
    let source = source_name.unwrap_or("<buffer>").to_owned();
    let bad = |message: &str| Error::Format { source_name: source.clone(), message: message.to_owned() };
    // A file re-saved by Excel as UTF-16 (with its byte-order mark) is read as its text.
    let bytes = &*utf8_text(bytes);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || bytes.contains(&0) {
        return Err(bad("not a CSV file (a spreadsheet or binary data); save the claim details as CSV"));
    }
    // The records as an ES-003 report's are read: the delimiter sniffed from the header line (Excel's "Unicode
    // text" is tab-separated), quoted line breaks, CR-only line ends, the record limit; blank lines are skipped
    // and keep their row numbers.
    let delimiter = crate::ingest::sniff::sniff_delimiter(bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes));
    let mut records = in_memory(bytes, delimiter, DEFAULT_MAX_RECORD_BYTES);
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
            // Reading from memory cannot fail.
            Ok(None) | Err(_) => return Err(bad("the file is empty")),
        }
    };
    let names: Vec<String> = header.iter().map(|c| unwrap_excel_str(c).to_owned()).collect();
    let mut idx = [0usize; 4];
    for (i, col) in RESULT_COLUMNS.iter().enumerate() {
        idx[i] = names.iter().position(|n| header_key(n) == header_key(col)).ok_or_else(|| Error::MissingColumn {
            source_name: source.clone(),
            column: (*col).to_owned(),
            found: names.join(", "),
        })?;
    }
    let mut out =
        CapeResults { source: source.clone(), rows: Vec::new(), problems: Vec::new(), summary: Default::default() };
    // Reading from memory cannot fail.
    while let Ok(Some(row)) = records.read(&mut rec) {
        if let Some(len) = rec.too_long() {
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
        // Raw cells are parsed as they are, and kept (and echoed) cut by `echo_value`.
        let raw_cell = |i: usize| vals.get(i).copied().unwrap_or_default();
        let cell = |i: usize| echo_value(raw_cell(i)).into_owned();
        let entry_text = cell(idx[0]);
        let entry_number = match EntryNumber::parse_reason(raw_cell(idx[0])) {
            Ok(n) => Some(n),
            Err(e) => {
                let message = format!("invalid entry number {entry_text:?}: {e}");
                out.problems.push(ResultsProblem { row, value: entry_text.clone(), message });
                None
            }
        };
        let claim = cell(idx[1]);
        let status = ResultStatus::parse(raw_cell(idx[2]));
        let err_text = raw_cell(idx[3]);
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

/// Reads a results file.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; otherwise as [`read_results_bytes`].
pub fn read_results_path(path: impl AsRef<Path>) -> Result<CapeResults> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match crate::ingest::source::read_capped(path, &name, MAX_RESULTS_FILE_BYTES)? {
        crate::ingest::source::Capped::Whole(bytes) => read_results_bytes(&bytes, Some(&name)),
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
