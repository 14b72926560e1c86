//! How an export's shape makes rows of a record: the `records` shape (`loam_export::RecordsShape`)
//! or a training shape (`loam_domain::training`), whose questions are consolidated first with the
//! strategies in force (`loam_domain::consolidation`).

use std::collections::BTreeMap;

use loam_domain::answer::{AnnotatedRecord, Answer, Ballot, Final};
use loam_domain::consolidation::{consolidate, Strategy};
use loam_domain::error::Loc;
use loam_domain::model::{DatasetSchema, Question, Vector};
use loam_domain::pairwise::Pairing;
use loam_domain::table::{Column, Row};
use loam_domain::training::{self, Mapping};
use loam_domain::Rejection;
use loam_export::RecordsShape;
use loam_store::review::FinalAnswer;
use serde_json::{Map, Value};

use super::request::{ExportRequest, Shape};
use crate::{Error, Result};

pub(super) enum Plan {
    Records(RecordsShape),
    Training(Training),
}

pub(super) struct Training {
    pub mapping: Mapping,
    /// The questions the mapping reads, each with its strategy in force.
    pub questions: Vec<(Question, Strategy)>,
    /// `{question: strategy}` of those questions: the `loam_strategy` cell of every row.
    pub strategies: Value,
}

/// Cells the provenance columns add to a row (at most).
const PROVENANCE_ROOM: usize = 10;

/// One row of a record, and the annotator it comes from when it holds one annotator's answer.
pub(super) type Made = Result<Vec<(Option<String>, Row)>, String>;

impl Plan {
    pub fn columns(&self) -> Vec<Column> {
        match self {
            Plan::Records(shape) => shape.columns().to_vec(),
            Plan::Training(it) => training::columns(&it.mapping),
        }
    }

    /// The questions whose disagreement `loam_agreement` reports: every question for `records`,
    /// the questions the mapping reads for a training shape.
    pub fn deciding<'a>(&'a self, schema: &'a DatasetSchema) -> Vec<&'a Question> {
        match self {
            Plan::Records(_) => schema.questions.iter().collect(),
            Plan::Training(plan) => plan.questions.iter().map(|(q, _)| q).collect(),
        }
    }

    /// The rows of `it` (whose submitted answers are `ballots`), or why it gives none. A training
    /// shape takes the record's final answer (review) where it has one, else consolidates.
    pub fn rows(
        &self,
        schema: &DatasetSchema,
        it: &AnnotatedRecord,
        ballots: &[Ballot],
        vectors: &[Vector],
        final_answer: Option<&FinalAnswer>,
    ) -> Made {
        match self {
            Plan::Records(shape) => Ok(vec![(None, shape.row(it, vectors, PROVENANCE_ROOM))]),
            Plan::Training(plan) => {
                let finals: BTreeMap<String, Final> = plan
                    .questions
                    .iter()
                    .map(|(q, strategy)| {
                        let fin = match final_answer {
                            Some(decided) => reviewed(q, &decided.values),
                            None => consolidate(q, strategy, ballots, it.record.id),
                        };
                        (q.name.clone(), fin)
                    })
                    .collect();
                training::rows_by_annotator(&plan.mapping, it, schema, &finals).map_err(|skip| skip.0)
            }
        }
    }
}

/// What a reviewer's final answer (`values`, shaped as a response's) says of `question`.
fn reviewed(question: &Question, values: &Value) -> Final {
    let answer =
        values.get(&question.name).and_then(|it| it.get("value")).and_then(|it| Answer::read(&question.settings, it));
    answer.map_or_else(|| Final::Unresolved("the final answer leaves this question unanswered".to_owned()), Final::One)
}

/// The training plan of `shape`: the request's mapping (or the one inferred from the settings),
/// with the request's `layout` over it, and the strategies in force of the questions it reads.
pub(super) fn training(
    shape: training::Shape,
    request: &ExportRequest,
    schema: &DatasetSchema,
    pairings: &[Pairing],
    strategies: &BTreeMap<String, Strategy>,
) -> Result<Training> {
    let mapping = mapping(shape, request, schema, pairings)?;
    let mut questions = Vec::new();
    let mut used = Map::new();
    for name in mapping.questions() {
        let Some(question) = schema.questions.iter().find(|q| q.name == name) else {
            return Err(Error::invalid(format!(
                "the mapping names the question `{name}`, which the dataset does not have"
            )));
        };
        let strategy = strategies.get(name).cloned().unwrap_or_else(|| Strategy::default_for(&question.settings));
        used.insert(name.to_owned(), strategy.to_json());
        questions.push((question.clone(), strategy));
    }
    Ok(Training { mapping, questions, strategies: Value::Object(used) })
}

/// Mapping keys that choose among the ways of an inferred mapping rather than name fields and
/// questions: a mapping of only these keys is laid over the inferred one.
const OPTION_KEYS: &[&str] = &["shape", "layout", "pairs", "margin"];

/// The mapping of an export of `shape`: the request's, else the inferred one; a request mapping
/// of only [`OPTION_KEYS`] (`{"layout": "conversational"}`) is laid over the inferred one. The
/// request's `layout` replaces the mapping's unless the mapping states another one.
/// `pairings` are the dataset's pairwise questions (what a `pairwise` comparison may name).
pub(super) fn mapping(
    shape: training::Shape,
    request: &ExportRequest,
    schema: &DatasetSchema,
    pairings: &[Pairing],
) -> Result<Mapping> {
    let inferred = || Mapping::infer_with(shape, schema, pairings).map(|it| it.to_json()).map_err(rejection);
    let mut value = match &request.mapping {
        Some(Value::Object(given)) if given.keys().all(|key| OPTION_KEYS.contains(&key.as_str())) => {
            let mut value = inferred()?;
            if let Value::Object(map) = &mut value {
                map.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            value
        }
        Some(value) => value.clone(),
        None => inferred()?,
    };
    if let (Some(layout), Value::Object(map)) = (&request.layout, &mut value) {
        match map.get("layout").and_then(Value::as_str) {
            Some(stated) if stated != layout && request.mapping.is_some() => {
                return Err(Error::invalid(format!(
                    "the mapping's layout `{stated}` and the requested layout `{layout}` differ; give one"
                )))
            }
            _ => {
                map.insert("layout".into(), Value::String(layout.clone()));
            }
        }
    }
    Mapping::parse_with(shape, &value, schema, pairings).map_err(rejection)
}

/// A training shape of the export's.
pub(super) fn training_shape(shape: Shape) -> Option<training::Shape> {
    training::Shape::parse(shape.name())
}

/// A mapping's rejection: a shape error located under `body.mapping`, a rule's message as is.
fn rejection(err: Rejection) -> Error {
    match err {
        Rejection::Schema(it) => Error::Schema(vec![it.under(&[Loc::from("body"), Loc::from("mapping")])]),
        Rejection::Invalid(it) => Error::Invalid(it.0),
    }
}
