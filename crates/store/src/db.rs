//! The two engines a store runs on, behind one connection type: SQLite (a file, the desktop's
//! and a small office's store) and PostgreSQL (an office server's, on the database its IT
//! department already runs).
//!
//! The store's SQL is written once, for both. Statements use SQLite's numbered marks (`?1`),
//! which [`Db`] rewrites to PostgreSQL's (`$1`); the few places where the dialects differ
//! (a function's name, an index hint) ask [`Db::dialect`]. Values cross as [`Value`], the
//! four types the schema uses (booleans are 0/1 integers on both engines), so every read and
//! every write is one code path: what passes on one engine was run on the other too.

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Which SQL a statement must be written in, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value as both engines store it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("column {column}: {message}")]
    Conversion { column: usize, message: String },
    #[error("the query returned no rows")]
    NoRows,
    #[error(
        "a statement of this transaction failed, so PostgreSQL abandoned all of it: nothing of it was written"
    )]
    Abandoned,
    /// TLS to the PostgreSQL server as the connection string asks cannot be set up.
    #[error("TLS: {0}")]
    Tls(String),
}

/// PostgreSQL's own words (with the constraint or trigger they name), not the driver's "db
/// error" that hides them.
fn postgres_message(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        // The driver's words hide the cause ("error performing TLS handshake"): add it.
        None => {
            let mut message = err.to_string();
            let mut cause = std::error::Error::source(err);
            while let Some(inner) = cause {
                let text = inner.to_string();
                if !message.contains(&text) {
                    message.push_str(": ");
                    message.push_str(&text);
                }
                cause = inner.source();
            }
            message
        }
    }
}

impl DbError {
    /// The connection itself is gone (the server restarted, the network dropped): what a
    /// reconnect can mend, unlike a refused statement.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            DbError::Postgres(err) => {
                err.is_closed()
                    || std::error::Error::source(err)
                        .is_some_and(|source| source.is::<std::io::Error>())
                    || err.as_db_error().is_some_and(|db| {
                        // admin_shutdown, crash_shutdown, cannot_connect_now
                        matches!(db.code().code(), "57P01" | "57P02" | "57P03")
                    })
            }
            _ => false,
        }
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// What may be bound to a statement's mark.
pub trait Param {
    fn value(&self) -> Value;
}

impl Param for Value {
    fn value(&self) -> Value {
        self.clone()
    }
}
impl Param for i64 {
    fn value(&self) -> Value {
        Value::Integer(*self)
    }
}
impl Param for i32 {
    fn value(&self) -> Value {
        Value::Integer((*self).into())
    }
}
impl Param for u32 {
    fn value(&self) -> Value {
        Value::Integer((*self).into())
    }
}
impl Param for bool {
    fn value(&self) -> Value {
        Value::Integer((*self).into())
    }
}
impl Param for str {
    fn value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl Param for String {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}
impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}

/// The marks of a statement, in order: `params![a, b]`.
#[macro_export]
#[doc(hidden)]
macro_rules! params {
    ($($param:expr),* $(,)?) => {
        &[$(&$param as &dyn $crate::db::Param),*] as &[&dyn $crate::db::Param]
    };
}
pub(crate) use params;

/// The marks of a statement from a list of values made at run time.
pub fn values(values: &[Value]) -> Vec<&dyn Param> {
    values.iter().map(|v| v as &dyn Param).collect()
}

/// What a column may be read as.
pub trait FromValue: Sized {
    fn from_value(value: Value) -> Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, String> {
        Ok(value)
    }
}
impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Integer(i) => Ok(i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}
impl FromValue for u32 {
    fn from_value(value: Value) -> Result<Self, String> {
        let wide = i64::from_value(value)?;
        u32::try_from(wide).map_err(|_| format!("{wide} is out of range"))
    }
}
impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, String> {
        match i64::from_value(value)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("expected 0 or 1, found {other}")),
        }
    }
}
impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Text(text) => Ok(text),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result, from either engine.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    pub fn get<T: FromValue>(&self, column: usize) -> DbResult<T> {
        T::from_value(self.value(column)?)
            .map_err(|message| DbError::Conversion { column, message })
    }

    pub fn value(&self, column: usize) -> DbResult<Value> {
        match self {
            Row::Sqlite(row) => Ok(match row.get_ref(column)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(i) => Value::Integer(i),
                rusqlite::types::ValueRef::Real(r) => Value::Real(r),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(_) => {
                    return Err(DbError::Conversion {
                        column,
                        message: "a blob, which no column of the schema holds".into(),
                    });
                }
            }),
            Row::Postgres(row) => {
                let ty = row.columns()[column].type_();
                let value = if *ty == Type::INT8 {
                    row.try_get::<_, Option<i64>>(column)?.map(Value::Integer)
                } else if *ty == Type::INT4 {
                    row.try_get::<_, Option<i32>>(column)?
                        .map(|i| Value::Integer(i.into()))
                } else if *ty == Type::INT2 {
                    row.try_get::<_, Option<i16>>(column)?
                        .map(|i| Value::Integer(i.into()))
                } else if *ty == Type::BOOL {
                    row.try_get::<_, Option<bool>>(column)?
                        .map(|b| Value::Integer(b.into()))
                } else if *ty == Type::FLOAT8 {
                    row.try_get::<_, Option<f64>>(column)?.map(Value::Real)
                } else if *ty == Type::TEXT || *ty == Type::VARCHAR || *ty == Type::NAME {
                    row.try_get::<_, Option<String>>(column)?.map(Value::Text)
                } else {
                    return Err(DbError::Conversion {
                        column,
                        message: format!("the PostgreSQL type {ty} is not one the store uses"),
                    });
                };
                Ok(value.unwrap_or(Value::Null))
            }
        }
    }
}

/// A value bound to a PostgreSQL statement as the type the server chose for its mark: an
/// integer mark of an INT4 expression takes an i32, a text mark takes text.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Value::Integer(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Integer(i) if *ty == Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
            Value::Integer(i) if *ty == Type::BOOL => (*i != 0).to_sql(ty, out),
            Value::Integer(i) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
                i.to_string().as_str().to_sql(ty, out)
            }
            Value::Real(r) if *ty == Type::FLOAT8 => r.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
            other => Err(format!("{other:?} cannot be bound as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// A PostgreSQL connection with the statements it has prepared, by their SQL. A connection
/// the server dropped (a restart, a failover) is made again before the next statement that
/// is not inside a transaction; a transaction cannot outlive its connection, so a loss inside
/// one is reported and its writes are gone, never half kept.
pub struct Pg {
    url: String,
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    in_transaction: Cell<bool>,
    /// A statement failed inside the open transaction and no savepoint has been rolled back
    /// since: PostgreSQL refuses everything after that, and its COMMIT quietly rolls back.
    /// SQLite goes on after a failed statement; so that no write is reported kept that was
    /// not, the store's COMMIT on PostgreSQL refuses such a transaction out loud.
    abandoned: Cell<bool>,
}

/// How many prepared statements a PostgreSQL connection keeps: the register's page queries
/// differ in their filters and in the length of an id list, so they are not kept forever.
const PREPARED_KEPT: usize = 512;

/// A connection to either engine.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

impl Db {
    pub fn postgres(url: &str, client: postgres::Client) -> Db {
        Db::Postgres(Box::new(Pg {
            url: url.to_string(),
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            abandoned: Cell::new(false),
        }))
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (its pragmas, its backup API).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Db::Sqlite(conn) => Some(conn),
            Db::Postgres(_) => None,
        }
    }

    pub fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match self {
            Db::Sqlite(conn) => Some(conn),
            Db::Postgres(_) => None,
        }
    }

    /// Statements without marks, run as one: transaction control, schema changes.
    pub fn batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Db::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Db::Postgres(pg) => {
                pg.attempt(false, || Ok(pg.client.borrow_mut().batch_execute(sql)?))
            }
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn Param]) -> DbResult<usize> {
        match self {
            Db::Sqlite(conn) => {
                let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
                Ok(conn
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values.iter()))?)
            }
            Db::Postgres(pg) => {
                let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
                let bound: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                // Not tried again: a lost answer does not say whether the change was made.
                pg.attempt(false, || {
                    let statement = pg.statement(sql)?;
                    let changed = pg.client.borrow_mut().execute(&statement, &bound)?;
                    Ok(changed as usize)
                })
            }
        }
    }

    /// Calls `each` on every row of the result, in order, without holding them all: the
    /// journal of a large store is walked this way.
    pub fn for_each<E: From<DbError>>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut each: impl FnMut(&Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let values: Vec<Value> = params.iter().map(|p| p.value()).collect();
        match self {
            Db::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql).map_err(DbError::from)?;
                let mut rows = statement
                    .query(rusqlite::params_from_iter(values.iter()))
                    .map_err(DbError::from)?;
                while let Some(row) = rows.next().map_err(DbError::from)? {
                    each(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Db::Postgres(pg) => {
                use postgres::fallible_iterator::FallibleIterator;
                let delivered = Cell::new(false);
                let failure: RefCell<Option<E>> = RefCell::new(None);
                let mut read = || -> DbResult<()> {
                    let statement = pg.statement(sql)?;
                    let mut client = pg.client.borrow_mut();
                    let mut rows = client.query_raw(&statement, values.iter())?;
                    while let Some(row) = rows.next()? {
                        delivered.set(true);
                        if let Err(err) = each(&Row::Postgres(&row)) {
                            *failure.borrow_mut() = Some(err);
                            return Ok(());
                        }
                    }
                    Ok(())
                };
                let mut outcome = pg.attempt(false, &mut read);
                // A read whose connection was lost before its first row is read again on a
                // new one: nothing of it was seen yet. After a row, the loss is reported.
                if let Err(err) = &outcome
                    && !delivered.get()
                    && !pg.in_transaction.get()
                    && err.is_connection_lost()
                {
                    pg.reconnect()?;
                    outcome = read();
                }
                match failure.into_inner() {
                    Some(err) => Err(err),
                    None => Ok(outcome?),
                }
            }
        }
    }

    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        mut read: impl FnMut(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        let mut all = Vec::new();
        self.for_each(sql, params, |row| {
            all.push(read(row)?);
            Ok::<_, DbError>(())
        })?;
        Ok(all)
    }

    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Option<T>> {
        let mut read = Some(read);
        let mut found = None;
        self.for_each(sql, params, |row| {
            if let Some(read) = read.take() {
                found = Some(read(row)?);
            }
            Ok::<_, DbError>(())
        })?;
        Ok(found)
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn Param],
        read: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<T> {
        self.query_opt(sql, params, read)?.ok_or(DbError::NoRows)
    }

    /// The names of a statement's result columns.
    pub fn column_names(&self, sql: &str) -> DbResult<Vec<String>> {
        match self {
            Db::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect()),
            Db::Postgres(pg) => Ok(pg
                .attempt(true, || pg.statement(sql))?
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect()),
        }
    }

    /// Whether no transaction is open: SQLite can roll one back on its own (a full disk), and
    /// a lost PostgreSQL connection ends its own.
    pub fn is_autocommit(&self) -> bool {
        match self {
            Db::Sqlite(conn) => conn.is_autocommit(),
            Db::Postgres(pg) => !pg.in_transaction.get() || pg.client.borrow().is_closed(),
        }
    }

    /// Begins the one write transaction the store allows at a time. SQLite takes its write
    /// lock at once (IMMEDIATE). PostgreSQL locks the journal against every other writer
    /// (readers go on): appends are serialised, so each new entry chains to the head it read
    /// and the ids taken from `MAX(id) + 1` are free (ARCHITECTURE.md, "one writer").
    pub fn begin_write(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(conn) => Ok(conn.execute_batch("BEGIN IMMEDIATE")?),
            Db::Postgres(pg) => {
                // Tried again on a new connection: nothing was written before the lock.
                let begun = pg.attempt(true, || {
                    Ok(pg.client.borrow_mut().batch_execute(
                        "BEGIN ISOLATION LEVEL READ COMMITTED;
                         LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE",
                    )?)
                });
                if let Err(err) = begun {
                    // The lock refused (a timeout, a cancel) leaves the transaction begun and
                    // failed: end it, or every later statement of this connection fails.
                    if !err.is_connection_lost() {
                        let _ = pg.client.borrow_mut().batch_execute("ROLLBACK");
                    }
                    return Err(err);
                }
                pg.in_transaction.set(true);
                pg.abandoned.set(false);
                Ok(())
            }
        }
    }

    /// Begins a read-only transaction that sees one snapshot throughout: verify's.
    pub fn begin_snapshot(&self) -> DbResult<()> {
        match self {
            // In WAL mode a read transaction sees the store as of its first read.
            Db::Sqlite(conn) => Ok(conn.execute_batch("BEGIN DEFERRED")?),
            Db::Postgres(pg) => {
                pg.attempt(true, || {
                    Ok(pg
                        .client
                        .borrow_mut()
                        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?)
                })?;
                pg.in_transaction.set(true);
                pg.abandoned.set(false);
                Ok(())
            }
        }
    }

    /// Commits the open transaction. On PostgreSQL a transaction a failed statement
    /// abandoned is rolled back and refused ([`DbError::Abandoned`]): its COMMIT would
    /// succeed having kept nothing.
    pub fn commit(&self) -> DbResult<()> {
        if let Db::Postgres(pg) = self
            && pg.abandoned.get()
        {
            let _ = self.rollback();
            return Err(DbError::Abandoned);
        }
        let done = self.batch("COMMIT");
        self.ended();
        done
    }

    /// Starts a savepoint of the open transaction: one write of a group.
    pub fn savepoint(&self) -> DbResult<()> {
        self.batch("SAVEPOINT one_write")
    }

    /// Keeps what the last savepoint's write did, in the transaction, and starts the next
    /// write's savepoint: one round trip.
    pub fn release_and_savepoint(&self) -> DbResult<()> {
        self.batch("RELEASE SAVEPOINT one_write; SAVEPOINT one_write")
    }

    /// Undoes the savepoint's write alone; a PostgreSQL transaction a statement of that write
    /// abandoned can go on after it.
    pub fn rollback_to_savepoint(&self) -> DbResult<()> {
        self.batch("ROLLBACK TO SAVEPOINT one_write; RELEASE SAVEPOINT one_write")?;
        if let Db::Postgres(pg) = self {
            pg.abandoned.set(false);
        }
        Ok(())
    }

    pub fn rollback(&self) -> DbResult<()> {
        let done = self.batch("ROLLBACK");
        self.ended();
        done
    }

    fn ended(&self) {
        if let Db::Postgres(pg) = self {
            pg.in_transaction.set(false);
            pg.abandoned.set(false);
        }
    }
}

impl Pg {
    /// Runs `work`, first on a new connection if the server dropped this one while no
    /// transaction was open. With `again`, work that failed because the connection was lost
    /// is run once more on a new one: for what is safe to repeat.
    fn attempt<T>(&self, again: bool, mut work: impl FnMut() -> DbResult<T>) -> DbResult<T> {
        if !self.in_transaction.get() && self.client.borrow().is_closed() {
            self.reconnect()?;
        }
        let done = match work() {
            Err(err) if again && !self.in_transaction.get() && err.is_connection_lost() => {
                self.reconnect()?;
                work()
            }
            done => done,
        };
        if done.is_err() && self.in_transaction.get() {
            self.abandoned.set(true);
        }
        done
    }

    fn reconnect(&self) -> DbResult<()> {
        let fresh = crate::pg_connect::connect(&self.url)?;
        *self.client.borrow_mut() = fresh;
        self.statements.borrow_mut().clear();
        Ok(())
    }

    /// The prepared statement of `sql`, prepared once per connection.
    fn statement(&self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.borrow_mut().prepare(&postgres_marks(sql))?;
        let mut kept = self.statements.borrow_mut();
        if kept.len() >= PREPARED_KEPT {
            // Dropped statements are closed on the server with the next request.
            kept.clear();
        }
        kept.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// SQLite's marks in PostgreSQL's form: `?3` becomes `$3`, and a bare `?` the next number.
/// Marks inside quoted text or names are left alone.
pub fn postgres_marks(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                } else {
                    next = next.max(digits.parse().unwrap_or(0));
                }
                out.push('$');
                out.push_str(&digits);
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_numbered_for_postgres_outside_quotes() {
        assert_eq!(
            postgres_marks("SELECT a FROM t WHERE b = ?1 AND c = ?12 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 OR d = $1"
        );
        assert_eq!(
            postgres_marks("SELECT a FROM t WHERE id IN (?,?,?)"),
            "SELECT a FROM t WHERE id IN ($1,$2,$3)"
        );
        assert_eq!(
            postgres_marks("SELECT '?1', \"a?\" FROM t WHERE x = ?2"),
            "SELECT '?1', \"a?\" FROM t WHERE x = $2"
        );
    }
}
