//! The schema's migrations, embedded in the binary by `build.rs` and run by sqlx's migrator, which
//! keeps its `_sqlx_migrations` bookkeeping as every earlier version did: a file's version and
//! description come from its name (`0007_record_metadata.sql` → 7, "record metadata") and its
//! checksum from its text, exactly as `sqlx::migrate!` made them, so databases migrated by an
//! earlier binary are recognised as they are.

use std::borrow::Cow;

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// Which engine's migrations.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// The migrator for `engine`'s embedded files.
pub(crate) async fn migrator(engine: Engine) -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded(engine)).await
}

#[derive(Debug)]
struct Embedded(Engine);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        let files = match self.0 {
            Engine::Sqlite => embedded::SQLITE,
            Engine::Postgres => embedded::POSTGRES,
        };
        Box::pin(async move { files.iter().map(|&(name, sql)| migration(name, sql)).collect() })
    }
}

/// One file as sqlx names it: `<version>_<description>.sql`, the description's underscores as
/// spaces; `-- no-transaction` as the first line runs it outside a transaction.
fn migration(name: &str, sql: &'static str) -> Result<Migration, BoxDynError> {
    let (version, rest) = name
        .split_once('_')
        .ok_or_else(|| format!("migration file {name:?} is not named <version>_<description>.sql"))?;
    let version: i64 = version.parse().map_err(|_| format!("migration file {name:?} does not start with a number"))?;
    let description = rest.strip_suffix(".sql").unwrap_or(rest).replace('_', " ");
    Ok(Migration::new(
        version,
        Cow::Owned(description),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        sql.starts_with("-- no-transaction"),
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The embedded migrations are the ones sqlx reads from the directories itself (what
    /// `sqlx::migrate!` embedded before): same versions, descriptions, checksums, in the same order.
    #[tokio::test]
    async fn embedded_migrations_match_what_sqlx_reads_from_the_directories() {
        for (engine, dir) in [(Engine::Sqlite, "sqlite"), (Engine::Postgres, "postgres")] {
            let ours = migrator(engine).await.expect("embedded migrations resolve");
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
            let theirs = Migrator::new(path).await.expect("sqlx reads the directory");
            let summary = |m: &Migrator| -> Vec<(i64, String, Vec<u8>, bool)> {
                let mut v: Vec<_> =
                    m.iter().map(|x| (x.version, x.description.to_string(), x.checksum.to_vec(), x.no_tx)).collect();
                v.sort();
                v
            };
            assert!(ours.iter().count() >= 21, "{dir}: {} migrations embedded", ours.iter().count());
            assert_eq!(summary(&ours), summary(&theirs), "{dir}");
            let versions: Vec<i64> = ours.iter().map(|m| m.version).collect();
            let mut sorted = versions.clone();
            sorted.sort();
            assert_eq!(versions, sorted, "{dir}: embedded in version order");
        }
    }

    #[test]
    fn a_misnamed_file_is_an_error_not_a_skipped_migration() {
        assert!(migration("core.sql", "select 1").is_err());
        assert!(migration("v1_core.sql", "select 1").is_err());
        let m = migration("0007_record_metadata.sql", "-- no-transaction\nselect 1").expect("well named");
        assert_eq!((m.version, m.description.as_ref(), m.no_tx), (7, "record metadata", true));
    }
}
