//! Mappings read from JSON: what they make, that they render back the same, and every
//! rejection, each naming what is wrong.

use serde_json::json;

use super::*;
use crate::training::{Comparison, Completion, Judge, Layout, Mapping, PairRule, Shape, Target};

fn parse(shape: Shape, value: Value, schema: &DatasetSchema) -> Result<Mapping, Rejection> {
    Mapping::parse(shape, &value, schema)
}

/// Every kind of question and field, for the rejections.
fn everything() -> DatasetSchema {
    schema(
        vec![text("prompt"), text("context"), chat("chat"), field("image", FieldSettings::Image), text("a"), text("b")],
        vec![
            text_q("corrected"),
            rating_q("quality"),
            rating_q("a-rating"),
            rating_q("b-rating"),
            label_q("best", &["A", "B", "tie"]),
            multi_q("topics", &["x", "y"]),
            ranking_q("rank", &["a", "b"]),
        ],
    )
}

#[test]
fn a_full_mapping_reads_and_renders_back() {
    let schema = everything();
    let sft = parse(
        Shape::Sft,
        json!({"layout": "conversational", "prompt": "prompt", "system": "context",
               "completion": {"question": "corrected", "field": "a"}, "filter": {"question": "quality", "min": 4}}),
        &schema,
    )
    .unwrap();
    assert_eq!(
        sft,
        Mapping {
            shape: Shape::Sft,
            layout: Layout::Conversational,
            prompt: "prompt".into(),
            system: Some("context".into()),
            target: Target::Sft {
                completion: Some(Completion { question: Some("corrected".into()), field: Some("a".into()) }),
                filter: Some(Judge::AtLeast { question: "quality".into(), min: 4.0 }),
                only_edited: None,
            },
        }
    );
    let rm = parse(
        Shape::Rm,
        json!({"prompt": "prompt", "choice": {"question": "best", "options": {"A": "a", "B": "b"}}, "pairs": "all"}),
        &schema,
    )
    .unwrap();
    let options: BTreeMap<String, String> = [("A".into(), "a".into()), ("B".into(), "b".into())].into();
    assert_eq!(
        rm.target,
        Target::Pairs {
            comparison: Comparison::Choice { question: "best".into(), options },
            pairs: PairRule::All,
            margin: false
        }
    );
    // A ranking without options maps the options that name text fields.
    let dpo = parse(Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank"}}), &schema).unwrap();
    let Target::Pairs { comparison: Comparison::Ranking { options, .. }, .. } = &dpo.target else {
        panic!("not a ranking: {dpo:?}")
    };
    assert_eq!(options.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(), ["a=a", "b=b"]);
    // A plain string names a field, else a text question.
    let kto = parse(
        Shape::Kto,
        json!({"prompt": "prompt", "completion": "corrected", "label": {"question": "topics", "labels": ["y", "x", "y"]}}),
        &schema,
    )
    .unwrap();
    assert_eq!(
        kto.target,
        Target::Kto {
            completion: Completion { question: Some("corrected".into()), field: None },
            label: Judge::AnyOf { question: "topics".into(), labels: vec!["x".into(), "y".into()] }
        }
    );
    assert_eq!(sft.questions(), ["corrected", "quality"]);
    assert_eq!(rm.questions(), ["best"]);
    assert_eq!(dpo.questions(), ["rank"]);
    assert_eq!(kto.questions(), ["corrected", "topics"]);
    // Each renders to JSON that reads back to the same mapping.
    let ratings =
        parse(Shape::Preference, json!({"prompt": "chat", "ratings": {"b-rating": "b", "a-rating": "a"}}), &schema)
            .unwrap();
    assert_eq!(ratings.layout, Layout::Conversational);
    assert_eq!(ratings.questions(), ["b-rating", "a-rating"]);
    for mapping in [sft, rm, dpo, kto, ratings] {
        assert_eq!(parse(mapping.shape, mapping.to_json(), &schema).as_ref(), Ok(&mapping), "{}", mapping.to_json());
    }
}

#[test]
fn every_impossible_mapping_is_rejected_with_its_name() {
    let schema = everything();
    let cases: Vec<(Shape, Value, &str)> = vec![
        (Shape::Sft, json!([]), "the mapping must be a JSON object"),
        (Shape::Sft, json!({"promt": "prompt"}), "mapping.promt is not a key of a sft mapping (keys: shape, layout, prompt, system, completion, filter, only_edited)"),
        (Shape::Dpo, json!({"prompt": "prompt", "filter": {}}), "mapping.filter is not a key of a dpo mapping (keys: shape, layout, prompt, system, ranking, ratings, choice, pairwise, edits, pairs)"),
        (Shape::Dpo, json!({"shape": "rm", "prompt": "prompt"}), "mapping.shape is 'rm' but the export asks for 'dpo'"),
        (Shape::Sft, json!({"completion": "a"}), "mapping.prompt is missing"),
        (Shape::Sft, json!({"prompt": 3}), "mapping.prompt must be a string"),
        (Shape::Sft, json!({"prompt": "nope", "completion": "a"}), "mapping.prompt names no field of the dataset: 'nope' (fields: prompt, context, chat, image, a, b)"),
        (Shape::Sft, json!({"prompt": "image", "completion": "a"}), "mapping.prompt: field 'image' is of type image; the prompt must be a text or chat field"),
        (Shape::Sft, json!({"prompt": "chat", "layout": "standard", "completion": "a"}), "mapping.prompt: field 'chat' is a chat field; it needs the conversational layout"),
        (Shape::Sft, json!({"prompt": "prompt", "layout": "chat", "completion": "a"}), "mapping.layout must be 'standard' or 'conversational', not 'chat'"),
        (Shape::Sft, json!({"prompt": "prompt", "system": "context", "completion": "a"}), "mapping.system needs the conversational layout"),
        (Shape::Sft, json!({"prompt": "prompt", "layout": "conversational", "system": "chat", "completion": "a"}), "mapping.system: field 'chat' is of type chat; it must be a text field"),
        (Shape::Sft, json!({"prompt": "prompt"}), "mapping.completion is missing: give the text question or field that holds the completion"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "quality"}), "mapping.completion: question 'quality' is of type rating; it must be of type text"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "nothing"}), "mapping.completion names no field or question of the dataset: 'nothing'"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": {}}), "mapping.completion needs a question, a field, or both"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": {"field": "image"}}), "mapping.completion.field: field 'image' is of type image; it must be a text field"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": {"question": "best"}}), "mapping.completion.question: question 'best' is of type label_selection; it must be of type text"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "corrected", "min": 1}}), "mapping.filter.question: question 'corrected' is of type text; it must be of type rating or label_selection or multi_label_selection"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "quality", "labels": ["1"]}}), "mapping.filter: question 'quality' is a rating question; give min (and no labels)"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "best", "min": 1}}), "mapping.filter: question 'best' is a label question; give labels (and no min)"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "best", "labels": ["C"]}}), "mapping.filter.labels: 'C' is not a label of question 'best' (labels: A, B, tie)"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "best", "labels": []}}), "mapping.filter.labels must name at least one label"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "a", "filter": {"question": "ghost", "min": 1}}), "mapping.filter.question names no question of the dataset: 'ghost' (questions: corrected, quality, a-rating, b-rating, best, topics, rank)"),
        (Shape::Kto, json!({"prompt": "prompt", "completion": "a"}), "mapping.label is missing: give a rating question with min, or a label question with labels"),
        (Shape::Dpo, json!({"prompt": "prompt"}), "the mapping must say how responses are compared: mapping.ranking, mapping.ratings, mapping.choice, mapping.pairwise or mapping.edits"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank"}, "ratings": {}}), "the mapping gives ranking and ratings: give only one way to compare responses"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "best"}}), "mapping.ranking.question: question 'best' is of type label_selection; it must be of type ranking"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank", "options": {"c": "a", "b": "b"}}}), "mapping.ranking.options: 'c' is not an option of question 'rank' (options: a, b)"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank", "options": {"a": "chat", "b": "b"}}}), "mapping.ranking.options.a: field 'chat' is of type chat; it must be a text field"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank", "options": {"a": "a"}}}), "mapping.ranking.options must map at least two options to response fields"),
        (Shape::Dpo, json!({"prompt": "prompt", "choice": {"question": "best"}}), "mapping.choice.options is missing and fewer than two options of question 'best' name text fields: map its options to response fields"),
        (Shape::Dpo, json!({"prompt": "prompt", "ratings": {"a-rating": "a"}}), "mapping.ratings must tie at least two rating questions to response fields"),
        (Shape::Dpo, json!({"prompt": "prompt", "ratings": {"a-rating": "a", "best": "b"}}), "mapping.ratings: question 'best' is of type label_selection; it must be of type rating"),
        (Shape::Dpo, json!({"prompt": "prompt", "ratings": {"a-rating": "a", "b-rating": "nope"}}), "mapping.ratings.b-rating names no field of the dataset: 'nope' (fields: prompt, context, chat, image, a, b)"),
        (Shape::Dpo, json!({"prompt": "prompt", "ratings": {"a-rating": "a", "b-rating": "a"}}), "mapping.ratings names field 'a' twice: each must name a different response"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank", "options": {"a": "b", "b": "b"}}}), "mapping.ranking.options names field 'b' twice: each must name a different response"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank"}, "pairs": "some"}), "mapping.pairs must be 'best_worst' or 'all', not 'some'"),
        (Shape::Dpo, json!({"prompt": "prompt", "ranking": {"question": "rank", "order": 1}}), "mapping.ranking.order is not a key of a ranking (keys: question, options)"),
        (Shape::Rm, json!({"prompt": "prompt", "choice": {"question": "best", "options": {"A": "a", "B": "b"}}, "margin": true}), "mapping.margin: a choice between responses gives no margin; leave margin out or false"),
        (Shape::Rm, json!({"prompt": "prompt", "ranking": {"question": "rank"}, "margin": "yes"}), "mapping.margin must be true or false"),
        (Shape::Dpo, json!({"prompt": "prompt", "pairwise": {"question": "best"}}), "mapping.pairwise.question: 'best' is not a pairwise question of the dataset (pairwise questions: none)"),
        (Shape::Dpo, json!({"prompt": "prompt", "pairwise": {}}), "mapping.pairwise.question is missing: give the pairwise question's name"),
        (Shape::Dpo, json!({"prompt": "prompt", "edits": {"question": "quality", "original": {"field": "a"}}}), "mapping.edits.question: question 'quality' is of type rating; it must be of type text"),
        (Shape::Dpo, json!({"prompt": "prompt", "edits": {"question": "corrected", "original": {"field": "image"}}}), "mapping.edits.original.field: field 'image' is of type image; it must be a text field"),
        (Shape::Dpo, json!({"prompt": "prompt", "edits": {"question": "corrected", "original": {"suggestion": false}}}), "mapping.edits.original must be {\"suggestion\": true} or {\"field\": <text field>}"),
        (Shape::Dpo, json!({"prompt": "prompt", "edits": {"question": "corrected"}, "ranking": {"question": "rank"}}), "the mapping gives ranking and edits: give only one way to compare responses"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": {"field": "a"}, "only_edited": true}), "mapping.only_edited needs mapping.completion.question: the text question whose edits are kept"),
        (Shape::Sft, json!({"prompt": "prompt", "completion": "corrected", "only_edited": 1}), "mapping.only_edited must be true or false"),
    ];
    for (shape, value, want) in cases {
        assert_eq!(rejected(parse(shape, value.clone(), &schema)), want, "{value}");
    }
}
