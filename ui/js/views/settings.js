// Dataset settings (owners, and admins of the dataset's workspace; others get the "not allowed"
// page from app.js, or from a 403 here): every setting the API can change, one form per dataset,
// field, question, metadata property and vector, each with its own Save and the server's refusal
// shown next to the control it names; what cannot change is shown read-only with the reason
// (lib/settings-edit.js). Then live progress, importing a file (published datasets), and
// deletion behind a confirmation.
// The parts: settings/dataset.js, settings/schema.js, settings/props.js, settings/progress.js,
// settings/form.js, settings/import.js, settings/pairwise.js (pairwise comparison, issue 22).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { formDialog } from '../dialog.js';
import { navigate, reload } from '../session.js';
import { FIXED } from '../lib/settings-edit.js';
import { datasetForm } from './settings/dataset.js';
import { importPanel } from './settings/import.js';
import { liveProgress } from './settings/progress.js';
import { pairwisePanel } from './settings/pairwise.js';
import { metadataForm, vectorForm } from './settings/props.js';
import { fieldForm, questionForm } from './settings/schema.js';

/** @param {HTMLElement} main @param {{id: string, me?: any}} params */
export async function render(main, params) {
  const id = params.id;
  const [dataset, fields, questions, metadata, vectors] = await Promise.all([
    api.get(`/api/v1/datasets/${id}`),
    api.get(`/api/v1/datasets/${id}/fields`),
    api.get(`/api/v1/datasets/${id}/questions`),
    api.get(`/api/v1/me/datasets/${id}/metadata-properties`),
    api.get(`/api/v1/datasets/${id}/vectors-settings`),
  ]);
  // A member who may not manage never gets here (app.js); a non-member's reads above answer 403,
  // which app.js shows as the "not allowed" page.
  const progress = await liveProgress(id);
  const status = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'settings-status' });
  const heading = h('h1', null, `Settings: ${dataset.name}`);
  const published = dataset.status === 'ready';

  const deletion = h(
    'section',
    { class: 'card danger' },
    h('h2', null, 'Delete'),
    h('p', null, 'Deleting a dataset removes its records, responses and suggestions for good.'),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        id: 'delete-dataset',
        'aria-haspopup': 'dialog',
        onclick: (/** @type {Event} */ ev) =>
          formDialog({
            id: 'delete-dataset-dialog',
            title: `Delete the dataset ${dataset.name}?`,
            opener: /** @type {HTMLElement} */ (ev.currentTarget),
            fields: [h('p', null, 'Its records, responses, suggestions and vectors go with it. This cannot be undone.')],
            submitLabel: 'Delete this dataset',
            onSubmit: async () => {
              await api.del(`/api/v1/datasets/${id}`);
              navigate('/');
            },
          }),
      },
      'Delete this dataset',
    ),
  );

  replace(
    main,
    heading,
    h(
      'p',
      null,
      published ? h('a', { href: `/datasets/${id}/annotate` }, 'Annotate this dataset') : h('span', { class: 'tag' }, 'draft'),
      published ? [' · ', h('a', { href: `/datasets/${id}/insights` }, 'Insights: agreement, consolidation, export')] : null,
    ),
    h('p', { class: 'muted', id: 'settings-scope' }, published ? FIXED.published : FIXED.draft),
    status,
    h(
      'div',
      { class: 'settings' },
      datasetForm(dataset, status, (ds) => {
        heading.textContent = `Settings: ${ds.name}`;
      }),
      h('section', { class: 'card', id: 'settings-progress' }, h('h2', null, 'Progress'), progress.box, progress.note),
      h('section', { class: 'card', id: 'settings-fields' }, h('h2', null, 'Fields'), h('p', { class: 'muted' }, 'Titles and descriptions are shown next to the field while annotating.'), fields.items.map((/** @type {any} */ f) => fieldForm(f, status))),
      h('section', { class: 'card', id: 'settings-questions' }, h('h2', null, 'Questions'), h('p', { class: 'muted' }, 'Descriptions are one key away while annotating (g).'), questions.items.map((/** @type {any} */ q) => questionForm(q, status))),
      metadata.items.length ? h('section', { class: 'card', id: 'settings-metadata' }, h('h2', null, 'Metadata'), metadata.items.map((/** @type {any} */ m) => metadataForm(m, status))) : null,
      vectors.items.length ? h('section', { class: 'card', id: 'settings-vectors' }, h('h2', null, 'Vectors'), vectors.items.map((/** @type {any} */ v) => vectorForm(v, status))) : null,
      pairwisePanel(id, { fields: fields.items, questions: questions.items }, status, reload),
      published ? importPanel(id, { fields: fields.items, questions: questions.items, metadata: metadata.items, vectors: vectors.items }) : null,
      deletion,
    ),
  );
  return progress.stop;
}
