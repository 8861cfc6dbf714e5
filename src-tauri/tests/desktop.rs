//! The real desktop binary, end to end: under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. First run creates the security office account; a register exported from
//! Excel (CP932 CSV) is imported beside the running app; after logging out and in again the
//! register shows it, and the search finds a custodian with a rare kanji. Screenshots are
//! written to target/e2e/ to be looked at.

use azukari_api::domain::Instant;
use azukari_api::domain::Role;
use azukari_api::{Desk, ImportKind, ImportOptions, NewAccount, PersonRef};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // Its WebKitWebDriver first: left running, it would hold the next run's port and
        // answer for a display that is gone.
        let _ = Command::new("pkill")
            .args(["-P", &self.0.id().to_string()])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves what the window shows now as target/e2e/NAME, to be looked at.
async fn shoot(client: &Client, name: &str) {
    std::fs::write(screenshots().join(name), client.screenshot().await.unwrap()).unwrap();
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css} did not appear: {err}"))
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The text of an element as a person reads it (innerText: WebKitWebDriver's own text of a
/// table row gives only its last cell).
async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css).await;
    let text = client
        .execute(
            "return document.querySelector(arguments[0]).innerText;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    text.as_str().unwrap_or_default().to_string()
}

/// Waits until the text of `css` satisfies `done`, and returns it.
async fn until_text(client: &Client, css: &str, done: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if done(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let shot = screenshots().join("failed.png");
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(&shot, png);
    }
    panic!(
        "{css} never showed the expected text; last it showed {last:?} (screen: {})",
        shot.display()
    );
}

/// Waits for an element's text as the page holds it (`textContent`). WebKitWebDriver's own
/// text of an element leaves out cells it judges hidden, and in a second app window under Xvfb
/// it judged most of a table row so; what the page holds is what the screenshots show.
async fn until_content(client: &Client, css: &str, done: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        let held = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                vec![serde_json::Value::from(css)],
            )
            .await;
        if let Ok(serde_json::Value::String(text)) = held {
            if done(&text) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    shoot(client, "failed.png").await;
    panic!("{css} never held the expected text; last it held {last:?}");
}

/// The instant of a write made beside the running app, which dates its own writes by the real
/// clock: a journal never goes back in time, so neither may the test.
#[allow(clippy::disallowed_methods)]
fn beside_the_app() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

fn import_register(store: &Path) {
    let register = "管理番号,種別,品名,型番,貸与先,貸与日,返却予定日,保管場所\r\n\
PC-0001,ノートPC,ThinkPad X1 Carbon,20XW,髙橋 一郎,2026/4/1,2027/3/31,自宅 書斎\r\n\
PH-0001,スマートフォン,iPhone 15,A3090,﨑山 花子,2026/4/1,,\r\n\
BD-0001,入館証,入館証 本社ビル,,𠮷田 太郎,2026/4/2,,\r\n\
USB-0001,USBメモリ,USB 32GB 暗号化,,,,,\r\n";
    // Excel's "CSV UTF-8": 𠮷 is outside CP932, so a register holding it comes as UTF-8 with BOM.
    let bytes = [b"\xEF\xBB\xBF".as_slice(), register.as_bytes()].concat();
    let now = beside_the_app();
    let mut desk = Desk::open(store).unwrap();
    let admin = desk.login("office", PASSWORD, now).unwrap();
    let summary = desk
        .import(
            &admin,
            ImportKind::Assets,
            "台帳.csv",
            &bytes,
            ImportOptions::default(),
            now,
        )
        .unwrap();
    assert_eq!(summary.assets_added, 4);
}

/// Starts tauri-driver on `port` (and WebKitWebDriver on the next one, so two tests can run
/// side by side) and the app on `store`, with HOME in `home`: the app saves printed ledgers
/// under the user's home, and logs under its data folder.
async fn open_app(home: &Path, store: &Path, port: u16) -> (Driver, Client) {
    open_app_with(home, &["--store", store.to_str().unwrap()], port).await
}

/// The app started with `args` (`--store PATH`, or `--server URL`).
async fn open_app_with(home: &Path, args: &[&str], port: u16) -> (Driver, Client) {
    // fantoccini's rustls and ours bring two cryptography providers; say which one.
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
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("AZUKARI_CHECKPOINT_KEY")
            .env_remove("XDG_DOCUMENTS_DIR")
            // Sessions in the test's own files, not the keyring of whoever runs the test (the
            // credential store is tested with a keyring of its own in crates/cli/tests).
            .env("AZUKARI_TOKEN_STORE", "file")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver is installed by scripts/install-deps.sh"),
    );
    let capabilities = serde_json::json!({
        "browserName": "wry",
        "tauri:options": {
            "application": env!("CARGO_BIN_EXE_azukari-desktop"),
            "args": args,
        }
    });
    for _ in 0..50 {
        let capabilities = capabilities.as_object().unwrap().clone();
        match ClientBuilder::rustls()
            .unwrap()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("tauri-driver did not accept a session");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_login_and_the_imported_register() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    let (_driver, client) = open_app(dir.path(), &store, 4444).await;

    // First run: a new store asks for the first security-office account.
    type_into(&client, "#first-org", "株式会社サンプル").await;
    type_into(&client, "#first-login", "office").await;
    type_into(&client, "#first-password", PASSWORD).await;
    type_into(&client, "#first-password2", "a different one").await;
    wait_for(&client, "#first-submit")
        .await
        .click()
        .await
        .unwrap();
    let alert = text_of(&client, "[role=alert]").await;
    assert!(
        !alert.is_empty(),
        "mismatched passwords are refused before anything is written"
    );
    type_into(&client, "#first-password2", PASSWORD).await;
    wait_for(&client, "#first-submit")
        .await
        .click()
        .await
        .unwrap();
    // Home first: the register counted, all nought on a new store.
    until_text(&client, "#count-on-loan", |t| t.contains('0')).await;
    wait_for(&client, "#nav-assets")
        .await
        .click()
        .await
        .unwrap();
    until_text(&client, "#asset-total", |t| t.contains('0')).await;

    // A register exported from Excel arrives beside the running app, which shows it by itself
    // (its journal moved).
    import_register(&store);
    until_text(&client, "#asset-total", |t| t.contains('4')).await;

    // Log out; a wrong password is refused with a message; the right one shows the register.
    wait_for(&client, "#logout").await.click().await.unwrap();
    type_into(&client, "#login-login", "office").await;
    type_into(&client, "#login-password", "not the password").await;
    wait_for(&client, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    let alert = until_text(&client, "[role=alert]", |t| !t.is_empty()).await;
    assert!(
        alert.contains("パスワード") || alert.contains("password"),
        "{alert}"
    );
    type_into(&client, "#login-password", PASSWORD).await;
    wait_for(&client, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    until_text(&client, "#asset-total", |t| t.contains('4')).await;
    shoot(&client, "register.png").await;
    let row = text_of(&client, "tr[data-tag=\"PC-0001\"]").await;
    assert!(
        row.contains("髙橋 一郎") && row.contains("ThinkPad X1 Carbon"),
        "{row}"
    );
    assert!(
        row.contains("2026-04-01"),
        "issued on 1 April in the office's zone (Tokyo), not UTC's 31 March: {row}"
    );
    let badge = text_of(&client, "tr[data-tag=\"BD-0001\"]").await;
    assert!(
        badge.contains("𠮷田 太郎"),
        "a character outside the BMP shows: {badge}"
    );

    // The search runs in the store and finds the custodian.
    type_into(&client, "#asset-search", "髙橋").await;
    until_text(&client, "#asset-total", |t| {
        t.contains('1') && !t.contains('4')
    })
    .await;
    let rows = client
        .find_all(Locator::Css("#asset-table tbody tr[data-tag]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "only PC-0001 is held by 髙橋");
    shoot(&client, "search.png").await;

    // Japanese, the users' first language, at the flick of the switch: the glossary's words.
    // WebDriver's clear() fires no input event; a person uses the button.
    client
        .find(Locator::XPath("//button[contains(., 'Clear filters')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until_text(&client, "#asset-total", |t| t.contains('4')).await;
    wait_for(&client, "#lang-switch")
        .await
        .select_by_value("ja")
        .await
        .unwrap();
    let table = until_text(&client, "#asset-table", |t| t.contains("管理番号")).await;
    assert!(
        table.contains("貸与中") && table.contains("貸与先"),
        "{table}"
    );
    let row = text_of(&client, "tr[data-tag=\"PC-0001\"]").await;
    assert!(
        row.contains("2026/04/01"),
        "Japanese dates are written 2026/04/01: {row}"
    );
    shoot(&client, "register-ja.png").await;

    // Print the custody ledger from the desktop: grouped by custodian, as PDF.
    wait_for(&client, "#nav-print").await.click().await.unwrap();
    wait_for(&client, "#print-group-by")
        .await
        .select_by_value("custodian")
        .await
        .unwrap();
    wait_for(&client, "#print-format")
        .await
        .select_by_value("pdf")
        .await
        .unwrap();
    wait_for(&client, "#print-submit")
        .await
        .click()
        .await
        .unwrap();
    let path = until_text(&client, "#print-path", |t| t.ends_with(".pdf")).await;
    shoot(&client, "print-ja.png").await;
    assert!(
        path.starts_with(dir.path().to_str().unwrap()),
        "saved under the user's home: {path}"
    );
    let text = Command::new("pdftotext")
        .args(["-layout", &path, "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("貸与物管理台帳")
            && text.contains("貸与先別・4件")
            && text.contains("𠮷田 太郎"),
        "{text}"
    );
    // Signed with this computer's key, made in the user's configuration folder, and the
    // checkpoint kept beside it.
    assert!(
        text.contains("azukari checkpoint 1") && text.contains("署名付きチェックポイント"),
        "{text}"
    );
    assert!(
        dir.path().join(".config/azukari/checkpoint.key").exists(),
        "the key in the configuration folder"
    );

    // A password the office reset beside the app is changed in the app before anything else.
    {
        let now = beside_the_app();
        let mut desk = Desk::open(&store).unwrap();
        let office = desk.login("office", PASSWORD, now).unwrap();
        let account = NewAccount {
            login: "takahashi".into(),
            password: "first password".into(),
            roles: vec![Role::Custodian],
            person: Some(PersonRef::Name("髙橋 一郎".into())),
        };
        desk.add_account(&office, account, now).unwrap();
        desk.reset_password(&office, "takahashi", "temporary-123", now)
            .unwrap();
    }
    wait_for(&client, "#logout").await.click().await.unwrap();
    type_into(&client, "#login-login", "takahashi").await;
    type_into(&client, "#login-password", "temporary-123").await;
    wait_for(&client, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    type_into(&client, "#pw-current", "temporary-123").await;
    type_into(&client, "#pw-new", "my own password").await;
    type_into(&client, "#pw-new2", "my own password").await;
    shoot(&client, "change-password-ja.png").await;
    wait_for(&client, "#pw-submit").await.click().await.unwrap();
    // The custodian's home: what they hold. The register shows that and nothing else.
    until_content(&client, "#my-items", |t| t.contains("PC-0001")).await;
    wait_for(&client, "#nav-assets")
        .await
        .click()
        .await
        .unwrap();
    until_text(&client, "#asset-total", |t| t.contains('1')).await;
    let rows = client
        .find_all(Locator::Css("#asset-table tbody tr[data-tag]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "髙橋 holds PC-0001 only");
    wait_for(&client, "tr[data-tag=\"PC-0001\"]").await;
    shoot(&client, "custodian-register-ja.png").await;

    client.close().await.unwrap();
}

/// A register of 100,000 assets, imported by the release CLI (the debug build takes most of a
/// minute for what the release build does in seconds; `make test` builds it anyway).
fn large_register(home: &Path, store: &Path) {
    let cli = azukari_tests::release_cli();
    let mut csv = String::from("管理番号,種別,品名,型番,シリアル番号\r\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "PC-{i:06},ノートPC,ThinkPad X1 Carbon Gen {},20XW{},SN{i:08}\r\n",
            i % 13,
            i % 7
        ));
    }
    let file = home.join("register.csv");
    std::fs::write(&file, csv).unwrap();
    for args in [
        vec!["init", "--org", "株式会社サンプル", "--admin", "office"],
        vec!["import", "assets", file.to_str().unwrap()],
    ] {
        let out = Command::new(&cli)
            .arg("--store")
            .arg(store)
            .args(&args)
            .env("AZUKARI_USER", "office")
            .env("AZUKARI_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_answers_while_a_100000_row_ledger_prints() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    large_register(dir.path(), &store);
    let (_driver, client) = open_app(dir.path(), &store, 4454).await;
    type_into(&client, "#login-login", "office").await;
    type_into(&client, "#login-password", PASSWORD).await;
    wait_for(&client, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    // Home: the register counted, at 100,000.
    until_text(&client, "#count-available", |t| t.contains("100")).await;

    // Start the custody ledger of all 100,000 assets …
    wait_for(&client, "#nav-print").await.click().await.unwrap();
    wait_for(&client, "#print-format")
        .await
        .select_by_value("pdf")
        .await
        .unwrap();
    wait_for(&client, "#print-submit")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "#print-progress").await;
    // Where the app saves it: Documents/Azukari, or Azukari in the home without a Documents.
    let saved_ledger = || {
        ["Documents/Azukari", "Azukari"]
            .iter()
            .filter_map(|folder| std::fs::read_dir(dir.path().join(folder)).ok())
            .flat_map(|entries| entries.filter_map(|e| e.ok()))
            .map(|e| e.path())
            .find(|path| path.extension().is_some_and(|x| x == "pdf"))
    };
    let ledger_saved = || saved_ledger().is_some();

    // … and while it prints, go back to the register and search it.
    let asked = std::time::Instant::now();
    wait_for(&client, "#nav-assets")
        .await
        .click()
        .await
        .unwrap();
    type_into(&client, "#asset-search", "PC-099999").await;
    let mut answered = None;
    for _ in 0..200 {
        let rows = client
            .find_all(Locator::Css("#asset-table tbody tr[data-tag]"))
            .await
            .unwrap();
        if rows.len() == 1
            && client
                .find(Locator::Css("tr[data-tag=\"PC-099999\"]"))
                .await
                .is_ok()
        {
            answered = Some(asked.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let still_printing = !ledger_saved();
    let answered = answered.expect("the register answered the search");
    shoot(&client, "register-while-printing.png").await;
    assert!(
        still_printing,
        "the search was answered ({answered:?}) only once the ledger was done: the window waited for the print"
    );
    assert!(
        answered < Duration::from_secs(5),
        "the register took {answered:?} to answer while the ledger printed"
    );

    // The ledger still comes out whole.
    let mut waited = 0;
    while !ledger_saved() {
        assert!(waited < 600, "the ledger was never saved");
        tokio::time::sleep(Duration::from_millis(500)).await;
        waited += 1;
    }
    let pdf = saved_ledger().unwrap();
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo: {info}"));
    assert!(
        pages > 3_000,
        "100,000 rows make thousands of pages, not {pages}"
    );
    client.close().await.unwrap();
}

/// A desktop that cannot open its store says why where a person looks: the log in its data
/// folder (and, on Windows, a message box; a windowed program there has no standard error), in
/// the person's language, and ends with status 1 before any window.
#[test]
fn a_store_that_cannot_open_is_told_in_the_log_in_japanese() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let store = home.path().join("消えたフォルダ").join("azukari.db");
    let out = Command::new(env!("CARGO_BIN_EXE_azukari-desktop"))
        .arg("--store")
        .arg(&store)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &data)
        .env("LANG", "ja_JP.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!store.exists());
    let log = std::fs::read_to_string(data.join("azukari").join("azukari.log"))
        .expect("the log in the data folder");
    assert!(
        log.contains("消えたフォルダ") && log.contains("を開けません"),
        "{log}"
    );
    assert!(
        log.lines().count() == 1 && log.starts_with("20"),
        "one dated line: {log}"
    );
}

/// The office server, in this process, on `listen`; stopped when the sender is dropped or sent.
async fn office_server(
    store: &Path,
    listen: std::net::SocketAddr,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (bound, ready) = tokio::sync::oneshot::channel();
    let config = azukari_server::Config {
        listen,
        store: store.to_path_buf(),
        tls: None,
        sessions: azukari_api::SessionLimits::default(),
        request_timeout: Duration::from_secs(60),
        import_limit: azukari_api::DEFAULT_IMPORT_LIMIT_BYTES,
        font: None,
        clock: std::sync::Arc::new(|| Ok(beside_the_app())),
        readers: 2,
        checkpoints: None,
        checkpoint_every: None,
    };
    tokio::spawn(async move {
        azukari_server::serve(
            config,
            move |address, _| {
                let _ = bound.send(address);
            },
            async move {
                let _ = stopped.await;
            },
        )
        .await
        .unwrap();
    });
    ready.await.unwrap();
    stop
}

/// Two desktops on one office server: the security office's and a custodian's at home. An
/// item issued at the office appears on the custodian's screen; their acknowledgement, made
/// while the server is down, waits in the outbox and arrives when it is back; the office's
/// desktop then shows it.
#[tokio::test(flavor = "multi_thread")]
async fn two_desktops_on_one_office_server() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("office.db");
    {
        let now = beside_the_app();
        let mut desk = Desk::open(&store).unwrap();
        let office = desk
            .init("株式会社サンプル", "office", PASSWORD, "Asia/Tokyo", now)
            .unwrap();
        import_register(&store);
        desk.add_account(
            &office,
            NewAccount {
                login: "takahashi".into(),
                password: PASSWORD.into(),
                roles: vec![Role::Custodian],
                person: Some(PersonRef::Name("髙橋 一郎".into())),
            },
            beside_the_app(),
        )
        .unwrap();
        desk.return_loan(
            &office,
            azukari_api::ReturnLoan {
                tag: "PC-0001".into(),
                condition: azukari_api::domain::ReturnCondition::Ok,
                note: None,
            },
            beside_the_app(),
        )
        .unwrap();
    }
    let listen: std::net::SocketAddr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let stop = office_server(&store, listen).await;
    let url = format!("http://{listen}");

    // The office's desktop, connected: the place and its state are shown before login.
    let office_home = dir.path().join("office");
    let (_office_driver, office) = open_app_with(&office_home, &["--server", &url], 4464).await;
    until_text(&office, "#connection-state", |t| {
        t.contains("接続中") || t.contains("Connected")
    })
    .await;
    assert_eq!(text_of(&office, "#store-path").await, url);
    type_into(&office, "#login-login", "office").await;
    type_into(&office, "#login-password", PASSWORD).await;
    wait_for(&office, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&office, "#nav-assets")
        .await
        .click()
        .await
        .unwrap();
    until_text(&office, "#asset-total", |t| t.contains('4')).await;
    shoot(&office, "connected-office.png").await;

    // Issued at the office from another desk (the CLI's client) through the same server.
    let connection =
        azukari_client::Connection::new(&url, None, azukari_client::Kept::in_memory()).unwrap();
    let mut office_desk = connection.login("office", PASSWORD).unwrap();
    azukari_api::Office::issue_loan(
        &mut office_desk,
        azukari_api::IssueLoan {
            tag: "PC-0001".into(),
            to: PersonRef::Name("髙橋 一郎".into()),
            due: None,
            place: Some("自宅 書斎".into()),
            site: None,
        },
    )
    .unwrap();
    // The office's desktop shows it without being asked: the journal moved on the server.
    until_content(&office, "tr[data-tag=\"PC-0001\"]", |t| {
        t.contains("髙橋 一郎")
    })
    .await;
    wait_for(
        &office,
        "tr[data-tag=\"PC-0001\"] [data-flag=\"awaiting-receipt\"]",
    )
    .await;

    // The custodian's desktop at home sees it, and only what they hold.
    let home = dir.path().join("takahashi");
    let (_custodian_driver, custodian) = open_app_with(&home, &["--server", &url], 4474).await;
    type_into(&custodian, "#login-login", "takahashi").await;
    type_into(&custodian, "#login-password", PASSWORD).await;
    wait_for(&custodian, "#login-submit")
        .await
        .click()
        .await
        .unwrap();
    until_content(&custodian, "#my-items", |t| t.contains("PC-0001")).await;
    wait_for(&custodian, "#nav-assets")
        .await
        .click()
        .await
        .unwrap();
    until_text(&custodian, "#asset-total", |t| t.contains('1')).await;
    wait_for(&custodian, "tr[data-tag=\"PC-0001\"] td.tag")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&custodian, "#acknowledge").await;

    // The server goes down: the app says so, and the acknowledgement waits in the outbox.
    stop.send(()).unwrap();
    until_text(&custodian, "#connection-state", |t| {
        t.contains("接続できません") || t.contains("Cannot connect")
    })
    .await;
    wait_for(&custodian, "#offline-alert").await;
    wait_for(&custodian, "#acknowledge")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&custodian, "#ack-waiting").await;
    until_text(&custodian, "#outbox-waiting", |t| t.contains('1')).await;
    shoot(&custodian, "connected-custodian-offline.png").await;

    // Back on the same address: the outbox is sent by itself.
    let _stop = office_server(&store, listen).await;
    until_text(&custodian, "#connection-state", |t| {
        t.contains("接続中") || t.contains("Connected")
    })
    .await;
    for _ in 0..100 {
        if custodian
            .find(Locator::Css("#outbox-waiting"))
            .await
            .is_err()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        custodian
            .find(Locator::Css("#outbox-waiting"))
            .await
            .is_err(),
        "the outbox emptied"
    );

    // The office's desktop sees the acknowledgement by itself (the office's session survived
    // the restart): the row no longer awaits receipt, and its detail says when it was received.
    let mut still_awaiting = true;
    for _ in 0..100 {
        still_awaiting = office
            .find(Locator::Css(
                "tr[data-tag=\"PC-0001\"] [data-flag=\"awaiting-receipt\"]",
            ))
            .await
            .is_ok();
        if !still_awaiting {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!still_awaiting, "the office's register shows the receipt");
    shoot(&office, "connected-office-acknowledged.png").await;
    wait_for(&office, "tr[data-tag=\"PC-0001\"] td.tag")
        .await
        .click()
        .await
        .unwrap();
    let detail = until_text(&office, ".detail", |t| t.contains("髙橋 一郎")).await;
    assert!(
        !detail.contains("未確認") && !detail.contains("Not acknowledged"),
        "{detail}"
    );
    shoot(&office, "connected-office-acknowledged-detail.png").await;

    // The store the server wrote verifies.
    let mut desk = Desk::open(&store).unwrap();
    let office = desk.login("office", PASSWORD, beside_the_app()).unwrap();
    desk.verify(&office, None, &mut |_, _| {}).unwrap();
    let acknowledged = desk.asset(&office, "PC-0001").unwrap();
    assert!(acknowledged.asset.loan.unwrap().acknowledged_at.is_some());
}

/// A screenshot of the screen in English, then back to Japanese.
async fn shoot_in_english(client: &Client, name: &str) {
    for (lang, shot) in [("en", Some(name)), ("ja", None)] {
        wait_for(client, "#lang-switch")
            .await
            .select_by_value(lang)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Some(name) = shot {
            shoot(client, name).await;
        }
    }
}

/// Clicks what `css` finds, once it is there.
async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

/// The security office's day, all in the app: it imports an Excel register (CP932) through
/// the preview, adding the customer the register did not know on the way, issues an item with
/// the person picker, marks another lost, and prints the custody ledger. Every new screen is
/// shot in Japanese and English for docs/screenshots.
#[tokio::test(flavor = "multi_thread")]
async fn the_security_office_imports_through_the_preview_issues_and_prints() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    let head = || {
        Desk::open(&store)
            .unwrap()
            .store()
            .read()
            .journal_head()
            .unwrap()
    };
    {
        let mut desk = Desk::open(&store).unwrap();
        desk.init(
            "株式会社サンプル",
            "office",
            PASSWORD,
            "Asia/Tokyo",
            beside_the_app(),
        )
        .unwrap();
    }
    let before = head();
    let register = "管理番号,種別,品名,型番,シリアル番号,所有,貸与先,貸与日,返却予定日,保管場所\r\n\
PC-0101,ノートPC,ThinkPad X1 Carbon,20XW,SN-0101,顧客A株式会社,髙橋 一郎,2026/4/1,2027/3/31,自宅 書斎\r\n\
PH-0101,スマートフォン,iPhone 15,A3090,SN-0201,当社,﨑山 花子,2026/4/1,,\r\n\
USB-0101,USBメモリ,USB 32GB 暗号化,,SN-0301,,,,,\r\n";
    let (cp932, _, unmappable) = encoding_rs::SHIFT_JIS.encode(register);
    assert!(!unmappable);
    let file = dir.path().join("貸与物管理台帳.csv");
    std::fs::write(&file, &cp932).unwrap();

    let (_driver, client) = open_app(dir.path(), &store, 4480).await;
    wait_for(&client, "#lang-switch")
        .await
        .select_by_value("ja")
        .await
        .unwrap();
    type_into(&client, "#login-login", "office").await;
    type_into(&client, "#login-password", PASSWORD).await;
    click(&client, "#login-submit").await;
    until_text(&client, "#count-on-loan", |t| t.contains('0')).await;

    // The file chosen as the system's file dialog would hand it over.
    click(&client, "#nav-import").await;
    wait_for(&client, "#import-file")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    let refusal = until_text(&client, "#import-refusal", |t| t.contains("顧客A株式会社")).await;
    assert!(refusal.contains("2行目"), "{refusal}");
    shoot(&client, "import-unknown-organisation-ja.png").await;
    click(&client, "#import-add-orgs").await;
    let preview = until_content(&client, "#import-assets", |t| t.contains("USB-0101")).await;
    assert!(
        preview.contains("顧客A株式会社") && preview.contains("髙橋 一郎"),
        "{preview}"
    );
    assert!(
        text_of(&client, "#import-new-orgs")
            .await
            .contains("顧客A株式会社"),
        "the customer to add is listed"
    );
    shoot(&client, "import-preview-ja.png").await;
    assert_eq!(head(), before, "the preview wrote nothing");
    click(&client, "#import-run").await;
    until_text(&client, "#import-done", |t| t.contains("資産 3 件")).await;

    // Issue USB-0101 to 﨑山 花子, chosen in the person picker.
    click(&client, "#nav-assets").await;
    until_text(&client, "#asset-total", |t| t.contains('3')).await;
    click(&client, "tr[data-tag=\"USB-0101\"] td.tag").await;
    click(&client, "#action-issue").await;
    type_into(&client, "#loan-person-search", "﨑山").await;
    until_content(&client, "#loan-person", |t| {
        t.contains("﨑山 花子") && !t.contains("髙橋")
    })
    .await;
    wait_for(&client, "#loan-person")
        .await
        .select_by_index(0)
        .await
        .unwrap();
    type_into(&client, "#loan-place", "自宅 鍵付き引き出し").await;
    shoot(&client, "issue-ja.png").await;
    click(&client, "#loan-save").await;
    until_content(&client, "tr[data-tag=\"USB-0101\"]", |t| {
        t.contains("﨑山 花子")
    })
    .await;

    // PH-0101 lost: a period on its timeline.
    click(&client, "tr[data-tag=\"PH-0101\"] td.tag").await;
    click(&client, "[data-mark=\"lost\"]").await;
    type_into(&client, "#action-note", "通勤電車内で紛失").await;
    click(&client, "#action-save").await;
    until_content(&client, "[data-period=\"lost\"]", |t| {
        t.contains("通勤電車内で紛失")
    })
    .await;
    shoot(&client, "asset-lost-ja.png").await;

    // Home counts what happened.
    click(&client, "#nav-home").await;
    until_text(&client, "#count-on-loan", |t| t.contains('2')).await;
    until_text(&client, "#count-lost", |t| t.contains('1')).await;
    shoot(&client, "home-office-ja.png").await;

    // The custody ledger shows it all, the customer included.
    click(&client, "#nav-print").await;
    wait_for(&client, "#print-format")
        .await
        .select_by_value("pdf")
        .await
        .unwrap();
    click(&client, "#print-submit").await;
    let path = until_text(&client, "#print-path", |t| t.ends_with(".pdf")).await;
    let text = Command::new("pdftotext")
        .args(["-layout", &path, "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let line = |tag: &str| {
        text.lines()
            .find(|line| line.contains(tag))
            .unwrap_or_else(|| panic!("{tag} in\n{text}"))
            .to_string()
    };
    assert!(line("PC-0101").contains("顧客A株式会社"), "{text}");
    assert!(line("USB-0101").contains("﨑山 花子"), "{text}");
    assert!(line("PH-0101").contains("紛失"), "{text}");

    // The other screens, in both languages.
    for lang in ["ja", "en"] {
        wait_for(&client, "#lang-switch")
            .await
            .select_by_value(lang)
            .await
            .unwrap();
        for screen in [
            "home",
            "people",
            "organisations",
            "accounts",
            "import",
            "maintenance",
        ] {
            click(&client, &format!("#nav-{screen}")).await;
            wait_for(&client, &format!("#nav-{screen}[aria-current=\"page\"]")).await;
            // The screen's own reads arrive.
            tokio::time::sleep(Duration::from_millis(400)).await;
            shoot(&client, &format!("{screen}-office-{lang}.png")).await;
        }
        click(&client, "#nav-people").await;
        click(&client, "#person-new").await;
        shoot(&client, &format!("person-form-{lang}.png")).await;
    }

    // At 200% the navigation wraps and nothing is cut off or scrolls sideways.
    wait_for(&client, "#lang-switch")
        .await
        .select_by_value("ja")
        .await
        .unwrap();
    client
        .execute("document.documentElement.style.zoom = '2';", vec![])
        .await
        .unwrap();
    for screen in ["home", "assets", "import"] {
        // Through the address: WebDriver reckons clicks without CSS zoom.
        client
            .execute(&format!("location.hash = '#/{screen}';"), vec![])
            .await
            .unwrap();
        wait_for(&client, &format!("#nav-{screen}[aria-current=\"page\"]")).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let overflow = client
            .execute(
                "const e = document.documentElement; return e.scrollWidth - e.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "{screen} at 200% scrolls sideways by {overflow}"
        );
        shoot(&client, &format!("{screen}-200-ja.png")).await;
    }
    client.close().await.unwrap();
}

/// A custodian, a site responsible and an auditor, each logging in to the same store: each
/// home shows what needs that person, and the auditor can read but not change.
#[tokio::test(flavor = "multi_thread")]
async fn each_role_logs_in_to_its_own_home() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    {
        let now = beside_the_app();
        let mut desk = Desk::open(&store).unwrap();
        let office = desk
            .init("株式会社サンプル", "office", PASSWORD, "Asia/Tokyo", now)
            .unwrap();
        desk.add_organisation(
            &office,
            "顧客A株式会社",
            azukari_api::domain::OrganisationKind::Customer,
            now,
        )
        .unwrap();
        for name in ["髙橋 一郎", "現場 責任子", "監査 太郎"] {
            let person = azukari_api::NewPerson {
                name: name.into(),
                ..Default::default()
            };
            desk.add_person(&office, person, now).unwrap();
        }
        let site = azukari_api::NewSite {
            organisation: "顧客A株式会社".into(),
            name: "本社ビル 12階".into(),
            address: None,
            responsibles: vec![PersonRef::Name("現場 責任子".into())],
        };
        desk.add_site(&office, site, now).unwrap();
        for (login, role, person) in [
            ("takahashi", Role::Custodian, "髙橋 一郎"),
            ("genba", Role::SiteResponsible, "現場 責任子"),
            ("audit", Role::Auditor, "監査 太郎"),
        ] {
            let account = NewAccount {
                login: login.into(),
                password: PASSWORD.into(),
                roles: vec![role],
                person: Some(PersonRef::Name(person.into())),
            };
            desk.add_account(&office, account, now).unwrap();
        }
        for (tag, site) in [("PC-0001", Some("本社ビル 12階")), ("PH-0001", None)] {
            let asset = azukari_api::NewAsset {
                tag: tag.into(),
                kind: Some(azukari_api::domain::AssetKind::Pc),
                name: "ThinkPad X1 Carbon".into(),
                ..Default::default()
            };
            desk.add_asset(&office, asset, now).unwrap();
            let loan = azukari_api::IssueLoan {
                tag: tag.into(),
                to: PersonRef::Name("髙橋 一郎".into()),
                due: Some("2027-03-31".parse().unwrap()),
                place: Some("自宅 書斎".into()),
                site: site.map(str::to_string),
            };
            desk.issue_loan(&office, loan, now).unwrap();
        }
    }
    let (_driver, client) = open_app(dir.path(), &store, 4490).await;
    wait_for(&client, "#lang-switch")
        .await
        .select_by_value("ja")
        .await
        .unwrap();
    let login = |who: &'static str| {
        let client = client.clone();
        async move {
            type_into(&client, "#login-login", who).await;
            type_into(&client, "#login-password", PASSWORD).await;
            click(&client, "#login-submit").await;
            wait_for(&client, "#home-title").await;
        }
    };

    // The custodian acknowledges receipt from home.
    login("takahashi").await;
    until_content(&client, "#my-items", |t| t.contains("PH-0001")).await;
    shoot(&client, "home-custodian-ja.png").await;
    shoot_in_english(&client, "home-custodian-en.png").await;
    click(&client, "[data-ack=\"PC-0001\"]").await;
    until_content(&client, "#my-items tr[data-tag=\"PC-0001\"]", |t| {
        t.contains("受領確認") && !t.contains("受領を確認する")
    })
    .await;
    assert!(
        client.find(Locator::Css("#nav-people")).await.is_err(),
        "a custodian has no people screen"
    );
    click(&client, "#logout").await;

    // The site responsible sees their site's loan (and not the item at home).
    login("genba").await;
    let loans = until_content(&client, "#site-loans", |t| t.contains("PC-0001")).await;
    assert!(
        loans.contains("本社ビル 12階")
            && loans.contains("髙橋 一郎")
            && !loans.contains("PH-0001"),
        "{loans}"
    );
    shoot(&client, "home-site-responsible-ja.png").await;
    shoot_in_english(&client, "home-site-responsible-en.png").await;
    click(&client, "#logout").await;

    // The auditor reads everything and changes nothing.
    login("audit").await;
    until_text(&client, "#count-on-loan", |t| t.contains('2')).await;
    until_text(&client, "#count-unacked", |t| t.contains('1')).await;
    shoot(&client, "home-auditor-ja.png").await;
    shoot_in_english(&client, "home-auditor-en.png").await;
    assert!(client.find(Locator::Css("#nav-import")).await.is_err());
    click(&client, "#nav-assets").await;
    click(&client, "tr[data-tag=\"PC-0001\"] td.tag").await;
    until_text(&client, ".detail", |t| t.contains("髙橋 一郎")).await;
    assert!(
        client.find(Locator::Css("#action-return")).await.is_err()
            && client.find(Locator::Css("#action-edit")).await.is_err(),
        "no register work for the auditor"
    );
    click(&client, "#nav-people").await;
    until_content(&client, "#people-table", |t| t.contains("監査 太郎")).await;
    assert!(client.find(Locator::Css("#person-new")).await.is_err());
    shoot(&client, "people-auditor-ja.png").await;
    client.close().await.unwrap();
}

/// Answers the system's file dialog the way a person does: waits for the dialog titled
/// `title`, types the full path into its name field and presses Enter. (WebDriver reaches the
/// web view only; the dialog is GTK's own window, so the keys go to it through X.)
fn answer_file_dialog(title: &str, path: &Path) {
    let search = Command::new("xdotool")
        .args(["search", "--sync", "--onlyvisible", "--name", title])
        .output()
        .expect("xdotool is installed by scripts/install-deps.sh");
    let window = String::from_utf8_lossy(&search.stdout)
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no dialog titled {title}"))
        .to_string();
    // Focused first (no window manager runs under Xvfb to give it focus, or raise it), then
    // the name field's text replaced by the whole path.
    let _ = Command::new("xdotool")
        .args(["windowfocus", "--sync", &window])
        .status();
    std::thread::sleep(Duration::from_millis(300));
    // Ctrl+L opens the location field of an open dialog (typing a / would too, but eat the
    // next key); a save dialog's name field has it already.
    let key = |keys: &str| {
        let done = Command::new("xdotool")
            .args(["key", "--clearmodifiers", keys])
            .status()
            .unwrap()
            .success();
        std::thread::sleep(Duration::from_millis(300));
        done
    };
    let typed = key("ctrl+l")
        && key("ctrl+a")
        && Command::new("xdotool")
            .args(["type", "--delay", "20", path.to_str().unwrap()])
            .status()
            .unwrap()
            .success();
    // The first Enter may only close the location field's completion; a person presses it
    // again when the dialog is still there.
    let open = || {
        Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", title])
            .output()
            .is_ok_and(|out| !out.stdout.is_empty())
    };
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(500));
        key("Return");
        std::thread::sleep(Duration::from_millis(700));
        if !open() {
            break;
        }
    }
    assert!(!open(), "the dialog {title} took the path");
    assert!(typed, "xdotool typed into the dialog");
}

/// The security office verifies the store, backs it up to a file chosen in the system's save
/// dialog, and restores that backup into a new store chosen the same way; the backup and the
/// restored store verify with the same head.
#[tokio::test(flavor = "multi_thread")]
async fn the_office_verifies_backs_up_and_restores_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("azukari.db");
    {
        let mut desk = Desk::open(&store).unwrap();
        desk.init(
            "株式会社サンプル",
            "office",
            PASSWORD,
            "Asia/Tokyo",
            beside_the_app(),
        )
        .unwrap();
    }
    import_register(&store);
    let (_driver, client) = open_app(dir.path(), &store, 4500).await;
    wait_for(&client, "#lang-switch")
        .await
        .select_by_value("en")
        .await
        .unwrap();
    type_into(&client, "#login-login", "office").await;
    type_into(&client, "#login-password", PASSWORD).await;
    click(&client, "#login-submit").await;
    click(&client, "#nav-maintenance").await;

    click(&client, "#verify-run").await;
    let result = until_text(&client, "#verify-result", |t| t.contains("verifies")).await;
    let head = Desk::open(&store)
        .unwrap()
        .store()
        .read()
        .journal_head()
        .unwrap();
    assert!(
        result.contains(&format!("{}:{}", head.0, head.1)),
        "the head it ended on: {result}"
    );
    // A head printed on a ledger that the store does not hold is named.
    type_into(
        &client,
        "#verify-expect",
        &format!("{}:{}", head.0 + 5, head.1),
    )
    .await;
    click(&client, "#verify-run").await;
    until_text(&client, "#verify-error", |t| t.contains("cut back")).await;
    shoot(&client, "verify-en.png").await;

    let backup = dir.path().join("office-backup.db");
    click(&client, "#backup-run").await;
    answer_file_dialog("Save the backup as", &backup);
    until_text(&client, "#saved-result", |t| t.contains("office-backup.db")).await;
    assert!(backup.exists());

    let restored = dir.path().join("restored.db");
    click(&client, "#restore-run").await;
    answer_file_dialog("The backup to restore", &backup);
    answer_file_dialog("The new store to restore into", &restored);
    let said = until_text(&client, "#saved-result", |t| t.contains("restored.db")).await;
    assert!(said.contains(&format!("{}:{}", head.0, head.1)), "{said}");
    shoot(&client, "restore-en.png").await;
    let mut desk = Desk::open(&restored).unwrap();
    let office = desk.login("office", PASSWORD, beside_the_app()).unwrap();
    let report = desk.verify(&office, None, &mut |_, _| {}).unwrap();
    assert_eq!((report.entries, report.head), head);
    client.close().await.unwrap();
}
