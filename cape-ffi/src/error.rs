//! Status codes and the `cape_error` detail object.

use std::any::Any;
use std::ffi::{c_char, CString};

use cape_core::ErrorKind;

use crate::strings::c_string;

/// The result of every fallible libcape function.
///
/// Numbers are explicit, grouped in ranges, and never renumbered or reused:
/// `0` success; `1xx` the caller broke an argument contract; `2xx` the input was rejected (one per cape-core
/// error kind, `200 +` the kind's stable code); `3xx` operating-system I/O and output folders cape will not
/// write into; `4xx` the caller stopped the call; `9xx` a bug in libcape.
/// In C the type is a `uint32_t`; use `cape_status_name` to print one.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cape_status {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL.
    NullArgument = 100,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 101,
    /// An index or integer argument is out of range.
    OutOfRange = 102,
    /// A caller-supplied buffer is too small (reserved for functions that write into caller buffers).
    BufferTooSmall = 103,
    /// `err` points to a `cape_error *` that is not NULL (an error not yet freed, or a pointer not
    /// initialised): the call did nothing and left `*err` as it was. Set the slot to NULL first, and back to
    /// NULL after `cape_error_free`.
    ErrSlotNotEmpty = 104,
    /// An entry number is malformed or its check digit is wrong.
    InvalidEntryNumber = 201,
    /// An HTS number is malformed.
    InvalidHtsNumber = 202,
    /// A money amount is malformed or out of range.
    InvalidMoney = 203,
    /// A date is malformed or out of range.
    InvalidDate = 204,
    /// Some other single value is malformed.
    InvalidValue = 205,
    /// A file or buffer is not in the expected format (not CSV, not XLSX, no header row...).
    InvalidFormat = 206,
    /// A required column is missing from a report.
    MissingColumn = 207,
    /// Reference data (catalogue, rate table) is inconsistent.
    InvalidReferenceData = 208,
    /// Arithmetic overflowed (an amount far outside any real duty).
    Overflow = 210,
    /// An operating-system I/O error (file not found, permission denied...).
    Io = 300,
    /// The output folder already holds files (an earlier run's, or files that are not cape's); the message names
    /// them. Pass `CAPE_WRITE_REPLACE` to replace cape's own files.
    OutputNotEmpty = 301,
    /// Another run is writing into the same output folder (it holds the folder's lock).
    OutputLocked = 302,
    /// An output path cape will not write through: a symbolic link, or not a folder.
    UnsafeOutput = 303,
    /// The call was stopped by its caller's cancel request before it finished; its out-parameters are untouched.
    Cancelled = 400,
    /// libcape panicked; the call had no effect on its out-parameters. Please report it.
    Panic = 900,
    /// An internal error (a cape-core error kind this libcape does not know). Please report it.
    Internal = 901,
}

impl cape_status {
    /// Every status, in numeric order.
    pub const ALL: &'static [cape_status] = &[
        cape_status::Ok,
        cape_status::NullArgument,
        cape_status::InvalidUtf8,
        cape_status::OutOfRange,
        cape_status::BufferTooSmall,
        cape_status::ErrSlotNotEmpty,
        cape_status::InvalidEntryNumber,
        cape_status::InvalidHtsNumber,
        cape_status::InvalidMoney,
        cape_status::InvalidDate,
        cape_status::InvalidValue,
        cape_status::InvalidFormat,
        cape_status::MissingColumn,
        cape_status::InvalidReferenceData,
        cape_status::Overflow,
        cape_status::Io,
        cape_status::OutputNotEmpty,
        cape_status::OutputLocked,
        cape_status::UnsafeOutput,
        cape_status::Cancelled,
        cape_status::Panic,
        cape_status::Internal,
    ];

    /// The status for a cape-core error kind.
    pub fn from_kind(kind: ErrorKind) -> cape_status {
        match kind {
            ErrorKind::InvalidEntryNumber => cape_status::InvalidEntryNumber,
            ErrorKind::InvalidHtsNumber => cape_status::InvalidHtsNumber,
            ErrorKind::InvalidMoney => cape_status::InvalidMoney,
            ErrorKind::InvalidDate => cape_status::InvalidDate,
            ErrorKind::InvalidValue => cape_status::InvalidValue,
            ErrorKind::InvalidFormat => cape_status::InvalidFormat,
            ErrorKind::MissingColumn => cape_status::MissingColumn,
            ErrorKind::InvalidReferenceData => cape_status::InvalidReferenceData,
            ErrorKind::Overflow => cape_status::Overflow,
            ErrorKind::Io => cape_status::Io,
            ErrorKind::OutputNotEmpty => cape_status::OutputNotEmpty,
            ErrorKind::OutputLocked => cape_status::OutputLocked,
            ErrorKind::UnsafeOutput => cape_status::UnsafeOutput,
            ErrorKind::Cancelled => cape_status::Cancelled,
            _ => cape_status::Internal,
        }
    }

    /// The status with this number, if there is one.
    pub fn from_u32(n: u32) -> Option<cape_status> {
        cape_status::ALL.iter().copied().find(|s| *s as u32 == n)
    }

    /// The C name of the status, NUL-terminated.
    fn c_name(self) -> &'static [u8] {
        match self {
            cape_status::Ok => b"CAPE_STATUS_OK\0",
            cape_status::NullArgument => b"CAPE_STATUS_NULL_ARGUMENT\0",
            cape_status::InvalidUtf8 => b"CAPE_STATUS_INVALID_UTF8\0",
            cape_status::OutOfRange => b"CAPE_STATUS_OUT_OF_RANGE\0",
            cape_status::BufferTooSmall => b"CAPE_STATUS_BUFFER_TOO_SMALL\0",
            cape_status::ErrSlotNotEmpty => b"CAPE_STATUS_ERR_SLOT_NOT_EMPTY\0",
            cape_status::InvalidEntryNumber => b"CAPE_STATUS_INVALID_ENTRY_NUMBER\0",
            cape_status::InvalidHtsNumber => b"CAPE_STATUS_INVALID_HTS_NUMBER\0",
            cape_status::InvalidMoney => b"CAPE_STATUS_INVALID_MONEY\0",
            cape_status::InvalidDate => b"CAPE_STATUS_INVALID_DATE\0",
            cape_status::InvalidValue => b"CAPE_STATUS_INVALID_VALUE\0",
            cape_status::InvalidFormat => b"CAPE_STATUS_INVALID_FORMAT\0",
            cape_status::MissingColumn => b"CAPE_STATUS_MISSING_COLUMN\0",
            cape_status::InvalidReferenceData => b"CAPE_STATUS_INVALID_REFERENCE_DATA\0",
            cape_status::Overflow => b"CAPE_STATUS_OVERFLOW\0",
            cape_status::Io => b"CAPE_STATUS_IO\0",
            cape_status::OutputNotEmpty => b"CAPE_STATUS_OUTPUT_NOT_EMPTY\0",
            cape_status::OutputLocked => b"CAPE_STATUS_OUTPUT_LOCKED\0",
            cape_status::UnsafeOutput => b"CAPE_STATUS_UNSAFE_OUTPUT\0",
            cape_status::Cancelled => b"CAPE_STATUS_CANCELLED\0",
            cape_status::Panic => b"CAPE_STATUS_PANIC\0",
            cape_status::Internal => b"CAPE_STATUS_INTERNAL\0",
        }
    }

    /// The C name of the status, e.g. `CAPE_STATUS_OK`.
    pub fn name(self) -> &'static str {
        let bytes = self.c_name();
        std::str::from_utf8(&bytes[..bytes.len() - 1]).unwrap_or("")
    }
}

/// The detail of a failed call: its status and a message.
///
/// Created by libcape when a fallible function fails and its `err` argument is not NULL; owned by the caller,
/// released with `cape_error_free`. Immutable: a `const cape_error *` may be read from several threads at once;
/// it may be moved to another thread; it must not be freed while another thread reads it.
pub struct cape_error {
    status: cape_status,
    message: CString,
}

/// A failure inside libcape before it becomes a `cape_error` (crate-internal).
#[derive(Debug)]
pub struct FfiError {
    /// The status to return.
    pub status: cape_status,
    /// The message.
    pub message: String,
}

impl FfiError {
    /// An error with this status and message.
    pub fn new(status: cape_status, message: impl Into<String>) -> Self {
        FfiError { status, message: message.into() }
    }

    /// An index past the end of a list of `len` items of `what`.
    pub fn index(index: usize, len: usize, what: &str) -> Self {
        FfiError::new(cape_status::OutOfRange, format!("index {index} out of range: there are {len} {what}"))
    }

    /// An integer argument that names no value of a C enum.
    pub fn enum_value(arg: &str, value: u32, valid: &str) -> Self {
        FfiError::new(cape_status::OutOfRange, format!("argument `{arg}` is {value}, not one of {valid}"))
    }

    /// A NULL pointer was passed as the named argument.
    pub fn null(arg: &str) -> Self {
        FfiError::new(cape_status::NullArgument, format!("argument `{arg}` is NULL"))
    }
}

impl From<cape_core::Error> for FfiError {
    fn from(e: cape_core::Error) -> Self {
        FfiError::new(cape_status::from_kind(e.kind()), e.to_string())
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic payload"
    }
}

/// Turn the outcome of a guarded body into a status, storing a `cape_error` through `err` on failure.
///
/// # Safety
///
/// `err` is NULL or valid for writing one pointer.
pub(crate) unsafe fn finish(
    result: std::thread::Result<Result<(), FfiError>>,
    err: *mut *mut cape_error,
) -> cape_status {
    let failure = match result {
        Ok(Ok(())) => return cape_status::Ok,
        Ok(Err(e)) => e,
        Err(payload) => FfiError::new(
            cape_status::Panic,
            format!("internal error: libcape panicked: {}", panic_message(payload.as_ref())),
        ),
    };
    let status = failure.status;
    if !err.is_null() {
        let boxed = Box::new(cape_error { status, message: c_string(&failure.message) });
        // SAFETY: the caller guarantees `err` is valid for writes when not NULL.
        unsafe { err.write(Box::into_raw(boxed)) };
    }
    status
}

/// The status of an error.
///
/// Returns `CAPE_STATUS_OK` when `err` is NULL (no error).
///
/// # Safety
///
/// `err` is NULL or a live `cape_error` from libcape.
#[no_mangle]
pub unsafe extern "C" fn cape_error_code(err: *const cape_error) -> cape_status {
    ffi_boundary!({
        // SAFETY: NULL or a live cape_error, per the contract.
        match unsafe { err.as_ref() } {
            Some(e) => e.status,
            None => cape_status::Ok,
        }
    })
}

/// The message of an error: one line of plain English, e.g.
/// `invalid entry number "ABC-1234567-5": check digit is 5, expected 6`.
///
/// Borrowed: valid until `cape_error_free(err)`; never NULL (an empty string when `err` is NULL).
///
/// # Safety
///
/// `err` is NULL or a live `cape_error` from libcape.
#[no_mangle]
pub unsafe extern "C" fn cape_error_message(err: *const cape_error) -> *const c_char {
    ffi_boundary!({
        // SAFETY: NULL or a live cape_error, per the contract.
        match unsafe { err.as_ref() } {
            Some(e) => e.message.as_ptr(),
            None => c"".as_ptr(),
        }
    })
}

/// Free an error. NULL is a no-op.
///
/// # Safety
///
/// `err` is NULL or a `cape_error` from libcape not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_error_free(err: *mut cape_error) {
    ffi_boundary!({
        if !err.is_null() {
            // SAFETY: created by Box::into_raw in `finish`, freed once, per the contract.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// The name of a status a status number does not name (see `cape_status_name`).
const UNKNOWN_STATUS_NAME: &[u8] = b"unknown cape_status\0";

/// The C name of a status number, e.g. `"CAPE_STATUS_IO"` for 300; `"unknown cape_status"` for a number that
/// names no status of this libcape (a newer libcape's, or garbage), so that the result can always be printed.
/// A number is a status of this libcape when its name starts with `CAPE_STATUS_`.
///
/// Returns a static string: never NULL, never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn cape_status_name(status: u32) -> *const c_char {
    ffi_boundary!({
        match cape_status::from_u32(status) {
            Some(s) => s.c_name().as_ptr().cast(),
            None => UNKNOWN_STATUS_NAME.as_ptr().cast(),
        }
    })
}

/// The error-slot rule: `err` is NULL, or `*err` is NULL. A slot that already holds a pointer (an error the
/// caller has not freed, a dangling pointer after `cape_error_free`, or an uninitialised variable) is refused
/// with `CAPE_STATUS_ERR_SLOT_NOT_EMPTY` before any work, and left untouched: libcape cannot tell a live error
/// from a stale pointer, so it never frees or overwrites one.
///
/// # Safety
///
/// `err` is NULL or valid for reading one pointer.
pub(crate) unsafe fn err_slot_taken(err: *mut *mut cape_error) -> bool {
    // SAFETY: NULL or valid for reads, per every exported function's contract.
    !err.is_null() && !unsafe { err.read() }.is_null()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_sorted_and_named() {
        let all = cape_status::ALL;
        for pair in all.windows(2) {
            assert!((pair[0] as u32) < (pair[1] as u32), "{pair:?}");
        }
        for s in all {
            assert_eq!(cape_status::from_u32(*s as u32), Some(*s));
            let expected = format!("CAPE_STATUS_{}", to_screaming(&format!("{s:?}")));
            assert_eq!(s.name(), expected);
            assert_eq!(s.c_name().last(), Some(&0));
        }
        assert_eq!(cape_status::from_u32(209), None);
    }

    #[test]
    fn every_number_has_a_printable_name() {
        let name = |n: u32| {
            // SAFETY: cape_status_name returns a static NUL-terminated string, never NULL.
            unsafe { std::ffi::CStr::from_ptr(cape_status_name(n)) }.to_str().unwrap()
        };
        assert_eq!(name(104), "CAPE_STATUS_ERR_SLOT_NOT_EMPTY");
        assert_eq!(name(300), "CAPE_STATUS_IO");
        for unknown in [1, 99, 209, 999, u32::MAX] {
            assert_eq!(name(unknown), "unknown cape_status");
        }
    }

    fn to_screaming(camel: &str) -> String {
        let mut out = String::new();
        for (i, ch) in camel.chars().enumerate() {
            if ch.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_uppercase());
        }
        out
    }

    #[test]
    fn input_errors_are_200_plus_kind_code() {
        let kinds = [
            ErrorKind::InvalidEntryNumber,
            ErrorKind::InvalidHtsNumber,
            ErrorKind::InvalidMoney,
            ErrorKind::InvalidDate,
            ErrorKind::InvalidValue,
            ErrorKind::InvalidFormat,
            ErrorKind::MissingColumn,
            ErrorKind::InvalidReferenceData,
            ErrorKind::Overflow,
        ];
        for kind in kinds {
            assert!(kind.is_input_error());
            assert_eq!(cape_status::from_kind(kind) as u32, 200 + kind.code(), "{kind}");
        }
        assert_eq!(cape_status::from_kind(ErrorKind::Io), cape_status::Io);
        assert_eq!(cape_status::from_kind(ErrorKind::Cancelled), cape_status::Cancelled);
    }
}
