//! A dataset's records read in batches with everything agreement, consolidation and the exports
//! need of them: their responses (with the responder's username) and suggestions. Batches follow
//! insertion order; a [`Cursor`] says where the next one starts without showing `seq`.
//!
//! A batch is three statements: its records by `seq`, then the responses and the suggestions of
//! the same `seq` range joined to them (not an `in (…)` list of a thousand ids: SQLite looks each
//! numbered parameter up by a linear walk, which made binding them the largest single cost of the
//! agreement report). [`read_annotated_with`] can leave each record's `fields` and `metadata`
//! out, which agreement does unless a span question needs the text.

use std::collections::HashMap;

use loam_domain::answer::{AnnotatedRecord, NamedResponse};
use loam_domain::model::{Record, Response, Suggestion};
use loam_domain::{DatasetId, RecordId};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::{self, FromRow, Json, Row};
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

/// What a batch carries of its records: always their ids, external ids, statuses, times,
/// responses (as `responses` says) and suggestions; `fields` and `metadata` only when asked
/// (left out, `fields` reads as an empty map and `metadata` as `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contents {
    pub responses: Responses,
    pub fields: bool,
    pub metadata: bool,
}

impl Contents {
    /// Everything: what [`read_annotated`] reads.
    pub fn full(responses: Responses) -> Self {
        Contents { responses, fields: true, metadata: true }
    }
}

struct SeqRecordRow {
    seq: i64,
    id: Uuid,
    dataset_id: Uuid,
    external_id: Option<String>,
    fields: Option<Json<Value>>,
    metadata: Option<Json<Value>>,
    status: String,
    inserted_at: i64,
    updated_at: i64,
}

/// The rows here are read by column position, in the order of their statements' `select` lists:
/// by name, each value would walk the statement's column names to find its own.
impl FromRow for SeqRecordRow {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(SeqRecordRow {
            seq: row.get(0)?,
            id: row.get(1)?,
            dataset_id: row.get(2)?,
            external_id: row.get(3)?,
            fields: row.get(4)?,
            metadata: row.get(5)?,
            status: row.get(6)?,
            inserted_at: row.get(7)?,
            updated_at: row.get(8)?,
        })
    }
}

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

impl FromRow for NamedResponseRow {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(NamedResponseRow {
            id: row.get(0)?,
            record_id: row.get(1)?,
            user_id: row.get(2)?,
            answers: row.get(3)?,
            status: row.get(4)?,
            inserted_at: row.get(5)?,
            updated_at: row.get(6)?,
            username: row.get(7)?,
        })
    }
}

/// A suggestion row read by position (see [`SeqRecordRow`]).
struct PlacedSuggestionRow(SuggestionRow);

impl FromRow for PlacedSuggestionRow {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
        Ok(PlacedSuggestionRow(SuggestionRow {
            id: row.get(0)?,
            record_id: row.get(1)?,
            question_id: row.get(2)?,
            value: row.get(3)?,
            score: row.get(4)?,
            agent: row.get(5)?,
            kind: row.get(6)?,
            inserted_at: row.get(7)?,
            updated_at: row.get(8)?,
        }))
    }
}

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
    read_annotated_with(tx, dataset, after, limit, Contents::full(responses)).await
}

/// [`read_annotated`], carrying of each record what `contents` asks for.
pub async fn read_annotated_with(
    tx: &mut Tx,
    dataset: DatasetId,
    after: Option<Cursor>,
    limit: i64,
    contents: Contents,
) -> Result<(Vec<AnnotatedRecord>, Option<Cursor>), StoreError> {
    let fields = if contents.fields { "fields" } else { "null as fields" };
    let metadata = if contents.metadata { "metadata" } else { "null as metadata" };
    let sql = format!(
        "select seq, id, dataset_id, external_id, {fields}, {metadata}, status, inserted_at, updated_at \
         from records where dataset_id = $1 and seq > $2 order by seq limit $3"
    );
    let after_seq = after.map_or(-1, |it| it.0);
    let rows = db::query(&sql).bind(dataset.0).bind(after_seq).bind(limit.max(1)).fetch_all::<SeqRecordRow>(tx).await?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok((Vec::new(), None));
    };
    let seqs = (first.seq, last.seq);
    let next = (rows.len() as i64 >= limit.max(1)).then_some(Cursor(last.seq));
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        records.push(Record::try_from(RecordRow {
            id: row.id,
            dataset_id: row.dataset_id,
            external_id: row.external_id,
            fields: row.fields.unwrap_or(Json(Value::Object(Map::new()))),
            metadata: row.metadata,
            status: row.status,
            inserted_at: row.inserted_at,
            updated_at: row.updated_at,
        })?);
    }
    let mut answers = named_responses(tx, dataset, seqs, contents.responses).await?;
    let mut suggestions = suggestions_by_record(tx, dataset, seqs).await?;
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

/// The responses to the records of `dataset` whose `seq` lies in `seqs` (inclusive), by record.
async fn named_responses(
    tx: &mut Tx,
    dataset: DatasetId,
    seqs: (i64, i64),
    which: Responses,
) -> Result<HashMap<RecordId, Vec<NamedResponse>>, StoreError> {
    let mut by_record: HashMap<RecordId, Vec<NamedResponse>> = HashMap::new();
    let status = match which {
        Responses::All => "",
        Responses::Submitted => "and r.status = 'submitted' ",
    };
    let sql = format!(
        "select r.id, r.record_id, r.user_id, r.answers, r.status, r.inserted_at, r.updated_at, u.username \
         from records rec join responses r on r.record_id = rec.id join users u on u.id = r.user_id \
         where rec.dataset_id = $1 and rec.seq >= $2 and rec.seq <= $3 {status}\
         order by rec.seq, r.inserted_at, r.id"
    );
    let rows = db::query(&sql).bind(dataset.0).bind(seqs.0).bind(seqs.1).fetch_all::<NamedResponseRow>(tx).await?;
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

/// The suggestions for the records of `dataset` whose `seq` lies in `seqs` (inclusive), by record.
async fn suggestions_by_record(
    tx: &mut Tx,
    dataset: DatasetId,
    seqs: (i64, i64),
) -> Result<HashMap<RecordId, Vec<Suggestion>>, StoreError> {
    let mut by_record: HashMap<RecordId, Vec<Suggestion>> = HashMap::new();
    let sql =
        "select s.id, s.record_id, s.question_id, s.value, s.score, s.agent, s.kind, s.inserted_at, s.updated_at \
               from records rec join suggestions s on s.record_id = rec.id \
               where rec.dataset_id = $1 and rec.seq >= $2 and rec.seq <= $3 \
               order by rec.seq, s.inserted_at, s.id";
    let rows = db::query(sql).bind(dataset.0).bind(seqs.0).bind(seqs.1).fetch_all::<PlacedSuggestionRow>(tx).await?;
    for row in rows {
        let suggestion = Suggestion::from(row.0);
        by_record.entry(suggestion.record_id).or_default().push(suggestion);
    }
    Ok(by_record)
}
