//! The permission matrix (model.md §3): who may do what, decided in one place.

use loam_domain::model::User;
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

/// Whether `actor` sees every annotator's responses, whatever their status, on the records they
/// read by id (`GET /api/v1/records/{id}`): owners and admins. Annotators see their own, and
/// only when the dataset opts in (`responses_visible_for_annotators`, a loam extension, off by
/// default: blind) and their own response to the record is submitted, the others' *submitted*
/// responses (`loam_domain::review::visible_responses`). The `/me` searches always carry the
/// caller's own responses only, whatever the role or the dataset (Argilla's web UI reads
/// `responses[0]` there as the caller's answer).
pub(crate) fn sees_all_responses(actor: &User) -> bool {
    actor.role != Role::Annotator
}

/// Who may write a response attributed to `author` (record bulk create / upsert and the legacy
/// record creation take a `user_id` per response): the author themself, or an owner. Admins may
/// send another user's stored response back unchanged (the v2 SDK does when it logs records it
/// read), which writes nothing; that is decided by the caller of this check.
pub(crate) fn may_attribute(actor: &User, author: UserId) -> bool {
    actor.role == Role::Owner || actor.id == author
}

/// Who reviews the records of a workspace's datasets (issue 20): owners, the workspace's admins,
/// and annotators of the workspace that an owner marked as its reviewers (a loam extension kept
/// apart from the three roles the clients know). `member` and `marked` are what the store says
/// of the actor and the workspace.
pub(crate) fn may_review(actor: &User, member: bool, marked: bool) -> Result<()> {
    match actor.role {
        Role::Owner => Ok(()),
        Role::Admin if member => Ok(()),
        Role::Annotator if member && marked => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

/// [`may_review`], asking the store what it needs.
pub(crate) async fn require_reviewer(tx: &mut Tx, actor: &User, ws: WorkspaceId) -> Result<()> {
    if actor.role == Role::Owner {
        return Ok(());
    }
    let member = workspaces::is_member(tx, ws, actor.id).await?;
    let marked = actor.role == Role::Annotator && member && loam_store::review::is_reviewer(tx, ws, actor.id).await?;
    may_review(actor, member, marked)
}

/// Who marks annotators as reviewers: owners only (the admins of a workspace review, but do not
/// choose who else does).
pub(crate) fn may_mark_reviewers(actor: &User) -> Result<()> {
    require_owner(actor)
}

#[cfg(test)]
mod tests {
    use loam_domain::model::User;
    use loam_domain::{Role, Timestamp, UserId};

    use super::may_review;

    fn user(role: Role) -> User {
        User {
            id: UserId::new(),
            first_name: "a".into(),
            last_name: None,
            username: "a".into(),
            role,
            inserted_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    #[test]
    fn reviewers_are_owners_member_admins_and_marked_member_annotators() {
        let cases = [
            (Role::Owner, false, false, true),
            (Role::Admin, true, false, true),
            (Role::Admin, false, false, false),
            (Role::Annotator, true, true, true),
            (Role::Annotator, true, false, false),
            (Role::Annotator, false, true, false),
        ];
        for (role, member, marked, allowed) in cases {
            assert_eq!(may_review(&user(role), member, marked).is_ok(), allowed, "{role:?} {member} {marked}");
        }
    }
}
