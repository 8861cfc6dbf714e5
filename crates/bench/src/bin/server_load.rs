//! `make bench` (or `BENCH_ONLY=server make bench`): the office server under load on loopback.
//! A store of 10,000 assets, 1,000 custodians holding six items each across 50 sites; the
//! server runs in this process with its own clock. Then, all at once: custodian clients
//! acknowledging their items one by one and reading their own list before each, 50 site
//! responsibles paging the register, 5 office users printing the custody ledger. First with
//! 200 custodians (the target: p99 under 100 ms for a write and a page), then with all 1,000.
//! Prints Markdown for BENCHMARKS.md: p50 / p99 of a write and a page, writes per second,
//! errors (must be zero), and journal entries against acknowledged writes (must be equal).

use azukari_api::domain::Role;
use azukari_api::domain::view::{AssetQuery, AssetSort};
use azukari_api::domain::*;
use azukari_api::*;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant as Clock};

const ASSETS: usize = 10_000;
const CUSTODIANS: usize = 1_000;
const ITEMS_EACH: usize = 6;
const SITES: usize = 50;
const OFFICE_PRINTERS: usize = 5;
const PASSWORD: &str = "correct horse battery";

/// The server's clock and the setup's: real time, so instants move forward as they must.
#[allow(clippy::disallowed_methods)]
fn wall() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The store: people, sites with their responsibles, accounts, and the loans to acknowledge.
fn generate(path: &std::path::Path) -> anyhow::Result<()> {
    let mut desk = Desk::open(path)?;
    let office = desk.init("株式会社サンプル", "office", PASSWORD, "Asia/Tokyo", wall())?;
    desk.add_organisation(&office, "ミライエ", OrganisationKind::Customer, wall())?;
    for s in 0..SITES {
        let responsible = format!("現場責任者 {s:02}");
        desk.add_person(
            &office,
            NewPerson {
                name: responsible.clone(),
                ..Default::default()
            },
            wall(),
        )?;
        desk.add_site(
            &office,
            NewSite {
                organisation: "ミライエ".into(),
                name: format!("現場 {s:02}"),
                address: None,
                responsibles: vec![PersonRef::Name(responsible.clone())],
            },
            wall(),
        )?;
        desk.add_account(
            &office,
            NewAccount {
                login: format!("site{s:02}"),
                password: PASSWORD.into(),
                roles: vec![Role::SiteResponsible],
                person: Some(PersonRef::Name(responsible)),
            },
            wall(),
        )?;
    }
    for i in 0..ASSETS {
        desk.add_asset(
            &office,
            NewAsset {
                tag: format!("PC-{i:05}"),
                kind: Some(AssetKind::Pc),
                name: "ThinkPad X1 Carbon".into(),
                ..Default::default()
            },
            wall(),
        )?;
    }
    for c in 0..CUSTODIANS {
        let name = format!("利用者 {c:04}");
        desk.add_person(
            &office,
            NewPerson {
                name: name.clone(),
                ..Default::default()
            },
            wall(),
        )?;
        desk.add_account(
            &office,
            NewAccount {
                login: format!("user{c:04}"),
                password: PASSWORD.into(),
                roles: vec![Role::Custodian],
                person: Some(PersonRef::Name(name.clone())),
            },
            wall(),
        )?;
        for k in 0..ITEMS_EACH {
            desk.issue_loan(
                &office,
                IssueLoan {
                    tag: format!("PC-{:05}", c * ITEMS_EACH + k),
                    to: PersonRef::Name(name.clone()),
                    due: None,
                    place: Some("自宅".into()),
                    site: Some(format!("現場 {:02}", c % SITES)),
                },
                wall(),
            )?;
        }
    }
    Ok(())
}

/// The client's own agent, so that the bench's clients find the server as the desktop does.
fn agent() -> ureq::Agent {
    azukari_client::agent(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(300)))
            .build(),
    )
}

/// One client's session: logs in, then calls with its token.
struct Client {
    agent: ureq::Agent,
    url: String,
    token: String,
}

impl Client {
    fn login(url: &str, login: &str) -> anyhow::Result<Client> {
        let agent = agent();
        let mut response = agent
            .post(format!("{url}/api/v1/login"))
            .header("azukari-protocol", "1")
            .send_json(
                serde_json::json!({"login": login, "password": PASSWORD, "device": "bench"}),
            )?;
        anyhow::ensure!(
            response.status() == 200,
            "login {login}: {}",
            response.status()
        );
        let answer: serde_json::Value = response.body_mut().read_json()?;
        Ok(Client {
            agent,
            url: url.to_string(),
            token: answer["token"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// A call; its time, or an error.
    fn call(&self, call: &Call, key: Option<&str>) -> Result<Duration, String> {
        let started = Clock::now();
        let mut request = self
            .agent
            .post(format!("{}/api/v1/call", self.url))
            .header("azukari-protocol", "1")
            .header("authorization", format!("Bearer {}", self.token));
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let mut response = request
            .content_type("application/json")
            .send(serde_json::to_vec(call).expect("a call is JSON"))
            .map_err(|err| err.to_string())?;
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|err| err.to_string())?;
        if response.status() != 200 {
            return Err(format!(
                "{}: {}",
                response.status(),
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(started.elapsed())
    }

    fn print(&self) -> Result<Duration, String> {
        let started = Clock::now();
        let request = PrintRequest {
            ledger: LedgerKind::Custody,
            format: LedgerFormat::Pdf,
            ..Default::default()
        };
        let mut response = self
            .agent
            .post(format!("{}/api/v1/print", self.url))
            .header("azukari-protocol", "1")
            .header("authorization", format!("Bearer {}", self.token))
            .send_json(serde_json::to_value(&request).expect("a request is JSON"))
            .map_err(|err| err.to_string())?;
        let bytes = response
            .body_mut()
            .with_config()
            .limit(1024 * 1024 * 1024)
            .read_to_vec()
            .map_err(|err| err.to_string())?;
        if response.status() != 200 || !bytes.starts_with(b"%PDF") {
            return Err(format!("print: {}", response.status()));
        }
        Ok(started.elapsed())
    }
}

#[derive(Default)]
struct Tally {
    writes: Mutex<Vec<Duration>>,
    pages: Mutex<Vec<Duration>>,
    site_pages: Mutex<Vec<Duration>>,
    prints: Mutex<Vec<Duration>>,
    errors: Mutex<Vec<String>>,
    acknowledged: AtomicU64,
}

impl Tally {
    fn error(&self, what: String) {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(what);
    }
}

fn own_page() -> Call {
    Call::AssetPage(AssetQuery {
        sort: AssetSort::Tag,
        limit: 100,
        ..Default::default()
    })
}

/// A client's thread: logs in as `login`, waits for every other client, then does its `work`.
fn client_thread(
    url: &str,
    start: &Arc<Barrier>,
    tally: &Arc<Tally>,
    login: String,
    work: impl FnOnce(Client, &Tally) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let (url, start, tally) = (url.to_string(), start.clone(), tally.clone());
    std::thread::Builder::new()
        .name("bench-client".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            let client = Client::login(&url, &login);
            start.wait();
            match client {
                Ok(client) => work(client, &tally),
                Err(err) => tally.error(err.to_string()),
            }
        })
}

/// One run: `custodians` custodian clients (from `first`), every site responsible and office
/// printer, all started together. Returns the figures' Markdown row.
fn run(
    url: &str,
    store: &std::path::Path,
    custodians: usize,
    items: std::ops::Range<usize>,
) -> anyhow::Result<String> {
    let journal_before = journal_length(store)?;
    let tally = Arc::new(Tally::default());
    let logging_in = Clock::now();
    // Everyone logs in first; the load starts when all are in.
    let clients = custodians + SITES + OFFICE_PRINTERS;
    let start = Arc::new(Barrier::new(clients + 1));
    let mut threads = Vec::new();
    for c in 0..custodians {
        let items = items.clone();
        threads.push(client_thread(
            url,
            &start,
            &tally,
            format!("user{c:04}"),
            move |client, tally| {
                for k in items {
                    match client.call(&own_page(), None) {
                        Ok(took) => tally.pages.lock().unwrap().push(took),
                        Err(err) => tally.error(err),
                    }
                    let tag = format!("PC-{:05}", c * ITEMS_EACH + k);
                    let key = format!("bench-{c}-{k}");
                    match client.call(&Call::AcknowledgeLoan { tag }, Some(&key)) {
                        Ok(took) => {
                            tally.writes.lock().unwrap().push(took);
                            tally.acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(err) => tally.error(err),
                    }
                }
            },
        )?);
    }
    for s in 0..SITES {
        threads.push(client_thread(
            url,
            &start,
            &tally,
            format!("site{s:02}"),
            |client, tally| {
                for page in 0..20u32 {
                    let call = Call::AssetPage(AssetQuery {
                        sort: AssetSort::Custodian,
                        offset: (page % 2) * 100,
                        limit: 100,
                        ..Default::default()
                    });
                    match client.call(&call, None) {
                        Ok(took) => {
                            tally.pages.lock().unwrap().push(took);
                            tally.site_pages.lock().unwrap().push(took);
                        }
                        Err(err) => tally.error(err),
                    }
                }
            },
        )?);
    }
    for _ in 0..OFFICE_PRINTERS {
        threads.push(client_thread(
            url,
            &start,
            &tally,
            "office".into(),
            |client, tally| match client.print() {
                Ok(took) => tally.prints.lock().unwrap().push(took),
                Err(err) => tally.error(err),
            },
        )?);
    }
    start.wait();
    let started = Clock::now();
    eprintln!(
        "{clients} logins, all at once, in {:.1} s",
        (started - logging_in).as_secs_f64()
    );
    for thread in threads {
        thread
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
    }
    let elapsed = started.elapsed();
    // The run's edges on the monotonic clock, to cut a profile to the load alone
    // (`perf record -k CLOCK_MONOTONIC`, then `perf report --time START,END`).
    eprintln!("the load ran from {started:?} to {:?}", Clock::now());
    let acknowledged = tally.acknowledged.load(Ordering::Relaxed);
    let journal_after = journal_length(store)?;
    let mut writes = tally.writes.lock().unwrap().clone();
    let mut pages = tally.pages.lock().unwrap().clone();
    let mut prints = tally.prints.lock().unwrap().clone();
    let mut site_pages = tally.site_pages.lock().unwrap().clone();
    // Beside the table: the site responsibles' scoped 100-row pages alone, to tell them from
    // the custodians' own short lists.
    eprintln!(
        "{custodians} custodians: site responsibles' pages p50 / p99 {:.1} / {:.1} ms, the run {:.2} s",
        ms(percentile(&mut site_pages, 0.5)),
        ms(percentile(&mut site_pages, 0.99)),
        started.elapsed().as_secs_f64()
    );
    let errors = tally.errors.lock().unwrap().clone();
    if let Some(first_error) = errors.first() {
        eprintln!("first error: {first_error}");
    }
    let entries = journal_after - journal_before;
    let (write_p99, page_p99) = (percentile(&mut writes, 0.99), percentile(&mut pages, 0.99));
    let met = |p99: Duration| if ms(p99) < 100.0 { "met" } else { "MISSED" };
    let verdict = if errors.is_empty() && entries == acknowledged as i64 {
        if custodians <= 200 {
            format!("writes {}, pages {}", met(write_p99), met(page_p99))
        } else {
            "—".to_string()
        }
    } else {
        "FAILED".to_string()
    };
    Ok(format!(
        "| {custodians} + {SITES} + {OFFICE_PRINTERS} | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.0} | {:.1} s | {} | {entries} / {acknowledged} | {verdict} |",
        ms(percentile(&mut writes, 0.5)),
        ms(write_p99),
        ms(percentile(&mut pages, 0.5)),
        ms(page_p99),
        writes.len() as f64 / elapsed.as_secs_f64(),
        percentile(&mut prints, 0.5).as_secs_f64(),
        errors.len(),
    ))
}

fn journal_length(store: &std::path::Path) -> anyhow::Result<i64> {
    let desk = Desk::open(store)?;
    Ok(desk.store().read().journal_head()?.0)
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // `--engine postgres`: the same load on a PostgreSQL store (a server of the bench's own,
    // syncing every commit as SQLite's store does).
    let engine = std::env::args()
        .skip_while(|arg| arg != "--engine")
        .nth(1)
        .unwrap_or_else(|| "sqlite".into());
    let store = match engine.as_str() {
        "sqlite" => dir.path().join("office.db"),
        "postgres" => {
            std::path::PathBuf::from(azukari_pg_harness::durable_cluster().new_database())
        }
        other => anyhow::bail!("--engine sqlite or postgres, not {other}"),
    };
    println!("engine: {engine}");
    let setup = Clock::now();
    generate(&store)?;
    // As `migrate` leaves a PostgreSQL store: its planner knows the tables.
    Desk::open(&store)?.store().refresh_statistics()?;
    eprintln!("store generated in {:.0} s", setup.elapsed().as_secs_f64());
    let (bound_tx, bound_rx) = std::sync::mpsc::channel::<SocketAddr>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let config = azukari_server::Config {
        listen: "127.0.0.1:0".parse()?,
        store: store.clone(),
        tls: None,
        sessions: SessionLimits::default(),
        request_timeout: Duration::from_secs(600),
        import_limit: DEFAULT_IMPORT_LIMIT_BYTES,
        font: None,
        clock: Arc::new(|| Ok(wall())),
        readers: 4,
        checkpoints: None,
        checkpoint_every: None,
    };
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(azukari_server::serve(
            config,
            move |bound, _| {
                let _ = bound_tx.send(bound);
            },
            async move {
                let _ = stop_rx.await;
            },
        ))
    });
    let url = format!("http://{}", bound_rx.recv()?);
    println!("## The office server under load (`make bench`, server_load)\n");
    println!(
        "On loopback, the server in the bench's process; a store of {ASSETS} assets, {CUSTODIANS} custodians holding {ITEMS_EACH} items each, {SITES} sites. Each custodian client reads its own list and acknowledges one item, three times; each site responsible pages the register 20 times; each office user prints the custody ledger ({} rows, PDF) once. All start together after logging in.\n",
        CUSTODIANS * ITEMS_EACH
    );
    println!(
        "| clients (custodians + site responsibles + office) | write p50 / p99 | page p50 / p99 | writes/s | ledger print p50 | errors | journal entries / acknowledged writes | target (200: p99 < 100 ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    // 200 custodians acknowledge half their items; then all 1,000 the other half.
    println!("{}", run(&url, &store, 200, 0..ITEMS_EACH / 2)?);
    println!(
        "{}",
        run(&url, &store, CUSTODIANS, ITEMS_EACH / 2..ITEMS_EACH)?
    );
    let _ = stop_tx.send(());
    server
        .join()
        .map_err(|_| anyhow::anyhow!("the server thread panicked"))??;
    if engine == "postgres" {
        print_top_statements()?;
    }
    Ok(())
}

/// Where PostgreSQL spent its time: the statements that took the most, from
/// pg_stat_statements (loaded by the bench's server; its view kept out of the store's schema).
fn print_top_statements() -> anyhow::Result<()> {
    let cluster = azukari_pg_harness::durable_cluster();
    let mut client = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)?;
    client.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS stats; CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA stats",
    )?;
    println!("\nPostgreSQL's statements by time spent:\n");
    println!("| total ms | calls | mean ms | statement |\n|---|---|---|---|");
    for row in client.query(
        "SELECT total_exec_time, calls, mean_exec_time, regexp_replace(query, '\\s+', ' ', 'g')
         FROM stats.pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12",
        &[],
    )? {
        let query: String = row.get(3);
        let shown: String = query.chars().take(160).collect();
        println!(
            "| {:.0} | {} | {:.3} | `{}` |",
            row.get::<_, f64>(0),
            row.get::<_, i64>(1),
            row.get::<_, f64>(2),
            shown.replace('|', "\\|")
        );
    }
    Ok(())
}
