//! Harmonized Tariff Schedule numbers.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// An HTS number of 8 or 10 digits (`9903.01.25`, `8471.30.0100`, `99030125`...).
///
/// Dots, spaces and Excel's `="…"` wrapper are accepted on parsing; [`Display`](fmt::Display) gives the dotted
/// form (`9903.01.25`, `8471.30.01.00`) and [`HtsNumber::digits`] the bare digits.
///
/// # Example
///
/// ```
/// use cape_core::HtsNumber;
/// let h: HtsNumber = "99030125".parse()?;
/// assert_eq!(h.to_string(), "9903.01.25");
/// assert_eq!(h.chapter(), 99);
/// assert!(h.is_chapter_99());
/// assert_eq!("8471.30.0100".parse::<HtsNumber>()?.to_string(), "8471.30.01.00");
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HtsNumber {
    digits: [u8; 10],
    len: u8,
}

impl HtsNumber {
    /// Parses an HTS number.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidHtsNumber`] when the text is not 8 or 10 digits once dots,
    /// spaces and an `="…"` wrapper are removed, or when the chapter is 00 or above 99.
    pub fn parse(s: &str) -> Result<Self> {
        Self::parse_bytes(s.as_bytes()).map_err(|r| Error::value(ErrorKind::InvalidHtsNumber, "HTS number", s, r))
    }

    /// Parses from raw bytes, returning the reason on failure (no allocation on success).
    pub(crate) fn parse_bytes(s: &[u8]) -> Result<Self, &'static str> {
        let s = crate::values::text::unwrap_excel(s);
        let mut digits = [0u8; 10];
        let mut n = 0usize;
        for &c in s {
            match c {
                b'0'..=b'9' => {
                    if n == 10 {
                        return Err("more than 10 digits");
                    }
                    digits[n] = c;
                    n += 1;
                }
                b'.' | b' ' | b'\t' => {}
                _ => return Err("only digits and dots are allowed"),
            }
        }
        if n != 8 && n != 10 {
            return Err("expected 8 or 10 digits");
        }
        if digits[0] == b'0' && digits[1] == b'0' {
            return Err("chapter 00 does not exist");
        }
        Ok(HtsNumber { digits, len: n as u8 })
    }

    /// The digits without dots (8 or 10 characters).
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len as usize]).unwrap_or("")
    }

    /// The 8-digit subheading (the first 8 digits).
    pub fn subheading(&self) -> &str {
        &self.digits()[..8]
    }

    /// The digits without dots as ASCII bytes (8 or 10): [`HtsNumber::digits`] without the UTF-8 check.
    pub(crate) fn digit_bytes(&self) -> &[u8] {
        &self.digits[..self.len as usize]
    }

    /// The 8-digit subheading as an integer (`9903.01.25` → `99030125`). Orders and compares exactly as
    /// [`HtsNumber::subheading`] does (eight ASCII digits order as the number they spell), without building a
    /// `&str`: the key of the catalogue's binary search.
    pub(crate) fn subheading_key(&self) -> u32 {
        self.digits[..8].iter().fold(0u32, |k, &d| k * 10 + u32::from(d - b'0'))
    }

    /// The chapter (first two digits), 1–99.
    pub fn chapter(&self) -> u8 {
        (self.digits[0] - b'0') * 10 + (self.digits[1] - b'0')
    }

    /// True for Chapter 99 (temporary legislation, special duties: IEEPA, 232, 301...).
    pub fn is_chapter_99(&self) -> bool {
        self.chapter() == 99
    }

    /// True for the ordinary tariff chapters 1–97.
    pub fn is_chapter_1_97(&self) -> bool {
        (1..=97).contains(&self.chapter())
    }
}

impl FromStr for HtsNumber {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for HtsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}.{}.{}", &d[..4], &d[4..6], &d[6..8])?;
        if d.len() == 10 {
            write!(f, ".{}", &d[8..10])?;
        }
        Ok(())
    }
}

impl fmt::Debug for HtsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HtsNumber({self})")
    }
}

impl serde::Serialize for HtsNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for HtsNumber {
    /// Reads what `Serialize` writes (`9903.01.25`), or any form [`HtsNumber::parse`] accepts.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        HtsNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        assert_eq!(HtsNumber::parse("9903.01.25").unwrap().digits(), "99030125");
        assert_eq!(HtsNumber::parse("=\"99030125\"").unwrap().to_string(), "9903.01.25");
        assert_eq!(HtsNumber::parse("8471300100").unwrap().to_string(), "8471.30.01.00");
        assert_eq!(HtsNumber::parse("0101.21.0010").unwrap().chapter(), 1);
        assert!(HtsNumber::parse("8471300100").unwrap().is_chapter_1_97());
        for bad in ["", "9903.01", "99030125001", "9903-01-25", "0001.00.00"] {
            assert!(HtsNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn subheading_key_orders_as_subheading(a in "[1-9][0-9]{7}([0-9]{2})?", b in "[1-9][0-9]{7}([0-9]{2})?") {
            let (a, b) = (HtsNumber::parse(&a).unwrap(), HtsNumber::parse(&b).unwrap());
            prop_assert_eq!(a.subheading_key().cmp(&b.subheading_key()), a.subheading().cmp(b.subheading()));
            prop_assert_eq!(a.subheading_key().to_string(), a.subheading());
            prop_assert_eq!(a.digit_bytes(), a.digits().as_bytes());
        }

        #[test]
        fn display_parse_round_trip(d in "[1-9][0-9]{7}([0-9]{2})?") {
            let h = HtsNumber::parse(&d).unwrap();
            prop_assert_eq!(h.digits(), d.as_str());
            prop_assert_eq!(HtsNumber::parse(&h.to_string()).unwrap(), h);
        }
    }
}
