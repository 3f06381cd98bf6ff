//! `cape plan`: the actions due, grouped by importer or by week, soonest first.

use super::prelude::*;
use crate::claim::{Plan, PlanGrouping, PlanOptions};

pub(super) fn plan(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &PLAN_OPTS.concat(), &["assume-last-rate", "strict"])?;
    let path = one_file(&o, "plan")?;
    let format = format_opt(&o, &["table", "json", "csv"])?;
    let as_of = as_of_opt(&o)?;
    let mut options = PlanOptions::new(as_of);
    options.within_days = u32_opt(&o, "within")?;
    if let Some(by) = o.named.get("by") {
        options.by = by
            .parse::<PlanGrouping>()
            .map_err(|_| CliError::Usage(format!("--by must be importer or week, not {by:?}")))?;
    }
    let (tables, opts) = tables_and_options(&o, as_of)?;
    // Streaming: only the due actions are kept (one small item each), never the assessments.
    let mut plan = Plan::new(options);
    let mut src = run::assessments(Source::Path(path.into()), &tables, opts, &run_options(&o, cx)?)?;
    while let Some(e) = src.next() {
        let p = src.progress();
        cx.bar.tick(p.rows_read, p.fraction, err);
        plan.add(&e?);
    }
    let partial = src.finish()?;
    cx.bar.finish(err);
    let mut out = std::io::BufWriter::new(out);
    match format {
        "json" => {
            out.write_all(plan.to_json()?.as_bytes())?;
            writeln!(out)?;
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(PLAN_CSV_COLUMNS).map_err(|_| CliError::Output)?;
            for g in plan.groups()? {
                for i in &g.items {
                    w.write_record([
                        g.key.as_str(),
                        &i.entry_number.to_string(),
                        i.importer_number.as_deref().unwrap_or_default(),
                        i.status.name(),
                        i.action.as_str(),
                        &i.act_by.map(|d| d.to_string()).unwrap_or_default(),
                        &i.days_left.map(|d| d.to_string()).unwrap_or_default(),
                        &i.ieepa_duty.to_string_2dp(),
                        &i.note,
                    ])
                    .map_err(|_| CliError::Output)?;
                }
            }
            w.flush()?;
        }
        _ => {
            let groups = plan.groups()?;
            let within = options.within_days.map(|d| format!(" due within {d} days")).unwrap_or_default();
            writeln!(
                out,
                "{} action(s){within} over {} entries, as of {as_of}, by {}",
                plan.items(),
                plan.entries_seen(),
                options.by.as_str()
            )?;
            for g in &groups {
                writeln!(
                    out,
                    "\n{}: {} entr{}, IEEPA duty at stake {}{}",
                    g.key,
                    g.items.len(),
                    if g.items.len() == 1 { "y" } else { "ies" },
                    g.ieepa_duty.to_string_2dp(),
                    g.earliest_act_by.map(|d| format!(", first deadline {d}")).unwrap_or_default()
                )?;
                for i in &g.items {
                    writeln!(
                        out,
                        "  {:<10} {:<15} {:<29} {:>12}  {}",
                        i.act_by.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                        i.entry_number.to_string(),
                        i.action.as_str(),
                        i.ieepa_duty.to_string_2dp(),
                        i.note
                    )?;
                }
            }
        }
    }
    out.flush()?;
    unused_overrides(&partial.diagnostics, err);
    Ok(ingest_balance(&o, &partial.ingest, err))
}

/// The columns of `cape plan --format csv`.
pub const PLAN_CSV_COLUMNS: &[&str] =
    &["group", "entry_number", "importer_number", "status", "next_action", "act_by", "days_left", "ieepa_duty", "note"];
