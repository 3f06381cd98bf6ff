//! Every exported function runs inside the panic boundary, and is named and exported the C way.
//!
//! Scans `src/**/*.rs`: each `extern "C" fn` must be `#[no_mangle]`, named `cape_*`, and its body must start
//! with `ffi_boundary!`. A panic that escaped through `extern "C"` would abort the host process.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of the body after its opening brace, given the text after `fn `.
fn body_after_signature(rest: &str) -> &str {
    let mut depth = 0usize;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            '{' if depth == 0 => return &rest[i + 1..],
            _ => {}
        }
    }
    panic!("no body found for `fn {}`", rest.lines().next().unwrap_or(""));
}

#[test]
fn every_extern_c_fn_is_guarded() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let marker = "extern \"C\" fn ";
    let mut found = 0;
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (at, _) in text.match_indices(marker) {
            found += 1;
            let rest = &text[at + marker.len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let where_ = format!("{}: {name}", file.display());
            let body = body_after_signature(rest).trim_start();
            if !body.starts_with("ffi_boundary!") {
                problems.push(format!("{where_}: body does not start with ffi_boundary!"));
            }
            if !name.starts_with("cape_") {
                problems.push(format!("{where_}: exported name is not prefixed cape_"));
            }
            let before = &text[..at];
            let attrs = before.rsplit_once("\n\n").map_or(before, |(_, a)| a);
            if !attrs.contains("#[no_mangle]") {
                problems.push(format!("{where_}: not #[no_mangle]"));
            }
        }
    }
    assert!(found >= 15, "found only {found} extern \"C\" functions; is the scan broken?");
    assert!(problems.is_empty(), "unguarded or misnamed exports:\n{}", problems.join("\n"));
}
