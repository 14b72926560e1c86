// The marks every editor puts on what a suggestion picked: the agent and score as text on the
// option, ranking item or span itself (not only in a tooltip), and the suggested text of a text
// question in a block that stays after the answer is edited.

import { h } from '../../../dom.js';
import { suggestionTitle } from '../../../lib/form.js';

/** The mark inside a suggested option or ranking item, or nothing. @param {string|undefined} mark */
export function suggestionMark(mark) {
  return mark ? h('span', { class: 'sugg-mark', title: `Suggested: ${mark}` }, h('span', { class: 'sugg-icon', 'aria-hidden': 'true' }, '✦'), ` ${mark}`) : null;
}

/**
 * What a suggestion said, as a block under the answer: its agent and score, then `body` (the
 * suggested text or spans). Open when the answer no longer holds it (`open`), else folded to its
 * one line; its summary is no Tab stop.
 * @param {import('../../../lib/form.js').Suggestion} s @param {boolean} open @param {any} body
 */
export function suggestionBlock(s, open, body) {
  return h(
    'details',
    { class: 'sugg-block', open: open || null },
    h('summary', { tabindex: '-1' }, h('span', { class: 'sugg-icon', 'aria-hidden': 'true' }, '✦'), ` ${suggestionTitle(s)}`),
    body,
  );
}
