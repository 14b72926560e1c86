//! The strategies applied: one function per question kind, over the ballots' typed answers.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::{Pick, RankKind, RatingKind, Rounding, Strategy, TextTie, TieBreak};
use crate::answer::{Answer, Ballot, Final, RankedOption, SpanAnswer};
use crate::model::Question;
use crate::settings::QuestionSettings;
use crate::RecordId;

const NO_ANSWER: &str = "no submitted answer";

pub(super) fn apply(question: &Question, strategy: &Strategy, ballots: &[Ballot], record: RecordId) -> Final {
    let answers: Vec<(&str, &Answer)> = ballots
        .iter()
        .filter_map(|ballot| ballot.answers.get(&question.name).map(|it| (ballot.username.as_str(), it)))
        .collect();
    if answers.is_empty() {
        return Final::Unresolved(NO_ANSWER.into());
    }
    match (&question.settings, strategy) {
        (QuestionSettings::LabelSelection { options, .. }, Strategy::LabelMajority { tie_break }) => {
            let order: Vec<&str> = options.iter().map(|it| it.value.as_str()).collect();
            let votes = answers.iter().filter_map(|(_, it)| match it {
                Answer::Label(label) => order.iter().position(|option| option == label),
                _ => None,
            });
            match majority(votes, tie_break, record) {
                Ok(idx) => Final::One(Answer::Label(order[idx].to_owned())),
                Err(reason) => Final::Unresolved(tie_reason(reason, |idx| format!("'{}'", order[idx]))),
            }
        }
        (QuestionSettings::MultiLabelSelection { .. }, Strategy::LabelShare { threshold }) => {
            let sets: Vec<&Vec<String>> = answers
                .iter()
                .filter_map(|(_, it)| match it {
                    Answer::Labels(labels) => Some(labels),
                    _ => None,
                })
                .collect();
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for labels in &sets {
                for label in labels.iter() {
                    *counts.entry(label.as_str()).or_default() += 1;
                }
            }
            let n = sets.len() as f64;
            let kept = counts.into_iter().filter(|(_, count)| *count as f64 / n > *threshold);
            Final::One(Answer::Labels(kept.map(|(label, _)| label.to_owned()).collect()))
        }
        (QuestionSettings::Rating { options }, Strategy::Rating { kind, rounding, tie_break }) => {
            let values: Vec<i64> = answers
                .iter()
                .filter_map(|(_, it)| match it {
                    Answer::Rating(value) => Some(*value),
                    _ => None,
                })
                .collect();
            rating(options, &values, *kind, *rounding, tie_break, record)
        }
        (QuestionSettings::Ranking { options }, Strategy::Ranking { kind }) => {
            let order: Vec<&str> = options.iter().map(|it| it.value.as_str()).collect();
            let rankings: Vec<&Vec<RankedOption>> = answers
                .iter()
                .filter_map(|(_, it)| match it {
                    Answer::Ranking(ranked) => Some(ranked),
                    _ => None,
                })
                .collect();
            Final::One(Answer::Ranking(ranking(&order, &rankings, *kind)))
        }
        (QuestionSettings::Text { .. }, strategy) => text(&question.name, strategy, ballots, &answers),
        (QuestionSettings::Span { .. }, Strategy::SpanMajority) => {
            let mut counts: BTreeMap<&SpanAnswer, usize> = BTreeMap::new();
            let mut n = 0;
            for (_, answer) in &answers {
                if let Answer::Spans(spans) = answer {
                    n += 1;
                    let distinct: BTreeSet<&SpanAnswer> = spans.iter().collect();
                    for span in distinct {
                        *counts.entry(span).or_default() += 1;
                    }
                }
            }
            let kept = counts.into_iter().filter(|(_, count)| count * 2 > n).map(|(span, _)| span.clone());
            Final::One(Answer::Spans(kept.collect()))
        }
        _ => Final::Unresolved(format!("the strategy does not fit a {} question", question.settings.type_name())),
    }
}

/// Why a majority found no single winner: the tied candidates (by their sort key).
struct Tie<K>(Vec<K>);

fn tie_reason<K: Copy>(tie: Tie<K>, name: impl Fn(K) -> String) -> String {
    let names: Vec<String> = tie.0.into_iter().map(name).collect();
    format!("tie between {}", names.join(", "))
}

/// The most frequent of `votes`; a tie among several is broken by `tie_break` over the tied
/// values in ascending order (`Lowest` the first, `Highest` the last).
fn majority<K: Ord + Copy>(
    votes: impl Iterator<Item = K>,
    tie_break: &TieBreak,
    record: RecordId,
) -> Result<K, Tie<K>> {
    let mut counts: BTreeMap<K, usize> = BTreeMap::new();
    for vote in votes {
        *counts.entry(vote).or_default() += 1;
    }
    let best = counts.values().copied().max().unwrap_or(0);
    let tied: Vec<K> = counts.into_iter().filter(|(_, count)| *count == best).map(|(key, _)| key).collect();
    match (tied.as_slice(), tie_break) {
        ([one], _) => Ok(*one),
        ([], _) | (_, TieBreak::Unresolved) => Err(Tie(tied)),
        ([first, ..], TieBreak::Lowest) => Ok(*first),
        ([.., last], TieBreak::Highest) => Ok(*last),
        (_, TieBreak::Random { seed }) => Ok(tied[(seeded(*seed, record) % tied.len() as u64) as usize]),
    }
}

/// A hash of `(seed, record)`: SplitMix64's finaliser over the seed and the id's two halves, so
/// the same pair gives the same number on every machine and release.
pub(crate) fn seeded(seed: u64, record: RecordId) -> u64 {
    fn mix(z: u64) -> u64 {
        let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let (hi, lo) = record.0.as_u64_pair();
    mix(mix(mix(seed) ^ hi) ^ lo)
}

fn rating(
    options: &[i64],
    values: &[i64],
    kind: RatingKind,
    rounding: Rounding,
    tie_break: &TieBreak,
    record: RecordId,
) -> Final {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Final::Unresolved(NO_ANSWER.into());
    };
    let value = match kind {
        RatingKind::Min => return Final::One(Answer::Rating(min)),
        RatingKind::Max => return Final::One(Answer::Rating(max)),
        RatingKind::Majority => {
            return match majority(sorted.iter().copied(), tie_break, record) {
                Ok(value) => Final::One(Answer::Rating(value)),
                Err(tie) => Final::Unresolved(tie_reason(tie, |it| it.to_string())),
            }
        }
        RatingKind::Mean => sorted.iter().sum::<i64>() as f64 / sorted.len() as f64,
        RatingKind::Median => {
            let mid = sorted.len() / 2;
            if sorted.len() % 2 == 1 {
                sorted[mid] as f64
            } else {
                (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
            }
        }
    };
    let rounded = match rounding {
        Rounding::None => return Final::Score(value),
        Rounding::HalfUp => (value + 0.5).floor(),
        Rounding::HalfEven => value.round_ties_even(),
        Rounding::Floor => value.floor(),
        Rounding::Ceil => value.ceil(),
        Rounding::NearestOption => value,
    };
    match nearest_option(options, rounded) {
        Some(option) => Final::One(Answer::Rating(option)),
        None => Final::Unresolved("the question has no options".into()),
    }
}

/// The option nearest to `value`; between two equally near, the higher.
pub(super) fn nearest_option(options: &[i64], value: f64) -> Option<i64> {
    options.iter().copied().min_by(|a, b| {
        let (da, db) = ((*a as f64 - value).abs(), (*b as f64 - value).abs());
        da.partial_cmp(&db).unwrap_or(Ordering::Equal).then(b.cmp(a))
    })
}

/// The consolidated ranking of the options in `order` (settings order) that any answer ranked.
fn ranking(order: &[&str], rankings: &[&Vec<RankedOption>], kind: RankKind) -> Vec<RankedOption> {
    // Per option: (sum, count) of its ranks, or its Borda points (count 1).
    let mut scores: Vec<(usize, i64, i64)> = Vec::new();
    for (idx, option) in order.iter().enumerate() {
        let mut sum = 0;
        let mut count = 0;
        for ranked in rankings {
            let Some(mine) = ranked.iter().find(|it| it.value == *option) else {
                continue;
            };
            count += 1;
            sum += match kind {
                RankKind::MeanRank => mine.rank,
                RankKind::Borda => ranked.iter().filter(|it| it.rank > mine.rank).count() as i64,
            };
        }
        if count > 0 {
            scores.push((idx, sum, if kind == RankKind::Borda { 1 } else { count }));
        }
    }
    // Better first: a lower mean rank (compared exactly, as fractions) or more Borda points.
    let better = |a: &(usize, i64, i64), b: &(usize, i64, i64)| -> Ordering {
        let (left, right) = (a.1 as i128 * b.2 as i128, b.1 as i128 * a.2 as i128);
        match kind {
            RankKind::MeanRank => left.cmp(&right),
            RankKind::Borda => right.cmp(&left),
        }
    };
    scores.sort_by(|a, b| better(a, b).then(a.0.cmp(&b.0)));
    let mut out = Vec::with_capacity(scores.len());
    let mut rank = 0;
    for (i, score) in scores.iter().enumerate() {
        if i == 0 || better(&scores[i - 1], score) != Ordering::Equal {
            rank += 1;
        }
        out.push(RankedOption { value: order[score.0].to_owned(), rank });
    }
    out
}

fn text(name: &str, strategy: &Strategy, ballots: &[Ballot], answers: &[(&str, &Answer)]) -> Final {
    let texts: Vec<(&str, &String)> = answers
        .iter()
        .filter_map(|(user, it)| match it {
            Answer::Text(text) => Some((*user, text)),
            _ => None,
        })
        .collect();
    let one = |text: &String| Final::One(Answer::Text(text.clone()));
    match strategy {
        Strategy::TextAll => {
            Final::Each(texts.iter().map(|(user, text)| ((*user).to_owned(), Answer::Text((*text).clone()))).collect())
        }
        Strategy::TextByAnnotator { order } => {
            match order.iter().find_map(|wanted| texts.iter().find(|(user, _)| user == wanted)) {
                Some((_, text)) => one(text),
                None => Final::Unresolved("none of the listed annotators answered".into()),
            }
        }
        Strategy::TextByWeight { weights } => {
            let weight = |user: &str| weights.get(user).copied().unwrap_or(0.0);
            // The first of the heaviest: keep an earlier one unless a later one weighs more.
            let best = texts.iter().fold(None::<&(&str, &String)>, |best, it| match best {
                Some(b) if weight(b.0) >= weight(it.0) => Some(b),
                _ => Some(it),
            });
            best.map_or_else(|| Final::Unresolved(NO_ANSWER.into()), |(_, text)| one(text))
        }
        Strategy::TextByRating { question, pick, tie_break } => {
            let rated: Vec<(i64, &String)> = texts
                .iter()
                .filter_map(|(user, text)| {
                    let ballot = ballots.iter().find(|it| it.username == *user)?;
                    match ballot.answers.get(question) {
                        Some(Answer::Rating(value)) => Some((*value, *text)),
                        _ => None,
                    }
                })
                .collect();
            let best = match pick {
                Pick::Highest => rated.iter().map(|it| it.0).max(),
                Pick::Lowest => rated.iter().map(|it| it.0).min(),
            };
            let Some(best) = best else {
                return Final::Unresolved(format!("no annotator who answered '{name}' answered '{question}'"));
            };
            let top: Vec<&String> = rated.iter().filter(|it| it.0 == best).map(|it| it.1).collect();
            match (top.as_slice(), tie_break) {
                ([first, ..], TextTie::First) | ([first], TextTie::Unresolved) => one(first),
                _ => Final::Unresolved(format!(
                    "{} texts share the {} '{question}' rating, {best}",
                    top.len(),
                    match pick {
                        Pick::Highest => "highest",
                        Pick::Lowest => "lowest",
                    }
                )),
            }
        }
        _ => Final::Unresolved("the strategy does not fit a text question".into()),
    }
}
