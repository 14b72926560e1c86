//! The counts the web UI's home shows for every dataset a user sees, in a fixed number of
//! statements whatever the number of datasets (the home page must not cost a request, or a
//! statement, per dataset and annotator).

use loam_domain::{DatasetId, UserId};
use uuid::Uuid;

use crate::{db, StoreError, Tx};

/// Which datasets: all of them (owners), or those of the workspaces `user` is a member of.
#[derive(Clone, Copy, Debug)]
pub enum Visible {
    All,
    MemberOf(UserId),
}

/// A dataset's record counts as the writes keep them (migrations 0008, 0009).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordCounts {
    pub dataset: DatasetId,
    pub records: i64,
    pub completed: i64,
}

/// How many responses `user` has in `dataset` with `status` (`submitted`, `discarded`, `draft`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseCount {
    pub dataset: DatasetId,
    pub user: UserId,
    pub username: String,
    pub status: String,
    pub count: i64,
}

/// Record counts of the visible datasets, by creation.
pub async fn record_counts(tx: &mut Tx, visible: Visible) -> Result<Vec<RecordCounts>, StoreError> {
    let rows: Vec<(Uuid, i64, i64)> = match visible {
        Visible::All => {
            let sql = "select id, records_count, completed_count from datasets order by inserted_at, id";
            db::query(sql).fetch_all(tx).await?
        }
        Visible::MemberOf(user) => {
            let sql = "select id, records_count, completed_count from datasets where workspace_id in \
                       (select workspace_id from workspace_users where user_id = $1) order by inserted_at, id";
            db::query(sql).bind(user.0).fetch_all(tx).await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(id, records, completed)| RecordCounts { dataset: DatasetId(id), records, completed })
        .collect())
}

/// Response counts per (dataset, user, status) over the visible datasets; only `only`'s own when
/// given. Users by creation. Index-only on `responses (dataset_id, user_id, status)`.
pub async fn response_counts(
    tx: &mut Tx,
    visible: Visible,
    only: Option<UserId>,
) -> Result<Vec<ResponseCount>, StoreError> {
    let mut args: Vec<Uuid> = Vec::new();
    let mut conditions = String::new();
    if let Visible::MemberOf(member) = visible {
        args.push(member.0);
        conditions.push_str(
            " and s.dataset_id in (select d.id from datasets d join workspace_users w \
             on w.workspace_id = d.workspace_id where w.user_id = $1)",
        );
    }
    if let Some(user) = only {
        args.push(user.0);
        conditions.push_str(&format!(" and s.user_id = ${}", args.len()));
    }
    let sql = format!(
        "select s.dataset_id, s.user_id, u.username, s.status, count(*) from responses s \
         join users u on u.id = s.user_id where 1 = 1{conditions} \
         group by s.dataset_id, u.inserted_at, s.user_id, u.username, s.status \
         order by s.dataset_id, u.inserted_at, s.user_id, s.status"
    );
    let query = db::query(&sql).long().bind_all(args);
    let rows: Vec<(Uuid, Uuid, String, String, i64)> = query.fetch_all(tx).await?;
    Ok(rows
        .into_iter()
        .map(|(dataset, user, username, status, count)| ResponseCount {
            dataset: DatasetId(dataset),
            user: UserId(user),
            username,
            status,
            count,
        })
        .collect())
}

/// Records of `dataset` still waiting for more responses: pending (fewer submitted responses than
/// `min_submitted`) but with at least one submitted. Two ways to count the same set; the caller
/// picks the one over fewer rows: from the pending records (`by_pending`, probing each one's
/// responses through `responses (record_id, user_id)`) or from the submitted responses (each
/// joined to its record).
pub async fn waiting_records(tx: &mut Tx, dataset: DatasetId, by_pending: bool) -> Result<i64, StoreError> {
    let sql = if by_pending {
        "select count(*) from records r where r.dataset_id = $1 and r.status = 'pending' \
         and exists (select 1 from responses s where s.record_id = r.id and s.status = 'submitted')"
    } else {
        "select count(distinct s.record_id) from responses s join records r on r.id = s.record_id \
         where s.dataset_id = $1 and s.status = 'submitted' and r.status = 'pending'"
    };
    db::query(sql).long().bind(dataset.0).fetch_one::<i64>(tx).await
}
