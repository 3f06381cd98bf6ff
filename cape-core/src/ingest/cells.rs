//! Cell parsing: one ES-003 cell's bytes to a typed [`Fact`] (text in UTF-8 or Windows-1252, dates, Excel
//! serials, indicators, percents, whole numbers), the echo of a cell in a diagnostic, and the per-column
//! compare, state and copy functions that entry assembly uses to merge repeated cells.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::diagnostic::{cut_note, echo_value, MAX_ECHOED_CHARS};
use crate::ingest::columns::Column;
use crate::model::{
    AdCvdStatus, EntryHeader, Fact, FinalLiquidation, ImporterClass, Line, LiquidationStatus, ProtestStatus,
    SummaryStatus, Text,
};
use crate::values::date::parse_date_bytes;
use crate::values::text::{is_excel_error, parse_indicator};
use crate::{excel_serial_date, CountryCode, EntryNumber, EntryType, ImporterNumber, Usd};

/// A cell's text: UTF-8, or else Windows-1252 (an export saved by Excel on Windows), so that `Café` is not
/// turned into `Caf\u{FFFD}`.
pub(super) fn text_of(raw: &[u8]) -> Text {
    match std::str::from_utf8(raw) {
        Ok(s) => s.into(),
        Err(_) => raw.iter().map(|&b| windows_1252(b)).collect::<String>().into(),
    }
}

/// A cell's text as echoed in a diagnostic: [`text_of`] cut by [`echo_value`] to [`MAX_ECHOED_CHARS`]
/// characters with its full length said, without decoding more than that of a long cell.
pub(super) fn echo_of(raw: &[u8]) -> Box<str> {
    match std::str::from_utf8(raw) {
        Ok(s) => echo_value(s).into(),
        // Windows-1252: one character per byte.
        Err(_) if raw.len() > MAX_ECHOED_CHARS => {
            cut_note(&text_of(raw.get(..MAX_ECHOED_CHARS).unwrap_or_default()), raw.len()).into()
        }
        Err(_) => text_of(raw).as_str().into(),
    }
}

/// The character of one Windows-1252 byte (ISO-8859-1 except 0x80–0x9F; the five undefined bytes map to
/// U+FFFD).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž', '\u{FFFD}',
        '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// A cell's fact: blank, known, or unreadable. An Excel error value (`#N/A`...) is unreadable in every column,
/// even one that takes any text (a name) or reads `N/A` as a word (`AD/CVD Liquidation Status`).
fn fact_with<T>(raw: &[u8], parse: impl FnOnce(&[u8]) -> Option<T>) -> Fact<T> {
    if raw.is_empty() {
        Fact::Blank
    } else if is_excel_error(raw) {
        Fact::Unreadable(text_of(raw))
    } else {
        match parse(raw) {
            Some(v) => Fact::Known(v),
            None => Fact::Unreadable(text_of(raw)),
        }
    }
}

pub(super) fn parse_date_cell(raw: &[u8], excel: bool) -> Option<NaiveDate> {
    match parse_date_bytes(raw) {
        Ok(d) => Some(d),
        Err(_) if excel && !raw.is_empty() && raw.iter().all(|c| c.is_ascii_digit() || *c == b'.') => {
            let s = std::str::from_utf8(raw).ok()?;
            excel_serial_date(s.parse::<f64>().ok()?).ok()
        }
        Err(_) => None,
    }
}

fn word<T>(raw: &[u8], f: fn(&str) -> Option<T>) -> Option<T> {
    std::str::from_utf8(raw).ok().and_then(f)
}

fn parse_percent(raw: &[u8]) -> Option<Decimal> {
    let s = std::str::from_utf8(raw).ok()?.trim();
    if s.eq_ignore_ascii_case("free") {
        return Some(Decimal::ZERO);
    }
    let s = s.strip_suffix('%').unwrap_or(s).trim();
    Decimal::from_str_exact(s).ok()
}

pub(super) fn parse_u32(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() || raw.len() > 9 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(raw.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')))
}

/// Sets one entry-level fact from a cell. `excel`: numeric date cells are Excel serials.
pub(super) fn set_entry_cell(h: &mut EntryHeader, col: Column, raw: &[u8], excel: bool) {
    let date = |raw: &[u8]| fact_with(raw, |r| parse_date_cell(r, excel));
    let flag = |raw: &[u8]| fact_with(raw, |r| std::str::from_utf8(r).ok().and_then(parse_indicator));
    let text = |raw: &[u8]| fact_with(raw, |r| Some(text_of(r)));
    match col {
        Column::EntryType => h.entry_type = fact_with(raw, EntryType::parse_bytes),
        Column::ImporterNumber => {
            h.importer_number = fact_with(raw, |r| Some(ImporterNumber::parse(&String::from_utf8_lossy(r))))
        }
        Column::ImporterName => h.importer_name = text(raw),
        Column::FilerName => h.filer_name = text(raw),
        Column::PortOfEntry => h.port_of_entry = text(raw),
        Column::EntryDate => h.entry_date = parse_date_cell(raw, excel),
        Column::EntrySummaryDate => h.entry_summary_date = date(raw),
        Column::InitialSummaryCreateDate => h.initial_summary_create_date = date(raw),
        Column::ImportationDate => h.importation_date = date(raw),
        Column::LiquidationDate => h.liquidation_date = date(raw),
        Column::LiquidationStatus => h.liquidation_status = fact_with(raw, |r| word(r, LiquidationStatus::from_word)),
        Column::FinalLiquidation => {
            h.final_liquidation = fact_with(raw, |r| {
                let flag = std::str::from_utf8(r).ok().and_then(parse_indicator).map(FinalLiquidation::Flag);
                flag.or_else(|| parse_date_cell(r, excel).map(FinalLiquidation::On))
            })
        }
        Column::ReconciliationIndicator => h.reconciliation_flag = flag(raw),
        Column::PscIndicator => h.psc_flag = flag(raw),
        Column::ProtestNumber => h.protest_number = text(raw),
        Column::ProtestStatus => h.protest_status = fact_with(raw, |r| word(r, ProtestStatus::from_word)),
        Column::ControlStatus => h.control_status = text(raw),
        Column::ReviewTeam => h.review_team = text(raw),
        Column::TotalLiquidatedDuty => h.total_liquidated_duty = fact_with(raw, |r| Usd::parse_cents_bytes(r).ok()),
        Column::PaymentDate => h.payment_date = date(raw),
        Column::PaymentType => h.payment_type = fact_with(raw, |r| parse_u32(r).and_then(|n| u8::try_from(n).ok())),
        Column::RefundDesignee => {
            h.refund_designee = fact_with(raw, |r| Some(ImporterNumber::parse(&String::from_utf8_lossy(r))))
        }
        Column::SummaryStatus => h.summary_status = fact_with(raw, |r| word(r, SummaryStatus::from_word)),
        Column::ReconciliationEntry => {
            h.reconciliation_entry =
                fact_with(raw, |r| std::str::from_utf8(r).ok().and_then(|s| EntryNumber::parse(s).ok()))
        }
        Column::DrawbackIndicator => h.drawback_flag = flag(raw),
        Column::SuretyPaid => h.surety_paid = flag(raw),
        Column::AdCvdStatus => h.adcvd_status = fact_with(raw, |r| word(r, AdCvdStatus::from_word)),
        Column::AchRefundEnrolled => h.ach_refund_enrolled = flag(raw),
        Column::ImporterClass => h.importer_class = fact_with(raw, |r| word(r, ImporterClass::from_word)),
        _ => {}
    }
}

/// Generates, for a list of `Column => field` pairs of a struct, the per-column equality, state and copy
/// functions the row grouping needs.
macro_rules! field_fns {
    ($ty:ty, $eq:ident, $state:ident, $copy:ident, { $($col:ident => $field:ident),* $(,)? }) => {
        /// True when the fact for `col` is equal in both.
        pub(super) fn $eq(a: &$ty, b: &$ty, col: Column) -> bool {
            match col {
                $( Column::$col => a.$field == b.$field, )*
                _ => true,
            }
        }

        /// The state of the fact for `col`.
        pub(super) fn $state(h: &$ty, col: Column) -> FactState {
            match col {
                $( Column::$col => FactState::of(&h.$field), )*
                _ => FactState::Blank,
            }
        }

        /// Copies the fact for `col` from `src` into `dst`.
        pub(super) fn $copy(dst: &mut $ty, src: &$ty, col: Column) {
            match col {
                $( Column::$col => dst.$field = src.$field.clone(), )*
                _ => {}
            }
        }
    };
}

/// The state of a [`Fact`], without its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FactState {
    Blank,
    Known,
    Unreadable,
}

impl FactState {
    fn of<T>(f: &Fact<T>) -> Self {
        match f {
            Fact::NotSupplied | Fact::Blank => FactState::Blank,
            Fact::Known(_) => FactState::Known,
            Fact::Unreadable(_) => FactState::Unreadable,
        }
    }
}

field_fns!(EntryHeader, entry_field_eq, entry_field_state, entry_field_copy, {
    EntryType => entry_type,
    ImporterNumber => importer_number,
    ImporterName => importer_name,
    FilerName => filer_name,
    PortOfEntry => port_of_entry,
    EntrySummaryDate => entry_summary_date,
    InitialSummaryCreateDate => initial_summary_create_date,
    ImportationDate => importation_date,
    LiquidationDate => liquidation_date,
    LiquidationStatus => liquidation_status,
    FinalLiquidation => final_liquidation,
    ReconciliationIndicator => reconciliation_flag,
    PscIndicator => psc_flag,
    ProtestNumber => protest_number,
    ProtestStatus => protest_status,
    ControlStatus => control_status,
    ReviewTeam => review_team,
    TotalLiquidatedDuty => total_liquidated_duty,
    PaymentDate => payment_date,
    PaymentType => payment_type,
    RefundDesignee => refund_designee,
    SummaryStatus => summary_status,
    ReconciliationEntry => reconciliation_entry,
    DrawbackIndicator => drawback_flag,
    SuretyPaid => surety_paid,
    AdCvdStatus => adcvd_status,
    AchRefundEnrolled => ach_refund_enrolled,
    ImporterClass => importer_class,
});

/// A line with every fact not supplied and no tariff ordinal yet.
pub(super) fn new_line(number: u32) -> Line {
    Line {
        number,
        country_of_origin: Fact::NotSupplied,
        country_of_export: Fact::NotSupplied,
        spi: Fact::NotSupplied,
        manufacturer_id: Fact::NotSupplied,
        foreign_exporter_id: Fact::NotSupplied,
        mfn_rate_percent: Fact::NotSupplied,
        psc_flag: Fact::NotSupplied,
        tariffs: Vec::new(),
    }
}

pub(super) fn set_line_cell(l: &mut Line, col: Column, raw: &[u8]) {
    let text = |raw: &[u8]| fact_with(raw, |r| Some(text_of(r)));
    match col {
        Column::CountryOfOrigin => l.country_of_origin = fact_with(raw, CountryCode::parse_bytes),
        Column::CountryOfExport => l.country_of_export = fact_with(raw, CountryCode::parse_bytes),
        Column::Spi => l.spi = text(raw),
        Column::ManufacturerId => l.manufacturer_id = text(raw),
        Column::ForeignExporterId => l.foreign_exporter_id = text(raw),
        Column::MfnRate => l.mfn_rate_percent = fact_with(raw, parse_percent),
        Column::LinePscIndicator => {
            l.psc_flag = fact_with(raw, |r| std::str::from_utf8(r).ok().and_then(parse_indicator))
        }
        _ => {}
    }
}

field_fns!(Line, line_field_eq, line_field_state, line_field_copy, {
    CountryOfOrigin => country_of_origin,
    CountryOfExport => country_of_export,
    Spi => spi,
    ManufacturerId => manufacturer_id,
    ForeignExporterId => foreign_exporter_id,
    MfnRate => mfn_rate_percent,
    LinePscIndicator => psc_flag,
});
