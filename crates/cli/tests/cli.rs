//! The command-line contract of DESIGN.md, run as others script it: the real binary on a real
//! store file, exit status 0 / 1 / 2, JSON on stdout, reasons on stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Office {
    _dir: tempfile::TempDir,
    store: PathBuf,
    dir: PathBuf,
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let store = azukari_pg_harness::test_store(dir.path(), "azukari.db");
    let office = Office {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        store,
    };
    let out = office.run(&["init", "--org", "株式会社サンプル", "--admin", "admin"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    office
}

impl Office {
    fn run(&self, args: &[&str]) -> Output {
        self.run_on(&self.store, args)
    }

    fn run_on(&self, store: &Path, args: &[&str]) -> Output {
        self.command(store, args).output().unwrap()
    }

    /// `azukari --store STORE ARGS…` as the admin, in English, at the stories' one instant;
    /// a test changes what it needs with `.env(…)`, which replaces what is set here.
    fn command(&self, store: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_azukari"));
        command
            .arg("--store")
            .arg(store)
            .args(args)
            .env("AZUKARI_USER", "admin")
            .env("AZUKARI_PASSWORD", "correct horse battery")
            .env("LANG", "C")
            // Every write of these stories happens at one fixed instant.
            .env("AZUKARI_NOW", "2026-11-21T01:00:00Z")
            // This computer's checkpoint key and the checkpoints it keeps: the test's own.
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env_remove("AZUKARI_CHECKPOINT_KEY")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("AZUKARI_STORE");
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Puts the store back to an older backup, as someone swapping the file (or, on
    /// PostgreSQL, emptying the database and restoring into it) would.
    fn put_back(&self, backup: &Path) {
        if azukari_pg_harness::on_postgres() {
            azukari_pg_harness::cluster().recreate(self.store.to_str().unwrap());
            self.ok(&["restore", backup.to_str().unwrap()]);
        } else {
            std::fs::copy(backup, &self.store).unwrap();
        }
    }

    /// Refused: exit 1, the reason on stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should be refused: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// `azukari ledger custody --out DIR/NAME ARGS…`; the path of the file it wrote.
    fn custody_ledger(&self, name: &str, args: &[&str]) -> PathBuf {
        let out = self.dir.join(name);
        let mut all = vec!["ledger", "custody", "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        self.ok(&all);
        out
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

const REGISTER: &str = "管理番号,種別,品名,シリアル番号,貸与先,貸与日,返却予定日,保管場所\r\n\
PC-0001,ノートPC,ThinkPad X1,SN1,髙橋 一郎,2026/4/1,2027/3/31,自宅\r\n\
PH-0001,スマートフォン,iPhone,SN2,﨑山 花子,2026/04/01,,\r\n\
USB-0001,USBメモリ,USB 32GB,SN3,,,,\r\n";

fn cp932(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

#[test]
fn import_issue_return_list_backup_restore_verify() {
    let o = office();
    let file = o.write("台帳.csv", &cp932(REGISTER));
    assert!(
        o.ok(&["import", "assets", &file, "--dry-run"])
            .contains("would import 3 rows")
    );
    assert_eq!(
        o.json(&["asset", "list", "--json"]),
        serde_json::json!([]),
        "a dry run writes nothing"
    );
    assert!(
        o.ok(&["import", "assets", &file])
            .contains("3 assets, 2 people added, 2 loans issued")
    );

    let list = o.json(&["asset", "list", "--holder", "髙橋 一郎", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["tag"], "PC-0001");
    assert_eq!(list[0]["loan"]["custodian"], "髙橋 一郎");
    assert_eq!(list[0]["loan"]["due_on"], "2027-03-31");

    o.ok(&[
        "loan",
        "issue",
        "--asset",
        "USB-0001",
        "--to",
        "髙橋 一郎",
        "--due",
        "2026-12-31",
        "--place",
        "金庫",
    ]);
    o.ok(&[
        "loan",
        "return",
        "--asset",
        "PC-0001",
        "--condition",
        "damaged",
        "--note",
        "画面割れ",
    ]);
    let on_loan = o.json(&["asset", "list", "--status", "on_loan", "--json"]);
    let tags: Vec<&str> = on_loan
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["PH-0001", "USB-0001"]);
    let held = o.json(&["loan", "list", "--as-of", "2026-04-02", "--json"]);
    assert_eq!(
        held.as_array().unwrap().len(),
        2,
        "as of 2026-04-02 both imported loans were held"
    );

    let backup = o.dir.join("backup.db");
    o.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let restored = o.dir.join("restored.db");
    let out = o.run_on(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = o.run_on(&restored, &["verify"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
    let out = o.run_on(&restored, &["asset", "list", "--json"]);
    let restored_list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(restored_list.as_array().unwrap().len(), 3);
}

#[test]
fn refusals_exit_1_with_the_reason_and_write_nothing() {
    let o = office();
    o.ok(&["person", "add", "髙橋 一郎"]);
    o.ok(&[
        "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "ThinkPad",
    ]);
    o.ok(&["loan", "issue", "--asset", "PC-0001", "--to", "髙橋 一郎"]);
    let journal_before = o.ok(&["verify"]);

    let cases: &[(&[&str], &str)] = &[
        (
            &["loan", "issue", "--asset", "PC-0001", "--to", "髙橋 一郎"],
            "PC-0001 is on_loan",
        ),
        (
            &["loan", "issue", "--asset", "PC-9999", "--to", "髙橋 一郎"],
            "no asset 'PC-9999'",
        ),
        (
            &["loan", "return", "--asset", "PC-9999"],
            "no asset 'PC-9999'",
        ),
        (
            &[
                "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "x",
            ],
            "tag: 'PC-0001' exists already",
        ),
        (
            &["asset", "add", "--tag", "", "--kind", "pc", "--name", "x"],
            "tag is required",
        ),
        (
            &[
                "asset", "add", "--tag", "X-1", "--kind", "laptop", "--name", "x",
            ],
            "kind: 'laptop' is not valid",
        ),
    ];
    for (args, reason) in cases {
        let stderr = o.refused(args);
        assert!(
            stderr.contains(reason),
            "{args:?}: expected '{reason}' in: {stderr}"
        );
    }
    o.ok(&[
        "asset", "add", "--tag", "PC-0002", "--kind", "pc", "--name", "x",
    ]);
    o.ok(&["person", "add", "同姓 同名"]);
    o.ok(&["person", "add", "同姓 同名"]);
    let stderr = o.refused(&["asset", "list", "--holder", "同姓 同名", "--json"]);
    assert!(
        stderr.contains("--person-id"),
        "two people of one name are told apart, not guessed: {stderr}"
    );
    let stderr = o.refused(&[
        "loan",
        "issue",
        "--asset",
        "PC-0002",
        "--to",
        "髙橋 一郎",
        "--due",
        "2020-01-01",
    ]);
    assert!(stderr.contains("before the issue date"), "{stderr}");
    o.ok(&["loan", "return", "--asset", "PC-0001"]);
    let stderr = o.refused(&["loan", "return", "--asset", "PC-0001"]);
    assert!(stderr.contains("not on loan"), "{stderr}");

    let out = o
        .command(&o.store, &["asset", "list"])
        .env("AZUKARI_PASSWORD", "wrong password")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong login or password"));
    assert_ne!(
        journal_before,
        o.ok(&["verify"]),
        "successful writes after the refusals did land"
    );
}

#[test]
fn a_bad_import_names_row_and_column_and_writes_nothing() {
    let o = office();
    let bad = REGISTER.replace("スマートフォン", "ガラケー");
    let file = o.write("bad.csv", &cp932(&bad));
    let stderr = o.refused(&["import", "assets", &file]);
    assert!(
        stderr.contains("row 3, column 種別 (B)") && stderr.contains("'ガラケー'"),
        "{stderr}"
    );
    assert_eq!(o.json(&["asset", "list", "--json"]), serde_json::json!([]));
    assert_eq!(
        o.json(&["person", "list", "--json"]),
        serde_json::json!([]),
        "no person of row 2 either"
    );

    // In Japanese when the locale is Japanese.
    let out = o
        .command(&o.store, &["import", "assets", &file])
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("3行目、種別列（B）"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = office();
    assert_eq!(o.run(&["loan", "issue", "--asset"]).status.code(), Some(2));
    assert_eq!(o.run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn lists_take_json() {
    let o = office();
    o.ok(&["org", "add", "顧客株式会社", "--kind", "customer"]);
    o.ok(&["person", "add", "現場 責任子", "--org", "顧客株式会社"]);
    o.ok(&[
        "site",
        "add",
        "--org",
        "顧客株式会社",
        "--name",
        "本社",
        "--responsible",
        "現場 責任子",
    ]);
    let out = o
        .command(
            &o.store,
            &["account", "add", "auditor1", "--role", "auditor"],
        )
        .env("AZUKARI_NEW_PASSWORD", "another password")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for list in [
        &["org", "list", "--json"][..],
        &["site", "list", "--json"],
        &["person", "list", "--json"],
        &["account", "list", "--json"],
        &["loan", "list", "--json"],
        &["asset", "list", "--json"],
    ] {
        let value = o.json(list);
        assert!(value.is_array(), "{list:?} prints one JSON array");
    }
    assert_eq!(
        o.json(&["site", "list", "--json"])[0]["responsibles"][0],
        "現場 責任子"
    );
    assert_eq!(
        o.json(&["account", "list", "--json"])[1]["roles"][0],
        "auditor"
    );
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_custody_ledger_as_pdf_csv_and_xlsx() {
    let o = office();
    o.ok(&["org", "add", "顧客株式会社", "--kind", "customer"]);
    o.ok(&["site", "add", "--org", "顧客株式会社", "--name", "本社ビル"]);
    let file = o.write("台帳.csv", &cp932(REGISTER));
    o.ok(&["import", "assets", &file]);
    o.ok(&[
        "loan",
        "issue",
        "--asset",
        "USB-0001",
        "--to",
        "髙橋 一郎",
        "--site",
        "本社ビル",
    ]);

    let pdf = o.dir.join("custody.pdf");
    let printed = o.ok(&[
        "ledger",
        "custody",
        "--out",
        pdf.to_str().unwrap(),
        "--group-by",
        "custodian",
        "--as-of",
        "2026-11-21T12:00:00+09:00",
    ]);
    assert!(printed.contains("3 rows"), "{printed}");
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    for expected in [
        "貸与物管理台帳",
        "株式会社サンプル",
        "基準日時 2026/11/21 12:00",
        "髙橋 一郎",
        "﨑山 花子",
        "PC-0001",
        "USB-0001",
        "本社ビル",
        "出力者 admin",
        "操作記録 #",
    ] {
        assert!(text.contains(expected), "the ledger should show {expected}");
    }
    let again = o.custody_ledger(
        "again.pdf",
        &[
            "--group-by",
            "custodian",
            "--as-of",
            "2026-11-21T12:00:00+09:00",
        ],
    );
    assert!(
        std::fs::read(&pdf).unwrap() == std::fs::read(&again).unwrap(),
        "the same store and as-of give the same bytes"
    );

    // As of a date before the register was issued, nobody held anything.
    let old = o.custody_ledger("old.csv", &["--as-of", "2026-03-01"]);
    let old = std::fs::read_to_string(&old).unwrap();
    assert_eq!(
        old.lines().count(),
        1,
        "only the header: nothing was registered yet on 2026-03-01:\n{old}"
    );

    let csv = o.custody_ledger(
        "by-site.csv",
        &["--group-by", "site", "--as-of", "2026-11-21T12:00:00+09:00"],
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.lines().any(|l| l.starts_with("本社ビル,USB-0001,")),
        "{csv}"
    );

    let xlsx = o.custody_ledger("ledger-en.xlsx", &["--lang", "en"]);
    assert!(
        std::fs::read(&xlsx).unwrap().starts_with(b"PK"),
        "an XLSX is a zip"
    );

    let cp932_csv = o.custody_ledger("sjis.csv", &["--encoding", "cp932"]);
    let bytes = std::fs::read(&cp932_csv).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad && text.contains("髙橋 一郎"));

    // IPAex Gothic's figures are wider than Noto's: a date too wide for its column shrinks to
    // fit rather than being cut to "2026/04…".
    let ipaex = [
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("fonts-ipaexfont-gothic is installed by scripts/install-deps.sh");
    let pdf = o.custody_ledger("ipaex.pdf", &["--font", ipaex]);
    let text = tool("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(
        text.contains("2026/04/01") && text.contains("2027/03/31") && !text.contains("2026/04…"),
        "{text}"
    );
    assert!(
        tool("pdffonts", &[pdf.to_str().unwrap()]).contains("IPAexGothic"),
        "drawn with the font asked for"
    );
}

#[test]
fn bad_ledger_requests_are_refused_and_leave_no_file() {
    let o = office();
    let out = o.dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("l.pdf");
    let t = target.to_str().unwrap();

    let stderr = o.refused(&["ledger", "custody", "--out", t, "--as-of", "yesterday"]);
    assert!(stderr.contains("'yesterday'"), "{stderr}");
    let stderr = o.refused(&[
        "ledger",
        "custody",
        "--out",
        t,
        "--font",
        "/nonexistent/font.ttf",
    ]);
    assert!(stderr.contains("/nonexistent/font.ttf"), "{stderr}");
    let stderr = o.refused(&["ledger", "custody", "--out", "/nonexistent-dir/l.pdf"]);
    assert!(
        stderr.contains("cannot write /nonexistent-dir/l.pdf"),
        "{stderr}"
    );
    let unknown = o.run(&["ledger", "custody", "--out", t, "--group-by", "colour"]);
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "an unknown grouping is a usage error"
    );
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("custodian, organisation, site, kind")
    );
    let stderr = o.refused(&["ledger", "labels", "--out", t, "--tag", "NO-SUCH"]);
    assert!(stderr.contains("NO-SUCH"), "{stderr}");
    assert!(
        files_in(&out).is_empty(),
        "no half-written file is left: {:?}",
        files_in(&out)
    );
}

#[cfg(unix)]
#[test]
fn every_file_holding_the_register_is_private_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("sh")
            .arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_azukari"))
            .args(args)
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("AZUKARI_USER", "admin")
            .env("AZUKARI_PASSWORD", "correct horse battery")
            .env("AZUKARI_NOW", "2026-11-21T01:00:00Z")
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("AZUKARI_STORE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The default store, in the data folder the CLI makes.
    run(&["init", "--org", "株式会社サンプル", "--admin", "admin"]);
    let folder = home.path().join("data/azukari");
    assert_eq!(mode(&folder), 0o700, "the data folder");
    assert_eq!(mode(&folder.join("azukari.db")), 0o600, "the store");
    run(&[
        "person",
        "add",
        "髙橋 一郎",
        "--email",
        "takahashi@example.jp",
    ]);
    run(&["backup", "--out", "backup.db"]);
    assert_eq!(mode(&home.path().join("backup.db")), 0o600, "a backup");
    run(&["--store", "restored.db", "restore", "backup.db"]);
    assert_eq!(
        mode(&home.path().join("restored.db")),
        0o600,
        "a restored store"
    );
    for ledger in ["ledger.pdf", "ledger.csv", "ledger.xlsx"] {
        run(&["ledger", "custody", "--out", ledger]);
        assert_eq!(mode(&home.path().join(ledger)), 0o600, "{ledger}");
    }
    run(&["ledger", "labels", "--out", "labels.pdf"]);
    assert_eq!(mode(&home.path().join("labels.pdf")), 0o600, "labels");
    let left: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "no partial file is left behind");
}

#[test]
fn verify_expect_catches_a_store_swapped_for_its_older_backup() {
    let o = office();
    o.ok(&["person", "add", "髙橋 一郎"]);
    o.ok(&[
        "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "ThinkPad",
    ]);
    let backup = o.dir.join("older.db");
    o.ok(&["backup", "--out", backup.to_str().unwrap()]);
    o.ok(&["loan", "issue", "--asset", "PC-0001", "--to", "髙橋 一郎"]);
    // The head as the ledger filed after the issue prints it at its foot.
    let ledger = o.dir.join("ledger.pdf");
    o.ok(&["ledger", "custody", "--out", ledger.to_str().unwrap()]);
    let text = Command::new("pdftotext")
        .args([ledger.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let head = text
        .split_whitespace()
        .find(|word| word.starts_with('#') && word.contains(':'))
        .unwrap_or_else(|| panic!("the ledger prints its journal head: {text}"))
        .to_string();
    let verified = o.ok(&["verify", "--expect", &head]);
    assert!(
        verified.contains(head.trim_start_matches('#')),
        "{verified}"
    );

    // Someone puts the older copy in the store's place: it verifies on its own, not against
    // the head the office filed.
    o.put_back(&backup);
    o.ok(&["verify"]);
    let stderr = o.refused(&["verify", "--expect", &head]);
    assert!(
        stderr.contains("cut back or replaced by an older copy"),
        "{stderr}"
    );
    let out = o.run(&["verify", "--expect", "not-a-head"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("SEQ:HASH"));
}

/// What a Japanese Windows does with redirected output (`azukari person list > list.txt`, or a
/// pipe into PowerShell or findstr): CP932 there. Forced here with the variable that overrides
/// the code page; a name CP932 lacks comes out as a character reference, not as `?`.
#[test]
fn redirected_output_is_cp932_when_the_console_would_read_it_so() {
    let o = office();
    o.ok(&["person", "add", "髙橋 一郎"]);
    o.ok(&["person", "add", "𠮷田 太郎"]);
    let run = |encoding: &str, args: &[&str]| {
        o.command(&o.store, args)
            .env("LANG", "ja_JP.UTF-8")
            .env("AZUKARI_OUTPUT_ENCODING", encoding)
            .output()
            .unwrap()
    };
    let out = run("cp932", &["person", "list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::str::from_utf8(&out.stdout).is_err(),
        "not UTF-8: {:?}",
        out.stdout
    );
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&out.stdout);
    assert!(!bad, "{text}");
    assert!(text.contains("髙橋 一郎"), "{text}");
    assert!(text.contains("&#134071;田 太郎"), "{text}");

    // The reason for a refusal, in Japanese, reaches stderr in the same encoding.
    let out = run("cp932", &["loan", "return", "--asset", "NO-SUCH-TAG"]);
    assert_eq!(out.status.code(), Some(1));
    let (reason, _, bad) = encoding_rs::SHIFT_JIS.decode(&out.stderr);
    assert!(!bad && reason.starts_with("azukari: "), "{reason}");
    assert!(
        reason
            .chars()
            .any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)),
        "Japanese kana in: {reason}"
    );

    // --json stays UTF-8 whatever the console: JSON is UTF-8 by definition.
    let out = run("cp932", &["person", "list", "--json"]);
    let json = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    assert!(json.contains("𠮷田 太郎"), "{json}");

    // UTF-8 by default off Windows, and an unknown encoding is named and UTF-8 used.
    let out = run("", &["person", "list"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains("𠮷田 太郎"));
    let out = run("latin1", &["person", "list"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains("𠮷田 太郎"));
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.contains("AZUKARI_OUTPUT_ENCODING=latin1"),
        "{warned}"
    );
}

/// Offices name their folders in Japanese, with spaces: the store, its backup and a ledger live
/// there like anywhere else.
#[test]
fn a_store_backup_and_ledger_in_folders_named_in_japanese() {
    let o = office();
    let folder = o.dir.join("総務部 預かり台帳");
    std::fs::create_dir_all(&folder).unwrap();
    let store = folder.join("台帳.db");
    let out = o.run_on(
        &store,
        &["init", "--org", "株式会社サンプル", "--admin", "admin"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let backup = folder.join("控え（１１月）.db");
    let ledger = folder.join("貸与物管理台帳.pdf");
    for args in [
        vec!["person", "add", "髙橋 一郎"],
        vec!["backup", "--out", backup.to_str().unwrap()],
        vec!["ledger", "custody", "--out", ledger.to_str().unwrap()],
        vec!["verify"],
    ] {
        let out = o.run_on(&store, &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    }
    assert!(backup.is_file() && ledger.is_file());
    let listed = o.run_on(&backup, &["person", "list"]);
    assert!(
        String::from_utf8(listed.stdout)
            .unwrap()
            .contains("髙橋 一郎")
    );
}

/// `azukari person list | head -1`: the reader goes away before the output ends. What cannot be
/// written is dropped and the command ends as it would have, not with a panic.
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let o = office();
    o.ok(&["person", "add", "髙橋 一郎"]);
    for args in [&["person", "list"][..], &["person", "list", "--json"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = o
            .command(&o.store, args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// `azukari migrate`: a file store to PostgreSQL and back to a file, each copy verified and
/// showing the same head; the store's answers the same on all three.
#[test]
fn migrate_moves_a_store_to_postgres_and_back_with_the_same_head() {
    let o = office();
    o.ok(&["person", "add", "𠮷田 太郎"]);
    o.ok(&[
        "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "ThinkPad",
    ]);
    o.ok(&["loan", "issue", "--asset", "PC-0001", "--to", "𠮷田 太郎"]);
    let first = o.dir.join("first.db");
    let last = o.dir.join("last.db");
    // Whatever engine the run's store is on, the round trip starts from a file.
    o.ok(&["backup", "--out", first.to_str().unwrap()]);
    let there = azukari_pg_harness::cluster().new_database();
    let migrate = |from: &str, to: &str| {
        let out = o
            .command(&o.store, &["migrate", "--from", from, "--to", to])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let said = migrate(first.to_str().unwrap(), &there);
    let head = said
        .split_whitespace()
        .find(|word| word.contains(':') && word.len() > 60)
        .unwrap_or_else(|| panic!("migrate shows the head: {said}"))
        .to_string();
    assert!(said.contains("on both"), "{said}");
    let back = migrate(&there, last.to_str().unwrap());
    assert!(back.contains(&head), "{back} shows {head}");
    let list = |store: &Path| {
        let out = o.run_on(store, &["asset", "list", "--json"]);
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(list(&first), list(Path::new(&there)));
    assert_eq!(list(&first), list(&last));
    for store in [Path::new(&there), last.as_path()] {
        let verified =
            String::from_utf8(o.run_on(store, &["verify", "--expect", &head]).stdout).unwrap();
        assert!(verified.contains(&head), "{verified}");
    }

    // Never over a store; never from nowhere.
    let out = o
        .command(
            &o.store,
            &["migrate", "--from", first.to_str().unwrap(), "--to", &there],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds a store"));
    let nowhere = o.dir.join("nowhere.db");
    let out = o
        .command(
            &o.store,
            &[
                "migrate",
                "--from",
                nowhere.to_str().unwrap(),
                "--to",
                "x.db",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store is there"));
    assert!(!nowhere.exists(), "nothing is made where nothing was");
}

/// `azukari checkpoint` signs the verified head with a key kept apart from the store; the
/// checkpoint holds against the published key until the store is replaced by an older copy
/// or the checkpoint is altered.
#[test]
fn a_signed_checkpoint_holds_until_the_store_is_swapped_or_the_checkpoint_altered() {
    let o = office();
    o.ok(&["person", "add", "髙橋 一郎"]);
    let older = o.dir.join("older.db");
    o.ok(&["backup", "--out", older.to_str().unwrap()]);
    o.ok(&[
        "asset", "add", "--tag", "PC-0001", "--kind", "pc", "--name", "ThinkPad",
    ]);
    let key = o.dir.join("keys").join("checkpoint.key");
    let with_key = |args: &[&str]| {
        o.command(&o.store, args)
            .env("AZUKARI_CHECKPOINT_KEY", &key)
            .output()
            .unwrap()
    };
    let file = o.dir.join("checkpoint.txt");
    let made = with_key(&["checkpoint", "--out", file.to_str().unwrap()]);
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // A custodian may not sign the office's head: refused, no file written.
    let added = o
        .command(
            &o.store,
            &[
                "account",
                "add",
                "tanaka",
                "--role",
                "custodian",
                "--person",
                "髙橋 一郎",
            ],
        )
        .env("AZUKARI_NEW_PASSWORD", "another password")
        .output()
        .unwrap();
    assert_eq!(
        added.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let theirs = o.dir.join("theirs.txt");
    let refused = o
        .command(&o.store, &["checkpoint", "--out", theirs.to_str().unwrap()])
        .env("AZUKARI_CHECKPOINT_KEY", &key)
        .env("AZUKARI_USER", "tanaka")
        .env("AZUKARI_PASSWORD", "another password")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("roles do not allow"));
    assert!(!theirs.exists());
    let printed = with_key(&["serve", "--print-key"]);
    assert_eq!(printed.status.code(), Some(0));
    let public_key = String::from_utf8(printed.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(public_key.len(), 64, "{public_key}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("key {public_key}")), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the checkpoint key is its owner's alone");
    }

    let checked = o.ok(&[
        "verify",
        "--checkpoint",
        file.to_str().unwrap(),
        "--public-key",
        &public_key,
    ]);
    assert!(
        checked.contains("the checkpoint of") && checked.contains("holds"),
        "{checked}"
    );
    // Checked against another key.
    let other = "00".repeat(32);
    let refused = o.refused(&[
        "verify",
        "--checkpoint",
        file.to_str().unwrap(),
        "--public-key",
        &other,
    ]);
    assert!(refused.contains("not by the key"), "{refused}");
    // Altered: a later head claimed with the same signature.
    let head_line = text.lines().find(|line| line.starts_with("head ")).unwrap();
    let seq: i64 = head_line[5..].split(':').next().unwrap().parse().unwrap();
    let altered = o.dir.join("altered.txt");
    std::fs::write(
        &altered,
        text.replace(&format!("head {seq}:"), &format!("head {}:", seq + 1)),
    )
    .unwrap();
    let refused = o.refused(&["verify", "--checkpoint", altered.to_str().unwrap()]);
    assert!(refused.contains("altered or forged"), "{refused}");

    // A ledger of this store is signed with the same key, and its checkpoint kept beside it.
    let ledger = o.dir.join("台帳.pdf");
    let printed = with_key(&["ledger", "custody", "--out", ledger.to_str().unwrap()]);
    assert_eq!(
        printed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let kept = std::fs::read_dir(key.parent().unwrap().join("checkpoints"))
        .unwrap()
        .flatten()
        .flat_map(|store| std::fs::read_dir(store.path()).unwrap().flatten())
        .count();
    assert_eq!(kept, 2, "the checkpoint asked for and the ledger's");

    // The store put back to its older copy: it verifies on its own, not against the
    // checkpoint signed after, and no ledger of it is signed any more.
    o.put_back(&older);
    o.ok(&["verify"]);
    std::fs::remove_file(&ledger).unwrap();
    let refused = with_key(&["ledger", "custody", "--out", ledger.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("no longer holds the journal head"), "{said}");
    assert!(!ledger.exists(), "no ledger without its checkpoint");
    let refused = o.refused(&[
        "verify",
        "--checkpoint",
        file.to_str().unwrap(),
        "--public-key",
        &public_key,
    ]);
    assert!(
        refused.contains("cut back or replaced by an older copy"),
        "{refused}"
    );
}

/// `asset mark`: lost, found, in repair, retired are periods, shown by `asset show` and by a
/// custody ledger as of any instant; a mark that makes no sense is refused on its field.
#[test]
fn asset_mark_keeps_status_periods_that_ledgers_show_as_of_then() {
    let o = office();
    let register = o.write("register.csv", REGISTER.as_bytes());
    o.ok(&["import", "assets", &register]);
    let at = |instant: &str, args: &[&str]| {
        let out = o
            .command(&o.store, args)
            .env("AZUKARI_NOW", instant)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let said = at(
        "2026-11-22T00:00:00Z",
        &[
            "asset",
            "mark",
            "PC-0001",
            "--status",
            "lost",
            "--note",
            "電車内",
        ],
    );
    assert_eq!(said.trim(), "PC-0001 is lost");
    at(
        "2026-11-22T00:00:00Z",
        &["asset", "mark", "USB-0001", "--status", "retired"],
    );
    let said = at(
        "2026-11-24T00:00:00Z",
        &["asset", "mark", "PC-0001", "--status", "available"],
    );
    assert_eq!(said.trim(), "PC-0001 is on_loan", "found, and still held");

    let status_of = |as_of: &str, tag: &str| -> String {
        let csv = o.custody_ledger(
            &format!("{as_of}.csv"),
            &["--format", "csv", "--as-of", as_of],
        );
        let text = std::fs::read_to_string(csv).unwrap();
        let line = text
            .lines()
            .find(|line| line.contains(tag))
            .unwrap_or_else(|| panic!("{tag} in\n{text}"));
        line.rsplit(',')
            .next()
            .unwrap()
            .trim_matches('"')
            .to_string()
    };
    assert_eq!(status_of("2026-11-21T12:00:00Z", "PC-0001"), "貸与中");
    assert_eq!(status_of("2026-11-23T00:00:00Z", "PC-0001"), "紛失");
    assert_eq!(status_of("2026-11-25T00:00:00Z", "PC-0001"), "貸与中");
    assert_eq!(status_of("2026-11-21T12:00:00Z", "USB-0001"), "在庫");
    assert_eq!(status_of("2026-11-23T00:00:00Z", "USB-0001"), "廃棄済み");

    let shown = o.json(&["asset", "show", "PC-0001", "--json"]);
    assert_eq!(shown["statuses"][0]["status"], "lost");
    assert_eq!(shown["statuses"][0]["note"], "電車内");
    assert_eq!(shown["statuses"][0]["ended_at"], "2026-11-24T00:00:00.000Z");

    let err = o.refused(&["asset", "mark", "USB-0001", "--status", "in_repair"]);
    assert!(
        err.contains("asset USB-0001 is retired and cannot be marked in_repair"),
        "{err}"
    );
    let err = o.refused(&["asset", "mark", "USB-0001", "--status", "on_loan"]);
    assert!(err.contains("status"), "{err}");
    let err = o.refused(&["asset", "mark", "PC-0001", "--status", "broken"]);
    assert!(err.contains("'broken' is not one of"), "{err}");
}

/// `import --dry-run --json` previews what would enter; unknown owners are all listed at
/// once, and `--add-organisations` adds them in the same import.
#[test]
fn import_previews_as_json_and_adds_unknown_organisations_when_asked() {
    let o = office();
    let register = o.write(
        "owners.csv",
        &cp932(
            "管理番号,種別,品名,所有,貸与先\r\n\
             PC-0001,ノートPC,ThinkPad,顧客A,髙橋 一郎\r\n\
             PC-0002,ノートPC,ThinkPad,当社,\r\n\
             PC-0003,ノートPC,ThinkPad,顧客B,\r\n",
        ),
    );
    let err = o.refused(&["import", "assets", &register, "--dry-run"]);
    assert!(
        err.contains("2 organisations are not in the register: 顧客A (row 2), 顧客B (row 4)"),
        "{err}"
    );
    let preview = o.json(&[
        "import",
        "assets",
        &register,
        "--dry-run",
        "--add-organisations",
        "--json",
    ]);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["assets"][0]["owner"], "顧客A");
    assert_eq!(preview["assets"][1]["owner"], "株式会社サンプル");
    assert_eq!(preview["organisations"][1]["name"], "顧客B");
    assert_eq!(preview["organisations"][1]["kind"], "customer");
    assert_eq!(
        o.json(&["org", "list", "--json"]).as_array().unwrap().len(),
        1
    );

    let said = o.ok(&["import", "assets", &register, "--add-organisations"]);
    assert_eq!(
        said.trim(),
        "imported 3 rows: 3 assets, 1 people added, 1 loans issued; organisations added: \
         顧客A (customer), 顧客B (customer)"
    );
    assert_eq!(
        o.json(&["org", "list", "--json"]).as_array().unwrap().len(),
        3
    );
}

/// `asset edit`, `person edit|deactivate|activate`, `org edit`, and the register's lists of
/// unacknowledged and overdue items.
#[test]
fn the_register_is_edited_from_the_command_line() {
    let o = office();
    let register = o.write("register.csv", REGISTER.as_bytes());
    o.ok(&["import", "assets", &register]);
    o.ok(&["org", "add", "顧客A"]);
    let said = o.ok(&[
        "asset",
        "edit",
        "USB-0001",
        "--tag",
        "USB-0100",
        "--owner",
        "顧客A",
        "--encrypted",
        "yes",
        "--note",
        "",
    ]);
    assert_eq!(said.trim(), "USB-0001: changed tag, owner, encrypted");
    let shown = o.json(&["asset", "show", "USB-0100", "--json"]);
    assert_eq!(shown["asset"]["owner"], "顧客A");
    assert_eq!(shown["asset"]["encrypted"], true);
    assert_eq!(
        o.ok(&["asset", "edit", "USB-0100", "--owner", "顧客A"])
            .trim(),
        "USB-0100: nothing changed"
    );
    let err = o.refused(&["asset", "edit", "USB-0100", "--tag", "PC-0001"]);
    assert!(err.contains("tag: 'PC-0001' exists already"), "{err}");

    let said = o.ok(&[
        "person",
        "edit",
        "髙橋 一郎",
        "--name",
        "髙橋 一朗",
        "--kana",
        "たかはし いちろう",
    ]);
    assert_eq!(said.trim(), "person: changed name, kana");
    let held = o.json(&["asset", "list", "--holder", "髙橋 一朗", "--json"]);
    assert_eq!(held[0]["tag"], "PC-0001");
    let err = o.refused(&["person", "deactivate", "髙橋 一朗"]);
    assert!(err.contains("still holds 1 item(s)"), "{err}");
    o.ok(&["loan", "return", "--asset", "PC-0001"]);
    assert_eq!(
        o.ok(&["person", "deactivate", "髙橋 一朗"]).trim(),
        "person: changed active"
    );
    let people = o.json(&["person", "list", "--json"]);
    let takahashi = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "髙橋 一朗")
        .unwrap();
    assert_eq!(takahashi["active"], false);
    o.ok(&["person", "activate", "髙橋 一朗"]);

    assert_eq!(
        o.ok(&[
            "org",
            "edit",
            "顧客A",
            "--name",
            "顧客A株式会社",
            "--kind",
            "partner"
        ])
        .trim(),
        "顧客A: changed name, kind"
    );
    let err = o.refused(&["org", "edit", "株式会社サンプル", "--kind", "customer"]);
    assert!(err.contains("our own organisation stays own"), "{err}");

    // PH-0001 went out on 2026/04/01 with no due date and nobody acknowledged it.
    let unacknowledged = o.json(&["asset", "list", "--unacknowledged", "--json"]);
    let tags: Vec<_> = unacknowledged
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["PH-0001"]);
    assert_eq!(
        o.json(&["asset", "list", "--due-before", "2099-01-01", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0,
        "the only due date went with PC-0001's return"
    );
    let err = o.refused(&["asset", "list", "--due-before", "someday"]);
    assert!(err.contains("due_before"), "{err}");
}
