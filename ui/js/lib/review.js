// The review view's rules (issue 20), pure: the annotators' answers as lettered columns, how an
// answer reads as text, what each key does, the body of each decision, the values of the
// reviewer's own answer from the form's inputs, and how the audit trail reads.
// No DOM, no network: unit-tested in e2e/ui/unit/review.test.js.

/** Letters naming the annotators' columns, in the order of their responses. */
export const LETTERS = 'ABCDEFGHI';

/**
 * The submitted responses as columns: A, B, … in the order they were given (the server lists
 * them oldest first), with their author and values.
 * @param {{responses: any[]}} review
 * @returns {{letter: string, userId: string, username: string, values: any}[]}
 */
export function columns(review) {
  return review.responses
    .filter((r) => r.status === 'submitted')
    .slice(0, LETTERS.length)
    .map((r, i) => ({ letter: LETTERS[i], userId: r.user_id, username: r.username || r.user_id, values: r.values || {} }));
}

/**
 * An answer as one line of text: labels joined, a ranking as "x > y", spans as "label [start–end]".
 * @param {any} value @returns {string}
 */
export function answerText(value) {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    if (typeof value[0] === 'object' && value[0] !== null && 'rank' in value[0]) {
      return [...value].sort((a, b) => a.rank - b.rank).map((it) => `${it.rank}. ${it.value}`).join(', ');
    }
    if (typeof value[0] === 'object' && value[0] !== null && 'start' in value[0]) {
      return value.map((it) => `${it.label} [${it.start}–${it.end}]`).join(', ');
    }
    return value.join(', ');
  }
  return String(value);
}

/** The answer of `values` (a response's) to `question`. @param {any} values @param {string} question */
export function answerOf(values, question) {
  const entry = values && values[question];
  return entry ? entry.value : undefined;
}

/**
 * A consolidated final (`{status, value, reason}`) as text.
 * @param {{status: string, value: any, reason: string|null}|undefined} fin
 */
export function finalText(fin) {
  if (!fin) return '—';
  switch (fin.status) {
    case 'resolved':
      return answerText(fin.value);
    case 'score':
      return `score ${Math.round(fin.value * 100) / 100}`;
    case 'each':
      return 'each annotator’s answer kept';
    default:
      return `unresolved${fin.reason ? `: ${fin.reason}` : ''}`;
  }
}

/**
 * Whether the consolidated answer can be accepted: every required question resolved to one answer.
 * @param {{name: string, required: boolean}[]} questions @param {Record<string, any>} consolidated
 */
export function consolidatedAcceptable(questions, consolidated) {
  return questions.every((q) => !q.required || (consolidated[q.name] && consolidated[q.name].status === 'resolved'));
}

/**
 * What a key does in the review view, or null. Digits 1–9 accept column A–I (those that exist),
 * `c` the consolidated answer, `o` opens the own-answer form, `r` the return form, ← / → (and
 * `k` / `j`) move through the queue. Keys typed into a text entry are never taken.
 * @param {string} key @param {number} nColumns @param {boolean} typing
 * @returns {{accept: number}|'consolidated'|'own'|'return'|'prev'|'next'|null}
 */
export function reviewKey(key, nColumns, typing) {
  if (typing) return null;
  if (/^[1-9]$/.test(key)) {
    const i = Number(key) - 1;
    return i < nColumns ? { accept: i } : null;
  }
  switch (key) {
    case 'c':
      return 'consolidated';
    case 'o':
      return 'own';
    case 'r':
      return 'return';
    case 'ArrowLeft':
    case 'k':
      return 'prev';
    case 'ArrowRight':
    case 'j':
      return 'next';
    default:
      return null;
  }
}

/**
 * The body of a decision for `POST /api/v1/records/{id}/review`.
 * @param {'accept_response'|'accept_consolidated'|'own'|'return'} action
 * @param {{userId?: string, values?: any, comment?: string}} [with_]
 */
export function decisionBody(action, with_ = {}) {
  switch (action) {
    case 'accept_response':
      return { action, user_id: with_.userId };
    case 'own':
      return { action, values: with_.values };
    case 'return':
      return { action, user_id: with_.userId, comment: with_.comment };
    default:
      return { action };
  }
}

/**
 * The reviewer's own answer from the form's raw inputs (by question name): a label's option, a
 * multi-label's chosen options, a rating's number, a text; a ranking or span as JSON text.
 * Empty inputs are left out. Returns the values, or the first error (question and message).
 * @param {{name: string, settings: {type: string}}[]} questions
 * @param {Record<string, string|string[]>} inputs
 * @returns {{values: Record<string, {value: any}>} | {error: {question: string, message: string}}}
 */
export function ownValues(questions, inputs) {
  /** @type {Record<string, {value: any}>} */
  const values = {};
  for (const q of questions) {
    const raw = inputs[q.name];
    if (raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0)) continue;
    switch (q.settings.type) {
      case 'rating': {
        const n = Number(raw);
        if (!Number.isInteger(n)) return { error: { question: q.name, message: 'a rating is a whole number' } };
        values[q.name] = { value: n };
        break;
      }
      case 'multi_label_selection':
        values[q.name] = { value: Array.isArray(raw) ? raw : [raw] };
        break;
      case 'ranking':
      case 'span':
        try {
          values[q.name] = { value: JSON.parse(String(raw)) };
        } catch {
          return { error: { question: q.name, message: 'not valid JSON' } };
        }
        break;
      default:
        values[q.name] = { value: String(raw) };
    }
  }
  return { values };
}

/** The text of an input prefilled from an answer (ranking and span as JSON). @param {string} type @param {any} value */
export function inputText(type, value) {
  if (value === undefined || value === null) return '';
  if (type === 'ranking' || type === 'span') return JSON.stringify(value);
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * One line of the audit trail.
 * @param {{action: string, actor_username: string|null, user_id: string|null, comment: string|null, inserted_at: string}} event
 * @param {Record<string, string>} names usernames by user id
 */
export function eventText(event, names) {
  const who = event.actor_username || 'a removed user';
  const whom = event.user_id ? names[event.user_id] || event.user_id : '';
  switch (event.action) {
    case 'accept_response':
      return `${who} accepted ${whom}'s answer`;
    case 'accept_consolidated':
      return `${who} accepted the consolidated answer`;
    case 'own':
      return `${who} wrote their own answer`;
    case 'return':
      return `${who} returned it to ${whom}: “${event.comment || ''}”`;
    default:
      return `${who}: ${event.action}`;
  }
}

/** Why a record is in the queue, as text. @param {string} reason */
export function reasonText(reason) {
  return { disagreement: 'answers differ', sampled: 'sampled', resubmitted: 'resubmitted after a return' }[reason] || reason;
}

/**
 * Whether the role may open the review view of a dataset of workspace `workspaceId`, given the
 * workspaces the caller reviews (`GET /api/v1/me/review/workspaces`). Mirrors policy.rs
 * `may_review`: the server still decides.
 * @param {string[]} reviewWorkspaces @param {string} workspaceId
 */
export function mayReview(reviewWorkspaces, workspaceId) {
  return reviewWorkspaces.includes(workspaceId);
}

/**
 * Whether the annotation view shows the "Others' answers" panel: the dataset shows answers after
 * submitting (`responses_visible_for_annotators`) and the caller's response is submitted. The
 * server applies the same rule to what it sends (loam_domain::review::visible_responses).
 * @param {{responses_visible_for_annotators?: boolean}} dataset @param {{status: string}|null|undefined} mine
 */
export function showsOthers(dataset, mine) {
  return dataset.responses_visible_for_annotators === true && !!mine && mine.status === 'submitted';
}

/**
 * The others' submitted answers of a record read by id, numbered in their order, each question's
 * answer as text. @param {any[]} responses @param {string} meId @param {{name: string, title?: string}[]} questions
 */
export function othersAnswers(responses, meId, questions) {
  return responses
    .filter((r) => r.user_id !== meId && r.status === 'submitted')
    .map((r, i) => ({
      label: `Annotator ${i + 1}`,
      answers: questions.map((q) => ({ question: q.title || q.name, text: answerText(answerOf(r.values, q.name)) })),
    }));
}
