//! Review and adjudication (issue 20), the pure rules: which records a dataset's review queue
//! holds ([`ReviewRule`], [`select`]), the deterministic sample ([`sampled`]), what a reviewer's
//! comment may be, and which responses an annotator sees of a record ([`visible_responses`]).
//!
//! A record is in the queue when it has no final answer, no open return, and either its
//! submitted answers disagree (on some question, a disagreement above the rule's threshold:
//! `agreement::record_disagreement`, 0 when all agree, so the default threshold 0 means "the
//! answers differ"), or, in sample mode, it is complete (`min_submitted` submitted answers) and
//! its hash with the rule's seed falls under the rate; a record an annotator resubmitted after a
//! return is in it whatever the rule.

use serde_json::{json, Map, Value};

use crate::agreement::record_disagreement;
use crate::answer::Ballot;
use crate::consolidation::seeded;
use crate::model::{DatasetSchema, Response};
use crate::value::ResponseStatus;
use crate::{Invalid, RecordId, UserId};

/// How a dataset's review queue selects records.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewRule {
    pub selection: Selection,
    /// The sample's seed: the same seed and record always give the same choice.
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Selection {
    /// Records whose submitted answers disagree on some question by more than `threshold` (0..1).
    Disagreement { threshold: f64 },
    /// A share `rate` (0..=1) of the complete records.
    Sample { rate: f64 },
}

/// Why a record is in the review queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Disagreement,
    Sampled,
    /// An annotator resubmitted it after a reviewer returned it.
    Resubmitted,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Disagreement => "disagreement",
            Reason::Sampled => "sampled",
            Reason::Resubmitted => "resubmitted",
        }
    }
}

/// Seeds are kept within the integers JSON readers hold exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

impl ReviewRule {
    /// The rule of a dataset that set none: the answers differ.
    pub fn default_with(seed: u64) -> Self {
        ReviewRule { selection: Selection::Disagreement { threshold: 0.0 }, seed: seed & MAX_SEED }
    }

    /// Parses `{"mode": "disagreement", "threshold": 0.2}` or `{"mode": "sample", "rate": 0.1,
    /// "seed": 7}`; a missing threshold is 0, a missing seed is `fresh_seed`.
    pub fn parse(value: &Value, fresh_seed: u64) -> Result<Self, Invalid> {
        let Some(map) = value.as_object() else {
            return Err(Invalid::new("the review rule must be an object with a `mode`"));
        };
        let seed = match map.get("seed") {
            None | Some(Value::Null) => fresh_seed & MAX_SEED,
            Some(it) => it
                .as_u64()
                .filter(|it| *it <= MAX_SEED)
                .ok_or_else(|| Invalid::new(format!("`seed` must be an integer from 0 to {MAX_SEED}, not {it}")))?,
        };
        let number = |key: &str, default: Option<f64>| -> Result<f64, Invalid> {
            match (map.get(key), default) {
                (None | Some(Value::Null), Some(default)) => Ok(default),
                (None | Some(Value::Null), None) => Err(Invalid::new(format!("`{key}` is required in this mode"))),
                (Some(it), _) => it.as_f64().ok_or_else(|| Invalid::new(format!("`{key}` must be a number, not {it}"))),
            }
        };
        let selection = match map.get("mode").and_then(Value::as_str) {
            Some("disagreement") => {
                let threshold = number("threshold", Some(0.0))?;
                if !(0.0..1.0).contains(&threshold) {
                    return Err(Invalid::new(format!(
                        "`threshold` must be at least 0 and below 1 (0: any difference), not {threshold}"
                    )));
                }
                Selection::Disagreement { threshold }
            }
            Some("sample") => {
                let rate = number("rate", None)?;
                if !(rate > 0.0 && rate <= 1.0) {
                    return Err(Invalid::new(format!("`rate` must be above 0 and at most 1, not {rate}")));
                }
                Selection::Sample { rate }
            }
            other => {
                let given = other.map_or_else(|| "none".to_owned(), |it| format!("`{it}`"));
                return Err(Invalid::new(format!("`mode` must be `disagreement` or `sample` (given: {given})")));
            }
        };
        Ok(ReviewRule { selection, seed })
    }

    pub fn to_json(&self) -> Value {
        match self.selection {
            Selection::Disagreement { threshold } => {
                json!({"mode": "disagreement", "threshold": threshold, "rate": null, "seed": self.seed})
            }
            Selection::Sample { rate } => json!({"mode": "sample", "threshold": null, "rate": rate, "seed": self.seed}),
        }
    }
}

/// Whether `record` is in the sample of `rate` under `seed`: its hash, read as a number in
/// [0, 1), falls below the rate.
pub fn sampled(seed: u64, record: RecordId, rate: f64) -> bool {
    let unit = (seeded(seed, record) >> 11) as f64 / (1u64 << 53) as f64;
    unit < rate
}

/// Each question's disagreement among `ballots` (`None` with fewer than two answers to it).
pub fn disagreements(schema: &DatasetSchema, ballots: &[Ballot]) -> Vec<(String, Option<f64>)> {
    schema.questions.iter().map(|q| (q.name.clone(), record_disagreement(q, ballots))).collect()
}

/// Why `record` (without a final answer or an open return) is in the queue under `rule`, if it
/// is: `scores` are its questions' disagreements, `submitted` its submitted responses,
/// `resubmitted` whether an annotator resubmitted it after a return.
pub fn select(
    rule: &ReviewRule,
    record: RecordId,
    scores: &[(String, Option<f64>)],
    submitted: usize,
    min_submitted: i64,
    resubmitted: bool,
) -> Option<Reason> {
    if resubmitted {
        return Some(Reason::Resubmitted);
    }
    match rule.selection {
        Selection::Disagreement { threshold } => {
            scores.iter().any(|(_, it)| it.is_some_and(|it| it > threshold)).then_some(Reason::Disagreement)
        }
        Selection::Sample { rate } => {
            (submitted > 0 && submitted as i64 >= min_submitted && sampled(rule.seed, record, rate))
                .then_some(Reason::Sampled)
        }
    }
}

/// The longest comment a return carries, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// A return's comment, trimmed: required (the annotator must learn what to change), at most
/// [`MAX_COMMENT_CHARS`].
pub fn check_comment(comment: &str) -> Result<String, Invalid> {
    let trimmed = comment.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new("a return needs a `comment` telling the annotator what to change"));
    }
    if trimmed.chars().count() > MAX_COMMENT_CHARS {
        return Err(Invalid::new(format!("the comment is longer than {MAX_COMMENT_CHARS} characters")));
    }
    Ok(trimmed.to_owned())
}

/// Where a final answer came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// One annotator's submitted response, accepted as it is.
    Response(UserId),
    /// The consolidated answer of the strategies in force.
    Consolidated,
    /// The reviewer's own answer.
    Own,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Response(_) => "response",
            Source::Consolidated => "consolidated",
            Source::Own => "own",
        }
    }

    pub fn parse(name: &str, user: Option<UserId>) -> Option<Self> {
        match (name, user) {
            ("response", Some(user)) => Some(Source::Response(user)),
            ("consolidated", _) => Some(Source::Consolidated),
            ("own", _) => Some(Source::Own),
            _ => None,
        }
    }

    pub fn user(&self) -> Option<UserId> {
        match self {
            Source::Response(user) => Some(*user),
            _ => None,
        }
    }
}

/// The responses of one record `viewer` sees. Managers (owners, admins) see every one. An
/// annotator sees their own; in a dataset that shows answers after submitting (`open`), once
/// their own response is submitted, also the *submitted* responses of others, never drafts or
/// discarded ones; blind datasets, or before submitting, nothing of others.
pub fn visible_responses(viewer: UserId, manager: bool, open: bool, responses: Vec<Response>) -> Vec<Response> {
    if manager {
        return responses;
    }
    let submitted = responses.iter().any(|it| it.user_id == viewer && it.status == ResponseStatus::Submitted);
    responses
        .into_iter()
        .filter(|it| it.user_id == viewer || (open && submitted && it.status == ResponseStatus::Submitted))
        .collect()
}

/// Values as a response holds them (`{"q": {"value": …}}`) from `(question, value)` pairs.
pub fn values_of(answers: impl IntoIterator<Item = (String, Value)>) -> Value {
    let map: Map<String, Value> = answers.into_iter().map(|(name, value)| (name, json!({ "value": value }))).collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests;
