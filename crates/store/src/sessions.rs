//! The office server's sessions and the answers it keeps for repeated requests (V3). Neither
//! is journaled: a session is not a custody fact, and an answer repeats what a journaled write
//! already returned. Only the SHA-256 of a token is ever stored.

use crate::db::{Db, DbResult, params};
use crate::{Result, Store, Writer};
use azukari_domain::{AccountId, Instant};

/// A session as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSession {
    pub account_id: AccountId,
    pub device: String,
    pub started_at: Instant,
    pub last_used_at: Instant,
    pub expires_at: Instant,
    pub ended_at: Option<Instant>,
}

/// An instant the store wrote itself: never absent where the schema says NOT NULL.
fn at(text: String) -> DbResult<Instant> {
    Ok(crate::read::instant(Some(text))?.expect("a text was given"))
}

/// Ends the account's open sessions, all of them or all but the one of `keep_sha256`.
fn end_sessions_of(
    db: &Db,
    account: AccountId,
    keep_sha256: Option<&str>,
    now: Instant,
) -> Result<usize> {
    Ok(db.execute(
        "UPDATE server_sessions SET ended_at = ?2
             WHERE account_id = ?1 AND ended_at IS NULL
               AND (CAST(?3 AS TEXT) IS NULL OR token_sha256 <> ?3)",
        params![account.0, now.to_rfc3339(), keep_sha256],
    )?)
}

impl Store {
    pub fn start_session(
        &self,
        token_sha256: &str,
        account: AccountId,
        device: &str,
        now: Instant,
        expires_at: Instant,
    ) -> Result<()> {
        self.db().execute(
            "INSERT INTO server_sessions
                 (token_sha256, account_id, device, started_at, last_used_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![
                token_sha256,
                account.0,
                device,
                now.to_rfc3339(),
                expires_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    pub fn server_session(&self, token_sha256: &str) -> Result<Option<ServerSession>> {
        Ok(self.db().query_opt(
            "SELECT account_id, device, started_at, last_used_at, expires_at, ended_at
                 FROM server_sessions WHERE token_sha256 = ?1",
            params![token_sha256],
            |row| {
                Ok(ServerSession {
                    account_id: AccountId(row.get(0)?),
                    device: row.get(1)?,
                    started_at: at(row.get(2)?)?,
                    last_used_at: at(row.get(3)?)?,
                    expires_at: at(row.get(4)?)?,
                    ended_at: crate::read::instant(row.get(5)?)?,
                })
            },
        )?)
    }

    /// Moves the idle end on. Only forward: a request that started earlier and finishes later
    /// never takes it back.
    pub fn touch_session(&self, token_sha256: &str, now: Instant) -> Result<()> {
        self.db().execute(
            "UPDATE server_sessions SET last_used_at = ?2
                 WHERE token_sha256 = ?1 AND last_used_at < ?2",
            params![token_sha256, now.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Ends every open session of the account but the one of `keep_sha256`: a password
    /// changed by its owner ends what may have been opened with the old one elsewhere.
    pub fn end_other_sessions(
        &self,
        account: AccountId,
        keep_sha256: &str,
        now: Instant,
    ) -> Result<usize> {
        end_sessions_of(self.db(), account, Some(keep_sha256), now)
    }

    pub fn end_session(&self, token_sha256: &str, now: Instant) -> Result<bool> {
        Ok(self.db().execute(
            "UPDATE server_sessions SET ended_at = ?2
                 WHERE token_sha256 = ?1 AND ended_at IS NULL",
            params![token_sha256, now.to_rfc3339()],
        )? > 0)
    }
}

impl Writer<'_> {
    /// Ends every open session of the account, in the write that disables it or ends them.
    pub fn end_sessions_of(&mut self, account: AccountId, now: Instant) -> Result<usize> {
        end_sessions_of(self.db(), account, None, now)
    }

    /// The answer kept for a repeated request, as JSON.
    pub fn answer_of(&self, account: AccountId, key: &str) -> Result<Option<String>> {
        Ok(self.db().query_opt(
            "SELECT answer FROM answered_requests
                 WHERE account_id = ?1 AND idempotency_key = ?2",
            params![account.0, key],
            |row| row.get(0),
        )?)
    }

    pub fn keep_answer(
        &mut self,
        account: AccountId,
        key: &str,
        answer: &str,
        now: Instant,
    ) -> Result<()> {
        self.db().execute(
            "INSERT INTO answered_requests (account_id, idempotency_key, answer, answered_at)
                 VALUES (?1, ?2, ?3, ?4)",
            params![account.0, key, answer, now.to_rfc3339()],
        )?;
        Ok(())
    }
}
