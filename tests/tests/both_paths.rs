//! One story of an office, told twice: through the embedded store (`Local`) and through a real
//! office server on a loopback port (`Remote`). Nothing above the `Office` interface knows which
//! it has, so the answers must be the same: what each role sees, what each is refused and with
//! which code, and how many journal entries the story leaves. A rule enforced on one path and
//! not the other, or a read scoped differently over the wire, makes the two transcripts differ.
//! The second test is the permission table itself: every role × every use-case on each path,
//! each refusal `forbidden` and writing nothing, and what each role reads.

use azukari_api::domain::view::*;
use azukari_api::domain::*;
use azukari_api::*;
use azukari_tests::PASSWORD;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

#[allow(clippy::disallowed_methods)]
fn wall() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

fn clock() -> Clock {
    Arc::new(|| Ok(wall()))
}

/// A store with the security office's first account.
fn new_store(path: &Path) {
    let mut desk = Desk::open(path).unwrap();
    desk.init("株式会社サンプル", "office", PASSWORD, "Asia/Tokyo", wall())
        .unwrap();
}

/// Where the story is told: logs each role in.
trait Place {
    fn login(&self, login: &str) -> Box<dyn Office>;
}

struct Embedded<'a>(&'a Path);

impl Place for Embedded<'_> {
    fn login(&self, login: &str) -> Box<dyn Office> {
        let desk = Desk::open(self.0).unwrap();
        Box::new(Local::login(desk, login, PASSWORD, clock()).unwrap())
    }
}

/// `azukari serve` in this process, on a port of its own; stopped when dropped.
struct Served {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    fn start(store: &Path) -> Served {
        let (bound_tx, bound_rx) = std::sync::mpsc::channel::<SocketAddr>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let config = azukari_server::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            store: store.to_path_buf(),
            tls: None,
            sessions: SessionLimits::default(),
            request_timeout: std::time::Duration::from_secs(60),
            import_limit: DEFAULT_IMPORT_LIMIT_BYTES,
            font: None,
            clock: clock(),
            readers: 2,
            checkpoints: None,
            checkpoint_every: None,
        };
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime
                .block_on(azukari_server::serve(
                    config,
                    move |bound, _| {
                        let _ = bound_tx.send(bound);
                    },
                    async move {
                        let _ = stopped.await;
                    },
                ))
                .unwrap();
        });
        let bound = bound_rx.recv().expect("the server listens");
        Served {
            url: format!("http://{bound}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Place for Served {
    fn login(&self, login: &str) -> Box<dyn Office> {
        let connection =
            azukari_client::Connection::new(&self.url, None, azukari_client::Kept::in_memory())
                .unwrap();
        Box::new(connection.login(login, PASSWORD).unwrap())
    }
}

/// What a person would see of an answer: its code when refused, else the `seen` part of it.
fn seen<T>(answer: Result<T>, seen: impl FnOnce(T) -> String) -> String {
    match answer {
        Ok(value) => seen(value),
        Err(failure) => format!("refused: {}", failure.code()),
    }
}

fn imported(summary: ImportSummary) -> String {
    format!(
        "{} rows: {} assets, {} people, {} loans, organisations {:?}; owners {:?}",
        summary.rows,
        summary.assets_added,
        summary.people_added,
        summary.loans_issued,
        summary
            .organisations
            .iter()
            .map(|o| (o.name.as_str(), o.kind))
            .collect::<Vec<_>>(),
        summary
            .assets
            .iter()
            .map(|a| a.owner.as_str())
            .collect::<Vec<_>>(),
    )
}

fn tags(rows: &[AssetRow]) -> String {
    rows.iter()
        .map(|r| format!("{} {}", r.tag, r.status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn page(page: AssetPage) -> String {
    format!("{} of {}", tags(&page.rows), page.total)
}

fn loans(rows: Vec<LoanRow>) -> String {
    rows.iter()
        .map(|l| format!("{} → {}", l.tag, l.custodian))
        .collect::<Vec<_>>()
        .join(", ")
}

fn first_page() -> AssetQuery {
    AssetQuery {
        limit: 100,
        ..Default::default()
    }
}

fn person(name: &str) -> NewPerson {
    NewPerson {
        name: name.into(),
        ..Default::default()
    }
}

fn asset(tag: &str, kind: AssetKind) -> NewAsset {
    NewAsset {
        tag: tag.into(),
        kind: Some(kind),
        name: "貸与品".into(),
        ..Default::default()
    }
}

fn issue(tag: &str, to: &str, site: Option<&str>) -> IssueLoan {
    IssueLoan {
        tag: tag.into(),
        to: PersonRef::Name(to.into()),
        due: None,
        place: None,
        site: site.map(str::to_string),
    }
}

/// The story, with every answer written down as a person would see it.
fn story(place: &dyn Place) -> Vec<String> {
    let mut told = Vec::new();
    let mut tell = |what: &str, answer: String| told.push(format!("{what}: {answer}"));
    let mut office = place.login("office");
    office
        .add_organisation("ミライエ", OrganisationKind::Customer)
        .unwrap();
    for name in ["田中 太郎", "髙橋 花子", "現場 責任者"] {
        office.add_person(person(name)).unwrap();
    }
    office
        .add_site(NewSite {
            organisation: "ミライエ".into(),
            name: "現場A".into(),
            address: None,
            responsibles: vec![PersonRef::Name("現場 責任者".into())],
        })
        .unwrap();
    for (tag, kind) in [
        ("PC-0001", AssetKind::Pc),
        ("PC-0002", AssetKind::Pc),
        ("PH-0001", AssetKind::Phone),
    ] {
        office.add_asset(asset(tag, kind)).unwrap();
    }
    for (login, role, name) in [
        ("tanaka", Role::Custodian, "田中 太郎"),
        ("genba", Role::SiteResponsible, "現場 責任者"),
    ] {
        office
            .add_account(NewAccount {
                login: login.into(),
                password: PASSWORD.into(),
                roles: vec![role],
                person: Some(PersonRef::Name(name.into())),
            })
            .unwrap();
    }
    tell(
        "a tag taken twice",
        seen(office.add_asset(asset("PC-0001", AssetKind::Pc)), |_| {
            "added".into()
        }),
    );
    tell(
        "an item to nobody on the register",
        seen(
            office.issue_loan(issue("PC-0002", "山田 不在", None)),
            |_| "issued".into(),
        ),
    );
    office
        .issue_loan(issue("PC-0001", "田中 太郎", Some("現場A")))
        .unwrap();
    office
        .issue_loan(issue("PH-0001", "髙橋 花子", None))
        .unwrap();

    let mut tanaka = place.login("tanaka");
    tell("tanaka's own loans", seen(tanaka.loans(true, None), loans));
    tell(
        "tanaka sees the register",
        seen(tanaka.asset_page(first_page()), page),
    );
    tell(
        "tanaka looks at someone else's phone",
        seen(tanaka.asset("PH-0001"), |a| a.asset.tag),
    );
    tell(
        "tanaka issues an item",
        seen(
            tanaka.issue_loan(issue("PC-0002", "田中 太郎", None)),
            |_| "issued".into(),
        ),
    );
    tell(
        "tanaka acknowledges another's item",
        seen(tanaka.acknowledge_loan("PH-0001"), |_| {
            "acknowledged".into()
        }),
    );
    tell(
        "tanaka acknowledges PC-0001",
        seen(tanaka.acknowledge_loan("PC-0001"), |_| {
            "acknowledged".into()
        }),
    );
    tell(
        "and again",
        seen(tanaka.acknowledge_loan("PC-0001"), |_| {
            "acknowledged".into()
        }),
    );

    let mut genba = place.login("genba");
    tell(
        "the site responsible's register",
        seen(genba.asset_page(first_page()), page),
    );
    tell(
        "the site responsible's loans",
        seen(genba.loans(true, None), loans),
    );
    tell(
        "the site responsible returns an item",
        seen(
            genba.return_loan(ReturnLoan {
                tag: "PC-0001".into(),
                condition: ReturnCondition::Ok,
                note: None,
            }),
            |_| "returned".into(),
        ),
    );
    tell(
        "the office's register",
        seen(office.asset_page(first_page()), page),
    );
    tell(
        "the office returns PC-0001",
        seen(
            office.return_loan(ReturnLoan {
                tag: "PC-0001".into(),
                condition: ReturnCondition::Damaged,
                note: Some("画面割れ".into()),
            }),
            |_| "returned".into(),
        ),
    );
    tell(
        "tanaka's loans after",
        seen(tanaka.loans(true, None), loans),
    );
    tell(
        "PC-0001's history",
        seen(office.asset("PC-0001"), |a| {
            a.history
                .iter()
                .map(|l| {
                    format!(
                        "{} acknowledged {} returned {:?}",
                        l.custodian,
                        l.acknowledged_at.is_some(),
                        l.return_condition.map(|c| c.as_str())
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }),
    );
    // A register exported from Excel (CP932), one of whose people is on the register already.
    let register = "管理番号,種別,品名,貸与先,貸与日\r\n\
        BD-0001,入館証,入館証A,髙橋 花子,2026/4/1\r\n\
        USB-0001,ＵＳＢメモリ,USB 32GB,﨑山 一郎,2026-04-01\r\n";
    let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(register);
    assert!(!unmappable);
    let import = |who: &mut Box<dyn Office>| {
        seen(
            who.import(
                ImportKind::Assets,
                "台帳.csv",
                &cp932,
                ImportOptions::default(),
            ),
            imported,
        )
    };
    tell("tanaka imports a register", import(&mut tanaka));
    tell("the office imports it", import(&mut office));
    tell("and again", import(&mut office));
    // One naming an owner the register does not know: listed, then added on request.
    let owned = "管理番号,種別,品名,所有\r\nEXT-0001,外付けHDD,HDD 1TB,顧客E\r\n";
    let mut import_owned = |options| {
        seen(
            office.import(ImportKind::Assets, "owned.csv", owned.as_bytes(), options),
            imported,
        )
    };
    tell(
        "the office imports a register naming an unknown owner",
        import_owned(ImportOptions::default()),
    );
    tell(
        "and again, adding the owner",
        import_owned(ImportOptions {
            dry_run: false,
            add_organisations: true,
        }),
    );
    let lost = MarkAsset {
        tag: "EXT-0001".into(),
        status: AssetStatus::Lost,
        note: Some("紛失".into()),
    };
    tell(
        "the office marks it lost",
        seen(office.mark_asset(lost), |status| format!("{status:?}")),
    );
    tell(
        "its history",
        seen(office.asset("EXT-0001"), |detail| {
            format!(
                "{:?}",
                detail
                    .statuses
                    .iter()
                    .map(|p| (p.status, p.note.clone(), p.began_by.clone(), p.ended_at))
                    .collect::<Vec<_>>()
            )
        }),
    );
    let custody = PrintRequest::default();
    tell(
        "the office prints the custody ledger",
        seen(office.print(&custody, None, &mut |_, _| {}), |printed| {
            format!(
                "{} rows, a PDF {}",
                printed.rows,
                printed.bytes.starts_with(b"%PDF-")
            )
        }),
    );
    tell(
        "tanaka prints it",
        seen(tanaka.print(&custody, None, &mut |_, _| {}), |printed| {
            format!("{} rows", printed.rows)
        }),
    );
    office.disable_account("tanaka").unwrap();
    tell(
        "tanaka after being disabled",
        seen(tanaka.loans(true, None), loans),
    );
    tell(
        "the journal",
        seen(office.verify(None), |report| {
            format!("verified, {} entries", report.entries)
        }),
    );
    told
}

#[test]
fn the_same_story_gets_the_same_answers_embedded_and_through_the_office_server() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = dir.path().join("embedded.db");
    new_store(&embedded);
    let here = story(&Embedded(&embedded));

    // With AZUKARI_TEST_STORE=postgres the server's store is PostgreSQL: the same story on
    // SQLite embedded and on PostgreSQL served.
    let served = azukari_pg_harness::test_store(dir.path(), "served.db");
    new_store(&served);
    let server = Served::start(&served);
    let there = story(&server);
    drop(server);

    // The story itself, so that two paths wrong the same way still fail here.
    for (line, expected) in [
        (0, "a tag taken twice: refused: duplicate"),
        (3, "tanaka sees the register: PC-0001 on_loan of 1"),
        (
            4,
            "tanaka looks at someone else's phone: refused: not_found",
        ),
        (7, "tanaka acknowledges PC-0001: acknowledged"),
        (9, "the site responsible's register: PC-0001 on_loan of 1"),
        (
            11,
            "the site responsible returns an item: refused: forbidden",
        ),
        (
            12,
            "the office's register: PC-0001 on_loan, PC-0002 available, PH-0001 on_loan of 3",
        ),
        (14, "tanaka's loans after: "),
        (16, "tanaka imports a register: refused: forbidden"),
        (
            17,
            "the office imports it: 2 rows: 2 assets, 1 people, 2 loans, organisations []; owners [\"株式会社サンプル\", \"株式会社サンプル\"]",
        ),
        (18, "and again: refused: import_rejected"),
        (
            19,
            "the office imports a register naming an unknown owner: refused: unknown_organisations",
        ),
        (
            20,
            "and again, adding the owner: 1 rows: 1 assets, 0 people, 0 loans, organisations [(\"顧客E\", Customer)]; owners [\"顧客E\"]",
        ),
        (21, "the office marks it lost: Lost"),
        (
            22,
            "its history: [(Lost, Some(\"紛失\"), Some(\"office\"), None)]",
        ),
        (25, "tanaka after being disabled: refused: account_disabled"),
    ] {
        assert_eq!(here[line], expected, "embedded: {here:#?}");
    }
    assert_eq!(
        here, there,
        "embedded (left) and through the server (right)"
    );
}

/// Readies what a use-case needs, as the office (so it is not the attempt that writes it).
fn prepare(office: &mut dyn Office, use_case: UseCase, n: &str, own: &str) {
    let (tag, to) = match use_case {
        UseCase::IssueLoan => (format!("ISSUE-{n}"), None),
        UseCase::ReturnLoan => (format!("RET-{n}"), Some("山田 花子")),
        // Issued to the role's own person, so that only the role decides.
        UseCase::AcknowledgeOwnLoan => (format!("ACK-{n}"), Some(own)),
        _ => return,
    };
    office.add_asset(asset(&tag, AssetKind::Pc)).unwrap();
    if let Some(to) = to {
        office.issue_loan(issue(&tag, to, None)).unwrap();
    }
}

/// One use-case attempted through the `Office` interface, as the CLI and the desktop do.
fn attempt(office: &mut dyn Office, folder: &Path, use_case: UseCase, n: &str) -> Result<()> {
    match use_case {
        UseCase::ReadRegister => office.asset_page(first_page()).map(drop),
        UseCase::ManageOrganisations => office
            .add_organisation(&format!("顧客{n}"), OrganisationKind::Customer)
            .map(drop),
        UseCase::ManageSites => office
            .add_site(NewSite {
                organisation: "株式会社サンプル".into(),
                name: format!("現場{n}"),
                ..Default::default()
            })
            .map(drop),
        UseCase::ManagePeople => office.add_person(person(&format!("人{n}"))).map(drop),
        UseCase::ManageAccounts => office
            .add_account(NewAccount {
                login: format!("new{n}"),
                password: PASSWORD.into(),
                roles: vec![Role::Auditor],
                person: None,
            })
            .map(drop),
        UseCase::ManageAssets => office
            .add_asset(asset(&format!("NEW-{n}"), AssetKind::Phone))
            .map(drop),
        UseCase::IssueLoan => office
            .issue_loan(issue(&format!("ISSUE-{n}"), "山田 花子", None))
            .map(drop),
        UseCase::ReturnLoan => office
            .return_loan(ReturnLoan {
                tag: format!("RET-{n}"),
                condition: ReturnCondition::Ok,
                note: None,
            })
            .map(drop),
        UseCase::AcknowledgeOwnLoan => office.acknowledge_loan(&format!("ACK-{n}")).map(drop),
        UseCase::ImportRegister => {
            let csv = format!("管理番号,種別,品名\nIMP-{n},PC,x\n");
            office
                .import(
                    ImportKind::Assets,
                    "r.csv",
                    csv.as_bytes(),
                    ImportOptions::default(),
                )
                .map(drop)
        }
        UseCase::PrintLedger => {
            let request = PrintRequest {
                format: LedgerFormat::Csv,
                ..Default::default()
            };
            office.print(&request, None, &mut |_, _| {}).map(drop)
        }
        UseCase::Verify => office.verify(None).map(drop),
        UseCase::Backup => office.backup(&folder.join(format!("b{n}.db"))),
    }
}

/// Every role × every use-case on one path, each refusal checked to write nothing; then what
/// each role reads of the register and of the loans. Returns the transcript.
fn permission_matrix(place: &dyn Place, folder: &Path) -> Vec<String> {
    let mut office = place.login("office");
    office.add_person(person("山田 花子")).unwrap();
    let mut transcript = Vec::new();
    for role in Role::ALL {
        let own = format!("本人{}", role.as_str());
        office.add_person(person(&own)).unwrap();
        let login = format!("u-{}", role.as_str());
        office
            .add_account(NewAccount {
                login: login.clone(),
                password: PASSWORD.into(),
                roles: vec![role],
                person: Some(PersonRef::Name(own.clone())),
            })
            .unwrap();
        let mut theirs = place.login(&login);
        for (i, use_case) in UseCase::ALL.into_iter().enumerate() {
            let n = format!("{}{i}", role.as_str());
            prepare(office.as_mut(), use_case, &n, &own);
            let before = office.journal_head().unwrap().seq;
            let answer = attempt(theirs.as_mut(), folder, use_case, &n);
            let after = office.journal_head().unwrap().seq;
            assert_eq!(
                answer.is_ok(),
                permission::allows(role, use_case),
                "{role:?} × {use_case:?} on {}: {answer:?}",
                office.place()
            );
            if let Err(failure) = &answer {
                assert_eq!(failure.code(), "forbidden", "{role:?} × {use_case:?}");
                assert_eq!(after, before, "a refused {use_case:?} wrote nothing");
            }
            transcript.push(format!(
                "{role:?} × {use_case:?}: {}",
                seen(answer, |()| format!("done, {} entries", after - before))
            ));
        }
        transcript.push(format!(
            "{role:?} reads the register: {}",
            seen(theirs.asset_page(first_page()), page)
        ));
        transcript.push(format!(
            "{role:?} reads the loans: {}",
            seen(theirs.loans(false, None), loans)
        ));
    }
    transcript
}

#[test]
fn every_role_may_do_exactly_what_the_table_says_embedded_and_through_the_office_server() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = dir.path().join("embedded.db");
    new_store(&embedded);
    let here_folder = dir.path().join("embedded");
    std::fs::create_dir(&here_folder).unwrap();
    let here = permission_matrix(&Embedded(&embedded), &here_folder);

    // With AZUKARI_TEST_STORE=postgres the server's store is PostgreSQL: the same story on
    // SQLite embedded and on PostgreSQL served.
    let served = azukari_pg_harness::test_store(dir.path(), "served.db");
    new_store(&served);
    let server = Served::start(&served);
    let there_folder = dir.path().join("served");
    std::fs::create_dir(&there_folder).unwrap();
    let there = permission_matrix(&server, &there_folder);
    drop(server);

    assert_eq!(here.len(), Role::ALL.len() * (UseCase::ALL.len() + 2));
    assert!(
        here.iter()
            .any(|line| line == "Custodian × IssueLoan: refused: forbidden"),
        "{here:#?}"
    );
    for pinned in [
        "Custodian × AcknowledgeOwnLoan: done, 1 entries",
        "Auditor × PrintLedger: done, 0 entries",
        "Auditor × Backup: refused: forbidden",
        "Custodian reads the loans: ACK-custodian8 → 本人custodian",
    ] {
        assert!(
            here.iter().any(|line| line == pinned),
            "{pinned}: {here:#?}"
        );
    }
    assert_eq!(
        here, there,
        "embedded (left) and through the server (right)"
    );
}
