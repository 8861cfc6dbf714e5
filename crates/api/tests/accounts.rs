//! Passwords and locks as an office lives with them: change your own, a reset that must be
//! changed at the next login, unlock, re-enable, locks that grow, and logins that tell nothing.

mod common;

use azukari_api::domain::*;
use azukari_api::*;
use common::*;

fn minutes(n: i64) -> Instant {
    Instant::from_utc(now().utc() + chrono::Duration::minutes(n))
}

fn fail_five_times(f: &mut Fixture, login: &str, from_minute: i64) -> Failure {
    for i in 0..4 {
        f.desk
            .login(login, "wrong password!", minutes(from_minute + i))
            .unwrap_err();
    }
    f.desk
        .login(login, "wrong password!", minutes(from_minute + 4))
        .unwrap_err()
}

#[test]
fn each_lock_in_a_row_lasts_twice_as_long_until_a_good_login() {
    let mut f = fixture();
    f.account("tanaka", vec![Role::Custodian], None);
    let locked = |failure: Failure| match failure {
        Failure::Refused(rules::Refusal::AccountLocked { until }) => until,
        other => panic!("expected a lock, got {other}"),
    };
    assert_eq!(
        locked(fail_five_times(&mut f, "tanaka", 0)),
        minutes(4 + 15)
    );
    assert_eq!(
        locked(fail_five_times(&mut f, "tanaka", 20)),
        minutes(24 + 30)
    );
    assert_eq!(
        locked(fail_five_times(&mut f, "tanaka", 60)),
        minutes(64 + 60)
    );
    f.desk
        .login("tanaka", PASSWORD, minutes(130))
        .expect("after the lock ends the right password works");
    assert_eq!(
        locked(fail_five_times(&mut f, "tanaka", 140)),
        minutes(144 + 15),
        "a good login starts the doubling over"
    );
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn the_office_unlocks_at_once_and_the_count_starts_over() {
    let mut f = fixture();
    f.account("tanaka", vec![Role::Custodian], None);
    fail_five_times(&mut f, "tanaka", 0);
    assert_eq!(
        f.desk
            .login("tanaka", PASSWORD, minutes(5))
            .unwrap_err()
            .code(),
        "account_locked"
    );
    f.desk
        .unlock_account(&f.admin, "tanaka", minutes(6))
        .unwrap();
    f.desk
        .login("tanaka", PASSWORD, minutes(6))
        .expect("unlocked at once");
    let custodian = f.desk.login("tanaka", PASSWORD, minutes(6)).unwrap();
    assert_eq!(
        f.desk
            .unlock_account(&custodian, "tanaka", minutes(7))
            .unwrap_err()
            .code(),
        "forbidden",
        "only the office unlocks"
    );
}

#[test]
fn a_reset_password_must_be_changed_before_anything_else() {
    let mut f = fixture();
    f.person("田中 一郎");
    f.account("tanaka", vec![Role::Custodian], Some("田中 一郎"));
    let head = f.head();
    f.desk
        .reset_password(&f.admin, "tanaka", "temporary-123", minutes(1))
        .unwrap();
    assert_eq!(f.head(), head + 1, "one entry: that a password was set");
    assert_eq!(
        f.desk
            .login("tanaka", PASSWORD, minutes(2))
            .unwrap_err()
            .code(),
        "wrong_password",
        "the old password is gone"
    );
    let session = f.desk.login("tanaka", "temporary-123", minutes(2)).unwrap();
    assert!(session.must_change_password);
    let refused = f
        .desk
        .asset_page(&session, &Default::default())
        .unwrap_err();
    assert_eq!(refused.code(), "password_change_required");
    assert_eq!(
        f.desk
            .change_password(&session, "temporary-123", "temporary-123", minutes(3))
            .unwrap_err()
            .code(),
        "invalid_input",
        "the new password differs from the reset one"
    );
    assert_eq!(
        f.desk
            .change_password(&session, "not it", "my own password", minutes(3))
            .unwrap_err()
            .code(),
        "wrong_password",
        "the current password is asked again"
    );
    f.desk
        .change_password(&session, "temporary-123", "my own password", minutes(3))
        .unwrap();
    let session = f
        .desk
        .login("tanaka", "my own password", minutes(4))
        .unwrap();
    assert!(!session.must_change_password);
    f.desk.asset_page(&session, &Default::default()).unwrap();
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
    let rows = f.desk.accounts(&f.admin).unwrap();
    assert!(rows.iter().all(|a| !a.must_change_password));
}

#[test]
fn a_disabled_account_is_enabled_again_by_the_office() {
    let mut f = fixture();
    f.account("tanaka", vec![Role::Custodian], None);
    f.desk
        .disable_account(&f.admin, "tanaka", minutes(1))
        .unwrap();
    assert_eq!(
        f.desk
            .login("tanaka", PASSWORD, minutes(2))
            .unwrap_err()
            .code(),
        "account_disabled"
    );
    f.desk
        .enable_account(&f.admin, "tanaka", minutes(3))
        .unwrap();
    f.desk.login("tanaka", PASSWORD, minutes(4)).unwrap();
}

#[test]
fn an_unknown_login_takes_as_long_as_a_wrong_password() {
    let mut f = fixture();
    f.account("tanaka", vec![Role::Custodian], None);
    let time = |f: &mut Fixture, login: &str, minute: i64| {
        let started = std::time::Instant::now();
        let refused = f
            .desk
            .login(login, "wrong password!", minutes(minute))
            .unwrap_err();
        assert_eq!(refused.code(), "wrong_password", "the same answer");
        started.elapsed()
    };
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..4 {
        known.push(time(&mut f, "tanaka", i));
        unknown.push(time(&mut f, "nobody", i));
    }
    known.sort();
    unknown.sort();
    let (known, unknown) = (known[1], unknown[1]);
    let gap = known.abs_diff(unknown);
    // Both sit on the refusal floor (250 ms) far above the work's own time, so what is left
    // between them is the scheduler's noise, not the journal write of a known login.
    assert!(
        gap < std::time::Duration::from_millis(60),
        "known {known:?} vs unknown {unknown:?}"
    );
    assert!(unknown >= std::time::Duration::from_millis(250));
}

#[test]
fn guessing_the_current_password_counts_towards_the_lock() {
    let mut f = fixture();
    let session = f.account("tanaka", vec![Role::Custodian], None);
    for i in 0..4 {
        let refused = f
            .desk
            .change_password(&session, "a guess", "my own password", minutes(i))
            .unwrap_err();
        assert_eq!(refused.code(), "wrong_password");
    }
    let refused = f
        .desk
        .change_password(&session, "a guess", "my own password", minutes(4))
        .unwrap_err();
    assert_eq!(
        refused.code(),
        "account_locked",
        "the fifth guess locks, as at login"
    );
    assert_eq!(
        f.desk
            .change_password(&session, PASSWORD, "my own password", minutes(5))
            .unwrap_err()
            .code(),
        "account_locked",
        "even the right one waits for the lock"
    );
}

/// The office server checks a password away from the writer, against the hash read on a
/// reader; the writer trusts that verdict only for the same account with the same hash.
#[test]
fn a_password_checked_beforehand_counts_only_while_the_account_keeps_that_hash() {
    let mut f = fixture();
    f.account("tanaka", vec![Role::Custodian], None);
    f.account("suzuki", vec![Role::Custodian], None);
    let hash = |f: &Fixture, login: &str| f.desk.password_hash_of(login).unwrap();
    let start = |f: &mut Fixture, login: &str, password: &str, checked, minute| {
        f.desk.start_session(
            login,
            password,
            Some(checked),
            "pc",
            minutes(minute),
            SessionLimits::default(),
        )
    };

    // Checked beforehand and still so: the session starts.
    let checked = CheckedPassword::check("tanaka", hash(&f, "tanaka"), PASSWORD);
    start(&mut f, "tanaka", PASSWORD, &checked, 1).unwrap();

    // A wrong password checked beforehand is refused, and counts towards the lock as any.
    let before = f.head();
    let wrong = CheckedPassword::check("tanaka", hash(&f, "tanaka"), "wrong password!");
    let refused = start(&mut f, "tanaka", "wrong password!", &wrong, 2).unwrap_err();
    assert_eq!(refused.code(), "wrong_password");
    assert_eq!(f.head(), before + 1, "the failure is journaled");

    // The password is reset between the check and the write: the old one no longer opens.
    let old = CheckedPassword::check("tanaka", hash(&f, "tanaka"), PASSWORD);
    f.desk
        .reset_password(&f.admin, "tanaka", "temporary-123", minutes(3))
        .unwrap();
    let refused = start(&mut f, "tanaka", PASSWORD, &old, 4).unwrap_err();
    assert_eq!(
        refused.code(),
        "wrong_password",
        "checked again on the writer"
    );

    // A verdict for one account opens no other, even with the same password.
    let tanakas = CheckedPassword::check("tanaka", hash(&f, "tanaka"), "temporary-123");
    let refused = start(&mut f, "suzuki", "temporary-123", &tanakas, 5).unwrap_err();
    assert_eq!(refused.code(), "wrong_password");

    // No such account, checked beforehand against the decoy: refused the same way.
    let nobody = CheckedPassword::check("nobody", hash(&f, "nobody"), PASSWORD);
    assert!(hash(&f, "nobody").is_none());
    let refused = start(&mut f, "nobody", PASSWORD, &nobody, 6).unwrap_err();
    assert_eq!(refused.code(), "wrong_password");
}
