// Insights (owners and admins of the dataset's workspace): agreement per question as numbers and
// small charts, the most-disagreed records with links into the annotation view, the consolidation
// strategies with a preview, the judges (suggestion agents against people, position bias; issue 22)
// and the export download. The parts live in insights/ (agreement.js,
// charts.js, disagreed.js, strategies.js, export.js); their pure rules in lib/metrics.js,
// lib/chart.js, lib/strategy.js and lib/download.js.
//
// Each section loads on its own: one that fails shows its error and the others still work.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { renderForbidden } from './forbidden.js';
import { renderAgreement } from './insights/agreement.js';
import { renderDisagreed } from './insights/disagreed.js';
import { renderExport } from './insights/export.js';
import { renderJudges } from './insights/judges.js';
import { renderStrategies } from './insights/strategies.js';

/** Whether a role may see Insights at all (the server decides per dataset). @param {string} role */
export function mayManage(role) {
  return role === 'owner' || role === 'admin';
}

/** @param {HTMLElement} main @param {{id: string, me: any}} params */
export async function render(main, params) {
  const id = params.id;
  if (!mayManage(params.me.role)) {
    forbidden(main);
    return;
  }
  const [dataset, agreement, consolidation, judges] = await Promise.allSettled([
    api.get(`/api/v1/datasets/${id}`),
    api.get(`/api/v1/datasets/${id}/agreement`),
    api.get(`/api/v1/datasets/${id}/consolidation`),
    api.get(`/api/v1/datasets/${id}/agreement/judges`),
  ]);
  if (dataset.status === 'rejected') throw dataset.reason;
  if ([agreement, consolidation].some((it) => it.status === 'rejected' && it.reason instanceof api.ApiError && it.reason.status === 403)) {
    forbidden(main);
    return;
  }
  const ds = dataset.value;
  const agreed = agreement.status === 'fulfilled' ? agreement.value : null;
  const annotators = agreed ? agreed.annotators.map((/** @type {any} */ a) => a.username) : [];
  replace(
    main,
    h(
      'div',
      { class: 'insights', id: 'insights' },
      h('h1', null, `Insights: ${ds.name}`),
      h(
        'nav',
        { class: 'insights-nav', 'aria-label': 'Insights sections' },
        h('a', { href: '#agreement' }, 'Agreement'),
        h('a', { href: '#disagreed' }, 'Most disagreed'),
        h('a', { href: '#judges' }, 'Judges'),
        h('a', { href: '#strategies' }, 'Consolidation'),
        h('a', { href: '#export' }, 'Export'),
        h('a', { href: `/datasets/${id}/settings` }, 'Settings'),
        h('a', { href: `/datasets/${id}/annotate` }, 'Annotate'),
      ),
      agreed ? renderAgreement(agreed) : sectionError('agreement', 'Agreement', agreement),
      agreed ? renderDisagreed(id, agreed.questions.filter((/** @type {any} */ q) => (q.disagreement || []).length || q.answered_records > 0)) : null,
      judges.status === 'fulfilled' ? renderJudges(judges.value) : sectionError('judges', 'Judges', judges),
      consolidation.status === 'fulfilled' ? renderStrategies(id, consolidation.value, annotators) : sectionError('strategies', 'Consolidation', consolidation),
      renderExport(id, ds.name),
    ),
  );
}

/** The "not allowed" page (views/forbidden.js). @param {HTMLElement} main */
function forbidden(main) {
  renderForbidden(main, { screen: 'insights' });
}

/** A section that could not load. @param {string} id @param {string} title @param {PromiseSettledResult<any>} res */
function sectionError(id, title, res) {
  const why = res.status === 'rejected' ? (res.reason instanceof Error ? res.reason.message : String(res.reason)) : '';
  return h('section', { id, class: 'card' }, h('h2', null, title), h('p', { class: 'error' }, `Could not load: ${why}`));
}
