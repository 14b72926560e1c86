// The data of browser/ui-14-pairwise.test.js, made through the API as the owner: a workspace of
// its own with an admin and two annotators; a dataset switched to pairwise before publishing
// (markdown prompt and two markdown responses with code; a judge's suggestion on one record); a
// dataset with exactly the settings distilabel 1.5's `PreferenceToArgilla` creates for two
// generations (checked against distilabel's source in e2e/distilabel's venv: fields `id`,
// `instruction`, `generations-0`, `generations-1` (titles = names, plain text), the second not
// required; per generation a rating question 1–5 titled "Rate generations-i given instruction."
// and a text question `…-rationale`, the second generation's not required and described as
// possibly missing; the default distribution; the judge's ratings and rationales as suggestions
// without agent or score); and a plain dataset with
// no judge. Also: the answers read back through the v2 and the legacy SDK in the venvs e2e/run.sh
// makes (a missing venv fails the test: nothing is skipped).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { placement } from '../../../ui/js/lib/pairwise.js';
import { KEY, URL, apiCall, user } from './loam-ui.js';

export const JUDGE = 'judge-llm-v1';
export const ANNOTATORS = ['pw-ann1', 'pw-ann2'];

/** The basic dataset's records: a prompt and the two responses, each naming itself. */
export const BASIC = [1, 2, 3, 4, 5, 6].map((n) => ({
  prompt: `Prompt ${n}: write a **greeting** in Python.`,
  a: `Response A${n}:\n\n\`\`\`python\nprint("hello ${n}")\n\`\`\``,
  b: `Response B${n}: just say \`hi ${n}\`, a rather long line that wraps on a narrow screen instead of widening the page.`,
}));

const DISTILABEL = [
  { instruction: 'What is 2 + 2?', g: ['2 + 2 is 4.', '2 + 2 is 5.'], ratings: [5, 1] },
  { instruction: 'Name a prime number.', g: ['9 is prime.', '7 is prime.'], ratings: [1, 4] },
  { instruction: 'Capital of France?', g: ['Paris.', 'Paris, of course.'], ratings: [4, 4] },
];

const field = (ds, name, title, settings, required = true) => apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name, title, required, settings });
const question = (ds, name, title, settings, required, description = null) =>
  apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name, title, required, settings, description });

/** Makes the workspace, the users and the three datasets. */
export async function seedPairwise() {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'pairwise-e2e' });
  const users = {};
  users['pw-admin'] = await user('pw-admin', 'admin', [ws.id]);
  for (const name of ANNOTATORS) users[name] = await user(name, 'annotator', [ws.id]);
  const distribution = { strategy: 'overlap', min_submitted: ANNOTATORS.length };

  // Switched to pairwise while a draft (the distilabel dataset below is switched once published).
  const basic = await apiCall('POST', '/api/v1/datasets', { name: 'pairwise-basic', workspace_id: ws.id, guidelines: 'Which response answers the prompt better?', distribution });
  await field(basic, 'prompt', 'Prompt', { type: 'text', use_markdown: true });
  await field(basic, 'response_a', 'Model A response', { type: 'text', use_markdown: true });
  await field(basic, 'response_b', 'Model B response', { type: 'text', use_markdown: true });
  const pairing = await apiCall('POST', `/api/v1/datasets/${basic.id}/pairwise`, {
    name: 'preference',
    title: 'Which response is better?',
    description: null,
    a: 'response_a',
    b: 'response_b',
    tie: true,
    both_bad: true,
    strength: true,
    required: true,
    ratings: null,
  });
  await apiCall('PUT', `/api/v1/datasets/${basic.id}/publish`);
  // Both orders among the records, for the first annotator: made again until they are.
  let records;
  for (let attempt = 0; ; attempt++) {
    await apiCall('POST', `/api/v1/datasets/${basic.id}/records/bulk`, {
      items: BASIC.map((r, i) => ({
        external_id: `p${i + 1}`,
        fields: { prompt: r.prompt, response_a: r.a, response_b: r.b },
        suggestions: i === 0 ? [{ question_id: pairing.question_id, value: 'B', score: 0.7, agent: JUDGE }] : [],
      })),
    });
    records = (await apiCall('GET', `/api/v1/datasets/${basic.id}/records?limit=100`)).items;
    const shown = new Set(records.map((r) => placement(users['pw-ann1'].id, r.id, pairing.question_id)));
    if (shown.size === 2) break;
    if (attempt > 20) throw new Error('no record set with both orders');
    await apiCall('DELETE', `/api/v1/datasets/${basic.id}/records?ids=${records.map((r) => r.id).join(',')}`);
  }
  const byExternal = Object.fromEntries(records.map((r) => [r.external_id, r]));

  // distilabel 1.5's PreferenceToArgilla, two generations, after UltraFeedback.
  const dl = await apiCall('POST', '/api/v1/datasets', { name: 'pairwise-distilabel', workspace_id: ws.id });
  await field(dl, 'id', 'id', { type: 'text', use_markdown: false });
  await field(dl, 'instruction', 'instruction', { type: 'text', use_markdown: false });
  await field(dl, 'generations-0', 'generations-0', { type: 'text', use_markdown: false });
  await field(dl, 'generations-1', 'generations-1', { type: 'text', use_markdown: false }, false);
  const missing = (i) => `Ignore this question if the corresponding \`generations-${i}\` field is not available.`;
  const dlq = {};
  for (const i of [0, 1]) {
    dlq[`generations-${i}-rating`] = await question(dl, `generations-${i}-rating`, `Rate generations-${i} given instruction.`, { type: 'rating', options: [1, 2, 3, 4, 5].map((value) => ({ value })) }, i === 0, i === 0 ? null : missing(i));
    dlq[`generations-${i}-rationale`] = await question(dl, `generations-${i}-rationale`, `Specify the rationale for generations-${i}'s rating.`, { type: 'text', use_markdown: false }, false, i === 0 ? null : missing(i));
  }
  await apiCall('PUT', `/api/v1/datasets/${dl.id}/publish`);
  await apiCall('POST', `/api/v1/datasets/${dl.id}/records/bulk`, {
    items: DISTILABEL.map((r, n) => ({
      external_id: `d${n + 1}`,
      fields: { id: `sha-${n + 1}`, instruction: r.instruction, 'generations-0': r.g[0], 'generations-1': r.g[1] },
      suggestions: [0, 1].flatMap((i) => [
        { question_id: dlq[`generations-${i}-rating`].id, value: r.ratings[i] },
        { question_id: dlq[`generations-${i}-rationale`].id, value: `text ${i + 1} is rated ${r.ratings[i]}.` },
      ]),
    })),
  });

  // No agent has answered anything here: the judges' empty state.
  const plain = await apiCall('POST', '/api/v1/datasets', { name: 'pairwise-plain', workspace_id: ws.id });
  await field(plain, 'text', 'Text', { type: 'text' });
  await question(plain, 'ok', 'OK?', { type: 'label_selection', options: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] }, true);
  await apiCall('PUT', `/api/v1/datasets/${plain.id}/publish`);
  await apiCall('POST', `/api/v1/datasets/${plain.id}/records/bulk`, { items: [{ fields: { text: 'Nothing to judge.' } }] });

  return { ws, users, basic, pairing, records: byExternal, dl, plain };
}

/** The pairwise answers of a question (`GET …/pairwise/answers`), by record id, for one user. */
export async function answersOf(ds, questionName, userId) {
  const res = await apiCall('GET', `/api/v1/datasets/${ds.id}/pairwise/answers?question=${encodeURIComponent(questionName)}`);
  return Object.fromEntries(res.items.filter((it) => it.user_id === userId).map((it) => [it.record_id, it]));
}

const VENVS = join(homedir(), '.cache/loam/venvs');

/**
 * Runs a Python script with the venv `venv` (e2e/run.sh makes them; a missing one is a failure,
 * never a skip) and reads its stdout as JSON.
 * @param {string} venv @param {string} script @param {string[]} args
 */
export function python(venv, script, args) {
  const bin = join(VENVS, venv, 'bin/python');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`bash e2e/run.sh ${venv.startsWith('legacy') ? 'legacy' : 'sdk'}\` once to make it (the pairwise answers must be read through the SDKs)`);
  const res = spawnSync(bin, ['-c', script, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  if (res.status !== 0) throw new Error(`${venv} python failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop() || 'null');
}

/** The v2 SDK's view: record id → [{user_id, value, status}] of question `name`. */
export const V2_READ = `
import json, sys
import argilla as rg
url, key, dataset, workspace, name = sys.argv[1:6]
client = rg.Argilla(api_url=url, api_key=key)
ds = client.datasets(name=dataset, workspace=workspace)
out = {}
for record in ds.records(with_responses=True):
    # The v2 SDK's record id is the external id; the server's id is kept apart.
    out[str(record._server_id)] = [
        {"user_id": str(r.user_id), "value": r.value, "status": str(getattr(r.status, "value", r.status))}
        for r in record.responses
        if r.question_name == name
    ]
print(json.dumps(out))
`;

/** The legacy SDK's view (1.29 `FeedbackDataset.from_argilla`): record id → [{user_id, value, status}]. */
export const LEGACY_READ = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import argilla as rg
url, key, dataset, workspace, name = sys.argv[1:6]
rg.init(api_url=url, api_key=key, workspace=workspace)
ds = rg.FeedbackDataset.from_argilla(name=dataset, workspace=workspace)
out = {}
for record in ds.records:
    out[str(record.id)] = [
        {"user_id": str(r.user_id), "value": r.values[name].value, "status": str(getattr(r.status, "value", r.status))}
        for r in record.responses
        if name in (r.values or {})
    ]
print(json.dumps(out))
`;

export const SDK_ARGS = (ds, ws, name) => [URL, KEY, ds.name, ws.name, name];
