//! Filer codes, importer numbers, country codes and entry types.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};
use crate::values::text::unwrap_excel_str;

/// A 3-character entry filer code (A–Z, 0–9).
///
/// # Example
///
/// ```
/// let f: cape_core::FilerCode = "b76".parse()?;
/// assert_eq!(f.as_str(), "B76");
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilerCode([u8; 3]);

impl FilerCode {
    pub(crate) fn from_bytes_unchecked(b: [u8; 3]) -> Self {
        FilerCode(b)
    }

    /// Parses a filer code.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] unless the text is exactly 3 letters or digits.
    pub fn parse(s: &str) -> Result<Self> {
        let t = unwrap_excel_str(s);
        let b = t.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphanumeric) {
            return Err(Error::value(ErrorKind::InvalidValue, "filer code", s, "expected 3 letters or digits"));
        }
        Ok(FilerCode([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase(), b[2].to_ascii_uppercase()]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl FromStr for FilerCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for FilerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for FilerCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FilerCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        FilerCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for FilerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FilerCode({})", self.as_str())
    }
}

/// The form of an importer of record number (CBP Form 7501, Block 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImporterNumberKind {
    /// IRS employer number with a 2-character suffix: `NN-NNNNNNNXX`.
    Irs,
    /// CBP-assigned number: `YYDDPP-NNNNN`.
    CbpAssigned,
    /// Social security number: `NNN-NN-NNNN`.
    Ssn,
    /// A form cape does not recognise; kept as the raw text.
    Unknown,
}

impl ImporterNumberKind {
    /// Stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            ImporterNumberKind::Irs => "irs",
            ImporterNumberKind::CbpAssigned => "cbp_assigned",
            ImporterNumberKind::Ssn => "ssn",
            ImporterNumberKind::Unknown => "unknown",
        }
    }
}

/// An importer of record number, normalised to its canonical dashed form when recognised.
///
/// Recognised forms: IRS number `NN-NNNNNNNXX` (9 digits + 2-character suffix; also written without the dash),
/// CBP-assigned `YYDDPP-NNNNN` (recognised by its dash after 6 digits), SSN `NNN-NN-NNNN` (9 digits, with or
/// without dashes). Anything else is kept verbatim with [`ImporterNumberKind::Unknown`] rather than rejected,
/// so a row is never lost for an importer-number format CBP may use that cape does not know.
///
/// # Example
///
/// ```
/// use cape_core::{ImporterNumber, ImporterNumberKind};
/// let n = ImporterNumber::parse("12345678900");
/// assert_eq!(n.as_str(), "12-345678900");
/// assert_eq!(n.kind(), ImporterNumberKind::Irs);
/// assert_eq!(ImporterNumber::parse("950101-12345").kind(), ImporterNumberKind::CbpAssigned);
/// assert_eq!(ImporterNumber::parse("123-45-6789").kind(), ImporterNumberKind::Ssn);
/// assert_eq!(ImporterNumber::parse("ACME?").kind(), ImporterNumberKind::Unknown);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImporterNumber {
    text: Box<str>,
    kind_code: u8,
}

impl ImporterNumber {
    /// Normalises an importer number; never fails (unknown forms are kept, see the type documentation).
    pub fn parse(s: &str) -> Self {
        let t = unwrap_excel_str(s);
        // Already canonical IRS form `NN-NNNNNNNXX` (as ACE exports it): kept as is, without the general path's
        // allocations.
        if let [a, b, b'-', rest @ ..] = t.as_bytes() {
            if rest.len() == 9
                && a.is_ascii_digit()
                && b.is_ascii_digit()
                && rest[..7].iter().all(u8::is_ascii_digit)
                && rest[7..].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            {
                return ImporterNumber { text: t.into(), kind_code: ImporterNumberKind::Irs as u8 };
            }
        }
        let sig: Vec<u8> = t.bytes().filter(|c| !matches!(c, b'-' | b' ')).collect();
        let dash_at: Vec<usize> = {
            let mut v = Vec::new();
            let mut pos = 0usize;
            for c in t.bytes() {
                if c == b'-' {
                    v.push(pos);
                } else if c != b' ' {
                    pos += 1;
                }
            }
            v
        };
        let digits = |r: std::ops::Range<usize>| sig[r].iter().all(u8::is_ascii_digit);
        let up = |b: &[u8]| String::from_utf8_lossy(b).to_ascii_uppercase();
        let (text, kind) = if sig.len() == 11 && dash_at == [6] && digits(0..11) {
            (format!("{}-{}", up(&sig[..6]), up(&sig[6..])), ImporterNumberKind::CbpAssigned)
        } else if sig.len() == 11
            && (dash_at.is_empty() || dash_at == [2])
            && digits(0..9)
            && sig[9..].iter().all(u8::is_ascii_alphanumeric)
        {
            (format!("{}-{}", up(&sig[..2]), up(&sig[2..])), ImporterNumberKind::Irs)
        } else if sig.len() == 9 && (dash_at.is_empty() || dash_at == [3, 5]) && digits(0..9) {
            (format!("{}-{}-{}", up(&sig[..3]), up(&sig[3..5]), up(&sig[5..])), ImporterNumberKind::Ssn)
        } else {
            (t.to_owned(), ImporterNumberKind::Unknown)
        };
        ImporterNumber { text: text.into_boxed_str(), kind_code: kind as u8 }
    }

    /// The normalised text (the raw text for unknown forms).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Which form was recognised.
    pub fn kind(&self) -> ImporterNumberKind {
        match self.kind_code {
            0 => ImporterNumberKind::Irs,
            1 => ImporterNumberKind::CbpAssigned,
            2 => ImporterNumberKind::Ssn,
            _ => ImporterNumberKind::Unknown,
        }
    }

    /// True when the form was not recognised and the text is kept verbatim.
    pub fn is_unrecognised(&self) -> bool {
        self.kind() == ImporterNumberKind::Unknown
    }
}

impl fmt::Display for ImporterNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for ImporterNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImporterNumber({}, {})", self.text, self.kind().name())
    }
}

impl serde::Serialize for ImporterNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for ImporterNumber {
    /// Reads what `Serialize` writes, exactly: a text that [`ImporterNumber::parse`] keeps as it is gets the
    /// kind `parse` gives; any other text was kept verbatim as an unrecognised number (the canonical forms are
    /// fixed points of `parse`), and stays so.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let parsed = ImporterNumber::parse(&s);
        Ok(if *parsed.text == *s {
            parsed
        } else {
            ImporterNumber { text: s.into(), kind_code: ImporterNumberKind::Unknown as u8 }
        })
    }
}

/// An ISO 3166-1 alpha-2 country code (upper case).
///
/// # Example
///
/// ```
/// let c: cape_core::CountryCode = "cn".parse()?;
/// assert_eq!(c.as_str(), "CN");
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a two-letter code.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] unless the text is exactly two ASCII letters.
    pub fn parse(s: &str) -> Result<Self> {
        Self::parse_bytes(s.as_bytes())
            .ok_or_else(|| Error::value(ErrorKind::InvalidValue, "country code", s, "expected two letters"))
    }

    pub(crate) fn parse_bytes(s: &[u8]) -> Option<Self> {
        let b = crate::values::text::unwrap_excel(s);
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(CountryCode([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
        } else {
            None
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl FromStr for CountryCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

macro_rules! entry_types {
    ($( $code:literal => $variant:ident, $desc:literal; )*) => {
        /// An entry type code (CBP Form 7501, Block 2). Codes cape does not know are kept, not rejected.
        ///
        /// # Example
        ///
        /// ```
        /// use cape_core::EntryType;
        /// assert_eq!(EntryType::parse("1")?, EntryType::Consumption);
        /// assert_eq!(EntryType::parse("01")?.code(), "01");
        /// assert_eq!(EntryType::parse("99")?, EntryType::Other(99));
        /// # Ok::<(), cape_core::Error>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EntryType {
            $(
                #[doc = $desc]
                $variant,
            )*
            /// A two-digit code not in cape's list, kept as given.
            Other(u8),
        }

        impl EntryType {
            /// The entry type for a numeric code.
            pub fn from_code(code: u8) -> Self {
                match code {
                    $( $code => EntryType::$variant, )*
                    other => EntryType::Other(other),
                }
            }

            /// The numeric code.
            pub fn number(self) -> u8 {
                match self {
                    $( EntryType::$variant => $code, )*
                    EntryType::Other(c) => c,
                }
            }

            /// A short description, or `None` for codes cape does not know.
            pub fn description(self) -> Option<&'static str> {
                match self {
                    $( EntryType::$variant => Some($desc), )*
                    EntryType::Other(_) => None,
                }
            }
        }
    };
}

entry_types! {
    1 => Consumption, "01 consumption";
    2 => QuotaVisa, "02 consumption, quota/visa";
    3 => AdCvd, "03 consumption, antidumping/countervailing duty";
    4 => Appraisement, "04 appraisement";
    5 => VesselRepair, "05 vessel repair";
    6 => FtzConsumption, "06 foreign trade zone consumption";
    7 => QuotaVisaAdCvd, "07 quota/visa and AD/CVD";
    8 => DutyDeferral, "08 NAFTA/USMCA duty deferral";
    9 => Reconciliation, "09 reconciliation summary";
    11 => Informal, "11 informal";
    12 => InformalQuota, "12 informal, quota/visa";
    21 => Warehouse, "21 warehouse";
    22 => Rewarehouse, "22 re-warehouse";
    23 => TemporaryImportBond, "23 temporary importation under bond";
    24 => TradeFair, "24 trade fair";
    25 => PermanentExhibition, "25 permanent exhibition";
    26 => FtzAdmission, "26 warehouse, foreign trade zone admission";
    31 => WarehouseWithdrawal, "31 warehouse withdrawal for consumption";
    32 => WarehouseWithdrawalQuota, "32 warehouse withdrawal, quota/visa";
    34 => WarehouseWithdrawalAdCvd, "34 warehouse withdrawal, AD/CVD";
    38 => WarehouseWithdrawalQuotaAdCvd, "38 warehouse withdrawal, quota/visa and AD/CVD";
    47 => Drawback, "47 drawback";
    51 => Dcma, "51 Defense Contract Management Agency (military)";
    52 => OtherGovernment, "52 government, dutiable";
    61 => ImmediateTransportation, "61 immediate transportation (in-bond)";
    62 => TransportationExportation, "62 transportation and exportation (in-bond)";
    63 => ImmediateExportation, "63 immediate exportation (in-bond)";
    86 => Section321, "86 Section 321 (de minimis) type 86";
}

impl EntryType {
    /// Parses `1`, `01`, `="01"`, ` 01 `.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`ErrorKind::InvalidValue`] unless the text is one or two digits.
    pub fn parse(s: &str) -> Result<Self> {
        Self::parse_bytes(s.as_bytes())
            .ok_or_else(|| Error::value(ErrorKind::InvalidValue, "entry type", s, "expected a one- or two-digit code"))
    }

    pub(crate) fn parse_bytes(s: &[u8]) -> Option<Self> {
        let b = crate::values::text::unwrap_excel(s);
        if b.is_empty() || b.len() > 2 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = b.iter().fold(0u8, |a, &c| a * 10 + (c - b'0'));
        Some(EntryType::from_code(n))
    }

    /// The two-digit code as text (`"01"`).
    pub fn code(self) -> String {
        format!("{:02}", self.number())
    }

    /// True when cape knows the code.
    pub fn is_known(self) -> bool {
        !matches!(self, EntryType::Other(_))
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.number())
    }
}

impl serde::Serialize for EntryType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads the two-digit code back (as [`EntryType::parse`]), so that a value holding an entry type round-trips.
impl<'de> serde::Deserialize<'de> for EntryType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EntryType::parse_bytes(s.as_bytes())
            .ok_or_else(|| serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &"a one- or two-digit code"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn importer_forms() {
        let n = ImporterNumber::parse("12-345678900");
        assert_eq!((n.as_str(), n.kind()), ("12-345678900", ImporterNumberKind::Irs));
        let n = ImporterNumber::parse("=\"12345678AB\"");
        assert_eq!(n.kind(), ImporterNumberKind::Unknown, "10 characters is no known form");
        let n = ImporterNumber::parse("123456789ab");
        assert_eq!((n.as_str(), n.kind()), ("12-3456789AB", ImporterNumberKind::Irs));
        let n = ImporterNumber::parse("950101-12345");
        assert_eq!((n.as_str(), n.kind()), ("950101-12345", ImporterNumberKind::CbpAssigned));
        let n = ImporterNumber::parse("123456789");
        assert_eq!((n.as_str(), n.kind()), ("123-45-6789", ImporterNumberKind::Ssn));
        let n = ImporterNumber::parse(" weird#1 ");
        assert_eq!((n.as_str(), n.kind()), ("weird#1", ImporterNumberKind::Unknown));
        assert!(n.is_unrecognised());
    }

    #[test]
    fn entry_types() {
        assert_eq!(EntryType::parse("=\"06\"").unwrap(), EntryType::FtzConsumption);
        assert_eq!(EntryType::parse("47").unwrap().description(), Some("47 drawback"));
        assert_eq!(EntryType::parse("13").unwrap(), EntryType::Other(13));
        assert_eq!(EntryType::Other(13).to_string(), "13");
        assert!(EntryType::parse("123").is_err());
        assert!(EntryType::parse("A1").is_err());
        for c in 0..100u8 {
            assert_eq!(EntryType::from_code(c).number(), c);
        }
    }

    #[test]
    fn codes() {
        assert_eq!(CountryCode::parse(" na ").unwrap().as_str(), "NA");
        assert!(CountryCode::parse("CHN").is_err());
        assert_eq!(FilerCode::parse("a1z").unwrap().as_str(), "A1Z");
        assert!(FilerCode::parse("AB").is_err());
    }
}
