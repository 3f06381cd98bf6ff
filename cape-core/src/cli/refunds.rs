//! `cape refunds`.

use super::prelude::*;

pub(super) fn refunds(
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    cx: &mut Ctx,
) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &REFUNDS_OPTS.concat(), &["assume-last-rate", "strict"])?;
    let path = one_file(&o, "refunds")?;
    let format = format_opt(&o, &["table", "json", "csv"])?;
    let as_of = as_of_opt(&o)?;
    let (tables, opts) = tables_and_options(&o, as_of)?;
    // Streaming: no entry is kept, only the consolidation (memory flat in the file's size).
    let run = run::run_summary(Source::Path(path.into()), &tables, opts, &run_options(&o, cx)?)?;
    unused_overrides(&run.diagnostics, err);
    let status = ingest_balance(&o, &run.ingest, err);
    let cons = run.consolidation;
    match format {
        "json" => {
            let v = serde_json::json!({ "as_of": as_of, "totals": cons.totals(), "refunds": cons.refunds() });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(json_err)?;
            writeln!(out)?;
        }
        "csv" => crate::report::csv::write_refunds(&mut *out, cons.refunds()).map_err(|_| CliError::Output)?,
        _ => {
            writeln!(
                out,
                "{:<14} {:<11} {:<11} {:>7} {:>16} {:>12} {:>16}",
                "recipient", "liquidates", "due by", "entries", "principal", "interest", "total"
            )?;
            for r in cons.refunds() {
                writeln!(
                    out,
                    "{:<14} {:<11} {:<11} {:>7} {:>16} {:>12} {:>16}{}",
                    r.recipient,
                    r.liquidation_date.to_string(),
                    r.refund_due_by.to_string(),
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
