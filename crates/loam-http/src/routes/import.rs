//! `/api/v1/datasets/{dataset_id}/import…` (loam extension; owners and admins of the dataset's
//! workspace): a JSONL, CSV or Parquet file as the request body, `format` and the column
//! `mapping` (JSON) as query parameters. The body is spooled to a temporary file as it arrives
//! (Parquet needs its footer; nothing is held in memory), within the import's own size limit
//! (`HttpConfig::import_limit`, not the API's body limit), then imported by
//! `Service::import_file`; the reply is the report. `…/import/preview` maps and checks the first
//! rows without writing.

use std::io::Write;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use futures::StreamExt;
use loam_domain::model::User;
use loam_domain::DatasetId;
use loam_service::{FileImport, ImportFormat, ImportPreview, ImportReport, PreviewRow, Quiet, RowError};
use serde_json::{json, Value};

use super::ApiResult;
use crate::error::ApiError;
use crate::extract::{path_id, Auth, QueryPairs};
use crate::openapi::schema;
use crate::openapi::{describe_all, set_at, QueryParam, QueryType};
use crate::AppState;

/// Rows a preview shows unless `rows` says otherwise.
const PREVIEW_ROWS: i64 = 20;
const MAX_PREVIEW_ROWS: i64 = 200;

pub fn routes(r: crate::openapi::Routes) -> crate::openapi::Routes {
    r.post(
        "/api/v1/datasets/{dataset_id}/import",
        "Import a file into the dataset (loam extension; owners and admins): the request body is the file \
         (`format` jsonl, csv or parquet), `mapping` the column mapping as JSON (fields, metadata, suggestions, \
         external_id, vectors; sections left out are inferred). Bad rows are left out and listed with their \
         row and line; a mapping naming a column or a setting that does not exist is a 422 before anything \
         is written. The body may be as large as the server's import limit",
        200,
        Some("ImportReport"),
        import,
    )
    .file_body()
    .query(IMPORT_QUERY)
    .errors(&[400])
    .post(
        "/api/v1/datasets/{dataset_id}/import/preview",
        "The first `rows` rows of a file as the import would store them, or why each would be refused, \
         with the file's columns and the mapping in force (loam extension; owners and admins); nothing is \
         written. A refused mapping is told in `mapping_error`",
        200,
        Some("ImportPreview"),
        preview,
    )
    .file_body()
    .query(PREVIEW_QUERY)
    .errors(&[400])
}

const FORMAT: QueryParam = QueryParam {
    name: "format",
    kind: QueryType::OneOf(&["jsonl", "csv", "parquet"]),
    repeated: false,
    required: true,
};
const MAPPING: QueryParam = QueryParam { name: "mapping", kind: QueryType::Text, repeated: false, required: false };
const IMPORT_QUERY: &[QueryParam] = &[FORMAT, MAPPING];
const PREVIEW_QUERY: &[QueryParam] = &[
    FORMAT,
    MAPPING,
    QueryParam { name: "rows", kind: QueryType::Int(1, Some(MAX_PREVIEW_ROWS)), repeated: false, required: false },
];

/// Whether `path` is one of these routes: their bodies have the import's limit, not the API's.
pub fn is_import_path(path: &str) -> bool {
    path.starts_with("/api/v1/datasets/") && (path.ends_with("/import") || path.ends_with("/import/preview"))
}

/// The request's file on disk (deleted when dropped), and what to import it as.
struct Upload {
    file: tempfile::NamedTempFile,
    request: FileImport,
}

fn request_of(query: &QueryPairs) -> Result<(ImportFormat, Option<Value>), ApiError> {
    let Some(format) = query.get("format") else {
        return Err(ApiError::at(&["query", "format"], "missing", "Field required"));
    };
    let format = ImportFormat::parse(format)
        .map_err(|_| ApiError::at(&["query", "format"], "enum", "Input should be 'jsonl', 'csv' or 'parquet'"))?;
    let mapping = match query.get("mapping") {
        None => None,
        Some(text) => Some(serde_json::from_str::<Value>(text).map_err(|e| {
            ApiError::at(&["query", "mapping"], "json_invalid", format!("the mapping is not valid JSON: {e}"))
        })?),
    };
    Ok((format, mapping))
}

fn too_large(limit: u64) -> ApiError {
    ApiError::Detail(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The file is larger than the import limit of {limit} bytes"),
    )
}

/// How much of an upload is gathered in memory before it is written to the spool file.
const SPOOL_CHUNK: usize = 1 << 20;

/// Writes `buf` to the spool file on a blocking thread (file writes never run on the async
/// workers); hands both back, the buffer emptied for the next chunk.
async fn write_off(mut out: std::fs::File, mut buf: Vec<u8>) -> Result<(std::fs::File, Vec<u8>), ApiError> {
    let internal = |e: String| ApiError::Internal(format!("cannot spool the upload: {e}"));
    tokio::task::spawn_blocking(move || {
        out.write_all(&buf)?;
        buf.clear();
        Ok::<_, std::io::Error>((out, buf))
    })
    .await
    .map_err(|e| internal(e.to_string()))?
    .map_err(|e| internal(e.to_string()))
}

/// Spools the body to a temporary file, refusing it past `limit` bytes.
async fn spool(
    app: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
    format: ImportFormat,
    mapping: Option<Value>,
) -> Result<Upload, ApiError> {
    let limit = app.http.import_limit;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|it| it.to_str().ok()).and_then(|it| it.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    let internal = |e: std::io::Error| ApiError::Internal(format!("cannot spool the upload: {e}"));
    let file = tempfile::Builder::new().prefix("loam-import-").tempfile().map_err(internal)?;
    let mut out = file.reopen().map_err(internal)?;
    let mut buf = Vec::with_capacity(SPOOL_CHUNK);
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::Detail(StatusCode::BAD_REQUEST, format!("the upload failed: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
        if buf.len() >= SPOOL_CHUNK {
            (out, buf) = write_off(out, buf).await?;
        }
    }
    write_off(out, buf).await?;
    let request = FileImport { path: file.path().to_owned(), format, mapping };
    Ok(Upload { file, request })
}

async fn import(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult {
    let id: DatasetId = path_id(&dataset_id, "dataset_id")?.into();
    let (format, mapping) = request_of(&query)?;
    check_target(&app, &actor, id).await?;
    let upload = spool(&app, &headers, body, format, mapping).await?;
    let report = app.service.import_file(&actor, id, upload.request.clone(), &mut Quiet).await?;
    drop(upload.file);
    Ok(super::reply_with(StatusCode::OK, &report))
}

async fn preview(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult {
    let id: DatasetId = path_id(&dataset_id, "dataset_id")?.into();
    let (format, mapping) = request_of(&query)?;
    let rows = match query.get("rows") {
        None => PREVIEW_ROWS,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=MAX_PREVIEW_ROWS).contains(&n) => n,
            _ => {
                return Err(ApiError::at(
                    &["query", "rows"],
                    "less_than_equal",
                    format!("Input should be an integer from 1 to {MAX_PREVIEW_ROWS}"),
                ))
            }
        },
    };
    check_target(&app, &actor, id).await?;
    let upload = spool(&app, &headers, body, format, mapping).await?;
    let preview =
        app.service.preview_import(&actor, id, upload.request.clone(), usize::try_from(rows).unwrap_or(20)).await?;
    drop(upload.file);
    Ok(super::reply_with(StatusCode::OK, &preview))
}

/// Refuses a caller who may not import into the dataset before the body is read.
async fn check_target(app: &AppState, actor: &User, id: DatasetId) -> Result<(), ApiError> {
    app.service.check_import(actor, id).await?;
    Ok(())
}

/// The replies' schemas, described from samples.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let mapping =
        json!({"fields": {"text": "text"}, "metadata": {}, "suggestions": {}, "external_id": "id", "vectors": {}});
    let errors = vec![
        RowError { row: 3, line: Some(4), reason: "the line is not valid JSON".to_owned() },
        RowError { row: 9, line: None, reason: "missing required value for field: 'text'".to_owned() },
    ];
    let reports: Vec<Value> = [
        ImportReport {
            rows_read: 10,
            imported: 8,
            failed: 2,
            errors,
            errors_not_listed: 0,
            stopped: None,
            mapping: mapping.clone(),
        },
        ImportReport { stopped: Some("cannot read the file".to_owned()), ..ImportReport::default() },
    ]
    .iter()
    .filter_map(|it| serde_json::to_value(it).ok())
    .collect();
    let mut report = describe_all(&reports);
    set_at(&mut report, &["mapping"], schema::any());
    let previews: Vec<Value> = [
        ImportPreview {
            format: ImportFormat::Jsonl,
            columns: vec!["id".to_owned(), "text".to_owned()],
            mapping,
            mapping_error: None,
            rows: vec![
                PreviewRow { row: 1, line: Some(1), record: Some(json!({"fields": {"text": "hi"}})), error: None },
                PreviewRow {
                    row: 2,
                    line: None,
                    record: None,
                    error: Some("the line is not a JSON object".to_owned()),
                },
            ],
        },
        ImportPreview {
            format: ImportFormat::Csv,
            columns: Vec::new(),
            mapping: Value::Null,
            mapping_error: Some("bad mapping".to_owned()),
            rows: Vec::new(),
        },
    ]
    .iter()
    .filter_map(|it| serde_json::to_value(it).ok())
    .collect();
    let mut preview = describe_all(&previews);
    set_at(&mut preview, &["mapping"], schema::any());
    set_at(&mut preview, &["rows", "[]", "record"], schema::any());
    vec![("ImportReport", report), ("ImportPreview", preview)]
}
