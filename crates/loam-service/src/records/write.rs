//! Writing validated records: a bulk call's [`Batch`] (new and updated records through the
//! store's record write, their suggestions, and their responses through `response_write.rs`),
//! and a partial update's [`PatchPlan`].

use std::collections::HashMap;

use loam_domain::distribution::RecordStatus;
use loam_domain::model::{Dataset, DatasetSchema, Record, Suggestion, User};
use loam_domain::{DatasetId, RecordId, Timestamp, UserId};
use loam_store::records::{RecordWrites, Texts};
use loam_store::{responses, suggestions, Tx};

use super::validate::{Checked, CheckedResponse, PatchPlan};
use crate::outbox::Outbox;
use crate::response_write::{Locked, ResponseWrites, StatusEvents};
use crate::{now, Error, Result};

/// What a bulk call writes, gathered so that each kind of row reaches the database in
/// multi-row statements rather than one statement per row.
#[derive(Default)]
pub(super) struct Batch {
    records: RecordWrites,
    suggestions: Vec<Suggestion>,
    /// Responses, by the record they answer as it stands once the records are written.
    responses: Vec<(Record, Vec<CheckedResponse>)>,
}

impl Batch {
    /// Names who writes the batch (the record history's author of its updates).
    pub(super) fn by(&mut self, user: UserId) {
        self.records.by(user);
    }

    /// A new record with its parts.
    pub(super) fn insert(&mut self, record: Record, res: Checked) {
        self.add_parts(&record, res);
        self.records.insert(record);
    }

    /// An existing record with its parts; `texts` is `None` when its row is left as it was.
    pub(super) fn update(&mut self, record: Record, texts: Option<Texts>, res: Checked) {
        self.add_parts(&record, res);
        if let Some(texts) = texts {
            self.records.update(record, texts);
        }
    }

    fn add_parts(&mut self, record: &Record, res: Checked) {
        self.suggestions.extend(res.suggestions);
        self.records.vectors(record.id, res.vectors);
        if !res.responses.is_empty() {
            self.responses.push((record.clone(), res.responses));
        }
    }

    /// Writes the records (with their indexes, counts and vectors), then suggestions, then the
    /// responses on the records `locked` holds (the authors among `users`), their statuses and
    /// the dataset's activity, queueing the response events. Returns the outbox for the
    /// caller's record events, which carry the records' new statuses.
    pub(super) async fn write(
        self,
        tx: &mut Tx,
        ds: &Dataset,
        schema: &DatasetSchema,
        locked: Locked,
        users: &HashMap<UserId, User>,
        at: Timestamp,
    ) -> Result<Outbox> {
        self.records.write(tx, schema).await?;
        suggestions::upsert_suggestions(tx, &self.suggestions).await?;
        let mut writes = ResponseWrites::new(tx, ds, locked, at).await?;
        for (record, items) in &self.responses {
            for (user_id, status, values) in items {
                let author = users.get(user_id).ok_or_else(|| Error::not_found("User", user_id))?;
                let existing = responses::find_response_of(tx, record.id, *user_id).await?;
                writes.put(tx, record, author, existing, *status, values.clone()).await?;
            }
        }
        writes.finish(tx, StatusEvents::ByCaller).await
    }
}

/// A record about to be created from a checked payload.
pub(super) fn new_record(
    id: RecordId,
    dataset: DatasetId,
    external_id: Option<String>,
    res: &Checked,
    at: Timestamp,
) -> Record {
    Record {
        id,
        dataset_id: dataset,
        fields: res.fields.clone().unwrap_or_default(),
        metadata: res.metadata.clone().flatten(),
        external_id,
        status: RecordStatus::Pending,
        inserted_at: at,
        updated_at: at,
    }
}

impl PatchPlan {
    /// Writes the update through the store's record write (the text index rewritten when the
    /// fields changed; the values it changes go to the record history as `by`'s), then the
    /// suggestions (replacing the record's others when sent).
    pub(super) async fn write(self, tx: &mut Tx, schema: &DatasetSchema, by: UserId) -> Result<()> {
        let mut record = self.record;
        let texts = match (&self.fields, &self.metadata) {
            (Some(_), _) => Some(Texts::Rewrite),
            (None, Some(_)) => Some(Texts::Keep),
            (None, None) => None,
        };
        if let Some(fields) = self.fields {
            record.fields = fields;
        }
        if let Some(metadata) = self.metadata {
            record.metadata = metadata;
        }
        let mut writes = RecordWrites::default();
        writes.by(by);
        writes.vectors(record.id, self.vectors);
        if let Some(texts) = texts {
            record.updated_at = now();
            writes.update(record.clone(), texts);
        }
        writes.write(tx, schema).await?;
        if self.suggestions.is_some() {
            suggestions::delete_suggestions_of(tx, record.id).await?;
        }
        suggestions::upsert_suggestions(tx, &self.suggestions.unwrap_or_default()).await?;
        Ok(())
    }
}
