//! The dated catalogue of IEEPA Chapter 99 numbers (`chapter99_ieepa.csv`).
//!
//! One row per (number, rate period). The embedded copy is the project's reference file; callers can load
//! their own file with [`Catalogue::from_csv_str`] / [`Catalogue::from_path`], and add rows CBP publishes
//! later with [`Catalogue::extend`] / [`Catalogue::load_extension`]. Every row keeps where it came from
//! (file and row) and its public source, confidence and description.

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::mass::other::OtherPrograms;
use crate::{CountryCode, HtsNumber};

/// The embedded catalogue, `cape-core/data/chapter99_ieepa.csv`.
pub const EMBEDDED_CSV: &str = include_str!("../../data/chapter99_ieepa.csv");

/// The name under which the embedded catalogue reports itself.
pub const EMBEDDED_NAME: &str = "chapter99_ieepa.csv (embedded)";

/// The date the embedded catalogue was compiled ("as of" in its README).
pub const EMBEDDED_AS_OF: &str = "2026-11-26";

/// The columns a catalogue file must have (any order; more columns are ignored).
pub const COLUMNS: [&str; 10] =
    ["hts", "program", "kind", "rate_percent", "start", "end", "countries", "description", "confidence", "source"];

/// At most this many row problems are spelled out in one error message.
const MAX_PROBLEMS_SHOWN: usize = 20;

/// What an IEEPA Chapter 99 number does to the line that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The line carries an extra ad valorem IEEPA duty (`rate_percent` is that rate).
    Duty,
    /// 0%: marks the line as *not* IEEPA-dutiable (an exception or exemption number).
    Exemption,
    /// The IEEPA duty tops column 1 + IEEPA up to a target total rate (`rate_percent` is the target).
    Floor,
}

impl RowKind {
    /// Reads the `kind` column (`duty`, `exemption`, `floor`; exact, lower case).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "duty" => Some(RowKind::Duty),
            "exemption" => Some(RowKind::Exemption),
            "floor" => Some(RowKind::Floor),
            _ => None,
        }
    }

    /// The stable lower-case name, as written in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Duty => "duty",
            RowKind::Exemption => "exemption",
            RowKind::Floor => "floor",
        }
    }

    /// True for the kinds CAPE refunds (`duty` and `floor`).
    pub fn is_dutiable(self) -> bool {
        !matches!(self, RowKind::Exemption)
    }
}

impl fmt::Display for RowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How well a row is supported: one type for every reference table, kept at this path.
pub use crate::values::provenance::Confidence;

/// The countries of origin a row applies to.
///
/// Serialises as the catalogue writes it: `"*"` or codes separated by single spaces. The code `NA` is
/// Namibia, never "missing".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Countries {
    /// `*`: any origin.
    Any,
    /// These origins only (at least one).
    List(Vec<CountryCode>),
}

impl Countries {
    /// True when goods of `origin` fall under the row.
    pub fn contains(&self, origin: CountryCode) -> bool {
        match self {
            Countries::Any => true,
            Countries::List(list) => list.contains(&origin),
        }
    }

    /// Parses the `countries` column; `None` when it is empty or holds anything but `*` or two-letter codes.
    pub fn parse(s: &str) -> Option<Self> {
        if s == "*" {
            return Some(Countries::Any);
        }
        let mut list = Vec::new();
        for code in s.split(' ') {
            // Exactly two ASCII letters; `NA` (Namibia) is a code like any other.
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return None;
            }
            list.push(CountryCode::parse(code).ok()?);
        }
        if list.is_empty() {
            None
        } else {
            Some(Countries::List(list))
        }
    }
}

impl fmt::Display for Countries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Countries::Any => f.write_str("*"),
            Countries::List(list) => {
                for (i, c) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(c.as_str())?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for Countries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where a catalogue row was read: the file's name and the 1-based row of that file (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowOrigin {
    /// The name the file was loaded under.
    pub file: String,
    /// The 1-based row (line) of the file.
    pub row: u64,
}

impl fmt::Display for RowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {}", self.file, self.row)
    }
}

/// One rate period of one IEEPA Chapter 99 number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueRow {
    /// The 8-digit Chapter 99 number.
    pub hts: HtsNumber,
    /// The program (`fentanyl_china`, `reciprocal_baseline`, ...).
    pub program: String,
    /// Duty, exemption or floor.
    pub kind: RowKind,
    /// Extra ad valorem rate (`duty`), 0 (`exemption`) or the target total rate (`floor`), in percent.
    pub rate_percent: Decimal,
    /// First entry date the row applies to (inclusive).
    pub start: NaiveDate,
    /// Last entry date the row applies to (inclusive).
    pub end: NaiveDate,
    /// Countries of origin the row applies to.
    pub countries: Countries,
    /// What the number covers.
    pub description: String,
    /// How well the row is supported.
    pub confidence: Confidence,
    /// One public URL supporting the row.
    pub source: String,
    /// The file and row it was read from.
    pub origin: RowOrigin,
}

impl CatalogueRow {
    /// True when `date` falls within `start..=end`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Days from `date` to the nearest day of the period (0 inside it).
    pub fn distance_days(&self, date: NaiveDate) -> i64 {
        if date < self.start {
            (self.start - date).num_days()
        } else if date > self.end {
            (date - self.end).num_days()
        } else {
            0
        }
    }
}

/// Where a catalogue came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The name of the base file.
    pub name: String,
    /// The date the data was compiled, when known (the embedded catalogue: [`EMBEDDED_AS_OF`]).
    pub as_of: Option<NaiveDate>,
    /// Rows held (all files).
    pub row_count: usize,
    /// Distinct Chapter 99 numbers held.
    pub number_count: usize,
    /// Names of the extension files merged in, in order.
    pub extensions: Vec<String>,
    /// Rows per confidence level: `[high, medium, low]`.
    pub confidence_counts: [usize; 3],
}

/// The answer of [`Catalogue::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The number is IEEPA and this row is in force on the date.
    InForce(&'a CatalogueRow),
    /// The number is IEEPA but no period covers the date.
    OutsideWindow {
        /// The period nearest to the date (the earlier one on a tie).
        nearest: &'a CatalogueRow,
        /// Every period of the number, by start date.
        periods: &'a [CatalogueRow],
    },
    /// The number is not in the catalogue.
    NotIeepa,
}

impl<'a> Lookup<'a> {
    /// The row in force, or the nearest period when outside the window; `None` when not IEEPA.
    pub fn row(&self) -> Option<&'a CatalogueRow> {
        match *self {
            Lookup::InForce(r) => Some(r),
            Lookup::OutsideWindow { nearest, .. } => Some(nearest),
            Lookup::NotIeepa => None,
        }
    }
}

/// The dated catalogue of IEEPA Chapter 99 numbers, plus the table of other (non-IEEPA) Chapter 99 families
/// used to classify the rest of Chapter 99.
///
/// An owned table: load it once, share it by reference; there is no global state.
///
/// # Example
///
/// ```
/// use cape_core::mass::{Catalogue, Lookup};
/// use cape_core::HtsNumber;
/// use chrono::NaiveDate;
///
/// let cat = Catalogue::embedded()?;
/// let hts: HtsNumber = "9903.01.24".parse()?;
/// let day = NaiveDate::from_ymd_opt(2025, 11, 10).unwrap();
/// match cat.lookup(&hts, day) {
///     Lookup::InForce(row) => assert_eq!(row.rate_percent.to_string(), "10"),
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(cat.ieepa_end(), NaiveDate::from_ymd_opt(2026, 2, 24));
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Catalogue {
    provenance: Provenance,
    /// Sorted by (8-digit number, start); periods of one number never overlap.
    rows: Vec<CatalogueRow>,
    /// `rows[i].hts.subheading_key()`, kept beside the rows so that [`Catalogue::periods`] binary-searches
    /// integers (rebuilt with the rows in `merge`).
    keys: Vec<u32>,
    /// The derived [`Catalogue::ieepa_end`] (without the override), computed when the rows change.
    derived_end: Option<NaiveDate>,
    ieepa_end_override: Option<NaiveDate>,
    other: OtherPrograms,
}

impl Catalogue {
    /// The embedded catalogue (as of [`EMBEDDED_AS_OF`]) with the embedded other-programs table.
    ///
    /// # Errors
    ///
    /// Never in practice: a unit test guarantees the embedded files parse. The `Result` is kept so that a
    /// broken build of the data is an error, not a panic.
    pub fn embedded() -> Result<Self> {
        let mut cat = Self::from_csv_str(EMBEDDED_NAME, EMBEDDED_CSV)?;
        cat.provenance.as_of = NaiveDate::parse_from_str(EMBEDDED_AS_OF, "%Y-%m-%d").ok();
        Ok(cat)
    }

    /// Parses a catalogue file's text (the columns in [`COLUMNS`]); the other-programs table is the
    /// embedded one ([`OtherPrograms::embedded`]).
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] naming `name` and, for every bad row (up to 20 spelled out), the row, the
    /// column and the value: a missing column, an unknown `kind` or `confidence`, a date that is not
    /// `YYYY-MM-DD`, `start` after `end`, a rate that is not a plain non-negative decimal (or is not 0 on an
    /// exemption, or is 0 on a duty or floor), a country list that is not `*` or two-letter codes
    /// separated by single spaces, an HTS number that is not an 8-digit Chapter 99 number, an empty
    /// program, description or source, and periods of the same number that overlap.
    pub fn from_csv_str(name: &str, text: &str) -> Result<Self> {
        let rows = parse_rows(name, text)?;
        let mut cat = Catalogue {
            provenance: Provenance {
                name: name.to_owned(),
                as_of: None,
                row_count: 0,
                number_count: 0,
                extensions: Vec::new(),
                confidence_counts: [0; 3],
            },
            rows: Vec::new(),
            keys: Vec::new(),
            derived_end: None,
            ieepa_end_override: None,
            other: OtherPrograms::embedded()?,
        };
        cat.merge(name, rows)?;
        Ok(cat)
    }

    /// Reads a catalogue file from disk (see [`Catalogue::from_csv_str`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, [`Error::Format`] when it is not UTF-8, otherwise as
    /// [`Catalogue::from_csv_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let (name, text) = read_text(path.as_ref())?;
        Self::from_csv_str(&name, &text)
    }

    /// Adds the rows of another catalogue (for example numbers CBP published after this one was compiled).
    ///
    /// The provenance records `other`'s name among the extensions; `as_of` becomes the later of the two.
    /// On error `self` is unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] naming `other`'s file when one of its periods overlaps a period of the same
    /// number already held (the message names both files, rows and periods).
    pub fn extend(&mut self, other: Catalogue) -> Result<()> {
        let name = other.provenance.name.clone();
        let as_of = match (self.provenance.as_of, other.provenance.as_of) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.merge(&name, other.rows)?;
        self.provenance.extensions.push(name);
        self.provenance.as_of = as_of;
        Ok(())
    }

    /// Parses an extension file's text and adds its rows (see [`Catalogue::extend`]).
    ///
    /// # Errors
    ///
    /// As [`Catalogue::from_csv_str`] for the text, then as [`Catalogue::extend`].
    pub fn extend_from_csv_str(&mut self, name: &str, text: &str) -> Result<()> {
        let rows = parse_rows(name, text)?;
        self.merge(name, rows)?;
        self.provenance.extensions.push(name.to_owned());
        Ok(())
    }

    /// Reads an extension file from disk and adds its rows (see [`Catalogue::extend`]).
    ///
    /// # Errors
    ///
    /// As [`Catalogue::from_path`], then as [`Catalogue::extend`].
    pub fn load_extension(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let (name, text) = read_text(path.as_ref())?;
        self.extend_from_csv_str(&name, &text)
    }

    /// Sets the first entry date on which no IEEPA duty is due, overriding the derived one (see
    /// [`Catalogue::ieepa_end`]).
    pub fn set_ieepa_end(&mut self, date: NaiveDate) {
        self.ieepa_end_override = Some(date);
    }

    /// The first entry date on which no IEEPA duty is due.
    ///
    /// Unless set with [`Catalogue::set_ieepa_end`], the day after the latest `end` of any `duty` or `floor`
    /// row: 2026-02-24 for the embedded data (CSMS 67834313). `None` for a catalogue without such rows.
    pub fn ieepa_end(&self) -> Option<NaiveDate> {
        self.ieepa_end_override.or(self.derived_end)
    }

    /// Replaces the table of other (non-IEEPA) Chapter 99 families.
    pub fn set_other_programs(&mut self, other: OtherPrograms) {
        self.other = other;
    }

    /// The table of other (non-IEEPA) Chapter 99 families.
    pub fn other_programs(&self) -> &OtherPrograms {
        &self.other
    }

    /// Where the data came from.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Every row, sorted by number then start date.
    pub fn rows(&self) -> &[CatalogueRow] {
        &self.rows
    }

    /// The periods of `hts` (matched on its first 8 digits), by start date; empty when not IEEPA.
    pub fn periods(&self, hts: &HtsNumber) -> &[CatalogueRow] {
        let key = hts.subheading_key();
        let lo = self.keys.partition_point(|&k| k < key);
        let hi = lo + self.keys[lo..].partition_point(|&k| k == key);
        &self.rows[lo..hi]
    }

    /// True when `hts` (first 8 digits) is an IEEPA number of the catalogue.
    pub fn contains(&self, hts: &HtsNumber) -> bool {
        !self.periods(hts).is_empty()
    }

    /// The row of `hts` in force on `date`; a 10-digit number matches its 8-digit catalogue entry.
    pub fn lookup(&self, hts: &HtsNumber, date: NaiveDate) -> Lookup<'_> {
        let periods = self.periods(hts);
        if periods.is_empty() {
            return Lookup::NotIeepa;
        }
        if let Some(row) = periods.iter().find(|r| r.in_force(date)) {
            return Lookup::InForce(row);
        }
        // `min_by_key` keeps the first of equal distances: the earlier period on a tie.
        let nearest = periods.iter().min_by_key(|r| r.distance_days(date)).unwrap_or(&periods[0]);
        Lookup::OutsideWindow { nearest, periods }
    }

    /// Adds rows, keeping the sort and rejecting overlaps; `self` is unchanged on error.
    fn merge(&mut self, name: &str, new_rows: Vec<CatalogueRow>) -> Result<()> {
        let mut rows = self.rows.clone();
        rows.extend(new_rows);
        rows.sort_by(|a, b| a.hts.subheading().cmp(b.hts.subheading()).then(a.start.cmp(&b.start)));
        let mut problems = Vec::new();
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.hts.subheading() == b.hts.subheading() && b.start <= a.end {
                problems.push(format!(
                    "{}: period {} to {} ({}) overlaps period {} to {} ({}); columns `start`/`end`",
                    b.hts, a.start, a.end, a.origin, b.start, b.end, b.origin
                ));
            }
        }
        if !problems.is_empty() {
            return Err(reference_error(name, problems));
        }
        let mut numbers = rows.iter().map(|r| r.hts.subheading()).collect::<Vec<_>>();
        numbers.dedup();
        let number_count = numbers.len();
        let mut counts = [0usize; 3];
        for r in &rows {
            // `[high, medium, low]`, whatever the order of the variants.
            let at = match r.confidence {
                Confidence::High => 0,
                Confidence::Medium => 1,
                Confidence::Low => 2,
            };
            if let Some(n) = counts.get_mut(at) {
                *n += 1;
            }
        }
        self.provenance.row_count = rows.len();
        self.provenance.number_count = number_count;
        self.provenance.confidence_counts = counts;
        self.keys = rows.iter().map(|r| r.hts.subheading_key()).collect();
        self.derived_end = rows.iter().filter(|r| r.kind.is_dutiable()).map(|r| r.end).max().and_then(|d| d.succ_opt());
        self.rows = rows;
        Ok(())
    }
}

/// Reads a file as UTF-8 text, returning its display name.
pub(crate) fn read_text(path: &Path) -> Result<(String, String)> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(name.clone(), e))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::Format { source_name: name.clone(), message: format!("not UTF-8 text: {e}") })?;
    Ok((name, text))
}

/// Builds the error for a list of row problems.
pub(crate) fn reference_error(name: &str, problems: Vec<String>) -> Error {
    let total = problems.len();
    let mut message = problems.into_iter().take(MAX_PROBLEMS_SHOWN).collect::<Vec<_>>().join("; ");
    if total > MAX_PROBLEMS_SHOWN {
        message.push_str(&format!("; and {} more problems", total - MAX_PROBLEMS_SHOWN));
    }
    Error::ReferenceData { source_name: name.to_owned(), message }
}

/// A CSV file's header, with the position of each required column.
pub(crate) struct Header {
    positions: Vec<usize>,
}

impl Header {
    /// Reads the header of `reader`, requiring every column of `required`.
    pub(crate) fn read(name: &str, reader: &mut csv::Reader<&[u8]>, required: &[&str]) -> Result<Self> {
        let header = reader.headers().map_err(|e| reference_error(name, vec![format!("row 1 (header): {e}")]))?;
        let cells: Vec<&str> = header.iter().map(|c| c.trim().trim_start_matches('\u{feff}')).collect();
        let mut positions = Vec::with_capacity(required.len());
        let mut missing = Vec::new();
        for col in required {
            match cells.iter().position(|c| c == col) {
                Some(p) => positions.push(p),
                None => missing.push(format!("row 1 (header): required column `{col}` is missing")),
            }
        }
        if missing.is_empty() {
            Ok(Header { positions })
        } else {
            Err(reference_error(name, missing))
        }
    }

    /// The cell of required column `i` (by its index in the `required` list), trimmed.
    pub(crate) fn cell<'r>(&self, record: &'r csv::StringRecord, i: usize) -> &'r str {
        record.get(self.positions[i]).unwrap_or("").trim()
    }

    /// Reads a reference-data CSV: its header (requiring every column of `required`) and its non-blank records
    /// with their line numbers. Records the CSV reader cannot read become problems, to be reported together with
    /// the caller's own parsing problems.
    pub(crate) fn read_records(name: &str, text: &str, required: &[&str]) -> Result<ReferenceRecords> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
        let header = Header::read(name, &mut reader, required)?;
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for result in reader.records() {
            match result {
                Ok(record) => {
                    if !record.iter().all(|c| c.trim().is_empty()) {
                        records.push((record.position().map_or(0, |p| p.line()), record));
                    }
                }
                Err(e) => {
                    let row = e.position().map_or(0, |p| p.line());
                    problems.push(format!("row {row}: not readable as CSV: {e}"));
                }
            }
        }
        Ok(ReferenceRecords { header, records, problems })
    }
}

/// A reference-data CSV read by [`Header::read_records`].
pub(crate) struct ReferenceRecords {
    /// The mapped header.
    pub(crate) header: Header,
    /// The non-blank records with their line numbers.
    pub(crate) records: Vec<(u64, csv::StringRecord)>,
    /// The records that could not be read.
    pub(crate) problems: Vec<String>,
}

/// Parses a catalogue file's rows (no overlap check; see [`Catalogue::merge`]).
fn parse_rows(name: &str, text: &str) -> Result<Vec<CatalogueRow>> {
    let ReferenceRecords { header, records, mut problems } = Header::read_records(name, text, &COLUMNS)?;
    let mut rows = Vec::new();
    for (row, record) in &records {
        match parse_row(name, &header, record, *row) {
            Ok(r) => rows.push(r),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(reference_error(name, problems))
    }
}

fn parse_row(name: &str, h: &Header, rec: &csv::StringRecord, row: u64) -> Result<CatalogueRow, Vec<String>> {
    let mut problems = Vec::new();
    let mut bad = |col: usize, value: &str, why: &str| {
        problems.push(format!("row {row}, column `{}`, value {value:?}: {why}", COLUMNS[col]));
    };
    let text = |i: usize| h.cell(rec, i);

    let hts = match HtsNumber::parse(text(0)) {
        Ok(h) if h.is_chapter_99() && h.digits().len() == 8 => Some(h),
        Ok(_) => {
            bad(0, text(0), "not an 8-digit Chapter 99 number");
            None
        }
        Err(_) => {
            bad(0, text(0), "not an HTS number");
            None
        }
    };
    if text(1).is_empty() {
        bad(1, text(1), "program is empty");
    }
    let kind = RowKind::parse(text(2));
    if kind.is_none() {
        bad(2, text(2), "unknown kind (expected duty, exemption or floor)");
    }
    let rate = match Decimal::from_str_exact(text(3)) {
        Ok(r) if r.is_sign_negative() && !r.is_zero() => {
            bad(3, text(3), "rate is negative");
            None
        }
        Ok(r) if r > Decimal::ONE_THOUSAND => {
            bad(3, text(3), "rate above 1000 percent");
            None
        }
        Ok(r) => Some(r),
        Err(_) => {
            bad(3, text(3), "not a decimal rate in percent (write 25 or 2.5, no % sign)");
            None
        }
    };
    if let (Some(k), Some(r)) = (kind, rate) {
        match k {
            RowKind::Exemption if !r.is_zero() => bad(3, text(3), "an exemption row must have rate 0"),
            RowKind::Duty | RowKind::Floor if r.is_zero() => {
                bad(3, text(3), "a duty or floor row needs a rate above 0")
            }
            _ => {}
        }
    }
    let mut date = |col: usize| match NaiveDate::parse_from_str(text(col), "%Y-%m-%d") {
        Ok(d) if text(col).len() == 10 => Some(d),
        _ => {
            bad(col, text(col), "not a date in YYYY-MM-DD form");
            None
        }
    };
    let start = date(4);
    let end = date(5);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            bad(4, text(4), &format!("start is after end ({e})"));
        }
    }
    let countries = Countries::parse(text(6));
    if countries.is_none() {
        bad(6, text(6), "expected * or two-letter upper-case ISO codes separated by single spaces (NA = Namibia)");
    }
    if text(7).is_empty() {
        bad(7, text(7), "description is empty");
    }
    let confidence = Confidence::parse(text(8));
    if confidence.is_none() {
        bad(8, text(8), "unknown confidence (expected high, medium or low)");
    }
    if text(9).is_empty() {
        bad(9, text(9), "source is empty");
    }
    match (hts, kind, rate, start, end, countries, confidence) {
        (Some(hts), Some(kind), Some(rate_percent), Some(start), Some(end), Some(countries), Some(confidence))
            if problems.is_empty() =>
        {
            Ok(CatalogueRow {
                hts,
                program: text(1).to_owned(),
                kind,
                rate_percent: rate_percent.normalize(),
                start,
                end,
                countries,
                description: text(7).to_owned(),
                confidence,
                source: text(9).to_owned(),
                origin: RowOrigin { file: name.to_owned(), row },
            })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn h(s: &str) -> HtsNumber {
        s.parse().unwrap()
    }

    const HEADER: &str = "hts,program,kind,rate_percent,start,end,countries,description,confidence,source\n";

    fn err_text(r: Result<Catalogue>) -> String {
        match r {
            Err(e @ Error::ReferenceData { .. }) => e.to_string(),
            other => panic!("expected a reference-data error, got {other:?}"),
        }
    }

    #[test]
    fn embedded_parses() {
        let cat = Catalogue::embedded().expect("embedded catalogue parses");
        let p = cat.provenance();
        // The README: 171 rows, 168 distinct numbers; two rows rated medium... the file says which.
        assert_eq!(p.row_count, 171);
        assert_eq!(p.number_count, 168);
        assert_eq!(p.as_of, Some(d("2026-11-26")));
        assert_eq!(p.confidence_counts[2], 0, "no low rows left");
        assert_eq!(cat.ieepa_end(), Some(d("2026-02-24")));
        assert!(cat.other_programs().len() >= 10);
    }

    #[test]
    fn namibia_is_a_country() {
        let cat = Catalogue::embedded().unwrap();
        let row = cat.lookup(&h("9903.02.44"), d("2025-09-01")).row().unwrap();
        assert!(row.countries.contains("NA".parse().unwrap()));
        assert_eq!(row.countries.to_string(), "NA");
    }

    #[test]
    fn lookup_by_date_and_ten_digits() {
        let cat = Catalogue::embedded().unwrap();
        // Canada 9903.01.10: 25% to 2025-07-31, 35% from 2025-08-01.
        let r = |day| cat.lookup(&h("9903.01.10"), d(day)).row().unwrap().rate_percent.to_string();
        assert_eq!(r("2025-07-31"), "25");
        assert_eq!(r("2025-08-01"), "35");
        // A 10-digit number matches its 8-digit entry.
        assert!(
            matches!(cat.lookup(&h("9903.01.2400"), d("2025-11-09")), Lookup::InForce(row) if row.rate_percent == Decimal::from(20))
        );
        assert_eq!(cat.lookup(&h("8471.30.0100"), d("2025-05-01")), Lookup::NotIeepa);
        assert_eq!(cat.lookup(&h("9903.01.99"), d("2025-05-01")), Lookup::NotIeepa);
    }

    #[test]
    fn lookup_outside_window() {
        let cat = Catalogue::embedded().unwrap();
        // 9903.01.50 (EU/Jordan 20%) collected only on 2025-04-09.
        match cat.lookup(&h("9903.01.50"), d("2025-04-10")) {
            Lookup::OutsideWindow { nearest, periods } => {
                assert_eq!((nearest.start, nearest.end), (d("2025-04-09"), d("2025-04-09")));
                assert_eq!(periods.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        // 9903.01.24 before its first period: nearest is the first period (2025-03-04..2025-11-09).
        match cat.lookup(&h("9903.01.24"), d("2025-02-10")) {
            Lookup::OutsideWindow { nearest, periods } => {
                assert_eq!(nearest.start, d("2025-03-04"));
                assert_eq!(periods.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        // After the end of IEEPA.
        assert!(matches!(cat.lookup(&h("9903.01.25"), d("2026-02-24")), Lookup::OutsideWindow { .. }));
    }

    #[test]
    fn extension_adds_rows_and_provenance() {
        let mut cat = Catalogue::embedded().unwrap();
        let ext = format!(
            "{HEADER}9903.02.92,reciprocal_deal,exemption,0,2025-12-01,2026-02-23,NA ZA,Hypothetical later number,low,https://example.invalid/x\n"
        );
        cat.extend_from_csv_str("later.csv", &ext).unwrap();
        assert_eq!(cat.provenance().row_count, 172);
        assert_eq!(cat.provenance().number_count, 169);
        assert_eq!(cat.provenance().extensions, vec!["later.csv".to_owned()]);
        let row = cat.lookup(&h("9903.02.92"), d("2026-01-05")).row().unwrap();
        assert_eq!(row.origin, RowOrigin { file: "later.csv".into(), row: 2 });
        assert_eq!(cat.provenance().confidence_counts[2], 1);
    }

    #[test]
    fn extension_overlap_is_rejected_and_catalogue_unchanged() {
        let mut cat = Catalogue::embedded().unwrap();
        let ext = format!("{HEADER}9903.01.01,fentanyl_mexico,duty,30,2026-01-01,2026-03-01,MX,Hypothetical,low,https://example.invalid/x\n");
        let msg = err_text(cat.extend_from_csv_str("ext.csv", &ext).map(|_| Catalogue::embedded().unwrap()));
        assert!(msg.starts_with("ext.csv: "), "{msg}");
        assert!(msg.contains("9903.01.01"), "{msg}");
        assert!(msg.contains("2025-03-04 to 2026-02-23"), "{msg}");
        assert!(msg.contains("2026-01-01 to 2026-03-01"), "{msg}");
        assert!(msg.contains("ext.csv row 2"), "{msg}");
        assert!(msg.contains("chapter99_ieepa.csv (embedded) row 2"), "{msg}");
        assert_eq!(cat.provenance().row_count, 171);
        assert!(cat.provenance().extensions.is_empty());
        // The same through `extend` with a parsed catalogue.
        let other = Catalogue::from_csv_str("ext.csv", &ext).unwrap();
        assert!(cat.extend(other).is_err());
    }

    #[test]
    fn bad_rows_are_named() {
        let row = |cells: &str| format!("{HEADER}{cells}\n");
        let cases = [
            (
                "9903.01.01,p,dutty,25,2025-03-04,2026-02-23,MX,x,high,u",
                "row 2, column `kind`, value \"dutty\": unknown kind",
            ),
            ("9903.01.01,p,duty,25,2025-13-01,2026-02-23,MX,x,high,u", "row 2, column `start`, value \"2025-13-01\""),
            ("9903.01.01,p,duty,25,2025-03-04,03/01/2026,MX,x,high,u", "row 2, column `end`, value \"03/01/2026\""),
            (
                "9903.01.01,p,duty,25,2025-05-01,2025-04-01,MX,x,high,u",
                "row 2, column `start`, value \"2025-05-01\": start is after end (2025-04-01)",
            ),
            ("9903.01.01,p,duty,25%,2025-03-04,2026-02-23,MX,x,high,u", "row 2, column `rate_percent`, value \"25%\""),
            (
                "9903.01.01,p,duty,-5,2025-03-04,2026-02-23,MX,x,high,u",
                "column `rate_percent`, value \"-5\": rate is negative",
            ),
            ("9903.01.02,p,exemption,5,2025-03-04,2026-02-23,MX,x,high,u", "an exemption row must have rate 0"),
            ("9903.01.01,p,duty,25,2025-03-04,2026-02-23,M1,x,high,u", "row 2, column `countries`, value \"M1\""),
            ("9903.01.01,p,duty,25,2025-03-04,2026-02-23,,x,high,u", "column `countries`, value \"\""),
            ("9903.01.01,p,duty,25,2025-03-04,2026-02-23,MX  CA,x,high,u", "column `countries`, value \"MX  CA\""),
            ("9903.01.01,p,duty,25,2025-03-04,2026-02-23,MX,x,sure,u", "column `confidence`, value \"sure\""),
            (
                "8471.30.01,p,duty,25,2025-03-04,2026-02-23,MX,x,high,u",
                "column `hts`, value \"8471.30.01\": not an 8-digit Chapter 99",
            ),
            ("9903.01.01,p,duty,25,2025-03-04,2026-02-23,MX,x,high,", "column `source`, value \"\": source is empty"),
        ];
        for (cells, want) in cases {
            let msg = err_text(Catalogue::from_csv_str("bad.csv", &row(cells)));
            assert!(msg.starts_with("bad.csv: "), "{msg}");
            assert!(msg.contains(want), "{cells}\n  got: {msg}\n  want: {want}");
        }
        // Every problem of a file is reported, with its own row.
        let two = format!(
            "{HEADER}9903.01.01,p,duty,25,2025-03-04,2026-02-23,MX,x,high,u\n9903.01.02,p,bogus,0,2025-03-04,2026-02-23,MX,x,high,u\n9903.01.03,p,exemption,0,2025-03-04,2026-02-31,MX,x,high,u\n"
        );
        let msg = err_text(Catalogue::from_csv_str("two.csv", &two));
        assert!(msg.contains("row 3, column `kind`, value \"bogus\""), "{msg}");
        assert!(msg.contains("row 4, column `end`, value \"2026-02-31\""), "{msg}");
        // Overlap inside one file.
        let overlap = format!(
            "{HEADER}9903.01.01,p,duty,25,2025-03-04,2025-08-01,MX,x,high,u\n9903.01.01,p,duty,30,2025-08-01,2026-02-23,MX,x,high,u\n"
        );
        let msg = err_text(Catalogue::from_csv_str("o.csv", &overlap));
        assert!(msg.contains("o.csv row 2") && msg.contains("o.csv row 3"), "{msg}");
        // A missing column.
        let msg = err_text(Catalogue::from_csv_str("h.csv", "hts,program,kind\n"));
        assert!(msg.contains("required column `rate_percent` is missing"), "{msg}");
    }
}
