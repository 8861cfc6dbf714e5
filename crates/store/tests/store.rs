//! The store against real SQLite files in a temporary folder: the file's own concerns (its
//! pragmas, its schema snapshot, tampering with the file behind the store's back) on SQLite,
//! and what is not about the file on both engines ([`on_both_engines`]).

use azukari_domain::journal;
use azukari_domain::*;
use azukari_store::{IdTable, Store, StoreError, VerifyFailure};
use rusqlite::Connection;
use std::path::Path;

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// Our company's confidential laptop `tag`.
fn laptop(id: i64, tag: &str, registered_at: Instant) -> Asset {
    Asset {
        id: AssetId(id),
        tag: tag.into(),
        kind: AssetKind::Pc,
        name: "ThinkPad".into(),
        model: None,
        serial: None,
        owner_organisation_id: OrganisationId(1),
        classification: Classification::Confidential,
        encrypted: true,
        note: None,
        registered_at,
    }
}

/// A small store: our company, one person, two assets, one issued and returned, one on loan.
fn sample(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    let now = at("2026-11-01T00:00:00Z");
    store
        .write(|w| -> Result<(), StoreError> {
            w.apply(
                &Event::StoreInitialised {
                    time_zone: "Asia/Tokyo".into(),
                },
                None,
                now,
            )?;
            let organisation = Organisation {
                id: OrganisationId(1),
                name: "自社".into(),
                kind: OrganisationKind::Own,
            };
            w.apply(&Event::OrganisationAdded { organisation }, None, now)?;
            let person = Person {
                id: PersonId(w.next_id(IdTable::People)?),
                name: "𠮷田 太郎".into(),
                kana: None,
                organisation_id: OrganisationId(1),
                email: None,
                employee_number: None,
                active: true,
            };
            w.apply(&Event::PersonAdded { person }, None, now)?;
            for (id, tag) in [(1, "PC-0001"), (2, "PC-0002")] {
                let asset = laptop(id, tag, now);
                w.apply(&Event::AssetRegistered { asset }, None, now)?;
                let loan = Loan {
                    id: LoanId(id),
                    asset_id: AssetId(id),
                    custodian_id: PersonId(1),
                    issued_at: now,
                    issued_by: None,
                    due_on: None,
                    place: Some("自宅".into()),
                    site_id: None,
                };
                w.apply(&Event::LoanIssued { loan }, None, now)?;
            }
            w.apply(
                &Event::LoanReturned {
                    loan_id: LoanId(1),
                    asset_id: AssetId(1),
                    returned_at: at("2026-11-02T00:00:00Z"),
                    returned_to: None,
                    condition: ReturnCondition::Ok,
                    note: None,
                    asset_status: AssetStatus::Available,
                },
                None,
                at("2026-11-02T00:00:00Z"),
            )?;
            Ok(())
        })
        .unwrap();
    store
}

/// Runs `test` on a store file and on a database of the test process's PostgreSQL server
/// (crates/pg-harness): what is not about SQLite's file holds on both engines.
fn on_both_engines(test: impl Fn(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    test(&dir.path().join("s.db"));
    test(Path::new(&azukari_pg_harness::cluster().new_database()));
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

#[test]
fn the_migrated_schema_is_as_snapshotted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    let conn = raw(&path);
    let mut statement = conn
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    let schema: Vec<String> = statement
        .query_map([], |row| {
            Ok(format!(
                "{} {}\n{}\n",
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?.unwrap_or_default()
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    insta::assert_snapshot!(schema.join("\n"));
}

#[test]
fn opening_sets_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = sample(&path);
    drop(store);
    let conn = raw(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "WAL is a property of the file and must persist"
    );
}

#[test]
fn a_changed_landed_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    raw(&path)
        .execute(
            "UPDATE refinery_schema_history SET checksum = '1' WHERE version = 1",
            [],
        )
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::Migration(_)),
        "a divergent history must not be migrated over: {err}"
    );
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    raw(&path)
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             SELECT 99, 'future', applied_on, '42' FROM refinery_schema_history WHERE version = 1",
            [],
        )
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::Migration(_)),
        "a migration this build does not know must stop it: {err}"
    );
}

#[test]
fn the_journal_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(sample(&path));
    let conn = raw(&path);
    let update = conn
        .execute("UPDATE journal SET actor = 9 WHERE seq = 1", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = conn
        .execute("DELETE FROM journal WHERE seq = 1", [])
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
}

#[test]
fn an_untouched_store_verifies_and_replays_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(&dir.path().join("s.db"));
    let report = store.verify().unwrap();
    assert_eq!(report.entries, 8);
    assert_eq!(
        report.records,
        1 + 1 + 1 + 2 + 2,
        "settings, organisation, person, assets, loans"
    );
    assert_eq!(report.head, store.read().journal_head().unwrap().1);
}

fn verify_after(tamper: &str) -> VerifyFailure {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(sample(&path));
    raw(&path).execute_batch(tamper).unwrap();
    Store::open(&path).unwrap().verify().unwrap_err()
}

/// Runs `sql` as someone with the file would: the journal's triggers dropped first and put
/// back exactly as they were afterwards, so the schema looks untouched.
fn behind_the_triggers(sql: &str) -> String {
    format!(
        "CREATE TEMP TABLE kept AS SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal';
         DROP TRIGGER journal_refuses_update; DROP TRIGGER journal_refuses_delete;
         DROP TRIGGER journal_time_moves_forward;
         {sql};"
    )
}

/// Puts back the triggers `behind_the_triggers` dropped (SQLite cannot run SQL it reads from
/// a table, so the test does it).
/// `failure` names journal entry `seq`, for a reason that says `why`.
#[track_caller]
fn assert_entry_named(failure: VerifyFailure, seq: i64, why: &str) {
    match failure {
        VerifyFailure::Entry { seq: named, reason } => {
            assert_eq!(named, seq, "{reason}");
            assert!(reason.contains(why), "{reason}");
        }
        other => panic!("expected entry {seq} to be named, got {other}"),
    }
}

fn restore_triggers(conn: &Connection) {
    let kept: Vec<String> = conn
        .prepare("SELECT sql FROM temp.kept")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for sql in kept {
        conn.execute_batch(&sql).unwrap();
    }
}

/// The sample store, tampered with behind the triggers, then verified (with `expect`).
fn verify_after_forgery(sql: &str, expect: Option<&journal::Head>) -> VerifyFailure {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(sample(&path));
    let conn = raw(&path);
    conn.execute_batch(&behind_the_triggers(sql)).unwrap();
    restore_triggers(&conn);
    drop(conn);
    Store::open(&path)
        .unwrap()
        .verify_with(expect, &mut |_, _| {})
        .unwrap_err()
}

/// The hash an entry would have with these columns, chained to `prev`.
fn forged_hash(prev: &str, seq: i64, at_text: &str, actor: Option<i64>, event: &str) -> String {
    journal::Entry {
        seq,
        at: at(at_text),
        actor: actor.map(AccountId),
        event,
        form: journal::Form::WholeEntry,
    }
    .hash(prev)
}

#[test]
fn a_changed_byte_in_a_payload_names_that_entry() {
    let failure = verify_after(
        "DROP TRIGGER journal_refuses_update;
         UPDATE journal SET event = replace(event, '自宅', '自室') WHERE seq = 5;",
    );
    assert_entry_named(failure, 5, "altered");
}

#[test]
fn a_deleted_entry_is_named_as_missing() {
    let failure = verify_after(
        "DROP TRIGGER journal_refuses_delete;
         DELETE FROM journal WHERE seq = 4;",
    );
    assert_entry_named(failure, 4, "missing");
}

#[test]
fn a_deleted_last_entry_shows_in_the_state() {
    let failure = verify_after_forgery("DELETE FROM journal WHERE seq = 8", None);
    match failure {
        VerifyFailure::StateDiffers { table, key, detail } => {
            // The lost entry returned PC-0001: the asset is the first record it leaves behind.
            assert_eq!((table.as_str(), key.as_str()), ("assets", "1"));
            assert!(
                detail.contains("status") && detail.contains("'available'"),
                "{detail}"
            );
        }
        other => panic!("expected the asset the lost entry returned, got {other}"),
    }
}

#[test]
fn an_edited_state_table_names_table_record_and_column() {
    let failure = verify_after("UPDATE assets SET status = 'lost' WHERE tag = 'PC-0002';");
    match failure {
        VerifyFailure::StateDiffers { table, key, detail } => {
            assert_eq!((table.as_str(), key.as_str()), ("assets", "2"));
            assert!(
                detail.contains("status")
                    && detail.contains("'lost'")
                    && detail.contains("'on_loan'"),
                "{detail}"
            );
        }
        other => panic!("expected the edited asset, got {other}"),
    }
}

#[test]
fn a_row_added_behind_the_journal_is_found() {
    let failure =
        verify_after("INSERT INTO organisations (id, name, kind) VALUES (7, '幽霊', 'partner');");
    match failure {
        VerifyFailure::StateDiffers { table, key, detail } => {
            assert_eq!((table.as_str(), key.as_str()), ("organisations", "7"));
            assert!(detail.contains("no journal entry"), "{detail}");
        }
        other => panic!("expected the unjournaled organisation, got {other}"),
    }
}

#[test]
fn one_open_loan_per_asset_is_enforced_by_the_store_itself() {
    on_both_engines(|path| {
        let mut store = sample(path);
        let now = at("2026-11-03T00:00:00Z");
        let result = store.write(|w| {
            let loan = Loan {
                id: LoanId(3),
                asset_id: AssetId(2),
                custodian_id: PersonId(1),
                issued_at: now,
                issued_by: None,
                due_on: None,
                place: None,
                site_id: None,
            };
            w.apply(&Event::LoanIssued { loan }, None, now)
        });
        assert!(
            result.is_err(),
            "a second open loan of PC-0002 must be refused by the unique index"
        );
        assert_eq!(
            store.read().journal_head().unwrap().0,
            8,
            "and nothing journaled"
        );
    });
}

#[test]
fn custody_as_of_reads_loan_periods() {
    on_both_engines(|path| {
        let store = sample(path);
        let held = |t: &str| -> Vec<String> {
            store
                .read()
                .custody_as_of(&ReadScope::Everything, at(t), None)
                .unwrap()
                .into_iter()
                .map(|l| l.tag)
                .collect()
        };
        assert!(
            held("2026-10-31T23:59:59Z").is_empty(),
            "before the issue nothing was held"
        );
        assert_eq!(
            held("2026-11-01T00:00:00Z"),
            ["PC-0001", "PC-0002"],
            "issued at that very instant"
        );
        assert_eq!(
            held("2026-11-02T00:00:00Z"),
            ["PC-0002"],
            "returned at that instant"
        );
    });
}

#[test]
fn backup_and_restore_give_a_store_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(&dir.path().join("s.db"));
    let backup = dir.path().join("backup.db");
    store.backup(&backup).unwrap();
    let restored = Store::restore(&backup, &dir.path().join("restored.db")).unwrap();
    assert_eq!(
        restored.verify().unwrap().head,
        store.verify().unwrap().head
    );
    let again = Store::restore(&backup, &dir.path().join("restored.db")).unwrap_err();
    assert!(
        matches!(again, StoreError::AlreadyExists(_)),
        "restore never overwrites a store: {again}"
    );
}

#[test]
fn a_tampered_backup_is_not_restored() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(&dir.path().join("s.db"));
    let backup = dir.path().join("backup.db");
    store.backup(&backup).unwrap();
    raw(&backup)
        .execute("UPDATE people SET name = '別人' WHERE id = 1", [])
        .unwrap();
    let target = dir.path().join("restored.db");
    let err = Store::restore(&backup, &target).unwrap_err();
    assert!(matches!(err, StoreError::BadBackup(_)), "{err}");
    assert!(
        !target.exists(),
        "nothing is left where the store would have been"
    );
}

#[test]
fn an_entry_whose_instant_or_actor_was_changed_is_named() {
    for tamper in [
        "UPDATE journal SET at = '2026-11-01T12:00:00.000Z' WHERE seq = 5",
        "UPDATE journal SET actor = 1 WHERE seq = 5",
    ] {
        assert_entry_named(verify_after_forgery(tamper, None), 5, "altered");
    }
}

#[test]
fn a_forged_entry_in_the_old_form_is_refused_after_the_new_one() {
    // Appended with sha256(prev ‖ event), the rule of form 1: the journal never goes back.
    let forged = r#"{"account_id":1,"type":"account_disabled"}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = sample(&path);
    let (seq, head) = store.read().journal_head().unwrap();
    drop(store);
    let hash = journal::chain_hash(&head, forged);
    raw(&path)
        .execute(
            "INSERT INTO journal (seq, at, actor, event, prev_hash, hash, form)
             VALUES (?1, '2026-11-03T00:00:00.000Z', NULL, ?2, ?3, ?4, 1)",
            rusqlite::params![seq + 1, forged, head, hash],
        )
        .unwrap();
    match Store::open(&path).unwrap().verify().unwrap_err() {
        VerifyFailure::Entry { seq: named, reason } => {
            assert_eq!(named, seq + 1);
            assert!(reason.contains("never goes back"), "{reason}");
        }
        other => panic!("expected the forged entry to be named, got {other}"),
    }
}

#[test]
fn a_rechained_journal_fails_against_the_head_printed_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(sample(&path));
    let printed = {
        let store = Store::open(&path).unwrap();
        let (seq, hash) = store.read().journal_head().unwrap();
        journal::Head { seq, hash }
    };
    // Someone who knows the rule rewrites entry 7 (the place PC-0002 is kept) and every hash
    // after it, and the table it changed: the chain is whole again and replay agrees.
    let conn = raw(&path);
    conn.execute_batch(&behind_the_triggers(
        "UPDATE journal SET event = replace(event, '自宅', '自室') WHERE seq = 7;
         UPDATE loans SET place = '自室' WHERE id = 2",
    ))
    .unwrap();
    let rows: Vec<(i64, String, Option<i64>, String)> = conn
        .prepare("SELECT seq, at, actor, event FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = journal::GENESIS.to_string();
    for (seq, at_text, actor, event) in rows {
        let hash = forged_hash(&prev, seq, &at_text, actor, &event);
        conn.execute(
            "UPDATE journal SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    restore_triggers(&conn);
    drop(conn);
    let store = Store::open(&path).unwrap();
    store
        .verify()
        .expect("a journal rewritten by someone who knows the rule passes on its own");
    match store.verify_with(Some(&printed), &mut |_, _| {}) {
        Err(VerifyFailure::HeadMissing { reason, .. }) => {
            assert!(reason.contains("rewritten or replaced"), "{reason}")
        }
        other => panic!("the head printed before must expose the rewrite, got {other:?}"),
    }
}

#[test]
fn a_store_swapped_for_its_older_backup_fails_against_the_later_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = sample(&path);
    let older = dir.path().join("older.db");
    store.backup(&older).unwrap();
    store
        .write(|w| {
            w.apply(
                &Event::LoanReturned {
                    loan_id: LoanId(2),
                    asset_id: AssetId(2),
                    returned_at: at("2026-11-03T00:00:00Z"),
                    returned_to: None,
                    condition: ReturnCondition::Damaged,
                    note: None,
                    asset_status: AssetStatus::InRepair,
                },
                None,
                at("2026-11-03T00:00:00Z"),
            )
        })
        .unwrap();
    let (seq, hash) = store.read().journal_head().unwrap();
    let later = journal::Head { seq, hash };
    assert!(store.verify_with(Some(&later), &mut |_, _| {}).is_ok());
    let swapped = Store::open(&older).unwrap();
    swapped
        .verify()
        .expect("the older copy is a whole store of its own");
    match swapped.verify_with(Some(&later), &mut |_, _| {}) {
        Err(VerifyFailure::HeadMissing { reason, .. }) => {
            assert!(reason.contains("cut back"), "{reason}")
        }
        other => panic!("an older copy must fail against the later head, got {other:?}"),
    }
}

#[test]
fn an_entry_earlier_than_the_one_before_is_named() {
    // Re-chained from entry 8 on, so only the order of time is wrong.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(sample(&path));
    let conn = raw(&path);
    conn.execute_batch(&behind_the_triggers(
        "UPDATE journal SET at = '2026-10-01T00:00:00.000Z' WHERE seq = 8",
    ))
    .unwrap();
    let (prev, at_text, event): (String, String, String) = conn
        .query_row(
            "SELECT prev_hash, at, event FROM journal WHERE seq = 8",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let hash = forged_hash(&prev, 8, &at_text, None, &event);
    conn.execute("UPDATE journal SET hash = ?1 WHERE seq = 8", [hash])
        .unwrap();
    restore_triggers(&conn);
    drop(conn);
    assert_entry_named(
        Store::open(&path).unwrap().verify().unwrap_err(),
        8,
        "earlier than the entry before",
    );
}

#[test]
fn the_write_path_refuses_an_instant_before_the_head_and_writes_nothing() {
    on_both_engines(|path| {
        let mut store = sample(path);
        let before = store.read().journal_head().unwrap();
        let result = store.write(|w| {
            w.apply(
                &Event::AccountDisabled {
                    account_id: AccountId(1),
                },
                None,
                at("2026-11-01T23:59:59Z"),
            )
        });
        assert!(
            matches!(result, Err(StoreError::ClockBehind { .. })),
            "{result:?}"
        );
        assert_eq!(store.read().journal_head().unwrap(), before);
    });
}

#[test]
fn an_event_that_would_not_read_back_is_refused() {
    on_both_engines(|path| {
        let mut store = sample(path);
        let before = store.read().journal_head().unwrap();
        let year_zero = chrono::NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        let result = store.write(|w| {
            w.apply(
                &Event::LoanIssued {
                    loan: Loan {
                        id: LoanId(3),
                        asset_id: AssetId(1),
                        custodian_id: PersonId(1),
                        issued_at: at("2026-11-03T00:00:00Z"),
                        issued_by: None,
                        due_on: Some(year_zero),
                        place: None,
                        site_id: None,
                    },
                },
                None,
                at("2026-11-03T00:00:00Z"),
            )
        });
        assert!(
            matches!(result, Err(StoreError::UnreadableEvent(_))),
            "{result:?}"
        );
        assert_eq!(store.read().journal_head().unwrap(), before);
        store.verify().unwrap();
    });
}

#[test]
fn a_return_written_before_its_issue_is_named_by_verify() {
    on_both_engines(|path| {
        // The api refuses it (rules::check_return_time); a writer that skipped the rule is caught.
        let mut store = sample(path);
        store
            .write(|w| {
                w.apply(
                    &Event::LoanReturned {
                        loan_id: LoanId(2),
                        asset_id: AssetId(2),
                        returned_at: at("2026-10-01T00:00:00Z"),
                        returned_to: None,
                        condition: ReturnCondition::Ok,
                        note: None,
                        asset_status: AssetStatus::Available,
                    },
                    None,
                    at("2026-11-03T00:00:00Z"),
                )
            })
            .unwrap();
        assert_entry_named(store.verify().unwrap_err(), 9, "before it was issued");
    });
}

#[test]
fn a_password_hash_swapped_behind_the_journal_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = sample(&path);
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    store
        .write(|w| {
            let account = Account {
                id: AccountId(1),
                login: "office".into(),
                person_id: None,
                roles: vec![Role::SecurityOffice],
                password_hash: None,
            };
            let now = at("2026-11-03T00:00:00Z");
            w.apply(&Event::AccountAdded { account }, None, now)?;
            w.apply(
                &Event::PasswordSet {
                    account_id: AccountId(1),
                    must_change: false,
                    digest: journal::credential_digest(hash),
                },
                None,
                now,
            )?;
            w.keep_password_hash(AccountId(1), hash)
        })
        .unwrap();
    store.verify().unwrap();
    drop(store);
    raw(&path)
        .execute(
            "UPDATE credentials SET password_hash = '$argon2id$v=19$m=19456,t=2,p=1$YXR0YWNrZXI$b3duZWQ' WHERE account_id = 1",
            [],
        )
        .unwrap();
    match Store::open(&path).unwrap().verify().unwrap_err() {
        VerifyFailure::StateDiffers { table, key, detail } => {
            assert_eq!((table.as_str(), key.as_str()), ("credentials", "1"));
            assert!(detail.contains("behind the journal"), "{detail}");
        }
        other => panic!("expected the swapped hash to be found, got {other}"),
    }
    raw(&path).execute("DELETE FROM credentials", []).unwrap();
    let missing = Store::open(&path)
        .unwrap()
        .verify()
        .unwrap_err()
        .to_string();
    assert!(missing.contains("no longer holds"), "{missing}");
}

#[test]
fn verify_compares_every_table_the_schema_has_but_the_five_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(&dir.path().join("s.db"));
    let report = store.verify().unwrap();
    let all: Vec<String> = raw(store.path())
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let left_out: Vec<&String> = all.iter().filter(|t| !report.tables.contains(t)).collect();
    assert_eq!(
        left_out,
        [
            "answered_requests",
            "credentials",
            "journal",
            "refinery_schema_history",
            "server_sessions"
        ],
        "a table a migration adds is compared unless verify says why not"
    );
}

#[test]
fn a_dropped_trigger_or_an_added_index_is_reported_and_not_restored() {
    for (tamper, named) in [
        ("DROP TRIGGER journal_refuses_update", "trigger journal_refuses_update is missing"),
        ("CREATE INDEX sneaky ON people (email)", "index sneaky is not made by any migration"),
        (
            "CREATE TRIGGER sqlitex_quiet AFTER INSERT ON journal BEGIN SELECT 1; END",
            "trigger sqlitex_quiet is not made by any migration",
        ),
        (
            "DROP TRIGGER journal_time_moves_forward;
             CREATE TRIGGER journal_time_moves_forward BEFORE INSERT ON journal BEGIN SELECT 1; END",
            "trigger journal_time_moves_forward differs",
        ),
    ] {
        match verify_after(tamper) {
            VerifyFailure::Schema(detail) => assert!(detail.contains(named), "{detail}"),
            other => panic!("{tamper}: expected the schema to be named, got {other}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let store = sample(&dir.path().join("s.db"));
        let backup = dir.path().join("backup.db");
        store.backup(&backup).unwrap();
        raw(&backup).execute_batch(tamper).unwrap();
        let err = Store::restore(&backup, &dir.path().join("r.db")).unwrap_err();
        assert!(err.to_string().contains(named), "{tamper}: {err}");
    }
}

#[test]
fn verify_beside_a_writer_never_reports_tampering() {
    on_both_engines(|path| {
        drop(sample(path));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let path = path.to_path_buf();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let mut written = 0;
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 2_000 {
                    n += 1;
                    let now = Instant::from_utc(
                        at("2026-11-03T00:00:00Z").utc() + chrono::Duration::seconds(n),
                    );
                    store
                        .write(|w| {
                            let person = Person {
                                id: PersonId(w.next_id(IdTable::People)?),
                                name: format!("人 {n}"),
                                kana: None,
                                organisation_id: OrganisationId(1),
                                email: None,
                                employee_number: None,
                                active: true,
                            };
                            w.apply(&Event::PersonAdded { person }, None, now)
                        })
                        .unwrap();
                    written += 1;
                }
                written
            })
        };
        let reader = Store::open(path).unwrap();
        let mut runs = 0;
        let mut seen = Vec::new();
        while runs < 30 {
            let report = reader.verify().unwrap_or_else(|failure| {
                panic!("run {runs}: a concurrent write was reported: {failure}")
            });
            seen.push(report.entries);
            runs += 1;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written = writer.join().unwrap();
        assert!(written > 0);
        seen.dedup();
        assert!(
            seen.len() > 1,
            "verify ran while the journal grew (entries seen: {seen:?})"
        );
    });
}

fn register(w: &mut azukari_store::Writer<'_>, tag: &str) -> Result<i64, StoreError> {
    let now = at("2026-11-03T00:00:00Z");
    let asset = laptop(w.next_id(IdTable::Assets)?, tag, now);
    w.apply(&Event::AssetRegistered { asset }, None, now)
}

#[test]
fn writes_committed_together_stand_or_fall_each_and_are_kept_only_at_the_commit() {
    on_both_engines(|path| {
        let mut store = sample(path);
        let (before, _) = store.read().journal_head().unwrap();
        // Another connection, as another process's.
        let outside = Store::open(path).unwrap();
        let seen_outside = |tag: &str| outside.read().asset_state(tag).unwrap().is_some();
        let (first, refused, rehearsed, last, outside) = Store::together(&mut store, |store| {
            let first = store.write(|w| register(w, "PC-0003"));
            let refused = store.write(|w| -> Result<i64, StoreError> {
                register(w, "PC-0004")?;
                Err(StoreError::NotInitialised)
            });
            let rehearsed = store.rehearse(|w| register(w, "PC-0005"));
            let last = store.write(|w| register(w, "PC-0006"));
            // Until the group commits, no other connection sees any of it.
            (first, refused, rehearsed, last, seen_outside("PC-0003"))
        })
        .unwrap();
        assert!(
            !outside,
            "a write of an uncommitted group was seen outside it"
        );
        assert_eq!(first.unwrap(), before + 1);
        assert!(matches!(refused, Err(StoreError::NotInitialised)));
        assert_eq!(
            rehearsed.unwrap(),
            before + 2,
            "a rehearsal takes the next seq"
        );
        assert_eq!(
            last.unwrap(),
            before + 2,
            "the refusal and the rehearsal left no gap"
        );
        for (tag, kept) in [
            ("PC-0003", true),
            ("PC-0004", false),
            ("PC-0005", false),
            ("PC-0006", true),
        ] {
            assert_eq!(seen_outside(tag), kept, "{tag}");
        }
        let report = store.verify().unwrap();
        assert_eq!(report.entries, before + 2);
    });
}

#[test]
fn a_group_that_panics_writes_nothing_and_the_store_goes_on() {
    on_both_engines(|path| {
        let mut store = sample(path);
        let (before, _) = store.read().journal_head().unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Store::together(&mut store, |store| {
                store.write(|w| register(w, "PC-0003")).unwrap();
                panic!("a bug in the middle of a group");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(store.read().journal_head().unwrap().0, before);
        assert!(store.read().asset_state("PC-0003").unwrap().is_none());
        store.write(|w| register(w, "PC-0003")).unwrap();
        assert_eq!(store.verify().unwrap().entries, before + 1);
    });
}

/// SQLite is built with a page cache for each connection and without memory statistics (see
/// `.cargo/config.toml`): as rusqlite bundles it, every connection of the office server shared
/// one cache behind one lock, and readers under load slept on it while cores stood idle.
#[test]
fn sqlite_is_built_without_the_shared_page_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("office.db");
    drop(sample(&path));
    let options: Vec<String> = raw(&path)
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
}
