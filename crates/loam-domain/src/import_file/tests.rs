//! The column mapping: inference, explicit mappings, refusals naming what is wrong, and rows.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{AgentSource, MappedSuggestion, Mapping, Target};
use crate::ids::{DatasetId, FieldId, MetadataPropertyId, QuestionId, VectorSettingsId};
use crate::model::{DatasetSchema, Field, MetadataProperty, Question, VectorSettings};
use crate::settings::{FieldSettings, LabelOption, MetadataSettings, OptionsOrder, QuestionSettings};
use crate::timestamp::Timestamp;

fn field(name: &str, settings: FieldSettings) -> Field {
    Field {
        id: FieldId(Uuid::nil()),
        dataset_id: DatasetId(Uuid::nil()),
        name: name.to_owned(),
        title: name.to_owned(),
        description: None,
        required: true,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn question(name: &str, settings: QuestionSettings) -> Question {
    Question {
        id: QuestionId(Uuid::nil()),
        dataset_id: DatasetId(Uuid::nil()),
        name: name.to_owned(),
        title: name.to_owned(),
        description: None,
        required: true,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn options(values: &[&str]) -> Vec<LabelOption> {
    values.iter().map(|it| LabelOption { value: (*it).to_owned(), text: (*it).to_owned(), description: None }).collect()
}

fn metadata(name: &str, settings: MetadataSettings) -> MetadataProperty {
    MetadataProperty {
        id: MetadataPropertyId(Uuid::nil()),
        dataset_id: DatasetId(Uuid::nil()),
        name: name.to_owned(),
        title: name.to_owned(),
        settings,
        visible_for_annotators: true,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn schema() -> DatasetSchema {
    DatasetSchema {
        fields: vec![
            field("text", FieldSettings::Text { use_markdown: false }),
            field("chat", FieldSettings::Chat { use_markdown: false }),
        ],
        questions: vec![
            question(
                "label",
                QuestionSettings::LabelSelection { options: options(&["a", "b"]), visible_options: None },
            ),
            question(
                "topics",
                QuestionSettings::MultiLabelSelection {
                    options: options(&["x", "y"]),
                    visible_options: None,
                    options_order: OptionsOrder::Natural,
                },
            ),
        ],
        metadata_properties: vec![
            metadata("source", MetadataSettings::Terms { values: None }),
            metadata("n", MetadataSettings::Integer { min: None, max: None }),
        ],
        vector_settings: vec![VectorSettings {
            id: VectorSettingsId(Uuid::nil()),
            dataset_id: DatasetId(Uuid::nil()),
            name: "emb".to_owned(),
            title: "emb".to_owned(),
            dimensions: 2,
            inserted_at: Timestamp(0),
            updated_at: Timestamp(0),
        }],
    }
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|it| (*it).to_owned()).collect()
}

fn row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[test]
fn infers_every_section_from_names() {
    let columns = cols(&[
        "id",
        "text",
        "source",
        "n",
        "emb",
        "label.suggestion",
        "label.suggestion.score",
        "label.suggestion.agent",
        "topics",
        "topics_score",
        "other",
    ]);
    let mapping = Mapping::resolve(None, &schema(), &columns).unwrap();
    assert_eq!(mapping.fields, vec![("text".to_owned(), "text".to_owned(), Target::Text)]);
    assert_eq!(mapping.metadata.len(), 2);
    assert_eq!(mapping.external_id.as_deref(), Some("id"));
    assert_eq!(mapping.vectors, vec![("emb".to_owned(), "emb".to_owned())]);
    assert_eq!(mapping.suggestions.len(), 2);
    assert_eq!(mapping.suggestions[0].value, "label.suggestion");
    assert_eq!(mapping.suggestions[0].score.as_deref(), Some("label.suggestion.score"));
    assert_eq!(mapping.suggestions[0].agent, AgentSource::Column("label.suggestion.agent".to_owned()));
    assert_eq!(mapping.suggestions[1].value, "topics");
    assert_eq!(mapping.suggestions[1].score.as_deref(), Some("topics_score"));
    assert_eq!(mapping.suggestions[1].agent, AgentSource::None);
    // The JSON form reads back to the same mapping.
    let again = Mapping::resolve(Some(&mapping.to_json()), &schema(), &columns).unwrap();
    assert_eq!(again, mapping);
}

#[test]
fn external_id_prefers_its_own_column() {
    let mapping = Mapping::resolve(None, &schema(), &cols(&["id", "external_id", "text"])).unwrap();
    assert_eq!(mapping.external_id.as_deref(), Some("external_id"));
}

#[test]
fn explicit_sections_replace_inference_and_others_stay_inferred() {
    let spec = json!({
        "fields": {"text": "body"},
        "suggestions": {"label": {"value": "pred", "score": "conf", "agent": "gpt-4"}},
        "external_id": null
    });
    let columns = cols(&["body", "text", "pred", "conf", "source", "id"]);
    let mapping = Mapping::resolve(Some(&spec), &schema(), &columns).unwrap();
    assert_eq!(mapping.fields, vec![("text".to_owned(), "body".to_owned(), Target::Text)]);
    assert_eq!(mapping.suggestions[0].agent, AgentSource::Literal("gpt-4".to_owned()));
    assert_eq!(mapping.metadata[0].0, "source");
    assert_eq!(mapping.external_id, None);
}

fn refused(spec: Value, columns: &[&str]) -> String {
    match Mapping::resolve(Some(&spec), &schema(), &cols(columns)) {
        Ok(it) => panic!("accepted: {it:?}"),
        Err(err) => err.0,
    }
}

#[test]
fn refusals_name_every_problem() {
    let msg = refused(
        json!({"fields": {"text": "missing", "nope": "body"}, "suggestions": {"ghost": "x"}, "vectors": {"v": "emb"}, "extra": 1}),
        &["body", "emb", "x"],
    );
    for part in [
        "unknown mapping key `extra`",
        "the dataset has no field `nope`",
        "the dataset has no question `ghost`",
        "the dataset has no vector settings `v`",
        "the file has no column `missing`",
    ] {
        assert!(msg.contains(part), "{part} not in {msg}");
    }
    let msg =
        refused(json!({"suggestions": {"label": {"score": "s", "agent": "a", "agent_column": "b"}}}), &["s", "b"]);
    assert!(msg.contains("needs a `value` column"), "{msg}");
    assert!(msg.contains("both `agent_column` and `agent`"), "{msg}");
    assert!(refused(json!({"metadata": {"n": 3}}), &["n"]).contains("must be a column name"));
    assert!(refused(json!({}), &["unrelated"]).contains("no column of the file maps"));
    assert!(Mapping::resolve(Some(&json!([1])), &schema(), &[]).is_err());
}

#[test]
fn text_cells_are_read_per_target() {
    let columns = cols(&["text", "chat", "source", "n", "emb", "topics", "topics_score", "id"]);
    let mapping = Mapping::resolve(None, &schema(), &columns).unwrap();
    let cells = row(json!({
        "text": "[not json]",
        "chat": "[{\"role\": \"user\", \"content\": \"hi\"}]",
        "source": "12",
        "n": "12",
        "emb": "[0.5, 1]",
        "topics": "[\"x\"]",
        "topics_score": "",
        "id": "7"
    }));
    let mapped = mapping.map_row(&cells, true).unwrap();
    assert_eq!(mapped.fields["text"], json!("[not json]"));
    assert_eq!(mapped.fields["chat"], json!([{"role": "user", "content": "hi"}]));
    let meta = mapped.metadata.unwrap();
    assert_eq!(meta["source"], json!("12"));
    assert_eq!(meta["n"], json!(12));
    assert_eq!(mapped.vectors["emb"], json!([0.5, 1]));
    assert_eq!(
        mapped.suggestions,
        vec![MappedSuggestion { question: "topics".to_owned(), value: json!(["x"]), score: None, agent: None }]
    );
    assert_eq!(mapped.external_id.as_deref(), Some("7"));
    // Text that is not JSON stays text, for the record rules to refuse.
    let bad = mapping.map_row(&row(json!({"text": "t", "n": "many"})), true).unwrap();
    assert_eq!(bad.metadata.unwrap()["n"], json!("many"));
}

#[test]
fn typed_cells_stay_as_they_are() {
    let mapping = Mapping::resolve(None, &schema(), &cols(&["text", "n", "id", "chat", "source"])).unwrap();
    let mapped = mapping
        .map_row(&row(json!({"text": "12", "n": 3, "id": 42, "chat": "[{\"role\":\"user\",\"content\":\"x\"}]", "source": null})), false)
        .unwrap();
    assert_eq!(mapped.fields["text"], json!("12"));
    assert_eq!(mapped.fields["chat"], json!([{"role": "user", "content": "x"}]));
    assert_eq!(mapped.metadata.unwrap(), row(json!({"n": 3})));
    assert_eq!(mapped.external_id.as_deref(), Some("42"));
    let empty = mapping.map_row(&row(json!({"text": ""})), false).unwrap();
    assert_eq!(empty.fields["text"], json!(""));
    assert_eq!(empty.metadata, None);
    let err = mapping.map_row(&row(json!({"text": "t", "id": [1]})), false).unwrap_err();
    assert!(err.contains("column `id`"), "{err}");
}

#[test]
fn a_row_without_any_field_names_the_missing_fields() {
    let columns = cols(&["prompt", "dialogue", "n"]);
    let spec = json!({"fields": {"text": "prompt", "chat": "dialogue"}});
    let mapping = Mapping::resolve(Some(&spec), &schema(), &columns).unwrap();
    for cells in [json!({"n": 3}), json!({"prompt": null, "dialogue": null, "n": 3})] {
        let err = mapping.map_row(&row(cells), false).unwrap_err();
        assert!(err.starts_with("the row has no value for any field: "), "{err}");
        assert!(err.contains("`text` (column `prompt`)") && err.contains("`chat` (column `dialogue`)"), "{err}");
    }
    // An empty text cell of a CSV file is no value either.
    let err = mapping.map_row(&row(json!({"prompt": "", "dialogue": "", "n": "3"})), true).unwrap_err();
    assert!(err.contains("`text` (column `prompt`)"), "{err}");
    // One field is enough here; the record rules judge the required ones.
    assert!(mapping.map_row(&row(json!({"prompt": "hi"})), false).is_ok());
}
