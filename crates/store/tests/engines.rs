//! One conformance suite, on both engines: every test here runs on a SQLite file and on a
//! PostgreSQL database of the test process's own server (crates/pg-harness), and asserts the
//! same answers from both: the same journal (hash for hash), the same reads, the same verify
//! verdicts in the same words, the same schema.

use azukari_domain::permission::ReadScope;
use azukari_domain::view::{AssetQuery, AssetSort};
use azukari_domain::*;
use azukari_store::db::Db;
use azukari_store::{Dialect, IdTable, Store, StoreError, VerifyFailure, Writer};
use std::path::{Path, PathBuf};

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// Adds a partner organisation in the open write, with the next free id.
fn add_partner(w: &mut Writer<'_>, name: &str, now: Instant) -> Result<i64, StoreError> {
    let organisation = Organisation {
        id: OrganisationId(w.next_id(IdTable::Organisations)?),
        name: name.into(),
        kind: OrganisationKind::Partner,
    };
    w.apply(&Event::OrganisationAdded { organisation }, None, now)
}

/// Where a test's store lives, and how to reach it behind the store's back (as someone with
/// the file, or with the database's password, would).
enum Place {
    /// The folder is kept (and removed) with the place.
    Sqlite(#[allow(dead_code)] tempfile::TempDir, PathBuf),
    Postgres(String),
}

impl Place {
    fn new(dialect: Dialect) -> Place {
        match dialect {
            Dialect::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("s.db");
                Place::Sqlite(dir, path)
            }
            Dialect::Postgres => Place::Postgres(azukari_pg_harness::cluster().new_database()),
        }
    }

    fn path(&self) -> &Path {
        match self {
            Place::Sqlite(_, path) => path,
            Place::Postgres(url) => Path::new(url),
        }
    }

    fn open(&self) -> Store {
        Store::open(self.path()).unwrap()
    }

    /// Runs SQL beside the store, on a connection of its own.
    fn behind(&self, sql: &str) -> Result<(), String> {
        match self {
            Place::Sqlite(_, path) => rusqlite::Connection::open(path)
                .and_then(|conn| conn.execute_batch(sql))
                .map_err(|err| err.to_string()),
            Place::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .and_then(|mut client| client.batch_execute(sql))
                .map_err(|err| {
                    err.as_db_error()
                        .map_or(err.to_string(), |db| db.message().to_string())
                }),
        }
    }
}

const ENGINES: [Dialect; 2] = [Dialect::Sqlite, Dialect::Postgres];

fn laptop(id: i64, tag: &str, name: &str, registered_at: Instant) -> Asset {
    Asset {
        id: AssetId(id),
        tag: tag.into(),
        kind: AssetKind::Pc,
        name: name.into(),
        model: Some("ＴｈｉｎｋＰａｄ X1".into()),
        serial: None,
        owner_organisation_id: OrganisationId(1),
        classification: Classification::Confidential,
        encrypted: true,
        note: None,
        registered_at,
    }
}

/// Our company, a customer site with its responsible, three people (one without a reading),
/// five assets: two on loan (one for the site), one returned, two never lent; an account
/// that failed a login and was locked.
fn sample(store: &mut Store) {
    let now = at("2026-11-01T00:00:00.000Z");
    let later = at("2026-11-02T09:30:00.250Z");
    store
        .write(|w| -> Result<(), StoreError> {
            w.apply(
                &Event::StoreInitialised {
                    time_zone: "Asia/Tokyo".into(),
                },
                None,
                now,
            )?;
            for (id, name, kind) in [
                (1, "自社", OrganisationKind::Own),
                (2, "顧客株式会社", OrganisationKind::Customer),
            ] {
                let organisation = Organisation {
                    id: OrganisationId(id),
                    name: name.into(),
                    kind,
                };
                w.apply(&Event::OrganisationAdded { organisation }, None, now)?;
            }
            let site = Site {
                id: SiteId(1),
                organisation_id: OrganisationId(2),
                name: "本社ビル".into(),
                address: None,
            };
            w.apply(&Event::SiteAdded { site }, None, now)?;
            for (name, kana) in [
                ("𠮷田 太郎", Some("よしだ たろう")),
                ("髙橋 花子", None),
                ("Ａｌｉｃｅ", Some("ありす")),
            ] {
                let person = Person {
                    id: PersonId(w.next_id(IdTable::People)?),
                    name: name.into(),
                    kana: kana.map(str::to_string),
                    organisation_id: OrganisationId(1),
                    email: None,
                    employee_number: None,
                    active: true,
                };
                w.apply(&Event::PersonAdded { person }, None, now)?;
            }
            w.apply(
                &Event::SiteResponsibleAssigned {
                    site_id: SiteId(1),
                    person_id: PersonId(2),
                },
                None,
                now,
            )?;
            for (id, tag, name) in [
                (1, "PC-0001", "ノートPC"),
                (2, "PC-0002", "ThinkPad"),
                (3, "pc-0003", "ｐｃ"),
                (4, "PC-0010", "予備"),
                (5, "USB-01", "USBメモリ"),
            ] {
                w.apply(
                    &Event::AssetRegistered {
                        asset: laptop(id, tag, name, now),
                    },
                    None,
                    now,
                )?;
            }
            for (id, asset, custodian, site) in
                [(1, 1, 1, None), (2, 2, 3, Some(SiteId(1))), (3, 3, 1, None)]
            {
                let loan = Loan {
                    id: LoanId(id),
                    asset_id: AssetId(asset),
                    custodian_id: PersonId(custodian),
                    issued_at: now,
                    issued_by: None,
                    due_on: (id == 2).then(|| "2026-12-01".parse().unwrap()),
                    place: Some("自宅".into()),
                    site_id: site,
                };
                w.apply(&Event::LoanIssued { loan }, None, now)?;
            }
            w.apply(
                &Event::LoanAcknowledged {
                    loan_id: LoanId(2),
                    at: later,
                },
                None,
                later,
            )?;
            w.apply(
                &Event::LoanReturned {
                    loan_id: LoanId(1),
                    asset_id: AssetId(1),
                    returned_at: later,
                    returned_to: None,
                    condition: ReturnCondition::Ok,
                    note: Some("傷なし".into()),
                    asset_status: AssetStatus::Available,
                },
                None,
                later,
            )?;
            let account = Account {
                id: AccountId(1),
                login: "office".into(),
                person_id: Some(PersonId(2)),
                roles: vec![Role::SecurityOffice],
                password_hash: None,
            };
            w.apply(&Event::AccountAdded { account }, None, later)?;
            w.keep_password_hash(AccountId(1), "$argon2id$v=19$not-a-real-hash")?;
            w.apply(
                &Event::PasswordSet {
                    account_id: AccountId(1),
                    must_change: false,
                    digest: azukari_domain::journal::credential_digest(
                        "$argon2id$v=19$not-a-real-hash",
                    ),
                },
                Some(AccountId(1)),
                later,
            )?;
            w.apply(
                &Event::LoginFailed {
                    account_id: AccountId(1),
                    at: later,
                    locked_until: None,
                },
                None,
                later,
            )?;
            w.apply(
                &Event::LoginFailed {
                    account_id: AccountId(1),
                    at: later,
                    locked_until: Some(at("2026-11-02T09:45:00.250Z")),
                },
                None,
                later,
            )?;
            Ok(())
        })
        .unwrap();
}

/// What a store answers, in a form two engines' answers can be compared in.
fn answers(store: &Store) -> Vec<String> {
    let read = store.read();
    let everyone = ReadScope::Everything;
    let mut seen = vec![format!("{:?}", read.journal_head().unwrap())];
    seen.push(format!("{:?}", read.organisations().unwrap()));
    seen.push(format!("{:?}", read.sites().unwrap()));
    seen.push(format!("{:?}", read.people(&everyone).unwrap()));
    seen.push(format!("{:?}", read.accounts().unwrap()));
    seen.push(format!("{:?}", read.credentials("office").unwrap()));
    for sort in [
        AssetSort::Tag,
        AssetSort::Custodian,
        AssetSort::Due,
        AssetSort::Name,
    ] {
        for descending in [false, true] {
            for search in [None, Some("pc"), Some("ＰＣ　00"), Some("𠮷田")] {
                let query = AssetQuery {
                    search: search.map(str::to_string),
                    sort,
                    descending,
                    limit: 3,
                    offset: 0,
                    ..AssetQuery::default()
                };
                seen.push(format!("{:?}", read.asset_page(&everyone, &query).unwrap()));
            }
        }
    }
    let site_responsible = ReadScope::Limited {
        person: Some(PersonId(2)),
        sites: vec![SiteId(1)],
    };
    seen.push(format!("{:?}", read.people(&site_responsible).unwrap()));
    seen.push(format!(
        "{:?}",
        read.asset_page(&site_responsible, &AssetQuery::default())
            .unwrap()
    ));
    seen.push(format!("{:?}", read.loans(&everyone, false, None).unwrap()));
    seen.push(format!(
        "{:?}",
        read.custody_as_of(&everyone, at("2026-11-02T00:00:00Z"), None)
            .unwrap()
    ));
    seen.push(format!(
        "{:?}",
        read.custody_lines(at("2026-11-03T00:00:00Z")).unwrap()
    ));
    seen
}

#[test]
fn the_same_events_give_the_same_journal_and_the_same_answers_on_both_engines() {
    let mut seen = Vec::new();
    for dialect in ENGINES {
        let place = Place::new(dialect);
        let mut store = place.open();
        assert_eq!(store.dialect(), dialect);
        sample(&mut store);
        let report = store.verify().unwrap();
        assert_eq!(report.entries, 22, "{dialect:?}");
        // Read again through a new connection: nothing came from a cache.
        seen.push((dialect, report, answers(&place.open())));
    }
    let (_, sqlite_report, sqlite) = &seen[0];
    let (_, postgres_report, postgres) = &seen[1];
    assert_eq!(sqlite_report, postgres_report);
    for (on_sqlite, on_postgres) in sqlite.iter().zip(postgres) {
        assert_eq!(on_sqlite, on_postgres);
    }
    // The reads are not empty agreement: the register is sorted and searched as asked.
    assert!(sqlite.iter().any(|answer| answer.contains("𠮷田 太郎")));
}

#[test]
fn verify_names_the_same_tampering_in_the_same_words_on_both_engines() {
    let tampering = [
        // A state record edited behind the journal.
        "UPDATE assets SET name = '盗まれた' WHERE tag = 'PC-0002'",
        // A record added behind the journal.
        "INSERT INTO organisations (id, name, kind) VALUES (9, '闇', 'partner')",
        // A password hash swapped in.
        "UPDATE credentials SET password_hash = 'mine' WHERE account_id = 1",
        // A loan's return taken back.
        "UPDATE loans SET returned_at = NULL WHERE id = 1",
    ];
    for sql in tampering {
        let mut verdicts = Vec::new();
        for dialect in ENGINES {
            let place = Place::new(dialect);
            sample(&mut place.open());
            place.behind(sql).unwrap();
            verdicts.push(place.open().verify().unwrap_err().to_string());
        }
        assert_eq!(verdicts[0], verdicts[1], "{sql}");
        assert!(
            verdicts[0].contains("table") || verdicts[0].contains("credentials"),
            "{sql}: {}",
            verdicts[0]
        );
    }
}

#[test]
fn the_journal_refuses_change_and_a_forged_entry_is_named_on_both_engines() {
    for dialect in ENGINES {
        let place = Place::new(dialect);
        sample(&mut place.open());
        for sql in [
            "UPDATE journal SET actor = 1 WHERE seq = 3",
            "DELETE FROM journal WHERE seq = 22",
        ] {
            let refused = place.behind(sql).unwrap_err();
            assert!(
                refused.contains("the journal is append-only"),
                "{dialect:?} {sql}: {refused}"
            );
        }
        if dialect == Dialect::Postgres {
            let refused = place.behind("TRUNCATE journal CASCADE").unwrap_err();
            assert!(refused.contains("append-only"), "{refused}");
        }
        let refused = place
            .behind(
                "INSERT INTO journal (seq, at, actor, event, prev_hash, hash, form)
                     VALUES (23, '2026-01-01T00:00:00.000Z', NULL, '{}', 'x', 'y', 2)",
            )
            .unwrap_err();
        assert!(
            refused.contains("may not be earlier"),
            "{dialect:?}: {refused}"
        );
        // An entry added behind the store, in time, with a made-up hash.
        place
            .behind(
                "INSERT INTO journal (seq, at, actor, event, prev_hash, hash, form)
                 VALUES (23, '2026-11-03T00:00:00.000Z', NULL,
                 '{\"account_id\":1,\"type\":\"account_unlocked\"}', 'x', 'y', 2)",
            )
            .unwrap();
        match place.open().verify().unwrap_err() {
            VerifyFailure::Entry { seq, reason } => {
                assert_eq!(seq, 23, "{dialect:?}");
                assert!(reason.contains("previous hash"), "{dialect:?}: {reason}");
            }
            other => panic!("{dialect:?}: {other}"),
        }
    }
}

#[test]
fn a_schema_changed_behind_the_migrations_is_named_on_postgres() {
    for (sql, named) in [
        (
            "CREATE INDEX sneaky ON people (email)",
            "index sneaky is not made by any migration",
        ),
        (
            "DROP TRIGGER journal_refuses_update ON journal",
            "journal_refuses_update is missing",
        ),
        (
            "CREATE OR REPLACE FUNCTION journal_time_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "function journal_time_moves_forward differs",
        ),
        (
            "ALTER TABLE people ADD COLUMN note TEXT",
            "column people.note is not made by any migration",
        ),
    ] {
        let place = Place::new(Dialect::Postgres);
        sample(&mut place.open());
        place.behind(sql).unwrap();
        match place.open().verify().unwrap_err() {
            VerifyFailure::Schema(detail) => assert!(detail.contains(named), "{sql}: {detail}"),
            other => panic!("{sql}: expected the schema to be named, got {other}"),
        }
    }
}

/// Tables, columns (with their types as each engine names them), indexes and triggers of a
/// migrated store, in one engine-neutral outline.
fn outline(store: &Store) -> Vec<String> {
    let db: &Db = store.database();
    match db.dialect() {
        Dialect::Sqlite => {
            let mut lines = db
                .query_map(
                    "SELECT 'column ' || m.name || '.' || c.name || ': '
                            || CASE WHEN c.\"notnull\" OR c.pk > 0 THEN 'not null' ELSE 'null' END
                     FROM sqlite_master m JOIN pragma_table_info(m.name) c
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'",
                    &[],
                    |row| row.get::<String>(0),
                )
                .unwrap();
            lines.extend(
                db.query_map(
                    "SELECT type || ' ' || name FROM sqlite_master
                     WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite%'",
                    &[],
                    |row| row.get::<String>(0),
                )
                .unwrap(),
            );
            lines.sort();
            lines
        }
        Dialect::Postgres => {
            let mut lines: Vec<String> = azukari_store::postgres_outline(db)
                .unwrap()
                .into_iter()
                .filter_map(|line| {
                    let (name, definition) = line.split_once(": ")?;
                    if name.starts_with("column ") {
                        let null = if definition.contains(" not null") {
                            "not null"
                        } else {
                            "null"
                        };
                        Some(format!("{name}: {null}"))
                    } else if name.starts_with("index ") {
                        Some(name.to_string())
                    } else if let Some(trigger) = name.strip_prefix("trigger ") {
                        Some(format!("trigger {}", trigger.split_once('.')?.1))
                    } else {
                        None
                    }
                })
                // PostgreSQL names the index of each key and unique constraint; SQLite's
                // own are left out above, so these are too.
                .filter(|line| !line.ends_with("_pkey") && !line.ends_with("_key"))
                .collect();
            lines.sort();
            lines
        }
    }
}

#[test]
fn both_engines_have_the_same_tables_columns_indexes_and_triggers() {
    let sqlite = outline(&Place::new(Dialect::Sqlite).open());
    let postgres = outline(&Place::new(Dialect::Postgres).open());
    // SQLite has no TRUNCATE to refuse.
    let only_postgres = ["trigger journal_refuses_truncate"];
    let missing: Vec<&String> = sqlite
        .iter()
        .filter(|line| !postgres.contains(line))
        .collect();
    let extra: Vec<&String> = postgres
        .iter()
        .filter(|line| !sqlite.contains(line) && !only_postgres.contains(&line.as_str()))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "only on SQLite: {missing:#?}\nonly on PostgreSQL: {extra:#?}"
    );
    assert!(
        sqlite.len() > 80,
        "the outline reads the schema: {sqlite:#?}"
    );
}

/// The PostgreSQL schema's snapshot, beside its migrations; verify compares a live store with
/// it. `AZUKARI_UPDATE_OUTLINE=1` rewrites it after a new migration.
#[test]
fn the_postgres_schema_is_as_outlined() {
    let store = Place::new(Dialect::Postgres).open();
    let found = azukari_store::postgres_outline(store.database()).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/postgres/outline.txt");
    if std::env::var_os("AZUKARI_UPDATE_OUTLINE").is_some() {
        let header = "# What schema/postgres makes, one object a line; verify compares each store with it.\n# Made by `AZUKARI_UPDATE_OUTLINE=1 cargo test -p azukari-store --test engines`.\n";
        std::fs::write(&file, format!("{header}{}\n", found.join("\n"))).unwrap();
    }
    assert_eq!(
        found,
        azukari_store::expected_postgres_outline(),
        "schema/postgres/outline.txt is out of date"
    );
}

/// Sixteen servers' writers (or one server's writer and fifteen others) append to one
/// PostgreSQL journal at once: every entry lands, in one unbroken chain, with no id taken
/// twice.
#[test]
fn sixteen_writers_on_postgres_leave_one_unbroken_chain() {
    let place = Place::new(Dialect::Postgres);
    sample(&mut place.open());
    let url = match &place {
        Place::Postgres(url) => url.clone(),
        Place::Sqlite(..) => unreachable!(),
    };
    let writers: Vec<_> = (0..16)
        .map(|writer| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(Path::new(&url)).unwrap();
                for n in 0..25 {
                    store
                        .write(|w| -> Result<(), StoreError> {
                            let person = Person {
                                id: PersonId(w.next_id(IdTable::People)?),
                                name: format!("書き手{writer} の {n}"),
                                kana: None,
                                organisation_id: OrganisationId(1),
                                email: None,
                                employee_number: None,
                                active: true,
                            };
                            // Taken from the head this writer holds the lock over: never behind it.
                            let (seq, _) = w.read().journal_head()?;
                            let now = Instant::from_utc(
                                at("2026-11-03T00:00:00Z").utc() + chrono::Duration::seconds(seq),
                            );
                            w.apply(&Event::PersonAdded { person }, None, now)?;
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = place.open();
    let report = store.verify().unwrap();
    assert_eq!(report.entries, 22 + 16 * 25);
    assert_eq!(
        store.read().people(&ReadScope::Everything).unwrap().len(),
        3 + 16 * 25
    );
}

/// The server's connection is cut in the middle of a write: nothing of it is kept, and the
/// store, reached again, verifies.
#[test]
fn a_connection_cut_mid_transaction_writes_nothing() {
    let place = Place::new(Dialect::Postgres);
    sample(&mut place.open());
    let mut store = place.open();
    let before = store.read().journal_head().unwrap();
    let cut = store.write(|w| -> Result<(), StoreError> {
        add_partner(w, "途中", at("2026-11-05T00:00:00Z"))?;
        // Every other connection to this database is ended by the server, this one with them.
        place
            .behind(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .unwrap();
        add_partner(w, "続き", at("2026-11-05T00:00:00Z"))?;
        Ok(())
    });
    let err = cut.unwrap_err();
    assert!(
        matches!(&err, StoreError::Database(db) if db.is_connection_lost()),
        "{err}"
    );
    let store = place.open();
    assert_eq!(store.read().journal_head().unwrap(), before);
    assert!(store.read().organisation_by_name("途中").unwrap().is_none());
    store.verify().unwrap();
}

/// `migrate` as the CLI runs it: SQLite to PostgreSQL and back, by replaying the journal.
#[test]
fn a_store_moves_to_postgres_and_back_with_the_same_head_and_answers() {
    let first = Place::new(Dialect::Sqlite);
    sample(&mut first.open());
    let head = first.open().read().journal_head().unwrap();
    let on_postgres = Place::new(Dialect::Postgres);
    let there = first.open().copy_into(&mut on_postgres.open()).unwrap();
    let back = Place::new(Dialect::Sqlite);
    let again = on_postgres.open().copy_into(&mut back.open()).unwrap();
    assert_eq!((there.entries, there.head.clone()), head);
    assert_eq!(there, again);
    let answers_first = answers(&first.open());
    assert_eq!(answers_first, answers(&on_postgres.open()));
    assert_eq!(answers_first, answers(&back.open()));

    // Only into an empty store.
    let refused = first.open().copy_into(&mut on_postgres.open()).unwrap_err();
    assert!(
        refused.to_string().contains("already holds a store"),
        "{refused}"
    );
    // A store that does not verify is not copied, and nothing of it is written.
    first
        .behind("UPDATE people SET name = '偽' WHERE id = 1")
        .unwrap();
    let target = Place::new(Dialect::Postgres);
    let refused = first.open().copy_into(&mut target.open()).unwrap_err();
    assert!(refused.to_string().contains("does not verify"), "{refused}");
    assert_eq!(target.open().read().journal_head().unwrap().0, 0);
}

#[test]
fn a_postgres_store_backs_up_to_a_file_that_restores_into_a_new_database_only() {
    let place = Place::new(Dialect::Postgres);
    sample(&mut place.open());
    let store = place.open();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("office-backup.db");
    store.backup(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "a backup holds everyone's names and password hashes"
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["office-backup.db"],
        "nothing half-written is left beside it"
    );
    let backup = Store::open(&file).unwrap();
    assert_eq!(backup.dialect(), Dialect::Sqlite);
    assert_eq!(backup.verify().unwrap(), store.verify().unwrap());
    drop(backup);

    let new = azukari_pg_harness::cluster().new_database();
    let restored = Store::restore(&file, Path::new(&new)).unwrap();
    assert_eq!(restored.verify().unwrap(), store.verify().unwrap());
    assert_eq!(answers(&restored), answers(&store));
    // Never over a store.
    let refused = Store::restore(&file, place.path()).unwrap_err();
    assert!(
        refused.to_string().contains("already holds a store"),
        "{refused}"
    );
    // A backup changed behind its journal is not restored, and nothing of it is written.
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("UPDATE assets SET name = '改竄' WHERE id = 2")
        .unwrap();
    let untouched = azukari_pg_harness::cluster().new_database();
    let refused = Store::restore(&file, Path::new(&untouched)).unwrap_err();
    assert!(matches!(refused, StoreError::BadBackup(_)), "{refused}");
    assert!(
        refused.to_string().contains("table assets, record 2"),
        "{refused}"
    );
    let target = Store::open(Path::new(&untouched)).unwrap();
    assert_eq!(target.read().journal_head().unwrap().0, 0);
}

/// A statement that fails inside a group's transaction but outside any write's savepoint:
/// SQLite goes on, PostgreSQL abandons the whole transaction. On neither may the group be
/// reported kept unless its writes are in the store.
#[test]
fn a_group_is_reported_kept_only_when_its_writes_are_on_both_engines() {
    for dialect in ENGINES {
        let place = Place::new(dialect);
        let mut store = place.open();
        sample(&mut store);
        let before = store.read().journal_head().unwrap();
        let grouped = Store::together(&mut store, |store| {
            store
                .write(|w| -> Result<(), StoreError> {
                    add_partner(w, "一件目", at("2026-11-05T00:00:00Z"))?;
                    Ok(())
                })
                .unwrap();
            // What a session's touch that failed would be: outside any write, its error
            // dropped by the caller.
            let refused = store.database().execute(
                "INSERT INTO organisations (id, name, kind) VALUES (?1, ?2, ?3)",
                &[&1_i64, &"重複", &"own"],
            );
            assert!(refused.is_err());
        });
        let after = store.read().journal_head().unwrap();
        match (dialect, grouped) {
            (Dialect::Sqlite, Ok(())) => assert_eq!(after.0, before.0 + 1),
            (Dialect::Postgres, Err(StoreError::GroupLost(why))) => {
                assert_eq!(after, before, "nothing of it kept");
                assert!(why.contains("abandoned"), "{why}");
            }
            (dialect, other) => panic!("{dialect:?}: {other:?}, head {before:?} → {after:?}"),
        }
        // The store goes on.
        store
            .write(|w| -> Result<(), StoreError> {
                add_partner(w, "次", at("2026-11-05T00:00:01Z"))?;
                Ok(())
            })
            .unwrap();
        store.verify().unwrap();
    }
}

/// The journal's lock not given in time (another writer holds it past `lock_timeout`): the
/// write is refused, and the connection is not left in a failed transaction.
#[test]
fn a_write_refused_for_the_journal_lock_leaves_the_connection_usable() {
    let place = Place::new(Dialect::Postgres);
    sample(&mut place.open());
    let Place::Postgres(url) = &place else {
        unreachable!()
    };
    let mut holder = postgres::Client::connect(url, postgres::NoTls).unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE")
        .unwrap();
    let mut store = place.open();
    store
        .database()
        .batch("SET lock_timeout = '200ms'")
        .unwrap();
    let add = |store: &mut Store, name: &str, second: i64| {
        store.write(|w| -> Result<(), StoreError> {
            add_partner(
                w,
                name,
                Instant::from_utc(
                    at("2026-11-05T00:00:00Z").utc() + chrono::Duration::seconds(second),
                ),
            )?;
            Ok(())
        })
    };
    let refused = add(&mut store, "待てない", 0).unwrap_err();
    assert!(refused.to_string().contains("lock timeout"), "{refused}");
    holder.batch_execute("COMMIT").unwrap();
    add(&mut store, "待てた", 1).unwrap();
    assert!(
        store
            .read()
            .organisation_by_name("待てた")
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .read()
            .organisation_by_name("待てない")
            .unwrap()
            .is_none()
    );
    store.verify().unwrap();
}
