// The record pane of the annotation view: each field by kind (text, markdown rendered by the
// server, chat turns, image, anything else as JSON) under its title and description, the spans of
// span questions highlighted in their text field, the search text's matches marked, the metadata;
// and the text an annotator selects with the mouse in a span field, as code-point offsets. The
// bulk view shows its records' fields with `fieldItems` too.

import { h, replace, trustedHtml } from '../../dom.js';
import { codePointOffset, spanSegments } from '../../lib/form.js';
import { spanLabelClass } from '../../lib/span-colors.js';

/** @typedef {import('../../lib/form.js').Question} Question */
/** @typedef {import('../../lib/answers.js').FieldSelection} FieldSelection */

/**
 * Shows the queue's end in the record pane; a queue narrowed by search or filters says that
 * nothing matches them, and offers to clear them.
 * @param {HTMLElement} pane @param {string} queue @param {(() => void)|null} [clearFilters] set when narrowed
 */
export function renderNothing(pane, queue, clearFilters = null) {
  if (clearFilters) {
    replace(
      pane,
      h(
        'div',
        { class: 'empty', id: 'no-match' },
        h('h2', null, 'No records match these filters'),
        h('p', null, `Nothing in ${queue} matches the search and filters shown above.`),
        h('button', { type: 'button', id: 'no-match-clear', onclick: clearFilters }, 'Clear search and filters'),
      ),
    );
    return;
  }
  replace(pane, h('div', { class: 'empty' }, h('h2', null, 'Nothing here'), h('p', null, queue === 'pending' ? 'No pending records: this queue is done.' : queue === 'record' ? 'No record with this id in the dataset.' : `No records in ${queue}.`)));
}

/**
 * What a record's fields are shown with: the dataset's fields and questions, the current answers
 * (for span highlights), the record's rendered markdown (see lib/markdown.js for its order), the
 * search text whose matches are marked, and a prefix that keeps element ids unique on a page.
 * @typedef {{record: any, fields: any[], questions: Question[], answers: Record<string, any>,
 *   html: string[], search?: string, idPrefix?: string}} FieldsModel
 */

/**
 * Renders `record` into the record pane.
 * @param {HTMLElement} pane @param {FieldsModel} at
 */
export function renderRecord(pane, at) {
  const { record } = at;
  const meta = record.metadata && Object.keys(record.metadata).length
    ? h('details', { class: 'metadata' }, h('summary', null, 'Metadata'), h('dl', null, Object.entries(record.metadata).map(([k, v]) => [h('dt', null, k), h('dd', null, JSON.stringify(v))])))
    : null;
  replace(pane, fieldItems(at), meta);
}

/**
 * One element per field of the record: its title, description and body, the search text's
 * matches marked in the body.
 * @param {FieldsModel} at
 * @returns {HTMLElement[]}
 */
export function fieldItems({ record, fields, questions, answers, html, search = '', idPrefix = '' }) {
  let mi = 0;
  return fields.map((f, fi) => {
    const v = record.fields[f.name];
    const type = f.settings.type;
    /** @type {any} */
    let body;
    if (v === undefined || v === null) body = h('p', { class: 'muted' }, '(empty)');
    else if (type === 'text' && f.settings.use_markdown) body = trustedHtml('div', 'markdown', html[mi++] || '');
    else if (type === 'text') body = spanned(questions, answers, f.name, String(v));
    else if (type === 'image') body = imageOf(String(v), f.title);
    else if (type === 'chat' && Array.isArray(v)) {
      body = h(
        'ol',
        { class: 'chat' },
        v.map((turn) =>
          h(
            'li',
            { class: `turn role-${String(turn.role).replace(/[^a-z]/gi, '')}` },
            h('span', { class: 'role' }, String(turn.role)),
            f.settings.use_markdown ? trustedHtml('div', 'markdown', html[mi++] || '') : h('div', { class: 'text' }, String(turn.content ?? '')),
          ),
        ),
      );
    } else body = h('pre', { class: 'custom' }, JSON.stringify(v, null, 2));
    if (search && body instanceof HTMLElement) markSearch(body, search);
    // Ids by position: a field name may hold characters an id list cannot (spaces).
    const about = f.description ? h('p', { class: 'field-description', id: `${idPrefix}fd-${fi}` }, f.description) : null;
    return h(
      'div',
      { class: `field field-${type}`, 'data-field': f.name, role: 'group', 'aria-labelledby': `${idPrefix}fh-${fi}`, 'aria-describedby': about ? `${idPrefix}fd-${fi}` : null },
      h('h3', { id: `${idPrefix}fh-${fi}` }, f.title),
      about,
      body,
    );
  });
}

/**
 * Marks the search text's matches in `el`. lib/highlight.js is downloaded with the first search,
 * not with the view; the marks follow the render by a moment.
 * @param {HTMLElement} el @param {string} search
 */
function markSearch(el, search) {
  void import('../../lib/highlight.js').then((m) => m.highlight(el, search));
}

/**
 * A text field, with the spans of span questions on it highlighted.
 * @param {Question[]} questions @param {Record<string, any>} answers @param {string} name @param {string} text
 */
function spanned(questions, answers, name, text) {
  const spanQuestions = questions.filter((q) => q.settings.type === 'span' && q.settings.field === name);
  const spans = spanQuestions.flatMap((q) => answers[q.name] || []);
  // Text selected here with the mouse is remembered for the span question's labels (fieldSelection).
  const attrs = { class: 'text', 'data-span-field': spanQuestions.length ? name : null };
  if (!spans.length) return h('div', attrs, text);
  return h(
    'div',
    attrs,
    spanSegments(text, spans).map((seg) => (seg.labels.length ? h('mark', { class: spanLabelClass(spanQuestions, seg.labels[0]), title: seg.labels.join(', '), 'data-labels': seg.labels.join(' ') }, seg.text) : seg.text)),
  );
}

/** @param {string} src @param {string} alt */
function imageOf(src, alt) {
  if (/^(https?:\/\/|data:image\/|\/)/i.test(src)) return h('img', { src, alt, loading: 'lazy' });
  return h('p', { class: 'muted' }, src);
}

/**
 * The document selection inside `container` as code-point offsets into `text`, or null.
 * @param {HTMLElement} container @param {string} field @param {string} text
 * @returns {FieldSelection|null}
 */
function selectionIn(container, field, text) {
  const sel = document.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const whole = document.createRange();
  whole.selectNodeContents(container);
  // No overlap with the field; else clip the selection to it (a drag may end past the text).
  if (range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0 || range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0) return null;
  const offset = (/** @type {Node} */ node, /** @type {number} */ at) => {
    const r = document.createRange();
    r.selectNodeContents(container);
    r.setEnd(node, at);
    return codePointOffset(text, r.toString().length);
  };
  const start = range.compareBoundaryPoints(Range.START_TO_START, whole) >= 0 ? offset(range.startContainer, range.startOffset) : 0;
  const end = range.compareBoundaryPoints(Range.END_TO_END, whole) <= 0 ? offset(range.endContainer, range.endOffset) : Array.from(text).length;
  return end > start ? { field, start, end } : null;
}

/**
 * The part of a span field (a text field some span question labels) that the mouse selected in
 * the record pane, or null.
 * @param {HTMLElement} pane @param {any} record
 * @returns {FieldSelection|null}
 */
export function fieldSelection(pane, record) {
  /** @type {FieldSelection|null} */
  let found = null;
  for (const el of pane.querySelectorAll('[data-span-field]')) {
    const container = /** @type {HTMLElement} */ (el);
    const field = container.dataset.spanField || '';
    const here = record ? selectionIn(container, field, String(record.fields[field] ?? '')) : null;
    if (here) found = here;
  }
  return found;
}
