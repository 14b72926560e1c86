//! Progress and metrics replies: dataset progress (overall and per user), the caller's metrics,
//! metadata property metrics.

use loam_domain::model::{StatusCounts, UserProgress};
use serde_json::{json, Value};

use crate::datasets::{MyMetrics, Progress};
use crate::search::MetadataMetrics;
use crate::time_on_task::TeamTime;

pub fn progress(it: &Progress) -> Value {
    let users: Vec<Value> = it.users.iter().map(|name| json!({"username": name})).collect();
    json!({"total": it.total, "completed": it.completed, "pending": it.pending, "users": users})
}

pub fn users_progress(items: &[UserProgress]) -> Value {
    let counts = |c: &StatusCounts| json!({"submitted": c.submitted, "discarded": c.discarded, "draft": c.draft});
    let users: Vec<Value> = items
        .iter()
        .map(|it| json!({"username": it.username, "completed": counts(&it.completed), "pending": counts(&it.pending)}))
        .collect();
    json!({"users": users})
}

/// `GET /api/v1/ui/datasets/{id}/progress`: both progress replies and the change token.
/// `time` (time on task, owners and admins) is null for annotators.
pub fn ui_progress(token: &str, progress: &Progress, users: &[UserProgress], time: Option<&TeamTime>) -> Value {
    let per_user = users_progress(users);
    let time = time.map(super::overview::team_time);
    json!({"token": token, "progress": self::progress(progress), "users": per_user["users"], "time": time})
}

pub fn my_metrics(it: &MyMetrics) -> Value {
    let count = it.submitted + it.discarded + it.draft;
    json!({
        "records": {"count": it.total},
        "responses": {
            "total": it.total,
            "count": count,
            "submitted": it.submitted,
            "discarded": it.discarded,
            "draft": it.draft,
            "pending": it.total - count,
        },
    })
}

/// `GET /api/v1/metadata-properties/{id}/metrics`.
pub fn metadata_metrics(it: &MetadataMetrics) -> Value {
    match it {
        MetadataMetrics::Terms { total, values } => {
            let values: Vec<Value> = values.iter().map(|(term, count)| json!({"term": term, "count": count})).collect();
            json!({"type": "terms", "total": total, "values": values})
        }
        MetadataMetrics::Integer { min, max } => json!({"type": "integer", "min": min, "max": max}),
        MetadataMetrics::Float { min, max } => json!({"type": "float", "min": min, "max": max}),
    }
}
