//! The ceiling of `bench/ingest.py`'s workload on SQLite: the rows loam writes for those requests
//! — records, their full-text index entries (`record_fts`), metadata index entries
//! (`record_metadata`), suggestions and the dataset's record count — written straight into a fresh
//! database file made by loam's own migrations (`loam_store::Store::open`), on a connection set up
//! as loam's pool sets up its own (`loam_store::set_up_sqlite_connection`), through the same driver
//! (rusqlite over the same bundled SQLite), in the same transaction shape: one `BEGIN IMMEDIATE` …
//! `COMMIT` per request body, the same records per body.
//!
//! What it leaves out is everything that is not a row: HTTP, JSON parsing and validation (the
//! bodies are turned into rows before the clock starts), reads, the reply. Each row kind has one
//! cached prepared statement, bound per row. The rows it writes are the rows loam writes (compare
//! them with `bench/ingest_compare.py`; `bench/run-ingest.sh` does).
//!
//! Input: the file `ingest.py --bodies-out` writes (a first line `{"questions": {name: id}}`,
//! then one request body a line). Output: one JSON line shaped like `ingest.py`'s.
//!
//! ```sh
//! loam-ingest-ceiling --db /tmp/x/ceiling.db --bodies /tmp/x/bodies.jsonl [--json-out FILE]
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::model::{Dataset, DatasetStatus, Field, MetadataProperty, Question, Workspace};
use loam_domain::settings::{FieldSettings, Limits, MetadataSettings, QuestionSettings};
use loam_domain::{DatasetId, FieldId, MetadataPropertyId, QuestionId, Timestamp, WorkspaceId};
use loam_store::{Store, StoreConfig};
use rusqlite::{params, Connection, OpenFlags};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The dataset `ingest.py` creates: its text fields, in order (a field's position is its ordinal
/// in the text index), and its metadata properties.
const TEXT_FIELDS: [&str; 3] = ["prompt", "response_a", "response_b"];

#[derive(Parser)]
#[command(about = "Writes the rows of bench/ingest.py's requests straight into a fresh loam SQLite file, timed")]
struct Args {
    /// The database file to create (must not exist).
    #[arg(long)]
    db: PathBuf,
    /// The request bodies, as `ingest.py --bodies-out` writes them.
    #[arg(long)]
    bodies: PathBuf,
    #[arg(long, default_value = "ceiling")]
    label: String,
    /// Also write the JSON result line to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
}

/// One record's rows, ready to bind.
struct Row {
    id: Uuid,
    external_id: Option<String>,
    fields: String,
    metadata: Option<String>,
    /// (name, pos, num, term) for `record_metadata`.
    metadata_entries: Vec<(String, i64, Option<f64>, Option<String>)>,
    /// (field ordinal, text) for `record_fts`.
    texts: Vec<(i64, String)>,
    suggestions: Vec<SuggestionRow>,
}

/// One suggestion's columns (its record's id aside).
struct SuggestionRow {
    id: Uuid,
    question: Uuid,
    value: String,
    score: Option<String>,
    agent: Option<String>,
    kind: Option<String>,
}

/// The question ids of the bodies (by name), and the bodies as batches of rows.
type Bodies = (Map<String, Value>, Vec<Vec<Row>>);

/// `record_metadata`'s entries for a record's metadata, as loam-store's `records.rs` makes them:
/// strings and numbers, as values (pos -1) or as elements of a list.
fn metadata_entries(metadata: &Map<String, Value>) -> Vec<(String, i64, Option<f64>, Option<String>)> {
    fn scalar(value: &Value) -> Option<(Option<f64>, Option<String>)> {
        match value {
            Value::Number(n) => n.as_f64().map(|it| (Some(it), None)),
            Value::String(text) => Some((None, Some(text.clone()))),
            _ => None,
        }
    }
    let mut res = Vec::new();
    for (name, value) in metadata {
        if let Value::Array(items) = value {
            for (pos, item) in items.iter().enumerate() {
                if let Some((num, term)) = scalar(item) {
                    res.push((name.clone(), pos as i64, num, term));
                }
            }
        } else if let Some((num, term)) = scalar(value) {
            res.push((name.clone(), -1, num, term));
        }
    }
    res
}

fn json_text(value: &Value) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// One item of a request body as the rows loam stores for it.
fn row_of(item: &Value) -> Result<Row> {
    let fields = item.get("fields").and_then(Value::as_object).context("an item without fields")?;
    let metadata = item.get("metadata").and_then(Value::as_object);
    let texts = TEXT_FIELDS
        .iter()
        .enumerate()
        .filter_map(|(ordinal, name)| Some((ordinal as i64, fields.get(*name)?.as_str()?.to_owned())))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let mut suggestions = Vec::new();
    for s in item.get("suggestions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        let question = s.get("question_id").and_then(Value::as_str).context("a suggestion without question_id")?;
        let score = match s.get("score") {
            None | Some(Value::Null) => None,
            Some(score) => Some(json_text(score)?),
        };
        let text = |key: &str| s.get(key).and_then(Value::as_str).map(str::to_owned);
        let value = s.get("value").context("a suggestion without value")?;
        suggestions.push(SuggestionRow {
            id: Uuid::now_v7(),
            question: Uuid::parse_str(question)?,
            value: json_text(value)?,
            score,
            agent: text("agent"),
            kind: text("type"),
        });
    }
    Ok(Row {
        id: Uuid::now_v7(),
        external_id: item.get("external_id").and_then(Value::as_str).map(str::to_owned),
        fields: json_text(&Value::Object(fields.clone()))?,
        metadata: metadata.map(|it| json_text(&Value::Object(it.clone()))).transpose()?,
        metadata_entries: metadata.map(metadata_entries).unwrap_or_default(),
        texts,
        suggestions,
    })
}

/// Reads the file `ingest.py --bodies-out` writes.
fn read_bodies(path: &Path) -> Result<Bodies> {
    let mut lines = BufReader::new(File::open(path).with_context(|| format!("open {}", path.display()))?).lines();
    let header: Value = serde_json::from_str(&lines.next().context("an empty bodies file")??)?;
    let questions = header.get("questions").and_then(Value::as_object).context("no questions in the header")?;
    let mut batches = Vec::new();
    for line in lines {
        let body: Value = serde_json::from_str(&line?)?;
        let items = body.get("items").and_then(Value::as_array).context("a body without items")?;
        batches.push(items.iter().map(row_of).collect::<Result<Vec<_>>>()?);
    }
    Ok((questions.clone(), batches))
}

fn now() -> Timestamp {
    Timestamp::from_offset(time::OffsetDateTime::now_utc())
}

fn schema_error(err: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("settings: {err:?}")
}

/// Creates the database with loam's migrations and the dataset `ingest.py` creates (published),
/// through loam-store's own writes; returns the dataset's id.
async fn create_database(path: &Path, questions: &Map<String, Value>) -> Result<DatasetId> {
    if path.exists() {
        bail!("{} exists: the ceiling writes a fresh file", path.display());
    }
    let store = Store::open(&StoreConfig { url: format!("sqlite://{}", path.display()), max_connections: 2 }).await?;
    let mut tx = store.write().await?;
    let at = now();
    // Settings are listed by `inserted_at`: each gets its own, in order.
    let mut tick = at.0;
    let mut next = || {
        tick += 1;
        Timestamp(tick)
    };
    let ws = Workspace { id: WorkspaceId(Uuid::now_v7()), name: "bench".to_owned(), inserted_at: at, updated_at: at };
    loam_store::workspaces::insert_workspace(&mut tx, &ws).await?;
    let ds = Dataset {
        id: DatasetId(Uuid::now_v7()),
        name: "ingest-ceiling".to_owned(),
        guidelines: None,
        allow_extra_metadata: true,
        status: DatasetStatus::Ready,
        distribution: Distribution::default(),
        metadata: None,
        workspace_id: ws.id,
        last_activity_at: at,
        inserted_at: at,
        updated_at: at,
        responses_visible_for_annotators: false,
        settings_version: 0,
    };
    loam_store::datasets::insert_dataset(&mut tx, &ds).await?;
    for name in TEXT_FIELDS {
        let settings =
            FieldSettings::parse(&json!({"type": "text", "use_markdown": false}), &[]).map_err(schema_error)?;
        let (id, t) = (FieldId(Uuid::now_v7()), next());
        let field = Field {
            id,
            dataset_id: ds.id,
            name: name.to_owned(),
            title: name.to_owned(),
            description: None,
            required: true,
            settings,
            inserted_at: t,
            updated_at: t,
        };
        loam_store::settings::insert_field(&mut tx, &field).await?;
    }
    let question_settings = [
        (
            "quality",
            json!({"type": "label_selection", "options": [{"value": "good", "text": "good"}, {"value": "bad", "text": "bad"}]}),
        ),
        (
            "score",
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}, {"value": 4}, {"value": 5}]}),
        ),
    ];
    for (name, settings) in question_settings {
        let id = questions.get(name).and_then(Value::as_str).with_context(|| format!("no id for question {name}"))?;
        let t = next();
        let question = Question {
            id: QuestionId(Uuid::parse_str(id)?),
            dataset_id: ds.id,
            name: name.to_owned(),
            title: name.to_owned(),
            description: None,
            required: true,
            settings: QuestionSettings::parse(&settings, &[], Limits::default()).map_err(schema_error)?,
            inserted_at: t,
            updated_at: t,
        };
        loam_store::settings::insert_question(&mut tx, &question).await?;
    }
    let properties = [
        ("source", json!({"type": "terms", "values": null})),
        ("length", json!({"type": "integer", "min": null, "max": null})),
    ];
    for (name, settings) in properties {
        let t = next();
        let property = MetadataProperty {
            id: MetadataPropertyId(Uuid::now_v7()),
            dataset_id: ds.id,
            name: name.to_owned(),
            title: name.to_owned(),
            settings: MetadataSettings::parse(&settings, &[]).map_err(schema_error)?,
            visible_for_annotators: true,
            inserted_at: t,
            updated_at: t,
        };
        loam_store::settings::insert_metadata_property(&mut tx, &property).await?;
    }
    tx.commit().await?;
    store.close().await;
    Ok(ds.id)
}

/// Writes one batch of rows in one write transaction, as loam's bulk request does.
fn write_batch(conn: &Connection, dataset: &[u8], rows: &[Row]) -> Result<()> {
    let at = now().0;
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let mut record = conn.prepare_cached(
        "insert into records (id, dataset_id, external_id, fields, metadata, status, inserted_at, updated_at) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?;
    let mut metadata = conn.prepare_cached(
        "insert into record_metadata (record_seq, name, pos, dataset_id, num, term) values (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut fts = conn.prepare_cached("insert into record_fts (rowid, text) values (?1, ?2)")?;
    let mut suggestion = conn.prepare_cached(
        "insert into suggestions (id, record_id, question_id, value, score, agent, kind, inserted_at, updated_at) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) on conflict (record_id, question_id) do update set \
         value = excluded.value, score = excluded.score, agent = excluded.agent, kind = excluded.kind, \
         updated_at = excluded.updated_at",
    )?;
    let pending = RecordStatus::Pending.as_str();
    for row in rows {
        let id = &row.id.as_bytes()[..];
        record.execute(params![id, dataset, row.external_id, row.fields, row.metadata, pending, at])?;
        let seq = conn.last_insert_rowid();
        for (name, pos, num, term) in &row.metadata_entries {
            metadata.execute(params![seq, name, pos, dataset, num, term])?;
        }
        for (ordinal, text) in &row.texts {
            fts.execute(params![seq * loam_store::text_index::MAX_FIELDS_PER_DATASET + ordinal, text])?;
        }
        for s in &row.suggestions {
            let (sid, question) = (&s.id.as_bytes()[..], &s.question.as_bytes()[..]);
            suggestion.execute(params![sid, id, question, s.value, s.score, s.agent, s.kind, at])?;
        }
    }
    conn.prepare_cached("update datasets set records_count = records_count + ?2 where id = ?1")?
        .execute(params![dataset, rows.len() as i64])?;
    conn.prepare_cached("COMMIT")?.execute([])?;
    Ok(())
}

/// This process's peak resident memory (VmHWM), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find(|it| it.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let (questions, batches) = read_bodies(&args.bodies)?;
    let records: usize = batches.iter().map(Vec::len).sum();
    let dataset = create_database(&args.db, &questions).await?;
    eprintln!(
        "# [{}] {records} records in {} batches read and turned into rows in {:.1}s (not timed)",
        args.label,
        batches.len(),
        started.elapsed().as_secs_f64()
    );
    let conn =
        Connection::open_with_flags(&args.db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    loam_store::set_up_sqlite_connection(&conn, true)?;
    let dataset = dataset.0.as_bytes().to_vec();
    let start = Instant::now();
    for batch in &batches {
        write_batch(&conn, &dataset, batch)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(conn);
    let batch = batches.first().map_or(0, Vec::len);
    let result = json!({
        "label": args.label,
        "records": records,
        "batch": batch,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "records_per_s": (records as f64 / seconds * 10.0).round() / 10.0,
        "peak_rss_mb": peak_rss_mb(),
    });
    println!("{result}");
    if let Some(path) = &args.json_out {
        std::fs::write(path, format!("{result}\n"))?;
    }
    Ok(())
}
