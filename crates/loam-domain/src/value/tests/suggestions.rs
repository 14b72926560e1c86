//! Suggestions: values without a status, and the score, agent and type attributes.

use super::*;

#[test]
fn suggestion_values_follow_the_question_without_status() {
    let none = Value::Null;
    // A partial ranking without ranks is fine for a suggestion.
    let got = check_sugg(&ranking_q(), json!([{"value": "y"}]), none.clone(), none.clone(), none.clone());
    assert_eq!(
        got,
        Ok(CheckedSuggestion {
            value: json!([{"value": "y", "rank": null}]),
            score: Value::Null,
            agent: None,
            kind: None
        })
    );
    let got = check_sugg(&multi_q(), json!(["a", "b"]), json!([0.5, 1]), json!("gpt-4o: v1.2/x y"), json!("model"));
    assert_eq!(
        got,
        Ok(CheckedSuggestion {
            value: json!(["a", "b"]),
            score: json!([0.5, 1]),
            agent: Some("gpt-4o: v1.2/x y".to_owned()),
            kind: Some("model".to_owned()),
        })
    );
    let got = check_sugg(&rating_q(), json!(1), json!(0), none.clone(), json!("human"));
    assert_eq!(got.map(|it| (it.value, it.score, it.kind)), Ok((json!(1), json!(0), Some("human".to_owned()))));
    let spans = json!([{"label": "PER", "start": 0, "end": 5, "x": 1}]);
    let got = check_sugg(&span_q(false), spans, json!([1.0]), none.clone(), none.clone());
    assert_eq!(got.map(|it| it.value), Ok(json!([{"label": "PER", "start": 0, "end": 5}])));

    // The value rules are the response rules, as bare reasons.
    let cases: Vec<(QuestionSettings, Value, Value, &str)> = vec![
        (
            label_q(),
            json!("z"),
            none.clone(),
            "'z' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
        ),
        (
            ranking_q(),
            json!([{"value": "nope"}]),
            none.clone(),
            "['nope'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
        ),
        (
            label_q(),
            json!("a"),
            json!([0.5]),
            "a list of score values is not allowed for a suggestion with a single value",
        ),
        (
            multi_q(),
            json!(["a"]),
            json!(0.5),
            "a single score value is not allowed for a suggestion with a multiple items value",
        ),
        (multi_q(), json!(["a", "b"]), json!([0.5]), "number of items on value and score attributes doesn't match"),
        (span_q(false), json!([]), json!([0.5]), "number of items on value and score attributes doesn't match"),
    ];
    for (settings, value, score, expected) in cases {
        let got = check_sugg(&settings, value.clone(), score, none.clone(), none.clone());
        assert_eq!(invalid_msg(got), expected, "{value}");
    }
}

#[test]
fn suggestion_attribute_schema_errors() {
    let none = Value::Null;
    // (value, score, agent, type, expected loc, kind, message)
    type Case<'a> = (Value, Value, Value, Value, Vec<Loc>, &'a str, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        (
            json!("a"),
            json!(1.5),
            none.clone(),
            none.clone(),
            vec![Loc::from("score")],
            "value_error",
            Some("Value error, score must be between 0 and 1"),
        ),
        (
            json!("a"),
            json!(-0.1),
            none.clone(),
            none.clone(),
            vec![Loc::from("score")],
            "value_error",
            Some("Value error, score must be between 0 and 1"),
        ),
        (
            json!(["a"]),
            json!([0.2, 2]),
            none.clone(),
            none.clone(),
            vec![Loc::from("score")],
            "value_error",
            Some("Value error, score must be between 0 and 1"),
        ),
        (json!(["a"]), json!([]), none.clone(), none.clone(), vec![Loc::from("score")], "too_short", None),
        (
            json!(["a"]),
            json!(["0.5"]),
            none.clone(),
            none.clone(),
            vec![Loc::from("score"), Loc::Index(0)],
            "float_type",
            None,
        ),
        (json!("a"), json!(true), none.clone(), none.clone(), vec![Loc::from("score")], "float_type", None),
        (json!("a"), none.clone(), json!(""), none.clone(), vec![Loc::from("agent")], "string_too_short", None),
        (
            json!("a"),
            none.clone(),
            json!("a".repeat(201)),
            none.clone(),
            vec![Loc::from("agent")],
            "string_too_long",
            None,
        ),
        (
            json!("a"),
            none.clone(),
            json!("---"),
            none.clone(),
            vec![Loc::from("agent")],
            "string_pattern_mismatch",
            None,
        ),
        (
            json!("a"),
            none.clone(),
            json!("bad!agent"),
            none.clone(),
            vec![Loc::from("agent")],
            "string_pattern_mismatch",
            None,
        ),
        (
            json!("a"),
            none.clone(),
            json!("ágent"),
            none.clone(),
            vec![Loc::from("agent")],
            "string_pattern_mismatch",
            None,
        ),
        (json!("a"), none.clone(), json!(5), none.clone(), vec![Loc::from("agent")], "string_type", None),
        (json!("a"), none.clone(), none.clone(), json!("robot"), vec![Loc::from("type")], "enum", None),
        (json!("a"), none.clone(), none.clone(), json!(1), vec![Loc::from("type")], "enum", None),
        (json!(1.5), none.clone(), none.clone(), none.clone(), vec![Loc::from("value")], "value_error", None),
        (json!(null), none.clone(), none.clone(), none.clone(), vec![Loc::from("value")], "value_error", None),
        // Type is checked before the value, the value before agent and score.
        (json!(1.5), json!(7), json!("!"), json!("robot"), vec![Loc::from("type")], "enum", None),
        (json!(1.5), json!(7), json!("!"), none.clone(), vec![Loc::from("value")], "value_error", None),
        (json!("a"), json!(7), json!("!"), none.clone(), vec![Loc::from("agent")], "string_pattern_mismatch", None),
    ];
    for (value, score, agent, kind, loc, err_kind, msg) in cases {
        let err = schema_err(check_sugg(&label_q(), value.clone(), score.clone(), agent.clone(), kind.clone()));
        assert_eq!((&err.loc, err.kind), (&loc, err_kind), "{value} {score} {agent} {kind}");
        if let Some(msg) = msg {
            assert_eq!(err.msg, msg);
        }
    }
    // Schema errors win over rule violations.
    let err = schema_err(check_sugg(&label_q(), json!("nope"), json!(3), none.clone(), none.clone()));
    assert_eq!(err.loc, vec![Loc::from("score")]);
    // Absent attributes are fine.
    let got = check_suggestion(
        &json!("a"),
        None,
        None,
        None,
        QuestionRef { name: "q", required: false, settings: &label_q() },
        &Map::new(),
    );
    assert_eq!(got.map(|it| it.score), Ok(Value::Null));
}

#[test]
fn agent_pattern() {
    for (agent, ok) in [
        ("a", true),
        ("gpt-4", true),
        ("org/model:v1.0", true),
        (" x ", true),
        ("a\tb\nc", true),
        ("a\u{3000}b", true),
        ("a\u{1f}b", true),
        ("_-:./", false),
        ("   ", false),
        ("a@b", false),
        ("naïve", false),
        ("1", true),
    ] {
        assert_eq!(agent_matches(agent), ok, "{agent:?}");
    }
}
