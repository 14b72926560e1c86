//! The folder Argilla's v2 SDK reads back (`rg.Dataset.from_disk`, and `rg.Dataset.from_hub`
//! once uploaded to the Hub): `.argilla/dataset.json` and `.argilla/settings.json` (the dataset
//! and its settings in the REST shapes the SDK dumps there), `records.json` (the records as the
//! SDK's `Record.to_dict()`: `id`, `fields`, `metadata`, `vectors`, `suggestions` by question,
//! `responses` by question as `{value, user_id, status}` — the status is a key `Response`
//! takes, so `from_disk` keeps it where the SDK's own `to_disk` loses it; a ranking's value as
//! `[{value, rank}]`, which the server requires of a submitted ranking —, `status`,
//! `_server_id`), and the Hugging Face datasets folder of `hub.rs` holding the `records` shape
//! without loam's provenance columns (`data/train-00000-of-00001.parquet`, `README.md`): the
//! columns of `to_datasets()`.
//!
//! The rows come in the `records` shape ([`crate::RecordsShape`]), with a column per extra
//! metadata key (keys of no metadata property, [`ArgillaConfig::extra_metadata`]) after the metadata
//! properties, as `to_datasets()` flattens a record's metadata; `records.json` is rebuilt from
//! them, so both files hold the same records, extra metadata in each record's `metadata` as the
//! SDK's `to_dict` has it. Custom fields and extra metadata are typed in the Parquet file as
//! `datasets` infers them from the values ([`ArgillaConfig::json_types`], `typed_json.rs`: a
//! custom field's objects as a struct). [`ArgillaWriter`] writes the folder on disk, or into
//! a temporary folder that [`ArgillaWriter::finish`] sends as one deterministic tar stream.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use loam_domain::json_type::JsonType;
use loam_domain::table::{Cell, Column, Row};
use serde_json::{json, Map, Value};

use crate::hub::{append_dir, append_file, FolderWriter};
use crate::{Card, TableWriter, DATA_FILE};

/// What `.argilla/` holds: the dataset and its settings, as the SDK's files have them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArgillaConfig {
    /// `dataset.json`: the dataset in the REST shape (`name`, `guidelines`, `distribution`…).
    pub dataset: Value,
    /// `settings.json`: `guidelines`, `fields`, `questions`, `metadata`, `vectors` (each in the
    /// REST shape), `allow_extra_metadata`, `distribution`, `mapping`.
    pub settings: Value,
    /// The extra metadata keys that have a column of the rows (metadata of no property).
    pub extra_metadata: Vec<String>,
    /// The types of the JSON columns (custom fields, extra metadata) inferred from their values:
    /// the Parquet file holds them so (`typed_json.rs`).
    pub json_types: Vec<(String, JsonType)>,
}

/// What a column of the `records` shape is to `records.json`.
#[derive(Clone, Debug)]
enum Role {
    Id,
    Status,
    ServerId,
    Field(String),
    Metadata(String),
    Vector(String),
    Responses(String),
    Users(String),
    Statuses(String),
    Suggestion(String),
    Score(String),
    Agent(String),
    /// loam's provenance columns: not in the SDK's files.
    Other,
}

fn names(settings: &Value, key: &str) -> Vec<String> {
    settings
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|it| it.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The names of the ranking questions: their responses go into `records.json` with their ranks
/// (`[{value, rank}]`), which the server requires of a submitted ranking and the SDK passes
/// through, where the SDK's own `to_disk` keeps only the values.
fn ranking_questions(settings: &Value) -> Vec<String> {
    settings
        .get("questions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|it| it.pointer("/settings/type").and_then(Value::as_str) == Some("ranking"))
        .filter_map(|it| it.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn ranked(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(idx, it)| match it {
                    Value::String(text) => json!({ "value": text, "rank": idx + 1 }),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

fn roles(columns: &[Column], config: &ArgillaConfig) -> Vec<Role> {
    let settings = &config.settings;
    let fields = names(settings, "fields");
    let mut metadata = names(settings, "metadata");
    metadata.extend(config.extra_metadata.iter().cloned());
    let vectors = names(settings, "vectors");
    let questions = names(settings, "questions");
    let question = |name: &str, suffix: &str| {
        name.strip_suffix(suffix).filter(|q| questions.iter().any(|it| it == q)).map(str::to_owned)
    };
    columns
        .iter()
        .map(|column| {
            let name = column.name.as_str();
            match name {
                "id" => return Role::Id,
                "status" => return Role::Status,
                "_server_id" => return Role::ServerId,
                _ => {}
            }
            if fields.iter().any(|it| it == name) {
                Role::Field(name.to_owned())
            } else if metadata.iter().any(|it| it == name) {
                Role::Metadata(name.to_owned())
            } else if vectors.iter().any(|it| it == name) {
                Role::Vector(name.to_owned())
            } else if let Some(q) = question(name, ".responses") {
                Role::Responses(q)
            } else if let Some(q) = question(name, ".responses.users") {
                Role::Users(q)
            } else if let Some(q) = question(name, ".responses.status") {
                Role::Statuses(q)
            } else if let Some(q) = question(name, ".suggestion") {
                Role::Suggestion(q)
            } else if let Some(q) = question(name, ".suggestion.score") {
                Role::Score(q)
            } else if let Some(q) = question(name, ".suggestion.agent") {
                Role::Agent(q)
            } else {
                Role::Other
            }
        })
        .collect()
}

/// A cell as the JSON the SDK's `to_dict` holds.
fn json_of(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Str(it) => Value::from(it.as_str()),
        Cell::Int(it) => Value::from(*it),
        Cell::Float(it) => serde_json::Number::from_f64(*it).map_or(Value::Null, Value::Number),
        Cell::Bool(it) => Value::Bool(*it),
        Cell::StrList(it) => Value::from(it.clone()),
        Cell::Messages(it) => {
            Value::Array(it.iter().map(|m| json!({ "role": m.role, "content": m.content })).collect())
        }
        Cell::Json(it) => it.clone(),
        Cell::IntList(it) => Value::from(it.clone()),
        Cell::FloatList(it) => Value::Array(
            it.iter().map(|v| serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number)).collect(),
        ),
    }
}

fn list(cell: &Cell) -> Vec<Value> {
    match json_of(cell) {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

/// One row of the `records` shape as an object of `records.json`.
fn record_json(row: &Row, roles: &[Role], ranking: &[String]) -> Value {
    let mut out = Map::new();
    let (mut fields, mut metadata, mut vectors) = (Map::new(), Map::new(), Map::new());
    let mut suggestions: Map<String, Value> = Map::new();
    let mut responses: Vec<(String, [Vec<Value>; 3])> = Vec::new();
    let mut id = Value::Null;
    let mut server_id = Value::Null;
    let mut status = Value::Null;
    for (cell, role) in row.iter().zip(roles) {
        let value = json_of(cell);
        let mut answers = |q: &str, at: usize| {
            let idx = match responses.iter().position(|(name, _)| name == q) {
                Some(idx) => idx,
                None => {
                    responses.push((q.to_owned(), Default::default()));
                    responses.len() - 1
                }
            };
            responses[idx].1[at] = list(cell);
        };
        match role {
            Role::Id => id = value,
            Role::Status => status = value,
            Role::ServerId => server_id = value,
            Role::Field(name) if !value.is_null() => _ = fields.insert(name.clone(), value),
            Role::Metadata(name) if !value.is_null() => _ = metadata.insert(name.clone(), value),
            Role::Vector(name) if !value.is_null() => _ = vectors.insert(name.clone(), value),
            Role::Responses(q) => answers(q, 0),
            Role::Users(q) => answers(q, 1),
            Role::Statuses(q) => answers(q, 2),
            Role::Suggestion(q) | Role::Score(q) | Role::Agent(q) => {
                let entry = suggestions
                    .entry(q.clone())
                    .or_insert_with(|| json!({ "value": null, "score": null, "agent": null }));
                let key = match role {
                    Role::Suggestion(_) => "value",
                    Role::Score(_) => "score",
                    _ => "agent",
                };
                entry[key] = value;
            }
            _ => {}
        }
    }
    suggestions.retain(|_, it| !it["value"].is_null());
    let mut by_question = Map::new();
    for (q, [values, users, statuses]) in responses {
        let is_ranking = ranking.contains(&q);
        let items: Vec<Value> = values
            .into_iter()
            .zip(users)
            .enumerate()
            .map(|(idx, (value, user))| {
                let value = if is_ranking { ranked(value) } else { value };
                json!({ "value": value, "user_id": user, "status": statuses.get(idx).cloned().unwrap_or(Value::Null) })
            })
            .collect();
        if !items.is_empty() {
            by_question.insert(q, Value::Array(items));
        }
    }
    if id.is_null() {
        id = server_id.clone();
    }
    out.insert("id".into(), id);
    out.insert("fields".into(), Value::Object(fields));
    out.insert("metadata".into(), Value::Object(metadata));
    out.insert("suggestions".into(), Value::Object(suggestions));
    out.insert("responses".into(), Value::Object(by_question));
    out.insert("vectors".into(), Value::Object(vectors));
    out.insert("status".into(), status);
    out.insert("_server_id".into(), server_id);
    Value::Object(out)
}

/// The folder, on disk or (with `tar`) as a tar stream at the end.
pub struct ArgillaWriter {
    dir: PathBuf,
    /// Keeps the temporary folder of a tar stream alive until it is sent.
    _temp: Option<tempfile::TempDir>,
    tar: Option<(Box<dyn Write + Send>, String)>,
    roles: Vec<Role>,
    ranking: Vec<String>,
    keep: Vec<usize>,
    data: Box<FolderWriter>,
    records: BufWriter<File>,
    first: bool,
    config: ArgillaConfig,
}

impl ArgillaWriter {
    /// Writes the folder `dir` (created when missing).
    pub fn new(columns: &[Column], card: Card, config: ArgillaConfig, dir: &Path) -> io::Result<Self> {
        Self::open(columns, card, config, dir.to_owned(), None, None)
    }

    /// Writes the folder as a tar archive to `out`, its entries under `card.folder`.
    pub fn tar<W: Write + Send + 'static>(
        columns: &[Column],
        card: Card,
        config: ArgillaConfig,
        out: W,
    ) -> io::Result<Self> {
        let temp = tempfile::tempdir()?;
        let folder = if card.folder.is_empty() { "export".to_owned() } else { card.folder.clone() };
        let dir = temp.path().to_owned();
        let out: Box<dyn Write + Send> = Box::new(out);
        Self::open(columns, card, config, dir, Some(temp), Some((out, folder)))
    }

    fn open(
        columns: &[Column],
        card: Card,
        config: ArgillaConfig,
        dir: PathBuf,
        temp: Option<tempfile::TempDir>,
        tar: Option<(Box<dyn Write + Send>, String)>,
    ) -> io::Result<Self> {
        let roles = roles(columns, &config);
        let ranking = ranking_questions(&config.settings);
        let keep: Vec<usize> = (0..columns.len()).filter(|idx| !matches!(roles[*idx], Role::Other)).collect();
        let kept: Vec<Column> = keep.iter().map(|idx| columns[*idx].clone()).collect();
        std::fs::create_dir_all(dir.join(".argilla"))?;
        let data = Box::new(FolderWriter::typed(&kept, config.json_types.clone(), card, &dir)?);
        let mut records = BufWriter::with_capacity(1 << 16, File::create(dir.join("records.json"))?);
        records.write_all(b"[")?;
        Ok(ArgillaWriter { dir, _temp: temp, tar, roles, ranking, keep, data, records, first: true, config })
    }
}

impl TableWriter for ArgillaWriter {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        crate::check_row_len(row, self.roles.len())?;
        let kept: Row = self.keep.iter().map(|idx| row[*idx].clone()).collect();
        self.data.write(&kept)?;
        if !self.first {
            self.records.write_all(b", ")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.records, &record_json(row, &self.roles, &self.ranking))?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<u64> {
        let ArgillaWriter { dir, _temp, tar, data, mut records, config, .. } = *self;
        records.write_all(b"]")?;
        records.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        let rows = data.finish()?;
        std::fs::write(dir.join(".argilla/dataset.json"), serde_json::to_vec(&config.dataset)?)?;
        std::fs::write(dir.join(".argilla/settings.json"), serde_json::to_vec(&config.settings)?)?;
        if let Some((out, folder)) = tar {
            let mut archive = tar::Builder::new(out);
            archive.mode(tar::HeaderMode::Deterministic);
            append_dir(&mut archive, &format!("{folder}/"))?;
            append_dir(&mut archive, &format!("{folder}/.argilla/"))?;
            for name in [".argilla/dataset.json", ".argilla/settings.json", "records.json", "README.md"] {
                add(&mut archive, &dir, &folder, name)?;
            }
            append_dir(&mut archive, &format!("{folder}/data/"))?;
            add(&mut archive, &dir, &folder, DATA_FILE)?;
            let mut out = archive.into_inner()?;
            out.flush()?;
        }
        Ok(rows)
    }
}

fn add<W: Write>(archive: &mut tar::Builder<W>, dir: &Path, folder: &str, name: &str) -> io::Result<()> {
    let file = File::open(dir.join(name))?;
    let size = file.metadata()?.len();
    append_file(archive, &format!("{folder}/{name}"), size, file)
}

#[cfg(test)]
mod tests {
    use loam_domain::table::{Cell, Column, ColumnType};
    use serde_json::{json, Value};

    use super::{ArgillaConfig, ArgillaWriter};
    use crate::{Card, TableWriter, DATA_FILE};

    fn columns() -> Vec<Column> {
        vec![
            Column::new("id", ColumnType::Str),
            Column::new("status", ColumnType::Str),
            Column::new("_server_id", ColumnType::Str),
            Column::new("text", ColumnType::Str),
            Column::new("genre", ColumnType::Str),
            Column::new("emb", ColumnType::FloatList),
            Column::new("label.responses", ColumnType::StrList),
            Column::new("label.responses.users", ColumnType::StrList),
            Column::new("label.responses.status", ColumnType::StrList),
            Column::new("label.suggestion", ColumnType::Str),
            Column::new("label.suggestion.score", ColumnType::Float),
            Column::new("label.suggestion.agent", ColumnType::Str),
            Column::new("loam_record_id", ColumnType::Str),
        ]
    }

    fn config() -> ArgillaConfig {
        ArgillaConfig {
            dataset: json!({"name": "reviews"}),
            settings: json!({"fields": [{"name": "text"}], "metadata": [{"name": "genre"}],
                             "vectors": [{"name": "emb"}], "questions": [{"name": "label"}]}),
            ..ArgillaConfig::default()
        }
    }

    fn s(text: &str) -> Cell {
        Cell::Str(text.into())
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                s("r1"),
                s("completed"),
                s("srv-1"),
                s("good"),
                s("news"),
                Cell::FloatList(vec![0.5, 1.0]),
                Cell::StrList(vec!["pos".into(), "neg".into()]),
                Cell::StrList(vec!["u1".into(), "u2".into()]),
                Cell::StrList(vec!["submitted".into(), "draft".into()]),
                s("pos"),
                Cell::Float(0.75),
                s("m"),
                s("x"),
            ],
            vec![
                Cell::Null,
                s("pending"),
                s("srv-2"),
                s("bad"),
                Cell::Null,
                Cell::Null,
                Cell::StrList(vec![]),
                Cell::StrList(vec![]),
                Cell::StrList(vec![]),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                s("y"),
            ],
        ]
    }

    #[test]
    fn the_folder_holds_what_from_disk_reads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let mut writer = Box::new(ArgillaWriter::new(&columns(), Card::default(), config(), &out).expect("opens"));
        for row in rows() {
            writer.write(&row).expect("writes");
        }
        assert_eq!(writer.finish().expect("finishes"), 2);
        let dataset: Value =
            serde_json::from_slice(&std::fs::read(out.join(".argilla/dataset.json")).expect("dataset.json"))
                .expect("JSON");
        assert_eq!(dataset["name"], "reviews");
        assert!(out.join(".argilla/settings.json").is_file() && out.join(DATA_FILE).is_file());
        let records: Value =
            serde_json::from_slice(&std::fs::read(out.join("records.json")).expect("records.json")).expect("JSON");
        assert_eq!(
            records[0],
            json!({
                "id": "r1", "fields": {"text": "good"}, "metadata": {"genre": "news"},
                "suggestions": {"label": {"value": "pos", "score": 0.75, "agent": "m"}},
                "responses": {"label": [{"value": "pos", "user_id": "u1", "status": "submitted"},
                                        {"value": "neg", "user_id": "u2", "status": "draft"}]},
                "vectors": {"emb": [0.5, 1.0]}, "status": "completed", "_server_id": "srv-1"
            })
        );
        assert_eq!(records[1]["id"], "srv-2", "no external id: the server id");
        assert_eq!(records[1]["responses"], json!({}));
        assert_eq!(records[1]["suggestions"], json!({}));
        let readme = std::fs::read_to_string(out.join("README.md")).expect("card");
        assert!(!readme.contains("loam_record_id"), "provenance columns are not the SDK's");
    }

    #[test]
    fn extra_metadata_and_custom_fields_are_kept_and_typed() {
        use arrow_schema::DataType;
        use loam_domain::json_type::JsonType;
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

        let columns = vec![
            Column::new("id", ColumnType::Str),
            Column::new("custom", ColumnType::Json),
            Column::new("genre", ColumnType::Str),
            Column::new("origin", ColumnType::Json),
            Column::new("mixed", ColumnType::Json),
            Column::new("loam_record_id", ColumnType::Str),
        ];
        let rows = [json!({"a": "x", "n": 1}), json!({"a": "y"})];
        let mut types = vec![("custom".to_owned(), JsonType::Null), ("origin".to_owned(), JsonType::Null)];
        types.push(("mixed".to_owned(), JsonType::Mixed));
        for value in &rows {
            types[0].1.add(value);
        }
        types[1].1.add(&json!({"line": 3}));
        let config = ArgillaConfig {
            dataset: json!({"name": "reviews"}),
            settings: json!({"fields": [{"name": "custom"}], "metadata": [{"name": "genre"}]}),
            extra_metadata: vec!["origin".into(), "mixed".into()],
            json_types: types,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let mut writer = Box::new(ArgillaWriter::new(&columns, Card::default(), config, &out).expect("opens"));
        writer
            .write(&vec![
                s("r1"),
                Cell::Json(rows[0].clone()),
                s("news"),
                Cell::Json(json!({"line": 3})),
                Cell::Json(json!(1)),
                s("x"),
            ])
            .expect("writes");
        writer
            .write(&vec![
                s("r2"),
                Cell::Json(rows[1].clone()),
                Cell::Null,
                Cell::Null,
                Cell::Json(json!("one")),
                s("y"),
            ])
            .expect("writes");
        writer.finish().expect("finishes");
        let records: Value =
            serde_json::from_slice(&std::fs::read(out.join("records.json")).expect("records.json")).expect("JSON");
        assert_eq!(records[0]["metadata"], json!({"genre": "news", "origin": {"line": 3}, "mixed": 1}));
        assert_eq!(records[1]["metadata"], json!({"mixed": "one"}));
        assert_eq!(records[0]["fields"]["custom"], rows[0]);
        let file = std::fs::File::open(out.join(DATA_FILE)).expect("data file");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
        let schema = builder.schema().clone();
        let ty = |name: &str| schema.field_with_name(name).expect(name).data_type().clone();
        let fields = |name: &str| match ty(name) {
            DataType::Struct(fields) => {
                fields.iter().map(|it| (it.name().clone(), it.data_type().clone())).collect::<Vec<_>>()
            }
            other => panic!("{name}: {other}"),
        };
        assert_eq!(fields("custom"), [("a".to_owned(), DataType::Utf8), ("n".to_owned(), DataType::Int64)]);
        assert_eq!(fields("origin"), [("line".to_owned(), DataType::Int64)]);
        assert_eq!(ty("mixed"), DataType::Utf8, "values of no one type stay JSON text");
        assert!(schema.field_with_name("loam_record_id").is_err());
        let readme = std::fs::read_to_string(out.join("README.md")).expect("card");
        assert!(
            readme.contains("  - name: \"custom\"\n    struct:\n    - name: \"a\"\n      dtype: string\n"),
            "{readme}"
        );
    }

    #[test]
    fn the_tar_holds_the_same_folder() {
        let mut bytes = Vec::new();
        {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
            impl std::io::Write for Sink {
                fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                    self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
                    Ok(buf.len())
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let card = Card { folder: "reviews-records".into(), ..Card::default() };
            let mut writer =
                Box::new(ArgillaWriter::tar(&columns(), card, config(), Sink(shared.clone())).expect("opens"));
            for row in rows() {
                writer.write(&row).expect("writes");
            }
            writer.finish().expect("finishes");
            bytes.extend_from_slice(&shared.lock().expect("lock"));
        }
        let mut archive = tar::Archive::new(bytes.as_slice());
        let names: Vec<String> = archive
            .entries()
            .expect("entries")
            .map(|it| it.expect("entry").path().expect("path").display().to_string())
            .collect();
        for want in [".argilla/dataset.json", ".argilla/settings.json", "records.json", "README.md", DATA_FILE] {
            assert!(names.contains(&format!("reviews-records/{want}")), "{want} in {names:?}");
        }
    }
}
