//! Entry numbers: parse and validate, compute a check digit.

use std::ffi::c_char;

use cape_core::{check_digit, EntryNumber};

use crate::error::{cape_error, cape_status};
use crate::strings::{arg_out, arg_str, owned_c_string};

/// Parse and validate an entry number (`XXX-NNNNNNN-C`; dashes and spaces optional, letters any case).
///
/// On success writes the canonical form (`"ABC-1234567-6"`) to `*canonical_out` and the 11-character compact
/// form (`"ABC12345676"`) to `*compact_out`. Either out-parameter may be NULL, in which case that form is not
/// returned; with both NULL the call only validates. Returned strings are owned by the caller: free each with
/// `cape_string_free`. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`text` NULL); `CAPE_STATUS_INVALID_UTF8`;
/// `CAPE_STATUS_INVALID_ENTRY_NUMBER` (wrong length, bad character, or wrong check digit: the message says
/// which, e.g. `check digit is 5, expected 6`).
///
/// # Safety
///
/// `text` is NULL or NUL-terminated; each out-parameter is NULL or valid for writing; `err` is NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_number_parse(
    text: *const c_char,
    canonical_out: *mut *mut c_char,
    compact_out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let text = unsafe { arg_str(text, "text") }?;
        let number = EntryNumber::parse(text)?;
        if !canonical_out.is_null() {
            // SAFETY: valid for writes, per the contract.
            unsafe { canonical_out.write(owned_c_string(&number.to_string())) };
        }
        if !compact_out.is_null() {
            // SAFETY: valid for writes, per the contract.
            unsafe { compact_out.write(owned_c_string(number.compact())) };
        }
        Ok(())
    })
}

/// Compute the check digit (0-9) of the first ten characters of an entry number (3-character filer code +
/// 7-digit serial; dashes and spaces allowed), e.g. `"ABC1234567"` gives 6.
///
/// On success writes the digit to `*digit_out`. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`base10` or `digit_out` NULL);
/// `CAPE_STATUS_INVALID_UTF8`; `CAPE_STATUS_INVALID_ENTRY_NUMBER` (not ten letters/digits in the right places).
///
/// # Safety
///
/// `base10` is NULL or NUL-terminated; `digit_out` is NULL or valid for writing; `err` is NULL or valid for
/// writing.
#[no_mangle]
pub unsafe extern "C" fn cape_entry_number_check_digit(
    base10: *const c_char,
    digit_out: *mut u8,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let base10 = unsafe { arg_str(base10, "base10") }?;
        let digit_out = arg_out(digit_out, "digit_out")?;
        let digit = check_digit(base10)?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { digit_out.write(digit) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};
    use std::ptr::{null, null_mut};

    use super::*;
    use crate::{cape_error_code, cape_error_free, cape_error_message, cape_string_free};

    #[test]
    fn parse_round_trip_and_errors() {
        let text = CString::new("abc 1234567 6").unwrap();
        let (mut canonical, mut compact) = (null_mut(), null_mut());
        let status = unsafe { cape_entry_number_parse(text.as_ptr(), &mut canonical, &mut compact, null_mut()) };
        assert_eq!(status, cape_status::Ok);
        unsafe {
            assert_eq!(CStr::from_ptr(canonical).to_str().unwrap(), "ABC-1234567-6");
            assert_eq!(CStr::from_ptr(compact).to_str().unwrap(), "ABC12345676");
            cape_string_free(canonical);
            cape_string_free(compact);
        }

        let bad = CString::new("ABC-1234567-5").unwrap();
        let mut out = null_mut();
        let mut err = null_mut();
        let status = unsafe { cape_entry_number_parse(bad.as_ptr(), &mut out, null_mut(), &mut err) };
        assert_eq!(status, cape_status::InvalidEntryNumber);
        assert!(out.is_null(), "out-params are written only on success");
        unsafe {
            assert_eq!(cape_error_code(err), cape_status::InvalidEntryNumber);
            let msg = CStr::from_ptr(cape_error_message(err)).to_str().unwrap();
            assert!(msg.contains("expected 6"), "{msg}");
            cape_error_free(err);
        }

        let status = unsafe { cape_entry_number_parse(null(), null_mut(), null_mut(), null_mut()) };
        assert_eq!(status, cape_status::NullArgument);
    }

    #[test]
    fn check_digit_vectors() {
        for (base, want) in [
            ("ABC1234567", 6),
            ("9999999999", 0),
            ("3160123456", 5),
            ("1234567890", 3),
            ("ZZZ0000000", 3),
            ("B760158522", 0),
        ] {
            let c = CString::new(base).unwrap();
            let mut digit = 255u8;
            let status = unsafe { cape_entry_number_check_digit(c.as_ptr(), &mut digit, null_mut()) };
            assert_eq!((status, digit), (cape_status::Ok, want), "{base}");
        }
        let bad = [0xffu8, 0];
        let mut digit = 255u8;
        let status = unsafe { cape_entry_number_check_digit(bad.as_ptr().cast(), &mut digit, null_mut()) };
        assert_eq!((status, digit), (cape_status::InvalidUtf8, 255));
    }
}
