//! The mergeable partial result of a run, and the fingerprint that says which partials may merge.

use std::fmt::Write as _;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::assess::{AssessOptions, AssessTotals, EntryAssessment, Tables};
use crate::diagnostic::DiagnosticCode;
use crate::refund::{Consolidation, ConsolidationOptions};
use crate::{Diagnostic, Error, ErrorKind, IngestSummary, Result};

/// The version of [`Partial`]'s serialised form (for pickling and sending between processes), its first byte.
pub const PARTIAL_FORMAT_VERSION: u8 = 2;

/// What a partial result was computed with: a SHA-256 over cape's version, the tables (catalogue, rule sets,
/// rates, calendar), the rule set applied and every assessment and consolidation option. Two partials merge
/// only when their fingerprints are equal, so a sum never mixes entries assessed under different rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A `fmt::Write` into a hash, so the tables are hashed as they are formatted, without a copy.
struct HashWriter(Sha256);

impl std::fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl Fingerprint {
    /// The fingerprint of a run with these tables and options, applying the rule set named `rule_set`.
    ///
    /// The tables are hashed through their `Debug` form, which lists every row in order (they hold no hash
    /// maps); the options' sets and maps are hashed sorted, so the fingerprint is the same in every process.
    pub fn of(tables: &Tables, rule_set: &str, assess: &AssessOptions, consolidation: &ConsolidationOptions) -> Self {
        // Destructured so that a new option cannot be forgotten here: it fails to compile until it is hashed.
        let AssessOptions {
            as_of,
            rules: _, // the rule set's resolved name is hashed instead: `auto` and `phase2` may be the same
            claim,
            schedule,
            actions,
            deposit,
            interest,
            default_class,
            class_overrides,
            already_accepted,
        } = assess;
        let mut w = HashWriter(Sha256::new());
        let mut overrides: Vec<_> = class_overrides.iter().collect();
        overrides.sort_by(|a, b| a.0.cmp(b.0));
        let mut accepted: Vec<u64> = already_accepted.iter().map(|e| e.key()).collect();
        accepted.sort_unstable();
        // Writing into a hash cannot fail.
        let _ = write!(
            w,
            "cape {}\npartial v{PARTIAL_FORMAT_VERSION}\n{tables:?}\n{rule_set:?}\n{as_of}\n{claim:?}\n{schedule:?}\n\
             {actions:?}\n{deposit:?}\n{interest:?}\n{default_class:?}\n{overrides:?}\n{accepted:?}\n{consolidation:?}\n",
            crate::VERSION
        );
        Fingerprint(w.0.finalize().into())
    }
}

/// The partial result of a run over some entries: everything but the per-entry results, which the caller
/// received one by one (and may keep here, in [`Partial::entries`]).
///
/// Partials of the parts of a report (its partitions, its files, the halves of one file) [`Partial::merge`]
/// into exactly the result of one run over them all: counts and sums of cents add, refunds consolidate, the
/// ingest balances add and diagnostics stay capped per code.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Partial {
    /// What the partial was computed with; partials merge only with equal fingerprints.
    pub fingerprint: Fingerprint,
    /// The assessment date.
    pub as_of: NaiveDate,
    /// The rule set applied.
    pub rule_set: String,
    /// Counts and sums by status.
    pub totals: AssessTotals,
    /// The refunds of the eligible entries, consolidated per recipient and liquidation date.
    pub consolidation: Consolidation,
    /// The ingest balance (rows read = used + rejected), summed over the parts.
    pub ingest: IngestSummary,
    /// The ingest diagnostics, in input order, at most [`IngestSummary::max_diagnostics_per_code`] per code
    /// (the exact counts are in [`IngestSummary::counts_by_code`]).
    pub diagnostics: Vec<Diagnostic>,
    /// The entries' assessments, in input order, when the run kept them ([`crate::run::assess_all`]); empty
    /// otherwise.
    pub entries: Vec<EntryAssessment>,
    /// How many partial results were merged into this one: 1 for one reader, 2 for a file run in two halves
    /// ([`crate::run::run_summary`]), the number of partitions for merged partitions.
    pub parts: u64,
}

impl Partial {
    pub(crate) fn empty(
        fingerprint: Fingerprint,
        as_of: NaiveDate,
        rule_set: String,
        consolidation: ConsolidationOptions,
    ) -> Self {
        Partial {
            fingerprint,
            as_of,
            rule_set,
            totals: AssessTotals::default(),
            consolidation: Consolidation::new(consolidation),
            // Replaced by the reader's in `Assessments::finish`.
            ingest: IngestSummary::empty("", crate::ingest::es003::SourceFormat::Records, u64::MAX),
            diagnostics: Vec::new(),
            entries: Vec::new(),
            parts: 1,
        }
    }

    /// Adds one entry's assessment to the totals and the consolidation (not to [`Partial::entries`]).
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] for sums beyond `Decimal`'s range.
    pub fn add(&mut self, a: &EntryAssessment) -> Result<()> {
        self.totals.add(a)?;
        if let Some(item) = a.refund_item() {
            self.consolidation.add(item)?;
        }
        Ok(())
    }

    /// Merges `other` (the entries after this partial's) into this one.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] (kind `invalid_value`) when the two were computed with different tables, rule
    /// sets or options (their [`Fingerprint`]s differ); [`Error::Overflow`] for sums beyond `Decimal`'s range.
    /// On error `self` is unchanged.
    pub fn merge(&mut self, other: Partial) -> Result<()> {
        if other.fingerprint != self.fingerprint {
            return Err(Error::value(
                ErrorKind::InvalidValue,
                "partial result",
                &format!("rule set {} as of {}", other.rule_set, other.as_of),
                format!(
                    "computed with other tables, rule set or options than this one (rule set {} as of {}): \
                     partials merge only when every table and option is the same",
                    self.rule_set, self.as_of
                ),
            ));
        }
        let mut totals = self.totals.clone();
        totals.merge(&other.totals)?;
        let mut consolidation = self.consolidation.clone();
        consolidation.merge(other.consolidation)?;
        self.totals = totals;
        self.consolidation = consolidation;
        // A class override is unused by the whole only when it is unused by both parts.
        let both: std::collections::BTreeSet<Box<str>> =
            unused_overrides(&self.diagnostics).intersection(&unused_overrides(&other.diagnostics)).cloned().collect();
        self.ingest.absorb_part(&mut self.diagnostics, &other.ingest, other.diagnostics);
        self.keep_unused_overrides(&both);
        self.entries.extend(other.entries);
        self.parts += other.parts;
        Ok(())
    }
}

/// The importers of the `ES003_UNKNOWN_OVERRIDE_IMPORTER` diagnostics among `diagnostics`.
fn unused_overrides(diagnostics: &[Diagnostic]) -> std::collections::BTreeSet<Box<str>> {
    diagnostics
        .iter()
        .filter(|d| d.code == DiagnosticCode::UnknownOverrideImporter)
        .filter_map(|d| d.value.clone())
        .collect()
}

impl Partial {
    /// Adds an `ES003_UNKNOWN_OVERRIDE_IMPORTER` warning (about the file, counted in the ingest summary) for each
    /// importer of `unseen`: class overrides that no entry of the run had.
    pub(crate) fn report_unused_overrides(&mut self, unseen: impl IntoIterator<Item = String>) {
        for importer in unseen {
            let message = format!(
                "the class override for importer {importer} is not used: no entry of this report has that \
                 importer number (check its spelling against the report's Importer Number)"
            );
            self.diagnostics.push(Diagnostic {
                source: self.ingest.source.as_str().into(),
                row: None,
                column: Some("Importer Number".into()),
                value: Some(crate::diagnostic::echo_value(&importer).into()),
                code: DiagnosticCode::UnknownOverrideImporter,
                message,
                entry: None,
            });
            self.ingest.warnings += 1;
            *self.ingest.counts_by_code.entry(DiagnosticCode::UnknownOverrideImporter).or_default() += 1;
        }
    }

    /// After a merge: keeps one `ES003_UNKNOWN_OVERRIDE_IMPORTER` warning for each importer of `unused` (unused
    /// by both parts) and drops the others (an importer one part had is used), with the counts.
    fn keep_unused_overrides(&mut self, unused: &std::collections::BTreeSet<Box<str>>) {
        let mut kept = std::collections::BTreeSet::new();
        let before = self.diagnostics.len();
        self.diagnostics.retain(|d| {
            d.code != DiagnosticCode::UnknownOverrideImporter
                || d.value.as_ref().is_some_and(|v| unused.contains(v) && kept.insert(v.clone()))
        });
        let dropped = (before - self.diagnostics.len()) as u64;
        if dropped > 0 {
            self.ingest.warnings = self.ingest.warnings.saturating_sub(dropped);
            let code = DiagnosticCode::UnknownOverrideImporter;
            match self.ingest.counts_by_code.get_mut(&code) {
                Some(n) if *n > dropped => *n -= dropped,
                _ => {
                    self.ingest.counts_by_code.remove(&code);
                }
            }
        }
    }

    /// The stable serialised form of this partial (for pickling and sending between processes): the byte
    /// [`PARTIAL_FORMAT_VERSION`], then every field ([`crate::values::serial`]), the entries' assessments
    /// included. [`Partial::from_bytes`] gives back an equal partial.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] if serialising fails (it does not for a partial cape computed).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let wire = PartialRef {
            fingerprint: self.fingerprint.to_string(),
            as_of: self.as_of,
            rule_set: &self.rule_set,
            totals: &self.totals,
            consolidation: &self.consolidation,
            ingest: &self.ingest,
            diagnostics: &self.diagnostics,
            entries: &self.entries,
            parts: self.parts,
        };
        crate::values::serial::to_bytes(PARTIAL_FORMAT_VERSION, "Partial", &wire)
    }

    /// Reads a partial written by [`Partial::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming the format version expected, for bytes of another version, truncated or
    /// altered bytes, or bytes that are not a partial.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let w: PartialOwned = crate::values::serial::from_bytes(PARTIAL_FORMAT_VERSION, "Partial", bytes)?;
        let fingerprint = Fingerprint::from_hex(&w.fingerprint).ok_or_else(|| Error::Format {
            source_name: "serialised Partial".into(),
            message: format!("fingerprint {:?} is not 64 hexadecimal digits", w.fingerprint),
        })?;
        Ok(Partial {
            fingerprint,
            as_of: w.as_of,
            rule_set: w.rule_set,
            totals: w.totals,
            consolidation: w.consolidation,
            ingest: w.ingest,
            diagnostics: w.diagnostics,
            entries: w.entries,
            parts: w.parts,
        })
    }
}

impl Fingerprint {
    /// Reads the 64 lower- or upper-case hexadecimal digits that `Display` writes.
    fn from_hex(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
            let hex = std::str::from_utf8(pair).ok()?;
            *o = u8::from_str_radix(hex, 16).ok()?;
        }
        Some(Fingerprint(out))
    }
}

/// A [`Partial`] as written by [`Partial::to_bytes`].
#[derive(serde::Serialize)]
struct PartialRef<'a> {
    fingerprint: String,
    as_of: NaiveDate,
    rule_set: &'a str,
    totals: &'a AssessTotals,
    consolidation: &'a Consolidation,
    ingest: &'a IngestSummary,
    diagnostics: &'a [Diagnostic],
    entries: &'a [EntryAssessment],
    parts: u64,
}

/// A [`Partial`] as read by [`Partial::from_bytes`].
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialOwned {
    fingerprint: String,
    as_of: NaiveDate,
    rule_set: String,
    totals: AssessTotals,
    consolidation: Consolidation,
    ingest: IngestSummary,
    diagnostics: Vec<Diagnostic>,
    entries: Vec<EntryAssessment>,
    parts: u64,
}
