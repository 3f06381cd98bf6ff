//! Claim eligibility of one entry as of a date, under a [`RuleSet`].
//!
//! [`assess_claim`] runs every check the rule set lists and returns a [`ClaimAssessment`]: the status (the worst
//! effect among the reasons), every reason with a stable code, a plain-English message and CBP's own text where
//! CBP published one, and the 80-day window figures.
//!
//! # Conventions (CAPE.md §2, §10)
//!
//! - Liquidation: blank (or absent) status with blank date = unliquidated; blank status with a date = liquidated
//!   on that date; `liquidated` without a date, or a word cape cannot read, = `needs_review`.
//! - `last_filing_day` = liquidation date + `last_day_offset` and `days_left` = `last_filing_day` − as-of are
//!   reported for every entry that has a liquidation date, whatever its status; the 80-day rule itself applies
//!   only to liquidated entries.
//! - `Final Liquidation` holds a Y/N flag or a date: with a date the entry is finally liquidated when the as-of
//!   date is on or after it.
//! - An absent optional column means "not flagged"; a present but unreadable value (an Excel error value such as
//!   `#N/A` included) makes the entry `needs_review`: `UNREADABLE_FACT`, naming the column and the raw text, once
//!   per column, for every header and line column. Three columns have codes of their own (`UNKNOWN_ENTRY_TYPE`,
//!   `UNKNOWN_LIQUIDATION_STATUS`, `PROTEST_STATUS_UNKNOWN`); `Column 1 Current Primary Duty Rate` is not checked
//!   (a compound rate is not bad data, and floor lines report `FLOOR_MFN_RATE_UNKNOWN`). A protest number
//!   without a status is `needs_review`.
//! - Entries whose rows conflict, or with an unreadable optional value, are always `needs_review`
//!   (`CONFLICTING_ROWS`, `UNREADABLE_FACT`), whatever the rule set lists: conventions about the data, not phase
//!   rules.
//! - Every reason is listed: a warehouse entry or withdrawal whose liquidation is suspended, extended or under
//!   review lists both the liquidation reason and `WAREHOUSE_ENTRY` / `WAREHOUSE_WITHDRAWAL`. Warehouse types are
//!   deferred only while not yet liquidated (unliquidated or one of those statuses); once liquidated they are
//!   ordinary entries with the 80-day window.
//! - Types 23 (TIB) and 86 (de minimis) normally carry no IEEPA duty; one that carries dutiable IEEPA duty is
//!   `needs_review` (`NO_IEEPA_ENTRY_TYPE`, the amount said), not ineligible. Without dutiable IEEPA it is
//!   ineligible by `NO_DUTIABLE_IEEPA` alone.
//! - A mass-processing finding that predicts an entry-level CAPE rejection (`INVALID HTS`, goods value on an
//!   IEEPA row, IEEPA duty after IEEPA's end) makes the entry `needs_review` (`CORRECTION_NEEDED`, naming each
//!   finding and its post-summary correction); the refund amount is unchanged. An entry with dutiable IEEPA but
//!   no principal above 0.00 is never `eligible` (`NO_REFUNDABLE_PRINCIPAL`).
//! - Phase 2 admits recon-flagged 01/02/06 entries when no `Reconciliation Entry Number` is given, and says so in
//!   a `RECON_ASSUMED_NO_TYPE_09` note.

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::cbp;
use super::rules::{Check, ReconHandling, RuleSet};
use crate::ingest::columns::Column;
use crate::mass::Finding;
use crate::model::{AdCvdStatus, Entry, Fact, FinalLiquidation, LiquidationStatus, ProtestStatus, SummaryStatus};
use crate::{EntryNumber, Usd};

/// What a reason does to the entry's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Information only; the status is unchanged.
    Note,
    /// Accepted, but the refund waits for the entry's normal liquidation.
    Deferred,
    /// A fact is missing, contradictory or unreadable: a person must look.
    Review,
    /// CAPE would reject the entry.
    Ineligible,
}

impl Effect {
    /// The stable lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Note => "note",
            Effect::Deferred => "deferred",
            Effect::Review => "review",
            Effect::Ineligible => "ineligible",
        }
    }
}

macro_rules! reasons {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $effect:ident, $cbp:expr; )*) => {
        crate::values::codes::stable_codes! {
            /// A stable reason code. The text form ([`ReasonCode::as_str`], e.g. `FLAGGED_FOR_RECON`) is a public
            /// contract.
            pub enum ReasonCode: as_str {
                $( $(#[$m])* $variant = $code, )*
            }
        }

        impl ReasonCode {
            /// The code for a text code (exact, upper case).
            pub fn from_code(s: &str) -> Option<Self> {
                s.parse().ok()
            }

            /// The effect this code always has.
            pub fn effect(self) -> Effect {
                match self { $( ReasonCode::$variant => Effect::$effect, )* }
            }

            /// CBP's own message for this failure (as ACE returns it), where CBP published one.
            pub fn cbp_message(self) -> Option<&'static str> {
                match self { $( ReasonCode::$variant => $cbp, )* }
            }
        }
    };
}

reasons! {
    /// The entry has no dutiable IEEPA Chapter 99 number (CSMS check 1; CBP: "no IEEPA Ch99 code").
    NoDutiableIeepa = "NO_DUTIABLE_IEEPA", Ineligible, None;
    /// Flagged for reconciliation (check 2).
    FlaggedForRecon = "FLAGGED_FOR_RECON", Ineligible, Some(cbp::FLAGGED_FOR_RECON);
    /// A type 09 reconciliation entry (check 3).
    ReconEntryType = "RECON_ENTRY_TYPE", Ineligible, None;
    /// Linked to a drawback claim (check 4).
    OnDrawback = "ON_DRAWBACK", Ineligible, Some(cbp::ENTRY_ON_DRAWBACK);
    /// A type 47 drawback entry (check 5).
    DrawbackEntryType = "DRAWBACK_ENTRY_TYPE", Ineligible, None;
    /// A type 08 USMCA duty-deferral entry (check 6).
    DutyDeferralEntryType = "DUTY_DEFERRAL_ENTRY_TYPE", Ineligible, None;
    /// An entry type that normally carries no IEEPA duty (23 TIB, 86 de minimis) carries dutiable IEEPA duty:
    /// check the entry type and the duty (CAPE.md §2 excludes no such type by name).
    NoIeepaEntryType = "NO_IEEPA_ENTRY_TYPE", Review, None;
    /// Another entry type a rule set excludes (for later phases).
    ExcludedEntryType = "EXCLUDED_ENTRY_TYPE", Ineligible, None;
    /// An open or suspended protest (check 7).
    ProtestOnEntry = "PROTEST_ON_ENTRY", Ineligible, Some(cbp::PROTEST_ON_ENTRY);
    /// The entry summary is cancelled or rejected (check 8).
    SummaryNotAccepted = "SUMMARY_NOT_ACCEPTED", Ineligible, Some(cbp::SUMMARY_CANCELLED_REJECTED);
    /// AD/CVD entry pending liquidation under Commerce instructions (check 9).
    AdcvdPendingLiquidation = "ADCVD_PENDING_LIQUIDATION", Ineligible, None;
    /// Past the last filing day after liquidation (check 10).
    Past80Days = "PAST_80_DAYS", Ineligible, Some(cbp::FINAL_LIQUIDATION);
    /// Finally liquidated (check 10).
    FinallyLiquidated = "FINALLY_LIQUIDATED", Ineligible, Some(cbp::FINAL_LIQUIDATION);
    /// The surety paid the IEEPA duty.
    SuretyPaid = "SURETY_PAID", Ineligible, None;
    /// The entry is listed earlier in the same batch.
    DuplicateInInput = "DUPLICATE_IN_INPUT", Ineligible, None;
    /// The entry is already on an accepted declaration.
    AlreadyDeclared = "ALREADY_DECLARED", Ineligible, None;
    /// Liquidation suspended: refund deferred to liquidation.
    LiquidationSuspended = "LIQUIDATION_SUSPENDED", Deferred, None;
    /// Liquidation extended: refund deferred to liquidation.
    LiquidationExtended = "LIQUIDATION_EXTENDED", Deferred, None;
    /// Liquidation under review: refund deferred to liquidation.
    LiquidationUnderReview = "LIQUIDATION_UNDER_REVIEW", Deferred, None;
    /// An unliquidated warehouse entry (21/22): refund deferred.
    WarehouseEntry = "WAREHOUSE_ENTRY", Deferred, None;
    /// A warehouse withdrawal (31/32/34/38): refund after all withdrawals.
    WarehouseWithdrawal = "WAREHOUSE_WITHDRAWAL", Deferred, None;
    /// AD/CVD still suspended awaiting Commerce: refund deferred.
    AdcvdSuspended = "ADCVD_SUSPENDED", Deferred, None;
    /// The liquidation status is a word cape cannot read.
    UnknownLiquidationStatus = "UNKNOWN_LIQUIDATION_STATUS", Review, None;
    /// Status "liquidated" (or final) without a liquidation date: the 80-day window cannot be computed.
    LiquidatedWithoutDate = "LIQUIDATED_WITHOUT_DATE", Review, None;
    /// A protest number without a readable protest status.
    ProtestStatusUnknown = "PROTEST_STATUS_UNKNOWN", Review, None;
    /// The entry's rows disagree (see the ingest diagnostics).
    ConflictingRows = "CONFLICTING_ROWS", Review, None;
    /// An optional column is present but its value for this entry cannot be read.
    UnreadableFact = "UNREADABLE_FACT", Review, None;
    /// The entry type is missing, blank or a code cape does not know.
    UnknownEntryType = "UNKNOWN_ENTRY_TYPE", Review, None;
    /// A mass-processing finding predicts that CAPE rejects the entry (`INVALID HTS`, goods value on an IEEPA
    /// row, IEEPA duty after IEEPA's end): correct the entry summary by post-summary correction, then declare.
    CorrectionNeeded = "CORRECTION_NEEDED", Review, None;
    /// The entry carries dutiable IEEPA numbers but no IEEPA principal above 0.00: nothing to refund.
    NoRefundablePrincipal = "NO_REFUNDABLE_PRINCIPAL", Review, None;
    /// Phase 2 recon admission assumed no type 09 was filed (no `Reconciliation Entry Number` given).
    ReconAssumedNoType09 = "RECON_ASSUMED_NO_TYPE_09", Note, None;
}

/// One reason about an entry's eligibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// What the reason does to the status.
    pub effect: Effect,
    /// A plain-English message naming the dates and values concerned.
    pub message: String,
    /// CBP's own message text (as ACE returns it), where CBP published one.
    pub cbp_message: Option<&'static str>,
}

/// What [`Reason`]'s `Serialize` writes, read back: `cbp_message` is CBP's text for the code (a static list),
/// so it is derived from the code rather than read.
#[derive(Deserialize)]
struct ReasonFields {
    code: ReasonCode,
    effect: Effect,
    message: String,
    #[serde(rename = "cbp_message")]
    _cbp_message: Option<String>,
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        ReasonFields::deserialize(d).map(Reason::from)
    }
}

impl From<ReasonFields> for Reason {
    fn from(r: ReasonFields) -> Self {
        Reason { code: r.code, effect: r.effect, message: r.message, cbp_message: r.code.cbp_message() }
    }
}

impl Reason {
    /// A reason with the code's effect and CBP message.
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Reason { code, effect: code.effect(), message: message.into(), cbp_message: code.cbp_message() }
    }
}

/// The claim status of an entry. Ordered by precedence: the worst reason wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Can be declared; refund follows acceptance.
    Eligible,
    /// Can be declared; the refund waits for the entry's normal liquidation.
    EligibleDeferred,
    /// A person must resolve a missing or contradictory fact first.
    NeedsReview,
    /// CAPE would reject the entry.
    Ineligible,
}

impl ClaimStatus {
    /// The stable name: `eligible`, `eligible_deferred`, `needs_review`, `ineligible`.
    pub fn name(self) -> &'static str {
        match self {
            ClaimStatus::Eligible => "eligible",
            ClaimStatus::EligibleDeferred => "eligible_deferred",
            ClaimStatus::NeedsReview => "needs_review",
            ClaimStatus::Ineligible => "ineligible",
        }
    }

    /// The status for a name (see [`ClaimStatus::name`]).
    pub fn from_name(s: &str) -> Option<Self> {
        [ClaimStatus::Eligible, ClaimStatus::EligibleDeferred, ClaimStatus::NeedsReview, ClaimStatus::Ineligible]
            .into_iter()
            .find(|c| c.name() == s)
    }

    /// True for `eligible` and `eligible_deferred`: the entry goes on a declaration.
    pub fn is_declarable(self) -> bool {
        matches!(self, ClaimStatus::Eligible | ClaimStatus::EligibleDeferred)
    }

    fn from_effect(e: Option<Effect>) -> Self {
        match e {
            None | Some(Effect::Note) => ClaimStatus::Eligible,
            Some(Effect::Deferred) => ClaimStatus::EligibleDeferred,
            Some(Effect::Review) => ClaimStatus::NeedsReview,
            Some(Effect::Ineligible) => ClaimStatus::Ineligible,
        }
    }
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Facts about an entry that come from outside the entry itself; the caller computes them (the assessor from
/// mass processing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ClaimInputs<'a> {
    /// The entry carries at least one dutiable IEEPA Chapter 99 number (from mass processing).
    pub has_dutiable_ieepa: bool,
    /// The refund principal mass processing computed ([`Removal::ieepa_duty`](crate::mass::Removal)); `None`
    /// when the caller did not compute it (then `NO_REFUNDABLE_PRINCIPAL` is not checked).
    pub ieepa_principal: Option<Usd>,
    /// The entry's mass-processing findings; those that [predict a rejection](crate::mass::FindingCode::predicts_rejection)
    /// make the entry `needs_review` (`CORRECTION_NEEDED`). Empty when the caller has none.
    pub findings: &'a [Finding],
    /// The entry already appeared earlier in the same batch (this occurrence is the repeat).
    pub duplicate_in_input: bool,
    /// The entry is already on a declaration CAPE accepted (e.g. from earlier results files).
    pub already_accepted: bool,
}

/// Caller parameters of [`assess_claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ClaimOptions {
    /// An entry is `urgent` when its last filing day is at most this many days after the as-of date (default 14).
    pub urgent_within_days: u32,
    /// Overrides the rule set's `last_day_offset` (79; 80 makes day 80 itself eligible). `None` keeps it.
    pub last_day_offset: Option<u32>,
    /// Days from upload to CAPE's batch validation (24–48 h at peaks; default 0). The 80-day rule counts to
    /// validation, so an entry is past the window when as-of + this lag is after its last filing day, and the
    /// last day to upload is the last filing day − the lag. The [`crate::assess::Assessor`] sets it from
    /// [`crate::refund::ScheduleOptions::acceptance_lag_days`] (`--acceptance-lag`), the one setting of the lag.
    pub validation_lag_days: u32,
}

/// The name of [`ClaimOptions`] before 0.2 (every options type is now named `*Options`).
pub type ClaimParams = ClaimOptions;

impl Default for ClaimOptions {
    fn default() -> Self {
        ClaimOptions { urgent_within_days: 14, last_day_offset: None, validation_lag_days: 0 }
    }
}

/// The claim assessment of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimAssessment {
    /// The entry.
    pub entry_number: EntryNumber,
    /// The importer of record, as written (used to split declarations per importer).
    pub importer_number: Option<String>,
    /// The entry type code (`"01"`), when known.
    pub entry_type: Option<String>,
    /// The status: the worst effect among [`ClaimAssessment::reasons`].
    pub status: ClaimStatus,
    /// True for `eligible_deferred`.
    pub deferred_refund: bool,
    /// Every reason: `CONFLICTING_ROWS` and `UNREADABLE_FACT` (checked for every entry) first, then the rule
    /// set's checks in its order.
    pub reasons: Vec<Reason>,
    /// The rule set applied (its name).
    pub rule_set: String,
    /// The version of that rule set.
    pub rule_set_version: String,
    /// The assessment date.
    pub as_of: NaiveDate,
    /// The liquidation date, when the entry has one.
    pub liquidation_date: Option<NaiveDate>,
    /// Liquidation date + last-day offset, for every entry with a liquidation date.
    pub last_filing_day: Option<NaiveDate>,
    /// `last_filing_day` − as-of, in days (negative once past).
    pub days_left: Option<i64>,
    /// A liquidated entry, not ineligible, whose last filing day is within the caller's horizon.
    pub urgent: bool,
    /// The validation lag the window was judged with ([`ClaimOptions::validation_lag_days`]): the last day to
    /// upload is `last_filing_day` − this.
    #[serde(default)]
    pub validation_lag_days: u32,
}

impl ClaimAssessment {
    /// True when the entry goes on a declaration (`eligible` or `eligible_deferred`).
    pub fn is_declarable(&self) -> bool {
        self.status.is_declarable()
    }

    /// True when some reason has this code.
    pub fn has(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }
}

/// The liquidation state cape derives from the status and date facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Liq {
    Unliquidated,
    Liquidated,
    Other,
}

fn raw_of<T>(f: &Fact<T>) -> Option<&str> {
    match f {
        Fact::Unreadable(raw) => Some(raw.as_str()),
        _ => None,
    }
}

/// Reports, once per column, every optional fact of the entry that is present but unreadable (`UNREADABLE_FACT`,
/// naming the column and the raw text), header and line columns alike. It runs for every entry whatever the rule
/// set lists, as `CONFLICTING_ROWS` does: it is a convention about the data (CAPE.md §10), not a CBP rule that
/// changes with the phase, and one place keeps a column from being reported twice.
///
/// Three columns have a code of their own, reported by their check when the rule set applies it: `Entry Type
/// Code` (`UNKNOWN_ENTRY_TYPE`), `Liquidation Status` (`UNKNOWN_LIQUIDATION_STATUS`) and `Protest Status`
/// (`PROTEST_STATUS_UNKNOWN`). `Column 1 Current Primary Duty Rate` is not checked: a compound rate is not
/// unreadable data, and the rate matters only on floor lines, where mass processing already reports
/// `FLOOR_MFN_RATE_UNKNOWN` (the principal an upper bound).
fn facts_readable(entry: &Entry, rules: &RuleSet, reasons: &mut Vec<Reason>) {
    let h = &entry.header;
    let owned = |check: Check| rules.applies(check);
    let header: [(Column, Option<&str>); 28] = [
        (Column::EntryType, raw_of(&h.entry_type).filter(|_| !owned(Check::EntryTypeKnown))),
        (Column::ImporterNumber, raw_of(&h.importer_number)),
        (Column::ImporterName, raw_of(&h.importer_name)),
        (Column::FilerName, raw_of(&h.filer_name)),
        (Column::PortOfEntry, raw_of(&h.port_of_entry)),
        (Column::EntrySummaryDate, raw_of(&h.entry_summary_date)),
        (Column::InitialSummaryCreateDate, raw_of(&h.initial_summary_create_date)),
        (Column::ImportationDate, raw_of(&h.importation_date)),
        (Column::LiquidationDate, raw_of(&h.liquidation_date)),
        (Column::LiquidationStatus, raw_of(&h.liquidation_status).filter(|_| !owned(Check::LiquidationWindow))),
        (Column::FinalLiquidation, raw_of(&h.final_liquidation)),
        (Column::ReconciliationIndicator, raw_of(&h.reconciliation_flag)),
        (Column::PscIndicator, raw_of(&h.psc_flag)),
        (Column::ProtestNumber, raw_of(&h.protest_number)),
        (Column::ProtestStatus, raw_of(&h.protest_status).filter(|_| !owned(Check::Protest))),
        (Column::ControlStatus, raw_of(&h.control_status)),
        (Column::ReviewTeam, raw_of(&h.review_team)),
        (Column::TotalLiquidatedDuty, raw_of(&h.total_liquidated_duty)),
        (Column::PaymentDate, raw_of(&h.payment_date)),
        (Column::PaymentType, raw_of(&h.payment_type)),
        (Column::RefundDesignee, raw_of(&h.refund_designee)),
        (Column::SummaryStatus, raw_of(&h.summary_status)),
        (Column::ReconciliationEntry, raw_of(&h.reconciliation_entry)),
        (Column::DrawbackIndicator, raw_of(&h.drawback_flag)),
        (Column::SuretyPaid, raw_of(&h.surety_paid)),
        (Column::AdCvdStatus, raw_of(&h.adcvd_status)),
        (Column::AchRefundEnrolled, raw_of(&h.ach_refund_enrolled)),
        (Column::ImporterClass, raw_of(&h.importer_class)),
    ];
    for (column, raw) in header {
        if let Some(raw) = raw {
            reasons.push(Reason::new(
                ReasonCode::UnreadableFact,
                format!("`{}` holds {raw:?}, which cape cannot read; check the value", column.name()),
            ));
        }
    }
    type LineFact = fn(&crate::model::Line) -> Option<&str>;
    let line_columns: [(Column, LineFact); 6] = [
        (Column::CountryOfOrigin, |l| raw_of(&l.country_of_origin)),
        (Column::CountryOfExport, |l| raw_of(&l.country_of_export)),
        (Column::Spi, |l| raw_of(&l.spi)),
        (Column::ManufacturerId, |l| raw_of(&l.manufacturer_id)),
        (Column::ForeignExporterId, |l| raw_of(&l.foreign_exporter_id)),
        (Column::LinePscIndicator, |l| raw_of(&l.psc_flag)),
    ];
    for (column, get) in line_columns {
        let mut bad = entry.lines.iter().filter_map(|l| get(l).map(|raw| (l.number, raw)));
        if let Some((line, raw)) = bad.next() {
            let more = bad.count();
            let others = match more {
                0 => String::new(),
                1 => " (and on 1 other line)".to_owned(),
                n => format!(" (and on {n} other lines)"),
            };
            reasons.push(Reason::new(
                ReasonCode::UnreadableFact,
                format!(
                    "`{}` holds {raw:?} on line {line}{others}, which cape cannot read; check the value",
                    column.name()
                ),
            ));
        }
    }
}

/// `CORRECTION_NEEDED` when some finding predicts an entry-level CAPE rejection: one reason naming each such
/// finding (code, line, HTS number) and its correction. The refund amount is unchanged.
fn predicted_rejection(findings: &[Finding], reasons: &mut Vec<Reason>) {
    if !findings.iter().any(|f| f.code.predicts_rejection()) {
        return;
    }
    let mut parts: Vec<String> = Vec::new();
    for f in findings {
        let Some(correction) = f.code.correction() else { continue };
        let mut part = f.code.as_str().to_owned();
        if let Some(cbp) = f.cbp_message {
            part.push_str(&format!(" (ACE: {cbp})"));
        }
        if let Some(line) = f.line {
            part.push_str(&format!(" on line {line}"));
        }
        if let Some(hts) = &f.hts {
            part.push_str(&format!(", HTS {hts}"));
        }
        part.push_str(&format!(": {correction}"));
        parts.push(part);
    }
    reasons.push(Reason::new(
        ReasonCode::CorrectionNeeded,
        format!(
            "CAPE is expected to reject the entry until the entry summary is corrected; make the correction before \
             declaring: {}. The refund amount is unchanged",
            parts.join("; ")
        ),
    ));
}

/// Assesses one entry's CAPE claim as of a date, under a rule set.
///
/// Every check the rule set lists runs and reports its reasons; the status is the worst of them (ineligible >
/// needs_review > eligible_deferred > eligible). Never fails: missing facts become reasons.
///
/// # Example
///
/// ```
/// use cape_core::claim::{assess_claim, ClaimInputs, ClaimOptions, ClaimStatus, RuleSet};
/// use cape_core::{Entry, EntryHeader, EntryType, Fact};
/// use chrono::NaiveDate;
///
/// let entry = Entry {
///     number: "ABC-1234567-6".parse()?,
///     header: EntryHeader { entry_type: Fact::Known(EntryType::Consumption), ..Default::default() },
///     lines: vec![], conflicting: false, split: false, first_row: 2,
/// };
/// let inputs = ClaimInputs { has_dutiable_ieepa: true, ..Default::default() };
/// let as_of = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
/// let a = assess_claim(&entry, &inputs, &RuleSet::phase1(), as_of, &ClaimOptions::default());
/// assert_eq!(a.status, ClaimStatus::Eligible);
/// # Ok::<(), cape_core::Error>(())
/// ```
pub fn assess_claim(
    entry: &Entry,
    facts: &ClaimInputs,
    rules: &RuleSet,
    as_of: NaiveDate,
    params: &ClaimOptions,
) -> ClaimAssessment {
    let h = &entry.header;
    let offset = params.last_day_offset.unwrap_or(rules.last_day_offset);
    let mut reasons: Vec<Reason> = Vec::new();

    if entry.conflicting {
        reasons.push(Reason::new(
            ReasonCode::ConflictingRows,
            "the entry's rows disagree on entry- or line-level values (see the ingest diagnostics); \
             the first values were kept",
        ));
    }
    facts_readable(entry, rules, &mut reasons);

    // Derived liquidation facts, shared by several checks.
    let liq_date = h.liquidation_date.known().copied();
    let liq_state = match (&h.liquidation_status, liq_date) {
        (Fact::Known(LiquidationStatus::Unliquidated), _) => Liq::Unliquidated,
        (Fact::Known(LiquidationStatus::Liquidated | LiquidationStatus::Final), _) => Liq::Liquidated,
        (Fact::Known(_), _) => Liq::Other,
        (Fact::Blank | Fact::NotSupplied, None) => {
            if h.liquidation_date.is_unreadable() {
                Liq::Other
            } else {
                Liq::Unliquidated
            }
        }
        (Fact::Blank | Fact::NotSupplied, Some(_)) => Liq::Liquidated,
        (Fact::Unreadable(_), _) => Liq::Other,
    };
    let last_filing_day = liq_date.and_then(|d| d.checked_add_days(Days::new(u64::from(offset))));
    let days_left = last_filing_day.map(|l| (l - as_of).num_days());
    let entry_type = h.entry_type.known().copied();

    for &check in &rules.checks {
        match check {
            Check::DutiableIeepa => {
                if !facts.has_dutiable_ieepa {
                    reasons.push(Reason::new(
                        ReasonCode::NoDutiableIeepa,
                        "no dutiable IEEPA Chapter 99 number on any line (exemption numbers alone do not count); \
                         CBP reports this as \"no IEEPA Ch99 code\"",
                    ));
                }
            }
            Check::EntryTypeKnown => match &h.entry_type {
                Fact::Known(t) if t.is_known() => {}
                Fact::Known(t) => reasons.push(Reason::new(
                    ReasonCode::UnknownEntryType,
                    format!("entry type {t} is not a CBP entry type cape knows; check the entry"),
                )),
                Fact::Unreadable(raw) => reasons.push(Reason::new(
                    ReasonCode::UnknownEntryType,
                    format!("`Entry Type Code` holds {raw:?}, which is not an entry type code"),
                )),
                Fact::Blank | Fact::NotSupplied => reasons.push(Reason::new(
                    ReasonCode::UnknownEntryType,
                    format!(
                        "the entry type is {}; entry types 09, 47 and 08 cannot be excluded without it",
                        if matches!(h.entry_type, Fact::Blank) { "blank" } else { "not supplied" }
                    ),
                )),
            },
            Check::ExcludedEntryType => {
                if let Some(t) = entry_type {
                    if let Some(x) = rules.excluded_entry_types.iter().find(|x| x.entry_type == t) {
                        let what = t.description().map_or_else(|| format!("entry type {t}"), |d| format!("type {d}"));
                        match x.reason {
                            // Duty where none is expected: a review, not a silent loss of the refund. Without
                            // dutiable IEEPA the entry is already ineligible (NO_DUTIABLE_IEEPA) and nothing is
                            // out of place, so no reason is added.
                            ReasonCode::NoIeepaEntryType => {
                                if facts.has_dutiable_ieepa {
                                    let amount = facts.ieepa_principal.map_or_else(
                                        || "dutiable IEEPA duty".to_owned(),
                                        |p| format!("${p} of IEEPA duty"),
                                    );
                                    reasons.push(Reason::new(
                                        x.reason,
                                        format!(
                                            "{what} entries normally carry no IEEPA duty, and this one carries {amount}; \
                                             check the entry type and the duty"
                                        ),
                                    ));
                                }
                            }
                            code => reasons.push(Reason::new(
                                code,
                                format!(
                                    "{what} cannot be declared in CAPE under rule set {} ({})",
                                    rules.name,
                                    rules.sources.join(", ")
                                ),
                            )),
                        }
                    }
                }
            }
            Check::ReconFlag => recon_check(entry, rules, &mut reasons),
            Check::DrawbackLink => {
                if let Fact::Known(true) = &h.drawback_flag {
                    reasons.push(Reason::new(
                        ReasonCode::OnDrawback,
                        "the entry summary is linked to a drawback claim (`Drawback Indicator` = yes)",
                    ))
                }
            }
            Check::Protest => protest_check(entry, &mut reasons),
            Check::SummaryStatus => {
                if let Fact::Known(s @ (SummaryStatus::Cancelled | SummaryStatus::Rejected)) = &h.summary_status {
                    reasons.push(Reason::new(
                        ReasonCode::SummaryNotAccepted,
                        format!("the entry summary is {}; only accepted entry summaries can be declared", s.name()),
                    ))
                }
            }
            Check::AdcvdPendingLiquidation => {
                if let Fact::Known(AdCvdStatus::PendingLiquidation) = &h.adcvd_status {
                    reasons.push(Reason::new(
                        ReasonCode::AdcvdPendingLiquidation,
                        "AD/CVD entry pending liquidation (Commerce instructions issued); CAPE rejects it",
                    ))
                }
            }
            Check::FinalLiquidation => {
                let by_status = matches!(h.liquidation_status, Fact::Known(LiquidationStatus::Final));
                let by_flag = h.final_liquidation.known().filter(|f| f.is_final_on(as_of));
                let src = match by_flag {
                    _ if by_status => Some("`Liquidation Status` = final".to_owned()),
                    Some(FinalLiquidation::On(d)) => {
                        Some(format!("`Final Liquidation` = {d}, on or before the assessment date {as_of}"))
                    }
                    Some(FinalLiquidation::Flag(_)) => Some("`Final Liquidation` = yes".to_owned()),
                    None => None,
                };
                if let Some(src) = src {
                    reasons.push(Reason::new(
                        ReasonCode::FinallyLiquidated,
                        format!("the entry is finally liquidated ({src}); CAPE cannot refund it"),
                    ));
                }
            }
            Check::LiquidationWindow => {
                let lag = params.validation_lag_days;
                window_check(entry, rules, offset, as_of, lag, liq_state, last_filing_day, days_left, &mut reasons)
            }
            Check::SuretyPaid => {
                if let Fact::Known(true) = &h.surety_paid {
                    reasons.push(Reason::new(
                        ReasonCode::SuretyPaid,
                        "the surety paid the IEEPA duty (`Surety Paid Indicator` = yes); the importer cannot claim it",
                    ))
                }
            }
            Check::PredictedRejection => predicted_rejection(facts.findings, &mut reasons),
            Check::RefundablePrincipal => match facts.ieepa_principal {
                Some(p) if facts.has_dutiable_ieepa && !p.is_positive() => reasons.push(Reason::new(
                    ReasonCode::NoRefundablePrincipal,
                    format!(
                        "the entry carries dutiable IEEPA numbers but {p} IEEPA duty; nothing to refund; check the \
                             duty amounts"
                    ),
                )),
                _ => {}
            },
            Check::DuplicateInInput => {
                if facts.duplicate_in_input {
                    reasons.push(Reason::new(
                        ReasonCode::DuplicateInInput,
                        format!("entry {} is listed earlier in this batch; it is declared once", entry.number),
                    ));
                }
            }
            Check::AlreadyDeclared => {
                if facts.already_accepted {
                    reasons.push(Reason::new(
                        ReasonCode::AlreadyDeclared,
                        format!("entry {} is already on a declaration CAPE accepted", entry.number),
                    ));
                }
            }
            Check::LiquidationDeferred => {
                if let Fact::Known(s) = h.liquidation_status {
                    if rules.deferred.liquidation_statuses.contains(&s) {
                        let code = match s {
                            LiquidationStatus::Suspended => ReasonCode::LiquidationSuspended,
                            LiquidationStatus::Extended => ReasonCode::LiquidationExtended,
                            _ => ReasonCode::LiquidationUnderReview,
                        };
                        reasons.push(Reason::new(
                            code,
                            format!(
                                "liquidation is {}: CAPE accepts the entry but refunds only at its normal liquidation",
                                s.name().replace('_', " ")
                            ),
                        ));
                    }
                }
            }
            Check::WarehouseDeferred => {
                if let Some(t) = entry_type {
                    let d = &rules.deferred;
                    // Not yet liquidated: unliquidated, or a status the rule set defers (suspended, extended,
                    // under review).
                    let pending = h.liquidation_status.known().is_some_and(|s| d.liquidation_statuses.contains(s));
                    let unliq = liq_state == Liq::Unliquidated || pending;
                    let state = if unliq { ", not yet liquidated" } else { "" };
                    if d.warehouse_entry_types.contains(&t) && (unliq || !d.warehouse_only_while_unliquidated) {
                        reasons.push(Reason::new(
                            ReasonCode::WarehouseEntry,
                            format!("type {t} warehouse entry{state}: the refund waits for its normal liquidation"),
                        ));
                    }
                    if d.withdrawal_entry_types.contains(&t) && (unliq || !d.withdrawal_only_while_unliquidated) {
                        reasons.push(Reason::new(
                            ReasonCode::WarehouseWithdrawal,
                            format!(
                                "type {t} warehouse withdrawal{state}: the refund comes after all withdrawals, at \
                                 liquidation"
                            ),
                        ));
                    }
                }
            }
            Check::AdcvdSuspended => {
                if rules.deferred.adcvd_suspended && matches!(h.adcvd_status, Fact::Known(AdCvdStatus::Suspended)) {
                    reasons.push(Reason::new(
                        ReasonCode::AdcvdSuspended,
                        "AD/CVD liquidation still suspended awaiting Commerce: the refund waits for liquidation",
                    ));
                }
            }
        }
    }

    let status = ClaimStatus::from_effect(reasons.iter().map(|r| r.effect).max());
    let urgent = status != ClaimStatus::Ineligible
        && liq_state == Liq::Liquidated
        && days_left.is_some_and(|d| (0..=i64::from(params.urgent_within_days)).contains(&d));
    ClaimAssessment {
        entry_number: entry.number,
        importer_number: h.importer_number.known().map(|i| i.as_str().to_owned()),
        entry_type: entry_type.map(|t| t.code()),
        status,
        deferred_refund: status == ClaimStatus::EligibleDeferred,
        reasons,
        rule_set: rules.name.clone(),
        rule_set_version: rules.version.clone(),
        as_of,
        liquidation_date: liq_date,
        last_filing_day,
        days_left,
        urgent,
        validation_lag_days: params.validation_lag_days,
    }
}

fn recon_check(entry: &Entry, rules: &RuleSet, reasons: &mut Vec<Reason>) {
    let h = &entry.header;
    match &h.reconciliation_flag {
        Fact::Known(true) => {}
        // Unreadable: reported once, by `facts_readable`.
        _ => return,
    }
    let entry_type = h.entry_type.known().copied();
    match &rules.recon {
        ReconHandling::Ineligible => reasons.push(Reason::new(
            ReasonCode::FlaggedForRecon,
            format!("the entry summary is flagged for reconciliation; rule set {} excludes such entries", rules.name),
        )),
        ReconHandling::AllowedWithoutType09 { entry_types } => {
            let allowed: Vec<String> = entry_types.iter().map(|t| t.code()).collect();
            match entry_type {
                Some(t) if entry_types.contains(&t) => match &h.reconciliation_entry {
                    Fact::Known(n) => reasons.push(Reason::new(
                        ReasonCode::FlaggedForRecon,
                        format!(
                            "flagged for reconciliation and type 09 reconciliation entry {n} was filed; rule set {} \
                             admits recon-flagged entries only when no type 09 was filed",
                            rules.name
                        ),
                    )),
                    // Reported once, by `facts_readable`.
                    Fact::Unreadable(_) => {}
                    Fact::Blank | Fact::NotSupplied => reasons.push(Reason::new(
                        ReasonCode::ReconAssumedNoType09,
                        format!(
                            "flagged for reconciliation; no `Reconciliation Entry Number` is given, so cape assumes \
                             no type 09 was filed and rule set {} admits this type {t} entry",
                            rules.name
                        ),
                    )),
                },
                Some(t) => reasons.push(Reason::new(
                    ReasonCode::FlaggedForRecon,
                    format!(
                        "flagged for reconciliation; rule set {} admits recon-flagged entries only of types {}, \
                         not type {t}",
                        rules.name,
                        allowed.join(", ")
                    ),
                )),
                None => reasons.push(Reason::new(
                    ReasonCode::UnknownEntryType,
                    format!(
                        "flagged for reconciliation and the entry type is unknown; rule set {} admits such entries \
                         only of types {}",
                        rules.name,
                        allowed.join(", ")
                    ),
                )),
            }
        }
    }
}

fn protest_check(entry: &Entry, reasons: &mut Vec<Reason>) {
    let h = &entry.header;
    let number = match &h.protest_number {
        Fact::Known(n) if !n.trim().is_empty() => Some(&**n),
        // An unreadable number (an Excel error value) is reported by `facts_readable`.
        _ => None,
    };
    let label = |n: Option<&str>| n.map_or_else(|| "a protest".to_owned(), |n| format!("protest {n}"));
    match &h.protest_status {
        Fact::Known(s @ (ProtestStatus::Open | ProtestStatus::Suspended)) => reasons.push(Reason::new(
            ReasonCode::ProtestOnEntry,
            format!(
                "{} is {} on the entry; withdraw an IEEPA-only protest, then declare within the filing window",
                label(number),
                s.name()
            ),
        )),
        Fact::Known(ProtestStatus::Closed) => {}
        Fact::Unreadable(raw) => reasons.push(Reason::new(
            ReasonCode::ProtestStatusUnknown,
            format!("`Protest Status` holds {raw:?}, which is not a protest status cape knows; check the protest"),
        )),
        Fact::Blank | Fact::NotSupplied => {
            if let Some(n) = number {
                reasons.push(Reason::new(
                    ReasonCode::ProtestStatusUnknown,
                    format!("protest {n} is on the entry but its status is not given; an open protest blocks CAPE"),
                ));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn window_check(
    entry: &Entry,
    rules: &RuleSet,
    offset: u32,
    as_of: NaiveDate,
    lag: u32,
    liq_state: Liq,
    last_filing_day: Option<NaiveDate>,
    days_left: Option<i64>,
    reasons: &mut Vec<Reason>,
) {
    let h = &entry.header;
    if let Fact::Unreadable(raw) = &h.liquidation_status {
        reasons.push(Reason::new(
            ReasonCode::UnknownLiquidationStatus,
            format!("`Liquidation Status` holds {raw:?}, which is not a liquidation status cape knows"),
        ));
    }
    if liq_state != Liq::Liquidated {
        return;
    }
    let (Some(liq), Some(last), Some(left)) = (h.liquidation_date.known().copied(), last_filing_day, days_left) else {
        let is_final = matches!(h.liquidation_status, Fact::Known(LiquidationStatus::Final));
        if !h.liquidation_date.is_unreadable() && !is_final {
            let status = h.liquidation_status.known().map_or("liquidated", |s| s.name());
            reasons.push(Reason::new(
                ReasonCode::LiquidatedWithoutDate,
                format!("status is {status} but no liquidation date is given; the filing window cannot be computed"),
            ));
        }
        return;
    };
    if left < i64::from(lag) {
        let protest_by = liq.checked_add_days(Days::new(u64::from(rules.protest_days)));
        let remedy = match protest_by {
            Some(p) if p >= as_of => {
                format!("Remedy: protest under 19 USC 1514 within {} days of liquidation, by {p}", rules.protest_days)
            }
            Some(p) => format!(
                "The {}-day protest period (19 USC 1514) ended {p}; the liquidation is final",
                rules.protest_days
            ),
            None => format!("Remedy: protest under 19 USC 1514 within {} days of liquidation", rules.protest_days),
        };
        let when = if left < 0 {
            format!("{} day(s) before the assessment date {as_of}", -left)
        } else {
            // Not past today, but past by the time CAPE validates a declaration uploaded today.
            let validated = as_of.checked_add_days(Days::new(u64::from(lag))).unwrap_or(as_of);
            format!(
                "before {validated}, when CAPE validates a declaration uploaded on {as_of} ({lag}-day validation lag)"
            )
        };
        reasons.push(Reason::new(
            ReasonCode::Past80Days,
            format!("liquidated {liq}; the last filing day was {last} (liquidation + {offset} days), {when}. {remedy}"),
        ));
    }
}
