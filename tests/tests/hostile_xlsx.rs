//! A workbook with two cells, A1 and XFD1048576, claims a used range of 17 billion cells. Its
//! own test binary, so the peak memory measured is this import's alone. Peak memory is read
//! from Linux's /proc; the import's code is the same on every platform.
#![cfg(target_os = "linux")]

use azukari_api::domain::*;
use azukari_api::*;

/// The process's peak resident memory so far, from /proc (Linux).
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[test]
fn a_workbook_with_an_absurd_used_range_is_refused_quickly_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    // On the engine of the run (`AZUKARI_TEST_STORE`, see crates/pg-harness).
    let mut desk = Desk::open(&azukari_pg_harness::test_store(dir.path(), "azukari.db")).unwrap();
    let now: Instant = "2026-11-21T01:00:00Z".parse().unwrap();
    let office = desk
        .init(
            "株式会社サンプル",
            "admin",
            "correct horse battery",
            "Asia/Tokyo",
            now,
        )
        .unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "管理番号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let path = dir.path().join("台帳.xlsx");
    book.save(&path).unwrap();

    let before = peak_rss_bytes();
    let started = std::time::Instant::now();
    let refused = desk
        .import_file(
            &office,
            ImportKind::Assets,
            &path,
            ImportOptions::default(),
            now,
        )
        .unwrap_err();
    let took = started.elapsed();
    let grew = peak_rss_bytes().saturating_sub(before);

    let message = refused.message(rules::Lang::En);
    assert_eq!(refused.code(), "import_rejected");
    assert!(
        message.contains("XFD1048576"),
        "names the stray cell: {message}"
    );
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    assert!(grew < 100 * 1024 * 1024, "peak memory grew by {grew} bytes");
    assert_eq!(
        desk.store().read().journal_head().unwrap().0,
        4,
        "nothing written"
    );
}
