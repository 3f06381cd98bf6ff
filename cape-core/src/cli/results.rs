//! `cape results`.

use super::prelude::*;

pub(super) fn results(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
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
