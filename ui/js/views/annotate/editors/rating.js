// The editor of rating questions: one radio button per value; clicking the chosen one clears it.

import { h } from '../../../dom.js';
import { ratingAnswer } from '../../../lib/answers.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 */
export function ratingEditor(q, value, ctx) {
  return h(
    'div',
    { class: 'options rating', role: 'radiogroup', 'aria-labelledby': `q-${q.name}` },
    (q.settings.options || []).map((opt) =>
      h(
        'button',
        {
          type: 'button',
          class: `option${value === opt.value ? ' selected' : ''}`,
          role: 'radio',
          'aria-checked': value === opt.value ? 'true' : 'false',
          'data-option': String(opt.value),
          'data-key': `${q.name}:${opt.value}`,
          onclick: () => ctx.answer(q.name, ratingAnswer(value, opt.value)),
        },
        String(opt.value),
      ),
    ),
  );
}
