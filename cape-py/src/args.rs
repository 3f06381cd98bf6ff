//! Argument conversions that must fail as `cape.InvalidValueError` naming the parameter: whole numbers of
//! days, rows and threads, and paths (with the rule that tells a file's text from its name).
//!
//! pyo3's own conversions raise a bare `OverflowError` naming no parameter for `-1` given as a `u32`; these
//! run instead (`#[pyo3(from_py_with = ...)]`), one function per keyword so that the message names it.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString};

use cape_core::{Error, ErrorKind};

use crate::errors::Failure;

/// The longest text taken as a path, in bytes: longer text is never a file name (Linux's `PATH_MAX`).
pub(crate) const MAX_PATH_BYTES: usize = 4096;

/// How many characters of a value an error message shows (a value may be a whole file's text).
pub(crate) const SHOWN_CHARS: usize = 40;

/// What a `source` parameter takes, for its `TypeError`.
pub(crate) const SOURCE_TYPES: &str = "a path (str or os.PathLike) or bytes";

/// The field separators of the files cape reads (CSV and its comma, tab, semicolon, pipe and caret variants).
const SEPARATORS: [char; 5] = [',', '\t', ';', '|', '^'];

/// At most [`SHOWN_CHARS`] characters of `text`, with `…` when cut.
pub(crate) fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// An `InvalidValueError` about `keyword`'s `value`.
fn invalid(keyword: &'static str, value: &str, reason: String) -> PyErr {
    Failure::Core(Error::Value { kind: ErrorKind::InvalidValue, what: keyword, input: shown(value), reason }).into()
}

/// True when `text`, given where a path is expected, is a file's content rather than its name: it holds a
/// line break or a NUL (no file name does), it is longer than any path ([`MAX_PATH_BYTES`]), or it starts
/// like a header line: a field separator after a first field that names a column cape reads (an ES-003
/// column or one of its alternates, a results column, `Entry Number`).
pub(crate) fn is_text_not_path(text: &str) -> bool {
    if text.len() > MAX_PATH_BYTES || text.contains(['\n', '\r', '\0']) {
        return true;
    }
    let Some((first, _)) = text.split_once(SEPARATORS) else {
        return false;
    };
    let first = first.trim().trim_start_matches('\u{feff}').trim_matches('"').trim();
    let named = |name: &str| name.eq_ignore_ascii_case(first);
    cape_core::ingest::columns::COLUMNS.iter().any(|c| named(c.name) || c.alternates.iter().any(|a| named(a)))
        || cape_core::claim::results::RESULT_COLUMNS.iter().any(|c| named(c))
}

/// A path argument (`str` or `os.PathLike`); `expected` says what else the parameter takes, for the
/// `TypeError` of any other type.
///
/// # Errors
///
/// `InvalidValueError` ("got text, not a path", with the text's first characters) for a `str` that
/// [`is_text_not_path`]; `TypeError` for a value that is not a path.
pub(crate) fn path_arg(keyword: &'static str, obj: &Bound<'_, PyAny>, expected: &str) -> PyResult<PathBuf> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow()?;
        if is_text_not_path(&text) {
            return Err(invalid(
                keyword,
                &text,
                "got text, not a path (pass the path of a file, or its content as bytes: text.encode())".into(),
            ));
        }
        return Ok(PathBuf::from(&*text));
    }
    obj.extract::<PathBuf>().map_err(|_| {
        let t = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("{keyword}: expected {expected}, not {t}"))
    })
}

/// An optional path keyword (`None` for `None`), `paths` a sequence of them; see [`path_arg`].
macro_rules! path_keywords {
    ($($name:ident;)*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` keyword: a path, or `None`.")]
            pub(crate) fn $name(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
                if obj.is_none() {
                    return Ok(None);
                }
                path_arg(stringify!($name), obj, "a path (str or os.PathLike) or None").map(Some)
            }
        )*
    };
}

path_keywords! {
    catalogue;
    rates;
    declared_dir;
    map_file;
}

/// A keyword taking a list of paths: each as [`path_arg`].
macro_rules! paths_keywords {
    ($($name:ident;)*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` keyword: a sequence of paths.")]
            pub(crate) fn $name(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
                if obj.is_instance_of::<PyString>() {
                    return Err(PyTypeError::new_err(concat!(stringify!($name), ": expected a list of paths, not str")));
                }
                obj.try_iter()?.map(|p| path_arg(stringify!($name), &p?, "a path (str or os.PathLike)")).collect()
            }
        )*
    };
}

paths_keywords! {
    extra_catalogues;
    rules;
}

/// A whole number from `min` to `max`, or `None` for `None`.
///
/// # Errors
///
/// `InvalidValueError` naming `keyword` and the value for a number out of range; `TypeError` for a value that
/// is not an `int` (a `bool` included).
fn whole(keyword: &'static str, obj: &Bound<'_, PyAny>, min: u64, max: u64, unit: &str) -> PyResult<Option<u64>> {
    if obj.is_none() {
        return Ok(None);
    }
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        let t = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        return Err(PyTypeError::new_err(format!("{keyword} must be an int, not {t}")));
    }
    match obj.extract::<u64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
        _ => {
            let range = if max == u64::MAX { format!("at least {min}") } else { format!("from {min} to {max}") };
            // Python refuses to write an int of more than 4,300 digits in decimal: say how large it is instead.
            let text = match obj.str() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) => format!("<an int of {} bits>", obj.call_method0("bit_length")?),
            };
            let of = if unit.is_empty() { String::new() } else { format!(" of {unit}") };
            Err(invalid(keyword, &text, format!("must be a whole number{of}, {range}")))
        }
    }
}

/// One converter per keyword (`from_py_with` takes a plain function): `name: type, least value, unit`.
macro_rules! keywords {
    ($($name:ident: $t:ident, $min:literal, $unit:literal;)*) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` keyword: a whole number of ", $unit, ", at least ",
                stringify!($min), ", or `None`.")]
            pub(crate) fn $name(obj: &Bound<'_, PyAny>) -> PyResult<Option<$t>> {
                let max = u64::try_from(<$t>::MAX).unwrap_or(u64::MAX);
                let value = whole(stringify!($name), obj, $min, max, $unit)?;
                // In range by construction: `max` is the type's largest value.
                Ok(value.and_then(|v| <$t>::try_from(v).ok()))
            }
        )*
    };
}

keywords! {
    urgent_within_days: u32, 0, "days";
    urgent_days: u32, 0, "days";
    last_day_offset: u32, 0, "days";
    acceptance_lag: u32, 0, "days";
    liquidation_offset: u32, 0, "days";
    reliquidation_window: u32, 0, "days";
    within: u32, 0, "days";
    total_rows: u64, 0, "rows";
    max_rows: usize, 0, "rows";
    max_per_file: usize, 0, "entries";
    threads: usize, 1, "threads";
    max_size: u64, 1, "bytes";
}

/// The `serial` of `EntryNumber.from_parts`: a whole number that fits 32 bits (cape-core checks its 7 digits).
///
/// # Errors
///
/// As [`whole`]; `TypeError` for `None`.
pub(crate) fn serial(obj: &Bound<'_, PyAny>) -> PyResult<u32> {
    let value = whole("serial", obj, 0, u64::from(u32::MAX), "")?;
    value.and_then(|v| u32::try_from(v).ok()).ok_or_else(|| PyTypeError::new_err("serial must be an int, not None"))
}
