//! `cape._cape`: the private native module of the `cape` Python package.
//!
//! A thin wrapper: every function converts its arguments, calls cape-core (detached from the interpreter for
//! bulk work, inside the panic boundary of [`errors::call`]) and converts the result back. No domain logic
//! lives here. The public API is the facade `python/cape/__init__.py`; the stubs are `python/cape/_cape.pyi`.
//!
//! The doc comment of every item Python sees (class, function, method, getter) is its Python docstring, written
//! in the stub's reStructuredText (``double backticks``, :class:`...`): pyo3 makes it the runtime `__doc__`,
//! and `cape-py/gen_stub_docs.py` copies it into the stub (tests/python/test_docs.py fails when they differ).

use std::io::Write;

use pyo3::prelude::*;

mod args;
mod assess;
mod claim;
mod columns;
mod convert;
mod entry_number;
mod errors;
mod es003;
mod frames;
mod ledger;
mod pickle;
mod plan;

use errors::{call, CapeError};

/// Run the ``cape`` command line with ``argv`` (without the program name) on the process's stdout and
/// stderr, without holding the GIL; return the exit code. Flush Python's ``sys.stdout`` first. Ctrl-C stops
/// the command at the next row: it removes its temporary files, says ``cape: interrupted`` and returns 130.
//
// The command runs on a worker thread while this (main) thread, detached, wakes every 20 ms to let Python
// run its signal handlers: Ctrl-C (`KeyboardInterrupt`) sets the command's cancel flag, and the command
// stops at the next row — no traceback, no file left under a final name. Any other exception a handler
// raises (e.g. `SystemExit`) also stops the command and is re-raised once it has stopped. Rust's progress
// line for long commands is written when stderr is a terminal.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    let cancel = Arc::new(AtomicBool::new(false));
    let options =
        cape_core::cli::RunOptions::new(std::io::IsTerminal::is_terminal(&std::io::stderr()), Some(cancel.clone()));
    let worker = std::thread::Builder::new()
        .name("cape-cli".into())
        .spawn(move || {
            call(|| {
                let stdout = std::io::stdout();
                let stderr = std::io::stderr();
                let mut out = stdout.lock();
                let mut err = stderr.lock();
                let code = cape_core::cli::run_with(&argv, &mut out, &mut err, &options);
                // Rust's stdout is line-buffered and a Python process never runs Rust's exit-time flush.
                let _ = out.flush();
                Ok(code)
            })
        })
        .map_err(|e| CapeError::new_err(format!("cannot start the command's thread: {e}")))?;
    let mut raised: Option<PyErr> = None;
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(Duration::from_millis(20)));
        if let Err(e) = py.check_signals() {
            cancel.store(true, Ordering::Relaxed);
            if !e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) && raised.is_none() {
                raised = Some(e);
            }
        }
    }
    let code = py.detach(|| worker.join()).map_err(|_| {
        CapeError::new_err("internal error in cape (a bug, please report it): the command's thread panicked")
    })?;
    if let Some(e) = raised {
        return Err(e);
    }
    let code = code?;
    // A command that finished before it looked at the flag (a short one, or one that never reads an ES-003)
    // must not lose the interrupt: it is raised as Python would have raised it.
    if cancel.load(Ordering::Relaxed) && code != cape_core::cli::EXIT_INTERRUPTED {
        return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(()));
    }
    Ok(code)
}

/// The options (`--name`, without the dashes) `cape COMMAND` accepts, for `assess`, `refunds`, `declare`, `plan`
/// and `interest`; `None` for another command. The command line's own lists (cape-core's
/// `cli::command_options`): what `tests/python/test_parity.py` checks the Python keywords against (private).
#[pyfunction]
fn _cli_options(command: &str) -> Option<Vec<&'static str>> {
    cape_core::cli::command_options(command)
}

/// Private: panics inside cape's panic boundary (raises :class:`CapeError`).
#[pyfunction]
fn _panic_for_tests(message: &str) -> PyResult<()> {
    Ok(call(|| -> cape_core::Result<()> { panic!("{message}") })?)
}

#[pymodule]
fn _cape(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", cape_core::VERSION)?;
    m.add("RECORD_KEYS", pyo3::types::PyTuple::new(m.py(), cape_core::assess::RECORD_KEYS)?)?;
    m.add("CapeError", py.get_type::<CapeError>())?;
    for (_, name, class) in errors::classes(py)? {
        m.add(*name, class.bind(py))?;
    }
    m.add_class::<entry_number::PyEntryNumber>()?;
    m.add_function(wrap_pyfunction!(entry_number::check_digit, m)?)?;
    m.add_class::<es003::PyEs003>()?;
    m.add_class::<es003::PySummary>()?;
    m.add_class::<es003::PyDiagnostic>()?;
    m.add_class::<es003::PyEntry>()?;
    m.add_class::<es003::PyLine>()?;
    m.add_class::<es003::PyTariff>()?;
    m.add_function(wrap_pyfunction!(es003::read_es003, m)?)?;
    m.add_class::<assess::PyTables>()?;
    m.add_class::<assess::PyAssessedReport>()?;
    m.add_class::<assess::PyEntryAssessment>()?;
    m.add_class::<assess::PyFinding>()?;
    m.add_class::<assess::PyReason>()?;
    m.add_class::<assess::PyRemoval>()?;
    m.add_class::<assess::PyTotals>()?;
    m.add_class::<assess::PyRefundTotals>()?;
    m.add_class::<assess::PyRefund>()?;
    m.add_class::<assess::PyPartial>()?;
    m.add_class::<assess::EntryIter>()?;
    m.add_class::<assess::PyRecordSpool>()?;
    m.add_class::<assess::PyAssessmentIter>()?;
    m.add_class::<plan::PyPlan>()?;
    m.add_class::<plan::PyPlanGroup>()?;
    m.add_class::<plan::PyPlanItem>()?;
    m.add_function(wrap_pyfunction!(assess::assess, m)?)?;
    m.add_function(wrap_pyfunction!(assess::assess_partition, m)?)?;
    m.add_function(wrap_pyfunction!(assess::iter_assess, m)?)?;
    m.add_class::<claim::PyInterest>()?;
    m.add_class::<claim::PyInterestPeriod>()?;
    m.add_class::<claim::PyDeclarationCheck>()?;
    m.add_class::<claim::PyCheckFinding>()?;
    m.add_class::<claim::PyEntryVerdict>()?;
    m.add_class::<claim::PyResults>()?;
    m.add_class::<claim::PyResultRow>()?;
    m.add_class::<claim::PyResultProblem>()?;
    m.add_function(wrap_pyfunction!(frames::_write_csv, m)?)?;
    m.add_function(wrap_pyfunction!(claim::interest, m)?)?;
    m.add_function(wrap_pyfunction!(claim::check_declaration, m)?)?;
    m.add_function(wrap_pyfunction!(claim::read_results, m)?)?;
    m.add_function(wrap_pyfunction!(claim::read_closures, m)?)?;
    m.add_class::<ledger::PyLedger>()?;
    m.add_class::<ledger::PyImportOutcome>()?;
    m.add_class::<ledger::PyLedgerStatus>()?;
    m.add_class::<ledger::PyLedgerEntry>()?;
    m.add_class::<ledger::PyLedgerTotal>()?;
    m.add_class::<ledger::PyUnmatchedPayment>()?;
    m.add_class::<ledger::PyLedgerFact>()?;
    m.add_function(wrap_pyfunction!(pickle::_unpickle, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(_cli_options, m)?)?;
    Ok(())
}
