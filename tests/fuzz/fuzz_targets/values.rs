//! Fuzz target `values`: see `cape_fuzz::checks::values`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::values(data));
