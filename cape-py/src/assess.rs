//! `cape.assess`, `cape.assess_partition` and their frozen results: `Tables`, `AssessedReport`,
//! `EntryAssessment`, `Finding`, `Reason`, `Removal`, `Totals`, `Refund`, `Partial`.
//!
//! The whole pipeline runs in cape-core, detached from the interpreter; this file converts arguments, drives
//! the core's reader and assessor, and converts the results back (money as `Decimal`, dates as `date`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyTuple};
use rust_decimal::Decimal;

use cape_core::assess::{AssessOptions, AssessTotals, Assessor, EntryAssessment, Tables};
use cape_core::claim::{build_declarations, write_declarations_with, DeclarationParams, RuleSet, WriteOptions};
use cape_core::ingest::ahead::Entries;
use cape_core::mass::{Catalogue, Finding, Removal};
use cape_core::refund::{ConsolidatedRefund, Consolidation, ConsolidationOptions, ConsolidationTotals, RateTable};
use cape_core::{Diagnostic, EntryNumber, Es003Options, Es003Reader, IngestSummary, Usd};

use crate::convert::{class_arg, money_arg, money_out};
use crate::entry_number::PyEntryNumber;
use crate::errors::{call, call_py, Failure};
use crate::es003::{PyDiagnostic, PyEntry, PySummary};

static EMBEDDED: OnceLock<Arc<Tables>> = OnceLock::new();

/// cape's embedded tables, parsed once per process.
pub(crate) fn embedded_tables() -> Result<Arc<Tables>, Failure> {
    if let Some(t) = EMBEDDED.get() {
        return Ok(Arc::clone(t));
    }
    let t = Arc::new(call(Tables::embedded)?);
    Ok(Arc::clone(EMBEDDED.get_or_init(|| t)))
}

fn tables_or_embedded(tables: Option<&PyTables>) -> PyResult<Arc<Tables>> {
    match tables {
        Some(t) => Ok(Arc::clone(&t.0)),
        None => Ok(embedded_tables()?),
    }
}

/// The reference data of an assessment: catalogue, rule sets, interest rates, calendar.
#[pyclass(module = "cape", name = "Tables", frozen)]
pub(crate) struct PyTables(pub(crate) Arc<Tables>);

#[pymethods]
impl PyTables {
    #[new]
    #[pyo3(signature = (*, catalogue = None, extra_catalogues = Vec::new(), rules = Vec::new(), rates = None))]
    fn new(
        catalogue: Option<PathBuf>,
        extra_catalogues: Vec<PathBuf>,
        rules: Vec<PathBuf>,
        rates: Option<PathBuf>,
    ) -> PyResult<Self> {
        let base = embedded_tables()?;
        let t = call(|| {
            let mut t = (*base).clone();
            if let Some(p) = &catalogue {
                t.catalogue = Catalogue::from_path(p)?;
            }
            for p in &extra_catalogues {
                t.catalogue.extend(Catalogue::from_path(p)?)?;
            }
            for p in &rules {
                t.rules.insert(RuleSet::from_path(p)?);
            }
            if let Some(p) = &rates {
                t.rates = RateTable::from_path(p)?;
            }
            Ok(t)
        })?;
        Ok(PyTables(Arc::new(t)))
    }

    #[staticmethod]
    fn embedded() -> PyResult<Self> {
        Ok(PyTables(embedded_tables()?))
    }

    #[getter]
    fn rule_sets(&self) -> Vec<String> {
        self.0.rules.all().iter().map(|r| r.name.clone()).collect()
    }

    #[getter]
    fn rates_last_day(&self) -> NaiveDate {
        self.0.rates.last_day()
    }

    fn __repr__(&self) -> String {
        format!("Tables(rule_sets={:?}, rates_last_day={})", self.rule_sets(), self.0.rates.last_day())
    }
}

/// Where ES-003 rows come from.
enum Input {
    Path(PathBuf),
    Bytes(Vec<u8>),
    /// A header and the columns of text cells (from a DataFrame or an Arrow table).
    Columns(Vec<String>, Vec<Vec<String>>),
}

impl Input {
    fn from_py(source: Option<&Bound<'_, PyAny>>, records: Option<(Vec<String>, Vec<Vec<String>>)>) -> PyResult<Self> {
        match (source, records) {
            (None, Some((h, c))) => {
                if h.len() != c.len() {
                    return Err(PyTypeError::new_err("records: one column of cells per header name"));
                }
                Ok(Input::Columns(h, c))
            }
            (Some(s), None) => {
                if let Ok(b) = s.cast::<PyBytes>() {
                    Ok(Input::Bytes(b.as_bytes().to_vec()))
                } else if let Ok(b) = s.cast::<PyByteArray>() {
                    Ok(Input::Bytes(b.to_vec()))
                } else {
                    let p: PathBuf = s.extract().map_err(|_| {
                        let t = s.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
                        PyTypeError::new_err(format!("expected a path (str or os.PathLike) or bytes, not {t}"))
                    })?;
                    Ok(Input::Path(p))
                }
            }
            _ => Err(PyTypeError::new_err("give exactly one of source and records")),
        }
    }

    fn reader(&self, options: &Es003Options) -> cape_core::Result<Es003Reader> {
        match self {
            Input::Path(p) => Es003Reader::open(p, options),
            Input::Bytes(b) => Es003Reader::from_bytes(b.clone(), options),
            Input::Columns(h, cols) => {
                let n = cols.first().map_or(0, Vec::len);
                Es003Reader::from_records(h, (0..n).map(|i| cols.iter().map(move |c| c[i].as_str())), options)
            }
        }
    }
}

/// The options of one assessment, as given from Python.
struct Settings {
    tables: Arc<Tables>,
    options: AssessOptions,
    es003: Es003Options,
    progress: Option<Py<PyAny>>,
    total_rows: Option<u64>,
    /// 1: read on the calling thread; 2: read ahead on a second thread.
    threads: usize,
}

#[allow(clippy::too_many_arguments)]
fn settings(
    as_of: NaiveDate,
    rules: &str,
    tables: Option<&PyTables>,
    assume_last_rate: bool,
    importer_class: &str,
    class_overrides: Option<HashMap<String, String>>,
    urgent_within_days: Option<u32>,
    last_day_offset: Option<u32>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    progress: Option<Py<PyAny>>,
    total_rows: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Settings> {
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    let tables = tables_or_embedded(tables)?;
    let mut options = AssessOptions::new(as_of);
    if assume_last_rate {
        options = options.assume_last_rate(&tables.rates);
    }
    options.rules = rules.to_owned();
    options.default_class = class_arg(importer_class)?;
    for (k, v) in class_overrides.unwrap_or_default() {
        options.class_overrides.insert(k, class_arg(&v)?);
    }
    if let Some(n) = urgent_within_days {
        options.claim.urgent_within_days = n;
    }
    options.claim.last_day_offset = last_day_offset;
    let mut accepted = HashSet::new();
    for e in already_accepted.unwrap_or_default() {
        accepted.insert(entry_number_arg(&e)?);
    }
    options.already_accepted = accepted;
    Ok(Settings {
        tables,
        options,
        es003: Es003Options { source_name, sheet, ..Es003Options::default() },
        progress,
        total_rows,
        threads: threads.unwrap_or_else(cape_core::ingest::ahead::default_threads),
    })
}

/// An entry number given as `EntryNumber` or text.
fn entry_number_arg(obj: &Bound<'_, PyAny>) -> PyResult<EntryNumber> {
    if let Ok(n) = obj.cast::<PyEntryNumber>() {
        return Ok(n.get().0);
    }
    let text: String = obj.extract().map_err(|_| PyTypeError::new_err("an entry number must be EntryNumber or str"))?;
    Ok(call(|| EntryNumber::parse(&text))?)
}

/// What one run of the pipeline gives besides the per-entry assessments.
struct RunInfo {
    diagnostics: Vec<Diagnostic>,
    ingest: IngestSummary,
    rule_set: String,
}

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Reads and assesses every entry, detached from the interpreter; `sink` receives each assessment.
/// Every 100 ms the interpreter is re-attached to check for signals and call the progress callback.
fn run(
    py: Python<'_>,
    input: &Input,
    s: &Settings,
    mut sink: impl FnMut(EntryAssessment) -> cape_core::Result<()> + Send,
) -> PyResult<RunInfo> {
    let info = py.detach(|| {
        call_py(|| {
            let mut assessor = Assessor::new(&s.tables, s.options.clone())?.with_unique_entries();
            let mut entries = Entries::new(input.reader(&s.es003)?, s.threads);
            let mut last = Instant::now();
            let mut n = 0u32;
            let tick = |rows: u64| -> Result<(), Failure> {
                Python::attach(|py| -> PyResult<()> {
                    py.check_signals()?;
                    if let Some(cb) = &s.progress {
                        cb.call1(py, (rows, s.total_rows))?;
                    }
                    Ok(())
                })?;
                Ok(())
            };
            while let Some(e) = entries.next() {
                sink(assessor.assess(&e?)?)?;
                n += 1;
                if n.is_multiple_of(256) && last.elapsed() >= PROGRESS_EVERY {
                    tick(entries.rows_read())?;
                    last = Instant::now();
                }
            }
            let mut reader = entries.finish();
            if s.progress.is_some() {
                tick(reader.summary().rows_read)?;
            }
            Ok(RunInfo {
                rule_set: assessor.rule_set().name.clone(),
                ingest: reader.summary().clone(),
                diagnostics: reader.take_diagnostics(),
            })
        })
    })?;
    Ok(info)
}

fn diagnostics_tuple(py: Python<'_>, d: Vec<Diagnostic>) -> PyResult<Py<PyTuple>> {
    Ok(PyTuple::new(py, d.into_iter().map(PyDiagnostic))?.unbind())
}

/// Assesses an ES-003 report (path, bytes, or `records=(header, columns)` of text cells).
#[pyfunction]
#[pyo3(signature = (source = None, *, as_of, records = None, rules = "auto", tables = None,
    assume_last_rate = false, importer_class = "corporate", class_overrides = None, urgent_within_days = None,
    last_day_offset = None, already_accepted = None, sheet = None, source_name = None, progress = None,
    total_rows = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assess(
    py: Python<'_>,
    source: Option<&Bound<'_, PyAny>>,
    as_of: NaiveDate,
    records: Option<(Vec<String>, Vec<Vec<String>>)>,
    rules: &str,
    tables: Option<PyRef<'_, PyTables>>,
    assume_last_rate: bool,
    importer_class: &str,
    class_overrides: Option<HashMap<String, String>>,
    urgent_within_days: Option<u32>,
    last_day_offset: Option<u32>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    progress: Option<Py<PyAny>>,
    total_rows: Option<u64>,
    threads: Option<usize>,
) -> PyResult<PyAssessedReport> {
    let input = Input::from_py(source, records)?;
    let s = settings(
        as_of,
        rules,
        tables.as_deref(),
        assume_last_rate,
        importer_class,
        class_overrides,
        urgent_within_days,
        last_day_offset,
        already_accepted,
        sheet,
        source_name,
        progress,
        total_rows,
        threads,
    )?;
    let mut entries = Vec::new();
    let mut totals = AssessTotals::default();
    let info = run(py, &input, &s, |a| {
        totals.add(&a)?;
        entries.push(a);
        Ok(())
    })?;
    Ok(PyAssessedReport {
        entries: Arc::new(entries),
        totals,
        diagnostics: diagnostics_tuple(py, info.diagnostics)?,
        summary: Py::new(py, PySummary(info.ingest))?,
        rule_set: info.rule_set,
        as_of,
    })
}

/// Assesses one partition of a report into a mergeable [`PyPartial`].
#[pyfunction]
#[pyo3(signature = (source = None, *, as_of, records = None, rules = "auto", tables = None,
    assume_last_rate = false, importer_class = "corporate", class_overrides = None, urgent_within_days = None,
    last_day_offset = None, already_accepted = None, sheet = None, source_name = None, min_refund = None,
    keep_entries = true, progress = None, total_rows = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assess_partition(
    py: Python<'_>,
    source: Option<&Bound<'_, PyAny>>,
    as_of: NaiveDate,
    records: Option<(Vec<String>, Vec<Vec<String>>)>,
    rules: &str,
    tables: Option<PyRef<'_, PyTables>>,
    assume_last_rate: bool,
    importer_class: &str,
    class_overrides: Option<HashMap<String, String>>,
    urgent_within_days: Option<u32>,
    last_day_offset: Option<u32>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    min_refund: Option<&Bound<'_, PyAny>>,
    keep_entries: bool,
    progress: Option<Py<PyAny>>,
    total_rows: Option<u64>,
    threads: Option<usize>,
) -> PyResult<PyPartial> {
    let input = Input::from_py(source, records)?;
    let minimum_refund = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
    let s = settings(
        as_of,
        rules,
        tables.as_deref(),
        assume_last_rate,
        importer_class,
        class_overrides,
        urgent_within_days,
        last_day_offset,
        already_accepted,
        sheet,
        source_name,
        progress,
        total_rows,
        threads,
    )?;
    let mut entries = Vec::new();
    let mut totals = AssessTotals::default();
    let mut consolidation = Consolidation::new(ConsolidationOptions { minimum_refund });
    let info = run(py, &input, &s, |a| {
        totals.add(&a)?;
        if let Some(item) = a.refund_item() {
            consolidation.add(item)?;
        }
        if keep_entries {
            entries.push(a);
        }
        Ok(())
    })?;
    Ok(PyPartial {
        entries: Arc::new(entries),
        diagnostics: Arc::new(info.diagnostics),
        totals,
        consolidation,
        rule_set: info.rule_set,
        partitions: 1,
    })
}

/// Shared by the containers: per-entry access and conversions.
fn entry_at(entries: &Arc<Vec<EntryAssessment>>, index: isize) -> PyResult<PyEntryAssessment> {
    let n = entries.len() as isize;
    let i = if index < 0 { index + n } else { index };
    if i < 0 || i >= n {
        return Err(PyIndexError::new_err("entry index out of range"));
    }
    Ok(PyEntryAssessment { all: Arc::clone(entries), i: i as usize })
}

fn records(py: Python<'_>, entries: &[EntryAssessment]) -> PyResult<Py<PyList>> {
    let l = PyList::empty(py);
    for a in entries {
        l.append(record_dict(py, a)?)?;
    }
    Ok(l.unbind())
}

fn refunds_tuple(py: Python<'_>, v: Vec<&ConsolidatedRefund>) -> PyResult<Py<PyTuple>> {
    Ok(PyTuple::new(py, v.into_iter().map(|r| PyRefund(r.clone())))?.unbind())
}

fn consolidate(entries: &[EntryAssessment], minimum_refund: Option<Usd>) -> cape_core::Result<Consolidation> {
    let mut c = Consolidation::new(ConsolidationOptions { minimum_refund });
    for a in entries {
        if let Some(item) = a.refund_item() {
            c.add(item)?;
        }
    }
    Ok(c)
}

fn declarations(
    entries: &[EntryAssessment],
    dir: PathBuf,
    split_by_importer: bool,
    max_per_file: Option<usize>,
    prefix: Option<String>,
    replace: bool,
) -> cape_core::Result<Vec<PathBuf>> {
    let mut params = DeclarationParams { per_importer: split_by_importer, ..Default::default() };
    if let Some(m) = max_per_file {
        params.max_entries_per_file = m;
    }
    if let Some(p) = prefix {
        params.prefix = p;
    }
    let set = build_declarations(entries.iter().map(|a| &a.claim), &params)?;
    write_declarations_with(&set, dir, &WriteOptions::replace(replace))
}

/// The assessment of a whole report, entries in input order.
#[pyclass(module = "cape", name = "AssessedReport", frozen, sequence)]
pub(crate) struct PyAssessedReport {
    entries: Arc<Vec<EntryAssessment>>,
    totals: AssessTotals,
    diagnostics: Py<PyTuple>,
    summary: Py<PySummary>,
    rule_set: String,
    as_of: NaiveDate,
}

#[pymethods]
impl PyAssessedReport {
    fn __len__(&self) -> usize {
        self.entries.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<PyEntryAssessment> {
        entry_at(&self.entries, index)
    }
    fn __iter__(&self) -> EntryIter {
        EntryIter { all: Arc::clone(&self.entries), next: std::sync::atomic::AtomicUsize::new(0) }
    }
    #[getter]
    fn totals(&self) -> PyTotals {
        PyTotals(self.totals.clone())
    }
    #[getter]
    fn diagnostics(&self, py: Python<'_>) -> Py<PyTuple> {
        self.diagnostics.clone_ref(py)
    }
    #[getter]
    fn ingest(&self, py: Python<'_>) -> Py<PySummary> {
        self.summary.clone_ref(py)
    }
    #[getter]
    fn rule_set(&self) -> &str {
        &self.rule_set
    }
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    fn to_records(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        records(py, &self.entries)
    }
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("to_pandas", (records(py, &self.entries)?,))
    }
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("to_arrow", (records(py, &self.entries)?,))
    }
    #[pyo3(signature = (min_refund = None))]
    fn refunds(&self, py: Python<'_>, min_refund: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTuple>> {
        let m = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
        let entries = Arc::clone(&self.entries);
        let c = py.detach(|| call(|| consolidate(&entries, m)))?;
        refunds_tuple(py, c.refunds())
    }
    #[pyo3(signature = (min_refund = None))]
    fn refund_totals(&self, py: Python<'_>, min_refund: Option<&Bound<'_, PyAny>>) -> PyResult<PyRefundTotals> {
        let m = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
        let entries = Arc::clone(&self.entries);
        let c = py.detach(|| call(|| consolidate(&entries, m)))?;
        Ok(PyRefundTotals(c.totals()))
    }
    #[pyo3(signature = (dir, *, split_by_importer = false, max_per_file = None, prefix = None, replace = false))]
    fn write_declarations(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        split_by_importer: bool,
        max_per_file: Option<usize>,
        prefix: Option<String>,
        replace: bool,
    ) -> PyResult<Vec<PathBuf>> {
        let entries = Arc::clone(&self.entries);
        Ok(py.detach(|| call(|| declarations(&entries, dir, split_by_importer, max_per_file, prefix, replace)))?)
    }
    fn __repr__(&self) -> String {
        let t = &self.totals;
        format!(
            "<AssessedReport as_of={} rule_set={} entries={} eligible={} eligible_deferred={} ineligible={} \
             needs_review={}>",
            self.as_of, self.rule_set, t.entries, t.eligible, t.eligible_deferred, t.ineligible, t.needs_review
        )
    }
}

/// A mergeable partial result: the assessment of some of a report's entries.
#[pyclass(module = "cape", name = "Partial", frozen, sequence)]
pub(crate) struct PyPartial {
    entries: Arc<Vec<EntryAssessment>>,
    diagnostics: Arc<Vec<Diagnostic>>,
    totals: AssessTotals,
    consolidation: Consolidation,
    rule_set: String,
    partitions: u64,
}

#[pymethods]
impl PyPartial {
    /// The partial result of both (this one's entries first). Exact: totals and refunds are sums of cents.
    fn merge(&self, py: Python<'_>, other: PyRef<'_, PyPartial>) -> PyResult<PyPartial> {
        let o = &*other;
        let merged = py.detach(|| {
            call(|| {
                let mut totals = self.totals.clone();
                totals.merge(&o.totals)?;
                let mut consolidation = self.consolidation.clone();
                consolidation.merge(o.consolidation.clone())?;
                let mut entries = Vec::with_capacity(self.entries.len() + o.entries.len());
                entries.extend(self.entries.iter().cloned());
                entries.extend(o.entries.iter().cloned());
                let mut diagnostics = (*self.diagnostics).clone();
                diagnostics.extend(o.diagnostics.iter().cloned());
                Ok(PyPartial {
                    entries: Arc::new(entries),
                    diagnostics: Arc::new(diagnostics),
                    totals,
                    consolidation,
                    rule_set: self.rule_set.clone(),
                    partitions: self.partitions + o.partitions,
                })
            })
        })?;
        Ok(merged)
    }
    fn __len__(&self) -> usize {
        self.entries.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<PyEntryAssessment> {
        entry_at(&self.entries, index)
    }
    fn __iter__(&self) -> EntryIter {
        EntryIter { all: Arc::clone(&self.entries), next: std::sync::atomic::AtomicUsize::new(0) }
    }
    #[getter]
    fn totals(&self) -> PyTotals {
        PyTotals(self.totals.clone())
    }
    #[getter]
    fn partitions(&self) -> u64 {
        self.partitions
    }
    #[getter]
    fn rule_set(&self) -> &str {
        &self.rule_set
    }
    #[getter]
    fn diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.diagnostics.iter().cloned().map(PyDiagnostic))
    }
    fn refunds(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        refunds_tuple(py, self.consolidation.refunds())
    }
    fn refund_totals(&self) -> PyRefundTotals {
        PyRefundTotals(self.consolidation.totals())
    }
    fn to_records(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        records(py, &self.entries)
    }
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("to_pandas", (records(py, &self.entries)?,))
    }
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("to_arrow", (records(py, &self.entries)?,))
    }
    fn __repr__(&self) -> String {
        format!("<Partial partitions={} entries={}>", self.partitions, self.totals.entries)
    }
}

/// Iterates the entries of a result.
#[pyclass(module = "cape", frozen)]
pub(crate) struct EntryIter {
    all: Arc<Vec<EntryAssessment>>,
    next: std::sync::atomic::AtomicUsize,
}

#[pymethods]
impl EntryIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__(&self) -> Option<PyEntryAssessment> {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (i < self.all.len()).then(|| PyEntryAssessment { all: Arc::clone(&self.all), i })
    }
}

fn finding_dict<'py>(py: Python<'py>, f: &Finding) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", f.code.as_str())?;
    d.set_item("message", &f.message)?;
    d.set_item("cbp_message", f.cbp_message)?;
    d.set_item("line", f.line)?;
    Ok(d)
}

/// One entry's record: the keys of `cape assess --format json`, money as `Decimal`, dates as `date`.
fn record_dict<'py>(py: Python<'py>, a: &EntryAssessment) -> PyResult<Bound<'py, PyDict>> {
    let r = a.record();
    let d = PyDict::new(py);
    d.set_item("entry_number", &r.entry_number)?;
    d.set_item("importer_number", r.importer_number)?;
    d.set_item("entry_type", r.entry_type)?;
    d.set_item("entry_date", r.entry_date)?;
    d.set_item("duty_before", money_out(a.removal.duty_before))?;
    d.set_item("duty_after", money_out(a.removal.duty_after))?;
    d.set_item("ieepa_duty", money_out(a.removal.ieepa_duty))?;
    d.set_item("principal_is_upper_bound", r.principal_is_upper_bound)?;
    let findings = PyList::empty(py);
    for f in &a.removal.findings {
        findings.append(finding_dict(py, f)?)?;
    }
    d.set_item("findings", findings)?;
    d.set_item("status", r.status)?;
    let reasons = PyList::empty(py);
    for x in &r.reasons {
        let rd = PyDict::new(py);
        rd.set_item("code", x.code)?;
        rd.set_item("message", x.message)?;
        rd.set_item("cbp_message", x.cbp_message)?;
        rd.set_item("effect", x.effect)?;
        reasons.append(rd)?;
    }
    d.set_item("reasons", reasons)?;
    d.set_item("liquidation_date", r.liquidation_date)?;
    d.set_item("last_filing_day", r.last_filing_day)?;
    d.set_item("days_left", r.days_left)?;
    d.set_item("urgent", r.urgent)?;
    d.set_item("rule_set", r.rule_set)?;
    d.set_item("deposit_date", r.deposit_date)?;
    d.set_item("deposit_date_rule", r.deposit_date_rule)?;
    d.set_item("projected_acceptance_date", r.projected_acceptance_date)?;
    d.set_item("projected_liquidation_date", r.projected_liquidation_date)?;
    d.set_item("interest", a.interest_amount().map(money_out))?;
    d.set_item("interest_days", r.interest_days)?;
    d.set_item("interest_note", r.interest_note)?;
    d.set_item("importer_class", r.importer_class)?;
    d.set_item("refund_recipient", r.refund_recipient)?;
    d.set_item("refund_held", r.refund_held)?;
    Ok(d)
}

/// The assessment of one entry (a view into its result).
#[pyclass(module = "cape", name = "EntryAssessment", frozen)]
pub(crate) struct PyEntryAssessment {
    all: Arc<Vec<EntryAssessment>>,
    i: usize,
}

impl PyEntryAssessment {
    fn get(&self) -> &EntryAssessment {
        &self.all[self.i]
    }
}

#[pymethods]
impl PyEntryAssessment {
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.get().entry_number())
    }
    #[getter]
    fn importer_number(&self) -> Option<&str> {
        self.get().importer_number.as_deref()
    }
    #[getter]
    fn entry_type(&self) -> Option<&str> {
        self.get().entry_type.as_deref()
    }
    #[getter]
    fn entry_date(&self) -> Option<NaiveDate> {
        self.get().entry_date
    }
    #[getter]
    fn duty_before(&self) -> Decimal {
        money_out(self.get().removal.duty_before)
    }
    #[getter]
    fn duty_after(&self) -> Decimal {
        money_out(self.get().removal.duty_after)
    }
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.get().removal.ieepa_duty)
    }
    #[getter]
    fn principal_is_upper_bound(&self) -> bool {
        self.get().removal.principal_is_upper_bound
    }
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.get().removal.findings.iter().cloned().map(PyFinding))
    }
    #[getter]
    fn status(&self) -> &'static str {
        self.get().status().name()
    }
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.get().claim.reasons.iter().cloned().map(PyReason))
    }
    #[getter]
    fn liquidation_date(&self) -> Option<NaiveDate> {
        self.get().claim.liquidation_date
    }
    #[getter]
    fn last_filing_day(&self) -> Option<NaiveDate> {
        self.get().claim.last_filing_day
    }
    #[getter]
    fn days_left(&self) -> Option<i64> {
        self.get().claim.days_left
    }
    #[getter]
    fn urgent(&self) -> bool {
        self.get().claim.urgent
    }
    #[getter]
    fn rule_set(&self) -> &str {
        &self.get().claim.rule_set
    }
    #[getter]
    fn deposit_date(&self) -> Option<NaiveDate> {
        self.get().deposit.as_ref().ok().map(|d| d.date)
    }
    #[getter]
    fn deposit_date_rule(&self) -> Option<&'static str> {
        self.get().deposit.as_ref().ok().map(|d| d.rule.name())
    }
    #[getter]
    fn projected_acceptance_date(&self) -> Option<NaiveDate> {
        self.get().projected.as_ref().map(|p| p.acceptance)
    }
    #[getter]
    fn projected_liquidation_date(&self) -> Option<NaiveDate> {
        self.get().projected.as_ref().map(|p| p.liquidation)
    }
    #[getter]
    fn interest(&self) -> Option<Decimal> {
        self.get().interest_amount().map(money_out)
    }
    #[getter]
    fn interest_days(&self) -> Option<u32> {
        self.get().record().interest_days
    }
    #[getter]
    fn interest_note(&self) -> Option<String> {
        self.get().record().interest_note
    }
    #[getter]
    fn importer_class(&self) -> &'static str {
        self.get().importer_class.name()
    }
    #[getter]
    fn refund_recipient(&self) -> Option<&str> {
        self.get().recipient.as_ref().map(|r| r.number.as_str())
    }
    #[getter]
    fn refund_held(&self) -> Option<bool> {
        self.get().recipient.as_ref().map(|r| r.held)
    }
    #[getter]
    fn removal(&self) -> PyRemoval {
        PyRemoval(Arc::new(self.get().removal.clone()))
    }
    fn to_record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(py, self.get())
    }
    fn __repr__(&self) -> String {
        let a = self.get();
        format!(
            "<EntryAssessment {} {} ieepa_duty={}>",
            a.entry_number(),
            a.status().name(),
            a.principal().to_string_2dp()
        )
    }
}

/// A mass-processing finding: noticed, never changes the amounts.
#[pyclass(module = "cape", name = "Finding", frozen)]
pub(crate) struct PyFinding(Finding);

#[pymethods]
impl PyFinding {
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cbp_message
    }
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.line
    }
    #[getter]
    fn ordinal(&self) -> Option<u32> {
        self.0.ordinal
    }
    #[getter]
    fn hts(&self) -> Option<String> {
        self.0.hts.map(|h| h.to_string())
    }
    fn __repr__(&self) -> String {
        format!("<Finding {}: {}>", self.0.code.as_str(), self.0.message)
    }
}

/// A claim reason: why an entry has its status.
#[pyclass(module = "cape", name = "Reason", frozen)]
pub(crate) struct PyReason(cape_core::claim::Reason);

#[pymethods]
impl PyReason {
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cbp_message
    }
    #[getter]
    fn effect(&self) -> &'static str {
        self.0.effect.name()
    }
    fn __repr__(&self) -> String {
        format!("<Reason {} ({}): {}>", self.0.code.as_str(), self.0.effect.name(), self.0.message)
    }
}

/// The removal of the IEEPA duty from one entry, as CAPE's Mass Processing does it.
#[pyclass(module = "cape", name = "Removal", frozen)]
pub(crate) struct PyRemoval(Arc<Removal>);

#[pymethods]
impl PyRemoval {
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.entry_number)
    }
    #[getter]
    fn duty_before(&self) -> Decimal {
        money_out(self.0.duty_before)
    }
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    #[getter]
    fn duty_after(&self) -> Decimal {
        money_out(self.0.duty_after)
    }
    #[getter]
    fn principal_is_upper_bound(&self) -> bool {
        self.0.principal_is_upper_bound
    }
    #[getter]
    fn has_dutiable_ieepa(&self) -> bool {
        self.0.has_dutiable_ieepa
    }
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.findings.iter().cloned().map(PyFinding))
    }
    /// Per line: `(line, duty_before, ieepa_duty, duty_after)`.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.0
                .lines
                .iter()
                .map(|l| (l.line, money_out(l.duty_before), money_out(l.ieepa_duty), money_out(l.duty_after))),
        )
    }
    #[getter]
    fn new_version(&self) -> PyEntry {
        PyEntry(Arc::new(self.0.new_version.clone()))
    }
    fn __repr__(&self) -> String {
        format!(
            "<Removal {} duty_before={} ieepa_duty={} duty_after={}>",
            self.0.entry_number,
            self.0.duty_before.to_string_2dp(),
            self.0.ieepa_duty.to_string_2dp(),
            self.0.duty_after.to_string_2dp()
        )
    }
}

/// Removes the IEEPA duty from `entry` with `tables`' catalogue (the embedded one by default).
pub(crate) fn remove_ieepa(entry: &cape_core::Entry, tables: Option<&PyTables>) -> PyResult<PyRemoval> {
    let t = tables_or_embedded(tables)?;
    Ok(PyRemoval(Arc::new(call(|| cape_core::remove_ieepa(entry, &t.catalogue))?)))
}

/// Counts and totals by status.
#[pyclass(module = "cape", name = "Totals", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyTotals(AssessTotals);

#[pymethods]
impl PyTotals {
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    #[getter]
    fn eligible(&self) -> u64 {
        self.0.eligible
    }
    #[getter]
    fn eligible_deferred(&self) -> u64 {
        self.0.eligible_deferred
    }
    #[getter]
    fn ineligible(&self) -> u64 {
        self.0.ineligible
    }
    #[getter]
    fn needs_review(&self) -> u64 {
        self.0.needs_review
    }
    #[getter]
    fn urgent(&self) -> u64 {
        self.0.urgent
    }
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    #[getter]
    fn declarable_ieepa_duty(&self) -> Decimal {
        money_out(self.0.declarable_ieepa_duty)
    }
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    #[getter]
    fn interest_unknown(&self) -> u64 {
        self.0.interest_unknown
    }
    fn __repr__(&self) -> String {
        let t = &self.0;
        format!(
            "Totals(entries={}, eligible={}, eligible_deferred={}, ineligible={}, needs_review={}, urgent={}, \
             ieepa_duty=Decimal('{}'), declarable_ieepa_duty=Decimal('{}'), interest=Decimal('{}'), \
             interest_unknown={})",
            t.entries,
            t.eligible,
            t.eligible_deferred,
            t.ineligible,
            t.needs_review,
            t.urgent,
            t.ieepa_duty.to_string_2dp(),
            t.declarable_ieepa_duty.to_string_2dp(),
            t.interest.to_string_2dp(),
            t.interest_unknown
        )
    }
}

/// Totals over consolidated refunds: they conserve through any merge.
#[pyclass(module = "cape", name = "RefundTotals", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyRefundTotals(ConsolidationTotals);

#[pymethods]
impl PyRefundTotals {
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    #[getter]
    fn principal(&self) -> Decimal {
        money_out(self.0.principal)
    }
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    #[getter]
    fn paid(&self) -> Decimal {
        money_out(self.0.paid)
    }
    #[getter]
    fn held(&self) -> Decimal {
        money_out(self.0.held)
    }
    fn __repr__(&self) -> String {
        let t = &self.0;
        format!(
            "RefundTotals(entries={}, principal=Decimal('{}'), interest=Decimal('{}'), paid=Decimal('{}'), \
             held=Decimal('{}'))",
            t.entries,
            t.principal.to_string_2dp(),
            t.interest.to_string_2dp(),
            t.paid.to_string_2dp(),
            t.held.to_string_2dp()
        )
    }
}

fn numbers<'py>(py: Python<'py>, v: &[EntryNumber]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, v.iter().copied().map(PyEntryNumber))
}

/// One consolidated refund: a recipient, a (projected) liquidation date, the entries paid together.
#[pyclass(module = "cape", name = "Refund", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyRefund(ConsolidatedRefund);

#[pymethods]
impl PyRefund {
    #[getter]
    fn recipient(&self) -> &str {
        &self.0.recipient
    }
    #[getter]
    fn liquidation_date(&self) -> NaiveDate {
        self.0.liquidation_date
    }
    #[getter]
    fn held(&self) -> bool {
        self.0.held
    }
    #[getter]
    fn principal(&self) -> Decimal {
        money_out(self.0.principal)
    }
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    #[getter]
    fn total(&self) -> Decimal {
        money_out(self.0.total)
    }
    #[getter]
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.entries)
    }
    #[getter]
    fn interest_unknown<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.interest_unknown)
    }
    #[getter]
    fn waived<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.waived)
    }
    #[getter]
    fn waived_principal(&self) -> Decimal {
        money_out(self.0.waived_principal)
    }
    #[getter]
    fn waived_interest(&self) -> Decimal {
        money_out(self.0.waived_interest)
    }
    fn __repr__(&self) -> String {
        format!(
            "<Refund {} {} total={} entries={}{}>",
            self.0.recipient,
            self.0.liquidation_date,
            self.0.total.to_string_2dp(),
            self.0.entries.len(),
            if self.0.held { " held" } else { "" }
        )
    }
}
