//! Workspaces and their members.

use loam_domain::model::{User, Workspace};
use loam_domain::{Timestamp, UserId, WorkspaceId};

use crate::rows::{UserRow, WorkspaceRow};
use crate::{db, StoreError, Tx};

const COLUMNS: &str = "id, name, inserted_at, updated_at";

pub async fn insert_workspace(tx: &mut Tx, ws: &Workspace) -> Result<(), StoreError> {
    let sql = "insert into workspaces (id, name, inserted_at, updated_at) values ($1, $2, $3, $4)";
    db::query(sql).bind(ws.id.0).bind(&ws.name).bind(ws.inserted_at.0).bind(ws.updated_at.0).execute(tx).await?;
    Ok(())
}

pub async fn find_workspace(tx: &mut Tx, id: WorkspaceId) -> Result<Option<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<WorkspaceRow>(tx).await?;
    Ok(row.map(Workspace::from))
}

pub async fn find_workspace_by_name(tx: &mut Tx, name: &str) -> Result<Option<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces where name = $1");
    let row = db::query(&sql).bind(name).fetch_optional::<WorkspaceRow>(tx).await?;
    Ok(row.map(Workspace::from))
}

pub async fn list_workspaces(tx: &mut Tx) -> Result<Vec<Workspace>, StoreError> {
    let sql = format!("select {COLUMNS} from workspaces order by inserted_at, id");
    let rows = db::query(&sql).fetch_all::<WorkspaceRow>(tx).await?;
    Ok(rows.into_iter().map(Workspace::from).collect())
}

/// Workspaces `user` is a member of, by workspace creation.
pub async fn list_workspaces_of_user(tx: &mut Tx, user: UserId) -> Result<Vec<Workspace>, StoreError> {
    let sql = "select w.id, w.name, w.inserted_at, w.updated_at from workspaces w \
               join workspace_users wu on wu.workspace_id = w.id where wu.user_id = $1 \
               order by w.inserted_at, w.id";
    let rows = db::query(sql).bind(user.0).fetch_all::<WorkspaceRow>(tx).await?;
    Ok(rows.into_iter().map(Workspace::from).collect())
}

/// Names of the workspaces `user` is a member of, by membership time.
pub async fn list_membership_names(tx: &mut Tx, user: UserId) -> Result<Vec<String>, StoreError> {
    let sql = "select w.name from workspaces w join workspace_users wu on wu.workspace_id = w.id \
               where wu.user_id = $1 order by wu.inserted_at, w.id";
    db::query(sql).bind(user.0).fetch_all::<String>(tx).await
}

pub async fn delete_workspace(tx: &mut Tx, id: WorkspaceId) -> Result<(), StoreError> {
    db::query("delete from workspaces where id = $1").long().bind(id.0).execute(tx).await?;
    Ok(())
}

pub async fn count_datasets(tx: &mut Tx, id: WorkspaceId) -> Result<i64, StoreError> {
    let sql = "select count(*) from datasets where workspace_id = $1";
    db::query(sql).bind(id.0).fetch_one::<i64>(tx).await
}

pub async fn is_member(tx: &mut Tx, ws: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "select count(*) from workspace_users where workspace_id = $1 and user_id = $2";
    let n: i64 = db::query(sql).bind(ws.0).bind(user.0).fetch_one(tx).await?;
    Ok(n > 0)
}

pub async fn add_member(tx: &mut Tx, ws: WorkspaceId, user: UserId, at: Timestamp) -> Result<(), StoreError> {
    let sql = "insert into workspace_users (workspace_id, user_id, inserted_at) values ($1, $2, $3)";
    db::query(sql).bind(ws.0).bind(user.0).bind(at.0).execute(tx).await?;
    Ok(())
}

/// Removes a membership; returns whether there was one.
pub async fn remove_member(tx: &mut Tx, ws: WorkspaceId, user: UserId) -> Result<bool, StoreError> {
    let sql = "delete from workspace_users where workspace_id = $1 and user_id = $2";
    let res = db::query(sql).bind(ws.0).bind(user.0).execute(tx).await?;
    Ok(res > 0)
}

/// Members of a workspace, by membership time.
pub async fn list_members(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<User>, StoreError> {
    let sql = "select u.id, u.first_name, u.last_name, u.username, u.role, u.inserted_at, u.updated_at \
               from users u join workspace_users wu on wu.user_id = u.id where wu.workspace_id = $1 \
               order by wu.inserted_at, u.id";
    let rows = db::query(sql).bind(ws.0).fetch_all::<UserRow>(tx).await?;
    rows.into_iter().map(User::try_from).collect()
}
