//! The plan: the actions due over assessed entries, grouped by importer or by week, soonest first, as JSON
//! (cape-core's `claim::Plan`, as `cape plan --format json` and Python's `Plan.to_json()` write it).

use std::ffi::c_char;

use cape_core::claim::{Plan, PlanGrouping, PlanOptions};

use crate::assessment::cape_assessment;
use crate::error::{cape_error, cape_status, FfiError};
use crate::run::cape_entry;
use crate::strings::{arg_date, arg_mut, arg_opt_str, arg_out, arg_ref, free_box, owned_c_string, store_box};

/// The plan options of the C arguments: `by` NULL is `importer`; `within_days` < 0 is no horizon.
///
/// # Safety
///
/// `by` is NULL or NUL-terminated.
unsafe fn plan_options(as_of: chrono::NaiveDate, by: *const c_char, within_days: i64) -> Result<PlanOptions, FfiError> {
    let mut options = PlanOptions::new(as_of);
    // SAFETY: NULL or NUL-terminated, per the contract.
    if let Some(by) = unsafe { arg_opt_str(by, "by") }? {
        options.by = by.parse::<PlanGrouping>().map_err(|_| {
            FfiError::new(cape_status::InvalidValue, format!("argument `by` is {by:?}, not \"importer\" or \"week\""))
        })?;
    }
    options.within_days = if within_days < 0 {
        None
    } else {
        Some(u32::try_from(within_days).map_err(|_| {
            FfiError::new(cape_status::OutOfRange, format!("argument `within_days` is {within_days}, above 4294967295"))
        })?)
    };
    Ok(options)
}

/// The plan's JSON as an owned C string.
fn plan_json(plan: &Plan) -> Result<*mut c_char, FfiError> {
    Ok(owned_c_string(&plan.to_json()?))
}

/// The actions due over an assessment's kept entries (`cape_assess_*`; a streaming run keeps none: use a
/// `cape_plan` and `cape_plan_add` in its `cape_entry_cb` instead), as of the assessment's as-of date, as
/// pretty-printed JSON: byte for byte what `cape plan --format json` writes for the same input and options, and
/// Python's `AssessedReport.plan(...).to_json()`. `by` is `"importer"` (NULL also means importer) or `"week"`;
/// `within_days` < 0 lists every due action, otherwise only those due within that many days (entries without
/// a deadline left out).
///
/// On success writes an owned string to `*out`: free it with `cape_string_free`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_VALUE` (`by`); `CAPE_STATUS_OUT_OF_RANGE` (`within_days` above 4294967295);
/// `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `by` is NULL or NUL-terminated; `out` and `err` are NULL or valid for
/// writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_plan_json(
    assessment: *const cape_assessment,
    by: *const c_char,
    within_days: i64,
    out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let options = unsafe { plan_options(a.partial.as_of, by, within_days) }?;
        let json = plan_json(&Plan::of(&a.partial.entries, options))?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(json) };
        Ok(())
    })
}

/// A plan being collected from a stream: `cape_plan_add` in a `cape_entry_cb` keeps each entry's due action
/// (one small item per due entry, never the assessment), `cape_plan_json` writes the plan.
///
/// Created by `cape_plan_new`, released with `cape_plan_free`. Not synchronised: a handle being added to must
/// not be used by another thread at the same time.
pub struct cape_plan {
    plan: Plan,
}

/// A new, empty plan as of `as_of` (`YYYY-MM-DD`; give the as-of date of the assessment options), grouped
/// `by` `"importer"` (or NULL) or `"week"`, listing every due action (`within_days` < 0) or only those due
/// within that many days.
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_plan_free`). Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`as_of` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_DATE`; `CAPE_STATUS_INVALID_VALUE` (`by`); `CAPE_STATUS_OUT_OF_RANGE` (`within_days`).
///
/// # Safety
///
/// `as_of` and `by` are NULL or NUL-terminated; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_plan_new(
    as_of: *const c_char,
    by: *const c_char,
    within_days: i64,
    out: *mut *mut cape_plan,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let as_of = unsafe { arg_date(as_of, "as_of") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let options = unsafe { plan_options(as_of, by, within_days) }?;
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_plan { plan: Plan::new(options) }) };
        Ok(())
    })
}

/// Release a plan. NULL is a no-op.
///
/// # Safety
///
/// `plan` is NULL or a handle from `cape_plan_new` not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_plan_free(plan: *mut cape_plan) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(plan) }
    })
}

/// Add the entry lent to a `cape_entry_cb` to `plan` (kept when its action is due, within the horizon if one
/// is set). Add the entries in input order: equal deadlines keep it.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`plan` or `entry` NULL).
///
/// # Safety
///
/// `plan` is NULL or a live handle not used by another thread; `entry` is NULL or the handle lent to the
/// running `cape_entry_cb`; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_plan_add(
    plan: *mut cape_plan,
    entry: *const cape_entry,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live and exclusive, per the contract.
        let plan = unsafe { arg_mut(plan, "plan") }?;
        // SAFETY: NULL or live, per the contract.
        let entry = unsafe { arg_ref(entry, "entry") }?;
        plan.plan.add(entry.assessment());
        Ok(())
    })
}

/// The plan as pretty-printed JSON, byte for byte what `cape plan --format json` writes for the same entries
/// and options (`cape_assessment_plan_json` gives the same for kept entries).
///
/// On success writes an owned string to `*out`: free it with `cape_string_free`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`plan` or `out` NULL); `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `plan` is NULL or a live handle; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_plan_json(
    plan: *const cape_plan,
    out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let plan = unsafe { arg_ref(plan, "plan") }?;
        let out = arg_out(out, "out")?;
        let json = plan_json(&plan.plan)?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(json) };
        Ok(())
    })
}

/// The number of due actions in the plan (0 when `plan` is NULL).
///
/// # Safety
///
/// `plan` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_plan_item_count(plan: *const cape_plan) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { plan.as_ref() }.map_or(0, |p| p.plan.items())
    })
}
