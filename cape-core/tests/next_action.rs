//! The next action of every entry, with dates computed by hand from the law's periods (CAPE.md §2, §7):
//! last filing day = liquidation + 79, protest by = liquidation + 180 (19 USC 1514), court by = accrual + 2
//! years (28 USC 2636(i)), refund due = projected (re)liquidation + 30 (19 USC 1505(b)).

use cape_core::assess::{AssessOptions, Assessor, EntryAssessment, Tables};
use cape_core::claim::{ActionCode, ActionRules, CourtAccrual};
use cape_core::EntryNumber;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,Liquidation Date,\
Liquidation Status,Protest Number,Protest Status,Entry Summary Status,Drawback Indicator,AD/CVD Liquidation Status,\
Payment Date,Country of Origin Code";

/// One entry of two rows (a Chapter 1-97 row and a dutiable IEEPA reciprocal row, 9903.01.25 at 10%), with
/// the given liquidation date, liquidation status, protest number/status, summary status, drawback flag and
/// AD/CVD status.
#[allow(clippy::too_many_arguments)]
fn rows(
    serial: u32,
    liq: &str,
    liq_status: &str,
    protest: &str,
    pstatus: &str,
    summary: &str,
    dbk: &str,
    adcvd: &str,
) -> String {
    rows_of("12-345678900", serial, liq, liq_status, protest, pstatus, summary, dbk, adcvd)
}

#[allow(clippy::too_many_arguments)]
fn rows_of(
    importer: &str,
    serial: u32,
    liq: &str,
    liq_status: &str,
    protest: &str,
    pstatus: &str,
    summary: &str,
    dbk: &str,
    adcvd: &str,
) -> String {
    let n = EntryNumber::from_parts("ABC", serial).unwrap();
    let common = format!(
        "01,{importer},06/02/2025,{liq},{liq_status},{protest},{pstatus},{summary},{dbk},{adcvd},06/05/2025,CN"
    );
    format!("{n},1,1,8471300100,10000.00,0.00,{common}\n{n},1,2,9903.01.25,0.00,1000.00,{common}\n")
}

fn assess_all(csv: &str, options: AssessOptions) -> Vec<EntryAssessment> {
    let tables = Tables::embedded().unwrap();
    let report = cape_core::read_es003_bytes(csv.as_bytes(), &Default::default()).unwrap();
    assert_eq!(report.summary.rows_rejected, 0, "{:?}", report.diagnostics);
    let mut a = Assessor::new(&tables, options).unwrap();
    report.entries.iter().map(|e| a.assess(e).unwrap()).collect()
}

fn as_of() -> AssessOptions {
    let tables = Tables::embedded().unwrap();
    AssessOptions::new(d(2026, 12, 1)).assume_last_rate(&tables.rates)
}

#[test]
fn every_action_with_its_hand_computed_deadline() {
    let mut csv = format!("{HEADER}\n");
    // 1: unliquidated, eligible.
    csv += &rows(1, "", "", "", "", "Accepted", "N", "");
    // 2: liquidated 2026-10-01: last filing day 2026-10-01 + 79 = 2026-12-19.
    csv += &rows(2, "10/01/2026", "Liquidated", "", "", "Accepted", "N", "");
    // 3: liquidated 2026-08-01: window closed 2026-10-19; protest by 2026-08-01 + 180 = 2027-01-28.
    csv += &rows(3, "08/01/2026", "Liquidated", "", "", "Accepted", "N", "");
    // 4: liquidated 2026-03-02: protest period ended 2026-08-29; court by 2028-03-02.
    csv += &rows(4, "03/02/2026", "Liquidated", "", "", "Accepted", "N", "");
    // 5: open protest, liquidated 2026-10-01: withdraw, then declare by 2026-12-19.
    csv += &rows(5, "10/01/2026", "Liquidated", "2704-26-100001", "Open", "Accepted", "N", "");
    // 6: open protest, past the window.
    csv += &rows(6, "08/01/2026", "Liquidated", "2704-26-100002", "Open", "Accepted", "N", "");
    // 7: cancelled summary, unliquidated.
    csv += &rows(7, "", "", "", "", "Cancelled", "N", "");
    // 8: AD/CVD pending liquidation.
    csv += &rows(8, "", "", "", "", "Accepted", "N", "Pending Liquidation");
    // 9: on drawback.
    csv += &rows(9, "", "", "", "", "Accepted", "Y", "");
    // 10: liquidation suspended: deferred.
    csv += &rows(10, "", "Suspended", "", "", "Accepted", "N", "");
    // 11: a liquidation status cape cannot read: review, with the last filing day as the deadline.
    csv += &rows(11, "10/01/2026", "Bogus", "", "", "Accepted", "N", "");
    // 12: finally liquidated 2025-12-01: court by 2027-12-01.
    csv += &rows(12, "12/01/2025", "Final", "", "", "Accepted", "N", "");
    let got = assess_all(&csv, as_of());
    let want: [(ActionCode, Option<NaiveDate>); 12] = [
        (ActionCode::Declare, None),
        (ActionCode::Declare, Some(d(2026, 12, 19))),
        (ActionCode::Protest, Some(d(2027, 1, 28))),
        (ActionCode::CourtAction, Some(d(2028, 3, 2))),
        (ActionCode::WithdrawProtestThenDeclare, Some(d(2026, 12, 19))),
        (ActionCode::FollowProtest, None),
        (ActionCode::FixEntrySummary, None),
        (ActionCode::DeclareAfterLiquidation, None),
        (ActionCode::OutsideCape, None),
        (ActionCode::Declare, None),
        (ActionCode::ReviewFacts, Some(d(2026, 12, 19))),
        (ActionCode::CourtAction, Some(d(2027, 12, 1))),
    ];
    assert_eq!(got.len(), want.len());
    for (i, (a, w)) in got.iter().zip(want).enumerate() {
        assert_eq!((a.next_action.code, a.next_action.act_by), w, "entry {}: {}", i + 1, a.next_action.note);
    }
    let note = |i: usize| got[i].next_action.note.as_str();
    assert_eq!(note(1), "Declare in CAPE by 2026-12-19 (18 days left), the last filing day after liquidation");
    assert!(note(0).contains("no filing deadline runs while the entry is unliquidated"), "{}", note(0));
    assert!(note(2).starts_with("Past the CAPE filing window (last filing day 2026-10-19): protest under 19 USC 1514 by 2027-01-28 (58 days left)"), "{}", note(2));
    assert!(note(3).starts_with("The 180-day protest period ended 2026-08-29: an action at the Court of International Trade under 28 USC 1581(i)"), "{}", note(3));
    assert!(
        note(3).contains("counted from the liquidation date") && note(3).contains("watch for Phase 3"),
        "{}",
        note(3)
    );
    assert!(note(4).starts_with("Withdraw protest 2704-26-100001 if it covers only IEEPA duty"), "{}", note(4));
    assert!(note(8).contains("ON_DRAWBACK"), "{}", note(8));
    assert!(note(9).contains("the refund waits for the entry's normal liquidation"), "{}", note(9));
    assert!(note(10).contains("UNKNOWN_LIQUIDATION_STATUS"), "{}", note(10));

    // Refund due: unliquidated, accepted 2026-12-01, liquidates +45 = 2027-01-15, due +30 = 2027-02-14.
    assert_eq!(got[0].refund_due_by(), Some(d(2027, 2, 14)));
    // Liquidated 2026-10-01: reliquidated by min(2027-01-15, 2026-10-01 + 90 = 2026-12-30), due 2027-01-29.
    assert_eq!(got[1].refund_due_by(), Some(d(2027, 1, 29)));
    // No projection, no due date: deferred and ineligible entries.
    assert_eq!((got[9].refund_due_by(), got[2].refund_due_by()), (None, None));
}

#[test]
fn court_accrual_is_a_parameter() {
    let csv = format!("{HEADER}\n{}", rows(4, "03/02/2026", "Liquidated", "", "", "Accepted", "N", ""));
    let mut o = as_of();
    o.actions.court_accrual = CourtAccrual::FinalLiquidation;
    let a = &assess_all(&csv, o)[0];
    // Final 2026-03-02 + 180 = 2026-08-29; two years later 2028-08-29.
    assert_eq!((a.next_action.code, a.next_action.act_by), (ActionCode::CourtAction, Some(d(2028, 8, 29))));
    assert!(a.next_action.note.contains("became final"), "{}", a.next_action.note);
}

#[test]
fn the_record_carries_the_new_keys_in_json_and_serde_alike() {
    let csv = format!("{HEADER}\n{}", rows(2, "10/01/2026", "Liquidated", "", "", "Accepted", "N", ""));
    let a = &assess_all(&csv, as_of())[0];
    let v: serde_json::Value = serde_json::from_str(&a.record_json()).unwrap();
    assert_eq!(v["next_action"], "declare");
    assert_eq!(v["act_by"], "2026-12-19");
    assert_eq!(v["refund_due_by"], "2027-01-29");
    assert_eq!(v["next_action_note"], a.next_action.note.as_str());
    assert_eq!(a.record_json(), serde_json::to_string(&a.record()).unwrap());
}

#[test]
fn a_rule_set_can_replace_the_action_rules() {
    let tables = Tables::embedded().unwrap();
    let mut set = tables.rules.get("phase2").unwrap().clone();
    // Everything past the window goes to court at once (no protest rule).
    set.actions.rules.retain(|r| r.action != ActionCode::Protest);
    set.name = "no_protest".into();
    let json = set.to_json();
    let again = cape_core::claim::RuleSet::from_json_str(&json, "custom.json").unwrap();
    assert_eq!(again.actions, set.actions);
    let mut t = tables.clone();
    t.rules.insert(again);
    let mut o = as_of();
    o.rules = "no_protest".into();
    let csv = format!("{HEADER}\n{}", rows(3, "08/01/2026", "Liquidated", "", "", "Accepted", "N", ""));
    let report = cape_core::read_es003_bytes(csv.as_bytes(), &Default::default()).unwrap();
    let a = Assessor::new(&t, o).unwrap().assess(&report.entries[0]).unwrap();
    // Liquidated 2026-08-01: court by 2028-08-01.
    assert_eq!((a.next_action.code, a.next_action.act_by), (ActionCode::CourtAction, Some(d(2028, 8, 1))));
    assert!(ActionRules::embedded().rules.iter().any(|r| r.action == ActionCode::Protest));
}

/// Importer A: declare by 2026-12-19 (a Saturday, week of Monday 2026-12-14), protest by 2027-01-28 (week of
/// 2027-01-25), declare with no deadline. Importer B: withdraw a protest and declare by 2026-12-19; a
/// second entry with no IEEPA duty (nothing to do: not listed).
fn plan_input() -> String {
    let mut csv = format!("{HEADER}\n");
    csv += &rows_of("12-345678900", 2, "10/01/2026", "Liquidated", "", "", "Accepted", "N", "");
    csv += &rows_of("12-345678900", 3, "08/01/2026", "Liquidated", "", "", "Accepted", "N", "");
    csv += &rows_of("12-345678900", 1, "", "", "", "", "Accepted", "N", "");
    csv += &rows_of("98-765432100", 5, "10/01/2026", "Liquidated", "2704-26-100001", "Open", "Accepted", "N", "");
    let n = EntryNumber::from_parts("ABC", 7).unwrap();
    csv += &format!("{n},1,1,8471300100,10000.00,250.00,01,98-765432100,06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n");
    csv
}

#[test]
fn the_plan_groups_by_importer_or_week_soonest_first() {
    use cape_core::claim::{Plan, PlanGrouping, PlanOptions};
    let got = assess_all(&plan_input(), as_of());
    let mut o = PlanOptions::new(d(2026, 12, 1));
    let plan = Plan::of(&got, o);
    assert_eq!((plan.items(), plan.entries_seen()), (4, 5));
    let groups = plan.groups().unwrap();
    let keys: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
    // Both importers' first deadline is 2026-12-19; A's entry comes first in the input.
    assert_eq!(keys, ["12-345678900", "98-765432100"]);
    let a: Vec<String> = groups[0].items.iter().map(|i| i.entry_number.to_string()).collect();
    let n = |s: u32| EntryNumber::from_parts("ABC", s).unwrap().to_string();
    assert_eq!(a, [n(2), n(3), n(1)], "soonest first, no deadline last");
    // Each entry's IEEPA duty is 1,000.00: 3,000.00 at stake for A, 1,000.00 for B.
    assert_eq!(
        (groups[0].ieepa_duty.to_string_2dp(), groups[1].ieepa_duty.to_string_2dp()),
        ("3000.00".into(), "1000.00".into())
    );
    assert_eq!(groups[0].earliest_act_by, Some(d(2026, 12, 19)));

    o.by = PlanGrouping::Week;
    let weeks = Plan::of(&got, o).groups().unwrap();
    let keys: Vec<&str> = weeks.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["week of 2026-12-14", "week of 2027-01-25", "no deadline"]);
    assert_eq!(weeks[0].items.len(), 2);

    // Within 30 days: only the two 2026-12-19 deadlines (18 days); the protest (58 days) and the undated one go.
    o.within_days = Some(30);
    let soon = Plan::of(&got, o);
    assert_eq!(soon.items(), 2);
    let json: serde_json::Value = serde_json::from_str(&soon.to_json().unwrap()).unwrap();
    assert_eq!(json["ieepa_duty"], "2000.00");
    assert_eq!(json["groups"][0]["items"][1]["next_action"], serde_json::Value::Null);
    assert_eq!(json["groups"][0]["items"][1]["action"], "withdraw_protest_then_declare");
    assert_eq!(json["groups"][0]["items"][1]["act_by"], "2026-12-19");
    assert_eq!(json["groups"][0]["items"][1]["days_left"], 18);
}

#[test]
fn plans_of_two_halves_merge_into_the_plan_of_the_whole() {
    use cape_core::claim::{Plan, PlanOptions};
    let got = assess_all(&plan_input(), as_of());
    let o = PlanOptions::new(d(2026, 12, 1));
    let whole = Plan::of(&got, o);
    let mut first = Plan::of(&got[..2], o);
    first.merge(Plan::of(&got[2..], o));
    assert_eq!(first.groups().unwrap(), whole.groups().unwrap());
}

#[test]
fn a_predicted_rejection_asks_for_a_psc_while_one_is_possible() {
    // A goods value on the IEEPA row: CAPE would answer GOODS VALUE AMOUNT NOT ALLOWED ON IEEPA HTS LINE.
    let entry = |serial: u32, date: &str| {
        let n = EntryNumber::from_parts("ABC", serial).unwrap();
        let common = format!("01,12-345678900,{date},,,,,Accepted,N,,{date},CN");
        format!("{n},1,1,8471300100,10000.00,0.00,{common}\n{n},1,2,9903.01.25,100.00,1000.00,{common}\n")
    };
    // Entered 2026-02-20, unliquidated: PSC by 2026-02-20 + 300 = 2026-12-17.
    // Entered 2025-06-02: the PSC window closed on 2026-03-29.
    let csv = format!("{HEADER}\n{}{}", entry(1, "02/20/2026"), entry(2, "06/02/2025"));
    let got = assess_all(&csv, as_of());
    assert!(got.iter().all(|a| a.claim.has(cape_core::ReasonCode::CorrectionNeeded)), "{got:?}");
    assert_eq!(
        (got[0].next_action.code, got[0].next_action.act_by),
        (ActionCode::CorrectThenDeclare, Some(d(2026, 12, 17)))
    );
    assert!(got[0].next_action.note.contains("by 2026-12-17 (16 days left"), "{}", got[0].next_action.note);
    assert_eq!((got[1].next_action.code, got[1].next_action.act_by), (ActionCode::ReviewFacts, None));
    assert!(got[1].next_action.note.contains("no longer possible"), "{}", got[1].next_action.note);
    // The refund amount is unchanged by the prediction.
    assert_eq!(got[0].principal().to_string_2dp(), "1000.00");
}

#[test]
fn the_validation_lag_moves_the_last_upload_day_and_the_window() {
    // Liquidated 2026-10-01: last filing day 2026-12-19. CAPE validates `lag` days after the upload.
    let csv = format!("{HEADER}\n{}", rows(2, "10/01/2026", "Liquidated", "", "", "Accepted", "N", ""));
    let with = |as_of: NaiveDate, lag: u32| {
        let tables = Tables::embedded().unwrap();
        let mut o = AssessOptions::new(as_of).assume_last_rate(&tables.rates);
        o.schedule.acceptance_lag_days = lag;
        assess_all(&csv, o).remove(0)
    };
    // As of 2026-12-01 with a 2-day lag: upload by 2026-12-17.
    let a = with(d(2026, 12, 1), 2);
    assert_eq!((a.next_action.code, a.next_action.act_by), (ActionCode::Declare, Some(d(2026, 12, 17))));
    assert!(
        a.next_action.note.contains("the last filing day 2026-12-19 less the 2-day validation lag"),
        "{}",
        a.next_action.note
    );
    // As of 2026-12-18: validated 2026-12-19 with a 1-day lag (still in), 2026-12-20 with 2 (past the window).
    let one = with(d(2026, 12, 18), 1);
    assert_eq!((one.status(), one.next_action.act_by), (cape_core::ClaimStatus::Eligible, Some(d(2026, 12, 18))));
    let two = with(d(2026, 12, 18), 2);
    assert_eq!(two.status(), cape_core::ClaimStatus::Ineligible);
    let past = two.claim.reasons.iter().find(|r| r.code == cape_core::ReasonCode::Past80Days).unwrap();
    assert!(
        past.message.contains(
            "before 2026-12-20, when CAPE validates a declaration uploaded on 2026-12-18 (2-day validation lag)"
        ),
        "{}",
        past.message
    );
    assert_eq!(two.next_action.code, ActionCode::Protest);
    // No lag: the last filing day itself.
    assert_eq!(with(d(2026, 12, 18), 0).next_action.act_by, Some(d(2026, 12, 19)));
}

#[test]
fn a_deadline_already_past_is_said_plainly() {
    // An unreadable liquidation status with a liquidation date long past: a review whose last filing day
    // (2025-03-02 + 79 = 2025-05-20) has passed, 560 days before 2026-12-01.
    let csv = format!("{HEADER}\n{}", rows(1, "03/02/2025", "Bogus", "", "", "Accepted", "N", ""));
    let a = &assess_all(&csv, as_of())[0];
    assert_eq!((a.next_action.code, a.next_action.act_by), (ActionCode::ReviewFacts, Some(d(2025, 5, 20))));
    assert!(a.next_action.note.contains("by 2025-05-20 (passed 560 days ago, urgent)"), "{}", a.next_action.note);
}
