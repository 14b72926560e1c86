//! Users and their credentials (API-key digests, password hashes).

use loam_domain::model::User;
use loam_domain::UserId;

use crate::rows::UserRow;
use crate::{on_tx, StoreError, Tx};

const COLUMNS: &str = "id, first_name, last_name, username, role, inserted_at, updated_at";

pub async fn insert_user(
    tx: &mut Tx,
    user: &User,
    api_key_digest: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let sql = "insert into users (id, first_name, last_name, username, role, api_key_digest, password_hash, inserted_at, updated_at) \
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(user.id.0)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.username)
        .bind(user.role.as_str())
        .bind(api_key_digest)
        .bind(password_hash)
        .bind(user.inserted_at.0)
        .bind(user.updated_at.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

async fn find_where(tx: &mut Tx, condition: &str, arg: QueryArg<'_>) -> Result<Option<User>, StoreError> {
    let sql = format!("select {COLUMNS} from users where {condition}");
    let row = match arg {
        QueryArg::Id(id) => on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)?,
        QueryArg::Text(text) => on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(&sql).bind(text).fetch_optional(c).await)?,
    };
    row.map(User::try_from).transpose()
}

enum QueryArg<'a> {
    Id(uuid::Uuid),
    Text(&'a str),
}

pub async fn find_user(tx: &mut Tx, id: UserId) -> Result<Option<User>, StoreError> {
    find_where(tx, "id = $1", QueryArg::Id(id.0)).await
}

pub async fn find_user_by_username(tx: &mut Tx, username: &str) -> Result<Option<User>, StoreError> {
    find_where(tx, "username = $1", QueryArg::Text(username)).await
}

pub async fn find_user_by_key_digest(tx: &mut Tx, digest: &str) -> Result<Option<User>, StoreError> {
    find_where(tx, "api_key_digest = $1", QueryArg::Text(digest)).await
}

/// The user and their password hash, for sign-in.
pub async fn find_password_hash(tx: &mut Tx, username: &str) -> Result<Option<(User, String)>, StoreError> {
    let Some(user) = find_user_by_username(tx, username).await? else {
        return Ok(None);
    };
    let sql = "select password_hash from users where id = $1";
    let hash: String = on_tx!(tx, |c| sqlx::query_scalar(sql).bind(user.id.0).fetch_one(c).await)?;
    Ok(Some((user, hash)))
}

pub async fn list_users(tx: &mut Tx) -> Result<Vec<User>, StoreError> {
    let sql = format!("select {COLUMNS} from users order by inserted_at, id");
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(&sql).fetch_all(c).await)?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn count_users(tx: &mut Tx) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>("select count(*) from users").fetch_one(c).await)?)
}

pub async fn update_user(tx: &mut Tx, user: &User) -> Result<(), StoreError> {
    let sql =
        "update users set first_name = $2, last_name = $3, username = $4, role = $5, updated_at = $6 where id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(user.id.0)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.username)
        .bind(user.role.as_str())
        .bind(user.updated_at.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("update users set password_hash = $2 where id = $1")
        .bind(id.0)
        .bind(hash)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn set_api_key_digest(tx: &mut Tx, id: UserId, digest: &str) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("update users set api_key_digest = $2 where id = $1")
        .bind(id.0)
        .bind(digest)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn delete_user(tx: &mut Tx, id: UserId) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("delete from users where id = $1")
        .bind(id.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}
