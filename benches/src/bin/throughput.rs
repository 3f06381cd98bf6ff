//! Throughput harness: on generated ES-003 files of the sizes given (tariff rows), measures in one run on the
//! same file:
//!
//! - `floor`: the raw floor, the `csv` crate reading every record and doing nothing else;
//! - `ingest`: cape's ingest alone (both passes, every entry built);
//! - `pipeline`: the full pipeline on one thread (ingest → IEEPA removal → eligibility → schedule → interest →
//!   consolidation, no per-entry output);
//! - `pipeline2`: the same on two threads (`run::run_summary` with `threads = 2`: the file cut in two between
//!   entries, each half on its own thread), checked to give exactly the one-thread result;
//! - `jsonl`: `cape assess FILE --format jsonl` writing every entry (to a sink);
//! - `refunds`, `refunds2`: `cape refunds FILE --format json` with `--threads 1` and `--threads 2`, timed
//!   end to end from outside (process start, tables, reading, output to a sink): the time a broker waits;
//! - `python`: the Python bulk call, `cape.assess_partition(path, keep_entries=False)` and its refunds, when
//!   `CAPE_PYTHON` names a Python with the `cape` wheel installed (`make bench` sets it);
//! - `iterpy`: `cape.iter_assess(path)` pulling every entry into Python one at a time (each `EntryAssessment`
//!   converted to its record dict and dropped), then `finish()`: the streaming Python surface;
//! - `iterobj`: the same without `to_record()`: each `EntryAssessment` object pulled and dropped;
//! - `arrow`, `pandas`, `pandas128`: `to_arrow()`, `to_pandas()` (money as `Decimal`) and
//!   `to_pandas(money="arrow")` of the assessed entries (`assess_partition(path, keep_entries=True)`), the
//!   conversion alone timed; these count entries, not rows (`entries/s`);
//! - `frame`: `cape.assess_partition(df, keep_entries=False)` on the file read into a pandas DataFrame of text
//!   (`dtype=str`); its peak memory is the peak *above* the process's memory once the frame is loaded, i.e. what
//!   cape costs on top of the caller's frame (the frame is spooled 8,192 rows at a time);
//! - `xlsx`: the one-thread pipeline on the same rows as an XLSX workbook (typed number and date cells, shared
//!   strings, as Excel saves them), checked to give the CSV's totals; its time is also shown as a ratio to the
//!   CSV `pipeline` (the target: within 4 ×); `CAPE_BENCH_XLSX=0` skips it;
//!
//! (The C streaming API is measured by `make c-bench`, `benches/c/stream_rss.c`.)
//!
//! as rows/s, MB/s, the ratio to the floor, nanoseconds per row, and each mode's peak memory.
//!
//! ```text
//! cargo run --release -p cape-benches --bin throughput -- 100000 1000000 5000000
//! ```
//!
//! Each mode runs in a child process of this binary so that its peak resident memory (`VmHWM`, or
//! `ru_maxrss` for Python) is its own; it runs `CAPE_BENCH_REPS` times (default 3) and the fastest run
//! counts; `CAPE_BENCH_MODES` (comma-separated) runs only the modes named, besides the floor. Files are generated once into `target/bench-data/` (deterministic:
//! seed 8).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use std::fmt::Write as _;
use std::hash::Hasher;

use cape_core::assess::{AssessOptions, Tables};
use cape_core::run::{run_summary, RunOptions, Source};
use cape_core::sample::{generate_es003, GeneratorConfig};
use cape_core::{Es003Options, Es003Reader};

/// Average tariff rows per generated entry (measured on the generator's output).
const ROWS_PER_ENTRY: f64 = 4.75;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn data_file(rows: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let path = dir.join(format!("es003_{rows}.csv"));
    if !path.exists() {
        let entries = ((rows as f64) / ROWS_PER_ENTRY).ceil() as usize;
        let cfg = GeneratorConfig { seed: 8, entries, ..GeneratorConfig::default() };
        let tmp = path.with_extension("tmp");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).expect("create data file"));
        let stats = generate_es003(&cfg, &mut w).expect("generate");
        w.flush().expect("flush");
        std::fs::rename(&tmp, &path).expect("rename");
        eprintln!("generated {} ({} rows)", path.display(), stats.rows);
    }
    path
}

/// The same rows as `csv` as an XLSX workbook, generated once next to it: numbers (no leading zero, at most
/// 15 digits) as number cells, `MM/DD/YYYY` dates as date cells, everything else as (shared) strings.
fn xlsx_file(csv: &Path) -> PathBuf {
    let path = csv.with_extension("xlsx");
    if path.exists() {
        return path;
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("mm/dd/yyyy");
    let ws = wb.add_worksheet_with_low_memory().expect("worksheet");
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(csv).expect("open csv");
    let mut rec = csv::StringRecord::new();
    let mut row = 0u32;
    while r.read_record(&mut rec).expect("read csv") {
        for (c, v) in rec.iter().enumerate() {
            let c = c as u16;
            let b = v.as_bytes();
            let number = row > 0
                && !v.is_empty()
                && v.len() <= 15
                && b.iter().all(|&x| x.is_ascii_digit() || x == b'.')
                && b.iter().filter(|&&x| x == b'.').count() <= 1
                && (b[0] != b'0' || v == "0" || v.starts_with("0."))
                && b[0] != b'.';
            let ymd = (b.len() == 10 && b[2] == b'/' && b[5] == b'/')
                .then(|| Some((v[6..].parse().ok()?, v[..2].parse().ok()?, v[3..5].parse().ok()?)))
                .flatten();
            if v.is_empty() {
            } else if let (true, Some((y, m, d))) = (row > 0, ymd) {
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).expect("date");
                ws.write_datetime_with_format(row, c, &dt, &date).expect("write");
            } else if number {
                ws.write_number(row, c, v.parse::<f64>().expect("number")).expect("write");
            } else {
                ws.write_string(row, c, v).expect("write");
            }
        }
        row += 1;
    }
    let tmp = path.with_extension("xlsx.tmp");
    wb.save(&tmp).expect("save workbook");
    std::fs::rename(&tmp, &path).expect("rename");
    eprintln!("generated {} ({} rows)", path.display(), row.saturating_sub(1));
    path
}

/// Feeds formatted text to a hasher without building the string.
struct HashWriter(std::collections::hash_map::DefaultHasher);

impl std::fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Runs one mode in this process; prints `rows seconds peak_kb`.
fn child(mode: &str, path: &str) {
    let t = Instant::now();
    let rows: u64 = match mode {
        "floor" => {
            let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(path).expect("open");
            let mut rec = csv::ByteRecord::new();
            let mut n = 0u64;
            while r.read_byte_record(&mut rec).expect("read") {
                n += 1;
            }
            n
        }
        "ingest" => {
            let mut reader = Es003Reader::open(path, &Es003Options::default()).expect("open");
            for e in reader.by_ref() {
                std::hint::black_box(e.expect("read"));
            }
            reader.summary().rows_read
        }
        "pipeline" | "pipeline2" | "xlsx" => {
            let tables = Tables::embedded().expect("tables");
            let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
            let opts = AssessOptions::new(as_of).assume_last_rate(&tables.rates);
            let threads = if mode == "pipeline2" { 2 } else { 1 };
            let r = run_summary(Source::Path(path.into()), &tables, opts, &{
                let mut o = RunOptions::new();
                o.threads = threads;
                o
            })
            .expect("pipeline");
            let secs = t.elapsed().as_secs_f64();
            // A digest of everything the pipeline produced, so that the parent can check that one and two
            // threads agree exactly (computed after the clock stops).
            // Streamed into the hasher: a string of it all would itself be the child's peak memory.
            // The sums alone (the XLSX run must give the CSV's; its diagnostics name another file).
            let mut s = HashWriter(std::collections::hash_map::DefaultHasher::new());
            write!(s, "{:?}{:?}", r.consolidation, r.totals).expect("hash");
            eprintln!("sums {:x}", s.0.finish());
            if mode != "xlsx" {
                let mut h = HashWriter(std::collections::hash_map::DefaultHasher::new());
                write!(h, "{:?}{:?}{:?}{:?}", r.consolidation, r.totals, r.ingest, r.diagnostics).expect("hash");
                eprintln!("totals {:x} parts {}", h.0.finish(), r.parts);
            }
            println!("{} {secs} {}", r.ingest.rows_read, peak_rss_kb());
            return;
        }
        "jsonl" => {
            let args: Vec<String> =
                ["assess", path, "--as-of", "2026-11-26", "--assume-last-rate", "--format", "jsonl"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            let code = cape_core::cli::run(&args, &mut std::io::sink(), &mut std::io::stderr());
            assert_eq!(code, 0, "cape assess failed");
            0
        }
        "refunds" | "refunds2" => {
            let threads = if mode == "refunds2" { "2" } else { "1" };
            let args: Vec<String> = [
                "refunds",
                path,
                "--as-of",
                "2026-11-26",
                "--assume-last-rate",
                "--format",
                "json",
                "--threads",
                threads,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let code = cape_core::cli::run(&args, &mut std::io::sink(), &mut std::io::stderr());
            assert_eq!(code, 0, "cape refunds failed");
            0
        }
        other => panic!("unknown mode {other}"),
    };
    println!("{rows} {} {}", t.elapsed().as_secs_f64(), peak_rss_kb());
}

/// The Python bulk call, timed inside the interpreter (import excluded); prints `0 seconds peak_kb`.
const PYTHON_BULK: &str = r#"
import datetime, resource, sys, time
import cape
t = time.perf_counter()
p = cape.assess_partition(sys.argv[1], as_of=datetime.date(2026, 11, 26), assume_last_rate=True, keep_entries=False)
p.refunds()
print(0, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"#;

/// `cape.iter_assess` over the whole file, each entry converted to a dict and dropped; prints `0 seconds peak_kb`.
const PYTHON_ITER: &str = r#"
import datetime, resource, sys, time
import cape
t = time.perf_counter()
it = cape.iter_assess(sys.argv[1], as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
n = 0
for a in it:
    a.to_record()
    n += 1
p = it.finish()
assert n == p.totals.entries, (n, p.totals.entries)
print(0, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"#;

/// `cape.iter_assess` over the whole file, each `EntryAssessment` pulled and dropped (no conversion).
const PYTHON_ITER_OBJECTS: &str = r#"
import datetime, resource, sys, time
import cape
t = time.perf_counter()
it = cape.iter_assess(sys.argv[1], as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
n = 0
for a in it:
    n += 1
p = it.finish()
assert n == p.totals.entries, (n, p.totals.entries)
print(0, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"#;

/// One conversion of the assessed entries (`argv[2]`: `arrow`, `pandas` or `pandas128`), timed alone; prints
/// `entries seconds peak_kb`.
const PYTHON_CONVERT: &str = r#"
import datetime, resource, sys, time
import cape
p = cape.assess_partition(sys.argv[1], as_of=datetime.date(2026, 11, 26), assume_last_rate=True)
convert = {
    "arrow": lambda: p.to_arrow(),
    "pandas": lambda: p.to_pandas(),
    "pandas128": lambda: p.to_pandas(money="arrow"),
}[sys.argv[2]]
convert()  # imports pyarrow / pandas outside the timing
t = time.perf_counter()
out = convert()
secs = time.perf_counter() - t
assert len(out) == len(p)
print(len(p), secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"#;

/// A DataFrame of the file (text cells) assessed; prints `0 seconds peak_kb` where peak_kb is the peak above the
/// memory of the process with the frame loaded.
const PYTHON_FRAME: &str = r#"
import datetime, sys, time
import pandas as pd
import cape
def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key))
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
base = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset VmHWM to the current RSS
t = time.perf_counter()
p = cape.assess_partition(df, as_of=datetime.date(2026, 11, 26), assume_last_rate=True, keep_entries=False)
secs = time.perf_counter() - t
print(0, secs, status("VmHWM:") - base)
"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], &args[3]);
        return;
    }
    let sizes: Vec<u64> = if args.len() > 1 {
        args[1..].iter().map(|a| a.parse().expect("sizes are row counts")).collect()
    } else {
        vec![100_000, 1_000_000]
    };
    let exe = std::env::current_exe().expect("current exe");
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "machine: {cpu}, {cores} cores; fastest of {} runs per mode",
        std::env::var("CAPE_BENCH_REPS").unwrap_or_else(|_| "3".into())
    );
    println!(
        "{:>9} {:<9} {:>10} {:>8} {:>12} {:>8} {:>9} {:>9}",
        "rows", "mode", "seconds", "MB/s", "rows/s", "x floor", "peak MB", "ns/row"
    );
    for rows in sizes {
        let path = data_file(rows);
        let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let mut floor_rate = 0.0;
        let mut floor_rows = 0.0;
        let mut totals: Vec<String> = Vec::new();
        let (mut sums, mut pipeline_secs): (Vec<String>, f64) = (Vec::new(), 0.0);
        let python = std::env::var("CAPE_PYTHON").ok().filter(|p| !p.is_empty());
        let reps: usize = std::env::var("CAPE_BENCH_REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
        let mut modes = vec!["floor", "ingest", "pipeline", "pipeline2", "jsonl", "refunds", "refunds2"];
        if python.is_some() {
            modes.push("python");
            modes.push("iterpy");
            modes.push("iterobj");
            modes.push("frame");
            modes.extend(["arrow", "pandas", "pandas128"]);
        }
        // `CAPE_BENCH_MODES=pipeline,iterobj` runs only those (and the floor, which the ratios need).
        if let Ok(only) = std::env::var("CAPE_BENCH_MODES") {
            modes.retain(|m| *m == "floor" || only.split(',').any(|o| o.trim() == *m));
        }
        // An Excel sheet holds 1,048,576 rows. CAPE_BENCH_XLSX=0 skips the mode (about 100 s a run at 1M rows).
        let skip_xlsx = std::env::var("CAPE_BENCH_XLSX").is_ok_and(|v| v == "0");
        let xlsx = (rows < 1_048_576 && !skip_xlsx).then(|| xlsx_file(&path));
        if xlsx.is_some() {
            modes.push("xlsx");
        }
        for mode in modes {
            let file = match (mode, &xlsx) {
                ("xlsx", Some(x)) => x.to_str().expect("utf-8 path"),
                _ => path.to_str().expect("utf-8 path"),
            };
            // Each mode runs `reps` times; the fastest run counts (the machine's noise only ever slows a run
            // down), and the largest peak memory.
            let (mut n, mut secs, mut kb) = (0.0, f64::INFINITY, 0.0f64);
            let mut out = None;
            for _ in 0..reps {
                let started = Instant::now();
                let o = match (mode, &python) {
                    ("python", Some(py)) => {
                        Command::new(py).args(["-c", PYTHON_BULK, file]).output().expect("run python")
                    }
                    ("frame", Some(py)) => {
                        Command::new(py).args(["-c", PYTHON_FRAME, file]).output().expect("run python")
                    }
                    ("iterpy", Some(py)) => {
                        Command::new(py).args(["-c", PYTHON_ITER, file]).output().expect("run python")
                    }
                    ("iterobj", Some(py)) => {
                        Command::new(py).args(["-c", PYTHON_ITER_OBJECTS, file]).output().expect("run python")
                    }
                    ("arrow" | "pandas" | "pandas128", Some(py)) => {
                        Command::new(py).args(["-c", PYTHON_CONVERT, file, mode]).output().expect("run python")
                    }
                    _ => Command::new(&exe).args(["--child", mode, file]).output().expect("run"),
                };
                let text = String::from_utf8_lossy(&o.stdout);
                let v: Vec<f64> = text.split_whitespace().filter_map(|x| x.parse().ok()).collect();
                let [rn, mut rs, rk] = v[..] else {
                    panic!("child {mode} failed: {}", String::from_utf8_lossy(&o.stderr))
                };
                if mode.starts_with("refunds") {
                    // End to end: the process's whole life, as a broker waits for it.
                    rs = started.elapsed().as_secs_f64();
                }
                n = rn;
                secs = secs.min(rs);
                kb = kb.max(rk);
                out = Some(o);
            }
            let out = out.expect("at least one run");
            if n == 0.0 {
                // Modes that do not count rows themselves read the same file as the floor.
                n = floor_rows;
            }
            if let Some(t) = String::from_utf8_lossy(&out.stderr).lines().find(|l| l.starts_with("totals ")) {
                // The digest only: the part count differs by design.
                totals.push(t.split(" parts").next().unwrap_or(t).to_owned());
            }
            if let Some(t) = String::from_utf8_lossy(&out.stderr).lines().find(|l| l.starts_with("sums ")) {
                sums.push(t.to_owned());
            }
            if mode == "pipeline" {
                pipeline_secs = secs;
            }
            let rate = n / secs;
            if matches!(mode, "arrow" | "pandas" | "pandas128") {
                // Entries converted, not rows read: no MB/s nor ratio to the floor.
                println!(
                    "{:>9} {:<9} {:>10.3} {:>8} {:>12.0} {:>8} {:>9.1} {:>9.0}  (entries, entries/s, ns/entry)",
                    n as u64,
                    mode,
                    secs,
                    "-",
                    rate,
                    "-",
                    kb / 1024.0,
                    secs * 1e9 / n
                );
                continue;
            }
            if mode == "floor" {
                floor_rate = rate;
                floor_rows = n;
            }
            println!(
                "{:>9} {:<9} {:>10.3} {:>8.1} {:>12.0} {:>8.2} {:>9.1} {:>9.0}",
                n as u64,
                mode,
                secs,
                mb / secs,
                rate,
                rate / floor_rate,
                kb / 1024.0,
                secs * 1e9 / n
            );
            if mode == "xlsx" {
                println!("{:>9} xlsx time = {:.2} x the CSV pipeline's", n as u64, secs / pipeline_secs);
            }
        }
        assert!(totals.windows(2).all(|w| w[0] == w[1]), "one and two threads disagree: {totals:?}");
        assert!(sums.windows(2).all(|w| w[0] == w[1]), "the CSV and XLSX runs disagree: {sums:?}");
    }
}
