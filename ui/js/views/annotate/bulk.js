// The bulk view's record pane: a page of the queue as cards, each with a checkbox, every field
// (compact: long texts are cut to a few lines with "Show more"), the record's suggestions and the
// caller's response status; above them "Select all on this page", "Select all N matching" (every
// record the queue's search and filters match, on every page), the selection's count, and the
// pager (previous / next page, records shown, page size). Selection changes update the page in
// place, so focus and opened texts stay. The rules are in lib/bulk.js; the flow in
// annotate/bulk-flow.js.

import { h, replace } from '../../dom.js';
import { isSelected, pageLabel, selectedCount } from '../../lib/bulk.js';
import { BULK_SIZES } from '../../lib/queue.js';
import { fieldItems } from './record.js';

/** @typedef {import('../../lib/bulk.js').Selection} Selection */

/**
 * @typedef {object} BulkModel
 * @property {import('../../lib/queue.js').Window} page the records shown, from `page.offset` of `page.total`
 * @property {number} size records per page
 * @property {Selection} selection
 * @property {string} queue the queue shown (for the empty page's message)
 * @property {any[]} fields the dataset's fields
 * @property {any[]} questions the dataset's questions (to name suggestions)
 * @property {string} userId the caller (whose response status a card shows)
 * @property {import('../../lib/markdown.js').MarkdownCache} markdown holds the page's markdown
 * @property {string} search the search text, whose matches are marked
 * @property {{toggle: (ids: string[], on: boolean) => void, selectAll: () => void, clear: () => void,
 *   go: (delta: number) => void, resize: (size: number) => void}} on
 */

/** Long texts are cut in the bulk view beyond this many characters or lines. */
const LONG_CHARS = 280;
const LONG_LINES = 5;

/**
 * Renders the page into the record pane. @param {HTMLElement} pane @param {BulkModel} model
 * @param {HTMLElement|null} empty what to show when the page has no records
 */
export function renderBulk(pane, model, empty) {
  const { page, on } = model;
  const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  const sizeSelect = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'bulk-size', 'data-key': 'bulk:size', 'aria-label': 'Records per page' }, BULK_SIZES.map((n) => h('option', { value: String(n) }, `${n} per page`)))
  );
  sizeSelect.value = String(model.size);
  sizeSelect.addEventListener('change', () => on.resize(Number(sizeSelect.value)));
  const pager = h(
    'div',
    { class: 'pager' },
    h('button', { type: 'button', id: 'bulk-prev', 'data-key': 'bulk:prev', title: 'Previous page (←)', disabled: page.offset === 0, onclick: () => on.go(-1) }, '← Previous page'),
    h('span', { id: 'bulk-range', class: 'range-label' }, pageLabel(page.offset, page.records.length, page.total)),
    h('button', { type: 'button', id: 'bulk-next', 'data-key': 'bulk:next', title: 'Next page (→)', disabled: page.offset + page.records.length >= page.total, onclick: () => on.go(1) }, 'Next page →'),
    sizeSelect,
  );
  if (!page.records.length) {
    replace(pane, h('div', { class: 'bulk-head' }, pager), empty);
    return;
  }
  const ids = page.records.map((r) => r.id);
  replace(
    pane,
    h(
      'div',
      { class: 'bulk-head' },
      h(
        'div',
        { class: 'selection' },
        h('label', { class: 'select-all' }, h('input', { type: 'checkbox', id: 'select-all', 'data-key': 'bulk:all', onchange: (/** @type {Event} */ ev) => on.toggle(ids, /** @type {HTMLInputElement} */ (ev.target).checked) }), ` Select all ${ids.length} on this page`),
        h('button', { type: 'button', id: 'select-matching', 'data-key': 'bulk:matching', onclick: () => on.selectAll() }, `Select all ${page.total} matching`),
        h('button', { type: 'button', id: 'clear-selection', 'data-key': 'bulk:clear', onclick: () => on.clear() }, 'Clear selection'),
        h('span', { id: 'selection-count', class: 'count-note', role: 'status' }),
      ),
      pager,
    ),
    h('ul', { class: 'bulk-list' }, page.records.map((r, i) => card(r, page.offset + i, model))),
  );
  updateSelection(pane, model);
  if (focusedKey) {
    const again = pane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again instanceof HTMLElement && !(again instanceof HTMLButtonElement && again.disabled)) again.focus();
  }
}

/**
 * Shows the selection on the page as it is now (checkboxes, cards, counts, buttons), in place.
 * @param {HTMLElement} pane @param {BulkModel} model
 */
export function updateSelection(pane, model) {
  const { selection, page } = model;
  let allShown = page.records.length > 0;
  for (const el of pane.querySelectorAll('[data-bulk-record]')) {
    const box = /** @type {HTMLInputElement} */ (el);
    const on = isSelected(selection, box.dataset.bulkRecord || '');
    box.checked = on;
    allShown &&= on;
    const item = box.closest('li');
    if (item) item.classList.toggle('selected', on);
  }
  const all = /** @type {HTMLInputElement|null} */ (pane.querySelector('#select-all'));
  if (all) all.checked = allShown;
  const n = selectedCount(selection);
  const matching = pane.querySelector('#select-matching');
  if (matching instanceof HTMLElement) matching.hidden = selection.all || page.total <= page.records.length;
  const clear = pane.querySelector('#clear-selection');
  if (clear instanceof HTMLElement) clear.hidden = n === 0;
  const note = pane.querySelector('#selection-count');
  if (note) {
    note.textContent = selection.all ? `All ${n} matching records selected, on every page` : n ? `${n} selected` : 'None selected';
  }
}

/** A record's card. @param {any} r @param {number} pos @param {BulkModel} model */
function card(r, pos, model) {
  const mine = (r.responses || []).find((/** @type {any} */ it) => it.user_id === model.userId);
  const fields = fieldItems({ record: r, fields: model.fields, questions: [], answers: {}, html: model.markdown.get(r.id) || [], search: model.search, idPrefix: `b${pos}-` });
  fields.forEach((el, i) => clampIfLong(el, r.fields[model.fields[i].name]));
  return h(
    'li',
    { class: 'bulk-card', 'data-record': r.id },
    h(
      'div',
      { class: 'card-head' },
      h(
        'label',
        null,
        h('input', { type: 'checkbox', 'data-bulk-record': r.id, 'data-key': `bulk:${r.id}`, onchange: (/** @type {Event} */ ev) => model.on.toggle([r.id], /** @type {HTMLInputElement} */ (ev.target).checked) }),
        ` Record ${pos + 1}`,
      ),
      mine ? h('span', { class: `status-tag ${mine.status}` }, mine.status) : null,
    ),
    h('div', { class: 'card-fields' }, fields),
    suggestionList(r, model.questions),
  );
}

/** Cuts a long field to a few lines, with a button that shows it whole and back. @param {HTMLElement} el @param {any} value */
function clampIfLong(el, value) {
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value.map((t) => String(t?.content ?? '')).join('\n') : '';
  if (text.length <= LONG_CHARS && text.split('\n').length <= LONG_LINES) return;
  el.classList.add('clamped');
  const more = h('button', { type: 'button', class: 'link more', 'aria-expanded': 'false' }, 'Show more');
  more.addEventListener('click', () => {
    const open = el.classList.toggle('clamped');
    more.textContent = open ? 'Show more' : 'Show less';
    more.setAttribute('aria-expanded', String(!open));
  });
  el.append(more);
}

/** The record's suggestions, one line per question. @param {any} r @param {any[]} questions */
function suggestionList(r, questions) {
  const items = (r.suggestions || [])
    .map((/** @type {any} */ s) => {
      const q = questions.find((it) => it.id === s.question_id);
      if (!q) return null;
      const score = Array.isArray(s.score) ? s.score.map((/** @type {number} */ n) => n.toFixed(2)).join(', ') : typeof s.score === 'number' ? s.score.toFixed(2) : null;
      return h(
        'li',
        { 'data-suggestion': q.name },
        h('span', { class: 'q' }, `${q.title}: `),
        h('span', { class: 'v' }, suggestedText(s.value)),
        s.agent ? h('span', { class: 'agent' }, ` · ${s.agent}`) : null,
        score !== null ? h('span', { class: 'score' }, ` · score ${score}`) : null,
      );
    })
    .filter(Boolean);
  return items.length ? h('ul', { class: 'card-suggestions', 'aria-label': 'Suggestions' }, items) : null;
}

/** A suggested value as text: labels joined, a ranking in order, spans by label. @param {any} value */
function suggestedText(value) {
  if (!Array.isArray(value)) return String(value);
  return value
    .map((it) => (it && typeof it === 'object' ? (it.label ? `${it.label} [${it.start}–${it.end}]` : String(it.value)) : String(it)))
    .join(', ');
}
