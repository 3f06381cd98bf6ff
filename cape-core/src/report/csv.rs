//! The CSV forms of cape's results: one writer per result, used by the command line's `--format csv` and by the
//! bindings' `to_csv`, so the two write the same bytes. Lists are `;`-joined codes, money two decimals, dates
//! ISO 8601, absent values empty cells, flags `true`/`false`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::atomic::AtomicFile;
use crate::assess::EntryAssessment;
use crate::claim::{PreflightReport, ResultRow};
use crate::refund::ConsolidatedRefund;
use crate::{Diagnostic, Error, Result};

/// The columns of the assessments' CSV (`cape assess --format csv`): [`crate::assess::RECORD_KEYS`], with
/// findings and reasons as `;`-joined codes.
pub const ASSESSMENT_COLUMNS: &[&str] = crate::assess::RECORD_KEYS;

/// The columns of the refunds' CSV (`cape refunds --format csv`); `entry_numbers` is `;`-joined.
pub const REFUND_COLUMNS: &[&str] = &[
    "recipient",
    "liquidation_date",
    "refund_due_by",
    "held",
    "entries",
    "principal",
    "interest",
    "total",
    "entry_numbers",
];

/// The columns of the diagnostics' CSV (`cape ingest --format csv`).
pub const DIAGNOSTIC_COLUMNS: &[&str] = &["source", "row", "severity", "code", "column", "value", "entry", "message"];

/// The columns of a declaration check's CSV (`cape check --format csv`): one row per finding; `cbp_message` is
/// CAPE's wording where known.
pub const CHECK_COLUMNS: &[&str] = &["row", "level", "code", "value", "message", "cbp_message"];

/// The columns of a results file's CSV (`cape results --format csv`): one row per results row, its error
/// classified.
pub const RESULT_ROW_COLUMNS: &[&str] = &[
    "row",
    "entry_number",
    "entry_text",
    "claim_number",
    "status",
    "error_kind",
    "error_text",
    "error_retired",
    "error_meaning",
    "error_remedy",
];

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// One entry's row of the assessments' CSV, in [`ASSESSMENT_COLUMNS`]' order.
pub fn assessment_row(a: &EntryAssessment) -> Vec<String> {
    let r = a.record();
    vec![
        r.entry_number.clone(),
        r.importer_number.unwrap_or_default().to_owned(),
        r.entry_type.unwrap_or_default().to_owned(),
        date(r.entry_date),
        r.duty_before.clone(),
        r.duty_after.clone(),
        r.ieepa_duty.clone(),
        r.principal_is_upper_bound.to_string(),
        r.findings.iter().map(|f| f.code).collect::<Vec<_>>().join(";"),
        r.status.to_owned(),
        r.reasons.iter().map(|x| x.code).collect::<Vec<_>>().join(";"),
        date(r.liquidation_date),
        date(r.last_filing_day),
        opt(r.days_left),
        r.urgent.to_string(),
        r.rule_set.to_owned(),
        date(r.deposit_date),
        r.deposit_date_rule.unwrap_or_default().to_owned(),
        date(r.projected_acceptance_date),
        date(r.projected_liquidation_date),
        r.interest.clone().unwrap_or_default(),
        opt(r.interest_days),
        r.interest_note.clone().unwrap_or_default(),
        r.importer_class.to_owned(),
        r.refund_recipient.unwrap_or_default().to_owned(),
        opt(r.refund_held),
        r.next_action.to_owned(),
        date(r.act_by),
        r.next_action_note.to_owned(),
        date(r.refund_due_by),
    ]
}

/// One refund's row of the refunds' CSV, in [`REFUND_COLUMNS`]' order.
pub fn refund_row(r: &ConsolidatedRefund) -> Vec<String> {
    let nums: Vec<String> = r.entries.iter().map(|e| e.to_string()).collect();
    vec![
        r.recipient.clone(),
        r.liquidation_date.to_string(),
        r.refund_due_by.to_string(),
        r.held.to_string(),
        r.entries.len().to_string(),
        r.principal.to_string_2dp(),
        r.interest.to_string_2dp(),
        r.total.to_string_2dp(),
        nums.join(";"),
    ]
}

/// One diagnostic's row, in [`DIAGNOSTIC_COLUMNS`]' order.
pub fn diagnostic_row(d: &Diagnostic) -> Vec<String> {
    vec![
        d.source.to_string(),
        opt(d.row),
        d.severity().name().to_owned(),
        d.code.as_str().to_owned(),
        d.column.as_deref().unwrap_or_default().to_owned(),
        d.value.as_deref().unwrap_or_default().to_owned(),
        opt(d.entry),
        d.message.clone(),
    ]
}

/// A CSV writer over `out` with the header `columns` written.
fn with_header<W: Write>(out: W, columns: &[&str]) -> io::Result<csv::Writer<W>> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns)?;
    Ok(w)
}

fn finish<W: Write>(mut w: csv::Writer<W>) -> io::Result<()> {
    w.flush()
}

/// Writes the assessments' CSV (header and one row per entry) to `out`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_assessments<'a, W: Write>(
    out: W,
    entries: impl IntoIterator<Item = &'a EntryAssessment>,
) -> io::Result<()> {
    let mut w = with_header(out, ASSESSMENT_COLUMNS)?;
    for a in entries {
        w.write_record(assessment_row(a))?;
    }
    finish(w)
}

/// Writes the refunds' CSV (header and one row per consolidated refund) to `out`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_refunds<'a, W: Write>(
    out: W,
    refunds: impl IntoIterator<Item = &'a ConsolidatedRefund>,
) -> io::Result<()> {
    let mut w = with_header(out, REFUND_COLUMNS)?;
    for r in refunds {
        w.write_record(refund_row(r))?;
    }
    finish(w)
}

/// Writes the diagnostics' CSV (header and one row per diagnostic) to `out`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_diagnostics<'a, W: Write>(
    out: W,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) -> io::Result<()> {
    let mut w = with_header(out, DIAGNOSTIC_COLUMNS)?;
    for d in diagnostics {
        w.write_record(diagnostic_row(d))?;
    }
    finish(w)
}

/// Writes a declaration check's CSV (header and one row per finding, in the report's order) to `out`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_check<W: Write>(out: W, report: &PreflightReport) -> io::Result<()> {
    let mut w = with_header(out, CHECK_COLUMNS)?;
    for f in &report.findings {
        w.write_record([
            opt(f.row),
            level_name(f.level).to_owned(),
            f.code.as_str().to_owned(),
            f.value.clone().unwrap_or_default(),
            f.message.clone(),
            f.cape_message.unwrap_or_default().to_owned(),
        ])?;
    }
    finish(w)
}

/// The stable name of a finding level: `warning`, `entry` or `file` (as the JSON writes it).
pub fn level_name(level: crate::claim::FindingLevel) -> &'static str {
    use crate::claim::FindingLevel;
    match level {
        FindingLevel::Warning => "warning",
        FindingLevel::Entry => "entry",
        FindingLevel::File => "file",
    }
}

/// Writes a results file's CSV (header and one row per results row) to `out`.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_results<'a, W: Write>(out: W, rows: impl IntoIterator<Item = &'a ResultRow>) -> io::Result<()> {
    let mut w = with_header(out, RESULT_ROW_COLUMNS)?;
    for r in rows {
        let e = r.error.as_ref();
        w.write_record([
            r.row.to_string(),
            opt(r.entry_number),
            r.entry_text.clone(),
            r.claim_number.clone().unwrap_or_default(),
            r.status.name().to_owned(),
            opt(e.map(|e| e.kind.name())),
            opt(e.map(|e| e.text.as_str())),
            opt(e.map(|e| e.kind.retired())),
            opt(e.map(|e| e.kind.meaning())),
            opt(e.map(|e| e.kind.remedy())),
        ])?;
    }
    finish(w)
}

/// Writes a CSV file atomically with `write` (one of this module's writers): complete under `path`, or absent
/// and anything already there left as it was. Returns the path written.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when the file cannot be created, written or renamed into place;
/// [`Error::UnsafeOutput`] when `path` names no file.
pub fn write_file(path: impl AsRef<Path>, write: impl FnOnce(&mut AtomicFile) -> io::Result<()>) -> Result<PathBuf> {
    let path = path.as_ref();
    let mut file = AtomicFile::create(path)?;
    write(&mut file).map_err(|e| Error::io(path.display().to_string(), e))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{preflight_bytes, read_results_bytes, PreflightOptions};

    fn text(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn results_rows_are_written_with_their_error_classified() {
        let res = read_results_bytes(
            b"ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n\
              ABC12345676,C-1,Entry Summary Updated,\n\
              ABC-1234567-6,,Failed,\"Something, new\"\n",
            None,
        )
        .expect("a results file");
        let csv = text(|w| write_results(w, &res.rows));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], RESULT_ROW_COLUMNS.join(","));
        assert_eq!(lines[1], "2,ABC-1234567-6,ABC12345676,C-1,entry_summary_updated,,,,,");
        let unknown = crate::claim::CapeErrorKind::Unknown;
        assert_eq!(
            lines[2],
            format!(
                "3,ABC-1234567-6,ABC-1234567-6,,failed,unknown,\"Something, new\",false,{},{}",
                unknown.meaning(),
                unknown.remedy()
            )
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn check_findings_are_written_one_a_row_with_cbp_wording() {
        let report = preflight_bytes(b"Entry Number\nnot-an-entry\n", &PreflightOptions::default());
        let csv = text(|w| write_check(w, &report));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "row,level,code,value,message,cbp_message");
        assert!(lines[1].starts_with("2,file,MALFORMED_ENTRY_NUMBER,not-an-entry,"), "{}", lines[1]);
        assert_eq!(lines.len(), 1 + report.findings.len());
    }

    #[test]
    fn a_file_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("d.csv");
        let written = write_file(&path, |w| write_diagnostics(w, &[])).expect("written");
        assert_eq!(written, path);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), format!("{}\n", DIAGNOSTIC_COLUMNS.join(",")));
        let missing = dir.path().join("no").join("d.csv");
        let e = write_file(&missing, |w| write_diagnostics(w, &[])).expect_err("no such folder");
        assert!(matches!(e, Error::Io { .. }), "{e}");
        let failing = write_file(dir.path().join("f.csv"), |_| Err(io::Error::other("disk full")));
        assert!(failing.is_err() && !dir.path().join("f.csv").exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "no temporary file left");
    }
}
