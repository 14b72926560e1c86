//! Provenance of rows made from pairwise answers or edits (issue 22), after the other provenance
//! columns: `loam_shown` (JSON `{username: "ab" | "ba"}`: the order each of the row's annotators
//! saw the pair in, where recorded), `loam_strength` (the consolidated strength level, or null),
//! `loam_judge_agrees` (whether the first agent by name — a judge's verdict shown `ab`, else `ba`,
//! or a suggestion on the question — picked the consolidated outcome; null without an agent or a
//! single consolidated outcome) for a `pairwise` comparison; `loam_edit_distance` (the
//! Levenshtein distance between the row's chosen and rejected texts) for `edits`.

use std::collections::BTreeMap;

use loam_domain::answer::{AnnotatedRecord, Answer, Ballot, Final};
use loam_domain::consolidation::{consolidate, Strategy};
use loam_domain::model::{DatasetSchema, Question};
use loam_domain::pairwise::Shown;
use loam_domain::table::{Cell, Column, ColumnType, Row};
use loam_domain::training::{self, levenshtein, Comparison, PairwiseRule, Target};
use loam_domain::{QuestionId, UserId};
use loam_store::pairwise::Judgement;
use loam_store::review::FinalAnswer;
use serde_json::Value;

use super::plan::{reviewed, Plan};

/// A pairwise comparison's questions (with their strategies in force) and rule.
pub(super) struct Pairwise {
    question: (Question, Strategy),
    strength: Option<(Question, Strategy)>,
    rule: PairwiseRule,
}

/// What the preference provenance reads of a training plan.
pub(super) enum Preference {
    Pairwise(Box<Pairwise>),
    Edits { chosen: usize, rejected: usize },
}

impl Preference {
    /// The preference provenance of `plan`, if its mapping compares pairwise answers or edits.
    pub(super) fn of(plan: &Plan, schema: &DatasetSchema) -> Option<Preference> {
        let Plan::Training(training) = plan else { return None };
        let rule = match &training.mapping.target {
            Target::Pairs { comparison: Comparison::Pairwise(rule), .. } | Target::KtoPairwise(rule) => rule,
            Target::Pairs { comparison: Comparison::Edits(_), .. } => {
                let names: Vec<String> = training::columns(&training.mapping).into_iter().map(|it| it.name).collect();
                let at = |name: &str| names.iter().position(|it| it == name);
                return Some(Preference::Edits { chosen: at("chosen")?, rejected: at("rejected")? });
            }
            _ => return None,
        };
        let find = |name: &str| {
            let q = schema.questions.iter().find(|it| it.name == name)?;
            let strategy = training
                .questions
                .iter()
                .find(|(it, _)| it.name == name)
                .map_or_else(|| Strategy::default_for(&q.settings), |(_, s)| s.clone());
            Some((q.clone(), strategy))
        };
        Some(Preference::Pairwise(Box::new(Pairwise {
            question: find(&rule.question)?,
            strength: rule.strength.as_ref().and_then(|it| find(&it.question)),
            rule: (**rule).clone(),
        })))
    }

    /// The pairwise question whose shown orders and verdicts a batch must read.
    pub(super) fn pairwise_question(&self) -> Option<QuestionId> {
        match self {
            Preference::Pairwise(it) => Some(it.question.0.id),
            Preference::Edits { .. } => None,
        }
    }

    pub(super) fn columns(&self) -> Vec<Column> {
        match self {
            Preference::Pairwise(_) => vec![
                Column::new("loam_shown", ColumnType::Json),
                Column::new("loam_strength", ColumnType::Str),
                Column::new("loam_judge_agrees", ColumnType::Bool),
            ],
            Preference::Edits { .. } => vec![Column::new("loam_edit_distance", ColumnType::Float)],
        }
    }

    /// The cells of `row` (of `it`, whose submitted answers are `ballots`; by `annotator` when
    /// it holds one annotator's answer).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cells(
        &self,
        it: &AnnotatedRecord,
        ballots: &[Ballot],
        annotator: Option<&str>,
        row: &Row,
        shown: &[(UserId, String)],
        verdicts: &[Judgement],
        final_answer: Option<&FinalAnswer>,
    ) -> Vec<Cell> {
        match self {
            Preference::Edits { chosen, rejected } => {
                let text = |cell: Option<&Cell>| match cell {
                    Some(Cell::Str(it)) => Some(it.clone()),
                    Some(Cell::Messages(it)) => it.last().map(|m| m.content.clone()),
                    _ => None,
                };
                match (text(row.get(*chosen)), text(row.get(*rejected))) {
                    #[allow(clippy::cast_precision_loss)]
                    (Some(a), Some(b)) => vec![Cell::Float(levenshtein(&a, &b) as f64)],
                    _ => vec![Cell::Null],
                }
            }
            Preference::Pairwise(it_is) => {
                let Pairwise { question, strength, rule } = &**it_is;
                let fin = |(q, strategy): &(Question, Strategy)| match final_answer {
                    Some(decided) => reviewed(q, &decided.values),
                    None => consolidate(q, strategy, ballots, it.record.id),
                };
                let mut orders = serde_json::Map::new();
                for response in &it.responses {
                    if annotator.is_some_and(|one| one != response.username) {
                        continue;
                    }
                    if let Some((_, order)) = shown.iter().find(|(user, _)| *user == response.response.user_id) {
                        orders.insert(response.username.clone(), Value::String(order.clone()));
                    }
                }
                let level = match strength.as_ref().map(fin) {
                    Some(Final::One(Answer::Label(level))) => Cell::Str(level),
                    _ => Cell::Null,
                };
                let agrees = match fin(question) {
                    Final::One(Answer::Label(outcome)) => first_agent_pick(&question.0, rule, it, verdicts)
                        .map_or(Cell::Null, |pick| Cell::Bool(pick == outcome)),
                    _ => Cell::Null,
                };
                vec![Cell::Json(Value::Object(orders)), level, agrees]
            }
        }
    }
}

/// The first agent's (by name) pick on `it`: its verdict shown `ab`, else `ba`, else its
/// suggestion on the question.
fn first_agent_pick(
    question: &Question,
    rule: &PairwiseRule,
    it: &AnnotatedRecord,
    verdicts: &[Judgement],
) -> Option<String> {
    let mut picks: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for verdict in verdicts.iter().filter(|v| v.question_id == question.id && rule.outcomes.outcome(&v.value).is_some())
    {
        let slot = picks.entry(verdict.agent.clone()).or_default();
        match Shown::parse(&verdict.shown) {
            Some(Shown::Ab) => slot.0 = Some(verdict.value.clone()),
            Some(Shown::Ba) => slot.1 = Some(verdict.value.clone()),
            None => {}
        }
    }
    for suggestion in it.suggestions.iter().filter(|s| s.question_id == question.id) {
        if let (Some(agent), Some(label)) = (&suggestion.agent, suggestion.value.as_str()) {
            let slot = picks.entry(agent.clone()).or_default();
            slot.0.get_or_insert_with(|| label.to_owned());
        }
    }
    let (_, (ab, ba)) = picks.into_iter().next()?;
    ab.or(ba)
}
