use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::claim::{preflight_bytes, PreflightOptions};
use crate::sample::{generate_es003_string, GeneratorConfig};
use crate::ClaimStatus;

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn csv(entries: usize, seed: u64) -> String {
    generate_es003_string(&GeneratorConfig { entries, seed, ..GeneratorConfig::default() })
}

fn opts(tables: &Tables) -> AssessOptions {
    AssessOptions::new(as_of()).assume_last_rate(&tables.rates)
}

fn threads(n: usize) -> RunOptions {
    let mut o = RunOptions::new();
    o.threads = n;
    o
}

/// Every entry's JSON record, in order: what every surface prints.
fn records(p: &Partial) -> Vec<String> {
    p.entries.iter().map(|a| serde_json::to_string(&a.record()).unwrap()).collect()
}

#[test]
fn every_source_gives_the_same_results_in_file_order() {
    let tables = Tables::embedded().unwrap();
    let text = csv(400, 7);
    let whole = assess_all(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &threads(1)).unwrap();
    assert_eq!(whole.totals.entries, 400);
    assert!(whole.totals.eligible > 0 && whole.totals.ineligible > 0, "{:?}", whole.totals);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> = rdr.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let columns: Vec<Vec<String>> = (0..header.len()).map(|c| rows.iter().map(|r| r[c].clone()).collect()).collect();
    let report = crate::read_es003_bytes(text.as_bytes(), &Es003Options::default()).unwrap();
    let mut spool = crate::ingest::spool::RecordSpool::new(&header, "frame").unwrap();
    // A data frame handed over 97 rows at a time, as columns.
    for start in (0..rows.len()).step_by(97) {
        let end = (start + 97).min(rows.len());
        let batch: Vec<Vec<String>> = columns.iter().map(|c| c[start..end].to_vec()).collect();
        spool.push_columns(&batch).unwrap();
    }
    assert_eq!(spool.rows(), rows.len() as u64);
    let spool = spool.finish().unwrap();
    let sources = [
        Source::Spool(spool),
        Source::Bytes(text.clone().into_bytes()),
        Source::Records { header: header.clone(), rows },
        Source::Columns { header, columns },
        Source::Report(Box::new(report)),
    ];
    for (i, s) in sources.into_iter().enumerate() {
        for t in [1, 2] {
            let p = assess_all(s_clone(&s), &tables, opts(&tables), &threads(t)).unwrap();
            assert_eq!(records(&p), records(&whole), "source {i}, {t} threads");
            assert_eq!(p.totals, whole.totals);
            assert_eq!(p.consolidation, whole.consolidation);
            assert_eq!(p.fingerprint, whole.fingerprint);
        }
    }
}

/// Sources are consumed by a run; the test runs each twice.
fn s_clone(s: &Source) -> Source {
    match s {
        Source::Bytes(b) => Source::Bytes(b.clone()),
        Source::Records { header, rows } => Source::Records { header: header.clone(), rows: rows.clone() },
        Source::Columns { header, columns } => Source::Columns { header: header.clone(), columns: columns.clone() },
        Source::Report(r) => Source::Report(r.clone()),
        Source::Path(p) => Source::Path(p.clone()),
        Source::Spool(s) => Source::Spool(Arc::clone(s)),
        Source::Reader(_) => unreachable!("not used"),
    }
}

#[test]
fn partitions_merge_into_exactly_the_whole() {
    let tables = Tables::embedded().unwrap();
    let text = csv(600, 11);
    let whole = assess_all(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &threads(1)).unwrap();
    // Cut the file between two entries: rows of one entry are consecutive in the generator's output.
    let lines: Vec<&str> = text.lines().collect();
    let (header, body) = (lines[0], &lines[1..]);
    let mut cut = body.len() / 2;
    let entry_of = |l: &str| l.split(',').next().unwrap_or("").to_owned();
    while cut < body.len() && entry_of(body[cut]) == entry_of(body[cut - 1]) {
        cut += 1;
    }
    let part = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n")).into_bytes();
    let mut a = assess_all(Source::Bytes(part(&body[..cut])), &tables, opts(&tables), &threads(1)).unwrap();
    let b = assess_all(Source::Bytes(part(&body[cut..])), &tables, opts(&tables), &threads(2)).unwrap();
    a.merge(b).unwrap();
    assert_eq!(a.parts, 2);
    assert_eq!(a.totals, whole.totals);
    assert_eq!(a.consolidation, whole.consolidation);
    assert_eq!(records(&a), records(&whole));
    assert_eq!(a.ingest.rows_read, whole.ingest.rows_read);
    assert_eq!(a.ingest.rows_used, whole.ingest.rows_used);
    assert_eq!(a.ingest.entries, whole.ingest.entries);
}

#[test]
fn merging_refuses_partials_of_other_tables_rules_or_options() {
    let tables = Tables::embedded().unwrap();
    let bytes = || Source::Bytes(csv(30, 3).into_bytes());
    let base = run_summary(bytes(), &tables, opts(&tables), &threads(1)).unwrap();
    let same = run_summary(bytes(), &tables, opts(&tables), &threads(2)).unwrap();
    assert_eq!(base.fingerprint, same.fingerprint, "threads do not change the result");
    let mut explicit = opts(&tables);
    explicit.rules = "phase2".into();
    let explicit = run_summary(bytes(), &tables, explicit, &threads(1)).unwrap();
    assert_eq!(base.fingerprint, explicit.fingerprint, "auto resolves to phase2 on this date");

    let mut others = Vec::new();
    let mut o = opts(&tables);
    o.rules = "phase1".into();
    others.push(("rule set", run_summary(bytes(), &tables, o, &threads(1)).unwrap()));
    let o = AssessOptions::new(as_of().succ_opt().unwrap()).assume_last_rate(&tables.rates);
    others.push(("as of", run_summary(bytes(), &tables, o, &threads(1)).unwrap()));
    others.push(("assumed rate", run_summary(bytes(), &tables, AssessOptions::new(as_of()), &threads(1)).unwrap()));
    let mut o = opts(&tables);
    o.default_class = crate::model::ImporterClass::NonCorporate;
    others.push(("class", run_summary(bytes(), &tables, o, &threads(1)).unwrap()));
    let mut min = threads(1);
    min.consolidation.minimum_refund = Some(crate::Usd::parse("5.00").unwrap());
    others.push(("minimum refund", run_summary(bytes(), &tables, opts(&tables), &min).unwrap()));
    let mut t2 = tables.clone();
    t2.calendar = t2.calendar.clone().with_extra_closures([chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()]);
    others.push(("calendar", run_summary(bytes(), &t2, opts(&t2), &threads(1)).unwrap()));
    for (what, other) in others {
        assert_ne!(base.fingerprint, other.fingerprint, "{what}");
        let mut b = base.clone();
        let e = b.merge(other).expect_err(what);
        assert_eq!(e.kind(), crate::ErrorKind::InvalidValue, "{what}");
        assert!(e.to_string().contains("partials merge only when every table and option is the same"), "{e}");
        assert_eq!(b, base, "{what}: unchanged on error");
    }
}

#[test]
fn progress_is_reported_and_can_stop_the_run() {
    let tables = Tables::embedded().unwrap();
    let text = csv(2_000, 5);
    let calls = Arc::new(AtomicU64::new(0));
    let last = Arc::new(AtomicU64::new(0));
    let mut o = threads(1);
    o.progress_every = Duration::ZERO;
    let (c, l) = (Arc::clone(&calls), Arc::clone(&last));
    o.progress = Some(Arc::new(move |p: &Progress| {
        c.fetch_add(1, Ordering::Relaxed);
        if p.done {
            l.store(p.entries, Ordering::Relaxed);
        }
        ControlFlow::Continue(())
    }));
    let p = run_summary(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &o).unwrap();
    assert_eq!(last.load(Ordering::Relaxed), 2_000, "the last call has every entry");
    // One call per 256 entries (the interval is zero) plus the last.
    assert_eq!(calls.load(Ordering::Relaxed), 2_000 / 256 + 1);
    assert_eq!(p.totals.entries, 2_000);

    o.progress = Some(Arc::new(
        |p: &Progress| if p.entries >= 512 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) },
    ));
    let mut seen = 0;
    let e = run(Source::Bytes(text.into_bytes()), &tables, opts(&tables), &o, |_| {
        seen += 1;
        Ok(())
    })
    .expect_err("stopped");
    assert_eq!(e.kind(), crate::ErrorKind::Cancelled);
    assert_eq!(seen, 511, "the entry during which the stop was asked is not handed over");
}

#[test]
fn finishing_early_still_gives_the_whole_partial() {
    let tables = Tables::embedded().unwrap();
    let text = csv(300, 9);
    let mut it = assessments(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &threads(2)).unwrap();
    let first: Vec<_> = it.by_ref().take(10).collect::<Result<_>>().unwrap();
    assert_eq!(first.len(), 10);
    let p = it.finish().unwrap();
    let whole = run_summary(Source::Bytes(text.into_bytes()), &tables, opts(&tables), &threads(1)).unwrap();
    assert_eq!(p.totals, whole.totals);
    assert_eq!(p.ingest, whole.ingest);
}

#[test]
fn preflight_against_a_stream_equals_preflight_against_the_assessments() {
    let tables = Tables::embedded().unwrap();
    let text = csv(200, 13);
    let all = assess_all(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &threads(1)).unwrap();
    // A declaration listing every entry: the ineligible and needs-review ones must be flagged.
    let mut decl = String::from("Entry Number\n");
    for a in &all.entries {
        decl.push_str(&a.entry_number().to_string());
        decl.push('\n');
    }
    decl.push_str("ZZZ-9999999-9\n");
    let base = preflight_bytes(decl.as_bytes(), &PreflightOptions::default());
    let mut in_memory = base.clone();
    in_memory.check_against(&all.entries);
    let mut streamed = base;
    preflight_against(&mut streamed, Source::Bytes(text.into_bytes()), &tables, opts(&tables), &threads(2)).unwrap();
    assert_eq!(streamed, in_memory);
    let flagged =
        all.entries.iter().filter(|a| matches!(a.status(), ClaimStatus::Ineligible | ClaimStatus::NeedsReview)).count();
    assert!(flagged > 0);
    let entry_findings = streamed
        .findings
        .iter()
        .filter(|f| matches!(f.code.as_str(), "ENTRY_INELIGIBLE" | "ENTRY_NEEDS_REVIEW"))
        .count();
    assert_eq!(entry_findings, flagged);
}

#[test]
fn a_stream_on_its_own_thread_gives_the_same_results_and_stops_when_dropped() {
    let tables = Arc::new(Tables::embedded().unwrap());
    let text = csv(1_500, 17);
    let whole = assess_all(Source::Bytes(text.clone().into_bytes()), &tables, opts(&tables), &threads(1)).unwrap();
    let mut s =
        stream(Source::Bytes(text.clone().into_bytes()), Arc::clone(&tables), opts(&tables), threads(2)).unwrap();
    let got: Vec<String> = s.by_ref().map(|a| serde_json::to_string(&a.unwrap().record()).unwrap()).collect();
    assert_eq!(got, records(&whole));
    let p = s.finish().unwrap();
    assert_eq!((p.totals, p.consolidation), (whole.totals.clone(), whole.consolidation.clone()));

    // Dropped after one entry: the run ends (the test would hang otherwise).
    let mut s =
        stream(Source::Bytes(text.clone().into_bytes()), Arc::clone(&tables), opts(&tables), threads(1)).unwrap();
    assert!(s.next().is_some());
    drop(s);

    // Finishing early still gives the whole source's partial.
    let mut s = stream(Source::Bytes(text.into_bytes()), Arc::clone(&tables), opts(&tables), threads(1)).unwrap();
    assert!(s.next().is_some());
    assert_eq!(s.finish().unwrap().totals, whole.totals);
}

#[test]
fn a_stream_reports_open_errors_at_once_and_run_errors_in_order() {
    let tables = Arc::new(Tables::embedded().unwrap());
    let e = stream(Source::Bytes(b"Nothing,Useful\n1,2\n".to_vec()), Arc::clone(&tables), opts(&tables), threads(1))
        .expect_err("no entry number column");
    assert_eq!(e.kind(), crate::ErrorKind::MissingColumn);

    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut o = threads(1);
    o.es003.cancel = Some(Arc::clone(&cancel));
    let mut s = stream(Source::Bytes(csv(3_000, 19).into_bytes()), Arc::clone(&tables), opts(&tables), o).unwrap();
    assert!(s.next().unwrap().is_ok());
    cancel.store(true, Ordering::Relaxed);
    let err = s.by_ref().find_map(|a| a.err()).expect("the cancel is seen");
    assert_eq!(err.kind(), crate::ErrorKind::Cancelled);
    assert!(s.next().is_none(), "nothing after the error");
    assert_eq!(s.finish().expect_err("the same error").kind(), crate::ErrorKind::Cancelled);
}
