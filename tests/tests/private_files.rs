//! A store's files are its owner's alone, whatever the umask: the database, its WAL and SHM
//! while a writer has them open, including a store made world-readable before.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_writer_under_umask_022_keeps_the_store_wal_and_shm_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("office.db");
    azukari_tests::prepared_store(&path, 4).unwrap();
    // As an older version (or a copy) would have left it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_crash-child"))
        .arg(&path)
        .arg("4")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty(), "the writer committed a write");
    let modes: Vec<(String, u32)> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let file = format!("{}{suffix}", path.display());
            (file.clone(), mode(Path::new(&file)))
        })
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    for (file, mode) in modes {
        assert_eq!(mode, 0o600, "{file} holds the register: {mode:o}");
    }
}
