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

use cape_core::{Es003Options, Es003Reader};

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
            Ok(n) => mini_xlsx::es003_workbook_file(path, n).map_err(|e| e.to_string()),
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
