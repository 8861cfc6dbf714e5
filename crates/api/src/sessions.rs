//! Sessions of the office server: a login there returns an opaque random token; the store
//! keeps only its SHA-256 (`server_sessions`, V3), bound to the account and the device the
//! client named, with an idle end and an absolute end. Every request is resumed from its
//! token and the account as it is now: a disabled account or a reset password ends them all.

use crate::{CheckedPassword, Desk, Failure, Result, Session};
use azukari_domain::rules::{self, Refusal};
use azukari_domain::{Instant, UseCase};
use sha2::{Digest, Sha256};

/// How long a session lasts: `idle` after its last request, `absolute` after its login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: chrono::Duration,
    pub absolute: chrono::Duration,
}

impl Default for SessionLimits {
    /// A custodian's weekly check falls inside the idle limit, so a home computer is not
    /// asked for a password every week; a month after login, everyone logs in again.
    fn default() -> SessionLimits {
        SessionLimits {
            idle: chrono::Duration::days(14),
            absolute: chrono::Duration::days(30),
        }
    }
}

/// A session's bearer token, as the client keeps it. Never logged, never stored by the server.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

impl SessionToken {
    /// Prefixed, so a token pasted where it should not be is recognisable (and scanners can
    /// find it); 256 random bits after the prefix.
    const PREFIX: &'static str = "azk1_";

    fn new() -> SessionToken {
        let bytes: [u8; 32] = rand::random();
        SessionToken(format!("{}{}", SessionToken::PREFIX, hex::encode(bytes)))
    }

    /// A token as the client sent it; anything not shaped like one is no session at all.
    pub fn parse(text: &str) -> Result<SessionToken> {
        let text = text.trim();
        let well_formed = text
            .strip_prefix(SessionToken::PREFIX)
            .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()));
        if well_formed {
            Ok(SessionToken(text.to_string()))
        } else {
            Err(Refusal::NotLoggedIn.into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// An idempotency key is the client's: a UUID or any 8 to 128 visible ASCII characters.
pub(crate) fn check_idempotency_key(key: &str) -> Result<()> {
    if (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Refusal::InvalidValue {
            field: "idempotency_key",
            value: key.chars().take(40).collect(),
            expected: "8 to 128 visible ASCII characters".into(),
        }
        .into())
    }
}

impl Desk {
    /// Logs in as [`Desk::login`] does (same checks, same lock, same time for every refusal)
    /// and starts a session of the office server for `device`. The password may have been
    /// checked `beforehand`, off the writer.
    pub fn start_session(
        &mut self,
        login: &str,
        password: &str,
        beforehand: Option<&CheckedPassword>,
        device: &str,
        now: Instant,
        limits: SessionLimits,
    ) -> Result<(SessionToken, Session)> {
        let device = rules::required_text("device", device, 100)?;
        let session = self.login_checked(login, password, beforehand, now)?;
        let token = SessionToken::new();
        let expires_at = now
            .checked_add(limits.absolute)
            .ok_or_else(|| Failure::Internal("a session ending after 9999".into()))?;
        self.store.start_session(
            &token.digest(),
            session.account_id,
            &device,
            now,
            expires_at,
        )?;
        Ok((token, session))
    }

    /// The session a token stands for, with the account as it is now; moves its idle end on.
    pub fn resume_session(
        &self,
        token: &SessionToken,
        now: Instant,
        limits: SessionLimits,
    ) -> Result<Session> {
        let digest = token.digest();
        let kept = self
            .store
            .server_session(&digest)?
            .ok_or(Refusal::NotLoggedIn)?;
        // Read once: an ended session of a disabled account says why, as the embedded store
        // tells its owner, not only that they must log in again (which would be refused).
        let standing = self
            .store
            .read()
            .login_and_standing(kept.account_id)?
            .filter(|(_, standing)| standing.active);
        if kept.ended_at.is_some() {
            return Err(if standing.is_none() {
                Refusal::AccountDisabled
            } else {
                Refusal::SessionEnded
            }
            .into());
        }
        let idle_end = kept.last_used_at.checked_add(limits.idle);
        if now >= kept.expires_at || idle_end.is_none_or(|end| now >= end) {
            return Err(Refusal::SessionExpired.into());
        }
        let (login, standing) = standing.ok_or(Refusal::AccountDisabled)?;
        // The idle end moves at most once a minute: a read is not made a write.
        if now.utc() - kept.last_used_at.utc() >= chrono::Duration::minutes(1) {
            // Best effort: a store busy writing must not fail a read; the next request retries.
            let _ = self.store.touch_session(&digest, now);
        }
        Ok(Session {
            account_id: kept.account_id,
            login,
            roles: standing.roles,
            person_id: standing.person_id,
            must_change_password: standing.must_change_password,
        })
    }

    /// Logout: ends the session of this token. Ending one that has ended already is no error.
    pub fn end_session(&self, token: &SessionToken, now: Instant) -> Result<()> {
        self.store.end_session(&token.digest(), now)?;
        Ok(())
    }

    /// Ends the account's sessions other than this token's: after its owner changed the
    /// password, whoever held the old one is logged out everywhere else. Returns how many.
    pub fn end_other_sessions(
        &self,
        session: &Session,
        token: &SessionToken,
        now: Instant,
    ) -> Result<u64> {
        Ok(self
            .store
            .end_other_sessions(session.account_id, &token.digest(), now)? as u64)
    }

    /// The security office ends every session of an account (a lost laptop, a leaver);
    /// returns how many were open.
    pub fn end_sessions(&mut self, session: &Session, login: &str, now: Instant) -> Result<u64> {
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = w
                .read()
                .credentials(login.trim())?
                .ok_or_else(|| Refusal::NotFound {
                    what: "account",
                    key: login.to_string(),
                })?;
            Ok(w.end_sessions_of(account.id, now)? as u64)
        })
    }
}
