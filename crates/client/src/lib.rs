//! The office server's client: [`Remote`] is the api's [`Office`] over HTTPS. Every answer
//! carries the server's journal head; the client keeps the last head it saw from each server
//! and checks that the server's journal still extends it (the entry at that sequence number
//! still has that hash) before it sends a write. A server whose journal does not is reported
//! as forked, and nothing more is sent to it.

mod kept;
pub mod outbox;
mod resolve;

use azukari_api::domain::journal::Head;
use azukari_api::domain::rules::Refusal;
use azukari_api::{
    Answered, Call, Failure, ImportKind, ImportOptions, ImportSummary, Office, Place, PrintRequest,
    Printed, Result, Session, typed,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use ureq::Agent;
use ureq::http::Response;

pub use kept::{Kept, TOKEN_STORE_ENV, TokenPlace};
pub use resolve::agent;

/// The protocol this client speaks; see `azukari_server::PROTOCOL`.
const PROTOCOL: &str = "1";
/// The largest ledger or backup the client takes in one answer.
const LARGEST_DOWNLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// An office server, not yet logged in to.
pub struct Connection {
    url: String,
    agent: Agent,
    kept: Kept,
    /// The last check of the server's journal found it forked (what was seen, what was
    /// found): nothing more is sent.
    forked: Option<(String, String)>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url)
            .finish()
    }
}

/// What the server says of itself before anyone logs in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    pub server: String,
    pub version: String,
    pub protocol: String,
    pub time_zone: Option<String>,
}

#[derive(Deserialize)]
struct LoginAnswer {
    token: String,
    session: Session,
}

impl Connection {
    /// A server at `url` (https://…, or http:// to a loopback address). `ca` is a PEM
    /// certificate to trust for it when the system does not (a self-signed office server);
    /// otherwise the system's trusted certificates decide. `kept` is where this computer keeps
    /// tokens and the journal heads it saw.
    pub fn new(url: &str, ca: Option<&Path>, kept: Kept) -> Result<Connection> {
        // rustls picks its cryptography from crate features; a program that links another
        // provider too (aws-lc-rs, through some other dependency) would have none by default.
        // Ours is ring, everywhere; an earlier choice by the program stands.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = url.trim().trim_end_matches('/').to_string();
        let unreachable = |why: String| Failure::Unreachable {
            server: url.clone(),
            why,
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Refusal::InvalidValue {
                field: "server",
                value: url.clone(),
                expected: "an address like https://azukari.example.co.jp:8443".into(),
            }
            .into());
        }
        let roots = match ca {
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|err| unreachable(format!("{}: {err}", path.display())))?;
                let certs = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(cert)) => Some(Ok(cert)),
                        Ok(_) => None,
                        Err(err) => Some(Err(err)),
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|err| unreachable(format!("{}: {err}", path.display())))?;
                if certs.is_empty() {
                    return Err(unreachable(format!(
                        "{}: no certificate in it",
                        path.display()
                    )));
                }
                ureq::tls::RootCerts::new_with_certs(&certs)
            }
            None => ureq::tls::RootCerts::PlatformVerifier,
        };
        let agent = agent(
            Agent::config_builder()
                .http_status_as_error(false)
                .timeout_connect(Some(Duration::from_secs(10)))
                .timeout_global(Some(Duration::from_secs(600)))
                .user_agent(concat!("azukari/", env!("CARGO_PKG_VERSION")))
                .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
                .build(),
        );
        Ok(Connection {
            url,
            agent,
            kept,
            forked: None,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    fn forked(&self, seen: &str, found: &str) -> Failure {
        Failure::JournalForked {
            server: self.url.clone(),
            seen: seen.to_string(),
            found: found.to_string(),
        }
    }

    fn unreachable(&self, err: ureq::Error) -> Failure {
        Failure::Unreachable {
            server: self.url.clone(),
            why: err.to_string(),
        }
    }

    /// Who answers at the address, and whether it speaks this client's protocol.
    pub fn status(&self) -> Result<Status> {
        let mut response = self
            .agent
            .get(format!("{}/api/v1/status", self.url))
            .call()
            .map_err(|err| self.unreachable(err))?;
        let status: Status = response
            .body_mut()
            .read_json()
            .map_err(|_| Failure::Unreachable {
                server: self.url.clone(),
                why: "what answers there is not an Azukari office server".into(),
            })?;
        if status.server != "azukari" {
            return Err(Failure::Unreachable {
                server: self.url.clone(),
                why: "what answers there is not an Azukari office server".into(),
            });
        }
        Ok(status)
    }

    /// Logs in; the session lasts until logout or its end on the server.
    pub fn login(self, login: &str, password: &str) -> Result<Remote> {
        let body = serde_json::json!({
            "login": login,
            "password": password,
            "device": device_name(),
        });
        let request = self
            .agent
            .post(format!("{}/api/v1/login", self.url))
            .header("azukari-protocol", PROTOCOL);
        let response = request
            .send_json(&body)
            .map_err(|err| self.unreachable(err))?;
        let mut remote = Remote {
            connection: self,
            token: String::new(),
            session: None,
        };
        let head = head_of(&response);
        let answer: LoginAnswer = remote.read_json(response)?;
        remote.token = answer.token;
        remote.session = Some(answer.session);
        // Checked with the new session: proving an older head needs one.
        if let Some(head) = head {
            remote.check_extends(head)?;
        }
        Ok(remote)
    }

    /// Resumes a session from a token kept by an earlier `login`.
    pub fn resume(self, token: String) -> Result<Remote> {
        let mut remote = Remote {
            connection: self,
            token,
            session: None,
        };
        let session: Session = typed(remote.call(Call::Session))?;
        remote.session = Some(session);
        Ok(remote)
    }
}

/// This computer's name, as the server lists a session's device.
fn device_name() -> String {
    let name = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && !name.chars().any(char::is_control));
    let mut name = name.unwrap_or_else(|| "unknown computer".into());
    name.truncate(name.floor_char_boundary(100));
    name
}

/// A session of an office server: the api's [`Office`] over the network.
pub struct Remote {
    connection: Connection,
    token: String,
    session: Option<Session>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("url", &self.connection.url)
            .field("login", &self.session.as_ref().map(|s| &s.login))
            .finish()
    }
}

impl Remote {
    /// The bearer token, to keep for the next run (`azukari login`).
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The outbox of this session's login at this server.
    pub fn outbox(&self) -> outbox::Outbox {
        outbox::Outbox::of(
            &self.connection.kept,
            &self.connection.url,
            &self.session().login,
        )
    }

    /// The same session on a second connection: for work that runs beside this one (a large
    /// ledger printing while the register stays usable).
    pub fn beside(&self) -> Result<Remote> {
        Ok(Remote {
            connection: Connection {
                url: self.connection.url.clone(),
                agent: self.connection.agent.clone(),
                kept: self.connection.kept.clone(),
                forked: None,
            },
            token: self.token.clone(),
            session: self.session.clone(),
        })
    }

    /// Ends the session on the server.
    pub fn logout(mut self) -> Result<()> {
        let response = self
            .request("logout")
            .send_empty()
            .map_err(|err| self.connection.unreachable(err))?;
        let _: Value = self.answer_json(response)?;
        Ok(())
    }

    fn request(&self, route: &str) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        self.connection
            .agent
            .post(format!("{}/api/v1/{route}", self.connection.url))
            .header("azukari-protocol", PROTOCOL)
            .header("authorization", format!("Bearer {}", self.token))
    }

    /// Reads an answer: a failure as the server's `Answered`, or the journal head checked.
    fn answer_body(&mut self, response: Response<ureq::Body>) -> Result<Response<ureq::Body>> {
        let response = self.failure_of(response)?;
        if let Some(head) = head_of(&response) {
            self.check_extends(head)?;
        }
        Ok(response)
    }

    /// A failure answered as the server's `Answered`, else the response as it came.
    fn failure_of(&self, mut response: Response<ureq::Body>) -> Result<Response<ureq::Body>> {
        if !response.status().is_success() {
            let answered: std::result::Result<Answered, _> = response
                .body_mut()
                .with_config()
                .limit(1024 * 1024)
                .read_json();
            return Err(match answered {
                Ok(answered) => Failure::Answered(answered),
                Err(_) => Failure::Unreachable {
                    server: self.connection.url.clone(),
                    why: format!("it answered {} without saying why", response.status()),
                },
            });
        }
        Ok(response)
    }

    fn answer_json<T: serde::de::DeserializeOwned>(
        &mut self,
        response: Response<ureq::Body>,
    ) -> Result<T> {
        let response = self.answer_body(response)?;
        self.read_json(response)
    }

    /// An answer's JSON, its journal head not looked at.
    fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        response: Response<ureq::Body>,
    ) -> Result<T> {
        let mut response = self.failure_of(response)?;
        response
            .body_mut()
            .with_config()
            .limit(LARGEST_DOWNLOAD)
            .read_json()
            .map_err(|err| Failure::Unreachable {
                server: self.connection.url.clone(),
                why: format!("its answer could not be read: {err}"),
            })
    }

    /// A file answered in one piece (a ledger, a backup): its headers and its bytes.
    fn download(
        &mut self,
        response: Response<ureq::Body>,
    ) -> Result<(ureq::http::HeaderMap, Vec<u8>)> {
        let mut response = self.answer_body(response)?;
        let headers = response.headers().clone();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(LARGEST_DOWNLOAD)
            .read_to_vec()
            .map_err(|err| self.connection.unreachable(err))?;
        Ok((headers, bytes))
    }

    /// The server's journal must extend the head this computer saw from it last: the same
    /// entry at that sequence number, with the same hash. Otherwise it was replaced by an
    /// older copy, cut back, or rewritten, and nothing more is sent to it.
    fn check_extends(&mut self, now: Head) -> Result<()> {
        if let Some((seen, found)) = &self.connection.forked {
            return Err(self.connection.forked(seen, found));
        }
        let Some(seen) = self.connection.kept.head(&self.connection.url) else {
            self.connection.kept.keep_head(&self.connection.url, &now);
            return Ok(());
        };
        // This answer's head may have been read before a write that another connection of
        // this computer has seen since (the head kept is shared): ask again before judging.
        let now = if now.seq < seen.seq {
            let fresh: Head = self.ask_unchecked(&Call::JournalHead)?;
            if fresh.seq > now.seq { fresh } else { now }
        } else {
            now
        };
        let found = if now.seq < seen.seq {
            Some(format!("its journal ends at entry {}", now.seq))
        } else if now.seq == seen.seq {
            (now.hash != seen.hash).then(|| format!("entry {} has another hash there", now.seq))
        } else {
            let hash: Option<String> = self.ask_unchecked(&Call::JournalHash { seq: seen.seq })?;
            match hash {
                Some(hash) if hash == seen.hash => None,
                Some(_) => Some(format!("entry {} has another hash there", seen.seq)),
                None => Some(format!("it has no entry {}", seen.seq)),
            }
        };
        match found {
            Some(found) => {
                let seen = format!("{}:{}", seen.seq, seen.hash);
                let failure = self.connection.forked(&seen, &found);
                self.connection.forked = Some((seen, found));
                Err(failure)
            }
            None => {
                if now.seq > seen.seq {
                    self.connection.kept.keep_head(&self.connection.url, &now);
                }
                Ok(())
            }
        }
    }

    /// A call answered without checking the answer's journal head: the check's own questions.
    fn ask_unchecked<T: serde::de::DeserializeOwned>(&self, call: &Call) -> Result<T> {
        let body = serde_json::to_value(call).expect("a call is JSON");
        let mut response = self
            .request("call")
            .send_json(&body)
            .map_err(|err| self.connection.unreachable(err))?;
        if !response.status().is_success() {
            return Err(Failure::Unreachable {
                server: self.connection.url.clone(),
                why: format!("it did not prove its journal ({})", response.status()),
            });
        }
        response
            .body_mut()
            .read_json()
            .map_err(|err| Failure::Unreachable {
                server: self.connection.url.clone(),
                why: format!("its proof could not be read: {err}"),
            })
    }

    fn send_call(&mut self, call: &Call, key: Option<&str>) -> Result<Value> {
        if call.writes() {
            // Checked before a write leaves this computer, not only after.
            let response = self
                .request("call")
                .send_json(serde_json::to_value(Call::JournalHead).expect("a call is JSON"))
                .map_err(|err| self.connection.unreachable(err))?;
            let _: Value = self.answer_json(response)?;
        }
        let mut request = self.request("call");
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let body = serde_json::to_value(call)
            .map_err(|err| Failure::Internal(format!("a call: {err}")))?;
        let response = request
            .send_json(&body)
            .map_err(|err| self.connection.unreachable(err))?;
        self.answer_json(response)
    }
}

fn head_of(response: &Response<ureq::Body>) -> Option<Head> {
    response
        .headers()
        .get("azukari-journal-head")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Head>().ok())
}

impl Office for Remote {
    fn place(&self) -> Place {
        Place::Server {
            url: self.connection.url.clone(),
        }
    }

    fn session(&self) -> &Session {
        self.session.as_ref().expect("set by login or resume")
    }

    fn call(&mut self, call: Call) -> Result<Value> {
        self.send_call(&call, None)
    }

    fn call_once(&mut self, key: &str, call: Call) -> Result<Value> {
        self.send_call(&call, Some(key))
    }

    fn import(
        &mut self,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
        options: ImportOptions,
    ) -> Result<ImportSummary> {
        let kind = match kind {
            ImportKind::Assets => "assets",
            ImportKind::People => "people",
        };
        let response = self
            .request("import")
            .query("kind", kind)
            .query("file_name", file_name)
            .query("dry_run", if options.dry_run { "true" } else { "false" })
            .query(
                "add_organisations",
                if options.add_organisations {
                    "true"
                } else {
                    "false"
                },
            )
            .content_type("application/octet-stream")
            .send(bytes)
            .map_err(|err| self.connection.unreachable(err))?;
        self.answer_json(response)
    }

    fn print(
        &mut self,
        request: &PrintRequest,
        _font: Option<&str>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Printed> {
        let body = serde_json::to_value(request)
            .map_err(|err| Failure::Internal(format!("a print request: {err}")))?;
        let response = self
            .request("print")
            .send_json(&body)
            .map_err(|err| self.connection.unreachable(err))?;
        let (headers, bytes) = self.download(response)?;
        let rows = headers
            .get("azukari-rows")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let file_name = headers
            .get("azukari-file-name-hex")
            .and_then(|v| hex::decode(v.as_bytes()).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
        progress(1, 1);
        Ok(Printed {
            bytes,
            rows,
            file_name,
        })
    }

    fn backup(&mut self, out: &Path) -> Result<()> {
        let response = self
            .request("backup")
            .send_empty()
            .map_err(|err| self.connection.unreachable(err))?;
        let (_, bytes) = self.download(response)?;
        azukari_api::private::write_private(out, &bytes).map_err(|source| {
            Failure::Store(azukari_api::StoreError::Io {
                path: out.to_path_buf(),
                source,
            })
        })
    }
}
