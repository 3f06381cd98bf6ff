//! The `cape` command line without Python: `cargo run --release -p cape-core --example cape -- --help`.
//!
//! The Python package's console script runs the same [`cape_core::cli::run`].

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let progress = std::io::IsTerminal::is_terminal(&stderr);
    let code = cape_core::cli::run_with_progress(&args, &mut stdout.lock(), &mut stderr.lock(), progress);
    std::process::exit(code);
}
