//! # libcape — the C ABI of cape
//!
//! A thin layer over [`cape_core`]: every function converts its C arguments, calls the core, and converts the
//! answer back. No domain rule lives here; the header `include/cape.h` is generated from this crate by cbindgen
//! (pinned, see `tests/header.rs`) and is the documentation C users read.
//!
//! Conventions (also stated at the top of the header):
//!
//! - Fallible functions return a [`cape_status`] (`0` is success) and take an optional trailing
//!   `cape_error **err`: when not NULL and the call fails, `*err` receives a new [`cape_error`] with the status
//!   and a message, to be released with [`cape_error_free`]. On success `*err` is left untouched.
//! - Out-parameters are written only on success.
//! - Strings returned as `char *` are owned by the caller and freed with [`cape_string_free`], never `free()`.
//!   Strings returned as `const char *` are borrowed; each function says for how long.
//! - Every exported body runs inside `ffi_boundary!`: a Rust panic becomes `CAPE_STATUS_PANIC` (or a typed
//!   default for functions that do not return a status). The library never unwinds into, or aborts, its host.
//! - Handles are opaque and boxed (`cape_tables` holds an `Arc` of immutable tables); `*_free(NULL)` is a no-op.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types)]

#[macro_use]
mod panic;

pub mod assessment;
pub mod builder;
pub mod claim;
pub mod entry_number;
pub mod error;
pub mod es003;
pub mod options;
pub mod plan;
pub mod refund;
pub mod run;
pub mod sized;
pub mod strings;
pub mod tables;

pub use entry_number::{cape_entry_number_check_digit, cape_entry_number_parse};
pub use error::{cape_error, cape_error_code, cape_error_free, cape_error_message, cape_status, cape_status_name};
pub use es003::{
    cape_diagnostic, cape_es003, cape_es003_diagnostic, cape_es003_diagnostic_count, cape_es003_entry_count,
    cape_es003_entry_number, cape_es003_free, cape_es003_open_buffer, cape_es003_open_path, cape_es003_summary,
    cape_ingest_summary, cape_severity,
};
pub use strings::{cape_string_free, cape_version, cape_version_number};
