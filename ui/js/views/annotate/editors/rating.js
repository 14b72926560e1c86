// The editor of rating questions: one radio button per value, showing the digit that picks it
// (the value itself, 0–9) and, on the suggested value, the suggestion's agent and score.
// Clicking the chosen value clears it; clicking a suggested one confirms it.

import { h } from '../../../dom.js';
import { optionKeys, ratingAnswer } from '../../../lib/answers.js';
import { optionMarks } from '../../../lib/suggestions.js';
import { suggestionMark } from './marks.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 * @param {import('../../../lib/form.js').Suggestion|undefined} suggestion
 */
export function ratingEditor(q, value, ctx, suggestion) {
  const marks = optionMarks(q, suggestion);
  return h(
    'div',
    { class: 'options rating', role: 'radiogroup', 'aria-labelledby': `q-${q.name}` },
    optionKeys(q, undefined).map(({ option, key }) => {
      const mark = marks[String(option.value)];
      return h(
        'button',
        {
          type: 'button',
          class: `option${value === option.value ? ' selected' : ''}${mark ? ' suggested-option' : ''}`,
          role: 'radio',
          'aria-checked': value === option.value ? 'true' : 'false',
          'aria-keyshortcuts': key || null,
          'data-option': String(option.value),
          'data-key': `${q.name}:${option.value}`,
          onclick: () => ctx.answer(q.name, ratingAnswer(value, option.value, ctx.prefilled(q.name))),
        },
        // The value is its own key: shown as a key cap when a digit picks it.
        key ? h('kbd', { class: 'key-hint' }, key) : String(option.value),
        suggestionMark(mark),
      );
    }),
  );
}
