//! Pre-flight check of a CAPE declaration CSV: what CAPE would say before it is uploaded.
//!
//! File-level checks (CAPE rejects the whole declaration, CAPE.md §3): a CSV and not a spreadsheet, not empty,
//! header `Entry Number`, one column, every value 11 letters/digits once dashes are removed, no duplicates, at
//! most 9,999 entries. Entry-level checks (CAPE rejects only the entry): check digit, and — given assessments —
//! each entry's claim status.
//!
//! Reading accepts a UTF-8 BOM, CRLF, LF or CR line ends, dashed numbers and Excel's `="…"` wrappers. The file is
//! split into records by the reader of ES-003 reports (a quoted cell may hold a line break; a row longer than
//! [`DEFAULT_MAX_RECORD_BYTES`] is one malformed row), and UTF-16
//! with its byte-order mark is read as its text (a warning, `UTF16_TEXT`). Every row cape cannot accept is reported
//! with its 1-based row number: the header is row 1, and every line end outside quotes, blank lines included, starts
//! a new row.
//!
//! # Conventions where CBP is silent
//!
//! - CAPE's published wording is attached where known: `Not a CSV file` for spreadsheets, binary data and files
//!   not named `.csv`; `Failed initial validation` for every other file-level failure (which of its messages CAPE
//!   shows for each case is not documented).
//! - A header differing from `Entry Number` only in case or spacing is accepted with a warning; any other header
//!   (or none) rejects the file.
//! - A wrong check digit, or letters in the serial, pass CAPE's format check (11 alphanumerics) but name no
//!   entry in ACE: reported entry-level.
//! - Blank rows and trailing empty cells are warnings (CAPE's template has none; CBP does not say whether they
//!   are rejected); [`PreflightOptions::blank_rows_reject`] makes blank rows file-level.
//! - With assessments, `ineligible`, `needs_review` and entries missing from the data (`NOT_IN_DATA`) count as
//!   entries CAPE may reject: the verdict becomes [`Verdict::RejectEntries`].
//!
//! # The manifest beside a file
//!
//! CAPE cannot tell a cut or stale declaration from a good one: it accepts a file cut at a line end. cape can:
//! [`preflight_path`] reads the [`MANIFEST_FILE`] beside the file, when there is one, and rejects the file
//! (`MANIFEST_MISMATCH`) when its SHA-256 or entry count differs from what the manifest lists, or
//! (`NOT_IN_MANIFEST`) when the manifest does not list it. A `manifest.csv` that is not cape's, or cannot be read,
//! is a warning (`MANIFEST_UNREADABLE`): the file is checked as if it were alone.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cbp;
use super::declaration::{load_manifest, sha256_hex, DECLARATION_HEADER, MANIFEST_FILE, MAX_ENTRIES_PER_DECLARATION};
use super::eligibility::{ClaimAssessment, ClaimStatus, ReasonCode};
use crate::diagnostic::{cut_note, echo_value};
use crate::error::{EntryNumberError, Result};
use crate::ingest::columns::header_key;
use crate::ingest::records::{in_memory, Record};
use crate::ingest::source::{utf8_text, Encoding, DEFAULT_MAX_RECORD_BYTES};
use crate::values::text::unwrap_excel_str;
use crate::EntryNumber;

/// How far a finding reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingLevel {
    /// Worth fixing; CAPE is not known to reject for it.
    Warning,
    /// CAPE would reject the entry only.
    Entry,
    /// CAPE would reject the whole file.
    File,
}

macro_rules! preflight_codes {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $level:ident, $cape:expr; )*) => {
        crate::values::codes::stable_codes! {
            /// A stable pre-flight finding code ([`PreflightCode::as_str`], e.g. `DUPLICATE_ENTRY`, is a public
            /// contract).
            pub enum PreflightCode: as_str {
                $( $(#[$m])* $variant = $code, )*
            }
        }

        impl PreflightCode {
            /// The level this code has by default.
            pub fn level(self) -> FindingLevel {
                match self { $( PreflightCode::$variant => FindingLevel::$level, )* }
            }

            /// CAPE's own wording for the failure, where known.
            pub fn cape_message(self) -> Option<&'static str> {
                match self { $( PreflightCode::$variant => $cape, )* }
            }
        }
    };
}

preflight_codes! {
    /// A spreadsheet (XLSX/XLS), binary data, or a path not named `.csv`.
    NotCsv = "NOT_CSV", File, Some(cbp::NOT_A_CSV_FILE);
    /// No content at all (or only a BOM and whitespace).
    EmptyFile = "EMPTY_FILE", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// Larger than any declaration can be ([`PreflightOptions::max_file_bytes`]); not read.
    FileTooLarge = "FILE_TOO_LARGE", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// A header but no entry numbers.
    NoEntries = "NO_ENTRIES", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// The first row is an entry number, not the header.
    MissingHeader = "MISSING_HEADER", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// The header is not `Entry Number`.
    WrongHeader = "WRONG_HEADER", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// The header is `Entry Number` in another case or spacing.
    HeaderVariant = "HEADER_VARIANT", Warning, None;
    /// A row holds more than one non-empty cell.
    ExtraColumns = "EXTRA_COLUMNS", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// A row ends with empty cells (trailing commas).
    TrailingComma = "TRAILING_COMMA", Warning, None;
    /// A row with no value.
    BlankRow = "BLANK_ROW", Warning, None;
    /// More entries than one declaration may hold.
    TooManyEntries = "TOO_MANY_ENTRIES", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// Not 11 letters/digits after removing dashes.
    MalformedEntryNumber = "MALFORMED_ENTRY_NUMBER", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// An entry listed twice.
    DuplicateEntry = "DUPLICATE_ENTRY", File, Some(cbp::FAILED_INITIAL_VALIDATION);
    /// The check digit does not match.
    BadCheckDigit = "BAD_CHECK_DIGIT", Entry, None;
    /// 11 letters/digits, but not an entry number (letters in the serial or check digit).
    InvalidEntryNumber = "INVALID_ENTRY_NUMBER", Entry, None;
    /// The entry is not in the assessed data.
    NotInData = "NOT_IN_DATA", Entry, None;
    /// The assessment says CAPE would reject the entry.
    EntryIneligible = "ENTRY_INELIGIBLE", Entry, None;
    /// The assessment needs review: CAPE may reject the entry.
    EntryNeedsReview = "ENTRY_NEEDS_REVIEW", Entry, None;
    /// The file's SHA-256 or entry count differs from what the manifest beside it lists: cut, edited or stale.
    ManifestMismatch = "MANIFEST_MISMATCH", File, None;
    /// A manifest sits beside the file and does not list it: a stale file from an earlier run, or a stray one.
    NotInManifest = "NOT_IN_MANIFEST", File, None;
    /// A `manifest.csv` sits beside the file but is not cape's or cannot be read: the file was not verified.
    ManifestUnreadable = "MANIFEST_UNREADABLE", Warning, None;
    /// The file is UTF-16 text with its byte-order mark (Excel's "Unicode text"), not UTF-8: read as its text.
    Utf16Text = "UTF16_TEXT", Warning, None;
}

/// One pre-flight finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightFinding {
    /// The stable code.
    pub code: PreflightCode,
    /// How far it reaches.
    pub level: FindingLevel,
    /// The 1-based row (header = 1); `None` for the whole file.
    pub row: Option<u64>,
    /// The raw value concerned, cut by [`crate::diagnostic::echo_value`] beyond
    /// [`crate::diagnostic::MAX_ECHOED_CHARS`] characters with its full length said.
    pub value: Option<String>,
    /// A plain-English message.
    pub message: String,
    /// CAPE's wording, where known (for entry verdicts: CBP's message for the first ineligible reason).
    pub cape_message: Option<&'static str>,
}

/// The overall verdict on a declaration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// CAPE should accept every entry.
    Accept,
    /// CAPE would reject the whole file.
    RejectFile,
    /// CAPE would accept the file but reject (or may reject) some entries.
    RejectEntries,
}

impl Verdict {
    /// The process exit code: 0 accept, 1 reject file, 2 reject entries.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Accept => 0,
            Verdict::RejectFile => 1,
            Verdict::RejectEntries => 2,
        }
    }

    /// The stable name: `accept`, `reject_file`, `reject_entries`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::RejectFile => "reject_file",
            Verdict::RejectEntries => "reject_entries",
        }
    }
}

/// What the assessment data says about one listed entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryOutcome {
    /// Eligible.
    Accept,
    /// Eligible, refund deferred.
    AcceptDeferred,
    /// Ineligible: CAPE would reject it.
    Reject,
    /// Needs review: CAPE may reject it.
    Review,
    /// Not in the assessed data (`NOT_IN_DATA`).
    NotInData,
}

/// The entry-level verdict for one listed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryVerdict {
    /// The 1-based row.
    pub row: u64,
    /// The entry.
    pub entry_number: EntryNumber,
    /// The outcome.
    pub outcome: EntryOutcome,
    /// The claim status, when the entry is in the data.
    pub status: Option<ClaimStatus>,
    /// The codes of the reasons that are not notes.
    pub reasons: Vec<ReasonCode>,
    /// CBP's message for the first ineligible reason that has one.
    pub cbp_message: Option<&'static str>,
}

/// A listed entry that passed the format checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedEntry {
    /// The 1-based row.
    pub row: u64,
    /// The entry.
    pub entry_number: EntryNumber,
}

/// Options of [`preflight_bytes`] / [`preflight_path`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PreflightOptions {
    /// The name reported (default `<buffer>`, or the path).
    pub source_name: Option<String>,
    /// The most entries a declaration may hold (default 9,999).
    pub max_entries: usize,
    /// Treat blank rows as a file-level rejection (default false: a warning).
    pub blank_rows_reject: bool,
    /// [`preflight_path`] reads at most this many bytes (default [`MAX_DECLARATION_FILE_BYTES`], 4 MiB); a
    /// larger file is rejected (`FILE_TOO_LARGE`) without being read.
    pub max_file_bytes: u64,
}

/// The CBP/CAPE message `s` as the `'static` text of cape's lists (a preflight code's or a claim reason's), for
/// reading back what `Serialize` wrote; `None` for any other text (it is never leaked to make it `'static`).
fn static_message(s: &str) -> Option<&'static str> {
    PreflightCode::ALL
        .iter()
        .filter_map(|c| c.cape_message())
        .chain(ReasonCode::ALL.iter().filter_map(|c| c.cbp_message()))
        .find(|m| *m == s)
}

/// An optional message read back as [`static_message`]; unknown text is an error.
struct StaticMessage(Option<&'static str>);

impl<'de> Deserialize<'de> for StaticMessage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <Option<std::borrow::Cow<'de, str>> as Deserialize>::deserialize(d)?;
        s.map(|s| {
            static_message(&s).ok_or_else(|| {
                serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &"a message of CBP's published list")
            })
        })
        .transpose()
        .map(StaticMessage)
    }
}

impl<'de> Deserialize<'de> for PreflightFinding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            code: PreflightCode,
            level: FindingLevel,
            row: Option<u64>,
            value: Option<String>,
            message: String,
            cape_message: StaticMessage,
        }
        let f = Fields::deserialize(d)?;
        Ok(PreflightFinding {
            code: f.code,
            level: f.level,
            row: f.row,
            value: f.value,
            message: f.message,
            cape_message: f.cape_message.0,
        })
    }
}

impl<'de> Deserialize<'de> for EntryVerdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            row: u64,
            entry_number: EntryNumber,
            outcome: EntryOutcome,
            status: Option<ClaimStatus>,
            reasons: Vec<ReasonCode>,
            cbp_message: StaticMessage,
        }
        let f = Fields::deserialize(d)?;
        Ok(EntryVerdict {
            row: f.row,
            entry_number: f.entry_number,
            outcome: f.outcome,
            status: f.status,
            reasons: f.reasons,
            cbp_message: f.cbp_message.0,
        })
    }
}

/// The largest declaration file [`preflight_path`] reads by default: 4 MiB, over ten times what 9,999 entry
/// numbers with quotes, spaces and CRLF can take, so only a file that is not a declaration is refused.
pub const MAX_DECLARATION_FILE_BYTES: u64 = 4 << 20;

impl Default for PreflightOptions {
    fn default() -> Self {
        PreflightOptions {
            source_name: None,
            max_entries: MAX_ENTRIES_PER_DECLARATION,
            blank_rows_reject: false,
            max_file_bytes: MAX_DECLARATION_FILE_BYTES,
        }
    }
}

/// The result of a pre-flight check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightReport {
    /// The file name or `<buffer>`.
    pub source: String,
    /// The overall verdict.
    pub verdict: Verdict,
    /// Lines read, header included.
    pub rows_read: u64,
    /// Entries that passed the format checks, first occurrences, in file order.
    pub entries: Vec<ListedEntry>,
    /// Every finding, in row order (file-wide findings first).
    pub findings: Vec<PreflightFinding>,
    /// Entry verdicts, filled by [`PreflightReport::check_entries`].
    pub entry_verdicts: Vec<EntryVerdict>,
}

impl PreflightReport {
    /// The findings with this code.
    pub fn with_code(&self, code: PreflightCode) -> impl Iterator<Item = &PreflightFinding> {
        self.findings.iter().filter(move |f| f.code == code)
    }

    /// Gives every listed entry its verdict from assessed data; `lookup` returns `None` for entries not in the
    /// data (`NOT_IN_DATA`). Updates the findings and the overall verdict. Calling it again replaces the earlier
    /// entry verdicts.
    pub fn check_entries<'m, F>(&mut self, lookup: F)
    where
        F: Fn(&EntryNumber) -> Option<&'m ClaimAssessment>,
    {
        self.findings.retain(|f| {
            !matches!(
                f.code,
                PreflightCode::NotInData | PreflightCode::EntryIneligible | PreflightCode::EntryNeedsReview
            )
        });
        self.entry_verdicts.clear();
        let mut new_findings = Vec::new();
        for le in &self.entries {
            let a = lookup(&le.entry_number);
            let (outcome, status, reasons, cbp_message) = match a {
                None => (EntryOutcome::NotInData, None, Vec::new(), None),
                Some(a) => {
                    let outcome = match a.status {
                        ClaimStatus::Eligible => EntryOutcome::Accept,
                        ClaimStatus::EligibleDeferred => EntryOutcome::AcceptDeferred,
                        ClaimStatus::NeedsReview => EntryOutcome::Review,
                        ClaimStatus::Ineligible => EntryOutcome::Reject,
                    };
                    let reasons = a
                        .reasons
                        .iter()
                        .filter(|r| r.effect != super::eligibility::Effect::Note)
                        .map(|r| r.code)
                        .collect();
                    let cbp = a
                        .reasons
                        .iter()
                        .filter(|r| r.effect == super::eligibility::Effect::Ineligible)
                        .find_map(|r| r.cbp_message);
                    (outcome, Some(a.status), reasons, cbp)
                }
            };
            let finding = |code: PreflightCode, message: String| PreflightFinding {
                code,
                level: code.level(),
                row: Some(le.row),
                value: Some(le.entry_number.to_string()),
                message,
                cape_message: cbp_message,
            };
            let describe = || {
                a.map(|a| {
                    a.reasons
                        .iter()
                        .filter(|r| r.effect != super::eligibility::Effect::Note)
                        .map(|r| format!("{}: {}", r.code, r.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default()
            };
            match outcome {
                EntryOutcome::NotInData => new_findings.push(finding(
                    PreflightCode::NotInData,
                    format!("entry {} is not in the assessed data; its eligibility is unknown", le.entry_number),
                )),
                EntryOutcome::Reject => new_findings.push(finding(
                    PreflightCode::EntryIneligible,
                    format!("entry {} is ineligible: {}", le.entry_number, describe()),
                )),
                EntryOutcome::Review => new_findings.push(finding(
                    PreflightCode::EntryNeedsReview,
                    format!("entry {} needs review: {}", le.entry_number, describe()),
                )),
                EntryOutcome::Accept | EntryOutcome::AcceptDeferred => {}
            }
            self.entry_verdicts.push(EntryVerdict {
                row: le.row,
                entry_number: le.entry_number,
                outcome,
                status,
                reasons,
                cbp_message,
            });
        }
        self.findings.extend(new_findings);
        self.findings.sort_by_key(|f| f.row.unwrap_or(0));
        self.verdict = verdict_of(&self.findings);
    }

    /// [`PreflightReport::check_entries`] against a map of assessments.
    pub fn check_entries_in(&mut self, assessments: &HashMap<EntryNumber, ClaimAssessment>) {
        self.check_entries(|n| assessments.get(n));
    }
}

fn verdict_of(findings: &[PreflightFinding]) -> Verdict {
    match findings.iter().map(|f| f.level).max() {
        Some(FindingLevel::File) => Verdict::RejectFile,
        Some(FindingLevel::Entry) => Verdict::RejectEntries,
        _ => Verdict::Accept,
    }
}

/// A cell as a CSV file writes it: quoted (with `""` for a quote) when it holds a comma or a line break.
fn as_written(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.contains([',', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", cell.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Checks a declaration CSV held in memory.
///
/// Never fails: everything wrong with the file is a finding.
///
/// # Example
///
/// ```
/// use cape_core::claim::{preflight_bytes, PreflightOptions, Verdict};
/// let r = preflight_bytes(b"\xEF\xBB\xBFEntry Number\r\nABC-1234567-6\r\n", &PreflightOptions::default());
/// assert_eq!(r.verdict, Verdict::Accept);
/// assert_eq!(r.entries.len(), 1);
/// ```
pub fn preflight_bytes(bytes: &[u8], options: &PreflightOptions) -> PreflightReport {
    let source = options.source_name.clone().unwrap_or_else(|| "<buffer>".to_owned());
    let mut report = PreflightReport {
        source,
        verdict: Verdict::Accept,
        rows_read: 0,
        entries: Vec::new(),
        findings: Vec::new(),
        entry_verdicts: Vec::new(),
    };
    let file_finding = |code: PreflightCode, message: String| PreflightFinding {
        code,
        level: code.level(),
        row: None,
        value: None,
        message,
        cape_message: code.cape_message(),
    };
    // A file saved by Excel as "Unicode text" (UTF-16 with its byte-order mark) is read as its text, as an
    // ES-003 report is; it used to be refused as binary data for its NUL bytes.
    let utf16 = Encoding::detect(bytes).is_utf16();
    let bytes = &*utf8_text(bytes);
    let kind = if bytes.starts_with(b"PK\x03\x04") {
        Some("a ZIP archive (an Excel .xlsx workbook?)")
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an OLE2 document (an Excel .xls workbook?)")
    } else if bytes.contains(&0) {
        Some("binary data (NUL bytes)")
    } else {
        None
    };
    if let Some(kind) = kind {
        report.findings.push(file_finding(
            PreflightCode::NotCsv,
            format!("the file is {kind}, not CSV text; save the template as CSV"),
        ));
        report.verdict = Verdict::RejectFile;
        return report;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if String::from_utf8_lossy(body).trim().is_empty() {
        report.findings.push(file_finding(PreflightCode::EmptyFile, "the file is empty".to_owned()));
        report.verdict = Verdict::RejectFile;
        return report;
    }
    let blank_level = if options.blank_rows_reject { FindingLevel::File } else { FindingLevel::Warning };
    let mut findings = Vec::new();
    if utf16 {
        findings.push(file_finding(
            PreflightCode::Utf16Text,
            "the file is UTF-16 text (Excel's \"Unicode text\"); CAPE's template is UTF-8: save it as CSV UTF-8"
                .to_owned(),
        ));
    }
    let mut push = |code: PreflightCode, row: u64, value: Option<&str>, message: String| {
        let level = if code == PreflightCode::BlankRow { blank_level } else { code.level() };
        findings.push(PreflightFinding {
            code,
            level,
            row: Some(row),
            value: value.map(|v| echo_value(v).into_owned()),
            message,
            cape_message: if level == FindingLevel::File {
                code.cape_message().or(Some(cbp::FAILED_INITIAL_VALIDATION))
            } else {
                code.cape_message()
            },
        });
    };
    let blank = |row: u64| format!("row {row} is blank; CAPE's template has no blank rows");
    let mut header_seen = false;
    let mut data_rows = 0usize;
    let mut first_row_of: HashMap<EntryNumber, u64> = HashMap::new();
    // The records as an ES-003 report's are read: quoted line breaks, CR-only line ends, the record limit. Blank
    // lines are no records but keep their row numbers: each gap is a blank row.
    let mut records = in_memory(bytes, b',', DEFAULT_MAX_RECORD_BYTES);
    let mut rec = Record::default();
    let mut last_row = 0u64;
    // Reading from memory cannot fail.
    while let Ok(Some(row)) = records.read(&mut rec) {
        for b in last_row + 1..row {
            push(PreflightCode::BlankRow, b, None, blank(b));
        }
        last_row = row;
        if let Some(len) = rec.too_long() {
            // Its first bytes, with its full length said, as an ES-003 report's over-long row shows it.
            let head = cut_note(
                &String::from_utf8_lossy(rec.get(0).unwrap_or_default()),
                usize::try_from(len).unwrap_or(usize::MAX),
            );
            let limit = DEFAULT_MAX_RECORD_BYTES;
            let code = if header_seen {
                data_rows += 1;
                PreflightCode::MalformedEntryNumber
            } else {
                header_seen = true;
                PreflightCode::WrongHeader
            };
            push(code, row, Some(&head), format!("row {row} is {len} bytes long, over the {limit} a row may have"));
            continue;
        }
        let raw: Vec<String> = rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        // The row as written, for the findings about its cells.
        let line = raw.iter().map(|c| as_written(c)).collect::<Vec<_>>().join(",");
        let line = line.as_str();
        let vals: Vec<&str> = raw.iter().map(|c| unwrap_excel_str(c)).collect();
        let non_empty = vals.iter().filter(|v| !v.is_empty()).count();
        if non_empty == 0 {
            push(PreflightCode::BlankRow, row, None, blank(row));
            continue;
        }
        if vals.len() > 1 {
            if vals[1..].iter().any(|v| !v.is_empty()) || vals[0].is_empty() {
                push(
                    PreflightCode::ExtraColumns,
                    row,
                    Some(line),
                    format!("row {row} has {} columns; the declaration has one column, `Entry Number`", vals.len()),
                );
            } else {
                push(
                    PreflightCode::TrailingComma,
                    row,
                    Some(line),
                    format!("row {row} ends with {} empty cell(s) (trailing commas)", vals.len() - 1),
                );
            }
        }
        let value = vals.iter().copied().find(|v| !v.is_empty()).unwrap_or("");
        // As echoed in messages: cut to MAX_ECHOED_CHARS with its full length said.
        let shown = echo_value(value);
        if !header_seen {
            header_seen = true;
            if value == DECLARATION_HEADER {
                continue;
            }
            if header_key(value) == "entrynumber" {
                push(
                    PreflightCode::HeaderVariant,
                    row,
                    Some(value),
                    format!("header {shown:?} differs from CAPE's template `{DECLARATION_HEADER}` in case or spacing"),
                );
                continue;
            }
            if EntryNumber::parse_reason(&value.replace('-', "")).is_ok() {
                push(
                    PreflightCode::MissingHeader,
                    row,
                    Some(value),
                    format!("row 1 is an entry number, not the header `{DECLARATION_HEADER}`"),
                );
            } else {
                push(
                    PreflightCode::WrongHeader,
                    row,
                    Some(value),
                    format!("header is {shown:?}; CAPE's template has the one header `{DECLARATION_HEADER}`"),
                );
                continue;
            }
        }
        data_rows += 1;
        if data_rows == options.max_entries + 1 {
            push(
                PreflightCode::TooManyEntries,
                row,
                None,
                format!(
                    "more than {} entries: row {row} is entry {data_rows}; split the declaration",
                    options.max_entries
                ),
            );
        }
        let compact: String = value.chars().filter(|&c| c != '-').collect();
        let n_chars = compact.chars().count();
        if n_chars != 11 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            let what = if n_chars != 11 {
                format!("{n_chars} characters")
            } else {
                "a character other than a letter or digit".to_owned()
            };
            push(
                PreflightCode::MalformedEntryNumber,
                row,
                Some(value),
                format!("{shown:?} has {what} after removing dashes; an entry number has 11 letters or digits"),
            );
            continue;
        }
        match EntryNumber::parse_reason(&compact) {
            Ok(n) => {
                if let Some(first) = first_row_of.get(&n) {
                    push(
                        PreflightCode::DuplicateEntry,
                        row,
                        Some(value),
                        format!("entry {n} is listed again (first on row {first})"),
                    );
                } else {
                    first_row_of.insert(n, row);
                    report.entries.push(ListedEntry { row, entry_number: n });
                }
            }
            Err(e @ EntryNumberError::CheckDigit { .. }) => push(
                PreflightCode::BadCheckDigit,
                row,
                Some(value),
                format!("{shown:?}: {e}; no such entry can exist in ACE"),
            ),
            Err(e) => push(
                PreflightCode::InvalidEntryNumber,
                row,
                Some(value),
                format!("{shown:?} is not an entry number: {e}"),
            ),
        }
    }
    let end = records.resume_point().row;
    for b in last_row + 1..=end {
        push(PreflightCode::BlankRow, b, None, blank(b));
    }
    report.rows_read = end;
    if data_rows == 0 {
        findings.push(file_finding(PreflightCode::NoEntries, "the file has a header but no entry numbers".to_owned()));
    }
    findings.sort_by_key(|f| f.row.unwrap_or(0));
    report.verdict = verdict_of(&findings);
    report.findings = findings;
    report
}

/// Checks a declaration CSV file. A path not ending in `.csv` (any case) is reported as `NOT_CSV`.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io) when the file cannot be read; everything about its contents is a finding.
pub fn preflight_path(path: impl AsRef<Path>, options: &PreflightOptions) -> Result<PreflightReport> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let mut opts = options.clone();
    if opts.source_name.is_none() {
        opts.source_name = Some(name.clone());
    }
    let bytes = match crate::ingest::source::read_capped(path, &name, options.max_file_bytes)? {
        crate::ingest::source::Capped::Whole(b) => b,
        crate::ingest::source::Capped::TooLarge(size) => {
            let code = PreflightCode::FileTooLarge;
            let finding = PreflightFinding {
                code,
                level: code.level(),
                row: None,
                value: None,
                message: format!(
                    "the file is {size} bytes, more than the {} a declaration of {} entries can need; not read",
                    options.max_file_bytes, options.max_entries
                ),
                cape_message: code.cape_message(),
            };
            return Ok(PreflightReport {
                source: opts.source_name.unwrap_or(name),
                verdict: Verdict::RejectFile,
                rows_read: 0,
                entries: Vec::new(),
                findings: vec![finding],
                entry_verdicts: Vec::new(),
            });
        }
    };
    let mut report = preflight_bytes(&bytes, &opts);
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv && !report.findings.iter().any(|f| f.code == PreflightCode::NotCsv) {
        report.findings.insert(
            0,
            PreflightFinding {
                code: PreflightCode::NotCsv,
                level: FindingLevel::File,
                row: None,
                value: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                message: "the file name does not end in .csv; CAPE takes only .csv files".to_owned(),
                cape_message: Some(cbp::NOT_A_CSV_FILE),
            },
        );
        report.verdict = Verdict::RejectFile;
    }
    verify_against_manifest(path, &bytes, &mut report);
    Ok(report)
}

/// Checks `bytes` (the file at `path`) against the manifest beside it, if there is one (see the module
/// documentation), adding a file-wide finding on a mismatch.
fn verify_against_manifest(path: &Path, bytes: &[u8], report: &mut PreflightReport) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    if name == MANIFEST_FILE {
        return;
    }
    let manifest_path = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(MANIFEST_FILE),
        _ => Path::new(".").join(MANIFEST_FILE),
    };
    let finding = |code: PreflightCode, value: Option<String>, message: String| PreflightFinding {
        code,
        level: code.level(),
        row: None,
        value,
        message,
        cape_message: code.cape_message(),
    };
    let listing = match load_manifest(&manifest_path) {
        Ok(None) => return,
        Ok(Some(rows)) => Ok(rows),
        Err(why) => Err(why),
    };
    let shown = manifest_path.display();
    let new = match listing {
        Err(why) => finding(
            PreflightCode::ManifestUnreadable,
            None,
            format!("{shown} beside the file {why}; the file was not verified against it"),
        ),
        Ok(rows) => match rows.iter().find(|r| r.file == name) {
            None => finding(
                PreflightCode::NotInManifest,
                Some(name.clone()),
                format!(
                    "{shown} does not list {name}: a stale file from an earlier run, or one put there by hand; \
                     upload only the files the manifest lists (write the set again with cape declare --replace)"
                ),
            ),
            Some(row) => {
                let sha = sha256_hex(bytes);
                let entries = entry_rows(bytes);
                let sha_ok = row.sha256.as_deref().is_none_or(|s| s == sha);
                if sha_ok && entries == row.entries {
                    return;
                }
                let listed_sha =
                    row.sha256.as_deref().map(|s| format!(", SHA-256 {}", echo_value(s))).unwrap_or_default();
                finding(
                    PreflightCode::ManifestMismatch,
                    Some(name.clone()),
                    format!(
                        "{shown} lists {name} with {} entries{listed_sha}; the file has {entries} entry rows, SHA-256 \
                         {sha}: it was cut, edited or replaced since cape wrote it; write the declarations again",
                        row.entries
                    ),
                )
            }
        },
    };
    report.findings.insert(0, new);
    report.verdict = verdict_of(&report.findings);
}

/// The non-blank rows after the first (the header), as the manifest counts entries, read as
/// [`preflight_bytes`] reads them.
fn entry_rows(bytes: &[u8]) -> usize {
    let text = utf8_text(bytes);
    let mut records = in_memory(&text, b',', DEFAULT_MAX_RECORD_BYTES);
    let mut rec = Record::default();
    let mut rows = 0usize;
    // Reading from memory cannot fail.
    while let Ok(Some(_)) = records.read(&mut rec) {
        if rec.iter().any(|c| !c.trim_ascii().is_empty()) {
            rows += 1;
        }
    }
    rows.saturating_sub(1)
}
