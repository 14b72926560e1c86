//! SQLite connections: a small pool of rusqlite connections, and transactions on them.
//!
//! Statements run on the thread that asks for them (see `db.rs`), so what must never block the
//! async runtime for long is waiting: for a connection (an async semaphore) and for the write
//! lock (`Store::write` queues writers on an async mutex before `BEGIN IMMEDIATE`, so SQLite's
//! own busy wait applies only to other processes on the same file).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use crate::StoreError;

/// How long a request waits for a free connection before the store reports itself unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Prepared statements kept per connection (the search builder writes many shapes of query).
const STATEMENT_CACHE: usize = 256;

/// Sets up a connection to a loam database file the way every connection of the server's pool
/// is (its busy timeout, pragmas and statement cache); `mapped`: whether it memory-maps the file.
/// Public so that `loam-ingest-ceiling` (crates/loam-bench) writes with exactly these settings.
pub fn set_up(conn: &Connection, mapped: bool) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(
        "pragma foreign_keys = on;
         pragma synchronous = normal;
         -- 16 MB of page cache per connection: bounded memory.
         pragma cache_size = -16000;
         pragma temp_store = memory;
         -- The server checkpoints the WAL in the background (Store::checkpoint), off the
         -- request path; this is only the backstop when nothing does (tests, CLI commands): a
         -- commit that finds the WAL over ~256 MB checkpoints it.
         pragma wal_autocheckpoint = 65536;",
    )?;
    if mapped {
        // Reads straight from the OS page cache instead of copying each page into SQLite's:
        // random reads (a record per text match, index probes) cost less. 2 GiB of address
        // space, SQLite's default ceiling.
        conn.execute_batch("pragma mmap_size = 2147418112;")?;
    }
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

pub(crate) struct LitePool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    /// Whether connections opened from now on memory-map the file ([`LitePool::stop_mapping`]).
    mapped: AtomicBool,
}

impl LitePool {
    /// A pool of at most `max` connections to the database file at `path` (already migrated).
    pub fn new(path: &Path, max: usize) -> Result<Arc<Self>, StoreError> {
        let pool = Arc::new(LitePool {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max)),
            mapped: AtomicBool::new(true),
        });
        // Open one now, so a file that cannot be opened fails the start, not the first request.
        let first = pool.open()?;
        pool.idle().push(first);
        Ok(pool)
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while the list was held cannot leave it half-changed (push and pop only).
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        set_up(&conn, self.mapped.load(Ordering::Relaxed))?;
        Ok(conn)
    }

    /// A connection for this caller alone, waiting (asynchronously) while all are in use.
    pub async fn acquire(self: &Arc<Self>) -> Result<PooledConn, StoreError> {
        let permit = match tokio::time::timeout(ACQUIRE_TIMEOUT, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(StoreError::Unavailable("the database is closed".to_owned())),
            Err(_) => {
                return Err(StoreError::Unavailable(format!("no free database connection within {ACQUIRE_TIMEOUT:?}")))
            }
        };
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(PooledConn { conn: Some(conn), pool: Arc::clone(self), _permit: permit, keep: true })
    }

    /// A connection of its own for one long sequential read (an export): opened fresh with the
    /// file not memory-mapped, and closed when dropped. Memory-mapped pages count in the
    /// process's resident memory; a scan of the whole file would map all of it, for no reuse.
    pub async fn acquire_for_scan(self: &Arc<Self>) -> Result<PooledConn, StoreError> {
        let mut pooled = self.acquire().await?;
        let conn = self.open()?;
        conn.execute_batch("pragma mmap_size = 0;")?;
        // The pooled connection goes back idle; this one takes its permit.
        if let Some(idle) = pooled.conn.replace(conn) {
            self.idle().push(idle);
        }
        pooled.keep = false;
        Ok(pooled)
    }

    /// Connections opened from now on read the file without memory-mapping it, and the idle ones
    /// are closed (connections in use keep their mapping until they are returned and reused).
    /// For a process that writes one long run of rows (`loam import file`): the pages an
    /// insert reads through the mapping stay resident, so the process's resident memory would
    /// grow with the database, not with what it holds.
    pub fn stop_mapping(&self) {
        self.mapped.store(false, Ordering::Relaxed);
        self.idle().clear();
    }

    /// Refuses new connections and closes the idle ones; connections in use close when returned.
    pub fn close(&self) {
        self.permits.close();
        self.idle().clear();
    }
}

/// A connection taken from the pool; it goes back when dropped, unless it was discarded or is
/// not to be kept (`acquire_for_scan`).
pub(crate) struct PooledConn {
    conn: Option<Connection>,
    pool: Arc<LitePool>,
    _permit: OwnedSemaphorePermit,
    keep: bool,
}

impl PooledConn {
    pub fn get(&self) -> Result<&Connection, StoreError> {
        self.conn.as_ref().ok_or_else(|| StoreError::Unavailable("the connection was discarded".to_owned()))
    }

    /// Closes the connection instead of returning it (it may be in a state nobody should inherit).
    fn discard(&mut self) {
        self.conn = None;
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if self.keep && !self.pool.permits.is_closed() {
                self.pool.idle().push(conn);
            }
        }
    }
}

/// A transaction on a pooled connection. Dropping it without [`LiteTx::commit`] rolls back
/// before the connection (and the write lock, for a write) is released.
pub struct LiteTx {
    conn: Option<PooledConn>,
    /// Declared after `conn`: released after the rollback of a dropped transaction.
    _write: Option<OwnedMutexGuard<()>>,
}

impl LiteTx {
    /// Begins a transaction: `BEGIN IMMEDIATE` when `write` holds the process's write lock (the
    /// database's write lock is taken at once, where the busy timeout applies), else a deferred
    /// read one.
    pub(crate) fn begin(conn: PooledConn, write: Option<OwnedMutexGuard<()>>) -> Result<Self, StoreError> {
        let begin = if write.is_some() { "BEGIN IMMEDIATE" } else { "BEGIN" };
        conn.get()?.prepare_cached(begin)?.execute([])?;
        Ok(LiteTx { conn: Some(conn), _write: write })
    }

    pub(crate) fn connection(&self) -> Result<&Connection, StoreError> {
        match &self.conn {
            Some(conn) => conn.get(),
            None => Err(StoreError::Unavailable("the transaction has ended".to_owned())),
        }
    }

    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut pooled) = self.conn.take() else {
            return Err(StoreError::Unavailable("the transaction has ended".to_owned()));
        };
        let failed = {
            let conn = pooled.get()?;
            match conn.prepare_cached("COMMIT").and_then(|mut it| it.execute([])) {
                Ok(_) => None,
                // A failed COMMIT may leave the transaction open: end it, or drop the connection.
                Err(err) => Some((err, conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok())),
            }
        };
        if let Some((err, ended)) = failed {
            if !ended {
                pooled.discard();
            }
            return Err(err.into());
        }
        Ok(())
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if let Some(mut pooled) = self.conn.take() {
            let ended = match pooled.get() {
                Ok(conn) => conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok(),
                Err(_) => false,
            };
            if !ended {
                pooled.discard();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::db::query;
    use crate::testing::ScratchDb;
    use crate::{Store, StoreConfig, StoreError};

    /// A store of two connections on a new SQLite file, with a table made by `ddl`.
    async fn sqlite_with(ddl: &str) -> (Store, ScratchDb) {
        let db = ScratchDb::sqlite();
        let store = Store::open(&StoreConfig { url: db.url.clone(), max_connections: 2 }).await.expect("open");
        let mut tx = store.write().await.expect("write");
        query(ddl).execute(&mut tx).await.expect("ddl");
        tx.commit().await.expect("commit");
        (store, db)
    }

    async fn count(store: &Store) -> i64 {
        let mut tx = store.read().await.expect("read");
        query("select count(*) from t").fetch_one(&mut tx).await.expect("count")
    }

    #[tokio::test]
    async fn an_in_memory_database_is_refused_not_split_across_connections() {
        for url in ["sqlite::memory:", "sqlite://:memory:", "sqlite://?mode=memory"] {
            let res = Store::open(&StoreConfig { url: url.to_owned(), max_connections: 2 }).await;
            assert!(matches!(res, Err(StoreError::UnsupportedUrl(_))), "{url}");
        }
    }

    #[tokio::test]
    async fn a_dropped_write_rolls_back_and_the_next_writer_goes_ahead() {
        let (store, _db) = sqlite_with("create table t (x integer)").await;
        for _ in 0..5 {
            let mut tx = store.write().await.expect("write");
            query("insert into t values (1)").execute(&mut tx).await.expect("insert");
            drop(tx);
        }
        assert_eq!(count(&store).await, 0);
        let mut tx = store.write().await.expect("write");
        query("insert into t values (1)").execute(&mut tx).await.expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(count(&store).await, 1);
    }

    #[tokio::test]
    async fn readers_wait_for_a_free_connection_and_see_committed_rows_only() {
        let (store, _db) = sqlite_with("create table t (x integer)").await;
        let mut writer = store.write().await.expect("write");
        query("insert into t values (1)").execute(&mut writer).await.expect("insert");
        let reader = store.read().await.expect("read");
        // Both connections are taken: a third transaction waits until one comes back.
        let third = tokio::time::timeout(Duration::from_millis(100), store.read()).await;
        assert!(third.is_err(), "no third connection while two are in use");
        drop(reader);
        assert_eq!(count(&store).await, 0, "the uncommitted insert is not seen");
        writer.commit().await.expect("commit");
        assert_eq!(count(&store).await, 1);
    }

    #[tokio::test]
    async fn a_unique_violation_names_its_columns_and_leaves_the_transaction_usable() {
        let (store, _db) = sqlite_with("create table t (x integer unique)").await;
        let mut tx = store.write().await.expect("write");
        query("insert into t values (1)").execute(&mut tx).await.expect("insert");
        let err = query("insert into t values (1)").execute(&mut tx).await.expect_err("duplicate");
        assert!(err.is_unique("t.x"), "{err}");
        query("insert into t values (2)").execute(&mut tx).await.expect("insert");
        tx.commit().await.expect("commit");
        assert_eq!(count(&store).await, 2);
    }
}
