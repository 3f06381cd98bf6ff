//! Interest on excess deposits, 19 USC 1505(c): overpayment rates of 26 USC 6621, compounded daily (26 USC 6622).
//!
//! # The convention (CAPE.md §8; CBP has not published its day count)
//!
//! - The counted days run from the day after the deposit date through the (re)liquidation date: `end − start`
//!   days. When `end <= start` there is no interest.
//! - Each counted day compounds at the annual rate in force on that day divided by the number of days in that
//!   day's year ([`DayCount::ActualDaysInYear`]: 365, or 366 in a leap year): `balance *= 1 + r / days_in_year`.
//!   The balance carries across rate changes and year ends; nothing resets it.
//! - Interest = final balance − principal, rounded half-up to cents once ([`InterestOptions::rounding`]).
//!
//! # How it is computed, and why the result is exact to the cent
//!
//! The counted days are cut into *periods*: maximal runs of days inside one rate-table row (or the assumed rate)
//! and one calendar year, so every day of a period has the same daily factor `f = 1 + r / days_in_year`.
//! A period of `k` days multiplies the balance by `f^k`, computed by exponentiation by squaring (about
//! `2·log2 k` multiplications instead of `k`). Decimal cannot hold `r / 365` exactly, so the daily factor and
//! every intermediate product of growth factors is rounded to [`InterestOptions::factor_decimal_places`] decimal
//! places (default 24) with banker's rounding, the unbiased strategy; the balance is the principal times that
//! growth factor (rust_decimal keeps the 28 significant digits that fit). With 24 places the accumulated error is
//! below 1e-20 of the principal over any realistic span, so cents come out as exact arithmetic gives them; the
//! tests check this against a day-by-day loop and against figures computed with Python's `decimal` module at 60
//! digits.
//!
//! # The explanation
//!
//! [`InterestResult::periods`] lists the periods with their days, rate and interest. A period's interest is the
//! difference of the unrounded balances at its ends, rounded with [`InterestOptions::rounding`] for display; the
//! cents lost or gained by rounding each part are put on the last period, so the parts always add up to
//! [`InterestResult::interest`] exactly.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::model::ImporterClass;
use crate::refund::rates::{AssumedRate, Confidence, RateTable};
use crate::values::money::{Rounding, Usd};

/// The divisor that turns an annual rate into a daily one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DayCount {
    /// The number of days in the counted day's year: 366 in leap years, else 365 (the IRS practice under
    /// 26 USC 6622; cape's default).
    #[default]
    ActualDaysInYear,
    /// Always 365.
    Fixed365,
}

impl DayCount {
    /// The divisor for a day of `year`.
    pub fn days_in_year(self, year: i32) -> u32 {
        match self {
            DayCount::ActualDaysInYear if is_leap(year) => 366,
            _ => 365,
        }
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The default of [`InterestOptions::factor_decimal_places`].
pub const DEFAULT_FACTOR_DECIMAL_PLACES: u32 = 24;

/// The documented conventions of the interest computation; [`Default`] gives cape's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InterestOptions {
    /// Annual → daily rate divisor. Default [`DayCount::ActualDaysInYear`].
    pub day_count: DayCount,
    /// Decimal places kept in daily factors and growth factors (rounded half-to-even). Default
    /// [`DEFAULT_FACTOR_DECIMAL_PLACES`] (24); accepted 10..=28.
    pub factor_decimal_places: u32,
    /// The one rounding of the interest to cents. Default [`Rounding::HalfUp`].
    #[serde(serialize_with = "ser_rounding")]
    pub rounding: Rounding,
    /// A rate assumed for days the table does not cover, if the caller accepts one. Default `None`: such a day
    /// is an error.
    pub assumed_rate: Option<AssumedRate>,
}

/// The name of [`InterestOptions`] before 0.2 (every options type is now named `*Options`).
pub type InterestParams = InterestOptions;

impl Default for InterestOptions {
    fn default() -> Self {
        InterestOptions {
            day_count: DayCount::default(),
            factor_decimal_places: DEFAULT_FACTOR_DECIMAL_PLACES,
            rounding: Rounding::HalfUp,
            assumed_rate: None,
        }
    }
}

fn ser_rounding<S: serde::Serializer>(r: &Rounding, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(match r {
        Rounding::HalfUp => "half_up",
        Rounding::HalfEven => "half_even",
        Rounding::TowardZero => "toward_zero",
    })
}

fn ser_class<S: serde::Serializer>(c: &ImporterClass, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

/// One run of counted days with the same daily factor (one rate row or the assumed rate, one calendar year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestPeriod {
    /// First counted day (inclusive).
    pub from: NaiveDate,
    /// Last counted day (inclusive).
    pub to: NaiveDate,
    /// Number of counted days, `to − from + 1`.
    pub days: u32,
    /// The annual rate, percent.
    pub annual_rate_percent: Decimal,
    /// The divisor of the annual rate (365 or 366).
    pub days_in_year: u32,
    /// The interest earned in the period, for display: see the module documentation for how the parts are made
    /// to add up to the total.
    pub interest: Usd,
    /// True when the rate is the caller's assumed rate, not a table row.
    pub assumed: bool,
    /// The confidence of the table row (`None` for an assumed rate).
    pub confidence: Option<Confidence>,
    /// The source line of the table row (`None` for an assumed rate).
    pub source_row: Option<u64>,
}

/// Interest on one deposit, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestResult {
    /// The principal the interest is on.
    pub principal: Usd,
    /// The deposit date (not counted).
    pub start: NaiveDate,
    /// The (re)liquidation date (counted).
    pub end: NaiveDate,
    /// The rate class used.
    #[serde(serialize_with = "ser_class")]
    pub class: ImporterClass,
    /// The interest, rounded once to cents.
    pub interest: Usd,
    /// Counted days: `end − start`, or 0 when `end <= start`.
    pub days: u32,
    /// The rate periods, in date order; their `interest` fields add up to `interest`.
    pub periods: Vec<InterestPeriod>,
    /// True when any day used [`InterestOptions::assumed_rate`].
    pub used_assumed_rate: bool,
    /// The lowest confidence among the table rows used (`None` when no row was used).
    pub lowest_confidence: Option<Confidence>,
}

/// One period of compounding before display rounding.
#[derive(Debug)]
struct Segment {
    from: NaiveDate,
    to: NaiveDate,
    days: u32,
    percent: Decimal,
    days_in_year: u32,
    assumed: bool,
    confidence: Option<Confidence>,
    source_row: Option<u64>,
    /// Growth factor from the start through the end of this segment.
    growth_after: Decimal,
}

fn overflow() -> Error {
    Error::Overflow("interest compounding")
}

fn round_factor(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven)
}

/// `1 + percent / 100 / days_in_year`, rounded to `dp` places.
fn daily_factor(percent: Decimal, days_in_year: u32, dp: u32) -> Result<Decimal> {
    let divisor = Decimal::ONE_HUNDRED.checked_mul(Decimal::from(days_in_year)).ok_or_else(overflow)?;
    let r = percent.checked_div(divisor).ok_or_else(overflow)?;
    Ok(round_factor(Decimal::ONE.checked_add(r).ok_or_else(overflow)?, dp))
}

/// `base^exp` by squaring, every product rounded to `dp` places.
fn pow_round(base: Decimal, mut exp: u32, dp: u32) -> Result<Decimal> {
    let mut acc = Decimal::ONE;
    let mut b = base;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = round_factor(acc.checked_mul(b).ok_or_else(overflow)?, dp);
        }
        exp >>= 1;
        if exp > 0 {
            b = round_factor(b.checked_mul(b).ok_or_else(overflow)?, dp);
        }
    }
    Ok(acc)
}

fn dec31(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

/// Remembered daily factors and their powers, keyed by the exact bits of their inputs (so a remembered value is
/// the very `Decimal` the computation would give again, scale included). Spans of one report share most of
/// their periods (whole quarters, the same rate rows), so most powers repeat.
#[derive(Debug, Default)]
struct FactorCache {
    /// `(percent, days_in_year)` → [`daily_factor`].
    daily: HashMap<([u8; 16], u32), Decimal>,
    /// `(daily factor, days)` → [`pow_round`].
    powers: HashMap<([u8; 16], u32), Decimal>,
}

impl FactorCache {
    fn daily_factor(&mut self, percent: Decimal, days_in_year: u32, dp: u32) -> Result<Decimal> {
        Ok(match self.daily.entry((percent.serialize(), days_in_year)) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(v) => *v.insert(daily_factor(percent, days_in_year, dp)?),
        })
    }

    fn pow_round(&mut self, base: Decimal, exp: u32, dp: u32) -> Result<Decimal> {
        Ok(match self.powers.entry((base.serialize(), exp)) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(v) => *v.insert(pow_round(base, exp, dp)?),
        })
    }
}

/// Cuts `start+1 ..= end` into segments and compounds them. `end > start`.
#[cfg(test)]
fn segments(
    start: NaiveDate,
    end: NaiveDate,
    class: ImporterClass,
    rates: &RateTable,
    params: &InterestOptions,
) -> Result<Vec<Segment>> {
    segments_with(start, end, class, rates, params, &mut FactorCache::default())
}

/// Cuts `start+1 ..= end` into segments and compounds them, taking factors from (and adding them to) `cache`,
/// which must only ever be used with the same `params.factor_decimal_places`. `end > start`.
fn segments_with(
    start: NaiveDate,
    end: NaiveDate,
    class: ImporterClass,
    rates: &RateTable,
    params: &InterestOptions,
    cache: &mut FactorCache,
) -> Result<Vec<Segment>> {
    let dp = params.factor_decimal_places;
    let mut out = Vec::new();
    let mut growth = Decimal::ONE;
    let mut day = start.succ_opt().ok_or_else(overflow)?;
    loop {
        let year_end = dec31(day.year()).ok_or_else(overflow)?;
        let (to, percent, assumed, confidence, source_row) = if let Some(row) = rates.row_on(day) {
            (row.end, row.percent(class), false, Some(row.confidence), Some(row.source_row))
        } else if let Some(a) = params.assumed_rate.filter(|a| day >= a.from) {
            // Up to the day before the next table row, if the table resumes later.
            let i = rates.rows().partition_point(|r| r.start <= day);
            let to = rates.rows().get(i).and_then(|r| r.start.pred_opt()).unwrap_or(NaiveDate::MAX);
            (to, a.percent(class), true, None, None)
        } else if day < rates.first_day() {
            // An assumed rate stands for quarters not yet published, after the table; before its first day
            // there is no rate to assume.
            return Err(Error::ReferenceData {
                source_name: rates.name().to_owned(),
                message: format!(
                    "no {} interest rate for {day}: it is before the rate table's first day {} (the table covers \
                     {} to {}); an assumed rate covers only days after the table's last day, so check the start \
                     date or load a table that reaches back to it",
                    class.name(),
                    rates.first_day(),
                    rates.first_day(),
                    rates.last_day()
                ),
            });
        } else {
            let hint = match params.assumed_rate {
                Some(a) => format!("the assumed rate passed applies only from {}", a.from),
                None => "load a newer table or pass an assumed rate".to_owned(),
            };
            return Err(Error::ReferenceData {
                source_name: rates.name().to_owned(),
                message: format!(
                    "no {} interest rate for {day} (the first day not covered; the table covers {} to {}); {hint}",
                    class.name(),
                    rates.first_day(),
                    rates.last_day()
                ),
            });
        };
        let to = to.min(end).min(year_end);
        let days = u32::try_from((to - day).num_days() + 1).map_err(|_| overflow())?;
        let days_in_year = params.day_count.days_in_year(day.year());
        let f = cache.daily_factor(percent, days_in_year, dp)?;
        growth = round_factor(growth.checked_mul(cache.pow_round(f, days, dp)?).ok_or_else(overflow)?, dp);
        out.push(Segment {
            from: day,
            to,
            days,
            percent,
            days_in_year,
            assumed,
            confidence,
            source_row,
            growth_after: growth,
        });
        if to >= end {
            return Ok(out);
        }
        day = to.succ_opt().ok_or_else(overflow)?;
    }
}

/// Interest on `principal` deposited on `start` and refunded on (re)liquidation at `end`, for an importer of
/// `class`, under the convention of the module documentation.
///
/// # Errors
///
/// - [`Error::Value`] of kind [`ErrorKind::InvalidMoney`] for a negative principal, and of kind
///   [`ErrorKind::InvalidValue`] for `factor_decimal_places` outside 10..=28 and for an `end` before `start`
///   (an `end` equal to `start` is zero days: zero interest).
/// - [`Error::ReferenceData`] when a counted day has no rate in `rates` and no applicable
///   [`InterestOptions::assumed_rate`]; the message names the first such day.
/// - [`Error::Overflow`] for amounts or spans far outside any real refund.
///
/// # Example
///
/// The two worked examples of CAPE.md §8:
///
/// ```
/// use cape_core::model::ImporterClass;
/// use cape_core::refund::{compute_interest, InterestOptions, RateTable};
/// use cape_core::Usd;
/// use chrono::NaiveDate;
///
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let rates = RateTable::embedded();
/// let params = InterestOptions::default();
/// let corp = ImporterClass::Corporate;
///
/// let r = compute_interest("10000.00".parse()?, d(2025, 6, 2), d(2026, 3, 16), corp, &rates, &params)?;
/// assert_eq!((r.days, r.interest.to_string().as_str()), (287, "483.05"));
///
/// let r = compute_interest("8838.00".parse()?, d(2026, 2, 18), d(2026, 5, 15), corp, &rates, &params)?;
/// assert_eq!(r.interest.to_string(), "114.78");
/// let parts: Vec<(u32, String)> = r.periods.iter().map(|p| (p.days, p.interest.to_string())).collect();
/// assert_eq!(parts, [(41, "59.76".to_string()), (45, "55.02".to_string())]);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn compute_interest(
    principal: Usd,
    start: NaiveDate,
    end: NaiveDate,
    class: ImporterClass,
    rates: &RateTable,
    params: &InterestOptions,
) -> Result<InterestResult> {
    check_params(params)?;
    check_principal(principal)?;
    if end < start {
        return Err(Error::Value {
            kind: ErrorKind::InvalidValue,
            what: "interest period",
            input: format!("{start} to {end}"),
            reason: format!("the end ({end}) is before the start ({start})"),
        });
    }
    if end == start {
        return Ok(empty_result(principal, start, end, class));
    }
    let segs = segments_with(start, end, class, rates, params, &mut FactorCache::default())?;
    explain(principal, start, end, class, &segs, params)
}

fn check_principal(principal: Usd) -> Result<()> {
    if principal.is_negative() {
        return Err(Error::Value {
            kind: ErrorKind::InvalidMoney,
            what: "principal",
            input: principal.to_string(),
            reason: "interest is computed on a refund, which cannot be negative".to_owned(),
        });
    }
    Ok(())
}

fn check_params(params: &InterestOptions) -> Result<()> {
    if !(10..=28).contains(&params.factor_decimal_places) {
        return Err(Error::Value {
            kind: ErrorKind::InvalidValue,
            what: "factor_decimal_places",
            input: params.factor_decimal_places.to_string(),
            reason: "must be between 10 and 28".to_owned(),
        });
    }
    Ok(())
}

fn empty_result(principal: Usd, start: NaiveDate, end: NaiveDate, class: ImporterClass) -> InterestResult {
    InterestResult {
        principal,
        start,
        end,
        class,
        interest: Usd::ZERO,
        days: 0,
        periods: Vec::new(),
        used_assumed_rate: false,
        lowest_confidence: None,
    }
}

/// Applies compounded segments to a principal: the total rounded once, and the per-period parts.
fn explain(
    principal: Usd,
    start: NaiveDate,
    end: NaiveDate,
    class: ImporterClass,
    segs: &[Segment],
    params: &InterestOptions,
) -> Result<InterestResult> {
    let mut result = empty_result(principal, start, end, class);
    result.periods.reserve_exact(segs.len());
    let p = principal.amount();
    let balance = |g: Decimal| p.checked_mul(g).ok_or_else(overflow);
    let last_growth = segs.last().map_or(Decimal::ONE, |s| s.growth_after);
    let total = Usd::new(balance(last_growth)?.checked_sub(p).ok_or_else(overflow)?).round_cents(params.rounding);
    let mut before = p;
    let mut shown = Usd::ZERO;
    let n = segs.len();
    for (i, s) in segs.iter().enumerate() {
        let after = balance(s.growth_after)?;
        let part = if i + 1 == n {
            total.checked_sub(shown)?
        } else {
            Usd::new(after.checked_sub(before).ok_or_else(overflow)?).round_cents(params.rounding)
        };
        shown = shown.checked_add(part)?;
        before = after;
        result.days += s.days;
        result.used_assumed_rate |= s.assumed;
        result.lowest_confidence = match (result.lowest_confidence, s.confidence) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        result.periods.push(InterestPeriod {
            from: s.from,
            to: s.to,
            days: s.days,
            annual_rate_percent: s.percent,
            days_in_year: s.days_in_year,
            interest: part,
            assumed: s.assumed,
            confidence: s.confidence,
            source_row: s.source_row,
        });
    }
    result.interest = total;
    Ok(result)
}

/// Interest for many deposits against one rate table, compounding each distinct span once.
///
/// The growth of a balance depends only on the deposit date, the end date and the rate class, never on the
/// principal; in a report many entries share both dates (one PMS due date per month, one projected liquidation
/// date), so the calculator remembers the compounding of each `(start, end, class)` and applies it to each
/// principal. Results are identical to [`compute_interest`]'s. It keeps at most [`InterestCalculator::MAX_SPANS`]
/// spans (a few hundred bytes each) and starts over when full, so memory stays flat however many entries pass
/// through; the calculator belongs to its caller and holds no global state.
///
/// # Example
///
/// ```
/// use cape_core::model::ImporterClass;
/// use cape_core::refund::{InterestCalculator, InterestOptions, RateTable};
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let rates = RateTable::embedded();
/// let mut calc = InterestCalculator::new(&rates, InterestOptions::default())?;
/// for principal in ["8838.00", "100.00", "8838.00"] {
///     calc.compute(principal.parse()?, d(2026, 2, 18), d(2026, 5, 15), ImporterClass::Corporate)?;
/// }
/// assert_eq!(calc.spans(), 1);
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug)]
pub struct InterestCalculator<'a> {
    rates: &'a RateTable,
    params: InterestOptions,
    spans: HashMap<(NaiveDate, NaiveDate, ImporterClass), Vec<Segment>>,
    /// Daily factors and their powers, shared by all spans (`params` never changes).
    factors: FactorCache,
}

impl<'a> InterestCalculator<'a> {
    /// The most spans remembered (about 2.5 MB): more distinct spans than this start the cache over. A report's
    /// spans are deposit dates (one per statement month or entry day) times end dates, a few thousand in
    /// practice; without a bound, millions of entries with scattered dates grew it without end.
    pub const MAX_SPANS: usize = 8_192;

    /// A calculator over `rates` with `params`.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] for `factor_decimal_places` outside 10..=28.
    pub fn new(rates: &'a RateTable, params: InterestOptions) -> Result<Self> {
        check_params(&params)?;
        Ok(InterestCalculator { rates, params, spans: HashMap::new(), factors: FactorCache::default() })
    }

    /// The parameters in use.
    pub fn params(&self) -> &InterestOptions {
        &self.params
    }

    /// The number of distinct spans compounded so far.
    pub fn spans(&self) -> usize {
        self.spans.len()
    }

    /// The same as [`compute_interest`] with this calculator's table and parameters.
    ///
    /// # Errors
    ///
    /// As [`compute_interest`]. A failed span is not remembered.
    pub fn compute(
        &mut self,
        principal: Usd,
        start: NaiveDate,
        end: NaiveDate,
        class: ImporterClass,
    ) -> Result<InterestResult> {
        check_principal(principal)?;
        if end <= start {
            return Ok(empty_result(principal, start, end, class));
        }
        if self.spans.len() >= Self::MAX_SPANS && !self.spans.contains_key(&(start, end, class)) {
            self.spans.clear();
        }
        let segs = match self.spans.entry((start, end, class)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => {
                v.insert(segments_with(start, end, class, self.rates, &self.params, &mut self.factors)?)
            }
        };
        explain(principal, start, end, class, segs, &self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn usd(s: &str) -> Usd {
        s.parse().unwrap()
    }

    fn corp(p: &str, start: NaiveDate, end: NaiveDate) -> InterestResult {
        compute_interest(
            usd(p),
            start,
            end,
            ImporterClass::Corporate,
            &RateTable::embedded(),
            &InterestOptions::default(),
        )
        .unwrap()
    }

    /// The unrounded interest, `principal × (growth − 1)`, as the library computes it.
    fn raw_interest(p: &str, start: NaiveDate, end: NaiveDate, class: ImporterClass, rates: &RateTable) -> Decimal {
        let segs = segments(start, end, class, rates, &InterestOptions::default()).unwrap();
        usd(p).amount() * (segs.last().unwrap().growth_after - Decimal::ONE)
    }

    /// Reference: one multiplication per counted day, balance-style, at the same factor precision.
    fn per_day_growth(start: NaiveDate, end: NaiveDate, class: ImporterClass, rates: &RateTable) -> Decimal {
        let dp = DEFAULT_FACTOR_DECIMAL_PLACES;
        let mut g = Decimal::ONE;
        let mut day = start.succ_opt().unwrap();
        while day <= end {
            let n = DayCount::ActualDaysInYear.days_in_year(day.year());
            let f = daily_factor(rates.rate_on(day, class).unwrap(), n, dp).unwrap();
            g = round_factor(g * f, dp);
            day = day.succ_opt().unwrap();
        }
        g
    }

    fn close(a: Decimal, b: &str, tol: &str) -> bool {
        (a - b.parse::<Decimal>().unwrap()).abs() < tol.parse::<Decimal>().unwrap()
    }

    #[test]
    fn worked_example_one_rate() {
        // CAPE.md §8: 287 days at 6% corporate → 483.05 (simple interest would be 471.78).
        // Python decimal, 60 digits: 10000 * (1 + 0.06/365)**287 - 10000 = 483.0461304349752903635197...
        let r = corp("10000.00", d(2025, 6, 2), d(2026, 3, 16));
        assert_eq!(r.days, 287);
        assert_eq!(r.interest.to_string(), "483.05");
        assert!(!r.used_assumed_rate);
        assert_eq!(r.lowest_confidence, Some(Confidence::High));
        // Split by table row and year: 06-03..06-30, Q3, Q4 2025, 2026-01-01..03-16.
        let days: Vec<u32> = r.periods.iter().map(|p| p.days).collect();
        assert_eq!(days, [28, 92, 92, 75]);
        assert!(r.periods.iter().all(|p| p.annual_rate_percent == Decimal::from(6) && p.days_in_year == 365));
        assert_eq!(r.periods.iter().map(|p| p.interest).sum::<Usd>(), r.interest);
        let raw =
            raw_interest("10000.00", d(2025, 6, 2), d(2026, 3, 16), ImporterClass::Corporate, &RateTable::embedded());
        assert!(close(raw, "483.0461304349752903635197", "1e-15"), "{raw}");
    }

    #[test]
    fn worked_example_rate_change() {
        // CAPE.md §8: 41 days at 6% (02-19..03-31) then 45 days at 5% (04-01..05-15) → 114.78.
        // Python decimal: 8838*(1+.06/365)**41*(1+.05/365)**45 - 8838 = 114.7767917495480286742470...
        let r = corp("8838.00", d(2026, 2, 18), d(2026, 5, 15));
        assert_eq!(r.days, 86);
        assert_eq!(r.interest.to_string(), "114.78");
        let p = &r.periods;
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].from, p[0].to, p[0].days), (d(2026, 2, 19), d(2026, 3, 31), 41));
        assert_eq!((p[1].from, p[1].to, p[1].days), (d(2026, 4, 1), d(2026, 5, 15), 45));
        assert_eq!(p[0].annual_rate_percent, Decimal::from(6));
        assert_eq!(p[1].annual_rate_percent, Decimal::from(5));
        // 59.7619502... → 59.76; the second part is the remainder: 114.78 − 59.76 = 55.02 (its own value 55.0148).
        assert_eq!(p[0].interest.to_string(), "59.76");
        assert_eq!(p[1].interest.to_string(), "55.02");
        assert_eq!(r.lowest_confidence, Some(Confidence::Medium));
        let raw =
            raw_interest("8838.00", d(2026, 2, 18), d(2026, 5, 15), ImporterClass::Corporate, &RateTable::embedded());
        assert!(close(raw, "114.7767917495480286742470", "1e-15"), "{raw}");
    }

    #[test]
    fn leap_year_days_use_366() {
        // 25,000.00 deposited 2024-12-01, liquidated 2025-03-01, corporate: 30 days (12-02..12-31) at 7%/366,
        // then 60 days (2025-01-01..03-01) at 6%/365.
        // Python decimal: 25000*(1+Decimal(7)/100/366)**30*(1+Decimal(6)/100/365)**60 - 25000
        //   = 393.0416142373421384978112... → 393.04
        let r = corp("25000.00", d(2024, 12, 1), d(2025, 3, 1));
        assert_eq!(r.days, 90);
        assert_eq!(r.interest.to_string(), "393.04");
        assert_eq!((r.periods[0].days, r.periods[0].days_in_year), (30, 366));
        assert_eq!((r.periods[1].days, r.periods[1].days_in_year), (60, 365));
        // Non-corporate, 8% then 7%: Python gives 455.6629605336139679880439... → 455.66
        let nc = compute_interest(
            usd("25000.00"),
            d(2024, 12, 1),
            d(2025, 3, 1),
            ImporterClass::NonCorporate,
            &RateTable::embedded(),
            &InterestOptions::default(),
        )
        .unwrap();
        assert_eq!(nc.interest.to_string(), "455.66");
        // A caller-supplied table across February 29: 100,000.00 from 2024-02-01 to 2024-03-31 at 8%/366, 59 days.
        // Python decimal: 100000*(1+Decimal(8)/100/366)**59 - 100000 = 1297.8261642413247910325335... → 1297.83
        let t = RateTable::from_csv_str(
            "flat 2024",
            "quarter_start,quarter_end,noncorporate_percent,corporate_percent,confidence,source\n\
             2024-01-01,2024-12-31,8,8,low,https://example.invalid/flat\n",
        )
        .unwrap();
        let r = compute_interest(
            usd("100000.00"),
            d(2024, 2, 1),
            d(2024, 3, 31),
            ImporterClass::Corporate,
            &t,
            &InterestOptions::default(),
        )
        .unwrap();
        assert_eq!((r.days, r.interest.to_string().as_str()), (59, "1297.83"));
        assert_eq!(r.lowest_confidence, Some(Confidence::Low));
        // With a fixed 365-day year the figure differs: 100000*(1+.08/365)**59 - 100000 = 1301.4044...
        let fixed = InterestOptions { day_count: DayCount::Fixed365, ..InterestOptions::default() };
        let r365 =
            compute_interest(usd("100000.00"), d(2024, 2, 1), d(2024, 3, 31), ImporterClass::Corporate, &t, &fixed)
                .unwrap();
        assert_eq!(r365.interest.to_string(), "1301.40");
    }

    #[test]
    fn crossing_2026_04_01() {
        // 50,000.00 non-corporate from 2026-03-20 to 2026-04-10: 11 days at 7%, 10 days at 6%.
        // Python decimal: 50000*(1+.07/365)**11*(1+.06/365)**10 - 50000 = 188.0069475130097490709551... → 188.01
        let r = compute_interest(
            usd("50000.00"),
            d(2026, 3, 20),
            d(2026, 4, 10),
            ImporterClass::NonCorporate,
            &RateTable::embedded(),
            &InterestOptions::default(),
        )
        .unwrap();
        assert_eq!(r.days, 21);
        assert_eq!(r.interest.to_string(), "188.01");
        assert_eq!(r.periods.len(), 2);
        assert_eq!(r.periods[0].interest.to_string(), "105.58");
        assert_eq!(r.periods[1].interest.to_string(), "82.43");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["interest"], "188.01");
        assert_eq!(json["class"], "noncorporate");
        assert_eq!(json["periods"][1]["from"], "2026-04-01");
        assert_eq!(json["periods"][1]["annual_rate_percent"], "6");
        assert_eq!(json["periods"][1]["confidence"], "medium");
    }

    #[test]
    fn missing_rate_names_the_first_uncovered_day() {
        let e = compute_interest(
            usd("1000.00"),
            d(2026, 11, 1),
            d(2027, 2, 1),
            ImporterClass::Corporate,
            &RateTable::embedded(),
            &InterestOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidReferenceData);
        assert!(e.to_string().contains("2027-01-01"), "{e}");
        // Before the table too.
        let e = corp_err("1000.00", d(2024, 9, 1), d(2024, 10, 15));
        assert!(e.contains("2024-09-02"), "{e}");
    }

    fn corp_err(p: &str, start: NaiveDate, end: NaiveDate) -> String {
        compute_interest(
            usd(p),
            start,
            end,
            ImporterClass::Corporate,
            &RateTable::embedded(),
            &InterestOptions::default(),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn assumed_rate_beyond_the_table() {
        let rates = RateTable::embedded();
        let params = InterestOptions { assumed_rate: Some(AssumedRate::continue_last(&rates)), ..Default::default() };
        let r =
            compute_interest(usd("1000.00"), d(2026, 11, 1), d(2027, 2, 1), ImporterClass::Corporate, &rates, &params)
                .unwrap();
        assert!(r.used_assumed_rate);
        assert_eq!(r.days, 92);
        let last = r.periods.last().unwrap();
        assert!(last.assumed && last.confidence.is_none());
        assert_eq!((last.from, last.to, last.days), (d(2027, 1, 1), d(2027, 2, 1), 32));
        assert_eq!(r.periods.iter().map(|p| p.interest).sum::<Usd>(), r.interest);
        // An assumed rate from a later date does not cover the gap.
        let late = AssumedRate { from: d(2027, 1, 15), ..AssumedRate::continue_last(&rates) };
        let params = InterestOptions { assumed_rate: Some(late), ..Default::default() };
        let e =
            compute_interest(usd("1000.00"), d(2026, 11, 1), d(2027, 2, 1), ImporterClass::Corporate, &rates, &params)
                .unwrap_err();
        assert!(e.to_string().contains("2027-01-01"), "{e}");
        // Inside the table the assumption is not used.
        let params = InterestOptions { assumed_rate: Some(AssumedRate::continue_last(&rates)), ..Default::default() };
        let r =
            compute_interest(usd("1000.00"), d(2026, 1, 1), d(2026, 2, 1), ImporterClass::Corporate, &rates, &params)
                .unwrap();
        assert!(!r.used_assumed_rate);
    }

    #[test]
    fn empty_span_and_bad_arguments() {
        let r = corp("1000.00", d(2026, 3, 1), d(2026, 3, 1));
        assert_eq!((r.days, r.interest, r.periods.len()), (0, Usd::ZERO, 0));
        // An end before the start is a caller's mistake, not zero days.
        let e = corp_err("1000.00", d(2026, 3, 2), d(2026, 3, 1));
        assert!(e.contains("the end (2026-03-01) is before the start (2026-03-02)"), "{e}");
        // Days outside the table do not matter when nothing is counted.
        let r = corp("1000.00", d(2030, 1, 1), d(2030, 1, 1));
        assert_eq!(r.days, 0);
        let r = corp("0.00", d(2025, 6, 2), d(2026, 3, 16));
        assert_eq!((r.days, r.interest), (287, Usd::ZERO));
        let e = corp_err("-1.00", d(2025, 6, 2), d(2026, 3, 16));
        assert!(e.contains("principal"), "{e}");
        let bad = InterestOptions { factor_decimal_places: 29, ..Default::default() };
        let e = compute_interest(
            usd("1"),
            d(2025, 6, 2),
            d(2025, 7, 2),
            ImporterClass::Corporate,
            &RateTable::embedded(),
            &bad,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn large_principal_keeps_cents() {
        // 1e12 dollars: the balance has 13 integer digits; rust_decimal keeps 28 significant digits.
        // Python decimal: 1000000000000*(1+.06/365)**287 - 1000000000000 = 48304613043.497529... → 48304613043.50
        let r = corp("1000000000000.00", d(2025, 6, 2), d(2026, 3, 16));
        assert_eq!(r.interest.to_string(), "48304613043.50");
    }

    #[test]
    fn power_matches_a_day_by_day_loop() {
        let rates = RateTable::embedded();
        let cases = [
            (d(2024, 10, 1), d(2026, 12, 31)),
            (d(2025, 6, 2), d(2026, 3, 16)),
            (d(2026, 2, 18), d(2026, 5, 15)),
            (d(2024, 12, 1), d(2025, 3, 1)),
        ];
        for (s, e) in cases {
            for class in [ImporterClass::Corporate, ImporterClass::NonCorporate] {
                let fast =
                    segments(s, e, class, &rates, &InterestOptions::default()).unwrap().last().unwrap().growth_after;
                let slow = per_day_growth(s, e, class, &rates);
                assert!((fast - slow).abs() < Decimal::new(1, 20), "{s}..{e}: {fast} vs {slow}");
            }
        }
    }

    #[test]
    fn calculator_matches_compute_interest() {
        let rates = RateTable::embedded();
        let params = InterestOptions::default();
        let mut calc = InterestCalculator::new(&rates, params.clone()).unwrap();
        for (i, cents) in [0i64, 1, 883_800, 1_000_000, 123_456_789].into_iter().enumerate() {
            let start = d(2025, 3, 4) + chrono::Days::new(i as u64 * 40);
            for end in [d(2026, 5, 15), d(2026, 6, 15), start] {
                for class in [ImporterClass::Corporate, ImporterClass::NonCorporate] {
                    let p = Usd::from_cents(cents);
                    let want = compute_interest(p, start, end, class, &rates, &params).unwrap();
                    assert_eq!(calc.compute(p, start, end, class).unwrap(), want);
                    assert_eq!(calc.compute(p, start, end, class).unwrap(), want);
                }
            }
        }
        assert_eq!(calc.spans(), 5 * 2 * 2);
        assert!(calc.compute(Usd::from_cents(1), d(2026, 12, 1), d(2027, 1, 2), ImporterClass::Corporate).is_err());
        assert_eq!(calc.spans(), 20);
        assert!(InterestCalculator::new(&rates, InterestOptions { factor_decimal_places: 5, ..params }).is_err());
    }

    proptest! {
        #[test]
        fn power_matches_loop_everywhere(start in 0i64..820, len in 1i64..400, class_nc in any::<bool>()) {
            let rates = RateTable::embedded();
            let s = d(2024, 9, 30) + chrono::Days::new(start as u64);
            let e = (s + chrono::Days::new(len as u64)).min(d(2026, 12, 31));
            prop_assume!(e > s);
            let class = if class_nc { ImporterClass::NonCorporate } else { ImporterClass::Corporate };
            let fast = segments(s, e, class, &rates, &InterestOptions::default()).unwrap().last().unwrap().growth_after;
            let slow = per_day_growth(s, e, class, &rates);
            prop_assert!((fast - slow).abs() < Decimal::new(1, 20));
        }

        #[test]
        fn nonnegative_and_monotone(
            cents in 0i64..10_000_000_000,
            extra in 0i64..100_000_000,
            start in 0i64..800,
            len in 0i64..400,
            more in 0i64..60,
            class_nc in any::<bool>(),
        ) {
            let rates = RateTable::embedded();
            let params = InterestOptions::default();
            let class = if class_nc { ImporterClass::NonCorporate } else { ImporterClass::Corporate };
            let s = d(2024, 9, 30) + chrono::Days::new(start as u64);
            let e1 = (s + chrono::Days::new(len as u64)).min(d(2026, 12, 31));
            let e2 = (e1 + chrono::Days::new(more as u64)).min(d(2026, 12, 31));
            let p1 = Usd::from_cents(cents);
            let p2 = Usd::from_cents(cents + extra);
            let a = compute_interest(p1, s, e1, class, &rates, &params).unwrap();
            let b = compute_interest(p2, s, e1, class, &rates, &params).unwrap();
            let c = compute_interest(p1, s, e2, class, &rates, &params).unwrap();
            prop_assert!(!a.interest.is_negative());
            prop_assert!(a.interest <= b.interest);
            prop_assert!(a.interest <= c.interest);
            prop_assert_eq!(a.periods.iter().map(|p| p.interest).sum::<Usd>(), a.interest);
            prop_assert_eq!(a.periods.iter().map(|p| p.days).sum::<u32>(), a.days);
        }
    }
}
