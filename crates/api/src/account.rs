//! Accounts, the first one made by `init`, logging in, and passwords.
//!
//! A password hash is a secret: it is kept beside the state tables (`Writer::keep_password_hash`)
//! and never journaled. The journal records that a password was set, by whom and when.

use crate::{Desk, Failure, Result};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use azukari_domain::event::sorted_roles;
use azukari_domain::rules::{self, Refusal};
use azukari_domain::view::{AccountRow, Credentials};
use azukari_domain::*;
use azukari_store::{IdTable, Writer};
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// Who is logged in. Roles are re-read from the store inside every write, so this is only
/// what the UI shows; it grants nothing by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct Session {
    pub account_id: AccountId,
    pub login: String,
    pub roles: Vec<Role>,
    pub person_id: Option<PersonId>,
    /// The password was reset by the security office: the UI asks for a new one first, and
    /// the backend refuses everything else until it is set.
    pub must_change_password: bool,
}

/// A refused login takes at least this long, whatever refused it: an unknown login, a wrong
/// password (which also journals the failure) and a lock are not told apart by their time.
const REFUSAL_TAKES_AT_LEAST: Duration = Duration::from_millis(250);

pub(crate) fn hash_password(password: &str) -> Result<String> {
    rules::password(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| Failure::Internal(format!("password hashing failed: {err}")))
}

fn password_matches(password: &str, phc: Option<&str>) -> bool {
    // Without a hash the decoy is checked, so the time is the same, and nothing matches.
    let hash = phc.unwrap_or(decoy_hash());
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    }) && phc.is_some()
}

/// Verifying against this keeps an unknown login as slow as a known one.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

/// Sets a password in the open transaction: the journal says it was set; the hash is kept
/// beside it.
fn set_password(
    w: &mut Writer<'_>,
    account_id: AccountId,
    hash: &str,
    must_change: bool,
    actor: Option<AccountId>,
    now: Instant,
) -> Result<()> {
    w.apply(
        &Event::PasswordSet {
            account_id,
            must_change,
            digest: azukari_domain::journal::credential_digest(hash),
        },
        actor,
        now,
    )?;
    w.keep_password_hash(account_id, hash)?;
    Ok(())
}

/// Checks `password` for `account` as a login does, wherever a password is asked for: refused
/// while the account is disabled or locked, and a wrong one is journaled (inside the caller's
/// transaction, which must commit) so that it counts towards the lock. The outer `Result` is
/// the store's; the inner one is the answer to give.
fn check_password(
    w: &mut Writer<'_>,
    account: &Credentials,
    password: &str,
    now: Instant,
    beforehand: Option<&CheckedPassword>,
) -> Result<Result<(), Failure>> {
    if let Err(refusal) = rules::check_login_allowed(account.active, account.locked_until, now) {
        return Ok(Err(refusal.into()));
    }
    let matches = match beforehand {
        Some(checked) if checked.holds_for(&account.login, account.password_hash.as_deref()) => {
            checked.matches
        }
        _ => password_matches(password, account.password_hash.as_deref()),
    };
    if !matches {
        return Ok(Err(record_failure(w, account, now)?.into()));
    }
    Ok(Ok(()))
}

/// A wrong password, journaled so that it counts towards the lock (and survives replay);
/// returns the refusal to give.
fn record_failure(w: &mut Writer<'_>, account: &Credentials, now: Instant) -> Result<Refusal> {
    let locked_until =
        rules::lock_after_failure(account.failed_logins, account.locks_in_a_row, now);
    w.apply(
        &Event::LoginFailed {
            account_id: account.id,
            at: now,
            locked_until,
        },
        Some(account.id),
        now,
    )?;
    Ok(match locked_until {
        Some(until) => Refusal::AccountLocked { until },
        None => Refusal::WrongPassword,
    })
}

/// A password checked against the hash its account had when read, away from the writer: the
/// slow part of a login (Argon2, tens of milliseconds) done where it holds up nobody's write.
/// The writer uses the verdict only while the account still has that very hash (a password
/// changed meanwhile is checked again there), and still decides the lock, the journaled
/// failure and the session itself. Made only here, so no verdict can be forged.
#[derive(Debug, Clone)]
pub struct CheckedPassword {
    login: String,
    hash: Option<String>,
    matches: bool,
}

impl CheckedPassword {
    /// Checks `password` against `hash`, the one `login`'s account had when read (none: no such
    /// account; the decoy is checked so that it takes as long).
    pub fn check(login: &str, hash: Option<String>, password: &str) -> CheckedPassword {
        let matches = password_matches(password, hash.as_deref());
        CheckedPassword {
            login: login.trim().to_string(),
            hash,
            matches,
        }
    }

    fn holds_for(&self, login: &str, hash: Option<&str>) -> bool {
        self.login == login && self.hash.is_some() && self.hash.as_deref() == hash
    }
}

/// Keeps a refused login at least as long as any other refusal, from `started`.
pub fn pace_refusal<T>(started: std::time::Instant, result: &Result<T>) {
    at_least_as_slow_as_a_refusal(started, result);
}

/// Keeps a refused password check at least [`REFUSAL_TAKES_AT_LEAST`] long.
fn at_least_as_slow_as_a_refusal<T>(started: std::time::Instant, result: &Result<T>) {
    if result.is_err() {
        std::thread::sleep(REFUSAL_TAKES_AT_LEAST.saturating_sub(started.elapsed()));
    }
}

fn find_account(w: &Writer<'_>, login: &str) -> Result<Credentials> {
    Ok(w.read()
        .credentials(login.trim())?
        .ok_or_else(|| Refusal::NotFound {
            what: "account",
            key: login.to_string(),
        })?)
}

impl Desk {
    /// Makes a new store ready: its time zone, our own organisation, and the first security
    /// office account. Refused on a store that has them already.
    pub fn init(
        &mut self,
        organisation: &str,
        login: &str,
        password: &str,
        time_zone: &str,
        now: Instant,
    ) -> Result<Session> {
        let organisation = rules::required_text("organisation", organisation, 200)?;
        let login = rules::login(login)?;
        time_zone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| Refusal::InvalidValue {
                field: "time_zone",
                value: time_zone.to_string(),
                expected: "an IANA zone like Asia/Tokyo".into(),
            })?;
        let password_hash = hash_password(password)?;
        self.store.write(|w| {
            if w.read().setting("time_zone")?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "store",
                    value: "initialised".into(),
                }
                .into());
            }
            w.apply(
                &Event::StoreInitialised {
                    time_zone: time_zone.to_string(),
                },
                None,
                now,
            )?;
            let organisation = Organisation {
                id: OrganisationId(w.next_id(IdTable::Organisations)?),
                name: organisation,
                kind: OrganisationKind::Own,
            };
            w.apply(&Event::OrganisationAdded { organisation }, None, now)?;
            let account = Account {
                id: AccountId(w.next_id(IdTable::Accounts)?),
                login: login.clone(),
                person_id: None,
                roles: vec![Role::SecurityOffice],
                password_hash: None,
            };
            let session = Session {
                account_id: account.id,
                login,
                roles: account.roles.clone(),
                person_id: None,
                must_change_password: false,
            };
            w.apply(&Event::AccountAdded { account }, None, now)?;
            set_password(w, session.account_id, &password_hash, false, None, now)?;
            Ok(session)
        })
    }

    /// Checks a password. Every attempt on a known account is journaled; the fifth failure in
    /// a row locks the account, for 15 minutes the first time and twice as long each time after
    /// without a successful login between, up to a day. A refusal takes the same time whether
    /// the login exists or not.
    pub fn login(&mut self, login: &str, password: &str, now: Instant) -> Result<Session> {
        self.login_checked(login, password, None, now)
    }

    /// [`Desk::login`] with the password perhaps checked beforehand, off this desk.
    pub fn login_checked(
        &mut self,
        login: &str,
        password: &str,
        beforehand: Option<&CheckedPassword>,
        now: Instant,
    ) -> Result<Session> {
        let started = std::time::Instant::now();
        let result = self.check_login(login, password, beforehand, now);
        self.pace(started, &result);
        result
    }

    /// The password hash a login's account has now, to check a password against away from the
    /// writer ([`CheckedPassword`]); none for no such account.
    pub fn password_hash_of(&self, login: &str) -> Result<Option<String>> {
        Ok(self
            .store
            .read()
            .credentials(login.trim())?
            .and_then(|account| account.password_hash))
    }

    /// A refused password check waits here, unless this desk is the office server's writer,
    /// which makes the refusal wait after letting the writer go ([`Desk::set_pacing`]).
    fn pace<T>(&self, started: std::time::Instant, result: &Result<T>) {
        if self.paces_refusals {
            at_least_as_slow_as_a_refusal(started, result);
        }
    }

    fn check_login(
        &mut self,
        login: &str,
        password: &str,
        beforehand: Option<&CheckedPassword>,
        now: Instant,
    ) -> Result<Session> {
        // A failure is committed (it counts towards the lock) and still returned as a refusal.
        self.store.write(|w| -> Result<Result<Session>> {
            let Some(account) = w.read().credentials(login.trim())? else {
                if beforehand.is_none() {
                    // As slow as a known login (checked beforehand, it was already).
                    password_matches(password, None);
                }
                return Ok(Err(Refusal::WrongPassword.into()));
            };
            if let Err(refused) = check_password(w, &account, password, now, beforehand)? {
                return Ok(Err(refused));
            }
            if account.failed_logins > 0
                || account.locked_until.is_some()
                || account.locks_in_a_row > 0
            {
                w.apply(
                    &Event::LoginSucceeded {
                        account_id: account.id,
                        at: now,
                    },
                    Some(account.id),
                    now,
                )?;
            }
            Ok(Ok(Session {
                account_id: account.id,
                login: account.login,
                roles: account.roles,
                person_id: account.person_id,
                must_change_password: account.must_change_password,
            }))
        })?
    }

    /// The logged-in person changes their own password; the current one is asked again, so an
    /// unattended session cannot be taken over. A wrong current password counts as a failed
    /// login (towards the lock) and takes as long as one.
    pub fn change_password(
        &mut self,
        session: &Session,
        current: &str,
        new: &str,
        now: Instant,
    ) -> Result<()> {
        let started = std::time::Instant::now();
        let result = self.check_and_change_password(session, current, new, now);
        self.pace(started, &result);
        result
    }

    fn check_and_change_password(
        &mut self,
        session: &Session,
        current: &str,
        new: &str,
        now: Instant,
    ) -> Result<()> {
        if current == new {
            return Err(Refusal::PasswordUnchanged.into());
        }
        let new_hash = hash_password(new).map_err(|failure| match failure {
            Failure::Refused(Refusal::WeakPassword) => Failure::Refused(Refusal::InvalidValue {
                field: "new_password",
                value: "…".into(),
                expected: format!("at least {} characters", rules::MIN_PASSWORD_CHARS),
            }),
            other => other,
        })?;
        self.store.write(|w| -> Result<Result<()>> {
            // Logins never change, so the session's login finds its account.
            let account = find_account(w, &session.login)?;
            if account.id != session.account_id {
                return Ok(Err(Refusal::AccountDisabled.into()));
            }
            if let Err(refused) = check_password(w, &account, current, now, None)? {
                return Ok(Err(refused));
            }
            set_password(
                w,
                account.id,
                &new_hash,
                false,
                Some(session.account_id),
                now,
            )?;
            Ok(Ok(()))
        })?
    }

    /// The security office sets a new password for someone who lost theirs; they must choose
    /// their own at the next login.
    pub fn reset_password(
        &mut self,
        session: &Session,
        login: &str,
        new: &str,
        now: Instant,
    ) -> Result<()> {
        let new_hash = hash_password(new)?;
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = find_account(w, login)?;
            set_password(
                w,
                account.id,
                &new_hash,
                true,
                Some(session.account_id),
                now,
            )?;
            // Whoever holds the old password may hold a session made with it.
            w.end_sessions_of(account.id, now)?;
            Ok(())
        })
    }

    /// Lifts a lock at once and clears the count of failures and of locks.
    pub fn unlock_account(&mut self, session: &Session, login: &str, now: Instant) -> Result<()> {
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = find_account(w, login)?;
            w.apply(
                &Event::AccountUnlocked {
                    account_id: account.id,
                },
                Some(session.account_id),
                now,
            )?;
            Ok(())
        })
    }

    pub fn enable_account(&mut self, session: &Session, login: &str, now: Instant) -> Result<()> {
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = find_account(w, login)?;
            w.apply(
                &Event::AccountEnabled {
                    account_id: account.id,
                },
                Some(session.account_id),
                now,
            )?;
            Ok(())
        })
    }

    pub fn add_account(
        &mut self,
        session: &Session,
        account: crate::NewAccount,
        now: Instant,
    ) -> Result<AccountId> {
        let login = rules::login(&account.login)?;
        if account.roles.is_empty() {
            return Err(Refusal::Required { field: "role" }.into());
        }
        let password_hash = hash_password(&account.password)?;
        self.write(session, UseCase::ManageAccounts, |w| {
            if w.read().credentials(&login)?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "login",
                    value: login.clone(),
                }
                .into());
            }
            let person_id = match &account.person {
                Some(person) => Some(crate::register::resolve_person(&w.read(), person)?.id),
                None => None,
            };
            let account = Account {
                id: AccountId(w.next_id(IdTable::Accounts)?),
                login,
                person_id,
                roles: sorted_roles(account.roles),
                password_hash: None,
            };
            let id = account.id;
            w.apply(
                &Event::AccountAdded { account },
                Some(session.account_id),
                now,
            )?;
            set_password(w, id, &password_hash, false, Some(session.account_id), now)?;
            Ok(id)
        })
    }

    pub fn disable_account(&mut self, session: &Session, login: &str, now: Instant) -> Result<()> {
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = find_account(w, login)?;
            w.apply(
                &Event::AccountDisabled {
                    account_id: account.id,
                },
                Some(session.account_id),
                now,
            )?;
            w.end_sessions_of(account.id, now)?;
            Ok(())
        })
    }

    pub fn accounts(&self, session: &Session) -> Result<Vec<AccountRow>> {
        // The office manages accounts; the auditor must be able to see who could do what.
        self.authorise_read(session, UseCase::ManageAccounts)
            .or_else(|_| self.authorise_read(session, UseCase::Verify))?;
        Ok(self.store.read().accounts()?)
    }
}
