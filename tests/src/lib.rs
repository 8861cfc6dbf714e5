//! Scenario tests of Azukari: whole stories through the api, crash safety with a killed child
//! process, and the desktop app driven end to end. The tests live in `tests/`; this library
//! holds what they share.

use azukari_api::domain::*;
use azukari_api::*;
use std::path::{Path, PathBuf};

pub const PASSWORD: &str = "correct horse battery";

/// A store with the security office, one custodian and `assets` PCs on the shelf.
pub fn prepared_store(path: &Path, assets: usize) -> anyhow::Result<()> {
    let now: Instant = "2026-11-01T00:00:00Z".parse().map_err(anyhow::Error::msg)?;
    let mut desk = Desk::open(path)?;
    let admin = desk.init("株式会社サンプル", "admin", PASSWORD, "Asia/Tokyo", now)?;
    desk.add_person(
        &admin,
        NewPerson {
            name: "髙橋 一郎".into(),
            ..Default::default()
        },
        now,
    )?;
    for i in 0..assets {
        let asset = NewAsset {
            tag: format!("PC-{i:04}"),
            kind: Some(AssetKind::Pc),
            name: "ThinkPad".into(),
            ..Default::default()
        };
        desk.add_asset(&admin, asset, now)?;
    }
    Ok(())
}

/// The `azukari` CLI as it ships (`--release`), built if it is not yet: for tests of what only
/// a release build does, and for making large stores in seconds instead of a debug minute.
/// `make test` builds the packages first and names their folder in `AZUKARI_RELEASE_DIR`, so
/// these tests run the very binary that is packaged, and it is not built a second time.
pub fn release_cli() -> PathBuf {
    if let Some(folder) = std::env::var_os("AZUKARI_RELEASE_DIR") {
        let cli = PathBuf::from(folder).join(format!("azukari{}", std::env::consts::EXE_SUFFIX));
        assert!(
            cli.is_file(),
            "AZUKARI_RELEASE_DIR has no {}",
            cli.display()
        );
        return cli;
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "azukari-cli",
            "--bin",
            "azukari",
        ])
        .current_dir(&workspace)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the release CLI builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    target
        .join("release")
        .join(format!("azukari{}", std::env::consts::EXE_SUFFIX))
}
