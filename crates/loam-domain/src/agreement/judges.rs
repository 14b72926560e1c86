//! The judge audit (issue 22): for every suggestion agent (a model, an LLM judge) on a question
//! people also answer, how often it agrees with the people's consolidated answer; for pairwise
//! questions also how often a judge picks the side shown first, and how often its pick changes
//! when the order is flipped (position bias); and how often the annotators pick the side shown
//! first. Folded record by record, so memory holds one sum per agent, not the records.
//!
//! - Agreement of one record: exact match for label, rating (against a rating's unrounded score
//!   too, with the mean absolute difference beside it), ranking (the same rank for every option),
//!   text (after trimming) and spans; the Jaccard index for multi-label. Records whose final is
//!   unresolved or kept per annotator count for nothing. On a pairwise question an agent's answer
//!   for a record is its verdict with the pair shown `ab` (an ordinary suggestion counts as one),
//!   else its `ba` verdict.
//! - `first_shown`: over an agent's A / B verdicts (ties and "both bad" left out), the share that
//!   picked the side shown first. `flips`: over the records the agent judged in both orders, the
//!   share whose two canonical verdicts differ.
//! - Proportions carry a 95 % Wilson score interval ([`wilson`]); a mean Jaccard a normal
//!   approximation interval, clamped to [0, 1]. With n = 0 the value is `None` with a reason.

use std::collections::BTreeMap;

use crate::answer::{Answer, Final};
use crate::pairwise::{Outcome, Shown};

/// The 0.975 quantile of the standard normal distribution (a two-sided 95 % interval).
const Z: f64 = 1.959_963_984_540_054;

/// A share (or a mean in [0, 1]) with its 95 % interval over `n` observations.
#[derive(Clone, Debug, PartialEq)]
pub struct Proportion {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub reason: Option<String>,
}

impl Proportion {
    fn undefined(reason: &str) -> Self {
        Proportion { value: None, low: None, high: None, n: 0, reason: Some(reason.to_owned()) }
    }
}

/// `successes` of `n` with the Wilson score interval (as statsmodels' `proportion_confint(…,
/// method="wilson")`); `reason` when n = 0.
pub fn wilson(successes: f64, n: u64, reason: &str) -> Proportion {
    if n == 0 {
        return Proportion::undefined(reason);
    }
    let nf = n as f64;
    let p = successes / nf;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = Z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Proportion {
        value: Some(p),
        low: Some((center - half).max(0.0)),
        high: Some((center + half).min(1.0)),
        n,
        reason: None,
    }
}

/// The mean of `n` values in [0, 1] (their `sum` and `sum_sq`) with a normal approximation
/// interval (sample standard deviation; a lone value has a zero-width one), clamped to [0, 1].
pub fn mean_interval(sum: f64, sum_sq: f64, n: u64, reason: &str) -> Proportion {
    if n == 0 {
        return Proportion::undefined(reason);
    }
    let nf = n as f64;
    let mean = sum / nf;
    let var = if n > 1 { ((sum_sq - nf * mean * mean) / (nf - 1.0)).max(0.0) } else { 0.0 };
    let half = Z * (var / nf).sqrt();
    Proportion {
        value: Some(mean),
        low: Some((mean - half).max(0.0)),
        high: Some((mean + half).min(1.0)),
        n,
        reason: None,
    }
}

/// How an agent's answer scores against a final: a score in [0, 1] and, for ratings, the absolute
/// difference. `None` when the final has no single answer or the kinds differ.
pub fn match_score(final_answer: &Final, answer: &Answer) -> Option<(f64, Option<f64>)> {
    let exact = |same: bool| if same { 1.0 } else { 0.0 };
    match (final_answer, answer) {
        (Final::Score(score), Answer::Rating(it)) => {
            let diff = (score - *it as f64).abs();
            Some((exact(diff < 1e-9), Some(diff)))
        }
        (Final::One(Answer::Rating(a)), Answer::Rating(b)) => Some((exact(a == b), Some((a - b).abs() as f64))),
        (Final::One(Answer::Label(a)), Answer::Label(b)) => Some((exact(a == b), None)),
        (Final::One(Answer::Text(a)), Answer::Text(b)) => Some((exact(a.trim() == b.trim()), None)),
        (Final::One(Answer::Labels(a)), Answer::Labels(b)) => {
            let union = a.iter().chain(b.iter()).collect::<std::collections::BTreeSet<_>>().len();
            let common = a.iter().filter(|it| b.contains(it)).count();
            Some((if union == 0 { 1.0 } else { common as f64 / union as f64 }, None))
        }
        (Final::One(Answer::Ranking(a)), Answer::Ranking(b)) => {
            let ranks = |it: &[crate::answer::RankedOption]| {
                it.iter().map(|o| (o.value.clone(), o.rank)).collect::<BTreeMap<_, _>>()
            };
            Some((exact(ranks(a) == ranks(b)), None))
        }
        (Final::One(Answer::Spans(a)), Answer::Spans(b)) => Some((exact(a == b), None)),
        _ => None,
    }
}

/// One agent's verdict on a record's pair, canonical, with the order it was shown in.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub agent: String,
    pub shown: Shown,
    pub outcome: Outcome,
    /// The verdict as its question's label value (what agreement compares).
    pub label: String,
}

/// One record's view of one question, as the audit reads it.
#[derive(Clone, Debug, Default)]
pub struct RecordView<'a> {
    /// The people's consolidated answer (`None`: no submitted answer).
    pub final_answer: Option<&'a Final>,
    /// Ordinary agents' answers (non-pairwise questions).
    pub suggestions: Vec<(String, Answer)>,
    /// Pairwise verdicts (explicit judgements, and suggestions taken as shown `ab`), one per
    /// (agent, order).
    pub verdicts: Vec<Verdict>,
    /// The annotators' submitted A / B / tie / both-bad answers with the order they saw.
    pub annotators: Vec<(Shown, Outcome)>,
}

#[derive(Clone, Debug, Default)]
struct AgentSums {
    records: u64,
    scored: u64,
    score: f64,
    score_sq: f64,
    abs_diff: f64,
    diffs: u64,
    first: u64,
    sided: u64,
    both_orders: u64,
    flipped: u64,
}

/// The audit of one question, folded record by record.
#[derive(Clone, Debug)]
pub struct QuestionAudit {
    pub question: String,
    pub kind: &'static str,
    pub pairwise: bool,
    multi_label: bool,
    human_records: u64,
    agents: BTreeMap<String, AgentSums>,
    annotators_first: u64,
    annotators_sided: u64,
}

/// One agent's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentAudit {
    pub agent: String,
    /// Records the agent answered (suggested or judged).
    pub records: u64,
    pub agreement: Proportion,
    /// Ratings only: the mean absolute difference from the final.
    pub mean_abs_diff: Option<f64>,
    pub first_shown: Option<Proportion>,
    pub flips: Option<Proportion>,
}

/// One question's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionJudges {
    pub question: String,
    pub kind: &'static str,
    pub pairwise: bool,
    pub agents: Vec<AgentAudit>,
    pub annotators_first_shown: Option<Proportion>,
}

const NO_FINAL: &str = "no record with both an answer of this agent and a consolidated human answer";

impl QuestionAudit {
    pub fn new(question: &str, kind: &'static str, pairwise: bool) -> Self {
        QuestionAudit {
            question: question.to_owned(),
            kind,
            pairwise,
            multi_label: kind == "multi_label_selection",
            human_records: 0,
            agents: BTreeMap::new(),
            annotators_first: 0,
            annotators_sided: 0,
        }
    }

    fn score(sums: &mut AgentSums, final_answer: Option<&Final>, answer: &Answer) {
        if let Some((score, diff)) = final_answer.and_then(|f| match_score(f, answer)) {
            sums.scored += 1;
            sums.score += score;
            sums.score_sq += score * score;
            if let Some(diff) = diff {
                sums.abs_diff += diff;
                sums.diffs += 1;
            }
        }
    }

    /// Folds one record in.
    pub fn add(&mut self, view: &RecordView<'_>) {
        let final_answer = view.final_answer.filter(|it| !matches!(it, Final::Unresolved(_)));
        if view.final_answer.is_some() {
            self.human_records += 1;
        }
        for (agent, answer) in &view.suggestions {
            let sums = self.agents.entry(agent.clone()).or_default();
            sums.records += 1;
            Self::score(sums, final_answer, answer);
        }
        for shown in [Shown::Ab, Shown::Ba] {
            for verdict in view.verdicts.iter().filter(|it| it.shown == shown) {
                if let Some(first) = shown.picked_first(verdict.outcome) {
                    let sums = self.agents.entry(verdict.agent.clone()).or_default();
                    sums.sided += 1;
                    sums.first += u64::from(first);
                }
            }
        }
        let mut by_agent: BTreeMap<&str, (Option<&Verdict>, Option<&Verdict>)> = BTreeMap::new();
        for verdict in &view.verdicts {
            let slot = by_agent.entry(verdict.agent.as_str()).or_default();
            match verdict.shown {
                Shown::Ab => slot.0 = Some(verdict),
                Shown::Ba => slot.1 = Some(verdict),
            }
        }
        for (agent, (ab, ba)) in by_agent {
            let sums = self.agents.entry(agent.to_owned()).or_default();
            sums.records += 1;
            if let Some(judged) = ab.or(ba) {
                Self::score(sums, final_answer, &Answer::Label(judged.label.clone()));
            }
            if let (Some(ab), Some(ba)) = (ab, ba) {
                sums.both_orders += 1;
                sums.flipped += u64::from(ab.outcome != ba.outcome);
            }
        }
        for (shown, outcome) in &view.annotators {
            if let Some(first) = shown.picked_first(*outcome) {
                self.annotators_sided += 1;
                self.annotators_first += u64::from(first);
            }
        }
    }

    /// Whether the question belongs in the report: it has agents and human answers.
    pub fn reported(&self) -> bool {
        !self.agents.is_empty() && self.human_records > 0
    }

    pub fn finish(self) -> QuestionJudges {
        let pairwise = self.pairwise;
        let multi_label = self.multi_label;
        let agents = self
            .agents
            .into_iter()
            .map(|(agent, s)| AgentAudit {
                agent,
                records: s.records,
                agreement: if multi_label {
                    mean_interval(s.score, s.score_sq, s.scored, NO_FINAL)
                } else {
                    wilson(s.score, s.scored, NO_FINAL)
                },
                mean_abs_diff: (s.diffs > 0).then(|| s.abs_diff / s.diffs as f64),
                first_shown: pairwise
                    .then(|| wilson(s.first as f64, s.sided, "no A or B verdict (ties and both-bad are left out)")),
                flips: pairwise.then(|| wilson(s.flipped as f64, s.both_orders, "no record judged in both orders")),
            })
            .collect();
        QuestionJudges {
            question: self.question,
            kind: self.kind,
            pairwise,
            agents,
            annotators_first_shown: pairwise.then(|| {
                wilson(
                    self.annotators_first as f64,
                    self.annotators_sided,
                    "no submitted A or B answer with its shown order recorded",
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < 1e-5, "{a} != {b}");
    }

    #[test]
    fn wilson_intervals_match_the_reference_values() {
        // statsmodels.stats.proportion.proportion_confint(k, n, method="wilson")
        let it = wilson(81.0, 100, "");
        close(it.value, 0.81);
        close(it.low, 0.722_21);
        close(it.high, 0.874_85);
        let it = wilson(0.0, 10, "");
        close(it.low, 0.0);
        close(it.high, 0.277_53);
        let it = wilson(10.0, 10, "");
        close(it.low, 0.722_47);
        close(it.high, 1.0);
        let it = wilson(7.0, 10, "");
        close(it.low, 0.396_78);
        close(it.high, 0.892_21);
        let none = wilson(0.0, 0, "why");
        assert_eq!((none.value, none.reason.as_deref(), none.n), (None, Some("why"), 0));
    }

    #[test]
    fn a_mean_has_a_normal_interval() {
        // Values 0.4, 0.5, 0.6: mean 0.5, sample sd 0.1, half-width 1.96 × 0.1 / √3.
        let it = mean_interval(1.5, 0.77, 3, "");
        close(it.value, 0.5);
        close(it.low, 0.5 - Z * 0.1 / 3f64.sqrt());
        close(it.high, 0.5 + Z * 0.1 / 3f64.sqrt());
        // Values 0, 0.5, 1: the interval (half-width 0.566) is clamped to [0, 1].
        let it = mean_interval(1.5, 1.25, 3, "");
        close(it.low, 0.0);
        close(it.high, 1.0);
    }

    #[test]
    fn answers_score_by_kind() {
        let label = |it: &str| Answer::Label(it.into());
        assert_eq!(match_score(&Final::One(label("a")), &label("a")), Some((1.0, None)));
        assert_eq!(match_score(&Final::One(label("a")), &label("b")), Some((0.0, None)));
        assert_eq!(match_score(&Final::Score(2.5), &Answer::Rating(2)), Some((0.0, Some(0.5))));
        assert_eq!(match_score(&Final::One(Answer::Rating(3)), &Answer::Rating(1)), Some((0.0, Some(2.0))));
        let labels = |it: &[&str]| Answer::Labels(it.iter().map(|s| s.to_string()).collect());
        assert_eq!(match_score(&Final::One(labels(&["a", "b"])), &labels(&["b", "c"])), Some((1.0 / 3.0, None)));
        assert_eq!(match_score(&Final::One(Answer::Text("x ".into())), &Answer::Text("x".into())), Some((1.0, None)));
        assert_eq!(match_score(&Final::Unresolved("tie".into()), &label("a")), None);
    }

    fn verdict(agent: &str, shown: Shown, outcome: Outcome) -> Verdict {
        let label = match outcome {
            Outcome::A => "A",
            Outcome::B => "B",
            Outcome::Tie => "tie",
            Outcome::BothBad => "both_bad",
        };
        Verdict { agent: agent.into(), shown, outcome, label: label.into() }
    }

    #[test]
    fn a_judge_that_always_picks_the_first_side_flips_on_every_record() {
        let mut audit = QuestionAudit::new("pref", "label_selection", true);
        let human = Final::One(Answer::Label("A".into()));
        // Record 1: the judge says A shown ab and B shown ba (picks the first side both times);
        // record 2: A in both orders (consistent); record 3: tie shown ab only.
        let views = [
            vec![verdict("j", Shown::Ab, Outcome::A), verdict("j", Shown::Ba, Outcome::B)],
            vec![verdict("j", Shown::Ab, Outcome::A), verdict("j", Shown::Ba, Outcome::A)],
            vec![verdict("j", Shown::Ab, Outcome::Tie)],
        ];
        for verdicts in views {
            audit.add(&RecordView {
                final_answer: Some(&human),
                suggestions: vec![],
                verdicts,
                annotators: vec![(Shown::Ab, Outcome::A), (Shown::Ba, Outcome::A), (Shown::Ba, Outcome::Tie)],
            });
        }
        assert!(audit.reported());
        let out = audit.finish();
        let judge = &out.agents[0];
        assert_eq!(judge.records, 3);
        // Agreement uses the ab verdicts: A, A, tie against A.
        assert_eq!((judge.agreement.value, judge.agreement.n), (Some(2.0 / 3.0), 3));
        // A/B verdicts: ab A (first), ba B (first), ab A (first), ba A (second): 3 of 4.
        let first = judge.first_shown.as_ref().unwrap();
        assert_eq!((first.value, first.n), (Some(0.75), 4));
        let flips = judge.flips.as_ref().unwrap();
        assert_eq!((flips.value, flips.n), (Some(0.5), 2));
        // Annotators: ab A first, ba A second (per record, 3 records): 3 of 6.
        let people = out.annotators_first_shown.unwrap();
        assert_eq!((people.value, people.n), (Some(0.5), 6));
    }

    #[test]
    fn ordinary_suggestions_score_against_the_final_and_questions_without_people_are_left_out() {
        let mut audit = QuestionAudit::new("quality", "rating", false);
        audit.add(&RecordView {
            final_answer: None,
            suggestions: vec![("m".into(), Answer::Rating(2))],
            ..Default::default()
        });
        assert!(!audit.reported(), "no human answer yet");
        let score = Final::Score(2.0);
        audit.add(&RecordView {
            final_answer: Some(&score),
            suggestions: vec![("m".into(), Answer::Rating(3))],
            ..Default::default()
        });
        assert!(audit.reported());
        let out = audit.finish();
        assert_eq!(out.agents[0].records, 2);
        assert_eq!((out.agents[0].agreement.value, out.agents[0].agreement.n), (Some(0.0), 1));
        assert_eq!(out.agents[0].mean_abs_diff, Some(1.0));
        assert_eq!(out.agents[0].first_shown, None);
        assert_eq!(out.annotators_first_shown, None);
    }
}
