//! The `cape` command line.
//!
//! The Python package's console script (`cape`, `python -m cape`) calls [`run`] with its arguments, so the
//! command line behaves identically however cape is installed, and its output formats live in one place.
//!
//! ```text
//! cape entry-number check NUMBER...      OK <XXX-NNNNNNN-C> | INVALID <input>: <why>; exit 0 only if all valid
//! cape ingest FILE [--format table|json] [--sheet NAME]
//! cape sample --entries N --seed S --output FILE [--malformed PER_THOUSAND]
//! cape demo                              the main job, on the embedded sample
//! ```

use std::collections::BTreeMap;
use std::io::Write;

use crate::ingest::es003::{Es003, Es003Options, Es003Reader};
use crate::sample::{generate_es003, sample_config, GeneratorConfig, SAMPLE_ES003};
use crate::{Diagnostic, EntryNumber, Error, Usd};

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command ran and found invalid input (e.g. an invalid entry number).
pub const EXIT_INVALID: i32 = 1;
/// Exit status: bad usage (unknown command or option).
pub const EXIT_USAGE: i32 = 64;
/// Exit status: the input could not be read (missing file, missing column, not CSV/XLSX).
pub const EXIT_INPUT: i32 = 65;

const HELP: &str = "cape — IEEPA tariff refunds through CBP's CAPE, from a broker's ACE ES-003 report

Usage:
  cape entry-number check NUMBER...
      Verify entry numbers (format and check digit). Prints one line per number:
      `OK XXX-NNNNNNN-C` or `INVALID <input>: <why>`. Exit 0 only when all are valid, else 1.
  cape ingest FILE [--format table|json] [--sheet NAME]
      Read an ES-003 report (CSV or XLSX) and print the summary (entries, lines, tariff rows,
      rows read/used/rejected) and every diagnostic. Exit 0 when read (even with rejected rows),
      65 when the file cannot be read.
  cape sample --output FILE [--entries N] [--seed S] [--malformed PER_THOUSAND]
      Write deterministic synthetic ES-003 data (default 2000 entries, seed 2026).
  cape demo
      The main job on the embedded sample ES-003 (about 2,000 entries).
  cape --version | --help

Exit status: 0 success, 1 invalid input found, 64 usage error, 65 unreadable input.
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
    match dispatch(args, out, err) {
        Ok(code) => code,
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

fn dispatch(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let Some(cmd) = args.first() else {
        out.write_all(HELP.as_bytes())?;
        return Ok(EXIT_OK);
    };
    let rest = &args[1..];
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
        "ingest" => ingest(rest, out),
        "sample" => sample(rest, out, err),
        "demo" => demo(out),
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

fn ingest(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["format", "sheet"])?;
    let [path] = o.positional.as_slice() else {
        return Err(CliError::Usage("ingest needs exactly one FILE".into()));
    };
    let format = o.named.get("format").map(String::as_str).unwrap_or("table");
    if !matches!(format, "table" | "json") {
        return Err(CliError::Usage(format!("--format must be table or json, not {format:?}")));
    }
    let opts = Es003Options { source_name: None, sheet: o.named.get("sheet").cloned() };
    let report = Es003Reader::open(path, &opts)?.read_all()?;
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
    Ok(EXIT_OK)
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
    let file = std::fs::File::create(path).map_err(|e| CliError::Input(Error::io(path.clone(), e)))?;
    let mut w = std::io::BufWriter::new(file);
    let stats = generate_es003(&cfg, &mut w).map_err(|e| CliError::Input(Error::io(path.clone(), e)))?;
    w.flush().map_err(|e| CliError::Input(Error::io(path.clone(), e)))?;
    let _ = writeln!(
        err,
        "wrote {path}: {} entries, {} lines, {} rows ({} malformed), seed {}",
        stats.entries, stats.lines, stats.rows, stats.malformed_rows, cfg.seed
    );
    let _ = out;
    Ok(EXIT_OK)
}

fn demo(out: &mut dyn Write) -> Result<i32, CliError> {
    let cfg = sample_config();
    let opts = Es003Options { source_name: Some("embedded sample ES-003".into()), sheet: None };
    let report = Es003Reader::from_bytes(SAMPLE_ES003.as_bytes().to_vec(), &opts)?.read_all()?;
    writeln!(
        out,
        "cape {} — main job on the embedded sample ES-003 ({} entries generated with seed {})\n",
        crate::VERSION,
        cfg.entries,
        cfg.seed
    )?;
    write_summary_table(&report, out)?;
    write_breakdown(&report, out)?;
    write_diagnostics(&report.diagnostics, out, 20)?;
    Ok(EXIT_OK)
}

fn write_summary_table(r: &Es003, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    writeln!(out, "source          {} ({})", s.source, s.format.name())?;
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
    Ok(())
}

fn write_breakdown(r: &Es003, out: &mut dyn Write) -> std::io::Result<()> {
    let mut by_importer: BTreeMap<String, (u64, Usd)> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = Usd::ZERO;
    for e in &r.entries {
        let imp = e.header.importer_number.known().map(|n| n.to_string()).unwrap_or_else(|| "(unknown)".into());
        let duty = e.total_duty();
        total = total.checked_add(duty).unwrap_or(total);
        let slot = by_importer.entry(imp).or_insert((0, Usd::ZERO));
        slot.0 += 1;
        slot.1 = slot.1.checked_add(duty).unwrap_or(slot.1);
        let t = e.header.entry_type.known().map(|t| t.code()).unwrap_or_else(|| "??".into());
        *by_type.entry(t).or_insert(0) += 1;
    }
    writeln!(out, "\nduty deposited, all lines: {}", total.to_string_2dp())?;
    writeln!(out, "\n{:<16} {:>8} {:>18}", "importer", "entries", "duty deposited")?;
    for (imp, (n, duty)) in &by_importer {
        writeln!(out, "{imp:<16} {n:>8} {:>18}", duty.to_string_2dp())?;
    }
    writeln!(out, "\n{:<10} {:>8}", "entry type", "entries")?;
    for (t, n) in &by_type {
        writeln!(out, "{t:<10} {n:>8}")?;
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
