//! CAPE results files: every known error text, an unknown one, reconciliation with what was declared.

use std::collections::HashSet;

use cape_core::claim::{
    build_declarations_from, declared_in_dir, read_results_bytes, read_results_path, reconcile, write_declarations,
    CapeErrorKind, DeclarationOptions, ResultStatus,
};
use cape_core::{EntryNumber, ErrorKind};

fn n(i: u32) -> EntryNumber {
    EntryNumber::from_parts("B76", i).unwrap()
}

const KNOWN: [&str; 11] = [
    "ENTRY ON DRAWBACK",
    "ENTRY SUMMARY FLAGGED FOR RECON",
    "ENTRY SUMMARY IS CANCELLED/REJECTED",
    "ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS",
    "PROTEST ON ENTRY",
    "UNABLE TO CALCULATE DUTY",
    "GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE",
    "INVALID HTS",
    "HTS RELATIONSHIP MISMATCH",
    "GOODS VALUE AMOUNT MUST BE REPORTED ON THE CH 1-97",
    "HTS RELATIONSHIP/SEQUENCE MISMATCH",
];

#[test]
fn excel_unicode_text_results_are_tab_separated_utf16() {
    // Excel's "Save as Unicode text": UTF-16LE with a byte-order mark, cells separated by tabs, quotes as needed.
    let text = results_csv();
    let want = read_results_bytes(text.as_bytes(), Some("claim-details.csv")).unwrap();
    let tabbed = text.trim_start_matches('\u{feff}').replace(',', "\t");
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(tabbed.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let got = read_results_bytes(&le, Some("claim-details.txt")).unwrap();
    assert_eq!(format!("{:?}", got.rows), format!("{:?}", want.rows));
    assert_eq!(got.summary.updated, 1);
    assert_eq!(got.rows.len(), 15);
}

fn results_csv() -> String {
    let mut s = String::from("\u{feff}ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\r\n");
    s.push_str(&format!("=\"{}\",=\"C000123\",=\"Entry Summary Updated\",=\"\"\r\n", n(1).compact()));
    for (i, text) in KNOWN.iter().enumerate() {
        s.push_str(&format!("=\"{}\",=\"C000123\",=\"Failed\",=\"{text}\"\r\n", n(10 + i as u32).compact()));
    }
    s.push_str(&format!("=\"{}\",=\"C000123\",=\"Failed\",=\"SOMETHING NEW FROM CBP\"\r\n", n(50).compact()));
    s.push_str(&format!("=\"{}\",=\"C000124\",=\"Pending\",=\"\"\r\n", n(60).compact()));
    s.push_str("=\"NOT-AN-ENTRY\",=\"C000124\",=\"Failed\",=\"INVALID HTS\"\r\n");
    s
}

#[test]
fn every_known_error_text_and_an_unknown_one() {
    let r = read_results_bytes(results_csv().as_bytes(), Some("claim-details.csv")).unwrap();
    assert_eq!(r.rows.len(), 15);
    assert_eq!(r.rows[0].status, ResultStatus::EntrySummaryUpdated);
    assert_eq!(r.rows[0].claim_number.as_deref(), Some("C000123"));
    assert_eq!(r.rows[0].error, None);
    assert_eq!(r.rows[0].entry_number, Some(n(1)));
    for (i, text) in KNOWN.iter().enumerate() {
        let row = &r.rows[1 + i];
        let e = row.error.as_ref().unwrap();
        assert_eq!(row.status, ResultStatus::Failed);
        assert_eq!(e.kind, CapeErrorKind::KNOWN[i], "{text}");
        assert_eq!(e.kind.text(), Some(*text));
        assert_eq!(e.text, *text);
        assert!(!e.kind.meaning().is_empty() && !e.kind.remedy().is_empty());
        assert_eq!(e.kind.retired(), i >= 9, "{text}");
    }
    assert_eq!(CapeErrorKind::from_text("entry on  drawback"), CapeErrorKind::EntryOnDrawback);
    assert!(CapeErrorKind::FinalLiquidation.remedy().contains("180 days"));
    assert!(CapeErrorKind::GoodsValueOnIeepaLine.remedy().contains("H99"));

    let unknown = r.rows[12].error.as_ref().unwrap();
    assert_eq!((unknown.kind, unknown.text.as_str()), (CapeErrorKind::Unknown, "SOMETHING NEW FROM CBP"));
    assert_eq!(r.rows[13].status, ResultStatus::Other("Pending".into()));
    assert_eq!(r.rows[14].entry_number, None);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].row, 16);

    let s = &r.summary;
    assert_eq!((s.rows, s.updated, s.failed, s.other_status), (15, 1, 13, 1));
    assert_eq!((s.unknown_errors, s.retired_errors), (1, 2));
    assert_eq!(s.unknown_texts.get("SOMETHING NEW FROM CBP"), Some(&1));
    assert_eq!(s.errors_by_kind.get("invalid_hts"), Some(&2));

    let v = serde_json::to_value(&r.rows[10]).unwrap();
    assert_eq!(v["error"]["kind"], "goods_value_must_be_reported_retired");
    assert_eq!(v["error"]["retired"], true);
    assert_eq!(v["status"], "failed");
}

/// A results file re-saved by Excel as UTF-16 (LE or BE, with its byte-order mark) reads as its UTF-8 text; it
/// used to be refused as binary data.
#[test]
fn utf16_results_read_as_their_text() {
    let text = results_csv();
    let want = read_results_bytes(text.as_bytes(), Some("claim-details.csv")).unwrap();
    let body = text.trim_start_matches('\u{feff}');
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(body.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(body.encode_utf16().flat_map(u16::to_be_bytes)).collect();
    for bytes in [le, be] {
        let got = read_results_bytes(&bytes, Some("claim-details.csv")).unwrap();
        assert_eq!(format!("{:?}", got.rows), format!("{:?}", want.rows));
        assert_eq!(got.rows.len(), 15);
    }
}

#[test]
fn reconciled_against_a_declared_set_and_a_directory() {
    let r = read_results_bytes(results_csv().as_bytes(), None).unwrap();
    let mut declared: Vec<EntryNumber> = vec![n(1), n(10), n(11), n(99), n(98)];
    declared.extend((12..21).map(n));
    let rec = reconcile(&r, &declared);
    assert_eq!(rec.matched, 12);
    assert_eq!(rec.declared_not_in_results, [n(99), n(98)]);
    assert_eq!(rec.in_results_not_declared, [n(50), n(60)]);
    assert!(rec.repeated_in_results.is_empty());
    let set: HashSet<EntryNumber> = declared.iter().copied().collect();
    assert_eq!(reconcile(&r, &set).matched, 12);

    // From a directory of declaration files written by cape.
    let dir = std::env::temp_dir().join(format!("cape-claim-results-{}", std::process::id()));
    let decl = build_declarations_from(declared.iter().map(|&e| (e, None)), &{
        let mut o = DeclarationOptions::default();
        o.max_entries_per_file = 4;
        o
    })
    .unwrap();
    write_declarations(&decl, &dir).unwrap();
    let (from_dir, reports) = declared_in_dir(&dir).unwrap();
    assert_eq!(reports.len(), 4);
    assert_eq!(from_dir, declared);
    assert_eq!(reconcile(&r, &from_dir), rec);

    std::fs::write(dir.join("results.csv"), results_csv()).unwrap();
    let again = read_results_path(dir.join("results.csv")).unwrap();
    assert_eq!(again.rows.len(), 15);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_results_files() {
    let e = read_results_bytes(b"ENTRY_NUMBER,STATUS\nx,y\n", None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingColumn);
    assert!(e.to_string().contains("CLAIM_NUMBER"), "{e}");
    assert_eq!(read_results_bytes(b"", None).unwrap_err().kind(), ErrorKind::InvalidFormat);
    assert_eq!(read_results_bytes(b"PK\x03\x04zip", None).unwrap_err().kind(), ErrorKind::InvalidFormat);
    // Column names are matched loosely, extra columns ignored, and resubmissions noticed.
    let csv = format!(
        "Entry Number,Claim Number,Status,Error Description,Extra\n{a},C1,Failed,PROTEST ON ENTRY,x\n{a},C2,Entry Summary Updated,,y\n",
        a = n(1)
    );
    let r = read_results_bytes(csv.as_bytes(), None).unwrap();
    assert_eq!(r.rows.len(), 2);
    assert_eq!(reconcile(&r, &[n(1)]).repeated_in_results, [n(1)]);
}

/// A results file over the size cape reads is a format error naming its size, not gigabytes of memory.
#[test]
fn a_results_file_over_the_cap_is_refused_unread() {
    let dir = std::env::temp_dir().join(format!("cape-results-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("claims.csv");
    let f = std::fs::File::create(&p).unwrap();
    // A sparse file: 65 MiB long, nothing written.
    f.set_len(cape_core::claim::results::MAX_RESULTS_FILE_BYTES + (1 << 20)).unwrap();
    let e = read_results_path(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().contains(&format!("the file is {} bytes", (65u64 << 20))), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The header and one row per entry, cells given raw (already quoted as wanted), lines ended by `end`.
fn results_text(rows: &[[&str; 4]], end: &str) -> String {
    let mut s = format!("ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION{end}");
    for r in rows {
        s.push_str(&r.join(","));
        s.push_str(end);
    }
    s
}

fn summary_of(r: &cape_core::claim::CapeResults) -> Vec<(u64, Option<EntryNumber>, &str, Option<CapeErrorKind>)> {
    r.rows.iter().map(|x| (x.row, x.entry_number, x.status.name(), x.error.as_ref().map(|e| e.kind))).collect()
}

/// A quoted error text holding a line break is one cell (its whitespace collapsed, so the text is known), and the
/// next row keeps its spreadsheet row number. The old line splitter cut the row in two.
#[test]
fn a_quoted_line_break_in_an_error_text() {
    let (a, b) = (format!("=\"{}\"", n(1).compact()), format!("=\"{}\"", n(2).compact()));
    let csv = results_text(&[[&a, "C1", "Failed", "\"PROTEST ON\nENTRY\""], [&b, "C1", "Failed", "INVALID HTS"]], "\n");
    let r = read_results_bytes(csv.as_bytes(), None).unwrap();
    assert_eq!(
        summary_of(&r),
        [
            (2, Some(n(1)), "failed", Some(CapeErrorKind::ProtestOnEntry)),
            (3, Some(n(2)), "failed", Some(CapeErrorKind::InvalidHts))
        ]
    );
    assert_eq!(r.rows[0].error.as_ref().unwrap().text, "PROTEST ON\nENTRY");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

/// CR-only line ends: blank lines keep their row numbers, and a CR inside quotes stays in its cell.
#[test]
fn carriage_return_line_ends_in_results() {
    let (a, b) = (n(1).compact().to_owned(), n(2).to_string());
    let csv = results_text(
        &[[&a, "C1", "Entry Summary Updated", ""], ["", "", "", ""], [&b, "C2", "Failed", "\"ENTRY ON\rDRAWBACK\""]],
        "\r",
    );
    let r = read_results_bytes(csv.as_bytes(), None).unwrap();
    assert_eq!(
        summary_of(&r),
        [
            (2, Some(n(1)), "entry_summary_updated", None),
            (4, Some(n(2)), "failed", Some(CapeErrorKind::EntryOnDrawback))
        ]
    );
    assert_eq!(r.summary.rows, 2);
}

/// UTF-16LE with its byte-order mark, CR-only line ends and a quoted line break together read as the UTF-8 text.
#[test]
fn utf16le_with_cr_line_ends_and_a_quoted_break() {
    let a = format!("=\"{}\"", n(1).compact());
    let text = results_text(&[["\"\"", "", "", ""], [&a, "\"C\r9\"", "Failed", "\"FLAGGED\"\"\rX\""]], "\r");
    let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let r = read_results_bytes(&le, None).unwrap();
    assert_eq!(summary_of(&r), [(3, Some(n(1)), "failed", Some(CapeErrorKind::Unknown))]);
    assert_eq!(r.rows[0].claim_number.as_deref(), Some("C\r9"));
    assert_eq!(r.rows[0].error.as_ref().unwrap().text, "FLAGGED\"\rX");
    assert_eq!(format!("{:?}", r.rows), format!("{:?}", read_results_bytes(text.as_bytes(), None).unwrap().rows));
}

/// A row over the record limit is a problem naming its length, and the rows after it are read.
#[test]
fn an_over_long_results_row_is_a_problem() {
    let a = n(1).compact().to_owned();
    let long = "x".repeat(cape_core::ingest::source::DEFAULT_MAX_RECORD_BYTES + 1);
    let csv = results_text(&[[&long, "", "", ""], [&a, "C1", "Failed", "INVALID HTS"]], "\n");
    let r = read_results_bytes(csv.as_bytes(), None).unwrap();
    assert_eq!(summary_of(&r), [(3, Some(n(1)), "failed", Some(CapeErrorKind::InvalidHts))]);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].row, 2);
    assert!(r.problems[0].message.contains(&format!("is {} bytes long", long.len() + 3)), "{}", r.problems[0].message);
}

#[test]
fn alternate_headers_and_the_user_column_map() {
    use cape_core::claim::{read_results_bytes_with, ResultsOptions, RESULT_COLUMN_SPECS};
    let a = n(1).compact().to_string();
    // The canonical name wins over an alternate; alternates are tried in their documented order.
    let text = format!(
        "Error Detail,STATUS,Claim No,Filing Status,ERROR_DESCRIPTION,Entry Number\nx,Failed,C1,y,INVALID HTS,{a}\n"
    );
    let r = read_results_bytes(text.as_bytes(), None).unwrap();
    let row = &r.rows[0];
    assert_eq!((row.entry_number, row.claim_number.as_deref()), (Some(n(1)), Some("C1")));
    assert_eq!(row.status, ResultStatus::Failed);
    assert_eq!(row.error.as_ref().map(|e| e.kind), Some(CapeErrorKind::InvalidHts));
    assert_eq!(RESULT_COLUMN_SPECS.map(|s| s.name), cape_core::claim::RESULT_COLUMNS);
    // The map reads a column from any header, ignoring case and spacing, and only from there.
    let text = format!("Ref,Claim No,Outcome,Note,Error Detail\n{a},C2,Entry Summary Updated,,PROTEST ON ENTRY\n");
    let opts = ResultsOptions::default().with_column("entry number", "REF").with_column("Status", "outcome");
    let r = read_results_bytes_with(text.as_bytes(), Some("m.csv"), &opts).unwrap();
    let row = &r.rows[0];
    assert_eq!((row.entry_number, row.claim_number.as_deref()), (Some(n(1)), Some("C2")));
    assert_eq!(row.status, ResultStatus::EntrySummaryUpdated);
    let opts = opts.with_column("ERROR_DESCRIPTION", "note");
    let r = read_results_bytes_with(text.as_bytes(), Some("m.csv"), &opts).unwrap();
    assert_eq!(r.rows[0].error, None);
    // A key that names no column, a header that is no text, two columns read from one header.
    let e = read_results_bytes_with(text.as_bytes(), None, &ResultsOptions::default().with_column("CLAIM", "Ref"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("\"CLAIM\""), "{e}");
    let e = read_results_bytes_with(text.as_bytes(), None, &ResultsOptions::default().with_column("STATUS", " - "))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    let clash = ResultsOptions::default().with_column("entry_number", "Ref").with_column("STATUS", "Ref");
    let e = read_results_bytes_with(text.as_bytes(), Some("m.csv"), &clash).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert_eq!(
        e.to_string(),
        "m.csv: columns ENTRY_NUMBER and STATUS would both be read from the header \"Ref\"; map one of them to \
         another header"
    );
}

#[test]
fn at_most_max_rows_are_read() {
    use cape_core::claim::{read_results_bytes_with, ResultsOptions, MAX_RESULTS_ROWS};
    let mut opts = ResultsOptions::default();
    assert_eq!(opts.max_rows, MAX_RESULTS_ROWS);
    opts.max_rows = 2;
    let head = "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n";
    let row = format!("{},C1,Failed,INVALID HTS\n", n(1).compact());
    // Blank lines do not count; the third row is one too many.
    let two = format!("{head}{row}\n\n{row}");
    assert_eq!(read_results_bytes_with(two.as_bytes(), None, &opts).unwrap().rows.len(), 2);
    let three = format!("{two}{row}");
    let e = read_results_bytes_with(three.as_bytes(), Some("r.csv"), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().starts_with("r.csv: more than 2 rows; not read"), "{e}");
}
