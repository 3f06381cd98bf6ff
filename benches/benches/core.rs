//! Criterion benchmarks of cape's hot paths: entry-number parsing and ES-003 ingest.

use std::hint::black_box;

use cape_core::sample::{generate_es003_string, GeneratorConfig};
use cape_core::{EntryNumber, Es003Options, Es003Reader};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

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
    let cfg = GeneratorConfig { entries: 2_000, ..GeneratorConfig::default() };
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

criterion_group!(benches, entry_numbers, es003_ingest);
criterion_main!(benches);
