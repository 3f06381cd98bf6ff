//! Throughput harness: on generated ES-003 files of the sizes given (tariff rows), measures in one run on the
//! same file the raw floor (the `csv` crate reading every record and doing nothing else), cape's ingest alone,
//! and cape's full pipeline (ingest → IEEPA removal → eligibility → schedule → interest → consolidation, no
//! per-entry output), as rows/s, MB/s, the ratio to the floor, and each mode's peak memory.
//!
//! ```text
//! cargo run --release -p cape-benches --bin throughput -- 100000 1000000 5000000
//! ```
//!
//! Each mode runs in a child process of this binary so that its peak resident memory (`VmHWM`) is its own.
//! Files are generated once into `target/bench-data/` (deterministic: seed 8).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cape_core::assess::{AssessOptions, Assessor, Tables};
use cape_core::refund::{Consolidation, ConsolidationOptions};
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
        "pipeline" => {
            let tables = Tables::embedded().expect("tables");
            let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
            let opts = AssessOptions::new(as_of).assume_last_rate(&tables.rates);
            let mut assessor = Assessor::new(&tables, opts).expect("assessor");
            let mut cons = Consolidation::new(ConsolidationOptions::default());
            let mut reader = Es003Reader::open(path, &Es003Options::default()).expect("open");
            for e in reader.by_ref() {
                let a = assessor.assess(&e.expect("read")).expect("assess");
                if let Some(item) = a.refund_item() {
                    cons.add(item).expect("consolidate");
                }
            }
            std::hint::black_box(cons.totals());
            reader.summary().rows_read
        }
        other => panic!("unknown mode {other}"),
    };
    println!("{rows} {} {}", t.elapsed().as_secs_f64(), peak_rss_kb());
}

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
    println!(
        "{:>9} {:<9} {:>10} {:>8} {:>12} {:>8} {:>9} {:>9}",
        "rows", "mode", "seconds", "MB/s", "rows/s", "x floor", "peak MB", "ns/row"
    );
    for rows in sizes {
        let path = data_file(rows);
        let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let mut floor_rate = 0.0;
        for mode in ["floor", "ingest", "pipeline"] {
            let out =
                Command::new(&exe).args(["--child", mode, path.to_str().expect("utf-8 path")]).output().expect("run");
            let text = String::from_utf8_lossy(&out.stdout);
            let v: Vec<f64> = text.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            let [n, secs, kb] = v[..] else { panic!("child {mode} failed: {}", String::from_utf8_lossy(&out.stderr)) };
            let rate = n / secs;
            if mode == "floor" {
                floor_rate = rate;
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
        }
    }
}
