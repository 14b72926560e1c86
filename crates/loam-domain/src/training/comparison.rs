//! The comparison of a `preference`, `rm` or `dpo` mapping: exactly one of `ranking`, `ratings`,
//! `choice`, `pairwise` or `edits`, with `pairs` and `margin`, checked against the settings (the
//! module doc of `training` lists the keys).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::mapping::{invalid, object, only_keys, question, string, text_field, Comparison, PairRule, Target};
use super::preference;
use super::Shape;
use crate::error::Rejection;
use crate::model::{DatasetSchema, Question};
use crate::pairwise::Pairing;
use crate::settings::FieldSettings;

pub(super) fn pairs_target(
    shape: Shape,
    obj: &Map<String, Value>,
    schema: &DatasetSchema,
    pairings: &[Pairing],
) -> Result<Target, Rejection> {
    let given: Vec<&str> =
        ["ranking", "ratings", "choice", "pairwise", "edits"].into_iter().filter(|it| obj.contains_key(*it)).collect();
    let comparison =
        match given.as_slice() {
            ["ranking"] => {
                let it = object(&obj["ranking"], "ranking")?;
                only_keys(it, "ranking", &["question", "options"], "of a ranking")?;
                let name = string(
                    it.get("question").ok_or_else(|| invalid("mapping.ranking.question is missing"))?,
                    "ranking.question",
                )?;
                let q = question(schema, "ranking.question", name, &["ranking"])?;
                let options = option_fields(q, it.get("options"), "ranking", schema)?;
                distinct(options.values().map(String::as_str), "ranking.options")?;
                Comparison::Ranking { question: q.name.clone(), options }
            }
            ["choice"] => {
                let it = object(&obj["choice"], "choice")?;
                only_keys(it, "choice", &["question", "options"], "of a choice")?;
                let name = string(
                    it.get("question").ok_or_else(|| invalid("mapping.choice.question is missing"))?,
                    "choice.question",
                )?;
                let q = question(schema, "choice.question", name, &["label_selection"])?;
                let options = option_fields(q, it.get("options"), "choice", schema)?;
                Comparison::Choice { question: q.name.clone(), options }
            }
            ["ratings"] => {
                let it = object(&obj["ratings"], "ratings")?;
                let mut questions = Vec::with_capacity(it.len());
                for (name, field) in it {
                    let q = question(schema, "ratings", name, &["rating"])?;
                    let key = format!("ratings.{name}");
                    let f = text_field(schema, &key, string(field, &key)?)?;
                    questions.push((q.name.clone(), f.name.clone()));
                }
                if questions.len() < 2 {
                    return Err(invalid("mapping.ratings must tie at least two rating questions to response fields"));
                }
                distinct(questions.iter().map(|(_, f)| f.as_str()), "ratings")?;
                Comparison::Ratings { questions }
            }
            ["pairwise"] => Comparison::Pairwise(Box::new(preference::parse_pairwise(&obj["pairwise"], shape, pairings)?)),
            ["edits"] => Comparison::Edits(preference::parse_edits(&obj["edits"], schema)?),
            [] => return Err(invalid(
                "the mapping must say how responses are compared: mapping.ranking, mapping.ratings, mapping.choice, mapping.pairwise or mapping.edits",
            )),
            _ => {
                return Err(invalid(format!(
                    "the mapping gives {}: give only one way to compare responses",
                    given.join(" and ")
                )))
            }
        };
    let pairs = match obj.get("pairs") {
        None => PairRule::BestWorst,
        Some(it) => match string(it, "pairs")? {
            "best_worst" => PairRule::BestWorst,
            "all" => PairRule::All,
            other => return Err(invalid(format!("mapping.pairs must be 'best_worst' or 'all', not '{other}'"))),
        },
    };
    let choice = matches!(comparison, Comparison::Choice { .. });
    let margin = match obj.get("margin") {
        None => shape == Shape::Rm && !choice,
        Some(Value::Bool(it)) => *it,
        Some(_) => return Err(invalid("mapping.margin must be true or false")),
    };
    if margin && choice {
        return Err(invalid("mapping.margin: a choice between responses gives no margin; leave margin out or false"));
    }
    Ok(Target::Pairs { comparison, pairs, margin })
}

/// Rejects a response field that two ratings or ranking options name (it would be compared with
/// itself).
fn distinct<'a>(fields: impl Iterator<Item = &'a str>, key: &str) -> Result<(), Rejection> {
    let mut seen = Vec::new();
    for field in fields {
        if seen.contains(&field) {
            return Err(invalid(format!(
                "mapping.{key} names field '{field}' twice: each must name a different response"
            )));
        }
        seen.push(field);
    }
    Ok(())
}

/// The options of a ranking or label question mapped to response fields: as given, or, when not
/// given, every option whose value is the name of a text field (at least two).
fn option_fields(
    q: &Question,
    given: Option<&Value>,
    key: &str,
    schema: &DatasetSchema,
) -> Result<BTreeMap<String, String>, Rejection> {
    let values = q.settings.option_values();
    let mut res = BTreeMap::new();
    match given {
        None | Some(Value::Null) => {
            for value in values {
                if schema.fields.iter().any(|it| it.name == value && matches!(it.settings, FieldSettings::Text { .. }))
                {
                    res.insert(value.to_owned(), value.to_owned());
                }
            }
            if res.len() < 2 {
                return Err(invalid(format!(
                    "mapping.{key}.options is missing and fewer than two options of question '{}' name text fields: map its options to response fields",
                    q.name
                )));
            }
        }
        Some(it) => {
            for (option, field) in object(it, &format!("{key}.options"))? {
                if !values.contains(&option.as_str()) {
                    return Err(invalid(format!(
                        "mapping.{key}.options: '{option}' is not an option of question '{}' (options: {})",
                        q.name,
                        values.join(", ")
                    )));
                }
                let at = format!("{key}.options.{option}");
                let f = text_field(schema, &at, string(field, &at)?)?;
                res.insert(option.clone(), f.name.clone());
            }
            if res.len() < 2 {
                return Err(invalid(format!("mapping.{key}.options must map at least two options to response fields")));
            }
        }
    }
    Ok(res)
}
