//! `GET /api/v1/ui/overview` (a loam extension for the web UI's home): every visible dataset's
//! progress in one reply, so the home costs one request whatever the number of datasets.

use crate::openapi::Routes;
use axum::extract::State;
use loam_domain::model::{DatasetStatus, StatusCounts};
use loam_domain::time_on_task::Throughput;
use loam_domain::DatasetId;
use loam_service::{wire, DatasetOverview, Team, TeamTime};
use serde_json::Value;

use super::{ok, ApiResult};
use crate::extract::Auth;
use crate::openapi::describe_all;
use crate::AppState;

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/ui/overview",
        "Every dataset the caller sees with its records' progress (total, completed, pending) and the \
         caller's own responses by status; for owners and admins also `team`: the responses of every \
         annotator, the records still waiting for more responses under `min_submitted` and `time` (time on \
         task: active time, records done, records per hour and median time per record, per annotator \
         and for the team) (null for annotators). The datasets and order of `GET /api/v1/me/datasets`",
        200,
        Some("UiOverview"),
        overview,
    )
}

async fn overview(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let items = app.service.overview(&actor).await?;
    Ok(ok(wire::overview(&items)))
}

/// Time on task as replies carry it: measured figures, and undefined ones (null), for the team
/// and per annotator.
pub fn time_samples() -> [TeamTime; 2] {
    let measured = Throughput { active_ms: 90_000, done: 3, median_ms: Some(25_000.5) };
    let unmeasured = || vec![("bob".to_owned(), Throughput::default())];
    [
        TeamTime { total: measured.clone(), annotators: vec![("ada".to_owned(), measured)] },
        TeamTime { total: Throughput::default(), annotators: unmeasured() },
    ]
}

/// The reply schema, for the OpenAPI document (`samples.rs`): an annotator's item, a manager's.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let counts = StatusCounts { submitted: 3, discarded: 1, draft: 2 };
    let item = |team: Option<Team>| DatasetOverview {
        dataset: DatasetId::new(),
        status: DatasetStatus::Ready,
        min_submitted: 2,
        records: 10,
        completed: 4,
        pending: 6,
        mine: counts,
        team,
    };
    let [measured, unmeasured] = time_samples();
    let team = |time| Team { waiting: 2, total: counts, annotators: vec![("ada".to_owned(), counts)], time };
    let samples = [wire::overview(&[item(None), item(Some(team(measured))), item(Some(team(unmeasured)))])];
    vec![("UiOverview", describe_all(&samples))]
}
