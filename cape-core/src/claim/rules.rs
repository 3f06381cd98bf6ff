//! Versioned CAPE rule sets: which checks apply in each phase, as data.
//!
//! A rule set is a small JSON document (see `cape-core/data/rules_phase1.json`). It names the [`Check`]s that
//! apply, the entry types excluded outright, how reconciliation-flagged entries are handled, the 80-day offset,
//! the protest period and the deferred-refund categories. Phase 1 and Phase 2 are embedded; a later phase is a new
//! file loaded with [`RuleSet::from_json_str`] / [`RuleSet::from_path`] and added with [`RuleSets::insert`] — at
//! most a new [`Check`] variant is needed in code.
//!
//! # File format
//!
//! ```json
//! {
//!   "name": "phase1", "version": "2026-04-13", "effective": "2026-04-20",
//!   "description": "...", "sources": ["CSMS 68340863"],
//!   "checks": ["dutiable_ieepa", "excluded_entry_type", "recon_flag", "..."],
//!   "excluded_entry_types": [{ "entry_type": "09", "reason": "RECON_ENTRY_TYPE" }],
//!   "recon": { "flagged": "ineligible", "allowed_entry_types": [] },
//!   "last_day_offset": 79, "protest_days": 180,
//!   "deferred": {
//!     "liquidation_statuses": ["suspended", "extended", "under_review"],
//!     "warehouse_entry_types": ["21", "22"], "warehouse_only_while_unliquidated": true,
//!     "withdrawal_entry_types": ["31", "32", "34", "38"], "withdrawal_only_while_unliquidated": true,
//!     "adcvd_suspended": true
//!   }
//! }
//! ```
//!
//! Unknown fields, unknown check ids, unknown reason codes and malformed dates or entry types are errors.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::action::{ActionRules, ActionRulesFile, LaterPhase, LaterPhaseFile};
use super::eligibility::{Effect, ReasonCode};
use crate::error::{Error, Result};
use crate::model::LiquidationStatus;
use crate::EntryType;

/// The embedded Phase 1 rule set, `cape-core/data/rules_phase1.json`.
pub const EMBEDDED_PHASE1_JSON: &str = include_str!("../../data/rules_phase1.json");

/// The embedded Phase 2 rule set, `cape-core/data/rules_phase2.json`.
pub const EMBEDDED_PHASE2_JSON: &str = include_str!("../../data/rules_phase2.json");

/// The selector that picks a rule set by the as-of date ([`RuleSets::select`]).
pub const AUTO: &str = "auto";

macro_rules! checks {
    ($( $(#[$m:meta])* $variant:ident = $id:literal; )*) => {
        crate::values::codes::stable_codes! {
            /// One eligibility predicate. Rule-set files refer to checks by their stable [`Check::id`], e.g.
            /// `recon_flag`.
            pub enum Check: id {
                $( $(#[$m])* $variant = $id, )*
            }
        }

        impl Check {
            /// The check with this id.
            pub fn from_id(id: &str) -> Option<Self> {
                id.parse().ok()
            }
        }
    };
}

checks! {
    /// CSMS check 1: the entry carries at least one dutiable IEEPA Chapter 99 number (`NO_DUTIABLE_IEEPA`).
    DutiableIeepa = "dutiable_ieepa";
    /// The entry type is known; without it checks 3, 5 and 6 cannot be made (`UNKNOWN_ENTRY_TYPE`, review).
    EntryTypeKnown = "entry_type_known";
    /// The entry type is not excluded outright (09, 47, 08...; the reason comes from the rule set). Types 23
    /// and 86 name `NO_IEEPA_ENTRY_TYPE`, a review reported only when such an entry carries dutiable IEEPA duty.
    ExcludedEntryType = "excluded_entry_type";
    /// CSMS check 2: not flagged for reconciliation, as the rule set's [`ReconHandling`] says.
    ReconFlag = "recon_flag";
    /// CSMS check 4: not linked to a drawback claim (`ON_DRAWBACK`).
    DrawbackLink = "drawback_link";
    /// CSMS check 7: no open or suspended protest (`PROTEST_ON_ENTRY`).
    Protest = "protest";
    /// CSMS check 8: the entry summary is accepted (`SUMMARY_NOT_ACCEPTED`).
    SummaryStatus = "summary_status";
    /// CSMS check 9: AD/CVD entries pending liquidation are rejected (`ADCVD_PENDING_LIQUIDATION`).
    AdcvdPendingLiquidation = "adcvd_pending_liquidation";
    /// CSMS check 10, second half: not finally liquidated (`FINALLY_LIQUIDATED`).
    FinalLiquidation = "final_liquidation";
    /// CSMS check 10: not past the last filing day after liquidation (`PAST_80_DAYS`), with the liquidation-fact
    /// conventions (`LIQUIDATED_WITHOUT_DATE`, `UNKNOWN_LIQUIDATION_STATUS`).
    LiquidationWindow = "liquidation_window";
    /// The surety did not pay the IEEPA duty (`SURETY_PAID`).
    SuretyPaid = "surety_paid";
    /// The entry is not listed twice in the batch (`DUPLICATE_IN_INPUT`).
    DuplicateInInput = "duplicate_in_input";
    /// The entry is not already on an accepted declaration (`ALREADY_DECLARED`).
    AlreadyDeclared = "already_declared";
    /// Deferred refund while liquidation is suspended, extended or under review.
    LiquidationDeferred = "liquidation_deferred";
    /// Deferred refund for warehouse entries and warehouse withdrawals.
    WarehouseDeferred = "warehouse_deferred";
    /// Deferred refund for AD/CVD entries still suspended awaiting Commerce (`ADCVD_SUSPENDED`).
    AdcvdSuspended = "adcvd_suspended";
    /// A mass-processing finding predicts an entry-level CAPE rejection (`CORRECTION_NEEDED`, review).
    PredictedRejection = "predicted_rejection";
    /// Dutiable IEEPA numbers but no IEEPA principal above 0.00 (`NO_REFUNDABLE_PRINCIPAL`, review).
    RefundablePrincipal = "refundable_principal";
}

/// An entry type excluded outright, with the reason reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryTypeExclusion {
    /// The entry type.
    pub entry_type: EntryType,
    /// The reason code reported for it: an ineligible code, or `NO_IEEPA_ENTRY_TYPE` (review, only when the
    /// entry carries dutiable IEEPA duty).
    pub reason: ReasonCode,
}

/// How entries flagged for reconciliation are treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReconHandling {
    /// Flagged entries are ineligible (Phase 1).
    Ineligible,
    /// Flagged entries of these types are allowed when no type 09 reconciliation entry was filed (Phase 2); other
    /// flagged entries are ineligible.
    AllowedWithoutType09 {
        /// The entry types admitted (01, 02, 06 in Phase 2).
        entry_types: Vec<EntryType>,
    },
}

/// The deferred-refund categories: accepted by CAPE, refunded only at the entry's normal liquidation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredCategories {
    /// Liquidation statuses that defer the refund (suspended, extended, under review).
    pub liquidation_statuses: Vec<LiquidationStatus>,
    /// Warehouse entry types (21, 22).
    pub warehouse_entry_types: Vec<EntryType>,
    /// Warehouse entries are deferred only while unliquidated.
    pub warehouse_only_while_unliquidated: bool,
    /// Warehouse withdrawal types (31, 32, 34, 38): refund after all withdrawals.
    pub withdrawal_entry_types: Vec<EntryType>,
    /// Withdrawals are deferred only while not yet liquidated (CAPE.md §10; default true).
    pub withdrawal_only_while_unliquidated: bool,
    /// AD/CVD entries still suspended awaiting Commerce are deferred.
    pub adcvd_suspended: bool,
}

/// One phase's eligibility rules, as data. See the [module documentation](self) for the file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    /// The selector name, e.g. `phase1`.
    pub name: String,
    /// The version of the rules (usually the date of the guidance).
    pub version: String,
    /// The first day the rules apply in CAPE.
    pub effective: NaiveDate,
    /// One sentence on what the phase admits.
    pub description: String,
    /// Public sources (CSMS message numbers).
    pub sources: Vec<String>,
    /// The checks that apply, in the order their reasons are listed.
    pub checks: Vec<Check>,
    /// Entry types excluded outright.
    pub excluded_entry_types: Vec<EntryTypeExclusion>,
    /// Treatment of reconciliation-flagged entries.
    pub recon: ReconHandling,
    /// Last eligible day = liquidation date + this many days (79 by cape's convention; 80 is the alternative).
    pub last_day_offset: u32,
    /// The protest period after liquidation, in days (19 USC 1514: 180), named in the remedy.
    pub protest_days: u32,
    /// Deferred-refund categories.
    pub deferred: DeferredCategories,
    /// The rules that give each entry its next action ([`super::action`]); the embedded ones unless the file
    /// has an `actions` key.
    pub actions: ActionRules,
    /// The later phase expected to take some entries this rule set rejects (file key `later_phase`).
    pub later_phase: Option<LaterPhase>,
    /// Where the rule set came from (a file name, or `rules_phase1.json (embedded)`).
    pub origin: String,
}

/// The on-disk form of a rule set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSetFile {
    name: String,
    version: String,
    effective: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sources: Vec<String>,
    checks: Vec<String>,
    #[serde(default)]
    excluded_entry_types: Vec<ExclusionFile>,
    recon: ReconFile,
    last_day_offset: u32,
    #[serde(default = "default_protest_days")]
    protest_days: u32,
    deferred: DeferredFile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actions: Option<ActionRulesFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    later_phase: Option<LaterPhaseFile>,
}

fn default_protest_days() -> u32 {
    180
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionFile {
    entry_type: String,
    reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReconFile {
    flagged: String,
    #[serde(default)]
    allowed_entry_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeferredFile {
    #[serde(default)]
    liquidation_statuses: Vec<String>,
    #[serde(default)]
    warehouse_entry_types: Vec<String>,
    #[serde(default = "yes")]
    warehouse_only_while_unliquidated: bool,
    #[serde(default)]
    withdrawal_entry_types: Vec<String>,
    #[serde(default = "yes")]
    withdrawal_only_while_unliquidated: bool,
    #[serde(default)]
    adcvd_suspended: bool,
}

fn yes() -> bool {
    true
}

impl RuleSet {
    /// Parses and validates a rule set from its JSON text.
    ///
    /// `origin` names the source in errors (a file name, or anything the caller likes).
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] when the JSON is malformed or has unknown fields, or a check id, reason code,
    /// entry type, liquidation status, recon handling or date is not one cape knows, naming the value and the
    /// accepted ones.
    pub fn from_json_str(json: &str, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: origin.to_owned(), message };
        let f: RuleSetFile = serde_json::from_str(json).map_err(|e| bad(format!("not a valid rule-set file: {e}")))?;
        if f.name.trim().is_empty() || f.name.eq_ignore_ascii_case(AUTO) {
            return Err(bad(format!("rule-set name {:?} is empty or reserved", f.name)));
        }
        let effective = NaiveDate::parse_from_str(&f.effective, "%Y-%m-%d")
            .map_err(|_| bad(format!("effective date {:?} is not YYYY-MM-DD", f.effective)))?;
        let mut checks = Vec::with_capacity(f.checks.len());
        for id in &f.checks {
            let c = Check::from_id(id).ok_or_else(|| {
                let known: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
                bad(format!("unknown check id {id:?}; known checks: {}", known.join(", ")))
            })?;
            if checks.contains(&c) {
                return Err(bad(format!("check {id:?} is listed twice")));
            }
            checks.push(c);
        }
        let entry_type =
            |s: &str| EntryType::parse(s).map_err(|_| bad(format!("entry type {s:?} is not a one- or two-digit code")));
        let entry_types = |v: &[String]| v.iter().map(|s| entry_type(s)).collect::<Result<Vec<_>>>();
        let mut excluded_entry_types = Vec::new();
        for x in &f.excluded_entry_types {
            let reason = ReasonCode::from_code(&x.reason)
                .filter(|r| r.effect() == Effect::Ineligible || *r == ReasonCode::NoIeepaEntryType)
                .ok_or_else(|| {
                    bad(format!(
                        "exclusion reason {:?} is not an ineligible reason code or NO_IEEPA_ENTRY_TYPE",
                        x.reason
                    ))
                })?;
            excluded_entry_types.push(EntryTypeExclusion { entry_type: entry_type(&x.entry_type)?, reason });
        }
        let recon = match f.recon.flagged.as_str() {
            "ineligible" => ReconHandling::Ineligible,
            "allowed_without_type_09" => {
                ReconHandling::AllowedWithoutType09 { entry_types: entry_types(&f.recon.allowed_entry_types)? }
            }
            other => {
                return Err(bad(format!(
                    "recon.flagged {other:?} is not one of \"ineligible\", \"allowed_without_type_09\""
                )))
            }
        };
        let mut liquidation_statuses = Vec::new();
        for s in &f.deferred.liquidation_statuses {
            liquidation_statuses.push(
                LiquidationStatus::from_word(s)
                    .ok_or_else(|| bad(format!("deferred liquidation status {s:?} is not a liquidation status")))?,
            );
        }
        let deferred = DeferredCategories {
            liquidation_statuses,
            warehouse_entry_types: entry_types(&f.deferred.warehouse_entry_types)?,
            warehouse_only_while_unliquidated: f.deferred.warehouse_only_while_unliquidated,
            withdrawal_entry_types: entry_types(&f.deferred.withdrawal_entry_types)?,
            withdrawal_only_while_unliquidated: f.deferred.withdrawal_only_while_unliquidated,
            adcvd_suspended: f.deferred.adcvd_suspended,
        };
        let actions = match f.actions {
            Some(a) => ActionRules::from_file(a, origin)?,
            None => ActionRules::embedded(),
        };
        let later_phase = f.later_phase.map(|p| LaterPhase::from_file(p, origin)).transpose()?;
        Ok(RuleSet {
            name: f.name,
            version: f.version,
            effective,
            description: f.description,
            sources: f.sources,
            checks,
            excluded_entry_types,
            recon,
            last_day_offset: f.last_day_offset,
            protest_days: f.protest_days,
            deferred,
            actions,
            later_phase,
            origin: origin.to_owned(),
        })
    }

    /// Reads and validates a rule-set file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; otherwise as [`RuleSet::from_json_str`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(name.clone(), e))?;
        Self::from_json_str(&text, &name)
    }

    /// The embedded Phase 1 rule set (effective 2026-04-20, CSMS 68340863).
    pub fn phase1() -> Self {
        Self::from_json_str(EMBEDDED_PHASE1_JSON, "rules_phase1.json (embedded)")
            .expect("the embedded Phase 1 rule set is valid (tested)")
    }

    /// The embedded Phase 2 rule set (effective 2026-06-29, CSMS 69035485).
    pub fn phase2() -> Self {
        Self::from_json_str(EMBEDDED_PHASE2_JSON, "rules_phase2.json (embedded)")
            .expect("the embedded Phase 2 rule set is valid (tested)")
    }

    /// True when the rule set applies `check`.
    pub fn applies(&self, check: Check) -> bool {
        self.checks.contains(&check)
    }

    /// A copy with another last-day offset (79 by default; 80 counts day 80 itself as eligible).
    pub fn with_last_day_offset(mut self, days: u32) -> Self {
        self.last_day_offset = days;
        self
    }

    /// The rule set in its file form, as pretty JSON (round-trips through [`RuleSet::from_json_str`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_file()).unwrap_or_default()
    }

    fn to_file(&self) -> RuleSetFile {
        let codes = |v: &[EntryType]| v.iter().map(|t| t.code()).collect::<Vec<_>>();
        RuleSetFile {
            name: self.name.clone(),
            version: self.version.clone(),
            effective: self.effective.format("%Y-%m-%d").to_string(),
            description: self.description.clone(),
            sources: self.sources.clone(),
            checks: self.checks.iter().map(|c| c.id().to_owned()).collect(),
            excluded_entry_types: self
                .excluded_entry_types
                .iter()
                .map(|x| ExclusionFile { entry_type: x.entry_type.code(), reason: x.reason.as_str().to_owned() })
                .collect(),
            recon: match &self.recon {
                ReconHandling::Ineligible => {
                    ReconFile { flagged: "ineligible".into(), allowed_entry_types: Vec::new() }
                }
                ReconHandling::AllowedWithoutType09 { entry_types } => {
                    ReconFile { flagged: "allowed_without_type_09".into(), allowed_entry_types: codes(entry_types) }
                }
            },
            last_day_offset: self.last_day_offset,
            protest_days: self.protest_days,
            deferred: DeferredFile {
                liquidation_statuses: self.deferred.liquidation_statuses.iter().map(|s| s.name().to_owned()).collect(),
                warehouse_entry_types: codes(&self.deferred.warehouse_entry_types),
                warehouse_only_while_unliquidated: self.deferred.warehouse_only_while_unliquidated,
                withdrawal_entry_types: codes(&self.deferred.withdrawal_entry_types),
                withdrawal_only_while_unliquidated: self.deferred.withdrawal_only_while_unliquidated,
                adcvd_suspended: self.deferred.adcvd_suspended,
            },
            actions: Some(self.actions.to_file()),
            later_phase: self.later_phase.as_ref().map(LaterPhase::to_file),
        }
    }
}

impl Serialize for RuleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_file().serialize(s)
    }
}

/// The rule sets a caller can choose from, ordered by effective date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSets {
    sets: Vec<RuleSet>,
}

impl RuleSets {
    /// The embedded rule sets: `phase1` and `phase2`.
    pub fn embedded() -> Self {
        let mut s = RuleSets { sets: Vec::new() };
        s.insert(RuleSet::phase1());
        s.insert(RuleSet::phase2());
        s
    }

    /// An empty collection (add rule sets with [`RuleSets::insert`]).
    pub fn empty() -> Self {
        RuleSets { sets: Vec::new() }
    }

    /// Adds a rule set, replacing one of the same name; keeps the collection ordered by effective date.
    pub fn insert(&mut self, set: RuleSet) {
        self.sets.retain(|s| s.name != set.name);
        let at = self.sets.partition_point(|s| s.effective <= set.effective);
        self.sets.insert(at, set);
    }

    /// The rule sets, ordered by effective date.
    pub fn all(&self) -> &[RuleSet] {
        &self.sets
    }

    /// The rule set with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The rule set in force on `as_of`: the latest whose effective date is on or before it; for dates before
    /// every effective date, the earliest rule set (CAPE's first phase). `None` only when the collection is empty.
    pub fn auto(&self, as_of: NaiveDate) -> Option<&RuleSet> {
        self.sets.iter().rev().find(|s| s.effective <= as_of).or_else(|| self.sets.first())
    }

    /// Selects by name, or by the as-of date when `selector` is `auto` (see [`RuleSets::auto`]).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] of kind [`InvalidValue`](crate::ErrorKind::InvalidValue) when no rule set has that
    /// name (the message lists the names available) or the collection is empty.
    pub fn select(&self, selector: &str, as_of: NaiveDate) -> Result<&RuleSet> {
        let found = if selector.trim().eq_ignore_ascii_case(AUTO) { self.auto(as_of) } else { self.get(selector) };
        found.ok_or_else(|| {
            let names: Vec<&str> = self.sets.iter().map(|s| s.name.as_str()).collect();
            Error::value(
                crate::ErrorKind::InvalidValue,
                "rule set",
                selector,
                format!("expected \"auto\" or one of: {}", names.join(", ")),
            )
        })
    }
}

/// Which rule set an assessment applies: the one in force on the assessment date, or one by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum RuleChoice {
    /// The rule set in force on the as-of date ([`RuleSets::auto`]).
    #[default]
    Auto,
    /// The rule set of this name (`phase1`, `phase2`, or one the caller added).
    Named(String),
}

impl RuleChoice {
    /// `auto` (any case, spaces ignored) or a rule set's name.
    pub fn parse(text: &str) -> Self {
        if text.trim().eq_ignore_ascii_case(AUTO) {
            RuleChoice::Auto
        } else {
            RuleChoice::Named(text.to_owned())
        }
    }
}

impl std::fmt::Display for RuleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleChoice::Auto => f.write_str(AUTO),
            RuleChoice::Named(n) => f.write_str(n),
        }
    }
}

impl From<&str> for RuleChoice {
    fn from(text: &str) -> Self {
        RuleChoice::parse(text)
    }
}

impl From<String> for RuleChoice {
    fn from(text: String) -> Self {
        RuleChoice::parse(&text)
    }
}

impl RuleSets {
    /// The rule set `choice` names, or the one in force on `as_of` for [`RuleChoice::Auto`].
    ///
    /// # Errors
    ///
    /// As [`RuleSets::select`].
    pub fn choose(&self, choice: &RuleChoice, as_of: NaiveDate) -> Result<&RuleSet> {
        match choice {
            RuleChoice::Auto => self.select(AUTO, as_of),
            RuleChoice::Named(n) => self.select(n, as_of),
        }
    }
}

impl Default for RuleSets {
    fn default() -> Self {
        Self::embedded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sets_parse_and_round_trip() {
        for set in RuleSets::embedded().all() {
            let again = RuleSet::from_json_str(&set.to_json(), &set.origin).unwrap();
            assert_eq!(&again, set);
        }
    }

    #[test]
    fn unknown_check_is_a_clear_error() {
        let json = EMBEDDED_PHASE1_JSON.replace("\"surety_paid\"", "\"surety_payed\"");
        let e = RuleSet::from_json_str(&json, "x.json").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("unknown check id \"surety_payed\"") && msg.contains("surety_paid"), "{msg}");
    }
}
