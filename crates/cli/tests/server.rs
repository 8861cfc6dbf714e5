//! The office server as its users meet it: the real `azukari serve` on a real store and a
//! loopback port, the real CLI with --server, and raw HTTP where a hostile or careless client
//! would send what the CLI never does.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-11-21T01:00:00Z";

/// `azukari ARGS…` in English at the stories' instant, with its own data folder (where
/// `azukari login` keeps tokens and heads).
/// What `account add` gives a new account (AZUKARI_NEW_PASSWORD of every command here).
const NEW_ACCOUNT_PASSWORD: &str = "another good password";

fn azukari(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_azukari"));
    command
        .args(args)
        .env("AZUKARI_USER", "admin")
        .env("AZUKARI_PASSWORD", PASSWORD)
        .env("AZUKARI_NEW_PASSWORD", NEW_ACCOUNT_PASSWORD)
        .env("LANG", "C")
        .env("AZUKARI_NOW", NOW)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        // Tokens in files: a test run on someone's desktop must not fill their keyring. The
        // credential store has a test of its own, on a keyring of its own.
        .env("AZUKARI_TOKEN_STORE", "file")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("AZUKARI_STORE")
        .env_remove("AZUKARI_SERVER");
    command
}

fn expect(out: Output, code: i32, what: &str) -> Output {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A store with its first account, and the stories' people and assets.
/// On the engine of the run: a file in `dir`, or a PostgreSQL database
/// (`AZUKARI_TEST_STORE=postgres`, see crates/pg-harness).
fn new_store(dir: &Path, name: &str) -> PathBuf {
    fill_store(dir, azukari_pg_harness::test_store(dir, name))
}

/// `store` (a file or a connection string) made a store of the stories.
fn fill_store(dir: &Path, store: PathBuf) -> PathBuf {
    let s = store.to_str().unwrap();
    for args in [
        &["init", "--org", "株式会社サンプル", "--admin", "admin"][..],
        &["person", "add", "田中 太郎"],
        &["person", "add", "髙橋 花子"],
        &[
            "asset",
            "add",
            "--tag",
            "PC-0001",
            "--kind",
            "pc",
            "--name",
            "ThinkPad X1",
        ],
        &[
            "asset", "add", "--tag", "PH-0001", "--kind", "phone", "--name", "iPhone",
        ],
    ] {
        let mut all = vec!["--store", s];
        all.extend_from_slice(args);
        expect(
            azukari(dir, &all).output().unwrap(),
            0,
            &format!("{args:?}"),
        );
    }
    store
}

/// A running `azukari serve`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    url: String,
    /// The store it serves.
    store: PathBuf,
}

impl Server {
    fn start(dir: &Path, store: &Path, extra: &[&str]) -> Server {
        Server::start_on(dir, store, "127.0.0.1:0", extra)
    }

    /// On a given address: a server that comes back where its clients know it.
    fn start_on(dir: &Path, store: &Path, listen: &str, extra: &[&str]) -> Server {
        let mut args = vec![
            "--store",
            store.to_str().unwrap(),
            "serve",
            "--listen",
            listen,
        ];
        args.extend_from_slice(extra);
        let mut child = azukari(dir, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("serving on ")
            .unwrap_or_else(|| panic!("the server said {line:?}"))
            .to_string();
        Server {
            child,
            url,
            store: store.to_path_buf(),
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn on_server(home: &Path, server: &Server, args: &[&str]) -> Command {
    let mut all = vec!["--server", server.url.as_str()];
    all.extend_from_slice(args);
    azukari(home, &all)
}

/// The custodian of the stories: tanaka, 田中 太郎's account, made with the password the
/// office gives a new account (NEW_ACCOUNT_PASSWORD).
const ADD_TANAKA: &[&str] = &[
    "account",
    "add",
    "tanaka",
    "--role",
    "custodian",
    "--person",
    "田中 太郎",
];

/// A new store in `home`, served, with tanaka's account added by the office.
fn served_with_tanaka(home: &Path) -> Server {
    let store = new_store(home, "office.db");
    let server = Server::start(home, &store, &[]);
    expect(
        on_server(home, &server, ADD_TANAKA).output().unwrap(),
        0,
        "add",
    );
    server
}

/// `command` run as tanaka.
fn as_tanaka(mut command: Command) -> Command {
    command
        .env("AZUKARI_USER", "tanaka")
        .env("AZUKARI_PASSWORD", NEW_ACCOUNT_PASSWORD);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The same commands give the same output and exit codes on a store and through a server
/// (the server's clock is fixed at the same instant as the CLI's).
#[test]
fn the_command_line_contract_reads_the_same_through_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let here = new_store(dir.path(), "here.db");
    let there = new_store(dir.path(), "there.db");
    let server = Server::start(dir.path(), &there, &[]);
    // A register exported from Excel, in Shift_JIS, read where the register is.
    let register = dir.path().join("台帳.csv");
    let csv = "管理番号,種別,品名,貸与先\r\nPC-0100,ノートPC,ThinkPad,髙橋 花子\r\n";
    std::fs::write(&register, encoding_rs::SHIFT_JIS.encode(csv).0).unwrap();
    let register = register.to_str().unwrap().to_string();
    let stories: &[(&[&str], i32)] = &[
        (&["org", "add", "ミライエ"], 0),
        (
            &[
                "site",
                "add",
                "--org",
                "ミライエ",
                "--name",
                "本社",
                "--responsible",
                "髙橋 花子",
            ],
            0,
        ),
        (ADD_TANAKA, 0),
        (
            &[
                "loan",
                "issue",
                "--asset",
                "PC-0001",
                "--to",
                "田中 太郎",
                "--due",
                "2027-03-31",
                "--site",
                "本社",
            ],
            0,
        ),
        (
            &["loan", "issue", "--asset", "PC-0001", "--to", "髙橋 花子"],
            1,
        ),
        (
            &["loan", "issue", "--asset", "NO-SUCH", "--to", "田中 太郎"],
            1,
        ),
        (
            &[
                "asset",
                "add",
                "--tag",
                "bad\u{202e}tag",
                "--kind",
                "pc",
                "--name",
                "x",
            ],
            1,
        ),
        (&["asset", "list", "--json"], 0),
        (&["asset", "show", "PC-0001", "--json"], 0),
        (&["loan", "list", "--as-of", "2026-11-21", "--json"], 0),
        (&["person", "list", "--json"], 0),
        (&["site", "list", "--json"], 0),
        (&["account", "list", "--json"], 0),
        (
            &["loan", "return", "--asset", "PC-0001", "--condition", "ok"],
            0,
        ),
        (&["loan", "return", "--asset", "PC-0001"], 1),
        // An instant no journal can hold, read by the server in the store's zone.
        (&["loan", "list", "--as-of", "99999-01-01", "--json"], 1),
        (&["import", "assets", &register, "--dry-run"], 0),
        (&["import", "assets", &register], 0),
        (&["import", "assets", &register], 1),
        (
            &["loan", "issue", "--asset", "PH-0001", "--to", "田中 太郎"],
            0,
        ),
    ];
    for (args, code) in stories {
        let mut local_args = vec!["--store", here.to_str().unwrap()];
        local_args.extend_from_slice(args);
        let local = expect(
            azukari(dir.path(), &local_args).output().unwrap(),
            *code,
            "local",
        );
        let remote = expect(
            on_server(dir.path(), &server, args).output().unwrap(),
            *code,
            "server",
        );
        assert_eq!(text(&remote.stdout), text(&local.stdout), "{args:?} stdout");
        assert_eq!(text(&remote.stderr), text(&local.stderr), "{args:?} stderr");
    }
    // A custodian reads only what they hold, and may not do the office's work: the same
    // answers from the server as from the store.
    let custodian: &[(&[&str], i32)] = &[
        (&["asset", "list", "--json"], 0),
        (&["person", "list", "--json"], 0),
        (&["asset", "show", "PC-0100"], 1),
        (&["account", "list"], 1),
        (&["loan", "return", "--asset", "PH-0001"], 1),
        (&["import", "assets", &register, "--dry-run"], 1),
        (&["loan", "ack", "--asset", "PH-0001"], 0),
    ];
    for (args, code) in custodian {
        let mut local_args = vec!["--store", here.to_str().unwrap()];
        local_args.extend_from_slice(args);
        let run = |command: Command| as_tanaka(command).output().unwrap();
        let local = expect(run(azukari(dir.path(), &local_args)), *code, "local");
        let remote = expect(run(on_server(dir.path(), &server, args)), *code, "server");
        assert_eq!(
            text(&remote.stdout),
            text(&local.stdout),
            "tanaka {args:?} stdout"
        );
        assert_eq!(
            text(&remote.stderr),
            text(&local.stderr),
            "tanaka {args:?} stderr"
        );
    }
    // In Japanese too: the server sends both languages, the client shows its own.
    let args = ["loan", "return", "--asset", "PC-0001"];
    let remote = on_server(dir.path(), &server, &args)
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(
        text(&remote.stderr).contains("貸与中ではないため返却できません"),
        "{}",
        text(&remote.stderr)
    );

    // The ledger printed by the server is the same ledger.
    let out = dir.path().join("remote.csv");
    expect(
        on_server(
            dir.path(),
            &server,
            &["ledger", "custody", "--out", out.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        0,
        "ledger",
    );
    let local_out = dir.path().join("local.csv");
    expect(
        azukari(
            dir.path(),
            &[
                "--store",
                here.to_str().unwrap(),
                "ledger",
                "custody",
                "--out",
                local_out.to_str().unwrap(),
            ],
        )
        // Signed with a key of this computer's own, not the server's: both stores began with
        // the same entry at the same fixed instant, and one key's signer would take the
        // second for the first rewritten.
        .env(
            "AZUKARI_CHECKPOINT_KEY",
            dir.path().join("this computer").join("checkpoint.key"),
        )
        .output()
        .unwrap(),
        0,
        "ledger",
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&local_out).unwrap()
    );

    // verify through the server names the same head as verify on the store.
    let remote = expect(
        on_server(dir.path(), &server, &["verify"])
            .output()
            .unwrap(),
        0,
        "verify",
    );
    assert!(text(&remote.stdout).starts_with("ok: "));
    // Init and restore belong to the store's own computer.
    let refused = expect(
        on_server(dir.path(), &server, &["init", "--org", "x", "--admin", "y"])
            .output()
            .unwrap(),
        1,
        "init over the network",
    );
    assert!(
        text(&refused.stderr).contains("server"),
        "{}",
        text(&refused.stderr)
    );
}

/// A session bus and an unlocked GNOME Keyring of the test's own (the Secret Service a Linux
/// desktop has), stopped when dropped.
struct Keyring {
    bus: String,
    bus_pid: u32,
    home: PathBuf,
}

impl Keyring {
    fn start(home: &Path) -> Keyring {
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        let bus = Command::new("dbus-daemon")
            .args([
                "--session",
                "--fork",
                "--nosyslog",
                "--print-address=1",
                "--print-pid=1",
            ])
            .output()
            .expect("dbus-daemon (make test installs it)");
        let printed = text(&bus.stdout);
        let mut lines = printed.lines();
        let (address, pid) = (lines.next().unwrap(), lines.next().unwrap());
        let keyring = Keyring {
            bus: address.to_string(),
            bus_pid: pid.trim().parse().unwrap(),
            home: home.to_path_buf(),
        };
        let mut daemon = keyring
            .command("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (make test installs gnome-keyring)");
        {
            use std::io::Write;
            // The keyring's own password, on its standard input, as a login unlocks it.
            daemon
                .stdin
                .take()
                .unwrap()
                .write_all(b"the test's keyring")
                .unwrap();
        }
        assert!(daemon.wait().unwrap().success(), "gnome-keyring-daemon");
        keyring
    }

    /// `program` in the keyring's session.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_RUNTIME_DIR", self.home.join("run"));
        command
    }

    /// What the Secret Service holds for Azukari, read by libsecret's own tool.
    fn azukari_secrets(&self) -> String {
        let out = self
            .command("secret-tool")
            .args(["search", "--all", "--unlock", "service", "Azukari"])
            .output()
            .expect("secret-tool (make test installs libsecret-tools)");
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }
}

impl Drop for Keyring {
    /// The keyring daemon ends with its bus.
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.bus_pid.to_string()).status();
    }
}

/// With a Secret Service on the session bus, `azukari login` keeps the token there and not in
/// a file; later commands use it, logout removes it. With none, the token goes to a 0600 file.
#[test]
fn the_session_token_is_kept_in_the_systems_credential_store_where_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let server = Server::start(dir.path(), &store, &[]);
    let home = dir.path().join("desk");
    std::fs::create_dir_all(&home).unwrap();
    let keyring = Keyring::start(&home);
    let with_keyring = |args: &[&str], password: bool| {
        let mut command = on_server(&home, &server, args);
        command
            .env_remove("AZUKARI_TOKEN_STORE")
            .env("DBUS_SESSION_BUS_ADDRESS", &keyring.bus)
            .env("XDG_RUNTIME_DIR", home.join("run"));
        if !password {
            command.env_remove("AZUKARI_PASSWORD");
        }
        command.output().unwrap()
    };
    let token_files = || {
        walk(&home)
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("token-"))
            .count()
    };

    let login = expect(with_keyring(&["login"], true), 0, "login");
    assert!(
        text(&login.stdout).contains("kept in the system's credential store"),
        "{}",
        text(&login.stdout)
    );
    assert_eq!(token_files(), 0, "the token is not in a file as well");
    let held = keyring.azukari_secrets();
    assert!(
        held.contains("azk1_") && held.contains(&format!("admin @ {}", server.url)),
        "the Secret Service holds the session: {held}"
    );
    // Another command, with no password: the session comes from the keyring.
    expect(
        with_keyring(&["person", "list"], false),
        0,
        "with the kept token",
    );

    // Something else wrote junk under Azukari's entry (or the token was tampered with): the
    // server refuses it as no session, the command logs in with the password it was given,
    // and the junk is not kept.
    let mut junk = keyring
        .command("secret-tool")
        .args([
            "store",
            "--label=azukari",
            "service",
            "Azukari",
            "target",
            "default",
        ])
        .args(["username", &format!("admin @ {}", server.url)])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        junk.stdin
            .take()
            .unwrap()
            .write_all(b"azk1_' OR 1=1 --")
            .unwrap();
    }
    assert!(junk.wait().unwrap().success(), "secret-tool store");
    assert!(keyring.azukari_secrets().contains("OR 1=1"));
    expect(
        with_keyring(&["person", "list"], true),
        0,
        "with a junk token",
    );
    assert!(
        !keyring.azukari_secrets().contains("OR 1=1"),
        "the junk token is forgotten"
    );
    expect(with_keyring(&["login"], true), 0, "login again");

    expect(with_keyring(&["logout"], false), 0, "logout");
    assert!(
        !keyring.azukari_secrets().contains("azk1_"),
        "logout removes it from the keyring"
    );
    // No session kept anywhere now: a password is asked for, and there is none to give.
    let refused = expect(with_keyring(&["person", "list"], false), 1, "after logout");
    assert!(
        text(&refused.stderr).contains("no password"),
        "{}",
        text(&refused.stderr)
    );

    // No Secret Service on the bus (none at all here): a 0600 file, and the output says so.
    let without = on_server(&home, &server, &["login"])
        .env_remove("AZUKARI_TOKEN_STORE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    let without = expect(without, 0, "login without a credential store");
    assert!(
        text(&without.stdout).contains("kept in a file only you can read"),
        "{}",
        text(&without.stdout)
    );
    assert_eq!(token_files(), 1);
}

/// `azukari login` keeps a token (0600) so later commands need no password; logout ends it
/// on the server; a disabled account's sessions end at once (and say the account is disabled);
/// the office ends others'.
#[test]
fn sessions_are_kept_ended_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let server = served_with_tanaka(home);
    let tanaka_home = dir.path().join("tanaka");
    std::fs::create_dir_all(&tanaka_home).unwrap();
    let tanaka = |args: &[&str]| as_tanaka(on_server(&tanaka_home, &server, args));
    // tanaka's password was set by the office, but not reset: logs in as it is.
    expect(tanaka(&["login"]).output().unwrap(), 0, "login");
    let tokens: Vec<PathBuf> = walk(&tanaka_home)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("token-")
        })
        .collect();
    assert_eq!(tokens.len(), 1, "one kept token");
    let token = std::fs::read_to_string(&tokens[0]).unwrap();
    assert!(token.starts_with("azk1_") && token.len() == 69);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&tokens[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The token is not in the store: only its SHA-256.
    assert!(!store_holds(&server.store, token.as_bytes()));
    // Without a password now: the kept session answers.
    let out = expect(
        tanaka(&["loan", "list", "--json"])
            .env_remove("AZUKARI_PASSWORD")
            .output()
            .unwrap(),
        0,
        "kept session",
    );
    assert_eq!(text(&out.stdout).trim(), "[]");
    // The raw token works until the account is disabled.
    assert_eq!(
        raw(
            &server,
            "POST",
            "/api/v1/call",
            Some(&token),
            r#"{"call":"session"}"#
        )
        .0,
        200
    );
    expect(
        on_server(home, &server, &["account", "disable", "tanaka"])
            .output()
            .unwrap(),
        0,
        "disable",
    );
    let (status, body) = raw(
        &server,
        "POST",
        "/api/v1/call",
        Some(&token),
        r#"{"call":"session"}"#,
    );
    // Its session was ended with it; the person is told why, as on one computer.
    assert_eq!(
        (status, code_of(&body).as_str()),
        (403, "account_disabled"),
        "{body}"
    );
    let refused = expect(
        tanaka(&["loan", "list"])
            .env_remove("AZUKARI_PASSWORD")
            .output()
            .unwrap(),
        1,
        "after disable",
    );
    assert!(
        text(&refused.stderr).contains("password") || text(&refused.stderr).contains("disabled"),
        "{}",
        text(&refused.stderr)
    );
    expect(
        on_server(home, &server, &["account", "enable", "tanaka"])
            .output()
            .unwrap(),
        0,
        "enable",
    );

    // The security office ends all of tanaka's sessions.
    expect(tanaka(&["login"]).output().unwrap(), 0, "login again");
    let token = std::fs::read_to_string(&tokens[0]).unwrap();
    let ended = expect(
        on_server(home, &server, &["account", "end-sessions", "tanaka"])
            .output()
            .unwrap(),
        0,
        "end",
    );
    assert_eq!(text(&ended.stdout).trim(), "1 sessions of tanaka ended");
    assert_eq!(
        code_of(
            &raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"session"}"#
            )
            .1
        ),
        "session_ended"
    );
    // A custodian may not end others' sessions.
    expect(
        tanaka(&["login"]).output().unwrap(),
        0,
        "login a third time",
    );
    let refused = expect(
        tanaka(&["account", "end-sessions", "admin"])
            .output()
            .unwrap(),
        1,
        "custodian ends",
    );
    assert!(
        text(&refused.stderr).contains("roles do not allow"),
        "{}",
        text(&refused.stderr)
    );
    // Logout ends the kept session on the server, and forgets it here.
    let token = std::fs::read_to_string(&tokens[0]).unwrap();
    expect(tanaka(&["logout"]).output().unwrap(), 0, "logout");
    assert!(!tokens[0].exists());
    assert_eq!(
        code_of(
            &raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"session"}"#
            )
            .1
        ),
        "session_ended"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A request as any client could send it; the status and the body.
fn raw(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    raw_with(
        server,
        method,
        path,
        token,
        body,
        &[("azukari-protocol", "1")],
    )
}

fn raw_with(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let url = format!("{}{path}", server.url);
    let agent = agent();
    let mut response = if method == "GET" {
        let mut request = agent.get(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request.call().unwrap()
    } else {
        let mut request = agent.post(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request.content_type("application/json").send(body).unwrap()
    };
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, body)
}

/// A request whose headers announce a body of `length` bytes, none of which is sent: the
/// server must refuse it by its Content-Length alone. (Sending the body too races the server's
/// early answer: it closes the connection while the client still writes.)
fn announced_only(server: &Server, path: &str, token: &str, length: usize) -> (u16, String) {
    use std::io::{Read, Write};
    let address = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nazukari-protocol: 1\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, body.to_string())
}

fn code_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("no code in {body:?}"))
}

fn login_token(server: &Server, login: &str, password: &str) -> String {
    let (status, body) = raw(
        server,
        "POST",
        "/api/v1/login",
        None,
        &serde_json::json!({"login": login, "password": password, "device": "テスト端末"})
            .to_string(),
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Whether `bytes` are anywhere in the store: in the file, or in any text of the database.
fn store_holds(store: &Path, bytes: &[u8]) -> bool {
    if azukari_pg_harness::on_postgres() {
        let mut client =
            postgres::Client::connect(store.to_str().unwrap(), postgres::NoTls).unwrap();
        let needle = String::from_utf8(bytes.to_vec()).unwrap();
        // Every table, every row, as text.
        let tables: Vec<String> = client
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        tables.iter().any(|table| {
            let found: i64 = client
                .query_one(
                    &format!("SELECT COUNT(*) FROM {table} t WHERE strpos(t::text, $1) > 0"),
                    &[&needle],
                )
                .unwrap()
                .get(0);
            found > 0
        })
    } else {
        std::fs::read(store)
            .unwrap()
            .windows(bytes.len())
            .any(|w| w == bytes)
    }
}

/// Puts the store back to a backup, as a server's disk or database restored from an older
/// copy would be.
fn put_back(dir: &Path, store: &Path, backup: &Path) {
    if azukari_pg_harness::on_postgres() {
        let url = store.to_str().unwrap();
        azukari_pg_harness::cluster().recreate(url);
        expect(
            azukari(dir, &["--store", url, "restore", backup.to_str().unwrap()])
                .output()
                .unwrap(),
            0,
            "restore",
        );
    } else {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", store.display()));
        }
        std::fs::copy(backup, store).unwrap();
    }
}

fn journal_length(dir: &Path, store: &Path) -> String {
    let out = expect(
        azukari(dir, &["--store", store.to_str().unwrap(), "verify"])
            .output()
            .unwrap(),
        0,
        "verify",
    );
    text(&out.stdout).split(',').next().unwrap().to_string()
}

/// What a careless or hostile client sends gets a clear code, and nothing is written.
#[test]
fn bad_requests_get_clear_codes_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let server = Server::start(dir.path(), &store, &[]);
    let token = login_token(&server, "admin", PASSWORD);
    let add = r#"{"call":"add_organisation","args":{"name":"ミライエ","kind":"customer"}}"#;
    let before = {
        let (_, body) = raw(
            &server,
            "POST",
            "/api/v1/call",
            Some(&token),
            r#"{"call":"journal_head"}"#,
        );
        body
    };
    let cases: Vec<(&str, (u16, String))> = vec![
        ("no token", raw(&server, "POST", "/api/v1/call", None, add)),
        (
            "a token never issued",
            raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&format!("azk1_{}", "0".repeat(64))),
                add,
            ),
        ),
        (
            "not a token",
            raw(&server, "POST", "/api/v1/call", Some("' OR 1=1 --"), add),
        ),
        (
            "malformed JSON",
            raw(&server, "POST", "/api/v1/call", Some(&token), "{\"call\":"),
        ),
        (
            "an unknown call",
            raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"drop_tables"}"#,
            ),
        ),
        (
            "a wrong field",
            raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"add_organisation","args":{"name":1}}"#,
            ),
        ),
        (
            "an unknown route",
            raw(
                &server,
                "POST",
                "/api/v1/journal/rewrite",
                Some(&token),
                add,
            ),
        ),
        (
            "an old client",
            raw_with(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                add,
                &[("azukari-protocol", "0")],
            ),
        ),
        (
            "no protocol",
            raw_with(&server, "POST", "/api/v1/call", Some(&token), add, &[]),
        ),
        (
            "a body over the limit",
            announced_only(&server, "/api/v1/call", &token, 2 * 1024 * 1024),
        ),
        (
            "an import file over the limit",
            announced_only(
                &server,
                "/api/v1/import?kind=assets&file_name=x.csv",
                &token,
                64 * 1024 * 1024,
            ),
        ),
        (
            "a due date in year 0",
            raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"issue_loan","args":{"tag":"PC-0001","to":{"name":"田中 太郎"},"due":"0000-01-01","place":null,"site":null}}"#,
            ),
        ),
        (
            "a due date no calendar has",
            raw(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                r#"{"call":"issue_loan","args":{"tag":"PC-0001","to":{"name":"田中 太郎"},"due":"2026-02-30","place":null,"site":null}}"#,
            ),
        ),
        (
            "a bad idempotency key",
            raw_with(
                &server,
                "POST",
                "/api/v1/call",
                Some(&token),
                add,
                &[("azukari-protocol", "1"), ("idempotency-key", "short")],
            ),
        ),
    ];
    let expected = [
        (401, "not_logged_in"),
        (401, "not_logged_in"),
        (401, "not_logged_in"),
        (400, "malformed_request"),
        (400, "malformed_request"),
        (400, "malformed_request"),
        (404, "unknown_route"),
        (400, "unsupported_version"),
        (400, "unsupported_version"),
        (413, "body_too_large"),
        (422, "import_rejected"),
        (422, "invalid_input"),
        (400, "malformed_request"),
        (422, "invalid_input"),
    ];
    assert_eq!(cases.len(), expected.len(), "one expected answer a case");
    for ((what, (status, body)), (want_status, want_code)) in cases.iter().zip(expected) {
        assert_eq!(
            (*status, code_of(body).as_str()),
            (want_status, want_code),
            "{what}: {body}"
        );
        let answer: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(
            !answer["en"].as_str().unwrap().is_empty()
                && !answer["ja"].as_str().unwrap().is_empty(),
            "{what}: both languages"
        );
    }
    let (_, after) = raw(
        &server,
        "POST",
        "/api/v1/call",
        Some(&token),
        r#"{"call":"journal_head"}"#,
    );
    assert_eq!(after, before, "nothing was written");
    // The status needs no login, and says which protocol the server speaks.
    let (status, body) = raw_with(&server, "GET", "/api/v1/status", None, "", &[]);
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["protocol"],
        "1"
    );
}

/// A custodian's acknowledgement sent from the outbox may arrive twice: applied once, and
/// the repeat gets the first answer.
#[test]
fn an_acknowledgement_sent_twice_is_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let server = Server::start(dir.path(), &store, &[]);
    let admin = login_token(&server, "admin", PASSWORD);
    for call in [
        r#"{"call":"add_account","args":{"login":"tanaka","password":"another good password","roles":["custodian"],"person":{"name":"田中 太郎"}}}"#,
        r#"{"call":"issue_loan","args":{"tag":"PC-0001","to":{"name":"田中 太郎"},"due":null,"place":"自宅","site":null}}"#,
    ] {
        let (status, body) = raw(&server, "POST", "/api/v1/call", Some(&admin), call);
        assert_eq!(status, 200, "{body}");
    }
    let tanaka = login_token(&server, "tanaka", NEW_ACCOUNT_PASSWORD);
    let ack = r#"{"call":"acknowledge_loan","args":{"tag":"PC-0001"}}"#;
    let key = [
        ("azukari-protocol", "1"),
        ("idempotency-key", "0b6f3c1e-ack-PC-0001"),
    ];
    let head = |server: &Server| {
        raw(
            server,
            "POST",
            "/api/v1/call",
            Some(&admin),
            r#"{"call":"journal_head"}"#,
        )
        .1
    };
    let first = raw_with(&server, "POST", "/api/v1/call", Some(&tanaka), ack, &key);
    assert_eq!(first.0, 200, "{}", first.1);
    let after_first = head(&server);
    let second = raw_with(&server, "POST", "/api/v1/call", Some(&tanaka), ack, &key);
    assert_eq!(second, first, "the repeat gets the first answer");
    assert_eq!(head(&server), after_first, "and writes nothing");
    // Without the key, a second acknowledgement is a refusal, as on one computer.
    let plain = raw(&server, "POST", "/api/v1/call", Some(&tanaka), ack);
    assert_eq!((plain.0, code_of(&plain.1).as_str()), (409, "conflict"));
    // Another custodian's key space is their own: the same key from admin is a new request.
    let admin_ack = raw_with(&server, "POST", "/api/v1/call", Some(&admin), ack, &key);
    assert_eq!(code_of(&admin_ack.1), "forbidden");
}

/// The client keeps the last journal head it saw; a server whose journal no longer extends
/// it (an older copy put back) is reported and gets no write.
#[test]
fn a_server_whose_journal_was_cut_back_is_reported_and_gets_no_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let older = dir.path().join("older.db");
    expect(
        azukari(
            dir.path(),
            &[
                "--store",
                store.to_str().unwrap(),
                "backup",
                "--out",
                older.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap(),
        0,
        "backup",
    );
    let mut server = Server::start(dir.path(), &store, &[]);
    expect(
        on_server(dir.path(), &server, &["org", "add", "ミライエ"])
            .output()
            .unwrap(),
        0,
        "a write seen by this client",
    );
    server.kill();
    // The server's disk is put back to the older copy.
    put_back(dir.path(), &store, &older);
    let address = server.url.trim_start_matches("http://").to_string();
    let server = Server::start_on(dir.path(), &store, &address, &[]);
    let before = journal_length(dir.path(), &store);
    let refused = expect(
        on_server(
            dir.path(),
            &server,
            &["org", "add", "パートナー", "--kind", "partner"],
        )
        .output()
        .unwrap(),
        1,
        "a forked server",
    );
    assert!(
        text(&refused.stderr).contains("no longer has the journal this computer saw"),
        "{}",
        text(&refused.stderr)
    );
    drop(server);
    assert_eq!(
        journal_length(dir.path(), &store),
        before,
        "nothing was written"
    );
}

/// Plain HTTP only on loopback; TLS with the office's own certificate, trusted with --ca.
#[test]
fn plain_http_stays_on_loopback_and_tls_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let refused = expect(
        azukari(
            dir.path(),
            &[
                "--store",
                store.to_str().unwrap(),
                "serve",
                "--listen",
                "0.0.0.0:0",
            ],
        )
        .output()
        .unwrap(),
        1,
        "plain HTTP on every address",
    );
    assert!(
        text(&refused.stderr).contains("only on a loopback address"),
        "{}",
        text(&refused.stderr)
    );

    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
    let cert_file = dir.path().join("office.pem");
    let key_file = dir.path().join("office.key");
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let server = Server::start(
        dir.path(),
        &store,
        &[
            "--cert",
            cert_file.to_str().unwrap(),
            "--key",
            key_file.to_str().unwrap(),
        ],
    );
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let trusted = expect(
        on_server(dir.path(), &server, &["person", "list", "--json"])
            .arg("--ca")
            .arg(&cert_file)
            .output()
            .unwrap(),
        0,
        "with the office's certificate",
    );
    assert!(text(&trusted.stdout).contains("田中 太郎"));
    let untrusted = expect(
        on_server(dir.path(), &server, &["person", "list"])
            .output()
            .unwrap(),
        1,
        "without it",
    );
    assert!(
        text(&untrusted.stderr).contains("cannot be reached"),
        "{}",
        text(&untrusted.stderr)
    );
}

/// The server is killed (SIGKILL) at random moments under write load, 50 times: every write
/// a client was told succeeded is there afterwards, the store verifies, clients reconnect.
#[test]
fn a_server_killed_under_write_load_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let mut acknowledged = Vec::new();
    let mut next = 0u32;
    for round in 0..50u64 {
        let mut server = Server::start(dir.path(), &store, &[]);
        let token = login_token(&server, "admin", PASSWORD);
        let url = server.url.clone();
        let (sender, received) = std::sync::mpsc::channel();
        let first = next;
        let writer = std::thread::spawn(move || {
            let agent = agent();
            for n in first.. {
                let name = format!("利用者 {n}");
                let body = serde_json::json!({"call": "add_person", "args": {"name": name}});
                let sent = agent
                    .post(format!("{url}/api/v1/call"))
                    .header("azukari-protocol", "1")
                    .header("authorization", format!("Bearer {token}"))
                    .send_json(&body);
                match sent {
                    Ok(response) if response.status() == 200 => sender.send(name).unwrap(),
                    _ => return,
                }
            }
        });
        // Pseudo-random moments, from a few writes in to many.
        std::thread::sleep(std::time::Duration::from_millis(20 + (round * 7919) % 180));
        server.kill();
        writer.join().unwrap();
        let names: Vec<String> = received.try_iter().collect();
        next += names.len() as u32 + 1;
        acknowledged.extend(names);
    }
    assert!(
        acknowledged.len() > 50,
        "the load wrote: {}",
        acknowledged.len()
    );
    let out = expect(
        azukari(dir.path(), &["--store", store.to_str().unwrap(), "verify"])
            .output()
            .unwrap(),
        0,
        "verify",
    );
    assert!(text(&out.stdout).starts_with("ok: "));
    let people = expect(
        azukari(
            dir.path(),
            &[
                "--store",
                store.to_str().unwrap(),
                "person",
                "list",
                "--json",
            ],
        )
        .output()
        .unwrap(),
        0,
        "people",
    );
    let people: Vec<serde_json::Value> = serde_json::from_slice(&people.stdout).unwrap();
    let names: std::collections::HashSet<&str> =
        people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    for name in &acknowledged {
        assert!(
            names.contains(name.as_str()),
            "{name} was acknowledged and is gone"
        );
    }
}

/// A custodian at home acknowledges while the office server is down: the acknowledgement
/// waits in the outbox, arrives once when the server is back, and is applied once even when
/// sent twice; one the server refuses meanwhile is shown with its reason, not dropped.
#[test]
fn the_outbox_keeps_an_acknowledgement_until_the_server_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let store = new_store(home, "office.db");
    let mut server = Server::start(home, &store, &[]);
    let address = server.url.trim_start_matches("http://").to_string();
    for args in [
        ADD_TANAKA,
        &["loan", "issue", "--asset", "PC-0001", "--to", "田中 太郎"],
        &["loan", "issue", "--asset", "PH-0001", "--to", "田中 太郎"],
    ] {
        expect(
            on_server(home, &server, args).output().unwrap(),
            0,
            &format!("{args:?}"),
        );
    }
    let tanaka_home = home.join("tanaka");
    std::fs::create_dir_all(&tanaka_home).unwrap();
    let tanaka = |server: &Server, args: &[&str]| {
        as_tanaka(on_server(&tanaka_home, server, args))
            .output()
            .unwrap()
    };
    expect(tanaka(&server, &["login"]), 0, "login");
    server.kill();

    // The server is down: both acknowledgements wait.
    for tag in ["PC-0001", "PH-0001"] {
        let kept = expect(
            tanaka(&server, &["loan", "ack", "--asset", tag]),
            0,
            "ack while down",
        );
        assert!(
            text(&kept.stderr).contains("waits in this computer's outbox"),
            "{}",
            text(&kept.stderr)
        );
    }
    let listed = expect(
        tanaka(&server, &["outbox", "list", "--json"]),
        0,
        "outbox list",
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["waiting"].as_array().unwrap().len(), 2, "{listed}");
    let outbox_file = walk(&tanaka_home)
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("outbox-")
        })
        .expect("the outbox is a file");
    let as_first_sent = std::fs::read(&outbox_file).unwrap();

    // Back: meanwhile the office took PH-0001 back (it went to repair).
    let server = Server::start_on(home, &store, &address, &[]);
    expect(
        on_server(home, &server, &["loan", "return", "--asset", "PH-0001"])
            .output()
            .unwrap(),
        0,
        "return",
    );
    let before = journal_length(home, &store);
    let sent = expect(tanaka(&server, &["outbox", "send"]), 0, "send");
    let said = text(&sent.stderr);
    assert!(
        said.contains("sent from the outbox: acknowledgement of PC-0001"),
        "{said}"
    );
    assert!(
        said.contains("refused by the office server: acknowledgement of PH-0001"),
        "{said}"
    );
    let after = journal_length(home, &store);
    assert_ne!(after, before, "the acknowledgement arrived");
    let shown = expect(
        on_server(home, &server, &["asset", "show", "PC-0001", "--json"])
            .output()
            .unwrap(),
        0,
        "show",
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert!(
        shown["asset"]["loan"]["acknowledged_at"].is_string(),
        "{shown}"
    );
    let listed = expect(tanaka(&server, &["outbox", "list"]), 0, "outbox list");
    assert!(
        text(&listed.stdout).starts_with("refused\t"),
        "{}",
        text(&listed.stdout)
    );
    assert!(text(&listed.stdout).contains("PH-0001"));

    // The answer to the first send was lost on the way: the outbox sends both again.
    std::fs::write(&outbox_file, &as_first_sent).unwrap();
    let again = expect(tanaka(&server, &["outbox", "send"]), 0, "send again");
    assert!(
        text(&again.stderr).contains("sent from the outbox: acknowledgement of PC-0001"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(journal_length(home, &store), after, "applied once");
    expect(tanaka(&server, &["outbox", "dismiss"]), 0, "dismiss");
    let listed = expect(
        tanaka(&server, &["outbox", "list", "--json"]),
        0,
        "outbox list",
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed, serde_json::json!({"waiting": [], "refused": []}));
}

/// A password reset by the office is changed over the server, from a computer that has seen
/// the server before (its client checks the journal before the change, which a session that
/// must change its password may still read).
#[test]
fn a_reset_password_is_changed_over_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let server = served_with_tanaka(home);
    let tanaka_home = home.join("tanaka");
    std::fs::create_dir_all(&tanaka_home).unwrap();
    let tanaka = |password: &str, new: &str, args: &[&str]| {
        on_server(&tanaka_home, &server, args)
            .env("AZUKARI_USER", "tanaka")
            .env("AZUKARI_PASSWORD", password)
            .env("AZUKARI_NEW_PASSWORD", new)
            .output()
            .unwrap()
    };
    expect(tanaka(NEW_ACCOUNT_PASSWORD, "", &["login"]), 0, "login");
    // The office resets it (the journal moves on past what tanaka's computer saw).
    let reset = on_server(home, &server, &["account", "reset", "tanaka"])
        .env("AZUKARI_NEW_PASSWORD", "reset by the office")
        .output()
        .unwrap();
    expect(reset, 0, "reset");
    let refused = expect(
        tanaka("reset by the office", "", &["loan", "list"]),
        1,
        "before the change",
    );
    assert!(
        text(&refused.stderr).contains("choose a new one"),
        "{}",
        text(&refused.stderr)
    );
    let changed = expect(
        tanaka(
            "reset by the office",
            "tanaka's own password",
            &["account", "passwd"],
        ),
        0,
        "passwd",
    );
    assert_eq!(text(&changed.stdout).trim(), "password of tanaka changed");
    expect(
        tanaka("tanaka's own password", "", &["loan", "list"]),
        0,
        "after the change",
    );
    // A login name no account could have is refused like a wrong password, and not kept.
    let (status, body) = raw(
        &server,
        "POST",
        "/api/v1/login",
        None,
        &serde_json::json!({"login": "x".repeat(10_000), "password": "p", "device": "d"})
            .to_string(),
    );
    assert_eq!((status, code_of(&body).as_str()), (401, "wrong_password"));
}

/// A password changed by its owner logs out every other session of the account (one opened on
/// a laptop since lost, with the old password), in the same write; the session that changed
/// it goes on. A wrong current password changes nothing and ends nothing.
#[test]
fn changing_ones_password_ends_the_accounts_other_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let server = served_with_tanaka(home);
    let at_home = login_token(&server, "tanaka", NEW_ACCOUNT_PASSWORD);
    let lost_laptop = login_token(&server, "tanaka", NEW_ACCOUNT_PASSWORD);
    let office = login_token(&server, "admin", PASSWORD);
    let session = r#"{"call":"session"}"#;
    let change = |current: &str| {
        raw(
            &server,
            "POST",
            "/api/v1/call",
            Some(&at_home),
            &serde_json::json!({"call": "change_password",
                "args": {"current": current, "new": "tanaka's own password"}})
            .to_string(),
        )
    };
    let (status, body) = change("not the password");
    assert_eq!((status, code_of(&body).as_str()), (401, "wrong_password"));
    let (status, _) = raw(&server, "POST", "/api/v1/call", Some(&lost_laptop), session);
    assert_eq!(status, 200, "a refused change ends nothing");

    let (status, body) = change(NEW_ACCOUNT_PASSWORD);
    assert_eq!(status, 200, "{body}");
    let (status, body) = raw(&server, "POST", "/api/v1/call", Some(&lost_laptop), session);
    assert_eq!((status, code_of(&body).as_str()), (401, "session_ended"));
    let (status, body) = raw(&server, "POST", "/api/v1/call", Some(&at_home), session);
    assert_eq!(status, 200, "the session that changed it goes on: {body}");
    let (status, _) = raw(&server, "POST", "/api/v1/call", Some(&office), session);
    assert_eq!(status, 200, "another account's session is not touched");
    login_token(&server, "tanaka", "tanaka's own password");
}

/// Writes sent at once are committed in groups (one fsync for many): each is applied or
/// refused on its own, a refused one (a name already taken, a custodian doing the office's
/// work) takes nothing of its group with it, and every write answered done is journaled.
#[test]
fn writes_arriving_together_are_applied_or_refused_each_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let server = Server::start(dir.path(), &store, &[]);
    let admin = login_token(&server, "admin", PASSWORD);
    let call = |token: &str, body: &str| raw(&server, "POST", "/api/v1/call", Some(token), body);
    let add = |name: &str| {
        format!(r#"{{"call":"add_organisation","args":{{"name":"{name}","kind":"customer"}}}}"#)
    };
    let add_tanaka = r#"{"call":"add_account","args":{"login":"tanaka","password":"another good password","roles":["custodian"],"person":{"name":"田中 太郎"}}}"#;
    assert_eq!(call(&admin, add_tanaka).0, 200);
    assert_eq!(call(&admin, &add("既存の取引先")).0, 200);
    let tanaka = login_token(&server, "tanaka", NEW_ACCOUNT_PASSWORD);
    let head = || -> i64 {
        let (_, body) = call(&admin, r#"{"call":"journal_head"}"#);
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["seq"]
            .as_i64()
            .unwrap()
    };
    let before = head();
    // Eight clients at once, each sending in turn a new name, the taken name, and a new name
    // as a custodian.
    let answers: Vec<(String, u16, String)> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..8)
            .map(|client| {
                let (call, add, admin, tanaka) = (&call, &add, &admin, &tanaka);
                scope.spawn(move || {
                    let mut answers = Vec::new();
                    for n in 0..6 {
                        let name = format!("取引先{client}-{n}");
                        for (what, token, body) in [
                            (format!("{name} by the office"), admin, add(&name)),
                            ("the taken name".to_string(), admin, add("既存の取引先")),
                            (format!("{name} by a custodian"), tanaka, add(&name)),
                        ] {
                            let (status, answer) = call(token, &body);
                            answers.push((what, status, code_of(&answer)));
                        }
                    }
                    answers
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|client| client.join().unwrap())
            .collect()
    });
    assert_eq!(answers.len(), 8 * 6 * 3);
    for (what, status, code) in &answers {
        let expected = if what.ends_with("by the office") {
            (200, "")
        } else if what.ends_with("by a custodian") {
            (403, "forbidden")
        } else {
            (409, "duplicate")
        };
        let code = if *status == 200 { "" } else { code.as_str() };
        assert_eq!((*status, code), expected, "{what}");
    }
    assert_eq!(
        head() - before,
        48,
        "one journal entry a new name, none for a refusal"
    );
    drop(server);
    // verify passes on the store the groups were committed to.
    journal_length(dir.path(), &store);
}

/// The office server signs its head with its own key (`serve --print-key`): at start, on
/// request (`azukari checkpoint` through --server) and on every custody ledger, keeping each
/// beside its key. An auditor checks a printed ledger's checkpoint from the PDF's text
/// against the published key. Once the store is put back to an older copy, the server signs
/// nothing more, and the refusal says why.
#[test]
fn the_server_signs_its_head_at_start_on_request_and_on_every_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let store = new_store(home, "office.db");
    let s = store.to_str().unwrap();
    let older = home.join("older.db");
    expect(
        azukari(
            home,
            &["--store", s, "backup", "--out", older.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        0,
        "backup",
    );
    let public_key = text(
        &expect(
            azukari(home, &["--store", s, "serve", "--print-key"])
                .output()
                .unwrap(),
            0,
            "print-key",
        )
        .stdout,
    )
    .trim()
    .to_string();
    assert_eq!(public_key.len(), 64, "{public_key}");
    let kept_folder = home.join(".config").join("azukari").join("checkpoints");
    let kept = || walk(&kept_folder);
    let mut server = Server::start(home, &store, &[]);

    // Signed at start (on a connection of its own, after verifying).
    let waited = std::time::Instant::now();
    while kept().is_empty() && waited.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(kept().len(), 1, "the checkpoint signed at start is kept");

    // On request, through the server, after a write: the server's key, not this computer's.
    expect(
        on_server(home, &server, &["org", "add", "ミライエ"])
            .output()
            .unwrap(),
        0,
        "a write",
    );
    let file = home.join("checkpoint.txt");
    expect(
        on_server(
            home,
            &server,
            &["checkpoint", "--out", file.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        0,
        "checkpoint",
    );
    let asked = std::fs::read_to_string(&file).unwrap();
    assert!(asked.contains(&format!("key {public_key}")), "{asked}");

    // Another write, then a ledger: it carries the new head, signed, in text a reader gets
    // back.
    expect(
        on_server(
            home,
            &server,
            &["org", "add", "パートナー", "--kind", "partner"],
        )
        .output()
        .unwrap(),
        0,
        "a write",
    );
    let pdf = home.join("台帳.pdf");
    expect(
        on_server(
            home,
            &server,
            &["ledger", "custody", "--out", pdf.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        0,
        "ledger",
    );
    let extracted = home.join("台帳.txt");
    let pdftotext = Command::new("pdftotext")
        .arg(&pdf)
        .arg(&extracted)
        .output()
        .expect("pdftotext (scripts/install-deps.sh installs poppler-utils)");
    assert!(pdftotext.status.success());
    let ledger_text = std::fs::read_to_string(&extracted).unwrap();
    assert!(
        ledger_text.contains("署名付きチェックポイント"),
        "{ledger_text}"
    );
    let checked = expect(
        on_server(
            home,
            &server,
            &[
                "verify",
                "--checkpoint",
                extracted.to_str().unwrap(),
                "--public-key",
                &public_key,
            ],
        )
        .output()
        .unwrap(),
        0,
        "the ledger's checkpoint",
    );
    assert!(
        text(&checked.stdout).contains("holds"),
        "{}",
        text(&checked.stdout)
    );
    let head_of = |text: &str| {
        text.lines()
            .map(str::trim)
            .find(|line| line.starts_with("head "))
            .unwrap()
            .to_string()
    };
    assert_ne!(
        head_of(&asked),
        head_of(&ledger_text),
        "the ledger's checkpoint is of the head after the write"
    );
    assert_eq!(kept().len(), 3, "start, request and ledger: {:?}", kept());
    // An altered ledger checkpoint is refused.
    let forged = home.join("forged.txt");
    std::fs::write(
        &forged,
        ledger_text.replace(&head_of(&ledger_text), &head_of(&asked)),
    )
    .unwrap();
    let refused = expect(
        on_server(
            home,
            &server,
            &["verify", "--checkpoint", forged.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        1,
        "a forged checkpoint",
    );
    assert!(text(&refused.stderr).contains("altered or forged"));

    // The store put back to the copy from before: nothing more is signed.
    server.kill();
    put_back(home, &store, &older);
    let server = Server::start(home, &store, &[]);
    // Another computer, which never saw this server's journal, asks for a ledger.
    let other = tempfile::tempdir().unwrap();
    let refused_pdf = other.path().join("台帳.pdf");
    let refused = expect(
        on_server(
            other.path(),
            &server,
            &["ledger", "custody", "--out", refused_pdf.to_str().unwrap()],
        )
        .output()
        .unwrap(),
        1,
        "a ledger of a store put back",
    );
    assert!(
        text(&refused.stderr).contains("no longer holds the journal head"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!refused_pdf.exists(), "no ledger without its checkpoint");
    assert_eq!(kept().len(), 3, "nothing more was signed: {:?}", kept());
}

/// PostgreSQL restarted (`pg_ctl restart -m fast`, every connection cut) under the server's
/// write load, on a PostgreSQL server of this test's own: writes meanwhile are refused with a
/// code saying nothing was written, the server reconnects by itself, writes are acknowledged
/// again after it, every acknowledged write is in the store once, and it verifies.
#[test]
fn the_server_rides_out_a_postgresql_restart_under_write_load() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let cluster = azukari_pg_harness::private_cluster();
    let dir = tempfile::tempdir().unwrap();
    let store = fill_store(dir.path(), PathBuf::from(cluster.new_database()));
    let server = Server::start(dir.path(), &store, &[]);
    let token = login_token(&server, "admin", PASSWORD);
    let stop = Arc::new(AtomicBool::new(false));
    let restarted = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (url, token, stop, restarted) = (
                server.url.clone(),
                token.clone(),
                stop.clone(),
                restarted.clone(),
            );
            std::thread::spawn(move || {
                let agent = agent();
                // (name, acknowledged after the restart), and the codes of refusals.
                let mut acknowledged = Vec::new();
                let mut refused = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let after = restarted.load(Ordering::SeqCst);
                    let name = format!("利用者 {writer}-{n}");
                    let body = serde_json::json!({"call": "add_person", "args": {"name": name}});
                    let mut response = agent
                        .post(format!("{url}/api/v1/call"))
                        .header("azukari-protocol", "1")
                        .header("authorization", format!("Bearer {token}"))
                        .send_json(&body)
                        .expect("the server answers throughout");
                    if response.status() == 200 {
                        acknowledged.push((name, after));
                    } else {
                        let text = response.body_mut().read_to_string().unwrap();
                        refused.push((code_of(&text), text));
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                }
                (acknowledged, refused)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(400));
    cluster.restart();
    restarted.store(true, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(800));
    stop.store(true, Ordering::SeqCst);
    let mut acknowledged = Vec::new();
    let mut refused = Vec::new();
    for writer in writers {
        let (names, codes) = writer.join().unwrap();
        acknowledged.extend(names);
        refused.extend(codes);
    }
    for (code, body) in &refused {
        assert!(
            ["not_written", "store_unreachable"].contains(&code.as_str()),
            "a write during the restart is refused as not written: {body}"
        );
    }
    assert!(
        acknowledged.iter().filter(|(_, after)| !after).count() > 10,
        "writes before the restart"
    );
    assert!(
        acknowledged.iter().filter(|(_, after)| *after).count() > 10,
        "writes acknowledged after the restart: the server reconnected ({} refused)",
        refused.len()
    );
    assert!(
        !refused.is_empty(),
        "the restart met writes in flight (about 25 in 700 here)"
    );
    drop(server);
    let s = store.to_str().unwrap();
    let out = expect(
        azukari(dir.path(), &["--store", s, "verify"])
            .output()
            .unwrap(),
        0,
        "verify",
    );
    assert!(text(&out.stdout).starts_with("ok: "));
    let people = expect(
        azukari(dir.path(), &["--store", s, "person", "list", "--json"])
            .output()
            .unwrap(),
        0,
        "people",
    );
    let people: Vec<serde_json::Value> = serde_json::from_slice(&people.stdout).unwrap();
    let mut names: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for person in &people {
        *names.entry(person["name"].as_str().unwrap()).or_default() += 1;
    }
    for (name, _) in &acknowledged {
        assert_eq!(
            names.get(name.as_str()),
            Some(&1),
            "{name} was acknowledged: in the store once"
        );
    }
}

/// The server listens with room for an office's desks connecting at once (a restart, the
/// morning): the standard library's 128 made a thousand clients' connections reset. Read from
/// the system's own table of listening sockets (`ss`), where Send-Q is the backlog.
#[cfg(target_os = "linux")]
#[test]
fn the_server_listens_with_room_for_every_desk_connecting_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), "office.db");
    let server = Server::start(dir.path(), &store, &[]);
    let port = server.url.rsplit(':').next().unwrap().trim_end_matches('/');
    let listed = Command::new("ss")
        .args(["-ltnH", &format!("sport = :{port}")])
        .output()
        .expect("ss (iproute2)");
    let line = String::from_utf8_lossy(&listed.stdout).to_string();
    let backlog: u32 = line
        .split_whitespace()
        .nth(2)
        .unwrap_or_else(|| panic!("no listening socket on {port}: {line:?}"))
        .parse()
        .unwrap();
    let system: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(backlog, system.min(4096), "{line}");
    assert!(backlog > 128 || system <= 128, "{line}");
}
