// Users and workspaces, as the server lets the signed-in role manage them (lib/roles.js mirrors
// policy.rs). Owners: create users (the new API key shown once, with a copy button), change roles,
// reset passwords, delete users, add members to workspaces and take them out, create workspaces.
// Admins: the members of their own workspaces, whom they may take out; nothing else. Every
// destructive action asks first in an in-page dialog. Memberships cost one request per workspace
// (not per user).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { formDialog } from '../dialog.js';
import { peopleActions } from '../lib/roles.js';
import { keyOnce } from './users/key-once.js';

const ROLES = ['annotator', 'admin', 'owner'];

/** @param {HTMLElement} main @param {{me: any}} params */
export async function render(main, params) {
  const me = params.me;
  const can = peopleActions(me.role);
  const status = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'users-status' });
  // Kept across redraws: the key of a user just created is shown here until dismissed.
  const keyPanel = h('div', { id: 'new-user-key-panel' });
  /** @param {string} label @param {() => Promise<any>} fn */
  const saving = async (label, fn) => {
    status.textContent = `${label}…`;
    try {
      await fn();
      status.textContent = `${label}: done`;
      await draw();
    } catch (err) {
      status.textContent = `${label} failed: ${err instanceof Error ? err.message : err}`;
    }
  };

  /**
   * Asks before a destructive action, in an in-page dialog; the server's refusal is shown there.
   * @param {Event} ev @param {string} id @param {string} title @param {string} text @param {string} label @param {() => Promise<void>} action
   */
  const confirmThen = (ev, id, title, text, label, action) => {
    formDialog({
      id,
      title,
      opener: /** @type {HTMLElement} */ (ev.currentTarget),
      fields: [h('p', null, text)],
      submitLabel: label,
      onSubmit: async () => {
        await action();
        status.textContent = `${title}: done`;
        await draw();
      },
    });
  };

  /** The members of each workspace: one request per workspace. @param {any[]} workspaces */
  const membersOf = (workspaces) => Promise.all(workspaces.map((w) => api.get(`/api/v1/workspaces/${w.id}/users`).then((it) => it.items)));

  /** "Remove" for one membership. @param {any} user @param {any} ws @param {string} [text] */
  const removeButton = (user, ws, text = '×') =>
    h(
      'button',
      {
        type: 'button',
        class: 'link remove-member',
        'aria-haspopup': 'dialog',
        'aria-label': `Remove ${user.username} from ${ws.name}`,
        onclick: (/** @type {Event} */ ev) =>
          confirmThen(ev, 'remove-member-dialog', `Remove ${user.username} from ${ws.name}`, `${user.username} will no longer see the datasets of ${ws.name}. Their responses stay.`, 'Remove', () =>
            api.del(`/api/v1/workspaces/${ws.id}/users/${user.id}`),
          ),
      },
      text,
    );

  const drawForAdmin = async () => {
    const workspaces = (await api.get('/api/v1/me/workspaces')).items;
    const members = await membersOf(workspaces);
    replace(
      main,
      h('h1', null, 'Workspace members'),
      h('p', { class: 'muted' }, 'As an admin you may take members out of your workspaces. Owners create users, change roles and add members.'),
      status,
      workspaces.map((/** @type {any} */ ws, /** @type {number} */ i) =>
        h(
          'section',
          { class: 'card', dataset: { workspace: ws.name } },
          h('h2', null, ws.name),
          h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'users' },
              h('thead', null, h('tr', null, h('th', null, 'User'), h('th', null, 'Role'), h('th', null, ''))),
              h(
                'tbody',
                null,
                members[i].map((/** @type {any} */ u) =>
                  h('tr', { 'data-user': u.username }, h('td', null, u.username), h('td', null, u.role), h('td', null, u.id === me.id ? h('span', { class: 'muted' }, 'you') : removeButton(u, ws, 'Remove'))),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const drawForOwner = async () => {
    const [users, workspaces] = await Promise.all([api.get('/api/v1/users'), api.get('/api/v1/me/workspaces')]);
    const [members, reviewerLists] = await Promise.all([
      membersOf(workspaces.items),
      // Reviewers (issue 20): annotators an owner marks as reviewers of a workspace.
      Promise.all(workspaces.items.map((/** @type {any} */ w) => api.get(`/api/v1/workspaces/${w.id}/reviewers`).then((it) => it.items))),
    ]);
    /** "workspace id/user id" of every reviewer. */
    const reviewers = new Set(workspaces.items.flatMap((/** @type {any} */ w, /** @type {number} */ i) => reviewerLists[i].map((/** @type {any} */ r) => `${w.id}/${r.user_id}`)));
    /** A reviewer toggle for an annotator's membership. @param {any} user @param {any} ws */
    const reviewerToggle = (user, ws) => {
      const on = reviewers.has(`${ws.id}/${user.id}`);
      const path = `/api/v1/workspaces/${ws.id}/reviewers/${user.id}`;
      return h(
        'button',
        {
          type: 'button',
          class: on ? 'link reviewer on' : 'link reviewer',
          'aria-pressed': on ? 'true' : 'false',
          'aria-label': `${user.username} reviews ${ws.name}`,
          onclick: () => void saving(on ? `Unmarking ${user.username} as a reviewer of ${ws.name}` : `Marking ${user.username} as a reviewer of ${ws.name}`, () => (on ? api.del(path) : api.put(path, undefined))),
        },
        on ? 'reviewer ✓' : 'reviewer',
      );
    };
    /** @type {Map<string, any[]>} */
    const memberships = new Map();
    workspaces.items.forEach((/** @type {any} */ ws, /** @type {number} */ i) => {
      for (const u of members[i]) memberships.set(u.id, [...(memberships.get(u.id) || []), ws]);
    });
    const wsOptions = (/** @type {any[]} */ skip) => workspaces.items.filter((/** @type {any} */ w) => !skip.some((it) => it.id === w.id)).map((/** @type {any} */ w) => h('option', { value: w.id }, w.name));

    const username = /** @type {HTMLInputElement} */ (h('input', { id: 'new-username', required: true, autocomplete: 'off' }));
    const firstName = /** @type {HTMLInputElement} */ (h('input', { id: 'new-first-name' }));
    const password = /** @type {HTMLInputElement} */ (h('input', { id: 'new-password', type: 'password', minlength: '8', required: true, autocomplete: 'new-password' }));
    const role = /** @type {HTMLSelectElement} */ (h('select', { id: 'new-role' }, ROLES.map((r) => h('option', { value: r }, r))));
    const ws = /** @type {HTMLSelectElement} */ (h('select', { id: 'new-workspace' }, h('option', { value: '' }, '(none)'), wsOptions([])));
    const createUser = h(
      'form',
      {
        class: 'card',
        id: 'create-user',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          const name = username.value;
          void saving(`Creating ${name}`, async () => {
            const user = await api.post('/api/v1/users', { username: name, first_name: firstName.value.trim() || name, password: password.value, role: role.value });
            // The reply carries the key: the only time anyone sees it.
            replace(keyPanel, keyOnce({ notice: `The API key of ${user.username}.`, apiKey: user.api_key, keyId: 'new-user-api-key', onDismiss: () => replace(keyPanel) }));
            if (ws.value) await api.post(`/api/v1/workspaces/${ws.value}/users`, { user_id: user.id });
          }).then(() => {
            const copy = keyPanel.querySelector('button');
            if (copy instanceof HTMLElement) copy.focus();
          });
        },
      },
      h('h2', null, 'New user'),
      h('label', { for: 'new-username' }, 'Username'), username,
      h('label', { for: 'new-first-name' }, 'First name'), firstName,
      h('label', { for: 'new-password' }, 'Password (8 characters or more)'), password,
      h('label', { for: 'new-role' }, 'Role'), role,
      h('label', { for: 'new-workspace' }, 'Workspace'), ws,
      h('button', { type: 'submit', class: 'primary' }, 'Create user'),
    );

    const wsName = /** @type {HTMLInputElement} */ (h('input', { id: 'new-workspace-name', required: true }));
    const createWs = h(
      'form',
      { class: 'card', onsubmit: (/** @type {Event} */ ev) => { ev.preventDefault(); void saving(`Creating workspace ${wsName.value}`, () => api.post('/api/v1/workspaces', { name: wsName.value })); } },
      h('h2', null, 'New workspace'),
      h('label', { for: 'new-workspace-name' }, 'Name'), wsName,
      h('button', { type: 'submit' }, 'Create workspace'),
    );

    const rows = users.items.map((/** @type {any} */ u) => {
      const self = u.id === me.id;
      const joined = memberships.get(u.id) || [];
      /** @type {any} */
      let roleCell = u.role;
      // Changing one's own role or deleting oneself would lock the owner out: not offered here.
      if (!self) {
        const roleSel = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': `Role of ${u.username}` }, ROLES.map((r) => h('option', { value: r }, r))));
        roleSel.value = u.role;
        roleSel.addEventListener('change', () => void saving(`Changing the role of ${u.username}`, () => api.patch(`/api/v1/users/${u.id}`, { role: roleSel.value })));
        roleCell = roleSel;
      }
      const addWs = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': `Add ${u.username} to a workspace` }, h('option', { value: '' }, 'Add to workspace…'), wsOptions(joined)));
      addWs.addEventListener('change', () => {
        if (addWs.value) void saving(`Adding ${u.username}`, () => api.post(`/api/v1/workspaces/${addWs.value}/users`, { user_id: u.id }));
      });
      /** An in-page dialog (no prompt()): the server's message if it refuses the password. */
      const resetPw = (/** @type {Event} */ ev) => {
        const input = /** @type {HTMLInputElement} */ (
          h('input', { type: 'password', id: 'reset-password', autocomplete: 'new-password', 'aria-describedby': 'reset-password-help reset-dialog-error' })
        );
        input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
        formDialog({
          id: 'reset-dialog',
          title: `Reset the password of ${u.username}`,
          opener: /** @type {HTMLElement} */ (ev.currentTarget),
          fields: [h('label', { for: 'reset-password' }, 'New password'), input, h('p', { class: 'muted', id: 'reset-password-help' }, '8 characters or more. Tell them the new password yourself.')],
          submitLabel: 'Set password',
          onSubmit: async () => {
            await api.patch(`/api/v1/users/${u.id}`, { password: input.value });
            status.textContent = `Resetting the password of ${u.username}: done`;
          },
        });
      };
      const deleteUser = (/** @type {Event} */ ev) =>
        confirmThen(ev, 'delete-user-dialog', `Delete ${u.username}`, `${u.username} can no longer sign in, and their responses are deleted with them. This cannot be undone.`, 'Delete user', () =>
          api.del(`/api/v1/users/${u.id}`),
        );
      return h(
        'tr',
        { 'data-user': u.username },
        h('td', null, u.username, self ? h('span', { class: 'muted' }, ' (you)') : null),
        h('td', null, roleCell),
        h(
          'td',
          { class: 'memberships' },
          u.role === 'owner' ? h('span', { class: 'muted' }, 'every workspace (owner) ') : null,
          joined.map((w) => h('span', { class: 'chip', dataset: { workspace: w.name } }, w.name, ' ', u.role === 'annotator' ? [reviewerToggle(u, w), ' '] : null, removeButton(u, w))),
        ),
        h(
          'td',
          { class: 'user-actions' },
          addWs,
          ' ',
          h('button', { type: 'button', 'aria-haspopup': 'dialog', onclick: resetPw }, 'Reset password'),
          self ? null : [' ', h('button', { type: 'button', class: 'danger', 'aria-haspopup': 'dialog', onclick: deleteUser }, 'Delete')],
        ),
      );
    });
    replace(
      main,
      h('h1', null, 'Users and workspaces'),
      status,
      keyPanel,
      h(
        'div',
        { class: 'table-scroll' },
        h('table', { class: 'users' }, h('thead', null, h('tr', null, h('th', null, 'User'), h('th', null, 'Role'), h('th', null, 'Workspaces'), h('th', null, ''))), h('tbody', null, rows)),
      ),
      h('div', { class: 'settings' }, createUser, createWs),
    );
  };

  const draw = can.listUsers ? drawForOwner : drawForAdmin;
  await draw();
}
