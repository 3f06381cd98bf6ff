//! Fuzz target `es003_xlsx`: see `cape_fuzz::checks::es003_xlsx`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cape_fuzz::checks::es003_xlsx(data));
