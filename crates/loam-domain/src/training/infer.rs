//! The default mapping, inferred from a dataset's settings only where that is unambiguous;
//! otherwise a rejection that names what the caller must give.
//!
//! The rules, in short: a text field named `id` is an identifier, not content (distilabel's
//! `TextGenerationToArgilla` and `PreferenceToArgilla` put an instruction hash there). Responses
//! are the text fields a comparison names: a ranking's options, the `<field>-rating` (or
//! `<field>_rating`) rating questions, or a label question whose labels name fields (`A` names
//! `response-a`). A completion is the one text question, with the one field named `completion`,
//! `response`, `generation`, `output` or `answer` as its fallback. The prompt is the one text or
//! chat field left. A label question with a "good" label (`good`, `yes`, `accept`, `accepted`,
//! `correct`, `positive`) becomes the `sft` filter and the `kto` label.

use serde_json::{json, Map, Value};

use super::mapping::Mapping;
use super::Shape;
use crate::error::Rejection;
use crate::model::{DatasetSchema, Field, Question};
use crate::pairwise::Pairing;
use crate::settings::{FieldSettings, QuestionSettings};

const COMPLETION_NAMES: [&str; 5] = ["completion", "response", "generation", "output", "answer"];
const GOOD_LABELS: [&str; 6] = ["good", "yes", "accept", "accepted", "correct", "positive"];

fn is_text(field: &Field) -> bool {
    matches!(field.settings, FieldSettings::Text { .. })
}

/// Text and chat fields that may hold content.
fn content(schema: &DatasetSchema) -> Vec<&Field> {
    schema
        .fields
        .iter()
        .filter(|it| it.name != "id" && matches!(it.settings, FieldSettings::Text { .. } | FieldSettings::Chat { .. }))
        .collect()
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

fn cannot(shape: Shape, msg: String) -> Rejection {
    Rejection::invalid(format!("cannot infer a {} mapping: {msg}", shape.as_str()))
}

/// The field a label or ranking option names: its value is the field's name, or the field's name
/// ends in `-<value>` / `_<value>` (case aside) and no other field's does.
fn named_field<'a>(fields: &[&'a Field], value: &str) -> Option<&'a Field> {
    if let Some(it) = fields.iter().find(|it| it.name == value && is_text(it)) {
        return Some(it);
    }
    let value = value.to_lowercase();
    let mut found = fields.iter().filter(|it| is_text(it)).filter(|it| {
        let name = it.name.to_lowercase();
        name.ends_with(&format!("-{value}")) || name.ends_with(&format!("_{value}"))
    });
    match (found.next(), found.next()) {
        (Some(it), None) => Some(it),
        _ => None,
    }
}

/// One way to compare responses: the mapping key, its value, and the response fields it names.
struct Candidate {
    key: &'static str,
    value: Value,
    question: String,
    responses: Vec<String>,
}

fn comparisons(schema: &DatasetSchema, fields: &[&Field], pairings: &[Pairing]) -> Vec<Candidate> {
    let mut res = Vec::new();
    let mut rated = Map::new();
    let mut rated_fields = Vec::new();
    let mut rating_questions = Vec::new();
    // A pairwise question is its own comparison; the rating questions its judge filled belong to it.
    for pairing in pairings {
        res.push(Candidate {
            key: "pairwise",
            value: json!({"question": pairing.question}),
            question: pairing.question.clone(),
            responses: vec![pairing.a.clone(), pairing.b.clone()],
        });
    }
    let paired = |q: &Question| {
        pairings
            .iter()
            .any(|p| p.question == q.name || p.ratings.as_ref().is_some_and(|r| r.a == q.name || r.b == q.name))
    };
    for q in schema.questions.iter().filter(|q| !paired(q)) {
        match &q.settings {
            QuestionSettings::Ranking { .. } | QuestionSettings::LabelSelection { .. } => {
                let mut options = Map::new();
                let mut responses = Vec::new();
                for value in q.settings.option_values() {
                    if let Some(field) = named_field(fields, value) {
                        options.insert(value.to_owned(), json!(field.name));
                        if !responses.contains(&field.name) {
                            responses.push(field.name.clone());
                        }
                    }
                }
                if responses.len() >= 2 {
                    let key = if q.settings.type_name() == "ranking" { "ranking" } else { "choice" };
                    let value = json!({"question": q.name, "options": options});
                    res.push(Candidate { key, value, question: q.name.clone(), responses });
                }
            }
            QuestionSettings::Rating { .. } => {
                let field = fields
                    .iter()
                    .filter(|it| is_text(it))
                    .find(|it| q.name == format!("{}-rating", it.name) || q.name == format!("{}_rating", it.name));
                if let Some(field) = field {
                    rated.insert(q.name.clone(), json!(field.name));
                    rated_fields.push(field.name.clone());
                    rating_questions.push(q.name.as_str());
                }
            }
            _ => {}
        }
    }
    if rated.len() >= 2 {
        let question = list(rating_questions);
        res.push(Candidate { key: "ratings", value: Value::Object(rated), question, responses: rated_fields });
    }
    res
}

/// `mapping.a or mapping.b`, each key once.
fn keys<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut res: Vec<String> = Vec::new();
    for key in items {
        let key = format!("mapping.{key}");
        if !res.contains(&key) {
            res.push(key);
        }
    }
    res.join(" or ")
}

/// The one prompt among `fields` once `used` are taken out.
fn prompt<'a>(shape: Shape, fields: &[&'a Field], used: &[String]) -> Result<&'a Field, Rejection> {
    let left: Vec<&Field> = fields.iter().copied().filter(|it| !used.contains(&it.name)).collect();
    match left.as_slice() {
        [one] => Ok(one),
        [] => Err(cannot(shape, "no text or chat field is left for the prompt: say which it is with mapping.prompt".into())),
        many => Err(cannot(
            shape,
            format!(
                "the dataset has {} text or chat fields that may be the prompt ({}): say which is the prompt with mapping.prompt",
                many.len(),
                list(many.iter().map(|it| it.name.as_str()))
            ),
        )),
    }
}

/// Label questions with "good" labels, each with those labels.
fn quality_labels(schema: &DatasetSchema) -> Vec<(&Question, Vec<&str>)> {
    schema
        .questions
        .iter()
        .filter(|it| matches!(it.settings, QuestionSettings::LabelSelection { .. }))
        .filter_map(|q| {
            let good: Vec<&str> = q
                .settings
                .option_values()
                .into_iter()
                .filter(|it| GOOD_LABELS.contains(&it.to_lowercase().as_str()))
                .collect();
            (!good.is_empty()).then_some((q, good))
        })
        .collect()
}

fn infer_pairs(
    shape: Shape,
    schema: &DatasetSchema,
    fields: &[&Field],
    pairings: &[Pairing],
) -> Result<Map<String, Value>, Rejection> {
    let found = comparisons(schema, fields, pairings);
    let chosen = match found.as_slice() {
        [one] => one,
        [] => {
            return Err(cannot(
                shape,
                "no question compares responses (a pairwise question, a ranking whose options name text fields, `<field>-rating` rating questions, or a label question whose labels name text fields): give mapping.pairwise, mapping.ranking, mapping.ratings or mapping.choice".into(),
            ))
        }
        many => {
            return Err(cannot(
                shape,
                format!(
                    "several questions compare responses ({}): say which decides with {}",
                    list(many.iter().map(|it| it.question.as_str())),
                    keys(many.iter().map(|it| it.key))
                ),
            ))
        }
    };
    let prompt = prompt(shape, fields, &chosen.responses)?;
    let mut res = Map::new();
    res.insert("prompt".into(), json!(prompt.name));
    res.insert(chosen.key.into(), chosen.value.clone());
    Ok(res)
}

fn infer_completion(shape: Shape, schema: &DatasetSchema, fields: &[&Field]) -> Result<Map<String, Value>, Rejection> {
    let questions: Vec<&Question> =
        schema.questions.iter().filter(|it| matches!(it.settings, QuestionSettings::Text { .. })).collect();
    if questions.len() > 1 {
        return Err(cannot(
            shape,
            format!(
                "the dataset has {} text questions ({}): say which holds the completion with mapping.completion.question",
                questions.len(),
                list(questions.iter().map(|it| it.name.as_str()))
            ),
        ));
    }
    let named: Vec<&Field> =
        fields.iter().copied().filter(|it| is_text(it) && COMPLETION_NAMES.contains(&it.name.as_str())).collect();
    if named.len() > 1 {
        return Err(cannot(
            shape,
            format!(
                "the dataset has {} fields that may hold the completion ({}): say which with mapping.completion.field",
                named.len(),
                list(named.iter().map(|it| it.name.as_str()))
            ),
        ));
    }
    let used: Vec<String> = named.iter().map(|it| it.name.clone()).collect();
    let prompt = prompt(shape, fields, &used)?;
    let mut res = Map::new();
    res.insert("prompt".into(), json!(prompt.name));
    let mut completion = Map::new();
    if let Some(q) = questions.first() {
        completion.insert("question".into(), json!(q.name));
    }
    if let Some(f) = named.first() {
        completion.insert("field".into(), json!(f.name));
    }
    let whole_chat = shape == Shape::Sft && matches!(prompt.settings, FieldSettings::Chat { .. });
    if !completion.is_empty() {
        res.insert("completion".into(), Value::Object(completion));
    } else if !whole_chat {
        return Err(cannot(
            shape,
            format!("no text question and no field named {}: give mapping.completion", COMPLETION_NAMES.join(", ")),
        ));
    }
    let quality = quality_labels(schema);
    match (shape, quality.as_slice()) {
        (Shape::Sft, [(q, good)]) => {
            res.insert("filter".into(), json!({"question": q.name, "labels": good}));
        }
        (Shape::Kto, [(q, good)]) => {
            res.insert("label".into(), json!({"question": q.name, "labels": good}));
        }
        (Shape::Kto, many) if many.len() > 1 => {
            return Err(cannot(
                shape,
                format!(
                    "several label questions may say which completions are desirable ({}): give mapping.label",
                    list(many.iter().map(|(q, _)| q.name.as_str()))
                ),
            ))
        }
        (Shape::Kto, _) => {
            let ratings: Vec<&str> = schema
                .questions
                .iter()
                .filter(|it| matches!(it.settings, QuestionSettings::Rating { .. }))
                .map(|it| it.name.as_str())
                .collect();
            let msg = if ratings.is_empty() {
                "no label question with a good label (good, yes, accept, correct, positive): give mapping.label"
                    .to_owned()
            } else {
                format!(
                    "say which ratings are desirable with mapping.label = {{\"question\": …, \"min\": …}} (rating questions: {})",
                    list(ratings)
                )
            };
            return Err(cannot(shape, msg));
        }
        _ => {}
    }
    Ok(res)
}

impl Mapping {
    /// The default mapping for `shape`, where the settings leave no doubt; otherwise a
    /// rejection naming what to give.
    pub fn infer(shape: Shape, schema: &DatasetSchema) -> Result<Mapping, Rejection> {
        Mapping::infer_with(shape, schema, &[])
    }

    /// [`Mapping::infer`] for a dataset whose pairwise questions are `pairings`: a pairwise
    /// question is a comparison (its pairing's rating questions are not another), and `kto` of a
    /// dataset with exactly one pairwise question takes its rows from it.
    pub fn infer_with(shape: Shape, schema: &DatasetSchema, pairings: &[Pairing]) -> Result<Mapping, Rejection> {
        let fields = content(schema);
        let obj = if shape.compares() {
            infer_pairs(shape, schema, &fields, pairings)?
        } else if let (Shape::Kto, [pairing]) = (shape, pairings) {
            let used = vec![pairing.a.clone(), pairing.b.clone()];
            let prompt = prompt(shape, &fields, &used)?;
            let mut res = Map::new();
            res.insert("prompt".into(), json!(prompt.name));
            res.insert("pairwise".into(), json!({"question": pairing.question}));
            res
        } else {
            infer_completion(shape, schema, &fields)?
        };
        Mapping::parse_with(shape, &Value::Object(obj), schema, pairings)
    }
}
