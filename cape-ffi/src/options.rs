//! How to assess: the as-of date, the rule set, and the conventions a caller may change.

use std::ffi::c_char;

use cape_core::assess::AssessOptions;
use cape_core::claim::CourtAccrual;
use cape_core::model::ImporterClass;
use cape_core::refund::AssumedRate;
use cape_core::EntryNumber;
use rust_decimal::Decimal;

use crate::error::{cape_error, cape_status, FfiError};
use crate::strings::{arg_date, arg_mut, arg_out, arg_ref, arg_str, free_box, store_box};
use crate::tables::cape_tables;

/// The importer class, for the 26 USC 6621 overpayment rate. In C the type is a `uint32_t`; functions take the
/// integer and return `CAPE_STATUS_OUT_OF_RANGE` for any other value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_importer_class {
    /// A corporation (federal short-term rate + 2).
    Corporate = 0,
    /// Not a corporation (federal short-term rate + 3).
    Noncorporate = 1,
}

/// The core class of a C integer.
pub(crate) fn importer_class(arg: &str, n: u32) -> Result<ImporterClass, FfiError> {
    match n {
        0 => Ok(ImporterClass::Corporate),
        1 => Ok(ImporterClass::NonCorporate),
        _ => {
            Err(FfiError::enum_value(arg, n, "CAPE_IMPORTER_CLASS_CORPORATE (0), CAPE_IMPORTER_CLASS_NONCORPORATE (1)"))
        }
    }
}

/// When a claim at the Court of International Trade accrues (28 USC 2636(i)), for the `court_action`
/// deadline: unsettled, so a parameter. In C the type is a `uint32_t`; functions take the integer and return
/// `CAPE_STATUS_OUT_OF_RANGE` for any other value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_court_accrual {
    /// The liquidation date: the earliest, conservative choice (the default).
    LiquidationDate = 0,
    /// The day the liquidation became final: liquidation + the protest period.
    FinalLiquidation = 1,
}

/// A percent argument: a plain non-negative decimal, `%` allowed (`"7"`, `"7.5"`, `"7%"`).
///
/// # Safety
///
/// `p` is NULL or NUL-terminated.
unsafe fn arg_percent(p: *const c_char, name: &str) -> Result<Decimal, FfiError> {
    // SAFETY: forwarded contract.
    let s = unsafe { arg_str(p, name) }?;
    // The core's one percent parser (the command line's `--assume-rate` uses it too).
    cape_core::values::money::parse_percent(s, "percent").map_err(|_| {
        FfiError::new(cape_status::InvalidValue, format!("argument `{name}` is {s:?}, not a percent such as \"7\""))
    })
}

/// Assessment options: the as-of date and every convention cape adopts where CBP is silent.
///
/// Created by `cape_assess_options_new` with the defaults, changed by the `cape_assess_options_set_*` functions,
/// released with `cape_assess_options_free`. Not consumed by assessments (they copy it). Not synchronised: a
/// handle being changed must not be used by another thread at the same time; a handle no longer changed may
/// be read (passed as `const`) by several threads at once.
pub struct cape_assess_options {
    pub(crate) inner: AssessOptions,
}

/// New options with cape's defaults, as of `as_of` (`YYYY-MM-DD`; `MM/DD/YYYY` is also read): rule set `auto`
/// (by date), urgency horizon and last-day offset of the rule set, corporate importers, no assumed rate, no
/// entries already accepted.
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_assess_options_free`).
/// Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`as_of` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_DATE`.
///
/// # Safety
///
/// `as_of` is NULL or NUL-terminated; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_new(
    as_of: *const c_char,
    out: *mut *mut cape_assess_options,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let as_of = unsafe { arg_date(as_of, "as_of") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_assess_options { inner: AssessOptions::new(as_of) }) };
        Ok(())
    })
}

/// Release options. NULL is a no-op.
///
/// # Safety
///
/// `options` is NULL or a handle from `cape_assess_options_new` not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_free(options: *mut cape_assess_options) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(options) }
    })
}

/// Choose the rule set: `"auto"` (by the as-of date), `"phase1"`, `"phase2"`, or the name of one added with
/// `cape_tables_replace_*(CAPE_TABLE_KIND_RULE_SET)`. The name is checked when assessing (an unknown name
/// makes `cape_assess_*` return `CAPE_STATUS_INVALID_VALUE`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` or `rules` NULL); `CAPE_STATUS_INVALID_UTF8`.
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `rules` is NULL or NUL-terminated; `err` is
/// NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_rules(
    options: *mut cape_assess_options,
    rules: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract.
        let rules = unsafe { arg_str(rules, "rules") }?;
        options.inner.rules = rules.into();
        Ok(())
    })
}

/// Entries whose last filing day is within `days` days of the as-of date are marked urgent.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_urgent_days(
    options: *mut cape_assess_options,
    days: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.claim.urgent_within_days = days;
        Ok(())
    })
}

/// Override the rule set's last-day offset (days after liquidation to the last filing day; CAPE's is 80).
/// `days` < 0 restores the rule set's own offset.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL); `CAPE_STATUS_OUT_OF_RANGE` (`days`
/// above 4294967295).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_last_day_offset(
    options: *mut cape_assess_options,
    days: i64,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.claim.last_day_offset = if days < 0 {
            None
        } else {
            Some(u32::try_from(days).map_err(|_| {
                FfiError::new(cape_status::OutOfRange, format!("argument `days` is {days}, above 4294967295"))
            })?)
        };
        Ok(())
    })
}

/// When a claim at the Court of International Trade accrues, for the `court_action` deadline of finally
/// liquidated entries (`accrual` is a `cape_court_accrual`; the liquidation date by default). The entry's
/// `next_action_note` says which was used.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL); `CAPE_STATUS_OUT_OF_RANGE`
/// (`accrual`).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_court_accrual(
    options: *mut cape_assess_options,
    accrual: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.actions.court_accrual = match accrual {
            0 => CourtAccrual::LiquidationDate,
            1 => CourtAccrual::FinalLiquidation,
            _ => {
                return Err(FfiError::enum_value(
                    "accrual",
                    accrual,
                    "CAPE_COURT_ACCRUAL_LIQUIDATION_DATE (0), CAPE_COURT_ACCRUAL_FINAL_LIQUIDATION (1)",
                ))
            }
        };
        Ok(())
    })
}

/// Days from the as-of date to the day CAPE validates a declaration (default: the core's, 0): the projected
/// liquidation of an unliquidated entry is counted from the as-of date plus this lag, and the 80-day window is
/// judged on that day (the command line's `--acceptance-lag`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_acceptance_lag(
    options: *mut cape_assess_options,
    days: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.schedule.acceptance_lag_days = days;
        Ok(())
    })
}

/// Days from CAPE's acceptance (the as-of date plus the acceptance lag) to the projected liquidation of an
/// unliquidated entry (default 45; the command line's `--liquidation-offset`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_liquidation_offset(
    options: *mut cape_assess_options,
    days: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.schedule.unliquidated_liquidation_offset_days = days;
        Ok(())
    })
}

/// The reliquidation window of 19 USC 1501, days after liquidation (default 90): a liquidated entry's projected
/// reliquidation is the earlier of acceptance + the liquidation offset and liquidation + this window (the
/// command line's `--reliquidation-window`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_reliquidation_window(
    options: *mut cape_assess_options,
    days: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.schedule.reliquidation_window_days = days;
        Ok(())
    })
}

/// The importer class of importers with no `Importer Class` in the report (`class` is a
/// `cape_importer_class`; corporate by default).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL); `CAPE_STATUS_OUT_OF_RANGE` (`class`).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_default_class(
    options: *mut cape_assess_options,
    class: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.default_class = importer_class("class", class)?;
        Ok(())
    })
}

/// Assume, explicitly, that the last quarter of `tables`' rate table continues for days it does not cover
/// (interest is otherwise not computed for such days). Results computed with it say so in `interest_note`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` or `tables` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `tables` is NULL or live; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_assume_last_rate(
    options: *mut cape_assess_options,
    tables: *const cape_tables,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract.
        let tables = unsafe { arg_ref(tables, "tables") }?;
        options.inner.interest.assumed_rate = Some(AssumedRate::continue_last(&tables.inner.rates));
        Ok(())
    })
}

/// Assume explicit annual rates (percent, e.g. `"7"`) for days on or after `from` (`YYYY-MM-DD`) that the rate
/// table does not cover.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (any pointer but `err` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_DATE` (`from`); `CAPE_STATUS_INVALID_VALUE` (a percent that is not a plain
/// non-negative decimal).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; the strings are NULL or NUL-terminated;
/// `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_set_assumed_rate(
    options: *mut cape_assess_options,
    from: *const c_char,
    corporate_percent: *const c_char,
    noncorporate_percent: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract (all three).
        let rate = unsafe {
            AssumedRate {
                from: arg_date(from, "from")?,
                corporate_percent: arg_percent(corporate_percent, "corporate_percent")?,
                noncorporate_percent: arg_percent(noncorporate_percent, "noncorporate_percent")?,
            }
        };
        options.inner.interest.assumed_rate = Some(rate);
        Ok(())
    })
}

/// Mark an entry as already on an accepted CAPE declaration (it is then assessed `ineligible`,
/// `ALREADY_DECLARED`). Adding the same entry twice is harmless.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` or `entry_number` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_INVALID_ENTRY_NUMBER`.
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `entry_number` is NULL or NUL-terminated;
/// `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_options_add_accepted(
    options: *mut cape_assess_options,
    entry_number: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract.
        let number = EntryNumber::parse(unsafe { arg_str(entry_number, "entry_number") }?)?;
        options.inner.already_accepted.insert(number);
        Ok(())
    })
}
