// The annotation view: the record's fields on one side, the question form on the other, queues
// with counts, the Feedback UI's shortcuts, draft autosave, guidelines one key away.

import * as api from '../api.js';
import { h, replace, trustedHtml } from '../dom.js';
import {
  addSpan,
  canSubmit,
  clearState,
  codePointOffset,
  initialState,
  isAnswered,
  missingRequired,
  moveRank,
  rankingOrder,
  responseBody,
  setAnswer,
  spanSegments,
  spanText,
  suggestionTitle,
  toggleLabel,
  visibleOptions,
} from '../lib/form.js';
import { actionFor, isTextEntry, SHORTCUTS } from '../lib/keys.js';
import { Autosaver, dropBackup, keepBackup, readBackup } from '../lib/drafts.js';

/** @typedef {import('../lib/form.js').Question} Question */
/** @typedef {import('../lib/form.js').FormState} FormState */

const QUEUES = ['pending', 'draft', 'submitted', 'discarded'];
const PAGE = 50;
const SORTS = /** @type {Record<string, any[]|undefined>} */ ({
  default: undefined,
  oldest: [{ scope: { entity: 'record', property: 'inserted_at' }, order: 'asc' }],
  newest: [{ scope: { entity: 'record', property: 'inserted_at' }, order: 'desc' }],
});

/** @param {HTMLElement} main @param {{id: string, query: URLSearchParams, me: any}} params */
export async function render(main, params) {
  const datasetId = params.id;
  const me = params.me;
  const q0 = params.query;
  const view = {
    status: QUEUES.includes(q0.get('status') || '') ? /** @type {string} */ (q0.get('status')) : 'pending',
    pos: Math.max(0, (Number(q0.get('page')) || 1) - 1),
    text: q0.get('q') || '',
    sort: SORTS[q0.get('sort') || ''] ? /** @type {string} */ (q0.get('sort')) : 'default',
    /** A metadata filter, `name=value`, or ''. */
    meta: q0.get('meta') || '',
    /** @type {{offset: number, records: any[], total: number}|null} */
    window: null,
    /** @type {any} */
    record: null,
    /** @type {FormState} */
    form: initialState([], null, null),
    /** @type {Record<string, {filter: string, expanded: boolean}>} */
    ui: {},
    guidelines: false,
    help: false,
    /** @type {string|null} */
    activeQuestion: null,
    /** The bulk view: several records, many selected, one answer for all. */
    bulk: false,
    /** @type {Set<string>} */
    selected: new Set(),
  };
  // The first page of the queue is asked for with the dataset's settings, not after them: first
  // paint waits for one round trip less.
  const firstPage = fetchPage(view.pos);
  firstPage.catch(() => {}); // awaited below; a failure surfaces there
  const [dataset, fieldsRes, questionsRes, metadataRes] = await Promise.all([
    api.get(`/api/v1/datasets/${datasetId}`),
    api.get(`/api/v1/datasets/${datasetId}/fields`),
    api.get(`/api/v1/datasets/${datasetId}/questions`),
    api.get(`/api/v1/me/datasets/${datasetId}/metadata-properties`),
  ]);
  /** Terms metadata the annotator may filter on: `name=value` choices. */
  const metaChoices = metadataRes.items
    .filter((/** @type {any} */ m) => m.settings.type === 'terms' && Array.isArray(m.settings.values))
    .flatMap((/** @type {any} */ m) => m.settings.values.map((/** @type {string} */ v) => ({ name: m.name, title: m.title, value: v })));
  /** @type {any[]} */
  const fields = fieldsRes.items;
  /** @type {Question[]} */
  const questions = questionsRes.items;
  view.form = initialState(questions, null, null);

  /** Questions the bulk view can answer for many records at once (a span belongs to one text). */
  const bulkQuestions = questions.filter((q) => q.settings.type !== 'span');
  const BULK_SIZE = 10;
  /** @type {Map<string, string[]>} */
  const markdownCache = new Map();

  // ---- layout ------------------------------------------------------------------------------
  const counts = h('nav', { class: 'queues', 'aria-label': 'Queues' });
  const progress = h('div', { class: 'progress' });
  const searchInput = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', id: 'search', placeholder: 'Search records', 'aria-label': 'Search records', value: view.text })
  );
  const sortSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'sort', 'aria-label': 'Sort' },
      h('option', { value: 'default' }, 'Default order'),
      h('option', { value: 'oldest' }, 'Oldest first'),
      h('option', { value: 'newest' }, 'Newest first'),
    )
  );
  sortSelect.value = view.sort;
  const metaSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'meta-filter', 'aria-label': 'Filter by metadata', hidden: !metaChoices.length },
      h('option', { value: '' }, 'All records'),
      metaChoices.map((/** @type {any} */ c) => h('option', { value: `${c.name}=${c.value}` }, `${c.title}: ${c.value}`)),
    )
  );
  metaSelect.value = view.meta;
  metaSelect.addEventListener('change', () => {
    view.meta = metaSelect.value;
    view.pos = 0;
    void reload();
  });
  const position = h('span', { class: 'position', id: 'position' });
  const prevBtn = h('button', { type: 'button', title: 'Previous record (←)', 'aria-label': 'Previous record', onclick: () => go(-1) }, '←');
  const nextBtn = h('button', { type: 'button', title: 'Next record (→)', 'aria-label': 'Next record', onclick: () => go(1) }, '→');
  const recordPane = h('section', { class: 'record', 'aria-label': 'Record' });
  const formPane = h('section', { class: 'form', 'aria-label': 'Questions' });
  const statusLine = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'save-status' });
  const side = h('aside', { class: 'side', id: 'guidelines', hidden: true, 'aria-label': 'Guidelines' });
  const guidelinesBtn = h('button', { type: 'button', id: 'guidelines-toggle', 'aria-keyshortcuts': 'g', onclick: () => togglePanel('guidelines') }, 'Guidelines ', h('kbd', null, 'g'));
  const helpBtn = h('button', { type: 'button', id: 'help-toggle', 'aria-keyshortcuts': '?', onclick: () => togglePanel('help') }, 'Shortcuts ', h('kbd', null, '?'));
  const bulkBtn = h('button', { type: 'button', id: 'bulk-toggle', 'aria-pressed': 'false', onclick: () => void toggleBulk() }, 'Bulk view');

  replace(
    main,
    h(
      'div',
      { class: 'annotate' },
      h(
        'div',
        { class: 'toolbar' },
        h('h1', { title: dataset.name }, dataset.name),
        counts,
        h('span', { class: 'nav' }, prevBtn, position, nextBtn),
        h('span', { class: 'tools' }, bulkBtn, guidelinesBtn, helpBtn),
      ),
      // Progress, and finding records: a line of their own, so the toolbar above stays one line.
      h(
        'div',
        { class: 'subbar' },
        progress,
        h(
          'form',
          {
            class: 'search',
            role: 'search',
            onsubmit: (/** @type {Event} */ ev) => {
              ev.preventDefault();
              view.text = searchInput.value.trim();
              view.pos = 0;
              void reload();
            },
          },
          searchInput,
          sortSelect,
          metaSelect,
        ),
      ),
      h('div', { class: 'panes' }, recordPane, h('div', { class: 'form-wrap' }, formPane, statusLine), side),
    ),
  );
  sortSelect.addEventListener('change', () => {
    view.sort = sortSelect.value;
    view.pos = 0;
    void reload();
  });

  // ---- saving --------------------------------------------------------------------------------
  /** My response on the shown record, if any. */
  const myResponse = () => (view.record && (view.record.responses || []).find((/** @type {any} */ r) => r.user_id === me.id)) || null;

  /** @param {any} record @param {string} status @param {Record<string, any>} values */
  async function save(record, status, values) {
    const mine = (record.responses || []).find((/** @type {any} */ r) => r.user_id === me.id);
    const body = { values, status };
    const res = mine
      ? await api.put(`/api/v1/responses/${mine.id}`, body)
      : await api.post(`/api/v1/records/${record.id}/responses`, body);
    record.responses = [...(record.responses || []).filter((/** @type {any} */ r) => r.user_id !== me.id), res];
    return res;
  }

  const saver = new Autosaver({
    save: async (/** @type {{record: any, values: any}} */ p) => {
      await save(p.record, 'draft', p.values);
      dropBackup(localStorage, p.record.id);
      void refreshCounts();
    },
    onStatus: (status) => {
      const text = {
        idle: '',
        pending: 'Unsaved changes',
        saving: 'Saving draft…',
        saved: 'Draft saved',
        retrying: 'Could not save: connection lost, retrying. Your answers are kept.',
      }[status];
      statusLine.textContent = text;
      statusLine.className = `save-status ${status}`;
    },
  });

  /** The form changed: re-render it, back it up locally, autosave drafts. */
  function changed() {
    renderForm();
    if (view.bulk) return;
    renderRecord(false);
    if (!view.record) return;
    keepBackup(localStorage, view.record.id, view.form.answers);
    const mine = myResponse();
    const editable = !mine || mine.status === 'draft';
    const values = responseBody(questions, view.form, 'draft').values;
    if (editable && Object.keys(values).length) saver.changed({ record: view.record, values });
  }

  /** @param {'submitted'|'discarded'|'draft'} status */
  async function act(status) {
    if (view.bulk) return bulkAct(status);
    const record = view.record;
    if (!record) return;
    if (status === 'submitted' && !canSubmit(questions, view.form)) {
      const missing = missingRequired(questions, view.form);
      statusLine.textContent = `Answer the required questions first: ${missing.join(', ')}`;
      const section = formPane.querySelector(`[data-question="${CSS.escape(missing[0])}"]`);
      if (section) focusQuestion(/** @type {HTMLElement} */ (section));
      return;
    }
    saver.cancel();
    while (saver.running) await saver.running;
    statusLine.textContent = status === 'draft' ? 'Saving draft…' : status === 'submitted' ? 'Submitting…' : 'Discarding…';
    try {
      await save(record, status, responseBody(questions, view.form, status).values);
    } catch (err) {
      statusLine.textContent = `Not saved: ${err instanceof Error ? err.message : err}. Your answers are kept.`;
      statusLine.className = 'save-status error';
      return;
    }
    dropBackup(localStorage, record.id);
    statusLine.textContent = { submitted: 'Submitted', discarded: 'Discarded', draft: 'Draft saved' }[status];
    statusLine.className = 'save-status saved';
    await leaveOrAdvance(status);
  }

  /** After a record's response changed to `status`: it left this queue, or we move on. */
  async function leaveOrAdvance(/** @type {string} */ status) {
    const w = view.window;
    if (w && status !== view.status) {
      w.records.splice(view.pos - w.offset, 1);
      w.total -= 1;
    } else {
      view.pos += 1;
    }
    void refreshCounts();
    await show();
  }

  async function clearForm() {
    const record = view.record;
    if (!record) return;
    saver.cancel();
    while (saver.running) await saver.running;
    view.form = clearState(view.form);
    dropBackup(localStorage, record.id);
    const mine = myResponse();
    if (mine && mine.status === 'draft') {
      // A cleared draft is no answer at all: the record goes back to Pending.
      try {
        await api.del(`/api/v1/responses/${mine.id}`);
        record.responses = (record.responses || []).filter((/** @type {any} */ r) => r.id !== mine.id);
        statusLine.textContent = 'Cleared; the record is pending again';
        if (view.status === 'draft' && view.window) {
          view.window.records.splice(view.pos - view.window.offset, 1);
          view.window.total -= 1;
          void refreshCounts();
          await show();
          return;
        }
        void refreshCounts();
      } catch (err) {
        statusLine.textContent = `Could not clear: ${err instanceof Error ? err.message : err}`;
      }
    } else {
      statusLine.textContent = 'Cleared';
    }
    renderForm();
    renderRecord(false);
  }

  // ---- loading -------------------------------------------------------------------------------
  function searchBody() {
    const and = [{ type: 'terms', scope: { entity: 'response', property: 'status' }, values: [view.status] }];
    if (view.status === 'pending') {
      // A record that reached its min_submitted is no longer anyone's to do.
      and.push({ type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] });
    }
    /** @type {any} */
    const body = { filters: { type: 'and', and } };
    if (view.text) body.query = { text: { q: view.text } };
    if (SORTS[view.sort]) body.sort = SORTS[view.sort];
    if (view.meta) {
      const at = view.meta.indexOf('=');
      and.push({ type: 'terms', scope: /** @type {any} */ ({ entity: 'metadata', metadata_property: view.meta.slice(0, at) }), values: [view.meta.slice(at + 1)] });
    }
    return body;
  }

  /** @param {number} offset @param {number} [limit] */
  async function fetchPage(offset, limit = PAGE) {
    const url = `/api/v1/me/datasets/${datasetId}/records/search?include=responses&include=suggestions&offset=${offset}&limit=${limit}`;
    const res = await api.post(url, searchBody());
    return { offset, records: res.items.map((/** @type {any} */ it) => it.record), total: res.total };
  }

  async function refreshCounts() {
    const [metrics, pending] = await Promise.all([
      api.get(`/api/v1/me/datasets/${datasetId}/metrics`),
      api.post(`/api/v1/me/datasets/${datasetId}/records/search?offset=0&limit=1`, {
        filters: {
          type: 'and',
          and: [
            { type: 'terms', scope: { entity: 'response', property: 'status' }, values: ['pending'] },
            { type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] },
          ],
        },
      }),
    ]);
    /** @type {Record<string, number>} */
    const n = { pending: pending.total, draft: metrics.responses.draft, submitted: metrics.responses.submitted, discarded: metrics.responses.discarded };
    replace(
      counts,
      QUEUES.map((s) =>
        h(
          'a',
          {
            href: queueUrl(s, 0),
            class: s === view.status ? 'queue current' : 'queue',
            'aria-current': s === view.status ? 'page' : null,
            'data-queue': s,
            onclick: (/** @type {Event} */ ev) => {
              ev.preventDefault();
              ev.stopPropagation();
              view.status = s;
              view.pos = 0;
              void reload();
            },
          },
          `${s[0].toUpperCase()}${s.slice(1)} `,
          h('span', { class: 'count' }, String(n[s])),
        ),
      ),
    );
    const total = metrics.records.count;
    const done = metrics.responses.submitted + metrics.responses.discarded;
    const pct = total ? Math.round((100 * done) / total) : 0;
    const fill = h('span', { class: 'fill' });
    fill.style.width = `${pct}%`;
    replace(
      progress,
      h('span', { class: 'bar', role: 'progressbar', 'aria-label': 'My progress', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) }, fill),
      h('span', { class: 'label' }, `${done} of ${total} done (${pct}%)`),
    );
  }

  /** @param {string} status @param {number} pos */
  function queueUrl(status, pos) {
    const p = new URLSearchParams({ status, page: String(pos + 1) });
    if (view.text) p.set('q', view.text);
    if (view.sort !== 'default') p.set('sort', view.sort);
    if (view.meta) p.set('meta', view.meta);
    return `/datasets/${datasetId}/annotate?${p}`;
  }

  async function reload() {
    saver.cancel();
    view.window = null;
    void refreshCounts();
    await show();
  }

  /** Shows the record at `view.pos`, fetching its page when it is not in hand. */
  async function show() {
    let w = view.window;
    const inWindow = w && view.pos >= w.offset && view.pos < w.offset + w.records.length;
    if (!w || (!inWindow && view.pos < w.total)) w = view.window = await fetchPage(view.pos);
    view.record = w.records[view.pos - w.offset] || null;
    if (view.bulk) {
      position.textContent = `${w.total} in this queue`;
      renderBulkList();
      renderForm();
      return;
    }
    history.replaceState(null, '', queueUrl(view.status, view.pos));
    if (view.record) {
      const backup = readBackup(localStorage, view.record.id);
      view.form = initialState(questions, myResponse(), view.record.suggestions);
      if (backup) {
        view.form = { answers: backup, suggested: {}, dirty: true };
        statusLine.textContent = 'Restored answers that were not saved yet';
        const mine = myResponse();
        const values = responseBody(questions, view.form, 'draft').values;
        if ((!mine || mine.status === 'draft') && Object.keys(values).length) saver.changed({ record: view.record, values });
      } else if (!statusLine.classList.contains('saved')) {
        statusLine.textContent = '';
      }
      statusLine.classList.remove('saved');
      await markdownFor(view.record);
    }
    position.textContent = view.record ? `${view.pos + 1} of ${w.total}` : `${w.total} in this queue`;
    renderRecord(true);
    renderForm();
    // Prefetch: the next record's markdown, and the next page when close to the end of this one.
    const next = w.records[view.pos - w.offset + 1];
    if (next) void markdownFor(next);
    if (view.pos - w.offset > w.records.length - 5 && w.offset + w.records.length < w.total) void extendWindow(w);
    focusFirstQuestion();
  }

  /** @param {{offset: number, records: any[], total: number}} w */
  async function extendWindow(w) {
    const more = await fetchPage(w.offset + w.records.length);
    if (view.window === w) {
      w.records.push(...more.records.filter((/** @type {any} */ r) => !w.records.some((x) => x.id === r.id)));
      w.total = more.total;
    }
  }

  /** @param {number} delta */
  async function go(delta) {
    const w = view.window;
    if (!w || view.bulk) return;
    const to = view.pos + delta;
    if (to < 0 || to > w.total) return;
    await saver.flush();
    view.pos = to;
    await show();
  }

  // ---- markdown ------------------------------------------------------------------------------
  /** The markdown texts of a record, in a fixed order: text fields, then chat turns. */
  function markdownTexts(/** @type {any} */ record) {
    /** @type {string[]} */
    const texts = [];
    for (const f of fields) {
      const v = record.fields[f.name];
      if (v === undefined || v === null || !f.settings.use_markdown) continue;
      if (f.settings.type === 'text' && typeof v === 'string') texts.push(v);
      if (f.settings.type === 'chat' && Array.isArray(v)) for (const turn of v) texts.push(String(turn.content ?? ''));
    }
    return texts;
  }

  /** Where the text of field `name` sits in `markdownTexts(record)`. @param {any} record @param {string} name */
  function markdownIndex(record, name) {
    let i = 0;
    for (const f of fields) {
      if (f.name === name) return i;
      const v = record.fields[f.name];
      if (v === undefined || v === null || !f.settings.use_markdown) continue;
      if (f.settings.type === 'text' && typeof v === 'string') i += 1;
      if (f.settings.type === 'chat' && Array.isArray(v)) i += v.length;
    }
    return i;
  }

  /** Renders the markdown of many records in one request, into the cache. @param {any[]} records */
  async function markdownForMany(records) {
    const todo = records.filter((r) => !markdownCache.has(r.id));
    const texts = todo.map((r) => markdownTexts(r));
    const flat = texts.flat();
    const html = flat.length ? (await api.post('/api/v1/ui/markdown', { texts: flat })).items : [];
    let at = 0;
    todo.forEach((r, i) => {
      markdownCache.set(r.id, html.slice(at, at + texts[i].length));
      at += texts[i].length;
    });
  }

  /** @param {any} record */
  async function markdownFor(record) {
    if (markdownCache.has(record.id)) return markdownCache.get(record.id);
    const texts = markdownTexts(record);
    const html = texts.length ? (await api.post('/api/v1/ui/markdown', { texts })).items : [];
    markdownCache.set(record.id, html);
    return html;
  }

  // ---- rendering: the record -----------------------------------------------------------------
  /** @param {boolean} full */
  function renderRecord(full) {
    if (view.bulk) {
      renderBulkList();
      return;
    }
    const record = view.record;
    if (!record) {
      replace(recordPane, h('div', { class: 'empty' }, h('h2', null, 'Nothing here'), h('p', null, view.status === 'pending' ? 'No pending records: this queue is done.' : `No records in ${view.status}.`)));
      return;
    }
    if (!full && !questions.some((q) => q.settings.type === 'span')) return;
    const html = markdownCache.get(record.id) || [];
    let mi = 0;
    const items = fields.map((f, fi) => {
      const v = record.fields[f.name];
      const type = f.settings.type;
      /** @type {any} */
      let body;
      if (v === undefined || v === null) body = h('p', { class: 'muted' }, '(empty)');
      else if (type === 'text' && f.settings.use_markdown) body = trustedHtml('div', 'markdown', html[mi++] || '');
      else if (type === 'text') body = spanned(f.name, String(v));
      else if (type === 'image') body = imageOf(String(v), f.title);
      else if (type === 'chat' && Array.isArray(v)) {
        body = h(
          'ol',
          { class: 'chat' },
          v.map((turn) =>
            h(
              'li',
              { class: `turn role-${String(turn.role).replace(/[^a-z]/gi, '')}` },
              h('span', { class: 'role' }, String(turn.role)),
              f.settings.use_markdown ? trustedHtml('div', 'markdown', html[mi++] || '') : h('div', { class: 'text' }, String(turn.content ?? '')),
            ),
          ),
        );
      } else body = h('pre', { class: 'custom' }, JSON.stringify(v, null, 2));
      // Ids by position: a field name may hold characters an id list cannot (spaces).
      const about = f.description ? h('p', { class: 'field-description', id: `fd-${fi}` }, f.description) : null;
      return h(
        'div',
        { class: `field field-${type}`, 'data-field': f.name, role: 'group', 'aria-labelledby': `fh-${fi}`, 'aria-describedby': about ? `fd-${fi}` : null },
        h('h3', { id: `fh-${fi}` }, f.title),
        about,
        body,
      );
    });
    const meta = record.metadata && Object.keys(record.metadata).length
      ? h('details', { class: 'metadata' }, h('summary', null, 'Metadata'), h('dl', null, Object.entries(record.metadata).map(([k, v]) => [h('dt', null, k), h('dd', null, JSON.stringify(v))])))
      : null;
    replace(recordPane, items, meta);
  }

  /** A text field, with the spans of span questions on it highlighted. @param {string} name @param {string} text */
  function spanned(name, text) {
    const spanQuestions = questions.filter((q) => q.settings.type === 'span' && q.settings.field === name);
    const spans = spanQuestions.flatMap((q) => view.form.answers[q.name] || []);
    // Text selected here with the mouse is remembered for the span question's labels (onMouseUp).
    const attrs = { class: 'text', 'data-span-field': spanQuestions.length ? name : null };
    if (!spans.length) return h('div', attrs, text);
    return h(
      'div',
      attrs,
      spanSegments(text, spans).map((seg) => (seg.labels.length ? h('mark', { title: seg.labels.join(', '), 'data-labels': seg.labels.join(' ') }, seg.text) : seg.text)),
    );
  }

  /** @type {{field: string, start: number, end: number}|null} */
  let fieldSelection = null;

  /**
   * The document selection inside `container` as code-point offsets into `text`, or null.
   * @param {HTMLElement} container @param {string} field @param {string} text
   */
  function selectionIn(container, field, text) {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const whole = document.createRange();
    whole.selectNodeContents(container);
    // No overlap with the field; else clip the selection to it (a drag may end past the text).
    if (range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0 || range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0) return null;
    const offset = (/** @type {Node} */ node, /** @type {number} */ at) => {
      const r = document.createRange();
      r.selectNodeContents(container);
      r.setEnd(node, at);
      return codePointOffset(text, r.toString().length);
    };
    const start = range.compareBoundaryPoints(Range.START_TO_START, whole) >= 0 ? offset(range.startContainer, range.startOffset) : 0;
    const end = range.compareBoundaryPoints(Range.END_TO_END, whole) <= 0 ? offset(range.endContainer, range.endOffset) : Array.from(text).length;
    return end > start ? { field, start, end } : null;
  }

  /** After a mouse selection anywhere but the form: remember the part of a span field it covers. */
  function onMouseUp(/** @type {MouseEvent} */ ev) {
    if (ev.target instanceof Node && formPane.contains(ev.target)) return;
    fieldSelection = null;
    for (const el of recordPane.querySelectorAll('[data-span-field]')) {
      const container = /** @type {HTMLElement} */ (el);
      const field = container.dataset.spanField || '';
      const found = view.record ? selectionIn(container, field, String(view.record.fields[field] ?? '')) : null;
      if (found) fieldSelection = found;
    }
  }

  /** @param {string} src @param {string} alt */
  function imageOf(src, alt) {
    if (/^(https?:\/\/|data:image\/|\/)/i.test(src)) return h('img', { src, alt, loading: 'lazy' });
    return h('p', { class: 'muted' }, src);
  }

  // ---- rendering: the form -------------------------------------------------------------------
  function renderForm() {
    const record = view.record;
    if (!record) {
      replace(formPane);
      return;
    }
    const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
    const mine = view.bulk ? null : myResponse();
    const shown = view.bulk ? bulkQuestions : questions;
    const n = view.selected.size;
    const submittable = canSubmit(shown, view.form) && (!view.bulk || n > 0);
    const submitBtn = h('button', { type: 'button', class: 'primary', id: 'submit', disabled: !submittable, title: 'Submit (Enter)', onclick: () => void act('submitted') }, view.bulk ? `Submit ${n} selected` : 'Submit');
    replace(
      formPane,
      mine ? h('p', { class: `status-tag ${mine.status}` }, `Your response: ${mine.status}`) : null,
      view.bulk ? h('p', { class: 'status-tag' }, `One answer for ${n} selected record${n === 1 ? '' : 's'}`) : null,
      shown.map((q) => questionEl(q)),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', id: 'discard', title: 'Discard (Backspace)', onclick: () => void act('discarded') }, 'Discard'),
        h('button', { type: 'button', id: 'clear', title: 'Clear (Shift+Space)', onclick: () => void clearForm() }, 'Clear'),
        h('button', { type: 'button', id: 'draft', title: 'Save draft (Ctrl+S)', onclick: () => void act('draft') }, 'Save draft'),
        submitBtn,
      ),
    );
    if (focusedKey) {
      const again = formPane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
      if (again instanceof HTMLElement) again.focus();
    }
  }

  /** @param {Question} q */
  function questionEl(q) {
    const value = view.form.answers[q.name];
    const suggestion = view.form.suggested[q.name];
    const answered = isAnswered(q, value);
    const head = h(
      'div',
      { class: 'q-head' },
      h('h3', { id: `q-${q.name}` }, q.title, q.required ? h('span', { class: 'required', title: 'Required', 'aria-label': 'required' }, ' *') : null),
      suggestion
        ? h('span', { class: 'suggested', tabindex: '0', 'data-tip': suggestionTitle(suggestion), title: suggestionTitle(suggestion), 'data-key': `${q.name}:suggestion` }, 'Suggested')
        : null,
      q.description ? h('button', { type: 'button', class: 'info link', 'aria-label': `About ${q.title}`, title: q.description, onclick: () => togglePanel('guidelines') }, 'about') : null,
    );
    const type = q.settings.type;
    /** @type {any} */
    let body;
    if (type === 'label_selection' || type === 'multi_label_selection') body = labelsEl(q, value);
    else if (type === 'rating') body = ratingEl(q, value);
    else if (type === 'ranking') body = rankingEl(q, value);
    else if (type === 'text') body = textEl(q, value);
    else if (type === 'span') body = spanEl(q, value);
    else body = h('p', { class: 'muted' }, `Unsupported question type ${type}`);
    return h(
      'section',
      {
        class: `question q-${type}${answered ? ' answered' : ''}${suggestion ? ' from-suggestion' : ''}${view.activeQuestion === q.name ? ' active' : ''}`,
        'data-question': q.name,
        'aria-labelledby': `q-${q.name}`,
        tabindex: '-1',
        onfocusin: () => {
          view.activeQuestion = q.name;
        },
      },
      head,
      body,
    );
  }

  /** @param {Question} q @param {any} value */
  function labelsEl(q, value) {
    const multi = q.settings.type === 'multi_label_selection';
    const state = (view.ui[q.name] ||= { filter: '', expanded: false });
    const { shown, hidden } = visibleOptions(q, state.filter, state.expanded);
    const options = q.settings.options || [];
    const selected = multi ? new Set(value || []) : new Set(value ? [value] : []);
    const many = options.length > 5 || !!q.settings.visible_options;
    return h(
      'div',
      { class: 'labels' },
      many
        ? h('input', {
            type: 'search',
            class: 'filter',
            placeholder: 'Filter labels',
            'aria-label': `Filter labels of ${q.title}`,
            value: state.filter,
            'data-key': `${q.name}:filter`,
            oninput: (/** @type {Event} */ ev) => {
              state.filter = /** @type {HTMLInputElement} */ (ev.target).value;
              renderForm();
            },
          })
        : null,
      h(
        'div',
        { class: 'options', role: multi ? 'group' : 'radiogroup', 'aria-labelledby': `q-${q.name}` },
        shown.map((opt, i) =>
          h(
            'button',
            {
              type: 'button',
              class: `option${selected.has(opt.value) ? ' selected' : ''}`,
              role: multi ? 'checkbox' : 'radio',
              'aria-checked': selected.has(opt.value) ? 'true' : 'false',
              'data-option': opt.value,
              'data-key': `${q.name}:${opt.value}`,
              title: opt.description || null,
              onclick: () => pickOption(q, opt.value),
            },
            i < 9 ? h('kbd', null, String(i + 1)) : null,
            opt.text || opt.value,
          ),
        ),
        hidden
          ? h('button', { type: 'button', class: 'link more', onclick: () => { state.expanded = true; renderForm(); } }, `+${hidden} more`)
          : null,
      ),
    );
  }

  /** @param {Question} q @param {string} option */
  function pickOption(q, option) {
    if (q.settings.type === 'multi_label_selection') {
      view.form = setAnswer(view.form, q.name, toggleLabel(view.form.answers[q.name], option, q.settings.options || []));
    } else {
      view.form = setAnswer(view.form, q.name, view.form.answers[q.name] === option ? undefined : option);
    }
    changed();
  }

  /** @param {Question} q @param {any} value */
  function ratingEl(q, value) {
    return h(
      'div',
      { class: 'options rating', role: 'radiogroup', 'aria-labelledby': `q-${q.name}` },
      (q.settings.options || []).map((opt) =>
        h(
          'button',
          {
            type: 'button',
            class: `option${value === opt.value ? ' selected' : ''}`,
            role: 'radio',
            'aria-checked': value === opt.value ? 'true' : 'false',
            'data-option': String(opt.value),
            'data-key': `${q.name}:${opt.value}`,
            onclick: () => {
              view.form = setAnswer(view.form, q.name, value === opt.value ? undefined : opt.value);
              changed();
            },
          },
          String(opt.value),
        ),
      ),
    );
  }

  /** @param {Question} q @param {any} value */
  function rankingEl(q, value) {
    const order = rankingOrder(q, value);
    const byValue = Object.fromEntries((q.settings.options || []).map((o) => [o.value, o]));
    /** @type {string|null} */
    let dragged = null;
    /** @param {string} item @param {number} delta */
    const move = (item, delta) => {
      view.form = setAnswer(view.form, q.name, moveRank(order, item, delta));
      changed();
    };
    return h(
      'div',
      { class: 'ranking' },
      h(
        'ol',
        { class: 'rank-list', 'aria-labelledby': `q-${q.name}` },
        order.map((item, i) =>
          h(
            'li',
            {
              tabindex: '0',
              draggable: 'true',
              class: 'rank-item',
              'data-rank-item': item,
              'data-key': `${q.name}:${item}`,
              'aria-label': `${byValue[item]?.text || item}, rank ${i + 1} of ${order.length}. Up and down arrows move it.`,
              onkeydown: (/** @type {KeyboardEvent} */ ev) => {
                if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
                  ev.preventDefault();
                  ev.stopPropagation();
                  move(item, ev.key === 'ArrowUp' ? -1 : 1);
                } else if (/^[1-9]$/.test(ev.key)) {
                  ev.preventDefault();
                  ev.stopPropagation();
                  move(item, Number(ev.key) - 1 - i);
                }
              },
              ondragstart: (/** @type {DragEvent} */ ev) => {
                dragged = item;
                if (ev.dataTransfer) ev.dataTransfer.setData('text/plain', item);
              },
              ondragover: (/** @type {DragEvent} */ ev) => ev.preventDefault(),
              ondrop: (/** @type {DragEvent} */ ev) => {
                ev.preventDefault();
                const from = dragged || (ev.dataTransfer ? ev.dataTransfer.getData('text/plain') : '');
                if (from && from !== item) move(from, i - order.indexOf(from));
              },
            },
            h('span', { class: 'rank' }, String(i + 1)),
            byValue[item]?.text || item,
          ),
        ),
      ),
      !isAnswered(q, value)
        ? h('button', { type: 'button', class: 'link', 'data-key': `${q.name}:keep`, onclick: () => move(order[0], 0) }, 'Keep this order')
        : null,
    );
  }

  /** @param {Question} q @param {any} value */
  function textEl(q, value) {
    const state = (view.ui[q.name] ||= { filter: '', expanded: false });
    const area = /** @type {HTMLTextAreaElement} */ (
      h('textarea', {
        rows: '4',
        'aria-labelledby': `q-${q.name}`,
        'data-key': `${q.name}:text`,
        value: value || '',
        oninput: (/** @type {Event} */ ev) => {
          const text = /** @type {HTMLTextAreaElement} */ (ev.target).value;
          view.form = setAnswer(view.form, q.name, text === '' ? undefined : text);
          // No full re-render while typing: keep the caret; update what depends on the answer.
          if (view.bulk) {
            const submit = /** @type {HTMLButtonElement|null} */ (formPane.querySelector('#submit'));
            if (submit) submit.disabled = !canSubmit(bulkQuestions, view.form) || view.selected.size === 0;
            return;
          }
          keepBackup(localStorage, record().id, view.form.answers);
          const section = area.closest('.question');
          if (section) section.classList.toggle('answered', isAnswered(q, view.form.answers[q.name]));
          const submit = /** @type {HTMLButtonElement|null} */ (formPane.querySelector('#submit'));
          if (submit) submit.disabled = !canSubmit(questions, view.form);
          const mine = myResponse();
          if (!mine || mine.status === 'draft') {
            const values = responseBody(questions, view.form, 'draft').values;
            if (Object.keys(values).length) saver.changed({ record: record(), values });
          }
        },
      })
    );
    if (!q.settings.use_markdown) return area;
    const preview = h('div', { class: 'markdown preview', hidden: !state.expanded });
    const toggle = h('button', {
      type: 'button',
      class: 'link',
      'aria-pressed': state.expanded ? 'true' : 'false',
      onclick: async () => {
        state.expanded = !state.expanded;
        renderForm();
      },
    }, state.expanded ? 'Hide preview' : 'Preview markdown');
    if (state.expanded && area.value) {
      void api.post('/api/v1/ui/markdown', { texts: [area.value] }).then((res) => replace(preview, trustedHtml('div', 'md', res.items[0])));
    }
    return h('div', { class: 'text-md' }, area, toggle, preview);
  }

  /** @param {Question} q @param {any} value */
  function spanEl(q, value) {
    const fieldName = q.settings.field || '';
    const text = String(view.record.fields[fieldName] ?? '');
    const spans = /** @type {import('../lib/form.js').Span[]} */ (value || []);
    const source = /** @type {HTMLTextAreaElement} */ (
      h('textarea', {
        class: 'span-source',
        rows: '4',
        'aria-readonly': 'true',
        'aria-label': `Text of ${fieldName}: select a part with Shift and the arrows, then pick a label`,
        'data-key': `${q.name}:source`,
        'data-span-source': 'true',
        value: text,
        // Not `readonly`: browsers give a read-only text area no caret, so no keyboard selection.
        // Edits are refused instead.
        onbeforeinput: (/** @type {Event} */ ev) => ev.preventDefault(),
      })
    );
    /** @param {string} label */
    const addLabel = (label) => {
      let start = codePointOffset(text, source.selectionStart);
      let end = codePointOffset(text, source.selectionEnd);
      if (end <= start && fieldSelection && fieldSelection.field === fieldName) {
        ({ start, end } = fieldSelection);
      }
      fieldSelection = null;
      if (end <= start) {
        statusLine.textContent = 'Select some text first (in the field, or with Shift and the arrows in the text box), then pick a label.';
        return;
      }
      const next = addSpan(view.form.answers[q.name], { label, start, end }, !!q.settings.allow_overlapping);
      if (!next) {
        statusLine.textContent = 'That span overlaps another one; this question does not allow overlapping spans.';
        return;
      }
      view.form = setAnswer(view.form, q.name, next);
      changed();
    };
    const options = q.settings.options || [];
    return h(
      'div',
      { class: 'span-q' },
      source,
      h(
        'div',
        { class: 'options', role: 'group', 'aria-label': 'Span labels' },
        options.map((opt, i) =>
          h('button', { type: 'button', class: 'option', 'data-option': opt.value, 'data-key': `${q.name}:${opt.value}`, onclick: () => addLabel(opt.value) }, i < 9 ? h('kbd', null, String(i + 1)) : null, opt.text || opt.value),
        ),
      ),
      h(
        'ul',
        { class: 'spans' },
        spans.map((s, i) =>
          h(
            'li',
            null,
            h('span', { class: 'span-label' }, s.label),
            ` “${spanText(text, s)}” `,
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                'aria-label': `Remove ${s.label} span ${spanText(text, s)}`,
                onclick: () => {
                  const rest = spans.filter((_, j) => j !== i);
                  view.form = setAnswer(view.form, q.name, rest);
                  changed();
                },
              },
              'remove',
            ),
          ),
        ),
      ),
    );
  }

  function record() {
    return view.record;
  }

  // ---- the bulk view -------------------------------------------------------------------------
  function bulkRecords() {
    const w = view.window;
    return w ? w.records.slice(view.pos - w.offset, view.pos - w.offset + BULK_SIZE) : [];
  }

  async function toggleBulk() {
    await saver.flush();
    view.bulk = !view.bulk;
    bulkBtn.setAttribute('aria-pressed', String(view.bulk));
    bulkBtn.textContent = view.bulk ? 'Single record' : 'Bulk view';
    view.selected = new Set();
    if (view.bulk) {
      const w = view.window;
      if (w && view.pos - w.offset + BULK_SIZE > w.records.length && w.offset + w.records.length < w.total) await extendWindow(w);
      view.form = initialState(questions, null, null);
      position.textContent = `${w ? w.total : 0} in this queue`;
      renderBulkList();
      renderForm();
    } else {
      await show();
    }
  }

  function renderBulkList() {
    const records = bulkRecords();
    if (!records.length) {
      replace(recordPane, h('div', { class: 'empty' }, h('p', null, `No records in ${view.status}.`)));
      return;
    }
    const all = records.every((r) => view.selected.has(r.id));
    // Markdown previews come from the server's sanitised renderer, for the whole page of records
    // in one request (and from the cache the single-record view shares); until then, plain text.
    const missing = records.filter((r) => !markdownCache.has(r.id) && markdownTexts(r).length);
    if (missing.length) {
      void markdownForMany(missing)
        .then(() => {
          if (view.bulk && bulkRecords().some((r) => missing.includes(r))) renderBulkList();
        })
        .catch(() => {}); // the plain-text previews stay; the next render asks again
    }
    const preview = (/** @type {any} */ r) => {
      const f = fields.find((it) => typeof r.fields[it.name] === 'string' && it.settings.type === 'text');
      const html = f && f.settings.use_markdown ? markdownCache.get(r.id) : undefined;
      if (f && html) return trustedHtml('div', 'preview markdown', html[markdownIndex(r, f.name)] || '');
      const text = f ? String(r.fields[f.name]) : JSON.stringify(r.fields);
      return h('span', { class: 'preview' }, text.length > 280 ? `${text.slice(0, 280)}…` : text);
    };
    const toggle = (/** @type {string[]} */ ids, /** @type {boolean} */ on) => {
      for (const id of ids) {
        if (on) view.selected.add(id);
        else view.selected.delete(id);
      }
      renderBulkList();
      renderForm();
    };
    replace(
      recordPane,
      h(
        'label',
        { class: 'select-all' },
        h('input', { type: 'checkbox', id: 'select-all', checked: all, 'data-key': 'bulk:all', onchange: (/** @type {Event} */ ev) => toggle(records.map((r) => r.id), /** @type {HTMLInputElement} */ (ev.target).checked) }),
        ` Select all ${records.length} shown`,
      ),
      h(
        'ul',
        { class: 'bulk-list' },
        records.map((r) =>
          h(
            'li',
            { class: view.selected.has(r.id) ? 'selected' : '' },
            h(
              'label',
              null,
              h('input', {
                type: 'checkbox',
                'data-bulk-record': r.id,
                'data-key': `bulk:${r.id}`,
                checked: view.selected.has(r.id),
                onchange: (/** @type {Event} */ ev) => toggle([r.id], /** @type {HTMLInputElement} */ (ev.target).checked),
              }),
              preview(r),
            ),
          ),
        ),
      ),
    );
    const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
    if (focusedKey) {
      const again = recordPane.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
      if (again instanceof HTMLElement) again.focus();
    }
  }

  /** One answer for every selected record: `POST /api/v1/me/responses/bulk`. @param {string} status */
  async function bulkAct(status) {
    const ids = bulkRecords().map((r) => r.id).filter((id) => view.selected.has(id));
    if (!ids.length) {
      statusLine.textContent = 'Select records first.';
      return;
    }
    if (status === 'submitted' && !canSubmit(bulkQuestions, view.form)) {
      statusLine.textContent = `Answer the required questions first: ${missingRequired(bulkQuestions, view.form).join(', ')}`;
      return;
    }
    const values = responseBody(bulkQuestions, view.form, status).values;
    statusLine.textContent = `Saving ${ids.length} responses…`;
    let res;
    try {
      res = await api.post('/api/v1/me/responses/bulk', { items: ids.map((record_id) => ({ record_id, status, values })) });
    } catch (err) {
      statusLine.textContent = `Not saved: ${err instanceof Error ? err.message : err}. Your answers are kept.`;
      return;
    }
    const failed = res.items.filter((/** @type {any} */ it) => it.error);
    const w = view.window;
    if (w && status !== view.status) {
      const done = new Set(ids.filter((_, i) => !res.items[i].error));
      w.records = w.records.filter((r) => !done.has(r.id));
      w.total -= done.size;
    }
    view.selected = new Set();
    view.form = initialState(questions, null, null);
    statusLine.textContent = failed.length
      ? `${ids.length - failed.length} saved, ${failed.length} failed: ${failed[0].error.detail}`
      : `${ids.length} records ${status === 'submitted' ? 'submitted' : status === 'discarded' ? 'discarded' : 'saved as drafts'}`;
    void refreshCounts();
    if (w && bulkRecords().length < BULK_SIZE && w.offset + w.records.length < w.total) await extendWindow(w);
    renderBulkList();
    renderForm();
  }

  // ---- panels and focus ----------------------------------------------------------------------
  /** @param {'guidelines'|'help'} which */
  function togglePanel(which) {
    const open = which === 'guidelines' ? !view.guidelines : !view.help;
    view.guidelines = which === 'guidelines' && open;
    view.help = which === 'help' && open;
    if (!open) {
      side.hidden = true;
      return;
    }
    side.hidden = false;
    if (view.help) {
      replace(side, h('h2', null, 'Keyboard shortcuts'), h('dl', { class: 'shortcuts' }, SHORTCUTS.map(([k, d]) => [h('dt', null, h('kbd', null, k)), h('dd', null, d)])), closeBtn());
    } else {
      const guide = h('div', { class: 'markdown' }, dataset.guidelines ? '' : h('p', { class: 'muted' }, 'This dataset has no guidelines.'));
      if (dataset.guidelines) void api.post('/api/v1/ui/markdown', { texts: [dataset.guidelines] }).then((res) => replace(guide, trustedHtml('div', 'md', res.items[0])));
      replace(
        side,
        h('h2', null, 'Guidelines'),
        guide,
        h('h2', null, 'Questions'),
        h('dl', { class: 'descriptions' }, questions.map((q) => [h('dt', null, q.title, q.required ? ' *' : ''), h('dd', null, q.description || '—')])),
        fields.some((f) => f.description)
          ? [h('h2', null, 'Fields'), h('dl', { class: 'descriptions' }, fields.filter((f) => f.description).map((f) => [h('dt', null, f.title), h('dd', null, f.description)]))]
          : null,
        closeBtn(),
      );
    }
    side.focus();
  }

  function closeBtn() {
    return h('button', { type: 'button', onclick: () => { view.guidelines = view.help = false; side.hidden = true; focusFirstQuestion(); } }, 'Close (Esc)');
  }
  side.setAttribute('tabindex', '-1');

  /** @param {HTMLElement} section */
  function focusQuestion(section) {
    // In this order: a selector list would return the first match in document order (the
    // label filter box, before the labels).
    const target = ['[data-option].selected', '[data-option]', '[data-rank-item]', 'textarea', 'input']
      .map((sel) => section.querySelector(sel))
      .find((it) => it);
    (/** @type {HTMLElement} */ (target || section)).focus();
  }

  function focusFirstQuestion() {
    const first = formPane.querySelector('.question');
    if (first instanceof HTMLElement && !formPane.contains(document.activeElement)) focusQuestion(first);
  }

  /** The question number keys act on: the focused one, else the first that takes a pick. */
  function activeQuestion() {
    const el = document.activeElement;
    const section = el instanceof HTMLElement ? el.closest('[data-question]') : null;
    if (!section && fieldSelection) {
      // Text just selected in a field: number keys label it.
      const field = fieldSelection.field;
      const spanQ = questions.find((q) => q.settings.type === 'span' && q.settings.field === field);
      if (spanQ) return spanQ;
    }
    const name = section instanceof HTMLElement ? section.dataset.question : view.activeQuestion;
    return questions.find((q) => q.name === name) || questions.find((q) => ['label_selection', 'multi_label_selection', 'rating'].includes(q.settings.type));
  }

  /** @param {number} n */
  function pick(n) {
    const q = activeQuestion();
    if (!q) return;
    if (q.settings.type === 'rating') {
      const opt = (q.settings.options || [])[n - 1];
      if (opt) {
        view.form = setAnswer(view.form, q.name, opt.value);
        changed();
      }
      return;
    }
    if (q.settings.type === 'label_selection' || q.settings.type === 'multi_label_selection') {
      const state = view.ui[q.name] || { filter: '', expanded: false };
      const opt = visibleOptions(q, state.filter, state.expanded).shown[n - 1];
      if (opt) pickOption(q, opt.value);
      return;
    }
    if (q.settings.type === 'span') {
      const opt = (q.settings.options || [])[n - 1];
      const btn = formPane.querySelector(`[data-question="${CSS.escape(q.name)}"] [data-option="${CSS.escape(opt ? opt.value : '')}"]`);
      if (btn instanceof HTMLElement) {
        // Keep the selection: the button reads it from the text box.
        btn.click();
      }
    }
  }

  /** @param {KeyboardEvent} ev */
  function onKey(ev) {
    if (ev.defaultPrevented) return;
    const target = /** @type {any} */ (ev.target);
    const inSpanSource = target instanceof HTMLTextAreaElement && target.dataset.spanSource === 'true';
    const onButton = target instanceof HTMLElement && (target.tagName === 'A' || (target.tagName === 'BUTTON' && !target.dataset.option));
    const inForm = target instanceof HTMLElement && (formPane.contains(target) || target === document.body || recordPane.contains(target) || target === main);
    const action = actionFor(ev, { inTextEntry: isTextEntry(target) && !inSpanSource, onButton, inSelectableText: inSpanSource });
    if (!action) return;
    if (action === 'escape') {
      if (!side.hidden) {
        view.guidelines = view.help = false;
        side.hidden = true;
        focusFirstQuestion();
      } else if (isTextEntry(target)) target.blur();
      return;
    }
    if (action === 'guidelines' || action === 'help') {
      ev.preventDefault();
      togglePanel(action);
      return;
    }
    if (!view.record && action !== 'prev') return;
    if (!inForm && !(action === 'prev' || action === 'next')) return;
    ev.preventDefault();
    if (action === 'submit') void act('submitted');
    else if (action === 'discard') void act('discarded');
    else if (action === 'draft') void act('draft');
    else if (action === 'clear') void clearForm();
    else if (action === 'prev') void go(-1);
    else if (action === 'next') void go(1);
    else if (typeof action === 'object') pick(action.pick);
  }

  document.addEventListener('keydown', onKey);
  document.addEventListener('mouseup', onMouseUp);
  const beforeUnload = (/** @type {BeforeUnloadEvent} */ ev) => {
    if (saver.hasPending || saver.running) {
      void saver.flush();
      ev.preventDefault();
    }
  };
  window.addEventListener('beforeunload', beforeUnload);

  view.window = await firstPage;
  await Promise.all([refreshCounts(), show()]);
  return () => {
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('mouseup', onMouseUp);
    window.removeEventListener('beforeunload', beforeUnload);
    void saver.flush();
  };
}
