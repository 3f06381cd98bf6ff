//! Assessed entries as Arrow columns, built whole in Rust: each column is a few contiguous buffers (validity
//! bits, values, string offsets and bytes) in Arrow's layout (little-endian, validity bits least significant
//! first), handed to pyarrow through Arrow's C data interface without a copy. No Python object is made per cell.
//!
//! The columns are those of `cape._frames.arrow_schema()`, in its order; their values are those of
//! `EntryAssessment::record()` (the test suite compares them cell by cell with `to_record()`).

use std::io::Write as _;

use chrono::{Datelike, NaiveDate};
use std::ffi::c_void;

use pyo3::prelude::*;
use pyo3::types::PyList;

use cape_core::assess::EntryAssessment;
use cape_core::{Error, Rounding, Usd};

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01, Arrow's `date32` epoch.
const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// Bytes of an entry number (`XXX-NNNNNNN-C`).
const ENTRY_NUMBER_BYTES: usize = 13;
/// Bytes reserved per value of the short text columns (codes, names, importer numbers); a guess, not a limit.
const SHORT_TEXT_BYTES: usize = 16;
/// Bytes reserved per interest note for an interest computed (a guess, not a limit: it is usually null or the
/// assumed-rate note).
const ASSUMED_NOTE_BYTES: usize = 48;

/// How many entries `estimate` samples.
const ESTIMATE_SAMPLE: usize = 1_024;
/// How much more than the sample's average `estimate` reserves, in percent.
const ESTIMATE_HEADROOM_PERCENT: usize = 25;
/// From this many entries on, `build` makes the list columns on a second thread.
const PARALLEL_MIN_ENTRIES: usize = 16_384;
/// The positions of `findings` and `reasons` in `arrow_schema()`.
const FINDINGS_COLUMN: usize = 8;
const REASONS_COLUMN: usize = 10;

/// The largest magnitude of a `decimal128(18, 2)` amount in cents (18 digits).
const MAX_DECIMAL18_CENTS: i128 = 999_999_999_999_999_999;

/// One Arrow array: length, null count, buffers (as `Array.from_buffers` takes them) and child arrays.
pub(crate) struct Node {
    len: usize,
    nulls: usize,
    buffers: Vec<Option<Vec<u8>>>,
    children: Vec<Node>,
}

/// A validity (or boolean values) bitmap.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
    zeros: usize,
}

impl Bits {
    fn with_capacity(n: usize) -> Self {
        Bits { bytes: Vec::with_capacity(n.div_ceil(8)), len: 0, zeros: 0 }
    }

    fn push(&mut self, bit: bool) {
        let i = self.len % 8;
        if i == 0 {
            self.bytes.push(0);
        }
        if bit {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 1 << i;
            }
        } else {
            self.zeros += 1;
        }
        self.len += 1;
    }

    /// The validity buffer: none when every value is present.
    fn validity(self) -> (usize, Option<Vec<u8>>) {
        if self.zeros == 0 {
            (0, None)
        } else {
            (self.zeros, Some(self.bytes))
        }
    }
}

/// A fixed-width column (`int64`, `date32`, `uint32`, `decimal128`): values little-endian, zero where null.
#[derive(Default)]
struct Fixed {
    valid: Bits,
    values: Vec<u8>,
}

impl Fixed {
    fn with_capacity(n: usize, width: usize) -> Self {
        Fixed { valid: Bits::with_capacity(n), values: Vec::with_capacity(n.saturating_mul(width)) }
    }

    fn push<const N: usize>(&mut self, v: Option<[u8; N]>) {
        self.valid.push(v.is_some());
        self.values.extend_from_slice(&v.unwrap_or([0; N]));
    }

    fn finish(self) -> Node {
        let len = self.valid.len;
        let (nulls, validity) = self.valid.validity();
        Node { len, nulls, buffers: vec![validity, Some(self.values)], children: Vec::new() }
    }
}

/// A `bool` column.
#[derive(Default)]
struct Bools {
    valid: Bits,
    values: Bits,
}

impl Bools {
    fn with_capacity(n: usize) -> Self {
        Bools { valid: Bits::with_capacity(n), values: Bits::with_capacity(n) }
    }

    fn push(&mut self, v: Option<bool>) {
        self.valid.push(v.is_some());
        self.values.push(v.unwrap_or(false));
    }

    fn finish(self) -> Node {
        let len = self.valid.len;
        let (nulls, validity) = self.valid.validity();
        Node { len, nulls, buffers: vec![validity, Some(self.values.bytes)], children: Vec::new() }
    }
}

/// A `string` column: `int32` offsets into UTF-8 bytes.
struct Strings {
    valid: Bits,
    offsets: Vec<u8>,
    data: Vec<u8>,
}

impl Strings {
    /// Room for `n` values of `bytes` bytes in all.
    fn with_capacity(n: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(n.saturating_add(1).saturating_mul(4));
        offsets.extend_from_slice(&0i32.to_le_bytes());
        Strings { valid: Bits::with_capacity(n), offsets, data: Vec::with_capacity(bytes) }
    }

    /// Ends the value just written to `data`.
    fn end(&mut self, present: bool) -> Result<(), Error> {
        self.valid.push(present);
        let end = i32::try_from(self.data.len()).map_err(|_| Error::Overflow("Arrow string column over 2 GiB"))?;
        self.offsets.extend_from_slice(&end.to_le_bytes());
        Ok(())
    }

    fn push(&mut self, v: Option<&str>) -> Result<(), Error> {
        if let Some(s) = v {
            self.data.extend_from_slice(s.as_bytes());
        }
        self.end(v.is_some())
    }

    fn finish(self) -> Node {
        let len = self.valid.len;
        let (nulls, validity) = self.valid.validity();
        Node { len, nulls, buffers: vec![validity, Some(self.offsets), Some(self.data)], children: Vec::new() }
    }
}

/// A `list<struct<...>>` column that is never null: list offsets, and the struct's fields as child columns.
struct Lists {
    offsets: Vec<u8>,
    items: i32,
    entries: usize,
}

impl Lists {
    fn with_capacity(n: usize) -> Self {
        let mut offsets = Vec::with_capacity(n.saturating_add(1).saturating_mul(4));
        offsets.extend_from_slice(&0i32.to_le_bytes());
        Lists { offsets, items: 0, entries: 0 }
    }

    fn push(&mut self, n: usize) -> Result<(), Error> {
        let n = i32::try_from(n).map_err(|_| Error::Overflow("Arrow list column"))?;
        self.items = self.items.checked_add(n).ok_or(Error::Overflow("Arrow list column"))?;
        self.offsets.extend_from_slice(&self.items.to_le_bytes());
        self.entries += 1;
        Ok(())
    }

    fn finish(self, fields: Vec<Node>) -> Node {
        let items = usize::try_from(self.items).unwrap_or(0);
        let item = Node { len: items, nulls: 0, buffers: vec![None], children: fields };
        Node { len: self.entries, nulls: 0, buffers: vec![None, Some(self.offsets)], children: vec![item] }
    }
}

fn date32(d: Option<NaiveDate>) -> Option<[u8; 4]> {
    d.map(|d| (d.num_days_from_ce() - UNIX_EPOCH_FROM_CE).to_le_bytes())
}

/// The room to reserve for a sum of `per_entry` over `entries`, from the first [`ESTIMATE_SAMPLE`] entries and
/// [`ESTIMATE_HEADROOM_PERCENT`] more. Buffers are sized before they are written (growing one copies it, and
/// fresh pages cost a fault each); an exact first pass would read every entry twice, which costs more than the
/// rare growth of an underestimate.
fn estimate(entries: &[EntryAssessment], per_entry: impl Fn(&EntryAssessment) -> usize) -> usize {
    let sample = entries.get(..ESTIMATE_SAMPLE).unwrap_or(entries);
    if sample.is_empty() {
        return 0;
    }
    let sum: usize = sample.iter().map(per_entry).sum();
    (sum / sample.len()).saturating_add(1).saturating_mul(entries.len()).saturating_mul(100 + ESTIMATE_HEADROOM_PERCENT)
        / 100
}

/// An amount as `decimal128(18, 2)`: cents as a little-endian `i128`, rounded half up to cents as the record's
/// two-decimal text is (amounts are whole cents already: the rounding is only ever taken for a wider scale).
fn cents(u: Usd) -> Result<[u8; 16], Error> {
    let d = u.amount();
    let c = match d.scale() {
        0 => d.mantissa().checked_mul(100),
        1 => d.mantissa().checked_mul(10),
        2 => Some(d.mantissa()),
        _ => u.round_cents(Rounding::HalfUp).to_cents().map(i128::from),
    };
    match c {
        Some(c) if c.abs() <= MAX_DECIMAL18_CENTS => Ok(c.to_le_bytes()),
        _ => Err(Error::Overflow("amount beyond decimal128(18, 2)")),
    }
}

/// The `findings` and `reasons` columns (their messages are most of the bytes).
fn list_columns(entries: &[EntryAssessment]) -> Result<(Node, Node), Error> {
    let n = entries.len();
    let findings_n = estimate(entries, |a| a.removal.findings.len());
    let findings_bytes = estimate(entries, |a| a.removal.findings.iter().map(|f| f.message.len()).sum());
    let reasons_n = estimate(entries, |a| a.claim.reasons.len());
    let reasons_bytes = estimate(entries, |a| a.claim.reasons.iter().map(|r| r.message.len()).sum());
    let text = |n: usize, per: usize| Strings::with_capacity(n, n.saturating_mul(per));
    let mut findings = Lists::with_capacity(n);
    let (mut f_code, mut f_message, mut f_cbp, mut f_line) = (
        text(findings_n, SHORT_TEXT_BYTES),
        Strings::with_capacity(findings_n, findings_bytes),
        text(findings_n, SHORT_TEXT_BYTES),
        Fixed::with_capacity(findings_n, 4),
    );
    let mut reasons = Lists::with_capacity(n);
    let (mut r_code, mut r_message, mut r_cbp, mut r_effect) = (
        text(reasons_n, SHORT_TEXT_BYTES),
        Strings::with_capacity(reasons_n, reasons_bytes),
        text(reasons_n, SHORT_TEXT_BYTES),
        text(reasons_n, SHORT_TEXT_BYTES),
    );
    for a in entries {
        findings.push(a.removal.findings.len())?;
        for f in &a.removal.findings {
            f_code.push(Some(f.code.as_str()))?;
            f_message.push(Some(&f.message))?;
            f_cbp.push(f.cbp_message)?;
            f_line.push(f.line.map(u32::to_le_bytes));
        }
        reasons.push(a.claim.reasons.len())?;
        for r in &a.claim.reasons {
            r_code.push(Some(r.code.as_str()))?;
            r_message.push(Some(&r.message))?;
            r_cbp.push(r.cbp_message)?;
            r_effect.push(Some(r.effect.name()))?;
        }
    }
    Ok((
        findings.finish(vec![f_code.finish(), f_message.finish(), f_cbp.finish(), f_line.finish()]),
        reasons.finish(vec![r_code.finish(), r_message.finish(), r_cbp.finish(), r_effect.finish()]),
    ))
}

/// Every column of `arrow_schema()` for `entries`, built without the interpreter; from
/// [`PARALLEL_MIN_ENTRIES`] entries on, the list columns on a second thread while this one builds the others.
///
/// # Errors
///
/// [`Error::Overflow`] for an amount beyond 18 digits or a string column over 2 GiB.
pub(crate) fn build(entries: &[EntryAssessment]) -> Result<Vec<Node>, Error> {
    let (mut columns, (findings, reasons)) = if entries.len() < PARALLEL_MIN_ENTRIES {
        (scalar_columns(entries)?, list_columns(entries)?)
    } else {
        std::thread::scope(|s| {
            let lists = s.spawn(|| list_columns(entries));
            let scalars = scalar_columns(entries);
            let lists = lists.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok::<_, Error>((scalars?, lists?))
        })?
    };
    // Into `arrow_schema()`'s order: findings after principal_is_upper_bound, reasons after status.
    columns.insert(FINDINGS_COLUMN.min(columns.len()), findings);
    columns.insert(REASONS_COLUMN.min(columns.len()), reasons);
    Ok(columns)
}

/// Every column but `findings` and `reasons`, in `arrow_schema()`'s order.
fn scalar_columns(entries: &[EntryAssessment]) -> Result<Vec<Node>, Error> {
    let n = entries.len();
    let notes_bytes = estimate(entries, |a| match &a.interest {
        Err(e) => e.message.len(),
        Ok(_) => ASSUMED_NOTE_BYTES,
    });
    let text = |n: usize, per: usize| Strings::with_capacity(n, n.saturating_mul(per));
    let mut entry_number = text(n, ENTRY_NUMBER_BYTES);
    let mut importer_number = text(n, SHORT_TEXT_BYTES);
    let mut entry_type = text(n, 2);
    let mut entry_date = Fixed::with_capacity(n, 4);
    let (mut duty_before, mut duty_after, mut ieepa_duty) =
        (Fixed::with_capacity(n, 16), Fixed::with_capacity(n, 16), Fixed::with_capacity(n, 16));
    let mut upper_bound = Bools::with_capacity(n);
    let mut status = text(n, SHORT_TEXT_BYTES);
    let (mut liquidation_date, mut last_filing_day) = (Fixed::with_capacity(n, 4), Fixed::with_capacity(n, 4));
    let mut days_left = Fixed::with_capacity(n, 8);
    let mut urgent = Bools::with_capacity(n);
    let mut rule_set = text(n, SHORT_TEXT_BYTES);
    let mut deposit_date = Fixed::with_capacity(n, 4);
    let mut deposit_date_rule = text(n, SHORT_TEXT_BYTES);
    let (mut projected_acceptance, mut projected_liquidation) =
        (Fixed::with_capacity(n, 4), Fixed::with_capacity(n, 4));
    let mut interest = Fixed::with_capacity(n, 16);
    let mut interest_days = Fixed::with_capacity(n, 4);
    let mut interest_note = Strings::with_capacity(n, notes_bytes);
    let mut importer_class = text(n, SHORT_TEXT_BYTES);
    let mut refund_recipient = text(n, SHORT_TEXT_BYTES);
    let mut refund_held = Bools::with_capacity(n);
    let mut next_action = text(n, SHORT_TEXT_BYTES);
    let mut act_by = Fixed::with_capacity(n, 4);
    let mut next_action_note = Strings::with_capacity(n, estimate(entries, |a| a.next_action.note.len()));
    let mut refund_due_by = Fixed::with_capacity(n, 4);

    for a in entries {
        // `XXX-NNNNNNN-C` from the 11 stored characters (as `Display` writes it).
        let number = a.removal.entry_number;
        match number.compact().as_bytes() {
            [f @ .., c] if f.len() == 10 => {
                entry_number.data.extend_from_slice(&f[..3]);
                entry_number.data.push(b'-');
                entry_number.data.extend_from_slice(&f[3..]);
                entry_number.data.push(b'-');
                entry_number.data.push(*c);
            }
            _ => {
                let _ = write!(entry_number.data, "{number}");
            }
        }
        entry_number.end(true)?;
        importer_number.push(a.importer_number.as_deref())?;
        entry_type.push(a.entry_type.as_deref())?;
        entry_date.push(date32(a.entry_date));
        duty_before.push(Some(cents(a.removal.duty_before)?));
        duty_after.push(Some(cents(a.removal.duty_after)?));
        ieepa_duty.push(Some(cents(a.removal.ieepa_duty)?));
        upper_bound.push(Some(a.removal.principal_is_upper_bound));
        status.push(Some(a.claim.status.name()))?;
        liquidation_date.push(date32(a.claim.liquidation_date));
        last_filing_day.push(date32(a.claim.last_filing_day));
        days_left.push(a.claim.days_left.map(i64::to_le_bytes));
        urgent.push(Some(a.claim.urgent));
        rule_set.push(Some(&a.claim.rule_set))?;
        let deposit = a.deposit.as_ref().ok();
        deposit_date.push(date32(deposit.map(|d| d.date)));
        deposit_date_rule.push(deposit.map(|d| d.rule.name()))?;
        projected_acceptance.push(date32(a.projected.as_ref().map(|p| p.acceptance)));
        projected_liquidation.push(date32(a.projected.as_ref().map(|p| p.liquidation)));
        let computed = a.interest.as_ref().ok();
        interest.push(computed.map(|i| cents(i.interest)).transpose()?);
        interest_days.push(computed.map(|i| i.days.to_le_bytes()));
        interest_note.push(a.interest_note())?;
        importer_class.push(Some(a.importer_class.name()))?;
        refund_recipient.push(a.recipient.as_ref().map(|r| r.number.as_str()))?;
        refund_held.push(a.recipient.as_ref().map(|r| r.held));
        next_action.push(Some(a.next_action.code.as_str()))?;
        act_by.push(date32(a.next_action.act_by));
        next_action_note.push(Some(&a.next_action.note))?;
        refund_due_by.push(date32(a.refund_due_by()));
    }

    Ok(vec![
        entry_number.finish(),
        importer_number.finish(),
        entry_type.finish(),
        entry_date.finish(),
        duty_before.finish(),
        duty_after.finish(),
        ieepa_duty.finish(),
        upper_bound.finish(),
        status.finish(),
        liquidation_date.finish(),
        last_filing_day.finish(),
        days_left.finish(),
        urgent.finish(),
        rule_set.finish(),
        deposit_date.finish(),
        deposit_date_rule.finish(),
        projected_acceptance.finish(),
        projected_liquidation.finish(),
        interest.finish(),
        interest_days.finish(),
        interest_note.finish(),
        importer_class.finish(),
        refund_recipient.finish(),
        refund_held.finish(),
        next_action.finish(),
        act_by.finish(),
        next_action_note.finish(),
        refund_due_by.finish(),
    ])
}

/// Arrow's C data interface `struct ArrowArray` (arrow/c/abi.h), by which pyarrow takes the buffers without a copy.
#[repr(C)]
struct FfiArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut FfiArray,
    dictionary: *mut FfiArray,
    release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    private_data: *mut c_void,
}

/// What an exported array owns until it is released: its buffers, the pointer arrays the struct points into,
/// and its children (each a leaked `Box<FfiArray>`, freed by the release).
struct Owned {
    _buffers: Vec<Option<Vec<u8>>>,
    buffer_ptrs: Vec<*const c_void>,
    children: Vec<*mut FfiArray>,
}

/// Where an empty buffer points: somewhere valid and aligned (a dangling `Vec` pointer is neither).
static EMPTY: [u64; 2] = [0; 2];

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `Box<FfiArray>` (leaked) owning `node`'s buffers and children.
fn export(node: Node) -> *mut FfiArray {
    let children: Vec<*mut FfiArray> = node.children.into_iter().map(export).collect();
    let buffer_ptrs: Vec<*const c_void> = node
        .buffers
        .iter()
        .map(|b| match b {
            None => std::ptr::null(),
            Some(v) if v.is_empty() => EMPTY.as_ptr().cast(),
            Some(v) => v.as_ptr().cast(),
        })
        .collect();
    let mut owned = Box::new(Owned { _buffers: node.buffers, buffer_ptrs, children });
    let array = FfiArray {
        length: as_i64(node.len),
        null_count: as_i64(node.nulls),
        offset: 0,
        n_buffers: as_i64(owned.buffer_ptrs.len()),
        n_children: as_i64(owned.children.len()),
        buffers: owned.buffer_ptrs.as_mut_ptr(),
        children: owned.children.as_mut_ptr(),
        dictionary: std::ptr::null_mut(),
        release: Some(release_array),
        private_data: Box::into_raw(owned).cast(),
    };
    Box::into_raw(Box::new(array))
}

/// The release callback of every exported array: frees what it owns and its children, and marks it released.
unsafe extern "C" fn release_array(array: *mut FfiArray) {
    // SAFETY: `array` is null or points to a struct made by `export` (or moved from one by the consumer, as the
    // interface allows); a released struct has `release` unset and is left alone.
    let Some(a) = (unsafe { array.as_mut() }) else { return };
    if a.release.is_none() {
        return;
    }
    // SAFETY: `private_data` is the `Box<Owned>` leaked by `export`, taken back once (release is unset below).
    let owned = unsafe { Box::from_raw(a.private_data.cast::<Owned>()) };
    for &child in &owned.children {
        // SAFETY: each child is a `Box<FfiArray>` leaked by `export`, owned by this parent alone.
        unsafe {
            release_array(child);
            drop(Box::from_raw(child));
        }
    }
    drop(owned);
    a.release = None;
    a.private_data = std::ptr::null_mut();
}

/// A top-level exported array: released here unless pyarrow took it (which marks it released).
struct Exported(*mut FfiArray);

impl Drop for Exported {
    fn drop(&mut self) {
        // SAFETY: `self.0` was made by `export` and is freed only here.
        unsafe {
            release_array(self.0);
            drop(Box::from_raw(self.0));
        }
    }
}

/// The columns as a `pyarrow.Table` of `arrow_schema()`: pyarrow takes each column's buffers as they are.
pub(crate) fn to_table<'py>(py: Python<'py>, nodes: Vec<Node>) -> PyResult<Bound<'py, PyAny>> {
    let frames = py.import("cape._frames")?;
    let schema = frames.call_method0("arrow_schema")?;
    let import = py.import("pyarrow")?.getattr("Array")?.getattr("_import_from_c")?;
    let arrays = PyList::empty(py);
    for (i, node) in nodes.into_iter().enumerate() {
        let field_type = schema.call_method1("field", (i,))?.getattr("type")?;
        let exported = Exported(export(node));
        arrays.append(import.call1((exported.0 as usize, field_type))?)?;
    }
    frames.call_method1("table_of", (arrays, schema))
}
