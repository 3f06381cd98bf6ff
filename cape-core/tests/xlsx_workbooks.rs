//! Workbooks read safely: sparse sheets and zip bombs in bounded memory, every ES-003 sheet read (and the
//! others reported), formats calamine cannot bound refused.

#[path = "common/mini_xlsx.rs"]
mod mini_xlsx;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use cape_core::{read_es003_bytes, DiagnosticCode as C, ErrorKind, Es003, Es003Options, Result, Severity};
use mini_xlsx::{cells, package, part, repeated_part, row_xml, sheet, sheet_start, workbook, zip, SHEET_END};

const H: [&str; 7] = [
    "Entry Summary Number",
    "Entry Summary Line Number",
    "Tariff Ordinal Number",
    "HTS Number - Full",
    "Line Tariff Goods Value Amount",
    "Line Tariff Duty Amount",
    "Entry Date",
];
const A: &str = "VSU-0828889-3";
const B: &str = "VSU-0828893-5";
const CC: &str = "WQH-0749207-6";
const D: &str = "WQH-0749210-0";

/// The two rows of a good entry's line `line`: an IEEPA ordinal and its Chapter 1-97 ordinal.
fn ordinal(entry: &'static str, line: &'static str, ord: u8) -> Vec<&'static str> {
    match ord {
        1 => vec![entry, line, "1", "9903.01.25", "0.00", "100.00", "04/15/2025"],
        _ => vec![entry, line, "2", "8471300100", "1000.00", "0.00", "04/15/2025"],
    }
}

fn opts(name: &str) -> Es003Options {
    let mut o = Es003Options::default();
    o.source_name = Some(name.into());
    o
}

/// Reads on another thread; fails on a panic or after 20 seconds.
fn read(bytes: Vec<u8>, o: Es003Options) -> Result<Es003> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read_es003_bytes(&bytes, &o));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("no answer within 20 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the reader panicked"),
    }
}

fn counts(r: &Es003) -> (u64, u64, u64, u64) {
    let s = &r.summary;
    assert!(s.is_balanced(), "{s:?}");
    (s.rows_read, s.rows_used, s.rows_rejected, s.entries)
}

/// (source, row, code) of the diagnostics of severity error.
fn errors(r: &Es003) -> Vec<(String, Option<u64>, C)> {
    r.diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| (d.source.to_string(), d.row, d.code))
        .collect()
}

/// An entry as (number, split, [(line, ordinal, HTS, duty)]).
type Shape = (String, bool, Vec<(u32, u32, String, String)>);

/// Entries as (number, split, [(line, ordinal, HTS, duty)]): everything but the source rows, which count
/// per sheet in a workbook.
fn shape(r: &Es003) -> Vec<Shape> {
    r.entries
        .iter()
        .map(|e| {
            let t = e
                .lines
                .iter()
                .flat_map(|l| {
                    l.tariffs.iter().map(move |t| (l.number, t.ordinal, t.hts.to_string(), t.duty.to_string()))
                })
                .collect();
            (e.number.to_string(), e.split, t)
        })
        .collect()
}

fn numbers(r: &Es003) -> Vec<String> {
    r.entries.iter().map(|e| e.number.to_string()).collect()
}

#[test]
fn one_cell_at_xfd1048576_is_one_ragged_row_in_bounded_memory() {
    // calamine's dense range for this sheet is 17 billion cells (the old reader aborted on a 512 GiB
    // allocation); streamed, it is three rows.
    let xml = sheet(
        "A1:XFD1048576",
        &[
            (1, cells(&H)),
            (2, cells(&ordinal(A, "1", 1))),
            (3, cells(&ordinal(A, "1", 2))),
            (1_048_576, vec![(16_383, "x")]),
        ],
    );
    let bytes = workbook(&[("Sheet1", xml)]);
    assert!(bytes.len() < 20_000);
    let r = read(bytes, opts("sparse.xlsx")).unwrap();
    assert_eq!(counts(&r), (3, 2, 1, 1));
    assert_eq!(errors(&r), [("sparse.xlsx[Sheet1]".to_owned(), Some(1_048_576), C::RaggedRow)]);
    assert_eq!(r.summary.sheets_read, ["Sheet1"]);
}

#[test]
fn sparse_rows_far_down_are_read_at_their_row_numbers() {
    // Rows 500000 and 500001 continue the data; row 900000 holds one stray cell past the header (column Z).
    let xml = sheet(
        "A1:Z900000",
        &[
            (1, cells(&H)),
            (2, cells(&ordinal(A, "1", 1))),
            (3, cells(&ordinal(A, "1", 2))),
            (500_000, cells(&ordinal(B, "1", 1))),
            (500_001, cells(&ordinal(B, "1", 2))),
            (900_000, vec![(25, "stray")]),
        ],
    );
    let r = read(workbook(&[("Sheet1", xml)]), opts("sparse.xlsx")).unwrap();
    assert_eq!(counts(&r), (5, 4, 1, 2));
    assert_eq!(numbers(&r), [A, B]);
    assert_eq!(errors(&r), [("sparse.xlsx[Sheet1]".to_owned(), Some(900_000), C::RaggedRow)]);
    let d = r.diagnostics.iter().find(|d| d.code == C::RaggedRow).unwrap();
    assert!(d.message.contains("26 cells"), "{}", d.message);
}

#[test]
fn short_and_merged_rows_are_padded_not_ragged() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in H.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (r, row) in [ordinal(A, "1", 1), ordinal(A, "1", 2), ordinal(B, "1", 1)].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    // The entry number merged over rows 2-3 (only the first holds it), and a "Total" row merged across the
    // whole width of the sheet (16384 columns, blank but for its first cell).
    ws.merge_range(1, 0, 2, 0, A, &Format::new()).unwrap();
    ws.merge_range(5, 0, 5, 16_383, "Total", &Format::new()).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = read(bytes, opts("merged.xlsx")).unwrap();
    assert_eq!(counts(&r), (4, 2, 2, 2));
    let e = errors(&r);
    assert_eq!(
        e[..2],
        [
            ("merged.xlsx[Sheet1]".to_owned(), Some(3), C::MissingValue),
            ("merged.xlsx[Sheet1]".to_owned(), Some(6), C::InvalidEntryNumber),
        ]
    );
    // The "Total" row's other required cells are reported missing; no row is ragged.
    assert!(e[2..].iter().all(|(_, row, code)| *row == Some(6) && *code == C::MissingValue), "{e:?}");
}

/// Sheet 1: A, then B's first ordinal; sheet 2 (same header): the rest of B, then C; sheet 3 (the header's
/// columns in reverse order): D, a bad row, and a second line of A (a split entry).
fn three_sheets(with_notes: bool) -> Vec<u8> {
    let s1 = sheet(
        "A1:G4",
        &[
            (1, cells(&H)),
            (2, cells(&ordinal(A, "1", 1))),
            (3, cells(&ordinal(A, "1", 2))),
            (4, cells(&ordinal(B, "1", 1))),
        ],
    );
    let s2 = sheet(
        "A1:G4",
        &[
            (1, cells(&H)),
            (2, cells(&ordinal(B, "1", 2))),
            (3, cells(&ordinal(CC, "1", 1))),
            (4, cells(&ordinal(CC, "1", 2))),
        ],
    );
    let rev = |v: Vec<&'static str>| -> Vec<&'static str> { v.into_iter().rev().collect() };
    let s3 = sheet(
        "A1:G5",
        &[
            (1, cells(&rev(H.to_vec()))),
            (2, cells(&rev(ordinal(D, "1", 1)))),
            (3, cells(&rev(ordinal(D, "1", 2)))),
            (4, cells(&rev(ordinal("not-an-entry", "1", 1)))),
            (5, cells(&rev(ordinal(A, "2", 1)))),
        ],
    );
    let notes = sheet("A1:B2", &[(1, cells(&["Notes"])), (2, cells(&["exported by", "ACE"]))]);
    let mut sheets = vec![("Sheet1", s1)];
    if with_notes {
        sheets.push(("Notes", notes));
    }
    sheets.push(("Sheet2", s2));
    sheets.push(("Sheet3", s3));
    workbook(&sheets)
}

#[test]
fn every_es003_sheet_is_read_in_order_as_one_report() {
    let r = read(three_sheets(true), opts("multi.xlsx")).unwrap();
    assert_eq!(r.summary.sheets_read, ["Sheet1", "Sheet2", "Sheet3"]);
    assert_eq!(r.summary.sheets_skipped, ["Notes"]);
    assert_eq!(counts(&r), (10, 9, 1, 4));
    // B continues across the sheet boundary like consecutive CSV rows; A's line 2 on sheet 3 is merged.
    assert_eq!(numbers(&r), [B, CC, D, A]);
    let a = &r.entries[3];
    assert!(a.split);
    assert_eq!((a.lines.len(), a.tariff_count()), (2, 3));
    assert!(!r.entries[0].split);
    assert_eq!(r.entries[0].tariff_count(), 2);
    // Row numbers are per sheet, and the source names the sheet.
    assert_eq!(errors(&r), [("multi.xlsx[Sheet3]".to_owned(), Some(4), C::InvalidEntryNumber)]);
    let split = r.diagnostics.iter().find(|d| d.code == C::SplitEntry).unwrap();
    assert!(split.source.starts_with("multi.xlsx["), "{}", split.source);

    // Exactly what the same rows give as one CSV.
    let mut csv = H.join(",") + "\n";
    for (e, l, o) in [(A, "1", 1), (A, "1", 2), (B, "1", 1), (B, "1", 2), (CC, "1", 1), (CC, "1", 2)] {
        csv += &(ordinal(e, l, o).join(",") + "\n");
    }
    for (e, l, o) in [(D, "1", 1), (D, "1", 2), ("not-an-entry", "1", 1), (A, "2", 1)] {
        csv += &(ordinal(e, l, o).join(",") + "\n");
    }
    let c = read_es003_bytes(csv.as_bytes(), &opts("multi.csv")).unwrap();
    assert_eq!(shape(&c), shape(&r));
    assert_eq!((c.summary.split_entries, c.summary.rows_rejected), (1, 1));
}

#[test]
fn two_sheets_without_notes() {
    let r = read(three_sheets(false), opts("multi.xlsx")).unwrap();
    assert_eq!(r.summary.sheets_skipped, Vec::<String>::new());
    assert_eq!(counts(&r), (10, 9, 1, 4));
    // Only the first two sheets: A, B across the boundary, C.
    let s1 = sheet("A1:G3", &[(1, cells(&H)), (2, cells(&ordinal(A, "1", 1))), (3, cells(&ordinal(B, "1", 1)))]);
    let s2 = sheet("A1:G3", &[(1, cells(&H)), (2, cells(&ordinal(B, "1", 2))), (3, cells(&ordinal(A, "1", 2)))]);
    let r = read(workbook(&[("One", s1), ("Two", s2)]), opts("two.xlsx")).unwrap();
    assert_eq!(counts(&r), (4, 4, 0, 2));
    assert_eq!(numbers(&r), [B, A]);
    assert!(r.entries[1].split);
    assert_eq!(r.summary.sheets_read, ["One", "Two"]);
}

#[test]
fn sheet_option_reads_only_that_sheet() {
    let mut o = opts("multi.xlsx");
    o.sheet = Some("sheet2".into());
    let r = read(three_sheets(true), o).unwrap();
    assert_eq!(r.summary.sheets_read, ["Sheet2"]);
    assert_eq!(r.summary.sheets_skipped, ["Sheet1", "Notes", "Sheet3"]);
    assert_eq!(counts(&r), (3, 3, 0, 2));
    assert_eq!(numbers(&r), [B, CC]);
    // A named sheet without the header is read as asked, and its missing columns reported.
    let mut o = opts("multi.xlsx");
    o.sheet = Some("Notes".into());
    let err = read(three_sheets(true), o).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingColumn, "{err}");
}

#[test]
fn a_later_sheet_with_other_columns_is_refused_clearly() {
    let s1 = sheet("A1:G2", &[(1, cells(&H)), (2, cells(&ordinal(A, "1", 1)))]);
    let h2: Vec<&str> = H.iter().copied().filter(|h| !h.contains("Goods")).collect();
    let s2 = sheet("A1:F1", &[(1, cells(&h2))]);
    let err = read(workbook(&[("Sheet1", s1), ("Sheet2", s2)]), opts("cols.xlsx")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.contains("\"Sheet2\"") && m.contains("Line Tariff Goods Value Amount") && m.contains("--sheet"), "{m}");
}

#[test]
fn zip_bomb_sheet_is_refused_by_the_ratio_limit_quickly() {
    // 200 MiB of sheet XML from well under 1 MB.
    let mut parts = package(&["Sheet1"]);
    let prefix = sheet_start("A1:A1") + &row_xml(1, &cells(&H));
    let unit = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
    let chunk = unit.repeat((1 << 20) / unit.len());
    parts.push(repeated_part(
        "xl/worksheets/sheet1.xml",
        prefix.as_bytes(),
        chunk.as_bytes(),
        200,
        SHEET_END.as_bytes(),
    ));
    let bytes = zip(&parts);
    assert!(bytes.len() < 1_000_000, "{}", bytes.len());
    let t = Instant::now();
    let err = read(bytes, opts("bomb.xlsx")).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.starts_with("bomb.xlsx: "), "{m}");
    assert!(m.contains("\"xl/worksheets/sheet1.xml\"") && m.contains("100:1") && m.contains("zip bomb"), "{m}");
}

#[test]
fn members_lying_about_their_size() {
    let good = sheet("A1:G3", &[(1, cells(&H)), (2, cells(&ordinal(A, "1", 1))), (3, cells(&ordinal(A, "1", 2)))]);
    // A part claiming 1 GiB (calamine would hold shared strings in memory): over the 128 MiB part limit.
    let mut parts = package(&["Sheet1"]);
    parts.push(part("xl/worksheets/sheet1.xml", good.as_bytes()));
    let mut strings =
        part("xl/sharedStrings.xml", br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>"#);
    strings.claimed = Some(1 << 30);
    parts.push(strings);
    let bytes = zip(&parts);
    let err = read(bytes.clone(), opts("lie.xlsx")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.contains("\"xl/sharedStrings.xml\"") && m.contains("1073741824") && m.contains("134217728"), "{m}");
    // With the limit raised the claim is checked by inflating: the data is small, and the workbook is read.
    let mut o = opts("lie.xlsx");
    o.workbook.max_part_bytes = 2 << 30;
    let r = read(bytes, o).unwrap();
    assert_eq!(counts(&r), (2, 2, 0, 1));

    // A sheet claiming less than it holds: the zip reader stops at the claim, the XML is cut, a clear error.
    let mut parts = package(&["Sheet1"]);
    let mut sheet1 = part("xl/worksheets/sheet1.xml", good.as_bytes());
    sheet1.claimed = Some(sheet1.size / 2);
    parts.push(sheet1);
    let err = read(zip(&parts), opts("lie.xlsx")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat, "{err}");
    let m = err.to_string();
    assert!(m.contains("\"xl/worksheets/sheet1.xml\" is damaged") && m.contains("larger than its declared"), "{m}");
}

#[test]
fn a_sheet_cut_mid_row_is_a_format_error_from_the_reader_thread() {
    let xml = sheet_start("A1:G3")
        + &row_xml(1, &cells(&H))
        + &row_xml(2, &cells(&ordinal(A, "1", 1)))
        + r#"<row r="3"><c r="A3" t="inlineStr"><is><t>VSU"#;
    let err = read(workbook(&[("Sheet1", xml)]), opts("cut.xlsx")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat, "{err}");
    assert!(err.to_string().starts_with("cut.xlsx: sheet \"Sheet1\""), "{err}");
}

#[test]
fn formats_that_cannot_be_bounded_are_refused() {
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    let ods = zip(&[
        part("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        part("content.xml", b"<office:document-content/>"),
    ]);
    let xlsb = zip(&[part("[Content_Types].xml", b"<Types/>"), part("xl/workbook.bin", b"\x83\x01\x00")]);
    for (bytes, what) in [(xls, ".xls"), (ods, ".ods"), (xlsb, ".xlsb")] {
        let err = read(bytes, opts("old")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidFormat, "{what}: {err}");
        let m = err.to_string();
        assert!(m.contains(what) && m.contains("save the sheet as .xlsx or .csv"), "{what}: {m}");
    }
}

#[test]
fn workbook_from_a_path_is_streamed_with_sheets_named() {
    let dir = std::env::temp_dir().join(format!("cape-xlsx-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("multi.xlsx");
    std::fs::write(&path, three_sheets(true)).unwrap();
    let r = cape_core::read_es003_path(&path, &Es003Options::default()).unwrap();
    assert_eq!(counts(&r), (10, 9, 1, 4));
    let bad = r.diagnostics.iter().find(|d| d.code == C::InvalidEntryNumber).unwrap();
    assert_eq!(&*bad.source, format!("{}[Sheet3]", path.display()));
    assert_eq!(r.summary.source, path.display().to_string());
    let json = serde_json::to_value(&r.summary).unwrap();
    assert_eq!(json["sheets_read"], serde_json::json!(["Sheet1", "Sheet2", "Sheet3"]));
    assert_eq!(json["sheets_skipped"], serde_json::json!(["Notes"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_ingest_says_which_sheets_were_read_and_takes_sheet() {
    let dir = std::env::temp_dir().join(format!("cape-xlsx-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("multi.xlsx");
    std::fs::write(&path, three_sheets(true)).unwrap();
    let path = path.to_string_lossy().into_owned();
    let run = |args: &[&str]| -> (i32, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = cape_core::cli::run(&args, &mut out, &mut err);
        (code, String::from_utf8(out).unwrap())
    };
    let (code, out) = run(&["ingest", &path]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sheets read     Sheet1, Sheet2, Sheet3\n"), "{out}");
    assert!(out.contains("sheets skipped  Notes\n"), "{out}");
    assert!(out.contains("rows read       10\n"), "{out}");
    assert!(out.contains(&format!("{path}[Sheet3]")), "{out}");
    let (code, out) = run(&["ingest", &path, "--sheet", "Sheet2", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["sheets_read"], serde_json::json!(["Sheet2"]));
    assert_eq!(v["summary"]["rows_read"], 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rows_of_spaces_are_reported_and_blank_text_above_the_header_is_not_a_header() {
    // Spaces as Excel writes them (xml:space="preserve"; without it the XML parser drops them).
    let spaces = |r: u32, cols: &[&str]| -> String {
        let mut x = format!(r#"<row r="{r}">"#);
        for c in cols {
            x += &format!(r#"<c r="{c}{r}" t="inlineStr"><is><t xml:space="preserve">  </t></is></c>"#);
        }
        x + "</row>"
    };
    let xml = sheet_start("A1:G6")
        + &spaces(1, &["A"])
        + &row_xml(2, &cells(&H))
        + &row_xml(3, &cells(&ordinal(A, "1", 1)))
        + &spaces(4, &["B", "D"])
        + &row_xml(5, &cells(&ordinal(A, "1", 2)))
        + SHEET_END;
    let r = read(workbook(&[("Sheet1", xml)]), opts("spaces.xlsx")).unwrap();
    assert_eq!(counts(&r), (3, 2, 1, 1));
    assert_eq!(errors(&r), [("spaces.xlsx[Sheet1]".to_owned(), Some(4), C::EmptyRow)]);
}

/// The token check measures a cell split across the scan's buffers (64 KiB) as well as one inside a buffer, at
/// any limit.
#[test]
fn the_token_limit_holds_across_and_within_scan_buffers() {
    let sheet = |len: usize| {
        let prefix = sheet_start("A1:G2") + &row_xml(1, &cells(&H)) + r#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#;
        let suffix = String::from("</t></is></c></row>") + SHEET_END;
        let mut parts = package(&["Sheet1"]);
        parts
            .push(part("xl/worksheets/sheet1.xml", &[prefix.as_bytes(), &vec![b'x'; len], suffix.as_bytes()].concat()));
        zip(&parts)
    };
    let refused = |len: usize, limit: u64| {
        let mut o = opts("t.xlsx");
        o.workbook.max_ratio = u64::MAX;
        o.workbook.max_token_bytes = limit;
        match read(sheet(len), o) {
            Err(e) => e.to_string().contains("holds a cell or tag of more than"),
            Ok(_) => false,
        }
    };
    // A limit of a buffer or more: only a cell across two buffers can pass it.
    assert!(refused((64 << 10) + 10, 64 << 10));
    assert!(refused(200 << 10, 100 << 10));
    assert!(!refused(60 << 10, 64 << 10));
    // A limit under a buffer: a short cell within one buffer is measured.
    assert!(refused(300, 200));
    assert!(!refused(150, 200));
}

#[test]
fn a_cell_longer_than_excel_allows_is_refused_before_it_is_parsed() {
    // 8 MiB of text in one cell (Excel's limit is 32,767 characters): the XML parser would hold it whole.
    let mut parts = package(&["Sheet1"]);
    let prefix = sheet_start("A1:G2") + &row_xml(1, &cells(&H)) + r#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#;
    let suffix = String::from("</t></is></c></row>") + SHEET_END;
    parts.push(repeated_part("xl/worksheets/sheet1.xml", prefix.as_bytes(), &[b'x'; 1 << 20], 8, suffix.as_bytes()));
    let bytes = zip(&parts);
    // (x repeated compresses 1000:1: the ratio limit is lifted to reach the cell check.)
    let mut o = opts("long.xlsx");
    o.workbook.max_ratio = u64::MAX;
    let err = read(bytes.clone(), o).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    let m = err.to_string();
    assert!(m.contains("\"xl/worksheets/sheet1.xml\" holds a cell or tag of more than 1048576 bytes"), "{m}");
    // The limit is the caller's: raised, the cell is parsed, and its row rejected as too long (8 MiB in one
    // cell, over the 128 KiB a cell may carry), not copied; the file's only row, so the file has no usable row.
    let mut o = opts("long.xlsx");
    o.workbook.max_token_bytes = 16 << 20;
    o.workbook.max_ratio = u64::MAX;
    let m = read(bytes, o).unwrap_err().to_string();
    assert!(m.contains("no usable row: 1 row read") && m.contains("ES003_RECORD_TOO_LONG ×1"), "{m}");
}
