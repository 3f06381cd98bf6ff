//! Fuzz target `es003_csv`: see `cape_fuzz::checks::es003_csv`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::es003_csv(data));
