// The dataset's own settings: name, guidelines (markdown, with the rendered preview the annotators
// will see, from the server's sanitising renderer), extra metadata, min_submitted, and whether
// annotators may read each other's responses (a loam extension).

import * as api from '../../api.js';
import { h, replace, trustedHtml } from '../../dom.js';
import { datasetBody } from '../../lib/settings-edit.js';
import { checkbox, control, settingsForm } from './form.js';

const PREVIEW_DELAY_MS = 300;

/** @param {any} dataset @param {HTMLElement} status @param {(ds: any) => void} saved */
export function datasetForm(dataset, status, saved) {
  const name = /** @type {HTMLInputElement} */ (h('input', { id: 'dataset-name', value: dataset.name, maxlength: '200' }));
  const guidelines = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'guidelines-input', rows: '8', value: dataset.guidelines || '' }));
  const preview = h('div', { class: 'guidelines-preview markdown', id: 'guidelines-preview', 'aria-label': 'Guidelines as annotators see them' });
  const allowExtra = /** @type {HTMLInputElement} */ (h('input', { id: 'allow-extra-metadata', type: 'checkbox', checked: dataset.allow_extra_metadata === true }));
  const minSubmitted = /** @type {HTMLInputElement} */ (h('input', { id: 'min-submitted', type: 'number', min: '1', value: String(dataset.distribution?.min_submitted ?? 1) }));
  // A loam extension: off (blind annotation) unless the dataset opts in.
  const responsesVisible = /** @type {HTMLInputElement} */ (h('input', { id: 'responses-visible', type: 'checkbox', checked: dataset.responses_visible_for_annotators === true }));

  let timer = 0;
  let asked = 0;
  const renderPreview = async () => {
    const text = guidelines.value;
    const mine = ++asked;
    if (text.trim() === '') {
      replace(preview, h('p', { class: 'muted' }, 'No guidelines: annotators see none.'));
      return;
    }
    try {
      const res = await api.post('/api/v1/ui/markdown', { texts: [text] });
      // A later keystroke asked again meanwhile: its answer wins.
      if (mine === asked) replace(preview, trustedHtml('div', 'rendered', res.items[0]));
    } catch (err) {
      if (mine === asked) replace(preview, h('p', { class: 'error' }, `Preview unavailable: ${err instanceof Error ? err.message : err}`));
    }
  };
  guidelines.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void renderPreview(), PREVIEW_DELAY_MS);
  });
  void renderPreview();

  return settingsForm({
    id: 'dataset-form',
    label: 'the dataset',
    status,
    saveId: 'save-dataset',
    className: 'card',
    save: async () => {
      const ds = await api.patch(
        `/api/v1/datasets/${dataset.id}`,
        datasetBody({
          name: name.value,
          guidelines: guidelines.value,
          allowExtraMetadata: allowExtra.checked,
          minSubmitted: minSubmitted.value,
          responsesVisible: responsesVisible.checked,
        }),
      );
      saved(ds);
    },
    children: [
      h('h2', null, 'Dataset'),
      control('name', 'Name', name),
      control('guidelines', 'Guidelines (markdown; Ctrl+Enter saves)', guidelines),
      h('div', { class: 'preview-box' }, h('h3', null, 'Preview'), preview),
      checkbox('allow_extra_metadata', allowExtra, 'Accept record metadata that no property declares'),
      control('min_submitted', 'Responses needed to complete a record (min_submitted)', minSubmitted, 'Changing it re-evaluates every answered record at once.'),
      checkbox(
        'responses_visible_for_annotators',
        responsesVisible,
        "After submitting, annotators see the others' submitted answers on that record (off: blind, each annotator sees only their own)",
      ),
    ],
  });
}
