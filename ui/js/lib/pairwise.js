// Pairwise questions (issue 22), the pure part: where each response of a pair is shown (the
// placement both the server and the UI compute: FNV-1a of "<user>:<record>:<question>"), the
// choices in screen terms (left / right, or top / bottom when stacked) and the canonical outcome
// label each one saves (A = field `a`, B = field `b`), the strength scale that only an A or B
// answer takes, what every save carries (`loam_shown`), the settings page's "switch to pairwise"
// body and the judge audit's figures. No DOM, no network, so `node --test` covers it.

/**
 * A pairwise question as `GET /api/v1/datasets/{id}/pairwise` lists it.
 * @typedef {object} Pairing
 * @property {string} question the label question's name
 * @property {string} question_id
 * @property {string} a the field shown as response A
 * @property {string} b the field shown as response B
 * @property {{a: string, b: string, tie: string|null, both_bad: string|null}} outcomes label values
 * @property {{question: string, question_id: string, levels: string[]}|null} strength
 * @property {{a: string, b: string}|null} ratings
 */

/** @typedef {'ab'|'ba'} Shown which response is shown first (left, or on top): A in "ab", B in "ba" */
/** @typedef {'first'|'second'|'tie'|'both_bad'} Side a choice as the annotator sees it */

/**
 * 32-bit FNV-1a of `text`'s UTF-8 bytes (offset 0x811c9dc5, prime 0x01000193).
 * @param {string} text @returns {number} unsigned
 */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The order the pair of `questionId` is shown to `userId` on `recordId`: "ab" (A first) when the
 * hash of "<user_id>:<record_id>:<question_id>" (lowercase hyphenated UUIDs) is even, else "ba".
 * @param {string} userId @param {string} recordId @param {string} questionId @returns {Shown}
 */
export function placement(userId, recordId, questionId) {
  return fnv1a32(`${userId.toLowerCase()}:${recordId.toLowerCase()}:${questionId.toLowerCase()}`) % 2 === 0 ? 'ab' : 'ba';
}

/**
 * The two fields of a pair in the order shown: [first, second].
 * @param {Pairing} p @param {Shown} shown @returns {[string, string]}
 */
export function fieldsShown(p, shown) {
  return shown === 'ab' ? [p.a, p.b] : [p.b, p.a];
}

/** What each side is called: side by side on wide screens, stacked on narrow ones. */
export const SIDE_NAMES = {
  first: { wide: 'Left', narrow: 'Top' },
  second: { wide: 'Right', narrow: 'Bottom' },
};

/**
 * The choices of a pair in screen order, each with the canonical label it saves and its key (by
 * position, 1 … 4): first-shown better, second-shown better, then tie and both bad where the
 * settings have them.
 * @param {Pairing} p @param {Shown} shown
 * @returns {{side: Side, value: string, key: string, wide: string, narrow: string}[]}
 */
export function choices(p, shown) {
  const [first, second] = shown === 'ab' ? [p.outcomes.a, p.outcomes.b] : [p.outcomes.b, p.outcomes.a];
  /** @type {{side: Side, value: string, wide: string, narrow: string}[]} */
  const all = [
    { side: 'first', value: first, wide: 'Left better', narrow: 'Top better' },
    { side: 'second', value: second, wide: 'Right better', narrow: 'Bottom better' },
  ];
  if (p.outcomes.tie) all.push({ side: 'tie', value: p.outcomes.tie, wide: 'Tie', narrow: 'Tie' });
  if (p.outcomes.both_bad) all.push({ side: 'both_bad', value: p.outcomes.both_bad, wide: 'Both bad', narrow: 'Both bad' });
  return all.map((c, i) => ({ ...c, key: String(i + 1) }));
}

/**
 * The canonical label digit `n` picks on the pair (by position), or null.
 * @param {Pairing} p @param {Shown} shown @param {number} n
 */
export function valueForKey(p, shown, n) {
  const found = choices(p, shown).find((c) => c.key === String(n));
  return found ? found.value : null;
}

/**
 * Which side a canonical label is on screen (null: not an outcome of the pair).
 * @param {Pairing} p @param {Shown} shown @param {unknown} value @returns {Side|null}
 */
export function sideOf(p, shown, value) {
  const found = choices(p, shown).find((c) => c.value === value);
  return found ? found.side : null;
}

/**
 * Whether an answer picks a response (A or B), the only answers a strength goes with.
 * @param {Pairing} p @param {unknown} answer
 */
export function takesStrength(p, answer) {
  return answer === p.outcomes.a || answer === p.outcomes.b;
}

/**
 * The strength levels with their keys (1 … 3, weakest first).
 * @param {Pairing} p @returns {{value: string, key: string}[]}
 */
export function strengthKeys(p) {
  return (p.strength ? p.strength.levels : []).map((value, i) => ({ value, key: i < 9 ? String(i + 1) : '' }));
}

/**
 * The strength level digit `n` picks, or null (none, or the answer takes no strength).
 * @param {Pairing} p @param {unknown} answer @param {number} n
 */
export function strengthForKey(p, answer, n) {
  if (!takesStrength(p, answer)) return null;
  const found = strengthKeys(p).find((it) => it.key === String(n));
  return found ? found.value : null;
}

/**
 * The pick a judge's ratings of the two responses imply (the `ratings` questions' suggestions,
 * distilabel's PreferenceToArgilla): the higher rated wins, equal ratings are a tie (none when the
 * pair offers no tie); null without both ratings.
 * @param {Pairing} p @param {unknown} ratingA @param {unknown} ratingB @returns {string|null}
 */
export function impliedPick(p, ratingA, ratingB) {
  if (typeof ratingA !== 'number' || typeof ratingB !== 'number') return null;
  if (ratingA > ratingB) return p.outcomes.a;
  if (ratingB > ratingA) return p.outcomes.b;
  return p.outcomes.tie;
}

/**
 * What a save of the caller's response on `record` carries besides its values: `loam_shown`,
 * the order each pair of the record was shown in.
 * @param {Pairing[]} pairings @param {string} userId @param {string} recordId
 * @returns {Record<string, Shown>}
 */
export function shownOf(pairings, userId, recordId) {
  return Object.fromEntries(pairings.map((p) => [p.question, placement(userId, recordId, p.question_id)]));
}

/**
 * The pairing that question `name` is the pairwise question or the strength question of.
 * @param {Pairing[]} pairings @param {string} name
 * @returns {{pairing: Pairing, role: 'pairwise'|'strength'}|null}
 */
export function roleOf(pairings, name) {
  for (const p of pairings) {
    if (p.question === name) return { pairing: p, role: 'pairwise' };
    if (p.strength && p.strength.question === name) return { pairing: p, role: 'strength' };
  }
  return null;
}

/**
 * `questions` in the order the form shows them: each pairing's strength question right under its
 * pairwise question, the others as they were.
 * @template {{name: string}} Q @param {Pairing[]} pairings @param {Q[]} questions @returns {Q[]}
 */
export function strengthUnder(pairings, questions) {
  const strengths = new Map(pairings.filter((p) => p.strength).map((p) => [p.question, /** @type {NonNullable<Pairing['strength']>} */ (p.strength).question]));
  const moved = new Set(strengths.values());
  /** @type {Q[]} */
  const out = [];
  for (const q of questions) {
    if (moved.has(q.name)) continue;
    out.push(q);
    const s = strengths.get(q.name);
    const found = s ? questions.find((it) => it.name === s) : undefined;
    if (found) out.push(found);
  }
  // A strength question whose pairwise question is not among `questions` stays.
  for (const q of questions) if (!out.includes(q)) out.push(q);
  return out;
}

/**
 * The fields a dataset can compare: text fields (markdown or not).
 * @param {{name: string, settings: {type: string}}[]} fields @returns {string[]}
 */
export function comparableFields(fields) {
  return fields.filter((f) => f.settings.type === 'text').map((f) => f.name);
}

/**
 * The settings page's "switch to pairwise" form as the body of `POST …/pairwise`, or the problem
 * to fix first (named by the key the API would name).
 * @param {{name: string, title: string, description: string, a: string, b: string, tie: boolean,
 *   both_bad: boolean, strength: boolean, required: boolean, ratingA: string, ratingB: string}} form
 * @returns {{body: any, problem: null}|{body: null, problem: {key: string, message: string}}}
 */
export function switchBody(form) {
  const name = form.name.trim();
  const problem = (/** @type {string} */ key, /** @type {string} */ message) => ({ body: null, problem: { key, message } });
  if (!name) return problem('name', 'Name the question');
  if (!form.a || !form.b) return problem(!form.a ? 'a' : 'b', 'Pick the two fields to compare');
  if (form.a === form.b) return problem('b', 'Pick two different fields');
  if (!!form.ratingA !== !!form.ratingB) return problem(form.ratingA ? 'ratings.b' : 'ratings.a', "Pick both rating questions, or neither");
  if (form.ratingA && form.ratingA === form.ratingB) return problem('ratings.b', 'Pick two different rating questions');
  return {
    body: {
      name,
      title: form.title.trim() || name,
      description: form.description.trim() || null,
      a: form.a,
      b: form.b,
      tie: form.tie,
      both_bad: form.both_bad,
      strength: form.strength,
      required: form.required,
      ratings: form.ratingA ? { a: form.ratingA, b: form.ratingB } : null,
    },
    problem: null,
  };
}

/**
 * A pairing in words, for the settings page's list.
 * @param {Pairing} p
 */
export function describePairing(p) {
  const outcomes = [p.outcomes.a, p.outcomes.b, p.outcomes.tie, p.outcomes.both_bad].filter(Boolean).join(' / ');
  const parts = [`${p.a} (A) vs ${p.b} (B)`, `outcomes ${outcomes}`];
  if (p.strength) parts.push(`strength ${p.strength.question}: ${p.strength.levels.join(' < ')}`);
  if (p.ratings) parts.push(`judge ratings ${p.ratings.a} vs ${p.ratings.b}`);
  return parts.join('; ');
}

/**
 * A proportion with its 95 % interval as text: "0.810 [0.730, 0.870] n = 120", or a dash with
 * the server's reason (never 0) when undefined; '' when the figure does not apply (null).
 * @param {{value: number|null, low?: number|null, high?: number|null, n?: number, reason?: string|null}|null|undefined} f
 * @returns {{text: string, reason: string|null}}
 */
export function intervalText(f) {
  if (!f) return { text: '', reason: null };
  if (typeof f.value !== 'number' || !Number.isFinite(f.value)) return { text: '—', reason: f.reason || 'not defined' };
  const d = (/** @type {unknown} */ x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '?');
  const interval = f.low == null && f.high == null ? '' : ` [${d(f.low)}, ${d(f.high)}]`;
  return { text: `${d(f.value)}${interval}${typeof f.n === 'number' ? ` n = ${f.n}` : ''}`, reason: null };
}
