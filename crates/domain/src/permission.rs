//! Who may do what: one role × use-case table, the only place permissions are decided.
//!
//! The api checks it inside the write transaction; the UI asks it only to hide what the
//! backend would refuse anyway.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Custodian,
    SiteResponsible,
    SecurityOffice,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Custodian,
        Role::SiteResponsible,
        Role::SecurityOffice,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Custodian => "custodian",
            Role::SiteResponsible => "site_responsible",
            Role::SecurityOffice => "security_office",
            Role::Auditor => "auditor",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "'{text}' is not a role: custodian, site_responsible, security_office, auditor"
                )
            })
    }
}

/// Everything a session can ask the backend to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UseCase {
    ReadRegister,
    ManageOrganisations,
    ManageSites,
    ManagePeople,
    ManageAccounts,
    ManageAssets,
    IssueLoan,
    ReturnLoan,
    /// A custodian accepts an item issued to them; only for their own loans.
    AcknowledgeOwnLoan,
    ImportRegister,
    /// Custody ledgers and asset labels, as PDF, CSV or XLSX.
    PrintLedger,
    Verify,
    Backup,
}

impl UseCase {
    pub const ALL: [UseCase; 13] = [
        UseCase::ReadRegister,
        UseCase::ManageOrganisations,
        UseCase::ManageSites,
        UseCase::ManagePeople,
        UseCase::ManageAccounts,
        UseCase::ManageAssets,
        UseCase::IssueLoan,
        UseCase::ReturnLoan,
        UseCase::AcknowledgeOwnLoan,
        UseCase::ImportRegister,
        UseCase::PrintLedger,
        UseCase::Verify,
        UseCase::Backup,
    ];
}

/// The table. Read it as: a role may do a use-case when this says so.
pub fn allows(role: Role, use_case: UseCase) -> bool {
    use Role::*;
    use UseCase::*;
    match use_case {
        ReadRegister => true,
        AcknowledgeOwnLoan => matches!(role, Custodian | SecurityOffice | SiteResponsible),
        ManageOrganisations | ManageSites | ManagePeople | ManageAccounts | ManageAssets
        | IssueLoan | ReturnLoan | ImportRegister | Backup => role == SecurityOffice,
        // The auditor verifies the journal and prints ledgers; so may the office that keeps them.
        Verify | PrintLedger => matches!(role, SecurityOffice | Auditor),
    }
}

/// What a session may read. The security office and auditors read everything; everyone else
/// reads what concerns them: a custodian the items they hold, their own loans and history and
/// their own person record; a site responsible what is on loan for their sites (and the people
/// holding it), and their own. An account with several roles reads what any of them may.
///
/// The organisations and sites of the register (names, addresses, who is responsible) are
/// readable by every role: they name whom to ask, and hold nothing about anyone's custody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    Everything,
    Limited {
        /// The reader's own person record, if their account has one.
        person: Option<crate::ids::PersonId>,
        /// The sites the reader is responsible for, as a site responsible.
        sites: Vec<crate::ids::SiteId>,
    },
}

impl ReadScope {
    /// `responsible_for` are the sites the account's person is a site responsible of.
    pub fn of(
        roles: &[Role],
        person: Option<crate::ids::PersonId>,
        responsible_for: Vec<crate::ids::SiteId>,
    ) -> ReadScope {
        if roles
            .iter()
            .any(|role| matches!(role, Role::SecurityOffice | Role::Auditor))
        {
            return ReadScope::Everything;
        }
        let sites = if roles.contains(&Role::SiteResponsible) {
            responsible_for
        } else {
            Vec::new()
        };
        ReadScope::Limited { person, sites }
    }
}

/// An account with several roles may do what any of them may.
pub fn any_allows(roles: &[Role], use_case: UseCase) -> bool {
    roles.iter().any(|role| allows(*role, use_case))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PersonId, SiteId};

    #[test]
    fn scopes_by_role() {
        let me = Some(PersonId(3));
        let sites = || vec![SiteId(1), SiteId(2)];
        for role in [Role::SecurityOffice, Role::Auditor] {
            assert_eq!(ReadScope::of(&[role], me, sites()), ReadScope::Everything);
            assert_eq!(
                ReadScope::of(&[Role::Custodian, role], me, sites()),
                ReadScope::Everything,
                "another role never narrows what {role:?} reads"
            );
        }
        assert_eq!(
            ReadScope::of(&[Role::Custodian], me, sites()),
            ReadScope::Limited {
                person: me,
                sites: vec![]
            },
            "a custodian's responsibility for a site counts only with the site responsible role"
        );
        assert_eq!(
            ReadScope::of(&[Role::SiteResponsible], me, sites()),
            ReadScope::Limited {
                person: me,
                sites: sites()
            }
        );
        assert_eq!(
            ReadScope::of(&[], None, sites()),
            ReadScope::Limited {
                person: None,
                sites: vec![]
            }
        );
    }

    #[test]
    fn the_auditor_changes_nothing() {
        for use_case in UseCase::ALL {
            if allows(Role::Auditor, use_case) {
                assert!(
                    matches!(
                        use_case,
                        UseCase::ReadRegister | UseCase::Verify | UseCase::PrintLedger
                    ),
                    "an auditor reads and verifies only, yet may {use_case:?}"
                );
            }
        }
    }
}
