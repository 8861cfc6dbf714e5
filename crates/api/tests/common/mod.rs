//! A fresh store with the security office logged in, for the api tests.
#![allow(dead_code)]

use azukari_api::domain::*;
use azukari_api::*;
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

pub fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

pub fn now() -> Instant {
    at("2026-11-21T01:00:00Z")
}

pub struct Fixture {
    pub dir: TempDir,
    pub desk: Desk,
    pub admin: Session,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = azukari_pg_harness::test_store(dir.path(), "azukari.db");
    let mut desk = Desk::open(&store).unwrap();
    let admin = desk
        .init("株式会社サンプル", "admin", PASSWORD, "Asia/Tokyo", now())
        .unwrap();
    Fixture { dir, desk, admin }
}

impl Fixture {
    pub fn person(&mut self, name: &str) -> PersonId {
        let person = NewPerson {
            name: name.into(),
            ..Default::default()
        };
        self.desk.add_person(&self.admin, person, now()).unwrap()
    }

    pub fn asset(&mut self, tag: &str) {
        let asset = NewAsset {
            tag: tag.into(),
            kind: Some(AssetKind::Pc),
            name: "ThinkPad".into(),
            ..Default::default()
        };
        self.desk.add_asset(&self.admin, asset, now()).unwrap();
    }

    pub fn issue(&mut self, tag: &str, to: &str) {
        let loan = IssueLoan {
            tag: tag.into(),
            to: PersonRef::Name(to.into()),
            due: None,
            place: None,
            site: None,
        };
        self.desk.issue_loan(&self.admin, loan, now()).unwrap();
    }

    pub fn account(&mut self, login: &str, roles: Vec<Role>, person: Option<&str>) -> Session {
        let account = NewAccount {
            login: login.into(),
            password: PASSWORD.into(),
            roles,
            person: person.map(|p| PersonRef::Name(p.into())),
        };
        self.desk.add_account(&self.admin, account, now()).unwrap();
        self.desk.login(login, PASSWORD, now()).unwrap()
    }

    pub fn head(&self) -> i64 {
        self.desk.store().read().journal_head().unwrap().0
    }
}
