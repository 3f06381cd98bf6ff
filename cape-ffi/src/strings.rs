//! Strings across the boundary: the version, freeing returned strings, argument conversion helpers.

use std::ffi::{c_char, CStr, CString};

use crate::error::{cape_status, FfiError};

/// The version of libcape, NUL-terminated.
const VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The version of libcape, e.g. `"0.1.0"`; the same as `CAPE_VERSION_STRING` in the header this library was
/// built with.
///
/// Returns a static string: never NULL, never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn cape_version() -> *const c_char {
    ffi_boundary!({ VERSION_C.as_ptr().cast() })
}

/// The version of libcape as a number, `major * 10000 + minor * 100 + patch` (e.g. 100 for 0.1.0): the same
/// as `CAPE_VERSION_NUMBER` in the header this library was built with. A program compares it with its own
/// `CAPE_VERSION_NUMBER` to know whether the library it runs with is at least as new as its header (for the
/// struct fields it may read; see "Growth policy"). Thread-safe.
#[no_mangle]
pub extern "C" fn cape_version_number() -> u32 {
    ffi_boundary!({ VERSION_NUMBER })
}

/// `major * 10000 + minor * 100 + patch` of the package version.
const VERSION_NUMBER: u32 = {
    const fn parse(s: &str) -> u32 {
        let b = s.as_bytes();
        let mut i = 0;
        let mut n = 0u32;
        while i < b.len() {
            n = n * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        n
    }
    parse(env!("CARGO_PKG_VERSION_MAJOR")) * 10000
        + parse(env!("CARGO_PKG_VERSION_MINOR")) * 100
        + parse(env!("CARGO_PKG_VERSION_PATCH"))
};

/// Free a string returned by libcape as `char *`. NULL is a no-op.
///
/// Only strings libcape returned as `char *` (owned) may be passed here, and only once; never pass them to
/// `free()`, and never pass a borrowed `const char *` here.
///
/// # Safety
///
/// `s` is NULL or a `char *` returned by libcape and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn cape_string_free(s: *mut c_char) {
    ffi_boundary!({
        if !s.is_null() {
            // SAFETY: created by CString::into_raw in libcape, freed once, per the contract.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// A C string of `s`; a NUL inside (possible only in text read from input files) becomes U+FFFD.
pub(crate) fn c_string(s: &str) -> CString {
    match CString::new(s) {
        Ok(c) => c,
        Err(_) => CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default(),
    }
}

/// An owned `char *` of `s`, for the caller to free with `cape_string_free`.
pub(crate) fn owned_c_string(s: &str) -> *mut c_char {
    c_string(s).into_raw()
}

/// The bytes of a NUL-terminated argument.
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) unsafe fn arg_cstr<'a>(p: *const c_char, name: &str) -> Result<&'a CStr, FfiError> {
    if p.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: not NULL, NUL-terminated per the contract.
    Ok(unsafe { CStr::from_ptr(p) })
}

/// A NUL-terminated UTF-8 argument.
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded contract.
    let c = unsafe { arg_cstr(p, name) }?;
    c.to_str().map_err(|e| {
        FfiError::new(
            cape_status::InvalidUtf8,
            format!("argument `{name}` is not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })
}

/// A reference from a non-NULL handle argument.
///
/// # Safety
///
/// `p` is NULL or points to a live `T` that outlives `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, name: &str) -> Result<&'a T, FfiError> {
    // SAFETY: NULL or live, per the contract.
    unsafe { p.as_ref() }.ok_or_else(|| FfiError::null(name))
}

/// Check that an out-parameter is not NULL (before any work is done).
pub(crate) fn arg_out<T>(p: *mut T, name: &str) -> Result<*mut T, FfiError> {
    if p.is_null() {
        Err(FfiError::null(name))
    } else {
        Ok(p)
    }
}

/// A nullable NUL-terminated UTF-8 argument: `None` when NULL.
///
/// # Safety
///
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn arg_opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, FfiError> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { arg_str(p, name) }.map(Some)
}

/// A file-system path argument: bytes on Unix, UTF-8 elsewhere.
///
/// # Safety
///
/// `p` is NULL or NUL-terminated.
#[cfg(unix)]
pub(crate) unsafe fn arg_path(p: *const c_char, name: &str) -> Result<std::path::PathBuf, FfiError> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: forwarded contract.
    let c = unsafe { arg_cstr(p, name) }?;
    Ok(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(c.to_bytes())))
}

/// A file-system path argument: bytes on Unix, UTF-8 elsewhere.
///
/// # Safety
///
/// `p` is NULL or NUL-terminated.
#[cfg(not(unix))]
pub(crate) unsafe fn arg_path(p: *const c_char, name: &str) -> Result<std::path::PathBuf, FfiError> {
    // SAFETY: forwarded contract.
    Ok(std::path::PathBuf::from(unsafe { arg_str(p, name) }?))
}

/// A `(pointer, length)` buffer argument; the pointer may be NULL only when the length is 0.
///
/// # Safety
///
/// `data` is NULL or valid for reading `len` bytes for `'a`.
pub(crate) unsafe fn arg_bytes<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a [u8], FfiError> {
    if data.is_null() {
        if len != 0 {
            return Err(FfiError::null(name));
        }
        return Ok(&[]);
    }
    // SAFETY: valid for `len` bytes, per the contract.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A mutable reference from a non-NULL handle argument.
///
/// # Safety
///
/// `p` is NULL or points to a live `T`, not used elsewhere during `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(p: *mut T, name: &str) -> Result<&'a mut T, FfiError> {
    // SAFETY: NULL or live and exclusive, per the contract.
    unsafe { p.as_mut() }.ok_or_else(|| FfiError::null(name))
}

/// A date argument (`YYYY-MM-DD`; the report's `MM/DD/YYYY` is also read).
///
/// # Safety
///
/// `p` is NULL or NUL-terminated.
pub(crate) unsafe fn arg_date(p: *const c_char, name: &str) -> Result<chrono::NaiveDate, FfiError> {
    // SAFETY: forwarded contract.
    let s = unsafe { arg_str(p, name) }?;
    Ok(cape_core::parse_date(s)?)
}

/// A nullable C string of an optional value (for structs of borrowed strings).
pub(crate) fn opt_c_string(s: Option<&str>) -> Option<CString> {
    s.map(c_string)
}

/// The pointer of an optional C string, NULL when absent.
pub(crate) fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
}

/// Store a new boxed handle through a checked out-parameter.
///
/// # Safety
///
/// `out` is not NULL and valid for writing.
pub(crate) unsafe fn store_box<T>(out: *mut *mut T, value: T) {
    // SAFETY: per the contract.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
}

/// Free a boxed handle; NULL is a no-op.
///
/// # Safety
///
/// `p` is NULL or came from `store_box` and was not freed.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(p) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(cape_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(v.to_str().unwrap(), cape_core::VERSION);
    }

    #[test]
    fn interior_nul_is_replaced() {
        assert_eq!(c_string("a\0b").to_str().unwrap(), "a\u{FFFD}b");
    }
}
