//! Custody use-cases and their refusals, through the real api on a real file.

mod common;

use azukari_api::domain::*;
use azukari_api::*;
use common::*;

fn issue(f: &mut Fixture, tag: &str, to: &str, due: Option<&str>) -> Result<LoanId, Failure> {
    let loan = IssueLoan {
        tag: tag.into(),
        to: PersonRef::Name(to.into()),
        due: due.map(|d| d.parse().unwrap()),
        place: Some("自宅 書斎".into()),
        site: None,
    };
    f.desk.issue_loan(&f.admin.clone(), loan, now())
}

/// Runs a use-case that must be refused, and checks the code and that nothing was written.
fn refused(
    f: &mut Fixture,
    code: &str,
    run: impl FnOnce(&mut Fixture) -> Result<(), Failure>,
) -> String {
    let before = f.head();
    let err = run(f).expect_err("must be refused");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(f.head(), before, "a refusal writes nothing: {err}");
    err.message(rules::Lang::En)
}

#[test]
fn issue_acknowledge_return_and_history() {
    let mut f = fixture();
    f.person("髙橋 一郎");
    f.asset("PC-0001");
    issue(&mut f, "PC-0001", "髙橋 一郎", Some("2027-03-31")).unwrap();
    let takahashi = f.account("takahashi", vec![Role::Custodian], Some("髙橋 一郎"));
    f.desk
        .acknowledge_loan(&takahashi, "PC-0001", now())
        .unwrap();
    let detail = f.desk.asset(&f.admin, "PC-0001").unwrap();
    assert_eq!(detail.asset.status, AssetStatus::OnLoan);
    let loan = detail.asset.loan.expect("on loan");
    assert_eq!(loan.custodian, "髙橋 一郎");
    assert_eq!(loan.due_on.as_deref(), Some("2027-03-31"));
    assert!(loan.acknowledged_at.is_some());
    let back = ReturnLoan {
        tag: "PC-0001".into(),
        condition: ReturnCondition::Damaged,
        note: Some("画面割れ".into()),
    };
    f.desk
        .return_loan(&f.admin.clone(), back, at("2026-11-22T00:00:00Z"))
        .unwrap();
    let detail = f.desk.asset(&f.admin, "PC-0001").unwrap();
    assert_eq!(
        detail.asset.status,
        AssetStatus::InRepair,
        "a damaged return goes to repair"
    );
    assert_eq!(detail.history.len(), 1);
    assert_eq!(
        detail.history[0].return_condition,
        Some(ReturnCondition::Damaged)
    );
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn transfer_leaves_no_gap_and_no_overlap() {
    let mut f = fixture();
    f.person("甲");
    f.person("乙");
    f.asset("PH-1");
    issue(&mut f, "PH-1", "甲", None).unwrap();
    let loan = IssueLoan {
        tag: "PH-1".into(),
        to: PersonRef::Name("乙".into()),
        due: None,
        place: None,
        site: None,
    };
    f.desk
        .transfer_loan(&f.admin.clone(), loan, at("2026-11-25T00:00:00Z"))
        .unwrap();
    let history = f.desk.asset(&f.admin, "PH-1").unwrap().history;
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[1].returned_at,
        Some(history[0].issued_at),
        "the hand-over is one instant"
    );
    let held = |t: &str| {
        f.desk
            .custody_as_of(&f.admin, at(t), None)
            .unwrap()
            .into_iter()
            .map(|l| l.custodian)
            .collect::<Vec<_>>()
    };
    assert_eq!(held("2026-11-24T23:59:59Z"), ["甲"]);
    assert_eq!(held("2026-11-25T00:00:00Z"), ["乙"]);
}

#[test]
fn bad_custody_requests_are_refused_and_write_nothing() {
    let mut f = fixture();
    f.person("甲");
    f.asset("PC-1");
    f.asset("PC-2");
    issue(&mut f, "PC-1", "甲", None).unwrap();

    let m = refused(&mut f, "conflict", |f| {
        issue(f, "PC-1", "甲", None).map(drop)
    });
    assert!(m.contains("PC-1") && m.contains("on_loan"), "{m}");
    let m = refused(&mut f, "conflict", |f| {
        f.desk
            .return_loan(
                &f.admin.clone(),
                ReturnLoan {
                    tag: "PC-2".into(),
                    condition: ReturnCondition::Ok,
                    note: None,
                },
                now(),
            )
            .map(drop)
    });
    assert!(m.contains("not on loan"), "{m}");
    let m = refused(&mut f, "not_found", |f| {
        issue(f, "PC-2", "乙", None).map(drop)
    });
    assert!(m.contains("乙"), "{m}");
    let m = refused(&mut f, "not_found", |f| {
        issue(f, "PC-404", "甲", None).map(drop)
    });
    assert!(m.contains("PC-404"), "{m}");
    let m = refused(&mut f, "invalid_input", |f| {
        issue(f, "PC-2", "甲", Some("2026-11-20")).map(drop)
    });
    assert!(m.contains("before the issue date"), "{m}");
    refused(&mut f, "invalid_input", |f| {
        let asset = NewAsset {
            tag: "  ".into(),
            kind: Some(AssetKind::Pc),
            name: "x".into(),
            ..Default::default()
        };
        f.desk.add_asset(&f.admin.clone(), asset, now()).map(drop)
    });
    let m = refused(&mut f, "duplicate", |f| {
        let asset = NewAsset {
            tag: "PC-1".into(),
            kind: Some(AssetKind::Pc),
            name: "x".into(),
            ..Default::default()
        };
        f.desk.add_asset(&f.admin.clone(), asset, now()).map(drop)
    });
    assert!(m.contains("PC-1"), "{m}");
    f.person("甲");
    let m = refused(&mut f, "ambiguous", |f| {
        issue(f, "PC-2", "甲", None).map(drop)
    });
    assert!(
        m.contains("--person-id"),
        "two people named 甲 must be told apart: {m}"
    );
}

#[test]
fn nobody_acknowledges_someone_elses_loan() {
    let mut f = fixture();
    f.person("甲");
    f.person("乙");
    f.asset("PC-1");
    issue(&mut f, "PC-1", "甲", None).unwrap();
    let otsu = f.account("otsu", vec![Role::Custodian], Some("乙"));
    refused(&mut f, "forbidden", |f| {
        f.desk.acknowledge_loan(&otsu, "PC-1", now()).map(drop)
    });
}

#[test]
fn five_failed_logins_lock_the_account_for_fifteen_minutes() {
    let mut f = fixture();
    for attempt in 1..=4 {
        let err = f.desk.login("admin", "wrong password", now()).unwrap_err();
        assert_eq!(err.code(), "wrong_password", "attempt {attempt}");
    }
    let err = f.desk.login("admin", "wrong password", now()).unwrap_err();
    assert_eq!(err.code(), "account_locked", "the fifth failure locks");
    let err = f
        .desk
        .login("admin", PASSWORD, at("2026-11-21T01:14:59Z"))
        .unwrap_err();
    assert_eq!(
        err.code(),
        "account_locked",
        "even the right password waits for the lock to end"
    );
    f.desk
        .login("admin", PASSWORD, at("2026-11-21T01:15:00Z"))
        .unwrap();
    // Every failure is in the journal, so the lock survives replay.
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn a_plain_login_writes_nothing_but_one_after_failures_resets_them() {
    let mut f = fixture();
    let before = f.head();
    f.desk.login("admin", PASSWORD, now()).unwrap();
    assert_eq!(
        f.head(),
        before,
        "reading the register must not move the journal head ledgers print"
    );
    f.desk.login("admin", "wrong password", now()).unwrap_err();
    f.desk.login("admin", PASSWORD, now()).unwrap();
    assert_eq!(
        f.head(),
        before + 2,
        "the failure and the reset are journaled"
    );
    for _ in 0..4 {
        f.desk.login("admin", "wrong password", now()).unwrap_err();
    }
    assert_eq!(
        f.desk
            .login("admin", PASSWORD, now())
            .map(drop)
            .map_err(|e| e.code().to_string()),
        Ok(()),
        "the count restarted after the reset"
    );
}

#[test]
fn an_unknown_login_gets_the_same_answer_as_a_wrong_password() {
    let mut f = fixture();
    let before = f.head();
    let err = f.desk.login("nobody", PASSWORD, now()).unwrap_err();
    assert_eq!(err.code(), "wrong_password");
    assert_eq!(f.head(), before, "no account, nothing to journal");
}

#[test]
fn init_is_refused_on_an_initialised_store() {
    let mut f = fixture();
    let err = f
        .desk
        .init("別会社", "admin2", PASSWORD, "Asia/Tokyo", now())
        .unwrap_err();
    assert_eq!(err.code(), "duplicate");
    let err = Desk::open(&f.dir.path().join("new.db"))
        .unwrap()
        .init("x", "a", "short", "Asia/Tokyo", now())
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input", "a short password is refused");
}

#[test]
fn the_register_pages_filters_and_searches_in_the_store() {
    let mut f = fixture();
    f.person("𠮷田 太郎");
    for i in 0..250 {
        f.asset(&format!("PC-{i:04}"));
    }
    issue(&mut f, "PC-0007", "𠮷田 太郎", None).unwrap();
    let page = |query: view::AssetQuery| f.desk.asset_page(&f.admin, &query).unwrap();
    let first = page(view::AssetQuery {
        limit: 100,
        ..Default::default()
    });
    assert_eq!((first.rows.len(), first.total), (100, 250));
    assert_eq!(first.rows[0].tag, "PC-0000");
    let last = page(view::AssetQuery {
        limit: 100,
        offset: 200,
        ..Default::default()
    });
    assert_eq!(
        (last.rows.len(), last.rows[49].tag.as_str()),
        (50, "PC-0249")
    );
    let by_name = page(view::AssetQuery {
        search: Some("𠮷田".into()),
        limit: 100,
        ..Default::default()
    });
    assert_eq!(
        by_name
            .rows
            .iter()
            .map(|r| r.tag.as_str())
            .collect::<Vec<_>>(),
        ["PC-0007"],
        "search reads the custodian"
    );
    let full_width = page(view::AssetQuery {
        search: Some("ｐｃ－００１".replace('－', "-")),
        limit: 100,
        ..Default::default()
    });
    assert_eq!(full_width.total, 10, "ｐｃ-００１ finds PC-0010 … PC-0019");
    let on_loan = page(view::AssetQuery {
        status: Some(AssetStatus::OnLoan),
        limit: 100,
        ..Default::default()
    });
    assert_eq!(on_loan.total, 1);
    let by_custodian = page(view::AssetQuery {
        sort: view::AssetSort::Custodian,
        descending: true,
        limit: 2,
        ..Default::default()
    });
    assert_eq!(
        by_custodian.rows[0].tag, "PC-0007",
        "the held item sorts before the unheld ones, descending"
    );
    assert_eq!(by_custodian.rows[1].tag, "PC-0000", "then the rest by tag");
    let desc = page(view::AssetQuery {
        sort: view::AssetSort::Tag,
        descending: true,
        limit: 1,
        ..Default::default()
    });
    assert_eq!(desc.rows[0].tag, "PC-0249");

    let back = ReturnLoan {
        tag: "PC-0007".into(),
        condition: ReturnCondition::Ok,
        note: None,
    };
    f.desk.return_loan(&f.admin.clone(), back, now()).unwrap();
    let after = f
        .desk
        .asset_page(
            &f.admin,
            &view::AssetQuery {
                search: Some("𠮷田".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        after.total, 0,
        "a returned item is no longer found under its former custodian"
    );
}

/// The status column of a custody ledger as of `as_of` (a day, as a person types it), row by
/// row: (tag, status).
fn statuses_as_of(
    desk: &Desk,
    session: &Session,
    as_of: &str,
    lang: rules::Lang,
) -> Vec<(String, String)> {
    let request = CustodyLedgerRequest {
        as_of: Some(desk.parse_instant(as_of).unwrap()),
        lang,
        ..Default::default()
    };
    let ledger = desk
        .custody_ledger(session, &request, at("2026-11-30T00:00:00Z"))
        .unwrap();
    let status = ledger.columns.len() - 1;
    ledger
        .groups
        .iter()
        .flat_map(|group| &group.rows)
        .map(|row| (row[0].clone(), row[status].clone()))
        .collect()
}

/// Lost, in repair and retired are periods: a ledger as of a past instant shows the status
/// then, not today's. Marked lost on 10 November: as of 1 November on loan, as of 15 lost.
#[test]
fn a_ledger_as_of_a_past_instant_shows_the_status_then() {
    let dir = tempfile::tempdir().unwrap();
    let store = azukari_pg_harness::test_store(dir.path(), "azukari.db");
    let mut desk = Desk::open(&store).unwrap();
    let admin = desk
        .init(
            "株式会社サンプル",
            "admin",
            PASSWORD,
            "Asia/Tokyo",
            at("2026-10-01T00:00:00Z"),
        )
        .unwrap();
    let october = at("2026-10-01T01:00:00Z");
    desk.add_person(
        &admin,
        NewPerson {
            name: "髙橋 一郎".into(),
            ..Default::default()
        },
        october,
    )
    .unwrap();
    for tag in ["PC-0001", "PC-0002"] {
        let asset = NewAsset {
            tag: tag.into(),
            kind: Some(AssetKind::Pc),
            name: "ThinkPad".into(),
            ..Default::default()
        };
        desk.add_asset(&admin, asset, october).unwrap();
    }
    let loan = IssueLoan {
        tag: "PC-0001".into(),
        to: PersonRef::Name("髙橋 一郎".into()),
        due: None,
        place: None,
        site: None,
    };
    desk.issue_loan(&admin, loan, at("2026-10-20T00:00:00Z"))
        .unwrap();
    let mark = |tag: &str, status, note: Option<&str>| MarkAsset {
        tag: tag.into(),
        status,
        note: note.map(str::to_string),
    };
    // Lost on 10 November while on loan: still the custodian's, now lost.
    let became = desk
        .mark_asset(
            &admin,
            mark("PC-0001", AssetStatus::Lost, Some("電車内で紛失")),
            at("2026-11-10T03:00:00Z"),
        )
        .unwrap();
    assert_eq!(became, AssetStatus::Lost);
    desk.mark_asset(
        &admin,
        mark("PC-0002", AssetStatus::InRepair, None),
        at("2026-11-12T00:00:00Z"),
    )
    .unwrap();
    desk.mark_asset(
        &admin,
        mark("PC-0002", AssetStatus::Retired, Some("修理不能")),
        at("2026-11-20T00:00:00Z"),
    )
    .unwrap();

    let ja = rules::Lang::Ja;
    let row = |tag: &str, status: &str| (tag.to_string(), status.to_string());
    let statuses = |desk: &Desk, as_of: &str, lang| statuses_as_of(desk, &admin, as_of, lang);
    assert_eq!(
        statuses(&desk, "2026-11-01", ja),
        vec![row("PC-0001", "貸与中"), row("PC-0002", "在庫")]
    );
    assert_eq!(
        statuses(&desk, "2026-11-15", ja),
        vec![row("PC-0001", "紛失"), row("PC-0002", "修理中")]
    );
    assert_eq!(
        statuses(&desk, "2026-11-21", rules::Lang::En),
        vec![row("PC-0001", "Lost"), row("PC-0002", "Retired")]
    );

    // Found: the custodian still holds it, so it is on loan again, and the lost period ends.
    let became = desk
        .mark_asset(
            &admin,
            mark("PC-0001", AssetStatus::Available, Some("駅で保管")),
            at("2026-11-22T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(became, AssetStatus::OnLoan);
    assert_eq!(
        statuses(&desk, "2026-11-15", ja)[0],
        row("PC-0001", "紛失"),
        "the past stays as it was"
    );
    assert_eq!(
        statuses(&desk, "2026-11-23", ja)[0],
        row("PC-0001", "貸与中")
    );

    // The asset's page holds the whole history: the loan and the lost period.
    let detail = desk.asset(&admin, "PC-0001").unwrap();
    assert_eq!(detail.asset.status, AssetStatus::OnLoan);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.statuses.len(), 1);
    let lost = &detail.statuses[0];
    assert_eq!(lost.status, AssetStatus::Lost);
    assert_eq!(lost.began_at, at("2026-11-10T03:00:00Z"));
    assert_eq!(lost.ended_at, Some(at("2026-11-22T00:00:00Z")));
    assert_eq!(lost.began_by.as_deref(), Some("admin"));
    assert_eq!(lost.note.as_deref(), Some("電車内で紛失"));
    let detail = desk.asset(&admin, "PC-0002").unwrap();
    let periods: Vec<_> = detail
        .statuses
        .iter()
        .map(|p| (p.status, p.ended_at.is_some()))
        .collect();
    assert_eq!(
        periods,
        vec![(AssetStatus::InRepair, true), (AssetStatus::Retired, false)]
    );

    // Replaying the journal rebuilds the same periods.
    desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn a_damaged_return_opens_a_repair_period_and_repaired_ends_it() {
    let mut f = fixture();
    f.person("甲");
    f.asset("PC-1");
    issue(&mut f, "PC-1", "甲", None).unwrap();
    let admin = f.admin.clone();
    let back = ReturnLoan {
        tag: "PC-1".into(),
        condition: ReturnCondition::Damaged,
        note: Some("画面割れ".into()),
    };
    f.desk
        .return_loan(&admin, back, at("2026-11-22T00:00:00Z"))
        .unwrap();
    let repaired = MarkAsset {
        tag: "PC-1".into(),
        status: AssetStatus::Available,
        note: None,
    };
    let became = f
        .desk
        .mark_asset(&admin, repaired, at("2026-11-24T00:00:00Z"))
        .unwrap();
    assert_eq!(became, AssetStatus::Available);
    let detail = f.desk.asset(&admin, "PC-1").unwrap();
    assert_eq!(detail.statuses.len(), 1);
    assert_eq!(detail.statuses[0].status, AssetStatus::InRepair);
    assert_eq!(detail.statuses[0].note.as_deref(), Some("画面割れ"));
    assert_eq!(
        detail.statuses[0].ended_at,
        Some(at("2026-11-24T00:00:00Z"))
    );
    assert_eq!(
        statuses_as_of(&f.desk, &admin, "2026-11-23T00:00:00Z", rules::Lang::En),
        vec![("PC-1".to_string(), "In repair".to_string())]
    );
    // Repaired, it can go out again.
    let again = IssueLoan {
        tag: "PC-1".into(),
        to: PersonRef::Name("甲".into()),
        due: None,
        place: None,
        site: None,
    };
    f.desk
        .issue_loan(&admin, again, at("2026-11-25T00:00:00Z"))
        .unwrap();
    f.desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn marks_that_make_no_sense_are_refused_on_the_status_field() {
    let mut f = fixture();
    f.person("甲");
    f.asset("PC-1");
    issue(&mut f, "PC-1", "甲", None).unwrap();
    let mark = |tag: &str, status| MarkAsset {
        tag: tag.into(),
        status,
        note: None,
    };
    let message = refused(&mut f, "conflict", |f| {
        let admin = f.admin.clone();
        f.desk
            .mark_asset(&admin, mark("PC-1", AssetStatus::Retired), now())
            .map(drop)
    });
    assert_eq!(
        message,
        "asset PC-1 is on loan: take it back before marking it retired"
    );
    refused(&mut f, "invalid_input", |f| {
        let admin = f.admin.clone();
        f.desk
            .mark_asset(&admin, mark("PC-1", AssetStatus::OnLoan), now())
            .map(drop)
    });
    refused(&mut f, "not_found", |f| {
        let admin = f.admin.clone();
        f.desk
            .mark_asset(&admin, mark("PC-404", AssetStatus::Lost), now())
            .map(drop)
    });
    // The custodian who holds it may not mark it either: the office keeps the register.
    let holder = f.account("kou", vec![Role::Custodian], Some("甲"));
    refused(&mut f, "forbidden", |f| {
        f.desk
            .mark_asset(&holder, mark("PC-1", AssetStatus::Lost), now())
            .map(drop)
    });
    let refusal = f
        .desk
        .mark_asset(&f.admin.clone(), mark("PC-1", AssetStatus::InRepair), now())
        .unwrap_err();
    assert_eq!(refusal.field().as_deref(), Some("status"));
}
