// Fields and questions: one form each, with every setting the API changes (titles, descriptions
// with room to read them, markdown, label texts, visible labels, label order mode, span overlap,
// a custom field's template) and, read-only with the reason, what it keeps fixed (names, types,
// required flags, rating and ranking options, option values, a span's field).

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { FIXED, fieldBody, questionBody, questionEditable } from '../../lib/settings-edit.js';
import { checkbox, control, fixed, idOf, settingsForm } from './form.js';

/** Title and description inputs of a field or question. @param {string} kind @param {any} item */
function titleAndDescription(kind, item) {
  const id = idOf(kind, item.name);
  const title = /** @type {HTMLInputElement} */ (h('input', { id: `${id}-title`, value: item.title, maxlength: '500', 'aria-label': `Title of ${kind} ${item.name}`, class: 'title-input' }));
  const description = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: `${id}-description`, rows: '3', maxlength: '1000', value: item.description || '', placeholder: 'Description (optional)', 'aria-label': `Description of ${kind} ${item.name}`, class: 'description-input' })
  );
  return { title, description, controls: [control('title', 'Title', title), control('description', 'Description (Ctrl+Enter saves)', description)] };
}

/** The heading of a field's or question's form. @param {any} item @param {string} type */
function heading(item, type) {
  return h('h3', { class: 'item-heading' }, h('code', null, item.name), ' ', h('span', { class: 'tag' }, type), item.required ? h('span', { class: 'tag' }, 'required') : null);
}

/** @param {any} field @param {HTMLElement} status */
export function fieldForm(field, status) {
  const s = field.settings;
  const id = idOf('field', field.name);
  const { title, description, controls } = titleAndDescription('field', field);
  const markdown = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: `${id}-markdown`, checked: s.use_markdown === true }));
  const template = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: `${id}-template`, rows: '6', value: s.template || '', class: 'code-input' }));
  const advanced = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: `${id}-advanced`, checked: s.advanced_mode === true }));
  return settingsForm({
    id,
    label: `field ${field.name}`,
    status,
    className: 'item-form',
    save: () => api.patch(`/api/v1/fields/${field.id}`, fieldBody(field, { title: title.value, description: description.value, useMarkdown: markdown.checked, template: template.value, advancedMode: advanced.checked })),
    children: [
      heading(field, s.type),
      controls,
      s.type === 'text' || s.type === 'chat' ? checkbox('use_markdown', markdown, 'Render as markdown') : null,
      s.type === 'custom' ? [control('template', 'Template (HTML with {{record…}} placeholders)', template), checkbox('advanced_mode', advanced, 'Advanced mode (the template runs as a script)')] : null,
      fixed('Name, type and required', `${field.name}, ${s.type}, ${field.required ? 'required' : 'optional'}`, FIXED.required),
    ],
  });
}

/**
 * The labels of a label, multi-label or span question: each one's text, and its place (moved with
 * the Up and Down buttons; values stay). `read()` gives them in the order shown.
 * @param {any} q @param {string} id
 */
function optionInputs(q, id) {
  const list = h('ol', { class: 'option-list' });
  /** @param {HTMLElement} li @param {number} step */
  const move = (li, step) => {
    const other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return;
    if (step < 0) other.before(li);
    else other.after(li);
    const button = li.querySelector(step < 0 ? '.move-up' : '.move-down');
    if (button instanceof HTMLElement) button.focus();
  };
  q.settings.options.forEach((/** @type {any} */ o, /** @type {number} */ i) => {
    const input = h('input', { id: `${id}-option-${i}`, value: o.text, 'aria-label': `Text of label ${o.value} of question ${q.name}`, class: 'option-text' });
    const li = h('li', { dataset: { value: o.value } }, h('code', null, o.value), input);
    li.append(
      h('button', { type: 'button', class: 'link move-up', 'aria-label': `Move label ${o.value} up`, onclick: () => move(li, -1) }, '↑'),
      h('button', { type: 'button', class: 'link move-down', 'aria-label': `Move label ${o.value} down`, onclick: () => move(li, 1) }, '↓'),
    );
    list.append(li);
  });
  const read = () =>
    [...list.children].map((li) => ({
      value: /** @type {HTMLElement} */ (li).dataset.value || '',
      text: /** @type {HTMLInputElement} */ (li.querySelector('.option-text')).value,
    }));
  const box = h('div', { class: 'control options', dataset: { key: 'options' } }, h('span', { class: 'label-like' }, 'Labels'), h('p', { class: 'hint muted' }, FIXED.optionValues), list);
  return { read, box };
}

/** @param {any} q @param {HTMLElement} status */
export function questionForm(q, status) {
  const s = q.settings;
  const can = questionEditable(q);
  const id = idOf('question', q.name);
  const { title, description, controls } = titleAndDescription('question', q);
  const markdown = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: `${id}-markdown`, checked: s.use_markdown === true }));
  const options = can.optionTexts ? optionInputs(q, id) : null;
  const visible = /** @type {HTMLInputElement} */ (
    h('input', { type: 'number', id: `${id}-visible`, min: '3', max: String(s.options ? s.options.length : 0), value: s.visible_options == null ? '' : String(s.visible_options), placeholder: 'all' })
  );
  const order = /** @type {HTMLSelectElement} */ (
    h('select', { id: `${id}-order` }, h('option', { value: 'natural' }, 'as listed'), h('option', { value: 'suggestion' }, 'suggested first'))
  );
  order.value = s.options_order || 'natural';
  const overlap = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: `${id}-overlap`, checked: s.allow_overlapping === true, disabled: can.allowOverlapping === 'fixed-on' }));
  return settingsForm({
    id,
    label: `question ${q.name}`,
    status,
    className: 'item-form',
    save: () =>
      api.patch(
        `/api/v1/questions/${q.id}`,
        questionBody(q, {
          title: title.value,
          description: description.value,
          useMarkdown: markdown.checked,
          options: options ? options.read() : undefined,
          visibleOptions: visible.value,
          optionsOrder: order.value,
          allowOverlapping: overlap.checked,
        }),
      ),
    children: [
      heading(q, s.type),
      controls,
      can.useMarkdown ? checkbox('use_markdown', markdown, 'Answers are markdown (rendered for readers)') : null,
      options ? options.box : null,
      can.visibleOptions ? control('visible_options', `Labels shown before "more" (3 to ${s.options.length}; empty: all)`, visible) : null,
      can.optionTexts && !can.visibleOptions ? fixed('Visible labels', 'all', FIXED.fewOptions) : null,
      can.optionsOrder ? control('options_order', 'Label order', order) : null,
      s.type === 'span' ? fixed('Marks the field', s.field, FIXED.spanField) : null,
      can.allowOverlapping ? checkbox('allow_overlapping', overlap, 'Spans may overlap', can.allowOverlapping === 'fixed-on' ? FIXED.overlapOn : undefined) : null,
      can.fixedOptions
        ? fixed('Options', s.options.map((/** @type {any} */ o) => (o.text ? `${o.text} (${o.value})` : String(o.value))).join(', '), can.fixedOptions)
        : null,
      fixed('Name, type and required', `${q.name}, ${s.type}, ${q.required ? 'required' : 'optional'}`, FIXED.required),
    ],
  });
}
