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

    // The actions due soonest: what the broker does next, for which client, by when.
    let mut po = crate::claim::PlanOptions::new(as_of);
    po.within_days = Some(DEMO_PLAN_DAYS);
    po.by = crate::claim::PlanGrouping::Week;
    let plan = crate::claim::Plan::of(&report.entries, po);
    writeln!(
        out,
        "\nActions due within {DEMO_PLAN_DAYS} days ({} of {} entries; `cape plan FILE --within {DEMO_PLAN_DAYS}`), soonest first",
        plan.items(),
        plan.entries_seen()
    )?;
    let mut shown = 0;
    for g in plan.groups()? {
        writeln!(out, "  {} — {} entries, IEEPA duty at stake {}", g.key, g.items.len(), g.ieepa_duty.to_string_2dp())?;
        for i in g.items.iter().take(DEMO_PLAN_ROWS.saturating_sub(shown)) {
            writeln!(
                out,
                "    {:<10} {:<15} {:<14} {:<29} {:>12}",
                i.act_by.map(|d| d.to_string()).unwrap_or_default(),
                i.entry_number.to_string(),
                i.importer_number.as_deref().unwrap_or("-"),
                i.action.as_str(),
                i.ieepa_duty.to_string_2dp()
            )?;
            shown += 1;
        }
        if shown >= DEMO_PLAN_ROWS {
            break;
        }
    }
    if plan.items() == 0 {
        writeln!(out, "  (no action is due within {DEMO_PLAN_DAYS} days)")?;
    }
    writeln!(
        out,
        "\nRun `cape assess FILE` on your own ES-003 export for the per-entry detail, `cape plan FILE` for every action."
    )?;
    Ok(EXIT_OK)
}

/// The demo's plan horizon, in days.
const DEMO_PLAN_DAYS: u32 = 30;
/// The demo's plan shows at most this many actions.
const DEMO_PLAN_ROWS: usize = 15;
