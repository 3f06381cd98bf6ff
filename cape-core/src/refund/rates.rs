//! The quarterly overpayment interest rates of 26 USC 6621 that CBP uses on refunds (19 USC 1505(c)).
//!
//! The table is data: the embedded `interest_rates.csv` (see the reference README for its columns and sources)
//! or any table the caller loads with [`RateTable::from_csv_str`] / [`RateTable::from_path`]. Rows must cover
//! contiguous, non-overlapping date ranges; every row keeps its provenance (confidence and source URL).

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::ImporterClass;

/// The embedded rate table's text (`cape-core/data/interest_rates.csv`).
pub const EMBEDDED_RATES_CSV: &str = include_str!("../../data/interest_rates.csv");

/// The name the embedded table carries in errors and provenance.
pub const EMBEDDED_RATES_NAME: &str = "interest_rates.csv (embedded)";

/// How well a reference-data row is supported: one type for every reference table, kept at this path.
pub use crate::values::provenance::Confidence;

/// One rate period (a calendar quarter in the embedded table), with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateRow {
    /// First day the rates apply (inclusive).
    pub start: NaiveDate,
    /// Last day the rates apply (inclusive).
    pub end: NaiveDate,
    /// Annual overpayment rate for non-corporations, in percent (FST + 3).
    pub noncorporate_percent: Decimal,
    /// Annual overpayment rate for corporations, in percent (FST + 2).
    pub corporate_percent: Decimal,
    /// How well the row is supported.
    pub confidence: Confidence,
    /// One URL supporting the row.
    pub source: String,
    /// The 1-based line of the source text the row came from (the header is line 1).
    pub source_row: u64,
}

impl RateRow {
    /// The annual percent for an importer class.
    pub fn percent(&self, class: ImporterClass) -> Decimal {
        match class {
            ImporterClass::Corporate => self.corporate_percent,
            ImporterClass::NonCorporate => self.noncorporate_percent,
        }
    }

    /// True when `date` is within `start..=end`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A rate assumed for days the table does not cover (a quarter whose rate is not yet published).
///
/// Never used unless the caller passes one; results computed with it say so
/// ([`InterestResult::used_assumed_rate`](crate::refund::InterestResult::used_assumed_rate)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssumedRate {
    /// The assumption applies to uncovered days on or after this date only.
    pub from: NaiveDate,
    /// Assumed annual corporate rate, percent.
    pub corporate_percent: Decimal,
    /// Assumed annual non-corporate rate, percent.
    pub noncorporate_percent: Decimal,
}

/// How many percentage points the non-corporate overpayment rate is above the corporate one: 26 USC 6621(a)(1)
/// sets the overpayment rate at the federal short-term rate plus 3 points, and plus 2 points for a corporation.
/// [`AssumedRate::flat`] applies it; every row of the embedded rate table keeps it.
pub const NONCORPORATE_OVER_CORPORATE_POINTS: Decimal = Decimal::ONE;

impl AssumedRate {
    /// Assumes a corporate rate of `corporate_percent` from the day after `table` ends, and the non-corporate
    /// rate [`NONCORPORATE_OVER_CORPORATE_POINTS`] above it (26 USC 6621(a)(1)).
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::refund::{AssumedRate, RateTable};
    /// let table = RateTable::embedded();
    /// let a = AssumedRate::flat(rust_decimal::Decimal::from(7), &table);
    /// assert_eq!((a.corporate_percent.to_string(), a.noncorporate_percent.to_string()), ("7".into(), "8".into()));
    /// assert_eq!(a.from, table.last_day().succ_opt().unwrap());
    /// ```
    pub fn flat(corporate_percent: Decimal, table: &RateTable) -> Self {
        let last = table.last_day();
        AssumedRate {
            from: last.succ_opt().unwrap_or(last),
            corporate_percent,
            noncorporate_percent: corporate_percent.saturating_add(NONCORPORATE_OVER_CORPORATE_POINTS),
        }
    }

    /// Assumes the last row of `table` continues from the day after the table ends.
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::refund::{AssumedRate, RateTable};
    /// let table = RateTable::embedded();
    /// let assumed = AssumedRate::continue_last(&table);
    /// assert_eq!(assumed.from, table.last_day().succ_opt().unwrap());
    /// ```
    pub fn continue_last(table: &RateTable) -> Self {
        let last = table.rows.last().expect("a RateTable always has a row");
        AssumedRate {
            from: last.end.succ_opt().unwrap_or(last.end),
            corporate_percent: last.corporate_percent,
            noncorporate_percent: last.noncorporate_percent,
        }
    }

    /// The annual percent for an importer class.
    pub fn percent(&self, class: ImporterClass) -> Decimal {
        match class {
            ImporterClass::Corporate => self.corporate_percent,
            ImporterClass::NonCorporate => self.noncorporate_percent,
        }
    }
}

/// The overpayment rate table: contiguous, non-overlapping rows sorted by date, at least one row.
///
/// # Example
///
/// ```
/// use cape_core::model::ImporterClass;
/// use cape_core::refund::{Confidence, RateTable};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
///
/// let table = RateTable::embedded();
/// let d = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
/// assert_eq!(table.rate_on(d, ImporterClass::Corporate), Some(Decimal::from(5)));
/// assert_eq!(table.rate_on(d, ImporterClass::NonCorporate), Some(Decimal::from(6)));
/// assert_eq!(table.row_on(d).unwrap().confidence, Confidence::Medium);
///
/// let custom = RateTable::from_csv_str(
///     "my rates",
///     "quarter_start,quarter_end,noncorporate_percent,corporate_percent,confidence,source\n\
///      2027-01-01,2027-03-31,7,6,low,https://example.invalid\n",
/// )?;
/// assert_eq!(custom.rows().len(), 1);
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateTable {
    name: String,
    rows: Vec<RateRow>,
}

const COLUMNS: [&str; 6] =
    ["quarter_start", "quarter_end", "noncorporate_percent", "corporate_percent", "confidence", "source"];

/// The highest annual percent the parser accepts; anything above is taken for a typing error.
pub const MAX_RATE_PERCENT: u32 = 100;

impl RateTable {
    /// The table embedded in the library ([`EMBEDDED_RATES_CSV`]).
    pub fn embedded() -> Self {
        Self::from_csv_str(EMBEDDED_RATES_NAME, EMBEDDED_RATES_CSV).expect("the embedded rate table is valid")
    }

    /// Parses a table in the format of `interest_rates.csv`: a header naming the columns `quarter_start`,
    /// `quarter_end`, `noncorporate_percent`, `corporate_percent`, `confidence`, `source` (any order, extra
    /// columns ignored), ISO dates, plain decimal percents (`7`, `6.5`). Rows may come in any order; they are
    /// sorted by start date.
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] naming `name`, the row (1-based line, header = 1), the column and the value for:
    /// a missing column, an unreadable date, an end before its start, a percent that is not a plain decimal in
    /// `0..=100`, an unknown confidence, an empty source, a gap or an overlap between rows, or no rows at all.
    pub fn from_csv_str(name: &str, text: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: name.to_owned(), message };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| bad(format!("cannot read the header: {e}")))?.clone();
        let mut idx = [0usize; 6];
        for (slot, col) in idx.iter_mut().zip(COLUMNS) {
            *slot = headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(col))
                .ok_or_else(|| {
                    bad(format!(
                        "missing column {col:?}; columns found: {}",
                        headers.iter().collect::<Vec<_>>().join(",")
                    ))
                })?;
        }
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| bad(format!("unreadable CSV: {e}")))?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let cell = |i: usize| rec.get(idx[i]).unwrap_or("");
            let err =
                |i: usize, why: &str| bad(format!("row {line}, column {}, value {:?}: {why}", COLUMNS[i], cell(i)));
            let date = |i: usize| {
                NaiveDate::parse_from_str(cell(i), "%Y-%m-%d").map_err(|_| err(i, "expected an ISO date YYYY-MM-DD"))
            };
            let percent = |i: usize| {
                let v = Decimal::from_str_exact(cell(i)).map_err(|_| err(i, "expected a plain decimal percent"))?;
                if v.is_sign_negative() || v > Decimal::from(MAX_RATE_PERCENT) {
                    return Err(err(i, "percent must be between 0 and 100"));
                }
                Ok(v.normalize())
            };
            let start = date(0)?;
            let end = date(1)?;
            if end < start {
                return Err(err(1, &format!("end is before the start {start}")));
            }
            let noncorporate_percent = percent(2)?;
            let corporate_percent = percent(3)?;
            let confidence = Confidence::from_name(cell(4)).ok_or_else(|| err(4, "expected high, medium or low"))?;
            if cell(5).is_empty() {
                return Err(err(5, "a source is required"));
            }
            rows.push(RateRow {
                start,
                end,
                noncorporate_percent,
                corporate_percent,
                confidence,
                source: cell(5).to_owned(),
                source_row: line,
            });
        }
        Self::from_rows(name, rows)
    }

    /// Reads a table from a file; see [`RateTable::from_csv_str`]. The table is named after the path.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read (or is not UTF-8); otherwise as [`RateTable::from_csv_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
        Self::from_csv_str(&path.display().to_string(), &text)
    }

    /// Builds a table from rows; they are sorted by start date and checked.
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] for no rows, a row ending before its start, a gap or an overlap (naming both
    /// rows by `source_row`), or a negative percent.
    pub fn from_rows(name: &str, mut rows: Vec<RateRow>) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: name.to_owned(), message };
        if rows.is_empty() {
            return Err(bad("no rate rows".to_owned()));
        }
        rows.sort_by_key(|r| r.start);
        for r in &rows {
            if r.end < r.start {
                return Err(bad(format!("row {}: end {} is before start {}", r.source_row, r.end, r.start)));
            }
            if r.corporate_percent.is_sign_negative() || r.noncorporate_percent.is_sign_negative() {
                return Err(bad(format!("row {}: negative percent", r.source_row)));
            }
        }
        for w in rows.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let next = a.end.succ_opt();
            if b.start <= a.end {
                return Err(bad(format!(
                    "row {}, column quarter_start, value \"{}\": overlaps row {} ({} to {})",
                    b.source_row, b.start, a.source_row, a.start, a.end
                )));
            }
            if Some(b.start) != next {
                return Err(bad(format!(
                    "row {}, column quarter_start, value \"{}\": gap after row {} which ends {} (expected {})",
                    b.source_row,
                    b.start,
                    a.source_row,
                    a.end,
                    next.map_or_else(String::new, |d| d.to_string())
                )));
            }
        }
        Ok(RateTable { name: name.to_owned(), rows })
    }

    /// The table's name (file name, or [`EMBEDDED_RATES_NAME`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rows, sorted by start date.
    pub fn rows(&self) -> &[RateRow] {
        &self.rows
    }

    /// The first day the table covers.
    pub fn first_day(&self) -> NaiveDate {
        self.rows[0].start
    }

    /// The last day the table covers.
    pub fn last_day(&self) -> NaiveDate {
        self.rows[self.rows.len() - 1].end
    }

    /// The lowest confidence of any row (the table's overall provenance).
    pub fn lowest_confidence(&self) -> Confidence {
        self.rows.iter().map(|r| r.confidence).min().unwrap_or(Confidence::Low)
    }

    /// The row in force on `date`.
    pub fn row_on(&self, date: NaiveDate) -> Option<&RateRow> {
        let i = self.rows.partition_point(|r| r.end < date);
        self.rows.get(i).filter(|r| r.contains(date))
    }

    /// The annual percent in force on `date` for `class`, if the table covers the date.
    pub fn rate_on(&self, date: NaiveDate, class: ImporterClass) -> Option<Decimal> {
        self.row_on(date).map(|r| r.percent(class))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const HEADER: &str = "quarter_start,quarter_end,noncorporate_percent,corporate_percent,confidence,source\n";

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn err(text: &str) -> String {
        let e = RateTable::from_csv_str("t.csv", &format!("{HEADER}{text}")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidReferenceData);
        e.to_string()
    }

    #[test]
    fn embedded_table() {
        let t = RateTable::embedded();
        assert_eq!(t.rows().len(), 9);
        assert_eq!(t.first_day(), d(2024, 10, 1));
        assert_eq!(t.last_day(), d(2026, 12, 31));
        assert_eq!(t.rate_on(d(2024, 10, 1), ImporterClass::Corporate), Some(Decimal::from(7)));
        assert_eq!(t.rate_on(d(2024, 12, 31), ImporterClass::NonCorporate), Some(Decimal::from(8)));
        assert_eq!(t.rate_on(d(2026, 3, 31), ImporterClass::Corporate), Some(Decimal::from(6)));
        assert_eq!(t.rate_on(d(2026, 4, 1), ImporterClass::Corporate), Some(Decimal::from(5)));
        assert_eq!(t.rate_on(d(2024, 9, 30), ImporterClass::Corporate), None);
        assert_eq!(t.rate_on(d(2027, 1, 1), ImporterClass::Corporate), None);
        assert_eq!(t.lowest_confidence(), Confidence::Low);
        let row = t.row_on(d(2026, 1, 15)).unwrap();
        assert_eq!(row.confidence, Confidence::High);
        assert!(row.source.starts_with("https://www.federalregister.gov/"));
        assert_eq!(row.source_row, 7);
        assert_eq!(t.name(), EMBEDDED_RATES_NAME);
    }

    #[test]
    fn unordered_rows_and_extra_columns() {
        let t = RateTable::from_csv_str(
            "t",
            "source,confidence,corporate_percent,noncorporate_percent,quarter_end,quarter_start,note\n\
             u2,medium,5.5,6.5,2027-06-30,2027-04-01,x\n\
             u1,high,6,7,2027-03-31,2027-01-01,y\n",
        )
        .unwrap();
        assert_eq!(t.first_day(), d(2027, 1, 1));
        assert_eq!(t.rate_on(d(2027, 5, 1), ImporterClass::Corporate), Some(Decimal::new(55, 1)));
        assert_eq!(t.rows()[1].source_row, 2);
    }

    #[test]
    fn validation_names_row_column_value() {
        let m = err("2027-01-01,2027-03-31,7,6,high,u\n2027-04-02,2027-06-30,7,6,high,u\n");
        assert!(
            m.contains("row 3") && m.contains("quarter_start") && m.contains("2027-04-02") && m.contains("gap"),
            "{m}"
        );
        let m = err("2027-01-01,2027-03-31,7,6,high,u\n2027-03-31,2027-06-30,7,6,high,u\n");
        assert!(m.contains("row 3") && m.contains("overlaps row 2"), "{m}");
        let m = err("2027-01-01,2026-03-31,7,6,high,u\n");
        assert!(m.contains("row 2, column quarter_end, value \"2026-03-31\""), "{m}");
        let m = err("2027-01-01,2027-03-31,7%,6,high,u\n");
        assert!(m.contains("row 2, column noncorporate_percent, value \"7%\""), "{m}");
        let m = err("2027-01-01,2027-03-31,7,-1,high,u\n");
        assert!(m.contains("corporate_percent") && m.contains("-1"), "{m}");
        let m = err("2027-01-01,2027-03-31,7,600,high,u\n");
        assert!(m.contains("between 0 and 100"), "{m}");
        let m = err("01/01/2027,2027-03-31,7,6,high,u\n");
        assert!(m.contains("column quarter_start, value \"01/01/2027\""), "{m}");
        let m = err("2027-01-01,2027-03-31,7,6,certain,u\n");
        assert!(m.contains("column confidence"), "{m}");
        let m = err("2027-01-01,2027-03-31,7,6,high,\n");
        assert!(m.contains("column source"), "{m}");
        assert!(err("").contains("no rate rows"));
        let e = RateTable::from_csv_str("t.csv", "quarter_start,quarter_end\n").unwrap_err().to_string();
        assert!(e.starts_with("t.csv: missing column \"noncorporate_percent\""), "{e}");
    }

    #[test]
    fn from_path_round_trip() {
        let dir = std::env::temp_dir().join(format!("cape-rates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("rates.csv");
        std::fs::write(&p, EMBEDDED_RATES_CSV).unwrap();
        let t = RateTable::from_path(&p).unwrap();
        assert_eq!(t.rows(), RateTable::embedded().rows());
        std::fs::remove_dir_all(&dir).unwrap();
        let e = RateTable::from_path(dir.join("missing.csv")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn assumed_rate_continues_last_row() {
        let a = AssumedRate::continue_last(&RateTable::embedded());
        assert_eq!(a.from, d(2027, 1, 1));
        assert_eq!(a.percent(ImporterClass::Corporate), Decimal::from(6));
        assert_eq!(a.percent(ImporterClass::NonCorporate), Decimal::from(7));
    }
}
