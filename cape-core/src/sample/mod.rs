//! A deterministic generator of realistic synthetic ES-003 data, and the embedded sample.
//!
//! [`generate_es003`] streams an ES-003 *Entry Summary Line Tariff Details* CSV (CAPE.md §5): one row per tariff
//! ordinal per entry-summary line, the rows of an entry contiguous and ordered by line then ordinal. Every entry
//! number carries a valid check digit; every line carries the Chapter 99 stack its country of origin and entry
//! date call for, taken from the embedded IEEPA catalogue (`chapter99_ieepa.csv`, so rates are never re-typed
//! here) plus illustrative Section 301/232 numbers, with duty = rate × line value rounded to whole dollars.
//! Liquidation, protest, reconciliation, PSC and the optional extra columns are spread so that every
//! eligibility rule of CAPE.md §2 has cases.
//!
//! The output depends only on the [`GeneratorConfig`]: the generator has its own PRNG (xoshiro256** seeded by
//! SplitMix64), so the same config gives byte-identical output on every platform and with every version of
//! cape's dependencies. Memory use does not grow with the number of entries.
//!
//! # Example
//!
//! ```
//! use cape_core::sample::{generate_es003, GeneratorConfig};
//!
//! let cfg = GeneratorConfig { seed: 7, entries: 50, ..GeneratorConfig::default() };
//! let mut csv = Vec::new();
//! let stats = generate_es003(&cfg, &mut csv)?;
//! assert_eq!(stats.entries, 50);
//! assert!(stats.rows >= stats.lines && stats.lines >= stats.entries);
//! assert!(csv.starts_with(b"Entry Summary Number,Entry Summary Line Number,"));
//! # Ok::<(), std::io::Error>(())
//! ```

mod rng;
mod tariffs;

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};

use crate::ingest::columns::{Column, ColumnOrigin, COLUMNS};
use crate::values::entry_number::EntryNumber;
use rng::Rng;
use tariffs::{build_stack, LineFacts, Ordinal, PRODUCTS};

/// The sample ES-003 file of `cape demo`: `generate_es003_string(&sample_config())`, generated when asked for
/// (a few milliseconds) rather than embedded in every program that links cape-core.
///
/// About 2,000 entries from seed 2026, with the extra columns and no malformed rows. The same bytes are checked
/// in as `cape-core/data/sample_es003.csv` (for the tests and for reading); a unit test keeps the two equal.
/// After a deliberate change to the generator, rewrite the file with
/// `CAPE_REGENERATE_SAMPLE=1 cargo test -p cape-core --lib sample::tests::embedded_sample_is_generated`.
pub fn sample_es003() -> String {
    generate_es003_string(&sample_config())
}

/// What to generate. Every field is a plain value; `..GeneratorConfig::default()` fills the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    /// Seed of the PRNG: the same config always gives the same bytes.
    pub seed: u64,
    /// Number of entries (entry summaries) to write.
    pub entries: usize,
    /// Malformed rows inserted per thousand good rows (0 = none). Each is a corrupted copy of the row before
    /// it (bad check digit, non-numeric duty, impossible date, empty HTS, ragged row, non-numeric line number,
    /// in turn), so the good data is the same with or without them.
    pub malformed_rows_per_thousand: u32,
    /// First entry date of the main spread (default 2025-02-04, the first day of IEEPA duty).
    pub start_date: NaiveDate,
    /// Last entry date of the main spread (default 2026-02-23, the last day of IEEPA duty).
    pub end_date: NaiveDate,
    /// Entries per thousand dated 1–35 days after `end_date` (by default: after IEEPA ended, so without IEEPA
    /// numbers).
    pub late_entries_per_thousand: u32,
    /// The "today" liquidation facts are relative to (default 2026-11-26, the reference's as-of date).
    pub reference_date: NaiveDate,
    /// Number of distinct importers of record (at least 1 is used).
    pub importers: usize,
    /// Number of distinct filer codes (at least 1 is used).
    pub filers: usize,
    /// Also write cape's documented extra columns (`Payment Date` … `Importer Class`).
    pub include_extra_columns: bool,
    /// Fill the descriptive report columns cape does not need (`Manufacturer ID`, `Foreign Exporter ID`,
    /// quantity and unit, `Filer Name`, `Review Team Number`); when false they are present but blank.
    pub descriptive_columns: bool,
    /// Most lines on one entry (at least 1 is used).
    pub max_lines_per_entry: u32,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Default for GeneratorConfig {
    /// Seed 1, 1,000 entries over the IEEPA period, 40 importers, 5 filers, extra and descriptive columns on,
    /// no malformed rows.
    fn default() -> Self {
        GeneratorConfig {
            seed: 1,
            entries: 1000,
            malformed_rows_per_thousand: 0,
            start_date: ymd(2025, 2, 4),
            end_date: ymd(2026, 2, 23),
            late_entries_per_thousand: 25,
            reference_date: ymd(2026, 11, 26),
            importers: 40,
            filers: 5,
            include_extra_columns: true,
            descriptive_columns: true,
            max_lines_per_entry: 12,
        }
    }
}

/// The configuration of the sample [`sample_es003`]: seed 2026, 2,000 entries, extra columns on,
/// descriptive columns off (to keep the file small), no malformed rows.
pub fn sample_config() -> GeneratorConfig {
    GeneratorConfig {
        seed: 2026,
        entries: 2000,
        importers: 60,
        filers: 6,
        descriptive_columns: false,
        max_lines_per_entry: 10,
        ..GeneratorConfig::default()
    }
}

/// Counts of what [`generate_es003`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateStats {
    /// Entries (distinct entry numbers of good rows).
    pub entries: u64,
    /// Entry-summary lines.
    pub lines: u64,
    /// Data rows written (not counting the header), malformed rows included.
    pub rows: u64,
    /// Malformed rows among `rows`.
    pub malformed_rows: u64,
}

/// The header cells the generator writes for a config: every ES-003 report column (canonical names, in
/// [`COLUMNS`] order), then the extra columns when `include_extra_columns` is set.
pub fn es003_header(cfg: &GeneratorConfig) -> Vec<&'static str> {
    columns(cfg).iter().map(|c| c.name()).collect()
}

fn columns(cfg: &GeneratorConfig) -> Vec<Column> {
    COLUMNS.iter().filter(|s| s.origin == ColumnOrigin::Report || cfg.include_extra_columns).map(|s| s.column).collect()
}

/// Writes a synthetic ES-003 CSV for `cfg` to `out`, streaming (memory does not grow with `cfg.entries`).
///
/// Line ends are `\n`; fields are quoted only when needed (importer names with commas or quotes). A
/// degenerate config is made usable rather than refused: `importers`, `filers` and `max_lines_per_entry` of 0
/// count as 1, and `start_date`/`end_date` are swapped when reversed.
///
/// # Errors
///
/// Any I/O error from `out`; and [`io::ErrorKind::InvalidInput`] when the filer codes run out of 7-digit
/// serials (more than about eight million entries per filer).
pub fn generate_es003<W: Write>(cfg: &GeneratorConfig, out: W) -> io::Result<GenerateStats> {
    let catalogue = tariffs::catalogue();
    let mut wtr = csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let cols = columns(cfg);
    wtr.write_record(cols.iter().map(|c| c.name()))?;
    let mut g = Generator::new(cfg, &catalogue);
    let mut stats = GenerateStats::default();
    let mut fields: Vec<String> = vec![String::new(); cols.len()];
    let pos = |c: Column| cols.iter().position(|&x| x == c).unwrap_or(0);
    let (p_entry, p_line, p_hts, p_duty, p_date) = (
        pos(Column::EntryNumber),
        pos(Column::LineNumber),
        pos(Column::Hts),
        pos(Column::Duty),
        pos(Column::EntryDate),
    );
    let mut mal_rng = Rng::new(cfg.seed ^ 0x6D61_6C66_6F72_6D65);
    for i in 0..cfg.entries {
        let e = g.entry(i)?;
        stats.entries += 1;
        for line in &e.lines {
            stats.lines += 1;
            for (k, ord) in line.ordinals.iter().enumerate() {
                for (f, &col) in fields.iter_mut().zip(&cols) {
                    f.clear();
                    g.cell(f, col, &e, line, k + 1, ord);
                }
                wtr.write_record(&fields)?;
                stats.rows += 1;
                if cfg.malformed_rows_per_thousand > 0
                    && mal_rng.below(1000) < u64::from(cfg.malformed_rows_per_thousand)
                {
                    let kind = stats.malformed_rows % 6;
                    stats.malformed_rows += 1;
                    stats.rows += 1;
                    match kind {
                        0 => {
                            // Wrong check digit.
                            if let Some(c) = fields[p_entry].pop() {
                                let d = c.to_digit(10).unwrap_or(0);
                                fields[p_entry].push(char::from_digit((d + 1) % 10, 10).unwrap_or('0'));
                            }
                        }
                        1 => {
                            fields[p_duty].clear();
                            fields[p_duty].push_str(mal_rng.pick::<&str>(BAD_MONEY));
                        }
                        2 => {
                            fields[p_date].clear();
                            fields[p_date].push_str(mal_rng.pick::<&str>(BAD_DATES));
                        }
                        3 => fields[p_hts].clear(),
                        4 => {
                            let keep = fields.len().saturating_sub(1 + mal_rng.below(5) as usize).max(1);
                            wtr.write_record(&fields[..keep])?;
                            continue;
                        }
                        _ => {
                            fields[p_line].clear();
                            fields[p_line].push_str(mal_rng.pick::<&str>(BAD_LINE_NUMBERS));
                        }
                    }
                    wtr.write_record(&fields)?;
                }
            }
        }
    }
    wtr.flush()?;
    Ok(stats)
}

const BAD_MONEY: &[&str] = &["N/A", "12.3O", "1,2,3.45", "USD"];
const BAD_DATES: &[&str] = &["13/45/2025", "02/30/2025", "2025-13-01", "yesterday"];
const BAD_LINE_NUMBERS: &[&str] = &["L1", "one", "-", "1.5"];

/// [`generate_es003`] into a `String`.
///
/// # Panics
///
/// Only if the filer codes run out of serials (see [`generate_es003`]); writing to memory cannot fail otherwise.
pub fn generate_es003_string(cfg: &GeneratorConfig) -> String {
    let mut buf = Vec::new();
    if let Err(e) = generate_es003(cfg, &mut buf) {
        panic!("generate_es003_string: {e}");
    }
    // Only ASCII is ever written.
    String::from_utf8_lossy(&buf).into_owned()
}

// ---------------------------------------------------------------------------------------------------------------
// Generation

struct Filer {
    code: String,
    name: String,
    next_serial: u32,
}

struct Importer {
    number: String,
    name: String,
    corporate: bool,
    ach: bool,
    designee: String,
    payment_type: u8,
}

/// An entry ready to be written: entry-level cells pre-formatted.
struct EntryRec<'a> {
    number: String,
    entry_type: &'static str,
    importer: usize,
    filer: usize,
    port: &'static str,
    entry_date: String,
    summary_date: String,
    create_date: String,
    importation_date: String,
    liq_date: String,
    liq_status: &'static str,
    final_liq: &'static str,
    recon: &'static str,
    psc: &'static str,
    protest_number: String,
    protest_status: &'static str,
    control_status: &'static str,
    review_team: String,
    total_liquidated: String,
    payment_date: String,
    payment_type: &'static str,
    summary_status: &'static str,
    recon_entry: String,
    drawback: &'static str,
    surety: &'static str,
    adcvd: &'static str,
    dollar_money: bool,
    dotted_hts: bool,
    lines: Vec<LineRec<'a>>,
}

struct LineRec<'a> {
    number: u32,
    origin: &'static str,
    export: &'static str,
    mid: String,
    exporter: String,
    spi: &'static str,
    quantity: u64,
    uom: &'static str,
    mfn: &'static str,
    psc: &'static str,
    ordinals: Vec<Ordinal<'a>>,
}

struct Generator<'c> {
    cfg: &'c GeneratorConfig,
    rng: Rng,
    catalogue: &'c [tariffs::Ch99Row],
    filers: Vec<Filer>,
    filer_weights: Vec<u32>,
    importers: Vec<Importer>,
    gap: i64,
    start: NaiveDate,
    end: NaiveDate,
    in_force: Vec<usize>,
}

const ENTRY_TYPES: &[(&str, u32)] = &[
    ("01", 760),
    ("02", 10),
    ("03", 35),
    ("06", 30),
    ("08", 8),
    ("09", 8),
    ("11", 40),
    ("21", 20),
    ("22", 3),
    ("23", 10),
    ("31", 30),
    ("34", 5),
    ("47", 8),
    ("86", 25),
];

const ORIGINS: &[(&str, u32)] = &[
    ("CN", 260),
    ("MX", 110),
    ("CA", 90),
    ("VN", 90),
    ("DE", 50),
    ("FR", 20),
    ("IT", 30),
    ("NL", 10),
    ("IE", 10),
    ("ES", 10),
    ("JP", 50),
    ("KR", 40),
    ("IN", 40),
    ("BR", 20),
    ("CH", 20),
    ("TW", 40),
    ("TH", 30),
    ("GB", 30),
    ("HK", 10),
    ("MY", 15),
    ("ID", 10),
    ("KH", 10),
    ("SG", 5),
    ("IL", 5),
    ("TR", 5),
    ("AU", 5),
];

const EU: &[&str] = &["DE", "FR", "IT", "NL", "IE", "ES", "BE"];

const SEA_PORTS: &[&str] = &["2704", "2709", "1001", "4601", "3002", "5301", "1703", "5201", "3901", "2809"];

const FILER_NAMES: &[&str] = &[
    "Harborline Customs Brokerage",
    "Northstar Customs Services, LLC",
    "Pacific Gateway Brokers Inc",
    "Bluewater Trade Compliance",
    "Great Plains Customs House",
    "Keystone Entry Services",
    "Lakeshore Forwarding & Customs",
    "Redwood Clearance Co",
];

const NAME_A: &[&str] = &[
    "Acme",
    "Pacific",
    "Blue Harbor",
    "Summit",
    "Great Lakes",
    "Lone Star",
    "Evergreen",
    "Granite",
    "Silver Creek",
    "Northwind",
    "Cardinal",
    "Prairie",
    "Coastal",
    "Ironwood",
    "Maple",
    "Atlas",
    "Beacon",
    "Cedar Ridge",
];
const NAME_B: &[&str] = &[
    "Imports",
    "Trading",
    "Home Goods",
    "Apparel",
    "Electronics",
    "Tools",
    "Outdoor",
    "Auto Parts",
    "Furniture",
    "Supply",
    "Brands",
    "Distribution",
    "Industries",
    "Toys",
];
const NAME_SUFFIX: &[&str] = &[", Inc.", " LLC", " Corp.", ", Ltd.", " Co.", " Inc", ", LLC", " Corporation"];
const FIRST: &[&str] = &["Maria", "James", "Wei", "Priya", "Carlos", "Anna", "David", "Fatima", "John", "Mei"];
const LAST: &[&str] = &["Garcia", "Smith", "Chen", "Patel", "Nguyen", "Kowalski", "Johnson", "Okafor", "Rossi", "Kim"];

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(n)).unwrap_or(d)
}

fn upper_letter(rng: &mut Rng) -> char {
    char::from(b'A' + rng.below(26) as u8)
}

impl<'c> Generator<'c> {
    fn new(cfg: &'c GeneratorConfig, catalogue: &'c [tariffs::Ch99Row]) -> Self {
        let mut rng = Rng::new(cfg.seed);
        let (start, end) = if cfg.start_date <= cfg.end_date {
            (cfg.start_date, cfg.end_date)
        } else {
            (cfg.end_date, cfg.start_date)
        };
        let n_filers = cfg.filers.max(1);
        let mut filers: Vec<Filer> = Vec::with_capacity(n_filers);
        while filers.len() < n_filers {
            let mut code = String::with_capacity(3);
            code.push(upper_letter(&mut rng));
            for _ in 0..2 {
                let k = rng.below(36) as u8;
                code.push(char::from(if k < 10 { b'0' + k } else { b'A' + k - 10 }));
            }
            if filers.iter().any(|f| f.code == code) {
                continue;
            }
            let k = filers.len();
            let name = if k < FILER_NAMES.len() {
                FILER_NAMES[k].to_owned()
            } else {
                format!("{} {}", FILER_NAMES[k % FILER_NAMES.len()], k / FILER_NAMES.len() + 1)
            };
            filers.push(Filer { code, name, next_serial: rng.below(1_000_000) as u32 });
        }
        let filer_weights = (0..n_filers).map(|k| (2 * n_filers - k) as u32).collect();
        let importers = (0..cfg.importers.max(1)).map(|_| Self::importer(&mut rng)).collect();
        // Serial gaps small enough that a filer never passes 9,999,999 below ~8M entries.
        let gap = (8_000_000 / (cfg.entries as i64 + 1)).clamp(1, 4);
        Generator { cfg, rng, catalogue, filers, filer_weights, importers, gap, start, end, in_force: Vec::new() }
    }

    fn importer(rng: &mut Rng) -> Importer {
        let corporate = !rng.chance(80);
        let number = if rng.chance(60) {
            format!(
                "{:02}{:02}{:02}-{:05}",
                rng.range(0, 99),
                rng.range(1, 12),
                rng.range(10, 99),
                rng.range(0, 99_999)
            )
        } else {
            let suffix = *rng.pick(&["00", "00", "00", "00", "01", "02", "A1"]);
            let dash = if rng.chance(100) { "" } else { "-" };
            format!("{:02}{dash}{:07}{suffix}", rng.range(10, 99), rng.range(0, 9_999_999))
        };
        let name = if !corporate {
            format!("{}, {}", rng.pick(LAST), rng.pick(FIRST))
        } else if rng.chance(30) {
            format!("\"{}\" {}{}", rng.pick(NAME_A), rng.pick(NAME_B), rng.pick(NAME_SUFFIX))
        } else {
            format!("{} {}{}", rng.pick(NAME_A), rng.pick(NAME_B), rng.pick(NAME_SUFFIX))
        };
        let designee = if rng.chance(50) {
            format!("{:02}-{:07}00", rng.range(10, 99), rng.range(0, 9_999_999))
        } else {
            String::new()
        };
        Importer {
            number,
            name,
            corporate,
            ach: !rng.chance(80),
            designee,
            payment_type: [1u8, 2, 6, 7][rng.weighted(&[30, 25, 20, 25])],
        }
    }

    fn date(&self, d: NaiveDate, iso: bool) -> String {
        if iso {
            d.format("%Y-%m-%d").to_string()
        } else {
            format!("{:02}/{:02}/{}", d.month(), d.day(), d.year())
        }
    }

    fn money(&self, out: &mut String, cents: i64, dollar: bool) {
        let neg = cents < 0;
        let c = cents.unsigned_abs();
        let (whole, frac) = (c / 100, c % 100);
        if neg {
            out.push('-');
        }
        if dollar {
            out.push('$');
            let digits = whole.to_string();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(ch);
            }
        } else {
            let _ = write!(out, "{whole}");
        }
        let _ = write!(out, ".{frac:02}");
    }

    fn mid(&mut self, origin: &str) -> String {
        let mut s = String::with_capacity(15);
        s.push_str(origin);
        for _ in 0..6 {
            s.push(upper_letter(&mut self.rng));
        }
        let _ = write!(s, "{}", self.rng.range(1, 9999));
        for _ in 0..3 {
            s.push(upper_letter(&mut self.rng));
        }
        s
    }

    fn next_entry_number(&mut self, filer: usize) -> io::Result<EntryNumber> {
        let n = self.filers.len();
        for k in 0..n {
            let f = (filer + k) % n;
            let serial = self.filers[f].next_serial;
            if serial <= 9_999_999 {
                self.filers[f].next_serial = serial + self.rng.range(1, self.gap) as u32;
                return EntryNumber::from_parts(&self.filers[f].code, serial)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()));
            }
        }
        Err(io::Error::new(io::ErrorKind::InvalidInput, "every filer code has used all 7-digit serials"))
    }

    /// The deposit date for a payment type, approximately (weekends skipped, holidays not).
    fn payment_date(&mut self, kind: u8, entry_date: NaiveDate, summary: NaiveDate) -> NaiveDate {
        match kind {
            1 => add_days(summary, self.rng.range(1, 3)),
            2 => add_days(summary, self.rng.range(4, 10)),
            _ => {
                // Periodic monthly statement: the 15th working day of the month after the month of entry.
                let (y, m) = if entry_date.month() == 12 {
                    (entry_date.year() + 1, 1)
                } else {
                    (entry_date.year(), entry_date.month() + 1)
                };
                let mut d = ymd(y, m, 1);
                let mut count = 0;
                loop {
                    if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                        count += 1;
                        if count == 15 {
                            break d;
                        }
                    }
                    d = add_days(d, 1);
                }
            }
        }
    }

    fn entry(&mut self, i: usize) -> io::Result<EntryRec<'c>> {
        let cfg = self.cfg;
        let filer = self.rng.weighted(&self.filer_weights);
        let number = self.next_entry_number(filer)?;
        let filer = self.filers.iter().position(|f| f.code == number.filer_code().as_str()).unwrap_or(0);
        let importer = {
            let n = self.importers.len() as u64;
            let k = self.rng.below(n);
            if self.rng.chance(500) {
                self.rng.below(k + 1) as usize
            } else {
                k as usize
            }
        };
        let entry_type = self.rng.weighted_item(ENTRY_TYPES);
        let span = (self.end - self.start).num_days();
        let entry_date = if self.rng.chance(cfg.late_entries_per_thousand) {
            add_days(self.end, self.rng.range(1, 35))
        } else {
            let base = (i as i128 * i128::from(span + 1) / cfg.entries.max(1) as i128) as i64;
            add_days(self.start, (base + self.rng.range(-3, 3)).clamp(0, span))
        };
        let informal = matches!(entry_type, "11" | "86");
        let summary = if informal { entry_date } else { add_days(entry_date, self.rng.range(0, 9)) };
        let create = add_days(summary, -self.rng.range(0, 2)).max(add_days(entry_date, -1));
        let importation = add_days(entry_date, -self.rng.range(0, 2));
        let iso = self.rng.chance(30);
        let dollar_money = self.rng.chance(40);
        let dotted_hts = self.rng.chance(60);
        let dashed = self.rng.chance(50);
        let main_origin = self.rng.weighted_item(ORIGINS);
        let mixed = self.rng.chance(150);
        let port = match main_origin {
            "MX" => *self.rng.pick(&["2304", "2304", "2402", "2506"]),
            "CA" => *self.rng.pick(&["3801", "0901", "3004", "0712"]),
            _ => *self.rng.pick(SEA_PORTS),
        };

        // Lines and their stacks.
        let catalogue: &'c [tariffs::Ch99Row] = self.catalogue;
        let mut in_force = std::mem::take(&mut self.in_force);
        in_force.clear();
        in_force.extend((0..catalogue.len()).filter(|&k| catalogue[k].in_force(entry_date)));
        let n_lines = if informal {
            1
        } else {
            let mut n = 1;
            while n < cfg.max_lines_per_entry.max(1) && self.rng.chance(520) {
                n += 1;
            }
            n
        };
        let mid = self.mid(main_origin);
        let psc_entry = self.rng.chance(70);
        let mut lines = Vec::with_capacity(n_lines as usize);
        let mut total_duty = 0i64;
        for ln in 1..=n_lines {
            let origin = if mixed { self.rng.weighted_item(ORIGINS) } else { main_origin };
            let product = loop {
                let p = self.rng.pick(PRODUCTS);
                // Energy and potash only from Canada/Mexico; Section 232 goods on about 7% of lines.
                let keep = match p.goods {
                    tariffs::Goods::Energy | tariffs::Goods::Potash => {
                        (origin == "CA" || origin == "MX") && self.rng.chance(400)
                    }
                    tariffs::Goods::Steel | tariffs::Goods::Aluminum => self.rng.chance(400),
                    _ => true,
                };
                if keep {
                    break p;
                }
            };
            let value_cents = if informal {
                self.rng.range(5_000, 250_000)
            } else {
                let scale = [1i64, 10, 100, 1000][self.rng.weighted(&[30, 45, 22, 3])];
                self.rng.range(100, 999) * scale * 100 + self.rng.range(0, 99)
            };
            let mut ordinals = Vec::with_capacity(4);
            let spi = if matches!(entry_type, "23" | "86") {
                ordinals.push(Ordinal { hts: product.hts, value_cents, duty_cents: 0, primary: true });
                ""
            } else {
                let facts =
                    LineFacts { cat: catalogue, in_force: &in_force, origin, product, date: entry_date, value_cents };
                build_stack(&mut self.rng, &facts, &mut ordinals)
            };
            total_duty += ordinals.iter().map(|o| o.duty_cents).sum::<i64>();
            let export = if origin == "CN" && self.rng.chance(60) {
                *self.rng.pick(&["HK", "VN"])
            } else if EU.contains(&origin) && self.rng.chance(100) {
                *self.rng.pick(&["NL", "BE", "DE"])
            } else {
                origin
            };
            let (line_mid, exporter) = if cfg.descriptive_columns {
                let m = if mixed || self.rng.chance(200) { self.mid(origin) } else { mid.clone() };
                let x = if self.rng.chance(700) { m.clone() } else { self.mid(export) };
                (m, x)
            } else {
                (String::new(), String::new())
            };
            lines.push(LineRec {
                number: ln,
                origin,
                export,
                mid: line_mid,
                exporter,
                spi,
                quantity: self.rng.range(1, 5000) as u64,
                uom: product.uom,
                mfn: product.mfn,
                psc: if psc_entry && self.rng.chance(500) { "Y" } else { "N" },
                ordinals,
            });
        }

        self.in_force = in_force;

        // Liquidation.
        let reference = cfg.reference_date;
        let r = self.rng.below(1000);
        let (mut liq, mut liq_status): (Option<NaiveDate>, &'static str) = if informal {
            (Some(entry_date), "Liquidated")
        } else if r < 620 {
            (None, if self.rng.chance(150) { *self.rng.pick(&["Unliquidated", "Open"]) } else { "" })
        } else if r < 800 || (860..930).contains(&r) {
            let back = if r < 800 { self.rng.range(0, 120) } else { self.rng.range(121, 175) };
            (Some(add_days(reference, -back)), if self.rng.chance(100) { "Closed" } else { "Liquidated" })
        } else if r < 825 {
            (None, "Suspended")
        } else if r < 845 {
            (None, "Extended")
        } else if r < 860 {
            (None, "Under Review")
        } else {
            (Some(add_days(reference, -self.rng.range(181, 420))), "Final")
        };
        if let Some(d) = liq {
            // Never before the entry summary: push late entries' liquidation after it.
            let d = if informal { d } else { d.max(add_days(summary, self.rng.range(20, 60))) }.min(reference);
            liq = Some(d);
            if liq_status == "Final" && (reference - d).num_days() <= 180 {
                liq_status = "Liquidated";
            }
        }
        let final_liq = match liq {
            Some(d) if liq_status == "Final" || (reference - d).num_days() > 180 => "Y",
            _ => "N",
        };
        let liquidated = liq.is_some();
        let protest = liquidated && self.rng.chance(60);
        let protest_number = if protest {
            format!("{}-{}-{:06}", port, liq.map_or(26, |d| d.year() % 100), self.rng.range(100_000, 999_999))
        } else {
            String::new()
        };
        let protest_status = if protest {
            ["Open", "Suspended", "Closed", "Denied", "Allowed", ""][self.rng.weighted(&[40, 10, 20, 15, 10, 5])]
        } else {
            ""
        };
        let recon_ok = matches!(entry_type, "01" | "02" | "06");
        let recon = recon_ok && self.rng.chance(50);
        let recon_entry = if recon && self.rng.chance(500) {
            let code = &self.filers[filer].code;
            let serial = self.rng.range(9_000_000, 9_999_999) as u32;
            EntryNumber::from_parts(code, serial).map(|n| n.compact().to_owned()).unwrap_or_default()
        } else {
            String::new()
        };

        let preferred = self.importers[importer].payment_type;
        let payment_kind = if self.rng.chance(100) { [1u8, 2, 6, 7][self.rng.below(4) as usize] } else { preferred };
        let payment_date = if self.rng.chance(150) {
            String::new()
        } else {
            let d = self.payment_date(payment_kind, entry_date, summary);
            self.date(d, iso)
        };
        let summary_status = ["Accepted", "Cancelled", "Rejected"][self.rng.weighted(&[965, 20, 15])];
        let adcvd = if matches!(entry_type, "03" | "34") {
            ["Suspended", "Pending Liquidation", "Liquidated"][self.rng.weighted(&[60, 25, 15])]
        } else {
            ""
        };
        let total_liquidated = if liquidated {
            let mut s = String::new();
            self.money(&mut s, total_duty, dollar_money);
            s
        } else {
            String::new()
        };
        let review_team = if cfg.descriptive_columns {
            format!("{}{:02}", upper_letter(&mut self.rng), self.rng.range(1, 40))
        } else {
            String::new()
        };
        let drawback = if self.rng.chance(15) { "Y" } else { "N" };
        let surety = if self.rng.chance(5) { "Y" } else { "N" };
        let control_status = if cfg.descriptive_columns && self.rng.chance(30) { "Hold" } else { "" };
        Ok(EntryRec {
            number: if dashed { number.to_string() } else { number.compact().to_owned() },
            entry_type,
            importer,
            filer,
            port,
            entry_date: self.date(entry_date, iso),
            summary_date: self.date(summary, iso),
            create_date: self.date(create, iso),
            importation_date: self.date(importation, iso),
            liq_date: liq.map(|d| self.date(d, iso)).unwrap_or_default(),
            liq_status,
            final_liq,
            recon: if recon { "Y" } else { "N" },
            psc: if psc_entry { "Y" } else { "N" },
            protest_number,
            protest_status,
            control_status,
            review_team,
            total_liquidated,
            payment_date,
            payment_type: ["1", "2", "6", "7"][[1u8, 2, 6, 7].iter().position(|&k| k == payment_kind).unwrap_or(0)],
            summary_status,
            recon_entry,
            drawback,
            surety,
            adcvd,
            dollar_money,
            dotted_hts,
            lines,
        })
    }

    /// Writes one cell of an ordinal's row.
    fn cell(&self, f: &mut String, col: Column, e: &EntryRec<'_>, line: &LineRec<'_>, ordinal: usize, o: &Ordinal<'_>) {
        let imp = &self.importers[e.importer];
        let desc = self.cfg.descriptive_columns;
        match col {
            Column::EntryNumber => f.push_str(&e.number),
            Column::LineNumber => {
                let _ = write!(f, "{}", line.number);
            }
            Column::TariffOrdinal => {
                let _ = write!(f, "{ordinal}");
            }
            Column::Hts => {
                if e.dotted_hts {
                    f.push_str(o.hts);
                } else {
                    f.extend(o.hts.chars().filter(|&c| c != '.'));
                }
            }
            Column::GoodsValue => self.money(f, o.value_cents, e.dollar_money),
            Column::Duty => self.money(f, o.duty_cents, e.dollar_money),
            Column::EntryType => f.push_str(e.entry_type),
            Column::ImporterNumber => f.push_str(&imp.number),
            Column::ImporterName => f.push_str(&imp.name),
            Column::PortOfEntry => f.push_str(e.port),
            Column::EntryDate => f.push_str(&e.entry_date),
            Column::EntrySummaryDate => f.push_str(&e.summary_date),
            Column::InitialSummaryCreateDate => f.push_str(&e.create_date),
            Column::CountryOfOrigin => f.push_str(line.origin),
            Column::CountryOfExport => f.push_str(line.export),
            Column::LiquidationDate => f.push_str(&e.liq_date),
            Column::LiquidationStatus => f.push_str(e.liq_status),
            Column::FinalLiquidation => f.push_str(e.final_liq),
            Column::ReconciliationIndicator => f.push_str(e.recon),
            Column::PscIndicator => f.push_str(e.psc),
            Column::ProtestNumber => f.push_str(&e.protest_number),
            Column::ProtestStatus => f.push_str(e.protest_status),
            Column::ControlStatus => f.push_str(e.control_status),
            Column::ReviewTeam => f.push_str(&e.review_team),
            Column::ManufacturerId => f.push_str(&line.mid),
            Column::ForeignExporterId => f.push_str(&line.exporter),
            Column::Spi => f.push_str(line.spi),
            Column::Quantity => {
                if desc && o.primary {
                    let _ = write!(f, "{}", line.quantity);
                }
            }
            Column::Uom => {
                if desc && o.primary {
                    f.push_str(line.uom);
                }
            }
            Column::TotalLiquidatedDuty => f.push_str(&e.total_liquidated),
            Column::ImportationDate => f.push_str(&e.importation_date),
            Column::FilerName => {
                if desc {
                    f.push_str(&self.filers[e.filer].name);
                }
            }
            Column::MfnRate => f.push_str(line.mfn),
            Column::LinePscIndicator => f.push_str(line.psc),
            Column::PaymentDate => f.push_str(&e.payment_date),
            Column::PaymentType => f.push_str(e.payment_type),
            Column::RefundDesignee => f.push_str(&imp.designee),
            Column::SummaryStatus => f.push_str(e.summary_status),
            Column::ReconciliationEntry => f.push_str(&e.recon_entry),
            Column::DrawbackIndicator => f.push_str(e.drawback),
            Column::SuretyPaid => f.push_str(e.surety),
            Column::AdCvdStatus => f.push_str(e.adcvd),
            Column::AchRefundEnrolled => f.push_str(if imp.ach { "Y" } else { "N" }),
            Column::ImporterClass => f.push_str(if imp.corporate { "Corporate" } else { "Non-Corporate" }),
        }
    }
}

#[cfg(test)]
mod tests;
