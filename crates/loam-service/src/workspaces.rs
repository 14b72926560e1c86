//! Workspaces and memberships.

use loam_domain::model::{User, Workspace};
use loam_domain::{Role, UserId, WorkspaceId};
use loam_store::{users, workspaces, Tx};

use crate::error::conflict_or;
use crate::policy::{require_manager, require_member, require_owner};
use crate::users::find_user;
use crate::{now, Error, Result, Service};

impl Service {
    pub async fn create_workspace(&self, actor: &User, id: Option<WorkspaceId>, name: String) -> Result<Workspace> {
        require_owner(actor)?;
        self.insert_workspace(id, name).await
    }

    pub async fn create_workspace_as_operator(&self, name: String) -> Result<Workspace> {
        self.insert_workspace(None, name).await
    }

    async fn insert_workspace(&self, id: Option<WorkspaceId>, name: String) -> Result<Workspace> {
        let at = now();
        let ws = Workspace { id: id.unwrap_or_default(), name, inserted_at: at, updated_at: at };
        let mut tx = self.store.write().await?;
        if workspaces::find_workspace_by_name(&mut tx, &ws.name).await?.is_some() {
            return Err(Error::Conflict(format!("Workspace name `{}` is not unique", ws.name)));
        }
        if workspaces::find_workspace(&mut tx, ws.id).await?.is_some() {
            return Err(Error::Conflict(format!("Workspace with id `{}` is not unique", ws.id)));
        }
        workspaces::insert_workspace(&mut tx, &ws)
            .await
            .map_err(|e| conflict_or(e, format!("Workspace name `{}` is not unique", ws.name)))?;
        tx.commit().await?;
        Ok(ws)
    }

    /// A workspace, for owners and its members (authz before lookup: a non-member learns nothing).
    pub async fn get_workspace(&self, actor: &User, id: WorkspaceId) -> Result<Workspace> {
        let mut tx = self.store.read().await?;
        require_member(&mut tx, actor, id).await?;
        find_workspace(&mut tx, id).await
    }

    pub async fn delete_workspace(&self, actor: &User, id: WorkspaceId) -> Result<Workspace> {
        require_owner(actor)?;
        let mut tx = self.store.write().await?;
        let ws = find_workspace(&mut tx, id).await?;
        if workspaces::count_datasets(&mut tx, id).await? > 0 {
            return Err(Error::Conflict(format!(
                "Cannot delete the workspace {id}. This workspace has some datasets linked"
            )));
        }
        workspaces::delete_workspace(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ws)
    }

    /// The caller's workspaces: all for owners, memberships for others.
    pub async fn my_workspaces(&self, actor: &User) -> Result<Vec<Workspace>> {
        let mut tx = self.store.read().await?;
        if actor.role == Role::Owner {
            Ok(workspaces::list_workspaces(&mut tx).await?)
        } else {
            Ok(workspaces::list_workspaces_of_user(&mut tx, actor.id).await?)
        }
    }

    /// Every workspace, for the command line.
    pub async fn list_workspaces_as_operator(&self) -> Result<Vec<Workspace>> {
        let mut tx = self.store.read().await?;
        Ok(workspaces::list_workspaces(&mut tx).await?)
    }

    pub async fn find_workspace_by_name(&self, name: &str) -> Result<Option<Workspace>> {
        let mut tx = self.store.read().await?;
        Ok(workspaces::find_workspace_by_name(&mut tx, name).await?)
    }

    pub async fn list_workspace_members(&self, actor: &User, id: WorkspaceId) -> Result<Vec<User>> {
        let mut tx = self.store.read().await?;
        require_manager(&mut tx, actor, id).await?;
        find_workspace(&mut tx, id).await?;
        Ok(workspaces::list_members(&mut tx, id).await?)
    }

    /// Adds a member. `unknown_user_is_invalid`: the v1 API answers an unknown user with 422,
    /// the legacy one with 404.
    pub async fn add_workspace_member(
        &self,
        actor: &User,
        id: WorkspaceId,
        user_id: UserId,
        unknown_user_is_invalid: bool,
    ) -> Result<User> {
        require_owner(actor)?;
        self.add_member(id, user_id, unknown_user_is_invalid).await
    }

    pub async fn add_workspace_member_as_operator(&self, workspace: &str, username: &str) -> Result<User> {
        let ws = self
            .find_workspace_by_name(workspace)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Workspace not found filtering by name={workspace}")))?;
        let user = self
            .find_user_by_username(username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("User not found filtering by username={username}")))?;
        self.add_member(ws.id, user.id, false).await
    }

    async fn add_member(&self, id: WorkspaceId, user_id: UserId, unknown_user_is_invalid: bool) -> Result<User> {
        let mut tx = self.store.write().await?;
        find_workspace(&mut tx, id).await?;
        let user = match users::find_user(&mut tx, user_id).await? {
            Some(user) => user,
            None if unknown_user_is_invalid => {
                return Err(Error::invalid(format!("User with id `{user_id}` not found")))
            }
            None => return Err(Error::not_found("User", user_id)),
        };
        let conflict = format!("Workspace user with workspace_id `{id}` and user_id `{user_id}` is not unique");
        if workspaces::is_member(&mut tx, id, user_id).await? {
            return Err(Error::Conflict(conflict));
        }
        workspaces::add_member(&mut tx, id, user_id, now()).await.map_err(|e| conflict_or(e, conflict))?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn remove_workspace_member(&self, actor: &User, id: WorkspaceId, user_id: UserId) -> Result<User> {
        let mut tx = self.store.write().await?;
        if !workspaces::is_member(&mut tx, id, user_id).await? {
            return Err(Error::NotFound(format!(
                "WorkspaceUser not found filtering by workspace_id={id}, user_id={user_id}"
            )));
        }
        require_manager(&mut tx, actor, id).await?;
        let user = find_user(&mut tx, user_id).await?;
        workspaces::remove_member(&mut tx, id, user_id).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn remove_workspace_member_as_operator(&self, workspace: &str, username: &str) -> Result<User> {
        let ws = self
            .find_workspace_by_name(workspace)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Workspace not found filtering by name={workspace}")))?;
        let user = self
            .find_user_by_username(username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("User not found filtering by username={username}")))?;
        let mut tx = self.store.write().await?;
        if !workspaces::remove_member(&mut tx, ws.id, user.id).await? {
            return Err(Error::NotFound(format!("{username} is not a member of {workspace}")));
        }
        tx.commit().await?;
        Ok(user)
    }
}

pub(crate) async fn find_workspace(tx: &mut Tx, id: WorkspaceId) -> Result<Workspace> {
    workspaces::find_workspace(tx, id).await?.ok_or_else(|| Error::not_found("Workspace", id))
}
