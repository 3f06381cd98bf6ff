//! `cape ingest`.

use super::prelude::*;

pub(super) fn ingest(args: &[String], out: &mut dyn Write, err: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &["format", "sheet", "strict"], &["strict"])?;
    let [path] = o.positional.as_slice() else {
        return Err(CliError::Usage("ingest needs exactly one FILE".into()));
    };
    let format = o.named.get("format").map(String::as_str).unwrap_or("table");
    if !matches!(format, "table" | "json" | "csv") {
        return Err(CliError::Usage(format!("--format must be table, json or csv, not {format:?}")));
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
        "csv" => crate::report::csv::write_diagnostics(&mut *out, &report.diagnostics)?,
        _ => {
            write_summary_table(&report, out)?;
            write_diagnostics(&report.diagnostics, out, usize::MAX)?;
        }
    }
    out.flush()?;
    Ok(ingest_balance(&o, &report.summary, err))
}
