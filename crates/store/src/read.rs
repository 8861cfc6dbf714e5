//! Reads of the state tables, shared by plain reads and by the open write transaction.

use crate::db::{self, Db, DbError, DbResult, Dialect, Row, Value, params};
use crate::{Result, StoreError};
use azukari_domain::import::fold;
use azukari_domain::view::*;
use azukari_domain::*;
use chrono_tz::Tz;

pub struct Reader<'a> {
    db: &'a Db,
}

pub(crate) fn instant(text: Option<String>) -> DbResult<Option<Instant>> {
    text.map(|text| {
        text.parse::<Instant>().map_err(|err| DbError::Conversion {
            column: 0,
            message: format!("{text}: {err}"),
        })
    })
    .transpose()
}

fn word<T: std::str::FromStr<Err = String>>(text: String) -> DbResult<T> {
    text.parse()
        .map_err(|message: String| DbError::Conversion { column: 0, message })
}

fn roles(text: String) -> DbResult<Vec<Role>> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| word(r.to_string()))
        .collect()
}

const ASSET_COLUMNS: &str =
    "a.id, a.tag, a.kind, a.name, a.model, a.serial, o.name, a.classification,
    a.encrypted, a.status, a.note,
    l.id, l.custodian_id, p.name, po.name, l.issued_at, l.due_on, l.place, l.acknowledged_at,
    ls.name";

const ASSET_FROM: &str = "FROM assets a
    JOIN organisations o ON o.id = a.owner_organisation_id
    LEFT JOIN loans l ON l.asset_id = a.id AND l.returned_at IS NULL
    LEFT JOIN people p ON p.id = l.custodian_id
    LEFT JOIN organisations po ON po.id = p.organisation_id
    LEFT JOIN sites ls ON ls.id = l.site_id";

fn asset_row(row: &Row<'_>) -> DbResult<AssetRow> {
    let id = AssetId(row.get(0)?);
    let tag: String = row.get(1)?;
    let loan = match row.get::<Option<i64>>(11)? {
        None => None,
        Some(loan_id) => Some(LoanRow {
            id: LoanId(loan_id),
            asset_id: id,
            tag: tag.clone(),
            custodian_id: PersonId(row.get(12)?),
            custodian: row.get(13)?,
            custodian_organisation: row.get(14)?,
            issued_at: instant(row.get(15)?)?.expect("issued_at is NOT NULL"),
            due_on: row.get(16)?,
            place: row.get(17)?,
            site: row.get(19)?,
            acknowledged_at: instant(row.get(18)?)?,
            returned_at: None,
            return_condition: None,
            return_note: None,
        }),
    };
    Ok(AssetRow {
        id,
        tag,
        kind: word(row.get(2)?)?,
        name: row.get(3)?,
        model: row.get(4)?,
        serial: row.get(5)?,
        owner: row.get(6)?,
        classification: word(row.get(7)?)?,
        encrypted: row.get(8)?,
        status: word(row.get(9)?)?,
        note: row.get(10)?,
        loan,
    })
}

const LOAN_SELECT: &str =
    "SELECT l.id, l.asset_id, a.tag, l.custodian_id, p.name, po.name, l.issued_at,
    l.due_on, l.place, l.acknowledged_at, l.returned_at, l.return_condition, l.return_note, s.name
    FROM loans l JOIN assets a ON a.id = l.asset_id JOIN people p ON p.id = l.custodian_id
    JOIN organisations po ON po.id = p.organisation_id LEFT JOIN sites s ON s.id = l.site_id";

fn loan_row(row: &Row<'_>) -> DbResult<LoanRow> {
    Ok(LoanRow {
        id: LoanId(row.get(0)?),
        asset_id: AssetId(row.get(1)?),
        tag: row.get(2)?,
        custodian_id: PersonId(row.get(3)?),
        custodian: row.get(4)?,
        custodian_organisation: row.get(5)?,
        issued_at: instant(row.get(6)?)?.expect("issued_at is NOT NULL"),
        due_on: row.get(7)?,
        place: row.get(8)?,
        site: row.get(13)?,
        acknowledged_at: instant(row.get(9)?)?,
        returned_at: instant(row.get(10)?)?,
        return_condition: row.get::<Option<String>>(11)?.map(word).transpose()?,
        return_note: row.get(12)?,
    })
}

fn organisation_row(row: &Row<'_>) -> DbResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(row.get(0)?),
        name: row.get(1)?,
        kind: word(row.get(2)?)?,
    })
}

fn person_row(row: &Row<'_>) -> DbResult<PersonRow> {
    Ok(PersonRow {
        id: PersonId(row.get(0)?),
        name: row.get(1)?,
        kana: row.get(2)?,
        organisation_id: OrganisationId(row.get(3)?),
        organisation: row.get(4)?,
        email: row.get(5)?,
        employee_number: row.get(6)?,
        active: row.get(7)?,
    })
}

/// The loans a scope may see, as SQL on the loans alias `l`, its values appended to `values`;
/// `None` when the scope sees every loan.
fn visible_loans(scope: &ReadScope, l: &str, values: &mut Vec<Value>) -> Option<String> {
    let ReadScope::Limited { person, sites } = scope else {
        return None;
    };
    let mut either = Vec::new();
    if let Some(person) = person {
        values.push(Value::Integer(person.0));
        either.push(format!("{l}.custodian_id = ?{}", values.len()));
    }
    if !sites.is_empty() {
        let marks: Vec<String> = sites
            .iter()
            .map(|site| {
                values.push(Value::Integer(site.0));
                format!("?{}", values.len())
            })
            .collect();
        // What is on loan for the sites now; their past custodians are no site's business.
        either.push(format!(
            "({l}.site_id IN ({}) AND {l}.returned_at IS NULL)",
            marks.join(", ")
        ));
    }
    Some(if either.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", either.join(" OR "))
    })
}

/// The assets a scope may see: those on loan now to what it sees.
fn visible_assets(scope: &ReadScope, a: &str, values: &mut Vec<Value>) -> Option<String> {
    let loans = visible_loans(scope, "vl", values)?;
    Some(format!(
        "{a}.id IN (SELECT vl.asset_id FROM loans vl WHERE vl.returned_at IS NULL AND {loans})"
    ))
}

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.kana, p.organisation_id, o.name, p.email,
    p.employee_number, p.active FROM people p JOIN organisations o ON o.id = p.organisation_id";

/// The people a scope may see, as SQL on the people alias `p`.
fn visible_people(scope: &ReadScope, values: &mut Vec<Value>) -> Option<String> {
    let ReadScope::Limited { person, sites } = scope else {
        return None;
    };
    let mut either = Vec::new();
    if let Some(person) = person {
        values.push(Value::Integer(person.0));
        either.push(format!("p.id = ?{}", values.len()));
    }
    if !sites.is_empty() {
        let sites_only = ReadScope::Limited {
            person: None,
            sites: sites.clone(),
        };
        let loans = visible_loans(&sites_only, "vp", values).expect("a limited scope");
        either.push(format!(
            "p.id IN (SELECT vp.custodian_id FROM loans vp WHERE vp.returned_at IS NULL AND {loans})"
        ));
    }
    Some(if either.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", either.join(" OR "))
    })
}

impl<'a> Reader<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        Reader { db }
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.db.query_opt(
            "SELECT value FROM settings WHERE key = ?1",
            params![key],
            |row| row.get(0),
        )?)
    }

    pub fn time_zone(&self) -> Result<Tz> {
        let zone = self
            .setting("time_zone")?
            .ok_or(StoreError::NotInitialised)?;
        zone.parse()
            .map_err(|_| StoreError::Integrity(format!("unknown time zone {zone}")))
    }

    /// The journal's length and head hash: printed on ledgers, checked by verify.
    pub fn journal_head(&self) -> Result<(i64, String)> {
        Ok(self
            .db
            .query_opt(
                "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
                params![],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?
            .unwrap_or((0, azukari_domain::journal::GENESIS.to_string())))
    }

    /// The hash of entry `seq`, if the journal has it: what a client of the office server
    /// checks its last seen head against.
    pub fn journal_hash_at(&self, seq: i64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(azukari_domain::journal::GENESIS.to_string()));
        }
        Ok(self.db.query_opt(
            "SELECT hash FROM journal WHERE seq = ?1",
            params![seq],
            |row| row.get(0),
        )?)
    }

    /// The event of entry `seq` as the journal keeps it (canonical JSON).
    pub fn journal_event(&self, seq: i64) -> Result<Option<String>> {
        Ok(self.db.query_opt(
            "SELECT event FROM journal WHERE seq = ?1",
            params![seq],
            |row| row.get(0),
        )?)
    }

    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        Ok(self.db.query_map(
            "SELECT id, name, kind FROM organisations ORDER BY id",
            params![],
            organisation_row,
        )?)
    }

    pub fn organisation_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        Ok(self.db.query_opt(
            "SELECT id, name, kind FROM organisations WHERE name = ?1",
            params![name],
            organisation_row,
        )?)
    }

    /// Our own company: the first organisation of kind `own`, made by `init`.
    pub fn own_organisation(&self) -> Result<Organisation> {
        self.db
            .query_opt(
                "SELECT id, name, kind FROM organisations WHERE kind = 'own' ORDER BY id LIMIT 1",
                params![],
                organisation_row,
            )?
            .ok_or(StoreError::NotInitialised)
    }

    pub fn sites(&self) -> Result<Vec<SiteRow>> {
        let list = match self.db.dialect() {
            Dialect::Sqlite => "group_concat",
            Dialect::Postgres => "string_agg",
        };
        let sql = format!(
            "SELECT s.id, o.name, s.name, s.address,
             (SELECT {list}(p.name, '、' ORDER BY p.id) FROM site_responsibles r
              JOIN people p ON p.id = r.person_id WHERE r.site_id = s.id)
             FROM sites s JOIN organisations o ON o.id = s.organisation_id ORDER BY o.name, s.name"
        );
        Ok(self.db.query_map(&sql, params![], |row| {
            let responsibles: Option<String> = row.get(4)?;
            Ok(SiteRow {
                id: SiteId(row.get(0)?),
                organisation: row.get(1)?,
                name: row.get(2)?,
                address: row.get(3)?,
                responsibles: responsibles
                    .map(|r| r.split('、').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?)
    }

    pub fn site_id(&self, organisation: OrganisationId, name: &str) -> Result<Option<SiteId>> {
        Ok(self.db.query_opt(
            "SELECT id FROM sites WHERE organisation_id = ?1 AND name = ?2",
            params![organisation.0, name],
            |row| Ok(SiteId(row.get(0)?)),
        )?)
    }

    pub fn sites_named(&self, name: &str) -> Result<Vec<SiteId>> {
        Ok(self.db.query_map(
            "SELECT id FROM sites WHERE name = ?1 ORDER BY id",
            params![name],
            |row| Ok(SiteId(row.get(0)?)),
        )?)
    }

    /// The people a scope may see: everyone, or the reader and whoever holds an item on loan
    /// for the reader's sites.
    pub fn people(&self, scope: &ReadScope) -> Result<Vec<PersonRow>> {
        let mut values = Vec::new();
        let filter = self::visible_people(scope, &mut values)
            .map(|condition| format!("WHERE {condition}"))
            .unwrap_or_default();
        // People without a reading first, as SQLite sorts NULL.
        let nulls_first = match self.db.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " NULLS FIRST",
        };
        Ok(self.db.query_map(
            &format!("{PERSON_SELECT} {filter} ORDER BY p.kana{nulls_first}, p.name, p.id"),
            &db::values(&values),
            person_row,
        )?)
    }

    pub fn person_visible(&self, scope: &ReadScope, id: PersonId) -> Result<bool> {
        let mut values = vec![Value::Integer(id.0)];
        let Some(condition) = self::visible_people(scope, &mut values) else {
            return Ok(true);
        };
        Ok(self
            .db
            .query_opt(
                &format!("SELECT 1 FROM people p WHERE p.id = ?1 AND {condition}"),
                &db::values(&values),
                |_| Ok(()),
            )?
            .is_some())
    }

    /// The sites a person is a site responsible of.
    pub fn sites_of_responsible(&self, person: PersonId) -> Result<Vec<SiteId>> {
        Ok(self.db.query_map(
            "SELECT site_id FROM site_responsibles WHERE person_id = ?1 ORDER BY site_id",
            params![person.0],
            |row| Ok(SiteId(row.get(0)?)),
        )?)
    }

    pub fn people_named(&self, name: &str) -> Result<Vec<PersonRow>> {
        Ok(self.db.query_map(
            &format!("{PERSON_SELECT} WHERE p.name = ?1 ORDER BY p.id"),
            params![name],
            person_row,
        )?)
    }

    pub fn person(&self, id: PersonId) -> Result<Option<PersonRow>> {
        Ok(self.db.query_opt(
            &format!("{PERSON_SELECT} WHERE p.id = ?1"),
            params![id.0],
            person_row,
        )?)
    }

    pub fn credentials(&self, login: &str) -> Result<Option<Credentials>> {
        Ok(self.db.query_opt(
            "SELECT a.id, a.login, a.person_id, a.roles, c.password_hash, a.active,
                 a.failed_logins, a.locked_until, a.locks_in_a_row, a.must_change_password
                 FROM accounts a LEFT JOIN credentials c ON c.account_id = a.id WHERE a.login = ?1",
            params![login],
            |row| {
                Ok(Credentials {
                    id: AccountId(row.get(0)?),
                    login: row.get(1)?,
                    person_id: row.get::<Option<i64>>(2)?.map(PersonId),
                    roles: roles(row.get(3)?)?,
                    password_hash: row.get(4)?,
                    active: row.get(5)?,
                    failed_logins: row.get(6)?,
                    locked_until: instant(row.get(7)?)?,
                    locks_in_a_row: row.get(8)?,
                    must_change_password: row.get(9)?,
                })
            },
        )?)
    }

    /// The account's roles now and whether it is active: read inside every write, so that a
    /// disabled account or a removed role takes effect at once.
    /// The account's login beside its standing: what a session of the office server resumes.
    pub fn login_and_standing(&self, id: AccountId) -> Result<Option<(String, AccountStanding)>> {
        let Some(standing) = self.account_standing(id)? else {
            return Ok(None);
        };
        let login = self.db.query_row(
            "SELECT login FROM accounts WHERE id = ?1",
            params![id.0],
            |row| row.get(0),
        )?;
        Ok(Some((login, standing)))
    }

    pub fn account_standing(&self, id: AccountId) -> Result<Option<AccountStanding>> {
        Ok(self.db.query_opt(
            "SELECT active, roles, person_id, must_change_password FROM accounts WHERE id = ?1",
            params![id.0],
            |row| {
                Ok(AccountStanding {
                    active: row.get(0)?,
                    roles: roles(row.get(1)?)?,
                    person_id: row.get::<Option<i64>>(2)?.map(PersonId),
                    must_change_password: row.get(3)?,
                })
            },
        )?)
    }

    pub fn accounts(&self) -> Result<Vec<AccountRow>> {
        Ok(self.db.query_map("SELECT a.id, a.login, p.name, a.roles, a.active, a.locked_until, a.must_change_password
             FROM accounts a LEFT JOIN people p ON p.id = a.person_id ORDER BY a.login", params![], |row| {
            Ok(AccountRow {
                id: AccountId(row.get(0)?),
                login: row.get(1)?,
                person: row.get(2)?,
                roles: roles(row.get(3)?)?,
                active: row.get(4)?,
                locked_until: instant(row.get(5)?)?,
                must_change_password: row.get(6)?,
            })
        })?)
    }

    pub fn count_accounts(&self) -> Result<i64> {
        Ok(self
            .db
            .query_row("SELECT COUNT(*) FROM accounts", params![], |row| row.get(0))?)
    }

    pub fn asset_state(&self, tag: &str) -> Result<Option<AssetState>> {
        Ok(self.db.query_opt(
            "SELECT a.id, a.tag, a.status, l.id, l.custodian_id, l.acknowledged_at, l.issued_at
                 FROM assets a
                 LEFT JOIN loans l ON l.asset_id = a.id AND l.returned_at IS NULL WHERE a.tag = ?1",
            params![tag],
            |row| {
                let open_loan = match row.get::<Option<i64>>(3)? {
                    None => None,
                    Some(loan) => Some(OpenLoan {
                        id: LoanId(loan),
                        custodian_id: PersonId(row.get(4)?),
                        acknowledged_at: instant(row.get(5)?)?,
                        issued_at: instant(row.get(6)?)?.expect("issued_at is NOT NULL"),
                    }),
                };
                Ok(AssetState {
                    id: AssetId(row.get(0)?),
                    tag: row.get(1)?,
                    status: word(row.get(2)?)?,
                    open_loan,
                })
            },
        )?)
    }

    /// An asset by tag, if the scope sees it.
    pub fn asset(&self, scope: &ReadScope, tag: &str) -> Result<Option<AssetRow>> {
        let mut values = vec![Value::Text(tag.to_string())];
        let visible = visible_assets(scope, "a", &mut values)
            .map(|condition| format!("AND {condition}"))
            .unwrap_or_default();
        Ok(self.db.query_opt(
            &format!("SELECT {ASSET_COLUMNS} {ASSET_FROM} WHERE a.tag = ?1 {visible}"),
            &db::values(&values),
            asset_row,
        )?)
    }

    /// The register counted by what the overview links to, within the scope, in one pass.
    pub fn overview(&self, scope: &ReadScope, today: chrono::NaiveDate) -> Result<Overview> {
        let mut values = vec![Value::Text(today.format("%Y-%m-%d").to_string())];
        let visible = visible_assets(scope, "a", &mut values)
            .map(|condition| format!("WHERE {condition}"))
            .unwrap_or_default();
        let counts: [i64; 8] = self.db.query_row(
            &format!(
                "SELECT COUNT(*),
                    COALESCE(SUM(CASE WHEN a.status = 'available' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN a.status IN ('on_loan', 'carried_out') THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN l.id IS NOT NULL AND l.acknowledged_at IS NULL
                                 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN a.holder_due_on < ?1 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN a.status = 'lost' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN a.status = 'in_repair' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN a.status = 'retired' THEN 1 ELSE 0 END), 0)
                 FROM assets a LEFT JOIN loans l ON l.asset_id = a.id AND l.returned_at IS NULL
                 {visible}"
            ),
            &db::values(&values),
            |row| {
                Ok([
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ])
            },
        )?;
        let [
            total,
            available,
            on_loan,
            unacknowledged,
            overdue,
            lost,
            in_repair,
            retired,
        ] = counts.map(|count| count as u32);
        Ok(Overview {
            total,
            available,
            on_loan,
            unacknowledged,
            overdue,
            lost,
            in_repair,
            retired,
            today,
        })
    }

    /// One page of the register. Filters, search, sort and paging all happen here, so the UI
    /// stays fast at 100,000 assets.
    pub fn asset_page(&self, scope: &ReadScope, query: &AssetQuery) -> Result<AssetPage> {
        let words: Vec<String> = query
            .search
            .as_deref()
            .map(fold)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        // With a search, status and kind are tested on the covering index assets_search (the
        // unary + keeps SQLite from choosing the status index and fetching every table row).
        let postgres = self.db.dialect() == Dialect::Postgres;
        let column = |name: &str| {
            if words.is_empty() || postgres {
                format!("a.{name}")
            } else {
                format!("+a.{name}")
            }
        };
        let mut filters = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(status) = query.status {
            values.push(Value::Text(status.as_str().into()));
            filters.push(format!("{} = ?{}", column("status"), values.len()));
        }
        if let Some(kind) = query.kind {
            values.push(Value::Text(kind.as_str().into()));
            filters.push(format!("{} = ?{}", column("kind"), values.len()));
        }
        if let Some(holder) = query.holder {
            values.push(Value::Integer(holder.0));
            filters.push(format!("l.custodian_id = ?{}", values.len()));
        }
        if query.unacknowledged {
            filters.push("l.acknowledged_at IS NULL".into());
        }
        if let Some(day) = query.due_before {
            // Only an open loan's due date is kept on the asset.
            values.push(Value::Text(day.format("%Y-%m-%d").to_string()));
            filters.push(format!("{} < ?{}", column("holder_due_on"), values.len()));
        }
        for word in words {
            values.push(Value::Text(word));
            let find = if postgres { "strpos" } else { "instr" };
            filters.push(format!("{find}(a.search_text, ?{}) > 0", values.len()));
        }
        if let Some(visible) = visible_assets(scope, "a", &mut values) {
            filters.push(visible);
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        // NULL sorts first ascending in SQLite and last in PostgreSQL: said outright there,
        // so the register reads the same on both.
        let direction = match (query.descending, postgres) {
            (false, false) => "ASC",
            (true, false) => "DESC",
            (false, true) => "ASC NULLS FIRST",
            (true, true) => "DESC NULLS LAST",
        };
        // Every sort key is a column of assets, so the page is chosen without any join.
        let order = match query.sort {
            AssetSort::Tag => format!("a.tag {direction}"),
            AssetSort::Kind => format!("a.kind {direction}, a.tag"),
            AssetSort::Name => format!("a.name {direction}, a.tag"),
            AssetSort::Status => format!("a.status {direction}, a.tag"),
            // Items nobody holds sort first (NULL is smallest), which keeps the index usable.
            AssetSort::Custodian => format!("a.holder_name {direction}, a.tag"),
            AssetSort::Due => format!("a.holder_due_on {direction}, a.tag"),
        };
        // The loan join is only needed when a filter reads it. A search reads the covering index
        // whatever the sort: walking a sort index instead would fetch every table row to test
        // the text (SQLite cannot know how few rows a search matches).
        let from = match (
            query.holder.is_some() || query.unacknowledged,
            query
                .search
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
        ) {
            (true, _) => {
                "FROM assets a JOIN loans l ON l.asset_id = a.id AND l.returned_at IS NULL"
            }
            (false, true) if !postgres => "FROM assets a INDEXED BY assets_search",
            (false, _) => "FROM assets a",
        };
        let total: u32 = self.db.query_row(
            &format!("SELECT COUNT(*) {from} {filter}"),
            &db::values(&values),
            |row| row.get(0),
        )?;

        // First the ids of the page, from assets (and its indexes) alone …
        let limit = query.limit.clamp(1, 1000);
        values.push(Value::Integer(limit.into()));
        values.push(Value::Integer(query.offset.into()));
        let sql = format!(
            "SELECT a.id {from} {filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
            values.len() - 1,
            values.len()
        );
        let ids: Vec<i64> = self
            .db
            .query_map(&sql, &db::values(&values), |row| row.get(0))?;
        if ids.is_empty() {
            return Ok(AssetPage {
                rows: Vec::new(),
                total,
            });
        }
        // … then the joined rows of just those, put back in the page's order.
        let marks = vec!["?"; ids.len()].join(",");
        let mut rows: Vec<AssetRow> = self.db.query_map(
            &format!("SELECT {ASSET_COLUMNS} {ASSET_FROM} WHERE a.id IN ({marks})"),
            &ids.iter()
                .map(|id| id as &dyn db::Param)
                .collect::<Vec<_>>(),
            asset_row,
        )?;
        let position: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        rows.sort_by_key(|row| position[&row.id.0]);
        Ok(AssetPage { rows, total })
    }

    /// Every custody period of an asset the scope sees, newest first.
    pub fn loans_of_asset(&self, scope: &ReadScope, asset: AssetId) -> Result<Vec<LoanRow>> {
        self.loans_where(
            scope,
            "l.asset_id = ?1",
            &[Value::Integer(asset.0)],
            None,
            "l.issued_at DESC, l.id DESC",
        )
    }

    /// An asset's record as the journal carries it, for an edit to compare with.
    pub fn asset_record(&self, tag: &str) -> Result<Option<Asset>> {
        Ok(self.db.query_opt(
            "SELECT id, tag, kind, name, model, serial, owner_organisation_id, classification,
                    encrypted, note, registered_at FROM assets WHERE tag = ?1",
            params![tag],
            |row| {
                Ok(Asset {
                    id: AssetId(row.get(0)?),
                    tag: row.get(1)?,
                    kind: word(row.get(2)?)?,
                    name: row.get(3)?,
                    model: row.get(4)?,
                    serial: row.get(5)?,
                    owner_organisation_id: OrganisationId(row.get(6)?),
                    classification: word(row.get(7)?)?,
                    encrypted: row.get(8)?,
                    note: row.get(9)?,
                    registered_at: instant(row.get(10)?)?.expect("registered_at is NOT NULL"),
                })
            },
        )?)
    }

    /// How many items a person holds now.
    pub fn items_held(&self, person: PersonId) -> Result<usize> {
        let count: i64 = self.db.query_row(
            "SELECT COUNT(*) FROM loans WHERE custodian_id = ?1 AND returned_at IS NULL",
            params![person.0],
            |row| row.get(0),
        )?;
        Ok(count as usize)
    }

    /// An asset's lost, in-repair and retired periods, oldest first.
    pub fn status_periods_of_asset(&self, asset: AssetId) -> Result<Vec<StatusPeriodRow>> {
        Ok(self.db.query_map(
            "SELECT sp.status, sp.began_at, b.login, sp.note, sp.ended_at, e.login
             FROM asset_status_periods sp
             LEFT JOIN accounts b ON b.id = sp.began_by
             LEFT JOIN accounts e ON e.id = sp.ended_by
             WHERE sp.asset_id = ?1 ORDER BY sp.period",
            params![asset.0],
            |row| {
                Ok(StatusPeriodRow {
                    status: word(row.get(0)?)?,
                    began_at: instant(row.get(1)?)?.expect("began_at is NOT NULL"),
                    began_by: row.get(2)?,
                    note: row.get(3)?,
                    ended_at: instant(row.get(4)?)?,
                    ended_by: row.get(5)?,
                })
            },
        )?)
    }

    /// Loans open now, or all loans, optionally of one custodian.
    pub fn loans(
        &self,
        scope: &ReadScope,
        open_only: bool,
        custodian: Option<PersonId>,
    ) -> Result<Vec<LoanRow>> {
        let open = if open_only {
            "l.returned_at IS NULL"
        } else {
            "1 = 1"
        };
        self.loans_where(scope, open, &[], custodian, "a.tag, l.issued_at")
    }

    /// What was held at `at`: loans issued at or before it and not returned by then.
    pub fn custody_as_of(
        &self,
        scope: &ReadScope,
        at: Instant,
        custodian: Option<PersonId>,
    ) -> Result<Vec<LoanRow>> {
        let period = "l.issued_at <= ?1 AND (l.returned_at IS NULL OR l.returned_at > ?1)";
        self.loans_where(
            scope,
            period,
            &[Value::Text(at.to_rfc3339())],
            custodian,
            "a.tag",
        )
    }

    /// The custodian condition is left out of the SQL rather than written `(? IS NULL OR …)`,
    /// which would keep SQLite from using the custodian index.
    fn loans_where(
        &self,
        scope: &ReadScope,
        condition: &str,
        values: &[Value],
        custodian: Option<PersonId>,
        order: &str,
    ) -> Result<Vec<LoanRow>> {
        let mut values = values.to_vec();
        let mut sql = format!("{LOAN_SELECT} WHERE {condition}");
        if let Some(custodian) = custodian {
            values.push(Value::Integer(custodian.0));
            sql.push_str(&format!(" AND l.custodian_id = ?{}", values.len()));
        }
        if let Some(visible) = visible_loans(scope, "l", &mut values) {
            sql.push_str(&format!(" AND {visible}"));
        }
        sql.push_str(&format!(" ORDER BY {order}"));
        Ok(self.db.query_map(&sql, &db::values(&values), loan_row)?)
    }

    /// Every asset in the register at `at`, with the custody period that covered it then.
    pub fn custody_lines(&self, at: Instant) -> Result<Vec<CustodyLine>> {
        Ok(self.db.query_map(
            "SELECT a.tag, a.kind, a.name, a.model, a.serial, o.name, p.name, po.name, s.name,
                    l.issued_at, l.due_on, l.place,
                    COALESCE(
                        (SELECT sp.status FROM asset_status_periods sp
                         WHERE sp.asset_id = a.id AND sp.began_at <= ?1
                           AND (sp.ended_at IS NULL OR sp.ended_at > ?1)),
                        CASE WHEN l.id IS NULL THEN 'available'
                             WHEN l.returned_at IS NULL AND a.status = 'carried_out'
                             THEN 'carried_out'
                             ELSE 'on_loan' END),
                    CASE WHEN l.id IS NULL THEN (SELECT MAX(r.returned_at) FROM loans r
                         WHERE r.asset_id = a.id AND r.returned_at <= ?1) END
             FROM assets a
             JOIN organisations o ON o.id = a.owner_organisation_id
             LEFT JOIN loans l ON l.asset_id = a.id AND l.issued_at <= ?1
                  AND (l.returned_at IS NULL OR l.returned_at > ?1)
             LEFT JOIN people p ON p.id = l.custodian_id
             LEFT JOIN organisations po ON po.id = p.organisation_id
             LEFT JOIN sites s ON s.id = l.site_id
             WHERE a.registered_at <= ?1
             ORDER BY a.tag",
            params![at.to_rfc3339()],
            |row| {
                Ok(CustodyLine {
                    tag: row.get(0)?,
                    kind: word(row.get(1)?)?,
                    name: row.get(2)?,
                    model: row.get(3)?,
                    serial: row.get(4)?,
                    owner: row.get(5)?,
                    custodian: row.get(6)?,
                    custodian_organisation: row.get(7)?,
                    site: row.get(8)?,
                    issued_at: instant(row.get(9)?)?,
                    due_on: row.get(10)?,
                    place: row.get(11)?,
                    status: word(row.get(12)?)?,
                    returned_at: instant(row.get(13)?)?,
                })
            },
        )?)
    }

    pub fn loan(&self, id: LoanId) -> Result<Option<LoanRow>> {
        Ok(self.db.query_opt(
            &format!("{LOAN_SELECT} WHERE l.id = ?1"),
            params![id.0],
            loan_row,
        )?)
    }
}
