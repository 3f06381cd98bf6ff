//! Writes a sample client statement (a fixed, generated importer: 48 entries in every state) to the path given,
//! for the headless-browser check (`make browser-test`, tests/browser/check_statement.sh):
//!
//!     cargo run -p cape-core --example statement -- target/browser/statement.html
//!
//! The totals it shows are fixed: expected $2,347,655.64, paid $583,506.68, outstanding $1,764,148.96.

use std::collections::BTreeMap;

use cape_core::report::statement::{write_statement, DeadlineLine, EntryLine, MonthLine, StateLine, StatementData};
use cape_core::EntryNumber;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The states of the sample, in the ledger's order, with how much of the expected refund each pays (percent).
const STATES: [(&str, u32); 6] =
    [("declared", 0), ("accepted", 0), ("paid", 100), ("paid_short", 90), ("returned", 0), ("overdue", 0)];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: statement OUT.html")?;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date");
    let mut entries = Vec::new();
    let mut states: BTreeMap<usize, StateLine> = BTreeMap::new();
    let mut months: BTreeMap<NaiveDate, (Decimal, Decimal)> = BTreeMap::new();
    let mut deadlines = Vec::new();
    let (mut expected, mut paid) = (Decimal::ZERO, Decimal::ZERO);
    for i in 0..48u32 {
        let entry = EntryNumber::from_parts("VSU", 828_800 + i * 7)?.to_string();
        let s = (i % 6) as usize;
        let (state, pct) = STATES[s];
        // Expected: $1,000.00 to $100,000.00 in whole dollars and a few cents.
        let exp = Decimal::new(i64::from((i * 7_919) % 99_000 + 1_000) * 100 + i64::from(i * 13 % 100), 2);
        let pay = (exp * Decimal::from(pct) / Decimal::from(100)).round_dp(2);
        let month = day(2026, 5 + (i % 4), 1)?;
        let refund_date = (pct > 0).then(|| day(2026, month.month(), 12)).transpose()?;
        let m = months.entry(month).or_default();
        m.0 += exp;
        m.1 += pay;
        expected += exp;
        paid += pay;
        let line = states.entry(s).or_insert_with(|| StateLine {
            state: state.into(),
            entries: 0,
            expected: Decimal::ZERO,
            paid: Decimal::ZERO,
        });
        line.entries += 1;
        line.expected += exp;
        line.paid += pay;
        let note = match state {
            "paid_short" => format!("paid short by {}", cape_core::report::statement::money(exp - pay)),
            "returned" => "ACH returned: check the ACH refund enrollment (REV-613)".to_owned(),
            "overdue" => "refund due by 2026-06-15 and not paid".to_owned(),
            _ => String::new(),
        };
        if state == "declared" {
            deadlines.push(DeadlineLine {
                entry_number: entry.clone(),
                action: "track_refund".into(),
                act_by: day(2026, 9, 10 + i / 6)?,
                note: "follow the declaration in the CAPE portal".into(),
            });
        }
        entries.push(EntryLine {
            entry_number: entry,
            state: state.into(),
            expected: exp,
            paid: pay,
            variance: (pct > 0).then_some(pay - exp),
            refund_date,
            note,
        });
    }
    let data = StatementData {
        importer: "12-345678900".into(),
        importer_name: Some("Acme Imports & Co. <Sample>".into()),
        as_of: day(2026, 9, 1)?,
        generated_by: "cape example statement".into(),
        expected,
        paid,
        outstanding: expected - paid,
        states: states.into_values().collect(),
        months: months.into_iter().map(|(month, (e, r))| MonthLine { month, expected: e, received: r }).collect(),
        deadlines,
        entries,
    };
    write_statement(&out, &data)?;
    println!("{out}: expected {} paid {} outstanding {}", data.expected, data.paid, data.outstanding);
    Ok(())
}
