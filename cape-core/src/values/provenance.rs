//! Provenance of reference data: how well a row of an embedded table (the duty catalogue, the interest rates,
//! the other-measures table) is supported by its sources.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How well a reference-data row is supported (see the reference README, "Confidence").
///
/// Ordered from the weakest to the strongest support, so that the minimum over rows is the lowest confidence.
/// Serialises (and deserialises) as its stable name, `low`, `medium` or `high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A single weak source.
    Low,
    /// A single secondary source, third-party copies of official text, or a checked inference.
    Medium,
    /// CBP or the Federal Register, a professional restating them, or two independent sources that agree.
    High,
}

impl Confidence {
    /// Every level, weakest first.
    pub const ALL: &'static [Confidence] = &[Confidence::Low, Confidence::Medium, Confidence::High];

    /// The stable lower-case name: `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }

    /// The stable name (the same as [`Confidence::as_str`]).
    pub fn name(self) -> &'static str {
        self.as_str()
    }

    /// Reads the exact name `high`, `medium` or `low` (as the embedded tables write it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Reads `high` / `medium` / `low` case-insensitively, surrounding spaces ignored (a table edited by hand).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::parse(&s.trim().to_ascii_lowercase())
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_order_and_serde_round_trip() {
        for &c in Confidence::ALL {
            assert_eq!(Confidence::parse(c.as_str()), Some(c));
            assert_eq!(Confidence::from_name(&format!(" {} ", c.as_str().to_uppercase())), Some(c));
            let json = serde_json::to_string(&c).expect("serialise");
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<Confidence>(&json).expect("deserialise"), c);
        }
        assert_eq!(Confidence::parse("High"), None);
        assert!(Confidence::Low < Confidence::Medium && Confidence::Medium < Confidence::High);
    }
}
