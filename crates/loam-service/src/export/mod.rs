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
//! distance among the submitted answers, 0 when all agree, null with fewer than two),
//! `loam_active_ms` (time on task: JSON `{username: active milliseconds}` of the annotators with
//! measured time on the record, or of the row's one annotator), `loam_strategy` (training shapes:
//! the strategies used, JSON `{question: strategy}`), `loam_answer_source` (`final` where a
//! reviewer decided the record's final answer, which the training shapes then use over the
//! consolidated one; `consolidated` for other training rows; null for other `records` rows),
//! `loam_final_answer` (`records` only: the final answer's values, or null), and `loam_flag` when
//! records below the dataset's `min_submitted` are flagged rather than left out. Rows from a
//! `pairwise` comparison then carry `loam_shown`, `loam_strength` and `loam_judge_agrees`, rows from
//! `edits` `loam_edit_distance` (`preference.rs`).

mod argilla;
mod plan;
mod preference;
mod pump;
mod request;
mod rows;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use loam_domain::agreement::Disagreement;
use loam_domain::model::{Dataset, DatasetSchema, User, Vector};
use loam_domain::table::{Column, ColumnType, Row};
use loam_domain::{DatasetId, RecordId, UserId};
use loam_export::{ArgillaConfig, Card, Format, RecordsShape};
use loam_store::annotated::{read_annotated_raw, Contents, Cursor, RawBatch, Responses, Usernames};
use loam_store::pairwise::{self, Judgement};
use loam_store::review::{self, FinalAnswer};
use loam_store::{datasets as store_datasets, exports, records, time_on_task, workspaces, Tx};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use pump::{BoxedWriter, PumpError, BATCHES_IN_FLIGHT};
pub use request::{BelowMin, ExportRequest, Shape};

use plan::Plan;
use rows::{RowPool, Source};

use crate::datasets::managed_dataset;
use crate::{Error, Result, Service};

/// Records read per batch.
pub const BATCH_RECORDS: i64 = 1000;

/// `loam_answer_source` of a row made from a reviewer's final answer.
pub const SOURCE_FINAL: &str = "final";
/// `loam_answer_source` of a training row made from the consolidated answers.
pub const SOURCE_CONSOLIDATED: &str = "consolidated";

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
    maker: Arc<RowMaker>,
    workspace: String,
    columns: Vec<Column>,
    total_records: i64,
    cursor: Option<Cursor>,
    /// The responders' names read so far (each asked for once per export).
    names: Usernames,
    /// Whether the snapshot holds final answers (review) and time on task for the dataset's
    /// records: a batch asks for its records' only then.
    any_finals: bool,
    any_times: bool,
    done: bool,
    stats: ExportStats,
    /// What the `argilla` format infers from the values (`argilla.rs`); empty for the others.
    inferred: argilla::Inferred,
}

/// What makes the rows of a batch of records: it needs no transaction, so it can work on a thread
/// of its own (`pump.rs`) while the next batch is read.
pub(super) struct RowMaker {
    dataset: Dataset,
    schema: Arc<DatasetSchema>,
    request: ExportRequest,
    plan: Plan,
    /// The questions `loam_agreement` reports, ready for record after record.
    deciding: Vec<Disagreement>,
    build_id: String,
    /// The provenance of rows from pairwise answers or edits (`preference.rs`).
    preference: Option<preference::Preference>,
}

/// A batch of records as read (not yet decoded), with their vectors when the settings have
/// vector settings, and their final answers (review, `loam_store::review`).
pub(super) struct ReadBatch {
    raw: RawBatch,
    vectors: Vec<Vector>,
    finals: HashMap<RecordId, FinalAnswer>,
    /// Time on task: each record's annotators with measured active time (`loam_active_ms`).
    times: HashMap<RecordId, Vec<(String, i64)>>,
    /// A pairwise export's shown orders (by user) and judges' verdicts, by record.
    shown: HashMap<RecordId, Vec<(UserId, String)>>,
    verdicts: HashMap<RecordId, Vec<Judgement>>,
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
        let mut inferred = argilla::Inferred::default();
        let plan = match plan::training_shape(request.shape) {
            None if request.format == Format::Argilla => {
                let base = Plan::Records(RecordsShape::new(&schema));
                let mut taken = base.columns();
                taken.extend(provenance_columns(&base, request.below_min));
                let taken = taken.iter().map(|it| it.name.as_str()).collect();
                inferred = argilla::scan(&mut tx, &ds, &schema, &taken).await?;
                Plan::Records(RecordsShape::with_extra_metadata(&schema, inferred.extra_metadata.clone()))
            }
            None => Plan::Records(RecordsShape::new(&schema)),
            Some(shape) => {
                let strategies = self.strategies_in_tx(&mut tx, ds.id, &schema).await?;
                let pairings = crate::pairwise::pairings(&mut tx, ds.id, &schema).await?;
                Plan::Training(plan::training(shape, &request, &schema, &pairings, &strategies)?)
            }
        };
        let mut columns = plan.columns();
        columns.extend(provenance_columns(&plan, request.below_min));
        let preference = preference::Preference::of(&plan, &schema);
        columns.extend(preference.iter().flat_map(preference::Preference::columns));
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
        let finals = review::final_marks(&mut tx, ds.id).await?;
        let build_id = build_id(&ds, &marks, finals, &request, &plan);
        let total_records = records::count_records(&mut tx, ds.id).await?;
        let any_times = time_on_task::dataset_has_times(&mut tx, ds.id).await?;
        let deciding = plan.deciding(&schema).into_iter().map(Disagreement::new).collect();
        Ok(Export {
            tx,
            maker: Arc::new(RowMaker { dataset: ds, schema, request, plan, deciding, build_id, preference }),
            workspace,
            columns,
            total_records,
            cursor: None,
            names: Usernames::default(),
            any_finals: finals.0 > 0,
            any_times,
            done: false,
            stats: ExportStats::default(),
            inferred,
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
        let pairings = crate::pairwise::pairings(&mut tx, ds.id, &schema).await?;
        Ok(plan::mapping(shape, &request, &schema, &pairings)?.to_json())
    }
}

fn provenance_columns(plan: &Plan, below: BelowMin) -> Vec<Column> {
    let mut columns = vec![
        Column::new("loam_record_id", ColumnType::Str),
        Column::new("loam_external_id", ColumnType::Str),
        Column::new("loam_annotators", ColumnType::StrList),
        Column::new("loam_build_id", ColumnType::Str),
        Column::new("loam_agreement", ColumnType::Json),
        Column::new("loam_active_ms", ColumnType::Json),
    ];
    if let Plan::Training(_) = plan {
        columns.push(Column::new("loam_strategy", ColumnType::Json));
    }
    columns.push(Column::new("loam_answer_source", ColumnType::Str));
    if let Plan::Records(_) = plan {
        columns.push(Column::new("loam_final_answer", ColumnType::Json));
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
fn build_id(
    ds: &Dataset,
    marks: &exports::StateMarks,
    finals: (i64, i64),
    request: &ExportRequest,
    plan: &Plan,
) -> String {
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
    // Pairwise rows (issue 22: pairings, shown orders, judges' verdicts) count only where there
    // are some, like final answers below: ids of datasets without stay as they were.
    if marks.pairwise > 0 {
        hasher.update(marks.pairwise.to_le_bytes());
        hasher.update(marks.pairwise_updated.to_le_bytes());
    }
    // Final answers (review) count only where there are some: ids of datasets without stay.
    if finals.0 > 0 {
        hasher.update(finals.0.to_le_bytes());
        hasher.update(finals.1.to_le_bytes());
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
        self.maker.request.format
    }

    pub fn build_id(&self) -> &str {
        &self.maker.build_id
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
        format!("{}.{}", self.folder_name(), self.maker.request.format.extension())
    }

    fn folder_name(&self) -> String {
        let safe: String = self
            .maker
            .dataset
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
            .collect();
        format!("{safe}-{}", self.maker.request.shape.name())
    }

    /// The dataset card's title, folder and provenance.
    pub fn card(&self) -> Card {
        let RowMaker { dataset, request, plan, build_id, .. } = &*self.maker;
        let mut provenance = vec![
            ("dataset".to_owned(), format!("{}/{}", self.workspace, dataset.name)),
            ("dataset id".to_owned(), dataset.id.to_string()),
            ("shape".to_owned(), request.shape.name().to_owned()),
        ];
        if let Some(layout) = &request.layout {
            provenance.push(("layout".to_owned(), layout.clone()));
        }
        if let Plan::Training(it) = plan {
            provenance.push(("mapping".to_owned(), it.mapping.to_json().to_string()));
            provenance.push(("strategies".to_owned(), it.strategies.to_string()));
        }
        provenance.push(("min_submitted".to_owned(), dataset.distribution.min_submitted.to_string()));
        provenance.push(("records below min_submitted".to_owned(), request.below_min.name().to_owned()));
        provenance.push(("build id".to_owned(), build_id.clone()));
        Card {
            title: format!("{}/{} ({})", self.workspace, dataset.name, request.shape.name()),
            folder: self.folder_name(),
            provenance,
            argilla: self.argilla_config(),
        }
    }

    /// `.argilla/` of the `argilla` format (`argilla.rs`); empty for the other formats.
    fn argilla_config(&self) -> ArgillaConfig {
        let RowMaker { dataset, schema, request, .. } = &*self.maker;
        if request.format != Format::Argilla {
            return ArgillaConfig::default();
        }
        argilla::config(dataset, schema, &self.inferred)
    }

    /// The rows of the next batch of records (possibly none, when every record of the batch was
    /// left out); `None` once every record was read.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Row>>> {
        let Some(batch) = self.read_batch().await? else {
            return Ok(None);
        };
        Ok(Some(self.maker.rows(batch, &mut self.stats)?))
    }

    /// [`Export::next_batch`] with every shape's rows made from decoded records
    /// (`AnnotatedRecord`s), the way the training shapes make theirs, rather than from the
    /// batch's text as the `records` shape's are: the reference the tests hold that path to.
    #[doc(hidden)]
    pub async fn next_batch_decoded(&mut self) -> Result<Option<Vec<Row>>> {
        let Some(batch) = self.read_batch().await? else {
            return Ok(None);
        };
        Ok(Some(self.maker.make(batch, &mut self.stats, &mut RowPool::default(), Source::Decoded)?))
    }

    /// The next batch of records as read (counted in `records_read`); `None` once every record
    /// was read.
    pub(super) async fn read_batch(&mut self) -> Result<Option<ReadBatch>> {
        if self.done {
            return Ok(None);
        }
        // The records shape shows every response; the training shapes read submitted ones only.
        let which = match self.maker.plan {
            Plan::Records(_) => Responses::All,
            Plan::Training(_) => Responses::Submitted,
        };
        let contents = Contents::full(which);
        let dataset = self.maker.dataset.id;
        let (raw, next) =
            read_annotated_raw(&mut self.tx, dataset, self.cursor, BATCH_RECORDS, contents, &mut self.names).await?;
        self.cursor = next;
        self.done = next.is_none();
        let vectors = if self.maker.schema.vector_settings.is_empty() || raw.is_empty() {
            Vec::new()
        } else {
            records::list_vectors(&mut self.tx, &raw.record_ids()).await?
        };
        let finals = if raw.is_empty() || !self.any_finals {
            HashMap::new()
        } else {
            review::list_finals(&mut self.tx, &raw.record_ids())
                .await?
                .into_iter()
                .map(|it| (it.record_id, it))
                .collect()
        };
        let mut times: HashMap<RecordId, Vec<(String, i64)>> = HashMap::new();
        if !raw.is_empty() && self.any_times {
            for (record, username, ms) in time_on_task::record_times(&mut self.tx, &raw.record_ids()).await? {
                times.entry(record).or_default().push((username, ms));
            }
        }
        let mut shown: HashMap<RecordId, Vec<(UserId, String)>> = HashMap::new();
        let mut verdicts: HashMap<RecordId, Vec<Judgement>> = HashMap::new();
        if let Some(question) = self.maker.preference.as_ref().and_then(preference::Preference::pairwise_question) {
            if !raw.is_empty() {
                let ids = raw.record_ids();
                for (record, user, order) in pairwise::list_shown_of_records(&mut self.tx, question, &ids).await? {
                    shown.entry(record).or_default().push((user, order));
                }
                for it in pairwise::list_judgements_of(&mut self.tx, &ids).await? {
                    verdicts.entry(it.record_id).or_default().push(it);
                }
            }
        }
        self.stats.records_read += raw.len() as u64;
        Ok(Some(ReadBatch { raw, vectors, finals, times, shown, verdicts }))
    }
}

impl ExportStats {
    /// Adds what `other` counted of the rows (not `records_read`, which the reading counts).
    pub(super) fn absorb_rows(&mut self, other: ExportStats) {
        self.rows += other.rows;
        self.skipped_below_min += other.skipped_below_min;
        self.flagged_below_min += other.flagged_below_min;
        for (reason, n) in other.no_row {
            self.count_no_row(reason, n);
        }
    }

    /// Counts `n` records that gave no row for `reason` (past [`NO_ROW_REASONS`] distinct reasons,
    /// under "other reasons").
    fn count_no_row(&mut self, reason: String, n: u64) {
        let known = self.no_row.len() < NO_ROW_REASONS || self.no_row.contains_key(&reason);
        let key = if known { reason } else { "other reasons".to_owned() };
        *self.no_row.entry(key).or_default() += n;
    }
}
