//! Datasets: create, list, update, publish, delete, progress.

use loam_domain::distribution::Distribution;
use loam_domain::model::{Dataset, DatasetStatus, User, UserProgress};
use loam_domain::{DatasetId, Role, Timestamp, WorkspaceId};
use loam_store::{datasets, records, settings as store_settings, Tx};
use serde_json::{Map, Value};

use crate::error::conflict_or;
use crate::outbox::Outbox;
use crate::policy::{may_manage, may_read, require_manager, require_member};
use crate::response_write::{recompute, Locked};
use crate::time_on_task::{team_times, TeamTime};
use crate::wire::event::Event;
use loam_store::time_on_task::Scope;

use crate::{now, Error, Result, Service};

#[derive(Clone, Debug)]
pub struct NewDataset {
    pub name: String,
    pub guidelines: Option<String>,
    pub allow_extra_metadata: bool,
    pub distribution: Distribution,
    pub metadata: Option<Map<String, Value>>,
    pub workspace_id: WorkspaceId,
    /// A loam extension: see `Dataset::responses_visible_for_annotators`.
    pub responses_visible_for_annotators: bool,
}

#[derive(Clone, Debug, Default)]
pub struct DatasetPatch {
    pub name: Option<String>,
    /// `Some(None)` clears the guidelines.
    pub guidelines: Option<Option<String>>,
    pub allow_extra_metadata: Option<bool>,
    pub distribution: Option<Distribution>,
    /// `Some(None)` clears; `Some(Some(map))` merges into the stored metadata.
    pub metadata: Option<Option<Map<String, Value>>>,
    /// A loam extension: see `Dataset::responses_visible_for_annotators`.
    pub responses_visible_for_annotators: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct DatasetFilter {
    pub workspace_id: Option<WorkspaceId>,
    pub name: Option<String>,
    pub status: Option<DatasetStatus>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub total: i64,
    pub completed: i64,
    pub pending: i64,
    pub users: Vec<String>,
}

/// What [`Service::watch_progress`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgressWatch {
    Unchanged {
        token: String,
    },
    /// `time`: the team's time on task, for owners and admins (`None` for annotators).
    Changed {
        token: String,
        progress: Progress,
        users: Vec<UserProgress>,
        time: Option<TeamTime>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MyMetrics {
    pub total: i64,
    pub submitted: i64,
    pub discarded: i64,
    pub draft: i64,
}

fn name_conflict(name: &str, ws: WorkspaceId) -> String {
    format!("Dataset with name `{name}` already exists for workspace with id `{ws}`")
}

impl Service {
    pub async fn create_dataset(&self, actor: &User, new: NewDataset) -> Result<Dataset> {
        let mut tx = self.store.write().await?;
        require_manager(&mut tx, actor, new.workspace_id).await?;
        let at = now();
        let ds = insert_dataset_in(&mut tx, new, DatasetId::new(), (at, at)).await?;
        tx.commit().await?;
        Ok(ds)
    }

    /// Datasets the caller can see, optionally filtered.
    pub async fn my_datasets(&self, actor: &User, filter: DatasetFilter) -> Result<Vec<Dataset>> {
        let mut tx = self.store.read().await?;
        if let Some(ws) = filter.workspace_id {
            require_member(&mut tx, actor, ws).await?;
        }
        let member = if actor.role == Role::Owner { None } else { Some(actor.id) };
        let all = datasets::list_datasets(&mut tx, member).await?;
        Ok(all
            .into_iter()
            .filter(|it| filter.workspace_id.is_none_or(|ws| it.workspace_id == ws))
            .filter(|it| filter.name.as_ref().is_none_or(|name| &it.name == name))
            .filter(|it| filter.status.is_none_or(|status| it.status == status))
            .collect())
    }

    pub async fn get_dataset(&self, actor: &User, id: DatasetId) -> Result<Dataset> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, id).await
    }

    pub async fn update_dataset(&self, actor: &User, id: DatasetId, patch: DatasetPatch) -> Result<Dataset> {
        let mut tx = self.store.write().await?;
        let mut ds = managed_dataset(&mut tx, actor, id).await?;
        if let Some(name) = patch.name {
            if name != ds.name {
                if datasets::find_dataset_by_name(&mut tx, ds.workspace_id, &name).await?.is_some() {
                    return Err(Error::Conflict(name_conflict(&name, ds.workspace_id)));
                }
                ds.name = name;
            }
        }
        if let Some(guidelines) = patch.guidelines {
            ds.guidelines = guidelines;
        }
        if let Some(allow) = patch.allow_extra_metadata {
            ds.allow_extra_metadata = allow;
        }
        if let Some(visible) = patch.responses_visible_for_annotators {
            ds.responses_visible_for_annotators = visible;
        }
        let redistribute = patch.distribution.is_some_and(|it| it != ds.distribution);
        if let Some(distribution) = patch.distribution {
            ds.distribution = distribution;
        }
        match patch.metadata {
            None => {}
            Some(None) => ds.metadata = None,
            Some(Some(sent)) => {
                let mut merged = ds.metadata.take().unwrap_or_default();
                merged.extend(sent);
                ds.metadata = Some(merged);
            }
        }
        // A new min_submitted changes which records are complete: every record with responses is
        // re-evaluated in this same transaction, so no reader ever sees a mix. Their row locks
        // come first (in id order, before the dataset's row), as every recompute takes them.
        let mut answered = None;
        if redistribute {
            let ids = records::list_answered_record_ids(&mut tx, ds.id).await?;
            answered = Some((Locked::take(&mut tx, ids.iter().copied()).await?, ids));
        }
        let at = now();
        ds.updated_at = at;
        ds.last_activity_at = at;
        datasets::update_dataset(&mut tx, &ds)
            .await
            .map_err(|e| conflict_or(e, name_conflict(&ds.name, ds.workspace_id)))?;
        if let Some((locked, ids)) = answered {
            recompute(&mut tx, &ds, &locked, &ids, None).await?;
        }
        Outbox::open(&mut tx).await?.dataset(&mut tx, Event::DatasetUpdated, &ds).await?;
        tx.commit().await?;
        Ok(ds)
    }

    pub async fn delete_dataset(&self, actor: &User, id: DatasetId) -> Result<Dataset> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, id).await?;
        // Rendered before the rows go: receivers get the dataset as it was.
        Outbox::open(&mut tx).await?.dataset(&mut tx, Event::DatasetDeleted, &ds).await?;
        datasets::delete_dataset(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ds)
    }

    pub async fn publish_dataset(&self, actor: &User, id: DatasetId) -> Result<Dataset> {
        let mut tx = self.store.write().await?;
        let mut ds = managed_dataset(&mut tx, actor, id).await?;
        publish_in(&mut tx, &mut ds, now()).await?;
        tx.commit().await?;
        Ok(ds)
    }

    pub async fn dataset_progress(&self, actor: &User, id: DatasetId) -> Result<Progress> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, id).await?;
        let users = datasets::list_dataset_usernames(&mut tx, id).await?;
        if ds.status == DatasetStatus::Draft {
            return Ok(Progress { total: 0, completed: 0, pending: 0, users });
        }
        let (total, completed) = datasets::record_counts(&mut tx, id).await?;
        Ok(Progress { total, completed, pending: total - completed, users })
    }

    /// The dataset's and every annotator's progress, for a screen that watches it, unless it is
    /// unchanged since `known` (a token from an earlier call): then only the token, after a
    /// dataset lookup and one index-only count. The token lives in the database (the dataset's
    /// `last_activity_at`, bumped by every response write, and `updated_at`; the records' count and
    /// highest `seq`), so every replica on one database answers alike.
    pub async fn watch_progress(&self, actor: &User, id: DatasetId, known: Option<&str>) -> Result<ProgressWatch> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, id).await?;
        // Read before the counts: a write landing in between makes the next token differ, so it
        // is picked up by the next call rather than hidden.
        let (n_records, max_seq) = datasets::record_change_marks(&mut tx, id).await?;
        let token = format!("{}.{}.{}.{}", ds.last_activity_at.0, ds.updated_at.0, n_records, max_seq);
        if known == Some(token.as_str()) {
            return Ok(ProgressWatch::Unchanged { token });
        }
        let users = datasets::list_dataset_usernames(&mut tx, id).await?;
        let progress = if ds.status == DatasetStatus::Draft {
            Progress { total: 0, completed: 0, pending: 0, users }
        } else {
            let (total, completed) = datasets::record_counts(&mut tx, id).await?;
            Progress { total, completed, pending: total - completed, users }
        };
        let per_user = datasets::users_progress(&mut tx, id).await?;
        let time = if actor.role == Role::Annotator {
            None
        } else {
            Some(team_times(&mut tx, Scope::Dataset(id)).await?.remove(&id).unwrap_or_default())
        };
        Ok(ProgressWatch::Changed { token, progress, users: per_user, time })
    }

    pub async fn users_progress(&self, actor: &User, id: DatasetId) -> Result<Vec<UserProgress>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, id).await?;
        Ok(datasets::users_progress(&mut tx, id).await?)
    }

    pub async fn my_metrics(&self, actor: &User, id: DatasetId) -> Result<MyMetrics> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, id).await?;
        if ds.status == DatasetStatus::Draft {
            return Ok(MyMetrics { total: 0, submitted: 0, discarded: 0, draft: 0 });
        }
        let total = records::count_records(&mut tx, id).await?;
        let (submitted, discarded, draft) = datasets::user_response_counts(&mut tx, id, actor.id).await?;
        Ok(MyMetrics { total, submitted, discarded, draft })
    }
}

pub(crate) async fn find_dataset(tx: &mut Tx, id: DatasetId) -> Result<Dataset> {
    datasets::find_dataset(tx, id).await?.ok_or_else(|| Error::not_found("Dataset", id))
}

/// Lookup, then "owner or member of its workspace".
pub(crate) async fn readable_dataset(tx: &mut Tx, actor: &User, id: DatasetId) -> Result<Dataset> {
    let (ds, member) = find_dataset_for(tx, actor, id).await?;
    may_read(actor, member)?;
    Ok(ds)
}

/// Lookup, then "owner or admin member of its workspace".
pub(crate) async fn managed_dataset(tx: &mut Tx, actor: &User, id: DatasetId) -> Result<Dataset> {
    let (ds, member) = find_dataset_for(tx, actor, id).await?;
    may_manage(actor, member)?;
    Ok(ds)
}

/// Inserts a draft dataset with `id` and (`inserted_at`, `updated_at`) under the creation rules
/// (the workspace exists; the name is free in it), queueing `dataset.created`. The caller has
/// checked the policy.
pub(crate) async fn insert_dataset_in(
    tx: &mut Tx,
    new: NewDataset,
    id: DatasetId,
    (inserted_at, updated_at): (Timestamp, Timestamp),
) -> Result<Dataset> {
    if loam_store::workspaces::find_workspace(tx, new.workspace_id).await?.is_none() {
        return Err(Error::invalid(format!("Workspace with id `{}` not found", new.workspace_id)));
    }
    if datasets::find_dataset_by_name(tx, new.workspace_id, &new.name).await?.is_some() {
        return Err(Error::Conflict(name_conflict(&new.name, new.workspace_id)));
    }
    let ds = Dataset {
        id,
        name: new.name,
        guidelines: new.guidelines,
        allow_extra_metadata: new.allow_extra_metadata,
        status: DatasetStatus::Draft,
        distribution: new.distribution,
        metadata: new.metadata,
        workspace_id: new.workspace_id,
        last_activity_at: updated_at,
        inserted_at,
        updated_at,
        responses_visible_for_annotators: new.responses_visible_for_annotators,
        settings_version: 0,
    };
    datasets::insert_dataset(tx, &ds).await.map_err(|e| conflict_or(e, name_conflict(&ds.name, ds.workspace_id)))?;
    Outbox::open(tx).await?.dataset(tx, Event::DatasetCreated, &ds).await?;
    Ok(ds)
}

/// Publishes `ds` under the publication rules (not yet published; a field; a required
/// question), stamping `updated_at` with `at` and queueing `dataset.published`.
pub(crate) async fn publish_in(tx: &mut Tx, ds: &mut Dataset, at: Timestamp) -> Result<()> {
    if ds.status == DatasetStatus::Ready {
        return Err(Error::invalid("Dataset has already been published"));
    }
    if store_settings::list_fields(tx, ds.id).await?.is_empty() {
        return Err(Error::invalid("Dataset cannot be published without fields"));
    }
    if !store_settings::list_questions(tx, ds.id).await?.iter().any(|it| it.required) {
        return Err(Error::invalid("Dataset cannot be published without required questions"));
    }
    ds.status = DatasetStatus::Ready;
    ds.updated_at = at;
    datasets::update_dataset(tx, ds).await?;
    Outbox::open(tx).await?.dataset(tx, Event::DatasetPublished, ds).await?;
    Ok(())
}

/// The dataset, and whether `actor` is a member of its workspace (one statement).
async fn find_dataset_for(tx: &mut Tx, actor: &User, id: DatasetId) -> Result<(Dataset, bool)> {
    datasets::find_dataset_for(tx, id, actor.id).await?.ok_or_else(|| Error::not_found("Dataset", id))
}
