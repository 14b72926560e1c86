//! The consolidation replies (loam extensions): the strategies in force and a page of finals.

use loam_domain::answer::{Answer, Final};
use serde_json::{json, Value};

use crate::consolidation::{FinalsPage, QuestionStrategy};

/// `{"questions": [{"name", "type", "strategy", "default"}]}`.
pub fn strategies_json(list: &[QuestionStrategy]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|it| json!({"name": it.name, "type": it.type_name, "strategy": it.strategy.to_json(), "default": it.default}))
        .collect();
    json!({ "questions": items })
}

/// `{"items": [{"record_id", "external_id", "submitted", "complete", "finals"}], "total"}`.
pub fn finals_page_json(page: &FinalsPage) -> Value {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|it| {
            let finals: serde_json::Map<String, Value> =
                it.finals.iter().map(|(name, fin)| (name.clone(), final_json(fin))).collect();
            json!({
                "record_id": it.record_id,
                "external_id": it.external_id,
                "submitted": it.submitted,
                "complete": it.complete,
                "finals": finals,
            })
        })
        .collect();
    json!({ "items": items, "total": page.total })
}

/// One final: `{"status": "resolved" | "score" | "each" | "unresolved", "value", "reason"}`.
pub fn final_json(fin: &Final) -> Value {
    match fin {
        Final::One(answer) => json!({"status": "resolved", "value": answer_json(answer), "reason": null}),
        Final::Score(score) => json!({"status": "score", "value": score, "reason": null}),
        Final::Each(each) => {
            let values: Vec<Value> =
                each.iter().map(|(user, answer)| json!({"username": user, "value": answer_json(answer)})).collect();
            json!({"status": "each", "value": values, "reason": null})
        }
        Final::Unresolved(reason) => json!({"status": "unresolved", "value": null, "reason": reason}),
    }
}

/// An answer as a response's `value` holds it.
pub fn answer_json(answer: &Answer) -> Value {
    match answer {
        Answer::Text(text) | Answer::Label(text) => json!(text),
        Answer::Labels(labels) => json!(labels),
        Answer::Rating(value) => json!(value),
        Answer::Ranking(ranked) => {
            Value::Array(ranked.iter().map(|it| json!({"value": it.value, "rank": it.rank})).collect())
        }
        Answer::Spans(spans) => {
            Value::Array(spans.iter().map(|it| json!({"label": it.label, "start": it.start, "end": it.end})).collect())
        }
    }
}
