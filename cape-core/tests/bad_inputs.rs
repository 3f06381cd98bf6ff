//! The bad-input corpus (`tests/data/bad/`, written by `make_bad.py` there): each file one kind of mess seen in
//! real ACE exports, with the exact diagnostics (code, row, column, value) or the exact error cape answers with.
//! Every file is read under a time limit, must not panic, and must account for every row (balanced summary).

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cape_core::{read_es003_bytes, DiagnosticCode as C, ErrorKind, Es003, Result, Severity};

/// Reads a corpus file on another thread; fails on a panic or after 10 seconds.
fn read(name: &str) -> Result<Es003> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read_es003_bytes(&bytes, &Default::default()));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no answer within 10 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the reader panicked"),
    }
}

/// The diagnostics other than the informational missing-optional-column ones, as (code, row, column, value).
/// One diagnostic as (code, row, column, value).
type Seen<'a> = (C, Option<u64>, Option<&'a str>, Option<&'a str>);

fn diags(r: &Es003) -> Vec<Seen<'_>> {
    r.diagnostics
        .iter()
        .filter(|d| d.code != C::MissingOptionalColumn)
        .map(|d| (d.code, d.row, d.column.as_deref(), d.value.as_deref()))
        .collect()
}

/// Reads a file that must be read, checking the summary: (rows read, used, rejected, entries).
fn ok(name: &str, counts: (u64, u64, u64, u64)) -> Es003 {
    let r = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let s = &r.summary;
    assert!(s.is_balanced(), "{name}: {s:?}");
    assert_eq!((s.rows_read, s.rows_used, s.rows_rejected, s.entries), counts, "{name}");
    // Every diagnostic is counted once, per code, whether kept in detail or not.
    let counted: u64 = s.counts_by_code.values().sum();
    assert_eq!(counted, s.errors + s.warnings + s.infos, "{name}");
    assert_eq!(counted, r.diagnostics.len() as u64 + s.diagnostics_dropped, "{name}");
    let errors: u64 = s.counts_by_code.iter().filter(|(c, _)| c.severity() == Severity::Error).map(|(_, n)| n).sum();
    if s.diagnostics_dropped == 0 {
        // No silently dropped row: every rejected row has an error diagnostic naming it.
        let mut error_rows: Vec<u64> =
            r.diagnostics.iter().filter(|d| d.severity() == Severity::Error).filter_map(|d| d.row).collect();
        error_rows.dedup();
        assert_eq!(error_rows.len() as u64, s.rows_rejected, "{name}");
    } else {
        // Beyond the cap the exact counts stand for the list: at least one error per rejected row.
        assert!(errors >= s.rows_rejected, "{name}: {errors} errors, {} rejected", s.rows_rejected);
    }
    r
}

fn entries(r: &Es003) -> Vec<String> {
    r.entries.iter().map(|e| e.number.to_string()).collect()
}

const NAME: &str = "Entry Summary Number";
const LINE: &str = "Entry Summary Line Number";
const ORD: &str = "Tariff Ordinal Number";
const HTS: &str = "HTS Number - Full";
const VALUE: &str = "Line Tariff Goods Value Amount";
const DUTY: &str = "Line Tariff Duty Amount";
const DATE: &str = "Entry Date";

#[test]
fn truncated_mid_row() {
    let r = ok("truncated_mid_row.csv", (3, 2, 1, 1));
    assert_eq!(diags(&r), [(C::RaggedRow, Some(4), None, None)]);
    assert_eq!(entries(&r), ["VSU-0828889-3"]);
}

#[test]
fn truncated_mid_quote() {
    let r = ok("truncated_mid_quote.csv", (3, 2, 1, 1));
    assert_eq!(diags(&r), [(C::RaggedRow, Some(4), None, None)]);
}

#[test]
fn semicolon_delimiter_is_sniffed() {
    let r = ok("semicolon_delimiter.csv", (4, 4, 0, 2));
    assert_eq!(diags(&r), []);
    assert_eq!(entries(&r), ["VSU-0828889-3", "VSU-0828893-5"]);
}

#[test]
fn unknown_delimiter_is_a_missing_column() {
    let e = read("caret_delimiter.csv").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingColumn);
    let m = e.to_string();
    assert!(m.starts_with("<buffer>: required column \"Entry Summary Number\" not found; columns found: Entry Summary Number^Entry Summary Line Number^"), "{m}");
}

#[test]
fn missing_required_column() {
    let e = read("missing_required_column.csv").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingColumn);
    assert_eq!(
        e.to_string(),
        "<buffer>: required column \"Line Tariff Duty Amount\" not found; columns found: Entry Summary Number, \
         Entry Summary Line Number, Tariff Ordinal Number, HTS Number - Full, Line Tariff Goods Value Amount, \
         Entry Date, Importer Number, Importer Name"
    );
}

#[test]
fn header_repeated_mid_file() {
    let r = ok("header_repeated_mid_file.csv", (5, 4, 1, 2));
    let row = Some(4);
    assert_eq!(
        diags(&r),
        [
            (C::InvalidEntryNumber, row, Some(NAME), Some(NAME)),
            (C::InvalidNumber, row, Some(LINE), Some(LINE)),
            (C::InvalidNumber, row, Some(ORD), Some(ORD)),
            (C::InvalidHts, row, Some(HTS), Some(HTS)),
            (C::InvalidMoney, row, Some(DUTY), Some(DUTY)),
            (C::InvalidDate, row, Some(DATE), Some(DATE)),
        ]
    );
}

#[test]
fn duplicated_column_name_uses_the_first() {
    let r = ok("duplicate_column_name.csv", (2, 2, 0, 1));
    assert_eq!(diags(&r), [(C::DuplicateColumn, None, Some(DUTY), None)]);
    assert_eq!(r.entries[0].total_duty().to_string(), "100.00");
}

#[test]
fn mixed_date_formats() {
    let r = ok("mixed_date_formats.csv", (9, 8, 1, 4));
    assert_eq!(diags(&r), [(C::InvalidDate, Some(10), Some(DATE), Some("15.04.2025"))]);
    let dates: Vec<String> = r.entries.iter().map(|e| format!("{:?}", e.header.entry_date)).collect();
    assert_eq!(dates, ["Some(2025-04-15)", "Some(2025-04-15)", "Some(2025-04-15)", "Some(2025-04-05)"]);
}

#[test]
fn negative_and_non_numeric_money() {
    let r = ok("negative_and_nonnumeric_money.csv", (5, 4, 1, 3));
    assert_eq!(
        diags(&r),
        [
            (C::NegativeAmount, Some(2), Some(DUTY), Some("-50.00")),
            (C::NegativeAmount, Some(4), Some(DUTY), Some("(25.00)")),
            (C::InvalidMoney, Some(5), Some(DUTY), Some("N/A")),
            // The goods value is optional on a row: unreadable, kept verbatim, the row used.
            (C::UnreadableValue, Some(6), Some(VALUE), Some("12.3O")),
        ]
    );
    assert_eq!(entries(&r), ["VSU-0828889-3", "VSU-0828893-5", "WQH-0749210-0"]);
}

#[test]
fn sub_cent_money() {
    let r = ok("sub_cent_money.csv", (6, 3, 3, 2));
    assert_eq!(
        diags(&r),
        [
            (C::SubCentAmount, Some(4), Some(DUTY), Some("10.005")),
            (C::SubCentAmount, Some(5), Some(VALUE), Some("$1,000.0001")),
            (C::SubCentAmount, Some(7), Some(DUTY), Some("(0.125)")),
        ]
    );
    assert_eq!(entries(&r), ["VSU-0828889-3", "WQH-0749207-6"]);
    // Trailing zeros are whole cents, kept at two decimals.
    assert_eq!(r.entries[1].total_duty().to_string(), "10.00");
}

#[test]
fn twelve_character_entry_numbers() {
    let r = ok("twelve_char_entry_numbers.csv", (4, 2, 2, 1));
    assert_eq!(
        diags(&r),
        [
            (C::InvalidEntryNumber, Some(2), Some(NAME), Some("VSU082888931")),
            (C::InvalidEntryNumber, Some(3), Some(NAME), Some("VSU-0828889-31")),
        ]
    );
    let first = r.diagnostics.iter().find(|d| d.code == C::InvalidEntryNumber).expect("diagnostic");
    assert!(first.message.contains("found 12"), "{}", first.message);
}

#[test]
fn empty_rows_are_counted_and_blank_lines_keep_row_numbers() {
    // Rows 4 and 5 are blank lines (not data); rows 6, 7 and 10 hold only empty or blank cells.
    let r = ok("empty_rows.csv", (7, 4, 3, 2));
    assert_eq!(
        diags(&r),
        [(C::EmptyRow, Some(6), None, None), (C::EmptyRow, Some(7), None, None), (C::EmptyRow, Some(10), None, None)]
    );
    let rows: Vec<u64> = r.entries.iter().flat_map(|e| e.tariffs().map(|(_, t)| t.source_row)).collect();
    assert_eq!(rows, [2, 3, 8, 9]);
}

#[test]
fn latin1_importer_names_are_decoded_not_mangled() {
    let r = ok("latin1_importer_names.csv", (2, 2, 0, 1));
    assert_eq!(diags(&r), []);
    assert_eq!(format!("{:?}", r.entries[0].header.importer_name), "Known(\"Café Müller GmbH\")");
}

#[test]
fn split_entry_with_conflicting_importers() {
    let r = ok("split_entry_conflicting_importers.csv", (4, 4, 0, 2));
    assert_eq!(
        diags(&r),
        [
            (C::ConflictingEntryValue, Some(5), Some("Importer Number"), Some("98-765432100")),
            (C::ConflictingEntryValue, Some(5), Some("Importer Name"), Some("Other Importer LLC")),
            (C::SplitEntry, Some(5), None, None),
        ]
    );
    assert_eq!((r.summary.split_entries, r.summary.conflicting_entries), (1, 1));
    let a = &r.entries[1];
    assert_eq!(a.number.to_string(), "VSU-0828889-3");
    assert!(a.split && a.conflicting);
    // The first importer is kept, and the entry is flagged for review.
    assert_eq!(format!("{:?}", a.header.importer_name), "Known(\"Acme Imports\")");
}

#[test]
fn xlsx_claiming_4_gb_is_read_quickly_without_allocating_it() {
    // The zip directory claims a ~4 GB sheet; the reader streams the real (small) data: it neither trusts the
    // claim nor allocates it. (`read` fails after 10 s; a 4 GB allocation would abort the test process.)
    let t = std::time::Instant::now();
    let r = ok("xlsx_4gb_claimed.xlsx", (4, 4, 0, 2));
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(r.summary.format.name(), "xlsx");
    assert_eq!(entries(&r), ["VSU-0828889-3", "VSU-0828893-5"]);
}

#[test]
fn every_corpus_file_has_a_test() {
    let src = include_str!("bad_inputs.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad");
    for e in std::fs::read_dir(dir).expect("dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") || name.ends_with(".xlsx") {
            assert!(src.contains(&format!("\"{name}\"")), "{name} has no test");
        }
    }
}

// Regressions found by the fuzzers and this corpus.

/// Rows after blank lines were numbered as if the blank lines did not exist, so a diagnostic pointed a
/// spreadsheet user at the wrong row.
#[test]
fn regression_row_numbers_count_blank_lines() {
    let csv = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
               Line Tariff Duty Amount,Entry Date\n\
               VSU-0828889-3,1,1,9903.01.25,1.00,04/15/2025\n\n\r\n\
               VSU-0828889-3,1,2,\"9903.\n01.25\",N/A,04/15/2025\n\n\
               VSU-0828889-3,1,3,9903.01.25,x,04/15/2025\n";
    let r = read_es003_bytes(csv.as_bytes(), &Default::default()).expect("read");
    let rows: Vec<Option<u64>> = r.diagnostics.iter().filter(|d| d.code == C::InvalidMoney).map(|d| d.row).collect();
    // Row 5 holds a two-line quoted cell; one spreadsheet row. Row 6 is blank.
    assert_eq!(rows, [Some(5), Some(7)]);
}

/// Invalid UTF-8 text cells (Windows-1252 exports) became U+FFFD replacement characters.
#[test]
fn regression_windows_1252_text_is_decoded() {
    let mut csv = b"Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Duty Amount,Entry Date,Importer Name\nVSU-0828889-3,1,1,9903.01.25,1.00,04/15/2025,"
        .to_vec();
    csv.extend_from_slice(b"\x93Ren\xe9e\x94 \x80 S.A.\n");
    let r = read_es003_bytes(&csv, &Default::default()).expect("read");
    assert_eq!(format!("{:?}", r.entries[0].header.importer_name), "Known(\"“Renée” € S.A.\")");
}

/// Amounts of 29 digits parsed, but their two-decimal display did not parse back.
#[test]
fn regression_money_display_parses_back() {
    assert!(cape_core::Usd::parse("79228162514264337593543950335").is_err());
    assert!(cape_core::Usd::parse("100000000000000000000000000").is_err());
    let big = cape_core::Usd::parse("99999999999999999999999999.99").expect("just below 10^26");
    assert_eq!(cape_core::Usd::parse(&big.to_string()).expect("round trip"), big);
    let whole = cape_core::Usd::parse("99999999999999999999999999").expect("whole");
    assert_eq!(cape_core::Usd::parse(&whole.to_string()).expect("round trip"), whole);
}
