//! Review and adjudication (issue 20, loam extensions): the reviewers of a workspace, a dataset's
//! review rule and queue (`queue.rs`), a record as a reviewer sees it and the reviewer's decisions
//! (`decide.rs`), and the records returned to an annotator.
//!
//! Who reviews is `policy::may_review`: owners, the workspace's admins, and annotators an owner
//! marked as reviewers of the workspace (`workspace_reviewers`, apart from the three roles the
//! SDKs know). A decision sets the record's **final answer** (an annotator's submitted answer,
//! the consolidated one, or the reviewer's own), kept apart from the responses, and every action
//! is written to the audit trail (`review_events`). A **return** sets the annotator's response
//! back to `draft` (what the SDKs see of it: their answer is a draft again, values kept), keeps
//! the reviewer's comment, and takes the record out of the queue until the annotator submits
//! again; the resubmitted record is back in the queue whatever the rule. The exports prefer the
//! final answer (`export/`).

mod decide;
mod queue;

use loam_domain::model::User;
use loam_domain::review::ReviewRule;
use loam_domain::{DatasetId, Role, Timestamp, UserId, WorkspaceId};
use loam_store::{review, users, workspaces, Tx};
use rand::RngCore;
use serde_json::Value;

pub use decide::{Decision, RecordReview, ReviewedResponse};
pub use queue::{QueueItem, QueuePage};

use crate::datasets::{managed_dataset, readable_dataset};
use crate::policy::{may_mark_reviewers, require_manager, require_reviewer};
use crate::{now, Error, Result, Service};

/// An annotator marked as a reviewer of a workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct Reviewer {
    pub user_id: UserId,
    pub username: String,
    pub since: Timestamp,
}

/// A record returned to the caller, waiting for their resubmission.
#[derive(Clone, Debug, PartialEq)]
pub struct Returned {
    pub record_id: loam_domain::RecordId,
    pub comment: String,
    pub returned_by: Option<String>,
    pub returned_at: Timestamp,
}

impl Service {
    /// The annotators marked as reviewers of `ws` (owners and the workspace's admins).
    pub async fn list_reviewers(&self, actor: &User, ws: WorkspaceId) -> Result<Vec<Reviewer>> {
        let mut tx = self.store.read().await?;
        find_workspace(&mut tx, ws).await?;
        require_manager(&mut tx, actor, ws).await?;
        reviewers(&mut tx, ws).await
    }

    /// Marks `user` (an annotator member of `ws`) a reviewer of it (owners); `true` when they
    /// were not one before.
    pub async fn add_reviewer(&self, actor: &User, ws: WorkspaceId, user: UserId) -> Result<(Reviewer, bool)> {
        let mut tx = self.store.write().await?;
        may_mark_reviewers(actor)?;
        find_workspace(&mut tx, ws).await?;
        let target = users::find_user(&mut tx, user).await?.ok_or_else(|| Error::not_found("User", user))?;
        if target.role != Role::Annotator {
            return Err(Error::invalid(format!(
                "`{}` is an {}: owners and admins review without being marked; only annotators are marked as reviewers",
                target.username,
                target.role.as_str()
            )));
        }
        if !workspaces::is_member(&mut tx, ws, user).await? {
            return Err(Error::invalid(format!(
                "`{}` is not a member of this workspace; add them to it first",
                target.username
            )));
        }
        let created = review::add_reviewer(&mut tx, ws, user, now()).await?;
        let found = reviewers(&mut tx, ws).await?.into_iter().find(|it| it.user_id == user);
        tx.commit().await?;
        let reviewer = found.ok_or_else(|| Error::not_found("Reviewer", user))?;
        Ok((reviewer, created))
    }

    /// Unmarks `user` as a reviewer of `ws` (owners); 404 when they were not one.
    pub async fn remove_reviewer(&self, actor: &User, ws: WorkspaceId, user: UserId) -> Result<Reviewer> {
        let mut tx = self.store.write().await?;
        may_mark_reviewers(actor)?;
        find_workspace(&mut tx, ws).await?;
        let found = reviewers(&mut tx, ws).await?.into_iter().find(|it| it.user_id == user);
        let reviewer = found.ok_or_else(|| Error::not_found("Reviewer", user))?;
        review::remove_reviewer(&mut tx, ws, user).await?;
        tx.commit().await?;
        Ok(reviewer)
    }

    /// The workspaces whose datasets the caller reviews: every one for owners, their own for
    /// admins, those they are marked in (and members of) for annotators.
    pub async fn my_review_workspaces(&self, actor: &User) -> Result<Vec<WorkspaceId>> {
        let mut tx = self.store.read().await?;
        let list = match actor.role {
            Role::Owner => workspaces::list_workspaces(&mut tx).await?.into_iter().map(|it| it.id).collect(),
            Role::Admin => {
                workspaces::list_workspaces_of_user(&mut tx, actor.id).await?.into_iter().map(|it| it.id).collect()
            }
            Role::Annotator => {
                let mut marked = review::reviewer_workspaces(&mut tx, actor.id).await?;
                let member: Vec<WorkspaceId> =
                    workspaces::list_workspaces_of_user(&mut tx, actor.id).await?.into_iter().map(|it| it.id).collect();
                marked.retain(|it| member.contains(it));
                marked
            }
        };
        Ok(list)
    }

    /// The review rule of a dataset (its reviewers): the stored one, else the default.
    pub async fn review_rule(&self, actor: &User, dataset: DatasetId) -> Result<ReviewRule> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, dataset).await?;
        require_reviewer(&mut tx, actor, ds.workspace_id).await?;
        rule_of(&mut tx, dataset).await
    }

    /// Sets a dataset's review rule (owners and the workspace's admins); a sample without a seed
    /// gets one here, stored and shown.
    pub async fn set_review_rule(&self, actor: &User, dataset: DatasetId, value: &Value) -> Result<ReviewRule> {
        let mut tx = self.store.write().await?;
        managed_dataset(&mut tx, actor, dataset).await?;
        let rule = ReviewRule::parse(value, rand::thread_rng().next_u64())?;
        review::upsert_rule(&mut tx, dataset, &rule.to_json(), now()).await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// The records of `dataset` returned to the caller and not resubmitted yet, latest first.
    pub async fn returned_to_me(&self, actor: &User, dataset: DatasetId) -> Result<Vec<Returned>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        let mut res = Vec::new();
        for it in review::dataset_returns(&mut tx, dataset, Some(actor.id)).await? {
            if !it.open {
                continue;
            }
            let by = users::find_user(&mut tx, it.returned_by).await?.map(|u| u.username);
            res.push(Returned {
                record_id: it.record_id,
                comment: it.comment,
                returned_by: by,
                returned_at: it.returned_at,
            });
        }
        Ok(res)
    }
}

async fn find_workspace(tx: &mut Tx, ws: WorkspaceId) -> Result<()> {
    workspaces::find_workspace(tx, ws).await?.map(|_| ()).ok_or_else(|| Error::not_found("Workspace", ws))
}

async fn reviewers(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<Reviewer>> {
    Ok(review::list_reviewers(tx, ws)
        .await?
        .into_iter()
        .map(|(user_id, username, since)| Reviewer { user_id, username, since })
        .collect())
}

/// The rule in force for `dataset`: the stored one, else "the answers differ". A stored rule
/// that no longer parses (never written so) counts as absent.
pub(crate) async fn rule_of(tx: &mut Tx, dataset: DatasetId) -> Result<ReviewRule> {
    let stored = review::find_rule(tx, dataset).await?;
    Ok(stored.and_then(|it| ReviewRule::parse(&it, 0).ok()).unwrap_or_else(|| ReviewRule::default_with(0)))
}
