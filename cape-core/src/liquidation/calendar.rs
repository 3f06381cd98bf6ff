//! Business days: weekends, the U.S. federal holidays of 5 USC 6103 (with observed days), and caller-supplied
//! closures.
//!
//! CBP counts "working days" for periodic monthly statements (the deposit is due on the 15th working day of the
//! month after entry). A working day is any day that is not a Saturday, a Sunday, an observed federal holiday
//! or a closure the caller adds (an Inauguration Day, an executive order closing federal offices).
//!
//! Holidays are computed by rule for any year, never listed by date, so the calendar has no end.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::diagnostic::echo_value;
use crate::error::{Error, Result};

/// When in the year a federal holiday falls, before the observed-day shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayDate {
    /// A fixed month and day (Independence Day: July 4).
    Fixed {
        /// Month, 1–12.
        month: u32,
        /// Day of the month.
        day: u32,
    },
    /// The n-th given weekday of a month (Labor Day: 1st Monday of September).
    NthWeekday {
        /// Month, 1–12.
        month: u32,
        /// The weekday.
        weekday: Weekday,
        /// 1-based: 1 = first, 3 = third.
        n: u8,
    },
    /// The last given weekday of a month (Memorial Day: last Monday of May).
    LastWeekday {
        /// Month, 1–12.
        month: u32,
        /// The weekday.
        weekday: Weekday,
    },
}

/// One rule of the federal holiday list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayRule {
    /// The holiday's name as 5 USC 6103 gives it.
    pub name: &'static str,
    /// When it falls.
    pub date: HolidayDate,
    /// The first year the holiday exists (Juneteenth: 2021), if it was added within living memory.
    pub first_year: Option<i32>,
}

/// The 11 legal public holidays of 5 USC 6103(a).
///
/// Fixed-date holidays falling on a Saturday are observed the Friday before and on a Sunday the Monday after
/// (5 USC 6103(b) and Executive Order 11582 for federal employees; OPM applies the same rule).
/// Juneteenth National Independence Day was added by Pub. L. 117-17 on 2021-06-17, first observed 2021-06-18.
pub const FEDERAL_HOLIDAYS: [HolidayRule; 11] = [
    HolidayRule { name: "New Year's Day", date: HolidayDate::Fixed { month: 1, day: 1 }, first_year: None },
    HolidayRule {
        name: "Birthday of Martin Luther King, Jr.",
        date: HolidayDate::NthWeekday { month: 1, weekday: Weekday::Mon, n: 3 },
        first_year: None,
    },
    HolidayRule {
        name: "Washington's Birthday",
        date: HolidayDate::NthWeekday { month: 2, weekday: Weekday::Mon, n: 3 },
        first_year: None,
    },
    HolidayRule {
        name: "Memorial Day",
        date: HolidayDate::LastWeekday { month: 5, weekday: Weekday::Mon },
        first_year: None,
    },
    HolidayRule {
        name: "Juneteenth National Independence Day",
        date: HolidayDate::Fixed { month: 6, day: 19 },
        first_year: Some(2021),
    },
    HolidayRule { name: "Independence Day", date: HolidayDate::Fixed { month: 7, day: 4 }, first_year: None },
    HolidayRule {
        name: "Labor Day",
        date: HolidayDate::NthWeekday { month: 9, weekday: Weekday::Mon, n: 1 },
        first_year: None,
    },
    HolidayRule {
        name: "Columbus Day",
        date: HolidayDate::NthWeekday { month: 10, weekday: Weekday::Mon, n: 2 },
        first_year: None,
    },
    HolidayRule { name: "Veterans Day", date: HolidayDate::Fixed { month: 11, day: 11 }, first_year: None },
    HolidayRule {
        name: "Thanksgiving Day",
        date: HolidayDate::NthWeekday { month: 11, weekday: Weekday::Thu, n: 4 },
        first_year: None,
    },
    HolidayRule { name: "Christmas Day", date: HolidayDate::Fixed { month: 12, day: 25 }, first_year: None },
];

/// The name [`BusinessCalendar::holidays_in`] gives a caller-supplied closure.
pub const EXTRA_CLOSURE_NAME: &str = "extra closure";

impl HolidayRule {
    /// The observed date of this holiday in `year`: the legal date moved off a weekend (Saturday → Friday before,
    /// Sunday → Monday after). Weekday-based holidays never move. `None` before `first_year` or outside chrono's
    /// date range. The observed date can fall in the year before (New Year's Day on a Saturday).
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::refund::calendar::FEDERAL_HOLIDAYS;
    /// use chrono::NaiveDate;
    /// let new_year = FEDERAL_HOLIDAYS[0];
    /// assert_eq!(new_year.observed(2022), NaiveDate::from_ymd_opt(2021, 12, 31));
    /// ```
    pub fn observed(&self, year: i32) -> Option<NaiveDate> {
        if self.first_year.is_some_and(|first| year < first) {
            return None;
        }
        match self.date {
            HolidayDate::Fixed { month, day } => {
                let d = NaiveDate::from_ymd_opt(year, month, day)?;
                match d.weekday() {
                    Weekday::Sat => d.pred_opt(),
                    Weekday::Sun => d.succ_opt(),
                    _ => Some(d),
                }
            }
            HolidayDate::NthWeekday { month, weekday, n } => {
                NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
            }
            HolidayDate::LastWeekday { month, weekday } => {
                let first_next = if month == 12 {
                    NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)?
                };
                let last = first_next.pred_opt()?;
                let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
                last.checked_sub_days(Days::new(u64::from(back)))
            }
        }
    }
}

/// A business-day calendar: weekends, the observed federal holidays of [`FEDERAL_HOLIDAYS`], and extra closures
/// the caller supplies.
///
/// The value is immutable once built and cheap to share; [`Default`] is the federal calendar with no extra
/// closures.
///
/// # Example
///
/// ```
/// use cape_core::refund::BusinessCalendar;
/// use chrono::NaiveDate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let cal = BusinessCalendar::federal();
/// assert!(!cal.is_business_day(d(2026, 7, 3))); // Independence Day (Saturday) observed on Friday
/// assert_eq!(cal.nth_business_day_of_month(2026, 1, 15), Some(d(2026, 1, 23)));
/// // One-off closures (the national day of mourning of 2025-01-09) are supplied by the caller.
/// let cal = BusinessCalendar::federal().with_extra_closures([d(2025, 1, 9)]);
/// assert_eq!(cal.holidays_in(2025)[1], (d(2025, 1, 9), "extra closure"));
/// assert!(!cal.is_business_day(d(2025, 1, 9)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    rules: Vec<HolidayRule>,
    extra_closures: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::federal()
    }
}

impl BusinessCalendar {
    /// The federal calendar: weekends and the observed holidays of [`FEDERAL_HOLIDAYS`].
    pub fn federal() -> Self {
        Self::with_rules(FEDERAL_HOLIDAYS.to_vec())
    }

    /// A calendar with other holiday rules (weekends are always closed).
    pub fn with_rules(rules: Vec<HolidayRule>) -> Self {
        BusinessCalendar { rules, extra_closures: BTreeSet::new() }
    }

    /// This calendar plus extra closed dates (one-off closures, Inauguration Day where it applies).
    #[must_use]
    pub fn with_extra_closures(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra_closures.extend(dates);
        self
    }

    /// The extra closed dates supplied by the caller.
    pub fn extra_closures(&self) -> &BTreeSet<NaiveDate> {
        &self.extra_closures
    }

    /// The holiday rules in use.
    pub fn rules(&self) -> &[HolidayRule] {
        &self.rules
    }

    /// The name of the observed holiday or closure on `date`, if any (weekends are not holidays).
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&'static str> {
        let y = date.year();
        // An observed date falls in its own year, or on Dec 31 for the next year's Jan 1.
        for rule in &self.rules {
            if rule.observed(y) == Some(date) || (date.month() == 12 && rule.observed(y + 1) == Some(date)) {
                return Some(rule.name);
            }
        }
        self.extra_closures.contains(&date).then_some(EXTRA_CLOSURE_NAME)
    }

    /// True when `date` is a weekday that is neither an observed holiday nor an extra closure.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && self.holiday_name(date).is_none()
    }

    /// Every observed holiday and extra closure whose (observed) date falls in `year`, sorted by date.
    ///
    /// The list follows observed dates: when January 1 falls on a Saturday it is observed on December 31 of the
    /// year before, so `holidays_in(2021)` lists 2021-12-31 as "New Year's Day" and `holidays_in(2022)` has no
    /// New Year's Day at all. Extra closures are named [`EXTRA_CLOSURE_NAME`]; one that coincides with a holiday
    /// is listed once, under the holiday's name.
    pub fn holidays_in(&self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let mut out: Vec<(NaiveDate, &'static str)> = Vec::with_capacity(self.rules.len() + 1);
        for rule in &self.rules {
            for y in [year, year.saturating_add(1)] {
                if let Some(d) = rule.observed(y).filter(|d| d.year() == year) {
                    out.push((d, rule.name));
                }
            }
        }
        for &d in self.extra_closures.iter().filter(|d| d.year() == year) {
            if !out.iter().any(|&(h, _)| h == d) {
                out.push((d, EXTRA_CLOSURE_NAME));
            }
        }
        out.sort();
        out
    }

    /// The `n`-th (1-based) business day of a month, or `None` when `n` is 0, the month has fewer business days,
    /// or the month is not a valid date.
    pub fn nth_business_day_of_month(&self, year: i32, month: u32, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return None;
        }
        let mut d = NaiveDate::from_ymd_opt(year, month, 1)?;
        let mut count = 0;
        while d.month() == month {
            if self.is_business_day(d) {
                count += 1;
                if count == n {
                    return Some(d);
                }
            }
            d = d.succ_opt()?;
        }
        None
    }

    /// The date `n` business days after `date` (before it when `n` is negative); `date` itself when `n` is 0,
    /// whether or not it is a business day. `None` outside chrono's date range.
    pub fn add_business_days(&self, date: NaiveDate, n: i32) -> Option<NaiveDate> {
        let mut d = date;
        for _ in 0..n.unsigned_abs() {
            loop {
                d = if n > 0 { d.succ_opt()? } else { d.pred_opt()? };
                if self.is_business_day(d) {
                    break;
                }
            }
        }
        Some(d)
    }
}

/// The largest closures file [`read_closures_path`] reads: 1 MiB, some 90,000 dates — far more than any list
/// of federal closures, small enough that a wrong file cannot make cape hold much.
pub const MAX_CLOSURES_FILE_BYTES: u64 = 1 << 20;

/// Reads a list of extra federal closures (a national day of mourning, an executive order closing federal
/// offices) for [`BusinessCalendar::with_extra_closures`]: one date per line, `YYYY-MM-DD` or `MM/DD/YYYY`;
/// `#` starts a comment to the end of the line; blank lines, a byte-order mark and CRLF line ends are allowed;
/// UTF-16 with its byte-order mark (Excel's "Unicode text") is read as its text. Returns the dates sorted, each
/// once.
///
/// # Errors
///
/// [`Error::Format`] naming `source_name`, the 1-based line and the value, for the first line that is not one
/// date (or not UTF-8 text).
///
/// # Example
///
/// ```
/// use cape_core::refund::calendar::{parse_closures, BusinessCalendar};
/// use chrono::NaiveDate;
/// let text = b"# extra federal closures\n2025-01-09  # national day of mourning\n\n12/24/2026\n";
/// let dates = parse_closures(text, "closures.txt")?;
/// assert_eq!(dates, [NaiveDate::from_ymd_opt(2025, 1, 9).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()]);
/// let cal = BusinessCalendar::federal().with_extra_closures(dates);
/// assert!(!cal.is_business_day(NaiveDate::from_ymd_opt(2025, 1, 9).unwrap()));
/// let err = parse_closures(b"2025-01-09\n13/45/2025\n", "closures.txt").unwrap_err();
/// assert!(err.to_string().contains("closures.txt: line 2: \"13/45/2025\""));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn parse_closures(bytes: &[u8], source_name: &str) -> Result<Vec<NaiveDate>> {
    let text = crate::ingest::source::utf8_text(bytes);
    let bad = |line: usize, message: String| Error::Format {
        source_name: source_name.to_owned(),
        message: format!("line {line}: {message}"),
    };
    let mut dates = BTreeSet::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = i.saturating_add(1);
        let raw = if i == 0 { raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw) } else { raw };
        let raw = std::str::from_utf8(raw).map_err(|_| bad(line, "not UTF-8 text".to_owned()))?;
        let value = raw.split('#').next().unwrap_or_default().trim();
        if value.is_empty() {
            continue;
        }
        let date = if value.contains(char::is_whitespace) {
            None
        } else {
            crate::values::date::parse_date_bytes(value.as_bytes()).ok()
        };
        let date = date.ok_or_else(|| {
            bad(
                line,
                format!(
                    "{:?} is not a date; write one date per line, YYYY-MM-DD or MM/DD/YYYY, notes after #",
                    echo_value(value)
                ),
            )
        })?;
        dates.insert(date);
    }
    Ok(dates.into_iter().collect())
}

/// Reads a closures file (at most [`MAX_CLOSURES_FILE_BYTES`]) as [`parse_closures`] does.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] when it is larger than
/// [`MAX_CLOSURES_FILE_BYTES`] or a line is not one date.
pub fn read_closures_path(path: impl AsRef<Path>) -> Result<Vec<NaiveDate>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    match crate::ingest::source::read_capped(path, &name, MAX_CLOSURES_FILE_BYTES)? {
        crate::ingest::source::Capped::Whole(bytes) => parse_closures(&bytes, &name),
        crate::ingest::source::Capped::TooLarge(size) => Err(Error::Format {
            source_name: name,
            message: format!(
                "the file is {size} bytes, more than the {MAX_CLOSURES_FILE_BYTES} cape reads as a list of closure \
                 dates; not read"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn observed_days() {
        let cal = BusinessCalendar::federal();
        // New Year 2022 (Saturday) observed Friday 2021-12-31.
        assert_eq!(cal.holiday_name(d(2021, 12, 31)), Some("New Year's Day"));
        assert!(!cal.is_business_day(d(2021, 12, 31)));
        assert!(cal.holidays_in(2022).iter().all(|&(_, n)| n != "New Year's Day"));
        assert_eq!(cal.holidays_in(2021).last(), Some(&(d(2021, 12, 31), "New Year's Day")));
        // Independence Day 2026 (Saturday) observed Friday 2026-07-03.
        assert_eq!(cal.holiday_name(d(2026, 7, 3)), Some("Independence Day"));
        assert!(cal.holiday_name(d(2026, 7, 4)).is_none());
        // Juneteenth 2023 on a Monday; 2022 on a Sunday → Monday 2022-06-20; none in 2020.
        assert!(!cal.is_business_day(d(2023, 6, 19)));
        assert_eq!(cal.holiday_name(d(2022, 6, 20)), Some("Juneteenth National Independence Day"));
        assert!(cal.is_business_day(d(2020, 6, 19)));
        assert_eq!(cal.holidays_in(2020).len(), 10);
        assert_eq!(cal.holidays_in(2021).len(), 12); // incl. 2021-12-31 for 2022
        assert_eq!(cal.holidays_in(2022).len(), 10); // 2022-01-01 moved into 2021
                                                     // Christmas 2021 (Saturday) → 2021-12-24; 2022 (Sunday) → 2022-12-26.
        assert!(!cal.is_business_day(d(2021, 12, 24)));
        assert!(!cal.is_business_day(d(2022, 12, 26)));
    }

    #[test]
    fn holidays_2026() {
        let got: Vec<NaiveDate> = BusinessCalendar::federal().holidays_in(2026).into_iter().map(|(d, _)| d).collect();
        // OPM's 2026 federal holiday list.
        let want = [
            d(2026, 1, 1),
            d(2026, 1, 19),
            d(2026, 2, 16),
            d(2026, 5, 25),
            d(2026, 6, 19),
            d(2026, 7, 3),
            d(2026, 9, 7),
            d(2026, 10, 12),
            d(2026, 11, 11),
            d(2026, 11, 26),
            d(2026, 12, 25),
        ];
        assert_eq!(got, want);
        // OPM 2025: Veterans Day Tue 11-11, Thanksgiving 11-27, Memorial Day 05-26.
        let cal = BusinessCalendar::federal();
        for h in [d(2025, 1, 1), d(2025, 1, 20), d(2025, 2, 17), d(2025, 5, 26), d(2025, 11, 27)] {
            assert!(!cal.is_business_day(h), "{h}");
        }
        // Memorial Day when May 31 is a Monday (2027).
        assert!(!cal.is_business_day(d(2027, 5, 31)));
    }

    #[test]
    fn business_day_arithmetic() {
        let cal = BusinessCalendar::federal();
        // January 2026: Jan 1 holiday, Jan 19 MLK → 15th working day is Jan 23 (Jan 21 without them).
        assert_eq!(cal.nth_business_day_of_month(2026, 1, 1), Some(d(2026, 1, 2)));
        assert_eq!(cal.nth_business_day_of_month(2026, 1, 15), Some(d(2026, 1, 23)));
        // March 2026 has no holiday: 15th working day is Mar 20.
        assert_eq!(cal.nth_business_day_of_month(2026, 3, 15), Some(d(2026, 3, 20)));
        assert_eq!(cal.nth_business_day_of_month(2026, 2, 25), None);
        assert_eq!(cal.nth_business_day_of_month(2026, 2, 0), None);
        assert_eq!(cal.nth_business_day_of_month(2026, 13, 1), None);
        // Friday 2026-07-02 + 1 → Monday 2026-07-06 (07-03 observed holiday).
        assert_eq!(cal.add_business_days(d(2026, 7, 2), 1), Some(d(2026, 7, 6)));
        assert_eq!(cal.add_business_days(d(2026, 7, 6), -1), Some(d(2026, 7, 2)));
        assert_eq!(cal.add_business_days(d(2026, 7, 4), 0), Some(d(2026, 7, 4)));
        assert_eq!(cal.add_business_days(d(2026, 3, 2), 5), Some(d(2026, 3, 9)));
    }

    #[test]
    fn closures_file() {
        let text = "\u{feff}# closures\r\n2025-01-09 # mourning\r\n\r\n  01/09/2025\r\n2026-03-05\r\n=\"2026-07-03\"\n";
        assert_eq!(parse_closures(text.as_bytes(), "c.txt").unwrap(), [d(2025, 1, 9), d(2026, 3, 5), d(2026, 7, 3)]);
        assert_eq!(parse_closures(b"", "c.txt").unwrap(), []);
        for (text, want) in [
            ("2025-01-09\n2026-02-30\n", "c.txt: line 2: \"2026-02-30\" is not a date"),
            ("\n\n2025-01-09 2025-01-10\n", "c.txt: line 3: \"2025-01-09 2025-01-10\" is not a date"),
            ("Mourning\n", "c.txt: line 1: \"Mourning\" is not a date"),
        ] {
            let e = parse_closures(text.as_bytes(), "c.txt").unwrap_err();
            assert!(e.to_string().starts_with(want), "{e}");
        }
        let e = parse_closures(b"2025-01-09\n\xff\xfe\x00x\n", "c.txt").unwrap_err();
        assert_eq!(e.to_string(), "c.txt: line 2: not UTF-8 text");
        // UTF-16LE with its byte-order mark, as Excel saves "Unicode text".
        let le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("2025-01-09\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(parse_closures(&le, "c.txt").unwrap(), [d(2025, 1, 9)]);
    }

    #[test]
    fn extra_closures() {
        let cal = BusinessCalendar::federal().with_extra_closures([d(2026, 3, 5), d(2026, 7, 3)]);
        assert!(!cal.is_business_day(d(2026, 3, 5)));
        assert_eq!(cal.nth_business_day_of_month(2026, 3, 15), Some(d(2026, 3, 23)));
        let h = cal.holidays_in(2026);
        assert_eq!(h.len(), 12);
        assert!(h.contains(&(d(2026, 3, 5), EXTRA_CLOSURE_NAME)));
        assert!(h.contains(&(d(2026, 7, 3), "Independence Day")));
    }
}
