//! Refund: interest under 19 USC 1505, and consolidation of an assessment's refunds.

use std::ffi::{c_char, CString};

use cape_core::assess::consolidate_assessed;
use cape_core::refund::{compute_interest, Consolidation, ConsolidationOptions, InterestOptions, RateTable};
use cape_core::values::money::{parse_canonical, Sign};
use cape_core::{iso, EntryNumber, Usd};

use crate::assessment::cape_assessment;
use crate::error::{cape_error, cape_status, FfiError};
use crate::options::importer_class;
use crate::sized::{self, write_sized};
use crate::strings::{arg_date, arg_opt_str, arg_out, arg_ref, arg_str, c_string, free_box, owned_c_string, store_box};
use crate::tables::cape_tables;

/// The periods of an interest computation, for explaining it: one per rate (quarter) crossed.
///
/// Created by `cape_interest` when asked for, released with `cape_interest_explanation_free`. Immutable: may be
/// read by several threads at once. Strings read from it are borrowed until `cape_interest_explanation_free`.
pub struct cape_interest_explanation {
    periods: Vec<PeriodStrings>,
    days: u32,
}

struct PeriodStrings {
    from: CString,
    to: CString,
    days: u32,
    rate: CString,
    days_in_year: u32,
    interest: CString,
    assumed: bool,
}

/// One period of an interest computation. Strings borrowed from the `cape_interest_explanation`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_period {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_period)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// First day of the period (`YYYY-MM-DD`). Never NULL.
    pub from: *const c_char,
    /// Last day of the period. Never NULL.
    pub to: *const c_char,
    /// Days in the period.
    pub days: u32,
    /// The annual rate, percent (e.g. `"7"`). Never NULL.
    pub annual_rate_percent: *const c_char,
    /// The day-count divisor used (365 or 366).
    pub days_in_year: u32,
    /// The interest of this period (informative; the total is compounded and rounded once). Never NULL.
    pub interest: *const c_char,
    /// Whether the rate was assumed (not in the rate table).
    pub assumed: bool,
}

sized::impl_sized!(cape_period, cape_refund, cape_refund_totals);

/// Overpayment interest (19 USC 1505(c), 26 USC 6621, compounded daily) on `principal` (a decimal string,
/// `"10000.00"`) from `from` to `to` (`YYYY-MM-DD`), for importer class `class` (a `cape_importer_class`), with
/// the rate table of `tables` (NULL: the embedded table) and no assumed rate: a day the table does not cover
/// is `CAPE_STATUS_INVALID_REFERENCE_DATA`.
///
/// On success writes the interest (two decimals, e.g. `"483.05"`) to `*interest_out`, owned by the caller
/// (free with `cape_string_free`), and, when `explanation_out` is not NULL, a new explanation handle to it
/// (owned by the caller, free with `cape_interest_explanation_free`). `to` equal to `from` gives `"0.00"`;
/// `to` before `from` is `CAPE_STATUS_INVALID_VALUE`.
/// Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`principal`, `from`, `to` or `interest_out` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_OUT_OF_RANGE` (`class`); `CAPE_STATUS_INVALID_MONEY` (`principal`
/// not a canonical amount such as `"10000.00"` -- see "Money" at the top of the header -- or negative); `CAPE_STATUS_INVALID_DATE`; `CAPE_STATUS_INVALID_VALUE`
/// (`to` before `from`); `CAPE_STATUS_INVALID_REFERENCE_DATA` (days
/// outside the rate table); `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// The strings are NULL or NUL-terminated; `tables` is NULL or live; `interest_out`, `explanation_out` and `err`
/// are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_interest(
    principal: *const c_char,
    from: *const c_char,
    to: *const c_char,
    class: u32,
    tables: *const cape_tables,
    interest_out: *mut *mut c_char,
    explanation_out: *mut *mut cape_interest_explanation,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let principal = parse_canonical(unsafe { arg_str(principal, "principal") }?, "principal", Sign::NonNegative)?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let (from, to) = unsafe { (arg_date(from, "from")?, arg_date(to, "to")?) };
        let class = importer_class("class", class)?;
        let interest_out = arg_out(interest_out, "interest_out")?;
        let embedded;
        // SAFETY: NULL or live, per the contract.
        let rates = match unsafe { tables.as_ref() } {
            Some(t) => &t.inner.rates,
            None => {
                embedded = RateTable::embedded();
                &embedded
            }
        };
        let r = compute_interest(principal, from, to, class, rates, &InterestOptions::default())?;
        let interest = owned_c_string(&r.interest.to_string_2dp());
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { interest_out.write(interest) };
        if !explanation_out.is_null() {
            let periods = r
                .periods
                .iter()
                .map(|p| PeriodStrings {
                    from: c_string(&iso(p.from)),
                    to: c_string(&iso(p.to)),
                    days: p.days,
                    rate: c_string(&p.annual_rate_percent.normalize().to_string()),
                    days_in_year: p.days_in_year,
                    interest: c_string(&p.interest.to_string_2dp()),
                    assumed: p.assumed,
                })
                .collect();
            let e = cape_interest_explanation { periods, days: r.days };
            // SAFETY: not NULL, valid for writes per the contract.
            unsafe { store_box(explanation_out, e) };
        }
        Ok(())
    })
}

/// Release an explanation. NULL is a no-op.
///
/// # Safety
///
/// `explanation` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_interest_explanation_free(explanation: *mut cape_interest_explanation) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(explanation) }
    })
}

/// The number of periods (0 when `explanation` is NULL).
///
/// # Safety
///
/// `explanation` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_interest_period_count(explanation: *const cape_interest_explanation) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { explanation.as_ref() }.map_or(0, |e| e.periods.len())
    })
}

/// The total number of interest days (0 when `explanation` is NULL).
///
/// # Safety
///
/// `explanation` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_interest_days(explanation: *const cape_interest_explanation) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { explanation.as_ref() }.map_or(0, |e| e.days as usize)
    })
}

/// Period `index`, written to `*out` (set `out->struct_size` first); strings borrowed from `explanation`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`explanation` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `explanation` is NULL or live; `out` is NULL or a sized struct valid for writing; `err` is NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_interest_period(
    explanation: *const cape_interest_explanation,
    index: usize,
    out: *mut cape_period,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let e = unsafe { arg_ref(explanation, "explanation") }?;
        let out = arg_out(out, "out")?;
        let p = e.periods.get(index).ok_or_else(|| FfiError::index(index, e.periods.len(), "periods"))?;
        let period = cape_period {
            struct_size: sized::size_of::<cape_period>(),
            from: p.from.as_ptr(),
            to: p.to.as_ptr(),
            days: p.days,
            annual_rate_percent: p.rate.as_ptr(),
            days_in_year: p.days_in_year,
            interest: p.interest.as_ptr(),
            assumed: p.assumed,
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, period, "out") }
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Consolidation

struct RefundStrings {
    recipient: CString,
    liquidation_date: CString,
    principal: CString,
    interest: CString,
    total: CString,
    waived_principal: CString,
    waived_interest: CString,
    refund_due_by: CString,
}

/// The refunds of a set of entries, consolidated per recipient and (projected) liquidation date, as CBP pays
/// them.
///
/// Created by `cape_consolidate` (of an assessment's kept entries) or `cape_assessment_consolidation` (of a
/// run's entries, kept or not), released with `cape_consolidation_free`. Immutable: may be read by several
/// threads at once. Strings read from it are borrowed until `cape_consolidation_free`.
pub struct cape_consolidation {
    consolidation: Consolidation,
    refunds: Vec<RefundStrings>,
    totals: [CString; 4],
}

impl cape_consolidation {
    pub(crate) fn new(consolidation: Consolidation) -> Self {
        let refunds = consolidation
            .refunds()
            .into_iter()
            .map(|r| RefundStrings {
                recipient: c_string(&r.recipient),
                liquidation_date: c_string(&iso(r.liquidation_date)),
                principal: c_string(&r.principal.to_string_2dp()),
                interest: c_string(&r.interest.to_string_2dp()),
                total: c_string(&r.total.to_string_2dp()),
                waived_principal: c_string(&r.waived_principal.to_string_2dp()),
                waived_interest: c_string(&r.waived_interest.to_string_2dp()),
                refund_due_by: c_string(&iso(r.refund_due_by)),
            })
            .collect();
        let t = consolidation.totals();
        let totals = [t.principal, t.interest, t.paid, t.held].map(|m| c_string(&m.to_string_2dp()));
        cape_consolidation { consolidation, refunds, totals }
    }
}

/// One consolidated refund. Strings borrowed from the `cape_consolidation`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_refund {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_refund)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Who is paid (importer or Form 4811 designee number). Never NULL.
    pub recipient: *const c_char,
    /// The (projected) (re)liquidation date. Never NULL.
    pub liquidation_date: *const c_char,
    /// Whether the refund would be held (no ACH refund enrollment). Held refunds are counted in
    /// `cape_refund_totals.paid` and `.held`.
    pub held: bool,
    /// Sum of the principal paid. Never NULL.
    pub principal: *const c_char,
    /// Sum of the interest paid. Never NULL.
    pub interest: *const c_char,
    /// `principal + interest`. Never NULL.
    pub total: *const c_char,
    /// The number of entries paid together (`CAPE_REFUND_LIST_PAID`).
    pub entries: usize,
    /// Of the entries of this recipient and date, those whose interest could not be computed (counted as
    /// zero; `CAPE_REFUND_LIST_INTEREST_UNKNOWN`).
    pub interest_unknown: usize,
    /// Entries waived because their refund is below the minimum refund (`CAPE_REFUND_LIST_WAIVED`); not in
    /// `entries`, `principal`, `interest` or `total`.
    pub waived: usize,
    /// Principal of the waived entries. Never NULL.
    pub waived_principal: *const c_char,
    /// Interest of the waived entries. Never NULL.
    pub waived_interest: *const c_char,
    /// The day the whole refund is due: the latest due date of its entries, each 30 days after its
    /// (projected) (re)liquidation (19 USC 1505(b)), `YYYY-MM-DD`. Never NULL.
    pub refund_due_by: *const c_char,
}

/// Totals over a consolidation. Strings borrowed from the `cape_consolidation`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_refund_totals {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_refund_totals)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Entries consolidated (paid or waived).
    pub entries: u64,
    /// Principal over all entries (paid or waived). Never NULL.
    pub principal: *const c_char,
    /// Interest over all entries (paid or waived). Never NULL.
    pub interest: *const c_char,
    /// Principal + interest of every refund, held ones included, waived entries excluded:
    /// `paid == principal + interest - (waived principal + waived interest)`, so with no minimum refund
    /// `paid == principal + interest`. "Paid" as in "due to be paid": a held refund is owed too. Never NULL.
    pub paid: *const c_char,
    /// The part of `paid` in refunds that would be held (no ACH refund enrollment, `cape_refund.held`):
    /// `0 <= held <= paid`; `paid - held` is what would go out without enrollment. Never NULL.
    pub held: *const c_char,
}

/// Which entries of a consolidated refund `cape_consolidation_refund_entry` lists. In C the type is a
/// `uint32_t`; functions take the integer and return `CAPE_STATUS_OUT_OF_RANGE` for any other value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_refund_list {
    /// The entries paid together (`cape_refund.entries` of them), in input order.
    Paid = 0,
    /// The entries whose interest could not be computed (`cape_refund.interest_unknown`).
    InterestUnknown = 1,
    /// The entries waived under the minimum refund (`cape_refund.waived`).
    Waived = 2,
}

/// Room for an entry number in canonical form (`XXX-NNNNNNN-C`) and its NUL.
pub const CAPE_ENTRY_NUMBER_SIZE: usize = 14;

/// Write an entry number, NUL-terminated, into a caller's buffer of `CAPE_ENTRY_NUMBER_SIZE` bytes.
///
/// # Safety
///
/// `out` is not NULL and valid for writing `CAPE_ENTRY_NUMBER_SIZE` bytes.
pub(crate) unsafe fn write_entry_number(out: *mut c_char, n: &EntryNumber) -> Result<(), FfiError> {
    let text = n.to_string();
    let bytes = text.as_bytes();
    if bytes.len() >= CAPE_ENTRY_NUMBER_SIZE {
        return Err(FfiError::new(cape_status::Internal, format!("entry number {text} longer than expected")));
    }
    // SAFETY: `out` has CAPE_ENTRY_NUMBER_SIZE bytes, more than `bytes` and its NUL, per the contract.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), out, bytes.len());
        out.add(bytes.len()).write(0);
    }
    Ok(())
}

/// Consolidate the refunds of an assessment's kept entries (`cape_assess_*`; a streaming run keeps none: use
/// `cape_assessment_consolidation` instead). `minimum_refund` (nullable, a canonical non-negative amount such
/// as `"20.00"`: see "Money" at the top of the header) waives refunds below it; NULL waives nothing. `assessment` is not consumed. On success writes a new handle to `*out`,
/// owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_MONEY` (`minimum_refund` not canonical, e.g. `"$20"`, `"1,000.00"`, `"20.005"`, or
/// negative); `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `assessment` is NULL or live; `minimum_refund` is NULL or NUL-terminated; `out` and `err` are NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidate(
    assessment: *const cape_assessment,
    minimum_refund: *const c_char,
    out: *mut *mut cape_consolidation,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let minimum_refund = unsafe { arg_minimum_refund(minimum_refund) }?;
        let out = arg_out(out, "out")?;
        let mut o = ConsolidationOptions::default();
        o.minimum_refund = minimum_refund;
        let c = consolidate_assessed(&a.partial.entries, o)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_consolidation::new(c)) };
        Ok(())
    })
}

/// A nullable minimum-refund argument (a decimal string of dollars and cents).
///
/// # Safety
///
/// `p` is NULL or NUL-terminated.
pub(crate) unsafe fn arg_minimum_refund(p: *const c_char) -> Result<Option<Usd>, FfiError> {
    // SAFETY: forwarded contract.
    Ok(unsafe { arg_opt_str(p, "minimum_refund") }?
        .map(|m| parse_canonical(m, "minimum_refund", Sign::NonNegative))
        .transpose()?)
}

/// Release a consolidation. NULL is a no-op.
///
/// # Safety
///
/// `consolidation` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidation_free(consolidation: *mut cape_consolidation) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(consolidation) }
    })
}

/// The number of consolidated refunds (0 when `consolidation` is NULL).
///
/// # Safety
///
/// `consolidation` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidation_refund_count(consolidation: *const cape_consolidation) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { consolidation.as_ref() }.map_or(0, |c| c.refunds.len())
    })
}

/// Refund `index` (ordered by recipient, then liquidation date, held refunds after paid ones), written to
/// `*out` (set `out->struct_size` first); strings borrowed from `consolidation`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`consolidation` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `consolidation` is NULL or live; `out` is NULL or a sized struct valid for writing; `err` is NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidation_refund(
    consolidation: *const cape_consolidation,
    index: usize,
    out: *mut cape_refund,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let c = unsafe { arg_ref(consolidation, "consolidation") }?;
        let out = arg_out(out, "out")?;
        let refunds = c.consolidation.refunds();
        let (r, s) = refunds
            .get(index)
            .zip(c.refunds.get(index))
            .ok_or_else(|| FfiError::index(index, c.refunds.len(), "refunds"))?;
        let refund = cape_refund {
            struct_size: sized::size_of::<cape_refund>(),
            recipient: s.recipient.as_ptr(),
            liquidation_date: s.liquidation_date.as_ptr(),
            held: r.held,
            principal: s.principal.as_ptr(),
            interest: s.interest.as_ptr(),
            total: s.total.as_ptr(),
            entries: r.entries.len(),
            interest_unknown: r.interest_unknown.len(),
            waived: r.waived.len(),
            waived_principal: s.waived_principal.as_ptr(),
            waived_interest: s.waived_interest.as_ptr(),
            refund_due_by: s.refund_due_by.as_ptr(),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, refund, "out") }
    })
}

/// Entry `index` of list `list` (a `cape_refund_list`) of refund `refund`, in canonical form
/// (`"ABC-1234567-6"`), written NUL-terminated into `out`, a buffer of `CAPE_ENTRY_NUMBER_SIZE` bytes owned
/// by the caller.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`consolidation` or `out` NULL);
/// `CAPE_STATUS_OUT_OF_RANGE` (`refund`, `list` or `index`).
///
/// # Safety
///
/// `consolidation` is NULL or live; `out` is NULL or valid for writing `CAPE_ENTRY_NUMBER_SIZE` bytes; `err` is
/// NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidation_refund_entry(
    consolidation: *const cape_consolidation,
    refund: usize,
    list: u32,
    index: usize,
    out: *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let c = unsafe { arg_ref(consolidation, "consolidation") }?;
        let out = arg_out(out, "out")?;
        let refunds = c.consolidation.refunds();
        let r = refunds.get(refund).ok_or_else(|| FfiError::index(refund, refunds.len(), "refunds"))?;
        let (entries, what) = match list {
            0 => (&r.entries, "paid entries"),
            1 => (&r.interest_unknown, "entries with unknown interest"),
            2 => (&r.waived, "waived entries"),
            _ => {
                return Err(FfiError::enum_value(
                    "list",
                    list,
                    "CAPE_REFUND_LIST_PAID (0), CAPE_REFUND_LIST_INTEREST_UNKNOWN (1), CAPE_REFUND_LIST_WAIVED (2)",
                ))
            }
        };
        let n = entries.get(index).ok_or_else(|| FfiError::index(index, entries.len(), what))?;
        // SAFETY: not NULL, CAPE_ENTRY_NUMBER_SIZE bytes per the contract.
        unsafe { write_entry_number(out, n) }
    })
}

/// The totals of a consolidation, written to `*out` (set `out->struct_size` first); strings borrowed from
/// `consolidation`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`consolidation` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `consolidation` is NULL or live; `out` is NULL or a sized struct valid for writing; `err` is NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_consolidation_totals(
    consolidation: *const cape_consolidation,
    out: *mut cape_refund_totals,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let c = unsafe { arg_ref(consolidation, "consolidation") }?;
        let out = arg_out(out, "out")?;
        let t = cape_refund_totals {
            struct_size: sized::size_of::<cape_refund_totals>(),
            entries: c.consolidation.totals().entries,
            principal: c.totals[0].as_ptr(),
            interest: c.totals[1].as_ptr(),
            paid: c.totals[2].as_ptr(),
            held: c.totals[3].as_ptr(),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, t, "out") }
    })
}
