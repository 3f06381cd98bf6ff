//! `cape.interest`, `cape.check_declaration`, `cape.read_results` and their frozen results.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyModule, PyTuple};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use cape_core::assess::{AssessOptions, EntryAssessment};
use cape_core::claim::results::declared_in_dir;
use cape_core::claim::{
    preflight_bytes, preflight_path, read_results_bytes_with, read_results_path_with, reconcile, CapeError,
    CapeErrorKind, CapeResults, ClaimAssessment, EntryOutcome, EntryVerdict, PreflightFinding, PreflightOptions,
    PreflightReport, Reconciliation, ResultRow, ResultStatus, ResultsOptions, ResultsProblem,
};
use cape_core::liquidation::calendar::{parse_closures, read_closures_path};
use cape_core::refund::{InterestOptions, InterestPeriod, InterestResult};
use cape_core::report::csv;
use cape_core::run;
use cape_core::EntryNumber;
use cape_core::ErrorKind;

use crate::assess::{embedded_tables, PyTables};
use crate::convert::{class_arg, json_to_py, money_arg, money_out, to_py};
use crate::entry_number::PyEntryNumber;
use crate::errors::{call, Failure};
use crate::pickle::{from_bytes, reduce, to_bytes, Reduced};

/// Interest under 19 USC 1505 (daily compounding) on ``principal`` from the deposit date ``start``
/// (excluded) to the (re)liquidation date ``end`` (included). Raises ``TypeError`` for a float or bool
/// principal, :class:`MoneyError` for NaN/infinite/negative ones, :class:`CapeError` for days past the
/// rate table unless ``assume_last_rate``.
#[pyfunction]
#[pyo3(signature = (principal, start, end, importer_class = None, *, assume_last_rate = false, assume_rate = None,
    tables = None))]
pub(crate) fn interest(
    principal: &Bound<'_, PyAny>,
    start: NaiveDate,
    end: NaiveDate,
    importer_class: Option<&str>,
    assume_last_rate: bool,
    assume_rate: Option<&Bound<'_, PyAny>>,
    tables: Option<PyRef<'_, PyTables>>,
) -> PyResult<PyInterest> {
    let principal = money_arg("principal", principal)?;
    let class = importer_class.map(class_arg).transpose()?.unwrap_or(cape_core::model::ImporterClass::DEFAULT);
    let t = match tables {
        Some(t) => Arc::clone(&t.0),
        None => embedded_tables()?,
    };
    let params = {
        let mut o = InterestOptions::default();
        o.assumed_rate = crate::assess::assumed_rate(assume_rate, assume_last_rate, &t)?;
        o
    };
    let r = call(|| cape_core::compute_interest(principal, start, end, class, &t.rates, &params))?;
    Ok(PyInterest(r))
}

/// Interest on one deposit, with the rate periods that explain it.
#[pyclass(module = "cape", name = "Interest", frozen, eq, hash)]
pub(crate) struct PyInterest(InterestResult);
crate::pickle::by_value!(PyInterest, |s| &s.0);

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
#[pyclass(module = "cape", name = "InterestPeriod", frozen, eq, hash)]
pub(crate) struct PyInterestPeriod(InterestPeriod);
crate::pickle::by_value!(PyInterestPeriod, |s| &s.0);

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

/// `InvalidValueError` naming the parameter `what`.
fn invalid(what: &'static str, input: String, reason: &str) -> PyErr {
    Failure::Core(cape_core::Error::Value { kind: ErrorKind::InvalidValue, what, input, reason: reason.to_owned() })
        .into()
}

/// Pre-flights a declaration file as CAPE will; with `es003` (and `as_of`), also checks each listed entry's
/// status in that report as of `as_of`; with `report` (an `AssessedReport` or a `Partial` that kept its
/// entries), checks them against that assessment instead of reading and assessing an ES-003 again.
#[pyfunction]
#[pyo3(signature = (source, *, es003 = None, report = None, as_of = None, rules = None, tables = None))]
pub(crate) fn check_declaration(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    es003: Option<&Bound<'_, PyAny>>,
    report: Option<&Bound<'_, PyAny>>,
    as_of: Option<NaiveDate>,
    rules: Option<&str>,
    tables: Option<PyRef<'_, PyTables>>,
) -> PyResult<PyDeclarationCheck> {
    let src = source_arg("source", source)?;
    let es = es003.map(|e| source_arg("es003", e)).transpose()?;
    let assessed = report.map(assessed_entries).transpose()?;
    if es.is_some() && assessed.is_some() {
        return Err(invalid("report", "report and es003".into(), "give es003 (with as_of) or report, not both"));
    }
    if let (Some((_, report_as_of)), Some(day)) = (&assessed, as_of) {
        if *report_as_of != day {
            return Err(invalid(
                "as_of",
                day.to_string(),
                &format!("the report was assessed as of {report_as_of}; leave as_of out or give that day"),
            ));
        }
    }
    if es.is_some() && as_of.is_none() {
        return Err(invalid("as_of", String::new(), "check_declaration(es003=...) needs as_of, the day to assess on"));
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
                if let Some(rules) = rules {
                    options.rules = rules.into();
                }
                run::preflight_against(&mut report, es, &t, options, &run::RunOptions::new())?;
            }
            if let Some((entries, _)) = &assessed {
                let claims: HashMap<EntryNumber, &ClaimAssessment> =
                    entries.iter().map(|a| (a.entry_number(), &a.claim)).collect();
                report.check_entries(|n| claims.get(n).copied());
            }
            Ok(report)
        })
    })?;
    Ok(PyDeclarationCheck::new(report))
}

/// The entries and as-of date of an `AssessedReport` or `Partial`.
fn assessed_entries(obj: &Bound<'_, PyAny>) -> PyResult<(Arc<Vec<EntryAssessment>>, NaiveDate)> {
    let (entries, as_of) = crate::assess::assessed_entries(obj).ok_or_else(|| {
        let t = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("report: expected an AssessedReport or a Partial, not {t}"))
    })?;
    // A Partial made with keep_entries=False has totals but no entries: every listed entry would read as
    // NOT_IN_DATA.
    let assessed: u64 = obj.getattr("totals")?.getattr("entries")?.extract()?;
    if entries.is_empty() && assessed > 0 {
        return Err(invalid(
            "report",
            format!("a Partial of {assessed} entries that kept none"),
            "assess with keep_entries=True (the default) to check a declaration against it",
        ));
    }
    Ok((entries, as_of))
}

/// The pre-flight of a declaration file: the verdict, and every finding with its row (data, not exceptions).
#[pyclass(module = "cape", name = "DeclarationCheck", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyDeclarationCheck {
    report: PreflightReport,
}

impl PyDeclarationCheck {
    fn new(report: PreflightReport) -> Self {
        PyDeclarationCheck { report }
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
    /// Every finding (`CheckFinding`), in row order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.report.findings.iter().cloned().map(PyCheckFinding))
    }
    /// Per listed entry checked against assessed data (`EntryVerdict`); empty without `es003` or `report`.
    #[getter]
    fn entry_verdicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.report.entry_verdicts.iter().cloned().map(PyEntryVerdict))
    }
    /// The check as `cape check --format json` writes it, but with each finding's CAPE wording under
    /// `cbp_message` (the package's one name for it).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut value = serde_json::to_value(&self.report)
            .map_err(|e| crate::errors::CapeError::new_err(format!("DeclarationCheck.to_dict: {e}")))?;
        if let Some(findings) = value.get_mut("findings").and_then(|f| f.as_array_mut()) {
            for f in findings.iter_mut().filter_map(|f| f.as_object_mut()) {
                if let Some(m) = f.remove("cape_message") {
                    f.insert("cbp_message".into(), m);
                }
            }
        }
        Ok(json_to_py(py, &value)?.into_bound(py).cast_into::<PyDict>()?)
    }
    /// The findings as a pandas DataFrame, one row per finding (the columns of `to_csv`).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("check_frame", (slf,))
    }
    /// The findings as a polars DataFrame (the columns of `to_pandas`).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("check_polars", (slf,))
    }
    /// Writes the findings to `path` as `cape check --format csv` writes them (atomically).
    fn to_csv(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let report = &self.report;
        py.detach(|| call(|| csv::write_file(&path, |w| csv::write_check(w, report))))?;
        Ok(())
    }
    /// A compact HTML table of the verdict and findings (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("cape._html")?.call_method1("check_html", (slf,))
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

fn frames(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("cape._frames")
}

/// One finding of a declaration check: its code, how far it reaches (`file`, `entry`, `warning`), the row
/// (`None` for the whole file), the value concerned, cape's message and CBP's wording where known.
#[pyclass(module = "cape", name = "CheckFinding", frozen, eq, hash)]
pub(crate) struct PyCheckFinding(PreflightFinding);
crate::pickle::by_value!(PyCheckFinding, |s| &s.0);

#[pymethods]
impl PyCheckFinding {
    /// The finding's code (a ``preflight`` code of ``docs/codes.md``, e.g. ``EMPTY_FILE``).
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    /// `file` (CAPE would reject the whole file), `entry` (the entry only) or `warning`.
    #[getter]
    fn level(&self) -> &'static str {
        csv::level_name(self.0.level)
    }
    /// The 1-based row (the header is row 1); `None` for the whole file.
    #[getter]
    fn row(&self) -> Option<u64> {
        self.0.row
    }
    /// The value concerned, as written in the file; ``None`` when the finding is about no one value.
    #[getter]
    fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
    /// cape's message: what is wrong and where.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// CAPE's wording of the rejection, where known.
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cape_message
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "CheckFinding", to_bytes("CheckFinding", &self.0))
    }
    fn __repr__(&self) -> String {
        let row = self.0.row.map(|r| format!("row {r}")).unwrap_or_else(|| "file".into());
        format!("<CheckFinding {} {}: {}>", row, self.0.code.as_str(), self.0.message)
    }
}

/// The verdict on one listed entry from assessed data: the outcome (`accept`, `accept_deferred`, `reject`,
/// `review`, `not_in_data`), its claim status, the codes of its reasons and CBP's message.
#[pyclass(module = "cape", name = "EntryVerdict", frozen, eq, hash)]
pub(crate) struct PyEntryVerdict(EntryVerdict);
crate::pickle::by_value!(PyEntryVerdict, |s| &s.0);

#[pymethods]
impl PyEntryVerdict {
    /// The 1-based row of the declaration file.
    #[getter]
    fn row(&self) -> u64 {
        self.0.row
    }
    /// The listed entry.
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.entry_number)
    }
    /// What CAPE is expected to do: ``accept``, ``accept_deferred``, ``reject``, ``review`` or ``not_in_data``.
    #[getter]
    fn outcome(&self) -> &'static str {
        outcome_name(self.0.outcome)
    }
    /// The entry's claim status; `None` when it is not in the data.
    #[getter]
    fn status(&self) -> Option<&'static str> {
        self.0.status.map(|s| s.name())
    }
    /// The codes of the reasons that are not notes.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.reasons.iter().map(|r| r.as_str()))
    }
    /// CBP's message for a rejection, where known; ``None`` otherwise.
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cbp_message
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "EntryVerdict", to_bytes("EntryVerdict", &self.0))
    }
    fn __repr__(&self) -> String {
        format!("<EntryVerdict row {} {} {}>", self.0.row, self.0.entry_number, outcome_name(self.0.outcome))
    }
}

fn outcome_name(o: EntryOutcome) -> &'static str {
    match o {
        EntryOutcome::Accept => "accept",
        EntryOutcome::AcceptDeferred => "accept_deferred",
        EntryOutcome::Reject => "reject",
        EntryOutcome::Review => "review",
        EntryOutcome::NotInData => "not_in_data",
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
    PyResults::new(res, rec.as_ref())
}

/// A results row in its serialised form (the core's `ResultRow` has no `Deserialize`: its status and error
/// serialise as names and derived texts). The error is kept as its kind's name and its text.
#[derive(Serialize, Deserialize)]
struct RowWire {
    row: u64,
    entry_number: Option<EntryNumber>,
    entry_text: String,
    claim_number: Option<String>,
    /// 0 `Entry Summary Updated`, 1 `Failed`, 2 another status (`other`).
    status: u8,
    other: String,
    error: Option<(String, String)>,
}

impl RowWire {
    fn of(r: &ResultRow) -> Self {
        let (status, other) = match &r.status {
            ResultStatus::EntrySummaryUpdated => (0, String::new()),
            ResultStatus::Failed => (1, String::new()),
            ResultStatus::Other(s) => (2, s.clone()),
        };
        RowWire {
            row: r.row,
            entry_number: r.entry_number,
            entry_text: r.entry_text.clone(),
            claim_number: r.claim_number.clone(),
            status,
            other,
            error: r.error.as_ref().map(|e| (e.kind.name().to_owned(), e.text.clone())),
        }
    }

    fn into_row(self) -> ResultRow {
        let status = match self.status {
            0 => ResultStatus::EntrySummaryUpdated,
            1 => ResultStatus::Failed,
            _ => ResultStatus::Other(self.other),
        };
        let error = self.error.map(|(kind, text)| CapeError {
            kind: CapeErrorKind::KNOWN.iter().copied().find(|k| k.name() == kind).unwrap_or(CapeErrorKind::Unknown),
            text,
        });
        ResultRow {
            row: self.row,
            entry_number: self.entry_number,
            entry_text: self.entry_text,
            claim_number: self.claim_number,
            status,
            error,
        }
    }
}

/// A results file as Python sees it, in its serialised form (its pickle): the source, the rows, the problems
/// (row, value, message), the summary and reconciliation as cape's JSON output writes them.
type ResultsWire = (String, Vec<RowWire>, Vec<(u64, String, String)>, serde_json::Value, serde_json::Value);

/// CAPE's answer to declarations: per row the claim number, status and error (with meaning and remedy).
#[pyclass(module = "cape", name = "Results", frozen)]
pub(crate) struct PyResults {
    source: String,
    rows: Arc<Vec<ResultRow>>,
    problems: Vec<ResultsProblem>,
    summary: serde_json::Value,
    reconciliation: serde_json::Value,
    accepted: Vec<EntryNumber>,
}

impl PyResults {
    fn new(res: CapeResults, rec: Option<&Reconciliation>) -> PyResult<Self> {
        let value = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| crate::errors::CapeError::new_err(format!("Results: {e}")))
        };
        let summary = value(serde_json::to_value(&res.summary))?;
        let reconciliation = value(serde_json::to_value(rec))?;
        Ok(Self::of_parts(res.source, res.rows, res.problems, summary, reconciliation))
    }

    fn of_parts(
        source: String,
        rows: Vec<ResultRow>,
        problems: Vec<ResultsProblem>,
        summary: serde_json::Value,
        reconciliation: serde_json::Value,
    ) -> Self {
        let accepted = rows
            .iter()
            .filter(|r| matches!(r.status, ResultStatus::EntrySummaryUpdated))
            .filter_map(|r| r.entry_number)
            .collect();
        PyResults { source, rows: Arc::new(rows), problems, summary, reconciliation, accepted }
    }

    fn wire(&self) -> ResultsWire {
        (
            self.source.clone(),
            self.rows.iter().map(RowWire::of).collect(),
            self.problems.iter().map(|p| (p.row, p.value.clone(), p.message.clone())).collect(),
            self.summary.clone(),
            self.reconciliation.clone(),
        )
    }

    fn of_wire(wire: ResultsWire) -> Self {
        let (source, rows, problems, summary, reconciliation) = wire;
        let rows = rows.into_iter().map(RowWire::into_row).collect();
        let problems =
            problems.into_iter().map(|(row, value, message)| ResultsProblem { row, value, message }).collect();
        Self::of_parts(source, rows, problems, summary, reconciliation)
    }

    fn rows_json(&self) -> PyResult<serde_json::Value> {
        serde_json::to_value(&*self.rows).map_err(|e| crate::errors::CapeError::new_err(format!("Results: {e}")))
    }
}

#[pymethods]
impl PyResults {
    /// The results file's name (``<buffer>`` for bytes).
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }
    /// Every row of the file (`ResultRow`), in file order.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, (0..self.rows.len()).map(|i| PyResultRow { all: Arc::clone(&self.rows), i }))
    }
    /// Rows cape could not use as they are (`ResultProblem`): an entry number that does not parse, an
    /// over-long row.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.problems.iter().cloned().map(PyResultProblem))
    }
    /// Counts as `cape results --format json` writes them: rows, updated, failed, other_status, errors_by_kind,
    /// unknown_errors, unknown_texts, retired_errors.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Py<PyAny>> {
        json_to_py(py, &self.summary)
    }
    /// With `declared_dir`: matched, declared_not_in_results, in_results_not_declared, repeated_in_results;
    /// otherwise `None`.
    #[getter]
    fn reconciliation<'py>(&self, py: Python<'py>) -> PyResult<Py<PyAny>> {
        json_to_py(py, &self.reconciliation)
    }
    /// Entries CAPE accepted (status ``Entry Summary Updated``): pass to ``assess(already_accepted=...)``.
    #[getter]
    fn accepted<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.accepted.iter().copied().map(PyEntryNumber))
    }
    /// The results as `cape results --format json` writes them: source, rows, problems, summary,
    /// reconciliation.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("source", &self.source)?;
        d.set_item("rows", json_to_py(py, &self.rows_json()?)?)?;
        d.set_item("problems", to_py(py, &self.problems)?)?;
        d.set_item("summary", json_to_py(py, &self.summary)?)?;
        d.set_item("reconciliation", json_to_py(py, &self.reconciliation)?)?;
        Ok(d)
    }
    /// The rows as a pandas DataFrame (the columns of `to_csv`).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("results_frame", (slf,))
    }
    /// The rows as a polars DataFrame (the columns of `to_pandas`).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("results_polars", (slf,))
    }
    /// Writes the rows to `path` as `cape results --format csv` writes them (atomically).
    fn to_csv(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let rows = Arc::clone(&self.rows);
        py.detach(|| call(|| csv::write_file(&path, |w| csv::write_results(w, rows.iter()))))?;
        Ok(())
    }
    /// A compact HTML table of the rows (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("cape._html")?.call_method1("results_html", (slf,))
    }
    /// Pickles exactly: ``(_unpickle, ("Results", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Results", to_bytes("Results", &self.wire()))
    }
    fn __repr__(&self) -> String {
        format!("<Results {} rows={} accepted={}>", self.source, self.rows.len(), self.accepted.len())
    }
}

/// One row of a results file: the entry (`None` when its number does not parse; `entry_text` is as written),
/// the claim number, the status (`entry_summary_updated`, `failed` or the text as written) and CAPE's error
/// classified: its kind, text, whether CBP retired it, what it means and what to do.
#[pyclass(module = "cape", name = "ResultRow", frozen, eq, hash)]
pub(crate) struct PyResultRow {
    all: Arc<Vec<ResultRow>>,
    i: usize,
}
crate::pickle::by_value!(PyResultRow, |s| &s.get().map(RowWire::of));

impl PyResultRow {
    fn get(&self) -> Option<&ResultRow> {
        self.all.get(self.i)
    }
    fn error(&self) -> Option<&CapeError> {
        self.get().and_then(|r| r.error.as_ref())
    }
}

#[pymethods]
impl PyResultRow {
    /// The 1-based row (the header is row 1).
    #[getter]
    fn row(&self) -> u64 {
        self.get().map_or(0, |r| r.row)
    }
    /// The entry; ``None`` when its number does not parse (``entry_text`` is as written).
    #[getter]
    fn entry_number(&self) -> Option<PyEntryNumber> {
        self.get().and_then(|r| r.entry_number).map(PyEntryNumber)
    }
    /// The entry number as written in the file.
    #[getter]
    fn entry_text(&self) -> &str {
        self.get().map_or("", |r| &r.entry_text)
    }
    /// CAPE's claim number; ``None`` when the row has none.
    #[getter]
    fn claim_number(&self) -> Option<&str> {
        self.get().and_then(|r| r.claim_number.as_deref())
    }
    /// ``entry_summary_updated``, ``failed``, or the status text as written for another.
    #[getter]
    fn status(&self) -> &str {
        self.get().map_or("", |r| r.status.name())
    }
    /// The error's kind (`unknown` for a text cape does not know); `None` without an error.
    #[getter]
    fn error_kind(&self) -> Option<&'static str> {
        self.error().map(|e| e.kind.name())
    }
    /// CAPE's error text as written; ``None`` without an error.
    #[getter]
    fn error_text(&self) -> Option<&str> {
        self.error().map(|e| e.text.as_str())
    }
    /// Whether CBP has retired this error text (CSMS 69056483); ``None`` without an error.
    #[getter]
    fn error_retired(&self) -> Option<bool> {
        self.error().map(|e| e.kind.retired())
    }
    /// What the error means; ``None`` without an error.
    #[getter]
    fn error_meaning(&self) -> Option<&'static str> {
        self.error().map(|e| e.kind.meaning())
    }
    /// What to do about it; ``None`` without an error.
    #[getter]
    fn error_remedy(&self) -> Option<&'static str> {
        self.error().map(|e| e.kind.remedy())
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let wire = self.get().map(RowWire::of);
        reduce(py, "ResultRow", to_bytes("ResultRow", &wire))
    }
    fn __repr__(&self) -> String {
        match self.get() {
            Some(r) => format!(
                "<ResultRow row {} {} {}{}>",
                r.row,
                r.entry_text,
                r.status.name(),
                r.error.as_ref().map(|e| format!(" {}", e.kind.name())).unwrap_or_default()
            ),
            None => "<ResultRow>".into(),
        }
    }
}

/// A row of a results file cape could not use as it is: the row, the raw value and what is wrong.
#[pyclass(module = "cape", name = "ResultProblem", frozen, eq, hash)]
pub(crate) struct PyResultProblem(ResultsProblem);
crate::pickle::by_value!(PyResultProblem, |s| &s.0);

#[pymethods]
impl PyResultProblem {
    /// The 1-based row (the header is row 1).
    #[getter]
    fn row(&self) -> u64 {
        self.0.row
    }
    /// The value as written.
    #[getter]
    fn value(&self) -> &str {
        &self.0.value
    }
    /// What is wrong with it.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "ResultProblem", to_bytes("ResultProblem", &(self.0.row, &self.0.value, &self.0.message)))
    }
    fn __repr__(&self) -> String {
        format!("<ResultProblem row {}: {}>", self.0.row, self.0.message)
    }
}

/// Rebuilds the classes of this module that `__reduce__` pickled (see [`crate::pickle`]); `None` for other
/// names.
pub(crate) fn unpickle(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(match name {
        "Interest" => Py::new(py, PyInterest(from_bytes(name, data)?))?.into_any(),
        "InterestPeriod" => Py::new(py, PyInterestPeriod(from_bytes(name, data)?))?.into_any(),
        "Results" => Py::new(py, PyResults::of_wire(from_bytes(name, data)?))?.into_any(),
        "DeclarationCheck" => Py::new(py, PyDeclarationCheck::new(from_bytes(name, data)?))?.into_any(),
        "CheckFinding" => Py::new(py, PyCheckFinding(from_bytes(name, data)?))?.into_any(),
        "EntryVerdict" => Py::new(py, PyEntryVerdict(from_bytes(name, data)?))?.into_any(),
        "ResultRow" => {
            let wire: Option<RowWire> = from_bytes(name, data)?;
            Py::new(py, PyResultRow { all: Arc::new(wire.map(RowWire::into_row).into_iter().collect()), i: 0 })?
                .into_any()
        }
        "ResultProblem" => {
            let (row, value, message): (u64, String, String) = from_bytes(name, data)?;
            Py::new(py, PyResultProblem(ResultsProblem { row, value, message }))?.into_any()
        }
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
