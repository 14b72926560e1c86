//! Responses: one per (record, user).

use crate::db::Json;
use loam_domain::model::Response;
use loam_domain::{DatasetId, RecordId, ResponseId, UserId};

use crate::db::{self, Arg, Query};
use crate::records::placeholders;
use crate::rows::ResponseRow;
use crate::{StoreError, Tx};

const COLUMNS: &str = "id, record_id, user_id, answers, status, inserted_at, updated_at";

pub async fn insert_response(tx: &mut Tx, dataset: DatasetId, r: &Response) -> Result<(), StoreError> {
    let sql = "insert into responses (id, record_id, user_id, dataset_id, answers, status, inserted_at, updated_at) \
               values ($1, $2, $3, $4, $5, $6, $7, $8)";
    db::query(sql)
        .bind(r.id.0)
        .bind(r.record_id.0)
        .bind(r.user_id.0)
        .bind(dataset.0)
        .bind(r.values.clone().map(Json))
        .bind(r.status.as_str())
        .bind(r.inserted_at.0)
        .bind(r.updated_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn update_response(tx: &mut Tx, r: &Response) -> Result<(), StoreError> {
    let sql = "update responses set answers = $2, status = $3, updated_at = $4 where id = $1";
    db::query(sql)
        .bind(r.id.0)
        .bind(r.values.clone().map(Json))
        .bind(r.status.as_str())
        .bind(r.updated_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn find_response(tx: &mut Tx, id: ResponseId) -> Result<Option<Response>, StoreError> {
    let sql = format!("select {COLUMNS} from responses where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<ResponseRow>(tx).await?;
    row.map(Response::try_from).transpose()
}

pub async fn find_response_of(tx: &mut Tx, record: RecordId, user: UserId) -> Result<Option<Response>, StoreError> {
    let sql = format!("select {COLUMNS} from responses where record_id = $1 and user_id = $2");
    let row = db::query(&sql).bind(record.0).bind(user.0).fetch_optional::<ResponseRow>(tx).await?;
    row.map(Response::try_from).transpose()
}

/// Responses of the given records (of `user` only, when given), by creation.
pub async fn list_responses(
    tx: &mut Tx,
    records: &[RecordId],
    user: Option<UserId>,
) -> Result<Vec<Response>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, mut q) = match user {
        None => (
            format!(
                "select {COLUMNS} from responses where record_id in ({}) order by inserted_at, id",
                placeholders(1, records.len())
            ),
            Vec::new(),
        ),
        Some(user) => (
            format!(
                "select {COLUMNS} from responses where user_id = $1 and record_id in ({}) order by inserted_at, id",
                placeholders(2, records.len())
            ),
            vec![Arg::from(user.0)],
        ),
    };
    q.extend(records.iter().map(|id| Arg::from(id.0)));
    let rows = Query::with_args(&sql, &q).fetch_all::<ResponseRow>(tx).await?;
    rows.into_iter().map(Response::try_from).collect()
}

pub async fn delete_response(tx: &mut Tx, id: ResponseId) -> Result<(), StoreError> {
    db::query("delete from responses where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}

pub async fn count_submitted(tx: &mut Tx, record: RecordId) -> Result<i64, StoreError> {
    let sql = "select count(*) from responses where record_id = $1 and status = 'submitted'";
    db::query(sql).bind(record.0).fetch_one::<i64>(tx).await
}

/// Records (ids) a user has responded to, for recomputing their status when the user goes.
pub async fn list_record_ids_of_user(tx: &mut Tx, user: UserId) -> Result<Vec<(DatasetId, RecordId)>, StoreError> {
    let sql = "select dataset_id, record_id from responses where user_id = $1";
    let rows: Vec<(uuid::Uuid, uuid::Uuid)> = db::query(sql).long().bind(user.0).fetch_all(tx).await?;
    Ok(rows.into_iter().map(|(d, r)| (DatasetId(d), RecordId(r))).collect())
}
