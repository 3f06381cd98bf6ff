//! `cape declare`.

use super::prelude::*;

pub(super) fn declare(
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    cx: &mut Ctx,
) -> Result<i32, CliError> {
    let o = parse_opts_flags(args, &DECLARE_OPTS.concat(), &["split-by-importer", "replace", "strict"])?;
    let path = one_file(&o, "declare")?;
    let dir = o.named.get("out-dir").ok_or_else(|| CliError::Usage("declare needs --out-dir DIR".into()))?;
    let as_of = as_of_opt(&o)?;
    let report = assess_all(&o, &path, as_of, cx)?;
    let status = ingest_balance(&o, &report.ingest, err);
    if status != EXIT_OK {
        let _ = writeln!(err, "cape: no declaration file written");
        return Ok(status);
    }
    let mut params =
        DeclarationOptions { per_importer: o.named.contains_key("split-by-importer"), ..Default::default() };
    if let Some(n) = u32_opt(&o, "max-per-file")? {
        params.max_entries_per_file = n as usize;
    }
    let set = build_declarations(report.entries.iter().map(|a| &a.claim), &params)?;
    // Ctrl-C after the reading is seen here, before any file is placed.
    let write = WriteOptions::replace(o.named.contains_key("replace")).with_cancel(cx.cancel.clone());
    let written = write_declarations_with(&set, dir, &write)?;
    writeln!(
        out,
        "{} declarable entries (of {}) in {} file(s), as of {as_of} under {}:",
        set.manifest.total_entries,
        report.totals.entries,
        set.files.len(),
        report.rule_set
    )?;
    for p in &written {
        writeln!(out, "  {}", p.display())?;
    }
    Ok(EXIT_OK)
}
