//! loam-store: the only crate that speaks SQL.
//!
//! [`Store`] wraps a pool of either engine; [`Tx`] is a transaction on either. Every query is
//! written once, in SQL both SQLite and PostgreSQL accept (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`, `count(*) FILTER`), and run on either by `db.rs`: through rusqlite on the
//! calling thread for SQLite (`lite.rs`), through sqlx for PostgreSQL.
//! Where the engines spell a statement differently, `dialect.rs`'s `Dialect` renders it (the search
//! builder's every difference, row locks); `records.rs`, `text_index.rs` and `copy.rs` still
//! choose their statements by the transaction's engine. DDL lives in `migrations/{sqlite,postgres}`.
//! The test scaffolding (`testing`) is compiled only with the `testing` feature.
//!
//! Conventions: `find_*` returns `Ok(None)` when nothing matches; `insert_*` / `update_*` /
//! `delete_*` report constraint violations as [`StoreError::UniqueViolation`] with the
//! constraint's name so the service can turn them into conflicts.

mod db;
mod dialect;
mod error;
mod lite;
mod migrations;
mod rows;

pub mod annotated;
pub mod copy;
pub mod datasets;
pub mod exports;
pub mod imported;
pub mod leases;
pub mod overview;
pub mod pairwise;
pub mod record_history;
pub mod records;
pub mod responses;
pub mod review;
pub mod search;
pub mod settings;
pub mod strategies;
pub mod suggestions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text_index;
pub mod throttle;
pub mod time_on_task;
pub mod users;
pub mod webhooks;
pub mod workspaces;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Postgres, Transaction};
use tokio::sync::Mutex;

pub use error::StoreError;
/// How the server sets up each SQLite connection (for benchmarks that write loam's file directly).
pub use lite::set_up as set_up_sqlite_connection;
pub use lite::LiteTx;

use lite::LitePool;

/// Where the data lives.
#[derive(Clone)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(Arc<LitePool>),
    Postgres(PgPool),
}

/// The one interface to storage.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite allows one writer at a time; taking this lock before `BEGIN` queues writers in
    /// the process instead of failing them with `SQLITE_BUSY` when a deferred transaction
    /// upgrades to a write.
    write_lock: Arc<Mutex<()>>,
}

/// A transaction on either engine. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    Sqlite(LiteTx),
    Postgres(Transaction<'static, Postgres>),
}

impl Store {
    /// Connects (creating a SQLite file when missing) and applies pending migrations.
    pub async fn open(cfg: &StoreConfig) -> Result<Self, StoreError> {
        let pool = if cfg.url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(&cfg.url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // The pool's connections open the file by its path: a database that lives in one
            // connection's memory would be a different, empty one on each of them.
            if cfg.url.contains(":memory:") || cfg.url.contains("mode=memory") {
                return Err(StoreError::UnsupportedUrl(format!("{} (an in-memory database)", redact_url(&cfg.url))));
            }
            // Migrations through sqlx (its `_sqlx_migrations` bookkeeping, as every earlier
            // version kept it) on a connection of their own; requests then use the pool.
            let mut conn = options.connect().await?;
            migrations::migrator(migrations::Engine::Sqlite).await?.run(&mut conn).await?;
            conn.close().await?;
            Pool::Sqlite(LitePool::new(options.get_filename(), cfg.max_connections.max(2) as usize)?)
        } else if cfg.url.starts_with("postgres:") || cfg.url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(cfg.max_connections.max(2))
                // A replica whose database is gone answers 503 after this long, not a hang.
                .acquire_timeout(Duration::from_secs(5))
                .connect(&cfg.url)
                .await?;
            migrations::migrator(migrations::Engine::Postgres).await?.run(&pool).await?;
            Pool::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(&cfg.url)));
        };
        Ok(Self { pool, write_lock: Arc::new(Mutex::new(())) })
    }

    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// A transaction for reading: consistent snapshot, no writer lock.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(LiteTx::begin(pool.acquire().await?, None)?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A read transaction whose statements all see one snapshot: REPEATABLE READ, READ ONLY on
    /// PostgreSQL (where [`Store::read`]'s statements each see their own); on SQLite every read
    /// transaction already does, and this one runs on a connection of its own that does not
    /// memory-map the file (a scan of it all would map it all into the process's resident
    /// memory). For long reads spread over many statements, such as an export.
    pub async fn read_snapshot(&self) -> Result<Tx, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => Ok(Tx::Sqlite(LiteTx::begin(pool.acquire_for_scan().await?, None)?)),
            Pool::Postgres(_) => {
                let mut tx = self.read().await?;
                db::query("set transaction isolation level repeatable read, read only").execute(&mut tx).await?;
                Ok(tx)
            }
        }
    }

    /// A transaction that will write.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                let guard = Arc::clone(&self.write_lock).lock_owned().await;
                Tx::Sqlite(LiteTx::begin(pool.acquire().await?, Some(guard))?)
            }
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// From now on, SQLite connections read the database file without memory-mapping it (see
    /// `LitePool::stop_mapping`): for a process doing one long bulk write, whose resident memory
    /// should not grow with the database. No-op on PostgreSQL.
    pub fn stop_mapping_file(&self) {
        if let Pool::Sqlite(pool) = &self.pool {
            pool.stop_mapping();
        }
    }

    /// Whether the database answers now (a trivial query, within `timeout`).
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        let query = async {
            match &self.pool {
                Pool::Sqlite(pool) => {
                    let conn = pool.acquire().await?;
                    conn.get()?.query_row("select 1", [], |_| Ok(()))?;
                    Ok(())
                }
                Pool::Postgres(pool) => {
                    sqlx::query("select 1").execute(pool).await.map(|_| ()).map_err(StoreError::from)
                }
            }
        };
        match tokio::time::timeout(timeout, query).await {
            Ok(res) => res,
            Err(_) => Err(StoreError::Unavailable(format!("no answer within {timeout:?}"))),
        }
    }

    /// Copies committed WAL pages into the SQLite database file without taking the write lock
    /// (a passive checkpoint), so the commits of requests rarely have to. No-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(pool) = &self.pool {
            // Copying pages can take a while after a bulk write: off the async workers.
            let conn = pool.acquire().await?;
            tokio::task::spawn_blocking(move || {
                conn.get()?.query_row("pragma wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
                Ok::<_, StoreError>(())
            })
            .await
            .map_err(|err| StoreError::Unavailable(format!("checkpoint: {err}")))??;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close(),
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Commits. A connection lost during the COMMIT itself is `CommitOutcomeUnknown`, not
    /// `Unavailable`: the server may have committed before the connection dropped.
    pub async fn commit(self) -> Result<(), StoreError> {
        let res = match self {
            Tx::Sqlite(inner) => inner.commit(),
            Tx::Postgres(inner) => inner.commit().await.map_err(StoreError::from),
        };
        match res {
            Err(StoreError::Unavailable(cause)) => Err(StoreError::CommitOutcomeUnknown(cause)),
            other => other,
        }
    }

    /// Serializes this write transaction with every other one that takes the same `lock`, until it
    /// ends, across processes: an advisory transaction lock on PostgreSQL (replicas share one
    /// database); nothing on SQLite, whose write transactions already run one at a time.
    pub async fn serialize_on(&mut self, lock: TxLock) -> Result<(), StoreError> {
        if let Tx::Postgres(conn) = self {
            sqlx::query("select pg_advisory_xact_lock($1)").bind(lock as i64).execute(&mut **conn).await?;
        }
        Ok(())
    }
}

/// The advisory locks write transactions take with [`Tx::serialize_on`]. The values are the
/// PostgreSQL lock keys; they only need to be distinct and stable.
#[derive(Clone, Copy, Debug)]
#[repr(i64)]
pub enum TxLock {
    /// Creating the first owner and the default workspace on an empty database: replicas started
    /// together on one database race for it.
    Bootstrap = 0x6c6f_616d_0001,
    /// Counting a sign-in attempt against its username and address (read, decide, write).
    SignIn = 0x6c6f_616d_0002,
}
