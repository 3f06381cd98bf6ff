//! The exception classes of `cape` and the one boundary every call into cape-core goes through.
//!
//! `cape.CapeError` is the root. Each [`ErrorKind`] has its own subclass; kinds caused by bad input also
//! subclass `ValueError`, and I/O errors subclass `OSError`. Every instance carries the stable `kind` name
//! and numeric `code` of the core error. A Rust panic becomes a plain `CapeError`, never `PanicException`.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cape_core::{Error, ErrorKind};
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

pyo3::create_exception!(
    cape,
    CapeError,
    PyException,
    "Root of every exception cape raises.\n\
    \n\
    ``kind`` is the stable snake-case name of the cape-core error kind (``\"invalid_entry_number\"``...) and\n\
    ``code`` its stable number (the C API's). A bug inside cape (a Rust panic) is raised as a plain\n\
    ``CapeError``, never as ``PanicException``."
);

/// Why a call into cape-core did not return a value.
pub(crate) enum Failure {
    /// cape-core returned an error.
    Core(Error),
    /// cape-core panicked (a bug); the payload's message.
    Panic(String),
    /// A Python callback (a progress callback) raised, or a signal (Ctrl-C) arrived.
    Python(PyErr),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

/// Runs `f` (usually while detached from the interpreter), catching panics.
///
/// Every function of the module that calls cape-core goes through here, so that no panic unwinds into
/// Python as `PanicException`.
pub(crate) fn call<T>(f: impl FnOnce() -> cape_core::Result<T>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Failure::Core(e)),
        Err(payload) => Err(Failure::Panic(panic_message(payload.as_ref()))),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> PyErr {
        Python::attach(|py| match failure {
            Failure::Core(e) => core_error(py, &e),
            Failure::Python(e) => e,
            Failure::Panic(msg) => {
                CapeError::new_err(format!("internal error in cape (a bug, please report it): panicked: {msg}"))
            }
        })
    }
}

/// Which standard exception a kind's class also derives from.
#[derive(Clone, Copy)]
enum Also {
    ValueError,
    OSError,
    /// Only `CapeError`.
    Nothing,
}

/// The Python class of one error kind.
struct Spec {
    name: &'static str,
    also: Also,
    doc: &'static str,
}

/// Every kind cape-core has today, in code order. [`spec`] must know each of them.
const KINDS: [ErrorKind; 14] = [
    ErrorKind::InvalidEntryNumber,
    ErrorKind::InvalidHtsNumber,
    ErrorKind::InvalidMoney,
    ErrorKind::InvalidDate,
    ErrorKind::InvalidValue,
    ErrorKind::InvalidFormat,
    ErrorKind::MissingColumn,
    ErrorKind::InvalidReferenceData,
    ErrorKind::Io,
    ErrorKind::Overflow,
    ErrorKind::OutputNotEmpty,
    ErrorKind::OutputLocked,
    ErrorKind::UnsafeOutput,
    ErrorKind::Cancelled,
];

/// The class of a kind; `None` only for a kind added to cape-core after this wrapper (raised as `CapeError`).
fn spec(kind: ErrorKind) -> Option<Spec> {
    let (name, doc) = match kind {
        ErrorKind::InvalidEntryNumber => (
            "EntryNumberError",
            "An entry number is malformed or its check digit is wrong (kind ``invalid_entry_number``).",
        ),
        ErrorKind::InvalidHtsNumber => ("HtsNumberError", "An HTS number is malformed (kind ``invalid_hts_number``)."),
        ErrorKind::InvalidMoney => {
            ("MoneyError", "A money amount is malformed or out of range (kind ``invalid_money``).")
        }
        ErrorKind::InvalidDate => ("DateError", "A date is malformed or out of range (kind ``invalid_date``)."),
        ErrorKind::InvalidValue => (
            "InvalidValueError",
            "Some other single value (country code, filer code, option) is malformed (kind ``invalid_value``).",
        ),
        ErrorKind::InvalidFormat => {
            ("FormatError", "A file or buffer cannot be read as the format it should have (kind ``invalid_format``).")
        }
        ErrorKind::MissingColumn => {
            ("MissingColumnError", "A required column is missing from a report (kind ``missing_column``).")
        }
        ErrorKind::InvalidReferenceData => (
            "ReferenceDataError",
            "Reference data (catalogue, rate table) is inconsistent (kind ``invalid_reference_data``).",
        ),
        ErrorKind::Io => (
            "CapeIOError",
            "An operating-system I/O error (kind ``io``); ``filename`` is the path, ``errno`` set when known.",
        ),
        ErrorKind::Overflow => {
            ("CapeOverflowError", "Arithmetic overflowed: an amount far outside any real duty (kind ``overflow``).")
        }
        ErrorKind::OutputNotEmpty => (
            "OutputNotEmptyError",
            "The output folder already holds files (kind ``output_not_empty``); ``path`` is the folder, ``found``\n\
             the names in the way. Pass ``replace=True`` to replace cape's own files (others are never replaced).",
        ),
        ErrorKind::OutputLocked => (
            "OutputLockedError",
            "Another run is writing into the same output folder (kind ``output_locked``); ``path`` is the folder.",
        ),
        ErrorKind::UnsafeOutput => (
            "UnsafeOutputError",
            "An output path cape will not write through: a symbolic link, or not a folder (kind ``unsafe_output``);\n\
             ``path`` is the path refused.",
        ),
        ErrorKind::Cancelled => {
            ("CancelledError", "The call was stopped by its caller's cancel request (kind ``cancelled``).")
        }
        _ => return None,
    };
    let also = match kind {
        ErrorKind::Cancelled => Also::Nothing,
        k if k.is_input_error() => Also::ValueError,
        _ => Also::OSError,
    };
    Some(Spec { name, also, doc })
}

static CLASSES: PyOnceLock<Vec<(ErrorKind, &'static str, Py<PyType>)>> = PyOnceLock::new();

/// The exception classes of every known kind, created once per process: `(kind, class name, class)`.
pub(crate) fn classes(py: Python<'_>) -> PyResult<&'static [(ErrorKind, &'static str, Py<PyType>)]> {
    let v = CLASSES.get_or_try_init(py, || {
        let type_ = py.get_type::<PyType>();
        let root = py.get_type::<CapeError>();
        // Set on a ledger error ([`build_core_error`]); `None` on every other, so `e.problem` is always there.
        root.setattr("problem", py.None())?;
        KINDS
            .iter()
            .map(|&kind| {
                let s = spec(kind).expect("every kind in KINDS has a spec");
                let also = match s.also {
                    Also::ValueError => Some(py.get_type::<PyValueError>()),
                    Also::OSError => Some(py.get_type::<PyOSError>()),
                    Also::Nothing => None,
                };
                let ns = PyDict::new(py);
                ns.set_item("__module__", "cape")?;
                ns.set_item("__doc__", s.doc)?;
                ns.set_item("kind", kind.name())?;
                ns.set_item("code", kind.code())?;
                let bases = match also {
                    Some(also) => PyTuple::new(py, [root.clone(), also])?,
                    None => PyTuple::new(py, [root.clone()])?,
                };
                let class = type_.call1((s.name, bases, ns))?.cast_into::<PyType>()?;
                Ok((kind, s.name, class.unbind()))
            })
            .collect::<PyResult<Vec<_>>>()
    })?;
    Ok(v.as_slice())
}

/// Converts a cape-core error into an instance of its class, with `kind`, `code` and the kind's details.
fn core_error(py: Python<'_>, e: &Error) -> PyErr {
    match build_core_error(py, e) {
        Ok(err) => err,
        // Only if the interpreter cannot create an exception (out of memory): say so rather than lose `e`.
        Err(inner) => CapeError::new_err(format!("{e} (and creating its exception failed: {inner})")),
    }
}

fn build_core_error(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let kind = e.kind();
    let class = classes(py)?.iter().find(|(k, _, _)| *k == kind).map(|(_, _, c)| c.bind(py).clone());
    let class = class.unwrap_or_else(|| py.get_type::<CapeError>());
    let value = class.call1((e.to_string(),))?;
    value.setattr("kind", kind.name())?;
    value.setattr("code", kind.code())?;
    match e {
        Error::MissingColumn { column, .. } => value.setattr("column", column.as_str())?,
        Error::Io { path, source } => {
            value.setattr("filename", path.as_str())?;
            if let Some(errno) = source.raw_os_error() {
                value.setattr("errno", errno)?;
            }
            value.setattr("strerror", source.to_string())?;
        }
        // `path`, not OSError's `filename`: setting that would turn str(e) into "[Errno None] None: '...'".
        Error::OutputNotEmpty { dir, found, .. } => {
            value.setattr("path", dir.as_str())?;
            value.setattr("found", PyTuple::new(py, found.iter().map(String::as_str))?)?;
        }
        Error::OutputLocked { dir, .. } => value.setattr("path", dir.as_str())?,
        Error::UnsafeOutput { path, .. } => value.setattr("path", path.as_str())?,
        // The ledger's file and why it cannot be used, as a stable code (`LEDGER_NEWER_SCHEMA`); for a newer
        // schema also the file's version and this cape's.
        Error::Ledger { path, problem, .. } => {
            value.setattr("path", path.as_str())?;
            value.setattr("problem", problem.code())?;
            if let cape_core::LedgerProblem::NewerSchema { found, supported } = problem {
                value.setattr("found", *found)?;
                value.setattr("supported", *supported)?;
            }
        }
        _ => {}
    }
    Ok(PyErr::from_value(value))
}
