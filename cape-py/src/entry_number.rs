//! `cape.EntryNumber` and `cape.check_digit`: cape-core's entry number, converted.

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::errors::call;

/// A CBP entry number (``XXX-NNNNNNN-C``) whose format and check digit have been verified.
///
/// Accepts ``XXX-NNNNNNN-C``, ``XXXNNNNNNNC``, spaces and lower case. ``str()`` gives the canonical dashed
/// form. Immutable, hashable, ordered, picklable.
///
/// >>> n = EntryNumber("abc 1234567 6")
/// >>> str(n), n.compact, n.filer_code, n.serial, n.check_digit
/// ('ABC-1234567-6', 'ABC12345676', 'ABC', '1234567', 6)
///
/// Raises :class:`EntryNumberError` (a ``ValueError``) saying what is wrong, e.g.
/// ``check digit is 5, expected 6``.
#[pyclass(module = "cape", name = "EntryNumber", frozen, eq, ord, hash)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PyEntryNumber(pub(crate) cape_core::EntryNumber);

#[pymethods]
impl PyEntryNumber {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        Ok(Self(call(|| cape_core::EntryNumber::parse(text))?))
    }

    /// The entry number of a filer code and serial (0..9999999), with its check digit computed.
    #[classmethod]
    fn from_parts(
        _cls: &Bound<'_, PyType>,
        filer_code: &str,
        #[pyo3(from_py_with = crate::args::serial)] serial: u32,
    ) -> PyResult<Self> {
        Ok(Self(call(|| cape_core::EntryNumber::from_parts(filer_code, serial))?))
    }

    /// The 11-character form without dashes, as the CAPE declaration file wants it.
    #[getter]
    fn compact(&self) -> &str {
        self.0.compact()
    }

    /// The 3-character filer code.
    #[getter]
    fn filer_code(&self) -> String {
        self.0.filer_code().as_str().to_owned()
    }

    /// The 7-digit transaction serial, as text (leading zeros are significant).
    #[getter]
    fn serial(&self) -> &str {
        self.0.serial()
    }

    /// The check digit (0-9).
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

/// The check digit of the first ten characters of an entry number (filer code + serial).
///
/// Dashes and spaces are ignored, letters may be lower case. Raises :class:`EntryNumberError` unless the base
/// is 10 letters/digits with a 7-digit serial.
///
/// >>> check_digit("ABC1234567")
/// 6
#[pyfunction]
pub(crate) fn check_digit(base: &str) -> PyResult<u8> {
    Ok(call(|| cape_core::check_digit(base))?)
}
