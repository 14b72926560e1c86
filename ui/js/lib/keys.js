// The annotation view's keyboard map (the Feedback UI's shortcuts), as a pure function from a
// key press and where focus is to an action name.

/**
 * @typedef {{key: string, shiftKey?: boolean, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean}} KeyPress
 * @typedef {{inTextEntry: boolean, onButton?: boolean, inSelectableText?: boolean}} KeyContext
 * @typedef {'submit'|'discard'|'clear'|'draft'|'undo'|'prev'|'next'|'nextQuestion'|'prevQuestion'|
 *   'guidelines'|'help'|'escape'|{pick: number}} Action
 */

/** The key each action button shows (and its title names). */
export const ACTION_KEYS = {
  submit: 'Enter',
  discard: '⌫',
  clear: 'Shift+Space',
  draft: 'Ctrl+S',
  undo: 'u',
};

/** The shortcuts, for the help panel. */
export const SHORTCUTS = [
  ['Enter', 'Submit (Shift+Enter in a text area)'],
  ['Backspace', 'Discard (Shift+Backspace in a text area)'],
  ['Shift+Space', 'Clear the answers'],
  ['Ctrl+S', 'Save a draft'],
  ['u / Ctrl+Z', 'Undo the last submit or discard (outside a text area)'],
  ['← / →', 'Previous / next record'],
  ['j / k', 'Next / previous question (Tab and Shift+Tab move between answers)'],
  ['0 … 9', 'Pick the option showing that key: a rating by its value, a label by its place'],
  ['↑ / ↓', 'Move a focused ranking item'],
  ['g', 'Guidelines and question descriptions'],
  ['?', 'These shortcuts'],
  ['Esc', 'Close a panel; leave a text area for its question'],
];

/**
 * @param {KeyPress} ev
 * @param {KeyContext} ctx
 * @returns {Action|null}
 */
export function actionFor(ev, ctx) {
  const shift = !!ev.shiftKey;
  const text = ctx.inTextEntry;
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === 's' || ev.key === 'S')) return 'draft';
  // In a text entry Ctrl+Z is the text's own undo.
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !shift && (ev.key === 'z' || ev.key === 'Z')) return text ? null : 'undo';
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  switch (ev.key) {
    case 'Enter':
      // A focused button or link keeps Enter for itself (answer options are not such buttons).
      if (ctx.onButton) return null;
      return !text || shift ? 'submit' : null;
    case 'Backspace':
      return !text || shift ? 'discard' : null;
    case ' ':
      return shift && !text ? 'clear' : null;
    case 'Escape':
      return 'escape';
    case 'ArrowLeft':
      return text || ctx.inSelectableText ? null : 'prev';
    case 'ArrowRight':
      return text || ctx.inSelectableText ? null : 'next';
    case 'g':
      return text ? null : 'guidelines';
    case '?':
      return text ? null : 'help';
    case 'u':
      return text ? null : 'undo';
    case 'j':
      return text ? null : 'nextQuestion';
    case 'k':
      return text ? null : 'prevQuestion';
    default:
      if (!text && !shift && /^[0-9]$/.test(ev.key)) return { pick: Number(ev.key) };
      return null;
  }
}

/**
 * Whether a key pressed while the view moves to another record (a submit, discard, undo or
 * navigation under way) is kept and replayed on the record that opens: the keys that answer or
 * act, read where they were pressed (Enter typed in a text area is a new line there, not a
 * submit); typing is never carried over. A digit is, even from a text area: pressed right after
 * Shift+Enter, it is meant for the next record's first question.
 * @param {KeyPress} ev @param {boolean} inTextEntry
 */
export function carriedOver(ev, inTextEntry) {
  const digit = /^[0-9]$/.test(ev.key) && !ev.shiftKey && !ev.ctrlKey && !ev.metaKey && !ev.altKey;
  const action = actionFor(ev, { inTextEntry: inTextEntry && !digit });
  return action !== null && action !== 'escape' && action !== 'guidelines' && action !== 'help';
}

/**
 * Whether typing goes into `el` (so single keys must not be shortcuts there).
 * @param {{tagName?: string, type?: string, isContentEditable?: boolean, readOnly?: boolean}|null} el
 */
export function isTextEntry(el) {
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA') return !el.readOnly;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(String(el.type || 'text'));
  if (tag === 'SELECT') return true;
  return !!el.isContentEditable;
}
