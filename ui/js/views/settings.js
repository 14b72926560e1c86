// Dataset settings (owners and admins): guidelines, field and question titles and descriptions,
// metadata visibility, distribution, deletion; and progress per dataset and per annotator,
// refreshed while records arrive.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { navigate } from '../app.js';

const REFRESH_MS = 3000;

/** @param {HTMLElement} main @param {{id: string}} params */
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
          }),
        );
      },
    },
    h('h2', null, 'Dataset'),
    h('label', { for: 'guidelines-input' }, 'Guidelines (markdown)'),
    guidelines,
    h('label', { for: 'min-submitted' }, 'Responses needed to complete a record (min_submitted)'),
    minSubmitted,
    h('button', { type: 'submit', class: 'primary', id: 'save-dataset' }, 'Save'),
  );

  /** @param {string} kind @param {any} item @param {string} path @param {boolean} withDescription */
  const titled = (kind, item, path, withDescription) => {
    const title = /** @type {HTMLInputElement} */ (h('input', { value: item.title, 'aria-label': `Title of ${kind} ${item.name}`, 'data-name': item.name, class: 'title-input' }));
    const description = /** @type {HTMLInputElement} */ (
      h('input', { value: item.description || '', 'aria-label': `Description of ${kind} ${item.name}`, class: 'description-input' })
    );
    return h(
      'form',
      {
        class: 'row',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          /** @type {Record<string, any>} */
          const body = { title: title.value };
          if (withDescription) body.description = description.value.trim() === '' ? null : description.value;
          void saving(`${kind} ${item.name}`, () => api.patch(path, body));
        },
      },
      h('code', null, item.name),
      title,
      withDescription ? description : null,
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
  const refresh = async () => {
    const [p, users] = await Promise.all([api.get(`/api/v1/datasets/${id}/progress`), api.get(`/api/v1/datasets/${id}/users/progress`)]);
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
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => {}), REFRESH_MS);

  replace(
    main,
    h('h1', null, `Settings: ${dataset.name}`),
    h('p', null, h('a', { href: `/datasets/${id}/annotate` }, 'Annotate this dataset')),
    status,
    h('div', { class: 'settings' },
      general,
      h('section', { class: 'card' }, h('h2', null, 'Fields'), fields.items.map((/** @type {any} */ f) => titled('field', f, `/api/v1/fields/${f.id}`, false))),
      h('section', { class: 'card' }, h('h2', null, 'Questions'), questions.items.map((/** @type {any} */ q) => titled('question', q, `/api/v1/questions/${q.id}`, true))),
      metaRows.length ? h('section', { class: 'card' }, h('h2', null, 'Metadata'), metaRows) : null,
      h('section', { class: 'card' }, h('h2', null, 'Progress'), progressBox),
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
  return () => clearInterval(timer);
}
