//! The client statement (`cape_core::report::statement`): one self-contained, escaped, deterministic HTML page.

use cape_core::report::statement::{
    money, render_statement, write_statement, DeadlineLine, EntryLine, MonthLine, StateLine, StatementData,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn data() -> StatementData {
    StatementData {
        importer: "12-345678900".into(),
        importer_name: Some("Acme <script>alert(1)</script> & Sons".into()),
        as_of: day(2026, 7, 1),
        generated_by: "cape 0.1.0, ledger cape.db".into(),
        expected: dec("1234567.89"),
        paid: dec("1000000.00"),
        outstanding: dec("234567.89"),
        states: vec![
            StateLine { state: "paid".into(), entries: 3, expected: dec("1000000.00"), paid: dec("1000000.00") },
            StateLine { state: "paid_short".into(), entries: 1, expected: dec("200000.00"), paid: dec("150000.00") },
            StateLine { state: "declared".into(), entries: 2, expected: dec("34567.89"), paid: Decimal::ZERO },
        ],
        months: vec![
            MonthLine { month: day(2026, 5, 1), expected: dec("800000.00"), received: dec("600000.00") },
            MonthLine { month: day(2026, 6, 1), expected: dec("434567.89"), received: dec("400000.00") },
        ],
        deadlines: vec![DeadlineLine {
            entry_number: "VSU-0828893-5".into(),
            action: "protest".into(),
            act_by: day(2026, 9, 30),
            note: "protest under 19 USC 1514 \"within 180 days\"".into(),
        }],
        entries: vec![
            EntryLine {
                entry_number: "VSU-0828889-3".into(),
                state: "paid_short".into(),
                expected: dec("200000.00"),
                paid: dec("150000.00"),
                variance: Some(dec("-50000.00")),
                refund_date: Some(day(2026, 6, 12)),
                note: "short by 25%".into(),
            },
            EntryLine {
                entry_number: "VSU-0828893-5".into(),
                state: "declared".into(),
                expected: dec("34567.89"),
                paid: Decimal::ZERO,
                variance: None,
                refund_date: None,
                note: String::new(),
            },
        ],
    }
}

#[test]
fn money_has_thousands_separators_and_cents() {
    assert_eq!(money(dec("0")), "$0.00");
    assert_eq!(money(dec("999.5")), "$999.50");
    assert_eq!(money(dec("1000")), "$1,000.00");
    assert_eq!(money(dec("1234567.891")), "$1,234,567.89");
    assert_eq!(money(dec("0.005")), "$0.01");
    assert_eq!(money(dec("-50000")), "-$50,000.00");
    assert_eq!(money(dec("-0.001")), "$0.00");
}

#[test]
fn the_page_holds_the_totals_tables_and_chart() {
    let html = render_statement(&data());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<span class=\"amount\" id=\"total-expected\">$1,234,567.89</span>"));
    assert!(html.contains("<span class=\"amount\" id=\"total-paid\">$1,000,000.00</span>"));
    assert!(html.contains("<span class=\"amount\" id=\"total-outstanding\">$234,567.89</span>"));
    assert!(html.contains(
        "<tr><td>Paid short</td><td class=\"num\">1</td><td class=\"num\">$200,000.00</td><td class=\"num\">$150,000.00</td></tr>"
    ));
    assert!(html.contains("<td class=\"num neg\">-$50,000.00</td><td class=\"num\">2026-06-12</td>"));
    assert!(html.contains("<td class=\"date\">2026-09-30</td><td class=\"entry\">VSU-0828893-5</td><td>Protest</td>"));
    // The chart: the largest month fills the plot (160), the others in proportion, to one decimal.
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(html.contains("height=\"160.0\" fill=\"#7a8fa6\"><title>2026-05 expected: $800,000.00</title>"));
    assert!(html.contains("height=\"120.0\" fill=\"#2e7d4f\"><title>2026-05 received: $600,000.00</title>"));
    assert!(html.contains("height=\"86.9\" fill=\"#7a8fa6\"><title>2026-06 expected: $434,567.89</title>"));
    assert!(html.contains(">2026-06</text>"));
    // Print: headers repeat, rows and the chart are not split, margins fit A4 and Letter.
    for rule in [
        "@page { margin: 14mm 12mm 16mm; }",
        "@media print",
        "thead { display: table-header-group; }",
        "break-inside: avoid",
    ] {
        assert!(html.contains(rule), "{rule}");
    }
    assert_eq!(html.matches("<thead>").count(), 3);
}

#[test]
fn everything_is_escaped() {
    let html = render_statement(&data());
    assert!(!html.contains("<script"), "an unescaped script tag");
    assert!(html.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons (12-345678900)"));
    assert!(html.contains("protest under 19 USC 1514 &quot;within 180 days&quot;"));
    let mut d = data();
    d.entries[0].entry_number = "<img src=x onerror=alert(1)>".into();
    d.states[0].state = "a'b".into();
    let html = render_statement(&d);
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img"));
    assert!(html.contains("<td>A&#39;b</td>"));
}

#[test]
fn self_contained_and_deterministic() {
    let html = render_statement(&data());
    for external in ["<script", "<link", "src=", "@import", "url(", "http://", "https://"] {
        let allowed = external == "http://"
            && html.matches("http://").count() == 1
            && html.contains("xmlns=\"http://www.w3.org/2000/svg\"");
        assert!(allowed || !html.contains(external), "{external}");
    }
    assert_eq!(render_statement(&data()), html);
}

#[test]
fn empty_sections_say_so() {
    let d = StatementData {
        importer: "12-345678900".into(),
        importer_name: None,
        as_of: day(2026, 7, 1),
        generated_by: "cape".into(),
        expected: Decimal::ZERO,
        paid: Decimal::ZERO,
        outstanding: Decimal::ZERO,
        states: vec![],
        months: vec![],
        deadlines: vec![],
        entries: vec![],
    };
    let html = render_statement(&d);
    assert!(html.contains("No refund is expected or received in any month yet."));
    assert!(html.contains("No open deadlines."));
    assert!(!html.contains("<svg") && !html.contains("<table"));
    assert!(html.contains("<strong id=\"importer\">12-345678900</strong>"));
}

#[test]
fn written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("statement.html");
    write_statement(&path, &data()).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), render_statement(&data()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

proptest::proptest! {
    /// Whatever the texts, none reaches the page unescaped: the page has exactly the tags the renderer writes.
    #[test]
    fn any_text_is_escaped(name in "[<>&\"' a-z/=]{0,30}", note in "[<>&\"' a-z/=]{0,30}", state in "[<>a-z_]{0,12}") {
        let mut d = data();
        d.importer_name = Some(name);
        d.entries[0].note = note;
        d.entries[0].state = state.clone();
        d.states[0].state = state;
        let plain = render_statement(&{
            let mut p = data();
            p.importer_name = Some(String::new());
            p.entries[0].note = String::new();
            p.entries[0].state = String::new();
            p.states[0].state = String::new();
            p
        });
        let html = render_statement(&d);
        proptest::prop_assert_eq!(html.matches('<').count(), plain.matches('<').count());
        proptest::prop_assert_eq!(html.matches('>').count(), plain.matches('>').count());
    }
}
