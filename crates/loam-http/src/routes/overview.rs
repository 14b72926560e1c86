//! `GET /api/v1/ui/overview` (a loam extension for the web UI's home): every visible dataset's
//! progress in one reply, so the home costs one request whatever the number of datasets.

use crate::openapi::Routes;
use axum::extract::State;
use loam_domain::model::{DatasetStatus, StatusCounts};
use loam_domain::DatasetId;
use loam_service::{wire, DatasetOverview, Team};
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
         annotator and the records still waiting for more responses under `min_submitted` (null for \
         annotators). The datasets and order of `GET /api/v1/me/datasets`",
        200,
        Some("UiOverview"),
        overview,
    )
}

async fn overview(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let items = app.service.overview(&actor).await?;
    Ok(ok(wire::overview(&items)))
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
    let team = Team { waiting: 2, total: counts, annotators: vec![("ada".to_owned(), counts)] };
    let samples = [wire::overview(&[item(None), item(Some(team))])];
    vec![("UiOverview", describe_all(&samples))]
}
