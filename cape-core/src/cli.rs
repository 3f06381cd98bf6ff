//! The `cape` command line.
//!
//! The Python package's console script (`cape`, `python -m cape`) calls [`run()`] with its arguments, so the
//! command line behaves identically however cape is installed, and its output formats live in one place.
//!
//! Run `cape --help` for the commands; [`HELP`] is that text.

use std::collections::BTreeMap;
use std::io::Write;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::assess::{AssessOptions, AssessTotals, EntryAssessment, Tables};
use crate::claim::{
    build_declarations, declared_in_dir, preflight_path, read_results_path, reconcile, write_declarations_with,
    DeclarationParams, PreflightOptions, RuleSet, WriteOptions,
};
use crate::ingest::es003::{Es003, Es003Options, Es003Reader};
use crate::model::ImporterClass;
use crate::refund::{compute_interest, AssumedRate, InterestParams};
use crate::run::{self, Source};
use crate::sample::{generate_es003, sample_config, GeneratorConfig, SAMPLE_ES003};
use crate::values::money::parse_percent;
use crate::{parse_date, Diagnostic, EntryNumber, Error, Usd};

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command ran and found invalid input (e.g. an invalid entry number).
pub const EXIT_INVALID: i32 = 1;
/// Exit status: bad usage (unknown command or option).
pub const EXIT_USAGE: i32 = 64;
/// Exit status: the input could not be read (missing file, missing column, not CSV/XLSX).
pub const EXIT_INPUT: i32 = 65;
/// Exit status: `--strict` was given and rows of the ES-003 were rejected (the ingest balance on stderr
/// says which and why).
pub const EXIT_STRICT: i32 = 3;
/// Exit status: interrupted (Ctrl-C / SIGINT, or the host set [`RunOptions::cancel`]): 128 + SIGINT, as a
/// shell reports a process ended by that signal.
pub const EXIT_INTERRUPTED: i32 = 130;

/// The text of `cape --help`.
pub const HELP: &str = "cape — IEEPA tariff refunds through CBP's CAPE, from a broker's ACE ES-003 report

Usage:
  cape entry-number check NUMBER...
      Verify entry numbers (format and check digit). Prints one line per number:
      `OK XXX-NNNNNNN-C` or `INVALID <input>: <why>`. Exit 0 only when all are valid, else 1.

  cape ingest FILE [--format table|json] [--sheet NAME]
      Read an ES-003 report (CSV or XLSX) and print the summary (entries, lines, tariff rows,
      rows read/used/rejected) and every diagnostic.

  cape assess FILE [--as-of DATE] [--rules auto|phase1|phase2|RULES.json] [--format table|json|jsonl|csv]
              [--sheet NAME] [--urgent-days N] [--last-day-offset N] [--class corporate|noncorporate]
              [--assume-rate PERCENT | --assume-last-rate] [--accepted CLAIMS.csv] [--threads N]
      Assess every entry as of DATE (default today): IEEPA duty removed (duty before/after, principal,
      findings), CAPE status and reasons, last filing day, deposit date, projected (re)liquidation,
      interest and refund recipient. jsonl writes one object per entry per line; json wraps them as
      {\"summary\", \"entries\", \"diagnostics\"}. Interest for days past the rate table is null unless
      --assume-rate (percent, corporate; non-corporate is one point more) or --assume-last-rate says
      what to assume. --accepted marks entries CAPE already accepted (from a claim-details file).
      --threads 1 reads and assesses on one thread; the default (2 on two or more cores) reads ahead on
      a second thread. The output is the same either way.

  cape declare FILE --out-dir DIR [--replace] [--as-of DATE] [--rules ...] [--split-by-importer]
              [--max-per-file N]
      Write CAPE declaration CSVs (header `Entry Number`, at most 9,999 per file) of the eligible and
      deferred entries, and manifest.csv (each file's entry count and SHA-256), atomically. DIR must be
      empty or new; --replace replaces an earlier run's files there (never files that are not cape's).

  cape check DECLARATION.csv [--es003 FILE [--as-of DATE] [--rules ...]] [--format table|json]
      Pre-flight a declaration file as CAPE will, and against the manifest.csv beside it (a cut, edited
      or stale file is rejected). Exit 0 when CAPE would accept it, 1 when it would reject the whole
      file, 2 when it would reject some entries.

  cape results CLAIMS.csv [--declared DIR] [--format table|json]
      Read ACE's claim-details file: claim numbers, statuses, errors with meaning and remedy; with
      --declared, reconcile against the declaration files in DIR.

  cape interest --principal AMOUNT --from DATE --to DATE [--class corporate|noncorporate] [--explain]
                [--assume-rate PERCENT | --assume-last-rate]
      Interest under 19 USC 1505 (daily compounding) from the deposit date (excluded) to the
      (re)liquidation date (included). The first line is the interest with two decimals.

  cape refunds FILE [--as-of DATE] [--format table|json|csv] [--min-refund AMOUNT] [--rules ...]
              [--assume-rate PERCENT | --assume-last-rate] [--threads N]
      The refunds CBP would pay, consolidated per recipient and projected liquidation date. Streams the
      file; with two threads (the default on two or more cores) a large CSV is read in two halves at once.

  cape sample --output FILE [--entries N] [--seed S] [--malformed PER_THOUSAND]
      Write deterministic synthetic ES-003 data (default 2000 entries, seed 2026).

  cape demo [--as-of DATE] [--out-dir DIR]
      The main job on the embedded sample: assess as of today, write the declaration files
      (default ./out/declarations, an earlier demo's files there replaced), show refunds per importer
      and the deadlines closing soonest.

  cape --version | --help

Dates are YYYY-MM-DD (MM/DD/YYYY also accepted). Money is printed with two decimals.
An ES-003 FILE may be - (standard input) or a pipe: it is read once, into a temporary copy. CSV text
may be UTF-8 or UTF-16 with its byte-order mark (Excel's \"Unicode text\").
Exit status: 0 success, 1 invalid input found (entry-number check) or file rejected (check),
2 some entries rejected (check), 3 rows rejected under --strict, 64 usage error, 65 unreadable input
(including an ES-003 with no usable row: a header alone, or every row rejected) or an output folder
cape will not write into (not empty, locked by another run, a symbolic link), 130 interrupted (Ctrl-C).
";

/// Runs the command line with `args` (without the program name), writing to `out` and `err`.
///
/// Returns the process exit status. Never panics on bad input; write errors on `out` (a closed pipe) end the
/// command quietly.
///
/// # Example
///
/// ```
/// let mut out = Vec::new();
/// let mut err = Vec::new();
/// let code = cape_core::cli::run(&["entry-number".into(), "check".into(), "ABC-1234567-6".into()], &mut out, &mut err);
/// assert_eq!(code, 0);
/// assert_eq!(String::from_utf8(out).unwrap(), "OK ABC-1234567-6\n");
/// ```
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_with_progress(args, out, err, false)
}

/// Like [`run()`]; with `progress`, long commands (`ingest`, `assess`) draw a progress line on `err` (pass true
/// when the process's stderr is a terminal).
pub fn run_with_progress(args: &[String], out: &mut dyn Write, err: &mut dyn Write, progress: bool) -> i32 {
    run_with(args, out, err, &RunOptions { progress, ..RunOptions::default() })
}

/// How a host runs the command line: whether to draw a progress line, and a flag that stops it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunOptions {
    /// Draw a progress line on `err` for long commands (pass true when stderr is a terminal).
    pub progress: bool,
    /// Set this flag (from a signal handler or another thread) to stop the command: reading stops at the next
    /// row, no output file is left under its final name, one line `cape: interrupted` goes to `err`, and
    /// the exit status is [`EXIT_INTERRUPTED`].
    pub cancel: Option<Arc<AtomicBool>>,
}

impl RunOptions {
    /// Options with a progress line when `progress`, and the cancel flag `cancel`.
    pub fn new(progress: bool, cancel: Option<Arc<AtomicBool>>) -> Self {
        RunOptions { progress, cancel }
    }
}

/// Like [`run()`], as the host says in `options` (progress line, cancel flag).
pub fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write, options: &RunOptions) -> i32 {
    let mut cx = Ctx { bar: Progress { enabled: options.progress, last: None }, cancel: options.cancel.clone() };
    let result = dispatch(args, out, err, &mut cx);
    cx.bar.finish(err);
    match result {
        Ok(code) => code,
        Err(CliError::Input(e)) if e.kind() == crate::ErrorKind::Cancelled => {
            let _ = writeln!(err, "cape: interrupted");
            EXIT_INTERRUPTED
        }
        Err(CliError::Usage(m)) => {
            let _ = writeln!(err, "cape: {m}\nRun `cape --help` for usage.");
            EXIT_USAGE
        }
        Err(CliError::Input(e)) => {
            let _ = writeln!(err, "cape: {e}");
            EXIT_INPUT
        }
        Err(CliError::Output) => EXIT_OK,
    }
}

enum CliError {
    Usage(String),
    Input(Error),
    /// Writing the output failed (e.g. a closed pipe): end quietly.
    Output,
}

impl From<std::io::Error> for CliError {
    fn from(_: std::io::Error) -> Self {
        CliError::Output
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Input(e)
    }
}

/// Parsed `--name value` options and positional arguments.
struct Opts {
    positional: Vec<String>,
    named: BTreeMap<String, String>,
}

fn parse_opts(args: &[String], with_value: &[&str]) -> Result<Opts, CliError> {
    parse_opts_flags(args, with_value, &[])
}

/// Like [`parse_opts`]; the options in `flags` take no value.
fn parse_opts_flags(args: &[String], with_value: &[&str], flags: &[&str]) -> Result<Opts, CliError> {
    let mut o = Opts { positional: Vec::new(), named: BTreeMap::new() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(name) = a.strip_prefix("--") {
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (name, None),
            };
            if !with_value.contains(&name) {
                return Err(CliError::Usage(format!("unknown option --{name}")));
            }
            if flags.contains(&name) {
                o.named.insert(name.to_owned(), String::new());
                continue;
            }
            let v = match inline {
                Some(v) => v,
                None => it.next().cloned().ok_or_else(|| CliError::Usage(format!("--{name} needs a value")))?,
            };
            o.named.insert(name.to_owned(), v);
        } else {
            o.positional.push(a.clone());
        }
    }
    Ok(o)
}

/// The part of [`HELP`] about one command (`cape assess --help`), with the closing notes on dates and exit
/// statuses; `None` for an unknown command.
pub fn subcommand_help(cmd: &str) -> Option<String> {
    let prefix = format!("  cape {cmd}");
    let mut blocks = HELP.split("\n\n");
    let block = blocks.find(|b| {
        b.lines()
            .find(|l| l.starts_with("  cape "))
            .is_some_and(|l| l.strip_prefix(&prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(' ')))
    })?;
    let tail = HELP.rsplit("\n\n").next().unwrap_or("");
    let block = block.strip_prefix("Usage:\n").unwrap_or(block);
    Some(format!("Usage:\n{block}\n\n{tail}"))
}

/// What every command gets from its host besides its arguments.
struct Ctx {
    bar: Progress,
    cancel: Option<Arc<AtomicBool>>,
}

impl Ctx {
    /// The ES-003 reading options of a command: `--sheet`, and the host's cancel flag.
    fn es003(&self, o: &Opts) -> Es003Options {
        Es003Options { sheet: o.named.get("sheet").cloned(), cancel: self.cancel.clone(), ..Es003Options::default() }
    }
}

/// A progress line on stderr, redrawn at most every 200 ms.
struct Progress {
    enabled: bool,
    last: Option<std::time::Instant>,
}

impl Progress {
    fn tick(&mut self, rows: u64, fraction: Option<f64>, err: &mut dyn Write) {
        if !self.enabled {
            return;
        }
        let now = std::time::Instant::now();
        if self.last.is_some_and(|t| now.duration_since(t).as_millis() < 200) {
            return;
        }
        self.last = Some(now);
        let _ = match fraction {
            Some(f) => {
                let filled = (f * 30.0) as usize;
                write!(err, "\r[{:<30}] {:>3.0}%  {rows} rows", "#".repeat(filled), f * 100.0)
            }
            None => write!(err, "\r{rows} rows"),
        };
        let _ = err.flush();
    }

    fn finish(&mut self, err: &mut dyn Write) {
        if self.enabled && self.last.take().is_some() {
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

fn dispatch(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let Some(cmd) = args.first() else {
        out.write_all(HELP.as_bytes())?;
        return Ok(EXIT_OK);
    };
    let rest = &args[1..];
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return match subcommand_help(cmd) {
            Some(text) => {
                out.write_all(text.as_bytes())?;
                Ok(EXIT_OK)
            }
            None => Err(CliError::Usage(format!("unknown command {cmd:?}"))),
        };
    }
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            out.write_all(HELP.as_bytes())?;
            Ok(EXIT_OK)
        }
        "-V" | "--version" => {
            writeln!(out, "cape {}", crate::VERSION)?;
            Ok(EXIT_OK)
        }
        "entry-number" => entry_number(rest, out),
        "ingest" => ingest(rest, out, err, cx),
        "assess" => assess(rest, out, err, cx),
        "declare" => declare(rest, out, err, cx),
        "check" => check(rest, out, err, cx),
        "results" => results(rest, out),
        "interest" => interest(rest, out),
        "refunds" => refunds(rest, out, err, cx),
        "sample" => sample(rest, out, err),
        "demo" => demo(rest, out, cx),
        other => Err(CliError::Usage(format!("unknown command {other:?}"))),
    }
}

fn entry_number(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    match args.first().map(String::as_str) {
        Some("check") => {}
        Some(other) => return Err(CliError::Usage(format!("unknown entry-number command {other:?} (try `check`)"))),
        None => return Err(CliError::Usage("entry-number needs a command: check NUMBER...".into())),
    }
    let numbers = &args[1..];
    if numbers.is_empty() {
        return Err(CliError::Usage("entry-number check needs at least one NUMBER".into()));
    }
    let mut all_ok = true;
    for n in numbers {
        match EntryNumber::parse_reason(n) {
            Ok(e) => writeln!(out, "OK {e}")?,
            Err(why) => {
                all_ok = false;
                writeln!(out, "INVALID {n}: {why}")?;
            }
        }
    }
    Ok(if all_ok { EXIT_OK } else { EXIT_INVALID })
}

fn ingest(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &["format", "sheet", "strict"], &["strict"])?;
    let [path] = o.positional.as_slice() else {
        return Err(CliError::Usage("ingest needs exactly one FILE".into()));
    };
    let format = o.named.get("format").map(String::as_str).unwrap_or("table");
    if !matches!(format, "table" | "json") {
        return Err(CliError::Usage(format!("--format must be table or json, not {format:?}")));
    }
    let opts = cx.es003(&o);
    // Stream: entries are counted and dropped, so memory stays bounded by one entry (plus diagnostics).
    let mut reader = Es003Reader::open(path, &opts)?;
    while let Some(e) = reader.next() {
        drop(e?);
        cx.bar.tick(reader.summary().rows_read, reader.progress(), err);
    }
    cx.bar.finish(err);
    let report =
        Es003 { entries: Vec::new(), diagnostics: reader.take_diagnostics(), summary: reader.summary().clone() };
    match format {
        "json" => {
            let v = serde_json::json!({ "summary": report.summary, "diagnostics": report.diagnostics });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(|_| CliError::Output)?;
            writeln!(out)?;
        }
        _ => {
            write_summary_table(&report, out)?;
            write_diagnostics(&report.diagnostics, out, usize::MAX)?;
        }
    }
    out.flush()?;
    Ok(ingest_balance(&o, &report.summary, err))
}

fn sample(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["entries", "seed", "output", "malformed"])?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage(format!("unexpected argument {:?}", o.positional[0])));
    }
    let num = |name: &str| -> Result<Option<u64>, CliError> {
        o.named
            .get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| CliError::Usage(format!("--{name} must be a whole number, not {v:?}")))
            })
            .transpose()
    };
    let Some(path) = o.named.get("output") else {
        return Err(CliError::Usage("sample needs --output FILE".into()));
    };
    let mut cfg = GeneratorConfig::default();
    if let Some(n) = num("entries")? {
        cfg.entries = usize::try_from(n).map_err(|_| CliError::Usage("--entries too large".into()))?;
    }
    if let Some(s) = num("seed")? {
        cfg.seed = s;
    }
    if let Some(m) = num("malformed")? {
        cfg.malformed_rows_per_thousand =
            u32::try_from(m).map_err(|_| CliError::Usage("--malformed too large".into()))?;
    }
    let mut w = crate::report::AtomicFile::create(path)?;
    let stats = generate_es003(&cfg, &mut w).map_err(|e| CliError::Input(Error::io(path.clone(), e)))?;
    w.commit()?;
    let _ = writeln!(
        err,
        "wrote {path}: {} entries, {} lines, {} rows ({} malformed), seed {}",
        stats.entries, stats.lines, stats.rows, stats.malformed_rows, cfg.seed
    );
    let _ = out;
    Ok(EXIT_OK)
}

fn demo(args: &[String], out: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts(args, &["as-of", "out-dir"])?;
    let as_of = as_of_opt(&o)?;
    let out_dir = o.named.get("out-dir").cloned().unwrap_or_else(|| "out/declarations".into());
    let cfg = sample_config();
    let tables = Tables::embedded()?;
    let opts = AssessOptions::new(as_of).assume_last_rate(&tables.rates);
    let mut ro = run::RunOptions::new();
    ro.es003 = Es003Options {
        source_name: Some("embedded sample ES-003".into()),
        cancel: cx.cancel.clone(),
        ..Es003Options::default()
    };
    let report = run::assess_all(Source::Bytes(SAMPLE_ES003.as_bytes().to_vec()), &tables, opts, &ro)?;
    writeln!(
        out,
        "cape {} — main job: the embedded sample ES-003 ({} entries, seed {}), assessed as of {as_of} under {}\n",
        crate::VERSION,
        cfg.entries,
        cfg.seed,
        report.rule_set
    )?;
    writeln!(out, "Ingest")?;
    write_ingest_lines(&report.ingest, out)?;
    writeln!(out, "\nAssessment")?;
    write_totals(&report.totals, out)?;
    if let Some(last) = tables.rates.rows().last() {
        writeln!(
            out,
            "  (interest assumes the rates of the last quarter in the table, {} to {}, continue after {})",
            last.start, last.end, last.end
        )?;
    }

    // Declarations.
    let set = build_declarations(report.entries.iter().map(|a| &a.claim), &DeclarationParams::default())?;
    // The demo replaces an earlier demo's files (and never files that are not cape's), so it can run again.
    let written = write_declarations_with(&set, &out_dir, &WriteOptions::replace(true))?;
    writeln!(
        out,
        "\nDeclarations: {} entries in {} file(s) written to {out_dir}/ (manifest.csv lists them)",
        set.manifest.total_entries,
        set.files.len()
    )?;
    for p in &written {
        writeln!(out, "  {}", p.display())?;
    }

    // Refunds per importer (recipient), with interest.
    let cons = &report.consolidation;
    let mut per: BTreeMap<&str, (usize, Usd, Usd, usize)> = BTreeMap::new();
    for r in cons.refunds() {
        let slot = per.entry(r.recipient.as_str()).or_insert((0, Usd::ZERO, Usd::ZERO, 0));
        slot.0 += r.entries.len();
        slot.1 = slot.1.checked_add(r.principal)?;
        slot.2 = slot.2.checked_add(r.interest)?;
        slot.3 += 1;
    }
    let mut rows: Vec<_> = per.into_iter().collect();
    rows.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
    writeln!(out, "\nExpected refunds of the eligible entries, per recipient (top 15 of {})", rows.len())?;
    writeln!(
        out,
        "  {:<14} {:>7} {:>9} {:>16} {:>12} {:>16}",
        "recipient", "entries", "payments", "principal", "interest", "total"
    )?;
    for (rcpt, (n, p, i, g)) in rows.iter().take(15) {
        let t = p.checked_add(*i)?;
        writeln!(
            out,
            "  {rcpt:<14} {n:>7} {g:>9} {:>16} {:>12} {:>16}",
            p.to_string_2dp(),
            i.to_string_2dp(),
            t.to_string_2dp()
        )?;
    }
    let t = cons.totals();
    writeln!(
        out,
        "  {:<14} {:>7} {:>9} {:>16} {:>12} {:>16}",
        "all",
        t.entries,
        cons.refunds().len(),
        t.principal.to_string_2dp(),
        t.interest.to_string_2dp(),
        t.principal.checked_add(t.interest)?.to_string_2dp()
    )?;

    // Deadlines closing soonest.
    let mut open: Vec<&EntryAssessment> = report
        .entries
        .iter()
        .filter(|a| a.claim.is_declarable() && a.claim.days_left.is_some_and(|d| d >= 0))
        .collect();
    open.sort_by_key(|a| (a.claim.days_left, a.entry_number()));
    writeln!(out, "\nFiling deadlines closing soonest (80-day rule: last filing day = liquidation + 79)")?;
    writeln!(out, "  {:<15} {:<14} {:<11} {:>9} {:>13}", "entry", "importer", "last day", "days left", "IEEPA duty")?;
    for a in open.iter().take(10) {
        writeln!(
            out,
            "  {:<15} {:<14} {:<11} {:>9} {:>13}{}",
            a.entry_number().to_string(),
            a.importer_number.as_deref().unwrap_or("-"),
            a.claim.last_filing_day.map(|d| d.to_string()).unwrap_or_default(),
            a.claim.days_left.unwrap_or_default(),
            a.principal().to_string_2dp(),
            if a.claim.urgent { "  URGENT" } else { "" }
        )?;
    }
    if open.is_empty() {
        writeln!(out, "  (no declarable liquidated entry has an open window)")?;
    }
    writeln!(out, "\nRun `cape assess FILE` on your own ES-003 export for the per-entry detail.")?;
    Ok(EXIT_OK)
}

fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch.checked_add_days(chrono::Days::new(secs / 86_400)).unwrap_or(epoch)
}

fn date_arg(name: &str, v: &str) -> Result<NaiveDate, CliError> {
    parse_date(v).map_err(|e| CliError::Usage(format!("--{name}: {e}")))
}

fn as_of_opt(o: &Opts) -> Result<NaiveDate, CliError> {
    o.named.get("as-of").map(|v| date_arg("as-of", v)).transpose().map(|d| d.unwrap_or_else(today))
}

fn u32_opt(o: &Opts, name: &str) -> Result<Option<u32>, CliError> {
    o.named
        .get(name)
        .map(|v| v.parse::<u32>().map_err(|_| CliError::Usage(format!("--{name} must be a whole number, not {v:?}"))))
        .transpose()
}

fn class_opt(o: &Opts) -> Result<Option<ImporterClass>, CliError> {
    o.named
        .get("class")
        .map(|v| {
            ImporterClass::from_word(v)
                .ok_or_else(|| CliError::Usage(format!("--class must be corporate or noncorporate, not {v:?}")))
        })
        .transpose()
}

fn percent_arg(name: &str, v: &str) -> Result<Decimal, CliError> {
    parse_percent(v, "percent").map_err(|_| CliError::Usage(format!("--{name} must be a percent such as 7, not {v:?}")))
}

/// Reads the tables, then applies `--rules FILE.json` (adding that rule set) and the assumed-rate flags.
fn tables_and_options(o: &Opts, as_of: NaiveDate) -> Result<(Tables, AssessOptions), CliError> {
    let mut tables = Tables::embedded()?;
    let mut opts = AssessOptions::new(as_of);
    if let Some(r) = o.named.get("rules") {
        if r.ends_with(".json") {
            let set = RuleSet::from_path(r)?;
            opts.rules = set.name.clone();
            tables.rules.insert(set);
        } else {
            opts.rules = r.clone();
        }
    }
    if let Some(n) = u32_opt(o, "urgent-days")? {
        opts.claim.urgent_within_days = n;
    }
    if let Some(n) = u32_opt(o, "last-day-offset")? {
        opts.claim.last_day_offset = Some(n);
    }
    if let Some(c) = class_opt(o)? {
        opts.default_class = c;
    }
    opts.interest.assumed_rate = assumed_rate(o, &tables)?;
    if let Some(path) = o.named.get("accepted") {
        opts.already_accepted = read_results_path(path)?.accepted_entries();
    }
    Ok((tables, opts))
}

fn assumed_rate(o: &Opts, tables: &Tables) -> Result<Option<AssumedRate>, CliError> {
    if o.named.contains_key("assume-last-rate") {
        return Ok(Some(AssumedRate::continue_last(&tables.rates)));
    }
    match o.named.get("assume-rate") {
        None => Ok(None),
        Some(v) => Ok(Some(AssumedRate::flat(percent_arg("assume-rate", v)?, &tables.rates))),
    }
}

const ASSESS_OPTS: &[&str] = &[
    "strict",
    "as-of",
    "rules",
    "format",
    "sheet",
    "urgent-days",
    "last-day-offset",
    "class",
    "assume-rate",
    "assume-last-rate",
    "accepted",
    "threads",
];

fn one_file(o: &Opts, what: &str) -> Result<String, CliError> {
    match o.positional.as_slice() {
        [p] => Ok(p.clone()),
        _ => Err(CliError::Usage(format!("{what} needs exactly one FILE"))),
    }
}

fn format_opt(o: &Opts, allowed: &[&'static str]) -> Result<&'static str, CliError> {
    let f = o.named.get("format").map(String::as_str).unwrap_or(allowed[0]);
    allowed
        .iter()
        .find(|a| **a == f)
        .copied()
        .ok_or_else(|| CliError::Usage(format!("--format must be one of {}, not {f:?}", allowed.join("|"))))
}

/// Says on `err`, whenever a row of an ES-003 was rejected, how its rows were accounted for (rows read =
/// used + rejected, and the count per code), so that no command drops rows silently. Returns the exit status
/// of a command that otherwise succeeded: [`EXIT_STRICT`] under `--strict` when a row was rejected.
fn ingest_balance(o: &Opts, s: &crate::IngestSummary, err: &mut dyn Write) -> i32 {
    if s.rows_rejected == 0 {
        return EXIT_OK;
    }
    let codes: Vec<String> = s.rejections_by_code().iter().map(|(c, n)| format!("{c} {n}")).collect();
    let _ = writeln!(
        err,
        "cape: {}: rows read {} = used {} + rejected {} ({}); `cape ingest {}` lists the rejected rows",
        s.source,
        s.rows_read,
        s.rows_used,
        s.rows_rejected,
        codes.join(", "),
        s.source
    );
    if o.named.contains_key("strict") {
        let _ = writeln!(err, "cape: --strict: {} rejected row(s), exit status {EXIT_STRICT}", s.rows_rejected);
        EXIT_STRICT
    } else {
        EXIT_OK
    }
}

fn json_err(_: serde_json::Error) -> CliError {
    CliError::Output
}

fn assess(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, ASSESS_OPTS, &["assume-last-rate", "strict"])?;
    let path = one_file(&o, "assess")?;
    let format = format_opt(&o, &["table", "json", "jsonl", "csv"])?;
    let as_of = as_of_opt(&o)?;
    let (tables, opts) = tables_and_options(&o, as_of)?;
    let mut src = run::assessments(Source::Path(path.into()), &tables, opts, &run_options(&o, cx)?)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let partial = match format {
        "jsonl" => {
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                serde_json::to_writer(&mut out, &a.record()).map_err(json_err)?;
                out.write_all(b"\n")?;
            }
            src.finish()?
        }
        "json" => {
            out.write_all(b"{\"entries\": [")?;
            let mut first = true;
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                serde_json::to_writer(&mut out, &a.record()).map_err(json_err)?;
            }
            let p = src.finish()?;
            let summary = serde_json::json!({
                "as_of": as_of, "rule_set": p.rule_set, "totals": p.totals, "ingest": p.ingest,
            });
            out.write_all(b"\n],\n\"summary\": ")?;
            serde_json::to_writer(&mut out, &summary).map_err(json_err)?;
            out.write_all(b",\n\"diagnostics\": ")?;
            serde_json::to_writer(&mut out, &p.diagnostics).map_err(json_err)?;
            out.write_all(b"}\n")?;
            p
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS).map_err(|_| CliError::Output)?;
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                w.write_record(csv_row(&a)).map_err(|_| CliError::Output)?;
            }
            w.flush()?;
            drop(w);
            src.finish()?
        }
        _ => {
            writeln!(
                out,
                "{:<15} {:<14} {:<4} {:<10} {:>12} {:>12} {:<17} {:<10} {:>5} {:>10}  reasons",
                "entry",
                "importer",
                "type",
                "entry date",
                "IEEPA duty",
                "duty after",
                "status",
                "last day",
                "days",
                "interest"
            )?;
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                let r = a.record();
                let mut reasons: Vec<&str> = Vec::new();
                for code in r.reasons.iter().map(|x| x.code).chain(r.findings.iter().map(|f| f.code)) {
                    if !reasons.contains(&code) {
                        reasons.push(code);
                    }
                }
                writeln!(
                    out,
                    "{:<15} {:<14} {:<4} {:<10} {:>12} {:>12} {:<17} {:<10} {:>5} {:>10}  {}",
                    r.entry_number,
                    r.importer_number.unwrap_or("-"),
                    r.entry_type.unwrap_or("-"),
                    r.entry_date.map(|d| d.to_string()).unwrap_or_default(),
                    r.ieepa_duty,
                    r.duty_after,
                    r.status,
                    r.last_filing_day.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    r.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    r.interest.as_deref().unwrap_or("-"),
                    reasons.join(",")
                )?;
            }
            let p = src.finish()?;
            writeln!(out, "\nas of {as_of}, rule set {}", p.rule_set)?;
            write_totals(&p.totals, &mut out)?;
            write_ingest_lines(&p.ingest, &mut out)?;
            write_diagnostics(&p.diagnostics, &mut out, 50)?;
            write_dropped(&p.ingest, &mut out)?;
            p
        }
    };
    cx.bar.finish(err);
    out.flush()?;
    Ok(ingest_balance(&o, &partial.ingest, err))
}

/// The columns of `cape assess --format csv`: [`crate::assess::RECORD_KEYS`], with findings and reasons as
/// `;`-joined codes.
pub const CSV_COLUMNS: &[&str] = crate::assess::RECORD_KEYS;

fn csv_row(a: &EntryAssessment) -> Vec<String> {
    let r = a.record();
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    vec![
        r.entry_number.clone(),
        r.importer_number.unwrap_or_default().to_owned(),
        r.entry_type.unwrap_or_default().to_owned(),
        d(r.entry_date),
        r.duty_before.clone(),
        r.duty_after.clone(),
        r.ieepa_duty.clone(),
        r.principal_is_upper_bound.to_string(),
        r.findings.iter().map(|f| f.code).collect::<Vec<_>>().join(";"),
        r.status.to_owned(),
        r.reasons.iter().map(|x| x.code).collect::<Vec<_>>().join(";"),
        d(r.liquidation_date),
        d(r.last_filing_day),
        r.days_left.map(|x| x.to_string()).unwrap_or_default(),
        r.urgent.to_string(),
        r.rule_set.to_owned(),
        d(r.deposit_date),
        r.deposit_date_rule.unwrap_or_default().to_owned(),
        d(r.projected_acceptance_date),
        d(r.projected_liquidation_date),
        r.interest.clone().unwrap_or_default(),
        r.interest_days.map(|x| x.to_string()).unwrap_or_default(),
        r.interest_note.clone().unwrap_or_default(),
        r.importer_class.to_owned(),
        r.refund_recipient.unwrap_or_default().to_owned(),
        r.refund_held.map(|x| x.to_string()).unwrap_or_default(),
    ]
}

/// `--threads N`: 1 reads on the calling thread; 2 or more reads ahead on a second thread. The default (0)
/// is the spine's: 2 when the machine has two cores or more.
fn threads_opt(o: &Opts) -> Result<usize, CliError> {
    match o.named.get("threads") {
        None => Ok(0),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(CliError::Usage(format!("--threads must be a whole number of at least 1, not {t:?}"))),
        },
    }
}

/// How a command runs the spine: `--sheet`, `--threads`, `--min-refund` and the host's cancel flag.
fn run_options(o: &Opts, cx: &Ctx) -> Result<run::RunOptions, CliError> {
    let mut r = run::RunOptions::new();
    r.es003 = cx.es003(o);
    r.threads = threads_opt(o)?;
    r.consolidation.minimum_refund = o
        .named
        .get("min-refund")
        .map(|v| Usd::parse_cents(v, "minimum refund").map_err(|e| CliError::Usage(format!("--min-refund: {e}"))))
        .transpose()?;
    Ok(r)
}

fn assess_all(o: &Opts, path: &str, as_of: NaiveDate, cx: &Ctx) -> Result<run::Partial, CliError> {
    let (tables, opts) = tables_and_options(o, as_of)?;
    Ok(run::assess_all(Source::Path(path.into()), &tables, opts, &run_options(o, cx)?)?)
}

fn declare(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(
        args,
        &["as-of", "rules", "sheet", "out-dir", "split-by-importer", "max-per-file", "accepted", "replace", "strict"],
        &["split-by-importer", "replace", "strict"],
    )?;
    let path = one_file(&o, "declare")?;
    let dir = o.named.get("out-dir").ok_or_else(|| CliError::Usage("declare needs --out-dir DIR".into()))?;
    let as_of = as_of_opt(&o)?;
    let report = assess_all(&o, &path, as_of, cx)?;
    let status = ingest_balance(&o, &report.ingest, err);
    if status != EXIT_OK {
        let _ = writeln!(err, "cape: no declaration file written");
        return Ok(status);
    }
    let mut params =
        DeclarationParams { per_importer: o.named.contains_key("split-by-importer"), ..Default::default() };
    if let Some(n) = u32_opt(&o, "max-per-file")? {
        params.max_entries_per_file = n as usize;
    }
    let set = build_declarations(report.entries.iter().map(|a| &a.claim), &params)?;
    let written = write_declarations_with(&set, dir, &WriteOptions::replace(o.named.contains_key("replace")))?;
    writeln!(
        out,
        "{} declarable entries (of {}) in {} file(s), as of {as_of} under {}:",
        set.manifest.total_entries,
        report.totals.entries,
        set.files.len(),
        report.rule_set
    )?;
    for p in &written {
        writeln!(out, "  {}", p.display())?;
    }
    Ok(EXIT_OK)
}

fn check(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &["es003", "as-of", "rules", "sheet", "format", "strict"], &["strict"])?;
    let path = one_file(&o, "check")?;
    let format = format_opt(&o, &["table", "json"])?;
    let mut report = preflight_path(&path, &PreflightOptions::default())?;
    if let Some(es003) = o.named.get("es003") {
        let as_of = as_of_opt(&o)?;
        let (tables, opts) = tables_and_options(&o, as_of)?;
        let mut checked = report.clone();
        let p = run::preflight_against(&mut checked, Source::Path(es003.into()), &tables, opts, &run_options(&o, cx)?)?;
        let status = ingest_balance(&o, &p.ingest, err);
        if status != EXIT_OK {
            return Ok(status);
        }
        report = checked;
    }
    if format == "json" {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(json_err)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}: {} ({} rows)", report.source, report.verdict.name(), report.rows_read)?;
        for f in &report.findings {
            let row = f.row.map(|r| format!("row {r}")).unwrap_or_else(|| "file".into());
            let cape = f.cape_message.map(|m| format!(" [CAPE: {m}]")).unwrap_or_default();
            let value = f.value.as_deref().map(|v| format!(" {v:?}")).unwrap_or_default();
            writeln!(out, "  {row}: {}{value}: {}{cape}", f.code.as_str(), f.message)?;
        }
        for v in report.entry_verdicts.iter().filter(|v| !v.reasons.is_empty() || v.status.is_none()) {
            let reasons: Vec<&str> = v.reasons.iter().map(|r| r.as_str()).collect();
            let status = v.status.map(|s| s.name()).unwrap_or("not in the ES-003 data");
            let cbp = v.cbp_message.map(|m| format!(" [CBP: {m}]")).unwrap_or_default();
            writeln!(out, "  row {}: {} {status} {}{cbp}", v.row, v.entry_number, reasons.join(","))?;
        }
    }
    Ok(report.verdict.exit_code())
}

fn results(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["declared", "format"])?;
    let path = one_file(&o, "results")?;
    let format = format_opt(&o, &["table", "json"])?;
    let res = read_results_path(&path)?;
    let rec = match o.named.get("declared") {
        Some(dir) => {
            let (declared, _) = declared_in_dir(dir)?;
            Some(reconcile(&res, declared.iter()))
        }
        None => None,
    };
    if format == "json" {
        let v = serde_json::json!({ "results": res, "reconciliation": rec });
        serde_json::to_writer_pretty(&mut *out, &v).map_err(json_err)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    let s = &res.summary;
    writeln!(
        out,
        "{}: {} rows, {} updated, {} failed, {} other status, {} unknown error texts",
        res.source, s.rows, s.updated, s.failed, s.other_status, s.unknown_errors
    )?;
    for r in &res.rows {
        let entry = r.entry_number.map(|e| e.to_string()).unwrap_or_else(|| r.entry_text.clone());
        match &r.error {
            Some(e) => writeln!(
                out,
                "  row {}: {entry} {} {}: {} — {}{}",
                r.row,
                r.status.name(),
                e.kind.name(),
                e.text,
                e.kind.remedy(),
                if e.kind.retired() { " (retired message)" } else { "" }
            )?,
            None => writeln!(
                out,
                "  row {}: {entry} {} claim {}",
                r.row,
                r.status.name(),
                r.claim_number.as_deref().unwrap_or("-")
            )?,
        }
    }
    if let Some(rec) = rec {
        writeln!(out, "reconciliation: {} matched", rec.matched)?;
        for e in &rec.declared_not_in_results {
            writeln!(out, "  declared, not in results: {e}")?;
        }
        for e in &rec.in_results_not_declared {
            writeln!(out, "  in results, never declared: {e}")?;
        }
    }
    Ok(EXIT_OK)
}

fn interest(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts_flags(
        args,
        &["principal", "from", "to", "class", "explain", "assume-rate", "assume-last-rate"],
        &["explain", "assume-last-rate"],
    )?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage(format!("unexpected argument {:?}", o.positional[0])));
    }
    let need = |n: &str| o.named.get(n).ok_or_else(|| CliError::Usage(format!("interest needs --{n}")));
    let principal =
        Usd::parse_cents(need("principal")?, "principal").map_err(|e| CliError::Usage(format!("--principal: {e}")))?;
    let from = date_arg("from", need("from")?)?;
    let to = date_arg("to", need("to")?)?;
    if to < from {
        return Err(CliError::Usage(format!(
            "--to {to} is before --from {from}: interest runs from the deposit to the (re)liquidation"
        )));
    }
    let class = class_opt(&o)?.unwrap_or(ImporterClass::Corporate);
    let tables = Tables::embedded()?;
    let params = InterestParams { assumed_rate: assumed_rate(&o, &tables)?, ..InterestParams::default() };
    let r = compute_interest(principal, from, to, class, &tables.rates, &params)?;
    writeln!(out, "{}", r.interest.to_string_2dp())?;
    if o.named.contains_key("explain") {
        writeln!(
            out,
            "principal {} deposited {from}, (re)liquidated {to}, {}: {} days, compounded daily",
            principal.to_string_2dp(),
            class.name(),
            r.days
        )?;
        for p in &r.periods {
            writeln!(
                out,
                "  {} .. {}  {:>3} days at {}%/{}{}  interest {}",
                p.from,
                p.to,
                p.days,
                p.annual_rate_percent,
                p.days_in_year,
                if p.assumed { " (assumed)" } else { "" },
                p.interest.to_string_2dp()
            )?;
        }
        if r.used_assumed_rate {
            writeln!(out, "  uses an assumed rate for days past the rate table")?;
        }
    }
    Ok(EXIT_OK)
}

fn refunds(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(
        args,
        &[
            "as-of",
            "rules",
            "sheet",
            "format",
            "min-refund",
            "assume-rate",
            "assume-last-rate",
            "class",
            "accepted",
            "threads",
            "strict",
        ],
        &["assume-last-rate", "strict"],
    )?;
    let path = one_file(&o, "refunds")?;
    let format = format_opt(&o, &["table", "json", "csv"])?;
    let as_of = as_of_opt(&o)?;
    let (tables, opts) = tables_and_options(&o, as_of)?;
    // Streaming: no entry is kept, only the consolidation (memory flat in the file's size).
    let run = run::run_summary(Source::Path(path.into()), &tables, opts, &run_options(&o, cx)?)?;
    let status = ingest_balance(&o, &run.ingest, err);
    let cons = run.consolidation;
    match format {
        "json" => {
            let v = serde_json::json!({ "as_of": as_of, "totals": cons.totals(), "refunds": cons.refunds() });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(json_err)?;
            writeln!(out)?;
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(&mut *out);
            let _ = w.write_record([
                "recipient",
                "liquidation_date",
                "held",
                "entries",
                "principal",
                "interest",
                "total",
                "entry_numbers",
            ]);
            for r in cons.refunds() {
                let nums: Vec<String> = r.entries.iter().map(|e| e.to_string()).collect();
                w.write_record([
                    r.recipient.clone(),
                    r.liquidation_date.to_string(),
                    r.held.to_string(),
                    r.entries.len().to_string(),
                    r.principal.to_string_2dp(),
                    r.interest.to_string_2dp(),
                    r.total.to_string_2dp(),
                    nums.join(";"),
                ])
                .map_err(|_| CliError::Output)?;
            }
            w.flush()?;
        }
        _ => {
            writeln!(
                out,
                "{:<14} {:<11} {:>7} {:>16} {:>12} {:>16}",
                "recipient", "liquidates", "entries", "principal", "interest", "total"
            )?;
            for r in cons.refunds() {
                writeln!(
                    out,
                    "{:<14} {:<11} {:>7} {:>16} {:>12} {:>16}{}",
                    r.recipient,
                    r.liquidation_date.to_string(),
                    r.entries.len(),
                    r.principal.to_string_2dp(),
                    r.interest.to_string_2dp(),
                    r.total.to_string_2dp(),
                    if r.held { "  HELD (no ACH refund enrollment)" } else { "" }
                )?;
            }
            let t = cons.totals();
            writeln!(
                out,
                "{} entries; principal {}, interest {}, paid {}, held {}",
                t.entries,
                t.principal.to_string_2dp(),
                t.interest.to_string_2dp(),
                t.paid.to_string_2dp(),
                t.held.to_string_2dp()
            )?;
        }
    }
    Ok(status)
}

fn write_totals(t: &AssessTotals, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "  entries assessed     {}", t.entries)?;
    writeln!(out, "  eligible             {}", t.eligible)?;
    writeln!(out, "  eligible_deferred    {}", t.eligible_deferred)?;
    writeln!(out, "  ineligible           {}", t.ineligible)?;
    writeln!(out, "  needs_review         {}", t.needs_review)?;
    writeln!(out, "  urgent               {}", t.urgent)?;
    writeln!(out, "  IEEPA duty, all      {}", t.ieepa_duty.to_string_2dp())?;
    writeln!(out, "  IEEPA duty, declarable {}", t.declarable_ieepa_duty.to_string_2dp())?;
    writeln!(out, "  interest (eligible)  {}", t.interest.to_string_2dp())?;
    if t.interest_unknown > 0 {
        writeln!(
            out,
            "  interest unknown     {} eligible entries (no published rate for some day; see --assume-rate)",
            t.interest_unknown
        )?;
    }
    Ok(())
}

fn write_ingest_lines(s: &crate::IngestSummary, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {}: {} entries, {} lines, {} tariff rows; rows read {} = used {} + rejected {}",
        s.source, s.entries, s.lines, s.tariff_rows, s.rows_read, s.rows_used, s.rows_rejected
    )
}

fn write_summary_table(r: &Es003, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    writeln!(out, "source          {} ({})", s.source, s.format.name())?;
    if !s.sheets_read.is_empty() {
        writeln!(out, "sheets read     {}", s.sheets_read.join(", "))?;
        let skipped = if s.sheets_skipped.is_empty() { "none".to_owned() } else { s.sheets_skipped.join(", ") };
        writeln!(out, "sheets skipped  {skipped}")?;
    }
    writeln!(out, "entries         {}", s.entries)?;
    writeln!(out, "lines           {}", s.lines)?;
    writeln!(out, "tariff rows     {}", s.tariff_rows)?;
    writeln!(out, "rows read       {}", s.rows_read)?;
    writeln!(out, "rows used       {}", s.rows_used)?;
    writeln!(out, "rows rejected   {}", s.rows_rejected)?;
    writeln!(
        out,
        "balanced        {} (rows read = rows used + rows rejected)",
        if s.is_balanced() { "yes" } else { "NO" }
    )?;
    writeln!(out, "split entries   {}", s.split_entries)?;
    writeln!(out, "conflicting     {}", s.conflicting_entries)?;
    writeln!(out, "diagnostics     {} errors, {} warnings, {} notes", s.errors, s.warnings, s.infos)?;
    for (code, n) in &s.counts_by_code {
        writeln!(out, "  {code:<38} {n}")?;
    }
    write_dropped(s, out)
}

/// Says how many diagnostics were counted but not kept in detail (beyond the per-code cap), if any.
fn write_dropped(s: &crate::IngestSummary, out: &mut dyn Write) -> std::io::Result<()> {
    if s.diagnostics_dropped > 0 {
        writeln!(
            out,
            "  {} more diagnostics counted but not kept (at most {} kept per code)",
            s.diagnostics_dropped, s.max_diagnostics_per_code
        )?;
    }
    Ok(())
}

fn write_diagnostics(diags: &[Diagnostic], out: &mut dyn Write, limit: usize) -> std::io::Result<()> {
    let shown: Vec<&Diagnostic> = diags.iter().filter(|d| d.row.is_some()).take(limit).collect();
    let notes = diags.iter().filter(|d| d.row.is_none()).count();
    let rows_total = diags.len() - notes;
    writeln!(out, "\ndiagnostics ({rows_total} about rows, {notes} about the file)")?;
    for d in diags.iter().filter(|d| d.row.is_none()) {
        if limit == usize::MAX {
            writeln!(out, "  {d}")?;
        }
    }
    for d in &shown {
        writeln!(out, "  {d}")?;
    }
    if shown.len() < rows_total {
        writeln!(out, "  ... {} more (use `cape ingest FILE`)", rows_total - shown.len())?;
    }
    Ok(())
}
