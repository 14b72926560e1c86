// Metadata properties (title, visible to annotators) and vector settings (title): what the API
// changes of them; their types, values and dimensions are shown read-only.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { FIXED } from '../../lib/settings-edit.js';
import { checkbox, control, fixed, idOf, settingsForm } from './form.js';

/** What a property holds, in words. @param {any} s */
function describeMetadata(s) {
  if (s.type === 'terms') return s.values && s.values.length ? `terms: ${s.values.join(', ')}` : 'terms (any value)';
  const range = [s.min, s.max].every((it) => it == null) ? 'any value' : `${s.min ?? '…'} to ${s.max ?? '…'}`;
  return `${s.type}: ${range}`;
}

/** @param {any} m @param {HTMLElement} status */
export function metadataForm(m, status) {
  const id = idOf('meta', m.name);
  const title = /** @type {HTMLInputElement} */ (h('input', { id: `${id}-title`, value: m.title, maxlength: '500', 'aria-label': `Title of metadata ${m.name}` }));
  const visible = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id, checked: m.visible_for_annotators === true }));
  return settingsForm({
    id: `${id}-form`,
    label: `metadata ${m.name}`,
    status,
    className: 'item-form',
    save: () => api.patch(`/api/v1/metadata-properties/${m.id}`, { title: title.value, visible_for_annotators: visible.checked }),
    children: [
      h('h3', { class: 'item-heading' }, h('code', null, m.name)),
      control('title', 'Title', title),
      checkbox('visible_for_annotators', visible, 'Visible to annotators (in the record and the filters)'),
      fixed('Values', describeMetadata(m.settings), FIXED.metadataSettings),
    ],
  });
}

/** @param {any} v @param {HTMLElement} status */
export function vectorForm(v, status) {
  const id = idOf('vector', v.name);
  const title = /** @type {HTMLInputElement} */ (h('input', { id: `${id}-title`, value: v.title, maxlength: '500', 'aria-label': `Title of vector ${v.name}` }));
  return settingsForm({
    id,
    label: `vector ${v.name}`,
    status,
    className: 'item-form',
    save: () => api.patch(`/api/v1/vectors-settings/${v.id}`, { title: title.value }),
    children: [h('h3', { class: 'item-heading' }, h('code', null, v.name)), control('title', 'Title', title), fixed('Dimensions', String(v.dimensions), FIXED.dimensions)],
  });
}
