//! The command line's public output contract: key names, money as two-decimal strings, exit statuses.

#[path = "common/cli.rs"]
mod cli;
use cli::cape;

fn tmp(name: &str, content: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cape-cli-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

/// Two entries: a China line (fentanyl 20% + reciprocal 10% on $5,000) liquidated 2026-01-30, and a Korea floor
/// line unliquidated. Hand figures: entry 1 IEEPA duty 1,000.00 + 500.00 = 1,500.00; duty before 1,700.00 (MFN
/// 4% = 200.00); entry 2 floor 15% of 20,001 = 3,000.15, MFN 2.5% of 20,001 = 500.03 restored -> 2,500.12.
const ES003: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,\
Country of Origin Code,Liquidation Date,Liquidation Status,Column 1 Current Primary Duty Rate,Payment Date,\
Refund Designee Number,ACH Refund Enrolled\n\
ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,,Y\n\
ABC-1234567-6,1,2,99030125,0,500.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,,Y\n\
ABC-1234567-6,1,3,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,4%,06/02/2025,,Y\n\
B76-0158522-0,1,1,99030280,0,3000.15,01,98-765432100,12/02/2025,KR,,,,12/02/2025,55-5555555AB,Y\n\
B76-0158522-0,1,2,8703230100,20000.50,0.00,01,98-765432100,12/02/2025,KR,,,2.5%,12/02/2025,55-5555555AB,Y\n";

#[test]
fn assess_json_has_the_contract_keys_and_exact_money() {
    let f = tmp("es003.csv", ES003);
    let (code, out, err) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "json", "--assume-last-rate"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let e = &entries[0];
    for key in [
        "entry_number",
        "importer_number",
        "entry_type",
        "entry_date",
        "duty_before",
        "duty_after",
        "ieepa_duty",
        "findings",
        "status",
        "reasons",
        "last_filing_day",
        "days_left",
        "deposit_date",
        "deposit_date_rule",
        "projected_liquidation_date",
        "interest",
        "refund_recipient",
    ] {
        assert!(e.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(e["entry_number"], "ABC-1234567-6");
    assert_eq!(e["entry_type"], "01");
    assert_eq!(e["entry_date"], "2025-06-02");
    assert_eq!(
        (e["duty_before"].as_str(), e["ieepa_duty"].as_str(), e["duty_after"].as_str()),
        (Some("1700.00"), Some("1500.00"), Some("200.00"))
    );
    // Liquidated 2026-01-30: last filing day 2026-04-19 (liquidation + 79), 0 days left as of 2026-04-19.
    assert_eq!(e["last_filing_day"], "2026-04-19");
    assert_eq!(e["days_left"], 0);
    assert_eq!(e["status"], "eligible");
    assert_eq!(e["deposit_date_rule"], "payment_date");
    // Reliquidation projected at min(acceptance + 45, liquidation + 90) = min(2026-06-03, 2026-04-30).
    assert_eq!(e["projected_liquidation_date"], "2026-04-30");
    assert_eq!(e["refund_recipient"], "12-345678900");
    assert!(e["findings"].as_array().unwrap().is_empty(), "{}", e["findings"]);
    let k = &entries[1];
    assert_eq!((k["ieepa_duty"].as_str(), k["duty_after"].as_str()), (Some("2500.12"), Some("500.03")));
    // The Form 4811 designee, enrolled in ACH refunds, is paid.
    assert_eq!(k["refund_recipient"], "55-5555555AB");
    assert!(v["summary"]["totals"]["entries"] == 2);
    assert!(v["diagnostics"].is_array());
}

#[test]
fn the_80_day_boundary_on_both_sides() {
    let f = tmp("es003b.csv", ES003);
    let (_, out, _) = cape(&["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl"]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["status"], "ineligible");
    assert_eq!(first["days_left"], -1);
    assert!(first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "PAST_80_DAYS" && r["cbp_message"] == "ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS"));
    // With the offset switched to 80, day 80 is still in.
    let (_, out, _) = cape(&["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl", "--last-day-offset", "80"]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["status"], "eligible");
    assert_eq!(first["days_left"], 0);
}

#[test]
fn jsonl_is_one_object_per_entry_and_csv_has_the_same_values() {
    let f = tmp("es003c.csv", ES003);
    let (_, jl, _) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "jsonl", "--assume-last-rate"]);
    let objs: Vec<serde_json::Value> = jl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objs.len(), 2);
    let (_, csv_out, _) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "csv", "--assume-last-rate"]);
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    for (o, r) in objs.iter().zip(&rows) {
        for key in ["entry_number", "ieepa_duty", "duty_before", "status", "interest", "last_filing_day"] {
            let i = headers.iter().position(|h| h == key).unwrap();
            let want = match &o[key] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(&r[i], want, "{key}");
        }
    }
}

#[test]
fn interest_prints_two_decimals_first() {
    let (code, out, _) = cape(&["interest", "--principal", "10000.00", "--from", "2025-06-02", "--to", "2026-03-16"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("483.05"));
    let (_, out, _) =
        cape(&["interest", "--principal", "8838.00", "--from", "2026-02-18", "--to", "2026-05-15", "--explain"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "114.78");
    assert!(lines.iter().any(|l| l.contains("at 6%")) && lines.iter().any(|l| l.contains("at 5%")), "{out}");
    let (code, _, err) = cape(&["interest", "--principal", "100", "--from", "2026-12-01", "--to", "2027-02-01"]);
    assert_eq!(code, 65);
    assert!(err.contains("2027-01-01"), "{err}");
    let (code, out, _) = cape(&[
        "interest",
        "--principal",
        "100",
        "--from",
        "2026-12-01",
        "--to",
        "2027-02-01",
        "--assume-last-rate",
        "--explain",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("assumed"), "{out}");
}

#[test]
fn check_exit_statuses() {
    let good = tmp("good.csv", "Entry Number\nABC12345676\nB7601585220\n");
    assert_eq!(cape(&["check", &good]).0, 0);
    let bad_file = tmp("bad.csv", "Entries\nABC12345676\n");
    assert_eq!(cape(&["check", &bad_file]).0, 1);
    let es003 = tmp("es003d.csv", ES003);
    // The first entry is past its window on 2026-04-20: CAPE would reject that entry only.
    let (code, out, _) = cape(&["check", &good, "--es003", &es003, "--as-of", "2026-04-20"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("row 2: ABC-1234567-6 ineligible PAST_80_DAYS"), "{out}");
    assert!(!out.contains("B76-0158522-0 ineligible"), "{out}");
    // An entry the ES-003 does not hold is reported too.
    let three = tmp("three.csv", "Entry Number\nABC12345676\nB7601585220\n316-0123456-5\n");
    let (code, out, _) = cape(&["check", &three, "--es003", &es003, "--as-of", "2026-04-19"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("row 4: 316-0123456-5 not in the ES-003 data"), "{out}");
}

#[test]
fn declare_writes_template_files() {
    let es003 = tmp("es003e.csv", ES003);
    let dir = std::env::temp_dir().join(format!("cape-cli-decl-{}", std::process::id()));
    let (code, out, err) = cape(&["declare", &es003, "--as-of", "2026-04-19", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 declarable entries"), "{out}");
    let text = std::fs::read_to_string(dir.join("cape-declaration-001.csv")).unwrap();
    assert_eq!(text, "Entry Number\nABC12345676\nB7601585220\n");
    assert!(dir.join("manifest.csv").exists());
}

#[test]
fn declare_refuses_a_used_folder_unless_replace_and_check_verifies_the_manifest() {
    let es003 = tmp("es003r.csv", ES003);
    let dir = std::env::temp_dir().join(format!("cape-cli-replace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let declare = |extra: &[&str]| {
        let mut args = vec!["declare", &es003, "--as-of", "2026-04-19", "--out-dir", d, "--max-per-file", "1"];
        args.extend_from_slice(extra);
        cape(&args)
    };
    assert_eq!(declare(&[]).0, 0);
    assert!(dir.join("cape-declaration-002.csv").exists());
    // A second run into the same folder is refused, naming the folder and what is in it.
    let (code, out, err) = declare(&[]);
    assert_eq!(code, 65, "{out}");
    assert!(err.contains(d) && err.contains("not empty") && err.contains("cape-declaration-001.csv"), "{err}");
    assert!(err.contains("--replace"), "{err}");
    // With --replace and one file per run instead of two, the stale 002 is gone.
    let (code, _, err) = cape(&["declare", &es003, "--as-of", "2026-04-19", "--out-dir", d, "--replace"]);
    assert_eq!(code, 0, "{err}");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, [".cape-lock", "cape-declaration-001.csv", "manifest.csv"]);
    let file = dir.join("cape-declaration-001.csv");
    let f = file.to_str().unwrap();
    assert_eq!(cape(&["check", f]).0, 0);
    // Cut at a line end (what a full disk left): CAPE would accept it; cape check does not.
    std::fs::write(&file, "Entry Number\nABC12345676\n").unwrap();
    let (code, out, _) = cape(&["check", f]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("file: MANIFEST_MISMATCH"), "{out}");
    assert!(out.contains("with 2 entries"), "{out}");
}

#[test]
fn refunds_consolidate_per_recipient() {
    let es003 = tmp("es003f.csv", ES003);
    let (code, out, err) =
        cape(&["refunds", &es003, "--as-of", "2026-04-19", "--format", "json", "--assume-last-rate"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let refunds = v["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 2);
    let recipients: Vec<&str> = refunds.iter().map(|r| r["recipient"].as_str().unwrap()).collect();
    assert_eq!(recipients, vec!["12-345678900", "55-5555555AB"]);
    assert_eq!(refunds[0]["principal"], "1500.00");
    assert_eq!(refunds[1]["principal"], "2500.12");
}

#[test]
fn usage_errors_and_help() {
    assert_eq!(cape(&["frobnicate"]).0, 64);
    assert_eq!(cape(&["assess"]).0, 64);
    assert_eq!(cape(&["assess", "x.csv", "--format", "xml"]).0, 64);
    assert_eq!(cape(&["assess", "/nonexistent.csv"]).0, 65);
    let (code, out, _) = cape(&["--help"]);
    assert_eq!(code, 0);
    for cmd in [
        "entry-number check",
        "ingest",
        "assess",
        "declare",
        "check",
        "results",
        "interest",
        "refunds",
        "sample",
        "demo",
    ] {
        assert!(out.contains(&format!("cape {cmd}")), "help lacks {cmd}");
    }
}

#[test]
fn entry_number_check_lines() {
    let (code, out, _) = cape(&["entry-number", "check", "abc 1234567 6", "ABC-1234567-5"]);
    assert_eq!(code, 1);
    assert_eq!(out, "OK ABC-1234567-6\nINVALID ABC-1234567-5: check digit is 5, expected 6\n");
}

#[test]
fn results_map_errors_and_reconcile() {
    let claims = tmp(
        "claims.csv",
        "\u{feff}ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\r\n\
         =\"ABC12345676\",=\"C0001\",Entry Summary Updated,\r\n\
         =\"B7601585220\",,Failed,PROTEST ON ENTRY\r\n\
         =\"31601234565\",,Failed,SOMETHING NEW FROM CBP\r\n",
    );
    let dir = std::env::temp_dir().join(format!("cape-cli-results-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cape-declaration-001.csv"), "Entry Number\nABC12345676\nB7601585220\nZZZ00000003\n")
        .unwrap();
    let (code, out, err) = cape(&["results", &claims, "--declared", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 rows, 1 updated, 2 failed"), "{out}");
    assert!(out.contains("1 unknown error texts"), "{out}");
    assert!(out.contains("claim C0001"), "{out}");
    assert!(out.contains("PROTEST ON ENTRY"), "{out}");
    assert!(out.contains("SOMETHING NEW FROM CBP"), "{out}");
    assert!(out.contains("declared, not in results: ZZZ-0000000-3"), "{out}");
    assert!(out.contains("in results, never declared: 316-0123456-5"), "{out}");
}

#[test]
fn progress_line_only_when_asked() {
    let f = tmp("es003g.csv", ES003);
    let args: Vec<String> =
        ["assess", f.as_str(), "--as-of", "2026-04-19", "--format", "jsonl"].iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(cape_core::cli::run_with_progress(&args, &mut out, &mut err, true), 0);
    let err = String::from_utf8(err).unwrap();
    assert!(err.starts_with("\r[") && err.contains("% ") && err.ends_with("\r\x1b[K"), "{err:?}");
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2, "stdout is unchanged");
    let (_, _, quiet) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "jsonl"]);
    assert!(quiet.is_empty());
}

#[test]
fn every_subcommand_has_its_help() {
    for cmd in
        ["entry-number", "ingest", "assess", "declare", "check", "results", "interest", "refunds", "sample", "demo"]
    {
        let (code, out, err) = cape(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert!(out.starts_with("Usage:\n  cape "), "{cmd}: {out}");
        assert!(out.contains(&format!("cape {cmd}")), "{cmd}: {out}");
        assert!(out.contains("Exit status"), "{cmd}: {out}");
        // Only that command's section.
        assert_eq!(out.matches("\n  cape ").count(), 1, "{cmd}: {out}");
    }
    let (_, out, _) = cape(&["assess", "--help"]);
    for opt in ["--as-of", "--rules", "--format", "--assume-rate", "--accepted"] {
        assert!(out.contains(opt), "{opt}");
    }
    assert_eq!(cape(&["nope", "--help"]).0, 64);
}

#[test]
fn one_or_two_threads_write_the_same_bytes_in_every_format() {
    let sample = cape_core::sample::generate_es003_string(&cape_core::sample::GeneratorConfig {
        entries: 1_500,
        malformed_rows_per_thousand: 5,
        ..cape_core::sample::GeneratorConfig::default()
    });
    let f = tmp("threads.csv", &sample);
    for format in ["jsonl", "json", "csv", "table"] {
        let run = |threads: &str| {
            cape(&[
                "assess",
                &f,
                "--as-of",
                "2026-11-26",
                "--assume-last-rate",
                "--format",
                format,
                "--threads",
                threads,
            ])
        };
        let (one, two) = (run("1"), run("2"));
        assert_eq!(one.0, 0, "{}", one.2);
        assert!(one.1.len() > 100_000 || format == "table", "{format}: a real output");
        assert_eq!(one, two, "{format}");
    }
    let (code, _, err) = cape(&["assess", &f, "--threads", "0"]);
    assert_eq!(code, 64, "usage error: {err}");
    assert!(err.contains("--threads"), "{err}");
}

#[test]
fn options_parse_the_usual_ways_and_refuse_the_rest() {
    let f = tmp("parse.csv", ES003);
    let (code, a, err) = cape(&["assess", &f, "--as-of", "2026-04-19", "--format", "jsonl", "--assume-last-rate"]);
    assert_eq!(code, 0, "{err}");
    let (code, b, err) = cape(&["assess", "--as-of=2026-04-19", "--format=jsonl", "--assume-last-rate", "--", &f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(a, b, "--name=value and -- give the same run");
    assert_eq!(a.lines().count(), 2);

    let usage = |args: &[&str], says: &str| {
        let (code, out, err) = cape(args);
        assert_eq!(code, cape_core::cli::EXIT_USAGE, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(says), "{args:?}: {err}");
    };
    usage(&["assess", &f, "--assume-last-rate=yes"], "--assume-last-rate takes no value");
    usage(&["assess", &f, "--as-of"], "--as-of needs a value");
    usage(&["assess", &f, "-x"], "unknown option -x");
    usage(&["assess", &f, "--colour", "red"], "unknown option --colour");
    // A value may start with a dash: it is the option's value, not an option.
    usage(&["assess", &f, "--as-of", "-3"], "--as-of");
}

#[test]
fn plan_lists_the_actions_due_with_hand_computed_dates() {
    let path = tmp("plan.csv", ES003);
    // As of 2026-03-01, entry 1 (liquidated 2026-01-30) must be declared by 2026-01-30 + 79 = 2026-04-19, 49 days
    // on; entry 2 (unliquidated) has no deadline.
    let (code, out, err) = cape(&["plan", &path, "--as-of", "2026-03-01", "--format", "csv", "--by", "week"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], cape_core::cli::PLAN_CSV_COLUMNS.join(","));
    assert!(
        lines[1].starts_with("week of 2026-04-13,ABC-1234567-6,12-345678900,eligible,declare,2026-04-19,49,1500.00,"),
        "{out}"
    );
    assert!(lines[2].starts_with("no deadline,B76-0158522-0,98-765432100,eligible,declare,,,2500.12,"), "{out}");
    assert_eq!(lines.len(), 3);
    let (code, out, _) = cape(&["plan", &path, "--as-of", "2026-03-01", "--format", "json", "--within", "60"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["items"].as_u64(), v["entries_seen"].as_u64()), (Some(1), Some(2)));
    assert_eq!(v["groups"][0]["key"], "12-345678900");
    assert_eq!(v["groups"][0]["ieepa_duty"], "1500.00");
    let (code, out, _) = cape(&["plan", &path, "--as-of", "2026-03-01", "--within", "30"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("0 action(s) due within 30 days over 2 entries, as of 2026-03-01, by importer"), "{out}");
    let (code, _, err) = cape(&["plan", &path, "--by", "client"]);
    assert_eq!(code, 64);
    assert!(err.contains("--by must be importer or week"), "{err}");
}
