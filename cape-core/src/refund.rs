//! *Refund*: the business-day calendar, deposit dates, the liquidation schedule and interest on refunds under
//! 19 USC 1505.
//!
//! | module | what it holds |
//! |---|---|
//! | [`calendar`] | [`BusinessCalendar`]: weekends, the federal holidays of 5 USC 6103 with observed days, extra closures |
//! | [`rates`] | [`RateTable`]: the quarterly overpayment rates of 26 USC 6621, with provenance; [`AssumedRate`] |
//! | [`deposit`] | [`deposit_date`]: the date interest runs from, and the [`DepositRule`] that gave it |
//! | [`schedule`] | [`project_liquidation`]: projected acceptance and (re)liquidation dates |
//! | [`consolidate`] | [`Consolidation`]: refunds grouped per recipient and liquidation date, mergeable across partitions |
//! | [`interest`] | [`compute_interest`] / [`InterestCalculator`]: daily compounding, one rounding to cents, an explanation per rate period |
//!
//! Every convention CBP has not published is a field of a parameter struct ([`DepositParams`],
//! [`ScheduleParams`], [`InterestParams`]) whose [`Default`] is cape's documented choice (CAPE.md §7, §8, §10).
//!
//! # Example
//!
//! ```
//! use cape_core::model::ImporterClass;
//! use cape_core::refund::{compute_interest, project_liquidation, InterestParams, RateTable, ScheduleParams};
//! use chrono::NaiveDate;
//!
//! let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let dates = project_liquidation(d(2026, 5, 1), None, &ScheduleParams::default())?;
//! let rates = RateTable::embedded();
//! let r = compute_interest(
//!     "8838.00".parse()?,
//!     d(2026, 2, 18),
//!     dates.liquidation,
//!     ImporterClass::Corporate,
//!     &rates,
//!     &InterestParams::default(),
//! )?;
//! assert_eq!((dates.liquidation, r.days), (d(2026, 6, 15), 117));
//! # Ok::<(), cape_core::Error>(())
//! ```

pub mod calendar;
pub mod consolidate;
pub mod deposit;
pub mod interest;
pub mod rates;
pub mod schedule;

pub use calendar::BusinessCalendar;
pub use consolidate::{ConsolidatedRefund, Consolidation, ConsolidationOptions, ConsolidationTotals, RefundItem};
pub use deposit::{deposit_date, pms_due_date, DepositDate, DepositDateUnknown, DepositParams, DepositRule};
pub use interest::{compute_interest, DayCount, InterestCalculator, InterestParams, InterestPeriod, InterestResult};
pub use rates::{AssumedRate, Confidence, RateRow, RateTable};
pub use schedule::{project_liquidation, LiquidationBasis, ProjectedDates, ScheduleParams};
