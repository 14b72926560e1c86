// The data of browser/ui-8-roles.test.js, made through the API as the owner: two workspaces of its
// own, an owner, an admin and three annotators, a published dataset with every setting kind whose
// answers the test knows (so the team figures on the home page can be checked), a draft dataset,
// and twenty small datasets in a second workspace (the home page's request count must not grow
// with them).
import { apiCall, opts, user } from './loam-ui.js';

export const WS = 'roles-e2e';
export const WS_MANY = 'roles-e2e-many';
export const MANY = 20;

/** Who answered what on `roles-team` (min_submitted 2), by record (external id). */
export const ANSWERS = {
  t1: { 'r-ann1': 'submitted', 'r-ann2': 'submitted' }, // completed
  t2: { 'r-ann1': 'submitted' }, // waiting for one more
  t3: { 'r-ann2': 'draft' },
  t4: { 'r-ann1': 'discarded' },
};

/** Makes the workspaces, users and datasets; returns their ids. */
export async function seedRoles() {
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: WS });
  const many = await apiCall('POST', '/api/v1/workspaces', { name: WS_MANY });
  const users = {};
  for (const name of ['r-ann1', 'r-ann2', 'r-ann3']) users[name] = await user(name, 'annotator', [ws.id]);
  users['r-admin'] = await user('r-admin', 'admin', [ws.id]);
  users['r-owner'] = await user('r-owner', 'owner', [ws.id]);

  const team = await apiCall('POST', '/api/v1/datasets', { name: 'roles-team', workspace_id: ws.id, guidelines: 'Read **all** of it.', distribution: { strategy: 'overlap', min_submitted: 2 } });
  const field = (name, title, settings, required = false) => apiCall('POST', `/api/v1/datasets/${team.id}/fields`, { name, title, required, settings });
  await field('prompt', 'Prompt', { type: 'text', use_markdown: true }, true);
  await field('body', 'Body', { type: 'text', use_markdown: false });
  await field('card', 'Card', { type: 'custom', template: '<p>{{record.fields.body}}</p>', advanced_mode: false });
  const question = (name, title, settings, required = false) => apiCall('POST', `/api/v1/datasets/${team.id}/questions`, { name, title, required, settings });
  await question('sentiment', 'Sentiment', { type: 'label_selection', options: opts('a', 'b', 'c', 'd') }, true);
  await question('topics', 'Topics', { type: 'multi_label_selection', options: opts('x', 'y') });
  await question('quality', 'Quality', { type: 'rating', options: [0, 1, 2, 3].map((value) => ({ value })) });
  await question('order', 'Order', { type: 'ranking', options: opts('first', 'second') });
  await question('notes', 'Notes', { type: 'text', use_markdown: false });
  await question('entities', 'Entities', { type: 'span', field: 'body', options: opts('PER', 'ORG', 'LOC'), allow_overlapping: false });
  await apiCall('POST', `/api/v1/datasets/${team.id}/metadata-properties`, { name: 'source', title: 'Source', settings: { type: 'terms' }, visible_for_annotators: true });
  await apiCall('POST', `/api/v1/datasets/${team.id}/vectors-settings`, { name: 'emb', title: 'Embedding', dimensions: 3 });
  await apiCall('PUT', `/api/v1/datasets/${team.id}/publish`);
  const items = Object.entries(ANSWERS).map(([ext, byUser]) => ({
    external_id: ext,
    fields: { prompt: `Prompt of ${ext}`, body: `Ada Lovelace wrote ${ext}.` },
    metadata: { source: 'web' },
    responses: Object.entries(byUser).map(([name, status]) => ({
      user_id: users[name].id,
      status,
      ...(status === 'discarded' ? {} : { values: { sentiment: { value: 'a' } } }),
    })),
  }));
  await apiCall('POST', `/api/v1/datasets/${team.id}/records/bulk`, { items });

  const draft = await apiCall('POST', '/api/v1/datasets', { name: 'roles-draft', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${draft.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });

  const manyIds = [];
  for (let i = 0; i < MANY; i++) {
    const ds = await apiCall('POST', '/api/v1/datasets', { name: `roles-many-${String(i).padStart(2, '0')}`, workspace_id: many.id });
    await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
    await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'ok', title: 'OK?', required: true, settings: { type: 'label_selection', options: opts('yes', 'no') } });
    await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
    await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items: [{ fields: { text: `record of ${i}` } }] });
    manyIds.push(ds.id);
  }
  return { ws, many, users, team, draft, manyIds };
}
