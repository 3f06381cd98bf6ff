//! The checks each fuzz target makes, as plain functions.
//!
//! Shared by the cargo-fuzz targets (`tests/fuzz/fuzz_targets/*.rs`, through `tests/fuzz/src/lib.rs`) and by
//! `cape-core/tests/fuzz_corpus.rs`, which replays every committed corpus file through the same function under
//! plain `cargo test`. A check panics (and so the fuzzer reports a crash) when an invariant does not hold.
#![allow(dead_code)]

use std::collections::HashSet;

use cape_core::claim::{DeclarationFile, FindingLevel};
use cape_core::mass::OtherPrograms;
use cape_core::refund::InterestOptions;
use cape_core::{
    iso, parse_date, preflight_bytes, read_es003_bytes, read_results_bytes, Catalogue, EntryNumber, ErrorKind,
    Es003Options, HtsNumber, PreflightOptions, RateTable, RuleSet, Severity, Usd, Verdict,
};

/// A fuzz target's check.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the directory name of their corpus.
pub const TARGETS: &[(&str, Check)] = &[
    ("es003_csv", es003_csv),
    ("es003_xlsx", es003_xlsx),
    ("preflight", preflight),
    ("results", results),
    ("values", values),
    ("reference", reference),
];

/// The ES-003 reader on arbitrary bytes: no panic, a balanced summary, every rejected row with an error
/// diagnostic, errors only of the documented kinds.
pub fn es003_csv(data: &[u8]) {
    es003_bytes(data);
    // Again with a record limit most inputs exceed somewhere: over-long records must keep both passes of the
    // reader in step and every row accounted for.
    es003_bytes_with(data, &{
        let mut o = Es003Options::default();
        o.max_record_bytes = Some(48);
        o.max_diagnostics_per_code = Some(u64::MAX);
        o
    });
}

/// The ES-003 reader on workbook bytes: the input is given a zip local-file header when it lacks one, so the
/// fuzzer spends its time inside the workbook path.
pub fn es003_xlsx(data: &[u8]) {
    if data.starts_with(b"PK\x03\x04") {
        es003_bytes(data);
    } else {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(data);
        es003_bytes(&v);
    }
}

/// Reads `data` as an ES-003 report and checks every invariant of the result.
pub fn es003_bytes(data: &[u8]) {
    // Every diagnostic kept, so that each rejected row can be matched with its error.
    es003_bytes_with(data, &{
        let mut o = Es003Options::default();
        o.max_diagnostics_per_code = Some(u64::MAX);
        o
    });
}

/// [`es003_bytes`] with the given options.
pub fn es003_bytes_with(data: &[u8], options: &Es003Options) {
    match read_es003_bytes(data, options) {
        Ok(r) => {
            let s = &r.summary;
            assert_eq!(s.counts_by_code.values().sum::<u64>(), r.diagnostics.len() as u64);
            assert!(s.is_balanced(), "unbalanced summary: {s:?}");
            // Workbook rows are numbered per sheet: with several sheets read, a row number alone may repeat.
            let one_numbering = s.sheets_read.len() <= 1;
            let tariffs: u64 = r.entries.iter().map(|e| e.tariffs().count() as u64).sum();
            assert_eq!(tariffs, s.rows_used, "used rows and tariff ordinals differ");
            let used: HashSet<u64> = r.entries.iter().flat_map(|e| e.tariffs().map(|(_, t)| t.source_row)).collect();
            if one_numbering {
                assert_eq!(used.len() as u64, s.rows_used, "a used row counted twice or not at all");
            }
            let error_rows: HashSet<(&str, u64)> = r
                .diagnostics
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .filter_map(|d| Some((&*d.source, d.row?)))
                .collect();
            // Every row that is not used has an error diagnostic naming it, and no used row has one.
            if one_numbering {
                assert!(error_rows.iter().all(|(_, row)| !used.contains(row)), "a used row has an error diagnostic");
            }
            assert_eq!(error_rows.len() as u64, s.rows_rejected, "rejected rows without (or extra) error diagnostics");
            let errors = r.diagnostics.iter().filter(|d| d.severity() == Severity::Error).count() as u64;
            assert_eq!(errors, s.errors);
            assert_eq!(s.entries, r.entries.len() as u64);
            let lines: u64 = r.entries.iter().map(|e| e.lines.len() as u64).sum();
            assert_eq!(lines, s.lines);
            let numbers: HashSet<EntryNumber> = r.entries.iter().map(|e| e.number).collect();
            assert_eq!(numbers.len(), r.entries.len(), "an entry yielded twice");
        }
        Err(e) => {
            let _ = e.to_string();
            assert!(
                matches!(e.kind(), ErrorKind::InvalidFormat | ErrorKind::MissingColumn),
                "unexpected error kind {:?}: {e}",
                e.kind()
            );
        }
    }
}

/// The declaration pre-flight reader: no panic; the verdict agrees with the findings; the entries it lists are
/// distinct; and a declaration written from them passes pre-flight with the same entries.
pub fn preflight(data: &[u8]) {
    let r = preflight_bytes(data, &PreflightOptions::default());
    let file_level = r.findings.iter().any(|f| f.level == FindingLevel::File);
    assert_eq!(file_level, r.verdict == Verdict::RejectFile, "verdict {:?} vs findings {:?}", r.verdict, r.findings);
    let distinct: HashSet<EntryNumber> = r.entries.iter().map(|e| e.entry_number).collect();
    assert_eq!(distinct.len(), r.entries.len(), "an entry listed twice");
    for e in &r.entries {
        assert!(e.row >= 1 && e.row <= r.rows_read, "entry row {} outside 1..={}", e.row, r.rows_read);
    }
    if !r.entries.is_empty() && r.entries.len() <= cape_core::claim::MAX_ENTRIES_PER_DECLARATION {
        let file = DeclarationFile {
            name: "x.csv".into(),
            importer: None,
            entries: r.entries.iter().map(|e| e.entry_number).collect(),
        };
        let again = preflight_bytes(file.contents().as_bytes(), &PreflightOptions::default());
        let back: Vec<EntryNumber> = again.entries.iter().map(|e| e.entry_number).collect();
        assert_eq!(back, file.entries, "declaration round trip lost entries");
        assert!(again.with_code(cape_core::claim::PreflightCode::MalformedEntryNumber).next().is_none());
        assert_ne!(again.verdict, Verdict::RejectFile, "{:?}", again.findings);
    }
}

/// The CAPE results reader: no panic; the counts reconcile with the rows.
pub fn results(data: &[u8]) {
    match read_results_bytes(data, None) {
        Ok(r) => {
            let s = &r.summary;
            assert_eq!(s.rows, r.rows.len());
            assert_eq!(s.updated + s.failed + s.other_status, s.rows);
            let with_error = r.rows.iter().filter(|x| x.error.is_some()).count();
            let known: usize = s.errors_by_kind.values().sum();
            assert_eq!(known + s.unknown_errors, with_error);
            // A problem is a row whose entry number does not parse, or an over-long row that is not read.
            let unparsed = r.rows.iter().filter(|x| x.entry_number.is_none()).count();
            let of_rows = r.problems.iter().filter(|p| r.rows.iter().any(|x| x.row == p.row)).count();
            assert_eq!(unparsed, of_rows);
        }
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::InvalidFormat | ErrorKind::MissingColumn),
            "unexpected error kind {:?}: {e}",
            e.kind()
        ),
    }
}

/// The value parsers on arbitrary text (the whole input, and each line): parse(display(x)) == x.
pub fn values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    value_round_trips(&text);
    for line in text.lines().take(64) {
        value_round_trips(line);
        for cell in line.split(',').take(16) {
            value_round_trips(cell);
        }
    }
}

fn value_round_trips(s: &str) {
    if let Ok(n) = EntryNumber::parse(s) {
        assert_eq!(EntryNumber::parse(&n.to_string()).ok(), Some(n), "entry number {s:?}");
        assert_eq!(EntryNumber::parse(n.compact()).ok(), Some(n), "entry number {s:?}");
        assert_eq!(n.to_string().len(), 13);
    } else if let Err(e) = EntryNumber::parse(s) {
        assert_eq!(e.kind(), ErrorKind::InvalidEntryNumber);
    }
    match HtsNumber::parse(s) {
        Ok(h) => {
            assert_eq!(HtsNumber::parse(&h.to_string()).ok(), Some(h), "HTS {s:?}");
            assert_eq!(HtsNumber::parse(h.digits()).ok(), Some(h), "HTS {s:?}");
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidHtsNumber),
    }
    match Usd::parse(s) {
        Ok(m) => {
            let shown = m.to_string();
            let back = Usd::parse(&shown).unwrap_or_else(|e| panic!("{s:?} displays as {shown:?}, which fails: {e}"));
            assert_eq!(back, m, "money {s:?}");
            assert_eq!(back.to_string(), shown, "money display not stable for {s:?}");
            let cents = m.to_string_2dp();
            let c = Usd::parse(&cents).unwrap_or_else(|e| panic!("{s:?} 2dp {cents:?} fails: {e}"));
            assert_eq!(c, m.round_cents(cape_core::Rounding::HalfUp), "money 2dp {s:?}");
        }
        Err(e) => assert!(matches!(e.kind(), ErrorKind::InvalidMoney), "{e}"),
    }
    match parse_date(s) {
        Ok(d) => {
            assert_eq!(parse_date(&iso(d)).ok(), Some(d), "date {s:?}");
            assert_eq!(parse_date(&d.format("%m/%d/%Y").to_string()).ok(), Some(d), "date {s:?}");
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidDate),
    }
}

/// The reference-data loaders (catalogue CSV, other-programs CSV, rate table CSV, rule-set JSON) on the same
/// text: no panic; errors only of kind `invalid_reference_data`; a loaded rate table gives non-negative
/// interest over its whole range.
pub fn reference(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let refdata = |e: cape_core::Error| {
        assert_eq!(e.kind(), ErrorKind::InvalidReferenceData, "{e}");
    };
    match Catalogue::from_csv_str("fuzz", text) {
        Ok(c) => {
            for row in c.rows().iter().take(32) {
                let _ = c.lookup(&row.hts, row.start);
            }
        }
        Err(e) => refdata(e),
    }
    if let Err(e) = OtherPrograms::from_csv_str("fuzz", text) {
        refdata(e);
    }
    match RateTable::from_csv_str("fuzz", text) {
        Ok(t) => {
            let p = Usd::parse("1000.00").expect("literal");
            for class in [cape_core::model::ImporterClass::Corporate, cape_core::model::ImporterClass::NonCorporate] {
                if let Ok(r) =
                    cape_core::compute_interest(p, t.first_day(), t.last_day(), class, &t, &InterestOptions::default())
                {
                    assert!(!r.interest.is_negative(), "negative interest {r:?}");
                }
            }
        }
        Err(e) => refdata(e),
    }
    match RuleSet::from_json_str(text, "fuzz") {
        Ok(r) => {
            let again = RuleSet::from_json_str(&r.to_json(), "again").expect("a loaded rule set re-reads");
            assert_eq!(again.to_json(), r.to_json());
        }
        Err(e) => refdata(e),
    }
}
