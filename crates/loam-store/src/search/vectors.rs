//! The candidates of a similarity search: the vectors of a query's matching records, streamed a
//! row at a time, and where a vector setting's vectors stand (their count and version), for the
//! in-memory copies the service keeps up to date.

use loam_domain::{DatasetId, RecordId, VectorSettingsId};

use super::query::RecordQuery;
use super::sql::Sql;
use crate::db::{self, Query};
use crate::{StoreError, Tx};

/// Streams every record matching `query` that has a vector for `settings` to `visit`, with its
/// seq and the vector's stored bytes (little-endian f64s), in the order the database reads them: the
/// candidates of a similarity search, scored by the caller as they arrive, so a scan over a
/// large dataset holds one row at a time, not every vector.
pub async fn scan_vectors(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    settings: VectorSettingsId,
    visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    let mut sql = Sql::on(tx);
    let vs = sql.push(settings.0);
    let body = sql.matching_records(
        dataset,
        query,
        &format!(" join vectors v on v.record_id = r.id and v.vector_settings_id = {vs}"),
    );
    sql.text = format!("select r.seq, r.id, v.value {body}");
    visit_vector_rows(tx, &sql, visit).await
}

/// Runs `sql` (selecting seq, record id and vector bytes) and hands each row to `visit` as it
/// arrives.
async fn visit_vector_rows(
    tx: &mut Tx,
    sql: &Sql,
    mut visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    Query::with_args(&sql.text, &sql.args)
        .long()
        .for_each(tx, |row| {
            visit(row.get(0)?, RecordId(row.get(1)?), row.bytes(2)?);
            Ok(())
        })
        .await
}

/// Where a vector setting's vectors stand: see migrations 0006 and 0012.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorVersion {
    /// Raised by every write that changes the setting's vectors.
    pub current: i64,
    /// The value of `current` at the last removal of vectors (records deleted).
    pub removed: i64,
}

/// The version of a vector setting's vectors, or `None` when the setting is gone.
pub async fn vector_version(tx: &mut Tx, settings: VectorSettingsId) -> Result<Option<VectorVersion>, StoreError> {
    let sql = "select version, removed_version from vector_settings where id = $1";
    let row: Option<(i64, i64)> = db::query(sql).bind(settings.0).fetch_optional(tx).await?;
    Ok(row.map(|(current, removed)| VectorVersion { current, removed }))
}

/// How many vectors a vector setting has.
pub async fn count_vectors(tx: &mut Tx, settings: VectorSettingsId) -> Result<i64, StoreError> {
    let sql = "select count(*) from vectors where vector_settings_id = $1";
    db::query(sql).bind(settings.0).fetch_one::<i64>(tx).await
}

/// Streams the vectors of a vector setting to `visit` with their record's seq and id, in record
/// insertion order (the order similarity search breaks ties by): every vector, what an in-memory
/// copy loads, or with `changed_after` only those written by a write that raised the setting's
/// version past it, what brings a copy held at that version up to date.
pub async fn stream_vectors(
    tx: &mut Tx,
    settings: VectorSettingsId,
    changed_after: Option<i64>,
    visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    let mut sql = Sql::on(tx);
    let vs = sql.push(settings.0);
    let changed = match changed_after {
        Some(version) => format!(" and v.version > {}", sql.push(version)),
        None => String::new(),
    };
    sql.text = format!(
        "select r.seq, r.id, v.value from vectors v join records r on r.id = v.record_id \
         where v.vector_settings_id = {vs}{changed} order by r.seq"
    );
    visit_vector_rows(tx, &sql, visit).await
}
