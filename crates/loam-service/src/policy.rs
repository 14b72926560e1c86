//! The permission matrix (model.md §3): who may do what, decided in one place.

use loam_domain::model::{Dataset, User};
use loam_domain::{Role, UserId, WorkspaceId};
use loam_store::{workspaces, Tx};

use crate::{Error, Result};

pub(crate) fn require_owner(actor: &User) -> Result<()> {
    if actor.role == Role::Owner {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Owners, and members of the workspace in any role.
pub(crate) async fn require_member(tx: &mut Tx, actor: &User, ws: WorkspaceId) -> Result<()> {
    may_read(actor, actor.role == Role::Owner || workspaces::is_member(tx, ws, actor.id).await?)
}

/// Owners, and admins who are members of the workspace.
pub(crate) async fn require_manager(tx: &mut Tx, actor: &User, ws: WorkspaceId) -> Result<()> {
    may_manage(actor, actor.role == Role::Admin && workspaces::is_member(tx, ws, actor.id).await?)
}

/// `require_member` once membership (`member`) is known.
pub(crate) fn may_read(actor: &User, member: bool) -> Result<()> {
    if actor.role == Role::Owner || member {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// `require_manager` once membership (`member`) is known.
pub(crate) fn may_manage(actor: &User, member: bool) -> Result<()> {
    match actor.role {
        Role::Owner => Ok(()),
        Role::Admin if member => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

/// Whether `actor` sees metadata hidden from annotators: metadata properties with
/// `visible_for_annotators` false, and record metadata keys that belong to no property (the
/// reference's rule for the records it filters). Owners and admins do; annotators never, on any
/// route: hidden keys are removed from the records they receive, and filters, sorts and metrics
/// naming a hidden property answer as if it did not exist (metrics: the reference's 403).
pub(crate) fn sees_hidden_metadata(actor: &User) -> bool {
    actor.role != Role::Annotator
}

/// Whether `actor` sees every annotator's responses on the records of `ds` that they read by id
/// (`GET /api/v1/records/{id}`). Owners and admins do; annotators only when the dataset opts in
/// (`responses_visible_for_annotators`, a loam extension, off by default), else only their own.
/// The `/me` searches always carry the caller's own responses only, whatever the role or the
/// dataset (Argilla's web UI reads `responses[0]` there as the caller's answer).
pub(crate) fn sees_all_responses(actor: &User, ds: &Dataset) -> bool {
    actor.role != Role::Annotator || ds.responses_visible_for_annotators
}

/// Who may write a response attributed to `author` (record bulk create / upsert and the legacy
/// record creation take a `user_id` per response): the author themself, or an owner. Admins may
/// send another user's stored response back unchanged (the v2 SDK does when it logs records it
/// read), which writes nothing; that is decided by the caller of this check.
pub(crate) fn may_attribute(actor: &User, author: UserId) -> bool {
    actor.role == Role::Owner || actor.id == author
}
