//! `cape.EntryNumber` and `cape.check_digit`: cape-core's entry number, converted.

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::errors::call;

/// A CBP entry number whose format and check digit have been verified.
#[pyclass(module = "cape", name = "EntryNumber", frozen, eq, ord, hash)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PyEntryNumber(pub(crate) cape_core::EntryNumber);

#[pymethods]
impl PyEntryNumber {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        Ok(Self(call(|| cape_core::EntryNumber::parse(text))?))
    }

    #[classmethod]
    fn from_parts(_cls: &Bound<'_, PyType>, filer_code: &str, serial: u32) -> PyResult<Self> {
        Ok(Self(call(|| cape_core::EntryNumber::from_parts(filer_code, serial))?))
    }

    #[getter]
    fn compact(&self) -> &str {
        self.0.compact()
    }

    #[getter]
    fn filer_code(&self) -> String {
        self.0.filer_code().as_str().to_owned()
    }

    #[getter]
    fn serial(&self) -> &str {
        self.0.serial()
    }

    #[getter]
    fn check_digit(&self) -> u8 {
        self.0.check()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("EntryNumber('{}')", self.0)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (String,)) {
        (slf.get_type(), (slf.get().0.to_string(),))
    }
}

/// Computes the check digit of the first ten characters of an entry number.
#[pyfunction]
pub(crate) fn check_digit(base: &str) -> PyResult<u8> {
    Ok(call(|| cape_core::check_digit(base))?)
}
