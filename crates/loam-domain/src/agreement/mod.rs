//! Agreement among annotators, per question, over their *submitted* answers: what the dataset's
//! agreement report shows, folded one batch of records at a time so memory stays flat however
//! many records there are (coincidence and confusion matrices, Fleiss' table totals, sums per
//! annotator and agent, a 10-bin histogram; nothing grows with the records).
//!
//! Per question kind:
//! - label: Krippendorff's α `nominal`; Cohen's κ per annotator pair (`none`); Fleiss' κ;
//! - rating: α `ordinal` and `interval` (over the option values); Cohen's κ `none`, `linear`,
//!   `quadratic` (labels = the options in value order, so weights use the option index distance);
//!   Fleiss' κ (categories = options);
//! - multi-label: α with the `jaccard` and `masi` set distances;
//! - ranking: α `rank`, with the normalised Spearman footrule over fractional ranks
//!   (see [`values`](self::values));
//! - span: α `span_characters`, nominal over units = (record, character of the span's field),
//!   a character's value being the set of labels of the spans covering it (none: "no span");
//!   `span_f1`, the mean over annotator pairs of each record of the F1 of exact
//!   `(start, end, label)` matches (pairs where both marked nothing are left out);
//! - text: `exact_match` only, the share of all annotator pairs (over every record) whose texts
//!   are equal after trimming whitespace.
//!
//! α follows the `krippendorff` package, Cohen's κ scikit-learn's `cohen_kappa_score`, Fleiss' κ
//! statsmodels' `fleiss_kappa`; `crates/loam-domain/tests/agreement_reference.rs` checks them.
//! Where those return NaN (or refuse), a figure is `None` with a reason: never 0 or NaN.
//!
//! Per annotator: agreement with the consensus of the others, the mean over the records they
//! answered where the others' most frequent answer is unique (ties and lone answers skipped) of
//! 1 − the normalised distance to it. Per suggestion agent: the same for the suggested value
//! against the most frequent of all submitted answers. Per record: the disagreement score, the
//! mean pairwise normalised distance among the submitted answers (`None` with fewer than 2);
//! [`MostDisagreed`] keeps a page of the most disagreed in flat memory.

mod alpha;
pub mod judges;
mod kappa;
mod question;
mod ranking;
mod values;

use std::collections::BTreeMap;

use crate::answer::{AnnotatedRecord, Ballot};
use crate::model::{DatasetSchema, Question};
use crate::value::ResponseStatus;

use question::QuestionAcc;
pub use ranking::{MostDisagreed, ScoreRange};

/// A figure, or why it is undefined (exactly one of the two is set).
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub value: Option<f64>,
    pub reason: Option<String>,
}

impl Figure {
    pub fn value(value: f64) -> Self {
        Figure { value: Some(value), reason: None }
    }

    pub fn undefined(reason: impl Into<String>) -> Self {
        Figure { value: None, reason: Some(reason.into()) }
    }
}

impl From<Result<f64, String>> for Figure {
    fn from(result: Result<f64, String>) -> Self {
        match result {
            Ok(value) if value.is_finite() => Figure::value(value),
            Ok(_) => Figure::undefined("the figure is not a finite number"),
            Err(reason) => Figure::undefined(reason),
        }
    }
}

/// One named figure: `krippendorff_alpha`, `cohen_kappa`, `fleiss_kappa`, `exact_match` or
/// `span_f1`, with its variant (α's distance, κ's weights) where it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub variant: Option<&'static str>,
    pub figure: Figure,
}

impl Metric {
    fn new(name: &'static str, variant: Option<&'static str>, figure: Figure) -> Self {
        Metric { name, variant, figure }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PairReport {
    /// Sorted usernames.
    pub annotators: [String; 2],
    /// Records both answered.
    pub records: u64,
    pub metrics: Vec<Metric>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AnnotatorAgreement {
    pub username: String,
    /// Records this annotator answered the question of (submitted).
    pub answered: u64,
    pub agreement: Figure,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentAgreement {
    pub agent: String,
    /// Records with a suggestion of this agent for the question.
    pub records: u64,
    pub agreement: Figure,
}

/// Records whose disagreement score is in `[from, to)` (the last bin includes 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuestionReport {
    pub name: String,
    pub title: String,
    /// The question's type name (`rating`, `label_selection`, …).
    pub kind: &'static str,
    /// Records with at least one submitted answer to it.
    pub answered_records: u64,
    pub metrics: Vec<Metric>,
    pub pairs: Vec<PairReport>,
    pub annotators: Vec<AnnotatorAgreement>,
    pub agents: Vec<AgentAgreement>,
    /// 10 bins of per-record disagreement scores.
    pub disagreement: Vec<Bin>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotatorCounts {
    pub username: String,
    pub submitted: u64,
    pub discarded: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub records: u64,
    /// `(submitted responses, records with that many)`, ascending.
    pub submitted_per_record: Vec<(u64, u64)>,
    pub annotators: Vec<AnnotatorCounts>,
    pub questions: Vec<QuestionReport>,
}

/// The agreement report of one dataset, folded batch by batch.
pub struct Agreement {
    schema: DatasetSchema,
    records: u64,
    submitted: BTreeMap<u64, u64>,
    annotators: BTreeMap<String, (u64, u64)>,
    questions: Vec<QuestionAcc>,
}

impl Agreement {
    pub fn new(schema: &DatasetSchema) -> Self {
        Agreement {
            schema: schema.clone(),
            records: 0,
            submitted: BTreeMap::new(),
            annotators: BTreeMap::new(),
            questions: schema.questions.iter().map(QuestionAcc::new).collect(),
        }
    }

    /// Adds a batch of records (with responses of every status: discarded ones are counted).
    pub fn fold(&mut self, batch: &[AnnotatedRecord]) {
        for record in batch {
            self.records += 1;
            for response in &record.responses {
                // Looked up before inserting: a username is allocated once, not once per response.
                let counts = match self.annotators.get_mut(&response.username) {
                    Some(counts) => counts,
                    None => self.annotators.entry(response.username.clone()).or_default(),
                };
                match response.response.status {
                    ResponseStatus::Submitted => counts.0 += 1,
                    ResponseStatus::Discarded => counts.1 += 1,
                    ResponseStatus::Draft => {}
                }
            }
            let ballots = record.ballots(&self.schema);
            *self.submitted.entry(ballots.len() as u64).or_default() += 1;
            for question in &mut self.questions {
                question.fold(&record.record.fields, &ballots, &record.suggestions);
            }
        }
    }

    pub fn finish(self) -> Report {
        Report {
            records: self.records,
            submitted_per_record: self.submitted.into_iter().collect(),
            annotators: self
                .annotators
                .into_iter()
                .map(|(username, (submitted, discarded))| AnnotatorCounts { username, submitted, discarded })
                .collect(),
            questions: self.questions.into_iter().map(QuestionAcc::finish).collect(),
        }
    }
}

/// One record's disagreement on `question`: the mean pairwise normalised distance among the
/// submitted answers in `ballots` (see the module doc); `None` with fewer than 2 answers.
pub fn record_disagreement(question: &Question, ballots: &[Ballot]) -> Option<f64> {
    let kind = values::Kind::of(question);
    question::mean_distance(&kind, &question::values(question, &kind, ballots))
}

/// [`record_disagreement`] of one question for record after record, its kind (the options, the
/// ratings' scale) worked out once.
#[derive(Clone, Debug)]
pub struct Disagreement {
    question: Question,
    kind: values::Kind,
}

impl Disagreement {
    pub fn new(question: &Question) -> Self {
        Disagreement { question: question.clone(), kind: values::Kind::of(question) }
    }

    pub fn question(&self) -> &Question {
        &self.question
    }

    /// [`record_disagreement`] of the question over `ballots`.
    pub fn of(&self, ballots: &[Ballot]) -> Option<f64> {
        question::mean_distance(&self.kind, &question::values(&self.question, &self.kind, ballots))
    }
}

#[cfg(test)]
mod tests;
