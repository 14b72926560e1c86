//! Answers as comparable values, and the distances between them.
//!
//! Every answer becomes a [`Val`] that compares by what it means (a ranking by its options'
//! ranks, a text by its trimmed content), and every kind has a *normalised* distance in [0, 1]
//! (0 = the same answer), used for the per-record disagreement and agreement with a consensus:
//! - label: 0 when equal, else 1;
//! - rating: |a − b| / (highest option − lowest option);
//! - multi-label: the Jaccard distance 1 − |A ∩ B| / |A ∪ B| (two empty sets: 0);
//! - ranking: the Spearman footrule over the options' fractional ranks (ties share the mean of
//!   the positions they span; an option the answer leaves out is tied last), divided by its
//!   maximum ⌊K² / 2⌋ for K options;
//! - span: 1 − the span F1 of the two answers (exact `(start, end, label)` matches; two empty
//!   answers: 0);
//! - text: 0 when equal after trimming whitespace, else 1.

use crate::answer::Answer;
use crate::model::Question;
use crate::settings::QuestionSettings;

/// What a question's answers are compared as.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    Text,
    Label {
        options: Vec<String>,
    },
    /// `values` ascending: an answer is the index of its value.
    Rating {
        values: Vec<i64>,
    },
    Labels {
        options: Vec<String>,
    },
    Ranking {
        options: Vec<String>,
    },
    Span {
        field: String,
        options: Vec<String>,
    },
}

/// One answer as a comparable value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Val {
    Text(String),
    /// A label's option index, or a rating's index among the ascending option values.
    Index(usize),
    /// A multi-label answer (or the labels covering one character): sorted option indices.
    Set(Vec<usize>),
    /// A ranking: twice each option's fractional rank, in the options' order.
    Ranks(Vec<i64>),
    /// Spans as `(start, end, label index)`, sorted.
    Spans(Vec<(i64, i64, usize)>),
}

fn option_values(settings: &QuestionSettings) -> Vec<String> {
    settings.option_values().into_iter().map(str::to_owned).collect()
}

fn index_of(options: &[String], value: &str) -> Option<usize> {
    options.iter().position(|it| it == value)
}

impl Kind {
    pub(super) fn of(question: &Question) -> Kind {
        match &question.settings {
            QuestionSettings::Text { .. } => Kind::Text,
            QuestionSettings::Rating { options } => {
                let mut values = options.clone();
                values.sort_unstable();
                values.dedup();
                Kind::Rating { values }
            }
            settings @ QuestionSettings::LabelSelection { .. } => Kind::Label { options: option_values(settings) },
            settings @ QuestionSettings::MultiLabelSelection { .. } => {
                Kind::Labels { options: option_values(settings) }
            }
            settings @ QuestionSettings::Ranking { .. } => Kind::Ranking { options: option_values(settings) },
            settings @ QuestionSettings::Span { field, .. } => {
                Kind::Span { field: field.clone(), options: option_values(settings) }
            }
        }
    }

    /// The number of categories of a label or rating question (`None` for other kinds).
    pub(super) fn categories(&self) -> Option<usize> {
        match self {
            Kind::Label { options } => Some(options.len()),
            Kind::Rating { values } => Some(values.len()),
            _ => None,
        }
    }

    /// `answer` as a value of this kind; `None` when it is of another kind or names no option.
    pub(super) fn value(&self, answer: &Answer) -> Option<Val> {
        match (self, answer) {
            (Kind::Text, Answer::Text(text)) => Some(Val::Text(text.trim().to_owned())),
            (Kind::Label { options }, Answer::Label(label)) => index_of(options, label).map(Val::Index),
            (Kind::Rating { values }, Answer::Rating(rating)) => values.binary_search(rating).ok().map(Val::Index),
            (Kind::Labels { options }, Answer::Labels(labels)) => {
                let mut set = labels.iter().map(|it| index_of(options, it)).collect::<Option<Vec<_>>>()?;
                set.sort_unstable();
                set.dedup();
                Some(Val::Set(set))
            }
            (Kind::Ranking { options }, Answer::Ranking(ranked)) => {
                let given: Vec<i64> = options
                    .iter()
                    .map(|option| ranked.iter().find(|it| it.value == *option).map_or(i64::MAX, |it| it.rank))
                    .collect();
                Some(Val::Ranks(doubled_fractional_ranks(&given)))
            }
            (Kind::Span { options, .. }, Answer::Spans(spans)) => {
                let mut out = spans
                    .iter()
                    .map(|it| index_of(options, &it.label).map(|label| (it.start, it.end, label)))
                    .collect::<Option<Vec<_>>>()?;
                out.sort_unstable();
                out.dedup();
                Some(Val::Spans(out))
            }
            _ => None,
        }
    }

    /// The normalised distance of two values of this kind, in [0, 1] (see the module doc).
    pub(super) fn distance(&self, a: &Val, b: &Val) -> f64 {
        match (self, a, b) {
            (Kind::Rating { values }, Val::Index(x), Val::Index(y)) => {
                let (Some(lo), Some(hi)) = (values.first(), values.last()) else { return 0.0 };
                let range = (hi - lo) as f64;
                let (Some(x), Some(y)) = (values.get(*x), values.get(*y)) else { return 1.0 };
                if range == 0.0 {
                    0.0
                } else {
                    (x - y).abs() as f64 / range
                }
            }
            (_, Val::Set(x), Val::Set(y)) => jaccard_distance(x, y),
            (Kind::Ranking { options }, Val::Ranks(x), Val::Ranks(y)) => footrule_distance(x, y, options.len()),
            (_, Val::Spans(x), Val::Spans(y)) => span_f1(x, y).map_or(0.0, |f1| 1.0 - f1),
            _ => f64::from(u8::from(a != b)),
        }
    }
}

/// Twice the fractional rank of each item given its rank (smaller is better; equal ranks are
/// tied): an item after `s` better ones in a tie of `t` has fractional rank `s + (t + 1) / 2`.
pub(super) fn doubled_fractional_ranks(given: &[i64]) -> Vec<i64> {
    given
        .iter()
        .map(|rank| {
            let before = given.iter().filter(|it| *it < rank).count() as i64;
            let tied = given.iter().filter(|it| *it == rank).count() as i64;
            2 * before + tied + 1
        })
        .collect()
}

/// The Spearman footrule of two doubled fractional-rank vectors over `k` options, divided by its
/// maximum ⌊k² / 2⌋ (0 when `k` < 2).
pub(super) fn footrule_distance(a: &[i64], b: &[i64], k: usize) -> f64 {
    let max = (k * k / 2) as f64;
    if max == 0.0 {
        return 0.0;
    }
    let doubled: i64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    (doubled as f64 / 2.0 / max).min(1.0)
}

fn overlap(a: &[usize], b: &[usize]) -> (usize, usize) {
    let common = a.iter().filter(|it| b.contains(it)).count();
    (common, a.len() + b.len() - common)
}

/// 1 − |A ∩ B| / |A ∪ B| over sorted, repeat-free sets; 0 for two empty sets.
pub(super) fn jaccard_distance(a: &[usize], b: &[usize]) -> f64 {
    let (common, union) = overlap(a, b);
    if union == 0 {
        0.0
    } else {
        1.0 - common as f64 / union as f64
    }
}

/// MASI (Passonneau 2006) as nltk's `masi_distance` computes it: 1 − J · M, with J the Jaccard
/// similarity and M = 1 for equal sets, 0.67 when one holds the other, 0.33 when they only
/// overlap, 0 when disjoint; 0 for two empty sets.
pub(super) fn masi_distance(a: &[usize], b: &[usize]) -> f64 {
    let (common, union) = overlap(a, b);
    if union == 0 {
        return 0.0;
    }
    let m = if a.len() == b.len() && common == a.len() {
        1.0
    } else if common == a.len().min(b.len()) {
        0.67
    } else if common > 0 {
        0.33
    } else {
        0.0
    };
    1.0 - common as f64 / union as f64 * m
}

/// The F1 of two span answers with exact `(start, end, label)` matches: 2 |A ∩ B| / (|A| + |B|);
/// `None` when both are empty (nothing to match).
pub(super) fn span_f1(a: &[(i64, i64, usize)], b: &[(i64, i64, usize)]) -> Option<f64> {
    let total = a.len() + b.len();
    if total == 0 {
        return None;
    }
    let common = a.iter().filter(|it| b.contains(it)).count();
    Some(2.0 * common as f64 / total as f64)
}
