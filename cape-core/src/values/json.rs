//! A JSON object writer for cape's per-entry output records, byte for byte what `serde_json` writes for
//! the same record, without its per-byte string escaping or the formatting machinery: a record's keys are
//! fixed ASCII, its text is mostly messages that need no escape, and its amounts and dates are written from
//! integers. [`crate::assess::EntryAssessment::write_json`] uses it; a test holds the two writers equal.

use chrono::NaiveDate;

use crate::values::date::iso_bytes;
use crate::Usd;

/// One JSON object being written into `out`: `{`, then fields, then [`Object::end`].
pub(crate) struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Writes `"key":`; `key` is one of cape's ASCII field names (nothing in it to escape).
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// `write` of the value, or null.
    fn or_null<T>(&mut self, key: &str, value: Option<T>, write: impl FnOnce(&mut Self, &str, T)) {
        match value {
            Some(v) => write(self, key, v),
            None => self.key(key).extend_from_slice(b"null"),
        }
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        string(out, value);
    }

    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        self.or_null(key, value, Self::str);
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) {
        let out = self.key(key);
        out.extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub(crate) fn opt_bool(&mut self, key: &str, value: Option<bool>) {
        self.or_null(key, value, Self::bool);
    }

    fn int(&mut self, key: &str, value: i64) {
        let out = self.key(key);
        integer(out, value);
    }

    pub(crate) fn opt_int(&mut self, key: &str, value: Option<i64>) {
        self.or_null(key, value, Self::int);
    }

    /// An amount as cape writes money: a string with exactly two decimals.
    pub(crate) fn money(&mut self, key: &str, value: Usd) {
        let out = self.key(key);
        out.push(b'"');
        value.write_2dp(out);
        out.push(b'"');
    }

    pub(crate) fn opt_money(&mut self, key: &str, value: Option<Usd>) {
        self.or_null(key, value, Self::money);
    }

    /// A date as `YYYY-MM-DD`, or null.
    pub(crate) fn opt_date(&mut self, key: &str, value: Option<NaiveDate>) {
        self.or_null(key, value, |o, key, d| {
            let mut buf = [0u8; 10];
            match iso_bytes(d, &mut buf) {
                Some(text) => o.str(key, text),
                // Years outside 0-9999, as chrono writes them.
                None => o.str(key, &d.to_string()),
            }
        });
    }

    /// An array of objects, each written by `item`.
    pub(crate) fn array<T>(&mut self, key: &str, items: &[T], mut item: impl FnMut(&mut Object<'_>, &T)) {
        let out = self.key(key);
        out.push(b'[');
        for (i, t) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let mut o = Object::new(out);
            item(&mut o, t);
            o.end();
        }
        out.push(b']');
    }

    pub(crate) fn end(self) {
        self.out.push(b'}');
    }
}

/// A whole number as JSON writes it.
fn integer(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

/// A JSON string, escaped as `serde_json` escapes: `"` and `\` with a backslash, the control characters
/// below U+0020 as `\b \t \n \f \r` or `\u00XX`, everything else as is. Text with nothing to escape (checked
/// with whole-slice scans the compiler vectorises) is copied at once.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    let control = bytes.iter().fold(false, |any, &b| any | (b < 0x20));
    if !control && memchr::memchr2(b'"', b'\\', bytes).is_none() {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0A => b'n',
                0x0C => b'f',
                0x0D => b'r',
                0x00..=0x1F => 0,
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if short == 0 {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            } else {
                out.push(b'\\');
                out.push(short);
            }
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Strings and whole numbers are written exactly as `serde_json` writes them.
        #[test]
        fn strings_and_numbers_are_serde_jsons(s in "(?s).{0,40}", bytes in proptest::collection::vec(0u8..0x80, 0..40), n: i64) {
            let ascii = String::from_utf8(bytes).expect("ASCII");
            for text in [s.as_str(), ascii.as_str()] {
                let mut out = Vec::new();
                string(&mut out, text);
                prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), serde_json::to_string(text).expect("json"));
            }
            let mut out = Vec::new();
            integer(&mut out, n);
            prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), n.to_string());
        }
    }
}
