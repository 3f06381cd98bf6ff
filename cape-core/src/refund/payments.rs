//! Refunds as CBP reports them paid: the rows of ACE's refund reports (ES-022 CAPE Entry Summary Report, REV-603
//! Trade Refund Report, REV-615 CAPE details refunds), the facts a ledger compares with the expected refund.
//!
//! Their exact column layouts are not published (CAPE.md §11): the reader maps the names seen in practice and a
//! caller-supplied column map onto [`PaymentRow`]; every input row is either a [`PaymentRow`] or a diagnostic.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::values::entry_number::EntryNumber;

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
