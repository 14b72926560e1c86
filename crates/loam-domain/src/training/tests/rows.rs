//! Rows computed by hand: every shape in both layouts, `Each` and `Unresolved`, ties and margins.

use serde_json::json;

use super::*;
use crate::answer::{Answer, RankedOption};
use crate::table::{ColumnType, Row};
use crate::training::{columns, rows, rows_by_annotator, rows_or_skip, Mapping, Shape, Skip};

/// The record's rows for `mapping`, checked to fit the mapping's columns.
fn made(
    mapping: &Mapping,
    schema: &DatasetSchema,
    fields: Value,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Row>, Skip> {
    let record = record(fields);
    let res = rows_or_skip(mapping, &record, schema, finals);
    let cols = columns(mapping);
    for row in res.as_ref().map(Vec::as_slice).unwrap_or_default() {
        assert_eq!(row.len(), cols.len(), "{row:?}");
        for (cell, col) in row.iter().zip(&cols) {
            assert!(cell.fits(col.ty), "{cell:?} in {col:?}");
        }
    }
    assert_eq!(rows(mapping, &record, schema, finals), res.clone().unwrap_or_default());
    res
}

fn mapping(shape: Shape, value: Value, schema: &DatasetSchema) -> Mapping {
    match Mapping::parse(shape, &value, schema) {
        Ok(it) => it,
        Err(it) => panic!("{value}: {it}"),
    }
}

fn names(mapping: &Mapping) -> Vec<(String, ColumnType)> {
    columns(mapping).into_iter().map(|it| (it.name, it.ty)).collect()
}

fn skip(why: &str) -> Result<Vec<Row>, Skip> {
    Err(Skip(why.to_owned()))
}

fn rating(it: i64) -> Final {
    Final::One(Answer::Rating(it))
}

fn generations() -> Value {
    json!({"id": "h", "instruction": "Why is the sky blue?", "generations-0": "g0", "generations-1": "g1", "generations-2": "g2"})
}

fn ratings(r0: Final, r1: Final, r2: Final) -> BTreeMap<String, Final> {
    finals(vec![("generations-0-rating", r0), ("generations-1-rating", r1), ("generations-2-rating", r2)])
}

#[test]
fn ratings_make_every_pair_shape_in_both_layouts() {
    let schema = preference();
    let finals = ratings(rating(2), Final::Score(4.5), rating(3));
    let fields = generations();
    let q = "Why is the sky blue?";
    let with = |shape: Shape, layout: &str| {
        let mut value = Mapping::infer(shape, &schema).unwrap().to_json();
        value["layout"] = json!(layout);
        mapping(shape, value, &schema)
    };

    let preference = with(Shape::Preference, "standard");
    assert_eq!(
        names(&preference),
        [
            ("prompt".into(), ColumnType::Str),
            ("chosen".into(), ColumnType::Str),
            ("rejected".into(), ColumnType::Str),
            ("chosen_score".into(), ColumnType::Float),
            ("rejected_score".into(), ColumnType::Float),
            ("margin".into(), ColumnType::Float)
        ]
    );
    assert_eq!(
        made(&preference, &schema, fields.clone(), &finals),
        Ok(vec![vec![s(q), s("g1"), s("g0"), Cell::Float(4.5), Cell::Float(2.0), Cell::Float(2.5)]])
    );
    assert_eq!(
        made(&with(Shape::Preference, "conversational"), &schema, fields.clone(), &finals),
        Ok(vec![vec![
            msgs(&[("user", q)]),
            msgs(&[("assistant", "g1")]),
            msgs(&[("assistant", "g0")]),
            Cell::Float(4.5),
            Cell::Float(2.0),
            Cell::Float(2.5)
        ]])
    );
    assert_eq!(
        made(&with(Shape::Dpo, "standard"), &schema, fields.clone(), &finals),
        Ok(vec![vec![s(q), s("g1"), s("g0")]])
    );
    assert_eq!(
        made(&with(Shape::Dpo, "conversational"), &schema, fields.clone(), &finals),
        Ok(vec![vec![msgs(&[("user", q)]), msgs(&[("assistant", "g1")]), msgs(&[("assistant", "g0")])]])
    );
    assert_eq!(
        made(&with(Shape::Rm, "standard"), &schema, fields.clone(), &finals),
        Ok(vec![vec![s(q), s("g1"), s("g0"), Cell::Float(2.5)]])
    );
    let rm = with(Shape::Rm, "conversational");
    assert_eq!(
        names(&rm),
        [
            ("chosen".into(), ColumnType::Messages),
            ("rejected".into(), ColumnType::Messages),
            ("margin".into(), ColumnType::Float)
        ]
    );
    assert_eq!(
        made(&rm, &schema, fields.clone(), &finals),
        Ok(vec![vec![
            msgs(&[("user", q), ("assistant", "g1")]),
            msgs(&[("user", q), ("assistant", "g0")]),
            Cell::Float(2.5)
        ]])
    );
    // Without its margin, rm keeps chosen and rejected only.
    let mut value = rm.to_json();
    value["margin"] = json!(false);
    let bare = mapping(Shape::Rm, value, &schema);
    assert_eq!(names(&bare).len(), 2);
    assert_eq!(made(&bare, &schema, fields, &finals).unwrap()[0].len(), 2);
}

#[test]
fn all_pairs_ties_and_responses_left_out() {
    let schema = preference();
    let mut value = Mapping::infer(Shape::Dpo, &schema).unwrap().to_json();
    let best_worst = mapping(
        Shape::Preference,
        {
            let mut it = value.clone();
            it["shape"] = json!("preference");
            it
        },
        &schema,
    );
    value["shape"] = json!("preference");
    value["pairs"] = json!("all");
    let all = mapping(Shape::Preference, value, &schema);
    let q = "Why is the sky blue?";
    let row = |c: &str, r: &str, cs: f64, rs: f64| {
        vec![s(q), s(c), s(r), Cell::Float(cs), Cell::Float(rs), Cell::Float(cs - rs)]
    };

    // 4.5 > 3 > 2: every pair, better first.
    let finals = ratings(rating(2), Final::Score(4.5), rating(3));
    assert_eq!(
        made(&all, &schema, generations(), &finals),
        Ok(vec![row("g1", "g2", 4.5, 3.0), row("g1", "g0", 4.5, 2.0), row("g2", "g0", 3.0, 2.0)])
    );
    // Two share the best rating: no best-against-worst row, and no pair between them.
    let finals = ratings(rating(5), rating(5), rating(1));
    assert_eq!(
        made(&best_worst, &schema, generations(), &finals),
        skip("a tie for the best response: generations-0, generations-1")
    );
    assert_eq!(
        made(&all, &schema, generations(), &finals),
        Ok(vec![row("g0", "g2", 5.0, 1.0), row("g1", "g2", 5.0, 1.0)])
    );
    let finals = ratings(rating(5), rating(1), rating(1));
    assert_eq!(
        made(&best_worst, &schema, generations(), &finals),
        skip("a tie for the worst response: generations-1, generations-2")
    );
    let finals = ratings(rating(3), rating(3), rating(3));
    assert_eq!(made(&all, &schema, generations(), &finals), skip("every response is tied"));
    // An empty response and an unresolved rating are left out of the comparison.
    let mut fields = generations();
    fields["generations-2"] = Value::Null;
    let finals = ratings(Final::Unresolved("no submitted answer".into()), rating(4), rating(5));
    assert_eq!(made(&best_worst, &schema, fields.clone(), &finals), skip("fewer than two responses to compare"));
    let finals = ratings(rating(1), rating(4), rating(5));
    assert_eq!(made(&best_worst, &schema, fields, &finals), Ok(vec![row("g1", "g0", 4.0, 1.0)]));
    // A rating kept per annotator cannot decide.
    let finals = ratings(Final::Each(vec![("ann".into(), Answer::Rating(1))]), rating(4), rating(5));
    assert_eq!(
        made(&best_worst, &schema, generations(), &finals),
        skip("question 'generations-0-rating' keeps each annotator's answer; this shape needs one consolidated answer")
    );
}

fn ranking(ranks: &[(&str, i64)]) -> BTreeMap<String, Final> {
    let ranked = ranks.iter().map(|(value, rank)| RankedOption { value: (*value).into(), rank: *rank }).collect();
    finals(vec![("rank", Final::One(Answer::Ranking(ranked)))])
}

#[test]
fn a_ranking_gives_rank_margins_and_no_scores() {
    let schema = ranked();
    let fields = json!({"prompt": "p", "response-1": "one", "response-2": "two", "response-3": "three"});
    let dpo = Mapping::infer(Shape::Dpo, &schema).unwrap();
    let mut value = dpo.to_json();
    value["shape"] = json!("preference");
    value["pairs"] = json!("all");
    let all = mapping(Shape::Preference, value, &schema);
    let finals = ranking(&[("response-1", 2), ("response-2", 1), ("response-3", 3)]);
    assert_eq!(made(&dpo, &schema, fields.clone(), &finals), Ok(vec![vec![s("p"), s("two"), s("three")]]));
    let row = |c: &str, r: &str, margin: f64| vec![s("p"), s(c), s(r), Cell::Null, Cell::Null, Cell::Float(margin)];
    assert_eq!(
        made(&all, &schema, fields.clone(), &finals),
        Ok(vec![row("two", "one", 1.0), row("two", "three", 2.0), row("one", "three", 1.0)])
    );
    let finals = ranking(&[("response-1", 1), ("response-2", 1), ("response-3", 2)]);
    assert_eq!(
        made(&dpo, &schema, fields.clone(), &finals),
        skip("a tie for the best response: response-1, response-2")
    );
    assert_eq!(
        made(&all, &schema, fields.clone(), &finals),
        Ok(vec![row("one", "three", 1.0), row("two", "three", 1.0)])
    );
    let finals = finals_of("rank", Final::Unresolved("a tie left unresolved".into()));
    assert_eq!(
        made(&dpo, &schema, fields.clone(), &finals),
        skip("question 'rank' is unresolved: a tie left unresolved")
    );
    assert_eq!(made(&dpo, &schema, fields, &BTreeMap::new()), skip("question 'rank' has no consolidated answer"));
}

fn finals_of(question: &str, it: Final) -> BTreeMap<String, Final> {
    finals(vec![(question, it)])
}

#[test]
fn a_choice_rejects_the_other_responses_and_a_tie_gives_none() {
    let schema = choice();
    let fields = json!({"prompt": "p", "response-a": "a", "response-b": "b"});
    let rm = Mapping::infer(Shape::Rm, &schema).unwrap();
    let picked = |label: &str| finals_of("best", Final::One(Answer::Label(label.into())));
    assert_eq!(made(&rm, &schema, fields.clone(), &picked("B")), Ok(vec![vec![s("p"), s("b"), s("a")]]));
    assert_eq!(
        made(&rm, &schema, fields.clone(), &picked("tie")),
        skip("question 'best' chose 'tie', which names no response")
    );
    let mut value = rm.to_json();
    value["shape"] = json!("preference");
    value.as_object_mut().unwrap().remove("margin");
    let preference = mapping(Shape::Preference, value, &schema);
    assert_eq!(
        made(&preference, &schema, fields, &picked("A")),
        Ok(vec![vec![s("p"), s("a"), s("b"), Cell::Null, Cell::Null, Cell::Null]])
    );
}

#[test]
fn sft_takes_the_corrected_text_else_the_field_and_filters() {
    let schema = corrected();
    let fields = json!({"prompt": "p", "response": "r"});
    let sft = Mapping::infer(Shape::Sft, &schema).unwrap();
    assert_eq!(names(&sft), [("prompt".into(), ColumnType::Str), ("completion".into(), ColumnType::Str)]);
    let fixed = finals_of("corrected", Final::One(Answer::Text("c".into())));
    assert_eq!(made(&sft, &schema, fields.clone(), &fixed), Ok(vec![vec![s("p"), s("c")]]));
    let unfixed = finals_of("corrected", Final::Unresolved("no submitted answer".into()));
    assert_eq!(made(&sft, &schema, fields.clone(), &unfixed), Ok(vec![vec![s("p"), s("r")]]));
    assert_eq!(made(&sft, &schema, fields.clone(), &BTreeMap::new()), Ok(vec![vec![s("p"), s("r")]]));
    // "All of them": one row per annotator, in their order.
    let each = finals_of(
        "corrected",
        Final::Each(vec![("ann".into(), Answer::Text("c2".into())), ("bob".into(), Answer::Text("c1".into()))]),
    );
    assert_eq!(made(&sft, &schema, fields.clone(), &each), Ok(vec![vec![s("p"), s("c2")], vec![s("p"), s("c1")]]));
    let by: Vec<Option<String>> = rows_by_annotator(&sft, &record(fields.clone()), &schema, &each)
        .unwrap()
        .into_iter()
        .map(|(by, _)| by)
        .collect();
    assert_eq!(by, [Some("ann".to_owned()), Some("bob".to_owned())]);
    let by = rows_by_annotator(&sft, &record(fields.clone()), &schema, &fixed).unwrap();
    assert_eq!(by, [(None, vec![s("p"), s("c")])]);
    // Without a field to fall back on, an unresolved correction gives no row.
    let only_question =
        mapping(Shape::Sft, json!({"prompt": "prompt", "completion": {"question": "corrected"}}), &schema);
    assert_eq!(
        made(&only_question, &schema, fields.clone(), &unfixed),
        skip("question 'corrected' is unresolved: no submitted answer")
    );
    // The quality filter: a rating or a mean of at least 4.
    let filtered = mapping(
        Shape::Sft,
        json!({"prompt": "prompt", "completion": {"question": "corrected", "field": "response"}, "filter": {"question": "quality", "min": 4}}),
        &schema,
    );
    let with_quality = |it: Final| {
        let mut res = fixed.clone();
        res.insert("quality".into(), it);
        res
    };
    assert_eq!(made(&filtered, &schema, fields.clone(), &with_quality(rating(4))), Ok(vec![vec![s("p"), s("c")]]));
    assert_eq!(
        made(&filtered, &schema, fields.clone(), &with_quality(Final::Score(4.0))),
        Ok(vec![vec![s("p"), s("c")]])
    );
    assert_eq!(
        made(&filtered, &schema, fields.clone(), &with_quality(Final::Score(3.67))),
        skip("the filter keeps records whose 'quality' is at least 4")
    );
    assert_eq!(
        made(&filtered, &schema, fields.clone(), &with_quality(Final::Unresolved("a tie left unresolved".into()))),
        skip("question 'quality' is unresolved: a tie left unresolved")
    );
    assert_eq!(
        made(&filtered, &schema, json!({"response": "r"}), &with_quality(rating(5))),
        skip("field 'prompt' is empty")
    );
}

#[test]
fn sft_conversational_puts_system_prompt_and_completion_in_one_chat() {
    let schema =
        super::schema(vec![text("system"), text("prompt"), text("response"), chat("chat")], vec![text_q("corrected")]);
    let sft = mapping(
        Shape::Sft,
        json!({"layout": "conversational", "system": "system", "prompt": "prompt", "completion": "response"}),
        &schema,
    );
    assert_eq!(names(&sft), [("messages".into(), ColumnType::Messages)]);
    let fields = json!({"system": "be brief", "prompt": "p", "response": "r"});
    assert_eq!(
        made(&sft, &schema, fields, &BTreeMap::new()),
        Ok(vec![vec![msgs(&[("system", "be brief"), ("user", "p"), ("assistant", "r")])]])
    );
    // A chat field gives its turns; alone it is the whole example.
    let chat = json!({"chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]});
    let whole = mapping(Shape::Sft, json!({"prompt": "chat"}), &schema);
    assert_eq!(
        made(&whole, &schema, chat.clone(), &BTreeMap::new()),
        Ok(vec![vec![msgs(&[("user", "hi"), ("assistant", "hello")])]])
    );
    let answered = mapping(Shape::Sft, json!({"prompt": "chat", "completion": "corrected"}), &schema);
    let fixed = finals_of("corrected", Final::One(Answer::Text("more".into())));
    assert_eq!(
        made(&answered, &schema, chat, &fixed),
        Ok(vec![vec![msgs(&[("user", "hi"), ("assistant", "hello"), ("assistant", "more")])]])
    );
}

#[test]
fn kto_labels_completions_by_a_label_or_a_rating() {
    let schema = textgen();
    let fields = json!({"id": "h", "instruction": "i", "generation": "g"});
    let kto = Mapping::infer(Shape::Kto, &schema).unwrap();
    assert_eq!(
        names(&kto),
        [
            ("prompt".into(), ColumnType::Str),
            ("completion".into(), ColumnType::Str),
            ("label".into(), ColumnType::Bool)
        ]
    );
    let quality = |it: &str| finals_of("quality", Final::One(Answer::Label(it.into())));
    assert_eq!(made(&kto, &schema, fields.clone(), &quality("good")), Ok(vec![vec![s("i"), s("g"), Cell::Bool(true)]]));
    assert_eq!(made(&kto, &schema, fields.clone(), &quality("bad")), Ok(vec![vec![s("i"), s("g"), Cell::Bool(false)]]));
    let mut value = kto.to_json();
    value["layout"] = json!("conversational");
    let conversational = mapping(Shape::Kto, value, &schema);
    assert_eq!(
        made(&conversational, &schema, fields.clone(), &quality("good")),
        Ok(vec![vec![msgs(&[("user", "i")]), msgs(&[("assistant", "g")]), Cell::Bool(true)]])
    );
    assert_eq!(
        made(&kto, &schema, fields.clone(), &BTreeMap::new()),
        skip("question 'quality' has no consolidated answer")
    );
    // A rating threshold, and a multi-label's set.
    let schema = corrected();
    let rated = mapping(
        Shape::Kto,
        json!({"prompt": "prompt", "completion": "response", "label": {"question": "quality", "min": 3}}),
        &schema,
    );
    let fields = json!({"prompt": "p", "response": "r"});
    assert_eq!(
        made(&rated, &schema, fields.clone(), &finals_of("quality", rating(3))),
        Ok(vec![vec![s("p"), s("r"), Cell::Bool(true)]])
    );
    assert_eq!(
        made(&rated, &schema, fields, &finals_of("quality", Final::Score(2.5))),
        Ok(vec![vec![s("p"), s("r"), Cell::Bool(false)]])
    );
    let schema =
        super::schema(vec![text("prompt"), text("response")], vec![multi_q("tags", &["helpful", "harmful", "long"])]);
    let tagged = mapping(
        Shape::Kto,
        json!({"prompt": "prompt", "completion": "response", "label": {"question": "tags", "labels": ["helpful"]}}),
        &schema,
    );
    let tags =
        |it: &[&str]| finals_of("tags", Final::One(Answer::Labels(it.iter().map(|t| (*t).to_owned()).collect())));
    let fields = json!({"prompt": "p", "response": "r"});
    assert_eq!(
        made(&tagged, &schema, fields.clone(), &tags(&["helpful", "long"])),
        Ok(vec![vec![s("p"), s("r"), Cell::Bool(true)]])
    );
    assert_eq!(made(&tagged, &schema, fields, &tags(&["long"])), Ok(vec![vec![s("p"), s("r"), Cell::Bool(false)]]));
}

#[test]
fn a_chat_prompt_with_a_system_turn_opens_every_conversational_pair() {
    let schema = super::schema(
        vec![text("system"), chat("chat"), text("response-1"), text("response-2")],
        vec![ranking_q("rank", &["response-1", "response-2"])],
    );
    let fields = json!({
        "system": "be kind",
        "chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "why?"}],
        "response-1": "because", "response-2": "no"
    });
    let finals = ranking(&[("response-1", 2), ("response-2", 1)]);
    let turns = [("system", "be kind"), ("user", "hi"), ("assistant", "hello"), ("user", "why?")];
    let dpo =
        mapping(Shape::Dpo, json!({"prompt": "chat", "system": "system", "ranking": {"question": "rank"}}), &schema);
    assert_eq!(
        made(&dpo, &schema, fields.clone(), &finals),
        Ok(vec![vec![msgs(&turns), msgs(&[("assistant", "no")]), msgs(&[("assistant", "because")])]])
    );
    let rm =
        mapping(Shape::Rm, json!({"prompt": "chat", "system": "system", "ranking": {"question": "rank"}}), &schema);
    let with = |answer: &str| {
        let mut all = turns.to_vec();
        all.push(("assistant", answer));
        msgs(&all)
    };
    assert_eq!(
        made(&rm, &schema, fields.clone(), &finals),
        Ok(vec![vec![with("no"), with("because"), Cell::Float(1.0)]])
    );
    // A record without a system text has no system turn.
    let mut without = fields;
    without["system"] = Value::Null;
    assert_eq!(
        made(&dpo, &schema, without, &finals),
        Ok(vec![vec![msgs(&turns[1..]), msgs(&[("assistant", "no")]), msgs(&[("assistant", "because")])]])
    );
}
