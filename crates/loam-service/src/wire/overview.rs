//! `GET /api/v1/ui/overview` (a loam extension for the web UI's home).

use loam_domain::model::StatusCounts;
use serde_json::{json, Value};

use crate::overview::DatasetOverview;
use crate::time_on_task::TeamTime;
use loam_domain::time_on_task::Throughput;

/// One annotator's or the team's time figures: active milliseconds, records done with measured
/// time, records per hour of active time and the median milliseconds per record (null when
/// undefined: no time measured, no record done).
fn throughput(it: &Throughput) -> Value {
    json!({
        "active_ms": it.active_ms,
        "done": it.done,
        "records_per_hour": it.records_per_hour(),
        "median_ms": it.median_ms,
    })
}

/// A dataset's time on task: `{"total": figures, "annotators": [{"username", ...figures}]}`.
pub fn team_time(it: &TeamTime) -> Value {
    let annotators: Vec<Value> = it
        .annotators
        .iter()
        .map(|(username, figures)| {
            let mut item = throughput(figures);
            item["username"] = json!(username);
            item
        })
        .collect();
    json!({"total": throughput(&it.total), "annotators": annotators})
}

fn counts(it: &StatusCounts) -> Value {
    json!({"submitted": it.submitted, "discarded": it.discarded, "draft": it.draft})
}

/// `{"items": [...]}`, one item per dataset; `team` is null for annotators.
pub fn overview(items: &[DatasetOverview]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|it| {
            let team = it.team.as_ref().map(|team| {
                let annotators: Vec<Value> = team
                    .annotators
                    .iter()
                    .map(|(username, c)| {
                        json!({"username": username, "submitted": c.submitted, "discarded": c.discarded, "draft": c.draft})
                    })
                    .collect();
                json!({
                    "waiting": team.waiting,
                    "responses": counts(&team.total),
                    "annotators": annotators,
                    "time": team_time(&team.time),
                })
            });
            json!({
                "dataset_id": it.dataset.to_string(),
                "status": it.status.as_str(),
                "min_submitted": it.min_submitted,
                "records": {"total": it.records, "completed": it.completed, "pending": it.pending},
                "mine": counts(&it.mine),
                "team": team,
            })
        })
        .collect();
    json!({ "items": items })
}
