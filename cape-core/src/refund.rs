//! *Refund Consolidation*: interest on refunds under 19 USC 1505, who is paid, and the refunds consolidated
//! per recipient and liquidation date.
//!
//! | module | what it holds |
//! |---|---|
//! | [`rates`] | [`RateTable`]: the quarterly overpayment rates of 26 USC 6621, with provenance; [`AssumedRate`] |
//! | [`interest`] | [`compute_interest`] / [`InterestCalculator`]: daily compounding, one rounding to cents, an explanation per rate period |
//! | [`recipient`](mod@recipient) | [`Recipient`]: the importer of record or Form 4811 designee paid, and whether the refund is held |
//! | [`consolidate`] | [`Consolidation`]: refunds grouped per recipient and liquidation date, mergeable across partitions |
//! | [`payments`] | [`PaymentRow`]: refunds as ACE's refund reports (ES-022, REV-603, REV-615) say CBP paid them |
//!
//! The dates interest runs between (deposit, (re)liquidation) and the business calendar are *Review and
//! Liquidation* ([`crate::liquidation`]); they are re-exported here for the paths of earlier releases.
//!
//! Every convention CBP has not published is a field of a parameter struct ([`InterestOptions`],
//! [`ConsolidationOptions`]) whose [`Default`] is cape's documented choice (CAPE.md §7, §8, §10).
//!
//! # Example
//!
//! ```
//! use cape_core::model::ImporterClass;
//! use cape_core::liquidation::{project_liquidation, ScheduleOptions};
//! use cape_core::refund::{compute_interest, InterestOptions, RateTable};
//! use chrono::NaiveDate;
//!
//! let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let dates = project_liquidation(d(2026, 5, 1), None, &ScheduleOptions::default())?;
//! let rates = RateTable::embedded();
//! let r = compute_interest(
//!     "8838.00".parse()?,
//!     d(2026, 2, 18),
//!     dates.liquidation,
//!     ImporterClass::Corporate,
//!     &rates,
//!     &InterestOptions::default(),
//! )?;
//! assert_eq!((dates.liquidation, r.days), (d(2026, 6, 15), 117));
//! # Ok::<(), cape_core::Error>(())
//! ```

pub mod consolidate;
pub mod interest;
pub mod payments;
pub mod rates;
pub mod recipient;

pub use crate::liquidation::{calendar, deposit, schedule};
pub use crate::liquidation::{
    deposit_date, pms_due_date, project_liquidation, BusinessCalendar, DepositDate, DepositDateUnknown, DepositOptions,
    DepositParams, DepositRule, LiquidationBasis, ProjectedDates, ScheduleOptions, ScheduleParams,
};
pub use consolidate::{ConsolidatedRefund, Consolidation, ConsolidationOptions, ConsolidationTotals, RefundItem};
pub use interest::{
    compute_interest, DayCount, InterestCalculator, InterestOptions, InterestParams, InterestPeriod, InterestResult,
};
pub use payments::{PaymentRow, PaymentStatus, RefundReportKind};
pub use rates::{AssumedRate, Confidence, RateRow, RateTable};
pub use recipient::{recipient, Recipient, RecipientKind};
