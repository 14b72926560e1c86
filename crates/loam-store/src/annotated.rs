//! A dataset's records read in batches with everything agreement, consolidation and the exports
//! need of them: their responses (with the responder's username) and suggestions. Batches follow
//! insertion order; a [`Cursor`] says where the next one starts without showing `seq`.
//!
//! A batch is three statements: its records by `seq`, then the responses and the suggestions of
//! the same `seq` range joined to them (not an `in (…)` list of a thousand ids: SQLite looks each
//! numbered parameter up by a linear walk, which made binding them the largest single cost of the
//! agreement report). The responders' usernames come from [`Usernames`], a map the caller keeps
//! across batches and that asks the database only for users it has not seen (a join to `users`
//! cost two seeks per response); the order of responses and suggestions within a record
//! (creation, then id) is sorted here rather than by the statement (a temporary b-tree per record
//! on SQLite). [`read_annotated_with`] can leave each record's `fields` and `metadata`
//! out, which agreement does unless a span question needs the text.
//!
//! Reading and decoding are two steps ([`read_annotated_raw`], then [`RawBatch::decode`]): the
//! rows' text is copied into one buffer as SQLite steps, and the JSON is parsed later, off the
//! reading thread when the caller wants (an export does; see `batch.rs`).

mod batch;

use std::collections::HashMap;

use loam_domain::answer::AnnotatedRecord;
use loam_domain::DatasetId;
use uuid::Uuid;

pub use batch::RawBatch;

use crate::db;
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
    let (raw, next) = read_annotated_raw(tx, dataset, after, limit, contents, &mut Usernames::default()).await?;
    Ok((raw.decode()?, next))
}

/// Usernames by user id, as read so far (a reader of many batches keeps one across them).
#[derive(Debug, Default)]
pub struct Usernames(HashMap<Uuid, String>);

/// Users asked for in one statement (a short `in (…)` list).
const USERS_PER_STATEMENT: usize = 64;

impl Usernames {
    /// Reads the names of those of `ids` not known yet (a user that is not there stays unknown).
    async fn learn(&mut self, tx: &mut Tx, ids: impl Iterator<Item = Uuid>) -> Result<(), StoreError> {
        let mut missing: Vec<Uuid> = ids.filter(|it| !self.0.contains_key(it)).collect();
        missing.sort_unstable();
        missing.dedup();
        for chunk in missing.chunks(USERS_PER_STATEMENT) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!("select id, username from users where id in ({})", marks.join(", "));
            db::query(&sql)
                .bind_all(chunk.iter().copied())
                .for_each(tx, |row| {
                    self.0.insert(row.get(0)?, row.get(1)?);
                    Ok(())
                })
                .await?;
        }
        Ok(())
    }

    fn get(&self, id: &Uuid) -> Option<&str> {
        self.0.get(id).map(String::as_str)
    }
}

/// [`read_annotated_with`] without the decoding: the batch's rows as read, for
/// [`RawBatch::decode`] to turn into records (on another thread, if the caller likes).
pub async fn read_annotated_raw(
    tx: &mut Tx,
    dataset: DatasetId,
    after: Option<Cursor>,
    limit: i64,
    contents: Contents,
    names: &mut Usernames,
) -> Result<(RawBatch, Option<Cursor>), StoreError> {
    // JSON columns are read as their text (`jsonb` on PostgreSQL), parsed by `RawBatch::decode`.
    let fields = if contents.fields { "cast(fields as text)" } else { "cast(null as text)" };
    let metadata = if contents.metadata { "cast(metadata as text)" } else { "cast(null as text)" };
    let sql = format!(
        "select seq, id, dataset_id, external_id, {fields}, {metadata}, status, inserted_at, updated_at \
         from records where dataset_id = $1 and seq > $2 order by seq limit $3"
    );
    let limit = limit.max(1);
    let after_seq = after.map_or(-1, |it| it.0);
    let mut batch = RawBatch::with_capacity(usize::try_from(limit).unwrap_or(0).min(BATCH_CAPACITY));
    db::query(&sql).bind(dataset.0).bind(after_seq).bind(limit).for_each(tx, |row| batch.push_record(row)).await?;
    let (Some(first), Some(last)) = (batch.records.first(), batch.records.last()) else {
        return Ok((batch, None));
    };
    let seqs = (first.seq, last.seq);
    let next = (batch.records.len() as i64 >= limit).then_some(Cursor(last.seq));
    let status = match contents.responses {
        Responses::All => "",
        Responses::Submitted => "and r.status = 'submitted' ",
    };
    // Ordered by `seq` alone: the order within a record is sorted by `RawBatch::sort_runs`.
    let sql = format!(
        "select rec.seq, r.id, r.record_id, r.user_id, cast(r.answers as text), r.status, r.inserted_at, \
         r.updated_at \
         from records rec join responses r on r.record_id = rec.id \
         where rec.dataset_id = $1 and rec.seq >= $2 and rec.seq <= $3 {status}\
         order by rec.seq"
    );
    db::query(&sql).bind(dataset.0).bind(seqs.0).bind(seqs.1).for_each(tx, |row| batch.push_response(row)).await?;
    names.learn(tx, batch.responders()).await?;
    batch.name_responders(|id| names.get(id));
    let sql = "select rec.seq, s.id, s.record_id, s.question_id, cast(s.value as text), cast(s.score as text), \
               s.agent, s.kind, s.inserted_at, s.updated_at \
               from records rec join suggestions s on s.record_id = rec.id \
               where rec.dataset_id = $1 and rec.seq >= $2 and rec.seq <= $3 \
               order by rec.seq";
    db::query(sql).bind(dataset.0).bind(seqs.0).bind(seqs.1).for_each(tx, |row| batch.push_suggestion(row)).await?;
    batch.sort_runs();
    Ok((batch, next))
}

/// Records a batch makes room for at once (a larger limit grows it as it reads).
const BATCH_CAPACITY: usize = 4096;
