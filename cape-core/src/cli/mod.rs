//! The `cape` command line.
//!
//! The Python package's console script (`cape`, `python -m cape`) calls [`run()`] with its arguments, so the
//! command line behaves identically however cape is installed, and its output formats live in one place.
//!
//! Run `cape --help` for the commands; [`HELP`] is that text.

mod args;
mod assess;
mod check;
mod declare;
mod demo;
mod entry_number;
mod ingest;
mod interest;
mod ledger;
mod plan;
mod refunds;
mod results;
mod sample;
mod write;

pub use assess::CSV_COLUMNS;
pub use ledger::LEDGER_CSV_COLUMNS;
pub use plan::PLAN_CSV_COLUMNS;

/// What every command file imports: the crate's items the commands use, and each other's helpers.
mod prelude {
    pub(super) use std::collections::BTreeMap;
    pub(super) use std::io::Write;

    pub(super) use std::sync::atomic::AtomicBool;
    pub(super) use std::sync::Arc;

    pub(super) use chrono::NaiveDate;
    pub(super) use rust_decimal::Decimal;

    pub(super) use super::args::*;
    pub(super) use super::write::*;
    pub(super) use super::{CliError, Ctx, EXIT_INVALID, EXIT_OK, EXIT_STRICT};
    pub(super) use crate::assess::{AssessOptions, AssessTotals, Tables};
    pub(super) use crate::claim::{
        build_declarations, declared_in_dir, preflight_path, read_results_path, read_results_path_with, reconcile,
        write_declarations_with, DeclarationOptions, PreflightOptions, ResultsOptions, RuleChoice, RuleSet,
        WriteOptions,
    };
    pub(super) use crate::ingest::es003::{Es003, Es003Options, Es003Reader};
    pub(super) use crate::model::ImporterClass;
    pub(super) use crate::refund::{compute_interest, AssumedRate, InterestOptions};
    pub(super) use crate::run::{self, Source};
    pub(super) use crate::sample::{generate_es003, sample_config, sample_es003, GeneratorConfig};
    pub(super) use crate::values::money::parse_percent;
    pub(super) use crate::{parse_date, Diagnostic, EntryNumber, Error, Usd};
}

use prelude::*;

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

  cape ingest FILE [--format table|json|csv] [--sheet NAME]
      Read an ES-003 report (CSV or XLSX) and print the summary (entries, lines, tariff rows,
      rows read/used/rejected) and every diagnostic; --format csv prints the diagnostics, one a row.

  cape assess FILE [--as-of DATE] [--rules auto|phase1|phase2|RULES.json] [--format table|json|jsonl|csv]
              [--sheet NAME] [--urgent-days N] [--last-day-offset N] [--class corporate|noncorporate]
              [--class-override IMPORTER=CLASS]... [--assume-rate PERCENT | --assume-last-rate]
              [--accepted CLAIMS.csv] [--threads N]
              [--acceptance-lag DAYS] [--liquidation-offset DAYS] [--reliquidation-window DAYS]
              [--closures FILE] [--court-accrual liquidation_date|final_liquidation]
      Assess every entry as of DATE (default today): IEEPA duty removed (duty before/after, principal,
      findings), CAPE status and reasons, last filing day, deposit date, projected (re)liquidation,
      interest, refund recipient and due date, and the next action with its act-by date. jsonl writes one object per entry per line; json wraps them as
      {\"summary\", \"entries\", \"diagnostics\"}. Interest for days past the rate table is null unless
      --assume-rate (percent, corporate; non-corporate is one point more) or --assume-last-rate says
      what to assume. --class-override 12-3456789AB=noncorporate sets one importer's class (repeat for
      each; an importer no entry has is said on stderr and as ES003_UNKNOWN_OVERRIDE_IMPORTER).
      --accepted marks entries CAPE already accepted (from a claim-details file).
      --threads 1 reads and assesses on one thread; the default (2 on two or more cores) reads ahead on
      a second thread. The output is the same either way. The schedule: acceptance = DATE +
      --acceptance-lag (default 0); an unliquidated entry liquidates --liquidation-offset days after
      acceptance (45); a liquidated one is reliquidated then or at the end of the --reliquidation-window
      after its liquidation (90), whichever comes first. --closures FILE lists extra federal closures
      (one date per line, YYYY-MM-DD or MM/DD/YYYY, # comments): no working day for deposit dates.

  cape declare FILE --out-dir DIR [--replace] [--as-of DATE] [--rules ...] [--split-by-importer]
              [--max-per-file N] [--acceptance-lag DAYS] [--liquidation-offset DAYS]
              [--reliquidation-window DAYS] [--closures FILE]
      Write CAPE declaration CSVs (header `Entry Number`, at most 9,999 per file) of the eligible and
      deferred entries, and manifest.csv (each file's entry count and SHA-256), atomically. DIR must be
      empty or new; --replace replaces an earlier run's files there (never files that are not cape's).

  cape check DECLARATION.csv [--es003 FILE [--as-of DATE] [--rules ...] [--acceptance-lag DAYS]
             [--liquidation-offset DAYS] [--reliquidation-window DAYS] [--closures FILE]] [--format table|json|csv]
      Pre-flight a declaration file as CAPE will, and against the manifest.csv beside it (a cut, edited
      or stale file is rejected). Exit 0 when CAPE would accept it, 1 when it would reject the whole
      file, 2 when it would reject some entries. --format csv prints the findings, one a row.

  cape results CLAIMS.csv [--declared DIR] [--format table|json|csv] [--column NAME=HEADER]... [--sheet NAME]
      Read ACE's claim-details file (CSV or XLSX): claim numbers, statuses, errors with meaning and
      remedy, rows cape could not use (bad entry numbers); with --declared, reconcile against the
      declaration files in DIR. Columns ENTRY_NUMBER, CLAIM_NUMBER, STATUS, ERROR_DESCRIPTION, or a
      broker workbook's Entry Summary Number, Cape Claim Number, Filing Status, Error Detail; --column
      ENTRY_NUMBER=\"Entry Ref\" reads a column from another header (repeat for each column).
      --format csv prints the rows, one a row, each error with its kind, meaning and remedy.

  cape interest --principal AMOUNT --from DATE --to DATE [--class corporate|noncorporate] [--explain]
                [--assume-rate PERCENT | --assume-last-rate]
      Interest under 19 USC 1505 (daily compounding) from the deposit date (excluded) to the
      (re)liquidation date (included). The first line is the interest with two decimals.

  cape refunds FILE [--as-of DATE] [--format table|json|csv] [--min-refund AMOUNT] [--rules ...]
              [--assume-rate PERCENT | --assume-last-rate] [--class corporate|noncorporate]
              [--class-override IMPORTER=CLASS]... [--threads N] [--acceptance-lag DAYS]
              [--liquidation-offset DAYS] [--reliquidation-window DAYS] [--closures FILE]
      The refunds CBP would pay, consolidated per recipient and projected liquidation date. Streams the
      file; with two threads (the default on two or more cores) a large CSV is read in two halves at once.

  cape plan FILE [--as-of DATE] [--within DAYS] [--by importer|week] [--format table|json|csv]
            [--rules ...] [--court-accrual liquidation_date|final_liquidation] [--threads N]
            [--acceptance-lag DAYS] [--liquidation-offset DAYS] [--reliquidation-window DAYS]
            [--closures FILE] (and every option of assess)
      The next action for every entry that needs one (declare, withdraw a protest, protest, a Court of
      International Trade action, correct, review...), with its act-by date, grouped by importer or by
      week, soonest first, with the IEEPA duty at stake per group. --within lists only actions due within
      DAYS of the as-of date. Streams the file. Action codes and their legal basis: docs/codes.md.
      --court-accrual: the two years for a Court of International Trade action count from the
      liquidation date (default: when the claim accrues is unsettled, and that is the earliest date) or
      from the day the liquidation became final (liquidation + 180 days).

  cape sample --output FILE [--entries N] [--seed S] [--malformed PER_THOUSAND]
      Write deterministic synthetic ES-003 data (default 1000 entries, seed 1).

  cape demo [--as-of DATE] [--out-dir DIR]
      The main job on the embedded sample: assess as of today, write the declaration files
      (default ./out/declarations, an earlier demo's files there replaced), show refunds per importer
      and the actions due within 30 days.

  cape ledger record FILE... [--db PATH] [--as-of DATE]
                     [--kind es003|declarations|claim_results|refunds|es022|rev603|rev615]
                     [--column FIELD=HEADER]... [--map FILE] [--sheet NAME] [--rules ...] [--class ...]
                     [--class-override IMPORTER=CLASS]... [--assume-rate PERCENT | --assume-last-rate]
                     [--threads N] [--acceptance-lag DAYS] [--liquidation-offset DAYS]
                     [--reliquidation-window DAYS] [--closures FILE]
  cape ledger status [--db PATH] [--importer N] [--state S] [--as-of DATE] [--since IMPORT_ID] [--format table|json|csv]
  cape ledger history ENTRY [--db PATH] [--format table|json]
  cape ledger changes --since IMPORT_ID [--db PATH] [--importer N] [--state S] [--as-of DATE] [--format table|json|csv]
  cape ledger statement --importer N --out FILE.html [--as-of DATE] [--db PATH]
      The refund ledger, a SQLite file (--db, default cape.db) following each entry from assessment to
      payment. record: each FILE in its own transaction, once per content (SHA-256): an ES-003 (assessed
      as of --as-of, required for it), a declaration folder or its manifest.csv, a CAPE claim-details
      file, an ACE refund report (ES-022, REV-603, REV-615); the kind is detected from the header unless
      --kind names it. --column reads a claim-details column or refund-report field from another header
      (ENTRY_NUMBER=\"Entry Ref\", principal=\"Amt\"); --map FILE gives refund-report FIELD=Header lines.
      Prints per file: recorded or already recorded, the kind, rows read/used/rejected; a file that
      fails is said on stderr, the others are still recorded, and the exit status is 65. Ctrl-C leaves
      the ledger as it was before the file being recorded. status: each state's entries and expected
      and paid amounts (the view entry_state; --as-of judges overdue against another day), the refund
      report rows naming no assessed entry (view unmatched_payments); json adds every entry, csv lists
      them. history: every fact recorded about an entry. changes: entries with facts recorded after
      an import. statement: an importer's self-contained HTML statement, written atomically. Reading
      commands never create or change the ledger; a missing --db file is an error (exit 65).

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

/// The options (`--name`, without the dashes) `cape COMMAND` accepts, for the commands that assess or compute
/// (`assess`, `refunds`, `declare`, `plan`, `interest`); `None` for another command. The lists the parser
/// itself uses: what a binding checks its keywords against (Python's `tests/python/test_parity.py`).
pub fn command_options(command: &str) -> Option<Vec<&'static str>> {
    Some(match command {
        "assess" => ASSESS_OPTS.to_vec(),
        "refunds" => REFUNDS_OPTS.concat(),
        "declare" => DECLARE_OPTS.concat(),
        "plan" => PLAN_OPTS.concat(),
        "interest" => INTEREST_OPTS.to_vec(),
        _ => return None,
    })
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
        "entry-number" => entry_number::entry_number(rest, out),
        "ingest" => ingest::ingest(rest, out, err, cx),
        "assess" => assess::assess(rest, out, err, cx),
        "declare" => declare::declare(rest, out, err, cx),
        "check" => check::check(rest, out, err, cx),
        "results" => results::results(rest, out),
        "interest" => interest::interest(rest, out),
        "refunds" => refunds::refunds(rest, out, err, cx),
        "plan" => plan::plan(rest, out, err, cx),
        "sample" => sample::sample(rest, out, err),
        "demo" => demo::demo(rest, out, cx),
        "ledger" => ledger::ledger(rest, out, err, cx),
        other => Err(CliError::Usage(format!("unknown command {other:?}"))),
    }
}
