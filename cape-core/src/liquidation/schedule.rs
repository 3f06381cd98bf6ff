//! Projected acceptance and (re)liquidation dates (CAPE.md §7 and §10).
//!
//! CBP schedules accepted unliquidated entries to liquidate about 45 days after acceptance (CSMS 68340863) and
//! reliquidates accepted liquidated entries inside the 90-day window of 19 USC 1501. cape's convention:
//!
//! - acceptance = as-of date + [`ScheduleOptions::acceptance_lag_days`] (default 0);
//! - unliquidated: liquidation = acceptance + [`ScheduleOptions::unliquidated_liquidation_offset_days`] (45);
//! - liquidated: reliquidation = min(acceptance + 45, liquidation + [`ScheduleOptions::reliquidation_window_days`]
//!   (90));
//! - the refund is due [`ScheduleOptions::refund_due_days`] (30) after the (re)liquidation (19 USC 1505(b)).
//!
//! Which entries get a projection at all (deferred and ineligible entries get none) is the eligibility layer's
//! decision; this module only does the date arithmetic.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// The documented offsets of the schedule; [`Default`] gives cape's conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct ScheduleOptions {
    /// Days from the assessment (as-of) date to CBP's acceptance of the declaration. Default 0.
    pub acceptance_lag_days: u32,
    /// Days from acceptance to the scheduled liquidation of an unliquidated entry. Default 45.
    pub unliquidated_liquidation_offset_days: u32,
    /// The reliquidation window of 19 USC 1501, days after liquidation. Default 90.
    pub reliquidation_window_days: u32,
    /// Days after (re)liquidation by which the refund is due (19 USC 1505(b): 30).
    pub refund_due_days: u32,
}

/// The name of [`ScheduleOptions`] before 0.2 (every options type is now named `*Options`).
pub type ScheduleParams = ScheduleOptions;

impl Default for ScheduleOptions {
    fn default() -> Self {
        ScheduleOptions {
            acceptance_lag_days: 0,
            unliquidated_liquidation_offset_days: 45,
            reliquidation_window_days: 90,
            refund_due_days: 30,
        }
    }
}

/// Which bound gave the projected (re)liquidation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiquidationBasis {
    /// Acceptance plus the scheduling offset (every unliquidated entry; liquidated ones when it comes first).
    AcceptanceOffset,
    /// The end of the 90-day reliquidation window, which comes before acceptance plus the offset.
    ReliquidationWindow,
}

impl LiquidationBasis {
    /// The stable snake-case name: `acceptance_offset`, `reliquidation_window`.
    pub fn name(self) -> &'static str {
        match self {
            LiquidationBasis::AcceptanceOffset => "acceptance_offset",
            LiquidationBasis::ReliquidationWindow => "reliquidation_window",
        }
    }
}

/// Projected acceptance and (re)liquidation dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProjectedDates {
    /// Projected acceptance of the declaration.
    pub acceptance: NaiveDate,
    /// Projected liquidation (unliquidated entries) or reliquidation (liquidated entries): the end date of
    /// interest.
    pub liquidation: NaiveDate,
    /// Which bound gave `liquidation`.
    pub basis: LiquidationBasis,
    /// The day the refund is due: `liquidation` + [`ScheduleOptions::refund_due_days`] (19 USC 1505(b)).
    pub refund_due_by: NaiveDate,
}

fn add(d: NaiveDate, days: u32, what: &'static str) -> Result<NaiveDate> {
    d.checked_add_days(Days::new(u64::from(days))).ok_or_else(|| {
        Error::value(ErrorKind::InvalidDate, what, &d.to_string(), format!("adding {days} days overflows"))
    })
}

/// Projects the acceptance and (re)liquidation dates of an eligible entry assessed on `as_of`;
/// `liquidation_date` is the entry's liquidation date when it is liquidated, `None` when unliquidated.
///
/// For a liquidated entry whose reliquidation window has already closed the result can fall before acceptance;
/// such an entry is outside the 80-day filing window and is screened out by eligibility first.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidDate`] when the date arithmetic leaves chrono's range.
///
/// # Example
///
/// ```
/// use cape_core::refund::{project_liquidation, LiquidationBasis, ScheduleOptions};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let p = ScheduleOptions::default();
/// let u = project_liquidation(d(2026, 5, 1), None, &p)?;
/// assert_eq!((u.acceptance, u.liquidation), (d(2026, 5, 1), d(2026, 6, 15)));
/// assert_eq!(u.refund_due_by, d(2026, 7, 15));
/// let l = project_liquidation(d(2026, 5, 1), Some(d(2026, 3, 2)), &p)?;
/// assert_eq!((l.liquidation, l.basis), (d(2026, 5, 31), LiquidationBasis::ReliquidationWindow));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn project_liquidation(
    as_of: NaiveDate,
    liquidation_date: Option<NaiveDate>,
    params: &ScheduleOptions,
) -> Result<ProjectedDates> {
    let acceptance = add(as_of, params.acceptance_lag_days, "as-of date")?;
    let scheduled = add(acceptance, params.unliquidated_liquidation_offset_days, "acceptance date")?;
    let (liquidation, basis) = match liquidation_date {
        None => (scheduled, LiquidationBasis::AcceptanceOffset),
        Some(liq) => {
            let window_end = add(liq, params.reliquidation_window_days, "liquidation date")?;
            if window_end < scheduled {
                (window_end, LiquidationBasis::ReliquidationWindow)
            } else {
                (scheduled, LiquidationBasis::AcceptanceOffset)
            }
        }
    };
    let refund_due_by = add(liquidation, params.refund_due_days, "projected liquidation date")?;
    Ok(ProjectedDates { acceptance, liquidation, basis, refund_due_by })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn unliquidated() {
        let p = project_liquidation(d(2026, 4, 20), None, &ScheduleOptions::default()).unwrap();
        assert_eq!(
            p,
            ProjectedDates {
                acceptance: d(2026, 4, 20),
                liquidation: d(2026, 6, 4),
                basis: LiquidationBasis::AcceptanceOffset,
                refund_due_by: d(2026, 7, 4),
            }
        );
        let lag = ScheduleOptions { acceptance_lag_days: 3, ..ScheduleOptions::default() };
        let p = project_liquidation(d(2026, 4, 20), None, &lag).unwrap();
        assert_eq!((p.acceptance, p.liquidation), (d(2026, 4, 23), d(2026, 6, 7)));
    }

    #[test]
    fn liquidated_takes_the_earlier_bound() {
        let params = ScheduleOptions::default();
        // Recently liquidated: acceptance + 45 comes first.
        let p = project_liquidation(d(2026, 4, 20), Some(d(2026, 4, 10)), &params).unwrap();
        assert_eq!((p.liquidation, p.basis), (d(2026, 6, 4), LiquidationBasis::AcceptanceOffset));
        // Liquidated 70 days before: the 90-day window ends first.
        let p = project_liquidation(d(2026, 4, 20), Some(d(2026, 2, 9)), &params).unwrap();
        assert_eq!((p.liquidation, p.basis), (d(2026, 5, 10), LiquidationBasis::ReliquidationWindow));
        // Due 30 days after the reliquidation (19 USC 1505(b)): 2026-05-10 + 30 = 2026-06-09.
        assert_eq!(p.refund_due_by, d(2026, 6, 9));
        // Tie: both give the same day; reported as the acceptance offset.
        let p = project_liquidation(d(2026, 4, 20), Some(d(2026, 3, 6)), &params).unwrap();
        assert_eq!((p.liquidation, p.basis), (d(2026, 6, 4), LiquidationBasis::AcceptanceOffset));
        let json = serde_json::to_value(p).unwrap();
        assert_eq!(json["basis"], "acceptance_offset");
        assert_eq!(json["liquidation"], "2026-06-04");
    }

    #[test]
    fn out_of_range() {
        let e = project_liquidation(NaiveDate::MAX, None, &ScheduleOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidDate);
    }
}
