//! Issue 13, bounded output and one money rule: diagnostics counted exactly but kept only up to a cap per
//! code, raw values echoed cut to a documented length with their full length said, sub-cent money refused
//! everywhere (with totals that are the sum of their parts to the cent), and `cape interest` usage errors.

use cape_core::assess::{assess_reader, AssessOptions, Tables};
use cape_core::diagnostic::{DEFAULT_MAX_DIAGNOSTICS_PER_CODE, MAX_ECHOED_CHARS};
use cape_core::model::ImporterClass;
use cape_core::refund::{compute_interest, InterestOptions, RateTable};
use cape_core::run::{run_summary, RunOptions, Source};
use cape_core::{
    check_digit, preflight_bytes, read_es003_bytes, read_results_bytes, DiagnosticCode as C, ErrorKind, Es003Options,
    Es003Reader, PreflightOptions, Usd,
};
use chrono::NaiveDate;
use proptest::prelude::*;

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date,Country of Origin Code,Payment Date\n";

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("date")
}

fn cape(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cape_core::cli::run(&args, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

fn tmp(name: &str, content: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("cape-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p.to_string_lossy().into_owned()
}

/// A valid entry number for serial `n` (filer ABC).
fn entry(n: u32) -> String {
    let base = format!("ABC{n:07}");
    format!("ABC-{n:07}-{}", check_digit(&base).expect("check digit"))
}

// ---------------------------------------------------------------------------------------------------------
// Counts exact, details capped

/// 300,000 short bad rows (an unreadable entry number and a missing everything else): counts stay exact, the
/// details kept stop at the default cap per code.
#[test]
fn three_hundred_thousand_bad_rows_keep_exact_counts_and_capped_details() {
    let n: u64 = 300_000;
    let mut csv = String::from(HEADER);
    for _ in 0..n {
        csv.push_str("x,1,1,99030125,0,1.00,06/02/2025,CN,\n");
    }
    // One usable row: a file with none is a file-level error, not a report.
    csv.push_str(&format!("{},1,1,99030125,0,1.00,06/02/2025,CN,\n", entry(1)));
    let r = read_es003_bytes(csv.as_bytes(), &Es003Options::default()).expect("read");
    let s = &r.summary;
    assert!(s.is_balanced());
    assert_eq!((s.rows_read, s.rows_rejected), (n + 1, n));
    assert_eq!(s.count(C::InvalidEntryNumber), n);
    assert_eq!(s.errors, n);
    let kept = r.diagnostics.iter().filter(|d| d.code == C::InvalidEntryNumber).count() as u64;
    assert_eq!(kept, DEFAULT_MAX_DIAGNOSTICS_PER_CODE);
    assert_eq!(s.diagnostics_dropped, n - DEFAULT_MAX_DIAGNOSTICS_PER_CODE);
    // The first ones are kept, in file order.
    assert_eq!(r.diagnostics.iter().find(|d| d.code == C::InvalidEntryNumber).and_then(|d| d.row), Some(2));
    // Every diagnostic found is counted, once.
    let total: u64 = s.counts_by_code.values().sum();
    assert_eq!(total, s.errors + s.warnings + s.infos);
    assert_eq!(total, r.diagnostics.len() as u64 + s.diagnostics_dropped);
    let json = serde_json::to_value(s).expect("json");
    assert_eq!(json["counts_by_code"]["ES003_INVALID_ENTRY_NUMBER"], n);
    assert_eq!(json["diagnostics_dropped"], n - DEFAULT_MAX_DIAGNOSTICS_PER_CODE);
}

#[test]
fn the_cap_is_an_option_and_can_be_lifted() {
    let mut csv = String::from(HEADER);
    for _ in 0..50 {
        csv.push_str("x,1,1,99030125,0,1.00,06/02/2025,CN,\n");
        csv.push_str(&format!("{},1,1,99030125,0,,06/02/2025,CN,\n", entry(1)));
    }
    csv.push_str(&format!("{},1,1,99030125,0,1.00,06/02/2025,CN,\n", entry(2)));
    let three = {
        let mut o = Es003Options::default();
        o.max_diagnostics_per_code = Some(3);
        o
    };
    let r = read_es003_bytes(csv.as_bytes(), &three).expect("read");
    let rows: Vec<(C, Option<u64>)> =
        r.diagnostics.iter().filter(|d| d.row.is_some()).map(|d| (d.code, d.row)).collect();
    assert_eq!(
        rows,
        [
            (C::InvalidEntryNumber, Some(2)),
            (C::MissingValue, Some(3)),
            (C::InvalidEntryNumber, Some(4)),
            (C::MissingValue, Some(5)),
            (C::InvalidEntryNumber, Some(6)),
            (C::MissingValue, Some(7)),
        ]
    );
    assert_eq!((r.summary.count(C::InvalidEntryNumber), r.summary.count(C::MissingValue)), (50, 50));
    // 47 of each row code, and the file-level notes beyond 3 (one per missing optional column).
    let notes = r.summary.count(C::MissingOptionalColumn);
    assert!(notes > 3);
    assert_eq!(r.summary.diagnostics_dropped, 94 + notes - 3);
    let all = {
        let mut o = Es003Options::default();
        o.max_diagnostics_per_code = Some(u64::MAX);
        o
    };
    let r = read_es003_bytes(csv.as_bytes(), &all).expect("read");
    assert_eq!(r.diagnostics.iter().filter(|d| d.row.is_some()).count(), 100);
    assert_eq!(r.summary.diagnostics_dropped, 0);
}

/// A file cut in two for two threads: the merged counts and capped list are exactly one reader's.
#[test]
fn two_parts_merge_counts_and_capped_lists_exactly() {
    let mut csv = String::from(HEADER);
    let mut serial = 1;
    // > 1 MB, bad rows in both halves, more of them than the cap in each half.
    while csv.len() < 1_400_000 {
        for line in 1..=3 {
            csv.push_str(&format!("{},{line},1,99030125,0,10.00,06/02/2025,CN,06/02/2025\n", entry(serial)));
        }
        if serial % 50 == 0 {
            csv.push_str("x,1,1,99030125,0,1.00,06/02/2025,CN,\n");
            csv.push_str(&format!("{},9,1,99030125,0,1.005,06/02/2025,CN,\n", entry(serial)));
        }
        serial += 1;
    }
    let path = tmp("parts.csv", csv.as_bytes());
    let es003 = {
        let mut o = Es003Options::default();
        o.max_diagnostics_per_code = Some(40);
        o
    };
    let tables = Tables::embedded().expect("tables");
    let opts = AssessOptions::new(d(2026, 11, 26)).assume_last_rate(&tables.rates);
    let run = |threads| {
        let mut o = RunOptions::new();
        (o.es003, o.threads) = (es003.clone(), threads);
        run_summary(Source::Path(path.clone().into()), &tables, opts.clone(), &o).expect("run")
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(two.parts, 2);
    assert_eq!(one.ingest, two.ingest);
    assert_eq!(one.diagnostics, two.diagnostics);
    let bad = u64::from(serial / 50);
    assert!(bad > 80, "{bad}");
    assert_eq!(one.ingest.count(C::InvalidEntryNumber), bad);
    assert_eq!(one.ingest.count(C::SubCentAmount), bad);
    assert_eq!(one.diagnostics.iter().filter(|d| d.code == C::SubCentAmount).count(), 40);
    assert_eq!(one.ingest.diagnostics_dropped, 2 * (bad - 40));
}

// ---------------------------------------------------------------------------------------------------------
// Echoed values cut

const FIVE_MB: usize = 5 * 1024 * 1024;
/// Under the 1 MiB record limit (a longer record is rejected whole, `ES003_RECORD_TOO_LONG`, and its value is
/// cut the same way) and the 4 MiB a declaration file may have.
const BIG_CELL: usize = 900 * 1024;

#[test]
fn a_big_cell_in_an_es003_row_is_echoed_cut() {
    const SIZE: usize = BIG_CELL;
    let big = "9".repeat(SIZE);
    let csv = format!(
        "{HEADER}{},1,1,99030125,0,{big},06/02/2025,CN,\n{},1,1,99030125,0,1.00,06/02/2025,CN,\n",
        entry(1),
        entry(2)
    );
    let r = read_es003_bytes(csv.as_bytes(), &Es003Options::default()).expect("read");
    let dg = r.diagnostics.iter().find(|d| d.code == C::InvalidMoney).expect("diagnostic");
    let v = dg.value.as_deref().expect("value");
    assert!(v.starts_with(&"9".repeat(MAX_ECHOED_CHARS)) && !v.starts_with(&"9".repeat(MAX_ECHOED_CHARS + 1)));
    assert!(v.ends_with(&format!("… (cut; {SIZE} bytes in all)")), "{v}");
    let f = tmp("big-cell.csv", csv.as_bytes());
    let (code, out, err) = cape(&["ingest", &f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.len() < 10_000, "{} bytes", out.len());
    assert!(out.contains(&format!("{SIZE} bytes in all")), "{out}");
}

#[test]
fn a_big_cell_in_a_declaration_is_echoed_cut() {
    const SIZE: usize = 3 * 1024 * 1024;
    let big = "Z".repeat(SIZE);
    let file = format!("Entry Number\n{big}\n");
    let report = preflight_bytes(file.as_bytes(), &PreflightOptions::default());
    let f = report.findings.iter().find(|f| f.row == Some(2)).expect("finding");
    let v = f.value.as_deref().expect("value");
    assert!(v.len() < 400 && v.ends_with(&format!("(cut; {SIZE} bytes in all)")), "{v}");
    assert!(f.message.len() < 600, "{}", f.message.len());
    let path = tmp("cape-declaration-big.csv", file.as_bytes());
    let (_, out, err) = cape(&["check", &path]);
    assert!(out.len() + err.len() < 10_000, "{} bytes", out.len() + err.len());
    assert!(out.contains(&format!("{SIZE} bytes in all")), "{out}");
    let (_, out, _) = cape(&["check", &path, "--format", "json"]);
    assert!(out.len() < 10_000, "{} bytes", out.len());
}

/// Cells under the record limit are read and echoed cut; a five-megabyte row, over the limit every CSV cape reads
/// has, is one problem showing its first bytes and its length (it used to be split into cells).
#[test]
fn a_five_megabyte_cell_in_a_results_file_is_echoed_cut() {
    let big = "Q".repeat(BIG_CELL);
    let huge = "Q".repeat(FIVE_MB);
    let e = entry(1);
    let file = format!(
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n{big},,FAILED,\n{e},,FAILED,{big}\n{e},,{big},\n{huge}\n"
    );
    let r = read_results_bytes(file.as_bytes(), Some("results.csv")).expect("read");
    assert!(r.problems[0].value.ends_with(&format!("(cut; {BIG_CELL} bytes in all)")));
    assert!(r.problems[0].message.len() < 600);
    assert!(r.rows[1].error.as_ref().is_some_and(|e| e.text.len() < 400));
    assert!(r.rows[2].status.name().len() < 400);
    assert_eq!((r.rows.len(), r.problems.len(), r.problems[1].row), (3, 2, 5));
    assert!(r.problems[1].value.ends_with(&format!("(cut; {FIVE_MB} bytes in all)")), "{}", r.problems[1].value);
    assert!(r.problems[1].message.len() < 600);
    let path = tmp("results.csv", file.as_bytes());
    for format in ["table", "json"] {
        let (code, out, err) = cape(&["results", &path, "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert!(out.len() < 10_000, "{format}: {} bytes", out.len());
        assert!(out.contains(&format!("{BIG_CELL} bytes in all")), "{format}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// One sub-cent rule

#[test]
fn a_sub_cent_money_cell_rejects_its_row_and_trailing_zeros_do_not() {
    let csv = format!(
        "{HEADER}{e},1,1,99030125,0,10.005,06/02/2025,CN,\n{e},2,1,99030125,0,10.000,06/02/2025,CN,\n\
         {e},3,1,99030125,0.001,1.00,06/02/2025,CN,\n",
        e = entry(1)
    );
    let r = read_es003_bytes(csv.as_bytes(), &Es003Options::default()).expect("read");
    let seen: Vec<_> =
        r.diagnostics.iter().filter(|d| d.row.is_some()).map(|d| (d.code, d.row, d.value.as_deref())).collect();
    assert_eq!(seen, [(C::SubCentAmount, Some(2), Some("10.005")), (C::SubCentAmount, Some(4), Some("0.001"))]);
    assert_eq!((r.summary.rows_used, r.summary.rows_rejected), (1, 2));
    assert_eq!(r.entries[0].total_duty().to_string(), "10.00");
}

#[test]
fn sub_cent_money_arguments_are_refused_naming_the_argument() {
    let e = Usd::parse_cents("100.005", "principal").expect_err("sub-cent");
    assert_eq!(e.kind(), ErrorKind::InvalidMoney);
    assert!(e.to_string().contains("principal") && e.to_string().contains("100.005"), "{e}");
    assert_eq!(Usd::parse_cents("100.000", "principal").expect("whole cents").to_string(), "100.00");
    let (code, _, err) = cape(&["interest", "--principal", "100.005", "--from", "2025-06-02", "--to", "2026-03-16"]);
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("--principal") && err.contains("beyond cents"), "{err}");
    let (code, out, err) = cape(&["interest", "--principal", "100.000", "--from", "2025-06-02", "--to", "2025-06-03"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("0.0"), "{out}");
}

/// A duty cell of whole cents, or of cents plus a non-zero sub-cent digit.
fn duty_cell() -> impl Strategy<Value = (String, bool)> {
    (0u64..10_000_000, 0u8..3, 1u8..10).prop_map(|(cents, kind, digit)| {
        let base = format!("{}.{:02}", cents / 100, cents % 100);
        match kind {
            0 => (base, false),
            1 => (format!("{base}0"), false),
            _ => (format!("{base}{digit}"), true),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Totals are exactly the sum of the per-entry amounts, every amount has two decimals, and every sub-cent
    /// cell's row was rejected.
    #[test]
    fn totals_are_the_sum_of_their_parts_to_the_cent(cells in prop::collection::vec(duty_cell(), 1..40)) {
        let mut csv = String::from(HEADER);
        let mut sub_cent = 0;
        for (i, (cell, sub)) in cells.iter().enumerate() {
            let e = entry(1 + (i as u32) / 3);
            let line = 1 + i % 3;
            csv.push_str(&format!("{e},{line},1,99030125,0,{cell},06/02/2025,CN,06/02/2025\n"));
            csv.push_str(&format!("{e},{line},2,8471300100,1000.00,0.00,06/02/2025,CN,06/02/2025\n"));
            sub_cent += u64::from(*sub);
        }
        let tables = Tables::embedded().expect("tables");
        let opts = AssessOptions::new(d(2026, 4, 19)).assume_last_rate(&tables.rates);
        let reader = Es003Reader::from_bytes(csv.into_bytes(), &Es003Options::default()).expect("open");
        let r = assess_reader(reader, &tables, opts).expect("assess");
        prop_assert_eq!(r.ingest.count(C::SubCentAmount), sub_cent);
        prop_assert_eq!(r.ingest.rows_rejected, sub_cent);
        let mut principal = Usd::ZERO;
        let mut interest = Usd::ZERO;
        for a in &r.entries {
            prop_assert!(a.principal().is_whole_cents());
            principal = principal.checked_add(a.principal()).expect("sum");
            if let Some(i) = a.interest_amount() {
                prop_assert!(i.is_whole_cents());
                interest = interest.checked_add(i).expect("sum");
            }
        }
        prop_assert_eq!(r.totals.ieepa_duty, principal);
        prop_assert_eq!(r.totals.interest, interest);
        for t in [r.totals.ieepa_duty, r.totals.declarable_ieepa_duty, r.totals.interest] {
            let shown = t.to_string();
            prop_assert_eq!(shown.split('.').nth(1).map(str::len), Some(2), "{}", shown);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// `cape interest` usage errors

#[test]
fn an_interest_period_ending_before_it_starts_is_refused() {
    let (code, out, err) = cape(&["interest", "--principal", "100", "--from", "2026-03-16", "--to", "2025-06-02"]);
    assert_eq!(code, 64, "{out}");
    assert!(err.contains("2026-03-16") && err.contains("2025-06-02"), "{err}");
    let e = compute_interest(
        Usd::from_cents(10_000),
        d(2026, 3, 16),
        d(2025, 6, 2),
        ImporterClass::Corporate,
        &RateTable::embedded(),
        &InterestOptions::default(),
    )
    .expect_err("end before start");
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("2025-06-02") && e.to_string().contains("2026-03-16"), "{e}");
    // The same day is zero days, not an error.
    let same = compute_interest(
        Usd::from_cents(10_000),
        d(2026, 3, 16),
        d(2026, 3, 16),
        ImporterClass::Corporate,
        &RateTable::embedded(),
        &InterestOptions::default(),
    )
    .expect("zero days");
    assert_eq!(same.interest, Usd::ZERO);
}

#[test]
fn a_start_before_the_rate_table_says_so_even_with_an_assumed_rate() {
    let (code, _, err) =
        cape(&["interest", "--principal", "100", "--from", "0001-01-01", "--to", "2025-06-02", "--assume-rate", "5"]);
    assert_ne!(code, 0);
    assert!(!err.contains("pass an assumed rate"), "{err}");
    assert!(err.contains("before the rate table's first day"), "{err}");
    assert!(err.contains("only days after the table's last day"), "{err}");
}
