// What the question editors' gestures make of an answer: a label picked or toggled, a rating
// clicked, a ranking item moved by key or dropped, a span cut from a selection, a number key
// picking an option, and what an autosaved draft holds. Pure: no DOM, no network, so
// `node --test` covers it; the editors in views/annotate/ only wire these to buttons and keys.

import { codePointOffset, initialState, responseBody, toggleLabel, visibleOptions } from './form.js';

/** @typedef {import('./form.js').Question} Question */
/** @typedef {import('./form.js').FormState} FormState */
/** @typedef {import('./form.js').Span} Span */
/** @typedef {{filter: string, expanded: boolean}} OptionsView */
/** @typedef {{field: string, start: number, end: number}} FieldSelection */

/**
 * The answer after `option` is picked on a label question: a multi-label answer toggles it (in
 * the options' order); a single label is chosen, or cleared when it was the answer.
 * @param {Question} q @param {any} current @param {string} option
 */
export function labelAnswer(q, current, option) {
  if (q.settings.type === 'multi_label_selection') return toggleLabel(current, option, q.settings.options || []);
  return current === option ? undefined : option;
}

/**
 * The answer after a rating option is clicked: chosen, or cleared when it was the answer.
 * @param {any} current @param {any} option
 */
export function ratingAnswer(current, option) {
  return current === option ? undefined : option;
}

/**
 * How far a key press moves the ranking item shown at `index`: ↑ one up, ↓ one down, a digit
 * to that rank; null for any other key.
 * @param {string} key @param {number} index
 */
export function rankKeyDelta(key, index) {
  if (key === 'ArrowUp') return -1;
  if (key === 'ArrowDown') return 1;
  if (/^[1-9]$/.test(key)) return Number(key) - 1 - index;
  return null;
}

/**
 * How far dropping `from` on the item shown at `index` moves it in `order`.
 * @param {string[]} order @param {string} from @param {number} index
 */
export function dropDelta(order, from, index) {
  return index - order.indexOf(from);
}

/**
 * The code-point range a span label applies to: the text box's selection (UTF-16 offsets into
 * `text`), else text selected with the mouse in the question's field. Empty (`end <= start`)
 * when nothing is selected.
 * @param {string} text @param {number} selStart @param {number} selEnd
 * @param {FieldSelection|null} fieldSelection @param {string} field
 */
export function spanRange(text, selStart, selEnd, fieldSelection, field) {
  let start = codePointOffset(text, selStart);
  let end = codePointOffset(text, selEnd);
  if (end <= start && fieldSelection && fieldSelection.field === field) ({ start, end } = fieldSelection);
  return { start, end };
}

/** The span answer without its `index`th span. @param {Span[]} spans @param {number} index */
export function withoutSpan(spans, index) {
  return spans.filter((_, j) => j !== index);
}

/**
 * What number key `n` picks on question `q`: the nth rating option, the nth label shown (after
 * the filter and the visible-options limit), or the nth span label; null when there is none.
 * @param {Question} q @param {number} n @param {OptionsView|undefined} view
 * @returns {{kind: 'rating'|'label'|'span', value: any}|null}
 */
export function pickFor(q, n, view) {
  const type = q.settings.type;
  if (type === 'rating' || type === 'span') {
    const opt = (q.settings.options || [])[n - 1];
    return opt ? { kind: type, value: opt.value } : null;
  }
  if (type === 'label_selection' || type === 'multi_label_selection') {
    const state = view || { filter: '', expanded: false };
    const opt = visibleOptions(q, state.filter, state.expanded).shown[n - 1];
    return opt ? { kind: 'label', value: opt.value } : null;
  }
  return null;
}

/**
 * The caller's response on `record`, if any.
 * @param {any} record @param {string} userId
 */
export function ownResponse(record, userId) {
  return (record && (record.responses || []).find((/** @type {any} */ r) => r.user_id === userId)) || null;
}

/**
 * What a change to the form autosaves as a draft: the answered values, or null when nothing is
 * to be saved (no answer yet, or the caller's response is already submitted or discarded, which
 * only an explicit submit, discard or draft changes).
 * @param {Question[]} questions @param {FormState} form @param {{status: string}|null} mine
 * @returns {Record<string, {value: any}>|null}
 */
export function draftValues(questions, form, mine) {
  if (mine && mine.status !== 'draft') return null;
  const values = responseBody(questions, form, 'draft').values;
  return Object.keys(values).length ? values : null;
}

/**
 * The form a record opens with: answers backed up locally and not saved yet win (they are newer
 * than anything on the server); else the caller's response; else the suggestions.
 * @param {Question[]} questions @param {any} mine the caller's response, or null
 * @param {any[]|null|undefined} suggestions @param {Record<string, any>|null} backup
 * @returns {{form: FormState, restored: boolean}}
 */
export function openingForm(questions, mine, suggestions, backup) {
  if (backup) return { form: { answers: backup, suggested: {}, dirty: true }, restored: true };
  return { form: initialState(questions, mine, suggestions), restored: false };
}
