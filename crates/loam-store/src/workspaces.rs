//! Workspaces and their members.

use loam_domain::model::{User, Workspace};
use loam_domain::{Timestamp, UserId, WorkspaceId};

use crate::rows::{UserRow, WorkspaceRow};
use crate::{on_tx, StoreError, Tx};

const COLUMNS: &str = "id, name, inserted_at, updated_at";

pub async fn insert_workspace(tx: &mut Tx, ws: &Workspace) -> Result<(), StoreError> {
    let sql = "insert into workspaces (id, name, inserted_at, updated_at) values ($1, $2, $3, $4)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(ws.id.0)
        .bind(&ws.name)
        .bind(ws.inserted_at.0)
        .bind(ws.updated_at.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn find_workspace(tx: &mut Tx, id: WorkspaceId) -> Result<Option<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces where id = $1");
    let row = on_tx!(tx, |c| sqlx::query_as::<_, WorkspaceRow>(&sql).bind(id.0).fetch_optional(c).await)?;
    Ok(row.map(Workspace::from))
}

pub async fn find_workspace_by_name(tx: &mut Tx, name: &str) -> Result<Option<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces where name = $1");
    let row = on_tx!(tx, |c| sqlx::query_as::<_, WorkspaceRow>(&sql).bind(name).fetch_optional(c).await)?;
    Ok(row.map(Workspace::from))
}

pub async fn list_workspaces(tx: &mut Tx) -> Result<Vec<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces order by inserted_at, id");
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, WorkspaceRow>(&sql).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Workspace::from).collect())
}

/// Workspaces `user` is a member of, by workspace creation.
pub async fn list_workspaces_of_user(tx: &mut Tx, user: UserId) -> Result<Vec<Workspace>, StoreError> {
    let sql = "select w.id, w.name, w.inserted_at, w.updated_at from workspaces w \
               join workspace_users wu on wu.workspace_id = w.id where wu.user_id = $1 \
               order by w.inserted_at, w.id";
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, WorkspaceRow>(sql).bind(user.0).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Workspace::from).collect())
}

/// Names of the workspaces `user` is a member of, by membership time.
pub async fn list_membership_names(tx: &mut Tx, user: UserId) -> Result<Vec<String>, StoreError> {
    let sql = "select w.name from workspaces w join workspace_users wu on wu.workspace_id = w.id \
               where wu.user_id = $1 order by wu.inserted_at, w.id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, String>(sql).bind(user.0).fetch_all(c).await)?)
}

pub async fn delete_workspace(tx: &mut Tx, id: WorkspaceId) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("delete from workspaces where id = $1")
        .bind(id.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn count_datasets(tx: &mut Tx, id: WorkspaceId) -> Result<i64, StoreError> {
    let sql = "select count(*) from datasets where workspace_id = $1";
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(sql).bind(id.0).fetch_one(c).await)?)
}

pub async fn is_member(tx: &mut Tx, ws: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "select count(*) from workspace_users where workspace_id = $1 and user_id = $2";
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql).bind(ws.0).bind(user.0).fetch_one(c).await)?;
    Ok(n > 0)
}

pub async fn add_member(tx: &mut Tx, ws: WorkspaceId, user: UserId, at: Timestamp) -> Result<(), StoreError> {
    let sql = "insert into workspace_users (workspace_id, user_id, inserted_at) values ($1, $2, $3)";
    on_tx!(tx, |c| sqlx::query(sql).bind(ws.0).bind(user.0).bind(at.0).execute(c).await.map(|it| it.rows_affected()))?;
    Ok(())
}

/// Removes a membership; returns whether there was one.
pub async fn remove_member(tx: &mut Tx, ws: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "delete from workspace_users where workspace_id = $1 and user_id = $2";
    let res = on_tx!(tx, |c| sqlx::query(sql).bind(ws.0).bind(user.0).execute(c).await.map(|it| it.rows_affected()))?;
    Ok(res > 0)
}

/// Members of a workspace, by membership time.
pub async fn list_members(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<User>, StoreError> {
    let sql = "select u.id, u.first_name, u.last_name, u.username, u.role, u.inserted_at, u.updated_at \
               from users u join workspace_users wu on wu.user_id = u.id where wu.workspace_id = $1 \
               order by wu.inserted_at, u.id";
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(sql).bind(ws.0).fetch_all(c).await)?;
    rows.into_iter().map(User::try_from).collect()
}
