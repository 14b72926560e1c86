// The annotation form's state, as plain data: what each question's answer is, which answers
// came from a suggestion, whether Submit may be pressed, and the response body to send.
// Pure: no DOM, no network, so `node --test` covers it.

/**
 * @typedef {{value: string, text?: string|null, description?: string|null}} Option
 * @typedef {{type: string, options?: Option[], visible_options?: number|null, use_markdown?: boolean,
 *   field?: string, allow_overlapping?: boolean, options_order?: string}} QuestionSettings
 * @typedef {{id: string, name: string, title: string, description?: string|null, required: boolean,
 *   settings: QuestionSettings}} Question
 * @typedef {{question_id: string, value: any, score?: number|number[]|null, agent?: string|null,
 *   type?: string|null}} Suggestion
 * @typedef {{id?: string, status: string, values?: Record<string, {value: any}>|null}} ResponseShape
 * @typedef {{label: string, start: number, end: number}} Span
 * @typedef {{answers: Record<string, any>, suggested: Record<string, Suggestion>, dirty: boolean}} FormState
 */

/**
 * The form for a record: the caller's own response if there is one, else the suggestions.
 * @param {Question[]} questions
 * @param {ResponseShape|null|undefined} response
 * @param {Suggestion[]|null|undefined} suggestions
 * @returns {FormState}
 */
export function initialState(questions, response, suggestions) {
  /** @type {Record<string, any>} */
  const answers = {};
  /** @type {Record<string, Suggestion>} */
  const suggested = {};
  if (response && response.values) {
    for (const q of questions) {
      const entry = response.values[q.name];
      if (entry && entry.value !== undefined && entry.value !== null) answers[q.name] = normalizeValue(q, entry.value);
    }
  } else {
    for (const s of suggestions || []) {
      const q = questions.find((it) => it.id === s.question_id);
      if (!q || s.value === null || s.value === undefined) continue;
      answers[q.name] = normalizeValue(q, s.value);
      suggested[q.name] = s;
    }
  }
  return { answers, suggested, dirty: false };
}

/**
 * A new state with `name` answered `value` (`undefined` removes the answer); the answer is the
 * annotator's own from now on.
 * @param {FormState} state @param {string} name @param {any} value
 * @returns {FormState}
 */
export function setAnswer(state, name, value) {
  const answers = { ...state.answers };
  if (value === undefined || value === null) delete answers[name];
  else answers[name] = value;
  const suggested = { ...state.suggested };
  delete suggested[name];
  return { answers, suggested, dirty: true };
}

/**
 * A stored or suggested value as the form holds it. A ranking whose items carry no rank (the v2
 * SDK logs a suggested order as `[{value, rank: null}, …]`) is that order, ranked 1, 2, 3 …: the
 * server refuses a submitted `rank: null`. Items with ranks keep them (ties included).
 * @param {Question} question @param {any} value
 */
export function normalizeValue(question, value) {
  if (question.settings.type !== 'ranking' || !Array.isArray(value)) return value;
  if (value.every((it) => it && Number.isInteger(it.rank))) return value;
  return value.filter((it) => it && typeof it.value === 'string').map((it, i) => ({ value: it.value, rank: i + 1 }));
}

/** @param {FormState} _state @returns {FormState} */
export function clearState(_state) {
  return { answers: {}, suggested: {}, dirty: true };
}

/**
 * Whether `value` answers `question`.
 * @param {Question} question @param {any} value
 */
export function isAnswered(question, value) {
  if (value === undefined || value === null) return false;
  switch (question.settings.type) {
    case 'label_selection':
      return typeof value === 'string' && value !== '';
    case 'multi_label_selection':
      return Array.isArray(value) && value.length > 0;
    case 'rating':
      return typeof value === 'number';
    case 'ranking':
      return Array.isArray(value) && value.length === (question.settings.options || []).length;
    case 'text':
      return typeof value === 'string' && value.trim() !== '';
    case 'span':
      return Array.isArray(value);
    default:
      return true;
  }
}

/** @param {Question[]} questions @param {FormState} state */
export function missingRequired(questions, state) {
  return questions.filter((q) => q.required && !isAnswered(q, state.answers[q.name])).map((q) => q.name);
}

/** @param {Question[]} questions @param {FormState} state */
export function canSubmit(questions, state) {
  return missingRequired(questions, state).length === 0;
}

/**
 * The `values` of a response body: every answered question.
 * @param {Question[]} questions @param {FormState} state
 * @returns {Record<string, {value: any}>}
 */
export function toValues(questions, state) {
  /** @type {Record<string, {value: any}>} */
  const values = {};
  for (const q of questions) {
    const value = state.answers[q.name];
    if (isAnswered(q, value)) values[q.name] = { value };
  }
  return values;
}

/**
 * The body of a response with `status` (submitted, discarded or draft).
 * @param {Question[]} questions @param {FormState} state @param {string} status
 */
export function responseBody(questions, state, status) {
  return { values: toValues(questions, state), status };
}

/**
 * Toggles `option` in a multi-label answer, keeping the options' order.
 * @param {string[]|undefined} current @param {string} option @param {Option[]} options
 * @returns {string[]|undefined}
 */
export function toggleLabel(current, option, options) {
  const set = new Set(current || []);
  if (set.has(option)) set.delete(option);
  else set.add(option);
  const res = options.map((it) => it.value).filter((it) => set.has(it));
  return res.length ? res : undefined;
}

/**
 * The order shown for a ranking question: the answer's, else the options'.
 * @param {Question} question @param {any} value
 * @returns {string[]}
 */
export function rankingOrder(question, value) {
  const options = (question.settings.options || []).map((it) => it.value);
  if (!Array.isArray(value)) return options;
  const ranked = [...value].sort((a, b) => a.rank - b.rank).map((it) => it.value);
  return [...ranked, ...options.filter((it) => !ranked.includes(it))];
}

/**
 * Moves `item` by `delta` places in `order` and returns the ranking answer.
 * @param {string[]} order @param {string} item @param {number} delta
 * @returns {{value: string, rank: number}[]}
 */
export function moveRank(order, item, delta) {
  const res = [...order];
  const from = res.indexOf(item);
  if (from >= 0) {
    const to = Math.max(0, Math.min(res.length - 1, from + delta));
    res.splice(from, 1);
    res.splice(to, 0, item);
  }
  return res.map((value, i) => ({ value, rank: i + 1 }));
}

/**
 * The options a label question shows: those matching `filter` (case-insensitive, on value and
 * text), and at most `visible_options` of them unless `expanded`.
 * @param {Question} question @param {string} filter @param {boolean} expanded
 * @returns {{shown: Option[], hidden: number}}
 */
export function visibleOptions(question, filter, expanded) {
  const all = question.settings.options || [];
  const needle = filter.trim().toLowerCase();
  const matching = needle
    ? all.filter((it) => `${it.value} ${it.text || ''}`.toLowerCase().includes(needle))
    : all;
  const limit = question.settings.visible_options;
  if (expanded || needle || !limit || matching.length <= limit) return { shown: matching, hidden: 0 };
  return { shown: matching.slice(0, limit), hidden: matching.length - limit };
}

/**
 * The span answer with `span` added; `null` when it overlaps another and overlapping is off.
 * @param {Span[]|undefined} current @param {Span} span @param {boolean} allowOverlapping
 * @returns {Span[]|null}
 */
export function addSpan(current, span, allowOverlapping) {
  if (span.end <= span.start) return null;
  const spans = current || [];
  if (spans.some((it) => it.start === span.start && it.end === span.end && it.label === span.label)) return spans;
  if (!allowOverlapping && spans.some((it) => it.start < span.end && span.start < it.end)) return null;
  return [...spans, span].sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * `text` cut at every span boundary, each piece with the labels covering it. Span offsets count
 * code points (as the server and the Python SDK do), not UTF-16 units.
 * @param {string} text @param {Span[]} spans
 * @returns {{text: string, labels: string[]}[]}
 */
export function spanSegments(text, spans) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(chars.length, s.start)));
    cuts.add(Math.max(0, Math.min(chars.length, s.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  /** @type {{text: string, labels: string[]}[]} */
  const res = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const labels = spans.filter((s) => s.start <= a && b <= s.end).map((s) => s.label);
    res.push({ text: chars.slice(a, b).join(''), labels });
  }
  return res;
}

/**
 * A UTF-16 offset into `text` (what text inputs report) as a code-point offset.
 * @param {string} text @param {number} utf16
 */
export function codePointOffset(text, utf16) {
  return Array.from(text.slice(0, utf16)).length;
}

/**
 * The text a span covers. @param {string} text @param {Span} span
 */
export function spanText(text, span) {
  return Array.from(text).slice(span.start, span.end).join('');
}

/**
 * How a suggestion reads on hover or focus: its agent and score.
 * @param {Suggestion} s
 */
export function suggestionTitle(s) {
  const score = Array.isArray(s.score) ? s.score.map((it) => it.toFixed(2)).join(', ') : s.score;
  const parts = ['Suggested'];
  if (s.agent) parts.push(`by ${s.agent}`);
  if (score !== null && score !== undefined) parts.push(`(score ${typeof score === 'number' ? score.toFixed(2) : score})`);
  return parts.join(' ');
}
