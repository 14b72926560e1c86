//! `GET /api/v1/ui/overview` (a loam extension for the web UI's home).

use loam_domain::model::StatusCounts;
use serde_json::{json, Value};

use crate::overview::DatasetOverview;

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
                json!({"waiting": team.waiting, "responses": counts(&team.total), "annotators": annotators})
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
