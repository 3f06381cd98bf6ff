//! Fuzz target `reference`: see `cape_fuzz::checks::reference`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::reference(data));
