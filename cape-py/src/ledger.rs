//! `cape.Ledger`: the refund ledger (cape-core's `ledger::Ledger`, one SQLite file) and the frozen values its
//! queries return. Conversion only: every method converts its arguments, calls the core detached from the
//! interpreter and converts the answer back; the states are the core's SQL view `entry_state`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rust_decimal::Decimal;

use cape_core::claim::results::ResultsOptions;
use cape_core::ledger::{
    EntryState, EntryStatus, HistoryFact, ImportKind, ImportOutcome, Ledger, LedgerOptions, RecordKind, RecordOptions,
    StateTotal, StatusQuery, StatusReport, UnmatchedPayment, DEFAULT_BUSY_TIMEOUT, DEFAULT_LEDGER_FILE,
};
use cape_core::refund::payments::{read_column_map, PaymentField, RefundReportKind, RefundReportOptions};
use cape_core::{Error, ErrorKind};

use crate::args;
use crate::assess::{entry_number_arg, settings, CliNamed, Input, PyTables, ScheduleArgs};
use crate::errors::{call, Failure};

/// An `InvalidValueError` about the keyword `what`.
fn invalid(what: &'static str, input: &str, reason: &str) -> PyErr {
    Failure::Core(Error::Value {
        kind: ErrorKind::InvalidValue,
        what,
        input: input.to_owned(),
        reason: reason.to_owned(),
    })
    .into()
}

/// The `path` keyword: a path (`str` or `os.PathLike`).
fn path_of(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    args::path_arg("path", obj, "a path (str or os.PathLike)")
}

/// The ledger's `path` keyword: a path, or `None` for [`DEFAULT_LEDGER_FILE`].
fn ledger_path(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    if obj.is_none() {
        return Ok(None);
    }
    path_of(obj).map(Some)
}

/// The `manifest_or_dir` keyword: a path.
fn manifest_arg(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    args::path_arg("manifest_or_dir", obj, "a path (str or os.PathLike)")
}

/// The `busy_timeout` keyword: seconds (`int` or `float`, finite, not negative), or `None` for the core's
/// default.
fn busy_timeout_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Duration> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(DEFAULT_BUSY_TIMEOUT);
    };
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err("busy_timeout must be a number of seconds, not bool"));
    }
    let seconds: f64 = obj.extract()?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| invalid("busy_timeout", &seconds.to_string(), "must be a finite, non-negative number of seconds"))
}

/// The `state` keyword: a state's code (`"paid_short"`).
fn state_arg(state: Option<&str>) -> PyResult<Option<EntryState>> {
    state
        .map(|s| {
            EntryState::from_code(s).ok_or_else(|| {
                let codes: Vec<&str> = EntryState::ALL.iter().map(|s| s.as_str()).collect();
                invalid("state", s, &format!("the states are {}", codes.join(", ")))
            })
        })
        .transpose()
}

/// An open ledger file: cape's record of every entry from assessment to payment (SQLite, one file).
///
/// ``Ledger(path=None, *, create=True, read_only=False, busy_timeout=None, max_size=None)`` opens the ledger at
/// ``path`` (default ``cape.db``), creating it when there is none unless ``create=False``. ``read_only=True``
/// reads without writing anything (recording raises). ``busy_timeout`` is how many seconds a write waits for
/// another process's (default 5); ``max_size`` a ceiling in bytes on the file (a write past it fails as a full
/// disk does). A foreign, damaged or newer file is refused and left as it was: :class:`FormatError`
/// (``problem`` ``LEDGER_FOREIGN_FILE``, ``LEDGER_CORRUPT``, ``LEDGER_NEWER_SCHEMA``), :class:`CapeIOError`
/// (``LEDGER_READ_ONLY``, ``LEDGER_FULL``), :class:`OutputLockedError` (``LEDGER_BUSY``); ``path`` is the file.
/// Each record method records one file in one transaction, at most once (by its kind and SHA-256; an ES-003 once per
/// ``as_of`` day). Use it in a
/// ``with`` block, or call :meth:`close`.
#[pyclass(module = "cape", name = "Ledger", frozen)]
pub(crate) struct PyLedger {
    inner: Mutex<Option<Ledger>>,
    path: String,
}

impl PyLedger {
    /// Runs `f` on the open ledger inside cape's panic boundary, detached from the interpreter: the lock is
    /// taken without the GIL, so a second thread waiting for it never blocks one whose progress callback needs
    /// the interpreter. `None` when the ledger is closed.
    fn locked<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Ledger) -> cape_core::Result<T> + Send,
    ) -> Option<Result<T, Failure>> {
        py.detach(|| {
            // A panic is caught inside `call`, so the lock is never poisoned by one; take it back if it were.
            let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            guard.as_mut().map(|l| call(|| f(l)))
        })
    }

    /// Records `path` through the core's one entry point ([`Ledger::record_path`]).
    fn record_with(&self, py: Python<'_>, path: &Path, options: &RecordOptions) -> PyResult<PyImportOutcome> {
        let out = self.with(py, |l| l.record_path(path, options))?;
        Ok(PyImportOutcome::new(out.kind, out.outcome))
    }

    /// [`PyLedger::locked`], a closed ledger raising `ValueError`.
    fn with<T: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Ledger) -> cape_core::Result<T> + Send) -> PyResult<T> {
        match self.locked(py, f) {
            Some(r) => Ok(r?),
            None => Err(closed()),
        }
    }
}

/// The error of a call on a closed ledger.
fn closed() -> PyErr {
    PyValueError::new_err("the ledger is closed")
}

#[pymethods]
impl PyLedger {
    #[new]
    #[pyo3(signature = (path = None, *, create = true, read_only = false, busy_timeout = None,
        max_size = None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = ledger_path)] path: Option<PathBuf>,
        create: bool,
        read_only: bool,
        busy_timeout: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = args::max_size)] max_size: Option<u64>,
    ) -> PyResult<Self> {
        let path = path.unwrap_or_else(|| PathBuf::from(DEFAULT_LEDGER_FILE));
        let options =
            LedgerOptions { busy_timeout: busy_timeout_arg(busy_timeout)?, read_only, max_size_bytes: max_size };
        let ledger = py.detach(|| {
            call(|| {
                if create && !read_only {
                    Ledger::open_or_create(&path, &options)
                } else {
                    Ledger::open(&path, &options)
                }
            })
        })?;
        let path = ledger.path().to_owned();
        Ok(PyLedger { inner: Mutex::new(Some(ledger)), path })
    }

    /// The ledger file's path as given.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// True once :meth:`close` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).is_none())
    }

    /// Closes the file (idempotent); any later call but :meth:`close` raises ``ValueError``.
    fn close(&self, py: Python<'_>) {
        py.detach(|| drop(self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()));
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    /// Records any file cape reads, its kind detected from its content as ``cape ledger record`` does: an
    /// ES-003 (assessed as of ``as_of``, which it then needs), a declaration folder or its ``manifest.csv``, a
    /// CAPE claim-details file or an ACE refund report. ``kind`` (``"es003"``, ``"declarations"``,
    /// ``"claim_results"``, ``"refunds"``) skips the detection. Each file is one transaction; a file recorded
    /// before changes nothing (``recorded`` is ``False``). Raises :class:`FormatError` for a file of no known kind.
    #[pyo3(signature = (path, *, kind = None, as_of = None))]
    fn record(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = path_of)] path: PathBuf,
        kind: Option<&str>,
        as_of: Option<NaiveDate>,
    ) -> PyResult<PyImportOutcome> {
        let mut options = RecordOptions::default();
        if let Some(k) = kind {
            let names: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
            options.kind = Some(
                RecordKind::parse(k)
                    .ok_or_else(|| invalid("kind", k, &format!("the kinds are {}", names.join(", "))))?,
            );
        }
        options.as_of = as_of;
        self.record_with(py, &path, &options)
    }

    /// Records an ES-003 file's assessments as of ``as_of``: cape assesses it (streaming, as
    /// :func:`cape.iter_assess` does, with the same keywords) and records per entry its claim status, expected
    /// principal and interest, recipient, projected dates and next action, with the reader's diagnostics.
    #[pyo3(signature = (path, *, as_of, rules = None, tables = None, assume_last_rate = false,
        importer_class = None, class_overrides = None, urgent_days = None, assume_rate = None, accepted = None,
        last_day_offset = None, court_accrual = None, acceptance_lag = None, liquidation_offset = None,
        reliquidation_window = None, closures = None, already_accepted = None, sheet = None, progress = None,
        threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn record_es003(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = path_of)] path: PathBuf,
        as_of: NaiveDate,
        rules: Option<&str>,
        tables: Option<PyRef<'_, PyTables>>,
        assume_last_rate: bool,
        importer_class: Option<&str>,
        class_overrides: Option<HashMap<String, String>>,
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
        progress: Option<Py<PyAny>>,
        #[pyo3(from_py_with = args::threads)] threads: Option<usize>,
    ) -> PyResult<PyImportOutcome> {
        let total = Input::Path(path.clone()).total(None);
        let s = settings(
            as_of,
            rules,
            tables.as_deref(),
            assume_last_rate,
            importer_class,
            class_overrides,
            CliNamed { urgent_within_days: None, urgent_days, assume_rate, accepted },
            last_day_offset,
            court_accrual,
            ScheduleArgs { acceptance_lag, liquidation_offset, reliquidation_window, closures },
            already_accepted,
            sheet,
            None,
            progress,
            total,
            threads,
        )?;
        let out = self
            .locked(py, |l| l.record_es003(&path, &s.tables, s.options.clone(), &s.run))
            .ok_or_else(closed)?
            .map_err(|e| s.failure(e))?;
        Ok(PyImportOutcome::new(ImportKind::Assessment, out))
    }

    /// Records a declaration folder written by :meth:`AssessedReport.write_declarations`: its ``manifest.csv``
    /// (``manifest_or_dir`` is the manifest or its folder) and each entry of each file it lists. Raises
    /// :class:`FormatError` when a file changed after it was written (its SHA-256 differs from the manifest's).
    fn record_declarations(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = manifest_arg)] manifest_or_dir: PathBuf,
    ) -> PyResult<PyImportOutcome> {
        let mut options = RecordOptions::default();
        options.kind = Some(RecordKind::Declarations);
        self.record_with(py, &manifest_or_dir, &options)
    }

    /// Records a CAPE claim-details file (CSV or XLSX): per row the entry, claim number, status and CAPE's error;
    /// ``columns``, ``sheet`` and ``max_rows`` as :func:`cape.read_results` takes them.
    #[pyo3(signature = (path, *, columns = None, sheet = None, max_rows = None))]
    fn record_results(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = path_of)] path: PathBuf,
        columns: Option<BTreeMap<String, String>>,
        sheet: Option<String>,
        #[pyo3(from_py_with = args::max_rows)] max_rows: Option<usize>,
    ) -> PyResult<PyImportOutcome> {
        let mut options = ResultsOptions::default();
        options.columns = columns.unwrap_or_default();
        options.sheet = sheet;
        if let Some(n) = max_rows {
            options.max_rows = n;
        }
        let out = self.with(py, |l| l.record_results_path(&path, &options))?;
        Ok(PyImportOutcome::new(ImportKind::ClaimResults, out))
    }

    /// Records an ACE refund report (ES-022, REV-603 or REV-615; CSV or XLSX): per row the entry, refund number,
    /// principal, interest, refund date and status. ``kind`` (``"es022"``, ``"rev603"``, ``"rev615"``) is
    /// detected from the headers when ``None``; ``columns`` maps a field (``entry_number``, ``principal``...) to
    /// the header of the file's column that holds it, over the fields of the map file ``map_file`` (one
    /// ``field = Header`` per line). A row naming an entry the ledger never assessed is kept (``unmatched``).
    #[pyo3(signature = (path, *, kind = None, columns = None, map_file = None, sheet = None))]
    fn record_refund_report(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = path_of)] path: PathBuf,
        kind: Option<&str>,
        columns: Option<BTreeMap<String, String>>,
        #[pyo3(from_py_with = args::map_file)] map_file: Option<PathBuf>,
        sheet: Option<String>,
    ) -> PyResult<PyImportOutcome> {
        let mut options = RefundReportOptions::default();
        if let Some(k) = kind {
            let names: Vec<&str> = RefundReportKind::ALL.iter().map(|k| k.name()).collect();
            let k = RefundReportKind::from_name(k)
                .ok_or_else(|| invalid("kind", k, &format!("the kinds are {}", names.join(", "))))?;
            options = options.with_kind(k);
        }
        if let Some(file) = &map_file {
            options.columns = py.detach(|| call(|| read_column_map(file)))?;
        }
        for (field, header) in columns.unwrap_or_default() {
            let f = PaymentField::from_key(&field).ok_or_else(|| {
                let fields: Vec<&str> = PaymentField::ALL.iter().map(|f| f.as_str()).collect();
                invalid("columns", &field, &format!("the fields are {}", fields.join(", ")))
            })?;
            options = options.with_column(f, &header);
        }
        options.sheet = sheet;
        let mut record = RecordOptions::default();
        record.kind = Some(RecordKind::Refunds);
        record.refunds = options;
        self.record_with(py, &path, &record)
    }

    /// Every entry's state (optionally only ``importer``'s, only those in ``state``, a code such as
    /// ``"paid_short"``), the totals per importer, recipient and state, and the refund report rows naming no
    /// assessed entry. ``overdue`` is judged as of ``as_of`` (default: the latest import's as-of day, else
    /// today). With ``since`` (an :attr:`ImportOutcome.import_id`), only what changed after that import, as
    /// :meth:`changes_since`.
    #[pyo3(signature = (*, importer = None, state = None, as_of = None, since = None))]
    fn status(
        &self,
        py: Python<'_>,
        importer: Option<String>,
        state: Option<&str>,
        as_of: Option<NaiveDate>,
        since: Option<i64>,
    ) -> PyResult<PyLedgerStatus> {
        let query = StatusQuery { importer, state: state_arg(state)?, as_of, since };
        let report = self.with(py, |l| l.status(&query))?;
        PyLedgerStatus::new(py, report)
    }

    /// Every fact recorded about ``entry`` (an :class:`EntryNumber` or text), oldest import first.
    fn history<'py>(&self, py: Python<'py>, entry: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
        let n = entry_number_arg(entry)?;
        let facts = self.with(py, |l| l.history(&n))?;
        PyTuple::new(py, facts.into_iter().map(PyLedgerFact))
    }

    /// What changed after import ``import_id`` (an :attr:`ImportOutcome.import_id`): the entries with a fact
    /// recorded by a later import with their state now and totals, and the refund report rows of later imports
    /// naming no assessed entry.
    fn changes_since(&self, py: Python<'_>, import_id: i64) -> PyResult<PyLedgerStatus> {
        let report = self.with(py, |l| l.changes_since(import_id))?;
        PyLedgerStatus::new(py, report)
    }

    /// Writes ``importer``'s client statement to ``path``: one self-contained HTML page (totals expected, paid
    /// and outstanding, refunds by month, states, open deadlines, one line per entry), as of ``as_of`` (default:
    /// the day :meth:`status` judges against). Returns the path written.
    #[pyo3(signature = (importer, path, *, as_of = None))]
    fn statement(
        &self,
        py: Python<'_>,
        importer: String,
        #[pyo3(from_py_with = path_of)] path: PathBuf,
        as_of: Option<NaiveDate>,
    ) -> PyResult<PathBuf> {
        self.with(py, |l| {
            let data = l.statement_data(&importer, as_of)?;
            cape_core::report::statement::write_statement(&path, &data)
        })
    }

    fn __repr__(&self) -> String {
        format!("<Ledger {:?}>", self.path)
    }
}

/// What recording a file did: ``recorded`` is False when the same file (kind and SHA-256, an ES-003 as of the same day) was recorded before
/// and nothing changed (then ``import_id`` and ``recorded_at`` are the earlier import's and the counts
/// ``None``). ``kind`` is what was recorded (``assessment``, ``declarations``, ``claim_results``, ``es022``,
/// ``rev603``, ``rev615``).
#[pyclass(module = "cape", name = "ImportOutcome", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyImportOutcome {
    kind: ImportKind,
    outcome: ImportOutcome,
}

impl PyImportOutcome {
    fn new(kind: ImportKind, outcome: ImportOutcome) -> Self {
        PyImportOutcome { kind, outcome }
    }

    fn counts(&self) -> Option<&cape_core::ledger::ImportSummary> {
        match &self.outcome {
            ImportOutcome::Recorded(s) => Some(s),
            ImportOutcome::AlreadyRecorded { .. } => None,
        }
    }
}

#[pymethods]
impl PyImportOutcome {
    /// True when the file was recorded now; False when it was recorded before (nothing changed).
    #[getter]
    fn recorded(&self) -> bool {
        matches!(self.outcome, ImportOutcome::Recorded(_))
    }
    /// The import's id (the earlier import's when the file was recorded before).
    #[getter]
    fn import_id(&self) -> i64 {
        match &self.outcome {
            ImportOutcome::Recorded(s) => s.import_id,
            ImportOutcome::AlreadyRecorded { import_id, .. } => *import_id,
        }
    }
    /// What was recorded: ``assessment``, ``declarations``, ``claim_results``, ``es022``, ``rev603``, ``rev615``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }
    /// When the earlier import was recorded (UTC), for a file recorded before; else ``None``.
    #[getter]
    fn recorded_at(&self) -> Option<&str> {
        match &self.outcome {
            ImportOutcome::Recorded(_) => None,
            ImportOutcome::AlreadyRecorded { recorded_at, .. } => Some(recorded_at),
        }
    }
    /// Rows (or entries) read; ``None`` when nothing was recorded.
    #[getter]
    fn rows_read(&self) -> Option<u64> {
        self.counts().map(|s| s.rows_read)
    }
    /// Rows recorded as facts; ``None`` when nothing was recorded.
    #[getter]
    fn rows_used(&self) -> Option<u64> {
        self.counts().map(|s| s.rows_used)
    }
    /// Rows recorded as diagnostics instead; ``None`` when nothing was recorded.
    #[getter]
    fn rows_rejected(&self) -> Option<u64> {
        self.counts().map(|s| s.rows_rejected)
    }
    fn __repr__(&self) -> String {
        match &self.outcome {
            ImportOutcome::Recorded(s) => format!(
                "<ImportOutcome {} recorded import_id={} rows_read={} rows_used={} rows_rejected={}>",
                self.kind.as_str(),
                s.import_id,
                s.rows_read,
                s.rows_used,
                s.rows_rejected
            ),
            ImportOutcome::AlreadyRecorded { import_id, recorded_at } => format!(
                "<ImportOutcome {} already recorded import_id={import_id} at {recorded_at}>",
                self.kind.as_str()
            ),
        }
    }
}

/// One entry as the ledger's view ``entry_state`` gives it: its ``state`` (a code such as ``"paid_short"``),
/// what was expected and paid (principal + interest, ``Decimal``), the variance once a refund was issued, CAPE's
/// claim and error, and the projected dates and next action of its latest assessment.
#[pyclass(module = "cape", name = "LedgerEntry", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyLedgerEntry(EntryStatus);

#[pymethods]
impl PyLedgerEntry {
    /// The entry number, dashed (``ABC-1234567-6``).
    #[getter]
    fn entry_number(&self) -> &str {
        &self.0.entry_number
    }
    /// The importer of record, when assessed.
    #[getter]
    fn importer(&self) -> Option<&str> {
        self.0.importer.as_deref()
    }
    /// Who the refund goes to, when known.
    #[getter]
    fn recipient(&self) -> Option<&str> {
        self.0.recipient.as_deref()
    }
    /// The state's code (``not_declared``, ``declared``, ``rejected``, ``accepted``, ``liquidated``, ``paid``,
    /// ``paid_short``, ``paid_over``, ``held``, ``returned``, ``diverted``, ``overdue``).
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }
    /// The latest assessment's claim status (``eligible``...), when assessed.
    #[getter]
    fn claim_status(&self) -> Option<&str> {
        self.0.claim_status.as_deref()
    }
    /// Principal + interest expected (0 when never assessed).
    #[getter]
    fn expected(&self) -> Decimal {
        self.0.expected
    }
    /// Principal + interest Treasury issued.
    #[getter]
    fn paid(&self) -> Decimal {
        self.0.paid
    }
    /// Paid minus expected, once a refund was issued; else ``None``.
    #[getter]
    fn variance(&self) -> Option<Decimal> {
        self.0.variance
    }
    /// The latest issued refund's date.
    #[getter]
    fn refund_date(&self) -> Option<NaiveDate> {
        self.0.refund_date
    }
    /// The latest refund's number.
    #[getter]
    fn refund_number(&self) -> Option<&str> {
        self.0.refund_number.as_deref()
    }
    /// The refund report's words for a hold or an unknown status.
    #[getter]
    fn payment_status_text(&self) -> Option<&str> {
        self.0.payment_status_text.as_deref()
    }
    /// CAPE's claim number.
    #[getter]
    fn claim_number(&self) -> Option<&str> {
        self.0.claim_number.as_deref()
    }
    /// CAPE's error kind for a rejected entry.
    #[getter]
    fn error_kind(&self) -> Option<&str> {
        self.0.error_kind.as_deref()
    }
    /// CAPE's error text.
    #[getter]
    fn error_text(&self) -> Option<&str> {
        self.0.error_text.as_deref()
    }
    /// What to do about the error.
    #[getter]
    fn error_remedy(&self) -> Option<&str> {
        self.0.error_remedy.as_deref()
    }
    /// The projected (re)liquidation.
    #[getter]
    fn projected_liquidation(&self) -> Option<NaiveDate> {
        self.0.projected_liquidation
    }
    /// When the refund is due (projected (re)liquidation + 30 days).
    #[getter]
    fn refund_due_by(&self) -> Option<NaiveDate> {
        self.0.refund_due_by
    }
    /// The next action's code.
    #[getter]
    fn next_action(&self) -> Option<&str> {
        self.0.next_action.as_deref()
    }
    /// The day to act by.
    #[getter]
    fn act_by(&self) -> Option<NaiveDate> {
        self.0.act_by
    }
    /// The next action's note.
    #[getter]
    fn note(&self) -> Option<&str> {
        self.0.action_note.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "<LedgerEntry {} {} expected={} paid={}>",
            self.0.entry_number,
            self.0.state.as_str(),
            self.0.expected,
            self.0.paid
        )
    }
}

/// The entries and amounts of one state for one importer and recipient.
#[pyclass(module = "cape", name = "LedgerTotal", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyLedgerTotal(StateTotal);

#[pymethods]
impl PyLedgerTotal {
    /// The importer.
    #[getter]
    fn importer(&self) -> Option<&str> {
        self.0.importer.as_deref()
    }
    /// The recipient.
    #[getter]
    fn recipient(&self) -> Option<&str> {
        self.0.recipient.as_deref()
    }
    /// The state's code.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }
    /// How many entries.
    #[getter]
    fn entries(&self) -> u64 {
        self.0.entries
    }
    /// Principal + interest expected for them.
    #[getter]
    fn expected(&self) -> Decimal {
        self.0.expected
    }
    /// Principal + interest issued for them.
    #[getter]
    fn paid(&self) -> Decimal {
        self.0.paid
    }
    fn __repr__(&self) -> String {
        format!(
            "<LedgerTotal importer={} recipient={} {} entries={} expected={} paid={}>",
            self.0.importer.as_deref().unwrap_or("None"),
            self.0.recipient.as_deref().unwrap_or("None"),
            self.0.state.as_str(),
            self.0.entries,
            self.0.expected,
            self.0.paid
        )
    }
}

/// A refund report row naming no entry the ledger assessed: kept and reported, never dropped.
#[pyclass(module = "cape", name = "UnmatchedPayment", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyUnmatchedPayment(UnmatchedPayment);

#[pymethods]
impl PyUnmatchedPayment {
    /// The import that recorded the row.
    #[getter]
    fn import_id(&self) -> i64 {
        self.0.import_id
    }
    /// The report file.
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    /// The row in the file.
    #[getter]
    fn row(&self) -> u64 {
        self.0.row
    }
    /// The entry as reported (``None``: the row names none).
    #[getter]
    fn entry_number(&self) -> Option<&str> {
        self.0.entry_number.as_deref()
    }
    /// The refund number.
    #[getter]
    fn refund_number(&self) -> Option<&str> {
        self.0.refund_number.as_deref()
    }
    /// Principal + interest of the row.
    #[getter]
    fn amount(&self) -> Decimal {
        self.0.amount
    }
    /// The payment's status class (``treasury_issued``...).
    #[getter]
    fn status(&self) -> Option<&str> {
        self.0.status.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "<UnmatchedPayment {}:{} entry={} amount={}>",
            self.0.source,
            self.0.row,
            self.0.entry_number.as_deref().unwrap_or("None"),
            self.0.amount
        )
    }
}

/// The answer of :meth:`Ledger.status` and :meth:`Ledger.changes_since`: ``entries`` (:class:`LedgerEntry`, by
/// importer then entry number), ``totals`` (:class:`LedgerTotal` per importer, recipient and state), ``states``
/// (per state over them all), ``unmatched`` (refund report rows naming
/// no assessed entry) and the day ``as_of`` that ``overdue`` was judged against. ``to_pandas()`` and
/// ``to_polars()`` give the entries as a table.
#[pyclass(module = "cape", name = "LedgerStatus", frozen)]
pub(crate) struct PyLedgerStatus {
    as_of: NaiveDate,
    entries: Py<PyTuple>,
    totals: Py<PyTuple>,
    states: Py<PyTuple>,
    unmatched: Py<PyTuple>,
}

impl PyLedgerStatus {
    fn new(py: Python<'_>, r: StatusReport) -> PyResult<Self> {
        Ok(PyLedgerStatus {
            as_of: r.as_of,
            entries: PyTuple::new(py, r.entries.into_iter().map(PyLedgerEntry))?.unbind(),
            totals: PyTuple::new(py, r.totals.into_iter().map(PyLedgerTotal))?.unbind(),
            states: PyTuple::new(py, r.states.into_iter().map(PyLedgerTotal))?.unbind(),
            unmatched: PyTuple::new(py, r.unmatched_payments.into_iter().map(PyUnmatchedPayment))?.unbind(),
        })
    }
}

#[pymethods]
impl PyLedgerStatus {
    /// The day ``overdue`` was judged against.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.as_of
    }
    /// Each entry the query selected, with its state.
    #[getter]
    fn entries(&self, py: Python<'_>) -> Py<PyTuple> {
        self.entries.clone_ref(py)
    }
    /// Per importer, recipient and state: entries, expected and paid.
    #[getter]
    fn totals(&self, py: Python<'_>) -> Py<PyTuple> {
        self.totals.clone_ref(py)
    }
    /// Per state over every importer and recipient selected (``importer`` and ``recipient`` are ``None``):
    /// entries, expected and paid.
    #[getter]
    fn states(&self, py: Python<'_>) -> Py<PyTuple> {
        self.states.clone_ref(py)
    }
    /// Refund report rows naming no entry the ledger assessed (whatever the query's importer and state; for
    /// :meth:`Ledger.changes_since`, those recorded after the import).
    #[getter]
    fn unmatched(&self, py: Python<'_>) -> Py<PyTuple> {
        self.unmatched.clone_ref(py)
    }
    /// The entries as a pandas DataFrame, one row per entry (money as ``Decimal``).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("cape._frames")?.call_method1("ledger_frame", (slf,))
    }
    /// The entries as a polars DataFrame (the columns of ``to_pandas``).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("cape._frames")?.call_method1("ledger_polars", (slf,))
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<LedgerStatus as_of={} entries={} totals={} unmatched={}>",
            self.as_of,
            self.entries.bind(py).len(),
            self.totals.bind(py).len(),
            self.unmatched.bind(py).len()
        )
    }
}

/// One fact the ledger holds about an entry and the import that brought it.
#[pyclass(module = "cape", name = "LedgerFact", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PyLedgerFact(HistoryFact);

#[pymethods]
impl PyLedgerFact {
    /// The import.
    #[getter]
    fn import_id(&self) -> i64 {
        self.0.import_id
    }
    /// The import's kind (``assessment``, ``declarations``, ``claim_results``, ``es022``...).
    #[getter]
    fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The file.
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    /// When it was recorded (UTC).
    #[getter]
    fn recorded_at(&self) -> &str {
        &self.0.recorded_at
    }
    /// The file's row, where it has rows.
    #[getter]
    fn row(&self) -> Option<u64> {
        self.0.row
    }
    /// The fact in one line.
    #[getter]
    fn fact(&self) -> &str {
        &self.0.fact
    }
    fn __repr__(&self) -> String {
        format!("<LedgerFact {} #{} {}>", self.0.kind, self.0.import_id, self.0.fact)
    }
}
