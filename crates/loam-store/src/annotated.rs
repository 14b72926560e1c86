//! A dataset's records read in batches with everything agreement, consolidation and the exports
//! need of them: their responses (with the responder's username) and suggestions. Batches follow
//! insertion order; a [`Cursor`] says where the next one starts without showing `seq`.

use std::collections::HashMap;

use loam_domain::answer::{AnnotatedRecord, NamedResponse};
use loam_domain::model::{Record, Response, Suggestion};
use loam_domain::{DatasetId, RecordId};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, from_row, Json};
use crate::records::placeholders;
use crate::rows::{RecordRow, ResponseRow, SuggestionRow};
use crate::{StoreError, Tx};

/// Where the next batch starts: after the last record of the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(i64);

/// Which responses a batch carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Responses {
    All,
    Submitted,
}

struct SeqRecordRow {
    seq: i64,
    id: Uuid,
    dataset_id: Uuid,
    external_id: Option<String>,
    fields: Json<Value>,
    metadata: Option<Json<Value>>,
    status: String,
    inserted_at: i64,
    updated_at: i64,
}

from_row!(SeqRecordRow { seq, id, dataset_id, external_id, fields, metadata, status, inserted_at, updated_at });

struct NamedResponseRow {
    id: Uuid,
    record_id: Uuid,
    user_id: Uuid,
    answers: Option<Json<Value>>,
    status: String,
    inserted_at: i64,
    updated_at: i64,
    username: String,
}

from_row!(NamedResponseRow { id, record_id, user_id, answers, status, inserted_at, updated_at, username });

/// Up to `limit` records of `dataset` after `after` (from the first when `None`), in insertion
/// order, each with its responses (by creation) and suggestions; the cursor of the next batch,
/// `None` when this one reached the end.
pub async fn read_annotated(
    tx: &mut Tx,
    dataset: DatasetId,
    after: Option<Cursor>,
    limit: i64,
    responses: Responses,
) -> Result<(Vec<AnnotatedRecord>, Option<Cursor>), StoreError> {
    let sql = "select seq, id, dataset_id, external_id, fields, metadata, status, inserted_at, updated_at \
               from records where dataset_id = $1 and seq > $2 order by seq limit $3";
    let after_seq = after.map_or(-1, |it| it.0);
    let rows = db::query(sql).bind(dataset.0).bind(after_seq).bind(limit.max(1)).fetch_all::<SeqRecordRow>(tx).await?;
    let next = match rows.last() {
        Some(last) if rows.len() as i64 >= limit.max(1) => Some(Cursor(last.seq)),
        _ => None,
    };
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        records.push(Record::try_from(RecordRow {
            id: row.id,
            dataset_id: row.dataset_id,
            external_id: row.external_id,
            fields: row.fields,
            metadata: row.metadata,
            status: row.status,
            inserted_at: row.inserted_at,
            updated_at: row.updated_at,
        })?);
    }
    let ids: Vec<RecordId> = records.iter().map(|it| it.id).collect();
    let mut answers = named_responses(tx, &ids, responses).await?;
    let mut suggestions = suggestions_by_record(tx, &ids).await?;
    let batch = records
        .into_iter()
        .map(|record| AnnotatedRecord {
            responses: answers.remove(&record.id).unwrap_or_default(),
            suggestions: suggestions.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect();
    Ok((batch, next))
}

async fn named_responses(
    tx: &mut Tx,
    records: &[RecordId],
    which: Responses,
) -> Result<HashMap<RecordId, Vec<NamedResponse>>, StoreError> {
    let mut by_record: HashMap<RecordId, Vec<NamedResponse>> = HashMap::new();
    if records.is_empty() {
        return Ok(by_record);
    }
    let status = match which {
        Responses::All => "",
        Responses::Submitted => "and r.status = 'submitted' ",
    };
    let sql = format!(
        "select r.id, r.record_id, r.user_id, r.answers, r.status, r.inserted_at, r.updated_at, u.username \
         from responses r join users u on u.id = r.user_id \
         where r.record_id in ({}) {status}order by r.inserted_at, r.id",
        placeholders(1, records.len())
    );
    let rows = db::query(&sql).bind_all(records.iter().map(|id| id.0)).fetch_all::<NamedResponseRow>(tx).await?;
    for row in rows {
        let response = Response::try_from(ResponseRow {
            id: row.id,
            record_id: row.record_id,
            user_id: row.user_id,
            answers: row.answers,
            status: row.status,
            inserted_at: row.inserted_at,
            updated_at: row.updated_at,
        })?;
        by_record.entry(response.record_id).or_default().push(NamedResponse { username: row.username, response });
    }
    Ok(by_record)
}

async fn suggestions_by_record(
    tx: &mut Tx,
    records: &[RecordId],
) -> Result<HashMap<RecordId, Vec<Suggestion>>, StoreError> {
    let mut by_record: HashMap<RecordId, Vec<Suggestion>> = HashMap::new();
    if records.is_empty() {
        return Ok(by_record);
    }
    let sql = format!(
        "select id, record_id, question_id, value, score, agent, kind, inserted_at, updated_at \
         from suggestions where record_id in ({}) order by inserted_at, id",
        placeholders(1, records.len())
    );
    let rows = db::query(&sql).bind_all(records.iter().map(|id| id.0)).fetch_all::<SuggestionRow>(tx).await?;
    for row in rows {
        let suggestion = Suggestion::from(row);
        by_record.entry(suggestion.record_id).or_default().push(suggestion);
    }
    Ok(by_record)
}
