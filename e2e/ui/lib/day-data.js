// The data of browser/ui-9-day.test.js (a day of annotation, issue 19's QA), made through the API
// as the owner: a workspace of its own, two annotators, and a small code-review dataset (rating 0–7,
// corrected response) whose records are answered from two tabs at once and from one shared browser.
import { apiCall, user } from './loam-ui.js';

export const DAY_ANNOTATOR = 'day1';
/** A second annotator, sharing the first one's browser. */
export const DAY_SECOND = 'day2';

/** Makes the workspace, the annotator and the dataset of `n` records `Task 0` … `Task n-1`. */
export async function seedDay(n = 6) {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'day-e2e' });
  const annotator = await user(DAY_ANNOTATOR, 'annotator', [ws.id]);
  const second = await user(DAY_SECOND, 'annotator', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'day-code', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'instruction', title: 'Instruction', required: true, settings: { type: 'text', use_markdown: true } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'quality', title: 'Quality', required: true, settings: { type: 'rating', options: [0, 1, 2, 3, 4, 5, 6, 7].map((value) => ({ value })) } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'corrected', title: 'Corrected response', required: false, settings: { type: 'text', use_markdown: true } });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = Array.from({ length: n }, (_, i) => ({ external_id: `t${i}`, fields: { instruction: `Task ${i}: write \`f${i}\`` } }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=1000`)).items;
  const ids = Object.fromEntries(records.map((r) => [r.external_id, r.id]));
  return { ws, annotator, second, ds, ids };
}

/** The annotator's responses on the dataset, by external id: status and plain values. */
export async function dayResponses(ds, userId) {
  const res = await apiCall('GET', `/api/v1/datasets/${ds.id}/records?include=responses&limit=1000`);
  const plain = (r) => ({ status: r.status, values: Object.fromEntries(Object.entries(r.values || {}).map(([k, v]) => [k, v.value])) });
  return Object.fromEntries(res.items.flatMap((r) => (r.responses || []).filter((x) => x.user_id === userId).map((x) => [r.external_id, plain(x)])));
}
