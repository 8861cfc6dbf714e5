//! Events: the only way state changes. Each carries everything needed to apply it again
//! (assigned ids, instants), so replaying the journal into an empty store rebuilds the state.

use crate::ids::*;
use crate::permission::Role;
use crate::record::*;
use crate::time::Instant;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    StoreInitialised {
        time_zone: String,
    },
    OrganisationAdded {
        organisation: Organisation,
    },
    SiteAdded {
        site: Site,
    },
    SiteResponsibleAssigned {
        site_id: SiteId,
        person_id: PersonId,
    },
    PersonAdded {
        person: Person,
    },
    AccountAdded {
        account: Account,
    },
    AccountDisabled {
        account_id: AccountId,
    },
    AccountEnabled {
        account_id: AccountId,
    },
    /// A password was set: by its owner, or reset by the security office, in which case
    /// `must_change` makes the owner choose a new one at the next login. The hash itself is a
    /// secret and never enters the journal; the store keeps it beside the state tables.
    PasswordSet {
        account_id: AccountId,
        must_change: bool,
        /// SHA-256 of the hash kept beside the journal ([`crate::journal::credential_digest`]):
        /// proves which hash was set without being one. A salted Argon2 hash's digest neither
        /// logs anyone in nor helps guess a password; `verify` checks the kept hash against it.
        digest: String,
    },
    /// The security office lifted a lock and cleared the count of failures.
    AccountUnlocked {
        account_id: AccountId,
    },
    LoginFailed {
        account_id: AccountId,
        at: Instant,
        /// Set on the failure that locks the account.
        locked_until: Option<Instant>,
    },
    /// Journaled only when it clears failures or a lock: a plain login changes nothing, so
    /// reading the register never moves the journal head that ledgers print.
    LoginSucceeded {
        account_id: AccountId,
        at: Instant,
    },
    AssetRegistered {
        asset: Asset,
    },
    LoanIssued {
        loan: Loan,
    },
    LoanAcknowledged {
        loan_id: LoanId,
        at: Instant,
    },
    LoanReturned {
        loan_id: LoanId,
        asset_id: AssetId,
        returned_at: Instant,
        returned_to: Option<AccountId>,
        condition: ReturnCondition,
        note: Option<String>,
        /// What the asset becomes: available, or in repair when it came back damaged.
        asset_status: AssetStatus,
    },
    /// An asset's record changed: the whole record as it is now, and the fields that changed
    /// (their earlier values are in the entries before).
    AssetEdited {
        asset: Asset,
        changed: Vec<String>,
    },
    /// A person's record changed, their being active included (a person who left is
    /// deactivated, never deleted: the journal and the ledgers still name them).
    PersonEdited {
        person: Person,
        changed: Vec<String>,
    },
    OrganisationEdited {
        organisation: Organisation,
        changed: Vec<String>,
    },
    /// The security office marked an asset lost, in repair or retired, or ended such a period
    /// (found, repaired, put back in service). `status` is what the asset becomes; lost, in
    /// repair and retired are periods, so a ledger as of any instant shows the status then.
    AssetStatusChanged {
        asset_id: AssetId,
        status: AssetStatus,
        at: Instant,
        by: Option<AccountId>,
        note: Option<String>,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::StoreInitialised { .. } => "store_initialised",
            Event::OrganisationAdded { .. } => "organisation_added",
            Event::SiteAdded { .. } => "site_added",
            Event::SiteResponsibleAssigned { .. } => "site_responsible_assigned",
            Event::PersonAdded { .. } => "person_added",
            Event::AccountAdded { .. } => "account_added",
            Event::AccountDisabled { .. } => "account_disabled",
            Event::AccountEnabled { .. } => "account_enabled",
            Event::PasswordSet { .. } => "password_set",
            Event::AccountUnlocked { .. } => "account_unlocked",
            Event::LoginFailed { .. } => "login_failed",
            Event::LoginSucceeded { .. } => "login_succeeded",
            Event::AssetRegistered { .. } => "asset_registered",
            Event::LoanIssued { .. } => "loan_issued",
            Event::LoanAcknowledged { .. } => "loan_acknowledged",
            Event::LoanReturned { .. } => "loan_returned",
            Event::AssetStatusChanged { .. } => "asset_status_changed",
            Event::AssetEdited { .. } => "asset_edited",
            Event::PersonEdited { .. } => "person_edited",
            Event::OrganisationEdited { .. } => "organisation_edited",
        }
    }
}

/// Who changed the account's password or roles is journaled; the role list is kept sorted so
/// that the same account always has the same canonical JSON.
pub fn sorted_roles(mut roles: Vec<Role>) -> Vec<Role> {
    roles.sort();
    roles.dedup();
    roles
}
