//! The column mapping: parsed from JSON, completed by inference from the settings, and checked
//! against the dataset's settings and the file's columns before anything is read further.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::model::DatasetSchema;
use crate::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use crate::Invalid;

/// How a cell is read when the file gives text (CSV): kept as text, or read as JSON when it is
/// JSON (numbers, lists, objects), else kept as text for the record rules to judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Text,
    Json,
    /// Text, or a JSON list when the text starts with `[` (a terms property's several terms).
    TextOrList,
}

/// Where a suggestion's agent comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentSource {
    None,
    Column(String),
    Literal(String),
}

/// The columns of one question's suggestion.
#[derive(Clone, Debug, PartialEq)]
pub struct SuggestionSource {
    pub question: String,
    pub value: String,
    pub value_target: Target,
    pub score: Option<String>,
    pub agent: AgentSource,
}

/// A complete, checked mapping: target name → column, with how each cell is read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    pub fields: Vec<(String, String, Target)>,
    pub metadata: Vec<(String, String, Target)>,
    pub suggestions: Vec<SuggestionSource>,
    pub external_id: Option<String>,
    pub vectors: Vec<(String, String)>,
}

const SECTIONS: &[&str] = &["fields", "metadata", "suggestions", "external_id", "vectors"];
const SUGGESTION_KEYS: &[&str] = &["value", "score", "agent_column", "agent"];

fn field_target(settings: &FieldSettings) -> Target {
    match settings {
        FieldSettings::Text { .. } | FieldSettings::Image => Target::Text,
        FieldSettings::Chat { .. } | FieldSettings::Custom { .. } => Target::Json,
    }
}

fn metadata_target(settings: &MetadataSettings) -> Target {
    match settings {
        // A terms value is usually one term; a list of terms comes as its JSON text.
        MetadataSettings::Terms { .. } => Target::TextOrList,
        MetadataSettings::Integer { .. } | MetadataSettings::Float { .. } => Target::Json,
    }
}

fn question_target(settings: &QuestionSettings) -> Target {
    match settings {
        QuestionSettings::Text { .. } | QuestionSettings::LabelSelection { .. } => Target::Text,
        _ => Target::Json,
    }
}

/// A section of the mapping as `name → column` pairs (string values only).
fn pairs(section: &str, value: &Value, errors: &mut Vec<String>) -> Vec<(String, String)> {
    let Value::Object(map) = value else {
        errors.push(format!("mapping `{section}` must be an object of name → column"));
        return Vec::new();
    };
    let mut res = Vec::with_capacity(map.len());
    for (name, column) in map {
        match column {
            Value::String(column) => res.push((name.clone(), column.clone())),
            _ => errors.push(format!("mapping `{section}.{name}` must be a column name (a string)")),
        }
    }
    res
}

fn optional_str(key: &str, map: &Map<String, Value>, errors: &mut Vec<String>) -> Option<String> {
    match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(it)) => Some(it.clone()),
        Some(_) => {
            errors.push(format!("mapping `{key}` must be a string"));
            None
        }
    }
}

fn first_present(columns: &HashSet<&str>, names: &[String]) -> Option<String> {
    names.iter().find(|it| columns.contains(it.as_str())).cloned()
}

/// The suggestion columns inferred for question `name`, when the file has a value column.
fn inferred_suggestion(name: &str, target: Target, columns: &HashSet<&str>) -> Option<SuggestionSource> {
    let value = first_present(columns, &[format!("{name}.suggestion"), name.to_owned()])?;
    let score =
        first_present(columns, &[format!("{name}.suggestion.score"), format!("{name}.score"), format!("{name}_score")]);
    let agent =
        first_present(columns, &[format!("{name}.suggestion.agent"), format!("{name}.agent"), format!("{name}_agent")]);
    Some(SuggestionSource {
        question: name.to_owned(),
        value,
        value_target: target,
        score,
        agent: agent.map_or(AgentSource::None, AgentSource::Column),
    })
}

impl Mapping {
    /// The mapping for a file with `columns` into a dataset with `schema`: `spec` (the caller's
    /// mapping, JSON) where it names a section, inferred elsewhere. Every problem is listed in
    /// the one error: unknown keys, names the dataset lacks, columns the file lacks.
    pub fn resolve(spec: Option<&Value>, schema: &DatasetSchema, columns: &[String]) -> Result<Mapping, Invalid> {
        let mut errors = Vec::new();
        let empty = Map::new();
        let spec = match spec {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => return Err(Invalid::new("the mapping must be an object (a JSON object or a TOML table)")),
        };
        for key in spec.keys() {
            if !SECTIONS.contains(&key.as_str()) {
                errors.push(format!("unknown mapping key `{key}` (expected one of {})", SECTIONS.join(", ")));
            }
        }
        let present: HashSet<&str> = columns.iter().map(String::as_str).collect();
        let mut mapping = Mapping::default();

        match spec.get("fields") {
            Some(section) => {
                for (name, column) in pairs("fields", section, &mut errors) {
                    match schema.fields.iter().find(|it| it.name == name) {
                        Some(field) => mapping.fields.push((name, column, field_target(&field.settings))),
                        None => errors.push(format!("the dataset has no field `{name}`")),
                    }
                }
            }
            None => {
                for field in schema.fields.iter().filter(|it| present.contains(it.name.as_str())) {
                    mapping.fields.push((field.name.clone(), field.name.clone(), field_target(&field.settings)));
                }
            }
        }
        match spec.get("metadata") {
            Some(section) => {
                for (name, column) in pairs("metadata", section, &mut errors) {
                    match schema.metadata_properties.iter().find(|it| it.name == name) {
                        Some(prop) => mapping.metadata.push((name, column, metadata_target(&prop.settings))),
                        None => errors.push(format!("the dataset has no metadata property `{name}`")),
                    }
                }
            }
            None => {
                for prop in schema.metadata_properties.iter().filter(|it| present.contains(it.name.as_str())) {
                    mapping.metadata.push((prop.name.clone(), prop.name.clone(), metadata_target(&prop.settings)));
                }
            }
        }
        match spec.get("suggestions") {
            Some(Value::Object(section)) => {
                for (name, source) in section {
                    let Some(question) = schema.questions.iter().find(|it| &it.name == name) else {
                        errors.push(format!("the dataset has no question `{name}`"));
                        continue;
                    };
                    let target = question_target(&question.settings);
                    let parsed = match source {
                        Value::String(column) => Some(SuggestionSource {
                            question: name.clone(),
                            value: column.clone(),
                            value_target: target,
                            score: None,
                            agent: AgentSource::None,
                        }),
                        Value::Object(map) => {
                            for key in map.keys().filter(|it| !SUGGESTION_KEYS.contains(&it.as_str())) {
                                errors.push(format!(
                                    "unknown key `{key}` in mapping `suggestions.{name}` (expected one of {})",
                                    SUGGESTION_KEYS.join(", ")
                                ));
                            }
                            let value = optional_str("value", map, &mut errors);
                            let score = optional_str("score", map, &mut errors);
                            let agent_column = optional_str("agent_column", map, &mut errors);
                            let literal = optional_str("agent", map, &mut errors);
                            let agent = match (agent_column, literal) {
                                (Some(_), Some(_)) => {
                                    errors.push(format!(
                                        "mapping `suggestions.{name}` names both `agent_column` and `agent`; give one"
                                    ));
                                    AgentSource::None
                                }
                                (Some(column), None) => AgentSource::Column(column),
                                (None, Some(agent)) => AgentSource::Literal(agent),
                                (None, None) => AgentSource::None,
                            };
                            match value {
                                Some(value) => Some(SuggestionSource {
                                    question: name.clone(),
                                    value,
                                    value_target: target,
                                    score,
                                    agent,
                                }),
                                None => {
                                    errors.push(format!("mapping `suggestions.{name}` needs a `value` column"));
                                    None
                                }
                            }
                        }
                        _ => {
                            errors.push(format!("mapping `suggestions.{name}` must be a column name or an object"));
                            None
                        }
                    };
                    mapping.suggestions.extend(parsed);
                }
            }
            Some(_) => errors.push("mapping `suggestions` must be an object of question → columns".to_owned()),
            None => {
                for question in &schema.questions {
                    let target = question_target(&question.settings);
                    mapping.suggestions.extend(inferred_suggestion(&question.name, target, &present));
                }
            }
        }
        match spec.get("external_id") {
            Some(Value::String(column)) => mapping.external_id = Some(column.clone()),
            Some(Value::Null) => {}
            Some(_) => errors.push("mapping `external_id` must be a column name (a string)".to_owned()),
            None => mapping.external_id = first_present(&present, &["external_id".to_owned(), "id".to_owned()]),
        }
        match spec.get("vectors") {
            Some(section) => {
                for (name, column) in pairs("vectors", section, &mut errors) {
                    if schema.vector_settings.iter().any(|it| it.name == name) {
                        mapping.vectors.push((name, column));
                    } else {
                        errors.push(format!("the dataset has no vector settings `{name}`"));
                    }
                }
            }
            None => {
                for vector in schema.vector_settings.iter().filter(|it| present.contains(it.name.as_str())) {
                    mapping.vectors.push((vector.name.clone(), vector.name.clone()));
                }
            }
        }

        let mut named = HashSet::new();
        let missing: Vec<&str> = mapping.columns().filter(|it| !present.contains(it) && named.insert(*it)).collect();
        for column in missing {
            errors.push(format!("the file has no column `{column}`"));
        }
        if mapping.is_empty() && errors.is_empty() {
            errors.push(format!(
                "no column of the file maps to the dataset (the file's columns: {}); give a mapping",
                if columns.is_empty() { "none".to_owned() } else { columns.join(", ") }
            ));
        }
        if errors.is_empty() {
            Ok(mapping)
        } else {
            Err(Invalid::new(format!("bad mapping: {}", errors.join("; "))))
        }
    }

    /// Every column the mapping reads, in mapping order (a column may repeat).
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        let fields = self.fields.iter().map(|it| it.1.as_str());
        let metadata = self.metadata.iter().map(|it| it.1.as_str());
        let suggestions = self.suggestions.iter().flat_map(|it| {
            let agent = match &it.agent {
                AgentSource::Column(column) => Some(column.as_str()),
                _ => None,
            };
            std::iter::once(it.value.as_str()).chain(it.score.as_deref()).chain(agent)
        });
        let vectors = self.vectors.iter().map(|it| it.1.as_str());
        fields.chain(metadata).chain(suggestions).chain(self.external_id.as_deref()).chain(vectors)
    }

    fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.metadata.is_empty()
            && self.suggestions.is_empty()
            && self.external_id.is_none()
            && self.vectors.is_empty()
    }

    /// The mapping in its JSON form (what [`Mapping::resolve`] reads back to the same mapping).
    pub fn to_json(&self) -> Value {
        let section = |items: &[(String, String, Target)]| {
            Value::Object(items.iter().map(|(name, column, _)| (name.clone(), json!(column))).collect())
        };
        let suggestions: Map<String, Value> = self
            .suggestions
            .iter()
            .map(|it| {
                let mut source = Map::new();
                source.insert("value".into(), json!(it.value));
                if let Some(score) = &it.score {
                    source.insert("score".into(), json!(score));
                }
                match &it.agent {
                    AgentSource::Column(column) => {
                        source.insert("agent_column".into(), json!(column));
                    }
                    AgentSource::Literal(agent) => {
                        source.insert("agent".into(), json!(agent));
                    }
                    AgentSource::None => {}
                }
                (it.question.clone(), Value::Object(source))
            })
            .collect();
        json!({
            "fields": section(&self.fields),
            "metadata": section(&self.metadata),
            "suggestions": suggestions,
            "external_id": self.external_id,
            "vectors": Value::Object(self.vectors.iter().map(|(name, column)| (name.clone(), json!(column))).collect()),
        })
    }
}
