//! Entries as cape holds them: entry → lines → tariff ordinals, with every optional fact explicit.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{CountryCode, EntryNumber, EntryType, HtsNumber, ImporterNumber, Usd};

/// A cell's text as an entry keeps it (a name, a code, an unreadable cell): a string that holds up to 23 bytes
/// inline, so that the texts of an entry — nearly all short — cost no allocation to read, copy or drop. It
/// reads as a `&str` (`Deref`), compares with `str`, and serialises as a string.
///
/// ```
/// use cape_core::model::Text;
/// let t = Text::from("Nguyen, Maria");
/// assert_eq!(t, "Nguyen, Maria");
/// assert_eq!(t.len(), 13);
/// assert_eq!(serde_json::to_string(&t).unwrap(), "\"Nguyen, Maria\"");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Text(smol_str::SmolStr);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(smol_str::SmolStr::new(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(smol_str::SmolStr::from(s))
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Self {
        Text(smol_str::SmolStr::from(s))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

/// An optional fact about an entry: supplied, blank, unreadable, or not supplied by the file at all.
///
/// cape never silently defaults a missing fact. Rules that need a fact decide what each state means and say so.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact<T> {
    /// The file has no column for this fact.
    #[default]
    NotSupplied,
    /// The column exists but the cell is empty.
    Blank,
    /// The value, read successfully.
    Known(T),
    /// The cell holds text cape cannot read; kept verbatim.
    Unreadable(Text),
}

impl<T> Fact<T> {
    /// The value when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            _ => None,
        }
    }

    /// True when the cell held text cape could not read.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Fact::Unreadable(_))
    }

    /// A stable name of the state: `not_supplied`, `blank`, `known`, `unreadable`.
    pub fn state_name(&self) -> &'static str {
        match self {
            Fact::NotSupplied => "not_supplied",
            Fact::Blank => "blank",
            Fact::Known(_) => "known",
            Fact::Unreadable(_) => "unreadable",
        }
    }
}

macro_rules! word_enum {
    (
        $(#[$meta:meta])* $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $canon:literal : [$($word:literal),*] ),* $(,)?
        }
    ) => {
        crate::values::codes::stable_codes! {
            $(#[$meta])*
            pub enum $name: name {
                $( $(#[$vmeta])* $variant = $canon, )*
            }
        }

        impl $name {
            /// Reads one of the words seen in ACE exports (case-, space- and underscore-insensitive, as a header
            /// cell is matched: [`header_key`](crate::ingest::columns::header_key)).
            pub fn from_word(s: &str) -> Option<Self> {
                let mut buf = [0u8; 32];
                match crate::ingest::columns::short_key(s, &mut buf)? {
                    $( $($word)|* => Some($name::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

word_enum! {
    /// The liquidation status of an entry summary (ES-003 `Liquidation Status`).
    LiquidationStatus {
        /// Not yet liquidated ("unliquidated", "open").
        Unliquidated = "unliquidated": ["unliquidated", "open", "notliquidated", "pending"],
        /// Liquidated ("liquidated", "closed").
        Liquidated = "liquidated": ["liquidated", "closed", "liquidatedclosed"],
        /// Liquidation suspended.
        Suspended = "suspended": ["suspended", "suspension", "liquidationsuspended"],
        /// Liquidation extended.
        Extended = "extended": ["extended", "extension", "liquidationextended"],
        /// Under review.
        UnderReview = "under_review": ["underreview", "review", "inreview"],
        /// Finally liquidated.
        Final = "final": ["final", "finalliquidation", "finallyliquidated", "finalized"],
    }
}

word_enum! {
    /// The status of a protest on an entry.
    ProtestStatus {
        /// Open (pending).
        Open = "open": ["open", "pending", "filed", "received"],
        /// Suspended.
        Suspended = "suspended": ["suspended"],
        /// Decided or withdrawn ("closed", "denied", "allowed", "approved", "withdrawn").
        Closed = "closed": ["closed", "denied", "allowed", "approved", "withdrawn", "decided", "rejected"],
    }
}

word_enum! {
    /// The status of the entry summary itself (extra column `Entry Summary Status`).
    SummaryStatus {
        /// Accepted.
        Accepted = "accepted": ["accepted", "accept", "a"],
        /// Cancelled.
        Cancelled = "cancelled": ["cancelled", "canceled", "c"],
        /// Rejected.
        Rejected = "rejected": ["rejected", "r"],
    }
}

word_enum! {
    /// AD/CVD liquidation state (extra column `AD/CVD Liquidation Status`).
    AdCvdStatus {
        /// Still suspended awaiting Commerce instructions.
        Suspended = "suspended": ["suspended", "suspension"],
        /// Commerce instructions issued; pending liquidation.
        PendingLiquidation = "pending_liquidation": ["pendingliquidation", "pending", "instructionsissued"],
        /// Liquidated under Commerce instructions.
        Liquidated = "liquidated": ["liquidated", "closed"],
        /// Not an AD/CVD entry: the words `N/A`, `NA`, `None`, `Not applicable`, `non-AD/CVD` (the Excel error
        /// value `#N/A` is unreadable, never this).
        NotApplicable = "not_applicable": ["na", "none", "notapplicable", "nonadcvd"],
    }
}

word_enum! {
    /// Corporate or non-corporate, for the 26 USC 6621 overpayment rate (extra column `Importer Class`).
    ImporterClass {
        /// A corporation (FST + 2).
        Corporate = "corporate": ["corporate", "corporation", "corp", "c"],
        /// Not a corporation (FST + 3): `noncorporate`, `non-corporate`, `nc`, `n`, and `individual` (an alias: a
        /// natural person is not a corporation).
        NonCorporate = "noncorporate": ["noncorporate", "noncorporation", "individual", "nc", "n"],
    }
}

impl ImporterClass {
    /// The class of an importer the report and the options say nothing about (`--class`, Python's
    /// `importer_class=`, `AssessOptions::default_class`): corporate, as most importers of record are.
    pub const DEFAULT: ImporterClass = ImporterClass::Corporate;
}

/// What a `Final Liquidation` cell says: a Y/N flag, or the date the liquidation becomes final (normally
/// liquidation + 180 days; written by broker tools built on ACE exports). Serialised as the flag (`true`) or
/// the date (`"2026-03-14"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum FinalLiquidation {
    /// A yes/no indicator.
    Flag(bool),
    /// The liquidation is final on and after this date.
    On(NaiveDate),
}

impl FinalLiquidation {
    /// True when the liquidation is final as of `as_of`: the flag is yes, or `as_of` is on or after the date.
    ///
    /// ```
    /// use cape_core::model::FinalLiquidation;
    /// use chrono::NaiveDate;
    /// let on = FinalLiquidation::On(NaiveDate::from_ymd_opt(2026, 3, 14).unwrap());
    /// assert!(!on.is_final_on(NaiveDate::from_ymd_opt(2026, 3, 13).unwrap()));
    /// assert!(on.is_final_on(NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()));
    /// assert!(FinalLiquidation::Flag(true).is_final_on(NaiveDate::MIN));
    /// ```
    pub fn is_final_on(self, as_of: NaiveDate) -> bool {
        match self {
            FinalLiquidation::Flag(f) => f,
            FinalLiquidation::On(d) => as_of >= d,
        }
    }
}

/// Entry-level facts, repeated on every ES-003 row of the entry.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct EntryHeader {
    /// `Entry Type Code`.
    pub entry_type: Fact<EntryType>,
    /// `Importer Number`.
    pub importer_number: Fact<ImporterNumber>,
    /// `Importer Name`.
    pub importer_name: Fact<Text>,
    /// `Filer Name` (extended report).
    pub filer_name: Fact<Text>,
    /// `Port of Entry Code`.
    pub port_of_entry: Fact<Text>,
    /// `Entry Date` (required: every used row has one).
    pub entry_date: Option<NaiveDate>,
    /// `Entry Summary Date`.
    pub entry_summary_date: Fact<NaiveDate>,
    /// `Initial Entry Summary Create Date`.
    pub initial_summary_create_date: Fact<NaiveDate>,
    /// `Importation Date` (extended report).
    pub importation_date: Fact<NaiveDate>,
    /// `Liquidation Date`.
    pub liquidation_date: Fact<NaiveDate>,
    /// `Liquidation Status`.
    pub liquidation_status: Fact<LiquidationStatus>,
    /// `Final Liquidation`: a Y/N flag or the date the liquidation becomes final.
    pub final_liquidation: Fact<FinalLiquidation>,
    /// `Reconciliation Indicator` (flagged for reconciliation).
    pub reconciliation_flag: Fact<bool>,
    /// `Post Summary Correction Indicator`.
    pub psc_flag: Fact<bool>,
    /// `Protest Number`.
    pub protest_number: Fact<Text>,
    /// `Protest Status`.
    pub protest_status: Fact<ProtestStatus>,
    /// `Control Status`.
    pub control_status: Fact<Text>,
    /// `Review Team Number`.
    pub review_team: Fact<Text>,
    /// `Total Liquidated Duty Amount`.
    #[serde(with = "crate::values::money::exact::fact")]
    pub total_liquidated_duty: Fact<Usd>,
    /// Extra column `Payment Date`: the date the duty was deposited.
    pub payment_date: Fact<NaiveDate>,
    /// Extra column `Payment Type Code` (1 single pay, 2 daily statement, 6/7 periodic monthly statement...).
    pub payment_type: Fact<u8>,
    /// Extra column `Refund Designee Number` (CBP Form 4811 designee).
    pub refund_designee: Fact<ImporterNumber>,
    /// Extra column `Entry Summary Status`.
    pub summary_status: Fact<SummaryStatus>,
    /// Extra column `Reconciliation Entry Number` (the type 09 entry, when filed).
    pub reconciliation_entry: Fact<EntryNumber>,
    /// Extra column `Drawback Indicator`.
    pub drawback_flag: Fact<bool>,
    /// Extra column `Surety Paid Indicator`.
    pub surety_paid: Fact<bool>,
    /// Extra column `AD/CVD Liquidation Status`.
    pub adcvd_status: Fact<AdCvdStatus>,
    /// Extra column `ACH Refund Enrolled`.
    pub ach_refund_enrolled: Fact<bool>,
    /// Extra column `Importer Class`.
    pub importer_class: Fact<ImporterClass>,
}

/// One tariff ordinal of a line: one ES-003 row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tariff {
    /// `Tariff Ordinal Number`.
    pub ordinal: u32,
    /// `HTS Number - Full`.
    pub hts: HtsNumber,
    /// `Line Tariff Goods Value Amount` (Ch.99 rows normally carry 0.00); `None` when not supplied.
    #[serde(with = "crate::values::money::exact::option")]
    pub goods_value: Option<Usd>,
    /// `Line Tariff Duty Amount`, as filed.
    #[serde(with = "crate::values::money::exact")]
    pub duty: Usd,
    /// `Line Tariff Quantity (1)`.
    pub quantity: Option<Decimal>,
    /// `Line Tariff UOM (1) Code`.
    pub uom: Option<Text>,
    /// The 1-based row of the source file this ordinal came from (the header is row 1).
    pub source_row: u64,
}

/// One entry-summary line with its tariff ordinals in ordinal order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    /// `Entry Summary Line Number`.
    pub number: u32,
    /// `Country of Origin Code`.
    pub country_of_origin: Fact<CountryCode>,
    /// `Country of Export Code`.
    pub country_of_export: Fact<CountryCode>,
    /// `Line SPI Code`.
    pub spi: Fact<Text>,
    /// `Manufacturer ID`.
    pub manufacturer_id: Fact<Text>,
    /// `Foreign Exporter ID`.
    pub foreign_exporter_id: Fact<Text>,
    /// `Column 1 Current Primary Duty Rate` as a percent (`Free` → 0); compound rates are unreadable.
    pub mfn_rate_percent: Fact<Decimal>,
    /// `Line Post Summary Correction Indicator`.
    pub psc_flag: Fact<bool>,
    /// The tariff ordinals, sorted by ordinal.
    pub tariffs: Vec<Tariff>,
}

/// An entry summary: its header facts and lines, in line order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The entry number.
    pub number: EntryNumber,
    /// Entry-level facts.
    pub header: EntryHeader,
    /// Lines sorted by line number.
    pub lines: Vec<Line>,
    /// True when entry- or line-level values disagreed across the entry's rows (see the diagnostics); rules
    /// treat such an entry as needing review.
    pub conflicting: bool,
    /// True when the entry's rows were not contiguous in the source and were merged.
    pub split: bool,
    /// The first source row of the entry.
    pub first_row: u64,
}

impl Entry {
    /// Iterates over every tariff ordinal of the entry with its line.
    pub fn tariffs(&self) -> impl Iterator<Item = (&Line, &Tariff)> {
        self.lines.iter().flat_map(|l| l.tariffs.iter().map(move |t| (l, t)))
    }

    /// The number of tariff ordinals (ES-003 rows used).
    pub fn tariff_count(&self) -> usize {
        self.lines.iter().map(|l| l.tariffs.len()).sum()
    }

    /// The sum of `Line Tariff Duty Amount` over all ordinals, as filed.
    pub fn total_duty(&self) -> Usd {
        self.tariffs().map(|(_, t)| t.duty).sum()
    }
}
