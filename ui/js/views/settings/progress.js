// A dataset's progress on its settings page, live: per record status and per annotator (and time
// on task: views/time-on-task.js), from a
// cheap conditional poll (lib/poll.js) while the tab is visible; 304s while nothing changes.

import * as api from '../../api.js';
import { h, replace } from '../../dom.js';
import { Poller } from '../../lib/poll.js';
import { timeTable } from '../time-on-task.js';

const POLL_MS = 1500;

/** @param {string} id the dataset @returns {Promise<{box: HTMLElement, note: HTMLElement, stop: () => void}>} */
export async function liveProgress(id) {
  const progressBox = h('div', { id: 'progress-live' });
  // Not a live region: a screen reader would announce every poll that found a change.
  const liveNote = h('p', { class: 'live-note muted', id: 'progress-note' });
  /** @param {{progress: any, users: any[], time?: any}} res */
  const draw = (res) => {
    const p = res.progress;
    const users = { users: res.users };
    const pct = p.total ? Math.round((100 * p.completed) / p.total) : 0;
    const fill = h('span', { class: 'fill' });
    fill.style.width = `${pct}%`;
    replace(
      progressBox,
      h('span', { class: 'bar', role: 'progressbar', 'aria-label': 'Completed records', 'aria-valuenow': String(pct), 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill),
      h('p', { class: 'totals' }, `${p.completed} of ${p.total} records completed, ${p.pending} pending`),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          null,
          h('thead', null, h('tr', null, h('th', null, 'Annotator'), h('th', null, 'Submitted'), h('th', null, 'Discarded'), h('th', null, 'Draft'))),
          h(
            'tbody',
            null,
            users.users.map((/** @type {any} */ u) =>
              h(
                'tr',
                null,
                h('td', null, u.username),
                h('td', null, String(u.completed.submitted + u.pending.submitted)),
                h('td', null, String(u.completed.discarded + u.pending.discarded)),
                h('td', null, String(u.completed.draft + u.pending.draft)),
              ),
            ),
          ),
        ),
      ),
      // Time on task: owners and admins (null for annotators).
      res.time ? h('div', { class: 'table-scroll' }, timeTable(res.time, 'Time on task')) : null,
    );
  };
  const progressUrl = `/api/v1/ui/datasets/${id}/progress`;
  const first = await api.getIfChanged(progressUrl, null);
  draw(first.data);
  const poller = new Poller({
    fetch: (etag) => api.getIfChanged(progressUrl, etag),
    onData: (data) => {
      draw(data);
      liveNote.textContent = `Live: updated at ${new Date().toLocaleTimeString()}`;
    },
    onError: (err, ms) => {
      liveNote.textContent = `Live updates paused (${err instanceof Error ? err.message : err}); trying again in ${Math.round(ms / 1000)} s`;
    },
    intervalMs: POLL_MS,
    isVisible: () => document.visibilityState === 'visible',
  });
  liveNote.textContent = 'Live: refreshes while records arrive';
  const onVisibility = () => poller.visibilityChanged();
  document.addEventListener('visibilitychange', onVisibility);
  poller.continueFrom(first.etag);
  return {
    box: progressBox,
    note: liveNote,
    stop: () => {
      poller.stop();
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
