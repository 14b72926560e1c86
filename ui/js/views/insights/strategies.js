// The Insights view's consolidation: per question its effective strategy (the default marked), a
// small form to change it (the kinds and inputs of lib/strategy.js) saved with
// `PUT /api/v1/datasets/{id}/consolidation`, the server's 422 `detail` shown when it refuses, and a
// preview of the consolidated values of the first records.

import * as api from '../../api.js';
import { h, replace } from '../../dom.js';
import { applies, describe, finalText, fromForm, KIND_LABELS, kindsOf, paramsOf, toForm } from '../../lib/strategy.js';
import { recordHref } from './disagreed.js';
import { figure, scroller } from './agreement.js';

const PREVIEW = 10;

/**
 * @param {string} datasetId
 * @param {any} consolidation the reply of `GET /api/v1/datasets/{id}/consolidation`
 * @param {string[]} annotators usernames, offered as a hint for the by-annotator kinds
 */
export function renderStrategies(datasetId, consolidation, annotators) {
  /** @type {any[]} */
  const questions = consolidation.questions;
  const ratingQuestions = questions.filter((q) => q.type === 'rating').map((q) => q.name);
  const preview = h('div', { id: 'consolidation-preview' });
  const refreshPreview = () => void renderPreview(datasetId, questions, preview);

  const rows = questions.map((q) => strategyRow(datasetId, q, { ratingQuestions, annotators, saved: refreshPreview }));
  refreshPreview();
  return h(
    'section',
    { id: 'strategies', 'aria-labelledby': 'strategies-title' },
    h('h2', { id: 'strategies-title' }, 'Consolidation'),
    h('p', { class: 'muted' }, 'How the submitted answers of each record become one value per question, for the exports.'),
    h('div', { class: 'strategies' }, rows),
    h('div', { class: 'card' }, h('h3', null, 'Preview: the first records consolidated'), preview),
  );
}

/**
 * One question's strategy: what is in force, and a form to change it.
 * @param {string} datasetId @param {any} q
 * @param {{ratingQuestions: string[], annotators: string[], saved: () => void}} ctx
 */
function strategyRow(datasetId, q, ctx) {
  const base = `strategy-${q.name}`;
  let current = q;
  const effective = h('p', { class: 'effective', id: `${base}-effective` });
  const status = h('p', { class: 'save-status', id: `${base}-status`, role: 'status', 'aria-live': 'polite' });
  const params = h('div', { class: 'params' });
  const kinds = kindsOf(q.type);
  const kindSelect = /** @type {HTMLSelectElement} */ (h('select', { id: `${base}-kind`, class: 'kind' }, kinds.map((k) => h('option', { value: k }, KIND_LABELS[k] || k))));
  /** @type {Record<string, HTMLInputElement|HTMLSelectElement>} */
  let inputs = {};
  const resetBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'reset', id: `${base}-reset` }, 'Use the default'));

  const showEffective = () => {
    replace(effective, 'In force: ', h('strong', null, describe(current.strategy)), current.default ? h('span', { class: 'tag default-tag' }, 'default') : null);
    resetBtn.hidden = !!current.default;
  };

  /** @param {string} kind @param {any} strategy */
  const showParams = (kind, strategy) => {
    const form = toForm(q.type, strategy && strategy.kind === kind ? strategy : { kind });
    inputs = {};
    /** Inputs that count only with another's value (a seed with a random tie-break), shown then only. */
    /** @type {(() => void)[]} */
    const toggles = [];
    replace(
      params,
      paramsOf(q.type, kind).map((p) => {
        const id = `${base}-${p.name}`;
        /** @type {HTMLInputElement|HTMLSelectElement} */
        let input;
        if (p.input === 'select' || p.input === 'question') {
          const options = p.input === 'question' ? ctx.ratingQuestions : /** @type {string[]} */ (p.options);
          input = /** @type {HTMLSelectElement} */ (
            h('select', { id, 'data-param': p.name }, p.optional ? h('option', { value: '' }, '(none)') : null, options.map((o) => h('option', { value: o }, o.replaceAll('_', ' '))))
          );
        } else {
          input = /** @type {HTMLInputElement} */ (
            h('input', { id, 'data-param': p.name, type: 'text', inputmode: p.input === 'number' || p.input === 'integer' ? 'decimal' : null, autocomplete: 'off' })
          );
        }
        input.value = form.values[p.name] ?? '';
        inputs[p.name] = input;
        const hint = (p.input === 'list' || p.input === 'weights') && ctx.annotators.length ? h('span', { class: 'hint muted' }, `Annotators: ${ctx.annotators.join(', ')}`) : null;
        const row = h('div', { class: 'param' }, h('label', { for: id }, p.label), input, hint);
        if (p.when) {
          const values = () => Object.fromEntries(Object.entries(inputs).map(([k, it]) => [k, it.value]));
          toggles.push(() => {
            row.hidden = !applies(p, values());
          });
        }
        return row;
      }),
    );
    const toggle = () => toggles.forEach((it) => it());
    for (const input of Object.values(inputs)) input.addEventListener('change', toggle);
    toggle();
  };

  /** @param {any} body */
  const put = async (body) => {
    status.className = 'save-status';
    status.textContent = 'Saving…';
    try {
      const res = await api.put(`/api/v1/datasets/${datasetId}/consolidation`, body);
      const mine = (res.questions || []).find((/** @type {any} */ it) => it.name === q.name);
      if (mine) current = mine;
      showEffective();
      kindSelect.value = current.strategy?.kind || kinds[0];
      showParams(kindSelect.value, current.strategy);
      status.textContent = 'Saved';
      status.className = 'save-status saved';
      ctx.saved();
    } catch (err) {
      // The server's words: what it refused and why.
      status.textContent = `Not saved: ${err instanceof Error ? err.message : err}`;
      status.className = 'save-status error strategy-error';
    }
  };

  kindSelect.addEventListener('change', () => showParams(kindSelect.value, current.strategy));
  resetBtn.addEventListener('click', () => void put({ questions: { [q.name]: null } }));
  const form = h(
    'form',
    {
      class: 'strategy-form',
      onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        /** @type {Record<string, string>} */
        const values = {};
        for (const [name, input] of Object.entries(inputs)) values[name] = input.value;
        const read = fromForm(q.type, kindSelect.value, values);
        if (read.error !== undefined) {
          status.textContent = `Not saved: ${read.error}`;
          status.className = 'save-status error strategy-error';
          return;
        }
        void put({ questions: { [q.name]: read.strategy } });
      },
    },
    h('label', { for: `${base}-kind` }, 'Strategy'),
    kindSelect,
    params,
    h('div', { class: 'strategy-actions' }, h('button', { type: 'submit', class: 'primary save', id: `${base}-save` }, 'Save'), resetBtn),
  );
  showEffective();
  kindSelect.value = current.strategy?.kind && kinds.includes(current.strategy.kind) ? current.strategy.kind : kinds[0] || '';
  showParams(kindSelect.value, current.strategy);
  return h(
    'article',
    { class: 'card strategy', 'data-question': q.name, 'aria-labelledby': `${base}-title` },
    h('h3', { id: `${base}-title` }, q.name, ' ', h('span', { class: 'muted' }, `(${String(q.type).replaceAll('_', ' ')})`)),
    effective,
    kinds.length ? form : h('p', { class: 'muted' }, 'No strategy for this question type.'),
    status,
  );
}

/** @param {string} datasetId @param {any[]} questions @param {HTMLElement} el */
async function renderPreview(datasetId, questions, el) {
  try {
    const res = await api.get(`/api/v1/datasets/${datasetId}/consolidation/records?limit=${PREVIEW}&offset=0`);
    if (!res.items.length) {
      replace(el, h('p', { class: 'muted' }, 'No records yet.'));
      return;
    }
    replace(
      el,
      scroller(
        'Consolidated values',
        h(
          'table',
          { class: 'preview-table' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Record'), h('th', { scope: 'col' }, 'Submitted'), questions.map((q) => h('th', { scope: 'col' }, q.name)))),
          h(
            'tbody',
            null,
            res.items.map((/** @type {any} */ r) =>
              h(
                'tr',
                { 'data-record': r.record_id },
                h('td', null, h('a', { href: recordHref(datasetId, r.record_id) }, r.external_id || r.record_id)),
                h('td', null, String(r.submitted), r.complete === false ? h('span', { class: 'reason' }, ' below the minimum') : null),
                questions.map((q) => {
                  const f = finalText(r.finals ? r.finals[q.name] : null);
                  return h('td', { 'data-question': q.name, 'data-status': f.status }, figure(f));
                }),
              ),
            ),
          ),
        ),
      ),
      res.total > res.items.length ? h('p', { class: 'muted' }, `The first ${res.items.length} of ${res.total} records.`) : null,
    );
  } catch (err) {
    replace(el, h('p', { class: 'error' }, `Could not load the preview: ${err instanceof Error ? err.message : err}`));
  }
}
