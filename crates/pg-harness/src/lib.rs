//! A real PostgreSQL server for tests, one per test process: Debian's `postgresql` package
//! (which `make test` installs), a cluster made by `initdb` in a temporary folder, reached over
//! a Unix socket in that folder, so test processes never meet on a port. Each test takes a
//! database of its own ([`Cluster::new_database`]).
//!
//! The server is stopped, and its folder removed, by a keeper shell that waits for the test
//! process's end: it reads a pipe only this process holds, which the kernel closes however
//! the process ends (a panic, a failed assertion, SIGKILL).
//!
//! `initdb` refuses to run as root; as root the cluster belongs to the `postgres` user and
//! every server command runs through `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

pub struct Cluster {
    folder: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    databases: AtomicU32,
    /// The server's settings, as `postgres` options.
    options: String,
    /// The loopback port of a server that takes TLS connections ([`tls_cluster`]).
    port: Option<u16>,
    /// Closed only when the process ends: then the keeper stops the server.
    _keeper: Mutex<(Child, ChildStdin)>,
}

/// The test process's server, started on first use (about a second).
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(false, false))
}

/// A server of the caller's alone, stopped when it is dropped: for a test that restarts it
/// while other tests of the process go on with theirs ([`cluster`]).
pub fn private_cluster() -> Cluster {
    Cluster::start(false, false)
}

/// A server that also takes connections on a loopback port, over TLS only (pg_hba has
/// `hostssl` and no `host` line), with a certificate for `localhost` signed by a CA of its own
/// ([`Cluster::ca_file`]): as an office's database server on another host is reached.
pub fn tls_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(false, true))
}

/// A server that syncs every commit to disk, as an office's does: for the benchmark, where
/// PostgreSQL is measured against SQLite with `synchronous=FULL`.
pub fn durable_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(true, false))
}

/// The folder of PostgreSQL's programs: `AZUKARI_PG_BIN`, or the newest Debian installs.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AZUKARI_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("PostgreSQL's programs were not found: install the postgresql package (`make test` does) or set AZUKARI_PG_BIN")
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    fn start(durable: bool, tls: bool) -> Cluster {
        let bin = bin_dir();
        let as_postgres = is_root();
        // Removed by the keeper when the process ends, not by a guard: the server outlives
        // every test of the process.
        let folder = tempfile::Builder::new()
            .prefix("azukari-pg-")
            .tempdir()
            .expect("the cluster's folder is made")
            .keep();
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&folder));
        }
        let cluster = Cluster {
            _keeper: Mutex::new(keeper(&folder, &bin, as_postgres)),
            folder,
            bin,
            as_postgres,
            databases: AtomicU32::new(0),
            options: String::new(),
            port: None,
        };
        let data = cluster.folder.join("data");
        run(cluster
            .server_command("initdb")
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8"])
            .args(["--locale=C", "--no-sync", "--no-instructions", "-D"])
            .arg(&data));
        // A Unix socket only, in the cluster's folder. fsync off for tests: a test's server is
        // never power-cut, and a killed server's writes are in the kernel's cache all the same.
        let mut cluster = cluster;
        cluster.options = format!(
            "-k {} -c listen_addresses='' -c max_connections=200{}",
            cluster.folder.display(),
            if durable {
                // What the bench reads afterwards: where the server spent its time.
                " -c shared_preload_libraries=pg_stat_statements"
            } else {
                " -c fsync=off -c full_page_writes=off"
            }
        );
        if tls {
            let port = free_port();
            cluster.port = Some(port);
            cluster.options = cluster
                .options
                .replace("-c listen_addresses=''", "-c listen_addresses='127.0.0.1'");
            cluster.options.push_str(&format!(
                " -p {port} -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
            ));
            cluster.make_certificates(&data);
        }
        let options = cluster.options.clone();
        run(cluster
            .server_command("pg_ctl")
            .args(["-w", "-s", "-l"])
            .arg(cluster.folder.join("server.log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"]));
        cluster
    }

    /// A command of PostgreSQL's, run as the cluster's owner.
    pub fn server_command(&self, program: &str) -> Command {
        server_command(&self.bin, self.as_postgres, program)
    }

    /// The folder the server's socket is in.
    pub fn socket_folder(&self) -> &Path {
        &self.folder
    }

    /// The data folder, for `pg_ctl` (a restart under load).
    pub fn data_folder(&self) -> PathBuf {
        self.folder.join("data")
    }

    /// The connection string of database `name`.
    pub fn url(&self, name: &str) -> String {
        let port = self.port.map(|p| format!("&port={p}")).unwrap_or_default();
        format!(
            "postgresql://postgres@/{name}?host={}{port}",
            self.folder.display()
        )
    }

    /// The connection string of database `name` over the loopback port, to `host` (localhost,
    /// or 127.0.0.1, which the certificate does not name), with `params` (`sslmode=…`).
    pub fn tcp_url(&self, name: &str, host: &str, params: &str) -> String {
        let port = self.port.expect("a cluster started by tls_cluster");
        format!("postgresql://postgres@{host}:{port}/{name}?{params}")
    }

    /// The certificate of the CA that signed the server's certificate (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.folder.join("ca.crt")
    }

    /// A CA of the cluster's own and the server's certificate for `localhost` signed by it;
    /// pg_hba lets TCP in over TLS only.
    fn make_certificates(&self, data: &Path) {
        let ca_key = rcgen::KeyPair::generate().expect("a CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Azukari test database CA");
        let ca = ca_params
            .self_signed(&ca_key)
            .expect("the CA's certificate");
        let key = rcgen::KeyPair::generate().expect("a server key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .expect("the server's certificate");
        let cert = params
            .signed_by(&key, &ca, &ca_key)
            .expect("the server's certificate signed");
        std::fs::write(self.ca_file(), ca.pem()).expect("ca.crt written");
        // Written by the server's owner: PostgreSQL refuses a key others may read.
        let write_as_owner = |name: &str, text: &str| {
            let path = data.join(name);
            let mut child = self
                .owner_command("sh")
                .arg("-c")
                .arg("umask 077; cat > \"$1\"")
                .arg("sh")
                .arg(&path)
                .stdin(Stdio::piped())
                .spawn()
                .expect("sh runs");
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            assert!(
                child.wait().unwrap().success(),
                "{} written",
                path.display()
            );
        };
        write_as_owner("server.crt", &cert.pem());
        write_as_owner("server.key", &key.serialize_pem());
        write_as_owner(
            "pg_hba.conf",
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        );
    }

    /// Any program, run as the cluster's owner.
    fn owner_command(&self, program: &str) -> Command {
        as_owner(self.as_postgres, Path::new(program))
    }

    /// A new, empty database of the cluster's: its connection string.
    pub fn new_database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::Relaxed) + 1);
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the cluster answers");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database is made");
        self.url(&name)
    }

    /// Drops the database of `url` (ending its connections) and makes it again, empty: a
    /// server's database put back from an older copy starts so.
    pub fn recreate(&self, url: &str) {
        // postgresql://postgres@/NAME?host=…
        let name = url
            .split("@/")
            .nth(1)
            .and_then(|rest| rest.split('?').next())
            .expect("a connection string made by this cluster");
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("the cluster answers");
        // One statement each: neither may run inside a transaction block.
        for statement in [
            format!("DROP DATABASE {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&statement)
                .expect("the database is made again");
        }
    }

    /// Restarts the server (`pg_ctl restart -m fast`): every connection is cut.
    pub fn restart(&self) {
        let options = self.options.clone();
        run(self
            .server_command("pg_ctl")
            .args(["-w", "-s", "-m", "fast", "-l"])
            .arg(self.folder.join("server.log"))
            .arg("-D")
            .arg(self.data_folder())
            .args(["-o", &options, "restart"]));
    }
}

fn server_command(bin: &Path, as_postgres: bool, program: &str) -> Command {
    as_owner(as_postgres, &bin.join(program))
}

/// `program`, run as the `postgres` user when the tests run as root (initdb refuses root).
fn as_owner(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A shell that waits for this process to end (its standard input closes), then stops the
/// server at once and removes the cluster's folder.
fn keeper(folder: &Path, bin: &Path, as_postgres: bool) -> (Child, ChildStdin) {
    let stop = server_command(bin, as_postgres, "pg_ctl");
    let mut words: Vec<String> = std::iter::once(stop.get_program())
        .chain(stop.get_args())
        .map(|word| word.to_string_lossy().into_owned())
        .collect();
    words.extend([
        "-s".into(),
        "-m".into(),
        "immediate".into(),
        "-D".into(),
        folder.join("data").display().to_string(),
        "stop".into(),
    ]);
    let quoted = |word: &str| format!("'{}'", word.replace('\'', "'\\''"));
    // Deaf to the signals a terminal's Ctrl-C or a runner's timeout sends the test's group.
    let script = format!(
        "trap '' INT TERM HUP; cat >/dev/null; {} >/dev/null 2>&1; rm -rf {}",
        words
            .iter()
            .map(|w| quoted(w))
            .collect::<Vec<_>>()
            .join(" "),
        quoted(&folder.display().to_string())
    );
    let mut keeper = Command::new("sh");
    keeper
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // A process group of its own: what kills the test's group leaves the keeper to clean up.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut keeper, 0);
    let mut child = keeper.spawn().expect("the keeper shell starts");
    let stdin = child.stdin.take().expect("the keeper's pipe");
    (child, stdin)
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?} could not start: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The store a test makes, on the engine the run is for: a SQLite file `name` in `folder`,
/// or with `AZUKARI_TEST_STORE=postgres` a new database of the process's PostgreSQL server.
/// `make test` runs the api, scenario and CLI tests once each way.
pub fn test_store(folder: &Path, name: &str) -> PathBuf {
    if on_postgres() {
        PathBuf::from(cluster().new_database())
    } else {
        folder.join(name)
    }
}

/// Whether this run's stores are PostgreSQL's ([`test_store`]).
pub fn on_postgres() -> bool {
    std::env::var("AZUKARI_TEST_STORE").is_ok_and(|engine| engine == "postgres")
}

/// A loopback port free now (the server takes it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}
