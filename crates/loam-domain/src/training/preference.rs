//! Preference signal beyond rankings, ratings and choices (issue 22): a pairwise question's
//! consolidated outcome, and an annotator's edit of a model's text (edited ≻ original).
//!
//! - `pairwise`: A → chosen `a`, rejected `b`; B → the reverse; a tie or "both bad" gives no pair
//!   (`skip`, the only rule for pair shapes). `kto` makes one row per side: chosen → `true`,
//!   rejected → `false`; a tie → both `true` (`ties: "both_chosen"`, its default) and "both bad" →
//!   both `false` (`both_bad: "both_rejected"`, its default), either may be `skip`. With a strength
//!   question, the margin is the answered level's index + 1 (none when unanswered), and
//!   `min_strength` skips records answered below that level (or not at all).
//! - `edits`: the consolidated text of a text question against its original (the question's
//!   suggestion, or a field): where they differ, chosen = the edit, rejected = the original,
//!   margin = the edit's size (Levenshtein distance in characters); `sft` with `only_edited`
//!   keeps only completions that differ from their original.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::mapping::{question, text_field};
use super::pairs::one_final;
use super::{Shape, Skip};
use crate::answer::{AnnotatedRecord, Answer, Final};
use crate::error::Rejection;
use crate::model::DatasetSchema;
use crate::pairwise::{Outcome, Outcomes, Pairing, Strength};

/// What a tie or a "both bad" outcome gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Both {
    Skip,
    Chosen,
    Rejected,
}

impl Both {
    pub fn as_str(self) -> &'static str {
        match self {
            Both::Skip => "skip",
            Both::Chosen => "both_chosen",
            Both::Rejected => "both_rejected",
        }
    }
}

/// A pairwise question's outcome as preference rows.
#[derive(Clone, Debug, PartialEq)]
pub struct PairwiseRule {
    pub question: String,
    pub a: String,
    pub b: String,
    pub outcomes: Outcomes,
    pub strength: Option<Strength>,
    pub ties: Both,
    pub both_bad: Both,
    pub min_strength: Option<String>,
}

/// Where an edited text's original comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Original {
    /// The suggestion on the edited question (the model's pre-filled answer).
    Suggestion,
    /// A field of the record.
    Field(String),
}

/// An edited text question as preference rows.
#[derive(Clone, Debug, PartialEq)]
pub struct EditsRule {
    pub question: String,
    pub original: Original,
}

fn invalid(msg: impl Into<String>) -> Rejection {
    Rejection::invalid(msg)
}

fn both(value: Option<&Value>, key: &str, shape: Shape, default: Both) -> Result<Both, Rejection> {
    let Some(value) = value.filter(|it| !it.is_null()) else { return Ok(default) };
    let text = value.as_str().ok_or_else(|| invalid(format!("mapping.pairwise.{key} must be a string")))?;
    let allowed: &[Both] = if shape == Shape::Kto {
        if key == "ties" {
            &[Both::Skip, Both::Chosen]
        } else {
            &[Both::Skip, Both::Rejected]
        }
    } else {
        &[Both::Skip]
    };
    allowed.iter().copied().find(|it| it.as_str() == text).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|it| it.as_str()).collect();
        invalid(format!(
            "mapping.pairwise.{key} must be {} for a {} export, not '{text}'",
            names.join(" or "),
            shape.as_str()
        ))
    })
}

/// Reads `{"question", "ties"?, "both_bad"?, "min_strength"?}`; the question must be one of
/// `pairings`.
pub(super) fn parse_pairwise(value: &Value, shape: Shape, pairings: &[Pairing]) -> Result<PairwiseRule, Rejection> {
    let obj = value.as_object().ok_or_else(|| invalid("mapping.pairwise must be an object"))?;
    let known = ["question", "ties", "both_bad", "min_strength"];
    if let Some(key) = obj.keys().find(|it| !known.contains(&it.as_str())) {
        return Err(invalid(format!(
            "mapping.pairwise.{key} is not a key of a pairwise comparison (keys: {})",
            known.join(", ")
        )));
    }
    let name = obj
        .get("question")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("mapping.pairwise.question is missing: give the pairwise question's name"))?;
    let pairing = pairings.iter().find(|it| it.question == name).ok_or_else(|| {
        let names: Vec<&str> = pairings.iter().map(|it| it.question.as_str()).collect();
        invalid(format!(
            "mapping.pairwise.question: '{name}' is not a pairwise question of the dataset (pairwise questions: {})",
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        ))
    })?;
    let kto = shape == Shape::Kto;
    let ties = both(obj.get("ties"), "ties", shape, if kto { Both::Chosen } else { Both::Skip })?;
    let both_bad = both(obj.get("both_bad"), "both_bad", shape, if kto { Both::Rejected } else { Both::Skip })?;
    let min_strength = match obj.get("min_strength") {
        None | Some(Value::Null) => None,
        Some(it) => {
            let level = it.as_str().ok_or_else(|| invalid("mapping.pairwise.min_strength must be a string"))?;
            let Some(strength) = &pairing.strength else {
                return Err(invalid(format!(
                    "mapping.pairwise.min_strength: pairwise question '{name}' has no strength question"
                )));
            };
            if strength.margin(level).is_none() {
                return Err(invalid(format!(
                    "mapping.pairwise.min_strength: '{level}' is not a level of '{}' (levels: {})",
                    strength.question,
                    strength.levels.join(", ")
                )));
            }
            Some(level.to_owned())
        }
    };
    Ok(PairwiseRule {
        question: pairing.question.clone(),
        a: pairing.a.clone(),
        b: pairing.b.clone(),
        outcomes: pairing.outcomes.clone(),
        strength: pairing.strength.clone(),
        ties,
        both_bad,
        min_strength,
    })
}

pub(super) fn pairwise_json(it: &PairwiseRule) -> Value {
    json!({"question": it.question, "ties": it.ties.as_str(), "both_bad": it.both_bad.as_str(),
           "min_strength": it.min_strength})
}

/// Reads `{"question": <text question>, "original": {"suggestion": true} | {"field": <field>}}`.
pub(super) fn parse_edits(value: &Value, schema: &DatasetSchema) -> Result<EditsRule, Rejection> {
    let obj = value.as_object().ok_or_else(|| invalid("mapping.edits must be an object"))?;
    if let Some(key) = obj.keys().find(|it| !["question", "original"].contains(&it.as_str())) {
        return Err(invalid(format!("mapping.edits.{key} is not a key of edits (keys: question, original)")));
    }
    let name = obj
        .get("question")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("mapping.edits.question is missing: give the edited text question"))?;
    let q = question(schema, "edits.question", name, &["text"])?;
    let original = parse_original(obj.get("original"), schema)?;
    Ok(EditsRule { question: q.name.clone(), original })
}

fn parse_original(value: Option<&Value>, schema: &DatasetSchema) -> Result<Original, Rejection> {
    let bad = || invalid("mapping.edits.original must be {\"suggestion\": true} or {\"field\": <text field>}");
    let obj = value.and_then(Value::as_object).ok_or_else(bad)?;
    match (obj.get("suggestion"), obj.get("field"), obj.len()) {
        (Some(Value::Bool(true)), None, 1) => Ok(Original::Suggestion),
        (None, Some(Value::String(field)), 1) => {
            Ok(Original::Field(text_field(schema, "edits.original.field", field)?.name.clone()))
        }
        _ => Err(bad()),
    }
}

pub(super) fn edits_json(it: &EditsRule) -> Value {
    let original = match &it.original {
        Original::Suggestion => json!({"suggestion": true}),
        Original::Field(field) => json!({"field": field}),
    };
    json!({"question": it.question, "original": original})
}

/// The consolidated outcome of a record's pairwise question, with the margin its strength gives;
/// a record below `min_strength` is skipped.
fn outcome_of(rule: &PairwiseRule, finals: &BTreeMap<String, Final>) -> Result<(Outcome, Option<f64>), Skip> {
    let Final::One(Answer::Label(label)) = one_final(finals, &rule.question)? else {
        return Err(Skip(format!("question '{}' has a consolidated answer of another kind", rule.question)));
    };
    let outcome = rule
        .outcomes
        .outcome(label)
        .ok_or_else(|| Skip(format!("question '{}' chose '{label}', which is no outcome", rule.question)))?;
    let level = rule.strength.as_ref().and_then(|s| match finals.get(&s.question) {
        Some(Final::One(Answer::Label(level))) => s.margin(level).map(|m| (level.clone(), m)),
        _ => None,
    });
    if let (Some(min), Some(strength)) = (&rule.min_strength, &rule.strength) {
        let floor = strength.margin(min).unwrap_or(0);
        match &level {
            Some((_, margin)) if *margin >= floor => {}
            Some((level, _)) => return Err(Skip(format!("the strength '{level}' is below min_strength '{min}'"))),
            None => return Err(Skip(format!("no strength answered (min_strength '{min}')"))),
        }
    }
    #[allow(clippy::cast_precision_loss)]
    Ok((outcome, level.map(|(_, m)| m as f64)))
}

/// The (chosen field, rejected field, margin) a record's pairwise outcome gives.
pub(super) fn pairwise_pair(
    rule: &PairwiseRule,
    finals: &BTreeMap<String, Final>,
) -> Result<(String, String, Option<f64>), Skip> {
    let (outcome, margin) = outcome_of(rule, finals)?;
    match outcome {
        Outcome::A => Ok((rule.a.clone(), rule.b.clone(), margin)),
        Outcome::B => Ok((rule.b.clone(), rule.a.clone(), margin)),
        Outcome::Tie => Err(Skip("a tie gives no pair (ties: skip)".into())),
        Outcome::BothBad => Err(Skip("both responses are bad: no pair (both_bad: skip)".into())),
    }
}

/// The (field, desirable) rows of `kto` a record's pairwise outcome gives, `a` first.
pub(super) fn pairwise_kto(rule: &PairwiseRule, finals: &BTreeMap<String, Final>) -> Result<Vec<(String, bool)>, Skip> {
    let (outcome, _) = outcome_of(rule, finals)?;
    let (a, b) = (rule.a.clone(), rule.b.clone());
    match outcome {
        Outcome::A => Ok(vec![(a, true), (b, false)]),
        Outcome::B => Ok(vec![(a, false), (b, true)]),
        Outcome::Tie if rule.ties == Both::Chosen => Ok(vec![(a, true), (b, true)]),
        Outcome::BothBad if rule.both_bad == Both::Rejected => Ok(vec![(a, false), (b, false)]),
        Outcome::Tie => Err(Skip("a tie gives no row (ties: skip)".into())),
        Outcome::BothBad => Err(Skip("both responses are bad: no row (both_bad: skip)".into())),
    }
}

/// The original text an edit is measured against: the question's suggestion, or the field.
pub(super) fn original_text(
    original: &Original,
    question: &str,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
) -> Result<String, Skip> {
    match original {
        Original::Field(field) => match record.record.fields.get(field) {
            Some(Value::String(it)) => Ok(it.clone()),
            _ => Err(Skip(format!("field '{field}' is empty"))),
        },
        Original::Suggestion => {
            let q = schema.questions.iter().find(|it| it.name == question);
            let suggestion = q.and_then(|q| record.suggestions.iter().find(|it| it.question_id == q.id));
            match suggestion.map(|it| &it.value) {
                Some(Value::String(it)) => Ok(it.clone()),
                _ => Err(Skip(format!("question '{question}' has no suggestion to compare the edit with"))),
            }
        }
    }
}

/// One edit: its annotator (for a text kept per annotator), the edited text, the original, the
/// edit size.
pub(super) type Edit = (Option<String>, String, String, f64);

/// The (annotator, edited, original, edit size) of each consolidated text of a record that
/// differs from its original: one for a unified text, one per annotator for a question that keeps
/// each annotator's text (the annotator named); a record left as suggested is skipped.
pub(super) fn edit_pairs(
    rule: &EditsRule,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Edit>, Skip> {
    let texts: Vec<(Option<String>, &String)> = match finals.get(&rule.question) {
        Some(Final::One(Answer::Text(it))) => vec![(None, it)],
        Some(Final::Each(each)) => each
            .iter()
            .filter_map(|(by, answer)| match answer {
                Answer::Text(it) => Some((Some(by.clone()), it)),
                _ => None,
            })
            .collect(),
        _ => {
            one_final(finals, &rule.question)?;
            return Err(Skip(format!("question '{}' has a consolidated answer of another kind", rule.question)));
        }
    };
    let original = original_text(&rule.original, &rule.question, record, schema)?;
    let mut res = Vec::new();
    for (by, edited) in texts {
        let distance = levenshtein(edited, &original);
        if distance > 0 {
            #[allow(clippy::cast_precision_loss)]
            res.push((by, edited.clone(), original.clone(), distance as f64));
        }
    }
    if res.is_empty() {
        return Err(Skip(format!("question '{}' was not edited", rule.question)));
    }
    Ok(res)
}

/// The Levenshtein distance between two texts, in characters (insertions, deletions and
/// substitutions of one character each cost 1).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}
