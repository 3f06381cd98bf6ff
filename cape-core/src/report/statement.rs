//! The client statement: one self-contained HTML page per importer (no network, no external script or font) with
//! the totals expected, paid and outstanding, expected and received refunds by month, the status breakdown, the
//! deadlines still open and the entry table. It prints on A4 and Letter.
//!
//! [`StatementData`] is everything the page shows, computed elsewhere (the ledger); this module only presents it:
//! [`render_statement`] writes the page (deterministic: the same data give the same bytes), [`write_statement`]
//! writes it to a file atomically.
//!
//! The page holds no script and loads nothing: its CSS is inline and the chart is an inline SVG. Every text of the
//! data is HTML-escaped. Amounts are shown as `$1,234.56` (rounded half away from zero to cents), right-aligned.
//! For print, `@page` sets margins that fit both A4 and Letter (the paper size is left to the printer), table
//! headers repeat on every page and no table row or chart is split between pages.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::error::Result;

/// Everything one importer's statement shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementData {
    /// The importer of record (its number as the reports write it).
    pub importer: String,
    /// The importer's name, when known.
    pub importer_name: Option<String>,
    /// The day the statement is as of.
    pub as_of: NaiveDate,
    /// What the page says produced it (e.g. `cape 0.1.0, ledger cape.db`).
    pub generated_by: String,
    /// Principal + interest expected over the importer's entries that CAPE may refund.
    pub expected: Decimal,
    /// Principal + interest paid (Treasury issued).
    pub paid: Decimal,
    /// Expected minus paid, never netted against over-payments (those are listed as variances).
    pub outstanding: Decimal,
    /// Entries and amounts per ledger state (`paid`, `paid_short`, `rejected`, ...), in the ledger's order.
    pub states: Vec<StateLine>,
    /// Expected and received refunds per calendar month, oldest first.
    pub months: Vec<MonthLine>,
    /// The deadlines still open (next actions with a date), soonest first.
    pub deadlines: Vec<DeadlineLine>,
    /// One row per entry.
    pub entries: Vec<EntryLine>,
}

/// One ledger state's count and amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateLine {
    /// The state's stable code (`paid_short`).
    pub state: String,
    /// Entries in that state.
    pub entries: u64,
    /// Principal + interest expected for them.
    pub expected: Decimal,
    /// Principal + interest paid for them.
    pub paid: Decimal,
}

/// Expected and received refunds in one calendar month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Principal + interest expected to be paid that month (by projected refund date).
    pub expected: Decimal,
    /// Principal + interest received that month (by refund date).
    pub received: Decimal,
}

/// One open deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineLine {
    /// The entry, formatted (`VSU-0828889-3`).
    pub entry_number: String,
    /// The next action's stable code.
    pub action: String,
    /// The day to act by.
    pub act_by: NaiveDate,
    /// The action's note.
    pub note: String,
}

/// One entry's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryLine {
    /// The entry, formatted.
    pub entry_number: String,
    /// The ledger state's stable code.
    pub state: String,
    /// Principal + interest expected.
    pub expected: Decimal,
    /// Principal + interest paid.
    pub paid: Decimal,
    /// Paid minus expected when paid (negative: short), else `None`.
    pub variance: Option<Decimal>,
    /// The refund date, when paid.
    pub refund_date: Option<NaiveDate>,
    /// A short note: CAPE's error and the remedy for a rejected entry, the return reason, the due date passed.
    pub note: String,
}

/// The chart's plot height in SVG units (the bars of the largest month reach it).
pub const CHART_PLOT_HEIGHT: u32 = 160;

/// The width of one month's group of two bars in the chart, in SVG units.
pub const CHART_MONTH_WIDTH: u32 = 56;

/// Writes [`render_statement`]'s page to `path` atomically (complete under its name, or absent). Returns `path`.
///
/// # Errors
///
/// As [`crate::report::write_atomic`]: [`crate::Error::Io`] when the file cannot be written;
/// [`crate::Error::UnsafeOutput`] when `path` is a SQLite database (or its `-wal` / `-shm` file), left as it was.
pub fn write_statement(path: impl AsRef<Path>, data: &StatementData) -> Result<PathBuf> {
    let path = path.as_ref();
    // `--out cape.db` by a slip of the hand would replace the ledger with a web page: a SQLite file is never
    // overwritten (nor its -wal / -shm companions, whose names say what they are).
    let mut head = [0u8; 16];
    let is_sqlite = std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && &head == b"SQLite format 3\0";
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if is_sqlite || name.ends_with("-wal") || name.ends_with("-shm") {
        return Err(crate::Error::UnsafeOutput {
            path: path.display().to_string(),
            message: "is a SQLite database (a ledger?); a statement never replaces it: choose another --out".into(),
        });
    }
    crate::report::write_atomic(path, render_statement(data).as_bytes())
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An amount as the statement shows it: `$1,234.56`, `-$12.00`; rounded half away from zero to cents.
///
/// # Example
///
/// ```
/// use cape_core::report::statement::money;
/// assert_eq!(money("1234567.891".parse().unwrap()), "$1,234,567.89");
/// assert_eq!(money("-12".parse().unwrap()), "-$12.00");
/// ```
pub fn money(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.2}", r.abs());
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if r.is_sign_negative() && !r.is_zero() { "-" } else { "" };
    format!("{sign}${grouped}.{frac}")
}

/// A state code as a label: `paid_short` → `Paid short`.
fn label(code: &str) -> String {
    let words = code.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(crate::values::date::iso).unwrap_or_default()
}

const CSS: &str = "
:root { --ink: #1b1f24; --muted: #5b6470; --rule: #d5d9de; --expected: #7a8fa6; --received: #2e7d4f; --short: #b3541e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color: var(--ink);
  margin: 0 auto; padding: 24px; max-width: 1000px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; }
.totals { display: flex; gap: 12px; margin: 20px 0 0; }
.total { flex: 1; border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; }
.total .label { display: block; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.total .amount { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: #f4f6f8; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.entry { white-space: nowrap; font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 13px; }
td.neg { color: var(--short); }
td.state, td.date { white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
.chart svg { width: 100%; height: auto; max-height: 260px; }
.legend { font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; vertical-align: baseline; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@page { margin: 14mm 12mm 16mm; }
@media print {
  html, body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h1 { font-size: 15pt; }
  h2 { font-size: 11.5pt; break-after: avoid; page-break-after: avoid; }
  .total .amount { font-size: 14pt; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, .total, .chart, .legend { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: 3px 6px; }
  .chart svg { max-height: 60mm; }
}
";

/// Renders the statement: one self-contained HTML page (see the [module documentation](self)).
pub fn render_statement(data: &StatementData) -> String {
    let mut h = String::with_capacity(8_192 + data.entries.len() * 256);
    let who = match &data.importer_name {
        Some(n) => format!("{} ({})", esc(n), esc(&data.importer)),
        None => esc(&data.importer),
    };
    let as_of = crate::values::date::iso(data.as_of);
    // Writing to a String cannot fail.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>IEEPA refund statement: {who}, as of {as_of}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <header>\n<h1>IEEPA refund statement</h1>\n<p class=\"meta\">Importer: <strong id=\"importer\">{who}</strong></p>\n\
         <p class=\"meta\">As of <time datetime=\"{as_of}\">{as_of}</time></p>\n</header>\n"
    );
    let _ = write!(
        h,
        "<section class=\"totals\" aria-label=\"Totals\">\n\
         <div class=\"total\"><span class=\"label\">Expected</span><span class=\"amount\" id=\"total-expected\">{}</span></div>\n\
         <div class=\"total\"><span class=\"label\">Paid</span><span class=\"amount\" id=\"total-paid\">{}</span></div>\n\
         <div class=\"total\"><span class=\"label\">Outstanding</span><span class=\"amount\" id=\"total-outstanding\">{}</span></div>\n\
         </section>\n",
        money(data.expected),
        money(data.paid),
        money(data.outstanding)
    );
    chart(&mut h, &data.months);
    states(&mut h, &data.states);
    deadlines(&mut h, &data.deadlines);
    entries(&mut h, &data.entries);
    let _ = write!(h, "<footer>Generated by {} for {as_of}.</footer>\n</body>\n</html>\n", esc(&data.generated_by));
    h
}

/// `value` as a share of `max` times `full`, to one decimal (half away from zero); 0 for nothing to scale.
fn scaled(value: Decimal, max: Decimal, full: u32) -> Decimal {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    value.checked_mul(Decimal::from(full)).and_then(|v| v.checked_div(max)).map_or(Decimal::ZERO, |v| {
        v.min(Decimal::from(full)).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    })
}

fn chart(h: &mut String, months: &[MonthLine]) {
    h.push_str("<section class=\"chart\">\n<h2>Expected and received by month</h2>\n");
    if months.is_empty() {
        h.push_str("<p class=\"empty\">No refund is expected or received in any month yet.</p>\n</section>\n");
        return;
    }
    let max = months.iter().flat_map(|m| [m.expected, m.received]).max().unwrap_or(Decimal::ZERO);
    let (left, top, bottom) = (84u32, 12u32, 34u32);
    let plot = CHART_PLOT_HEIGHT;
    let n = u32::try_from(months.len()).unwrap_or(u32::MAX);
    let width = left.saturating_add(n.saturating_mul(CHART_MONTH_WIDTH)).saturating_add(12);
    let height = top + plot + bottom;
    let base = top + plot;
    let _ = write!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-labelledby=\"chart-title\" font-family=\"system-ui, sans-serif\" font-size=\"11\">\n\
         <title id=\"chart-title\">Expected and received refunds by month</title>\n\
         <line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#8a939e\"/>\n\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{}\" y2=\"{top}\" stroke=\"#d5d9de\" stroke-dasharray=\"3 3\"/>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6470\">{}</text>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6470\">$0</text>\n",
        width - 12,
        width - 12,
        left - 6,
        top + 4,
        money(max),
        left - 6,
        base + 4
    );
    let bar = CHART_MONTH_WIDTH / 2 - 6;
    for (i, m) in months.iter().enumerate() {
        let x0 = left + u32::try_from(i).unwrap_or(0).saturating_mul(CHART_MONTH_WIDTH) + 4;
        let month = m.month.format("%Y-%m");
        for (j, (value, colour, what)) in
            [(m.expected, "#7a8fa6", "expected"), (m.received, "#2e7d4f", "received")].into_iter().enumerate()
        {
            let bh = scaled(value, max, plot);
            let x = x0 + u32::try_from(j).unwrap_or(0) * (bar + 2);
            let y = Decimal::from(base) - bh;
            let _ = writeln!(
                h,
                "<rect x=\"{x}\" y=\"{y:.1}\" width=\"{bar}\" height=\"{bh:.1}\" fill=\"{colour}\"><title>{month} {what}: {}</title></rect>",
                money(value)
            );
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5b6470\">{month}</text>",
            x0 + bar + 1,
            base + 16
        );
    }
    h.push_str(
        "</svg>\n<p class=\"legend\"><span class=\"swatch\" style=\"background:#7a8fa6\"></span>Expected\
                <span class=\"swatch\" style=\"background:#2e7d4f\"></span>Received</p>\n</section>\n",
    );
}

fn states(h: &mut String, states: &[StateLine]) {
    h.push_str("<section>\n<h2>Status breakdown</h2>\n");
    if states.is_empty() {
        h.push_str("<p class=\"empty\">No entries.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<table id=\"states\">\n<thead><tr><th>State</th><th class=\"num\">Entries</th><th class=\"num\">Expected</th>\
         <th class=\"num\">Paid</th></tr></thead>\n<tbody>\n",
    );
    for s in states {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&label(&s.state)),
            s.entries,
            money(s.expected),
            money(s.paid)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn deadlines(h: &mut String, deadlines: &[DeadlineLine]) {
    h.push_str("<section>\n<h2>Open deadlines</h2>\n");
    if deadlines.is_empty() {
        h.push_str("<p class=\"empty\">No open deadlines.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<table id=\"deadlines\">\n<thead><tr><th>Act by</th><th>Entry</th><th>Action</th><th>Note</th></tr></thead>\n\
         <tbody>\n",
    );
    for d in deadlines {
        let _ = writeln!(
            h,
            "<tr><td class=\"date\">{}</td><td class=\"entry\">{}</td><td>{}</td><td>{}</td></tr>",
            crate::values::date::iso(d.act_by),
            esc(&d.entry_number),
            esc(&label(&d.action)),
            esc(&d.note)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn entries(h: &mut String, entries: &[EntryLine]) {
    h.push_str("<section>\n<h2>Entries</h2>\n");
    if entries.is_empty() {
        h.push_str("<p class=\"empty\">No entries.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<table id=\"entries\">\n<thead><tr><th>Entry</th><th>State</th><th class=\"num\">Expected</th>\
         <th class=\"num\">Paid</th><th class=\"num\">Variance</th><th class=\"num\">Refund date</th><th>Note</th></tr>\
         </thead>\n<tbody>\n",
    );
    for e in entries {
        let (variance, class) = match e.variance {
            Some(v) if v < Decimal::ZERO => (money(v), "num neg"),
            Some(v) => (money(v), "num"),
            None => (String::new(), "num"),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"entry\">{}</td><td class=\"state\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"{class}\">{variance}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&e.entry_number),
            esc(&label(&e.state)),
            money(e.expected),
            money(e.paid),
            date(e.refund_date),
            esc(&e.note)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}
