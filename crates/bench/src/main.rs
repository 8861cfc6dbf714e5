//! `make bench`: builds a store at DESIGN.md's scale (100,000 assets, 10,000 people, over a
//! million journal entries) and reports median and p99 of the hot paths, verify throughput,
//! and the journaled write throughput as a ratio to plain rusqlite inserts of the same rows
//! with the same settings, measured in the same run. Prints Markdown for BENCHMARKS.md.
//!
//! The baseline is the one place outside crates/store that speaks SQL: it must be plain
//! rusqlite to be a baseline.

use azukari_api::domain::view::{AssetQuery, AssetSort};
use azukari_api::domain::*;
use azukari_api::*;
use azukari_store::{Store, StoreError};
use std::time::{Duration, Instant as Clock};

const ASSETS: i64 = 100_000;
const PEOPLE: i64 = 10_000;
const ROUNDS: i64 = 5;
const PASSWORD: &str = "correct horse battery";

fn at(seconds: i64) -> Instant {
    Instant::from_utc(
        chrono::DateTime::from_timestamp(1_637_000_000 + seconds, 0).expect("in range"),
    )
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>, target_ms: f64) -> String {
    let median = percentile(&mut samples, 0.5);
    let p99 = percentile(&mut samples, 0.99);
    let verdict = if p99.as_secs_f64() * 1000.0 < target_ms {
        "ok"
    } else {
        "MISSED"
    };
    format!(
        "| {name} | {} | {:.2} ms | {:.2} ms | < {target_ms} ms | {verdict} |",
        samples.len(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    )
}

fn generate(path: &std::path::Path) -> anyhow::Result<(Session, i64)> {
    let mut desk = Desk::open(path)?;
    let admin = desk.init("株式会社ベンチ", "admin", PASSWORD, "Asia/Tokyo", at(0))?;
    drop(desk);
    let mut store = Store::open(path)?;
    let surnames = [
        "髙橋", "﨑山", "𠮷田", "山田", "佐藤", "鈴木", "渡邊", "齋藤", "田中", "伊藤",
    ];
    let given = [
        "一郎", "花子", "太郎", "次郎", "美咲", "陽菜", "蓮", "湊", "結衣", "大翔",
    ];
    let kinds = AssetKind::ALL;
    let mut events: Vec<Event> = Vec::new();
    for id in 1..=PEOPLE {
        let name = format!(
            "{} {}{}",
            surnames[(id % 10) as usize],
            given[(id / 10 % 10) as usize],
            id
        );
        events.push(Event::PersonAdded {
            person: Person {
                id: PersonId(id),
                name,
                kana: None,
                organisation_id: OrganisationId(1),
                email: None,
                employee_number: Some(format!("E{id:05}")),
                active: true,
            },
        });
    }
    for id in 1..=ASSETS {
        events.push(Event::AssetRegistered {
            asset: Asset {
                id: AssetId(id),
                tag: format!("PC-{id:06}"),
                kind: kinds[(id % kinds.len() as i64) as usize],
                name: format!("ThinkPad X1 Carbon Gen {}", id % 12),
                model: Some(format!("20XW{:04}", id % 9999)),
                serial: Some(format!("SN{id:08X}")),
                owner_organisation_id: OrganisationId(1),
                classification: Classification::Confidential,
                encrypted: true,
                note: None,
                registered_at: at(0),
            },
        });
    }
    // Five years of custody: each asset issued and returned once a year, then 60% held now.
    let mut loan_id = 0;
    let year = 365 * 86_400;
    for round in 0..=ROUNDS {
        for asset in 1..=ASSETS {
            if round == ROUNDS && asset % 5 >= 3 {
                continue;
            }
            loan_id += 1;
            let issued = round * year + asset;
            let custodian = PersonId((asset * 7 + round * 13) % PEOPLE + 1);
            events.push(Event::LoanIssued {
                loan: Loan {
                    id: LoanId(loan_id),
                    asset_id: AssetId(asset),
                    custodian_id: custodian,
                    issued_at: at(issued),
                    issued_by: Some(admin.account_id),
                    due_on: None,
                    place: Some("自宅".into()),
                    site_id: None,
                },
            });
            if round < ROUNDS {
                events.push(Event::LoanReturned {
                    loan_id: LoanId(loan_id),
                    asset_id: AssetId(asset),
                    returned_at: at(issued + 200 * 86_400),
                    returned_to: Some(admin.account_id),
                    condition: ReturnCondition::Ok,
                    note: None,
                    asset_status: AssetStatus::Available,
                });
            }
        }
    }
    let total = events.len();
    let started = Clock::now();
    for chunk in events.chunks(20_000) {
        store.write(|w| -> Result<(), StoreError> {
            for event in chunk {
                w.apply(event, Some(admin.account_id), at(0))?;
            }
            Ok(())
        })?;
    }
    eprintln!(
        "generated {total} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok((admin, loan_id))
}

/// The 100,000-row custody ledger as PDF, and LibreOffice converting the same rows from CSV
/// to PDF (what offices do today), measured in the same run.
fn ledger_figures(store: &std::path::Path, dir: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let (pdf, csv) = (dir.join("ledger.pdf"), dir.join("ledger.csv"));
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("ledger")
        .arg(store)
        .arg(&pdf)
        .arg(&csv)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "ledger child: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let figures: Vec<f64> = text
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let (rows, seconds, peak, size) = (figures[0], figures[1], figures[2], figures[3]);
    let pages = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.starts_with("Pages:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
        });
    let mut lines = vec![
        "| custody ledger PDF | rows | pages | time | peak memory | size | size per 1,000 rows |"
            .to_string(),
        "| --- | --- | --- | --- | --- | --- | --- |".to_string(),
        format!(
            "| Azukari, grouped by custodian | {rows:.0} | {} | {seconds:.1} s | {peak:.0} MB | {:.1} MB | {:.1} KB |",
            pages.unwrap_or_else(|| "?".into()),
            size / 1e6,
            size / rows * 1000.0 / 1000.0
        ),
    ];
    let soffice = ["soffice", "libreoffice"].into_iter().find(|cmd| {
        std::process::Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok()
    });
    match soffice {
        None => lines.push("LibreOffice is not installed here: no comparison in this run.".into()),
        Some(cmd) => {
            let profile = dir.join("lo-profile");
            let started = Clock::now();
            let status = std::process::Command::new(cmd)
                .arg(format!(
                    "-env:UserInstallation=file://{}",
                    profile.display()
                ))
                .args([
                    "--headless",
                    "--infilter=CSV:44,34,76,1",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                ])
                .arg(dir.join("lo"))
                .arg(&csv)
                .output()?;
            let lo_seconds = started.elapsed().as_secs_f64();
            anyhow::ensure!(
                status.status.success(),
                "LibreOffice: {}",
                String::from_utf8_lossy(&status.stderr)
            );
            let lo_size = std::fs::metadata(dir.join("lo").join("ledger.pdf"))
                .map(|m| m.len() as f64)
                .unwrap_or(0.0);
            lines.push(format!("| LibreOffice headless, the same rows from CSV | {rows:.0} | | {lo_seconds:.1} s | | {:.1} MB | {:.1} KB |", lo_size / 1e6, lo_size / rows));
            lines.push(String::new());
            lines.push(format!("Azukari is {:.1} times faster than LibreOffice for the same rows (target ≥ 10); targets: peak under 300 MB, under 60 KB per 1,000 rows.", lo_seconds / seconds));
        }
    }
    Ok(lines)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cpu}, {cores} cores")
}

#[allow(clippy::disallowed_methods)]
fn wall() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

/// Peak resident memory of this process so far, from the kernel.
fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `azukari-bench ledger STORE OUT.pdf OUT.csv`: one custody ledger of the whole register, in
/// a process of its own so that its peak memory is the ledger's alone.
fn ledger_child(
    store: &std::path::Path,
    pdf: &std::path::Path,
    csv: &std::path::Path,
) -> anyhow::Result<()> {
    let started = Clock::now();
    let mut desk = Desk::open(store)?;
    let admin = desk.login("admin", PASSWORD, wall())?;
    let request = PrintRequest {
        ledger: LedgerKind::Custody,
        group_by: LedgerGrouping::Custodian,
        ..Default::default()
    };
    let printed = desk.print(&admin, &request, None, wall(), &mut |_, _| {})?;
    std::fs::write(pdf, &printed.bytes)?;
    let seconds = started.elapsed().as_secs_f64();
    let (rows, bytes) = (printed.rows, printed.bytes);
    // The CSV LibreOffice converts is rendered after the clock stops: it is not our PDF's cost.
    let csv_request = PrintRequest {
        format: LedgerFormat::Csv,
        ..request
    };
    std::fs::write(
        csv,
        desk.print(&admin, &csv_request, None, wall(), &mut |_, _| {})?
            .bytes,
    )?;
    println!("{rows} {seconds} {} {}", peak_memory_mb(), bytes.len());
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("ledger") {
        return ledger_child(args[2].as_ref(), args[3].as_ref(), args[4].as_ref());
    }
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "target".into()))?;
    let path = dir.path().join("bench.db");
    // BENCH_KEEP=1 leaves the generated store in target/ for looking at query plans.
    let dir = if std::env::var_os("BENCH_KEEP").is_some() {
        let kept = dir.keep();
        eprintln!("keeping {}", kept.display());
        tempfile::TempDir::new_in(kept)?
    } else {
        dir
    };
    let (_, _) = generate(&path)?;
    // BENCH_ONLY=ledger measures the ledger alone, on the same generated store.
    if std::env::var("BENCH_ONLY").as_deref() == Ok("ledger") {
        println!("{}", ledger_figures(&path, dir.path())?.join("\n"));
        return Ok(());
    }
    let mut desk = Desk::open(&path)?;
    let admin = desk.login("admin", PASSWORD, wall())?;
    let (entries, _) = desk.store().read().journal_head()?;
    let mut lines = vec![
        format!(
            "Machine: {}. Store: {ASSETS} assets, {PEOPLE} people, {entries} journal entries, {:.0} MB.",
            machine(),
            std::fs::metadata(&path)?.len() as f64 / 1e6
        ),
        String::new(),
        "| operation | runs | median | p99 | target | |".into(),
        "| --- | --- | --- | --- | --- | --- |".into(),
    ];

    // A register page: 100 rows, a status filter and a text search, sorted by tag.
    let searches = [
        "髙橋",
        "20XW12",
        "gen 7",
        "pc-0012",
        "花子",
        "sn0000a",
        "齋藤 結衣",
        "x1 carbon",
    ];
    let mut samples = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for i in 0..400 {
        let query = AssetQuery {
            status: if i % 2 == 0 {
                Some(AssetStatus::OnLoan)
            } else {
                None
            },
            search: Some(searches[i % searches.len()].into()),
            sort: if i % 3 == 0 {
                AssetSort::Custodian
            } else {
                AssetSort::Tag
            },
            limit: 100,
            offset: (i % 4 * 100) as u32,
            ..Default::default()
        };
        let started = Clock::now();
        let page = desk.asset_page(&admin, &query)?;
        let took = started.elapsed();
        samples.push(took);
        let what = format!(
            "'{}', status {:?}, sort {:?}, {} matches",
            query.search.as_deref().unwrap_or(""),
            query.status,
            query.sort,
            page.total
        );
        slowest.push((took, what));
    }
    lines.push(report(
        "register page: 100 rows, filter + text search",
        samples,
        50.0,
    ));
    slowest.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    let mut worst: Vec<String> = Vec::new();
    for (took, what) in &slowest {
        if worst.len() < 3 && !worst.iter().any(|w| w.starts_with(what.as_str())) {
            worst.push(format!("{what}: {:.1} ms", took.as_secs_f64() * 1000.0));
        }
    }

    let mut samples = Vec::new();
    for i in 0..400 {
        let query = AssetQuery {
            kind: Some(AssetKind::Pc),
            limit: 100,
            offset: (i * 997 % 10_000) as u32,
            ..Default::default()
        };
        let started = Clock::now();
        std::hint::black_box(desk.asset_page(&admin, &query)?);
        samples.push(started.elapsed());
    }
    lines.push(report(
        "register page: 100 rows, kind filter, deep offset",
        samples,
        50.0,
    ));

    let mut samples = Vec::new();
    for i in 0..400i64 {
        let person = PersonRef::Id(PersonId(i * 23 % PEOPLE + 1));
        let when = at((i % 6) * 365 * 86_400 + 50_000 + i);
        let started = Clock::now();
        std::hint::black_box(desk.custody_as_of(&admin, when, Some(&person))?);
        samples.push(started.elapsed());
    }
    lines.push(report(
        "custody as of an instant, one person",
        samples,
        50.0,
    ));

    // Writes through the api: one IMMEDIATE transaction each, synchronous=FULL.
    let (mut issues, mut returns) = (Vec::new(), Vec::new());
    for i in 0..300i64 {
        let tag = format!("PC-{:06}", i * 5 + 4); // asset % 5 == 4: on the shelf now
        let loan = IssueLoan {
            tag: tag.clone(),
            to: PersonRef::Id(PersonId(i % PEOPLE + 1)),
            due: None,
            place: None,
            site: None,
        };
        let started = Clock::now();
        desk.issue_loan(&admin, loan, wall())?;
        issues.push(started.elapsed());
        let started = Clock::now();
        desk.return_loan(
            &admin,
            ReturnLoan {
                tag,
                condition: ReturnCondition::Ok,
                note: None,
            },
            wall(),
        )?;
        returns.push(started.elapsed());
    }
    lines.push(report("issue a loan (journaled, fsync)", issues, 10.0));
    lines.push(report("return a loan (journaled, fsync)", returns, 10.0));

    // Journaled write throughput against plain rusqlite inserts of the same rows, same settings.
    let n = 2_000;
    let started = Clock::now();
    for i in 0..n {
        desk.add_person(
            &admin,
            NewPerson {
                name: format!("比較 {i}"),
                employee_number: Some(format!("C{i}")),
                ..Default::default()
            },
            wall(),
        )?;
    }
    let journaled = n as f64 / started.elapsed().as_secs_f64();
    let plain_path = dir.path().join("plain.db");
    let plain = rusqlite::Connection::open(&plain_path)?;
    plain.pragma_update(None, "journal_mode", "WAL")?;
    plain.pragma_update(None, "synchronous", "FULL")?;
    plain.pragma_update(None, "foreign_keys", "ON")?;
    plain.execute_batch("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kana TEXT, organisation_id INTEGER NOT NULL, email TEXT, employee_number TEXT, active INTEGER NOT NULL)")?;
    let started = Clock::now();
    for i in 0..n {
        plain.execute("BEGIN IMMEDIATE", [])?;
        plain.execute(
            "INSERT INTO people (id, name, kana, organisation_id, email, employee_number, active) VALUES (?1, ?2, NULL, 1, NULL, ?3, 1)",
            rusqlite::params![i + 1, format!("比較 {i}"), format!("C{i}")],
        )?;
        plain.execute("COMMIT", [])?;
    }
    let baseline = n as f64 / started.elapsed().as_secs_f64();
    lines.push(String::new());
    lines.push(format!("Slowest register searches: {}.", worst.join("; ")));
    lines.push(String::new());
    lines.push(format!(
        "Journaled writes: {journaled:.0}/s; plain rusqlite inserts of the same rows: {baseline:.0}/s; ratio {:.2} (target ≥ 0.5).",
        journaled / baseline
    ));

    let started = Clock::now();
    let report = desk.verify(&admin, None, &mut |_, _| {})?;
    let seconds = started.elapsed().as_secs_f64();
    lines.push(format!(
        "verify: {} entries and {} records in {seconds:.1} s ({:.0} entries/s), integrity_check included.",
        report.entries,
        report.records,
        report.entries as f64 / seconds
    ));
    lines.push(String::new());
    lines.extend(ledger_figures(&path, dir.path())?);
    println!("{}", lines.join("\n"));
    Ok(())
}
