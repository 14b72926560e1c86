//! Pairwise preference (loam extensions): pairings, the answers with their shown order, and the
//! judge audit.

use loam_domain::agreement::judges::{Proportion, QuestionJudges};
use loam_domain::pairwise::Pairing;
use serde_json::{json, Value};

use crate::PairwiseAnswer;

/// A `PairwiseQuestion`: the question, its compared fields, outcome labels, strength and ratings.
pub fn pairing(it: &Pairing) -> Value {
    json!({
        "question": it.question,
        "question_id": it.question_id,
        "a": it.a,
        "b": it.b,
        "outcomes": it.outcomes.to_json(),
        "strength": it.strength.as_ref().map(|s| json!({
            "question": s.question,
            "question_id": s.question_id,
            "levels": s.levels,
        })),
        "ratings": it.ratings.as_ref().map(|r| json!({"a": r.a, "b": r.b})),
    })
}

/// `{"items": [PairwiseQuestion…]}`.
pub fn pairings(items: &[Pairing]) -> Value {
    json!({"items": items.iter().map(pairing).collect::<Vec<_>>()})
}

/// `{"items": [{"record_id", "user_id", "username", "status", "value", "strength", "shown"}]}`.
pub fn pairwise_answers(items: &[PairwiseAnswer]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|it| {
            json!({
                "record_id": it.record_id,
                "user_id": it.user_id,
                "username": it.username,
                "status": it.status,
                "value": it.value,
                "strength": it.strength,
                "shown": it.shown.map(|s| s.as_str()),
            })
        })
        .collect();
    json!({"items": items})
}

/// A proportion with its 95 % interval: `{"value", "low", "high", "n", "reason"}` (`value` null
/// with a reason when undefined).
fn proportion(it: &Proportion) -> Value {
    json!({"value": it.value, "low": it.low, "high": it.high, "n": it.n, "reason": it.reason})
}

/// The judge audit: `{"questions": [{"question", "kind", "pairwise", "agents": […],
/// "annotators_first_shown"}]}`.
pub fn judges(items: &[QuestionJudges]) -> Value {
    let questions: Vec<Value> = items
        .iter()
        .map(|q| {
            let agents: Vec<Value> = q
                .agents
                .iter()
                .map(|a| {
                    json!({
                        "agent": a.agent,
                        "records": a.records,
                        "agreement": proportion(&a.agreement),
                        "mean_abs_diff": a.mean_abs_diff,
                        "first_shown": a.first_shown.as_ref().map(proportion),
                        "flips": a.flips.as_ref().map(proportion),
                    })
                })
                .collect();
            json!({
                "question": q.question,
                "kind": q.kind,
                "pairwise": q.pairwise,
                "agents": agents,
                "annotators_first_shown": q.annotators_first_shown.as_ref().map(proportion),
            })
        })
        .collect();
    json!({"questions": questions})
}
