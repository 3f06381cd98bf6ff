//! Who a refund is paid to: the importer of record, or the Form 4811 designee (CSMS 68340863; 19 USC 1505(d)),
//! and whether it would be held for missing ACH refund enrollment.

use serde::{Deserialize, Serialize};

use crate::model::{EntryHeader, Fact};

/// Whom a refund is paid to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// The importer of record.
    Importer,
    /// The Form 4811 designee ("notify party for refunds").
    Designee,
}

impl RecipientKind {
    /// The stable code: `importer` or `designee`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientKind::Importer => "importer",
            RecipientKind::Designee => "designee",
        }
    }
}

/// Who the refund goes to, and whether it would be held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The importer number (or Form 4811 designee number) the refund is paid to.
    pub number: String,
    /// The importer of record or the designee.
    pub kind: RecipientKind,
    /// True when the refund would be held for missing ACH refund enrollment (19 USC 1505(d)).
    pub held: bool,
    /// Why, when the choice needed a convention.
    pub note: Option<String>,
}

/// The refund recipient (CSMS 68340863; 19 USC 1505(d)), by cape's convention for the one `ACH Refund Enrolled`
/// column: it describes the party that would be paid. A Form 4811 designee marked enrolled is paid; a designee
/// marked not enrolled falls back to the importer of record; with no designee, an importer marked not enrolled
/// has its refund held. A blank or absent enrollment is not assumed either way (not held, with a note).
pub fn recipient(h: &EntryHeader, importer: Option<&str>) -> Option<Recipient> {
    let enrolled = match &h.ach_refund_enrolled {
        Fact::Known(b) => Some(*b),
        _ => None,
    };
    match (h.refund_designee.known(), enrolled) {
        (Some(d), Some(true)) => {
            Some(Recipient { number: d.as_str().to_owned(), kind: RecipientKind::Designee, held: false, note: None })
        }
        (Some(d), Some(false)) => importer.map(|i| Recipient {
            number: i.to_owned(),
            kind: RecipientKind::Importer,
            held: false,
            note: Some(format!(
                "Form 4811 designee {} is not enrolled in ACH refunds; paid to the importer of record",
                d.as_str()
            )),
        }),
        (Some(d), None) => Some(Recipient {
            number: d.as_str().to_owned(),
            kind: RecipientKind::Designee,
            held: false,
            note: Some("ACH refund enrollment not supplied; assumed enrolled".into()),
        }),
        (None, Some(e)) => importer.map(|i| Recipient {
            number: i.to_owned(),
            kind: RecipientKind::Importer,
            held: !e,
            note: (!e).then(|| "not enrolled in ACH refunds: the refund would be held (ACE report REV-613)".into()),
        }),
        (None, None) => importer.map(|i| Recipient {
            number: i.to_owned(),
            kind: RecipientKind::Importer,
            held: false,
            note: matches!(h.ach_refund_enrolled, Fact::NotSupplied)
                .then(|| "ACH refund enrollment not supplied; assumed enrolled".into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ImporterNumber;

    fn header(designee: Option<&str>, enrolled: Fact<bool>) -> EntryHeader {
        EntryHeader {
            importer_number: Fact::Known(ImporterNumber::parse("12-345678900")),
            refund_designee: designee.map(|d| Fact::Known(ImporterNumber::parse(d))).unwrap_or(Fact::Blank),
            ach_refund_enrolled: enrolled,
            ..Default::default()
        }
    }

    fn who(h: &EntryHeader) -> (String, RecipientKind, bool) {
        let r = recipient(h, Some("12-345678900")).unwrap();
        (r.number, r.kind, r.held)
    }

    #[test]
    fn refund_recipient_conventions() {
        use RecipientKind::{Designee, Importer};
        let d = Some("55-5555555AB");
        assert_eq!(who(&header(d, Fact::Known(true))), ("55-5555555AB".into(), Designee, false));
        assert_eq!(who(&header(d, Fact::Known(false))), ("12-345678900".into(), Importer, false));
        assert_eq!(who(&header(None, Fact::Known(true))), ("12-345678900".into(), Importer, false));
        assert_eq!(who(&header(None, Fact::Known(false))), ("12-345678900".into(), Importer, true));
        let r = recipient(&header(None, Fact::NotSupplied), Some("12-345678900")).unwrap();
        assert!(!r.held && r.note.unwrap().contains("not supplied"));
    }
}
