//! The stable serialised form (pickling, sending partial results between processes): every value round-trips
//! exactly, and bad bytes are a typed format error, never a panic.

use cape_core::assess::{AssessOptions, EntryAssessment, Tables};
use cape_core::run::{assess_all, Partial, RunOptions, Source, PARTIAL_FORMAT_VERSION};
use cape_core::values::serial::{from_bytes, to_bytes, FORMAT_VERSION};
use cape_core::{ClaimStatus, Entry, Error, Es003Options, ImporterNumber};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The sample report (`cape_core::sample::sample_es003()`, checked in as this file).
const SAMPLE_ES003: &str = include_str!("../data/sample_es003.csv");

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn run(source: Source) -> Partial {
    let tables = Tables::embedded().unwrap();
    let options = AssessOptions::new(as_of()).assume_last_rate(&tables.rates);
    let mut run = RunOptions::new();
    run.threads = 1;
    assess_all(source, &tables, options, &run).unwrap()
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) -> T {
    let b = to_bytes(FORMAT_VERSION, "value", v).unwrap();
    let back: T = from_bytes(FORMAT_VERSION, "value", &b).unwrap();
    assert_eq!(&back, v);
    back
}

/// Every tariff's amounts as exact decimal text (scale included).
fn scales(e: &Entry) -> Vec<(String, Option<String>)> {
    e.tariffs().map(|(_, t)| (t.duty.amount().to_string(), t.goods_value.map(|g| g.amount().to_string()))).collect()
}

fn format_message(e: Error) -> String {
    match e {
        Error::Format { source_name, message } => format!("{source_name}: {message}"),
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn a_partial_of_the_sample_round_trips_exactly() {
    let p = run(Source::Bytes(SAMPLE_ES003.as_bytes().to_vec()));
    // The sample covers every status, findings, interest, refunds and consolidation.
    for s in [ClaimStatus::Eligible, ClaimStatus::EligibleDeferred, ClaimStatus::Ineligible, ClaimStatus::NeedsReview] {
        assert!(p.entries.iter().any(|a| a.status() == s), "no {s} entry in the sample");
    }
    assert!(p.entries.iter().any(|a| !a.removal.findings.is_empty()));
    assert!(p.entries.iter().any(|a| a.interest.is_ok()) && p.entries.iter().any(|a| a.interest.is_err()));
    assert!(p.entries.iter().any(|a| a.claim.reasons.iter().any(|r| r.cbp_message.is_some())));
    assert!(!p.consolidation.refunds().is_empty());
    assert!(p.totals.interest > cape_core::Usd::ZERO);

    let bytes = p.to_bytes().unwrap();
    assert_eq!(bytes[0], PARTIAL_FORMAT_VERSION);
    let back = Partial::from_bytes(&bytes).unwrap();
    assert_eq!(back, p);
    // Exact down to what every surface prints, and to the new entry versions, whose amounts keep their exact
    // scale (`0` stays `0`, not `0.00`: equal, but another `Decimal`).
    let mut short = 0;
    for (a, b) in back.entries.iter().zip(&p.entries) {
        assert_eq!(serde_json::to_string(&a.record()).unwrap(), serde_json::to_string(&b.record()).unwrap());
        assert_eq!(a.removal.new_version, b.removal.new_version);
        assert_eq!(scales(&a.removal.new_version), scales(&b.removal.new_version));
        short += b.removal.new_version.tariffs().filter(|(_, t)| t.duty.amount().scale() < 2).count();
    }
    assert!(short > 0, "the sample has amounts with fewer than two decimals");
    assert_eq!(serde_json::to_string(&back.ingest).unwrap(), serde_json::to_string(&p.ingest).unwrap());
    // Writing again gives the same bytes: the form is deterministic.
    assert_eq!(back.to_bytes().unwrap(), bytes);

    // Every value type on its own.
    let a: &EntryAssessment = &p.entries[0];
    round_trip(a);
    round_trip(&a.removal.new_version);
    round_trip(&a.claim);
    round_trip(&p.totals);
    round_trip(&p.consolidation);
    round_trip(&p.ingest);
    for r in p.consolidation.refunds() {
        round_trip(r);
    }
    round_trip(&p.consolidation.totals());
    for a in &p.entries {
        assert_eq!(cape_core::mass::Removal::from_bytes(&a.removal.to_bytes().unwrap()).unwrap(), a.removal);
        for f in &a.removal.findings {
            round_trip(f);
        }
        for r in &a.claim.reasons {
            round_trip(r);
        }
        if let Ok(i) = &a.interest {
            round_trip(i);
            for period in &i.periods {
                round_trip(period);
            }
        }
    }
}

#[test]
fn a_partial_of_a_hostile_file_keeps_its_diagnostics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/bad/negative_and_nonnumeric_money.csv");
    let p = run(Source::Path(path.into()));
    assert!(!p.diagnostics.is_empty());
    assert!(p.ingest.rows_rejected > 0);
    let back = Partial::from_bytes(&p.to_bytes().unwrap()).unwrap();
    assert_eq!(back, p);
    assert_eq!(serde_json::to_string(&back.diagnostics).unwrap(), serde_json::to_string(&p.diagnostics).unwrap());
    for d in &p.diagnostics {
        round_trip(d);
    }
    // The report as read, entries and all.
    let report = cape_core::read_es003_path(path, &Es003Options::default()).unwrap();
    for e in &report.entries {
        let back: Entry = round_trip(e);
        assert_eq!(back.header.importer_number, e.header.importer_number);
        assert_eq!(scales(&back), scales(e));
    }
}

#[test]
fn importer_numbers_keep_their_kind() {
    for text in ["12-345678900", "123456-78901", "123-45-6789", "12345678900", "=\"xyz\"", "=\"=\"\"1\"\"\"", "??"] {
        let n = ImporterNumber::parse(text);
        let back = round_trip(&n);
        assert_eq!(back.kind(), n.kind(), "{text}");
        assert_eq!(back.as_str(), n.as_str(), "{text}");
    }
}

#[test]
fn bad_bytes_are_format_errors() {
    let p = run(Source::Bytes(SAMPLE_ES003.lines().take(40).collect::<Vec<_>>().join("\n").into_bytes()));
    let bytes = p.to_bytes().unwrap();
    assert_eq!(
        format_message(Partial::from_bytes(&[]).unwrap_err()),
        "serialised Partial: empty: expected format version 2"
    );
    let mut wrong = bytes.clone();
    wrong[0] = PARTIAL_FORMAT_VERSION + 1;
    assert!(format_message(Partial::from_bytes(&wrong).unwrap_err()).contains("format version 3, expected 2"));
    for cut in [1, 2, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let m = format_message(Partial::from_bytes(&bytes[..cut]).unwrap_err());
        assert!(m.contains("malformed (expected a Partial of format version 2)"), "{m}");
    }
    // Garbage, another value's bytes, an unknown column name, a fingerprint that is not hex.
    assert!(format_message(Partial::from_bytes(b"\x02\xff\x00garbage").unwrap_err()).contains("malformed"));
    let entry = to_bytes(PARTIAL_FORMAT_VERSION, "value", &p.entries[0]).unwrap();
    assert!(format_message(Partial::from_bytes(&entry).unwrap_err()).contains("malformed"));
    let text = String::from_utf8(bytes[1..].to_vec()).unwrap();
    let altered = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        let mut b = vec![PARTIAL_FORMAT_VERSION];
        b.extend(text.replacen(from, to, 1).into_bytes());
        format_message(Partial::from_bytes(&b).unwrap_err())
    };
    assert!(
        altered("\"Entry Summary Number\"", "\"Entry Summary Numbr\"").contains("canonical name of an ES-003 column")
    );
    let fp = p.fingerprint.to_string();
    assert!(altered(&fp, &fp.replace(|c: char| c.is_ascii_digit(), "g")).contains("not 64 hexadecimal digits"));
    assert!(altered("\"eligible\"", "\"elegible\"").contains("malformed"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// Generated reports with malformed rows, descriptive columns and late entries: each partial round-trips
    /// exactly, and a round-tripped partial still merges (same fingerprint) into the sum of both.
    #[test]
    fn generated_partials_round_trip_and_merge(seed in 0u64..1_000_000, malformed in 0u32..200, descriptive: bool) {
        use cape_core::sample::{generate_es003_string, GeneratorConfig};
        let text = generate_es003_string(&GeneratorConfig {
            entries: 60,
            seed,
            malformed_rows_per_thousand: malformed,
            descriptive_columns: descriptive,
            late_entries_per_thousand: 100,
            ..GeneratorConfig::default()
        });
        let whole = run(Source::Bytes(text.into_bytes()));
        let back = Partial::from_bytes(&whole.to_bytes().unwrap()).unwrap();
        proptest::prop_assert_eq!(&back, &whole);
        let mut twice = back;
        twice.merge(whole.clone()).unwrap();
        proptest::prop_assert_eq!(twice.totals.entries, 2 * whole.totals.entries);
        proptest::prop_assert_eq!(twice.consolidation.totals().entries, 2 * whole.consolidation.totals().entries);
    }
}

#[test]
fn a_declaration_check_round_trips_with_cbp_messages() {
    let p = run(Source::Bytes(SAMPLE_ES003.as_bytes().to_vec()));
    // Listed: entries of every status, one not in the data, one with a bad check digit, a duplicate.
    let mut listed: Vec<String> = Vec::new();
    for s in [ClaimStatus::Eligible, ClaimStatus::EligibleDeferred, ClaimStatus::Ineligible, ClaimStatus::NeedsReview] {
        listed.extend(
            p.entries.iter().filter(|a| a.status() == s).take(3).map(|a| a.entry_number().compact().to_owned()),
        );
    }
    listed.extend(["ABC12345676".to_owned(), "ABC12345675".to_owned(), listed[0].clone()]);
    let text = format!("Entry Number\n{}\n", listed.join("\n"));
    let mut report = cape_core::preflight_bytes(text.as_bytes(), &cape_core::PreflightOptions::default());
    let tables = Tables::embedded().unwrap();
    let options = AssessOptions::new(as_of()).assume_last_rate(&tables.rates);
    let mut run_options = RunOptions::new();
    run_options.threads = 1;
    cape_core::run::preflight_against(
        &mut report,
        Source::Bytes(SAMPLE_ES003.as_bytes().to_vec()),
        &tables,
        options,
        &run_options,
    )
    .unwrap();
    assert!(report.entry_verdicts.iter().any(|v| v.cbp_message.is_some()));
    assert!(report.findings.iter().any(|f| f.cape_message.is_some()));
    let back = round_trip(&report);
    assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&report).unwrap());
    // A message that is not one of CBP's is refused, not leaked into a `'static` string.
    let json = serde_json::to_string(&report).unwrap();
    let m = report.findings.iter().find_map(|f| f.cape_message).unwrap();
    let mut bytes = vec![FORMAT_VERSION];
    bytes.extend(json.replacen(m, "NOT A CBP MESSAGE", 1).into_bytes());
    let e = from_bytes::<cape_core::PreflightReport>(FORMAT_VERSION, "PreflightReport", &bytes).unwrap_err();
    assert!(format_message(e).contains("a message of CBP's published list"));
}
