// Who sees what: the server's permission matrix (crates/loam-service/src/policy.rs) mirrored for
// the screens, so that a control the server would refuse is never shown and a screen a role may not
// use says so before asking for anything. The server still decides: an admin is a manager only in
// the workspaces they belong to, and a 403 there shows the same "not allowed" page.
// Pure; unit-tested in e2e/ui/unit/roles.test.js.

/** Owners, and admins (in their workspaces): settings, insights, exports, workspace members.
 * @param {string|undefined} role */
export function mayManage(role) {
  return role === 'owner' || role === 'admin';
}

/** Only owners list, create, change and delete users, and add members to workspaces
 * (`require_owner` in users.rs and workspaces.rs). @param {string|undefined} role */
export function isOwner(role) {
  return role === 'owner';
}

/** @typedef {'home'|'annotate'|'me'|'settings'|'insights'|'users'|'review'} Screen */

/** Screens only managers may open. The review view is also open to annotators marked as
 * reviewers of the dataset's workspace, which only the server knows (the view asks it).
 * @type {Record<Screen, boolean>} */
const MANAGERS_ONLY = { home: false, annotate: false, me: false, settings: true, insights: true, users: true, review: false };

/** Whether `role` may open `screen`. @param {Screen} screen @param {string|undefined} role */
export function mayOpen(screen, role) {
  return !MANAGERS_ONLY[screen] || mayManage(role);
}

/** What the "not allowed" page says about a screen. @param {Screen} screen */
export function forbiddenReason(screen) {
  switch (screen) {
    case 'settings':
      return "A dataset's settings are changed by owners and by admins of its workspace.";
    case 'insights':
      return "Insights are for owners and for admins of this dataset's workspace.";
    case 'users':
      return 'Users and workspace members are managed by owners and admins.';
    case 'review':
      return "Records are reviewed by owners, by admins of the dataset's workspace, and by annotators an owner marked as its reviewers.";
    default:
      return 'Your role does not give access to this page.';
  }
}

/** The main navigation. @param {string|undefined} role @returns {{href: string, label: string}[]} */
export function navLinks(role) {
  /** @type {{href: string, label: string}[]} */
  const res = [{ href: '/', label: 'Datasets' }];
  if (isOwner(role)) res.push({ href: '/users', label: 'Users' });
  else if (mayManage(role)) res.push({ href: '/users', label: 'Workspace members' });
  res.push({ href: '/me', label: 'My settings' });
  return res;
}

/** The links of a dataset on the home page, besides annotating.
 * @param {string|undefined} role @param {string} status 'ready' or 'draft'
 * @returns {('settings'|'insights')[]} */
export function datasetLinks(role, status) {
  if (!mayManage(role)) return [];
  return status === 'ready' ? ['settings', 'insights'] : ['settings'];
}

/**
 * Whether the caller reviews the datasets of workspace `workspaceId` (policy.rs `may_review`):
 * `reviewWorkspaces` is what `GET /api/v1/me/review/workspaces` answers for them (every
 * workspace for owners, their own for admins, the ones they are marked in for annotators).
 * @param {string[]} reviewWorkspaces @param {string} workspaceId @param {string} status 'ready' or 'draft'
 */
export function mayReviewDataset(reviewWorkspaces, workspaceId, status) {
  return status === 'ready' && reviewWorkspaces.includes(workspaceId);
}

/**
 * Who marks annotators as reviewers of a workspace: owners only (`may_mark_reviewers`).
 * @param {string|undefined} role
 */
export function mayMarkReviewers(role) {
  return isOwner(role);
}

/**
 * What the users page offers. Owners: everything. Admins: the members of their own workspaces,
 * whom they may take out (`require_manager` on removal); nothing else. Annotators: nothing.
 * @param {string|undefined} role
 */
export function peopleActions(role) {
  const owner = isOwner(role);
  return {
    listUsers: owner,
    createUser: owner,
    deleteUser: owner,
    changeRole: owner,
    resetPassword: owner,
    addToWorkspace: owner,
    createWorkspace: owner,
    removeFromWorkspace: mayManage(role),
  };
}
