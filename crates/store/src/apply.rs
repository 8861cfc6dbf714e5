//! Events applied to the state tables. Used by the write path and by replay, so the two can
//! never drift: whatever `verify` rebuilds is what a live write produced.

use crate::db::{Db, DbResult, params};
use azukari_domain::import::fold;
use azukari_domain::{AccountId, AssetId, AssetStatus, Event, Instant, Role};

pub(crate) fn apply_event(db: &Db, event: &Event) -> DbResult<()> {
    match event {
        Event::StoreInitialised { time_zone } => {
            db.execute(
                "INSERT INTO settings (key, value) VALUES ('time_zone', ?1)",
                params![time_zone],
            )?;
        }
        Event::OrganisationAdded { organisation: o } => {
            db.execute(
                "INSERT INTO organisations (id, name, kind) VALUES (?1, ?2, ?3)",
                params![o.id.0, o.name, o.kind.as_str()],
            )?;
        }
        Event::SiteAdded { site } => {
            db.execute(
                "INSERT INTO sites (id, organisation_id, name, address) VALUES (?1, ?2, ?3, ?4)",
                params![site.id.0, site.organisation_id.0, site.name, site.address],
            )?;
        }
        Event::SiteResponsibleAssigned { site_id, person_id } => {
            db.execute(
                "INSERT INTO site_responsibles (site_id, person_id) VALUES (?1, ?2)",
                params![site_id.0, person_id.0],
            )?;
        }
        Event::PersonAdded { person: p } => {
            db.execute("INSERT INTO people (id, name, kana, organisation_id, email, employee_number, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", params![p.id.0, p.name, p.kana, p.organisation_id.0, p.email, p.employee_number, p.active])?;
        }
        // A hash inside an old entry (journal form 1) is not applied: secrets live in
        // `credentials`, which the write path fills beside the entry and replay never rebuilds.
        // Such a password must be changed: its hash is in every copy of the journal for good,
        // open to guessing offline (V2 set the flag on the accounts it migrated).
        Event::AccountAdded { account: a } => {
            db.execute(
                "INSERT INTO accounts (id, login, person_id, roles, active, failed_logins,
                 must_change_password)
                 VALUES (?1, ?2, ?3, ?4, 1, 0, ?5)",
                params![
                    a.id.0,
                    a.login,
                    a.person_id.map(|p| p.0),
                    roles_text(&a.roles),
                    a.password_hash.is_some()
                ],
            )?;
        }
        Event::AccountDisabled { account_id } => {
            db.execute(
                "UPDATE accounts SET active = 0 WHERE id = ?1",
                params![account_id.0],
            )?;
        }
        Event::AccountEnabled { account_id } => {
            db.execute(
                "UPDATE accounts SET active = 1 WHERE id = ?1",
                params![account_id.0],
            )?;
        }
        Event::PasswordSet {
            account_id,
            must_change,
            digest: _,
        } => {
            db.execute(
                "UPDATE accounts SET must_change_password = ?2 WHERE id = ?1",
                params![account_id.0, must_change],
            )?;
        }
        Event::AccountUnlocked { account_id } => {
            db.execute(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL, locks_in_a_row = 0
                 WHERE id = ?1",
                params![account_id.0],
            )?;
        }
        Event::LoginFailed {
            account_id,
            at: _,
            locked_until,
        } => {
            // The lock ends the count: after it expires the next five failures lock again, for
            // twice as long.
            db.execute(
                // CAST: PostgreSQL must know a mark's type, and `?2 IS NULL` alone says none.
                "UPDATE accounts SET
                 failed_logins = CASE WHEN CAST(?2 AS TEXT) IS NULL THEN failed_logins + 1 ELSE 0 END,
                 locks_in_a_row = locks_in_a_row + CASE WHEN CAST(?2 AS TEXT) IS NULL THEN 0 ELSE 1 END,
                 locked_until = COALESCE(CAST(?2 AS TEXT), locked_until) WHERE id = ?1",
                params![account_id.0, locked_until.map(|t| t.to_rfc3339())],
            )?;
        }
        Event::LoginSucceeded { account_id, at: _ } => {
            db.execute(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL, locks_in_a_row = 0
                 WHERE id = ?1",
                params![account_id.0],
            )?;
        }
        Event::AssetRegistered { asset: a } => {
            db.execute(
                "INSERT INTO assets (id, tag, kind, name, model, serial, owner_organisation_id,
                 classification, encrypted, status, note, registered_at, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'available', ?10, ?11, '')",
                params![
                    a.id.0,
                    a.tag,
                    a.kind.as_str(),
                    a.name,
                    a.model,
                    a.serial,
                    a.owner_organisation_id.0,
                    a.classification.as_str(),
                    a.encrypted,
                    a.note,
                    a.registered_at.to_rfc3339()
                ],
            )?;
            refresh_derived(db, a.id)?;
        }
        Event::LoanIssued { loan: l } => {
            db.execute("INSERT INTO loans (id, asset_id, custodian_id, issued_at, issued_by, due_on, place, site_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", params![
                l.id.0,
                l.asset_id.0,
                l.custodian_id.0,
                l.issued_at.to_rfc3339(),
                l.issued_by.map(|a| a.0),
                l.due_on.map(|d| d.to_string()),
                l.place,
                l.site_id.map(|s| s.0)
            ])?;
            db.execute(
                "UPDATE assets SET status = 'on_loan' WHERE id = ?1",
                params![l.asset_id.0],
            )?;
            refresh_derived(db, l.asset_id)?;
        }
        Event::LoanAcknowledged { loan_id, at } => {
            db.execute(
                "UPDATE loans SET acknowledged_at = ?2 WHERE id = ?1",
                params![loan_id.0, at.to_rfc3339()],
            )?;
        }
        Event::LoanReturned {
            loan_id,
            asset_id,
            returned_at,
            returned_to,
            condition,
            note,
            asset_status,
        } => {
            db.execute("UPDATE loans SET returned_at = ?2, returned_to = ?3, return_condition = ?4, return_note = ?5
                 WHERE id = ?1", params![
                loan_id.0,
                returned_at.to_rfc3339(),
                returned_to.map(|a| a.0),
                condition.as_str(),
                note
            ])?;
            db.execute(
                "UPDATE assets SET status = ?2 WHERE id = ?1",
                params![asset_id.0, asset_status.as_str()],
            )?;
            // Came back damaged: the repair is a period from the return on.
            begin_status_period(
                db,
                *asset_id,
                *asset_status,
                *returned_at,
                *returned_to,
                note,
            )?;
            refresh_derived(db, *asset_id)?;
        }
        Event::AssetEdited { asset: a, .. } => {
            db.execute(
                "UPDATE assets SET tag = ?2, kind = ?3, name = ?4, model = ?5, serial = ?6,
                 owner_organisation_id = ?7, classification = ?8, encrypted = ?9, note = ?10
                 WHERE id = ?1",
                params![
                    a.id.0,
                    a.tag,
                    a.kind.as_str(),
                    a.name,
                    a.model,
                    a.serial,
                    a.owner_organisation_id.0,
                    a.classification.as_str(),
                    a.encrypted,
                    a.note
                ],
            )?;
            refresh_derived(db, a.id)?;
        }
        Event::PersonEdited { person: p, .. } => {
            db.execute(
                "UPDATE people SET name = ?2, kana = ?3, organisation_id = ?4, email = ?5,
                 employee_number = ?6, active = ?7 WHERE id = ?1",
                params![
                    p.id.0,
                    p.name,
                    p.kana,
                    p.organisation_id.0,
                    p.email,
                    p.employee_number,
                    p.active
                ],
            )?;
            // What they hold is found and sorted by their name.
            let held: Vec<i64> = db.query_map(
                "SELECT asset_id FROM loans WHERE custodian_id = ?1 AND returned_at IS NULL",
                params![p.id.0],
                |row| row.get(0),
            )?;
            for asset in held {
                refresh_derived(db, AssetId(asset))?;
            }
        }
        Event::OrganisationEdited {
            organisation: o, ..
        } => {
            db.execute(
                "UPDATE organisations SET name = ?2, kind = ?3 WHERE id = ?1",
                params![o.id.0, o.name, o.kind.as_str()],
            )?;
        }
        Event::AssetStatusChanged {
            asset_id,
            status,
            at,
            by,
            note,
        } => {
            db.execute(
                "UPDATE asset_status_periods SET ended_at = ?2, ended_by = ?3
                 WHERE asset_id = ?1 AND ended_at IS NULL",
                params![asset_id.0, at.to_rfc3339(), by.map(|a| a.0)],
            )?;
            begin_status_period(db, *asset_id, *status, *at, *by, note)?;
            db.execute(
                "UPDATE assets SET status = ?2 WHERE id = ?1",
                params![asset_id.0, status.as_str()],
            )?;
        }
    }
    Ok(())
}

/// Lost, in repair and retired are kept as periods; the other statuses follow from the loans.
fn begin_status_period(
    db: &Db,
    asset: AssetId,
    status: AssetStatus,
    at: Instant,
    by: Option<AccountId>,
    note: &Option<String>,
) -> DbResult<()> {
    if !matches!(
        status,
        AssetStatus::Lost | AssetStatus::InRepair | AssetStatus::Retired
    ) {
        return Ok(());
    }
    db.execute(
        // VALUES, not INSERT … SELECT: PostgreSQL takes each mark's type from its column.
        "INSERT INTO asset_status_periods (asset_id, period, status, began_at, began_by, note)
         VALUES (?1, (SELECT COALESCE(MAX(period), 0) + 1 FROM asset_status_periods
                      WHERE asset_id = ?1), ?2, ?3, ?4, ?5)",
        params![
            asset.0,
            status.as_str(),
            at.to_rfc3339(),
            by.map(|a| a.0),
            note
        ],
    )?;
    Ok(())
}

pub(crate) fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The register reads derived columns of each asset: one folded search text (tag, name, model,
/// serial and current custodian, folded as imports fold: full-width to half-width, lower case),
/// and the current custodian's name and due date for sorting.
fn refresh_derived(db: &Db, asset: AssetId) -> DbResult<()> {
    // tag, name, model, serial, custodian, due: what people search and sort by.
    let parts: Option<[Option<String>; 6]> = db.query_opt(
        "SELECT a.tag, a.name, a.model, a.serial, p.name, l.due_on FROM assets a
         LEFT JOIN loans l ON l.asset_id = a.id AND l.returned_at IS NULL
         LEFT JOIN people p ON p.id = l.custodian_id WHERE a.id = ?1",
        params![asset.0],
        |row| {
            Ok([
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ])
        },
    )?;
    let Some([tag, name, model, serial, holder, due]) = parts else {
        return Ok(());
    };
    let text = [&tag, &name, &model, &serial, &holder]
        .into_iter()
        .flatten()
        .map(|part| fold(part))
        .collect::<Vec<_>>()
        .join("\u{1f}");
    db.execute(
        "UPDATE assets SET search_text = ?2, holder_name = ?3, holder_due_on = ?4 WHERE id = ?1",
        params![asset.0, text, holder, due],
    )?;
    Ok(())
}
