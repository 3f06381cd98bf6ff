//! The ES-003 report (ACE "Entry Summary Line Tariff Details", CSV or XLSX): open, summary, entries,
//! diagnostics.

use std::ffi::{c_char, CString};

use cape_core::{read_es003_bytes, read_es003_path, Diagnostic, Es003, Es003Options, IngestSummary, Severity};

use crate::error::{cape_error, cape_status, FfiError};
use crate::sized::{self, write_sized};
use crate::strings::{arg_out, arg_path, arg_ref, arg_str, c_string, opt_ptr, owned_c_string};

/// A read ES-003 report: its entries, the diagnostics about its rows, and the ingest counts.
///
/// Created by `cape_es003_open_path` or `cape_es003_open_buffer`, released with `cape_es003_free`.
/// Immutable once opened: every function taking a `const cape_es003 *` may be called from several threads at
/// once. `cape_es003_free` must not run concurrently with any other use of the handle.
pub struct cape_es003 {
    pub(crate) report: Es003,
    /// The diagnostics' strings, made once at open so that `cape_es003_diagnostic` can lend them.
    diagnostics: Vec<DiagnosticStrings>,
}

/// The strings of one diagnostic, made once so that `cape_diagnostic` can lend them.
pub(crate) struct DiagnosticStrings {
    code: CString,
    column: Option<CString>,
    value: Option<CString>,
    message: CString,
    entry: Option<CString>,
}

/// The strings of each diagnostic.
pub(crate) fn diagnostic_strings(diagnostics: &[Diagnostic]) -> Vec<DiagnosticStrings> {
    diagnostics
        .iter()
        .map(|d| DiagnosticStrings {
            code: c_string(d.code.as_str()),
            column: d.column.as_deref().map(c_string),
            value: d.value.as_deref().map(c_string),
            message: c_string(&d.message),
            entry: d.entry.as_ref().map(|n| c_string(&n.to_string())),
        })
        .collect()
}

/// The C view of `d`, whose strings `s` are.
pub(crate) fn diagnostic_view(d: &Diagnostic, s: &DiagnosticStrings) -> cape_diagnostic {
    cape_diagnostic {
        struct_size: sized::size_of::<cape_diagnostic>(),
        code: s.code.as_ptr(),
        severity: d.severity().into(),
        row: d.row.unwrap_or(0),
        column: opt_ptr(&s.column),
        value: opt_ptr(&s.value),
        message: s.message.as_ptr(),
        entry: opt_ptr(&s.entry),
    }
}

/// The C view of an ingest summary with `diagnostics` diagnostics kept.
pub(crate) fn ingest_summary(s: &IngestSummary, diagnostics: usize) -> cape_ingest_summary {
    cape_ingest_summary {
        struct_size: sized::size_of::<cape_ingest_summary>(),
        rows_read: s.rows_read,
        rows_used: s.rows_used,
        rows_rejected: s.rows_rejected,
        entries: s.entries,
        lines: s.lines,
        tariff_rows: s.tariff_rows,
        split_entries: s.split_entries,
        conflicting_entries: s.conflicting_entries,
        diagnostics: count(diagnostics),
        errors: s.errors,
        warnings: s.warnings,
        infos: s.infos,
    }
}

impl cape_es003 {
    pub(crate) fn new(report: Es003) -> Self {
        let diagnostics = diagnostic_strings(&report.diagnostics);
        cape_es003 { report, diagnostics }
    }
}

/// How serious a diagnostic is. In C the type is a `uint32_t`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_severity {
    /// A fact about the file (an optional column absent, a column ignored); no row is affected.
    Info = 0,
    /// The row was used, but the entry may need review.
    Warning = 1,
    /// The row was rejected and not used.
    Error = 2,
}

impl From<Severity> for cape_severity {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => cape_severity::Info,
            Severity::Warning => cape_severity::Warning,
            Severity::Error => cape_severity::Error,
        }
    }
}

/// The ingest counts of an ES-003 report. Every input row is used or rejected:
/// `rows_read == rows_used + rows_rejected`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct cape_ingest_summary {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_ingest_summary)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Data rows read (the header row is not counted).
    pub rows_read: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows rejected, each with an error diagnostic.
    pub rows_rejected: u64,
    /// Distinct entries.
    pub entries: u64,
    /// Entry summary lines, over all entries.
    pub lines: u64,
    /// Tariff rows (ordinals) used, over all lines.
    pub tariff_rows: u64,
    /// Entries whose rows were not contiguous in the file (merged).
    pub split_entries: u64,
    /// Entries with conflicting values, which need review.
    pub conflicting_entries: u64,
    /// Diagnostics of all severities (the same as `cape_es003_diagnostic_count`).
    pub diagnostics: u64,
    /// Diagnostics of severity `CAPE_SEVERITY_ERROR`.
    pub errors: u64,
    /// Diagnostics of severity `CAPE_SEVERITY_WARNING`.
    pub warnings: u64,
    /// Diagnostics of severity `CAPE_SEVERITY_INFO`.
    pub infos: u64,
}

/// One diagnostic about a row (or, for file-level facts, the file).
///
/// The strings are borrowed from the `cape_es003` they came from: valid until `cape_es003_free`; never free
/// them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_diagnostic {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_diagnostic)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// The stable code, e.g. `"ES003_INVALID_ENTRY_NUMBER"`. Never NULL.
    pub code: *const c_char,
    /// The severity (always the same for a given code).
    pub severity: cape_severity,
    /// The 1-based row in the file (the header is row 1); 0 for file-level facts.
    pub row: u64,
    /// The column's name as written in the file, or NULL when no single cell is concerned.
    pub column: *const c_char,
    /// The raw cell value, or NULL when no single cell is concerned.
    pub value: *const c_char,
    /// A plain-English message. Never NULL.
    pub message: *const c_char,
    /// The entry concerned in canonical form (`XXX-NNNNNNN-C`), or NULL when not known.
    pub entry: *const c_char,
}

sized::impl_sized!(cape_ingest_summary, cape_diagnostic);

fn count<T: TryInto<u64>>(n: T) -> u64 {
    n.try_into().unwrap_or(u64::MAX)
}

/// Store a new handle through `out`.
///
/// # Safety
///
/// `out` is not NULL and valid for writing.
unsafe fn store(out: *mut *mut cape_es003, report: Es003) {
    let handle = Box::into_raw(Box::new(cape_es003::new(report)));
    // SAFETY: per the contract.
    unsafe { out.write(handle) };
}

/// Read an ES-003 report from a file (CSV or XLSX, recognised by content).
///
/// On success writes a new handle to `*out`; the caller owns it and frees it with `cape_es003_free`. Bad rows
/// do not fail the call: they are rejected and reported as diagnostics. On Unix the path is taken as bytes; on
/// other systems it must be UTF-8. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`path` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`
/// (non-Unix only); `CAPE_STATUS_IO` (cannot open or read the file); `CAPE_STATUS_INVALID_FORMAT` (not a
/// CSV/XLSX report, no header row); `CAPE_STATUS_MISSING_COLUMN` (a required column is absent).
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_open_path(
    path: *const c_char,
    out: *mut *mut cape_es003,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        let out = arg_out(out, "out")?;
        let report = read_es003_path(&path, &Es003Options::default())?;
        // SAFETY: `out` checked not NULL, valid for writes per the contract.
        unsafe { store(out, report) };
        Ok(())
    })
}

/// Read an ES-003 report from memory (the bytes of a CSV or XLSX file, recognised by content).
///
/// `data` may be NULL only when `len` is 0. `source_name` (nullable) names the input in diagnostics and
/// messages; NULL means `"<buffer>"`. The bytes are not retained: they may be freed when the call returns.
/// On success writes a new handle to `*out`; the caller owns it and frees it with `cape_es003_free`. Bad rows
/// do not fail the call: they are rejected and reported as diagnostics. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL, or `data` NULL with `len` > 0);
/// `CAPE_STATUS_INVALID_UTF8` (`source_name`); `CAPE_STATUS_INVALID_FORMAT`; `CAPE_STATUS_MISSING_COLUMN`.
///
/// # Safety
///
/// `data` is NULL or valid for reading `len` bytes; `source_name` is NULL or NUL-terminated; `out` is NULL or
/// valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_open_buffer(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    out: *mut *mut cape_es003,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        let bytes: &[u8] = if data.is_null() {
            if len != 0 {
                return Err(FfiError::null("data"));
            }
            &[]
        } else {
            // SAFETY: valid for `len` bytes, per the contract.
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        let source_name = if source_name.is_null() {
            None
        } else {
            // SAFETY: NUL-terminated, per the contract.
            Some(unsafe { arg_str(source_name, "source_name") }?.to_owned())
        };
        let out = arg_out(out, "out")?;
        let opts = {
            let mut o = Es003Options::default();
            o.source_name = source_name;
            o
        };
        let report = read_es003_bytes(bytes, &opts)?;
        // SAFETY: `out` checked not NULL, valid for writes per the contract.
        unsafe { store(out, report) };
        Ok(())
    })
}

/// Free a report and every string borrowed from it. NULL is a no-op.
///
/// # Safety
///
/// `report` is NULL or a handle from `cape_es003_open_*` not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_free(report: *mut cape_es003) {
    ffi_boundary!({
        if !report.is_null() {
            // SAFETY: created by Box::into_raw in `store`, freed once, per the contract.
            drop(unsafe { Box::from_raw(report) });
        }
    })
}

/// The ingest counts of a report, written to `*out` (set `out->struct_size` first).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`report` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `report` is NULL or a live handle; `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_summary(
    report: *const cape_es003,
    out: *mut cape_ingest_summary,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let report = unsafe { arg_ref(report, "report") }?;
        let out = arg_out(out, "out")?;
        let summary = ingest_summary(&report.report.summary, report.report.diagnostics.len());
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, summary, "out") }
    })
}

/// The number of entries in a report (0 when `report` is NULL).
///
/// # Safety
///
/// `report` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_entry_count(report: *const cape_es003) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { report.as_ref() }.map_or(0, |r| r.report.entries.len())
    })
}

/// The entry number of entry `index` (0-based, in file order), in canonical form (`"ABC-1234567-6"`).
///
/// On success writes an owned string to `*out`: free it with `cape_string_free`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`report` or `out` NULL); `CAPE_STATUS_OUT_OF_RANGE`
/// (`index >= cape_es003_entry_count(report)`).
///
/// # Safety
///
/// `report` is NULL or a live handle; `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_entry_number(
    report: *const cape_es003,
    index: usize,
    out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let report = unsafe { arg_ref(report, "report") }?;
        let out = arg_out(out, "out")?;
        let entries = &report.report.entries;
        let entry = entries.get(index).ok_or_else(|| out_of_range(index, entries.len(), "entries"))?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(owned_c_string(&entry.number.to_string())) };
        Ok(())
    })
}

/// The number of diagnostics of a report, all severities (0 when `report` is NULL).
///
/// # Safety
///
/// `report` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_diagnostic_count(report: *const cape_es003) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { report.as_ref() }.map_or(0, |r| r.diagnostics.len())
    })
}

/// How many diagnostics with the stable code `code` (e.g. `"ES003_INVALID_MONEY"`) the report found: exact
/// for any number of rows, while the diagnostics kept in detail ([`cape_es003_diagnostic_count`]) are at most
/// 1,000 per code. 0 when `report` or `code` is NULL, `code` is not valid UTF-8, or no such diagnostic was
/// found.
///
/// # Safety
///
/// `report` is NULL or a live handle; `code` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_code_count(report: *const cape_es003, code: *const c_char) -> u64 {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        let Some(r) = (unsafe { report.as_ref() }) else { return 0 };
        if code.is_null() {
            return 0;
        }
        // SAFETY: not NULL and NUL-terminated, per the contract.
        let Ok(code) = unsafe { std::ffi::CStr::from_ptr(code) }.to_str() else { return 0 };
        r.report.summary.counts_by_code.iter().find(|(c, _)| c.as_str() == code).map_or(0, |(_, n)| *n)
    })
}

/// Diagnostic `index` (0-based, in the order found) of a report, written to `*out` (set `out->struct_size`
/// first).
///
/// The strings in `*out` are borrowed from `report`: valid until `cape_es003_free(report)`; do not free them.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`report` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`
/// (`index >= cape_es003_diagnostic_count(report)`).
///
/// # Safety
///
/// `report` is NULL or a live handle; `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_es003_diagnostic(
    report: *const cape_es003,
    index: usize,
    out: *mut cape_diagnostic,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let report = unsafe { arg_ref(report, "report") }?;
        let out = arg_out(out, "out")?;
        let n = report.diagnostics.len();
        let (d, s) = report
            .report
            .diagnostics
            .get(index)
            .zip(report.diagnostics.get(index))
            .ok_or_else(|| out_of_range(index, n, "diagnostics"))?;
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, diagnostic_view(d, s), "out") }
    })
}

fn out_of_range(index: usize, len: usize, what: &str) -> FfiError {
    FfiError::new(cape_status::OutOfRange, format!("index {index} out of range: the report has {len} {what}"))
}
