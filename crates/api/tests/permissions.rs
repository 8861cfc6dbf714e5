//! Every role × every use-case, through the real api: allowed exactly where the table says,
//! and a refusal writes nothing.

mod common;

use azukari_api::domain::permission::allows;
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
                    false,
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
