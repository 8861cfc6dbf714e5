//! Accounts, the first one made by `init`, and logging in.

use crate::{Desk, Failure, Result};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use azukari_domain::event::sorted_roles;
use azukari_domain::rules::{self, Refusal};
use azukari_domain::view::AccountRow;
use azukari_domain::*;
use azukari_store::IdTable;
use serde::Serialize;
use ts_rs::TS;

/// Who is logged in. Roles are re-read from the store inside every write, so this is only
/// what the UI shows; it grants nothing by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub account_id: AccountId,
    pub login: String,
    pub roles: Vec<Role>,
    pub person_id: Option<PersonId>,
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    rules::password(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| Failure::Internal(format!("password hashing failed: {err}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Verifying against this keeps an unknown login as slow as a known one.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

fn login_text(login: &str) -> Result<String> {
    let login = rules::required_text("login", login, 64)?;
    if login.chars().any(char::is_whitespace) {
        return Err(Refusal::InvalidValue {
            field: "login",
            value: login,
            expected: "no spaces".into(),
        }
        .into());
    }
    Ok(login)
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
        let login = login_text(login)?;
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
                password_hash,
            };
            let session = Session {
                account_id: account.id,
                login,
                roles: account.roles.clone(),
                person_id: None,
            };
            w.apply(&Event::AccountAdded { account }, None, now)?;
            Ok(session)
        })
    }

    /// Checks a password. Every attempt on a known account is journaled; the fifth failure in
    /// a row locks the account for 15 minutes.
    pub fn login(&mut self, login: &str, password: &str, now: Instant) -> Result<Session> {
        // A failure is committed (it counts towards the lock) and still returned as a refusal.
        self.store.write(|w| -> Result<Result<Session>> {
            let Some(account) = w.read().credentials(login.trim())? else {
                password_matches(password, decoy_hash());
                return Ok(Err(Refusal::WrongPassword.into()));
            };
            if let Err(refusal) =
                rules::check_login_allowed(account.active, account.locked_until, now)
            {
                return Ok(Err(refusal.into()));
            }
            if !password_matches(password, &account.password_hash) {
                let locked_until = rules::lock_after_failure(account.failed_logins, now);
                w.apply(
                    &Event::LoginFailed {
                        account_id: account.id,
                        at: now,
                        locked_until,
                    },
                    Some(account.id),
                    now,
                )?;
                // The failure is committed; the caller still gets the refusal.
                return Ok(Err(match locked_until {
                    Some(until) => Refusal::AccountLocked { until },
                    None => Refusal::WrongPassword,
                }
                .into()));
            }
            if account.failed_logins > 0 || account.locked_until.is_some() {
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
            }))
        })?
    }

    pub fn add_account(
        &mut self,
        session: &Session,
        account: crate::NewAccount,
        now: Instant,
    ) -> Result<AccountId> {
        let login = login_text(&account.login)?;
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
                password_hash,
            };
            let id = account.id;
            w.apply(
                &Event::AccountAdded { account },
                Some(session.account_id),
                now,
            )?;
            Ok(id)
        })
    }

    pub fn disable_account(&mut self, session: &Session, login: &str, now: Instant) -> Result<()> {
        self.write(session, UseCase::ManageAccounts, |w| {
            let account = w
                .read()
                .credentials(login.trim())?
                .ok_or_else(|| Refusal::NotFound {
                    what: "account",
                    key: login.to_string(),
                })?;
            w.apply(
                &Event::AccountDisabled {
                    account_id: account.id,
                },
                Some(session.account_id),
                now,
            )?;
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
