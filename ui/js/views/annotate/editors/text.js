// The editor of text questions: a text area (typing never re-renders the form, so the caret
// stays), and for markdown questions a preview rendered by the server, toggled.

import { h, replace, trustedHtml } from '../../../dom.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 */
export function textEditor(q, value, ctx) {
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
  if (!q.settings.use_markdown) return area;
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
  return h('div', { class: 'text-md' }, area, toggle, preview);
}
