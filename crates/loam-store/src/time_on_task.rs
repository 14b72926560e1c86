//! Time on task (migration 0018): the active time the web UI measured on a record, summed per
//! (record, annotator) in `response_times`, and the figures made of it per annotator and per
//! dataset in a fixed number of statements (sums, then medians by window functions, which both
//! engines run).

use loam_domain::{DatasetId, RecordId, Timestamp, UserId};
use uuid::Uuid;

use crate::db::{self, Arg};
use crate::overview::Visible;
use crate::records::placeholders;
use crate::{StoreError, Tx};

/// Adds `ms` of active time to `user`'s time on `record` of `dataset` (one more save).
pub async fn add_active_time(
    tx: &mut Tx,
    dataset: DatasetId,
    record: RecordId,
    user: UserId,
    ms: i64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into response_times (record_id, user_id, dataset_id, active_ms, saves, updated_at) \
               values ($1, $2, $3, $4, 1, $5) on conflict (record_id, user_id) do update set \
               active_ms = response_times.active_ms + excluded.active_ms, saves = response_times.saves + 1, \
               updated_at = excluded.updated_at";
    db::query(sql).bind(record.0).bind(user.0).bind(dataset.0).bind(ms).bind(at.0).execute(tx).await?;
    Ok(())
}

/// Which datasets the figures cover.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Visible(Visible),
    Dataset(DatasetId),
}

impl Scope {
    /// A condition on `t.dataset_id` (starting with ` and`) and its arguments.
    fn condition(self) -> (String, Vec<Arg>) {
        match self {
            Scope::Visible(Visible::All) => (String::new(), Vec::new()),
            Scope::Visible(Visible::MemberOf(user)) => (
                " and t.dataset_id in (select d.id from datasets d join workspace_users w \
                  on w.workspace_id = d.workspace_id where w.user_id = $1)"
                    .to_owned(),
                vec![Arg::from(user.0)],
            ),
            Scope::Dataset(id) => (" and t.dataset_id = $1".to_owned(), vec![Arg::from(id.0)]),
        }
    }
}

/// One annotator's time on one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct UserTime {
    pub dataset: DatasetId,
    pub user: UserId,
    pub username: String,
    /// Every measured millisecond, answered records or not.
    pub active_ms: i64,
    /// Records with measured time whose response is submitted or discarded.
    pub done: i64,
}

/// A median of the active time of done records: per annotator (`user`), or of the whole team
/// on the dataset (`user` is `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct MedianTime {
    pub dataset: DatasetId,
    pub user: Option<UserId>,
    pub median_ms: f64,
}

const DONE: &str = "s.status in ('submitted', 'discarded')";

/// Time per (dataset, annotator) in `scope`, users by creation.
pub async fn user_times(tx: &mut Tx, scope: Scope) -> Result<Vec<UserTime>, StoreError> {
    let (condition, args) = scope.condition();
    let sql = format!(
        "select t.dataset_id, t.user_id, u.username, cast(sum(t.active_ms) as bigint), \
         count(s.id) filter (where {DONE}) from response_times t join users u on u.id = t.user_id \
         left join responses s on s.record_id = t.record_id and s.user_id = t.user_id \
         where 1 = 1{condition} group by t.dataset_id, u.inserted_at, t.user_id, u.username \
         order by t.dataset_id, u.inserted_at, t.user_id"
    );
    let rows: Vec<(Uuid, Uuid, String, i64, i64)> = db::query(&sql).long().bind_all(args).fetch_all(tx).await?;
    Ok(rows
        .into_iter()
        .map(|(dataset, user, username, active_ms, done)| UserTime {
            dataset: DatasetId(dataset),
            user: UserId(user),
            username,
            active_ms,
            done,
        })
        .collect())
}

/// The medians of the active time of done records in `scope`: per annotator, and per dataset
/// over the whole team. Each group's one or two middle values are picked by `row_number()`
/// and averaged here.
pub async fn median_times(tx: &mut Tx, scope: Scope) -> Result<Vec<MedianTime>, StoreError> {
    let mut res = Vec::new();
    for per_user in [true, false] {
        let (condition, args) = scope.condition();
        let partition = if per_user { "t.dataset_id, t.user_id" } else { "t.dataset_id" };
        let user = if per_user { "t.user_id" } else { "cast(null as uuid)" };
        let sql = format!(
            "select dataset_id, user_id, active_ms from (select t.dataset_id, {user} as user_id, t.active_ms, \
             row_number() over (partition by {partition} order by t.active_ms) as rn, \
             count(*) over (partition by {partition}) as n \
             from response_times t join responses s on s.record_id = t.record_id and s.user_id = t.user_id \
             where {DONE}{condition}) m where rn * 2 in (n, n + 1, n + 2) order by dataset_id, user_id"
        );
        let rows: Vec<(Uuid, Option<Uuid>, i64)> = db::query(&sql).long().bind_all(args).fetch_all(tx).await?;
        let mut groups: Vec<(DatasetId, Option<UserId>, i64, i64)> = Vec::new();
        for (dataset, user, ms) in rows {
            let key = (DatasetId(dataset), user.map(UserId));
            match groups.last_mut() {
                Some((d, u, sum, n)) if (*d, *u) == key => {
                    *sum += ms;
                    *n += 1;
                }
                _ => groups.push((key.0, key.1, ms, 1)),
            }
        }
        res.extend(groups.into_iter().map(|(dataset, user, sum, n)| MedianTime {
            dataset,
            user,
            median_ms: sum as f64 / n as f64,
        }));
    }
    Ok(res)
}

/// Whether any record of `dataset` has measured time (an export of a dataset without asks no
/// record's).
pub async fn dataset_has_times(tx: &mut Tx, dataset: DatasetId) -> Result<bool, StoreError> {
    let sql = "select count(*) from (select 1 from response_times where dataset_id = $1 limit 1) t";
    Ok(db::query(sql).bind(dataset.0).fetch_one::<i64>(tx).await? > 0)
}

/// The active time of each annotator with measured time on the given records, by username:
/// (record, username, milliseconds), for the exports' column.
pub async fn record_times(tx: &mut Tx, records: &[RecordId]) -> Result<Vec<(RecordId, String, i64)>, StoreError> {
    let mut res = Vec::new();
    for chunk in records.chunks(500) {
        let sql = format!(
            "select t.record_id, u.username, t.active_ms from response_times t join users u on u.id = t.user_id \
             where t.record_id in ({}) order by u.username",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(Uuid, String, i64)> =
            db::query(&sql).bind_all(chunk.iter().map(|it| it.0)).fetch_all(tx).await?;
        res.extend(rows.into_iter().map(|(record, username, ms)| (RecordId(record), username, ms)));
    }
    Ok(res)
}
