//! A batch of annotated records as read: every row's text columns copied into one buffer and
//! referred to by their place in it, so reading a batch allocates a handful of buffers however
//! many rows it holds. [`RawBatch::decode`] parses the JSON and builds the domain's records; it
//! needs no transaction, so an export runs it on another thread than the reading.

use std::ops::Range;

use loam_domain::answer::{AnnotatedRecord, NamedResponse};
use loam_domain::distribution::RecordStatus;
use loam_domain::model::{Record, Response, Suggestion};
use loam_domain::stored::{StoredBatch, StoredHead, StoredResponse, StoredSuggestion};
use loam_domain::value::ResponseStatus;
use loam_domain::RecordId;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::{Json, Row};
use crate::rows::{RecordRow, ResponseRow, SuggestionRow};
use crate::StoreError;

/// Text a row held: its place in [`RawBatch::bytes`] (`None` for NULL).
type Text = Option<Range<usize>>;

/// A batch of records with their responses and suggestions, not yet decoded.
#[derive(Debug, Default)]
pub struct RawBatch {
    bytes: Vec<u8>,
    pub(super) records: Vec<RawRecord>,
    responses: Vec<RawResponse>,
    suggestions: Vec<RawSuggestion>,
}

#[derive(Debug)]
pub(super) struct RawRecord {
    pub seq: i64,
    id: Uuid,
    dataset_id: Uuid,
    external_id: Text,
    fields: Text,
    metadata: Text,
    status: Text,
    inserted_at: i64,
    updated_at: i64,
}

#[derive(Debug)]
struct RawResponse {
    seq: i64,
    id: Uuid,
    record_id: Uuid,
    user_id: Uuid,
    answers: Text,
    status: Text,
    inserted_at: i64,
    updated_at: i64,
    username: Text,
}

#[derive(Debug)]
struct RawSuggestion {
    seq: i64,
    id: Uuid,
    record_id: Uuid,
    question_id: Uuid,
    value: Text,
    score: Text,
    agent: Text,
    kind: Text,
    inserted_at: i64,
    updated_at: i64,
}

impl RawBatch {
    pub(super) fn with_capacity(records: usize) -> Self {
        RawBatch {
            // About a kilobyte of text per record with its responses and suggestions.
            bytes: Vec::with_capacity(records * 1024),
            records: Vec::with_capacity(records),
            responses: Vec::with_capacity(records * 2),
            suggestions: Vec::with_capacity(records * 2),
        }
    }

    /// How many records the batch holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records' ids, in order.
    pub fn record_ids(&self) -> Vec<RecordId> {
        self.records.iter().map(|it| it.id.into()).collect()
    }

    fn keep(&mut self, text: Option<&[u8]>) -> Text {
        let bytes = text?;
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        Some(start..self.bytes.len())
    }

    /// Keeps a row of `select seq, id, dataset_id, external_id, fields, metadata, status,
    /// inserted_at, updated_at` (the JSON columns as text).
    pub(super) fn push_record(&mut self, row: &Row<'_>) -> Result<(), StoreError> {
        let record = RawRecord {
            seq: row.get(0)?,
            id: row.get(1)?,
            dataset_id: row.get(2)?,
            external_id: self.keep(row.text(3)?),
            fields: self.keep(row.text(4)?),
            metadata: self.keep(row.text(5)?),
            status: self.keep(row.text(6)?),
            inserted_at: row.get(7)?,
            updated_at: row.get(8)?,
        };
        self.records.push(record);
        Ok(())
    }

    /// Keeps a row of `select rec.seq, r.id, r.record_id, r.user_id, r.answers, r.status,
    /// r.inserted_at, r.updated_at` (answers as text); its username comes from
    /// [`RawBatch::name_responders`].
    pub(super) fn push_response(&mut self, row: &Row<'_>) -> Result<(), StoreError> {
        let response = RawResponse {
            seq: row.get(0)?,
            id: row.get(1)?,
            record_id: row.get(2)?,
            user_id: row.get(3)?,
            answers: self.keep(row.text(4)?),
            status: self.keep(row.text(5)?),
            inserted_at: row.get(6)?,
            updated_at: row.get(7)?,
            username: None,
        };
        self.responses.push(response);
        Ok(())
    }

    /// The users who gave the batch's responses (with repeats).
    pub(super) fn responders(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.responses.iter().map(|it| it.user_id)
    }

    /// Gives each response its user's name; a response whose user `name` does not know is left
    /// out, as a join to `users` would leave it.
    pub(super) fn name_responders<'n>(&mut self, name: impl Fn(&Uuid) -> Option<&'n str>) {
        let mut responses = std::mem::take(&mut self.responses);
        responses.retain_mut(|it| match name(&it.user_id) {
            Some(username) => {
                it.username = self.keep(Some(username.as_bytes()));
                true
            }
            None => false,
        });
        self.responses = responses;
    }

    /// Puts each record's responses and suggestions in creation order (then by id), the order
    /// [`RawBatch::decode`] hands them out in; they were read grouped by record `seq`.
    pub(super) fn sort_runs(&mut self) {
        self.responses.sort_unstable_by_key(|it| (it.seq, it.inserted_at, it.id));
        self.suggestions.sort_unstable_by_key(|it| (it.seq, it.inserted_at, it.id));
    }

    /// Keeps a row of `select rec.seq, s.id, s.record_id, s.question_id, s.value, s.score,
    /// s.agent, s.kind, s.inserted_at, s.updated_at` (value and score as text).
    pub(super) fn push_suggestion(&mut self, row: &Row<'_>) -> Result<(), StoreError> {
        let suggestion = RawSuggestion {
            seq: row.get(0)?,
            id: row.get(1)?,
            record_id: row.get(2)?,
            question_id: row.get(3)?,
            value: self.keep(row.text(4)?),
            score: self.keep(row.text(5)?),
            agent: self.keep(row.text(6)?),
            kind: self.keep(row.text(7)?),
            inserted_at: row.get(8)?,
            updated_at: row.get(9)?,
        };
        self.suggestions.push(suggestion);
        Ok(())
    }

    /// The batch as stored, borrowing its text: ids and statuses read, JSON columns left as text
    /// for the caller to parse (what [`RawBatch::decode`] holds, without its `Value` trees).
    pub fn stored(&self) -> Result<StoredBatch<'_>, StoreError> {
        // One check of the whole buffer; a text's range must then fall on character boundaries.
        let all = std::str::from_utf8(&self.bytes).map_err(|err| StoreError::Corrupt(format!("batch text: {err}")))?;
        let text = |place: &Text, what: &str| -> Result<Option<&str>, StoreError> {
            match place {
                None => Ok(None),
                Some(range) => {
                    all.get(range.clone()).map(Some).ok_or_else(|| StoreError::Corrupt(format!("{what}: not UTF-8")))
                }
            }
        };
        let required =
            |place: &Text, what: &str| text(place, what)?.ok_or_else(|| StoreError::Corrupt(format!("{what}: NULL")));
        let mut batch = StoredBatch {
            records: Vec::with_capacity(self.records.len()),
            responses: Vec::with_capacity(self.responses.len()),
            suggestions: Vec::with_capacity(self.suggestions.len()),
        };
        let mut responses = self.responses.iter().peekable();
        let mut suggestions = self.suggestions.iter().peekable();
        for raw in &self.records {
            let status = required(&raw.status, "records.status")?;
            let status =
                RecordStatus::parse(status).ok_or_else(|| StoreError::Corrupt(format!("record status: {status}")))?;
            let first_response = batch.responses.len();
            while let Some(row) = responses.next_if(|it| it.seq <= raw.seq) {
                if row.seq < raw.seq {
                    continue; // of no record of the batch (cannot happen: same filter)
                }
                let status = required(&row.status, "responses.status")?;
                let status = ResponseStatus::parse(status)
                    .ok_or_else(|| StoreError::Corrupt(format!("response status: {status}")))?;
                batch.responses.push(StoredResponse {
                    user_id: row.user_id.into(),
                    username: required(&row.username, "users.username")?,
                    answers: text(&row.answers, "responses.answers")?,
                    status,
                });
            }
            let first_suggestion = batch.suggestions.len();
            while let Some(row) = suggestions.next_if(|it| it.seq <= raw.seq) {
                if row.seq < raw.seq {
                    continue;
                }
                batch.suggestions.push(StoredSuggestion {
                    question_id: row.question_id.into(),
                    value: required(&row.value, "suggestions.value")?,
                    score: text(&row.score, "suggestions.score")?,
                    agent: text(&row.agent, "suggestions.agent")?,
                });
            }
            batch.records.push(StoredHead {
                id: raw.id.into(),
                external_id: text(&raw.external_id, "records.external_id")?,
                fields: text(&raw.fields, "records.fields")?,
                metadata: text(&raw.metadata, "records.metadata")?,
                status,
                responses: first_response..batch.responses.len(),
                suggestions: first_suggestion..batch.suggestions.len(),
            });
        }
        Ok(batch)
    }

    /// The records, each with its responses and suggestions (both read in `seq` order, so each
    /// record's are the run of rows with its `seq`).
    pub fn decode(self) -> Result<Vec<AnnotatedRecord>, StoreError> {
        let text = |place: &Text, what: &str| -> Result<Option<&str>, StoreError> {
            match place {
                None => Ok(None),
                Some(range) => std::str::from_utf8(&self.bytes[range.clone()])
                    .map(Some)
                    .map_err(|err| StoreError::Corrupt(format!("{what}: {err}"))),
            }
        };
        let json = |place: &Text, what: &str| -> Result<Option<Json<Value>>, StoreError> {
            match place {
                None => Ok(None),
                Some(range) => serde_json::from_slice(&self.bytes[range.clone()])
                    .map(|it| Some(Json(it)))
                    .map_err(|err| StoreError::Corrupt(format!("{what}: {err}"))),
            }
        };
        let owned = |place: &Text, what: &str| Ok::<_, StoreError>(text(place, what)?.map(str::to_owned));
        let required =
            |place: &Text, what: &str| owned(place, what)?.ok_or_else(|| StoreError::Corrupt(format!("{what}: NULL")));
        let mut responses = self.responses.iter().peekable();
        let mut suggestions = self.suggestions.iter().peekable();
        let mut batch = Vec::with_capacity(self.records.len());
        for raw in &self.records {
            let record = Record::try_from(RecordRow {
                id: raw.id,
                dataset_id: raw.dataset_id,
                external_id: owned(&raw.external_id, "records.external_id")?,
                fields: json(&raw.fields, "records.fields")?.unwrap_or(Json(Value::Object(Map::new()))),
                metadata: json(&raw.metadata, "records.metadata")?,
                status: required(&raw.status, "records.status")?,
                inserted_at: raw.inserted_at,
                updated_at: raw.updated_at,
            })?;
            let mut named = Vec::new();
            while let Some(row) = responses.next_if(|it| it.seq <= raw.seq) {
                if row.seq < raw.seq {
                    continue; // of no record of the batch (cannot happen: same filter)
                }
                let response = Response::try_from(ResponseRow {
                    id: row.id,
                    record_id: row.record_id,
                    user_id: row.user_id,
                    answers: json(&row.answers, "responses.answers")?,
                    status: required(&row.status, "responses.status")?,
                    inserted_at: row.inserted_at,
                    updated_at: row.updated_at,
                })?;
                named.push(NamedResponse { username: required(&row.username, "users.username")?, response });
            }
            let mut suggested = Vec::new();
            while let Some(row) = suggestions.next_if(|it| it.seq <= raw.seq) {
                if row.seq < raw.seq {
                    continue;
                }
                suggested.push(Suggestion::from(SuggestionRow {
                    id: row.id,
                    record_id: row.record_id,
                    question_id: row.question_id,
                    value: json(&row.value, "suggestions.value")?
                        .ok_or_else(|| StoreError::Corrupt("suggestions.value: NULL".to_owned()))?,
                    score: json(&row.score, "suggestions.score")?,
                    agent: owned(&row.agent, "suggestions.agent")?,
                    kind: owned(&row.kind, "suggestions.kind")?,
                    inserted_at: row.inserted_at,
                    updated_at: row.updated_at,
                }));
            }
            batch.push(AnnotatedRecord { record, responses: named, suggestions: suggested });
        }
        Ok(batch)
    }
}
