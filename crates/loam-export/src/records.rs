//! The `records` shape: every field, metadata property, vector, response and suggestion of a
//! record, flattened the way the Argilla 2.8 SDK's `Dataset.records.to_datasets()` and
//! `records.to_list(flatten=True)` flatten them (`argilla/records/_io/_generic.py`,
//! `_resource.py` `to_dict`), so code written against those columns keeps working:
//!
//! | column | value |
//! |---|---|
//! | `id` | the record's external id (the SDK's `Record.id`) |
//! | `status` | `pending` / `completed` |
//! | `_server_id` | the record's id on the server |
//! | `<field>` | text and image fields as strings, chat fields as `[{role, content}]`, custom fields as JSON |
//! | `<metadata>` | integer and float properties as numbers, terms as strings (the SDK's type for the usual single term; a list of terms as its JSON text) |
//! | `<vector>` | the vector (a list of floats) |
//! | `<question>.responses` | the answers of every response that answers the question (any status), in the responses' order: a list of strings (text, label), of integers (rating), else a list of lists (multi-label; ranking as its values in the order given, the SDK drops the ranks; spans as `{end, label, start}`), JSON in JSONL and CSV, typed in Parquet as `to_datasets()` types it |
//! | `<question>.responses.users` | the responders' user ids, in the same order |
//! | `<question>.responses.status` | the responses' statuses, in the same order |
//! | `<question>.suggestion` | the suggestion's value (a ranking as its values; spans as a list of `{end, label, start}`) |
//! | `<question>.suggestion.score` | its score (a number for text, label and rating questions; a list of numbers for list values) |
//! | `<question>.suggestion.agent` | its agent |
//!
//! Differences from the SDK: every column of the settings is present on every row (null when
//! the record has no value), where the SDK has a column only when some record has a value; the
//! `responses` columns come before the `suggestion` columns question by question; metadata keys
//! that belong to no metadata property are left out, unless the shape is made
//! [`RecordsShape::with_extra_metadata`] (the `argilla` format): then each named key has a JSON
//! column after the metadata properties, as `to_datasets()` flattens them.

mod stored;

pub use stored::push_uuid;

use std::collections::HashMap;

use loam_domain::answer::AnnotatedRecord;
use loam_domain::model::{DatasetSchema, Question, Vector};
use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::table::{Cell, Column, ColumnType, Message, Nested, Row};
use loam_domain::VectorSettingsId;
use serde_json::Value;

/// The columns of the `records` shape for a dataset's settings, and how each record fills them.
pub struct RecordsShape {
    schema: DatasetSchema,
    /// Extra metadata keys with a column of their own (after the metadata properties).
    extra_metadata: Vec<String>,
    columns: Vec<Column>,
}

impl RecordsShape {
    pub fn new(schema: &DatasetSchema) -> Self {
        Self::with_extra_metadata(schema, Vec::new())
    }

    /// The shape with a JSON column for each of `extra` (metadata keys of no metadata property).
    pub fn with_extra_metadata(schema: &DatasetSchema, extra: Vec<String>) -> Self {
        let mut columns = vec![
            Column::new("id", ColumnType::Str),
            Column::new("status", ColumnType::Str),
            Column::new("_server_id", ColumnType::Str),
        ];
        for field in &schema.fields {
            let ty = match field.settings {
                FieldSettings::Text { .. } | FieldSettings::Image => ColumnType::Str,
                FieldSettings::Chat { .. } => ColumnType::Messages,
                FieldSettings::Custom { .. } => ColumnType::Json,
            };
            columns.push(Column::new(&field.name, ty));
        }
        for property in &schema.metadata_properties {
            let ty = match property.settings {
                MetadataSettings::Terms { .. } => ColumnType::Str,
                MetadataSettings::Integer { .. } => ColumnType::Int,
                MetadataSettings::Float { .. } => ColumnType::Float,
            };
            columns.push(Column::new(&property.name, ty));
        }
        for key in &extra {
            columns.push(Column::new(key, ColumnType::Json));
        }
        for vector in &schema.vector_settings {
            columns.push(Column::new(&vector.name, ColumnType::FloatList));
        }
        for question in &schema.questions {
            let name = &question.name;
            columns.push(Column::new(format!("{name}.responses"), responses_type(question)));
            columns.push(Column::new(format!("{name}.responses.users"), ColumnType::StrList));
            columns.push(Column::new(format!("{name}.responses.status"), ColumnType::StrList));
        }
        for question in &schema.questions {
            let name = &question.name;
            columns.push(Column::new(format!("{name}.suggestion"), suggestion_type(question)));
            columns.push(Column::new(format!("{name}.suggestion.score"), score_type(question)));
            columns.push(Column::new(format!("{name}.suggestion.agent"), ColumnType::Str));
        }
        RecordsShape { schema: schema.clone(), extra_metadata: extra, columns }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The row of `it`, with `vectors` (the record's vectors; only read when the settings have
    /// vector settings), with room for `extra` more cells (the caller's, after these).
    pub fn row(&self, it: &AnnotatedRecord, vectors: &[Vector], extra: usize) -> Row {
        let record = &it.record;
        let mut row = Vec::with_capacity(self.columns.len() + extra);
        row.push(record.external_id.clone().map_or(Cell::Null, Cell::Str));
        row.push(Cell::Str(record.status.as_str().to_owned()));
        row.push(Cell::Str(record.id.to_string()));
        for field in &self.schema.fields {
            let value = record.fields.get(&field.name);
            row.push(match (&field.settings, value) {
                (_, None | Some(Value::Null)) => Cell::Null,
                (FieldSettings::Text { .. } | FieldSettings::Image, Some(value)) => text_cell(value),
                (FieldSettings::Chat { .. }, Some(value)) => chat_cell(value),
                (FieldSettings::Custom { .. }, Some(value)) => Cell::Json(value.clone()),
            });
        }
        for property in &self.schema.metadata_properties {
            let value = record.metadata.as_ref().and_then(|it| it.get(&property.name));
            row.push(match (&property.settings, value) {
                (_, None | Some(Value::Null)) => Cell::Null,
                (MetadataSettings::Terms { .. }, Some(value)) => text_cell(value),
                (MetadataSettings::Integer { .. }, Some(value)) => value.as_i64().map_or(Cell::Null, Cell::Int),
                (MetadataSettings::Float { .. }, Some(value)) => value.as_f64().map_or(Cell::Null, Cell::Float),
            });
        }
        for key in &self.extra_metadata {
            row.push(match record.metadata.as_ref().and_then(|it| it.get(key)) {
                None | Some(Value::Null) => Cell::Null,
                Some(value) => Cell::Json(value.clone()),
            });
        }
        let by_settings: HashMap<VectorSettingsId, &Vector> =
            vectors.iter().filter(|it| it.record_id == record.id).map(|it| (it.vector_settings_id, it)).collect();
        for settings in &self.schema.vector_settings {
            row.push(match by_settings.get(&settings.id) {
                Some(vector) => Cell::FloatList(vector.value.clone()),
                None => Cell::Null,
            });
        }
        for question in &self.schema.questions {
            let mut values = Vec::new();
            let mut users = Vec::new();
            let mut statuses = Vec::new();
            for named in &it.responses {
                let response = &named.response;
                let Some(value) =
                    response.values.as_ref().and_then(|it| it.get(&question.name)).and_then(|it| it.get("value"))
                else {
                    continue;
                };
                values.push(sdk_value(question, value));
                users.push(response.user_id.to_string());
                statuses.push(response.status.as_str().to_owned());
            }
            if values.is_empty() {
                row.extend([Cell::Null, Cell::Null, Cell::Null]);
                continue;
            }
            row.push(match responses_type(question) {
                ColumnType::StrList => Cell::StrList(values.iter().map(plain_text).collect()),
                // A stored rating that is no integer (never valid) makes the list null.
                ColumnType::IntList => {
                    values.iter().map(Value::as_i64).collect::<Option<Vec<_>>>().map_or(Cell::Null, Cell::IntList)
                }
                _ => Cell::Json(Value::Array(values)),
            });
            row.push(Cell::StrList(users));
            row.push(Cell::StrList(statuses));
        }
        for question in &self.schema.questions {
            // One suggestion per question; the SDK keeps the last it reads.
            let Some(suggestion) = it.suggestions.iter().rev().find(|it| it.question_id == question.id) else {
                row.extend([Cell::Null, Cell::Null, Cell::Null]);
                continue;
            };
            let value = sdk_value(question, &suggestion.value);
            row.push(match suggestion_type(question) {
                ColumnType::Str => Cell::Str(plain_text(&value)),
                ColumnType::Int => value.as_i64().map_or(Cell::Null, Cell::Int),
                ColumnType::StrList => match value.as_array() {
                    Some(items) => Cell::StrList(items.iter().map(plain_text).collect()),
                    None => Cell::Null,
                },
                _ => Cell::Json(value),
            });
            row.push(match (score_type(question), &suggestion.score) {
                (_, Value::Null) => Cell::Null,
                (ColumnType::Float, score) => score.as_f64().map_or(Cell::Null, Cell::Float),
                (_, score) => Cell::Json(score.clone()),
            });
            row.push(suggestion.agent.clone().map_or(Cell::Null, Cell::Str));
        }
        row
    }
}

fn responses_type(question: &Question) -> ColumnType {
    match question.settings {
        QuestionSettings::Text { .. } | QuestionSettings::LabelSelection { .. } => ColumnType::StrList,
        QuestionSettings::Rating { .. } => ColumnType::IntList,
        QuestionSettings::MultiLabelSelection { .. } | QuestionSettings::Ranking { .. } => {
            ColumnType::Nested(Nested::StrLists)
        }
        QuestionSettings::Span { .. } => ColumnType::Nested(Nested::SpanLists),
    }
}

fn suggestion_type(question: &Question) -> ColumnType {
    match question.settings {
        QuestionSettings::Text { .. } | QuestionSettings::LabelSelection { .. } => ColumnType::Str,
        QuestionSettings::Rating { .. } => ColumnType::Int,
        QuestionSettings::MultiLabelSelection { .. } | QuestionSettings::Ranking { .. } => ColumnType::StrList,
        QuestionSettings::Span { .. } => ColumnType::Nested(Nested::Spans),
    }
}

fn score_type(question: &Question) -> ColumnType {
    match question.settings {
        QuestionSettings::Text { .. } | QuestionSettings::LabelSelection { .. } | QuestionSettings::Rating { .. } => {
            ColumnType::Float
        }
        // A list value's score is a list of numbers (the server refuses a single one).
        _ => ColumnType::Nested(Nested::Floats),
    }
}

/// A stored value as the SDK shows it: a ranking as its values, in the order given.
fn sdk_value(question: &Question, value: &Value) -> Value {
    match (&question.settings, value.as_array()) {
        (QuestionSettings::Ranking { .. }, Some(items)) => {
            Value::Array(items.iter().map(|it| it.get("value").cloned().unwrap_or(Value::Null)).collect())
        }
        _ => value.clone(),
    }
}

/// A string as it is; any other value as its JSON text.
fn plain_text(value: &Value) -> String {
    match value {
        Value::String(it) => it.clone(),
        other => other.to_string(),
    }
}

fn text_cell(value: &Value) -> Cell {
    Cell::Str(plain_text(value))
}

/// A chat field's messages; a message without a string role or content keeps what it has as text.
fn chat_cell(value: &Value) -> Cell {
    let Some(items) = value.as_array() else {
        return Cell::Null;
    };
    Cell::Messages(
        items
            .iter()
            .map(|it| Message {
                role: it.get("role").map(plain_text).unwrap_or_default(),
                content: it.get("content").map(plain_text).unwrap_or_default(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use loam_domain::answer::NamedResponse;
    use loam_domain::distribution::RecordStatus;
    use loam_domain::model::{Field, MetadataProperty, Record, Response, Suggestion, VectorSettings};
    use loam_domain::settings::LabelOption;
    use loam_domain::value::ResponseStatus;
    use loam_domain::*;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    const T: Timestamp = Timestamp(0);

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn options(values: &[&str]) -> Vec<LabelOption> {
        values.iter().map(|it| LabelOption { value: (*it).into(), text: (*it).into(), description: None }).collect()
    }

    fn schema() -> DatasetSchema {
        let ds = DatasetId(id(1));
        let field = |n, name: &str, settings| Field {
            id: FieldId(id(n)),
            dataset_id: ds,
            name: name.into(),
            title: name.into(),
            description: None,
            required: true,
            settings,
            inserted_at: T,
            updated_at: T,
        };
        let question = |n, name: &str, settings| Question {
            id: QuestionId(id(n)),
            dataset_id: ds,
            name: name.into(),
            title: name.into(),
            description: None,
            required: false,
            settings,
            inserted_at: T,
            updated_at: T,
        };
        let property = |n, name: &str, settings| MetadataProperty {
            id: MetadataPropertyId(id(n)),
            dataset_id: ds,
            name: name.into(),
            title: name.into(),
            settings,
            visible_for_annotators: true,
            inserted_at: T,
            updated_at: T,
        };
        DatasetSchema {
            fields: vec![
                field(10, "prompt", FieldSettings::Text { use_markdown: false }),
                field(11, "chat", FieldSettings::Chat { use_markdown: false }),
            ],
            questions: vec![
                question(
                    20,
                    "label",
                    QuestionSettings::LabelSelection { options: options(&["a", "b"]), visible_options: None },
                ),
                question(21, "rank", QuestionSettings::Ranking { options: options(&["r1", "r2"]) }),
                question(22, "score", QuestionSettings::Rating { options: vec![1, 2, 3] }),
            ],
            metadata_properties: vec![
                property(30, "n", MetadataSettings::Integer { min: None, max: None }),
                property(31, "tag", MetadataSettings::Terms { values: None }),
            ],
            vector_settings: vec![VectorSettings {
                id: VectorSettingsId(id(40)),
                dataset_id: ds,
                name: "emb".into(),
                title: "emb".into(),
                dimensions: 2,
                inserted_at: T,
                updated_at: T,
            }],
        }
    }

    fn response(n: u128, user: u128, status: ResponseStatus, values: Value) -> NamedResponse {
        NamedResponse {
            username: format!("user{user}"),
            response: Response {
                id: ResponseId(id(n)),
                record_id: RecordId(id(100)),
                user_id: UserId(id(user)),
                values: Some(values),
                status,
                inserted_at: T,
                updated_at: T,
            },
        }
    }

    #[test]
    fn a_record_flattens_into_the_sdk_columns() {
        let shape = RecordsShape::new(&schema());
        let names: Vec<&str> = shape.columns().iter().map(|it| it.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "status",
                "_server_id",
                "prompt",
                "chat",
                "n",
                "tag",
                "emb",
                "label.responses",
                "label.responses.users",
                "label.responses.status",
                "rank.responses",
                "rank.responses.users",
                "rank.responses.status",
                "score.responses",
                "score.responses.users",
                "score.responses.status",
                "label.suggestion",
                "label.suggestion.score",
                "label.suggestion.agent",
                "rank.suggestion",
                "rank.suggestion.score",
                "rank.suggestion.agent",
                "score.suggestion",
                "score.suggestion.score",
                "score.suggestion.agent",
            ]
        );
        let mut fields = serde_json::Map::new();
        fields.insert("prompt".into(), json!("Why?"));
        fields.insert("chat".into(), json!([{"role": "user", "content": "hi"}]));
        let mut metadata = serde_json::Map::new();
        metadata.insert("n".into(), json!(7));
        metadata.insert("tag".into(), json!(["x", "y"]));
        metadata.insert("unlisted".into(), json!(1));
        let record = AnnotatedRecord {
            record: Record {
                id: RecordId(id(100)),
                dataset_id: DatasetId(id(1)),
                fields,
                metadata: Some(metadata),
                external_id: Some("ext-1".into()),
                status: RecordStatus::Completed,
                inserted_at: T,
                updated_at: T,
            },
            responses: vec![
                response(200, 2, ResponseStatus::Submitted, json!({"label": {"value": "a"}, "score": {"value": 3}})),
                response(
                    201,
                    3,
                    ResponseStatus::Draft,
                    json!({"label": {"value": "b"}, "rank": {"value": [{"value": "r2", "rank": 1}, {"value": "r1", "rank": 2}]}}),
                ),
            ],
            suggestions: vec![Suggestion {
                id: SuggestionId(id(300)),
                record_id: RecordId(id(100)),
                question_id: QuestionId(id(20)),
                value: json!("b"),
                score: json!(0.25),
                agent: Some("gpt".into()),
                kind: None,
                inserted_at: T,
                updated_at: T,
            }],
        };
        let vectors = [Vector {
            record_id: RecordId(id(100)),
            vector_settings_id: VectorSettingsId(id(40)),
            value: vec![0.5, 1.0],
        }];
        let row = shape.row(&record, &vectors, 0);
        let strs = |items: &[&str]| Cell::StrList(items.iter().map(|it| (*it).to_owned()).collect());
        let u2 = id(2).to_string();
        let u3 = id(3).to_string();
        assert_eq!(
            row,
            vec![
                Cell::Str("ext-1".into()),
                Cell::Str("completed".into()),
                Cell::Str(id(100).to_string()),
                Cell::Str("Why?".into()),
                Cell::Messages(vec![Message { role: "user".into(), content: "hi".into() }]),
                Cell::Int(7),
                Cell::Str(r#"["x","y"]"#.into()),
                Cell::FloatList(vec![0.5, 1.0]),
                strs(&["a", "b"]),
                strs(&[&u2, &u3]),
                strs(&["submitted", "draft"]),
                Cell::Json(json!([["r2", "r1"]])),
                strs(&[&u3]),
                strs(&["draft"]),
                Cell::IntList(vec![3]),
                strs(&[&u2]),
                strs(&["submitted"]),
                Cell::Str("b".into()),
                Cell::Float(0.25),
                Cell::Str("gpt".into()),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ]
        );
        for (cell, column) in row.iter().zip(shape.columns()) {
            assert!(cell.fits(column.ty), "{} {cell:?}", column.name);
        }
    }
}
