//! Refunds as CBP reports them paid: the rows of ACE's refund reports (ES-022 CAPE Entry Summary Report, REV-603
//! Trade Refund Report, REV-615 CAPE details refunds), the facts a ledger compares with the expected refund.
//!
//! Their exact column layouts are not published (CAPE.md §11): [`read_refund_report`] maps the names seen in
//! practice ([`RefundReportNames`], embedded from `cape-core/data/refund_report_columns.json` with their
//! provenance) and a caller's column map ([`RefundReportOptions::columns`]; as a file, `FIELD=Header` lines read by
//! [`read_column_map`]) onto [`PaymentRow`]; every input row is either a [`PaymentRow`] or a diagnostic (the
//! `REFUND_*` codes of [`DiagnosticCode`]).
//!
//! # Example
//!
//! ```
//! use cape_core::refund::payments::{read_refund_report, PaymentStatus, RefundReportKind, RefundReportOptions};
//!
//! let csv = "Refund Number,Refund Secondary Status,Status Date,Principal Amount\n\
//!            R0001,Treasury Issued,05/12/2026,\"$1,234.56\"\n";
//! let report = read_refund_report(csv.as_bytes(), &RefundReportOptions::default())?;
//! assert_eq!(report.kind, RefundReportKind::Rev603);
//! assert_eq!(report.rows[0].status, Some(PaymentStatus::TreasuryIssued));
//! assert_eq!(report.rows[0].principal, Some("1234.56".parse().unwrap()));
//! # Ok::<(), cape_core::Error>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::diagnostic::{cut_note, echo_value, Diagnostic, DiagnosticCode, Severity};
use crate::error::{Error, ErrorKind, Result};
use crate::ingest::columns::header_key;
use crate::ingest::es003::SourceFormat;
use crate::ingest::records::{in_memory, CsvRecords, Record};
use crate::ingest::source::{read_capped, utf8_text, Capped, DEFAULT_MAX_RECORD_BYTES};
use crate::ingest::workbook::{WorkbookInput, WorkbookLimits, WorkbookRows};
use crate::values::date::parse_date_bytes;
use crate::values::entry_number::EntryNumber;
use crate::values::money::{Usd, SUB_CENT};
use crate::values::text::unwrap_excel_str;

/// Which ACE report a refund file is, as detected from its columns (or as the caller says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundReportKind {
    /// ES-022 CAPE Entry Summary Report: declaration, entry, refund number, principal, interest, claim status.
    Es022,
    /// REV-603 Trade Refund Report: per refund, its secondary status and status date.
    Rev603,
    /// REV-615 CAPE details refunds: the REV-603 refund broken down by entry summary.
    Rev615,
}

/// A refund's status as the reports word it (REV-603's secondary status, ES-022's claim status).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentStatus {
    /// `Sent to Treasury`: CBP has sent the refund to Treasury; not yet issued.
    SentToTreasury,
    /// `Treasury Issued`: Treasury has issued the payment (ACH or check).
    TreasuryIssued,
    /// `Funds Diverted`: Treasury applied the refund to a debt; not lost, not paid to the importer either.
    FundsDiverted,
    /// `Check Returned` / `ACH Returned`: the payment came back.
    Returned,
    /// Any other status text, kept verbatim.
    Other(String),
}

/// One row of a refund report: the entry, the refund and what CBP says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// The 1-based row of the file (the header is row 1).
    pub row: u64,
    /// The entry, when the report names one that parses (REV-603 rows name only the refund).
    pub entry_number: Option<EntryNumber>,
    /// The CAPE declaration (claim) number, when given.
    pub declaration_number: Option<String>,
    /// CBP's refund number, when given.
    pub refund_number: Option<String>,
    /// The principal refunded, when given.
    pub principal: Option<Decimal>,
    /// The interest refunded, when given.
    pub interest: Option<Decimal>,
    /// The refund (payment) date, when given.
    pub refund_date: Option<NaiveDate>,
    /// The status.
    pub status: Option<PaymentStatus>,
    /// The status date (REV-603), when given.
    pub status_date: Option<NaiveDate>,
}

// ---------------------------------------------------------------------------------------------------------------
// The reader.
// ---------------------------------------------------------------------------------------------------------------

/// The embedded names of refund-report columns and statuses, `cape-core/data/refund_report_columns.json`.
pub const EMBEDDED_REFUND_COLUMNS_JSON: &str = include_str!("../../data/refund_report_columns.json");

/// The most data rows [`read_refund_report`] reads by default (blank rows not counted): 1,000,000, far more than
/// an importer's CAPE refunds; every row is kept in memory, so this bounds what a file that is not a refund report
/// can make cape hold. [`RefundReportOptions::max_rows`] overrides it.
pub const MAX_REFUND_REPORT_ROWS: usize = 1_000_000;

/// The largest refund-report file [`read_refund_report`] reads from a path: 64 MiB (some 600,000 rows), so that a
/// file that is not a refund report cannot make cape hold gigabytes.
pub const MAX_REFUND_REPORT_FILE_BYTES: u64 = 64 << 20;

/// The largest column-map file [`read_column_map`] reads: 1 MiB.
pub const MAX_COLUMN_MAP_FILE_BYTES: u64 = 1 << 20;

crate::values::codes::stable_codes! {
    /// A field of [`PaymentRow`] that a report column fills (the keys of a column map, e.g. `principal`).
    pub enum PaymentField: as_str {
        /// [`PaymentRow::entry_number`].
        EntryNumber = "entry_number",
        /// [`PaymentRow::declaration_number`].
        DeclarationNumber = "declaration_number",
        /// [`PaymentRow::refund_number`].
        RefundNumber = "refund_number",
        /// [`PaymentRow::principal`].
        Principal = "principal",
        /// [`PaymentRow::interest`].
        Interest = "interest",
        /// [`PaymentRow::refund_date`].
        RefundDate = "refund_date",
        /// [`PaymentRow::status`].
        Status = "status",
        /// [`PaymentRow::status_date`].
        StatusDate = "status_date",
    }
}

impl PaymentField {
    /// The field a column-map key names: its code matched ignoring case, spaces and punctuation
    /// (`entry_number`, `Entry Number` and `ENTRY-NUMBER` all name [`PaymentField::EntryNumber`]).
    pub fn from_key(key: &str) -> Option<Self> {
        let k = header_key(key);
        Self::ALL.iter().copied().find(|f| header_key(f.as_str()) == k)
    }
}

impl RefundReportKind {
    /// Every kind.
    pub const ALL: [RefundReportKind; 3] =
        [RefundReportKind::Es022, RefundReportKind::Rev603, RefundReportKind::Rev615];

    /// The stable name: `es022`, `rev603`, `rev615`.
    pub fn name(self) -> &'static str {
        match self {
            RefundReportKind::Es022 => "es022",
            RefundReportKind::Rev603 => "rev603",
            RefundReportKind::Rev615 => "rev615",
        }
    }

    /// The kind a name gives (its [`RefundReportKind::name`] or CBP's report name, `ES-022`, `REV-603`, `REV-615`,
    /// case and punctuation ignored).
    pub fn from_name(name: &str) -> Option<Self> {
        let k = header_key(name);
        Self::ALL.iter().copied().find(|kind| kind.name() == k)
    }

    /// The fields a report of this kind must have a column for: the entry for ES-022, the refund number for
    /// REV-603, both for REV-615. ES-022 and REV-615 also need a principal or an interest column.
    pub fn required_fields(self) -> &'static [PaymentField] {
        match self {
            RefundReportKind::Es022 => &[PaymentField::EntryNumber],
            RefundReportKind::Rev603 => &[PaymentField::RefundNumber],
            RefundReportKind::Rev615 => &[PaymentField::EntryNumber, PaymentField::RefundNumber],
        }
    }
}

impl PaymentStatus {
    /// The stable name (`sent_to_treasury`, `treasury_issued`, `funds_diverted`, `returned`), or the verbatim
    /// text of [`PaymentStatus::Other`].
    pub fn name(&self) -> &str {
        match self {
            PaymentStatus::SentToTreasury => "sent_to_treasury",
            PaymentStatus::TreasuryIssued => "treasury_issued",
            PaymentStatus::FundsDiverted => "funds_diverted",
            PaymentStatus::Returned => "returned",
            PaymentStatus::Other(s) => s,
        }
    }
}

/// The words of a status, for matching: upper case, runs of white space as one space, no space around `/`.
fn status_key(s: &str) -> String {
    let words = s.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    words.replace(" /", "/").replace("/ ", "/")
}

/// The names of refund-report columns and statuses seen in practice (CSMS 68536553, CAPE.md §11): by default the
/// embedded [`EMBEDDED_REFUND_COLUMNS_JSON`]; a caller may load its own with [`RefundReportNames::from_json`].
///
/// The file is a JSON object: `version`, `description`, `sources` (provenance), `fields` (for every
/// [`PaymentField`] code the headers tried, in order), `es022_markers` (headers that make a report ES-022) and
/// `statuses` (for `sent_to_treasury`, `treasury_issued`, `funds_diverted`, `returned`, the words CBP writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReportNames {
    /// The data's version (a date).
    pub version: String,
    /// Where the names come from.
    pub sources: Vec<String>,
    /// For each field, the headers accepted for it, tried in order (matched ignoring case, spaces and
    /// punctuation).
    pub fields: BTreeMap<PaymentField, Vec<String>>,
    /// Headers whose presence makes a report ES-022 (the declaration number, the claim status).
    pub es022_markers: Vec<String>,
    /// For each known status, the words that mean it (matched ignoring case and runs of spaces).
    pub statuses: Vec<(PaymentStatus, Vec<String>)>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesFile {
    version: String,
    #[allow(dead_code)]
    description: String,
    sources: Vec<String>,
    fields: BTreeMap<PaymentField, Vec<String>>,
    es022_markers: Vec<String>,
    statuses: BTreeMap<KnownStatus, Vec<String>>,
}

#[derive(serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum KnownStatus {
    SentToTreasury,
    TreasuryIssued,
    FundsDiverted,
    Returned,
}

impl RefundReportNames {
    /// The embedded names ([`EMBEDDED_REFUND_COLUMNS_JSON`]).
    ///
    /// # Errors
    ///
    /// As [`RefundReportNames::from_json`] (never, for the data shipped: a test reads it).
    pub fn embedded() -> Result<Self> {
        Self::from_json(EMBEDDED_REFUND_COLUMNS_JSON, "refund_report_columns.json")
    }

    /// Reads names from JSON text (the layout of [`EMBEDDED_REFUND_COLUMNS_JSON`]).
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] naming `source` when the text is not that layout (an unknown key or field, a
    /// field without headers, a header with no letter or digit, one header given for two fields, one status word
    /// for two statuses).
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: source.to_owned(), message };
        let f: NamesFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut owner: BTreeMap<String, PaymentField> = BTreeMap::new();
        for field in PaymentField::ALL {
            let headers = f.fields.get(field).filter(|h| !h.is_empty());
            let headers = headers.ok_or_else(|| bad(format!("no headers for the field {field}")))?;
            for h in headers {
                let key = header_key(h);
                if key.is_empty() {
                    return Err(bad(format!("the header {h:?} of {field} has no letter or digit")));
                }
                if let Some(other) = owner.insert(key, *field) {
                    return Err(bad(format!("the header {h:?} is given for both {other} and {field}")));
                }
            }
        }
        let mut words: BTreeMap<String, ()> = BTreeMap::new();
        let mut statuses = Vec::new();
        for (k, list) in f.statuses {
            for w in &list {
                if words.insert(status_key(w), ()).is_some() {
                    return Err(bad(format!("the status {w:?} is given twice")));
                }
            }
            let status = match k {
                KnownStatus::SentToTreasury => PaymentStatus::SentToTreasury,
                KnownStatus::TreasuryIssued => PaymentStatus::TreasuryIssued,
                KnownStatus::FundsDiverted => PaymentStatus::FundsDiverted,
                KnownStatus::Returned => PaymentStatus::Returned,
            };
            statuses.push((status, list));
        }
        Ok(RefundReportNames {
            version: f.version,
            sources: f.sources,
            fields: f.fields,
            es022_markers: f.es022_markers,
            statuses,
        })
    }

    /// The status a report's text gives: a known status when the words match one (case and runs of spaces
    /// ignored: `TREASURY  issued` is [`PaymentStatus::TreasuryIssued`]), else [`PaymentStatus::Other`] with the
    /// text as written (trimmed, cut by [`echo_value`] beyond [`crate::diagnostic::MAX_ECHOED_CHARS`]).
    pub fn status(&self, text: &str) -> PaymentStatus {
        let key = status_key(text);
        self.statuses
            .iter()
            .find(|(_, words)| words.iter().any(|w| status_key(w) == key))
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| PaymentStatus::Other(echo_value(text.trim()).into_owned()))
    }
}

/// Options of [`read_refund_report`]; [`Default`] detects the kind, reads by the embedded names, the first
/// non-empty sheet of a workbook, at most [`MAX_REFUND_REPORT_ROWS`] rows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundReportOptions {
    /// The report's kind; `None` detects it from the headers (see [`read_refund_report`]).
    pub kind: Option<RefundReportKind>,
    /// The user column map: for a field, the header of the file's column that holds it (matched ignoring case,
    /// spaces and punctuation). A mapped field is read only from that header. See [`parse_column_map`].
    pub columns: BTreeMap<PaymentField, String>,
    /// The names seen in practice; `None` for the embedded ones ([`RefundReportNames::embedded`]).
    pub names: Option<RefundReportNames>,
    /// For a workbook: the sheet to read (default: the first non-empty one).
    pub sheet: Option<String>,
    /// The most data rows read; a file with more is refused. Default [`MAX_REFUND_REPORT_ROWS`].
    pub max_rows: usize,
}

impl Default for RefundReportOptions {
    fn default() -> Self {
        RefundReportOptions {
            kind: None,
            columns: BTreeMap::new(),
            names: None,
            sheet: None,
            max_rows: MAX_REFUND_REPORT_ROWS,
        }
    }
}

impl RefundReportOptions {
    /// These options with `field` read from the header `header`.
    #[must_use]
    pub fn with_column(mut self, field: PaymentField, header: &str) -> Self {
        self.columns.insert(field, header.to_owned());
        self
    }

    /// These options with the kind forced to `kind` (not detected).
    #[must_use]
    pub fn with_kind(mut self, kind: RefundReportKind) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// Reads one column-map assignment, `FIELD=Header` (as `--column` gives it): the field's code (case, spaces and
/// punctuation ignored) and the header, trimmed.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when there is no `=`, the field is unknown, or the header
/// has no letter or digit.
pub fn parse_column_assignment(text: &str) -> Result<(PaymentField, String)> {
    let fields = || PaymentField::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ");
    let (key, header) = text
        .split_once('=')
        .ok_or_else(|| Error::value(ErrorKind::InvalidValue, "column map entry", text, "expected FIELD=Header"))?;
    let field = PaymentField::from_key(key).ok_or_else(|| {
        Error::value(ErrorKind::InvalidValue, "column map field", key.trim(), format!("the fields are {}", fields()))
    })?;
    let header = header.trim();
    if header_key(header).is_empty() {
        return Err(Error::value(ErrorKind::InvalidValue, "column map header", header, "has no letter or digit"));
    }
    Ok((field, header.to_owned()))
}

/// Reads a column-map file's text: one `FIELD=Header` per line (e.g. `principal = Refund Amt (USD)`), blank lines
/// and lines starting with `#` ignored. `source` names the file in errors.
///
/// # Errors
///
/// [`Error::Format`] naming `source`, the line number and the line for a line [`parse_column_assignment`] refuses,
/// or a field given twice.
pub fn parse_column_map(text: &str, source: &str) -> Result<BTreeMap<PaymentField, String>> {
    let mut map = BTreeMap::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let n = i.saturating_add(1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |message: String| Error::Format {
            source_name: source.to_owned(),
            message: format!("line {n} {:?}: {message}", echo_value(line)),
        };
        let (field, header) = parse_column_assignment(line).map_err(|e| at(e.to_string()))?;
        if map.insert(field, header).is_some() {
            return Err(at(format!("the field {field} is mapped twice")));
        }
    }
    Ok(map)
}

/// Reads a column-map file (see [`parse_column_map`]; UTF-8, at most [`MAX_COLUMN_MAP_FILE_BYTES`]).
///
/// # Errors
///
/// [`Error::Io`] when it cannot be read; [`Error::Format`] when it is too large, not UTF-8, or as
/// [`parse_column_map`].
pub fn read_column_map(path: impl AsRef<Path>) -> Result<BTreeMap<PaymentField, String>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bad = |message: String| Error::Format { source_name: name.clone(), message };
    match read_capped(path, &name, MAX_COLUMN_MAP_FILE_BYTES)? {
        Capped::TooLarge(size) => Err(bad(format!(
            "the file is {size} bytes, more than the {MAX_COLUMN_MAP_FILE_BYTES} a column map may have"
        ))),
        Capped::Whole(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".to_owned()))?;
            parse_column_map(&text, &name)
        }
    }
}

/// Where a refund report is read from.
#[derive(Debug, Clone, Copy)]
pub enum RefundReportSource<'a> {
    /// A file (CSV or XLSX, at most [`MAX_REFUND_REPORT_FILE_BYTES`]).
    Path(&'a Path),
    /// A file's bytes held in memory, with the name to give in messages (`<buffer>` when `None`).
    Bytes {
        /// The bytes (CSV text or an XLSX workbook).
        bytes: &'a [u8],
        /// The name for messages.
        name: Option<&'a str>,
    },
}

impl<'a> From<&'a Path> for RefundReportSource<'a> {
    fn from(p: &'a Path) -> Self {
        RefundReportSource::Path(p)
    }
}

impl<'a> From<&'a [u8]> for RefundReportSource<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        RefundReportSource::Bytes { bytes, name: None }
    }
}

/// Counts over a refund report: `rows_read == rows_used + rows_rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RefundReportSummary {
    /// Data rows read (blank rows excluded).
    pub rows_read: u64,
    /// Rows that became a [`PaymentRow`].
    pub rows_used: u64,
    /// Rows rejected, each with at least one diagnostic of severity error.
    pub rows_rejected: u64,
    /// Rows used without an entry (REV-603 rows, whose entry column, if any, was blank or did not parse).
    pub rows_without_entry: u64,
    /// The principal of the rows used.
    pub principal: Decimal,
    /// The interest of the rows used.
    pub interest: Decimal,
    /// Rows used per status name ([`PaymentStatus::name`]; `none` for no status).
    pub by_status: BTreeMap<String, u64>,
}

/// A refund report read: its kind, its rows and what was wrong with the others.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundReport {
    /// The file name or `<buffer>`.
    pub source: String,
    /// The kind, detected or as the options forced it.
    pub kind: RefundReportKind,
    /// Whether [`RefundReport::kind`] was detected from the headers (not forced).
    pub kind_detected: bool,
    /// CSV or XLSX.
    pub format: SourceFormat,
    /// For each field read, the header (as written) it was read from, in [`PaymentField`] order.
    pub columns: Vec<(PaymentField, String)>,
    /// The rows used, in file order.
    pub rows: Vec<PaymentRow>,
    /// What cape says of the rows: every rejected row has at least one of severity error.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub summary: RefundReportSummary,
}

impl Serialize for RefundReport {
    /// `source`, `kind` ([`RefundReportKind::name`]), `kind_detected`, `format` (`csv`/`xlsx`), `columns` (field
    /// code → header), `rows`, `diagnostics`, `summary`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let columns: BTreeMap<&str, &str> = self.columns.iter().map(|(f, h)| (f.as_str(), h.as_str())).collect();
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("source", &self.source)?;
        m.serialize_entry("kind", self.kind.name())?;
        m.serialize_entry("kind_detected", &self.kind_detected)?;
        m.serialize_entry("format", self.format.name())?;
        m.serialize_entry("columns", &columns)?;
        m.serialize_entry("rows", &self.rows)?;
        m.serialize_entry("diagnostics", &self.diagnostics)?;
        m.serialize_entry("summary", &self.summary)?;
        m.end()
    }
}

/// The records of a report: CSV text, or a workbook's sheet.
enum ReportRecords<'a> {
    Csv(Box<CsvRecords<&'a [u8]>>),
    Workbook(WorkbookRows),
}

impl ReportRecords<'_> {
    fn read(&mut self, rec: &mut Record) -> Result<Option<u64>> {
        match self {
            // Reading from memory cannot fail.
            ReportRecords::Csv(r) => Ok(r.read(rec).ok().flatten()),
            ReportRecords::Workbook(w) => w.next(rec),
        }
    }
}

/// Reads an ACE refund report (ES-022, REV-603 or REV-615; CSV or XLSX) into [`PaymentRow`]s.
///
/// The file is read as claim-details files are ([`crate::claim::results`]): UTF-8 or UTF-16 with its byte-order
/// mark, the delimiter sniffed from the header line, quoted line breaks, CR/LF/CRLF line ends, `="…"` cells, the
/// record limit ([`DEFAULT_MAX_RECORD_BYTES`]); an XLSX workbook by the ES-003 workbook reader (its limits), one
/// sheet. Row numbers are the file's (the header is row 1; blank lines keep their numbers and are skipped).
///
/// Columns: for each [`PaymentField`], the header of [`RefundReportOptions::columns`] if mapped, else the first
/// of [`RefundReportNames::fields`] present. The kind, unless forced, is ES-022 when a header of
/// [`RefundReportNames::es022_markers`] is present, else REV-603 when no entry column is, else REV-615.
///
/// Rows: a blank row is skipped; every other row becomes a [`PaymentRow`] or is rejected with diagnostics naming
/// row, column and value (`REFUND_*` codes of [`DiagnosticCode`]): a missing entry (ES-022, REV-615) or refund
/// number (REV-603, REV-615), an entry number that does not parse (kept without the entry, with a warning, in a
/// REV-603), an amount that is not whole cents, not an amount or negative (`$1,234.56` is read), a date not
/// `MM/DD/YYYY` or ISO, more cells than the header or (CSV) fewer, an over-long record. Statuses are read by
/// [`RefundReportNames::status`].
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] when it is too large, neither CSV nor XLSX,
/// empty, has more than [`RefundReportOptions::max_rows`] rows, or two fields would be read from one column;
/// [`Error::MissingColumn`] when a column the kind requires (or a mapped header) is absent;
/// [`Error::ReferenceData`] for unusable [`RefundReportOptions::names`]; [`Error::Overflow`] when the totals
/// overflow.
pub fn read_refund_report<'a>(
    source: impl Into<RefundReportSource<'a>>,
    options: &RefundReportOptions,
) -> Result<RefundReport> {
    match source.into() {
        RefundReportSource::Bytes { bytes, name } => read_bytes(bytes, name.unwrap_or("<buffer>"), options),
        RefundReportSource::Path(path) => {
            let name = path.display().to_string();
            match read_capped(path, &name, MAX_REFUND_REPORT_FILE_BYTES)? {
                Capped::Whole(bytes) => read_bytes(&bytes, &name, options),
                Capped::TooLarge(size) => Err(Error::Format {
                    source_name: name,
                    message: format!(
                        "the file is {size} bytes, more than the {MAX_REFUND_REPORT_FILE_BYTES} cape reads as a refund \
                         report; not read. Split it, or check that it is an ES-022, REV-603 or REV-615 export"
                    ),
                }),
            }
        }
    }
}

/// The columns located: per field, its index in the header.
type Located = BTreeMap<PaymentField, usize>;

fn locate(names: &[String], options: &RefundReportOptions, table: &RefundReportNames, source: &str) -> Result<Located> {
    let position = |header: &str| {
        let key = header_key(header);
        names.iter().position(|n| !key.is_empty() && header_key(n) == key)
    };
    let found = || if names.iter().all(|n| n.is_empty()) { "(none)".to_owned() } else { names.join(", ") };
    let mut at: Located = BTreeMap::new();
    for field in PaymentField::ALL {
        let i = match options.columns.get(field) {
            Some(h) => Some(position(h).ok_or_else(|| Error::MissingColumn {
                source_name: source.to_owned(),
                column: format!("{h} (mapped to {field})"),
                found: found(),
            })?),
            None => table.fields.get(field).and_then(|hs| hs.iter().find_map(|h| position(h))),
        };
        let Some(i) = i else { continue };
        if let Some((other, _)) = at.iter().find(|(_, &j)| j == i) {
            let header = names.get(i).map(String::as_str).unwrap_or_default();
            return Err(Error::Format {
                source_name: source.to_owned(),
                message: format!(
                    "fields {other} and {field} would both be read from the column {header:?}; map one of them to \
                     another header"
                ),
            });
        }
        at.insert(*field, i);
    }
    Ok(at)
}

fn read_bytes(bytes: &[u8], source: &str, options: &RefundReportOptions) -> Result<RefundReport> {
    let bad = |message: String| Error::Format { source_name: source.to_owned(), message };
    let embedded;
    let table = match &options.names {
        Some(t) => t,
        None => {
            embedded = RefundReportNames::embedded()?;
            &embedded
        }
    };
    // A file re-saved by Excel as UTF-16 (with its byte-order mark) is read as its text.
    let text = utf8_text(bytes);
    let bytes = &*text;
    let (mut records, format) = if bytes.starts_with(b"PK\x03\x04") {
        let input = WorkbookInput::Bytes(bytes.into());
        let rows = WorkbookRows::open(&input, source, options.sheet.as_deref(), &WorkbookLimits::default())?;
        (ReportRecords::Workbook(rows), SourceFormat::Xlsx)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || bytes.contains(&0) {
        return Err(bad("not a CSV file or an XLSX workbook (an Excel 97-2003 workbook or binary data); save the \
                        refund report as CSV or XLSX"
            .to_owned()));
    } else {
        let head = bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes);
        let delimiter = crate::ingest::sniff::sniff_delimiter(head);
        (ReportRecords::Csv(Box::new(in_memory(bytes, delimiter, DEFAULT_MAX_RECORD_BYTES))), SourceFormat::Csv)
    };
    let mut rec = Record::default();
    let strings =
        |rec: &Record| -> Vec<String> { rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect() };
    let is_blank = |raw: &[String]| raw.iter().all(|c| unwrap_excel_str(c).is_empty());
    let header = loop {
        match records.read(&mut rec)? {
            Some(row) if rec.too_long().is_some() => {
                let len = rec.too_long().unwrap_or_default();
                return Err(bad(format!(
                    "the header (row {row}) is {len} bytes long, over the {DEFAULT_MAX_RECORD_BYTES} a row may have"
                )));
            }
            Some(_) if is_blank(&strings(&rec)) => continue,
            Some(_) => break strings(&rec),
            None => return Err(bad("the file is empty".to_owned())),
        }
    };
    let names: Vec<String> = header.iter().map(|c| unwrap_excel_str(c).to_owned()).collect();
    let at = locate(&names, options, table, source)?;
    let (kind, kind_detected) = match options.kind {
        Some(k) => (k, false),
        None => {
            let marked = table.es022_markers.iter().any(|m| {
                let key = header_key(m);
                names.iter().any(|n| header_key(n) == key)
            });
            let kind = if marked {
                RefundReportKind::Es022
            } else if !at.contains_key(&PaymentField::EntryNumber) {
                RefundReportKind::Rev603
            } else {
                RefundReportKind::Rev615
            };
            (kind, true)
        }
    };
    for field in kind.required_fields() {
        if !at.contains_key(field) {
            let tried = table.fields.get(field).map(|h| h.join(" / ")).unwrap_or_default();
            return Err(Error::MissingColumn {
                source_name: source.to_owned(),
                column: format!("{field} ({tried}; required in a {} report)", kind.name()),
                found: if names.iter().all(|n| n.is_empty()) { "(none)".to_owned() } else { names.join(", ") },
            });
        }
    }
    // An entry-level report without an amount column would record every refund as paid nothing: refused, so
    // that the column is mapped (`--column principal=...`) rather than a wrong amount kept.
    let amounts = [PaymentField::Principal, PaymentField::Interest];
    if kind != RefundReportKind::Rev603 && !amounts.iter().any(|f| at.contains_key(f)) {
        let tried: Vec<String> =
            amounts.iter().filter_map(|f| table.fields.get(f).map(|h| format!("{f}: {}", h.join(" / ")))).collect();
        return Err(Error::MissingColumn {
            source_name: source.to_owned(),
            column: format!(
                "principal or interest ({}; a {} report gives the amounts refunded)",
                tried.join("; "),
                kind.name()
            ),
            found: if names.iter().all(|n| n.is_empty()) { "(none)".to_owned() } else { names.join(", ") },
        });
    }
    let columns = at.iter().map(|(f, &i)| (*f, names.get(i).cloned().unwrap_or_default())).collect();
    let src: Arc<str> = source.into();
    let mut out = RefundReport {
        source: source.to_owned(),
        kind,
        kind_detected,
        format,
        columns,
        rows: Vec::new(),
        diagnostics: Vec::new(),
        summary: RefundReportSummary::default(),
    };
    let width = names.len();
    while let Some(row) = records.read(&mut rec)? {
        let mut diag = |column: Option<usize>, value: &str, code: DiagnosticCode, message: String| Diagnostic {
            source: src.clone(),
            row: Some(row),
            column: column.and_then(|i| names.get(i)).map(|n| n.as_str().into()),
            value: column.map(|_| echo_value(value).into()),
            code,
            message,
            entry: None,
        };
        let raw = if let Some(len) = rec.too_long() {
            let value = cut_note(
                &String::from_utf8_lossy(rec.get(0).unwrap_or_default()),
                usize::try_from(len).unwrap_or(usize::MAX),
            );
            let message =
                format!("row {row} is {len} bytes long, over the {DEFAULT_MAX_RECORD_BYTES} a row may have; not read");
            let mut d = diag(None, "", DiagnosticCode::RefundRecordTooLong, message);
            d.value = Some(value.into());
            count_row(&mut out.summary, options.max_rows, source)?;
            out.summary.rows_rejected += 1;
            out.diagnostics.push(d);
            continue;
        } else {
            strings(&rec)
        };
        let vals: Vec<&str> = raw.iter().map(|c| unwrap_excel_str(c)).collect();
        if vals.iter().all(|v| v.is_empty()) {
            continue;
        }
        count_row(&mut out.summary, options.max_rows, source)?;
        let extra = vals.iter().skip(width).any(|v| !v.is_empty());
        let short = format == SourceFormat::Csv && vals.len() < width;
        if extra || short {
            let message = format!(
                "the row has {} cells, the header {width}; the file was cut or a cell holds an unquoted delimiter",
                vals.len()
            );
            out.diagnostics.push(diag(None, "", DiagnosticCode::RefundRaggedRow, message));
            out.summary.rows_rejected += 1;
            continue;
        }
        let (parsed, diags) = parse_row(row, &vals, &at, kind, table, &mut diag);
        let rejected = diags.iter().any(|d| d.severity() == Severity::Error);
        let entry = parsed.entry_number;
        out.diagnostics.extend(diags.into_iter().map(|mut d| {
            d.entry = entry;
            d
        }));
        if rejected {
            out.summary.rows_rejected += 1;
            continue;
        }
        let s = &mut out.summary;
        s.rows_used += 1;
        if parsed.entry_number.is_none() {
            s.rows_without_entry += 1;
        }
        let overflow = || Error::Overflow("refund report totals");
        if let Some(p) = parsed.principal {
            s.principal = s.principal.checked_add(p).ok_or_else(overflow)?;
        }
        if let Some(i) = parsed.interest {
            s.interest = s.interest.checked_add(i).ok_or_else(overflow)?;
        }
        let status = parsed.status.as_ref().map_or("none", PaymentStatus::name).to_owned();
        *s.by_status.entry(status).or_default() += 1;
        out.rows.push(parsed);
    }
    Ok(out)
}

/// Counts a data row, refusing the file beyond `max_rows`.
fn count_row(summary: &mut RefundReportSummary, max_rows: usize, source: &str) -> Result<()> {
    summary.rows_read = summary.rows_read.saturating_add(1);
    if summary.rows_read > max_rows as u64 {
        return Err(Error::Format {
            source_name: source.to_owned(),
            message: format!(
                "more than {max_rows} rows; not read. Split it, or check that it is an ES-022, REV-603 or REV-615 \
                 export"
            ),
        });
    }
    Ok(())
}

/// One data row's fields, and the diagnostics about it.
fn parse_row(
    row: u64,
    vals: &[&str],
    at: &Located,
    kind: RefundReportKind,
    table: &RefundReportNames,
    diag: &mut impl FnMut(Option<usize>, &str, DiagnosticCode, String) -> Diagnostic,
) -> (PaymentRow, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let cell = |f: PaymentField| at.get(&f).map(|&i| (i, vals.get(i).copied().unwrap_or_default().trim()));
    let text = |f: PaymentField| cell(f).map(|(_, v)| v).filter(|v| !v.is_empty()).map(|v| echo_value(v).into_owned());
    let required = kind.required_fields();
    for f in required {
        if let Some((i, "")) = cell(*f) {
            let message = format!("the {f} is empty; a {} row needs it", kind.name());
            diags.push(diag(Some(i), "", DiagnosticCode::RefundMissingValue, message));
        }
    }
    let entry_number = match cell(PaymentField::EntryNumber) {
        Some((_, "")) | None => None,
        Some((i, v)) => match EntryNumber::parse_reason(v) {
            Ok(n) => Some(n),
            Err(e) if kind == RefundReportKind::Rev603 => {
                let message = format!("invalid entry number: {e}; the refund is kept without its entry");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundUnreadableEntryNumber, message));
                None
            }
            Err(e) => {
                let message = format!("invalid entry number: {e}; the row is rejected");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundInvalidEntryNumber, message));
                None
            }
        },
    };
    let mut money = |f: PaymentField| -> Option<Decimal> {
        let (i, v) = cell(f).filter(|(_, v)| !v.is_empty())?;
        match Usd::parse_cents_bytes(v.as_bytes()) {
            Ok(u) if u.is_negative() => {
                let message = format!("the {f} is negative; a refund amount never is");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundInvalidMoney, message));
                None
            }
            Ok(u) => Some(u.amount()),
            Err(r) if r == SUB_CENT => {
                let message = format!("the {f} {r}");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundSubCentAmount, message));
                None
            }
            Err(r) => {
                let message = format!("the {f} is not an amount: {r}");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundInvalidMoney, message));
                None
            }
        }
    };
    let principal = money(PaymentField::Principal);
    let interest = money(PaymentField::Interest);
    let mut date = |f: PaymentField| -> Option<NaiveDate> {
        let (i, v) = cell(f).filter(|(_, v)| !v.is_empty())?;
        match parse_date_bytes(v.as_bytes()) {
            Ok(d) => Some(d),
            Err(r) => {
                let message = format!("the {f} is not a date: {r}");
                diags.push(diag(Some(i), v, DiagnosticCode::RefundInvalidDate, message));
                None
            }
        }
    };
    let refund_date = date(PaymentField::RefundDate);
    let status_date = date(PaymentField::StatusDate);
    let status = cell(PaymentField::Status).filter(|(_, v)| !v.is_empty()).map(|(_, v)| table.status(v));
    let payment = PaymentRow {
        row,
        entry_number,
        declaration_number: text(PaymentField::DeclarationNumber),
        refund_number: text(PaymentField::RefundNumber),
        principal,
        interest,
        refund_date,
        status,
        status_date,
    };
    (payment, diags)
}
