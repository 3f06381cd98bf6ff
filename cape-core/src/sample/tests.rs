use std::collections::HashSet;

use super::*;

fn small(seed: u64) -> GeneratorConfig {
    GeneratorConfig { seed, entries: 300, ..GeneratorConfig::default() }
}

fn records(csv_text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(csv_text.as_bytes());
    let header = rdr.headers().cloned().unwrap_or_default();
    (header, rdr.records().map(|r| r.unwrap_or_default()).collect())
}

#[test]
fn deterministic_per_seed() {
    let a = generate_es003_string(&small(42));
    assert_eq!(a, generate_es003_string(&small(42)));
    assert_ne!(a, generate_es003_string(&small(43)));
}

#[test]
fn stats_match_the_rows_and_entry_numbers_are_valid() {
    let cfg = small(5);
    let mut buf = Vec::new();
    let stats = generate_es003(&cfg, &mut buf).unwrap_or_default();
    let text = String::from_utf8(buf).unwrap_or_default();
    let (header, rows) = records(&text);
    let cols = columns(&cfg);
    assert_eq!(header.len(), cols.len());
    assert_eq!(header.get(0), Some("Entry Summary Number"));
    assert_eq!(stats.rows, rows.len() as u64);
    assert_eq!(stats.malformed_rows, 0);
    let mut entries = HashSet::new();
    let mut lines = HashSet::new();
    let mut last: Option<(String, u32, u32)> = None;
    for r in &rows {
        assert_eq!(r.len(), cols.len());
        let n: EntryNumber = r[0].parse().unwrap_or_else(|e| panic!("{}: {e}", &r[0]));
        let line: u32 = r[1].parse().unwrap_or(0);
        let ord: u32 = r[2].parse().unwrap_or(0);
        // Contiguous entries, ordered by line then ordinal.
        if let Some((pe, pl, po)) = &last {
            if *pe == n.compact() {
                assert!((line, ord) > (*pl, *po), "{} {line} {ord}", &r[0]);
            } else {
                assert!(!entries.contains(n.compact()), "entry {} not contiguous", &r[0]);
            }
        }
        entries.insert(n.compact().to_owned());
        lines.insert((n.compact().to_owned(), line));
        last = Some((n.compact().to_owned(), line, ord));
    }
    assert_eq!(stats.entries, cfg.entries as u64);
    assert_eq!(entries.len() as u64, stats.entries);
    assert_eq!(lines.len() as u64, stats.lines);
}

#[test]
fn malformed_rows_are_inserted_when_asked() {
    let good = GeneratorConfig { seed: 9, entries: 400, ..GeneratorConfig::default() };
    let bad = GeneratorConfig { malformed_rows_per_thousand: 30, ..good.clone() };
    let mut buf = Vec::new();
    let g = generate_es003(&good, &mut buf).unwrap_or_default();
    let mut buf2 = Vec::new();
    let b = generate_es003(&bad, &mut buf2).unwrap_or_default();
    assert!(b.malformed_rows >= 6, "{b:?}");
    assert_eq!(b.rows, g.rows + b.malformed_rows);
    assert_eq!((b.entries, b.lines), (g.entries, g.lines));
    let text = String::from_utf8(buf2).unwrap_or_default();
    let (header, rows) = records(&text);
    let ragged = rows.iter().filter(|r| r.len() != header.len()).count();
    let bad_numbers = rows.iter().filter(|r| r[0].parse::<EntryNumber>().is_err()).count();
    let empty_hts = rows.iter().filter(|r| r.len() > 3 && r[3].is_empty()).count();
    assert!(ragged > 0 && bad_numbers > 0 && empty_hts > 0, "{ragged} {bad_numbers} {empty_hts}");
    assert_eq!(rows.len() as u64, b.rows);
}

#[test]
fn stacks_follow_the_catalogue() {
    let cat = tariffs::catalogue();
    assert_eq!(cat.len(), 171);
    let text = generate_es003_string(&GeneratorConfig { seed: 3, entries: 1500, ..GeneratorConfig::default() });
    let (header, rows) = records(&text);
    let idx = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let (hts, date, origin, value, duty) = (
        idx("HTS Number - Full"),
        idx("Entry Date"),
        idx("Country of Origin Code"),
        idx("Line Tariff Goods Value Amount"),
        idx("Line Tariff Duty Amount"),
    );
    let mut ieepa_rows = 0;
    let mut seen = HashSet::new();
    for r in &rows {
        let h: String = r[hts].chars().filter(|c| *c != '.').collect();
        if !h.starts_with("990301") && !h.starts_with("990302") {
            continue;
        }
        let d = crate::parse_date(&r[date]).unwrap_or(NaiveDate::MIN);
        let dotted = format!("{}.{}.{}", &h[..4], &h[4..6], &h[6..8]);
        assert!(
            cat.iter().any(|c| c.hts == dotted && c.in_force(d) && c.applies_to(&r[origin])),
            "{dotted} on {d} for {}",
            &r[origin]
        );
        assert!(crate::Usd::parse(&r[value]).map(|v| v.is_zero()).unwrap_or(false));
        assert!(crate::Usd::parse(&r[duty]).is_ok());
        seen.insert(dotted);
        ieepa_rows += 1;
    }
    assert!(ieepa_rows > 500, "{ieepa_rows}");
    for n in ["9903.01.24", "9903.01.25", "9903.01.01", "9903.01.10", "9903.02.20", "9903.01.33", "9903.01.04"] {
        assert!(seen.contains(n), "{n} never generated");
    }
}

#[test]
fn ad_valorem_rounds_value_to_dollars_then_cents_half_up() {
    assert_eq!(tariffs::ad_valorem(100_050, 2500), 25_025); // $1,000.50 → $1,001 × 25%
    assert_eq!(tariffs::ad_valorem(100_049, 2500), 25_000);
    assert_eq!(tariffs::ad_valorem(1_000, 250), 25); // $10 × 2.5% = $0.25
    assert_eq!(tariffs::ad_valorem(3_000, 750), 225);
}

#[test]
fn embedded_sample_is_generated() {
    let generated = generate_es003_string(&sample_config());
    if std::env::var_os("CAPE_REGENERATE_SAMPLE").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample_es003.csv");
        if let Err(e) = std::fs::write(path, &generated) {
            panic!("writing {path}: {e}");
        }
        return;
    }
    assert!(
        include_str!("../../data/sample_es003.csv") == generated,
        "data/sample_es003.csv differs from generate_es003_string(&sample_config()); after a deliberate \
         generator change run: CAPE_REGENERATE_SAMPLE=1 cargo test -p cape-core --lib \
         sample::tests::embedded_sample_is_generated"
    );
}

#[test]
#[ignore]
fn big_run_timing() {
    let cfg = GeneratorConfig { entries: 700_000, malformed_rows_per_thousand: 1, ..GeneratorConfig::default() };
    let t = std::time::Instant::now();
    let stats = generate_es003(&cfg, std::io::sink()).unwrap_or_default();
    eprintln!("{stats:?} in {:?}", t.elapsed());
}

#[test]
fn the_reader_uses_every_good_row_and_rejects_every_malformed_one() {
    let opts = crate::Es003Options::default();
    let sample_stats = generate_es003(&sample_config(), std::io::sink()).unwrap_or_default();
    let Ok(read) = crate::read_es003_bytes(sample_es003().as_bytes(), &opts) else { panic!("sample unreadable") };
    let s = &read.summary;
    let first: Vec<_> = read.diagnostics.iter().filter(|d| d.severity() != crate::Severity::Info).take(3).collect();
    assert_eq!((s.rows_read, s.rows_rejected, read.entries.len()), (sample_stats.rows, 0, 2000), "{first:?}");

    let cfg = GeneratorConfig { seed: 11, entries: 500, malformed_rows_per_thousand: 20, ..GeneratorConfig::default() };
    let mut buf = Vec::new();
    let stats = generate_es003(&cfg, &mut buf).unwrap_or_default();
    let Ok(read) = crate::read_es003_bytes(&buf, &opts) else { panic!("generated file unreadable") };
    let s = &read.summary;
    assert_eq!((s.rows_read, s.rows_rejected), (stats.rows, stats.malformed_rows));
    assert_eq!(read.entries.len() as u64, stats.entries);
}
