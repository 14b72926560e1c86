//! Exports: a dataset's records turned into the rows of a shape (`records`, and the training
//! shapes) and handed out batch by batch, for `loam-http` to stream and `loam export` to write in
//! one of `loam_export`'s formats.
//!
//! Everything that can be refused is decided in [`Service::prepare_export`], before the first
//! row: the dataset (404), the caller (owners and admins of its workspace; 403), the request (an
//! unknown shape or format, a mapping or layout the shape does not take; 422). The rows then come
//! from one read transaction that sees one snapshot of the database ([`Export::next_batch`],
//! [`BATCH_RECORDS`] records at a time), so memory holds one batch however large the dataset.
//!
//! The training shapes (`plan.rs`) take the request's mapping, or the one inferred from the
//! settings, and consolidate the questions it reads with the strategies in force
//! (`consolidation.rs`) record by record; a record that gives no row is counted with the reason.
//!
//! Every shape ends with the provenance columns: `loam_record_id`, `loam_external_id`,
//! `loam_annotators` (usernames with a submitted response; for a row made of one annotator's
//! answer, that annotator alone), `loam_build_id` (a digest of the dataset's state and the
//! request: the same data and options give the same id, and the same bytes), `loam_agreement`
//! (JSON `{question: disagreement}` for every question of `records`, the questions the mapping
//! reads otherwise: `loam_domain::agreement::record_disagreement`, the mean pairwise normalised
//! distance among the submitted answers, 0 when all agree, null with fewer than two), `loam_strategy`
//! (training shapes: the strategies used, JSON `{question: strategy}`), and `loam_flag` when
//! records below the dataset's `min_submitted` are flagged rather than left out.

mod plan;
mod request;

use std::collections::BTreeMap;
use std::sync::Arc;

use loam_domain::agreement::record_disagreement;
use loam_domain::answer::{AnnotatedRecord, Ballot};
use loam_domain::model::{Dataset, DatasetSchema, User};
use loam_domain::table::{Cell, Column, ColumnType, Row};
use loam_domain::value::ResponseStatus;
use loam_domain::DatasetId;
use loam_export::{Card, Format, RecordsShape};
use loam_store::annotated::{read_annotated, Cursor, Responses};
use loam_store::{datasets as store_datasets, exports, records, workspaces, Tx};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use request::{BelowMin, ExportRequest, Shape};

use plan::Plan;

use crate::datasets::managed_dataset;
use crate::{Error, Result, Service};

/// Records read per batch.
pub const BATCH_RECORDS: i64 = 1000;

/// Why a record was left out or flagged.
pub const BELOW_MIN_SUBMITTED: &str = "below_min_submitted";

/// What an export has done so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportStats {
    pub records_read: u64,
    pub rows: u64,
    /// Records left out for having fewer submitted responses than `min_submitted`.
    pub skipped_below_min: u64,
    /// Records written with `loam_flag` set for the same reason.
    pub flagged_below_min: u64,
    /// Records that gave no row (a training shape), by reason.
    pub no_row: BTreeMap<String, u64>,
}

/// Distinct reasons [`ExportStats::no_row`] keeps; the rest are counted under "other reasons".
const NO_ROW_REASONS: usize = 32;

/// A validated export, holding its read transaction; [`Export::next_batch`] gives its rows.
pub struct Export {
    tx: Tx,
    dataset: Dataset,
    workspace: String,
    schema: Arc<DatasetSchema>,
    request: ExportRequest,
    plan: Plan,
    columns: Vec<Column>,
    build_id: String,
    total_records: i64,
    cursor: Option<Cursor>,
    done: bool,
    stats: ExportStats,
}

impl Service {
    /// Validates an export of dataset `id` by `actor` (owners, and admins of its workspace) and
    /// opens its snapshot.
    pub async fn prepare_export(&self, actor: &User, id: DatasetId, request: ExportRequest) -> Result<Export> {
        let mut tx = self.store.read_snapshot().await?;
        let ds = managed_dataset(&mut tx, actor, id).await?;
        self.open_export(tx, ds, request).await
    }

    /// [`Service::prepare_export`] for the operator (the CLI): the dataset by workspace and name.
    pub async fn prepare_export_as_operator(
        &self,
        workspace: &str,
        dataset: &str,
        request: ExportRequest,
    ) -> Result<Export> {
        let mut tx = self.store.read_snapshot().await?;
        let ws = workspaces::find_workspace_by_name(&mut tx, workspace)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Workspace `{workspace}` not found")))?;
        let ds = store_datasets::find_dataset_by_name(&mut tx, ws.id, dataset)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Dataset `{workspace}/{dataset}` not found")))?;
        self.open_export(tx, ds, request).await
    }

    async fn open_export(&self, mut tx: Tx, ds: Dataset, request: ExportRequest) -> Result<Export> {
        let schema = self.schemas.get(&mut tx, &ds).await?;
        request.check()?;
        let plan = match plan::training_shape(request.shape) {
            None => Plan::Records(RecordsShape::new(&schema)),
            Some(shape) => {
                let strategies = self.strategies_in_tx(&mut tx, ds.id, &schema).await?;
                Plan::Training(plan::training(shape, &request, &schema, &strategies)?)
            }
        };
        let mut columns = plan.columns();
        columns.extend(provenance_columns(&plan, request.below_min));
        if let Some(dup) = duplicate_name(&columns) {
            return Err(Error::invalid(format!(
                "the export would have two columns named `{dup}`; rename the field, metadata property or question"
            )));
        }
        let workspace = workspaces::find_workspace(&mut tx, ds.workspace_id)
            .await?
            .map(|it| it.name)
            .ok_or_else(|| Error::not_found("Workspace", ds.workspace_id))?;
        let marks = exports::state_marks(&mut tx, ds.id).await?;
        let build_id = build_id(&ds, &marks, &request, &plan);
        let total_records = records::count_records(&mut tx, ds.id).await?;
        Ok(Export {
            tx,
            dataset: ds,
            workspace,
            schema,
            request,
            plan,
            columns,
            build_id,
            total_records,
            cursor: None,
            done: false,
            stats: ExportStats::default(),
        })
    }

    /// The mapping an export of `shape` would use for dataset `id`, with `layout` over it: the
    /// inferred one (or the 422 saying what is ambiguous). Owners and admins of the workspace.
    pub async fn export_mapping(
        &self,
        actor: &User,
        id: DatasetId,
        shape: &str,
        layout: Option<&str>,
    ) -> Result<Value> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let request = ExportRequest::parse(shape, "jsonl", None, layout, None)?;
        let Some(shape) = plan::training_shape(request.shape) else {
            return Err(Error::invalid(
                "shape `records` has no mapping: it holds every field, metadata property, response and suggestion",
            ));
        };
        Ok(plan::mapping(shape, &request, &schema)?.to_json())
    }
}

fn provenance_columns(plan: &Plan, below: BelowMin) -> Vec<Column> {
    let mut columns = vec![
        Column::new("loam_record_id", ColumnType::Str),
        Column::new("loam_external_id", ColumnType::Str),
        Column::new("loam_annotators", ColumnType::StrList),
        Column::new("loam_build_id", ColumnType::Str),
        Column::new("loam_agreement", ColumnType::Json),
    ];
    if let Plan::Training(_) = plan {
        columns.push(Column::new("loam_strategy", ColumnType::Json));
    }
    if below == BelowMin::Flag {
        columns.push(Column::new("loam_flag", ColumnType::Str));
    }
    columns
}

fn duplicate_name(columns: &[Column]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    columns.iter().map(|it| it.name.as_str()).find(|name| !seen.insert(*name))
}

/// A digest of the dataset's identity, settings version and state marks, of the request's
/// options (the format aside: every format holds the same rows), and of the mapping and
/// strategies a training shape uses.
fn build_id(ds: &Dataset, marks: &exports::StateMarks, request: &ExportRequest, plan: &Plan) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"loam-export/1\n");
    hasher.update(ds.id.to_string().as_bytes());
    for n in [
        ds.settings_version,
        ds.distribution.min_submitted,
        marks.records,
        marks.max_seq,
        marks.records_updated,
        marks.responses,
        marks.responses_updated,
        marks.suggestions,
        marks.suggestions_updated,
        marks.vectors_version,
    ] {
        hasher.update(n.to_le_bytes());
    }
    hasher.update(request.canonical().as_bytes());
    if let Plan::Training(it) = plan {
        hasher.update(request::canonical_json(&it.mapping.to_json()).as_bytes());
        hasher.update(b"\n");
        hasher.update(request::canonical_json(&it.strategies).as_bytes());
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl Export {
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn format(&self) -> Format {
        self.request.format
    }

    pub fn build_id(&self) -> &str {
        &self.build_id
    }

    /// Records in the dataset (what a progress bar counts to).
    pub fn total_records(&self) -> i64 {
        self.total_records
    }

    pub fn stats(&self) -> &ExportStats {
        &self.stats
    }

    /// `<dataset>-<shape>.<ext>`, with anything but letters, digits, `.`, `_` and `-` as `_`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.folder_name(), self.request.format.extension())
    }

    fn folder_name(&self) -> String {
        let safe: String = self
            .dataset
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
            .collect();
        format!("{safe}-{}", self.request.shape.name())
    }

    /// The dataset card's title, folder and provenance.
    pub fn card(&self) -> Card {
        let mut provenance = vec![
            ("dataset".to_owned(), format!("{}/{}", self.workspace, self.dataset.name)),
            ("dataset id".to_owned(), self.dataset.id.to_string()),
            ("shape".to_owned(), self.request.shape.name().to_owned()),
        ];
        if let Some(layout) = &self.request.layout {
            provenance.push(("layout".to_owned(), layout.clone()));
        }
        if let Plan::Training(it) = &self.plan {
            provenance.push(("mapping".to_owned(), it.mapping.to_json().to_string()));
            provenance.push(("strategies".to_owned(), it.strategies.to_string()));
        }
        provenance.push(("min_submitted".to_owned(), self.dataset.distribution.min_submitted.to_string()));
        provenance.push(("records below min_submitted".to_owned(), self.request.below_min.name().to_owned()));
        provenance.push(("build id".to_owned(), self.build_id.clone()));
        Card {
            title: format!("{}/{} ({})", self.workspace, self.dataset.name, self.request.shape.name()),
            folder: self.folder_name(),
            provenance,
        }
    }

    /// The rows of the next batch of records (possibly none, when every record of the batch was
    /// left out); `None` once every record was read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Row>>> {
        if self.done {
            return Ok(None);
        }
        // The records shape shows every response; the training shapes read submitted ones only.
        let which = match self.plan {
            Plan::Records(_) => Responses::All,
            Plan::Training(_) => Responses::Submitted,
        };
        let (batch, next) = read_annotated(&mut self.tx, self.dataset.id, self.cursor, BATCH_RECORDS, which).await?;
        self.cursor = next;
        self.done = next.is_none();
        let vectors = if self.schema.vector_settings.is_empty() || batch.is_empty() {
            Vec::new()
        } else {
            let ids: Vec<_> = batch.iter().map(|it| it.record.id).collect();
            records::list_vectors(&mut self.tx, &ids).await?
        };
        let mut rows = Vec::with_capacity(batch.len());
        for it in &batch {
            self.stats.records_read += 1;
            let ballots = it.ballots(&self.schema);
            let below = (ballots.len() as i64) < self.dataset.distribution.min_submitted;
            if below && self.request.below_min == BelowMin::Skip {
                self.stats.skipped_below_min += 1;
                continue;
            }
            if below {
                self.stats.flagged_below_min += 1;
            }
            let made = match self.plan.rows(&self.schema, it, &ballots, &vectors) {
                Ok(made) => made,
                Err(reason) => {
                    let known = self.stats.no_row.len() < NO_ROW_REASONS || self.stats.no_row.contains_key(&reason);
                    let key = if known { reason } else { "other reasons".to_owned() };
                    *self.stats.no_row.entry(key).or_default() += 1;
                    continue;
                }
            };
            for (annotator, mut row) in made {
                row.extend(self.provenance(it, &ballots, annotator, below));
                rows.push(row);
                self.stats.rows += 1;
            }
        }
        Ok(Some(rows))
    }

    fn provenance(
        &self,
        it: &AnnotatedRecord,
        ballots: &[Ballot],
        annotator: Option<String>,
        below: bool,
    ) -> Vec<Cell> {
        let annotators = match annotator {
            Some(one) => vec![one],
            None => it
                .responses
                .iter()
                .filter(|r| r.response.status == ResponseStatus::Submitted)
                .map(|r| r.username.clone())
                .collect(),
        };
        let mut cells = vec![
            Cell::Str(it.record.id.to_string()),
            it.record.external_id.clone().map_or(Cell::Null, Cell::Str),
            Cell::StrList(annotators),
            Cell::Str(self.build_id.clone()),
            Cell::Json(self.disagreement(ballots)),
        ];
        if let Plan::Training(plan) = &self.plan {
            cells.push(Cell::Json(plan.strategies.clone()));
        }
        if self.request.below_min == BelowMin::Flag {
            cells.push(if below { Cell::Str(BELOW_MIN_SUBMITTED.to_owned()) } else { Cell::Null });
        }
        cells
    }
}

impl Export {
    /// `{question: disagreement or null}` of the deciding questions.
    fn disagreement(&self, ballots: &[Ballot]) -> Value {
        let mut res = serde_json::Map::new();
        for question in self.plan.deciding(&self.schema) {
            let value = record_disagreement(question, ballots).and_then(serde_json::Number::from_f64);
            res.insert(question.name.clone(), value.map_or(Value::Null, Value::Number));
        }
        Value::Object(res)
    }
}
