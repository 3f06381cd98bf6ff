//! The plan: the actions due, grouped by importer or by week, soonest first, with the IEEPA duty at stake.
//!
//! A [`Plan`] collects the [`NextAction`](super::NextAction) of every assessed entry whose action asks
//! something of the broker ([`ActionCode::is_due`]: not `none`, not `track_refund`), optionally only those due
//! within a number of days of the as-of date. [`Plan::groups`] orders them so that a broker can send each client
//! its list: groups by the earliest `act_by` (groups without any deadline last), items by `act_by` then input
//! order. `cape plan`, Python `AssessedReport.plan()` / `cape.Plan`, and C `cape_assessment_plan_json` (kept
//! entries) or the `cape_plan_*` handle (fed from a stream) give these rows.
//!
//! A plan keeps one [`PlanItem`] per due entry (about 300 bytes with its explanation; the notes average 125
//! bytes on the sample): memory grows with the entries that need an action, not with the rows read.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::action::ActionCode;
use super::eligibility::ClaimStatus;
use crate::assess::EntryAssessment;
use crate::{EntryNumber, Result, Usd};

crate::values::codes::stable_codes! {
    /// How a [`Plan`] groups its items.
    pub enum PlanGrouping: as_str {
        /// One group per importer of record (entries without one: `unknown importer`).
        Importer = "importer",
        /// One group per week (Monday to Sunday) of `act_by`; entries without a deadline last.
        Week = "week",
    }
}

/// What a [`Plan`] lists and how it groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PlanOptions {
    /// The as-of date of the assessment (the `within` horizon counts from it).
    pub as_of: NaiveDate,
    /// Only actions due within this many days of `as_of` (entries without a deadline are left out); `None`
    /// lists every due action.
    pub within_days: Option<u32>,
    /// Group by importer or by week.
    pub by: PlanGrouping,
}

impl PlanOptions {
    /// Every due action as of `as_of`, grouped by importer.
    pub fn new(as_of: NaiveDate) -> Self {
        PlanOptions { as_of, within_days: None, by: PlanGrouping::Importer }
    }
}

/// One entry's action in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    /// The entry.
    pub entry_number: EntryNumber,
    /// The importer of record as written.
    pub importer_number: Option<String>,
    /// The claim status.
    pub status: ClaimStatus,
    /// The action.
    pub action: ActionCode,
    /// The last day to act, when a deadline runs.
    #[serde(serialize_with = "crate::values::date::serialize_opt_iso")]
    pub act_by: Option<NaiveDate>,
    /// `act_by` − as-of, in days.
    pub days_left: Option<i64>,
    /// The IEEPA duty at stake (the entry's principal).
    pub ieepa_duty: Usd,
    /// The one-line explanation.
    pub note: String,
    /// The entry's place in the input (for a stable order among equal deadlines).
    #[serde(skip)]
    pub seq: u64,
}

/// One group of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanGroup {
    /// The importer number, or the week's Monday as `week of YYYY-MM-DD`, or `no deadline`.
    pub key: String,
    /// The earliest `act_by` of the group's items.
    #[serde(serialize_with = "crate::values::date::serialize_opt_iso")]
    pub earliest_act_by: Option<NaiveDate>,
    /// The IEEPA duty at stake over the group's items.
    pub ieepa_duty: Usd,
    /// The items, soonest first.
    pub items: Vec<PlanItem>,
}

/// The actions due over a set of assessed entries; see the [module documentation](self).
///
/// # Example
///
/// ```
/// use cape_core::assess::{assess_reader, AssessOptions, Tables};
/// use cape_core::claim::{Plan, PlanGrouping, PlanOptions};
/// let tables = Tables::embedded()?;
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
/// let reader = cape_core::Es003Reader::from_bytes(cape_core::sample::sample_es003().as_bytes().to_vec(), &Default::default())?;
/// let report = assess_reader(reader, &tables, AssessOptions::new(as_of))?;
/// let mut options = PlanOptions::new(as_of);
/// options.by = PlanGrouping::Week;
/// let plan = Plan::of(&report.entries, options);
/// assert!(plan.items() > 0);
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    options: PlanOptions,
    items: Vec<PlanItem>,
    seen: u64,
}

impl Plan {
    /// An empty plan.
    pub fn new(options: PlanOptions) -> Self {
        Plan { options, items: Vec::new(), seen: 0 }
    }

    /// The plan of these assessments.
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a EntryAssessment>, options: PlanOptions) -> Self {
        let mut p = Plan::new(options);
        for a in entries {
            p.add(a);
        }
        p
    }

    /// The options.
    pub fn options(&self) -> PlanOptions {
        self.options
    }

    /// Adds one assessed entry (kept when its action is due, within the horizon if one is set).
    pub fn add(&mut self, a: &EntryAssessment) {
        let seq = self.seen;
        self.seen += 1;
        let action = &a.next_action;
        if !action.code.is_due() {
            return;
        }
        let days_left = action.act_by.map(|d| (d - self.options.as_of).num_days());
        if let Some(within) = self.options.within_days {
            if days_left.is_none_or(|l| l > i64::from(within)) {
                return;
            }
        }
        self.items.push(PlanItem {
            entry_number: a.entry_number(),
            importer_number: a.importer_number.clone(),
            status: a.status(),
            action: action.code,
            act_by: action.act_by,
            days_left,
            ieepa_duty: a.principal(),
            note: action.note.clone(),
            seq,
        });
    }

    /// Merges the plan of the entries after this plan's (same options).
    pub fn merge(&mut self, other: Plan) {
        let offset = self.seen;
        self.items.extend(other.items.into_iter().map(|mut i| {
            i.seq += offset;
            i
        }));
        self.seen += other.seen;
    }

    /// The number of due actions listed.
    pub fn items(&self) -> usize {
        self.items.len()
    }

    /// The entries added (due or not).
    pub fn entries_seen(&self) -> u64 {
        self.seen
    }

    /// The groups, soonest first (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] for sums beyond `Decimal`'s range.
    pub fn groups(&self) -> Result<Vec<PlanGroup>> {
        let mut items: Vec<&PlanItem> = self.items.iter().collect();
        // Soonest first; no deadline last; input order among equals.
        items.sort_by_key(|i| (i.act_by.is_none(), i.act_by, i.seq));
        let key_of = |i: &PlanItem| -> String {
            match self.options.by {
                PlanGrouping::Importer => i.importer_number.clone().unwrap_or_else(|| "unknown importer".into()),
                PlanGrouping::Week => match i.act_by {
                    Some(d) => format!("week of {}", week_monday(d)),
                    None => "no deadline".into(),
                },
            }
        };
        // Groups in order of their first (soonest) item.
        let mut groups: Vec<PlanGroup> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for i in items {
            let key = key_of(i);
            let at = match index.get(&key) {
                Some(&at) => at,
                None => {
                    index.insert(key.clone(), groups.len());
                    groups.push(PlanGroup { key, earliest_act_by: i.act_by, ieepa_duty: Usd::ZERO, items: Vec::new() });
                    groups.len() - 1
                }
            };
            let g = &mut groups[at];
            g.ieepa_duty = g.ieepa_duty.checked_add(i.ieepa_duty)?;
            g.items.push(i.clone());
        }
        Ok(groups)
    }

    /// The plan as JSON: `{"as_of", "by", "within_days", "entries_seen", "items", "ieepa_duty", "groups": [...]}`,
    /// as `cape plan --format json` writes it (and Python's and C's plan JSON).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] for sums beyond `Decimal`'s range.
    pub fn to_json(&self) -> Result<String> {
        let groups = self.groups()?;
        let mut total = Usd::ZERO;
        for g in &groups {
            total = total.checked_add(g.ieepa_duty)?;
        }
        #[derive(Serialize)]
        struct Out<'a> {
            as_of: NaiveDate,
            by: &'static str,
            within_days: Option<u32>,
            entries_seen: u64,
            items: usize,
            ieepa_duty: Usd,
            groups: &'a [PlanGroup],
        }
        let out = Out {
            as_of: self.options.as_of,
            by: self.options.by.as_str(),
            within_days: self.options.within_days,
            entries_seen: self.seen,
            items: self.items.len(),
            ieepa_duty: total,
            groups: &groups,
        };
        // Strings, numbers and dates: serialising cannot fail.
        Ok(serde_json::to_string_pretty(&out).unwrap_or_default())
    }
}

/// The Monday of a date's week (Monday to Sunday): the week a [`PlanGrouping::Week`] group is named after.
pub fn week_monday(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday()))).unwrap_or(d)
}
