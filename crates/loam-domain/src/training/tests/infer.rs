//! Default mappings: the distilabel datasets, a ranking, a corrected response, a choice, a chat;
//! and the ambiguous settings, each rejected with what to give.

use serde_json::json;

use super::*;
use crate::training::{Layout, Mapping, Shape};

fn inferred(shape: Shape, schema: &DatasetSchema) -> Value {
    match Mapping::infer(shape, schema) {
        Ok(it) => it.to_json(),
        Err(it) => panic!("no mapping inferred for {}: {it}", shape.as_str()),
    }
}

#[test]
fn distilabel_text_generation_gives_sft_and_kto_with_the_quality_label() {
    let schema = textgen();
    assert_eq!(
        inferred(Shape::Sft, &schema),
        json!({
            "shape": "sft", "layout": "standard", "prompt": "instruction",
            "completion": {"field": "generation"},
            "filter": {"question": "quality", "labels": ["good"]}
        })
    );
    assert_eq!(
        inferred(Shape::Kto, &schema),
        json!({
            "shape": "kto", "layout": "standard", "prompt": "instruction",
            "completion": {"field": "generation"},
            "label": {"question": "quality", "labels": ["good"]}
        })
    );
    let msg = rejected(Mapping::infer(Shape::Dpo, &schema));
    assert!(msg.starts_with("cannot infer a dpo mapping: no question compares responses"), "{msg}");
    assert!(msg.contains("mapping.ranking, mapping.ratings or mapping.choice"), "{msg}");
}

#[test]
fn distilabel_preference_gives_pairs_from_the_generation_ratings() {
    let schema = preference();
    for shape in [Shape::Preference, Shape::Dpo, Shape::Rm] {
        let mut want = json!({
            "shape": shape.as_str(), "layout": "standard", "prompt": "instruction",
            "ratings": {
                "generations-0-rating": "generations-0",
                "generations-1-rating": "generations-1",
                "generations-2-rating": "generations-2"
            },
            "pairs": "best_worst"
        });
        if shape == Shape::Rm {
            want["margin"] = json!(true);
        }
        assert_eq!(inferred(shape, &schema), want);
    }
    // The rationales are three text questions: which one would hold a completion?
    assert_eq!(
        rejected(Mapping::infer(Shape::Sft, &schema)),
        "cannot infer a sft mapping: the dataset has 3 text questions (generations-0-rationale, \
         generations-1-rationale, generations-2-rationale): say which holds the completion with \
         mapping.completion.question"
    );
}

#[test]
fn a_ranking_whose_options_are_the_response_fields() {
    assert_eq!(
        inferred(Shape::Dpo, &ranked()),
        json!({
            "shape": "dpo", "layout": "standard", "prompt": "prompt",
            "ranking": {"question": "rank", "options": {
                "response-1": "response-1", "response-2": "response-2", "response-3": "response-3"
            }},
            "pairs": "best_worst"
        })
    );
}

#[test]
fn a_corrected_response_with_a_rating() {
    let schema = corrected();
    assert_eq!(
        inferred(Shape::Sft, &schema),
        json!({
            "shape": "sft", "layout": "standard", "prompt": "prompt",
            "completion": {"question": "corrected", "field": "response"}
        })
    );
    // A threshold on a rating is a choice nobody can infer.
    assert_eq!(
        rejected(Mapping::infer(Shape::Kto, &schema)),
        "cannot infer a kto mapping: say which ratings are desirable with mapping.label = \
         {\"question\": …, \"min\": …} (rating questions: quality)"
    );
    // Without the response field the question alone holds the completion.
    let schema = super::schema(vec![text("text")], vec![text_q("corrected"), rating_q("quality")]);
    assert_eq!(
        inferred(Shape::Sft, &schema),
        json!({"shape": "sft", "layout": "standard", "prompt": "text", "completion": {"question": "corrected"}})
    );
}

#[test]
fn a_label_that_picks_a_response() {
    assert_eq!(
        inferred(Shape::Rm, &choice()),
        json!({
            "shape": "rm", "layout": "standard", "prompt": "prompt",
            "choice": {"question": "best", "options": {"A": "response-a", "B": "response-b"}},
            "pairs": "best_worst", "margin": false
        })
    );
}

#[test]
fn a_chat_field_is_conversational_and_may_be_the_whole_example() {
    let schema = super::schema(vec![chat("conversation")], vec![rating_q("quality")]);
    let mapping = Mapping::infer(Shape::Sft, &schema).unwrap();
    assert_eq!(mapping.layout, Layout::Conversational);
    assert_eq!(mapping.to_json(), json!({"shape": "sft", "layout": "conversational", "prompt": "conversation"}));
    let schema = super::schema(vec![chat("conversation"), text("response")], vec![ranking_q("r", &["x", "y"])]);
    assert_eq!(
        inferred(Shape::Kto, &super::schema(vec![chat("chat"), text("response")], vec![label_q("ok", &["yes", "no"])])),
        json!({
            "shape": "kto", "layout": "conversational", "prompt": "chat",
            "completion": {"field": "response"}, "label": {"question": "ok", "labels": ["yes"]}
        })
    );
    assert!(rejected(Mapping::infer(Shape::Dpo, &schema)).contains("no question compares responses"));
}

#[test]
fn ambiguous_settings_name_what_to_give() {
    let two_prompts = super::schema(
        vec![text("prompt"), text("context"), text("response-1"), text("response-2")],
        vec![ranking_q("rank", &["response-1", "response-2"])],
    );
    assert_eq!(
        rejected(Mapping::infer(Shape::Dpo, &two_prompts)),
        "cannot infer a dpo mapping: the dataset has 2 text or chat fields that may be the prompt \
         (prompt, context): say which is the prompt with mapping.prompt"
    );
    let two_ways = super::schema(
        vec![text("prompt"), text("response-a"), text("response-b")],
        vec![ranking_q("rank", &["response-a", "response-b"]), label_q("best", &["a", "b"])],
    );
    assert_eq!(
        rejected(Mapping::infer(Shape::Preference, &two_ways)),
        "cannot infer a preference mapping: several questions compare responses (rank, best): say \
         which decides with mapping.ranking or mapping.choice"
    );
    let two_completions = super::schema(vec![text("prompt"), text("response"), text("output")], vec![]);
    assert_eq!(
        rejected(Mapping::infer(Shape::Sft, &two_completions)),
        "cannot infer a sft mapping: the dataset has 2 fields that may hold the completion (response, \
         output): say which with mapping.completion.field"
    );
    let no_completion = super::schema(vec![text("prompt")], vec![rating_q("quality")]);
    assert_eq!(
        rejected(Mapping::infer(Shape::Sft, &no_completion)),
        "cannot infer a sft mapping: no text question and no field named completion, response, \
         generation, output, answer: give mapping.completion"
    );
    let two_labels = super::schema(
        vec![text("prompt"), text("response")],
        vec![label_q("quality", &["good", "bad"]), label_q("safe", &["yes", "no"])],
    );
    assert_eq!(
        rejected(Mapping::infer(Shape::Kto, &two_labels)),
        "cannot infer a kto mapping: several label questions may say which completions are desirable \
         (quality, safe): give mapping.label"
    );
    // Two possible filters: the sft default keeps every record rather than guess.
    assert!(Mapping::infer(Shape::Sft, &two_labels).unwrap().to_json().get("filter").is_none());
    let nothing = super::schema(vec![field("image", FieldSettings::Image)], vec![]);
    assert_eq!(
        rejected(Mapping::infer(Shape::Sft, &nothing)),
        "cannot infer a sft mapping: no text or chat field is left for the prompt: say which it is \
         with mapping.prompt"
    );
}
