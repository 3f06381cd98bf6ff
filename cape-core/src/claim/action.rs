//! The next action for an entry and its deadline: what a broker does about it, for which client, by when.
//!
//! [`next_action`] maps an entry's claim (status and reasons) to a stable [`ActionCode`], an `act_by` date and
//! a one-line explanation. The mapping is data, like the eligibility checks: an ordered list of
//! [`ActionRule`]s ([`ActionRules`], `cape-core/data/next_actions.json`, carried by every [`RuleSet`]); the
//! first rule that matches gives the action and names the deadline that applies. A rule set may replace the
//! list (its `actions` key) and mark the reasons a later phase is expected to take (`later_phase`).
//!
//! # Deadlines
//!
//! | deadline | date | basis |
//! |---|---|---|
//! | `last_filing_day` | liquidation + the rule set's `last_day_offset` (79) − the validation lag (0); none while unliquidated | CSMS 68340863, CAPE.md §2 |
//! | `protest_by` | liquidation + the rule set's `protest_days` (180) | 19 USC 1514 |
//! | `court_by` | accrual + `court_limit_years` (2) | 28 USC 1581(i), 28 USC 2636(i) |
//! | `psc_by` | entry date + `psc_days_after_entry` (300), for an unliquidated entry (no PSC after liquidation) | 19 CFR 101.9(b), CAPE.md §3 |
//!
//! When a claim for the Court of International Trade accrues is unsettled: [`CourtAccrual`] is a parameter whose
//! default, the liquidation date, is the earliest (conservative) choice; the explanation says so.
//!
//! # File format
//!
//! ```json
//! { "version": "2026-12-01", "description": "...", "sources": ["19 USC 1514"],
//!   "court_limit_years": 2, "psc_days_after_entry": 300,
//!   "rules": [
//!     { "when_any": ["PAST_80_DAYS"], "action": "protest", "deadline": "protest_by", "while_open": true },
//!     { "when_status": ["eligible", "eligible_deferred"], "action": "declare", "deadline": "last_filing_day" }
//!   ] }
//! ```
//!
//! A rule matches when the entry has any of `when_any` (if given), all of `when_all` (if given) and a status in
//! `when_status` (if given); `while_open` skips the rule once its deadline has passed (or when it has none).
//! Unknown fields, codes, statuses, actions and deadlines are errors; the last rule must match every status, so
//! that every entry gets an action.

use std::fmt::Write as _;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::eligibility::{ClaimAssessment, ClaimStatus, ReasonCode};
use super::rules::RuleSet;
use crate::error::{Error, Result};
use crate::model::{Entry, Fact, FinalLiquidation};

/// The embedded action rules, `cape-core/data/next_actions.json`.
pub const EMBEDDED_ACTIONS_JSON: &str = include_str!("../../data/next_actions.json");

crate::values::codes::stable_codes! {
    /// What to do next about an entry: a stable code (the text form, e.g. `declare`, is a public contract).
    pub enum ActionCode: as_str {
        /// Declare the entry in CAPE (eligible or eligible with a deferred refund).
        Declare = "declare",
        /// Withdraw an IEEPA-only protest, then declare.
        WithdrawProtestThenDeclare = "withdraw_protest_then_declare",
        /// Correct the entry summary by post-summary correction (CAPE would reject it as filed), then declare.
        CorrectThenDeclare = "correct_then_declare",
        /// Fix the cancelled or rejected entry summary, then declare.
        FixEntrySummary = "fix_entry_summary",
        /// An AD/CVD entry pending liquidation: declare once it liquidates, within the filing window.
        DeclareAfterLiquidation = "declare_after_liquidation",
        /// Past the filing window, not final: protest under 19 USC 1514.
        Protest = "protest",
        /// Past the filing window with a protest already open: pursue that protest.
        FollowProtest = "follow_protest",
        /// Finally liquidated: an action at the Court of International Trade under 28 USC 1581(i).
        CourtAction = "court_action",
        /// A fact is missing, unreadable or contradictory: check the facts the reasons name.
        ReviewFacts = "review_facts",
        /// Already on an accepted declaration: follow the refund.
        TrackRefund = "track_refund",
        /// CAPE does not take the entry and CBP publishes no remedy within CAPE.
        OutsideCape = "outside_cape",
        /// Nothing to do (no IEEPA duty, or listed earlier in the same input).
        None = "none",
    }
}

impl ActionCode {
    /// The law or guidance the action rests on (the `basis` column of docs/codes.md).
    pub fn legal_basis(self) -> &'static str {
        match self {
            ActionCode::Declare => "CSMS 68340863 (CAPE Claim Portal); the 80-day window of CAPE.md §2",
            ActionCode::WithdrawProtestThenDeclare => "CSMS 68340863 check 7 (PROTEST ON ENTRY); CAPE.md §3 remedy",
            ActionCode::CorrectThenDeclare => "CSMS 69056483 (CAPE's entry errors); 19 CFR 101.9(b) (PSC)",
            ActionCode::FixEntrySummary => "CSMS 68340863 check 8 (ENTRY SUMMARY IS CANCELLED/REJECTED)",
            ActionCode::DeclareAfterLiquidation => "CSMS 68340863 check 9 (AD/CVD pending liquidation)",
            ActionCode::Protest => "19 USC 1514 (protest within 180 days of liquidation)",
            ActionCode::FollowProtest => "19 USC 1514, 1515 (the protest decides the entry)",
            ActionCode::CourtAction => "28 USC 1581(i); 28 USC 2636(i) (two years from accrual)",
            ActionCode::ReviewFacts => "cape's conventions (CAPE.md §10): unknown facts are never defaulted",
            ActionCode::TrackRefund => "19 USC 1505(b) (refund within 30 days of (re)liquidation)",
            ActionCode::OutsideCape => "CSMS 68340863 (entries CAPE excludes)",
            ActionCode::None => "none",
        }
    }

    /// True when the action asks something of the broker (every action but `none` and `track_refund`): the
    /// actions `cape plan` lists.
    pub fn is_due(self) -> bool {
        !matches!(self, ActionCode::None | ActionCode::TrackRefund)
    }
}

crate::values::codes::stable_codes! {
    /// Which deadline an action rule applies (see the [module documentation](self)).
    pub enum DeadlineRule: as_str {
        /// No deadline.
        None = "none",
        /// The last filing day (liquidation + the rule set's `last_day_offset`).
        LastFilingDay = "last_filing_day",
        /// The end of the protest period (liquidation + the rule set's `protest_days`).
        ProtestBy = "protest_by",
        /// The end of the two years for a Court of International Trade action.
        CourtBy = "court_by",
        /// The last day for a post-summary correction of an unliquidated entry (entry date + 300 days).
        PscBy = "psc_by",
    }
}

crate::values::codes::stable_codes! {
    /// When a claim at the Court of International Trade accrues (28 USC 2636(i)): unsettled, so a parameter.
    #[derive(Default)]
    pub enum CourtAccrual: as_str {
        /// The liquidation date: the earliest, conservative choice (the default).
        #[default]
        LiquidationDate = "liquidation_date",
        /// The day the liquidation became final: the `Final Liquidation` date where the report gives one, else
    /// liquidation + the protest period.
        FinalLiquidation = "final_liquidation",
    }
}

/// Caller parameters of [`next_action`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct ActionOptions {
    /// When a Court of International Trade claim accrues (default: the liquidation date).
    pub court_accrual: CourtAccrual,
    /// An action whose `act_by` is at most this many days after the as-of date is called urgent in its
    /// explanation. Default 14 (the same horizon as the claim's `urgent`).
    pub urgent_within_days: u32,
}

impl ActionOptions {
    /// The defaults: accrual at liquidation, 14 days' urgency.
    pub fn new() -> Self {
        ActionOptions { court_accrual: CourtAccrual::LiquidationDate, urgent_within_days: 14 }
    }
}

/// One rule of [`ActionRules`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRule {
    /// Matches when the entry has any of these reasons (empty: no condition).
    pub when_any: Vec<ReasonCode>,
    /// Matches when the entry has all of these reasons (empty: no condition).
    pub when_all: Vec<ReasonCode>,
    /// Matches when the entry's status is one of these (empty: no condition).
    pub when_status: Vec<ClaimStatus>,
    /// The action.
    pub action: ActionCode,
    /// The deadline that applies.
    pub deadline: DeadlineRule,
    /// Skip the rule once its deadline has passed (or when it has none).
    pub while_open: bool,
}

impl ActionRule {
    fn matches(&self, claim: &ClaimAssessment) -> bool {
        (self.when_any.is_empty() || self.when_any.iter().any(|c| claim.has(*c)))
            && self.when_all.iter().all(|c| claim.has(*c))
            && (self.when_status.is_empty() || self.when_status.contains(&claim.status))
    }
}

/// The ordered rules that map an entry's claim to its next action, as data. See the
/// [module documentation](self) for the file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRules {
    /// The version of the rules.
    pub version: String,
    /// One sentence on what the rules do.
    pub description: String,
    /// The law and guidance they rest on.
    pub sources: Vec<String>,
    /// Years for a Court of International Trade action after accrual (28 USC 2636(i): 2).
    pub court_limit_years: u32,
    /// Days after the entry date within which a post-summary correction can be filed (300).
    pub psc_days_after_entry: u32,
    /// The rules, first match wins.
    pub rules: Vec<ActionRule>,
}

/// A later phase a rule set expects to take some entries it rejects (e.g. Phase 3 for finally liquidated
/// entries); named in the explanation of those entries' actions ("watch for Phase 3").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaterPhase {
    /// The phase's name, e.g. `Phase 3`.
    pub name: String,
    /// The reasons whose entries the later phase is expected to take.
    pub reasons: Vec<ReasonCode>,
    /// What is known of it (e.g. "targeted for late July 2026; launch and rules unconfirmed").
    pub note: String,
}

/// The on-disk form of [`ActionRules`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionRulesFile {
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sources: Vec<String>,
    court_limit_years: u32,
    psc_days_after_entry: u32,
    rules: Vec<ActionRuleFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRuleFile {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    when_any: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    when_all: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    when_status: Vec<String>,
    action: String,
    deadline: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    while_open: bool,
}

/// The on-disk form of [`LaterPhase`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LaterPhaseFile {
    name: String,
    reasons: Vec<String>,
    #[serde(default)]
    note: String,
}

fn reason_codes(v: &[String], bad: &dyn Fn(String) -> Error) -> Result<Vec<ReasonCode>> {
    v.iter()
        .map(|c| {
            ReasonCode::from_code(c).ok_or_else(|| {
                let known: Vec<&str> = ReasonCode::ALL.iter().map(|r| r.as_str()).collect();
                bad(format!("unknown reason code {c:?}; known codes: {}", known.join(", ")))
            })
        })
        .collect()
}

impl ActionRules {
    /// Parses and validates action rules from their JSON text; `origin` names the source in errors.
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceData`] when the JSON is malformed or has unknown fields, a reason code, status, action
    /// or deadline is not one cape knows, a rule has no condition, or the last rule does not match every
    /// status (some entry would get no action).
    pub fn from_json_str(json: &str, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: origin.to_owned(), message };
        let f: ActionRulesFile =
            serde_json::from_str(json).map_err(|e| bad(format!("not a valid action-rules file: {e}")))?;
        Self::from_file(f, origin)
    }

    pub(crate) fn from_file(f: ActionRulesFile, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: origin.to_owned(), message };
        let mut rules = Vec::with_capacity(f.rules.len());
        for (i, r) in f.rules.iter().enumerate() {
            let at = |m: String| bad(format!("action rule {}: {m}", i + 1));
            let action = r.action.parse::<ActionCode>().map_err(|_| {
                let known: Vec<&str> = ActionCode::ALL.iter().map(|a| a.as_str()).collect();
                at(format!("unknown action {:?}; known actions: {}", r.action, known.join(", ")))
            })?;
            let deadline = r.deadline.parse::<DeadlineRule>().map_err(|_| {
                let known: Vec<&str> = DeadlineRule::ALL.iter().map(|a| a.as_str()).collect();
                at(format!("unknown deadline {:?}; known deadlines: {}", r.deadline, known.join(", ")))
            })?;
            let when_status = r
                .when_status
                .iter()
                .map(|s| ClaimStatus::from_name(s).ok_or_else(|| at(format!("unknown status {s:?}"))))
                .collect::<Result<Vec<_>>>()?;
            let rule = ActionRule {
                when_any: reason_codes(&r.when_any, &at)?,
                when_all: reason_codes(&r.when_all, &at)?,
                when_status,
                action,
                deadline,
                while_open: r.while_open,
            };
            if rule.when_any.is_empty() && rule.when_all.is_empty() && rule.when_status.is_empty() {
                return Err(at("has no condition (when_any, when_all or when_status)".into()));
            }
            rules.push(rule);
        }
        let all_statuses =
            [ClaimStatus::Eligible, ClaimStatus::EligibleDeferred, ClaimStatus::NeedsReview, ClaimStatus::Ineligible];
        // Every entry gets an action: the unconditional status rules, taken together, cover every status.
        let covered = all_statuses.iter().all(|s| {
            rules
                .iter()
                .any(|r| r.when_any.is_empty() && r.when_all.is_empty() && !r.while_open && r.when_status.contains(s))
        });
        if !covered {
            return Err(bad(
                "the rules leave some status without an action: add rules on `when_status` alone (without \
                 `while_open`) covering eligible, eligible_deferred, needs_review and ineligible"
                    .into(),
            ));
        }
        Ok(ActionRules {
            version: f.version,
            description: f.description,
            sources: f.sources,
            court_limit_years: f.court_limit_years,
            psc_days_after_entry: f.psc_days_after_entry,
            rules,
        })
    }

    /// The embedded rules (`cape-core/data/next_actions.json`).
    pub fn embedded() -> Self {
        Self::from_json_str(EMBEDDED_ACTIONS_JSON, "next_actions.json (embedded)")
            .expect("the embedded action rules are valid (tested)")
    }

    pub(crate) fn to_file(&self) -> ActionRulesFile {
        let codes = |v: &[ReasonCode]| v.iter().map(|c| c.as_str().to_owned()).collect();
        ActionRulesFile {
            version: self.version.clone(),
            description: self.description.clone(),
            sources: self.sources.clone(),
            court_limit_years: self.court_limit_years,
            psc_days_after_entry: self.psc_days_after_entry,
            rules: self
                .rules
                .iter()
                .map(|r| ActionRuleFile {
                    when_any: codes(&r.when_any),
                    when_all: codes(&r.when_all),
                    when_status: r.when_status.iter().map(|s| s.name().to_owned()).collect(),
                    action: r.action.as_str().to_owned(),
                    deadline: r.deadline.as_str().to_owned(),
                    while_open: r.while_open,
                })
                .collect(),
        }
    }
}

impl Default for ActionRules {
    fn default() -> Self {
        Self::embedded()
    }
}

impl LaterPhase {
    pub(crate) fn from_file(f: LaterPhaseFile, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::ReferenceData { source_name: origin.to_owned(), message };
        let at = |m: String| bad(format!("later_phase: {m}"));
        Ok(LaterPhase { name: f.name, reasons: reason_codes(&f.reasons, &at)?, note: f.note })
    }

    pub(crate) fn to_file(&self) -> LaterPhaseFile {
        LaterPhaseFile {
            name: self.name.clone(),
            reasons: self.reasons.iter().map(|c| c.as_str().to_owned()).collect(),
            note: self.note.clone(),
        }
    }
}

/// An entry's next action: a stable code, the day to act by (or none) and a one-line explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextAction {
    /// The action.
    pub code: ActionCode,
    /// The last day to act, when a deadline runs.
    pub act_by: Option<NaiveDate>,
    /// One line: what to do, by when, and why that day.
    pub note: String,
}

impl Default for NextAction {
    fn default() -> Self {
        NextAction { code: ActionCode::None, act_by: None, note: String::new() }
    }
}

fn add_days(d: NaiveDate, days: u32) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(u64::from(days)))
}

/// The deadlines of one entry, computed only when a rule asks for them.
struct Deadlines<'a> {
    entry: &'a Entry,
    claim: &'a ClaimAssessment,
    rules: &'a RuleSet,
    options: &'a ActionOptions,
}

impl Deadlines<'_> {
    fn protest_by(&self) -> Option<NaiveDate> {
        add_days(self.claim.liquidation_date?, self.rules.protest_days)
    }

    fn accrual(&self) -> Option<NaiveDate> {
        match self.options.court_accrual {
            CourtAccrual::LiquidationDate => self.claim.liquidation_date,
            // The `Final Liquidation` date where the report gives one, else the end of the protest period.
            CourtAccrual::FinalLiquidation => match &self.entry.header.final_liquidation {
                Fact::Known(FinalLiquidation::On(d)) => Some(*d),
                _ => self.protest_by(),
            },
        }
    }

    fn court_by(&self) -> Option<NaiveDate> {
        self.accrual()?.checked_add_months(Months::new(self.rules.actions.court_limit_years.checked_mul(12)?))
    }

    /// A post-summary correction is filed before liquidation (ACE takes none after it), within
    /// `psc_days_after_entry` of the entry date: none for an entry with a liquidation date.
    fn psc_by(&self) -> Option<NaiveDate> {
        if self.claim.liquidation_date.is_some() {
            return None;
        }
        add_days(self.entry.header.entry_date?, self.rules.actions.psc_days_after_entry)
    }

    fn get(&self, rule: DeadlineRule) -> Option<NaiveDate> {
        match rule {
            DeadlineRule::None => None,
            // The last day to upload: CAPE judges the window on the day it validates.
            DeadlineRule::LastFilingDay => self
                .claim
                .last_filing_day
                .and_then(|d| d.checked_sub_days(Days::new(u64::from(self.claim.validation_lag_days)))),
            DeadlineRule::ProtestBy => self.protest_by(),
            DeadlineRule::CourtBy => self.court_by(),
            DeadlineRule::PscBy => self.psc_by(),
        }
    }
}

/// The next action for an assessed entry: the first of the rule set's action rules that matches its claim,
/// with that rule's deadline and a one-line explanation naming the dates.
///
/// Never fails: a deadline that cannot be computed (no liquidation date, dates beyond chrono's range) is none.
///
/// # Example
///
/// ```
/// use cape_core::claim::{assess_claim, next_action, ActionCode, ActionOptions, ClaimInputs, ClaimOptions, RuleSet};
/// use cape_core::{Entry, EntryHeader, EntryType, Fact};
/// use chrono::NaiveDate;
///
/// let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
/// let entry = Entry {
///     number: "ABC-1234567-6".parse()?,
///     header: EntryHeader {
///         entry_type: Fact::Known(EntryType::Consumption),
///         liquidation_date: Fact::Known(d(2026, 3, 2)),
///         entry_date: Some(d(2025, 9, 3)),
///         ..Default::default()
///     },
///     lines: vec![], conflicting: false, split: false, first_row: 2,
/// };
/// let rules = RuleSet::phase2();
/// let inputs = ClaimInputs { has_dutiable_ieepa: true, ..Default::default() };
/// let claim = assess_claim(&entry, &inputs, &rules, d(2026, 7, 1), &ClaimOptions::default());
/// let action = next_action(&entry, &claim, &rules, &ActionOptions::new());
/// // Liquidated 2026-03-02: the 80-day window closed on 2026-05-20; a protest is due by 2026-08-29.
/// assert_eq!((action.code, action.act_by), (ActionCode::Protest, Some(d(2026, 8, 29))));
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn next_action(entry: &Entry, claim: &ClaimAssessment, rules: &RuleSet, options: &ActionOptions) -> NextAction {
    let deadlines = Deadlines { entry, claim, rules, options };
    let chosen = rules.actions.rules.iter().find_map(|r| {
        if !r.matches(claim) {
            return None;
        }
        let act_by = deadlines.get(r.deadline);
        if r.while_open && act_by.is_none_or(|d| d < claim.as_of) {
            return None;
        }
        Some((r.action, act_by))
    });
    // The rules are validated to cover every status; the fallback only guards hand-built rule lists.
    let (code, act_by) = chosen.unwrap_or((ActionCode::ReviewFacts, None));
    let note = explain(code, act_by, &deadlines);
    NextAction { code, act_by, note }
}

/// The reason codes of the claim, in order, joined for an explanation (`ON_DRAWBACK, SURETY_PAID`).
fn codes(claim: &ClaimAssessment, effect_at_least: super::Effect) -> String {
    let mut out = String::new();
    for r in claim.reasons.iter().filter(|r| r.effect >= effect_at_least) {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(r.code.as_str());
    }
    out
}

fn explain(code: ActionCode, act_by: Option<NaiveDate>, dl: &Deadlines<'_>) -> String {
    let claim = dl.claim;
    let rules = dl.rules;
    let mut s = String::with_capacity(160);
    let by = |s: &mut String, d: Option<NaiveDate>| {
        if let Some(d) = d {
            let left = (d - claim.as_of).num_days();
            match left {
                0 => {
                    let _ = write!(s, " by {d} (today");
                }
                // A deadline already past (a review of an entry whose window may have closed): said plainly.
                ..0 => {
                    let _ = write!(s, " by {d} (passed {} day{} ago", -left, if left == -1 { "" } else { "s" });
                }
                _ => {
                    let _ = write!(s, " by {d} ({left} day{} left", if left == 1 { "" } else { "s" });
                }
            }
            if left <= i64::from(dl.options.urgent_within_days) {
                s.push_str(", urgent");
            }
            s.push(')');
        }
    };
    let protest = || match &dl.entry.header.protest_number {
        Fact::Known(n) if !n.trim().is_empty() => format!("protest {n}"),
        _ => "the protest".to_owned(),
    };
    match code {
        ActionCode::Declare => {
            s.push_str("Declare in CAPE");
            match act_by {
                Some(_) => {
                    by(&mut s, act_by);
                    match (claim.validation_lag_days, claim.last_filing_day) {
                        (0, _) | (_, None) => s.push_str(", the last filing day after liquidation"),
                        (lag, Some(last)) => {
                            let _ = write!(s, ": the last filing day {last} less the {lag}-day validation lag");
                        }
                    }
                }
                None => s.push_str("; no filing deadline runs while the entry is unliquidated"),
            }
            if claim.status == ClaimStatus::EligibleDeferred {
                s.push_str("; the refund waits for the entry's normal liquidation");
            }
        }
        ActionCode::WithdrawProtestThenDeclare => {
            let _ = write!(s, "Withdraw {} if it covers only IEEPA duty, then declare in CAPE", protest());
            by(&mut s, act_by);
        }
        ActionCode::CorrectThenDeclare => {
            s.push_str(
                "CAPE would reject the entry as filed: file a post-summary correction (see the reasons), then declare",
            );
            by(&mut s, act_by);
            s.push_str("; a PSC is possible up to 300 days after entry and 15 days before scheduled liquidation");
        }
        ActionCode::FixEntrySummary => {
            s.push_str("The entry summary is cancelled or rejected: fix it in ACE, then declare");
            by(&mut s, act_by);
        }
        ActionCode::DeclareAfterLiquidation => {
            let _ = write!(
                s,
                "AD/CVD entry pending liquidation: CAPE rejects it until it liquidates; declare within {} days \
                 after liquidation",
                rules.last_day_offset
            );
        }
        ActionCode::Protest => {
            let _ = write!(
                s,
                "Past the CAPE filing window (last filing day {}): protest under 19 USC 1514",
                claim.last_filing_day.map_or_else(|| "unknown".to_owned(), |d| d.to_string())
            );
            by(&mut s, act_by);
            let _ = write!(s, ", {} days after liquidation", rules.protest_days);
        }
        ActionCode::FollowProtest => {
            let _ = write!(s, "Past the CAPE filing window with {} open: pursue the protest", protest());
        }
        ActionCode::CourtAction => {
            if claim.has(ReasonCode::FinallyLiquidated) {
                s.push_str("Finally liquidated");
            } else {
                let _ = write!(
                    s,
                    "The {}-day protest period ended {}",
                    rules.protest_days,
                    dl.protest_by().map_or_else(|| "unknown".to_owned(), |d| d.to_string())
                );
            }
            let _ = write!(
                s,
                ": an action at the Court of International Trade under 28 USC 1581(i) within {} years \
                 (28 USC 2636(i))",
                rules.actions.court_limit_years
            );
            by(&mut s, act_by);
            match (dl.options.court_accrual, act_by) {
                (CourtAccrual::LiquidationDate, Some(_)) => s.push_str(
                    ", counted from the liquidation date: when the claim accrues is unsettled, and that is the \
                     earliest date",
                ),
                (CourtAccrual::FinalLiquidation, Some(_)) => {
                    s.push_str(", counted from the day the liquidation became final (accrual is unsettled)")
                }
                (_, None) => s.push_str("; no liquidation date is given, so the two years cannot be dated"),
            }
        }
        ActionCode::ReviewFacts => {
            if claim.has(ReasonCode::CorrectionNeeded) {
                s.push_str(
                    "CAPE would reject the entry as filed and a post-summary correction is no longer possible \
                     (the entry is liquidated, or past the PSC window): ask CBP to correct the entry summary, or \
                     protest after liquidation; ",
                );
            }
            let _ = write!(s, "Check the facts the reasons name ({})", codes(claim, super::Effect::Review));
            if act_by.is_some() {
                s.push_str(", then declare");
                by(&mut s, act_by);
            }
        }
        ActionCode::TrackRefund => {
            s.push_str("Already on a declaration CAPE accepted: follow the refund");
        }
        ActionCode::OutsideCape => {
            let _ = write!(
                s,
                "CAPE does not take this entry ({}); no remedy within CAPE",
                codes(claim, super::Effect::Ineligible)
            );
        }
        ActionCode::None => {
            if claim.has(ReasonCode::DuplicateInInput) {
                s.push_str("Nothing to do here: the entry is listed earlier in this input, which carries its action");
            } else if claim.has(ReasonCode::NoDutiableIeepa) {
                s.push_str("Nothing to do: the entry carries no dutiable IEEPA duty");
            } else {
                s.push_str("Nothing to do");
            }
        }
    }
    if let Some(phase) = &rules.later_phase {
        if phase.reasons.iter().any(|c| claim.has(*c)) {
            let _ = write!(s, "; watch for {}", phase.name);
            if !phase.note.is_empty() {
                let _ = write!(s, " ({})", phase.note);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_parse_and_round_trip() {
        let r = ActionRules::embedded();
        assert!(r.rules.len() > 10);
        let json = serde_json::to_string(&r.to_file()).unwrap();
        assert_eq!(ActionRules::from_json_str(&json, "round trip").unwrap().rules, r.rules);
    }

    #[test]
    fn bad_rules_are_clear_errors() {
        let base = |rules: &str| {
            format!(r#"{{"version":"x","court_limit_years":2,"psc_days_after_entry":300,"rules":[{rules}]}}"#)
        };
        let all = r#"{"when_status":["eligible","eligible_deferred","needs_review","ineligible"],"action":"none","deadline":"none"}"#;
        let err = |rules: &str| ActionRules::from_json_str(&base(rules), "t.json").unwrap_err().to_string();
        assert!(err(&format!(r#"{{"when_any":["NOPE"],"action":"none","deadline":"none"}},{all}"#))
            .contains("unknown reason code \"NOPE\""));
        assert!(err(&format!(r#"{{"when_any":["SURETY_PAID"],"action":"fly","deadline":"none"}},{all}"#))
            .contains("action rule 1: unknown action \"fly\""));
        assert!(err(&format!(r#"{{"action":"none","deadline":"none"}},{all}"#)).contains("has no condition"));
        assert!(err(r#"{"when_status":["eligible"],"action":"declare","deadline":"last_filing_day"}"#)
            .contains("leave some status without an action"));
        assert!(ActionRules::from_json_str(&base(all), "t.json").is_ok());
    }
}
