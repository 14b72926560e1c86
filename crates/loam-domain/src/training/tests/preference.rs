//! Pairwise answers and edits as preference rows, computed by hand: A / B / tie / both bad in
//! every shape, strength as margin and `min_strength`, inference, and edits against a field and
//! against the suggestion.

use serde_json::json;

use super::*;
use crate::answer::Answer;
use crate::model::Suggestion;
use crate::pairwise::{Outcomes, Pairing, Ratings, Strength};
use crate::table::Row;
use crate::training::{columns, rows_or_skip, Mapping, Shape, Skip};
use crate::SuggestionId;

/// A prompt, two generations, the pairwise question "preference" with its strength question, and
/// the judge's rating questions (distilabel's `PreferenceToArgilla` switched to pairwise).
fn pairwise_schema() -> (DatasetSchema, Vec<Pairing>) {
    let schema = schema(
        vec![text("instruction"), text("generations-0"), text("generations-1")],
        vec![
            rating_q("generations-0-rating"),
            rating_q("generations-1-rating"),
            label_q("preference", &["A", "B", "tie", "both_bad"]),
            label_q("preference-strength", &["slight", "clear", "strong"]),
        ],
    );
    let pairing = Pairing {
        question: "preference".into(),
        question_id: QuestionId(Uuid::nil()),
        a: "generations-0".into(),
        b: "generations-1".into(),
        outcomes: Outcomes::standard(true, true),
        strength: Some(Strength {
            question: "preference-strength".into(),
            question_id: QuestionId(Uuid::nil()),
            levels: vec!["slight".into(), "clear".into(), "strong".into()],
        }),
        ratings: Some(Ratings { a: "generations-0-rating".into(), b: "generations-1-rating".into() }),
    };
    (schema, vec![pairing])
}

fn label(it: &str) -> Final {
    Final::One(Answer::Label(it.into()))
}

fn made(
    mapping: &Mapping,
    schema: &DatasetSchema,
    record: &AnnotatedRecord,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Row>, Skip> {
    let res = rows_or_skip(mapping, record, schema, finals);
    let cols = columns(mapping);
    for row in res.as_ref().map(Vec::as_slice).unwrap_or_default() {
        assert_eq!(row.len(), cols.len(), "{row:?}");
        for (cell, col) in row.iter().zip(&cols) {
            assert!(cell.fits(col.ty), "{cell:?} in {col:?}");
        }
    }
    res
}

fn generations() -> AnnotatedRecord {
    record(json!({"instruction": "Why?", "generations-0": "g0", "generations-1": "g1"}))
}

#[test]
fn a_pairwise_question_is_inferred_and_its_judge_ratings_are_not_another_comparison() {
    let (schema, pairings) = pairwise_schema();
    let dpo = Mapping::infer_with(Shape::Dpo, &schema, &pairings).unwrap();
    assert_eq!(
        dpo.to_json(),
        json!({"shape": "dpo", "layout": "standard", "prompt": "instruction", "pairs": "best_worst",
               "pairwise": {"question": "preference", "ties": "skip", "both_bad": "skip", "min_strength": null}})
    );
    assert_eq!(dpo.questions(), ["preference", "preference-strength"]);
    let kto = Mapping::infer_with(Shape::Kto, &schema, &pairings).unwrap();
    assert_eq!(
        kto.to_json(),
        json!({"shape": "kto", "layout": "standard", "prompt": "instruction",
               "pairwise": {"question": "preference", "ties": "both_chosen", "both_bad": "both_rejected", "min_strength": null}})
    );
    // Without the pairing the ratings are the comparison, as before.
    let plain = Mapping::infer(Shape::Dpo, &schema).unwrap().to_json();
    assert!(plain.get("ratings").is_some(), "{plain}");
    // Rules that make no sense for the shape are refused.
    let bad = json!({"prompt": "instruction", "pairwise": {"question": "preference", "ties": "both_chosen"}});
    assert_eq!(
        rejected(Mapping::parse_with(Shape::Dpo, &bad, &schema, &pairings)),
        "mapping.pairwise.ties must be skip for a dpo export, not 'both_chosen'"
    );
    let bad = json!({"prompt": "instruction", "pairwise": {"question": "preference", "min_strength": "huge"}});
    assert_eq!(
        rejected(Mapping::parse_with(Shape::Dpo, &bad, &schema, &pairings)),
        "mapping.pairwise.min_strength: 'huge' is not a level of 'preference-strength' (levels: slight, clear, strong)"
    );
}

#[test]
fn outcomes_make_the_rows_computed_by_hand() {
    let (schema, pairings) = pairwise_schema();
    let record = generations();
    let parse = |shape, value: Value| Mapping::parse_with(shape, &value, &schema, &pairings).unwrap();
    let dpo = parse(Shape::Dpo, json!({"prompt": "instruction", "pairwise": {"question": "preference"}}));
    let with = |outcome: &str, strength: Option<&str>| {
        let mut items = vec![("preference", label(outcome))];
        if let Some(level) = strength {
            items.push(("preference-strength", label(level)));
        }
        finals(items)
    };
    assert_eq!(made(&dpo, &schema, &record, &with("A", None)), Ok(vec![vec![s("Why?"), s("g0"), s("g1")]]));
    assert_eq!(made(&dpo, &schema, &record, &with("B", Some("clear"))), Ok(vec![vec![s("Why?"), s("g1"), s("g0")]]));
    assert_eq!(made(&dpo, &schema, &record, &with("tie", None)), Err(Skip("a tie gives no pair (ties: skip)".into())));
    assert_eq!(
        made(&dpo, &schema, &record, &with("both_bad", None)),
        Err(Skip("both responses are bad: no pair (both_bad: skip)".into()))
    );

    // rm: the margin is the strength level's index + 1 (null when unanswered).
    let rm = parse(Shape::Rm, json!({"prompt": "instruction", "pairwise": {"question": "preference"}}));
    assert_eq!(
        made(&rm, &schema, &record, &with("B", Some("strong"))),
        Ok(vec![vec![s("Why?"), s("g1"), s("g0"), Cell::Float(3.0)]])
    );
    assert_eq!(made(&rm, &schema, &record, &with("A", None)), Ok(vec![vec![s("Why?"), s("g0"), s("g1"), Cell::Null]]));

    // min_strength skips weaker (or unanswered) preferences.
    let strong = parse(
        Shape::Dpo,
        json!({"prompt": "instruction", "pairwise": {"question": "preference", "min_strength": "clear"}}),
    );
    assert_eq!(made(&strong, &schema, &record, &with("A", Some("clear"))).map(|it| it.len()), Ok(1));
    assert_eq!(
        made(&strong, &schema, &record, &with("A", Some("slight"))),
        Err(Skip("the strength 'slight' is below min_strength 'clear'".into()))
    );
    assert_eq!(
        made(&strong, &schema, &record, &with("A", None)),
        Err(Skip("no strength answered (min_strength 'clear')".into()))
    );

    // kto: one row per response; a tie makes both desirable, both bad neither.
    let kto = parse(Shape::Kto, json!({"prompt": "instruction", "pairwise": {"question": "preference"}}));
    let kto_rows =
        |a: bool, b: bool| Ok(vec![vec![s("Why?"), s("g0"), Cell::Bool(a)], vec![s("Why?"), s("g1"), Cell::Bool(b)]]);
    assert_eq!(made(&kto, &schema, &record, &with("A", None)), kto_rows(true, false));
    assert_eq!(made(&kto, &schema, &record, &with("B", None)), kto_rows(false, true));
    assert_eq!(made(&kto, &schema, &record, &with("tie", None)), kto_rows(true, true));
    assert_eq!(made(&kto, &schema, &record, &with("both_bad", None)), kto_rows(false, false));
    let skip_ties =
        parse(Shape::Kto, json!({"prompt": "instruction", "pairwise": {"question": "preference", "ties": "skip"}}));
    assert_eq!(
        made(&skip_ties, &schema, &record, &with("tie", None)),
        Err(Skip("a tie gives no row (ties: skip)".into()))
    );

    // Unresolved consolidation gives no row.
    let unresolved = finals(vec![("preference", Final::Unresolved("a tie between A and B".into()))]);
    assert_eq!(
        made(&dpo, &schema, &record, &unresolved),
        Err(Skip("question 'preference' is unresolved: a tie between A and B".into()))
    );
}

/// A prompt, a model's response (also pre-filled as the suggestion of `corrected`), the text
/// question `corrected`.
fn edited_record(suggested: Option<&str>) -> AnnotatedRecord {
    let mut it = record(json!({"prompt": "Capital of France?", "response": "Paris is in France."}));
    if let Some(text) = suggested {
        it.suggestions.push(Suggestion {
            id: SuggestionId(Uuid::nil()),
            record_id: RecordId(Uuid::nil()),
            question_id: QuestionId(Uuid::nil()),
            value: json!(text),
            score: Value::Null,
            agent: Some("model".into()),
            kind: None,
            inserted_at: Timestamp(0),
            updated_at: Timestamp(0),
        });
    }
    it
}

#[test]
fn edits_are_chosen_over_their_original_with_the_edit_size_as_margin() {
    let schema = corrected();
    let text_final = |it: &str| finals(vec![("corrected", Final::One(Answer::Text(it.into())))]);
    let from_field = Mapping::parse(
        Shape::Rm,
        &json!({"prompt": "prompt", "edits": {"question": "corrected", "original": {"field": "response"}}}),
        &schema,
    )
    .unwrap();
    // "Paris is in France." → "Paris." : 13 characters deleted ("is in France" and a space).
    assert_eq!(levenshtein_check("Paris.", "Paris is in France."), 13);
    assert_eq!(
        made(&from_field, &schema, &edited_record(None), &text_final("Paris.")),
        Ok(vec![vec![s("Capital of France?"), s("Paris."), s("Paris is in France."), Cell::Float(13.0)]])
    );
    assert_eq!(
        made(&from_field, &schema, &edited_record(None), &text_final("Paris is in France.")),
        Err(Skip("question 'corrected' was not edited".into()))
    );

    let from_suggestion = Mapping::parse(
        Shape::Dpo,
        &json!({"prompt": "prompt", "edits": {"question": "corrected", "original": {"suggestion": true}}}),
        &schema,
    )
    .unwrap();
    assert_eq!(
        made(&from_suggestion, &schema, &edited_record(Some("Lyon")), &text_final("Paris")),
        Ok(vec![vec![s("Capital of France?"), s("Paris"), s("Lyon")]])
    );
    assert_eq!(
        made(&from_suggestion, &schema, &edited_record(None), &text_final("Paris")),
        Err(Skip("question 'corrected' has no suggestion to compare the edit with".into()))
    );

    // Each annotator's text kept apart (the default for text): one row per edit, by its author.
    let each = finals(vec![(
        "corrected",
        Final::Each(vec![("ann".into(), Answer::Text("Paris".into())), ("bob".into(), Answer::Text("Lyon".into()))]),
    )]);
    assert_eq!(
        crate::training::rows_by_annotator(&from_suggestion, &edited_record(Some("Lyon")), &schema, &each),
        Ok(vec![(Some("ann".to_owned()), vec![s("Capital of France?"), s("Paris"), s("Lyon")])])
    );

    // sft keeps only the edited completions.
    let sft = Mapping::parse(
        Shape::Sft,
        &json!({"prompt": "prompt", "completion": {"question": "corrected"}, "only_edited": true}),
        &schema,
    )
    .unwrap();
    assert_eq!(sft.to_json()["only_edited"], json!(true));
    assert_eq!(
        made(&sft, &schema, &edited_record(Some("Lyon")), &text_final("Paris")),
        Ok(vec![vec![s("Capital of France?"), s("Paris")]])
    );
    assert_eq!(
        made(&sft, &schema, &edited_record(Some("Paris")), &text_final("Paris")),
        Err(Skip("question 'corrected' was not edited (only_edited)".into()))
    );
}

fn levenshtein_check(a: &str, b: &str) -> usize {
    crate::training::levenshtein(a, b)
}

#[test]
fn levenshtein_counts_single_character_edits() {
    use crate::training::levenshtein;
    assert_eq!(levenshtein("kitten", "sitting"), 3);
    assert_eq!(levenshtein("", "abc"), 3);
    assert_eq!(levenshtein("flaw", "lawn"), 2);
    assert_eq!(levenshtein("héllo", "hello"), 1);
    assert_eq!(levenshtein("same", "same"), 0);
}
