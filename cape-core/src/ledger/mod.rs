//! The refund ledger: one SQLite file that follows every entry from assessment to payment.
//!
//! [`Ledger`] records what cape learns about entries, one file at a time, each file one transaction and at most
//! once (by its kind and SHA-256; an ES-003 once per as-of day): assessments of an ES-003 ([`Ledger::record_assessment`]), the declaration
//! files written ([`Ledger::record_declarations`]), CAPE's claim-details results ([`Ledger::record_results`]) and
//! ACE's refund reports ([`Ledger::record_payments`]); [`Ledger::record_path`] records any of them, its kind
//! detected from its content ([`detect_kind`]). It answers from the SQL view `entry_state`, the one
//! definition of an entry's [`EntryState`] (see `cape-core/data/ledger/0001_initial.sql` and DESIGN.md): per
//! entry ([`Ledger::status`]), per fact ([`Ledger::history`]), since an import ([`Ledger::changes_since`]) and
//! for a client's statement ([`Ledger::statement_data`]).
//!
//! Money is stored as INTEGER cents and converted exactly from and to `rust_decimal` (an amount with a fraction
//! of a cent is an error, never rounded); dates are ISO text. The file carries cape's `application_id` and its
//! schema version in `user_version`; a file that is not a ledger, or is newer than this cape, is refused and
//! left untouched. The file is in WAL mode, so a reader and a writer in two processes work side by side, and a
//! second writer waits up to [`LedgerOptions::busy_timeout`].

mod import;
mod query;
mod record;
mod schema;
mod state;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, LedgerProblem, Result};

pub use import::{refund_key, sha256_file, ImportKind, ImportOutcome, ImportSummary};
pub use query::{EntryStatus, HistoryFact, ImportDiagnostic, StateTotal, StatusQuery, StatusReport, UnmatchedPayment};
pub use record::{detect_kind, RecordKind, RecordOptions, RecordOutcome, DETECT_PREFIX_BYTES};
pub use schema::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use state::EntryState;

/// The `PRAGMA application_id` of a cape ledger: `CAPE` in ASCII (0x43415045). A SQLite file with another id
/// is some other program's and is never changed.
pub const APPLICATION_ID: i32 = 0x4341_5045;

/// How long a writer waits for another process's transaction before giving up with
/// [`LedgerProblem::Busy`], unless [`LedgerOptions::busy_timeout`] says otherwise: 5 seconds, longer than an
/// import of a large report holds the lock on a slow disk, short enough for a person waiting at a prompt.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The file name a ledger has unless the caller gives one (the command line's `--db`).
pub const DEFAULT_LEDGER_FILE: &str = "cape.db";

/// How a ledger is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerOptions {
    /// How long to wait for another process's write transaction ([`DEFAULT_BUSY_TIMEOUT`]).
    pub busy_timeout: Duration,
    /// Open for reading only: nothing is written, not even a migration; recording fails with
    /// [`LedgerProblem::ReadOnly`]. The file must already be a ledger of the current schema.
    pub read_only: bool,
    /// A ceiling on the file's size in bytes (SQLite's `max_page_count`); a write past it fails with
    /// [`LedgerProblem::Full`] as a full disk does. `None`: no ceiling but the disk's.
    pub max_size_bytes: Option<u64>,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions { busy_timeout: DEFAULT_BUSY_TIMEOUT, read_only: false, max_size_bytes: None }
    }
}

/// An open ledger file.
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Existing,
    New,
    Either,
}

impl Ledger {
    /// Opens the existing ledger at `path`, bringing its schema up to [`SCHEMA_VERSION`] (unless read-only).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when there is no file at `path`; [`Error::Ledger`] when the file is not a SQLite database
    /// or is damaged ([`LedgerProblem::Corrupt`]), is another program's database ([`LedgerProblem::ForeignFile`]),
    /// has a newer schema ([`LedgerProblem::NewerSchema`]), cannot be written ([`LedgerProblem::ReadOnly`]), is
    /// locked past the busy timeout ([`LedgerProblem::Busy`]). The file is left as it was in each case.
    pub fn open(path: impl AsRef<Path>, options: &LedgerOptions) -> Result<Ledger> {
        Ledger::open_mode(path.as_ref(), options, Mode::Existing)
    }

    /// Creates a new, empty ledger at `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when a file already exists at `path` or the file cannot be created; [`Error::Ledger`] as for
    /// [`Ledger::open`].
    pub fn create(path: impl AsRef<Path>, options: &LedgerOptions) -> Result<Ledger> {
        Ledger::open_mode(path.as_ref(), options, Mode::New)
    }

    /// Opens the ledger at `path`, creating it when there is no file there (what `cape ledger record` does).
    ///
    /// # Errors
    ///
    /// As [`Ledger::open`], less the missing file.
    pub fn open_or_create(path: impl AsRef<Path>, options: &LedgerOptions) -> Result<Ledger> {
        Ledger::open_mode(path.as_ref(), options, Mode::Either)
    }

    fn open_mode(path: &Path, options: &LedgerOptions, mode: Mode) -> Result<Ledger> {
        let name = path.display().to_string();
        let exists = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let e = std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "a folder, not a ledger file (name the file, such as cape.db)",
                );
                return Err(Error::io(name, e));
            }
            Ok(_) => true,
            // A dangling symbolic link: SQLite would create the file it points to.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() => {
                let e = std::io::Error::new(e.kind(), "a symbolic link whose target is missing; not followed");
                return Err(Error::io(name, e));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(name, e)),
        };
        match (mode, exists) {
            (Mode::Existing, false) => {
                let e =
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no ledger here (recording a file creates one)");
                return Err(Error::io(name, e));
            }
            (Mode::New, true) => {
                let e = std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a file is already there");
                return Err(Error::io(name, e));
            }
            _ => {}
        }
        if options.read_only && !exists {
            let e = std::io::Error::new(std::io::ErrorKind::NotFound, "no ledger to open read-only");
            return Err(Error::io(name, e));
        }
        let flags = if options.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        // A name SQLite would read as a URI (`file:x.db?mode=...`) is a file name here: `./` makes it a path.
        let literal;
        let path = if path.as_os_str().as_encoded_bytes().starts_with(b"file:") {
            literal = Path::new(".").join(path);
            literal.as_path()
        } else {
            path
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(&name, "cannot open", e))?;
        conn.busy_timeout(options.busy_timeout).map_err(|e| db_error(&name, "cannot set the busy timeout", e))?;
        // Sorts, windows and TEMP tables spill to temporary files beyond the page cache (the bundled SQLite keeps
        // them in memory by default): a status over a million entries then holds megabytes, not the entries.
        conn.pragma_update(None, "temp_store", "FILE").map_err(|e| db_error(&name, "cannot set temp_store", e))?;
        let ledger = Ledger { conn, path: name };
        // Look before touching anything: a foreign, damaged or newer file is refused unchanged.
        let version = schema::inspect(&ledger.conn, &ledger.path)?;
        if !options.read_only && ledger.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(ledger_error(
                &ledger.path,
                LedgerProblem::ReadOnly,
                "the file cannot be written; give write permission on it and its folder, or open it read-only",
            ));
        }
        if options.read_only {
            if version != SCHEMA_VERSION {
                return Err(ledger_error(
                    &ledger.path,
                    LedgerProblem::ReadOnly,
                    &format!(
                        "schema version {version} needs migrating to {SCHEMA_VERSION}, which a read-only open cannot \
                         do; open it once for writing"
                    ),
                ));
            }
        } else {
            schema::prepare(&ledger.conn, &ledger.path)?;
            schema::migrate(&ledger.conn, &ledger.path)?;
        }
        if let Some(bytes) = options.max_size_bytes {
            let page: i64 = ledger
                .conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .map_err(|e| db_error(&ledger.path, "cannot read the page size", e))?;
            let pages = (bytes / u64::try_from(page.max(1)).unwrap_or(4096)).max(1);
            ledger
                .conn
                .pragma_update(None, "max_page_count", pages)
                .map_err(|e| db_error(&ledger.path, "cannot set the size limit", e))?;
        }
        Ok(ledger)
    }

    /// The file's path as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's schema version (`PRAGMA user_version`).
    ///
    /// # Errors
    ///
    /// [`Error::Ledger`] when the file cannot be read.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| self.err("cannot read", e))
    }

    fn err(&self, what: &str, e: rusqlite::Error) -> Error {
        db_error(&self.path, what, e)
    }
}

/// An [`Error::Ledger`].
fn ledger_error(path: &str, problem: LedgerProblem, message: &str) -> Error {
    Error::Ledger { path: path.to_owned(), problem, message: format!("{}: {message}", problem.code()) }
}

/// A SQLite failure as an [`Error::Ledger`] with its problem and a remedy.
fn db_error(path: &str, what: &str, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as C;
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    let (problem, remedy) = match code {
        Some(C::NotADatabase | C::DatabaseCorrupt) => {
            (LedgerProblem::Corrupt, "the file is not a cape ledger or is damaged; restore it from a backup")
        }
        Some(C::ReadOnly | C::PermissionDenied | C::CannotOpen) => (
            LedgerProblem::ReadOnly,
            "check that the file and its folder exist and can be written (WAL needs the folder)",
        ),
        Some(C::DiskFull) => {
            (LedgerProblem::Full, "the disk or the ledger's size limit is full; free space and record again")
        }
        Some(C::DatabaseBusy | C::DatabaseLocked) => (
            LedgerProblem::Busy,
            "another process holds the ledger; try again when it has finished, or raise the busy timeout",
        ),
        _ => (LedgerProblem::Database, "nothing was changed"),
    };
    ledger_error(path, problem, &format!("{what}: {e}; {remedy}"))
}

/// Exact cents of an amount: an error for a fraction of a cent or an amount beyond `i64` cents.
fn to_cents(amount: Decimal, what: &'static str) -> Result<i64> {
    let c = amount.checked_mul(Decimal::ONE_HUNDRED).ok_or(Error::Overflow(what))?;
    if !c.fract().is_zero() {
        return Err(Error::value(
            ErrorKind::InvalidMoney,
            what,
            &amount.to_string(),
            "has a fraction of a cent; the ledger keeps whole cents",
        ));
    }
    i64::try_from(c).map_err(|_| Error::Overflow(what))
}

/// The amount of a number of cents (exact: scale 2).
fn from_cents(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A stored ISO date.
fn parse_date(path: &str, text: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    match text {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| ledger_error(path, LedgerProblem::Corrupt, &format!("stored date {t:?} is not YYYY-MM-DD"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_exact_both_ways() {
        assert_eq!(to_cents(Decimal::new(123_456, 2), "x").unwrap(), 123_456);
        assert_eq!(to_cents(Decimal::new(1_230, 3), "x").unwrap(), 123);
        assert_eq!(to_cents(Decimal::new(-5, 0), "x").unwrap(), -500);
        let e = to_cents(Decimal::new(10_005, 3), "principal").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidMoney);
        assert_eq!(from_cents(123_456), Decimal::new(123_456, 2));
        assert_eq!(from_cents(123_456).to_string(), "1234.56");
    }
}
