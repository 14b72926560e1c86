//! Scratch databases for tests, here and in the crates above: a SQLite file in a fresh temporary
//! directory by default, or a fresh database on a PostgreSQL server when the environment variable
//! [`POSTGRES_ENV`] names one, so the same tests run on either engine. Dropping a [`ScratchDb`]
//! removes what it made.

use std::path::PathBuf;

use sqlx::{Connection, Executor, PgConnection};

pub use crate::db::{ColumnIndex, Decode, FromRow, Row};
use crate::{db, StoreError, Tx};

/// `postgres://user@host:port/dbname` of a server to make scratch databases on (the database in
/// the URL is only connected to, to create and drop them). Unset: tests use SQLite.
pub const POSTGRES_ENV: &str = "LOAM_TEST_POSTGRES";

/// The PostgreSQL server the environment names for tests, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|it| !it.is_empty())
}

/// Runs a statement of a test's own (a reset, a migration's backfill) on `tx`; returns how many
/// rows it changed.
pub async fn execute(tx: &mut Tx, sql: &str) -> Result<u64, StoreError> {
    db::query(sql).execute(tx).await
}

/// The rows of a test's own query on `tx`, as `T` (a tuple, by position, or one value).
pub async fn fetch_all<T: FromRow>(tx: &mut Tx, sql: &str) -> Result<Vec<T>, StoreError> {
    db::query(sql).fetch_all(tx).await
}

pub struct ScratchDb {
    /// The URL to open the scratch database with (`Store::open`, `--database-url`).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl ScratchDb {
    /// A new empty database on the engine the environment selects.
    ///
    /// # Panics
    /// When it cannot be made: tests have nothing to run on then.
    pub async fn new() -> Self {
        match postgres_server() {
            Some(admin_url) => Self::postgres(&admin_url).await,
            None => Self::sqlite(),
        }
    }

    /// A new SQLite database in a fresh temporary directory.
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("loam_test_{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("creating {}: {err}", dir.display()));
        let url = format!("sqlite://{}/loam.db", dir.display());
        ScratchDb { url, cleanup: Cleanup::Dir(dir) }
    }

    /// A new database on the PostgreSQL server whose maintenance database is `admin_url`.
    pub async fn postgres(admin_url: &str) -> Self {
        let name = format!("loam_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|err| panic!("{POSTGRES_ENV}: cannot connect to PostgreSQL: {err}"));
        admin
            .execute(format!("create database {name}").as_str())
            .await
            .unwrap_or_else(|err| panic!("creating scratch database {name}: {err}"));
        let _ = admin.close().await;
        let url = with_database(admin_url, &name);
        ScratchDb { url, cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name } }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop may run inside a runtime; the drop gets its own thread and runtime.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                    rt.block_on(async {
                        if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                            let _ =
                                admin.execute(format!("drop database if exists {name} with (force)").as_str()).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    // The path starts at the first '/' after "scheme://authority".
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let head = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{head}/{name}?{query}"),
        None => format!("{head}/{name}"),
    }
}

/// Settings with one required text field, `text` (plain, no markdown): what the tests that write
/// records through the store or validate them in the service need of a dataset.
pub fn text_schema(dataset: loam_domain::DatasetId) -> loam_domain::model::DatasetSchema {
    use loam_domain::model::{DatasetSchema, Field};
    use loam_domain::settings::FieldSettings;
    use loam_domain::{FieldId, Timestamp};
    let field = Field {
        id: FieldId::new(),
        dataset_id: dataset,
        name: "text".into(),
        title: "Text".into(),
        description: None,
        required: true,
        settings: FieldSettings::Text { use_markdown: false },
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    DatasetSchema { fields: vec![field], ..DatasetSchema::default() }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    }
}
