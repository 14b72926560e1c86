// The data of browser/ui-6-filters.test.js, made through the API as the owner with the v2 SDK's
// JSON shapes: a workspace of its own with an annotator, a dataset of code tasks (a markdown
// instruction, a plain-text response, long for some), a 0–7 rating, a correct/incorrect label and
// a text question; a terms property with no declared values (the SDK's default
// `TermsMetadataProperty`), an integer and a float property, and one hidden from annotators;
// suggestions from two judge agents with scores; the annotator's first records answered. What a
// filter should match is computed here from the same rows, not asked of the server.
import { apiCall, opts, user } from './loam-ui.js';

export const N_RECORDS = 72;
export const SOURCES = ['github', 'stackoverflow', 'docs'];
const TASKS = ['sorting', 'parsing', 'caching'];

/** Record `i`'s data: fields, metadata, suggestions, and the annotator's response if any. */
export function row(i) {
  const task = TASKS[i % 3];
  return {
    i,
    prompt: `Task ${i}: write a **${task}** function${i % 12 === 5 ? ' using quicksort' : ''}.`,
    response: i % 4 === 0 ? Array.from({ length: 12 }, (_, k) => `line ${k} of a long answer to task ${i}`).join('\n') : `def solve_${i}(): return ${task === 'sorting' ? 'sorted(xs)' : 'None'}`,
    source: SOURCES[i % 3],
    length: 10 * i,
    // Never a whole number: JSON has no 1.0, and a float property refuses integers.
    temperature: (i % 10) / 10 + 0.05,
    secret: i % 2 ? 'alpha' : 'beta',
    rating: { value: i % 8, score: (i % 20) / 20, agent: i % 2 ? 'judge-a' : 'judge-b' },
    label: { value: i % 2 ? 'correct' : 'incorrect', score: 0.9, agent: 'judge-a' },
    // The annotator submitted records 0–5 (rating i, label by parity) and has drafts on 6–7.
    mine: i < 6 ? { status: 'submitted', rating: i, label: i % 2 ? 'correct' : 'incorrect' } : i < 8 ? { status: 'draft', rating: 1, label: 'correct' } : null,
  };
}

export const ROWS = Array.from({ length: N_RECORDS }, (_, i) => row(i));

/** Rows in the annotator's Pending queue that `keep` accepts. @param {(r: any) => boolean} keep */
export const pending = (keep = () => true) => ROWS.filter((r) => !r.mine && keep(r));

/** Makes the workspace, users and dataset. */
export async function seedFilters() {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'filters-e2e' });
  const annotator = await user('fann', 'annotator', [ws.id]);
  await user('fowner', 'owner', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'code-judging', workspace_id: ws.id, guidelines: 'Judge the response.' });
  const field = (name, title, settings) => apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name, title, required: true, settings });
  await field('prompt', 'Instruction', { type: 'text', use_markdown: true });
  await field('response', 'Response', { type: 'text', use_markdown: false });
  const question = (name, title, settings, required) => apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name, title, required, settings });
  const rating = await question('rating', 'Rating', { type: 'rating', options: [0, 1, 2, 3, 4, 5, 6, 7].map((value) => ({ value })) }, false);
  const label = await question('label', 'Label', { type: 'label_selection', options: opts('correct', 'incorrect') }, true);
  await question('fix', 'Corrected response', { type: 'text', use_markdown: false }, false);
  const meta = (name, title, settings, visible = true) => apiCall('POST', `/api/v1/datasets/${ds.id}/metadata-properties`, { name, title, settings, visible_for_annotators: visible });
  // As the v2 SDK sends them: a terms property with values null, numeric ones with null bounds.
  await meta('source', 'Source', { type: 'terms', values: null });
  await meta('length', 'Length', { type: 'integer', min: null, max: null });
  await meta('temperature', 'Temperature', { type: 'float', min: null, max: null });
  await meta('secret', 'Secret', { type: 'terms', values: null }, false);
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = ROWS.map((r) => ({
    external_id: `task-${r.i}`,
    fields: { prompt: r.prompt, response: r.response },
    metadata: { source: r.source, length: r.length, temperature: r.temperature, secret: r.secret },
    suggestions: [
      { question_id: rating.id, value: r.rating.value, score: r.rating.score, agent: r.rating.agent, type: 'model' },
      { question_id: label.id, value: r.label.value, score: r.label.score, agent: r.label.agent, type: 'model' },
    ],
    responses: r.mine ? [{ user_id: annotator.id, status: r.mine.status, values: { rating: { value: r.mine.rating }, label: { value: r.mine.label } } }] : [],
  }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  return { ws, ds, annotator };
}
