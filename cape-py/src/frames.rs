//! The result collections of `cape._frames` (`Diagnostics`, `Refunds`: tuples with `to_pandas`, `to_polars`,
//! `to_csv` and an HTML display), made from the native values, and the CSV writer they call. Conversion only:
//! the CSV is cape-core's (`cape_core::report::csv`), byte for byte what the command line writes.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use cape_core::report::csv;

use crate::assess::PyRefund;
use crate::errors::call;
use crate::es003::PyDiagnostic;

/// `cape._frames.<class>` of a tuple of `items`.
fn collection<'py, T>(py: Python<'py>, class: &str, items: impl IntoIterator<Item = T>) -> PyResult<Bound<'py, PyTuple>>
where
    T: IntoPyObject<'py>,
{
    let t = PyTuple::new(py, items.into_iter().collect::<Vec<_>>())?;
    Ok(py.import("cape._frames")?.getattr(class)?.call1((t,))?.cast_into::<PyTuple>()?)
}

/// A `cape.Diagnostics` (a tuple of `Diagnostic`).
pub(crate) fn diagnostics<'py>(
    py: Python<'py>,
    items: impl IntoIterator<Item = PyDiagnostic>,
) -> PyResult<Bound<'py, PyTuple>> {
    collection(py, "Diagnostics", items)
}

/// A `cape.Refunds` (a tuple of `Refund`).
pub(crate) fn refunds<'py>(
    py: Python<'py>,
    items: impl IntoIterator<Item = PyRefund>,
) -> PyResult<Bound<'py, PyTuple>> {
    collection(py, "Refunds", items)
}

/// Writes `items` (`Diagnostic`s for `kind="diagnostics"`, `Refund`s for `kind="refunds"`) to `path` as the
/// command line's `--format csv` does (`cape ingest`, `cape refunds`), atomically. Private: the `to_csv` of
/// `cape.Diagnostics` and `cape.Refunds`.
#[pyfunction]
pub(crate) fn _write_csv(py: Python<'_>, kind: &str, items: &Bound<'_, PyAny>, path: PathBuf) -> PyResult<()> {
    match kind {
        "diagnostics" => {
            let d = items
                .try_iter()?
                .map(|i| Ok(i?.cast::<PyDiagnostic>()?.get().0.clone()))
                .collect::<PyResult<Vec<_>>>()?;
            py.detach(|| call(|| csv::write_file(&path, |w| csv::write_diagnostics(w, &d))))?;
        }
        "refunds" => {
            let r =
                items.try_iter()?.map(|i| Ok(i?.cast::<PyRefund>()?.get().0.clone())).collect::<PyResult<Vec<_>>>()?;
            py.detach(|| call(|| csv::write_file(&path, |w| csv::write_refunds(w, &r))))?;
        }
        _ => return Err(PyTypeError::new_err(format!("_write_csv: no CSV form for {kind:?}"))),
    }
    Ok(())
}
