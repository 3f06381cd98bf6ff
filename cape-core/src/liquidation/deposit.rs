//! The deposit date interest runs from (CAPE.md §8 and §10).
//!
//! ES-003 does not carry the date the duty was paid, so cape takes it from the best fact available, in order:
//!
//! 1. the extra column `Payment Date`, when known ([`DepositRule::PaymentDate`]);
//! 2. for entries paid on a periodic monthly statement (payment type 6 or 7), the 15th working day of the month
//!    after the month of the **Entry Date**, when PMS payments are due ([`DepositRule::PeriodicMonthlyStatement`]);
//! 3. the `Entry Summary Date` ([`DepositRule::EntrySummaryDate`]: single-pay and daily-statement duty is
//!    deposited with, or within days of, the summary).
//!
//! An unreadable value in a column that decides the rule stops the search: the entry needs review rather than a
//! guess from a weaker rule. Every result names the rule that gave it.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::liquidation::calendar::BusinessCalendar;
use crate::model::{EntryHeader, Fact};

/// Which rule gave a deposit date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositRule {
    /// The `Payment Date` column.
    PaymentDate,
    /// The PMS due date: n-th working day of the month after the entry date's month.
    PeriodicMonthlyStatement,
    /// The `Entry Summary Date` column.
    EntrySummaryDate,
}

impl DepositRule {
    /// The stable snake-case name: `payment_date`, `periodic_monthly_statement`, `entry_summary_date`.
    pub fn name(self) -> &'static str {
        match self {
            DepositRule::PaymentDate => "payment_date",
            DepositRule::PeriodicMonthlyStatement => "periodic_monthly_statement",
            DepositRule::EntrySummaryDate => "entry_summary_date",
        }
    }
}

/// The documented parameters of the deposit-date rule; [`Default`] gives cape's conventions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DepositOptions {
    /// `Payment Type Code`s that mean a periodic monthly statement. Default `[6, 7]` (6: importer PMS,
    /// 7: broker PMS).
    pub pms_payment_types: Vec<u8>,
    /// Months after the entry date's month in which the PMS is paid. Default 1.
    pub pms_months_after_entry: u32,
    /// The working day of that month on which the PMS is paid (1-based). Default 15.
    pub pms_working_day: u32,
}

/// The name of [`DepositOptions`] before 0.2 (every options type is now named `*Options`).
pub type DepositParams = DepositOptions;

impl Default for DepositOptions {
    fn default() -> Self {
        DepositOptions { pms_payment_types: vec![6, 7], pms_months_after_entry: 1, pms_working_day: 15 }
    }
}

/// A deposit date and the rule that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DepositDate {
    /// The date interest runs from (not itself counted).
    pub date: NaiveDate,
    /// The rule that gave it.
    pub rule: DepositRule,
}

/// Why no deposit date could be determined.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DepositDateUnknown {
    /// The `Payment Date` cell holds text cape cannot read.
    #[error("payment date {value:?} is unreadable")]
    UnreadablePaymentDate {
        /// The cell's text.
        value: crate::model::Text,
    },
    /// The `Payment Type Code` cell holds text cape cannot read, so whether the PMS rule applies is unknown.
    #[error("payment type code {value:?} is unreadable")]
    UnreadablePaymentType {
        /// The cell's text.
        value: crate::model::Text,
    },
    /// A periodic monthly statement entry without an entry date.
    #[error("periodic monthly statement entry (payment type {payment_type}) has no entry date")]
    MissingEntryDate {
        /// The payment type code.
        payment_type: u8,
    },
    /// The month of the PMS due date has fewer working days than asked for, or is out of the date range.
    #[error("no working day {working_day} in {year}-{month:02}")]
    NoSuchWorkingDay {
        /// Year of the month searched.
        year: i32,
        /// Month searched.
        month: u32,
        /// The working day asked for.
        working_day: u32,
    },
    /// The `Entry Summary Date` cell holds text cape cannot read.
    #[error("entry summary date {value:?} is unreadable")]
    UnreadableEntrySummaryDate {
        /// The cell's text.
        value: crate::model::Text,
    },
    /// None of payment date, PMS payment type or entry summary date is known.
    #[error("no payment date, no periodic monthly statement payment type and no entry summary date")]
    NoDateFacts,
}

impl DepositDateUnknown {
    /// The stable snake-case code of the reason (also the `code` field when serialized).
    pub fn code(&self) -> &'static str {
        match self {
            DepositDateUnknown::UnreadablePaymentDate { .. } => "unreadable_payment_date",
            DepositDateUnknown::UnreadablePaymentType { .. } => "unreadable_payment_type",
            DepositDateUnknown::MissingEntryDate { .. } => "missing_entry_date",
            DepositDateUnknown::NoSuchWorkingDay { .. } => "no_such_working_day",
            DepositDateUnknown::UnreadableEntrySummaryDate { .. } => "unreadable_entry_summary_date",
            DepositDateUnknown::NoDateFacts => "no_date_facts",
        }
    }
}

/// The PMS due date for an entry dated `entry_date`: working day `params.pms_working_day` of the month
/// `params.pms_months_after_entry` months after the entry date's month.
///
/// # Errors
///
/// [`DepositDateUnknown::NoSuchWorkingDay`] when that month has fewer working days (or is out of range).
///
/// # Example
///
/// ```
/// use cape_core::refund::{pms_due_date, BusinessCalendar, DepositOptions};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let cal = BusinessCalendar::federal();
/// // Entered in December 2025: January 2026 loses Jan 1 and Jan 19 (MLK Day) → the 15th working day is Jan 23.
/// assert_eq!(pms_due_date(d(2025, 12, 10), &cal, &DepositOptions::default()), Ok(d(2026, 1, 23)));
/// ```
pub fn pms_due_date(
    entry_date: NaiveDate,
    calendar: &BusinessCalendar,
    params: &DepositOptions,
) -> Result<NaiveDate, DepositDateUnknown> {
    let first = entry_date.with_day(1).and_then(|d| d.checked_add_months(Months::new(params.pms_months_after_entry)));
    let no_day =
        |year, month| DepositDateUnknown::NoSuchWorkingDay { year, month, working_day: params.pms_working_day };
    let first = first.ok_or_else(|| no_day(entry_date.year(), entry_date.month()))?;
    calendar
        .nth_business_day_of_month(first.year(), first.month(), params.pms_working_day)
        .ok_or_else(|| no_day(first.year(), first.month()))
}

/// The deposit date of an entry, by the first rule that applies (see the module documentation).
///
/// # Errors
///
/// A [`DepositDateUnknown`] saying why no date could be determined: an unreadable deciding value, a PMS entry
/// without entry date or working day, or no date facts at all.
///
/// # Example
///
/// ```
/// use cape_core::model::{EntryHeader, Fact};
/// use cape_core::refund::{deposit_date, BusinessCalendar, DepositOptions, DepositRule};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let header = EntryHeader {
///     entry_date: Some(d(2026, 1, 20)),
///     entry_summary_date: Fact::Known(d(2026, 1, 28)),
///     payment_type: Fact::Known(7),
///     ..EntryHeader::default()
/// };
/// let got = deposit_date(&header, &BusinessCalendar::federal(), &DepositOptions::default())?;
/// assert_eq!((got.date, got.rule), (d(2026, 2, 23), DepositRule::PeriodicMonthlyStatement)); // Feb 16 is a holiday
/// # Ok::<(), cape_core::refund::DepositDateUnknown>(())
/// ```
pub fn deposit_date(
    header: &EntryHeader,
    calendar: &BusinessCalendar,
    params: &DepositOptions,
) -> Result<DepositDate, DepositDateUnknown> {
    deposit_date_with(header, params, |entry_date| pms_due_date(entry_date, calendar, params))
}

/// [`deposit_date`] with the PMS due date of an entry date given by `pms_due` (which must answer as
/// [`pms_due_date`] with the same calendar and parameters; a caller may remember its answers by month, on which
/// alone they depend).
pub(crate) fn deposit_date_with(
    header: &EntryHeader,
    params: &DepositOptions,
    pms_due: impl FnOnce(NaiveDate) -> Result<NaiveDate, DepositDateUnknown>,
) -> Result<DepositDate, DepositDateUnknown> {
    match &header.payment_date {
        Fact::Known(date) => return Ok(DepositDate { date: *date, rule: DepositRule::PaymentDate }),
        Fact::Unreadable(v) => return Err(DepositDateUnknown::UnreadablePaymentDate { value: v.clone() }),
        Fact::Blank | Fact::NotSupplied => {}
    }
    match &header.payment_type {
        Fact::Known(t) if params.pms_payment_types.contains(t) => {
            let entry_date = header.entry_date.ok_or(DepositDateUnknown::MissingEntryDate { payment_type: *t })?;
            let date = pms_due(entry_date)?;
            return Ok(DepositDate { date, rule: DepositRule::PeriodicMonthlyStatement });
        }
        Fact::Unreadable(v) => return Err(DepositDateUnknown::UnreadablePaymentType { value: v.clone() }),
        Fact::Known(_) | Fact::Blank | Fact::NotSupplied => {}
    }
    match &header.entry_summary_date {
        Fact::Known(date) => Ok(DepositDate { date: *date, rule: DepositRule::EntrySummaryDate }),
        Fact::Unreadable(v) => Err(DepositDateUnknown::UnreadableEntrySummaryDate { value: v.clone() }),
        Fact::Blank | Fact::NotSupplied => Err(DepositDateUnknown::NoDateFacts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn header(payment_date: Fact<NaiveDate>, payment_type: Fact<u8>, summary: Fact<NaiveDate>) -> EntryHeader {
        EntryHeader {
            entry_date: Some(d(2026, 6, 10)),
            payment_date,
            payment_type,
            entry_summary_date: summary,
            ..EntryHeader::default()
        }
    }

    fn run(h: &EntryHeader) -> Result<DepositDate, DepositDateUnknown> {
        deposit_date(h, &BusinessCalendar::federal(), &DepositOptions::default())
    }

    #[test]
    fn payment_date_wins() {
        let h = header(Fact::Known(d(2026, 6, 12)), Fact::Known(7), Fact::Known(d(2026, 6, 20)));
        assert_eq!(run(&h), Ok(DepositDate { date: d(2026, 6, 12), rule: DepositRule::PaymentDate }));
    }

    #[test]
    fn pms_fifteenth_working_day_shifted_by_a_holiday() {
        // Entered June 2026 → July 2026; Friday 2026-07-03 is the observed Independence Day, so the 15th working
        // day is July 22 (July 21 without the holiday).
        for t in [6, 7] {
            let h = header(Fact::Blank, Fact::Known(t), Fact::Known(d(2026, 6, 20)));
            assert_eq!(run(&h), Ok(DepositDate { date: d(2026, 7, 22), rule: DepositRule::PeriodicMonthlyStatement }));
        }
        let no_holidays = BusinessCalendar::with_rules(Vec::new());
        let h = header(Fact::NotSupplied, Fact::Known(6), Fact::Blank);
        assert_eq!(deposit_date(&h, &no_holidays, &DepositOptions::default()).unwrap().date, d(2026, 7, 21));
        // A month without holidays: entered February 2026 → March 20.
        let h = EntryHeader { entry_date: Some(d(2026, 2, 23)), ..h };
        assert_eq!(run(&h).unwrap().date, d(2026, 3, 20));
        // December entries pay in January of the next year.
        let h = EntryHeader { entry_date: Some(d(2025, 12, 31)), ..h };
        assert_eq!(run(&h).unwrap().date, d(2026, 1, 23));
    }

    #[test]
    fn entry_summary_date_otherwise() {
        for t in [Fact::Known(1), Fact::Known(2), Fact::Blank, Fact::NotSupplied] {
            let h = header(Fact::NotSupplied, t, Fact::Known(d(2026, 6, 20)));
            assert_eq!(run(&h), Ok(DepositDate { date: d(2026, 6, 20), rule: DepositRule::EntrySummaryDate }));
        }
    }

    #[test]
    fn reasons_when_unknown() {
        let h = header(Fact::Unreadable("31/31/2026".into()), Fact::Known(6), Fact::Known(d(2026, 6, 20)));
        assert_eq!(run(&h).unwrap_err().code(), "unreadable_payment_date");
        let h = header(Fact::Blank, Fact::Unreadable("x".into()), Fact::Known(d(2026, 6, 20)));
        assert_eq!(run(&h).unwrap_err().code(), "unreadable_payment_type");
        let h = EntryHeader { entry_date: None, ..header(Fact::Blank, Fact::Known(7), Fact::Blank) };
        assert_eq!(run(&h), Err(DepositDateUnknown::MissingEntryDate { payment_type: 7 }));
        let h = header(Fact::Blank, Fact::Known(1), Fact::Unreadable("?".into()));
        assert_eq!(run(&h).unwrap_err().code(), "unreadable_entry_summary_date");
        let h = header(Fact::Blank, Fact::Blank, Fact::NotSupplied);
        let e = run(&h).unwrap_err();
        assert_eq!(e, DepositDateUnknown::NoDateFacts);
        assert_eq!(serde_json::to_value(&e).unwrap()["code"], "no_date_facts");
        let params = DepositOptions { pms_working_day: 30, ..DepositOptions::default() };
        let h = header(Fact::Blank, Fact::Known(6), Fact::Blank);
        let e = deposit_date(&h, &BusinessCalendar::federal(), &params).unwrap_err();
        assert_eq!(e, DepositDateUnknown::NoSuchWorkingDay { year: 2026, month: 7, working_day: 30 });
        assert_eq!(e.to_string(), "no working day 30 in 2026-07");
    }

    #[test]
    fn parameters_and_names() {
        // Another code set: type 3 treated as PMS, payment on the 10th working day.
        let params = DepositOptions { pms_payment_types: vec![3], pms_months_after_entry: 1, pms_working_day: 10 };
        let h = header(Fact::Blank, Fact::Known(3), Fact::Blank);
        let got = deposit_date(&h, &BusinessCalendar::federal(), &params).unwrap();
        assert_eq!(got.date, d(2026, 7, 15));
        let json = serde_json::to_value(got).unwrap();
        assert_eq!(json["rule"], "periodic_monthly_statement");
        assert_eq!(json["date"], "2026-07-15");
        assert_eq!(DepositRule::PaymentDate.name(), "payment_date");
        assert_eq!(DepositRule::EntrySummaryDate.name(), "entry_summary_date");
    }
}
