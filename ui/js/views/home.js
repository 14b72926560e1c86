// Home: the datasets of the caller's workspaces. Annotators see their own progress on each; owners
// and admins the team's: records completed and pending (and, when a record needs several
// responses, those waiting for more), the team's responses and each annotator's, and time on task
// (views/time-on-task.js). Three requests
// whatever the number of datasets: the datasets, the workspaces, and `GET /api/v1/ui/overview`
// (a loam extension answering every dataset's figures at once).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { ownFigures, teamFigures } from '../lib/overview.js';
import { datasetLinks, mayManage } from '../lib/roles.js';
import { timeTable } from './time-on-task.js';

/** A progress bar. @param {number} pct @param {string} label */
function bar(pct, label) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${pct}%`;
  return h('span', { class: 'bar', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) }, fill);
}

/** The team's figures of one dataset. @param {import('../lib/overview.js').OverviewItem} item @param {string} name */
function teamCell(item, name) {
  const f = teamFigures(item);
  return h(
    'td',
    { class: 'progress-cell team' },
    bar(f.pct, `Records of ${name} completed`),
    h('span', { class: 'records' }, ` ${f.records}`),
    f.waiting ? h('div', { class: 'waiting muted' }, f.waiting) : null,
    h('div', { class: 'responses' }, f.responses),
    f.mine ? h('div', { class: 'mine muted' }, f.mine) : null,
    f.annotators.length
      ? h(
          'details',
          { class: 'annotators' },
          h('summary', null, `Per annotator (${f.annotators.length})`),
          h('ul', null, f.annotators.map((a) => h('li', { dataset: { annotator: a.username } }, h('strong', null, a.username), `: ${a.text}`))),
        )
      : null,
    item.team && item.team.time ? h('details', { class: 'time' }, h('summary', null, 'Time on task'), timeTable(item.team.time, `Time on task on ${name}`)) : null,
  );
}

/** @param {HTMLElement} main @param {{me: any}} params */
export async function render(main, params) {
  const [datasets, workspaces, overview] = await Promise.all([
    api.get('/api/v1/me/datasets'),
    api.get('/api/v1/me/workspaces'),
    api.get('/api/v1/ui/overview'),
  ]);
  /** @type {Record<string, string>} */
  const wsName = {};
  for (const w of workspaces.items) wsName[w.id] = w.name;
  /** @type {Map<string, import('../lib/overview.js').OverviewItem>} */
  const figures = new Map(overview.items.map((/** @type {any} */ it) => [it.dataset_id, it]));
  const role = params.me.role;
  const manager = mayManage(role);
  const items = datasets.items.filter((/** @type {any} */ d) => d.status === 'ready' || manager);
  const rows = items.map((/** @type {any} */ d) => {
    const item = figures.get(d.id);
    const own = item && d.status === 'ready' ? ownFigures(item) : null;
    const links = datasetLinks(role, d.status);
    return h(
      'tr',
      { dataset: { name: d.name } },
      h('td', null, d.status === 'ready' ? h('a', { href: `/datasets/${d.id}/annotate` }, d.name) : `${d.name} (draft)`),
      h('td', null, wsName[d.workspace_id] || ''),
      manager && item && d.status === 'ready'
        ? teamCell(item, d.name)
        : h('td', { class: 'progress-cell' }, own ? [bar(own.pct, `My progress on ${d.name}`), ` ${own.text}`] : ''),
      h(
        'td',
        { class: 'manage' },
        links.map((it) =>
          it === 'settings' ? h('a', { href: `/datasets/${d.id}/settings` }, 'Settings') : [' ', h('a', { href: `/datasets/${d.id}/insights` }, 'Insights')],
        ),
      ),
    );
  });
  replace(
    main,
    h('h1', null, 'Datasets'),
    rows.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'datasets' },
            h('thead', null, h('tr', null, h('th', null, 'Dataset'), h('th', null, 'Workspace'), h('th', null, manager ? 'Team progress' : 'My progress'), h('th', null, ''))),
            h('tbody', null, rows),
          ),
        )
      : h('p', null, 'No datasets yet in your workspaces.'),
  );
}
