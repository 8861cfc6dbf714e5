//! Stores written by earlier releases open, migrate and verify with today's code, and keep
//! working: `fixtures/stores/v1.db` was written before the journal covered whole entries.

use azukari_api::domain::journal::Head;
use azukari_api::domain::*;
use azukari_api::*;
use std::path::{Path, PathBuf};

fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/stores")
        .join(name);
    let to = dir.path().join("azukari.db");
    std::fs::copy(&from, &to).unwrap();
    (dir, to)
}

/// What every account of a V1 store must do first: choose a new password (at `changed`), then
/// log in with it (at `logged_in`).
fn new_office_password(
    desk: &mut Desk,
    first: &Session,
    changed: Instant,
    logged_in: Instant,
) -> Session {
    desk.change_password(first, "office-password", "office-new-password", changed)
        .unwrap();
    desk.login("office", "office-new-password", logged_in)
        .unwrap()
}

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// The head the release that wrote v1.db printed (`azukari verify` at the end of make-v1.sh).
const V1_HEAD: &str = "36:0beb6d452e7cec725c34d6c40c44b2db579e85243f5e4b2ee03995cfe4339980";

#[test]
fn a_v1_store_opens_migrates_and_verifies_against_the_head_it_printed() {
    let (_dir, path) = copy_of("v1.db");
    let mut desk = Desk::open(&path).unwrap();
    let first = desk
        .login("office", "office-password", at("2026-11-01T00:00:00Z"))
        .expect("the password set before secrets left the journal still works");
    // Its hash is in the old journal for good, so it must be changed before anything else.
    assert!(first.must_change_password);
    assert_eq!(
        desk.verify(&first, None, &mut |_, _| {})
            .unwrap_err()
            .code(),
        "password_change_required"
    );
    let office = new_office_password(
        &mut desk,
        &first,
        at("2026-11-01T00:00:30Z"),
        at("2026-11-01T00:00:40Z"),
    );
    let printed: Head = V1_HEAD.parse().unwrap();
    let report = desk
        .verify(&office, Some(&printed), &mut |_, _| {})
        .expect("a store of the earlier release verifies, its old entries by their old rule");
    assert_eq!(report.entries, 37, "36 and the new password");

    // Returned damaged before status periods existed: V5 opened its repair period from the
    // return, as replaying that return does now (verify just compared the two).
    let usb = desk.asset(&office, "USB-0001").unwrap();
    assert_eq!(usb.statuses.len(), 1);
    assert_eq!(usb.statuses[0].status, AssetStatus::InRepair);
    assert_eq!(usb.statuses[0].began_at, at("2026-04-10T00:00:00Z"));
    assert_eq!(usb.statuses[0].note.as_deref(), Some("端子の破損"));
    assert_eq!(usb.statuses[0].ended_at, None);

    // The custodian was locked, logged in, then locked again: one lock since the last
    // success, so the next one lasts twice as long.
    let custodian = desk
        .store()
        .read()
        .credentials("takahashi")
        .unwrap()
        .unwrap();
    assert_eq!(
        custodian.locks_in_a_row, 1,
        "counted from the journal by V2"
    );
    assert!(custodian.password_hash.is_some(), "moved to credentials");

    // New entries are written in the new form after the old ones, and the whole verifies.
    let later = at("2026-11-01T00:01:00Z");
    desk.unlock_account(&office, "takahashi", later).unwrap();
    desk.reset_password(&office, "leaver", "a-new-password", later)
        .unwrap();
    let report = desk
        .verify(&office, Some(&printed), &mut |_, _| {})
        .unwrap();
    assert_eq!(report.entries, 39, "and the unlock and the reset");
    let forms: Vec<i64> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT form FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(forms[..36], [1; 36]);
    assert_eq!(forms[36..], [2, 2, 2]);

    let custodian = desk
        .login("takahashi", "custodian-password", later)
        .expect("unlocked");
    desk.change_password(
        &custodian,
        "custodian-password",
        "custodian-new-password",
        later,
    )
    .unwrap();
    let custodian = desk
        .login("takahashi", "custodian-new-password", later)
        .unwrap();
    let held: Vec<String> = desk
        .asset_page(
            &custodian,
            &azukari_api::domain::view::AssetQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|row| row.tag)
        .collect();
    assert_eq!(
        held,
        ["PC-0001", "PH-0001"],
        "what 髙橋 holds, and nothing else"
    );
}

#[test]
fn the_v1_journal_still_carries_its_old_password_hashes_but_new_entries_do_not() {
    let (_dir, path) = copy_of("v1.db");
    let mut desk = Desk::open(&path).unwrap();
    let first = desk
        .login("office", "office-password", at("2026-11-01T00:00:00Z"))
        .unwrap();
    let now = at("2026-11-01T00:00:00Z");
    let office = new_office_password(&mut desk, &first, now, now);
    let account = NewAccount {
        login: "newcomer".into(),
        password: "newcomer-password".into(),
        roles: vec![Role::Custodian],
        person: None,
    };
    desk.add_account(&office, account, at("2026-11-01T00:01:00Z"))
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let with_hash = |form: i64| -> i64 {
        conn.query_row(
            "SELECT COUNT(*) FROM journal WHERE form = ?1 AND event LIKE '%$argon2id$%'",
            [form],
            |row| row.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        with_hash(1),
        5,
        "the chain cannot be rewritten: old entries keep theirs"
    );
    assert_eq!(with_hash(2), 0, "no secret enters the journal any more");
}
