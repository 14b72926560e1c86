// The Insights view's most-disagreed records: per question (picked in a select), the records with
// the highest disagreement score, each linking into the annotation view on that record
// (`/datasets/{id}/annotate?record={record_id}`), a page at a time.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { formatValue } from '../../lib/metrics.js';

const PAGE = 10;

/** The annotation view's address of one record. @param {string} datasetId @param {string} recordId */
export function recordHref(datasetId, recordId) {
  return `/datasets/${datasetId}/annotate?record=${encodeURIComponent(recordId)}`;
}

/**
 * @param {string} datasetId
 * @param {{name: string, title?: string}[]} questions the questions with agreement figures
 */
export function renderDisagreed(datasetId, questions) {
  const list = h('ol', { class: 'disagreed-list', id: 'disagreed-list' });
  const note = h('p', { class: 'muted', id: 'disagreed-note', role: 'status', 'aria-live': 'polite' });
  const more = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', id: 'disagreed-more', hidden: true }, 'Show more'));
  const select = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'disagreed-question' }, questions.map((q) => h('option', { value: q.name }, q.title ? `${q.title} (${q.name})` : q.name)))
  );
  let offset = 0;
  let asked = 0;

  /** @param {boolean} fresh */
  async function load(fresh) {
    const question = select.value;
    if (!question) return;
    if (fresh) {
      offset = 0;
      list.replaceChildren();
    }
    const ticket = ++asked;
    note.textContent = 'Loading…';
    try {
      const res = await api.get(`/api/v1/datasets/${datasetId}/agreement/records?question=${encodeURIComponent(question)}&limit=${PAGE}&offset=${offset}`);
      if (ticket !== asked) return;
      for (const it of res.items) {
        const score = formatValue(it.disagreement, null);
        list.append(
          h(
            'li',
            { 'data-record': it.record_id },
            h('a', { href: recordHref(datasetId, it.record_id) }, it.external_id || it.record_id),
            ' ',
            h('span', { class: 'score' }, `disagreement ${score.text}`),
            h('span', { class: 'muted' }, `, ${it.submitted} submitted`),
          ),
        );
      }
      offset += res.items.length;
      more.hidden = offset >= res.total;
      note.textContent = res.total ? `${Math.min(offset, res.total)} of ${res.total} records with answers to ${question}, most disagreed first` : `No record has answers to ${question} yet.`;
    } catch (err) {
      if (ticket !== asked) return;
      note.textContent = `Could not load: ${err instanceof Error ? err.message : err}`;
    }
  }

  select.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
  const section = h(
    'section',
    { id: 'disagreed', 'aria-labelledby': 'disagreed-title', class: 'card' },
    h('h2', { id: 'disagreed-title' }, 'Most disagreed records'),
    questions.length
      ? [h('label', { for: 'disagreed-question' }, 'Question'), select, note, list, more]
      : h('p', { class: 'muted' }, 'No question to compare answers on.'),
  );
  if (questions.length) void load(true);
  return section;
}

