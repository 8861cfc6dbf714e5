//! Opening a store safely, migrating it, and the one write path.

use crate::db::{Db, DbError, DbResult, Dialect, params};
use crate::private::{self, partial_path};
use crate::read::Reader;
use crate::{Result, StoreError, apply};
use azukari_domain::journal::{Entry, Form, GENESIS, canonical_json, reads_back};
use azukari_domain::{AccountId, Event, Instant};
use chrono_tz::Tz;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod embedded {
    refinery::embed_migrations!("../../schema/sqlite");
}

mod embedded_postgres {
    refinery::embed_migrations!("../../schema/postgres");
}

pub struct Store {
    db: Db,
    location: Location,
    /// The file, or the connection string without its password: what `path` shows.
    shown: PathBuf,
    /// Inside [`Store::together`]: each write is a savepoint of one shared transaction.
    together: bool,
    /// Inside [`Store::together`], the journal's head as the group has left it: under the
    /// write lock no one else appends, so the writes after the first need not read it (on
    /// PostgreSQL each read is a round trip to another process).
    group_head: Option<JournalHead>,
    /// Inside [`Store::together`], the last write's savepoint is kept: released with the
    /// next write's SAVEPOINT in one round trip, or by the COMMIT.
    release_pending: bool,
}

/// Where a store lives: a SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// A connection string (`postgres://…` or `host=… dbname=…`).
    Postgres(String),
}

impl Location {
    /// What `--store` names: `postgres://…` or `postgresql://…`, or the path of a PostgreSQL
    /// server's socket (`…/.s.PGSQL.5432`, database `azukari`), is PostgreSQL; anything else
    /// is a SQLite file.
    pub fn of(path: &Path) -> Location {
        let text = path.to_string_lossy();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Location::Postgres(text.into_owned());
        }
        let socket_port = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_prefix(".s.PGSQL."))
            .and_then(|port| port.parse::<u16>().ok());
        if let (Some(port), Some(folder)) = (socket_port, path.parent()) {
            return Location::Postgres(format!(
                "postgresql:///azukari?host={}&port={port}",
                percent_encode(&folder.display().to_string())
            ));
        }
        Location::File(path.to_path_buf())
    }

    /// What `--store` would be given to reach this store again ([`Location::of`] reads it
    /// back): the file, or the whole connection string, password and all. Never shown.
    pub fn to_path(&self) -> PathBuf {
        match self {
            Location::File(path) => path.clone(),
            Location::Postgres(url) => PathBuf::from(url),
        }
    }

    /// The location as shown to people and written in logs: a password in a connection string
    /// is left out.
    pub fn shown(&self) -> String {
        match self {
            Location::File(path) => path.display().to_string(),
            Location::Postgres(url) => hide_password(url),
        }
    }
}

/// `postgres://user:secret@host/db?password=…` as `postgres://user@host/db`: the password
/// of the authority and any `password` parameter are left out.
fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let (authority, path) =
        before_query.split_at(before_query.find('/').unwrap_or(before_query.len()));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|query| query.split('&'))
        .filter(|pair| {
            !pair
                .split('=')
                .next()
                .is_some_and(|key| key.eq_ignore_ascii_case("password"))
        })
        .collect();
    let query = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    format!("{scheme}://{authority}{path}{query}")
}

/// A path as a connection string's parameter: everything but letters, digits and `-._~/`
/// percent-encoded.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location.shown())
            .finish()
    }
}

impl AsMut<Store> for Store {
    fn as_mut(&mut self) -> &mut Store {
        self
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date: a
    /// SQLite file, or the PostgreSQL database a connection string names ([`Location::of`]).
    /// Refuses network file systems, where SQLite's locking and WAL are not safe.
    pub fn open(path: &Path) -> Result<Store> {
        match Location::of(path) {
            Location::File(path) => Store::open_file(&path),
            Location::Postgres(url) => Store::connect(&url),
        }
    }

    fn open_file(path: &Path) -> Result<Store> {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let canonical = folder.canonicalize().map_err(|source| StoreError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        // The folder as given and as resolved: a symlink or junction to a share is a share.
        if let Some(fs) = azukari_platform::share::network_location(folder, &canonical) {
            return Err(StoreError::NetworkShare {
                path: path.to_path_buf(),
                fs,
            });
        }
        private::make_store_private(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::prepare(conn, path.to_path_buf())
    }

    /// Connects to a PostgreSQL store and brings its schema up to date (schema/postgres).
    pub fn connect(url: &str) -> Result<Store> {
        let location = Location::Postgres(url.to_string());
        let mut client = crate::pg_connect::connect(url).map_err(|source| StoreError::Connect {
            location: location.shown(),
            reason: source.to_string(),
        })?;
        embedded_postgres::migrations::runner()
            .set_abort_divergent(true)
            .set_abort_missing(true)
            .set_grouped(true)
            .run(&mut client)
            .map_err(|err| StoreError::Migration(err.to_string()))?;
        Ok(Store {
            db: Db::postgres(url, client),
            shown: PathBuf::from(location.shown()),
            location,
            together: false,
            group_head: None,
            release_pending: false,
        })
    }

    /// A store that lives only in memory: for replaying the journal in `verify`.
    pub fn in_memory() -> Result<Store> {
        Store::prepare(
            Connection::open_in_memory().map_err(DbError::from)?,
            PathBuf::from(":memory:"),
        )
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Store> {
        let pragmas = |conn: &Connection| -> rusqlite::Result<()> {
            conn.busy_timeout(Duration::from_secs(5))?;
            // WAL with synchronous=FULL: a committed write survives a power cut, not only a
            // crash.
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            // 64 MiB of page cache: the register's pages stay in memory at 100,000 assets.
            conn.pragma_update(None, "cache_size", -65_536)
        };
        pragmas(&conn).map_err(DbError::from)?;
        embedded::migrations::runner()
            .set_abort_divergent(true)
            .set_abort_missing(true)
            .set_grouped(true)
            .run(&mut conn)
            .map_err(|err| StoreError::Migration(err.to_string()))?;
        Ok(Store {
            db: Db::Sqlite(conn),
            shown: path.clone(),
            location: Location::File(path),
            together: false,
            group_head: None,
            release_pending: false,
        })
    }

    /// The file of a SQLite store; for PostgreSQL, its connection string without a password.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Has PostgreSQL's planner learn the tables again (ANALYZE), as after a store was copied
    /// in: without figures it plans the register's joins as if every table were empty or
    /// huge. Autovacuum does the same later on its own; SQLite plans without them.
    pub fn refresh_statistics(&self) -> Result<()> {
        if self.dialect() == Dialect::Postgres {
            self.db.batch("ANALYZE")?;
        }
        Ok(())
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Opens a second connection to the same file: for work that runs beside the main one,
    /// such as the desktop's background `quick_check`.
    pub fn open_read_only(path: &Path) -> Result<Connection> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(
            |source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            },
        )?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(DbError::from)?;
        Ok(conn)
    }

    pub fn read(&self) -> Reader<'_> {
        Reader::new(&self.db)
    }

    /// The journal's head: inside [`Store::together`], as the group's writes have left it
    /// (no round trip to the database); otherwise read.
    pub fn journal_head(&self) -> Result<(i64, String)> {
        match &self.group_head {
            Some(head) if self.together => Ok((head.seq, head.hash.clone())),
            _ => self.read().journal_head(),
        }
    }

    /// The zone bare dates are read in; set once by `init`.
    pub fn time_zone(&self) -> Result<Tz> {
        self.read().time_zone()
    }

    /// Refuses an empty store: there is nothing to copy or serve.
    pub fn require_initialised_store(&self) -> Result<()> {
        if self.is_initialised()? {
            Ok(())
        } else {
            Err(StoreError::NotInitialised)
        }
    }

    pub fn is_initialised(&self) -> Result<bool> {
        Ok(self.read().setting("time_zone")?.is_some())
    }

    /// `PRAGMA quick_check`: fast enough to run on every open. PostgreSQL checks its own
    /// pages (and its operators run amcheck): here it only answers.
    pub fn quick_check(&self) -> Result<()> {
        match self.db.sqlite() {
            Some(conn) => check_pragma(conn, "quick_check"),
            None => Ok(self.db.batch("SELECT 1")?),
        }
    }

    /// `quick_check` on its own read-only connection, so it can run beside the main one.
    pub fn quick_check_file(path: &Path) -> Result<()> {
        match Location::of(path) {
            Location::File(path) => check_pragma(&Store::open_read_only(&path)?, "quick_check"),
            Location::Postgres(_) => Store::open(path)?.quick_check(),
        }
    }

    /// `PRAGMA integrity_check`: the full check, for verify and after a crash.
    pub fn integrity_check(&self) -> Result<()> {
        match self.db.sqlite() {
            Some(conn) => check_pragma(conn, "integrity_check"),
            None => Ok(self.db.batch("SELECT 1")?),
        }
    }

    /// Runs `work` in one write transaction: either all its events are applied and
    /// journaled, or none.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact(work, true)
    }

    /// Runs `work` exactly as [`Store::write`] does, then rolls it all back: a dry run that
    /// meets every check a real write would.
    pub fn rehearse<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact(work, false)
    }

    /// Runs `work`, in which every [`Store::write`] and [`Store::rehearse`] takes a savepoint
    /// of one shared write transaction instead of a transaction of its own, then commits
    /// them all at once: one fsync for many writes (group commit). A write refused inside
    /// `work` is rolled back to its savepoint alone. Nothing `work` wrote is durable, nor may
    /// be reported done, until this returns `Ok`; on `Err` none of it was written.
    pub fn together<H: AsMut<Store>, T>(
        holder: &mut H,
        work: impl FnOnce(&mut H) -> T,
    ) -> Result<T> {
        let store = holder.as_mut();
        // A group whose ROLLBACK failed must not make every later group fail to begin.
        store.abandon_together();
        store.db.begin_write()?;
        store.together = true;
        store.group_head = None;
        store.release_pending = false;
        let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(holder)));
        let store = holder.as_mut();
        store.together = false;
        store.group_head = None;
        store.release_pending = false;
        let value = value.unwrap_or_else(|panic| {
            store.abandon_together();
            std::panic::resume_unwind(panic)
        });
        store.db.commit().map_err(|err| {
            store.abandon_together();
            StoreError::GroupLost(err.to_string())
        })?;
        Ok(value)
    }

    fn abandon_together(&mut self) {
        if !self.db.is_autocommit() {
            // Best effort: a failed ROLLBACK leaves nothing committed either.
            let _ = self.db.rollback();
        }
    }

    fn transact<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
        commit: bool,
    ) -> Result<T, E> {
        let scope = if !self.together {
            self.db.begin_write().map_err(StoreError::from)?;
            Scope::Alone
        } else if self.db.is_autocommit() {
            // The database rolled the shared transaction back on its own (SQLite on a full
            // disk or an I/O error, PostgreSQL with its connection): a write now would commit
            // by itself, outside the group, and then be reported lost with the others.
            return Err(
                StoreError::GroupLost("the database rolled their transaction back".into()).into(),
            );
        } else {
            if std::mem::take(&mut self.release_pending) {
                self.db.release_and_savepoint()
            } else {
                self.db.savepoint()
            }
            .map_err(StoreError::from)?;
            Scope::Together
        };
        let mut writer = Writer {
            db: &self.db,
            scope,
            finished: false,
            head: JournalHead {
                seq: 0,
                hash: String::new(),
                at: None,
            },
        };
        writer.head = match (&writer.scope, &self.group_head) {
            (Scope::Together, Some(head)) => head.clone(),
            _ => journal_head(&self.db).map_err(StoreError::from)?,
        };
        if let Scope::Together = writer.scope {
            // What a write refused later leaves the journal at.
            self.group_head = Some(writer.head.clone());
        }
        let value = work(&mut writer)?;
        writer.finish(commit).map_err(StoreError::from)?;
        if let (Scope::Together, true) = (&writer.scope, commit) {
            self.group_head = Some(writer.head.clone());
            self.release_pending = true;
        }
        Ok(value)
    }

    /// Copies the store with SQLite's online backup API to `out`; a half-written backup is
    /// never left at `out` (it is written beside it and renamed).
    pub fn backup(&self, out: &Path) -> Result<()> {
        let Some(conn) = self.db.sqlite() else {
            return self.backup_by_copy(out);
        };
        let partial = partial_path(out);
        let _ = std::fs::remove_file(&partial);
        // Made private before SQLite writes a page into it.
        private::create_private_file(&partial).map_err(|source| StoreError::Io {
            path: partial.clone(),
            source,
        })?;
        conn.backup(rusqlite::MAIN_DB, &partial, None)
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })
            .map_err(DbError::from)?;
        std::fs::rename(&partial, out).map_err(|source| StoreError::Io {
            path: out.to_path_buf(),
            source,
        })
    }

    /// Makes a new store at `target` from a backup file, after checking the backup verifies.
    pub fn restore(backup: &Path, target: &Path) -> Result<Store> {
        if let Location::Postgres(url) = Location::of(target) {
            return Store::restore_into_postgres(backup, &url);
        }
        if target.exists()
            && std::fs::metadata(target)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        {
            return Err(StoreError::AlreadyExists(target.to_path_buf()));
        }
        let source = open_backup(backup)?;
        let partial = partial_path(target);
        let _ = std::fs::remove_file(&partial);
        private::create_private_file(&partial).map_err(|source| StoreError::Io {
            path: partial.clone(),
            source,
        })?;
        source
            .backup(rusqlite::MAIN_DB, &partial, None)
            .map_err(DbError::from)?;
        drop(source);
        let restored = Store::open(&partial)?;
        if let Err(failure) = restored.verify() {
            drop(restored);
            let _ = std::fs::remove_file(&partial);
            return Err(StoreError::BadBackup(failure.to_string()));
        }
        drop(restored);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
        std::fs::rename(&partial, target).map_err(|source| StoreError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        Store::open(target)
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// A PostgreSQL store's backup: a SQLite store file made by copying it in one snapshot
    /// ([`Store::copy_into`]), which verifies with the same head and restores into either
    /// engine. Written beside `out` and renamed, as a SQLite backup is.
    fn backup_by_copy(&self, out: &Path) -> Result<()> {
        let partial = partial_path(out);
        for leftover in [partial.clone(), wal_of(&partial), shm_of(&partial)] {
            let _ = std::fs::remove_file(leftover);
        }
        private::create_private_file(&partial).map_err(|source| StoreError::Io {
            path: partial.clone(),
            source,
        })?;
        let copied = Store::open_file(&partial).and_then(|mut copy| {
            self.copy_into(&mut copy)
                .map_err(|failure| StoreError::Copy(Box::new(failure)))?;
            // The last connection to close folds the WAL into the file.
            drop(copy);
            Ok(())
        });
        if let Err(err) = copied {
            for leftover in [partial.clone(), wal_of(&partial), shm_of(&partial)] {
                let _ = std::fs::remove_file(leftover);
            }
            return Err(err);
        }
        std::fs::rename(&partial, out).map_err(|source| StoreError::Io {
            path: out.to_path_buf(),
            source,
        })
    }

    /// Restores a backup file into a new, empty PostgreSQL database: the backup is checked
    /// and verified first, read as it is (never changed), and copied by replaying its journal.
    fn restore_into_postgres(backup: &Path, url: &str) -> Result<Store> {
        let conn = open_backup(backup)?;
        let source = Store {
            db: Db::Sqlite(conn),
            location: Location::File(backup.to_path_buf()),
            shown: backup.to_path_buf(),
            together: false,
            group_head: None,
            release_pending: false,
        };
        let mut target = Store::connect(url)?;
        source
            .copy_into(&mut target)
            .map_err(|failure| match failure {
                crate::CopyFailure::SourceDoesNotVerify(reason) => StoreError::BadBackup(reason),
                other => StoreError::Copy(Box::new(other)),
            })?;
        Ok(target)
    }

    /// The connection itself: for tests and tools that read what the store is made of (its
    /// schema), never for writing around [`Store::write`].
    pub fn database(&self) -> &Db {
        &self.db
    }
}

/// A backup file opened read-only, after SQLite's full check of its pages: never changed by
/// being restored from.
fn open_backup(backup: &Path) -> Result<Connection> {
    let conn = Store::open_read_only(backup)?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|err| StoreError::BadBackup(format!("{}: {err}", backup.display())))?;
    if check != "ok" {
        return Err(StoreError::BadBackup(check));
    }
    Ok(conn)
}

fn wal_of(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

fn shm_of(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-shm", path.display()))
}

fn check_pragma(conn: &Connection, pragma: &str) -> Result<()> {
    let lines = || -> rusqlite::Result<Vec<String>> {
        let mut statement = conn.prepare(&format!("PRAGMA {pragma}"))?;
        statement.query_map([], |row| row.get(0))?.collect()
    };
    let lines = lines().map_err(DbError::from)?;
    if lines == ["ok"] {
        Ok(())
    } else {
        Err(StoreError::Integrity(lines.join("; ")))
    }
}

/// The last entry a new one chains to.
#[derive(Clone)]
struct JournalHead {
    seq: i64,
    hash: String,
    /// Absent before the first entry.
    at: Option<String>,
}

fn journal_head(db: &Db) -> DbResult<JournalHead> {
    Ok(db
        .query_opt(
            "SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1",
            params![],
            |row| {
                Ok(JournalHead {
                    seq: row.get(0)?,
                    hash: row.get(1)?,
                    at: Some(row.get(2)?),
                })
            },
        )?
        .unwrap_or_else(|| JournalHead {
            seq: 0,
            hash: GENESIS.to_string(),
            at: None,
        }))
}

/// The open write transaction. Reads see the transaction's own writes. Dropped unfinished
/// (an error, a panic), it rolls back what it wrote.
pub struct Writer<'a> {
    db: &'a Db,
    scope: Scope,
    finished: bool,
    head: JournalHead,
}

/// A write's own transaction, or its savepoint in a shared one ([`Store::together`]).
enum Scope {
    Alone,
    Together,
}

impl Writer<'_> {
    fn finish(&mut self, commit: bool) -> DbResult<()> {
        self.finished = true;
        match (&self.scope, commit) {
            (Scope::Alone, true) => self.db.commit(),
            (Scope::Alone, false) => self.db.rollback(),
            // Released with the next write's savepoint, or by the group's COMMIT.
            (Scope::Together, true) => Ok(()),
            (Scope::Together, false) => self.db.rollback_to_savepoint(),
        }
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Best effort: a failed rollback leaves the transaction uncommitted all the same.
            let _ = self.finish(false);
        }
    }
}

impl Writer<'_> {
    pub fn read(&self) -> Reader<'_> {
        Reader::new(self.db)
    }

    pub(crate) fn db(&self) -> &Db {
        self.db
    }

    /// The next free id of a table, assigned here so that the event carries it. Free because
    /// writes are serialised ([`Db::begin_write`]): no other writer takes it meanwhile.
    pub fn next_id(&self, table: IdTable) -> Result<i64> {
        let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", table.name());
        Ok(self.db.query_row(&sql, params![], |row| row.get(0))?)
    }

    /// Applies the event to the state tables and appends it to the journal; returns its
    /// sequence number. Refuses an entry earlier than the one before it (a clock set back),
    /// and an event whose canonical JSON would not read back to the same event.
    pub fn apply(&mut self, event: &Event, actor: Option<AccountId>, at: Instant) -> Result<i64> {
        let at_text = at.to_rfc3339();
        if let Some(head_at) = &self.head.at
            && at_text < *head_at
        {
            return Err(StoreError::ClockBehind {
                at: at_text,
                head_at: head_at.clone(),
            });
        }
        let canonical = canonical_json(event);
        if !reads_back(event, &canonical) {
            return Err(StoreError::UnreadableEvent(canonical));
        }
        apply::apply_event(self.db, event)?;
        let seq = self.head.seq + 1;
        let hash = Entry {
            seq,
            at,
            actor,
            event: &canonical,
            form: Form::CURRENT,
        }
        .hash(&self.head.hash);
        self.db.execute(
            "INSERT INTO journal (seq, at, actor, event, prev_hash, hash, form)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                seq,
                at_text,
                actor.map(|a| a.0),
                canonical,
                self.head.hash,
                hash,
                Form::CURRENT.number()
            ],
        )?;
        self.head = JournalHead {
            seq,
            hash,
            at: Some(at_text),
        };
        Ok(seq)
    }

    /// Keeps an account's password hash beside the state tables. Call it in the transaction
    /// that applies the [`Event::PasswordSet`] it belongs to, never on its own: the journal
    /// records that a password was set, by whom and when, and this is the secret it set.
    pub fn keep_password_hash(&mut self, account: AccountId, hash: &str) -> Result<()> {
        self.db.execute(
            "INSERT INTO credentials (account_id, password_hash) VALUES (?1, ?2)
             ON CONFLICT (account_id) DO UPDATE SET password_hash = excluded.password_hash",
            params![account.0, hash],
        )?;
        Ok(())
    }
}

/// Tables whose ids the store assigns.
#[derive(Debug, Clone, Copy)]
pub enum IdTable {
    Organisations,
    Sites,
    People,
    Accounts,
    Assets,
    Loans,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Organisations => "organisations",
            IdTable::Sites => "sites",
            IdTable::People => "people",
            IdTable::Accounts => "accounts",
            IdTable::Assets => "assets",
            IdTable::Loans => "loans",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_is_shown_without_its_password_and_read_back_whole() {
        for (given, shown) in [
            (
                "postgres://azukari:s3cret@db.example/azukari",
                "postgres://azukari@db.example/azukari",
            ),
            (
                "postgresql://azukari@db/azukari?password=s3cret&sslmode=require",
                "postgresql://azukari@db/azukari?sslmode=require",
            ),
            (
                "postgresql://u:p%40ss@/t1?host=/tmp/x&PASSWORD=again",
                "postgresql://u@/t1?host=/tmp/x",
            ),
        ] {
            let location = Location::of(Path::new(given));
            assert_eq!(location.shown(), shown);
            assert!(!location.shown().contains("s3cret") && !location.shown().contains("again"));
            assert_eq!(
                Location::of(&location.to_path()),
                location,
                "read back whole"
            );
        }
        let socket = Location::of(Path::new("/var/run/post gresql/.s.PGSQL.5433"));
        assert_eq!(
            socket,
            Location::Postgres(
                "postgresql:///azukari?host=/var/run/post%20gresql&port=5433".into()
            )
        );
        assert_eq!(Location::of(&socket.to_path()), socket);
        assert_eq!(
            Location::of(Path::new("office.db")),
            Location::File(PathBuf::from("office.db"))
        );
    }

    /// SQLite rolls a transaction back on its own after some errors (a full disk, an I/O
    /// error). A write after that, inside the group, must not commit by itself, and the
    /// group must be reported as not written.
    #[test]
    fn a_group_rolled_back_under_it_refuses_its_later_writes_and_reports_none_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let at: Instant = "2026-11-01T00:00:00Z".parse().unwrap();
        let initialise = |w: &mut Writer<'_>| {
            let event = Event::StoreInitialised {
                time_zone: "Asia/Tokyo".into(),
            };
            w.apply(&event, None, at)
        };
        let grouped = Store::together(&mut store, |store| {
            store.write(initialise).unwrap();
            // What SQLite does on SQLITE_FULL or SQLITE_IOERR.
            store.db.batch("ROLLBACK").unwrap();
            store.write(initialise)
        });
        assert!(
            matches!(grouped, Err(StoreError::GroupLost(_))),
            "{grouped:?}"
        );
        assert!(store.db.is_autocommit());
        assert_eq!(store.read().journal_head().unwrap().0, 0, "nothing written");
        // The store goes on: the next write, alone, is applied.
        assert_eq!(store.write(initialise).unwrap(), 1);
    }
}
