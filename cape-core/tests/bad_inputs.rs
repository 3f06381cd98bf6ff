//! The bad-input corpus (`tests/data/bad/`, written by `make_bad.py` there): each file one kind of mess seen in
//! real ACE exports, with the exact diagnostics (code, row, column, value) or the exact error cape answers with.
//! Every file is read under a time limit, must not panic, and must account for every row (balanced summary).

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cape_core::{
    read_es003_bytes, read_es003_path, DiagnosticCode as C, ErrorKind, Es003, Es003Options, Es003Reader, Result,
    Severity,
};

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
fn xlsx_with_one_cell_at_xfd1048576_is_read_in_bounded_memory() {
    // The sheet declares A1:XFD1048576; the old reader built that grid (512 GiB) and aborted. The stray cell
    // is one ragged row at the row Excel shows.
    let r = ok("xlsx_sparse_xfd1048576.xlsx", (5, 4, 1, 2));
    assert_eq!(diags(&r), [(C::RaggedRow, Some(1_048_576), None, None)]);
    let d = r.diagnostics.iter().find(|d| d.code == C::RaggedRow).unwrap();
    assert_eq!(&*d.source, "<buffer>[Sheet1]");
}

#[test]
fn xlsx_continuing_on_three_sheets_is_read_whole() {
    // Sheet3 has its columns in reverse order; the Notes sheet has no ES-003 header and is skipped, said so.
    let r = ok("xlsx_three_sheets.xlsx", (8, 8, 0, 4));
    assert_eq!(entries(&r), ["VSU-0828889-3", "VSU-0828893-5", "WQH-0749207-6", "WQH-0749210-0"]);
    assert!(r.entries.iter().all(|e| !e.split && e.tariff_count() == 2));
    assert_eq!(r.summary.sheets_read, ["Sheet1", "Sheet2", "Sheet3"]);
    assert_eq!(r.summary.sheets_skipped, ["Notes"]);
}

#[test]
fn xlsx_with_merged_entry_cells_reports_the_covered_rows() {
    // Excel keeps a merged range's value in its first cell only: the second row of each entry has no entry
    // number and is rejected, named.
    let r = ok("xlsx_merged_entry_cells.xlsx", (4, 2, 2, 2));
    assert_eq!(
        diags(&r),
        [(C::MissingValue, Some(3), Some(NAME), Some("")), (C::MissingValue, Some(5), Some(NAME), Some(""))]
    );
}

#[test]
fn xlsx_ratio_bomb_is_refused_before_it_is_inflated() {
    let t = std::time::Instant::now();
    let err = read("xlsx_ratio_bomb.xlsx").unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.contains("\"xl/worksheets/sheet1.xml\"") && m.contains("100:1"), "{m}");
}

#[test]
fn xlsx_shared_strings_count_lie_is_refused_not_reserved() {
    // calamine reserves the declared count before reading (24 TB here): refused from the part's size.
    let err = read("xlsx_shared_strings_count_lie.xlsx").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.contains("\"xl/sharedStrings.xml\" declares 1000000000000 shared strings"), "{m}");
}

#[test]
fn legacy_xls_is_refused_with_advice() {
    let err = read("legacy_excel97.xls").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    assert!(err.to_string().contains("save the sheet as .xlsx or .csv"), "{err}");
}

/// The bytes of a corpus file.
fn corpus_bytes(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A declaration with CR line ends, a blank line and a quoted line break is read by the ES-003 record reader:
/// the two-line cell is one malformed row, and the rows keep the numbers a spreadsheet shows.
#[test]
fn declaration_with_cr_line_ends_and_a_quoted_break() {
    use cape_core::claim::{preflight_bytes, PreflightOptions, Verdict};
    let r = preflight_bytes(&corpus_bytes("declaration_cr_quoted_break.csv"), &PreflightOptions::default());
    let entries: Vec<(u64, String)> = r.entries.iter().map(|l| (l.row, l.entry_number.to_string())).collect();
    assert_eq!(entries, [(2, "VSU-0828889-3".to_owned()), (5, "WQH-0749207-6".to_owned())]);
    let found: Vec<(Option<u64>, &str)> = r.findings.iter().map(|f| (f.row, f.code.as_str())).collect();
    assert_eq!(found, [(Some(3), "BLANK_ROW"), (Some(4), "MALFORMED_ENTRY_NUMBER")]);
    assert_eq!(r.findings[1].value.as_deref(), Some("VSU08288935\nnote"));
    assert_eq!((r.rows_read, r.verdict), (5, Verdict::RejectFile));
}

/// A declaration saved as UTF-16LE with its byte-order mark is read as its text, with a warning.
#[test]
fn declaration_in_utf16le_is_read_as_its_text() {
    use cape_core::claim::{preflight_bytes, PreflightOptions, Verdict};
    let r = preflight_bytes(&corpus_bytes("declaration_utf16le_bom.csv"), &PreflightOptions::default());
    let entries: Vec<(u64, String)> = r.entries.iter().map(|l| (l.row, l.entry_number.to_string())).collect();
    assert_eq!(entries, [(2, "VSU-0828889-3".to_owned()), (3, "WQH-0749210-0".to_owned())]);
    let found: Vec<(Option<u64>, &str)> = r.findings.iter().map(|f| (f.row, f.code.as_str())).collect();
    assert_eq!(found, [(None, "UTF16_TEXT")]);
    assert_eq!(r.verdict, Verdict::Accept);
}

/// A CAPE results file in UTF-16LE with CR line ends and an error text broken over two lines inside quotes.
#[test]
fn results_in_utf16le_with_cr_line_ends_and_a_quoted_break() {
    use cape_core::claim::{read_results_bytes, CapeErrorKind, ResultStatus};
    let r = read_results_bytes(&corpus_bytes("results_utf16le_cr_quoted_break.csv"), None).expect("read");
    let rows: Vec<(u64, String, &ResultStatus, Option<CapeErrorKind>)> = r
        .rows
        .iter()
        .map(|x| {
            (
                x.row,
                x.entry_number.map(|n| n.to_string()).unwrap_or_default(),
                &x.status,
                x.error.as_ref().map(|e| e.kind),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2, "VSU-0828889-3".to_owned(), &ResultStatus::Failed, Some(CapeErrorKind::FinalLiquidation)),
            (4, "VSU-0828893-5".to_owned(), &ResultStatus::EntrySummaryUpdated, None),
        ]
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

/// A claim-details file with a broker workbook's headers (`Entry Summary Number`, `Cape Claim Number`, `Filing
/// Status`, `Error Detail`, a notes column), a BOM and `="…"` values: read by the documented alternates, as CSV
/// and as XLSX, the same rows; the bad check digit is a problem, not an error.
#[test]
fn results_with_a_broker_workbooks_headers() {
    use cape_core::claim::{read_results_bytes, CapeErrorKind, ResultStatus};
    for name in ["results_broker_headers.csv", "results_broker_headers.xlsx"] {
        let r = read_results_bytes(&corpus_bytes(name), Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        /// (row, entry, entry as written, claim, status, error kind).
        type Row<'a> = (u64, Option<String>, &'a str, Option<&'a str>, &'a ResultStatus, Option<CapeErrorKind>);
        let rows: Vec<Row<'_>> = r
            .rows
            .iter()
            .map(|x| {
                (
                    x.row,
                    x.entry_number.map(|n| n.to_string()),
                    x.entry_text.as_str(),
                    x.claim_number.as_deref(),
                    &x.status,
                    x.error.as_ref().map(|e| e.kind),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    2,
                    Some("VSU-0828889-3".to_owned()),
                    "VSU08288893",
                    Some("C000777"),
                    &ResultStatus::EntrySummaryUpdated,
                    None
                ),
                (
                    3,
                    Some("VSU-0828893-5".to_owned()),
                    "VSU-0828893-5",
                    Some("C000777"),
                    &ResultStatus::Failed,
                    Some(CapeErrorKind::ProtestOnEntry)
                ),
                (4, None, "VSU-0828889-4", Some("C000777"), &ResultStatus::Failed, Some(CapeErrorKind::InvalidHts)),
            ],
            "{name}"
        );
        let problems: Vec<(u64, &str)> = r.problems.iter().map(|p| (p.row, p.value.as_str())).collect();
        assert_eq!(problems, [(4, "VSU-0828889-4")], "{name}");
        assert!(r.problems[0].message.contains("check digit is 4, expected 3"), "{}", r.problems[0].message);
        assert_eq!((r.summary.rows, r.summary.updated, r.summary.failed), (3, 1, 2), "{name}");
    }
}

#[test]
fn every_corpus_file_has_a_test() {
    // The refund reports are tested with the refund-report reader, the ledger files with the ledger.
    let src = [include_str!("bad_inputs.rs"), include_str!("refund_reports.rs"), include_str!("ledger.rs")].concat();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad");
    for e in std::fs::read_dir(dir).expect("dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if [".csv", ".xlsx", ".xls", ".db"].iter().any(|x| name.ends_with(x)) {
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

// The source layer: encodings, inputs read once, no usable row, over-long records.

/// The UTF-8 text of a UTF-16 corpus file, as the same report saved as UTF-8 would be.
fn utf16_as_utf8(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad").join(name);
    let bytes = std::fs::read(&path).expect("corpus file");
    let be = bytes.starts_with(&[0xFE, 0xFF]);
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
        .collect();
    String::from_utf16(&units).expect("valid UTF-16").into_bytes()
}

/// Entries and diagnostics of two reads, compared field by field (the source name aside).
fn same_report(a: &Es003, b: &Es003) {
    assert_eq!(format!("{:?}", a.entries), format!("{:?}", b.entries));
    let d = |r: &Es003| r.diagnostics.iter().map(|d| (d.code, d.row, d.column.clone(), d.value.clone())).collect();
    let (da, db): (Vec<_>, Vec<_>) = (d(a), d(b));
    assert_eq!(da, db);
    let counts = |r: &Es003| (r.summary.rows_read, r.summary.rows_used, r.summary.entries, r.summary.lines);
    assert_eq!(counts(a), counts(b));
}

#[test]
fn utf16_little_and_big_endian_read_as_their_utf8_text() {
    let utf8 = read_es003_bytes(&utf16_as_utf8("utf16le_bom_tab_crlf.csv"), &Default::default()).expect("utf-8");
    assert_eq!((utf8.summary.rows_read, utf8.summary.rows_used, utf8.summary.entries), (20, 20, 5));
    for name in ["utf16le_bom_tab_crlf.csv", "utf16be_bom_tab_crlf.csv"] {
        let r = ok(name, (20, 20, 0, 5));
        same_report(&r, &utf8);
        assert_eq!(entries(&r), ["VSU-0828889-3", "VSU-0828893-5", "WQH-0749207-6", "WQH-0749210-0", "OAT-0893674-1"]);
        assert_eq!(format!("{:?}", r.entries[1].header.importer_name), "Known(\"Café Müller GmbH\")");
        assert_eq!(format!("{:?}", r.entries[3].header.importer_name), "Known(\"𝔸 Trading – Zürich\")");
        assert_eq!(r.entries[4].total_duty().to_string(), "100.03");
        // From a path too, on one thread and asked for two (a UTF-16 file is read in one part).
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad").join(name);
        same_report(&read_es003_path(&path, &Default::default()).expect("path"), &utf8);
        let mut parts = Es003Reader::open_parts(&path, &Default::default(), 2).expect("parts");
        assert_eq!(parts.len(), 1);
        // Progress counts the text read: it ends at 100% (the file's UTF-16 bytes are twice its text).
        let mut reader = parts.remove(0);
        for e in reader.by_ref() {
            e.expect("entry");
        }
        let done = reader.progress().expect("size known");
        assert!(done > 0.99, "progress at the end: {done}");
    }
}

#[test]
fn a_large_utf16_file_is_read_in_one_part_with_every_row() {
    // Over the 1 MB at which a UTF-8 file is cut in two.
    let head = utf16_as_utf8("utf16le_bom_tab_crlf.csv");
    let text = String::from_utf8(head).expect("utf-8");
    let mut lines = text.split("\r\n");
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let mut big = format!("{header}\r\n");
    let mut n = 0u64;
    while big.len() < 700_000 {
        for r in &rows {
            big.push_str(r);
            big.push_str("\r\n");
            n += 1;
        }
    }
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(big.encode_utf16().flat_map(u16::to_le_bytes));
    assert!(bytes.len() > 1_000_000);
    let dir = std::env::temp_dir().join(format!("cape-utf16-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("big.csv");
    std::fs::write(&path, &bytes).expect("write");
    let mut parts = Es003Reader::open_parts(&path, &Default::default(), 2).expect("parts");
    assert_eq!(parts.len(), 1);
    let r = parts.remove(0).read_all().expect("read");
    // The same five entries repeat: later copies are duplicates of the first rows, every row accounted for.
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.entries), (n, 20, 5));
    assert!(r.summary.is_balanced());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_header_alone_is_a_file_level_error() {
    let e = read("header_only.csv").expect_err("no usable row");
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert_eq!(e.to_string(), "<buffer>: no usable row: the file has a header and no data row");
}

#[test]
fn every_row_rejected_is_a_file_level_error_naming_the_codes() {
    let e = read("all_rows_rejected.csv").expect_err("no usable row");
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert_eq!(
        e.to_string(),
        "<buffer>: no usable row: 4 rows read, all rejected (most frequent: ES003_INVALID_ENTRY_NUMBER ×2, \
         ES003_INVALID_DATE ×1, ES003_INVALID_HTS ×1, and 1 other code)"
    );
    // `cape declare` fails on it (exit 65) and writes no declaration.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad/all_rows_rejected.csv");
    let out_dir = std::env::temp_dir().join(format!("cape-declare-none-{}", std::process::id()));
    let args: Vec<String> = ["declare", &path.to_string_lossy(), "--out-dir", &out_dir.to_string_lossy()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cape_core::cli::run(&args, &mut out, &mut err);
    let err = String::from_utf8_lossy(&err);
    assert_eq!(code, cape_core::cli::EXIT_INPUT, "{err}");
    assert!(err.contains("no usable row: 4 rows read"), "{err}");
    let written = std::fs::read_dir(&out_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(written, 0);
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn an_over_long_record_is_a_rejected_row_and_the_next_rows_are_read() {
    let mut csv = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
                   Line Tariff Duty Amount,Entry Date\n\
                   VSU-0828889-3,1,1,9903.01.25,1.00,04/15/2025\n"
        .to_owned();
    csv.push_str(&format!("VSU-0828893-5,1,1,\"{}\n", "9".repeat(5_000)));
    csv.push_str("VSU-0828893-5,1,1,9903.01.25,2.00,04/15/2025\n");
    let options = {
        let mut o = Es003Options::default();
        o.max_record_bytes = Some(1_000);
        o
    };
    let r = read_es003_bytes(csv.as_bytes(), &options).expect("read");
    assert_eq!((r.summary.rows_read, r.summary.rows_used, r.summary.rows_rejected, r.summary.entries), (3, 2, 1, 2));
    let d = r.diagnostics.iter().find(|d| d.code == C::RecordTooLong).expect("diagnostic");
    assert_eq!(d.row, Some(3));
    assert_eq!(d.value.as_deref(), Some(&csv[csv.find("VSU-0828893-5,1,1,\"").expect("row")..][..64]));
    assert!(d.message.contains("record of 5019 bytes is longer than the limit of 1000 bytes"), "{}", d.message);
    assert_eq!(C::RecordTooLong.as_str(), "ES003_RECORD_TOO_LONG");
    // The default limit is 1 MiB: the same file reads the row whole (and rejects its unclosed quote otherwise).
    let r = read_es003_bytes(csv.as_bytes(), &Default::default()).expect("read");
    assert!(r.diagnostics.iter().all(|d| d.code != C::RecordTooLong));
}

#[test]
fn a_header_over_the_record_limit_is_a_file_level_error() {
    let csv = format!("{}\nVSU-0828889-3\n", "Entry Summary Number,".repeat(100));
    let options = {
        let mut o = Es003Options::default();
        o.max_record_bytes = Some(1_000);
        o
    };
    let e = read_es003_bytes(csv.as_bytes(), &options).expect_err("header too long");
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().contains("the header row is 2100 bytes long"), "{e}");
}

/// A FIFO (`mkfifo`) read through `Es003Reader::open`: read once (it cannot be opened twice), with the same
/// entries as the file it carries; the reader runs on its own thread under a time limit, a writer on another.
#[cfg(unix)]
#[test]
fn a_fifo_is_read_once_with_the_same_entries_as_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let csv = root.join("tests/data/bad/split_entry_conflicting_importers.csv");
    let xlsx = root.join("tests/fuzz/corpus/es003_xlsx/seed-small.xlsx");
    for (src, threads) in [(&csv, 1), (&csv, 2), (&xlsx, 1)] {
        let want = read_es003_path(src, &Default::default()).expect("file");
        let dir = std::env::temp_dir().join(format!(
            "cape-fifo-{}-{threads}-{}",
            std::process::id(),
            want.summary.format.name()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let fifo = dir.join("es003.csv");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
        assert!(made.success());
        let bytes = std::fs::read(src).expect("corpus file");
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().write(true).open(&writer_path).expect("open fifo for writing");
            f.write_all(&bytes).expect("write fifo");
        });
        let (tx, rx) = mpsc::channel();
        let reader_path = fifo.clone();
        std::thread::spawn(move || {
            let r = if threads == 1 {
                Es003Reader::open(&reader_path, &Default::default()).and_then(Es003Reader::read_all)
            } else {
                Es003Reader::open_parts(&reader_path, &Default::default(), 2).and_then(|mut p| {
                    assert_eq!(p.len(), 1, "a FIFO is read in one part");
                    p.remove(0).read_all()
                })
            };
            let _ = tx.send(r);
        });
        let got = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(r) => r.expect("read the fifo"),
            Err(e) => panic!("reading a FIFO: {e:?} (hung, or the reader panicked)"),
        };
        writer.join().expect("writer");
        same_report(&got, &want);
        assert_eq!(got.summary.source, fifo.display().to_string());
        assert_eq!(got.summary.format, want.summary.format);
        if src == &csv {
            assert_eq!(entries(&got), ["VSU-0828893-5", "VSU-0828889-3"]);
        } else {
            assert!(!got.entries.is_empty());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn excel_error_values_are_unreadable_never_blank() {
    use cape_core::assess::{AssessOptions, Tables};
    use cape_core::model::{AdCvdStatus, FinalLiquidation, ImporterClass};
    use cape_core::Fact;
    let r = ok("excel_error_values.csv", (10, 8, 2, 4));
    assert_eq!(
        diags(&r),
        [
            (C::UnreadableValue, Some(2), Some("Payment Date"), Some("#N/A")),
            (C::UnreadableValue, Some(6), Some("AD/CVD Liquidation Status"), Some("#N/A")),
            (C::UnreadableValue, Some(6), Some("Country of Origin Code"), Some("#VALUE!")),
            (C::InvalidMoney, Some(10), Some(DUTY), Some("#DIV/0!")),
            (C::InvalidDate, Some(11), Some(DATE), Some("#REF!")),
        ]
    );
    let [a, b, c, d] = &r.entries[..] else { panic!("{:?}", entries(&r)) };
    assert_eq!(a.header.payment_date, Fact::Unreadable("#N/A".into()));
    assert_eq!(a.header.final_liquidation, Fact::Known(FinalLiquidation::Flag(false)));
    // The word N/A still means "not AD/CVD"; `individual` is the non-corporate class.
    assert_eq!(b.header.adcvd_status, Fact::Known(AdCvdStatus::NotApplicable));
    assert_eq!(b.header.importer_class, Fact::Known(ImporterClass::NonCorporate));
    assert_eq!(c.header.adcvd_status, Fact::Unreadable("#N/A".into()));
    assert_eq!(c.lines[0].country_of_origin, Fact::Unreadable("#VALUE!".into()));
    let final_on = chrono::NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
    assert_eq!(d.header.final_liquidation, Fact::Known(FinalLiquidation::On(final_on)));

    let tables = Tables::embedded().unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let report = cape_core::assess_es003(&r, &tables, AssessOptions::new(as_of)).unwrap();
    let seen: Vec<(String, &str, Vec<String>)> = report
        .entries
        .iter()
        .map(|e| {
            let c = &e.claim;
            (e.entry_number().to_string(), c.status.name(), c.reasons.iter().map(|r| r.message.clone()).collect())
        })
        .collect();
    let unread = |col: &str, v: &str| format!("`{col}` holds {v:?}, which cape cannot read; check the value");
    assert_eq!(
        seen,
        [
            ("VSU-0828889-3".to_owned(), "needs_review", vec![unread("Payment Date", "#N/A")]),
            ("VSU-0828893-5".to_owned(), "eligible", vec![]),
            (
                "WQH-0749207-6".to_owned(),
                "needs_review",
                vec![
                    unread("AD/CVD Liquidation Status", "#N/A"),
                    "`Country of Origin Code` holds \"#VALUE!\" on line 1, which cape cannot read; check the value"
                        .to_owned()
                ]
            ),
            ("WQH-0749210-0".to_owned(), "eligible", vec![]),
        ]
    ); // The `Final Liquidation` date: final from that day on.
    let on_day = chrono::NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
    let report = cape_core::assess_es003(&r, &tables, AssessOptions::new(on_day)).unwrap();
    let d = &report.entries[3].claim;
    assert_eq!((d.status.name(), d.reasons[0].code.as_str()), ("ineligible", "FINALLY_LIQUIDATED"));
}

#[test]
fn xlsx_excel_error_cells_are_unreadable_never_blank() {
    use cape_core::model::{AdCvdStatus, ImporterClass};
    use cape_core::Fact;
    let r = ok("xlsx_excel_error_cells.xlsx", (4, 3, 1, 2));
    assert_eq!(
        diags(&r),
        [
            (C::UnreadableValue, Some(2), Some("AD/CVD Liquidation Status"), Some("#N/A")),
            (C::UnreadableValue, Some(2), Some("Importer Class"), Some("#NAME?")),
            (C::InvalidMoney, Some(4), Some(DUTY), Some("#DIV/0!")),
        ]
    );
    assert_eq!(r.entries[0].header.adcvd_status, Fact::Unreadable("#N/A".into()));
    assert_eq!(r.entries[0].header.importer_class, Fact::Unreadable("#NAME?".into()));
    assert_eq!(r.entries[1].header.adcvd_status, Fact::Known(AdCvdStatus::NotApplicable));
    assert_eq!(r.entries[1].header.importer_class, Fact::Known(ImporterClass::NonCorporate));
}
