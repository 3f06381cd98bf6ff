//! Calendar dates as they appear in ACE exports.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, ErrorKind, Result};

/// Parses a calendar date: `MM/DD/YYYY` (also `M/D/YYYY`), ISO `YYYY-MM-DD`, either optionally followed by a
/// time of day (ignored, as ACE timestamps are Eastern calendar dates), or `="…"`-wrapped.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidDate`] for any other text or an impossible date (`02/30/2026`).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// let d = cape_core::parse_date("03/16/2026")?;
/// assert_eq!(d, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
/// assert_eq!(cape_core::parse_date("2026-03-16")?, d);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    parse_date_bytes(s.as_bytes()).map_err(|r| Error::value(ErrorKind::InvalidDate, "date", s, r))
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')))
}

/// Allocation-free date parsing; see [`parse_date`].
pub(crate) fn parse_date_bytes(s: &[u8]) -> Result<NaiveDate, &'static str> {
    // ACE's own form, MM/DD/YYYY, straight from the bytes (most cells of an export are dates in it).
    if let [m1, m2, b'/', d1, d2, b'/', y1, y2, y3, y4] = *s {
        let digits = [m1, m2, d1, d2, y1, y2, y3, y4];
        if digits.iter().all(u8::is_ascii_digit) {
            let v = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            let y = v(y1, y2) * 100 + v(y3, y4);
            return NaiveDate::from_ymd_opt(y as i32, v(m1, m2), v(d1, d2)).ok_or("no such calendar date");
        }
    }
    let s = crate::values::text::unwrap_excel(s);
    // Drop a time-of-day part.
    let s = match s.iter().position(|&c| c == b' ' || c == b'T') {
        Some(i) => &s[..i],
        None => s,
    };
    let (y, m, d) = if s.len() == 10 && s[4] == b'-' && s[7] == b'-' {
        (num(&s[..4]), num(&s[5..7]), num(&s[8..10]))
    } else {
        let mut parts = s.split(|&c| c == b'/');
        let (m, d, y) = (parts.next(), parts.next(), parts.next());
        if parts.next().is_some() {
            return Err("expected MM/DD/YYYY or YYYY-MM-DD");
        }
        match (m, d, y) {
            (Some(m), Some(d), Some(y)) if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => (num(y), num(m), num(d)),
            _ => return Err("expected MM/DD/YYYY or YYYY-MM-DD"),
        }
    };
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d).ok_or("no such calendar date"),
        _ => Err("expected MM/DD/YYYY or YYYY-MM-DD"),
    }
}

/// The date of an Excel serial day number (1900 date system, as XLSX uses; serial 60 is Excel's phantom
/// 1900-02-29 and is rejected). Fractions (times) are dropped.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidDate`] for serials below 1, the phantom day, or beyond 9999.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// assert_eq!(cape_core::excel_serial_date(46097.0)?, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn excel_serial_date(serial: f64) -> Result<NaiveDate> {
    let bad = |r: &str| Error::value(ErrorKind::InvalidDate, "Excel serial date", &serial.to_string(), r);
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(bad("outside Excel's date range"));
    }
    let day = serial.floor() as i64;
    if day == 60 {
        return Err(bad("Excel's nonexistent 1900-02-29"));
    }
    // Serials after the phantom day are offset by one.
    let base = NaiveDate::from_ymd_opt(1899, 12, 31).ok_or_else(|| bad("epoch"))?;
    let offset = if day > 60 { day - 1 } else { day };
    base.checked_add_signed(chrono::Duration::days(offset)).ok_or_else(|| bad("outside Excel's date range"))
}

/// Formats a date as ISO `YYYY-MM-DD`.
pub fn iso(d: NaiveDate) -> String {
    let mut buf = [0u8; 10];
    match iso_bytes(d, &mut buf) {
        Some(s) => s.to_owned(),
        None => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
    }
}

/// `YYYY-MM-DD` written into `buf` for years 0 to 9999 (every date cape meets), without the formatting
/// machinery; `None` for other years.
pub(crate) fn iso_bytes(d: NaiveDate, buf: &mut [u8; 10]) -> Option<&str> {
    let y = u32::try_from(d.year()).ok().filter(|&y| y <= 9999)?;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    *buf = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(d.month() / 10),
        digit(d.month()),
        b'-',
        digit(d.day() / 10),
        digit(d.day()),
    ];
    std::str::from_utf8(buf).ok()
}

/// Serialises an optional date as chrono does (`YYYY-MM-DD`, or null), through [`iso_bytes`]: for output
/// records, where a date's `Display` was a visible share of the time.
///
/// # Errors
///
/// The serializer's.
pub(crate) fn serialize_opt_iso<S: serde::Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut buf = [0u8; 10];
    match d {
        None => s.serialize_none(),
        Some(d) => match iso_bytes(*d, &mut buf) {
            Some(text) => s.serialize_some(text),
            None => s.serialize_some(d),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn iso_dates_are_written_as_chrono_writes_them() {
        for date in [d(2025, 4, 15), d(1, 1, 1), d(999, 12, 31), d(9999, 12, 31), d(2026, 10, 9)] {
            let mut buf = [0u8; 10];
            assert_eq!(iso_bytes(date, &mut buf), Some(date.to_string().as_str()));
            assert_eq!(iso(date), date.to_string());
        }
        assert_eq!(iso_bytes(d(10000, 1, 1), &mut [0; 10]), None);
        assert_eq!(iso(d(10000, 1, 1)), "10000-01-01");
    }

    #[test]
    fn formats() {
        assert_eq!(parse_date("3/4/2025").unwrap(), d(2025, 3, 4));
        assert_eq!(parse_date("03/04/2025 00:00:00").unwrap(), d(2025, 3, 4));
        assert_eq!(parse_date("=\"2025-03-04\"").unwrap(), d(2025, 3, 4));
        assert_eq!(parse_date("2025-03-04T10:00:00").unwrap(), d(2025, 3, 4));
        for bad in ["", "2025/03/04", "13/01/2025", "02/30/2026", "3-4-2025", "03/04/25", "yesterday"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(iso(d(2026, 1, 5)), "2026-01-05");
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_date(1.0).unwrap(), d(1900, 1, 1));
        assert_eq!(excel_serial_date(59.0).unwrap(), d(1900, 2, 28));
        assert_eq!(excel_serial_date(61.0).unwrap(), d(1900, 3, 1));
        assert_eq!(excel_serial_date(45658.75).unwrap(), d(2025, 1, 1));
        assert!(excel_serial_date(60.0).is_err());
        assert!(excel_serial_date(0.0).is_err());
        assert!(excel_serial_date(f64::NAN).is_err());
    }
}
