//! `cape results`.

use super::prelude::*;

pub(super) fn results(args: &[String], out: &mut dyn Write) -> Result<i32, CliError> {
    let o = parse_opts(args, &["declared", "format", "column", "sheet"])?;
    let path = one_file(&o, "results")?;
    let format = format_opt(&o, &["table", "json", "csv"])?;
    let res = read_results_path_with(&path, &results_options(&o)?)?;
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
    if format == "csv" {
        crate::report::csv::write_results(&mut *out, &res.rows)?;
        return Ok(EXIT_OK);
    }
    let s = &res.summary;
    writeln!(
        out,
        "{}: {} rows, {} updated, {} failed, {} other status, {} unknown error texts, {} problem(s)",
        res.source,
        s.rows,
        s.updated,
        s.failed,
        s.other_status,
        s.unknown_errors,
        res.problems.len()
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
    // Rows cape could not use as they are (an entry number that does not parse or fails its check digit, an
    // over-long row): the JSON's `problems`, one line each.
    for p in &res.problems {
        writeln!(out, "  row {}: PROBLEM {}", p.row, p.message)?;
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

/// `--sheet NAME` and every `--column NAME=HEADER` (the user column map: `--column ENTRY_NUMBER="Entry Ref"`).
fn results_options(o: &Opts) -> Result<ResultsOptions, CliError> {
    let mut options = ResultsOptions { sheet: o.named.get("sheet").cloned(), ..ResultsOptions::default() };
    let key = crate::ingest::columns::header_key;
    for (_, v) in o.all.iter().filter(|(n, _)| n == "column") {
        let known = |c: &str| crate::claim::RESULT_COLUMNS.iter().any(|k| key(k) == key(c));
        match v.split_once('=') {
            Some((column, header)) if known(column) && !key(header).is_empty() => {
                options = options.with_column(column.trim(), header.trim());
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "--column must be NAME=HEADER, NAME one of {} and HEADER the file's header for it, not {v:?}",
                    crate::claim::RESULT_COLUMNS.join(", ")
                )))
            }
        }
    }
    Ok(options)
}
