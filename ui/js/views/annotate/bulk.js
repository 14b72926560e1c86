// The bulk view's record list: the next records of the queue as checkboxes with a preview of
// each (its first text field, as markdown rendered by the server once it is in the cache, plain
// text until then), and "Select all".

import { h, replace, trustedHtml } from '../../dom.js';
import { markdownIndex } from '../../lib/markdown.js';

/**
 * @typedef {object} BulkListModel
 * @property {any[]} records the records shown
 * @property {Set<string>} selected ids of the selected ones
 * @property {string} queue the queue shown (for the empty list's message)
 * @property {any[]} fields the dataset's fields
 * @property {import('../../lib/markdown.js').MarkdownCache} markdown
 * @property {(ids: string[], on: boolean) => void} toggle (de)selects records
 */

/**
 * Renders the list into the record pane, and asks for the markdown previews it lacks (for all the
 * records shown in one request, into the cache the single view shares; until then, plain text).
 * Previews that arrive replace only their own element, in place: the list is not rendered again,
 * so a key press on a checkbox (Space toggles on key up) is never split across two renders.
 * @param {HTMLElement} pane @param {BulkListModel} model
 */
export function showBulkList(pane, model) {
  const missing = model.records.filter((r) => model.markdown.missing(r));
  if (missing.length) {
    void model.markdown
      .forMany(missing)
      .then(() => {
        for (const r of missing) {
          const shown = pane.querySelector(`[data-preview="${CSS.escape(r.id)}"]`);
          if (shown) shown.replaceWith(preview(r, model));
        }
      })
      .catch(() => {}); // the plain-text previews stay; the next render asks again
  }
  renderBulkList(pane, model);
}

/** A record's preview: its first text field, as rendered markdown when cached, else plain text.
 * @param {any} r @param {BulkListModel} model @returns {HTMLElement} */
function preview(r, { fields, markdown }) {
  const f = fields.find((it) => typeof r.fields[it.name] === 'string' && it.settings.type === 'text');
  const html = f && f.settings.use_markdown ? markdown.get(r.id) : undefined;
  const shown =
    f && html
      ? trustedHtml('div', 'preview markdown', html[markdownIndex(fields, r, f.name)] || '')
      : (() => {
          const text = f ? String(r.fields[f.name]) : JSON.stringify(r.fields);
          return h('span', { class: 'preview' }, text.length > 280 ? `${text.slice(0, 280)}…` : text);
        })();
  shown.dataset.preview = r.id;
  return shown;
}

/** @param {HTMLElement} pane @param {BulkListModel} model */
function renderBulkList(pane, model) {
  const { records, selected, queue, toggle } = model;
  if (!records.length) {
    replace(pane, h('div', { class: 'empty' }, h('p', null, `No records in ${queue}.`)));
    return;
  }
  const all = records.every((r) => selected.has(r.id));
  replace(
    pane,
    h(
      'label',
      { class: 'select-all' },
      h('input', { type: 'checkbox', id: 'select-all', checked: all, 'data-key': 'bulk:all', onchange: (/** @type {Event} */ ev) => toggle(records.map((r) => r.id), /** @type {HTMLInputElement} */ (ev.target).checked) }),
      ` Select all ${records.length} shown`,
    ),
    h(
      'ul',
      { class: 'bulk-list' },
      records.map((r) =>
        h(
          'li',
          { class: selected.has(r.id) ? 'selected' : '' },
          h(
            'label',
            null,
            h('input', {
              type: 'checkbox',
              'data-bulk-record': r.id,
              'data-key': `bulk:${r.id}`,
              checked: selected.has(r.id),
              onchange: (/** @type {Event} */ ev) => toggle([r.id], /** @type {HTMLInputElement} */ (ev.target).checked),
            }),
            preview(r, model),
          ),
        ),
      ),
    ),
  );
  const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  if (focusedKey) {
    const again = pane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}
