//! Fuzz target `preflight`: see `cape_fuzz::checks::preflight`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::preflight(data));
