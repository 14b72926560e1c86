//! Values of each question type: what is accepted and normalised, and each rejection.

use super::*;

#[test]
fn accepted_values_are_normalised() {
    let cases: Vec<(QuestionSettings, ResponseStatus, Value, Value)> = vec![
        (text_q(), SUB, json!("free text"), json!("free text")),
        (text_q(), SUB, json!(""), json!("")),
        (label_q(), SUB, json!("a"), json!("a")),
        (rating_q(), SUB, json!(2), json!(2)),
        (multi_q(), SUB, json!(["a", "c"]), json!(["a", "c"])),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 1, "extra": 1}, {"value": "y", "rank": 2}, {"value": "z", "rank": 2}]),
            json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 2}, {"value": "z", "rank": 2}]),
        ),
        (ranking_q(), DRAFT, json!([{"value": "x"}]), json!([{"value": "x", "rank": null}])),
        (ranking_q(), DRAFT, json!([]), json!([])),
        (
            span_q(false),
            SUB,
            json!([{"label": "PER", "start": 0, "end": 5, "score": 0.3, "x": 1}, {"label": "ORG", "start": 5, "end": 11, "score": "hi"}]),
            json!([{"label": "PER", "start": 0, "end": 5, "score": 0.3}, {"label": "ORG", "start": 5, "end": 11}]),
        ),
        (span_q(false), SUB, json!([]), json!([])),
        (
            span_q(true),
            SUB,
            json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 2, "end": 7}]),
            json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 2, "end": 7}]),
        ),
    ];
    for (settings, status, value, expected) in cases {
        let got = check(&settings, status, value.clone(), "Hello world");
        assert_eq!(got, Ok(expected), "{value}");
    }
}

#[test]
fn numbers_inside_lists_become_python_strings() {
    let settings = QuestionSettings::MultiLabelSelection {
        options: opts(&["1", "2.5", "1e+16", "0.0001", "1e-05", "3.0", "100"]),
        visible_options: None,
        options_order: crate::settings::OptionsOrder::Natural,
    };
    let got = check(&settings, SUB, json!([1, 2.5, 1e16, 0.0001, 0.00001, 3.0, 100]), "");
    assert_eq!(got, Ok(json!(["1", "2.5", "1e+16", "0.0001", "1e-05", "3.0", "100"])));
    let ranking = QuestionSettings::Ranking { options: opts(&["1", "2"]) };
    let got = check(&ranking, SUB, json!([{"value": 1, "rank": 1}, {"value": 2, "rank": 2}]), "");
    assert_eq!(got, Ok(json!([{"value": "1", "rank": 1}, {"value": "2", "rank": 2}])));
}

#[test]
fn shape_errors_are_schema_errors_with_a_location() {
    let q = |value: &str| Loc::Key(value.to_owned());
    let cases: Vec<(QuestionSettings, Value, Vec<Loc>, &str)> = vec![
        (rating_q(), json!(3.0), vec![q("values"), q("q"), q("value")], "value_error"),
        (rating_q(), json!(2.5), vec![q("values"), q("q"), q("value")], "value_error"),
        (text_q(), json!(true), vec![q("values"), q("q"), q("value")], "value_error"),
        (text_q(), json!({"a": 1}), vec![q("values"), q("q"), q("value")], "value_error"),
        (text_q(), json!(null), vec![q("values"), q("q"), q("value")], "value_error"),
        (multi_q(), json!(["a", true]), vec![q("values"), q("q"), q("value"), Loc::Index(1)], "string_type"),
        (multi_q(), json!(["a", null]), vec![q("values"), q("q"), q("value"), Loc::Index(1)], "string_type"),
        (multi_q(), json!([["a"]]), vec![q("values"), q("q"), q("value"), Loc::Index(0)], "string_type"),
        (
            span_q(false),
            json!([{"label": "PER", "start": -1, "end": 2}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
            "greater_than_equal",
        ),
        (
            span_q(false),
            json!([{"label": "PER", "start": 0, "end": 0}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("end")],
            "greater_than_equal",
        ),
        (
            span_q(false),
            json!([{"label": "PER", "start": 3, "end": 3}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0)],
            "value_error",
        ),
        (
            span_q(false),
            json!([{"label": "PER", "start": 0.5, "end": 3}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
            "int_type",
        ),
        (
            span_q(false),
            json!([{"label": "PER", "end": 3}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
            "missing",
        ),
        (
            ranking_q(),
            json!([{"value": "x", "rank": "1"}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("rank")],
            "int_type",
        ),
        (
            ranking_q(),
            json!([{"rank": 1}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("value")],
            "missing",
        ),
        // Right shape for another question type, wrong for this one: re-read as needed.
        (ranking_q(), json!(["x", "y"]), vec![q("values"), q("q"), q("value"), Loc::Index(0)], "model_attributes_type"),
        (
            span_q(false),
            json!([{"value": "x", "rank": 1}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0), q("label")],
            "missing",
        ),
        (
            multi_q(),
            json!([{"value": "x", "rank": 1}]),
            vec![q("values"), q("q"), q("value"), Loc::Index(0)],
            "string_type",
        ),
    ];
    for (settings, value, loc, kind) in cases {
        let err = schema_err(check(&settings, SUB, value.clone(), "Hello world"));
        assert_eq!((err.loc, err.kind), (loc, kind), "{value}");
    }
    let err = schema_err(check(&span_q(false), SUB, json!([{"label": "PER", "start": 3, "end": 3}]), "x"));
    assert_eq!(err.msg, "Value error, span question response value 'end' must have a value greater than 'start'");
}

#[test]
fn too_many_spans_is_a_schema_error() {
    let text = "a".repeat(20_001);
    let spans: Vec<Value> =
        (0..=SPAN_VALUE_MAX_ITEMS).map(|idx| json!({"label": "PER", "start": idx, "end": idx + 1})).collect();
    let err = schema_err(check(&span_q(false), SUB, Value::Array(spans.clone()), &text));
    assert_eq!(err.kind, "too_long");
    assert_eq!(err.msg, "List should have at most 10000 items after validation, not 10001");
    let ok = check(&span_q(false), SUB, Value::Array(spans[..SPAN_VALUE_MAX_ITEMS].to_vec()), &text);
    assert_eq!(ok.map(|it| it.as_array().map(Vec::len)), Ok(Some(SPAN_VALUE_MAX_ITEMS)));
}

#[test]
fn per_type_rules_have_the_reference_messages() {
    let cases: Vec<(QuestionSettings, ResponseStatus, Value, &str)> = vec![
        (text_q(), SUB, json!(1), "text question expects a text value, found <class 'int'>"),
        (text_q(), SUB, json!(["a"]), "text question expects a text value, found <class 'list'>"),
        (
            label_q(),
            SUB,
            json!("c"),
            "'c' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            label_q(),
            SUB,
            json!(3),
            "3 is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            label_q(),
            SUB,
            json!(["a"]),
            "['a'] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            label_q(),
            SUB,
            json!([{"value": "a"}]),
            "[RankingQuestionResponseValueItem(value='a', rank=None)] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            label_q(),
            SUB,
            json!([{"label": "a", "start": 0, "end": 1}]),
            "[SpanQuestionResponseValueItem(label='a', start=0, end=1)] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            multi_q(),
            SUB,
            json!("a"),
            "multi label selection questions expects a list of values, found <class 'str'>",
        ),
        (multi_q(), SUB, json!(1), "multi label selection questions expects a list of values, found <class 'int'>"),
        (multi_q(), SUB, json!([]), "multi label selection questions expects a list of values, found empty list"),
        (
            multi_q(),
            SUB,
            json!(["a", "a"]),
            "multi label selection questions expect a list of unique values, but duplicates were found",
        ),
        (
            multi_q(),
            SUB,
            json!(["y", "a", "x"]),
            "['x', 'y'] are not valid labels for multi label selection question.\nValid labels are: ['a', 'b', 'c']",
        ),
        (
            rating_q(),
            SUB,
            json!(4),
            "4 is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
        ),
        (
            rating_q(),
            SUB,
            json!("3"),
            "'3' is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
        ),
        (
            rating_q(),
            SUB,
            json!(18446744073709551615_u64),
            "18446744073709551615 is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
        ),
        (ranking_q(), SUB, json!("x"), "ranking question expects a list of values, found <class 'str'>"),
        (ranking_q(), DRAFT, json!(1), "ranking question expects a list of values, found <class 'int'>"),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 1}]),
            "ranking question expects a list containing 3 values, found a list of 1 values",
        ),
        (
            ranking_q(),
            SUB,
            json!([]),
            "ranking question expects a list containing 3 values, found a list of 0 values",
        ),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 4}, {"value": "z", "rank": 0}]),
            "[0, 4] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
        ),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x"}, {"value": "y"}, {"value": "z"}]),
            "[None] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
        ),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 9}, {"value": "y"}, {"value": "z", "rank": 1}]),
            "[None, 9] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
        ),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 1}, {"value": "w", "rank": 2}, {"value": "v", "rank": 3}]),
            "['v', 'w'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
        ),
        (
            ranking_q(),
            DRAFT,
            json!([{"value": "q"}]),
            "['q'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
        ),
        (
            ranking_q(),
            SUB,
            json!([{"value": "x", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 3}]),
            "ranking question expects a list of unique values, but duplicates were found",
        ),
        (
            ranking_q(),
            DRAFT,
            json!([{"value": "x"}, {"value": "x"}]),
            "ranking question expects a list of unique values, but duplicates were found",
        ),
        (span_q(false), SUB, json!("PER"), "span question expects a list of values, found <class 'str'>"),
        (span_q(false), SUB, json!(3), "span question expects a list of values, found <class 'int'>"),
        (
            span_q(false),
            SUB,
            json!([{"label": "PER", "start": 11, "end": 12}]),
            "span question response value `start` must have a value lower than record field `text` length that is `11`",
        ),
        (
            span_q(false),
            SUB,
            json!([{"label": "PER", "start": 0, "end": 12}]),
            "span question response value `end` must have a value lower or equal than record field `text` length that is `11`",
        ),
        (
            span_q(false),
            SUB,
            json!([{"label": "LOC", "start": 0, "end": 2}]),
            "undefined label 'LOC' for span question.\nValid labels are: ['PER', 'ORG']",
        ),
        (
            span_q(false),
            SUB,
            json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 4, "end": 6}]),
            "overlapping values found between spans at index idx=0 and idx=1",
        ),
        (
            span_q(false),
            SUB,
            json!([
                {"label": "PER", "start": 0, "end": 1},
                {"label": "PER", "start": 8, "end": 10},
                {"label": "PER", "start": 2, "end": 4},
                {"label": "ORG", "start": 3, "end": 5},
                {"label": "ORG", "start": 9, "end": 11}
            ]),
            "overlapping values found between spans at index idx=1 and idx=4",
        ),
        (
            span_q(false),
            SUB,
            json!([{"label": "PER", "start": 1, "end": 3}, {"label": "PER", "start": 1, "end": 3}]),
            "overlapping values found between spans at index idx=0 and idx=1",
        ),
    ];
    for (settings, status, value, expected) in cases {
        assert_eq!(invalid_msg(check(&settings, status, value.clone(), "Hello world")), expected, "{value}");
    }
}

#[test]
fn span_lengths_count_code_points() {
    // (field text, its length in code points)
    for (text, len) in [("😀😀", 2_i64), ("日本語", 3), ("e\u{301}", 2), ("café", 4), ("a", 1)] {
        let ok = check(&span_q(false), SUB, json!([{"label": "PER", "start": len - 1, "end": len}]), text);
        assert!(ok.is_ok(), "{text}: {ok:?}");
        let err = invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": 0, "end": len + 1}]), text));
        assert_eq!(
            err,
            format!("span question response value `end` must have a value lower or equal than record field `text` length that is `{len}`")
        );
        let err =
            invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": len, "end": len + 1}]), text));
        assert_eq!(
            err,
            format!("span question response value `start` must have a value lower than record field `text` length that is `{len}`")
        );
    }
    // An empty field has no valid span.
    let err = invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": 0, "end": 1}]), ""));
    assert!(err.contains("`start` must have a value lower than record field `text` length that is `0`"), "{err}");
}

#[test]
fn span_needs_a_text_field_on_the_record() {
    let settings = QuestionSettings::Span {
        field: "chat".to_owned(),
        options: opts(&["PER"]),
        visible_options: None,
        allow_overlapping: false,
    };
    let missing = QuestionSettings::Span {
        field: "nope".to_owned(),
        options: opts(&["PER"]),
        visible_options: None,
        allow_overlapping: false,
    };
    assert_eq!(
        invalid_msg(check(&settings, SUB, json!([]), "x")),
        "span question requires record to have field `chat`"
    );
    assert_eq!(
        invalid_msg(check(&missing, DRAFT, json!([{"label": "PER", "start": 0, "end": 1}]), "x")),
        "span question requires record to have field `nope`"
    );
}

#[test]
fn overlap_search_matches_the_nested_loops() {
    // Brute force over small random-ish layouts.
    let mut seed: u64 = 7;
    let mut next = |max: i64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        i64::try_from((seed >> 33) % u64::try_from(max).unwrap_or(1)).unwrap_or(0)
    };
    for _ in 0..500 {
        let n = usize::try_from(next(6)).unwrap_or(0) + 1;
        let items: Vec<SpanItem> = (0..n)
            .map(|_| {
                let start = next(20);
                SpanItem { label: "a".to_owned(), start, end: start + 1 + next(5), score: None }
            })
            .collect();
        let mut expected = None;
        'outer: for i in 0..n {
            for j in 0..n {
                if i != j && items[i].start < items[j].end && items[i].end > items[j].start {
                    expected = Some((i, j));
                    break 'outer;
                }
            }
        }
        assert_eq!(first_overlap(&items), expected, "{items:?}");
    }
}

#[test]
fn one_label_renders_the_same_in_the_value_and_the_settings_messages() {
    use crate::python::repr_str;
    use crate::settings::Limits;

    let label = "l'été \"x\"\u{1}";
    let shown = "'l\\'été \"x\"\\x01'";
    assert_eq!(repr_str(label), shown);
    let option = LabelOption { value: "a".to_owned(), text: "A".to_owned(), description: None };
    let settings = QuestionSettings::LabelSelection { options: vec![option], visible_options: None };
    let question = QuestionRef { name: "q", required: false, settings: &settings };
    let values = json!({"q": {"value": label}});
    let err = check_response(Some(&values), ResponseStatus::Draft, &[question], &Map::new());
    assert_eq!(
        err.map_err(|it| it.to_string()),
        Err(format!("{shown} is not a valid label for label selection question.\nValid labels are: ['a']"))
    );
    let renamed = json!({"type": "label_selection", "options": [{"value": label, "text": "A"}]});
    let err = settings.update(&renamed, &[Loc::from("settings")], Limits::default()).map(|it| it.map_err(|it| it.0));
    assert_eq!(
        err,
        Ok(Err(format!("the option values cannot be modified. found unexpected option values: [{shown}]")))
    );
}
