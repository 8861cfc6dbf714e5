//! `verify`: the journal's chain is intact, and replaying it rebuilds exactly the live tables.

use crate::open::Store;
use crate::{StoreError, apply};
use azukari_domain::Event;
use azukari_domain::journal::{GENESIS, canonical_json, chain_hash};
use rusqlite::Connection;
use rusqlite::types::Value;

/// The state tables: everything replay must rebuild. The journal is not among them.
const STATE_TABLES: &[&str] = &[
    "settings",
    "organisations",
    "sites",
    "people",
    "site_responsibles",
    "accounts",
    "assets",
    "loans",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub head: String,
    pub records: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyFailure {
    #[error("journal entry {seq}: {reason}")]
    Entry { seq: i64, reason: String },
    #[error("table {table}, record {key}: {detail}")]
    StateDiffers {
        table: &'static str,
        key: String,
        detail: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for VerifyFailure {
    fn from(err: rusqlite::Error) -> Self {
        VerifyFailure::Store(StoreError::Sqlite(err))
    }
}

impl Store {
    pub fn verify(&self) -> Result<VerifyReport, VerifyFailure> {
        self.verify_with_progress(&mut |_, _| {})
    }

    /// Checks the chain entry by entry while replaying it into an empty in-memory store, then
    /// compares every state table. `progress(done, total)` is called every 10,000 entries.
    pub fn verify_with_progress(
        &self,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<VerifyReport, VerifyFailure> {
        let live = self.connection();
        let total: i64 = live.query_row("SELECT COUNT(*) FROM journal", [], |row| row.get(0))?;
        let mut replay = Store::in_memory()?;
        let replay_conn = replay.connection_mut();
        let tx = replay_conn.transaction()?;
        let mut statement =
            live.prepare("SELECT seq, event, prev_hash, hash FROM journal ORDER BY seq")?;
        let mut rows = statement.query([])?;
        let mut expected_seq = 1;
        let mut head = GENESIS.to_string();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let stored: String = row.get(1)?;
            let prev_hash: String = row.get(2)?;
            let hash: String = row.get(3)?;
            let fail = |reason: String| VerifyFailure::Entry { seq, reason };
            if seq != expected_seq {
                return Err(VerifyFailure::Entry {
                    seq: expected_seq,
                    reason: format!("is missing (the journal goes on at entry {seq})"),
                });
            }
            if prev_hash != head {
                return Err(fail(
                    "its previous hash does not match the entry before it".into(),
                ));
            }
            if chain_hash(&prev_hash, &stored) != hash {
                return Err(fail(
                    "its hash does not match its content (the entry was altered)".into(),
                ));
            }
            let event: Event = serde_json::from_str(&stored)
                .map_err(|err| fail(format!("cannot be read as an event: {err}")))?;
            if canonical_json(&event) != stored {
                return Err(fail("is not in canonical form".into()));
            }
            apply::apply_event(&tx, &event)
                .map_err(|err| fail(format!("cannot be replayed: {err}")))?;
            head = hash;
            expected_seq += 1;
            if seq % 10_000 == 0 {
                progress(seq, total);
            }
        }
        progress(total, total);
        let mut records = 0;
        for table in STATE_TABLES {
            records += compare_table(live, &tx, table)?;
        }
        Ok(VerifyReport {
            entries: expected_seq - 1,
            head,
            records,
        })
    }
}

/// Walks both tables in key order and names the first record that differs.
fn compare_table(
    live: &Connection,
    replay: &Connection,
    table: &'static str,
) -> Result<u64, VerifyFailure> {
    let sql = format!("SELECT * FROM {table} ORDER BY 1, 2");
    let mut live_statement = live.prepare(&sql)?;
    let columns: Vec<String> = live_statement
        .column_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut replay_statement = replay.prepare(&sql)?;
    let mut live_rows = live_statement.query([])?;
    let mut replay_rows = replay_statement.query([])?;
    let width = columns.len();
    let values = |row: &rusqlite::Row<'_>| -> rusqlite::Result<Vec<Value>> {
        (0..width).map(|i| row.get::<_, Value>(i)).collect()
    };
    let key = |row: &[Value]| -> String {
        let n = if table == "site_responsibles" { 2 } else { 1 };
        row.iter().take(n).map(show).collect::<Vec<_>>().join("/")
    };
    let mut count = 0;
    loop {
        let live_row = live_rows.next()?.map(values).transpose()?;
        let replay_row = replay_rows.next()?.map(values).transpose()?;
        match (live_row, replay_row) {
            (None, None) => return Ok(count),
            (Some(row), None) => {
                return Err(VerifyFailure::StateDiffers {
                    table,
                    key: key(&row),
                    detail: "is in the live table but no journal entry made it".into(),
                });
            }
            (None, Some(row)) => {
                return Err(VerifyFailure::StateDiffers {
                    table,
                    key: key(&row),
                    detail: "was made by the journal but is missing from the live table".into(),
                });
            }
            (Some(live_row), Some(replay_row)) => {
                if key(&live_row) != key(&replay_row) {
                    let (first, detail) = if key_order(&live_row[0], &replay_row[0]) {
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
                        table,
                        key: first,
                        detail: detail.into(),
                    });
                }
                if let Some(column) = (0..width).find(|&i| live_row[i] != replay_row[i]) {
                    return Err(VerifyFailure::StateDiffers {
                        table,
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
        Value::Blob(b) => format!("{} bytes", b.len()),
    }
}
