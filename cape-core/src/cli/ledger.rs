//! `cape ledger record | status | history | changes | statement`.

use std::path::Path;

use super::prelude::*;
use crate::ledger::{
    EntryState, EntryStatus, ImportOutcome, Ledger, LedgerOptions, RecordKind, RecordOptions, StatusQuery,
    StatusReport, DEFAULT_LEDGER_FILE,
};
use crate::refund::payments::{read_column_map, PaymentField};

/// The options of `cape ledger record` besides those of every ledger command (`--db`): what a file is, how to
/// read it, and the assessment options of an ES-003.
const RECORD_OPTS: &[&[&str]] = &[
    SCHEDULE_OPTS,
    &[
        "db",
        "as-of",
        "kind",
        "column",
        "map",
        "sheet",
        "rules",
        "class",
        "class-override",
        "assume-rate",
        "assume-last-rate",
        "threads",
    ],
];

/// The columns of `cape ledger status --format csv` and `cape ledger changes --format csv`, one entry a row.
pub const LEDGER_CSV_COLUMNS: [&str; 14] = [
    "entry_number",
    "importer",
    "recipient",
    "state",
    "claim_status",
    "expected",
    "paid",
    "variance",
    "refund_date",
    "claim_number",
    "error_kind",
    "error_text",
    "error_remedy",
    "refund_due_by",
];

pub(super) fn ledger(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let Some(sub) = args.first() else {
        return Err(CliError::Usage("ledger needs a command: record, status, history, changes or statement".into()));
    };
    let rest = &args[1..];
    match sub.as_str() {
        "record" => record(rest, out, err, cx),
        "status" => status(rest, out, err),
        "history" => history(rest, out),
        "changes" => changes(rest, out, err),
        "statement" => statement(rest, out),
        other => Err(CliError::Usage(format!(
            "unknown ledger command {other:?}; the commands are record, status, history, changes and statement"
        ))),
    }
}

fn db_path(o: &Opts) -> String {
    o.named.get("db").cloned().unwrap_or_else(|| DEFAULT_LEDGER_FILE.to_owned())
}

/// Opens the existing ledger for reading only: a missing file is an error (reading never creates a ledger).
fn open_existing(o: &Opts) -> Result<Ledger, CliError> {
    let options = LedgerOptions { read_only: true, ..LedgerOptions::default() };
    Ok(Ledger::open(db_path(o), &options)?)
}

fn record(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &RECORD_OPTS.concat(), &["assume-last-rate"])?;
    if o.positional.is_empty() {
        return Err(CliError::Usage("ledger record needs at least one FILE".into()));
    }
    let mut options = RecordOptions::default();
    if let Some(k) = o.named.get("kind") {
        // A refund report's own kind (es022, rev603, rev615) names the report too.
        let report = crate::refund::payments::RefundReportKind::from_name(k);
        options.kind = Some(RecordKind::parse(k).or(report.map(|_| RecordKind::Refunds)).ok_or_else(|| {
            CliError::Usage(format!(
                "--kind must be es003, declarations, claim_results, refunds, es022, rev603 or rev615, not {k:?}"
            ))
        })?);
        options.refunds.kind = report;
    }
    if let Some(v) = o.named.get("as-of") {
        let as_of = date_arg("as-of", v)?;
        let (tables, assess) = tables_and_options(&o, as_of)?;
        options.as_of = Some(as_of);
        options.tables = Some(tables);
        options.assess = Some(assess);
    }
    options.run = run_options(&o, cx)?;
    options.results.sheet = o.named.get("sheet").cloned();
    options.refunds.sheet = o.named.get("sheet").cloned();
    if let Some(map) = o.named.get("map") {
        options.refunds.columns.extend(read_column_map(map)?);
    }
    let key = crate::ingest::columns::header_key;
    for (_, v) in o.all.iter().filter(|(n, _)| n == "column") {
        let (field, header) = match v.split_once('=') {
            Some((f, h)) if !key(h).is_empty() => (f.trim(), h.trim()),
            _ => return Err(CliError::Usage(format!("--column must be FIELD=HEADER, not {v:?}"))),
        };
        let result = crate::claim::RESULT_COLUMNS.iter().find(|c| key(c) == key(field));
        let payment = PaymentField::from_key(field);
        if result.is_none() && payment.is_none() {
            let fields: Vec<&str> = PaymentField::ALL.iter().map(|f| f.as_str()).collect();
            return Err(CliError::Usage(format!(
                "--column {v:?}: FIELD must be a claim-details column ({}) or a refund-report field ({})",
                crate::claim::RESULT_COLUMNS.join(", "),
                fields.join(", ")
            )));
        }
        if let Some(c) = result {
            options.results = options.results.clone().with_column(c, header);
        }
        if let Some(f) = payment {
            options.refunds = options.refunds.clone().with_column(f, header);
        }
    }
    let db = db_path(&o);
    let mut ledger = Ledger::open_or_create(&db, &LedgerOptions::default())?;
    let mut failed = 0usize;
    for file in &o.positional {
        match ledger.record_path(Path::new(file), &options) {
            Ok(r) => {
                let how = if r.detected { "detected" } else { "as given" };
                match r.outcome {
                    ImportOutcome::Recorded(s) => {
                        writeln!(
                            out,
                            "recorded {file}: {} ({how}), import {}: rows read {}, used {}, rejected {}",
                            r.kind.as_str(),
                            s.import_id,
                            s.rows_read,
                            s.rows_used,
                            s.rows_rejected
                        )?;
                        write_rejected(err, &ledger, file, s.import_id)?;
                    }
                    ImportOutcome::AlreadyRecorded { import_id, recorded_at } => writeln!(
                        out,
                        "already recorded {file}: {} ({how}), import {import_id} at {recorded_at}; nothing changed",
                        r.kind.as_str()
                    )?,
                }
            }
            Err(e) if e.kind() == crate::ErrorKind::Cancelled => return Err(e.into()),
            Err(e) => {
                failed += 1;
                let _ = writeln!(err, "cape: {file}: not recorded (the ledger is as before): {e}");
            }
        }
    }
    if failed > 0 {
        let _ = writeln!(err, "cape: {failed} of {} file(s) not recorded in {db}", o.positional.len());
        return Ok(super::EXIT_INPUT);
    }
    Ok(EXIT_OK)
}

/// The rows of an import that were not used, on stderr: the first [`SHOWN_DIAGNOSTICS`], then where the rest are.
fn write_rejected(err: &mut dyn Write, ledger: &Ledger, file: &str, import_id: i64) -> Result<(), CliError> {
    let (shown, total) = ledger.diagnostics(import_id, SHOWN_DIAGNOSTICS)?;
    for d in &shown {
        let row = d.row.map(|r| format!(" row {r}")).unwrap_or_default();
        let column = d.column.as_deref().map(|c| format!(" column {c}")).unwrap_or_default();
        let value = d.value.as_deref().map(|v| format!(" (value {v:?})")).unwrap_or_default();
        let code = d.code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
        writeln!(err, "cape: {file}{row}{column}: {code}{}{value}", d.message)?;
    }
    if total > shown.len() as u64 {
        writeln!(
            err,
            "cape: {file}: {} more; all are in the ledger: SELECT * FROM diagnostics WHERE import_id = {import_id}",
            total - shown.len() as u64
        )?;
    }
    Ok(())
}

/// How many of an import's unused rows `cape ledger record` shows.
const SHOWN_DIAGNOSTICS: usize = 20;

fn status(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["db", "importer", "state", "as-of", "format", "since"])?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage("ledger status takes no FILE (the ledger is --db)".into()));
    }
    let since = o.named.get("since").map(|v| since_arg(v)).transpose()?;
    status_of(&o, since, out, err)
}

/// `--since`: an import id.
fn since_arg(v: &str) -> Result<i64, CliError> {
    v.parse().map_err(|_| CliError::Usage(format!("--since must be an import id (a whole number), not {v:?}")))
}

/// `cape ledger status` and `cape ledger changes`: the ledger's answer to one [`StatusQuery`], as a table, JSON
/// or CSV.
fn status_of(o: &Opts, since: Option<i64>, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let format = format_opt(o, &["table", "json", "csv"])?;
    let state = o
        .named
        .get("state")
        .map(|s| {
            EntryState::from_code(s).ok_or_else(|| {
                let all: Vec<&str> = EntryState::ALL.iter().map(|s| s.as_str()).collect();
                CliError::Usage(format!("--state must be one of {}, not {s:?}", all.join(", ")))
            })
        })
        .transpose()?;
    let as_of = o.named.get("as-of").map(|v| date_arg("as-of", v)).transpose()?;
    let ledger = open_existing(o)?;
    let query = StatusQuery { importer: o.named.get("importer").cloned(), state, as_of, since };
    let mut out = std::io::BufWriter::new(out);
    // The entries stream from the ledger to the output (never all held); a failed write stops the reading.
    let mut failed: Option<std::io::Error> = None;
    let mut head_written = false;
    // The table lists the entries only when asked about some (a filter); JSON and CSV always do.
    let listed = format != "table" || query.state.is_some() || query.importer.is_some() || query.since.is_some();
    let mut each = |r: &StatusReport, e: EntryStatus| -> crate::Result<()> {
        let step = (|| -> std::io::Result<()> {
            if !head_written {
                head_written = true;
                write_status_head(&mut out, format, &ledger, &query, r)?;
            } else if format == "json" {
                writeln!(out, ",")?;
            }
            if listed {
                write_status_entry(&mut out, format, &e)?;
            }
            Ok(())
        })();
        step.map_err(|io| {
            failed = Some(io);
            crate::Error::Cancelled { source_name: ledger.path().to_owned() }
        })
    };
    let report = match ledger.status_each(&query, &mut each) {
        Ok(r) => r,
        Err(_) if failed.is_some() => return Err(failed.take().map(CliError::from).unwrap_or(CliError::Output)),
        Err(e) => return Err(e.into()),
    };
    if !head_written {
        write_status_head(&mut out, format, &ledger, &query, &report)?;
    }
    if format == "json" {
        writeln!(out, "\n]}}")?;
    }
    out.flush()?;
    // The ledger judges as of its latest assessment's day unless told: say so when today is later, so that a
    // refund due since then is not missed for want of --as-of.
    let today = today();
    if query.as_of.is_none() && report.as_of < today {
        writeln!(
            err,
            "cape: judged as of {}, the ledger's latest as-of day; today is {today}: --as-of {today} shows what is \
             overdue now",
            report.as_of
        )?;
    }
    Ok(EXIT_OK)
}

/// What comes before the entries: JSON's fields but `entries`, the CSV header, the table's totals.
fn write_status_head(
    out: &mut dyn Write,
    format: &str,
    ledger: &Ledger,
    q: &StatusQuery,
    r: &StatusReport,
) -> std::io::Result<()> {
    match format {
        "json" => {
            let head = serde_json::to_string(r).map_err(std::io::Error::other)?;
            // `r.entries` is empty: reopen its array for the entries that follow.
            let head = head
                .strip_suffix("]}")
                .and_then(|h| h.strip_suffix('['))
                .ok_or_else(|| std::io::Error::other("the status report does not end with its entries"))?;
            writeln!(out, "{head}[")
        }
        "csv" => writeln!(out, "{}", LEDGER_CSV_COLUMNS.join(",")),
        _ => write_status_table(out, ledger, q, r),
    }
}

/// One entry: a JSON object, a CSV row, or (with a filter) a table line.
fn write_status_entry(out: &mut dyn Write, format: &str, e: &EntryStatus) -> std::io::Result<()> {
    match format {
        "json" => serde_json::to_writer(&mut *out, e).map_err(std::io::Error::other),
        "csv" => {
            // One record's writer over the (buffered) output: the csv crate's quoting, nothing held.
            let mut w = csv::WriterBuilder::new().buffer_capacity(1024).from_writer(&mut *out);
            let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                e.entry_number.as_str(),
                e.importer.as_deref().unwrap_or_default(),
                e.recipient.as_deref().unwrap_or_default(),
                e.state.as_str(),
                e.claim_status.as_deref().unwrap_or_default(),
                &e.expected.to_string(),
                &e.paid.to_string(),
                &e.variance.map(|v| v.to_string()).unwrap_or_default(),
                &d(e.refund_date),
                e.claim_number.as_deref().unwrap_or_default(),
                e.error_kind.as_deref().unwrap_or_default(),
                e.error_text.as_deref().unwrap_or_default(),
                e.error_remedy.as_deref().unwrap_or_default(),
                &d(e.refund_due_by),
            ])?;
            w.flush()
        }
        _ => writeln!(
            out,
            "  {} {} {} expected {} paid {}{}",
            e.entry_number,
            e.importer.as_deref().unwrap_or("-"),
            e.state.as_str(),
            e.expected,
            e.paid,
            match (&e.error_text, &e.error_remedy) {
                (Some(t), Some(r)) => format!(" — {t} (remedy: {r})"),
                (Some(t), None) => format!(" — {t}"),
                _ => String::new(),
            }
        ),
    }
}

fn write_status_table(out: &mut dyn Write, ledger: &Ledger, q: &StatusQuery, r: &StatusReport) -> std::io::Result<()> {
    let since = q.since.map(|i| format!(" with facts recorded after import {i}")).unwrap_or_default();
    let n: u64 = r.states.iter().map(|t| t.entries).sum();
    writeln!(out, "{}: {n} entries{since} as of {}", ledger.path(), r.as_of)?;
    let header =
        |out: &mut dyn Write| writeln!(out, "  {:<14} {:>8} {:>18} {:>18}", "state", "entries", "expected", "paid");
    let line = |out: &mut dyn Write, t: &crate::ledger::StateTotal| {
        writeln!(out, "  {:<14} {:>8} {:>18} {:>18}", t.state.as_str(), t.entries, t.expected, t.paid)
    };
    header(out)?;
    for t in &r.states {
        line(out, t)?;
    }
    let mut last: Option<(&Option<String>, &Option<String>)> = None;
    for t in &r.totals {
        if last != Some((&t.importer, &t.recipient)) {
            writeln!(
                out,
                "importer {} (refund to {}):",
                t.importer.as_deref().unwrap_or("- (never assessed)"),
                t.recipient.as_deref().unwrap_or("-")
            )?;
            header(out)?;
            last = Some((&t.importer, &t.recipient));
        }
        line(out, t)?;
    }
    if !r.unmatched_payments.is_empty() {
        writeln!(out, "refund report rows naming no assessed entry: {}", r.unmatched_payments.len())?;
        for p in &r.unmatched_payments {
            writeln!(
                out,
                "  {} row {}: entry {} refund {} amount {} status {}",
                p.source,
                p.row,
                p.entry_number.as_deref().unwrap_or("-"),
                p.refund_number.as_deref().unwrap_or("-"),
                p.amount,
                p.status.as_deref().unwrap_or("-")
            )?;
        }
    }
    if q.state.is_some() || q.importer.is_some() || q.since.is_some() {
        writeln!(out, "entries:")?;
    }
    Ok(())
}

fn history(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["db", "format"])?;
    let [entry] = o.positional.as_slice() else {
        return Err(CliError::Usage("ledger history needs exactly one ENTRY number".into()));
    };
    let format = format_opt(&o, &["table", "json"])?;
    let entry = EntryNumber::parse(entry)?;
    let ledger = open_existing(&o)?;
    let facts = ledger.history(&entry)?;
    if format == "json" {
        serde_json::to_writer_pretty(&mut *out, &facts).map_err(json_err)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    if facts.is_empty() {
        writeln!(out, "{entry}: nothing recorded in {}", ledger.path())?;
    }
    for f in &facts {
        let row = f.row.map(|r| format!(" row {r}")).unwrap_or_default();
        writeln!(out, "import {} {} {} ({}{row}): {}", f.import_id, f.recorded_at, f.kind, f.source, f.fact)?;
    }
    Ok(EXIT_OK)
}

fn changes(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["db", "since", "importer", "state", "as-of", "format"])?;
    if !o.positional.is_empty() {
        return Err(CliError::Usage("ledger changes takes no FILE (the ledger is --db)".into()));
    }
    let since = o.named.get("since").ok_or_else(|| CliError::Usage("ledger changes needs --since IMPORT_ID".into()))?;
    status_of(&o, Some(since_arg(since)?), out, err)
}

fn statement(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["db", "importer", "out", "as-of"])?;
    let importer =
        o.named.get("importer").ok_or_else(|| CliError::Usage("ledger statement needs --importer NUMBER".into()))?;
    let path = o.named.get("out").ok_or_else(|| CliError::Usage("ledger statement needs --out FILE.html".into()))?;
    let as_of = o.named.get("as-of").map(|v| date_arg("as-of", v)).transpose()?;
    let ledger = open_existing(&o)?;
    let data = ledger.statement_data(importer, as_of)?;
    let as_of = data.as_of;
    let written = crate::report::statement::write_statement(path, &data)?;
    writeln!(
        out,
        "{}: statement of {} as of {as_of}: {} entries, expected {}, paid {}, outstanding {}",
        written.display(),
        data.importer,
        data.entries.len(),
        crate::report::statement::money(data.expected),
        crate::report::statement::money(data.paid),
        crate::report::statement::money(data.outstanding)
    )?;
    Ok(EXIT_OK)
}
