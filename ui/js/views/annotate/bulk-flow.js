// The bulk view's flow: switching it on and off, reading a page of the queue (its size chosen,
// kept in the URL), paging with ← / →, selecting (records, a page, or all records matching the
// queue's search and filters), and answering the selection at once: the ids of every matching
// record are collected first, then sent in batches to `POST /api/v1/me/responses/bulk`, with
// progress in the status line. After an answer the page is read again, so the records, the total
// and the counts shown are the server's. The pane itself is annotate/bulk.js; the rules lib/bulk.js.

import { answeredText, answerInBatches, collectIds, noSelection, pageAfter, pageLabel, pageStart, pageStep, selectAll, selectedCount, toggle } from '../../lib/bulk.js';
import { canSubmit, initialState, missingRequired, responseBody } from '../../lib/form.js';
import { BULK_SIZES } from '../../lib/queue.js';
import { answerMany, takeBulkTime } from './responses.js';
import { renderBulk, updateSelection } from './bulk.js';

/** @typedef {import('../../lib/queue.js').Window} Window */
/** @typedef {import('../../lib/queue.js').QueueQuery} QueueQuery */
/** @typedef {import('../../lib/form.js').Question} Question */

/**
 * What the flow works with: the view's query (its `bulk` is the page size, 0 when off), panes and
 * lines, how to read the queue, and the view's form.
 * @typedef {object} BulkDeps
 * @property {QueueQuery} q
 * @property {string} userId
 * @property {any[]} fields
 * @property {Question[]} questions all the dataset's questions (suggestions are named by them)
 * @property {Question[]} bulkQuestions the questions answered for many records at once
 * @property {import('../../lib/markdown.js').MarkdownCache} markdown
 * @property {{recordPane: HTMLElement, position: HTMLElement, statusLine: HTMLElement, bulkBtn: HTMLElement}} els
 * @property {(offset: number, limit: number) => Promise<Window>} fetchPage the queue from `offset`
 * @property {(offset: number, limit: number) => Promise<{ids: string[], total: number}>} fetchIds
 * @property {() => string} key what the queue is (its search body): a selection is of one queue
 * @property {() => import('../../lib/form.js').FormState} form the answers being given
 * @property {(form: import('../../lib/form.js').FormState) => void} setForm
 * @property {(record: any) => void} setRecord the record the question pane answers for (the page's first)
 * @property {() => void} renderForm
 * @property {() => void} refreshCounts
 * @property {() => void} saveUrl writes the view's URL
 * @property {() => HTMLElement|null} empty what an empty page says (null: "No records in …")
 */

/** @param {BulkDeps} d */
export function bulkFlow(d) {
  const { q, els } = d;
  /** @type {Window} */
  let page = { offset: 0, records: [], total: 0 };
  let selection = noSelection();
  let selectionKey = '';
  let busy = false;

  const model = () => ({
    page,
    size: q.bulk,
    selection,
    queue: q.status,
    fields: d.fields,
    questions: d.questions,
    userId: d.userId,
    markdown: d.markdown,
    search: q.text,
    on: {
      toggle: (/** @type {string[]} */ ids, /** @type {boolean} */ on) => select(toggle(selection, ids, on, page.records.map((r) => r.id))),
      selectAll: () => select(selectAll(page.total)),
      clear: () => select(noSelection()),
      go: (/** @type {number} */ delta) => void go(delta),
      resize: (/** @type {number} */ size) => void resize(size),
    },
  });

  /** @param {import('../../lib/bulk.js').Selection} s */
  function select(s) {
    selection = s;
    updateSelection(els.recordPane, model());
    d.renderForm();
  }

  function render() {
    els.position.textContent = pageLabel(page.offset, page.records.length, page.total);
    renderBulk(els.recordPane, model(), d.empty());
  }

  /** Reads the page at `q.pos` (its start), and shows it. */
  async function load() {
    // Another queue, search or filter: what was selected is not of it.
    if (d.key() !== selectionKey) {
      selection = noSelection();
      selectionKey = d.key();
    }
    const offset = pageStart(q.pos, q.bulk);
    let next = await d.fetchPage(offset, q.bulk);
    const fitting = pageAfter(offset, q.bulk, next.total);
    // Past the end (the last page emptied): the last page that has records.
    if (fitting !== offset) next = await d.fetchPage(fitting, q.bulk);
    await d.markdown.forMany(next.records).catch(() => {}); // plain "(empty)" bodies are not shown: the cache answers or the request failed
    page = next;
    q.pos = page.offset;
    d.setRecord(page.records[0] || null);
    d.saveUrl();
    render();
    d.renderForm();
  }

  /** @param {number} delta */
  async function go(delta) {
    const to = pageStep(page.offset, q.bulk, page.total, delta);
    if (to === null || busy) return;
    q.pos = to;
    await load();
  }

  /** @param {number} size */
  async function resize(size) {
    if (!BULK_SIZES.includes(size)) return;
    q.bulk = size;
    q.pos = pageStart(page.offset, size);
    await load();
  }

  /** The toggle says which view is on. */
  function markButton() {
    els.bulkBtn.setAttribute('aria-pressed', String(q.bulk > 0));
    els.bulkBtn.textContent = q.bulk ? 'Single record' : 'Bulk view';
  }
  markButton();

  /** Turns the bulk view on (at the page holding `q.pos`) or off. */
  async function toggleView() {
    const on = !q.bulk;
    q.bulk = on ? BULK_SIZES[0] : 0;
    markButton();
    selection = noSelection();
    d.setForm(initialState(d.questions, null, null));
    if (on) await load();
  }

  /** One answer for every selected record. @param {'submitted'|'discarded'|'draft'} status */
  async function act(status) {
    const n = selectedCount(selection);
    if (!n) {
      els.statusLine.textContent = 'Select records first.';
      return;
    }
    if (status === 'submitted' && !canSubmit(d.bulkQuestions, d.form())) {
      els.statusLine.textContent = `Answer the required questions first: ${missingRequired(d.bulkQuestions, d.form()).join(', ')}`;
      return;
    }
    if (busy) return;
    busy = true;
    const values = responseBody(d.bulkQuestions, d.form(), status).values;
    /** @type {ReturnType<typeof takeBulkTime>|null} */
    let time = null;
    try {
      let ids = page.records.map((r) => r.id).filter((id) => selection.ids.has(id));
      if (selection.all) {
        els.statusLine.textContent = `Finding the ${n} matching records…`;
        ids = await collectIds(d.fetchIds);
      }
      els.statusLine.textContent = `Saving ${ids.length} responses…`;
      time = takeBulkTime(ids.length);
      const shares = time.shares;
      let at = 0;
      const res = await answerInBatches(
        ids,
        (batch) => answerMany(batch, status, values, shares && shares.slice(at, (at += batch.length))),
        (done, total) => {
          els.statusLine.textContent = `Saving responses: ${done} of ${total}…`;
        },
      );
      els.statusLine.textContent = answeredText(res, status);
      els.statusLine.className = `save-status ${res.failed.length || res.error ? 'error' : 'saved'}`;
      if (res.error && !res.saved) {
        time.giveBack();
        return; // nothing was written: the answers and selection stay
      }
    } catch (err) {
      if (time) time.giveBack();
      els.statusLine.textContent = `Not saved: ${err instanceof Error ? err.message : err}. Your answers are kept.`;
      els.statusLine.className = 'save-status error';
      return;
    } finally {
      busy = false;
    }
    selection = noSelection();
    d.setForm(initialState(d.questions, null, null));
    d.refreshCounts();
    await load();
  }

  return {
    /** Whether the bulk view is on. */
    active: () => q.bulk > 0,
    /** How many records the answer would go to. */
    count: () => selectedCount(selection),
    toggle: toggleView,
    load,
    go,
    act,
    render,
  };
}
