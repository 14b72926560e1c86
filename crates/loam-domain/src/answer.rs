//! Stored answers read back as the typed values their questions ask for: what agreement,
//! consolidation and the training exports compute with.
//!
//! A response keeps its answers as `{"<question>": {"value": …}}`, validated when written. A value
//! that no longer fits its question (the settings changed since, or it was never valid for a
//! draft) reads as `None` and is left out of every computation; it is never guessed at.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{DatasetSchema, Question, Record, Response, Suggestion};
use crate::settings::QuestionSettings;
use crate::value::ResponseStatus;

/// One answer to one question, typed by the question's kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Text(String),
    Label(String),
    /// The chosen labels of a multi-label question, sorted and without repeats (a set).
    Labels(Vec<String>),
    Rating(i64),
    /// Every option of a ranking question with its rank (1 is best; ties share a rank), in the
    /// order the annotator gave them.
    Ranking(Vec<RankedOption>),
    /// Spans sorted by `(start, end, label)`.
    Spans(Vec<SpanAnswer>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankedOption {
    pub value: String,
    pub rank: i64,
}

/// A labelled span of a text field: characters `start..end` (end exclusive).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpanAnswer {
    pub start: i64,
    pub end: i64,
    pub label: String,
}

impl Answer {
    /// Reads a stored value (the inner `value`, not the `{"value": …}` wrapper) for a question
    /// with `settings`; `None` when it does not fit them.
    pub fn read(settings: &QuestionSettings, value: &Value) -> Option<Answer> {
        match settings {
            QuestionSettings::Text { .. } => value.as_str().map(|it| Answer::Text(it.to_owned())),
            QuestionSettings::Rating { options } => {
                value.as_i64().filter(|it| options.contains(it)).map(Answer::Rating)
            }
            QuestionSettings::LabelSelection { options, .. } => value
                .as_str()
                .filter(|it| options.iter().any(|option| option.value == *it))
                .map(|it| Answer::Label(it.to_owned())),
            QuestionSettings::MultiLabelSelection { options, .. } => {
                let mut labels = Vec::new();
                for item in value.as_array()? {
                    let label = item.as_str()?;
                    if !options.iter().any(|option| option.value == label) {
                        return None;
                    }
                    labels.push(label.to_owned());
                }
                labels.sort();
                labels.dedup();
                Some(Answer::Labels(labels))
            }
            QuestionSettings::Ranking { options } => {
                let items = value.as_array()?;
                let mut ranked = Vec::with_capacity(items.len());
                for item in items {
                    let value = item.get("value")?.as_str()?;
                    let rank = item.get("rank")?.as_i64()?;
                    if rank < 1 || !options.iter().any(|option| option.value == value) {
                        return None;
                    }
                    ranked.push(RankedOption { value: value.to_owned(), rank });
                }
                let mut seen: Vec<&str> = ranked.iter().map(|it| it.value.as_str()).collect();
                seen.sort_unstable();
                seen.dedup();
                (seen.len() == ranked.len() && !ranked.is_empty()).then_some(Answer::Ranking(ranked))
            }
            QuestionSettings::Span { options, .. } => {
                let mut spans = Vec::new();
                for item in value.as_array()? {
                    let label = item.get("label")?.as_str()?;
                    let start = item.get("start")?.as_i64()?;
                    let end = item.get("end")?.as_i64()?;
                    if start < 0 || end <= start || !options.iter().any(|option| option.value == label) {
                        return None;
                    }
                    spans.push(SpanAnswer { start, end, label: label.to_owned() });
                }
                spans.sort();
                Some(Answer::Spans(spans))
            }
        }
    }
}

/// The answers of one response, by question name; questions it does not answer (or answers with
/// a value that no longer fits) are absent.
pub fn read_answers(schema: &DatasetSchema, values: Option<&Value>) -> BTreeMap<String, Answer> {
    let mut answers = BTreeMap::new();
    let Some(values) = values.and_then(Value::as_object) else {
        return answers;
    };
    for question in &schema.questions {
        let value = values.get(&question.name).and_then(|it| it.get("value"));
        if let Some(answer) = value.and_then(|it| Answer::read(&question.settings, it)) {
            answers.insert(question.name.clone(), answer);
        }
    }
    answers
}

/// A suggestion's value, typed by its question; `None` when it does not fit.
pub fn read_suggestion(question: &Question, suggestion: &Suggestion) -> Option<Answer> {
    Answer::read(&question.settings, &suggestion.value)
}

/// One response with the name of the user who gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedResponse {
    pub username: String,
    pub response: Response,
}

/// A record with everything that agreement, consolidation and the exports read of it: its
/// responses (every status, by creation) and its suggestions.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotatedRecord {
    pub record: Record,
    pub responses: Vec<NamedResponse>,
    pub suggestions: Vec<Suggestion>,
}

impl AnnotatedRecord {
    /// The submitted responses' answers, one ballot per annotator, in the responses' order.
    pub fn ballots(&self, schema: &DatasetSchema) -> Vec<Ballot> {
        self.responses
            .iter()
            .filter(|it| it.response.status == ResponseStatus::Submitted)
            .map(|it| Ballot {
                username: it.username.clone(),
                answers: read_answers(schema, it.response.values.as_ref()),
            })
            .collect()
    }
}

/// One annotator's submitted answers to one record, by question name.
#[derive(Clone, Debug, PartialEq)]
pub struct Ballot {
    pub username: String,
    pub answers: BTreeMap<String, Answer>,
}

/// What consolidation makes of one question's answers to one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Final {
    /// One unified answer.
    One(Answer),
    /// Each annotator's answer kept apart, by username (a text question's "all of them": the
    /// exports write one row each).
    Each(Vec<(String, Answer)>),
    /// A number that need not be an option: a rating's unrounded mean or median.
    Score(f64),
    /// No answer could be chosen, and why (no submitted answer, a tie left unresolved).
    Unresolved(String),
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::settings::{LabelOption, OptionsOrder};

    fn options(values: &[&str]) -> Vec<LabelOption> {
        values
            .iter()
            .map(|it| LabelOption { value: (*it).to_owned(), text: (*it).to_owned(), description: None })
            .collect()
    }

    #[test]
    fn values_read_as_their_kind() {
        let rating = QuestionSettings::Rating { options: vec![1, 2, 3] };
        assert_eq!(Answer::read(&rating, &json!(2)), Some(Answer::Rating(2)));
        assert_eq!(Answer::read(&rating, &json!(7)), None);
        assert_eq!(Answer::read(&rating, &json!("2")), None);

        let multi = QuestionSettings::MultiLabelSelection {
            options: options(&["a", "b", "c"]),
            visible_options: None,
            options_order: OptionsOrder::Natural,
        };
        assert_eq!(Answer::read(&multi, &json!(["c", "a", "c"])), Some(Answer::Labels(vec!["a".into(), "c".into()])));
        assert_eq!(Answer::read(&multi, &json!(["z"])), None);

        let ranking = QuestionSettings::Ranking { options: options(&["x", "y"]) };
        let ranked = json!([{"value": "y", "rank": 1}, {"value": "x", "rank": 2}]);
        assert_eq!(
            Answer::read(&ranking, &ranked),
            Some(Answer::Ranking(vec![
                RankedOption { value: "y".into(), rank: 1 },
                RankedOption { value: "x".into(), rank: 2 }
            ]))
        );
        assert_eq!(Answer::read(&ranking, &json!([{"value": "y", "rank": null}])), None);
        assert_eq!(Answer::read(&ranking, &json!([{"value": "y", "rank": 1}, {"value": "y", "rank": 2}])), None);

        let span = QuestionSettings::Span {
            field: "text".into(),
            options: options(&["PER"]),
            visible_options: None,
            allow_overlapping: false,
        };
        let spans = json!([{"label": "PER", "start": 5, "end": 9}, {"label": "PER", "start": 0, "end": 3}]);
        assert_eq!(
            Answer::read(&span, &spans),
            Some(Answer::Spans(vec![
                SpanAnswer { start: 0, end: 3, label: "PER".into() },
                SpanAnswer { start: 5, end: 9, label: "PER".into() }
            ]))
        );
    }
}
