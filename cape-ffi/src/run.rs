//! The streaming API: a run over an ES-003 file or buffer that hands each entry's assessment to a callback
//! and keeps only the run's summary (totals, ingest balance, diagnostics, consolidation).
//!
//! This is `cape_core::run` and nothing more: [`cape_run_path`] and [`cape_run_buffer`] call
//! `cape_core::run::run` (with a per-entry callback) or `cape_core::run::run_summary` (without one) once, and
//! convert. The run loop, the merge of halves, consolidation and progress all live in the core.
//!
//! A callback, not a step iterator (`sqlite3_step` style), because the core's run borrows the tables for its
//! whole length and runs on the caller's stack: a callback maps onto `cape_core::run::run` with no handle
//! whose lifetime C would have to manage, no thread of libcape's own, and no state left half-way when the
//! caller returns early (returning true from the callback ends the run cleanly with
//! `CAPE_STATUS_CANCELLED`). A step handle would have to own the tables and the reader across calls, i.e. run
//! on a thread of its own or hold a self-referential borrow.

use std::ffi::{c_char, c_void};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use cape_core::assess::EntryAssessment;
use cape_core::run::{run, run_summary, Progress, RunOptions, Source};
use cape_core::{Error, Es003Options};

use crate::assessment::{cape_assessment, cape_entry_result, cape_reason, EntryStrings};
use crate::error::{cape_error, cape_status, FfiError};
use crate::options::cape_assess_options;
use crate::refund::arg_minimum_refund;
use crate::sized::{self, read_sized, write_sized};
use crate::strings::{arg_bytes, arg_opt_str, arg_out, arg_path, arg_ref, free_box, store_box};
use crate::tables::cape_tables;

/// One entry's assessment, lent to a `cape_entry_cb` for the length of the call.
///
/// Read it with `cape_entry_get`, `cape_entry_reason` and `cape_entry_finding`. The handle and every string
/// read from it are valid only until the callback returns: copy what you keep. Never free it.
pub struct cape_entry {
    assessment: EntryAssessment,
    /// The record's strings, made on the first `cape_entry_get` / `_reason` / `_finding` of the entry (the
    /// flag says whether they are this entry's): a callback that reads none costs no string. Filled once an
    /// entry, so the pointers lent stay valid until the callback returns; the lock only guards the filling
    /// (the callback may hand the entry to another thread).
    strings: Mutex<(bool, EntryStrings)>,
}

impl cape_entry {
    /// The entry's assessment.
    pub(crate) fn assessment(&self) -> &EntryAssessment {
        &self.assessment
    }

    /// The entry's strings, made if not yet.
    fn strings(&self) -> MutexGuard<'_, (bool, EntryStrings)> {
        let mut g = self.strings.lock().unwrap_or_else(PoisonError::into_inner);
        if !g.0 {
            g.1.fill(&self.assessment);
            g.0 = true;
        }
        g
    }
}

/// How far a run has got, lent to a `cape_progress_cb` for the length of the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_progress {
    /// The size of this struct in the library that filled it: a field is there only if it ends within
    /// `struct_size` (a program built against a newer header may run with an older libcape).
    pub struct_size: u32,
    /// Input rows read so far.
    pub rows_read: u64,
    /// Entries assessed so far.
    pub entries: u64,
    /// The fraction of the input read (0 to 1), or -1 when the input's size is not known.
    pub fraction: f64,
    /// True on the last call, after the whole input was read.
    pub done: bool,
}

/// Called with each entry's assessment, in file order, on the thread that called `cape_run_*`.
///
/// `entry` is lent for the call only; `user` is the `user` given to `cape_run_*`. Return whether to stop:
/// false to go on, true to stop the run, which then returns `CAPE_STATUS_CANCELLED`. The callback must not
/// unwind (longjmp, C++ exceptions) through libcape.
pub type cape_entry_cb = Option<unsafe extern "C" fn(entry: *const cape_entry, user: *mut c_void) -> bool>;

/// Called with the run's progress at most every `cape_run_options.progress_every_ms` and once at the end
/// (`done` true).
///
/// `progress` is lent for the call only; `user` is `cape_run_options.progress_user`. Return whether to stop:
/// false to go on, true to stop the run, which then returns `CAPE_STATUS_CANCELLED`. Never called by two threads at
/// once, but not always on the calling thread: in keep-nothing mode with `threads` ≥ 2 (or 0 on a machine
/// with two cores or more) a file may be run in two halves on threads of libcape's, and the first half's
/// thread reports.
pub type cape_progress_cb = Option<unsafe extern "C" fn(progress: *const cape_progress, user: *mut c_void) -> bool>;

/// How to run, besides what to assess (`cape_assess_options`).
///
/// Allocated by the caller. Set `struct_size = sizeof(cape_run_options)` and zero the rest (`= {0}` in C, or
/// `memset`): every field's zero is its default, and a field beyond `struct_size` (a program built against
/// an older header) takes its default. Read during the call only; not retained.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_run_options {
    /// `sizeof(cape_run_options)` as the caller knows it (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Threads: 0 for cape's default (two on a machine with two cores or more), 1 to run on the calling
    /// thread only, 2 or more to read ahead on a second thread (and, in keep-nothing mode on a file, to run
    /// each half of the file on its own thread).
    pub threads: u32,
    /// Called with the progress (NULL: none).
    pub progress: cape_progress_cb,
    /// Passed to `progress` as `user`.
    pub progress_user: *mut c_void,
    /// The least time between two progress calls, in milliseconds; 0 for cape's default (100).
    pub progress_every_ms: u32,
    /// A cancel flag (`cape_cancel_new`) another thread may set to stop the run (NULL: none). The run then
    /// returns `CAPE_STATUS_CANCELLED` within a row.
    pub cancel: *const cape_cancel,
    /// Refunds (principal + interest) below this amount, a canonical non-negative amount such as `"20.00"`
    /// (see "Money" at the top of the header), are waived in the run's consolidation (NULL: none waived).
    pub minimum_refund: *const c_char,
}

sized::impl_sized!(cape_run_options, cape_progress);

/// A cancel flag for runs: set it from any thread (or a signal handler's thread) with `cape_cancel_set`, and
/// every run given it in `cape_run_options.cancel` stops within a row with `CAPE_STATUS_CANCELLED`.
///
/// Created by `cape_cancel_new`, released with `cape_cancel_free` (not while a run using it is going on).
/// Thread-safe: `cape_cancel_set` and `cape_cancel_is_set` may be called from any thread at any time.
pub struct cape_cancel {
    flag: Arc<AtomicBool>,
}

/// A new cancel flag, not set. On success writes a new handle to `*out`, owned by the caller (free with
/// `cape_cancel_free`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL).
///
/// # Safety
///
/// `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_cancel_new(out: *mut *mut cape_cancel, err: *mut *mut cape_error) -> cape_status {
    ffi_boundary!(err = err, {
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_cancel { flag: Arc::new(AtomicBool::new(false)) }) };
        Ok(())
    })
}

/// Set a cancel flag: runs using it stop. It stays set. NULL is a no-op. Thread-safe.
///
/// # Safety
///
/// `cancel` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_cancel_set(cancel: *const cape_cancel) {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        if let Some(c) = unsafe { cancel.as_ref() } {
            c.flag.store(true, Ordering::Relaxed);
        }
    })
}

/// Whether the flag is set (false when `cancel` is NULL). Thread-safe.
///
/// # Safety
///
/// `cancel` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_cancel_is_set(cancel: *const cape_cancel) -> bool {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { cancel.as_ref() }.is_some_and(|c| c.flag.load(Ordering::Relaxed))
    })
}

/// Release a cancel flag. NULL is a no-op.
///
/// # Safety
///
/// `cancel` is NULL or a handle not yet freed, used by no run going on; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_cancel_free(cancel: *mut cape_cancel) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(cancel) }
    })
}

/// The caller's progress callback and its `user`, callable from the run's threads.
struct ProgressCallback {
    cb: unsafe extern "C" fn(*const cape_progress, *mut c_void) -> bool,
    user: *mut c_void,
}

// SAFETY: the caller's contract (`cape_progress_cb`) allows the callback on a thread of libcape's with its
// `user`, never on two threads at once (the core reports from one thread of a run).
unsafe impl Send for ProgressCallback {}
// SAFETY: as above.
unsafe impl Sync for ProgressCallback {}

impl ProgressCallback {
    fn call(&self, p: &Progress) -> ControlFlow<()> {
        let view = cape_progress {
            struct_size: sized::size_of::<cape_progress>(),
            rows_read: p.rows_read,
            entries: p.entries,
            fraction: p.fraction.unwrap_or(-1.0),
            done: p.done,
        };
        // SAFETY: the caller's callback, with its own `user`, and a progress that lives for the call.
        if !unsafe { (self.cb)(&view, self.user) } {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }
}

/// The core's run options (and the reader's) of the caller's `cape_run_options` (NULL: the defaults).
///
/// # Safety
///
/// `p` is NULL or a `cape_run_options` whose `struct_size` is set, valid for reading that many bytes, with
/// `cancel` NULL or live and `minimum_refund` NULL or NUL-terminated.
pub(crate) unsafe fn run_options(p: *const cape_run_options, es003: Es003Options) -> Result<RunOptions, FfiError> {
    let mut o = RunOptions::new();
    o.es003 = es003;
    if p.is_null() {
        return Ok(o);
    }
    // SAFETY: per the contract.
    let c = unsafe { read_sized(p, "run") }?;
    o.threads = usize::try_from(c.threads).unwrap_or(usize::MAX);
    if let Some(cb) = c.progress {
        let cb = ProgressCallback { cb, user: c.progress_user };
        o.progress = Some(Arc::new(move |p: &Progress| cb.call(p)));
    }
    if c.progress_every_ms != 0 {
        o.progress_every = Duration::from_millis(u64::from(c.progress_every_ms));
    }
    // SAFETY: NULL or live, per the contract.
    if let Some(cancel) = unsafe { c.cancel.as_ref() } {
        o.es003.cancel = Some(Arc::clone(&cancel.flag));
    }
    // SAFETY: NULL or NUL-terminated, per the contract.
    o.consolidation.minimum_refund = unsafe { arg_minimum_refund(c.minimum_refund) }?;
    Ok(o)
}

/// The body of `cape_run_path` and `cape_run_buffer` once the source is known.
///
/// # Safety
///
/// As the exported functions' contracts.
#[allow(clippy::too_many_arguments)]
unsafe fn run_source(
    source: impl FnOnce() -> Result<Source, FfiError>,
    es003: Es003Options,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    run_opts: *const cape_run_options,
    on_entry: cape_entry_cb,
    user: *mut c_void,
    out: *mut *mut cape_assessment,
) -> Result<(), FfiError> {
    // SAFETY: NULL or live, per the contract.
    let tables = unsafe { arg_ref(tables, "tables") }?;
    // SAFETY: NULL or live, per the contract.
    let options = unsafe { arg_ref(options, "options") }?;
    // SAFETY: per the contract.
    let o = unsafe { run_options(run_opts, es003) }?;
    let source = source()?;
    let assess = options.inner.clone();
    let partial = match on_entry {
        None => run_summary(source, &tables.inner, assess, &o)?,
        Some(cb) => {
            // One handle for the whole run, its string buffers refilled for each entry that asks for them:
            // no allocation per entry beyond the core's record, and none at all for an entry whose strings
            // are not read.
            let mut slot: Option<cape_entry> = None;
            run(source, &tables.inner, assess, &o, |assessment| {
                let entry = match slot.as_mut() {
                    Some(e) => {
                        e.assessment = assessment;
                        e.strings.get_mut().unwrap_or_else(PoisonError::into_inner).0 = false;
                        e
                    }
                    None => {
                        slot.insert(cape_entry { assessment, strings: Mutex::new((false, EntryStrings::default())) })
                    }
                };
                // SAFETY: the caller's callback with its own `user`; `entry` is not changed during the call.
                if !unsafe { cb(entry, user) } {
                    Ok(())
                } else {
                    Err(Error::Cancelled { source_name: "the entry callback".to_owned() })
                }
            })?
        }
    };
    if !out.is_null() {
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_assessment::new(partial)) };
    }
    Ok(())
}

/// Stream an ES-003 file (CSV or XLSX, recognised by content; `"-"` reads standard input) through the
/// assessment, entry by entry, in memory bounded by one entry whatever the file's size.
///
/// - With `on_entry`, each entry's assessment is lent to `on_entry(entry, user)` in file order, on the calling
///   thread (see `cape_entry_cb`); nothing of it is kept.
/// - With `on_entry` NULL ("keep nothing"), only the summary is computed, possibly on two threads
///   (`cape_run_options.threads`), with exactly the one-thread result.
///
/// Either way, on success `*out` (when `out` is not NULL) receives a new `cape_assessment` owned by the caller
/// (free with `cape_assessment_free`) holding the whole input's summary: `cape_assessment_totals`,
/// `cape_assessment_summary` (ingest balance: rows read = used + rejected), `cape_assessment_diagnostic*`
/// and `cape_assessment_consolidation`; it keeps no entry (`cape_assessment_entry_count` is 0). `run` is
/// NULL for the defaults. Thread-safe: several runs may go on at once with the same `tables` and `options`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`path`, `tables` or `options` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`run->struct_size` not set); `CAPE_STATUS_INVALID_MONEY`
/// (`run->minimum_refund`); `CAPE_STATUS_CANCELLED` (a callback returned true, or the cancel flag was
/// set); `CAPE_STATUS_IO`; `CAPE_STATUS_INVALID_FORMAT` (not a report, or no usable row);
/// `CAPE_STATUS_MISSING_COLUMN`; `CAPE_STATUS_INVALID_VALUE` (unknown rule set); `CAPE_STATUS_OVERFLOW`. On
/// failure `*out` is not written; entries already given to `on_entry` stay given.
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `tables` and `options` are NULL or live; `run` is NULL or a
/// `cape_run_options` as documented there; `on_entry` is NULL or a function as `cape_entry_cb` says; `out` and
/// `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_run_path(
    path: *const c_char,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    run: *const cape_run_options,
    on_entry: cape_entry_cb,
    user: *mut c_void,
    out: *mut *mut cape_assessment,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        // SAFETY: forwarded contract.
        unsafe {
            run_source(|| Ok(Source::Path(path)), Es003Options::default(), tables, options, run, on_entry, user, out)
        }
    })
}

/// Stream an ES-003 report in memory (the bytes of a CSV or XLSX file) through the assessment: as
/// `cape_run_path`, with the bytes copied once (memory is the bytes plus one entry).
///
/// `data` may be NULL only when `len` is 0. `source_name` (nullable) names the input in messages and
/// diagnostics. The bytes are not retained after the call.
///
/// Returns as `cape_run_path`, and `CAPE_STATUS_NULL_ARGUMENT` for `data` NULL with `len` > 0,
/// `CAPE_STATUS_INVALID_UTF8` (`source_name`).
///
/// # Safety
///
/// `data` is NULL or valid for reading `len` bytes; `source_name` is NULL or NUL-terminated; the rest as
/// `cape_run_path`.
#[no_mangle]
pub unsafe extern "C" fn cape_run_buffer(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    run: *const cape_run_options,
    on_entry: cape_entry_cb,
    user: *mut c_void,
    out: *mut *mut cape_assessment,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: per the contract.
        let source_name = unsafe { arg_opt_str(source_name, "source_name") }?.map(str::to_owned);
        let mut es003 = Es003Options::default();
        es003.source_name = source_name;
        // SAFETY: forwarded contract.
        unsafe { run_source(|| Ok(Source::Bytes(bytes.to_vec())), es003, tables, options, run, on_entry, user, out) }
    })
}

/// The entry's assessment, written to `*out` (set `out->struct_size` first): the same fields as
/// `cape_assessment_entry` gives for the same entry. Its strings are borrowed from `entry`: valid until the
/// `cape_entry_cb` returns.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`entry` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `entry` is NULL or the handle lent to the running `cape_entry_cb`; `out` is NULL or a sized struct valid
/// for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_get(
    entry: *const cape_entry,
    out: *mut cape_entry_result,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let e = unsafe { arg_ref(entry, "entry") }?;
        let out = arg_out(out, "out")?;
        let view = e.strings().1.view(&e.assessment);
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, view, "out") }
    })
}

/// The entry's record as one line of JSON (no line end): byte for byte what `cape assess --format jsonl` prints
/// for it, and what Python's `EntryAssessment.to_json()` returns. Money is in two-decimal strings.
///
/// On success writes an owned string to `*out`: free it with `cape_string_free`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`entry` or `out` NULL).
///
/// # Safety
///
/// `entry` is NULL or the handle lent to the running `cape_entry_cb`; `out` is NULL or valid for writing; `err`
/// is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_json(
    entry: *const cape_entry,
    out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let e = unsafe { arg_ref(entry, "entry") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(crate::strings::owned_c_string(&e.assessment.record_json())) };
        Ok(())
    })
}

/// Reason `index` of the entry (in the order found), written to `*out` (set `out->struct_size` first);
/// strings borrowed from `entry` until the callback returns.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`entry` or `out` NULL); `CAPE_STATUS_BUFFER_TOO_SMALL`
/// (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE` (`index >= reason_count`).
///
/// # Safety
///
/// As `cape_entry_get`.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_reason(
    entry: *const cape_entry,
    index: usize,
    out: *mut cape_reason,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let e = unsafe { arg_ref(entry, "entry") }?;
        let out = arg_out(out, "out")?;
        let r = {
            let g = e.strings();
            g.1.text_item(&g.1.reasons, index, "reasons")?
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, r, "out") }
    })
}

/// Mass-processing finding `index` of the entry, written to `*out` (set `out->struct_size` first; `effect`
/// is NULL); strings borrowed from `entry` until the callback returns.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`entry` or `out` NULL); `CAPE_STATUS_BUFFER_TOO_SMALL`
/// (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE` (`index >= finding_count`).
///
/// # Safety
///
/// As `cape_entry_get`.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_finding(
    entry: *const cape_entry,
    index: usize,
    out: *mut cape_reason,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let e = unsafe { arg_ref(entry, "entry") }?;
        let out = arg_out(out, "out")?;
        let r = {
            let g = e.strings();
            g.1.text_item(&g.1.findings, index, "findings")?
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, r, "out") }
    })
}
