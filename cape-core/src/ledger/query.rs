//! What the ledger answers, all read from the views `entry_state` and `unmatched_payments`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{from_cents, ledger_error, parse_date, EntryState, Ledger};
use crate::error::{LedgerProblem, Result};
use crate::report::statement::{DeadlineLine, EntryLine, MonthLine, StateLine, StatementData};
use crate::values::entry_number::EntryNumber;

/// Which entries [`Ledger::status`] reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusQuery {
    /// Only this importer's entries (its number in any form [`crate::ImporterNumber::parse`] reads: `12345678900`
    /// finds `12-345678900`).
    pub importer: Option<String>,
    /// Only entries in this state.
    pub state: Option<EntryState>,
    /// The day to judge `overdue` against; `None`: the latest import's as-of day, else today.
    pub as_of: Option<NaiveDate>,
    /// Only what changed after this import (an [`super::ImportSummary::import_id`]): the entries with a fact
    /// recorded by a later import, and the refund report rows of later imports naming no assessed entry.
    pub since: Option<i64>,
}

/// One entry as the view `entry_state` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryStatus {
    /// The entry, dashed.
    pub entry_number: String,
    /// The importer of record, when assessed.
    pub importer: Option<String>,
    /// Who the refund goes to, when known.
    pub recipient: Option<String>,
    /// The state.
    pub state: EntryState,
    /// The latest assessment's claim status (`eligible`, ...), when assessed.
    pub claim_status: Option<String>,
    /// Principal + interest expected (0 when never assessed).
    pub expected: Decimal,
    /// Principal + interest Treasury issued.
    pub paid: Decimal,
    /// Paid minus expected, once a refund was issued.
    pub variance: Option<Decimal>,
    /// The latest issued refund's date.
    pub refund_date: Option<NaiveDate>,
    /// The latest refund's number.
    pub refund_number: Option<String>,
    /// The refund report's words for a hold or an unknown status.
    pub payment_status_text: Option<String>,
    /// CAPE's claim number.
    pub claim_number: Option<String>,
    /// CAPE's error kind (docs/codes.md family `cape`) for a rejected entry.
    pub error_kind: Option<String>,
    /// CAPE's error text.
    pub error_text: Option<String>,
    /// What to do about the error.
    pub error_remedy: Option<String>,
    /// Projected (re)liquidation.
    pub projected_liquidation: Option<NaiveDate>,
    /// When the refund is due (projected (re)liquidation + 30 days).
    pub refund_due_by: Option<NaiveDate>,
    /// The next action's code (docs/codes.md family `action`).
    pub next_action: Option<String>,
    /// The day to act by.
    pub act_by: Option<NaiveDate>,
    /// The next action's note.
    pub action_note: Option<String>,
}

/// Entries and amounts of one state for one importer and recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateTotal {
    /// The importer.
    pub importer: Option<String>,
    /// The recipient.
    pub recipient: Option<String>,
    /// The state.
    pub state: EntryState,
    /// How many entries.
    pub entries: u64,
    /// Principal + interest expected for them.
    pub expected: Decimal,
    /// Principal + interest issued for them.
    pub paid: Decimal,
}

/// A refund report row whose entry the ledger never assessed (view `unmatched_payments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedPayment {
    /// The import.
    pub import_id: i64,
    /// The report file.
    pub source: String,
    /// Its row.
    pub row: u64,
    /// The entry as reported (None: the row names none).
    pub entry_number: Option<String>,
    /// The refund number.
    pub refund_number: Option<String>,
    /// Principal + interest of the row.
    pub amount: Decimal,
    /// The stored status class.
    pub status: Option<String>,
}

/// The answer of [`Ledger::status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The day `overdue` was judged against.
    pub as_of: NaiveDate,
    /// Per importer, recipient and state (in [`EntryState::ALL`] order): counts and amounts.
    pub totals: Vec<StateTotal>,
    /// Per state over every importer and recipient the query selects (in [`EntryState::ALL`] order); here
    /// `importer` and `recipient` are `None`. Serialized as an object keyed by state code:
    /// `{"paid": {"entries": 3, "expected": "…", "paid": "…"}, …}`.
    #[serde(serialize_with = "states_by_code")]
    pub states: Vec<StateTotal>,
    /// Refund report rows naming no assessed entry (whatever the query's importer and state; only those of
    /// imports after [`StatusQuery::since`] when it is given).
    pub unmatched_payments: Vec<UnmatchedPayment>,
    /// The entries, by importer then entry number (last, so that a writer can stream them after the rest;
    /// empty from [`Ledger::status_each`]).
    pub entries: Vec<EntryStatus>,
}

fn states_by_code<S: serde::Serializer>(states: &[StateTotal], s: S) -> std::result::Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Sum {
        entries: u64,
        expected: Decimal,
        paid: Decimal,
    }
    s.collect_map(
        states.iter().map(|t| (t.state.as_str(), Sum { entries: t.entries, expected: t.expected, paid: t.paid })),
    )
}

/// A row of an import that was not used, and why (table `diagnostics`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportDiagnostic {
    /// The file's row, when the problem is a row's.
    pub row: Option<u64>,
    /// The column.
    pub column: Option<String>,
    /// The value as written.
    pub value: Option<String>,
    /// The diagnostic code (docs/codes.md).
    pub code: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

/// One fact about an entry and the import that brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryFact {
    /// The import.
    pub import_id: i64,
    /// Its kind (`assessment`, `declarations`, `claim_results`, `es022`, ...).
    pub kind: String,
    /// The file.
    pub source: String,
    /// When it was recorded (UTC).
    pub recorded_at: String,
    /// The file's row, where it has rows.
    pub row: Option<u64>,
    /// The fact in one line.
    pub fact: String,
}

/// The TEMP view [`Ledger::status`] reads for a given as-of day, and the TEMP table holding that day.
const AS_OF_VIEW: &str = "cape_entry_state_as_of";
const AS_OF_TABLE: &str = "cape_query_day";

/// The TEMP table [`Ledger::status`] selects the entries into, within its read transaction.
const SELECTED: &str = "cape_status_selected";

/// The persistent view's as-of source, as `0001_initial.sql` writes it.
const STORED_AS_OF_SOURCE: &str = "params AS (SELECT as_of FROM ledger_as_of)";

/// The SQL of the TEMP view judging as of the day in the TEMP table: the stored `CREATE VIEW entry_state` text
/// with its name and its as-of source replaced (each found exactly once, else `None`).
fn as_of_view_sql(stored: &str) -> Option<String> {
    const HEAD: &str = "CREATE VIEW entry_state AS";
    let body = stored.strip_prefix(HEAD)?;
    if body.matches(STORED_AS_OF_SOURCE).count() != 1 {
        return None;
    }
    let body = body.replace(STORED_AS_OF_SOURCE, &format!("params AS (SELECT as_of FROM temp.{AS_OF_TABLE})"));
    Some(format!("CREATE TEMP VIEW {AS_OF_VIEW} AS{body}"))
}

/// One table's fact about an entry from its row: the file's row and the fact in one line.
type FactOf = fn(&Row<'_>) -> rusqlite::Result<(Option<u64>, String)>;

const ENTRY_COLUMNS: &str = "entry_number, importer, recipient, state, claim_status, expected_cents, paid_cents, \
     variance_cents, refund_date, refund_number, payment_status_text, claim_number, error_kind, error_text, \
     error_remedy, projected_liquidation, refund_due_by, next_action, act_by, action_note";

fn sql(path: &str) -> impl Fn(rusqlite::Error) -> crate::Error + '_ {
    move |e| super::db_error(path, "cannot query", e)
}

/// A state code the view gives; any other is a damaged file.
fn state_of(path: &str, code: &str) -> Result<EntryState> {
    EntryState::from_code(code)
        .ok_or_else(|| ledger_error(path, LedgerProblem::Corrupt, &format!("entry_state gives unknown state {code:?}")))
}

fn entry_status(path: &str, r: &Row<'_>) -> Result<EntryStatus> {
    let e = sql(path);
    let state: String = r.get(3).map_err(&e)?;
    let state = state_of(path, &state)?;
    let variance: Option<i64> = r.get(7).map_err(&e)?;
    Ok(EntryStatus {
        entry_number: r.get(0).map_err(&e)?,
        importer: r.get(1).map_err(&e)?,
        recipient: r.get(2).map_err(&e)?,
        state,
        claim_status: r.get(4).map_err(&e)?,
        expected: from_cents(r.get(5).map_err(&e)?),
        paid: from_cents(r.get(6).map_err(&e)?),
        variance: variance.map(from_cents),
        refund_date: parse_date(path, r.get(8).map_err(&e)?)?,
        refund_number: r.get(9).map_err(&e)?,
        payment_status_text: r.get(10).map_err(&e)?,
        claim_number: r.get(11).map_err(&e)?,
        error_kind: r.get(12).map_err(&e)?,
        error_text: r.get(13).map_err(&e)?,
        error_remedy: r.get(14).map_err(&e)?,
        projected_liquidation: parse_date(path, r.get(15).map_err(&e)?)?,
        refund_due_by: parse_date(path, r.get(16).map_err(&e)?)?,
        next_action: r.get(17).map_err(&e)?,
        act_by: parse_date(path, r.get(18).map_err(&e)?)?,
        action_note: r.get(19).map_err(&e)?,
    })
}

/// The entries of `view` the filter selects, by importer then entry number, each given to `each`.
fn entries_where(
    conn: &Connection,
    path: &str,
    view: &str,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
    each: &mut dyn FnMut(EntryStatus) -> Result<()>,
) -> Result<()> {
    let mut st = conn
        .prepare(&format!("SELECT {ENTRY_COLUMNS} FROM {view} WHERE {filter} ORDER BY importer, entry_number"))
        .map_err(sql(path))?;
    let mut rows = st.query(args).map_err(sql(path))?;
    while let Some(r) = rows.next().map_err(sql(path))? {
        each(entry_status(path, r)?)?;
    }
    Ok(())
}

/// The entry of a [`Ledger::status_each`] callback, and the report it belongs to (all but its entries).
type OnEntry<'a> = &'a mut dyn FnMut(&StatusReport, EntryStatus) -> Result<()>;

fn status_in(
    conn: &Connection,
    path: &str,
    view: &str,
    q: &StatusQuery,
    on_entry: OnEntry<'_>,
) -> Result<StatusReport> {
    let e = sql(path);
    let as_of = match q.as_of {
        Some(d) => d,
        None => {
            let day: String = conn.query_row("SELECT as_of FROM ledger_as_of", [], |r| r.get(0)).map_err(&e)?;
            parse_date(path, Some(day))?.unwrap_or_default()
        }
    };
    let state = q.state.map(EntryState::as_str);
    // The importer as the ledger stores it (the canonical dashed form: `12345678900` finds `12-345678900`).
    let importer = q.importer.as_deref().map(|i| crate::ImporterNumber::parse(i).as_str().to_owned());
    if let Some(since) = q.since {
        let latest: i64 = conn.query_row("SELECT COALESCE(max(id), 0) FROM imports", [], |r| r.get(0)).map_err(&e)?;
        if since < 0 || since > latest {
            let reason = format!("there is no import {since} in {path}; the imports are 1 to {latest}");
            return Err(crate::Error::value(crate::ErrorKind::InvalidValue, "since", &since.to_string(), reason));
        }
    }
    // Since an import: the entries with a fact recorded after it, a REV-603 row (per refund) reaching each entry
    // a report lists under its refund key, and the entries overdue now that were not yet due as of the import's day.
    let filter = "(?1 IS NULL OR importer = ?1) AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR entry_number IN \
                  (SELECT entry_number FROM assessments WHERE import_id > ?3 UNION SELECT entry_number FROM \
                  declarations WHERE import_id > ?3 UNION SELECT entry_number FROM claim_results WHERE import_id > \
                  ?3 UNION SELECT entry_number FROM payments WHERE import_id > ?3 UNION SELECT entry_number FROM \
                  payments WHERE entry_number IS NOT NULL AND refund_key IN (SELECT refund_key FROM payments WHERE \
                  import_id > ?3 AND entry_number IS NULL AND refund_key IS NOT NULL)) OR (state = 'overdue' AND \
                  refund_due_by >= COALESCE((SELECT max(as_of) FROM imports WHERE id <= ?3), '')))";
    // The view is costly (windows over every refund row): the entries selected are computed once, into a TEMP
    // table of this connection (nothing written to the file), and the totals, states and entries read from it.
    conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{SELECTED}")).map_err(&e)?;
    conn.execute(
        &format!("CREATE TEMP TABLE {SELECTED} AS SELECT {ENTRY_COLUMNS} FROM {view} WHERE {filter}"),
        params![importer, state, q.since],
    )
    .map_err(&e)?;
    // `select` gives the importer and recipient columns, `group` what they are grouped by besides the state.
    let totals_by = |select: &str, group: &str| -> Result<Vec<StateTotal>> {
        let mut st = conn
            .prepare(&format!(
                "SELECT {select}, state, count(*), sum(expected_cents), sum(paid_cents) FROM temp.{SELECTED} \
                 GROUP BY {group}state"
            ))
            .map_err(&e)?;
        let mut rows = st.query([]).map_err(&e)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&e)? {
            let code: String = r.get(2).map_err(&e)?;
            let state = state_of(path, &code)?;
            out.push(StateTotal {
                importer: r.get(0).map_err(&e)?,
                recipient: r.get(1).map_err(&e)?,
                state,
                entries: r.get(3).map_err(&e)?,
                expected: from_cents(r.get(4).map_err(&e)?),
                paid: from_cents(r.get(5).map_err(&e)?),
            });
        }
        out.sort_by(|a, b| (&a.importer, &a.recipient, a.state).cmp(&(&b.importer, &b.recipient, b.state)));
        Ok(out)
    };
    let totals = totals_by("importer, recipient", "importer, recipient, ")?;
    let states = totals_by("NULL, NULL", "")?;
    let mut unmatched = Vec::new();
    {
        let mut st = conn
            .prepare(
                "SELECT import_id, source, row, entry_number, refund_number, COALESCE(principal_cents, 0) + \
                 COALESCE(interest_cents, 0), status FROM unmatched_payments WHERE ?1 IS NULL OR import_id > ?1 \
                 ORDER BY import_id, row",
            )
            .map_err(&e)?;
        let mut rows = st.query([q.since]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            unmatched.push(UnmatchedPayment {
                import_id: r.get(0).map_err(&e)?,
                source: r.get(1).map_err(&e)?,
                row: r.get(2).map_err(&e)?,
                entry_number: r.get(3).map_err(&e)?,
                refund_number: r.get(4).map_err(&e)?,
                amount: from_cents(r.get(5).map_err(&e)?),
                status: r.get(6).map_err(&e)?,
            });
        }
    }
    let report = StatusReport { as_of, entries: Vec::new(), totals, states, unmatched_payments: unmatched };
    entries_where(conn, path, &format!("temp.{SELECTED}"), "1", &[], &mut |e| on_entry(&report, e))?;
    Ok(report)
}

impl Ledger {
    /// Runs `f` over the view of entry states judging as of `as_of`. `None`: the persistent view `entry_state`
    /// (its own day, from the view `ledger_as_of`). A day: a TEMP view made from the persistent view's own SQL text (as the
    /// file stores it) with the as-of source as the only difference, reading the day from a TEMP table of this
    /// connection; nothing is written to the file, so this works on a read-only ledger. SQLite resolves a
    /// persistent view's tables in its own schema, never in `temp`, hence the second view rather than a TEMP
    /// table shadowing `query_as_of`.
    fn as_of<T>(&self, as_of: Option<NaiveDate>, f: impl FnOnce(&Connection, &str, &str) -> Result<T>) -> Result<T> {
        let path = self.path.as_str();
        let Some(day) = as_of else { return f(&self.conn, path, "entry_state") };
        let e = |what: &'static str| move |e| super::db_error(path, what, e);
        let exists: bool = self
            .conn
            .query_row("SELECT count(*) > 0 FROM temp.sqlite_schema WHERE name = ?1", [AS_OF_VIEW], |r| r.get(0))
            .map_err(e("cannot read the temporary schema"))?;
        if !exists {
            let stored: String = self
                .conn
                .query_row("SELECT sql FROM main.sqlite_schema WHERE type = 'view' AND name = 'entry_state'", [], |r| {
                    r.get(0)
                })
                .map_err(e("cannot read the view entry_state"))?;
            let text = as_of_view_sql(&stored).ok_or_else(|| {
                ledger_error(
                    path,
                    LedgerProblem::Corrupt,
                    "the view entry_state is not the one cape wrote (its as-of source is missing); restore the file",
                )
            })?;
            self.conn
                .execute_batch(&format!("CREATE TEMP TABLE IF NOT EXISTS {AS_OF_TABLE} (as_of TEXT NOT NULL); {text}"))
                .map_err(e("cannot make the as-of view"))?;
        }
        self.conn
            .execute(&format!("DELETE FROM temp.{AS_OF_TABLE}"), [])
            .and_then(|_| {
                self.conn.execute(&format!("INSERT INTO temp.{AS_OF_TABLE} (as_of) VALUES (?1)"), [day.to_string()])
            })
            .map_err(e("cannot set the as-of day"))?;
        f(&self.conn, path, AS_OF_VIEW)
    }

    /// Every entry the query selects with its state, the totals per importer, recipient and state, and the
    /// refund report rows naming no assessed entry.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read; [`crate::ErrorKind::InvalidValue`] for a
    /// [`StatusQuery::since`] naming no import. Nothing is written to the file (a read-only ledger answers any
    /// `as_of`).
    pub fn status(&self, query: &StatusQuery) -> Result<StatusReport> {
        let mut entries = Vec::new();
        let mut report = self.status_each(query, |_, e| {
            entries.push(e);
            Ok(())
        })?;
        report.entries = entries;
        Ok(report)
    }

    /// [`Ledger::status`] without holding the entries: the totals, states and unmatched refund rows are read
    /// first, then each selected entry (by importer, then entry number) is given to `each` with that report,
    /// and the report is returned with `entries` empty. All of it is read in one transaction, so the entries
    /// and the totals agree even while another process records. Memory: the totals (one line per importer,
    /// recipient and state) and the unmatched refund rows, never the entries.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read; the first error `each` returns, which stops the
    /// reading.
    ///
    /// # Example
    ///
    /// ```
    /// use cape_core::ledger::{Ledger, LedgerOptions, StatusQuery};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let ledger = Ledger::create(dir.path().join("cape.db"), &LedgerOptions::default())?;
    /// let mut seen = 0;
    /// let report = ledger.status_each(&StatusQuery::default(), |_report, _entry| {
    ///     seen += 1;
    ///     Ok(())
    /// })?;
    /// assert_eq!((seen, report.entries.len(), report.totals.len()), (0, 0, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status_each(
        &self,
        query: &StatusQuery,
        mut each: impl FnMut(&StatusReport, EntryStatus) -> Result<()>,
    ) -> Result<StatusReport> {
        let tx =
            self.conn.unchecked_transaction().map_err(|e| super::db_error(&self.path, "cannot begin reading", e))?;
        let report = self.as_of(query.as_of, |conn, path, view| status_in(conn, path, view, query, &mut each))?;
        drop(tx); // read only: rolling back ends the snapshot
        Ok(report)
    }

    /// Every fact recorded about `entry`, oldest import first: assessments, declarations, CAPE results and
    /// refund report rows, each with its import's file and time.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read.
    pub fn history(&self, entry: &EntryNumber) -> Result<Vec<HistoryFact>> {
        let e = sql(&self.path);
        let key = entry.to_string();
        let mut out = Vec::new();
        let facts: [(&str, FactOf); 4] = [
            (
                "SELECT import_id, status, principal_cents, interest_cents, refund_due_by, next_action, act_by \
                 FROM assessments WHERE entry_number = ?1",
                |r| {
                    let interest: Option<i64> = r.get(3)?;
                    Ok((
                        None,
                        format!(
                            "assessed {}: expected principal {}, interest {}; refund due by {}; next action {} by {}",
                            r.get::<_, String>(1)?,
                            from_cents(r.get(2)?),
                            interest.map_or("unknown".to_owned(), |c| from_cents(c).to_string()),
                            r.get::<_, Option<String>>(4)?.unwrap_or_else(|| "-".into()),
                            r.get::<_, Option<String>>(5)?.unwrap_or_else(|| "-".into()),
                            r.get::<_, Option<String>>(6)?.unwrap_or_else(|| "-".into()),
                        ),
                    ))
                },
            ),
            ("SELECT import_id, row, file, sha256 FROM declarations WHERE entry_number = ?1", |r| {
                Ok((
                    Some(r.get(1)?),
                    format!("declared in {} (SHA-256 {})", r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                ))
            }),
            (
                "SELECT import_id, row, status, claim_number, error_kind, error_text FROM claim_results WHERE \
                 entry_number = ?1",
                |r| {
                    let mut s = format!("CAPE result {}", r.get::<_, String>(2)?);
                    if let Some(c) = r.get::<_, Option<String>>(3)? {
                        s.push_str(&format!(", claim {c}"));
                    }
                    if let Some(k) = r.get::<_, Option<String>>(4)? {
                        s.push_str(&format!(", error {k}: {}", r.get::<_, Option<String>>(5)?.unwrap_or_default()));
                    }
                    Ok((Some(r.get(1)?), s))
                },
            ),
            (
                "SELECT import_id, row, refund_number, principal_cents, interest_cents, refund_date, status, \
                 status_text FROM payments WHERE entry_number = ?1",
                |r| {
                    let cents =
                        |i| r.get::<_, Option<i64>>(i).map(|c| c.map_or("-".to_owned(), |c| from_cents(c).to_string()));
                    Ok((
                        Some(r.get(1)?),
                        format!(
                            "refund {}: principal {}, interest {}, refund date {}, status {}{}",
                            r.get::<_, Option<String>>(2)?.unwrap_or_else(|| "-".into()),
                            cents(3)?,
                            cents(4)?,
                            r.get::<_, Option<String>>(5)?.unwrap_or_else(|| "-".into()),
                            r.get::<_, Option<String>>(6)?.unwrap_or_else(|| "-".into()),
                            r.get::<_, Option<String>>(7)?.map(|t| format!(" ({t})")).unwrap_or_default(),
                        ),
                    ))
                },
            ),
        ];
        for (q, fact) in facts {
            let mut st = self.conn.prepare(q).map_err(&e)?;
            let mut rows = st.query(params![key]).map_err(&e)?;
            while let Some(r) = rows.next().map_err(&e)? {
                let import_id: i64 = r.get(0).map_err(&e)?;
                let (row, fact) = fact(r).map_err(&e)?;
                out.push((import_id, row, fact));
            }
        }
        out.sort();
        let mut facts = Vec::with_capacity(out.len());
        for (import_id, row, fact) in out {
            let (kind, source, recorded_at) = self
                .conn
                .query_row("SELECT kind, source, recorded_at FROM imports WHERE id = ?1", params![import_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .map_err(&e)?;
            facts.push(HistoryFact { import_id, kind, source, recorded_at, row, fact });
        }
        Ok(facts)
    }

    /// The rows import `import_id` did not use, and why, in the file's order; at most `limit`, and how many there
    /// are in all.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read.
    pub fn diagnostics(&self, import_id: i64, limit: usize) -> Result<(Vec<ImportDiagnostic>, u64)> {
        let e = sql(&self.path);
        let total: u64 = self
            .conn
            .query_row("SELECT count(*) FROM diagnostics WHERE import_id = ?1", [import_id], |r| r.get(0))
            .map_err(&e)?;
        let mut st = self
            .conn
            .prepare(
                "SELECT row, \"column\", value, code, message FROM diagnostics WHERE import_id = ?1 ORDER BY row, \
                 rowid LIMIT ?2",
            )
            .map_err(&e)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = st.query(params![import_id, limit]).map_err(&e)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(&e)? {
            out.push(ImportDiagnostic {
                row: r.get(0).map_err(&e)?,
                column: r.get(1).map_err(&e)?,
                value: r.get(2).map_err(&e)?,
                code: r.get(3).map_err(&e)?,
                message: r.get(4).map_err(&e)?,
            });
        }
        Ok((out, total))
    }

    /// What changed after import `import_id`: the entries with a fact recorded by a later import, with their
    /// state now and their totals, and the refund report rows of later imports naming no assessed entry. The
    /// same as [`Ledger::status`] with [`StatusQuery::since`].
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read.
    pub fn changes_since(&self, import_id: i64) -> Result<StatusReport> {
        self.status(&StatusQuery { since: Some(import_id), ..StatusQuery::default() })
    }

    /// Everything one importer's client statement shows, as of a day (`None`: the day [`Ledger::status`] judges
    /// against, the latest import's as-of day, else today): the totals expected (over entries CAPE may
    /// refund: not rejected, and eligible or already declared), paid and outstanding (never netted against an
    /// over-payment), the states, expected refunds by the month they are due and received ones by refund date,
    /// the open deadlines and one line per entry.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Ledger`] when the file cannot be read (nothing is written: a read-only ledger answers);
    /// [`crate::ErrorKind::InvalidValue`] when the ledger has no entry of `importer` (no empty statement is made);
    /// [`crate::Error::Overflow`] for sums beyond any real refund.
    pub fn statement_data(&self, importer: &str, as_of: Option<NaiveDate>) -> Result<StatementData> {
        let q = StatusQuery { importer: Some(importer.to_owned()), as_of, ..StatusQuery::default() };
        let report = self.status(&q)?;
        let as_of = report.as_of;
        if report.entries.is_empty() {
            let reason =
                format!("no entry of this importer in {} (the ledger's importers: cape ledger status)", self.path);
            return Err(crate::Error::value(crate::ErrorKind::InvalidValue, "importer", importer, reason));
        }
        let add = |a: Decimal, b: Decimal| a.checked_add(b).ok_or(crate::Error::Overflow("statement total"));
        let (mut expected, mut paid, mut outstanding) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let mut states: BTreeMap<EntryState, StateLine> = BTreeMap::new();
        let mut months: BTreeMap<NaiveDate, (Decimal, Decimal)> = BTreeMap::new();
        let mut deadlines = Vec::new();
        let mut entries = Vec::new();
        for e in &report.entries {
            let declarable = matches!(e.claim_status.as_deref(), Some("eligible" | "eligible_deferred"));
            let counted = e.state != EntryState::Rejected && (declarable || e.state != EntryState::NotDeclared);
            if counted {
                expected = add(expected, e.expected)?;
                if e.expected > e.paid {
                    outstanding = add(outstanding, e.expected - e.paid)?;
                }
                if let Some(due) = e.refund_due_by {
                    let m = months.entry(first_of_month(due)).or_default();
                    m.0 = add(m.0, e.expected)?;
                }
            }
            paid = add(paid, e.paid)?;
            if let (Some(day), true) = (e.refund_date, !e.paid.is_zero()) {
                let m = months.entry(first_of_month(day)).or_default();
                m.1 = add(m.1, e.paid)?;
            }
            let line = states.entry(e.state).or_insert_with(|| StateLine {
                state: e.state.as_str().to_owned(),
                entries: 0,
                expected: Decimal::ZERO,
                paid: Decimal::ZERO,
            });
            line.entries += 1;
            line.expected = add(line.expected, e.expected)?;
            line.paid = add(line.paid, e.paid)?;
            let open = !matches!(e.state, EntryState::Paid | EntryState::PaidOver);
            if let (Some(action), Some(act_by), true) = (&e.next_action, e.act_by, open) {
                if act_by >= as_of && action != "none" {
                    deadlines.push(DeadlineLine {
                        entry_number: e.entry_number.clone(),
                        action: action.clone(),
                        act_by,
                        note: e.action_note.clone().unwrap_or_default(),
                    });
                }
            }
            entries.push(EntryLine {
                entry_number: e.entry_number.clone(),
                state: e.state.as_str().to_owned(),
                expected: e.expected,
                paid: e.paid,
                variance: e.variance,
                refund_date: e.refund_date,
                note: note(e),
            });
        }
        deadlines.sort_by(|a, b| (a.act_by, &a.entry_number).cmp(&(b.act_by, &b.entry_number)));
        Ok(StatementData {
            importer: crate::ImporterNumber::parse(importer).as_str().to_owned(),
            importer_name: None,
            as_of,
            generated_by: format!("cape {}, ledger {}", crate::VERSION, self.path),
            expected,
            paid,
            outstanding,
            states: states.into_values().collect(),
            months: months
                .into_iter()
                .map(|(month, (expected, received))| MonthLine { month, expected, received })
                .collect(),
            deadlines,
            entries,
        })
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The entry line's note: CAPE's error and remedy, the report's words, the variance, the due day passed.
fn note(e: &EntryStatus) -> String {
    match e.state {
        EntryState::Rejected => format!(
            "{} — {}",
            e.error_text.as_deref().or(e.error_kind.as_deref()).unwrap_or("rejected"),
            e.error_remedy.as_deref().unwrap_or("see the CAPE results file")
        ),
        EntryState::Returned => format!("payment returned{}", words(e)),
        EntryState::Diverted => format!("funds diverted to a debt{}", words(e)),
        EntryState::Held => format!("refund held{}", words(e)),
        EntryState::PaidShort | EntryState::PaidOver => {
            format!("paid {} against {} expected", e.paid, e.expected)
        }
        EntryState::Overdue => {
            format!("refund due by {} not paid", e.refund_due_by.map(|d| d.to_string()).unwrap_or_default())
        }
        _ => String::new(),
    }
}

fn words(e: &EntryStatus) -> String {
    e.payment_status_text.as_deref().map(|t| format!(" ({t})")).unwrap_or_default()
}
