//! Criterion benchmarks of cape's hot paths: entry-number parsing, ES-003 ingest, the per-entry assessment
//! (classification, IEEPA removal, eligibility, interest) and refund consolidation.

use std::hint::black_box;

use cape_core::assess::{AssessOptions, Assessor, EntryAssessment, Tables};
use cape_core::refund::{Consolidation, ConsolidationOptions, RefundItem};
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

criterion_group!(benches, entry_numbers, es003_ingest, assess_per_entry, consolidation);
criterion_main!(benches);
