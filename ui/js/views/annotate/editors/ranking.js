// The editor of ranking questions: an ordered list whose items move with ↑ / ↓, a digit (to that
// rank) or drag and drop, each item marked with the rank a suggestion gave it (and its agent and
// score); "Keep this order" answers with the order shown.

import { h } from '../../../dom.js';
import { dropDelta, rankKeyDelta } from '../../../lib/answers.js';
import { isAnswered, moveRank, rankingOrder } from '../../../lib/form.js';
import { optionMarks } from '../../../lib/suggestions.js';
import { suggestionMark } from './marks.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 * @param {import('../../../lib/form.js').Suggestion|undefined} suggestion
 */
export function rankingEditor(q, value, ctx, suggestion) {
  const order = rankingOrder(q, value);
  const marks = optionMarks(q, suggestion);
  const byValue = Object.fromEntries((q.settings.options || []).map((o) => [o.value, o]));
  /** @type {string|null} */
  let dragged = null;
  /** @param {string} item @param {number} delta */
  const move = (item, delta) => ctx.answer(q.name, moveRank(order, item, delta));
  return h(
    'div',
    { class: 'ranking' },
    h(
      'ol',
      { class: 'rank-list', 'aria-labelledby': `q-${q.name}` },
      order.map((item, i) =>
        h(
          'li',
          {
            tabindex: '0',
            draggable: 'true',
            class: `rank-item${marks[item] ? ' suggested-option' : ''}`,
            'data-rank-item': item,
            'data-key': `${q.name}:${item}`,
            'aria-label': `${byValue[item]?.text || item}, rank ${i + 1} of ${order.length}. Up and down arrows move it.`,
            onkeydown: (/** @type {KeyboardEvent} */ ev) => {
              const delta = rankKeyDelta(ev.key, i);
              if (delta === null) return;
              ev.preventDefault();
              ev.stopPropagation();
              move(item, delta);
            },
            ondragstart: (/** @type {DragEvent} */ ev) => {
              dragged = item;
              if (ev.dataTransfer) ev.dataTransfer.setData('text/plain', item);
            },
            ondragover: (/** @type {DragEvent} */ ev) => ev.preventDefault(),
            ondrop: (/** @type {DragEvent} */ ev) => {
              ev.preventDefault();
              const from = dragged || (ev.dataTransfer ? ev.dataTransfer.getData('text/plain') : '');
              if (from && from !== item) move(from, dropDelta(order, from, i));
            },
          },
          h('span', { class: 'rank' }, String(i + 1)),
          byValue[item]?.text || item,
          suggestionMark(marks[item]),
        ),
      ),
    ),
    !isAnswered(q, value)
      ? h('button', { type: 'button', class: 'link', 'data-key': `${q.name}:keep`, onclick: () => move(order[0], 0) }, 'Keep this order')
      : null,
  );
}
