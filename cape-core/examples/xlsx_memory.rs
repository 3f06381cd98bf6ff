//! Memory check for streamed XLSX reading: writes an N-row ES-003 workbook, then reads it with the streaming
//! reader and prints the counts and the process's peak resident memory.
//!
//! ```text
//! cargo run -p cape-core --example xlsx_memory -- write /tmp/es003-1m.xlsx 1000000
//! prlimit --as=209715200 target/debug/examples/xlsx_memory read /tmp/es003-1m.xlsx
//! /usr/bin/time -v target/debug/examples/xlsx_memory read /tmp/es003-1m.xlsx
//! ```
//!
//! The workbook is what Excel writes for such a report: entry numbers, HTS numbers and names in the shared
//! strings table (so every entry number is held in memory once, as calamine keeps that table), line and
//! ordinal numbers, amounts and dates as numbers (dates date-formatted).

#[path = "../tests/common/mini_xlsx.rs"]
mod mini_xlsx;

use std::io::Write;

use cape_core::{EntryNumber, Es003Options, Es003Reader};
use mini_xlsx::{package, part, zip, PartWriter};

const HEADER: [&str; 9] = [
    "Entry Summary Number",
    "Entry Summary Line Number",
    "Tariff Ordinal Number",
    "HTS Number - Full",
    "Line Tariff Goods Value Amount",
    "Line Tariff Duty Amount",
    "Entry Date",
    "Importer Number",
    "Importer Name",
];

fn write(path: &str, rows: u32) -> std::io::Result<()> {
    let entries = rows.div_ceil(2);
    // Shared strings: the header, two HTS numbers, an importer, then one entry number per entry.
    let mut sst = PartWriter::new("xl/sharedStrings.xml");
    let fixed = HEADER.len() as u32 + 3;
    write!(
        sst,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        fixed + entries
    )?;
    for s in HEADER.iter().chain(["9903.01.25", "8471300100", "Acme Imports"].iter()) {
        write!(sst, "<si><t>{s}</t></si>")?;
    }
    for e in 0..entries {
        let n = EntryNumber::from_parts("VSU", e).map_err(std::io::Error::other)?;
        write!(sst, "<si><t>{n}</t></si>")?;
    }
    sst.write_all(b"</sst>")?;
    let styles = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="mm/dd/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

    let mut sheet = PartWriter::new("xl/worksheets/sheet1.xml");
    write!(
        sheet,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:I{}"/><sheetData><row r="1">"#,
        rows + 1
    )?;
    for (i, _) in HEADER.iter().enumerate() {
        write!(sheet, r#"<c r="{}1" t="s"><v>{i}</v></c>"#, mini_xlsx::col_name(i as u32))?;
    }
    sheet.write_all(b"</row>")?;
    let hts = HEADER.len();
    for i in 0..rows {
        let r = i + 2;
        let (entry, ordinal) = (i / 2, i % 2 + 1);
        let (value, duty) = if ordinal == 1 { ("0", "100.25") } else { ("1000", "0") };
        write!(
            sheet,
            r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c><c r="B{r}"><v>1</v></c><c r="C{r}"><v>{ordinal}</v></c><c r="D{r}" t="s"><v>{}</v></c><c r="E{r}"><v>{value}</v></c><c r="F{r}"><v>{duty}</v></c><c r="G{r}" s="1"><v>45762</v></c><c r="H{r}"><v>1234567890</v></c><c r="I{r}" t="s"><v>{}</v></c></row>"#,
            fixed + entry,
            hts + ordinal as usize - 1,
            hts + 2,
        )?;
    }
    sheet.write_all(b"</sheetData></worksheet>")?;

    let mut parts = package(&["ES-003"]);
    parts.push(sheet.finish());
    parts.push(sst.finish());
    parts.push(part("xl/styles.xml", styles.as_bytes()));
    // The package's content types must name the shared strings and styles for Excel (calamine finds them
    // by name).
    std::fs::write(path, zip(&parts))
}

fn read(path: &str) -> cape_core::Result<()> {
    let t = std::time::Instant::now();
    let mut reader = Es003Reader::open(path, &Es003Options::default())?;
    let mut entries = 0u64;
    let mut duty = rust_decimal::Decimal::ZERO;
    while let Some(e) = reader.next() {
        let e = e?;
        entries += 1;
        duty += e.total_duty().amount();
        let _ = reader.take_diagnostics();
    }
    let s = reader.summary();
    println!(
        "rows read {} used {} rejected {}; entries {entries} (summary {}); duty {duty}; sheets {:?}; {:.1} s",
        s.rows_read,
        s.rows_used,
        s.rows_rejected,
        s.entries,
        s.sheets_read,
        t.elapsed().as_secs_f64()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for l in status.lines().filter(|l| l.starts_with("VmHWM") || l.starts_with("VmPeak")) {
            println!("{l}");
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["write", path, rows] => match rows.parse() {
            Ok(n) => write(path, n).map_err(|e| e.to_string()),
            Err(e) => Err(format!("rows: {e}")),
        },
        ["read", path] => read(path).map_err(|e| e.to_string()),
        _ => Err("usage: xlsx_memory write PATH ROWS | xlsx_memory read PATH".into()),
    };
    if let Err(e) = result {
        eprintln!("xlsx_memory: {e}");
        std::process::exit(1);
    }
}
