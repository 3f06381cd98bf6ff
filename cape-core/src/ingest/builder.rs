//! Entries built field by field, for hosts that never see an ES-003 file (a broker's own database), and the
//! assessment of a report already in memory.
//!
//! [`Es003Builder`] collects an entry header, its lines and their tariff ordinals as text cells, exactly as they
//! would appear in the ES-003 columns, and reads them through the same ingest as a file
//! ([`Es003Reader::from_records`]): the same validation, the same diagnostics, the same [`Es003`].

use crate::assess::{AssessOptions, AssessTotals, AssessedReport, Assessor, Tables};
use crate::ingest::columns::{header_key, Column, COLUMNS};
use crate::{Error, ErrorKind, Es003, Es003Options, Es003Reader, Result};

/// The column of the entry number.
const ENTRY_COLUMN: &str = "Entry Summary Number";
/// The fixed columns of every built row, after the entry number.
const FIXED_COLUMNS: [&str; 5] = [
    "Entry Summary Line Number",
    "Tariff Ordinal Number",
    "HTS Number - Full",
    "Line Tariff Goods Value Amount",
    "Line Tariff Duty Amount",
];

#[derive(Debug, Clone)]
struct BuiltTariff {
    ordinal: u32,
    hts: String,
    goods_value: String,
    duty: String,
}

#[derive(Debug, Clone)]
struct BuiltLine {
    number: u32,
    fields: Vec<(String, String)>,
    tariffs: Vec<BuiltTariff>,
}

#[derive(Debug, Clone)]
struct BuiltEntry {
    number: String,
    fields: Vec<(String, String)>,
    lines: Vec<BuiltLine>,
}

/// Builds an ES-003-equivalent report from entries given field by field.
///
/// Cells are text, as in the report (`"03/15/2025"` or `"2025-03-15"`, `"$1,000.00"`, `"Y"`), under the report's
/// column names (`"Entry Type"`, `"Entry Date"`, `"Liquidation Status"`, `"Country of Origin Code"`...). Each
/// tariff ordinal becomes one row carrying its entry's and line's fields; an entry or line without tariffs
/// becomes one row with blank tariff cells (which the ingest rejects with a diagnostic, as it would in a file).
///
/// # Example
///
/// ```
/// use cape_core::builder::Es003Builder;
/// use cape_core::Es003Options;
/// let mut b = Es003Builder::new();
/// b.begin_entry("ABC-1234567-6");
/// b.entry_field("Entry Date", "2025-04-15")?;
/// b.begin_line(1)?;
/// b.tariff(1, "9903.01.25", None, "10.00")?;
/// let report = b.build(&Es003Options::default())?;
/// assert_eq!(report.entries.len(), 1);
/// assert_eq!(report.summary.tariff_rows, 1);
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Es003Builder {
    entries: Vec<BuiltEntry>,
}

fn set(fields: &mut Vec<(String, String)>, column: &str, value: &str) {
    match fields.iter_mut().find(|(c, _)| c == column) {
        Some(slot) => value.clone_into(&mut slot.1),
        None => fields.push((column.to_owned(), value.to_owned())),
    }
}

fn out_of_order(what: &'static str, input: &str, reason: &str) -> Error {
    Error::value(ErrorKind::InvalidValue, what, input, reason)
}

impl Es003Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Es003Builder::default()
    }

    /// Starts a new entry (its number is validated by the ingest, like a file's cell).
    pub fn begin_entry(&mut self, number: &str) {
        self.entries.push(BuiltEntry { number: number.to_owned(), fields: Vec::new(), lines: Vec::new() });
    }

    /// Sets an entry-level cell of the current entry (setting a column again replaces the value).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when no entry was begun, `column` is not a column
    /// cape reads ([`COLUMNS`]: a name or an alternate, matched as a header cell is; the message suggests the
    /// nearest name), or is one of the fixed columns the builder writes itself (entry number, line number,
    /// ordinal, HTS, value, duty). A column is kept under its canonical name, so an alternate replaces it.
    pub fn entry_field(&mut self, column: &str, value: &str) -> Result<()> {
        let name = check_column(column)?;
        let entry = self.entries.last_mut().ok_or_else(|| out_of_order("entry field", column, "no entry begun"))?;
        set(&mut entry.fields, name, value);
        Ok(())
    }

    /// Starts a new line (`Entry Summary Line Number`) in the current entry.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when no entry was begun.
    pub fn begin_line(&mut self, number: u32) -> Result<()> {
        let entry =
            self.entries.last_mut().ok_or_else(|| out_of_order("line", &number.to_string(), "no entry begun"))?;
        entry.lines.push(BuiltLine { number, fields: Vec::new(), tariffs: Vec::new() });
        Ok(())
    }

    /// Sets a line-level cell of the current line (`Country of Origin Code`, `SPI`...).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when no line was begun, or `column` is unknown or a
    /// fixed column (as [`Es003Builder::entry_field`]).
    pub fn line_field(&mut self, column: &str, value: &str) -> Result<()> {
        let name = check_column(column)?;
        let line = self.current_line(column)?;
        set(&mut line.fields, name, value);
        Ok(())
    }

    /// Adds a tariff ordinal to the current line: its HTS number, goods value (optional) and duty.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] when no line was begun.
    pub fn tariff(&mut self, ordinal: u32, hts: &str, goods_value: Option<&str>, duty: &str) -> Result<()> {
        let line = self.current_line(hts)?;
        line.tariffs.push(BuiltTariff {
            ordinal,
            hts: hts.to_owned(),
            goods_value: goods_value.unwrap_or("").to_owned(),
            duty: duty.to_owned(),
        });
        Ok(())
    }

    /// The number of entries begun.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    fn current_line(&mut self, input: &str) -> Result<&mut BuiltLine> {
        self.entries
            .last_mut()
            .and_then(|e| e.lines.last_mut())
            .ok_or_else(|| out_of_order("line field", input, "no line begun"))
    }

    /// The header and rows the builder stands for (one row per tariff ordinal).
    pub fn records(&self) -> (Vec<String>, Vec<Vec<String>>) {
        // `Entry Date` is a required column: always present, blank unless set.
        let mut header: Vec<String> =
            std::iter::once(ENTRY_COLUMN).chain(FIXED_COLUMNS).chain(["Entry Date"]).map(str::to_owned).collect();
        for e in &self.entries {
            let columns = e.fields.iter().chain(e.lines.iter().flat_map(|l| l.fields.iter()));
            for (c, _) in columns {
                if !header.contains(c) {
                    header.push(c.clone());
                }
            }
        }
        let mut rows = Vec::new();
        for e in &self.entries {
            let blank_line = BuiltLine { number: 0, fields: Vec::new(), tariffs: Vec::new() };
            let lines: Vec<&BuiltLine> = if e.lines.is_empty() { vec![&blank_line] } else { e.lines.iter().collect() };
            for l in lines {
                let blank = [None];
                let tariffs: Vec<Option<&BuiltTariff>> =
                    if l.tariffs.is_empty() { blank.to_vec() } else { l.tariffs.iter().map(Some).collect() };
                for t in tariffs {
                    let mut row = vec![String::new(); header.len()];
                    row[0].clone_from(&e.number);
                    if l.number != 0 || !e.lines.is_empty() {
                        row[1] = l.number.to_string();
                    }
                    if let Some(t) = t {
                        row[2] = t.ordinal.to_string();
                        row[3].clone_from(&t.hts);
                        row[4].clone_from(&t.goods_value);
                        row[5].clone_from(&t.duty);
                    }
                    for (c, v) in e.fields.iter().chain(l.fields.iter()) {
                        if let Some(i) = header.iter().position(|h| h == c) {
                            row[i].clone_from(v);
                        }
                    }
                    rows.push(row);
                }
            }
        }
        (header, rows)
    }

    /// Reads the built entries through the ES-003 ingest.
    ///
    /// # Errors
    ///
    /// As [`Es003Reader::from_records`] and [`Es003Reader::read_all`]; bad cells are diagnostics, not errors.
    /// The optional columns no entry set are one `ES003_MISSING_OPTIONAL_COLUMN` diagnostic naming them all
    /// (a file gets one per column).
    pub fn build(&self, options: &Es003Options) -> Result<Es003> {
        let (header, rows) = self.records();
        let mut options = options.clone();
        options.merge_missing_optional = true;
        Es003Reader::from_records(&header, rows, &options)?.read_all()
    }
}

/// The canonical name of a column the builder may be given: one of [`COLUMNS`] (by its name or an alternate,
/// matched as a report's header cell is), other than the ones the builder writes itself.
fn check_column(column: &str) -> Result<&'static str> {
    if column.trim().is_empty() {
        return Err(out_of_order("column", column, "empty column name"));
    }
    let Some(known) = Column::from_header(column) else {
        let reason = match closest_column(column) {
            Some(name) => format!("not an ES-003 column cape reads; did you mean {name:?}?"),
            None => "not an ES-003 column cape reads (a name of cape_core::ingest::columns::COLUMNS)".to_owned(),
        };
        return Err(out_of_order("column", column, &reason));
    };
    let name = known.name();
    if name == ENTRY_COLUMN || FIXED_COLUMNS.contains(&name) {
        return Err(out_of_order("column", column, "the builder writes this column itself"));
    }
    Ok(name)
}

/// The most edits between a misspelt column and the name suggested for it.
const MAX_SUGGESTION_EDITS: usize = 3;

/// The known column name (canonical or alternate) nearest to `column` by edits of its header key, when
/// within [`MAX_SUGGESTION_EDITS`] and a third of the key's length.
fn closest_column(column: &str) -> Option<&'static str> {
    let key = header_key(column);
    let limit = MAX_SUGGESTION_EDITS.min(key.chars().count() / 3);
    COLUMNS
        .iter()
        .filter(|s| !FIXED_COLUMNS.contains(&s.name) && s.name != ENTRY_COLUMN)
        .flat_map(|s| std::iter::once(s.name).chain(s.alternates.iter().copied()))
        .map(|name| (edit_distance(&key, &header_key(name)), name))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance (insertions, deletions, substitutions) between two short texts.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let best = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// Assesses every entry of a report already read (the same result as [`crate::assess::assess_reader`] on its
/// source).
///
/// # Errors
///
/// An unknown rule set or invalid interest parameters ([`Error::Value`]), or [`Error::Overflow`].
pub fn assess_es003(report: &Es003, tables: &Tables, options: AssessOptions) -> Result<AssessedReport> {
    let mut assessor = Assessor::new(tables, options)?;
    let mut entries = Vec::with_capacity(report.entries.len());
    let mut totals = AssessTotals::default();
    for e in &report.entries {
        let a = assessor.assess(e)?;
        totals.add(&a)?;
        entries.push(a);
    }
    Ok(AssessedReport {
        entries,
        diagnostics: report.diagnostics.clone(),
        ingest: report.summary.clone(),
        totals,
        rule_set: assessor.rule_set().name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::assess_reader;
    use crate::read_es003_bytes;

    const CSV: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date,Entry Type,Country of Origin Code\n\
ABC-1234567-6,1,1,8471300100,10000.00,0.00,2025-03-15,01,CN\n\
ABC-1234567-6,1,2,99030125,0.00,1000.00,2025-03-15,01,CN\n\
B76-0158522-0,1,1,9403200080,2500.00,125.00,2025-04-20,01,VN\n";

    fn built() -> Es003Builder {
        let mut b = Es003Builder::new();
        b.begin_entry("ABC-1234567-6");
        b.entry_field("Entry Date", "2025-03-15").unwrap();
        b.entry_field("Entry Type", "01").unwrap();
        b.begin_line(1).unwrap();
        b.line_field("Country of Origin Code", "CN").unwrap();
        b.tariff(1, "8471300100", Some("10000.00"), "0.00").unwrap();
        b.tariff(2, "99030125", Some("0.00"), "1000.00").unwrap();
        b.begin_entry("B76-0158522-0");
        b.entry_field("Entry Date", "2025-04-20").unwrap();
        b.entry_field("Entry Type", "01").unwrap();
        b.begin_line(1).unwrap();
        b.line_field("Country of Origin Code", "VN").unwrap();
        b.tariff(1, "9403200080", Some("2500.00"), "125.00").unwrap();
        b
    }

    #[test]
    fn builder_equals_the_same_file() {
        let from_builder = built().build(&Es003Options::default()).unwrap();
        let from_file = read_es003_bytes(CSV.as_bytes(), &Es003Options::default()).unwrap();
        assert_eq!(from_builder.entries, from_file.entries);
        assert_eq!(from_builder.summary.rows_read, 3);
        assert_eq!(from_builder.summary.tariff_rows, from_file.summary.tariff_rows);
    }

    #[test]
    fn order_errors_and_fixed_columns() {
        let mut b = Es003Builder::new();
        assert_eq!(b.entry_field("Entry Date", "x").unwrap_err().kind(), ErrorKind::InvalidValue);
        assert!(b.begin_line(1).is_err());
        b.begin_entry("ABC-1234567-6");
        assert!(b.line_field("SPI", "A").is_err());
        assert!(b.tariff(1, "9903.01.25", None, "1.00").is_err());
        assert!(b.entry_field("Tariff Ordinal Number", "1").is_err());
        assert!(b.entry_field(" ", "1").is_err());
        // an entry without lines is one row the ingest rejects
        let r = b.build(&Es003Options::default()).unwrap();
        assert_eq!((r.summary.rows_read, r.summary.rows_rejected), (1, 1));
    }

    #[test]
    fn unknown_columns_are_errors_with_a_suggestion() {
        let mut b = Es003Builder::new();
        b.begin_entry("ABC-1234567-6");
        let e = b.entry_field("Entry Dte", "2025-04-15").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert_eq!(
            e.to_string(),
            "invalid column \"Entry Dte\": not an ES-003 column cape reads; did you mean \"Entry Date\"?"
        );
        let e = b.entry_field("Colour", "red").unwrap_err();
        assert!(e.to_string().starts_with("invalid column \"Colour\": not an ES-003 column cape reads ("), "{e}");
        b.begin_line(1).unwrap();
        let e = b.line_field("Country of Orign Code", "CN").unwrap_err();
        assert!(e.to_string().ends_with("did you mean \"Country of Origin Code\"?"), "{e}");
        // an alternate or differently written name is the same column, kept under its canonical name
        b.entry_field("entry type", "01").unwrap();
        b.entry_field("Entry Type Code", "03").unwrap();
        b.entry_field("entry_date", "2025-04-15").unwrap();
        b.tariff(1, "9903.01.25", None, "10.00").unwrap();
        let (header, rows) = b.records();
        assert_eq!(header.iter().filter(|h| h.as_str() == "Entry Type Code").count(), 1);
        assert!(!header.iter().any(|h| h == "entry type" || h == "entry_date"));
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!((rows[0][at("Entry Type Code")].as_str(), rows[0][at("Entry Date")].as_str()), ("03", "2025-04-15"));
    }

    #[test]
    fn absent_optional_columns_are_one_fact() {
        let mut b = Es003Builder::new();
        for n in ["ABC-1234567-6", "B76-0158522-0"] {
            b.begin_entry(n);
            b.entry_field("Entry Date", "2025-04-15").unwrap();
            b.begin_line(1).unwrap();
            b.tariff(1, "9903.01.25", None, "10.00").unwrap();
        }
        let r = b.build(&Es003Options::default()).unwrap();
        assert_eq!(r.entries.len(), 2);
        let missing: Vec<_> =
            r.diagnostics.iter().filter(|d| d.code == crate::DiagnosticCode::MissingOptionalColumn).collect();
        assert_eq!(missing.len(), 1);
        // every optional column but the goods value, which the builder writes
        let absent = COLUMNS.iter().filter(|s| !s.required).count() - 1;
        assert!(
            missing[0].message.starts_with(&format!("{absent} optional columns not supplied")),
            "{}",
            missing[0].message
        );
        assert!(missing[0].message.contains(": Entry Type Code, Importer Number, "), "{}", missing[0].message);
        assert!(!missing[0].message.contains("Goods Value"));
        assert_eq!((r.summary.infos, r.diagnostics.len()), (1, 1));
    }

    #[test]
    fn bad_cells_are_diagnostics() {
        let mut b = Es003Builder::new();
        b.begin_entry("ABC-1234567-5");
        b.entry_field("Entry Date", "2025-04-15").unwrap();
        b.begin_line(1).unwrap();
        b.tariff(1, "9903.01.25", None, "10.00").unwrap();
        let r = b.build(&Es003Options::default()).unwrap();
        assert_eq!(r.entries.len(), 0);
        assert!(r.diagnostics.iter().any(|d| d.code.as_str() == "ES003_INVALID_ENTRY_NUMBER"));
    }

    #[test]
    fn assess_es003_matches_assess_reader() {
        let tables = Tables::embedded().unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 4, 20).unwrap();
        let report = read_es003_bytes(CSV.as_bytes(), &Es003Options::default()).unwrap();
        let a = assess_es003(&report, &tables, AssessOptions::new(as_of)).unwrap();
        let reader = Es003Reader::from_bytes(CSV.as_bytes().to_vec(), &Es003Options::default()).unwrap();
        let b = assess_reader(reader, &tables, AssessOptions::new(as_of)).unwrap();
        assert_eq!(a.totals, b.totals);
        assert_eq!(a.rule_set, b.rule_set);
        let pa: Vec<_> = a.entries.iter().map(|e| (e.entry_number(), e.status(), e.principal())).collect();
        let pb: Vec<_> = b.entries.iter().map(|e| (e.entry_number(), e.status(), e.principal())).collect();
        assert_eq!(pa, pb);
    }
}
