//! CBP entry numbers (`XXX-NNNNNNN-C`) and their check digit.

use std::fmt;
use std::str::FromStr;

use crate::error::{EntryNumberError, Error, Result};

/// A CBP entry number whose format and check digit have been verified.
///
/// Eleven characters: a 3-character filer code (A–Z, 0–9), a 7-digit transaction serial and a check digit
/// (CBP Form 7501 instructions, Block 1). Parsing accepts `XXX-NNNNNNN-C`, `XXXNNNNNNNC`, spaces and lower case;
/// [`Display`](fmt::Display) gives the canonical dashed form and [`EntryNumber::compact`] the 11-character form
/// the CAPE declaration file wants.
///
/// # Example
///
/// ```
/// use cape_core::EntryNumber;
///
/// let n: EntryNumber = "abc 1234567 6".parse()?;
/// assert_eq!(n.to_string(), "ABC-1234567-6");
/// assert_eq!(n.compact(), "ABC12345676");
/// assert!("ABC-1234567-5".parse::<EntryNumber>().is_err());
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryNumber([u8; 11]);

/// The value of one character in the check-digit computation (A–I → 1–9, J–R → 1–9, S–Z → 2–9).
fn char_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'I' => u32::from(c - b'A') + 1,
        b'J'..=b'R' => u32::from(c - b'J') + 1,
        b'S'..=b'Z' => u32::from(c - b'S') + 2,
        _ => 0,
    }
}

fn check_digit_of(base: &[u8; 10]) -> u8 {
    let mut sum = 0u32;
    for (i, &c) in base.iter().enumerate() {
        let mut v = char_value(c);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

/// Computes the check digit for the first ten characters of an entry number (filer code + serial).
///
/// Dashes and spaces are ignored and letters may be lower case.
///
/// # Errors
///
/// [`Error::EntryNumber`] when the base is not 10 significant characters, holds a character other than a
/// letter or digit, or its serial (positions 4–10) is not all digits.
///
/// # Example
///
/// ```
/// assert_eq!(cape_core::check_digit("ABC1234567")?, 6);
/// assert_eq!(cape_core::check_digit("B76-0158522")?, 0);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn check_digit(base: &str) -> Result<u8> {
    let mut buf = [0u8; 10];
    let n = normalise_into(base, &mut buf).map_err(|reason| Error::EntryNumber { input: base.into(), reason })?;
    if n != 10 {
        return Err(Error::EntryNumber { input: base.into(), reason: EntryNumberError::Length { found: n } });
    }
    validate_base(&buf).map_err(|reason| Error::EntryNumber { input: base.into(), reason })?;
    Ok(check_digit_of(&buf))
}

/// Copies the significant characters (not `-` or whitespace) of `s`, upper-cased, into `out`; returns how many
/// there were (which may exceed `out.len()`; the excess is counted, not stored).
fn normalise_into(s: &str, out: &mut [u8]) -> Result<usize, EntryNumberError> {
    let mut n = 0usize;
    for ch in s.chars() {
        if ch == '-' || ch.is_whitespace() {
            continue;
        }
        if !ch.is_ascii_alphanumeric() {
            return Err(EntryNumberError::Character { ch, position: n + 1 });
        }
        if n < out.len() {
            out[n] = ch.to_ascii_uppercase() as u8;
        }
        n += 1;
    }
    Ok(n)
}

fn validate_base(b: &[u8; 10]) -> Result<(), EntryNumberError> {
    for (i, &c) in b.iter().enumerate().skip(3) {
        if !c.is_ascii_digit() {
            return Err(EntryNumberError::SerialNotDigits { ch: c as char, position: i + 1 });
        }
    }
    Ok(())
}

impl EntryNumber {
    /// Parses and verifies an entry number; see the type documentation for the accepted forms.
    ///
    /// # Errors
    ///
    /// [`Error::EntryNumber`] with an [`EntryNumberError`] saying exactly what is wrong: the length, a
    /// character that is not allowed, a serial that is not digits, or the check digit given versus expected.
    pub fn parse(s: &str) -> Result<Self> {
        Self::parse_reason(s).map_err(|reason| Error::EntryNumber { input: s.to_owned(), reason })
    }

    /// Like [`EntryNumber::parse`] but returns only the reason, without allocating (for hot paths).
    ///
    /// # Errors
    ///
    /// The [`EntryNumberError`] describing the defect.
    pub fn parse_reason(s: &str) -> Result<Self, EntryNumberError> {
        let mut buf = [0u8; 11];
        let n = normalise_into(s, &mut buf)?;
        if n != 11 {
            return Err(EntryNumberError::Length { found: n });
        }
        let mut base = [0u8; 10];
        base.copy_from_slice(&buf[..10]);
        validate_base(&base)?;
        let c = buf[10];
        if !c.is_ascii_digit() {
            return Err(EntryNumberError::CheckNotDigit { ch: c as char });
        }
        let given = c - b'0';
        let expected = check_digit_of(&base);
        if given != expected {
            return Err(EntryNumberError::CheckDigit { given, expected });
        }
        Ok(EntryNumber(buf))
    }

    /// Builds an entry number from a filer code and serial, appending the computed check digit.
    ///
    /// # Errors
    ///
    /// [`Error::EntryNumber`] when the filer code is not 3 letters/digits or the serial exceeds 7 digits.
    pub fn from_parts(filer: &str, serial: u32) -> Result<Self> {
        if serial > 9_999_999 {
            return Err(Error::EntryNumber {
                input: format!("{filer}{serial}"),
                reason: EntryNumberError::Length { found: 3 + serial.to_string().len() },
            });
        }
        let base = format!("{filer}{serial:07}");
        let d = check_digit(&base)?;
        Self::parse(&format!("{base}{d}"))
    }

    /// The 11-character form without dashes, as the CAPE declaration file wants it.
    pub fn compact(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The 3-character filer code.
    pub fn filer_code(&self) -> crate::FilerCode {
        crate::FilerCode::from_bytes_unchecked([self.0[0], self.0[1], self.0[2]])
    }

    /// The 7-digit transaction serial, as text (leading zeros are significant).
    pub fn serial(&self) -> &str {
        &self.compact()[3..10]
    }

    /// The check digit.
    pub fn check(&self) -> u8 {
        self.0[10] - b'0'
    }

    /// A compact, order-preserving integer key (for hash sets of millions of entries).
    pub fn key(&self) -> u64 {
        let mut k = 0u64;
        for &c in &self.0[..3] {
            k = k * 36 + u64::from(if c.is_ascii_digit() { c - b'0' } else { c - b'A' + 10 });
        }
        for &c in &self.0[3..] {
            k = k * 10 + u64::from(c - b'0');
        }
        k
    }
}

impl FromStr for EntryNumber {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.compact();
        write!(f, "{}-{}-{}", &s[..3], &s[3..10], &s[10..])
    }
}

impl fmt::Debug for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryNumber({self})")
    }
}

impl serde::Serialize for EntryNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EntryNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        EntryNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_vectors() {
        for (base, d) in [
            ("ABC1234567", 6),
            ("9999999999", 0),
            ("3160123456", 5),
            ("1234567890", 3),
            ("ZZZ0000000", 3),
            ("B760158522", 0),
        ] {
            assert_eq!(check_digit(base).unwrap(), d, "{base}");
            let full = format!("{base}{d}");
            assert_eq!(EntryNumber::parse(&full).unwrap().compact(), full);
        }
    }

    #[test]
    fn accepted_forms() {
        for s in ["ABC-1234567-6", "ABC12345676", "abc 1234567 6", " abc-1234567-6 ", "AbC\t1234567-6"] {
            let n = EntryNumber::parse(s).unwrap();
            assert_eq!(n.to_string(), "ABC-1234567-6");
        }
    }

    #[test]
    fn precise_errors() {
        let e = |s: &str| EntryNumber::parse_reason(s).unwrap_err();
        assert_eq!(e("ABC-1234567"), EntryNumberError::Length { found: 10 });
        assert_eq!(e("ABC-1234567-66"), EntryNumberError::Length { found: 12 });
        assert_eq!(e("AB_-1234567-6"), EntryNumberError::Character { ch: '_', position: 3 });
        assert_eq!(e("ABC-12345X7-6"), EntryNumberError::SerialNotDigits { ch: 'X', position: 9 });
        assert_eq!(e("ABC-1234567-X"), EntryNumberError::CheckNotDigit { ch: 'X' });
        assert_eq!(e("ABC-1234567-5"), EntryNumberError::CheckDigit { given: 5, expected: 6 });
        let msg = EntryNumber::parse("ABC-1234567-5").unwrap_err().to_string();
        assert!(msg.contains("check digit is 5, expected 6"), "{msg}");
    }

    #[test]
    fn key_is_injective_on_examples() {
        let a = EntryNumber::parse("ABC12345676").unwrap();
        let b = EntryNumber::from_parts("ABD", 1_234_567).unwrap();
        assert_ne!(a.key(), b.key());
        assert!(a.key() < b.key());
    }

    proptest! {
        #[test]
        fn check_digit_round_trip(filer in "[A-Z0-9]{3}", serial in 0u32..10_000_000) {
            let n = EntryNumber::from_parts(&filer, serial).unwrap();
            let again: EntryNumber = n.to_string().parse().unwrap();
            prop_assert_eq!(n, again);
            prop_assert_eq!(EntryNumber::parse(&n.compact().to_lowercase()).unwrap(), n);
            // Any other check digit is rejected.
            let wrong = (n.check() + 1) % 10;
            let bad = format!("{}{}", &n.compact()[..10], wrong);
            prop_assert!(EntryNumber::parse(&bad).is_err());
        }

        #[test]
        fn single_digit_errors_are_caught(filer in "[A-Z0-9]{3}", serial in 0u32..10_000_000, pos in 3usize..10, delta in 1u8..10) {
            // Changing one serial digit always changes the check digit (the Luhn-style weights are bijective).
            let n = EntryNumber::from_parts(&filer, serial).unwrap();
            let mut b = n.compact().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap();
            prop_assert!(EntryNumber::parse(&s).is_err());
        }
    }
}
