// The annotation view's keyboard map (the Feedback UI's shortcuts), as a pure function from a
// key press and where focus is to an action name.

/**
 * @typedef {{key: string, shiftKey?: boolean, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean}} KeyPress
 * @typedef {{inTextEntry: boolean, onButton?: boolean, inSelectableText?: boolean}} KeyContext
 * @typedef {'submit'|'discard'|'clear'|'draft'|'prev'|'next'|'guidelines'|'help'|'escape'|
 *   {pick: number}} Action
 */

/** The shortcuts, for the help panel. */
export const SHORTCUTS = [
  ['Enter', 'Submit (Shift+Enter in a text area)'],
  ['Backspace', 'Discard (Shift+Backspace in a text area)'],
  ['Shift+Space', 'Clear the answers'],
  ['Ctrl+S', 'Save a draft'],
  ['← / →', 'Previous / next record'],
  ['1 … 9', 'Pick a label or rating of the focused question (the first one otherwise)'],
  ['↑ / ↓', 'Move a focused ranking item'],
  ['g', 'Guidelines and question descriptions'],
  ['?', 'These shortcuts'],
  ['Esc', 'Close a panel, leave a text area'],
];

/**
 * @param {KeyPress} ev
 * @param {KeyContext} ctx
 * @returns {Action|null}
 */
export function actionFor(ev, ctx) {
  const shift = !!ev.shiftKey;
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === 's' || ev.key === 'S')) return 'draft';
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  const text = ctx.inTextEntry;
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
    default:
      if (!text && !shift && /^[1-9]$/.test(ev.key)) return { pick: Number(ev.key) };
      return null;
  }
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
