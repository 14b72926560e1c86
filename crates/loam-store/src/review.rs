//! Review and adjudication (migration 0017): the reviewers of a workspace, a dataset's review
//! rule, records' final answers, returns to annotators and the audit trail of review actions.
//! Every row goes with its record, dataset, workspace or user (`on delete cascade`), except the
//! ids of who decided or acted, which stay when that user is removed.

use loam_domain::{DatasetId, RecordId, Timestamp, UserId, WorkspaceId};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, from_row, Arg, Json, Query};
use crate::records::placeholders;
use crate::{StoreError, Tx};

// Reviewers ------------------------------------------------------------------------------------

/// The reviewers of `workspace`: (user, username, since), by username.
pub async fn list_reviewers(
    tx: &mut Tx,
    workspace: WorkspaceId,
) -> Result<Vec<(UserId, String, Timestamp)>, StoreError> {
    let sql = "select r.user_id, u.username, r.inserted_at from workspace_reviewers r \
               join users u on u.id = r.user_id where r.workspace_id = $1 order by u.username";
    let rows = db::query(sql).bind(workspace.0).fetch_all::<(Uuid, String, i64)>(tx).await?;
    Ok(rows.into_iter().map(|(id, name, at)| (UserId(id), name, Timestamp(at))).collect())
}

/// Marks `user` a reviewer of `workspace`; whether they were not one before.
pub async fn add_reviewer(
    tx: &mut Tx,
    workspace: WorkspaceId,
    user: UserId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let sql = "insert into workspace_reviewers (workspace_id, user_id, inserted_at) values ($1, $2, $3) \
               on conflict (workspace_id, user_id) do nothing";
    Ok(db::query(sql).bind(workspace.0).bind(user.0).bind(at.0).execute(tx).await? > 0)
}

/// Unmarks `user`; whether they were a reviewer.
pub async fn remove_reviewer(tx: &mut Tx, workspace: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "delete from workspace_reviewers where workspace_id = $1 and user_id = $2";
    Ok(db::query(sql).bind(workspace.0).bind(user.0).execute(tx).await? > 0)
}

pub async fn is_reviewer(tx: &mut Tx, workspace: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "select count(*) from workspace_reviewers where workspace_id = $1 and user_id = $2";
    Ok(db::query(sql).bind(workspace.0).bind(user.0).fetch_one::<i64>(tx).await? > 0)
}

/// The workspaces `user` is marked a reviewer of.
pub async fn reviewer_workspaces(tx: &mut Tx, user: UserId) -> Result<Vec<WorkspaceId>, StoreError> {
    let sql = "select workspace_id from workspace_reviewers where user_id = $1 order by workspace_id";
    let rows = db::query(sql).bind(user.0).fetch_all::<Uuid>(tx).await?;
    Ok(rows.into_iter().map(WorkspaceId).collect())
}

// Rules ----------------------------------------------------------------------------------------

/// The stored review rule of `dataset` (JSON), if it set one.
pub async fn find_rule(tx: &mut Tx, dataset: DatasetId) -> Result<Option<Value>, StoreError> {
    let sql = "select rule, updated_at from review_rules where dataset_id = $1";
    Ok(db::query(sql).bind(dataset.0).fetch_optional::<(Json<Value>, i64)>(tx).await?.map(|it| it.0 .0))
}

pub async fn upsert_rule(tx: &mut Tx, dataset: DatasetId, rule: &Value, at: Timestamp) -> Result<(), StoreError> {
    let sql = "insert into review_rules (dataset_id, rule, updated_at) values ($1, $2, $3) \
               on conflict (dataset_id) do update set rule = excluded.rule, updated_at = excluded.updated_at";
    db::query(sql).bind(dataset.0).bind(Json(rule.clone())).bind(at.0).execute(tx).await?;
    Ok(())
}

// Final answers --------------------------------------------------------------------------------

/// A record's final answer as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct FinalAnswer {
    pub record_id: RecordId,
    pub dataset_id: DatasetId,
    /// Shaped as a response's values: `{"question": {"value": …}}`.
    pub values: Value,
    /// `response`, `consolidated` or `own` (`loam_domain::review::Source`).
    pub source: String,
    pub source_user_id: Option<UserId>,
    pub decided_by: UserId,
    /// The decider's username; `None` once that user was removed.
    pub decided_by_name: Option<String>,
    pub decided_at: Timestamp,
}

struct FinalRow {
    record_id: Uuid,
    dataset_id: Uuid,
    answers: Json<Value>,
    source: String,
    source_user_id: Option<Uuid>,
    decided_by: Uuid,
    username: Option<String>,
    decided_at: i64,
}

from_row!(FinalRow { record_id, dataset_id, answers, source, source_user_id, decided_by, username, decided_at });

impl From<FinalRow> for FinalAnswer {
    fn from(row: FinalRow) -> Self {
        FinalAnswer {
            record_id: RecordId(row.record_id),
            dataset_id: DatasetId(row.dataset_id),
            values: row.answers.0,
            source: row.source,
            source_user_id: row.source_user_id.map(UserId),
            decided_by: UserId(row.decided_by),
            decided_by_name: row.username,
            decided_at: Timestamp(row.decided_at),
        }
    }
}

const FINAL_COLUMNS: &str = "f.record_id, f.dataset_id, f.answers, f.source, f.source_user_id, f.decided_by, \
                             u.username, f.decided_at from final_answers f left join users u on u.id = f.decided_by";

/// The final answers of `records` (those that have one), in no particular order.
pub async fn list_finals(tx: &mut Tx, records: &[RecordId]) -> Result<Vec<FinalAnswer>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("select {FINAL_COLUMNS} where f.record_id in ({})", placeholders(1, records.len()));
    let args: Vec<Arg> = records.iter().map(|id| Arg::from(id.0)).collect();
    let rows = Query::with_args(&sql, &args).fetch_all::<FinalRow>(tx).await?;
    Ok(rows.into_iter().map(FinalAnswer::from).collect())
}

pub async fn find_final(tx: &mut Tx, record: RecordId) -> Result<Option<FinalAnswer>, StoreError> {
    Ok(list_finals(tx, &[record]).await?.pop())
}

/// The ids of `dataset`'s records with a final answer.
pub async fn final_record_ids(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<RecordId>, StoreError> {
    let sql = "select record_id from final_answers where dataset_id = $1";
    Ok(db::query(sql).bind(dataset.0).fetch_all::<Uuid>(tx).await?.into_iter().map(RecordId).collect())
}

/// Stores `it` as its record's final answer, replacing the one it had.
pub async fn upsert_final(tx: &mut Tx, it: &FinalAnswer) -> Result<(), StoreError> {
    let sql = "insert into final_answers (record_id, dataset_id, answers, source, source_user_id, decided_by, \
               decided_at) values ($1, $2, $3, $4, $5, $6, $7) on conflict (record_id) do update set \
               answers = excluded.answers, source = excluded.source, source_user_id = excluded.source_user_id, \
               decided_by = excluded.decided_by, decided_at = excluded.decided_at";
    db::query(sql)
        .bind(it.record_id.0)
        .bind(it.dataset_id.0)
        .bind(Json(it.values.clone()))
        .bind(it.source.as_str())
        .bind(it.source_user_id.map(|u| u.0))
        .bind(it.decided_by.0)
        .bind(it.decided_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// Removes `record`'s final answer; whether it had one.
pub async fn delete_final(tx: &mut Tx, record: RecordId) -> Result<bool, StoreError> {
    Ok(db::query("delete from final_answers where record_id = $1").bind(record.0).execute(tx).await? > 0)
}

/// How many final answers `dataset` has and when the last was decided (an export's build id
/// changes with them).
pub async fn final_marks(tx: &mut Tx, dataset: DatasetId) -> Result<(i64, i64), StoreError> {
    let sql = "select count(*), coalesce(max(decided_at), 0) from final_answers where dataset_id = $1";
    db::query(sql).bind(dataset.0).fetch_one::<(i64, i64)>(tx).await
}

// Returns --------------------------------------------------------------------------------------

/// A record returned to an annotator.
#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub record_id: RecordId,
    pub user_id: UserId,
    pub dataset_id: DatasetId,
    pub comment: String,
    pub returned_by: UserId,
    pub returned_at: Timestamp,
    /// Whether the annotator's response is not submitted (the return still waits on them).
    pub open: bool,
}

struct ReturnRow {
    record_id: Uuid,
    user_id: Uuid,
    dataset_id: Uuid,
    comment: String,
    returned_by: Uuid,
    returned_at: i64,
    open: bool,
}

from_row!(ReturnRow { record_id, user_id, dataset_id, comment, returned_by, returned_at, open });

impl From<ReturnRow> for Return {
    fn from(row: ReturnRow) -> Self {
        Return {
            record_id: RecordId(row.record_id),
            user_id: UserId(row.user_id),
            dataset_id: DatasetId(row.dataset_id),
            comment: row.comment,
            returned_by: UserId(row.returned_by),
            returned_at: Timestamp(row.returned_at),
            open: row.open,
        }
    }
}

/// A return is open while the annotator's response is not submitted (or is gone).
const RETURN_COLUMNS: &str = "t.record_id, t.user_id, t.dataset_id, t.comment, t.returned_by, t.returned_at, \
     (p.status is null or p.status <> 'submitted') as open from review_returns t \
     left join responses p on p.record_id = t.record_id and p.user_id = t.user_id";

/// Stores a return of `record` to `user`, replacing an earlier one of the same pair.
pub async fn upsert_return(tx: &mut Tx, it: &Return) -> Result<(), StoreError> {
    let sql = "insert into review_returns (record_id, user_id, dataset_id, comment, returned_by, returned_at) \
               values ($1, $2, $3, $4, $5, $6) on conflict (record_id, user_id) do update set \
               comment = excluded.comment, returned_by = excluded.returned_by, returned_at = excluded.returned_at";
    db::query(sql)
        .bind(it.record_id.0)
        .bind(it.user_id.0)
        .bind(it.dataset_id.0)
        .bind(it.comment.as_str())
        .bind(it.returned_by.0)
        .bind(it.returned_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// The returns of `record`, latest first.
pub async fn record_returns(tx: &mut Tx, record: RecordId) -> Result<Vec<Return>, StoreError> {
    let sql = format!("select {RETURN_COLUMNS} where t.record_id = $1 order by t.returned_at desc");
    let rows = db::query(&sql).bind(record.0).fetch_all::<ReturnRow>(tx).await?;
    Ok(rows.into_iter().map(Return::from).collect())
}

/// The returns of `dataset` (every user's, or `user`'s), latest first.
pub async fn dataset_returns(tx: &mut Tx, dataset: DatasetId, user: Option<UserId>) -> Result<Vec<Return>, StoreError> {
    let rows = match user {
        Some(user) => {
            let sql = format!(
                "select {RETURN_COLUMNS} where t.dataset_id = $1 and t.user_id = $2 order by t.returned_at desc"
            );
            db::query(&sql).bind(dataset.0).bind(user.0).fetch_all::<ReturnRow>(tx).await?
        }
        None => {
            let sql = format!("select {RETURN_COLUMNS} where t.dataset_id = $1 order by t.returned_at desc");
            db::query(&sql).bind(dataset.0).fetch_all::<ReturnRow>(tx).await?
        }
    };
    Ok(rows.into_iter().map(Return::from).collect())
}

/// Forgets the returns of `record` (it has a final answer now).
pub async fn delete_returns(tx: &mut Tx, record: RecordId) -> Result<u64, StoreError> {
    db::query("delete from review_returns where record_id = $1").bind(record.0).execute(tx).await
}

// The audit trail ------------------------------------------------------------------------------

/// One review action on a record.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewEvent {
    pub id: Uuid,
    pub record_id: RecordId,
    pub dataset_id: DatasetId,
    pub actor_id: UserId,
    /// The actor's username; `None` once that user was removed.
    pub actor_name: Option<String>,
    /// `accept_response`, `accept_consolidated`, `own` or `return`.
    pub action: String,
    /// The annotator whose answer was accepted, or to whom the record was returned.
    pub source_user_id: Option<UserId>,
    /// The final answer the action set.
    pub values: Option<Value>,
    pub comment: Option<String>,
    pub at: Timestamp,
}

struct EventRow {
    id: Uuid,
    record_id: Uuid,
    dataset_id: Uuid,
    actor_id: Uuid,
    username: Option<String>,
    action: String,
    source_user_id: Option<Uuid>,
    answers: Option<Json<Value>>,
    comment: Option<String>,
    inserted_at: i64,
}

from_row!(EventRow {
    id,
    record_id,
    dataset_id,
    actor_id,
    username,
    action,
    source_user_id,
    answers,
    comment,
    inserted_at
});

pub async fn insert_event(tx: &mut Tx, it: &ReviewEvent) -> Result<(), StoreError> {
    let sql = "insert into review_events (id, record_id, dataset_id, actor_id, action, source_user_id, answers, \
               comment, inserted_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    db::query(sql)
        .bind(it.id)
        .bind(it.record_id.0)
        .bind(it.dataset_id.0)
        .bind(it.actor_id.0)
        .bind(it.action.as_str())
        .bind(it.source_user_id.map(|u| u.0))
        .bind(it.values.clone().map(Json))
        .bind(&it.comment)
        .bind(it.at.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// The review actions on `record`, oldest first.
pub async fn record_events(tx: &mut Tx, record: RecordId) -> Result<Vec<ReviewEvent>, StoreError> {
    let sql = "select e.id, e.record_id, e.dataset_id, e.actor_id, u.username, e.action, e.source_user_id, \
               e.answers, e.comment, e.inserted_at from review_events e left join users u on u.id = e.actor_id \
               where e.record_id = $1 order by e.inserted_at, e.id";
    let rows = db::query(sql).bind(record.0).fetch_all::<EventRow>(tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| ReviewEvent {
            id: row.id,
            record_id: RecordId(row.record_id),
            dataset_id: DatasetId(row.dataset_id),
            actor_id: UserId(row.actor_id),
            actor_name: row.username,
            action: row.action,
            source_user_id: row.source_user_id.map(UserId),
            values: row.answers.map(|it| it.0),
            comment: row.comment,
            at: Timestamp(row.inserted_at),
        })
        .collect())
}
