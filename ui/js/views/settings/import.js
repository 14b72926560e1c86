// The Import panel of a published dataset's settings (owners and admins): pick a JSONL, CSV or
// Parquet file, preview the first rows as they would be stored with the mapping the server
// infers, change which column goes where (one select per field, metadata property, suggestion
// value / score / agent, vector and the external id), import with the upload's progress, then
// the report with the bad rows. Rules in lib/import-map.js; the server's routes are
// POST /api/v1/datasets/{id}/import and …/import/preview.

import * as api from '../../api.js';
import { h, replace } from '../../dom.js';
import { choicesFrom, formatOf, mappingOf, placeOf, previewBytes, summary, targetsOf } from '../../lib/import-map.js';

const PREVIEW_ROWS = 10;

/** @param {unknown} value */
const brief = (value) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

/**
 * @param {string} id the dataset
 * @param {{fields: any[], questions: any[], metadata: any[], vectors: any[]}} settings
 */
export function importPanel(id, settings) {
  const targets = targetsOf(settings);
  /** @type {{file: File|null, format: string, columns: string[], choices: Record<string, string>, agents: Record<string, string>}} */
  const state = { file: null, format: 'jsonl', columns: [], choices: {}, agents: {} };

  const status = h('p', { id: 'import-status', role: 'status', 'aria-live': 'polite', class: 'muted' });
  const fileInput = /** @type {HTMLInputElement} */ (h('input', { type: 'file', id: 'import-file', accept: '.jsonl,.ndjson,.csv,.parquet' }));
  const formatSelect = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'import-format' }, ['jsonl', 'csv', 'parquet'].map((f) => h('option', { value: f }, f.toUpperCase())))
  );
  const mappingBox = h('div', { id: 'import-mapping' });
  const rowsBox = h('div', { id: 'import-rows' });
  const fill = h('span', { class: 'fill' });
  const bar = h('span', { class: 'bar', id: 'import-progress', role: 'progressbar', 'aria-label': 'Upload', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', hidden: true }, fill);
  const reportBox = h('div', { id: 'import-report' });
  const previewButton = h('button', { type: 'button', id: 'import-preview', disabled: true, onclick: () => preview(true) }, 'Preview with this mapping');
  const importButton = h('button', { type: 'button', id: 'import-run', class: 'primary', disabled: true, onclick: () => run() }, 'Import');

  const query = (/** @type {boolean} */ explicit) => {
    let q = `format=${encodeURIComponent(state.format)}`;
    if (explicit) q += `&mapping=${encodeURIComponent(JSON.stringify(mappingOf(state.choices, state.agents)))}`;
    return q;
  };

  const drawMapping = () => {
    const columnSelect = (/** @type {import('../../lib/import-map.js').Target} */ t) => {
      const selectId = `import-target-${t.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
      const select = h(
        'select',
        {
          id: selectId,
          'data-target': t.key,
          onchange: (/** @type {Event} */ ev) => {
            state.choices[t.key] = /** @type {HTMLSelectElement} */ (ev.target).value;
          },
        },
        h('option', { value: '' }, '— none —'),
        state.columns.map((c) => h('option', { value: c, selected: state.choices[t.key] === c }, c)),
      );
      return h('div', { class: 'import-target' }, h('label', { for: selectId }, t.label), select);
    };
    const agentInputs = settings.questions.map((q) => {
      const inputId = `import-agent-${q.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
      return h(
        'div',
        { class: 'import-target' },
        h('label', { for: inputId }, `Agent name for ${q.title || q.name} (when no agent column)`),
        h('input', {
          id: inputId,
          type: 'text',
          value: state.agents[q.name] || '',
          oninput: (/** @type {Event} */ ev) => {
            state.agents[q.name] = /** @type {HTMLInputElement} */ (ev.target).value.trim();
          },
        }),
      );
    });
    replace(
      mappingBox,
      h('h3', null, 'Which column goes where'),
      h('div', { class: 'import-targets' }, targets.map(columnSelect), agentInputs),
    );
  };

  /** @param {any} res */
  const drawRows = (res) => {
    replace(
      rowsBox,
      h('h3', null, `The first rows as they would be stored`),
      res.mapping_error ? h('p', { class: 'error', id: 'import-mapping-error' }, res.mapping_error) : null,
      res.rows.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { id: 'import-preview-table' },
              h('thead', null, h('tr', null, h('th', null, 'Row'), h('th', null, 'Result'))),
              h(
                'tbody',
                null,
                res.rows.map((/** @type {any} */ r) =>
                  h(
                    'tr',
                    { class: r.error ? 'bad' : 'good' },
                    h('td', null, placeOf(r)),
                    h('td', null, r.error ? h('span', { class: 'error' }, r.error) : brief(r.record)),
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  };

  /** @param {boolean} explicit send the mapping the selects make (else the server infers one) */
  const preview = async (explicit) => {
    if (!state.file) return;
    status.textContent = 'Reading the first rows…';
    try {
      const slice = state.file.slice(0, previewBytes(state.format, state.file.size));
      const res = await api.upload(`/api/v1/datasets/${id}/import/preview?${query(explicit)}&rows=${PREVIEW_ROWS}`, slice);
      state.columns = res.columns;
      if (!explicit && res.mapping) ({ columns: state.choices, agents: state.agents } = choicesFrom(res.mapping));
      drawMapping();
      drawRows(res);
      const bad = res.rows.filter((/** @type {any} */ r) => r.error).length;
      status.textContent = res.mapping_error
        ? 'The mapping needs a change: pick the columns below.'
        : `Preview: ${res.rows.length - bad} of the first ${res.rows.length} rows import as shown, ${bad} would be left out.`;
      previewButton.removeAttribute('disabled');
      if (!res.mapping_error) importButton.removeAttribute('disabled');
      else importButton.setAttribute('disabled', '');
    } catch (err) {
      status.textContent = `Cannot preview this file: ${err instanceof Error ? err.message : err}`;
      importButton.setAttribute('disabled', '');
    }
  };

  const run = async () => {
    if (!state.file) return;
    importButton.setAttribute('disabled', '');
    bar.hidden = false;
    replace(reportBox);
    const setPct = (/** @type {number} */ pct) => {
      fill.style.width = `${pct}%`;
      bar.setAttribute('aria-valuenow', String(pct));
    };
    setPct(0);
    status.textContent = 'Uploading…';
    try {
      const report = await api.upload(`/api/v1/datasets/${id}/import?${query(true)}`, state.file, (sent, total) => {
        const pct = total ? Math.round((100 * sent) / total) : 0;
        setPct(pct);
        status.textContent = pct < 100 ? `Uploading… ${pct}%` : 'Uploaded; importing the rows…';
      });
      setPct(100);
      status.textContent = summary(report);
      replace(
        reportBox,
        h('p', { id: 'import-summary' }, summary(report)),
        report.errors.length
          ? h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { id: 'import-errors' },
                h('caption', null, 'Rows left out'),
                h('thead', null, h('tr', null, h('th', null, 'Where'), h('th', null, 'Why'))),
                h('tbody', null, report.errors.map((/** @type {any} */ e) => h('tr', null, h('td', null, placeOf(e)), h('td', null, e.reason)))),
              ),
            )
          : null,
        report.errors_not_listed ? h('p', { class: 'muted' }, `… and ${report.errors_not_listed.toLocaleString('en')} more rows left out.`) : null,
      );
    } catch (err) {
      status.textContent = `The import failed: ${err instanceof Error ? err.message : err}`;
    } finally {
      importButton.removeAttribute('disabled');
    }
  };

  fileInput.addEventListener('change', () => {
    state.file = fileInput.files && fileInput.files[0] ? fileInput.files[0] : null;
    if (!state.file) return;
    const guessed = formatOf(state.file.name);
    if (guessed) formatSelect.value = guessed;
    state.format = formatSelect.value;
    replace(reportBox);
    preview(false);
  });
  formatSelect.addEventListener('change', () => {
    state.format = formatSelect.value;
    preview(false);
  });

  return h(
    'section',
    { class: 'card', id: 'settings-import' },
    h('h2', null, 'Import records'),
    h('p', { class: 'muted' }, 'A JSONL, CSV or Parquet file: each row becomes a record. Check the first rows, change which column goes where, then import. Rows that break a rule are left out and listed; the others are imported.'),
    h('div', { class: 'import-pick' }, h('label', { for: 'import-file' }, 'File'), fileInput, h('label', { for: 'import-format' }, 'Format'), formatSelect),
    mappingBox,
    h('p', { class: 'actions' }, previewButton, ' ', importButton),
    bar,
    status,
    rowsBox,
    reportBox,
  );
}
