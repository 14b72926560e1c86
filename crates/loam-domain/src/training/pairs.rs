//! Chosen and rejected responses from one record's consolidated comparison: a ranking, ratings
//! tied to response fields, a label that names the chosen response, or a pairwise outcome.

use std::collections::BTreeMap;

use serde_json::Value;

use super::mapping::{Comparison, PairRule};
use super::Skip;
use crate::answer::{Answer, Final};

/// One pair of response fields, with the ratings behind it (if any) and the margin between them.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pair {
    pub chosen: String,
    pub rejected: String,
    pub chosen_score: Option<f64>,
    pub rejected_score: Option<f64>,
    pub margin: Option<f64>,
}

/// A response with its standing: higher `key` is better; `score` is the rating shown, if any.
struct Standing {
    field: String,
    key: f64,
    score: Option<f64>,
}

/// The final of a question the comparison needs, or why the record gives no row.
pub(super) fn one_final<'a>(finals: &'a BTreeMap<String, Final>, question: &str) -> Result<&'a Final, Skip> {
    match finals.get(question) {
        None => Err(Skip(format!("question '{question}' has no consolidated answer"))),
        Some(Final::Unresolved(reason)) => Err(Skip(format!("question '{question}' is unresolved: {reason}"))),
        Some(Final::Each(_)) => Err(each(question)),
        Some(it) => Ok(it),
    }
}

fn each(question: &str) -> Skip {
    Skip(format!("question '{question}' keeps each annotator's answer; this shape needs one consolidated answer"))
}

fn unexpected(question: &str) -> Skip {
    Skip(format!("question '{question}' has a consolidated answer of another kind"))
}

/// Whether a record holds a value for the field (responses left empty are not compared).
fn present(fields: &serde_json::Map<String, Value>, field: &str) -> bool {
    fields.get(field).is_some_and(|it| !it.is_null())
}

pub(super) fn pairs(
    comparison: &Comparison,
    rule: PairRule,
    fields: &serde_json::Map<String, Value>,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Pair>, Skip> {
    let standings = match comparison {
        Comparison::Choice { question, options } => return choice(question, options, fields, finals),
        Comparison::Pairwise(rule) => {
            let (chosen, rejected, margin) = super::preference::pairwise_pair(rule, finals)?;
            return Ok(vec![Pair { chosen, rejected, chosen_score: None, rejected_score: None, margin }]);
        }
        // Edits compare texts, not fields: `build.rs` makes their pairs.
        Comparison::Edits(rule) => return Err(Skip(format!("question '{}' is compared by its edits", rule.question))),
        Comparison::Ranking { question, options } => {
            let Final::One(Answer::Ranking(ranked)) = one_final(finals, question)? else {
                return Err(unexpected(question));
            };
            let mut res = Vec::new();
            for item in ranked {
                if let Some(field) = options.get(&item.value).filter(|it| present(fields, it)) {
                    #[allow(clippy::cast_precision_loss)]
                    res.push(Standing { field: field.clone(), key: -(item.rank as f64), score: None });
                }
            }
            res
        }
        Comparison::Ratings { questions } => {
            let mut res = Vec::new();
            for (question, field) in questions {
                if !present(fields, field) {
                    continue;
                }
                #[allow(clippy::cast_precision_loss)]
                let score = match finals.get(question) {
                    Some(Final::One(Answer::Rating(it))) => *it as f64,
                    Some(Final::Score(it)) => *it,
                    Some(Final::Each(_)) => return Err(each(question)),
                    Some(Final::One(_)) => return Err(unexpected(question)),
                    // A response nobody rated is left out of the comparison.
                    None | Some(Final::Unresolved(_)) => continue,
                };
                res.push(Standing { field: field.clone(), key: score, score: Some(score) });
            }
            res
        }
    };
    ordered_pairs(standings, rule)
}

fn ordered_pairs(mut standings: Vec<Standing>, rule: PairRule) -> Result<Vec<Pair>, Skip> {
    if standings.len() < 2 {
        return Err(Skip("fewer than two responses to compare".into()));
    }
    // Best first; equal standings keep the mapping's order.
    standings.sort_by(|a, b| b.key.total_cmp(&a.key));
    let pair = |a: &Standing, b: &Standing| Pair {
        chosen: a.field.clone(),
        rejected: b.field.clone(),
        chosen_score: a.score,
        rejected_score: b.score,
        margin: Some(a.key - b.key),
    };
    let best = standings[0].key;
    let worst = standings[standings.len() - 1].key;
    if best == worst {
        return Err(Skip("every response is tied".into()));
    }
    match rule {
        PairRule::BestWorst => {
            let tied = |key: f64| -> Vec<&str> {
                standings.iter().filter(|it| it.key == key).map(|it| it.field.as_str()).collect()
            };
            for (what, key) in [("best", best), ("worst", worst)] {
                let fields = tied(key);
                if fields.len() > 1 {
                    return Err(Skip(format!("a tie for the {what} response: {}", fields.join(", "))));
                }
            }
            Ok(vec![pair(&standings[0], &standings[standings.len() - 1])])
        }
        PairRule::All => {
            let mut res = Vec::new();
            for (idx, a) in standings.iter().enumerate() {
                for b in &standings[idx + 1..] {
                    if a.key > b.key {
                        res.push(pair(a, b));
                    }
                }
            }
            Ok(res)
        }
    }
}

fn choice(
    question: &str,
    options: &BTreeMap<String, String>,
    fields: &serde_json::Map<String, Value>,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Pair>, Skip> {
    let Final::One(Answer::Label(label)) = one_final(finals, question)? else {
        return Err(unexpected(question));
    };
    let chosen = options
        .get(label)
        .ok_or_else(|| Skip(format!("question '{question}' chose '{label}', which names no response")))?;
    if !present(fields, chosen) {
        return Err(Skip(format!("the chosen response '{chosen}' is empty")));
    }
    let mut rejected: Vec<&String> = Vec::new();
    for it in options.values() {
        if it != chosen && present(fields, it) && !rejected.contains(&it) {
            rejected.push(it);
        }
    }
    if rejected.is_empty() {
        return Err(Skip("fewer than two responses to compare".into()));
    }
    Ok(rejected
        .into_iter()
        .map(|it| Pair {
            chosen: chosen.clone(),
            rejected: it.clone(),
            chosen_score: None,
            rejected_score: None,
            margin: None,
        })
        .collect())
}
