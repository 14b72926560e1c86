//! Time on task (issue 20): the figures made of the active time the web UI measures on records
//! (`loam_domain::time_on_task`; written with each response save by `response_write.rs`), per
//! annotator and for the team of a dataset, for the progress pages of owners and admins (the
//! home's `GET /api/v1/ui/overview` and the dataset's `GET /api/v1/ui/datasets/{id}/progress`).

use std::collections::BTreeMap;

use loam_domain::time_on_task::Throughput;
use loam_domain::DatasetId;
use loam_store::time_on_task::{self as store, Scope};
use loam_store::Tx;

use crate::Result;

/// A dataset's time figures: the team's, and each annotator's with measured time (users by
/// creation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TeamTime {
    pub total: Throughput,
    pub annotators: Vec<(String, Throughput)>,
}

/// The time figures of every dataset in `scope` that has measured time, in three statements.
pub(crate) async fn team_times(tx: &mut Tx, scope: Scope) -> Result<BTreeMap<DatasetId, TeamTime>> {
    let users = store::user_times(tx, scope).await?;
    let medians = store::median_times(tx, scope).await?;
    let median_of = |dataset: DatasetId, user| {
        medians.iter().find(|it| it.dataset == dataset && it.user == user).map(|it| it.median_ms)
    };
    let mut res: BTreeMap<DatasetId, TeamTime> = BTreeMap::new();
    for row in users {
        let figures =
            Throughput { active_ms: row.active_ms, done: row.done, median_ms: median_of(row.dataset, Some(row.user)) };
        let team = res.entry(row.dataset).or_default();
        team.total.active_ms += figures.active_ms;
        team.total.done += figures.done;
        team.annotators.push((row.username, figures));
    }
    for (dataset, team) in &mut res {
        team.total.median_ms = median_of(*dataset, None);
    }
    Ok(res)
}
