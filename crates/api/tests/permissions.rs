//! Every role × every use-case, through the real api: allowed exactly where the table says,
//! and a refusal writes nothing.

mod common;

use azukari_api::domain::permission::allows;
use azukari_api::domain::view::AssetQuery;
use azukari_api::domain::*;
use azukari_api::*;
use common::*;

fn attempt(f: &mut Fixture, session: &Session, use_case: UseCase, n: &str) -> Result<(), Failure> {
    let t = now();
    match use_case {
        UseCase::ReadRegister => f.desk.asset_page(session, &Default::default()).map(drop),
        UseCase::ManageOrganisations => f
            .desk
            .add_organisation(session, &format!("顧客{n}"), OrganisationKind::Customer, t)
            .map(drop),
        UseCase::ManageSites => {
            let site = NewSite {
                organisation: "株式会社サンプル".into(),
                name: format!("現場{n}"),
                ..Default::default()
            };
            f.desk.add_site(session, site, t).map(drop)
        }
        UseCase::ManagePeople => f
            .desk
            .add_person(
                session,
                NewPerson {
                    name: format!("人{n}"),
                    ..Default::default()
                },
                t,
            )
            .map(drop),
        UseCase::ManageAccounts => {
            let account = NewAccount {
                login: format!("new{n}"),
                password: PASSWORD.into(),
                roles: vec![Role::Auditor],
                person: None,
            };
            f.desk.add_account(session, account, t).map(drop)
        }
        UseCase::ManageAssets => {
            let asset = NewAsset {
                tag: format!("NEW-{n}"),
                kind: Some(AssetKind::Phone),
                name: "phone".into(),
                ..Default::default()
            };
            f.desk.add_asset(session, asset, t).map(drop)
        }
        UseCase::IssueLoan => {
            f.asset(&format!("ISSUE-{n}"));
            let loan = IssueLoan {
                tag: format!("ISSUE-{n}"),
                to: PersonRef::Name("山田 花子".into()),
                due: None,
                place: None,
                site: None,
            };
            f.desk.issue_loan(session, loan, t).map(drop)
        }
        UseCase::ReturnLoan => {
            f.asset(&format!("RET-{n}"));
            f.issue(&format!("RET-{n}"), "山田 花子");
            f.desk
                .return_loan(
                    session,
                    ReturnLoan {
                        tag: format!("RET-{n}"),
                        condition: ReturnCondition::Ok,
                        note: None,
                    },
                    t,
                )
                .map(drop)
        }
        UseCase::AcknowledgeOwnLoan => {
            // Issued to the session's own person, so only the role decides.
            f.asset(&format!("ACK-{n}"));
            f.issue(&format!("ACK-{n}"), &format!("本人{n}"));
            f.desk
                .acknowledge_loan(session, &format!("ACK-{n}"), t)
                .map(drop)
        }
        UseCase::ImportRegister => {
            let csv = format!("管理番号,種別,品名\nIMP-{n},PC,x\n");
            f.desk
                .import(
                    session,
                    ImportKind::Assets,
                    "r.csv",
                    csv.as_bytes(),
                    ImportOptions::default(),
                    t,
                )
                .map(drop)
        }
        UseCase::PrintLedger => f
            .desk
            .custody_ledger(session, &Default::default(), t)
            .map(drop),
        UseCase::Verify => f.desk.verify(session, None, &mut |_, _| {}).map(drop),
        UseCase::Backup => f
            .desk
            .backup(session, &f.dir.path().join(format!("b{n}.db"))),
    }
}

#[test]
fn every_role_may_do_exactly_what_the_table_says() {
    for role in Role::ALL {
        let mut f = fixture();
        f.person("山田 花子");
        for (i, use_case) in UseCase::ALL.into_iter().enumerate() {
            let n = format!("{}{i}", role.as_str());
            f.person(&format!("本人{n}"));
            let session = f.account(&format!("u{n}"), vec![role], Some(&format!("本人{n}")));
            let before = f.head();
            let result = attempt(&mut f, &session, use_case, &n);
            let expected = allows(role, use_case);
            assert_eq!(
                result.is_ok(),
                expected,
                "{role:?} × {use_case:?}: {result:?}"
            );
            if let Err(failure) = result {
                assert_eq!(
                    failure.code(),
                    "forbidden",
                    "{role:?} × {use_case:?} refused for the wrong reason: {failure}"
                );
                let setup_entries = match use_case {
                    UseCase::IssueLoan => 1,
                    UseCase::ReturnLoan | UseCase::AcknowledgeOwnLoan => 2,
                    _ => 0,
                };
                assert_eq!(
                    f.head(),
                    before + setup_entries,
                    "a refused {use_case:?} must write nothing"
                );
            }
        }
    }
}

#[test]
fn a_disabled_account_is_refused_at_once_even_with_a_session() {
    let mut f = fixture();
    let clerk = f.account("clerk", vec![Role::SecurityOffice], None);
    f.desk.disable_account(&f.admin, "clerk", now()).unwrap();
    let err = f
        .desk
        .add_person(
            &clerk,
            NewPerson {
                name: "x".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err.code(),
        "account_disabled",
        "the role is read inside the transaction, not from the session"
    );
    let err = f.desk.login("clerk", PASSWORD, now()).unwrap_err();
    assert_eq!(err.code(), "account_disabled");
}

#[test]
fn several_roles_add_up() {
    let mut f = fixture();
    let both = f.account("both", vec![Role::Auditor, Role::SecurityOffice], None);
    assert!(
        f.desk
            .add_organisation(&both, "顧客", OrganisationKind::Customer, now())
            .is_ok()
    );
    assert!(f.desk.verify(&both, None, &mut |_, _| {}).is_ok());
}

/// Every role × every read: what each sees of a register where 髙橋 holds PC-A at site 本社,
/// 佐藤 holds PC-B at site 支社, and PC-C is on the shelf. 𠮷田 is the site responsible of 本社.
#[test]
fn every_role_reads_what_concerns_it() {
    let mut f = fixture();
    f.desk
        .add_organisation(&f.admin, "顧客", OrganisationKind::Customer, now())
        .unwrap();
    for name in ["髙橋 一郎", "佐藤 二郎", "𠮷田 花子", "監査 太郎"] {
        f.person(name);
    }
    for (site, responsible) in [("本社", "𠮷田 花子"), ("支社", "佐藤 二郎")] {
        let site = NewSite {
            organisation: "顧客".into(),
            name: site.into(),
            responsibles: vec![PersonRef::Name(responsible.into())],
            ..Default::default()
        };
        f.desk.add_site(&f.admin, site, now()).unwrap();
    }
    for (tag, to, site) in [("PC-A", "髙橋 一郎", "本社"), ("PC-B", "佐藤 二郎", "支社")]
    {
        f.asset(tag);
        let loan = IssueLoan {
            tag: tag.into(),
            to: PersonRef::Name(to.into()),
            due: None,
            place: Some("自宅".into()),
            site: Some(site.into()),
        };
        f.desk.issue_loan(&f.admin, loan, now()).unwrap();
    }
    f.asset("PC-C");
    // Held by 佐藤 at 本社 once, and back on the shelf.
    f.asset("PC-R");
    let loan = IssueLoan {
        tag: "PC-R".into(),
        to: PersonRef::Name("佐藤 二郎".into()),
        due: None,
        place: None,
        site: Some("本社".into()),
    };
    f.desk.issue_loan(&f.admin, loan, now()).unwrap();
    let back = ReturnLoan {
        tag: "PC-R".into(),
        condition: ReturnCondition::Ok,
        note: None,
    };
    f.desk.return_loan(&f.admin, back, now()).unwrap();
    let custodian = f.account("takahashi", vec![Role::Custodian], Some("髙橋 一郎"));
    let responsible = f.account("yoshida", vec![Role::SiteResponsible], Some("𠮷田 花子"));
    // A custodian who is also named responsible of 支社 reads nothing more without the role.
    let custodian_sato = f.account("sato", vec![Role::Custodian], Some("佐藤 二郎"));
    let both = f.account(
        "sato2",
        vec![Role::Custodian, Role::SiteResponsible],
        Some("佐藤 二郎"),
    );
    let auditor = f.account("audit", vec![Role::Auditor], Some("監査 太郎"));
    let office = f.admin.clone();

    struct Sees {
        register: &'static [&'static str],
        people: &'static [&'static str],
        /// Every loan, returned ones included.
        loans: &'static [&'static str],
        /// Custody as of now.
        held: &'static [&'static str],
        details: &'static [&'static str],
    }
    let everything = || Sees {
        register: &["PC-A", "PC-B", "PC-C", "PC-R"],
        people: &["佐藤 二郎", "監査 太郎", "髙橋 一郎", "𠮷田 花子"],
        loans: &["PC-A", "PC-B", "PC-R"],
        held: &["PC-A", "PC-B"],
        details: &["PC-A", "PC-B", "PC-C", "PC-R"],
    };
    let cases: Vec<(&str, &Session, Sees)> = vec![
        (
            "custodian",
            &custodian,
            Sees {
                register: &["PC-A"],
                people: &["髙橋 一郎"],
                loans: &["PC-A"],
                held: &["PC-A"],
                details: &["PC-A"],
            },
        ),
        (
            "site responsible",
            &responsible,
            // Not PC-R: it was lent for 本社 once, but its past custodian is not the site's.
            Sees {
                register: &["PC-A"],
                people: &["髙橋 一郎", "𠮷田 花子"],
                loans: &["PC-A"],
                held: &["PC-A"],
                details: &["PC-A"],
            },
        ),
        (
            "custodian named responsible without the role",
            &custodian_sato,
            Sees {
                register: &["PC-B"],
                people: &["佐藤 二郎"],
                loans: &["PC-B", "PC-R"],
                held: &["PC-B"],
                details: &["PC-B"],
            },
        ),
        (
            "custodian and site responsible",
            &both,
            Sees {
                register: &["PC-B"],
                people: &["佐藤 二郎"],
                loans: &["PC-B", "PC-R"],
                held: &["PC-B"],
                details: &["PC-B"],
            },
        ),
        ("auditor", &auditor, everything()),
        ("security office", &office, everything()),
    ];
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    for (who, session, sees) in cases {
        let page = AssetQuery {
            limit: 100,
            ..Default::default()
        };
        let register: Vec<String> = f
            .desk
            .asset_page(session, &page)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.tag)
            .collect();
        assert_eq!(register, sees.register, "{who}: the register");
        let people = sorted(
            f.desk
                .people(session)
                .unwrap()
                .into_iter()
                .map(|p| p.name)
                .collect(),
        );
        assert_eq!(people, sees.people, "{who}: people");
        let loans: Vec<String> = f
            .desk
            .loans(session, false, None)
            .unwrap()
            .into_iter()
            .map(|l| l.tag)
            .collect();
        assert_eq!(loans, sees.loans, "{who}: loans");
        let as_of: Vec<String> = f
            .desk
            .custody_as_of(session, now(), None)
            .unwrap()
            .into_iter()
            .map(|l| l.tag)
            .collect();
        assert_eq!(as_of, sees.held, "{who}: custody as of now");
        for tag in ["PC-A", "PC-B", "PC-C", "PC-R"] {
            let detail = f.desk.asset(session, tag);
            if sees.details.contains(&tag) {
                let detail = detail.unwrap_or_else(|e| panic!("{who} must see {tag}: {e}"));
                assert!(detail.history.iter().all(|l| l.tag == tag));
            } else {
                let refused = detail.expect_err(&format!("{who} must not see {tag}"));
                assert_eq!(
                    refused.code(),
                    "not_found",
                    "{who}: {tag} is answered as unknown, not as forbidden, so its existence is not told"
                );
            }
        }
        // Naming someone outside the scope tells nothing either.
        let outsider = PersonRef::Name("佐藤 二郎".into());
        let named = f.desk.loans(session, false, Some(&outsider));
        if sees.people.contains(&"佐藤 二郎") {
            assert!(named.is_ok(), "{who}");
        } else {
            assert_eq!(named.unwrap_err().code(), "not_found", "{who}");
            assert_eq!(
                f.desk.person_id(session, &outsider).unwrap_err().code(),
                "not_found",
                "{who}"
            );
        }
        // The register's organisations and sites are for everyone: they name whom to ask.
        assert_eq!(f.desk.sites(session).unwrap().len(), 2, "{who}: sites");
        assert!(!f.desk.organisations(session).unwrap().is_empty(), "{who}");
        // Accounts, ledgers, verify and backups are for the office and the auditor only.
        let reads_all = matches!(who, "auditor" | "security office");
        assert_eq!(
            f.desk.accounts(session).is_ok(),
            reads_all,
            "{who}: accounts"
        );
        assert_eq!(
            f.desk
                .custody_ledger(session, &Default::default(), now())
                .is_ok(),
            reads_all,
            "{who}: the custody ledger"
        );
        assert_eq!(
            f.desk.verify(session, None, &mut |_, _| {}).is_ok(),
            reads_all,
            "{who}: verify"
        );
    }
}

/// Marking an asset lost, in repair or retired is register work: the security office's alone,
/// even for the custodian who holds the item or the site it is used at.
#[test]
fn only_the_security_office_marks_an_assets_status() {
    for role in Role::ALL {
        let mut f = fixture();
        f.person("山田 花子");
        f.asset("PC-1");
        f.issue("PC-1", "山田 花子");
        let session = f.account("u", vec![role], Some("山田 花子"));
        let before = f.head();
        let mark = MarkAsset {
            tag: "PC-1".into(),
            status: AssetStatus::Lost,
            note: None,
        };
        let result = f.desk.mark_asset(&session, mark, now());
        assert_eq!(
            result.is_ok(),
            allows(role, UseCase::ManageAssets),
            "{role:?}: {result:?}"
        );
        match result {
            Ok(status) => assert_eq!(status, AssetStatus::Lost),
            Err(failure) => {
                assert_eq!(failure.code(), "forbidden", "{role:?}: {failure}");
                assert_eq!(f.head(), before, "{role:?}: a refusal writes nothing");
            }
        }
    }
}

/// Edits of another's record are the security office's: a custodian may not rename themself
/// or the item they hold, nor a site responsible the customer of their site.
#[test]
fn only_the_security_office_edits_the_register() {
    for role in Role::ALL {
        let mut f = fixture();
        f.person("山田 花子");
        f.asset("PC-1");
        f.issue("PC-1", "山田 花子");
        let session = f.account("u", vec![role], Some("山田 花子"));
        let before = f.head();
        let allowed = allows(role, UseCase::ManageAssets);
        let asset = f.desk.edit_asset(
            &session,
            EditAsset {
                tag: "PC-1".into(),
                asset: NewAsset {
                    tag: "PC-1".into(),
                    kind: Some(AssetKind::Pc),
                    name: "renamed".into(),
                    ..Default::default()
                },
            },
            now(),
        );
        let person = f.desk.edit_person(
            &session,
            EditPerson {
                person: PersonRef::Name("山田 花子".into()),
                edit: NewPerson {
                    name: "山田 花".into(),
                    ..Default::default()
                },
                active: true,
            },
            now(),
        );
        let organisation = f.desk.edit_organisation(
            &session,
            EditOrganisation {
                name: "株式会社サンプル".into(),
                new_name: "乗っ取り".into(),
                kind: OrganisationKind::Own,
            },
            now(),
        );
        for (what, result) in [
            ("asset", asset),
            ("person", person),
            ("organisation", organisation),
        ] {
            match result {
                Ok(changed) => assert!(allowed && !changed.is_empty(), "{role:?} edited {what}"),
                Err(failure) => {
                    assert!(!allowed, "{role:?} × {what}: {failure}");
                    assert_eq!(failure.code(), "forbidden", "{role:?} × {what}");
                }
            }
        }
        if !allowed {
            assert_eq!(f.head(), before, "{role:?}: refusals write nothing");
        }
    }
}

/// The overview counts only what the session may read: a custodian's counts are their own.
#[test]
fn the_overview_counts_only_what_the_session_may_read() {
    let mut f = fixture();
    f.person("山田 花子");
    f.person("佐藤 次郎");
    for tag in ["PC-1", "PC-2", "PC-3"] {
        f.asset(tag);
    }
    f.issue("PC-1", "山田 花子");
    f.issue("PC-2", "佐藤 次郎");
    let custodian = f.account("yamada", vec![Role::Custodian], Some("山田 花子"));
    let theirs = f.desk.overview(&custodian, now()).unwrap();
    assert_eq!((theirs.total, theirs.on_loan, theirs.available), (1, 1, 0));
    let all = f.desk.overview(&f.admin.clone(), now()).unwrap();
    assert_eq!((all.total, all.on_loan, all.available), (3, 2, 1));
}
