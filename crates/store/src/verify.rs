//! `verify`: the journal's chain is intact, time in it moves forward, replaying it rebuilds
//! exactly the live tables, and the store's schema is what the migrations make.
//!
//! Everything is read in one snapshot (one read transaction), so a write committed by another
//! connection while verify runs is neither half seen nor taken for tampering.

use crate::db::{Db, DbError, DbResult, Dialect, Value, params};
use crate::open::Store;
use crate::{StoreError, apply};
use azukari_domain::AccountId;
use azukari_domain::Event;
use azukari_domain::Instant;
use azukari_domain::journal::{
    Entry, Form, GENESIS, Head, canonical_json, check_form_order, credential_digest,
};
use std::collections::BTreeMap;

/// Tables of the schema that replay does not rebuild, each for its reason. Every other table
/// is a state table and is compared; a table added by a migration is compared without being
/// listed anywhere.
const NOT_REBUILT: &[&str] = &[
    // The journal itself: checked entry by entry.
    "journal",
    // Password hashes: secrets, never journaled (see V2); checked against the digests the
    // journal keeps instead (`compare_credentials`).
    "credentials",
    // Which migrations ran: compared through the schema check instead.
    "refinery_schema_history",
    // The office server's sessions: bearer-token digests and their expiry, not custody facts.
    "server_sessions",
    // Answers kept for repeated requests (V3): written beside the journaled write they
    // answer, and a copy of what that write already returned.
    "answered_requests",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub head: String,
    pub records: u64,
    /// The state tables compared, by name.
    pub tables: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyFailure {
    #[error("journal entry {seq}: {reason}")]
    Entry { seq: i64, reason: String },
    #[error("table {table}, record {key}: {detail}")]
    StateDiffers {
        table: String,
        key: String,
        detail: String,
    },
    #[error("schema: {0}")]
    Schema(String),
    #[error("expected head {expected}: {reason}")]
    HeadMissing { expected: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<DbError> for VerifyFailure {
    fn from(err: DbError) -> Self {
        VerifyFailure::Store(StoreError::Database(err))
    }
}

impl Store {
    pub fn verify(&self) -> Result<VerifyReport, VerifyFailure> {
        self.verify_with(None, &mut |_, _| {})
    }

    /// Checks the chain entry by entry while replaying it into an empty in-memory store, then
    /// compares the schema and every state table. With `expect` (a head printed on a ledger or
    /// kept elsewhere), that entry must be in the chain with that hash: a store cut back,
    /// replaced by an older copy or re-chained after the head was taken fails.
    /// `progress(done, total)` is called every 10,000 entries.
    pub fn verify_with(
        &self,
        expect: Option<&Head>,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<VerifyReport, VerifyFailure> {
        // One snapshot, so a write committed beside verify is neither half seen nor taken
        // for tampering.
        let live = self.db();
        live.begin_snapshot()?;
        let verdict = verify_snapshot(live, expect, progress);
        // A read-only transaction: ending it writes nothing either way.
        let _ = live.rollback();
        verdict
    }
}

fn verify_snapshot(
    live: &Db,
    expect: Option<&Head>,
    progress: &mut dyn FnMut(i64, i64),
) -> Result<VerifyReport, VerifyFailure> {
    {
        let total: i64 =
            live.query_row("SELECT COUNT(*) FROM journal", params![], |row| row.get(0))?;
        // The replay is always SQLite, in memory: the reference the live tables of either
        // engine are compared with, value by value.
        let replay = Store::in_memory()?;
        let tx = replay.db();
        tx.begin_write()?;
        let mut expected_seq = 1;
        let mut head = GENESIS.to_string();
        let mut last: Option<(Instant, Form)> = None;
        let mut expected_found = false;
        // The digest of the password hash the journal last set, per account.
        let mut digests: BTreeMap<i64, String> = BTreeMap::new();
        live.for_each(
            "SELECT seq, at, actor, event, prev_hash, hash, form FROM journal ORDER BY seq",
            params![],
            |row| -> Result<(), VerifyFailure> {
            let seq: i64 = row.get(0)?;
            let fail = |reason: String| VerifyFailure::Entry { seq, reason };
            if seq != expected_seq {
                return Err(VerifyFailure::Entry {
                    seq: expected_seq,
                    reason: format!("is missing (the journal goes on at entry {seq})"),
                });
            }
            let at_text: String = row.get(1)?;
            let actor: Option<i64> = row.get(2)?;
            let stored: String = row.get(3)?;
            let prev_hash: String = row.get(4)?;
            let hash: String = row.get(5)?;
            let form =
                Form::from_number(row.get(6)?).ok_or_else(|| fail("has an unknown form".into()))?;
            let at: Instant = at_text
                .parse()
                .map_err(|err| fail(format!("its instant cannot be read: {err}")))?;
            if at.to_rfc3339() != at_text {
                return Err(fail(format!(
                    "its instant {at_text} is not in canonical form"
                )));
            }
            if prev_hash != head {
                return Err(fail(
                    "its previous hash does not match the entry before it".into(),
                ));
            }
            check_form_order(last.map(|(_, form)| form), form).map_err(fail)?;
            let entry = Entry {
                seq,
                at,
                actor: actor.map(AccountId),
                event: &stored,
                form,
            };
            if entry.hash(&prev_hash) != hash {
                return Err(fail(match form {
                    Form::WholeEntry => "its hash does not match its content (its event, instant or actor was altered)".into(),
                    Form::EventOnly => "its hash does not match its content (the entry was altered)".into(),
                }));
            }
            // Time moves forward from the first whole-entry form on; entries written before
            // that keep the rule they were written with (their instants were never covered).
            if form == Form::WholeEntry
                && let Some((before, _)) = last
                && at < before
            {
                return Err(fail(format!(
                    "its instant {at} is earlier than the entry before it ({before})"
                )));
            }
            let event: Event = serde_json::from_str(&stored)
                .map_err(|err| fail(format!("cannot be read as an event: {err}")))?;
            if canonical_json(&event) != stored {
                return Err(fail("is not in canonical form".into()));
            }
            apply::apply_event(tx, &event)
                .map_err(|err| fail(format!("cannot be replayed: {err}")))?;
            match &event {
                Event::AccountAdded { account } => {
                    if let Some(hash) = &account.password_hash {
                        digests.insert(account.id.0, credential_digest(hash));
                    }
                }
                Event::PasswordSet {
                    account_id, digest, ..
                } => {
                    digests.insert(account_id.0, digest.clone());
                }
                Event::LoanReturned {
                    loan_id,
                    returned_at,
                    ..
                } if form == Form::WholeEntry => {
                    let issued: String = tx.query_row(
                        "SELECT issued_at FROM loans WHERE id = ?1",
                        params![loan_id.0],
                        |row| row.get(0),
                    )?;
                    if returned_at.to_rfc3339() < issued {
                        return Err(fail(format!(
                            "returns loan {} at {returned_at}, before it was issued ({issued})",
                            loan_id.0
                        )));
                    }
                }
                _ => {}
            }
            if let Some(expect) = expect
                && expect.seq == seq
            {
                if expect.hash != hash {
                    return Err(VerifyFailure::HeadMissing {
                        expected: expect.to_string(),
                        reason: format!(
                            "entry {seq} has the hash {hash}: the journal was rewritten or replaced after that head was taken"
                        ),
                    });
                }
                expected_found = true;
            }
            head = hash;
            last = Some((at, form));
            expected_seq += 1;
            if seq % 10_000 == 0 {
                progress(seq, total);
            }
            Ok(())
        })?;
        progress(total, total);
        let entries = expected_seq - 1;
        if let Some(expect) = expect
            && !expected_found
            && !(expect.seq == 0 && expect.hash == GENESIS)
        {
            return Err(VerifyFailure::HeadMissing {
                expected: expect.to_string(),
                reason: format!(
                    "the journal ends at entry {entries}: the store was cut back or replaced by an older copy"
                ),
            });
        }
        compare_schema(live, tx)?;
        compare_credentials(live, &digests)?;
        let mut records = 0;
        let tables = state_tables(tx)?;
        for table in &tables {
            records += compare_table(live, tx, table)?;
        }
        Ok(VerifyReport {
            entries,
            head,
            records,
            tables,
        })
    }
}

/// Each password hash kept beside the journal must be the one the journal last set for its
/// account: a hash swapped in behind the journal (to log in as the office) is found.
fn compare_credentials(live: &Db, digests: &BTreeMap<i64, String>) -> Result<(), VerifyFailure> {
    let kept: BTreeMap<i64, String> = live
        .query_map(
            "SELECT account_id, password_hash FROM credentials ORDER BY account_id",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .into_iter()
        .collect();
    let differs = |key: i64, detail: &str| VerifyFailure::StateDiffers {
        table: "credentials".into(),
        key: key.to_string(),
        detail: detail.into(),
    };
    for (account, hash) in &kept {
        match digests.get(account) {
            None => return Err(differs(*account, "holds a password no journal entry set")),
            Some(digest) if *digest != credential_digest(hash) => {
                return Err(differs(
                    *account,
                    "holds a password hash other than the one the journal set (changed behind the journal)",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(account) = digests.keys().find(|account| !kept.contains_key(account)) {
        return Err(differs(
            *account,
            "is missing: the journal set a password that the store no longer holds",
        ));
    }
    Ok(())
}

/// Every table of a SQLite store that replay rebuilds.
pub(crate) fn state_tables(sqlite: &Db) -> DbResult<Vec<String>> {
    let names: Vec<String> = sqlite.query_map(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY name",
        params![],
        |row| row.get(0),
    )?;
    Ok(names
        .into_iter()
        .filter(|name| !NOT_REBUILT.contains(&name.as_str()))
        .collect())
}

/// The schema of the store must be exactly what the migrations make: a dropped trigger, an
/// index added by hand or a table changed behind the migrations is named.
fn compare_schema(live: &Db, made: &Db) -> Result<(), VerifyFailure> {
    match live.dialect() {
        Dialect::Sqlite => compare_sqlite_schema(live, made),
        Dialect::Postgres => {
            let found = postgres_outline(live)?;
            compare_outlines(&found, &expected_postgres_outline())
        }
    }
}

/// The replay store was made by the migrations a moment ago: its objects are the reference.
fn compare_sqlite_schema(live: &Db, made: &Db) -> Result<(), VerifyFailure> {
    let objects = |db: &Db| -> DbResult<Vec<(String, String, Option<String>)>> {
        db.query_map(
            // Everything, SQLite's own indexes included, but the statistics ANALYZE keeps. The
            // underscore is escaped: `sqlitex_…` is a name anyone may give a trigger.
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'
             ORDER BY type, name",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
    };
    let live = objects(live)?;
    let made = objects(made)?;
    for (kind, name, sql) in &made {
        match live.iter().find(|(k, n, _)| k == kind && n == name) {
            None => {
                return Err(VerifyFailure::Schema(format!(
                    "{kind} {name} is missing from the store"
                )));
            }
            Some((_, _, live_sql)) if live_sql != sql => {
                return Err(VerifyFailure::Schema(format!(
                    "{kind} {name} differs from what the migrations make"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some((kind, name, _)) = live
        .iter()
        .find(|(k, n, _)| !made.iter().any(|(mk, mn, _)| mk == k && mn == n))
    {
        return Err(VerifyFailure::Schema(format!(
            "{kind} {name} is not made by any migration"
        )));
    }
    Ok(())
}

/// What the PostgreSQL migrations make, one object a line: the outline a fresh database is
/// tested against (crates/store/tests/engines.rs), kept beside the migrations.
pub fn expected_postgres_outline() -> Vec<String> {
    include_str!("../../../schema/postgres/outline.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every table, column, constraint, index, trigger and function of the store's schema in
/// PostgreSQL, one a line as `kind name: definition`, in a fixed order.
pub fn postgres_outline(db: &Db) -> DbResult<Vec<String>> {
    let mut lines = Vec::new();
    let mut add = |sql: &str| -> DbResult<()> {
        lines.extend(db.query_map(sql, params![], |row| row.get::<String>(0))?);
        Ok(())
    };
    add("SELECT 'column ' || table_name::text || '.' || column_name::text || ': ' || data_type::text
            || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
            || COALESCE(' collate ' || collation_name::text, '')
            || COALESCE(' default ' || column_default::text, '')
         FROM information_schema.columns c WHERE table_schema = current_schema()
           AND EXISTS (SELECT 1 FROM information_schema.tables t
                       WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name
                         AND t.table_type = 'BASE TABLE')
         ORDER BY table_name, ordinal_position")?;
    add(
        "SELECT 'constraint ' || c.conrelid::regclass::text || '.' || c.conname::text || ': '
            || pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         -- PostgreSQL 18 keeps NOT NULL as constraints too; the columns say it already.
         WHERE n.nspname = current_schema() AND c.contype <> 'n' ORDER BY 1",
    )?;
    add("SELECT 'index ' || indexname::text || ': '
            || regexp_replace(indexdef, ' ON \\S+\\.', ' ON ')
         FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")?;
    add(
        "SELECT 'trigger ' || t.tgrelid::regclass::text || '.' || t.tgname::text || ': '
            || regexp_replace(pg_get_triggerdef(t.oid), ' ON \\S+\\.', ' ON ')
            || CASE WHEN t.tgenabled = 'D' THEN ' (disabled)' ELSE '' END
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY 1",
    )?;
    add(
        "SELECT 'function ' || p.proname::text || ': ' || md5(p.prosrc)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         -- An extension's functions (installed in the schema by the operator) are its own.
         WHERE n.nspname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                           WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                             AND d.deptype = 'e')
         ORDER BY 1",
    )?;
    Ok(lines)
}

fn compare_outlines(found: &[String], made: &[String]) -> Result<(), VerifyFailure> {
    if let Some(line) = made.iter().find(|line| !found.contains(line)) {
        let name = line.split(':').next().unwrap_or(line);
        return Err(VerifyFailure::Schema(
            if found.iter().any(|f| f.split(':').next() == Some(name)) {
                format!("{name} differs from what the migrations make")
            } else {
                format!("{name} is missing from the store")
            },
        ));
    }
    if let Some(line) = found.iter().find(|line| !made.contains(line)) {
        let name = line.split(':').next().unwrap_or(line);
        return Err(VerifyFailure::Schema(format!(
            "{name} is not made by any migration"
        )));
    }
    Ok(())
}

/// A table's columns (from the replay, which the migrations made), and the positions of its
/// primary key among them, in key order.
fn columns_and_key(replay: &Db, table: &str) -> DbResult<(Vec<String>, Vec<usize>)> {
    let described: Vec<(String, i64)> = replay.query_map(
        "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid",
        params![table],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut keyed: Vec<(i64, usize)> = described
        .iter()
        .enumerate()
        .filter(|(_, (_, pk))| *pk > 0)
        .map(|(position, (_, pk))| (*pk, position))
        .collect();
    keyed.sort();
    Ok((
        described.into_iter().map(|(name, _)| name).collect(),
        keyed.into_iter().map(|(_, position)| position).collect(),
    ))
}

/// Walks both tables in key order and names the first record that differs.
fn compare_table(live: &Db, replay: &Db, table: &str) -> Result<u64, VerifyFailure> {
    let (columns, keys) = columns_and_key(replay, table)?;
    let order = if keys.is_empty() {
        "1".to_string()
    } else {
        keys.iter()
            .map(|position| (position + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let listed = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {listed} FROM \"{table}\" ORDER BY {order}");
    let width = columns.len();
    let values = |row: &crate::db::Row<'_>| -> DbResult<Vec<Value>> {
        (0..width).map(|i| row.value(i)).collect()
    };
    // Both sides are read whole: the state tables are the size of the register, which a
    // store keeps in memory for its pages anyway.
    let live_rows = live.query_map(&sql, params![], values)?;
    let replay_rows = replay.query_map(&sql, params![], values)?;
    let key = |row: &[Value]| -> String {
        if keys.is_empty() {
            return show(&row[0]);
        }
        keys.iter()
            .map(|&position| show(&row[position]))
            .collect::<Vec<_>>()
            .join("/")
    };
    let table = table.to_string();
    let mut live_rows = live_rows.into_iter();
    let mut replay_rows = replay_rows.into_iter();
    let mut count = 0;
    loop {
        match (live_rows.next(), replay_rows.next()) {
            (None, None) => return Ok(count),
            (Some(row), None) => {
                return Err(VerifyFailure::StateDiffers {
                    table: table.clone(),
                    key: key(&row),
                    detail: "is in the live table but no journal entry made it".into(),
                });
            }
            (None, Some(row)) => {
                return Err(VerifyFailure::StateDiffers {
                    table: table.clone(),
                    key: key(&row),
                    detail: "was made by the journal but is missing from the live table".into(),
                });
            }
            (Some(live_row), Some(replay_row)) => {
                if key(&live_row) != key(&replay_row) {
                    let first_key = keys.first().copied().unwrap_or(0);
                    let (first, detail) = if key_order(&live_row[first_key], &replay_row[first_key])
                    {
                        (
                            key(&live_row),
                            "is in the live table but no journal entry made it",
                        )
                    } else {
                        (
                            key(&replay_row),
                            "was made by the journal but is missing from the live table",
                        )
                    };
                    return Err(VerifyFailure::StateDiffers {
                        table: table.clone(),
                        key: first,
                        detail: detail.into(),
                    });
                }
                if let Some(column) = (0..width).find(|&i| live_row[i] != replay_row[i]) {
                    return Err(VerifyFailure::StateDiffers {
                        table: table.clone(),
                        key: key(&live_row),
                        detail: format!(
                            "column {} is {} but the journal says {}",
                            columns[column],
                            show(&live_row[column]),
                            show(&replay_row[column])
                        ),
                    });
                }
                count += 1;
            }
        }
    }
}

fn key_order(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(a), Value::Integer(b)) => a < b,
        (Value::Text(a), Value::Text(b)) => a < b,
        _ => true,
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => format!("'{t}'"),
    }
}
