//! The HTTP face: routes, the bearer token, the protocol version, errors as `Answered` JSON.

use crate::Office;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use azukari_api::domain::rules::Refusal;
use azukari_api::{
    Answered, Call, CheckedPassword, Desk, Failure, ImportKind, ImportOptions, PrintRequest,
    Session, SessionToken, dispatch,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The protocol a client speaks, sent on every request; a server answers only its own.
pub const PROTOCOL: &str = "1";
pub const PROTOCOL_HEADER: &str = "azukari-protocol";
/// The journal's head after the request, on every answer to a logged-in request.
const HEAD_HEADER: &str = "azukari-journal-head";
const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// A call's JSON is small; only an import carries a file.
const CALL_BODY_LIMIT: usize = 1024 * 1024;

/// A failure as an HTTP answer: the status says what kind, the body says exactly what.
struct Refused(Failure);

impl From<Failure> for Refused {
    fn from(failure: Failure) -> Refused {
        Refused(failure)
    }
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Refused {
        Refused(refusal.into())
    }
}

fn status_of(code: &str) -> StatusCode {
    match code {
        "not_logged_in" | "session_expired" | "session_ended" | "wrong_password" => {
            StatusCode::UNAUTHORIZED
        }
        "forbidden" | "account_disabled" | "password_change_required" => StatusCode::FORBIDDEN,
        "account_locked" => StatusCode::LOCKED,
        "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        "not_found" | "unknown_route" => StatusCode::NOT_FOUND,
        "duplicate" | "conflict" | "clock_behind" | "ambiguous" => StatusCode::CONFLICT,
        "body_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "unsupported_version" | "malformed_request" => StatusCode::BAD_REQUEST,
        "internal" | "ledger_failed" | "verify_failed" => StatusCode::INTERNAL_SERVER_ERROR,
        // Written by none of a group whose commit failed: the same request may be sent again.
        "timeout" | "not_written" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        if let Failure::Internal(why) = &self.0 {
            tracing::error!("internal error: {why}");
        }
        let answered = self.0.to_answered();
        let mut response = (status_of(&answered.code), Json(&answered)).into_response();
        if let Failure::Refused(Refusal::TooManyAttempts { seconds }) = &self.0 {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
        }
        response
    }
}

fn answered(code: &str, en: &str, ja: &str) -> Refused {
    Refused(Failure::Answered(Answered::new(code, en, ja)))
}

fn malformed(why: impl std::fmt::Display) -> Refused {
    answered(
        "malformed_request",
        &format!("the request is not one the office server reads: {why}"),
        &format!("サーバーが読めない要求です: {why}"),
    )
}

/// A body refused by its size, or one that could not be read.
fn unread(rejection: BytesRejection) -> Refused {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        body_too_large()
    } else {
        malformed(rejection.body_text())
    }
}

fn body_too_large() -> Refused {
    answered(
        "body_too_large",
        "the request is larger than the office server takes",
        "要求が大きすぎるため、サーバーが受け付けません",
    )
}

/// An import's file over the limit, in the words a local import uses.
fn file_too_large(office: &Office) -> Refused {
    Refused(azukari_api::import::too_large(office.config.import_limit))
}

type Answer = Result<Response, Refused>;

pub(crate) fn router(office: Arc<Office>) -> Router<()> {
    let import_limit = usize::try_from(office.config.import_limit)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let timeout = office.config.request_timeout;
    let files = office.clone();
    let authorization = HeaderName::from_static("authorization");
    Router::new()
        .route("/api/v1/status", get(status))
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route(
            "/api/v1/call",
            post(call).layer(axum::middleware::from_fn(|request, next| {
                announced_within(CALL_BODY_LIMIT as u64, body_too_large, request, next)
            })),
        )
        .route(
            "/api/v1/import",
            post(import)
                .layer(DefaultBodyLimit::max(import_limit))
                .layer(axum::middleware::from_fn(move |request, next| {
                    let too_large = file_too_large(&files);
                    announced_within(files.config.import_limit, || too_large, request, next)
                })),
        )
        .route("/api/v1/print", post(print))
        .route("/api/v1/backup", post(backup))
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(CALL_BODY_LIMIT))
        .with_state(office)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // Tokens never reach a log line.
        .layer(SetSensitiveRequestHeadersLayer::new([authorization]))
}

/// A body whose announced length is over `limit` is refused before a byte of it is read
/// (a body without a length is still cut at the limit as it is read).
async fn announced_within(
    limit: u64,
    too_large: impl FnOnce() -> Refused,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit) {
        return too_large().into_response();
    }
    next.run(request).await
}

async fn unknown_route() -> Refused {
    answered(
        "unknown_route",
        "the office server has no such address; is the client newer than the server?",
        "サーバーにそのアドレスはありません。クライアントがサーバーより新しい可能性があります",
    )
}

/// What anyone may ask before logging in: who answers, and which protocol it speaks.
#[derive(Debug, Serialize, Deserialize)]
pub struct Status {
    pub server: String,
    pub version: String,
    pub protocol: String,
    pub time_zone: Option<String>,
}

async fn status(State(office): State<Arc<Office>>) -> Answer {
    let time_zone = office
        .desks
        .read(|desk| Ok(desk.status()?.time_zone))
        .await?;
    Ok(Json(Status {
        server: "azukari".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: PROTOCOL.into(),
        time_zone,
    })
    .into_response())
}

fn check_protocol(headers: &HeaderMap) -> Result<(), Refused> {
    match headers.get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()) {
        Some(PROTOCOL) => Ok(()),
        other => Err(answered(
            "unsupported_version",
            &format!(
                "this office server speaks protocol {PROTOCOL}; the client sent {}: use the same Azukari version on both",
                other.unwrap_or("none")
            ),
            &format!(
                "このサーバーの通信方式は {PROTOCOL} ですが、クライアントは {} を使っています。サーバーと同じ版の Azukari を使ってください",
                other.unwrap_or("なし")
            ),
        )),
    }
}

/// The token of a logged-in client's request, its protocol checked first: every route but
/// the status and login takes one.
struct Bearer(SessionToken);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Bearer {
    type Rejection = Refused;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Bearer, Refused> {
        check_protocol(&parts.headers)?;
        let text = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Refusal::NotLoggedIn)?;
        Ok(Bearer(SessionToken::parse(text)?))
    }
}

/// Runs store work off the async threads: SQLite and Argon2 block.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Refused> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Refused(Failure::Internal(format!("a request's work: {err}"))))?
        .map_err(Refused)
}

/// Long work (a ledger, a backup) on a thread of its own at a lower scheduling priority: the
/// pages and writes that arrive meanwhile get the cores first, and the long work takes what
/// they leave. A thread of its own because a lowered thread cannot be raised again, and the
/// blocking pool's threads go on to serve logins and imports.
async fn in_the_background<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Refused> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("azukari-long-work".into())
        .spawn(move || {
            if let Err(why) = azukari_platform::priority::lower_this_thread() {
                tracing::warn!("long work at normal priority: {why}");
            }
            let _ = answer.send(work());
        })
        .map_err(|err| Refused(Failure::Internal(format!("a thread for long work: {err}"))))?;
    answered
        .await
        .map_err(|_| {
            Refused(Failure::Internal(
                "long work ended without an answer".into(),
            ))
        })?
        .map_err(Refused)
}

/// A turn at long work, moved into the work and held until it is done: a request that times
/// out while its work runs on still holds the core it uses; one that times out waiting gives
/// its turn up unused.
async fn long_work_turn(office: &Office) -> Result<tokio::sync::OwnedSemaphorePermit, Refused> {
    office
        .long_work
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Refused(crate::desks::closing()))
}

fn now(office: &Office) -> Result<azukari_api::domain::Instant, Failure> {
    (office.config.clock)()
}

/// The session of this request, resumed on `desk`, with the account as it is now.
fn resume(office: &Office, desk: &Desk, token: &SessionToken) -> Result<Session, Failure> {
    resume_at(office, desk, token, now(office)?)
}

fn resume_at(
    office: &Office,
    desk: &Desk,
    token: &SessionToken,
    now: azukari_api::domain::Instant,
) -> Result<Session, Failure> {
    desk.resume_session(token, now, office.config.sessions)
}

/// The journal's head as the desk sees it, for the client to keep and check the next
/// answer against; on the writer just after a write, it is that write's head (as the group
/// has left it, without asking the database again).
fn head_of(desk: &Desk) -> Option<HeaderValue> {
    let (seq, hash) = desk.store().journal_head().ok()?;
    HeaderValue::from_str(&format!("{seq}:{hash}")).ok()
}

fn with_head(head: Option<HeaderValue>, mut response: Response) -> Response {
    if let Some(value) = head {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEAD_HEADER), value);
    }
    response
}

/// An answer already written as JSON, sent as it is.
fn json_text(answer: Box<RawValue>) -> Response {
    let text: Box<str> = answer.into();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        String::from(text),
    )
        .into_response()
}

fn json_of<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Refused> {
    serde_json::from_slice(body).map_err(malformed)
}

#[derive(Deserialize)]
pub struct LoginRequest {
    login: String,
    password: String,
    device: String,
}

#[derive(Serialize)]
pub struct LoginAnswer {
    token: String,
    session: Session,
}

async fn login(
    State(office): State<Arc<Office>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    check_protocol(&headers)?;
    let request: LoginRequest = json_of(&body.map_err(unread)?)?;
    // No login is this long (rules::login); a longer one is no account, and is not counted
    // either: the limits' memory holds only names of a sensible size.
    if request.login.len() > 256 {
        return Err(Refusal::WrongPassword.into());
    }
    office
        .attempts
        .admit(peer.ip(), &request.login, std::time::Instant::now())
        .map_err(|seconds| Refusal::TooManyAttempts { seconds })?;
    let began = std::time::Instant::now();
    // The password is checked against the hash read on a reader: Argon2's tens of milliseconds
    // hold up neither pages nor writes, and a morning's logins run on every core rather than
    // one after another on the writer. The hash is read before the turn is taken, so a turn
    // is held only while its check runs; a hash changed meanwhile is caught by the writer.
    let asked = request.login.clone();
    let hash = office
        .desks
        .read(move |desk| desk.password_hash_of(&asked))
        .await?;
    let turn = office
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Refused(crate::desks::closing()))?;
    blocking(move || {
        let checked = CheckedPassword::check(&request.login, hash, &request.password);
        drop(turn);
        // Logging in may journal a failure: it goes through the one writer, which is let go
        // before a refusal is made to wait, so a stream of wrong passwords does not hold it.
        let (login, device) = (request.login.clone(), request.device.clone());
        let writing = office.clone();
        let started = office.desks.write_blocking(move |desk| {
            let now = now(&writing)?;
            let started = desk.start_session(
                &request.login,
                &request.password,
                Some(&checked),
                &request.device,
                now,
                writing.config.sessions,
            )?;
            Ok((started, head_of(desk)))
        });
        let ((token, session), head) = match started {
            Ok(started) => started,
            Err(failure) => {
                office
                    .attempts
                    .refused(peer.ip(), &login, std::time::Instant::now());
                let refused = Err(failure);
                azukari_api::pace_refusal(began, &refused);
                return refused;
            }
        };
        tracing::info!(login = %session.login, %device, %peer, "session started");
        let answer = LoginAnswer {
            token: token.as_str().to_string(),
            session,
        };
        Ok(with_head(head, Json(answer).into_response()))
    })
    .await
}

async fn logout(State(office): State<Arc<Office>>, Bearer(token): Bearer) -> Answer {
    blocking(move || {
        // A write: on the writer, not on a reader waiting for the write lock.
        let writing = office.clone();
        office
            .desks
            .write_blocking(move |desk| desk.end_session(&token, now(&writing)?))?;
        Ok(Json(serde_json::json!({})).into_response())
    })
    .await
}

async fn call(
    State(office): State<Arc<Office>>,
    Bearer(token): Bearer,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let call: Call = json_of(&body.map_err(unread)?)?;
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| malformed("the idempotency key is not ASCII"))?;
    // A read sent with a key is answered as a read: it has nothing to apply once.
    if !call.writes() {
        let reading = office.clone();
        let (answer, head) = office
            .desks
            .read(move |desk| {
                let now = now(&reading)?;
                let session = resume_at(&reading, desk, &token, now)?;
                let answer = dispatch(desk, &session, now, call)?;
                Ok((answer, head_of(desk)))
            })
            .await?;
        return Ok(with_head(head, json_text(answer)));
    }
    let began = std::time::Instant::now();
    let checks_password = call.checks_password();
    let writing = office.clone();
    let written = office
        .desks
        .write(move |desk| {
            // Read on the writer, in turn: the journal's instants never go back.
            let now = now(&writing)?;
            // The session too, inside the write's transaction: a write never waits for a
            // reader busy with a long page, and a session ended a moment ago is seen.
            let session = resume_at(&writing, desk, &token, now)?;
            let answer: Box<RawValue> = match &key {
                Some(key) => desk.once(key, now, |desk| dispatch(desk, &session, now, call))?,
                None => dispatch(desk, &session, now, call)?,
            };
            if checks_password {
                // The one call that checks a password is the change of one's own. In the
                // same transaction as the new password, whoever held the old one (a
                // session opened on a lost laptop) is logged out by the change.
                desk.end_other_sessions(&session, &token, now)?;
            }
            Ok((answer, head_of(desk)))
        })
        .await;
    let written = if checks_password {
        // A wrong current password is paced here, after the writer is let go (the writer's
        // desk does not pace), so it holds no group of writes while it waits.
        blocking(move || {
            azukari_api::pace_refusal(began, &written);
            Ok(written)
        })
        .await?
    } else {
        written
    };
    let (answer, head) = written?;
    Ok(with_head(head, json_text(answer)))
}

#[derive(Deserialize)]
struct ImportQuery {
    kind: ImportKind,
    file_name: String,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    add_organisations: bool,
}

async fn import(
    State(office): State<Arc<Office>>,
    Bearer(token): Bearer,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let Query(query) = query.map_err(|err| malformed(err.body_text()))?;
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            file_too_large(&office)
        } else {
            unread(rejection)
        }
    })?;
    blocking(move || {
        let writing = office.clone();
        let (summary, head) = office.desks.write_blocking(move |desk| {
            let now = now(&writing)?;
            let session = resume_at(&writing, desk, &token, now)?;
            let summary = desk.import(
                &session,
                query.kind,
                &query.file_name,
                &bytes,
                ImportOptions {
                    dry_run: query.dry_run,
                    add_organisations: query.add_organisations,
                },
                now,
            )?;
            Ok((summary, head_of(desk)))
        })?;
        Ok(with_head(head, Json(summary).into_response()))
    })
    .await
}

/// A rendered ledger: its bytes, and its row count and suggested name in headers.
async fn print(
    State(office): State<Arc<Office>>,
    Bearer(token): Bearer,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let request: PrintRequest = json_of(&body.map_err(unread)?)?;
    let turn = long_work_turn(&office).await?;
    in_the_background(move || {
        let _turn = turn;
        // A ledger of 100,000 rows takes seconds: on a connection of its own, so the readers
        // stay free for pages and for resuming sessions meanwhile.
        let desk = office.desks.beside()?;
        let session = resume(&office, &desk, &token)?;
        let printed = desk.print(
            &session,
            &request,
            office.config.font.as_deref(),
            now(&office)?,
            &mut |_, _| {},
        )?;
        let mut response = Response::new(Body::from(printed.bytes));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        headers.insert("azukari-rows", HeaderValue::from(printed.rows));
        if let Ok(name) = HeaderValue::from_str(&hex::encode(printed.file_name.as_bytes())) {
            headers.insert("azukari-file-name-hex", name);
        }
        Ok(with_head(head_of(&desk), response))
    })
    .await
}

/// A copy of the whole store as one SQLite file ([`azukari_api::Desk::backup`]), made into a
/// private temporary file and sent.
async fn backup(State(office): State<Arc<Office>>, Bearer(token): Bearer) -> Answer {
    let turn = long_work_turn(&office).await?;
    in_the_background(move || {
        let _turn = turn;
        let desk = office.desks.beside()?;
        let session = resume(&office, &desk, &token)?;
        // Beside a SQLite store (the same disk, as private as the store); for a PostgreSQL
        // store, in a private temporary folder of this computer's.
        let scratch;
        let folder = match azukari_api::Location::of(&office.config.store) {
            azukari_api::Location::File(path) => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."))
                .to_path_buf(),
            azukari_api::Location::Postgres(_) => {
                scratch = tempfile::Builder::new()
                    .prefix("azukari-backup-")
                    .tempdir()
                    .map_err(|err| Failure::Internal(format!("a backup's folder: {err}")))?;
                scratch.path().to_path_buf()
            }
        };
        let out = folder.join(format!(
            ".azukari-backup-{}",
            hex::encode(rand::random::<[u8; 8]>())
        ));
        let copied = desk.backup(&session, &out).and_then(|()| {
            std::fs::read(&out).map_err(|err| Failure::Internal(format!("a backup: {err}")))
        });
        let _ = std::fs::remove_file(&out);
        let bytes = copied?;
        let mut response = Response::new(Body::from(bytes));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.sqlite3"),
        );
        Ok(with_head(head_of(&desk), response))
    })
    .await
}

/// The TLS configuration from PEM files: rustls with ring, TLS 1.2 and 1.3.
pub(crate) fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<axum_server::tls_rustls::RustlsConfig, String> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))
    };
    let certs = rustls_pemfile::certs(&mut read(cert)?.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("{}: {err}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", cert.display()));
    }
    let key_der = rustls_pemfile::private_key(&mut read(key)?.as_slice())
        .map_err(|err| format!("{}: {err}", key.display()))?
        .ok_or_else(|| format!("{}: no private key in it", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| err.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|err| format!("{} and {}: {err}", cert.display(), key.display()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(
        Arc::new(config),
    ))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use azukari_platform::priority::{LONG_WORK_NICE, this_threads_nice};

    #[tokio::test]
    async fn long_work_runs_below_the_pages_and_leaves_the_pool_as_it_was() {
        let normal = this_threads_nice().unwrap();
        let long_work = in_the_background(|| this_threads_nice().map_err(Failure::Internal))
            .await
            .map_err(|Refused(failure)| failure)
            .unwrap();
        assert_eq!(long_work, LONG_WORK_NICE.max(normal));
        let page = blocking(|| this_threads_nice().map_err(Failure::Internal))
            .await
            .map_err(|Refused(failure)| failure)
            .unwrap();
        assert_eq!(
            page, normal,
            "the threads that serve pages keep their priority"
        );
    }
}
