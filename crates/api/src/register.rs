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

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewAccount {
    pub login: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub person: Option<PersonRef>,
}

pub(crate) fn person_event(read: &Reader<'_>, id: PersonId, person: &NewPerson) -> Result<Event> {
    Ok(Event::PersonAdded {
        person: person_record(read, id, person, true)?,
    })
}

/// A person's record from a form, checked field by field.
fn person_record(
    read: &Reader<'_>,
    id: PersonId,
    person: &NewPerson,
    active: bool,
) -> Result<Person> {
    let organisation = resolve_organisation(read, person.organisation.as_deref())?;
    Ok(Person {
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
        active,
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
    Ok(Event::AssetRegistered {
        asset: asset_record(read, id, tag, asset, registered_at)?,
    })
}

/// An asset's record from a form, checked field by field (the tag checked already).
fn asset_record(
    read: &Reader<'_>,
    id: AssetId,
    tag: String,
    asset: &NewAsset,
    registered_at: Instant,
) -> Result<Asset> {
    let owner = resolve_organisation(read, asset.owner.as_deref())?;
    Ok(Asset {
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
    })
}

/// The fields of two records that differ, by the names forms and the CLI use.
fn changed_fields(pairs: &[(&str, bool)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(_, same)| !same)
        .map(|(field, _)| field.to_string())
        .collect()
}

/// An asset's record as edited: named by its tag now, with every field as it should be.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditAsset {
    pub tag: String,
    pub asset: NewAsset,
}

/// A person's record as edited, their being active included.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditPerson {
    pub person: PersonRef,
    pub edit: NewPerson,
    pub active: bool,
}

/// An organisation renamed or its kind changed. Our own organisation stays our own.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditOrganisation {
    pub name: String,
    pub new_name: String,
    pub kind: OrganisationKind,
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

    /// Changes an asset's record; answers the fields that changed (none: nothing written).
    pub fn edit_asset(
        &mut self,
        session: &crate::Session,
        edit: EditAsset,
        now: Instant,
    ) -> Result<Vec<String>> {
        self.write(session, UseCase::ManageAssets, |w| {
            let tag = edit.tag.trim();
            let before = w
                .read()
                .asset_record(tag)?
                .ok_or_else(|| Refusal::NotFound {
                    what: "asset",
                    key: tag.to_string(),
                })?;
            let new_tag = rules::tag(&edit.asset.tag)?;
            if new_tag != before.tag && w.read().asset_state(&new_tag)?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "tag",
                    value: new_tag,
                }
                .into());
            }
            let after = asset_record(
                &w.read(),
                before.id,
                new_tag,
                &edit.asset,
                before.registered_at,
            )?;
            let changed = changed_fields(&[
                ("tag", after.tag == before.tag),
                ("kind", after.kind == before.kind),
                ("name", after.name == before.name),
                ("model", after.model == before.model),
                ("serial", after.serial == before.serial),
                (
                    "owner",
                    after.owner_organisation_id == before.owner_organisation_id,
                ),
                (
                    "classification",
                    after.classification == before.classification,
                ),
                ("encrypted", after.encrypted == before.encrypted),
                ("note", after.note == before.note),
            ]);
            if !changed.is_empty() {
                let event = Event::AssetEdited {
                    asset: after,
                    changed: changed.clone(),
                };
                w.apply(&event, Some(session.account_id), now)?;
            }
            Ok(changed)
        })
    }

    /// Changes a person's record, or deactivates them (only once they hold nothing) or makes
    /// them active again; answers the fields that changed.
    pub fn edit_person(
        &mut self,
        session: &crate::Session,
        edit: EditPerson,
        now: Instant,
    ) -> Result<Vec<String>> {
        self.write(session, UseCase::ManagePeople, |w| {
            let before = resolve_person(&w.read(), &edit.person)?;
            let after = person_record(&w.read(), before.id, &edit.edit, edit.active)?;
            if before.active && !after.active {
                let held = w.read().items_held(before.id)?;
                if held > 0 {
                    return Err(Refusal::PersonHoldsItems {
                        name: before.name,
                        count: held,
                    }
                    .into());
                }
            }
            let changed = changed_fields(&[
                ("name", after.name == before.name),
                ("kana", after.kana == before.kana),
                (
                    "organisation",
                    after.organisation_id == before.organisation_id,
                ),
                ("email", after.email == before.email),
                (
                    "employee_number",
                    after.employee_number == before.employee_number,
                ),
                ("active", after.active == before.active),
            ]);
            if !changed.is_empty() {
                let event = Event::PersonEdited {
                    person: after,
                    changed: changed.clone(),
                };
                w.apply(&event, Some(session.account_id), now)?;
            }
            Ok(changed)
        })
    }

    pub fn edit_organisation(
        &mut self,
        session: &crate::Session,
        edit: EditOrganisation,
        now: Instant,
    ) -> Result<Vec<String>> {
        self.write(session, UseCase::ManageOrganisations, |w| {
            let name = edit.name.trim();
            let before = w
                .read()
                .organisation_by_name(name)?
                .ok_or_else(|| Refusal::NotFound {
                    what: "organisation",
                    key: name.to_string(),
                })?;
            let new_name = rules::required_text("new_name", &edit.new_name, 200)?;
            if new_name != before.name && w.read().organisation_by_name(&new_name)?.is_some() {
                return Err(Refusal::Duplicate {
                    field: "new_name",
                    value: new_name,
                }
                .into());
            }
            // There is one own organisation, made by init: it stays, and no other becomes it.
            if (before.kind == OrganisationKind::Own) != (edit.kind == OrganisationKind::Own) {
                return Err(Refusal::InvalidValue {
                    field: "kind",
                    value: edit.kind.as_str().to_string(),
                    expected: "customer or partner; our own organisation stays own".into(),
                }
                .into());
            }
            let after = Organisation {
                id: before.id,
                name: new_name,
                kind: edit.kind,
            };
            let changed = changed_fields(&[
                ("name", after.name == before.name),
                ("kind", after.kind == before.kind),
            ]);
            if !changed.is_empty() {
                let event = Event::OrganisationEdited {
                    organisation: after,
                    changed: changed.clone(),
                };
                w.apply(&event, Some(session.account_id), now)?;
            }
            Ok(changed)
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
