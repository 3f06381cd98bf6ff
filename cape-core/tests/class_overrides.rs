//! Class overrides (`--class-override IMPORTER=CLASS`, Python's `class_overrides`): an override changes its
//! importer's interest class, and one that names an importer no entry has is reported, on the command line
//! (stderr and the JSON diagnostics) and in the run's diagnostics, never silently ignored. Partitions report it
//! only when no partition had the importer.

#[path = "common/cli.rs"]
mod cli;
use cli::cape;

use cape_core::assess::{AssessOptions, Tables};
use cape_core::diagnostic::DiagnosticCode;
use cape_core::model::ImporterClass;
use cape_core::run::{assess_all, RunOptions, Source};

/// Two entries of two importers, both eligible with interest as of 2026-04-19 (the rows of `cli_options.rs`).
const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,\
Country of Origin Code,Liquidation Date,Liquidation Status,Column 1 Current Primary Duty Rate,Payment Date,\
Payment Type Code,ACH Refund Enrolled\n";
const FIRST: &str =
    "ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,1,Y\n\
ABC-1234567-6,1,2,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,4%,06/02/2025,1,Y\n";
const SECOND: &str = "B76-0158522-0,1,1,99030124,0,300.00,01,98-765432100,09/02/2025,CN,,,,,7,Y\n\
B76-0158522-0,1,2,8471300100,3000.00,0.00,01,98-765432100,09/02/2025,CN,,,0%,,7,Y\n";

fn file(name: &str, content: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cape-class-overrides-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 4, 19).unwrap()
}

/// The importer number as the report's entries give it (what an override is matched against).
fn importer_of_first() -> String {
    let f = file("one.csv", &format!("{HEADER}{FIRST}"));
    let (code, out, err) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["entries"][0]["importer_number"].as_str().unwrap().to_owned()
}

#[test]
fn cli_override_sets_the_class_and_an_unknown_importer_is_reported() {
    let f = file("both.csv", &format!("{HEADER}{FIRST}{SECOND}"));
    let importer = importer_of_first();
    let known = format!("{importer}=noncorporate");
    let (code, out, err) =
        cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "json", "--class-override", &known]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "a used override says nothing");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["entries"][0]["importer_class"], "noncorporate");
    assert_eq!(v["entries"][1]["importer_class"], "corporate");

    let (code, out, err) = cape(&[
        "assess",
        &f,
        "--as-of",
        "2026-04-19",
        "--format",
        "json",
        "--class-override",
        &known,
        "--class-override",
        "12-999999900=noncorporate",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "cape: warning: --class-override: the class override for importer 12-999999900 is not used: no entry of \
         this report has that importer number (check its spelling against the report's Importer Number)\n"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let unknown: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ES003_UNKNOWN_OVERRIDE_IMPORTER")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["value"], "12-999999900");
    assert_eq!(unknown[0]["severity"], "warning");
    assert_eq!(unknown[0]["row"], serde_json::Value::Null);
    assert_eq!(v["summary"]["ingest"]["counts_by_code"]["ES003_UNKNOWN_OVERRIDE_IMPORTER"], 1);
}

#[test]
fn cli_override_must_be_importer_equals_class() {
    let f = file("bad.csv", &format!("{HEADER}{FIRST}"));
    let (code, _, err) = cape(&["assess", &f, "--class-override", "12-345678900"]);
    assert_eq!(code, 64);
    assert!(err.contains("--class-override must be IMPORTER=CLASS"), "{err}");
    let (code, _, err) = cape(&["refunds", &f, "--class-override", "12-345678900=partnership"]);
    assert_eq!(code, 64);
    assert!(err.contains("corporate or noncorporate"), "{err}");
}

fn run(content: &str, overrides: &[(&str, ImporterClass)]) -> cape_core::run::Partial {
    let tables = Tables::embedded().unwrap();
    let mut o = AssessOptions::new(as_of());
    for (k, c) in overrides {
        o.class_overrides.insert((*k).to_owned(), *c);
    }
    let src = Source::Bytes(format!("{HEADER}{content}").into_bytes());
    assess_all(src, &tables, o, &RunOptions::new()).unwrap()
}

fn unknown(p: &cape_core::run::Partial) -> Vec<String> {
    p.diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::UnknownOverrideImporter)
        .map(|d| d.value.as_deref().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn partitions_report_an_override_only_when_no_partition_had_its_importer() {
    let importer = importer_of_first();
    let overrides = [(importer.as_str(), ImporterClass::NonCorporate), ("12-999999900", ImporterClass::NonCorporate)];
    let mut a = run(FIRST, &overrides);
    let b = run(SECOND, &overrides);
    assert_eq!(unknown(&a), vec!["12-999999900".to_owned()]);
    assert_eq!(unknown(&b), vec![importer.clone(), "12-999999900".to_owned()]);
    let whole = run(&format!("{FIRST}{SECOND}"), &overrides);
    a.merge(b).unwrap();
    assert_eq!(unknown(&a), vec!["12-999999900".to_owned()]);
    assert_eq!(a.ingest.count(DiagnosticCode::UnknownOverrideImporter), 1);
    assert_eq!(a.ingest.warnings, whole.ingest.warnings);
    assert_eq!(unknown(&whole), unknown(&a));
    // no override, no diagnostic
    assert!(unknown(&run(FIRST, &[])).is_empty());
}
