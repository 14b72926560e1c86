// The Insights view's agreement section: the dataset's counts and annotators, how many submitted
// answers records have, and per question its metrics (an undefined value shows the server's
// reason), Cohen's κ per annotator pair, each annotator's and each suggestion agent's agreement
// with the others, and the spread of per-record disagreement.

import { h } from '../../dom.js';
import { disagreementBars, submittedBars } from '../../lib/chart.js';
import { formatMetric, formatValue, metricLabel, pairTable } from '../../lib/metrics.js';
import { barChart } from './charts.js';

/** A figure in a cell: the number, or a dash and the reason beside it. @param {{text: string, reason: string|null}} f */
export function figure(f) {
  return [h('span', { class: 'value' }, f.text), f.reason ? h('span', { class: 'reason' }, ` ${f.reason}`) : null];
}

/** A table that scrolls sideways on a narrow screen, reachable by keyboard. @param {string} label @param {HTMLElement} table */
export function scroller(label, table) {
  return h('div', { class: 'scroll', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

/** @param {string[]} heads @param {any[]} rows */
function table(heads, rows) {
  return h('table', null, h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows));
}

/** @param {any} agreement the reply of `GET /api/v1/datasets/{id}/agreement` */
export function renderAgreement(agreement) {
  return h(
    'section',
    { id: 'agreement', 'aria-labelledby': 'agreement-title' },
    h('h2', { id: 'agreement-title' }, 'Agreement'),
    h(
      'div',
      { class: 'card' },
      h('p', { id: 'agreement-summary' }, `${agreement.records} records; ${agreement.min_submitted} submitted answers needed to complete one.`),
      agreement.annotators.length
        ? scroller(
            'Annotators',
            table(
              ['Annotator', 'Submitted', 'Discarded'],
              agreement.annotators.map((/** @type {any} */ a) => h('tr', { 'data-annotator': a.username }, h('td', null, a.username), h('td', null, String(a.submitted)), h('td', null, String(a.discarded)))),
            ),
          )
        : h('p', { class: 'muted' }, 'No annotator has answered yet.'),
      barChart({
        id: 'chart-submitted',
        caption: 'Submitted answers per record',
        bars: submittedBars(agreement.submitted_per_record),
        labelHead: 'Answers',
        valueHead: 'Records',
      }),
    ),
    agreement.questions.map((/** @type {any} */ q) => renderQuestion(q)),
  );
}

/** @param {any} q one question of the agreement reply */
function renderQuestion(q) {
  const id = `agreement-${q.name}`;
  const pairs = pairTable(q.pairs || []);
  return h(
    'article',
    { class: 'card question-agreement', 'data-question': q.name, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, q.title || q.name, ' ', h('span', { class: 'muted' }, `(${q.name}, ${q.type.replaceAll('_', ' ')})`)),
    h('p', { class: 'muted' }, `${q.answered_records} records answered`),
    q.metrics.length
      ? scroller(
          `Agreement on ${q.name}`,
          table(
            ['Metric', 'Value'],
            q.metrics.map((/** @type {any} */ m) =>
              h('tr', { class: 'metric', 'data-metric': m.name, 'data-variant': m.variant || '' }, h('th', { scope: 'row' }, metricLabel(m)), h('td', null, figure(formatMetric(m)))),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No agreement figure for this question type.'),
    pairs.rows.length
      ? [
          h('h4', null, 'Per annotator pair'),
          scroller(
            `Annotator pairs on ${q.name}`,
            table(
              ['Pair', 'Records', ...pairs.columns],
              pairs.rows.map((r) => h('tr', { class: 'pair', 'data-pair': r.pair }, h('td', null, r.pair), h('td', null, String(r.records)), r.cells.map((c) => h('td', null, figure(c))))),
            ),
          ),
        ]
      : null,
    (q.annotators || []).length
      ? [
          h('h4', null, 'Each annotator against the others'),
          scroller(
            `Annotators on ${q.name}`,
            table(
              ['Annotator', 'Answered', 'Agreement'],
              q.annotators.map((/** @type {any} */ a) =>
                h('tr', { class: 'annotator', 'data-annotator': a.username }, h('td', null, a.username), h('td', null, String(a.answered)), h('td', null, figure(formatValue(a.agreement?.value, a.agreement?.reason)))),
              ),
            ),
          ),
        ]
      : null,
    (q.agents || []).length
      ? [
          h('h4', null, 'Suggestion agents against the annotators'),
          scroller(
            `Agents on ${q.name}`,
            table(
              ['Agent', 'Records', 'Agreement'],
              q.agents.map((/** @type {any} */ a) =>
                h('tr', { class: 'agent', 'data-agent': a.agent }, h('td', null, a.agent), h('td', null, String(a.records)), h('td', null, figure(formatValue(a.agreement?.value, a.agreement?.reason)))),
              ),
            ),
          ),
        ]
      : null,
    (q.disagreement || []).length
      ? barChart({
          id: `chart-disagreement-${q.name}`,
          caption: `Disagreement per record on ${q.title || q.name}`,
          bars: disagreementBars(q.disagreement),
          labelHead: 'Disagreement',
          valueHead: 'Records',
        })
      : null,
  );
}
