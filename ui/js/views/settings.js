// Dataset settings (owners and admins): guidelines, field and question titles and descriptions,
// metadata visibility, whether annotators see each other's responses, distribution, deletion; and progress per dataset and per annotator, live
// while records arrive (a cheap conditional poll while the tab is visible, lib/poll.js).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { navigate } from '../session.js';
import { Poller } from '../lib/poll.js';

const POLL_MS = 1500;

/** @param {HTMLElement} main @param {{id: string, me?: any}} params */
export async function render(main, params) {
  const id = params.id;
  const [dataset, fields, questions, metadata] = await Promise.all([
    api.get(`/api/v1/datasets/${id}`),
    api.get(`/api/v1/datasets/${id}/fields`),
    api.get(`/api/v1/datasets/${id}/questions`),
    api.get(`/api/v1/me/datasets/${id}/metadata-properties`),
  ]);
  const status = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'settings-status' });

  /** @param {string} label @param {() => Promise<any>} fn */
  const saving = async (label, fn) => {
    status.textContent = `Saving ${label}…`;
    try {
      await fn();
      status.textContent = `Saved ${label}`;
    } catch (err) {
      status.textContent = `Could not save ${label}: ${err instanceof Error ? err.message : err}`;
    }
  };

  const guidelines = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'guidelines-input', rows: '6', value: dataset.guidelines || '' }));
  const minSubmitted = /** @type {HTMLInputElement} */ (
    h('input', { id: 'min-submitted', type: 'number', min: '1', value: String(dataset.distribution?.min_submitted ?? 1) })
  );
  // A loam extension: off (blind annotation) unless the dataset opts in.
  const responsesVisible = /** @type {HTMLInputElement} */ (
    h('input', { id: 'responses-visible', type: 'checkbox', checked: dataset.responses_visible_for_annotators === true })
  );

  const general = h(
    'form',
    {
      class: 'card',
      onsubmit: (/** @type {Event} */ ev) => {
        ev.preventDefault();
        void saving('the dataset', () =>
          api.patch(`/api/v1/datasets/${id}`, {
            guidelines: guidelines.value.trim() === '' ? null : guidelines.value,
            distribution: { strategy: 'overlap', min_submitted: Number(minSubmitted.value) || 1 },
            responses_visible_for_annotators: responsesVisible.checked,
          }),
        );
      },
    },
    h('h2', null, 'Dataset'),
    h('label', { for: 'guidelines-input' }, 'Guidelines (markdown)'),
    guidelines,
    h('label', { for: 'min-submitted' }, 'Responses needed to complete a record (min_submitted)'),
    minSubmitted,
    h('div', { class: 'row' }, responsesVisible, h('label', { for: 'responses-visible' }, "Annotators may read each other's responses on a record through the API (off: only their own; the annotation view always shows each annotator their own)")),
    h('button', { type: 'submit', class: 'primary', id: 'save-dataset' }, 'Save'),
  );

  /** @param {string} kind @param {any} item @param {string} path */
  const titled = (kind, item, path) => {
    const title = /** @type {HTMLInputElement} */ (h('input', { value: item.title, 'aria-label': `Title of ${kind} ${item.name}`, 'data-name': item.name, class: 'title-input' }));
    const description = /** @type {HTMLInputElement} */ (
      h('input', { value: item.description || '', maxlength: '1000', placeholder: 'Description (optional)', 'aria-label': `Description of ${kind} ${item.name}`, class: 'description-input' })
    );
    return h(
      'form',
      {
        class: 'titled',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          /** @type {Record<string, any>} */
          const body = { title: title.value, description: description.value.trim() === '' ? null : description.value };
          void saving(`${kind} ${item.name}`, () => api.patch(path, body));
        },
      },
      h('code', null, item.name),
      title,
      description,
      h('button', { type: 'submit' }, 'Save'),
    );
  };

  const metaRows = metadata.items.map((/** @type {any} */ m) => {
    const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked: m.visible_for_annotators, id: `meta-${m.name}` }));
    box.addEventListener('change', () =>
      void saving(`metadata ${m.name}`, () => api.patch(`/api/v1/metadata-properties/${m.id}`, { visible_for_annotators: box.checked })),
    );
    return h('div', { class: 'row' }, box, h('label', { for: `meta-${m.name}` }, `${m.title} (${m.name}) visible to annotators`));
  });

  const progressBox = h('div', { id: 'progress-live' });
  // Not a live region: a screen reader would announce every poll that found a change.
  const liveNote = h('p', { class: 'live-note muted', id: 'progress-note' });
  /** @param {{progress: any, users: any[]}} res */
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

  replace(
    main,
    h('h1', null, `Settings: ${dataset.name}`),
    h('p', null, h('a', { href: `/datasets/${id}/annotate` }, 'Annotate this dataset'), params.me && ['owner', 'admin'].includes(params.me.role) ? [' · ', h('a', { href: `/datasets/${id}/insights` }, 'Insights: agreement, consolidation, export')] : null),
    status,
    h('div', { class: 'settings' },
      general,
      h('section', { class: 'card' }, h('h2', null, 'Fields'), h('p', { class: 'muted' }, 'Title and description (shown next to the field while annotating)'), fields.items.map((/** @type {any} */ f) => titled('field', f, `/api/v1/fields/${f.id}`))),
      h('section', { class: 'card' }, h('h2', null, 'Questions'), h('p', { class: 'muted' }, 'Title and description (one key away while annotating: g)'), questions.items.map((/** @type {any} */ q) => titled('question', q, `/api/v1/questions/${q.id}`))),
      metaRows.length ? h('section', { class: 'card' }, h('h2', null, 'Metadata'), metaRows) : null,
      h('section', { class: 'card' }, h('h2', null, 'Progress'), progressBox, liveNote),
      h(
        'section',
        { class: 'card danger' },
        h('h2', null, 'Delete'),
        h('p', null, 'Deleting a dataset removes its records, responses and suggestions for good.'),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm(`Delete the dataset ${dataset.name} and everything in it?`)) return;
              await saving('deletion', () => api.del(`/api/v1/datasets/${id}`));
              navigate('/');
            },
          },
          'Delete this dataset',
        ),
      ),
    ),
  );
  return () => {
    poller.stop();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
