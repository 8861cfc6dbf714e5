//! Connecting to a PostgreSQL server: TLS as libpq's `sslmode` and `sslrootcert` say, so a connection
//! string an office's database administrator hands out means here what it means to psql:
//!
//! | sslmode | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | no | — |
//! | `allow`, `prefer` (the default) | when the server offers it | no; the CA with `sslrootcert` |
//! | `require` | yes | no; the CA with `sslrootcert` (libpq: "as verify-ca") |
//! | `verify-ca` | yes | signed by the CA of `sslrootcert` |
//! | `verify-full` | yes | signed by that CA and naming the host connected to |
//!
//! A Unix socket is never encrypted (it never leaves the computer). The PostgreSQL driver
//! knows `disable`, `prefer` and `require` only, and no `sslrootcert`: both are read here and
//! the rest of the string is left to it.
//!
//! A password is taken, as libpq takes it, from the string, else from `PGPASSWORD`, else from
//! the password file (`PGPASSFILE`, or `~/.pgpass`, on Windows `%APPDATA%\postgresql\pgpass.conf`;
//! on Unix only when no one else may read it), so it need not be on a command line.

use crate::db::DbError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::str::FromStr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A connection string split into what the driver reads and what this module does.
#[derive(Debug)]
struct Wanted {
    driver: String,
    mode: Mode,
    root: Option<String>,
}

/// A value of the string's query, decoded as the driver decodes the rest of it (and `+` as a
/// space, as a form would write it).
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn wanted(url: &str) -> Result<Wanted, DbError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = Mode::Prefer;
    let mut root = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                mode = match percent_decoded(value).as_str() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(DbError::Tls(format!(
                            "sslmode '{other}' is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        )));
                    }
                };
            }
            "sslrootcert" => root = Some(percent_decoded(value)),
            _ => kept.push(pair),
        }
    }
    // The driver knows three modes; the checking ones are `require` to it, checked here.
    kept.push(match mode {
        Mode::Disable => "sslmode=disable",
        Mode::Prefer => "sslmode=prefer",
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => "sslmode=require",
    });
    if matches!(mode, Mode::VerifyCa | Mode::VerifyFull) && root.is_none() {
        return Err(DbError::Tls(
            "sslmode=verify-ca and verify-full need sslrootcert=FILE: the certificate (PEM) of the CA that signed the database server's".into(),
        ));
    }
    Ok(Wanted {
        driver: format!("{base}?{}", kept.join("&")),
        mode,
        root,
    })
}

/// Connects as the connection string says, over TLS where it asks for it.
pub(crate) fn connect(url: &str) -> Result<postgres::Client, DbError> {
    let wanted = wanted(url)?;
    let mut config = postgres::Config::from_str(&wanted.driver)?;
    // For this connection only, an index probe is costed as what it is for a register that
    // stays in the server's cache, not as a seek of a spinning disk (PostgreSQL's default 4):
    // with 4, a site responsible's page walked 6,000 rows of an index to find the site's 126
    // (0.85 ms), with 1.1 it probes for them (0.40 ms), and the count likewise (0.99 → 0.36).
    // Sent with the connection's start, so it costs no round trip; an administrator's own
    // setting in the string's `options` is kept.
    let options = config.get_options().unwrap_or_default().to_string();
    if !options.contains("random_page_cost") {
        config.options(format!("{options} -c random_page_cost=1.1").trim());
    }
    if config.get_password().is_none() {
        if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(password.to_string_lossy().as_bytes());
        } else if let Some(password) = password_file()
            .and_then(|file| std::fs::read_to_string(file).ok())
            .and_then(|text| password_for(&text, &config))
        {
            config.password(password);
        }
    }
    // A socket never leaves the computer: libpq uses no TLS on it, whatever the mode (and
    // the TLS connector would take the socket's folder for a host name and refuse it).
    #[cfg(unix)]
    let on_socket = matches!(
        config.get_hosts().first(),
        Some(postgres::config::Host::Unix(_))
    );
    #[cfg(not(unix))]
    let on_socket = false;
    if wanted.mode == Mode::Disable || on_socket {
        config.ssl_mode(postgres::config::SslMode::Disable);
        return Ok(config.connect(postgres::NoTls)?);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match &wanted.root {
        Some(file) => {
            let roots = Arc::new(roots_from(file)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|err| DbError::Tls(format!("{file}: {err}")))?;
            if wanted.mode == Mode::VerifyFull {
                webpki
            } else {
                Arc::new(SignedByTheCa(webpki))
            }
        }
        None => Arc::new(EncryptedOnly(provider.clone())),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| DbError::Tls(err.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))?)
}

/// libpq's password file, when there is one others may not read.
fn password_file() -> Option<std::path::PathBuf> {
    let file = match std::env::var_os("PGPASSFILE") {
        Some(file) => std::path::PathBuf::from(file),
        None if cfg!(windows) => std::env::var_os("APPDATA")
            .map(std::path::PathBuf::from)?
            .join("postgresql")
            .join("pgpass.conf"),
        None => std::env::var_os("HOME")
            .map(std::path::PathBuf::from)?
            .join(".pgpass"),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // libpq ignores a password file the group or others may read; so does this.
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    Some(file)
}

/// The password of the first line of a password file (`host:port:database:user:password`,
/// `*` matching anything, `\:` and `\\` escaped) that matches the connection. A socket's host
/// is matched as `localhost`, as libpq does.
fn password_for(text: &str, config: &postgres::Config) -> Option<String> {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(_)) => "localhost".to_string(),
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    let wanted = [host.as_str(), port.as_str(), database, user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = split_escaped(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, value)| field == "*" || field == value);
            matches.then(|| fields[4..].join(":"))
        })
}

fn split_escaped(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field at least").push(next);
                }
            }
            ':' => fields.push(String::new()),
            other => fields.last_mut().expect("one field at least").push(other),
        }
    }
    fields
}

fn roots_from(file: &str) -> Result<RootCertStore, DbError> {
    let pem = std::fs::read(file)
        .map_err(|err| DbError::Tls(format!("sslrootcert {file} cannot be read: {err}")))?;
    let mut roots = RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        let cert = cert.map_err(|err| DbError::Tls(format!("sslrootcert {file}: {err}")))?;
        roots
            .add(cert)
            .map_err(|err| DbError::Tls(format!("sslrootcert {file}: {err}")))?;
    }
    if roots.is_empty() {
        return Err(DbError::Tls(format!(
            "sslrootcert {file} holds no certificate (PEM)"
        )));
    }
    Ok(roots)
}

/// verify-ca: the chain must lead to the CA; the name in the certificate is not compared.
#[derive(Debug)]
struct SignedByTheCa(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for SignedByTheCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain first and the name last: a wrong name means the chain held.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// prefer and require without a CA, as libpq: encrypted, the certificate not checked (the
/// handshake's signatures still are). verify-full is what an office should ask for.
#[derive(Debug)]
struct EncryptedOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptedOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_file_line_matches_as_libpq_matches_it() {
        let text = "# the office's\n\
                    db.example.local:5432:azukari:azukari:first\n\
                    *:*:other:*:sec\\:ond\n\
                    localhost:5432:*:postgres:third:with:colons\n";
        let config = |url: &str| postgres::Config::from_str(url).unwrap();
        assert_eq!(
            password_for(
                text,
                &config("postgresql://azukari@db.example.local/azukari")
            ),
            Some("first".into())
        );
        assert_eq!(
            password_for(
                text,
                &config("postgresql://azukari@db.example.local:5433/azukari")
            ),
            None,
            "another port"
        );
        assert_eq!(
            password_for(text, &config("postgresql://someone@elsewhere/other")),
            Some("sec:ond".into())
        );
        assert_eq!(
            password_for(
                text,
                &config("postgresql://postgres@/x?host=/run/postgresql")
            ),
            Some("third:with:colons".into()),
            "a socket is localhost"
        );
    }

    #[test]
    fn the_driver_gets_the_modes_it_knows_and_no_sslrootcert() {
        let w = wanted("postgresql://a@db/x?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=az").unwrap();
        assert_eq!(w.mode, Mode::VerifyFull);
        assert_eq!(w.root.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(
            w.driver,
            "postgresql://a@db/x?application_name=az&sslmode=require"
        );
        let w = wanted("postgresql://a@db/x").unwrap();
        assert_eq!(w.mode, Mode::Prefer);
        assert_eq!(w.driver, "postgresql://a@db/x?sslmode=prefer");
        assert_eq!(
            wanted("postgres://a@/x?sslmode=allow").unwrap().mode,
            Mode::Prefer
        );
        let err = wanted("postgres://a@db/x?sslmode=verify-full").unwrap_err();
        assert!(err.to_string().contains("sslrootcert"), "{err}");
        let err = wanted("postgres://a@db/x?sslmode=strict").unwrap_err();
        assert!(err.to_string().contains("'strict'"), "{err}");
    }
}
