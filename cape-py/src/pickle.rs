//! Pickling: every value class reduces to `(cape._cape._unpickle, (name, bytes))`, where `bytes` is
//! cape-core's stable serialised form (a version byte, then the value; `cape_core::values::serial`), so
//! results cross process boundaries exactly (`multiprocessing`, `concurrent.futures`, Dask). Conversion only.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use cape_core::values::serial::{self, FORMAT_VERSION};
use cape_core::Error;

use crate::errors::{call, Failure};

/// The pickle of a value: `(cape._cape._unpickle, (name, bytes))`.
pub(crate) type Reduced<'py> = (Bound<'py, PyAny>, (&'static str, Bound<'py, PyBytes>));

/// What `__reduce__` returns for the class `name` serialised as `bytes`.
pub(crate) fn reduce<'py>(
    py: Python<'py>,
    name: &'static str,
    bytes: cape_core::Result<Vec<u8>>,
) -> PyResult<Reduced<'py>> {
    let bytes = call(|| bytes)?;
    let unpickle = py.import("cape._cape")?.getattr("_unpickle")?;
    Ok((unpickle, (name, PyBytes::new(py, &bytes))))
}

/// A value's serialised form ([`FORMAT_VERSION`]).
pub(crate) fn to_bytes<T: Serialize + ?Sized>(name: &str, value: &T) -> cape_core::Result<Vec<u8>> {
    serial::to_bytes(FORMAT_VERSION, name, value)
}

/// A value read from its serialised form ([`FORMAT_VERSION`]); `FormatError` for bad bytes.
pub(crate) fn from_bytes<T: DeserializeOwned>(name: &str, data: &[u8]) -> Result<T, Failure> {
    call(|| serial::from_bytes(FORMAT_VERSION, name, data))
}

/// Private: rebuilds a value pickled by a class's ``__reduce__`` (``name`` is the class, ``data`` its
/// serialised form: a format-version byte, then the value). Raises :class:`FormatError` for an unknown class
/// or bytes that are not exactly such a value.
#[pyfunction]
pub(crate) fn _unpickle(py: Python<'_>, name: &str, data: &[u8]) -> PyResult<Py<PyAny>> {
    if let Some(v) = crate::assess::unpickle(py, name, data)? {
        return Ok(v);
    }
    if let Some(v) = crate::es003::unpickle(py, name, data)? {
        return Ok(v);
    }
    if let Some(v) = crate::claim::unpickle(py, name, data)? {
        return Ok(v);
    }
    Err(Failure::Core(Error::Format {
        source_name: "pickle".into(),
        message: format!("{name:?} is not a class cape pickles"),
    })
    .into())
}

/// The value form two frozen objects are compared and hashed by: the JSON of cape-core's value (what the
/// pickle carries after its version byte). cape's value types hold no float and no unordered map, so equal
/// values have equal forms. A value whose `Serialize` fails (none of cape's types can) has the empty form.
pub(crate) fn value_form<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Value semantics for a frozen class (declared `#[pyclass(frozen, eq, hash)]`): `a == b` when their values
/// are equal ([`value_form`]), `hash(a)` consistent with it, another type compares unequal (`NotImplemented`).
/// One line per class: `by_value!(PyFinding, |s| &s.0);` where the closure gives the serialisable value.
macro_rules! by_value {
    ($ty:ty, |$s:ident| $value:expr) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                let form = |$s: &$ty| $crate::pickle::value_form($value);
                form(self) == form(other)
            }
        }
        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                let form = |$s: &$ty| $crate::pickle::value_form($value);
                form(self).hash(state)
            }
        }
    };
}
pub(crate) use by_value;
