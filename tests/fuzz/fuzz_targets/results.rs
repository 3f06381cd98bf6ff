//! Fuzz target `results`: see `cape_fuzz::checks::results`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::results(data));
