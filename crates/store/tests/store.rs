//! The store against real SQLite files in a temporary folder.

use azukari_domain::*;
use azukari_store::{IdTable, Store, StoreError, VerifyFailure, network_filesystem};
use rusqlite::Connection;
use std::path::Path;

fn at(text: &str) -> Instant {
    text.parse().unwrap()
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
                let asset = Asset {
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
                    registered_at: now,
                };
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

#[test]
fn a_changed_byte_in_a_payload_names_that_entry() {
    let failure = verify_after(
        "DROP TRIGGER journal_refuses_update;
         UPDATE journal SET event = replace(event, '自宅', '自室') WHERE seq = 5;",
    );
    match failure {
        VerifyFailure::Entry { seq, reason } => {
            assert_eq!(seq, 5);
            assert!(reason.contains("altered"), "{reason}");
        }
        other => panic!("expected the altered entry to be named, got {other}"),
    }
}

#[test]
fn a_deleted_entry_is_named_as_missing() {
    let failure = verify_after(
        "DROP TRIGGER journal_refuses_delete;
         DELETE FROM journal WHERE seq = 4;",
    );
    match failure {
        VerifyFailure::Entry { seq, reason } => {
            assert_eq!(seq, 4);
            assert!(reason.contains("missing"), "{reason}");
        }
        other => panic!("expected the deleted entry to be named, got {other}"),
    }
}

#[test]
fn a_deleted_last_entry_shows_in_the_state() {
    let failure = verify_after(
        "DROP TRIGGER journal_refuses_delete;
         DELETE FROM journal WHERE seq = 8;",
    );
    match failure {
        VerifyFailure::StateDiffers { table, key, detail } => {
            // The lost entry returned PC-0001: the asset is the first record it leaves behind.
            assert_eq!((table, key.as_str()), ("assets", "1"));
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
            assert_eq!((table, key.as_str()), ("assets", "2"));
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
            assert_eq!((table, key.as_str()), ("organisations", "7"));
            assert!(detail.contains("no journal entry"), "{detail}");
        }
        other => panic!("expected the unjournaled organisation, got {other}"),
    }
}

#[test]
fn one_open_loan_per_asset_is_enforced_by_the_store_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample(&dir.path().join("s.db"));
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
}

#[test]
fn custody_as_of_reads_loan_periods() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(&dir.path().join("s.db"));
    let held = |t: &str| -> Vec<String> {
        store
            .read()
            .custody_as_of(at(t), None)
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

const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:40 / /mnt/share rw,relatime shared:12 - nfs4 server:/export rw,vers=4.2
31 22 0:41 / /mnt/office\\040files rw - cifs //nas/office rw
32 30 8:2 / /mnt/share/local rw - ext4 /dev/sdb1 rw
";

#[test]
fn network_file_systems_are_recognised_by_the_longest_mount() {
    assert_eq!(network_filesystem(MOUNTINFO, Path::new("/home/me")), None);
    assert_eq!(
        network_filesystem(MOUNTINFO, Path::new("/mnt/share/x")).as_deref(),
        Some("nfs4")
    );
    assert_eq!(
        network_filesystem(MOUNTINFO, Path::new("/mnt/office files/a")).as_deref(),
        Some("cifs")
    );
    assert_eq!(
        network_filesystem(MOUNTINFO, Path::new("/mnt/share/local/y")),
        None,
        "a local disk mounted inside a share is local"
    );
}
