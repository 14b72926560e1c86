//! Consolidation ("unify responses"): a [`Strategy`] per question turns the submitted answers of
//! one record into one [`Final`]. Strategies are parsed from JSON (`parse.rs`, which also renders
//! them back and holds the defaults) and applied by [`consolidate`] (`rules.rs`).
//!
//! The rules, as stated to users:
//! - **label** `majority`: the option most answers chose. A tie is broken by `tie_break`:
//!   `lowest` / `highest` pick the tied option that comes first / last in the question's options
//!   (settings order); `random` picks one of the tied options (in settings order) by a hash of
//!   `(seed, record id)`, so the same seed and record always give the same pick; `unresolved`
//!   leaves the record unresolved. Default: `{"kind": "majority", "tie_break": "unresolved"}`.
//! - **multi_label_selection** `label_majority`: a label is kept when the share of the submitted
//!   answers to the question that chose it is strictly greater than `threshold` (`0 <= threshold
//!   < 1`); with 0.5, more than half. The result may be the empty set. Default: threshold 0.5.
//! - **rating** `majority` (ties as for labels, `lowest` / `highest` by value), `mean`, `median`
//!   (the mean of the two middle values for an even count), `min`, `max`. Mean and median take
//!   `rounding`: `none` gives an unrounded [`Final::Score`]; `half_up` (x.5 goes up), `half_even`
//!   (x.5 goes to the even neighbour), `floor`, `ceil` round to an integer, and a rounded value
//!   that is no option goes to the nearest option; `nearest_option` goes to the nearest option
//!   directly. Between two options equally near, the higher one is taken. Default:
//!   `{"kind": "mean", "rounding": "none"}`.
//! - **ranking** `mean_rank` (each option's mean rank over the answers that ranked it; lower is
//!   better) or `borda` (each answer gives an option one point per option it ranked strictly worse;
//!   more is better). Options no answer ranked are left out. Options with exactly equal scores
//!   share a rank; ranks are dense (1, 1, 2), like the ranks annotators give; within a rank, options
//!   follow the settings order. Default: `mean_rank`.
//! - **text** `by_rating` (the text of the annotator whose answer to the rating question
//!   `question` is the highest / lowest; among equals, `first` takes the earliest response,
//!   `unresolved` leaves the record unresolved), `by_annotator` (the first annotator in `order` who
//!   answered), `by_weight` (the answer of the annotator with the highest weight, unlisted
//!   annotators weigh 0; among equal weights the earliest response), `all` (every annotator's text:
//!   [`Final::Each`]). Default: `all`.
//! - **span** `majority`: the spans `(start, end, label)` that strictly more than half of the
//!   submitted answers to the question contain. Default and only kind.
//!
//! Only submitted answers count (`AnnotatedRecord::ballots`); a question no ballot answers is
//! `Unresolved("no submitted answer")`.

mod parse;
mod rules;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::answer::{Ballot, Final};
use crate::model::Question;
use crate::RecordId;

pub use parse::MAX_SEED;
pub(crate) use rules::seeded;

/// How a tie between equally frequent options or values is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TieBreak {
    Lowest,
    Highest,
    /// One of the tied values by a hash of `(seed, record id)`.
    Random {
        seed: u64,
    },
    Unresolved,
}

/// What a rating question's answers are reduced to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingKind {
    Majority,
    Mean,
    Median,
    Min,
    Max,
}

/// How a mean or median becomes a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    None,
    HalfUp,
    HalfEven,
    Floor,
    Ceil,
    NearestOption,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankKind {
    MeanRank,
    Borda,
}

/// Which end of the companion rating a text is chosen by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Highest,
    Lowest,
}

/// What happens when several texts have the best companion rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextTie {
    First,
    Unresolved,
}

/// One question's consolidation strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum Strategy {
    /// label_selection: `majority`.
    LabelMajority { tie_break: TieBreak },
    /// multi_label_selection: `label_majority`.
    LabelShare { threshold: f64 },
    /// rating: `tie_break` is used by `majority` only, `rounding` by `mean` and `median` only.
    Rating { kind: RatingKind, rounding: Rounding, tie_break: TieBreak },
    /// ranking: `mean_rank` or `borda`.
    Ranking { kind: RankKind },
    /// text: `by_rating`.
    TextByRating { question: String, pick: Pick, tie_break: TextTie },
    /// text: `by_annotator`.
    TextByAnnotator { order: Vec<String> },
    /// text: `by_weight`.
    TextByWeight { weights: BTreeMap<String, f64> },
    /// text: `all`.
    TextAll,
    /// span: `majority`.
    SpanMajority,
}

/// The final answer of `question` for one record (`record`, which seeds a random tie break) from
/// the submitted `ballots`. A strategy that does not fit the question's type (never the case for
/// one that [`Strategy::parse`] accepted for it) gives `Unresolved`.
pub fn consolidate(question: &Question, strategy: &Strategy, ballots: &[Ballot], record: RecordId) -> Final {
    rules::apply(question, strategy, ballots, record)
}
