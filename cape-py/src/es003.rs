//! `cape.read_es003` and the frozen views of its result: `Es003`, `Entry`, `Line`, `Tariff`, `Diagnostic`,
//! `IngestSummary`.
//!
//! Each view holds cape-core's value (behind an `Arc` where lines and tariffs point into their entry) and
//! converts a field when it is read: a `Fact` that is known gives its value, any other state gives `None`;
//! money is `decimal.Decimal`, dates `datetime.date`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyTuple};
use rust_decimal::Decimal;

use cape_core::model::Fact;
use cape_core::{Es003Options, Usd};

use crate::entry_number::PyEntryNumber;
use crate::errors::call;
use crate::pickle::{from_bytes, reduce, to_bytes, Reduced};

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

/// Reads an ACE ES-003 report (CSV or XLSX) from a path or from bytes.
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
        let path: PathBuf = source.extract().map_err(|_| {
            let type_name = source.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
            PyTypeError::new_err(format!("read_es003() expects a path (str or os.PathLike) or bytes, not {type_name}"))
        })?;
        py.detach(|| call(|| cape_core::read_es003_path(&path, &options)))
    }?;
    let entries = PyTuple::new(py, result.entries.into_iter().map(|e| PyEntry(Arc::new(e))))?;
    let diagnostics = crate::frames::diagnostics(py, result.diagnostics.into_iter().map(PyDiagnostic))?;
    let summary = Py::new(py, PySummary(result.summary))?;
    Ok(PyEs003 { entries: entries.unbind(), diagnostics: diagnostics.unbind(), summary })
}

/// The result of reading an ES-003 report.
#[pyclass(module = "cape", name = "Es003", frozen)]
pub(crate) struct PyEs003 {
    entries: Py<PyTuple>,
    diagnostics: Py<PyTuple>,
    summary: Py<PySummary>,
}

#[pymethods]
impl PyEs003 {
    #[getter]
    fn entries(&self, py: Python<'_>) -> Py<PyTuple> {
        self.entries.clone_ref(py)
    }

    #[getter]
    fn diagnostics(&self, py: Python<'_>) -> Py<PyTuple> {
        self.diagnostics.clone_ref(py)
    }

    #[getter]
    fn summary(&self, py: Python<'_>) -> Py<PySummary> {
        self.summary.clone_ref(py)
    }

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

/// The counts of one ingest: rows read = rows used + rows rejected.
#[pyclass(module = "cape", name = "IngestSummary", frozen)]
pub(crate) struct PySummary(pub(crate) cape_core::IngestSummary);

#[pymethods]
impl PySummary {
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    #[getter]
    fn format(&self) -> &'static str {
        self.0.format.name()
    }
    #[getter]
    fn rows_read(&self) -> u64 {
        self.0.rows_read
    }
    #[getter]
    fn rows_used(&self) -> u64 {
        self.0.rows_used
    }
    #[getter]
    fn rows_rejected(&self) -> u64 {
        self.0.rows_rejected
    }
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    #[getter]
    fn lines(&self) -> u64 {
        self.0.lines
    }
    #[getter]
    fn tariff_rows(&self) -> u64 {
        self.0.tariff_rows
    }
    #[getter]
    fn split_entries(&self) -> u64 {
        self.0.split_entries
    }
    #[getter]
    fn conflicting_entries(&self) -> u64 {
        self.0.conflicting_entries
    }
    #[getter]
    fn errors(&self) -> u64 {
        self.0.errors
    }
    #[getter]
    fn warnings(&self) -> u64 {
        self.0.warnings
    }
    #[getter]
    fn infos(&self) -> u64 {
        self.0.infos
    }
    #[getter]
    fn columns_used<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.columns_used)
    }
    #[getter]
    fn columns_missing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.columns_missing)
    }
    #[getter]
    fn sheets_read<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.sheets_read)
    }
    #[getter]
    fn sheets_skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.sheets_skipped)
    }

    /// Diagnostics per code (`{"ES003_…": n}`), exact however many were kept in detail.
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

    fn is_balanced(&self) -> bool {
        self.0.is_balanced()
    }

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

/// One finding about one input row (or the file): data, not an exception.
#[pyclass(module = "cape", name = "Diagnostic", frozen)]
pub(crate) struct PyDiagnostic(pub(crate) cape_core::Diagnostic);

#[pymethods]
impl PyDiagnostic {
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    #[getter]
    fn row(&self) -> Option<u64> {
        self.0.row
    }
    #[getter]
    fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }
    #[getter]
    fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity().name()
    }
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    #[getter]
    fn entry(&self) -> Option<PyEntryNumber> {
        self.0.entry.map(PyEntryNumber)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Diagnostic", to_bytes("Diagnostic", &self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Diagnostic {}>", self.0)
    }
}

/// An entry summary: its header facts and its lines.
#[pyclass(module = "cape", name = "Entry", frozen)]
pub(crate) struct PyEntry(pub(crate) Arc<cape_core::Entry>);

#[pymethods]
impl PyEntry {
    #[getter]
    fn number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.number)
    }
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, (0..self.0.lines.len()).map(|line| PyLine { entry: Arc::clone(&self.0), line }))
    }
    #[getter]
    fn conflicting(&self) -> bool {
        self.0.conflicting
    }
    #[getter]
    fn split(&self) -> bool {
        self.0.split
    }
    #[getter]
    fn first_row(&self) -> u64 {
        self.0.first_row
    }
    #[getter]
    fn tariff_count(&self) -> usize {
        self.0.tariff_count()
    }
    #[getter]
    fn total_duty(&self) -> Decimal {
        self.0.total_duty().amount()
    }

    #[getter]
    fn entry_type(&self) -> Option<String> {
        self.0.header.entry_type.known().map(|t| t.code())
    }
    #[getter]
    fn importer_number(&self) -> Option<&str> {
        self.0.header.importer_number.known().map(|n| n.as_str())
    }
    #[getter]
    fn importer_number_kind(&self) -> Option<&'static str> {
        self.0.header.importer_number.known().map(|n| n.kind().name())
    }
    #[getter]
    fn importer_name(&self) -> Option<&str> {
        text(&self.0.header.importer_name)
    }
    #[getter]
    fn filer_name(&self) -> Option<&str> {
        text(&self.0.header.filer_name)
    }
    #[getter]
    fn port_of_entry(&self) -> Option<&str> {
        text(&self.0.header.port_of_entry)
    }
    #[getter]
    fn entry_date(&self) -> Option<NaiveDate> {
        self.0.header.entry_date
    }
    #[getter]
    fn entry_summary_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.entry_summary_date)
    }
    #[getter]
    fn initial_summary_create_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.initial_summary_create_date)
    }
    #[getter]
    fn importation_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.importation_date)
    }
    #[getter]
    fn liquidation_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.liquidation_date)
    }
    #[getter]
    fn liquidation_status(&self) -> Option<&'static str> {
        self.0.header.liquidation_status.known().map(|s| s.name())
    }
    /// The `Final Liquidation` flag; `None` when blank, unreadable, or a date (see `final_liquidation_date`).
    #[getter]
    fn final_liquidation(&self) -> Option<bool> {
        match self.0.header.final_liquidation.known() {
            Some(cape_core::model::FinalLiquidation::Flag(f)) => Some(*f),
            _ => None,
        }
    }
    /// The date `Final Liquidation` holds (the liquidation is final on and after it), when it holds one.
    #[getter]
    fn final_liquidation_date(&self) -> Option<NaiveDate> {
        match self.0.header.final_liquidation.known() {
            Some(cape_core::model::FinalLiquidation::On(d)) => Some(*d),
            _ => None,
        }
    }
    #[getter]
    fn reconciliation_flag(&self) -> Option<bool> {
        flag(&self.0.header.reconciliation_flag)
    }
    #[getter]
    fn psc_flag(&self) -> Option<bool> {
        flag(&self.0.header.psc_flag)
    }
    #[getter]
    fn protest_number(&self) -> Option<&str> {
        text(&self.0.header.protest_number)
    }
    #[getter]
    fn protest_status(&self) -> Option<&'static str> {
        self.0.header.protest_status.known().map(|s| s.name())
    }
    #[getter]
    fn control_status(&self) -> Option<&str> {
        text(&self.0.header.control_status)
    }
    #[getter]
    fn review_team(&self) -> Option<&str> {
        text(&self.0.header.review_team)
    }
    #[getter]
    fn total_liquidated_duty(&self) -> Option<Decimal> {
        money(&self.0.header.total_liquidated_duty)
    }
    #[getter]
    fn payment_date(&self) -> Option<NaiveDate> {
        date(&self.0.header.payment_date)
    }
    #[getter]
    fn payment_type(&self) -> Option<u8> {
        self.0.header.payment_type.known().copied()
    }
    #[getter]
    fn refund_designee(&self) -> Option<&str> {
        self.0.header.refund_designee.known().map(|n| n.as_str())
    }
    #[getter]
    fn summary_status(&self) -> Option<&'static str> {
        self.0.header.summary_status.known().map(|s| s.name())
    }
    #[getter]
    fn reconciliation_entry(&self) -> Option<PyEntryNumber> {
        self.0.header.reconciliation_entry.known().copied().map(PyEntryNumber)
    }
    #[getter]
    fn drawback_flag(&self) -> Option<bool> {
        flag(&self.0.header.drawback_flag)
    }
    #[getter]
    fn surety_paid(&self) -> Option<bool> {
        flag(&self.0.header.surety_paid)
    }
    #[getter]
    fn adcvd_status(&self) -> Option<&'static str> {
        self.0.header.adcvd_status.known().map(|s| s.name())
    }
    #[getter]
    fn ach_refund_enrolled(&self) -> Option<bool> {
        flag(&self.0.header.ach_refund_enrolled)
    }
    #[getter]
    fn importer_class(&self) -> Option<&'static str> {
        self.0.header.importer_class.known().map(|s| s.name())
    }

    /// Removes the IEEPA duty as CAPE's Mass Processing does: the new version, the amounts and findings.
    #[pyo3(signature = (tables = None))]
    fn remove_ieepa(&self, tables: Option<PyRef<'_, crate::assess::PyTables>>) -> PyResult<crate::assess::PyRemoval> {
        crate::assess::remove_ieepa(&self.0, tables.as_deref())
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Entry", to_bytes("Entry", &*self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Entry {} lines={} tariffs={}>", self.0.number, self.0.lines.len(), self.0.tariff_count())
    }
}

/// One entry-summary line: a view into its entry.
#[pyclass(module = "cape", name = "Line", frozen)]
pub(crate) struct PyLine {
    entry: Arc<cape_core::Entry>,
    line: usize,
}

impl PyLine {
    fn get(&self) -> &cape_core::Line {
        &self.entry.lines[self.line]
    }
}

#[pymethods]
impl PyLine {
    #[getter]
    fn number(&self) -> u32 {
        self.get().number
    }
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.entry.number)
    }
    #[getter]
    fn country_of_origin(&self) -> Option<&str> {
        self.get().country_of_origin.known().map(|c| c.as_str())
    }
    #[getter]
    fn country_of_export(&self) -> Option<&str> {
        self.get().country_of_export.known().map(|c| c.as_str())
    }
    #[getter]
    fn spi(&self) -> Option<&str> {
        text(&self.get().spi)
    }
    #[getter]
    fn manufacturer_id(&self) -> Option<&str> {
        text(&self.get().manufacturer_id)
    }
    #[getter]
    fn foreign_exporter_id(&self) -> Option<&str> {
        text(&self.get().foreign_exporter_id)
    }
    #[getter]
    fn mfn_rate_percent(&self) -> Option<Decimal> {
        self.get().mfn_rate_percent.known().copied()
    }
    #[getter]
    fn psc_flag(&self) -> Option<bool> {
        flag(&self.get().psc_flag)
    }
    #[getter]
    fn tariffs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let n = self.get().tariffs.len();
        PyTuple::new(py, (0..n).map(|tariff| PyTariff { entry: Arc::clone(&self.entry), line: self.line, tariff }))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Line", to_bytes("Line", &(&*self.entry, self.line)))
    }
    fn __repr__(&self) -> String {
        format!("<Line {} #{} tariffs={}>", self.entry.number, self.get().number, self.get().tariffs.len())
    }
}

/// One tariff ordinal of a line (one ES-003 row): a view into its entry.
#[pyclass(module = "cape", name = "Tariff", frozen)]
pub(crate) struct PyTariff {
    entry: Arc<cape_core::Entry>,
    line: usize,
    tariff: usize,
}

impl PyTariff {
    fn get(&self) -> &cape_core::Tariff {
        &self.entry.lines[self.line].tariffs[self.tariff]
    }
}

#[pymethods]
impl PyTariff {
    #[getter]
    fn ordinal(&self) -> u32 {
        self.get().ordinal
    }
    #[getter]
    fn hts(&self) -> String {
        self.get().hts.to_string()
    }
    #[getter]
    fn goods_value(&self) -> Option<Decimal> {
        self.get().goods_value.map(|u| u.amount())
    }
    #[getter]
    fn duty(&self) -> Decimal {
        self.get().duty.amount()
    }
    #[getter]
    fn quantity(&self) -> Option<Decimal> {
        self.get().quantity
    }
    #[getter]
    fn uom(&self) -> Option<&str> {
        self.get().uom.as_deref()
    }
    #[getter]
    fn source_row(&self) -> u64 {
        self.get().source_row
    }

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
