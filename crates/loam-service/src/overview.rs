//! The home page's figures for every dataset the caller sees, in one read (a loam extension for
//! the web UI, `GET /api/v1/ui/overview`): the records' progress, the caller's own responses and,
//! for owners and admins, the team's responses per annotator and the records still waiting for
//! more responses under `min_submitted`. A fixed number of statements whatever the number of
//! datasets, plus one per dataset that needs more than one submitted response per record.

use std::collections::BTreeMap;

use loam_domain::model::{DatasetStatus, StatusCounts, User};
use loam_domain::{DatasetId, Role, UserId};
use loam_store::datasets;
use loam_store::overview::{self as store, Visible};

use crate::time_on_task::{team_times, TeamTime};
use crate::{Result, Service};
use loam_store::time_on_task::Scope;

/// One dataset's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetOverview {
    pub dataset: DatasetId,
    pub status: DatasetStatus,
    pub min_submitted: i64,
    pub records: i64,
    pub completed: i64,
    pub pending: i64,
    /// The caller's own responses.
    pub mine: StatusCounts,
    /// What only managers see (`None` for annotators, who see their own figures only).
    pub team: Option<Team>,
}

/// Every annotator's responses to one dataset, and the records waiting for more of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Team {
    /// Pending records with at least one submitted response (0 when `min_submitted` is 1).
    pub waiting: i64,
    pub total: StatusCounts,
    /// Per annotator who answered, users by creation.
    pub annotators: Vec<(String, StatusCounts)>,
    /// Time on task (`time_on_task.rs`).
    pub time: TeamTime,
}

fn add(counts: &mut StatusCounts, status: &str, n: i64) {
    match status {
        "submitted" => counts.submitted += n,
        "discarded" => counts.discarded += n,
        _ => counts.draft += n,
    }
}

impl Service {
    /// The figures of every dataset `actor` sees (the datasets of `GET /api/v1/me/datasets`, in
    /// its order). Owners and admins see the team's figures: an admin sees only the datasets of
    /// workspaces they belong to, which are the ones they manage.
    pub async fn overview(&self, actor: &User) -> Result<Vec<DatasetOverview>> {
        let visible = if actor.role == Role::Owner { Visible::All } else { Visible::MemberOf(actor.id) };
        let manager = actor.role != Role::Annotator;
        let mut tx = self.store.read().await?;
        let member = match visible {
            Visible::All => None,
            Visible::MemberOf(user) => Some(user),
        };
        let list = datasets::list_datasets(&mut tx, member).await?;
        let counts: BTreeMap<DatasetId, store::RecordCounts> =
            store::record_counts(&mut tx, visible).await?.into_iter().map(|it| (it.dataset, it)).collect();
        let only = if manager { None } else { Some(actor.id) };
        let mut responses: BTreeMap<DatasetId, Vec<store::ResponseCount>> = BTreeMap::new();
        for row in store::response_counts(&mut tx, visible, only).await? {
            responses.entry(row.dataset).or_default().push(row);
        }
        let mut times = if manager { team_times(&mut tx, Scope::Visible(visible)).await? } else { BTreeMap::new() };
        let mut res = Vec::with_capacity(list.len());
        for ds in list {
            let (records, completed) = match (ds.status, counts.get(&ds.id)) {
                (DatasetStatus::Ready, Some(it)) => (it.records, it.completed),
                _ => (0, 0),
            };
            let rows = responses.remove(&ds.id).unwrap_or_default();
            let mine = own_counts(&rows, actor.id);
            let pending = records - completed;
            let team = if manager {
                let mut team = team_counts(&rows);
                team.time = times.remove(&ds.id).unwrap_or_default();
                team.waiting = if ds.distribution.min_submitted <= 1 || pending == 0 || team.total.submitted == 0 {
                    0
                } else {
                    store::waiting_records(&mut tx, ds.id, pending <= team.total.submitted).await?
                };
                Some(team)
            } else {
                None
            };
            res.push(DatasetOverview {
                dataset: ds.id,
                status: ds.status,
                min_submitted: ds.distribution.min_submitted,
                records,
                completed,
                pending,
                mine,
                team,
            });
        }
        Ok(res)
    }
}

fn own_counts(rows: &[store::ResponseCount], user: UserId) -> StatusCounts {
    let mut res = StatusCounts::default();
    for row in rows.iter().filter(|it| it.user == user) {
        add(&mut res, &row.status, row.count);
    }
    res
}

/// Rows come ordered by user (by creation) within a dataset.
fn team_counts(rows: &[store::ResponseCount]) -> Team {
    let mut team = Team::default();
    let mut last: Option<UserId> = None;
    for row in rows {
        add(&mut team.total, &row.status, row.count);
        if last != Some(row.user) {
            team.annotators.push((row.username.clone(), StatusCounts::default()));
            last = Some(row.user);
        }
        if let Some((_, counts)) = team.annotators.last_mut() {
            add(counts, &row.status, row.count);
        }
    }
    team
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user: UserId, username: &str, status: &str, count: i64) -> store::ResponseCount {
        store::ResponseCount {
            dataset: DatasetId::new(),
            user,
            username: username.to_owned(),
            status: status.to_owned(),
            count,
        }
    }

    #[test]
    fn team_counts_sum_per_annotator_in_order_and_overall() {
        let (ada, bob) = (UserId::new(), UserId::new());
        let rows = [
            row(ada, "ada", "discarded", 1),
            row(ada, "ada", "submitted", 3),
            row(bob, "bob", "draft", 2),
            row(bob, "bob", "submitted", 1),
        ];
        let team = team_counts(&rows);
        assert_eq!(team.total, StatusCounts { submitted: 4, discarded: 1, draft: 2 });
        assert_eq!(
            team.annotators,
            vec![
                ("ada".to_owned(), StatusCounts { submitted: 3, discarded: 1, draft: 0 }),
                ("bob".to_owned(), StatusCounts { submitted: 1, discarded: 0, draft: 2 }),
            ]
        );
        assert_eq!(own_counts(&rows, bob), StatusCounts { submitted: 1, discarded: 0, draft: 2 });
        assert_eq!(own_counts(&rows, UserId::new()), StatusCounts::default());
    }
}
