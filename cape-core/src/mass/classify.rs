//! Classification of a tariff ordinal's HTS number.
//!
//! IEEPA classification is by number, on any date (reference §10): a catalogue number of kind `duty` or
//! `floor` is dutiable IEEPA whatever the entry date; use outside its window is a finding, not a change to
//! the refund.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::mass::catalogue::{Catalogue, CatalogueRow, Lookup, RowKind};
use crate::HtsNumber;

/// What a tariff ordinal's HTS number is, for Mass Processing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum Classification {
    /// An ordinary tariff number (chapters 1–97): the goods' own classification.
    #[serde(rename = "chapter_1_to_97")]
    Chapter1To97,
    /// Chapter 98 special provisions (American goods returned, repairs abroad...).
    #[serde(rename = "chapter_98")]
    Chapter98,
    /// An IEEPA number of kind `duty`: removed by CAPE, its duty refunded.
    IeepaDutiable,
    /// An IEEPA number of kind `floor`: removed by CAPE; refund per the floor rule.
    IeepaFloor,
    /// An IEEPA number of kind `exemption`: stays, refunds nothing.
    IeepaExemption,
    /// A non-IEEPA Chapter 99 family (Section 232, 301, 122, 201): stays.
    #[serde(rename = "other_chapter_99")]
    OtherChapter99 {
        /// The program named by the other-programs table (`section_301`...).
        program: String,
    },
    /// A Chapter 99 number in neither table: stays, and is reported.
    #[serde(rename = "unknown_chapter_99")]
    UnknownChapter99,
}

impl Classification {
    /// A stable snake-case name of the class.
    pub fn as_str(&self) -> &'static str {
        match self {
            Classification::Chapter1To97 => "chapter_1_to_97",
            Classification::Chapter98 => "chapter_98",
            Classification::IeepaDutiable => "ieepa_dutiable",
            Classification::IeepaFloor => "ieepa_floor",
            Classification::IeepaExemption => "ieepa_exemption",
            Classification::OtherChapter99 { .. } => "other_chapter_99",
            Classification::UnknownChapter99 => "unknown_chapter_99",
        }
    }

    /// True for the classes CAPE removes (`IeepaDutiable`, `IeepaFloor`).
    pub fn is_removed(&self) -> bool {
        matches!(self, Classification::IeepaDutiable | Classification::IeepaFloor)
    }

    /// True for any IEEPA catalogue number (dutiable, floor or exemption).
    pub fn is_ieepa(&self) -> bool {
        matches!(self, Classification::IeepaDutiable | Classification::IeepaFloor | Classification::IeepaExemption)
    }
}

impl Catalogue {
    /// Classifies an HTS number, with the IEEPA row that decided it.
    ///
    /// The row is the one in force on `date` when there is one, else the period nearest to `date`, else
    /// (no date) the latest period. The class follows that row's kind.
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::mass::{Catalogue, Classification};
    /// let cat = Catalogue::embedded()?;
    /// let class = |s: &str| cat.classify(&s.parse().unwrap(), None).0;
    /// assert_eq!(class("9903.01.24"), Classification::IeepaDutiable);
    /// assert_eq!(class("9903.02.80"), Classification::IeepaFloor);
    /// assert_eq!(class("9903.01.33"), Classification::IeepaExemption);
    /// assert_eq!(class("9903.88.15"), Classification::OtherChapter99 { program: "section_301".into() });
    /// assert_eq!(class("9903.01.99"), Classification::UnknownChapter99);
    /// assert_eq!(class("9802.00.80"), Classification::Chapter98);
    /// assert_eq!(class("8471.30.0100"), Classification::Chapter1To97);
    /// # Ok::<(), cape_core::Error>(())
    /// ```
    pub fn classify(&self, hts: &HtsNumber, date: Option<NaiveDate>) -> (Classification, Option<&CatalogueRow>) {
        let (class, row, _) = self.classify_lookup(hts, date);
        (class, row)
    }

    /// [`Catalogue::classify`], also returning the [`Catalogue::lookup`] on `date` it was decided by, so that
    /// callers needing both search the catalogue once. The lookup is [`Lookup::NotIeepa`] for chapters 1–98,
    /// for numbers the catalogue does not hold, and when there is no date.
    pub(crate) fn classify_lookup(
        &self,
        hts: &HtsNumber,
        date: Option<NaiveDate>,
    ) -> (Classification, Option<&CatalogueRow>, Lookup<'_>) {
        if hts.is_chapter_1_97() {
            return (Classification::Chapter1To97, None, Lookup::NotIeepa);
        }
        if hts.chapter() == 98 {
            return (Classification::Chapter98, None, Lookup::NotIeepa);
        }
        let (row, lookup) = match date {
            Some(d) => {
                let lookup = self.lookup(hts, d);
                (lookup.row(), lookup)
            }
            None => (self.periods(hts).last(), Lookup::NotIeepa),
        };
        if let Some(row) = row {
            let class = match row.kind {
                RowKind::Duty => Classification::IeepaDutiable,
                RowKind::Floor => Classification::IeepaFloor,
                RowKind::Exemption => Classification::IeepaExemption,
            };
            return (class, Some(row), lookup);
        }
        match self.other_programs().find(hts) {
            Some(p) => (Classification::OtherChapter99 { program: p.program.clone() }, None, lookup),
            None => (Classification::UnknownChapter99, None, lookup),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_number_on_any_date() {
        let cat = Catalogue::embedded().unwrap();
        let c = |s: &str, d: &str| cat.classify(&s.parse().unwrap(), Some(d.parse().unwrap())).0;
        // IEEPA by number even outside the window (2025-04-10 is after 9903.01.50's only day).
        assert_eq!(c("9903.01.50", "2025-04-10"), Classification::IeepaDutiable);
        assert_eq!(c("9903.01.25", "2026-03-01"), Classification::IeepaDutiable);
        assert_eq!(c("9903.01.99", "2025-06-01"), Classification::UnknownChapter99);
        assert_eq!(c("9903.02.99", "2025-06-01"), Classification::UnknownChapter99);
        assert_eq!(c("9903.88.15", "2025-06-01"), Classification::OtherChapter99 { program: "section_301".into() });
        assert_eq!(c("9903.81.90", "2025-06-01"), Classification::OtherChapter99 { program: "section_232".into() });
        assert_eq!(c("9903.03.01", "2026-03-01"), Classification::OtherChapter99 { program: "section_122".into() });
        assert_eq!(c("9903.12.34", "2025-06-01"), Classification::UnknownChapter99);
        assert_eq!(c("9802.00.5060", "2025-06-01"), Classification::Chapter98);
        assert_eq!(c("0101.21.0010", "2025-06-01"), Classification::Chapter1To97);
        assert_eq!(c("9903.96.01", "2025-07-01"), Classification::IeepaExemption);
        let json = serde_json::to_string(&Classification::OtherChapter99 { program: "section_301".into() }).unwrap();
        assert_eq!(json, r#"{"class":"other_chapter_99","program":"section_301"}"#);
        assert_eq!(serde_json::to_string(&Classification::IeepaFloor).unwrap(), r#"{"class":"ieepa_floor"}"#);
    }
}
