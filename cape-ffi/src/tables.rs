//! The reference tables (Chapter 99 catalogue, rule sets, interest rates, calendar): embedded or replaced.

use std::ffi::c_char;
use std::sync::Arc;

use cape_core::assess::Tables;
use cape_core::liquidation::calendar::parse_closures;
use cape_core::{Catalogue, RateTable, RuleSet};

use crate::error::{cape_error, cape_status, FfiError};
use crate::strings::{arg_bytes, arg_opt_str, arg_out, arg_path, arg_ref, free_box, store_box};

/// The reference data an assessment uses: the dated Chapter 99 catalogue, the CAPE phase rule sets, the
/// overpayment interest rate table and the business-day calendar.
///
/// Created by `cape_tables_embedded` (cape's own tables) or `cape_tables_replace_path` /
/// `cape_tables_replace_buffer` (a copy with one table replaced or extended); released with `cape_tables_free`.
/// Immutable and internally reference-counted: a `const cape_tables *` may be used by any number of threads at
/// once (e.g. one assessment per thread). Handles made from it (assessments) keep what they need, so the
/// tables may be freed while they live. `cape_tables_free` must not run concurrently with another use of the
/// same handle.
pub struct cape_tables {
    pub(crate) inner: Arc<Tables>,
}

/// Which table `cape_tables_replace_*` replaces. In C the type is a `uint32_t`; functions take the integer and
/// return `CAPE_STATUS_OUT_OF_RANGE` for any other value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_table_kind {
    /// Replace the Chapter 99 catalogue (CSV, the format of `cape-core/data/chapter99.csv`).
    Catalogue = 0,
    /// Add the rows of a catalogue extension file (same CSV format) to the catalogue; overlapping periods are
    /// rejected.
    CatalogueExtension = 1,
    /// Replace the overpayment interest rate table (CSV, the format of `cape-core/data/interest_rates.csv`).
    Rates = 2,
    /// Add a rule set (JSON, the format of `cape-core/data/rules_phase2.json`); one of the same name is
    /// replaced. Select it with `cape_assess_options_set_rules`.
    RuleSet = 3,
    /// Add extra federal closures (e.g. a national day of mourning) to the business-day calendar: a text file
    /// of `YYYY-MM-DD` dates, one a line, blank lines and `#` comments ignored (the command line's
    /// `--closures FILE`).
    Closures = 4,
}

impl cape_table_kind {
    fn from_u32(n: u32) -> Result<Self, FfiError> {
        match n {
            0 => Ok(cape_table_kind::Catalogue),
            1 => Ok(cape_table_kind::CatalogueExtension),
            2 => Ok(cape_table_kind::Rates),
            3 => Ok(cape_table_kind::RuleSet),
            4 => Ok(cape_table_kind::Closures),
            _ => Err(FfiError::enum_value("kind", n, "CAPE_TABLE_KIND_CATALOGUE..CAPE_TABLE_KIND_CLOSURES (0..4)")),
        }
    }
}

fn replaced(base: &Tables, kind: cape_table_kind, name: &str, text: &str) -> Result<Tables, FfiError> {
    let mut t = base.clone();
    match kind {
        cape_table_kind::Catalogue => t.catalogue = Catalogue::from_csv_str(name, text)?,
        cape_table_kind::CatalogueExtension => t.catalogue.extend_from_csv_str(name, text)?,
        cape_table_kind::Rates => t.rates = RateTable::from_csv_str(name, text)?,
        cape_table_kind::RuleSet => t.rules.insert(RuleSet::from_json_str(text, name)?),
        cape_table_kind::Closures => {
            t.calendar = t.calendar.clone().with_extra_closures(parse_closures(text.as_bytes(), name)?)
        }
    }
    Ok(t)
}

/// cape's embedded tables (the catalogue, the `phase1` and `phase2` rule sets, the rate table and the federal
/// calendar shipped with this libcape).
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_tables_free`). Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL); `CAPE_STATUS_INVALID_REFERENCE_DATA`
/// (never, unless this build's embedded data is broken).
///
/// # Safety
///
/// `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_tables_embedded(out: *mut *mut cape_tables, err: *mut *mut cape_error) -> cape_status {
    ffi_boundary!(err = err, {
        let out = arg_out(out, "out")?;
        let tables = Tables::embedded()?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_tables { inner: Arc::new(tables) }) };
        Ok(())
    })
}

/// A copy of `base` with one table replaced or extended from a file (`kind` is a `cape_table_kind`).
///
/// `base` is not modified or consumed. On success writes a new handle to `*out`, owned by the caller. The file
/// is read during the call and not retained. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`base`, `path` or `out` NULL);
/// `CAPE_STATUS_OUT_OF_RANGE` (`kind` not a `cape_table_kind`); `CAPE_STATUS_IO` (cannot read the file);
/// `CAPE_STATUS_INVALID_UTF8` (the file is not UTF-8); `CAPE_STATUS_INVALID_REFERENCE_DATA` (a bad catalogue
/// row, rate row or rule set, overlapping catalogue periods, an empty file); `CAPE_STATUS_INVALID_FORMAT` (a
/// closures line that is not a date).
///
/// # Safety
///
/// `base` is NULL or a live handle; `path` is NULL or NUL-terminated; `out` and `err` are NULL or valid for
/// writing.
#[no_mangle]
pub unsafe extern "C" fn cape_tables_replace_path(
    base: *const cape_tables,
    kind: u32,
    path: *const c_char,
    out: *mut *mut cape_tables,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let base = unsafe { arg_ref(base, "base") }?;
        let kind = cape_table_kind::from_u32(kind)?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        let out = arg_out(out, "out")?;
        let name = path.display().to_string();
        let bytes =
            std::fs::read(&path).map_err(|e| FfiError::new(cape_status::Io, format!("cannot read {name}: {e}")))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|e| FfiError::new(cape_status::InvalidUtf8, format!("{name} is not UTF-8: {e}")))?;
        let tables = replaced(&base.inner, kind, &name, text)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_tables { inner: Arc::new(tables) }) };
        Ok(())
    })
}

/// A copy of `base` with one table replaced or extended from memory (the bytes of the file, UTF-8).
///
/// `data` may be NULL only when `len` is 0 (an empty table is rejected as invalid data). `name` (nullable,
/// default `"<buffer>"`) names the input in messages. `base` is not modified or consumed; the bytes are not
/// retained. On success writes a new handle to `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`base` or `out` NULL, `data` NULL with `len` > 0);
/// `CAPE_STATUS_OUT_OF_RANGE` (`kind`); `CAPE_STATUS_INVALID_UTF8` (`data` or `name`);
/// `CAPE_STATUS_INVALID_REFERENCE_DATA` as for `cape_tables_replace_path`.
///
/// # Safety
///
/// `base` is NULL or a live handle; `data` is NULL or valid for reading `len` bytes; `name` is NULL or
/// NUL-terminated; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_tables_replace_buffer(
    base: *const cape_tables,
    kind: u32,
    data: *const u8,
    len: usize,
    name: *const c_char,
    out: *mut *mut cape_tables,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let base = unsafe { arg_ref(base, "base") }?;
        let kind = cape_table_kind::from_u32(kind)?;
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let name = unsafe { arg_opt_str(name, "name") }?.unwrap_or("<buffer>");
        let out = arg_out(out, "out")?;
        let text = std::str::from_utf8(bytes)
            .map_err(|e| FfiError::new(cape_status::InvalidUtf8, format!("argument `data` is not UTF-8: {e}")))?;
        let tables = replaced(&base.inner, kind, name, text)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_tables { inner: Arc::new(tables) }) };
        Ok(())
    })
}

/// Release a tables handle. NULL is a no-op. Assessments made with it stay valid.
///
/// # Safety
///
/// `tables` is NULL or a handle from libcape not yet freed, not in use by another thread; it must not be used
/// afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_tables_free(tables: *mut cape_tables) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(tables) }
    })
}
