//! The other (non-IEEPA) Chapter 99 families: Section 232, 301, 122, 201 (`chapter99_other.csv`).
//!
//! A small table of number prefixes, each naming its program and a public source. It only names families
//! that are *not* refunded by CAPE; IEEPA numbers come from the dated catalogue alone, so a 9903.01.xx or
//! 9903.02.xx number that the catalogue does not hold is reported as unknown, never guessed.

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::mass::catalogue::{read_text, reference_error, Confidence, Header, ReferenceRecords, RowOrigin};
use crate::HtsNumber;

/// The embedded table, `cape-core/data/chapter99_other.csv`.
pub const EMBEDDED_OTHER_CSV: &str = include_str!("../../data/chapter99_other.csv");

/// The name under which the embedded table reports itself.
pub const EMBEDDED_OTHER_NAME: &str = "chapter99_other.csv (embedded)";

/// The columns of the table (any order; more columns are ignored).
pub const OTHER_COLUMNS: [&str; 5] = ["prefix", "program", "description", "confidence", "source"];

/// One family of non-IEEPA Chapter 99 numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherProgram {
    /// The digits every number of the family starts with (`990388` for 9903.88.xx), 4 to 8 digits.
    pub prefix: String,
    /// The program (`section_232`, `section_301`, `section_122`, `section_201`).
    pub program: String,
    /// What the family covers.
    pub description: String,
    /// How well the row is supported.
    pub confidence: Confidence,
    /// One public URL.
    pub source: String,
    /// The file and row it was read from.
    pub origin: RowOrigin,
}

/// The table of non-IEEPA Chapter 99 families, matched by longest prefix.
///
/// # Example
///
/// ```
/// use cape_core::mass::OtherPrograms;
/// let other = OtherPrograms::embedded()?;
/// let p = other.find(&"9903.88.15".parse()?).unwrap();
/// assert_eq!(p.program, "section_301");
/// assert!(other.find(&"9903.01.99".parse()?).is_none());
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OtherPrograms {
    name: String,
    programs: Vec<OtherProgram>,
}

impl OtherPrograms {
    /// The embedded table.
    ///
    /// # Errors
    ///
    /// Never in practice: a unit test guarantees the embedded file parses.
    pub fn embedded() -> Result<Self> {
        Self::from_csv_str(EMBEDDED_OTHER_NAME, EMBEDDED_OTHER_CSV)
    }

    /// Parses a table (columns [`OTHER_COLUMNS`]).
    ///
    /// # Errors
    ///
    /// [`crate::Error::ReferenceData`] naming the file and, per bad row, the row, column and value: a prefix
    /// that is not 4 to 8 digits starting `99` (dots allowed), a prefix given twice, an empty program or
    /// source, an unknown confidence.
    pub fn from_csv_str(name: &str, text: &str) -> Result<Self> {
        let ReferenceRecords { header, records, mut problems } = Header::read_records(name, text, &OTHER_COLUMNS)?;
        let mut programs: Vec<OtherProgram> = Vec::new();
        for (row, record) in &records {
            let row = *row;
            let cell = |i: usize| header.cell(record, i);
            let mut bad = |i: usize, why: &str| {
                problems.push(format!("row {row}, column `{}`, value {:?}: {why}", OTHER_COLUMNS[i], cell(i)));
            };
            let prefix: String = cell(0).chars().filter(|c| *c != '.').collect();
            let prefix_ok = (4..=8).contains(&prefix.len())
                && prefix.bytes().all(|b| b.is_ascii_digit())
                && prefix.starts_with("99");
            if !prefix_ok {
                bad(0, "expected 4 to 8 digits of a Chapter 99 number, such as 9903.88");
            } else if programs.iter().any(|p| p.prefix == prefix) {
                bad(0, "prefix given twice");
            }
            if cell(1).is_empty() {
                bad(1, "program is empty");
            }
            let confidence = Confidence::parse(cell(3));
            if confidence.is_none() {
                bad(3, "unknown confidence (expected high, medium or low)");
            }
            if cell(4).is_empty() {
                bad(4, "source is empty");
            }
            if let (true, Some(confidence)) = (prefix_ok && !cell(1).is_empty() && !cell(4).is_empty(), confidence) {
                programs.push(OtherProgram {
                    prefix,
                    program: cell(1).to_owned(),
                    description: cell(2).to_owned(),
                    confidence,
                    source: cell(4).to_owned(),
                    origin: RowOrigin { file: name.to_owned(), row },
                });
            }
        }
        if !problems.is_empty() {
            return Err(reference_error(name, problems));
        }
        Ok(OtherPrograms { name: name.to_owned(), programs })
    }

    /// Reads a table from disk.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Io`] or [`crate::Error::Format`] when the file cannot be read as UTF-8, otherwise
    /// as [`OtherPrograms::from_csv_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let (name, text) = read_text(path.as_ref())?;
        Self::from_csv_str(&name, &text)
    }

    /// The family of `hts` (longest matching prefix), if any.
    pub fn find(&self, hts: &HtsNumber) -> Option<&OtherProgram> {
        let digits = hts.digit_bytes();
        self.programs.iter().filter(|p| digits.starts_with(p.prefix.as_bytes())).max_by_key(|p| p.prefix.len())
    }

    /// The name the table was loaded under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every family, in file order.
    pub fn programs(&self) -> &[OtherProgram] {
        &self.programs
    }

    /// The number of families.
    pub fn len(&self) -> usize {
        self.programs.len()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> HtsNumber {
        s.parse().unwrap()
    }

    #[test]
    fn embedded_families() {
        let t = OtherPrograms::embedded().unwrap();
        let p = |s: &str| t.find(&h(s)).map(|p| p.program.as_str());
        assert_eq!(p("9903.88.15"), Some("section_301"));
        assert_eq!(p("9903.88.03"), Some("section_301"));
        assert_eq!(p("9903.91.01"), Some("section_301"));
        assert_eq!(p("9903.81.90"), Some("section_232"));
        assert_eq!(p("9903.85.02"), Some("section_232"));
        assert_eq!(p("9903.78.01"), Some("section_232"));
        assert_eq!(p("9903.94.05"), Some("section_232"));
        assert_eq!(p("9903.76.01"), Some("section_232"));
        assert_eq!(p("9903.74.08"), Some("section_232"));
        assert_eq!(p("9903.03.01"), Some("section_122"));
        assert_eq!(p("9903.45.21"), Some("section_201"));
        // IEEPA ranges are never in this table.
        assert_eq!(p("9903.01.99"), None);
        assert_eq!(p("9903.02.99"), None);
        assert_eq!(p("9903.96.01"), None);
    }

    #[test]
    fn bad_rows() {
        let text = "prefix,program,description,confidence,source\n84,x,y,high,u\n9903.88,,y,high,u\n9903.88,p,y,high,u\n9903.88,p,y,high,u\n";
        let e = OtherPrograms::from_csv_str("o.csv", text).unwrap_err().to_string();
        assert!(e.contains("row 2, column `prefix`, value \"84\""), "{e}");
        assert!(e.contains("row 3, column `program`"), "{e}");
        assert!(e.contains("row 5, column `prefix`, value \"9903.88\": prefix given twice"), "{e}");
    }
}
