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
    if actor.role == Role::Owner || workspaces::is_member(tx, ws, actor.id).await? {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Owners, and admins who are members of the workspace.
pub(crate) async fn require_manager(tx: &mut Tx, actor: &User, ws: WorkspaceId) -> Result<()> {
    match actor.role {
        Role::Owner => Ok(()),
        Role::Admin if workspaces::is_member(tx, ws, actor.id).await? => Ok(()),
        _ => Err(Error::Forbidden),
    }
}
