//! Claim eligibility: one scenario per reason and per status, the 80-day boundary, Phase 1 vs Phase 2, rule sets.

use cape_core::claim::{
    assess_claim, cbp, Check, ClaimAssessment, ClaimInputs, ClaimOptions, ClaimStatus, Effect, ReasonCode, RuleSet,
    RuleSets,
};
use cape_core::model::{AdCvdStatus, FinalLiquidation, LiquidationStatus, ProtestStatus, SummaryStatus};
use cape_core::{Entry, EntryHeader, EntryNumber, EntryType, ErrorKind, Fact, ImporterNumber};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn entry_with(f: impl FnOnce(&mut EntryHeader)) -> Entry {
    let mut header = EntryHeader {
        entry_type: Fact::Known(EntryType::Consumption),
        importer_number: Fact::Known(ImporterNumber::parse("12-345678900")),
        ..Default::default()
    };
    f(&mut header);
    Entry {
        number: EntryNumber::from_parts("ABC", 1_234_567).unwrap(),
        header,
        lines: Vec::new(),
        conflicting: false,
        split: false,
        first_row: 2,
    }
}

fn ok_inputs() -> ClaimInputs<'static> {
    ClaimInputs { has_dutiable_ieepa: true, ..Default::default() }
}

fn assess_on(e: &Entry, inputs: ClaimInputs, rules: &RuleSet, as_of: NaiveDate) -> ClaimAssessment {
    assess_claim(e, &inputs, rules, as_of, &ClaimOptions::default())
}

fn assess(e: &Entry) -> ClaimAssessment {
    assess_on(e, ok_inputs(), &RuleSet::phase1(), d(2026, 5, 1))
}

fn codes(a: &ClaimAssessment) -> Vec<&'static str> {
    a.reasons.iter().map(|r| r.code.as_str()).collect()
}

#[track_caller]
fn expect(a: &ClaimAssessment, status: ClaimStatus, code: ReasonCode) {
    assert_eq!(a.status, status, "{:?}", a.reasons);
    assert!(a.has(code), "expected {code} in {:?}", codes(a));
}

#[test]
fn plain_unliquidated_entry_is_eligible() {
    let a = assess(&entry_with(|h| {
        h.liquidation_status = Fact::Blank;
        h.liquidation_date = Fact::Blank;
    }));
    assert_eq!(a.status, ClaimStatus::Eligible);
    assert!(a.reasons.is_empty(), "{:?}", a.reasons);
    assert_eq!((a.last_filing_day, a.days_left, a.urgent), (None, None, false));
    assert_eq!(a.importer_number.as_deref(), Some("12-345678900"));
    assert_eq!(a.entry_type.as_deref(), Some("01"));
    assert_eq!((a.rule_set.as_str(), a.rule_set_version.as_str()), ("phase1", "2026-04-13"));
}

#[test]
fn each_ineligible_reason() {
    let p1 = RuleSet::phase1();
    let as_of = d(2026, 5, 1);
    let a = assess_on(&entry_with(|_| {}), ClaimInputs::default(), &p1, as_of);
    expect(&a, ClaimStatus::Ineligible, ReasonCode::NoDutiableIeepa);

    let a = assess(&entry_with(|h| h.reconciliation_flag = Fact::Known(true)));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::FlaggedForRecon);
    assert_eq!(a.reasons[0].cbp_message, Some("ENTRY SUMMARY FLAGGED FOR RECON"));

    for (t, code) in [
        (EntryType::Reconciliation, ReasonCode::ReconEntryType),
        (EntryType::Drawback, ReasonCode::DrawbackEntryType),
        (EntryType::DutyDeferral, ReasonCode::DutyDeferralEntryType),
    ] {
        let a = assess(&entry_with(|h| h.entry_type = Fact::Known(t)));
        expect(&a, ClaimStatus::Ineligible, code);
        assert!(a.reasons[0].message.contains(&format!("{t}")), "{}", a.reasons[0].message);
    }

    let a = assess(&entry_with(|h| h.drawback_flag = Fact::Known(true)));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::OnDrawback);
    assert_eq!(a.reasons[0].cbp_message, Some(cbp::ENTRY_ON_DRAWBACK));

    for s in [ProtestStatus::Open, ProtestStatus::Suspended] {
        let a = assess(&entry_with(|h| {
            h.protest_number = Fact::Known("2704-26-100001".into());
            h.protest_status = Fact::Known(s);
        }));
        expect(&a, ClaimStatus::Ineligible, ReasonCode::ProtestOnEntry);
        assert_eq!(a.reasons[0].cbp_message, Some("PROTEST ON ENTRY"));
        assert!(a.reasons[0].message.contains("2704-26-100001"));
    }
    let closed = assess(&entry_with(|h| {
        h.protest_number = Fact::Known("2704-26-100001".into());
        h.protest_status = Fact::Known(ProtestStatus::Closed);
    }));
    assert_eq!(closed.status, ClaimStatus::Eligible);

    for s in [SummaryStatus::Cancelled, SummaryStatus::Rejected] {
        let a = assess(&entry_with(|h| h.summary_status = Fact::Known(s)));
        expect(&a, ClaimStatus::Ineligible, ReasonCode::SummaryNotAccepted);
        assert_eq!(a.reasons[0].cbp_message, Some("ENTRY SUMMARY IS CANCELLED/REJECTED"));
    }

    let a = assess(&entry_with(|h| h.adcvd_status = Fact::Known(AdCvdStatus::PendingLiquidation)));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::AdcvdPendingLiquidation);

    let a = assess(&entry_with(|h| h.liquidation_status = Fact::Known(LiquidationStatus::Final)));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::FinallyLiquidated);
    assert_eq!(a.reasons[0].cbp_message, Some("ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS"));
    assert!(!a.has(ReasonCode::LiquidatedWithoutDate), "{:?}", codes(&a));
    let a = assess(&entry_with(|h| {
        h.final_liquidation = Fact::Known(FinalLiquidation::Flag(true));
        h.liquidation_date = Fact::Known(d(2026, 4, 20));
    }));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::FinallyLiquidated);

    let a = assess(&entry_with(|h| h.surety_paid = Fact::Known(true)));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::SuretyPaid);

    let a = assess_on(&entry_with(|_| {}), ClaimInputs { duplicate_in_input: true, ..ok_inputs() }, &p1, as_of);
    expect(&a, ClaimStatus::Ineligible, ReasonCode::DuplicateInInput);
    let a = assess_on(&entry_with(|_| {}), ClaimInputs { already_accepted: true, ..ok_inputs() }, &p1, as_of);
    expect(&a, ClaimStatus::Ineligible, ReasonCode::AlreadyDeclared);
}

#[test]
fn each_deferred_reason() {
    for (s, code) in [
        (LiquidationStatus::Suspended, ReasonCode::LiquidationSuspended),
        (LiquidationStatus::Extended, ReasonCode::LiquidationExtended),
        (LiquidationStatus::UnderReview, ReasonCode::LiquidationUnderReview),
    ] {
        let a = assess(&entry_with(|h| h.liquidation_status = Fact::Known(s)));
        expect(&a, ClaimStatus::EligibleDeferred, code);
        assert!(a.deferred_refund);
    }
    for t in [EntryType::Warehouse, EntryType::Rewarehouse] {
        let a = assess(&entry_with(|h| h.entry_type = Fact::Known(t)));
        expect(&a, ClaimStatus::EligibleDeferred, ReasonCode::WarehouseEntry);
    }
    // Warehouse types are deferred only while unliquidated.
    let a = assess(&entry_with(|h| {
        h.entry_type = Fact::Known(EntryType::Warehouse);
        h.liquidation_status = Fact::Known(LiquidationStatus::Liquidated);
        h.liquidation_date = Fact::Known(d(2026, 4, 1));
    }));
    assert_eq!(a.status, ClaimStatus::Eligible, "{:?}", codes(&a));
    for t in [
        EntryType::WarehouseWithdrawal,
        EntryType::WarehouseWithdrawalQuota,
        EntryType::WarehouseWithdrawalAdCvd,
        EntryType::WarehouseWithdrawalQuotaAdCvd,
    ] {
        let a = assess(&entry_with(|h| h.entry_type = Fact::Known(t)));
        expect(&a, ClaimStatus::EligibleDeferred, ReasonCode::WarehouseWithdrawal);
    }
    let a = assess(&entry_with(|h| h.adcvd_status = Fact::Known(AdCvdStatus::Suspended)));
    expect(&a, ClaimStatus::EligibleDeferred, ReasonCode::AdcvdSuspended);
}

#[test]
fn each_review_reason_and_conventions() {
    let a = assess(&entry_with(|h| h.liquidation_status = Fact::Unreadable("pending-ish".into())));
    expect(&a, ClaimStatus::NeedsReview, ReasonCode::UnknownLiquidationStatus);
    assert!(a.reasons[0].message.contains("pending-ish"));

    let a = assess(&entry_with(|h| h.liquidation_status = Fact::Known(LiquidationStatus::Liquidated)));
    expect(&a, ClaimStatus::NeedsReview, ReasonCode::LiquidatedWithoutDate);

    let a = assess(&entry_with(|h| h.protest_number = Fact::Known("2704-26-100001".into())));
    expect(&a, ClaimStatus::NeedsReview, ReasonCode::ProtestStatusUnknown);
    let a = assess(&entry_with(|h| {
        h.protest_number = Fact::Known("2704-26-100001".into());
        h.protest_status = Fact::Unreadable("??".into());
    }));
    expect(&a, ClaimStatus::NeedsReview, ReasonCode::ProtestStatusUnknown);

    let mut e = entry_with(|_| {});
    e.conflicting = true;
    expect(&assess(&e), ClaimStatus::NeedsReview, ReasonCode::ConflictingRows);

    // Present-but-unreadable optional values.
    type Setter = Box<dyn Fn(&mut EntryHeader)>;
    let cases: Vec<(&str, Setter)> = vec![
        ("Drawback Indicator", Box::new(|h| h.drawback_flag = Fact::Unreadable("maybe".into()))),
        ("Surety Paid Indicator", Box::new(|h| h.surety_paid = Fact::Unreadable("maybe".into()))),
        ("Entry Summary Status", Box::new(|h| h.summary_status = Fact::Unreadable("maybe".into()))),
        ("AD/CVD Liquidation Status", Box::new(|h| h.adcvd_status = Fact::Unreadable("maybe".into()))),
        ("Reconciliation Indicator", Box::new(|h| h.reconciliation_flag = Fact::Unreadable("maybe".into()))),
        ("Final Liquidation", Box::new(|h| h.final_liquidation = Fact::Unreadable("maybe".into()))),
        ("Liquidation Date", Box::new(|h| h.liquidation_date = Fact::Unreadable("13/45/2026".into()))),
    ];
    for (column, f) in cases {
        let a = assess(&entry_with(|h| f(h)));
        expect(&a, ClaimStatus::NeedsReview, ReasonCode::UnreadableFact);
        assert!(a.reasons.iter().any(|r| r.message.contains(column)), "{column}: {:?}", a.reasons);
    }

    for f in [
        |h: &mut EntryHeader| h.entry_type = Fact::Blank,
        |h: &mut EntryHeader| h.entry_type = Fact::NotSupplied,
        |h: &mut EntryHeader| h.entry_type = Fact::Unreadable("X1".into()),
        |h: &mut EntryHeader| h.entry_type = Fact::Known(EntryType::Other(99)),
    ] {
        expect(&assess(&entry_with(f)), ClaimStatus::NeedsReview, ReasonCode::UnknownEntryType);
    }

    // Absent optional columns mean "not flagged".
    let a = assess(&entry_with(|h| {
        h.drawback_flag = Fact::NotSupplied;
        h.surety_paid = Fact::NotSupplied;
        h.summary_status = Fact::NotSupplied;
        h.reconciliation_flag = Fact::NotSupplied;
        h.liquidation_status = Fact::NotSupplied;
        h.liquidation_date = Fact::NotSupplied;
    }));
    assert_eq!(a.status, ClaimStatus::Eligible);
}

#[test]
fn status_precedence_lists_every_reason() {
    let mut e = entry_with(|h| {
        h.liquidation_status = Fact::Known(LiquidationStatus::Suspended);
        h.drawback_flag = Fact::Known(true);
    });
    e.conflicting = true;
    let a = assess(&e);
    assert_eq!(a.status, ClaimStatus::Ineligible);
    assert!(a.has(ReasonCode::ConflictingRows) && a.has(ReasonCode::OnDrawback));
    assert!(a.has(ReasonCode::LiquidationSuspended));
    assert!(!a.deferred_refund);

    e.header.drawback_flag = Fact::Known(false);
    assert_eq!(assess(&e).status, ClaimStatus::NeedsReview);
    e.conflicting = false;
    assert_eq!(assess(&e).status, ClaimStatus::EligibleDeferred);
    assert!(ClaimStatus::Ineligible > ClaimStatus::NeedsReview);
    assert!(ClaimStatus::NeedsReview > ClaimStatus::EligibleDeferred);
    assert!(ClaimStatus::EligibleDeferred > ClaimStatus::Eligible);
    for s in [ClaimStatus::Eligible, ClaimStatus::EligibleDeferred, ClaimStatus::NeedsReview, ClaimStatus::Ineligible] {
        assert_eq!(ClaimStatus::from_name(s.name()), Some(s));
    }
    assert_eq!(serde_json::to_value(ClaimStatus::EligibleDeferred).unwrap(), "eligible_deferred");
}

#[test]
fn eighty_day_boundary() {
    let p1 = RuleSet::phase1();
    let liquidated = entry_with(|h| {
        h.liquidation_status = Fact::Known(LiquidationStatus::Liquidated);
        h.liquidation_date = Fact::Known(d(2026, 1, 30));
    });
    let a = assess_on(&liquidated, ok_inputs(), &p1, d(2026, 4, 19));
    assert_eq!(a.status, ClaimStatus::Eligible, "{:?}", a.reasons);
    assert_eq!((a.last_filing_day, a.days_left), (Some(d(2026, 4, 19)), Some(0)));
    assert!(a.urgent);

    let a = assess_on(&liquidated, ok_inputs(), &p1, d(2026, 4, 20));
    expect(&a, ClaimStatus::Ineligible, ReasonCode::Past80Days);
    assert_eq!(a.days_left, Some(-1));
    assert!(!a.urgent);
    let r = &a.reasons[0];
    assert_eq!(r.cbp_message, Some("ENTRY SUMMARY IS IN FINAL LIQUIDATION STATUS"));
    for needle in ["2026-01-30", "2026-04-19", "2026-04-20", "19 USC 1514", "180 days", "2026-07-29"] {
        assert!(r.message.contains(needle), "{needle} not in {}", r.message);
    }

    // Offset 80: day 80 itself is eligible, day 81 is not.
    let params = {
        let mut o = ClaimOptions::default();
        o.last_day_offset = Some(80);
        o
    };
    let a = assess_claim(&liquidated, &ok_inputs(), &p1, d(2026, 4, 20), &params);
    assert_eq!((a.status, a.days_left), (ClaimStatus::Eligible, Some(0)));
    let a = assess_claim(&liquidated, &ok_inputs(), &p1.clone().with_last_day_offset(80), d(2026, 4, 21), &params);
    expect(&a, ClaimStatus::Ineligible, ReasonCode::Past80Days);

    // Blank status with a date = liquidated on that date.
    let blank = entry_with(|h| {
        h.liquidation_status = Fact::Blank;
        h.liquidation_date = Fact::Known(d(2026, 1, 30));
    });
    expect(&assess_on(&blank, ok_inputs(), &p1, d(2026, 4, 20)), ClaimStatus::Ineligible, ReasonCode::Past80Days);

    // Past the protest period too: the message says liquidation is final.
    let a = assess_on(&liquidated, ok_inputs(), &p1, d(2026, 9, 1));
    assert!(a.reasons[0].message.contains("ended 2026-07-29"), "{}", a.reasons[0].message);

    // Urgency horizon.
    let a = assess_on(&liquidated, ok_inputs(), &p1, d(2026, 4, 5));
    assert_eq!((a.days_left, a.urgent), (Some(14), true));
    let a = assess_on(&liquidated, ok_inputs(), &p1, d(2026, 4, 4));
    assert_eq!((a.days_left, a.urgent), (Some(15), false));

    // Days left are reported whatever the status (here: suspended with a date).
    let a = assess_on(
        &entry_with(|h| {
            h.liquidation_status = Fact::Known(LiquidationStatus::Suspended);
            h.liquidation_date = Fact::Known(d(2026, 1, 30));
        }),
        ok_inputs(),
        &p1,
        d(2026, 5, 1),
    );
    assert_eq!(a.status, ClaimStatus::EligibleDeferred);
    assert_eq!(a.days_left, Some(-12));
}

#[test]
fn phase1_vs_phase2_on_recon_flagged_entries() {
    let sets = RuleSets::embedded();
    let p1 = sets.get("phase1").unwrap();
    let p2 = sets.get("phase2").unwrap();
    let as_of = d(2026, 7, 1);
    let flagged01 = entry_with(|h| h.reconciliation_flag = Fact::Known(true));

    expect(&assess_on(&flagged01, ok_inputs(), p1, as_of), ClaimStatus::Ineligible, ReasonCode::FlaggedForRecon);

    let a = assess_on(&flagged01, ok_inputs(), p2, as_of);
    assert_eq!(a.status, ClaimStatus::Eligible);
    assert!(a.has(ReasonCode::ReconAssumedNoType09));
    assert_eq!(a.reasons[0].effect, Effect::Note);

    // A type 09 was filed: ineligible in Phase 2 too.
    let filed = entry_with(|h| {
        h.reconciliation_flag = Fact::Known(true);
        h.reconciliation_entry = Fact::Known(EntryNumber::from_parts("ABC", 7_654_321).unwrap());
    });
    let a = assess_on(&filed, ok_inputs(), p2, as_of);
    expect(&a, ClaimStatus::Ineligible, ReasonCode::FlaggedForRecon);
    assert!(a.reasons[0].message.contains("ABC-7654321"), "{}", a.reasons[0].message);

    // Type 03 recon-flagged stays ineligible in Phase 2.
    let flagged03 = entry_with(|h| {
        h.entry_type = Fact::Known(EntryType::AdCvd);
        h.reconciliation_flag = Fact::Known(true);
    });
    expect(&assess_on(&flagged03, ok_inputs(), p2, as_of), ClaimStatus::Ineligible, ReasonCode::FlaggedForRecon);

    // Types 02 and 06 are admitted.
    for t in [EntryType::QuotaVisa, EntryType::FtzConsumption] {
        let e = entry_with(|h| {
            h.entry_type = Fact::Known(t);
            h.reconciliation_flag = Fact::Known(true);
        });
        assert_eq!(assess_on(&e, ok_inputs(), p2, as_of).status, ClaimStatus::Eligible);
    }
}

#[test]
fn rule_set_selection() {
    let sets = RuleSets::embedded();
    assert_eq!(sets.all().len(), 2);
    assert_eq!(sets.select("auto", d(2026, 4, 20)).unwrap().name, "phase1");
    assert_eq!(sets.select("auto", d(2026, 6, 28)).unwrap().name, "phase1");
    assert_eq!(sets.select("auto", d(2026, 6, 29)).unwrap().name, "phase2");
    assert_eq!(sets.select("AUTO", d(2027, 1, 1)).unwrap().name, "phase2");
    // Before CAPE opened: the first phase.
    assert_eq!(sets.select("auto", d(2026, 1, 1)).unwrap().name, "phase1");
    assert_eq!(sets.select("phase2", d(2026, 5, 1)).unwrap().name, "phase2");
    let e = sets.select("phase9", d(2026, 5, 1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("phase1, phase2"), "{e}");

    let p1 = sets.get("phase1").unwrap();
    assert_eq!(p1.effective, d(2026, 4, 20));
    assert_eq!(p1.last_day_offset, 79);
    assert!(p1.sources.iter().any(|s| s == "CSMS 68340863"));
    assert!(p1.applies(Check::ReconFlag));
    assert_eq!(sets.get("phase2").unwrap().effective, d(2026, 6, 29));
}

#[test]
fn a_later_phase_is_new_data() {
    // Phase 3: finally liquidated entries admitted, from a (hypothetical) date.
    let json = RuleSet::phase2()
        .to_json()
        .replace("\"phase2\"", "\"phase3\"")
        .replace("\"effective\": \"2026-06-29\"", "\"effective\": \"2026-08-01\"")
        .replace("    \"final_liquidation\",\n", "");
    let p3 = RuleSet::from_json_str(&json, "phase3.json").unwrap();
    assert!(!p3.applies(Check::FinalLiquidation));
    let mut sets = RuleSets::embedded();
    sets.insert(p3);
    assert_eq!(sets.select("auto", d(2026, 8, 1)).unwrap().name, "phase3");
    assert_eq!(sets.select("auto", d(2026, 7, 31)).unwrap().name, "phase2");
    let fin = entry_with(|h| h.liquidation_status = Fact::Known(LiquidationStatus::Final));
    assert_eq!(assess_on(&fin, ok_inputs(), sets.get("phase3").unwrap(), d(2026, 8, 2)).status, ClaimStatus::Eligible);

    // From a file.
    let dir = std::env::temp_dir().join(format!("cape-claim-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("phase3.json");
    std::fs::write(&p, &json).unwrap();
    assert_eq!(RuleSet::from_path(&p).unwrap().name, "phase3");
    assert_eq!(RuleSet::from_path(dir.join("nope.json")).unwrap_err().kind(), ErrorKind::Io);
    std::fs::remove_dir_all(&dir).unwrap();

    // Unknown check id, unknown reason, unknown field: clear errors.
    let bad = json.replace("\"protest\"", "\"protests\"");
    let e = RuleSet::from_json_str(&bad, "bad.json").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidReferenceData);
    assert!(e.to_string().contains("unknown check id \"protests\""), "{e}");
    let bad = json.replace("\"RECON_ENTRY_TYPE\"", "\"LIQUIDATION_SUSPENDED\"");
    assert!(RuleSet::from_json_str(&bad, "bad.json").unwrap_err().to_string().contains("not an ineligible reason"));
    let bad = json.replacen('{', "{ \"colour\": \"red\",", 1);
    assert!(RuleSet::from_json_str(&bad, "bad.json").unwrap_err().to_string().contains("colour"));
}

#[test]
fn reason_codes_are_stable() {
    for c in ReasonCode::ALL {
        assert_eq!(ReasonCode::from_code(c.as_str()), Some(*c));
    }
    assert_eq!(ReasonCode::Past80Days.as_str(), "PAST_80_DAYS");
    assert_eq!(ReasonCode::ReconAssumedNoType09.effect(), Effect::Note);
    let a = assess(&entry_with(|h| h.drawback_flag = Fact::Known(true)));
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["status"], "ineligible");
    assert_eq!(v["reasons"][0]["code"], "ON_DRAWBACK");
    assert_eq!(v["reasons"][0]["effect"], "ineligible");
    assert_eq!(v["reasons"][0]["cbp_message"], "ENTRY ON DRAWBACK");
    assert_eq!(v["entry_number"], "ABC-1234567-6");
    assert_eq!(v["as_of"], "2026-05-01");
}

// ---- issue 16: the fidelity gaps ----

fn withdrawal_types() -> [EntryType; 4] {
    [
        EntryType::WarehouseWithdrawal,
        EntryType::WarehouseWithdrawalQuota,
        EntryType::WarehouseWithdrawalAdCvd,
        EntryType::WarehouseWithdrawalQuotaAdCvd,
    ]
}

#[test]
fn warehouse_withdrawal_is_deferred_only_while_not_liquidated() {
    for rules in [RuleSet::phase1(), RuleSet::phase2()] {
        assert!(rules.deferred.withdrawal_only_while_unliquidated, "{}", rules.name);
        for t in withdrawal_types() {
            // Liquidated 2026-09-14, assessed 2026-09-30: plain eligible, with the 80-day figures.
            let a = assess_on(
                &entry_with(|h| {
                    h.entry_type = Fact::Known(t);
                    h.liquidation_date = Fact::Known(d(2026, 9, 14));
                }),
                ok_inputs(),
                &rules,
                d(2026, 9, 30),
            );
            assert_eq!(a.status, ClaimStatus::Eligible, "{t}: {:?}", codes(&a));
            assert!(a.reasons.is_empty(), "{:?}", a.reasons);
            assert_eq!(a.last_filing_day, Some(d(2026, 12, 2)));
            assert_eq!(a.days_left, Some(63));
            assert!(!a.deferred_refund);
        }
    }
}

#[test]
fn warehouse_entries_pending_liquidation_list_every_reason() {
    for (s, code) in [
        (LiquidationStatus::Suspended, ReasonCode::LiquidationSuspended),
        (LiquidationStatus::Extended, ReasonCode::LiquidationExtended),
        (LiquidationStatus::UnderReview, ReasonCode::LiquidationUnderReview),
    ] {
        for t in [EntryType::Warehouse, EntryType::Rewarehouse] {
            let a = assess(&entry_with(|h| {
                h.entry_type = Fact::Known(t);
                h.liquidation_status = Fact::Known(s);
            }));
            assert_eq!(codes(&a), [code.as_str(), "WAREHOUSE_ENTRY"]);
            assert_eq!(a.status, ClaimStatus::EligibleDeferred);
            assert!(a.reasons[1].message.contains("not yet liquidated"), "{}", a.reasons[1].message);
        }
        for t in withdrawal_types() {
            let a = assess(&entry_with(|h| {
                h.entry_type = Fact::Known(t);
                h.liquidation_status = Fact::Known(s);
            }));
            assert_eq!(codes(&a), [code.as_str(), "WAREHOUSE_WITHDRAWAL"]);
        }
    }
}

#[test]
fn every_unreadable_optional_column_is_a_review_naming_column_and_text() {
    type Setter = Box<dyn Fn(&mut EntryHeader)>;
    fn u<T>() -> Fact<T> {
        Fact::Unreadable("#N/A".into())
    }
    let cases: Vec<(&str, Setter)> = vec![
        ("Payment Date", Box::new(|h| h.payment_date = Fact::Unreadable("13/45/2025".into()))),
        ("Payment Type Code", Box::new(|h| h.payment_type = u())),
        ("Refund Designee Number", Box::new(|h| h.refund_designee = u())),
        ("ACH Refund Enrolled", Box::new(|h| h.ach_refund_enrolled = Fact::Unreadable("maybe".into()))),
        ("Importer Class", Box::new(|h| h.importer_class = Fact::Unreadable("xyz".into()))),
        ("Entry Summary Date", Box::new(|h| h.entry_summary_date = u())),
        ("Initial Entry Summary Create Date", Box::new(|h| h.initial_summary_create_date = u())),
        ("Importation Date", Box::new(|h| h.importation_date = u())),
        ("Post Summary Correction Indicator", Box::new(|h| h.psc_flag = u())),
        ("Total Liquidated Duty Amount", Box::new(|h| h.total_liquidated_duty = u())),
        ("Importer Name", Box::new(|h| h.importer_name = u())),
        ("Protest Number", Box::new(|h| h.protest_number = u())),
        ("Reconciliation Entry Number", Box::new(|h| h.reconciliation_entry = u())),
        ("Final Liquidation", Box::new(|h| h.final_liquidation = u())),
    ];
    for (column, f) in cases {
        let a = assess(&entry_with(|h| f(h)));
        assert_eq!(a.status, ClaimStatus::NeedsReview, "{column}");
        // Reported once, and by this code only.
        assert_eq!(codes(&a), ["UNREADABLE_FACT"], "{column}: {:?}", a.reasons);
        let m = &a.reasons[0].message;
        assert!(m.starts_with(&format!("`{column}` holds \"")), "{m}");
    }
    // The columns with a check of their own are reported once, by it.
    let a = assess(&entry_with(|h| h.drawback_flag = Fact::Unreadable("maybe".into())));
    assert_eq!(codes(&a), ["UNREADABLE_FACT"]);
    let a = assess(&entry_with(|h| h.liquidation_status = Fact::Unreadable("??".into())));
    assert_eq!(codes(&a), ["UNKNOWN_LIQUIDATION_STATUS"]);
    let a = assess(&entry_with(|h| h.entry_type = Fact::Unreadable("X1".into())));
    assert_eq!(codes(&a), ["UNKNOWN_ENTRY_TYPE"]);
    let a = assess(&entry_with(|h| h.protest_status = Fact::Unreadable("??".into())));
    assert_eq!(codes(&a), ["PROTEST_STATUS_UNKNOWN"]);
}

#[test]
fn unreadable_line_facts_are_a_review_once_per_column() {
    use cape_core::model::Line;
    let line = |n: u32, origin: Fact<cape_core::CountryCode>| Line {
        number: n,
        country_of_origin: origin,
        country_of_export: Fact::Blank,
        spi: Fact::Blank,
        manufacturer_id: Fact::Blank,
        foreign_exporter_id: Fact::Blank,
        mfn_rate_percent: Fact::Unreadable("2.5% + 3.3c/kg".into()),
        psc_flag: Fact::Blank,
        tariffs: Vec::new(),
    };
    let mut e = entry_with(|_| {});
    e.lines = vec![
        line(1, Fact::Known("CN".parse().unwrap())),
        line(2, Fact::Unreadable("ZZZ".into())),
        line(3, Fact::Unreadable("#N/A".into())),
        line(4, Fact::Unreadable("XX1".into())),
    ];
    let a = assess(&e);
    assert_eq!(a.status, ClaimStatus::NeedsReview);
    // The compound Column 1 rate is not an unreadable fact (FLOOR_MFN_RATE_UNKNOWN covers floor lines).
    assert_eq!(codes(&a), ["UNREADABLE_FACT"]);
    assert_eq!(
        a.reasons[0].message,
        "`Country of Origin Code` holds \"ZZZ\" on line 2 (and on 2 other lines), which cape cannot read; check the value"
    );
    e.lines[1].country_of_origin = Fact::Blank;
    e.lines[2].country_of_origin = Fact::Blank;
    e.lines[3].country_of_origin = Fact::Blank;
    e.lines[3].psc_flag = Fact::Unreadable("maybe".into());
    let a = assess(&e);
    assert_eq!(
        a.reasons.iter().map(|r| r.message.as_str()).collect::<Vec<_>>(),
        ["`Line Post Summary Correction Indicator` holds \"maybe\" on line 4, which cape cannot read; check the value"]
    );
}

#[test]
fn unreadable_facts_are_reported_whatever_the_rule_set_lists() {
    // A rule set without the drawback check still reports an unreadable Drawback Indicator.
    let json = cape_core::claim::rules::EMBEDDED_PHASE1_JSON.replace("    \"drawback_link\",\n", "");
    let rules = RuleSet::from_json_str(&json, "no-drawback.json").unwrap();
    assert!(!rules.applies(Check::DrawbackLink));
    let a = assess_on(
        &entry_with(|h| h.drawback_flag = Fact::Unreadable("maybe".into())),
        ok_inputs(),
        &rules,
        d(2026, 5, 1),
    );
    assert_eq!(codes(&a), ["UNREADABLE_FACT"]);
}

#[test]
fn types_23_and_86_with_ieepa_duty_need_review() {
    for t in [EntryType::TemporaryImportBond, EntryType::Section321] {
        let inputs = ClaimInputs { ieepa_principal: Some(cape_core::Usd::from_cents(12_345)), ..ok_inputs() };
        let a = assess_on(&entry_with(|h| h.entry_type = Fact::Known(t)), inputs, &RuleSet::phase1(), d(2026, 5, 1));
        assert_eq!(a.status, ClaimStatus::NeedsReview, "{t}");
        assert_eq!(codes(&a), ["NO_IEEPA_ENTRY_TYPE"]);
        assert_eq!(a.reasons[0].effect, Effect::Review);
        let m = &a.reasons[0].message;
        assert!(m.contains("normally carry no IEEPA duty") && m.contains("carries $123.45 of IEEPA duty"), "{m}");
        assert!(m.contains("check the entry type and the duty"), "{m}");
        // Without dutiable IEEPA: ineligible for that reason alone.
        let a = assess_on(
            &entry_with(|h| h.entry_type = Fact::Known(t)),
            ClaimInputs::default(),
            &RuleSet::phase1(),
            d(2026, 5, 1),
        );
        assert_eq!((a.status, codes(&a)), (ClaimStatus::Ineligible, vec!["NO_DUTIABLE_IEEPA"]));
    }
    assert_eq!(ReasonCode::NoIeepaEntryType.effect(), Effect::Review);
    // Other review codes are still refused as exclusion reasons.
    let json = cape_core::claim::rules::EMBEDDED_PHASE1_JSON.replace("DRAWBACK_ENTRY_TYPE", "UNREADABLE_FACT");
    let e = RuleSet::from_json_str(&json, "x.json").unwrap_err();
    assert!(e.to_string().contains("\"UNREADABLE_FACT\""), "{e}");
}

#[test]
fn final_liquidation_date_is_final_from_that_day() {
    let on = FinalLiquidation::On(d(2026, 5, 1));
    let e = entry_with(|h| {
        h.final_liquidation = Fact::Known(on);
        h.liquidation_date = Fact::Known(d(2026, 4, 1));
    });
    let before = assess_on(&e, ok_inputs(), &RuleSet::phase1(), d(2026, 4, 30));
    assert_eq!(before.status, ClaimStatus::Eligible, "{:?}", before.reasons);
    assert_eq!(before.days_left, Some(79 - 29));
    let on_day = assess_on(&e, ok_inputs(), &RuleSet::phase1(), d(2026, 5, 1));
    assert_eq!(codes(&on_day), ["FINALLY_LIQUIDATED"]);
    assert_eq!(on_day.status, ClaimStatus::Ineligible);
    assert!(on_day.reasons[0].message.contains("`Final Liquidation` = 2026-05-01"), "{}", on_day.reasons[0].message);
    let flag_no = entry_with(|h| h.final_liquidation = Fact::Known(FinalLiquidation::Flag(false)));
    assert_eq!(assess(&flag_no).status, ClaimStatus::Eligible);
}

fn finding(code: cape_core::mass::FindingCode, line: u32, hts: &str) -> cape_core::mass::Finding {
    cape_core::mass::Finding::ordinal(code, line, 2, hts.parse().unwrap(), "seen")
}

#[test]
fn findings_that_predict_a_rejection_need_a_correction() {
    use cape_core::mass::FindingCode as F;
    let findings = [
        finding(F::IeepaDutyMismatch, 1, "99030125"),
        finding(F::IeepaHtsOutsideWindow, 1, "99030125"),
        finding(F::GoodsValueOnIeepaLine, 3, "99030125"),
    ];
    let inputs = ClaimInputs { findings: &findings, ..ok_inputs() };
    let a = assess_on(&entry_with(|_| {}), inputs, &RuleSet::phase2(), d(2026, 7, 1));
    assert_eq!(a.status, ClaimStatus::NeedsReview);
    assert_eq!(codes(&a), ["CORRECTION_NEEDED"]);
    let m = &a.reasons[0].message;
    assert!(m.contains("IEEPA_HTS_OUTSIDE_WINDOW (ACE: INVALID HTS) on line 1, HTS 9903.01.25"), "{m}");
    assert!(m.contains("replacement HTS") && m.contains("GOODS_VALUE_ON_IEEPA_LINE"), "{m}");
    assert!(m.contains("on line 3") && m.contains("H99"), "{m}");
    assert!(!m.contains("IEEPA_DUTY_MISMATCH"), "{m}");
    // A finding that predicts nothing leaves the entry eligible.
    let only_mismatch = [finding(F::IeepaDutyMismatch, 1, "99030125")];
    let a = assess_on(
        &entry_with(|_| {}),
        ClaimInputs { findings: &only_mismatch, ..ok_inputs() },
        &RuleSet::phase1(),
        d(2026, 5, 1),
    );
    assert_eq!(a.status, ClaimStatus::Eligible);
    let after_end = [cape_core::mass::Finding::entry(F::IeepaDutyAfterEnd, "after the end")];
    let a = assess_on(
        &entry_with(|_| {}),
        ClaimInputs { findings: &after_end, ..ok_inputs() },
        &RuleSet::phase1(),
        d(2026, 5, 1),
    );
    assert_eq!(codes(&a), ["CORRECTION_NEEDED"]);
}

#[test]
fn no_refundable_principal_is_never_eligible() {
    for (cents, shown) in [(0, "0.00"), (-500, "-5.00")] {
        let inputs = ClaimInputs { ieepa_principal: Some(cape_core::Usd::from_cents(cents)), ..ok_inputs() };
        let a = assess_on(&entry_with(|_| {}), inputs, &RuleSet::phase1(), d(2026, 5, 1));
        assert_eq!(a.status, ClaimStatus::NeedsReview);
        assert_eq!(codes(&a), ["NO_REFUNDABLE_PRINCIPAL"]);
        assert_eq!(
            a.reasons[0].message,
            format!(
                "the entry carries dutiable IEEPA numbers but {shown} IEEPA duty; nothing to refund; check the duty \
                 amounts"
            )
        );
    }
    let inputs = ClaimInputs { ieepa_principal: Some(cape_core::Usd::from_cents(1)), ..ok_inputs() };
    assert_eq!(assess_on(&entry_with(|_| {}), inputs, &RuleSet::phase1(), d(2026, 5, 1)).status, ClaimStatus::Eligible);
    // Without dutiable IEEPA the entry is ineligible for that reason only.
    let inputs = ClaimInputs { ieepa_principal: Some(cape_core::Usd::ZERO), ..ClaimInputs::default() };
    let a = assess_on(&entry_with(|_| {}), inputs, &RuleSet::phase1(), d(2026, 5, 1));
    assert_eq!(codes(&a), ["NO_DUTIABLE_IEEPA"]);
}

/// One entry through the whole assessor: a Chapter 1-97 row and one IEEPA row.
fn assessed(entry_date: &str, ieepa_value: &str, ieepa_duty: &str) -> cape_core::assess::EntryAssessment {
    use cape_core::assess::{AssessOptions, Tables};
    let mut b = cape_core::Es003Builder::new();
    b.begin_entry("ABC-1234567-6");
    b.entry_field("Entry Date", entry_date).unwrap();
    b.entry_field("Entry Type Code", "01").unwrap();
    b.begin_line(1).unwrap();
    b.line_field("Country of Origin Code", "CN").unwrap();
    b.tariff(1, "8471300100", Some("10000.00"), "0.00").unwrap();
    b.tariff(2, "99030125", Some(ieepa_value), ieepa_duty).unwrap();
    let report = b.build(&cape_core::Es003Options::default()).unwrap();
    let tables = Tables::embedded().unwrap();
    let mut out = cape_core::assess_es003(&report, &tables, AssessOptions::new(d(2026, 5, 1))).unwrap();
    out.entries.remove(0)
}

#[test]
fn assessor_passes_findings_and_principal_to_the_claim() {
    // In window, duty filed: eligible.
    let a = assessed("2025-04-15", "0.00", "1000.00");
    assert_eq!(a.status(), ClaimStatus::Eligible, "{:?}", a.claim.reasons);
    // 9903.01.25 used before it began (2025-04-05): INVALID HTS predicted; the refund amount is unchanged.
    let a = assessed("2025-03-15", "0.00", "1000.00");
    assert_eq!(a.status(), ClaimStatus::NeedsReview);
    assert_eq!(codes(&a.claim), ["CORRECTION_NEEDED"]);
    let m = &a.claim.reasons[0].message;
    assert!(m.contains("IEEPA_HTS_OUTSIDE_WINDOW (ACE: INVALID HTS) on line 1, HTS 9903.01.25"), "{m}");
    assert_eq!(a.principal(), cape_core::Usd::from_cents(100_000));
    // A goods value on the IEEPA row.
    let a = assessed("2025-04-15", "10000.00", "1000.00");
    assert_eq!(codes(&a.claim), ["CORRECTION_NEEDED"]);
    assert!(a.claim.reasons[0].message.contains("GOODS_VALUE_ON_IEEPA_LINE"));
    // A dutiable IEEPA number with 0.00 duty: nothing to refund, never eligible.
    let a = assessed("2025-04-15", "0.00", "0.00");
    assert_eq!(a.status(), ClaimStatus::NeedsReview);
    assert!(a.claim.has(ReasonCode::NoRefundablePrincipal), "{:?}", codes(&a.claim));
}
