//! `/api/v1/datasets/{dataset_id}/exports…` (loam extension): a dataset's records, or the
//! training rows made of them, streamed as a file (JSONL, CSV, Parquet, or a Hugging Face datasets
//! folder as a tar archive).
//!
//! Everything that can be refused is refused by `Service::prepare_export` before the reply
//! starts; then a task reads batch after batch from the export's snapshot and hands each to the
//! format's writer on a blocking thread, which writes it while the next batch is read
//! (`Export::write_all`). The writer's bytes go out through a bounded channel into
//! the reply body, so a slow client slows the reading down instead of growing memory. A failure
//! once the reply has started ends the body early (the client sees an incomplete transfer); the
//! cause is logged.

use std::io::{self, Write};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_service::{Export, ExportRequest, PumpError};
use serde_json::Value;
use tokio::sync::mpsc;

use super::ApiResult;
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::openapi::{QueryParam, QueryType};
use crate::AppState;

pub fn routes(r: crate::openapi::Routes) -> crate::openapi::Routes {
    r.post(
        "/api/v1/datasets/{dataset_id}/exports",
        "Export a dataset's records or training rows as a file (loam extension; owners and admins): \
         `shape` records, sft, preference, rm, dpo or kto; `format` jsonl (default), csv, parquet, hf (a tar \
         of a Hugging Face datasets folder) or argilla (records shape: a tar of the folder Argilla's SDK loads with \
         `rg.Dataset.from_disk`); `mapping`, `layout` and `below_min_submitted` (skip or flag)",
        200,
        Some(crate::openapi::FILE_REPLY),
        export,
    )
    .json_body("ExportRequest")
    .get(
        "/api/v1/datasets/{dataset_id}/exports/mapping",
        "The mapping a training export of `shape` would use, inferred from the settings (loam extension; \
         owners and admins); a 422 says what is ambiguous",
        200,
        Some("ExportMapping"),
        mapping,
    )
    .query(MAPPING_QUERY)
}

const MAPPING_QUERY: &[QueryParam] = &[
    QueryParam {
        name: "shape",
        kind: QueryType::OneOf(&["sft", "preference", "rm", "dpo", "kto"]),
        repeated: false,
        required: true,
    },
    QueryParam {
        name: "layout",
        kind: QueryType::OneOf(&["standard", "conversational"]),
        repeated: false,
        required: false,
    },
];

async fn mapping(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let Some(shape) = query.get("shape") else {
        return Err(ApiError::at(&["query", "shape"], "missing", "Field required"));
    };
    let res = app.service.export_mapping(&actor, id.into(), shape, query.get("layout")).await?;
    Ok(super::ok(res))
}

/// Bytes gathered before they go to the channel.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting in the channel: what a slow client lets pile up.
const CHANNEL_CHUNKS: usize = 8;

async fn export(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let request = parse_request(&body)?;
    let export = app.service.prepare_export(&actor, id.into(), request).await?;
    let format = export.format();
    let disposition = format!("attachment; filename=\"{}\"", export.file_name());
    let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(CHANNEL_CHUNKS);
    tokio::spawn(run(export, tx));
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, format.content_type())
        .header(header::CONTENT_DISPOSITION, disposition)
        .body(axum::body::Body::from_stream(stream))
        .map_err(|err| ApiError::Internal(err.to_string()))
}

/// The request body's names, parsed (an unknown name is the service's 422, which names it).
fn parse_request(body: &Body) -> Result<ExportRequest, ApiError> {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let shape = r.string("shape", 1, 100)?;
    let format = r.opt_string("format", 1, 100)?.unwrap_or_else(|| "jsonl".to_owned());
    let mapping = match r.raw("mapping") {
        None | Some(Value::Null) => None,
        Some(value @ Value::Object(_)) => Some(value.clone()),
        Some(_) => return Err(ApiError::at(&["body", "mapping"], "dict_type", "Input should be a valid dictionary")),
    };
    let layout = r.opt_string("layout", 1, 100)?;
    let below = r.opt_string("below_min_submitted", 1, 100)?;
    Ok(ExportRequest::parse(&shape, &format, mapping, layout.as_deref(), below.as_deref())?)
}

/// Reads the export batch by batch and writes it into `tx` (`Export::write_all`); a failure ends
/// the body with an error.
async fn run(mut export: Export, tx: mpsc::Sender<Result<Bytes, io::Error>>) {
    let columns = export.columns().to_vec();
    let card = export.card();
    let format = export.format();
    let out = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
    let opened = tokio::task::spawn_blocking(move || loam_export::stream_writer(format, &columns, card, out)).await;
    let writer = match opened {
        Ok(Ok(writer)) => writer,
        Ok(Err(err)) => return fail(&tx, err.to_string()).await,
        Err(err) => return fail(&tx, err.to_string()).await,
    };
    let writer = match export.write_all(writer, |_| {}).await {
        Ok(writer) => writer,
        Err(PumpError::Write(err)) if err.kind() == io::ErrorKind::BrokenPipe => return, // the client went away
        Err(PumpError::Write(err)) => return fail(&tx, err.to_string()).await,
        Err(PumpError::Read(err)) => return fail(&tx, err.to_string()).await,
    };
    match tokio::task::spawn_blocking(move || writer.finish()).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Ok(Err(err)) => fail(&tx, err.to_string()).await,
        Err(err) => fail(&tx, err.to_string()).await,
    }
}

async fn fail(tx: &mpsc::Sender<Result<Bytes, io::Error>>, cause: String) {
    tracing::error!(%cause, "export failed after its reply started");
    let _ = tx.send(Err(io::Error::other("the export failed"))).await;
}

/// A `Write` (used on blocking threads) that sends its bytes into the reply body in chunks; a
/// client that went away is a `BrokenPipe`.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
