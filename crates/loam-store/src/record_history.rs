//! Record history (migration 0018): the previous and new value of every field and metadata
//! value an update of a record changed, written by the record write ([`crate::records::RecordWrites`])
//! in the transaction of the update, and read back newest first.

use loam_domain::history::{record_changes, ChangeKind, HistoryEntry, ValueChange};
use loam_domain::model::Record;
use loam_domain::{RecordId, Timestamp, UserId};
use std::collections::HashMap;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::{self, from_row, Json};
use crate::records::{placeholders, values_rows};
use crate::{StoreError, Tx};

struct HistoryRow {
    id: Uuid,
    record_id: Uuid,
    kind: String,
    name: String,
    previous: Option<Json<Value>>,
    value: Option<Json<Value>>,
    changed_by: Option<Uuid>,
    username: Option<String>,
    changed_at: i64,
}

from_row!(HistoryRow { id, record_id, kind, name, previous, value, changed_by, username, changed_at });

/// A record's fields and metadata.
pub(crate) type Contents = (Map<String, Value>, Option<Map<String, Value>>);

/// A stored record's fields and metadata, as read.
type ContentsRow = (Uuid, Json<Map<String, Value>>, Option<Json<Map<String, Value>>>);

/// The stored fields and metadata of records about to be updated, by id.
pub(crate) async fn stored_contents(tx: &mut Tx, ids: &[RecordId]) -> Result<HashMap<RecordId, Contents>, StoreError> {
    let mut res = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!("select id, fields, metadata from records where id in ({})", placeholders(1, chunk.len()));
        let rows: Vec<ContentsRow> = db::query(&sql).bind_all(chunk.iter().map(|it| it.0)).fetch_all(tx).await?;
        res.extend(rows.into_iter().map(|(id, fields, metadata)| (RecordId(id), (fields.0, metadata.map(|it| it.0)))));
    }
    Ok(res)
}

/// Writes the changes from `before` (fields, metadata) to `after`, made by `by` at the record's
/// `updated_at`; nothing when no value differs.
pub(crate) async fn write_changes(
    tx: &mut Tx,
    updates: &[(&Contents, &Record)],
    by: Option<UserId>,
) -> Result<(), StoreError> {
    let mut rows: Vec<(&Record, ValueChange)> = Vec::new();
    for ((fields, metadata), after) in updates {
        for change in record_changes(fields, metadata.as_ref(), &after.fields, after.metadata.as_ref()) {
            rows.push((*after, change));
        }
    }
    for chunk in rows.chunks(100) {
        let sql = format!(
            "insert into record_history (id, record_id, dataset_id, kind, name, previous, value, changed_by, \
             changed_at) values {}",
            values_rows(tx, chunk.len(), 9)
        );
        let mut q = db::query(&sql);
        for (record, change) in chunk {
            q = q
                .bind(Uuid::now_v7())
                .bind(record.id.0)
                .bind(record.dataset_id.0)
                .bind(change.kind.as_str())
                .bind(change.name.as_str())
                .bind(change.previous.clone().map(Json))
                .bind(change.value.clone().map(Json))
                .bind(by.map(|it| it.0))
                .bind(record.updated_at.0);
        }
        q.execute(tx).await?;
    }
    Ok(())
}

/// A record's changes, newest first.
pub async fn list_history(tx: &mut Tx, record: RecordId) -> Result<Vec<HistoryEntry>, StoreError> {
    let sql = "select h.id, h.record_id, h.kind, h.name, h.previous, h.value, h.changed_by, u.username, \
               h.changed_at from record_history h left join users u on u.id = h.changed_by \
               where h.record_id = $1 order by h.changed_at desc, h.id desc";
    let rows: Vec<HistoryRow> = db::query(sql).bind(record.0).fetch_all(tx).await?;
    rows.into_iter()
        .map(|row| {
            let kind = ChangeKind::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("record_history.kind `{}`", row.kind)))?;
            Ok(HistoryEntry {
                id: row.id,
                record_id: RecordId(row.record_id),
                change: ValueChange {
                    kind,
                    name: row.name,
                    previous: row.previous.map(|it| it.0),
                    value: row.value.map(|it| it.0),
                },
                changed_by: row.changed_by.map(UserId),
                username: row.username,
                changed_at: Timestamp(row.changed_at),
            })
        })
        .collect()
}
