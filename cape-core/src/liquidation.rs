//! *Review and Liquidation/Reliquidation*: when CBP (re)liquidates an accepted entry without IEEPA duty, and
//! the dates the refund's interest runs between.
//!
//! CAPE's third component reviews each accepted declaration and liquidates (or reliquidates) its entries on a
//! schedule. This module holds:
//!
//! | module | what it holds |
//! |---|---|
//! | [`calendar`] | [`BusinessCalendar`]: weekends, the federal holidays of 5 USC 6103 with observed days, extra closures |
//! | [`deposit`] | [`deposit_date`]: the date the duty was deposited, from which interest runs, and the [`DepositRule`] that gave it |
//! | [`schedule`] | [`project_liquidation`]: projected acceptance and (re)liquidation dates, and the refund's due date |
//!
//! Every convention CBP has not published is a field of a parameter struct ([`DepositOptions`],
//! [`ScheduleOptions`]) whose [`Default`] is cape's documented choice (CAPE.md §7, §8, §10).
//!
//! # Example
//!
//! ```
//! use cape_core::liquidation::{project_liquidation, ScheduleOptions};
//! use chrono::NaiveDate;
//! let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let dates = project_liquidation(d(2026, 5, 1), None, &ScheduleOptions::default())?;
//! assert_eq!(dates.liquidation, d(2026, 6, 15));
//! # Ok::<(), cape_core::Error>(())
//! ```

pub mod calendar;
pub mod deposit;
pub mod schedule;

pub use calendar::BusinessCalendar;
pub use deposit::{
    deposit_date, pms_due_date, DepositDate, DepositDateUnknown, DepositOptions, DepositParams, DepositRule,
};
pub use schedule::{project_liquidation, LiquidationBasis, ProjectedDates, ScheduleOptions, ScheduleParams};
