// The annotation view's filters: the chips that show the filters in force (each one removable,
// and "Clear all"), and the panel that edits them: metadata terms (the declared values, or the
// terms the property's metrics count when none are declared), numeric ranges of integer and
// float metadata (their bounds from the metrics), and per question the suggested value, the
// suggestion's agent and score, and the caller's answer. The panel applies on "Apply" (or Enter),
// closes on Escape, and returns focus to the button that opened it. The rules are in
// lib/filters.js.

import { h, replace } from '../../dom.js';
import { describe, setFilter, VALUE_TYPES } from '../../lib/filters.js';

/** @typedef {import('../../lib/filters.js').Filter} Filter */
/** @typedef {import('../../lib/filters.js').FilterSchema} FilterSchema */

/**
 * What the panel reads from the server, each asked for once when the panel first opens.
 * @typedef {object} FilterSources
 * @property {(name: string) => Promise<any>} metrics a metadata property's metrics (`{type, values|min/max}`)
 * @property {() => Promise<Record<string, string[]>>} agents the suggestion agents per question name
 */

/**
 * Shows the filters in force as chips; a chip's button removes its filter.
 * @param {HTMLElement} el @param {Filter[]} filters @param {FilterSchema} schema
 * @param {(filters: Filter[]) => void} apply
 */
export function renderChips(el, filters, schema, apply) {
  el.hidden = filters.length === 0;
  replace(
    el,
    filters.map((f, i) => {
      const label = describe(f, schema);
      return h(
        'button',
        { type: 'button', class: 'chip', 'data-chip': `${f.kind}.${f.name}`, 'aria-label': `Remove filter ${label}`, title: 'Remove this filter', onclick: () => apply(filters.filter((_, k) => k !== i)) },
        label,
        h('span', { class: 'x', 'aria-hidden': 'true' }, ' ×'),
      );
    }),
    filters.length > 1 ? h('button', { type: 'button', class: 'link', id: 'clear-filters', onclick: () => apply([]) }, 'Clear all') : null,
  );
}

/**
 * The panel, opened into `host`.
 * @param {HTMLElement} host
 * @param {{schema: FilterSchema, filters: Filter[], sources: FilterSources,
 *   apply: (filters: Filter[]) => void, close: () => void}} at
 */
export function openPanel(host, { schema, filters, sources, apply, close }) {
  const groups = [
    ...schema.metadata.map((m) => metadataGroup(m, filters, sources)),
    ...schema.questions.map((q) => questionGroup(q, filters, sources)),
  ];
  /** @type {HTMLFormElement} */
  const form = /** @type {any} */ (h(
    'form',
    {
      class: 'filter-form',
      onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        apply(read(form, filters));
      },
      onkeydown: (/** @type {KeyboardEvent} */ ev) => {
        // Enter applies from a checkbox too (a form submits on Enter only from text inputs);
        // buttons and summaries keep it.
        const onCheckbox = ev.target instanceof HTMLInputElement && ev.target.type === 'checkbox';
        if (ev.key === 'Enter' && onCheckbox) {
          ev.preventDefault();
          form.requestSubmit();
        } else if (ev.key === 'Escape') {
          ev.preventDefault();
          close();
        }
        // The panel's keys are its own: arrows move in it, not to another record.
        ev.stopPropagation();
      },
    },
    h('h2', { id: 'filters-title' }, 'Filters'),
    groups.length ? h('div', { class: 'filter-groups' }, groups) : h('p', { class: 'muted' }, 'Nothing to filter by in this dataset.'),
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'apply-filters' }, 'Apply'),
      h('button', { type: 'button', id: 'reset-filters', onclick: () => apply([]) }, 'Clear all'),
      h('button', { type: 'button', id: 'close-filters', onclick: () => close() }, 'Close (Esc)'),
    ),
  ));
  form.setAttribute('aria-labelledby', 'filters-title');
  // Focus on the panel itself: the next Tab reaches its first control, whichever arrives first
  // (terms come with their metrics).
  form.setAttribute('tabindex', '-1');
  replace(host, form);
  host.hidden = false;
  form.focus();
}

/** @param {Filter[]} filters @param {string} kind @param {string} name */
const current = (filters, kind, name) => filters.find((f) => f.kind === kind && f.name === name);

/**
 * A group of checkboxes, one per choice, for the terms filter `kind`.`name`.
 * @param {string} kind @param {string} name @param {string} legend
 * @param {{value: string, label: string}[]} choices @param {Filter[]} filters
 */
function checkboxes(kind, name, legend, choices, filters) {
  const f = current(filters, kind, name);
  const on = new Set(f && 'values' in f ? f.values : []);
  // Values the URL holds that are not among the choices (yet) stay visible and checked.
  const extra = [...on].filter((v) => !choices.some((c) => c.value === v)).map((v) => ({ value: v, label: v }));
  return h(
    'fieldset',
    { class: 'terms', 'data-filter': `${kind}.${name}` },
    h('legend', null, legend),
    [...choices, ...extra].map((c) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', value: c.value, checked: on.has(c.value) }), ` ${c.label}`),
    ),
  );
}

/**
 * Two number inputs (from, to) for the range filter `kind`.`name`.
 * @param {string} kind @param {string} name @param {string} legend @param {Filter[]} filters
 * @param {{min?: number|null, max?: number|null, step?: string}} hints
 */
function range(kind, name, legend, filters, hints) {
  const f = current(filters, kind, name);
  const ge = f && 'ge' in f ? f.ge : null;
  const le = f && 'le' in f ? f.le : null;
  const input = (/** @type {string} */ side, /** @type {number|null} */ value, /** @type {number|null|undefined} */ hint) =>
    h('input', { type: 'number', step: hints.step || 'any', 'data-side': side, 'aria-label': `${legend} ${side}`, value: value ?? '', placeholder: hint ?? '' });
  return h(
    'fieldset',
    { class: 'range', 'data-filter': `${kind}.${name}` },
    h('legend', null, legend),
    h('span', { class: 'range-inputs' }, input('from', ge, hints.min), h('span', { 'aria-hidden': 'true' }, '–'), input('to', le, hints.max)),
  );
}

/** A metadata property's group; its choices or bounds arrive with its metrics. @param {import('../../lib/filters.js').MetaInfo} m @param {Filter[]} filters @param {FilterSources} sources */
function metadataGroup(m, filters, sources) {
  if (m.type === 'terms') {
    const declared = m.values;
    const box = h('div', { class: 'filter-group', 'data-meta': m.name }, checkboxes('meta', m.name, m.title, (declared || []).map((v) => ({ value: v, label: v })), filters));
    void sources
      .metrics(m.name)
      .then((metrics) => {
        const counts = new Map((metrics.values || []).map((/** @type {any} */ it) => [String(it.term), it.count]));
        const values = declared || [...counts.keys()];
        const choices = values.map((v) => ({ value: v, label: counts.has(v) ? `${v} (${counts.get(v)})` : v }));
        swap(box, checkboxes('meta', m.name, m.title, choices, readTerms(box, filters, 'meta', m.name)));
      })
      .catch(() => {});
    return box;
  }
  const step = m.type === 'integer' ? '1' : 'any';
  const box = h('div', { class: 'filter-group', 'data-meta': m.name }, range('range', m.name, m.title, filters, { step }));
  void sources
    .metrics(m.name)
    .then((metrics) => swap(box, range('range', m.name, m.title, readRange(box, filters, 'range', m.name), { min: metrics.min, max: metrics.max, step })))
    .catch(() => {});
  return box;
}

/** A question's group: suggested value, agent, score, and the caller's answer. @param {import('../../lib/filters.js').QuestionInfo} q @param {Filter[]} filters @param {FilterSources} sources */
function questionGroup(q, filters, sources) {
  const options = q.options.map((o) => ({ value: String(o.value), label: o.text }));
  const valued = VALUE_TYPES.includes(q.type);
  const active = filters.some((f) => f.name === q.name && ['suggestion', 'agent', 'score', 'response'].includes(f.kind));
  const agents = h('div', { class: 'agents' });
  const details = h(
    'details',
    { class: 'filter-group question-filters', 'data-filter-question': q.name, open: active },
    h('summary', null, q.title),
    valued ? checkboxes('suggestion', q.name, 'Suggested value', options, filters) : null,
    agents,
    range('score', q.name, 'Suggestion score', filters, { min: 0, max: 1 }),
    valued ? checkboxes('response', q.name, 'My answer', options, filters) : null,
  );
  void sources
    .agents()
    .then((byQuestion) => {
      const names = byQuestion[q.name] || [];
      const f = current(filters, 'agent', q.name);
      if (names.length || f) replace(agents, checkboxes('agent', q.name, 'Suggested by', names.map((a) => ({ value: a, label: a })), readTerms(details, filters, 'agent', q.name)));
    })
    .catch(() => {});
  return details;
}

/** Replaces the fieldset in `box`, keeping focus on the control that had it (by its value). @param {HTMLElement} box @param {HTMLElement} fieldset */
function swap(box, fieldset) {
  const old = box.querySelector('fieldset');
  const focused = old && old.contains(document.activeElement) ? /** @type {HTMLInputElement} */ (document.activeElement) : null;
  if (old) old.replaceWith(fieldset);
  else box.append(fieldset);
  if (focused) {
    const again = [...fieldset.querySelectorAll('input')].find((it) => it.value === focused.value && it.dataset.side === focused.dataset.side);
    if (again) again.focus();
  }
}

/** `filters` with the terms filter `kind`.`name` as checked in `box` now (ticks made before its choices arrived). @param {HTMLElement} box @param {Filter[]} filters @param {string} kind @param {string} name */
function readTerms(box, filters, kind, name) {
  const fs = box.querySelector(`fieldset[data-filter="${CSS.escape(`${kind}.${name}`)}"]`);
  if (!(fs instanceof HTMLElement)) return filters;
  return setFilter(filters, termsOf(fs, /** @type {any} */ (kind), name));
}

/** `filters` with the range filter `kind`.`name` as typed in `box` now. @param {HTMLElement} box @param {Filter[]} filters @param {string} kind @param {string} name */
function readRange(box, filters, kind, name) {
  const fs = box.querySelector(`fieldset[data-filter="${CSS.escape(`${kind}.${name}`)}"]`);
  if (!(fs instanceof HTMLElement)) return filters;
  return setFilter(filters, rangeOf(fs, /** @type {any} */ (kind), name));
}

/** @param {HTMLElement} fs @param {import('../../lib/filters.js').TermsKind} kind @param {string} name @returns {Filter} */
function termsOf(fs, kind, name) {
  const values = [...fs.querySelectorAll('input[type=checkbox]')].filter((it) => /** @type {HTMLInputElement} */ (it).checked).map((it) => /** @type {HTMLInputElement} */ (it).value);
  return { kind, name, values };
}

/** @param {HTMLElement} fs @param {import('../../lib/filters.js').RangeKind} kind @param {string} name @returns {Filter} */
function rangeOf(fs, kind, name) {
  const side = (/** @type {string} */ s) => {
    const input = /** @type {HTMLInputElement|null} */ (fs.querySelector(`input[data-side="${s}"]`));
    const n = input && input.value.trim() !== '' ? Number(input.value) : NaN;
    return Number.isFinite(n) ? n : null;
  };
  let ge = side('from');
  let le = side('to');
  // From and to the wrong way round: the range meant is the same.
  if (ge !== null && le !== null && ge > le) [ge, le] = [le, ge];
  return { kind, name, ge, le };
}

/**
 * The filters as the form says them: every group's fieldset read in turn, in the order of the
 * filters before (those changed keep their place; new ones come last).
 * @param {HTMLElement} form @param {Filter[]} before
 */
function read(form, before) {
  let res = before;
  for (const fs of form.querySelectorAll('fieldset[data-filter]')) {
    const el = /** @type {HTMLElement} */ (fs);
    const key = el.dataset.filter || '';
    const dot = key.indexOf('.');
    const kind = key.slice(0, dot);
    const name = key.slice(dot + 1);
    res = setFilter(res, el.classList.contains('range') ? rangeOf(el, /** @type {any} */ (kind), name) : termsOf(el, /** @type {any} */ (kind), name));
  }
  return res;
}
