//! Removal of IEEPA duty and recalculation: what CAPE's Mass Processing does to an entry.
//!
//! CAPE removes the dutiable IEEPA ordinals (catalogue kinds `duty` and `floor`), recalculates, and creates a
//! new entry-summary version. The refund principal is the duty deposited on those ordinals, in cents as
//! filed (CBP refunds what was deposited, not a re-derived rate), except on Korea-style floor lines, where
//! the MFN duty that recalculation puts back on the chapter 1–97 row is netted off (reference §10).
//!
//! MPF and HMF are not ES-003 tariff rows: they are charged on value, do not change, and are not touched.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mass::catalogue::{Catalogue, CatalogueRow, Lookup, RowKind};
use crate::mass::classify::Classification;
use crate::mass::finding::{Finding, FindingCode};
use crate::model::{Entry, EntryHeader, Line, Tariff};
use crate::{EntryNumber, HtsNumber, Rounding, Usd};

/// How goods values are rounded to whole dollars before an ad valorem rate applies (19 CFR 159.3: half up).
pub const VALUE_ROUNDING: Rounding = Rounding::HalfUp;

/// How an ad valorem duty is rounded to cents (half up).
pub const DUTY_ROUNDING: Rounding = Rounding::HalfUp;

/// A declared IEEPA duty may differ from the catalogue rate × value by this many cents before it is reported.
pub const MISMATCH_TOLERANCE_CENTS: i64 = 1;

/// An ad valorem duty as CBP computes it: the value rounded to whole dollars ([`VALUE_ROUNDING`]) times
/// `rate_percent` / 100, rounded to cents ([`DUTY_ROUNDING`]).
///
/// # Errors
///
/// [`Error::Overflow`] when the product is outside `Decimal`'s range.
///
/// # Example
///
/// ```
/// use cape_core::mass::ad_valorem_duty;
/// use cape_core::Usd;
/// use rust_decimal::Decimal;
/// // 20,000.50 → 20,001 whole dollars; × 2.5% = 500.025 → 500.03.
/// let d = ad_valorem_duty("20000.50".parse()?, Decimal::new(25, 1))?;
/// assert_eq!(d, Usd::from_cents(50003));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn ad_valorem_duty(value: Usd, rate_percent: Decimal) -> Result<Usd> {
    apply_factor(value, rate_factor(rate_percent)?)
}

/// `rate_percent / 100`, the factor of [`ad_valorem_duty`].
fn rate_factor(rate_percent: Decimal) -> Result<Decimal> {
    rate_percent.checked_div(Decimal::ONE_HUNDRED).ok_or(Error::Overflow("rate"))
}

/// The rest of [`ad_valorem_duty`], given the factor.
fn apply_factor(value: Usd, factor: Decimal) -> Result<Usd> {
    Ok(value.round_dollars(VALUE_ROUNDING).checked_mul(factor)?.round_cents(DUTY_ROUNDING))
}

/// Remembered [`rate_factor`]s, by the exact bits of the rate (so a remembered factor is the very `Decimal` the
/// division gives). A report uses a handful of rates; the map stops growing at [`MAX_FACTORS`].
type Factors = HashMap<[u8; 16], Decimal>;

/// The most factors a [`Factors`] map remembers.
const MAX_FACTORS: usize = 1024;

/// [`ad_valorem_duty`], with the factor taken from (or added to) `factors`.
fn ad_valorem_duty_cached(factors: &mut Factors, value: Usd, rate_percent: Decimal) -> Result<Usd> {
    let bits = rate_percent.serialize();
    let factor = match factors.get(&bits) {
        Some(f) => *f,
        None => {
            let f = rate_factor(rate_percent)?;
            if factors.len() < MAX_FACTORS {
                factors.insert(bits, f);
            }
            f
        }
    };
    apply_factor(value, factor)
}

/// What [`remove_ieepa`] reuses from one entry to the next when one caller removes many (the
/// [`crate::assess::Assessor`]): the buffer of ordinal classes and the factors of the rates seen.
#[derive(Debug, Default)]
pub(crate) struct RemovalScratch<'c> {
    classes: Vec<Classified<'c>>,
    factors: Factors,
}

/// How a line's floor number was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorStyle {
    /// The chapter 1–97 row carries the MFN duty and the floor row tops it up (EU style): the floor duty is
    /// the principal.
    TopUp,
    /// The chapter 1–97 row carries no duty and the floor row the full target rate (Korea style): removing
    /// the floor row brings the MFN duty back, which is netted off the principal.
    FullRate,
}

/// What the floor rule did on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloorTreatment {
    /// How the floor was filed.
    pub style: FloorStyle,
    /// The duty filed on the line's floor ordinals.
    pub floor_duty: Usd,
    /// The line's Column 1 (MFN) rate in percent, when known.
    pub mfn_rate_percent: Option<Decimal>,
    /// The MFN duty recalculation puts back on the chapter 1–97 row (Korea style with a known rate).
    pub mfn_duty_restored: Usd,
    /// The line's floor principal: `floor_duty − mfn_duty_restored`.
    pub principal: Usd,
    /// True when the MFN duty could not be computed (rate or value unknown): the principal is an upper
    /// bound.
    pub upper_bound: bool,
}

/// What happened to one tariff ordinal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdinalOutcome {
    /// The tariff ordinal.
    pub ordinal: u32,
    /// Its HTS number.
    pub hts: HtsNumber,
    /// Its class.
    pub classification: Classification,
    /// The IEEPA row's program, for catalogue numbers.
    pub program: Option<String>,
    /// The IEEPA row's rate (for `floor`: the target total rate), for catalogue numbers.
    pub rate_percent: Option<Decimal>,
    /// For catalogue numbers: whether one of the number's periods covers the entry date (`None` without a
    /// date or for other numbers).
    pub in_force: Option<bool>,
    /// The duty filed on the ordinal.
    pub duty: Usd,
    /// True when CAPE removes the ordinal (dutiable IEEPA and floor numbers).
    pub removed: bool,
    /// The ordinal's share of the refund principal.
    pub principal: Usd,
    /// The ordinal's duty in the new entry version (zero when removed).
    pub duty_after: Usd,
}

/// The removal on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRemoval {
    /// The entry-summary line number.
    pub line: u32,
    /// Sum of the filed duty of every ordinal.
    pub duty_before: Usd,
    /// The refund principal of the line.
    pub ieepa_duty: Usd,
    /// The duty of the line in the new version: `duty_before − ieepa_duty`.
    pub duty_after: Usd,
    /// True when the line's principal is an upper bound (floor line with unknown MFN duty).
    pub principal_is_upper_bound: bool,
    /// The floor rule, when the line carries a floor number.
    pub floor: Option<FloorTreatment>,
    /// Every ordinal, in ordinal order.
    pub ordinals: Vec<OrdinalOutcome>,
}

/// The result of [`remove_ieepa`] on one entry.
///
/// Invariants: `duty_after + ieepa_duty == duty_before` for the entry and each line; `duty_after` equals
/// the total duty of [`Removal::new_version`]; removing again from the new version removes nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removal {
    /// The entry.
    pub entry_number: EntryNumber,
    /// The entry date the catalogue was read at.
    pub entry_date: Option<NaiveDate>,
    /// Sum of the filed duty of every ordinal.
    pub duty_before: Usd,
    /// The refund principal: the duty deposited on the dutiable IEEPA ordinals, less MFN duty restored on
    /// Korea-style floor lines.
    pub ieepa_duty: Usd,
    /// The duty of the new version.
    pub duty_after: Usd,
    /// True when some line's principal is an upper bound (see [`FindingCode::FloorMfnRateUnknown`]).
    pub principal_is_upper_bound: bool,
    /// True when the entry has at least one dutiable (duty or floor) IEEPA ordinal: a CAPE candidate.
    pub has_dutiable_ieepa: bool,
    /// Per line, in line order.
    pub lines: Vec<LineRemoval>,
    /// What was noticed; never changes the amounts.
    pub findings: Vec<Finding>,
    /// The new entry-summary version: dutiable IEEPA and floor ordinals removed, MFN duty restored on
    /// Korea-style floor lines. Not serialised.
    #[serde(skip)]
    pub new_version: Entry,
}

impl Removal {
    /// The serialised form of this removal, new entry version included ([`crate::values::serial`]).
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if serialising fails (it does not for a removal cape computed).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        crate::values::serial::to_bytes(crate::values::serial::FORMAT_VERSION, "Removal", &wire::Ref::from(self))
    }

    /// Reads a removal written by [`Removal::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for another format version, or bytes that are not exactly a serialised removal.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        crate::values::serial::from_bytes::<wire::Owned>(crate::values::serial::FORMAT_VERSION, "Removal", bytes)
            .map(Removal::from)
    }
}

/// The serialised form of a [`Removal`]: what its `Serialize` writes (cape's JSON output, without the new
/// version) plus `new_version`. Use it as `#[serde(with = "crate::mass::removal::wire")]`.
pub(crate) mod wire {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Finding, LineRemoval, Removal};
    use crate::model::Entry;
    use crate::{EntryNumber, Usd};

    /// A removal's fields and its new version, written.
    #[derive(Serialize)]
    pub(crate) struct Ref<'a> {
        #[serde(flatten)]
        removal: &'a Removal,
        new_version: &'a Entry,
    }

    impl<'a> From<&'a Removal> for Ref<'a> {
        fn from(removal: &'a Removal) -> Self {
            Ref { removal, new_version: &removal.new_version }
        }
    }

    /// A removal's fields and its new version, read.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(crate) struct Owned {
        entry_number: EntryNumber,
        entry_date: Option<chrono::NaiveDate>,
        duty_before: Usd,
        ieepa_duty: Usd,
        duty_after: Usd,
        principal_is_upper_bound: bool,
        has_dutiable_ieepa: bool,
        lines: Vec<LineRemoval>,
        findings: Vec<Finding>,
        new_version: Entry,
    }

    impl From<Owned> for Removal {
        fn from(o: Owned) -> Self {
            Removal {
                entry_number: o.entry_number,
                entry_date: o.entry_date,
                duty_before: o.duty_before,
                ieepa_duty: o.ieepa_duty,
                duty_after: o.duty_after,
                principal_is_upper_bound: o.principal_is_upper_bound,
                has_dutiable_ieepa: o.has_dutiable_ieepa,
                lines: o.lines,
                findings: o.findings,
                new_version: o.new_version,
            }
        }
    }

    pub(crate) fn serialize<S: Serializer>(r: &Removal, s: S) -> Result<S::Ok, S::Error> {
        Ref::from(r).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Removal, D::Error> {
        Owned::deserialize(d).map(Removal::from)
    }
}

/// Removes the IEEPA duty from an entry, as CAPE's Mass Processing does, and reports what it noticed.
///
/// # Errors
///
/// [`Error::Overflow`] when a sum of amounts leaves `Decimal`'s range (amounts far beyond any real duty).
///
/// # Example
///
/// ```
/// use cape_core::mass::{remove_ieepa, Catalogue};
/// use cape_core::model::{Entry, EntryHeader, Fact, Line, Tariff};
/// use cape_core::{EntryNumber, Usd};
///
/// let tariff = |ordinal, hts: &str, value: i64, duty: i64| Tariff {
///     ordinal,
///     hts: hts.parse().unwrap(),
///     goods_value: Some(Usd::from_cents(value)),
///     duty: Usd::from_cents(duty),
///     quantity: None,
///     uom: None,
///     source_row: 0,
/// };
/// let entry = Entry {
///     number: EntryNumber::from_parts("ABC", 1)?,
///     header: EntryHeader { entry_date: "2025-05-01".parse().ok(), ..Default::default() },
///     lines: vec![Line {
///         number: 1,
///         country_of_origin: Fact::Known("MX".parse()?),
///         country_of_export: Fact::NotSupplied,
///         spi: Fact::NotSupplied,
///         manufacturer_id: Fact::NotSupplied,
///         foreign_exporter_id: Fact::NotSupplied,
///         mfn_rate_percent: Fact::NotSupplied,
///         psc_flag: Fact::NotSupplied,
///         // Mexico fentanyl 25% of 10,000.00 = 2,500.00; MFN 2.5% = 250.00.
///         tariffs: vec![tariff(1, "9903.01.01", 0, 250_000), tariff(2, "8708.29.5060", 1_000_000, 25_000)],
///     }],
///     conflicting: false,
///     split: false,
///     first_row: 2,
/// };
/// let r = remove_ieepa(&entry, &Catalogue::embedded()?)?;
/// assert_eq!(r.ieepa_duty, Usd::from_cents(250_000));
/// assert_eq!(r.duty_after, Usd::from_cents(25_000));
/// assert!(r.findings.is_empty());
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn remove_ieepa(entry: &Entry, catalogue: &Catalogue) -> Result<Removal> {
    Ok(remove_ieepa_with(entry, catalogue, &mut RemovalScratch::default())?.finish(Cow::Borrowed(entry)))
}

/// A removal computed, before its new version is built from the entry ([`Computed::finish`]): the assessor
/// reads the entry between the two, then gives it up to the new version instead of copying it.
pub(crate) struct Computed {
    removal: Removal,
}

impl Computed {
    /// The amounts and findings (the new version is still empty).
    pub(crate) fn get(&self) -> &Removal {
        &self.removal
    }

    /// The removal, with its new version: `entry` (the one computed on) with each ordinal's duty replaced by
    /// its duty after removal and the removed ordinals dropped, taken over when owned, copied when borrowed.
    pub(crate) fn finish(mut self, entry: Cow<'_, Entry>) -> Removal {
        let mut e = entry.into_owned();
        for (line, removal) in e.lines.iter_mut().zip(&self.removal.lines) {
            let mut outcomes = removal.ordinals.iter();
            line.tariffs.retain_mut(|t| match outcomes.next() {
                Some(o) => {
                    t.duty = o.duty_after;
                    !o.removed
                }
                None => true,
            });
        }
        self.removal.new_version = e;
        self.removal
    }
}

/// [`remove_ieepa`]'s amounts and findings, reusing `scratch` (which must only be used with this `catalogue`).
pub(crate) fn remove_ieepa_with<'c>(
    entry: &Entry,
    catalogue: &'c Catalogue,
    scratch: &mut RemovalScratch<'c>,
) -> Result<Computed> {
    let date = entry.header.entry_date;
    let mut findings = Vec::new();
    if date.is_none() {
        findings.push(Finding::entry(
            FindingCode::EntryDateMissing,
            format!(
                "Entry {} has no entry date: IEEPA numbers were classified by number only, and no date, rate or \
                 end-of-IEEPA check was made.",
                entry.number
            ),
        ));
    }
    let ctx = Ctx { catalogue, date, end: catalogue.ieepa_end() };
    let mut lines = Vec::with_capacity(entry.lines.len());
    let (mut before, mut ieepa) = (Usd::ZERO, Usd::ZERO);
    for line in &entry.lines {
        let removal = remove_line(&ctx, line, &mut findings, scratch)?;
        before = before.checked_add(removal.duty_before)?;
        ieepa = ieepa.checked_add(removal.ieepa_duty)?;
        lines.push(removal);
    }
    let has_dutiable_ieepa = lines.iter().any(|l| l.ordinals.iter().any(|o| o.removed));
    if !has_dutiable_ieepa {
        findings.push(Finding::entry(
            FindingCode::NoDutiableIeepa,
            format!(
                "Entry {} carries no dutiable IEEPA Chapter 99 number (duty or floor kind); exemption numbers alone \
                 do not count, so it is not a CAPE candidate and nothing is refunded.",
                entry.number
            ),
        ));
    }
    let duty_after = before.checked_sub(ieepa)?;
    let removal = Removal {
        entry_number: entry.number,
        entry_date: date,
        duty_before: before,
        ieepa_duty: ieepa,
        duty_after,
        principal_is_upper_bound: lines.iter().any(|l| l.principal_is_upper_bound),
        has_dutiable_ieepa,
        lines,
        findings,
        // Filled by `Computed::finish` (an empty header and no lines allocate nothing).
        new_version: Entry {
            number: entry.number,
            header: EntryHeader::default(),
            lines: Vec::new(),
            conflicting: entry.conflicting,
            split: entry.split,
            first_row: entry.first_row,
        },
    };
    Ok(Computed { removal })
}

struct Ctx<'a> {
    catalogue: &'a Catalogue,
    date: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

/// The chapter 1–97 facts of a line that the floor rule and the rate check need.
struct LineFacts {
    /// Sum of the chapter 1–97 rows' goods values; `None` without such rows or when one has no value.
    value: Option<Usd>,
    /// True when the chapter 1–97 rows carry no duty (or there are none): Korea style.
    ch_duty_zero: bool,
    mfn_rate: Option<Decimal>,
}

/// An ordinal's class, the IEEPA row that decided it, and the catalogue lookup on the entry date.
type Classified<'c> = (Classification, Option<&'c CatalogueRow>, Lookup<'c>);

fn remove_line<'c>(
    ctx: &Ctx<'c>,
    line: &Line,
    findings: &mut Vec<Finding>,
    scratch: &mut RemovalScratch<'c>,
) -> Result<LineRemoval> {
    let RemovalScratch { classes, factors } = scratch;
    // One catalogue search per ordinal: the class, the row and the lookup the checks need.
    classes.clear();
    classes.extend(line.tariffs.iter().map(|t| ctx.catalogue.classify_lookup(&t.hts, ctx.date)));

    let mut duty_before = Usd::ZERO;
    let mut ch_duty = Usd::ZERO;
    let mut ch_value = Some(Usd::ZERO);
    let mut first_ch = None;
    let mut floor_duty = Usd::ZERO;
    let mut first_floor = None;
    for (i, (t, (class, _, _))) in line.tariffs.iter().zip(classes.iter()).enumerate() {
        duty_before = duty_before.checked_add(t.duty)?;
        match class {
            Classification::Chapter1To97 => {
                first_ch.get_or_insert(i);
                ch_duty = ch_duty.checked_add(t.duty)?;
                ch_value = match (ch_value, t.goods_value) {
                    (Some(a), Some(v)) => Some(a.checked_add(v)?),
                    _ => None,
                };
            }
            Classification::IeepaFloor => {
                first_floor.get_or_insert(i);
                floor_duty = floor_duty.checked_add(t.duty)?;
            }
            _ => {}
        }
    }
    let facts = LineFacts {
        value: first_ch.and(ch_value),
        ch_duty_zero: ch_duty.is_zero(),
        mfn_rate: line.mfn_rate_percent.known().copied(),
    };

    // The floor rule (reference §10).
    let mut restored = Usd::ZERO;
    let mut upper_bound = false;
    let floor = match first_floor {
        None => None,
        Some(fi) => {
            let t = &line.tariffs[fi];
            let style = if facts.ch_duty_zero { FloorStyle::FullRate } else { FloorStyle::TopUp };
            if style == FloorStyle::FullRate {
                match (facts.mfn_rate, facts.value) {
                    (Some(rate), Some(value)) => {
                        let mfn = ad_valorem_duty_cached(factors, value, rate)?;
                        let cap = floor_duty.max(Usd::ZERO);
                        if mfn > cap {
                            findings.push(Finding::ordinal(
                                FindingCode::FloorMfnExceedsFloorDuty,
                                line.number,
                                t.ordinal,
                                t.hts,
                                format!(
                                    "Line {}: the MFN duty that recalculation puts back ({}% of {} = {}) exceeds the \
                                     duty filed on floor number {} ({}); the line's refund is taken as zero rather \
                                     than negative. A Column 1 rate of 15% or more normally calls for the \
                                     country's exemption number instead of the floor number.",
                                    line.number,
                                    rate.normalize(),
                                    whole_dollars(value),
                                    mfn.to_string_2dp(),
                                    t.hts,
                                    floor_duty.to_string_2dp()
                                ),
                            ));
                            restored = cap;
                        } else {
                            restored = mfn;
                        }
                    }
                    (None, _) => {
                        upper_bound = true;
                        findings.push(Finding::ordinal(
                            FindingCode::FloorMfnRateUnknown,
                            line.number,
                            t.ordinal,
                            t.hts,
                            format!(
                                "Line {}: floor number {} carries {} with no duty on the chapter 1-97 row, and the \
                                 line's Column 1 rate is {}; removing the floor brings back an MFN duty cape cannot \
                                 compute, so the refund of {} on this line is an upper bound. Supply the `Column 1 \
                                 Current Primary Duty Rate` column to net it off.",
                                line.number,
                                t.hts,
                                floor_duty.to_string_2dp(),
                                fact_state(line.mfn_rate_percent.state_name()),
                                floor_duty.to_string_2dp()
                            ),
                        ));
                    }
                    (Some(_), None) => {
                        upper_bound = true;
                        findings.push(Finding::ordinal(
                            FindingCode::FloorValueUnknown,
                            line.number,
                            t.ordinal,
                            t.hts,
                            format!(
                                "Line {}: floor number {} carries {} with no duty on the chapter 1-97 row, but the \
                                 line has no chapter 1-97 goods value, so the MFN duty that recalculation puts back \
                                 cannot be computed; the refund of {} on this line is an upper bound.",
                                line.number,
                                t.hts,
                                floor_duty.to_string_2dp(),
                                floor_duty.to_string_2dp()
                            ),
                        ));
                    }
                }
            }
            Some(FloorTreatment {
                style,
                floor_duty,
                mfn_rate_percent: facts.mfn_rate,
                mfn_duty_restored: restored,
                principal: floor_duty.checked_sub(restored)?,
                upper_bound,
            })
        }
    };

    let mut ordinals = Vec::with_capacity(line.tariffs.len());
    let mut ieepa = Usd::ZERO;
    let mut after = Usd::ZERO;
    for (i, (t, classified)) in line.tariffs.iter().zip(classes.drain(..)).enumerate() {
        let removed = classified.0.is_removed();
        let mut principal = if removed { t.duty } else { Usd::ZERO };
        let mut duty_after = if removed { Usd::ZERO } else { t.duty };
        if Some(i) == first_floor {
            principal = principal.checked_sub(restored)?;
        }
        if Some(i) == first_ch {
            duty_after = duty_after.checked_add(restored)?;
        }
        ieepa = ieepa.checked_add(principal)?;
        after = after.checked_add(duty_after)?;
        check_ordinal(ctx, line, t, &classified, &facts, findings, factors)?;
        let (class, row, lookup) = classified;
        ordinals.push(OrdinalOutcome {
            ordinal: t.ordinal,
            hts: t.hts,
            program: match &class {
                Classification::OtherChapter99 { program } => Some(program.clone()),
                _ => row.map(|r| r.program.clone()),
            },
            rate_percent: row.map(|r| r.rate_percent),
            // With a date, the lookup is `InForce` exactly when one of the number's periods covers it.
            in_force: match (row, ctx.date) {
                (Some(_), Some(_)) => Some(matches!(lookup, Lookup::InForce(_))),
                _ => None,
            },
            classification: class,
            duty: t.duty,
            removed,
            principal,
            duty_after,
        });
    }
    let duty_after = duty_before.checked_sub(ieepa)?;
    debug_assert_eq!(duty_after, after, "line {}: the new version's duty must be duty_before - ieepa", line.number);
    let removal = LineRemoval {
        line: line.number,
        duty_before,
        ieepa_duty: ieepa,
        duty_after,
        principal_is_upper_bound: upper_bound,
        floor,
        ordinals,
    };
    Ok(removal)
}

/// The findings about one ordinal (never changing any amount).
fn check_ordinal(
    ctx: &Ctx<'_>,
    line: &Line,
    t: &Tariff,
    (class, row, lookup): &Classified<'_>,
    facts: &LineFacts,
    findings: &mut Vec<Finding>,
    factors: &mut Factors,
) -> Result<()> {
    let row = *row;
    let n = line.number;
    let on = |code, message: String| Finding::ordinal(code, n, t.ordinal, t.hts, message);
    if *class == Classification::UnknownChapter99 {
        findings.push(on(
            FindingCode::UnknownChapter99,
            format!(
                "Line {n}: Chapter 99 number {} is neither in the IEEPA catalogue nor in the table of other Chapter 99 \
                 programs; it is kept and not refunded. If CBP published it as an IEEPA number, add it to the \
                 catalogue with an extension file.",
                t.hts
            ),
        ));
        return Ok(());
    }
    if !class.is_ieepa() {
        return Ok(());
    }
    if let Some(v) = t.goods_value.filter(|v| !v.is_zero()) {
        findings.push(on(
            FindingCode::GoodsValueOnIeepaLine,
            format!(
                "Line {n}: IEEPA number {} carries a goods value of {}; CAPE rejects goods values on IEEPA Chapter 99 \
                 rows (correct it with a post-summary correction, reason H99). The refund is not affected.",
                t.hts,
                v.to_string_2dp()
            ),
        ));
    }
    if *class == Classification::IeepaExemption && !t.duty.is_zero() {
        findings.push(on(
            FindingCode::DutyOnIeepaExemption,
            format!(
                "Line {n}: exemption number {} carries duty {}; exemption rows are not removed, so this duty is not \
                 part of the refund.",
                t.hts,
                t.duty.to_string_2dp()
            ),
        ));
    }
    if let (Some(row), Some(origin)) = (row, line.country_of_origin.known()) {
        if !row.countries.contains(*origin) {
            findings.push(on(
                FindingCode::IeepaCountryMismatch,
                format!(
                    "Line {n}: IEEPA number {} ({}, {} to {}) applies to goods of {}, but the line's country of origin \
                     is {}.",
                    t.hts, row.program, row.start, row.end, row.countries, origin
                ),
            ));
        }
    }
    let Some(date) = ctx.date else { return Ok(()) };
    if class.is_removed() && !t.duty.is_zero() {
        if let Some(end) = ctx.end.filter(|end| date >= *end) {
            findings.push(on(
                FindingCode::IeepaDutyAfterEnd,
                format!(
                    "Line {n}: IEEPA number {} carries duty {} on an entry dated {date}; no IEEPA duty is due on \
                     entries from {end}. The duty as filed is still counted in the refund.",
                    t.hts,
                    t.duty.to_string_2dp()
                ),
            ));
        }
    }
    // `lookup` is `ctx.catalogue.lookup(&t.hts, date)`, made once when the ordinal was classified.
    match *lookup {
        Lookup::OutsideWindow { periods, .. } => {
            let list = periods.iter().map(|p| format!("{} to {}", p.start, p.end)).collect::<Vec<_>>().join(", ");
            findings.push(on(
                FindingCode::IeepaHtsOutsideWindow,
                format!(
                    "Line {n}: IEEPA number {} is used on an entry dated {date}, outside its period(s) {list}; CAPE \
                     reports this as INVALID HTS (correct it with a post-summary correction to the replacement \
                     number). The duty as filed is still counted in the refund.",
                    t.hts
                ),
            ));
        }
        Lookup::InForce(row) => check_rate(n, t, row, facts, date, findings, factors)?,
        Lookup::NotIeepa => {}
    }
    Ok(())
}

/// Compares the declared IEEPA duty with the catalogue rate × the line's chapter 1–97 value.
fn check_rate(
    n: u32,
    t: &Tariff,
    row: &CatalogueRow,
    facts: &LineFacts,
    date: NaiveDate,
    findings: &mut Vec<Finding>,
    factors: &mut Factors,
) -> Result<()> {
    let Some(value) = facts.value else { return Ok(()) };
    /// How the expected rate was read, spelled out only in a finding.
    enum How {
        Duty,
        FullFloor,
        TopUp(Decimal),
    }
    let (rate, how) = match row.kind {
        RowKind::Exemption => return Ok(()),
        RowKind::Duty => (row.rate_percent, How::Duty),
        // Korea style: the floor row carries the whole target rate.
        RowKind::Floor if facts.ch_duty_zero => (row.rate_percent, How::FullFloor),
        // EU style: the floor row tops the MFN duty up to the target.
        RowKind::Floor => match facts.mfn_rate {
            Some(mfn) => ((row.rate_percent - mfn).max(Decimal::ZERO), How::TopUp(mfn)),
            None => return Ok(()),
        },
    };
    let expected = ad_valorem_duty_cached(factors, value, rate)?;
    let diff = t.duty.checked_sub(expected)?;
    let tolerance = Usd::from_cents(MISMATCH_TOLERANCE_CENTS);
    if diff > tolerance || diff < Usd::ZERO.checked_sub(tolerance)? {
        let how = match how {
            How::Duty => format!("{}%", row.rate_percent.normalize()),
            How::FullFloor => format!("the full {}% floor (no duty on the chapter 1-97 row)", row.rate_percent),
            How::TopUp(mfn) => {
                format!("{}% (floor {}% minus Column 1 {}%)", rate.normalize(), row.rate_percent, mfn.normalize())
            }
        };
        findings.push(Finding::ordinal(
            FindingCode::IeepaDutyMismatch,
            n,
            t.ordinal,
            t.hts,
            format!(
                "Line {n}: IEEPA number {} declares duty {}, but {how} of the line's value {} (whole dollars) is {} \
                 for an entry dated {date} (period {} to {}); difference {}. The refund uses the duty as filed.",
                t.hts,
                t.duty.to_string_2dp(),
                whole_dollars(value),
                expected.to_string_2dp(),
                row.start,
                row.end,
                diff.to_string_2dp()
            ),
        ));
    }
    Ok(())
}

fn whole_dollars(value: Usd) -> String {
    value.round_dollars(VALUE_ROUNDING).amount().trunc().to_string()
}

fn fact_state(state: &str) -> &'static str {
    match state {
        "blank" => "blank",
        "unreadable" => "unreadable (a specific or compound rate?)",
        _ => "not supplied",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryHeader, Fact};
    use proptest::prelude::*;

    fn usd(s: &str) -> Usd {
        s.parse().unwrap()
    }

    fn t(ordinal: u32, hts: &str, value: Option<&str>, duty: &str) -> Tariff {
        Tariff {
            ordinal,
            hts: hts.parse().unwrap(),
            goods_value: value.map(usd),
            duty: usd(duty),
            quantity: None,
            uom: None,
            source_row: 0,
        }
    }

    /// A line; ordinals are numbered 1.. in the order given.
    fn line(number: u32, origin: &str, mfn: Option<&str>, tariffs: Vec<(&str, Option<&str>, &str)>) -> Line {
        Line {
            number,
            country_of_origin: Fact::Known(origin.parse().unwrap()),
            country_of_export: Fact::NotSupplied,
            spi: Fact::NotSupplied,
            manufacturer_id: Fact::NotSupplied,
            foreign_exporter_id: Fact::NotSupplied,
            mfn_rate_percent: mfn.map_or(Fact::NotSupplied, |r| Fact::Known(r.parse().unwrap())),
            psc_flag: Fact::NotSupplied,
            tariffs: tariffs.into_iter().enumerate().map(|(i, (h, v, d))| t(i as u32 + 1, h, v, d)).collect(),
        }
    }

    fn entry(serial: u32, date: &str, lines: Vec<Line>) -> Entry {
        Entry {
            number: EntryNumber::from_parts("ABC", serial).unwrap(),
            header: EntryHeader { entry_date: Some(date.parse().unwrap()), ..Default::default() },
            lines,
            conflicting: false,
            split: false,
            first_row: 2,
        }
    }

    fn run(e: &Entry) -> Removal {
        let cat = Catalogue::embedded().unwrap();
        let r = remove_ieepa(e, &cat).unwrap();
        assert_invariants(&r, &cat);
        r
    }

    fn assert_invariants(r: &Removal, cat: &Catalogue) {
        assert_eq!(r.duty_after.checked_add(r.ieepa_duty).unwrap(), r.duty_before);
        assert_eq!(r.duty_after, r.new_version.total_duty());
        for l in &r.lines {
            assert_eq!(l.duty_after.checked_add(l.ieepa_duty).unwrap(), l.duty_before, "line {}", l.line);
        }
        let again = remove_ieepa(&r.new_version, cat).unwrap();
        assert_eq!(again.ieepa_duty, Usd::ZERO);
        assert_eq!(again.new_version, r.new_version);
        assert!(!again.principal_is_upper_bound);
    }

    fn codes(r: &Removal) -> Vec<&'static str> {
        r.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn amounts(r: &Removal) -> (String, String, String) {
        (r.duty_before.to_string_2dp(), r.ieepa_duty.to_string_2dp(), r.duty_after.to_string_2dp())
    }

    fn a(before: &str, ieepa: &str, after: &str) -> (String, String, String) {
        (before.into(), ieepa.into(), after.into())
    }

    #[test]
    fn mexico_25() {
        // 9903.01.01 at 25% of 10,000.00 = 2,500.00; 9903.01.27 reciprocal exception for Mexico, 0;
        // MFN 2.5% of 10,000 = 250.00. Before 2,750.00, refund 2,500.00, after 250.00.
        let e = entry(
            1,
            "2025-05-01",
            vec![line(
                1,
                "MX",
                Some("2.5"),
                vec![
                    ("9903.01.01", Some("0"), "2500.00"),
                    ("9903.01.27", Some("0"), "0"),
                    ("8708.29.5060", Some("10000.00"), "250.00"),
                ],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("2750.00", "2500.00", "250.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let classes: Vec<_> = r.lines[0].ordinals.iter().map(|o| o.classification.as_str()).collect();
        assert_eq!(classes, ["ieepa_dutiable", "ieepa_exemption", "chapter_1_to_97"]);
        assert_eq!(r.new_version.lines[0].tariffs.len(), 2, "the exemption row and the chapter 1-97 row stay");
        assert!(r.has_dutiable_ieepa);
    }

    #[test]
    fn canada_25_then_35() {
        // 2025-07-31: 25% of 1,234.49 → 1,234 whole dollars → 308.50.
        let before = entry(
            2,
            "2025-07-31",
            vec![line(
                1,
                "CA",
                Some("0"),
                vec![("9903.01.10", None, "308.50"), ("9903.01.26", None, "0"), ("4411.14.0000", Some("1234.49"), "0")],
            )],
        );
        let r = run(&before);
        assert_eq!(amounts(&r), a("308.50", "308.50", "0.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(r.lines[0].ordinals[0].rate_percent, Some(Decimal::from(25)));
        // 2025-08-01: 35% of 1,234.50 → 1,235 (half up) → 432.25.
        let after = entry(
            3,
            "2025-08-01",
            vec![line(
                1,
                "CA",
                Some("0"),
                vec![("9903.01.10", None, "432.25"), ("4411.14.0000", Some("1234.50"), "0")],
            )],
        );
        let r = run(&after);
        assert_eq!(amounts(&r), a("432.25", "432.25", "0.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        // Filed at the old 25% after the increase: expected 35% of 1,234 = 431.90; the difference 123.40 is a
        // finding, the refund stays 308.50 as filed.
        let stale = entry(
            4,
            "2025-08-01",
            vec![line(
                1,
                "CA",
                Some("0"),
                vec![("9903.01.10", None, "308.50"), ("4411.14.0000", Some("1234.49"), "0")],
            )],
        );
        let r = run(&stale);
        assert_eq!(amounts(&r), a("308.50", "308.50", "0.00"));
        assert_eq!(codes(&r), ["IEEPA_DUTY_MISMATCH"]);
        let m = &r.findings[0].message;
        assert!(m.contains("9903.01.10") && m.contains("Line 1") && m.contains("2025-08-01"), "{m}");
        assert!(m.contains("431.90") && m.contains("-123.40") && m.contains("35%"), "{m}");
        assert_eq!(r.findings[0].cbp_message, None);
    }

    #[test]
    fn china_fentanyl_20_then_10_with_reciprocal_and_301() {
        // Value 5,000.00. 2025-11-09: 301 9903.88.03 25% = 1,250.00 (stays); fentanyl 20% = 1,000.00;
        // reciprocal 9903.01.25 10% = 500.00; MFN 4% = 200.00. Before 2,950.00, refund 1,500.00, after 1,450.00.
        let rows = |fentanyl: &'static str| {
            vec![
                ("9903.88.03", None, "1250.00"),
                ("9903.01.24", None, fentanyl),
                ("9903.01.25", None, "500.00"),
                ("8501.10.4020", Some("5000.00"), "200.00"),
            ]
        };
        let r = run(&entry(5, "2025-11-09", vec![line(1, "CN", Some("4"), rows("1000.00"))]));
        assert_eq!(amounts(&r), a("2950.00", "1500.00", "1450.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        assert_eq!(
            r.lines[0].ordinals[0].classification,
            Classification::OtherChapter99 { program: "section_301".into() }
        );
        assert_eq!(r.lines[0].ordinals[0].program.as_deref(), Some("section_301"));
        // 2025-11-10: fentanyl cut to 10% = 500.00. Before 2,450.00, refund 1,000.00 (fentanyl + reciprocal),
        // after 1,450.00 (301 + MFN).
        let r = run(&entry(6, "2025-11-10", vec![line(1, "CN", Some("4"), rows("500.00"))]));
        assert_eq!(amounts(&r), a("2450.00", "1000.00", "1450.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let removed: Vec<_> = r.lines[0].ordinals.iter().filter(|o| o.removed).map(|o| o.hts.to_string()).collect();
        assert_eq!(removed, ["9903.01.24", "9903.01.25"]);
        // Fentanyl at the old 20% on 2025-11-10: expected 500.00, a mismatch of 500.00; refund as filed.
        let r = run(&entry(7, "2025-11-10", vec![line(1, "CN", Some("4"), rows("1000.00"))]));
        assert_eq!(amounts(&r), a("2950.00", "1500.00", "1450.00"));
        assert_eq!(codes(&r), ["IEEPA_DUTY_MISMATCH"]);
    }

    #[test]
    fn reciprocal_baseline_10() {
        // Vietnam before its August rate: 9903.01.25 10% of 999.50 → 1,000 whole dollars → 100.00;
        // MFN 10% = 100.00. Before 200.00, refund 100.00, after 100.00.
        let e = entry(
            8,
            "2025-06-02",
            vec![line(
                1,
                "VN",
                Some("10"),
                vec![("9903.01.25", None, "100.00"), ("6403.99.9065", Some("999.50"), "100.00")],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("200.00", "100.00", "100.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn april_2025_country_rate_and_outside_window() {
        // Germany on 2025-04-09: 9903.01.50 20% of 2,500.40 → 2,500 → 500.00; MFN 2.7% of 2,500 = 67.50.
        // Before 567.50, refund 500.00, after 67.50.
        let lines = || {
            vec![line(
                1,
                "DE",
                Some("2.7"),
                vec![("9903.01.50", None, "500.00"), ("8481.80.9050", Some("2500.40"), "67.50")],
            )]
        };
        let r = run(&entry(9, "2025-04-09", lines()));
        assert_eq!(amounts(&r), a("567.50", "500.00", "67.50"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        // The same filing dated 2025-04-10: outside the number's only day; INVALID HTS; refund unchanged.
        let r = run(&entry(10, "2025-04-10", lines()));
        assert_eq!(amounts(&r), a("567.50", "500.00", "67.50"));
        assert_eq!(codes(&r), ["IEEPA_HTS_OUTSIDE_WINDOW"]);
        let f = &r.findings[0];
        assert_eq!(f.cbp_message, Some("INVALID HTS"));
        assert_eq!((f.line, f.ordinal, f.hts), (Some(1), Some(1), Some("9903.01.50".parse().unwrap())));
        assert!(f.message.contains("2025-04-10") && f.message.contains("2025-04-09 to 2025-04-09"), "{}", f.message);
        assert_eq!(r.lines[0].ordinals[0].in_force, Some(false));
        assert_eq!(r.lines[0].ordinals[0].classification, Classification::IeepaDutiable);
    }

    #[test]
    fn august_2025_country_rate() {
        // Vietnam 9903.02.69 at 20% on 2025-09-01: 7,777.77 → 7,778 → 1,555.60; MFN free.
        let e = entry(
            11,
            "2025-09-01",
            vec![line(
                1,
                "VN",
                Some("0"),
                vec![("9903.02.69", None, "1555.60"), ("9403.60.8081", Some("7777.77"), "0")],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("1555.60", "1555.60", "0.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn brazil_40_stacked_on_10() {
        // 2025-09-15: 10,000.49 → 10,000. 9903.01.77 40% = 4,000.00; 9903.02.09 10% = 1,000.00; MFN 10% = 1,000.00.
        // Before 6,000.00, refund 5,000.00, after 1,000.00.
        let e = entry(
            12,
            "2025-09-15",
            vec![line(
                1,
                "BR",
                Some("10"),
                vec![
                    ("9903.01.77", None, "4000.00"),
                    ("9903.02.09", None, "1000.00"),
                    ("6402.99.4060", Some("10000.49"), "1000.00"),
                ],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("6000.00", "5000.00", "1000.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }

    #[test]
    fn india_russian_oil_and_its_early_end() {
        // 2025-09-01: 4,000.00. 9903.01.84 25% = 1,000.00; 9903.02.26 25% = 1,000.00; MFN 16.6% = 664.00.
        // Before 2,664.00, refund 2,000.00, after 664.00.
        let lines = || {
            vec![line(
                1,
                "IN",
                Some("16.6"),
                vec![
                    ("9903.01.84", None, "1000.00"),
                    ("9903.02.26", None, "1000.00"),
                    ("6204.62.4011", Some("4000.00"), "664.00"),
                ],
            )]
        };
        let r = run(&entry(13, "2025-09-01", lines()));
        assert_eq!(amounts(&r), a("2664.00", "2000.00", "664.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        // 2026-02-07: 9903.01.84 ended 2026-02-06 → INVALID HTS; still refunded as filed.
        let r = run(&entry(14, "2026-02-07", lines()));
        assert_eq!(amounts(&r), a("2664.00", "2000.00", "664.00"));
        assert_eq!(codes(&r), ["IEEPA_HTS_OUTSIDE_WINDOW"]);
        assert!(r.findings[0].message.contains("2025-08-27 to 2026-02-06"), "{}", r.findings[0].message);
    }

    #[test]
    fn section_232_with_exemption_and_fentanyl() {
        // China, 2025-07-01, value 10,000.00: 232 steel 9903.81.90 = 5,000.00 (stays); fentanyl 20% = 2,000.00;
        // 9903.01.33 (232 goods: no reciprocal) 0; MFN 2.9% = 290.00. Before 7,290.00, refund 2,000.00,
        // after 5,290.00.
        let e = entry(
            15,
            "2025-07-01",
            vec![line(
                1,
                "CN",
                Some("2.9"),
                vec![
                    ("9903.81.90", None, "5000.00"),
                    ("9903.01.24", None, "2000.00"),
                    ("9903.01.33", None, "0"),
                    ("7326.90.8688", Some("10000.00"), "290.00"),
                ],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("7290.00", "2000.00", "5290.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let classes: Vec<_> = r.lines[0].ordinals.iter().map(|o| o.classification.clone()).collect();
        assert_eq!(
            classes,
            [
                Classification::OtherChapter99 { program: "section_232".into() },
                Classification::IeepaDutiable,
                Classification::IeepaExemption,
                Classification::Chapter1To97
            ]
        );
        let kept: Vec<_> = r.new_version.lines[0].tariffs.iter().map(|t| t.hts.to_string()).collect();
        assert_eq!(kept, ["9903.81.90", "9903.01.33", "7326.90.86.88"]);
    }

    fn korea(serial: u32, mfn: Option<&str>) -> Entry {
        // 20,000.50 → 20,001 whole dollars; the full 15% floor = 3,000.15 on 9903.02.80, 0 on chapter 1-97.
        entry(
            serial,
            "2025-12-01",
            vec![line(1, "KR", mfn, vec![("9903.02.80", None, "3000.15"), ("8482.10.5044", Some("20000.50"), "0")])],
        )
    }

    #[test]
    fn korea_floor_mfn_known() {
        // MFN 2.5% of 20,001 = 500.025 → 500.03 (half up) comes back on the chapter 1-97 row.
        // Refund 3,000.15 − 500.03 = 2,500.12; before 3,000.15, after 500.03.
        let r = run(&korea(16, Some("2.5")));
        assert_eq!(amounts(&r), a("3000.15", "2500.12", "500.03"));
        assert!(!r.principal_is_upper_bound);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let floor = r.lines[0].floor.as_ref().unwrap();
        assert_eq!(floor.style, FloorStyle::FullRate);
        assert_eq!(floor.mfn_duty_restored, usd("500.03"));
        assert_eq!(floor.principal, usd("2500.12"));
        let new = &r.new_version.lines[0].tariffs;
        assert_eq!(new.len(), 1);
        assert_eq!((new[0].hts.to_string(), new[0].duty), ("8482.10.50.44".to_string(), usd("500.03")));
        assert_eq!(r.lines[0].ordinals[0].principal, usd("2500.12"));
        assert_eq!(r.lines[0].ordinals[1].duty_after, usd("500.03"));
    }

    #[test]
    fn korea_floor_mfn_unknown() {
        // No Column 1 rate: refund = the floor duty 3,000.15, flagged as an upper bound.
        let r = run(&korea(17, None));
        assert_eq!(amounts(&r), a("3000.15", "3000.15", "0.00"));
        assert!(r.principal_is_upper_bound);
        assert!(r.lines[0].principal_is_upper_bound);
        assert_eq!(codes(&r), ["FLOOR_MFN_RATE_UNKNOWN"]);
        assert!(r.findings[0].message.contains("9903.02.80") && r.findings[0].message.contains("upper bound"));
        // A free MFN rate is known: nothing comes back, not an upper bound.
        let r = run(&korea(18, Some("0")));
        assert_eq!(amounts(&r), a("3000.15", "3000.15", "0.00"));
        assert!(!r.principal_is_upper_bound);
    }

    #[test]
    fn eu_floor_top_up() {
        // Germany 2025-09-02, 10,000.00, MFN 4.5% = 450.00 on chapter 1-97; floor 9903.02.20 tops up
        // (15 − 4.5) = 10.5% = 1,050.00. Refund 1,050.00; before 1,500.00; after 450.00.
        let e = entry(
            19,
            "2025-09-02",
            vec![line(
                1,
                "DE",
                Some("4.5"),
                vec![("9903.02.20", None, "1050.00"), ("8467.29.0095", Some("10000.00"), "450.00")],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("1500.00", "1050.00", "450.00"));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let floor = r.lines[0].floor.as_ref().unwrap();
        assert_eq!((floor.style, floor.mfn_duty_restored), (FloorStyle::TopUp, Usd::ZERO));
        // Top-up filed at the full 15% (1,500.00): a mismatch against 1,050.00, refund as filed.
        let e = entry(
            20,
            "2025-09-02",
            vec![line(
                1,
                "DE",
                Some("4.5"),
                vec![("9903.02.20", None, "1500.00"), ("8467.29.0095", Some("10000.00"), "450.00")],
            )],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("1950.00", "1500.00", "450.00"));
        assert_eq!(codes(&r), ["IEEPA_DUTY_MISMATCH"]);
    }

    #[test]
    fn other_findings() {
        // Goods value on the IEEPA row; origin CN on a Mexico number; an unknown 9903.01.99; duty after the end.
        let e = entry(
            21,
            "2026-02-24",
            vec![
                line(
                    1,
                    "CN",
                    None,
                    vec![("9903.01.25", Some("1000.00"), "100.00"), ("6403.99.9065", Some("1000.00"), "0")],
                ),
                line(
                    2,
                    "CN",
                    None,
                    vec![("9903.01.01", None, "0"), ("9903.01.99", None, "12.00"), ("6403.99.9065", None, "0")],
                ),
            ],
        );
        let r = run(&e);
        // Refund 100.00 + 0 (9903.01.01 filed with 0 duty); the unknown number's 12.00 stays.
        assert_eq!(amounts(&r), a("112.00", "100.00", "12.00"));
        let mut c = codes(&r);
        c.sort_unstable();
        assert_eq!(
            c,
            [
                "GOODS_VALUE_ON_IEEPA_LINE",
                "IEEPA_COUNTRY_MISMATCH",
                "IEEPA_DUTY_AFTER_END",
                "IEEPA_HTS_OUTSIDE_WINDOW",
                "IEEPA_HTS_OUTSIDE_WINDOW",
                "UNKNOWN_CHAPTER99"
            ]
        );
        let goods = r.findings.iter().find(|f| f.code == FindingCode::GoodsValueOnIeepaLine).unwrap();
        assert_eq!(goods.cbp_message, Some("GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE"));
        let after_end = r.findings.iter().find(|f| f.code == FindingCode::IeepaDutyAfterEnd).unwrap();
        assert!(after_end.message.contains("2026-02-24") && after_end.message.contains("9903.01.25"));
        let unknown = &r.lines[1].ordinals[1];
        assert_eq!((unknown.classification.clone(), unknown.removed), (Classification::UnknownChapter99, false));
        // The end-of-IEEPA date comes from the catalogue: moving it moves the finding.
        let mut cat = Catalogue::embedded().unwrap();
        cat.set_ieepa_end("2026-03-01".parse().unwrap());
        let r = remove_ieepa(&e, &cat).unwrap();
        assert!(!r.findings.iter().any(|f| f.code == FindingCode::IeepaDutyAfterEnd));
    }

    #[test]
    fn no_dutiable_ieepa() {
        // Only an exemption number: nothing refunded, reported.
        let e = entry(
            22,
            "2025-07-01",
            vec![line(1, "DE", Some("0"), vec![("9903.01.32", None, "0"), ("3004.90.9290", Some("500.00"), "0")])],
        );
        let r = run(&e);
        assert_eq!(amounts(&r), a("0.00", "0.00", "0.00"));
        assert!(!r.has_dutiable_ieepa);
        assert_eq!(codes(&r), ["NO_DUTIABLE_IEEPA"]);
    }

    #[test]
    fn overflow_is_an_error() {
        let max = Usd::new(Decimal::MAX);
        let mut e = entry(
            23,
            "2025-07-01",
            vec![line(1, "CN", None, vec![("9903.01.24", None, "0"), ("9903.01.25", None, "0")])],
        );
        e.lines[0].tariffs[0].duty = max;
        e.lines[0].tariffs[1].duty = max;
        let cat = Catalogue::embedded().unwrap();
        assert!(matches!(remove_ieepa(&e, &cat), Err(Error::Overflow(_))));
    }

    #[test]
    fn serialises_money_as_strings() {
        let r = run(&korea(24, Some("2.5")));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["ieepa_duty"], "2500.12");
        assert_eq!(json["lines"][0]["floor"]["mfn_duty_restored"], "500.03");
        assert_eq!(json["lines"][0]["ordinals"][0]["classification"]["class"], "ieepa_floor");
        assert_eq!(json["lines"][0]["ordinals"][0]["rate_percent"], "15");
        assert!(json.get("new_version").is_none());
    }

    const POOL: [&str; 12] = [
        "9903.01.24",
        "9903.01.25",
        "9903.02.80",
        "9903.02.20",
        "9903.01.33",
        "9903.02.79",
        "9903.88.03",
        "9903.81.90",
        "9903.01.99",
        "9802.00.8060",
        "8471.30.0100",
        "6403.99.9065",
    ];
    const ORIGINS: [&str; 7] = ["CN", "MX", "CA", "KR", "DE", "VN", "NA"];

    /// (pool index, goods value in cents, duty in cents).
    type RawTariff = (usize, Option<i64>, i64);
    /// (origin index, MFN rate in hundredths of a percent, tariffs).
    type RawLine = (usize, Option<i64>, Vec<RawTariff>);

    fn arb_line() -> impl Strategy<Value = RawLine> {
        (
            0..ORIGINS.len(),
            prop::option::of(0i64..3000),
            prop::collection::vec(
                (0..POOL.len(), prop::option::of(0i64..10_000_000_000), -100_000i64..1_000_000_000),
                1..6,
            ),
        )
    }

    proptest! {
        #[test]
        fn money_is_conserved_and_removal_is_idempotent(
            day in 0i64..420,
            raw in prop::collection::vec(arb_line(), 1..5),
        ) {
            let cat = Catalogue::embedded().unwrap();
            let date = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap() + chrono::Days::new(day as u64);
            let lines = raw.iter().enumerate().map(|(i, (o, mfn, ts))| Line {
                number: i as u32 + 1,
                country_of_origin: Fact::Known(ORIGINS[*o].parse().unwrap()),
                country_of_export: Fact::NotSupplied,
                spi: Fact::NotSupplied,
                manufacturer_id: Fact::NotSupplied,
                foreign_exporter_id: Fact::NotSupplied,
                mfn_rate_percent: mfn.map_or(Fact::Unreadable("9.9¢/kg".into()), |bp| Fact::Known(Decimal::new(bp, 2))),
                psc_flag: Fact::NotSupplied,
                tariffs: ts.iter().enumerate().map(|(j, (h, v, d))| Tariff {
                    ordinal: j as u32 + 1,
                    hts: POOL[*h].parse().unwrap(),
                    goods_value: v.map(Usd::from_cents),
                    duty: Usd::from_cents(*d),
                    quantity: None,
                    uom: None,
                    source_row: 0,
                }).collect(),
            }).collect();
            let mut e = entry(99, "2025-02-01", lines);
            e.header.entry_date = Some(date);
            let r = remove_ieepa(&e, &cat).unwrap();
            prop_assert_eq!(r.duty_after.checked_add(r.ieepa_duty).unwrap(), r.duty_before);
            prop_assert_eq!(r.duty_after, r.new_version.total_duty());
            prop_assert_eq!(r.duty_before, e.total_duty());
            for l in &r.lines {
                prop_assert_eq!(l.duty_after.checked_add(l.ieepa_duty).unwrap(), l.duty_before);
            }
            let again = remove_ieepa(&r.new_version, &cat).unwrap();
            prop_assert_eq!(again.ieepa_duty, Usd::ZERO);
            prop_assert_eq!(&again.new_version, &r.new_version);
            prop_assert!(!again.principal_is_upper_bound);
        }
    }
}
