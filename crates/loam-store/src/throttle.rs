//! Sign-in throttling state (migration 0013): one row per key (a digest of a case-folded username
//! or of a client address), shared by every replica. The decisions are `loam_domain::auth`'s.

use loam_domain::auth::ThrottleState;

use crate::{db, StoreError, Tx};

pub async fn find(tx: &mut Tx, key: &str) -> Result<Option<ThrottleState>, StoreError> {
    let sql = "select attempts, blocked_until, last_at from sign_in_throttle where key = $1";
    let row = db::query(sql).bind(key).fetch_optional::<(i64, i64, i64)>(tx).await?;
    Ok(row.map(|(attempts, blocked_until, last_at)| ThrottleState { attempts, blocked_until, last_at }))
}

pub async fn save(tx: &mut Tx, key: &str, state: &ThrottleState) -> Result<(), StoreError> {
    let sql = "insert into sign_in_throttle (key, attempts, blocked_until, last_at) values ($1, $2, $3, $4) \
               on conflict (key) do update set attempts = excluded.attempts, \
               blocked_until = excluded.blocked_until, last_at = excluded.last_at";
    db::query(sql).bind(key).bind(state.attempts).bind(state.blocked_until).bind(state.last_at).execute(tx).await?;
    Ok(())
}

/// Forgets the key's attempts (a successful sign-in under a username).
pub async fn clear(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    db::query("delete from sign_in_throttle where key = $1").bind(key).execute(tx).await?;
    Ok(())
}

/// Takes back one counted attempt (a success from an address, or an attempt never tried).
pub async fn release(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    let sql = "update sign_in_throttle set attempts = attempts - 1 where key = $1 and attempts > 0";
    db::query(sql).bind(key).execute(tx).await?;
    Ok(())
}

/// Removes the rows idle since before `before` (microseconds); returns how many.
pub async fn purge(tx: &mut Tx, before: i64) -> Result<u64, StoreError> {
    db::query("delete from sign_in_throttle where last_at < $1").bind(before).execute(tx).await
}
