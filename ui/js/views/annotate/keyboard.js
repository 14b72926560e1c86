// The annotation view's keyboard: a key press becomes an action of lib/keys.js where focus allows
// it (panels and Escape anywhere; answering only in the record, the form or the page itself); a
// digit picks an option of the question in focus; j / k move between questions. Keys pressed
// while the view moves to another record are held and replayed on the record that opens, so a
// digit typed right after a submit answers the next record, never the one being left (see
// `carriedOver` in lib/keys.js).

import { actionFor, carriedOver, isTextEntry } from '../../lib/keys.js';
import { digitAnswer, pickFor } from '../../lib/answers.js';
import { focusQuestion } from './form-pane.js';

/** @typedef {import('../../lib/form.js').Question} Question */
/** @typedef {import('../../lib/keys.js').Action} Action */
/** @typedef {import('../../lib/keys.js').KeyPress} KeyPress */

/**
 * The document's keydown handler for the view, and `transition`, which runs a move to another
 * record (a submit, discard, undo, navigation or new filter): keys pressed meanwhile are held and
 * replayed once it is done, on the record then in focus (unless `dropHeldKeys` forgot them);
 * clicks on the form are ignored.
 * @param {{main: HTMLElement, formPane: HTMLElement, recordPane: HTMLElement, side: HTMLElement}} els
 * @param {{hasRecord: () => boolean, closePanel: () => void,
 *   panel: (which: 'guidelines'|'help') => void,
 *   run: (action: Exclude<Action, 'escape'|'guidelines'|'help'>) => void}} on
 */
export function keyHandler({ main, formPane, recordPane, side }, on) {
  /** @type {KeyPress[]} */
  const held = [];
  let busy = 0;
  const onKey = (/** @type {KeyboardEvent} */ ev) => {
    if (ev.defaultPrevented) return;
    const target = /** @type {any} */ (ev.target);
    const inSpanSource = target instanceof HTMLTextAreaElement && target.dataset.spanSource === 'true';
    const onButton = target instanceof HTMLElement && (target.tagName === 'A' || (target.tagName === 'BUTTON' && !target.dataset.option));
    const inForm = target === document || (target instanceof HTMLElement && (formPane.contains(target) || target === document.body || recordPane.contains(target) || target === main));
    const inText = isTextEntry(target) && !inSpanSource;
    if (busy && inForm) {
      // Moving to another record: nothing typed reaches the record being left.
      ev.preventDefault();
      if (carriedOver(ev, inText)) held.push({ key: ev.key, shiftKey: ev.shiftKey, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, altKey: ev.altKey });
      return;
    }
    const action = actionFor(ev, { inTextEntry: inText, onButton, inSelectableText: inSpanSource });
    if (!action) return;
    if (action === 'escape') {
      if (!side.hidden) on.closePanel();
      else if (isTextEntry(target)) leaveText(target);
      return;
    }
    if (action === 'guidelines' || action === 'help') {
      ev.preventDefault();
      on.panel(action);
      return;
    }
    if (!on.hasRecord() && action !== 'prev' && action !== 'undo') return;
    if (!inForm && !(action === 'prev' || action === 'next' || action === 'undo')) return;
    ev.preventDefault();
    on.run(action);
  };
  /**
   * @param {() => Promise<void>} fn
   * @param {boolean} [writes] the move saves an answer: clicks on the form being left are ignored
   *   meanwhile (a move that only navigates leaves them be, and spares the form a restyle)
   */
  const transition = async (fn, writes = true) => {
    busy += 1;
    if (writes) formPane.classList.add('busy');
    try {
      await fn();
    } finally {
      busy -= 1;
      if (!busy) {
        formPane.classList.remove('busy');
        // Replayed one by one: a replayed submit starts the next move, and the rest wait for it.
        while (held.length && !busy) {
          const press = /** @type {KeyPress} */ (held.shift());
          (document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', { ...press, bubbles: true, cancelable: true }));
        }
      }
    }
  };
  /** Forgets the keys held: the move ended on a record other than the one they were typed for. */
  const dropHeldKeys = () => void held.splice(0);
  return { onKey, transition, dropHeldKeys };
}

/** Escape in a text entry: focus its question (where j / k and digits work), else just leave it. @param {HTMLElement} el */
function leaveText(el) {
  const section = el.closest('[data-question]');
  if (section instanceof HTMLElement) section.focus();
  else el.blur();
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
 * Digit `n` on question `q`: rates or picks a label (see lib/answers.js `digitAnswer`: a digit
 * never clears an answer, and confirms a suggested one), or labels the selected text (through the
 * label's button, which reads the selection from the text box).
 * @param {Question|undefined} q @param {number} n @param {HTMLElement} formPane
 * @param {Pick<import('./editors/context.js').EditorContext, 'views'|'current'|'answer'|'prefilled'>} ctx
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
  ctx.answer(q.name, digitAnswer(q, ctx.current(q.name), picked.value, ctx.prefilled(q.name)));
  // Focus follows the choice of a rating or label (a multi-label's stays where it is).
  const section = formPane.querySelector(`[data-question="${CSS.escape(q.name)}"]`);
  if (q.settings.type !== 'multi_label_selection' && section instanceof HTMLElement && section.contains(document.activeElement)) focusQuestion(section);
}

/**
 * j / k: focuses the question `delta` away from the focused one (or the last one focused).
 * @param {HTMLElement} formPane @param {number} delta @param {string|null} activeName
 */
export function moveQuestion(formPane, delta, activeName) {
  const sections = /** @type {HTMLElement[]} */ ([...formPane.querySelectorAll('.question[data-question]')]);
  if (!sections.length) return;
  const el = document.activeElement;
  const here = el instanceof HTMLElement ? el.closest('.question[data-question]') : null;
  let at = sections.findIndex((it) => it === here);
  if (at < 0) at = sections.findIndex((it) => it.dataset.question === activeName);
  const to = at < 0 ? 0 : Math.max(0, Math.min(sections.length - 1, at + delta));
  focusQuestion(sections[to], true);
}
