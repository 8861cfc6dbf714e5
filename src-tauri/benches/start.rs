//! The desktop's start (`make bench`): from launch to the register page showing its first rows
//! on a 100,000-asset store, and the memory the app then holds (its process and the web view's
//! processes, by proportional set size), beside an empty Tauri window (the same Tauri and web
//! view showing a blank page) measured the same way in the same run. Target: within 1.3× of the
//! empty window for both.
//!
//! Both are started the way the end-to-end tests start them, through tauri-driver and
//! WebKitWebDriver under Xvfb, so both carry the same driver overhead. The desktop's login is
//! typed by script at once (no person's typing in the figure); Argon2's check of the password
//! is in it, as it is in every start.

use azukari_api::domain::Instant;
use azukari_api::{Desk, ImportKind, ImportOptions};
use fantoccini::{Client, ClientBuilder, Locator};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";
const RUNS: usize = 5;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-P", &self.0.id().to_string()])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

/// A store of 100,000 assets, 10,000 of them on loan.
fn large_store(dir: &Path) -> PathBuf {
    let store = dir.join("azukari.db");
    let mut desk = Desk::open(&store).unwrap();
    let office = desk
        .init("株式会社サンプル", "office", PASSWORD, "Asia/Tokyo", now())
        .unwrap();
    let mut csv = String::from("管理番号,種別,品名,型番,シリアル番号,貸与先,貸与日\r\n");
    for i in 0..100_000 {
        let custodian = if i % 10 == 0 {
            format!("利用者 {:04}", i / 10 % 2_000)
        } else {
            String::new()
        };
        let issued = if custodian.is_empty() { "" } else { "2026/4/1" };
        csv.push_str(&format!(
            "PC-{i:06},ノートPC,ThinkPad X1 Carbon Gen {},20XW{},SN{i:08},{custodian},{issued}\r\n",
            i % 13,
            i % 7
        ));
    }
    desk.set_import_limit(64 * 1024 * 1024);
    desk.import(
        &office,
        ImportKind::Assets,
        "台帳.csv",
        csv.as_bytes(),
        ImportOptions::default(),
        now(),
    )
    .unwrap();
    store
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_default();
    let installed = Path::new(&home).join(".cargo/bin/tauri-driver");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

async fn session(application: &str, args: &[&str], home: &Path, port: u16) -> (Driver, Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let driver = Driver(
        Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver is installed by scripts/install-deps.sh"),
    );
    let capabilities = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": application, "args": args }
    });
    // The driver's own start is not the app's: wait until it listens.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .unwrap()
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("tauri-driver did not accept a session");
}

/// The proportional set size of the process running `binary` and every process under it (the
/// web view's web and network processes), in MiB.
fn memory_of(binary: &str) -> f64 {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = stat.rsplit_once(')')?.1;
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let root = parents
        .iter()
        .map(|(pid, _)| *pid)
        .find(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == Path::new(binary))
        })
        .expect("the app is running");
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    let mut kib: u64 = 0;
    let mut parts = Vec::new();
    for pid in tree {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let field = |name: &str| -> u64 {
            rollup
                .lines()
                .find(|line| line.starts_with(name))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0)
        };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        kib += field("Pss:");
        parts.push(format!(
            "{} {} MiB (anonymous {} MiB)",
            name.trim(),
            field("Pss:") / 1024,
            field("Pss_Anon:") / 1024
        ));
    }
    if std::env::var_os("AZUKARI_BENCH_DETAIL").is_some() {
        eprintln!("  {}", parts.join("; "));
    }
    kib as f64 / 1024.0
}

struct Start {
    seconds: f64,
    mib: f64,
}

async fn empty_window(home: &Path, port: u16) -> Start {
    let binary = env!("CARGO_BIN_EXE_azukari-empty-window");
    let started = std::time::Instant::now();
    let (_driver, client) = session(binary, &[], home, port).await;
    loop {
        let state = client
            .execute("return document.readyState;", vec![])
            .await
            .unwrap();
        if state == "complete" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    // Settled: what it holds once drawn.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mib = memory_of(binary);
    client.close().await.unwrap();
    Start { seconds, mib }
}

async fn desktop(store: &Path, home: &Path, port: u16) -> Start {
    let binary = env!("CARGO_BIN_EXE_azukari-desktop");
    let started = std::time::Instant::now();
    let (_driver, client) =
        session(binary, &["--store", store.to_str().unwrap()], home, port).await;
    // Logged in by script the moment the form is there, straight to the register.
    let login = r##"
        const login = document.getElementById("login-login");
        if (!login) return false;
        const password = document.getElementById("login-password");
        location.hash = "#/assets";
        login.value = "office";
        login.dispatchEvent(new Event("input", { bubbles: true }));
        password.value = arguments[0];
        password.dispatchEvent(new Event("input", { bubbles: true }));
        document.getElementById("login-submit").click();
        return true;
    "##;
    while client
        .execute(login, vec![serde_json::json!(PASSWORD)])
        .await
        .unwrap()
        != true
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    while client
        .find(Locator::Css("#asset-table tbody tr[data-tag]"))
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mib = memory_of(binary);
    client.close().await.unwrap();
    Start { seconds, mib }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    eprintln!("making a store of 100,000 assets …");
    let store = large_store(dir.path());
    let mut empty = Vec::new();
    let mut app = Vec::new();
    // Alternated, so both meet the machine in the same state.
    for run in 0..RUNS {
        let home = dir.path().join(format!("home-{run}"));
        std::fs::create_dir_all(&home).unwrap();
        empty.push(empty_window(&home, 4600).await);
        app.push(desktop(&store, &home, 4610).await);
        eprintln!(
            "run {}: empty window {:.2} s {:.0} MiB, desktop {:.2} s {:.0} MiB",
            run + 1,
            empty[run].seconds,
            empty[run].mib,
            app[run].seconds,
            app[run].mib
        );
    }
    let (empty_s, empty_mib) = (
        median(empty.iter().map(|s| s.seconds).collect()),
        median(empty.iter().map(|s| s.mib).collect()),
    );
    let (app_s, app_mib) = (
        median(app.iter().map(|s| s.seconds).collect()),
        median(app.iter().map(|s| s.mib).collect()),
    );
    let verdict = |ratio: f64| if ratio <= 1.3 { "met" } else { "MISSED" };
    println!("\n## Desktop start (100,000 assets; median of {RUNS})\n");
    println!("| | launch to ready | memory (PSS, app and web view) |");
    println!("|---|---|---|");
    println!("| empty Tauri window | {empty_s:.2} s | {empty_mib:.0} MiB |");
    println!("| desktop, register page with rows | {app_s:.2} s | {app_mib:.0} MiB |");
    println!(
        "| ratio (target ≤ 1.3×) | {:.2}× {} | {:.2}× {} |",
        app_s / empty_s,
        verdict(app_s / empty_s),
        app_mib / empty_mib,
        verdict(app_mib / empty_mib)
    );
}
