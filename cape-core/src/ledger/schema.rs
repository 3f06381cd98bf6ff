//! The ledger's schema: forward migrations embedded from `cape-core/data/ledger/NNNN_*.sql`, applied in order
//! in one transaction, the file's `user_version` the number of the last one applied.

use rusqlite::{Connection, TransactionBehavior};

use super::{db_error, ledger_error, APPLICATION_ID};
use crate::error::{LedgerProblem, Result};

/// One forward migration: the schema version it brings the file to, and its SQL (which says, at its top, what
/// it adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// The `user_version` after it.
    pub version: i64,
    /// Its file name under `cape-core/data/ledger/`.
    pub name: &'static str,
    /// Its SQL.
    pub sql: &'static str,
}

/// Every migration, oldest first; version `n` is at index `n - 1`.
pub const MIGRATIONS: &[Migration] =
    &[Migration { version: 1, name: "0001_initial.sql", sql: include_str!("../../data/ledger/0001_initial.sql") }];

/// The schema version this cape writes: the last migration's.
pub const SCHEMA_VERSION: i64 = 1;

/// Reads the file's identity without writing: its schema version when it is a cape ledger (0 for an empty
/// file), else the error that refuses it.
pub(super) fn inspect(conn: &Connection, path: &str) -> Result<i64> {
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| db_error(path, "cannot read the file", e))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| db_error(path, "cannot read the file", e))?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| db_error(path, "cannot read the file", e))?;
    let empty = app == 0 && version == 0 && objects == 0;
    if app != APPLICATION_ID && !empty {
        return Err(ledger_error(
            path,
            LedgerProblem::ForeignFile,
            &format!(
                "is a SQLite database of another program (application_id {app:#010x}, cape's is \
                 {APPLICATION_ID:#010x}); it was not changed. Give another --db path"
            ),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(ledger_error(
            path,
            LedgerProblem::NewerSchema { found: version, supported: SCHEMA_VERSION },
            &format!(
                "schema version {version} is newer than this cape's {SCHEMA_VERSION}; it was not changed. Use the \
                 cape that wrote it, or a newer one"
            ),
        ));
    }
    Ok(version)
}

/// Sets the connection up for writing: WAL (a reader and a writer side by side) and foreign keys.
pub(super) fn prepare(conn: &Connection, path: &str) -> Result<()> {
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
        .map_err(|e| db_error(path, "cannot switch to WAL", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(ledger_error(
            path,
            LedgerProblem::Database,
            &format!("journal mode stays {mode:?}, not WAL (a file system without shared memory?)"),
        ));
    }
    conn.pragma_update(None, "foreign_keys", true).map_err(|e| db_error(path, "cannot enable foreign keys", e))
}

/// Applies the migrations the file lacks, all in one transaction (with the version read again inside it: another
/// process may have migrated meanwhile).
pub(super) fn migrate(conn: &Connection, path: &str) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| db_error(path, "cannot read the file", e))?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(|e| db_error(path, "cannot begin the migration", e))?;
    let version = inspect(&tx, path)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > version) {
        tx.execute_batch(m.sql).map_err(|e| db_error(path, m.name, e))?;
        tx.pragma_update(None, "user_version", m.version).map_err(|e| db_error(path, m.name, e))?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(|e| db_error(path, "cannot mark the file", e))?;
    tx.commit().map_err(|e| db_error(path, "cannot commit the migration", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_say_what_they_add() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{}", m.name);
            assert!(m.sql.starts_with("-- cape ledger schema, migration") && m.sql.contains("-- Adds:"), "{}", m.name);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }
}
