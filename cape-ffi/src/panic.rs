//! The panic boundary every exported function runs inside.
//!
//! A panic must never unwind across `extern "C"` (that aborts the host process). `ffi_boundary!` runs the body
//! under `catch_unwind` and turns a panic into `CAPE_STATUS_PANIC` (status functions, with a `cape_error` when the
//! caller asked for one) or into the typed default of [`PanicDefault`] (NULL, 0, nothing) for the rest.
//! `tests/boundary.rs` fails if any `extern "C" fn` body does not start with this macro.

use std::ffi::c_char;

use crate::error::cape_status;

/// The value a non-status function returns when its body panicked.
pub(crate) trait PanicDefault {
    /// The default.
    fn panic_default() -> Self;
}

impl PanicDefault for () {
    fn panic_default() -> Self {}
}

impl PanicDefault for bool {
    fn panic_default() -> Self {
        false
    }
}

impl PanicDefault for usize {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for u32 {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for u64 {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for *const c_char {
    fn panic_default() -> Self {
        std::ptr::null()
    }
}

impl PanicDefault for cape_status {
    fn panic_default() -> Self {
        cape_status::Panic
    }
}

/// Run an exported function's body inside the panic boundary.
///
/// - `ffi_boundary!(err = err, { ...; Ok(()) })`: the body returns `Result<(), FfiError>`; the macro returns
///   a `cape_status` and, on failure, stores a `cape_error` through `err` (when not NULL). A non-NULL `*err`
///   is refused first (`CAPE_STATUS_ERR_SLOT_NOT_EMPTY`, the body not run: see `error::err_slot_taken`); the
///   macro must therefore be the whole body of its function (it returns early).
/// - `ffi_boundary!({ ... })`: the body returns a plain value; a panic returns its [`PanicDefault`].
macro_rules! ffi_boundary {
    (err = $err:expr, $body:block) => {{
        let err_out: *mut *mut $crate::error::cape_error = $err;
        // SAFETY: `err` is NULL or valid for reads and writes, as every exported function's contract states.
        if unsafe { $crate::error::err_slot_taken(err_out) } {
            return $crate::error::cape_status::ErrSlotNotEmpty;
        }
        let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::FfiError> { $body },
        ));
        // SAFETY: `err` is NULL or valid for writes, as every exported function's contract states.
        unsafe { $crate::error::finish(result, err_out) }
    }};
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $crate::panic::PanicDefault::panic_default(),
        }
    }};
}

#[cfg(test)]
mod tests {
    use std::ffi::{c_char, CStr};
    use std::ptr::null_mut;

    use crate::error::{cape_error, cape_status, FfiError};
    use crate::{cape_error_code, cape_error_free, cape_error_message};

    fn status_fn_that_panics(fail: bool, err: *mut *mut cape_error) -> cape_status {
        ffi_boundary!(err = err, {
            if fail {
                panic!("boom");
            }
            Ok::<(), FfiError>(())
        })
    }

    fn pointer_fn_that_panics() -> *const c_char {
        ffi_boundary!({
            if std::hint::black_box(true) {
                panic!("boom");
            }
            c"x".as_ptr()
        })
    }

    #[test]
    fn panics_become_status_and_defaults() {
        assert_eq!(status_fn_that_panics(false, null_mut()), cape_status::Ok);
        assert_eq!(status_fn_that_panics(true, null_mut()), cape_status::Panic);
        let mut err = null_mut();
        assert_eq!(status_fn_that_panics(true, &mut err), cape_status::Panic);
        unsafe {
            assert_eq!(cape_error_code(err), cape_status::Panic);
            let msg = CStr::from_ptr(cape_error_message(err)).to_str().unwrap();
            assert!(msg.contains("panicked: boom"), "{msg}");
            cape_error_free(err);
        }
        assert!(pointer_fn_that_panics().is_null());
    }

    #[test]
    fn a_full_error_slot_is_refused_untouched() {
        let mut err = null_mut();
        assert_eq!(status_fn_that_panics(true, &mut err), cape_status::Panic);
        let held = err;
        // the body would panic: it is not run, and the error held is neither freed nor replaced
        assert_eq!(status_fn_that_panics(true, &mut err), cape_status::ErrSlotNotEmpty);
        assert_eq!(status_fn_that_panics(false, &mut err), cape_status::ErrSlotNotEmpty);
        assert_eq!(err, held);
        unsafe {
            assert_eq!(cape_error_code(err), cape_status::Panic);
            cape_error_free(err);
        }
        err = null_mut();
        assert_eq!(status_fn_that_panics(false, &mut err), cape_status::Ok);
        assert!(err.is_null());
    }
}
