//! The refund ledger (issue 18): each state of the view `entry_state` from recorded facts, totals in cents
//! computed here by hand, imports idempotent and all-or-nothing, and the file faults (corrupt, foreign, newer
//! schema, read-only, full, busy) each a typed error that leaves the file as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cape_core::assess::{AssessOptions, Assessor, EntryAssessment, Tables};
use cape_core::claim::declaration::{build_declarations_from, write_declarations, DeclarationOptions};
use cape_core::claim::CapeErrorKind;
use cape_core::ledger::{
    sha256_file, EntryState, ImportOutcome, Ledger, LedgerOptions, StatusQuery, APPLICATION_ID, SCHEMA_VERSION,
};
use cape_core::refund::payments::{PaymentRow, PaymentStatus, RefundReportKind};
use cape_core::{EntryNumber, Error, ErrorKind, LedgerProblem};
use chrono::NaiveDate;
use rust_decimal::Decimal;

const IMPORTER: &str = "12-345678900";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn n(serial: u32) -> EntryNumber {
    EntryNumber::from_parts("ABC", serial).unwrap()
}

const HEADER: &str = "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,\
Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,Liquidation Date,\
Liquidation Status,Protest Number,Protest Status,Entry Summary Status,Drawback Indicator,AD/CVD Liquidation Status,\
Payment Date,Country of Origin Code";

/// `count` unliquidated, eligible entries ABC-0000001-x.., the n-th with IEEPA duty 1000.00 + n.
fn es003(count: u32) -> String {
    let mut csv = format!("{HEADER}\n");
    for serial in 1..=count {
        let common = format!("01,{IMPORTER},06/02/2025,,,,,Accepted,N,,06/05/2025,CN");
        let e = n(serial);
        csv += &format!(
            "{e},1,1,8471300100,10000.00,0.00,{common}\n{e},1,2,9903.01.25,0.00,{}.00,{common}\n",
            1000 + serial
        );
    }
    csv
}

fn assess(count: u32) -> Vec<EntryAssessment> {
    let tables = Tables::embedded().unwrap();
    let report = cape_core::read_es003_bytes(es003(count).as_bytes(), &Default::default()).unwrap();
    assert_eq!(report.summary.rows_rejected, 0, "{:?}", report.diagnostics);
    let options = AssessOptions::new(d(2026, 12, 1)).assume_last_rate(&tables.rates);
    let mut a = Assessor::new(&tables, options).unwrap();
    report.entries.iter().map(|e| a.assess(e).unwrap()).collect()
}

/// Principal + interest of an assessment, in cents.
fn expected_cents(a: &EntryAssessment) -> i64 {
    a.principal().to_cents().unwrap() + a.interest_amount().map_or(0, |i| i.to_cents().unwrap())
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn tmp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    (dir, p)
}

fn sha(text: &str) -> String {
    cape_core::claim::declaration::sha256_hex(text.as_bytes())
}

/// Every table's rows, the schema version and application id, as text: equal dumps, equal ledgers.
fn dump(path: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut out = String::new();
    for p in ["user_version", "application_id"] {
        let v: i64 = c.pragma_query_value(None, p, |r| r.get(0)).unwrap();
        out += &format!("{p}={v}\n");
    }
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid")).unwrap();
        let cols = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let vals: Vec<String> = (0..cols)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    v => format!("{v:?}"),
                })
                .collect();
            out += &format!("{t}: {}\n", vals.join("|"));
        }
    }
    out
}

fn payment(row: u64, entry: Option<EntryNumber>, refund: &str, amount_cents: i64, status: PaymentStatus) -> PaymentRow {
    PaymentRow {
        row,
        entry_number: entry,
        declaration_number: Some("CAPE-0001".into()),
        refund_number: Some(refund.into()),
        principal: Some(cents(amount_cents)),
        interest: Some(Decimal::ZERO),
        refund_date: Some(d(2027, 3, 15)),
        status: Some(status),
        status_date: Some(d(2027, 3, 16)),
    }
}

fn problem(e: &Error) -> LedgerProblem {
    match e {
        Error::Ledger { problem, .. } => *problem,
        other => panic!("not a ledger error: {other:?}"),
    }
}

/// Entries 1-11 through every state; e.g. entry 7 paid 10.00 short, entry 8 paid one cent over; a payment for
/// an entry never assessed and one naming no entry are kept apart. Counts and cents per state by hand.
#[test]
fn each_state_with_its_totals_history_and_statement() {
    let (dir, db) = tmp("cape.db");
    let assessed = assess(11);
    let exp: Vec<i64> = assessed.iter().map(expected_cents).collect();
    assert!(exp.iter().all(|&c| c > 100_000), "principal 1000.00+ each: {exp:?}");
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    let csv = es003(11);
    let out = l.record_assessment("es003.csv", &sha(&csv), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    let ImportOutcome::Recorded(s) = out else { panic!("{out:?}") };
    assert_eq!((s.import_id, s.rows_read, s.rows_used, s.rows_rejected), (1, 11, 11, 0));

    // Declared: entries 2-11 (entry 1 is not).
    let set =
        build_declarations_from((2..=11).map(|i| (n(i), Some(IMPORTER.to_owned()))), &DeclarationOptions::default())
            .unwrap();
    let decl_dir = dir.path().join("declarations");
    write_declarations(&set, &decl_dir).unwrap();
    let out = l.record_declarations(decl_dir.join("manifest.csv")).unwrap();
    // Rows are the files' entry lines (their headers are not rows): read = used + rejected.
    assert!(
        matches!(out, ImportOutcome::Recorded(ref s) if (s.rows_read, s.rows_used, s.rows_rejected) == (10, 10, 0)),
        "{out:?}"
    );

    // CAPE: entry 3 rejected, 4-11 accepted.
    let kind = CapeErrorKind::KNOWN[0];
    let text = kind.text().unwrap();
    let mut results = String::from("ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n");
    results += &format!("{},CL-1,Failed,{text}\n", n(3));
    for i in 4..=11 {
        results += &format!("{},CL-1,Entry Summary Updated,\n", n(i));
    }
    let r = cape_core::read_results_bytes(results.as_bytes(), Some("claim-details.csv")).unwrap();
    let results_import = match l.record_results(&r, &sha(&results)).unwrap() {
        ImportOutcome::Recorded(s) => s.import_id,
        other => panic!("{other:?}"),
    };

    // Refunds: 5 sent to Treasury, 6 exact, 7 short by 10.00, 8 over by 0.01, 9 returned, 10 diverted, 11 held;
    // ZZZ-0000001 never assessed; one REV-603 style row with no entry.
    let unknown = EntryNumber::from_parts("ZZZ", 1).unwrap();
    let rows = vec![
        payment(2, Some(n(5)), "R5", exp[4], PaymentStatus::SentToTreasury),
        payment(3, Some(n(6)), "R6", exp[5], PaymentStatus::TreasuryIssued),
        payment(4, Some(n(7)), "R7", exp[6] - 1000, PaymentStatus::TreasuryIssued),
        payment(5, Some(n(8)), "R8", exp[7] + 1, PaymentStatus::TreasuryIssued),
        payment(6, Some(n(9)), "R9", exp[8], PaymentStatus::Returned),
        payment(7, Some(n(10)), "R10", exp[9], PaymentStatus::FundsDiverted),
        payment(8, Some(n(11)), "R11", exp[10], PaymentStatus::Other("Refund Hold - Bank".into())),
        payment(9, Some(unknown), "RZ", 12_345, PaymentStatus::TreasuryIssued),
        payment(10, None, "RX", 500, PaymentStatus::TreasuryIssued),
    ];
    let out = l.record_payments("es022.csv", &sha("es022"), RefundReportKind::Es022, &rows, &[]).unwrap();
    assert!(matches!(out, ImportOutcome::Recorded(ref s) if s.rows_used == 9), "{out:?}");

    let report = l.status(&StatusQuery::default()).unwrap();
    assert_eq!(report.as_of, d(2026, 12, 1), "the assessment's as-of day");
    let states: Vec<(String, EntryState)> = report.entries.iter().map(|e| (e.entry_number.clone(), e.state)).collect();
    use EntryState::*;
    let want =
        [NotDeclared, Declared, Rejected, Accepted, Liquidated, Paid, PaidShort, PaidOver, Returned, Diverted, Held];
    let want: Vec<(String, EntryState)> =
        want.iter().enumerate().map(|(i, s)| (n(i as u32 + 1).to_string(), *s)).collect();
    assert_eq!(states, want);
    let by = |i: u32| report.entries.iter().find(|e| e.entry_number == n(i).to_string()).unwrap();
    assert_eq!(by(7).variance, Some(cents(-1000)));
    assert_eq!(by(8).variance, Some(cents(1)));
    assert_eq!(by(6).variance, Some(Decimal::ZERO));
    assert_eq!(by(5).variance, None);
    assert_eq!(by(3).error_kind.as_deref(), Some(kind.name()));
    assert_eq!(by(3).error_remedy.as_deref(), Some(kind.remedy()));
    assert_eq!(by(3).claim_number.as_deref(), Some("CL-1"));
    assert_eq!(by(11).payment_status_text.as_deref(), Some("Refund Hold - Bank"));
    assert_eq!(by(1).expected, cents(exp[0]));
    // Totals per state: one entry each; paid only where Treasury issued.
    assert_eq!(report.totals.len(), 11);
    for t in &report.totals {
        let i = want.iter().position(|(_, s)| *s == t.state).unwrap();
        assert_eq!((t.importer.as_deref(), t.entries, t.expected), (Some(IMPORTER), 1, cents(exp[i])), "{t:?}");
        let paid = match t.state {
            Paid => exp[5],
            PaidShort => exp[6] - 1000,
            PaidOver => exp[7] + 1,
            _ => 0,
        };
        assert_eq!(t.paid, cents(paid), "{:?}", t.state);
    }
    let unmatched: Vec<_> =
        report.unmatched_payments.iter().map(|u| (u.row, u.entry_number.clone(), u.amount)).collect();
    assert_eq!(unmatched, [(9, Some(unknown.to_string()), cents(12_345)), (10, None, cents(500))]);

    // Filters.
    let q = StatusQuery { state: Some(PaidShort), ..Default::default() };
    assert_eq!(l.status(&q).unwrap().entries.len(), 1);
    let q = StatusQuery { importer: Some("99-0000000".into()), ..Default::default() };
    assert!(l.status(&q).unwrap().entries.is_empty());
    // The importer as an ES-003 may write it, without its dash: the same entries.
    let q = StatusQuery { importer: Some("12345678900".into()), ..Default::default() };
    assert_eq!(l.status(&q).unwrap().entries.len(), 11);
    assert_eq!(l.statement_data("12345678900", None).unwrap().importer, IMPORTER);
    // No statement for an importer the ledger does not know (never an all-zero page); no changes since an import
    // that does not exist.
    let e = l.statement_data("99-999999999", None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.to_string().contains("no entry of this importer"), "{e}");
    let e = l.changes_since(99).unwrap_err();
    assert!(e.to_string().contains("there is no import 99"), "{e}");

    // Streamed: the same entries in the same order, each with the report; the callback's error stops it.
    let mut streamed = Vec::new();
    let head = l
        .status_each(&StatusQuery::default(), |r, e| {
            assert_eq!((r.as_of, r.totals.len(), r.entries.len()), (report.as_of, report.totals.len(), 0));
            streamed.push(e);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        (streamed, head.totals, head.states),
        (report.entries.clone(), report.totals.clone(), report.states.clone())
    );
    let mut calls = 0;
    let stopped = l.status_each(&StatusQuery::default(), |_, _| {
        calls += 1;
        Err(Error::Overflow("stop here"))
    });
    assert!(matches!(stopped, Err(Error::Overflow("stop here"))), "{stopped:?}");
    assert_eq!(calls, 1);
    assert_eq!(l.status(&StatusQuery::default()).unwrap(), report, "a stopped read leaves nothing behind");

    // Far past every refund_due_by: declared, accepted and liquidated entries are overdue; paid ones are not.
    let late = d(2035, 1, 1);
    assert!(assessed.iter().all(|a| a.projected.as_ref().unwrap().refund_due_by < late));
    let q = StatusQuery { as_of: Some(late), ..Default::default() };
    let late_report = l.status(&q).unwrap();
    let overdue: Vec<String> =
        late_report.entries.iter().filter(|e| e.state == Overdue).map(|e| e.entry_number.clone()).collect();
    assert_eq!(overdue, [n(2), n(4), n(5)].map(|e| e.to_string()));
    assert_eq!(late_report.as_of, late);
    // The as-of day was not kept.
    assert_eq!(l.status(&StatusQuery::default()).unwrap().as_of, d(2026, 12, 1));

    // History of entry 3: assessed, declared, rejected, each with its file.
    let h = l.history(&n(3)).unwrap();
    let facts: Vec<(i64, &str, &str)> = h.iter().map(|f| (f.import_id, f.kind.as_str(), f.source.as_str())).collect();
    assert_eq!(facts[0], (1, "assessment", "es003.csv"));
    assert_eq!((facts[1].0, facts[1].1), (2, "declarations"));
    assert!(facts[1].2.ends_with("manifest.csv"), "{}", facts[1].2);
    assert_eq!(facts[2], (3, "claim_results", "claim-details.csv"));
    assert_eq!(h.len(), 3);
    assert!(h[2].fact.contains("CAPE result failed, claim CL-1, error"), "{}", h[2].fact);
    assert!(
        h[0].fact.contains(&format!(
            "expected principal {}",
            cents(exp[2] - assessed[2].interest_amount().unwrap().to_cents().unwrap())
        )),
        "{}",
        h[0].fact
    );

    // Changes since the results: the entries the refund report named (5-11).
    let changes = l.changes_since(results_import).unwrap();
    let changed: Vec<&str> = changes.entries.iter().map(|e| e.entry_number.as_str()).collect();
    assert_eq!(changed, (5..=11).map(|i| n(i).to_string()).collect::<Vec<_>>());
    assert_eq!(changes.unmatched_payments.len(), 2, "the refund report's rows naming no assessed entry are changes");
    assert_eq!(changes.states.iter().map(|t| t.entries).sum::<u64>(), 7);
    assert!(l.changes_since(results_import + 1).unwrap().unmatched_payments.is_empty());
    // Per state over all: importer and recipient None, the same sums as the per-importer totals.
    assert_eq!(report.states.len(), 11);
    for (s, t) in report.states.iter().zip(&report.totals) {
        assert_eq!((s.importer.as_deref(), s.recipient.as_deref()), (None, None));
        assert_eq!((s.state, s.entries, s.expected, s.paid), (t.state, t.entries, t.expected, t.paid));
    }
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["states"]["paid_over"]["paid"], cents(exp[7] + 1).to_string());

    // The statement: expected over all but the rejected entry 3 (entry 1 is eligible though not declared);
    // paid = 6 + 7 + 8; outstanding = expected - paid per entry, the over-payment of entry 8 never netted.
    let st = l.statement_data(IMPORTER, Some(d(2026, 12, 1))).unwrap();
    // Without a day: the day status judges against (the latest import's as-of), the same statement.
    assert_eq!(l.statement_data(IMPORTER, None).unwrap(), st);
    let expected: i64 = exp.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, c)| c).sum();
    let paid = exp[5] + exp[6] - 1000 + exp[7] + 1;
    let outstanding = expected - exp[5] - (exp[6] - 1000) - exp[7];
    assert_eq!((st.expected, st.paid, st.outstanding), (cents(expected), cents(paid), cents(outstanding)));
    assert_eq!(st.entries.len(), 11);
    assert_eq!(
        st.states.iter().map(|s| s.state.as_str()).collect::<Vec<_>>()[..3],
        ["not_declared", "declared", "rejected"]
    );
    assert!(st.entries[2].note.contains(kind.remedy()), "{}", st.entries[2].note);
    let received: Decimal = st.months.iter().map(|m| m.received).sum();
    assert_eq!(received, cents(paid));
    assert_eq!(st.months.iter().find(|m| m.month == d(2027, 3, 1)).map(|m| m.received), Some(cents(paid)));
    drop(l);

    // Recording each file again changes nothing.
    let before = dump(&db);
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let again = l.record_assessment("renamed.csv", &sha(&csv), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 1, .. }), "{again:?}");
    let again = l.record_declarations(decl_dir.join("manifest.csv")).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 2, .. }), "{again:?}");
    let again = l.record_results(&r, &sha(&results)).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 3, .. }), "{again:?}");
    let again = l.record_payments("copy.csv", &sha("es022"), RefundReportKind::Es022, &rows, &[]).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 4, .. }), "{again:?}");
    drop(l);
    assert_eq!(dump(&db), before);

    // The same ES-003 assessed as of a later day is a new assessment (its projection moved on): recorded, and
    // the ledger now judges as of that day; once more as of that day changes nothing.
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let later = l.record_assessment("es003.csv", &sha(&csv), d(2027, 1, 1), assessed.iter().map(Ok)).unwrap();
    assert!(matches!(&later, ImportOutcome::Recorded(s) if s.import_id == 5 && s.rows_used == 11), "{later:?}");
    assert_eq!(l.status(&StatusQuery::default()).unwrap().as_of, d(2027, 1, 1));
    let again = l.record_assessment("es003.csv", &sha(&csv), d(2027, 1, 1), assessed.iter().map(Ok)).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 5, .. }), "{again:?}");
}

/// A refund reported twice (ES-022 then REV-615) counts once; a later status of the same refund replaces it.
#[test]
fn a_refund_counts_once_and_its_latest_row_wins() {
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(2);
    let exp: Vec<i64> = assessed.iter().map(expected_cents).collect();
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    let first = [
        payment(2, Some(n(1)), "R1", exp[0], PaymentStatus::TreasuryIssued),
        payment(3, Some(n(2)), "R2", exp[1], PaymentStatus::TreasuryIssued),
    ];
    l.record_payments("es022.csv", &sha("1"), RefundReportKind::Es022, &first, &[]).unwrap();
    let second = [
        payment(2, Some(n(1)), "R1", exp[0], PaymentStatus::TreasuryIssued),
        payment(3, Some(n(2)), "R2", exp[1], PaymentStatus::Returned),
    ];
    l.record_payments("rev615.csv", &sha("2"), RefundReportKind::Rev615, &second, &[]).unwrap();
    let r = l.status(&StatusQuery::default()).unwrap();
    let got: Vec<(EntryState, Decimal)> = r.entries.iter().map(|e| (e.state, e.paid)).collect();
    assert_eq!(got, [(EntryState::Paid, cents(exp[0])), (EntryState::Returned, Decimal::ZERO)]);
}

/// A refund report row as the reports give them: any field may be missing.
fn row(row: u64, entry: Option<u32>, refund: Option<&str>, amounts: (Option<i64>, Option<i64>)) -> PaymentRow {
    PaymentRow {
        row,
        entry_number: entry.map(n),
        declaration_number: None,
        refund_number: refund.map(str::to_owned),
        principal: amounts.0.map(cents),
        interest: amounts.1.map(cents),
        refund_date: None,
        status: None,
        status_date: None,
    }
}

fn with_status(mut r: PaymentRow, status: PaymentStatus, day: Option<NaiveDate>) -> PaymentRow {
    r.status = Some(status);
    r.status_date = day;
    r
}

/// What a refund became, from the reports as CBP describes them (shared reference section 11): REV-615 lists each
/// entry's part of a refund sent to Treasury (no status of its own); REV-603 gives the refund's status, naming no
/// entry. A status is the latest by its date, whatever the order the files were recorded in; a row without a
/// status never undoes one; a refund split over rows is summed, a row repeated (or recorded from a second file) is
/// counted once; refund numbers compare without leading zeros; an ES-022 claim status is no refund.
#[test]
fn a_refund_follows_its_reports_to_the_end() {
    use PaymentStatus::*;
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(7);
    let exp: Vec<i64> = assessed.iter().map(expected_cents).collect();
    let principal = |i: usize| assessed[i].principal().to_cents().unwrap();
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    let state = |l: &Ledger| -> Vec<(EntryState, Decimal)> {
        l.status(&StatusQuery::default()).unwrap().entries.iter().map(|e| (e.state, e.paid)).collect()
    };
    // REV-615 without statuses: refunds R1 (entry 1), R2 (entry 2), 0000R3 (entry 3, split principal / interest
    // over two rows), an unnumbered refund of entry 4 (twice in the file); entry 5 untouched.
    let interest = |i: usize| exp[i] - principal(i);
    let rev615 = [
        row(2, Some(1), Some("R1"), (Some(principal(0)), Some(interest(0)))),
        row(3, Some(2), Some("R2"), (Some(principal(1)), Some(interest(1)))),
        row(4, Some(3), Some("0000R3"), (Some(principal(2)), None)),
        row(5, Some(3), Some("0000R3"), (None, Some(interest(2)))),
        row(6, Some(4), None, (Some(principal(3)), Some(interest(3)))),
        row(7, Some(4), None, (Some(principal(3)), Some(interest(3)))),
    ];
    l.record_payments("rev615.csv", &sha("615"), RefundReportKind::Rev615, &rev615, &[]).unwrap();
    let sent = |i: usize| (EntryState::Liquidated, Decimal::ZERO, i);
    let now = state(&l);
    for (i, want) in [sent(0), sent(1), sent(2), sent(3)].into_iter().enumerate() {
        assert_eq!(now[i], (want.0, want.1), "entry {}: sent to Treasury, nothing issued yet", want.2 + 1);
    }
    assert_eq!(now[4].0, EntryState::NotDeclared);
    // REV-603, per refund: R1 issued; R2 returned on 08-01 (recorded first) and issued on 07-20 (recorded after);
    // R3 issued, written with its zeros dropped; and a refund no report ties to an entry.
    let rev603a = [
        with_status(row(2, None, Some("R2"), (None, None)), Returned, Some(d(2027, 8, 1))),
        with_status(row(3, None, Some("R3"), (None, None)), TreasuryIssued, Some(d(2027, 7, 20))),
    ];
    l.record_payments("rev603-a.csv", &sha("603a"), RefundReportKind::Rev603, &rev603a, &[]).unwrap();
    let rev603b = [
        with_status(row(2, None, Some("R1"), (None, None)), TreasuryIssued, Some(d(2027, 7, 20))),
        with_status(row(3, None, Some("R2"), (None, None)), TreasuryIssued, Some(d(2027, 7, 20))),
        with_status(row(4, None, Some("R99"), (None, None)), TreasuryIssued, Some(d(2027, 7, 20))),
    ];
    l.record_payments("rev603-b.csv", &sha("603b"), RefundReportKind::Rev603, &rev603b, &[]).unwrap();
    // The same unnumbered refund of entry 4 in another file, now issued; an ES-022 claim status for entry 6.
    let es022 = [
        with_status(row(2, Some(4), None, (Some(principal(3)), Some(interest(3)))), TreasuryIssued, None),
        with_status(row(3, Some(6), None, (None, None)), Other("Rejected".into()), None),
    ];
    l.record_payments("es022.csv", &sha("022"), RefundReportKind::Es022, &es022, &[]).unwrap();
    // A later REV-615 of R1 without a status does not undo "issued".
    let again = [row(2, Some(1), Some("R1"), (Some(principal(0)), Some(interest(0))))];
    l.record_payments("rev615-b.csv", &sha("615b"), RefundReportKind::Rev615, &again, &[]).unwrap();

    let report = l.status(&StatusQuery::default()).unwrap();
    let got: Vec<(EntryState, Decimal)> = report.entries.iter().map(|e| (e.state, e.paid)).collect();
    assert_eq!(
        got,
        [
            (EntryState::Paid, cents(exp[0])),
            (EntryState::Returned, Decimal::ZERO),
            (EntryState::Paid, cents(exp[2])),
            (EntryState::Paid, cents(exp[3])),
            (EntryState::NotDeclared, Decimal::ZERO),
            (EntryState::NotDeclared, Decimal::ZERO),
            (EntryState::NotDeclared, Decimal::ZERO),
        ]
    );
    assert_eq!(report.entries[2].variance, Some(Decimal::ZERO));
    // Only the REV-603 row of a refund no report ties to an assessed entry is unmatched.
    let unmatched: Vec<(&str, u64)> = report.unmatched_payments.iter().map(|u| (u.source.as_str(), u.row)).collect();
    assert_eq!(unmatched, [("rev603-b.csv", 4)]);
    // What changed since the first REV-615 (import 2): the entries whose refunds the REV-603 rows reach, and 4.
    let changed: Vec<String> = l.changes_since(2).unwrap().entries.into_iter().map(|e| e.entry_number).collect();
    assert_eq!(changed, [1, 2, 3, 4, 6].map(|i| n(i).to_string()));
}

/// The second review's cases, each on a fresh ledger of one assessed entry (its principal `p`, interest `i`):
/// statuses dated by their status date, else the day their file was recorded (never the refund date; the dates
/// here are before any day these tests run); on one day the later stage; an undated "Sent to Treasury" never undoes
/// an issue; an unnumbered row that a numbered one gives again is one refund; a refund's status history on several
/// rows of one file is one amount; an unnumbered ES-022 claim status is no refund even with amounts; refund numbers
/// compare by letters and digits; principal and interest each from the latest file giving them.
#[test]
fn refund_statuses_and_amounts_hold_across_files() {
    use PaymentStatus::*;
    let assessed = assess(1);
    let exp = expected_cents(&assessed[0]);
    let p = assessed[0].principal().to_cents().unwrap();
    let i = exp - p;
    let day = |m: u32, dd: u32| Some(d(2026, m, dd));
    let issued = |r: &str| with_status(row(2, None, Some(r), (None, None)), TreasuryIssued, day(5, 14));
    type Files = Vec<(RefundReportKind, Vec<PaymentRow>)>;
    let cases: Vec<(&str, Files, EntryState, i64)> = vec![
        (
            "returned without a date, after an issue",
            vec![
                (RefundReportKind::Rev615, vec![row(2, Some(1), Some("R1"), (Some(p), Some(i)))]),
                (RefundReportKind::Rev603, vec![issued("R1")]),
                (RefundReportKind::Rev603, vec![with_status(row(2, None, Some("R1"), (None, None)), Returned, None)]),
            ],
            EntryState::Returned,
            0,
        ),
        (
            "a REV-615 row returned, no status date, its refund date before the issue",
            vec![
                (RefundReportKind::Rev603, vec![issued("R1")]),
                (
                    RefundReportKind::Rev615,
                    vec![{
                        let mut r = with_status(row(2, Some(1), Some("R1"), (Some(p), Some(i))), Returned, None);
                        r.refund_date = day(5, 12);
                        r
                    }],
                ),
            ],
            EntryState::Returned,
            0,
        ),
        (
            "an undated Sent to Treasury after the issue",
            vec![
                (RefundReportKind::Rev603, vec![issued("R1")]),
                (
                    RefundReportKind::Rev615,
                    vec![with_status(row(2, Some(1), Some("R1"), (Some(p), Some(i))), SentToTreasury, None)],
                ),
            ],
            EntryState::Paid,
            exp,
        ),
        (
            "the same refund unnumbered, then numbered: half of it paid",
            vec![
                (
                    RefundReportKind::Es022,
                    vec![with_status(row(2, Some(1), None, (Some(p / 2), Some(i / 2))), TreasuryIssued, day(5, 12))],
                ),
                (
                    RefundReportKind::Es022,
                    vec![with_status(
                        row(2, Some(1), Some("R1"), (Some(p / 2), Some(i / 2))),
                        TreasuryIssued,
                        day(5, 12),
                    )],
                ),
            ],
            EntryState::PaidShort,
            p / 2 + i / 2,
        ),
        (
            "a status history on two rows of one file",
            vec![(
                RefundReportKind::Rev615,
                vec![
                    with_status(row(2, Some(1), Some("R1"), (Some(p), Some(i))), SentToTreasury, day(5, 12)),
                    with_status(row(3, Some(1), Some("R1"), (Some(p), Some(i))), TreasuryIssued, day(5, 14)),
                ],
            )],
            EntryState::Paid,
            exp,
        ),
        (
            "an unnumbered ES-022 claim status with amounts",
            vec![(
                RefundReportKind::Es022,
                vec![with_status(row(2, Some(1), None, (Some(p), Some(i))), Other("Rejected".into()), None)],
            )],
            EntryState::NotDeclared,
            0,
        ),
        (
            "R-0001 in REV-615, R0001 in REV-603",
            vec![
                (RefundReportKind::Rev615, vec![row(2, Some(1), Some("R-0001"), (Some(p), Some(i)))]),
                (RefundReportKind::Rev603, vec![issued("r0001")]),
            ],
            EntryState::Paid,
            exp,
        ),
        (
            "a later file giving the principal alone",
            vec![
                (RefundReportKind::Rev615, vec![row(2, Some(1), Some("R1"), (Some(p), Some(i)))]),
                (RefundReportKind::Rev603, vec![issued("R1")]),
                (
                    RefundReportKind::Es022,
                    vec![with_status(row(2, Some(1), Some("R1"), (Some(p), None)), Other("Accepted".into()), None)],
                ),
            ],
            EntryState::Paid,
            exp,
        ),
    ];
    for (name, files, want, paid) in cases {
        let (_dir, db) = tmp("cape.db");
        let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
        l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
        for (k, (kind, rows)) in files.iter().enumerate() {
            l.record_payments(&format!("{k}.csv"), &sha(&format!("{name}{k}")), *kind, rows, &[]).unwrap();
        }
        let r = l.status(&StatusQuery::default()).unwrap();
        assert_eq!((r.entries[0].state, r.entries[0].paid), (want, cents(paid)), "{name}");
        assert!(r.unmatched_payments.is_empty(), "{name}: {:?}", r.unmatched_payments);
    }
}

/// When cape could not compute an entry's interest, the interest paid stands for it: the variance is the
/// principal's, never the whole interest counted as over-paid.
#[test]
fn unknown_interest_is_not_an_over_payment() {
    let tables = Tables::embedded().unwrap();
    let report = cape_core::read_es003_bytes(es003(1).as_bytes(), &Default::default()).unwrap();
    let options = AssessOptions::new(d(2026, 12, 1));
    let mut a = Assessor::new(&tables, options).unwrap();
    let assessed: Vec<EntryAssessment> = report.entries.iter().map(|e| a.assess(e).unwrap()).collect();
    assert_eq!(assessed[0].interest_amount(), None, "no rate assumed: the interest is not computed");
    let principal = assessed[0].principal().to_cents().unwrap();
    let (_dir, db) = tmp("cape.db");
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    let paid =
        [with_status(row(2, Some(1), Some("R1"), (Some(principal), Some(4_321))), PaymentStatus::TreasuryIssued, None)];
    l.record_payments("es022.csv", &sha("022"), RefundReportKind::Es022, &paid, &[]).unwrap();
    let e = &l.status(&StatusQuery::default()).unwrap().entries[0];
    assert_eq!((e.state, e.paid, e.variance), (EntryState::Paid, cents(principal + 4_321), Some(Decimal::ZERO)));
}

/// An import that fails on its N-th item, or on a sub-cent amount, leaves the ledger exactly as it was.
#[test]
fn a_failure_mid_import_leaves_the_ledger_as_before() {
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(8);
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("first.csv", &sha("first"), d(2026, 12, 1), assessed[..2].iter().map(Ok)).unwrap();
    drop(l);
    let before = dump(&db);
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let failing = assessed.iter().enumerate().map(|(i, a)| {
        if i == 5 {
            Err(Error::Cancelled { source_name: "es003.csv".into() })
        } else {
            Ok(a)
        }
    });
    let e = l.record_assessment("second.csv", &sha("second"), d(2026, 12, 1), failing).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    let mut rows: Vec<PaymentRow> =
        (1..=4).map(|i| payment(i + 1, Some(n(i as u32)), "R", 100, PaymentStatus::TreasuryIssued)).collect();
    rows[2].interest = Some(Decimal::new(1_005, 3)); // 1.005: a fraction of a cent
    let e = l.record_payments("p.csv", &sha("p"), RefundReportKind::Rev615, &rows, &[]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidMoney);
    assert!(e.to_string().contains("1.005"), "{e}");
    drop(l);
    assert_eq!(dump(&db), before);
    // And the same file records once the fault is gone.
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let ok = l.record_assessment("second.csv", &sha("second"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    assert!(matches!(ok, ImportOutcome::Recorded(ref s) if s.import_id == 2 && s.rows_used == 8), "{ok:?}");
}

#[test]
fn a_new_ledger_is_marked_versioned_and_in_wal_mode() {
    let (_dir, db) = tmp("cape.db");
    assert_eq!(Ledger::open(&db, &LedgerOptions::default()).unwrap_err().kind(), ErrorKind::Io);
    assert!(!db.exists(), "open does not create");
    let l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
    drop(l);
    assert_eq!(Ledger::create(&db, &LedgerOptions::default()).unwrap_err().kind(), ErrorKind::Io);
    let c = rusqlite::Connection::open(&db).unwrap();
    let app: i32 = c.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
    let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!((app, mode.as_str()), (APPLICATION_ID, "wal"));
    drop(c);
    let l = Ledger::open_or_create(&db, &LedgerOptions::default()).unwrap();
    assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
    let (_d2, other) = tmp("new.db");
    Ledger::open_or_create(&other, &LedgerOptions::default()).unwrap();
    assert!(other.exists());
}

#[test]
fn a_corrupt_file_is_refused_unchanged() {
    let (_dir, db) = tmp("cape.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let e = Ledger::open(&db, &LedgerOptions::default()).unwrap_err();
    assert_eq!((problem(&e), e.kind()), (LedgerProblem::Corrupt, ErrorKind::InvalidFormat));
    assert!(e.to_string().contains("LEDGER_CORRUPT"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn another_programs_sqlite_file_is_refused_unchanged() {
    let (_dir, db) = tmp("other.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x');",
    )
    .unwrap();
    drop(c);
    let bytes = std::fs::read(&db).unwrap();
    let e = Ledger::open_or_create(&db, &LedgerOptions::default()).unwrap_err();
    assert_eq!((problem(&e), e.kind()), (LedgerProblem::ForeignFile, ErrorKind::InvalidFormat));
    assert!(e.to_string().contains("application_id 0x00000000"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn a_newer_schema_is_refused_naming_both_versions() {
    let (_dir, db) = tmp("cape.db");
    drop(Ledger::create(&db, &LedgerOptions::default()).unwrap());
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "user_version", SCHEMA_VERSION + 7).unwrap();
    c.pragma_update(None, "journal_mode", "delete").unwrap();
    drop(c);
    let bytes = std::fs::read(&db).unwrap();
    let e = Ledger::open(&db, &LedgerOptions::default()).unwrap_err();
    assert_eq!(problem(&e), LedgerProblem::NewerSchema { found: SCHEMA_VERSION + 7, supported: SCHEMA_VERSION });
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("schema version {} is newer than this cape's {SCHEMA_VERSION}", SCHEMA_VERSION + 7)),
        "{msg}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn a_folder_or_a_dangling_link_is_no_ledger_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    for open in [Ledger::open, Ledger::open_or_create, Ledger::create] {
        let e = open(dir.path(), &LedgerOptions::default()).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().contains("a folder, not a ledger file"), "{e}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing created in the folder");
    #[cfg(unix)]
    {
        let link = dir.path().join("cape.db");
        let target = dir.path().join("elsewhere.db");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = Ledger::open_or_create(&link, &LedgerOptions::default()).err().unwrap();
        assert!(e.to_string().contains("symbolic link whose target is missing"), "{e}");
        assert!(!target.exists());
    }
}

#[test]
fn a_read_only_ledger_refuses_to_record_and_stays_unchanged() {
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(2);
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    drop(l);
    let before = dump(&db);
    // Opened read-only: reading works, recording is refused.
    let ro = LedgerOptions { read_only: true, ..LedgerOptions::default() };
    let mut l = Ledger::open(&db, &ro).unwrap();
    assert_eq!(l.status(&StatusQuery::default()).unwrap().entries.len(), 2);
    let e = l.record_assessment("b.csv", &sha("b"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap_err();
    assert_eq!((problem(&e), e.kind()), (LedgerProblem::ReadOnly, ErrorKind::Io));
    drop(l);
    assert_eq!(dump(&db), before);
    // A file without write permission (unless running as root, whom permissions do not stop).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&db).is_err() {
        let e = Ledger::open(&db, &LedgerOptions::default()).unwrap_err();
        assert_eq!(problem(&e), LedgerProblem::ReadOnly, "{e}");
        assert_eq!(dump(&db), before);
    }
}

#[test]
fn a_full_disk_fails_the_import_and_keeps_the_ledger() {
    // SQLITE_FULL forced by a size ceiling (max_page_count): the same code path as a full disk.
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(300);
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed[..1].iter().map(Ok)).unwrap();
    drop(l);
    let before = dump(&db);
    let size =
        std::fs::metadata(&db).unwrap().len() + std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len());
    let capped = LedgerOptions { max_size_bytes: Some(size.max(64 * 1024)), ..LedgerOptions::default() };
    let mut l = Ledger::open(&db, &capped).unwrap();
    let e = l.record_assessment("b.csv", &sha("b"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap_err();
    assert_eq!((problem(&e), e.kind()), (LedgerProblem::Full, ErrorKind::Io), "{e}");
    assert!(e.to_string().contains("LEDGER_FULL"), "{e}");
    drop(l);
    assert_eq!(dump(&db), before);
}

#[test]
fn a_second_writer_waits_for_the_first() {
    let (_dir, db) = tmp("cape.db");
    let assessed = assess(3);
    drop(Ledger::create(&db, &LedgerOptions::default()).unwrap());
    let hold = Duration::from_millis(400);
    let (tx, rx) = std::sync::mpsc::channel();
    let path = db.clone();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE; INSERT INTO query_as_of VALUES ('2026-01-01');").unwrap();
        tx.send(()).unwrap();
        std::thread::sleep(hold);
        c.execute_batch("ROLLBACK").unwrap();
    });
    rx.recv().unwrap();
    // WAL: a reader does not wait for the writer.
    let reading = Instant::now();
    let reader = Ledger::open(&db, &LedgerOptions { read_only: true, ..LedgerOptions::default() }).unwrap();
    assert!(reader.status(&StatusQuery::default()).unwrap().entries.is_empty());
    assert!(reading.elapsed() < hold / 2, "the reader waited {:?}", reading.elapsed());
    let started = Instant::now();
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let out = l.record_assessment("a.csv", &sha("a"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    assert!(matches!(out, ImportOutcome::Recorded(_)));
    assert!(started.elapsed() >= hold / 2, "waited {:?}", started.elapsed());
    holder.join().unwrap();

    // With a busy timeout shorter than the hold, the second writer gives up with a typed error.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = db.clone();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE; INSERT INTO query_as_of VALUES ('2026-01-01');").unwrap();
        tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(800));
        c.execute_batch("ROLLBACK").unwrap();
    });
    rx.recv().unwrap();
    let short = LedgerOptions { busy_timeout: Duration::from_millis(50), ..LedgerOptions::default() };
    let mut l = Ledger::open(&db, &short).unwrap();
    let e = l.record_assessment("b.csv", &sha("b"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap_err();
    assert_eq!((problem(&e), e.kind()), (LedgerProblem::Busy, ErrorKind::OutputLocked), "{e}");
    holder.join().unwrap();
}

#[test]
fn a_declaration_file_changed_after_writing_is_refused() {
    let (dir, db) = tmp("cape.db");
    let set = build_declarations_from((1..=3).map(|i| (n(i), None)), &DeclarationOptions::default()).unwrap();
    let decl = dir.path().join("decl");
    let files = write_declarations(&set, &decl).unwrap();
    let file = files.iter().find(|p| !p.ends_with("manifest.csv")).unwrap();
    let mut text = std::fs::read_to_string(file).unwrap();
    text.push_str(&format!("{}\n", n(9)));
    std::fs::write(file, text).unwrap();
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    let e = l.record_declarations(decl.join("manifest.csv")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidFormat);
    assert!(e.to_string().contains("the file changed after it was written"), "{e}");
    assert_eq!(sha256_file(file).unwrap().len(), 64);
    drop(l);
    assert!(!dump(&db).contains("imports:"), "nothing recorded");
}

/// Every ledger code has its row in docs/codes.md.
#[test]
fn ledger_codes_have_rows() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/codes.md")).unwrap();
    for s in EntryState::ALL {
        assert!(doc.contains(&format!("| ledger | `{}` |", s.as_str())), "{s}");
    }
    for p in LedgerProblem::ALL {
        assert!(doc.contains(&format!("| ledger_error | `{}` |", p.code())), "{}", p.code());
    }
}

/// An ES-003 recorded through the spine: entries streamed in, the reader's rejected row and its diagnostic
/// recorded with the import, the same file again not read.
#[test]
fn an_es003_is_recorded_through_the_spine_with_its_diagnostics() {
    let (dir, db) = tmp("cape.db");
    let mut csv = es003(5);
    csv += "ABC-0000099-X,1,1,8471300100,10.00,0.00,01,12-345678900,06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n";
    let file = dir.path().join("es003.csv");
    std::fs::write(&file, &csv).unwrap();
    let tables = Tables::embedded().unwrap();
    let options = || AssessOptions::new(d(2026, 12, 1)).assume_last_rate(&tables.rates);
    let run = cape_core::run::RunOptions::default();
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    let out = l.record_es003(&file, &tables, options(), &run).unwrap();
    let ImportOutcome::Recorded(s) = out else { panic!("{out:?}") };
    assert_eq!((s.rows_read, s.rows_used, s.rows_rejected), (11, 10, 1));
    let r = l.status(&StatusQuery::default()).unwrap();
    assert_eq!(r.entries.len(), 5);
    let want: Vec<i64> = assess(5).iter().map(expected_cents).collect();
    assert_eq!(
        r.entries.iter().map(|e| e.expected).collect::<Vec<_>>(),
        want.into_iter().map(cents).collect::<Vec<_>>()
    );
    drop(l);
    let c = rusqlite::Connection::open(&db).unwrap();
    let rejected: Vec<(i64, String)> = c
        .prepare("SELECT row, code FROM diagnostics WHERE import_id = 1 AND row IS NOT NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rejected, [(12, "ES003_INVALID_ENTRY_NUMBER".to_owned())]);
    drop(c);
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let again = l.record_es003(&file, &tables, options(), &run).unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyRecorded { import_id: 1, .. }), "{again:?}");
    assert_eq!(sha256_file(&file).unwrap(), sha(&csv));

    // Cancelled after the third entry (as Ctrl-C does through the run's progress callback): nothing kept.
    drop(l);
    let before = dump(&db);
    let other = dir.path().join("other.csv");
    std::fs::write(&other, es003(8)).unwrap();
    let mut stop = cape_core::run::RunOptions::default();
    stop.progress = Some(std::sync::Arc::new(|p: &cape_core::run::Progress| {
        if p.entries >= 3 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    }));
    stop.progress_every = Duration::ZERO;
    let mut l = Ledger::open(&db, &LedgerOptions::default()).unwrap();
    let e = l.record_es003(&other, &tables, options(), &stop).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    drop(l);
    assert_eq!(dump(&db), before);
}

/// The scenario at the library level: 2,000 entries assessed, 1,900 declared, CAPE rejects every tenth,
/// refunds for the accepted among the first 1,000 (every third short by 1.00, one returned) and one for an entry
/// never assessed. Counts and cents per state computed here from the assessments.
#[test]
fn two_thousand_entries_end_to_end() {
    let (dir, db) = tmp("cape.db");
    let assessed = assess(2000);
    let exp: Vec<i64> = assessed.iter().map(expected_cents).collect();
    let e = |i: u32| exp[i as usize - 1];
    let mut l = Ledger::create(&db, &LedgerOptions::default()).unwrap();
    l.record_assessment("es003.csv", &sha("2000"), d(2026, 12, 1), assessed.iter().map(Ok)).unwrap();
    let set = build_declarations_from((1..=1900).map(|i| (n(i), None)), &DeclarationOptions::default()).unwrap();
    write_declarations(&set, dir.path().join("decl")).unwrap();
    l.record_declarations(dir.path().join("decl/manifest.csv")).unwrap();
    let text = CapeErrorKind::KNOWN[1].text().unwrap();
    let mut results = String::from("Entry Number,Claim Number,Status,Error Description\n");
    for i in 1..=1900u32 {
        if i.is_multiple_of(10) {
            results += &format!("{},CL-9,Failed,{text}\n", n(i));
        } else {
            results += &format!("{},CL-9,Entry Summary Updated,\n", n(i));
        }
    }
    let claims = dir.path().join("claims.csv");
    std::fs::write(&claims, &results).unwrap();
    let out = l.record_results_path(&claims, &Default::default()).unwrap();
    assert!(matches!(out, ImportOutcome::Recorded(ref s) if s.rows_used == 1900), "{out:?}");
    let mut rows = Vec::new();
    for i in (1..=1000u32).filter(|i| !i.is_multiple_of(10)) {
        let (amount, status) = match i {
            1 => (e(i), PaymentStatus::Returned),
            _ if i.is_multiple_of(3) => (e(i) - 100, PaymentStatus::TreasuryIssued),
            _ => (e(i), PaymentStatus::TreasuryIssued),
        };
        rows.push(payment(rows.len() as u64 + 2, Some(n(i)), &format!("R{i}"), amount, status));
    }
    let unknown = EntryNumber::from_parts("ZZZ", 42).unwrap();
    rows.push(payment(rows.len() as u64 + 2, Some(unknown), "RZ", 777, PaymentStatus::TreasuryIssued));
    l.record_payments("rev615.xlsx", &sha("rev615"), RefundReportKind::Rev615, &rows, &[]).unwrap();

    let report = l.status(&StatusQuery::default()).unwrap();
    let mut got: std::collections::BTreeMap<EntryState, (u64, Decimal, Decimal)> = Default::default();
    for t in &report.totals {
        let g = got.entry(t.state).or_default();
        g.0 += t.entries;
        g.1 += t.expected;
        g.2 += t.paid;
    }
    let sum = |f: &dyn Fn(u32) -> bool| cents((1..=2000).filter(|&i| f(i)).map(e).sum());
    let not_declared = |i: u32| i > 1900;
    let rejected = |i: u32| i <= 1900 && i.is_multiple_of(10);
    let accepted = |i: u32| i > 1000 && i <= 1900 && !i.is_multiple_of(10);
    let short = |i: u32| i <= 1000 && !i.is_multiple_of(10) && i.is_multiple_of(3);
    let paid = |i: u32| i <= 1000 && !i.is_multiple_of(10) && !i.is_multiple_of(3) && i != 1;
    use EntryState::*;
    let want = std::collections::BTreeMap::from([
        (NotDeclared, (100, sum(&not_declared), Decimal::ZERO)),
        (Rejected, (190, sum(&rejected), Decimal::ZERO)),
        (Accepted, (810, sum(&accepted), Decimal::ZERO)),
        (Paid, (599, sum(&paid), sum(&paid))),
        (PaidShort, (300, sum(&short), sum(&short) - cents(300 * 100))),
        (Returned, (1, cents(e(1)), Decimal::ZERO)),
    ]);
    assert_eq!(got, want);
    assert_eq!(report.entries.len(), 2000);
    assert!(report.entries.iter().filter(|x| x.state == PaidShort).all(|x| x.variance == Some(cents(-100))));
    assert_eq!(report.unmatched_payments.len(), 1);
    assert_eq!(report.unmatched_payments[0].entry_number, Some(unknown.to_string()));
    assert_eq!(report.unmatched_payments[0].amount, cents(777));
}

/// The ledger files of the bad-input corpus (`tests/data/bad/ledger_*.db`, written by make_bad.py): each refused
/// with its problem, its bytes unchanged.
#[test]
fn the_corpus_ledger_files_are_refused_unchanged() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bad");
    let cases = [
        ("ledger_garbage.db", LedgerProblem::Corrupt),
        ("ledger_foreign.db", LedgerProblem::ForeignFile),
        ("ledger_newer_schema.db", LedgerProblem::NewerSchema { found: 99, supported: SCHEMA_VERSION }),
    ];
    for (name, want) in cases {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        let (_dir, db) = tmp(name);
        std::fs::write(&db, &bytes).unwrap();
        for options in [LedgerOptions::default(), LedgerOptions { read_only: true, ..LedgerOptions::default() }] {
            let e = Ledger::open(&db, &options).unwrap_err();
            assert_eq!(problem(&e), want, "{name}: {e}");
            assert!(e.to_string().starts_with(&format!("{}: {}: ", db.display(), want.code())), "{e}");
        }
        let e = Ledger::open_or_create(&db, &LedgerOptions::default()).unwrap_err();
        assert_eq!(problem(&e), want, "{name}: {e}");
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{name} changed");
        let side: Vec<_> = std::fs::read_dir(db.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(side.len(), 1, "{name}: no -wal or -shm left beside it: {side:?}");
    }
}
