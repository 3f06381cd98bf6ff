//! Findings: what Mass Processing noticed about an entry. Findings never change the refund.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::HtsNumber;

macro_rules! finding_codes {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, cbp: $cbp:expr; )*) => {
        crate::values::codes::stable_codes! {
            /// The stable code of a [`Finding`]: [`FindingCode::as_str`] is upper snake case, part of the JSON and
            /// binding contracts, never renamed.
            pub enum FindingCode: as_str {
                $( $(#[$m])* $variant = $code, )*
            }
        }

        impl FindingCode {
            /// The error text ACE returns for this problem, where CBP published one.
            pub fn cbp_message(self) -> Option<&'static str> {
                match self { $( FindingCode::$variant => $cbp, )* }
            }
        }
    };
}

finding_codes! {
    /// A goods value is reported on an IEEPA Chapter 99 row.
    GoodsValueOnIeepaLine = "GOODS_VALUE_ON_IEEPA_LINE", cbp: Some("GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE");
    /// An IEEPA number is used on an entry dated outside all of its periods.
    IeepaHtsOutsideWindow = "IEEPA_HTS_OUTSIDE_WINDOW", cbp: Some("INVALID HTS");
    /// The declared IEEPA duty differs from the catalogue rate × the line's value by more than one cent.
    IeepaDutyMismatch = "IEEPA_DUTY_MISMATCH", cbp: None;
    /// IEEPA duty on an entry dated on or after the end of IEEPA duties.
    IeepaDutyAfterEnd = "IEEPA_DUTY_AFTER_END", cbp: None;
    /// The entry has no dutiable (duty or floor) IEEPA number: not a CAPE candidate.
    NoDutiableIeepa = "NO_DUTIABLE_IEEPA", cbp: None;
    /// A Korea-style floor line whose Column 1 rate is unknown: the refund is an upper bound.
    FloorMfnRateUnknown = "FLOOR_MFN_RATE_UNKNOWN", cbp: None;
    /// A Korea-style floor line whose chapter 1–97 goods value is unknown: the refund is an upper bound.
    FloorValueUnknown = "FLOOR_VALUE_UNKNOWN", cbp: None;
    /// The MFN duty put back on a floor line exceeds the floor duty filed; the refund is floored at zero.
    FloorMfnExceedsFloorDuty = "FLOOR_MFN_EXCEEDS_FLOOR_DUTY", cbp: None;
    /// A Chapter 99 number in neither the IEEPA catalogue nor the other-programs table.
    UnknownChapter99 = "UNKNOWN_CHAPTER99", cbp: None;
    /// The line's country of origin is not among the IEEPA row's countries.
    IeepaCountryMismatch = "IEEPA_COUNTRY_MISMATCH", cbp: None;
    /// An IEEPA exemption number carries duty (not refunded: exemption rows are not removed).
    DutyOnIeepaExemption = "DUTY_ON_IEEPA_EXEMPTION", cbp: None;
    /// The entry has no entry date, so no date-based check could be made.
    EntryDateMissing = "ENTRY_DATE_MISSING", cbp: None;
}

impl FindingCode {
    /// The correction that clears this finding before the entry is declared, for the findings that predict an
    /// entry-level CAPE rejection (CAPE.md §3 remedy table, §10); `None` for the others. The one place that says
    /// which findings predict a rejection ([`FindingCode::predicts_rejection`]).
    pub fn correction(self) -> Option<&'static str> {
        match self {
            FindingCode::GoodsValueOnIeepaLine => {
                Some("a post-summary correction (reason H99) moving the goods value off the IEEPA row")
            }
            FindingCode::IeepaHtsOutsideWindow => {
                Some("a post-summary correction to the replacement HTS number in force on the entry date")
            }
            FindingCode::IeepaDutyAfterEnd => {
                Some("a post-summary correction of the IEEPA rows (no IEEPA duty applies after its end)")
            }
            _ => None,
        }
    }

    /// True when CAPE is expected to reject the entry for this finding (`INVALID HTS`, goods value on an IEEPA
    /// row, IEEPA duty after IEEPA's end): the claim is `needs_review` (`CORRECTION_NEEDED`) until corrected.
    pub fn predicts_rejection(self) -> bool {
        self.correction().is_some()
    }
}

/// One thing Mass Processing noticed about an entry, in plain English. Never changes the refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The stable code.
    pub code: FindingCode,
    /// A plain-English explanation naming the HTS number, line and dates involved.
    pub message: String,
    /// The text ACE would return for this problem, where CBP published one.
    pub cbp_message: Option<&'static str>,
    /// The entry-summary line, when the finding is about one.
    pub line: Option<u32>,
    /// The tariff ordinal, when the finding is about one.
    pub ordinal: Option<u32>,
    /// The HTS number involved, if any.
    pub hts: Option<HtsNumber>,
}

/// What [`Finding`]'s `Serialize` writes, read back: `cbp_message` is CBP's text for the code (a static
/// list), so it is derived from the code rather than read.
#[derive(Deserialize)]
struct FindingFields {
    code: FindingCode,
    message: String,
    #[serde(rename = "cbp_message")]
    _cbp_message: Option<String>,
    line: Option<u32>,
    ordinal: Option<u32>,
    hts: Option<HtsNumber>,
}

impl<'de> Deserialize<'de> for Finding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        FindingFields::deserialize(d).map(Finding::from)
    }
}

impl From<FindingFields> for Finding {
    fn from(f: FindingFields) -> Self {
        Finding {
            code: f.code,
            message: f.message,
            cbp_message: f.code.cbp_message(),
            line: f.line,
            ordinal: f.ordinal,
            hts: f.hts,
        }
    }
}

impl Finding {
    /// A finding about an entry as a whole.
    pub fn entry(code: FindingCode, message: impl Into<String>) -> Self {
        Finding { code, message: message.into(), cbp_message: code.cbp_message(), line: None, ordinal: None, hts: None }
    }

    /// A finding about one tariff ordinal of one line.
    pub fn ordinal(code: FindingCode, line: u32, ordinal: u32, hts: HtsNumber, message: impl Into<String>) -> Self {
        Finding {
            code,
            message: message.into(),
            cbp_message: code.cbp_message(),
            line: Some(line),
            ordinal: Some(ordinal),
            hts: Some(hts),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(cbp) = self.cbp_message {
            write!(f, " (ACE: {cbp})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_upper_snake() {
        let mut seen = std::collections::HashSet::new();
        for c in FindingCode::ALL {
            assert!(seen.insert(c.as_str()), "{c}");
            assert!(c.as_str().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
        }
        assert_eq!(FindingCode::IeepaHtsOutsideWindow.cbp_message(), Some("INVALID HTS"));
        assert_eq!(serde_json::to_string(&FindingCode::UnknownChapter99).unwrap(), "\"UNKNOWN_CHAPTER99\"");
    }

    #[test]
    fn exactly_three_findings_predict_a_rejection() {
        let predicting: Vec<&str> =
            FindingCode::ALL.iter().filter(|c| c.predicts_rejection()).map(|c| c.as_str()).collect();
        assert_eq!(predicting, ["GOODS_VALUE_ON_IEEPA_LINE", "IEEPA_HTS_OUTSIDE_WINDOW", "IEEPA_DUTY_AFTER_END"]);
        assert!(FindingCode::IeepaHtsOutsideWindow.correction().unwrap().contains("replacement HTS"));
        assert!(FindingCode::GoodsValueOnIeepaLine.correction().unwrap().contains("H99"));
    }
}
