//! Replays every committed fuzz corpus file (`tests/fuzz/corpus/<target>/*`) through the fuzz targets' own
//! checks, without libFuzzer: this is how `cargo test` runs each fuzz target briefly. The long runs use
//! cargo-fuzz (`make fuzz-run`, see `mk/fuzz.mk`).

#[path = "../../tests/fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("tests/fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("corpus file"))).collect()
}

fn replay(target: &str) {
    let check = checks::TARGETS.iter().find(|(t, _)| *t == target).expect("known target").1;
    let files = corpus(target);
    assert!(!files.is_empty(), "no corpus for {target}");
    for (path, bytes) in files {
        let r = std::panic::catch_unwind(|| check(&bytes));
        assert!(r.is_ok(), "fuzz check {target} fails on {}", path.display());
    }
}

#[test]
fn every_target_has_a_corpus_and_a_test() {
    let dirs: Vec<String> = std::fs::read_dir(root().join("tests/fuzz/corpus"))
        .expect("corpus dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for (t, _) in checks::TARGETS {
        assert!(dirs.iter().any(|d| d == t), "no corpus directory for {t}");
        assert!(root().join("tests/fuzz/fuzz_targets").join(format!("{t}.rs")).is_file(), "no fuzz target {t}");
    }
}

#[test]
fn es003_csv_corpus() {
    replay("es003_csv");
}

#[test]
fn es003_xlsx_corpus() {
    replay("es003_xlsx");
}

#[test]
fn preflight_corpus() {
    replay("preflight");
}

#[test]
fn results_corpus() {
    replay("results");
}

#[test]
fn values_corpus() {
    replay("values");
}

#[test]
fn reference_corpus() {
    replay("reference");
}

/// The bad-input corpus goes through the ES-003 check too.
#[test]
fn bad_inputs_pass_the_es003_check() {
    for entry in std::fs::read_dir(root().join("tests/data/bad")).expect("bad dir") {
        let p = entry.expect("entry").path();
        if matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "xlsx")) {
            let bytes = std::fs::read(&p).expect("read");
            let r = std::panic::catch_unwind(|| checks::es003_bytes(&bytes));
            assert!(r.is_ok(), "{}", p.display());
        }
    }
}

/// Writes the workbook seed `tests/fuzz/corpus/es003_xlsx/seed-small.xlsx` (a real two-entry ES-003 workbook
/// with typed number and date cells). Run with `cargo test -p cape-core --test fuzz_corpus -- --ignored`.
#[test]
#[ignore = "regenerates a committed seed"]
fn write_xlsx_seed() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("ES-003").expect("name");
    let header = [
        "Entry Summary Number",
        "Entry Summary Line Number",
        "Tariff Ordinal Number",
        "HTS Number - Full",
        "Line Tariff Goods Value Amount",
        "Line Tariff Duty Amount",
        "Entry Date",
        "Importer Number",
    ];
    for (i, c) in header.iter().enumerate() {
        ws.write_string(0, i as u16, *c).expect("cell");
    }
    let date = Format::new().set_num_format("mm/dd/yyyy");
    let rows: [(&str, f64, &str, f64, f64); 4] = [
        ("VSU-0828889-3", 1.0, "9903.01.25", 0.0, 100.0),
        ("VSU-0828889-3", 2.0, "8471300100", 1000.0, 0.0),
        ("VSU-0828893-5", 1.0, "9903.01.25", 0.0, 55.5),
        ("VSU-0828893-5", 2.0, "8471300100", 555.0, 0.0),
    ];
    for (r, (e, ord, hts, value, duty)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *e).expect("cell");
        ws.write_number(r, 1, 1.0).expect("cell");
        ws.write_number(r, 2, *ord).expect("cell");
        ws.write_string(r, 3, *hts).expect("cell");
        ws.write_number(r, 4, *value).expect("cell");
        ws.write_number(r, 5, *duty).expect("cell");
        ws.write_datetime_with_format(r, 6, ExcelDateTime::from_ymd(2025, 4, 15).expect("date"), &date).expect("cell");
        ws.write_string(r, 7, "12-345678900").expect("cell");
    }
    let bytes = wb.save_to_buffer().expect("save");
    let dir = root().join("tests/fuzz/corpus/es003_xlsx");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("seed-small.xlsx"), bytes).expect("write");
}
