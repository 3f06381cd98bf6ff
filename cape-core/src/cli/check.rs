//! `cape check`.

use super::prelude::*;
use crate::claim::PreflightCode;

pub(super) fn check(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let with_value = [SCHEDULE_OPTS, &["es003", "as-of", "rules", "sheet", "format", "strict"]].concat();
    let o = parse_opts_flags(args, &with_value, &["strict"])?;
    let path = one_file(&o, "check")?;
    let format = format_opt(&o, &["table", "json", "csv"])?;
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
    } else if format == "csv" {
        crate::report::csv::write_check(&mut *out, &report)?;
    } else {
        writeln!(out, "{}: {} ({} rows)", report.source, report.verdict.name(), report.rows_read)?;
        // An entry missing from the data is said once, on its verdict line below, not also as its finding.
        for f in report.findings.iter().filter(|f| f.code != PreflightCode::NotInData) {
            let row = f.row.map(|r| format!("row {r}")).unwrap_or_else(|| "file".into());
            let cape = f.cape_message.map(|m| format!(" [CAPE: {m}]")).unwrap_or_default();
            let value = f.value.as_deref().map(|v| format!(" {v:?}")).unwrap_or_default();
            writeln!(out, "  {row}: {}{value}: {}{cape}", f.code.as_str(), f.message)?;
        }
        for v in report.entry_verdicts.iter().filter(|v| !v.reasons.is_empty() || v.status.is_none()) {
            let reasons: Vec<&str> = v.reasons.iter().map(|r| r.as_str()).collect();
            let status = v.status.map(|s| s.name()).unwrap_or("not in the ES-003 data (NOT_IN_DATA)");
            let cbp = v.cbp_message.map(|m| format!(" [CBP: {m}]")).unwrap_or_default();
            writeln!(out, "  row {}: {} {status} {}{cbp}", v.row, v.entry_number, reasons.join(","))?;
        }
    }
    Ok(report.verdict.exit_code())
}
