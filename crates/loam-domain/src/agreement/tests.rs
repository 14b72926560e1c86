use serde_json::{json, Map, Value};

use super::*;
use crate::answer::NamedResponse;
use crate::distribution::RecordStatus;
use crate::model::{Record, Response, Suggestion};
use crate::settings::{LabelOption, QuestionSettings};
use crate::timestamp::Timestamp;
use crate::{DatasetId, QuestionId, RecordId, ResponseId, SuggestionId, UserId};

fn options(values: &[&str]) -> Vec<LabelOption> {
    values.iter().map(|it| LabelOption { value: (*it).into(), text: (*it).into(), description: None }).collect()
}

fn question(name: &str, settings: QuestionSettings) -> Question {
    Question {
        id: QuestionId::new(),
        dataset_id: DatasetId::new(),
        name: name.into(),
        title: name.into(),
        description: None,
        required: false,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn schema(questions: Vec<Question>) -> DatasetSchema {
    DatasetSchema { fields: vec![], questions, metadata_properties: vec![], vector_settings: vec![] }
}

/// A record whose responses are `(username, status, answer to question q)`.
fn record(fields: Value, answers: &[(&str, ResponseStatus, Value)], suggestions: Vec<Suggestion>) -> AnnotatedRecord {
    let id = RecordId::new();
    let fields: Map<String, Value> = fields.as_object().cloned().unwrap_or_default();
    AnnotatedRecord {
        record: Record {
            id,
            dataset_id: DatasetId::new(),
            fields,
            metadata: None,
            external_id: None,
            status: RecordStatus::Pending,
            inserted_at: Timestamp(0),
            updated_at: Timestamp(0),
        },
        responses: answers
            .iter()
            .map(|(username, status, value)| NamedResponse {
                username: (*username).into(),
                response: Response {
                    id: ResponseId::new(),
                    record_id: id,
                    user_id: UserId::new(),
                    values: Some(json!({"q": {"value": value}})),
                    status: *status,
                    inserted_at: Timestamp(0),
                    updated_at: Timestamp(0),
                },
            })
            .collect(),
        suggestions,
    }
}

fn submitted(answers: &[(&str, Value)]) -> AnnotatedRecord {
    let answers: Vec<_> = answers.iter().map(|(u, v)| (*u, ResponseStatus::Submitted, v.clone())).collect();
    record(json!({}), &answers, vec![])
}

fn report(q: Question, records: &[AnnotatedRecord]) -> Report {
    let mut agreement = Agreement::new(&schema(vec![q]));
    agreement.fold(records);
    agreement.finish()
}

fn metric<'r>(report: &'r QuestionReport, name: &str, variant: Option<&str>) -> &'r Figure {
    &report.metrics.iter().find(|it| it.name == name && it.variant == variant).unwrap().figure
}

fn close(figure: &Figure, want: f64) {
    let got = figure.value.unwrap_or_else(|| panic!("undefined: {:?}", figure.reason));
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

fn labels() -> Question {
    question("q", QuestionSettings::LabelSelection { options: options(&["x", "y"]), visible_options: None })
}

/// Two coders, four units: (x, x), (x, y), (y, y), (y, y). By hand: o_xx = 2, o_xy = o_yx = 1,
/// o_yy = 4; n_x = 3, n_y = 5, n = 8; α = 1 − 2 / (30 / 7) = 8 / 15. Cohen: p_o = 3/4,
/// p_e = (2·1 + 2·3) / 16 = 1/2, κ = 1/2. Fleiss: P̄ = 3/4, P̄_e = 34/64, κ = 7/15.
fn two_coders() -> Vec<AnnotatedRecord> {
    [("x", "x"), ("x", "y"), ("y", "y"), ("y", "y")]
        .iter()
        .map(|(a, b)| submitted(&[("ann", json!(a)), ("bob", json!(b))]))
        .collect()
}

#[test]
fn label_figures_match_hand_computation() {
    let report = report(labels(), &two_coders());
    let q = &report.questions[0];
    close(metric(q, "krippendorff_alpha", Some("nominal")), 8.0 / 15.0);
    close(metric(q, "fleiss_kappa", None), 7.0 / 15.0);
    assert_eq!(q.pairs.len(), 1);
    assert_eq!(q.pairs[0].annotators, ["ann".to_owned(), "bob".to_owned()]);
    assert_eq!(q.pairs[0].records, 4);
    close(&q.pairs[0].metrics[0].figure, 0.5);
    assert_eq!(q.answered_records, 4);
    assert_eq!(report.submitted_per_record, vec![(2, 4)]);
}

#[test]
fn undefined_cases_are_null_with_a_reason() {
    let lone = report(labels(), &[submitted(&[("ann", json!("x"))])]);
    let alpha = metric(&lone.questions[0], "krippendorff_alpha", Some("nominal"));
    assert_eq!(alpha.value, None);
    assert!(alpha.reason.as_deref().unwrap().contains("2 or more"));

    let same = report(labels(), &[submitted(&[("ann", json!("x")), ("bob", json!("x"))])]);
    let q = &same.questions[0];
    assert!(metric(q, "krippendorff_alpha", Some("nominal")).reason.as_deref().unwrap().contains("no variation"));
    assert_eq!(metric(q, "fleiss_kappa", None).value, None);
    assert_eq!(q.pairs[0].metrics[0].figure.value, None);

    let uneven =
        report(labels(), &[submitted(&[("ann", json!("x")), ("bob", json!("y"))]), submitted(&[("ann", json!("x"))])]);
    let fleiss = metric(&uneven.questions[0], "fleiss_kappa", None);
    assert_eq!(
        fleiss.reason.as_deref().unwrap(),
        "records have 1 to 2 answers; Fleiss' kappa needs the same number on each"
    );
}

#[test]
fn discarded_and_drafts_count_apart_and_never_vote() {
    let records = vec![record(
        json!({}),
        &[
            ("ann", ResponseStatus::Submitted, json!("x")),
            ("bob", ResponseStatus::Discarded, json!("y")),
            ("cid", ResponseStatus::Draft, json!("y")),
        ],
        vec![],
    )];
    let report = report(labels(), &records);
    let counts: Vec<(String, u64, u64)> =
        report.annotators.iter().map(|it| (it.username.clone(), it.submitted, it.discarded)).collect();
    assert_eq!(counts, vec![("ann".into(), 1, 0), ("bob".into(), 0, 1), ("cid".into(), 0, 0)]);
    assert_eq!(report.submitted_per_record, vec![(1, 1)]);
    assert_eq!(report.questions[0].disagreement.iter().map(|it| it.records).sum::<u64>(), 0);
}

#[test]
fn consensus_of_the_others_and_of_everyone_for_agents() {
    let q = labels();
    let suggestion = Suggestion {
        id: SuggestionId::new(),
        record_id: RecordId::new(),
        question_id: q.id,
        value: json!("y"),
        score: Value::Null,
        agent: Some("gpt".into()),
        kind: None,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    let answers: Vec<_> = [("ann", "x"), ("bob", "x"), ("cid", "y")]
        .iter()
        .map(|(u, v)| (*u, ResponseStatus::Submitted, json!(v)))
        .collect();
    let report = report(q, &[record(json!({}), &answers, vec![suggestion])]);
    let q = &report.questions[0];
    // ann and bob see a tie among the others (x, y): skipped; cid sees x, x: distance 1.
    assert_eq!(q.annotators[0].agreement.value, None);
    assert_eq!(q.annotators[2].username, "cid");
    close(&q.annotators[2].agreement, 0.0);
    // Everyone: x (2 of 3); the agent said y.
    assert_eq!(q.agents[0].records, 1);
    close(&q.agents[0].agreement, 0.0);
    // Pairwise distances 0, 1, 1: disagreement 2/3, in the bin [0.6, 0.7).
    assert_eq!(q.disagreement[6].records, 1);
}

#[test]
fn rating_disagreement_is_the_mean_normalised_distance() {
    let q = question("q", QuestionSettings::Rating { options: vec![5, 1, 2, 3, 4] });
    let record = submitted(&[("a", json!(1)), ("b", json!(3)), ("c", json!(5))]);
    let ballots = record.ballots(&schema(vec![q.clone()]));
    let score = record_disagreement(&q, &ballots).unwrap();
    assert!((score - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(record_disagreement(&q, &ballots[..1]), None);
}

#[test]
fn distances_of_sets_and_rankings() {
    assert!((values::masi_distance(&[0, 1], &[0]) - (1.0 - 0.5 * 0.67)).abs() < 1e-12);
    assert!((values::jaccard_distance(&[0, 1], &[1, 2]) - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(values::jaccard_distance(&[], &[]), 0.0);
    let forward = values::doubled_fractional_ranks(&[1, 2, 3]);
    let backward = values::doubled_fractional_ranks(&[3, 2, 1]);
    assert_eq!(values::footrule_distance(&forward, &backward, 3), 1.0);
    // Ties share the mean position: (1, 1, 2) has fractional ranks (1.5, 1.5, 3).
    assert_eq!(values::doubled_fractional_ranks(&[1, 1, 2]), vec![3, 3, 6]);
}

#[test]
fn spans_compare_per_character_and_by_exact_match() {
    let q = question(
        "q",
        QuestionSettings::Span {
            field: "text".into(),
            options: options(&["PER", "LOC"]),
            visible_options: None,
            allow_overlapping: false,
        },
    );
    // Text of 4 characters; ann marks 0..2 PER, bob marks 0..2 PER and 2..4 LOC.
    let answers = [
        ("ann", ResponseStatus::Submitted, json!([{"start": 0, "end": 2, "label": "PER"}])),
        (
            "bob",
            ResponseStatus::Submitted,
            json!([{"start": 0, "end": 2, "label": "PER"}, {"start": 2, "end": 4, "label": "LOC"}]),
        ),
    ];
    let report = report(q, &[record(json!({"text": "abcd"}), &answers, vec![])]);
    let q = &report.questions[0];
    // F1 = 2·1 / 3.
    close(metric(q, "span_f1", None), 2.0 / 3.0);
    // Units: 4 characters; values (PER, PER) ×2, (none, LOC) ×2. o_PP = 4, o_nL = o_Ln = 2;
    // n_P = 4, n_n = 2, n_L = 2, n = 8; Σe·d = (4·2·2 + 4·2·2 + 2·2·2) / 7 = 40 / 7;
    // α = 1 − 4 / (40 / 7) = 0.3.
    close(metric(q, "krippendorff_alpha", Some("span_characters")), 0.3);
}

#[test]
fn folding_in_batches_gives_the_report_of_one_fold() {
    let q = question("q", QuestionSettings::Rating { options: vec![1, 2, 3, 4] });
    let records: Vec<AnnotatedRecord> = (0..9)
        .map(|i: i64| {
            submitted(&[("a", json!(1 + i % 4)), ("b", json!(1 + (i / 2) % 4)), ("c", json!(1 + (i * 7) % 4))])
        })
        .collect();
    let whole = report(q.clone(), &records);
    let mut batched = Agreement::new(&schema(vec![q]));
    for batch in records.chunks(4) {
        batched.fold(batch);
    }
    assert_eq!(batched.finish(), whole);
    assert!(whole.questions[0].metrics.iter().all(|it| it.figure.value.is_some()));
}
