// The data of browser/ui-5-keyboard.test.js, made through the API as the owner: a workspace of its
// own with four annotators, a code-LLM review dataset (markdown instruction and response with
// code; rating 0–7, correct / incorrect, corrected response; a judge model's suggestions with
// scores) and a dataset with a ranking and a span question whose suggestions have the shape the
// v2 SDK logs (`rank: null` in each ranking item, one score per item).
import { apiCall, opts, user } from './loam-ui.js';

export const JUDGE = 'judge-llm-v3';
export const CODERS = ['keys1', 'keys2', 'keys3', 'keys4'];

/** The code-review records, by external id, with the judge's suggestions (none where absent). */
export const CODE = {
  c1: {
    instruction: 'Write `add(a, b)` in Python.',
    response: 'Here it is:\n\n```python\ndef add(a, b):\n    return a - b\n```',
    judge: { quality: [2, 0.8], verdict: ['incorrect', 0.91], corrected: ['def add(a, b):\n    return a + b', 0.75] },
  },
  c2: { instruction: 'Reverse a string in Rust.', response: '```rust\nfn rev(s: &str) -> String { s.chars().rev().collect() }\n```', judge: { quality: [6, 0.66], verdict: ['correct', 0.88] } },
  c3: { instruction: 'Sum a list in Go.', response: '```go\nfunc sum(xs []int) (t int) { for _, x := range xs { t += x }; return }\n```', judge: { quality: [5, 0.7], verdict: ['correct', 0.8] } },
  c4: { instruction: 'FizzBuzz in JavaScript.', response: '```js\nfor (let i = 1; i <= 15; i++) console.log(i % 15 ? i : "FizzBuzz")\n```', judge: { quality: [1, 0.55], verdict: ['incorrect', 0.7] } },
  c5: { instruction: 'Parse an int in C.', response: '```c\nint n = atoi(s);\n```', judge: null },
  c6: { instruction: 'Read a file in Python.', response: '```python\nopen("f").read()\n```', judge: { quality: [3, 0.4], verdict: ['correct', 0.52] } },
};

/** The ranking and span records: the text, the suggested order and the suggested spans. */
export const RANKED = {
  s1: {
    text: 'Ada Lovelace wrote to Charles Babbage.',
    order: ['reply-c', 'reply-a', 'reply-b'],
    spans: [{ label: 'PER', start: 0, end: 12 }, { label: 'PER', start: 22, end: 37 }],
  },
  s2: { text: 'Grace Hopper joined the Navy.', order: ['reply-b', 'reply-c', 'reply-a'], spans: [{ label: 'PER', start: 0, end: 12 }, { label: 'ORG', start: 24, end: 28 }] },
};

/** Makes the workspace, users and both datasets. */
export async function seedKeys() {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'keys-e2e' });
  const users = {};
  for (const name of CODERS) users[name] = await user(name, 'annotator', [ws.id]);

  // Every annotator answers every record (no record completes under another's feet).
  const distribution = { strategy: 'overlap', min_submitted: CODERS.length };
  const code = await apiCall('POST', '/api/v1/datasets', { name: 'code-review', workspace_id: ws.id, guidelines: 'Rate the response 0 (useless) to 7 (perfect).', distribution });
  const field = (ds, name, title, settings) => apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name, title, required: true, settings });
  const question = (ds, name, title, settings, required) => apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name, title, required, settings, description: `${title}: see the guidelines.` });
  await field(code, 'instruction', 'Instruction', { type: 'text', use_markdown: true });
  await field(code, 'response', 'Response', { type: 'text', use_markdown: true });
  const quality = await question(code, 'quality', 'Quality', { type: 'rating', options: [0, 1, 2, 3, 4, 5, 6, 7].map((value) => ({ value })) }, true);
  const verdict = await question(code, 'verdict', 'Verdict', { type: 'label_selection', options: opts('correct', 'incorrect') }, true);
  const corrected = await question(code, 'corrected', 'Corrected response', { type: 'text', use_markdown: true }, false);
  await apiCall('PUT', `/api/v1/datasets/${code.id}/publish`);
  const ids = { quality: quality.id, verdict: verdict.id, corrected: corrected.id };
  await apiCall('POST', `/api/v1/datasets/${code.id}/records/bulk`, {
    items: Object.entries(CODE).map(([external_id, r]) => ({
      external_id,
      fields: { instruction: r.instruction, response: r.response },
      suggestions: Object.entries(r.judge || {}).map(([q, [value, score]]) => ({ question_id: ids[q], value, score, agent: JUDGE })),
    })),
  });

  const ranked = await apiCall('POST', '/api/v1/datasets', { name: 'rank-and-spans', workspace_id: ws.id, distribution });
  await field(ranked, 'text', 'Text', { type: 'text', use_markdown: false });
  const preference = await question(ranked, 'preference', 'Preference', { type: 'ranking', options: opts('reply-a', 'reply-b', 'reply-c') }, true);
  const entities = await question(ranked, 'entities', 'Entities', { type: 'span', field: 'text', options: opts('PER', 'ORG'), allow_overlapping: false }, false);
  await apiCall('PUT', `/api/v1/datasets/${ranked.id}/publish`);
  await apiCall('POST', `/api/v1/datasets/${ranked.id}/records/bulk`, {
    items: Object.entries(RANKED).map(([external_id, r]) => ({
      external_id,
      fields: { text: r.text },
      suggestions: [
        // The v2 SDK's shape: every item ranked null, in the suggested order; a score per item.
        { question_id: preference.id, value: r.order.map((value) => ({ value, rank: null })), score: [0.9, 0.6, 0.3], agent: JUDGE },
        { question_id: entities.id, value: r.spans, score: r.spans.map(() => 0.95), agent: 'ner-base' },
      ],
    })),
  });
  return { ws, users, code, ranked };
}

/** The caller's responses on dataset `ds`, by the record's external id (the API's view). */
export async function responsesOf(ds, userId) {
  const res = await apiCall('GET', `/api/v1/datasets/${ds.id}/records?include=responses&limit=1000`);
  return Object.fromEntries(res.items.map((r) => [r.external_id, (r.responses || []).find((x) => x.user_id === userId) || null]));
}
