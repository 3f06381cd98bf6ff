//! `cape assess`: every entry's assessment, streamed through the spine.

use super::prelude::*;

pub(super) fn assess(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, ASSESS_OPTS, &["assume-last-rate", "strict"])?;
    let path = one_file(&o, "assess")?;
    let format = format_opt(&o, &["table", "json", "jsonl", "csv"])?;
    let as_of = as_of_opt(&o)?;
    let (tables, opts) = tables_and_options(&o, as_of)?;
    let mut src = run::assessments(Source::Path(path.into()), &tables, opts, &run_options(&o, cx)?)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let partial = match format {
        "jsonl" => {
            let mut line = Vec::with_capacity(4096);
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                line.clear();
                a.write_json(&mut line);
                line.push(b'\n');
                out.write_all(&line)?;
            }
            src.finish()?
        }
        "json" => {
            out.write_all(b"{\"entries\": [")?;
            let mut first = true;
            let mut line = Vec::with_capacity(4096);
            while let Some(e) = src.next() {
                let p = src.progress();
                cx.bar.tick(p.rows_read, p.fraction, err);
                let a = e?;
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                line.clear();
                a.write_json(&mut line);
                out.write_all(&line)?;
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
                w.write_record(crate::report::csv::assessment_row(&a)).map_err(|_| CliError::Output)?;
            }
            w.flush()?;
            drop(w);
            src.finish()?
        }
        _ => {
            writeln!(
                out,
                "{:<15} {:<14} {:<4} {:<10} {:>12} {:>12} {:<17} {:<10} {:>5} {:>10} {:<29} {:<10}  reasons",
                "entry",
                "importer",
                "type",
                "entry date",
                "IEEPA duty",
                "duty after",
                "status",
                "last day",
                "days",
                "interest",
                "next action",
                "act by"
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
                    "{:<15} {:<14} {:<4} {:<10} {:>12} {:>12} {:<17} {:<10} {:>5} {:>10} {:<29} {:<10}  {}",
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
                    r.next_action,
                    r.act_by.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
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
    unused_overrides(&partial.diagnostics, err);
    Ok(ingest_balance(&o, &partial.ingest, err))
}

/// The columns of `cape assess --format csv`: [`crate::assess::RECORD_KEYS`], with findings and reasons as
/// `;`-joined codes (the writer is [`crate::report::csv::write_assessments`]).
pub const CSV_COLUMNS: &[&str] = crate::report::csv::ASSESSMENT_COLUMNS;
