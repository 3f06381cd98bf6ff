//! Refund consolidation: refunds grouped as CBP pays them.
//!
//! CBP consolidates refunds per recipient (the importer of record, or the CBP Form 4811 designee) and
//! (re)liquidation date, and pays each group as one ACH amount (CSMS 68340863). [`Consolidation`] is a
//! mergeable aggregate: partial consolidations of disjoint sets of entries (file partitions, threads, cluster
//! tasks) merge into exactly the consolidation of the whole, to the cent, in any order.

use std::collections::{btree_map, BTreeMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{EntryNumber, Result, Usd};

/// One entry's refund, as consolidation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundItem {
    /// The entry.
    pub entry_number: EntryNumber,
    /// Who is paid (importer or designee number).
    pub recipient: String,
    /// The (projected) (re)liquidation date.
    pub liquidation_date: NaiveDate,
    /// The day the refund is due (19 USC 1505(b): 30 days after the (re)liquidation).
    pub refund_due_by: NaiveDate,
    /// The IEEPA principal.
    pub principal: Usd,
    /// The interest (zero when it could not be computed; see `interest_known`).
    pub interest: Usd,
    /// False when the interest could not be computed (e.g. no rate for some day).
    pub interest_known: bool,
    /// The refund would be held for missing ACH refund enrollment.
    pub held: bool,
}

/// Consolidation options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ConsolidationOptions {
    /// The $20 policy of 19 CFR 159.6: entries whose refund (principal + interest) is below this amount are
    /// waived. `None` (the default) refunds every cent: whether CAPE applies the rule under the court's order is
    /// unknown.
    pub minimum_refund: Option<Usd>,
}

/// One consolidated refund: a recipient, a liquidation date, and the entries paid together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsolidatedRefund {
    /// Who is paid.
    pub recipient: String,
    /// The (projected) (re)liquidation date.
    pub liquidation_date: NaiveDate,
    /// True when the refund would be held for missing ACH refund enrollment.
    pub held: bool,
    /// The latest due date of the group's entries (19 USC 1505(b)): when the whole refund is due.
    pub refund_due_by: NaiveDate,
    /// Sum of the principal of the entries paid.
    pub principal: Usd,
    /// Sum of the interest of the entries paid.
    pub interest: Usd,
    /// `principal + interest`.
    pub total: Usd,
    /// The entries paid, in the order added.
    pub entries: Vec<EntryNumber>,
    /// Entries whose interest could not be computed (their interest counts as zero).
    pub interest_unknown: Vec<EntryNumber>,
    /// Entries waived under the $20 policy (when enabled), with their principal and interest below.
    pub waived: Vec<EntryNumber>,
    /// Principal of the waived entries.
    pub waived_principal: Usd,
    /// Interest of the waived entries.
    pub waived_interest: Usd,
}

/// Totals over all entries added, paid or waived; they conserve through any merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsolidationTotals {
    /// Entries added.
    pub entries: u64,
    /// Principal of all entries added.
    pub principal: Usd,
    /// Interest of all entries added.
    pub interest: Usd,
    /// Principal + interest actually paid (excluding waived entries).
    pub paid: Usd,
    /// Principal + interest of held refunds (included in `paid`).
    pub held: Usd,
}

/// The consolidation of a set of entries' refunds; see the module documentation.
///
/// # Example
///
/// ```
/// use cape_core::refund::{Consolidation, ConsolidationOptions, RefundItem};
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
/// let item = |n: &str, p: i64| RefundItem {
///     entry_number: n.parse().unwrap(), recipient: "12-345678900".into(), liquidation_date: day,
///     refund_due_by: day + chrono::Days::new(30),
///     principal: cape_core::Usd::from_cents(p), interest: cape_core::Usd::from_cents(1), interest_known: true, held: false,
/// };
/// let mut a = Consolidation::new(ConsolidationOptions::default());
/// a.add(item("ABC-1234567-6", 10_000))?;
/// let mut b = Consolidation::new(ConsolidationOptions::default());
/// b.add(item("B76-0158522-0", 5_000))?;
/// a.merge(b)?;
/// let refunds = a.refunds();
/// assert_eq!(refunds.len(), 1);
/// assert_eq!(refunds[0].total.to_string(), "150.02");
/// # Ok::<(), cape_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consolidation {
    options: ConsolidationOptions,
    groups: BTreeMap<(String, NaiveDate, bool), ConsolidatedRefund>,
    totals: ConsolidationTotals,
}

/// The serde form of a [`Consolidation`]: its options, its refunds in key order and its totals (a map keyed by
/// recipient, date and hold has no JSON form; each refund carries its key).
#[derive(Serialize)]
struct ConsolidationRef<'a> {
    options: &'a ConsolidationOptions,
    refunds: Vec<&'a ConsolidatedRefund>,
    totals: &'a ConsolidationTotals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsolidationOwned {
    options: ConsolidationOptions,
    refunds: Vec<ConsolidatedRefund>,
    totals: ConsolidationTotals,
}

impl Serialize for Consolidation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        ConsolidationRef { options: &self.options, refunds: self.refunds(), totals: &self.totals }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Consolidation {
    /// Reads what `Serialize` writes; two refunds with the same recipient, date and hold are an error.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let o = ConsolidationOwned::deserialize(d)?;
        let mut groups = BTreeMap::new();
        for r in o.refunds {
            let key = (r.recipient.clone(), r.liquidation_date, r.held);
            if groups.insert(key, r).is_some() {
                return Err(serde::de::Error::custom(
                    "two consolidated refunds with the same recipient, liquidation date and hold",
                ));
            }
        }
        Ok(Consolidation { options: o.options, groups, totals: o.totals })
    }
}

impl Consolidation {
    /// An empty consolidation.
    pub fn new(options: ConsolidationOptions) -> Self {
        Consolidation { options, groups: BTreeMap::new(), totals: ConsolidationTotals::default() }
    }

    /// Adds one entry's refund.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] for sums beyond `Decimal`'s range.
    pub fn add(&mut self, item: RefundItem) -> Result<()> {
        let amount = item.principal.checked_add(item.interest)?;
        let waived = self.options.minimum_refund.is_some_and(|m| amount < m);
        // The item's recipient moves into the key; it is copied only when the item opens a new group.
        let g = match self.groups.entry((item.recipient, item.liquidation_date, item.held)) {
            btree_map::Entry::Occupied(e) => e.into_mut(),
            btree_map::Entry::Vacant(v) => {
                let recipient = v.key().0.clone();
                v.insert(ConsolidatedRefund {
                    recipient,
                    liquidation_date: item.liquidation_date,
                    held: item.held,
                    refund_due_by: item.refund_due_by,
                    principal: Usd::ZERO,
                    interest: Usd::ZERO,
                    total: Usd::ZERO,
                    entries: Vec::new(),
                    interest_unknown: Vec::new(),
                    waived: Vec::new(),
                    waived_principal: Usd::ZERO,
                    waived_interest: Usd::ZERO,
                })
            }
        };
        g.refund_due_by = g.refund_due_by.max(item.refund_due_by);
        if waived {
            g.waived.push(item.entry_number);
            g.waived_principal = g.waived_principal.checked_add(item.principal)?;
            g.waived_interest = g.waived_interest.checked_add(item.interest)?;
        } else {
            g.entries.push(item.entry_number);
            g.principal = g.principal.checked_add(item.principal)?;
            g.interest = g.interest.checked_add(item.interest)?;
            g.total = g.total.checked_add(amount)?;
            self.totals.paid = self.totals.paid.checked_add(amount)?;
            if item.held {
                self.totals.held = self.totals.held.checked_add(amount)?;
            }
        }
        if !item.interest_known {
            g.interest_unknown.push(item.entry_number);
        }
        self.totals.entries += 1;
        self.totals.principal = self.totals.principal.checked_add(item.principal)?;
        self.totals.interest = self.totals.interest.checked_add(item.interest)?;
        Ok(())
    }

    /// Merges another consolidation (of other entries) into this one. The result equals the consolidation of
    /// all entries of both; entry lists keep this one's entries first.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Overflow`] for sums beyond `Decimal`'s range; [`crate::Error::Value`] when the two were
    /// built with different options.
    pub fn merge(&mut self, other: Consolidation) -> Result<()> {
        if other.options != self.options {
            return Err(crate::Error::value(
                crate::ErrorKind::InvalidValue,
                "consolidation options",
                "",
                "partial consolidations built with different options cannot be merged",
            ));
        }
        for (key, o) in other.groups {
            match self.groups.get_mut(&key) {
                None => {
                    self.groups.insert(key, o);
                }
                Some(g) => {
                    g.refund_due_by = g.refund_due_by.max(o.refund_due_by);
                    g.principal = g.principal.checked_add(o.principal)?;
                    g.interest = g.interest.checked_add(o.interest)?;
                    g.total = g.total.checked_add(o.total)?;
                    g.waived_principal = g.waived_principal.checked_add(o.waived_principal)?;
                    g.waived_interest = g.waived_interest.checked_add(o.waived_interest)?;
                    g.entries.extend(o.entries);
                    g.interest_unknown.extend(o.interest_unknown);
                    g.waived.extend(o.waived);
                }
            }
        }
        let t = other.totals;
        self.totals.entries += t.entries;
        self.totals.principal = self.totals.principal.checked_add(t.principal)?;
        self.totals.interest = self.totals.interest.checked_add(t.interest)?;
        self.totals.paid = self.totals.paid.checked_add(t.paid)?;
        self.totals.held = self.totals.held.checked_add(t.held)?;
        Ok(())
    }

    /// The consolidated refunds, by recipient, then liquidation date (held refunds after paid ones).
    pub fn refunds(&self) -> Vec<&ConsolidatedRefund> {
        self.groups.values().collect()
    }

    /// The totals over every entry added.
    pub fn totals(&self) -> ConsolidationTotals {
        self.totals
    }

    /// The options used.
    pub fn options(&self) -> ConsolidationOptions {
        self.options
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    fn item(serial: u32, recipient: &str, d: u32, p: i64, i: i64, held: bool) -> RefundItem {
        RefundItem {
            entry_number: EntryNumber::from_parts("ABC", serial).unwrap(),
            recipient: recipient.into(),
            liquidation_date: day(d),
            refund_due_by: day(d) + chrono::Days::new(30),
            principal: Usd::from_cents(p),
            interest: Usd::from_cents(i),
            interest_known: true,
            held,
        }
    }

    #[test]
    fn groups_by_recipient_and_date() {
        let mut c = Consolidation::new(ConsolidationOptions::default());
        c.add(item(1, "12-345678900", 10, 10_000, 55, false)).unwrap();
        c.add(item(2, "12-345678900", 10, 2_000, 5, false)).unwrap();
        c.add(item(3, "12-345678900", 11, 3_000, 7, false)).unwrap();
        c.add(item(4, "98-765432100", 10, 1_000, 1, true)).unwrap();
        let r = c.refunds();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].principal.to_string(), r[0].interest.to_string(), r[0].total.to_string()),
            ("120.00".into(), "0.60".into(), "120.60".into())
        );
        assert_eq!(r[0].entries.len(), 2);
        assert!(r[2].held);
        let t = c.totals();
        assert_eq!((t.entries, t.paid.to_string(), t.held.to_string()), (4, "160.68".into(), "10.01".into()));
    }

    #[test]
    fn twenty_dollar_policy_is_opt_in() {
        let opts = ConsolidationOptions { minimum_refund: Some(Usd::from_cents(2_000)) };
        let mut c = Consolidation::new(opts);
        c.add(item(1, "X", 10, 1_999, 0, false)).unwrap();
        c.add(item(2, "X", 10, 1_990, 10, false)).unwrap();
        let r = c.refunds();
        assert_eq!(r[0].waived.len(), 1);
        assert_eq!(r[0].entries.len(), 1);
        assert_eq!(r[0].total, Usd::from_cents(2_000));
        assert_eq!(r[0].waived_principal, Usd::from_cents(1_999));
        let mut d = Consolidation::new(ConsolidationOptions::default());
        d.add(item(1, "X", 10, 1_999, 0, false)).unwrap();
        assert!(d.refunds()[0].waived.is_empty());
        assert!(c.merge(d).is_err(), "different options do not merge");
    }

    fn arb_items() -> impl Strategy<Value = Vec<RefundItem>> {
        proptest::collection::vec((0u32..5, 1u32..4, 0i64..5_000_000, 0i64..100_000, any::<bool>()), 0..60).prop_map(
            |v| {
                v.into_iter()
                    .enumerate()
                    .map(|(k, (r, d, p, i, h))| item(k as u32, &format!("R{r}"), d, p, i, h))
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn totals_conserve_and_partitions_merge_exactly(items in arb_items(), cut in 0usize..60, min in prop_oneof![Just(None), Just(Some(2_000i64))]) {
            let opts = ConsolidationOptions { minimum_refund: min.map(Usd::from_cents) };
            let mut whole = Consolidation::new(opts);
            for it in &items { whole.add(it.clone()).unwrap(); }
            let sum_p: Usd = items.iter().map(|i| i.principal).sum();
            let sum_i: Usd = items.iter().map(|i| i.interest).sum();
            // Conservation: paid + waived over the groups equals the entries' sums, to the cent.
            let groups = whole.refunds();
            let gp: Usd = groups.iter().map(|g| g.principal.checked_add(g.waived_principal).unwrap()).sum();
            let gi: Usd = groups.iter().map(|g| g.interest.checked_add(g.waived_interest).unwrap()).sum();
            prop_assert_eq!(gp, sum_p);
            prop_assert_eq!(gi, sum_i);
            prop_assert_eq!(whole.totals().principal, sum_p);
            let n: usize = groups.iter().map(|g| g.entries.len() + g.waived.len()).sum();
            prop_assert_eq!(n, items.len());
            // Partitions merge into exactly the whole.
            let cut = cut.min(items.len());
            let mut a = Consolidation::new(opts);
            let mut b = Consolidation::new(opts);
            for it in &items[..cut] { a.add(it.clone()).unwrap(); }
            for it in &items[cut..] { b.add(it.clone()).unwrap(); }
            a.merge(b).unwrap();
            prop_assert_eq!(a, whole);
        }
    }
}
