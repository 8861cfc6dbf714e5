//! Secrets stay out of the journal, read beside the store as anyone holding the file or the
//! database's password would. On the engine of the run (`AZUKARI_TEST_STORE`, see
//! crates/pg-harness).

use azukari_api::domain::*;
use azukari_api::*;

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

#[test]
fn no_password_hash_enters_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = azukari_pg_harness::test_store(dir.path(), "azukari.db");
    let mut desk = Desk::open(&path).unwrap();
    let admin = desk
        .init(
            "株式会社サンプル",
            "admin",
            "admin password",
            "Asia/Tokyo",
            at("2026-11-01T00:00:00Z"),
        )
        .unwrap();
    let account = NewAccount {
        login: "tanaka".into(),
        password: "first password".into(),
        roles: vec![Role::Custodian],
        person: None,
    };
    desk.add_account(&admin, account, at("2026-11-01T00:01:00Z"))
        .unwrap();
    desk.reset_password(
        &admin,
        "tanaka",
        "temporary-123",
        at("2026-11-01T00:02:00Z"),
    )
    .unwrap();
    let session = desk
        .login("tanaka", "temporary-123", at("2026-11-01T00:03:00Z"))
        .unwrap();
    desk.change_password(
        &session,
        "temporary-123",
        "my own password",
        at("2026-11-01T00:04:00Z"),
    )
    .unwrap();
    drop(desk);
    // A connection of its own, as another program's.
    let beside = Desk::open(&path).unwrap();
    let entries: Vec<String> = beside
        .store()
        .database()
        .query_map("SELECT event FROM journal", &[], |row| row.get(0))
        .unwrap();
    assert!(entries.iter().any(|e| e.contains("password_set")));
    assert!(
        entries.iter().all(|e| !e.contains("argon2")),
        "a hash in the journal would be kept for ever"
    );
}
