//! U.S. dollar amounts over `rust_decimal`, with explicit rounding.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, ErrorKind, Result};

/// How an amount is rounded to cents. Every rounding in cape names one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rounding {
    /// Half away from zero (0.005 → 0.01, −0.005 → −0.01): the commercial rule cape uses for cents.
    HalfUp,
    /// Half to even (banker's rounding, `rust_decimal`'s default).
    HalfEven,
    /// Toward zero (truncation).
    TowardZero,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::TowardZero => RoundingStrategy::ToZero,
        }
    }
}

/// An amount of U.S. dollars, exact (never a float).
///
/// Parsing accepts the formats of ACE exports: `1234.56`, `$1,234.56`, `-$1,234.56`, `$-1,234.56`,
/// `(1,234.56)`, `="1234.56"`. It is exact: `0.005` stays `0.005` until a rounding with a named [`Rounding`]
/// is asked for. [`Display`](fmt::Display) writes at least two decimals (`1234.50`).
///
/// # Example
///
/// ```
/// use cape_core::{Rounding, Usd};
/// let a: Usd = "$1,234.565".parse()?;
/// assert_eq!(a.round_cents(Rounding::HalfUp).to_string(), "1234.57");
/// assert_eq!(a.round_cents(Rounding::HalfEven).to_string(), "1234.56");
/// assert_eq!("(10.00)".parse::<Usd>()?, Usd::from_cents(-1000));
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Usd(Decimal);

impl Usd {
    /// Zero dollars.
    pub const ZERO: Usd = Usd(Decimal::ZERO);

    /// Wraps an exact decimal amount.
    pub fn new(amount: Decimal) -> Self {
        Usd(amount)
    }

    /// An amount of whole cents.
    pub fn from_cents(cents: i64) -> Self {
        Usd(Decimal::new(cents, 2))
    }

    /// The exact decimal value.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Rounds to cents with the named strategy.
    pub fn round_cents(self, rounding: Rounding) -> Self {
        Usd(self.0.round_dp_with_strategy(2, rounding.strategy()))
    }

    /// Rounds to whole dollars with the named strategy (19 CFR 159.3 values for ad valorem duty).
    pub fn round_dollars(self, rounding: Rounding) -> Self {
        Usd(self.0.round_dp_with_strategy(0, rounding.strategy()))
    }

    /// The amount in cents when it is a whole number of cents that fits in `i64`.
    pub fn to_cents(self) -> Option<i64> {
        let c = self.0.checked_mul(Decimal::ONE_HUNDRED)?;
        if c.fract().is_zero() {
            i64::try_from(c).ok()
        } else {
            None
        }
    }

    /// True when the amount has at most two decimals.
    pub fn is_whole_cents(self) -> bool {
        self.0.round_dp(2) == self.0
    }

    /// True for zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// True for amounts above zero.
    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    /// True for amounts below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Checked addition.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the result is outside `Decimal`'s range.
    pub fn checked_add(self, other: Usd) -> Result<Usd> {
        match self.0.checked_add(other.0) {
            Some(v) => Ok(Usd(v)),
            // Built only on failure: an `Error` made and dropped on every sum was a visible cost.
            None => Err(Error::Overflow("money addition")),
        }
    }

    /// Checked subtraction.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the result is outside `Decimal`'s range.
    pub fn checked_sub(self, other: Usd) -> Result<Usd> {
        match self.0.checked_sub(other.0) {
            Some(v) => Ok(Usd(v)),
            // Built only on failure: an `Error` made and dropped on every sum was a visible cost.
            None => Err(Error::Overflow("money subtraction")),
        }
    }

    /// Checked multiplication by a decimal factor (a rate), exact.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the result is outside `Decimal`'s range.
    pub fn checked_mul(self, factor: Decimal) -> Result<Usd> {
        match self.0.checked_mul(factor) {
            Some(v) => Ok(Usd(v)),
            // Built only on failure: an `Error` made and dropped on every sum was a visible cost.
            None => Err(Error::Overflow("money multiplication")),
        }
    }

    /// Parses an amount; see the type documentation for the accepted forms.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidMoney`] for anything else (letters, two signs, misplaced
    /// separators, more than 28 significant digits), and for amounts of 10^26 dollars or more, so that every
    /// amount has an exact two-decimal form and `Usd::parse(&x.to_string())` gives `x` back.
    pub fn parse(s: &str) -> Result<Self> {
        Self::parse_bytes(s.as_bytes()).map_err(|r| Error::value(ErrorKind::InvalidMoney, "amount", s, r))
    }

    /// Parses from raw bytes, returning the reason on failure. Allocation-free.
    pub(crate) fn parse_bytes(s: &[u8]) -> Result<Self, &'static str> {
        let mut s = crate::values::text::unwrap_excel(s);
        if s.is_empty() {
            return Err("empty");
        }
        let mut negative = false;
        if s[0] == b'(' {
            if s[s.len() - 1] != b')' {
                return Err("unbalanced parenthesis");
            }
            negative = true;
            s = s[1..s.len() - 1].trim_ascii();
        }
        let mut sign_seen = negative;
        let mut dollar_seen = false;
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'-' | b'+' if !sign_seen => {
                    sign_seen = true;
                    negative = s[i] == b'-';
                }
                b'$' if !dollar_seen => dollar_seen = true,
                b' ' => {}
                _ => break,
            }
            i += 1;
        }
        let body = &s[i..];
        if body.is_empty() {
            return Err("no digits");
        }
        // Copy the digits without thousands separators into a stack buffer.
        let mut buf = [0u8; 40];
        let mut n = 0usize;
        let mut dot = false;
        let mut digits_since_comma: Option<usize> = None;
        let mut int_digits = 0usize;
        // The digits as an integer and the decimals after the point, for the common short amount.
        let (mut mantissa, mut scale, mut ndigits) = (0u64, 0u32, 0u32);
        for &c in body {
            match c {
                b'0'..=b'9' => {
                    if n >= buf.len() - 1 {
                        return Err("too many digits");
                    }
                    buf[n] = c;
                    n += 1;
                    ndigits += 1;
                    if ndigits <= 18 {
                        mantissa = mantissa * 10 + u64::from(c - b'0');
                        scale += u32::from(dot);
                    }
                    if !dot {
                        int_digits += 1;
                        if let Some(d) = digits_since_comma.as_mut() {
                            *d += 1;
                        }
                    }
                }
                b',' if !dot => {
                    if int_digits == 0 || matches!(digits_since_comma, Some(d) if d != 3) {
                        return Err("misplaced thousands separator");
                    }
                    digits_since_comma = Some(0);
                }
                b'.' if !dot => {
                    if matches!(digits_since_comma, Some(d) if d != 3) {
                        return Err("misplaced thousands separator");
                    }
                    dot = true;
                    buf[n] = b'.';
                    n += 1;
                }
                _ => return Err("not a money amount"),
            }
        }
        if matches!(digits_since_comma, Some(d) if d != 3) {
            return Err("misplaced thousands separator");
        }
        if ndigits == 0 {
            return Err("no digits");
        }
        let mut d = match i64::try_from(mantissa) {
            // Up to 18 digits: exactly what parsing the text gives, without the text (the usual case), and
            // far inside the range checked below.
            Ok(m) if ndigits <= 18 => {
                let mut d = Decimal::new(m, scale);
                d.set_sign_negative(negative);
                return Ok(Usd(d));
            }
            _ => {
                let text = std::str::from_utf8(&buf[..n]).map_err(|_| "not a money amount")?;
                let text = if let Some(stripped) = text.strip_suffix('.') { stripped } else { text };
                Decimal::from_str_exact(text).map_err(|_| "out of range")?
            }
        };
        // 10^26: with two decimals an amount then still fits in `Decimal` (found by fuzzing: 29-digit amounts
        // parsed, but their two-decimal display did not).
        if d.abs() >= Decimal::from_i128_with_scale(100_000_000_000_000_000_000_000_000, 0) {
            return Err("out of range");
        }
        if negative {
            d.set_sign_negative(true);
        }
        Ok(Usd(d))
    }

    /// The amount as a money *input*: whole cents, at two decimals (`10.000` → `10.00`). This is cape's one
    /// rule for sub-cent money, used at every boundary where an amount comes in (ES-003 money cells, the CLI's
    /// `--principal` and `--min-refund`, Python and C money arguments): ACE amounts are whole cents, so an
    /// amount with non-zero digits beyond cents (`10.005`) is refused, never rounded silently. Computations
    /// inside cape (interest factors, rates) may keep more digits and round once with a named [`Rounding`].
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidMoney`] naming `what` (the argument or cell) and the amount.
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::Usd;
    /// assert_eq!(Usd::parse("10.000")?.whole_cents("principal")?.to_string(), "10.00");
    /// let e = Usd::parse("100.005")?.whole_cents("principal").unwrap_err();
    /// assert_eq!(e.to_string(), "invalid principal \"100.005\": has non-zero digits beyond cents; amounts must be whole cents");
    /// # Ok::<(), cape_core::Error>(())
    /// ```
    pub fn whole_cents(self, what: &'static str) -> Result<Usd> {
        if self.is_whole_cents() {
            Ok(Usd(self.0.round_dp(2)))
        } else {
            Err(Error::value(ErrorKind::InvalidMoney, what, &self.0.to_string(), SUB_CENT))
        }
    }

    /// Parses a money input: [`Usd::parse`], then [`Usd::whole_cents`] (sub-cent amounts refused).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidMoney`] naming `what`, for text that is not an amount
    /// and for an amount with non-zero digits beyond cents.
    pub fn parse_cents(s: &str, what: &'static str) -> Result<Usd> {
        match Self::parse_cents_bytes(s.as_bytes()) {
            Ok(u) => Ok(u),
            Err(r) => Err(Error::value(ErrorKind::InvalidMoney, what, s, r)),
        }
    }

    /// [`Usd::parse_bytes`] then the whole-cents rule; the reason is [`SUB_CENT`] for a sub-cent amount.
    pub(crate) fn parse_cents_bytes(s: &[u8]) -> Result<Self, &'static str> {
        let u = Self::parse_bytes(s)?;
        if u.0.scale() <= 2 {
            // Whole cents as written (rounding to two places would change nothing).
            return Ok(u);
        }
        if u.is_whole_cents() {
            Ok(Usd(u.0.round_dp(2)))
        } else {
            Err(SUB_CENT)
        }
    }

    /// Writes the amount rounded half-up to exactly two decimals (the form of every cape report).
    pub fn to_string_2dp(self) -> String {
        let mut buf = [0u8; CENTS_TEXT];
        if let Some(text) = self.cents_text(&mut buf) {
            return text.to_owned();
        }
        let r = self.0.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        format!("{r:.2}")
    }

    /// [`Usd::to_string_2dp`] appended to `out`.
    pub(crate) fn write_2dp(self, out: &mut Vec<u8>) {
        let mut buf = [0u8; CENTS_TEXT];
        match self.cents_text(&mut buf) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => out.extend_from_slice(self.to_string_2dp().as_bytes()),
        }
    }

    /// The amount with exactly two decimals, written into `buf` without the formatting machinery, when it has
    /// at most two decimals (every amount read or computed in cents: nothing to round) and is not a negative
    /// zero; `None` otherwise.
    fn cents_text(self, buf: &mut [u8; CENTS_TEXT]) -> Option<&str> {
        let scale = self.0.scale();
        let m = self.0.mantissa();
        if scale > 2 || (m == 0 && self.0.is_sign_negative()) {
            return None;
        }
        let cents = m.unsigned_abs().checked_mul(if scale == 2 { 1 } else { 10u128.pow(2 - scale) })?;
        let mut at = buf.len();
        let mut put = |b: u8, at: &mut usize| {
            *at -= 1;
            buf[*at] = b;
        };
        put(b'0' + (cents % 10) as u8, &mut at);
        put(b'0' + (cents / 10 % 10) as u8, &mut at);
        put(b'.', &mut at);
        let mut dollars = cents / 100;
        loop {
            put(b'0' + (dollars % 10) as u8, &mut at);
            dollars /= 10;
            if dollars == 0 {
                break;
            }
        }
        if m < 0 {
            put(b'-', &mut at);
        }
        std::str::from_utf8(&buf[at..]).ok()
    }
}

/// Why a sub-cent money input is refused ([`Usd::whole_cents`]).
pub(crate) const SUB_CENT: &str = "has non-zero digits beyond cents; amounts must be whole cents";

/// Parses a percent, exactly: a plain non-negative decimal with an optional `%` sign (`"7"`, `"7.5"`, `"7%"`),
/// surrounding spaces ignored. The one percent parser of every surface (`--assume-rate`, Python, C).
///
/// # Errors
///
/// [`Error::Value`] (kind `invalid_value`, naming `what`) for anything else: a negative number, an exponent,
/// more digits than `Decimal` holds, or text.
///
/// # Example
///
/// ```
/// use cape_core::values::money::parse_percent;
/// assert_eq!(parse_percent(" 7.5% ", "rate")?.to_string(), "7.5");
/// assert!(parse_percent("-1", "rate").is_err());
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn parse_percent(text: &str, what: &'static str) -> Result<Decimal> {
    let t = text.trim();
    let number = t.strip_suffix('%').map_or(t, str::trim_end);
    Decimal::from_str_exact(number).ok().filter(|d| !d.is_sign_negative()).ok_or_else(|| {
        Error::value(
            ErrorKind::InvalidValue,
            what,
            text,
            "not a percent such as 7 or 7.5 (non-negative, plain decimal)",
        )
    })
}

/// Whether a money argument may be negative ([`parse_canonical`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Sign {
    /// Zero or more (a principal, a minimum refund): a leading `-` is refused.
    NonNegative,
    /// Any sign: one leading `-` is read.
    Any,
}

/// The most integer digits of a canonical amount: amounts stay below 10^26 dollars, as [`Usd::parse`]'s.
const CANONICAL_INT_DIGITS: usize = 26;

/// Why a money argument is not canonical ([`parse_canonical`]).
const NOT_CANONICAL: &str =
    "not a plain decimal amount such as 1234.50 (digits, then '.' and one or two decimals; no '$', ',', spaces, \
     '+' or exponent)";

/// Parses a money *argument* of an API (C, and any caller that is a program, not a report): only the canonical
/// decimal form, exactly. Accepted: one or more ASCII digits, then optionally `.` and one or two digits; with
/// [`Sign::Any`] also one leading `-`. Nothing else: no `$`, no thousands separators, no spaces, no `+`, no
/// exponent, no parentheses, no third decimal (even `0`), no `.` without digits on both sides. `-0` is zero.
///
/// Report cells keep [`Usd::parse`] (ACE's exports carry `$1,234.56`); a program passing `"$1,000.00"` or
/// `"1000.005"` has a bug that rounding or separator-guessing would hide.
///
/// # Errors
///
/// [`Error::Value`] of kind [`ErrorKind::InvalidMoney`] naming `what` (the argument) and the text: empty, a
/// character outside the form, more than two decimals, a `-` with [`Sign::NonNegative`], or more than
/// 26 integer digits (10^26 dollars or more).
///
/// # Example
///
/// ```
/// use cape_core::values::money::{parse_canonical, Sign};
/// assert_eq!(parse_canonical("1000.5", "principal", Sign::NonNegative)?.to_string(), "1000.50");
/// assert_eq!(parse_canonical("-5", "adjustment", Sign::Any)?.to_string(), "-5.00");
/// for bad in ["$1000.00", "1,000.00", "1000.005", " 1", "1e3", ".5", "5."] {
///     assert!(parse_canonical(bad, "principal", Sign::NonNegative).is_err(), "{bad}");
/// }
/// let e = parse_canonical("-5", "minimum_refund", Sign::NonNegative).unwrap_err();
/// assert_eq!(e.to_string(), "invalid minimum_refund \"-5\": negative; must be 0 or more");
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn parse_canonical(text: &str, what: &'static str, sign: Sign) -> Result<Usd> {
    let fail = |reason: &str| Error::value(ErrorKind::InvalidMoney, what, text, reason);
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if text.is_empty() {
        return Err(fail("empty"));
    }
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(fail(NOT_CANONICAL));
    }
    if frac.is_some_and(|f| f.len() > 2) {
        return Err(fail("more than two decimals; amounts are whole cents"));
    }
    if negative && sign == Sign::NonNegative {
        return Err(fail("negative; must be 0 or more"));
    }
    if int.trim_start_matches('0').len() > CANONICAL_INT_DIGITS {
        return Err(fail("out of range (10^26 dollars or more)"));
    }
    // Digits, one optional '.', at most 26 + 2 significant digits: an exact Decimal.
    let mut d = Decimal::from_str_exact(body).map_err(|_| fail("out of range (10^26 dollars or more)"))?;
    d.set_sign_negative(negative && !d.is_zero());
    Ok(Usd(d))
}

impl FromStr for Usd {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Room for any `Decimal` amount in cents as text: 29 digits, a sign, a point.
const CENTS_TEXT: usize = 40;

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; CENTS_TEXT];
        if let Some(text) = self.cents_text(&mut buf) {
            return f.write_str(text);
        }
        if self.0.scale() < 2 {
            write!(f, "{:.2}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Debug for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Usd({self})")
    }
}

impl Sum for Usd {
    /// Sums amounts. Sums of real duty amounts cannot approach `Decimal`'s 7.9e28 limit; use
    /// [`Usd::checked_add`] where the inputs are unbounded.
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        Usd(iter.map(|u| u.0).sum())
    }
}

impl serde::Serialize for Usd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Usd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Usd::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Amounts as read from input, with their exact scale (`0` stays `0`, `12.5` stays `12.5`), for the serialised
/// form of entries ([`crate::values::serial`]): `Usd`'s own `Serialize` writes at least two decimals (cape's
/// output), which would turn `0` into `0.00` — equal, but not the same `Decimal`. Use as
/// `#[serde(with = "crate::values::money::exact")]` (and `exact::option`, `exact::fact`).
pub(crate) mod exact {
    use std::borrow::Cow;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Usd;
    use crate::model::Fact;

    /// An amount's exact text.
    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Exact(#[serde(with = "self")] Usd);

    pub(crate) fn serialize<S: Serializer>(u: &Usd, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&u.0)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Usd, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Decimal::from_str_exact(&s).map(Usd).map_err(serde::de::Error::custom)
    }

    /// `Option<Usd>`, exact.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(u: &Option<Usd>, s: S) -> Result<S::Ok, S::Error> {
            u.map(Exact).serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Usd>, D::Error> {
            Ok(Option::<Exact>::deserialize(d)?.map(|e| e.0))
        }
    }

    /// `Fact<Usd>`, exact.
    pub(crate) mod fact {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(u: &Fact<Usd>, s: S) -> Result<S::Ok, S::Error> {
            match u {
                Fact::NotSupplied => Fact::<Exact>::NotSupplied.serialize(s),
                Fact::Blank => Fact::<Exact>::Blank.serialize(s),
                Fact::Known(v) => Fact::Known(Exact(*v)).serialize(s),
                Fact::Unreadable(t) => Fact::<Exact>::Unreadable(t.clone()).serialize(s),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fact<Usd>, D::Error> {
            Ok(match Fact::<Exact>::deserialize(d)? {
                Fact::NotSupplied => Fact::NotSupplied,
                Fact::Blank => Fact::Blank,
                Fact::Known(e) => Fact::Known(e.0),
                Fact::Unreadable(t) => Fact::Unreadable(t),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> String {
        Usd::parse(s).unwrap().to_string()
    }

    #[test]
    fn ace_formats() {
        assert_eq!(p("1234.56"), "1234.56");
        assert_eq!(p("$1,234.56"), "1234.56");
        assert_eq!(p("-$1,234.56"), "-1234.56");
        assert_eq!(p("$-1,234.56"), "-1234.56");
        assert_eq!(p("(1,234.56)"), "-1234.56");
        assert_eq!(p("=\"12.5\""), "12.50");
        assert_eq!(p("$ 1,000,000"), "1000000.00");
        assert_eq!(p("0"), "0.00");
        assert_eq!(p("0.005"), "0.005");
        assert_eq!(p("12."), "12.00");
        for bad in ["", "$", "abc", "1,23.00", "12,3456", "1.2.3", "--1", "1e5", "12 USD", "(12", ",123"] {
            assert!(Usd::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_arguments_only() {
        let ok = |s: &str, sign| parse_canonical(s, "principal", sign).unwrap();
        assert_eq!(ok("1000.00", Sign::NonNegative), Usd::from_cents(100_000));
        assert_eq!(ok("1000", Sign::NonNegative).to_string(), "1000.00");
        assert_eq!(ok("0.5", Sign::NonNegative).to_string(), "0.50");
        assert_eq!(ok("0", Sign::NonNegative), Usd::ZERO);
        assert_eq!(ok("-12.34", Sign::Any), Usd::from_cents(-1234));
        let zero = ok("-0", Sign::Any);
        assert!(zero.is_zero() && !zero.amount().is_sign_negative());
        let max = "9".repeat(26) + ".99";
        assert_eq!(ok(&max, Sign::NonNegative).to_string(), max);
        let reason = |s: &str, sign| match parse_canonical(s, "principal", sign).unwrap_err() {
            Error::Value { kind, what, input, reason } => {
                assert_eq!((kind, what, input.as_str()), (ErrorKind::InvalidMoney, "principal", s));
                reason
            }
            e => panic!("{e:?}"),
        };
        for bad in [
            "$1000.00", "1,000.00", "1000.", ".50", "+5", " 5", "5 ", "1e3", "(5)", "--5", "5-", "1.2.3", "\u{661}",
            "NaN", "-", "-.5", "0x10",
        ] {
            assert_eq!(reason(bad, Sign::Any), NOT_CANONICAL, "{bad:?}");
        }
        assert_eq!(reason("", Sign::Any), "empty");
        assert_eq!(reason("1000.005", Sign::NonNegative), "more than two decimals; amounts are whole cents");
        assert_eq!(reason("1000.000", Sign::NonNegative), "more than two decimals; amounts are whole cents");
        assert_eq!(reason("-5", Sign::NonNegative), "negative; must be 0 or more");
        assert_eq!(reason(&"9".repeat(27), Sign::NonNegative), "out of range (10^26 dollars or more)");
    }

    #[test]
    fn rounding_is_named() {
        let a = Usd::parse("2.345").unwrap();
        assert_eq!(a.round_cents(Rounding::HalfUp).to_string(), "2.35");
        assert_eq!(a.round_cents(Rounding::HalfEven).to_string(), "2.34");
        assert_eq!(a.round_cents(Rounding::TowardZero).to_string(), "2.34");
        assert_eq!(Usd::parse("-2.345").unwrap().round_cents(Rounding::HalfUp).to_string(), "-2.35");
        assert_eq!(Usd::parse("1234.5").unwrap().round_dollars(Rounding::HalfUp).to_string(), "1235.00");
        assert_eq!(a.to_string_2dp(), "2.35");
        assert_eq!(Usd::from_cents(123).to_cents(), Some(123));
        assert_eq!(a.to_cents(), None);
    }

    proptest! {
        /// The written forms (`Display`, `to_string_2dp`) are exactly those of `Decimal`'s own formatting,
        /// whatever the mantissa, scale and sign.
        #[test]
        fn written_amounts_are_decimals_own_text(m in any::<i64>(), wide: bool, scale in 0u32..6, neg_zero: bool) {
            let mantissa = if wide { i128::from(m) * 1_000_000_000 } else { i128::from(m) };
            let mut d = Decimal::from_i128_with_scale(mantissa, scale);
            if neg_zero && mantissa == 0 {
                d.set_sign_negative(true);
            }
            let u = Usd(d);
            let display = if d.scale() < 2 { format!("{d:.2}") } else { format!("{d}") };
            prop_assert_eq!(u.to_string(), display);
            let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(u.to_string_2dp(), format!("{r:.2}"));
        }

        #[test]
        fn cents_round_trip(c in -10_000_000_000i64..10_000_000_000) {
            let u = Usd::from_cents(c);
            prop_assert_eq!(Usd::parse(&u.to_string()).unwrap(), u);
            prop_assert_eq!(u.to_cents(), Some(c));
            // The formatted-with-separators form parses back too.
            let neg = c < 0;
            let abs = c.unsigned_abs();
            let dollars = (abs / 100).to_string();
            let mut grouped = String::new();
            for (i, ch) in dollars.chars().enumerate() {
                if i > 0 && (dollars.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(ch);
            }
            let s = format!("{}${}.{:02}", if neg { "-" } else { "" }, grouped, abs % 100);
            prop_assert_eq!(Usd::parse(&s).unwrap(), u);
        }

        /// The integer fast path gives exactly the decimal (value and scale) that parsing the text gives,
        /// on both sides of its 18-digit limit.
        #[test]
        fn fast_path_is_the_text_parse(int in "[0-9]{1,20}", frac in proptest::option::of("[0-9]{0,12}"), neg: bool) {
            let text = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
            let want = Decimal::from_str_exact(text.strip_suffix('.').unwrap_or(&text));
            let got = Usd::parse_bytes(format!("{}{text}", if neg { "-" } else { "" }).as_bytes());
            match want {
                Ok(mut w) if w.abs() < Decimal::from_i128_with_scale(100_000_000_000_000_000_000_000_000, 0) => {
                    w.set_sign_negative(neg);
                    let g = got.unwrap().0;
                    prop_assert_eq!((g, g.scale(), g.is_sign_negative()), (w, w.scale(), w.is_sign_negative()));
                }
                _ => prop_assert!(got.is_err()),
            }
        }
    }
}
