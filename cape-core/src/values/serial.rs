//! A stable serialised form for cape's values, for pickling and for sending results between processes.
//!
//! The form is one version byte followed by the value's JSON (serde_json, compact). JSON is self-describing,
//! so the form round-trips through the same `Serialize` impls that write cape's JSON output, and reading
//! checks every field: a wrong version byte, truncated or altered bytes are an [`Error::Format`], never a
//! panic and never a silently different value. Exactness: `from_bytes(&to_bytes(&x)?)? == x` for every value
//! type that implements both traits.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Error, Result};

/// The version of the serialised form of the value types (entries, assessments, refunds, diagnostics...), the
/// first byte of [`to_bytes`]. [`crate::run::PARTIAL_FORMAT_VERSION`] versions a [`crate::run::Partial`].
pub const FORMAT_VERSION: u8 = 2;

/// `value`'s serialised form: the byte `version`, then its JSON.
///
/// # Errors
///
/// [`Error::Format`] when `value`'s `Serialize` impl fails (a map with keys that are not strings; none of
/// cape's types has one).
pub fn to_bytes<T: Serialize + ?Sized>(version: u8, what: &str, value: &T) -> Result<Vec<u8>> {
    let mut out = vec![version];
    serde_json::to_writer(&mut out, value).map_err(|e| Error::Format {
        source_name: format!("serialised {what}"),
        message: format!("cannot serialise: {e}"),
    })?;
    Ok(out)
}

/// Reads a value written by [`to_bytes`] with the same `version`.
///
/// # Errors
///
/// [`Error::Format`] naming `what` when `bytes` is empty, its first byte is not `version`, or the rest is not
/// exactly one `T` (truncated, altered, another type's bytes).
pub fn from_bytes<T: DeserializeOwned>(version: u8, what: &str, bytes: &[u8]) -> Result<T> {
    let source_name = format!("serialised {what}");
    let Some((&found, body)) = bytes.split_first() else {
        return Err(Error::Format { source_name, message: format!("empty: expected format version {version}") });
    };
    if found != version {
        return Err(Error::Format {
            source_name,
            message: format!(
                "format version {found}, expected {version} (written by another version of cape, or not cape's)"
            ),
        });
    }
    serde_json::from_slice(body).map_err(|e| Error::Format {
        source_name,
        message: format!("malformed (expected a {what} of format version {version}): {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntryNumber, Usd};

    #[test]
    fn round_trips_and_refuses_bad_bytes() {
        let v: Vec<(EntryNumber, Usd)> = vec![
            ("ABC-1234567-6".parse().unwrap(), Usd::from_cents(12)),
            ("B76-0158522-0".parse().unwrap(), Usd::ZERO),
        ];
        let b = to_bytes(FORMAT_VERSION, "list", &v).unwrap();
        assert_eq!(b[0], FORMAT_VERSION);
        assert_eq!(from_bytes::<Vec<(EntryNumber, Usd)>>(FORMAT_VERSION, "list", &b).unwrap(), v);
        let msg = |r: Result<Vec<(EntryNumber, Usd)>>| match r {
            Err(Error::Format { source_name, message }) => format!("{source_name}: {message}"),
            other => panic!("expected a format error, got {other:?}"),
        };
        assert_eq!(msg(from_bytes(FORMAT_VERSION, "list", &[])), "serialised list: empty: expected format version 2");
        let mut wrong = b.clone();
        wrong[0] = 9;
        assert!(msg(from_bytes(FORMAT_VERSION, "list", &wrong)).contains("format version 9, expected 2"));
        for cut in 1..b.len() {
            assert!(msg(from_bytes(FORMAT_VERSION, "list", &b[..cut])).contains("malformed"), "cut at {cut}");
        }
        let mut bad_digit = b.clone();
        let at = b.windows(3).position(|w| w == b"-6\"").unwrap();
        bad_digit[at + 1] = b'7';
        assert!(msg(from_bytes(FORMAT_VERSION, "list", &bad_digit)).contains("check digit"));
        assert!(msg(from_bytes(FORMAT_VERSION, "list", &[FORMAT_VERSION, 0xff, 0xfe])).contains("malformed"));
    }
}
