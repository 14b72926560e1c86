//! Records and their vectors. A record is written through [`RecordWrites`] (or its two short
//! forms, [`insert_records`] and [`update_record`]), which keeps in the same transaction
//! everything derived from the row: the text index (`text_index.rs`), the metadata index
//! (`record_metadata`), the dataset's record counts and the vectors. No caller above the store
//! sees a record's `seq` or writes an index itself.

use crate::db::Json;
use loam_domain::distribution::RecordStatus;
use loam_domain::field_text::record_texts;
use loam_domain::model::{DatasetSchema, Record, Vector};
use std::collections::HashMap;

use loam_domain::{DatasetId, RecordId, Timestamp, UserId, VectorSettingsId};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::rows::{encode_f64, RecordRow, VectorRow};
use crate::{db, record_history, text_index, StoreError, Tx};

const COLUMNS: &str = "id, dataset_id, external_id, fields, metadata, status, inserted_at, updated_at";

/// `$first, $first+1, …` for `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The `VALUES` rows of a multi-row insert: `(…), (…)`, `n_rows` rows of `n_cols` parameters.
///
/// SQLite gets anonymous `?` parameters, which bind in order without a name to read and parse
/// (`db.rs` finds a numbered parameter's argument from its name), in a shorter statement text.
/// PostgreSQL only knows `$n`.
pub(crate) fn values_rows(tx: &Tx, n_rows: usize, n_cols: usize) -> String {
    let row = |i: usize| -> String {
        match tx {
            Tx::Sqlite(..) => format!("({})", vec!["?"; n_cols].join(", ")),
            Tx::Postgres(_) => format!("({})", placeholders(i * n_cols + 1, n_cols)),
        }
    };
    (0..n_rows).map(row).collect::<Vec<_>>().join(", ")
}

fn metadata_json(record: &Record) -> Option<Json<Value>> {
    record.metadata.clone().map(|it| Json(Value::Object(it)))
}

/// Whether an update of a record changes its field texts (the text index is rewritten then) or
/// only its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Texts {
    /// The fields are unchanged: the text index keeps the record's texts.
    Keep,
    /// The fields changed: the record's texts are replaced in the text index.
    Rewrite,
}

/// Record writes of one transaction, gathered so that each kind of row reaches the database in
/// multi-row statements: new records, updates of existing ones (fields, metadata and
/// `updated_at`), and vectors (of either). [`RecordWrites::write`] stores them with their text
/// index, metadata index and the datasets' record counts.
#[derive(Debug, Default)]
pub struct RecordWrites {
    inserts: Vec<Record>,
    updates: Vec<(Record, Texts)>,
    vectors: Vec<(RecordId, VectorSettingsId, Vec<f64>)>,
    /// Who makes the updates (the history's `changed_by`).
    by: Option<UserId>,
}

impl RecordWrites {
    /// A new record (its status counts towards its dataset's `completed_count`).
    pub fn insert(&mut self, record: Record) {
        self.inserts.push(record);
    }

    /// New fields, metadata and `updated_at` for an existing record.
    pub fn update(&mut self, record: Record, texts: Texts) {
        self.updates.push((record, texts));
    }

    /// Names who makes the updates, for the record history.
    pub fn by(&mut self, user: UserId) {
        self.by = Some(user);
    }

    /// Vectors of a record (new or existing), replacing the ones it has for the same settings.
    pub fn vectors(&mut self, record: RecordId, vectors: impl IntoIterator<Item = (VectorSettingsId, Vec<f64>)>) {
        self.vectors.extend(vectors.into_iter().map(|(settings, value)| (record, settings, value)));
    }

    /// Writes everything gathered, for records of the dataset whose settings are `schema` (the
    /// fields it names are the ones the text index holds, by their position). Updates leave the
    /// values they change in the record history (`record_history.rs`), read first in one
    /// statement per 500 records; inserts leave none.
    pub async fn write(self, tx: &mut Tx, schema: &DatasetSchema) -> Result<(), StoreError> {
        let before: HashMap<RecordId, record_history::Contents> = if self.updates.is_empty() {
            HashMap::new()
        } else {
            let ids: Vec<RecordId> = self.updates.iter().map(|(it, _)| it.id).collect();
            record_history::stored_contents(tx, &ids).await?
        };
        let mut texts: Vec<(i64, Vec<(i64, String)>)> = Vec::new();
        let mut reindexed: Vec<(i64, &Record)> = Vec::with_capacity(self.inserts.len() + self.updates.len());
        for (record, change) in &self.updates {
            let Some(seq) = update_row(tx, record).await? else {
                continue;
            };
            if *change == Texts::Rewrite {
                text_index::unindex_record(tx, seq).await?;
                texts.push((seq, record_texts(schema, &record.fields)));
            }
            reindexed.push((seq, record));
        }
        let seqs = insert_rows(tx, &self.inserts).await?;
        for (seq, record) in seqs.iter().zip(&self.inserts) {
            texts.push((*seq, record_texts(schema, &record.fields)));
            reindexed.push((*seq, record));
        }
        index_metadata(tx, &reindexed).await?;
        text_index::index_records(tx, &texts).await?;
        upsert_vectors(tx, &self.vectors).await?;
        let changed: Vec<_> =
            self.updates.iter().filter_map(|(record, _)| Some((before.get(&record.id)?, record))).collect();
        record_history::write_changes(tx, &changed, self.by).await
    }
}

/// Inserts records of the dataset whose settings are `schema`, with their texts, metadata index
/// entries and counts: [`RecordWrites`] with only new records.
pub async fn insert_records(tx: &mut Tx, schema: &DatasetSchema, batch: &[Record]) -> Result<(), StoreError> {
    let writes = RecordWrites { inserts: batch.to_vec(), ..RecordWrites::default() };
    writes.write(tx, schema).await
}

/// Writes a record's fields, metadata and `updated_at`, and re-indexes its metadata (and its
/// texts under [`Texts::Rewrite`]): [`RecordWrites`] with one update.
pub async fn update_record(tx: &mut Tx, schema: &DatasetSchema, r: &Record, texts: Texts) -> Result<(), StoreError> {
    let mut writes = RecordWrites::default();
    writes.update(r.clone(), texts);
    writes.write(tx, schema).await
}

/// Adds the texts of every record of `dataset` to the text index, a page at a time (`loam db
/// copy` builds the index in the target's form after copying the rows).
pub async fn index_dataset_texts(tx: &mut Tx, dataset: DatasetId, schema: &DatasetSchema) -> Result<(), StoreError> {
    const PAGE: i64 = 1000;
    let sql = "select seq, fields from records where dataset_id = $1 and seq > $2 order by seq limit $3";
    let mut after = i64::MIN;
    loop {
        let page: Vec<(i64, Json<Map<String, Value>>)> =
            db::query(sql).long().bind(dataset.0).bind(after).bind(PAGE).fetch_all(tx).await?;
        let Some((last, _)) = page.last() else {
            return Ok(());
        };
        after = *last;
        let texts: Vec<(i64, Vec<(i64, String)>)> =
            page.iter().map(|(seq, fields)| (*seq, record_texts(schema, &fields.0))).collect();
        text_index::index_records(tx, &texts).await?;
    }
}

/// Writes a record's row; returns its `seq`, and `None` when it is gone. Its metadata index
/// entries are removed, to be written again by the caller.
async fn update_row(tx: &mut Tx, r: &Record) -> Result<Option<i64>, StoreError> {
    let sql = "update records set fields = $2, metadata = $3, updated_at = $4 where id = $1 returning seq";
    let seq: Option<i64> = db::query(sql)
        .bind(r.id.0)
        .bind(Json(Value::Object(r.fields.clone())))
        .bind(metadata_json(r))
        .bind(r.updated_at.0)
        .fetch_optional(tx)
        .await?;
    if let Some(seq) = seq {
        let sql = "delete from record_metadata where record_seq = $1";
        db::query(sql).bind(seq).execute(tx).await?;
    }
    Ok(seq)
}

/// One indexed metadata value: (key, element position or -1 for the value itself, number, text).
type MetadataEntry<'a> = (&'a str, i64, Option<f64>, Option<&'a str>);

/// The entries of `record_metadata` (migration 0007) for a record's metadata: strings and numbers,
/// as values or as elements of a list.
fn metadata_entries(metadata: &serde_json::Map<String, Value>) -> Vec<MetadataEntry<'_>> {
    fn scalar(value: &Value) -> Option<(Option<f64>, Option<&str>)> {
        match value {
            Value::Number(n) => n.as_f64().map(|it| (Some(it), None)),
            Value::String(text) => Some((None, Some(text.as_str()))),
            _ => None,
        }
    }
    let mut res = Vec::new();
    for (name, value) in metadata {
        match value {
            Value::Array(items) => {
                for (pos, item) in items.iter().enumerate() {
                    if let Some((num, term)) = scalar(item) {
                        res.push((name.as_str(), pos as i64, num, term));
                    }
                }
            }
            other => {
                if let Some((num, term)) = scalar(other) {
                    res.push((name.as_str(), -1, num, term));
                }
            }
        }
    }
    res
}

/// Adds the metadata of records (with their seqs) to `record_metadata`.
async fn index_metadata(tx: &mut Tx, batch: &[(i64, &Record)]) -> Result<(), StoreError> {
    let rows: Vec<(i64, Uuid, MetadataEntry<'_>)> = batch
        .iter()
        .filter_map(|(seq, r)| Some((*seq, r.dataset_id.0, r.metadata.as_ref()?)))
        .flat_map(|(seq, ds, metadata)| metadata_entries(metadata).into_iter().map(move |it| (seq, ds, it)))
        .collect();
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "insert into record_metadata (record_seq, name, pos, dataset_id, num, term) values {}",
            values_rows(tx, chunk.len(), 6)
        );
        let mut q = db::query(&sql);
        for (seq, ds, (name, pos, num, term)) in chunk {
            q = q.bind(*seq).bind(*name).bind(*pos as i32).bind(*ds).bind(*num).bind(*term);
        }
        q.execute(tx).await?;
    }
    Ok(())
}

/// Takes the record's row lock (a no-op update), so that concurrent response writers on the same
/// record are serialised and each recount sees the others' committed responses. On SQLite a
/// write transaction (`BEGIN IMMEDIATE`, `Store::write`) already holds the database's only write
/// lock, which serialises them the same way, so there is nothing more to take.
pub async fn lock_record(tx: &mut Tx, id: RecordId) -> Result<(), StoreError> {
    if matches!(tx, Tx::Postgres(_)) {
        db::query("update records set status = status where id = $1").bind(id.0).execute(tx).await?;
    }
    Ok(())
}

/// Takes the row locks of records, in the order given (callers sort the ids, so that two
/// transactions locking some of the same records cannot deadlock), like [`lock_record`]: one
/// statement per chunk on PostgreSQL, nothing on SQLite. Returns whether locks were taken, that
/// is whether another transaction may have changed the records between an earlier read and the
/// lock (never on SQLite, whose write transaction excludes every other writer from its start).
pub async fn lock_records(tx: &mut Tx, ids: &[RecordId]) -> Result<bool, StoreError> {
    if !matches!(tx, Tx::Postgres(_)) || ids.is_empty() {
        return Ok(false);
    }
    if let [id] = ids {
        lock_record(tx, *id).await?;
        return Ok(true);
    }
    for chunk in ids.chunks(BATCH_ROWS) {
        // Rows are locked as the sorted scan returns them: in id order.
        let sql = format!(
            "select id from records where id in ({}) order by id for no key update",
            placeholders(1, chunk.len())
        );
        let _: Vec<Uuid> = db::query(&sql).bind_all(chunk.iter().map(|id| id.0)).fetch_all(tx).await?;
    }
    Ok(true)
}

/// Sets a record's status, keeping its dataset's `completed_count` (migration 0009).
pub async fn set_status(tx: &mut Tx, id: RecordId, status: RecordStatus) -> Result<(), StoreError> {
    if let Some((dataset, delta)) = change_status(tx, id, status).await? {
        add_to_counts(tx, dataset, 0, delta).await?;
    }
    Ok(())
}

/// Sets the statuses of records of `dataset` (those that differ), with the dataset's
/// `completed_count` changed by them in one statement, which also sets its last activity to
/// `activity` when given: what every recompute after a response change ends with.
pub async fn set_statuses(
    tx: &mut Tx,
    dataset: DatasetId,
    statuses: &[(RecordId, RecordStatus)],
    activity: Option<Timestamp>,
) -> Result<(), StoreError> {
    let mut delta = 0;
    for (id, status) in statuses {
        delta += change_status(tx, *id, *status).await?.map_or(0, |(_, delta)| delta);
    }
    match activity {
        Some(at) => {
            let sql = "update datasets set last_activity_at = $2, completed_count = completed_count + $3 where id = $1";
            db::query(sql).bind(dataset.0).bind(at.0).bind(delta).execute(tx).await?;
        }
        None if delta != 0 => add_to_counts(tx, dataset.0, 0, delta).await?,
        None => {}
    }
    Ok(())
}

/// Sets a record's status when it differs; returns its dataset and the change to the dataset's
/// `completed_count` (+1 or -1) then.
async fn change_status(tx: &mut Tx, id: RecordId, status: RecordStatus) -> Result<Option<(Uuid, i64)>, StoreError> {
    let sql = "update records set status = $2 where id = $1 and status <> $2 returning dataset_id";
    let changed: Option<Uuid> = db::query(sql).bind(id.0).bind(status.as_str()).fetch_optional(tx).await?;
    Ok(changed.map(|dataset| (dataset, if status == RecordStatus::Completed { 1 } else { -1 })))
}

pub async fn find_record(tx: &mut Tx, id: RecordId) -> Result<Option<Record>, StoreError> {
    let sql = format!("select {COLUMNS} from records where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<RecordRow>(tx).await?;
    row.map(Record::try_from).transpose()
}

/// Records of `dataset` with the given ids (others are left out), in no particular order.
pub async fn find_records(tx: &mut Tx, dataset: DatasetId, ids: &[RecordId]) -> Result<Vec<Record>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // By id only, the dataset checked here: with `dataset_id = ?` beside a list of ten or more
    // ids, SQLite's planner (without statistics) walks the dataset's index instead of looking
    // the ids up, which costs a scan of every record of the dataset.
    let sql = format!("select {COLUMNS} from records where id in ({})", placeholders(1, ids.len()));
    let rows = db::query(&sql).bind_all(ids.iter().map(|id| id.0)).fetch_all::<RecordRow>(tx).await?;
    let records: Vec<Record> = rows.into_iter().map(Record::try_from).collect::<Result<_, _>>()?;
    Ok(records.into_iter().filter(|it| it.dataset_id == dataset).collect())
}

/// Records of `dataset` with the given external ids, in no particular order.
pub async fn find_records_by_external_id(
    tx: &mut Tx,
    dataset: DatasetId,
    external_ids: &[&str],
) -> Result<Vec<Record>, StoreError> {
    // An id holding NUL is never stored (writes refuse it), and PostgreSQL cannot even compare
    // one: such ids are not asked for, so a lookup of a bad payload finds nothing, on both engines.
    let stored: Vec<&str>;
    let external_ids = if external_ids.iter().any(|it| it.contains('\0')) {
        stored = external_ids.iter().copied().filter(|it| !it.contains('\0')).collect();
        &stored[..]
    } else {
        external_ids
    };
    if external_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select {COLUMNS} from records where dataset_id = $1 and external_id in ({})",
        placeholders(2, external_ids.len())
    );
    let rows =
        db::query(&sql).bind(dataset.0).bind_all(external_ids.iter().copied()).fetch_all::<RecordRow>(tx).await?;
    rows.into_iter().map(Record::try_from).collect()
}

/// A page of a dataset's records in insertion order.
pub async fn list_records(tx: &mut Tx, dataset: DatasetId, offset: i64, limit: i64) -> Result<Vec<Record>, StoreError> {
    let sql = format!("select {COLUMNS} from records where dataset_id = $1 order by seq limit $2 offset $3");
    let rows = db::query(&sql).bind(dataset.0).bind(limit).bind(offset).fetch_all::<RecordRow>(tx).await?;
    rows.into_iter().map(Record::try_from).collect()
}

/// The number of records of `dataset` (kept in `datasets.records_count`, migration 0008).
pub async fn count_records(tx: &mut Tx, dataset: DatasetId) -> Result<i64, StoreError> {
    let sql = "select coalesce((select records_count from datasets where id = $1), 0)";
    db::query(sql).long().bind(dataset.0).fetch_one::<i64>(tx).await
}

/// Ids of the records of `dataset` that have at least one response.
pub async fn list_answered_record_ids(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<RecordId>, StoreError> {
    let sql = "select distinct record_id from responses where dataset_id = $1";
    let ids: Vec<Uuid> = db::query(sql).long().bind(dataset.0).fetch_all(tx).await?;
    Ok(ids.into_iter().map(RecordId).collect())
}

/// Deletes the records of `dataset` among `ids`; returns the ids actually deleted.
pub async fn delete_records(tx: &mut Tx, dataset: DatasetId, ids: &[RecordId]) -> Result<Vec<RecordId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids of this dataset first, looked up by id (see `find_records` for why the list must
    // drive the lookup), then deleted by id.
    let sql = format!("select id, dataset_id from records where id in ({})", placeholders(1, ids.len()));
    let found: Vec<(Uuid, Uuid)> = db::query(&sql).bind_all(ids.iter().map(|id| id.0)).fetch_all(tx).await?;
    let ids: Vec<Uuid> = found.into_iter().filter(|(_, ds)| *ds == dataset.0).map(|(id, _)| id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("delete from records where id in ({}) returning id, status", placeholders(1, ids.len()));
    let deleted: Vec<(Uuid, String)> = db::query(&sql).long().bind_all(ids.iter().copied()).fetch_all(tx).await?;
    let completed = deleted.iter().filter(|(_, status)| status == RecordStatus::Completed.as_str()).count() as i64;
    let deleted: Vec<Uuid> = deleted.into_iter().map(|(id, _)| id).collect();
    if !deleted.is_empty() {
        add_to_counts(tx, dataset.0, -(deleted.len() as i64), -completed).await?;
        // Their vectors went with them (a cascade): copies held in memory must be read again whole.
        let sql = "update vector_settings set version = version + 1, removed_version = version + 1 \
                   where dataset_id = $1";
        db::query(sql).bind(dataset.0).execute(tx).await?;
    }
    Ok(deleted.into_iter().map(RecordId).collect())
}

/// Adds to a dataset's `records_count` (migration 0008) and `completed_count` (0009).
async fn add_to_counts(tx: &mut Tx, dataset: Uuid, records: i64, completed: i64) -> Result<(), StoreError> {
    let sql = "update datasets set records_count = records_count + $2, completed_count = completed_count + $3 \
               where id = $1";
    db::query(sql).bind(dataset).bind(records).bind(completed).execute(tx).await?;
    Ok(())
}

// Vectors ------------------------------------------------------------------------------------

/// Vectors of the given records.
pub async fn list_vectors(tx: &mut Tx, records: &[RecordId]) -> Result<Vec<Vector>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select record_id, vector_settings_id, value from vectors where record_id in ({})",
        placeholders(1, records.len())
    );
    let rows = db::query(&sql).bind_all(records.iter().map(|id| id.0)).fetch_all::<VectorRow>(tx).await?;
    Ok(rows.into_iter().map(Vector::from).collect())
}

/// Rows per multi-row statement: well under both engines' bind-parameter limits.
const BATCH_ROWS: usize = 200;

/// Inserts records' rows in multi-row statements and counts them in their datasets; returns each
/// record's `seq`, in input order.
async fn insert_rows(tx: &mut Tx, batch: &[Record]) -> Result<Vec<i64>, StoreError> {
    let mut seqs: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::with_capacity(batch.len());
    for chunk in batch.chunks(BATCH_ROWS) {
        let sql =
            format!("insert into records ({COLUMNS}) values {} returning id, seq", values_rows(tx, chunk.len(), 8));
        let mut q = db::query(&sql);
        for r in chunk {
            q = q
                .bind(r.id.0)
                .bind(r.dataset_id.0)
                .bind(&r.external_id)
                .bind(Json(Value::Object(r.fields.clone())))
                .bind(metadata_json(r))
                .bind(r.status.as_str())
                .bind(r.inserted_at.0)
                .bind(r.updated_at.0);
        }
        let returned: Vec<(Uuid, i64)> = q.fetch_all(tx).await?;
        seqs.extend(returned);
    }
    let seqs: Vec<i64> = batch
        .iter()
        .map(|r| {
            seqs.get(&r.id.0).copied().ok_or_else(|| StoreError::Corrupt(format!("record {} was not inserted", r.id)))
        })
        .collect::<Result<_, _>>()?;
    let mut per_dataset: std::collections::BTreeMap<Uuid, (i64, i64)> = std::collections::BTreeMap::new();
    for r in batch {
        let counts = per_dataset.entry(r.dataset_id.0).or_default();
        counts.0 += 1;
        counts.1 += i64::from(r.status == RecordStatus::Completed);
    }
    for (dataset, (n, completed)) in per_dataset {
        add_to_counts(tx, dataset, n, completed).await?;
    }
    Ok(seqs)
}

/// Inserts or replaces many vectors in multi-row statements, and raises the version of each vector
/// setting they belong to (see migration 0006), stamping the vectors with it (migration 0012).
async fn upsert_vectors(tx: &mut Tx, batch: &[(RecordId, VectorSettingsId, Vec<f64>)]) -> Result<(), StoreError> {
    let mut settings: Vec<Uuid> = batch.iter().map(|(_, it, _)| it.0).collect();
    settings.sort_unstable();
    settings.dedup();
    let mut versions = std::collections::HashMap::with_capacity(settings.len());
    for id in settings {
        let sql = "update vector_settings set version = version + 1 where id = $1 returning version";
        // A setting that is gone leaves its vectors to the foreign key to refuse.
        let version: i64 = db::query(sql).bind(id).fetch_optional(tx).await?.unwrap_or_default();
        versions.insert(id, version);
    }
    for chunk in batch.chunks(BATCH_ROWS) {
        let sql = format!(
            "insert into vectors (record_id, vector_settings_id, value, version) values {} \
             on conflict (record_id, vector_settings_id) do update set value = excluded.value, version = excluded.version",
            values_rows(tx, chunk.len(), 4)
        );
        let mut q = db::query(&sql);
        for (record, settings, value) in chunk {
            let version = versions.get(&settings.0).copied().unwrap_or_default();
            q = q.bind(record.0).bind(settings.0).bind(encode_f64(value)).bind(version);
        }
        q.execute(tx).await?;
    }
    Ok(())
}
