//! Custody: issuing, acknowledging, returning and transferring loans, and reading who held
//! what at any instant.

use crate::register::resolve_person;
use crate::{Desk, Result, Session};
use azukari_domain::rules::{self, MAX_TEXT_CHARS, Refusal};
use azukari_domain::view::{self, AssetPage, AssetQuery, AssetRow, LoanRow, StatusPeriodRow};
use azukari_domain::*;
use azukari_store::{IdTable, Writer};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IssueLoan {
    pub tag: String,
    pub to: crate::PersonRef,
    #[ts(type = "string | null")]
    pub due: Option<NaiveDate>,
    pub place: Option<String>,
    /// The customer site where the item is used, by name.
    pub site: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReturnLoan {
    pub tag: String,
    pub condition: ReturnCondition,
    pub note: Option<String>,
}

/// Marks an asset lost, in repair or retired, or available again (found, repaired, back in
/// service).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MarkAsset {
    pub tag: String,
    pub status: AssetStatus,
    pub note: Option<String>,
}

/// An asset with its whole custody history: its loans newest first, and its lost, in-repair
/// and retired periods oldest first (the UI lays both on one timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssetDetail {
    pub asset: AssetRow,
    pub history: Vec<LoanRow>,
    pub statuses: Vec<StatusPeriodRow>,
}

/// A site by name; names are unique within a customer, so across customers one may repeat.
fn resolve_site(read: &azukari_store::Reader<'_>, name: &str) -> Result<SiteId> {
    let found = read.sites_named(name)?;
    match found.as_slice() {
        [] => Err(Refusal::NotFound {
            what: "site",
            key: name.to_string(),
        }
        .into()),
        [one] => Ok(*one),
        more => Err(Refusal::InvalidValue {
            field: "site",
            value: name.to_string(),
            expected: format!("a site name only one customer uses ({} do)", more.len()),
        }
        .into()),
    }
}

fn unknown_tag(tag: &str) -> Refusal {
    Refusal::NotFound {
        what: "asset",
        key: tag.to_string(),
    }
}

/// Issues inside an open transaction; shared by issue, transfer and import.
pub(crate) fn issue_in(
    w: &mut Writer<'_>,
    actor: Option<AccountId>,
    loan: &IssueLoan,
    at: Instant,
    now: Instant,
) -> Result<LoanId> {
    let zone = w.read().time_zone()?;
    let tag = loan.tag.trim();
    let asset = w.read().asset_state(tag)?.ok_or_else(|| unknown_tag(tag))?;
    let custodian = resolve_person(&w.read(), &loan.to)?;
    // An issue dated after the moment it is recorded would be custody nobody has had yet.
    if at > now {
        return Err(Refusal::InvalidValue {
            field: "issued",
            value: at.date_in(zone).to_string(),
            expected: format!("a date no later than today ({})", now.date_in(zone)),
        }
        .into());
    }
    rules::check_issue(
        tag,
        asset.status,
        custodian.active,
        &custodian.name,
        at.date_in(zone),
        loan.due,
    )?;
    let site_id = match loan
        .site
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(name) => Some(resolve_site(&w.read(), name)?),
    };
    if let Some(due) = loan.due {
        azukari_domain::time::check_day(due).map_err(|expected| Refusal::InvalidValue {
            field: "due",
            value: due.format("%Y-%m-%d").to_string(),
            expected,
        })?;
    }
    let id = LoanId(w.next_id(IdTable::Loans)?);
    let event = Event::LoanIssued {
        loan: Loan {
            id,
            asset_id: asset.id,
            custodian_id: custodian.id,
            issued_at: at,
            issued_by: actor,
            due_on: loan.due,
            place: rules::optional_text("place", loan.place.as_deref(), MAX_TEXT_CHARS)?,
            site_id,
        },
    };
    w.apply(&event, actor, now)?;
    Ok(id)
}

fn return_in(
    w: &mut Writer<'_>,
    actor: Option<AccountId>,
    loan: &ReturnLoan,
    now: Instant,
) -> Result<LoanId> {
    let tag = loan.tag.trim();
    let asset = w.read().asset_state(tag)?.ok_or_else(|| unknown_tag(tag))?;
    rules::check_return(tag, asset.status, asset.open_loan.is_some())?;
    let open = asset.open_loan.expect("checked by check_return");
    rules::check_return_time(open.issued_at, now)?;
    let loan_id = open.id;
    let event = Event::LoanReturned {
        loan_id,
        asset_id: asset.id,
        returned_at: now,
        returned_to: actor,
        condition: loan.condition,
        note: rules::optional_text("note", loan.note.as_deref(), MAX_TEXT_CHARS)?,
        asset_status: match loan.condition {
            ReturnCondition::Ok => AssetStatus::Available,
            ReturnCondition::Damaged => AssetStatus::InRepair,
        },
    };
    w.apply(&event, actor, now)?;
    Ok(loan_id)
}

impl Desk {
    pub fn issue_loan(
        &mut self,
        session: &Session,
        loan: IssueLoan,
        now: Instant,
    ) -> Result<LoanId> {
        self.write(session, UseCase::IssueLoan, |w| {
            issue_in(w, Some(session.account_id), &loan, now, now)
        })
    }

    pub fn return_loan(
        &mut self,
        session: &Session,
        loan: ReturnLoan,
        now: Instant,
    ) -> Result<LoanId> {
        self.write(session, UseCase::ReturnLoan, |w| {
            return_in(w, Some(session.account_id), &loan, now)
        })
    }

    /// Hands an item from one custodian to the next in one step: the return and the new issue
    /// are one transaction, so custody never has a gap or an overlap.
    pub fn transfer_loan(
        &mut self,
        session: &Session,
        loan: IssueLoan,
        now: Instant,
    ) -> Result<LoanId> {
        self.write(session, UseCase::IssueLoan, |w| {
            check_roles_for(w, session, UseCase::ReturnLoan)?;
            let back = ReturnLoan {
                tag: loan.tag.clone(),
                condition: ReturnCondition::Ok,
                note: None,
            };
            return_in(w, Some(session.account_id), &back, now)?;
            issue_in(w, Some(session.account_id), &loan, now, now)
        })
    }

    /// Marks an asset lost, in repair, retired or available again; answers what it became (an
    /// item found while still on loan is on loan again).
    pub fn mark_asset(
        &mut self,
        session: &Session,
        mark: MarkAsset,
        now: Instant,
    ) -> Result<AssetStatus> {
        self.write(session, UseCase::ManageAssets, |w| {
            let tag = mark.tag.trim();
            let asset = w.read().asset_state(tag)?.ok_or_else(|| unknown_tag(tag))?;
            let status =
                rules::check_mark(tag, asset.status, asset.open_loan.is_some(), mark.status)?;
            let event = Event::AssetStatusChanged {
                asset_id: asset.id,
                status,
                at: now,
                by: Some(session.account_id),
                note: rules::optional_text("note", mark.note.as_deref(), MAX_TEXT_CHARS)?,
            };
            w.apply(&event, Some(session.account_id), now)?;
            Ok(status)
        })
    }

    /// The custodian accepts what was issued to them. Only their own loan.
    pub fn acknowledge_loan(
        &mut self,
        session: &Session,
        tag: &str,
        now: Instant,
    ) -> Result<LoanId> {
        self.write(session, UseCase::AcknowledgeOwnLoan, |w| {
            let tag = tag.trim();
            let asset = w.read().asset_state(tag)?.ok_or_else(|| unknown_tag(tag))?;
            let open = asset.open_loan.ok_or_else(|| Refusal::AssetNotOnLoan {
                tag: tag.to_string(),
            })?;
            let (loan_id, custodian, acknowledged) =
                (open.id, open.custodian_id, open.acknowledged_at);
            let person = w
                .read()
                .account_standing(session.account_id)?
                .and_then(|standing| standing.person_id);
            if person != Some(custodian) {
                return Err(Refusal::NotYourLoan.into());
            }
            if acknowledged.is_some() {
                return Err(Refusal::AlreadyAcknowledged.into());
            }
            w.apply(
                &Event::LoanAcknowledged { loan_id, at: now },
                Some(session.account_id),
                now,
            )?;
            Ok(loan_id)
        })
    }

    /// The register counted for the overview, of what the session's roles may see; overdue
    /// counts against today in the store's time zone.
    pub fn overview(&self, session: &Session, now: Instant) -> Result<view::Overview> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        let zone = self.store.time_zone()?;
        let today = now.date_in(zone);
        Ok(self.store.read().overview(&scope, today)?)
    }

    /// A page of the register, of what the session's roles may see.
    pub fn asset_page(&self, session: &Session, query: &AssetQuery) -> Result<AssetPage> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        Ok(self.store.read().asset_page(&scope, query)?)
    }

    /// An asset the session may see, with the part of its history the session may see; one it
    /// may not see is answered as unknown, so its existence is not told either.
    pub fn asset(&self, session: &Session, tag: &str) -> Result<AssetDetail> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        let read = self.store.read();
        let asset = read
            .asset(&scope, tag.trim())?
            .ok_or_else(|| unknown_tag(tag))?;
        let history = read.loans_of_asset(&scope, asset.id)?;
        let statuses = read.status_periods_of_asset(asset.id)?;
        Ok(AssetDetail {
            asset,
            history,
            statuses,
        })
    }

    pub fn loans(
        &self,
        session: &Session,
        open_only: bool,
        holder: Option<&crate::PersonRef>,
    ) -> Result<Vec<LoanRow>> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        let holder = self.visible_person(&scope, holder)?;
        Ok(self.store.read().loans(&scope, open_only, holder)?)
    }

    /// The person a name or id names: one, or a refusal (unknown, or several share the name).
    pub fn person_id(&self, session: &Session, person: &crate::PersonRef) -> Result<PersonId> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        Ok(self
            .visible_person(&scope, Some(person))?
            .expect("a person was named"))
    }

    /// Who held what at `at`, for everyone or one custodian.
    pub fn custody_as_of(
        &self,
        session: &Session,
        at: Instant,
        holder: Option<&crate::PersonRef>,
    ) -> Result<Vec<LoanRow>> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        let holder = self.visible_person(&scope, holder)?;
        Ok(self.store.read().custody_as_of(&scope, at, holder)?)
    }

    /// Resolves a person named in a read; one outside the scope is answered as unknown.
    fn visible_person(
        &self,
        scope: &ReadScope,
        person: Option<&crate::PersonRef>,
    ) -> Result<Option<PersonId>> {
        let Some(person) = person else {
            return Ok(None);
        };
        let read = self.store.read();
        let unknown = || Refusal::NotFound {
            what: "person",
            key: match person {
                crate::PersonRef::Name(name) => name.clone(),
                crate::PersonRef::Id(id) => format!("#{id}"),
            },
        };
        // Resolved among everyone first, so two people of one name are still told apart;
        // then a person outside the scope is not there at all.
        let found = resolve_person(&read, person).map_err(|failure| match failure {
            crate::Failure::Refused(Refusal::AmbiguousPerson { .. })
                if *scope != ReadScope::Everything =>
            {
                unknown().into()
            }
            other => other,
        })?;
        if !read.person_visible(scope, found.id)? {
            return Err(unknown().into());
        }
        Ok(Some(found.id))
    }

    /// Parses an instant typed by a person, in the store's time zone.
    pub fn parse_instant(&self, text: &str) -> Result<Instant> {
        let zone = self.store.time_zone()?;
        Instant::parse_user(text, zone).map_err(|expected| {
            Refusal::InvalidValue {
                field: "as_of",
                value: text.to_string(),
                expected,
            }
            .into()
        })
    }
}

fn check_roles_for(w: &Writer<'_>, session: &Session, use_case: UseCase) -> Result<()> {
    crate::check_roles(w.read().account_standing(session.account_id)?, use_case)
}
