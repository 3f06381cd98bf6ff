//! The refund-report reader (`cape_core::refund::payments::read_refund_report`): ES-022, REV-603 and REV-615
//! files as CSV and XLSX, by the names seen in practice and by a user column map; every row used or reported.

use std::path::Path;

use cape_core::ingest::es003::SourceFormat;
use cape_core::refund::payments::{
    parse_column_assignment, parse_column_map, read_column_map, read_refund_report, PaymentField, PaymentRow,
    PaymentStatus, RefundReport, RefundReportKind, RefundReportNames, RefundReportOptions, RefundReportSource,
};
use cape_core::{DiagnosticCode, ErrorKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn corpus(name: &str) -> std::path::PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/bad")).join(name)
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn read(text: &str, options: &RefundReportOptions) -> RefundReport {
    read_refund_report(text.as_bytes(), options).unwrap_or_else(|e| panic!("{e}"))
}

/// (row, code, column, value) of every diagnostic.
fn diags(r: &RefundReport) -> Vec<(u64, &'static str, String, String)> {
    r.diagnostics
        .iter()
        .map(|d| {
            (
                d.row.unwrap_or(0),
                d.code.as_str(),
                d.column.as_deref().unwrap_or("").to_owned(),
                d.value.as_deref().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn assert_balanced(r: &RefundReport) {
    let s = &r.summary;
    assert_eq!(s.rows_read, s.rows_used + s.rows_rejected, "{s:?}");
    assert_eq!(s.rows_used, r.rows.len() as u64);
}

#[test]
fn es022_csv_by_the_names_seen_in_practice() {
    let text = "CAPE Declaration Number,Entry Summary Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Claim Status\n\
                D000001,VSU-0828889-3,R0000001,\"$1,234.56\",$12.34,05/12/2026,Treasury Issued\n\
                D000001,VSU08288935,,2000,0,,Accepted\n";
    let r = read(text, &RefundReportOptions::default());
    assert_eq!((r.kind, r.kind_detected, r.format), (RefundReportKind::Es022, true, SourceFormat::Csv));
    assert_eq!(
        r.rows,
        [
            PaymentRow {
                row: 2,
                entry_number: Some("VSU-0828889-3".parse().unwrap()),
                declaration_number: Some("D000001".into()),
                refund_number: Some("R0000001".into()),
                principal: Some(dec("1234.56")),
                interest: Some(dec("12.34")),
                refund_date: Some(day(2026, 5, 12)),
                status: Some(PaymentStatus::TreasuryIssued),
                status_date: None,
            },
            PaymentRow {
                row: 3,
                entry_number: Some("VSU-0828893-5".parse().unwrap()),
                declaration_number: Some("D000001".into()),
                refund_number: None,
                principal: Some(dec("2000")),
                interest: Some(dec("0")),
                refund_date: None,
                status: Some(PaymentStatus::Other("Accepted".into())),
                status_date: None,
            },
        ]
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!((r.summary.principal, r.summary.interest), (dec("3234.56"), dec("12.34")));
    assert_eq!(r.summary.by_status.get("treasury_issued"), Some(&1));
    assert_eq!(r.summary.by_status.get("Accepted"), Some(&1));
    let cols: Vec<(PaymentField, &str)> = r.columns.iter().map(|(f, h)| (*f, h.as_str())).collect();
    assert_eq!(cols[0], (PaymentField::EntryNumber, "Entry Summary Number"));
    assert!(cols.contains(&(PaymentField::DeclarationNumber, "CAPE Declaration Number")));
    assert!(cols.contains(&(PaymentField::Status, "Claim Status")));
}

#[test]
fn rev603_per_refund_statuses_read_case_and_spacing_insensitively() {
    let text = "Refund Number\tRefund Secondary Status\tStatus Date\tPrincipal Amount\tInterest Amount\n\
                R1\tSent to Treasury\t2026-05-01\t10.00\t0.10\n\
                R2\ttreasury   ISSUED\t05/12/2026\t20.00\t0.20\n\
                R3\tFunds Diverted\t05/13/2026\t30.00\t0.30\n\
                R4\tCheck Returned\t05/14/2026\t40.00\t0.40\n\
                R5\tach returned\t05/15/2026\t50.00\t0.50\n\
                R6\tCheck / ACH Returned\t05/15/2026\t1.00\t0\n\
                R7\t  Pending   Review \t05/16/2026\t60.00\t0.60\n";
    let r = read(text, &RefundReportOptions::default());
    assert_eq!(r.kind, RefundReportKind::Rev603);
    let got: Vec<(&str, Option<PaymentStatus>, Option<NaiveDate>)> =
        r.rows.iter().map(|p| (p.refund_number.as_deref().unwrap(), p.status.clone(), p.status_date)).collect();
    assert_eq!(
        got,
        [
            ("R1", Some(PaymentStatus::SentToTreasury), Some(day(2026, 5, 1))),
            ("R2", Some(PaymentStatus::TreasuryIssued), Some(day(2026, 5, 12))),
            ("R3", Some(PaymentStatus::FundsDiverted), Some(day(2026, 5, 13))),
            ("R4", Some(PaymentStatus::Returned), Some(day(2026, 5, 14))),
            ("R5", Some(PaymentStatus::Returned), Some(day(2026, 5, 15))),
            ("R6", Some(PaymentStatus::Returned), Some(day(2026, 5, 15))),
            ("R7", Some(PaymentStatus::Other("Pending   Review".into())), Some(day(2026, 5, 16))),
        ]
    );
    assert!(r.rows.iter().all(|p| p.entry_number.is_none()));
    assert_eq!((r.summary.rows_without_entry, r.summary.principal), (7, dec("211.00")));
    assert_eq!(r.summary.by_status.get("returned"), Some(&3));
}

/// A REV-603 that names entries: a bad entry number keeps the refund (a warning); in a REV-615 the row is
/// rejected.
#[test]
fn a_bad_entry_number_is_kept_only_in_a_rev603() {
    let text = "Entry Number,Refund Number,Principal Amount\nVSU-0828889-4,R1,10.00\nVSU-0828889-3,R2,5.00\n";
    let rev603 = read(text, &RefundReportOptions::default().with_kind(RefundReportKind::Rev603));
    assert_eq!((rev603.kind, rev603.kind_detected), (RefundReportKind::Rev603, false));
    assert_eq!(rev603.rows.len(), 2);
    assert_eq!(rev603.rows[0].entry_number, None);
    assert_eq!(rev603.rows[0].refund_number.as_deref(), Some("R1"));
    assert_eq!(diags(&rev603), [(2, "REFUND_UNREADABLE_ENTRY_NUMBER", "Entry Number".into(), "VSU-0828889-4".into())]);
    assert_eq!(rev603.diagnostics[0].severity(), cape_core::Severity::Warning);
    assert_eq!((rev603.summary.rows_used, rev603.summary.rows_rejected, rev603.summary.rows_without_entry), (2, 0, 1));

    let rev615 = read(text, &RefundReportOptions::default());
    assert_eq!(rev615.kind, RefundReportKind::Rev615);
    assert_eq!(rev615.rows.iter().map(|p| p.row).collect::<Vec<_>>(), [3]);
    assert_eq!(diags(&rev615), [(2, "REFUND_INVALID_ENTRY_NUMBER", "Entry Number".into(), "VSU-0828889-4".into())]);
    assert!(rev615.diagnostics[0].message.contains("check digit"), "{}", rev615.diagnostics[0].message);
    assert_eq!((rev615.summary.rows_read, rev615.summary.rows_rejected), (2, 1));
}

/// The corpus REV-615: UTF-16LE, CR line ends, `="…"` cells, a quoted line break, a blank line, and one bad row
/// of each kind; every row used or reported, naming row, column and value.
#[test]
fn rev615_in_utf16_with_every_kind_of_bad_row() {
    let r = read_refund_report(corpus("refunds_rev615_utf16le_cr.csv").as_path(), &RefundReportOptions::default())
        .expect("read");
    assert_eq!(r.kind, RefundReportKind::Rev615);
    let used: Vec<(u64, String, Decimal, Decimal, Option<PaymentStatus>)> = r
        .rows
        .iter()
        .map(|p| {
            (p.row, p.entry_number.unwrap().to_string(), p.principal.unwrap(), p.interest.unwrap(), p.status.clone())
        })
        .collect();
    assert_eq!(
        used,
        [
            (2, "VSU-0828889-3".into(), dec("1234.56"), dec("12.34"), Some(PaymentStatus::TreasuryIssued)),
            (4, "VSU-0828893-5".into(), dec("100.00"), dec("0.00"), Some(PaymentStatus::SentToTreasury)),
        ]
    );
    assert_eq!(r.rows[1].refund_date, Some(day(2026, 5, 19)));
    assert_eq!(
        diags(&r),
        [
            (5, "REFUND_SUB_CENT_AMOUNT", "Principal Amount".into(), "10.005".into()),
            (6, "REFUND_INVALID_MONEY", "Principal Amount".into(), "N/A".into()),
            (7, "REFUND_INVALID_DATE", "Refund Date".into(), "02/30/2026".into()),
            (8, "REFUND_INVALID_ENTRY_NUMBER", "Entry Summary Number".into(), "VSU-0828889-4".into()),
            (9, "REFUND_MISSING_VALUE", "Refund Number".into(), "".into()),
            (10, "REFUND_INVALID_MONEY", "Principal Amount".into(), "(5.00)".into()),
            (11, "REFUND_RAGGED_ROW", "".into(), "".into()),
        ]
    );
    // The entry is named where it parsed.
    assert_eq!(r.diagnostics[0].entry.map(|e| e.to_string()).as_deref(), Some("WQH-0749207-6"));
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.rows_rejected), (9, 2, 7));
    assert_balanced(&r);
}

#[test]
fn es022_in_a_workbook() {
    let r = read_refund_report(corpus("refunds_es022_broker.xlsx").as_path(), &RefundReportOptions::default())
        .expect("read");
    assert_eq!((r.kind, r.format), (RefundReportKind::Es022, SourceFormat::Xlsx));
    /// (row, refund number, principal, refund date, status).
    type Used<'a> = (u64, Option<&'a str>, Option<Decimal>, Option<NaiveDate>, Option<PaymentStatus>);
    let used: Vec<Used<'_>> = r
        .rows
        .iter()
        .map(|p| (p.row, p.refund_number.as_deref(), p.principal, p.refund_date, p.status.clone()))
        .collect();
    assert_eq!(
        used,
        [
            (2, Some("R0000001"), Some(dec("1234.56")), Some(day(2026, 5, 12)), Some(PaymentStatus::TreasuryIssued)),
            (3, None, Some(dec("2000.00")), None, Some(PaymentStatus::Other("Accepted".into()))),
        ]
    );
    assert_eq!(diags(&r), [(4, "REFUND_INVALID_ENTRY_NUMBER", "Entry Number".into(), "VSU-082888".into())]);
    assert_balanced(&r);
}

/// Typed workbook cells (numbers, dates) as Excel stores them.
#[test]
fn typed_workbook_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    for (c, h) in
        ["Entry Number", "Refund Number", "Principal Amount", "Interest Amount", "Refund Date"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "VSU-0828889-3").unwrap();
    ws.write_string(1, 1, "R1").unwrap();
    ws.write_number(1, 2, 1234.5).unwrap();
    ws.write_number(1, 3, 0.1 * 3.0).unwrap();
    ws.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2026, 5, 12).unwrap(), &date_fmt).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = read_refund_report(&bytes[..], &RefundReportOptions::default()).expect("read");
    assert_eq!(r.kind, RefundReportKind::Rev615);
    assert_eq!(r.rows.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(
        (r.rows[0].principal, r.rows[0].interest, r.rows[0].refund_date),
        (Some(dec("1234.5")), Some(dec("0.3")), Some(day(2026, 5, 12)))
    );
}

#[test]
fn a_user_column_map_reads_other_headers() {
    let map = "# our broker's ES-022 export\n\
               entry_number = Entry #\n\
               Declaration Number=Decl\n\
               PRINCIPAL = Refund Amt (USD)\n\
               \n\
               status=State\n";
    let columns = parse_column_map(map, "map.txt").expect("map");
    assert_eq!(columns.get(&PaymentField::Principal).map(String::as_str), Some("Refund Amt (USD)"));
    let mut options = RefundReportOptions::default();
    options.columns = columns;
    let text = "Decl,Entry #,Refund Amt (USD),State\nD1,VSU-0828889-3,\"$1,000.00\",treasury issued\n";
    let r = read(text, &options.clone().with_kind(RefundReportKind::Es022));
    assert_eq!(r.rows[0].principal, Some(dec("1000.00")));
    assert_eq!(r.rows[0].declaration_number.as_deref(), Some("D1"));
    assert_eq!(r.rows[0].status, Some(PaymentStatus::TreasuryIssued));
    // Without a marker header the kind is REV-615, which needs the refund number.
    let e = read_refund_report(text.as_bytes(), &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingColumn);
    assert!(e.to_string().contains("refund_number"), "{e}");

    // The same map from a file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.txt");
    std::fs::write(&path, map).unwrap();
    assert_eq!(read_column_map(&path).unwrap(), parse_column_map(map, "x").unwrap());

    // A mapped header that is absent is an error naming it.
    let e = read_refund_report(
        "Entry Number,Refund Number\nVSU-0828889-3,R1\n".as_bytes(),
        &RefundReportOptions::default().with_column(PaymentField::Principal, "Amount Paid"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("Amount Paid (mapped to principal)"), "{e}");
}

#[test]
fn bad_column_maps_are_refused_with_the_line() {
    let e = parse_column_map("principal=Amt\nprincipal_amt=X\n", "m.txt").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().starts_with("m.txt: line 2 \"principal_amt=X\""), "{e}");
    let e = parse_column_map("principal=Amt\nPrincipal = Other\n", "m.txt").unwrap_err();
    assert!(e.to_string().contains("line 2") && e.to_string().contains("mapped twice"), "{e}");
    let e = parse_column_map("principal Amt\n", "m.txt").unwrap_err();
    assert!(e.to_string().contains("expected FIELD=Header"), "{e}");
    assert_eq!(
        parse_column_assignment(" refund date = Paid On ").unwrap(),
        (PaymentField::RefundDate, "Paid On".into())
    );
    assert!(parse_column_assignment("status= -- ").is_err());
}

#[test]
fn two_fields_from_one_column_is_an_error() {
    let options = RefundReportOptions::default().with_column(PaymentField::Interest, "Principal Amount");
    let e = read_refund_report("Entry Number,Refund Number,Principal Amount\n".as_bytes(), &options).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().contains("principal and interest"), "{e}");
}

#[test]
fn the_kind_needs_its_columns() {
    // Neither an entry nor a refund number: REV-603 detected, its refund number missing.
    let e = read_refund_report("Principal Amount,Status\n1.00,Treasury Issued\n".as_bytes(), &Default::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingColumn);
    assert!(e.to_string().contains("required in a rev603 report"), "{e}");
    assert!(e.to_string().contains("columns found: Principal Amount, Status"), "{e}");
}

#[test]
fn empty_binary_and_oversized_inputs_are_refused() {
    let fmt = |bytes: &[u8]| read_refund_report(bytes, &Default::default()).unwrap_err().to_string();
    assert!(fmt(b"").contains("the file is empty"));
    assert!(fmt(b"\n\n,,\n").contains("the file is empty"));
    assert!(fmt(&std::fs::read(corpus("legacy_excel97.xls")).unwrap()).contains("Excel 97-2003"));
    // Workbooks are held to the ES-003 workbook limits: a zip bomb is refused before inflating; a sheet claiming
    // 4 GB or a cell at XFD1048576 costs nothing (their ES-003 headers then lack the refund columns).
    let e = read_refund_report(corpus("xlsx_ratio_bomb.xlsx").as_path(), &Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat, "{e}");
    for name in ["xlsx_4gb_claimed.xlsx", "xlsx_sparse_xfd1048576.xlsx"] {
        let e = read_refund_report(corpus(name).as_path(), &Default::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MissingColumn, "{name}: {e}");
    }
    // A sparse file over the size limit is refused from its size, not read.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big).unwrap().set_len(65 << 20).unwrap();
    let e = read_refund_report(big.as_path(), &Default::default()).unwrap_err();
    assert!(e.to_string().contains("67108864 cape reads as a refund report"), "{e}");
    // Too many rows.
    let mut text = String::from("Refund Number\n");
    for i in 0..11 {
        text.push_str(&format!("R{i}\n"));
    }
    let mut options = RefundReportOptions::default();
    options.max_rows = 10;
    let e = read_refund_report(text.as_bytes(), &options).unwrap_err();
    assert!(e.to_string().contains("more than 10 rows"), "{e}");
    text.truncate(text.len() - 4);
    assert_eq!(read_refund_report(text.as_bytes(), &options).unwrap().rows.len(), 10);
}

/// An unclosed quote runs past the record limit: that record is rejected with its length, and reading goes on.
#[test]
fn an_over_long_record_is_rejected_and_reading_goes_on() {
    let mut text = String::from("Refund Number,Principal Amount\nR1,1.00\nR2,\"");
    text.push_str(&"x".repeat(1_100_000));
    text.push_str("\nR3,3.00\n");
    let r = read(&text, &RefundReportOptions::default());
    assert!(r.rows.iter().any(|p| p.refund_number.as_deref() == Some("R1")));
    let d: Vec<_> = r.diagnostics.iter().filter(|d| d.code == DiagnosticCode::RefundRecordTooLong).collect();
    assert_eq!(d.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(d[0].row, Some(3));
    assert!(d[0].value.as_deref().unwrap().contains("bytes in all"));
    assert_balanced(&r);
}

#[test]
fn utf8_bom_and_quoted_breaks() {
    let text = "\u{feff}Refund Number;Principal Amount;Note\r\n\"R1\";\"1.234,00\";x\r\nR2;\"12.00\";\"two\r\nlines\"\r\nR3;7;y\r\n";
    let r = read(text, &RefundReportOptions::default());
    assert_eq!(r.kind, RefundReportKind::Rev603);
    // "1.234,00" is not an amount cape reads (European form): reported, not guessed. A quoted line break does
    // not start a row.
    assert_eq!(diags(&r), [(2, "REFUND_INVALID_MONEY", "Principal Amount".into(), "1.234,00".into())]);
    assert_eq!(
        r.rows.iter().map(|p| (p.row, p.principal)).collect::<Vec<_>>(),
        [(3, Some(dec("12.00"))), (4, Some(dec("7")))]
    );
}

#[test]
fn the_embedded_names_load_and_bad_names_are_refused() {
    let names = RefundReportNames::embedded().expect("embedded");
    assert!(names.sources.iter().any(|s| s.contains("CSMS 68536553")));
    assert_eq!(names.fields[&PaymentField::Principal][0], "Principal Amount");
    assert_eq!(names.status("Funds  diverted"), PaymentStatus::FundsDiverted);
    let json =
        cape_core::refund::payments::EMBEDDED_REFUND_COLUMNS_JSON.replace("\"Refund ID\"", "\"Principal Amount\"");
    let e = RefundReportNames::from_json(&json, "x.json").unwrap_err();
    assert!(e.to_string().contains("\"Principal Amount\" is given for both"), "{e}");
    // Caller names replace the embedded ones.
    let mut custom = names.clone();
    custom.fields.insert(PaymentField::RefundNumber, vec!["Ref".into()]);
    let mut options = RefundReportOptions::default();
    options.names = Some(custom);
    let r = read_refund_report("Ref,Status\nR9,Treasury Issued\n".as_bytes(), &options).expect("read");
    assert_eq!(r.rows[0].refund_number.as_deref(), Some("R9"));
}

#[test]
fn sources_from_paths_and_names() {
    let r = read_refund_report(
        RefundReportSource::Bytes { bytes: b"Refund Number\nR1\n", name: Some("rev603.csv") },
        &Default::default(),
    )
    .unwrap();
    assert_eq!(r.source, "rev603.csv");
    let e = read_refund_report(Path::new("/nonexistent/r.csv"), &Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

/// A generated large REV-615 (20,000 rows, every tenth bad): counts exact.
#[test]
fn a_large_generated_report_balances() {
    let mut text = String::from("Entry Number,Refund Number,Principal Amount,Interest Amount\n");
    let entry: String = "VSU-0828889-3".into();
    for i in 0..20_000u32 {
        if i % 10 == 9 {
            text.push_str(&format!("{entry},R{i},abc,0\n"));
        } else {
            text.push_str(&format!("{entry},R{i},1.01,0.01\n"));
        }
    }
    let r = read(&text, &RefundReportOptions::default());
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.rows_rejected), (20_000, 18_000, 2_000));
    assert_eq!((r.summary.principal, r.summary.interest), (dec("18180.00"), dec("180.00")));
}

#[test]
fn the_report_serialises_with_stable_names() {
    let r = read("Entry Number,Refund Number,Principal Amount,Status\nVSU-0828889-3,R1,\"$1,000.00\",Check Returned\nVSU-0828889-4,R2,1,x\n", &Default::default());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["kind"], "rev615");
    assert_eq!(v["format"], "csv");
    assert_eq!(v["columns"]["principal"], "Principal Amount");
    assert_eq!(v["rows"][0]["entry_number"], "VSU-0828889-3");
    assert_eq!(v["rows"][0]["principal"], "1000.00");
    assert_eq!(v["rows"][0]["status"], "returned");
    assert_eq!(v["diagnostics"][0]["code"], "REFUND_INVALID_ENTRY_NUMBER");
    assert_eq!(v["summary"]["rows_rejected"], 1);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// A cell from the values refund reports hold, good and bad (quotes, delimiters and line breaks included).
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("VSU-0828889-3".to_owned()),
            Just("VSU-0828889-4".to_owned()),
            Just("R1".to_owned()),
            Just("$1,234.56".to_owned()),
            Just("10.005".to_owned()),
            Just("(5.00)".to_owned()),
            Just("05/12/2026".to_owned()),
            Just("2026-02-30".to_owned()),
            Just("Treasury Issued".to_owned()),
            Just(String::new()),
            "[a-z0-9 ,\"\r\n$.]{0,12}",
        ]
    }

    proptest! {
        /// Whatever the rows, the reader does not panic and every row is used or rejected.
        #[test]
        fn every_row_is_used_or_rejected(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..7), 0..30)) {
            let mut text = String::from("Entry Number,Refund Number,Principal Amount,Interest Amount,Refund Date,Status\n");
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            if let Ok(r) = read_refund_report(text.as_bytes(), &RefundReportOptions::default()) {
                prop_assert_eq!(r.summary.rows_read, r.summary.rows_used + r.summary.rows_rejected);
                prop_assert_eq!(r.summary.rows_used, r.rows.len() as u64);
                let rejected_rows: std::collections::BTreeSet<u64> = r
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity() == cape_core::Severity::Error)
                    .filter_map(|d| d.row)
                    .collect();
                prop_assert_eq!(rejected_rows.len() as u64, r.summary.rows_rejected);
                for p in &r.rows {
                    prop_assert!(!rejected_rows.contains(&p.row));
                    prop_assert!(p.principal.is_none_or(|d| d.scale() <= 2 && !d.is_sign_negative()));
                }
            }
        }
    }
}

/// A REV-615 or ES-022 whose amount column cape does not know is refused naming the fields to map (it would
/// otherwise record every refund as paid nothing); mapped, it is read; a REV-603 needs no amount.
#[test]
fn an_entry_level_report_without_an_amount_column_is_refused() {
    let text =
        "Entry Number,Refund Number,Refund Amt,Refund Secondary Status\nSIK-0391330-5,R1,21862.56,Treasury Issued\n";
    for kind in [RefundReportKind::Rev615, RefundReportKind::Es022] {
        let mut options = RefundReportOptions::default();
        options.kind = Some(kind);
        let e = read_refund_report(text.as_bytes(), &options).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("principal or interest") && m.contains("Refund Amt"), "{m}");
    }
    let options = RefundReportOptions::default().with_column(PaymentField::Principal, "Refund Amt");
    let r = read(text, &options);
    assert_eq!(r.rows[0].principal, Some(dec("21862.56")));
    let rev603 = "Refund Number,Refund Secondary Status\nR1,Treasury Issued\n";
    assert_eq!(read(rev603, &RefundReportOptions::default()).rows.len(), 1);
}
