//! Copying a store into another, of either engine: a PostgreSQL store's backup (into a SQLite
//! file), its restore (from one), and `migrate` between engines.
//!
//! The copy replays the journal: each entry is applied to the target's state tables exactly
//! as a live write applies it and appended as it is, hash for hash, so the target is what its
//! journal makes and nothing else. What the journal does not hold is copied beside it: the
//! password hashes (checked by verify against the digests the journal keeps), the office
//! server's sessions and the answers it kept for repeated requests. The source must verify
//! before anything is copied, and the target must verify, with the same head, after.

use crate::db::{Db, DbError, params};
use crate::open::Store;
use crate::verify::VerifyReport;
use crate::{StoreError, apply};
use azukari_domain::Event;

/// Tables copied as they are, beside the journal, in an order their references allow.
const BESIDE_THE_JOURNAL: &[(&str, &[&str])] = &[
    ("credentials", &["account_id", "password_hash"]),
    (
        "server_sessions",
        &[
            "token_sha256",
            "account_id",
            "device",
            "started_at",
            "last_used_at",
            "expires_at",
            "ended_at",
        ],
    ),
    (
        "answered_requests",
        &["account_id", "idempotency_key", "answer", "answered_at"],
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum CopyFailure {
    #[error("the store to copy does not verify, so it is not copied: {0}")]
    SourceDoesNotVerify(String),
    #[error("{0} already holds a store: copy into a new, empty one")]
    TargetNotEmpty(String),
    #[error("the copy does not verify: {0}")]
    CopyDoesNotVerify(String),
    #[error("the copy's head {copy} is not the store's {source_head}")]
    HeadsDiffer { source_head: String, copy: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<DbError> for CopyFailure {
    fn from(err: DbError) -> Self {
        CopyFailure::Store(StoreError::Database(err))
    }
}

impl Store {
    /// Copies this store into `target`, which must be new and empty; returns the copy's
    /// verify report (its head is this store's).
    pub fn copy_into(&self, target: &mut Store) -> Result<VerifyReport, CopyFailure> {
        let source_report = self
            .verify()
            .map_err(|failure| CopyFailure::SourceDoesNotVerify(failure.to_string()))?;
        if target.read().journal_head()?.0 != 0 || target.is_initialised()? {
            return Err(CopyFailure::TargetNotEmpty(
                target.path().display().to_string(),
            ));
        }
        let from = self.db();
        from.begin_snapshot()?;
        let copied = target.write(|w| copy_rows(from, w.db()));
        let _ = from.rollback();
        copied?;
        target.refresh_statistics()?;
        let report = target
            .verify()
            .map_err(|failure| CopyFailure::CopyDoesNotVerify(failure.to_string()))?;
        // A write to the source between its verify and the copy's snapshot is copied too:
        // the copy's head is then later than the one verified, never another.
        if report.entries < source_report.entries
            || self.read().journal_hash_at(report.entries)?.as_deref() != Some(&report.head)
        {
            return Err(CopyFailure::HeadsDiffer {
                source_head: format!("{}:{}", source_report.entries, source_report.head),
                copy: format!("{}:{}", report.entries, report.head),
            });
        }
        Ok(report)
    }
}

fn copy_rows(from: &Db, to: &Db) -> Result<(), CopyFailure> {
    from.for_each(
        "SELECT seq, at, actor, event, prev_hash, hash, form FROM journal ORDER BY seq",
        params![],
        |row| -> Result<(), CopyFailure> {
            let seq: i64 = row.get(0)?;
            let event_text: String = row.get(3)?;
            let event: Event = serde_json::from_str(&event_text).map_err(|err| {
                CopyFailure::SourceDoesNotVerify(format!("entry {seq} cannot be read: {err}"))
            })?;
            apply::apply_event(to, &event)?;
            to.execute(
                "INSERT INTO journal (seq, at, actor, event, prev_hash, hash, form)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    seq,
                    row.get::<String>(1)?,
                    row.get::<Option<i64>>(2)?,
                    event_text,
                    row.get::<String>(4)?,
                    row.get::<String>(5)?,
                    row.get::<i64>(6)?
                ],
            )?;
            Ok(())
        },
    )?;
    for (table, columns) in BESIDE_THE_JOURNAL {
        let listed = columns.join(", ");
        let marks = (1..=columns.len())
            .map(|n| format!("?{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let insert = format!("INSERT INTO {table} ({listed}) VALUES ({marks})");
        from.for_each(
            &format!("SELECT {listed} FROM {table} ORDER BY 1, 2"),
            params![],
            |row| -> Result<(), CopyFailure> {
                let values = (0..columns.len())
                    .map(|i| row.value(i))
                    .collect::<Result<Vec<_>, _>>()?;
                to.execute(&insert, &crate::db::values(&values))?;
                Ok(())
            },
        )?;
    }
    Ok(())
}
