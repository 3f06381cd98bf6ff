//! Command-line options over what the library already had: the schedule offsets and extra closures of every
//! command that assesses, `cape results`' column map and its table of problems, `cape check`'s one line per
//! entry missing from the data. Every date below is computed by hand in its comment.

#[path = "common/cli.rs"]
mod cli;
use cli::cape;

fn tmp(name: &str, content: &str) -> String {
    let dir = std::env::temp_dir().join(format!("cape-cli-options-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.to_string_lossy().into_owned()
}

fn corpus(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad").join(name);
    p.to_string_lossy().into_owned()
}

/// Two entries: ABC-1234567-6 liquidated 2026-01-30 (its last filing day 2026-04-19), paid on the day of its
/// entry; B76-0158522-0 unliquidated, entered 2025-09-02 and paid on a periodic monthly statement (payment type
/// 7, no payment date): deposited on the 15th working day of October 2025.
const ES003: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,\
Country of Origin Code,Liquidation Date,Liquidation Status,Column 1 Current Primary Duty Rate,Payment Date,\
Payment Type Code,ACH Refund Enrolled\n\
ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,1,Y\n\
ABC-1234567-6,1,2,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,4%,06/02/2025,1,Y\n\
B76-0158522-0,1,1,99030124,0,300.00,01,98-765432100,09/02/2025,CN,,,,,7,Y\n\
B76-0158522-0,1,2,8471300100,3000.00,0.00,01,98-765432100,09/02/2025,CN,,,0%,,7,Y\n";

/// (entry, status, projected (re)liquidation, deposit date, deposit rule) of each entry `cape assess` gives.
fn assessed(extra: &[&str]) -> Vec<[String; 5]> {
    let f = tmp("es003.csv", ES003);
    let mut args = vec!["assess", &f, "--as-of", "2026-04-19", "--format", "json", "--assume-last-rate"];
    args.extend_from_slice(extra);
    let (code, out, err) = cape(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("null").to_owned();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            [
                s(&e["entry_number"]),
                s(&e["status"]),
                s(&e["projected_liquidation_date"]),
                s(&e["deposit_date"]),
                s(&e["deposit_date_rule"]),
            ]
        })
        .collect()
}

/// (projected date of the liquidated entry, of the unliquidated one).
fn projected(extra: &[&str]) -> (String, String) {
    let got = assessed(extra);
    assert_eq!(got.len(), 2);
    for e in &got {
        assert_eq!(e[1], "eligible", "{e:?}");
    }
    (got[0][2].clone(), got[1][2].clone())
}

fn p(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn the_schedule_options_move_the_projected_dates() {
    // Defaults: acceptance 2026-04-19. Liquidated: min(04-19 + 45 = 06-03, 01-30 + 90 = 04-30) = 04-30.
    // Unliquidated: 04-19 + 45 = 06-03.
    assert_eq!(projected(&[]), p("2026-04-30", "2026-06-03"));
    // Acceptance 04-29: unliquidated 04-29 + 45 = 06-13. The liquidated entry's last filing day is 04-19: CAPE
    // validating on 04-29 would find it past the 80-day window, so it is ineligible with no projection.
    let lagged = assessed(&["--acceptance-lag", "10"]);
    assert_eq!(lagged[1][1..3], ["eligible".to_owned(), "2026-06-13".to_owned()]);
    assert_eq!(lagged[0][1..3], ["ineligible".to_owned(), "null".to_owned()]);
    // Offset 30: unliquidated 04-19 + 30 = 05-19; liquidated min(05-19, 04-30) = 04-30.
    assert_eq!(projected(&["--liquidation-offset", "30"]), p("2026-04-30", "2026-05-19"));
    // Offset 5: liquidated min(04-19 + 5 = 04-24, 04-30) = 04-24; unliquidated 04-24.
    assert_eq!(projected(&["--liquidation-offset", "5"]), p("2026-04-24", "2026-04-24"));
    // Window 120: liquidated min(06-03, 01-30 + 120 = 05-30) = 05-30; unliquidated unchanged.
    assert_eq!(projected(&["--reliquidation-window", "120"]), p("2026-05-30", "2026-06-03"));
    // `--name=value` works as well, and the options combine: acceptance 04-21, + 30 = 05-21 (the liquidated
    // entry, validated after its last filing day, has none).
    let both = assessed(&["--acceptance-lag=2", "--liquidation-offset=30"]);
    assert_eq!((both[0][2].as_str(), both[1][2].as_str()), ("null", "2026-05-21"));
    let f = tmp("es003-bad-flag.csv", ES003);
    let (code, _, err) = cape(&["assess", &f, "--acceptance-lag", "-3"]);
    assert_eq!(code, 64, "{err}");
    let (code, _, err) = cape(&["assess", &f, "--reliquidation-window", "ninety"]);
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("--reliquidation-window must be a whole number, not \"ninety\""), "{err}");
}

#[test]
fn closures_move_the_pms_deposit_date() {
    // October 2025: Columbus Day Oct 13; working days 1 2 3 6 7 8 9 10 14 15 16 17 20 21 22 → the 15th is Oct 22.
    let got = assessed(&[]);
    assert_eq!(got[1][3..], ["2025-10-22".to_owned(), "periodic_monthly_statement".to_owned()]);
    assert_eq!(got[0][3..], ["2025-06-02".to_owned(), "payment_date".to_owned()]);
    // Closed on Oct 6 and Oct 7 as well: 1 2 3 8 9 10 14 15 16 17 20 21 22 23 24 → Oct 24.
    let closures = tmp(
        "closures.txt",
        "# extra federal closures\n2025-10-06   # a national day of mourning\n\n10/07/2025\n2026-12-24\n",
    );
    let got = assessed(&["--closures", &closures]);
    assert_eq!(got[1][3..], ["2025-10-24".to_owned(), "periodic_monthly_statement".to_owned()]);
    assert_eq!(got[0][3], "2025-06-02");
    // A bad line stops the command, naming the file, the line and the value.
    let bad = tmp("closures-bad.txt", "2025-10-06\n# note\n13/45/2025\n");
    let f = tmp("es003-closures.csv", ES003);
    let (code, out, err) = cape(&["assess", &f, "--as-of", "2026-04-19", "--closures", &bad]);
    assert_eq!(code, 65, "{out}");
    assert!(err.contains(&format!("{bad}: line 3: \"13/45/2025\" is not a date")), "{err}");
    let (code, _, err) = cape(&["assess", &f, "--closures", "/nonexistent/closures.txt"]);
    assert_eq!(code, 65);
    assert!(err.contains("/nonexistent/closures.txt"), "{err}");
}

#[test]
fn every_command_that_assesses_takes_the_schedule_options() {
    let f = tmp("es003-all.csv", ES003);
    let closures = tmp("closures-all.txt", "2025-10-06\n");
    // refunds: the liquidated entry's refund comes at the end of a 120-day window (2026-05-30), the other's at
    // acceptance + 45 (2026-06-03).
    let (code, out, err) = cape(&[
        "refunds",
        &f,
        "--as-of",
        "2026-04-19",
        "--format",
        "json",
        "--assume-last-rate",
        "--reliquidation-window",
        "120",
        "--closures",
        &closures,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let dates: Vec<(&str, &str)> = v["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["recipient"].as_str().unwrap(), r["liquidation_date"].as_str().unwrap()))
        .collect();
    assert_eq!(dates, [("12-345678900", "2026-05-30"), ("98-765432100", "2026-06-03")]);
    // declare and check --es003 take them too: as of 04-16 with a 3-day lag CAPE validates on 04-19, the
    // liquidated entry's last filing day, so both entries are still declarable.
    let dir = std::env::temp_dir().join(format!("cape-cli-options-decl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let (code, out, err) = cape(&[
        "declare",
        &f,
        "--as-of",
        "2026-04-16",
        "--out-dir",
        d,
        "--acceptance-lag",
        "3",
        "--liquidation-offset",
        "30",
        "--reliquidation-window",
        "120",
        "--closures",
        &closures,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 declarable entries"), "{out}");
    let decl = dir.join("cape-declaration-001.csv");
    let (code, out, err) = cape(&[
        "check",
        decl.to_str().unwrap(),
        "--es003",
        &f,
        "--as-of",
        "2026-04-16",
        "--acceptance-lag",
        "3",
        "--closures",
        &closures,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // Each command's --help lists them.
    for cmd in ["assess", "declare", "check", "refunds"] {
        let (_, help, _) = cape(&[cmd, "--help"]);
        for flag in
            ["--acceptance-lag DAYS", "--liquidation-offset DAYS", "--reliquidation-window DAYS", "--closures FILE"]
        {
            assert!(help.contains(flag), "cape {cmd} --help lacks {flag}:\n{help}");
        }
    }
}

#[test]
fn check_says_an_entry_missing_from_the_data_once() {
    let es003 = tmp("es003-check.csv", ES003);
    let decl = tmp("three.csv", "Entry Number\nABC12345676\nB7601585220\n316-0123456-5\n");
    let (code, out, _) = cape(&["check", &decl, "--es003", &es003, "--as-of", "2026-04-19"]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(out.matches("316-0123456-5").count(), 1, "{out}");
    assert!(out.contains("row 4: 316-0123456-5 not in the ES-003 data (NOT_IN_DATA)"), "{out}");
    // The JSON still carries both the finding and the verdict.
    let (_, out, _) = cape(&["check", &decl, "--es003", &es003, "--as-of", "2026-04-19", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["NOT_IN_DATA"]);
    assert_eq!(v["entry_verdicts"][2]["outcome"], "not_in_data");
}

#[test]
fn results_table_shows_the_problems_its_json_reports() {
    let path = corpus("results_broker_headers.csv");
    let (code, out, err) = cape(&["results", &path]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 rows, 1 updated, 2 failed, 0 other status, 0 unknown error texts, 1 problem(s)"), "{out}");
    assert!(out.contains("  row 2: VSU-0828889-3 entry_summary_updated claim C000777"), "{out}");
    assert!(out.contains("  row 3: VSU-0828893-5 failed protest_on_entry: PROTEST ON ENTRY"), "{out}");
    assert!(
        out.contains("  row 4: PROBLEM invalid entry number \"VSU-0828889-4\": check digit is 4, expected 3"),
        "{out}"
    );
    let (_, json, _) = cape(&["results", &path, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["results"]["problems"][0]["row"], 4);
    // The workbook reads the same.
    let (code, out_xlsx, err) = cape(&["results", &corpus("results_broker_headers.xlsx")]);
    assert_eq!(code, 0, "{err}");
    let body = |s: &str| s.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(body(&out_xlsx), body(&out));
}

#[test]
fn results_column_map() {
    let f = tmp(
        "claims-own-headers.csv",
        "Ref,Claim,Outcome,Message\nABC12345676,C9,Entry Summary Updated,\nB76-0158522-0,C9,Failed,INVALID HTS\n",
    );
    // Without the map: no column is found under these headers.
    let (code, _, err) = cape(&["results", &f]);
    assert_eq!(code, 65);
    assert!(err.contains("required column \"ENTRY_NUMBER\" not found; columns found: Ref, Claim, Outcome, Message"));
    let (code, out, err) = cape(&[
        "results",
        &f,
        "--column",
        "ENTRY_NUMBER=Ref",
        "--column",
        "claim_number=Claim",
        "--column=Status=Outcome",
        "--column",
        "ERROR DESCRIPTION=message",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["results"]["rows"].as_array().unwrap();
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["entry_number"].as_str().unwrap(),
                r["claim_number"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["error"]["kind"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("ABC-1234567-6", "C9", "entry_summary_updated", "-"), ("B76-0158522-0", "C9", "failed", "invalid_hts")]
    );
    // A mapped header that is not in the file, a key that is no column, a value without `=`.
    let (code, _, err) = cape(&["results", &f, "--column", "ENTRY_NUMBER=Entry Ref"]);
    assert_eq!(code, 65);
    assert!(err.contains("required column \"Entry Ref (mapped to ENTRY_NUMBER)\" not found"), "{err}");
    for bad in ["CLAIM=Claim", "ENTRY_NUMBER", "ENTRY_NUMBER="] {
        let (code, _, err) = cape(&["results", &f, "--column", bad]);
        assert_eq!(code, 64, "{bad}");
        assert!(err.contains("--column must be NAME=HEADER"), "{err}");
    }
}
