//! Importing a plain file (JSONL, CSV, Parquet) into an existing dataset (`loam import file`,
//! `POST /api/v1/datasets/{id}/import`), and its preview.
//!
//! The file is opened and the mapping (`loam_domain::import_file`) checked against the file's
//! columns and the dataset's settings before anything is written. Then a blocking thread reads
//! and maps rows (`read.rs`), sending batches of [`BATCH_ROWS`] through a bounded channel, while
//! the caller's task writes each batch in a transaction of its own through the bulk API's
//! validation and write (`records/lenient.rs`): memory stays flat whatever the file's size. A
//! bad row is reported with its row (and line) number and reason, and the rest are imported.
//! A batch is written whole or not at all; a failure that stops the import (a corrupt file
//! half-way, the database gone) leaves the batches before it committed and says so in
//! [`ImportReport::stopped`].

mod pump;
mod read;

use std::path::{Path, PathBuf};

use loam_domain::import_file::{MappedRow, Mapping};
use loam_domain::model::{DatasetSchema, User};
use loam_domain::DatasetId;
use loam_store::{datasets as store_datasets, workspaces};
use serde::Serialize;
use serde_json::Value;

use crate::records::import_target;
use crate::{Error, NewRecord, NewSuggestionItem, Result, Service};

/// Rows written per transaction.
pub const BATCH_ROWS: usize = 1000;
/// Row errors an [`ImportReport`] lists in full; the rest are counted.
pub const LISTED_ERRORS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Jsonl,
    Csv,
    Parquet,
}

impl ImportFormat {
    /// `jsonl` (or `ndjson`), `csv` or `parquet`.
    pub fn parse(name: &str) -> Result<ImportFormat> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(ImportFormat::Jsonl),
            "csv" => Ok(ImportFormat::Csv),
            "parquet" => Ok(ImportFormat::Parquet),
            other => Err(Error::invalid(format!("unknown import format `{other}` (expected jsonl, csv or parquet)"))),
        }
    }

    /// The format a file's extension names, if any.
    pub fn of_path(path: &Path) -> Option<ImportFormat> {
        let ext = path.extension()?.to_str()?;
        ImportFormat::parse(ext).ok()
    }
}

/// What to import: the file (read from disk: an HTTP upload is spooled first), its format, and
/// the caller's mapping (JSON; `None`: inferred).
#[derive(Clone, Debug)]
pub struct FileImport {
    pub path: PathBuf,
    pub format: ImportFormat,
    pub mapping: Option<Value>,
}

/// A row that was not imported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowError {
    /// The row's place among the file's rows, from 1.
    pub row: u64,
    /// The line it starts on (JSONL, CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line} (row {}): {}", self.row, self.reason),
            None => write!(f, "row {}: {}", self.row, self.reason),
        }
    }
}

/// How an import went.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows_read: u64,
    pub imported: u64,
    pub failed: u64,
    /// The first [`LISTED_ERRORS`] row errors, in file order.
    pub errors: Vec<RowError>,
    /// Row errors counted but not listed.
    pub errors_not_listed: u64,
    /// Why the import stopped before the end of the file (what was imported stays).
    pub stopped: Option<String>,
    /// The mapping used (inferred sections filled in), in its JSON form.
    pub mapping: Value,
}

/// How far an import is, for a progress bar: `done` of `total` units (bytes of a text file,
/// rows of a Parquet file).
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportProgress {
    pub rows_read: u64,
    pub imported: u64,
    pub failed: u64,
    pub done: u64,
    pub total: u64,
}

/// Told about an import as it goes.
pub trait ImportObserver: Send {
    fn progress(&mut self, _progress: &ImportProgress) {}
    /// Every row error, listed in the report or not.
    fn row_error(&mut self, _error: &RowError) {}
}

/// An observer that is told nothing.
pub struct Quiet;

impl ImportObserver for Quiet {}

/// A preview: the first rows as they would be stored, or why each would be refused.
#[derive(Clone, Debug, Serialize)]
pub struct ImportPreview {
    pub format: ImportFormat,
    pub columns: Vec<String>,
    /// The mapping in force (`null` when it is refused: `mapping_error` says why).
    pub mapping: Value,
    pub mapping_error: Option<String>,
    pub rows: Vec<PreviewRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PreviewRow {
    pub row: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The record as it would be stored.
    pub record: Option<Value>,
    pub error: Option<String>,
}

/// A mapped row as the bulk API's payload (suggestions by question id).
pub(crate) fn new_record(schema: &DatasetSchema, row: MappedRow) -> Result<NewRecord, String> {
    if row.fields.is_empty() {
        // `Mapping::map_row` names the mapped fields a row lacks; here no column maps to any.
        let names: Vec<String> = schema.fields.iter().map(|it| format!("`{}`", it.name)).collect();
        return Err(format!(
            "the row has no value for any field: {} missing (no column of the file maps to a field)",
            names.join(", ")
        ));
    }
    let mut suggestions = Vec::with_capacity(row.suggestions.len());
    for it in row.suggestions {
        let question = schema
            .questions
            .iter()
            .find(|q| q.name == it.question)
            .ok_or_else(|| format!("the dataset has no question `{}`", it.question))?;
        suggestions.push(NewSuggestionItem {
            question_id: question.id,
            value: it.value,
            score: it.score,
            agent: it.agent,
            kind: None,
        });
    }
    Ok(NewRecord {
        fields: Some(Value::Object(row.fields)),
        metadata: row.metadata.map(Value::Object),
        external_id: row.external_id,
        responses: Vec::new(),
        suggestions,
        vectors: row.vectors,
    })
}

/// Opens the file on a blocking thread (reading its header, first lines or footer).
async fn open_rows(request: &FileImport) -> Result<Box<dyn read::Rows>> {
    let path = request.path.clone();
    let format = request.format;
    tokio::task::spawn_blocking(move || read::open(&path, format))
        .await
        .map_err(|e| Error::Failed(format!("the file reader stopped: {e}")))?
        .map_err(Error::Invalid)
}

impl Service {
    /// Imports `request` into dataset `dataset` as `actor` (owners, and admins of its workspace).
    pub async fn import_file(
        &self,
        actor: &User,
        dataset: DatasetId,
        request: FileImport,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportReport> {
        self.run_import(Some(actor), dataset, request, observer).await
    }

    /// [`Service::import_file`] for the operator (the CLI): the dataset by workspace and name.
    pub async fn import_file_as_operator(
        &self,
        workspace: &str,
        dataset: &str,
        request: FileImport,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportReport> {
        let id = {
            let mut tx = self.store.read().await?;
            let ws = workspaces::find_workspace_by_name(&mut tx, workspace)
                .await?
                .ok_or_else(|| Error::NotFound(format!("Workspace `{workspace}` not found")))?;
            store_datasets::find_dataset_by_name(&mut tx, ws.id, dataset)
                .await?
                .ok_or_else(|| Error::NotFound(format!("Dataset `{workspace}/{dataset}` not found")))?
                .id
        };
        self.run_import(None, id, request, observer).await
    }

    /// The first `rows` rows of `request` mapped and checked, nothing written. A refused
    /// mapping is told in the preview (with the file's columns, to correct it by), not as an
    /// error; a file that cannot be read is an error.
    pub async fn preview_import(
        &self,
        actor: &User,
        dataset: DatasetId,
        request: FileImport,
        rows: usize,
    ) -> Result<ImportPreview> {
        let schema = self.import_schema(Some(actor), dataset).await?;
        let mut source = open_rows(&request).await?;
        let columns = source.columns().to_vec();
        let mut preview = ImportPreview {
            format: request.format,
            columns,
            mapping: Value::Null,
            mapping_error: None,
            rows: Vec::new(),
        };
        let mapping = match Mapping::resolve(request.mapping.as_ref(), &schema, &preview.columns) {
            Ok(it) => it,
            Err(err) => {
                preview.mapping_error = Some(err.0);
                return Ok(preview);
            }
        };
        preview.mapping = mapping.to_json();
        let limit = rows;
        let (items, failed) = tokio::task::spawn_blocking(move || {
            let mut items = Vec::new();
            let mut failed = Vec::new();
            while items.len() + failed.len() < limit {
                match pump::next_mapped(source.as_mut(), &mapping, &schema) {
                    None => break,
                    Some(Ok(item)) => items.push(item),
                    Some(Err(pump::Failure::Row(err))) => failed.push(err),
                    Some(Err(pump::Failure::Fatal(reason))) => return Err(Error::Invalid(reason)),
                }
            }
            Ok((items, failed))
        })
        .await
        .map_err(|e| Error::Failed(format!("the file reader stopped: {e}")))??;
        let places: Vec<(u64, Option<u64>)> = items.iter().map(|(place, _)| (place.row, place.line)).collect();
        let keyed: Vec<(u64, NewRecord)> = items.into_iter().map(|(place, it)| (place.row, it)).collect();
        let checked = self.check_records_each(Some(actor), dataset, &keyed).await?;
        let mut out: Vec<PreviewRow> = places
            .into_iter()
            .zip(checked)
            .map(|((row, line), check)| match check {
                Ok(record) => PreviewRow { row, line, record: Some(record), error: None },
                Err(reason) => PreviewRow { row, line, record: None, error: Some(reason) },
            })
            .collect();
        out.extend(failed.into_iter().map(|it| PreviewRow {
            row: it.row,
            line: it.line,
            record: None,
            error: Some(it.reason),
        }));
        out.sort_by_key(|it| it.row);
        preview.rows = out;
        Ok(preview)
    }

    /// Refuses an import by `actor` into `dataset` as the import itself would (owners and admins
    /// of its workspace; a published dataset), before its file is received.
    pub async fn check_import(&self, actor: &User, dataset: DatasetId) -> Result<()> {
        self.import_schema(Some(actor), dataset).await.map(|_| ())
    }

    /// The settings of the dataset an import writes to, after its checks.
    async fn import_schema(&self, actor: Option<&User>, dataset: DatasetId) -> Result<std::sync::Arc<DatasetSchema>> {
        let mut tx = self.store.read().await?;
        let ds = import_target(&mut tx, actor, dataset).await?;
        self.schemas.get(&mut tx, &ds).await
    }

    async fn run_import(
        &self,
        actor: Option<&User>,
        dataset: DatasetId,
        request: FileImport,
        observer: &mut dyn ImportObserver,
    ) -> Result<ImportReport> {
        let schema = self.import_schema(actor, dataset).await?;
        let source = open_rows(&request).await?;
        let mapping = Mapping::resolve(request.mapping.as_ref(), &schema, source.columns())?;
        pump::run(self, actor, dataset, source, mapping, schema, observer).await
    }
}
