//! Issues and returns loans in a loop, printing a line for each write only after it committed.
//! The crash test kills it at random moments and checks that every printed write survived.

use azukari_api::domain::*;
use azukari_api::*;
use std::io::Write;

#[allow(clippy::disallowed_methods)]
fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .expect("usage: crash-child STORE ASSETS");
    let assets: usize = std::env::args()
        .nth(2)
        .expect("usage: crash-child STORE ASSETS")
        .parse()?;
    let mut desk = Desk::open(path.as_ref())?;
    let now = || Instant::from_utc(chrono::Utc::now());
    let admin = desk.login("admin", azukari_tests::PASSWORD, now())?;
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let tag = format!("PC-{:04}", i % assets);
        let status = desk.asset(&admin, &tag)?.asset.status;
        if status == AssetStatus::Available {
            let loan = IssueLoan {
                tag: tag.clone(),
                to: PersonRef::Name("髙橋 一郎".into()),
                due: None,
                place: Some(format!("机{i}")),
                site: None,
            };
            let id = desk.issue_loan(&admin, loan, now())?;
            writeln!(out, "issued {tag} {id}")?;
        } else {
            let id = desk.return_loan(
                &admin,
                ReturnLoan {
                    tag: tag.clone(),
                    condition: ReturnCondition::Ok,
                    note: None,
                },
                now(),
            )?;
            writeln!(out, "returned {tag} {id}")?;
        }
        out.flush()?;
    }
    Ok(())
}
