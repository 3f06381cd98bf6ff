//! Criterion benchmarks of cape's hot paths, one per stage of the pipeline so that a regression shows as a
//! number in its stage: entry-number parsing; ES-003 ingest (the first pass alone, then both passes with every
//! entry built); IEEPA removal (mass processing); eligibility (claim); interest; the whole per-entry
//! assessment; an entry's JSON record (the `--format jsonl` output); refund consolidation.

use std::hint::black_box;

use cape_core::assess::{AssessOptions, Assessor, EntryAssessment, Tables};
use cape_core::claim::{assess_claim, ClaimInputs, ClaimOptions};
use cape_core::mass::remove_ieepa;
use cape_core::refund::{Consolidation, ConsolidationOptions, RefundItem};
use cape_core::refund::{InterestCalculator, InterestOptions};
use cape_core::sample::{generate_es003_string, GeneratorConfig};
use cape_core::{Entry, EntryNumber, Es003Options, Es003Reader};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// Entries in the generated sample of the assessment and consolidation benchmarks.
const ENTRIES: usize = 2_000;

fn entry_numbers(c: &mut Criterion) {
    let inputs = ["ABC-1234567-6", "B7601585220", "zzz 0000000 3", "316-0123456-5"];
    let mut g = c.benchmark_group("entry_number");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for s in inputs {
                black_box(EntryNumber::parse_reason(black_box(s)).is_ok());
            }
        })
    });
    g.finish();
}

fn es003_ingest(c: &mut Criterion) {
    let cfg = GeneratorConfig { entries: ENTRIES, ..GeneratorConfig::default() };
    let csv = generate_es003_string(&cfg);
    let rows = csv.lines().count() as u64 - 1;
    let mut g = c.benchmark_group("es003");
    g.throughput(Throughput::Elements(rows));
    g.sample_size(20);
    // The first pass alone: opening a report reads its entry-number column to find split entries.
    g.bench_function("first_pass_rows", |b| {
        b.iter(|| {
            Es003Reader::from_bytes(black_box(csv.as_bytes().to_vec()), &Es003Options::default()).expect("header")
        })
    });
    g.bench_function("ingest_rows", |b| {
        b.iter(|| {
            let reader = Es003Reader::from_bytes(csv.as_bytes().to_vec(), &Es003Options::default()).expect("header");
            let mut n = 0usize;
            for e in reader {
                n += e.expect("in-memory read").tariff_count();
            }
            black_box(n)
        })
    });
    g.finish();
}

/// The generated sample's entries, ingested once (the assessment benchmarks exclude ingest).
fn sample_entries() -> Vec<Entry> {
    let cfg = GeneratorConfig { entries: ENTRIES, ..GeneratorConfig::default() };
    let csv = generate_es003_string(&cfg);
    let reader = Es003Reader::from_bytes(csv.into_bytes(), &Es003Options::default()).expect("header");
    reader.map(|e| e.expect("in-memory read")).collect()
}

/// The options of the throughput harness's pipeline: a fixed as-of date, the last rate assumed to continue.
fn options(tables: &Tables) -> AssessOptions {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    AssessOptions::new(as_of).assume_last_rate(&tables.rates)
}

fn assess_per_entry(c: &mut Criterion) {
    let tables = Tables::embedded().expect("tables");
    let entries = sample_entries();
    let mut g = c.benchmark_group("assess");
    g.throughput(Throughput::Elements(entries.len() as u64));
    g.sample_size(20);
    // A fresh assessor per iteration: duplicate detection and the interest cache start empty, as in a new run.
    g.bench_function("per_entry", |b| {
        b.iter(|| {
            let mut assessor = Assessor::new(&tables, options(&tables)).expect("assessor");
            let mut eligible = 0usize;
            for e in &entries {
                let a = assessor.assess(black_box(e)).expect("assess");
                eligible += usize::from(a.refund_item().is_some());
                black_box(a);
            }
            eligible
        })
    });
    g.finish();
}

/// The stages of the per-entry assessment one at a time, on the same entries.
fn stages(c: &mut Criterion) {
    let tables = Tables::embedded().expect("tables");
    let entries = sample_entries();
    let opts = options(&tables);
    let mut assessor = Assessor::new(&tables, opts.clone()).expect("assessor");
    let rules = assessor.rule_set().clone();
    let assessed: Vec<EntryAssessment> = entries.iter().map(|e| assessor.assess(e).expect("assess")).collect();
    let mut g = c.benchmark_group("stage");
    g.sample_size(20);
    g.throughput(Throughput::Elements(entries.len() as u64));
    g.bench_function("removal_per_entry", |b| {
        b.iter(|| {
            let mut removed = 0usize;
            for e in &entries {
                removed +=
                    usize::from(remove_ieepa(black_box(e), &tables.catalogue).expect("remove").has_dutiable_ieepa);
            }
            removed
        })
    });
    g.bench_function("eligibility_per_entry", |b| {
        let inputs = ClaimInputs { has_dutiable_ieepa: true, ..ClaimInputs::default() };
        let claim = ClaimOptions::default();
        b.iter(|| {
            let mut reasons = 0usize;
            for e in &entries {
                reasons += assess_claim(black_box(e), &inputs, &rules, opts.as_of, &claim).reasons.len();
            }
            reasons
        })
    });
    g.bench_function("json_record_per_entry", |b| {
        b.iter(|| assessed.iter().map(|a| black_box(a).record_json().len()).sum::<usize>())
    });
    // Interest on the entries that get a projection, with a fresh calculator (its span cache empty) each time.
    let spans: Vec<_> = assessed
        .iter()
        .filter_map(|a| {
            let deposit = a.deposit.as_ref().ok()?.date;
            let end = a.projected.as_ref()?.liquidation;
            Some((a.principal(), deposit, end, a.importer_class))
        })
        .collect();
    g.throughput(Throughput::Elements(spans.len() as u64));
    g.bench_function("interest_per_projected_entry", |b| {
        b.iter(|| {
            let mut calc = InterestCalculator::new(&tables.rates, InterestOptions::default()).expect("calculator");
            let mut days = 0u64;
            for &(principal, start, end, class) in &spans {
                days += u64::from(calc.compute(principal, start, end, class).expect("interest").days);
            }
            days
        })
    });
    g.finish();
}

fn consolidation(c: &mut Criterion) {
    let tables = Tables::embedded().expect("tables");
    let entries = sample_entries();
    let mut assessor = Assessor::new(&tables, options(&tables)).expect("assessor");
    let assessed: Vec<EntryAssessment> = entries.iter().map(|e| assessor.assess(e).expect("assess")).collect();
    let items: Vec<RefundItem> = assessed.iter().filter_map(EntryAssessment::refund_item).collect();
    let mut g = c.benchmark_group("refund");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.bench_function("consolidation", |b| {
        b.iter_batched(
            || items.clone(),
            |items| {
                let mut cons = Consolidation::new(ConsolidationOptions::default());
                for item in items {
                    cons.add(item).expect("consolidate");
                }
                cons.totals()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, entry_numbers, es003_ingest, stages, assess_per_entry, consolidation);
criterion_main!(benches);
