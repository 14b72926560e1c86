//! The mapping: which fields and questions make a shape's columns; read from JSON, checked
//! against the dataset's settings, and rendered back (the module doc of `training` lists the keys).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::preference::{self, EditsRule, Original, PairwiseRule};
use super::{Layout, Shape};
use crate::error::Rejection;
use crate::model::{DatasetSchema, Field, Question};
use crate::pairwise::Pairing;
use crate::settings::{FieldSettings, QuestionSettings};

/// A checked mapping: every name in it is a field or question of the right kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    pub shape: Shape,
    pub layout: Layout,
    /// A text field, or a chat field (conversational layout only).
    pub prompt: String,
    /// A text field given as the system turn (conversational layout only).
    pub system: Option<String>,
    pub target: Target,
}

/// What a shape takes beyond the prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `completion` is `None` only when the prompt is a chat field that is the whole example.
    /// `only_edited`: only completions that differ from this original (edits as signal).
    Sft {
        completion: Option<Completion>,
        filter: Option<Judge>,
        only_edited: Option<Original>,
    },
    Kto {
        completion: Completion,
        label: Judge,
    },
    /// `kto` from a pairwise question: one row per response.
    KtoPairwise(Box<PairwiseRule>),
    /// `preference`, `rm` and `dpo`; `margin` says whether `rm` rows carry a margin column.
    Pairs {
        comparison: Comparison,
        pairs: PairRule,
        margin: bool,
    },
}

/// Where a completion's text comes from: the question's consolidated text when it holds one,
/// else the field. At least one is set.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub question: Option<String>,
    pub field: Option<String>,
}

/// A yes/no verdict on a record from one question's consolidated answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Judge {
    /// A rating question's final is at least `min`.
    AtLeast { question: String, min: f64 },
    /// A label question's final is one of `labels` (a multi-label's final holds one of them).
    AnyOf { question: String, labels: Vec<String> },
}

impl Judge {
    pub fn question(&self) -> &str {
        match self {
            Judge::AtLeast { question, .. } | Judge::AnyOf { question, .. } => question,
        }
    }
}

/// How responses (text fields) are compared.
#[derive(Clone, Debug, PartialEq)]
pub enum Comparison {
    /// A ranking question; `options` maps each compared option to its field.
    Ranking { question: String, options: BTreeMap<String, String> },
    /// Rating questions, each tied to the field it rates, in the order given.
    Ratings { questions: Vec<(String, String)> },
    /// A label question whose labels name the chosen response.
    Choice { question: String, options: BTreeMap<String, String> },
    /// A pairwise question's outcome (`loam_domain::pairwise`).
    Pairwise(Box<PairwiseRule>),
    /// A text question's edit against its original: the edit is chosen.
    Edits(EditsRule),
}

/// Which pairs a comparison gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairRule {
    BestWorst,
    All,
}

impl PairRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PairRule::BestWorst => "best_worst",
            PairRule::All => "all",
        }
    }
}

fn invalid(msg: impl Into<String>) -> Rejection {
    Rejection::invalid(msg)
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// Looks up a field named at `key`.
pub(super) fn field<'a>(schema: &'a DatasetSchema, key: &str, name: &str) -> Result<&'a Field, Rejection> {
    schema.fields.iter().find(|it| it.name == name).ok_or_else(|| {
        invalid(format!(
            "mapping.{key} names no field of the dataset: '{name}' (fields: {})",
            names(schema.fields.iter().map(|it| it.name.as_str()))
        ))
    })
}

/// A text field named at `key`.
pub(super) fn text_field<'a>(schema: &'a DatasetSchema, key: &str, name: &str) -> Result<&'a Field, Rejection> {
    let res = field(schema, key, name)?;
    match res.settings {
        FieldSettings::Text { .. } => Ok(res),
        _ => Err(invalid(format!(
            "mapping.{key}: field '{name}' is of type {}; it must be a text field",
            res.settings.type_name()
        ))),
    }
}

/// A question named at `key`, of one of the kinds in `kinds` (by type name).
pub(super) fn question<'a>(
    schema: &'a DatasetSchema,
    key: &str,
    name: &str,
    kinds: &[&str],
) -> Result<&'a Question, Rejection> {
    let res = schema.questions.iter().find(|it| it.name == name).ok_or_else(|| {
        invalid(format!(
            "mapping.{key} names no question of the dataset: '{name}' (questions: {})",
            names(schema.questions.iter().map(|it| it.name.as_str()))
        ))
    })?;
    let kind = res.settings.type_name();
    if !kinds.contains(&kind) {
        return Err(invalid(format!(
            "mapping.{key}: question '{name}' is of type {kind}; it must be of type {}",
            kinds.join(" or ")
        )));
    }
    Ok(res)
}

fn string<'a>(value: &'a Value, key: &str) -> Result<&'a str, Rejection> {
    value.as_str().ok_or_else(|| invalid(format!("mapping.{key} must be a string")))
}

fn object<'a>(value: &'a Value, key: &str) -> Result<&'a Map<String, Value>, Rejection> {
    value.as_object().ok_or_else(|| invalid(format!("mapping.{key} must be an object")))
}

/// Rejects keys of `obj` (at `at`, "" for the top) that are not in `known`.
fn only_keys(obj: &Map<String, Value>, at: &str, known: &[&str], why: &str) -> Result<(), Rejection> {
    if let Some(key) = obj.keys().find(|it| !known.contains(&it.as_str())) {
        let path = if at.is_empty() { format!("mapping.{key}") } else { format!("mapping.{at}.{key}") };
        return Err(invalid(format!("{path} is not a key {why} (keys: {})", known.join(", "))));
    }
    Ok(())
}

impl Mapping {
    /// Reads a mapping for `shape` from JSON and checks it against the dataset's settings.
    pub fn parse(shape: Shape, value: &Value, schema: &DatasetSchema) -> Result<Mapping, Rejection> {
        Mapping::parse_with(shape, value, schema, &[])
    }

    /// [`Mapping::parse`] for a dataset whose pairwise questions are `pairings` (what the
    /// `pairwise` comparison may name).
    pub fn parse_with(
        shape: Shape,
        value: &Value,
        schema: &DatasetSchema,
        pairings: &[Pairing],
    ) -> Result<Mapping, Rejection> {
        let obj = value.as_object().ok_or_else(|| invalid("the mapping must be a JSON object"))?;
        let known: &[&str] = match shape {
            Shape::Sft => &["shape", "layout", "prompt", "system", "completion", "filter", "only_edited"],
            Shape::Kto => &["shape", "layout", "prompt", "system", "completion", "label", "pairwise"],
            Shape::Preference | Shape::Dpo => {
                &["shape", "layout", "prompt", "system", "ranking", "ratings", "choice", "pairwise", "edits", "pairs"]
            }
            Shape::Rm => &[
                "shape", "layout", "prompt", "system", "ranking", "ratings", "choice", "pairwise", "edits", "pairs",
                "margin",
            ],
        };
        only_keys(obj, "", known, &format!("of a {} mapping", shape.as_str()))?;
        if let Some(it) = obj.get("shape") {
            let given = string(it, "shape")?;
            if given != shape.as_str() {
                return Err(invalid(format!(
                    "mapping.shape is '{given}' but the export asks for '{}'",
                    shape.as_str()
                )));
            }
        }
        let prompt_name = string(obj.get("prompt").ok_or_else(|| invalid("mapping.prompt is missing"))?, "prompt")?;
        let prompt = field(schema, "prompt", prompt_name)?;
        let chat = match prompt.settings {
            FieldSettings::Text { .. } => false,
            FieldSettings::Chat { .. } => true,
            _ => {
                return Err(invalid(format!(
                    "mapping.prompt: field '{prompt_name}' is of type {}; the prompt must be a text or chat field",
                    prompt.settings.type_name()
                )))
            }
        };
        let layout = match obj.get("layout") {
            None => {
                if chat {
                    Layout::Conversational
                } else {
                    Layout::Standard
                }
            }
            Some(it) => {
                let text = string(it, "layout")?;
                Layout::parse(text).ok_or_else(|| {
                    invalid(format!("mapping.layout must be 'standard' or 'conversational', not '{text}'"))
                })?
            }
        };
        if chat && layout == Layout::Standard {
            return Err(invalid(format!(
                "mapping.prompt: field '{prompt_name}' is a chat field; it needs the conversational layout"
            )));
        }
        let system = match obj.get("system") {
            None | Some(Value::Null) => None,
            Some(it) => {
                if layout == Layout::Standard {
                    return Err(invalid("mapping.system needs the conversational layout"));
                }
                Some(text_field(schema, "system", string(it, "system")?)?.name.clone())
            }
        };
        let target = match shape {
            Shape::Sft => {
                let completion = obj.get("completion").map(|it| completion(it, schema)).transpose()?;
                if completion.is_none() && !(chat && layout == Layout::Conversational) {
                    return Err(invalid(
                        "mapping.completion is missing: give the text question or field that holds the completion",
                    ));
                }
                let filter = obj.get("filter").map(|it| judge(it, "filter", schema)).transpose()?;
                let only_edited = match obj.get("only_edited") {
                    None | Some(Value::Null | Value::Bool(false)) => None,
                    Some(Value::Bool(true)) => Some(edited_original(completion.as_ref())?),
                    Some(_) => return Err(invalid("mapping.only_edited must be true or false")),
                };
                Target::Sft { completion, filter, only_edited }
            }
            Shape::Kto if obj.contains_key("pairwise") => {
                if let Some(key) = ["completion", "label"].into_iter().find(|it| obj.contains_key(*it)) {
                    return Err(invalid(format!(
                        "mapping.{key}: a kto export from mapping.pairwise takes its completions and labels from the pairwise answers"
                    )));
                }
                Target::KtoPairwise(Box::new(preference::parse_pairwise(&obj["pairwise"], shape, pairings)?))
            }
            Shape::Kto => {
                let completion = completion(
                    obj.get("completion").ok_or_else(|| {
                        invalid(
                            "mapping.completion is missing: give the text question or field that holds the completion",
                        )
                    })?,
                    schema,
                )?;
                let label = judge(
                    obj.get("label").ok_or_else(|| {
                        invalid("mapping.label is missing: give a rating question with min, or a label question with labels")
                    })?,
                    "label",
                    schema,
                )?;
                Target::Kto { completion, label }
            }
            Shape::Preference | Shape::Rm | Shape::Dpo => pairs_target(shape, obj, schema, pairings)?,
        };
        Ok(Mapping { shape, layout, prompt: prompt_name.to_owned(), system, target })
    }

    /// The questions whose consolidated answers the rows read, in the mapping's order: what the
    /// caller must consolidate before asking for rows.
    pub fn questions(&self) -> Vec<&str> {
        let mut res = Vec::new();
        match &self.target {
            Target::Sft { completion, filter, .. } => {
                res.extend(completion.as_ref().and_then(|it| it.question.as_deref()));
                res.extend(filter.as_ref().map(Judge::question));
            }
            Target::KtoPairwise(rule) => {
                res.push(&rule.question);
                res.extend(rule.strength.as_ref().map(|it| it.question.as_str()));
            }
            Target::Kto { completion, label } => {
                res.extend(completion.question.as_deref());
                res.push(label.question());
            }
            Target::Pairs { comparison, .. } => match comparison {
                Comparison::Ranking { question, .. } | Comparison::Choice { question, .. } => res.push(question),
                Comparison::Ratings { questions } => res.extend(questions.iter().map(|(q, _)| q.as_str())),
                Comparison::Pairwise(rule) => {
                    res.push(&rule.question);
                    res.extend(rule.strength.as_ref().map(|it| it.question.as_str()));
                }
                Comparison::Edits(rule) => res.push(&rule.question),
            },
        }
        res.dedup();
        res
    }

    /// Whether the rows carry a margin column of their own choosing (`rm` only).
    pub fn has_margin(&self) -> bool {
        matches!(self.target, Target::Pairs { margin: true, .. })
    }

    /// The mapping in full, as [`Mapping::parse`] reads it.
    pub fn to_json(&self) -> Value {
        let mut res = Map::new();
        res.insert("shape".into(), json!(self.shape.as_str()));
        res.insert("layout".into(), json!(self.layout.as_str()));
        res.insert("prompt".into(), json!(self.prompt));
        if let Some(system) = &self.system {
            res.insert("system".into(), json!(system));
        }
        match &self.target {
            Target::Sft { completion, filter, only_edited } => {
                if let Some(it) = completion {
                    res.insert("completion".into(), completion_json(it));
                }
                if let Some(it) = filter {
                    res.insert("filter".into(), judge_json(it));
                }
                if only_edited.is_some() {
                    res.insert("only_edited".into(), json!(true));
                }
            }
            Target::KtoPairwise(rule) => {
                res.insert("pairwise".into(), preference::pairwise_json(rule));
            }
            Target::Kto { completion, label } => {
                res.insert("completion".into(), completion_json(completion));
                res.insert("label".into(), judge_json(label));
            }
            Target::Pairs { comparison, pairs, margin } => {
                match comparison {
                    Comparison::Ranking { question, options } => {
                        res.insert("ranking".into(), json!({"question": question, "options": options}));
                    }
                    Comparison::Ratings { questions } => {
                        let map: Map<String, Value> =
                            questions.iter().map(|(q, f)| (q.clone(), Value::String(f.clone()))).collect();
                        res.insert("ratings".into(), Value::Object(map));
                    }
                    Comparison::Choice { question, options } => {
                        res.insert("choice".into(), json!({"question": question, "options": options}));
                    }
                    Comparison::Pairwise(rule) => {
                        res.insert("pairwise".into(), preference::pairwise_json(rule));
                    }
                    Comparison::Edits(rule) => {
                        res.insert("edits".into(), preference::edits_json(rule));
                    }
                }
                res.insert("pairs".into(), json!(pairs.as_str()));
                if self.shape == Shape::Rm {
                    res.insert("margin".into(), json!(margin));
                }
            }
        }
        Value::Object(res)
    }
}

fn completion_json(it: &Completion) -> Value {
    let mut res = Map::new();
    if let Some(question) = &it.question {
        res.insert("question".into(), json!(question));
    }
    if let Some(field) = &it.field {
        res.insert("field".into(), json!(field));
    }
    Value::Object(res)
}

fn judge_json(it: &Judge) -> Value {
    match it {
        Judge::AtLeast { question, min } => json!({"question": question, "min": min}),
        Judge::AnyOf { question, labels } => json!({"question": question, "labels": labels}),
    }
}

fn completion(value: &Value, schema: &DatasetSchema) -> Result<Completion, Rejection> {
    if let Some(name) = value.as_str() {
        if schema.fields.iter().any(|it| it.name == name) {
            return Ok(Completion {
                question: None,
                field: Some(text_field(schema, "completion", name)?.name.clone()),
            });
        }
        if schema.questions.iter().any(|it| it.name == name) {
            let q = question(schema, "completion", name, &["text"])?;
            return Ok(Completion { question: Some(q.name.clone()), field: None });
        }
        return Err(invalid(format!("mapping.completion names no field or question of the dataset: '{name}'")));
    }
    let obj = object(value, "completion")?;
    only_keys(obj, "completion", &["question", "field"], "of a completion")?;
    let question = match obj.get("question") {
        None | Some(Value::Null) => None,
        Some(it) => {
            Some(question(schema, "completion.question", string(it, "completion.question")?, &["text"])?.name.clone())
        }
    };
    let field = match obj.get("field") {
        None | Some(Value::Null) => None,
        Some(it) => Some(text_field(schema, "completion.field", string(it, "completion.field")?)?.name.clone()),
    };
    if question.is_none() && field.is_none() {
        return Err(invalid("mapping.completion needs a question, a field, or both"));
    }
    Ok(Completion { question, field })
}

fn judge(value: &Value, key: &str, schema: &DatasetSchema) -> Result<Judge, Rejection> {
    let obj = object(value, key)?;
    only_keys(obj, key, &["question", "min", "labels"], "of a judge")?;
    let name = string(obj.get("question").ok_or_else(|| invalid(format!("mapping.{key}.question is missing")))?, key)?;
    let q =
        question(schema, &format!("{key}.question"), name, &["rating", "label_selection", "multi_label_selection"])?;
    match (&q.settings, obj.get("min"), obj.get("labels")) {
        (QuestionSettings::Rating { .. }, Some(min), None) => {
            let min = min.as_f64().ok_or_else(|| invalid(format!("mapping.{key}.min must be a number")))?;
            Ok(Judge::AtLeast { question: q.name.clone(), min })
        }
        (QuestionSettings::Rating { .. }, _, _) => {
            Err(invalid(format!("mapping.{key}: question '{name}' is a rating question; give min (and no labels)")))
        }
        (settings, None, Some(labels)) => {
            let items = labels.as_array().ok_or_else(|| invalid(format!("mapping.{key}.labels must be a list")))?;
            let options = settings.option_values();
            let mut res = Vec::with_capacity(items.len());
            for item in items {
                let label = string(item, &format!("{key}.labels"))?;
                if !options.contains(&label) {
                    return Err(invalid(format!(
                        "mapping.{key}.labels: '{label}' is not a label of question '{name}' (labels: {})",
                        options.join(", ")
                    )));
                }
                res.push(label.to_owned());
            }
            if res.is_empty() {
                return Err(invalid(format!("mapping.{key}.labels must name at least one label")));
            }
            res.sort();
            res.dedup();
            Ok(Judge::AnyOf { question: q.name.clone(), labels: res })
        }
        _ => Err(invalid(format!("mapping.{key}: question '{name}' is a label question; give labels (and no min)"))),
    }
}

/// The original `sft`'s `only_edited` compares completions with: the completion's field when it
/// has one, else the completion question's suggestion.
fn edited_original(completion: Option<&Completion>) -> Result<Original, Rejection> {
    match completion {
        Some(Completion { question: Some(_), field: Some(field) }) => Ok(Original::Field(field.clone())),
        Some(Completion { question: Some(_), field: None }) => Ok(Original::Suggestion),
        _ => Err(invalid(
            "mapping.only_edited needs mapping.completion.question: the text question whose edits are kept",
        )),
    }
}

fn pairs_target(
    shape: Shape,
    obj: &Map<String, Value>,
    schema: &DatasetSchema,
    pairings: &[Pairing],
) -> Result<Target, Rejection> {
    let given: Vec<&str> =
        ["ranking", "ratings", "choice", "pairwise", "edits"].into_iter().filter(|it| obj.contains_key(*it)).collect();
    let comparison =
        match given.as_slice() {
            ["ranking"] => {
                let it = object(&obj["ranking"], "ranking")?;
                only_keys(it, "ranking", &["question", "options"], "of a ranking")?;
                let name = string(
                    it.get("question").ok_or_else(|| invalid("mapping.ranking.question is missing"))?,
                    "ranking.question",
                )?;
                let q = question(schema, "ranking.question", name, &["ranking"])?;
                let options = option_fields(q, it.get("options"), "ranking", schema)?;
                distinct(options.values().map(String::as_str), "ranking.options")?;
                Comparison::Ranking { question: q.name.clone(), options }
            }
            ["choice"] => {
                let it = object(&obj["choice"], "choice")?;
                only_keys(it, "choice", &["question", "options"], "of a choice")?;
                let name = string(
                    it.get("question").ok_or_else(|| invalid("mapping.choice.question is missing"))?,
                    "choice.question",
                )?;
                let q = question(schema, "choice.question", name, &["label_selection"])?;
                let options = option_fields(q, it.get("options"), "choice", schema)?;
                Comparison::Choice { question: q.name.clone(), options }
            }
            ["ratings"] => {
                let it = object(&obj["ratings"], "ratings")?;
                let mut questions = Vec::with_capacity(it.len());
                for (name, field) in it {
                    let q = question(schema, "ratings", name, &["rating"])?;
                    let key = format!("ratings.{name}");
                    let f = text_field(schema, &key, string(field, &key)?)?;
                    questions.push((q.name.clone(), f.name.clone()));
                }
                if questions.len() < 2 {
                    return Err(invalid("mapping.ratings must tie at least two rating questions to response fields"));
                }
                distinct(questions.iter().map(|(_, f)| f.as_str()), "ratings")?;
                Comparison::Ratings { questions }
            }
            ["pairwise"] => Comparison::Pairwise(Box::new(preference::parse_pairwise(&obj["pairwise"], shape, pairings)?)),
            ["edits"] => Comparison::Edits(preference::parse_edits(&obj["edits"], schema)?),
            [] => return Err(invalid(
                "the mapping must say how responses are compared: mapping.ranking, mapping.ratings, mapping.choice, mapping.pairwise or mapping.edits",
            )),
            _ => {
                return Err(invalid(format!(
                    "the mapping gives {}: give only one way to compare responses",
                    given.join(" and ")
                )))
            }
        };
    let pairs = match obj.get("pairs") {
        None => PairRule::BestWorst,
        Some(it) => match string(it, "pairs")? {
            "best_worst" => PairRule::BestWorst,
            "all" => PairRule::All,
            other => return Err(invalid(format!("mapping.pairs must be 'best_worst' or 'all', not '{other}'"))),
        },
    };
    let choice = matches!(comparison, Comparison::Choice { .. });
    let margin = match obj.get("margin") {
        None => shape == Shape::Rm && !choice,
        Some(Value::Bool(it)) => *it,
        Some(_) => return Err(invalid("mapping.margin must be true or false")),
    };
    if margin && choice {
        return Err(invalid("mapping.margin: a choice between responses gives no margin; leave margin out or false"));
    }
    Ok(Target::Pairs { comparison, pairs, margin })
}

/// Rejects a response field that two ratings or ranking options name (it would be compared with
/// itself).
fn distinct<'a>(fields: impl Iterator<Item = &'a str>, key: &str) -> Result<(), Rejection> {
    let mut seen = Vec::new();
    for field in fields {
        if seen.contains(&field) {
            return Err(invalid(format!(
                "mapping.{key} names field '{field}' twice: each must name a different response"
            )));
        }
        seen.push(field);
    }
    Ok(())
}

/// The options of a ranking or label question mapped to response fields: as given, or, when not
/// given, every option whose value is the name of a text field (at least two).
fn option_fields(
    q: &Question,
    given: Option<&Value>,
    key: &str,
    schema: &DatasetSchema,
) -> Result<BTreeMap<String, String>, Rejection> {
    let values = q.settings.option_values();
    let mut res = BTreeMap::new();
    match given {
        None | Some(Value::Null) => {
            for value in values {
                if schema.fields.iter().any(|it| it.name == value && matches!(it.settings, FieldSettings::Text { .. }))
                {
                    res.insert(value.to_owned(), value.to_owned());
                }
            }
            if res.len() < 2 {
                return Err(invalid(format!(
                    "mapping.{key}.options is missing and fewer than two options of question '{}' name text fields: map its options to response fields",
                    q.name
                )));
            }
        }
        Some(it) => {
            for (option, field) in object(it, &format!("{key}.options"))? {
                if !values.contains(&option.as_str()) {
                    return Err(invalid(format!(
                        "mapping.{key}.options: '{option}' is not an option of question '{}' (options: {})",
                        q.name,
                        values.join(", ")
                    )));
                }
                let at = format!("{key}.options.{option}");
                let f = text_field(schema, &at, string(field, &at)?)?;
                res.insert(option.clone(), f.name.clone());
            }
            if res.len() < 2 {
                return Err(invalid(format!("mapping.{key}.options must map at least two options to response fields")));
            }
        }
    }
    Ok(res)
}
