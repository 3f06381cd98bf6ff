//! ES-003 ingest: cell formats, column mapping, every row diagnostic, grouping, split entries, XLSX.

use cape_core::model::LiquidationStatus;
use cape_core::{read_es003_bytes, DiagnosticCode, Error, Es003, Es003Options, Es003Reader, Fact, Usd};
use chrono::NaiveDate;
use proptest::prelude::*;

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Importer Name,Entry Date,\
Country of Origin Code,Liquidation Date,Liquidation Status";

fn read(csv: &str) -> Es003 {
    read_es003_bytes(csv.as_bytes(), &{
        let mut o = Es003Options::default();
        o.source_name = Some("t.csv".into());
        o
    })
    .unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn usd(s: &str) -> Usd {
    s.parse().unwrap()
}

fn codes(r: &Es003) -> Vec<(Option<u64>, &'static str)> {
    r.diagnostics.iter().filter(|d| d.row.is_some()).map(|d| (d.row, d.code.as_str())).collect()
}

#[test]
fn cell_formats_bom_crlf_wrappers() {
    let csv = format!(
        "\u{feff}{HEADER}\r\n\
         =\"ABC-1234567-6\",1,1,=\"99030125\",0.00,\"$1,234.56\",=\"01\",12-345678900,,04/15/2025,CN,01/29/2026,Liquidated\r\n\
         ABC12345676,1,2,8471.30.0100,\"$12,345.00\",$0.00,01,12-345678900,\"Acme, Inc.\",2025-04-15,CN,01/29/2026,liquidated\r\n\
         abc 1234567 6,2,1,9903.01.24,0,-$5.10,1,12345678900,\"Acme, Inc.\",4/15/2025,cn,01/30/2026,Liquidated\r\n"
    );
    let r = read(&csv);
    assert_eq!(r.summary.rows_read, 3);
    assert_eq!(r.summary.rows_used, 3);
    assert_eq!(r.summary.rows_rejected, 0);
    assert_eq!(r.entries.len(), 1);
    let e = &r.entries[0];
    assert_eq!(e.number.to_string(), "ABC-1234567-6");
    assert_eq!(e.header.entry_date, Some(d(2025, 4, 15)));
    // A blank on the first row is filled by the next row's value: not a conflict.
    assert_eq!(e.header.importer_name, Fact::Known("Acme, Inc.".into()));
    assert_eq!(e.header.importer_number.known().unwrap().as_str(), "12-345678900");
    assert_eq!(e.lines.len(), 2);
    let l1 = &e.lines[0];
    assert_eq!(l1.tariffs[0].hts.to_string(), "9903.01.25");
    assert_eq!(l1.tariffs[0].duty, usd("1234.56"));
    assert_eq!(l1.tariffs[1].goods_value, Some(usd("12345.00")));
    assert_eq!(l1.tariffs[1].hts.to_string(), "8471.30.01.00");
    assert_eq!(e.lines[1].tariffs[0].duty, usd("-5.10"));
    assert_eq!(e.total_duty(), usd("1229.46"));
    // The liquidation date differs between rows 2-3 and row 4: a conflict; the first value is kept.
    assert!(e.conflicting);
    assert_eq!(e.header.liquidation_date, Fact::Known(d(2026, 1, 29)));
    assert_eq!(e.header.liquidation_status, Fact::Known(LiquidationStatus::Liquidated));
    let conflicts: Vec<_> = r.diagnostics.iter().filter(|d| d.code == DiagnosticCode::ConflictingEntryValue).collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    assert_eq!(conflicts[0].row, Some(4));
    assert_eq!(conflicts[0].column.as_deref(), Some("Liquidation Date"));
    assert_eq!(conflicts[0].value.as_deref(), Some("01/30/2026"));
    // The negative duty is used and reported.
    assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::NegativeAmount && d.row == Some(4)));
    assert!(r.summary.is_balanced());
}

#[test]
fn headers_match_case_space_and_alternates() {
    let csv = "entry number, LINE number ,tariff_ordinal,HTS NUMBER,line duty amount,ENTRY DATE,Extra Thing\n\
               ABC-1234567-6,1,1,99030125,10.00,03/05/2025,x\n";
    let r = read(csv);
    assert_eq!(r.entries.len(), 1);
    assert_eq!(r.entries[0].lines[0].tariffs[0].duty, usd("10.00"));
    let unknown: Vec<_> = r.diagnostics.iter().filter(|d| d.code == DiagnosticCode::UnknownColumn).collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].column.as_deref(), Some("Extra Thing"));
    // Missing optional columns are reported once each, as notes.
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == DiagnosticCode::MissingOptionalColumn && d.column.as_deref() == Some("Payment Date")));
    assert!(r.summary.columns_missing.contains(&"Liquidation Date"));
}

#[test]
fn missing_required_column_is_one_clear_error() {
    let csv =
        "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,Line Tariff Duty Amount,Entry Date\n";
    let err = read_es003_bytes(csv.as_bytes(), &Es003Options::default()).unwrap_err();
    match &err {
        Error::MissingColumn { column, found, .. } => {
            assert_eq!(column, "HTS Number - Full");
            assert!(found.contains("Tariff Ordinal Number"), "{found}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("required column \"HTS Number - Full\" not found"), "{err}");
}

#[test]
fn tab_delimited_is_detected() {
    let csv = "Entry Summary Number\tEntry Summary Line Number\tTariff Ordinal Number\tHTS Number - Full\tLine Tariff Duty Amount\tEntry Date\n\
               ABC-1234567-6\t1\t1\t99030125\t$1,000.00\t03/05/2025\n";
    let r = read(csv);
    assert_eq!(r.entries[0].lines[0].tariffs[0].duty, usd("1000"));
}

#[test]
fn every_bad_row_is_reported_with_row_column_value() {
    let csv = format!(
        "{HEADER}\n\
         ABC-1234567-5,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,X,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,1,9903012,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,1,99030125,0,ten,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,1,99030125,0,1.00,01,12-345678900,A,15/04/2025,CN,,\n\
         ABC-1234567-6,1,1,99030125,0,1.00\n\
         ,,,,,,,,,,,,\n\
         ABC-1234567-6,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,1,99030125,0,2.00,01,12-345678900,A,04/15/2025,CN,,\n\
         ABC-1234567-6,1,2,,0,2.00,01,12-345678900,A,04/15/2025,CN,,\n"
    );
    let r = read(&csv);
    let got = codes(&r);
    let expect = vec![
        (Some(2), "ES003_INVALID_ENTRY_NUMBER"),
        (Some(3), "ES003_MISSING_VALUE"),
        (Some(4), "ES003_INVALID_NUMBER"),
        (Some(5), "ES003_INVALID_HTS"),
        (Some(6), "ES003_INVALID_MONEY"),
        (Some(7), "ES003_INVALID_DATE"),
        (Some(8), "ES003_RAGGED_ROW"),
        (Some(9), "ES003_EMPTY_ROW"),
        (Some(11), "ES003_DUPLICATE_ROW"),
        (Some(12), "ES003_CONFLICTING_DUPLICATE_ROW"),
        (Some(13), "ES003_MISSING_VALUE"),
    ];
    assert_eq!(got, expect);
    let bad_check = &r.diagnostics.iter().find(|d| d.row == Some(2)).unwrap();
    assert_eq!(bad_check.column.as_deref(), Some("Entry Summary Number"));
    assert_eq!(bad_check.value.as_deref(), Some("ABC-1234567-5"));
    assert!(bad_check.message.contains("check digit is 5, expected 6"), "{}", bad_check.message);
    assert_eq!(&*bad_check.source, "t.csv");
    let money = r.diagnostics.iter().find(|d| d.row == Some(6)).unwrap();
    assert_eq!((money.column.as_deref(), money.value.as_deref()), (Some("Line Tariff Duty Amount"), Some("ten")));
    assert_eq!(r.summary.rows_read, 12);
    assert_eq!(r.summary.rows_used, 1);
    assert_eq!(r.summary.rows_rejected, 11);
    assert!(r.summary.is_balanced());
    // The conflicting duplicate makes the entry need review.
    assert!(r.entries[0].conflicting);
    assert_eq!(r.diagnostics.iter().find(|d| d.row == Some(12)).unwrap().entry.unwrap().to_string(), "ABC-1234567-6");
}

#[test]
fn non_contiguous_entries_are_merged_and_contiguous_ones_stream() {
    let a = "ABC-1234567-6";
    let b = "B76-0158522-0";
    let c = "316-0123456-5";
    let row = |e: &str, line: u32, ord: u32, duty: &str| {
        format!("{e},{line},{ord},99030125,0,{duty},01,12-345678900,A,04/15/2025,CN,,\n")
    };
    let csv = format!(
        "{HEADER}\n{}{}{}{}{}{}",
        row(a, 1, 1, "1.00"),
        row(b, 1, 1, "2.00"),
        row(a, 2, 1, "3.00"),
        row(c, 1, 1, "4.00"),
        row(c, 1, 2, "5.00"),
        row(a, 1, 2, "6.00")
    );
    let mut reader = Es003Reader::from_bytes(csv.into_bytes(), &Es003Options::default()).unwrap();
    // B's run is closed when row 4 (A again) is read; B is yielded before the rest of the file.
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.number.to_string(), b);
    assert!(reader.summary().rows_read < 6);
    let rest: Vec<_> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(rest.iter().map(|e| e.number.to_string()).collect::<Vec<_>>(), vec![c, a]);
    let merged = &rest[1];
    assert!(merged.split);
    assert_eq!(merged.lines.len(), 2);
    assert_eq!(merged.lines[0].tariffs.iter().map(|t| t.ordinal).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(merged.total_duty(), usd("10.00"));
    let s = reader.summary();
    assert_eq!((s.entries, s.split_entries, s.rows_used, s.tariff_rows), (3, 1, 6, 6));
    let splits: Vec<_> = reader.diagnostics().iter().filter(|d| d.code == DiagnosticCode::SplitEntry).collect();
    assert_eq!(splits.len(), 1);
    assert_eq!(splits[0].row, Some(4));
}

#[test]
fn optional_facts_are_explicit() {
    let csv = format!(
        "{HEADER}\n\
         ABC-1234567-6,1,1,99030125,0,1.00,01,weird#1,A,04/15/2025,CN,01/30/2026,Closed\n\
         B76-0158522-0,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n\
         316-0123456-5,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,limbo\n"
    );
    let r = read(&csv);
    let e = &r.entries;
    assert_eq!(e[0].header.liquidation_status, Fact::Known(LiquidationStatus::Liquidated));
    assert_eq!(e[0].header.liquidation_date, Fact::Known(d(2026, 1, 30)));
    assert!(e[0].header.importer_number.known().unwrap().is_unrecognised());
    assert_eq!(e[1].header.liquidation_status, Fact::Blank);
    assert_eq!(e[1].header.payment_date, Fact::NotSupplied);
    assert_eq!(e[2].header.liquidation_status, Fact::Unreadable("limbo".into()));
    assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::UnrecognisedImporterNumber && d.row == Some(2)));
    assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::UnreadableValue && d.row == Some(4)));
}

#[test]
fn xlsx_with_typed_cells_and_serial_dates() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("ES-003 Line Tariff").unwrap();
    let cols = [
        "Entry Summary Number",
        "Entry Summary Line Number",
        "Tariff Ordinal Number",
        "HTS Number - Full",
        "Line Tariff Goods Value Amount",
        "Line Tariff Duty Amount",
        "Entry Date",
        "Liquidation Date",
    ];
    for (i, c) in cols.iter().enumerate() {
        ws.write_string(0, i as u16, *c).unwrap();
    }
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    ws.write_string(1, 0, "ABC-1234567-6").unwrap();
    ws.write_number(1, 1, 1.0).unwrap();
    ws.write_number(1, 2, 1.0).unwrap();
    ws.write_string(1, 3, "99030125").unwrap();
    ws.write_number(1, 4, 0.0).unwrap();
    ws.write_number(1, 5, 1234.56).unwrap();
    ws.write_datetime_with_format(1, 6, ExcelDateTime::from_ymd(2025, 4, 15).unwrap(), &date_fmt).unwrap();
    // A date stored as a bare serial number (not date-formatted) in the liquidation column.
    ws.write_number(1, 7, 46052.0).unwrap();
    ws.write_string(2, 0, "ABC-1234567-6").unwrap();
    ws.write_number(2, 1, 1.0).unwrap();
    ws.write_number(2, 2, 2.0).unwrap();
    ws.write_number(2, 3, 8471300100.0).unwrap();
    ws.write_number(2, 4, 12345.0).unwrap();
    ws.write_number(2, 5, 0.1).unwrap();
    ws.write_string(2, 6, "04/15/2025").unwrap();
    ws.write_number(2, 7, 46052.0).unwrap();
    ws.write_string(3, 0, "ABC-1234567-6").unwrap();
    ws.write_string(3, 3, "bad").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = read_es003_bytes(&bytes, &Es003Options::default()).unwrap();
    assert_eq!(r.summary.format.name(), "xlsx");
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.rows_rejected), (3, 2, 1));
    let e = &r.entries[0];
    assert_eq!(e.header.entry_date, Some(d(2025, 4, 15)));
    assert_eq!(e.header.liquidation_date, Fact::Known(d(2026, 1, 30)));
    assert_eq!(e.lines[0].tariffs[0].duty, usd("1234.56"));
    assert_eq!(e.lines[0].tariffs[1].duty, usd("0.1"));
    assert_eq!(e.lines[0].tariffs[1].hts.to_string(), "8471.30.01.00");
    // Row numbers are the sheet's rows: the bad row is row 4.
    assert!(r.diagnostics.iter().any(|d| d.row == Some(4) && d.code == DiagnosticCode::MissingValue));
    // A named sheet that does not exist is a clear error listing the sheets.
    let err = read_es003_bytes(&bytes, &{
        let mut o = Es003Options::default();
        o.sheet = Some("Nope".into());
        o
    })
    .unwrap_err();
    assert!(err.to_string().contains("ES-003 Line Tariff"), "{err}");
}

#[test]
fn empty_and_headerless_inputs() {
    let err = read_es003_bytes(b"", &Es003Options::default()).unwrap_err();
    assert!(err.to_string().contains("empty file"), "{err}");
    // A header alone is not a report read with no entries: it is a file-level error (it used to be a quiet
    // success with 0 entries).
    let err = read_es003_bytes(format!("{HEADER}\n").as_bytes(), &Es003Options::default()).unwrap_err();
    assert_eq!(err.kind(), cape_core::ErrorKind::InvalidFormat);
    assert_eq!(err.to_string(), "<buffer>: no usable row: the file has a header and no data row");
}

#[test]
fn missing_file_is_an_io_error() {
    let err = cape_core::read_es003_path("/nonexistent/es003.csv", &Es003Options::default()).unwrap_err();
    assert_eq!(err.kind(), cape_core::ErrorKind::Io);
    assert!(err.to_string().contains("/nonexistent/es003.csv"));
}

/// One generated row: a valid row of one of a few entries, or a kind of bad row.
fn arb_row() -> impl Strategy<Value = String> {
    let entries = ["ABC-1234567-6", "B76-0158522-0", "316-0123456-5", "ZZZ-0000000-3"];
    prop_oneof![
        6 => (0usize..4, 1u32..4, 1u32..4, 0i64..100_000).prop_map(move |(e, l, o, c)| {
            format!("{},{l},{o},99030125,0,{}.{:02},01,12-345678900,A,04/15/2025,CN,,\n", entries[e], c / 100, c % 100)
        }),
        1 => Just("ABC-1234567-5,1,1,99030125,0,1.00,01,X,A,04/15/2025,CN,,\n".to_owned()),
        1 => Just("ABC-1234567-6,1,1,99030125,0,abc,01,X,A,04/15/2025,CN,,\n".to_owned()),
        1 => Just(",,,,,,,,,,,,\n".to_owned()),
        1 => Just("ABC-1234567-6,1\n".to_owned()),
    ]
}

proptest! {
    #[test]
    fn rows_read_equals_used_plus_rejected(rows in proptest::collection::vec(arb_row(), 0..60)) {
        let csv = format!("{HEADER}\n{}", rows.concat());
        let opts = { let mut o = Es003Options::default(); o.source_name = Some("t.csv".into()); o };
        // With no valid row (the only rows with an importer number), no row is usable: a file-level error.
        let any_valid = rows.iter().any(|r| r.contains("12-345678900"));
        let r = match read_es003_bytes(csv.as_bytes(), &opts) {
            Ok(r) => r,
            Err(e) => {
                prop_assert!(!any_valid, "{}", e);
                prop_assert_eq!(e.kind(), cape_core::ErrorKind::InvalidFormat);
                let read = rows.len();
                prop_assert!(e.to_string().contains(if read == 0 { "a header and no data row".to_owned() } else { format!("{read} row") }.as_str()), "{}", e);
                return Ok(());
            }
        };
        prop_assert!(any_valid);
        let s = &r.summary;
        prop_assert_eq!(s.rows_read, rows.len() as u64);
        prop_assert!(s.is_balanced(), "{:?}", s);
        let used: usize = r.entries.iter().map(|e| e.tariff_count()).sum();
        prop_assert_eq!(used as u64, s.rows_used);
        // Every rejected row has at least one error diagnostic on its row.
        let mut err_rows: Vec<u64> = r.diagnostics.iter().filter(|d| d.severity() == cape_core::Severity::Error).filter_map(|d| d.row).collect();
        err_rows.dedup();
        prop_assert_eq!(err_rows.len() as u64, s.rows_rejected);
        // Each entry appears once.
        let mut nums: Vec<_> = r.entries.iter().map(|e| e.number).collect();
        nums.sort();
        let before = nums.len();
        nums.dedup();
        prop_assert_eq!(before, nums.len());
    }
}

proptest! {
    /// Over-long records among good and bad rows, in any order (entries split around them): each is one
    /// rejected row with its code, and every other row is read as without them.
    #[test]
    fn over_long_records_are_rows_and_change_nothing_else(
        rows in proptest::collection::vec(
            prop_oneof![
                4 => arb_row(),
                1 => (0usize..2, 100usize..400).prop_map(|(quoted, n)| {
                    let q = if quoted == 1 { "\"" } else { "" };
                    format!("ABC-1234567-6,1,9,{q}{}\n", "7".repeat(n))
                }),
            ],
            1..40,
        ),
    ) {
        let opts = { let mut o = Es003Options::default(); o.max_record_bytes = Some(99); o };
        let long = rows.iter().filter(|r| r.len() > 100).count() as u64;
        let short: String = rows.iter().filter(|r| r.len() <= 100).cloned().collect();
        let with = read_es003_bytes(format!("{HEADER}\n{}", rows.concat()).as_bytes(), &opts);
        let without = read_es003_bytes(format!("{HEADER}\n{short}").as_bytes(), &opts);
        match (with, without) {
            (Ok(a), Ok(b)) => {
                prop_assert!(a.summary.is_balanced());
                prop_assert_eq!(a.summary.rows_read, rows.len() as u64);
                prop_assert_eq!(a.summary.rows_rejected, b.summary.rows_rejected + long);
                let too_long = a.diagnostics.iter().filter(|d| d.code == DiagnosticCode::RecordTooLong).count() as u64;
                prop_assert_eq!(too_long, long);
                let key = |r: &Es003| r.entries.iter().map(|e| (e.number, e.tariff_count(), e.total_duty())).collect::<Vec<_>>();
                let (mut ka, mut kb) = (key(&a), key(&b));
                ka.sort();
                kb.sort();
                prop_assert_eq!(ka, kb);
            }
            (Err(a), Err(_)) => prop_assert_eq!(a.kind(), cape_core::ErrorKind::InvalidFormat),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.map(|r| r.summary), b.map(|r| r.summary)),
        }
    }
}

#[test]
fn records_input_equals_csv_input() {
    let csv = format!(
        "{HEADER}\n\
         ABC-1234567-6,1,1,99030125,0,\"$1,234.56\",01,12-345678900,\"Acme, Inc.\",04/15/2025,CN,,\n\
         ABC-1234567-6,1,2,8471300100,1000,0,01,12-345678900,\"Acme, Inc.\",04/15/2025,CN,,\n\
         ABC-1234567-5,1,1,99030125,0,1.00,01,12-345678900,A,04/15/2025,CN,,\n"
    );
    let from_csv = read(&csv);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    let all: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let from_records = Es003Reader::from_records(&all[0], all[1..].to_vec(), &{
        let mut o = Es003Options::default();
        o.source_name = Some("t.csv".into());
        o
    })
    .unwrap()
    .read_all()
    .unwrap();
    assert_eq!(from_records.entries, from_csv.entries);
    assert_eq!(from_records.diagnostics, from_csv.diagnostics);
    assert_eq!(from_records.summary.rows_rejected, 1);
    assert_eq!(from_records.summary.format.name(), "records");
}

/// A report with CR line ends (Excel's "CSV (Macintosh)") larger than the 1 MiB record limit is read row by
/// row, not refused as one over-long header.
#[test]
fn carriage_return_line_ends_over_the_record_limit() {
    let mut text = String::from(
        "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
         Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date,Notes\r",
    );
    let rows = 14_000u32;
    for i in 0..rows {
        let n = cape_core::EntryNumber::from_parts("VSU", i).unwrap();
        text.push_str(&format!("{n},1,1,99030125,0,10.00,04/15/2025,padding-to-grow-the-file-past-one-mib\r"));
    }
    assert!(text.len() > 1 << 20, "{}", text.len());
    let r = read_es003_bytes(text.as_bytes(), &Es003Options::default()).unwrap();
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.entries), (14_000, 14_000, 14_000));
}

#[test]
fn an_unreadable_quantity_or_an_excel_error_unit_is_reported_not_dropped() {
    let csv = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Duty Amount,Entry Date,Line Tariff Quantity (1),Line Tariff UOM (1) Code\n\
ABC-1234567-6,1,1,8471300100,10.00,06/02/2025,twelve,#N/A\n\
ABC-1234567-6,1,2,8471300200,10.00,06/02/2025,\"1,200\",KG\n";
    let r = cape_core::read_es003_bytes(csv.as_bytes(), &Default::default()).unwrap();
    assert_eq!((r.summary.rows_read, r.summary.rows_used), (2, 2));
    let unreadable: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == cape_core::DiagnosticCode::UnreadableValue)
        .map(|d| (d.row, d.value.as_deref().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(unreadable, [(Some(2), "twelve".to_owned()), (Some(2), "#N/A".to_owned())], "{:?}", r.diagnostics);
    let t = &r.entries[0].lines[0].tariffs;
    assert_eq!((t[0].quantity, t[0].uom.is_none()), (None, true));
    assert_eq!(t[1].quantity, Some(rust_decimal::Decimal::from(1200)));
}
