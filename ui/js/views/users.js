// Users and workspaces (owners; admins see what the API lets them): create users, assign them to
// workspaces, change roles, reset passwords, create workspaces.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { formDialog } from '../dialog.js';

/** @param {HTMLElement} main */
export async function render(main) {
  const status = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'users-status' });
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

  const draw = async () => {
    const [users, workspaces] = await Promise.all([api.get('/api/v1/users'), api.get('/api/v1/me/workspaces')]);
    const memberships = await Promise.all(users.items.map((/** @type {any} */ u) => api.get(`/api/v1/users/${u.id}/workspaces`).catch(() => ({ items: [] }))));
    const wsOptions = () => workspaces.items.map((/** @type {any} */ w) => h('option', { value: w.id }, w.name));

    const username = /** @type {HTMLInputElement} */ (h('input', { id: 'new-username', required: true, autocomplete: 'off' }));
    const firstName = /** @type {HTMLInputElement} */ (h('input', { id: 'new-first-name' }));
    const password = /** @type {HTMLInputElement} */ (h('input', { id: 'new-password', type: 'password', minlength: '8', required: true, autocomplete: 'new-password' }));
    const role = /** @type {HTMLSelectElement} */ (h('select', { id: 'new-role' }, ['annotator', 'admin', 'owner'].map((r) => h('option', { value: r }, r))));
    const ws = /** @type {HTMLSelectElement} */ (h('select', { id: 'new-workspace' }, h('option', { value: '' }, '(none)'), wsOptions()));
    const createUser = h(
      'form',
      {
        class: 'card',
        id: 'create-user',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          void saving(`Creating ${username.value}`, async () => {
            const user = await api.post('/api/v1/users', {
              username: username.value,
              first_name: firstName.value.trim() || username.value,
              password: password.value,
              role: role.value,
            });
            if (ws.value) await api.post(`/api/v1/workspaces/${ws.value}/users`, { user_id: user.id });
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

    const rows = users.items.map((/** @type {any} */ u, /** @type {number} */ i) => {
      const roleSel = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': `Role of ${u.username}` }, ['annotator', 'admin', 'owner'].map((r) => h('option', { value: r }, r))));
      roleSel.value = u.role;
      roleSel.addEventListener('change', () => void saving(`Changing the role of ${u.username}`, () => api.patch(`/api/v1/users/${u.id}`, { role: roleSel.value })));
      const addWs = /** @type {HTMLSelectElement} */ (h('select', { 'aria-label': `Add ${u.username} to a workspace` }, h('option', { value: '' }, 'Add to workspace…'), wsOptions()));
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
          fields: [
            h('label', { for: 'reset-password' }, 'New password'),
            input,
            h('p', { class: 'muted', id: 'reset-password-help' }, '8 characters or more. Tell them the new password yourself.'),
          ],
          submitLabel: 'Set password',
          onSubmit: async () => {
            await api.patch(`/api/v1/users/${u.id}`, { password: input.value });
            status.textContent = `Resetting the password of ${u.username}: done`;
          },
        });
      };
      return h(
        'tr',
        { 'data-user': u.username },
        h('td', null, u.username),
        h('td', null, roleSel),
        h('td', null, memberships[i].items.map((/** @type {any} */ w) => w.name).join(', ')),
        h('td', null, addWs, ' ', h('button', { type: 'button', 'aria-haspopup': 'dialog', onclick: resetPw }, 'Reset password')),
      );
    });
    replace(
      main,
      h('h1', null, 'Users and workspaces'),
      status,
      h('table', { class: 'users' }, h('thead', null, h('tr', null, h('th', null, 'User'), h('th', null, 'Role'), h('th', null, 'Workspaces'), h('th', null, ''))), h('tbody', null, rows)),
      h('div', { class: 'settings' }, createUser, createWs),
    );
  };
  await draw();
}
