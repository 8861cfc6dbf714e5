//! One interface to the use-cases, whichever place holds the register: [`Local`] is the
//! embedded store (a [`Desk`] on this computer), and the office server's client
//! (`azukari-client`) is the other. The CLI and the desktop hold a `dyn Office` and never ask
//! which. Every call is a [`Call`]: the same value crosses the network to the server, which
//! answers it with [`dispatch`] over its own `Desk`, so both places run the same code.

use crate::{
    AssetDetail, Desk, EditAsset, EditOrganisation, EditPerson, Failure, ImportKind, ImportOptions,
    ImportSummary, IssueLoan, MarkAsset, NewAccount, NewAsset, NewPerson, NewSite, PersonRef,
    PrintRequest, Printed, Result, ReturnLoan, Session,
};
use azukari_domain::journal::Head;
use azukari_domain::rules::Refusal;
use azukari_domain::view::{
    AccountRow, AssetPage, AssetQuery, LoanRow, Overview, PersonRow, SiteRow,
};
use azukari_domain::*;
use azukari_store::VerifyReport;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// Where the register is: shown to the person at all times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Place {
    /// A store file on this computer.
    Local { path: String },
    /// An office server.
    Server { url: String },
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Local { path } => f.write_str(path),
            Place::Server { url } => f.write_str(url),
        }
    }
}

/// Whether the office server answers now, and what waits in the outbox; asked every few
/// seconds, so the person knows before filling in a form.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Reachability {
    pub reachable: bool,
    pub problem: Option<String>,
    /// Actions waiting in the outbox.
    pub waiting: u32,
    /// What the server refused from the outbox, each with its reason.
    pub refused: Vec<String>,
    /// The journal's last entry as the logged-in person's place sees it now (none before
    /// login, or while the server cannot be reached). When it moves, somebody wrote (another
    /// desk, the CLI on the same store): the screens read again what they show.
    #[ts(type = "number | null")]
    pub journal_seq: Option<i64>,
}

/// What became of an acknowledgement: done, or kept in the outbox until the server is back.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Acknowledged {
    /// Kept in the outbox: the server could not be reached.
    pub waiting: bool,
}

/// The one clock of a place: the machine's for a local store, the server's for the office
/// server (a client's clock is never used for a write there).
pub type Clock = Arc<dyn Fn() -> Result<Instant> + Send + Sync>;

/// A use-case with its arguments, as it crosses the network. A field is only ever added with
/// a default, so an older client's calls still read.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "call", content = "args", rename_all = "snake_case")]
#[ts(export)]
pub enum Call {
    ChangePassword {
        current: String,
        new: String,
    },
    AddOrganisation {
        name: String,
        kind: OrganisationKind,
    },
    Organisations,
    AddSite(NewSite),
    Sites,
    AddAccount(NewAccount),
    Accounts,
    DisableAccount {
        login: String,
    },
    EnableAccount {
        login: String,
    },
    UnlockAccount {
        login: String,
    },
    ResetPassword {
        login: String,
        new: String,
    },
    /// Ends every session of an account on the office server.
    EndSessions {
        login: String,
    },
    AddPerson(NewPerson),
    People,
    AddAsset(NewAsset),
    PersonId(PersonRef),
    AssetPage(AssetQuery),
    /// The register counted: on loan, unacknowledged, overdue, lost, in repair.
    Overview,
    Asset {
        tag: String,
    },
    IssueLoan(IssueLoan),
    TransferLoan(IssueLoan),
    ReturnLoan(ReturnLoan),
    MarkAsset(MarkAsset),
    EditAsset(EditAsset),
    EditPerson(EditPerson),
    EditOrganisation(EditOrganisation),
    AcknowledgeLoan {
        tag: String,
    },
    Loans {
        open_only: bool,
        holder: Option<PersonRef>,
    },
    CustodyAsOf {
        at: String,
        holder: Option<PersonRef>,
    },
    Verify {
        expect: Option<Head>,
    },
    /// Who this session is, with the account as it is now.
    Session,
    /// The journal's head now.
    JournalHead,
    /// Verifies the store and signs its head with the place's checkpoint key.
    Checkpoint,
    /// The hash of one entry: a client checks that the server's journal extends the head it
    /// saw before.
    JournalHash {
        #[ts(type = "number")]
        seq: i64,
    },
}

impl Call {
    /// Whether the call may write: a client checks the server's journal before sending one.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Call::Organisations
                | Call::Sites
                | Call::Accounts
                | Call::People
                | Call::PersonId(_)
                | Call::AssetPage(_)
                | Call::Overview
                | Call::Asset { .. }
                | Call::Loans { .. }
                | Call::CustodyAsOf { .. }
                | Call::Verify { .. }
                | Call::Checkpoint
                | Call::Session
                | Call::JournalHead
                | Call::JournalHash { .. }
        )
    }

    /// Whether the call checks the person's password, and so must be refused no faster than
    /// a wrong password is ([`crate::pace_refusal`]).
    pub fn checks_password(&self) -> bool {
        matches!(self, Call::ChangePassword { .. })
    }
}

/// Answers one call on a `Desk`, as `session`, at `now`: the embedded store and the office
/// server both answer through here.
pub fn dispatch<A: Answer>(
    desk: &mut Desk,
    session: &Session,
    now: Instant,
    call: Call,
) -> Result<A> {
    fn json<T: Serialize, A: Answer>(value: T) -> Result<A> {
        A::of(&value).map_err(|err| Failure::Internal(format!("an answer: {err}")))
    }
    match call {
        Call::ChangePassword { current, new } => {
            json(desk.change_password(session, &current, &new, now)?)
        }
        Call::AddOrganisation { name, kind } => {
            json(desk.add_organisation(session, &name, kind, now)?)
        }
        Call::Organisations => json(desk.organisations(session)?),
        Call::AddSite(site) => json(desk.add_site(session, site, now)?),
        Call::Sites => json(desk.sites(session)?),
        Call::AddAccount(account) => json(desk.add_account(session, account, now)?),
        Call::Accounts => json(desk.accounts(session)?),
        Call::DisableAccount { login } => json(desk.disable_account(session, &login, now)?),
        Call::EnableAccount { login } => json(desk.enable_account(session, &login, now)?),
        Call::UnlockAccount { login } => json(desk.unlock_account(session, &login, now)?),
        Call::ResetPassword { login, new } => {
            json(desk.reset_password(session, &login, &new, now)?)
        }
        Call::EndSessions { login } => json(desk.end_sessions(session, &login, now)?),
        Call::AddPerson(person) => json(desk.add_person(session, person, now)?),
        Call::People => json(desk.people(session)?),
        Call::AddAsset(asset) => json(desk.add_asset(session, asset, now)?),
        Call::PersonId(person) => json(desk.person_id(session, &person)?),
        Call::AssetPage(query) => json(desk.asset_page(session, &query)?),
        Call::Overview => json(desk.overview(session, now)?),
        Call::Asset { tag } => json(desk.asset(session, &tag)?),
        Call::IssueLoan(loan) => json(desk.issue_loan(session, loan, now)?),
        Call::TransferLoan(loan) => json(desk.transfer_loan(session, loan, now)?),
        Call::ReturnLoan(loan) => json(desk.return_loan(session, loan, now)?),
        Call::MarkAsset(mark) => json(desk.mark_asset(session, mark, now)?),
        Call::EditAsset(edit) => json(desk.edit_asset(session, edit, now)?),
        Call::EditPerson(edit) => json(desk.edit_person(session, edit, now)?),
        Call::EditOrganisation(edit) => json(desk.edit_organisation(session, edit, now)?),
        Call::AcknowledgeLoan { tag } => json(desk.acknowledge_loan(session, &tag, now)?),
        Call::Loans { open_only, holder } => {
            json(desk.loans(session, open_only, holder.as_ref())?)
        }
        Call::CustodyAsOf { at, holder } => {
            let at = desk.parse_instant(&at)?;
            json(desk.custody_as_of(session, at, holder.as_ref())?)
        }
        Call::Verify { expect } => json(desk.verify(session, expect.as_ref(), &mut |_, _| {})?),
        Call::Checkpoint => json(desk.checkpoint(session, now)?),
        Call::Session => json(session),
        Call::JournalHead => {
            desk.authorise_active(session)?;
            let (seq, hash) = desk.store().read().journal_head()?;
            json(Head { seq, hash })
        }
        Call::JournalHash { seq } => {
            desk.authorise_active(session)?;
            json(desk.store().read().journal_hash_at(seq)?)
        }
    }
}

/// What [`dispatch`] makes of an answer: a [`Value`] for an office in this process, which reads
/// it back as its type; the JSON text itself for the office server, which sends it as it is
/// (a page of 100 rows made into a tree of maps first, only to be written out, was a twentieth
/// of the server's work under load).
pub trait Answer: Serialize + DeserializeOwned {
    fn of<T: Serialize>(value: &T) -> serde_json::Result<Self>;
}

impl Answer for Value {
    fn of<T: Serialize>(value: &T) -> serde_json::Result<Value> {
        serde_json::to_value(value)
    }
}

impl Answer for Box<serde_json::value::RawValue> {
    fn of<T: Serialize>(value: &T) -> serde_json::Result<Self> {
        serde_json::value::to_raw_value(value)
    }
}

/// The use-cases, wherever the register is. Implementations answer [`Call`]s and the three
/// that carry files; the typed methods are the same for every place.
pub trait Office {
    /// Where the register is, to show.
    fn place(&self) -> Place;

    /// Who is logged in.
    fn session(&self) -> &Session;

    /// Answers a call.
    fn call(&mut self, call: Call) -> Result<Value>;

    /// Answers a call its sender may repeat (a custodian's outbox): applied once, a repeat
    /// with the same `key` gets the first answer.
    fn call_once(&mut self, key: &str, call: Call) -> Result<Value>;

    /// Imports a register file's bytes.
    fn import(
        &mut self,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportSummary>;

    /// Renders a ledger. `font` is a font file on the computer that renders: a local store
    /// uses it; the office server prints with its own fonts.
    fn print(
        &mut self,
        request: &PrintRequest,
        font: Option<&str>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Printed>;

    /// Writes a copy of the whole store to `out`, on this computer.
    fn backup(&mut self, out: &Path) -> Result<()>;

    fn change_password(&mut self, current: &str, new: &str) -> Result<()> {
        typed(self.call(Call::ChangePassword {
            current: current.into(),
            new: new.into(),
        }))
    }
    fn add_organisation(&mut self, name: &str, kind: OrganisationKind) -> Result<OrganisationId> {
        typed(self.call(Call::AddOrganisation {
            name: name.into(),
            kind,
        }))
    }
    fn organisations(&mut self) -> Result<Vec<Organisation>> {
        typed(self.call(Call::Organisations))
    }
    fn add_site(&mut self, site: NewSite) -> Result<SiteId> {
        typed(self.call(Call::AddSite(site)))
    }
    fn sites(&mut self) -> Result<Vec<SiteRow>> {
        typed(self.call(Call::Sites))
    }
    fn add_account(&mut self, account: NewAccount) -> Result<AccountId> {
        typed(self.call(Call::AddAccount(account)))
    }
    fn accounts(&mut self) -> Result<Vec<AccountRow>> {
        typed(self.call(Call::Accounts))
    }
    fn disable_account(&mut self, login: &str) -> Result<()> {
        typed(self.call(Call::DisableAccount {
            login: login.into(),
        }))
    }
    fn enable_account(&mut self, login: &str) -> Result<()> {
        typed(self.call(Call::EnableAccount {
            login: login.into(),
        }))
    }
    fn unlock_account(&mut self, login: &str) -> Result<()> {
        typed(self.call(Call::UnlockAccount {
            login: login.into(),
        }))
    }
    fn reset_password(&mut self, login: &str, new: &str) -> Result<()> {
        typed(self.call(Call::ResetPassword {
            login: login.into(),
            new: new.into(),
        }))
    }
    fn end_sessions(&mut self, login: &str) -> Result<u64> {
        typed(self.call(Call::EndSessions {
            login: login.into(),
        }))
    }
    fn add_person(&mut self, person: NewPerson) -> Result<PersonId> {
        typed(self.call(Call::AddPerson(person)))
    }
    fn people(&mut self) -> Result<Vec<PersonRow>> {
        typed(self.call(Call::People))
    }
    fn add_asset(&mut self, asset: NewAsset) -> Result<AssetId> {
        typed(self.call(Call::AddAsset(asset)))
    }
    fn person_id(&mut self, person: PersonRef) -> Result<PersonId> {
        typed(self.call(Call::PersonId(person)))
    }
    fn asset_page(&mut self, query: AssetQuery) -> Result<AssetPage> {
        typed(self.call(Call::AssetPage(query)))
    }
    fn asset(&mut self, tag: &str) -> Result<AssetDetail> {
        typed(self.call(Call::Asset { tag: tag.into() }))
    }
    fn issue_loan(&mut self, loan: IssueLoan) -> Result<LoanId> {
        typed(self.call(Call::IssueLoan(loan)))
    }
    fn transfer_loan(&mut self, loan: IssueLoan) -> Result<LoanId> {
        typed(self.call(Call::TransferLoan(loan)))
    }
    fn return_loan(&mut self, loan: ReturnLoan) -> Result<LoanId> {
        typed(self.call(Call::ReturnLoan(loan)))
    }
    fn overview(&mut self) -> Result<Overview> {
        typed(self.call(Call::Overview))
    }
    fn mark_asset(&mut self, mark: MarkAsset) -> Result<AssetStatus> {
        typed(self.call(Call::MarkAsset(mark)))
    }
    fn edit_asset(&mut self, edit: EditAsset) -> Result<Vec<String>> {
        typed(self.call(Call::EditAsset(edit)))
    }
    fn edit_person(&mut self, edit: EditPerson) -> Result<Vec<String>> {
        typed(self.call(Call::EditPerson(edit)))
    }
    fn edit_organisation(&mut self, edit: EditOrganisation) -> Result<Vec<String>> {
        typed(self.call(Call::EditOrganisation(edit)))
    }
    fn acknowledge_loan(&mut self, tag: &str) -> Result<LoanId> {
        typed(self.call(Call::AcknowledgeLoan { tag: tag.into() }))
    }
    /// Acknowledges receipt as a request that may be sent again (the outbox): applied once.
    fn acknowledge_loan_once(&mut self, key: &str, tag: &str) -> Result<LoanId> {
        typed(self.call_once(key, Call::AcknowledgeLoan { tag: tag.into() }))
    }
    fn loans(&mut self, open_only: bool, holder: Option<PersonRef>) -> Result<Vec<LoanRow>> {
        typed(self.call(Call::Loans { open_only, holder }))
    }
    /// Custody as of an instant as typed (RFC 3339, or a date meaning its start in the
    /// store's zone), read where the register is.
    fn custody_as_of(&mut self, at: &str, holder: Option<PersonRef>) -> Result<Vec<LoanRow>> {
        typed(self.call(Call::CustodyAsOf {
            at: at.into(),
            holder,
        }))
    }
    fn verify(&mut self, expect: Option<Head>) -> Result<VerifyReport> {
        typed(self.call(Call::Verify { expect }))
    }
    /// Verify, telling `progress` how far it is where the work is done here.
    fn verify_with_progress(
        &mut self,
        expect: Option<Head>,
        _progress: &mut dyn FnMut(i64, i64),
    ) -> Result<VerifyReport> {
        self.verify(expect)
    }
    /// Verifies the store and signs its head with the checkpoint key of the place that holds
    /// it: the office server's, or this computer's for a store of its own.
    fn checkpoint(&mut self) -> Result<crate::checkpoint::Checkpoint> {
        typed(self.call(Call::Checkpoint))
    }
    fn journal_head(&mut self) -> Result<Head> {
        typed(self.call(Call::JournalHead))
    }
}

/// An answer read back as the type the use-case returns.
pub fn typed<T: DeserializeOwned>(answer: Result<Value>) -> Result<T> {
    serde_json::from_value(answer?)
        .map_err(|err| Failure::Internal(format!("an answer of another shape: {err}")))
}

/// The embedded store on this computer, logged in.
pub struct Local {
    desk: Desk,
    session: Session,
    clock: Clock,
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("store", &self.desk.store().path())
            .field("login", &self.session.login)
            .finish()
    }
}

impl Local {
    /// The same session on another connection to the same store: for work that runs beside
    /// this one (printing a large ledger while the register stays usable).
    pub fn beside(&self, desk: Desk) -> Local {
        Local {
            desk,
            session: self.session.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Logs in to the store `desk` has open, with this computer's clock.
    pub fn login(mut desk: Desk, login: &str, password: &str, clock: Clock) -> Result<Local> {
        let session = desk.login(login, password, clock()?)?;
        Ok(Local {
            desk,
            session,
            clock,
        })
    }

    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// Logs out: the store stays open for the next login.
    pub fn into_desk(self) -> Desk {
        self.desk
    }

    /// The largest file an import takes here, in bytes.
    pub fn set_import_limit(&mut self, bytes: u64) {
        self.desk.set_import_limit(bytes);
    }
}

impl Office for Local {
    fn place(&self) -> Place {
        Place::Local {
            path: self.desk.store().path().display().to_string(),
        }
    }

    fn session(&self) -> &Session {
        &self.session
    }

    fn call(&mut self, call: Call) -> Result<Value> {
        let now = (self.clock)()?;
        dispatch(&mut self.desk, &self.session, now, call)
    }

    fn call_once(&mut self, key: &str, call: Call) -> Result<Value> {
        let now = (self.clock)()?;
        let session = self.session.clone();
        self.desk
            .once(key, now, |desk| dispatch(desk, &session, now, call))
    }

    fn import(
        &mut self,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportSummary> {
        let now = (self.clock)()?;
        self.desk
            .import(&self.session, kind, file_name, bytes, options, now)
    }

    fn print(
        &mut self,
        request: &PrintRequest,
        font: Option<&str>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Printed> {
        let now = (self.clock)()?;
        self.desk.print(&self.session, request, font, now, progress)
    }

    fn backup(&mut self, out: &Path) -> Result<()> {
        self.desk.backup(&self.session, out)
    }

    fn verify_with_progress(
        &mut self,
        expect: Option<Head>,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<VerifyReport> {
        self.desk.verify(&self.session, expect.as_ref(), progress)
    }
}

/// Refuses a call that only the store's own computer can make.
pub fn not_over_the_network(what: &'static str) -> Failure {
    Refusal::InvalidValue {
        field: "server",
        value: what.into(),
        expected: "run on the computer that holds the store, with --store".into(),
    }
    .into()
}
