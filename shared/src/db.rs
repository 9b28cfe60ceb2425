//! The application database (`db/bills.db`): an r2d2 pool of rusqlite
//! connections, each in WAL mode with foreign keys on and a busy timeout.
//!
//! Writes go through [`write`], a `BEGIN IMMEDIATE` transaction, so two
//! processes never deadlock upgrading a read lock. Async code calls
//! [`Db::run`] / [`Db::write`], which move the blocking work to
//! `spawn_blocking`.

use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::Result;
use crate::paths::DataDir;

/// How long a connection waits for another process's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of the database file a pooled connection maps into memory.
const MMAP_SIZE: i64 = 256 * 1024 * 1024;

pub type Pool = r2d2::Pool<SqliteConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<SqliteConnectionManager>;

/// Applies the connection settings of the architecture page.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Opens one connection outside the pool (CLI, backup, tests).
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&conn)?;
    Ok(conn)
}

/// Runs `f` inside a `BEGIN IMMEDIATE` transaction and commits it.
pub fn write<T>(conn: &mut Connection, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// The pooled application database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Opens `db/bills.db` (creating it with mode 0600) with a small pool.
    pub fn open(data: &DataDir, max_connections: u32) -> Result<Self> {
        let path = data.bills_db();
        data.ensure_private_file(&path)?;
        let manager = SqliteConnectionManager::file(&path).with_init(|conn| {
            configure(conn)?;
            // Pages read through a shared mapping, not copied by a read call
            // into each connection's own cache.
            conn.pragma_update(None, "mmap_size", MMAP_SIZE)
        });
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(1))
            .connection_timeout(BUSY_TIMEOUT + Duration::from_secs(5))
            .build(manager)?;
        Ok(Db { pool })
    }

    pub fn get(&self) -> Result<PooledConnection> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work off the async worker threads.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction that commits only when
    /// `f` succeeds; a domain error of `f` rolls everything back.
    pub async fn try_write<T, E, F>(&self, f: F) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<crate::Error> + Send + 'static,
        F: FnOnce(&Transaction<'_>) -> std::result::Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(crate::Error::from)?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(crate::Error::from)?;
            let value = f(&tx)?;
            tx.commit().map_err(crate::Error::from)?;
            Ok(value)
        })
        .await
        .map_err(crate::Error::from)?
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction off the async threads.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.run(move |conn| write(conn, f)).await
    }
}
