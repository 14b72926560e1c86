//! `.argilla/settings.json` and `.argilla/dataset.json` as the v2 SDK writes them
//! (`Settings.serialize()`, `DatasetModel.model_dump()`).

use serde_json::Value;

use crate::distribution::Distribution;
use crate::error::{Loc, SchemaError};
use crate::schema::{object, Reader};
use crate::settings::{field_description, FieldSettings, Limits, MetadataSettings, QuestionSettings};

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: FieldSettings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuestionDef {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: QuestionSettings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetadataDef {
    pub name: String,
    pub title: String,
    pub visible_for_annotators: bool,
    pub settings: MetadataSettings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VectorDef {
    pub name: String,
    pub title: String,
    pub dimensions: i64,
}

/// A dataset's settings as a folder states them.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderSettings {
    pub guidelines: Option<String>,
    pub allow_extra_metadata: bool,
    pub distribution: Distribution,
    pub fields: Vec<FieldDef>,
    pub questions: Vec<QuestionDef>,
    pub metadata: Vec<MetadataDef>,
    pub vectors: Vec<VectorDef>,
}

impl FolderSettings {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|it| it.name == name)
    }

    pub fn question(&self, name: &str) -> Option<&QuestionDef> {
        self.questions.iter().find(|it| it.name == name)
    }
}

/// The dataset's name in `.argilla/dataset.json`.
pub fn dataset_name(value: &Value) -> Result<String, SchemaError> {
    let loc = [];
    let r = Reader::new(object(value, &loc)?, &loc);
    r.string("name", 1, 200)
}

/// A title, or the name when the folder has none (the SDK's default).
fn title_or_name(r: &Reader<'_>, name: &str) -> Result<String, SchemaError> {
    Ok(r.opt_string("title", 1, 500)?.unwrap_or_else(|| name.to_owned()))
}

fn list<'a>(r: &Reader<'a>, key: &str) -> Result<&'a [Value], SchemaError> {
    match r.raw(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(_) => Ok(r.array(key)?.as_slice()),
    }
}

/// Parses `settings.json`; errors carry their place in the file (`fields.1.settings.type`).
pub fn parse_settings(value: &Value, limits: Limits) -> Result<FolderSettings, SchemaError> {
    let loc = [];
    let r = Reader::new(object(value, &loc)?, &loc);
    let distribution = match r.raw("distribution") {
        None | Some(Value::Null) => Distribution::default(),
        Some(value) => Distribution::parse(value, &r.at("distribution"))?,
    };
    let mut out = FolderSettings {
        guidelines: r.opt_string("guidelines", 1, 10000)?,
        allow_extra_metadata: r.opt_bool_or("allow_extra_metadata", true)?,
        distribution,
        fields: Vec::new(),
        questions: Vec::new(),
        metadata: Vec::new(),
        vectors: Vec::new(),
    };
    for (idx, value) in list(&r, "fields")?.iter().enumerate() {
        let loc = [Loc::from("fields"), Loc::from(idx)];
        let r = Reader::new(object(value, &loc)?, &loc);
        let name = r.string("name", 1, 200)?;
        out.fields.push(FieldDef {
            title: title_or_name(&r, &name)?,
            description: field_description(&r, "description")?,
            required: r.opt_bool_or("required", true)?,
            settings: FieldSettings::parse(settings_of(&r)?, &r.at("settings"))?,
            name,
        });
    }
    for (idx, value) in list(&r, "questions")?.iter().enumerate() {
        let loc = [Loc::from("questions"), Loc::from(idx)];
        let r = Reader::new(object(value, &loc)?, &loc);
        let name = r.string("name", 1, 200)?;
        out.questions.push(QuestionDef {
            title: title_or_name(&r, &name)?,
            description: r.opt_string("description", 1, 1000)?,
            required: r.opt_bool_or("required", true)?,
            settings: QuestionSettings::parse(settings_of(&r)?, &r.at("settings"), limits)?,
            name,
        });
    }
    for (idx, value) in list(&r, "metadata")?.iter().enumerate() {
        let loc = [Loc::from("metadata"), Loc::from(idx)];
        let r = Reader::new(object(value, &loc)?, &loc);
        let name = r.string("name", 1, 200)?;
        out.metadata.push(MetadataDef {
            title: title_or_name(&r, &name)?,
            visible_for_annotators: r.opt_bool_or("visible_for_annotators", true)?,
            settings: MetadataSettings::parse(settings_of(&r)?, &r.at("settings"))?,
            name,
        });
    }
    for (idx, value) in list(&r, "vectors")?.iter().enumerate() {
        let loc = [Loc::from("vectors"), Loc::from(idx)];
        let r = Reader::new(object(value, &loc)?, &loc);
        let name = r.string("name", 1, 200)?;
        let dimensions = r.int("dimensions")?;
        if dimensions < 1 {
            return Err(SchemaError::new(r.at("dimensions"), "greater_than", "Input should be greater than 0"));
        }
        out.vectors.push(VectorDef { title: title_or_name(&r, &name)?, dimensions, name });
    }
    Ok(out)
}

fn settings_of<'a>(r: &Reader<'a>) -> Result<&'a Value, SchemaError> {
    r.raw("settings").ok_or_else(|| SchemaError::new(r.at("settings"), "missing", "Field required"))
}
