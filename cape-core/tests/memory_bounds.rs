//! Memory ceilings, checked (README, "What cape guarantees").
//!
//! Each hostile input is generated into a temporary folder and run through the command line in a child
//! process (this same binary, re-executed) under `ulimit -v` ([`ADDRESS_LIMIT_MB`]), so a runaway allocation
//! fails fast instead of taking the machine down; the child reports its peak resident memory (`VmHWM`) and
//! how many bytes it wrote, and the parent checks both against the case's ceiling. Rust aborts on a failed
//! allocation, so a case that outgrows the address limit ends by a signal and fails here.
//!
//! The inputs are the hostile files scaled to what a debug build reads in seconds; the full-size
//! figures measured on a release build are in the README.

#[path = "common/mini_xlsx.rs"]
mod mini_xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The address-space limit of the child (`ulimit -v`), in MiB.
const ADDRESS_LIMIT_MB: u64 = 1024;
/// The documented ceiling on peak resident memory for a hostile input, in MiB.
const HOSTILE_CEILING_MB: u64 = 512;
/// The documented ceiling on peak resident memory for reading a 1M-row XLSX, in MiB.
const XLSX_CEILING_MB: u64 = 200;
/// Tariff rows of the large workbook.
const XLSX_ROWS: u32 = 1_000_000;
/// Output never echoes a huge cell: at most this many bytes are written for one.
const ECHO_CEILING_BYTES: u64 = 1 << 20;

const CHILD_ARGS: &str = "CAPE_MEMORY_CHILD_ARGS";

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date\n";
const GOOD_ROW: &str = "ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025\n";
const GOOD_ROW_2: &str = "B76-0158522-0,1,1,99030125,0,10.00,01,98-765432100,03/02/2025\n";

/// A writer that counts what it is given and keeps nothing.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child: runs the command line, then says its peak memory and output size on stderr.
fn child(args: &str) -> ! {
    let args: Vec<String> = args.split('\u{1f}').map(str::to_owned).collect();
    let (mut out, mut err) = (Counter(0), Vec::new());
    let code = cape_core::cli::run(&args, &mut out, &mut err);
    let err_text = String::from_utf8_lossy(&err);
    eprintln!("{}", err_text.chars().take(2000).collect::<String>());
    eprintln!("CHILD peak_kb={} out_bytes={} err_bytes={} code={code}", peak_rss_kb(), out.0, err.len());
    std::process::exit(code);
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    /// Exit statuses that are right for this input.
    exits: &'static [i32],
    ceiling_mb: u64,
    max_output: u64,
}

struct Outcome {
    ok: bool,
    line: String,
}

fn run_case(case: &Case) -> Outcome {
    let exe = std::env::current_exe().expect("own path");
    let started = Instant::now();
    let result = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\"", ADDRESS_LIMIT_MB * 1024))
        .arg(&exe)
        .env(CHILD_ARGS, case.args.join("\u{1f}"))
        .env("MALLOC_ARENA_MAX", "2")
        .output()
        .expect("spawn the child");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&result.stderr);
    let report = stderr.lines().find_map(|l| l.strip_prefix("CHILD ")).unwrap_or("");
    let field = |k: &str| -> Option<u64> {
        report.split_whitespace().find_map(|kv| kv.strip_prefix(k)?.strip_prefix('=')?.parse().ok())
    };
    let (peak_kb, out_bytes) = (field("peak_kb"), field("out_bytes"));
    let code = result.status.code();
    let mut why = Vec::new();
    match code {
        Some(c) if case.exits.contains(&c) => {}
        Some(c) => why.push(format!("exit {c}, expected one of {:?}", case.exits)),
        None => why.push(format!("killed by a signal ({:?}): out of memory under the limit?", result.status)),
    }
    let peak_mb = peak_kb.map(|k| k / 1024);
    match peak_mb {
        Some(mb) if mb <= case.ceiling_mb => {}
        Some(mb) => why.push(format!("peak {mb} MB over the ceiling of {} MB", case.ceiling_mb)),
        None => why.push("no report from the child".into()),
    }
    if let Some(b) = out_bytes.filter(|b| *b > case.max_output) {
        why.push(format!("wrote {b} bytes, more than {}", case.max_output));
    }
    let ok = why.is_empty();
    let line = format!(
        "{:<5} {:<40} exit {:>4} peak {:>5} MB (ceiling {:>4}) out {:>10} B {:>6.1} s{}",
        if ok { "ok" } else { "FAIL" },
        case.name,
        code.map(|c| c.to_string()).unwrap_or_else(|| "sig".into()),
        peak_mb.map(|m| m.to_string()).unwrap_or_else(|| "?".into()),
        case.ceiling_mb,
        out_bytes.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
        secs,
        if ok { String::new() } else { format!("\n      {}\n      child stderr: {}", why.join("; "), tail(&stderr)) }
    );
    Outcome { ok, line }
}

fn tail(s: &str) -> String {
    let t: Vec<&str> = s.lines().rev().take(4).collect();
    t.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// Writes `n` bytes of `byte` without holding them.
fn write_repeated(w: &mut impl Write, byte: u8, n: u64) {
    let chunk = vec![byte; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..k]).unwrap();
        left -= k as u64;
    }
}

fn file(dir: &Path, name: &str, fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>)) -> String {
    let p = dir.join(name);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    fill(&mut w);
    w.flush().unwrap();
    p.to_string_lossy().into_owned()
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    // Two million short bad rows between two good ones: exact counts, capped details.
    let bad_rows = file(dir, "bad_rows.csv", |w| {
        w.write_all(HEADER.as_bytes()).unwrap();
        w.write_all(GOOD_ROW.as_bytes()).unwrap();
        for _ in 0..2_000_000 {
            w.write_all(b"x,y\n").unwrap();
        }
        w.write_all(GOOD_ROW_2.as_bytes()).unwrap();
    });
    for (name, a) in [
        ("2M bad rows: ingest", args(&["ingest", &bad_rows])),
        ("2M bad rows: ingest --format json", args(&["ingest", &bad_rows, "--format", "json"])),
        (
            "2M bad rows: assess --format jsonl",
            args(&["assess", &bad_rows, "--format", "jsonl", "--as-of", "2026-04-20"]),
        ),
    ] {
        v.push(Case { name, args: a, exits: &[0], ceiling_mb: HOSTILE_CEILING_MB, max_output: 8 << 20 });
    }
    // A 300 MB record with no newline, between two good rows.
    let long_line = file(dir, "long_line.csv", |w| {
        w.write_all(HEADER.as_bytes()).unwrap();
        w.write_all(GOOD_ROW.as_bytes()).unwrap();
        write_repeated(w, b'x', 300 << 20);
        w.write_all(b"\n").unwrap();
        w.write_all(GOOD_ROW_2.as_bytes()).unwrap();
    });
    v.push(Case {
        name: "300 MB line: ingest",
        args: args(&["ingest", &long_line]),
        exits: &[0],
        ceiling_mb: HOSTILE_CEILING_MB,
        max_output: ECHO_CEILING_BYTES,
    });
    // A declaration file whose one cell is 300 MB: checked, never echoed whole.
    let huge_decl = file(dir, "cape-declaration-001.csv", |w| {
        w.write_all(b"Entry Number\n").unwrap();
        write_repeated(w, b'7', 300 << 20);
        w.write_all(b"\n").unwrap();
    });
    v.push(Case {
        name: "300 MB cell: check",
        args: args(&["check", &huge_decl]),
        exits: &[1, 2],
        ceiling_mb: HOSTILE_CEILING_MB,
        max_output: ECHO_CEILING_BYTES,
    });
    // A claim-details results file whose one cell is 300 MB.
    let huge_results = file(dir, "claims.csv", |w| {
        w.write_all(b"ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\nABC12345676,C000123,Failed,").unwrap();
        write_repeated(w, b'E', 300 << 20);
        w.write_all(b"\n").unwrap();
    });
    // Workbooks from the bad-input corpus: one cell at XFD1048576 (calamine's dense range would be 17 billion
    // cells), 200 MiB of sheet XML from under 1 MB, a shared-strings count of a trillion.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad");
    for (name, file, exits) in [
        ("XLSX, one cell at XFD1048576: ingest", "xlsx_sparse_xfd1048576.xlsx", &[0][..]),
        ("XLSX zip bomb: ingest", "xlsx_ratio_bomb.xlsx", &[65][..]),
        ("XLSX shared-strings count lie: ingest", "xlsx_shared_strings_count_lie.xlsx", &[65][..]),
    ] {
        v.push(Case {
            name,
            args: args(&["ingest", &corpus.join(file).to_string_lossy()]),
            exits,
            ceiling_mb: HOSTILE_CEILING_MB,
            max_output: ECHO_CEILING_BYTES,
        });
    }
    // A 1M-row workbook, streamed.
    let big = dir.join("es003-1m.xlsx").to_string_lossy().into_owned();
    mini_xlsx::es003_workbook_file(&big, XLSX_ROWS).expect("write the workbook");
    v.push(Case {
        name: "XLSX, 1M rows: ingest",
        args: args(&["ingest", &big]),
        exits: &[0],
        ceiling_mb: XLSX_CEILING_MB,
        max_output: ECHO_CEILING_BYTES,
    });
    v.push(Case {
        name: "300 MB cell: results",
        args: args(&["results", &huge_results]),
        exits: &[65],
        ceiling_mb: HOSTILE_CEILING_MB,
        max_output: ECHO_CEILING_BYTES,
    });
    // A claim-details workbook of one row more than cape keeps (`MAX_RESULTS_ROWS`): its rows compress far
    // below the 64 MiB file cap, so the row cap is what bounds memory; refused at it.
    let many = dir.join("claims-many.xlsx").to_string_lossy().into_owned();
    results_workbook_file(&many, cape_core::claim::MAX_RESULTS_ROWS + 1).expect("write the workbook");
    v.push(Case {
        name: "XLSX results, 1M rows + 1: results",
        args: args(&["results", &many]),
        exits: &[65],
        ceiling_mb: HOSTILE_CEILING_MB,
        max_output: ECHO_CEILING_BYTES,
    });
    v
}

/// Writes a claim-details workbook of `rows` result rows (each its own entry number, inline strings) to `path`.
fn results_workbook_file(path: &str, rows: usize) -> std::io::Result<()> {
    let mut sheet = mini_xlsx::PartWriter::new("xl/worksheets/sheet1.xml");
    sheet.write_all(mini_xlsx::sheet_start(&format!("A1:D{}", rows + 1)).as_bytes())?;
    sheet.write_all(
        mini_xlsx::row_xml(1, &mini_xlsx::cells(&["ENTRY_NUMBER", "CLAIM_NUMBER", "STATUS", "ERROR_DESCRIPTION"]))
            .as_bytes(),
    )?;
    for i in 0..rows {
        let n =
            cape_core::EntryNumber::from_parts("VSU", i as u32).map_err(std::io::Error::other)?.compact().to_string();
        let r = (i + 2) as u32;
        sheet.write_all(mini_xlsx::row_xml(r, &mini_xlsx::cells(&[&n, "C1", "Failed", "INVALID HTS"])).as_bytes())?;
    }
    sheet.write_all(mini_xlsx::SHEET_END.as_bytes())?;
    let mut parts = mini_xlsx::package(&["Claim Details"]);
    parts.push(sheet.finish());
    std::fs::write(path, mini_xlsx::zip(&parts))
}

fn main() {
    if let Ok(a) = std::env::var(CHILD_ARGS) {
        child(&a);
    }
    // `cargo test -- FILTER`: run only the cases whose name contains FILTER.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir: PathBuf = std::env::temp_dir().join(format!("cape-memory-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("memory bounds: each case in a child under ulimit -v {ADDRESS_LIMIT_MB} MB");
    let (mut passed, mut failed) = (0, 0);
    for case in cases(&dir) {
        if filter.as_deref().is_some_and(|f| !case.name.contains(f)) {
            continue;
        }
        let o = run_case(&case);
        println!("{}", o.line);
        if o.ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("memory bounds: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
