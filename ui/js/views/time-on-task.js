// The time-on-task table of owners and admins (the home's team cell, the settings page's live
// progress): the team's and each annotator's active time, records done, records per hour of
// active time and median time per record, from lib/overview.js.

import { h } from '../dom.js';
import { timeRows } from '../lib/overview.js';

/** @param {import('../lib/overview.js').TeamTime|null|undefined} time @param {string} caption */
export function timeTable(time, caption) {
  const rows = timeRows(time);
  if (rows.length <= 1 && (!time || time.total.active_ms === 0)) return h('p', { class: 'time-on-task muted' }, 'Time on task: none measured yet.');
  return h(
    'table',
    { class: 'time-on-task' },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'Active time'), h('th', { scope: 'col' }, 'Records done'), h('th', { scope: 'col' }, 'Records / hour'), h('th', { scope: 'col' }, 'Median per record')),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h('tr', { class: r.team ? 'team' : '', dataset: { who: r.team ? '' : r.who } }, h('th', { scope: 'row' }, r.who), h('td', null, r.active), h('td', null, r.done), h('td', null, r.perHour), h('td', null, r.median)),
      ),
    ),
  );
}
