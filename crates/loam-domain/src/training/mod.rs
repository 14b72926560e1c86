//! Training shapes: what a dataset's records and their consolidated answers become as rows of a
//! training table (`sft`, `preference`, `rm`, `dpo`, `kto`), in TRL's standard layout (strings) or
//! its conversational layout (lists of `{role, content}` messages). Pure: the export feeds it one
//! record at a time with the record's [`Final`]s, and writes the rows it gets back.
//!
//! # The mapping
//!
//! Which field is the prompt and which question decides is a [`Mapping`], read from JSON
//! ([`Mapping::parse`]; the CLI turns TOML into the same JSON) or inferred from the settings where
//! that is unambiguous ([`Mapping::infer`]); [`Mapping::to_json`] renders it back in full, so an
//! export can record it and the UI can show the default. Keys (anything else is rejected, so a
//! typo is not silently ignored):
//!
//! * `shape` (optional): must equal the shape asked for.
//! * `layout`: `"standard"` or `"conversational"`; default conversational when the prompt is a
//!   chat field, else standard.
//! * `prompt`: a text field (either layout) or a chat field (conversational only). A text prompt
//!   becomes one user turn; a chat field gives its messages.
//! * `system` (conversational only): a text field, put first as a system turn (none for a record
//!   whose system field is empty).
//! * `sft` and `kto`: `completion`: `{"question": <text question>, "field": <text field>}`, at
//!   least one of them; the question's consolidated text when it holds one (the guides'
//!   "corrected response"), else the field. A plain string names a field, or a text question when
//!   no field has that name. `sft` may leave it out when the prompt is a chat field: the chat is
//!   then the whole example.
//! * `sft`: `only_edited` (optional, default false): keep only completions whose consolidated text
//!   differs from its original (edits as signal): the completion's `field` when it has one, else
//!   the completion question's suggestion (the model's pre-filled answer); needs
//!   `completion.question`.
//! * `sft`: `filter` (optional quality filter), a *judge*: `{"question": <rating>, "min": 4}`
//!   keeps a record whose consolidated rating ([`Final::One`] rating or [`Final::Score`]) is at
//!   least `min`; `{"question": <label or multi-label>, "labels": ["good"]}` keeps a record whose
//!   final label is (or whose final labels include one) in the set.
//! * `kto`: `label`, a judge as above: `true` when it holds (desirable), else `false`. Or, instead
//!   of `completion` and `label`, `pairwise` (below): one row per response of the pair, chosen →
//!   `true`, rejected → `false`; a tie → both `true` (`ties: "both_chosen"`, the default, or
//!   `"skip"`); both bad → both `false` (`both_bad: "both_rejected"`, the default, or `"skip"`).
//! * `preference`, `rm`, `dpo`: exactly one way to compare responses (text fields):
//!   * `ranking`: `{"question": <ranking>, "options": {<option>: <field>, …}}`; `options` may be
//!     left out when the options' values are the fields' names. Rank 1 is best.
//!   * `ratings`: `{<rating question>: <field>, …}`, at least two (distilabel's
//!     `generations-{i}-rating` for `generations-{i}`); the higher rating is better.
//!   * `choice`: `{"question": <label>, "options": {<label>: <field>, …}}`: the label names the
//!     chosen response; every other mapped response is rejected (one row each). Labels that name
//!     no response (a "tie") give no row.
//!   * `pairwise`: `{"question": <pairwise question>, "ties": "skip", "both_bad": "skip",
//!     "min_strength": <level> | null}` (`loam_domain::pairwise`; the pairing names the fields `a`
//!     and `b` and the outcome labels): outcome A → chosen `a`, rejected `b`; B → the reverse; a
//!     tie or "both bad" gives no row. The margin (`rm`, `preference`) is the strength level's index
//!     + 1 (null when unanswered); `min_strength` skips records answered below that level.
//!   * `edits`: `{"question": <text question>, "original": {"suggestion": true} | {"field":
//!     <text field>}}`: a record whose consolidated text differs from its original gives chosen =
//!     the edit, rejected = the original, margin = the Levenshtein distance in characters; an
//!     unedited record gives none.
//!
//!   and `pairs` (ranking and ratings): `"best_worst"` (default: one row, the best against the worst; a record whose best
//!   or worst is shared gives none) or `"all"` (every pair of different standing, better first).
//!   Ties never make a pair. A response whose field is empty, or whose rating is unresolved, is
//!   left out of the comparison.
//! * `rm`: `margin` (default true unless the comparison is a `choice`, which has none).
//!
//! [`Mapping::infer_with`] takes the dataset's pairwise questions: a pairwise question is a
//! comparison of its own (its pairing's rating questions are not another one), so a dataset with
//! one pairwise question and no other comparison infers it; `kto` of a dataset with exactly one
//! pairwise question infers `pairwise`.
//!
//! # The rows
//!
//! [`columns`] gives the table's columns for a mapping (provenance columns are the export's):
//!
//! | shape | standard | conversational |
//! |---|---|---|
//! | `sft` | `prompt`, `completion` | `messages` (system, prompt turns, assistant completion) |
//! | `kto` | `prompt`, `completion`, `label` | `prompt` (messages), `completion` (one assistant turn), `label` |
//! | `dpo` | `prompt`, `chosen`, `rejected` | the same, as messages |
//! | `preference` | `prompt`, `chosen`, `rejected`, `chosen_score`, `rejected_score`, `margin` | the same, as messages |
//! | `rm` | `prompt`, `chosen`, `rejected`, `margin` | `chosen`, `rejected` (implicit prompt: prompt turns + the answer), `margin` |
//!
//! Scores are ratings (null for rankings and choices); `margin` is the better rating minus the
//! worse, or the worse rank minus the better. [`rows_or_skip`] gives a record's rows (0..n), or
//! why it gives none ([`Skip`]): a question the shape needs is unresolved or was never
//! consolidated, the quality filter said no, a field is empty, a tie. A [`Final::Each`] (a text
//! question's "all of them") gives one row per annotator, in the annotators' order;
//! [`rows_by_annotator`] says whose each is. [`Mapping::questions`] lists the questions whose
//! finals the rows read, so the caller consolidates only those.

mod build;
mod infer;
mod mapping;
mod pairs;
mod preference;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

pub use mapping::{Comparison, Completion, Judge, Mapping, PairRule, Target};
pub use preference::{levenshtein, Both, EditsRule, Original, PairwiseRule};

use crate::answer::{AnnotatedRecord, Final};
use crate::model::DatasetSchema;
use crate::table::{Column, ColumnType, Row};

/// A training table's shape ("records" is the export's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Sft,
    Preference,
    Rm,
    Dpo,
    Kto,
}

impl Shape {
    pub const ALL: [Shape; 5] = [Shape::Sft, Shape::Preference, Shape::Rm, Shape::Dpo, Shape::Kto];

    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Sft => "sft",
            Shape::Preference => "preference",
            Shape::Rm => "rm",
            Shape::Dpo => "dpo",
            Shape::Kto => "kto",
        }
    }

    pub fn parse(text: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|it| it.as_str() == text)
    }

    /// Whether rows compare two responses (prompt / chosen / rejected).
    pub fn compares(self) -> bool {
        matches!(self, Shape::Preference | Shape::Rm | Shape::Dpo)
    }
}

/// TRL's two dataset layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Plain strings.
    Standard,
    /// Lists of `{role, content}` messages.
    Conversational,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Standard => "standard",
            Layout::Conversational => "conversational",
        }
    }

    pub fn parse(text: &str) -> Option<Layout> {
        match text {
            "standard" => Some(Layout::Standard),
            "conversational" => Some(Layout::Conversational),
            _ => None,
        }
    }
}

/// Why a record gives no row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip(pub String);

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The columns of the rows that `mapping` makes, in order.
pub fn columns(mapping: &Mapping) -> Vec<Column> {
    let text = match mapping.layout {
        Layout::Standard => ColumnType::Str,
        Layout::Conversational => ColumnType::Messages,
    };
    let col = |name: &str, ty| Column::new(name, ty);
    match (mapping.shape, mapping.layout) {
        (Shape::Sft, Layout::Standard) => vec![col("prompt", text), col("completion", text)],
        (Shape::Sft, Layout::Conversational) => vec![col("messages", text)],
        (Shape::Kto, _) => vec![col("prompt", text), col("completion", text), col("label", ColumnType::Bool)],
        (Shape::Dpo, _) => vec![col("prompt", text), col("chosen", text), col("rejected", text)],
        (Shape::Preference, _) => vec![
            col("prompt", text),
            col("chosen", text),
            col("rejected", text),
            col("chosen_score", ColumnType::Float),
            col("rejected_score", ColumnType::Float),
            col("margin", ColumnType::Float),
        ],
        (Shape::Rm, layout) => {
            let mut res = Vec::new();
            if layout == Layout::Standard {
                res.push(col("prompt", text));
            }
            res.extend([col("chosen", text), col("rejected", text)]);
            if mapping.has_margin() {
                res.push(col("margin", ColumnType::Float));
            }
            res
        }
    }
}

/// A record's rows (0..n), or why it gives none. `finals` holds the record's consolidated answers
/// by question name; a question missing from it counts as never consolidated.
pub fn rows_or_skip(
    mapping: &Mapping,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<Row>, Skip> {
    Ok(build::rows(mapping, record, schema, finals)?.into_iter().map(|(_, row)| row).collect())
}

/// As [`rows_or_skip`], each row with the annotator whose answer it holds when it comes from a
/// [`Final::Each`] (one row per annotator), so the export's provenance can name that annotator
/// alone; `None` for rows made from consolidated answers.
pub fn rows_by_annotator(
    mapping: &Mapping,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
    finals: &BTreeMap<String, Final>,
) -> Result<Vec<(Option<String>, Row)>, Skip> {
    build::rows(mapping, record, schema, finals)
}

/// A record's rows; none when it is skipped ([`rows_or_skip`] says why).
pub fn rows(
    mapping: &Mapping,
    record: &AnnotatedRecord,
    schema: &DatasetSchema,
    finals: &BTreeMap<String, Final>,
) -> Vec<Row> {
    rows_or_skip(mapping, record, schema, finals).unwrap_or_default()
}
