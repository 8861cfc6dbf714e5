//! Storage of Azukari on SQLite or PostgreSQL: opening, migrations, state tables, the journal,
//! verify, backup.
//!
//! The only crate that knows SQL. Everything above it speaks in domain events and views; both
//! engines run the same statements through [`db::Db`]. Every change enters through
//! [`Writer::apply`], which updates the state tables and appends the hash-chained journal entry
//! in one write transaction.

mod apply;
mod copy;
pub mod db;
mod open;
mod pg_connect;
pub mod private;
mod read;
mod sessions;
mod verify;

pub use copy::CopyFailure;
pub use db::{DbError, Dialect};
pub use open::{IdTable, Location, Store, Writer};
pub use read::Reader;
pub use sessions::ServerSession;
pub use verify::{VerifyFailure, VerifyReport, expected_postgres_outline, postgres_outline};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store is on a network file system or share ({fs}): {path}. SQLite cannot lock files there safely; choose a local folder"
    )]
    NetworkShare { path: PathBuf, fs: String },
    #[error("cannot open the store {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the store's schema history does not match this version of Azukari: {0}")]
    Migration(String),
    #[error("the store failed its integrity check: {0}")]
    Integrity(String),
    #[error("the store is not initialised yet: run `azukari init` first")]
    NotInitialised,
    #[error("{0} exists already and holds a store; restore into a new path")]
    AlreadyExists(PathBuf),
    #[error("the backup does not verify: {0}")]
    BadBackup(String),
    #[error(
        "the clock says {at}, earlier than the last journal entry ({head_at}): set the computer's clock right, then try again"
    )]
    ClockBehind { at: String, head_at: String },
    #[error("an event that would not read back from the journal was refused: {0}")]
    UnreadableEvent(String),
    #[error(
        "the store could not commit this write with the ones beside it ({0}); none of them was written: try again"
    )]
    GroupLost(String),
    #[error("cannot reach the store {location}: {reason}")]
    Connect { location: String, reason: String },
    #[error(transparent)]
    Copy(Box<CopyFailure>),
    #[error("database: {0}")]
    Database(#[from] DbError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
