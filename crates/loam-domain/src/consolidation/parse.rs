//! Strategies from and to JSON, and the default per question type.
//!
//! A strategy is an object with a `kind` and the parameters of that kind; a parameter left out
//! takes its default, an unknown key is refused (a misspelt parameter would otherwise be silently
//! ignored). Every refusal is an [`Invalid`] whose message names the question and the problem.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Pick, RankKind, RatingKind, Rounding, Strategy, TextTie, TieBreak};
use crate::error::Invalid;
use crate::model::{DatasetSchema, Question};
use crate::settings::QuestionSettings;

/// The largest seed of a random tie break: 2^53 - 1, so a seed survives every JSON reader
/// (JavaScript numbers are exact up to it).
pub const MAX_SEED: u64 = (1 << 53) - 1;

impl Strategy {
    /// The strategy a question has when none is stored (see the module doc of `consolidation`).
    pub fn default_for(settings: &QuestionSettings) -> Strategy {
        match settings {
            QuestionSettings::Text { .. } => Strategy::TextAll,
            QuestionSettings::Rating { .. } => {
                Strategy::Rating { kind: RatingKind::Mean, rounding: Rounding::None, tie_break: TieBreak::Unresolved }
            }
            QuestionSettings::LabelSelection { .. } => Strategy::LabelMajority { tie_break: TieBreak::Unresolved },
            QuestionSettings::MultiLabelSelection { .. } => Strategy::LabelShare { threshold: 0.5 },
            QuestionSettings::Ranking { .. } => Strategy::Ranking { kind: RankKind::MeanRank },
            QuestionSettings::Span { .. } => Strategy::SpanMajority,
        }
    }

    /// Reads the strategy `value` for `question` of a dataset with settings `schema`. A random
    /// tie break without a `seed` gets `fresh_seed` (the caller's random choice, then stored, so
    /// the pick is recorded); `fresh_seed` above [`MAX_SEED`] is reduced to fit.
    pub fn parse(
        schema: &DatasetSchema,
        question: &Question,
        value: &Value,
        fresh_seed: u64,
    ) -> Result<Strategy, Invalid> {
        let fail = |msg: String| Invalid::new(format!("question '{}': {msg}", question.name));
        let obj = value.as_object().ok_or_else(|| fail("a strategy must be an object with a 'kind'".into()))?;
        let kind = match obj.get("kind") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => return Err(fail("'kind' must be a string".into())),
            None => return Err(fail("the strategy has no 'kind'".into())),
        };
        let type_name = question.settings.type_name();
        let kinds = kinds_of(&question.settings);
        let Some(allowed) = kinds.iter().find(|(name, _)| *name == kind).map(|(_, keys)| *keys) else {
            let known = kinds.iter().map(|(name, _)| format!("'{name}'")).collect::<Vec<_>>().join(", ");
            let all = ALL_KINDS.contains(&kind);
            return Err(fail(if all {
                format!("kind '{kind}' does not fit a {type_name} question (its kinds: {known})")
            } else {
                format!("unknown kind '{kind}' (kinds for a {type_name} question: {known})")
            }));
        };
        if let Some(key) = obj.keys().find(|key| *key != "kind" && !allowed.contains(&key.as_str())) {
            let listed = allowed.iter().map(|it| format!("'{it}'")).collect::<Vec<_>>().join(", ");
            let listed = if listed.is_empty() { "none".to_owned() } else { listed };
            return Err(fail(format!("kind '{kind}' takes no parameter '{key}' (its parameters: {listed})")));
        }
        let p = Params { obj, fail: &fail };
        let strategy = match (&question.settings, kind) {
            (QuestionSettings::LabelSelection { .. }, _) => {
                Strategy::LabelMajority { tie_break: p.tie_break(fresh_seed)? }
            }
            (QuestionSettings::MultiLabelSelection { .. }, _) => {
                let threshold = match obj.get("threshold") {
                    None => 0.5,
                    Some(it) => it
                        .as_f64()
                        .filter(|t| (0.0..1.0).contains(t))
                        .ok_or_else(|| fail("'threshold' must be a number at least 0 and less than 1".into()))?,
                };
                Strategy::LabelShare { threshold }
            }
            (QuestionSettings::Rating { .. }, kind) => {
                let kind = match kind {
                    "majority" => RatingKind::Majority,
                    "mean" => RatingKind::Mean,
                    "median" => RatingKind::Median,
                    "min" => RatingKind::Min,
                    _ => RatingKind::Max,
                };
                let rounding = match p.word("rounding", ROUNDINGS)? {
                    None | Some("none") => Rounding::None,
                    Some("half_up") => Rounding::HalfUp,
                    Some("half_even") => Rounding::HalfEven,
                    Some("floor") => Rounding::Floor,
                    Some("ceil") => Rounding::Ceil,
                    Some(_) => Rounding::NearestOption,
                };
                Strategy::Rating { kind, rounding, tie_break: p.tie_break(fresh_seed)? }
            }
            (QuestionSettings::Ranking { .. }, "borda") => Strategy::Ranking { kind: RankKind::Borda },
            (QuestionSettings::Ranking { .. }, _) => Strategy::Ranking { kind: RankKind::MeanRank },
            (QuestionSettings::Span { .. }, _) => Strategy::SpanMajority,
            (QuestionSettings::Text { .. }, "by_rating") => {
                let Some(Value::String(name)) = obj.get("question") else {
                    return Err(fail("'by_rating' needs 'question', the name of a rating question".into()));
                };
                let rated = schema.questions.iter().find(|it| it.name == *name);
                if !matches!(rated.map(|it| &it.settings), Some(QuestionSettings::Rating { .. })) {
                    return Err(fail(format!(
                        "'question' must name a rating question of the dataset; '{name}' is none"
                    )));
                }
                let pick = match p.word("pick", &["highest", "lowest"])? {
                    Some("lowest") => Pick::Lowest,
                    _ => Pick::Highest,
                };
                let tie_break = match p.word("tie_break", &["first", "unresolved"])? {
                    Some("unresolved") => TextTie::Unresolved,
                    _ => TextTie::First,
                };
                Strategy::TextByRating { question: name.clone(), pick, tie_break }
            }
            (QuestionSettings::Text { .. }, "by_annotator") => {
                let order = obj.get("order").and_then(Value::as_array).filter(|it| !it.is_empty());
                let order: Option<Vec<String>> =
                    order.and_then(|it| it.iter().map(|name| name.as_str().map(str::to_owned)).collect());
                let order = order.ok_or_else(|| fail("'order' must be a non-empty list of usernames".into()))?;
                Strategy::TextByAnnotator { order }
            }
            (QuestionSettings::Text { .. }, "by_weight") => {
                let bad = || fail("'weights' must be a non-empty object of usernames to numbers at least 0".into());
                let items =
                    obj.get("weights").and_then(Value::as_object).filter(|it| !it.is_empty()).ok_or_else(bad)?;
                let mut weights = BTreeMap::new();
                for (name, weight) in items {
                    let weight = weight.as_f64().filter(|it| it.is_finite() && *it >= 0.0).ok_or_else(bad)?;
                    weights.insert(name.clone(), weight);
                }
                Strategy::TextByWeight { weights }
            }
            (QuestionSettings::Text { .. }, _) => Strategy::TextAll,
        };
        Ok(strategy)
    }

    /// The JSON form [`Strategy::parse`] reads, with every parameter written out.
    pub fn to_json(&self) -> Value {
        match self {
            Strategy::LabelMajority { tie_break } => with_tie_break(json!({"kind": "majority"}), tie_break),
            Strategy::LabelShare { threshold } => json!({"kind": "label_majority", "threshold": threshold}),
            Strategy::Rating { kind, rounding, tie_break } => match kind {
                RatingKind::Majority => with_tie_break(json!({"kind": "majority"}), tie_break),
                RatingKind::Mean | RatingKind::Median => json!({
                    "kind": if *kind == RatingKind::Mean { "mean" } else { "median" },
                    "rounding": rounding_name(*rounding),
                }),
                RatingKind::Min => json!({"kind": "min"}),
                RatingKind::Max => json!({"kind": "max"}),
            },
            Strategy::Ranking { kind: RankKind::MeanRank } => json!({"kind": "mean_rank"}),
            Strategy::Ranking { kind: RankKind::Borda } => json!({"kind": "borda"}),
            Strategy::TextByRating { question, pick, tie_break } => json!({
                "kind": "by_rating",
                "question": question,
                "pick": if *pick == Pick::Highest { "highest" } else { "lowest" },
                "tie_break": if *tie_break == TextTie::First { "first" } else { "unresolved" },
            }),
            Strategy::TextByAnnotator { order } => json!({"kind": "by_annotator", "order": order}),
            Strategy::TextByWeight { weights } => json!({"kind": "by_weight", "weights": weights}),
            Strategy::TextAll => json!({"kind": "all"}),
            Strategy::SpanMajority => json!({"kind": "majority"}),
        }
    }
}

const ROUNDINGS: &[&str] = &["none", "half_up", "half_even", "floor", "ceil", "nearest_option"];
const TIE_BREAKS: &[&str] = &["lowest", "highest", "random", "unresolved"];
const ALL_KINDS: &[&str] = &[
    "majority",
    "label_majority",
    "mean",
    "median",
    "min",
    "max",
    "mean_rank",
    "borda",
    "by_rating",
    "by_annotator",
    "by_weight",
    "all",
];

/// The kinds a question type takes, each with the parameters it reads.
fn kinds_of(settings: &QuestionSettings) -> &'static [(&'static str, &'static [&'static str])] {
    match settings {
        QuestionSettings::LabelSelection { .. } => &[("majority", &["tie_break", "seed"])],
        QuestionSettings::MultiLabelSelection { .. } => &[("label_majority", &["threshold"])],
        QuestionSettings::Rating { .. } => &[
            ("majority", &["tie_break", "seed"]),
            ("mean", &["rounding"]),
            ("median", &["rounding"]),
            ("min", &[]),
            ("max", &[]),
        ],
        QuestionSettings::Ranking { .. } => &[("mean_rank", &[]), ("borda", &[])],
        QuestionSettings::Text { .. } => &[
            ("by_rating", &["question", "pick", "tie_break"]),
            ("by_annotator", &["order"]),
            ("by_weight", &["weights"]),
            ("all", &[]),
        ],
        QuestionSettings::Span { .. } => &[("majority", &[])],
    }
}

fn rounding_name(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::None => "none",
        Rounding::HalfUp => "half_up",
        Rounding::HalfEven => "half_even",
        Rounding::Floor => "floor",
        Rounding::Ceil => "ceil",
        Rounding::NearestOption => "nearest_option",
    }
}

fn with_tie_break(mut value: Value, tie_break: &TieBreak) -> Value {
    let (name, seed) = match tie_break {
        TieBreak::Lowest => ("lowest", None),
        TieBreak::Highest => ("highest", None),
        TieBreak::Random { seed } => ("random", Some(*seed)),
        TieBreak::Unresolved => ("unresolved", None),
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("tie_break".into(), json!(name));
        if let Some(seed) = seed {
            obj.insert("seed".into(), json!(seed));
        }
    }
    value
}

/// The parameters of one strategy object.
struct Params<'a> {
    obj: &'a Map<String, Value>,
    fail: &'a dyn Fn(String) -> Invalid,
}

impl Params<'_> {
    /// A parameter that is one of `words`, `None` when absent.
    fn word(&self, key: &str, words: &[&'static str]) -> Result<Option<&'static str>, Invalid> {
        match self.obj.get(key) {
            None => Ok(None),
            Some(value) => match words.iter().find(|it| value.as_str() == Some(**it)) {
                Some(word) => Ok(Some(*word)),
                None => {
                    let listed = words.iter().map(|it| format!("'{it}'")).collect::<Vec<_>>().join(", ");
                    Err((self.fail)(format!("'{key}' must be one of {listed}, not {value}")))
                }
            },
        }
    }

    fn tie_break(&self, fresh_seed: u64) -> Result<TieBreak, Invalid> {
        let word = self.word("tie_break", TIE_BREAKS)?;
        let seed = self.obj.get("seed");
        if seed.is_some() && word != Some("random") {
            return Err((self.fail)("'seed' goes only with \"tie_break\": \"random\"".into()));
        }
        Ok(match word {
            Some("lowest") => TieBreak::Lowest,
            Some("highest") => TieBreak::Highest,
            Some("random") => match seed {
                None => TieBreak::Random { seed: fresh_seed & MAX_SEED },
                Some(value) => match value.as_u64().filter(|it| *it <= MAX_SEED) {
                    Some(seed) => TieBreak::Random { seed },
                    None => return Err((self.fail)(format!("'seed' must be an integer from 0 to {MAX_SEED}"))),
                },
            },
            _ => TieBreak::Unresolved,
        })
    }
}
