//! The claim portal: declaration files, their pre-flight check, and CAPE's results files.

use std::ffi::{c_char, CString};

use cape_core::claim::{
    build_declarations, declared_in_dir, preflight_bytes, preflight_path, read_results_bytes, read_results_bytes_with,
    read_results_path, read_results_path_with, reconcile, write_declarations_with, CapeResults, DeclarationOptions,
    FindingLevel, PreflightOptions, PreflightReport, Reconciliation, ResultsOptions, Verdict, WriteOptions,
};
use cape_core::run::{preflight_against, Source};

use crate::assessment::cape_assessment;
use crate::error::{cape_error, cape_status, FfiError};
use crate::options::cape_assess_options;
use crate::refund::write_entry_number;
use crate::run::{cape_run_options, run_options};
use crate::sized::{self, write_sized};
use crate::strings::{
    arg_bytes, arg_mut, arg_opt_str, arg_out, arg_path, arg_ref, arg_str, c_string, free_box, opt_c_string, opt_ptr,
    store_box,
};
use crate::tables::cape_tables;

// ---------------------------------------------------------------------------------------------------------------
// Declarations

/// A set of CAPE declaration files (CSV, at most 9,999 entries each) built from an assessment's declarable
/// entries, plus the manifest.
///
/// Created by `cape_declarations_build`, released with `cape_declarations_free`. Immutable: may be read by
/// several threads at once. Strings read from it are borrowed until `cape_declarations_free`.
pub struct cape_declarations {
    files: Vec<(CString, CString)>,
    set: cape_core::claim::DeclarationSet,
}

/// Build the declaration files of an assessment's `eligible` and `eligible_deferred` entries, in input order.
///
/// `max_entries_per_file` 0 means CAPE's limit (9,999); `per_importer` true makes one set of files per
/// importer of record; `prefix` (nullable, default `"cape-declaration"`) starts every file name.
/// `assessment` is not consumed. On success writes a new handle to `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL); `CAPE_STATUS_INVALID_UTF8`
/// (`prefix`); `CAPE_STATUS_INVALID_VALUE` (`max_entries_per_file` above 9,999, an empty prefix or one with a path
/// separator).
///
/// # Safety
///
/// `assessment` is NULL or live; `prefix` is NULL or NUL-terminated; `out` and `err` are NULL or valid for
/// writing.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_build(
    assessment: *const cape_assessment,
    max_entries_per_file: usize,
    per_importer: bool,
    prefix: *const c_char,
    out: *mut *mut cape_declarations,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let prefix = unsafe { arg_opt_str(prefix, "prefix") }?;
        let out = arg_out(out, "out")?;
        let mut params = {
            let mut o = DeclarationOptions::default();
            o.per_importer = per_importer;
            o
        };
        if max_entries_per_file != 0 {
            params.max_entries_per_file = max_entries_per_file;
        }
        if let Some(p) = prefix {
            params.prefix = p.to_owned();
        }
        let set = build_declarations(a.partial.entries.iter().map(|e| &e.claim), &params)?;
        let files = set.contents().into_iter().map(|(n, c)| (c_string(&n), c_string(&c))).collect();
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_declarations { files, set }) };
        Ok(())
    })
}

/// Release declarations. NULL is a no-op.
///
/// # Safety
///
/// `declarations` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_free(declarations: *mut cape_declarations) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(declarations) }
    })
}

/// The number of files, the manifest included (0 when `declarations` is NULL). With no declarable entry there
/// is only the manifest.
///
/// # Safety
///
/// `declarations` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_file_count(declarations: *const cape_declarations) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { declarations.as_ref() }.map_or(0, |d| d.files.len())
    })
}

/// File `index`: its name (e.g. `"cape-declaration-001.csv"`, or `"manifest.csv"`'s) and its full contents, both
/// borrowed from `declarations` until `cape_declarations_free`. Either out-parameter may be NULL.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`declarations` NULL); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `declarations` is NULL or live; `name_out`, `contents_out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_file(
    declarations: *const cape_declarations,
    index: usize,
    name_out: *mut *const c_char,
    contents_out: *mut *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let d = unsafe { arg_ref(declarations, "declarations") }?;
        let (name, contents) = d.files.get(index).ok_or_else(|| FfiError::index(index, d.files.len(), "files"))?;
        if !name_out.is_null() {
            // SAFETY: valid for writes, per the contract.
            unsafe { name_out.write(name.as_ptr()) };
        }
        if !contents_out.is_null() {
            // SAFETY: valid for writes, per the contract.
            unsafe { contents_out.write(contents.as_ptr()) };
        }
        Ok(())
    })
}

/// A flag of `cape_declarations_write_opts`: replace an earlier run's declaration files, manifest and leftover
/// temporary files in a non-empty folder (files that are not cape's are never replaced; they still refuse the
/// folder).
pub const CAPE_WRITE_REPLACE: u32 = 1;

/// Every flag `cape_declarations_write_opts` knows.
const WRITE_FLAGS: u32 = CAPE_WRITE_REPLACE;

/// `cape_declarations_write_opts(declarations, dir, 0, err)`: write every file into the directory `dir`, which
/// must be empty or missing (it is created).
///
/// Returns as `cape_declarations_write_opts`.
///
/// # Safety
///
/// `declarations` is NULL or live; `dir` is NULL or NUL-terminated; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_write(
    declarations: *const cape_declarations,
    dir: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: the same contract.
        unsafe { write_with_flags(declarations, dir, 0) }
    })
}

/// Write every file and the manifest into the directory `dir` (created if missing), atomically: each file is
/// written to a temporary name, synced and renamed into place, the manifest (each file's entry count and
/// SHA-256) last; on any failure no file of this call is left under a final name. `dir` must not be a symbolic
/// link; one writer at a time holds the lock file `.cape-lock` in it. `flags` is 0 or `CAPE_WRITE_REPLACE`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`declarations` or `dir` NULL);
/// `CAPE_STATUS_OUT_OF_RANGE` (an unknown flag); `CAPE_STATUS_OUTPUT_NOT_EMPTY` (`dir` holds files and
/// `CAPE_WRITE_REPLACE` was not given, or holds files that are not cape's); `CAPE_STATUS_OUTPUT_LOCKED` (another
/// writer holds the lock); `CAPE_STATUS_UNSAFE_OUTPUT` (`dir` is a symbolic link or not a folder);
/// `CAPE_STATUS_IO`.
///
/// # Safety
///
/// `declarations` is NULL or live; `dir` is NULL or NUL-terminated; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_declarations_write_opts(
    declarations: *const cape_declarations,
    dir: *const c_char,
    flags: u32,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: the same contract.
        unsafe { write_with_flags(declarations, dir, flags) }
    })
}

/// The body of `cape_declarations_write_opts`.
///
/// # Safety
///
/// `declarations` is NULL or live; `dir` is NULL or NUL-terminated.
unsafe fn write_with_flags(
    declarations: *const cape_declarations,
    dir: *const c_char,
    flags: u32,
) -> Result<(), FfiError> {
    // SAFETY: NULL or live, per the contract.
    let d = unsafe { arg_ref(declarations, "declarations") }?;
    // SAFETY: NULL or NUL-terminated, per the contract.
    let dir = unsafe { arg_path(dir, "dir") }?;
    if flags & !WRITE_FLAGS != 0 {
        return Err(FfiError::new(
            cape_status::OutOfRange,
            format!("flags: unknown bits {:#x} (known: CAPE_WRITE_REPLACE)", flags & !WRITE_FLAGS),
        ));
    }
    write_declarations_with(&d.set, dir, &WriteOptions::replace(flags & CAPE_WRITE_REPLACE != 0))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-flight

/// The verdict of a pre-flight check; the numbers are `cape check`'s exit codes. In C the type is a
/// `uint32_t`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_verdict {
    /// CAPE should accept every entry.
    Accept = 0,
    /// CAPE would reject the whole file.
    RejectFile = 1,
    /// CAPE would accept the file but reject (or may reject) some entries.
    RejectEntries = 2,
}

/// How far a pre-flight finding reaches. In C the type is a `uint32_t`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_finding_level {
    /// Worth fixing; CAPE is not known to reject for it.
    Warning = 0,
    /// CAPE would reject the entry only.
    Entry = 1,
    /// CAPE would reject the whole file.
    File = 2,
}

struct FindingStrings {
    code: CString,
    value: Option<CString>,
    message: CString,
    cape_message: Option<CString>,
}

/// The result of checking a declaration file the way CAPE will: a verdict and findings.
///
/// Created by `cape_preflight_path` / `cape_preflight_buffer`, released with `cape_preflight_free`. Immutable:
/// may be read by several threads at once. Strings read from it are borrowed until `cape_preflight_free`.
pub struct cape_preflight {
    report: PreflightReport,
    findings: Vec<FindingStrings>,
}

/// One pre-flight finding. Strings borrowed from the `cape_preflight`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_check_finding {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_check_finding)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// The stable code, e.g. `"INVALID_CHECK_DIGIT"`. Never NULL.
    pub code: *const c_char,
    /// How far it reaches.
    pub level: cape_finding_level,
    /// The 1-based row of the file, or 0 for the whole file.
    pub row: u64,
    /// The cell value concerned, or NULL.
    pub value: *const c_char,
    /// A plain-English message. Never NULL.
    pub message: *const c_char,
    /// The message CAPE itself would show, where known; else NULL.
    pub cape_message: *const c_char,
}

fn finish_preflight(
    mut report: PreflightReport,
    against: Option<&cape_assessment>,
) -> Result<cape_preflight, FfiError> {
    if let Some(a) = against {
        if a.partial.entries.is_empty() && a.partial.totals.entries > 0 {
            return Err(FfiError::new(
                cape_status::InvalidValue,
                "argument `against` keeps no entry (it comes from cape_run_*): check against the ES-003 itself \
                 with cape_preflight_against_path",
            ));
        }
        report.check_against(&a.partial.entries);
    }
    Ok(preflight_handle(report))
}

fn preflight_handle(report: PreflightReport) -> cape_preflight {
    let findings = report
        .findings
        .iter()
        .map(|f| FindingStrings {
            code: c_string(f.code.as_str()),
            value: opt_c_string(f.value.as_deref()),
            message: c_string(&f.message),
            cape_message: opt_c_string(f.cape_message),
        })
        .collect();
    cape_preflight { report, findings }
}

/// Pre-flight check of a declaration file; with `against` (nullable) the listed entries are also checked
/// against that assessment (ineligible, needs review, not in the data). `against` must keep its entries
/// (`cape_assess_*`); for a large ES-003, `cape_preflight_against_path` streams it instead.
///
/// On success writes a new handle to `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK` (whatever the verdict); `CAPE_STATUS_NULL_ARGUMENT` (`path` or `out` NULL);
/// `CAPE_STATUS_IO`; `CAPE_STATUS_INVALID_VALUE` (`against` keeps no entry: it comes from `cape_run_*`).
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `against` is NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_path(
    path: *const c_char,
    against: *const cape_assessment,
    out: *mut *mut cape_preflight,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        let out = arg_out(out, "out")?;
        let report = preflight_path(path, &PreflightOptions::default())?;
        // SAFETY: `against` NULL or live, `out` checked, per the contract.
        unsafe { store_box(out, finish_preflight(report, against.as_ref())?) };
        Ok(())
    })
}

/// Pre-flight check of a declaration file in memory (`data` may be NULL only when `len` is 0; an empty file
/// is a finding, not a failure). `source_name` (nullable) names it in messages. See `cape_preflight_path`.
///
/// Returns `CAPE_STATUS_OK` (whatever the verdict); `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL, or `data` NULL with
/// `len` > 0); `CAPE_STATUS_INVALID_UTF8` (`source_name`); `CAPE_STATUS_INVALID_VALUE` (`against` keeps no
/// entry).
///
/// # Safety
///
/// `data` is NULL or valid for `len` bytes; `source_name` is NULL or NUL-terminated; `against` is NULL or live;
/// `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_buffer(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    against: *const cape_assessment,
    out: *mut *mut cape_preflight,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: per the contract.
        let source_name = unsafe { arg_opt_str(source_name, "source_name") }?.map(str::to_owned);
        let out = arg_out(out, "out")?;
        let report = preflight_bytes(bytes, &{
            let mut o = PreflightOptions::default();
            o.source_name = source_name;
            o
        });
        // SAFETY: `against` NULL or live, `out` checked, per the contract.
        unsafe { store_box(out, finish_preflight(report, against.as_ref())?) };
        Ok(())
    })
}

/// Pre-flight check of the declaration file `path` against the ES-003 file `es003_path`, streamed through the
/// assessment (`cape_core::run::preflight_against`): memory stays bounded by one entry plus the declaration's
/// listed entries, whatever the ES-003's size. The listed entries are checked as `cape_preflight_path` checks
/// them against an assessment (ineligible, needs review, not in the data). `run` (nullable) as for
/// `cape_run_path` (threads, progress, cancel).
///
/// On success writes a new handle to `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK` (whatever the verdict); `CAPE_STATUS_NULL_ARGUMENT` (`path`, `es003_path`,
/// `tables`, `options` or `out` NULL); `CAPE_STATUS_BUFFER_TOO_SMALL` (`run->struct_size`);
/// `CAPE_STATUS_CANCELLED`; and the errors of `cape_run_path` on the ES-003 (`CAPE_STATUS_IO`,
/// `CAPE_STATUS_INVALID_FORMAT`, `CAPE_STATUS_MISSING_COLUMN`, `CAPE_STATUS_INVALID_VALUE`).
///
/// # Safety
///
/// `path` and `es003_path` are NULL or NUL-terminated; `tables` and `options` are NULL or live; `run` is NULL
/// or a `cape_run_options` as documented there; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_against_path(
    path: *const c_char,
    es003_path: *const c_char,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    run: *const cape_run_options,
    out: *mut *mut cape_preflight,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let es003_path = unsafe { arg_path(es003_path, "es003_path") }?;
        // SAFETY: NULL or live, per the contract.
        let tables = unsafe { arg_ref(tables, "tables") }?;
        // SAFETY: NULL or live, per the contract.
        let options = unsafe { arg_ref(options, "options") }?;
        // SAFETY: per the contract.
        let run_opts = unsafe { run_options(run, cape_core::Es003Options::default()) }?;
        let out = arg_out(out, "out")?;
        let mut report = preflight_path(path, &PreflightOptions::default())?;
        preflight_against(&mut report, Source::Path(es003_path), &tables.inner, options.inner.clone(), &run_opts)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, preflight_handle(report)) };
        Ok(())
    })
}

/// Release a pre-flight report. NULL is a no-op.
///
/// # Safety
///
/// `preflight` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_free(preflight: *mut cape_preflight) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(preflight) }
    })
}

/// The verdict, written to `*out` (a `cape_verdict`; equal to `cape check`'s exit code).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`preflight` or `out` NULL).
///
/// # Safety
///
/// `preflight` is NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_verdict(
    preflight: *const cape_preflight,
    out: *mut cape_verdict,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let p = unsafe { arg_ref(preflight, "preflight") }?;
        let out = arg_out(out, "out")?;
        let v = match p.report.verdict {
            Verdict::Accept => cape_verdict::Accept,
            Verdict::RejectFile => cape_verdict::RejectFile,
            Verdict::RejectEntries => cape_verdict::RejectEntries,
        };
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(v) };
        Ok(())
    })
}

/// The number of findings (0 when `preflight` is NULL).
///
/// # Safety
///
/// `preflight` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_finding_count(preflight: *const cape_preflight) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { preflight.as_ref() }.map_or(0, |p| p.findings.len())
    })
}

/// Finding `index`, written to `*out` (set `out->struct_size` first); strings borrowed from `preflight`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`preflight` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `preflight` is NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_preflight_finding(
    preflight: *const cape_preflight,
    index: usize,
    out: *mut cape_check_finding,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let p = unsafe { arg_ref(preflight, "preflight") }?;
        let out = arg_out(out, "out")?;
        let n = p.findings.len();
        let (f, s) = p
            .report
            .findings
            .get(index)
            .zip(p.findings.get(index))
            .ok_or_else(|| FfiError::index(index, n, "findings"))?;
        let finding = cape_check_finding {
            struct_size: sized::size_of::<cape_check_finding>(),
            code: s.code.as_ptr(),
            level: match f.level {
                FindingLevel::Warning => cape_finding_level::Warning,
                FindingLevel::Entry => cape_finding_level::Entry,
                FindingLevel::File => cape_finding_level::File,
            },
            row: f.row.unwrap_or(0),
            value: opt_ptr(&s.value),
            message: s.message.as_ptr(),
            cape_message: opt_ptr(&s.cape_message),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, finding, "out") }
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Results

struct RowStrings {
    entry_number: Option<CString>,
    entry_text: CString,
    claim_number: Option<CString>,
    status: CString,
    error_kind: Option<CString>,
    error_text: Option<CString>,
    remedy: Option<CString>,
}

/// A CAPE results file (the claim details CAPE returns): per entry, the claim number, status and error.
///
/// Created by `cape_results_path` / `cape_results_buffer`, released with `cape_results_free`. Immutable: may be
/// read by several threads at once. Strings read from it are borrowed until `cape_results_free`.
pub struct cape_results {
    results: CapeResults,
    rows: Vec<RowStrings>,
}

/// One row of a results file. Strings borrowed from the `cape_results`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_result_row {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_result_row)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// The 1-based row of the file.
    pub row: u64,
    /// The entry number in canonical form, or NULL when the cell is not a valid entry number.
    pub entry_number: *const c_char,
    /// The entry cell as written. Never NULL.
    pub entry_text: *const c_char,
    /// The CAPE claim number, or NULL.
    pub claim_number: *const c_char,
    /// `entry_summary_updated`, `failed`, or the status as written. Never NULL.
    pub status: *const c_char,
    /// The error mapped to a stable snake-case kind name (`unknown` for a text cape does not know), or NULL when no error.
    pub error_kind: *const c_char,
    /// The error text as written, or NULL.
    pub error_text: *const c_char,
    /// What to do about the error, or NULL.
    pub remedy: *const c_char,
}

sized::impl_sized!(cape_check_finding, cape_result_row, cape_reconciliation_counts);

fn results_handle(results: CapeResults) -> cape_results {
    let rows = results
        .rows
        .iter()
        .map(|r| RowStrings {
            entry_number: r.entry_number.map(|n| c_string(&n.to_string())),
            entry_text: c_string(&r.entry_text),
            claim_number: opt_c_string(r.claim_number.as_deref()),
            status: c_string(r.status.name()),
            error_kind: r.error.as_ref().map(|e| c_string(e.kind.name())),
            error_text: r.error.as_ref().map(|e| c_string(&e.text)),
            remedy: r.error.as_ref().map(|e| c_string(e.kind.remedy())),
        })
        .collect();
    cape_results { results, rows }
}

/// Read a CAPE results file (CSV or XLSX) with the default options. On success writes a new handle to `*out`,
/// owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`path` or `out` NULL); `CAPE_STATUS_IO`;
/// `CAPE_STATUS_INVALID_FORMAT`; `CAPE_STATUS_MISSING_COLUMN`.
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_path(
    path: *const c_char,
    out: *mut *mut cape_results,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        let out = arg_out(out, "out")?;
        let results = read_results_path(path)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, results_handle(results)) };
        Ok(())
    })
}

/// Read a CAPE results file from memory (`data` may be NULL only when `len` is 0). See `cape_results_path`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL, or `data` NULL with `len` > 0);
/// `CAPE_STATUS_INVALID_UTF8` (`source_name`); `CAPE_STATUS_INVALID_FORMAT` (e.g. empty);
/// `CAPE_STATUS_MISSING_COLUMN`.
///
/// # Safety
///
/// `data` is NULL or valid for `len` bytes; `source_name` is NULL or NUL-terminated; `out` and `err` are NULL
/// or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_buffer(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    out: *mut *mut cape_results,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: per the contract.
        let source_name = unsafe { arg_opt_str(source_name, "source_name") }?;
        let out = arg_out(out, "out")?;
        let results = read_results_bytes(bytes, source_name)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, results_handle(results)) };
        Ok(())
    })
}

/// How to read a results file: a column map, the workbook sheet, the row cap.
///
/// Created by `cape_results_options_new` with the defaults (each result column found by its name or a
/// documented alternate such as `Entry Summary Number`, the first non-empty sheet, at most 1,000,000 rows),
/// changed by the `cape_results_options_*` functions, released with `cape_results_options_free`. Not consumed by
/// `cape_results_*_with` (they copy it). Not synchronised: a handle being changed must not be used by another
/// thread at the same time; a handle no longer changed may be read by several threads at once.
pub struct cape_results_options {
    inner: ResultsOptions,
}

/// New results options with the defaults. On success writes a new handle to `*out`, owned by the caller (free
/// with `cape_results_options_free`). Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`out` NULL).
///
/// # Safety
///
/// `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_options_new(
    out: *mut *mut cape_results_options,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_results_options { inner: ResultsOptions::default() }) };
        Ok(())
    })
}

/// Release results options. NULL is a no-op.
///
/// # Safety
///
/// `options` is NULL or a handle from `cape_results_options_new` not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_results_options_free(options: *mut cape_results_options) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(options) }
    })
}

/// Read the result column `column` (`ENTRY_NUMBER`, `CLAIM_NUMBER`, `STATUS` or `ERROR_DESCRIPTION`; case,
/// spaces and underscores ignored) only from the file's column headed `header` (matched the same way), as
/// `cape results --column COLUMN=HEADER` does. Setting a column again replaces its header. A `column` that names
/// no result column makes `cape_results_*_with` return `CAPE_STATUS_INVALID_VALUE`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (any pointer but `err` NULL); `CAPE_STATUS_INVALID_UTF8`.
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `column` and `header` are NULL or
/// NUL-terminated; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_options_set_column(
    options: *mut cape_results_options,
    column: *const c_char,
    header: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract.
        let column = unsafe { arg_str(column, "column") }?;
        // SAFETY: per the contract.
        let header = unsafe { arg_str(header, "header") }?;
        options.inner.columns.insert(column.to_owned(), header.to_owned());
        Ok(())
    })
}

/// For a workbook: read the sheet named `sheet` (NULL: the first non-empty sheet, the default). A sheet the
/// workbook does not have makes `cape_results_*_with` return `CAPE_STATUS_INVALID_FORMAT`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL); `CAPE_STATUS_INVALID_UTF8`.
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `sheet` is NULL or NUL-terminated; `err` is
/// NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_options_set_sheet(
    options: *mut cape_results_options,
    sheet: *const c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        // SAFETY: per the contract.
        options.inner.sheet = unsafe { arg_opt_str(sheet, "sheet") }?.map(str::to_owned);
        Ok(())
    })
}

/// The most rows read (default 1,000,000); a file with more is refused (`CAPE_STATUS_INVALID_FORMAT`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`options` NULL).
///
/// # Safety
///
/// `options` is NULL or a live handle not used by another thread; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_options_set_max_rows(
    options: *mut cape_results_options,
    max_rows: usize,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let options = unsafe { arg_mut(options, "options") }?;
        options.inner.max_rows = max_rows;
        Ok(())
    })
}

/// Read a CAPE results file (CSV or XLSX) as `options` say (NULL: the defaults, as `cape_results_path`). On
/// success writes a new handle to `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`path` or `out` NULL); `CAPE_STATUS_IO`;
/// `CAPE_STATUS_INVALID_FORMAT` (also a sheet the workbook does not have, more rows than the cap);
/// `CAPE_STATUS_MISSING_COLUMN`; `CAPE_STATUS_INVALID_VALUE` (a mapped column that is not a result column).
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `options` is NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_path_with(
    path: *const c_char,
    options: *const cape_results_options,
    out: *mut *mut cape_results,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        // SAFETY: NULL or live, per the contract.
        let options = unsafe { options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let out = arg_out(out, "out")?;
        let results = read_results_path_with(path, &options)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, results_handle(results)) };
        Ok(())
    })
}

/// Read a CAPE results file from memory (`data` may be NULL only when `len` is 0) as `options` say (NULL: the
/// defaults). See `cape_results_path_with`; also `CAPE_STATUS_INVALID_UTF8` (`source_name`).
///
/// # Safety
///
/// `data` is NULL or valid for `len` bytes; `source_name` is NULL or NUL-terminated; `options` is NULL or live;
/// `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_buffer_with(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    options: *const cape_results_options,
    out: *mut *mut cape_results,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: per the contract.
        let source_name = unsafe { arg_opt_str(source_name, "source_name") }?;
        // SAFETY: NULL or live, per the contract.
        let options = unsafe { options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let out = arg_out(out, "out")?;
        let results = read_results_bytes_with(bytes, source_name, &options)?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, results_handle(results)) };
        Ok(())
    })
}

/// Release a results handle. NULL is a no-op.
///
/// # Safety
///
/// `results` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_results_free(results: *mut cape_results) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(results) }
    })
}

/// The number of rows read (0 when `results` is NULL).
///
/// # Safety
///
/// `results` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_results_row_count(results: *const cape_results) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { results.as_ref() }.map_or(0, |r| r.rows.len())
    })
}

/// Row `index`, written to `*out` (set `out->struct_size` first); strings borrowed from `results`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`results` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `results` is NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_row(
    results: *const cape_results,
    index: usize,
    out: *mut cape_result_row,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let r = unsafe { arg_ref(results, "results") }?;
        let out = arg_out(out, "out")?;
        let n = r.rows.len();
        let (row, s) =
            r.results.rows.get(index).zip(r.rows.get(index)).ok_or_else(|| FfiError::index(index, n, "rows"))?;
        let value = cape_result_row {
            struct_size: sized::size_of::<cape_result_row>(),
            row: row.row,
            entry_number: opt_ptr(&s.entry_number),
            entry_text: s.entry_text.as_ptr(),
            claim_number: opt_ptr(&s.claim_number),
            status: s.status.as_ptr(),
            error_kind: opt_ptr(&s.error_kind),
            error_text: opt_ptr(&s.error_text),
            remedy: opt_ptr(&s.remedy),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, value, "out") }
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation

/// A results file reconciled against the declaration files of a folder (what `cape results --declared DIR`
/// prints): which declared entries CAPE answered, which it did not, which it answered without their being
/// declared, which it answered twice.
///
/// Created by `cape_results_reconcile`, released with `cape_reconciliation_free`. Immutable: may be read by
/// several threads at once.
pub struct cape_reconciliation {
    reconciliation: Reconciliation,
}

/// The counts of a reconciliation.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_reconciliation_counts {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_reconciliation_counts)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Declared entries that appear in the results.
    pub matched: usize,
    /// Declared entries absent from the results (`CAPE_RECONCILIATION_LIST_DECLARED_NOT_IN_RESULTS`).
    pub declared_not_in_results: usize,
    /// Entries in the results that were never declared (`CAPE_RECONCILIATION_LIST_IN_RESULTS_NOT_DECLARED`).
    pub in_results_not_declared: usize,
    /// Entries on more than one results row (`CAPE_RECONCILIATION_LIST_REPEATED_IN_RESULTS`).
    pub repeated_in_results: usize,
}

/// Which entries of a reconciliation `cape_reconciliation_entry` lists. In C the type is a `uint32_t`;
/// functions take the integer and return `CAPE_STATUS_OUT_OF_RANGE` for any other value.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_reconciliation_list {
    /// Declared entries absent from the results, in declaration order.
    DeclaredNotInResults = 0,
    /// Entries in the results that were never declared, in results order, once each.
    InResultsNotDeclared = 1,
    /// Entries on more than one results row (resubmissions), once each.
    RepeatedInResults = 2,
}

/// Reconcile `results` against the entries declared in the folder `declared_dir`: its `*.csv` declaration
/// files (the manifest excluded), read as `cape check` reads them (`cape_core::claim::declared_in_dir`).
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_reconciliation_free`).
/// Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`results`, `declared_dir` or `out` NULL);
/// `CAPE_STATUS_IO` (the folder or a file cannot be read).
///
/// # Safety
///
/// `results` is NULL or live; `declared_dir` is NULL or NUL-terminated; `out` and `err` are NULL or valid for
/// writing.
#[no_mangle]
pub unsafe extern "C" fn cape_results_reconcile(
    results: *const cape_results,
    declared_dir: *const c_char,
    out: *mut *mut cape_reconciliation,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let r = unsafe { arg_ref(results, "results") }?;
        // SAFETY: NULL or NUL-terminated, per the contract.
        let dir = unsafe { arg_path(declared_dir, "declared_dir") }?;
        let out = arg_out(out, "out")?;
        let (declared, _) = declared_in_dir(dir)?;
        let reconciliation = reconcile(&r.results, declared.iter());
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_reconciliation { reconciliation }) };
        Ok(())
    })
}

/// Release a reconciliation. NULL is a no-op.
///
/// # Safety
///
/// `reconciliation` is NULL or a handle not yet freed, not in use by another thread; not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_reconciliation_free(reconciliation: *mut cape_reconciliation) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(reconciliation) }
    })
}

/// The counts of a reconciliation, written to `*out` (set `out->struct_size` first).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`reconciliation` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `reconciliation` is NULL or live; `out` is NULL or a sized struct valid for writing; `err` is NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_reconciliation_summary(
    reconciliation: *const cape_reconciliation,
    out: *mut cape_reconciliation_counts,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let r = &unsafe { arg_ref(reconciliation, "reconciliation") }?.reconciliation;
        let out = arg_out(out, "out")?;
        let s = cape_reconciliation_counts {
            struct_size: sized::size_of::<cape_reconciliation_counts>(),
            matched: r.matched,
            declared_not_in_results: r.declared_not_in_results.len(),
            in_results_not_declared: r.in_results_not_declared.len(),
            repeated_in_results: r.repeated_in_results.len(),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, s, "out") }
    })
}

/// Entry `index` of list `list` (a `cape_reconciliation_list`), in canonical form (`"ABC-1234567-6"`), written
/// NUL-terminated into `out`, a buffer of `CAPE_ENTRY_NUMBER_SIZE` bytes owned by the caller.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`reconciliation` or `out` NULL);
/// `CAPE_STATUS_OUT_OF_RANGE` (`list` or `index`).
///
/// # Safety
///
/// `reconciliation` is NULL or live; `out` is NULL or valid for writing `CAPE_ENTRY_NUMBER_SIZE` bytes; `err`
/// is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_reconciliation_entry(
    reconciliation: *const cape_reconciliation,
    list: u32,
    index: usize,
    out: *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let r = &unsafe { arg_ref(reconciliation, "reconciliation") }?.reconciliation;
        let out = arg_out(out, "out")?;
        let (entries, what) = match list {
            0 => (&r.declared_not_in_results, "declared entries not in the results"),
            1 => (&r.in_results_not_declared, "entries in the results not declared"),
            2 => (&r.repeated_in_results, "entries repeated in the results"),
            _ => {
                return Err(FfiError::enum_value(
                    "list",
                    list,
                    "CAPE_RECONCILIATION_LIST_DECLARED_NOT_IN_RESULTS (0) .. \
                     CAPE_RECONCILIATION_LIST_REPEATED_IN_RESULTS (2)",
                ))
            }
        };
        let n = entries.get(index).ok_or_else(|| FfiError::index(index, entries.len(), what))?;
        // SAFETY: not NULL, CAPE_ENTRY_NUMBER_SIZE bytes per the contract.
        unsafe { write_entry_number(out, n) }
    })
}
