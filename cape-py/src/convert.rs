//! Argument conversions shared by the module: money in (exactly, from `decimal.Decimal` or `int`), importer
//! classes, court accrual and plan grouping names, JSON-shaped reports out.

use std::str::FromStr;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyType};
use rust_decimal::Decimal;

use cape_core::claim::{CourtAccrual, PlanGrouping};
use cape_core::model::ImporterClass;
use cape_core::{Error, ErrorKind, Usd};

use crate::errors::Failure;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

fn bad_money(input: &str, reason: &str) -> PyErr {
    Failure::Core(Error::Value {
        kind: ErrorKind::InvalidMoney,
        what: "amount",
        input: input.to_owned(),
        reason: reason.into(),
    })
    .into()
}

/// A money argument: a `decimal.Decimal` (finite, parsed exactly) or an `int` (not `bool`); never a float.
///
/// # Errors
///
/// `TypeError` for any other type; `MoneyError` for NaN, infinities, more digits than an amount can hold, or
/// non-zero digits beyond cents (`Decimal("100.005")`).
pub(crate) fn money_arg(what: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<Usd> {
    let py = obj.py();
    let text: String = if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be a decimal.Decimal or an int, not bool")));
    } else if obj.is_instance_of::<PyInt>() {
        obj.str()?.to_string()
    } else if obj.is_instance(decimal_type(py)?)? {
        if !obj.call_method0("is_finite")?.extract::<bool>()? {
            return Err(bad_money(&obj.str()?.to_string(), "not a finite number"));
        }
        // Fixed-point text (never exponent notation), digit for digit.
        py.import("builtins")?.getattr("format")?.call1((obj, "f"))?.extract()?
    } else {
        let name = obj.get_type().name()?.to_string();
        return Err(PyTypeError::new_err(format!("{what} must be a decimal.Decimal or an int, not {name}")));
    };
    let d = Decimal::from_str_exact(&text).map_err(|_| bad_money(&text, "too many digits for an exact amount"))?;
    // The core's one sub-cent rule: `Decimal("100.005")` is refused, never rounded silently.
    Usd::new(d).whole_cents(what).map_err(|e| Failure::Core(e).into())
}

/// An importer class by name (`corporate`, `noncorporate` and the core's synonyms).
pub(crate) fn class_arg(name: &str) -> PyResult<ImporterClass> {
    ImporterClass::from_word(name).ok_or_else(|| {
        Failure::Core(Error::Value {
            kind: ErrorKind::InvalidValue,
            what: "importer class",
            input: name.to_owned(),
            reason: "must be corporate or noncorporate".into(),
        })
        .into()
    })
}

/// When a Court of International Trade claim accrues, by name (`liquidation_date`, `final_liquidation`).
pub(crate) fn accrual_arg(name: &str) -> PyResult<CourtAccrual> {
    name.parse::<CourtAccrual>().map_err(|_| {
        Failure::Core(Error::Value {
            kind: ErrorKind::InvalidValue,
            what: "court accrual",
            input: name.to_owned(),
            reason: "must be liquidation_date or final_liquidation".into(),
        })
        .into()
    })
}

/// How a plan groups its actions, by name (`importer`, `week`).
pub(crate) fn grouping_arg(name: &str) -> PyResult<PlanGrouping> {
    name.parse::<PlanGrouping>().map_err(|_| {
        Failure::Core(Error::Value {
            kind: ErrorKind::InvalidValue,
            what: "plan grouping",
            input: name.to_owned(),
            reason: "must be importer or week".into(),
        })
        .into()
    })
}

/// A serde-serializable core report as Python data (dicts, lists, str, int, bool, None).
pub(crate) fn to_py<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let v = serde_json::to_value(value).map_err(|e| crate::errors::CapeError::new_err(e.to_string()))?;
    json_to_py(py, &v)
}

/// JSON data as Python data (dicts, lists, str, int, bool, None; a non-integer number as `Decimal`).
pub(crate) fn json_to_py(py: Python<'_>, v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any().unbind()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any().unbind()
            } else {
                // No float reaches Python: a non-integer number keeps its exact text as a Decimal.
                decimal_type(py)?.call1((n.to_string(),))?.unbind()
            }
        }
        Value::String(s) => s.into_pyobject(py)?.into_any().unbind(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py(py, x)?)?;
            }
            l.into_any().unbind()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any().unbind()
        }
    })
}

/// An amount as a `Decimal` with the core's two-decimal form (`10` → `10.00`).
pub(crate) fn money_out(u: Usd) -> Decimal {
    Decimal::from_str(&u.to_string_2dp()).unwrap_or_else(|_| u.amount())
}

/// An amount as a Python `Decimal` with the core's two-decimal form, made straight from that text (what
/// [`money_out`] gives, without the round trip through a Rust `Decimal`).
pub(crate) fn money_py(py: Python<'_>, u: Usd) -> PyResult<Bound<'_, PyAny>> {
    decimal_type(py)?.call1((u.to_string_2dp(),))
}
