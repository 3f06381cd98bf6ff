//! Tariff facts the generator needs: the embedded IEEPA Chapter 99 catalogue (parsed here, rates never
//! hard-coded), a small table of Chapter 1–97 products, and the non-IEEPA Section 232/301 numbers that share a
//! line with them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rng::Rng;

/// The embedded IEEPA Chapter 99 catalogue.
const CATALOGUE_CSV: &str = include_str!("../../data/chapter99_ieepa.csv");

/// How a Chapter 99 number acts on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An extra ad valorem duty.
    Duty,
    /// A 0% number that marks the line as not IEEPA-dutiable.
    Exemption,
    /// Tops column 1 + IEEPA up to a target rate.
    Floor,
}

/// One (number, rate period) row of the catalogue.
#[derive(Debug, Clone)]
pub(crate) struct Ch99Row {
    /// Dotted number, e.g. `9903.01.24`.
    pub(crate) hts: String,
    pub(crate) program: String,
    pub(crate) kind: Kind,
    /// Rate in basis points (hundredths of a percent).
    pub(crate) rate_bp: i64,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    /// Origins, or empty for any origin (`*`).
    countries: Vec<[u8; 2]>,
}

impl Ch99Row {
    pub(crate) fn in_force(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// True when the row names `origin` explicitly (not through `*`).
    pub(crate) fn names(&self, origin: &str) -> bool {
        self.countries.iter().any(|c| c == origin.as_bytes())
    }

    /// True when the row applies to `origin` (named or `*`).
    pub(crate) fn applies_to(&self, origin: &str) -> bool {
        self.countries.is_empty() || self.names(origin)
    }
}

/// Parses the embedded catalogue. Malformed rows are skipped (the embedded file has none; a test checks the
/// count).
pub(crate) fn catalogue() -> Vec<Ch99Row> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(CATALOGUE_CSV.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records().flatten() {
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let kind = match get(2) {
            "duty" => Kind::Duty,
            "exemption" => Kind::Exemption,
            "floor" => Kind::Floor,
            _ => continue,
        };
        let Some(rate_bp) = Decimal::from_str_exact(get(3))
            .ok()
            .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
            .filter(|d| d.fract().is_zero())
            .and_then(|d| i64::try_from(d).ok())
        else {
            continue;
        };
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let (Some(start), Some(end)) = (date(get(4)), date(get(5))) else {
            continue;
        };
        let countries = get(6)
            .split(' ')
            .filter(|c| c.len() == 2 && *c != "*")
            .map(|c| {
                let b = c.as_bytes();
                [b[0], b[1]]
            })
            .collect();
        rows.push(Ch99Row { hts: get(0).to_owned(), program: get(1).to_owned(), kind, rate_bp, start, end, countries });
    }
    rows
}

/// What kind of goods a product is, for the stacking rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goods {
    General,
    /// Section 232 steel (9903.80/.81), reciprocal exception 9903.01.33.
    Steel,
    /// Section 232 aluminum (9903.85), reciprocal exception 9903.01.33.
    Aluminum,
    /// Annex II product (reciprocal exception 9903.01.32).
    AnnexII,
    /// Canadian energy (9903.01.13 at 10%).
    Energy,
    /// Potash (9903.01.05 Mexico / 9903.01.15 Canada at 10%).
    Potash,
}

/// A Chapter 1–97 product: HTS number (dotted), column 1 rate text and basis points, goods kind, Section 301
/// list (index into [`S301`]) for goods of China, unit of quantity.
pub(crate) struct Product {
    pub(crate) hts: &'static str,
    pub(crate) mfn: &'static str,
    pub(crate) mfn_bp: i64,
    pub(crate) goods: Goods,
    pub(crate) s301: Option<usize>,
    pub(crate) uom: &'static str,
}

macro_rules! p {
    ($hts:literal, $mfn:literal, $bp:literal, $g:ident, $s:expr, $uom:literal) => {
        Product { hts: $hts, mfn: $mfn, mfn_bp: $bp, goods: Goods::$g, s301: $s, uom: $uom }
    };
}

/// Illustrative products (rates approximate the HTSUS column 1 general rates).
pub(crate) const PRODUCTS: &[Product] = &[
    p!("8471.30.0100", "Free", 0, General, None, "NO"),
    p!("8517.13.0000", "Free", 0, General, None, "NO"),
    p!("9403.60.8081", "Free", 0, General, Some(1), "NO"),
    p!("6110.20.2079", "16.5%", 1650, General, Some(2), "DOZ"),
    p!("6204.62.4011", "16.6%", 1660, General, Some(2), "DOZ"),
    p!("6403.99.9065", "10%", 1000, General, Some(2), "PRS"),
    p!("8708.99.8180", "2.5%", 250, General, Some(1), "KG"),
    p!("8544.42.9090", "2.6%", 260, General, Some(1), "KG"),
    p!("3926.90.9989", "5.3%", 530, General, Some(1), "KG"),
    p!("9503.00.0073", "Free", 0, General, None, "NO"),
    p!("8481.80.9050", "2%", 200, General, Some(0), "NO"),
    p!("8418.10.0080", "Free", 0, General, Some(1), "NO"),
    p!("3304.99.5000", "Free", 0, General, Some(1), "KG"),
    p!("8541.43.0010", "Free", 0, General, Some(1), "NO"),
    p!("9018.90.8000", "Free", 0, General, None, "NO"),
    p!("8703.23.0190", "2.5%", 250, General, Some(0), "NO"),
    p!("4202.92.3120", "17.6%", 1760, General, Some(1), "NO"),
    p!("6911.10.8010", "26%", 2600, General, Some(2), "DOZ"),
    p!("8516.60.4070", "2.7%", 270, General, Some(1), "NO"),
    p!("9401.71.0031", "Free", 0, General, Some(1), "NO"),
    p!("7308.90.9590", "Free", 0, Steel, Some(1), "KG"),
    p!("7318.15.2095", "Free", 0, Steel, Some(0), "KG"),
    p!("7208.51.0060", "Free", 0, Steel, None, "KG"),
    p!("7606.12.3091", "3%", 300, Aluminum, Some(1), "KG"),
    p!("7616.99.5190", "2.5%", 250, Aluminum, Some(1), "KG"),
    p!("3004.90.9290", "Free", 0, AnnexII, None, "KG"),
    p!("2711.21.0000", "Free", 0, Energy, None, "KG"),
    p!("3104.20.0000", "Free", 0, Potash, None, "KG"),
];

/// Section 301 China numbers (not IEEPA; they stay after CAPE): number, basis points.
pub(crate) const S301: &[(&str, i64)] = &[("9903.88.01", 2500), ("9903.88.03", 2500), ("9903.88.15", 750)];

/// A calendar day as (year, month, day).
type Ymd = (i32, u32, u32);

/// A dated non-IEEPA rate: (number, basis points, first day, last day).
type DatedRate = (&'static str, i64, Ymd, Ymd);

/// Section 232 numbers (not IEEPA), approximate.
const S232_STEEL: &[DatedRate] = &[
    ("9903.80.01", 2500, (2018, 3, 23), (2025, 3, 11)),
    ("9903.81.87", 2500, (2025, 3, 12), (2025, 6, 3)),
    ("9903.81.87", 5000, (2025, 6, 4), (2099, 12, 31)),
];
const S232_ALUMINUM: &[DatedRate] = &[
    ("9903.85.01", 1000, (2018, 3, 23), (2025, 3, 11)),
    ("9903.85.02", 2500, (2025, 3, 12), (2025, 6, 3)),
    ("9903.85.02", 5000, (2025, 6, 4), (2099, 12, 31)),
];

fn ymd((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// One tariff ordinal of a line, before formatting.
#[derive(Debug, Clone)]
pub(crate) struct Ordinal<'a> {
    /// Dotted HTS number.
    pub(crate) hts: &'a str,
    pub(crate) value_cents: i64,
    pub(crate) duty_cents: i64,
    /// The Chapter 1–97 ordinal (carries value, quantity and the column 1 rate).
    pub(crate) primary: bool,
}

/// What a line's stack depends on.
pub(crate) struct LineFacts<'a, 'b> {
    /// The whole catalogue.
    pub(crate) cat: &'a [Ch99Row],
    /// Indexes of the catalogue rows in force on the entry date.
    pub(crate) in_force: &'b [usize],
    pub(crate) origin: &'b str,
    pub(crate) product: &'static Product,
    pub(crate) date: NaiveDate,
    pub(crate) value_cents: i64,
}

const USMCA_MX: &str = "9903.01.04";
const USMCA_CA: &str = "9903.01.14";
const CA_ENERGY: &str = "9903.01.13";
const CA_POTASH: &str = "9903.01.15";
const MX_POTASH: &str = "9903.01.05";
const BASELINE: &str = "9903.01.25";
const EXC_ANNEX_II: &str = "9903.01.32";
const EXC_232: &str = "9903.01.33";
const BR_232: &str = "9903.01.83";
const IN_232: &str = "9903.01.87";
const DAY_232_CA_MX: Ymd = (2025, 3, 12);

/// Ad valorem duty in cents: rate × value rounded to whole dollars (half up, 19 CFR 159.3), cents half up.
pub(crate) fn ad_valorem(value_cents: i64, rate_bp: i64) -> i64 {
    let dollars = (value_cents + 50) / 100;
    (dollars * rate_bp + 50) / 100
}

/// Builds the line's stack from the catalogue rows in force on the entry date (`in_force` indexes into
/// `cat`). Order: 301 → fentanyl → other country programs → reciprocal → 232 → Chapter 1–97. Returns the SPI
/// code the stack implies (`S` for a USMCA claim).
pub(crate) fn build_stack<'a>(rng: &mut Rng, f: &LineFacts<'a, '_>, out: &mut Vec<Ordinal<'a>>) -> &'static str {
    let LineFacts { cat, in_force, origin, product, date, value_cents } = *f;
    out.clear();
    let find = |hts: &str| in_force.iter().copied().find(|&i| cat[i].hts == hts && cat[i].applies_to(origin));
    let first_duty = |program: &str| {
        in_force
            .iter()
            .copied()
            .find(|&i| cat[i].program == program && cat[i].kind == Kind::Duty && cat[i].applies_to(origin))
    };
    let is232 = matches!(product.goods, Goods::Steel | Goods::Aluminum);
    let mut spi = "";
    let mut korea_style = false;
    let push_ch99 = |out: &mut Vec<Ordinal<'a>>, i: usize, duty: i64| {
        out.push(Ordinal { hts: cat[i].hts.as_str(), value_cents: 0, duty_cents: duty, primary: false });
    };

    // Section 301 (goods of China).
    if origin == "CN" {
        if let Some((hts, bp)) = product.s301.and_then(|k| S301.get(k)) {
            out.push(Ordinal { hts, value_cents: 0, duty_cents: ad_valorem(value_cents, *bp), primary: false });
        }
    }

    // IEEPA fentanyl / border duties.
    match origin {
        "CN" | "HK" => {
            if let Some(i) = first_duty("fentanyl_china") {
                push_ch99(out, i, ad_valorem(value_cents, cat[i].rate_bp));
            }
        }
        "MX" | "CA" if !(is232 && date >= ymd(DAY_232_CA_MX)) => {
            let (program, usmca, potash) = if origin == "MX" {
                ("fentanyl_mexico", USMCA_MX, MX_POTASH)
            } else {
                ("fentanyl_canada", USMCA_CA, CA_POTASH)
            };
            let special = match product.goods {
                Goods::Energy if origin == "CA" => find(CA_ENERGY),
                Goods::Potash => find(potash),
                _ => None,
            };
            let exempt = if rng.chance(450) { find(usmca) } else { None };
            if let Some(i) = exempt {
                spi = "S";
                push_ch99(out, i, 0);
            } else if let Some(i) = special.or_else(|| first_duty(program)) {
                push_ch99(out, i, ad_valorem(value_cents, cat[i].rate_bp));
            }
        }
        _ => {}
    }

    // Other country programs (Brazil, India): their duty, or their 232 exemption.
    for (program, exc232) in [("brazil", BR_232), ("india_russian_oil", IN_232)] {
        if let Some(i) = first_duty(program) {
            if is232 {
                if let Some(e) = find(exc232) {
                    push_ch99(out, e, 0);
                }
            } else {
                push_ch99(out, i, ad_valorem(value_cents, cat[i].rate_bp));
            }
        }
    }

    // Reciprocal.
    if origin != "CA" && origin != "MX" {
        let exception = match product.goods {
            Goods::Steel | Goods::Aluminum => Some(EXC_232),
            Goods::AnnexII => Some(EXC_ANNEX_II),
            _ => None,
        };
        if let Some(hts) = exception {
            if let Some(i) = find(hts) {
                push_ch99(out, i, 0);
            }
        } else {
            let candidates: Vec<usize> = in_force
                .iter()
                .copied()
                .filter(|&i| {
                    let r = &cat[i];
                    r.program.starts_with("reciprocal_") && r.kind != Kind::Exemption && r.names(origin)
                })
                .collect();
            if !candidates.is_empty() {
                let i = *rng.pick(&candidates);
                let r = &cat[i];
                if r.kind == Kind::Floor {
                    if product.mfn_bp >= r.rate_bp {
                        // Column 1 already at or above the floor: the paired exemption number.
                        let pair = in_force
                            .iter()
                            .copied()
                            .filter(|&j| {
                                let e = &cat[j];
                                e.kind == Kind::Exemption && e.program == r.program && e.names(origin) && e.hts < r.hts
                            })
                            .max_by(|&a, &b| cat[a].hts.cmp(&cat[b].hts));
                        if let Some(j) = pair {
                            push_ch99(out, j, 0);
                        }
                    } else if origin == "KR" {
                        // Korea style: the full floor on the Ch.99 line, no duty on the Ch.1–97 line.
                        korea_style = true;
                        push_ch99(out, i, ad_valorem(value_cents, r.rate_bp));
                    } else {
                        push_ch99(out, i, ad_valorem(value_cents, r.rate_bp - product.mfn_bp));
                    }
                } else {
                    push_ch99(out, i, ad_valorem(value_cents, r.rate_bp));
                }
            } else if let Some(i) = find(BASELINE) {
                push_ch99(out, i, ad_valorem(value_cents, cat[i].rate_bp));
            }
        }
    }

    // Section 232.
    let table = match product.goods {
        Goods::Steel => S232_STEEL,
        Goods::Aluminum => S232_ALUMINUM,
        _ => &[],
    };
    if let Some((hts, bp, _, _)) = table.iter().find(|(_, _, a, b)| ymd(*a) <= date && date <= ymd(*b)) {
        out.push(Ordinal { hts, value_cents: 0, duty_cents: ad_valorem(value_cents, *bp), primary: false });
    }

    // Chapter 1–97.
    let mfn_duty = if korea_style { 0 } else { ad_valorem(value_cents, product.mfn_bp) };
    out.push(Ordinal { hts: product.hts, value_cents, duty_cents: mfn_duty, primary: true });
    spi
}
