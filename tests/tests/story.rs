//! A whole story of a security office, through the api on a real file.

use azukari_api::domain::*;
use azukari_api::*;
use azukari_tests::PASSWORD;

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

#[test]
fn a_partner_engineer_receives_hands_on_and_returns_a_pc() {
    let dir = tempfile::tempdir().unwrap();
    let path = azukari_pg_harness::test_store(dir.path(), "office.db");
    let mut desk = Desk::open(&path).unwrap();
    assert!(desk.needs_first_account().unwrap());
    let office = desk
        .init(
            "株式会社サンプル",
            "office",
            PASSWORD,
            "Asia/Tokyo",
            at("2026-04-01T00:00:00Z"),
        )
        .unwrap();
    let day = |d: u32| at(&format!("2026-04-{d:02}T01:00:00Z"));

    desk.add_organisation(&office, "顧客株式会社", OrganisationKind::Customer, day(1))
        .unwrap();
    desk.add_organisation(&office, "協力会社", OrganisationKind::Partner, day(1))
        .unwrap();
    for (name, org) in [
        ("現場 責任子", "顧客株式会社"),
        ("髙橋 一郎", "協力会社"),
        ("﨑山 花子", "協力会社"),
    ] {
        desk.add_person(
            &office,
            NewPerson {
                name: name.into(),
                organisation: Some(org.into()),
                ..Default::default()
            },
            day(1),
        )
        .unwrap();
    }
    let site = NewSite {
        organisation: "顧客株式会社".into(),
        name: "本社ビル".into(),
        address: None,
        responsibles: vec![PersonRef::Name("現場 責任子".into())],
    };
    desk.add_site(&office, site, day(1)).unwrap();
    assert_eq!(
        desk.sites(&office).unwrap()[0].responsibles,
        ["現場 責任子"]
    );

    let register = "管理番号,種別,品名,所有,分類,暗号化\nPC-0001,ノートPC,ThinkPad,顧客株式会社,個人情報,有\nBD-0001,入館証,入館証,顧客株式会社,社内,無\n";
    desk.import(
        &office,
        ImportKind::Assets,
        "r.csv",
        register.as_bytes(),
        ImportOptions::default(),
        day(1),
    )
    .unwrap();

    let issue = |tag: &str, to: &str| IssueLoan {
        tag: tag.into(),
        to: PersonRef::Name(to.into()),
        due: Some("2026-09-30".parse().unwrap()),
        place: Some("自宅 書斎".into()),
        site: None,
    };
    desk.issue_loan(&office, issue("PC-0001", "髙橋 一郎"), day(2))
        .unwrap();
    let takahashi_account = NewAccount {
        login: "takahashi".into(),
        password: PASSWORD.into(),
        roles: vec![Role::Custodian],
        person: Some(PersonRef::Name("髙橋 一郎".into())),
    };
    desk.add_account(&office, takahashi_account, day(2))
        .unwrap();
    let takahashi = desk.login("takahashi", PASSWORD, day(2)).unwrap();
    desk.acknowledge_loan(&takahashi, "PC-0001", day(2))
        .unwrap();
    let err = desk
        .issue_loan(&takahashi, issue("BD-0001", "髙橋 一郎"), day(2))
        .unwrap_err();
    assert_eq!(err.code(), "forbidden", "a custodian does not issue items");

    desk.transfer_loan(&office, issue("PC-0001", "﨑山 花子"), day(10))
        .unwrap();
    desk.return_loan(
        &office,
        ReturnLoan {
            tag: "PC-0001".into(),
            condition: ReturnCondition::Ok,
            note: None,
        },
        day(20),
    )
    .unwrap();

    let held = |desk: &Desk, d: u32, who: &str| {
        desk.custody_as_of(&office, day(d), Some(&PersonRef::Name(who.into())))
            .unwrap()
            .into_iter()
            .map(|l| l.tag)
            .collect::<Vec<_>>()
    };
    assert_eq!(held(&desk, 5, "髙橋 一郎"), ["PC-0001"]);
    assert!(held(&desk, 15, "髙橋 一郎").is_empty());
    assert_eq!(held(&desk, 15, "﨑山 花子"), ["PC-0001"]);
    assert!(held(&desk, 25, "﨑山 花子").is_empty());

    let backup = dir.path().join("backup.db");
    desk.backup(&office, &backup).unwrap();
    let head = desk.verify(&office, None, &mut |_, _| {}).unwrap().head;
    drop(desk);
    let restored = Desk::restore(&backup, &dir.path().join("restored.db")).unwrap();
    assert_eq!(
        restored.store().verify().unwrap().head,
        head,
        "the backup holds the whole journal"
    );
}
