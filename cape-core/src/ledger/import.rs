//! Recording files: each import one transaction, at most once per (kind, SHA-256, as-of day).

use std::borrow::Borrow;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{to_cents, Ledger};
use crate::assess::{AssessOptions, EntryAssessment, Tables};
use crate::claim::declaration::{read_manifest, sha256_hex, MAX_MANIFEST_BYTES};
use crate::claim::preflight::{preflight_bytes, FindingLevel, PreflightOptions};
use crate::claim::results::{read_results_path_with, CapeResults, ResultsOptions};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ErrorKind, Result};
use crate::ingest::source::{read_capped, Capped};
use crate::refund::payments::{PaymentRow, PaymentStatus, RefundReportKind};
use crate::run::{RunOptions, Source};

/// What kind of file an import recorded (the `imports.kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ImportKind {
    /// An ES-003 assessed through cape's spine.
    Assessment,
    /// A declaration folder's manifest and the files it lists.
    Declarations,
    /// A CAPE claim-details (results) file.
    ClaimResults,
    /// An ACE refund report.
    Refunds(RefundReportKind),
}

impl ImportKind {
    /// The stable code stored in `imports.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Assessment => "assessment",
            ImportKind::Declarations => "declarations",
            ImportKind::ClaimResults => "claim_results",
            ImportKind::Refunds(RefundReportKind::Es022) => "es022",
            ImportKind::Refunds(RefundReportKind::Rev603) => "rev603",
            ImportKind::Refunds(RefundReportKind::Rev615) => "rev615",
        }
    }
}

/// The counts of one recorded import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The import's id (`imports.id`), for [`Ledger::changes_since`].
    pub import_id: i64,
    /// Rows (or entries) read.
    pub rows_read: u64,
    /// Rows recorded as facts.
    pub rows_used: u64,
    /// Rows recorded as diagnostics instead.
    pub rows_rejected: u64,
}

/// What recording a file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The file was recorded.
    Recorded(ImportSummary),
    /// A file of the same kind and SHA-256 (for an ES-003, as of the same day) was recorded before: nothing
    /// changed.
    AlreadyRecorded {
        /// The earlier import.
        import_id: i64,
        /// When it was recorded (UTC).
        recorded_at: String,
    },
}

/// The SHA-256 of the file at `path`, 64 lower-case hex digits, read in blocks (any size, bounded memory).
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read.
pub fn sha256_file(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(name.clone(), e))?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn check_sha(sha256: &str) -> Result<()> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(Error::value(ErrorKind::InvalidValue, "SHA-256", sha256, "expected 64 lower-case hex digits"))
    }
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// An import under way: its transaction and id.
struct Import<'c> {
    tx: Transaction<'c>,
    id: i64,
    path: String,
}

impl Ledger {
    /// Begins the import of a file: `Err(outcome)` when the same (kind, SHA-256, as-of day) is recorded already.
    fn begin(
        &mut self,
        kind: ImportKind,
        source: &str,
        sha256: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<std::result::Result<Import<'_>, ImportOutcome>> {
        check_sha(sha256)?;
        let path = self.path.clone();
        let e = |what: &'static str| {
            let path = path.clone();
            move |e| super::db_error(&path, what, e)
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(e("cannot begin"))?;
        let before: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, recorded_at FROM imports WHERE kind = ?1 AND sha256 = ?2 AND as_of IS ?3",
                params![kind.as_str(), sha256, date(as_of)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(e("cannot read the imports"))?;
        if let Some((import_id, recorded_at)) = before {
            return Ok(Err(ImportOutcome::AlreadyRecorded { import_id, recorded_at }));
        }
        tx.execute(
            "INSERT INTO imports (kind, source, sha256, as_of) VALUES (?1, ?2, ?3, ?4)",
            params![kind.as_str(), source, sha256, date(as_of)],
        )
        .map_err(e("cannot record the import"))?;
        let id = tx.last_insert_rowid();
        Ok(Ok(Import { tx, id, path: self.path.clone() }))
    }

    /// Records the assessments of one ES-003 as of a day: per entry its claim status, expected principal and
    /// interest, recipient, projected dates and next action. `entries` is consumed one at a time (pass the spine's
    /// iterator, [`crate::run`], to stream a large report); an `Err` item, like any failure, rolls the whole import
    /// back. When the file was recorded before, `entries` is not consumed.
    ///
    /// # Errors
    ///
    /// The first `Err` of `entries`; [`ErrorKind::InvalidMoney`] for an amount with a fraction of a cent;
    /// [`ErrorKind::InvalidValue`] for a malformed `sha256`; [`Error::Ledger`] when the file cannot be written.
    /// The ledger is unchanged after any error.
    pub fn record_assessment<I, A>(
        &mut self,
        source_name: &str,
        sha256: &str,
        as_of: NaiveDate,
        entries: I,
    ) -> Result<ImportOutcome>
    where
        I: IntoIterator<Item = Result<A>>,
        A: Borrow<EntryAssessment>,
    {
        let imp = match self.begin(ImportKind::Assessment, source_name, sha256, Some(as_of))? {
            Ok(i) => i,
            Err(done) => return Ok(done),
        };
        let n = imp.assessments(entries)?;
        imp.finish(n, n, 0)
    }

    /// Records an ES-003 file's assessments as of `assess.as_of`, running cape's spine over it
    /// ([`crate::run::assessments`]) and writing each entry as it comes: memory stays bounded by one entry
    /// whatever the file's size. The file's SHA-256 is the import's key (a file recorded before is not read
    /// again); the reader's diagnostics and its row counts are recorded with the import.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read; the spine's errors (an unreadable report, a cancel);
    /// [`ErrorKind::InvalidMoney`] for an amount with a fraction of a cent; [`Error::Ledger`] when the ledger
    /// cannot be written. The ledger is unchanged after any error.
    pub fn record_es003(
        &mut self,
        path: impl AsRef<Path>,
        tables: &Tables,
        assess: AssessOptions,
        options: &RunOptions,
    ) -> Result<ImportOutcome> {
        let path = path.as_ref();
        let sha = sha256_file(path)?;
        let as_of = assess.as_of;
        let imp = match self.begin(ImportKind::Assessment, &path.display().to_string(), &sha, Some(as_of))? {
            Ok(i) => i,
            Err(done) => return Ok(done),
        };
        let mut it = crate::run::assessments(Source::Path(path.to_path_buf()), tables, assess, options)?;
        let n = imp.assessments(it.by_ref())?;
        let partial = it.finish()?;
        for d in &partial.diagnostics {
            imp.diagnostic(d.row, d.column.as_deref(), d.value.as_deref(), Some(d.code.as_str()), &d.message)?;
        }
        debug_assert_eq!(n, partial.totals.entries);
        imp.finish(partial.ingest.rows_read, partial.ingest.rows_used, partial.ingest.rows_rejected)
    }

    /// Records a declaration folder: the manifest `write_declarations` wrote (its SHA-256 is the import's key) and,
    /// per file it lists, each entry with the file's name, SHA-256 and row. Each file's SHA-256 must be the one
    /// the manifest lists; what pre-flight finds wrong in a file is recorded as the import's diagnostics.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the manifest or a file cannot be read; [`Error::Format`] when the manifest is not
    /// cape's, names a path outside its folder, or a file's SHA-256 differs from the manifest's; [`Error::Ledger`]
    /// when the ledger cannot be written. The ledger is unchanged after any error.
    pub fn record_declarations(&mut self, manifest_path: impl AsRef<Path>) -> Result<ImportOutcome> {
        let manifest_path = manifest_path.as_ref();
        let name = manifest_path.display().to_string();
        let bytes = read_whole(manifest_path, &name)?;
        let sha = sha256_hex(&bytes);
        let fmt = |message: String| Error::Format { source_name: name.clone(), message };
        let listings = read_manifest(&String::from_utf8_lossy(&bytes)).ok_or_else(|| {
            fmt("is not a cape manifest (file,importer,entries,first_entry,last_entry,sha256)".into())
        })?;
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        let imp = match self.begin(ImportKind::Declarations, &name, &sha, None)? {
            Ok(i) => i,
            Err(done) => return Ok(done),
        };
        let (mut read, mut used, mut rejected) = (0u64, 0u64, 0u64);
        for l in &listings {
            let plain = Path::new(&l.file).file_name().is_some_and(|f| f == l.file.as_str());
            if !plain {
                return Err(fmt(format!("lists {:?}, not a file name in the manifest's folder", l.file)));
            }
            let path = dir.join(&l.file);
            let file_name = path.display().to_string();
            let body = read_whole(&path, &file_name)?;
            let file_sha = sha256_hex(&body);
            if let Some(listed) = &l.sha256 {
                if *listed != file_sha {
                    return Err(fmt(format!(
                        "{}: SHA-256 is {file_sha}, the manifest lists {listed}: the file changed after it was \
                         written; write the declarations again",
                        l.file
                    )));
                }
            }
            let opts = PreflightOptions { source_name: Some(l.file.clone()), ..PreflightOptions::default() };
            let report = preflight_bytes(&body, &opts);
            // The check counts lines with the header; the ledger counts rows (entry lines), as every import does.
            read += report.rows_read.saturating_sub(1);
            for e in &report.entries {
                imp.tx
                    .execute(
                        "INSERT INTO declarations (import_id, file, sha256, row, entry_number) VALUES (?1, ?2, ?3, \
                         ?4, ?5)",
                        params![imp.id, l.file, file_sha, e.row, e.entry_number.to_string()],
                    )
                    .map_err(|e| super::db_error(&imp.path, "cannot record a declaration", e))?;
                used += 1;
            }
            for f in report.findings.iter().filter(|f| f.level != FindingLevel::Warning) {
                imp.diagnostic(f.row, Some(&l.file), f.value.as_deref(), Some(f.code.as_str()), &f.message)?;
                rejected += 1;
            }
        }
        imp.finish(read, used, rejected)
    }

    /// Records a CAPE claim-details (results) file read by [`crate::claim::read_results_path`]: per row the
    /// entry, claim number, status and CAPE's error with its remedy; rows that could not be read become the
    /// import's diagnostics. `sha256` is the file's ([`sha256_file`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] for a malformed `sha256`; [`Error::Ledger`] when the ledger cannot be
    /// written. The ledger is unchanged after any error.
    pub fn record_results(&mut self, results: &CapeResults, sha256: &str) -> Result<ImportOutcome> {
        let imp = match self.begin(ImportKind::ClaimResults, &results.source, sha256, None)? {
            Ok(i) => i,
            Err(done) => return Ok(done),
        };
        for r in &results.rows {
            imp.tx
                .execute(
                    "INSERT INTO claim_results (import_id, row, entry_number, entry_text, claim_number, status, \
                     error_kind, error_text, error_remedy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        imp.id,
                        r.row,
                        r.entry_number.map(|n| n.to_string()),
                        r.entry_text,
                        r.claim_number,
                        r.status.name(),
                        r.error.as_ref().map(|e| e.kind.name()),
                        r.error.as_ref().map(|e| e.text.as_str()),
                        r.error.as_ref().map(|e| e.kind.remedy()),
                    ],
                )
                .map_err(|e| super::db_error(&imp.path, "cannot record a result", e))?;
        }
        for p in &results.problems {
            imp.diagnostic(Some(p.row), None, Some(&p.value), None, &p.message)?;
        }
        let used = results.rows.len() as u64;
        let rejected = results.problems.len() as u64;
        imp.finish(used + rejected, used, rejected)
    }

    /// Reads a CAPE claim-details file ([`crate::claim::results::read_results_path_with`]) and records it with its
    /// SHA-256 ([`Ledger::record_results`]).
    ///
    /// # Errors
    ///
    /// The reader's errors ([`Error::Io`], [`Error::Format`], [`Error::MissingColumn`]); then as
    /// [`Ledger::record_results`].
    pub fn record_results_path(&mut self, path: impl AsRef<Path>, options: &ResultsOptions) -> Result<ImportOutcome> {
        let path = path.as_ref();
        let sha = sha256_file(path)?;
        let results = read_results_path_with(path, options)?;
        self.record_results(&results, &sha)
    }

    /// Records the rows of one ACE refund report (read into [`PaymentRow`]s, with the reader's diagnostics for
    /// the rows it could not use). A row naming an entry never assessed is kept (view `unmatched_payments`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidMoney`] for an amount with a fraction of a cent; [`ErrorKind::InvalidValue`] for a
    /// malformed `sha256`; [`Error::Ledger`] when the ledger cannot be written. The ledger is unchanged after any
    /// error.
    pub fn record_payments(
        &mut self,
        source_name: &str,
        sha256: &str,
        kind: RefundReportKind,
        rows: &[PaymentRow],
        diagnostics: &[Diagnostic],
    ) -> Result<ImportOutcome> {
        let imp = match self.begin(ImportKind::Refunds(kind), source_name, sha256, None)? {
            Ok(i) => i,
            Err(done) => return Ok(done),
        };
        for p in rows {
            let (status, text) = payment_status(p.status.as_ref());
            let principal = p.principal.map(|d| to_cents(d, "refunded principal")).transpose()?;
            let interest = p.interest.map(|d| to_cents(d, "refunded interest")).transpose()?;
            imp.tx
                .execute(
                    "INSERT INTO payments (import_id, row, entry_number, declaration_number, refund_number, \
                     principal_cents, interest_cents, refund_date, status, status_text, status_date, refund_key) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        imp.id,
                        p.row,
                        p.entry_number.map(|n| n.to_string()),
                        p.declaration_number,
                        p.refund_number,
                        principal,
                        interest,
                        date(p.refund_date),
                        status,
                        text,
                        date(p.status_date),
                        p.refund_number.as_deref().and_then(refund_key),
                    ],
                )
                .map_err(|e| super::db_error(&imp.path, "cannot record a payment", e))?;
        }
        for d in diagnostics {
            imp.diagnostic(d.row, d.column.as_deref(), d.value.as_deref(), Some(d.code.as_str()), &d.message)?;
        }
        let used = rows.len() as u64;
        let rejected = diagnostics.iter().filter_map(|d| d.row).collect::<std::collections::BTreeSet<_>>().len() as u64;
        imp.finish(used + rejected, used, rejected)
    }
}

/// The stored status class and the report's words when they matter.
fn payment_status(s: Option<&PaymentStatus>) -> (Option<&str>, Option<String>) {
    match s {
        None => (None, None),
        Some(PaymentStatus::Other(t)) => (Some(if is_hold(t) { "held" } else { "other" }), Some(t.clone())),
        // The reader's stable names (`sent_to_treasury`, ...), as the view `entry_state` reads them.
        Some(known) => (Some(known.name()), None),
    }
}

/// A refund number as the ledger compares it (column `payments.refund_key`): its letters and digits, upper case,
/// leading zeros dropped, so that `R-0001`, `r0001` and `R0001` are one refund and so are `0001234` and `1234` (a
/// spreadsheet drops the zeros); `None` when nothing is left.
pub fn refund_key(number: &str) -> Option<String> {
    let kept: String = number.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    let key = kept.trim_start_matches('0');
    (!key.is_empty()).then(|| key.to_owned())
}

/// Whether a status the reader does not know says the refund is held: the word HOLD, HELD or HOLDS (so not
/// "Withheld" or "Threshold"), and no NOT, NO, RELEASED or LIFTED ("Hold Released", "Not held").
fn is_hold(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let has = |w: &[&str]| words.iter().any(|x| w.contains(&x.as_str()));
    has(&["HOLD", "HELD", "HOLDS"]) && !has(&["NOT", "NO", "RELEASED", "LIFTED", "REMOVED"])
}

/// A whole file of at most [`MAX_MANIFEST_BYTES`].
fn read_whole(path: &Path, name: &str) -> Result<Vec<u8>> {
    match read_capped(path, name, MAX_MANIFEST_BYTES)? {
        Capped::Whole(b) => Ok(b),
        Capped::TooLarge(size) => Err(Error::Format {
            source_name: name.to_owned(),
            message: format!("is {size} bytes, more than the {MAX_MANIFEST_BYTES} a declaration file or manifest has"),
        }),
    }
}

impl Import<'_> {
    /// Inserts each assessment; the count.
    fn assessments<I, A>(&self, entries: I) -> Result<u64>
    where
        I: IntoIterator<Item = Result<A>>,
        A: Borrow<EntryAssessment>,
    {
        let mut n = 0u64;
        {
            let mut st = self
                .tx
                .prepare(
                    "INSERT INTO assessments (import_id, entry_number, importer, recipient, recipient_held, status, \
                     principal_cents, interest_cents, projected_liquidation, refund_due_by, last_filing_day, \
                     next_action, act_by, action_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
                     ?13, ?14) ON CONFLICT (import_id, entry_number) DO UPDATE SET importer = excluded.importer, \
                     recipient = excluded.recipient, recipient_held = excluded.recipient_held, status = \
                     excluded.status, principal_cents = excluded.principal_cents, interest_cents = \
                     excluded.interest_cents, projected_liquidation = excluded.projected_liquidation, refund_due_by \
                     = excluded.refund_due_by, last_filing_day = excluded.last_filing_day, next_action = \
                     excluded.next_action, act_by = excluded.act_by, action_note = excluded.action_note",
                )
                .map_err(|e| super::db_error(&self.path, "cannot prepare", e))?;
            for a in entries {
                let a = a?;
                let a: &EntryAssessment = a.borrow();
                let principal = to_cents(a.principal().amount(), "expected principal")?;
                let interest = a.interest_amount().map(|i| to_cents(i.amount(), "expected interest")).transpose()?;
                let held = a.recipient.as_ref().is_some_and(|r| r.held);
                st.execute(params![
                    self.id,
                    a.entry_number().to_string(),
                    a.importer_number,
                    a.recipient.as_ref().map(|r| r.number.as_str()),
                    held,
                    a.status().name(),
                    principal,
                    interest,
                    date(a.projected.as_ref().map(|p| p.liquidation)),
                    date(a.projected.as_ref().map(|p| p.refund_due_by)),
                    date(a.claim.last_filing_day),
                    a.next_action.code.as_str(),
                    date(a.next_action.act_by),
                    a.next_action.note,
                ])
                .map_err(|e| super::db_error(&self.path, "cannot record an assessment", e))?;
                n += 1;
            }
        }
        Ok(n)
    }

    fn diagnostic(
        &self,
        row: Option<u64>,
        column: Option<&str>,
        value: Option<&str>,
        code: Option<&str>,
        message: &str,
    ) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO diagnostics (import_id, row, \"column\", value, code, message) VALUES (?1, ?2, ?3, ?4, \
                 ?5, ?6)",
                params![self.id, row, column, value, code, message],
            )
            .map(|_| ())
            .map_err(|e| super::db_error(&self.path, "cannot record a diagnostic", e))
    }

    fn finish(self, read: u64, used: u64, rejected: u64) -> Result<ImportOutcome> {
        let e = |what: &'static str| |e| super::db_error(&self.path, what, e);
        self.tx
            .execute(
                "UPDATE imports SET rows_read = ?2, rows_used = ?3, rows_rejected = ?4 WHERE id = ?1",
                params![self.id, read, used, rejected],
            )
            .map_err(e("cannot count the import"))?;
        let id = self.id;
        let path = self.path.clone();
        self.tx.commit().map_err(|e| super::db_error(&path, "cannot commit the import", e))?;
        Ok(ImportOutcome::Recorded(ImportSummary {
            import_id: id,
            rows_read: read,
            rows_used: used,
            rows_rejected: rejected,
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn refund_numbers_compare_by_letters_and_digits() {
        for (a, b) in [("R-0001", "R0001"), ("r0001", "R0001"), ("0001234", "1234"), (" 00R9 ", "R9"), ("R/1", "r1")] {
            assert_eq!(super::refund_key(a), super::refund_key(b), "{a} {b}");
        }
        assert_eq!(super::refund_key("R-0001").as_deref(), Some("R0001"));
        assert_eq!(super::refund_key("000"), None);
        assert_eq!(super::refund_key(" - "), None);
        assert_ne!(super::refund_key("R1"), super::refund_key("R10"));
    }

    #[test]
    fn a_hold_is_a_word_not_a_substring() {
        for held in ["Refund Hold - Bank", "HELD", "On hold", "Holds: ACH enrollment"] {
            assert!(super::is_hold(held), "{held}");
        }
        for not in ["Withheld", "Threshold", "Not held", "Hold Released", "Household goods", "No hold"] {
            assert!(!super::is_hold(not), "{not}");
        }
    }
}
