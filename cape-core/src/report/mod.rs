//! What cape writes out: files written atomically, so that a file is complete under its final name or absent.

pub mod atomic;
pub mod csv;
pub mod statement;

pub use atomic::{is_temp_name, sync_dir, write_atomic, AtomicFile, MAX_TEMP_ATTEMPTS, TEMP_SUFFIX};
