//! Whole responses: the response-level rules, parse errors, odd input and dropped ranks.

use super::*;

#[test]
fn response_level_rules_in_order() {
    let (text, label, rating) = (text_q(), label_q(), rating_q());
    let questions = [
        QuestionRef { name: "comment", required: false, settings: &text },
        QuestionRef { name: "label", required: true, settings: &label },
        QuestionRef { name: "rating", required: true, settings: &rating },
    ];
    let run = |values: Option<Value>, status| check_response(values.as_ref(), status, &questions, &fields("x"));
    let cases: Vec<(Option<Value>, ResponseStatus, &str)> = vec![
        (None, SUB, "missing response values for submitted response"),
        (Some(json!(null)), SUB, "missing response values for submitted response"),
        (Some(json!({})), SUB, "missing response values for submitted response"),
        (
            Some(json!({"comment": {"value": "x"}})),
            SUB,
            "missing response value for required question with name='label'",
        ),
        (
            Some(json!({"label": {"value": "a"}, "comment": {"value": "x"}})),
            SUB,
            "missing response value for required question with name='rating'",
        ),
        // Required questions come before unknown keys.
        (
            Some(json!({"nope": {"value": "x"}, "label": {"value": "a"}})),
            SUB,
            "missing response value for required question with name='rating'",
        ),
        (
            Some(json!({"label": {"value": "a"}, "rating": {"value": 1}, "nope": {"value": "x"}})),
            SUB,
            "found response value for non configured question with name='nope'",
        ),
        (
            Some(json!({"it's": {"value": "x"}})),
            DRAFT,
            "found response value for non configured question with name=\"it's\"",
        ),
        // Unknown keys come before value rules.
        (
            Some(json!({"rating": {"value": 9}, "nope": {"value": "x"}})),
            DRAFT,
            "found response value for non configured question with name='nope'",
        ),
        // Values are checked in question order, not key order.
        (
            Some(json!({"rating": {"value": 9}, "label": {"value": "z"}})),
            ResponseStatus::Discarded,
            "'z' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
    ];
    for (values, status, expected) in cases {
        assert_eq!(invalid_msg(run(values.clone(), status)), expected, "{values:?}");
    }

    // Drafts and discarded responses may be partial, null or empty.
    assert_eq!(run(None, DRAFT), Ok(None));
    assert_eq!(run(Some(json!(null)), ResponseStatus::Discarded), Ok(None));
    assert_eq!(run(Some(json!({})), DRAFT), Ok(Some(json!({}))));
    assert_eq!(
        run(Some(json!({"rating": {"value": 2, "extra": true}})), DRAFT),
        Ok(Some(json!({"rating": {"value": 2}})))
    );
    // A full submitted response keeps its key order.
    let full = json!({"rating": {"value": 3}, "comment": {"value": ""}, "label": {"value": "b"}});
    let got = run(Some(full.clone()), SUB);
    assert_eq!(got, Ok(Some(full.clone())));
    let keys: Vec<String> = got
        .ok()
        .flatten()
        .and_then(|it| it.as_object().cloned())
        .map(|it| it.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["rating", "comment", "label"]);
}

#[test]
fn response_parse_level_errors() {
    let text = text_q();
    let questions = [QuestionRef { name: "q", required: false, settings: &text }];
    let run = |values: Value| schema_err(check_response(Some(&values), SUB, &questions, &fields("x")));
    let long = "k".repeat(201);
    let cases: Vec<(Value, Vec<Loc>, &str)> = vec![
        (json!([]), vec![Loc::from("values")], "dict_type"),
        (json!("x"), vec![Loc::from("values")], "dict_type"),
        (json!({"": {"value": "x"}}), vec![Loc::from("values"), Loc::from("")], "string_too_short"),
        (json!({long.clone(): {"value": "x"}}), vec![Loc::from("values"), Loc::from(long.as_str())], "string_too_long"),
        (json!({"q": "x"}), vec![Loc::from("values"), Loc::from("q")], "model_attributes_type"),
        (json!({"q": null}), vec![Loc::from("values"), Loc::from("q")], "model_attributes_type"),
        (json!({"q": {"val": "x"}}), vec![Loc::from("values"), Loc::from("q"), Loc::from("value")], "missing"),
        // Parse errors come before the response-level rules (even for unknown keys).
        (
            json!({"nope": {"value": 1.5}}),
            vec![Loc::from("values"), Loc::from("nope"), Loc::from("value")],
            "value_error",
        ),
    ];
    for (values, loc, kind) in cases {
        let err = run(values.clone());
        assert_eq!((err.loc, err.kind), (loc, kind), "{values}");
    }
    let ok_200 = "k".repeat(200);
    let err = invalid_msg(check_response(Some(&json!({ok_200: {"value": "x"}})), DRAFT, &questions, &fields("x")));
    assert!(err.starts_with("found response value for non configured question"), "{err}");
}

#[test]
fn odd_json_never_panics() {
    // Request bodies are parsed with serde_json (nesting limit 128), so 300 levels is plenty.
    let mut deep = json!("x");
    for _ in 0..300 {
        deep = json!([deep]);
    }
    let mut deep_obj = json!(1);
    for _ in 0..300 {
        let inner = deep_obj.clone();
        deep_obj = json!({"value": inner, "label": deep_obj});
        if deep_obj.to_string().len() > 100_000 {
            break;
        }
    }
    let odd = vec![
        deep,
        deep_obj,
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(u64::MAX),
        json!(i64::MIN),
        json!([u64::MAX, i64::MIN, 1e308, -5e-324]),
        json!([{"label": "PER", "start": i64::MAX, "end": i64::MAX}]),
        json!([{"label": "PER", "start": i64::MAX - 1, "end": i64::MAX}]),
        json!([{"label": "PER", "start": 0, "end": u64::MAX}]),
        json!([{"value": "x", "rank": i64::MIN}, {"value": "y", "rank": i64::MAX}, {"value": "z", "rank": u64::MAX}]),
        json!([{"value": "x", "rank": i64::MIN}, {"value": "y", "rank": i64::MAX}, {"value": "z", "rank": 0}]),
        json!(""),
        json!([""]),
        json!([{}]),
        json!({}),
        json!([[]]),
        json!([null]),
        json!("\u{0}\u{ffff}😀"),
    ];
    let settings = [text_q(), label_q(), multi_q(), rating_q(), ranking_q(), span_q(false), span_q(true)];
    for value in &odd {
        for settings in &settings {
            for status in [SUB, DRAFT, ResponseStatus::Discarded] {
                let _ = check(settings, status, value.clone(), "");
                let _ = check(settings, status, value.clone(), "Hello 😀");
            }
            let _ = check_sugg(settings, value.clone(), value.clone(), value.clone(), value.clone());
        }
    }
    let _ = py_float(f64::MIN_POSITIVE);
    let _ = py_float(f64::NAN);
    let _ = py_float(f64::INFINITY);
}

#[test]
fn dropped_ranks_come_back_only_for_the_same_values_in_the_same_order() {
    let stored = json!({"order": {"value": [{"value": "z", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 2}]},
                        "label": {"value": "a"}});
    let ranking = ["order"];
    let mut same = json!({"order": {"value": [{"value": "z"}, {"value": "x"}, {"value": "y", "rank": null}]}, "label": {"value": "b"}});
    restore_dropped_ranks(&mut same, &stored, &ranking);
    assert_eq!(same["order"], stored["order"]);
    assert_eq!(same["label"], json!({"value": "b"}), "other questions untouched");
    for sent in [
        json!({"order": {"value": [{"value": "x"}, {"value": "z"}, {"value": "y"}]}}),
        json!({"order": {"value": [{"value": "z"}, {"value": "x"}]}}),
        json!({"order": {"value": [{"value": "z", "rank": 3}, {"value": "x"}, {"value": "y"}]}}),
        json!({"order": {"value": "z"}}),
        json!({"other": {"value": [{"value": "z"}]}}),
    ] {
        let mut got = sent.clone();
        restore_dropped_ranks(&mut got, &stored, &ranking);
        assert_eq!(got, sent);
    }
    let mut nothing_stored = json!({"order": {"value": [{"value": "z"}]}});
    restore_dropped_ranks(&mut nothing_stored, &json!({}), &ranking);
    assert_eq!(nothing_stored, json!({"order": {"value": [{"value": "z"}]}}));
}
