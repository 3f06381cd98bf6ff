//! Entries built field by field (for hosts without ES-003 files) → a `cape_es003` report.

use std::ffi::c_char;

use cape_core::{Es003Builder, Es003Options};

use crate::error::{cape_error, cape_status};
use crate::es003::cape_es003;
use crate::strings::{arg_mut, arg_opt_str, arg_out, arg_str, free_box, store_box};

/// A builder of entries given field by field: entry header cells, lines, tariff ordinals, as text under the
/// ES-003 column names. `cape_es003_builder_build` reads them through the same ingest as a file, so bad cells
/// become the same diagnostics.
///
/// Created by `cape_es003_builder_new`, released with `cape_es003_builder_free` (building does not consume it).
/// Not synchronised: use one builder from one thread at a time.
pub struct cape_es003_builder {
    inner: Es003Builder,
}

/// A new, empty builder, written to `*out` (owned by the caller). Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL).
///
/// # Safety
///
/// `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_new(
    out: *mut *mut cape_es003_builder,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_es003_builder { inner: Es003Builder::new() }) };
        Ok(())
    })
}

/// Release a builder. NULL is a no-op.
///
/// # Safety
///
/// `builder` is NULL or a handle from `cape_es003_builder_new` not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_free(builder: *mut cape_es003_builder) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(builder) }
    })
}

/// Start a new entry. `entry_number` is a cell like any other: validated when building (a bad one is an
/// `ES003_INVALID_ENTRY_NUMBER` diagnostic and the entry's rows are rejected).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder` or `entry_number` NULL);
/// `CAPE_STATUS_INVALID_UTF8`.
///
/// # Safety
///
/// `builder` is NULL or a live handle not used by another thread; `entry_number` is NULL or NUL-terminated;
/// `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_begin_entry(
    builder: *mut cape_es003_builder,
    entry_number: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let b = unsafe { arg_mut(builder, "builder") }?;
        // SAFETY: per the contract.
        let number = unsafe { arg_str(entry_number, "entry_number") }?;
        b.inner.begin_entry(number);
        Ok(())
    })
}

/// Set an entry-level cell of the current entry, e.g. (`"Entry Date"`, `"2025-03-15"`), (`"Entry Type Code"`,
/// `"01"`), (`"Liquidation Status"`, `"Liquidated"`). `Entry Date` is required for every entry.
///
/// `column` is an ES-003 column cape reads, by its name or an alternate, matched as a report's header cell
/// is (case, spaces and punctuation ignored: `"entry_date"` is `"Entry Date"`); the cell is kept under the
/// canonical name, so setting a column again, under any of its names, replaces its value. A name cape does
/// not read is a programmer error, refused at once, not a diagnostic later.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder`, `column` or `value` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_INVALID_VALUE` (no entry begun; a column cape does not read,
/// the message naming it and the nearest known name: `invalid column "Entry Dte": not an ES-003 column cape
/// reads; did you mean "Entry Date"?`; or a column the builder writes itself: entry number, line number,
/// ordinal, HTS, goods value, duty). Nothing is changed on failure.
///
/// # Safety
///
/// `builder` is NULL or a live handle not used by another thread; `column` and `value` are NULL or
/// NUL-terminated; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_entry_field(
    builder: *mut cape_es003_builder,
    column: *const c_char,
    value: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let b = unsafe { arg_mut(builder, "builder") }?;
        // SAFETY: per the contract.
        let (column, value) = unsafe { (arg_str(column, "column")?, arg_str(value, "value")?) };
        b.inner.entry_field(column, value)?;
        Ok(())
    })
}

/// Start line `line_number` (`Entry Summary Line Number`) of the current entry.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder` NULL); `CAPE_STATUS_INVALID_VALUE` (no
/// entry begun).
///
/// # Safety
///
/// `builder` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_begin_line(
    builder: *mut cape_es003_builder,
    line_number: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let b = unsafe { arg_mut(builder, "builder") }?;
        b.inner.begin_line(line_number)?;
        Ok(())
    })
}

/// Set a line-level cell of the current line, e.g. (`"Country of Origin Code"`, `"CN"`). Column names as
/// `cape_es003_builder_entry_field`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder`, `column` or `value` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_INVALID_VALUE` (no line begun, a column cape does not read, or a
/// fixed column).
///
/// # Safety
///
/// `builder` is NULL or a live handle not used by another thread; `column` and `value` are NULL or
/// NUL-terminated; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_line_field(
    builder: *mut cape_es003_builder,
    column: *const c_char,
    value: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let b = unsafe { arg_mut(builder, "builder") }?;
        // SAFETY: per the contract.
        let (column, value) = unsafe { (arg_str(column, "column")?, arg_str(value, "value")?) };
        b.inner.line_field(column, value)?;
        Ok(())
    })
}

/// Add tariff ordinal `ordinal` to the current line: its HTS number (`"9903.01.25"` or `"99030125"`), goods
/// value (nullable) and duty, as decimal strings (`"1000.00"`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder`, `hts` or `duty` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_INVALID_VALUE` (no line begun). Bad HTS numbers or amounts are
/// diagnostics when building.
///
/// # Safety
///
/// `builder` is NULL or a live handle not used by another thread; the strings are NULL or NUL-terminated;
/// `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_add_tariff(
    builder: *mut cape_es003_builder,
    ordinal: u32,
    hts: *const c_char,
    goods_value: *const c_char,
    duty: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let b = unsafe { arg_mut(builder, "builder") }?;
        // SAFETY: per the contract.
        let (hts, goods_value, duty) =
            unsafe { (arg_str(hts, "hts")?, arg_opt_str(goods_value, "goods_value")?, arg_str(duty, "duty")?) };
        b.inner.tariff(ordinal, hts, goods_value, duty)?;
        Ok(())
    })
}

/// Read the built entries through the ES-003 ingest into a new report handle, written to `*out` (owned by the
/// caller, free with `cape_es003_free`; use it with `cape_assess_es003`). `builder` is not consumed and may be
/// extended and built again.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`builder` or `out` NULL). Bad cells are diagnostics.
/// The optional columns no entry set are one `ES003_MISSING_OPTIONAL_COLUMN` diagnostic (severity info)
/// naming them all, once per build, not one per column.
///
/// # Safety
///
/// `builder` is NULL or a live handle not changed by another thread meanwhile; `out` and `err` are NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_builder_build(
    builder: *const cape_es003_builder,
    out: *mut *mut cape_es003,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let b = unsafe { crate::strings::arg_ref(builder, "builder") }?;
        let out = arg_out(out, "out")?;
        let options = {
            let mut o = Es003Options::default();
            o.source_name = Some("<builder>".into());
            o
        };
        let report = b.inner.build(&options)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_es003::new(report)) };
        Ok(())
    })
}
