//! `cape.read_es003` and the frozen views of its result: `Es003`, `Entry`, `Line`, `Tariff`, `Diagnostic`,
//! `IngestSummary`.
//!
//! Each view holds cape-core's value (behind an `Arc` where lines and tariffs point into their entry) and
//! converts a field when it is read: a `Fact` that is known gives its value, any other state gives `None`;
//! money is `decimal.Decimal`, dates `datetime.date`.

use std::sync::Arc;

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyTuple};
use rust_decimal::Decimal;

use cape_core::model::Fact;
use cape_core::{Es003Options, Usd};

use crate::entry_number::PyEntryNumber;
use crate::errors::call;
use crate::pickle::{by_value, from_bytes, reduce, to_bytes, Reduced};

fn text(f: &Fact<cape_core::Text>) -> Option<&str> {
    f.known().map(|s| &**s)
}

fn date(f: &Fact<NaiveDate>) -> Option<NaiveDate> {
    f.known().copied()
}

fn flag(f: &Fact<bool>) -> Option<bool> {
    f.known().copied()
}

fn money(f: &Fact<Usd>) -> Option<Decimal> {
    f.known().map(|u| u.amount())
}

/// Read an ACE ES-003 report (CSV or XLSX, detected from the content).
///
/// ``source`` is a path (``str`` or path-like) or the file's content as ``bytes``. ``sheet`` picks a workbook
/// sheet; ``source_name`` names the source in diagnostics (default: the path, or ``<buffer>``). The work runs
/// without holding the GIL.
///
/// Rows cape cannot use are reported in :attr:`Es003.diagnostics`, never raised. Raises
/// :class:`CapeIOError` when the file cannot be read, :class:`MissingColumnError` when a required column is
/// absent, :class:`FormatError` when the content is neither CSV nor a workbook, :class:`InvalidValueError`
/// (``got text, not a path``) for a ``str`` that holds a file's text rather than its name: pass
/// ``text.encode()``.
#[pyfunction]
#[pyo3(signature = (source, *, sheet = None, source_name = None))]
pub(crate) fn read_es003(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    sheet: Option<String>,
    source_name: Option<String>,
) -> PyResult<PyEs003> {
    let options = {
        let mut o = Es003Options::default();
        o.source_name = source_name;
        o.sheet = sheet;
        o
    };
    let result = if let Ok(bytes) = source.cast::<PyBytes>() {
        // `bytes` is immutable and kept alive by the caller's reference: safe to read while detached.
        let data = bytes.as_bytes();
        py.detach(|| call(|| cape_core::read_es003_bytes(data, &options)))
    } else if let Ok(array) = source.cast::<PyByteArray>() {
        // A bytearray may change while detached: copy it first.
        let data = array.to_vec();
        py.detach(|| call(|| cape_core::read_es003_bytes(&data, &options)))
    } else {
        let path = crate::args::path_arg("source", source, crate::args::SOURCE_TYPES)?;
        py.detach(|| call(|| cape_core::read_es003_path(&path, &options)))
    }?;
    let entries = PyTuple::new(py, result.entries.into_iter().map(|e| PyEntry(Arc::new(e))))?;
    let diagnostics = crate::frames::diagnostics(py, result.diagnostics.into_iter().map(PyDiagnostic))?;
    let summary = Py::new(py, PySummary(result.summary))?;
    Ok(PyEs003 { entries: entries.unbind(), diagnostics: diagnostics.unbind(), summary })
}

/// The result of :func:`read_es003`: entries, diagnostics and the counts.
#[pyclass(module = "cape", name = "Es003", frozen)]
pub(crate) struct PyEs003 {
    entries: Py<PyTuple>,
    diagnostics: Py<PyTuple>,
    summary: Py<PySummary>,
}

#[pymethods]
impl PyEs003 {
    /// The entries, in order of first appearance.
    #[getter]
    fn entries(&self, py: Python<'_>) -> Py<PyTuple> {
        self.entries.clone_ref(py)
    }

    /// What cape says about rows it could not use as they are (and file-level facts).
    #[getter]
    fn diagnostics(&self, py: Python<'_>) -> Py<PyTuple> {
        self.diagnostics.clone_ref(py)
    }

    /// The counts: ``rows_read == rows_used + rows_rejected``.
    #[getter]
    fn summary(&self, py: Python<'_>) -> Py<PySummary> {
        self.summary.clone_ref(py)
    }

    /// Pickles exactly: ``(_unpickle, ("Es003", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let entries: Vec<cape_core::Entry> = self
            .entries
            .bind(py)
            .iter()
            .map(|e| Ok((*e.cast::<PyEntry>()?.get().0).clone()))
            .collect::<PyResult<_>>()?;
        let diagnostics: Vec<cape_core::Diagnostic> = self
            .diagnostics
            .bind(py)
            .iter()
            .map(|d| Ok(d.cast::<PyDiagnostic>()?.get().0.clone()))
            .collect::<PyResult<_>>()?;
        reduce(py, "Es003", to_bytes("Es003", &(entries, diagnostics, &self.summary.get().0)))
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.summary.get().0;
        format!(
            "Es003(source={:?}, entries={}, diagnostics={}, rows_read={}, rows_rejected={})",
            s.source,
            self.entries.bind(py).len(),
            self.diagnostics.bind(py).len(),
            s.rows_read,
            s.rows_rejected
        )
    }
}

/// The counts of one ingest.
#[pyclass(module = "cape", name = "IngestSummary", frozen, eq, hash)]
pub(crate) struct PySummary(pub(crate) cape_core::IngestSummary);
by_value!(PySummary, |s| &s.0);

#[pymethods]
impl PySummary {
    /// The source's name.
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    /// The detected format's name (``"csv"``, ``"xlsx"``...).
    #[getter]
    fn format(&self) -> &'static str {
        self.0.format.name()
    }
    /// Data rows read (the header excluded).
    #[getter]
    fn rows_read(&self) -> u64 {
        self.0.rows_read
    }
    /// Rows that became a tariff ordinal.
    #[getter]
    fn rows_used(&self) -> u64 {
        self.0.rows_used
    }
    /// Rows not used; each has an error diagnostic.
    #[getter]
    fn rows_rejected(&self) -> u64 {
        self.0.rows_rejected
    }
    /// Entries built.
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    /// Lines built.
    #[getter]
    fn lines(&self) -> u64 {
        self.0.lines
    }
    /// Tariff ordinals built.
    #[getter]
    fn tariff_rows(&self) -> u64 {
        self.0.tariff_rows
    }
    /// Entries whose rows were not contiguous.
    #[getter]
    fn split_entries(&self) -> u64 {
        self.0.split_entries
    }
    /// Entries whose rows disagreed (need review).
    #[getter]
    fn conflicting_entries(&self) -> u64 {
        self.0.conflicting_entries
    }
    /// Diagnostics of severity error.
    #[getter]
    fn errors(&self) -> u64 {
        self.0.errors
    }
    /// Diagnostics of severity warning.
    #[getter]
    fn warnings(&self) -> u64 {
        self.0.warnings
    }
    /// Diagnostics of severity info.
    #[getter]
    fn infos(&self) -> u64 {
        self.0.infos
    }
    /// The canonical names of the columns found and used.
    #[getter]
    fn columns_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.columns_used)
    }
    /// The canonical names of optional columns not in the file.
    #[getter]
    fn columns_missing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.columns_missing)
    }
    /// For workbooks: the sheets read, in order (every sheet with the ES-003 header, or ``sheet``).
    #[getter]
    fn sheets_read<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.sheets_read)
    }
    /// For workbooks: the sheets not read.
    #[getter]
    fn sheets_skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.sheets_skipped)
    }

    /// Diagnostics per code, exact for any number of rows (details are kept for at most 1,000 per code).
    #[getter]
    fn counts_by_code<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        for (code, n) in &self.0.counts_by_code {
            d.set_item(code.as_str(), n)?;
        }
        Ok(d)
    }
    /// Diagnostics counted but not kept in detail (beyond the per-code cap).
    #[getter]
    fn diagnostics_dropped(&self) -> u64 {
        self.0.diagnostics_dropped
    }

    /// True when ``rows_read == rows_used + rows_rejected`` and ``rows_used == tariff_rows``.
    fn is_balanced(&self) -> bool {
        self.0.is_balanced()
    }

    /// Pickles exactly: ``(_unpickle, ("IngestSummary", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "IngestSummary", to_bytes("IngestSummary", &self.0))
    }
    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "IngestSummary(source={:?}, format={:?}, rows_read={}, rows_used={}, rows_rejected={}, entries={}, \
             lines={}, tariff_rows={}, split_entries={}, conflicting_entries={})",
            s.source,
            s.format.name(),
            s.rows_read,
            s.rows_used,
            s.rows_rejected,
            s.entries,
            s.lines,
            s.tariff_rows,
            s.split_entries,
            s.conflicting_entries
        )
    }
}

/// One finding about one input row, or about the file when ``row`` is ``None``. ``str()`` formats it.
#[pyclass(module = "cape", name = "Diagnostic", frozen, eq, hash)]
pub(crate) struct PyDiagnostic(pub(crate) cape_core::Diagnostic);
by_value!(PyDiagnostic, |s| &s.0);

#[pymethods]
impl PyDiagnostic {
    /// The source's name (``<buffer>`` for bytes).
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    /// The 1-based row of the file (the header is row 1); ``None`` for file-level facts.
    #[getter]
    fn row(&self) -> Option<u64> {
        self.0.row
    }
    /// The column's name as written in the file, when one cell is concerned.
    #[getter]
    fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }
    /// The raw cell value, when one cell is concerned.
    #[getter]
    fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
    /// The stable code, e.g. ``"ES003_INVALID_ENTRY_NUMBER"``.
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    /// ``"info"``, ``"warning"`` or ``"error"`` (error: the row was rejected).
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity().name()
    }
    /// A plain-English message.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// The entry concerned, when known.
    #[getter]
    fn entry(&self) -> Option<PyEntryNumber> {
        self.0.entry.map(PyEntryNumber)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    /// Pickles exactly: ``(_unpickle, ("Diagnostic", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Diagnostic", to_bytes("Diagnostic", &self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Diagnostic {}>", self.0)
    }
}

/// An entry summary: header facts and lines.
///
/// An optional fact is its value when the file supplied and cape read it, and ``None`` when the column is
/// absent, the cell blank, or its text unreadable (see the diagnostics). Money is ``decimal.Decimal``.
#[pyclass(module = "cape", name = "Entry", frozen, eq, hash)]
pub(crate) struct PyEntry(pub(crate) Arc<cape_core::Entry>);
by_value!(PyEntry, |s| &*s.0);

#[pymethods]
impl PyEntry {
    /// The entry number (``Entry Summary Number``).
    #[getter]
    fn number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.number)
    }
    /// The lines, in line-number order.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, (0..self.0.lines.len()).map(|line| PyLine { entry: Arc::clone(&self.0), line }))
    }
    /// True when values disagreed across the entry's rows: the entry needs review.
    #[getter]
    fn conflicting(&self) -> bool {
        self.0.conflicting
    }
    /// True when the entry's rows were not contiguous in the file and were merged.
    #[getter]
    fn split(&self) -> bool {
        self.0.split
    }
    /// The first source row of the entry.
    #[getter]
    fn first_row(&self) -> u64 {
        self.0.first_row
    }
    /// The number of tariff ordinals (rows used).
    #[getter]
    fn tariff_count(&self) -> usize {
        self.0.tariff_count()
    }
    /// The sum of ``Line Tariff Duty Amount`` over all ordinals, as filed.
    #[getter]
    fn total_duty(&self) -> Decimal {
        self.0.total_duty().amount()
    }

    /// Two-digit entry type code, e.g. ``"01"``.
    #[getter]
    fn entry_type(&self) -> Option<String> {
        self.0.header.entry_type.known().map(|t| t.code())
    }
    /// ``Importer Number``: the importer of record (its form is :attr:`importer_number_kind`).
    #[getter]
    fn importer_number(&self) -> Option<&str> {
        self.0.header.importer_number.known().map(|n| n.as_str())
    }
    /// The importer number's form (IRS, CBP-assigned, SSN, unrecognised), as cape-core names it.
    #[getter]
    fn importer_number_kind(&self) -> Option<&'static str> {
        self.0.header.importer_number.known().map(|n| n.kind().name())
    }
    /// ``Importer Name``.
    #[getter]
    fn importer_name(&self) -> Option<&str> {
        text(&self.0.header.importer_name)
    }
    /// ``Filer Name`` (extended report).
    #[getter]
    fn filer_name(&self) -> Option<&str> {
        text(&self.0.header.filer_name)
    }
    /// ``Port of Entry Code``.
    #[getter]
    fn port_of_entry(&self) -> Option<&str> {
        text(&self.0.header.port_of_entry)
    }
    /// ``Entry Date`` (required, so set on every entry read from a file).
    #[getter]
    fn entry_date(&self) -> Option<NaiveDate> {
        self.0.header.entry_date
    }
    /// ``Entry Summary Date``.
    #[getter]
    fn entry_summary_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.entry_summary_date)
    }
    /// ``Initial Entry Summary Create Date``.
    #[getter]
    fn initial_summary_create_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.initial_summary_create_date)
    }
    /// ``Importation Date`` (extended report).
    #[getter]
    fn importation_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.importation_date)
    }
    /// ``Liquidation Date``.
    #[getter]
    fn liquidation_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.liquidation_date)
    }
    /// ``unliquidated``, ``liquidated``, ``suspended``, ``extended``, ``under_review`` or ``final``.
    #[getter]
    fn liquidation_status(&self) -> Option<&'static str> {
        self.0.header.liquidation_status.known().map(|s| s.name())
    }
    /// The ``Final Liquidation`` flag; ``None`` when blank, unreadable or a date (see ``final_liquidation_date``).
    #[getter]
    fn final_liquidation(&self) -> Option<bool> {
        match self.0.header.final_liquidation.known() {
            Some(cape_core::model::FinalLiquidation::Flag(f)) => Some(*f),
            _ => None,
        }
    }
    /// The date ``Final Liquidation`` holds: the liquidation is final on and after it.
    #[getter]
    fn final_liquidation_date(&self) -> Option<NaiveDate> {
        match self.0.header.final_liquidation.known() {
            Some(cape_core::model::FinalLiquidation::On(d)) => Some(*d),
            _ => None,
        }
    }
    /// ``Reconciliation Indicator``: True when the entry is flagged for reconciliation.
    #[getter]
    fn reconciliation_flag(&self) -> Option<bool> {
        flag(&self.0.header.reconciliation_flag)
    }
    /// ``Post Summary Correction Indicator``.
    #[getter]
    fn psc_flag(&self) -> Option<bool> {
        flag(&self.0.header.psc_flag)
    }
    /// ``Protest Number``.
    #[getter]
    fn protest_number(&self) -> Option<&str> {
        text(&self.0.header.protest_number)
    }
    /// ``open``, ``suspended`` or ``closed``.
    #[getter]
    fn protest_status(&self) -> Option<&'static str> {
        self.0.header.protest_status.known().map(|s| s.name())
    }
    /// ``Control Status``, as written.
    #[getter]
    fn control_status(&self) -> Option<&str> {
        text(&self.0.header.control_status)
    }
    /// ``Review Team Number``.
    #[getter]
    fn review_team(&self) -> Option<&str> {
        text(&self.0.header.review_team)
    }
    /// ``Total Liquidated Duty Amount``.
    #[getter]
    fn total_liquidated_duty(&self) -> Option<Decimal> {
        money(&self.0.header.total_liquidated_duty)
    }
    /// ``Payment Date`` (extra column): the day the duty was deposited.
    #[getter]
    fn payment_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.payment_date)
    }
    /// ``Payment Type Code`` (extra column): 1 single payment, 2 daily statement, 6 or 7 periodic
    /// monthly statement...
    #[getter]
    fn payment_type(&self) -> Option<u8> {
        self.0.header.payment_type.known().copied()
    }
    /// ``Refund Designee Number`` (extra column): the CBP Form 4811 designee.
    #[getter]
    fn refund_designee(&self) -> Option<&str> {
        self.0.header.refund_designee.known().map(|n| n.as_str())
    }
    /// ``accepted``, ``cancelled`` or ``rejected``.
    #[getter]
    fn summary_status(&self) -> Option<&'static str> {
        self.0.header.summary_status.known().map(|s| s.name())
    }
    /// ``Reconciliation Entry Number`` (extra column): the type 09 entry, when filed.
    #[getter]
    fn reconciliation_entry(&self) -> Option<PyEntryNumber> {
        self.0.header.reconciliation_entry.known().copied().map(PyEntryNumber)
    }
    /// ``Drawback Indicator`` (extra column).
    #[getter]
    fn drawback_flag(&self) -> Option<bool> {
        flag(&self.0.header.drawback_flag)
    }
    /// ``Surety Paid Indicator`` (extra column).
    #[getter]
    fn surety_paid(&self) -> Option<bool> {
        flag(&self.0.header.surety_paid)
    }
    /// ``suspended``, ``pending_liquidation``, ``liquidated`` or ``not_applicable``.
    #[getter]
    fn adcvd_status(&self) -> Option<&'static str> {
        self.0.header.adcvd_status.known().map(|s| s.name())
    }
    /// ``ACH Refund Enrolled`` (extra column); a refund to an importer not enrolled is held.
    #[getter]
    fn ach_refund_enrolled(&self) -> Option<bool> {
        flag(&self.0.header.ach_refund_enrolled)
    }
    /// ``corporate`` or ``noncorporate``.
    #[getter]
    fn importer_class(&self) -> Option<&'static str> {
        self.0.header.importer_class.known().map(|s| s.name())
    }

    /// Removes the IEEPA duty as CAPE's Mass Processing does (with ``tables``' catalogue, the embedded one
    /// by default): the new entry version, the amounts (``Decimal``) and the findings.
    #[pyo3(signature = (tables = None))]
    fn remove_ieepa(&self, tables: Option<PyRef<'_, crate::assess::PyTables>>) -> PyResult<crate::assess::PyRemoval> {
        crate::assess::remove_ieepa(&self.0, tables.as_deref())
    }

    /// Pickles exactly: ``(_unpickle, ("Entry", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Entry", to_bytes("Entry", &*self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Entry {} lines={} tariffs={}>", self.0.number, self.0.lines.len(), self.0.tariff_count())
    }
}

/// One entry-summary line and its tariff ordinals.
#[pyclass(module = "cape", name = "Line", frozen, eq, hash)]
pub(crate) struct PyLine {
    entry: Arc<cape_core::Entry>,
    line: usize,
}
// A line is its entry's number and its own values (not the rest of its entry).
by_value!(PyLine, |s| &(s.entry.number, s.get()));

impl PyLine {
    fn get(&self) -> &cape_core::Line {
        &self.entry.lines[self.line]
    }
}

#[pymethods]
impl PyLine {
    /// ``Entry Summary Line Number``.
    #[getter]
    fn number(&self) -> u32 {
        self.get().number
    }
    /// The entry the line belongs to.
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.entry.number)
    }
    /// ``Country of Origin Code``, e.g. ``"CN"``.
    #[getter]
    fn country_of_origin(&self) -> Option<&str> {
        self.get().country_of_origin.known().map(|c| c.as_str())
    }
    /// ``Country of Export Code``, e.g. ``"CN"``.
    #[getter]
    fn country_of_export(&self) -> Option<&str> {
        self.get().country_of_export.known().map(|c| c.as_str())
    }
    /// ``Line SPI Code`` (Special Program Indicator).
    #[getter]
    fn spi(&self) -> Option<&str> {
        text(&self.get().spi)
    }
    /// ``Manufacturer ID`` (MID).
    #[getter]
    fn manufacturer_id(&self) -> Option<&str> {
        text(&self.get().manufacturer_id)
    }
    /// ``Foreign Exporter ID``.
    #[getter]
    fn foreign_exporter_id(&self) -> Option<&str> {
        text(&self.get().foreign_exporter_id)
    }
    /// ``Column 1 Current Primary Duty Rate`` as a percent (``Free`` is 0).
    #[getter]
    fn mfn_rate_percent(&self) -> Option<Decimal> {
        self.get().mfn_rate_percent.known().copied()
    }
    /// ``Line Post Summary Correction Indicator``.
    #[getter]
    fn psc_flag(&self) -> Option<bool> {
        flag(&self.get().psc_flag)
    }
    /// The tariff ordinals, in ordinal order.
    #[getter]
    fn tariffs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let n = self.get().tariffs.len();
        PyTuple::new(py, (0..n).map(|tariff| PyTariff { entry: Arc::clone(&self.entry), line: self.line, tariff }))
    }

    /// Pickles exactly: ``(_unpickle, ("Line", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Line", to_bytes("Line", &(&*self.entry, self.line)))
    }
    fn __repr__(&self) -> String {
        format!("<Line {} #{} tariffs={}>", self.entry.number, self.get().number, self.get().tariffs.len())
    }
}

/// One tariff ordinal of a line: one ES-003 row.
#[pyclass(module = "cape", name = "Tariff", frozen, eq, hash)]
pub(crate) struct PyTariff {
    entry: Arc<cape_core::Entry>,
    line: usize,
    tariff: usize,
}
// A tariff row is its entry's number, its line's number and its own values.
by_value!(PyTariff, |s| &(s.entry.number, s.entry.lines[s.line].number, s.get()));

impl PyTariff {
    fn get(&self) -> &cape_core::Tariff {
        &self.entry.lines[self.line].tariffs[self.tariff]
    }
}

#[pymethods]
impl PyTariff {
    /// ``Tariff Ordinal Number``: the ordinal's place in its line.
    #[getter]
    fn ordinal(&self) -> u32 {
        self.get().ordinal
    }
    /// The HTS number, dotted (``9903.01.25``).
    #[getter]
    fn hts(&self) -> String {
        self.get().hts.to_string()
    }
    /// ``Line Tariff Goods Value Amount``; ``None`` when the file has no such column.
    #[getter]
    fn goods_value(&self) -> Option<Decimal> {
        self.get().goods_value.map(|u| u.amount())
    }
    /// ``Line Tariff Duty Amount``, as filed.
    #[getter]
    fn duty(&self) -> Decimal {
        self.get().duty.amount()
    }
    /// ``Line Tariff Quantity (1)``; ``None`` when absent or blank.
    #[getter]
    fn quantity(&self) -> Option<Decimal> {
        self.get().quantity
    }
    /// ``Line Tariff UOM (1) Code``; ``None`` when absent or blank.
    #[getter]
    fn uom(&self) -> Option<&str> {
        self.get().uom.as_deref()
    }
    /// The 1-based row of the source file (the header is row 1).
    #[getter]
    fn source_row(&self) -> u64 {
        self.get().source_row
    }

    /// Pickles exactly: ``(_unpickle, ("Tariff", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Tariff", to_bytes("Tariff", &(&*self.entry, self.line, self.tariff)))
    }
    fn __repr__(&self) -> String {
        let t = self.get();
        format!("<Tariff row={} ordinal={} hts={} duty={}>", t.source_row, t.ordinal, t.hts, t.duty.amount())
    }
}

/// The index `i` of a view into `n` items, or a `FormatError` (a pickle whose index is out of range).
fn view_index(what: &str, i: usize, n: usize) -> PyResult<usize> {
    if i < n {
        Ok(i)
    } else {
        Err(crate::errors::Failure::Core(cape_core::Error::Format {
            source_name: format!("serialised {what}"),
            message: format!("index {i} out of range (the entry has {n})"),
        })
        .into())
    }
}

/// Rebuilds the classes of this module that `__reduce__` pickled (see [`crate::pickle`]); `None` for other
/// names.
pub(crate) fn unpickle(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(match name {
        "Es003" => {
            type Wire = (Vec<cape_core::Entry>, Vec<cape_core::Diagnostic>, cape_core::IngestSummary);
            let (entries, diagnostics, summary): Wire = py.detach(|| from_bytes(name, data))?;
            let entries = PyTuple::new(py, entries.into_iter().map(|e| PyEntry(Arc::new(e))))?;
            let diagnostics = crate::frames::diagnostics(py, diagnostics.into_iter().map(PyDiagnostic))?;
            let summary = Py::new(py, PySummary(summary))?;
            Py::new(py, PyEs003 { entries: entries.unbind(), diagnostics: diagnostics.unbind(), summary })?.into_any()
        }
        "IngestSummary" => Py::new(py, PySummary(from_bytes(name, data)?))?.into_any(),
        "Diagnostic" => Py::new(py, PyDiagnostic(from_bytes(name, data)?))?.into_any(),
        "Entry" => Py::new(py, PyEntry(Arc::new(from_bytes(name, data)?)))?.into_any(),
        "Line" => {
            let (entry, line): (cape_core::Entry, usize) = from_bytes(name, data)?;
            let line = view_index("Line", line, entry.lines.len())?;
            Py::new(py, PyLine { entry: Arc::new(entry), line })?.into_any()
        }
        "Tariff" => {
            let (entry, line, tariff): (cape_core::Entry, usize, usize) = from_bytes(name, data)?;
            let line = view_index("Tariff", line, entry.lines.len())?;
            let tariff = view_index("Tariff", tariff, entry.lines[line].tariffs.len())?;
            Py::new(py, PyTariff { entry: Arc::new(entry), line, tariff })?.into_any()
        }
        _ => return Ok(None),
    }))
}
