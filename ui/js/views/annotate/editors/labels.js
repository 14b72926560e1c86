// The editor of label and multi-label questions: the options as radio or checkbox buttons with
// their number keys, a filter box when there are many, and "+N more" past `visible_options`.

import { h } from '../../../dom.js';
import { labelAnswer } from '../../../lib/answers.js';
import { visibleOptions } from '../../../lib/form.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 */
export function labelsEditor(q, value, ctx) {
  const multi = q.settings.type === 'multi_label_selection';
  const state = (ctx.views[q.name] ||= { filter: '', expanded: false });
  const { shown, hidden } = visibleOptions(q, state.filter, state.expanded);
  const options = q.settings.options || [];
  const selected = multi ? new Set(value || []) : new Set(value ? [value] : []);
  const many = options.length > 5 || !!q.settings.visible_options;
  return h(
    'div',
    { class: 'labels' },
    many
      ? h('input', {
          type: 'search',
          class: 'filter',
          placeholder: 'Filter labels',
          'aria-label': `Filter labels of ${q.title}`,
          value: state.filter,
          'data-key': `${q.name}:filter`,
          oninput: (/** @type {Event} */ ev) => {
            state.filter = /** @type {HTMLInputElement} */ (ev.target).value;
            ctx.rerender();
          },
        })
      : null,
    h(
      'div',
      { class: 'options', role: multi ? 'group' : 'radiogroup', 'aria-labelledby': `q-${q.name}` },
      shown.map((opt, i) =>
        h(
          'button',
          {
            type: 'button',
            class: `option${selected.has(opt.value) ? ' selected' : ''}`,
            role: multi ? 'checkbox' : 'radio',
            'aria-checked': selected.has(opt.value) ? 'true' : 'false',
            'data-option': opt.value,
            'data-key': `${q.name}:${opt.value}`,
            title: opt.description || null,
            onclick: () => pickLabel(q, opt.value, ctx),
          },
          i < 9 ? h('kbd', null, String(i + 1)) : null,
          opt.text || opt.value,
        ),
      ),
      hidden
        ? h('button', { type: 'button', class: 'link more', onclick: () => { state.expanded = true; ctx.rerender(); } }, `+${hidden} more`)
        : null,
    ),
  );
}

/**
 * Picks (or toggles) `option` on label question `q`, by click or number key.
 * @param {import('../../../lib/form.js').Question} q @param {string} option
 * @param {Pick<import('./context.js').EditorContext, 'current'|'answer'>} ctx
 */
export function pickLabel(q, option, ctx) {
  ctx.answer(q.name, labelAnswer(q, ctx.current(q.name), option));
}
