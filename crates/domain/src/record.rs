//! The records of the register and of custody, as the journal carries them.

use crate::ids::*;
use crate::permission::Role;
use crate::time::Instant;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A closed set of words stored as text: the same word in SQL, JSON, the CLI and the UI.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),* }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($word => Ok($name::$variant),)*
                    _ => Err(format!(
                        "'{}' is not one of: {}",
                        text,
                        [$($word),*].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words!(
    /// Who an organisation is to us.
    OrganisationKind { Own = "own", Customer = "customer", Partner = "partner" }
);

words!(AssetKind {
    Pc = "pc",
    Phone = "phone",
    EntryBadge = "entry_badge",
    IdCard = "id_card",
    UsbMedia = "usb_media",
    ExternalDisk = "external_disk",
    OpticalMedia = "optical_media",
    Other = "other",
});

impl AssetKind {
    /// Kinds that can hold information; the agreement rule applies to these.
    pub fn holds_information(self) -> bool {
        !matches!(self, AssetKind::EntryBadge | AssetKind::IdCard)
    }
}

words!(Classification {
    Public = "public",
    Internal = "internal",
    Confidential = "confidential",
    PersonalData = "personal_data",
});

words!(AssetStatus {
    Available = "available",
    OnLoan = "on_loan",
    CarriedOut = "carried_out",
    Lost = "lost",
    InRepair = "in_repair",
    Retired = "retired",
});

words!(ReturnCondition { Ok = "ok", Damaged = "damaged" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Site {
    pub id: SiteId,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub kana: Option<String>,
    pub organisation_id: OrganisationId,
    pub email: Option<String>,
    pub employee_number: Option<String>,
    pub active: bool,
}

/// A login. Its password is set by a [`crate::Event::PasswordSet`] beside it; the hash never
/// enters the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub login: String,
    pub person_id: Option<PersonId>,
    pub roles: Vec<Role>,
    /// Only in entries written before secrets left the journal (journal form 1): kept so
    /// those entries read back to the bytes they were hashed with. Never set on a new account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Asset {
    pub id: AssetId,
    pub tag: String,
    pub kind: AssetKind,
    pub name: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub owner_organisation_id: OrganisationId,
    pub classification: Classification,
    pub encrypted: bool,
    pub note: Option<String>,
    pub registered_at: Instant,
}

/// A custody period: from issue to return. At most one is open per asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Loan {
    pub id: LoanId,
    pub asset_id: AssetId,
    pub custodian_id: PersonId,
    pub issued_at: Instant,
    pub issued_by: Option<AccountId>,
    #[ts(type = "string | null")]
    #[serde(deserialize_with = "crate::time::checked_day_opt")]
    pub due_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub site_id: Option<SiteId>,
}
