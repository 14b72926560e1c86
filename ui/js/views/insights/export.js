// The Insights view's export panel: shape, format, layout, what to do with records below
// min_submitted, and a mapping (JSON, pre-filled with the server's inferred default for the shape
// and layout, or its 422 detail when it infers none; the records shape takes none); Download POSTs the export and saves the streamed reply
// as a file (blob → object URL → a[download], named by Content-Disposition).

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { BELOW_MIN, defaultFilename, exportBody, filenameFrom, FORMATS, LAYOUTS, SHAPES } from '../../lib/download.js';

const LABELS = /** @type {Record<string, string>} */ ({
  records: 'Records (every field, suggestion and response)',
  sft: 'SFT (prompt / completion)',
  preference: 'Preference (prompt / chosen / rejected)',
  rm: 'Reward model (chosen / rejected)',
  dpo: 'DPO (prompt / chosen / rejected)',
  kto: 'KTO (prompt / completion / label)',
  jsonl: 'JSON Lines',
  csv: 'CSV',
  parquet: 'Parquet',
  hf: 'Hugging Face dataset (Parquet and a dataset card)',
  standard: 'Standard',
  conversational: 'Conversational (messages)',
  skip: 'Leave them out',
  flag: 'Keep them, flagged',
});

/** @param {string} id @param {string} label @param {string[]} values */
function choice(id, label, values) {
  const select = /** @type {HTMLSelectElement} */ (h('select', { id }, values.map((v) => h('option', { value: v }, LABELS[v] || v))));
  return { select, row: h('div', { class: 'param' }, h('label', { for: id }, label), select) };
}

/** @param {string} datasetId @param {string} datasetName */
export function renderExport(datasetId, datasetName) {
  const shape = choice('export-shape', 'Shape', SHAPES);
  const format = choice('export-format', 'Format', FORMATS);
  const layout = choice('export-layout', 'Layout', LAYOUTS);
  const below = choice('export-below', `Records with fewer submitted answers than needed`, BELOW_MIN);
  const mapping = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'export-mapping', rows: '6', spellcheck: 'false', 'aria-describedby': 'export-mapping-note' }));
  const mappingNote = h('p', { class: 'muted', id: 'export-mapping-note', 'aria-live': 'polite' });
  const status = h('p', { class: 'save-status', id: 'export-status', role: 'status', 'aria-live': 'polite' });
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary', id: 'export-download' }, 'Download'));
  /** The mapping as the server inferred it for the shape shown (null: none). @type {string|null} */
  let inferred = null;
  let asked = 0;

  async function loadMapping() {
    const ticket = ++asked;
    const forShape = shape.select.value;
    if (forShape === 'records') {
      inferred = null;
      mapping.value = '';
      mapping.disabled = true;
      mappingNote.textContent = 'The records shape takes no mapping: every field, metadata, suggestion and response is written.';
      return;
    }
    mapping.disabled = false;
    mappingNote.textContent = 'Asking the server for the default mapping…';
    try {
      const query = new URLSearchParams({ shape: forShape, layout: layout.select.value });
      const res = await api.get(`/api/v1/datasets/${datasetId}/exports/mapping?${query}`);
      if (ticket !== asked) return;
      inferred = JSON.stringify(res, null, 2);
      mapping.value = inferred;
      mappingNote.textContent = `The default mapping for ${forShape} (${layout.select.value} layout), inferred from the settings; edit it to choose other fields or questions.`;
    } catch (err) {
      if (ticket !== asked) return;
      inferred = null;
      mapping.value = '';
      mappingNote.textContent = `No default mapping for ${forShape}: ${err instanceof Error ? err.message : err}`;
    }
  }

  async function download() {
    const read = exportBody({ shape: shape.select.value, format: format.select.value, layout: layout.select.value, below: below.select.value, mapping: mapping.value, inferred });
    if (read.error !== undefined) {
      status.textContent = read.error;
      status.className = 'save-status error';
      mapping.setAttribute('aria-invalid', 'true');
      mapping.focus();
      return;
    }
    mapping.removeAttribute('aria-invalid');
    button.disabled = true;
    status.className = 'save-status';
    status.textContent = 'Exporting…';
    try {
      const { blob, disposition } = await api.download(`/api/v1/datasets/${datasetId}/exports`, read.body);
      const name = filenameFrom(disposition, defaultFilename(datasetName, shape.select.value, format.select.value));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      // The browser has taken the file; the URL is freed once it started reading it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.textContent = `Saved ${name} (${blob.size} bytes)`;
      status.className = 'save-status saved';
    } catch (err) {
      status.textContent = `Not exported: ${err instanceof Error ? err.message : err}`;
      status.className = 'save-status error';
    } finally {
      button.disabled = false;
    }
  }

  shape.select.addEventListener('change', () => void loadMapping());
  layout.select.addEventListener('change', () => void loadMapping());
  void loadMapping();
  return h(
    'section',
    { id: 'export', 'aria-labelledby': 'export-title', class: 'card' },
    h('h2', { id: 'export-title' }, 'Export'),
    h(
      'form',
      {
        class: 'export-form',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          void download();
        },
      },
      h('div', { class: 'export-choices' }, shape.row, format.row, layout.row, below.row),
      h('label', { for: 'export-mapping' }, 'Mapping (JSON)'),
      mapping,
      mappingNote,
      button,
      status,
    ),
  );
}
