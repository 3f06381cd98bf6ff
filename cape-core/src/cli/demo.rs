//! `cape demo`: the main job on the generated sample.

use super::prelude::*;

pub(super) fn demo(args: &[String], out: &mut dyn Write, cx: &mut Ctx) -> Result<i32, CliError> {
    let o = parse_opts(args, &["as-of", "out-dir"])?;
    let as_of = as_of_opt(&o)?;
    let out_dir = o.named.get("out-dir").cloned().unwrap_or_else(|| "out/declarations".into());
    let cfg = sample_config();
    let tables = Tables::embedded()?;
    let opts = AssessOptions::new(as_of).assume_last_rate(&tables.rates);
    let mut ro = run::RunOptions::new();
    ro.es003 = Es003Options {
        source_name: Some("embedded sample ES-003".into()),
        cancel: cx.cancel.clone(),
        ..Es003Options::default()
    };
    let report = run::assess_all(Source::Bytes(sample_es003().into_bytes()), &tables, opts, &ro)?;
    writeln!(
        out,
        "cape {} — main job: the embedded sample ES-003 ({} entries, seed {}), assessed as of {as_of} under {}\n",
        crate::VERSION,
        cfg.entries,
        cfg.seed,
        report.rule_set
    )?;
    writeln!(out, "Ingest")?;
    write_ingest_lines(&report.ingest, out)?;
    writeln!(out, "\nAssessment")?;
    write_totals(&report.totals, out)?;
    if let Some(last) = tables.rates.rows().last() {
        writeln!(
            out,
            "  (interest assumes the rates of the last quarter in the table, {} to {}, continue after {})",
            last.start, last.end, last.end
        )?;
    }

    // Declarations.
    let set = build_declarations(report.entries.iter().map(|a| &a.claim), &DeclarationOptions::default())?;
    // The demo replaces an earlier demo's files (and never files that are not cape's), so it can run again.
    let written = write_declarations_with(&set, &out_dir, &WriteOptions::replace(true).with_cancel(cx.cancel.clone()))?;
    writeln!(
        out,
        "\nDeclarations: {} entries in {} file(s) written to {out_dir}/ (manifest.csv lists them)",
        set.manifest.total_entries,
        set.files.len()
    )?;
    for p in &written {
        writeln!(out, "  {}", p.display())?;
    }

    // Refunds per importer (recipient), with interest.
    let cons = &report.consolidation;
    let mut per: BTreeMap<&str, (usize, Usd, Usd, usize)> = BTreeMap::new();
    for r in cons.refunds() {
        let slot = per.entry(r.recipient.as_str()).or_insert((0, Usd::ZERO, Usd::ZERO, 0));
        slot.0 += r.entries.len();
        slot.1 = slot.1.checked_add(r.principal)?;
        slot.2 = slot.2.checked_add(r.interest)?;
        slot.3 += 1;
    }
    let mut rows: Vec<_> = per.into_iter().collect();
    rows.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
    writeln!(out, "\nExpected refunds of the eligible entries, per recipient (top 15 of {})", rows.len())?;
    writeln!(
        out,
        "  {:<14} {:>7} {:>9} {:>16} {:>12} {:>16}",
        "recipient", "entries", "payments", "principal", "interest", "total"
    )?;
    for (rcpt, (n, p, i, g)) in rows.iter().take(15) {
        let t = p.checked_add(*i)?;
        writeln!(
            out,
            "  {rcpt:<14} {n:>7} {g:>9} {:>16} {:>12} {:>16}",
            p.to_string_2dp(),
            i.to_string_2dp(),
            t.to_string_2dp()
        )?;
    }
    let t = cons.totals();
    writeln!(
        out,
        "  {:<14} {:>7} {:>9} {:>16} {:>12} {:>16}",
        "all",
        t.entries,
        cons.refunds().len(),
        t.principal.to_string_2dp(),
        t.interest.to_string_2dp(),
        t.principal.checked_add(t.interest)?.to_string_2dp()
    )?;

    // Deadlines closing soonest.
    let mut open: Vec<&EntryAssessment> = report
        .entries
        .iter()
        .filter(|a| a.claim.is_declarable() && a.claim.days_left.is_some_and(|d| d >= 0))
        .collect();
    open.sort_by_key(|a| (a.claim.days_left, a.entry_number()));
    writeln!(out, "\nFiling deadlines closing soonest (80-day rule: last filing day = liquidation + 79)")?;
    writeln!(out, "  {:<15} {:<14} {:<11} {:>9} {:>13}", "entry", "importer", "last day", "days left", "IEEPA duty")?;
    for a in open.iter().take(10) {
        writeln!(
            out,
            "  {:<15} {:<14} {:<11} {:>9} {:>13}{}",
            a.entry_number().to_string(),
            a.importer_number.as_deref().unwrap_or("-"),
            a.claim.last_filing_day.map(|d| d.to_string()).unwrap_or_default(),
            a.claim.days_left.unwrap_or_default(),
            a.principal().to_string_2dp(),
            if a.claim.urgent { "  URGENT" } else { "" }
        )?;
    }
    if open.is_empty() {
        writeln!(out, "  (no declarable liquidated entry has an open window)")?;
    }
    writeln!(out, "\nRun `cape assess FILE` on your own ES-003 export for the per-entry detail.")?;
    Ok(EXIT_OK)
}
