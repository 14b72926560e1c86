// Home: the datasets of the caller's workspaces, with their own progress on each.

import * as api from '../api.js';
import { h, replace } from '../dom.js';

/** @param {HTMLElement} main @param {{me: any}} params */
export async function render(main, params) {
  const [datasets, workspaces] = await Promise.all([api.get('/api/v1/me/datasets'), api.get('/api/v1/me/workspaces')]);
  /** @type {Record<string, string>} */
  const wsName = {};
  for (const w of workspaces.items) wsName[w.id] = w.name;
  const manager = params.me.role === 'owner' || params.me.role === 'admin';
  const items = datasets.items.filter((/** @type {any} */ d) => d.status === 'ready' || manager);
  const metrics = await Promise.all(
    items.map((/** @type {any} */ d) => (d.status === 'ready' ? api.get(`/api/v1/me/datasets/${d.id}/metrics`).catch(() => null) : null)),
  );
  const rows = items.map((/** @type {any} */ d, /** @type {number} */ i) => {
    const m = metrics[i];
    const total = m ? m.records.count : 0;
    const done = m ? m.responses.submitted + m.responses.discarded : 0;
    const pct = total ? Math.round((100 * done) / total) : 0;
    const bar = h('span', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) }, h('span', { class: 'fill' }));
    /** @type {HTMLElement} */ (bar.firstChild).style.width = `${pct}%`;
    return h(
      'tr',
      { dataset: { name: d.name } },
      h('td', null, d.status === 'ready' ? h('a', { href: `/datasets/${d.id}/annotate` }, d.name) : `${d.name} (draft)`),
      h('td', null, wsName[d.workspace_id] || ''),
      h(
        'td',
        { class: 'progress-cell' },
        bar,
        m ? ` ${m.responses.submitted} submitted, ${m.responses.discarded} discarded, ${m.responses.draft} draft of ${total}` : '',
      ),
      h(
        'td',
        { class: 'manage' },
        manager ? [h('a', { href: `/datasets/${d.id}/settings` }, 'Settings'), ' ', d.status === 'ready' ? h('a', { href: `/datasets/${d.id}/insights` }, 'Insights') : null] : null,
      ),
    );
  });
  replace(
    main,
    h('h1', null, 'Datasets'),
    rows.length
      ? h(
          'table',
          { class: 'datasets' },
          h('thead', null, h('tr', null, h('th', null, 'Dataset'), h('th', null, 'Workspace'), h('th', null, 'My progress'), h('th', null, ''))),
          h('tbody', null, rows),
        )
      : h('p', null, 'No datasets yet in your workspaces.'),
  );
}
