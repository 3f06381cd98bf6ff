//! The header of an ES-003 report: which column cape reads sits where, with diagnostics for duplicate,
//! unknown and missing optional columns and an error for a missing required one.

use std::sync::Arc;

use super::records::Record;
use crate::diagnostic::{echo_value, Diagnostic, DiagnosticCode};
use crate::error::{Error, Result};
use crate::ingest::columns::{Column, ColumnOrigin, COLUMNS};
use crate::values::text::unwrap_excel;

const NCOL: usize = COLUMNS.len();

/// Entry-level columns (repeated on every row of an entry).
const ENTRY_COLUMNS: &[Column] = &[
    Column::EntryType,
    Column::ImporterNumber,
    Column::ImporterName,
    Column::FilerName,
    Column::PortOfEntry,
    Column::EntryDate,
    Column::EntrySummaryDate,
    Column::InitialSummaryCreateDate,
    Column::ImportationDate,
    Column::LiquidationDate,
    Column::LiquidationStatus,
    Column::FinalLiquidation,
    Column::ReconciliationIndicator,
    Column::PscIndicator,
    Column::ProtestNumber,
    Column::ProtestStatus,
    Column::ControlStatus,
    Column::ReviewTeam,
    Column::TotalLiquidatedDuty,
    Column::PaymentDate,
    Column::PaymentType,
    Column::RefundDesignee,
    Column::SummaryStatus,
    Column::ReconciliationEntry,
    Column::DrawbackIndicator,
    Column::SuretyPaid,
    Column::AdCvdStatus,
    Column::AchRefundEnrolled,
    Column::ImporterClass,
];

/// Line-level columns (repeated on every ordinal of a line).
const LINE_COLUMNS: &[Column] = &[
    Column::CountryOfOrigin,
    Column::CountryOfExport,
    Column::Spi,
    Column::ManufacturerId,
    Column::ForeignExporterId,
    Column::LinePscIndicator,
];

/// Where each column cape reads sits in a report's header.
pub(super) struct ColumnMap {
    /// Position of each [`Column`] in the header, if present.
    pub(super) idx: [Option<usize>; NCOL],
    /// Header cells as written, by position.
    pub(super) header: Vec<Box<str>>,
    /// (column, position) of the entry-level columns present.
    pub(super) entry_cols: Vec<(Column, usize)>,
    /// (column, position) of the line-level columns present.
    pub(super) line_cols: Vec<(Column, usize)>,
}

impl ColumnMap {
    #[inline]
    pub(super) fn get<'r>(&self, rec: &'r Record, col: Column) -> &'r [u8] {
        match self.idx[col as usize] {
            Some(i) => rec.get(i).map(unwrap_excel).unwrap_or(b""),
            None => b"",
        }
    }

    pub(super) fn has(&self, col: Column) -> bool {
        self.idx[col as usize].is_some()
    }

    pub(super) fn name(&self, col: Column) -> Box<str> {
        match self.idx[col as usize] {
            Some(i) => self.header[i].clone(),
            None => col.name().into(),
        }
    }
}

/// Maps a header record to the columns cape reads; duplicate, unknown and absent optional columns are
/// reported in `diags`.
///
/// # Errors
///
/// [`Error::MissingColumn`] naming the first required column absent and the columns found.
pub(super) fn map_header(rec: &Record, source: &Arc<str>, diags: &mut Vec<Diagnostic>) -> Result<ColumnMap> {
    let mut idx = [None; NCOL];
    let mut header = Vec::with_capacity(rec.len());
    for (i, raw) in rec.iter().enumerate() {
        let mut text = String::from_utf8_lossy(raw).into_owned();
        if i == 0 {
            if let Some(t) = text.strip_prefix('\u{feff}') {
                text = t.to_owned();
            }
        }
        let text = String::from_utf8_lossy(unwrap_excel(text.as_bytes())).into_owned();
        match Column::from_header(&text) {
            Some(col) if idx[col as usize].is_none() => idx[col as usize] = Some(i),
            Some(col) => diags.push(file_diag(
                source,
                DiagnosticCode::DuplicateColumn,
                Some(&echo_value(&text)),
                format!(
                    "column {:?} (= {:?}) appears again at position {}; the first one is used",
                    echo_value(&text),
                    col.name(),
                    i + 1
                ),
            )),
            None if text.trim().is_empty() => {}
            None => diags.push(file_diag(
                source,
                DiagnosticCode::UnknownColumn,
                Some(&echo_value(&text)),
                format!("column {:?} is not one cape reads; ignored", echo_value(&text)),
            )),
        }
        header.push(text.into_boxed_str());
    }
    for spec in COLUMNS {
        if spec.required && idx[spec.column as usize].is_none() {
            let found: Vec<&str> = header.iter().map(|h| &**h).filter(|h| !h.is_empty()).collect();
            return Err(Error::MissingColumn {
                source_name: source.to_string(),
                column: spec.name.to_owned(),
                found: if found.is_empty() { "(none)".to_owned() } else { found.join(", ") },
            });
        }
    }
    for spec in COLUMNS {
        if !spec.required && idx[spec.column as usize].is_none() {
            let what = match spec.origin {
                ColumnOrigin::Report => "report column",
                ColumnOrigin::Extra => "extra column",
            };
            diags.push(file_diag(
                source,
                DiagnosticCode::MissingOptionalColumn,
                Some(spec.name),
                format!("optional {what} {:?} not supplied: {}", spec.name, missing_consequence(spec.column)),
            ));
        }
    }
    let entry_cols = ENTRY_COLUMNS.iter().filter_map(|&c| idx[c as usize].map(|i| (c, i))).collect();
    let line_cols = LINE_COLUMNS.iter().filter_map(|&c| idx[c as usize].map(|i| (c, i))).collect();
    Ok(ColumnMap { idx, header, entry_cols, line_cols })
}

/// Replaces the `ES003_MISSING_OPTIONAL_COLUMN` diagnostics of a header by one that names every absent optional
/// column (at the place of the first): for the builder's records ([`crate::Es003Builder`]), which carry only
/// the columns their host set, so that a minimal entry gets one fact, not one per column. Nothing changes
/// when fewer than two are absent.
pub(super) fn merge_missing_optional(diags: &mut Vec<Diagnostic>, source: &Arc<str>) {
    let Some(first) = diags.iter().position(|d| d.code == DiagnosticCode::MissingOptionalColumn) else {
        return;
    };
    if diags.iter().filter(|d| d.code == DiagnosticCode::MissingOptionalColumn).count() < 2 {
        return;
    }
    let names: Vec<&str> = COLUMNS
        .iter()
        .filter(|s| {
            diags.iter().any(|d| d.code == DiagnosticCode::MissingOptionalColumn && d.column.as_deref() == Some(s.name))
        })
        .map(|s| s.name)
        .collect();
    let merged = file_diag(
        source,
        DiagnosticCode::MissingOptionalColumn,
        None,
        format!(
            "{} optional columns not supplied; the facts they carry are unknown for every entry: {}",
            names.len(),
            names.join(", ")
        ),
    );
    diags.retain(|d| d.code != DiagnosticCode::MissingOptionalColumn);
    diags.insert(first.min(diags.len()), merged);
}

/// What a broker loses when an optional column is absent (reported once per file).
fn missing_consequence(col: Column) -> &'static str {
    match col {
        Column::PaymentDate => "deposit dates fall back to the payment type and entry summary date rules",
        Column::RefundDesignee => "refunds are addressed to the importer of record",
        Column::SummaryStatus => "cancelled or rejected entry summaries cannot be detected",
        Column::ReconciliationEntry => "cape assumes no type 09 reconciliation entry was filed",
        Column::DrawbackIndicator => "entries on drawback cannot be detected",
        Column::SuretyPaid => "surety-paid entries cannot be detected",
        Column::AdCvdStatus => "AD/CVD suspension cannot be detected",
        Column::AchRefundEnrolled => "refunds held for missing ACH enrollment cannot be detected",
        Column::ImporterClass => "every importer is treated as corporate for the interest rate",
        Column::MfnRate => "floor-line refunds without the MFN rate are upper bounds",
        Column::LiquidationDate | Column::LiquidationStatus => "liquidation facts are unknown",
        Column::ProtestNumber | Column::ProtestStatus => "open protests cannot be detected",
        Column::ReconciliationIndicator => "reconciliation flags cannot be detected",
        Column::GoodsValue => "goods values on IEEPA rows and rate checks cannot be verified",
        _ => "the fact it carries is unknown for every entry",
    }
}

fn file_diag(source: &Arc<str>, code: DiagnosticCode, column: Option<&str>, message: String) -> Diagnostic {
    Diagnostic {
        source: source.clone(),
        row: None,
        column: column.map(Into::into),
        value: None,
        code,
        message,
        entry: None,
    }
}
