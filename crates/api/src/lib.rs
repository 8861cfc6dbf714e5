//! Use-cases of Azukari: sessions, the permission table enforced inside every write
//! transaction, and one transaction per write. Knows neither Tauri nor the terminal; the CLI
//! and the desktop shell are thin adapters over [`Desk`].

mod account;
pub mod checkpoint;
mod custody;
mod failure;
pub mod import;
mod ledger;
mod office;
mod register;
mod sessions;

pub use account::{CheckedPassword, Session, pace_refusal};
pub use azukari_domain as domain;
pub use azukari_ledger as ledger_engine;
/// Files only their owner may read: the data folder, ledgers, anything holding the register.
pub use azukari_store::private;
pub use azukari_store::{Location, StoreError, VerifyReport};
pub use custody::{AssetDetail, IssueLoan, MarkAsset, ReturnLoan};
pub use failure::{Answered, Failure, IpcError};
pub use import::{
    DEFAULT_IMPORT_LIMIT_BYTES, ImportKind, ImportOptions, ImportSummary, ImportedAsset,
    ImportedOrganisation, ImportedPerson, PREVIEW_ROWS,
};
pub use ledger::{
    CsvText, CustodyLedgerRequest, LedgerFormat, LedgerGrouping, LedgerKind, PrintProgress,
    PrintRequest, Printed, PrintedFile, SavedStore, Verified, kind_word,
};
pub use office::{
    Acknowledged, Answer, Call, Clock, Local, Office, Place, Reachability, dispatch,
    not_over_the_network, typed,
};
pub use register::{
    EditAsset, EditOrganisation, EditPerson, NewAccount, NewAsset, NewPerson, NewSite, PersonRef,
};
pub use sessions::{SessionLimits, SessionToken};

use azukari_domain::journal::Head;
use azukari_domain::permission::any_allows;
use azukari_domain::rules::Refusal;
use azukari_domain::{ReadScope, Role, UseCase};
use azukari_store::{Store, Writer};
use std::path::Path;
use std::sync::Arc;

pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// Which store the desktop has open, and whether it still needs its first account.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct StoreStatus {
    /// Where the register is: shown at all times. Absent until the person has chosen (the
    /// desktop's first run).
    pub place: Option<Place>,
    pub path: String,
    pub needs_first_account: bool,
    /// The IANA zone dates are shown in (the office's, not the machine's); absent on a new store.
    pub time_zone: Option<String>,
}

/// An open store and the use-cases over it.
#[derive(Debug)]
pub struct Desk {
    store: Store,
    /// The largest file an import reads, in bytes.
    import_limit: u64,
    /// The idempotency key of the request being answered ([`Desk::once`]): its answer is
    /// kept in the transaction of the write, and a repeat gets that answer.
    answering: Option<(String, azukari_domain::Instant)>,
    /// Whether a refused password check is made to wait here. The office server's writer
    /// does not: it makes the refusal wait after letting the writer go ([`pace_refusal`]).
    paces_refusals: bool,
    /// Signs the journal head on every custody ledger and on request: the office server's
    /// key, or a desktop's own. Without one, ledgers carry the head unsigned.
    signer: Option<Arc<checkpoint::CheckpointSigner>>,
}

impl AsMut<Store> for Desk {
    fn as_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

impl Desk {
    pub fn open(path: &Path) -> Result<Desk> {
        Ok(Desk {
            store: Store::open(path)?,
            import_limit: import::DEFAULT_IMPORT_LIMIT_BYTES,
            answering: None,
            paces_refusals: true,
            signer: None,
        })
    }

    /// For the office server's writer: refused password checks return at once, and the
    /// server paces them after the writer is let go.
    pub fn set_pacing(&mut self, paces_refusals: bool) {
        self.paces_refusals = paces_refusals;
    }

    /// Signs checkpoints with `signer` from now on: on every custody ledger and on request.
    pub fn set_checkpoint_signer(&mut self, signer: Option<Arc<checkpoint::CheckpointSigner>>) {
        self.signer = signer;
    }

    pub fn checkpoint_signer(&self) -> Option<&Arc<checkpoint::CheckpointSigner>> {
        self.signer.as_ref()
    }

    /// Verifies the store, then signs the head it verified with (at `now`) and keeps the
    /// checkpoint: what `azukari checkpoint` asks of the store's own computer or server.
    pub fn checkpoint(
        &self,
        session: &Session,
        now: azukari_domain::Instant,
    ) -> Result<checkpoint::Checkpoint> {
        self.authorise_read(session, UseCase::Verify)?;
        self.sign_verified_head(now)
    }

    /// Verifies the store and signs the head it verified with: for [`Desk::checkpoint`], and
    /// for the office server's own checkpoints, which no session asks for.
    pub fn sign_verified_head(
        &self,
        now: azukari_domain::Instant,
    ) -> Result<checkpoint::Checkpoint> {
        let signer = self.signer.as_ref().ok_or(Failure::NoCheckpointKey)?;
        self.store.integrity_check()?;
        let report = self.store.verify_with(None, &mut |_, _| {})?;
        signer.sign(
            &self.store.read(),
            &Head {
                seq: report.entries,
                hash: report.head,
            },
            now,
        )
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `work`, whose writes are committed together, with one fsync ([`Store::together`]):
    /// the office server's writer gives it every write that is waiting. Each write inside is
    /// refused or applied on its own; none is durable until this returns `Ok`.
    pub fn together<T>(&mut self, work: impl FnOnce(&mut Desk) -> T) -> Result<T> {
        Ok(Store::together(self, work)?)
    }

    /// A new store has no account yet: the first one is the security office's, made by `init`.
    pub fn needs_first_account(&self) -> Result<bool> {
        Ok(!self.store.is_initialised()?)
    }

    pub fn status(&self) -> Result<StoreStatus> {
        Ok(StoreStatus {
            place: Some(Place::Local {
                path: self.store.path().display().to_string(),
            }),
            path: self.store.path().display().to_string(),
            needs_first_account: self.needs_first_account()?,
            time_zone: self.store.read().setting("time_zone")?,
        })
    }

    pub fn require_initialised(&self) -> Result<()> {
        if self.needs_first_account()? {
            return Err(azukari_store::StoreError::NotInitialised.into());
        }
        Ok(())
    }

    pub fn quick_check(&self) -> Result<()> {
        Ok(self.store.quick_check()?)
    }

    /// Verifies the store; with `expect`, also that the head printed on a ledger (or kept by
    /// anyone outside the store) is still in the chain as printed.
    pub fn verify(
        &self,
        session: &Session,
        expect: Option<&Head>,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<VerifyReport> {
        self.authorise_read(session, UseCase::Verify)?;
        self.store.integrity_check()?;
        Ok(self.store.verify_with(expect, progress)?)
    }

    pub fn backup(&self, session: &Session, out: &Path) -> Result<()> {
        self.authorise_read(session, UseCase::Backup)?;
        Ok(self.store.backup(out)?)
    }

    /// Restores a backup into a new store; the backup must verify first.
    pub fn restore(backup: &Path, target: &Path) -> Result<Desk> {
        Ok(Desk {
            store: Store::restore(backup, target)?,
            import_limit: import::DEFAULT_IMPORT_LIMIT_BYTES,
            answering: None,
            paces_refusals: true,
            signer: None,
        })
    }

    /// Checks the session's account is still active: for the journal's head and hashes, which
    /// every role may read, and which a client needs even before it may change a reset
    /// password (it checks the server's journal before every write).
    pub(crate) fn authorise_active(&self, session: &Session) -> Result<()> {
        let standing = self
            .store
            .read()
            .account_standing(session.account_id)?
            .ok_or(Refusal::AccountDisabled)?;
        if !standing.active {
            return Err(Refusal::AccountDisabled.into());
        }
        Ok(())
    }

    /// Checks the session may read, against the account as it is now.
    fn authorise_read(&self, session: &Session, use_case: UseCase) -> Result<()> {
        self.read_scope(session, use_case).map(drop)
    }

    /// Checks the session may read, and says what of the register it may see: every read of
    /// custody goes through this, for the CLI, the desktop and every later front end alike.
    fn read_scope(&self, session: &Session, use_case: UseCase) -> Result<ReadScope> {
        let read = self.store.read();
        let current = read.account_standing(session.account_id)?;
        check_roles(current.clone(), use_case)?;
        let standing = current.expect("checked by check_roles");
        let responsible_for = match standing.person_id {
            Some(person) if standing.roles.contains(&Role::SiteResponsible) => {
                read.sites_of_responsible(person)?
            }
            _ => Vec::new(),
        };
        Ok(ReadScope::of(
            &standing.roles,
            standing.person_id,
            responsible_for,
        ))
    }

    /// One write: permission checked and work done inside the same IMMEDIATE transaction.
    /// Answering a request with an idempotency key, a repeat is found in that transaction
    /// (so two copies sent at once still write once) and the first answer kept in it.
    fn write<T: serde::Serialize>(
        &mut self,
        session: &Session,
        use_case: UseCase,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let answering = self.answering.clone();
        self.store.write(|writer| {
            check_roles(
                writer.read().account_standing(session.account_id)?,
                use_case,
            )?;
            let Some((key, now)) = answering else {
                return work(writer);
            };
            if let Some(first) = writer.answer_of(session.account_id, &key)? {
                return Err(Failure::AnsweredAlready(first));
            }
            let value = work(writer)?;
            let answer = serde_json::to_string(&value)
                .map_err(|err| Failure::Internal(format!("an answer to keep: {err}")))?;
            writer.keep_answer(session.account_id, &key, &answer, now)?;
            Ok(value)
        })
    }

    /// Runs `work` as the answer to a request its sender may repeat (a custodian's outbox
    /// sends until it hears back): the first time it writes and its answer is kept; a repeat
    /// with the same `key` writes nothing and gets the first answer. A refusal is not kept:
    /// it wrote nothing, so a repeat is decided again.
    pub fn once<T: serde::Serialize + serde::de::DeserializeOwned>(
        &mut self,
        key: &str,
        now: azukari_domain::Instant,
        work: impl FnOnce(&mut Desk) -> Result<T>,
    ) -> Result<T> {
        sessions::check_idempotency_key(key)?;
        self.answering = Some((key.to_string(), now));
        // Cleared whatever happens: a desk that outlives a panic (the server keeps its writer)
        // must not answer later writes with this key.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        self.answering = None;
        let result = result.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match result {
            Err(Failure::AnsweredAlready(first)) => serde_json::from_str(&first)
                .map_err(|err| Failure::Internal(format!("a kept answer: {err}"))),
            other => other,
        }
    }
}

fn check_roles(
    current: Option<azukari_domain::view::AccountStanding>,
    use_case: UseCase,
) -> Result<()> {
    let standing = current.ok_or(Refusal::AccountDisabled)?;
    if !standing.active {
        return Err(Refusal::AccountDisabled.into());
    }
    if standing.must_change_password {
        return Err(Refusal::PasswordChangeRequired.into());
    }
    if !any_allows(&standing.roles, use_case) {
        return Err(Refusal::Forbidden {
            use_case: use_case_name(use_case),
        }
        .into());
    }
    Ok(())
}

fn use_case_name(use_case: UseCase) -> &'static str {
    match use_case {
        UseCase::ReadRegister => "read the register",
        UseCase::ManageOrganisations => "manage organisations",
        UseCase::ManageSites => "manage sites",
        UseCase::ManagePeople => "manage people",
        UseCase::ManageAccounts => "manage accounts",
        UseCase::ManageAssets => "manage assets",
        UseCase::IssueLoan => "issue loans",
        UseCase::ReturnLoan => "take back loans",
        UseCase::AcknowledgeOwnLoan => "acknowledge receipt",
        UseCase::ImportRegister => "import registers",
        UseCase::PrintLedger => "print ledgers",
        UseCase::Verify => "verify the journal",
        UseCase::Backup => "back up the store",
    }
}

/// Copies the store at `from` into a new, empty store at `to`, of either engine (a SQLite
/// file, or a PostgreSQL database by its `postgres://` connection string), by replaying its
/// journal; both verify with the same head, which the report gives. A store that does not
/// verify is not copied.
pub fn migrate(from: &Path, to: &Path) -> Result<azukari_store::VerifyReport> {
    if let azukari_store::Location::File(path) = azukari_store::Location::of(from)
        && !path.exists()
    {
        return Err(azukari_store::StoreError::Io {
            path,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store is there"),
        }
        .into());
    }
    let source = Store::open(from)?;
    source.require_initialised_store()?;
    let mut target = Store::open(to)?;
    source
        .copy_into(&mut target)
        .map_err(|failure| azukari_store::StoreError::Copy(Box::new(failure)).into())
}

/// `quick_check` on a second, read-only connection: for the desktop, which runs it beside the
/// first window instead of before it.
pub fn quick_check_file(path: &Path) -> Result<()> {
    Ok(Store::quick_check_file(path)?)
}
