//! Nothing acknowledged is lost: a child issuing and returning loans is killed with SIGKILL
//! at random moments, 100 times; after each kill the store passes integrity_check and verify,
//! and every write the child reported as committed is there.

use azukari_store::Store;
use rand::Rng;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_killed_writer_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    azukari_tests::prepared_store(&path, 8).unwrap();
    let mut rng = rand::rng();
    let mut acknowledged = Vec::new();
    for round in 0..100 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-child"))
            .arg(&path)
            .arg("8")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(30..180)));
        child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, no rollback.
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        child.wait().unwrap();
        assert!(
            stderr.is_empty(),
            "round {round}: the child failed on its own: {stderr}"
        );
        acknowledged.extend(stdout.lines().map(str::to_string));

        let store = Store::open(&path).unwrap();
        store
            .integrity_check()
            .unwrap_or_else(|err| panic!("round {round}: {err}"));
        store
            .verify()
            .unwrap_or_else(|err| panic!("round {round}: {err}"));
    }
    assert!(
        acknowledged.len() > 100,
        "the child should have written often enough to be interrupted mid-write: {}",
        acknowledged.len()
    );

    let store = Store::open(&path).unwrap();
    let read = store.read();
    for line in &acknowledged {
        let words: Vec<&str> = line.split(' ').collect();
        let (what, tag, id) = (words[0], words[1], words[2].parse().unwrap());
        let loan = read
            .loan(azukari_api::domain::LoanId(id))
            .unwrap()
            .unwrap_or_else(|| panic!("{line}: the loan is gone"));
        assert_eq!(loan.tag, tag, "{line}");
        if what == "returned" {
            assert!(
                loan.returned_at.is_some(),
                "{line}: the acknowledged return is gone"
            );
        }
    }
}
