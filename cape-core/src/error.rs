//! The one error type of `cape-core` and its stable kinds.
//!
//! Errors are for failures that stop an operation (a file that cannot be opened, a value that does not parse
//! when a single value was asked for). Problems with individual input rows are not errors: they are
//! [`Diagnostic`](crate::Diagnostic)s, reported beside the data, so that one bad row never aborts a file.

use std::fmt;

/// A stable, exhaustive-for-the-wrappers classification of [`Error`].
///
/// The numeric codes ([`ErrorKind::code`]) and names ([`ErrorKind::name`]) are part of the public contract of
/// the C and Python bindings: they are never renumbered or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An entry number is malformed or its check digit is wrong.
    InvalidEntryNumber,
    /// An HTS number is malformed.
    InvalidHtsNumber,
    /// A money amount is malformed or out of range.
    InvalidMoney,
    /// A date is malformed or out of range.
    InvalidDate,
    /// Some other single value (country code, filer code, option) is malformed.
    InvalidValue,
    /// A file or buffer cannot be read as the format it should have (not CSV, not XLSX, no header...).
    InvalidFormat,
    /// A required column is missing from a report.
    MissingColumn,
    /// Reference data (catalogue, rate table, rule set) is inconsistent.
    InvalidReferenceData,
    /// An operating-system I/O error.
    Io,
    /// Arithmetic overflowed (an amount far outside any real duty).
    Overflow,
    /// An output folder already holds files, and replacing them was not asked for (or is not allowed: files that
    /// are not cape's are never replaced).
    OutputNotEmpty,
    /// Another run holds the lock on the output folder.
    OutputLocked,
    /// An output path cape will not write through: a symbolic link, or not a folder where a folder is needed.
    UnsafeOutput,
    /// The caller asked the operation to stop (a cancel flag was set, e.g. on Ctrl-C) before it finished.
    Cancelled,
}

impl ErrorKind {
    /// The stable numeric code of this kind (used by the C status codes).
    pub fn code(self) -> u32 {
        match self {
            ErrorKind::InvalidEntryNumber => 1,
            ErrorKind::InvalidHtsNumber => 2,
            ErrorKind::InvalidMoney => 3,
            ErrorKind::InvalidDate => 4,
            ErrorKind::InvalidValue => 5,
            ErrorKind::InvalidFormat => 6,
            ErrorKind::MissingColumn => 7,
            ErrorKind::InvalidReferenceData => 8,
            ErrorKind::Io => 9,
            ErrorKind::Overflow => 10,
            ErrorKind::OutputNotEmpty => 11,
            ErrorKind::OutputLocked => 12,
            ErrorKind::UnsafeOutput => 13,
            ErrorKind::Cancelled => 14,
        }
    }

    /// The stable snake-case name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidEntryNumber => "invalid_entry_number",
            ErrorKind::InvalidHtsNumber => "invalid_hts_number",
            ErrorKind::InvalidMoney => "invalid_money",
            ErrorKind::InvalidDate => "invalid_date",
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::InvalidFormat => "invalid_format",
            ErrorKind::MissingColumn => "missing_column",
            ErrorKind::InvalidReferenceData => "invalid_reference_data",
            ErrorKind::Io => "io",
            ErrorKind::Overflow => "overflow",
            ErrorKind::OutputNotEmpty => "output_not_empty",
            ErrorKind::OutputLocked => "output_locked",
            ErrorKind::UnsafeOutput => "unsafe_output",
            ErrorKind::Cancelled => "cancelled",
        }
    }

    /// True for kinds caused by bad caller input (Python maps these onto `ValueError` subclasses); the others
    /// are about the file system (Python: `OSError` subclasses).
    pub fn is_input_error(self) -> bool {
        !matches!(
            self,
            ErrorKind::Io
                | ErrorKind::OutputNotEmpty
                | ErrorKind::OutputLocked
                | ErrorKind::UnsafeOutput
                | ErrorKind::Cancelled
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an entry number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryNumberError {
    /// Not 11 characters once dashes and spaces are removed.
    #[error(
        "expected 11 characters (3 filer + 7 serial + 1 check digit) after removing dashes and spaces, found {found}"
    )]
    Length {
        /// How many significant characters were found.
        found: usize,
    },
    /// A character outside A–Z / 0–9.
    #[error("character {ch:?} at position {position} is not a letter or digit")]
    Character {
        /// The offending character.
        ch: char,
        /// 1-based position among the significant characters.
        position: usize,
    },
    /// The 7 serial positions (4–10) must be digits.
    #[error("transaction serial (positions 4-10) must be digits, found {ch:?} at position {position}")]
    SerialNotDigits {
        /// The offending character.
        ch: char,
        /// 1-based position among the significant characters.
        position: usize,
    },
    /// The check digit (position 11) is not a digit.
    #[error("check digit (position 11) must be a digit, found {ch:?}")]
    CheckNotDigit {
        /// The offending character.
        ch: char,
    },
    /// The check digit does not match the first ten characters.
    #[error("check digit is {given}, expected {expected}")]
    CheckDigit {
        /// The digit written.
        given: u8,
        /// The digit the first ten characters require.
        expected: u8,
    },
}

/// The error type of `cape-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entry number did not parse.
    #[error("invalid entry number {input:?}: {reason}")]
    EntryNumber {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: EntryNumberError,
    },
    /// A value of some kind did not parse.
    #[error("invalid {what} {input:?}: {reason}")]
    Value {
        /// The kind of this error.
        kind: ErrorKind,
        /// What was being parsed ("HTS number", "amount", "date"...).
        what: &'static str,
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file or buffer is not in the expected format.
    #[error("{source_name}: {message}")]
    Format {
        /// The file name (or `<buffer>`).
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A required column is missing.
    #[error("{source_name}: required column {column:?} not found; columns found: {found}")]
    MissingColumn {
        /// The file name (or `<buffer>`).
        source_name: String,
        /// The canonical name of the missing column.
        column: String,
        /// The header cells that were found, comma-separated.
        found: String,
    },
    /// Reference data is inconsistent.
    #[error("{source_name}: {message}")]
    ReferenceData {
        /// The data set's name or file.
        source_name: String,
        /// What is wrong (row, column, value where known).
        message: String,
    },
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Arithmetic overflow.
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// An output folder already holds files cape will not silently replace.
    #[error("{dir}: {message}")]
    OutputNotEmpty {
        /// The folder.
        dir: String,
        /// The names found in it that stand in the way, sorted.
        found: Vec<String>,
        /// What is there and what to do (the first names, how many in all, the remedy).
        message: String,
    },
    /// Another run holds the lock on the output folder.
    #[error("{dir}: {message}")]
    OutputLocked {
        /// The folder.
        dir: String,
        /// What is locked and what to do.
        message: String,
    },
    /// An output path cape will not write through (a symbolic link, or not a folder).
    #[error("{path}: {message}")]
    UnsafeOutput {
        /// The path refused.
        path: String,
        /// Why.
        message: String,
    },
    /// The operation was cancelled by its caller (see [`crate::Es003Options::cancel`]).
    #[error("{source_name}: cancelled")]
    Cancelled {
        /// What was being read when the cancel was seen.
        source_name: String,
    },
    /// The refund ledger's file cannot be used as asked (feature `ledger`); the file is left as it was.
    #[error("{path}: {message}")]
    Ledger {
        /// The ledger file.
        path: String,
        /// What is wrong, as a stable code.
        problem: LedgerProblem,
        /// What is wrong and what to do.
        message: String,
    },
}

/// Why the refund ledger's file cannot be used ([`Error::Ledger`]); each has a stable code in `docs/codes.md`
/// (family `ledger_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LedgerProblem {
    /// The file is a SQLite database of some other program (its `application_id` is not cape's).
    ForeignFile,
    /// The file's schema is newer than this cape knows.
    NewerSchema {
        /// The file's schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest version this cape knows.
        supported: i64,
    },
    /// The file is not a database or is damaged.
    Corrupt,
    /// The file (or its folder) cannot be written.
    ReadOnly,
    /// The disk (or the ledger's size limit) is full.
    Full,
    /// Another process held the ledger locked longer than the busy timeout.
    Busy,
    /// Any other database failure.
    Database,
}

impl LedgerProblem {
    /// Every problem (with placeholder versions for [`LedgerProblem::NewerSchema`]).
    pub const ALL: &'static [LedgerProblem] = &[
        LedgerProblem::ForeignFile,
        LedgerProblem::NewerSchema { found: 0, supported: 0 },
        LedgerProblem::Corrupt,
        LedgerProblem::ReadOnly,
        LedgerProblem::Full,
        LedgerProblem::Busy,
        LedgerProblem::Database,
    ];

    /// The stable code (`LEDGER_FOREIGN_FILE`).
    pub fn code(self) -> &'static str {
        match self {
            LedgerProblem::ForeignFile => "LEDGER_FOREIGN_FILE",
            LedgerProblem::NewerSchema { .. } => "LEDGER_NEWER_SCHEMA",
            LedgerProblem::Corrupt => "LEDGER_CORRUPT",
            LedgerProblem::ReadOnly => "LEDGER_READ_ONLY",
            LedgerProblem::Full => "LEDGER_FULL",
            LedgerProblem::Busy => "LEDGER_BUSY",
            LedgerProblem::Database => "LEDGER_DATABASE",
        }
    }

    /// The [`ErrorKind`] reported for it: a file that is not (this cape's) ledger is `invalid_format`, another
    /// process holding it is `output_locked`, the rest are `io`.
    pub fn kind(self) -> ErrorKind {
        match self {
            LedgerProblem::ForeignFile | LedgerProblem::NewerSchema { .. } | LedgerProblem::Corrupt => {
                ErrorKind::InvalidFormat
            }
            LedgerProblem::Busy => ErrorKind::OutputLocked,
            LedgerProblem::ReadOnly | LedgerProblem::Full | LedgerProblem::Database => ErrorKind::Io,
        }
    }
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::EntryNumber { .. } => ErrorKind::InvalidEntryNumber,
            Error::Value { kind, .. } => *kind,
            Error::Format { .. } => ErrorKind::InvalidFormat,
            Error::MissingColumn { .. } => ErrorKind::MissingColumn,
            Error::ReferenceData { .. } => ErrorKind::InvalidReferenceData,
            Error::Io { .. } => ErrorKind::Io,
            Error::Overflow(_) => ErrorKind::Overflow,
            Error::OutputNotEmpty { .. } => ErrorKind::OutputNotEmpty,
            Error::OutputLocked { .. } => ErrorKind::OutputLocked,
            Error::UnsafeOutput { .. } => ErrorKind::UnsafeOutput,
            Error::Cancelled { .. } => ErrorKind::Cancelled,
            Error::Ledger { problem, .. } => problem.kind(),
        }
    }

    pub(crate) fn value(kind: ErrorKind, what: &'static str, input: &str, reason: impl Into<String>) -> Self {
        Error::Value { kind, what, input: input.to_owned(), reason: reason.into() }
    }

    pub(crate) fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

impl Clone for Error {
    /// An equal error. `std::io::Error` is not `Clone`: an I/O error's copy keeps its kind and message (its
    /// OS error code becomes part of the message).
    fn clone(&self) -> Self {
        match self {
            Error::EntryNumber { input, reason } => Error::EntryNumber { input: input.clone(), reason: reason.clone() },
            Error::Value { kind, what, input, reason } => {
                Error::Value { kind: *kind, what, input: input.clone(), reason: reason.clone() }
            }
            Error::Format { source_name, message } => {
                Error::Format { source_name: source_name.clone(), message: message.clone() }
            }
            Error::MissingColumn { source_name, column, found } => {
                Error::MissingColumn { source_name: source_name.clone(), column: column.clone(), found: found.clone() }
            }
            Error::ReferenceData { source_name, message } => {
                Error::ReferenceData { source_name: source_name.clone(), message: message.clone() }
            }
            Error::Io { path, source } => {
                Error::Io { path: path.clone(), source: std::io::Error::new(source.kind(), source.to_string()) }
            }
            Error::Overflow(what) => Error::Overflow(what),
            Error::OutputNotEmpty { dir, found, message } => {
                Error::OutputNotEmpty { dir: dir.clone(), found: found.clone(), message: message.clone() }
            }
            Error::OutputLocked { dir, message } => Error::OutputLocked { dir: dir.clone(), message: message.clone() },
            Error::UnsafeOutput { path, message } => {
                Error::UnsafeOutput { path: path.clone(), message: message.clone() }
            }
            Error::Cancelled { source_name } => Error::Cancelled { source_name: source_name.clone() },
            Error::Ledger { path, problem, message } => {
                Error::Ledger { path: path.clone(), problem: *problem, message: message.clone() }
            }
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
