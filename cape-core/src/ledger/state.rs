//! The per-entry ledger state's stable codes. The rule that gives each entry its state is the SQL view
//! `entry_state` (`cape-core/data/ledger/0001_initial.sql`); this enum only names its values.

use std::fmt;

use serde::Serialize;

/// Where an entry's refund stands, as the view `entry_state` says (codes in `docs/codes.md`, family `ledger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryState {
    /// Assessed, no declaration recorded.
    NotDeclared,
    /// Listed in a recorded declaration; no CAPE result since.
    Declared,
    /// CAPE's latest result for the entry is Failed (with its error and the remedy).
    Rejected,
    /// CAPE accepted the entry (Entry Summary Updated); no refund reported yet.
    Accepted,
    /// A refund report lists the entry (the entry was (re)liquidated) but no refund was issued yet.
    Liquidated,
    /// Treasury issued refunds equal to the expected principal and interest, to the cent.
    Paid,
    /// Treasury issued less than expected.
    PaidShort,
    /// Treasury issued more than expected (flagged, never netted).
    PaidOver,
    /// The refund is held (a hold status, or missing ACH refund enrollment).
    Held,
    /// The payment came back (Check/ACH Returned).
    Returned,
    /// Treasury applied the refund to a debt (Funds Diverted).
    Diverted,
    /// The refund is due (projected (re)liquidation + 30 days) before the as-of day and nothing was issued.
    Overdue,
}

impl EntryState {
    /// Every state, in the order reports list them.
    pub const ALL: &'static [EntryState] = &[
        EntryState::NotDeclared,
        EntryState::Declared,
        EntryState::Rejected,
        EntryState::Accepted,
        EntryState::Liquidated,
        EntryState::Paid,
        EntryState::PaidShort,
        EntryState::PaidOver,
        EntryState::Held,
        EntryState::Returned,
        EntryState::Diverted,
        EntryState::Overdue,
    ];

    /// The stable code (`paid_short`), as the view writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::NotDeclared => "not_declared",
            EntryState::Declared => "declared",
            EntryState::Rejected => "rejected",
            EntryState::Accepted => "accepted",
            EntryState::Liquidated => "liquidated",
            EntryState::Paid => "paid",
            EntryState::PaidShort => "paid_short",
            EntryState::PaidOver => "paid_over",
            EntryState::Held => "held",
            EntryState::Returned => "returned",
            EntryState::Diverted => "diverted",
            EntryState::Overdue => "overdue",
        }
    }

    /// The state of a code, `None` for an unknown one.
    pub fn from_code(code: &str) -> Option<EntryState> {
        EntryState::ALL.iter().copied().find(|s| s.as_str() == code)
    }
}

impl fmt::Display for EntryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_the_view_writes_each() {
        let view = super::super::schema::MIGRATIONS[0].sql;
        for s in EntryState::ALL {
            assert_eq!(EntryState::from_code(s.as_str()), Some(*s));
            assert!(view.contains(&format!("'{}'", s.as_str())), "{s} never written by entry_state");
        }
        assert_eq!(EntryState::from_code("paid short"), None);
    }
}
