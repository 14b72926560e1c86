//! Pairwise preference (issue 22), the pure rules: a `label_selection` question whose labels name
//! the outcomes of comparing two text fields (`a`, `b`), with an optional strength question and
//! optional rating questions whose suggestions imply a judge's pick. To the SDKs it stays an
//! ordinary label question; its values are always the canonical outcome labels (A = field `a`),
//! never the screen's left/right.
//!
//! - [`placement`]: the left/right order the web UI shows a pair in, a pure function of (user,
//!   record, question) that the server and the UI compute alike: 32-bit FNV-1a of
//!   `"<user_id>:<record_id>:<question_id>"` (lowercase hyphenated UUIDs), even → `ab`, odd → `ba`.
//! - [`check_pairing`]: a pairing checked against the dataset's settings, every problem named.
//! - [`switch_labels`] / [`strength_labels`]: the labels "switch to pairwise" creates.
//! - [`parse_shown`]: the `loam_shown` extension of a response save, `{question: "ab" | "ba"}`.
//! - [`Outcomes`]: canonical labels to [`Outcome`]s and back; [`rating_verdict`]: the pick implied
//!   by two ratings (higher wins, equal is a tie).

use serde_json::Value;

use crate::error::{Loc, SchemaError};
use crate::model::DatasetSchema;
use crate::settings::{FieldSettings, LabelOption, QuestionSettings};
use crate::{QuestionId, RecordId, UserId};

/// The order a pair was shown in: `Ab` puts field `a` first (left, or on top).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shown {
    Ab,
    Ba,
}

impl Shown {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ab" => Some(Shown::Ab),
            "ba" => Some(Shown::Ba),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Ab => "ab",
            Shown::Ba => "ba",
        }
    }

    /// Whether a pick of `outcome` chose the side shown first (`None` for tie and both bad).
    pub fn picked_first(self, outcome: Outcome) -> Option<bool> {
        match (self, outcome) {
            (Shown::Ab, Outcome::A) | (Shown::Ba, Outcome::B) => Some(true),
            (Shown::Ab, Outcome::B) | (Shown::Ba, Outcome::A) => Some(false),
            (_, Outcome::Tie | Outcome::BothBad) => None,
        }
    }
}

/// 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193))
}

/// Where `user` sees the pair of `question` on `record`: even hash → `ab`, odd → `ba`.
pub fn placement(user: UserId, record: RecordId, question: QuestionId) -> Shown {
    let key = format!("{}:{}:{}", user.0.hyphenated(), record.0.hyphenated(), question.0.hyphenated());
    if fnv1a32(key.as_bytes()).is_multiple_of(2) {
        Shown::Ab
    } else {
        Shown::Ba
    }
}

/// A comparison's outcome, canonical (A is field `a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    A,
    B,
    Tie,
    BothBad,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::A => "a",
            Outcome::B => "b",
            Outcome::Tie => "tie",
            Outcome::BothBad => "both_bad",
        }
    }
}

/// The label values of the question that stand for each outcome (`tie`, `both_bad` optional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcomes {
    pub a: String,
    pub b: String,
    pub tie: Option<String>,
    pub both_bad: Option<String>,
}

impl Outcomes {
    /// The labels "switch to pairwise" creates.
    pub fn standard(tie: bool, both_bad: bool) -> Self {
        Outcomes {
            a: "A".into(),
            b: "B".into(),
            tie: tie.then(|| "tie".into()),
            both_bad: both_bad.then(|| "both_bad".into()),
        }
    }

    /// The outcome a label value stands for.
    pub fn outcome(&self, value: &str) -> Option<Outcome> {
        if value == self.a {
            Some(Outcome::A)
        } else if value == self.b {
            Some(Outcome::B)
        } else if self.tie.as_deref() == Some(value) {
            Some(Outcome::Tie)
        } else if self.both_bad.as_deref() == Some(value) {
            Some(Outcome::BothBad)
        } else {
            None
        }
    }

    /// The label value of `outcome`, if the question has one.
    pub fn label(&self, outcome: Outcome) -> Option<&str> {
        match outcome {
            Outcome::A => Some(&self.a),
            Outcome::B => Some(&self.b),
            Outcome::Tie => self.tie.as_deref(),
            Outcome::BothBad => self.both_bad.as_deref(),
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({"a": self.a, "b": self.b, "tie": self.tie, "both_bad": self.both_bad})
    }

    /// Reads `{"a", "b", "tie"?, "both_bad"?}` (strings; `tie` / `both_bad` may be null or left out).
    pub fn parse(value: &Value, loc: &[Loc]) -> Result<Self, SchemaError> {
        let obj = crate::schema::object(value, loc)?;
        let r = crate::schema::Reader::new(obj, loc);
        Ok(Outcomes {
            a: r.string("a", 1, 200)?,
            b: r.string("b", 1, 200)?,
            tie: r.opt_string("tie", 1, 200)?,
            both_bad: r.opt_string("both_bad", 1, 200)?,
        })
    }

    fn values(&self) -> Vec<(&'static str, &str)> {
        let mut res = vec![("a", self.a.as_str()), ("b", self.b.as_str())];
        res.extend(self.tie.as_deref().map(|it| ("tie", it)));
        res.extend(self.both_bad.as_deref().map(|it| ("both_bad", it)));
        res
    }
}

/// The rating questions whose suggestions imply a judge's pick (distilabel's
/// `PreferenceToArgilla` rates each generation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ratings {
    pub a: String,
    pub b: String,
}

/// A pairing as stored: question and fields by name, strength by question.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairing {
    pub question: String,
    pub question_id: QuestionId,
    pub a: String,
    pub b: String,
    pub outcomes: Outcomes,
    pub strength: Option<Strength>,
    pub ratings: Option<Ratings>,
}

/// The strength question of a pairing and its levels (its label values, weakest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strength {
    pub question: String,
    pub question_id: QuestionId,
    pub levels: Vec<String>,
}

impl Strength {
    /// The margin a level gives (its index + 1), `None` for an unknown level.
    pub fn margin(&self, level: &str) -> Option<usize> {
        self.levels.iter().position(|it| it == level).map(|it| it + 1)
    }
}

/// What a pairing names, before it is checked against the settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingRequest {
    pub question: String,
    pub a: String,
    pub b: String,
    pub outcomes: Outcomes,
    pub strength: Option<String>,
    pub ratings: Option<Ratings>,
}

/// Checks the compared fields of a pairing: both text fields of the dataset, and distinct.
pub fn check_fields(schema: &DatasetSchema, a: &str, b: &str) -> Result<(), String> {
    if a == b {
        return Err(format!("the compared fields must differ: `a` and `b` are both '{a}'"));
    }
    for (key, name) in [("a", a), ("b", b)] {
        match schema.fields.iter().find(|it| it.name == name) {
            None => {
                let names: Vec<&str> = schema.fields.iter().map(|it| it.name.as_str()).collect();
                return Err(format!(
                    "`{key}`: '{name}' is not a field of the dataset (its fields: {})",
                    names.join(", ")
                ));
            }
            Some(field) if !matches!(field.settings, FieldSettings::Text { .. }) => {
                return Err(format!(
                    "`{key}`: field '{name}' is a {} field; a pairwise question compares two text fields",
                    field.settings.type_name()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Checks rating questions named as a judge's ratings: rating questions of the dataset, distinct.
pub fn check_ratings(schema: &DatasetSchema, ratings: &Ratings) -> Result<(), String> {
    if ratings.a == ratings.b {
        return Err(format!("`ratings`: `a` and `b` are both '{}'", ratings.a));
    }
    for (key, name) in [("a", &ratings.a), ("b", &ratings.b)] {
        match schema.questions.iter().find(|it| &it.name == name) {
            None => return Err(format!("`ratings.{key}`: '{name}' is not a question of the dataset")),
            Some(q) if !matches!(q.settings, QuestionSettings::Rating { .. }) => {
                return Err(format!(
                    "`ratings.{key}`: question '{name}' is a {} question, not a rating question",
                    q.settings.type_name()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A pairing checked against the settings: the question is a `label_selection` question whose
/// labels include every outcome value (distinct), the fields are two distinct text fields, the
/// strength question (if any) is another `label_selection` question, the ratings are rating
/// questions. The message names the problem.
pub fn check_pairing(schema: &DatasetSchema, req: &PairingRequest) -> Result<Pairing, String> {
    let question = schema
        .questions
        .iter()
        .find(|it| it.name == req.question)
        .ok_or_else(|| format!("'{}' is not a question of the dataset", req.question))?;
    let QuestionSettings::LabelSelection { options, .. } = &question.settings else {
        return Err(format!(
            "question '{}' is a {} question; only a label_selection question can be pairwise",
            question.name,
            question.settings.type_name()
        ));
    };
    let values = req.outcomes.values();
    for (i, (key, value)) in values.iter().enumerate() {
        if !options.iter().any(|it| it.value == *value) {
            let labels: Vec<&str> = options.iter().map(|it| it.value.as_str()).collect();
            return Err(format!(
                "`outcomes.{key}`: '{value}' is not a label of question '{}' (its labels: {})",
                question.name,
                labels.join(", ")
            ));
        }
        if let Some((other, _)) = values[..i].iter().find(|(_, it)| it == value) {
            return Err(format!("`outcomes.{key}` and `outcomes.{other}` are both '{value}'"));
        }
    }
    check_fields(schema, &req.a, &req.b)?;
    let strength = match &req.strength {
        None => None,
        Some(name) => {
            let q = schema
                .questions
                .iter()
                .find(|it| &it.name == name)
                .ok_or_else(|| format!("`strength`: '{name}' is not a question of the dataset"))?;
            if q.id == question.id {
                return Err("`strength` must be another question than the pairwise one".into());
            }
            let QuestionSettings::LabelSelection { options, .. } = &q.settings else {
                return Err(format!(
                    "`strength`: question '{name}' is a {} question, not a label_selection question",
                    q.settings.type_name()
                ));
            };
            Some(Strength {
                question: q.name.clone(),
                question_id: q.id,
                levels: options.iter().map(|it| it.value.clone()).collect(),
            })
        }
    };
    if let Some(ratings) = &req.ratings {
        check_ratings(schema, ratings)?;
    }
    Ok(Pairing {
        question: question.name.clone(),
        question_id: question.id,
        a: req.a.clone(),
        b: req.b.clone(),
        outcomes: req.outcomes.clone(),
        strength,
        ratings: req.ratings.clone(),
    })
}

fn label(value: &str, text: &str) -> LabelOption {
    LabelOption { value: value.into(), text: text.into(), description: None }
}

/// The labels of the question "switch to pairwise" creates: `A`, `B`, then `tie` and `both_bad`
/// when asked for.
pub fn switch_labels(tie: bool, both_bad: bool) -> Vec<LabelOption> {
    let mut res = vec![label("A", "A is better"), label("B", "B is better")];
    if tie {
        res.push(label("tie", "Tie"));
    }
    if both_bad {
        res.push(label("both_bad", "Both are bad"));
    }
    res
}

/// The levels of the strength question "switch to pairwise" creates, weakest first.
pub fn strength_labels() -> Vec<LabelOption> {
    vec![label("slight", "Slightly"), label("clear", "Clearly"), label("strong", "Strongly")]
}

/// The name of the strength question created with pairwise question `name`.
pub fn strength_name(name: &str) -> String {
    format!("{name}-strength")
}

/// Reads `loam_shown` (`{question name: "ab" | "ba"}`, a loam extension only the web UI sends);
/// absent or null is empty. Which names are pairwise questions is the caller's check.
pub fn parse_shown(value: Option<&Value>, loc: &[Loc]) -> Result<Vec<(String, Shown)>, SchemaError> {
    let Some(value) = value.filter(|it| !it.is_null()) else {
        return Ok(Vec::new());
    };
    let obj = crate::schema::object(value, loc)?;
    let mut res = Vec::with_capacity(obj.len());
    for (name, shown) in obj {
        let mut at = loc.to_vec();
        at.push(Loc::from(name.as_str()));
        let shown = shown
            .as_str()
            .and_then(Shown::parse)
            .ok_or_else(|| SchemaError::new(at, "enum", "Input should be 'ab' or 'ba'"))?;
        res.push((name.clone(), shown));
    }
    Ok(res)
}

/// The pick two ratings imply: the higher rated side wins, equal ratings are a tie.
pub fn rating_verdict(a: f64, b: f64) -> Outcome {
    if a > b {
        Outcome::A
    } else if b > a {
        Outcome::B
    } else {
        Outcome::Tie
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Question};
    use crate::{DatasetId, FieldId, Timestamp};
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn fnv1a32_gives_the_reference_values() {
        // The reference test vectors of FNV-1a 32 (Fowler, Noll, Vo).
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn placement_hashes_user_record_and_question_as_lowercase_uuids() {
        let user = UserId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001));
        let record = RecordId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002));
        let question = QuestionId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0003));
        let key = "01900000-0000-7000-8000-000000000001:01900000-0000-7000-8000-000000000002:\
                   01900000-0000-7000-8000-000000000003";
        // Computed independently (Python): even, so A is shown first.
        assert_eq!(fnv1a32(key.as_bytes()), 0x54a1_8462);
        assert_eq!(placement(user, record, question), Shown::Ab);
        // The same user and record with question …0004: 0x4fa17c83, odd.
        let other = QuestionId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0004));
        assert_eq!(placement(user, record, other), Shown::Ba);
        // Both orders occur, about as often each, over many records.
        let ab =
            (0..1000_u128).filter(|i| placement(user, RecordId(Uuid::from_u128(*i)), question) == Shown::Ab).count();
        assert!((400..600).contains(&ab), "{ab} of 1000 shown ab");
    }

    #[test]
    fn picked_first_follows_the_shown_order() {
        assert_eq!(Shown::Ab.picked_first(Outcome::A), Some(true));
        assert_eq!(Shown::Ab.picked_first(Outcome::B), Some(false));
        assert_eq!(Shown::Ba.picked_first(Outcome::B), Some(true));
        assert_eq!(Shown::Ba.picked_first(Outcome::A), Some(false));
        assert_eq!(Shown::Ba.picked_first(Outcome::Tie), None);
    }

    fn schema() -> DatasetSchema {
        let at = Timestamp(1);
        let field = |name: &str, settings| Field {
            id: FieldId::new(),
            dataset_id: DatasetId::new(),
            name: name.into(),
            title: name.into(),
            description: None,
            required: true,
            settings,
            inserted_at: at,
            updated_at: at,
        };
        let question = |name: &str, settings| Question {
            id: QuestionId::new(),
            dataset_id: DatasetId::new(),
            name: name.into(),
            title: name.into(),
            description: None,
            required: true,
            settings,
            inserted_at: at,
            updated_at: at,
        };
        DatasetSchema {
            fields: vec![
                field("prompt", FieldSettings::Text { use_markdown: false }),
                field("g0", FieldSettings::Text { use_markdown: true }),
                field("g1", FieldSettings::Text { use_markdown: false }),
                field("img", FieldSettings::Image),
            ],
            questions: vec![
                question(
                    "pref",
                    QuestionSettings::LabelSelection { options: switch_labels(true, false), visible_options: None },
                ),
                question(
                    "pref-strength",
                    QuestionSettings::LabelSelection { options: strength_labels(), visible_options: None },
                ),
                question("r0", QuestionSettings::Rating { options: vec![1, 2, 3] }),
                question("r1", QuestionSettings::Rating { options: vec![1, 2, 3] }),
                question("note", QuestionSettings::Text { use_markdown: false }),
            ],
            metadata_properties: vec![],
            vector_settings: vec![],
        }
    }

    fn request() -> PairingRequest {
        PairingRequest {
            question: "pref".into(),
            a: "g0".into(),
            b: "g1".into(),
            outcomes: Outcomes::standard(true, false),
            strength: Some("pref-strength".into()),
            ratings: Some(Ratings { a: "r0".into(), b: "r1".into() }),
        }
    }

    #[test]
    fn a_pairing_is_checked_against_the_settings() {
        let schema = schema();
        let pairing = check_pairing(&schema, &request()).unwrap();
        assert_eq!(pairing.question_id, schema.questions[0].id);
        let strength = pairing.strength.unwrap();
        assert_eq!(strength.levels, ["slight", "clear", "strong"]);
        assert_eq!(strength.margin("clear"), Some(2));
        assert_eq!(strength.margin("huge"), None);

        let refused = |change: &dyn Fn(&mut PairingRequest), needle: &str| {
            let mut req = request();
            change(&mut req);
            let err = check_pairing(&schema, &req).unwrap_err();
            assert!(err.contains(needle), "{err:?} should name {needle:?}");
        };
        refused(&|r| r.question = "nope".into(), "'nope' is not a question");
        refused(&|r| r.question = "r0".into(), "rating question");
        refused(&|r| r.a = "g1".into(), "must differ");
        refused(&|r| r.b = "missing".into(), "'missing' is not a field");
        refused(&|r| r.b = "img".into(), "image field");
        refused(&|r| r.outcomes.both_bad = Some("both_bad".into()), "`outcomes.both_bad`: 'both_bad' is not a label");
        refused(&|r| r.outcomes.b = "A".into(), "both 'A'");
        refused(&|r| r.strength = Some("note".into()), "not a label_selection");
        refused(&|r| r.strength = Some("pref".into()), "another question");
        refused(&|r| r.ratings = Some(Ratings { a: "r0".into(), b: "note".into() }), "`ratings.b`");
        refused(&|r| r.ratings = Some(Ratings { a: "r0".into(), b: "r0".into() }), "both 'r0'");
    }

    #[test]
    fn outcomes_map_labels_both_ways() {
        let outcomes = Outcomes::standard(true, true);
        assert_eq!(outcomes.outcome("A"), Some(Outcome::A));
        assert_eq!(outcomes.outcome("both_bad"), Some(Outcome::BothBad));
        assert_eq!(outcomes.outcome("a"), None);
        assert_eq!(outcomes.label(Outcome::Tie), Some("tie"));
        assert_eq!(Outcomes::standard(false, false).label(Outcome::Tie), None);
        let parsed = Outcomes::parse(&outcomes.to_json(), &[]).unwrap();
        assert_eq!(parsed, outcomes);
        assert!(Outcomes::parse(&json!({"a": "A"}), &[]).is_err());
    }

    #[test]
    fn loam_shown_is_read_and_refused_by_value() {
        assert_eq!(parse_shown(None, &[]).unwrap(), vec![]);
        assert_eq!(parse_shown(Some(&json!(null)), &[]).unwrap(), vec![]);
        assert_eq!(parse_shown(Some(&json!({"pref": "ba"})), &[]).unwrap(), vec![("pref".to_owned(), Shown::Ba)]);
        let err = parse_shown(Some(&json!({"pref": "left"})), &[Loc::from("loam_shown")]).unwrap_err();
        assert_eq!(err.loc, vec![Loc::from("loam_shown"), Loc::from("pref")]);
        assert!(parse_shown(Some(&json!(["ab"])), &[]).is_err());
    }

    #[test]
    fn ratings_imply_a_pick() {
        assert_eq!(rating_verdict(4.0, 2.0), Outcome::A);
        assert_eq!(rating_verdict(1.0, 2.0), Outcome::B);
        assert_eq!(rating_verdict(3.0, 3.0), Outcome::Tie);
    }
}
