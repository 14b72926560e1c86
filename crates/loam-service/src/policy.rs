//! The permission matrix (model.md §3): who may do what, decided in one place.

use loam_domain::model::User;
use loam_domain::{Role, WorkspaceId};
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
