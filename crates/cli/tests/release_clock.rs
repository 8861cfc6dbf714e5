//! The clock can be set from the environment only in test (debug) builds. This test builds the
//! CLI as it ships (`--release`) and shows that `AZUKARI_NOW` changes nothing there: nobody can
//! date a write in the past, step past a login lock, or return a loan before it went out.

use azukari_tests::release_cli;
use std::process::Command;

#[test]
fn the_release_cli_reads_the_real_clock_whatever_azukari_now_says() {
    let cli = release_cli();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    let run = |args: &[&str], now: &str| {
        let out = Command::new(&cli)
            .arg("--store")
            .arg(&store)
            .args(args)
            .env("AZUKARI_USER", "admin")
            .env("AZUKARI_PASSWORD", "correct horse battery")
            .env("AZUKARI_NOW", now)
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(
        &["init", "--org", "株式会社サンプル", "--admin", "admin"],
        "2001-01-01T00:00:00Z",
    );
    run(&["person", "add", "髙橋 一郎"], "2001-01-01T00:00:00Z");
    run(
        &[
            "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "x",
        ],
        "2001-01-01T00:00:00Z",
    );
    run(
        &["loan", "issue", "--asset", "PC-0001", "--to", "髙橋 一郎"],
        "2001-01-01T00:00:00Z",
    );
    let loans: serde_json::Value =
        serde_json::from_str(&run(&["loan", "list", "--json"], "2001-01-01T00:00:00Z")).unwrap();
    let issued = loans[0]["issued_at"].as_str().unwrap().to_string();
    assert!(
        !issued.starts_with("2001"),
        "the release build dated the loan {issued} from AZUKARI_NOW"
    );
    // An instant in the past is refused by the release build as by any other: a return dated
    // before its issue cannot be made from the environment either.
    run(
        &["loan", "return", "--asset", "PC-0001"],
        "2000-01-01T00:00:00Z",
    );
    let loans: serde_json::Value =
        serde_json::from_str(&run(&["loan", "list", "--json"], "2000-01-01T00:00:00Z")).unwrap();
    let returned = loans[0]["returned_at"].as_str().unwrap();
    assert!(
        returned >= issued.as_str(),
        "returned {returned}, issued {issued}"
    );
    run(&["verify"], "2000-01-01T00:00:00Z");
}
