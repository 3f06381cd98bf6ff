//! `cape.Plan`, `PlanGroup`, `PlanItem`: the actions due over assessed entries (cape-core's `claim::Plan`),
//! grouped by importer or by week, soonest first. Conversion only: the core chooses, orders and groups.

use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rust_decimal::Decimal;

use cape_core::assess::EntryAssessment;
use cape_core::claim::{Plan, PlanGroup, PlanItem, PlanOptions};

use crate::args;
use crate::assess::PyEntryAssessment;
use crate::convert::{grouping_arg, money_out};
use crate::entry_number::PyEntryNumber;
use crate::errors::call;
use crate::pickle::by_value;

/// The plan options of `as_of`, `within` (days, or `None` for every due action) and `by` (`None`: the core's
/// default grouping, as `cape plan` without `--by`).
pub(crate) fn plan_options(as_of: NaiveDate, within: Option<u32>, by: Option<&str>) -> PyResult<PlanOptions> {
    let mut options = PlanOptions::new(as_of);
    if let Some(by) = by {
        options.by = grouping_arg(by)?;
    }
    options.within_days = within;
    Ok(options)
}

/// The plan of `entries` (made detached from the interpreter).
pub(crate) fn plan_of(py: Python<'_>, entries: &[EntryAssessment], options: PlanOptions) -> PyResult<PyPlan> {
    let plan = py.detach(|| call(|| Ok(Plan::of(entries, options))))?;
    Ok(PyPlan(Mutex::new(plan)))
}

/// The actions due over assessed entries, grouped by importer or by week, soonest first (``cape plan``):
/// :meth:`AssessedReport.plan`, or ``Plan(as_of=...)`` and :meth:`add` for each entry of
/// :func:`cape.iter_assess` (only the due actions are kept). ``len(plan)`` is the number of actions due.
#[pyclass(module = "cape", name = "Plan", frozen)]
pub(crate) struct PyPlan(Mutex<Plan>);

impl PyPlan {
    fn plan(&self) -> PyResult<MutexGuard<'_, Plan>> {
        self.0.lock().map_err(|_| PyValueError::new_err("Plan: poisoned"))
    }
}

#[pymethods]
impl PyPlan {
    #[new]
    #[pyo3(signature = (*, as_of, within = None, by = None))]
    fn new(
        as_of: NaiveDate,
        #[pyo3(from_py_with = args::within)] within: Option<u32>,
        by: Option<&str>,
    ) -> PyResult<Self> {
        Ok(PyPlan(Mutex::new(Plan::new(plan_options(as_of, within, by)?))))
    }
    /// Adds one assessed entry (kept when its action is due, within the horizon if one is set); add the
    /// entries in input order.
    fn add(&self, entry: PyRef<'_, PyEntryAssessment>) -> PyResult<()> {
        self.plan()?.add(entry.get());
        Ok(())
    }
    fn __len__(&self) -> PyResult<usize> {
        Ok(self.plan()?.items())
    }
    /// The entries added, due or not.
    #[getter]
    fn entries_seen(&self) -> PyResult<u64> {
        Ok(self.plan()?.entries_seen())
    }
    /// The date the plan counts days from.
    #[getter]
    fn as_of(&self) -> PyResult<NaiveDate> {
        Ok(self.plan()?.options().as_of)
    }
    /// Only actions due within this many days of :attr:`as_of`; ``None``: every due action.
    #[getter]
    fn within(&self) -> PyResult<Option<u32>> {
        Ok(self.plan()?.options().within_days)
    }
    /// ``importer`` or ``week``.
    #[getter]
    fn by(&self) -> PyResult<&'static str> {
        Ok(self.plan()?.options().by.as_str())
    }
    /// The groups: by the earliest ``act_by`` (groups without a deadline last).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let plan = self.plan()?;
        let groups = call(|| plan.groups())?;
        PyTuple::new(py, groups.into_iter().map(PyPlanGroup))
    }
    /// The plan as JSON, byte for byte as ``cape plan --format json`` writes it.
    fn to_json(&self) -> PyResult<String> {
        let plan = self.plan()?;
        Ok(call(|| plan.to_json())?)
    }
    fn __repr__(&self) -> PyResult<String> {
        let p = self.plan()?;
        let o = p.options();
        Ok(format!(
            "<Plan as_of={} by={} within={} items={} entries_seen={}>",
            o.as_of,
            o.by.as_str(),
            o.within_days.map_or_else(|| "None".to_owned(), |d| d.to_string()),
            p.items(),
            p.entries_seen()
        ))
    }
}

/// One group of a :class:`Plan`: an importer, or a week of deadlines.
#[pyclass(module = "cape", name = "PlanGroup", frozen, eq, hash)]
pub(crate) struct PyPlanGroup(PlanGroup);
by_value!(PyPlanGroup, |s| &s.0);

#[pymethods]
impl PyPlanGroup {
    /// The importer number (``unknown importer`` when none), ``week of YYYY-MM-DD`` (its Monday) or
    /// ``no deadline``.
    #[getter]
    fn key(&self) -> &str {
        &self.0.key
    }
    /// The earliest ``act_by`` of the group's items; ``None`` when none has a deadline.
    #[getter]
    fn earliest_act_by(&self) -> Option<NaiveDate> {
        self.0.earliest_act_by
    }
    /// The IEEPA duty at stake over the group's items.
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    /// Soonest first; input order among equal deadlines; no deadline last.
    #[getter]
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.items.iter().cloned().map(PyPlanItem))
    }
    fn __len__(&self) -> usize {
        self.0.items.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "<PlanGroup {:?} items={} ieepa_duty={}>",
            self.0.key,
            self.0.items.len(),
            self.0.ieepa_duty.to_string_2dp()
        )
    }
}

/// One entry's due action in a :class:`Plan`.
#[pyclass(module = "cape", name = "PlanItem", frozen, eq, hash)]
pub(crate) struct PyPlanItem(PlanItem);
by_value!(PyPlanItem, |s| &s.0);

#[pymethods]
impl PyPlanItem {
    /// The entry.
    #[getter]
    fn entry_number(&self) -> PyEntryNumber {
        PyEntryNumber(self.0.entry_number)
    }
    /// The importer of record, as written.
    #[getter]
    fn importer_number(&self) -> Option<&str> {
        self.0.importer_number.as_deref()
    }
    /// The entry's claim status.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.name()
    }
    /// The entry's ``next_action``.
    #[getter]
    fn action(&self) -> &'static str {
        self.0.action.as_str()
    }
    /// The last day to act, when a deadline runs.
    #[getter]
    fn act_by(&self) -> Option<NaiveDate> {
        self.0.act_by
    }
    /// ``act_by`` minus the plan's as-of date, in days.
    #[getter]
    fn days_left(&self) -> Option<i64> {
        self.0.days_left
    }
    /// The IEEPA duty at stake (the entry's principal).
    #[getter]
    fn ieepa_duty(&self) -> Decimal {
        money_out(self.0.ieepa_duty)
    }
    /// The entry's ``next_action_note``.
    #[getter]
    fn note(&self) -> &str {
        &self.0.note
    }
    fn __repr__(&self) -> String {
        format!(
            "<PlanItem {} {} act_by={} ieepa_duty={}>",
            self.0.entry_number,
            self.0.action.as_str(),
            self.0.act_by.map_or_else(|| "None".to_owned(), |d| d.to_string()),
            self.0.ieepa_duty.to_string_2dp()
        )
    }
}
