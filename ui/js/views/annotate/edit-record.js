// Owners and admins edit the shown record (issue 20): an "Edit record" button under the record
// opens a small form (its text fields, its metadata by property) that PATCHes the record, which
// the server validates as any record write and whose changed values it keeps in the record's
// history; "History" lists those changes (`GET /api/v1/records/{id}/history`). The body and
// the lines come from lib/record-edit.js.

import * as api from '../../api.js';
import { formDialog } from '../../dialog.js';
import { h, replace } from '../../dom.js';
import { editableFields, editBody, historyLine, metadataInput } from '../../lib/record-edit.js';

/**
 * The record's edit tools: the button and the history.
 * @param {{record: any, fields: any[], properties: any[], saved: (record: any) => void}} at
 *   `saved` gets the record as the server now holds it
 * @returns {HTMLElement}
 */
export function recordTools(at) {
  const list = h('ul', { class: 'history-list' });
  const history = /** @type {HTMLDetailsElement} */ (h('details', { class: 'record-history', id: 'record-history' }, h('summary', null, 'History'), list));
  history.addEventListener('toggle', () => {
    if (history.open) void loadHistory(at.record.id, list);
  });
  const button = h('button', { type: 'button', id: 'edit-record', onclick: (/** @type {Event} */ ev) => openEditor(at, /** @type {HTMLElement} */ (ev.currentTarget)) }, 'Edit record');
  return h('div', { class: 'record-tools' }, button, history);
}

/** @param {string} id @param {HTMLElement} list */
async function loadHistory(id, list) {
  replace(list, h('li', { class: 'muted' }, 'Loading…'));
  try {
    const res = await api.get(`/api/v1/records/${id}/history`);
    replace(
      list,
      res.items.length
        ? res.items.map((/** @type {any} */ it) => h('li', null, h('time', { datetime: it.changed_at }, new Date(it.changed_at).toLocaleString()), ' ', historyLine(it)))
        : h('li', { class: 'muted' }, 'No changes yet.'),
    );
  } catch (err) {
    replace(list, h('li', { class: 'error' }, `Could not load the history: ${err instanceof Error ? err.message : err}`));
  }
}

/** @param {{record: any, fields: any[], properties: any[], saved: (record: any) => void}} at @param {HTMLElement} opener */
function openEditor(at, opener) {
  const record = at.record;
  /** @type {Record<string, HTMLTextAreaElement>} */
  const texts = {};
  /** @type {Record<string, HTMLInputElement>} */
  const metas = {};
  /** @type {HTMLElement[]} */
  const controls = [];
  for (const f of editableFields(at.fields)) {
    const id = `edit-field-${f.name}`;
    texts[f.name] = /** @type {HTMLTextAreaElement} */ (h('textarea', { id, name: f.name, rows: '4' }));
    texts[f.name].value = record.fields[f.name] ?? '';
    controls.push(h('label', { for: id }, f.title || f.name), texts[f.name]);
  }
  for (const p of at.properties) {
    const id = `edit-meta-${p.name}`;
    metas[p.name] = /** @type {HTMLInputElement} */ (h('input', { id, name: p.name, type: 'text' }));
    metas[p.name].value = metadataInput((record.metadata || {})[p.name]);
    controls.push(h('label', { for: id }, `${p.title || p.name} (metadata, ${p.settings.type})`), metas[p.name]);
  }
  const dialog = formDialog({
    id: 'edit-record-dialog',
    title: 'Edit record',
    opener,
    fields: controls,
    submitLabel: 'Save record',
    onSubmit: async () => {
      const inputs = Object.fromEntries(Object.entries(metas).map(([k, el]) => [k, el.value]));
      const edited = Object.fromEntries(Object.entries(texts).map(([k, el]) => [k, el.value]));
      const body = editBody(record, edited, at.properties, inputs);
      const res = await api.patch(`/api/v1/records/${record.id}`, body);
      at.saved(res);
    },
  });
  // The annotation view's shortcuts stay out of the form.
  dialog.addEventListener('keydown', (ev) => ev.stopPropagation());
}
