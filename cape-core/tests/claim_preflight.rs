//! Pre-flight check of declaration files: every finding and the verdicts.

use std::collections::HashMap;

use cape_core::claim::{
    preflight_bytes, preflight_path, ClaimAssessment, ClaimStatus, EntryOutcome, FindingLevel, PreflightCode,
    PreflightOptions, PreflightReport, Reason, ReasonCode, Verdict,
};
use cape_core::EntryNumber;
use chrono::NaiveDate;

fn n(i: u32) -> EntryNumber {
    EntryNumber::from_parts("B76", i).unwrap()
}

fn check(bytes: &[u8]) -> PreflightReport {
    preflight_bytes(bytes, &PreflightOptions::default())
}

fn codes(r: &PreflightReport) -> Vec<(Option<u64>, &'static str)> {
    r.findings.iter().map(|f| (f.row, f.code.as_str())).collect()
}

#[test]
fn bom_crlf_dashes_and_excel_wrappers_are_accepted() {
    let csv = format!(
        "\u{feff}Entry Number\r\n{}\r\n=\"{}\"\r\n\"{}\"\r\n{}",
        n(1),
        n(2).compact(),
        n(3),
        n(4).compact().to_lowercase()
    );
    let r = check(csv.as_bytes());
    assert_eq!(r.verdict, Verdict::Accept, "{:?}", r.findings);
    assert!(r.findings.is_empty());
    let got: Vec<(u64, EntryNumber)> = r.entries.iter().map(|l| (l.row, l.entry_number)).collect();
    assert_eq!(got, [(2, n(1)), (3, n(2)), (4, n(3)), (5, n(4))]);
    assert_eq!(r.rows_read, 5);
    assert_eq!(Verdict::Accept.exit_code(), 0);
}

#[test]
fn xlsx_bytes_are_not_a_csv() {
    let r = check(b"PK\x03\x04\x14\x00\x06\x00rest-of-zip");
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert_eq!(codes(&r), [(None, "NOT_CSV")]);
    assert_eq!(r.findings[0].cape_message, Some("Not a CSV file"));
    assert_eq!(r.verdict.exit_code(), 1);
    assert_eq!(check(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).findings[0].code, PreflightCode::NotCsv);
}

#[test]
fn empty_file_and_header_only() {
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"  \r\n"] {
        let r = check(empty);
        assert_eq!((r.verdict, codes(&r)), (Verdict::RejectFile, vec![(None, "EMPTY_FILE")]));
    }
    let r = check(b"Entry Number\n");
    assert_eq!((r.verdict, codes(&r)), (Verdict::RejectFile, vec![(None, "NO_ENTRIES")]));
    assert_eq!(r.findings[0].cape_message, Some("Failed initial validation"));
}

#[test]
fn wrong_missing_and_variant_headers() {
    let r = check(format!("Entry Numbers,Importer\n{}\n", n(1).compact()).as_bytes());
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert!(codes(&r).contains(&(Some(1), "WRONG_HEADER")), "{:?}", codes(&r));
    assert!(codes(&r).contains(&(Some(1), "EXTRA_COLUMNS")));
    let extra = r.with_code(PreflightCode::ExtraColumns).next().unwrap();
    assert_eq!(extra.value.as_deref(), Some("Entry Numbers,Importer"));
    // The row is echoed as written: a quoted cell with a comma stays quoted, Excel's wrapper stays.
    let r = check(format!("Entry Number\n=\"{}\",\"Acme, Inc.\"\n", n(1).compact()).as_bytes());
    let extra = r.with_code(PreflightCode::ExtraColumns).next().unwrap();
    assert_eq!(extra.value.as_deref(), Some(format!("=\"{}\",\"Acme, Inc.\"", n(1).compact()).as_str()));

    let r = check(format!("{}\n{}\n", n(1).compact(), n(2).compact()).as_bytes());
    assert_eq!(codes(&r), [(Some(1), "MISSING_HEADER")]);
    assert_eq!(r.entries.len(), 2, "the first row is still read as an entry");

    let r = check(format!("ENTRY  NUMBER\n{}\n", n(1).compact()).as_bytes());
    assert_eq!((r.verdict, codes(&r)), (Verdict::Accept, vec![(Some(1), "HEADER_VARIANT")]));
    assert_eq!(r.findings[0].level, FindingLevel::Warning);
}

#[test]
fn ten_thousand_rows_are_too_many() {
    let mut csv = String::from("Entry Number\n");
    for i in 0..10_000 {
        csv.push_str(n(i).compact());
        csv.push('\n');
    }
    let r = check(csv.as_bytes());
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert_eq!(codes(&r), [(Some(10_001), "TOO_MANY_ENTRIES")]);
    // 9,999 is fine.
    let cut: String = csv.lines().take(10_000).map(|l| format!("{l}\n")).collect();
    assert_eq!(check(cut.as_bytes()).verdict, Verdict::Accept);
    // The limit is a parameter.
    let small = preflight_bytes(cut.as_bytes(), &{
        let mut o = PreflightOptions::default();
        o.max_entries = 10;
        o
    });
    assert_eq!(codes(&small), [(Some(12), "TOO_MANY_ENTRIES")]);
}

#[test]
fn row_level_findings() {
    let good = n(7).compact().to_owned();
    let bad_check = format!("{}{}", &good[..10], (n(7).check() + 1) % 10);
    let csv = format!(
        "Entry Number\n{good}\n{good}X\n{bad_check}\n\n{}\nABCDEFGHIJK\n{}\nAB!-1234567-6\n{},\n",
        n(8),
        n(7),
        n(9).compact()
    );
    let r = check(csv.as_bytes());
    assert_eq!(
        codes(&r),
        [
            (Some(3), "MALFORMED_ENTRY_NUMBER"),
            (Some(4), "BAD_CHECK_DIGIT"),
            (Some(5), "BLANK_ROW"),
            (Some(7), "INVALID_ENTRY_NUMBER"),
            (Some(8), "DUPLICATE_ENTRY"),
            (Some(9), "MALFORMED_ENTRY_NUMBER"),
            (Some(10), "TRAILING_COMMA"),
        ]
    );
    assert!(r.findings[0].message.contains("12 characters"), "{}", r.findings[0].message);
    assert_eq!(r.findings[0].cape_message, Some("Failed initial validation"));
    assert!(r.findings[1].message.contains("check digit"), "{}", r.findings[1].message);
    assert!(r.findings[4].message.contains("first on row 2"));
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert_eq!(r.entries.iter().map(|l| l.entry_number).collect::<Vec<_>>(), [n(7), n(8), n(9)]);

    // Entry-level only: the file is accepted, some entries are not.
    let r = check(format!("Entry Number\n{good}\n{bad_check}\n").as_bytes());
    assert_eq!(r.verdict, Verdict::RejectEntries);
    assert_eq!(r.verdict.exit_code(), 2);

    // A blank row alone is a warning, or a rejection when asked.
    let blank = format!("Entry Number\n{good}\n,\n");
    assert_eq!(check(blank.as_bytes()).verdict, Verdict::Accept);
    let strict = preflight_bytes(blank.as_bytes(), &{
        let mut o = PreflightOptions::default();
        o.blank_rows_reject = true;
        o
    });
    assert_eq!((strict.verdict, codes(&strict)), (Verdict::RejectFile, vec![(Some(3), "BLANK_ROW")]));
}

fn assessment(e: EntryNumber, status: ClaimStatus, reasons: Vec<Reason>) -> ClaimAssessment {
    ClaimAssessment {
        entry_number: e,
        importer_number: None,
        entry_type: Some("01".into()),
        status,
        deferred_refund: status == ClaimStatus::EligibleDeferred,
        reasons,
        rule_set: "phase1".into(),
        rule_set_version: "2026-04-13".into(),
        as_of: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        liquidation_date: None,
        last_filing_day: None,
        days_left: None,
        urgent: false,
        validation_lag_days: 0,
    }
}

#[test]
fn entry_level_verdicts_from_assessments() {
    let csv = format!("Entry Number\n{}\n{}\n{}\n{}\n{}\n", n(1), n(2), n(3), n(4), n(5));
    let mut data = HashMap::new();
    data.insert(n(1), assessment(n(1), ClaimStatus::Eligible, vec![]));
    data.insert(n(2), assessment(n(2), ClaimStatus::EligibleDeferred, vec![]));
    data.insert(
        n(3),
        assessment(n(3), ClaimStatus::Ineligible, vec![Reason::new(ReasonCode::OnDrawback, "linked to drawback")]),
    );
    data.insert(
        n(4),
        assessment(n(4), ClaimStatus::NeedsReview, vec![Reason::new(ReasonCode::ConflictingRows, "rows disagree")]),
    );
    let mut r = check(csv.as_bytes());
    assert_eq!(r.verdict, Verdict::Accept);
    r.check_entries_in(&data);
    let outcomes: Vec<EntryOutcome> = r.entry_verdicts.iter().map(|v| v.outcome).collect();
    assert_eq!(
        outcomes,
        [
            EntryOutcome::Accept,
            EntryOutcome::AcceptDeferred,
            EntryOutcome::Reject,
            EntryOutcome::Review,
            EntryOutcome::NotInData
        ]
    );
    assert_eq!(r.entry_verdicts[2].cbp_message, Some("ENTRY ON DRAWBACK"));
    assert_eq!(r.entry_verdicts[2].reasons, [ReasonCode::OnDrawback]);
    assert_eq!(codes(&r), [(Some(4), "ENTRY_INELIGIBLE"), (Some(5), "ENTRY_NEEDS_REVIEW"), (Some(6), "NOT_IN_DATA")]);
    assert_eq!(r.verdict, Verdict::RejectEntries);

    // All good with a closure lookup; re-checking replaces earlier verdicts.
    let all_ok: HashMap<EntryNumber, ClaimAssessment> =
        (1..=5).map(|i| (n(i), assessment(n(i), ClaimStatus::Eligible, vec![]))).collect();
    r.check_entries(|e| all_ok.get(e));
    assert_eq!(r.verdict, Verdict::Accept);
    assert!(r.findings.is_empty());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["verdict"], "accept");
    assert_eq!(v["entry_verdicts"][0]["outcome"], "accept");
}

#[test]
fn from_a_path() {
    let dir = std::env::temp_dir().join(format!("cape-claim-preflight-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = format!("Entry Number\n{}\n", n(1).compact());
    std::fs::write(dir.join("decl.CSV"), &csv).unwrap();
    std::fs::write(dir.join("decl.txt"), &csv).unwrap();
    let r = preflight_path(dir.join("decl.CSV"), &PreflightOptions::default()).unwrap();
    assert_eq!(r.verdict, Verdict::Accept);
    assert!(r.source.ends_with("decl.CSV"));
    let r = preflight_path(dir.join("decl.txt"), &PreflightOptions::default()).unwrap();
    assert_eq!((r.verdict, codes(&r)), (Verdict::RejectFile, vec![(None, "NOT_CSV")]));
    assert!(preflight_path(dir.join("missing.csv"), &PreflightOptions::default()).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file far larger than any declaration (here 5 MiB of digits in one cell) is refused from its size,
/// without being read into memory.
#[test]
fn a_file_larger_than_any_declaration_is_refused_unread() {
    let dir = std::env::temp_dir().join(format!("cape-preflight-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("cape-declaration-001.csv");
    let mut text = String::from("Entry Number\n");
    text.push_str(&"7".repeat(5 << 20));
    text.push('\n');
    std::fs::write(&p, &text).unwrap();
    let r = cape_core::claim::preflight_path(&p, &PreflightOptions::default()).unwrap();
    assert_eq!(r.verdict, Verdict::RejectFile);
    assert_eq!(r.rows_read, 0);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["FILE_TOO_LARGE"]);
    assert!(
        r.findings[0].message.starts_with(&format!("the file is {} bytes", text.len())),
        "{}",
        r.findings[0].message
    );
    // A caller may allow more.
    let big = {
        let mut o = PreflightOptions::default();
        o.max_file_bytes = 8 << 20;
        o
    };
    let r = cape_core::claim::preflight_path(&p, &big).unwrap();
    assert!(r.findings.iter().all(|f| f.code.as_str() != "FILE_TOO_LARGE"));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn utf16le(text: &str) -> Vec<u8> {
    [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
}

fn listed(r: &PreflightReport) -> Vec<(u64, EntryNumber)> {
    r.entries.iter().map(|l| (l.row, l.entry_number)).collect()
}

/// A quoted cell holding a line break is one cell of one row, as in an ES-003 report, and rows are numbered as a
/// spreadsheet shows them. The old line splitter read `"B76…` as an entry and the rest as a second, bad row.
#[test]
fn a_quoted_line_break_is_inside_one_row() {
    let csv = format!("Entry Number\n{}\n\"{}\nsecond line\"\n{}\n", n(1).compact(), n(2).compact(), n(3).compact());
    let r = check(csv.as_bytes());
    assert_eq!(listed(&r), [(2, n(1)), (4, n(3))]);
    assert_eq!(codes(&r), [(Some(3), "MALFORMED_ENTRY_NUMBER")]);
    assert_eq!(r.findings[0].value.as_deref(), Some(format!("{}\nsecond line", n(2).compact()).as_str()));
    assert_eq!(r.rows_read, 4);
}

/// CR-only line ends (Excel's "CSV (Macintosh)"): each CR outside quotes ends a row, blank lines keep their row
/// numbers, and a CR inside quotes stays in its cell.
#[test]
fn carriage_return_line_ends() {
    let csv = format!("Entry Number\r{}\r\r\"{}\",\"a\rb\"\r{}\r", n(1).compact(), n(2).compact(), n(3).compact());
    let r = check(csv.as_bytes());
    assert_eq!(listed(&r), [(2, n(1)), (4, n(2)), (5, n(3))]);
    assert_eq!(codes(&r), [(Some(3), "BLANK_ROW"), (Some(4), "EXTRA_COLUMNS")]);
    assert_eq!(r.findings[1].value.as_deref(), Some(format!("{},\"a\rb\"", n(2).compact()).as_str()));
    assert_eq!(r.rows_read, 5);
}

/// UTF-16LE with its byte-order mark (Excel's "Unicode text") is read as its text, with a warning; it used to be
/// refused as binary data (`NOT_CSV`) for its NUL bytes.
#[test]
fn utf16_declarations_are_read_as_their_text_with_a_warning() {
    let text = format!("Entry Number\r\n{}\r\n\"{}\"\r\n\r\n{}\r\n", n(1), n(2).compact(), n(3).compact());
    let r = check(&utf16le(&text));
    assert_eq!(listed(&r), [(2, n(1)), (3, n(2)), (5, n(3))]);
    assert_eq!(codes(&r), [(None, "UTF16_TEXT"), (Some(4), "BLANK_ROW")]);
    assert_eq!(r.findings[0].level, FindingLevel::Warning);
    assert_eq!(r.verdict, Verdict::Accept);
    assert_eq!(r.rows_read, 5);
    // The same text in UTF-8 has no encoding warning and the same rows.
    let plain = check(text.as_bytes());
    assert_eq!(listed(&plain), listed(&r));
    assert_eq!(codes(&plain), [(Some(4), "BLANK_ROW")]);
}

/// A row over the record limit of every CSV cape reads is one malformed row; the rows after it are read.
#[test]
fn an_over_long_row_is_one_malformed_row() {
    let long = "7".repeat(cape_core::ingest::source::DEFAULT_MAX_RECORD_BYTES + 10);
    let csv = format!("Entry Number\n{}\n{long}\n{}\n", n(1).compact(), n(2).compact());
    let r = check(csv.as_bytes());
    assert_eq!(listed(&r), [(2, n(1)), (4, n(2))]);
    assert_eq!(codes(&r), [(Some(3), "MALFORMED_ENTRY_NUMBER")]);
    let m = &r.findings[0].message;
    assert!(m.starts_with(&format!("row 3 is {} bytes long", long.len())), "{m}");
}
