//! The register: organisations, sites and their responsibles, people, assets.

use crate::{Desk, Result};
use azukari_domain::rules::{self, MAX_TEXT_CHARS, Refusal};
use azukari_domain::view::{PersonRow, SiteRow};
use azukari_domain::*;
use azukari_store::{IdTable, Reader};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A person named on the command line or in a form: by name, or by id where names repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PersonRef {
    Name(String),
    Id(PersonId),
}

pub(crate) fn resolve_person(read: &Reader<'_>, person: &PersonRef) -> Result<PersonRow> {
    match person {
        PersonRef::Id(id) => Ok(read.person(*id)?.ok_or_else(|| Refusal::NotFound {
            what: "person",
            key: format!("#{id}"),
        })?),
        PersonRef::Name(name) => {
            let mut found = read.people_named(name.trim())?;
            match found.len() {
                0 => Err(Refusal::NotFound {
                    what: "person",
                    key: name.clone(),
                }
                .into()),
                1 => Ok(found.remove(0)),
                count => Err(Refusal::AmbiguousPerson {
                    name: name.clone(),
                    count,
                }
                .into()),
            }
        }
    }
}

/// Words offices write for our own company in an owner or organisation column: "当社" (our
/// company), "自社" (our own company), "弊社" (our humble company), and English ones. The own
/// organisation's registered name means it too, as every name does.
pub const OWN_ORGANISATION_WORDS: &[&str] = &["当社", "自社", "弊社", "own", "our company"];

pub(crate) fn means_own_organisation(name: &str) -> bool {
    let folded = azukari_domain::import::fold(name);
    OWN_ORGANISATION_WORDS.iter().any(|word| *word == folded)
}

pub(crate) fn resolve_organisation(read: &Reader<'_>, name: Option<&str>) -> Result<Organisation> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(read.own_organisation()?),
        Some(name) if means_own_organisation(name) => Ok(read.own_organisation()?),
        Some(name) => Ok(read
            .organisation_by_name(name)?
            .ok_or_else(|| Refusal::NotFound {
                what: "organisation",
                key: name.to_string(),
            })?),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPerson {
    pub name: String,
    pub kana: Option<String>,
    /// An organisation's name; empty means our own company.
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub employee_number: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewAsset {
    pub tag: String,
    pub kind: Option<AssetKind>,
    pub name: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// Who lent it: an organisation's name; empty means our own company.
    pub owner: Option<String>,
    pub classification: Option<Classification>,
    pub encrypted: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewSite {
    pub organisation: String,
    pub name: String,
    pub address: Option<String>,
    pub responsibles: Vec<PersonRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAccount {
    pub login: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub person: Option<PersonRef>,
}

pub(crate) fn person_event(read: &Reader<'_>, id: PersonId, person: &NewPerson) -> Result<Event> {
    let organisation = resolve_organisation(read, person.organisation.as_deref())?;
    Ok(Event::PersonAdded {
        person: Person {
            id,
            name: rules::required_text("name", &person.name, 200)?,
            kana: rules::optional_text("kana", person.kana.as_deref(), 200)?,
            organisation_id: organisation.id,
            email: rules::optional_text("email", person.email.as_deref(), 254)?,
            employee_number: rules::optional_text(
                "employee_number",
                person.employee_number.as_deref(),
                64,
            )?,
            active: true,
        },
    })
}

pub(crate) fn asset_event(
    read: &Reader<'_>,
    id: AssetId,
    asset: &NewAsset,
    registered_at: Instant,
) -> Result<Event> {
    let tag = rules::tag(&asset.tag)?;
    if read.asset_state(&tag)?.is_some() {
        return Err(Refusal::Duplicate {
            field: "tag",
            value: tag,
        }
        .into());
    }
    let owner = resolve_organisation(read, asset.owner.as_deref())?;
    Ok(Event::AssetRegistered {
        asset: Asset {
            id,
            tag,
            kind: asset.kind.ok_or(Refusal::Required { field: "kind" })?,
            name: rules::required_text("name", &asset.name, MAX_TEXT_CHARS)?,
            model: rules::optional_text("model", asset.model.as_deref(), MAX_TEXT_CHARS)?,
            serial: rules::optional_text("serial", asset.serial.as_deref(), MAX_TEXT_CHARS)?,
            owner_organisation_id: owner.id,
            classification: asset.classification.unwrap_or(Classification::Internal),
            encrypted: asset.encrypted,
            note: rules::optional_text("note", asset.note.as_deref(), MAX_TEXT_CHARS)?,
            registered_at,
        },
    })
}

impl Desk {
    pub fn add_organisation(
        &mut self,
        session: &crate::Session,
        name: &str,
        kind: OrganisationKind,
        now: Instant,
    ) -> Result<OrganisationId> {
        let name = rules::required_text("name", name, 200)?;
        self.write(session, UseCase::ManageOrganisations, |w| {
            if w.read().organisation_by_name(&name)?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "organisation",
                    value: name.clone(),
                }
                .into());
            }
            let id = OrganisationId(w.next_id(IdTable::Organisations)?);
            w.apply(
                &Event::OrganisationAdded {
                    organisation: Organisation { id, name, kind },
                },
                Some(session.account_id),
                now,
            )?;
            Ok(id)
        })
    }

    pub fn organisations(&self, session: &crate::Session) -> Result<Vec<Organisation>> {
        self.authorise_read(session, UseCase::ReadRegister)?;
        Ok(self.store.read().organisations()?)
    }

    pub fn add_site(
        &mut self,
        session: &crate::Session,
        site: NewSite,
        now: Instant,
    ) -> Result<SiteId> {
        let name = rules::required_text("name", &site.name, 200)?;
        let address = rules::optional_text("address", site.address.as_deref(), MAX_TEXT_CHARS)?;
        self.write(session, UseCase::ManageSites, |w| {
            let organisation = w
                .read()
                .organisation_by_name(site.organisation.trim())?
                .ok_or_else(|| Refusal::NotFound {
                    what: "organisation",
                    key: site.organisation.clone(),
                })?;
            if w.read().site_id(organisation.id, &name)?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "site",
                    value: name.clone(),
                }
                .into());
            }
            let responsibles = site
                .responsibles
                .iter()
                .map(|person| resolve_person(&w.read(), person).map(|p| p.id))
                .collect::<Result<Vec<_>>>()?;
            let id = SiteId(w.next_id(IdTable::Sites)?);
            let actor = Some(session.account_id);
            w.apply(
                &Event::SiteAdded {
                    site: Site {
                        id,
                        organisation_id: organisation.id,
                        name,
                        address,
                    },
                },
                actor,
                now,
            )?;
            for person_id in responsibles {
                w.apply(
                    &Event::SiteResponsibleAssigned {
                        site_id: id,
                        person_id,
                    },
                    actor,
                    now,
                )?;
            }
            Ok(id)
        })
    }

    pub fn sites(&self, session: &crate::Session) -> Result<Vec<SiteRow>> {
        self.authorise_read(session, UseCase::ReadRegister)?;
        Ok(self.store.read().sites()?)
    }

    pub fn add_person(
        &mut self,
        session: &crate::Session,
        person: NewPerson,
        now: Instant,
    ) -> Result<PersonId> {
        self.write(session, UseCase::ManagePeople, |w| {
            let id = PersonId(w.next_id(IdTable::People)?);
            let event = person_event(&w.read(), id, &person)?;
            w.apply(&event, Some(session.account_id), now)?;
            Ok(id)
        })
    }

    pub fn people(&self, session: &crate::Session) -> Result<Vec<PersonRow>> {
        let scope = self.read_scope(session, UseCase::ReadRegister)?;
        Ok(self.store.read().people(&scope)?)
    }

    pub fn add_asset(
        &mut self,
        session: &crate::Session,
        asset: NewAsset,
        now: Instant,
    ) -> Result<AssetId> {
        self.write(session, UseCase::ManageAssets, |w| {
            let id = AssetId(w.next_id(IdTable::Assets)?);
            let event = asset_event(&w.read(), id, &asset, now)?;
            w.apply(&event, Some(session.account_id), now)?;
            Ok(id)
        })
    }
}
