//! Every code cape reports has a row in `docs/codes.md` (with a meaning and a remedy), and every row names a
//! code that exists. Codes with an `ALL`/`KNOWN` list are iterated; the rest are read from their source.

use std::collections::BTreeSet;
use std::path::Path;

use cape_core::claim::{CapeErrorKind, PreflightCode};
use cape_core::{DiagnosticCode, FindingCode, ReasonCode};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The (family, code) rows of the table, checking each has a meaning and a remedy.
fn table() -> BTreeSet<(String, String)> {
    let mut rows = BTreeSet::new();
    for line in read("docs/codes.md").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | family | `code` | meaning | remedy |
        if cells.len() == 6 && cells[2].starts_with('`') {
            let code = cells[2].trim_matches('`').to_owned();
            assert!(!cells[3].is_empty() && !cells[4].is_empty(), "{code}: meaning and remedy required");
            assert!(rows.insert((cells[1].to_owned(), code.clone())), "{code} listed twice");
        }
    }
    rows
}

/// Every string literal matched by `prefix"…"` in `src` (e.g. `=> "` in a `match`).
fn literals_after(src: &str, prefix: &str) -> Vec<String> {
    src.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &src[i + prefix.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// The body of `fn name` in `src`, up to the next `fn `.
fn fn_body<'a>(src: &'a str, name: &str) -> &'a str {
    let start = src.find(&format!("fn {name}(")).unwrap_or_else(|| panic!("fn {name} not found"));
    let rest = &src[start + 3..];
    &rest[..rest.find("\n    pub fn ").or_else(|| rest.find("\n    fn ")).unwrap_or(rest.len())]
}

fn expected() -> BTreeSet<(String, String)> {
    let mut e = BTreeSet::new();
    let mut add = |family: &str, code: &str| {
        e.insert((family.to_owned(), code.to_owned()));
    };
    DiagnosticCode::ALL.iter().for_each(|c| add("ingest", c.as_str()));
    FindingCode::ALL.iter().for_each(|c| add("finding", c.as_str()));
    ReasonCode::ALL.iter().for_each(|c| add("reason", c.as_str()));
    PreflightCode::ALL.iter().for_each(|c| add("preflight", c.as_str()));
    CapeErrorKind::KNOWN.iter().for_each(|c| add("cape", c.name()));
    add("cape", CapeErrorKind::Unknown.name());
    // ErrorKind has no ALL list: its stable names are the `name()` match arms.
    let error = read("cape-core/src/error.rs");
    let names = literals_after(fn_body(&error, "name"), "=> \"");
    assert_eq!(names.len(), 14, "ErrorKind names parsed: {names:?}");
    names.iter().for_each(|n| add("error", n));
    // The C status names, from the binding's source (read only).
    let ffi = read("cape-ffi/src/error.rs");
    let c: Vec<String> = literals_after(&ffi, "b\"").into_iter().filter(|s| s.starts_with("CAPE_STATUS_")).collect();
    assert!(c.len() >= 17, "C statuses parsed: {c:?}");
    c.iter().for_each(|s| add("c", s.trim_end_matches("\\0")));
    // The Python exception classes: the root and one per kind.
    let py = read("cape-py/src/errors.rs");
    add("python", "CapeError");
    // Every string literal of `spec` that is a class name (the docstrings beside them contain spaces).
    let classes: Vec<String> = fn_body(&py, "spec")
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.ends_with("Error") && !s.contains(char::is_whitespace))
        .map(str::to_owned)
        .collect();
    assert!(classes.len() >= 10, "Python classes parsed: {classes:?}");
    classes.iter().for_each(|s| add("python", s));
    // NoInterest codes and deposit-date codes (stable strings in the output).
    cape_core::assess::NoInterestReason::ALL.iter().for_each(|r| add("interest", r.as_str()));
    let deposit = read("cape-core/src/liquidation/deposit.rs");
    literals_after(fn_body(&deposit, "code"), "=> \"").iter().for_each(|s| add("deposit", s));
    cape_core::claim::ActionCode::ALL.iter().for_each(|a| add("action", a.as_str()));
    // The ledger's entry states (read from the source: the module is behind the `ledger` feature) and file problems.
    let states = read("cape-core/src/ledger/state.rs");
    literals_after(fn_body(&states, "as_str"), "=> \"").iter().for_each(|s| add("ledger", s));
    cape_core::LedgerProblem::ALL.iter().for_each(|p| add("ledger_error", p.code()));
    e
}

#[test]
fn every_code_has_a_row_and_every_row_a_code() {
    let table = table();
    let expected = expected();
    let missing: Vec<_> = expected.difference(&table).collect();
    assert!(missing.is_empty(), "codes without a row in docs/codes.md: {missing:?}");
    let stale: Vec<_> = table.difference(&expected).collect();
    assert!(stale.is_empty(), "rows in docs/codes.md naming no code: {stale:?}");
}

#[test]
fn ingest_meanings_match_the_source() {
    let doc = read("docs/codes.md");
    for c in DiagnosticCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` | {} |", c.as_str(), c.meaning())),
            "{c}: meaning differs from meaning()"
        );
    }
    for k in CapeErrorKind::KNOWN {
        let m = k.meaning();
        let m = format!("{}{}.", m[..1].to_uppercase(), &m[1..]);
        assert!(doc.contains(&format!("| `{}` | {m} |", k.name())), "{k}: meaning differs");
    }
}

#[test]
fn every_action_row_names_its_legal_basis() {
    let doc = read("docs/codes.md");
    for a in cape_core::claim::ActionCode::ALL {
        let row = doc.lines().find(|l| l.starts_with(&format!("| action | `{}` |", a.as_str()))).unwrap();
        if *a != cape_core::claim::ActionCode::None {
            // The first statute or guidance of the code's basis appears in its row.
            let first = a.legal_basis().split(&[';', '(', ','][..]).next().unwrap().trim();
            assert!(row.contains("Basis: ") && row.contains(first), "{}: {first:?} not in {row}", a.as_str());
        }
        assert!(row.contains("Deadline: "), "{row}");
    }
}
