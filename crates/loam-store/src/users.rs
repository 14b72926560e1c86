//! Users and their credentials (API-key digests, password hashes).

use loam_domain::model::User;
use loam_domain::UserId;

use crate::rows::{UserCredentialsRow, UserRow};
use crate::{db, StoreError, Tx};

const COLUMNS: &str = "id, first_name, last_name, username, role, inserted_at, updated_at";

pub async fn insert_user(
    tx: &mut Tx,
    user: &User,
    api_key_digest: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let sql = "insert into users (id, first_name, last_name, username, role, api_key_digest, password_hash, inserted_at, updated_at, token_version) \
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    db::query(sql)
        .bind(user.id.0)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.username)
        .bind(user.role.as_str())
        .bind(api_key_digest)
        .bind(password_hash)
        .bind(user.inserted_at.0)
        .bind(user.updated_at.0)
        .bind(first_token_version())
        .execute(tx)
        .await?;
    Ok(())
}

/// A new user's token version: random (53 bits, exact in JSON), so a user created again with the
/// id of a deleted one does not accept the tokens issued to that one.
fn first_token_version() -> i64 {
    (uuid::Uuid::new_v4().as_u64_pair().0 >> 11) as i64
}

async fn find_where(tx: &mut Tx, condition: &str, arg: QueryArg<'_>) -> Result<Option<User>, StoreError> {
    let sql = format!("select {COLUMNS} from users where {condition}");
    let row = match arg {
        QueryArg::Id(id) => db::query(&sql).bind(id).fetch_optional::<UserRow>(tx).await?,
        QueryArg::Text(text) => db::query(&sql).bind(text).fetch_optional::<UserRow>(tx).await?,
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

/// The user, their password hash and their token version, for sign-in (one statement, whether the
/// username exists or not).
pub async fn find_password_hash(tx: &mut Tx, username: &str) -> Result<Option<(User, String, i64)>, StoreError> {
    let sql = format!("select {COLUMNS}, password_hash, token_version from users where username = $1");
    let row = db::query(&sql).bind(username).fetch_optional::<UserCredentialsRow>(tx).await?;
    row.map(|it| Ok((User::try_from(it.user)?, it.password_hash, it.token_version))).transpose()
}

/// The user and their token version, to check a sign-in token.
pub async fn find_user_for_token(tx: &mut Tx, id: UserId) -> Result<Option<(User, i64)>, StoreError> {
    let sql = format!("select {COLUMNS}, '' as password_hash, token_version from users where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<UserCredentialsRow>(tx).await?;
    row.map(|it| Ok((User::try_from(it.user)?, it.token_version))).transpose()
}

/// Raises the user's token version, which revokes every sign-in token issued to them.
pub async fn bump_token_version(tx: &mut Tx, id: UserId) -> Result<(), StoreError> {
    db::query("update users set token_version = token_version + 1 where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}

pub async fn list_users(tx: &mut Tx) -> Result<Vec<User>, StoreError> {
    let sql = format!("select {COLUMNS} from users order by inserted_at, id");
    let rows = db::query(&sql).fetch_all::<UserRow>(tx).await?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn count_users(tx: &mut Tx) -> Result<i64, StoreError> {
    db::query("select count(*) from users").fetch_one::<i64>(tx).await
}

pub async fn update_user(tx: &mut Tx, user: &User) -> Result<(), StoreError> {
    let sql =
        "update users set first_name = $2, last_name = $3, username = $4, role = $5, updated_at = $6 where id = $1";
    db::query(sql)
        .bind(user.id.0)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.username)
        .bind(user.role.as_str())
        .bind(user.updated_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn set_password_hash(tx: &mut Tx, id: UserId, hash: &str) -> Result<(), StoreError> {
    db::query("update users set password_hash = $2 where id = $1").bind(id.0).bind(hash).execute(tx).await?;
    Ok(())
}

pub async fn set_api_key_digest(tx: &mut Tx, id: UserId, digest: &str) -> Result<(), StoreError> {
    db::query("update users set api_key_digest = $2 where id = $1").bind(id.0).bind(digest).execute(tx).await?;
    Ok(())
}

pub async fn delete_user(tx: &mut Tx, id: UserId) -> Result<(), StoreError> {
    db::query("delete from users where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}
