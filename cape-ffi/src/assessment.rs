//! Assessment: an ES-003 report (handle, file or buffer) with tables and options → per-entry results.

use std::ffi::{c_char, CString};

use cape_core::assess::EntryAssessment;
use cape_core::claim::ClaimStatus;
use cape_core::run::{assess_all, Partial, RunOptions, Source};
use cape_core::Es003Options;

use crate::error::{cape_error, cape_status, FfiError};
use crate::es003::{
    cape_diagnostic, cape_es003, cape_ingest_summary, diagnostic_strings, diagnostic_view, ingest_summary,
    DiagnosticStrings,
};
use crate::options::cape_assess_options;
use crate::refund::cape_consolidation;
use crate::sized::{self, write_sized};
use crate::strings::{arg_bytes, arg_opt_str, arg_out, arg_path, arg_ref, c_string, free_box, store_box};
use crate::tables::cape_tables;

/// The claim status of an entry (CAPE.md §2). In C the type is a `uint32_t`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_claim_status {
    /// Can be declared; the refund follows acceptance.
    Eligible = 0,
    /// Can be declared; the refund waits for the entry's normal liquidation.
    EligibleDeferred = 1,
    /// A person must resolve a missing or contradictory fact first.
    NeedsReview = 2,
    /// CAPE would reject the entry.
    Ineligible = 3,
}

impl From<ClaimStatus> for cape_claim_status {
    fn from(s: ClaimStatus) -> Self {
        match s {
            ClaimStatus::Eligible => cape_claim_status::Eligible,
            ClaimStatus::EligibleDeferred => cape_claim_status::EligibleDeferred,
            ClaimStatus::NeedsReview => cape_claim_status::NeedsReview,
            ClaimStatus::Ineligible => cape_claim_status::Ineligible,
        }
    }
}

/// The result of a run over a report: counts and totals, the ingest balance and diagnostics, the
/// consolidated refunds, and (from the materialising calls) every entry's assessment.
///
/// Created by `cape_assess_es003`, `cape_assess_path` or `cape_assess_buffer` (every entry kept: for small
/// files), or by `cape_run_path` / `cape_run_buffer` (no entry kept: `cape_assessment_entry_count` is 0);
/// released with `cape_assessment_free`. Immutable: every function taking a `const cape_assessment *` may be
/// called from several threads at once. Self-contained: it does not borrow the report, tables or options it
/// was made from, which may be freed first. Strings read from it are borrowed and valid until
/// `cape_assessment_free`.
pub struct cape_assessment {
    pub(crate) partial: Partial,
    entries: Vec<EntryStrings>,
    totals: TotalsStrings,
    diagnostics: Vec<DiagnosticStrings>,
}

/// Where a string lies in an [`EntryStrings`] buffer: its offset, or [`NONE`] for NULL.
type At = usize;
/// The offset of an absent (NULL) string.
const NONE: At = usize::MAX;

/// The strings of a reason or a finding, as offsets into their entry's buffer.
pub(crate) struct TextTriple {
    code: At,
    message: At,
    cbp_message: At,
    extra: At,
    line: u32,
}

/// The strings of one entry's assessment, made once so that `cape_entry_result` can lend them: every string,
/// NUL-terminated, in one buffer (one allocation per entry kept, none per entry streamed: the streaming call
/// refills one `EntryStrings` for every entry).
#[derive(Default)]
pub(crate) struct EntryStrings {
    buf: Vec<u8>,
    /// The offsets of the record's strings, in the order of [`Field`].
    fields: [At; FIELDS],
    pub(crate) reasons: Vec<TextTriple>,
    pub(crate) findings: Vec<TextTriple>,
}

/// The record's string fields, as indexes into [`EntryStrings::fields`].
#[derive(Clone, Copy)]
enum Field {
    EntryNumber,
    StatusName,
    ImporterNumber,
    EntryType,
    EntryDate,
    DutyBefore,
    DutyAfter,
    IeepaDuty,
    LiquidationDate,
    LastFilingDay,
    RuleSet,
    DepositDate,
    DepositDateRule,
    ProjectedAcceptanceDate,
    ProjectedLiquidationDate,
    Interest,
    InterestNote,
    ImporterClass,
    RefundRecipient,
    NextAction,
    ActBy,
    NextActionNote,
    RefundDueBy,
}
const FIELDS: usize = Field::RefundDueBy as usize + 1;

impl EntryStrings {
    /// The strings of `a`'s record (the record of `cape assess`).
    pub(crate) fn new(a: &EntryAssessment) -> Self {
        let mut s = EntryStrings::default();
        s.fill(a);
        s.buf.shrink_to_fit();
        s
    }

    /// Replaces the strings with those of `a`'s record, reusing the buffers.
    pub(crate) fn fill(&mut self, a: &EntryAssessment) {
        let r = a.record();
        self.buf.clear();
        self.reasons.clear();
        self.findings.clear();
        let b = &mut self.buf;
        let f = &mut self.fields;
        f[Field::EntryNumber as usize] = push(b, &r.entry_number);
        f[Field::StatusName as usize] = push(b, r.status);
        f[Field::ImporterNumber as usize] = push_opt(b, r.importer_number);
        f[Field::EntryType as usize] = push_opt(b, r.entry_type);
        f[Field::EntryDate as usize] = push_date(b, r.entry_date);
        f[Field::DutyBefore as usize] = push(b, &r.duty_before);
        f[Field::DutyAfter as usize] = push(b, &r.duty_after);
        f[Field::IeepaDuty as usize] = push(b, &r.ieepa_duty);
        f[Field::LiquidationDate as usize] = push_date(b, r.liquidation_date);
        f[Field::LastFilingDay as usize] = push_date(b, r.last_filing_day);
        f[Field::RuleSet as usize] = push(b, r.rule_set);
        f[Field::DepositDate as usize] = push_date(b, r.deposit_date);
        f[Field::DepositDateRule as usize] = push_opt(b, r.deposit_date_rule);
        f[Field::ProjectedAcceptanceDate as usize] = push_date(b, r.projected_acceptance_date);
        f[Field::ProjectedLiquidationDate as usize] = push_date(b, r.projected_liquidation_date);
        f[Field::Interest as usize] = push_opt(b, r.interest.as_deref());
        f[Field::InterestNote as usize] = push_opt(b, r.interest_note.as_deref());
        f[Field::ImporterClass as usize] = push(b, r.importer_class);
        f[Field::RefundRecipient as usize] = push_opt(b, r.refund_recipient);
        f[Field::NextAction as usize] = push(b, r.next_action);
        f[Field::ActBy as usize] = push_date(b, r.act_by);
        f[Field::NextActionNote as usize] = push(b, r.next_action_note);
        f[Field::RefundDueBy as usize] = push_date(b, r.refund_due_by);
        for x in &r.reasons {
            let t = TextTriple {
                code: push(b, x.code),
                message: push(b, x.message),
                cbp_message: push_opt(b, x.cbp_message),
                extra: push(b, x.effect),
                line: 0,
            };
            self.reasons.push(t);
        }
        for x in &r.findings {
            let t = TextTriple {
                code: push(b, x.code),
                message: push(b, x.message),
                cbp_message: push_opt(b, x.cbp_message),
                extra: NONE,
                line: x.line.unwrap_or(0),
            };
            self.findings.push(t);
        }
    }

    /// The pointer of the string at `at` (NULL for [`NONE`]); valid while `self` is not changed.
    fn ptr(&self, at: At) -> *const c_char {
        self.buf.get(at..).map_or(std::ptr::null(), |s| s.as_ptr().cast())
    }

    fn field(&self, f: Field) -> *const c_char {
        self.ptr(self.fields[f as usize])
    }

    /// The C view of `e`, whose strings these are; the pointers are valid while `self` lives unchanged.
    pub(crate) fn view(&self, e: &EntryAssessment) -> cape_entry_result {
        cape_entry_result {
            struct_size: sized::size_of::<cape_entry_result>(),
            entry_number: self.field(Field::EntryNumber),
            status: e.status().into(),
            status_name: self.field(Field::StatusName),
            importer_number: self.field(Field::ImporterNumber),
            entry_type: self.field(Field::EntryType),
            entry_date: self.field(Field::EntryDate),
            duty_before: self.field(Field::DutyBefore),
            duty_after: self.field(Field::DutyAfter),
            ieepa_duty: self.field(Field::IeepaDuty),
            principal_is_upper_bound: e.removal.principal_is_upper_bound,
            liquidation_date: self.field(Field::LiquidationDate),
            last_filing_day: self.field(Field::LastFilingDay),
            days_left: e.claim.days_left.unwrap_or(0),
            has_days_left: e.claim.days_left.is_some(),
            urgent: e.claim.urgent,
            rule_set: self.field(Field::RuleSet),
            deposit_date: self.field(Field::DepositDate),
            deposit_date_rule: self.field(Field::DepositDateRule),
            projected_acceptance_date: self.field(Field::ProjectedAcceptanceDate),
            projected_liquidation_date: self.field(Field::ProjectedLiquidationDate),
            interest: self.field(Field::Interest),
            interest_note: self.field(Field::InterestNote),
            importer_class: self.field(Field::ImporterClass),
            refund_recipient: self.field(Field::RefundRecipient),
            refund_held: cape_refund_held::from(e.recipient.as_ref().map(|r| r.held)),
            reason_count: self.reasons.len(),
            finding_count: self.findings.len(),
            next_action: self.field(Field::NextAction),
            act_by: self.field(Field::ActBy),
            next_action_note: self.field(Field::NextActionNote),
            refund_due_by: self.field(Field::RefundDueBy),
        }
    }

    /// Item `index` of `list` (this entry's reasons or findings), as C sees it.
    pub(crate) fn text_item(&self, list: &[TextTriple], index: usize, what: &str) -> Result<cape_reason, FfiError> {
        let t = list.get(index).ok_or_else(|| FfiError::index(index, list.len(), what))?;
        Ok(cape_reason {
            struct_size: sized::size_of::<cape_reason>(),
            code: self.ptr(t.code),
            message: self.ptr(t.message),
            cbp_message: self.ptr(t.cbp_message),
            effect: self.ptr(t.extra),
            line: t.line,
        })
    }
}

/// Appends `s` and its NUL (a NUL inside `s` becomes U+FFFD, as `c_string` does); returns its offset.
fn push(buf: &mut Vec<u8>, s: &str) -> At {
    let at = buf.len();
    if s.as_bytes().contains(&0) {
        buf.extend_from_slice(s.replace('\0', "\u{FFFD}").as_bytes());
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
    buf.push(0);
    at
}

fn push_opt(buf: &mut Vec<u8>, s: Option<&str>) -> At {
    s.map_or(NONE, |s| push(buf, s))
}

/// Appends a date as `YYYY-MM-DD` (as `cape_core::iso`) without a string of its own.
fn push_date(buf: &mut Vec<u8>, d: Option<chrono::NaiveDate>) -> At {
    use chrono::Datelike;
    let Some(d) = d else { return NONE };
    let at = buf.len();
    match u32::try_from(d.year()) {
        Ok(y) if y <= 9999 => {
            let digit = |n: u32| b'0' + (n % 10) as u8;
            let (m, dd) = (d.month(), d.day());
            buf.extend_from_slice(&[
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit(m / 10),
                digit(m),
                b'-',
                digit(dd / 10),
                digit(dd),
                0,
            ]);
        }
        // Years outside 0..=9999 (no real entry's): as `iso` writes them.
        _ => return push(buf, &cape_core::iso(d)),
    }
    at
}

struct TotalsStrings {
    ieepa_duty: CString,
    declarable_ieepa_duty: CString,
    interest: CString,
    rule_set: CString,
}

impl cape_assessment {
    pub(crate) fn new(partial: Partial) -> Self {
        let entries = partial.entries.iter().map(EntryStrings::new).collect();
        let t = &partial.totals;
        let totals = TotalsStrings {
            ieepa_duty: c_string(&t.ieepa_duty.to_string_2dp()),
            declarable_ieepa_duty: c_string(&t.declarable_ieepa_duty.to_string_2dp()),
            interest: c_string(&t.interest.to_string_2dp()),
            rule_set: c_string(&partial.rule_set),
        };
        let diagnostics = diagnostic_strings(&partial.diagnostics);
        cape_assessment { partial, entries, totals, diagnostics }
    }
}

/// Whether an entry's refund would be held (no ACH refund enrollment): a tri-state, unknown when the entry has
/// no refund recipient. In C the type is a `uint32_t`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cape_refund_held {
    /// Not known: the entry has no refund recipient.
    Unknown = 0,
    /// The refund would not be held.
    No = 1,
    /// The refund would be held.
    Yes = 2,
}

impl From<Option<bool>> for cape_refund_held {
    fn from(held: Option<bool>) -> Self {
        match held {
            None => cape_refund_held::Unknown,
            Some(false) => cape_refund_held::No,
            Some(true) => cape_refund_held::Yes,
        }
    }
}

/// One assessed entry (the record of `cape assess`).
///
/// Every string is borrowed: from the `cape_assessment` (`cape_assessment_entry`), valid until
/// `cape_assessment_free`; or from the `cape_entry` (`cape_entry_get`, in a `cape_entry_cb`), valid until the
/// callback returns. Never free them. Money is a decimal string with exactly two decimals; dates are `YYYY-MM-DD`; NULL means "not known / not
/// applicable" as stated per field.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_entry_result {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_entry_result)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Canonical entry number, `XXX-NNNNNNN-C`. Never NULL.
    pub entry_number: *const c_char,
    /// The claim status.
    pub status: cape_claim_status,
    /// The status's stable name: `eligible`, `eligible_deferred`, `needs_review`, `ineligible`. Never NULL.
    pub status_name: *const c_char,
    /// The importer of record as written, or NULL.
    pub importer_number: *const c_char,
    /// The entry type code (`"01"`), or NULL.
    pub entry_type: *const c_char,
    /// The entry date, or NULL.
    pub entry_date: *const c_char,
    /// Duty before IEEPA removal. Never NULL.
    pub duty_before: *const c_char,
    /// Duty after IEEPA removal. Never NULL.
    pub duty_after: *const c_char,
    /// The IEEPA principal to be refunded. Never NULL.
    pub ieepa_duty: *const c_char,
    /// Whether the principal is an upper bound (a finding says why).
    pub principal_is_upper_bound: bool,
    /// The liquidation date, or NULL when not liquidated.
    pub liquidation_date: *const c_char,
    /// The last day to file the entry on a declaration, or NULL when not liquidated.
    pub last_filing_day: *const c_char,
    /// Days from the as-of date to the last filing day (negative when past); meaningful only when
    /// `has_days_left` is true (else 0).
    pub days_left: i64,
    /// Whether `days_left` is set (a filing window runs).
    pub has_days_left: bool,
    /// Whether the filing window closes within the urgency horizon.
    pub urgent: bool,
    /// The rule set applied (`phase1`, `phase2`...). Never NULL.
    pub rule_set: *const c_char,
    /// The deposit date, or NULL when not known.
    pub deposit_date: *const c_char,
    /// The rule that gave the deposit date (e.g. `payment_date`), or NULL.
    pub deposit_date_rule: *const c_char,
    /// The projected CAPE acceptance date (eligible entries), or NULL.
    pub projected_acceptance_date: *const c_char,
    /// The projected (re)liquidation date (eligible entries), or NULL.
    pub projected_liquidation_date: *const c_char,
    /// Interest to the projected (re)liquidation date, or NULL when not computed (`interest_note` says why).
    pub interest: *const c_char,
    /// A note on the interest (why there is none, or that an assumed rate was used), or NULL.
    pub interest_note: *const c_char,
    /// `corporate` or `noncorporate`: the class whose rate was used. Never NULL.
    pub importer_class: *const c_char,
    /// Who the refund goes to (importer or Form 4811 designee number), or NULL.
    pub refund_recipient: *const c_char,
    /// Whether the refund would be held (no ACH refund enrollment): `CAPE_REFUND_HELD_UNKNOWN` when there
    /// is no recipient.
    pub refund_held: cape_refund_held,
    /// The number of reasons (`cape_assessment_reason`).
    pub reason_count: usize,
    /// The number of mass-processing findings (`cape_assessment_finding`).
    pub finding_count: usize,
    /// What to do next about the entry: a stable action code (`declare`, `protest`, `court_action`... the
    /// `action` family of docs/codes.md). Never NULL.
    pub next_action: *const c_char,
    /// The last day to act, or NULL when no deadline runs.
    pub act_by: *const c_char,
    /// One line: what to do, by when, and why that day. Never NULL.
    pub next_action_note: *const c_char,
    /// The day the refund is due: the projected (re)liquidation + 30 days (19 USC 1505(b)), or NULL (no
    /// projection: entries not eligible).
    pub refund_due_by: *const c_char,
}

/// A reason for an entry's status, or a finding of mass processing.
///
/// The strings are borrowed from the `cape_assessment` (valid until `cape_assessment_free`) or the `cape_entry`
/// (valid until the `cape_entry_cb` returns) they came from.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_reason {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_reason)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// The stable code, e.g. `"PROTEST_ON_ENTRY"` (reasons) or `"NOT_IN_CATALOGUE"` (findings). Never NULL.
    pub code: *const c_char,
    /// A plain-English message. Never NULL.
    pub message: *const c_char,
    /// CBP's own message text, where CBP has one; else NULL.
    pub cbp_message: *const c_char,
    /// Reasons: the effect, `ineligible`, `review`, `deferred` or `note`. Findings: NULL.
    pub effect: *const c_char,
    /// Findings: the line concerned, or 0 when none. Reasons: 0.
    pub line: u32,
}

/// Counts and totals over an assessment. Strings borrowed from the `cape_assessment`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cape_assess_totals {
    /// The size of this struct as the caller knows it: set it to `sizeof(cape_assess_totals)` before the call; libcape
    /// fills only the fields that fit and sets it to the bytes it wrote (see "Growth policy" in the header).
    pub struct_size: u32,
    /// Entries assessed.
    pub entries: u64,
    /// `eligible` entries.
    pub eligible: u64,
    /// `eligible_deferred` entries.
    pub eligible_deferred: u64,
    /// `ineligible` entries.
    pub ineligible: u64,
    /// `needs_review` entries.
    pub needs_review: u64,
    /// Urgent entries.
    pub urgent: u64,
    /// IEEPA principal over all entries. Never NULL.
    pub ieepa_duty: *const c_char,
    /// IEEPA principal of the declarable entries. Never NULL.
    pub declarable_ieepa_duty: *const c_char,
    /// Interest over the entries with a computed interest. Never NULL.
    pub interest: *const c_char,
    /// The rule set applied. Never NULL.
    pub rule_set: *const c_char,
}

sized::impl_sized!(cape_entry_result, cape_reason, cape_assess_totals);

/// Check the common arguments and run `source` through the spine keeping every entry
/// (`cape_core::run::assess_all`).
///
/// # Safety
///
/// As the exported functions' contracts.
unsafe fn assess_with(
    tables: *const cape_tables,
    options: *const cape_assess_options,
    out: *mut *mut cape_assessment,
    source: impl FnOnce() -> Result<(Source, Es003Options), FfiError>,
) -> Result<(), FfiError> {
    // SAFETY: NULL or live, per the contract.
    let tables = unsafe { arg_ref(tables, "tables") }?;
    // SAFETY: NULL or live, per the contract.
    let options = unsafe { arg_ref(options, "options") }?;
    let out = arg_out(out, "out")?;
    let (source, es003) = source()?;
    let mut run = RunOptions::new();
    run.es003 = es003;
    let partial = assess_all(source, &tables.inner, options.inner.clone(), &run)?;
    // SAFETY: checked not NULL, valid for writes per the contract.
    unsafe { store_box(out, cape_assessment::new(partial)) };
    Ok(())
}

/// Assess every entry of an ES-003 report already read (`report` is not consumed; it is copied), keeping every
/// entry's assessment.
///
/// For small files: memory grows about 1 KB per entry (plus the copy of the report); use the streaming API
/// (`cape_run_path`, `cape_run_buffer`) for large files.
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_assessment_free`).
/// Thread-safe: several threads may assess at once with the same `tables`, `options` and `report`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`report`, `tables`, `options` or `out` NULL);
/// `CAPE_STATUS_INVALID_VALUE` (the options name no rule set of `tables`, or invalid interest parameters);
/// `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `report`, `tables` and `options` are NULL or live handles; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_es003(
    report: *const cape_es003,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    out: *mut *mut cape_assessment,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let report = unsafe { arg_ref(report, "report") }?;
        // SAFETY: forwarded contract.
        unsafe {
            assess_with(tables, options, out, || {
                Ok((Source::Report(Box::new(report.report.clone())), Es003Options::default()))
            })
        }
    })
}

/// Read an ES-003 file (CSV or XLSX) and assess every entry, keeping every entry's assessment.
///
/// For small files: memory grows about 1 KB per entry; use the streaming API (`cape_run_path`) for large
/// files.
///
/// On success writes a new handle to `*out`, owned by the caller. Bad rows are diagnostics
/// (`cape_assessment_diagnostic`), not failures. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`path`, `tables`, `options` or `out` NULL);
/// `CAPE_STATUS_IO`; `CAPE_STATUS_INVALID_FORMAT`; `CAPE_STATUS_MISSING_COLUMN`; `CAPE_STATUS_INVALID_VALUE`
/// (unknown rule set); `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `path` is NULL or NUL-terminated; `tables` and `options` are NULL or live; `out` and `err` are NULL or valid
/// for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_path(
    path: *const c_char,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    out: *mut *mut cape_assessment,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let path = unsafe { arg_path(path, "path") }?;
        // SAFETY: forwarded contract.
        unsafe { assess_with(tables, options, out, || Ok((Source::Path(path), Es003Options::default()))) }
    })
}

/// Read an ES-003 report from memory (CSV or XLSX bytes) and assess every entry, keeping every entry's
/// assessment.
///
/// For small files: memory grows about 1 KB per entry (plus a copy of the bytes); use the streaming API
/// (`cape_run_buffer`) for large inputs.
///
/// `data` may be NULL only when `len` is 0 (an empty buffer is `CAPE_STATUS_INVALID_FORMAT`). `source_name`
/// (nullable) names the input in messages. The bytes are not retained. On success writes a new handle to
/// `*out`, owned by the caller. Thread-safe.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`tables`, `options` or `out` NULL, or `data` NULL with
/// `len` > 0); `CAPE_STATUS_INVALID_UTF8` (`source_name`); `CAPE_STATUS_INVALID_FORMAT`;
/// `CAPE_STATUS_MISSING_COLUMN`; `CAPE_STATUS_INVALID_VALUE` (unknown rule set); `CAPE_STATUS_OVERFLOW`.
///
/// # Safety
///
/// `data` is NULL or valid for reading `len` bytes; `source_name` is NULL or NUL-terminated; `tables` and
/// `options` are NULL or live; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assess_buffer(
    data: *const u8,
    len: usize,
    source_name: *const c_char,
    tables: *const cape_tables,
    options: *const cape_assess_options,
    out: *mut *mut cape_assessment,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        // SAFETY: per the contract.
        let source_name = unsafe { arg_opt_str(source_name, "source_name") }?.map(str::to_owned);
        // SAFETY: forwarded contract.
        unsafe {
            assess_with(tables, options, out, || {
                let mut o = Es003Options::default();
                o.source_name = source_name;
                Ok((Source::Bytes(bytes.to_vec()), o))
            })
        }
    })
}

/// Release an assessment and every string borrowed from it. NULL is a no-op.
///
/// # Safety
///
/// `assessment` is NULL or a handle from `cape_assess_*` not yet freed, not in use by another thread; it must
/// not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_free(assessment: *mut cape_assessment) {
    ffi_boundary!({
        // SAFETY: per the contract.
        unsafe { free_box(assessment) }
    })
}

/// The number of entries assessed (0 when `assessment` is NULL).
///
/// # Safety
///
/// `assessment` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_entry_count(assessment: *const cape_assessment) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { assessment.as_ref() }.map_or(0, |a| a.entries.len())
    })
}

/// Entry `index` (0-based, in input order), written to `*out` (set `out->struct_size` first). Its strings are
/// borrowed from `assessment`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`
/// (`index >= cape_assessment_entry_count`).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a struct whose `struct_size` is set and which is
/// valid for writing that many bytes; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_entry(
    assessment: *const cape_assessment,
    index: usize,
    out: *mut cape_entry_result,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let (e, s) = a
            .partial
            .entries
            .get(index)
            .zip(a.entries.get(index))
            .ok_or_else(|| FfiError::index(index, a.entries.len(), "entries"))?;
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, s.view(e), "out") }
    })
}

fn entry_strings(a: &cape_assessment, entry: usize) -> Result<&EntryStrings, FfiError> {
    a.entries.get(entry).ok_or_else(|| FfiError::index(entry, a.entries.len(), "entries"))
}

/// Reason `index` of entry `entry` (in the order found), written to `*out` (set `out->struct_size` first);
/// strings borrowed from `assessment`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE` (`entry` or
/// `index` past the end).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a sized struct valid for writing; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_reason(
    assessment: *const cape_assessment,
    entry: usize,
    index: usize,
    out: *mut cape_reason,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let r = {
            let e = entry_strings(a, entry)?;
            e.text_item(&e.reasons, index, "reasons")
        }?;
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, r, "out") }
    })
}

/// Mass-processing finding `index` of entry `entry`, written to `*out` (set `out->struct_size` first;
/// `effect` is NULL); strings borrowed from `assessment`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE` (`entry` or
/// `index` past the end).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a sized struct valid for writing; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_finding(
    assessment: *const cape_assessment,
    entry: usize,
    index: usize,
    out: *mut cape_reason,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let r = {
            let e = entry_strings(a, entry)?;
            e.text_item(&e.findings, index, "findings")
        }?;
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, r, "out") }
    })
}

/// The counts and totals of a run, written to `*out` (set `out->struct_size` first); strings borrowed from
/// `assessment`. They cover every entry of the input, whether or not the entries were kept.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a sized struct valid for writing; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_totals(
    assessment: *const cape_assessment,
    out: *mut cape_assess_totals,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let t = &a.partial.totals;
        let totals = cape_assess_totals {
            struct_size: sized::size_of::<cape_assess_totals>(),
            entries: t.entries,
            eligible: t.eligible,
            eligible_deferred: t.eligible_deferred,
            ineligible: t.ineligible,
            needs_review: t.needs_review,
            urgent: t.urgent,
            ieepa_duty: a.totals.ieepa_duty.as_ptr(),
            declarable_ieepa_duty: a.totals.declarable_ieepa_duty.as_ptr(),
            interest: a.totals.interest.as_ptr(),
            rule_set: a.totals.rule_set.as_ptr(),
        };
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, totals, "out") }
    })
}

/// The ingest balance of the run's input (rows read = used + rejected, entries, lines, diagnostics by
/// severity), written to `*out` (set `out->struct_size` first).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a sized struct valid for writing; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_summary(
    assessment: *const cape_assessment,
    out: *mut cape_ingest_summary,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let s = ingest_summary(&a.partial.ingest, a.diagnostics.len());
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, s, "out") }
    })
}

/// The number of ingest diagnostics kept (at most 1,000 per code; 0 when `assessment` is NULL).
///
/// # Safety
///
/// `assessment` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_diagnostic_count(assessment: *const cape_assessment) -> usize {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        unsafe { assessment.as_ref() }.map_or(0, |a| a.diagnostics.len())
    })
}

/// How many diagnostics with the stable code `code` the run found: exact for any number of rows. 0 when
/// `assessment` or `code` is NULL, `code` is not valid UTF-8, or no such diagnostic was found.
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `code` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_code_count(assessment: *const cape_assessment, code: *const c_char) -> u64 {
    ffi_boundary!({
        // SAFETY: NULL or live, per the contract.
        let Some(a) = (unsafe { assessment.as_ref() }) else { return 0 };
        // SAFETY: NULL or NUL-terminated, per the contract.
        let Ok(Some(code)) = (unsafe { arg_opt_str(code, "code") }) else { return 0 };
        a.partial.ingest.counts_by_code.iter().find(|(c, _)| c.as_str() == code).map_or(0, |(_, n)| *n)
    })
}

/// Ingest diagnostic `index` (0-based, in input order), written to `*out` (set `out->struct_size` first);
/// strings borrowed from `assessment`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL);
/// `CAPE_STATUS_BUFFER_TOO_SMALL` (`out->struct_size` not set); `CAPE_STATUS_OUT_OF_RANGE`.
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or a sized struct valid for writing; `err` is NULL or
/// valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_diagnostic(
    assessment: *const cape_assessment,
    index: usize,
    out: *mut cape_diagnostic,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        let n = a.diagnostics.len();
        let (d, s) = a
            .partial
            .diagnostics
            .get(index)
            .zip(a.diagnostics.get(index))
            .ok_or_else(|| FfiError::index(index, n, "diagnostics"))?;
        // SAFETY: not NULL, sized per the contract.
        unsafe { write_sized(out, diagnostic_view(d, s), "out") }
    })
}

/// The refunds of the run's eligible entries, consolidated per recipient and liquidation date as the run
/// folded them (with the run's minimum refund, `cape_run_options.minimum_refund`; none for the materialising
/// calls). It covers every entry of the input, whether or not the entries were kept.
///
/// On success writes a new handle to `*out`, owned by the caller (free with `cape_consolidation_free`).
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` and `err` are NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_consolidation(
    assessment: *const cape_assessment,
    out: *mut *mut cape_consolidation,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: checked not NULL, valid for writes per the contract.
        unsafe { store_box(out, cape_consolidation::new(a.partial.consolidation.clone())) };
        Ok(())
    })
}

/// The run's totals as one line of JSON: byte for byte the `summary.totals` of `cape assess --format json`, and
/// Python's `Totals.to_json()`.
///
/// On success writes an owned string to `*out`: free it with `cape_string_free`.
///
/// Returns `CAPE_STATUS_OK`; `CAPE_STATUS_NULL_ARGUMENT` (`assessment` or `out` NULL).
///
/// # Safety
///
/// `assessment` is NULL or a live handle; `out` is NULL or valid for writing; `err` is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn cape_assessment_totals_json(
    assessment: *const cape_assessment,
    out: *mut *mut c_char,
    err: *mut *mut cape_error,
) -> cape_status {
    ffi_boundary!(err = err, {
        // SAFETY: NULL or live, per the contract.
        let a = unsafe { arg_ref(assessment, "assessment") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: not NULL, valid for writes per the contract.
        unsafe { out.write(crate::strings::owned_c_string(&a.partial.totals.to_json())) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use cape_core::assess::{AssessOptions, Tables};
    use cape_core::run::{assess_all, RunOptions, Source};

    use super::*;

    fn text(p: *const c_char) -> Option<String> {
        // SAFETY: NULL or a NUL-terminated string of the EntryStrings alive in the caller.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    /// One buffer refilled entry after entry gives each entry's record exactly, NULLs included.
    #[test]
    fn refilled_strings_are_each_entrys_record() {
        let tables = Tables::embedded().unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cape-core/data/sample_es003.csv");
        let p = assess_all(Source::Path(sample), &tables, AssessOptions::new(as_of), &RunOptions::new()).unwrap();
        assert!(p.entries.len() > 100);
        let mut s = EntryStrings::default();
        let (mut nulls, mut reasons, mut acts, mut dues) = (0, 0, 0, 0);
        for e in &p.entries {
            s.fill(e);
            let v = s.view(e);
            let r = e.record();
            let date = |d: Option<chrono::NaiveDate>| d.map(cape_core::iso);
            assert_eq!(text(v.entry_number), Some(r.entry_number.clone()));
            assert_eq!(text(v.status_name).as_deref(), Some(r.status));
            assert_eq!(text(v.importer_number).as_deref(), r.importer_number);
            assert_eq!(text(v.entry_date), date(r.entry_date));
            assert_eq!(text(v.duty_before), Some(r.duty_before.clone()));
            assert_eq!(text(v.ieepa_duty), Some(r.ieepa_duty.clone()));
            assert_eq!(text(v.liquidation_date), date(r.liquidation_date));
            assert_eq!(text(v.last_filing_day), date(r.last_filing_day));
            assert_eq!(text(v.deposit_date), date(r.deposit_date));
            assert_eq!(text(v.projected_liquidation_date), date(r.projected_liquidation_date));
            assert_eq!(text(v.interest), r.interest.clone());
            assert_eq!(text(v.interest_note), r.interest_note.clone());
            assert_eq!(text(v.refund_recipient).as_deref(), r.refund_recipient);
            assert_eq!(text(v.next_action).as_deref(), Some(r.next_action));
            assert_eq!(text(v.act_by), date(r.act_by));
            assert_eq!(text(v.next_action_note).as_deref(), Some(r.next_action_note));
            assert_eq!(text(v.refund_due_by), date(r.refund_due_by));
            acts += usize::from(r.act_by.is_some());
            dues += usize::from(r.refund_due_by.is_some());
            assert_eq!(v.reason_count, r.reasons.len());
            for (i, want) in r.reasons.iter().enumerate() {
                let got = s.text_item(&s.reasons, i, "reasons").unwrap();
                assert_eq!(text(got.code).as_deref(), Some(want.code));
                assert_eq!(text(got.message).as_deref(), Some(want.message));
                assert_eq!(text(got.cbp_message).as_deref(), want.cbp_message);
                assert_eq!(text(got.effect).as_deref(), Some(want.effect));
                reasons += 1;
            }
            assert!(s.text_item(&s.reasons, r.reasons.len(), "reasons").is_err());
            nulls += usize::from(v.liquidation_date.is_null());
        }
        // The sample has both liquidated and unliquidated entries, and reasons to compare.
        assert!(nulls > 0 && nulls < p.entries.len() && reasons > 0, "{nulls} {reasons}");
        // Deadlines and refund due dates both present and absent.
        assert!(acts > 0 && acts < p.entries.len() && dues > 0 && dues < p.entries.len(), "{acts} {dues}");
    }

    #[test]
    fn dates_are_iso_and_nuls_replaced() {
        let mut b = Vec::new();
        for (y, m, d) in [(2025, 2, 4), (999, 12, 31), (10_000, 1, 1), (-5, 6, 7)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            b.clear();
            assert_eq!(push_date(&mut b, Some(date)), 0);
            assert_eq!(CStr::from_bytes_with_nul(&b).unwrap().to_str().unwrap(), cape_core::iso(date));
        }
        assert_eq!(push_date(&mut b, None), NONE);
        b.clear();
        push(&mut b, "a\0b");
        assert_eq!(CStr::from_bytes_with_nul(&b).unwrap().to_str().unwrap(), "a\u{FFFD}b");
    }
}
