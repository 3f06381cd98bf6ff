//! Two threads give exactly the one-thread results: the file cut in two between entries, the reader reading
//! ahead, and the fallbacks (an entry with rows in both halves), with row numbers checked across the cut.

use cape_core::assess::{AssessOptions, Tables};
use cape_core::run::{run_summary, Partial, RunOptions, Source};
use cape_core::sample::{generate_es003_string, GeneratorConfig};
use cape_core::{Es003Options, Es003Reader};

/// A generated report of `entries` entries with malformed rows mixed in, as lines (header first).
fn lines(entries: usize) -> Vec<String> {
    let cfg = GeneratorConfig { entries, malformed_rows_per_thousand: 5, ..GeneratorConfig::default() };
    generate_es003_string(&cfg).lines().map(str::to_owned).collect()
}

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cape-parallel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn run(path: &std::path::Path, threads: usize) -> Partial {
    let tables = Tables::embedded().expect("tables");
    let opts = AssessOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"))
        .assume_last_rate(&tables.rates);
    let mut o = RunOptions::new();
    o.threads = threads;
    run_summary(Source::Path(path.to_owned()), &tables, opts, &o).expect("pipeline")
}

/// Runs one and two threads and checks that every part of the result is the same.
fn same_both_ways(path: &std::path::Path) -> u64 {
    let one = run(path, 1);
    let two = run(path, 2);
    assert_eq!(one.parts, 1);
    assert_eq!(one.consolidation, two.consolidation);
    assert_eq!(one.totals, two.totals);
    assert_eq!(one.ingest, two.ingest);
    assert_eq!(one.diagnostics, two.diagnostics);
    assert_eq!(one.rule_set, two.rule_set);
    assert!(one.totals.entries > 3_000, "a real file: {} entries", one.totals.entries);
    assert!(one.diagnostics.iter().any(|d| d.row.is_some_and(|r| r > one.ingest.rows_read / 2)));
    two.parts
}

#[test]
fn a_sorted_file_is_cut_in_two_and_gives_the_one_thread_result() {
    let text = lines(4_000).join("\n") + "\n";
    assert!(text.len() > 1_000_000);
    let path = write("sorted.csv", &text);
    assert_eq!(same_both_ways(&path), 2);
    // The parts' entries, in order, are the one reader's.
    let whole: Vec<_> =
        Es003Reader::open(&path, &Es003Options::default()).expect("open").map(|e| e.expect("read").number).collect();
    let parts = Es003Reader::open_parts(&path, &Es003Options::default(), 2).expect("open parts");
    assert_eq!(parts.len(), 2);
    let joined: Vec<_> = parts.into_iter().flat_map(|r| r.map(|e| e.expect("read").number)).collect();
    assert_eq!(joined, whole);
}

#[test]
fn crlf_blank_lines_and_split_entries_within_a_half_keep_rows_and_results() {
    let mut l = lines(4_000);
    let n = l.len();
    // Blank lines around the middle shift every later row number; a split entry inside the second half.
    l.insert(n / 2, String::new());
    l.insert(n / 2 - 3, String::new());
    let moved = l.remove(n * 3 / 4);
    l.push(moved);
    let text = l.join("\r\n") + "\r\n";
    let path = write("crlf.csv", &text);
    assert_eq!(same_both_ways(&path), 2);
}

#[test]
fn an_entry_in_both_halves_falls_back_and_still_agrees() {
    let mut l = lines(4_000);
    // A row of a many-row entry near the start moved to the end: that entry has rows on both sides of any cut.
    let first = |s: &str| s.split(',').next().unwrap_or("").to_owned();
    let i = (1..100).find(|&i| first(&l[i]) == first(&l[i + 1])).expect("an entry with two rows");
    let moved = l.remove(i);
    l.push(moved);
    let path = write("spanning.csv", &(l.join("\n") + "\n"));
    assert_eq!(same_both_ways(&path), 1);
    let one = run(&path, 1);
    assert!(one.ingest.split_entries >= 1);
}

/// A file cut in two whose every row is rejected is a file-level error on two threads as on one (each part
/// leaves the check to the whole), with the whole file's counts.
#[test]
fn no_usable_row_in_a_file_cut_in_two_is_one_error_for_the_whole() {
    let text = lines(4_000).join("\n") + "\n";
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = rd.headers().expect("header").clone();
    let line_col = header.iter().position(|h| h == "Entry Summary Line Number").expect("line column");
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    w.write_record(&header).expect("write");
    let mut rows = 0u64;
    for rec in rd.records() {
        let rec = rec.expect("record");
        // Entry numbers stay valid (so the file is cut between entries); line 0 rejects every row.
        let cells: Vec<&str> = rec.iter().enumerate().map(|(i, c)| if i == line_col { "0" } else { c }).collect();
        w.write_record(&cells).expect("write");
        rows += 1;
    }
    let path = write("all-rejected.csv", &String::from_utf8(w.into_inner().expect("flush")).expect("utf-8"));
    assert_eq!(Es003Reader::open_parts(&path, &Es003Options::default(), 2).expect("parts").len(), 2);
    let tables = Tables::embedded().expect("tables");
    let opts = AssessOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"));
    let mut messages = Vec::new();
    for threads in [1, 2] {
        let mut o = RunOptions::new();
        o.threads = threads;
        let e = run_summary(Source::Path(path.clone()), &tables, opts.clone(), &o).expect_err("no usable row");
        assert_eq!(e.kind(), cape_core::ErrorKind::InvalidFormat);
        let m = e.to_string();
        assert!(m.contains(&format!("no usable row: {rows} rows read, all rejected")), "{m}");
        assert!(m.contains("ES003_INVALID_NUMBER ×"), "{m}");
        messages.push(m);
    }
    assert_eq!(messages[0], messages[1]);
}
