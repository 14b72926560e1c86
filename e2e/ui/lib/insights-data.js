// The data of browser/ui-4-insights.test.js, made through the API as the owner: a workspace of its
// own with an owner, an admin and three annotators, and a dataset whose answers the test knows,
// with the agreement figures computed here by hand (textbook formulas, not the server's code) so
// what the page shows can be checked against them.
import { apiCall, opts, user } from './loam-ui.js';

/** The seeded answers: per record (external id), per annotator, per question. */
export const ANSWERS = {
  r1: { rater1: { sentiment: 'positive', quality: 4, answer: 'Paris.' }, rater2: { sentiment: 'positive', quality: 4, answer: 'Paris' }, rater3: { sentiment: 'positive', quality: 5, answer: 'Paris!' } },
  r2: { rater1: { sentiment: 'positive', quality: 2, answer: 'Lyon' }, rater2: { sentiment: 'negative', quality: 3, answer: 'Nice' }, rater3: { sentiment: 'negative', quality: 4, answer: 'Nantes' } },
  r3: { rater1: { sentiment: 'negative', quality: 1, answer: 'No.', topic: 'travel' }, rater2: { sentiment: 'negative', quality: 1, answer: 'No' }, rater3: { sentiment: 'negative', quality: 1, answer: 'Nope' } },
  r4: { rater1: { sentiment: 'positive', quality: 5, answer: 'Yes' }, rater2: { sentiment: 'negative', quality: 3, answer: 'Maybe' } },
  r5: {},
};
export const PROMPTS = { r1: 'Capital of France?', r2: 'A city in France?', r3: 'Is the moon cheese?', r4: 'Is it sunny?', r5: 'Nobody answered this one.' };
export const RATERS = ['rater1', 'rater2', 'rater3'];

/** Makes the workspace, users and dataset; returns their ids. */
export async function seedInsights() {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'insights-e2e' });
  const users = {};
  for (const name of RATERS) users[name] = await user(name, 'annotator', [ws.id]);
  users.chief = await user('chief', 'owner', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'insights', workspace_id: ws.id, distribution: { strategy: 'overlap', min_submitted: 2 } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'prompt', title: 'Prompt', required: true, settings: { type: 'text' } });
  const question = (name, settings, required = false) => apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name, title: name[0].toUpperCase() + name.slice(1), required, settings });
  await question('sentiment', { type: 'label_selection', options: opts('positive', 'negative') }, true);
  await question('quality', { type: 'rating', options: [1, 2, 3, 4, 5].map((value) => ({ value })) });
  await question('answer', { type: 'text' });
  // Answered by one annotator only: its agreement is undefined, with a reason.
  await question('topic', { type: 'label_selection', options: opts('travel', 'science') });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = Object.entries(ANSWERS).map(([ext, byUser]) => ({
    external_id: ext,
    fields: { prompt: PROMPTS[ext] },
    responses: Object.entries(byUser).map(([name, values]) => ({
      user_id: users[name].id,
      status: 'submitted',
      values: Object.fromEntries(Object.entries(values).map(([q, value]) => [q, { value }])),
    })),
  }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=100`)).items;
  const recordId = Object.fromEntries(records.map((r) => [r.external_id, r.id]));
  return { ws, ds, users, recordId };
}

/** The answers to `question` per record: arrays of [annotator, value]. @param {string} question */
export function unitsOf(question) {
  return Object.values(ANSWERS).map((byUser) => Object.entries(byUser).filter(([, v]) => v[question] !== undefined).map(([u, v]) => [u, v[question]]));
}

/**
 * Krippendorff's α with the nominal distance, from the coincidence matrix (Krippendorff 2011,
 * "Computing Krippendorff's alpha-reliability"): units with fewer than two values are not pairable.
 * Null when undefined (no pairable unit, or no variation).
 */
export function alphaNominal(units) {
  const o = new Map();
  let n = 0;
  for (const unit of units) {
    const m = unit.length;
    if (m < 2) continue;
    n += m;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const key = `${unit[i][1]}\u0000${unit[j][1]}`;
        o.set(key, (o.get(key) || 0) + 1 / (m - 1));
      }
    }
  }
  if (n === 0) return null;
  const nc = new Map();
  let observed = 0;
  for (const [key, w] of o) {
    const [c, k] = key.split('\u0000');
    nc.set(c, (nc.get(c) || 0) + w);
    if (c !== k) observed += w;
  }
  let expected = 0;
  for (const [c, a] of nc) for (const [k, b] of nc) if (c !== k) expected += a * b;
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/** Cohen's κ (unweighted) of two annotators over the records both answered; null when undefined. */
export function cohenKappa(units, a, b) {
  const pairs = units
    .map((unit) => [unit.find(([u]) => u === a), unit.find(([u]) => u === b)])
    .filter(([x, y]) => x && y)
    .map(([x, y]) => [x[1], y[1]]);
  if (!pairs.length) return null;
  const cats = [...new Set(pairs.flat())];
  const po = pairs.filter(([x, y]) => x === y).length / pairs.length;
  const pe = cats.reduce((s, c) => s + (pairs.filter(([x]) => x === c).length / pairs.length) * (pairs.filter(([, y]) => y === c).length / pairs.length), 0);
  if (pe === 1) return null;
  return (po - pe) / (1 - pe);
}

/** How many records have each count of submitted answers. */
export function submittedCounts() {
  const counts = {};
  for (const byUser of Object.values(ANSWERS)) {
    const n = Object.keys(byUser).length;
    counts[n] = (counts[n] || 0) + 1;
  }
  return counts;
}
