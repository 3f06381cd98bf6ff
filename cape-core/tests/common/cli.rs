//! Runs the command line in-process for the CLI tests: `cape(&["assess", path])` → (exit status, stdout,
//! stderr), both asserted to be UTF-8 (every byte cape prints is).
#![allow(dead_code)]

pub fn cape(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cape_core::cli::run(&args, &mut out, &mut err);
    (code, String::from_utf8(out).expect("stdout is UTF-8"), String::from_utf8(err).expect("stderr is UTF-8"))
}
