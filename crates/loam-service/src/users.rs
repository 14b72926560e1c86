//! Users: create, list, update, delete (owners only), and the bootstrap owner.

use std::collections::BTreeMap;

use loam_domain::model::{User, Workspace};
use loam_domain::{DatasetId, RecordId, Role, UserId, WorkspaceId};
use loam_store::{responses, users, workspaces, Tx, TxLock};

use crate::auth::{check_new_password, digest, generate_api_key};
use crate::error::conflict_or;
use crate::policy::require_owner;
use crate::response_write::{recompute, Locked};
use crate::{now, Error, Result, Service};

#[derive(Clone, Debug)]
pub struct NewUser {
    pub id: Option<UserId>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: String,
    pub role: Role,
    pub password: String,
    /// Workspace names to join (legacy `/api/users`).
    pub workspaces: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub first_name: Option<String>,
    /// `Some(None)` clears the last name.
    pub last_name: Option<Option<String>>,
    pub username: Option<String>,
    pub role: Option<Role>,
    pub password: Option<String>,
}

impl Service {
    /// Creates a user; returns it with its API key (the only time the key is shown).
    pub async fn create_user(&self, actor: &User, new: NewUser) -> Result<(User, String)> {
        require_owner(actor)?;
        self.insert_user(new).await
    }

    async fn insert_user(&self, new: NewUser) -> Result<(User, String)> {
        check_new_password(&new.password)?;
        let password_hash = self.hasher.hash(new.password.clone()).await?;
        let key = generate_api_key();
        let at = now();
        let user = User {
            id: new.id.unwrap_or_default(),
            first_name: new.first_name,
            last_name: new.last_name,
            username: new.username,
            role: new.role,
            inserted_at: at,
            updated_at: at,
        };
        let mut tx = self.store.write().await?;
        if users::find_user(&mut tx, user.id).await?.is_some() {
            return Err(Error::Conflict(format!("User with id `{}` is not unique", user.id)));
        }
        if users::find_user_by_username(&mut tx, &user.username).await?.is_some() {
            return Err(Error::Conflict(format!("User username `{}` is not unique", user.username)));
        }
        let mut joined: Vec<Workspace> = Vec::new();
        for name in &new.workspaces {
            match workspaces::find_workspace_by_name(&mut tx, name).await? {
                Some(ws) => joined.push(ws),
                None => return Err(Error::invalid(format!("Workspace '{name}' does not exist"))),
            }
        }
        users::insert_user(&mut tx, &user, &digest(&key), &password_hash)
            .await
            .map_err(|e| conflict_or(e, format!("User username `{}` is not unique", user.username)))?;
        for ws in joined {
            workspaces::add_member(&mut tx, ws.id, user.id, at).await?;
        }
        tx.commit().await?;
        Ok((user, key))
    }

    /// Creates the first owner (and a default workspace named `argilla`) when there are no users.
    /// Returns `None` when users already exist. The password policy is the caller's to apply (the
    /// CLI lets development setups through with `--allow-weak-credentials`).
    pub async fn bootstrap_owner(&self, username: &str, password: &str, api_key: &str) -> Result<Option<User>> {
        {
            let mut tx = self.store.read().await?;
            if users::count_users(&mut tx).await? > 0 {
                return Ok(None);
            }
        }
        let password_hash = self.hasher.hash(password.to_owned()).await?;
        let at = now();
        let user = User {
            id: UserId::new(),
            first_name: username.to_owned(),
            last_name: None,
            username: username.to_owned(),
            role: Role::Owner,
            inserted_at: at,
            updated_at: at,
        };
        let mut tx = self.store.write().await?;
        // Replicas started together on an empty database all get here; one creates the owner and
        // the others, once it commits, see it.
        tx.serialize_on(TxLock::Bootstrap).await?;
        if users::count_users(&mut tx).await? > 0 {
            return Ok(None);
        }
        users::insert_user(&mut tx, &user, &digest(api_key), &password_hash).await?;
        if workspaces::find_workspace_by_name(&mut tx, "argilla").await?.is_none() {
            let ws = Workspace { id: WorkspaceId::new(), name: "argilla".to_owned(), inserted_at: at, updated_at: at };
            workspaces::insert_workspace(&mut tx, &ws).await?;
        }
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Creates a user from the command line (no acting user: the operator owns the machine).
    pub async fn create_user_as_operator(&self, new: NewUser) -> Result<(User, String)> {
        self.insert_user(new).await
    }

    pub async fn list_users(&self, actor: &User) -> Result<Vec<User>> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        Ok(users::list_users(&mut tx).await?)
    }

    /// All users, for the command line.
    pub async fn list_users_as_operator(&self) -> Result<Vec<User>> {
        let mut tx = self.store.read().await?;
        Ok(users::list_users(&mut tx).await?)
    }

    pub async fn get_user(&self, actor: &User, id: UserId) -> Result<User> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        find_user(&mut tx, id).await
    }

    pub async fn find_user_by_username(&self, username: &str) -> Result<Option<User>> {
        let mut tx = self.store.read().await?;
        Ok(users::find_user_by_username(&mut tx, username).await?)
    }

    /// Updates a user (owners only). Permission and the password policy are checked before the
    /// password is hashed. A new username, role or password revokes the user's sign-in tokens.
    pub async fn update_user(&self, actor: &User, id: UserId, patch: UserPatch) -> Result<User> {
        let password_hash = match &patch.password {
            Some(password) => {
                {
                    let mut tx = self.store.read().await?;
                    find_user(&mut tx, id).await?;
                }
                require_owner(actor)?;
                check_new_password(password)?;
                Some(self.hasher.hash(password.clone()).await?)
            }
            None => None,
        };
        let mut tx = self.store.write().await?;
        let mut user = find_user(&mut tx, id).await?;
        require_owner(actor)?;
        let mut revoke = password_hash.is_some();
        if let Some(username) = patch.username {
            if username != user.username {
                if users::find_user_by_username(&mut tx, &username).await?.is_some() {
                    return Err(Error::invalid(format!("Username '{username}' already exists")));
                }
                user.username = username;
                revoke = true;
            }
        }
        if let Some(first_name) = patch.first_name {
            user.first_name = first_name;
        }
        if let Some(last_name) = patch.last_name {
            user.last_name = last_name;
        }
        if let Some(role) = patch.role {
            revoke |= role != user.role;
            user.role = role;
        }
        user.updated_at = now();
        users::update_user(&mut tx, &user).await?;
        if let Some(hash) = password_hash {
            users::set_password_hash(&mut tx, user.id, &hash).await?;
        }
        if revoke {
            users::bump_token_version(&mut tx, user.id).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a user's password from the command line (the policy applies; tokens are revoked).
    pub async fn set_password_as_operator(&self, username: &str, password: &str) -> Result<User> {
        check_new_password(password)?;
        let hash = self.hasher.hash(password.to_owned()).await?;
        let mut tx = self.store.write().await?;
        let user = users::find_user_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("User not found filtering by username={username}")))?;
        users::set_password_hash(&mut tx, user.id, &hash).await?;
        users::bump_token_version(&mut tx, user.id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Rotates a user's API key from the command line; returns the new key.
    pub async fn rotate_key_as_operator(&self, username: &str) -> Result<(User, String)> {
        let key = generate_api_key();
        let mut tx = self.store.write().await?;
        let user = users::find_user_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("User not found filtering by username={username}")))?;
        users::set_api_key_digest(&mut tx, user.id, &digest(&key)).await?;
        users::bump_token_version(&mut tx, user.id).await?;
        tx.commit().await?;
        Ok((user, key))
    }

    pub async fn delete_user(&self, actor: &User, id: UserId) -> Result<User> {
        let mut tx = self.store.write().await?;
        let user = find_user(&mut tx, id).await?;
        require_owner(actor)?;
        self.remove_user(&mut tx, &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn delete_user_as_operator(&self, username: &str) -> Result<User> {
        let mut tx = self.store.write().await?;
        let user = users::find_user_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("User not found filtering by username={username}")))?;
        self.remove_user(&mut tx, &user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Deletes a user with their responses, and recomputes the status of the records they had
    /// answered (model.md §14 item 12).
    async fn remove_user(&self, tx: &mut Tx, user: &User) -> Result<()> {
        let answered = responses::list_record_ids_of_user(tx, user.id).await?;
        // The records' row locks before their responses go, as every recompute takes them.
        let locked = Locked::take(tx, answered.iter().map(|(_, record)| *record)).await?;
        users::delete_user(tx, user.id).await?;
        let mut by_dataset: BTreeMap<DatasetId, Vec<RecordId>> = BTreeMap::new();
        for (dataset, record) in answered {
            by_dataset.entry(dataset).or_default().push(record);
        }
        for (dataset, ids) in by_dataset {
            let ds = crate::datasets::find_dataset(tx, dataset).await?;
            recompute(tx, &ds, &locked, &ids, None).await?;
        }
        Ok(())
    }

    /// Workspaces of a user (all of them for owners).
    pub async fn list_user_workspaces(&self, actor: &User, id: UserId) -> Result<Vec<Workspace>> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        let user = find_user(&mut tx, id).await?;
        if user.role == Role::Owner {
            Ok(workspaces::list_workspaces(&mut tx).await?)
        } else {
            Ok(workspaces::list_workspaces_of_user(&mut tx, id).await?)
        }
    }

    /// Names of the workspaces a user belongs to (all for owners when `all_for_owner`).
    pub async fn workspace_names_of(&self, user: &User, all_for_owner: bool) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        if all_for_owner && user.role == Role::Owner {
            return Ok(workspaces::list_workspaces(&mut tx).await?.into_iter().map(|it| it.name).collect());
        }
        Ok(workspaces::list_membership_names(&mut tx, user.id).await?)
    }
}

pub(crate) async fn find_user(tx: &mut Tx, id: UserId) -> Result<User> {
    users::find_user(tx, id).await?.ok_or_else(|| Error::not_found("User", id))
}
