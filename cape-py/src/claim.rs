//! `cape.interest`, `cape.check_declaration`, `cape.read_results` and their frozen results.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyTuple};
use rust_decimal::Decimal;

use cape_core::assess::AssessOptions;
use cape_core::claim::results::declared_in_dir;
use cape_core::claim::{
    preflight_bytes, preflight_path, read_results_bytes_with, read_results_path_with, reconcile, PreflightOptions,
    PreflightReport, ResultsOptions,
};
use cape_core::liquidation::calendar::{parse_closures, read_closures_path};
use cape_core::refund::{AssumedRate, InterestOptions, InterestPeriod, InterestResult};
use cape_core::run;
use cape_core::EntryNumber;

use crate::assess::{embedded_tables, PyTables};
use crate::convert::{class_arg, json_to_py, money_arg, money_out, to_py};
use crate::entry_number::PyEntryNumber;
use crate::errors::call;
use crate::pickle::{from_bytes, reduce, to_bytes, Reduced};

/// Interest under 19 USC 1505 (daily compounding) on ``principal`` from the deposit date ``start``
/// (excluded) to the (re)liquidation date ``end`` (included). Raises ``TypeError`` for a float or bool
/// principal, :class:`MoneyError` for NaN/infinite/negative ones, :class:`CapeError` for days past the
/// rate table unless ``assume_last_rate``.
#[pyfunction]
#[pyo3(signature = (principal, start, end, importer_class = "corporate", *, assume_last_rate = false, tables = None))]
pub(crate) fn interest(
    principal: &Bound<'_, PyAny>,
    start: NaiveDate,
    end: NaiveDate,
    importer_class: &str,
    assume_last_rate: bool,
    tables: Option<PyRef<'_, PyTables>>,
) -> PyResult<PyInterest> {
    let principal = money_arg("principal", principal)?;
    let class = class_arg(importer_class)?;
    let t = match tables {
        Some(t) => Arc::clone(&t.0),
        None => embedded_tables()?,
    };
    let params = {
        let mut o = InterestOptions::default();
        o.assumed_rate = assume_last_rate.then(|| AssumedRate::continue_last(&t.rates));
        o
    };
    let r = call(|| cape_core::compute_interest(principal, start, end, class, &t.rates, &params))?;
    Ok(PyInterest(r))
}

/// Interest on one deposit, with the rate periods that explain it.
#[pyclass(module = "cape", name = "Interest", frozen)]
pub(crate) struct PyInterest(InterestResult);

#[pymethods]
impl PyInterest {
    /// The interest, rounded once to cents.
    #[getter]
    fn amount(&self) -> Decimal {
        money_out(self.0.interest)
    }
    /// The principal the interest is on.
    #[getter]
    fn principal(&self) -> Decimal {
        money_out(self.0.principal)
    }
    /// The deposit date: interest runs from the day after.
    #[getter]
    fn start(&self) -> NaiveDate {
        self.0.start
    }
    /// The (re)liquidation date: the last day of interest.
    #[getter]
    fn end(&self) -> NaiveDate {
        self.0.end
    }
    /// ``corporate`` or ``noncorporate``: which rate applies.
    #[getter]
    fn importer_class(&self) -> &'static str {
        self.0.class.name()
    }
    /// The days of interest (``end - start``).
    #[getter]
    fn days(&self) -> u32 {
        self.0.days
    }
    /// True when some day had no published rate and the last one was assumed (``assume_last_rate``).
    #[getter]
    fn used_assumed_rate(&self) -> bool {
        self.0.used_assumed_rate
    }
    /// The rate periods, in date order; their interest adds up to :attr:`amount`.
    #[getter]
    fn periods<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.periods.iter().cloned().map(PyInterestPeriod))
    }
    /// Pickles exactly: ``(_unpickle, ("Interest", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Interest", to_bytes("Interest", &self.0))
    }
    fn __repr__(&self) -> String {
        format!(
            "<Interest {} on {} from {} to {} ({}, {} days)>",
            self.0.interest.to_string_2dp(),
            self.0.principal.to_string_2dp(),
            self.0.start,
            self.0.end,
            self.0.class.name(),
            self.0.days
        )
    }
}

/// One rate period (first and last counted day inclusive); the periods' interest adds up to the total.
#[pyclass(module = "cape", name = "InterestPeriod", frozen)]
pub(crate) struct PyInterestPeriod(InterestPeriod);

#[pymethods]
impl PyInterestPeriod {
    /// The first counted day (inclusive).
    #[getter]
    fn first_day(&self) -> NaiveDate {
        self.0.from
    }
    /// The last counted day (inclusive).
    #[getter]
    fn last_day(&self) -> NaiveDate {
        self.0.to
    }
    /// The counted days: ``last_day - first_day + 1``.
    #[getter]
    fn days(&self) -> u32 {
        self.0.days
    }
    /// The annual rate, in percent.
    #[getter]
    fn annual_rate_percent(&self) -> Decimal {
        self.0.annual_rate_percent
    }
    /// The divisor of the annual rate: 365 or 366.
    #[getter]
    fn days_in_year(&self) -> u32 {
        self.0.days_in_year
    }
    /// The interest earned in the period (the periods are made to add up to the total).
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    /// True when the rate is the assumed last rate, not a published one.
    #[getter]
    fn assumed(&self) -> bool {
        self.0.assumed
    }
    /// Pickles exactly: ``(_unpickle, ("InterestPeriod", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "InterestPeriod", to_bytes("InterestPeriod", &self.0))
    }
    fn __repr__(&self) -> String {
        format!(
            "<InterestPeriod {}..{} {} days at {}%/{} interest {}>",
            self.0.from,
            self.0.to,
            self.0.days,
            self.0.annual_rate_percent,
            self.0.days_in_year,
            self.0.interest.to_string_2dp()
        )
    }
}

enum Source {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// A path or the bytes of a file, for the parameter `keyword`.
fn source_arg(keyword: &'static str, source: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok(b) = source.cast::<PyBytes>() {
        Ok(Source::Bytes(b.as_bytes().to_vec()))
    } else if let Ok(b) = source.cast::<PyByteArray>() {
        Ok(Source::Bytes(b.to_vec()))
    } else {
        crate::args::path_arg(keyword, source, crate::args::SOURCE_TYPES).map(Source::Path)
    }
}

/// Pre-flights a CAPE declaration file as CAPE will; with ``es003`` (and ``as_of``), also checks each
/// listed entry's status. Findings are data; ``exit_code`` is that of ``cape check``.
#[pyfunction]
#[pyo3(signature = (source, *, es003 = None, as_of = None, rules = "auto", tables = None))]
pub(crate) fn check_declaration(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    es003: Option<&Bound<'_, PyAny>>,
    as_of: Option<NaiveDate>,
    rules: &str,
    tables: Option<PyRef<'_, PyTables>>,
) -> PyResult<PyDeclarationCheck> {
    let src = source_arg("source", source)?;
    let es = es003.map(|e| source_arg("es003", e)).transpose()?;
    if es.is_some() && as_of.is_none() {
        return Err(PyValueError::new_err("check_declaration: es003 needs as_of"));
    }
    let t = match tables {
        Some(t) => Arc::clone(&t.0),
        None => embedded_tables()?,
    };
    let report = py.detach(|| {
        call(|| {
            let opts = PreflightOptions::default();
            let mut report = match &src {
                Source::Path(p) => preflight_path(p, &opts)?,
                Source::Bytes(b) => preflight_bytes(b, &opts),
            };
            if let (Some(es), Some(as_of)) = (es, as_of) {
                let es = match es {
                    Source::Path(p) => run::Source::Path(p),
                    Source::Bytes(b) => run::Source::Bytes(b),
                };
                let mut options = AssessOptions::new(as_of);
                options.rules = rules.into();
                run::preflight_against(&mut report, es, &t, options, &run::RunOptions::new())?;
            }
            Ok(report)
        })
    })?;
    PyDeclarationCheck::new(py, report)
}

/// The pre-flight of a declaration file.
#[pyclass(module = "cape", name = "DeclarationCheck", frozen)]
pub(crate) struct PyDeclarationCheck {
    report: PreflightReport,
    data: Py<PyAny>,
}

impl PyDeclarationCheck {
    fn new(py: Python<'_>, report: PreflightReport) -> PyResult<Self> {
        let data = to_py(py, &report)?;
        Ok(PyDeclarationCheck { report, data })
    }

    fn field<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item(key)
    }
}

#[pymethods]
impl PyDeclarationCheck {
    /// The name of the declaration file checked (``<buffer>`` for bytes).
    #[getter]
    fn source(&self) -> &str {
        &self.report.source
    }
    /// ``accept``, ``reject_file`` or ``reject_entries``.
    #[getter]
    fn verdict(&self) -> &'static str {
        self.report.verdict.name()
    }
    /// 0 accepted, 1 whole file rejected, 2 some entries rejected.
    #[getter]
    fn exit_code(&self) -> i32 {
        self.report.verdict.exit_code()
    }
    /// Data rows read (the header excluded).
    #[getter]
    fn rows_read(&self) -> u64 {
        self.report.rows_read
    }
    /// The entries the file lists, in file order.
    #[getter]
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.report.entries.iter().map(|e| PyEntryNumber(e.entry_number)))
    }
    /// Each finding: ``code``, ``level``, ``row``, ``value``, ``message``, ``cape_message``.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.field(py, "findings")
    }
    /// Per listed entry checked against the ES-003 data.
    #[getter]
    fn entry_verdicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.field(py, "entry_verdicts")
    }
    /// The whole report as plain data (``cape check --format json``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.data.bind(py).cast::<PyDict>()?.copy()
    }
    /// Pickles exactly: ``(_unpickle, ("DeclarationCheck", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "DeclarationCheck", to_bytes("DeclarationCheck", &self.report))
    }
    fn __repr__(&self) -> String {
        format!(
            "<DeclarationCheck {} {} rows={} findings={}>",
            self.report.source,
            self.report.verdict.name(),
            self.report.rows_read,
            self.report.findings.len()
        )
    }
}

/// Reads ACE's claim-details file (CSV or XLSX); with ``declared_dir``, reconciles it with the declarations
/// there. Broker workbooks' headers (``Entry Summary Number``, ``Cape Claim Number``, ...) are read as the
/// documented alternates; ``columns`` maps a result column (``ENTRY_NUMBER``, ``CLAIM_NUMBER``, ``STATUS``,
/// ``ERROR_DESCRIPTION``) to the header of the file's column that holds it (then only that header is tried).
/// ``sheet`` names the workbook sheet (default: the first non-empty one); ``max_rows`` overrides the row cap
/// (1,000,000). Raises :class:`MissingColumnError` when a column is not found, :class:`InvalidValueError` for
/// a ``columns`` key that is not a result column, :class:`FormatError` for an unreadable file or a missing
/// sheet.
#[pyfunction]
#[pyo3(signature = (source, *, declared_dir = None, columns = None, sheet = None, max_rows = None))]
pub(crate) fn read_results(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = crate::args::declared_dir)] declared_dir: Option<PathBuf>,
    columns: Option<BTreeMap<String, String>>,
    sheet: Option<String>,
    #[pyo3(from_py_with = crate::args::max_rows)] max_rows: Option<usize>,
) -> PyResult<PyResults> {
    let src = source_arg("source", source)?;
    let mut options = ResultsOptions::default();
    options.columns = columns.unwrap_or_default();
    options.sheet = sheet;
    if let Some(n) = max_rows {
        options.max_rows = n;
    }
    let (res, rec) = py.detach(|| {
        call(|| {
            let res = match &src {
                Source::Path(p) => read_results_path_with(p, &options)?,
                Source::Bytes(b) => read_results_bytes_with(b, None, &options)?,
            };
            let rec = match &declared_dir {
                Some(dir) => {
                    let (declared, _) = declared_in_dir(dir)?;
                    Some(reconcile(&res, declared.iter()))
                }
                None => None,
            };
            Ok((res, rec))
        })
    })?;
    let value =
        |v: serde_json::Result<serde_json::Value>| v.map_err(|e| crate::errors::CapeError::new_err(e.to_string()));
    let accepted = res
        .rows
        .iter()
        .filter(|r| matches!(r.status, cape_core::claim::results::ResultStatus::EntrySummaryUpdated))
        .filter_map(|r| r.entry_number)
        .collect();
    let wire: ResultsWire = (
        res.source,
        value(serde_json::to_value(&res.rows))?,
        value(serde_json::to_value(&res.problems))?,
        value(serde_json::to_value(&res.summary))?,
        value(serde_json::to_value(&rec))?,
        accepted,
    );
    PyResults::new(py, wire)
}

/// A results file as Python sees it: the source, rows, problems, summary and reconciliation as cape's JSON
/// output writes them, and the accepted entries; its serialised form is its pickle.
type ResultsWire =
    (String, serde_json::Value, serde_json::Value, serde_json::Value, serde_json::Value, Vec<EntryNumber>);

/// CAPE's answer to declarations: per row the claim number, status and error (with meaning and remedy).
#[pyclass(module = "cape", name = "Results", frozen)]
pub(crate) struct PyResults {
    data: Py<PyAny>,
    accepted: Vec<EntryNumber>,
    /// The serialised form of what `data` was made from (for pickling).
    wire: Vec<u8>,
}

impl PyResults {
    fn new(py: Python<'_>, wire: ResultsWire) -> PyResult<Self> {
        let bytes = call(|| to_bytes("Results", &wire))?;
        let (source, rows, problems, summary, reconciliation, accepted) = wire;
        let d = PyDict::new(py);
        d.set_item("source", source)?;
        d.set_item("rows", json_to_py(py, &rows)?)?;
        d.set_item("problems", json_to_py(py, &problems)?)?;
        d.set_item("summary", json_to_py(py, &summary)?)?;
        d.set_item("reconciliation", json_to_py(py, &reconciliation)?)?;
        Ok(PyResults { data: d.into_any().unbind(), accepted, wire: bytes })
    }
}

#[pymethods]
impl PyResults {
    /// The results file's name (``<buffer>`` for bytes).
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item("source")
    }
    /// Each row as a dict: ``row``, ``entry_number``, ``entry_text``, ``claim_number``, ``status``, ``error``.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item("rows")
    }
    /// Rows cape could not read (an entry number that does not parse, an over-long record), as dicts.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item("problems")
    }
    /// The counts, as a dict: rows, ``updated``, ``failed``, errors by kind, unknown error texts.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item("summary")
    }
    /// With ``declared_dir``: declared entries without a result, results for entries never declared,
    /// entries repeated; ``None`` otherwise.
    #[getter]
    fn reconciliation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).get_item("reconciliation")
    }
    /// Entries CAPE accepted (status ``Entry Summary Updated``): pass to ``assess(already_accepted=...)``.
    #[getter]
    fn accepted<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.accepted.iter().copied().map(PyEntryNumber))
    }
    /// The whole report as plain data: ``source``, ``rows``, ``problems``, ``summary``, ``reconciliation``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.data.bind(py).cast::<PyDict>()?.copy()
    }
    /// Pickles exactly: ``(_unpickle, ("Results", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Results", Ok(self.wire.clone()))
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let src = self.source(py).map(|s| s.to_string()).unwrap_or_default();
        format!("<Results {src} accepted={}>", self.accepted.len())
    }
}

/// Rebuilds the classes of this module that `__reduce__` pickled (see [`crate::pickle`]); `None` for other
/// names.
pub(crate) fn unpickle(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(match name {
        "Interest" => Py::new(py, PyInterest(from_bytes(name, data)?))?.into_any(),
        "InterestPeriod" => Py::new(py, PyInterestPeriod(from_bytes(name, data)?))?.into_any(),
        "Results" => Py::new(py, PyResults::new(py, from_bytes(name, data)?)?)?.into_any(),
        "DeclarationCheck" => Py::new(py, PyDeclarationCheck::new(py, from_bytes(name, data)?)?)?.into_any(),
        _ => return Ok(None),
    }))
}

/// Reads a file of extra federal closures (one ``YYYY-MM-DD`` date a line; blank lines and ``#`` comments
/// ignored), for the ``closures=`` of :func:`cape.assess` and its family. Raises :class:`FormatError` for a
/// line that is not a date, :class:`CapeIOError` for an unreadable file.
#[pyfunction]
pub(crate) fn read_closures(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Vec<NaiveDate>> {
    let src = source_arg("source", source)?;
    Ok(py.detach(|| {
        call(|| match &src {
            Source::Path(p) => read_closures_path(p),
            Source::Bytes(b) => parse_closures(b, "<bytes>"),
        })
    })?)
}
