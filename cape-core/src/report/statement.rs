//! The client statement: one self-contained HTML page per importer (no network, no external script or font) with
//! the totals expected, paid and outstanding, expected and received refunds by month, the status breakdown, the
//! deadlines still open and the entry table. It prints on A4 and Letter.
//!
//! [`StatementData`] is everything the page shows, computed elsewhere (the ledger); this module only presents it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Everything one importer's statement shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementData {
    /// The importer of record (its number as the reports write it).
    pub importer: String,
    /// The importer's name, when known.
    pub importer_name: Option<String>,
    /// The day the statement is as of.
    pub as_of: NaiveDate,
    /// What the page says produced it (e.g. `cape 0.1.0, ledger cape.db`).
    pub generated_by: String,
    /// Principal + interest expected over the importer's entries that CAPE may refund.
    pub expected: Decimal,
    /// Principal + interest paid (Treasury issued).
    pub paid: Decimal,
    /// Expected minus paid, never netted against over-payments (those are listed as variances).
    pub outstanding: Decimal,
    /// Entries and amounts per ledger state (`paid`, `paid_short`, `rejected`, ...), in the ledger's order.
    pub states: Vec<StateLine>,
    /// Expected and received refunds per calendar month, oldest first.
    pub months: Vec<MonthLine>,
    /// The deadlines still open (next actions with a date), soonest first.
    pub deadlines: Vec<DeadlineLine>,
    /// One row per entry.
    pub entries: Vec<EntryLine>,
}

/// One ledger state's count and amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateLine {
    /// The state's stable code (`paid_short`).
    pub state: String,
    /// Entries in that state.
    pub entries: u64,
    /// Principal + interest expected for them.
    pub expected: Decimal,
    /// Principal + interest paid for them.
    pub paid: Decimal,
}

/// Expected and received refunds in one calendar month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Principal + interest expected to be paid that month (by projected refund date).
    pub expected: Decimal,
    /// Principal + interest received that month (by refund date).
    pub received: Decimal,
}

/// One open deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineLine {
    /// The entry, formatted (`VSU-0828889-3`).
    pub entry_number: String,
    /// The next action's stable code.
    pub action: String,
    /// The day to act by.
    pub act_by: NaiveDate,
    /// The action's note.
    pub note: String,
}

/// One entry's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryLine {
    /// The entry, formatted.
    pub entry_number: String,
    /// The ledger state's stable code.
    pub state: String,
    /// Principal + interest expected.
    pub expected: Decimal,
    /// Principal + interest paid.
    pub paid: Decimal,
    /// Paid minus expected when paid (negative: short), else `None`.
    pub variance: Option<Decimal>,
    /// The refund date, when paid.
    pub refund_date: Option<NaiveDate>,
    /// A short note: CAPE's error and the remedy for a rejected entry, the return reason, the due date passed.
    pub note: String,
}
