// The review view (issue 20), `/datasets/{id}/review`: the dataset's review queue on one side, the
// chosen record on the other with every annotator's submitted answer side by side (columns A, B,
// …), the suggestions and the consolidated answer, and the reviewer's decisions: accept one
// annotator's answer (1–9), the consolidated one (c), write their own (o), or return the record to
// an annotator with a comment (r); ← / → move through the queue. The final answer and the audit
// trail are shown under it. Owners, admins of the workspace and annotators marked as its
// reviewers; the server decides (a 403 shows the "not allowed" page). Pure rules: lib/review.js.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { answerOf, answerText, columns, consolidatedAcceptable, decisionBody, eventText, finalText, inputText, ownValues, reasonText, reviewKey } from '../lib/review.js';

/** @param {HTMLElement} main @param {{id: string, query: URLSearchParams, me: any}} params */
export async function render(main, params) {
  const datasetId = params.id;
  const [dataset, fieldsRes, questionsRes, rule] = await Promise.all([
    api.get(`/api/v1/datasets/${datasetId}`),
    api.get(`/api/v1/datasets/${datasetId}/fields`),
    api.get(`/api/v1/datasets/${datasetId}/questions`),
    api.get(`/api/v1/datasets/${datasetId}/review/rule`),
  ]);
  /** @type {any[]} */
  const questions = questionsRes.items;
  /** @type {any[]} */
  const fields = fieldsRes.items;
  const state = {
    /** @type {any[]} */
    queue: [],
    total: 0,
    /** @type {string|null} */
    current: params.query.get('record'),
    /** @type {any} */
    review: null,
    /** @type {'own'|'return'|null} */
    form: null,
  };
  const queueEl = h('ol', { class: 'review-queue', id: 'review-queue', 'aria-label': 'Review queue' });
  const countEl = h('p', { class: 'muted', id: 'review-count', role: 'status' });
  const recordEl = h('section', { class: 'review-record', id: 'review-record', 'aria-label': 'Record under review' });
  const statusEl = h('p', { class: 'save-status', id: 'review-status', role: 'status', 'aria-live': 'polite' });
  const ruleText = rule.mode === 'sample' ? `a sample of ${Math.round(rule.rate * 100)}% of complete records` : rule.threshold > 0 ? `records whose answers disagree by more than ${rule.threshold}` : 'records whose answers differ';
  replace(
    main,
    h(
      'div',
      { class: 'review' },
      h('h1', null, `Review: ${dataset.name}`),
      h('p', { class: 'muted' }, `Queue: ${ruleText}, and records resubmitted after a return. Keys: 1–9 accept an annotator's answer, c the consolidated one, o your own, r return, ← / → move.`),
      countEl,
      h('div', { class: 'review-panes' }, h('nav', { class: 'review-list', 'aria-label': 'Records to review' }, queueEl), h('div', { class: 'review-main' }, statusEl, recordEl)),
    ),
  );

  async function loadQueue() {
    const page = await api.get(`/api/v1/datasets/${datasetId}/review/queue?limit=1000`);
    state.queue = page.items;
    state.total = page.total;
    countEl.textContent = `${page.total} record${page.total === 1 ? '' : 's'} to review`;
    if (!page.items.length) {
      replace(queueEl, h('li', { class: 'muted' }, 'Nothing to review'));
      return;
    }
    replace(
      queueEl,
      page.items.map((/** @type {any} */ it, /** @type {number} */ i) =>
        h(
          'li',
          null,
          h(
            'button',
            { type: 'button', class: it.record_id === state.current ? 'link current' : 'link', 'aria-current': it.record_id === state.current ? 'true' : null, dataset: { record: it.record_id }, onclick: () => void open(it.record_id) },
            `${i + 1}. ${it.external_id || it.record_id.slice(0, 8)} (${reasonText(it.reason)})`,
          ),
        ),
      ),
    );
  }

  /** @param {string|null} id */
  async function open(id) {
    state.current = id;
    state.form = null;
    const url = new URL(location.href);
    if (id) url.searchParams.set('record', id);
    else url.searchParams.delete('record');
    history.replaceState(null, '', url.pathname + url.search);
    for (const b of queueEl.querySelectorAll('button')) {
      const on = /** @type {HTMLElement} */ (b).dataset.record === id;
      b.classList.toggle('current', on);
      if (on) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    if (!id) {
      state.review = null;
      replace(recordEl, h('p', { class: 'empty' }, state.total ? 'Choose a record to review.' : 'Nothing to review: the queue is empty.'));
      return;
    }
    state.review = await api.get(`/api/v1/records/${id}/review`);
    draw();
  }

  /** @param {number} delta */
  function move(delta) {
    const i = state.queue.findIndex((it) => it.record_id === state.current);
    const next = state.queue[i < 0 ? 0 : i + delta];
    if (next) void open(next.record_id);
  }

  /** @param {any} body */
  async function decide(body) {
    if (!state.current) return;
    statusEl.className = 'save-status';
    statusEl.textContent = 'Saving…';
    try {
      state.review = await api.post(`/api/v1/records/${state.current}/review`, body);
    } catch (err) {
      statusEl.className = 'save-status error';
      statusEl.textContent = `Not saved: ${err instanceof Error ? err.message : err}`;
      return;
    }
    state.form = null;
    statusEl.className = 'save-status saved';
    statusEl.textContent = body.action === 'return' ? 'Returned to the annotator' : 'Final answer saved';
    const at = state.queue.findIndex((it) => it.record_id === state.current);
    await loadQueue();
    draw();
    // The decided record left the queue: the one after it is next (it stays in view until a move).
    const next = state.queue[Math.min(Math.max(at, 0), state.queue.length - 1)];
    if (next && next.record_id !== state.current) countEl.textContent += ` · next: ${next.external_id || next.record_id.slice(0, 8)} (→)`;
  }

  function draw() {
    const review = state.review;
    if (!review) return;
    const cols = columns(review);
    /** @type {Record<string, string>} */
    const names = {};
    for (const r of review.responses) names[r.user_id] = r.username || r.user_id;
    const suggestionOf = (/** @type {any} */ q) => review.suggestions.find((/** @type {any} */ s) => s.question_id === q.id);
    const canConsolidate = consolidatedAcceptable(questions, review.consolidated);
    const fin = review.final_answer;
    replace(
      recordEl,
      h('h2', null, review.record.external_id || review.record.id),
      h(
        'dl',
        { class: 'review-fields' },
        fields.map((f) => {
          const v = review.record.fields[f.name];
          return [h('dt', null, f.title || f.name), h('dd', null, typeof v === 'string' ? v : JSON.stringify(v ?? ''))];
        }),
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'review-answers', id: 'review-answers' },
          h('thead', null, h('tr', null, h('th', null, 'Question'), cols.map((c) => h('th', { dataset: { column: c.letter } }, `${c.letter}: ${c.username}`)), h('th', null, 'Suggestion'), h('th', null, 'Consolidated'), h('th', null, 'Final'))),
          h(
            'tbody',
            null,
            questions.map((q) => {
              const s = suggestionOf(q);
              return h(
                'tr',
                { dataset: { question: q.name } },
                h('th', { scope: 'row' }, q.title || q.name),
                cols.map((c) => h('td', { dataset: { column: c.letter } }, answerText(answerOf(c.values, q.name)))),
                h('td', { class: 'suggestion' }, s ? `${answerText(s.value)}${s.agent ? ` (${s.agent})` : ''}` : '—'),
                h('td', { class: 'consolidated' }, finalText(review.consolidated[q.name])),
                h('td', { class: 'final' }, fin ? answerText(answerOf(fin.values, q.name)) : '—'),
              );
            }),
          ),
        ),
      ),
      h(
        'div',
        { class: 'review-actions', role: 'group', 'aria-label': 'Decide' },
        cols.map((c, i) => h('button', { type: 'button', class: 'accept', dataset: { accept: c.letter }, 'aria-keyshortcuts': String(i + 1), onclick: () => void decide(decisionBody('accept_response', { userId: c.userId })) }, `Accept ${c.letter} `, h('kbd', null, String(i + 1)))),
        h('button', { type: 'button', id: 'accept-consolidated', disabled: !canConsolidate, title: canConsolidate ? null : 'A required question has no single consolidated answer', 'aria-keyshortcuts': 'c', onclick: () => void decide(decisionBody('accept_consolidated')) }, 'Accept consolidated ', h('kbd', null, 'c')),
        h('button', { type: 'button', id: 'write-own', 'aria-keyshortcuts': 'o', onclick: () => showForm('own') }, 'Write my own ', h('kbd', null, 'o')),
        h('button', { type: 'button', id: 'return-record', disabled: cols.length === 0, 'aria-keyshortcuts': 'r', onclick: () => showForm('return') }, 'Return… ', h('kbd', null, 'r')),
      ),
      state.form === 'own' ? ownForm(cols) : null,
      state.form === 'return' ? returnForm(cols) : null,
      h(
        'div',
        { class: 'final-answer', id: 'final-answer' },
        h('h3', null, 'Final answer'),
        fin ? h('p', null, `${fin.source === 'response' ? `${names[fin.source_user_id] || 'an annotator'}'s answer` : fin.source === 'own' ? 'the reviewer’s own answer' : 'the consolidated answer'}, decided by ${fin.decided_by_username || 'a removed user'} at ${fin.decided_at}`) : h('p', { class: 'muted' }, 'None yet: exports use the consolidated answer.'),
      ),
      h('h3', null, 'Audit trail'),
      review.events.length ? h('ol', { class: 'audit', id: 'audit' }, review.events.map((/** @type {any} */ e) => h('li', null, `${e.inserted_at}: ${eventText(e, names)}`))) : h('p', { class: 'muted' }, 'No review action yet.'),
    );
    const first = /** @type {HTMLElement|null} */ (recordEl.querySelector('.review-form input, .review-form select, .review-form textarea'));
    if (first) first.focus();
  }

  /** @param {'own'|'return'} which */
  function showForm(which) {
    if (!state.review) return;
    state.form = state.form === which ? null : which;
    draw();
  }

  /** The reviewer's own answer, prefilled from the final answer or the consolidated one. @param {ReturnType<typeof columns>} cols */
  function ownForm(cols) {
    const review = state.review;
    const start = (/** @type {any} */ q) => {
      if (review.final_answer) return answerOf(review.final_answer.values, q.name);
      const c = review.consolidated[q.name];
      return c && c.status === 'resolved' ? c.value : cols.length ? answerOf(cols[0].values, q.name) : undefined;
    };
    /** @type {Record<string, () => string|string[]>} */
    const read = {};
    const controls = questions.map((q) => {
      const id = `own-${q.name}`;
      const type = q.settings.type;
      const value = start(q);
      /** @type {HTMLElement} */
      let control;
      if (type === 'label_selection' || type === 'rating') {
        const sel = /** @type {HTMLSelectElement} */ (h('select', { id }, h('option', { value: '' }, '—'), q.settings.options.map((/** @type {any} */ o) => h('option', { value: String(o.value) }, String(o.text ?? o.value)))));
        sel.value = value === undefined ? '' : String(value);
        read[q.name] = () => sel.value;
        control = sel;
      } else if (type === 'multi_label_selection') {
        /** @type {HTMLInputElement[]} */
        const boxes = q.settings.options.map((/** @type {any} */ o) => /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', value: o.value, checked: Array.isArray(value) && value.includes(o.value) })));
        read[q.name] = () => boxes.filter((b) => b.checked).map((b) => b.value);
        control = h('span', { id, role: 'group' }, boxes.map((b, i) => h('label', null, b, ` ${q.settings.options[i].text ?? q.settings.options[i].value} `)));
      } else {
        const area = /** @type {HTMLTextAreaElement} */ (h('textarea', { id, rows: type === 'text' ? '3' : '2', value: inputText(type, value) }));
        read[q.name] = () => area.value;
        control = area;
      }
      return h('div', { class: 'field' }, h('label', { for: id }, `${q.title || q.name}${q.required ? ' *' : ''}${type === 'ranking' || type === 'span' ? ' (JSON)' : ''}`), control);
    });
    const error = h('p', { class: 'error', role: 'alert' });
    return h(
      'form',
      {
        class: 'review-form',
        id: 'own-form',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          /** @type {Record<string, string|string[]>} */
          const inputs = {};
          for (const [name, get] of Object.entries(read)) inputs[name] = get();
          const built = ownValues(questions, inputs);
          if ('error' in built) {
            error.textContent = `${built.error.question}: ${built.error.message}`;
            return;
          }
          void decide(decisionBody('own', { values: built.values }));
        },
      },
      h('h3', null, 'My own answer'),
      controls,
      error,
      h('button', { type: 'submit', id: 'save-own' }, 'Save as final answer'),
    );
  }

  /** @param {ReturnType<typeof columns>} cols */
  function returnForm(cols) {
    const who = /** @type {HTMLSelectElement} */ (h('select', { id: 'return-to' }, cols.map((c) => h('option', { value: c.userId }, `${c.letter}: ${c.username}`))));
    const comment = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'return-comment', rows: '3', required: true, placeholder: 'What should the annotator look at again?' }));
    return h(
      'form',
      {
        class: 'review-form',
        id: 'return-form',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          void decide(decisionBody('return', { userId: who.value, comment: comment.value }));
        },
      },
      h('h3', null, 'Return to an annotator'),
      h('div', { class: 'field' }, h('label', { for: 'return-to' }, 'Annotator'), who),
      h('div', { class: 'field' }, h('label', { for: 'return-comment' }, 'Comment'), comment),
      h('button', { type: 'submit', id: 'send-return' }, 'Return with this comment'),
    );
  }

  const onKey = (/** @type {KeyboardEvent} */ ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = /** @type {HTMLElement} */ (ev.target);
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
    if (ev.key === 'Escape' && state.form) {
      state.form = null;
      draw();
      return;
    }
    const action = reviewKey(ev.key, state.review ? columns(state.review).length : 0, typing);
    if (!action) return;
    ev.preventDefault();
    if (action === 'prev' || action === 'next') return move(action === 'next' ? 1 : -1);
    if (!state.review) return;
    if (typeof action === 'object') {
      const c = columns(state.review)[action.accept];
      if (c) void decide(decisionBody('accept_response', { userId: c.userId }));
    } else if (action === 'consolidated') {
      if (consolidatedAcceptable(questions, state.review.consolidated)) void decide(decisionBody('accept_consolidated'));
      else statusEl.textContent = 'A required question has no single consolidated answer: accept an annotator’s or write your own';
    } else showForm(action);
  };
  document.addEventListener('keydown', onKey);

  await loadQueue();
  await open(state.current || (state.queue[0] ? state.queue[0].record_id : null));
  return () => document.removeEventListener('keydown', onKey);
}
