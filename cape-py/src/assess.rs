//! `cape.assess`, `cape.assess_partition` and their frozen results: `Tables`, `AssessedReport`,
//! `EntryAssessment`, `Finding`, `Reason`, `Removal`, `Totals`, `Refund`, `Partial`.
//!
//! The whole pipeline runs in cape-core, detached from the interpreter; this file converts arguments, drives
//! the core's reader and assessor, and converts the results back (money as `Decimal`, dates as `date`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyTuple};
use rust_decimal::Decimal;

use cape_core::assess::{consolidate_assessed, AssessOptions, AssessTotals, EntryAssessment, Tables};
use cape_core::claim::{build_declarations, write_declarations_with, DeclarationOptions, RuleSet, WriteOptions};
use cape_core::ingest::source::Spool;
use cape_core::ingest::spool::RecordSpool;
use cape_core::mass::{Catalogue, Finding, Removal};
use cape_core::refund::{ConsolidatedRefund, ConsolidationOptions, ConsolidationTotals, RateTable};
use cape_core::run::{self, AssessmentStream, Partial, Progress, ProgressFn, RunOptions, Source};
use cape_core::{Diagnostic, EntryNumber, Es003Options};

use crate::args;
use crate::convert::{accrual_arg, class_arg, money_arg, money_out, money_py};
use crate::entry_number::PyEntryNumber;
use crate::errors::{call, Failure};
use crate::es003::{PyDiagnostic, PyEntry, PySummary};
use crate::pickle::{by_value, from_bytes, reduce, to_bytes, Reduced};
use crate::plan::{plan_of, plan_options, PyPlan};

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

/// The reference data of an assessment: the Chapter 99 catalogue, the CAPE rule sets, the interest rate
/// table and the business-day calendar. ``Tables()`` is cape's embedded data; each part can be replaced (or,
/// for the catalogue and rules, extended) from files.
#[pyclass(module = "cape", name = "Tables", frozen)]
pub(crate) struct PyTables(pub(crate) Arc<Tables>);

#[pymethods]
impl PyTables {
    #[new]
    #[pyo3(signature = (*, catalogue = None, extra_catalogues = Vec::new(), rules = Vec::new(), rates = None))]
    fn new(
        #[pyo3(from_py_with = args::catalogue)] catalogue: Option<PathBuf>,
        #[pyo3(from_py_with = args::extra_catalogues)] extra_catalogues: Vec<PathBuf>,
        #[pyo3(from_py_with = args::rules)] rules: Vec<PathBuf>,
        #[pyo3(from_py_with = args::rates)] rates: Option<PathBuf>,
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

    /// cape's embedded tables (parsed once per process).
    #[staticmethod]
    fn embedded() -> PyResult<Self> {
        Ok(PyTables(embedded_tables()?))
    }

    /// The names of the rule sets (``phase1``, ``phase2`` and any added).
    #[getter]
    fn rule_sets(&self) -> Vec<String> {
        self.0.rules.all().iter().map(|r| r.name.clone()).collect()
    }

    /// The last day the rate table covers.
    #[getter]
    fn rates_last_day(&self) -> NaiveDate {
        self.0.rates.last_day()
    }

    fn __repr__(&self) -> String {
        format!("Tables(rule_sets={:?}, rates_last_day={})", self.rule_sets(), self.0.rates.last_day())
    }
}

/// Where ES-003 rows come from, as given from Python.
pub(crate) enum Input {
    Path(PathBuf),
    Bytes(Vec<u8>),
    /// A header and the columns of text cells (small tables given directly).
    Columns(Vec<String>, Vec<Vec<String>>),
    /// A data frame or Arrow table, converted batch by batch into a [`PyRecordSpool`].
    Spool(Arc<Spool>),
}

impl Input {
    fn from_py(source: Option<&Bound<'_, PyAny>>, records: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        match (source, records) {
            (None, Some(r)) => {
                if let Ok(spool) = r.cast::<PyRecordSpool>() {
                    return Ok(Input::Spool(spool.get().finished()?));
                }
                let (h, c): (Vec<String>, Vec<Vec<String>>) = r
                    .extract()
                    .map_err(|_| PyTypeError::new_err("records: a RecordSpool, or (header, columns) of text cells"))?;
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
                    Ok(Input::Path(args::path_arg("source", s, args::SOURCE_TYPES)?))
                }
            }
            _ => Err(PyTypeError::new_err("give exactly one of source and records")),
        }
    }

    fn into_source(self) -> Source {
        match self {
            Input::Path(p) => Source::Path(p),
            Input::Bytes(b) => Source::Bytes(b),
            Input::Columns(header, columns) => Source::Columns { header, columns },
            Input::Spool(s) => Source::Spool(s),
        }
    }
}

enum SpoolState {
    Writing(Box<RecordSpool>),
    Done(Arc<Spool>),
    Failed,
}

/// A table of text cells written a batch of columns at a time to a private temporary file, for
/// ``records=``: how a DataFrame or Arrow table reaches the reader in bounded memory.
#[pyclass(module = "cape", name = "RecordSpool", frozen)]
pub(crate) struct PyRecordSpool(Mutex<SpoolState>);

impl PyRecordSpool {
    /// The finished file (finishing it on first use).
    fn finished(&self) -> PyResult<Arc<Spool>> {
        let mut st = self.0.lock().map_err(|_| PyValueError::new_err("RecordSpool: poisoned"))?;
        match std::mem::replace(&mut *st, SpoolState::Failed) {
            SpoolState::Writing(w) => {
                let s = call(|| (*w).finish())?;
                *st = SpoolState::Done(Arc::clone(&s));
                Ok(s)
            }
            SpoolState::Done(s) => {
                *st = SpoolState::Done(Arc::clone(&s));
                Ok(s)
            }
            SpoolState::Failed => Err(PyValueError::new_err("RecordSpool: an earlier write failed")),
        }
    }
}

#[pymethods]
impl PyRecordSpool {
    #[new]
    #[pyo3(signature = (header, name = "<records>"))]
    fn new(header: Vec<String>, name: &str) -> PyResult<Self> {
        Ok(PyRecordSpool(Mutex::new(SpoolState::Writing(Box::new(call(|| RecordSpool::new(&header, name))?)))))
    }

    /// Writes a batch of rows given as one list of text cells per header column, all the same length.
    fn push_columns(&self, py: Python<'_>, columns: Vec<Vec<String>>) -> PyResult<()> {
        let mut st = self.0.lock().map_err(|_| PyValueError::new_err("RecordSpool: poisoned"))?;
        match &mut *st {
            SpoolState::Writing(w) => Ok(py.detach(|| call(|| w.push_columns(&columns)))?),
            _ => Err(PyValueError::new_err("RecordSpool: already read; write every batch before assessing")),
        }
    }

    /// Rows written so far.
    #[getter]
    fn rows(&self) -> PyResult<u64> {
        let st = self.0.lock().map_err(|_| PyValueError::new_err("RecordSpool: poisoned"))?;
        Ok(match &*st {
            SpoolState::Writing(w) => w.rows(),
            _ => 0,
        })
    }
}

/// The options of one run, as given from Python: what to assess and how to run.
pub(crate) struct Settings {
    pub(crate) tables: Arc<Tables>,
    pub(crate) options: AssessOptions,
    pub(crate) run: RunOptions,
    /// Where the progress callback leaves the Python error (a callback that raised, or Ctrl-C) that stopped
    /// the run.
    raised: Arc<Mutex<Option<PyErr>>>,
}

impl Settings {
    /// The error to raise for a failed run: the Python error that stopped it, if one did.
    pub(crate) fn failure(&self, e: Failure) -> Failure {
        match (e, self.raised.lock().ok().and_then(|mut r| r.take())) {
            (Failure::Core(e), Some(py)) if e.kind() == cape_core::ErrorKind::Cancelled => Failure::Python(py),
            (e, _) => e,
        }
    }
}

/// What the progress callback counts: `(done, total)` in bytes for a file or bytes (a percentage for a
/// progress bar such as tqdm), in rows for a table given as records.
#[derive(Clone, Copy)]
pub(crate) enum Total {
    /// The size of the file or buffer.
    Bytes(u64),
    /// The rows of a table, when the caller knows them.
    Rows(Option<u64>),
}

impl Total {
    /// `(done, total)` at progress `p`: bytes read (the reader's fraction of the size, the size itself at the
    /// end), or rows read.
    fn of(self, p: &Progress) -> (u64, Option<u64>) {
        match self {
            Total::Bytes(size) => {
                let done = if p.done {
                    size
                } else {
                    // The fraction is a ratio of byte counts; back to bytes, never past the size.
                    p.fraction.map_or(0, |f| ((f.clamp(0.0, 1.0) * size as f64).round() as u64).min(size))
                };
                (done, Some(size))
            }
            Total::Rows(total) => (p.rows_read, total),
        }
    }
}

impl Input {
    /// What the progress callback counts for this input (`total_rows` as the caller gave it, for records).
    pub(crate) fn total(&self, total_rows: Option<u64>) -> Total {
        match self {
            // A pipe or a path that cannot be read (the run reports it) has no size: rows, total unknown.
            Input::Path(p) => {
                std::fs::metadata(p).ok().filter(|m| m.is_file()).map_or(Total::Rows(None), |m| Total::Bytes(m.len()))
            }
            Input::Bytes(b) => Total::Bytes(b.len() as u64),
            Input::Columns(_, c) => Total::Rows(Some(c.first().map_or(0, |c| c.len() as u64))),
            Input::Spool(_) => Total::Rows(total_rows),
        }
    }
}

/// The spine's progress callback: re-attaches to the interpreter (about ten times a second) to check for
/// signals and call the user's callback with `(done, total)` ([`Total`]); a Python error stops the run and is
/// kept for raising.
fn progress_fn(progress: Option<Py<PyAny>>, total: Total, raised: Arc<Mutex<Option<PyErr>>>) -> ProgressFn {
    Arc::new(move |p: &Progress| {
        let r = Python::attach(|py| -> PyResult<()> {
            py.check_signals()?;
            if let Some(cb) = &progress {
                cb.call1(py, total.of(p))?;
            }
            Ok(())
        });
        match r {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                if let Ok(mut slot) = raised.lock() {
                    *slot = Some(e);
                }
                ControlFlow::Break(())
            }
        }
    })
}

/// The schedule and calendar options of a run (the command line's `--acceptance-lag`, `--liquidation-offset`,
/// `--reliquidation-window` and `--closures`): `None` keeps the core's default.
pub(crate) struct ScheduleArgs {
    pub(crate) acceptance_lag: Option<u32>,
    pub(crate) liquidation_offset: Option<u32>,
    pub(crate) reliquidation_window: Option<u32>,
    /// Extra federal closures, added to the tables' business-day calendar.
    pub(crate) closures: Option<Vec<NaiveDate>>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn settings(
    as_of: NaiveDate,
    rules: Option<&str>,
    tables: Option<&PyTables>,
    assume_last_rate: bool,
    importer_class: Option<&str>,
    class_overrides: Option<HashMap<String, String>>,
    named: CliNamed<'_, '_>,
    last_day_offset: Option<u32>,
    court_accrual: Option<&str>,
    schedule: ScheduleArgs,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    progress: Option<Py<PyAny>>,
    total: Total,
    threads: Option<usize>,
) -> PyResult<Settings> {
    let mut tables = tables_or_embedded(tables)?;
    if let Some(dates) = schedule.closures.filter(|d| !d.is_empty()) {
        // As `--closures` does: the dates join the tables' business-day calendar.
        let mut t = Tables::clone(&tables);
        t.calendar = t.calendar.clone().with_extra_closures(dates);
        tables = Arc::new(t);
    }
    let mut options = AssessOptions::new(as_of);
    if let Some(r) = rules {
        if r.ends_with(".json") {
            // As `--rules FILE.json` does: the file's rule set joins the tables and is the one applied.
            let set = call(|| RuleSet::from_path(r))?;
            let mut t = Tables::clone(&tables);
            options.rules = cape_core::claim::RuleChoice::Named(set.name.clone());
            t.rules.insert(set);
            tables = Arc::new(t);
        } else {
            options.rules = r.into();
        }
    }
    if let Some(n) = schedule.acceptance_lag {
        options.schedule.acceptance_lag_days = n;
    }
    if let Some(n) = schedule.liquidation_offset {
        options.schedule.unliquidated_liquidation_offset_days = n;
    }
    if let Some(n) = schedule.reliquidation_window {
        options.schedule.reliquidation_window_days = n;
    }
    options.interest.assumed_rate = assumed_rate(named.assume_rate, assume_last_rate, &tables)?;
    if let Some(c) = importer_class {
        options.default_class = class_arg(c)?;
    }
    for (k, v) in class_overrides.unwrap_or_default() {
        options.class_overrides.insert(k, class_arg(&v)?);
    }
    if let Some(n) = named.urgent_days()? {
        options = options.urgent_within(n);
    }
    options.claim.last_day_offset = last_day_offset;
    if let Some(a) = court_accrual {
        options.actions.court_accrual = accrual_arg(a)?;
    }
    let mut accepted = match &named.accepted {
        // As `--accepted CLAIMS.csv`: the entries CAPE accepted, from a claim-details file.
        Some(path) => call(|| Ok(cape_core::read_results_path(path)?.accepted_entries()))?,
        None => HashSet::new(),
    };
    for e in already_accepted.unwrap_or_default() {
        accepted.insert(entry_number_arg(&e)?);
    }
    options.already_accepted = accepted;
    let raised = Arc::new(Mutex::new(None));
    let mut run = RunOptions::new();
    run.es003 = {
        let mut o = Es003Options::default();
        o.source_name = source_name;
        o.sheet = sheet;
        o
    };
    run.threads = threads.unwrap_or(0);
    run.progress = Some(progress_fn(progress, total, Arc::clone(&raised)));
    Ok(Settings { tables, options, run, raised })
}

/// The keywords named after the command line's options (`--urgent-days`, `--assume-rate`, `--accepted`), and
/// the older `urgent_within_days`.
pub(crate) struct CliNamed<'a, 'py> {
    /// The name `urgent_days` had before it was named after `--urgent-days`; still accepted.
    pub(crate) urgent_within_days: Option<u32>,
    pub(crate) urgent_days: Option<u32>,
    pub(crate) assume_rate: Option<&'a Bound<'py, PyAny>>,
    pub(crate) accepted: Option<PathBuf>,
}

impl CliNamed<'_, '_> {
    /// `urgent_days`, or `urgent_within_days`; both only when they agree.
    fn urgent_days(&self) -> PyResult<Option<u32>> {
        match (self.urgent_days, self.urgent_within_days) {
            (Some(a), Some(b)) if a != b => Err(invalid(
                "urgent_days",
                &format!("{a} and urgent_within_days={b}"),
                "urgent_within_days is the older name of urgent_days: give one",
            )),
            (a, b) => Ok(a.or(b)),
        }
    }
}

/// An `InvalidValueError` about the argument `what`.
fn invalid(what: &'static str, input: &str, reason: &str) -> PyErr {
    Failure::Core(cape_core::Error::Value {
        kind: cape_core::ErrorKind::InvalidValue,
        what,
        input: input.to_owned(),
        reason: reason.into(),
    })
    .into()
}

/// The rate assumed for days past the rate table: `assume_rate` (a corporate percent, as `--assume-rate`:
/// `Decimal`, `int` or text such as `"7"`; non-corporate is one point more) or `assume_last_rate` (the last
/// quarter's rates continue), not both; `None` when neither is given.
pub(crate) fn assumed_rate(
    assume_rate: Option<&Bound<'_, PyAny>>,
    assume_last_rate: bool,
    tables: &Tables,
) -> PyResult<Option<cape_core::refund::AssumedRate>> {
    use cape_core::refund::AssumedRate;
    let Some(p) = assume_rate else {
        return Ok(assume_last_rate.then(|| AssumedRate::continue_last(&tables.rates)));
    };
    if p.is_instance_of::<pyo3::types::PyFloat>() || p.is_instance_of::<pyo3::types::PyBool>() {
        let t = p.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        return Err(PyTypeError::new_err(format!("assume_rate must be a decimal.Decimal, an int or text, not {t}")));
    }
    let text = p.str()?.to_string();
    if assume_last_rate {
        return Err(invalid("assume_rate", &text, "give assume_rate or assume_last_rate, not both"));
    }
    let percent = call(|| cape_core::values::money::parse_percent(&text, "assume_rate"))?;
    Ok(Some(AssumedRate::flat(percent, &tables.rates)))
}

/// An entry number given as `EntryNumber` or text.
pub(crate) fn entry_number_arg(obj: &Bound<'_, PyAny>) -> PyResult<EntryNumber> {
    if let Ok(n) = obj.cast::<PyEntryNumber>() {
        return Ok(n.get().0);
    }
    let text: String = obj.extract().map_err(|_| PyTypeError::new_err("an entry number must be EntryNumber or str"))?;
    Ok(call(|| EntryNumber::parse(&text))?)
}

/// Runs `f` over the spine detached from the interpreter; a run stopped by a Python error raises that error.
fn detached<T: Send>(py: Python<'_>, s: &Settings, f: impl FnOnce() -> cape_core::Result<T> + Send) -> PyResult<T> {
    Ok(py.detach(|| call(f)).map_err(|e| s.failure(e))?)
}

fn diagnostics_tuple(py: Python<'_>, d: Vec<Diagnostic>) -> PyResult<Py<PyTuple>> {
    Ok(crate::frames::diagnostics(py, d.into_iter().map(PyDiagnostic))?.unbind())
}

/// Assesses every entry of an ES-003 report (a path, bytes, or ``records=(header, columns)`` of text
/// cells) as of ``as_of``, without the GIL. Use :func:`cape.assess`, which also takes DataFrames.
#[pyfunction]
#[pyo3(signature = (source = None, *, as_of, records = None, rules = None, tables = None,
    assume_last_rate = false, importer_class = None, class_overrides = None, urgent_within_days = None,
    urgent_days = None, assume_rate = None, accepted = None, last_day_offset = None, court_accrual = None, acceptance_lag = None, liquidation_offset = None,
    reliquidation_window = None, closures = None, already_accepted = None, sheet = None, source_name = None,
    progress = None, total_rows = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assess(
    py: Python<'_>,
    source: Option<&Bound<'_, PyAny>>,
    as_of: NaiveDate,
    records: Option<&Bound<'_, PyAny>>,
    rules: Option<&str>,
    tables: Option<PyRef<'_, PyTables>>,
    assume_last_rate: bool,
    importer_class: Option<&str>,
    class_overrides: Option<HashMap<String, String>>,
    #[pyo3(from_py_with = args::urgent_within_days)] urgent_within_days: Option<u32>,
    #[pyo3(from_py_with = args::urgent_days)] urgent_days: Option<u32>,
    assume_rate: Option<&Bound<'_, PyAny>>,
    accepted: Option<PathBuf>,
    #[pyo3(from_py_with = args::last_day_offset)] last_day_offset: Option<u32>,
    court_accrual: Option<&str>,
    #[pyo3(from_py_with = args::acceptance_lag)] acceptance_lag: Option<u32>,
    #[pyo3(from_py_with = args::liquidation_offset)] liquidation_offset: Option<u32>,
    #[pyo3(from_py_with = args::reliquidation_window)] reliquidation_window: Option<u32>,
    closures: Option<Vec<NaiveDate>>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    progress: Option<Py<PyAny>>,
    #[pyo3(from_py_with = args::total_rows)] total_rows: Option<u64>,
    #[pyo3(from_py_with = args::threads)] threads: Option<usize>,
) -> PyResult<PyAssessedReport> {
    let input = Input::from_py(source, records)?;
    let s = settings(
        as_of,
        rules,
        tables.as_deref(),
        assume_last_rate,
        importer_class,
        class_overrides,
        CliNamed { urgent_within_days, urgent_days, assume_rate, accepted },
        last_day_offset,
        court_accrual,
        ScheduleArgs { acceptance_lag, liquidation_offset, reliquidation_window, closures },
        already_accepted,
        sheet,
        source_name,
        progress,
        input.total(total_rows),
        threads,
    )?;
    let p = detached(py, &s, || run::assess_all(input.into_source(), &s.tables, s.options.clone(), &s.run))?;
    PyAssessedReport::new(py, p)
}

/// Assesses one partition of a report into a mergeable :class:`Partial`. Use :func:`cape.assess_partition`.
#[pyfunction]
#[pyo3(signature = (source = None, *, as_of, records = None, rules = None, tables = None,
    assume_last_rate = false, importer_class = None, class_overrides = None, urgent_within_days = None,
    urgent_days = None, assume_rate = None, accepted = None, last_day_offset = None, court_accrual = None, acceptance_lag = None, liquidation_offset = None,
    reliquidation_window = None, closures = None, already_accepted = None, sheet = None, source_name = None,
    min_refund = None, keep_entries = true, progress = None, total_rows = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assess_partition(
    py: Python<'_>,
    source: Option<&Bound<'_, PyAny>>,
    as_of: NaiveDate,
    records: Option<&Bound<'_, PyAny>>,
    rules: Option<&str>,
    tables: Option<PyRef<'_, PyTables>>,
    assume_last_rate: bool,
    importer_class: Option<&str>,
    class_overrides: Option<HashMap<String, String>>,
    #[pyo3(from_py_with = args::urgent_within_days)] urgent_within_days: Option<u32>,
    #[pyo3(from_py_with = args::urgent_days)] urgent_days: Option<u32>,
    assume_rate: Option<&Bound<'_, PyAny>>,
    accepted: Option<PathBuf>,
    #[pyo3(from_py_with = args::last_day_offset)] last_day_offset: Option<u32>,
    court_accrual: Option<&str>,
    #[pyo3(from_py_with = args::acceptance_lag)] acceptance_lag: Option<u32>,
    #[pyo3(from_py_with = args::liquidation_offset)] liquidation_offset: Option<u32>,
    #[pyo3(from_py_with = args::reliquidation_window)] reliquidation_window: Option<u32>,
    closures: Option<Vec<NaiveDate>>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    min_refund: Option<&Bound<'_, PyAny>>,
    keep_entries: bool,
    progress: Option<Py<PyAny>>,
    #[pyo3(from_py_with = args::total_rows)] total_rows: Option<u64>,
    #[pyo3(from_py_with = args::threads)] threads: Option<usize>,
) -> PyResult<PyPartial> {
    let input = Input::from_py(source, records)?;
    let minimum_refund = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
    let mut s = settings(
        as_of,
        rules,
        tables.as_deref(),
        assume_last_rate,
        importer_class,
        class_overrides,
        CliNamed { urgent_within_days, urgent_days, assume_rate, accepted },
        last_day_offset,
        court_accrual,
        ScheduleArgs { acceptance_lag, liquidation_offset, reliquidation_window, closures },
        already_accepted,
        sheet,
        source_name,
        progress,
        input.total(total_rows),
        threads,
    )?;
    s.run.consolidation.minimum_refund = minimum_refund;
    let src = input.into_source();
    let p = detached(py, &s, || {
        if keep_entries {
            run::assess_all(src, &s.tables, s.options.clone(), &s.run)
        } else {
            run::run_summary(src, &s.tables, s.options.clone(), &s.run)
        }
    })?;
    Ok(PyPartial::new(p))
}

/// Assesses an ES-003 report entry by entry, in bounded memory. Use :func:`cape.iter_assess`.
#[pyfunction]
#[pyo3(signature = (source = None, *, as_of, records = None, rules = None, tables = None,
    assume_last_rate = false, importer_class = None, class_overrides = None, urgent_within_days = None,
    urgent_days = None, assume_rate = None, accepted = None, last_day_offset = None, court_accrual = None, acceptance_lag = None, liquidation_offset = None,
    reliquidation_window = None, closures = None, already_accepted = None, sheet = None, source_name = None,
    min_refund = None, progress = None, total_rows = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn iter_assess(
    py: Python<'_>,
    source: Option<&Bound<'_, PyAny>>,
    as_of: NaiveDate,
    records: Option<&Bound<'_, PyAny>>,
    rules: Option<&str>,
    tables: Option<PyRef<'_, PyTables>>,
    assume_last_rate: bool,
    importer_class: Option<&str>,
    class_overrides: Option<HashMap<String, String>>,
    #[pyo3(from_py_with = args::urgent_within_days)] urgent_within_days: Option<u32>,
    #[pyo3(from_py_with = args::urgent_days)] urgent_days: Option<u32>,
    assume_rate: Option<&Bound<'_, PyAny>>,
    accepted: Option<PathBuf>,
    #[pyo3(from_py_with = args::last_day_offset)] last_day_offset: Option<u32>,
    court_accrual: Option<&str>,
    #[pyo3(from_py_with = args::acceptance_lag)] acceptance_lag: Option<u32>,
    #[pyo3(from_py_with = args::liquidation_offset)] liquidation_offset: Option<u32>,
    #[pyo3(from_py_with = args::reliquidation_window)] reliquidation_window: Option<u32>,
    closures: Option<Vec<NaiveDate>>,
    already_accepted: Option<Vec<Bound<'_, PyAny>>>,
    sheet: Option<String>,
    source_name: Option<String>,
    min_refund: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
    #[pyo3(from_py_with = args::total_rows)] total_rows: Option<u64>,
    #[pyo3(from_py_with = args::threads)] threads: Option<usize>,
) -> PyResult<PyAssessmentIter> {
    let input = Input::from_py(source, records)?;
    let minimum_refund = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
    let mut s = settings(
        as_of,
        rules,
        tables.as_deref(),
        assume_last_rate,
        importer_class,
        class_overrides,
        CliNamed { urgent_within_days, urgent_days, assume_rate, accepted },
        last_day_offset,
        court_accrual,
        ScheduleArgs { acceptance_lag, liquidation_offset, reliquidation_window, closures },
        already_accepted,
        sheet,
        source_name,
        progress,
        input.total(total_rows),
        threads,
    )?;
    s.run.consolidation.minimum_refund = minimum_refund;
    let src = input.into_source();
    let stream = detached(py, &s, || run::stream(src, Arc::clone(&s.tables), s.options.clone(), s.run.clone()))?;
    Ok(PyAssessmentIter {
        stream: Mutex::new(Pulled { stream: Some(stream), ready: VecDeque::new(), failed: None }),
        settings: s,
    })
}

/// Assessments pulled from the stream per release of the interpreter lock by `AssessmentIterator.__next__`:
/// handing them over one at a time would release and re-take the lock for every entry.
const PULL_BATCH: usize = 256;

/// The stream of an `AssessmentIterator` and the assessments pulled from it but not yet yielded.
struct Pulled {
    stream: Option<AssessmentStream>,
    ready: VecDeque<Arc<Vec<EntryAssessment>>>,
    /// The error that ended the stream after the assessments in `ready`: raised once they are yielded.
    failed: Option<Failure>,
}

/// The entries' assessments in file order (:func:`cape.iter_assess`); :meth:`finish` gives the
/// :class:`Partial` of the whole report.
#[pyclass(module = "cape", name = "AssessmentIterator", frozen)]
pub(crate) struct PyAssessmentIter {
    stream: Mutex<Pulled>,
    settings: Settings,
}

impl Drop for PyAssessmentIter {
    /// Ends an unfinished run without the interpreter lock: the run's thread may be waiting for it (to call
    /// the progress callback and check for signals), and joining that thread while holding the lock would
    /// wait for ever.
    fn drop(&mut self) {
        let stream = self.stream.get_mut().ok().and_then(|p| p.stream.take());
        if let Some(stream) = stream {
            Python::attach(|py| py.detach(move || drop(stream)));
        }
    }
}

#[pymethods]
impl PyAssessmentIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyEntryAssessment>> {
        let mut st = self.stream.lock().map_err(|_| PyValueError::new_err("iterator lock poisoned"))?;
        if st.ready.is_empty() && st.failed.is_none() {
            // Up to a batch at a time without the interpreter lock; an error after some entries is kept and
            // raised once they have been yielded.
            let pulled = &mut *st;
            let r = py.detach(|| {
                call(|| {
                    if let Some(s) = pulled.stream.as_mut() {
                        while pulled.ready.len() < PULL_BATCH {
                            match s.next() {
                                // Each in the allocation its Python object will own: moved once.
                                Some(Ok(a)) => pulled.ready.push_back(Arc::new(vec![a])),
                                Some(Err(e)) => return Err(e),
                                None => break,
                            }
                        }
                    }
                    Ok(())
                })
            });
            if let Err(e) = r {
                st.failed = Some(e);
            }
        }
        match st.ready.pop_front() {
            Some(all) => Ok(Some(PyEntryAssessment { all, i: 0 })),
            None => match st.failed.take() {
                Some(e) => Err(self.settings.failure(e).into()),
                None => Ok(None),
            },
        }
    }
    /// Ends the run (assessing, without yielding, what was not iterated) and returns the whole report's
    /// :class:`Partial` (totals, refunds, ingest balance, diagnostics; no entries).
    fn finish(&self, py: Python<'_>) -> PyResult<PyPartial> {
        let stream = {
            let mut st = self.stream.lock().map_err(|_| PyValueError::new_err("iterator lock poisoned"))?;
            st.ready.clear();
            st.stream.take().ok_or_else(|| PyValueError::new_err("finish() was already called"))?
        };
        let p = py.detach(|| call(|| stream.finish())).map_err(|e| self.settings.failure(e))?;
        Ok(PyPartial::new(p))
    }
}

/// The entry numbers of a result's entries, each to its first position (built on first lookup).
type EntryIndex = OnceLock<HashMap<EntryNumber, usize>>;

/// The position of entry `n` in `entries`, through the index built on first use.
fn position(entries: &[EntryAssessment], index: &EntryIndex, n: EntryNumber) -> Option<usize> {
    index
        .get_or_init(|| {
            let mut m = HashMap::with_capacity(entries.len());
            for (i, a) in entries.iter().enumerate() {
                m.entry(a.entry_number()).or_insert(i);
            }
            m
        })
        .get(&n)
        .copied()
}

/// `report[key]`: an `int` position (negative from the end), a `slice` (a tuple of entries, as slicing a
/// tuple gives), or an entry number (`EntryNumber`, or text in any form `EntryNumber()` reads).
///
/// # Errors
///
/// `IndexError` for a position out of range, `KeyError` for an entry number not in the result,
/// `EntryNumberError` for text that is not an entry number, `TypeError` for another type of key.
fn item(
    py: Python<'_>,
    entries: &Arc<Vec<EntryAssessment>>,
    index: &EntryIndex,
    key: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    if let Ok(slice) = key.cast::<pyo3::types::PySlice>() {
        let ix = slice.indices(entries.len() as isize)?;
        let picked = (0..ix.slicelength).map(|k| {
            let i = ix.start + k as isize * ix.step;
            PyEntryAssessment { all: Arc::clone(entries), i: i as usize }
        });
        return Ok(PyTuple::new(py, picked)?.into_any().unbind());
    }
    if let Ok(i) = key.extract::<isize>() {
        if !key.is_instance_of::<pyo3::types::PyBool>() {
            return Ok(Py::new(py, entry_at(entries, i)?)?.into_any());
        }
    }
    let n = entry_key(key)?;
    match position(entries, index, n) {
        Some(i) => Ok(Py::new(py, PyEntryAssessment { all: Arc::clone(entries), i })?.into_any()),
        None => Err(pyo3::exceptions::PyKeyError::new_err(n.to_string())),
    }
}

/// An entry-number key: `EntryNumber` or text (`EntryNumberError` when malformed, `TypeError` for others).
fn entry_key(key: &Bound<'_, PyAny>) -> PyResult<EntryNumber> {
    if key.is_instance_of::<pyo3::types::PyString>() || key.is_instance_of::<PyEntryNumber>() {
        entry_number_arg(key)
    } else {
        let t = key.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        Err(PyTypeError::new_err(format!(
            "an entry is looked up by position (int), slice or entry number (str or EntryNumber), not {t}"
        )))
    }
}

/// `report.get(key, default)`: the entry with that entry number, or `default` when it is not in the result
/// or `key` is not an entry number.
fn get_or(
    py: Python<'_>,
    entries: &Arc<Vec<EntryAssessment>>,
    index: &EntryIndex,
    key: &Bound<'_, PyAny>,
    default: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    match entry_key(key).ok().and_then(|n| position(entries, index, n)) {
        Some(i) => Ok(Py::new(py, PyEntryAssessment { all: Arc::clone(entries), i })?.into_any()),
        None => Ok(default.unwrap_or_else(|| py.None())),
    }
}

/// `key in report`: an entry number (text or `EntryNumber`) in the result, or an `EntryAssessment` equal to
/// one of its entries; anything else is not in it.
fn contains(entries: &[EntryAssessment], index: &EntryIndex, key: &Bound<'_, PyAny>) -> bool {
    if let Ok(a) = key.cast::<PyEntryAssessment>() {
        let a = a.get().get();
        return entries.iter().any(|e| e == a);
    }
    entry_key(key).ok().and_then(|n| position(entries, index, n)).is_some()
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

/// The entries as a `pyarrow.Table` of `arrow_schema()`: columns built in Rust without the interpreter, handed
/// to pyarrow as they are.
fn arrow_table<'py>(py: Python<'py>, entries: &Arc<Vec<EntryAssessment>>) -> PyResult<Bound<'py, PyAny>> {
    let e = Arc::clone(entries);
    let nodes = py.detach(|| call(|| crate::columns::build(&e)))?;
    crate::columns::to_table(py, nodes)
}

/// The entries as a pandas DataFrame (`cape._frames.frame_of` of [`arrow_table`]).
fn frame<'py>(py: Python<'py>, entries: &Arc<Vec<EntryAssessment>>, money: &str) -> PyResult<Bound<'py, PyAny>> {
    let table = arrow_table(py, entries)?;
    py.import("cape._frames")?.call_method1("frame_of", (table, money))
}

fn refunds_tuple(py: Python<'_>, v: Vec<&ConsolidatedRefund>) -> PyResult<Py<PyTuple>> {
    Ok(crate::frames::refunds(py, v.into_iter().map(|r| PyRefund(r.clone())))?.unbind())
}

/// The entries and as-of date of an `AssessedReport` or a `Partial` (for `check_declaration(report=...)`).
pub(crate) fn assessed_entries(obj: &Bound<'_, PyAny>) -> Option<(Arc<Vec<EntryAssessment>>, NaiveDate)> {
    if let Ok(r) = obj.cast::<PyAssessedReport>() {
        let r = r.get();
        return Some((Arc::clone(&r.entries), r.as_of));
    }
    let p = obj.cast::<PyPartial>().ok()?;
    let p = p.get();
    Some((Arc::clone(&p.entries), p.partial.as_of))
}

/// Writes the entries to `path` as `cape assess --format csv` writes them (atomically).
fn entries_csv(py: Python<'_>, entries: &Arc<Vec<EntryAssessment>>, path: PathBuf) -> PyResult<()> {
    let e = Arc::clone(entries);
    let csv = |w: &mut cape_core::report::atomic::AtomicFile| cape_core::report::csv::write_assessments(w, e.iter());
    py.detach(|| call(|| cape_core::report::csv::write_file(&path, csv)))?;
    Ok(())
}

/// `cape._html.<name>(obj)`: the HTML of Jupyter's rich display.
pub(crate) fn html<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    obj.py().import("cape._html")?.call_method1(name, (obj,))
}

fn declarations(
    entries: &[EntryAssessment],
    dir: PathBuf,
    split_by_importer: bool,
    max_per_file: Option<usize>,
    prefix: Option<String>,
    replace: bool,
) -> cape_core::Result<Vec<PathBuf>> {
    let mut params = {
        let mut o = DeclarationOptions::default();
        o.per_importer = split_by_importer;
        o
    };
    if let Some(m) = max_per_file {
        params.max_entries_per_file = m;
    }
    if let Some(p) = prefix {
        params.prefix = p;
    }
    let set = build_declarations(entries.iter().map(|a| &a.claim), &params)?;
    write_declarations_with(&set, dir, &WriteOptions::replace(replace))
}

/// The assessment of a whole report: a sequence of :class:`EntryAssessment` in input order.
///
/// Indexing: an entry by position (``report[0]``, ``report[-1]``), a tuple of entries by slice
/// (``report[0:2]``), or an entry by entry number (``report["VSU-0828889-3"]``, compact ``report["VSU08288893"]``,
/// or an :class:`EntryNumber`); ``IndexError`` or ``KeyError`` when absent, :class:`EntryNumberError` for text
/// that is not an entry number. ``key in report`` takes an entry number (text or :class:`EntryNumber`) or an
/// equal :class:`EntryAssessment`.
#[pyclass(module = "cape", name = "AssessedReport", frozen, sequence)]
pub(crate) struct PyAssessedReport {
    entries: Arc<Vec<EntryAssessment>>,
    totals: AssessTotals,
    diagnostics: Py<PyTuple>,
    summary: Py<PySummary>,
    rule_set: String,
    as_of: NaiveDate,
    /// Entry number to position, for `report[number]` (built on first lookup).
    index: EntryIndex,
}

impl PyAssessedReport {
    fn new(py: Python<'_>, mut p: Partial) -> PyResult<Self> {
        Ok(PyAssessedReport {
            entries: Arc::new(std::mem::take(&mut p.entries)),
            totals: p.totals,
            diagnostics: diagnostics_tuple(py, p.diagnostics)?,
            summary: Py::new(py, PySummary(p.ingest))?,
            rule_set: p.rule_set,
            as_of: p.as_of,
            index: OnceLock::new(),
        })
    }
}

#[pymethods]
impl PyAssessedReport {
    fn __len__(&self) -> usize {
        self.entries.len()
    }
    // Slot methods keep CPython's docstring: the class docstring documents indexing and `in`.
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        item(py, &self.entries, &self.index, key)
    }
    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        contains(&self.entries, &self.index, key)
    }
    /// The entry with entry number `key` (text or `EntryNumber`), or `default` when there is none (or `key` is
    /// not an entry number).
    #[pyo3(signature = (key, default = None))]
    fn get(&self, py: Python<'_>, key: &Bound<'_, PyAny>, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        get_or(py, &self.entries, &self.index, key, default)
    }
    fn __iter__(&self) -> EntryIter {
        EntryIter { all: Arc::clone(&self.entries), next: std::sync::atomic::AtomicUsize::new(0) }
    }
    /// Counts by status and exact sums.
    #[getter]
    fn totals(&self) -> PyTotals {
        PyTotals(self.totals.clone())
    }
    /// The ingest's findings about rows and columns (data, not exceptions).
    #[getter]
    fn diagnostics(&self, py: Python<'_>) -> Py<PyTuple> {
        self.diagnostics.clone_ref(py)
    }
    /// The ingest counts.
    #[getter]
    fn ingest(&self, py: Python<'_>) -> Py<PySummary> {
        self.summary.clone_ref(py)
    }
    /// The rule set applied.
    #[getter]
    fn rule_set(&self) -> &str {
        &self.rule_set
    }
    /// The assessment date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    /// One dict per entry with the keys of ``cape assess --format json`` (:data:`cape.RECORD_KEYS`);
    /// money as ``Decimal``, dates as ``date``.
    fn to_records(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        records(py, &self.entries)
    }
    /// The records as a pandas DataFrame (columns :data:`cape.RECORD_KEYS`), converted column by column
    /// from :meth:`to_arrow`. Needs pandas and pyarrow.
    ///
    /// Money: ``money="decimal"`` (default) gives object columns of exact ``decimal.Decimal``;
    /// ``money="arrow"`` gives ``pandas.ArrowDtype(pyarrow.decimal128(18, 2))`` columns (exact, and much
    /// faster: no Python object per amount). Dates are ``datetime64[ms]`` (``NaT`` when absent);
    /// ``days_left`` and ``interest_days`` are nullable ``Int64``; ``refund_held`` is nullable ``boolean``;
    /// ``principal_is_upper_bound`` and ``urgent`` are ``bool``; text is pandas' default string dtype (``str``
    /// on pandas 3); ``findings`` and ``reasons`` are ``pandas.ArrowDtype`` list columns (a cell reads as a list of
    /// dicts); equal amounts share one ``Decimal`` object. Raises ``ValueError`` for another ``money``.
    #[pyo3(signature = (*, money = "decimal"))]
    fn to_pandas<'py>(&self, py: Python<'py>, money: &str) -> PyResult<Bound<'py, PyAny>> {
        frame(py, &self.entries, money)
    }
    /// The records as a pyarrow Table with :func:`cape.arrow_schema` (money ``decimal128(18, 2)``, dates
    /// ``date32``), its columns built in Rust as whole buffers. Needs pyarrow.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        arrow_table(py, &self.entries)
    }
    /// The entries as a polars DataFrame: `polars.from_arrow` of `to_arrow()` (money `Decimal(18, 2)`).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("polars_of", (arrow_table(py, &self.entries)?,))
    }
    /// Writes the entries to `path` as `cape assess --format csv` writes them (atomically).
    fn to_csv(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        entries_csv(py, &self.entries, path)
    }
    /// A compact HTML table of the totals and the first entries (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        html(slf.as_any(), "report_html")
    }
    /// The actions due (every entry's ``next_action`` but ``none`` and ``track_refund``) as of
    /// :attr:`as_of`, grouped by importer or by week (Monday to Sunday) of ``act_by``, soonest first, with the
    /// IEEPA duty at stake: ``cape plan``. ``within`` keeps only the actions due within that many days
    /// (entries without a deadline left out). Raises :class:`InvalidValueError` for another ``by`` or a
    /// negative ``within``.
    #[pyo3(signature = (within = None, by = None))]
    fn plan(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::within)] within: Option<u32>,
        by: Option<&str>,
    ) -> PyResult<PyPlan> {
        plan_of(py, &self.entries, plan_options(self.as_of, within, by)?)
    }
    /// The refunds CBP would pay, consolidated per recipient and projected liquidation date;
    /// ``min_refund`` waives entries whose principal + interest is below it (19 CFR 159.6).
    #[pyo3(signature = (min_refund = None))]
    fn refunds(&self, py: Python<'_>, min_refund: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTuple>> {
        let m = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
        let entries = Arc::clone(&self.entries);
        let c = py.detach(|| {
            call(|| {
                consolidate_assessed(entries.iter(), {
                    let mut o = ConsolidationOptions::default();
                    o.minimum_refund = m;
                    o
                })
            })
        })?;
        refunds_tuple(py, c.refunds())
    }
    /// Totals over the consolidated refunds.
    #[pyo3(signature = (min_refund = None))]
    fn refund_totals(&self, py: Python<'_>, min_refund: Option<&Bound<'_, PyAny>>) -> PyResult<PyRefundTotals> {
        let m = min_refund.map(|m| money_arg("min_refund", m)).transpose()?;
        let entries = Arc::clone(&self.entries);
        let c = py.detach(|| {
            call(|| {
                consolidate_assessed(entries.iter(), {
                    let mut o = ConsolidationOptions::default();
                    o.minimum_refund = m;
                    o
                })
            })
        })?;
        Ok(PyRefundTotals(c.totals()))
    }
    /// Writes the CAPE declaration CSVs of the eligible and deferred entries and ``manifest.csv`` (each
    /// file's entry count and SHA-256) into ``dir``, atomically; returns the paths written (``pathlib.Path``),
    /// manifest last.
    ///
    /// ``dir`` is created if missing; one that holds files raises :class:`OutputNotEmptyError` unless
    /// ``replace=True``, which replaces an earlier run's files there (never files that are not cape's). A
    /// symbolic-link ``dir`` raises :class:`UnsafeOutputError`; a run into a folder another run is writing
    /// raises :class:`OutputLockedError`. On any error no file of this call is left under a final name.
    #[pyo3(signature = (dir, *, split_by_importer = false, max_per_file = None, prefix = None, replace = false))]
    fn write_declarations(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        split_by_importer: bool,
        #[pyo3(from_py_with = args::max_per_file)] max_per_file: Option<usize>,
        prefix: Option<String>,
        replace: bool,
    ) -> PyResult<Vec<PathBuf>> {
        let entries = Arc::clone(&self.entries);
        Ok(py.detach(|| call(|| declarations(&entries, dir, split_by_importer, max_per_file, prefix, replace)))?)
    }
    /// Pickles exactly: ``(_unpickle, ("AssessedReport", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .bind(py)
            .iter()
            .map(|d| Ok(d.cast::<PyDiagnostic>()?.get().0.clone()))
            .collect::<PyResult<_>>()?;
        let wire = (&*self.entries, &self.totals, &diagnostics, &self.summary.get().0, &self.rule_set, &self.as_of);
        reduce(py, "AssessedReport", to_bytes("AssessedReport", &wire))
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

/// A partial result (some partitions of a report) that merges exactly with others; its kept entries are a
/// sequence like :class:`AssessedReport`'s.
///
/// Indexing: an entry by position (``partial[0]``, ``partial[-1]``), a tuple of entries by slice
/// (``partial[0:2]``), or an entry by entry number (``partial["VSU-0828889-3"]``, compact ``partial["VSU08288893"]``,
/// or an :class:`EntryNumber`); ``IndexError`` or ``KeyError`` when absent, :class:`EntryNumberError` for text
/// that is not an entry number. ``key in partial`` takes an entry number (text or :class:`EntryNumber`) or an
/// equal :class:`EntryAssessment`.
#[pyclass(module = "cape", name = "Partial", frozen, sequence)]
pub(crate) struct PyPartial {
    /// The entries, shared with the views handed out.
    entries: Arc<Vec<EntryAssessment>>,
    /// The rest (its `entries` empty).
    partial: Partial,
    /// Entry number to position, for `partial[number]` (built on first lookup).
    index: EntryIndex,
}

impl PyPartial {
    pub(crate) fn new(mut p: Partial) -> Self {
        PyPartial { entries: Arc::new(std::mem::take(&mut p.entries)), partial: p, index: OnceLock::new() }
    }

    fn whole(&self) -> Partial {
        let mut p = self.partial.clone();
        p.entries = self.entries.to_vec();
        p
    }
}

#[pymethods]
impl PyPartial {
    /// The partial result of both, this one's entries first (exact to the cent; associative). Raises
    /// :class:`InvalidValueError` when the two were computed with other tables, rule set or options (their
    /// :attr:`fingerprint` differs).
    fn merge(&self, py: Python<'_>, other: PyRef<'_, PyPartial>) -> PyResult<PyPartial> {
        let o = &*other;
        let merged = py.detach(|| {
            call(|| {
                let mut a = self.whole();
                a.merge(o.whole())?;
                Ok(a)
            })
        })?;
        Ok(PyPartial::new(merged))
    }
    fn __len__(&self) -> usize {
        self.entries.len()
    }
    // Slot methods keep CPython's docstring: the class docstring documents indexing and `in`.
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        item(py, &self.entries, &self.index, key)
    }
    fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
        contains(&self.entries, &self.index, key)
    }
    /// The entry with entry number `key` (text or `EntryNumber`), or `default` when there is none (or `key` is
    /// not an entry number).
    #[pyo3(signature = (key, default = None))]
    fn get(&self, py: Python<'_>, key: &Bound<'_, PyAny>, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        get_or(py, &self.entries, &self.index, key, default)
    }
    fn __iter__(&self) -> EntryIter {
        EntryIter { all: Arc::clone(&self.entries), next: std::sync::atomic::AtomicUsize::new(0) }
    }
    /// Counts by status and exact sums.
    #[getter]
    fn totals(&self) -> PyTotals {
        PyTotals(self.partial.totals.clone())
    }
    /// How many partitions were merged.
    #[getter]
    fn partitions(&self) -> u64 {
        self.partial.parts
    }
    /// The rule set applied.
    #[getter]
    fn rule_set(&self) -> &str {
        &self.partial.rule_set
    }
    /// The assessment date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.partial.as_of
    }
    /// SHA-256 (hex) of cape's version, the tables, the rule set and every option: partials merge only
    /// when their fingerprints are equal.
    #[getter]
    fn fingerprint(&self) -> String {
        self.partial.fingerprint.to_string()
    }
    /// The ingest counts, summed over the partitions.
    #[getter]
    fn ingest(&self) -> PySummary {
        PySummary(self.partial.ingest.clone())
    }
    /// The ingest diagnostics of every partition (row numbers are per partition).
    #[getter]
    fn diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        crate::frames::diagnostics(py, self.partial.diagnostics.iter().cloned().map(PyDiagnostic))
    }
    /// The consolidated refunds (with the partition's ``min_refund``).
    fn refunds(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        refunds_tuple(py, self.partial.consolidation.refunds())
    }
    /// Totals over the consolidated refunds.
    fn refund_totals(&self) -> PyRefundTotals {
        PyRefundTotals(self.partial.consolidation.totals())
    }
    /// As :meth:`AssessedReport.to_records` (empty when built with ``keep_entries=False``).
    fn to_records(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        records(py, &self.entries)
    }
    /// As :meth:`AssessedReport.to_pandas`.
    #[pyo3(signature = (*, money = "decimal"))]
    fn to_pandas<'py>(&self, py: Python<'py>, money: &str) -> PyResult<Bound<'py, PyAny>> {
        frame(py, &self.entries, money)
    }
    /// As :meth:`AssessedReport.to_arrow`.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        arrow_table(py, &self.entries)
    }
    /// The kept entries as a polars DataFrame: `polars.from_arrow` of `to_arrow()`.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("cape._frames")?.call_method1("polars_of", (arrow_table(py, &self.entries)?,))
    }
    /// Writes the kept entries to `path` as `cape assess --format csv` writes them (atomically).
    fn to_csv(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        entries_csv(py, &self.entries, path)
    }
    /// A compact HTML table of the totals and the first kept entries (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        html(slf.as_any(), "report_html")
    }
    /// As :meth:`AssessedReport.plan`, over the kept entries (none with ``keep_entries=False``).
    #[pyo3(signature = (within = None, by = None))]
    fn plan(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = args::within)] within: Option<u32>,
        by: Option<&str>,
    ) -> PyResult<PyPlan> {
        plan_of(py, &self.entries, plan_options(self.partial.as_of, within, by)?)
    }
    /// Pickles exactly: ``(_unpickle, ("Partial", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Partial", self.whole().to_bytes())
    }
    fn __repr__(&self) -> String {
        format!("<Partial partitions={} entries={}>", self.partial.parts, self.partial.totals.entries)
    }
}

/// An iterator over the entries of a result.
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
    d.set_item(intern!(py, "code"), f.code.as_str())?;
    d.set_item(intern!(py, "message"), &f.message)?;
    d.set_item(intern!(py, "cbp_message"), f.cbp_message)?;
    d.set_item(intern!(py, "line"), f.line)?;
    Ok(d)
}

/// One entry's record: the keys of `cape assess --format json`, money as `Decimal`, dates as `date`. The keys
/// are interned (made once per process, not once per record).
fn record_dict<'py>(py: Python<'py>, a: &EntryAssessment) -> PyResult<Bound<'py, PyDict>> {
    let r = a.record();
    let d = PyDict::new(py);
    d.set_item(intern!(py, "entry_number"), &r.entry_number)?;
    d.set_item(intern!(py, "importer_number"), r.importer_number)?;
    d.set_item(intern!(py, "entry_type"), r.entry_type)?;
    d.set_item(intern!(py, "entry_date"), r.entry_date)?;
    d.set_item(intern!(py, "duty_before"), money_py(py, a.removal.duty_before)?)?;
    d.set_item(intern!(py, "duty_after"), money_py(py, a.removal.duty_after)?)?;
    d.set_item(intern!(py, "ieepa_duty"), money_py(py, a.removal.ieepa_duty)?)?;
    d.set_item(intern!(py, "principal_is_upper_bound"), r.principal_is_upper_bound)?;
    let findings = PyList::empty(py);
    for f in &a.removal.findings {
        findings.append(finding_dict(py, f)?)?;
    }
    d.set_item(intern!(py, "findings"), findings)?;
    d.set_item(intern!(py, "status"), r.status)?;
    let reasons = PyList::empty(py);
    for x in &r.reasons {
        let rd = PyDict::new(py);
        rd.set_item(intern!(py, "code"), x.code)?;
        rd.set_item(intern!(py, "message"), x.message)?;
        rd.set_item(intern!(py, "cbp_message"), x.cbp_message)?;
        rd.set_item(intern!(py, "effect"), x.effect)?;
        reasons.append(rd)?;
    }
    d.set_item(intern!(py, "reasons"), reasons)?;
    d.set_item(intern!(py, "liquidation_date"), r.liquidation_date)?;
    d.set_item(intern!(py, "last_filing_day"), r.last_filing_day)?;
    d.set_item(intern!(py, "days_left"), r.days_left)?;
    d.set_item(intern!(py, "urgent"), r.urgent)?;
    d.set_item(intern!(py, "rule_set"), r.rule_set)?;
    d.set_item(intern!(py, "deposit_date"), r.deposit_date)?;
    d.set_item(intern!(py, "deposit_date_rule"), r.deposit_date_rule)?;
    d.set_item(intern!(py, "projected_acceptance_date"), r.projected_acceptance_date)?;
    d.set_item(intern!(py, "projected_liquidation_date"), r.projected_liquidation_date)?;
    d.set_item(intern!(py, "interest"), a.interest_amount().map(|u| money_py(py, u)).transpose()?)?;
    d.set_item(intern!(py, "interest_days"), r.interest_days)?;
    d.set_item(intern!(py, "interest_note"), r.interest_note)?;
    d.set_item(intern!(py, "importer_class"), r.importer_class)?;
    d.set_item(intern!(py, "refund_recipient"), r.refund_recipient)?;
    d.set_item(intern!(py, "refund_held"), r.refund_held)?;
    d.set_item(intern!(py, "next_action"), r.next_action)?;
    d.set_item(intern!(py, "act_by"), r.act_by)?;
    d.set_item(intern!(py, "next_action_note"), r.next_action_note)?;
    d.set_item(intern!(py, "refund_due_by"), r.refund_due_by)?;
    Ok(d)
}

/// Everything cape knows about one entry as of the assessment date (frozen).
#[pyclass(module = "cape", name = "EntryAssessment", frozen, eq, hash)]
pub(crate) struct PyEntryAssessment {
    all: Arc<Vec<EntryAssessment>>,
    i: usize,
}
by_value!(PyEntryAssessment, |s| s.get());

impl PyEntryAssessment {
    pub(crate) fn get(&self) -> &EntryAssessment {
        &self.all[self.i]
    }
}

#[pymethods]
impl PyEntryAssessment {
    /// The entry.
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.get().entry_number())
    }
    /// The importer of record, as written in the report.
    #[getter]
    fn importer_number(&self) -> Option<&str> {
        self.get().importer_number.as_deref()
    }
    /// The two-digit entry type code, e.g. ``"01"``.
    #[getter]
    fn entry_type(&self) -> Option<&str> {
        self.get().entry_type.as_deref()
    }
    /// The entry date.
    #[getter]
    fn entry_date(&self) -> Option<NaiveDate> {
        self.get().entry_date
    }
    /// Total duty deposited on the tariff rows.
    #[getter]
    fn duty_before(&self) -> Decimal {
        money_out(self.get().removal.duty_before)
    }
    /// Duty after the IEEPA ordinals are removed.
    #[getter]
    fn duty_after(&self) -> Decimal {
        money_out(self.get().removal.duty_after)
    }
    /// The IEEPA principal: ``duty_before - duty_after``.
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.get().removal.ieepa_duty)
    }
    /// True when a floor line's MFN rate was unknown: :attr:`ieepa_duty` is then an upper bound.
    #[getter]
    fn principal_is_upper_bound(&self) -> bool {
        self.get().removal.principal_is_upper_bound
    }
    /// The mass-processing findings (noticed; they never change the amounts).
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.get().removal.findings.iter().cloned().map(PyFinding))
    }
    /// ``eligible``, ``eligible_deferred``, ``ineligible`` or ``needs_review``.
    #[getter]
    fn status(&self) -> &'static str {
        self.get().status().name()
    }
    /// Every claim reason behind :attr:`status`, in the order checked.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.get().claim.reasons.iter().cloned().map(PyReason))
    }
    /// The liquidation date, when the entry has one.
    #[getter]
    fn liquidation_date(&self) -> Option<NaiveDate> {
        self.get().claim.liquidation_date
    }
    /// The last day to declare the entry: the liquidation date + the last-day offset; ``None`` when not
    /// liquidated.
    #[getter]
    fn last_filing_day(&self) -> Option<NaiveDate> {
        self.get().claim.last_filing_day
    }
    /// Days from the assessment date to :attr:`last_filing_day` (negative once past); ``None`` when not
    /// liquidated.
    #[getter]
    fn days_left(&self) -> Option<i64> {
        self.get().claim.days_left
    }
    /// True for a liquidated entry, not ineligible, whose last filing day is within the urgency horizon
    /// (``urgent_within_days``).
    #[getter]
    fn urgent(&self) -> bool {
        self.get().claim.urgent
    }
    /// The name of the rule set applied (``phase1``, ``phase2``...).
    #[getter]
    fn rule_set(&self) -> &str {
        &self.get().claim.rule_set
    }
    /// The day the duty was deposited (interest runs from the day after); ``None`` when unknown.
    #[getter]
    fn deposit_date(&self) -> Option<NaiveDate> {
        self.get().deposit.as_ref().ok().map(|d| d.date)
    }
    /// How :attr:`deposit_date` was found: ``payment_date``, ``periodic_monthly_statement`` or
    /// ``entry_summary_date``.
    #[getter]
    fn deposit_date_rule(&self) -> Option<&'static str> {
        self.get().deposit.as_ref().ok().map(|d| d.rule.name())
    }
    /// The projected acceptance of the declaration (eligible entries only).
    #[getter]
    fn projected_acceptance_date(&self) -> Option<NaiveDate> {
        self.get().projected.as_ref().map(|p| p.acceptance)
    }
    /// The projected (re)liquidation date (eligible entries only).
    #[getter]
    fn projected_liquidation_date(&self) -> Option<NaiveDate> {
        self.get().projected.as_ref().map(|p| p.liquidation)
    }
    /// Interest to the projected (re)liquidation date; ``None`` when not computed (see ``interest_note``).
    #[getter]
    fn interest(&self) -> Option<Decimal> {
        self.get().interest_amount().map(money_out)
    }
    /// The days of interest, when interest was computed.
    #[getter]
    fn interest_days(&self) -> Option<u32> {
        self.get().record().interest_days
    }
    /// Why there is no interest, or that an assumed rate was used; ``None`` otherwise.
    #[getter]
    fn interest_note(&self) -> Option<String> {
        self.get().record().interest_note
    }
    /// The importer class the interest rate was taken for: ``corporate`` or ``noncorporate``.
    #[getter]
    fn importer_class(&self) -> &'static str {
        self.get().importer_class.name()
    }
    /// Who the refund is paid to (the refund designee or the importer), when known.
    #[getter]
    fn refund_recipient(&self) -> Option<&str> {
        self.get().recipient.as_ref().map(|r| r.number.as_str())
    }
    /// True when the refund would be held for missing ACH refund enrollment; ``None`` without a
    /// recipient.
    #[getter]
    fn refund_held(&self) -> Option<bool> {
        self.get().recipient.as_ref().map(|r| r.held)
    }
    /// The mass-processing result, with the new entry version.
    #[getter]
    fn removal(&self) -> PyRemoval {
        PyRemoval(Arc::new(self.get().removal.clone()))
    }
    /// What to do next: a stable action code (``declare``, ``withdraw_protest_then_declare``, ``protest``,
    /// ``court_action``, ``review_facts``, ``none``...; docs/codes.md, family ``action``).
    #[getter]
    fn next_action(&self) -> &'static str {
        self.get().next_action.code.as_str()
    }
    /// The last day to act, or ``None`` when no deadline runs.
    #[getter]
    fn act_by(&self) -> Option<NaiveDate> {
        self.get().next_action.act_by
    }
    /// One line: what to do, by when, and why that day.
    #[getter]
    fn next_action_note(&self) -> &str {
        &self.get().next_action.note
    }
    /// The day the refund is due: the projected (re)liquidation + 30 days (19 USC 1505(b)); ``None``
    /// without a projection (entries not eligible).
    #[getter]
    fn refund_due_by(&self) -> Option<NaiveDate> {
        self.get().refund_due_by()
    }
    /// This entry's record (see :meth:`AssessedReport.to_records`).
    fn to_record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(py, self.get())
    }
    /// The record as one line of JSON, byte for byte as ``cape assess --format jsonl`` prints it.
    fn to_json(&self) -> String {
        self.get().record_json()
    }
    /// Pickles exactly: ``(_unpickle, ("EntryAssessment", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "EntryAssessment", to_bytes("EntryAssessment", self.get()))
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
#[pyclass(module = "cape", name = "Finding", frozen, eq, hash)]
pub(crate) struct PyFinding(Finding);
by_value!(PyFinding, |s| &s.0);

#[pymethods]
impl PyFinding {
    /// The stable code (docs/codes.md).
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    /// A plain-English explanation naming the HTS number, line and dates involved.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// The text ACE would return for this problem, where CBP published one.
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cbp_message
    }
    /// The entry-summary line, when the finding is about one.
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.line
    }
    /// The tariff ordinal, when the finding is about one.
    #[getter]
    fn ordinal(&self) -> Option<u32> {
        self.0.ordinal
    }
    /// The HTS number involved (dotted), if any.
    #[getter]
    fn hts(&self) -> Option<String> {
        self.0.hts.map(|h| h.to_string())
    }
    /// Pickles exactly: ``(_unpickle, ("Finding", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Finding", to_bytes("Finding", &self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Finding {}: {}>", self.0.code.as_str(), self.0.message)
    }
}

/// A claim reason; ``effect`` is ``ineligible``, ``review``, ``deferred`` or ``note``.
#[pyclass(module = "cape", name = "Reason", frozen, eq, hash)]
pub(crate) struct PyReason(cape_core::claim::Reason);
by_value!(PyReason, |s| &s.0);

#[pymethods]
impl PyReason {
    /// The stable code (docs/codes.md).
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }
    /// A plain-English explanation.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// The text CAPE would return for this problem, where CBP published one.
    #[getter]
    fn cbp_message(&self) -> Option<&'static str> {
        self.0.cbp_message
    }
    /// What the reason does to the status: ``ineligible``, ``review``, ``deferred`` or ``note``.
    #[getter]
    fn effect(&self) -> &'static str {
        self.0.effect.name()
    }
    /// Pickles exactly: ``(_unpickle, ("Reason", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Reason", to_bytes("Reason", &self.0))
    }
    fn __repr__(&self) -> String {
        format!("<Reason {} ({}): {}>", self.0.code.as_str(), self.0.effect.name(), self.0.message)
    }
}

/// The removal of the IEEPA duty from one entry: ``duty_after + ieepa_duty == duty_before``.
#[pyclass(module = "cape", name = "Removal", frozen, eq, hash)]
pub(crate) struct PyRemoval(Arc<Removal>);
by_value!(PyRemoval, |s| &*s.0);

#[pymethods]
impl PyRemoval {
    /// The entry.
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.entry_number)
    }
    /// The filed duty of every ordinal, summed.
    #[getter]
    fn duty_before(&self) -> Decimal {
        money_out(self.0.duty_before)
    }
    /// The refund principal: the duty deposited on the dutiable IEEPA ordinals, less MFN duty restored on
    /// Korea-style floor lines.
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    /// The duty of the new version.
    #[getter]
    fn duty_after(&self) -> Decimal {
        money_out(self.0.duty_after)
    }
    /// True when some line's MFN rate was unknown, so the principal is an upper bound.
    #[getter]
    fn principal_is_upper_bound(&self) -> bool {
        self.0.principal_is_upper_bound
    }
    /// True when the entry has at least one dutiable IEEPA (duty or floor) ordinal: a CAPE candidate.
    #[getter]
    fn has_dutiable_ieepa(&self) -> bool {
        self.0.has_dutiable_ieepa
    }
    /// What was noticed; never changes the amounts.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.findings.iter().cloned().map(PyFinding))
    }
    /// Per line: ``(line, duty_before, ieepa_duty, duty_after)``.
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
    /// The new entry-summary version (IEEPA ordinals removed).
    #[getter]
    fn new_version(&self) -> PyEntry {
        PyEntry(Arc::new(self.0.new_version.clone()))
    }
    /// Pickles exactly: ``(_unpickle, ("Removal", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Removal", self.0.to_bytes())
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

/// Counts by status and exact sums over assessed entries.
#[pyclass(module = "cape", name = "Totals", frozen, eq, hash)]
pub(crate) struct PyTotals(AssessTotals);
by_value!(PyTotals, |s| &s.0);

#[pymethods]
impl PyTotals {
    /// The totals as one line of JSON, byte for byte the ``summary.totals`` of ``cape assess --format json``.
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Entries assessed.
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    /// Entries with status ``eligible``.
    #[getter]
    fn eligible(&self) -> u64 {
        self.0.eligible
    }
    /// Entries with status ``eligible_deferred``.
    #[getter]
    fn eligible_deferred(&self) -> u64 {
        self.0.eligible_deferred
    }
    /// Entries with status ``ineligible``.
    #[getter]
    fn ineligible(&self) -> u64 {
        self.0.ineligible
    }
    /// Entries with status ``needs_review``.
    #[getter]
    fn needs_review(&self) -> u64 {
        self.0.needs_review
    }
    /// Urgent entries: the filing window closes within the urgency horizon.
    #[getter]
    fn urgent(&self) -> u64 {
        self.0.urgent
    }
    /// The IEEPA principal over all entries.
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    /// The IEEPA principal of the declarable (eligible and deferred) entries.
    #[getter]
    fn declarable_ieepa_duty(&self) -> Decimal {
        money_out(self.0.declarable_ieepa_duty)
    }
    /// Interest over the eligible entries whose interest was computed.
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    /// Eligible entries with a principal whose interest could not be computed (no published rate for some
    /// day); without ``assume_last_rate`` these are not in ``interest``.
    #[getter]
    fn interest_unknown(&self) -> u64 {
        self.0.interest_unknown
    }
    /// A compact HTML table of the counts and amounts (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        html(slf.as_any(), "totals_html")
    }
    /// Pickles exactly: ``(_unpickle, ("Totals", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Totals", to_bytes("Totals", &self.0))
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

/// Totals over consolidated refunds: ``paid`` excludes waived entries, ``held`` is within ``paid``.
#[pyclass(module = "cape", name = "RefundTotals", frozen, eq, hash)]
pub(crate) struct PyRefundTotals(ConsolidationTotals);
by_value!(PyRefundTotals, |s| &s.0);

#[pymethods]
impl PyRefundTotals {
    /// Entries consolidated.
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    /// Principal of all entries (waived ones included).
    #[getter]
    fn principal(&self) -> Decimal {
        money_out(self.0.principal)
    }
    /// Interest of all entries (waived ones included).
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    /// Principal + interest paid: every entry but the waived ones, held refunds included.
    #[getter]
    fn paid(&self) -> Decimal {
        money_out(self.0.paid)
    }
    /// Principal + interest of the refunds held for missing ACH refund enrollment (within ``paid``).
    #[getter]
    fn held(&self) -> Decimal {
        money_out(self.0.held)
    }
    /// A compact HTML table of the amounts (Jupyter's rich display).
    fn _repr_html_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        html(slf.as_any(), "refund_totals_html")
    }
    /// Pickles exactly: ``(_unpickle, ("RefundTotals", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "RefundTotals", to_bytes("RefundTotals", &self.0))
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
#[pyclass(module = "cape", name = "Refund", frozen, eq, hash)]
pub(crate) struct PyRefund(pub(crate) ConsolidatedRefund);
by_value!(PyRefund, |s| &s.0);

#[pymethods]
impl PyRefund {
    /// Who is paid (the refund designee or the importer).
    #[getter]
    fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// The (projected) (re)liquidation date of the entries paid together.
    #[getter]
    fn liquidation_date(&self) -> NaiveDate {
        self.0.liquidation_date
    }
    /// True when the refund would be held for missing ACH refund enrollment.
    #[getter]
    fn held(&self) -> bool {
        self.0.held
    }
    /// The day the whole refund is due: the latest due date of its entries (19 USC 1505(b)).
    #[getter]
    fn refund_due_by(&self) -> NaiveDate {
        self.0.refund_due_by
    }
    /// The principal of the entries paid.
    #[getter]
    fn principal(&self) -> Decimal {
        money_out(self.0.principal)
    }
    /// The interest of the entries paid.
    #[getter]
    fn interest(&self) -> Decimal {
        money_out(self.0.interest)
    }
    /// ``principal + interest``.
    #[getter]
    fn total(&self) -> Decimal {
        money_out(self.0.total)
    }
    /// The entries paid, in the order added.
    #[getter]
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.entries)
    }
    /// Entries whose interest could not be computed (counted as zero).
    #[getter]
    fn interest_unknown<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.interest_unknown)
    }
    /// Entries waived because their refund is below ``min_refund`` (19 CFR 159.6).
    #[getter]
    fn waived<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        numbers(py, &self.0.waived)
    }
    /// The principal of the waived entries.
    #[getter]
    fn waived_principal(&self) -> Decimal {
        money_out(self.0.waived_principal)
    }
    /// The interest of the waived entries.
    #[getter]
    fn waived_interest(&self) -> Decimal {
        money_out(self.0.waived_interest)
    }
    /// Pickles exactly: ``(_unpickle, ("Refund", serialised form))``.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        reduce(py, "Refund", to_bytes("Refund", &self.0))
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

/// Rebuilds the classes of this module that `__reduce__` pickled (see [`crate::pickle`]); `None` for other
/// names.
pub(crate) fn unpickle(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Option<Py<PyAny>>> {
    Ok(Some(match name {
        "Partial" => {
            let p = py.detach(|| call(|| Partial::from_bytes(data)))?;
            Py::new(py, PyPartial::new(p))?.into_any()
        }
        "AssessedReport" => {
            type Wire =
                (Vec<EntryAssessment>, AssessTotals, Vec<Diagnostic>, cape_core::IngestSummary, String, NaiveDate);
            let (entries, totals, diagnostics, ingest, rule_set, as_of): Wire =
                py.detach(|| from_bytes("AssessedReport", data))?;
            let report = PyAssessedReport {
                entries: Arc::new(entries),
                totals,
                diagnostics: diagnostics_tuple(py, diagnostics)?,
                summary: Py::new(py, PySummary(ingest))?,
                rule_set,
                as_of,
                index: OnceLock::new(),
            };
            Py::new(py, report)?.into_any()
        }
        "EntryAssessment" => {
            let a: EntryAssessment = from_bytes(name, data)?;
            Py::new(py, PyEntryAssessment { all: Arc::new(vec![a]), i: 0 })?.into_any()
        }
        "Finding" => Py::new(py, PyFinding(from_bytes(name, data)?))?.into_any(),
        "Reason" => Py::new(py, PyReason(from_bytes(name, data)?))?.into_any(),
        "Removal" => Py::new(py, PyRemoval(Arc::new(call(|| Removal::from_bytes(data))?)))?.into_any(),
        "Totals" => Py::new(py, PyTotals(from_bytes(name, data)?))?.into_any(),
        "RefundTotals" => Py::new(py, PyRefundTotals(from_bytes(name, data)?))?.into_any(),
        "Refund" => Py::new(py, PyRefund(from_bytes(name, data)?))?.into_any(),
        _ => return Ok(None),
    }))
}
