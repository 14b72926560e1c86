//! Workspaces and users of the server read, with their ids, timestamps and memberships.
//!
//! Passwords cannot be read from Argilla: an imported user gets a new generated password (the
//! caller prints it once), or an unusable one that only an owner's reset replaces. API keys can
//! be read by an owner (`GET /api/v1/users` shows them): each user keeps theirs, so scripts and
//! SDK code keep signing in; loam stores only its digest, as for every key.

use loam_domain::model::{User, Workspace};
use loam_domain::{Role, UserId, WorkspaceId};
use loam_store::{users, workspaces};
use serde_json::Value;

use super::{timestamp, uuid_of, Outcome};
use crate::auth::{check_new_password, digest, generate_api_key, generate_password};
use crate::{now, Result, Service};

/// A password hash no password verifies against (not a PHC string): the account cannot sign
/// in with a password until an owner sets one.
pub(super) const UNUSABLE_PASSWORD: &str = "!imported: set by an owner";

/// What an imported user gets as a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Password {
    /// A new random password, returned once.
    Generate,
    /// None that works, until an owner sets one (`loam user set-password`).
    Unusable,
}

/// What became of one user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserImport {
    pub outcome: Outcome,
    /// The loam user their responses go to: the same id, or the loam user of the same username.
    pub loam_id: Option<UserId>,
    /// The new password, when one was generated (shown once).
    pub password: Option<String>,
    /// Whether the user keeps the API key they had.
    pub api_key_kept: bool,
    /// Memberships added (workspaces the user was in and loam did not have).
    pub memberships_added: usize,
}

impl Service {
    /// Imports a workspace (`GET /api/v1/me/workspaces` item) with its id and timestamps, unless
    /// a workspace with its id is there already. A workspace of the same name under another id
    /// is refused.
    pub async fn import_argilla_workspace(&self, raw: &Value, dry_run: bool) -> Result<Outcome> {
        let id = match uuid_of(raw, "id") {
            Ok(id) => WorkspaceId(id),
            Err(reason) => return Ok(Outcome::Refused(reason)),
        };
        let Some(name) = raw.get("name").and_then(Value::as_str).filter(|it| !it.is_empty()) else {
            return Ok(Outcome::Refused("the workspace has no name".to_owned()));
        };
        let mut tx = self.store.write().await?;
        if workspaces::find_workspace(&mut tx, id).await?.is_some() {
            return Ok(Outcome::Present);
        }
        if let Some(other) = workspaces::find_workspace_by_name(&mut tx, name).await? {
            return Ok(Outcome::Refused(format!(
                "loam has a workspace named `{name}` with another id ({}); rename one of them",
                other.id
            )));
        }
        if dry_run {
            return Ok(Outcome::Created);
        }
        let ws = Workspace {
            id,
            name: name.to_owned(),
            inserted_at: timestamp(raw, "inserted_at"),
            updated_at: timestamp(raw, "updated_at"),
        };
        workspaces::insert_workspace(&mut tx, &ws).await?;
        tx.commit().await?;
        Ok(Outcome::Created)
    }

    /// Imports a user (`GET /api/v1/users` item) with its id, names, role, timestamps and API key,
    /// and adds the memberships of `member_of` it lacks. A user of the same username under
    /// another id is not created again: their responses go to that user (`loam_id`).
    pub async fn import_argilla_user(
        &self,
        raw: &Value,
        member_of: &[WorkspaceId],
        password: Password,
        dry_run: bool,
    ) -> Result<UserImport> {
        let refused = |reason: String| UserImport {
            outcome: Outcome::Refused(reason),
            loam_id: None,
            password: None,
            api_key_kept: false,
            memberships_added: 0,
        };
        let id = match uuid_of(raw, "id") {
            Ok(id) => UserId(id),
            Err(reason) => return Ok(refused(reason)),
        };
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::trim).filter(|it| !it.is_empty());
        let Some(username) = text("username") else {
            return Ok(refused("the user has no username".to_owned()));
        };
        let role: Role = match text("role").unwrap_or("annotator").parse() {
            Ok(role) => role,
            Err(reason) => return Ok(refused(reason)),
        };
        let user = User {
            id,
            first_name: text("first_name").unwrap_or(username).to_owned(),
            last_name: text("last_name").map(str::to_owned),
            username: username.to_owned(),
            role,
            inserted_at: timestamp(raw, "inserted_at"),
            updated_at: timestamp(raw, "updated_at"),
        };
        let source_key = text("api_key");
        // The hash is computed before the transaction (it takes a hashing slot, not a lock).
        let (new_password, hash) = match (password, dry_run) {
            (Password::Generate, false) => {
                let new = generate_password();
                check_new_password(&new)?;
                let hash = self.hasher.hash(new.clone()).await?;
                (Some(new), hash)
            }
            _ => (None, UNUSABLE_PASSWORD.to_owned()),
        };
        let mut tx = self.store.write().await?;
        let existing = match users::find_user(&mut tx, id).await? {
            Some(it) => Some(it),
            None => users::find_user_by_username(&mut tx, username).await?,
        };
        let (outcome, loam_id, new_password, key_kept) = match existing {
            Some(found) => (Outcome::Present, found.id, None, false),
            None => {
                if !dry_run {
                    let key = source_key.map_or_else(generate_api_key, str::to_owned);
                    users::insert_user(&mut tx, &user, &digest(&key), &hash).await?;
                }
                (Outcome::Created, id, new_password, source_key.is_some())
            }
        };
        let mut added = 0;
        if role != Role::Owner {
            let at = now();
            for ws in member_of {
                if workspaces::find_workspace(&mut tx, *ws).await?.is_none() {
                    continue;
                }
                if !workspaces::is_member(&mut tx, *ws, loam_id).await? {
                    if !dry_run {
                        workspaces::add_member(&mut tx, *ws, loam_id, at).await?;
                    }
                    added += 1;
                }
            }
        }
        if !dry_run {
            tx.commit().await?;
        }
        Ok(UserImport {
            outcome,
            loam_id: Some(loam_id),
            password: new_password,
            api_key_kept: key_kept,
            memberships_added: added,
        })
    }
}
