// The annotation view's keyboard: a key press becomes an action of lib/keys.js where focus allows
// it (panels and Escape anywhere; answering only in the record, the form or the page itself), and
// a number key picks an option of the question in focus.

import { actionFor, isTextEntry } from '../../lib/keys.js';
import { pickFor } from '../../lib/answers.js';
import { pickLabel } from './editors/labels.js';

/** @typedef {import('../../lib/form.js').Question} Question */
/** @typedef {import('../../lib/keys.js').Action} Action */

/**
 * The document's keydown handler for the view.
 * @param {{main: HTMLElement, formPane: HTMLElement, recordPane: HTMLElement, side: HTMLElement}} els
 * @param {{hasRecord: () => boolean, closePanel: () => void, panel: (which: 'guidelines'|'help') => void,
 *   run: (action: Exclude<Action, 'escape'|'guidelines'|'help'>) => void}} on
 */
export function keyHandler({ main, formPane, recordPane, side }, on) {
  return (/** @type {KeyboardEvent} */ ev) => {
    if (ev.defaultPrevented) return;
    const target = /** @type {any} */ (ev.target);
    const inSpanSource = target instanceof HTMLTextAreaElement && target.dataset.spanSource === 'true';
    const onButton = target instanceof HTMLElement && (target.tagName === 'A' || (target.tagName === 'BUTTON' && !target.dataset.option));
    const inForm = target instanceof HTMLElement && (formPane.contains(target) || target === document.body || recordPane.contains(target) || target === main);
    const action = actionFor(ev, { inTextEntry: isTextEntry(target) && !inSpanSource, onButton, inSelectableText: inSpanSource });
    if (!action) return;
    if (action === 'escape') {
      if (!side.hidden) on.closePanel();
      else if (isTextEntry(target)) target.blur();
      return;
    }
    if (action === 'guidelines' || action === 'help') {
      ev.preventDefault();
      on.panel(action);
      return;
    }
    if (!on.hasRecord() && action !== 'prev') return;
    if (!inForm && !(action === 'prev' || action === 'next')) return;
    ev.preventDefault();
    on.run(action);
  };
}

/**
 * The question number keys act on: the focused one; else, when text was just selected in a
 * field, the span question on that field; else the last one focused, or the first that takes a
 * pick.
 * @param {Question[]} questions @param {string|null} activeName
 * @param {import('../../lib/answers.js').FieldSelection|null} selection
 */
export function questionForKeys(questions, activeName, selection) {
  const el = document.activeElement;
  const section = el instanceof HTMLElement ? el.closest('[data-question]') : null;
  if (!section && selection) {
    // Text just selected in a field: number keys label it.
    const field = selection.field;
    const spanQ = questions.find((q) => q.settings.type === 'span' && q.settings.field === field);
    if (spanQ) return spanQ;
  }
  const name = section instanceof HTMLElement ? section.dataset.question : activeName;
  return questions.find((q) => q.name === name) || questions.find((q) => ['label_selection', 'multi_label_selection', 'rating'].includes(q.settings.type));
}

/**
 * Number key `n` on question `q`: rates, picks a label, or labels the selected text (through the
 * label's button, which reads the selection from the text box).
 * @param {Question|undefined} q @param {number} n @param {HTMLElement} formPane
 * @param {Pick<import('./editors/context.js').EditorContext, 'views'|'current'|'answer'>} ctx
 */
export function pick(q, n, formPane, ctx) {
  if (!q) return;
  const picked = pickFor(q, n, ctx.views[q.name]);
  if (q.settings.type === 'span') {
    const btn = formPane.querySelector(`[data-question="${CSS.escape(q.name)}"] [data-option="${CSS.escape(picked ? picked.value : '')}"]`);
    // Keep the selection: the button reads it from the text box.
    if (btn instanceof HTMLElement) btn.click();
    return;
  }
  if (!picked) return;
  if (picked.kind === 'rating') ctx.answer(q.name, picked.value);
  else if (picked.kind === 'label') pickLabel(q, picked.value, ctx);
}
