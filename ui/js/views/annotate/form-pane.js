// The question pane of the annotation view: the caller's response status, one section per
// question (title, required mark, description link, and the editor of its kind, which shows the
// record's suggestion on the options themselves), and the Discard / Clear / Save draft / Submit
// (and Undo) buttons with their keys; focus survives a re-render, on the same control or at least
// on the same question.

import { h, replace } from '../../dom.js';
import { canSubmit, isAnswered } from '../../lib/form.js';
import { ACTION_KEYS } from '../../lib/keys.js';
import { suggestionFor } from '../../lib/suggestions.js';
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
 * @property {{label: string, run: () => void}|null} undo the last submit or discard, undoable
 * @property {boolean} [keepFocus] false: focus in the pane is not restored into the new form (a
 *   record opens: the caller focuses its first question)
 */

/** @type {Record<string, (q: Question, value: any, ctx: EditorContext, suggestion: import('../../lib/form.js').Suggestion|undefined) => HTMLElement>} */
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
  const active = model.keepFocus !== false && document.activeElement instanceof HTMLElement && pane.contains(document.activeElement) ? document.activeElement : null;
  const focusedKey = active ? active.dataset.key : undefined;
  const focusedSection = active ? active.closest('[data-question]') : null;
  const focusedQuestion = focusedSection instanceof HTMLElement ? focusedSection.dataset.question : undefined;
  const bulk = model.selected !== null;
  const n = model.selected ?? 0;
  const submittable = canSubmit(model.questions, model.form) && (!bulk || n > 0);
  /** @param {string} id @param {string} text @param {string} key @param {() => void} onclick @param {Record<string, any>} [attrs] */
  const action = (id, text, key, onclick, attrs = {}) =>
    h('button', { type: 'button', id, 'data-key': `action:${id}`, title: `${text} (${key})`, 'aria-keyshortcuts': key, onclick, ...attrs }, text, h('kbd', { class: 'key-hint' }, key));
  replace(
    pane,
    model.mine ? h('p', { class: `status-tag ${model.mine.status}` }, `Your response: ${model.mine.status}`) : null,
    bulk ? h('p', { class: 'status-tag' }, `One answer for ${n} selected record${n === 1 ? '' : 's'}`) : null,
    model.questions.map((q) => questionSection(q, model, ctx, bulk)),
    h(
      'div',
      { class: 'actions' },
      model.undo ? action('undo', model.undo.label, ACTION_KEYS.undo, model.undo.run) : null,
      action('discard', 'Discard', ACTION_KEYS.discard, () => model.act('discarded')),
      action('clear', 'Clear', ACTION_KEYS.clear, () => model.clear()),
      action('draft', 'Save draft', ACTION_KEYS.draft, () => model.act('draft')),
      action('submit', bulk ? `Submit ${n} selected` : 'Submit', ACTION_KEYS.submit, () => model.act('submitted'), { class: 'primary', disabled: !submittable }),
    ),
  );
  if (!active) return;
  // The same control again; else (it is gone, e.g. a suggestion's mark) its question; else the
  // first question: focus never drops to the page, where the next digit would act elsewhere.
  const again = focusedKey ? pane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`) : null;
  if (again instanceof HTMLElement && !(again instanceof HTMLButtonElement && again.disabled)) {
    again.focus();
    return;
  }
  const section = focusedQuestion ? pane.querySelector(`[data-question="${CSS.escape(focusedQuestion)}"]`) : pane.querySelector('.question');
  if (section instanceof HTMLElement) focusQuestion(section);
}

/** @param {Question} q @param {FormPaneModel} model @param {EditorContext} ctx @param {boolean} bulk */
function questionSection(q, model, ctx, bulk) {
  const value = model.form.answers[q.name];
  const prefilled = !!model.form.suggested[q.name];
  // What the model said stays in sight whatever the answer is now (none in the bulk view: one
  // answer for several records).
  const suggestion = bulk ? undefined : suggestionFor(q, ctx.record.suggestions);
  const answered = isAnswered(q, value);
  const head = h(
    'div',
    { class: 'q-head' },
    h('h3', { id: `q-${q.name}` }, q.title, q.required ? h('span', { class: 'required', title: 'Required', 'aria-label': 'required' }, ' *') : null),
    prefilled ? h('span', { class: 'prefilled' }, 'pre-filled from the suggestion') : null,
    // Not a Tab stop: `g` opens every description.
    q.description ? h('button', { type: 'button', class: 'info link', tabindex: '-1', 'aria-label': `About ${q.title}`, title: q.description, onclick: () => model.showGuidelines() }, 'about') : null,
  );
  const type = q.settings.type;
  const editor = (ctx.editorFor && ctx.editorFor(q)) || (Object.hasOwn(EDITORS, type) ? EDITORS[type] : undefined);
  const body = editor ? editor(q, value, ctx, suggestion) : h('p', { class: 'muted' }, `Unsupported question type ${type}`);
  return h(
    'section',
    {
      class: `question q-${type}${answered ? ' answered' : ''}${prefilled ? ' from-suggestion' : ''}${model.activeQuestion === q.name ? ' active' : ''}`,
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
 * Focuses a question's answer: its chosen option, else its first option or ranking item; its text
 * area only when `typing` (j / k, a required text left empty), else the question itself, so a
 * digit or Enter never lands in a text entry unasked. When a record `opening` was just rendered,
 * focus forces no layout before its first frame: the answer is scrolled into view (when out of
 * sight) right after that frame instead of by `focus()`.
 * @param {HTMLElement} section @param {boolean} [typing] @param {boolean} [opening]
 */
export function focusQuestion(section, typing = false, opening = false) {
  // In this order: a selector list would return the first match in document order (the
  // label filter box, before the labels).
  const selectors = ['[data-option].selected', '[data-option]', '[data-rank-item]', ...(typing ? ['textarea', 'input'] : [])];
  const target = /** @type {HTMLElement} */ (selectors.map((sel) => section.querySelector(sel)).find((it) => it) || section);
  if (!opening) {
    target.focus();
    return;
  }
  target.focus({ preventScroll: true });
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (document.activeElement === target) target.scrollIntoView({ block: 'nearest' });
    }),
  );
}

/**
 * Focuses the first question: always when a record opens (`force`; see `focusQuestion`'s
 * `opening`), else unless focus is in the pane already.
 * @param {HTMLElement} pane @param {boolean} [force]
 */
export function focusFirstQuestion(pane, force = false) {
  const first = pane.querySelector('.question');
  if (first instanceof HTMLElement && (force || !pane.contains(document.activeElement))) focusQuestion(first, false, force);
}
