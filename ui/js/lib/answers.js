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
 * The answer after `option` is clicked on a label question: a multi-label answer toggles it (in
 * the options' order); a single label is chosen, or cleared when it was the answer. An option
 * selected because it was suggested (`prefilled`) is confirmed instead: it stays selected and
 * becomes the annotator's own answer.
 * @param {Question} q @param {any} current @param {string} option @param {boolean} [prefilled]
 */
export function labelAnswer(q, current, option, prefilled = false) {
  if (prefilled && isSelected(q, current, option)) return current;
  if (q.settings.type === 'multi_label_selection') return toggleLabel(current, option, q.settings.options || []);
  return current === option ? undefined : option;
}

/**
 * The answer after a rating option is clicked: chosen, or cleared when it was the annotator's
 * answer (a suggested one is confirmed).
 * @param {any} current @param {any} option @param {boolean} [prefilled]
 */
export function ratingAnswer(current, option, prefilled = false) {
  if (prefilled && current === option) return current;
  return current === option ? undefined : option;
}

/**
 * The answer after a digit key picks `option`: a rating or single label is chosen (a digit never
 * clears one: pressing the key of the answer, suggested or not, keeps it); a multi-label answer
 * toggles the option, except one selected because it was suggested, which is confirmed.
 * @param {Question} q @param {any} current @param {any} option @param {boolean} prefilled
 */
export function digitAnswer(q, current, option, prefilled) {
  if (q.settings.type === 'multi_label_selection') return labelAnswer(q, current, option, prefilled);
  return option;
}

/** Whether `option` is part of the answer `current` to `q`. @param {Question} q @param {any} current @param {any} option */
function isSelected(q, current, option) {
  return q.settings.type === 'multi_label_selection' ? Array.isArray(current) && current.includes(option) : current === option;
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
 * The options a question shows, each with the digit key that picks it ('' for none). A rating is
 * picked by value (on a 0–7 scale `0` … `7`; a value past 9 has no key); a label, multi-label or
 * span question by value when every option is a single digit, else by position among the
 * options shown (after the filter and the visible-options limit), `1` … `9`.
 * @param {Question} q @param {OptionsView|undefined} view
 * @returns {{option: import('./form.js').Option, key: string}[]}
 */
export function optionKeys(q, view) {
  const type = q.settings.type;
  const options = q.settings.options || [];
  const digit = (/** @type {any} */ it) => /^[0-9]$/.test(String(it.value));
  if (type === 'rating') return options.map((option) => ({ option, key: digit(option) ? String(option.value) : '' }));
  const state = view || { filter: '', expanded: false };
  const shown = type === 'label_selection' || type === 'multi_label_selection' ? visibleOptions(q, state.filter, state.expanded).shown : options;
  const byValue = options.length > 0 && options.every(digit);
  return shown.map((option, i) => ({ option, key: byValue ? String(option.value) : i < 9 ? String(i + 1) : '' }));
}

/**
 * What digit `n` picks on question `q` (see `optionKeys`); null when no option has that key or
 * the question takes no picks (text, ranking).
 * @param {Question} q @param {number} n @param {OptionsView|undefined} view
 * @returns {{kind: 'rating'|'label'|'span', value: any}|null}
 */
export function pickFor(q, n, view) {
  const type = q.settings.type;
  const kind = type === 'rating' ? 'rating' : type === 'span' ? 'span' : type === 'label_selection' || type === 'multi_label_selection' ? 'label' : null;
  if (!kind) return null;
  const found = optionKeys(q, view).find((it) => it.key === String(n));
  return found ? { kind, value: found.option.value } : null;
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
