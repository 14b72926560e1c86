//! The review replies (loam extensions, issue 20): reviewers, the review rule, the queue, a
//! record as its reviewer sees it (with the final answer and the audit trail), and the records
//! returned to the caller.

use loam_domain::review::ReviewRule;
use serde_json::{json, Map, Value};

use super::consolidation::final_json;
use super::record::{record_base, response, suggestion};
use crate::review::{QueuePage, RecordReview, Returned, Reviewer};

/// `{"user_id", "username", "inserted_at"}`.
pub fn reviewer(it: &Reviewer) -> Value {
    json!({"user_id": it.user_id, "username": it.username, "inserted_at": it.since.to_string()})
}

/// `{"mode", "threshold", "rate", "seed"}`.
pub fn review_rule(it: &ReviewRule) -> Value {
    it.to_json()
}

/// `{"items": [{"record_id", "external_id", "submitted", "reason", "disagreement"}], "total"}`;
/// `disagreement` is `{question: score or null}`.
pub fn review_queue(page: &QueuePage) -> Value {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|it| {
            let scores: Map<String, Value> = it
                .disagreement
                .iter()
                .map(|(name, score)| {
                    (name.clone(), score.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number))
                })
                .collect();
            json!({
                "record_id": it.record_id,
                "external_id": it.external_id,
                "submitted": it.submitted,
                "reason": it.reason.as_str(),
                "disagreement": scores,
            })
        })
        .collect();
    json!({"items": items, "total": page.total})
}

/// A record as its reviewer sees it: `record` (its REST shape without responses), `responses`
/// (every one, with `username`), `suggestions`, `consolidated` (`{question: final}` as the
/// consolidation preview renders it), `final_answer` (null until decided), `returns` and
/// `events` (the audit trail, oldest first).
pub fn record_review(it: &RecordReview) -> Value {
    let responses: Vec<Value> = it
        .responses
        .iter()
        .map(|r| {
            let mut value = response(&r.response);
            if let Value::Object(map) = &mut value {
                map.insert("username".into(), json!(r.username));
            }
            value
        })
        .collect();
    let consolidated: Map<String, Value> = it.consolidated.iter().map(|(q, f)| (q.clone(), final_json(f))).collect();
    let final_answer = it.final_answer.as_ref().map_or(Value::Null, |f| {
        json!({
            "values": f.values,
            "source": f.source,
            "source_user_id": f.source_user_id,
            "decided_by": f.decided_by,
            "decided_by_username": f.decided_by_name,
            "decided_at": f.decided_at.to_string(),
        })
    });
    let returns: Vec<Value> = it
        .returns
        .iter()
        .map(|r| {
            json!({
                "user_id": r.user_id,
                "comment": r.comment,
                "returned_by": r.returned_by,
                "returned_at": r.returned_at.to_string(),
                "open": r.open,
            })
        })
        .collect();
    let events: Vec<Value> = it
        .events
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "action": e.action,
                "actor_id": e.actor_id,
                "actor_username": e.actor_name,
                "user_id": e.source_user_id,
                "values": e.values,
                "comment": e.comment,
                "inserted_at": e.at.to_string(),
            })
        })
        .collect();
    json!({
        "record": record_base(&it.record),
        "responses": responses,
        "suggestions": it.suggestions.iter().map(suggestion).collect::<Vec<_>>(),
        "consolidated": consolidated,
        "final_answer": final_answer,
        "returns": returns,
        "events": events,
    })
}

/// `{"items": [{"record_id", "comment", "returned_by", "returned_at"}]}`.
pub fn returned(list: &[Returned]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|it| {
            json!({
                "record_id": it.record_id,
                "comment": it.comment,
                "returned_by": it.returned_by,
                "returned_at": it.returned_at.to_string(),
            })
        })
        .collect();
    json!({ "items": items })
}

/// `{"workspaces": [id]}`.
pub fn review_workspaces(list: &[loam_domain::WorkspaceId]) -> Value {
    json!({ "workspaces": list })
}
