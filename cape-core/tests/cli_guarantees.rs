//! What every command that reads an ES-003 promises besides its output: rejected rows are never silent (the
//! ingest balance goes to stderr), `--strict` turns them into a failure, and a cancel (Ctrl-C) stops the
//! command with status 130, one line on stderr, and no output file.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use cape_core::cli::{run_with, RunOptions, EXIT_INTERRUPTED, EXIT_STRICT};

#[path = "common/cli.rs"]
mod cli;
use cli::cape;

fn cape_cancelled(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let options = RunOptions::new(false, Some(Arc::new(AtomicBool::new(true))));
    let code = run_with(&args, &mut out, &mut err, &options);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cape-guarantees-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,\
Country of Origin Code,Payment Date\n";

/// Five rows: three used (one entry), one with an impossible entry date, one without an HTS number.
fn with_rejected_rows(d: &std::path::Path) -> String {
    let body = "ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,06/02/2025\n\
ABC-1234567-6,1,2,99030125,0,500.00,01,12-345678900,06/02/2025,CN,06/02/2025\n\
ABC-1234567-6,1,3,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,06/02/2025\n\
B76-0158522-0,1,1,99030125,0,10.00,01,98-765432100,02/30/2025,CN,\n\
B76-0158522-0,1,2,,100.00,1.00,01,98-765432100,03/02/2025,CN,\n";
    let p = d.join("es003.csv");
    std::fs::write(&p, format!("{HEADER}{body}")).unwrap();
    p.to_string_lossy().into_owned()
}

const BALANCE: &str = "rows read 5 = used 3 + rejected 2 (ES003_INVALID_DATE 1, ES003_MISSING_VALUE 1)";

#[test]
fn every_command_reading_an_es003_says_when_rows_were_rejected() {
    let d = dir("balance");
    let f = with_rejected_rows(&d);
    let out_dir = d.join("decl").to_string_lossy().into_owned();
    let runs: Vec<Vec<&str>> = vec![
        vec!["ingest", &f],
        vec!["assess", &f, "--as-of", "2026-04-20"],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "json"],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl"],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "csv"],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl", "--threads", "1"],
        vec!["refunds", &f, "--as-of", "2026-04-20", "--assume-last-rate"],
        vec!["refunds", &f, "--as-of", "2026-04-20", "--format", "csv", "--assume-last-rate"],
        vec!["declare", &f, "--as-of", "2026-04-20", "--out-dir", &out_dir],
    ];
    for args in runs {
        let (code, _, err) = cape(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.contains(BALANCE), "{args:?}: stderr was {err:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
    }
    // `check --es003` reads the ES-003 too.
    let decl = d.join("decl/cape-declaration-001.csv").to_string_lossy().into_owned();
    let (_, _, err) = cape(&["check", &decl, "--es003", &f, "--as-of", "2026-04-20"]);
    assert!(err.contains(BALANCE), "check: {err:?}");
}

#[test]
fn a_clean_file_prints_nothing_on_stderr() {
    let d = dir("clean");
    let p = d.join("es003.csv");
    std::fs::write(&p, format!("{HEADER}ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,\n"))
        .unwrap();
    let f = p.to_string_lossy();
    for args in [vec!["assess", &*f, "--as-of", "2026-04-20", "--format", "jsonl"], vec!["ingest", &*f, "--strict"]] {
        let (code, _, err) = cape(&args);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn strict_makes_a_rejected_row_a_failure_and_declares_nothing() {
    let d = dir("strict");
    let f = with_rejected_rows(&d);
    let out_dir = d.join("decl");
    for args in [
        vec!["ingest", &*f, "--strict"],
        vec!["assess", &*f, "--as-of", "2026-04-20", "--format", "jsonl", "--strict"],
        vec!["refunds", &*f, "--as-of", "2026-04-20", "--assume-last-rate", "--strict"],
    ] {
        let (code, _, err) = cape(&args);
        assert_eq!(code, EXIT_STRICT, "{args:?}: {err}");
        assert!(err.contains(BALANCE) && err.contains("--strict: 2 rejected row(s)"), "{args:?}: {err:?}");
    }
    let (code, out, err) =
        cape(&["declare", &f, "--as-of", "2026-04-20", "--out-dir", out_dir.to_str().unwrap(), "--strict"]);
    assert_eq!(code, EXIT_STRICT, "{err}");
    assert_eq!(out, "");
    assert!(err.ends_with("cape: no declaration file written\n"), "{err:?}");
    assert!(!out_dir.exists(), "declare --strict must not write anything");
}

#[test]
fn a_cancel_stops_every_reading_command_with_130_and_one_line() {
    let d = dir("cancel");
    let f = with_rejected_rows(&d);
    let out_dir = d.join("decl");
    let runs: Vec<Vec<&str>> = vec![
        vec!["ingest", &f],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl"],
        vec!["assess", &f, "--as-of", "2026-04-20", "--format", "jsonl", "--threads", "1"],
        vec!["refunds", &f, "--as-of", "2026-04-20", "--assume-last-rate"],
        vec!["declare", &f, "--as-of", "2026-04-20", "--out-dir", out_dir.to_str().unwrap()],
        vec!["demo", "--out-dir", out_dir.to_str().unwrap()],
    ];
    for args in runs {
        let (code, out, err) = cape_cancelled(&args);
        assert_eq!((code, err.as_str()), (EXIT_INTERRUPTED, "cape: interrupted\n"), "{args:?}");
        assert!(!out.contains("ABC-1234567-6"), "{args:?}: {out}");
    }
    assert!(!out_dir.exists(), "a cancelled declare or demo must not write anything");
}
