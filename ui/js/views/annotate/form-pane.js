// The question pane of the annotation view: the caller's response status, one section per
// question (title, required mark, suggestion badge, description link, and the editor of its
// kind), and the Discard / Clear / Save draft / Submit buttons; focus survives a re-render.

import { h, replace } from '../../dom.js';
import { canSubmit, isAnswered, suggestionTitle } from '../../lib/form.js';
import { labelsEditor } from './editors/labels.js';
import { rankingEditor } from './editors/ranking.js';
import { ratingEditor } from './editors/rating.js';
import { spanEditor } from './editors/span.js';
import { textEditor } from './editors/text.js';

/** @typedef {import('../../lib/form.js').Question} Question */
/** @typedef {import('../../lib/form.js').FormState} FormState */
/** @typedef {import('./editors/context.js').EditorContext} EditorContext */

/**
 * What the question pane shows and where its buttons lead.
 * @typedef {object} FormPaneModel
 * @property {Question[]} questions the questions shown (the bulk view leaves out span questions)
 * @property {FormState} form
 * @property {{status: string}|null} mine the caller's response on the record (none in the bulk view)
 * @property {number|null} selected records selected in the bulk view; null in the single view
 * @property {string|null} activeQuestion the question number keys act on, marked
 * @property {(name: string) => void} focused a question received focus
 * @property {() => void} showGuidelines opens the guidelines panel (a question's "about")
 * @property {(status: 'submitted'|'discarded'|'draft') => void} act
 * @property {() => void} clear
 */

/** @type {Record<string, (q: Question, value: any, ctx: EditorContext) => HTMLElement>} */
const EDITORS = {
  label_selection: labelsEditor,
  multi_label_selection: labelsEditor,
  rating: ratingEditor,
  ranking: rankingEditor,
  text: textEditor,
  span: spanEditor,
};

/**
 * Renders the question pane (empty without a record).
 * @param {HTMLElement} pane @param {FormPaneModel} model @param {EditorContext} ctx
 */
export function renderFormPane(pane, model, ctx) {
  if (!ctx.record) {
    replace(pane);
    return;
  }
  const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  const bulk = model.selected !== null;
  const n = model.selected ?? 0;
  const submittable = canSubmit(model.questions, model.form) && (!bulk || n > 0);
  const submitBtn = h('button', { type: 'button', class: 'primary', id: 'submit', disabled: !submittable, title: 'Submit (Enter)', onclick: () => model.act('submitted') }, bulk ? `Submit ${n} selected` : 'Submit');
  replace(
    pane,
    model.mine ? h('p', { class: `status-tag ${model.mine.status}` }, `Your response: ${model.mine.status}`) : null,
    bulk ? h('p', { class: 'status-tag' }, `One answer for ${n} selected record${n === 1 ? '' : 's'}`) : null,
    model.questions.map((q) => questionSection(q, model, ctx)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', id: 'discard', title: 'Discard (Backspace)', onclick: () => model.act('discarded') }, 'Discard'),
      h('button', { type: 'button', id: 'clear', title: 'Clear (Shift+Space)', onclick: () => model.clear() }, 'Clear'),
      h('button', { type: 'button', id: 'draft', title: 'Save draft (Ctrl+S)', onclick: () => model.act('draft') }, 'Save draft'),
      submitBtn,
    ),
  );
  if (focusedKey) {
    const again = pane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}

/** @param {Question} q @param {FormPaneModel} model @param {EditorContext} ctx */
function questionSection(q, model, ctx) {
  const value = model.form.answers[q.name];
  const suggestion = model.form.suggested[q.name];
  const answered = isAnswered(q, value);
  const head = h(
    'div',
    { class: 'q-head' },
    h('h3', { id: `q-${q.name}` }, q.title, q.required ? h('span', { class: 'required', title: 'Required', 'aria-label': 'required' }, ' *') : null),
    suggestion
      ? h('span', { class: 'suggested', tabindex: '0', 'data-tip': suggestionTitle(suggestion), title: suggestionTitle(suggestion), 'data-key': `${q.name}:suggestion` }, 'Suggested')
      : null,
    q.description ? h('button', { type: 'button', class: 'info link', 'aria-label': `About ${q.title}`, title: q.description, onclick: () => model.showGuidelines() }, 'about') : null,
  );
  const type = q.settings.type;
  const editor = Object.hasOwn(EDITORS, type) ? EDITORS[type] : undefined;
  const body = editor ? editor(q, value, ctx) : h('p', { class: 'muted' }, `Unsupported question type ${type}`);
  return h(
    'section',
    {
      class: `question q-${type}${answered ? ' answered' : ''}${suggestion ? ' from-suggestion' : ''}${model.activeQuestion === q.name ? ' active' : ''}`,
      'data-question': q.name,
      'aria-labelledby': `q-${q.name}`,
      tabindex: '-1',
      onfocusin: () => model.focused(q.name),
    },
    head,
    body,
  );
}

/**
 * Focuses a question's first control: its chosen option, else its first option, ranking item,
 * text area or input; else the section itself.
 * @param {HTMLElement} section
 */
export function focusQuestion(section) {
  // In this order: a selector list would return the first match in document order (the
  // label filter box, before the labels).
  const target = ['[data-option].selected', '[data-option]', '[data-rank-item]', 'textarea', 'input']
    .map((sel) => section.querySelector(sel))
    .find((it) => it);
  (/** @type {HTMLElement} */ (target || section)).focus();
}

/** Focuses the first question, unless focus is in the pane already. @param {HTMLElement} pane */
export function focusFirstQuestion(pane) {
  const first = pane.querySelector('.question');
  if (first instanceof HTMLElement && !pane.contains(document.activeElement)) focusQuestion(first);
}
