//! The invariants of issue 9 as property tests: nothing lost, money conserved, round trips exact.

#[path = "../../tests/fuzz/src/checks.rs"]
mod checks;

use std::collections::BTreeMap;

use cape_core::assess::{assess_reader, AssessOptions, AssessedReport, Tables};
use cape_core::model::ImporterClass;
use cape_core::refund::{compute_interest, ConsolidationOptions, InterestOptions};
use cape_core::sample::{generate_es003_string, GeneratorConfig};
use cape_core::{
    build_declarations, preflight_bytes, DeclarationOptions, EntryNumber, Es003Options, Es003Reader, PreflightOptions,
    RateTable, Usd,
};
use chrono::NaiveDate;
use proptest::prelude::*;

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date,Importer Number";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// One ES-003 row, valid or broken in one of the ways real exports are.
fn row() -> impl Strategy<Value = String> {
    let entry = (0u32..6).prop_map(|i| EntryNumber::from_parts("ABC", 1000 + i).expect("entry").to_string());
    let hts = prop::sample::select(vec!["9903.01.25", "8471300100", "9903.01.24", "0101.21.0010", "99030125"]);
    let good = (entry.clone(), 1u32..4, 1u32..4, hts, 0i64..1_000_000, 0u32..3).prop_map(|(e, l, o, h, c, imp)| {
        format!("{e},{l},{o},{h},0.00,{}.{:02},04/{:02}/2025,12-34567890{imp}", c / 100, c % 100, 10 + imp)
    });
    let broken = prop_oneof![
        Just("ABC-0001000-0,1,1,99030125,0,1.00,04/15/2025,x".to_owned()),
        entry.clone().prop_map(|e| format!("{e},1,1,99030125,0,N/A,04/15/2025,x")),
        entry.clone().prop_map(|e| format!("{e},L1,1,99030125,0,1.00,04/15/2025,x")),
        entry.clone().prop_map(|e| format!("{e},1,1,9903,0,1.00,04/15/2025,x")),
        entry.clone().prop_map(|e| format!("{e},1,1,99030125,0,1.00,02/30/2025,x")),
        entry.clone().prop_map(|e| format!("{e},1,1,99030125")),
        entry.prop_map(|e| format!("{e},1,\"1,99030125,0,1.00")),
        Just(",,,,,,,".to_owned()),
        Just(String::new()),
        Just(HEADER.to_owned()),
    ];
    prop_oneof![3 => good, 1 => broken]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// rows read = rows used + rows rejected, every rejected row named by an error, for any mix (and order)
    /// of valid and broken rows, as CSV and as in-memory records.
    #[test]
    fn every_row_is_used_or_rejected(rows in prop::collection::vec(row(), 0..40), crlf in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = format!("{HEADER}{nl}{}{nl}", rows.join(nl));
        checks::es003_bytes(text.as_bytes());
        let header: Vec<&str> = HEADER.split(',').collect();
        let cells: Vec<Vec<String>> =
            rows.iter().filter(|r| !r.is_empty()).map(|r| r.split(',').map(str::to_owned).collect()).collect();
        let r = Es003Reader::from_records(&header, cells, &Es003Options::default()).and_then(|r| r.read_all());
        let r = r.expect("records read");
        prop_assert!(r.summary.is_balanced(), "{:?}", r.summary);
    }

    /// Interest is non-negative and monotone in the principal and in the end date.
    #[test]
    fn interest_is_non_negative_and_monotone(
        a in 0i64..100_000_000, b in 0i64..100_000_000, start in 0i64..400, len1 in 0i64..500, len2 in 0i64..500,
        corporate in any::<bool>(),
    ) {
        let rates = RateTable::embedded();
        let params = InterestOptions::default();
        let class = if corporate { ImporterClass::Corporate } else { ImporterClass::NonCorporate };
        let s = d(2025, 2, 4) + chrono::Days::new(start as u64);
        let (p1, p2) = (Usd::from_cents(a.min(b)), Usd::from_cents(a.max(b)));
        let (e1, e2) = (s + chrono::Days::new(len1.min(len2) as u64), s + chrono::Days::new(len1.max(len2) as u64));
        let i = |p: Usd, e: NaiveDate| compute_interest(p, s, e, class, &rates, &params).map(|r| r.interest);
        if let (Ok(x1), Ok(x2)) = (i(p1, e2), i(p2, e2)) {
            prop_assert!(!x1.is_negative() && x1 <= x2, "principal {p1} -> {x1}, {p2} -> {x2}");
        }
        if let (Ok(y1), Ok(y2)) = (i(p2, e1), i(p2, e2)) {
            prop_assert!(!y1.is_negative() && y1 <= y2, "end {e1} -> {y1}, {e2} -> {y2}");
        }
    }
}

fn assess(seed: u64, entries: usize) -> AssessedReport {
    let cfg = GeneratorConfig { seed, entries, malformed_rows_per_thousand: 50, ..GeneratorConfig::default() };
    let text = generate_es003_string(&cfg);
    let tables = Tables::embedded().expect("tables");
    let opts = AssessOptions::new(d(2026, 11, 26)).assume_last_rate(&tables.rates);
    let reader = Es003Reader::from_bytes(text.into_bytes(), &Es003Options::default()).expect("reader");
    assess_reader(reader, &tables, opts).expect("assess")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// On generated data: duty_after + ieepa_duty = duty_before per entry; principal and interest are
    /// conserved through consolidation to the cent, with or without a minimum refund.
    #[test]
    fn money_is_conserved(seed in any::<u64>(), entries in 1usize..40, min_cents in prop::option::of(0i64..50_000)) {
        let report = assess(seed, entries);
        prop_assert!(report.ingest.is_balanced());
        for a in &report.entries {
            let r = &a.removal;
            prop_assert_eq!(r.duty_after.checked_add(r.ieepa_duty).expect("sum"), r.duty_before, "{}", r.entry_number);
        }
        let opts = { let mut o = ConsolidationOptions::default(); o.minimum_refund = min_cents.map(Usd::from_cents); o };
        let c = report.consolidate(opts).expect("consolidate");
        let items: Vec<_> = report.entries.iter().filter_map(|a| a.refund_item()).collect();
        let sum = |f: &dyn Fn(&cape_core::refund::RefundItem) -> Usd| items.iter().map(f).sum::<Usd>();
        let totals = c.totals();
        prop_assert_eq!(totals.entries, items.len() as u64);
        prop_assert_eq!(totals.principal, sum(&|i| i.principal));
        prop_assert_eq!(totals.interest, sum(&|i| i.interest));
        let (mut p, mut i, mut paid, mut n) = (Usd::ZERO, Usd::ZERO, Usd::ZERO, 0usize);
        for g in c.refunds() {
            prop_assert_eq!(g.total, g.principal.checked_add(g.interest).expect("sum"));
            p = p.checked_add(g.principal).and_then(|x| x.checked_add(g.waived_principal)).expect("sum");
            i = i.checked_add(g.interest).and_then(|x| x.checked_add(g.waived_interest)).expect("sum");
            paid = paid.checked_add(g.total).expect("sum");
            n += g.entries.len() + g.waived.len();
        }
        prop_assert_eq!((p, i, paid, n), (totals.principal, totals.interest, totals.paid, items.len()));
        // Every amount is whole cents: nothing is lost to rounding between entries and refunds.
        prop_assert!(items.iter().all(|x| x.principal.is_whole_cents() && x.interest.is_whole_cents()));
    }

    /// Declaration → pre-flight → parse yields the declared entries, in order, file by file.
    #[test]
    fn declarations_pass_preflight_with_the_same_entries(seed in any::<u64>(), entries in 1usize..60, per in 1usize..25) {
        let report = assess(seed, entries);
        let params = { let mut o = DeclarationOptions::default(); o.max_entries_per_file = per; o };
        let set = build_declarations(report.entries.iter().map(|a| &a.claim), &params).expect("declare");
        let mut all = Vec::new();
        for f in &set.files {
            let r = preflight_bytes(f.contents().as_bytes(), &PreflightOptions::default());
            prop_assert_eq!(r.verdict, cape_core::Verdict::Accept, "{:?}", r.findings);
            let back: Vec<EntryNumber> = r.entries.iter().map(|e| e.entry_number).collect();
            prop_assert_eq!(&back, &f.entries);
            all.extend(back);
        }
        let declarable: Vec<EntryNumber> =
            report.entries.iter().filter(|a| a.claim.is_declarable()).map(|a| a.entry_number()).collect();
        prop_assert_eq!(all, declarable);
    }
}

/// `cape assess --format json|jsonl|csv`, parsed back, gives the same values as each other and as
/// `EntryAssessment::record()`.
#[test]
fn output_formats_round_trip() {
    let dir = std::env::temp_dir().join(format!("cape-invariants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for seed in [1u64, 7, 2026] {
        let cfg = GeneratorConfig { seed, entries: 30, malformed_rows_per_thousand: 30, ..GeneratorConfig::default() };
        let path = dir.join(format!("es003-{seed}.csv"));
        std::fs::write(&path, generate_es003_string(&cfg)).expect("write");
        let run = |format: &str| {
            let args: Vec<String> = ["assess", path.to_str().expect("utf-8"), "--as-of", "2026-11-26"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain(["--assume-last-rate".to_owned(), "--format".to_owned(), format.to_owned()])
                .collect();
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = cape_core::cli::run(&args, &mut out, &mut err);
            assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
            String::from_utf8(out).expect("utf-8 output")
        };
        const KEYS: [&str; 8] =
            ["entry_number", "duty_before", "duty_after", "ieepa_duty", "status", "interest", "deposit_date", "urgent"];
        let pick = |v: &serde_json::Value| -> Vec<String> {
            KEYS.iter()
                .map(|k| match &v[*k] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        };
        let jsonl: Vec<Vec<String>> =
            run("jsonl").lines().map(|l| pick(&serde_json::from_str(l).expect("jsonl line"))).collect();
        let json: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
        let json: Vec<Vec<String>> = json["entries"].as_array().expect("entries").iter().map(pick).collect();
        let csv_text = run("csv");
        let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
        let head = rdr.headers().expect("header").clone();
        let csv: Vec<Vec<String>> = rdr
            .records()
            .map(|r| {
                let r = r.expect("csv record");
                let m: BTreeMap<&str, &str> = head.iter().zip(r.iter()).collect();
                KEYS.iter().map(|k| m.get(k).copied().unwrap_or("").to_owned()).collect()
            })
            .collect();
        let text = std::fs::read(&path).expect("read");
        let tables = Tables::embedded().expect("tables");
        let opts = AssessOptions::new(d(2026, 11, 26)).assume_last_rate(&tables.rates);
        let direct =
            assess_reader(Es003Reader::from_bytes(text, &Es003Options::default()).expect("reader"), &tables, opts)
                .expect("assess");
        let records: Vec<Vec<String>> =
            direct.entries.iter().map(|a| pick(&serde_json::to_value(a.record()).expect("record"))).collect();
        assert!(!records.is_empty());
        assert_eq!(jsonl, records, "jsonl vs record(), seed {seed}");
        assert_eq!(json, records, "json vs record(), seed {seed}");
        assert_eq!(csv, records, "csv vs record(), seed {seed}");
        for r in &records {
            assert!(r[0].parse::<EntryNumber>().is_ok());
            for m in &r[1..4] {
                let u = Usd::parse(m).expect("money");
                assert_eq!(&u.to_string_2dp(), m, "money strings have exactly two decimals");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
