//! The `cape` command line without Python: `cargo run --release -p cape-core --example cape -- --help`.
//!
//! The Python package's console script runs the same [`cape_core::cli::run`].

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let progress = std::io::IsTerminal::is_terminal(&stderr);
    // Ctrl-C sets the flag; the command stops at the next row, cleans up, and exits 130.
    let cancel = Arc::new(AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, cancel.clone());
    let options = cape_core::cli::RunOptions::new(progress, Some(cancel));
    let mut out = stdout.lock();
    let code = cape_core::cli::run_with(&args, &mut out, &mut stderr.lock(), &options);
    let _ = out.flush();
    std::process::exit(code);
}
