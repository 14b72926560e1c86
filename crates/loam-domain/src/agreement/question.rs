//! Everything agreement keeps of one question while the records go by.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::alpha::{Coincidences, Level};
use super::kappa::{Confusion, Fleiss, Weights};
use super::values::{span_f1, Kind, Val};
use super::{AgentAgreement, AnnotatorAgreement, Bin, Figure, Metric, PairReport, QuestionReport};
use crate::answer::{read_suggestion, Ballot};
use crate::model::{Question, Suggestion};

/// A running mean with the count of items it was offered.
#[derive(Clone, Debug, Default)]
struct Mean {
    offered: u64,
    sum: f64,
    n: u64,
}

impl Mean {
    fn figure(&self, none: &str) -> Figure {
        if self.n == 0 {
            Figure::undefined(none)
        } else {
            Figure::value(self.sum / self.n as f64)
        }
    }
}

pub(super) struct QuestionAcc {
    question: Question,
    kind: Kind,
    answered: u64,
    alpha: Coincidences,
    pairs: BTreeMap<(String, String), Confusion>,
    fleiss: Option<Fleiss>,
    /// Text: (equal pairs, pairs); span: (F1 sum, pairs with a span).
    pairwise: (f64, u64),
    annotators: BTreeMap<String, Mean>,
    agents: BTreeMap<String, Mean>,
    bins: [u64; 10],
}

/// The submitted answers to `question` in `ballots`, as values of `kind`.
pub(super) fn values<'b>(question: &Question, kind: &Kind, ballots: &'b [Ballot]) -> Vec<(&'b str, Val)> {
    ballots
        .iter()
        .filter_map(|ballot| {
            let answer = ballot.answers.get(&question.name)?;
            kind.value(answer).map(|value| (ballot.username.as_str(), value))
        })
        .collect()
}

/// The mean pairwise normalised distance among `vals`; `None` with fewer than 2.
pub(super) fn mean_distance(kind: &Kind, vals: &[(&str, Val)]) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0u64);
    for (i, a) in vals.iter().enumerate() {
        for b in &vals[i + 1..] {
            sum += kind.distance(&a.1, &b.1);
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// The most frequent of `vals`, unless another is as frequent (a tie) or there are none.
fn consensus<'v>(vals: impl Iterator<Item = &'v Val>) -> Option<&'v Val> {
    let mut counts: Vec<(&Val, u64)> = Vec::new();
    for value in vals {
        match counts.iter_mut().find(|it| it.0 == value) {
            Some(it) => it.1 += 1,
            None => counts.push((value, 1)),
        }
    }
    let top = counts.iter().map(|it| it.1).max()?;
    let mut leaders = counts.iter().filter(|it| it.1 == top);
    let leader = leaders.next()?;
    leaders.next().is_none().then_some(leader.0)
}

impl QuestionAcc {
    pub(super) fn new(question: &Question) -> Self {
        let kind = Kind::of(question);
        let fleiss = kind.categories().map(Fleiss::new);
        QuestionAcc {
            question: question.clone(),
            kind,
            answered: 0,
            alpha: Coincidences::default(),
            pairs: BTreeMap::new(),
            fleiss,
            pairwise: (0.0, 0),
            annotators: BTreeMap::new(),
            agents: BTreeMap::new(),
            bins: [0; 10],
        }
    }

    pub(super) fn fold(&mut self, fields: &Map<String, Value>, ballots: &[Ballot], suggestions: &[Suggestion]) {
        let mut vals = values(&self.question, &self.kind, ballots);
        vals.sort_by(|a, b| a.0.cmp(b.0));
        if !vals.is_empty() {
            self.answered += 1;
        }
        self.fold_alpha(fields, &vals);
        if let Some(k) = self.kind.categories() {
            let mut counts = vec![0.0; k];
            for (_, value) in &vals {
                if let Val::Index(i) = value {
                    counts[*i] += 1.0;
                }
            }
            if let Some(fleiss) = &mut self.fleiss {
                fleiss.row(&counts);
            }
            for (i, (first, a)) in vals.iter().enumerate() {
                for (second, b) in &vals[i + 1..] {
                    if let (Val::Index(a), Val::Index(b)) = (a, b) {
                        let key = ((*first).to_owned(), (*second).to_owned());
                        self.pairs.entry(key).or_insert_with(|| Confusion::new(k)).add(*a, *b);
                    }
                }
            }
        }
        for (i, a) in vals.iter().enumerate() {
            for b in &vals[i + 1..] {
                match (&a.1, &b.1) {
                    (Val::Text(x), Val::Text(y)) => {
                        self.pairwise.0 += f64::from(u8::from(x == y));
                        self.pairwise.1 += 1;
                    }
                    (Val::Spans(x), Val::Spans(y)) => {
                        if let Some(f1) = span_f1(x, y) {
                            self.pairwise.0 += f1;
                            self.pairwise.1 += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(score) = mean_distance(&self.kind, &vals) {
            let bin = ((score * 10.0).floor() as usize).min(9);
            self.bins[bin] += 1;
        }
        for (username, value) in &vals {
            let mean = self.annotators.entry((*username).to_owned()).or_default();
            mean.offered += 1;
            let others = vals.iter().filter(|it| it.0 != *username).map(|it| &it.1);
            if let Some(agreed) = consensus(others) {
                mean.sum += 1.0 - self.kind.distance(value, agreed);
                mean.n += 1;
            }
        }
        let everyone = consensus(vals.iter().map(|it| &it.1));
        for suggestion in suggestions.iter().filter(|it| it.question_id == self.question.id) {
            let Some(agent) = &suggestion.agent else { continue };
            let Some(value) = read_suggestion(&self.question, suggestion).and_then(|it| self.kind.value(&it)) else {
                continue;
            };
            let mean = self.agents.entry(agent.clone()).or_default();
            mean.offered += 1;
            if let Some(agreed) = everyone {
                mean.sum += 1.0 - self.kind.distance(&value, agreed);
                mean.n += 1;
            }
        }
    }

    fn fold_alpha(&mut self, fields: &Map<String, Value>, vals: &[(&str, Val)]) {
        if vals.len() < 2 {
            return;
        }
        match &self.kind {
            Kind::Text => {}
            Kind::Span { field, .. } => {
                let Some(text) = fields.get(field).and_then(Value::as_str) else { return };
                let len = text.chars().count() as i64;
                let answers: Vec<&[(i64, i64, usize)]> = vals
                    .iter()
                    .filter_map(|it| match &it.1 {
                        Val::Spans(spans) => Some(spans.as_slice()),
                        _ => None,
                    })
                    .collect();
                let mut cuts = vec![0, len];
                for spans in &answers {
                    for (start, end, _) in spans.iter() {
                        cuts.push((*start).clamp(0, len));
                        cuts.push((*end).clamp(0, len));
                    }
                }
                cuts.sort_unstable();
                cuts.dedup();
                for segment in cuts.windows(2) {
                    let (from, to) = (segment[0], segment[1]);
                    let labels: Vec<Val> = answers
                        .iter()
                        .map(|spans| {
                            let mut covering: Vec<usize> = spans
                                .iter()
                                .filter(|(start, end, _)| *start <= from && from < *end)
                                .map(|it| it.2)
                                .collect();
                            covering.sort_unstable();
                            covering.dedup();
                            Val::Set(covering)
                        })
                        .collect();
                    self.alpha.unit(&labels, (to - from) as f64);
                }
            }
            _ => self.alpha.unit(vals.iter().map(|it| &it.1), 1.0),
        }
    }

    pub(super) fn finish(self) -> QuestionReport {
        let alpha = |variant: &'static str, level: Level<'_>| {
            Metric::new("krippendorff_alpha", Some(variant), Figure::from(self.alpha.alpha(level)))
        };
        let none = "no record has 2 or more answers";
        let mut metrics = Vec::new();
        let mut weights: &[Weights] = &[];
        match &self.kind {
            Kind::Text => {
                let (equal, pairs) = self.pairwise;
                let figure = if pairs == 0 { Figure::undefined(none) } else { Figure::value(equal / pairs as f64) };
                metrics.push(Metric::new("exact_match", None, figure));
            }
            Kind::Label { .. } => {
                metrics.push(alpha("nominal", Level::Nominal));
                weights = &[Weights::None];
            }
            Kind::Rating { values } => {
                metrics.push(alpha("ordinal", Level::Ordinal));
                metrics.push(alpha("interval", Level::Interval(values)));
                weights = &[Weights::None, Weights::Linear, Weights::Quadratic];
            }
            Kind::Labels { .. } => {
                metrics.push(alpha("jaccard", Level::Jaccard));
                metrics.push(alpha("masi", Level::Masi));
            }
            Kind::Ranking { options } => metrics.push(alpha("rank", Level::Rank(options.len()))),
            Kind::Span { .. } => {
                metrics.push(alpha("span_characters", Level::Nominal));
                let (sum, pairs) = self.pairwise;
                let figure = if pairs == 0 {
                    Figure::undefined("no pair of answers to one record has a span")
                } else {
                    Figure::value(sum / pairs as f64)
                };
                metrics.push(Metric::new("span_f1", None, figure));
            }
        }
        if let Some(fleiss) = &self.fleiss {
            metrics.push(Metric::new("fleiss_kappa", None, Figure::from(fleiss.kappa())));
        }
        let pairs = self
            .pairs
            .iter()
            .map(|((a, b), confusion)| PairReport {
                annotators: [a.clone(), b.clone()],
                records: confusion.records,
                metrics: weights
                    .iter()
                    .map(|w| Metric::new("cohen_kappa", Some(w.name()), Figure::from(confusion.kappa(*w))))
                    .collect(),
            })
            .collect();
        let annotators = self
            .annotators
            .iter()
            .map(|(username, mean)| AnnotatorAgreement {
                username: username.clone(),
                answered: mean.offered,
                agreement: mean.figure("the others reach no consensus on any record this annotator answered"),
            })
            .collect();
        let agents = self
            .agents
            .iter()
            .map(|(agent, mean)| AgentAgreement {
                agent: agent.clone(),
                records: mean.offered,
                agreement: mean.figure("the annotators reach no consensus on any record this agent suggested for"),
            })
            .collect();
        let disagreement = self
            .bins
            .iter()
            .enumerate()
            .map(|(i, records)| Bin { from: i as f64 / 10.0, to: (i + 1) as f64 / 10.0, records: *records })
            .collect();
        QuestionReport {
            name: self.question.name.clone(),
            title: self.question.title.clone(),
            kind: self.question.settings.type_name(),
            answered_records: self.answered,
            metrics,
            pairs,
            annotators,
            agents,
            disagreement,
        }
    }
}
