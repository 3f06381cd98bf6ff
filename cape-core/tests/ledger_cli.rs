//! `cape ledger` on the command line (issue 18): the kind of each file detected from its content, a read-only
//! ledger answering `status --as-of` and `statement`, Ctrl-C mid-record leaving the ledger as before, and the
//! issue's end-to-end scenario (2,000 generated entries assessed, declared, answered by CAPE and paid) with the
//! counts and cents per state computed here from `cape assess`'s output, independently of the ledger's SQL.

#[path = "common/cli.rs"]
mod cli;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cape_core::claim::CapeErrorKind;
use cape_core::ledger::{detect_kind, ImportKind, ImportOutcome, Ledger, LedgerOptions, RecordKind, RecordOptions};
use cape_core::refund::payments::RefundReportKind;
use cape_core::ErrorKind;
use cli::cape;
use rust_decimal::Decimal;

const AS_OF: &str = "2026-12-01";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// UTF-16 LE with its byte-order mark, as Excel's "Unicode text" saves.
fn utf16(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

/// A one-sheet workbook of `rows` (all text cells).
fn xlsx(path: &Path, rows: &[Vec<&str>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn csv_rows(rows: &[Vec<&str>]) -> String {
    rows.iter().map(|r| r.join(",") + "\n").collect()
}

/// A small generated ES-003 (`cape sample`).
fn sample(dir: &Path, name: &str, entries: u32) -> PathBuf {
    let p = dir.join(name);
    let (code, _, err) = cape(&["sample", "--output", s(&p), "--entries", &entries.to_string()]);
    assert_eq!(code, 0, "{err}");
    p
}

fn dec(v: &serde_json::Value) -> Decimal {
    match v {
        serde_json::Value::Null => Decimal::ZERO,
        serde_json::Value::String(t) => t.parse().unwrap(),
        other => other.to_string().parse().unwrap(),
    }
}

#[test]
fn each_kind_is_detected_from_its_content_in_csv_utf16_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opts = RecordOptions::default();
    let kind = |p: &Path| detect_kind(p, &opts).unwrap();
    // ES-003: CSV, UTF-16, and a name that says otherwise (detection reads content, not extensions).
    let es003 = sample(d, "es003.csv", 20);
    assert_eq!(kind(&es003), RecordKind::Es003);
    let text = std::fs::read_to_string(&es003).unwrap();
    std::fs::write(d.join("es003_utf16.txt"), utf16(&text)).unwrap();
    assert_eq!(kind(&d.join("es003_utf16.txt")), RecordKind::Es003);
    std::fs::copy(&es003, d.join("refunds.xlsx")).unwrap();
    assert_eq!(kind(&d.join("refunds.xlsx")), RecordKind::Es003);
    // A declaration folder and its manifest.
    let decl = d.join("decl");
    let (code, _, err) = cape(&["declare", s(&es003), "--out-dir", s(&decl), "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(kind(&decl), RecordKind::Declarations);
    assert_eq!(kind(&decl.join("manifest.csv")), RecordKind::Declarations);
    // Claim details: canonical names in CSV, a broker workbook's alternates in XLSX, UTF-16.
    let text = CapeErrorKind::KNOWN[0].text().unwrap();
    let claims = vec![
        vec!["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"],
        vec!["ABC-1234567-6", "C1", "Failed", text],
    ];
    std::fs::write(d.join("claims.csv"), csv_rows(&claims)).unwrap();
    assert_eq!(kind(&d.join("claims.csv")), RecordKind::ClaimResults);
    std::fs::write(d.join("claims16.csv"), utf16(&csv_rows(&claims))).unwrap();
    assert_eq!(kind(&d.join("claims16.csv")), RecordKind::ClaimResults);
    let broker = vec![
        vec!["Entry Summary Number", "Cape Claim Number", "Filing Status", "Error Detail"],
        vec!["ABC-1234567-6", "C1", "Entry Summary Updated", ""],
    ];
    xlsx(&d.join("claims.xlsx"), &broker);
    assert_eq!(kind(&d.join("claims.xlsx")), RecordKind::ClaimResults);
    // Refund reports: REV-615 in CSV and XLSX, REV-603 (no entry column), ES-022 (claim number and status).
    let rev615 = vec![
        vec!["Entry Summary Number", "Refund Number", "Principal Amount", "Interest Amount", "Refund Secondary Status"],
        vec!["ABC-1234567-6", "R1", "10.00", "0.50", "Treasury Issued"],
    ];
    std::fs::write(d.join("rev615.csv"), csv_rows(&rev615)).unwrap();
    assert_eq!(kind(&d.join("rev615.csv")), RecordKind::Refunds);
    xlsx(&d.join("rev615.xlsx"), &rev615);
    assert_eq!(kind(&d.join("rev615.xlsx")), RecordKind::Refunds);
    std::fs::write(d.join("rev603.csv"), "Refund Number,Refund Secondary Status,Status Date\nR1,Sent to Treasury,\n")
        .unwrap();
    assert_eq!(kind(&d.join("rev603.csv")), RecordKind::Refunds);
    std::fs::write(
        d.join("es022.csv"),
        utf16("CAPE Declaration Number\tEntry Summary Number\tRefund Number\tClaim Status\r\nD1\tABC-1234567-6\tR1\tX\r\n"),
    )
    .unwrap();
    assert_eq!(kind(&d.join("es022.csv")), RecordKind::Refunds);
    // Nothing cape knows: a typed error that says what was looked for.
    std::fs::write(d.join("other.csv"), "Name,Colour\nsky,blue\n").unwrap();
    let e = detect_kind(&d.join("other.csv"), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    let m = e.to_string();
    for want in ["other.csv", "Name, Colour", "file,importer,entries", "ERROR_DESCRIPTION", "Entry Summary Number"] {
        assert!(m.contains(want), "{want}: {m}");
    }
    assert_eq!(detect_kind(d, &opts).unwrap_err().kind(), ErrorKind::InvalidFormat, "a folder without a manifest");

    // record_path records each by its kind; the refund report's kind is the report's; an ES-003 needs a day.
    let mut l = Ledger::create(d.join("cape.db"), &LedgerOptions::default()).unwrap();
    let e = l.record_path(&es003, &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("--as-of"), "{e}");
    let mut with_day = RecordOptions::default();
    with_day.as_of = Some(AS_OF.parse().unwrap());
    let r = l.record_path(&es003, &with_day).unwrap();
    assert_eq!((r.kind, r.detected), (ImportKind::Assessment, true));
    assert!(matches!(r.outcome, ImportOutcome::Recorded(ref x) if x.rows_used > 0), "{r:?}");
    assert_eq!(l.record_path(&decl, &opts).unwrap().kind, ImportKind::Declarations);
    assert_eq!(l.record_path(&d.join("claims.xlsx"), &opts).unwrap().kind, ImportKind::ClaimResults);
    let r = l.record_path(&d.join("rev615.xlsx"), &opts).unwrap();
    assert_eq!(r.kind, ImportKind::Refunds(RefundReportKind::Rev615));
    // The refund report's key is the SHA-256 of the bytes read: the same file again changes nothing.
    let again = l.record_path(&d.join("rev615.xlsx"), &opts).unwrap();
    assert!(matches!(again.outcome, ImportOutcome::AlreadyRecorded { .. }), "{again:?}");
    let sha = cape_core::ledger::sha256_file(d.join("rev615.xlsx")).unwrap();
    let c = rusqlite::Connection::open(d.join("cape.db")).unwrap();
    let stored: String = c.query_row("SELECT sha256 FROM imports WHERE kind = 'rev615'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, sha);
}

#[test]
fn record_prints_each_file_and_fails_only_the_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("l.db");
    let es003 = sample(d, "es003.csv", 30);
    std::fs::write(d.join("other.csv"), "Name,Colour\nsky,blue\n").unwrap();
    let (code, out, err) = cape(&["ledger", "record", s(&es003), s(&d.join("other.csv")), "--db", s(&db)]);
    assert_eq!(code, 65, "{out}{err}");
    assert!(err.contains("other.csv: not recorded") && err.contains("--as-of"), "{err}");
    assert!(err.contains("2 file(s) not recorded"), "{err}");
    let (code, out, err) = cape(&["ledger", "record", s(&es003), "--db", s(&db), "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("recorded {}: assessment (detected), import 1: rows read ", s(&es003))), "{out}");
    let (code, out, _) = cape(&["ledger", "record", s(&es003), "--db", s(&db), "--as-of", AS_OF, "--kind", "es003"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!("already recorded {}: assessment (as given), import 1 at ", s(&es003))), "{out}");
    // Reading never creates a ledger.
    let missing = d.join("missing.db");
    for args in [
        vec!["ledger", "status", "--db", s(&missing)],
        vec!["ledger", "history", "ABC-1234567-6", "--db", s(&missing)],
        vec!["ledger", "statement", "--importer", "X", "--out", "x.html", "--db", s(&missing)],
    ] {
        assert_eq!(cape(&args).0, 65, "{args:?}");
        assert!(!missing.exists());
    }
    assert_eq!(cape(&["ledger", "status", "--db", s(&db), "--state", "nope"]).0, 64);
    assert_eq!(cape(&["ledger", "frob"]).0, 64);
    let (code, help, _) = cape(&["ledger", "status", "--help"]);
    assert_eq!(code, 0);
    for opt in ["cape ledger record", "--as-of", "--kind", "--column", "--map", "--sheet", "--importer", "--state"] {
        assert!(help.contains(opt), "{opt}: {help}");
    }
    let (_, all, _) = cape(&["--help"]);
    assert!(all.contains("cape ledger statement --importer N --out FILE.html"), "{all}");
}

#[test]
fn a_read_only_ledger_answers_status_as_of_and_statement() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("ro.db");
    let es003 = sample(d, "es003.csv", 40);
    let (code, _, err) = cape(&["ledger", "record", s(&es003), "--db", s(&db), "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    let decl = d.join("decl");
    assert_eq!(cape(&["declare", s(&es003), "--out-dir", s(&decl), "--as-of", AS_OF]).0, 0);
    assert_eq!(cape(&["ledger", "record", s(&decl), "--db", s(&db)]).0, 0);
    // Checkpoint the WAL into the file, then take write permission away from the file and its folder.
    drop(Ledger::open(&db, &LedgerOptions::default()).unwrap());
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "journal_mode", "delete").unwrap();
    drop(c);
    let bytes = std::fs::read(&db).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let now = cape(&["ledger", "status", "--db", s(&db), "--format", "json"]);
    assert_eq!(now.0, 0, "{}", now.2);
    let now: serde_json::Value = serde_json::from_str(&now.1).unwrap();
    assert_eq!(now["as_of"], AS_OF);
    assert!(now["states"]["declared"]["entries"].as_u64().unwrap() > 0, "{}", now["states"]);
    assert_eq!(now["states"].get("overdue"), None);
    // Far later, every declared entry's refund is overdue: the same view, judged as of another day.
    let (code, late, err) = cape(&["ledger", "status", "--db", s(&db), "--format", "json", "--as-of", "2030-01-01"]);
    assert_eq!(code, 0, "{err}");
    let late: serde_json::Value = serde_json::from_str(&late).unwrap();
    assert_eq!(late["as_of"], "2030-01-01");
    // Overdue then: the entries declared now whose refund is due by before that day (by hand from the entries).
    let due: Vec<&serde_json::Value> = now["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["state"] == "declared" && e["refund_due_by"].as_str().is_some_and(|d| d < "2030-01-01"))
        .collect();
    assert!(!due.is_empty());
    assert_eq!(late["states"]["overdue"]["entries"].as_u64(), Some(due.len() as u64));
    let due_sum: Decimal = due.iter().map(|e| dec(&e["expected"])).sum();
    assert_eq!(dec(&late["states"]["overdue"]["expected"]), due_sum);
    // Asking again with yet another day on the same connection (the library) uses that day.
    let l = Ledger::open(&db, &LedgerOptions { read_only: true, ..LedgerOptions::default() }).unwrap();
    let q = |day: &str| cape_core::ledger::StatusQuery { as_of: Some(day.parse().unwrap()), ..Default::default() };
    let n_late = l.status(&q("2030-01-01")).unwrap().entries.iter().filter(|e| e.state.as_str() == "overdue").count();
    let n_now = l.status(&q(AS_OF)).unwrap().entries.iter().filter(|e| e.state.as_str() == "overdue").count();
    assert_eq!((n_late as u64, n_now), (late["states"]["overdue"]["entries"].as_u64().unwrap(), 0));
    let importer = now["entries"][0]["importer"].as_str().unwrap().to_owned();
    let html = d.join("statement.html");
    let (code, out, err) = cape(&[
        "ledger",
        "statement",
        "--db",
        s(&db),
        "--importer",
        &importer,
        "--out",
        s(&html),
        "--as-of",
        "2030-01-01",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("statement of {importer} as of 2030-01-01")), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains(&importer), "{}", &page[..200]);
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the read-only ledger is unchanged");
    // --out naming the ledger itself (or a copy of it) is refused: the ledger is never replaced by a page.
    let copy = d.join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    for target in [&db, &copy] {
        let (code, _, err) =
            cape(&["ledger", "statement", "--db", s(&db), "--importer", &importer, "--out", s(target)]);
        assert_ne!(code, 0);
        assert!(err.contains("is a SQLite database"), "{err}");
        assert_eq!(std::fs::read(target).unwrap(), bytes);
    }
    // An importer the ledger does not know: an error, not an all-zero statement.
    let none = d.join("none.html");
    let (code, _, err) =
        cape(&["ledger", "statement", "--db", s(&db), "--importer", "99-999999999", "--out", s(&none)]);
    assert_ne!(code, 0);
    assert!(err.contains("no entry of this importer") && !none.exists(), "{err}");
}

/// The child of [`ctrl_c_mid_record_leaves_the_ledger_as_before`]: runs the command line given in
/// `CAPE_LEDGER_CHILD` (tab-separated) with SIGINT setting the cancel flag, as the `cape` binary does.
#[test]
fn sigint_child() {
    let Ok(args) = std::env::var("CAPE_LEDGER_CHILD") else { return };
    let args: Vec<String> = args.split('\t').map(str::to_owned).collect();
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, cancel.clone()).unwrap();
    let options = cape_core::cli::RunOptions::new(false, Some(cancel));
    let (mut out, mut err) = (Vec::new(), std::io::stderr());
    eprintln!("child: started");
    let code = cape_core::cli::run_with(&args, &mut out, &mut err, &options);
    std::process::exit(code);
}

/// Every table's rows as text: equal dumps, equal ledgers.
fn dump(db: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut out = String::new();
    for t in ["imports", "assessments", "declarations", "claim_results", "payments", "diagnostics"] {
        let n: i64 = c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        let h: String = c
            .query_row(&format!("SELECT COALESCE(group_concat(quote(rowid)), '') FROM {t}"), [], |r| r.get(0))
            .unwrap();
        out += &format!("{t}: {n} rows {h}\n");
    }
    out
}

#[test]
fn ctrl_c_mid_record_leaves_the_ledger_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("c.db");
    let small = sample(d, "small.csv", 10);
    assert_eq!(cape(&["ledger", "record", s(&small), "--db", s(&db), "--as-of", AS_OF]).0, 0);
    let before = dump(&db);
    let big = d.join("big.csv");
    let (code, _, err) = cape(&["sample", "--output", s(&big), "--entries", "60000", "--seed", "7"]);
    assert_eq!(code, 0, "{err}");
    let args = ["ledger", "record", s(&big), "--db", s(&db), "--as-of", AS_OF, "--threads", "1"].join("\t");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["sigint_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("CAPE_LEDGER_CHILD", args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Mid-import: the write-ahead log grows while the transaction is open.
    let wal = d.join("c.db-wal");
    let start = std::time::Instant::now();
    let base = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) <= base + 256 * 1024 {
        assert!(start.elapsed().as_secs() < 120, "the import never started");
        assert!(child.try_wait().unwrap().is_none(), "the child ended before the signal");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("cape: interrupted"), "{err}");
    assert_eq!(dump(&db), before);
    // And the ledger still works: the file records in full when not interrupted.
    assert!(cape(&["ledger", "record", s(&small), "--db", s(&db), "--as-of", AS_OF]).1.starts_with("already"));
}

/// The "Done means", through the command line: 2,000 generated entries assessed and recorded,
/// declared, CAPE's claim details (every tenth declared entry rejected with a real CAPE error text), a REV-615
/// refund report (paid exact, every third paid $1.00 short, one returned, one entry the ledger never saw), then
/// `status --format json` against counts and cents computed here from `cape assess --format jsonl`.
#[test]
fn two_thousand_entries_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("cape.db");
    let dbs = s(&db);
    let es003 = sample(d, "es003.csv", 2000);
    let (code, _, err) = cape(&["ledger", "record", s(&es003), "--db", dbs, "--as-of", AS_OF, "--assume-last-rate"]);
    assert_eq!(code, 0, "{err}");
    // The expectation: each entry's principal + interest and whether its refund would be held, from assess.
    let (code, jsonl, err) = cape(&["assess", s(&es003), "--as-of", AS_OF, "--assume-last-rate", "--format", "jsonl"]);
    assert_eq!(code, 0, "{err}");
    let mut expected: BTreeMap<String, (Decimal, Decimal, bool, String)> = BTreeMap::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let held = v["refund_held"].as_bool().unwrap_or(false);
        expected.insert(
            v["entry_number"].as_str().unwrap().to_owned(),
            (dec(&v["ieepa_duty"]), dec(&v["interest"]), held, v["status"].as_str().unwrap().to_owned()),
        );
    }
    assert!(expected.len() >= 1900, "{}", expected.len());
    let decl = d.join("decl");
    assert_eq!(cape(&["declare", s(&es003), "--out-dir", s(&decl), "--as-of", AS_OF]).0, 0);
    let (code, out, err) = cape(&["ledger", "record", s(&decl), "--db", dbs]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("declarations (detected)"), "{out}");
    let mut declared: Vec<String> = Vec::new();
    for f in std::fs::read_dir(&decl).unwrap() {
        let p = f.unwrap().path();
        if p.file_name().unwrap() != "manifest.csv" {
            let text = std::fs::read_to_string(&p).unwrap();
            declared.extend(text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()));
        }
    }
    declared.sort();
    let declared: Vec<String> = declared
        .iter()
        .map(|e| cape_core::EntryNumber::parse(e).unwrap().to_string())
        .filter(|e| expected.contains_key(e))
        .collect();
    assert!(declared.len() > 100, "{}", declared.len());
    // CAPE's answer: every tenth declared entry rejected with a real error text.
    let text = CapeErrorKind::KNOWN[1].text().unwrap();
    let mut claims = String::from("ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n");
    let rejected: BTreeSet<&String> = declared.iter().step_by(10).collect();
    for e in &declared {
        if rejected.contains(e) {
            claims += &format!("{e},,Failed,{text}\n");
        } else {
            claims += &format!("{e},CL-1,Entry Summary Updated,\n");
        }
    }
    std::fs::write(d.join("claims.csv"), claims).unwrap();
    let (code, out, err) = cape(&["ledger", "record", s(&d.join("claims.csv")), "--db", dbs]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("claim_results (detected)"), "{out}");
    // Treasury pays half the accepted entries: exact, every third $1.00 short, the first returned; and one
    // entry the ledger has never seen.
    let accepted: Vec<&String> = declared.iter().filter(|e| !rejected.contains(e)).collect();
    let paid_now: Vec<&String> = accepted.iter().copied().step_by(2).collect();
    let mut report = String::from(
        "Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Refund Secondary Status\n",
    );
    let (mut short, mut exact, mut returned) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (i, e) in paid_now.iter().enumerate() {
        let (p, int, _, _) = &expected[*e];
        let (principal, status) = if i == 0 {
            returned.insert(*e);
            (*p, "Check Returned")
        } else if i % 3 == 0 {
            short.insert(*e);
            (*p - Decimal::ONE, "Treasury Issued")
        } else {
            exact.insert(*e);
            (*p, "Treasury Issued")
        };
        report += &format!("{e},R{i},{principal:.2},{int:.2},03/15/2027,{status}\n");
    }
    let unknown = cape_core::EntryNumber::from_parts("ZZZ", 42).unwrap().to_string();
    report += &format!("{unknown},RZ,7.77,0.00,03/15/2027,Treasury Issued\n");
    std::fs::write(d.join("rev615.csv"), report).unwrap();
    let (code, out, err) = cape(&["ledger", "record", s(&d.join("rev615.csv")), "--db", dbs]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rev615 (detected)"), "{out}");

    // By hand: each entry's state and amounts.
    let mut want: BTreeMap<&str, (u64, Decimal, Decimal)> = BTreeMap::new();
    for (e, (p, int, held, _)) in &expected {
        let exp = *p + *int;
        let (state, paid) = if returned.contains(e) {
            ("returned", Decimal::ZERO)
        } else if exact.contains(e) {
            ("paid", exp)
        } else if short.contains(e) {
            ("paid_short", exp - Decimal::ONE)
        } else if rejected.contains(e) {
            ("rejected", Decimal::ZERO)
        } else if declared.binary_search(e).is_ok() {
            (if *held { "held" } else { "accepted" }, Decimal::ZERO)
        } else {
            ("not_declared", Decimal::ZERO)
        };
        let w = want.entry(state).or_default();
        w.0 += 1;
        w.1 += exp;
        w.2 += paid;
    }
    let (code, out, err) = cape(&["ledger", "status", "--db", dbs, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut got: BTreeMap<&str, (u64, Decimal, Decimal)> = BTreeMap::new();
    for (state, t) in v["states"].as_object().unwrap() {
        got.insert(state.as_str(), (t["entries"].as_u64().unwrap(), dec(&t["expected"]), dec(&t["paid"])));
    }
    assert_eq!(got, want);
    assert!(want["paid_short"].0 > 50 && want["rejected"].0 > 10 && want["returned"].0 == 1, "{want:?}");
    let unmatched = v["unmatched_payments"].as_array().unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0]["entry_number"], unknown.as_str());
    assert_eq!(dec(&unmatched[0]["amount"]), Decimal::new(777, 2));
    // The CSV and the table say the same.
    let (_, csv, _) = cape(&["ledger", "status", "--db", dbs, "--format", "csv", "--state", "paid_short"]);
    assert_eq!(csv.lines().count() as u64, 1 + want["paid_short"].0);
    assert!(csv.lines().skip(1).all(|l| l.contains(",paid_short,") && l.contains(",-1.00,")), "{csv}");
    // History and changes.
    let first = *short.iter().next().unwrap();
    let (_, h, _) = cape(&["ledger", "history", first, "--db", dbs]);
    assert_eq!(h.lines().count(), 4, "{h}");
    assert!(h.contains("assessment") && h.contains("declared in") && h.contains("rev615"), "{h}");
    // What changed since the claim-details import (3): the paid entries, and the unknown entry's payment.
    let (_, ch, _) = cape(&["ledger", "changes", "--since", "3", "--db", dbs, "--format", "json"]);
    let ch: serde_json::Value = serde_json::from_str(&ch).unwrap();
    let changed: BTreeSet<&str> =
        ch["entries"].as_array().unwrap().iter().map(|e| e["entry_number"].as_str().unwrap()).collect();
    assert_eq!(changed, paid_now.iter().map(|e| e.as_str()).collect());
    assert_eq!(ch["unmatched_payments"][0]["entry_number"], unknown.as_str());
    assert_eq!(ch["states"]["paid_short"]["entries"].as_u64(), Some(want["paid_short"].0));
    assert_eq!(ch["states"].get("rejected"), None, "{}", ch["states"]);
    // Nothing after the last import: no entry and no unmatched payment.
    let (_, none, _) = cape(&["ledger", "changes", "--since", "4", "--db", dbs, "--format", "json"]);
    let none: serde_json::Value = serde_json::from_str(&none).unwrap();
    assert_eq!(
        (none["entries"].as_array().unwrap().len(), none["unmatched_payments"].as_array().unwrap().len()),
        (0, 0)
    );
    // The table: the states over all, then a section per importer and recipient, the unknown payment.
    let (code, table, err) = cape(&["ledger", "status", "--db", dbs]);
    assert_eq!(code, 0, "{err}");
    let short_line = format!(
        "  {:<14} {:>8} {:>18} {:>18}",
        "paid_short", want["paid_short"].0, want["paid_short"].1, want["paid_short"].2
    );
    assert!(table.contains(&short_line), "{short_line:?} over all:\n{table}");
    let pairs: BTreeSet<(String, String)> = v["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["importer"].as_str().unwrap().to_owned(), t["recipient"].as_str().unwrap().to_owned()))
        .collect();
    assert!(pairs.len() > 10, "{pairs:?}");
    for (importer, recipient) in &pairs {
        assert_eq!(table.matches(&format!("importer {importer} (refund to {recipient}):\n")).count(), 1, "{table}");
    }
    assert_eq!(table.lines().filter(|l| l.starts_with("importer ")).count(), pairs.len());
    assert!(table.contains(&format!("entry {unknown} refund RZ amount 7.77")), "{table}");
}

#[test]
fn column_map_reads_a_refund_report_with_other_headers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("m.db");
    std::fs::write(d.join("odd.csv"), "Ref,Amt,Entry Ref\nR1,12.34,ABC-1234567-6\n").unwrap();
    // Undetectable as it is; with the map it is a REV-615 and its row is kept (for an entry never assessed).
    assert_eq!(cape(&["ledger", "record", s(&d.join("odd.csv")), "--db", s(&db)]).0, 65);
    std::fs::write(d.join("map.txt"), "refund_number=Ref\nprincipal=Amt\n").unwrap();
    let (code, out, err) = cape(&[
        "ledger",
        "record",
        s(&d.join("odd.csv")),
        "--db",
        s(&db),
        "--map",
        s(&d.join("map.txt")),
        "--column",
        "entry_number=Entry Ref",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rev615 (detected)") && out.contains("used 1"), "{out}");
    let (_, st, _) = cape(&["ledger", "status", "--db", s(&db), "--format", "json"]);
    let st: serde_json::Value = serde_json::from_str(&st).unwrap();
    assert_eq!(dec(&st["unmatched_payments"][0]["amount"]), Decimal::new(1234, 2));
    // A claim-details file with its own headers: each result column mapped.
    std::fs::write(d.join("odd_claims.csv"), "Entry Ref,Claim,State,Why\nABC-1234567-6,C9,Failed,PROTEST ON ENTRY\n")
        .unwrap();
    let file = d.join("odd_claims.csv");
    let mut args = vec!["ledger", "record", s(&file), "--db", s(&db)];
    args.extend(["--column", "ENTRY_NUMBER=Entry Ref", "--column", "CLAIM_NUMBER=Claim"]);
    args.extend(["--column", "STATUS=State", "--column", "ERROR_DESCRIPTION=Why"]);
    let (code, out, err) = cape(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("claim_results (detected)") && out.contains("used 1"), "{out}");
    let (code, table, _) = cape(&["ledger", "status", "--db", s(&db)]);
    assert_eq!(code, 0);
    assert!(table.contains("1 entries as of"), "{table}");
    // CAPE rejected it, yet a refund report lists a refund of it (REV-615: sent to Treasury): the refund is the later
    // fact, so the entry is liquidated (its CAPE error still in the history).
    assert!(
        table.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["liquidated", "1", "0.00", "0.00"]),
        "{table}"
    );
    assert!(table.contains("refund report rows naming no assessed entry: 1"), "{table}");
    assert_eq!(cape(&["ledger", "record", s(&file), "--db", s(&db), "--column", "NOPE=x"]).0, 64);
}

/// Every file of the bad-input corpus (tests/data/bad) is placed by its content or refused with a typed error,
/// never a panic: refund reports and claim details in UTF-16 and broker workbooks are found as such, ES-003s in
/// UTF-16 and on three sheets as ES-003s, and what is not CSV or XLSX (an `.xls`, a ledger's bytes) is refused.
#[test]
fn the_bad_input_corpus_is_detected_or_refused() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad");
    let opts = RecordOptions::default();
    let mut seen = 0;
    for f in std::fs::read_dir(&corpus).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|x| x == "py") {
            continue;
        }
        seen += 1;
        let _ = detect_kind(&p, &opts);
    }
    assert!(seen > 30, "{seen}");
    let kind = |name: &str| detect_kind(&corpus.join(name), &opts);
    for (name, want) in [
        ("refunds_rev615_utf16le_cr.csv", RecordKind::Refunds),
        ("refunds_es022_broker.xlsx", RecordKind::Refunds),
        ("results_broker_headers.xlsx", RecordKind::ClaimResults),
        ("results_broker_headers.csv", RecordKind::ClaimResults),
        ("results_utf16le_cr_quoted_break.csv", RecordKind::ClaimResults),
        ("utf16be_bom_tab_crlf.csv", RecordKind::Es003),
        ("utf16le_bom_tab_crlf.csv", RecordKind::Es003),
        ("xlsx_three_sheets.xlsx", RecordKind::Es003),
        ("semicolon_delimiter.csv", RecordKind::Es003),
    ] {
        assert_eq!(kind(name).map_err(|e| e.to_string()), Ok(want), "{name}");
    }
    for name in ["legacy_excel97.xls", "ledger_garbage.db", "ledger_foreign.db", "missing_required_column.csv"] {
        let e = kind(name).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidFormat, "{name}: {e}");
    }
    // A declaration file alone is not a manifest: said, with what was looked for.
    let e = kind("declaration_utf16le_bom.csv").unwrap_err();
    assert!(e.to_string().contains("cannot tell what file this is"), "{e}");
}

/// The rows a refund report could not use are said on stderr with their row, column and value (the first 20, then
/// where the rest are), not only counted.
#[test]
fn record_says_which_rows_it_did_not_use() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("r.db");
    let mut text = String::from("Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date\n");
    text += "ABC-1234567-6,R1,12.34,0.00,03/15/2027\n";
    for i in 0..25 {
        text += &format!("ABC-1234567-6,R{i},not money,0.00,03/15/2027\n");
    }
    std::fs::write(d.join("rev615.csv"), text).unwrap();
    let (code, out, err) = cape(&["ledger", "record", s(&d.join("rev615.csv")), "--db", s(&db)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("used 1, rejected 25"), "{out}");
    assert_eq!(err.lines().filter(|l| l.contains("rev615.csv row ")).count(), 20, "{err}");
    assert!(err.contains("row 3 column Principal Amount: REFUND_") && err.contains("\"not money\""), "{err}");
    assert!(err.contains("5 more; all are in the ledger: SELECT * FROM diagnostics WHERE import_id = 1"), "{err}");
}

/// Without --as-of the ledger judges as of its latest as-of day; when today is later, status says so (a refund
/// due since then would otherwise not show as overdue); with --as-of it says nothing.
#[test]
fn status_says_when_it_judges_before_today() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("o.db");
    let es003 = sample(d, "es003.csv", 5);
    assert_eq!(cape(&["ledger", "record", s(&es003), "--db", s(&db), "--as-of", "2020-01-02"]).0, 0);
    let (code, _, err) = cape(&["ledger", "status", "--db", s(&db)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("judged as of 2020-01-02, the ledger's latest as-of day; today is"), "{err}");
    let (code, _, err) = cape(&["ledger", "status", "--db", s(&db), "--as-of", "2020-01-02"]);
    assert_eq!((code, err.as_str()), (0, ""));
}

/// A REV-603 export with an (empty) entry column reads as a REV-615 and every row fails; `--kind rev603` says what
/// it is, and its row is kept by its refund number.
#[test]
fn kind_names_a_refund_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("k.db");
    let file = d.join("rev603.csv");
    std::fs::write(
        &file,
        "Refund Number,Refund Secondary Status,Status Date,Principal Amount,Entry Summary Number\nR7,Treasury Issued,07/21/2026,100.00,\n",
    )
    .unwrap();
    let (code, out, err) = cape(&["ledger", "record", s(&file), "--db", s(&db), "--kind", "REV-603"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rev603 (as given)") && out.contains("used 1, rejected 0"), "{out}");
    let (code, _, err) = cape(&["ledger", "record", s(&file), "--db", s(&db), "--kind", "rev604"]);
    assert_eq!(code, 64);
    assert!(err.contains("es022, rev603 or rev615"), "{err}");
}
