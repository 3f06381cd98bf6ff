//! The growth policy of the structs a C caller allocates: each starts with `uint32_t struct_size`.
//!
//! A program built against an older `cape.h` has smaller structs than a newer libcape's; fields are only ever
//! appended, never moved or removed, within 0.x. So the caller says how large its struct is
//! (`struct_size = sizeof(T)` from its own header) and libcape:
//!
//! - for a struct it fills (results): writes the first `min(struct_size, sizeof(T))` bytes (the fields the
//!   caller's header knows) and sets `struct_size` to the number of bytes written, so a caller built against a
//!   newer header than the library can tell which trailing fields were not filled;
//! - for a struct it reads (options): reads the first `min(struct_size, sizeof(T))` bytes and takes the
//!   defaults for the fields beyond them.
//!
//! `struct_size` below [`MIN_STRUCT_SIZE`] (0 when the caller forgot to set it) is `CAPE_STATUS_BUFFER_TOO_SMALL`,
//! and nothing is written.

use crate::error::{cape_status, FfiError};

/// The smallest `struct_size` libcape accepts: the `struct_size` field itself.
pub const MIN_STRUCT_SIZE: usize = std::mem::size_of::<u32>();

/// A `#[repr(C)]` struct whose first field is `struct_size: u32`.
///
/// # Safety
///
/// Implementors are `#[repr(C)]`, start with a `u32` field, and are valid when all-zero.
pub(crate) unsafe trait Growable: Copy {
    /// The name of the struct, for messages.
    const NAME: &'static str;
}

/// `size_of::<T>()` as the `u32` of a `struct_size` field.
pub(crate) fn size_of<T>() -> u32 {
    u32::try_from(std::mem::size_of::<T>()).unwrap_or(u32::MAX)
}

fn too_small(name: &str, arg: &str, given: u32) -> FfiError {
    FfiError::new(
        cape_status::BufferTooSmall,
        format!(
            "argument `{arg}`: struct_size is {given}; set it to sizeof({name}) (at least {MIN_STRUCT_SIZE}) \
             before the call"
        ),
    )
}

/// Write `value` into the caller's struct at `out` as far as its `struct_size` reaches.
///
/// # Safety
///
/// `out` is not NULL, valid for reading its `struct_size` field and for writing `struct_size` bytes.
pub(crate) unsafe fn write_sized<T: Growable>(out: *mut T, value: T, arg: &str) -> Result<(), FfiError> {
    let size_field = out.cast::<u32>();
    // SAFETY: `out` points to a T-like struct whose first field is the caller's `struct_size`, per the contract.
    let given = unsafe { size_field.read() };
    let given_bytes = usize::try_from(given).unwrap_or(usize::MAX);
    if given_bytes < MIN_STRUCT_SIZE {
        return Err(too_small(T::NAME, arg, given));
    }
    let n = given_bytes.min(std::mem::size_of::<T>());
    // SAFETY: `value` is a live T of size_of::<T>() >= n bytes; the caller's struct is valid for `given` >= n
    // bytes; they do not overlap (one is on this stack frame). Padding bytes are copied as bytes, untyped.
    unsafe { std::ptr::copy_nonoverlapping((&value as *const T).cast::<u8>(), out.cast::<u8>(), n) };
    // SAFETY: as above; `n` fits in u32 because it is at most `given`.
    unsafe { size_field.write(u32::try_from(n).unwrap_or(given)) };
    Ok(())
}

/// Read the caller's struct at `p` as far as its `struct_size` reaches; the fields beyond are all-zero (which
/// every [`Growable`] struct documents as its defaults).
///
/// # Safety
///
/// `p` is not NULL, valid for reading `struct_size` bytes, and the fields it covers are valid values of
/// their types.
pub(crate) unsafe fn read_sized<T: Growable>(p: *const T, arg: &str) -> Result<T, FfiError> {
    // SAFETY: as `write_sized`.
    let given = unsafe { p.cast::<u32>().read() };
    let given_bytes = usize::try_from(given).unwrap_or(usize::MAX);
    if given_bytes < MIN_STRUCT_SIZE {
        return Err(too_small(T::NAME, arg, given));
    }
    let n = given_bytes.min(std::mem::size_of::<T>());
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    // SAFETY: `p` is valid for `given` >= n bytes; `value` has room for size_of::<T>() >= n bytes.
    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), value.as_mut_ptr().cast::<u8>(), n) };
    // SAFETY: all-zero is a valid T (the trait's contract) and the first n bytes are the caller's valid fields.
    Ok(unsafe { value.assume_init() })
}

/// Implements [`Growable`] for structs that start with `struct_size` and are valid all-zero.
macro_rules! impl_sized {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: `#[repr(C)]`, first field `struct_size: u32`, and only integers, nullable pointers and
        // `Option`s of function pointers: all-zero is valid.
        unsafe impl $crate::sized::Growable for $t {
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
pub(crate) use impl_sized;
