//! `azukari serve`: the api over HTTP(S) for every desk of an office. Each request is resumed
//! from its bearer token and answered by the same `Desk` and [`azukari_api::dispatch`] the
//! embedded store uses, with the server's clock: permissions and scoped reads are decided here,
//! inside the write transaction, as on one computer. What crosses the wire is documented in
//! ARCHITECTURE.md ("The office server").

mod desks;
mod limits;
mod wire;

use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::RustlsAcceptor;
use azukari_api::checkpoint::CheckpointSigner;
use azukari_api::{Clock, Desk, Failure, SessionLimits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use wire::{PROTOCOL, PROTOCOL_HEADER};

/// How the server runs.
pub struct Config {
    pub listen: SocketAddr,
    pub store: PathBuf,
    /// PEM certificate chain and private key; without them only a loopback address is served.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub sessions: SessionLimits,
    /// A request taking longer is answered `timeout` and its work left to finish or roll back.
    pub request_timeout: Duration,
    /// The largest register file an import takes, in bytes.
    pub import_limit: u64,
    /// A font to print with first (PATH, PATH#INDEX or PATH#FAMILY), on the server.
    pub font: Option<String>,
    /// The one clock of every write.
    pub clock: Clock,
    /// Connections for reads beside the one that writes.
    pub readers: usize,
    /// Signs the journal head on every custody ledger, on request, and every
    /// `checkpoint_every`; without it the server signs nothing.
    pub checkpoints: Option<Arc<CheckpointSigner>>,
    /// How often the head is verified and signed, when it moved; the first time at start.
    pub checkpoint_every: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            // A connection string without its password.
            .field("store", &azukari_api::Location::of(&self.store).shown())
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "plain HTTP is served only on a loopback address (127.0.0.1, ::1); give --cert and --key to serve {0}"
    )]
    PlainHttpOffLoopback(SocketAddr),
    #[error("the store: {}", .0.message(azukari_api::domain::rules::Lang::En))]
    Store(#[from] Failure),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The running server's state, shared by every request.
pub(crate) struct Office {
    pub desks: desks::Desks,
    pub config: Config,
    pub attempts: limits::Attempts,
    /// Long work (a ledger's PDF, a backup) runs at most on half the cores, in the order it
    /// was asked for (tokio's semaphore is fair): five ledgers printed at once would otherwise
    /// take every core for seconds, and every page and write would wait behind them.
    pub long_work: Arc<tokio::sync::Semaphore>,
    /// Password checks (Argon2: 19 MiB and tens of milliseconds each) run one a core, in
    /// turn: a morning's logins all at once would otherwise each take their memory together.
    pub password_checks: Arc<tokio::sync::Semaphore>,
}

/// Connections waiting to be accepted. The standard library listens with 128: a thousand
/// desks coming back at once (after a restart, or the bench's clients at its start) found the
/// queue full, and some were reset. The system's own limit (`somaxconn`) still caps it.
const BACKLOG: i32 = 4096;

/// A non-blocking listening socket on `addr`, with [`BACKLOG`].
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    // As the standard library does: a restarted server binds again at once.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// Serves until `shutdown` completes; calls `ready` with the address bound (port 0 picks one).
pub async fn serve(
    config: Config,
    ready: impl FnOnce(SocketAddr, bool),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    if config.tls.is_none() && !config.listen.ip().is_loopback() {
        return Err(ServeError::PlainHttpOffLoopback(config.listen));
    }
    let tls = match &config.tls {
        Some((cert, key)) => Some(wire::tls_config(cert, key).map_err(ServeError::Tls)?),
        None => None,
    };
    let listener = listen(config.listen).map_err(|source| ServeError::Listen {
        addr: config.listen,
        source,
    })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: config.listen,
        source,
    })?;
    // Off the async threads: opening a store blocks (a PostgreSQL store's driver even
    // refuses to run on them, and to be dropped there). Last of what may fail, so no desk is
    // ever dropped on these threads.
    let (store, readers_wanted, import_limit, signer) = (
        config.store.clone(),
        config.readers.max(1),
        config.import_limit,
        config.checkpoints.clone(),
    );
    let (first, readers) = tokio::task::spawn_blocking(move || -> Result<_, ServeError> {
        let mut first = Desk::open(&store)?;
        first.quick_check()?;
        first.require_initialised()?;
        first.set_import_limit(import_limit);
        first.set_pacing(false);
        first.set_checkpoint_signer(signer.clone());
        let mut readers = Vec::new();
        for _ in 0..readers_wanted {
            let mut reader = Desk::open(&store)?;
            reader.set_import_limit(import_limit);
            reader.set_checkpoint_signer(signer.clone());
            readers.push(reader);
        }
        Ok((first, readers))
    })
    .await
    .map_err(|err| ServeError::Store(Failure::Internal(err.to_string())))??;
    let office = Arc::new(Office {
        desks: desks::Desks::new(first, readers),
        attempts: limits::Attempts::default(),
        long_work: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1)),
        )),
        password_checks: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |cores| cores.get()),
        )),
        config,
    });
    if let (Some(_), Some(every)) = (&office.config.checkpoints, office.config.checkpoint_every) {
        tokio::spawn(sign_at_intervals(office.clone(), every));
    }
    let app = wire::router(office).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        // In-flight requests finish (each is one transaction); new ones are refused.
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    ready(bound, tls.is_some());
    let served = match tls {
        Some(tls) => {
            axum_server::from_tcp(listener)
                .acceptor(RustlsAcceptor::new(tls).acceptor(NoDelayAcceptor::new()))
                .handle(handle)
                .serve(app)
                .await
        }
        None => {
            axum_server::from_tcp(listener)
                .acceptor(NoDelayAcceptor::new())
                .handle(handle)
                .serve(app)
                .await
        }
    };
    served.map_err(|source| ServeError::Listen {
        addr: bound,
        source,
    })
}

/// Every `every`, and once at start: when the head moved since the last checkpoint, the
/// store is verified on a connection of its own (in turn with other long work) and its head
/// signed and kept. A failure is logged and tried again next time; it never stops the server.
async fn sign_at_intervals(office: Arc<Office>, every: Duration) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Ok(turn) = office.long_work.clone().acquire_owned().await else {
            return;
        };
        let signing = office.clone();
        let signed = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            sign_if_moved(&signing)
        })
        .await;
        match signed {
            Ok(Ok(Some(checkpoint))) => {
                tracing::info!(head = %checkpoint.head, "checkpoint signed");
            }
            Ok(Ok(None)) => {}
            Ok(Err(failure)) => {
                tracing::error!(
                    code = failure.code(),
                    "no checkpoint signed: {}",
                    failure.message(azukari_api::domain::rules::Lang::En)
                );
            }
            Err(panic) => tracing::error!("no checkpoint signed: {panic}"),
        }
    }
}

fn sign_if_moved(office: &Office) -> Result<Option<azukari_api::checkpoint::Checkpoint>, Failure> {
    let signer = office
        .config
        .checkpoints
        .as_ref()
        .ok_or(Failure::NoCheckpointKey)?;
    let desk = office.desks.beside()?;
    let read = desk.store().read();
    let (seq, hash) = read.journal_head()?;
    if signer
        .last_signed(&read)?
        .is_some_and(|last| last.head.seq == seq && last.head.hash == hash)
    {
        return Ok(None);
    }
    desk.sign_verified_head((office.config.clock)()?).map(Some)
}
