//! What the register looks like when read: rows for lists and pages, shared by the store
//! (which fills them) and the api and UI (which show them). Exported to TypeScript.

use crate::ids::*;
use crate::permission::Role;
use crate::record::*;
use crate::time::Instant;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One asset in the register with whoever holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetRow {
    pub id: AssetId,
    pub tag: String,
    pub kind: AssetKind,
    pub name: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub owner: String,
    pub classification: Classification,
    pub encrypted: bool,
    pub status: AssetStatus,
    pub note: Option<String>,
    pub loan: Option<LoanRow>,
}

/// A custody period with the names people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoanRow {
    pub id: LoanId,
    pub asset_id: AssetId,
    pub tag: String,
    pub custodian_id: PersonId,
    pub custodian: String,
    pub custodian_organisation: String,
    pub issued_at: Instant,
    pub due_on: Option<String>,
    pub place: Option<String>,
    pub site: Option<String>,
    pub acknowledged_at: Option<Instant>,
    pub returned_at: Option<Instant>,
    pub return_condition: Option<ReturnCondition>,
    pub return_note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssetSort {
    #[default]
    Tag,
    Kind,
    Name,
    Status,
    Custodian,
    Due,
}

/// A page of the register: filters, search and paging happen in the store, never in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetQuery {
    pub status: Option<AssetStatus>,
    pub kind: Option<AssetKind>,
    pub holder: Option<PersonId>,
    /// Matches tag, name, model, serial and the custodian's name, ignoring case.
    pub search: Option<String>,
    /// Only items on loan whose custodian has not acknowledged receipt yet.
    #[serde(default)]
    pub unacknowledged: bool,
    /// Only items on loan due before this day: returns overdue, when it is today.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub due_before: Option<chrono::NaiveDate>,
    pub sort: AssetSort,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// The register counted, for the security office's overview: each count links to its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Overview {
    pub total: u32,
    pub available: u32,
    pub on_loan: u32,
    /// On loan, receipt not acknowledged yet.
    pub unacknowledged: u32,
    /// On loan past their due date.
    pub overdue: u32,
    pub lost: u32,
    pub in_repair: u32,
    pub retired: u32,
    /// The day overdue was counted against, in the store's time zone.
    #[ts(type = "string")]
    pub today: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetPage {
    pub rows: Vec<AssetRow>,
    /// How many match the filters, for the pager.
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonRow {
    pub id: PersonId,
    pub name: String,
    pub kana: Option<String>,
    pub organisation_id: OrganisationId,
    pub organisation: String,
    pub email: Option<String>,
    pub employee_number: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SiteRow {
    pub id: SiteId,
    pub organisation: String,
    pub name: String,
    pub address: Option<String>,
    pub responsibles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountRow {
    pub id: AccountId,
    pub login: String,
    pub person: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub locked_until: Option<Instant>,
    /// Reset by the security office: a new password must be chosen at the next login.
    pub must_change_password: bool,
}

/// An account's state as the login rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub id: AccountId,
    pub login: String,
    pub person_id: Option<PersonId>,
    pub roles: Vec<Role>,
    /// Absent only in a store whose `credentials` row was removed by hand: no password works.
    pub password_hash: Option<String>,
    pub active: bool,
    pub failed_logins: u32,
    pub locked_until: Option<Instant>,
    pub locks_in_a_row: u32,
    pub must_change_password: bool,
}

/// One line of the custody ledger: an asset in the register at an instant and who held it then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyLine {
    pub tag: String,
    pub kind: AssetKind,
    pub name: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub owner: String,
    pub custodian: Option<String>,
    pub custodian_organisation: Option<String>,
    pub site: Option<String>,
    pub issued_at: Option<Instant>,
    pub due_on: Option<String>,
    /// The last return at or before the instant, for an item nobody held then.
    pub returned_at: Option<Instant>,
    pub place: Option<String>,
    /// The asset's status at the instant: lost, in repair or retired when such a period covered
    /// it (even while a loan did), else on loan when a loan did, else available.
    pub status: AssetStatus,
}

/// A period an asset was lost, in repair or retired: from the mark (or the damaged return) to
/// the mark that ended it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusPeriodRow {
    pub status: AssetStatus,
    pub began_at: Instant,
    /// The login that marked it.
    pub began_by: Option<String>,
    pub note: Option<String>,
    pub ended_at: Option<Instant>,
    pub ended_by: Option<String>,
}

/// What an account may do right now: read inside every write, so that disabling an account
/// or removing a role takes effect at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStanding {
    pub active: bool,
    pub roles: Vec<Role>,
    pub person_id: Option<PersonId>,
    /// After a reset, nothing but a new password may be done.
    pub must_change_password: bool,
}

/// The loan an asset is out on, as the custody rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLoan {
    pub id: LoanId,
    pub custodian_id: PersonId,
    pub issued_at: Instant,
    pub acknowledged_at: Option<Instant>,
}

/// The state of one asset that the custody rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetState {
    pub id: AssetId,
    pub tag: String,
    pub status: AssetStatus,
    pub open_loan: Option<OpenLoan>,
}
