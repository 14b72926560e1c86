// The editor of text questions: a text area (typing never re-renders the form, so the caret
// stays), for markdown questions a preview rendered by the server, toggled, and the suggested
// text with its agent and score, folded while the answer still is that text.

import { h, replace, trustedHtml } from '../../../dom.js';
import { suggestionBlock } from './marks.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 * @param {import('../../../lib/form.js').Suggestion|undefined} suggestion
 */
export function textEditor(q, value, ctx, suggestion) {
  const state = (ctx.views[q.name] ||= { filter: '', expanded: false });
  const area = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      rows: '4',
      'aria-labelledby': `q-${q.name}`,
      'data-key': `${q.name}:text`,
      value: value || '',
      oninput: (/** @type {Event} */ ev) => ctx.typed(q, /** @type {HTMLTextAreaElement} */ (ev.target).value, area),
    })
  );
  const suggested = suggestion && typeof suggestion.value === 'string'
    ? suggestionBlock(suggestion, suggestion.value !== (value || ''), h('div', { class: 'sugg-text' }, suggestion.value))
    : null;
  if (!q.settings.use_markdown) return suggested ? h('div', { class: 'text-q' }, area, suggested) : area;
  const preview = h('div', { class: 'markdown preview', hidden: !state.expanded });
  const toggle = h('button', {
    type: 'button',
    class: 'link',
    'aria-pressed': state.expanded ? 'true' : 'false',
    onclick: async () => {
      state.expanded = !state.expanded;
      ctx.rerender();
    },
  }, state.expanded ? 'Hide preview' : 'Preview markdown');
  if (state.expanded && area.value) {
    void ctx.markdown(area.value).then((html) => replace(preview, trustedHtml('div', 'md', html)));
  }
  return h('div', { class: 'text-md' }, area, toggle, preview, suggested);
}
