use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::answer::Answer;
use crate::model::Question;
use crate::settings::{LabelOption, QuestionSettings};
use crate::{DatasetId, QuestionId, ResponseId, Timestamp};

fn label_question() -> Question {
    let options = ["a", "b"]
        .iter()
        .map(|it| LabelOption { value: (*it).into(), text: (*it).into(), description: None })
        .collect();
    Question {
        id: QuestionId::new(),
        dataset_id: DatasetId::new(),
        name: "label".into(),
        title: "label".into(),
        description: None,
        required: true,
        settings: QuestionSettings::LabelSelection { options, visible_options: None },
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn schema() -> DatasetSchema {
    DatasetSchema {
        fields: vec![],
        questions: vec![label_question()],
        metadata_properties: vec![],
        vector_settings: vec![],
    }
}

fn ballot(user: &str, label: &str) -> Ballot {
    Ballot { username: user.into(), answers: BTreeMap::from([("label".to_owned(), Answer::Label(label.into()))]) }
}

fn rule(value: serde_json::Value) -> ReviewRule {
    ReviewRule::parse(&value, 42).unwrap()
}

#[test]
fn rules_parse_render_and_refuse_what_does_not_fit() {
    assert_eq!(rule(json!({"mode": "disagreement"})), ReviewRule::default_with(42));
    let sample = rule(json!({"mode": "sample", "rate": 0.25, "seed": 7}));
    assert_eq!(sample.selection, Selection::Sample { rate: 0.25 });
    assert_eq!(sample.seed, 7);
    assert_eq!(ReviewRule::parse(&sample.to_json(), 1).unwrap(), sample);
    let refused = [
        json!([]),
        json!({"mode": "all"}),
        json!({}),
        json!({"mode": "disagreement", "threshold": 1.0}),
        json!({"mode": "disagreement", "threshold": -0.1}),
        json!({"mode": "disagreement", "threshold": "high"}),
        json!({"mode": "sample"}),
        json!({"mode": "sample", "rate": 0}),
        json!({"mode": "sample", "rate": 1.5}),
        json!({"mode": "sample", "rate": 0.5, "seed": -1}),
        json!({"mode": "sample", "rate": 0.5, "seed": MAX_SEED + 1}),
    ];
    for value in refused {
        assert!(ReviewRule::parse(&value, 1).is_err(), "{value} was accepted");
    }
}

#[test]
fn disagreement_selects_records_whose_answers_differ_beyond_the_threshold() {
    let schema = schema();
    let agree = disagreements(&schema, &[ballot("ada", "a"), ballot("bo", "a")]);
    let differ = disagreements(&schema, &[ballot("ada", "a"), ballot("bo", "b")]);
    let alone = disagreements(&schema, &[ballot("ada", "a")]);
    let any = ReviewRule::default_with(1);
    let id = RecordId::new();
    assert_eq!(select(&any, id, &agree, 2, 2, false), None);
    assert_eq!(select(&any, id, &differ, 2, 2, false), Some(Reason::Disagreement));
    assert_eq!(select(&any, id, &alone, 1, 2, false), None);
    assert_eq!(select(&any, id, &agree, 2, 2, true), Some(Reason::Resubmitted));
    // Two of three agree: a mean pairwise distance of 2/3.
    let two_of_three = disagreements(&schema, &[ballot("ada", "a"), ballot("bo", "b"), ballot("cy", "a")]);
    let high = rule(json!({"mode": "disagreement", "threshold": 0.7}));
    assert_eq!(select(&high, id, &two_of_three, 3, 2, false), None);
    assert_eq!(select(&high, id, &differ, 2, 2, false), Some(Reason::Disagreement));
}

#[test]
fn the_sample_is_deterministic_complete_records_only_and_near_its_rate() {
    let ids: Vec<RecordId> = (0..4000).map(|_| RecordId::new()).collect();
    let picked = ids.iter().filter(|id| sampled(9, **id, 0.25)).count();
    assert!((800..1200).contains(&picked), "{picked} of 4000 sampled at 0.25");
    assert!(ids.iter().all(|id| sampled(9, *id, 0.25) == sampled(9, *id, 0.25)));
    assert!(ids.iter().all(|id| sampled(3, *id, 1.0)));
    let other_seed = ids.iter().filter(|id| sampled(9, **id, 0.25) != sampled(10, **id, 0.25)).count();
    assert!(other_seed > 0, "another seed gives another sample");
    let all = rule(json!({"mode": "sample", "rate": 1.0}));
    assert_eq!(select(&all, ids[0], &[], 2, 2, false), Some(Reason::Sampled));
    assert_eq!(select(&all, ids[0], &[], 1, 2, false), None, "incomplete records are not sampled");
    assert_eq!(select(&all, ids[0], &[], 0, 0, false), None, "nor records without answers");
}

#[test]
fn comments_are_required_and_bounded() {
    assert_eq!(check_comment("  fix the label \n").unwrap(), "fix the label");
    assert!(check_comment(" \n ").is_err());
    assert!(check_comment(&"x".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    assert!(check_comment(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
}

fn response(user: UserId, status: ResponseStatus) -> Response {
    Response {
        id: ResponseId::new(),
        record_id: RecordId::new(),
        user_id: user,
        values: None,
        status,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

#[test]
fn annotators_see_others_submitted_answers_only_after_submitting_in_open_datasets() {
    let (me, other, third) = (UserId::new(), UserId::new(), UserId::new());
    let authors = |list: Vec<Response>| list.into_iter().map(|it| it.user_id).collect::<Vec<_>>();
    let others = vec![response(other, ResponseStatus::Submitted), response(third, ResponseStatus::Draft)];
    let with_mine = |status| {
        let mut list = others.clone();
        list.push(response(me, status));
        list
    };
    // Blind: only my own, whatever its status.
    assert_eq!(authors(visible_responses(me, false, false, with_mine(ResponseStatus::Submitted))), vec![me]);
    // Open, before submitting: only my own (a draft, a discard, or none).
    assert_eq!(authors(visible_responses(me, false, true, with_mine(ResponseStatus::Draft))), vec![me]);
    assert_eq!(authors(visible_responses(me, false, true, with_mine(ResponseStatus::Discarded))), vec![me]);
    assert!(visible_responses(me, false, true, others.clone()).is_empty());
    // Open, after submitting: others' submitted answers, never their drafts.
    assert_eq!(authors(visible_responses(me, false, true, with_mine(ResponseStatus::Submitted))), vec![other, me]);
    // Managers see every response.
    assert_eq!(visible_responses(me, true, false, others.clone()).len(), 2);
}

#[test]
fn sources_round_trip() {
    let user = UserId::new();
    for source in [Source::Response(user), Source::Consolidated, Source::Own] {
        assert_eq!(Source::parse(source.as_str(), source.user()), Some(source));
    }
    assert_eq!(Source::parse("response", None), None);
    assert_eq!(values_of([("q".to_owned(), json!(3))]), json!({"q": {"value": 3}}));
}
