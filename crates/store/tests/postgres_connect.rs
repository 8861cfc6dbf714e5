//! Connecting to PostgreSQL. Over the network, as an office's database on another host is
//! reached: TLS as the connection string's `sslmode` and `sslrootcert` say (libpq's meanings),
//! against a real server that lets TCP in over TLS only ([`azukari_pg_harness::tls_cluster`]).
//! And the settings each connection of the store starts with.

use azukari_store::{Store, StoreError};

/// Whether the store's own connection is encrypted, as the server sees it.
fn encrypted(store: &Store) -> bool {
    store
        .database()
        .query_row(
            "SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
            |row| row.get::<i64>(0),
        )
        .unwrap()
        == 1
}

fn refused(url: &str) -> String {
    match Store::open(std::path::Path::new(url)) {
        Ok(_) => panic!("{url} connected"),
        Err(StoreError::Connect { reason, .. }) => reason,
        Err(other) => panic!("{url}: {other}"),
    }
}

#[test]
fn tls_is_set_up_as_the_connection_string_says_and_a_wrong_certificate_is_refused() {
    let cluster = azukari_pg_harness::tls_cluster();
    let database = cluster
        .new_database()
        .split("@/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap()
        .to_string();
    let ca = cluster.ca_file();
    let ca = ca.to_str().unwrap();

    // verify-full with the office's CA, to the name in the certificate: encrypted, and the
    // store works as on a socket.
    let full = cluster.tcp_url(
        &database,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let store = Store::open(std::path::Path::new(&full)).unwrap();
    assert!(encrypted(&store), "verify-full is encrypted");
    assert!(!store.is_initialised().unwrap());
    drop(store);

    // verify-full to an address the certificate does not name: refused, saying why.
    let reason = refused(&cluster.tcp_url(
        &database,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ));
    assert!(
        reason.contains("not valid for name \"127.0.0.1\""),
        "{reason}"
    );
    // verify-ca to that address: the chain is what it checks.
    let store = Store::open(std::path::Path::new(&cluster.tcp_url(
        &database,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    )))
    .unwrap();
    assert!(encrypted(&store));
    drop(store);

    // Another CA's certificate: refused, in every checking mode.
    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other-ca.crt");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&other_ca, params.self_signed(&key).unwrap().pem()).unwrap();
    for mode in ["verify-full", "verify-ca", "require"] {
        let reason = refused(&cluster.tcp_url(
            &database,
            "localhost",
            &format!("sslmode={mode}&sslrootcert={}", other_ca.display()),
        ));
        assert!(
            reason.contains("invalid peer certificate"),
            "{mode}: {reason}"
        );
    }

    // require without a CA, as libpq: encrypted, not checked. The default (prefer) takes
    // TLS when the server offers it.
    for params in ["sslmode=require", ""] {
        let store = Store::open(std::path::Path::new(&cluster.tcp_url(
            &database,
            "localhost",
            params,
        )))
        .unwrap();
        assert!(encrypted(&store), "{params:?}");
    }
    // disable: the server lets no plain TCP in.
    let reason = refused(&cluster.tcp_url(&database, "localhost", "sslmode=disable"));
    assert!(reason.contains("pg_hba.conf"), "{reason}");
    // verify-full without a CA to check against, or a CA file that is not one: named.
    let reason = refused(&cluster.tcp_url(&database, "localhost", "sslmode=verify-full"));
    assert!(reason.contains("sslrootcert"), "{reason}");
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let reason = refused(&cluster.tcp_url(
        &database,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", not_pem.display()),
    ));
    assert!(reason.contains("holds no certificate"), "{reason}");
}

/// Each connection costs an index probe as one into the cache (random_page_cost 1.1, see
/// pg_connect.rs); an administrator's own setting in the string's `options` is kept.
#[test]
fn a_connection_starts_with_the_stores_planner_setting_unless_the_string_sets_its_own() {
    let cluster = azukari_pg_harness::cluster();
    let setting = |url: &str| -> String {
        let store = Store::open(std::path::Path::new(url)).unwrap();
        store
            .database()
            .query_row("SELECT current_setting('random_page_cost')", &[], |row| {
                row.get::<String>(0)
            })
            .unwrap()
    };
    let url = cluster.new_database();
    assert_eq!(setting(&url), "1.1");
    assert_eq!(
        setting(&format!("{url}&options=-c%20random_page_cost%3D2")),
        "2"
    );
}
