//! The ES-003 columns cape reads: canonical names, alternates, and whether they are required.
//!
//! Header cells are matched case-, space- and punctuation-insensitively ("HTS Number - Full" =
//! "hts_number_full" = "HTSNUMBERFULL").

/// A column cape reads from ES-003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Column {
    EntryNumber,
    LineNumber,
    TariffOrdinal,
    Hts,
    GoodsValue,
    Duty,
    EntryType,
    ImporterNumber,
    ImporterName,
    PortOfEntry,
    EntryDate,
    EntrySummaryDate,
    InitialSummaryCreateDate,
    CountryOfOrigin,
    CountryOfExport,
    LiquidationDate,
    LiquidationStatus,
    FinalLiquidation,
    ReconciliationIndicator,
    PscIndicator,
    ProtestNumber,
    ProtestStatus,
    ControlStatus,
    ReviewTeam,
    ManufacturerId,
    ForeignExporterId,
    Spi,
    Quantity,
    Uom,
    TotalLiquidatedDuty,
    ImportationDate,
    FilerName,
    MfnRate,
    LinePscIndicator,
    PaymentDate,
    PaymentType,
    RefundDesignee,
    SummaryStatus,
    ReconciliationEntry,
    DrawbackIndicator,
    SuretyPaid,
    AdCvdStatus,
    AchRefundEnrolled,
    ImporterClass,
}

/// Whether the column is in ES-003 itself or one of cape's documented extra columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnOrigin {
    /// Part of the ACE report (standard or extended variant).
    Report,
    /// A documented extra column a broker adds (facts ES-003 does not carry).
    Extra,
}

/// Static description of a column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The column.
    pub column: Column,
    /// The canonical header text.
    pub name: &'static str,
    /// Other header texts accepted for it.
    pub alternates: &'static [&'static str],
    /// Whether a file without it is rejected.
    pub required: bool,
    /// Report column or extra column.
    pub origin: ColumnOrigin,
}

macro_rules! spec {
    ($c:ident, $name:literal, [$($alt:literal),*], $req:literal, $origin:ident) => {
        ColumnSpec { column: Column::$c, name: $name, alternates: &[$($alt),*], required: $req, origin: ColumnOrigin::$origin }
    };
}

/// Every column cape reads, in the order cape writes them.
pub const COLUMNS: &[ColumnSpec] = &[
    spec!(EntryNumber, "Entry Summary Number", ["Entry Number", "Entry No"], true, Report),
    spec!(LineNumber, "Entry Summary Line Number", ["Line Number"], true, Report),
    spec!(TariffOrdinal, "Tariff Ordinal Number", ["Tariff Ordinal"], true, Report),
    spec!(Hts, "HTS Number - Full", ["HTS Number", "Tariff Number"], true, Report),
    spec!(GoodsValue, "Line Tariff Goods Value Amount", ["Line Goods Value Amount"], false, Report),
    spec!(Duty, "Line Tariff Duty Amount", ["Line Tariff Amount", "Line Duty Amount"], true, Report),
    spec!(EntryType, "Entry Type Code", ["Entry Type"], false, Report),
    spec!(ImporterNumber, "Importer Number", ["Importer of Record Number", "IOR Number"], false, Report),
    spec!(ImporterName, "Importer Name", [], false, Report),
    spec!(PortOfEntry, "Port of Entry Code", ["Port Code", "Entry Port Code"], false, Report),
    spec!(EntryDate, "Entry Date", [], true, Report),
    spec!(EntrySummaryDate, "Entry Summary Date", [], false, Report),
    spec!(InitialSummaryCreateDate, "Initial Entry Summary Create Date", [], false, Report),
    spec!(CountryOfOrigin, "Country of Origin Code", ["Country of Origin"], false, Report),
    spec!(CountryOfExport, "Country of Export Code", ["Country of Export"], false, Report),
    spec!(LiquidationDate, "Liquidation Date", [], false, Report),
    spec!(LiquidationStatus, "Liquidation Status", ["Liquidation Status Code"], false, Report),
    spec!(FinalLiquidation, "Final Liquidation", ["Final Liquidation Indicator"], false, Report),
    spec!(
        ReconciliationIndicator,
        "Reconciliation Indicator",
        ["Reconciliation Flag", "Recon Indicator"],
        false,
        Report
    ),
    spec!(PscIndicator, "Post Summary Correction Indicator", ["PSC Indicator"], false, Report),
    spec!(ProtestNumber, "Protest Number", [], false, Report),
    spec!(ProtestStatus, "Protest Status", [], false, Report),
    spec!(ControlStatus, "Control Status", [], false, Report),
    spec!(ReviewTeam, "Review Team Number", [], false, Report),
    spec!(ManufacturerId, "Manufacturer ID", [], false, Report),
    spec!(ForeignExporterId, "Foreign Exporter ID", [], false, Report),
    spec!(Spi, "Line SPI Code", ["SPI Code"], false, Report),
    spec!(Quantity, "Line Tariff Quantity (1)", ["Line Tariff Quantity"], false, Report),
    spec!(Uom, "Line Tariff UOM (1) Code", ["Line Tariff UOM Code"], false, Report),
    spec!(TotalLiquidatedDuty, "Total Liquidated Duty Amount", [], false, Report),
    spec!(ImportationDate, "Importation Date", [], false, Report),
    spec!(FilerName, "Filer Name", [], false, Report),
    spec!(MfnRate, "Column 1 Current Primary Duty Rate", ["Column 1 Duty Rate"], false, Report),
    spec!(LinePscIndicator, "Line Post Summary Correction Indicator", [], false, Report),
    spec!(PaymentDate, "Payment Date", [], false, Extra),
    spec!(PaymentType, "Payment Type Code", ["Payment Type"], false, Extra),
    spec!(RefundDesignee, "Refund Designee Number", [], false, Extra),
    spec!(SummaryStatus, "Entry Summary Status", [], false, Extra),
    spec!(ReconciliationEntry, "Reconciliation Entry Number", [], false, Extra),
    spec!(DrawbackIndicator, "Drawback Indicator", [], false, Extra),
    spec!(SuretyPaid, "Surety Paid Indicator", [], false, Extra),
    spec!(AdCvdStatus, "AD/CVD Liquidation Status", ["Antidumping Countervailing Liquidation Status"], false, Extra),
    spec!(AchRefundEnrolled, "ACH Refund Enrolled", [], false, Extra),
    spec!(ImporterClass, "Importer Class", [], false, Extra),
];

/// The header key of a text: lower-case ASCII letters and digits only.
pub fn header_key(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// [`header_key`] into a stack buffer, for matching a cell against short words without allocating: `None`
/// when the key is longer than the buffer (then it is none of the words).
pub(crate) fn short_key<'b>(s: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_alphanumeric) {
        *buf.get_mut(n)? = b.to_ascii_lowercase();
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

impl Column {
    /// The static description of this column.
    pub fn spec(self) -> &'static ColumnSpec {
        // COLUMNS lists every variant exactly once (checked by a test).
        COLUMNS.iter().find(|s| s.column == self).unwrap_or(&COLUMNS[0])
    }

    /// The canonical header text.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The column a header cell names, if any.
    pub fn from_header(cell: &str) -> Option<Column> {
        let key = header_key(cell);
        COLUMNS
            .iter()
            .find(|s| header_key(s.name) == key || s.alternates.iter().any(|a| header_key(a) == key))
            .map(|s| s.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_once_and_keys_unique() {
        let mut keys = std::collections::HashSet::new();
        for (i, s) in COLUMNS.iter().enumerate() {
            assert_eq!(COLUMNS.iter().position(|t| t.column == s.column), Some(i));
            assert!(keys.insert(header_key(s.name)), "{}", s.name);
            for a in s.alternates {
                assert!(keys.insert(header_key(a)), "{a}");
            }
        }
        assert_eq!(Column::from_header(" hts_number - FULL "), Some(Column::Hts));
        assert_eq!(Column::from_header("Line Duty Amount"), Some(Column::Duty));
        assert_eq!(Column::from_header("AD/CVD Liquidation Status"), Some(Column::AdCvdStatus));
        assert_eq!(Column::from_header("nonsense"), None);
    }
}
