// The editor of label and multi-label questions: the options as radio or checkbox buttons with
// the digit that picks each, the suggestion's agent and score on each suggested option, a filter
// box when there are many, and "+N more" past `visible_options`.

import { h } from '../../../dom.js';
import { labelAnswer, optionKeys } from '../../../lib/answers.js';
import { visibleOptions } from '../../../lib/form.js';
import { optionMarks } from '../../../lib/suggestions.js';
import { suggestionMark } from './marks.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 * @param {import('../../../lib/form.js').Suggestion|undefined} suggestion
 */
export function labelsEditor(q, value, ctx, suggestion) {
  const multi = q.settings.type === 'multi_label_selection';
  const state = (ctx.views[q.name] ||= { filter: '', expanded: false });
  const { hidden } = visibleOptions(q, state.filter, state.expanded);
  const options = q.settings.options || [];
  const selected = multi ? new Set(value || []) : new Set(value ? [value] : []);
  const marks = optionMarks(q, suggestion);
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
      optionKeys(q, state).map(({ option, key }) =>
        h(
          'button',
          {
            type: 'button',
            class: `option${selected.has(option.value) ? ' selected' : ''}${marks[option.value] ? ' suggested-option' : ''}`,
            role: multi ? 'checkbox' : 'radio',
            'aria-checked': selected.has(option.value) ? 'true' : 'false',
            'aria-keyshortcuts': key || null,
            'data-option': option.value,
            'data-key': `${q.name}:${option.value}`,
            title: option.description || null,
            onclick: () => ctx.answer(q.name, labelAnswer(q, ctx.current(q.name), option.value, ctx.prefilled(q.name))),
          },
          key ? h('kbd', { class: 'key-hint' }, key) : null,
          option.text || option.value,
          suggestionMark(marks[option.value]),
        ),
      ),
      hidden
        ? h('button', { type: 'button', class: 'link more', onclick: () => { state.expanded = true; ctx.rerender(); } }, `+${hidden} more`)
        : null,
    ),
  );
}
