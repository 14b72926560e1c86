//! A record's rows for a checked mapping: the prompt, the completions or pairs, the judge.

use std::collections::BTreeMap;

use serde_json::Value;

use super::mapping::{Comparison, Completion, Judge, Mapping, Target};
use super::pairs::{one_final, pairs, Pair};
use super::preference::{self, Original};
use super::{Layout, Shape, Skip};
use crate::answer::{AnnotatedRecord, Answer, Final};
use crate::model::DatasetSchema;
use crate::table::{Cell, Message, Row};

type Fields = serde_json::Map<String, Value>;

fn message(role: &str, content: &str) -> Message {
    Message { role: role.to_owned(), content: content.to_owned() }
}

/// A text field's value; an absent or null value (or one that is not a string) skips the record.
fn text<'a>(fields: &'a Fields, field: &str) -> Result<&'a str, Skip> {
    match fields.get(field) {
        Some(Value::String(it)) => Ok(it),
        None | Some(Value::Null) => Err(Skip(format!("field '{field}' is empty"))),
        Some(_) => Err(Skip(format!("field '{field}' does not hold text"))),
    }
}

/// The prompt as messages: the system turn (if mapped), then the chat field's messages or one
/// user turn with the text field's value.
fn prompt_messages(mapping: &Mapping, fields: &Fields) -> Result<Vec<Message>, Skip> {
    let mut res = Vec::new();
    // A record without a system text has no system turn.
    if let Some(system) = mapping.system.as_ref().filter(|it| fields.get(*it).is_some_and(|v| !v.is_null())) {
        res.push(message("system", text(fields, system)?));
    }
    match fields.get(&mapping.prompt) {
        Some(Value::String(it)) => res.push(message("user", it)),
        Some(Value::Array(items)) => {
            for item in items {
                let role = item.get("role").and_then(Value::as_str);
                let content = item.get("content").and_then(Value::as_str);
                let (Some(role), Some(content)) = (role, content) else {
                    return Err(Skip(format!("field '{}' holds a message without role or content", mapping.prompt)));
                };
                res.push(message(role, content));
            }
        }
        None | Some(Value::Null) => return Err(Skip(format!("field '{}' is empty", mapping.prompt))),
        Some(_) => return Err(Skip(format!("field '{}' holds neither text nor messages", mapping.prompt))),
    }
    Ok(res)
}

/// The prompt in the mapping's layout.
fn prompt_cell(mapping: &Mapping, fields: &Fields) -> Result<Cell, Skip> {
    match mapping.layout {
        Layout::Standard => Ok(Cell::Str(text(fields, &mapping.prompt)?.to_owned())),
        Layout::Conversational => Ok(Cell::Messages(prompt_messages(mapping, fields)?)),
    }
}

/// A response in the mapping's layout: a string, or one assistant turn.
fn answer_cell(layout: Layout, content: &str) -> Cell {
    match layout {
        Layout::Standard => Cell::Str(content.to_owned()),
        Layout::Conversational => Cell::Messages(vec![message("assistant", content)]),
    }
}

/// A completion's text, with the annotator it is from when it is one of a [`Final::Each`].
type Said = (Option<String>, String);

/// The completions of a record: the question's consolidated text (one, or one per annotator),
/// else the field's.
fn completions(completion: &Completion, fields: &Fields, finals: &BTreeMap<String, Final>) -> Result<Vec<Said>, Skip> {
    let mut why = None;
    if let Some(question) = &completion.question {
        match finals.get(question) {
            Some(Final::One(Answer::Text(it))) => return Ok(vec![(None, it.clone())]),
            Some(Final::Each(answers)) => {
                let texts: Vec<Said> = answers
                    .iter()
                    .filter_map(|(username, answer)| match answer {
                        Answer::Text(it) => Some((Some(username.clone()), it.clone())),
                        _ => None,
                    })
                    .collect();
                if !texts.is_empty() {
                    return Ok(texts);
                }
                why = Some(format!("question '{question}' holds no text"));
            }
            Some(Final::Unresolved(reason)) => why = Some(format!("question '{question}' is unresolved: {reason}")),
            None => why = Some(format!("question '{question}' has no consolidated answer")),
            Some(_) => why = Some(format!("question '{question}' has a consolidated answer of another kind")),
        }
    }
    match &completion.field {
        Some(field) => Ok(vec![(None, text(fields, field)?.to_owned())]),
        None => Err(Skip(why.unwrap_or_else(|| "no completion".to_owned()))),
    }
}

/// A judge's verdict on the record, or why there is none.
fn verdict(judge: &Judge, finals: &BTreeMap<String, Final>) -> Result<bool, Skip> {
    let question = judge.question();
    let answer = one_final(finals, question)?;
    let res = match (judge, answer) {
        #[allow(clippy::cast_precision_loss)]
        (Judge::AtLeast { min, .. }, Final::One(Answer::Rating(it))) => (*it as f64) >= *min,
        (Judge::AtLeast { min, .. }, Final::Score(it)) => *it >= *min,
        (Judge::AnyOf { labels, .. }, Final::One(Answer::Label(it))) => labels.contains(it),
        (Judge::AnyOf { labels, .. }, Final::One(Answer::Labels(them))) => them.iter().any(|it| labels.contains(it)),
        _ => return Err(Skip(format!("question '{question}' has a consolidated answer of another kind"))),
    };
    Ok(res)
}

fn describe(judge: &Judge) -> String {
    match judge {
        Judge::AtLeast { question, min } => format!("the filter keeps records whose '{question}' is at least {min}"),
        Judge::AnyOf { question, labels } => {
            format!("the filter keeps records whose '{question}' is one of: {}", labels.join(", "))
        }
    }
}

fn float(it: Option<f64>) -> Cell {
    it.map_or(Cell::Null, Cell::Float)
}

/// A pair of texts: chosen, rejected, their scores and the margin.
type TextPair = (String, String, Option<f64>, Option<f64>, Option<f64>);

/// The completions that differ from `original` (edits as signal); none is a skip.
fn edited_only(
    texts: Vec<Said>,
    original: &Original,
    question: &str,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
) -> Result<Vec<Said>, Skip> {
    let before = preference::original_text(original, question, record, schema)?;
    let kept: Vec<Said> = texts.into_iter().filter(|(_, it)| *it != before).collect();
    if kept.is_empty() {
        return Err(Skip(format!("question '{question}' was not edited (only_edited)")));
    }
    Ok(kept)
}

/// A record's rows, each with the annotator whose answer it holds when it comes from a
/// [`Final::Each`].
pub(super) fn rows(
    mapping: &Mapping,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<(Option<String>, Row)>, Skip> {
    let fields = &record.record.fields;
    let layout = mapping.layout;
    match &mapping.target {
        Target::Sft { completion, filter, only_edited } => {
            if let Some(judge) = filter {
                if !verdict(judge, finals)? {
                    return Err(Skip(describe(judge)));
                }
            }
            let Some(completion) = completion else {
                // The chat is the whole example.
                return Ok(vec![(None, vec![Cell::Messages(prompt_messages(mapping, fields)?)])]);
            };
            let mut texts = completions(completion, fields, finals)?;
            if let (Some(original), Some(question)) = (only_edited, &completion.question) {
                texts = edited_only(texts, original, question, record, schema)?;
            }
            match layout {
                Layout::Standard => {
                    let prompt = text(fields, &mapping.prompt)?;
                    Ok(texts
                        .into_iter()
                        .map(|(by, it)| (by, vec![Cell::Str(prompt.to_owned()), Cell::Str(it)]))
                        .collect())
                }
                Layout::Conversational => {
                    let prompt = prompt_messages(mapping, fields)?;
                    Ok(texts
                        .into_iter()
                        .map(|(by, it)| {
                            let mut messages = prompt.clone();
                            messages.push(message("assistant", &it));
                            (by, vec![Cell::Messages(messages)])
                        })
                        .collect())
                }
            }
        }
        Target::Kto { completion, label } => {
            let desirable = verdict(label, finals)?;
            let prompt = prompt_cell(mapping, fields)?;
            let texts = completions(completion, fields, finals)?;
            Ok(texts
                .into_iter()
                .map(|(by, it)| (by, vec![prompt.clone(), answer_cell(layout, &it), Cell::Bool(desirable)]))
                .collect())
        }
        Target::KtoPairwise(rule) => {
            let prompt = prompt_cell(mapping, fields)?;
            let mut res = Vec::with_capacity(2);
            for (field, desirable) in preference::pairwise_kto(rule, finals)? {
                res.push((
                    None,
                    vec![prompt.clone(), answer_cell(layout, text(fields, &field)?), Cell::Bool(desirable)],
                ));
            }
            Ok(res)
        }
        Target::Pairs { comparison, pairs: rule, margin } => {
            let found: Vec<(Option<String>, TextPair)> = match comparison {
                Comparison::Edits(rule) => preference::edit_pairs(rule, record, schema, finals)?
                    .into_iter()
                    .map(|(by, edited, original, size)| (by, (edited, original, None, None, Some(size))))
                    .collect(),
                other => pairs(other, *rule, fields, finals)?
                    .into_iter()
                    .map(|Pair { chosen, rejected, chosen_score, rejected_score, margin }| {
                        Ok((
                            None,
                            (
                                text(fields, &chosen)?.to_owned(),
                                text(fields, &rejected)?.to_owned(),
                                chosen_score,
                                rejected_score,
                                margin,
                            ),
                        ))
                    })
                    .collect::<Result<_, Skip>>()?,
            };
            let mut res = Vec::with_capacity(found.len());
            for (by, (chosen, rejected, chosen_score, rejected_score, diff)) in found {
                let (chosen, rejected) = (chosen.as_str(), rejected.as_str());
                let row = match (mapping.shape, layout) {
                    (Shape::Rm, Layout::Conversational) => {
                        let prompt = prompt_messages(mapping, fields)?;
                        let with = |content: &str| {
                            let mut messages = prompt.clone();
                            messages.push(message("assistant", content));
                            Cell::Messages(messages)
                        };
                        let mut row = vec![with(chosen), with(rejected)];
                        if *margin {
                            row.push(float(diff));
                        }
                        row
                    }
                    (shape, _) => {
                        let mut row = vec![
                            prompt_cell(mapping, fields)?,
                            answer_cell(layout, chosen),
                            answer_cell(layout, rejected),
                        ];
                        match shape {
                            Shape::Preference => row.extend([float(chosen_score), float(rejected_score), float(diff)]),
                            Shape::Rm if *margin => row.push(float(diff)),
                            _ => {}
                        }
                        row
                    }
                };
                res.push((by, row));
            }
            Ok(res)
        }
    }
}
