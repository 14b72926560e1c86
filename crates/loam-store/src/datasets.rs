//! Datasets, who worked on them, and their progress counts.

use crate::db::Json;
use loam_domain::model::{Dataset, StatusCounts, UserProgress};
use loam_domain::{DatasetId, Timestamp, UserId, WorkspaceId};
use serde_json::Value;

use crate::rows::DatasetRow;
use crate::{db, StoreError, Tx};

/// The columns an insert writes (as a literal, so `SELECTED` can extend it).
macro_rules! columns {
    () => {
        "id, name, guidelines, allow_extra_metadata, status, distribution, metadata, workspace_id, \
         last_activity_at, inserted_at, updated_at, responses_visible_for_annotators"
    };
}
const COLUMNS: &str = columns!();
/// What a `DatasetRow` reads: `COLUMNS` and the settings version, which only settings writes set.
const SELECTED: &str = concat!(columns!(), ", settings_version");

fn metadata_json(dataset: &Dataset) -> Option<Json<Value>> {
    dataset.metadata.clone().map(|it| Json(Value::Object(it)))
}

pub async fn insert_dataset(tx: &mut Tx, ds: &Dataset) -> Result<(), StoreError> {
    let sql = format!("insert into datasets ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    db::query(&sql)
        .bind(ds.id.0)
        .bind(&ds.name)
        .bind(&ds.guidelines)
        .bind(ds.allow_extra_metadata)
        .bind(ds.status.as_str())
        .bind(Json(ds.distribution.to_json()))
        .bind(metadata_json(ds))
        .bind(ds.workspace_id.0)
        .bind(ds.last_activity_at.0)
        .bind(ds.inserted_at.0)
        .bind(ds.updated_at.0)
        .bind(ds.responses_visible_for_annotators)
        .execute(tx)
        .await?;
    Ok(())
}

/// Writes every mutable attribute of `ds`.
pub async fn update_dataset(tx: &mut Tx, ds: &Dataset) -> Result<(), StoreError> {
    let sql = "update datasets set name = $2, guidelines = $3, allow_extra_metadata = $4, status = $5, \
               distribution = $6, metadata = $7, last_activity_at = $8, updated_at = $9, \
               responses_visible_for_annotators = $10 where id = $1";
    db::query(sql)
        .bind(ds.id.0)
        .bind(&ds.name)
        .bind(&ds.guidelines)
        .bind(ds.allow_extra_metadata)
        .bind(ds.status.as_str())
        .bind(Json(ds.distribution.to_json()))
        .bind(metadata_json(ds))
        .bind(ds.last_activity_at.0)
        .bind(ds.updated_at.0)
        .bind(ds.responses_visible_for_annotators)
        .execute(tx)
        .await?;
    Ok(())
}

/// Bumps `last_activity_at` without touching `updated_at`.
pub async fn touch_activity(tx: &mut Tx, id: DatasetId, at: Timestamp) -> Result<(), StoreError> {
    let sql = "update datasets set last_activity_at = $2 where id = $1";
    db::query(sql).bind(id.0).bind(at.0).execute(tx).await?;
    Ok(())
}

pub async fn find_dataset(tx: &mut Tx, id: DatasetId) -> Result<Option<Dataset>, StoreError> {
    let sql = format!("select {SELECTED} from datasets where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<DatasetRow>(tx).await?;
    row.map(Dataset::try_from).transpose()
}

/// A dataset and whether `user` is a member of its workspace, in one statement: the lookup every
/// request on a dataset starts with.
pub async fn find_dataset_for(tx: &mut Tx, id: DatasetId, user: UserId) -> Result<Option<(Dataset, bool)>, StoreError> {
    struct Row {
        dataset: DatasetRow,
        member: bool,
    }
    impl db::FromRow for Row {
        fn from_row(row: &db::Row<'_>) -> Result<Self, StoreError> {
            Ok(Row { dataset: DatasetRow::from_row(row)?, member: row.get("member")? })
        }
    }
    let sql = format!(
        "select {SELECTED}, exists (select 1 from workspace_users w \
                                    where w.workspace_id = datasets.workspace_id and w.user_id = $2) as member \
         from datasets where id = $1"
    );
    let row = db::query(&sql).bind(id.0).bind(user.0).fetch_optional::<Row>(tx).await?;
    row.map(|it| Ok((Dataset::try_from(it.dataset)?, it.member))).transpose()
}

/// Raises the settings version of `dataset` (see `Dataset::settings_version`); every change to
/// its fields, questions, metadata properties or vector settings calls this in its transaction.
pub async fn bump_settings_version(tx: &mut Tx, dataset: DatasetId) -> Result<(), StoreError> {
    let sql = "update datasets set settings_version = settings_version + 1 where id = $1";
    db::query(sql).bind(dataset.0).execute(tx).await?;
    Ok(())
}

pub async fn find_dataset_by_name(tx: &mut Tx, ws: WorkspaceId, name: &str) -> Result<Option<Dataset>, StoreError> {
    let sql = format!("select {SELECTED} from datasets where workspace_id = $1 and name = $2");
    let row = db::query(&sql).bind(ws.0).bind(name).fetch_optional::<DatasetRow>(tx).await?;
    row.map(Dataset::try_from).transpose()
}

/// Datasets visible to `member` (every dataset when `None`), by creation.
pub async fn list_datasets(tx: &mut Tx, member: Option<UserId>) -> Result<Vec<Dataset>, StoreError> {
    let rows = match member {
        None => {
            let sql = format!("select {SELECTED} from datasets order by inserted_at, id");
            db::query(&sql).fetch_all::<DatasetRow>(tx).await?
        }
        Some(user) => {
            let sql = format!(
                "select {SELECTED} from datasets where workspace_id in \
                 (select workspace_id from workspace_users where user_id = $1) order by inserted_at, id"
            );
            db::query(&sql).bind(user.0).fetch_all::<DatasetRow>(tx).await?
        }
    };
    rows.into_iter().map(Dataset::try_from).collect()
}

pub async fn delete_dataset(tx: &mut Tx, id: DatasetId) -> Result<(), StoreError> {
    db::query("delete from datasets where id = $1").long().bind(id.0).execute(tx).await?;
    Ok(())
}

/// Records that `user` has worked on `dataset` (first time only).
pub async fn add_dataset_user(tx: &mut Tx, dataset: DatasetId, user: UserId, at: Timestamp) -> Result<(), StoreError> {
    let sql = "insert into dataset_users (dataset_id, user_id, inserted_at) values ($1, $2, $3) \
               on conflict (dataset_id, user_id) do nothing";
    db::query(sql).bind(dataset.0).bind(user.0).bind(at.0).execute(tx).await?;
    Ok(())
}

/// Usernames of the users who worked on `dataset`, by first response.
pub async fn list_dataset_usernames(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<String>, StoreError> {
    let sql = "select u.username from users u join dataset_users du on du.user_id = u.id \
               where du.dataset_id = $1 order by du.inserted_at, u.id";
    db::query(sql).bind(dataset.0).fetch_all::<String>(tx).await
}

/// Record counts of a dataset: (total, completed), as the writes keep them (migrations 0008, 0009).
pub async fn record_counts(tx: &mut Tx, dataset: DatasetId) -> Result<(i64, i64), StoreError> {
    let sql = "select records_count, completed_count from datasets where id = $1";
    let counts = db::query(sql).bind(dataset.0).fetch_optional::<(i64, i64)>(tx).await?;
    Ok(counts.unwrap_or_default())
}

/// What changes whenever a record is added or removed: (record count, highest `seq`), the kept
/// count and one step down the `(dataset_id, seq)` index. With the dataset's timestamps it is the
/// progress view's change token (a `seq` is never reused, so a delete and an insert cannot cancel
/// out).
pub async fn record_change_marks(tx: &mut Tx, dataset: DatasetId) -> Result<(i64, i64), StoreError> {
    let sql = "select coalesce((select records_count from datasets where id = $1), 0), \
               coalesce((select max(seq) from records where dataset_id = $1), 0)";
    db::query(sql).bind(dataset.0).fetch_one::<(i64, i64)>(tx).await
}

/// Per-user response counts by (record status, response status), users by creation.
pub async fn users_progress(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<UserProgress>, StoreError> {
    let sql = "select u.username, r.status, s.status, count(*) from responses s \
               join records r on r.id = s.record_id join users u on u.id = s.user_id \
               where s.dataset_id = $1 group by u.inserted_at, u.id, u.username, r.status, s.status \
               order by u.inserted_at, u.id";
    let rows: Vec<(String, String, String, i64)> = db::query(sql).long().bind(dataset.0).fetch_all(tx).await?;
    let mut res: Vec<UserProgress> = Vec::new();
    for (username, record_status, response_status, n) in rows {
        if res.last().map(|it| &it.username) != Some(&username) {
            res.push(UserProgress { username: username.clone(), ..UserProgress::default() });
        }
        let Some(entry) = res.last_mut() else {
            continue;
        };
        let counts: &mut StatusCounts =
            if record_status == "completed" { &mut entry.completed } else { &mut entry.pending };
        match response_status.as_str() {
            "submitted" => counts.submitted += n,
            "discarded" => counts.discarded += n,
            _ => counts.draft += n,
        }
    }
    Ok(res)
}

/// The caller's responses in a dataset by status: (submitted, discarded, draft).
pub async fn user_response_counts(
    tx: &mut Tx,
    dataset: DatasetId,
    user: UserId,
) -> Result<(i64, i64, i64), StoreError> {
    let sql = "select count(*) filter (where status = 'submitted'), count(*) filter (where status = 'discarded'), \
               count(*) filter (where status = 'draft') from responses where dataset_id = $1 and user_id = $2";
    db::query(sql).long().bind(dataset.0).bind(user.0).fetch_one::<(i64, i64, i64)>(tx).await
}
