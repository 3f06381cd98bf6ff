//! The text blocks several commands print: totals, the ingest summary, diagnostics.

use super::prelude::*;

pub(super) fn write_totals(t: &AssessTotals, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "  entries assessed     {}", t.entries)?;
    writeln!(out, "  eligible             {}", t.eligible)?;
    writeln!(out, "  eligible_deferred    {}", t.eligible_deferred)?;
    writeln!(out, "  ineligible           {}", t.ineligible)?;
    writeln!(out, "  needs_review         {}", t.needs_review)?;
    writeln!(out, "  urgent               {}", t.urgent)?;
    writeln!(out, "  IEEPA duty, all      {}", t.ieepa_duty.to_string_2dp())?;
    writeln!(out, "  IEEPA duty, declarable {}", t.declarable_ieepa_duty.to_string_2dp())?;
    writeln!(out, "  interest (eligible)  {}", t.interest.to_string_2dp())?;
    if t.interest_unknown > 0 {
        writeln!(
            out,
            "  interest unknown     {} eligible entries (no published rate for some day; see --assume-rate)",
            t.interest_unknown
        )?;
    }
    Ok(())
}

pub(super) fn write_ingest_lines(s: &crate::IngestSummary, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {}: {} entries, {} lines, {} tariff rows; rows read {} = used {} + rejected {}",
        s.source, s.entries, s.lines, s.tariff_rows, s.rows_read, s.rows_used, s.rows_rejected
    )
}

pub(super) fn write_summary_table(r: &Es003, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    writeln!(out, "source          {} ({})", s.source, s.format.name())?;
    if !s.sheets_read.is_empty() {
        writeln!(out, "sheets read     {}", s.sheets_read.join(", "))?;
        let skipped = if s.sheets_skipped.is_empty() { "none".to_owned() } else { s.sheets_skipped.join(", ") };
        writeln!(out, "sheets skipped  {skipped}")?;
    }
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
    for (code, n) in &s.counts_by_code {
        writeln!(out, "  {code:<38} {n}")?;
    }
    write_dropped(s, out)
}

/// Says how many diagnostics were counted but not kept in detail (beyond the per-code cap), if any.
pub(super) fn write_dropped(s: &crate::IngestSummary, out: &mut dyn Write) -> std::io::Result<()> {
    if s.diagnostics_dropped > 0 {
        writeln!(
            out,
            "  {} more diagnostics counted but not kept (at most {} kept per code)",
            s.diagnostics_dropped, s.max_diagnostics_per_code
        )?;
    }
    Ok(())
}

pub(super) fn write_diagnostics(diags: &[Diagnostic], out: &mut dyn Write, limit: usize) -> std::io::Result<()> {
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
