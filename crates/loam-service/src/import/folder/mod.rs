//! `loam import folder`: a dataset from a folder Argilla's v2 SDK wrote — `Dataset.to_disk()`'s
//! (`.argilla/{dataset,settings}.json` and `records.json`) or a local copy of what
//! `Dataset.to_hub()` publishes (`.argilla/` and the Parquet files of `to_datasets()`).
//!
//! The dataset is created through the same use cases as the API's requests (`create_dataset`,
//! `create_field`, …, `publish_dataset`) and its records through `create_records`, the bulk
//! create of the API (its validation, its record write and `response_write.rs`), in batches of
//! [`BATCH`] records streamed from the folder (`source.rs`, `hub.rs`). A batch that is refused is
//! written again record by record, so one bad record is reported with its reason and the others
//! are imported. Responses of users loam does not have, and of users who are neither owners nor
//! members of the target workspace, are left out and counted.
//!
//! A dataset of that name already in the workspace stops the import before anything is written,
//! unless `into_existing` is set: then only records whose external id (the SDK's record `id`) the
//! dataset does not hold are added — a second run adds nothing, and a run that stopped half-way
//! completes. If the folder fails before the first batch is written, the dataset just created is
//! deleted again: nothing half-created stays.

pub(crate) mod hub;
mod source;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use loam_domain::argilla_folder::{dataset_name, parse_settings, FolderRecord, FolderSettings};
use loam_domain::model::{Dataset, User};
use loam_domain::value::ResponseStatus;
use loam_domain::{QuestionId, Role, UserId};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::{
    Error, NewDataset, NewField, NewMetadataProperty, NewQuestion, NewRecord, NewResponseItem, NewSuggestionItem,
    NewVectorSettings, Service,
};

/// Records per batch written.
pub const BATCH: usize = 500;

/// What to import and where.
#[derive(Clone, Debug)]
pub struct FolderImport {
    pub path: PathBuf,
    pub workspace: String,
    /// The dataset's name; by default the one in `.argilla/dataset.json`.
    pub name: Option<String>,
    /// Add the records missing from an existing dataset of that name instead of stopping.
    pub into_existing: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `Dataset.to_disk()`: `records.json`.
    Disk,
    /// `Dataset.to_hub()`: Parquet files.
    Hub,
    /// Only `.argilla/` (`to_disk(with_records=False)`).
    SettingsOnly,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Disk => "to_disk folder (records.json)",
            Layout::Hub => "Hub folder (Parquet)",
            Layout::SettingsOnly => "settings only",
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct FolderReport {
    pub dataset: String,
    pub layout: Option<Layout>,
    /// The dataset was created by this run (not `into_existing` on one that was there).
    pub created: bool,
    pub records_read: u64,
    pub imported: u64,
    /// Records left out because the dataset already holds their external id.
    pub already_present: u64,
    /// Records refused, with their label and the reason.
    pub failed: Vec<(String, String)>,
    /// Responses left out per user id not found in loam.
    pub unknown_users: BTreeMap<String, u64>,
    /// Responses left out per username of a loam user who is neither an owner nor a member of
    /// the target workspace (who could not answer the dataset).
    pub non_members: BTreeMap<String, u64>,
    /// Hub columns no setting names (kept only as extra metadata where the dataset allows it).
    pub skipped_columns: Vec<String>,
    /// A failure that ended the import after records were written: the import can be completed
    /// with `into_existing`.
    pub stopped: Option<String>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The folder is missing, unreadable or not one the SDK writes.
    #[error("{0}")]
    Folder(String),
    /// The dataset exists in the workspace (and `into_existing` is not set).
    #[error("{0}")]
    Exists(String),
    #[error("{0}")]
    Service(String),
}

/// A service error as one line: the coded schema errors with their place.
pub fn describe(err: &Error) -> String {
    match err {
        Error::Schema(errors) => errors.iter().map(|it| it.to_string()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

fn service(context: &str) -> impl Fn(Error) -> FolderError + '_ {
    move |err| FolderError::Service(format!("{context}: {}", describe(&err)))
}

fn read_json(path: &Path) -> Result<Value, FolderError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| FolderError::Folder(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| FolderError::Folder(format!("{} is not JSON: {e}", path.display())))
}

/// The folder's settings, name and layout, checked before anything is written.
struct Folder {
    settings: FolderSettings,
    name: String,
    layout: Layout,
    parquet: Vec<PathBuf>,
}

fn open_folder(req: &FolderImport, limits: loam_domain::settings::Limits) -> Result<Folder, FolderError> {
    let dir = &req.path;
    if !dir.is_dir() {
        return Err(FolderError::Folder(format!("{} is not a folder", dir.display())));
    }
    let settings_path = dir.join(".argilla/settings.json");
    if !settings_path.is_file() {
        return Err(FolderError::Folder(format!(
            "{} is not a folder Argilla's SDK wrote: it has no .argilla/settings.json",
            dir.display()
        )));
    }
    let settings = parse_settings(&read_json(&settings_path)?, limits)
        .map_err(|e| FolderError::Folder(format!("{}: {e}", settings_path.display())))?;
    let name = match &req.name {
        Some(name) => name.clone(),
        None => {
            let path = dir.join(".argilla/dataset.json");
            if !path.is_file() {
                return Err(FolderError::Folder(format!(
                    "{} has no .argilla/dataset.json: name the dataset with --name",
                    dir.display()
                )));
            }
            dataset_name(&read_json(&path)?).map_err(|e| FolderError::Folder(format!("{}: {e}", path.display())))?
        }
    };
    let parquet =
        source::parquet_files(dir).map_err(|e| FolderError::Folder(format!("cannot list {}: {e}", dir.display())))?;
    let layout = if dir.join("records.json").is_file() {
        Layout::Disk
    } else if !parquet.is_empty() {
        Layout::Hub
    } else {
        Layout::SettingsOnly
    };
    Ok(Folder { settings, name, layout, parquet })
}

impl Service {
    /// Imports a folder as the operator (the CLI): acts as the first owner, who must exist.
    /// `progress` is called with the records read so far after each batch.
    pub async fn import_folder_as_operator(
        &self,
        req: FolderImport,
        mut progress: impl FnMut(u64),
    ) -> Result<FolderReport, FolderError> {
        let folder = open_folder(&req, self.cfg.limits)?;
        let users = self.list_users_as_operator().await.map_err(service("listing users"))?;
        let actor = users.iter().find(|it| it.role == Role::Owner).cloned().ok_or_else(|| {
            FolderError::Service("loam has no owner yet to import as: create one with `loam user create`".into())
        })?;
        let workspace = self
            .find_workspace_by_name(&req.workspace)
            .await
            .map_err(service("finding the workspace"))?
            .ok_or_else(|| FolderError::Folder(format!("no workspace `{}` in loam", req.workspace)))?;
        // Who may answer the dataset: the owners and the workspace's members; other users'
        // responses are left out and counted by username.
        let members: HashSet<UserId> = self
            .list_workspace_members(&actor, workspace.id)
            .await
            .map_err(service("listing the workspace's members"))?
            .into_iter()
            .map(|it| it.id)
            .collect();
        let known: HashMap<UserId, Responder> = users
            .iter()
            .map(|it| {
                let may = it.role == Role::Owner || members.contains(&it.id);
                (it.id, if may { Responder::Member } else { Responder::NotMember(it.username.clone()) })
            })
            .collect();
        let existing = self
            .find_dataset_by_name_as_operator(workspace.id, &folder.name)
            .await
            .map_err(service("finding the dataset"))?;
        let mut report = FolderReport {
            dataset: format!("{}/{}", req.workspace, folder.name),
            layout: Some(folder.layout),
            ..Default::default()
        };
        let dataset = match existing {
            Some(ds) if req.into_existing => ds,
            Some(_) => {
                return Err(FolderError::Exists(format!(
                "dataset `{}` already exists; nothing was changed (add --into-existing to add the records it lacks)",
                report.dataset
            )))
            }
            None => {
                report.created = true;
                self.create_from_settings(&actor, workspace.id, &folder).await?
            }
        };
        let questions: HashMap<String, QuestionId> = self
            .list_questions(&actor, dataset.id)
            .await
            .map_err(service("reading the questions"))?
            .into_iter()
            .map(|it| (it.name, it.id))
            .collect();
        let (tx, mut rx) = mpsc::channel(2 * BATCH);
        let (skipped_tx, mut skipped_rx) = mpsc::unbounded_channel();
        let reader = match folder.layout {
            Layout::Disk => {
                let path = req.path.join("records.json");
                let settings = folder.settings.clone();
                Some(tokio::task::spawn_blocking(move || source::read_disk(path, settings, tx)))
            }
            Layout::Hub => {
                let settings = folder.settings.clone();
                let files = folder.parquet.clone();
                Some(tokio::task::spawn_blocking(move || hub::read_hub(files, settings, tx, skipped_tx)))
            }
            Layout::SettingsOnly => None,
        };
        let writer = Writer { service: self, actor: &actor, dataset: &dataset, questions: &questions, known: &known };
        let mut batch: Vec<(String, FolderRecord)> = Vec::with_capacity(BATCH);
        let mut wrote_any = false;
        let mut fatal = None;
        if reader.is_some() {
            while let Some(message) = rx.recv().await {
                match message {
                    Err(reason) => {
                        fatal = Some(reason);
                        break;
                    }
                    Ok(item) => {
                        report.records_read += 1;
                        match item.record {
                            Ok(record) => batch.push((item.label, record)),
                            Err(reason) => report.failed.push((item.label, reason)),
                        }
                    }
                }
                if batch.len() >= BATCH {
                    writer.write(std::mem::take(&mut batch), &mut report).await.map_err(service("writing records"))?;
                    wrote_any = true;
                    progress(report.records_read);
                }
            }
        }
        if fatal.is_none() && !batch.is_empty() {
            writer.write(batch, &mut report).await.map_err(service("writing records"))?;
            wrote_any = true;
        }
        drop(rx);
        if let Some(reader) = reader {
            let _ = reader.await;
        }
        progress(report.records_read);
        while let Ok(column) = skipped_rx.try_recv() {
            if !report.skipped_columns.contains(&column) {
                report.skipped_columns.push(column);
            }
        }
        if let Some(reason) = fatal {
            if report.created && !wrote_any {
                self.delete_dataset(&actor, dataset.id).await.map_err(service("removing the dataset again"))?;
                return Err(FolderError::Folder(format!("{reason}; the dataset was not created")));
            }
            report.stopped = Some(reason);
        }
        Ok(report)
    }

    async fn find_dataset_by_name_as_operator(
        &self,
        workspace: loam_domain::WorkspaceId,
        name: &str,
    ) -> crate::Result<Option<Dataset>> {
        let mut tx = self.store.read().await?;
        Ok(loam_store::datasets::find_dataset_by_name(&mut tx, workspace, name).await?)
    }

    /// The dataset with every setting, published; deleted again if any step is refused.
    async fn create_from_settings(
        &self,
        actor: &User,
        workspace: loam_domain::WorkspaceId,
        folder: &Folder,
    ) -> Result<Dataset, FolderError> {
        let s = &folder.settings;
        let new = NewDataset {
            name: folder.name.clone(),
            guidelines: s.guidelines.clone(),
            allow_extra_metadata: s.allow_extra_metadata,
            distribution: s.distribution,
            metadata: None,
            workspace_id: workspace,
            responses_visible_for_annotators: false,
        };
        let ds = self.create_dataset(actor, new).await.map_err(service("creating the dataset"))?;
        match self.fill_settings(actor, &ds, s).await {
            Ok(ds) => Ok(ds),
            Err(err) => {
                self.delete_dataset(actor, ds.id).await.map_err(service("removing the dataset again"))?;
                Err(err)
            }
        }
    }

    async fn fill_settings(&self, actor: &User, ds: &Dataset, s: &FolderSettings) -> Result<Dataset, FolderError> {
        for it in &s.fields {
            let new = NewField {
                name: it.name.clone(),
                title: it.title.clone(),
                description: it.description.clone(),
                required: it.required,
                settings: it.settings.clone(),
            };
            self.create_field(actor, ds.id, new).await.map_err(|e| settings_error("field", &it.name, &e))?;
        }
        for it in &s.questions {
            let new = NewQuestion {
                name: it.name.clone(),
                title: it.title.clone(),
                description: it.description.clone(),
                required: it.required,
                settings: it.settings.clone(),
            };
            self.create_question(actor, ds.id, new).await.map_err(|e| settings_error("question", &it.name, &e))?;
        }
        for it in &s.metadata {
            let new = NewMetadataProperty {
                name: it.name.clone(),
                title: it.title.clone(),
                settings: it.settings.clone(),
                visible_for_annotators: it.visible_for_annotators,
            };
            self.create_metadata_property(actor, ds.id, new)
                .await
                .map_err(|e| settings_error("metadata property", &it.name, &e))?;
        }
        for it in &s.vectors {
            let new = NewVectorSettings { name: it.name.clone(), title: it.title.clone(), dimensions: it.dimensions };
            self.create_vector_settings(actor, ds.id, new)
                .await
                .map_err(|e| settings_error("vector settings", &it.name, &e))?;
        }
        self.publish_dataset(actor, ds.id).await.map_err(|e| {
            FolderError::Folder(format!("the dataset cannot be published: {}; nothing was imported", describe(&e)))
        })
    }
}

fn settings_error(kind: &str, name: &str, err: &Error) -> FolderError {
    FolderError::Folder(format!("{kind} `{name}` of settings.json is refused: {}; nothing was imported", describe(err)))
}

/// Writes batches through `create_records`.
struct Writer<'a> {
    service: &'a Service,
    actor: &'a User,
    dataset: &'a Dataset,
    questions: &'a HashMap<String, QuestionId>,
    known: &'a HashMap<UserId, Responder>,
}

/// A loam user a folder's response names.
enum Responder {
    /// An owner or a member of the target workspace.
    Member,
    /// Anyone else, by username.
    NotMember(String),
}

impl Writer<'_> {
    async fn write(&self, batch: Vec<(String, FolderRecord)>, report: &mut FolderReport) -> crate::Result<()> {
        let batch = self.missing(batch, report).await?;
        let mut items = Vec::with_capacity(batch.len());
        let mut labels = Vec::with_capacity(batch.len());
        for (label, record) in batch {
            match self.new_record(record, report) {
                Ok(item) => {
                    items.push(item);
                    labels.push(label);
                }
                Err(reason) => report.failed.push((label, reason)),
            }
        }
        if items.is_empty() {
            return Ok(());
        }
        let n = items.len() as u64;
        match self.service.create_records(self.actor, self.dataset.id, items.clone(), false).await {
            Ok(_) => report.imported += n,
            Err(Error::Unavailable(reason)) => return Err(Error::Unavailable(reason)),
            Err(_) => {
                // One by one: the refused ones are reported, the others written.
                for (item, label) in items.into_iter().zip(labels) {
                    match self.service.create_records(self.actor, self.dataset.id, vec![item], false).await {
                        Ok(_) => report.imported += 1,
                        Err(Error::Unavailable(reason)) => return Err(Error::Unavailable(reason)),
                        Err(err) => report.failed.push((label, describe(&err))),
                    }
                }
            }
        }
        Ok(())
    }

    /// The records whose external id the dataset does not hold yet.
    async fn missing(
        &self,
        batch: Vec<(String, FolderRecord)>,
        report: &mut FolderReport,
    ) -> crate::Result<Vec<(String, FolderRecord)>> {
        let ids: Vec<&str> = batch.iter().filter_map(|(_, it)| it.external_id.as_deref()).collect();
        let mut tx = self.service.store.read().await?;
        let present: HashSet<String> = loam_store::records::find_records_by_external_id(&mut tx, self.dataset.id, &ids)
            .await?
            .into_iter()
            .filter_map(|it| it.external_id)
            .collect();
        drop(tx);
        let before = batch.len();
        let out: Vec<_> = batch
            .into_iter()
            .filter(|(_, it)| it.external_id.as_ref().is_none_or(|id| !present.contains(id)))
            .collect();
        report.already_present += (before - out.len()) as u64;
        Ok(out)
    }

    fn new_record(&self, record: FolderRecord, report: &mut FolderReport) -> Result<NewRecord, String> {
        let mut suggestions = Vec::with_capacity(record.suggestions.len());
        for it in record.suggestions {
            let question_id = *self
                .questions
                .get(&it.question)
                .ok_or_else(|| format!("a suggestion for `{}`, which is not a question of the dataset", it.question))?;
            suggestions.push(NewSuggestionItem {
                question_id,
                value: it.value,
                score: it.score,
                agent: it.agent,
                kind: None,
            });
        }
        let mut responses = Vec::with_capacity(record.responses.len());
        for it in record.responses {
            let user_id = UserId::from(it.user_id);
            match self.known.get(&user_id) {
                None => {
                    *report.unknown_users.entry(it.user_id.to_string()).or_default() += 1;
                    continue;
                }
                Some(Responder::NotMember(username)) => {
                    *report.non_members.entry(username.clone()).or_default() += 1;
                    continue;
                }
                Some(Responder::Member) => {}
            }
            let values = if it.values.is_empty() { None } else { Some(Value::Object(it.values)) };
            if values.is_none() && it.status != ResponseStatus::Discarded {
                continue;
            }
            responses.push(NewResponseItem { user_id, status: it.status, values });
        }
        Ok(NewRecord {
            fields: Some(Value::Object(record.fields)),
            metadata: if record.metadata.is_empty() { None } else { Some(Value::Object(record.metadata)) },
            external_id: record.external_id,
            responses,
            suggestions,
            vectors: record.vectors,
        })
    }
}
