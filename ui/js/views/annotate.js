// The annotation view: the record's fields on one side, the question form on the other, queues
// with counts, the Feedback UI's shortcuts, draft autosave, guidelines one key away.
//
// This module holds the view's state and its flows (loading a queue, moving through it, saving,
// the bulk view); the parts live beside it: annotate/toolbar.js (the frame, counts, progress),
// annotate/record.js (the record pane), annotate/form-pane.js with annotate/editors/ (the
// questions), annotate/bulk-lazy.js loading annotate/bulk-flow.js with annotate/bulk.js (the bulk view),
// annotate/filter-bar.js with annotate/filters.js (filters, sort, chips), annotate/panels.js (guidelines,
// shortcuts, the side panel's state), annotate/queue-reader.js (pages of the queue, the tabs' figures), annotate/keyboard.js and annotate/responses.js (what the view writes), annotate/undo.js
// (the last submit or discard undone), annotate/leases.js (the Pending queue's record leased to the
// annotator, issue 20), annotate/timing.js (time on task, sent with each save) and
// annotate/edit-record.js (owners and admins edit the record; its history; loaded by annotate/record-extras.js
// when needed, as annotate/review-notes.js). The pure rules are in lib/queue.js, lib/leases.js, lib/answers.js,
// lib/markdown.js, lib/form.js, lib/keys.js, lib/drafts.js, lib/suggestions.js and lib/undo.js
// (filters, bulk and highlighting: lib/filters.js, lib/bulk.js, lib/highlight.js).

import * as api from '../api.js';
import { afterFrame, h } from '../dom.js';
import { draftValues, openingForm, ownResponse } from '../lib/answers.js';
import { dropBackup, keepBackup, readBackup } from '../lib/drafts.js';
import { canSubmit, clearState, initialState, isAnswered, missingRequired, responseBody, setAnswer } from '../lib/form.js';
import { MarkdownCache } from '../lib/markdown.js';
import { heldMessage, leasedQueue } from '../lib/leases.js';
import { afterAnswer, dropAt, extend, narrowed, nearEnd, needsPage, progressOf, queueCounts, queueQuery, queueUrl, recordAt, searchBody, statusInQueue, step } from '../lib/queue.js';
import { mayReviewDataset } from '../lib/roles.js';
import { lazyBulk } from './annotate/bulk-lazy.js';
import { filterBar } from './annotate/filter-bar.js';
import { Leases } from './annotate/leases.js';
import { focusFirstQuestion, focusQuestion, renderFormPane } from './annotate/form-pane.js';
import { keyHandler, moveQuestion, pick, questionForKeys } from './annotate/keyboard.js';
import { sidePanel } from './annotate/panels.js';
import { QueueReader } from './annotate/queue-reader.js';
import { fieldSelection, renderNothing, renderRecord as renderRecordPane } from './annotate/record.js';
import { deleteResponse, draftSaver, saveResponse, settle, useSaveExtras } from './annotate/responses.js';
import { watchActivity } from './annotate/timing.js';
import { mayManage } from '../lib/roles.js';
import { buildFrame, renderProgress, renderQueues } from './annotate/toolbar.js';
import { recordExtras } from './annotate/record-extras.js';
import { BULK } from '../lib/timing.js';
import { LastAnswer } from './annotate/undo.js';
import { putBack, queueKey, snapshot } from '../lib/undo.js';

/** Records ahead whose markdown is asked for in one request when the next one's is missing. */
const PREFETCH = 5;

/** @typedef {import('../lib/form.js').Question} Question */
/** @typedef {import('../lib/form.js').FormState} FormState */
/** @typedef {import('../lib/queue.js').Window} Window */
/** @typedef {import('./annotate/editors/context.js').EditorContext} EditorContext */

/** @param {HTMLElement} main @param {{id: string, query: URLSearchParams, me: any}} params */
export async function render(main, params) {
  const datasetId = params.id;
  const me = params.me;
  /** Which queue, where in it, and how it is searched, sorted and filtered (the URL's query). */
  const q = queueQuery(params.query);
  const view = {
    /** @type {Window|null} */
    window: null,
    /** @type {any} */
    record: null,
    /** @type {FormState} */
    form: initialState([], null, null),
    /** @type {Record<string, {filter: string, expanded: boolean}>} */
    ui: {},
    /** @type {string|null} */
    activeQuestion: null,
    /** Text last selected with the mouse in a span field. @type {import('../lib/answers.js').FieldSelection|null} */
    fieldSelection: null,
    /** Pending records others hold when none is free for the caller (0: not that case). */
    held: 0,
    /** The lease of the record shown, while it is asked for. @type {Promise<any>|null} */
    leasing: null,
  };
  let closed = false; // the view was left (its cleanup ran)
  const reader = new QueueReader(datasetId, q);
  /** @param {number} offset @param {number} [limit] */
  const fetchPage = (offset, limit) => reader.page(offset, limit);
  // The first page of the queue is asked for with the dataset's settings, not after them: first
  // paint waits for one round trip less (the Returned queue needs its records' ids first).
  let firstPage = q.bulk || q.status === 'returned' ? null : fetchPage(q.pos);
  if (firstPage) firstPage.catch(() => {}); // awaited below; a failure surfaces there
  // Pairwise questions (issue 22): asked for with the settings (early.js starts it with the page),
  // their code (annotate/pairwise.js) downloaded only for a dataset that has one.
  const pairwiseLoad = api.get(`/api/v1/datasets/${datasetId}/pairwise`).then(
    (res) => (res.items.length ? import('./annotate/pairwise.js').then((m) => (/** @type {any[]} */ fs, /** @type {Question[]} */ qs) => m.pairwiseView(res.items, me.id, datasetId, fs, qs)) : null),
    () => null,
  );
  const [dataset, fieldsRes, questionsRes, metadataRes, returnedRes, reviewRes] = await Promise.all([
    api.get(`/api/v1/datasets/${datasetId}`),
    api.get(`/api/v1/datasets/${datasetId}/fields`),
    api.get(`/api/v1/datasets/${datasetId}/questions`),
    api.get(`/api/v1/me/datasets/${datasetId}/metadata-properties`),
    api.get(`/api/v1/me/datasets/${datasetId}/review/returned`),
    api.get('/api/v1/me/review/workspaces'),
  ]);
  reader.keepReturned(returnedRes);
  /** @type {any[]} */
  const fields = fieldsRes.items;
  /** @type {Question[]} */
  const questions = questionsRes.items;
  view.form = initialState(questions, null, null);
  /** Pairwise questions (issue 22), once `pairwiseLoad` is in. @type {ReturnType<import('./annotate/pairwise.js').pairwiseView>|null} */
  let pairwise = null;

  /** Questions the bulk view can answer for many records at once (a span belongs to one text). */
  const bulkQuestions = questions.filter((it) => it.settings.type !== 'span');
  /** @param {string[]} texts @returns {Promise<string[]>} */
  const renderMarkdown = (texts) => api.post('/api/v1/ui/markdown', { texts }).then((res) => res.items);
  /** @param {string} text */
  const markdownOf = (text) => renderMarkdown([text]).then((items) => items[0]);
  const markdown = new MarkdownCache(fields, renderMarkdown);

  /** A new queue, search, sort or filter: a record opened by its id (`?record=`) is left. */
  const reloadWith = (/** @type {() => void} */ set) => {
    q.record = '';
    set();
    q.pos = 0;
    void reload();
  };
  // Filters and a sort the settings do not know (a stale or edited link) are dropped; the first
  // page, asked for with them, is asked for again.
  const filters = filterBar(datasetId, metadataRes.items, questions, q);
  if (filters.dropped && firstPage) firstPage = fetchPage(q.pos);
  const frame = buildFrame(
    main,
    { dataset, query: q, sorts: filters.sorts },
    {
      go: (delta) => void go(delta),
      panel: (which) => panels.toggle(which),
      bulk: () => void toggleBulk(),
      search: (text) => reloadWith(() => (q.text = text)),
      sort: (sort) => reloadWith(() => (q.sort = sort)),
      filters: () => filters.toggle(),
    },
  );
  const { counts, progress, position, recordPane, formPane, statusLine, side, bulkBtn } = frame;
  const panels = sidePanel(side, { dataset, questions, fields, markdown: markdownOf }, () => focusFirstQuestion(formPane));
  // Reviewers of the dataset's workspace reach its review view from here.
  if (mayReviewDataset(reviewRes.workspaces, dataset.workspace_id, dataset.status)) {
    main.querySelector('.toolbar .tools')?.prepend(h('a', { href: `/datasets/${datasetId}/review`, id: 'review-link', class: 'button-link' }, 'Review'));
  }
  filters.mount(frame, (set) => reloadWith(set));

  /** What the question editors are given: live views of the state and the ways to change it. @type {EditorContext} */
  const editing = {
    get record() {
      return view.record;
    },
    views: view.ui,
    current: (name) => view.form.answers[name],
    prefilled: (name) => !!view.form.suggested[name],
    answer: (name, value) => {
      view.form = setAnswer(view.form, name, value);
      changed();
    },
    rerender: () => renderForm(),
    typed,
    say: (message) => {
      statusLine.textContent = message;
    },
    takeFieldSelection: () => {
      const taken = view.fieldSelection;
      view.fieldSelection = null;
      return taken;
    },
    markdown: markdownOf,
    // The bulk view answers many records, each shown in the dataset's order: plain labels there.
    editorFor: (question) => (pairwise && !bulk.active() ? pairwise.editorFor(question) : undefined),
  };

  // ---- saving --------------------------------------------------------------------------------
  /** My response on the shown record, if any. */
  const myResponse = () => ownResponse(view.record, me.id);

  const saver = draftSaver(me.id, statusLine, () => void refreshCounts());
  const leases = new Leases(datasetId, (message) => {
    statusLine.textContent = `${message}. A submit may be refused; → moves on.`;
    statusLine.className = 'save-status error';
  });
  /** The next look for a free record while all are held by others. @type {ReturnType<typeof setTimeout>|undefined} */
  let heldPoll;
  /** Time on task: the active time on each record goes with its saves (annotate/timing.js). */
  const activity = watchActivity();

  /** The form changed: re-render it, back it up locally, autosave drafts. */
  function changed() {
    renderForm();
    if (bulk.active()) return;
    renderRecord(false);
    if (!view.record) return;
    keepBackup(localStorage, me.id, view.record.id, view.form.answers);
    const values = draftValues(questions, view.form, myResponse());
    if (values) saver.changed({ record: view.record, values });
  }

  /**
   * Text typed into a text question: no full re-render (the caret stays); what depends on the
   * answer is updated in place.
   * @param {Question} question @param {string} text @param {HTMLTextAreaElement} area
   */
  function typed(question, text, area) {
    view.form = setAnswer(view.form, question.name, text === '' ? undefined : text);
    const submit = () => /** @type {HTMLButtonElement|null} */ (formPane.querySelector('#submit'));
    if (bulk.active()) {
      const button = submit();
      if (button) button.disabled = !canSubmit(bulkQuestions, view.form) || bulk.count() === 0;
      return;
    }
    keepBackup(localStorage, me.id, view.record.id, view.form.answers);
    const section = area.closest('.question');
    if (section) section.classList.toggle('answered', isAnswered(question, view.form.answers[question.name]));
    const button = submit();
    if (button) button.disabled = !canSubmit(questions, view.form);
    const values = draftValues(questions, view.form, myResponse());
    if (values) saver.changed({ record: view.record, values });
  }

  /** @param {'submitted'|'discarded'|'draft'} status */
  async function act(status) {
    if (bulk.active()) return bulk.act(status);
    const record = view.record;
    // A record that went to others while its lease was asked for is left unanswered.
    if (view.leasing && (await view.leasing.catch(() => null)) !== record) return;
    if (!record) return;
    if (status === 'submitted' && !canSubmit(questions, view.form)) {
      const missing = missingRequired(questions, view.form);
      statusLine.textContent = `Answer the required questions first: ${missing.join(', ')}`;
      const section = formPane.querySelector(`[data-question="${CSS.escape(missing[0])}"]`);
      if (section) focusQuestion(/** @type {HTMLElement} */ (section), true);
      return;
    }
    await settle(saver);
    statusLine.textContent = status === 'draft' ? 'Saving draft…' : status === 'submitted' ? 'Submitting…' : 'Discarding…';
    const undoable = { record, before: snapshot(myResponse()), form: view.form, pos: q.pos, queue: queueKey(q) };
    try {
      const after = snapshot(await saveResponse(record, me.id, status, responseBody(questions, view.form, status).values, leases.held === record.id));
      // The server released the lease with the answer.
      if (status !== 'draft' && leases.held === record.id) leases.stop();
      if (after && status !== 'draft') last.remember({ ...undoable, after, status }, status === 'submitted' ? 'Submitted' : 'Discarded');
    } catch (err) {
      statusLine.textContent = `Not saved: ${err instanceof Error ? err.message : err}. Your answers are kept.`;
      statusLine.className = 'save-status error';
      return;
    }
    dropBackup(localStorage, me.id, record.id);
    statusLine.textContent = { submitted: 'Submitted', discarded: 'Discarded', draft: 'Draft saved' }[status];
    statusLine.className = 'save-status saved';
    // The record left this queue (the next one takes its place), or it stays and we move on; one
    // opened by its id stays in view, read again with the answer saved.
    if (q.record) view.window = null;
    else q.pos = afterAnswer(view.window, q.pos, statusInQueue(status, q.status), q.status);
    void refreshCounts();
    await show();
  }

  async function clearForm() {
    const record = view.record;
    if (!record) return;
    if (bulk.active()) {
      // The bulk form answers no record yet: clearing it touches no response.
      view.form = clearState(view.form);
      renderForm();
      return;
    }
    await settle(saver);
    view.form = clearState(view.form);
    dropBackup(localStorage, me.id, record.id);
    const mine = myResponse();
    if (mine && mine.status === 'draft') {
      // A cleared draft is no answer at all: the record goes back to Pending.
      try {
        await deleteResponse(record, mine);
        statusLine.textContent = 'Cleared; the record is pending again';
        if (q.status === 'draft' && !q.record && view.window) {
          dropAt(view.window, q.pos);
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

  // ---- undo ----------------------------------------------------------------------------------
  const last = new LastAnswer(main, () => void undo());

  /** Undoes the last submit or discard: the response as it was, the record back in view as answered. */
  function undo() {
    if (!last.entry || bulk.active()) return;
    return transition(async () => {
      await saver.flush();
      const entry = await last.undo().catch((err) => void (statusLine.textContent = `Could not undo: ${err instanceof Error ? err.message : err}`));
      if (!entry) return;
      const pos = entry.queue === queueKey(q) ? putBack(view.window, entry.pos, entry.record) : null;
      // Another queue is shown now: the record opens by its id.
      if (pos === null) [q.record, q.pos, view.window] = [entry.record.id, 0, null];
      else q.pos = pos;
      void refreshCounts();
      await show(entry.form);
      statusLine.textContent = `Undone: the record is back as it was (${entry.before ? entry.before.status : 'no response'})`;
    });
  }

  // ---- loading -------------------------------------------------------------------------------
  async function refreshCounts() {
    const { metrics, pending } = await reader.counts();
    const open = (/** @type {string} */ status) => reloadWith(() => (q.status = status));
    const current = q.record ? '' : q.status;
    renderQueues(counts, queueCounts(metrics, pending, reader.returned.size), current, (status) => queueUrl(datasetId, { ...q, record: '' }, status, 0), open);
    renderProgress(progress, progressOf(metrics));
  }

  async function reload() {
    // An answer given just before the switch is saved as a draft (it would otherwise be left in the local backup only).
    await saver.flush();
    view.window = null;
    void refreshCounts();
    filters.render();
    await show();
  }

  /**
   * Shows the record at `q.pos`, fetching its page when it is not in hand, with focus on its first
   * question (never in a text entry); its form as `form` when given (an undo). In the Pending queue
   * the record is shown at once and leased meanwhile; one that went to others is then replaced.
   * `moving`: a step through the queue (← / →), whose URL is updated once the record is on screen.
   * @param {FormState} [form] @param {boolean} [moving]
   */
  async function show(form, moving = false) {
    clearTimeout(heldPoll);
    if (bulk.active()) {
      leases.release();
      activity.open(BULK);
      return bulk.load();
    }
    let w = view.window;
    if (!w || needsPage(w, q.pos)) w = view.window = await fetchPage(q.pos);
    view.held = 0;
    if (!leasedQueue(q)) {
      leases.release();
      view.record = recordAt(w, q.pos);
      return present(w, form, moving);
    }
    const first = recordAt(w, q.pos);
    const pos = q.pos;
    const leased = () => leases.shown(w, pos, narrowed(q), me.id, (held) => (view.held = held));
    if (!first || ownResponse(first, me.id) || leases.held === first.id) {
      view.record = await leased();
      return present(w, form);
    }
    // Shown while its lease is asked for; what is typed on it meanwhile stays with it, and a submit
    // waits for the answer (`act`). If it went to others, an answer not yet saved goes with it and
    // keys held by a move (typed for it) are dropped rather than replayed on a record not yet seen.
    // Asked for once the record is on screen: the request does not delay its frame.
    const leasing = (view.leasing = afterFrame().then(leased));
    view.record = first;
    await present(w, form, moving);
    try {
      view.record = await leasing;
    } finally {
      if (view.leasing === leasing) view.leasing = null;
    }
    if (view.record === first) return;
    dropHeldKeys();
    if (saver.pending && saver.pending.record === first) saver.cancel();
    dropBackup(localStorage, me.id, first.id);
    await present(w);
    if (view.record || view.held) statusLine.textContent = 'That record is being annotated by others; this is the next free one';
  }

  /**
   * Renders `view.record`, the record at `q.pos` of `w` (or none), with focus on its first question;
   * its form as `form` when given (an undo); when `moving` (← / →), the URL is updated once the
   * record is on screen, unless the view was left meanwhile.
   * @param {Window} w @param {FormState} [form] @param {boolean} [moving]
   */
  async function present(w, form, moving = false) {
    activity.open(view.record ? view.record.id : null);
    const url = queueUrl(datasetId, q, q.status, q.pos);
    if (!moving) history.replaceState(null, '', url);
    else void afterFrame().then(() => closed || history.replaceState(null, '', url));
    if (view.record) {
      const opened = form ? { form, restored: false } : openingForm(questions, myResponse(), view.record.suggestions, readBackup(localStorage, me.id, view.record.id));
      view.form = opened.form;
      if (opened.restored) {
        statusLine.textContent = 'Restored answers that were not saved yet';
        const values = draftValues(questions, view.form, myResponse());
        if (values) saver.changed({ record: view.record, values });
      } else if (!statusLine.classList.contains('saved')) {
        statusLine.textContent = '';
      }
      statusLine.classList.remove('saved');
      await markdown.forRecord(view.record);
    }
    if (q.record) position.textContent = view.record ? 'This record' : 'No such record';
    else position.textContent = view.record ? `${q.pos + 1} of ${w.total}` : `${w.total} in this queue`;
    // Every pending record is held by others: look again in a while.
    if (view.held) heldPoll = setTimeout(() => void (view.held && !view.record ? show() : null), 5000);
    renderRecord(true);
    // Nothing is restored into the new form from the one it replaces (`focusFirstQuestion` below).
    renderForm(false);
    // Prefetch: the next few records' markdown in one request once this one is on screen (asked for again when shown if it fails), and the next page when close to the end of this one.
    const ahead = w.records.slice(q.pos - w.offset + 1, q.pos - w.offset + 1 + PREFETCH);
    if (ahead.length && markdown.missing(ahead[0])) void afterFrame().then(() => markdown.forMany(ahead)).catch(() => {});
    if (nearEnd(w, q.pos)) void extendWindow(w);
    if (!side.contains(document.activeElement)) focusFirstQuestion(formPane, true);
  }

  /** @param {Window} w */
  async function extendWindow(w) {
    const more = await fetchPage(w.offset + w.records.length);
    if (view.window === w) extend(w, more);
  }

  /** @param {number} delta */
  async function go(delta) {
    if (bulk.active()) return bulk.go(delta);
    const to = step(view.window, q.pos, delta);
    if (to === null) return;
    await saver.flush();
    q.pos = to;
    await show(undefined, true);
  }

  // ---- rendering -----------------------------------------------------------------------------
  /** @param {boolean} full false: after an answer changed, which only span highlights show */
  function renderRecord(full) {
    if (bulk.active()) {
      bulk.render();
      return;
    }
    const record = view.record;
    if (!record && view.held) {
      recordPane.replaceChildren(h('div', { class: 'empty', id: 'held' }, h('h2', null, 'Nothing free right now'), h('p', null, heldMessage(view.held))));
      return;
    }
    if (!record) {
      renderNothing(recordPane, q.record ? 'record' : q.status, narrowed(q) ? filters.clearAll : null);
      return;
    }
    if (!full && !questions.some((it) => it.settings.type === 'span')) return;
    renderRecordPane(recordPane, { record, fields, questions, answers: view.form.answers, html: markdown.get(record.id) || [], search: q.text });
    if (pairwise) pairwise.arrange(recordPane, record);
    recordExtras(recordPane, {
      record,
      mine: myResponse(),
      returned: reader.returned.get(record.id),
      meId: me.id,
      dataset,
      questions,
      manage: mayManage(me.role),
      fields,
      properties: metadataRes.items,
      current: () => view.record,
      saved: (res) => void edited(record, res),
    });
  }

  /** The record was edited (owners and admins): shown as the server now holds it. @param {any} record @param {any} res */
  async function edited(record, res) {
    record.fields = res.fields;
    record.metadata = res.metadata;
    markdown.html.delete(record.id);
    await markdown.forRecord(record);
    if (view.record === record) renderRecord(true);
    statusLine.textContent = 'Record saved; its previous values are in its history';
  }

  /** @param {boolean} [keepFocus] false: a record opens, focus is not restored into its form */
  function renderForm(keepFocus = true) {
    renderFormPane(
      formPane,
      {
        keepFocus,
        questions: bulk.active() ? bulkQuestions : questions,
        form: view.form,
        mine: bulk.active() ? null : myResponse(),
        selected: bulk.active() ? bulk.count() : null,
        activeQuestion: view.activeQuestion,
        focused: (name) => {
          view.activeQuestion = name;
        },
        showGuidelines: () => panels.toggle('guidelines'),
        act: (status) => void transition(() => act(status)),
        clear: () => void clearForm(),
        undo: bulk.active() ? null : last.button,
      },
      editing,
    );
  }

  // ---- the bulk view -------------------------------------------------------------------------
  const bulk = lazyBulk(q, async () => {
    const { bulkFlow } = await import('./annotate/bulk-flow.js');
    return bulkFlow({
      q,
      userId: me.id,
      fields,
      questions,
      bulkQuestions,
      markdown,
      els: { recordPane, position, statusLine, bulkBtn },
      fetchPage,
      key: () => JSON.stringify(searchBody(q)),
      fetchIds: (offset, limit) =>
        api.post(`/api/v1/me/datasets/${datasetId}/records/search?offset=${offset}&limit=${limit}`, searchBody(q)).then((res) => ({ ids: res.items.map((/** @type {any} */ it) => it.record.id), total: res.total })),
      form: () => view.form,
      setForm: (form) => {
        view.form = form;
      },
      setRecord: (record) => {
        view.record = record;
      },
      renderForm: () => renderForm(),
      refreshCounts: () => void refreshCounts(),
      saveUrl: () => history.replaceState(null, '', queueUrl(datasetId, q, q.status, q.pos)),
      empty: () => {
        const el = document.createElement('div');
        renderNothing(el, q.status, narrowed(q) ? filters.clearAll : null);
        return el;
      },
    });
  });

  async function toggleBulk() {
    await saver.flush();
    await bulk.toggle();
    if (bulk.active()) activity.open(BULK);
    if (!bulk.active()) {
      view.window = null;
      await show();
    }
  }

  // ---- panels and keys -----------------------------------------------------------------------
  const { onKey, transition, dropHeldKeys } = keyHandler(
    { main, formPane, recordPane, side },
    {
      hasRecord: () => !!view.record,
      closePanel: panels.close,
      panel: panels.toggle,
      run: (action) => {
        if (action === 'submit') void transition(() => act('submitted'));
        else if (action === 'discard') void transition(() => act('discarded'));
        else if (action === 'draft') void transition(() => act('draft'));
        else if (action === 'clear') void clearForm();
        else if (action === 'undo') void undo();
        else if (action === 'prev') void transition(() => go(-1), false);
        else if (action === 'next') void transition(() => go(1), false);
        else if (action === 'nextQuestion' || action === 'prevQuestion') moveQuestion(formPane, action === 'nextQuestion' ? 1 : -1, view.activeQuestion);
        else if (typeof action === 'object') {
          const question = questionForKeys(questions, view.activeQuestion, view.fieldSelection);
          if (!(pairwise && question && !bulk.active() && pairwise.pick(question, action.pick, editing, formPane))) pick(question, action.pick, formPane, editing);
        }
      },
    },
  );
  /** After a mouse selection anywhere but the form: remember the part of a span field it covers. */
  const onMouseUp = (/** @type {MouseEvent} */ ev) => {
    if (ev.target instanceof Node && formPane.contains(ev.target)) return;
    view.fieldSelection = fieldSelection(recordPane, view.record);
  };

  document.addEventListener('keydown', onKey);
  document.addEventListener('mouseup', onMouseUp);
  const beforeUnload = (/** @type {BeforeUnloadEvent} */ ev) => {
    if (saver.hasPending || saver.running) {
      void saver.flush();
      ev.preventDefault();
    }
  };
  window.addEventListener('beforeunload', beforeUnload);

  view.window = firstPage ? await firstPage : null;
  const makePairwise = await pairwiseLoad;
  pairwise = makePairwise ? makePairwise(fields, questions) : null;
  useSaveExtras(pairwise ? pairwise.extras : null);
  await Promise.all([refreshCounts(), show()]);
  return () => {
    closed = true;
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('mouseup', onMouseUp);
    window.removeEventListener('beforeunload', beforeUnload);
    clearTimeout(heldPoll);
    leases.close();
    last.close();
    void saver.flush().finally(() => activity.stop());
  };
}
