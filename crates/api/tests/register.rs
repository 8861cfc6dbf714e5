//! Keeping the register: editing assets, people and organisations, and the overview's counts
//! with the lists they link to.

mod common;

use azukari_api::domain::view::AssetQuery;
use azukari_api::domain::*;
use azukari_api::*;
use common::*;

fn edit_of(f: &Fixture, tag: &str) -> NewAsset {
    let row = f.desk.asset(&f.admin, tag).unwrap().asset;
    NewAsset {
        tag: row.tag,
        kind: Some(row.kind),
        name: row.name,
        model: row.model,
        serial: row.serial,
        owner: Some(row.owner),
        classification: Some(row.classification),
        encrypted: row.encrypted,
        note: row.note,
    }
}

/// The journal's last entry's event, as JSON.
fn last_event(f: &Fixture) -> serde_json::Value {
    let read = f.desk.store().read();
    let (seq, _) = read.journal_head().unwrap();
    serde_json::from_str(&read.journal_event(seq).unwrap().unwrap()).unwrap()
}

#[test]
fn an_asset_edit_is_journaled_with_what_changed_and_a_no_op_writes_nothing() {
    let mut f = fixture();
    f.desk
        .add_organisation(&f.admin.clone(), "顧客A", OrganisationKind::Customer, now())
        .unwrap();
    f.person("髙橋 一郎");
    f.asset("PC-0001");
    f.issue("PC-0001", "髙橋 一郎");
    let admin = f.admin.clone();
    let mut edit = edit_of(&f, "PC-0001");
    edit.tag = "PC-0100".into();
    edit.serial = Some("SN-9".into());
    edit.owner = Some("顧客A".into());
    edit.encrypted = true;
    let changed = f
        .desk
        .edit_asset(
            &admin,
            EditAsset {
                tag: "PC-0001".into(),
                asset: edit.clone(),
            },
            now(),
        )
        .unwrap();
    assert_eq!(changed, ["tag", "serial", "owner", "encrypted"]);
    let event = last_event(&f);
    assert_eq!(event["type"], "asset_edited");
    assert_eq!(
        event["changed"],
        serde_json::json!(["tag", "serial", "owner", "encrypted"])
    );
    let detail = f.desk.asset(&admin, "PC-0100").unwrap();
    assert_eq!(detail.asset.owner, "顧客A");
    assert_eq!(detail.asset.serial.as_deref(), Some("SN-9"));
    assert_eq!(
        detail.asset.loan.unwrap().custodian,
        "髙橋 一郎",
        "relabelled, still held"
    );
    // Found by its new tag and its new serial.
    let found = f
        .desk
        .asset_page(
            &admin,
            &AssetQuery {
                search: Some("sn-9".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(found.total, 1);

    let before = f.head();
    let again = f
        .desk
        .edit_asset(
            &admin,
            EditAsset {
                tag: "PC-0100".into(),
                asset: edit,
            },
            now(),
        )
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(f.head(), before, "nothing changed, nothing written");

    f.asset("PC-0002");
    let mut taken = edit_of(&f, "PC-0002");
    taken.tag = "PC-0100".into();
    let before = f.head();
    let err = f
        .desk
        .edit_asset(
            &admin,
            EditAsset {
                tag: "PC-0002".into(),
                asset: taken,
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "duplicate");
    assert_eq!(err.field().as_deref(), Some("tag"));
    let mut nameless = edit_of(&f, "PC-0002");
    nameless.name = "  ".into();
    let err = f
        .desk
        .edit_asset(
            &admin,
            EditAsset {
                tag: "PC-0002".into(),
                asset: nameless,
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("name"));
    assert_eq!(f.head(), before);
    f.desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn a_renamed_person_is_found_by_the_new_name_and_leaves_only_when_holding_nothing() {
    let mut f = fixture();
    f.person("山田 花子");
    f.asset("PC-1");
    f.issue("PC-1", "山田 花子");
    let admin = f.admin.clone();
    let renamed = EditPerson {
        person: PersonRef::Name("山田 花子".into()),
        edit: NewPerson {
            name: "佐藤 花子".into(),
            kana: Some("さとう はなこ".into()),
            ..Default::default()
        },
        active: true,
    };
    let changed = f.desk.edit_person(&admin, renamed, now()).unwrap();
    assert_eq!(changed, ["name", "kana"]);
    let page = f
        .desk
        .asset_page(
            &admin,
            &AssetQuery {
                search: Some("佐藤".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 1, "the register searches the holder's new name");
    assert_eq!(page.rows[0].loan.as_ref().unwrap().custodian, "佐藤 花子");

    let leaving = |active| EditPerson {
        person: PersonRef::Name("佐藤 花子".into()),
        edit: NewPerson {
            name: "佐藤 花子".into(),
            kana: Some("さとう はなこ".into()),
            ..Default::default()
        },
        active,
    };
    let before = f.head();
    let err = f
        .desk
        .edit_person(&admin, leaving(false), now())
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(err.field().as_deref(), Some("active"));
    assert_eq!(
        err.message(rules::Lang::En),
        "佐藤 花子 still holds 1 item(s): take them back before deactivating"
    );
    assert_eq!(f.head(), before);

    let back = ReturnLoan {
        tag: "PC-1".into(),
        condition: ReturnCondition::Ok,
        note: None,
    };
    f.desk.return_loan(&admin, back, now()).unwrap();
    assert_eq!(
        f.desk.edit_person(&admin, leaving(false), now()).unwrap(),
        ["active"]
    );
    let loan = IssueLoan {
        tag: "PC-1".into(),
        to: PersonRef::Name("佐藤 花子".into()),
        due: None,
        place: None,
        site: None,
    };
    let err = f.desk.issue_loan(&admin, loan, now()).unwrap_err();
    assert_eq!(err.code(), "conflict", "nothing is issued to who left");
    f.desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn an_organisation_is_renamed_and_our_own_stays_our_own() {
    let mut f = fixture();
    let admin = f.admin.clone();
    f.desk
        .add_organisation(&admin, "顧客A", OrganisationKind::Customer, now())
        .unwrap();
    let edit = |name: &str, new_name: &str, kind| EditOrganisation {
        name: name.into(),
        new_name: new_name.into(),
        kind,
    };
    let changed = f
        .desk
        .edit_organisation(
            &admin,
            edit("顧客A", "顧客A株式会社", OrganisationKind::Partner),
            now(),
        )
        .unwrap();
    assert_eq!(changed, ["name", "kind"]);
    let before = f.head();
    let err = f
        .desk
        .edit_organisation(
            &admin,
            edit(
                "株式会社サンプル",
                "株式会社サンプル",
                OrganisationKind::Customer,
            ),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("kind"));
    let err = f
        .desk
        .edit_organisation(
            &admin,
            edit("顧客A株式会社", "顧客A株式会社", OrganisationKind::Own),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("kind"));
    let err = f
        .desk
        .edit_organisation(
            &admin,
            edit(
                "顧客A株式会社",
                "株式会社サンプル",
                OrganisationKind::Partner,
            ),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "duplicate");
    assert_eq!(err.field().as_deref(), Some("new_name"));
    assert_eq!(f.head(), before);
    f.desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

/// The overview's counts and the lists they link to agree, for the office and for a site
/// responsible who sees only their site.
#[test]
fn the_overview_counts_what_its_lists_show() {
    let mut f = fixture();
    let admin = f.admin.clone();
    f.desk
        .add_organisation(&admin, "顧客A", OrganisationKind::Customer, now())
        .unwrap();
    f.person("甲");
    f.person("現場 責任子");
    f.desk
        .add_site(
            &admin,
            NewSite {
                organisation: "顧客A".into(),
                name: "本社".into(),
                address: None,
                responsibles: vec![PersonRef::Name("現場 責任子".into())],
            },
            now(),
        )
        .unwrap();
    for tag in ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"] {
        f.asset(tag);
    }
    let issue = |tag: &str, due: Option<&str>, site: Option<&str>| IssueLoan {
        tag: tag.into(),
        to: PersonRef::Name("甲".into()),
        due: due.map(|d| d.parse().unwrap()),
        place: None,
        site: site.map(str::to_string),
    };
    // Counted on 2026-11-23 in Tokyo: A-1 was due two days before, A-2 is due that day.
    f.desk
        .issue_loan(
            &admin,
            issue("A-1", Some("2026-11-21"), Some("本社")),
            now(),
        )
        .unwrap();
    f.desk
        .issue_loan(&admin, issue("A-2", Some("2026-11-23"), None), now())
        .unwrap();
    f.desk
        .issue_loan(&admin, issue("A-3", None, None), now())
        .unwrap();
    let holder = f.account("kou", vec![Role::Custodian], Some("甲"));
    f.desk.acknowledge_loan(&holder, "A-3", now()).unwrap();
    let mark = |tag: &str, status| MarkAsset {
        tag: tag.into(),
        status,
        note: None,
    };
    f.desk
        .mark_asset(&admin, mark("A-4", AssetStatus::Lost), now())
        .unwrap();
    f.desk
        .mark_asset(&admin, mark("A-5", AssetStatus::InRepair), now())
        .unwrap();

    let counted = at("2026-11-23T01:00:00Z");
    let overview = f.desk.overview(&admin, counted).unwrap();
    assert_eq!(
        (
            overview.total,
            overview.available,
            overview.on_loan,
            overview.unacknowledged,
            overview.overdue,
            overview.lost,
            overview.in_repair,
            overview.retired
        ),
        (6, 1, 3, 2, 1, 1, 1, 0)
    );
    assert_eq!(overview.today.to_string(), "2026-11-23");
    let listed = |query: AssetQuery| -> Vec<String> {
        f.desk
            .asset_page(
                &admin,
                &AssetQuery {
                    limit: 100,
                    ..query
                },
            )
            .unwrap()
            .rows
            .into_iter()
            .map(|row| row.tag)
            .collect()
    };
    assert_eq!(
        listed(AssetQuery {
            unacknowledged: true,
            ..Default::default()
        }),
        ["A-1", "A-2"]
    );
    assert_eq!(
        listed(AssetQuery {
            due_before: Some(overview.today),
            ..Default::default()
        }),
        ["A-1"]
    );

    let responsible = f.account("site", vec![Role::SiteResponsible], Some("現場 責任子"));
    let theirs = f.desk.overview(&responsible, counted).unwrap();
    assert_eq!(
        (theirs.total, theirs.on_loan, theirs.overdue, theirs.lost),
        (1, 1, 1, 0),
        "only what is on loan for their site"
    );
}
