-- cape ledger schema, migration 0001 (cape issue 18, "The refund ledger").
-- Adds: the tables imports, assessments, declarations, claim_results, payments, diagnostics and query_as_of;
-- the views ledger_as_of, entry_state (one state per entry: the one definition of the rule) and unmatched_payments.
-- Money is INTEGER cents (exact; SUM-safe), converted from and to rust_decimal by cape, never a float.
-- Dates are ISO 8601 TEXT (YYYY-MM-DD); recorded_at is UTC (YYYY-MM-DDTHH:MM:SS.SSSZ).
-- Entry numbers are in dashed form (VSU-0828889-3). "Latest" means recorded last (highest import id).

-- One row per file recorded. (kind, sha256, as_of) is unique (index imports_once): the same file twice is recorded
-- once; an ES-003 once per as-of day (its assessment as of another day is another import).
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('assessment', 'declarations', 'claim_results', 'es022', 'rev603', 'rev615')),
    source        TEXT NOT NULL,
    sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
    recorded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    as_of         TEXT,
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_used     INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX imports_once ON imports (kind, sha256, COALESCE(as_of, ''));

-- Per entry, what one assessment (an ES-003 through cape's spine, as of a day) expects.
CREATE TABLE assessments (
    import_id             INTEGER NOT NULL REFERENCES imports (id),
    entry_number          TEXT NOT NULL,
    importer              TEXT,
    recipient             TEXT,
    recipient_held        INTEGER NOT NULL DEFAULT 0 CHECK (recipient_held IN (0, 1)),
    status                TEXT NOT NULL,          -- claim status: eligible, eligible_deferred, needs_review, ineligible
    principal_cents       INTEGER NOT NULL,       -- IEEPA duty to be refunded
    interest_cents        INTEGER,                -- interest to the projected (re)liquidation, when computed
    projected_liquidation TEXT,
    refund_due_by         TEXT,
    last_filing_day       TEXT,
    next_action           TEXT,                   -- ActionCode (docs/codes.md family action)
    act_by                TEXT,
    action_note           TEXT,
    PRIMARY KEY (import_id, entry_number)
);

-- Per declaration file of a recorded manifest, each entry it lists.
CREATE TABLE declarations (
    import_id    INTEGER NOT NULL REFERENCES imports (id),
    file         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    row          INTEGER NOT NULL,
    entry_number TEXT NOT NULL,
    PRIMARY KEY (import_id, file, row)
);
CREATE INDEX declarations_entry ON declarations (entry_number);

-- Per row of a CAPE claim-details (results) file.
CREATE TABLE claim_results (
    import_id    INTEGER NOT NULL REFERENCES imports (id),
    row          INTEGER NOT NULL,
    entry_number TEXT,                            -- NULL when the row's entry does not parse (entry_text keeps it)
    entry_text   TEXT NOT NULL,
    claim_number TEXT,
    status       TEXT NOT NULL,                   -- entry_summary_updated, failed, or CAPE's text verbatim
    error_kind   TEXT,                            -- CapeErrorKind name (docs/codes.md family cape)
    error_text   TEXT,
    error_remedy TEXT,
    PRIMARY KEY (import_id, row)
);
CREATE INDEX claim_results_entry ON claim_results (entry_number);

-- Per row of an ACE refund report (ES-022, REV-603, REV-615).
CREATE TABLE payments (
    import_id          INTEGER NOT NULL REFERENCES imports (id),
    row                INTEGER NOT NULL,
    entry_number       TEXT,                      -- NULL when the row names no entry (REV-603)
    declaration_number TEXT,
    refund_number      TEXT,
    refund_key         TEXT,                      -- refund_number as compared: letters and digits, upper case,
                                                  -- leading zeros dropped (R-0001, r0001 and R0001 are one refund)
    principal_cents    INTEGER,
    interest_cents     INTEGER,
    refund_date        TEXT,
    status             TEXT,                      -- sent_to_treasury, treasury_issued, funds_diverted, returned, held, other
    status_text        TEXT,                      -- the report's words for an `other` or `held` status
    status_date        TEXT,
    PRIMARY KEY (import_id, row)
);
CREATE INDEX payments_entry ON payments (entry_number);
CREATE INDEX payments_refund ON payments (refund_key);

-- The rows of an import that were not used, and why (every input row is used or reported).
CREATE TABLE diagnostics (
    import_id INTEGER NOT NULL REFERENCES imports (id),
    row       INTEGER,
    "column"  TEXT,
    value     TEXT,
    code      TEXT,
    message   TEXT NOT NULL
);

-- The day entry_state judges overdue against. Normally empty: the view then uses the latest as-of day of the
-- assessments recorded (the largest), else today. Fill it inside a transaction rolled back to ask "as of" another day with your own SQL (cape
-- itself uses a TEMP copy of entry_state reading a TEMP table, so that a read-only file answers too).
CREATE TABLE query_as_of (
    as_of TEXT NOT NULL
);

-- The day the views judge against: the row of query_as_of, else the largest as_of recorded, else today.
CREATE VIEW ledger_as_of AS
SELECT COALESCE((SELECT max(as_of) FROM query_as_of), (SELECT max(as_of) FROM imports), date('now')) AS as_of;

-- One row per entry the ledger knows (assessed, declared or in a results file): its latest facts and its state.
-- state, first rule that holds:
--   returned / diverted / held   the entry's latest refund (by its status date) says so (Check/ACH Returned, Funds
--                                Diverted, a hold), from its own row or its refund's REV-603 row
--   paid / paid_short / paid_over Treasury issued refunds for the entry: their principal + interest equals, is
--                                under, is over the expected principal + interest (variance_cents = paid - expected;
--                                when cape could not compute the interest, the interest paid stands for it)
--   overdue                      no refund issued, and refund_due_by (projected (re)liquidation + 30 days) is before
--                                as_of, for an entry declared, accepted or liquidated
--   liquidated                   a refund report lists a refund of the entry, not issued yet (Sent to Treasury, or
--                                no status: REV-615 lists refunds sent to Treasury)
--   rejected                     CAPE's latest result for the entry is Failed (error_kind, error_text, error_remedy)
--   accepted / held              CAPE's latest result is Entry Summary Updated (held when the assessment says the
--                                refund would be held for missing ACH refund enrollment)
--   declared                     a recorded declaration lists the entry, after its latest result if any
--   not_declared                 otherwise
-- A refund is counted once: per entry and refund key (payments.refund_key; a row without one is keyed by its amounts),
-- principal and interest each from the latest file giving them (a file's distinct amounts of one refund summed), its
-- status the latest by its date (status date, else the day recorded). The CTEs below say each rule.
-- The intermediate steps are MATERIALIZED: computed once each (SQLite 3.54 otherwise re-ran some per entry, 335 s
-- for 20k entries instead of 3 s).
CREATE VIEW entry_state AS
WITH
params AS (SELECT as_of FROM ledger_as_of),
known AS (
    SELECT entry_number FROM assessments
    UNION SELECT entry_number FROM declarations
    UNION SELECT entry_number FROM claim_results WHERE entry_number IS NOT NULL
),
la AS MATERIALIZED (
    SELECT a.*, row_number() OVER (PARTITION BY entry_number ORDER BY import_id DESC) AS rn FROM assessments a
),
ld AS MATERIALIZED (
    SELECT entry_number, max(import_id) AS import_id FROM declarations GROUP BY entry_number
),
lr AS MATERIALIZED (
    SELECT r.*, row_number() OVER (PARTITION BY entry_number ORDER BY import_id DESC, row DESC) AS rn
    FROM claim_results r WHERE entry_number IS NOT NULL
),
-- Refund report rows with the day their file was recorded.
pay AS MATERIALIZED (
    SELECT p.*, substr(i.recorded_at, 1, 10) AS recorded_day
    FROM payments p JOIN imports i ON i.id = p.import_id
),
-- Entry-level rows (ES-022, REV-615): one refund of one entry. A row naming no refund, giving no amount and no
-- payment status is not a refund, nor is an unnumbered row with a status cape does not know (an ES-022 claim status
-- such as "Rejected", even with amounts). A row without a refund number is keyed by its amounts, so the same row in
-- two files is one refund; it is dropped where a numbered row of the entry gives the same amounts (the same refund
-- once its number is known).
entry_rows AS MATERIALIZED (
    SELECT entry_number, import_id, row, status, status_text, status_date, recorded_day, refund_number,
        principal_cents, interest_cents, refund_date,
        COALESCE(pay.refund_key, 'unnumbered:' || COALESCE(principal_cents, '') || ':' || COALESCE(interest_cents, ''))
            AS refund_key
    FROM pay
    WHERE pay.entry_number IS NOT NULL
        AND (pay.refund_key IS NOT NULL OR pay.principal_cents IS NOT NULL OR pay.interest_cents IS NOT NULL
            OR pay.status IN ('sent_to_treasury', 'treasury_issued', 'funds_diverted', 'returned', 'held'))
        AND NOT (pay.refund_key IS NULL AND pay.status IS 'other')
        AND NOT (pay.refund_key IS NULL AND EXISTS (
            SELECT 1 FROM payments q WHERE q.entry_number = pay.entry_number AND q.refund_key IS NOT NULL
                AND q.principal_cents IS pay.principal_cents AND q.interest_cents IS pay.interest_cents))
),
-- Per refund and import, its amounts: the distinct amounts of one file's rows summed (a refund split over rows,
-- principal on one and interest on another; a row repeated, or a refund's status history on several rows, counts
-- once). Principal and interest each come from the latest file giving them.
refund_amounts AS MATERIALIZED (
    SELECT entry_number, refund_key, import_id, sum(principal_cents) AS principal_cents,
        sum(interest_cents) AS interest_cents
    FROM (SELECT DISTINCT entry_number, refund_key, import_id, principal_cents, interest_cents
          FROM entry_rows WHERE principal_cents IS NOT NULL OR interest_cents IS NOT NULL)
    GROUP BY entry_number, refund_key, import_id
),
amounts AS MATERIALIZED (
    SELECT entry_number, refund_key, max(CASE WHEN rp = 1 THEN principal_cents END) AS principal_cents,
        max(CASE WHEN ri = 1 THEN interest_cents END) AS interest_cents
    FROM (SELECT entry_number, refund_key, principal_cents, interest_cents,
              row_number() OVER (PARTITION BY entry_number, refund_key ORDER BY principal_cents IS NULL, import_id DESC) AS rp,
              row_number() OVER (PARTITION BY entry_number, refund_key ORDER BY interest_cents IS NULL, import_id DESC) AS ri
          FROM refund_amounts)
    GROUP BY entry_number, refund_key
),
-- What happened to each refund: the statuses of its entry-level rows and of the REV-603 rows (per refund, naming no
-- entry) for every entry a report lists under that refund number. A status is dated by its status date, else by the
-- day its file was recorded (never by the refund date); the latest wins, on one day the later stage (sent, then
-- issued, then returned, diverted or held), then the file recorded last. An undated "Sent to Treasury" says nothing
-- a listed refund does not (it is the default), so it never undoes a later stage. `other` statuses are kept as
-- text, never a state.
status_events AS MATERIALIZED (
    SELECT entry_number, refund_key, status, status_text, COALESCE(status_date, recorded_day) AS event_date,
        import_id, row
    FROM entry_rows
    WHERE status IS NOT NULL AND status <> 'other' AND NOT (status = 'sent_to_treasury' AND status_date IS NULL)
    UNION ALL
    SELECT e.entry_number, e.refund_key, p.status, p.status_text, COALESCE(p.status_date, p.recorded_day), p.import_id,
        p.row
    FROM pay p JOIN (SELECT DISTINCT entry_number, refund_key FROM entry_rows) e ON e.refund_key = p.refund_key
    WHERE p.entry_number IS NULL AND p.status IS NOT NULL AND p.status <> 'other'
        AND NOT (p.status = 'sent_to_treasury' AND p.status_date IS NULL)
),
refund_status AS MATERIALIZED (
    SELECT entry_number, refund_key, status, status_text, event_date, row_number() OVER (
        PARTITION BY entry_number, refund_key
        ORDER BY event_date DESC, CASE status WHEN 'sent_to_treasury' THEN 0 WHEN 'treasury_issued' THEN 1 ELSE 2 END DESC,
            import_id DESC, row DESC) AS rn
    FROM status_events
),
-- One row per refund of an entry: its number, amounts and status. A refund listed without a status was at least sent
-- to Treasury (REV-615 lists refunds sent to Treasury; an ES-022 refund number is CBP's refund record).
refunds AS MATERIALIZED (
    SELECT k.entry_number, k.refund_key, k.refund_number, a.principal_cents, a.interest_cents, k.refund_date,
        COALESCE(s.status, 'sent_to_treasury') AS status, s.status_text,
        COALESCE(s.event_date, k.refund_date, k.recorded_day) AS event_date
    FROM (SELECT entry_number, refund_key, max(refund_number) AS refund_number, max(refund_date) AS refund_date,
              max(recorded_day) AS recorded_day
          FROM entry_rows GROUP BY entry_number, refund_key) k
    LEFT JOIN amounts a ON a.entry_number = k.entry_number AND a.refund_key = k.refund_key
    LEFT JOIN refund_status s ON s.entry_number = k.entry_number AND s.refund_key = k.refund_key AND s.rn = 1
),
paid AS MATERIALIZED (
    SELECT entry_number,
        sum(CASE WHEN status = 'treasury_issued' THEN COALESCE(principal_cents, 0) + COALESCE(interest_cents, 0) ELSE 0 END)
            AS paid_cents,
        sum(CASE WHEN status = 'treasury_issued' THEN COALESCE(interest_cents, 0) ELSE 0 END) AS paid_interest_cents,
        -- An issued refund whose amounts no report gives is not compared (it stays liquidated), never "paid 0".
        max(status = 'treasury_issued' AND (principal_cents IS NOT NULL OR interest_cents IS NOT NULL)) AS issued,
        max(CASE WHEN status = 'treasury_issued' THEN refund_date END) AS refund_date
    FROM refunds GROUP BY entry_number
),
-- The entry's latest refund (by its date): returned, diverted or held, and the report's words.
lp AS MATERIALIZED (
    SELECT entry_number, status, status_text, refund_number, row_number() OVER (
        PARTITION BY entry_number ORDER BY event_date DESC NULLS LAST, refund_key DESC) AS rn
    FROM refunds
),
facts AS (
    SELECT k.entry_number,
        la.import_id AS assessment_import_id,
        la.importer, la.recipient, la.status AS claim_status,
        COALESCE(la.principal_cents, 0) AS expected_principal_cents,
        COALESCE(la.interest_cents, 0) AS expected_interest_cents,
        COALESCE(la.principal_cents, 0) + COALESCE(la.interest_cents, 0) AS expected_cents,
        -- What a payment is compared with: when cape could not compute the interest, the interest paid is taken as
        -- expected, so the variance is the principal's (never the unknown interest counted as over-paid).
        COALESCE(la.principal_cents, 0) + COALESCE(la.interest_cents, paid.paid_interest_cents, 0) AS compared_cents,
        la.projected_liquidation, la.refund_due_by, la.last_filing_day, la.next_action, la.act_by, la.action_note,
        COALESCE(la.recipient_held, 0) AS recipient_held,
        ld.import_id AS declaration_import_id,
        lr.import_id AS result_import_id, lr.claim_number, lr.status AS result_status,
        lr.error_kind, lr.error_text, lr.error_remedy,
        COALESCE(paid.paid_cents, 0) AS paid_cents, COALESCE(paid.issued, 0) AS issued, paid.refund_date,
        lp.status AS payment_status, lp.status_text AS payment_status_text, lp.refund_number,
        (SELECT as_of FROM params) AS as_of
    FROM known k
    LEFT JOIN la ON la.entry_number = k.entry_number AND la.rn = 1
    LEFT JOIN ld ON ld.entry_number = k.entry_number
    LEFT JOIN lr ON lr.entry_number = k.entry_number AND lr.rn = 1
    LEFT JOIN paid ON paid.entry_number = k.entry_number
    LEFT JOIN lp ON lp.entry_number = k.entry_number AND lp.rn = 1
),
based AS (
    SELECT f.*,
        CASE
            WHEN payment_status = 'returned' THEN 'returned'
            WHEN payment_status = 'funds_diverted' THEN 'diverted'
            WHEN payment_status = 'held' THEN 'held'
            WHEN issued AND paid_cents = compared_cents THEN 'paid'
            WHEN issued AND paid_cents < compared_cents THEN 'paid_short'
            WHEN issued AND paid_cents > compared_cents THEN 'paid_over'
            WHEN payment_status IS NOT NULL THEN 'liquidated'
            WHEN result_import_id IS NOT NULL AND result_import_id >= COALESCE(declaration_import_id, 0)
                AND result_status = 'failed' THEN 'rejected'
            WHEN result_import_id IS NOT NULL AND result_import_id >= COALESCE(declaration_import_id, 0)
                AND result_status = 'entry_summary_updated' THEN CASE WHEN recipient_held THEN 'held' ELSE 'accepted' END
            WHEN declaration_import_id IS NOT NULL THEN 'declared'
            ELSE 'not_declared'
        END AS base_state
    FROM facts f
)
SELECT entry_number, importer, recipient,
    CASE
        WHEN base_state IN ('declared', 'accepted', 'liquidated') AND refund_due_by IS NOT NULL AND refund_due_by < as_of
            THEN 'overdue'
        ELSE base_state
    END AS state,
    claim_status, expected_principal_cents, expected_interest_cents, expected_cents, paid_cents,
    CASE WHEN issued THEN paid_cents - compared_cents END AS variance_cents,
    refund_date, refund_number, payment_status, payment_status_text,
    claim_number, error_kind, error_text, error_remedy,
    projected_liquidation, refund_due_by, last_filing_day, next_action, act_by, action_note, as_of,
    assessment_import_id, declaration_import_id, result_import_id
FROM based;

-- Refund report rows whose entry the ledger never assessed (or that name no entry): kept, never dropped.
-- (An entry declared or in a results file but never assessed is also in entry_state, with nothing expected:
-- a refund for it shows there as paid_over, and here.)
CREATE VIEW unmatched_payments AS
SELECT p.*, i.source, i.kind, i.recorded_at
FROM payments p JOIN imports i ON i.id = p.import_id
WHERE (p.entry_number IS NOT NULL AND p.entry_number NOT IN (SELECT entry_number FROM assessments))
    OR (p.entry_number IS NULL AND (p.refund_key IS NULL OR p.refund_key NOT IN (
        SELECT q.refund_key FROM payments q
        WHERE q.refund_key IS NOT NULL AND q.entry_number IN (SELECT entry_number FROM assessments))));
