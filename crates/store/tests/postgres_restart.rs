//! PostgreSQL restarted under a writer and a reader: the store reconnects by itself, every
//! write it acknowledged is kept, and the journal verifies. A test binary of its own: the
//! restart cuts every connection of the process's server.

use azukari_domain::permission::ReadScope;
use azukari_domain::*;
use azukari_store::{IdTable, Store, StoreError};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn add_person(store: &mut Store, name: &str) -> Result<i64, StoreError> {
    store.write(|w| {
        let (seq, _) = w.read().journal_head()?;
        let at = Instant::from_utc(
            "2026-11-01T00:00:00Z".parse::<Instant>().unwrap().utc()
                + chrono::Duration::milliseconds(seq),
        );
        if seq == 0 {
            w.apply(
                &Event::StoreInitialised {
                    time_zone: "Asia/Tokyo".into(),
                },
                None,
                at,
            )?;
            let organisation = Organisation {
                id: OrganisationId(1),
                name: "自社".into(),
                kind: OrganisationKind::Own,
            };
            w.apply(&Event::OrganisationAdded { organisation }, None, at)?;
        }
        let person = Person {
            id: PersonId(w.next_id(IdTable::People)?),
            name: name.into(),
            kana: None,
            organisation_id: OrganisationId(1),
            email: None,
            employee_number: None,
            active: true,
        };
        w.apply(&Event::PersonAdded { person }, None, at)
    })
}

#[test]
fn a_restarted_server_loses_no_acknowledged_write_and_the_store_reconnects() {
    let cluster = azukari_pg_harness::cluster();
    let url = cluster.new_database();
    let mut store = Store::open(Path::new(&url)).unwrap();
    add_person(&mut store, "最初").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut acknowledged, mut refused) = (Vec::new(), 0);
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("人 {n}");
                match add_person(&mut store, &name) {
                    Ok(_) => acknowledged.push(name),
                    Err(err) => {
                        assert!(
                            matches!(&err, StoreError::Database(db) if db.is_connection_lost())
                                || err.to_string().contains("connect"),
                            "only the restart refuses a write: {err}"
                        );
                        refused += 1;
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                }
            }
            // The same connection goes on after the restart.
            add_person(&mut store, "最後").unwrap();
            acknowledged.push("最後".to_string());
            (acknowledged, refused)
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    cluster.restart();
    std::thread::sleep(std::time::Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let (acknowledged, refused) = writer.join().unwrap();
    assert!(
        acknowledged.len() > 10,
        "the writer wrote before and after: {}",
        acknowledged.len()
    );
    let store = Store::open(Path::new(&url)).unwrap();
    let report = store.verify().unwrap();
    let people: Vec<String> = store
        .read()
        .people(&ReadScope::Everything)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    for name in &acknowledged {
        assert!(people.contains(name), "{name} was acknowledged and is kept");
    }
    // At most one write per restart may be kept without its acknowledgement (its COMMIT was
    // sent and the answer lost); none is kept twice.
    assert!(
        people.len() <= acknowledged.len() + 1 + refused,
        "{people:?}"
    );
    assert_eq!(report.entries as usize, 2 + people.len());
}
