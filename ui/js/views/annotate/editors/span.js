// The editor of span questions: the field's text in a text area the keyboard can select in
// (Shift and the arrows), a button per label that labels the selection there or the text last
// selected with the mouse in the field, and the spans so far, each removable and marked when a
// suggestion holds it; the suggested spans themselves, with agent and score, stay listed.

import { h } from '../../../dom.js';
import { optionKeys, spanRange, withoutSpan } from '../../../lib/answers.js';
import { addSpan, spanText } from '../../../lib/form.js';
import { spanMarks } from '../../../lib/suggestions.js';
import { suggestionBlock, suggestionMark } from './marks.js';
import { spanColorClass, spanLabelClass } from '../../../lib/span-colors.js';

/**
 * @param {import('../../../lib/form.js').Question} q @param {any} value
 * @param {import('./context.js').EditorContext} ctx
 * @param {import('../../../lib/form.js').Suggestion|undefined} suggestion
 */
export function spanEditor(q, value, ctx, suggestion) {
  const fieldName = q.settings.field || '';
  const text = String(ctx.record.fields[fieldName] ?? '');
  const spans = /** @type {import('../../../lib/form.js').Span[]} */ (value || []);
  const source = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      class: 'span-source',
      rows: '4',
      'aria-readonly': 'true',
      'aria-label': `Text of ${fieldName}: select a part with Shift and the arrows, then pick a label`,
      'data-key': `${q.name}:source`,
      'data-span-source': 'true',
      value: text,
      // Not `readonly`: browsers give a read-only text area no caret, so no keyboard selection.
      // Edits are refused instead.
      onbeforeinput: (/** @type {Event} */ ev) => ev.preventDefault(),
    })
  );
  /** @param {string} label */
  const addLabel = (label) => {
    const { start, end } = spanRange(text, source.selectionStart, source.selectionEnd, ctx.takeFieldSelection(), fieldName);
    if (end <= start) {
      ctx.say('Select some text first (in the field, or with Shift and the arrows in the text box), then pick a label.');
      return;
    }
    const next = addSpan(ctx.current(q.name), { label, start, end }, !!q.settings.allow_overlapping);
    if (!next) {
      ctx.say('That span overlaps another one; this question does not allow overlapping spans.');
      return;
    }
    ctx.answer(q.name, next);
  };
  const suggested = spanMarks(suggestion, spans);
  /** @param {import('../../../lib/form.js').Span} s */
  const markOf = (s) => suggested.find((it) => it.label === s.label && it.start === s.start && it.end === s.end)?.mark;
  return h(
    'div',
    { class: 'span-q' },
    source,
    h(
      'div',
      { class: 'options', role: 'group', 'aria-label': 'Span labels' },
      optionKeys(q, undefined).map(({ option, key }, i) =>
        h(
          'button',
          { type: 'button', class: `option ${spanColorClass(i)}`, 'aria-keyshortcuts': key || null, 'data-option': option.value, 'data-key': `${q.name}:${option.value}`, onclick: () => addLabel(option.value) },
          key ? h('kbd', { class: 'key-hint' }, key) : null,
          option.text || option.value,
        ),
      ),
    ),
    h(
      'ul',
      { class: 'spans' },
      spans.map((s, i) =>
        h(
          'li',
          null,
          h('span', { class: `span-label ${spanLabelClass([q], s.label)}` }, s.label),
          ` “${spanText(text, s)}” `,
          suggestionMark(markOf(s)),
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'aria-label': `Remove ${s.label} span ${spanText(text, s)}`,
              onclick: () => ctx.answer(q.name, withoutSpan(spans, i)),
            },
            'remove',
          ),
        ),
      ),
    ),
    suggestion && suggested.length
      ? suggestionBlock(
          suggestion,
          suggested.some((it) => !it.kept),
          h('ul', { class: 'sugg-spans' }, suggested.map((it) => h('li', { class: it.kept ? 'kept' : null }, h('span', { class: 'span-label' }, it.label), ` “${spanText(text, it)}” `, h('span', { class: 'muted' }, it.kept ? `${it.mark} · in your answer` : it.mark)))),
        )
      : null,
  );
}
