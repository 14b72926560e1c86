// loam's web UI in a real headless browser, part 10: the Pending queue's leases (issue 20). Two
// annotators in two browser contexts on a min_submitted = 1 dataset are never shown the same
// record; when every pending record is held, the view says so and looks again; leaving the view
// releases the lease (a keepalive request), and the record goes to the other annotator. The
// leases are checked through the API as well (a record held by the one is refused to the other).
// A record is shown at once while its lease is asked for: an answer typed on it meanwhile goes with
// it (nothing is written, no submit) when it went to others and the next free one replaces it.
// Runs after ui-1…ui-9 against the same server but relies on nothing they leave (its own
// workspace, users and dataset).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, setUp, signedIn, tearDown, user } from '../lib/loam-ui.js';

/** @type {{ds: any, ids: string[], one: any, two: any, slow: any, slowIds: string[]}} */
let D;

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'lease-e2e' });
  const one = await user('lease1', 'annotator', [ws.id]);
  const two = await user('lease2', 'annotator', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'lease-pick', workspace_id: ws.id, distribution: { strategy: 'overlap', min_submitted: 1 } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] } });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items: [0, 1].map((i) => ({ external_id: `i${i}`, fields: { text: `Item ${i}` } })) });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=10`)).items;
  const slow = await apiCall('POST', '/api/v1/datasets', { name: 'lease-slow', workspace_id: ws.id, distribution: { strategy: 'overlap', min_submitted: 1 } });
  await apiCall('POST', `/api/v1/datasets/${slow.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${slow.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] } });
  await apiCall('PUT', `/api/v1/datasets/${slow.id}/publish`);
  await apiCall('POST', `/api/v1/datasets/${slow.id}/records/bulk`, { items: ['A', 'B'].map((x) => ({ external_id: x, fields: { text: `Slow ${x}` } })) });
  const slowIds = (await apiCall('GET', `/api/v1/datasets/${slow.id}/records?limit=10`)).items.map((r) => r.id);
  D = { ds, ids: records.map((r) => r.id), one, two, slow, slowIds };
});
after(tearDown);

const shown = (page) => page.locator('[data-field="text"]').innerText();
const queue = () => `${URL}/datasets/${D.ds.id}/annotate?sort=oldest`;

test('two annotators never share a record; all held says so; leaving releases the lease', async () => {
  const one = await signedIn('lease1');
  const two = await signedIn('lease2');
  await one.goto(queue());
  await one.waitForSelector('[data-field="text"]');
  assert.match(await shown(one), /Item 0/);
  await two.goto(queue());
  // Item 0 is the first in the queue of both, but leased to the first: the second gets Item 1
  // (shown first, Item 0 is replaced when its lease is refused).
  await two.waitForSelector('[data-field="text"]:has-text("Item 1")');
  assert.equal(await two.locator('.save-status').innerText(), 'That record is being annotated by others; this is the next free one');

  // Two submits Item 1: nothing else is free, Item 0 is held by one.
  await two.keyboard.press('2');
  await two.keyboard.press('Enter');
  await two.waitForSelector('#held');
  assert.equal(await two.locator('#held p').innerText(), '1 record is being annotated by others; it comes back if not finished.');
  await two.screenshot({ path: join(SHOTS, 'leases-held.png'), fullPage: true });

  // One leaves the view (to the home page): the lease goes with it, and two's view finds Item 0.
  await one.goto(URL + '/');
  await one.waitForSelector('h1:has-text("Datasets")');
  await two.waitForSelector('[data-field="text"]', { timeout: 15000 });
  assert.match(await shown(two), /Item 0/);
  // Now one is refused Item 0 through the API too (two holds it) — as one's browser would be.
  const token = await one.evaluate(() => localStorage.getItem('loam.token'));
  const res = await fetch(`${URL}/api/v1/me/records/${D.ids[0]}/lease`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 409);
  await one.goto(queue());
  await one.waitForSelector('#held');
  assert.match(await one.locator('#held p').innerText(), /^1 record is being annotated by others/);

  // Two answers it: one's view, looking again, says the queue is done.
  await two.keyboard.press('1');
  await two.keyboard.press('Enter');
  await two.waitForSelector('.empty:has-text("No pending records")');
  await one.waitForSelector('.empty:has-text("No pending records")', { timeout: 15000 });
  const records = (await apiCall('GET', `/api/v1/datasets/${D.ds.id}/records?include=responses&limit=10`)).items;
  assert.deepEqual(records.map((r) => r.responses.filter((x) => x.status === 'submitted').length), [1, 1], 'one submitted answer per record');
  await one.context().close();
  await two.context().close();
});

test('an answer typed while a lease is asked for is dropped with the record when it went to others', async () => {
  const one = await signedIn('lease1');
  const two = await signedIn('lease2');
  const slowQueue = `${URL}/datasets/${D.slow.id}/annotate?sort=oldest`;
  await one.goto(slowQueue);
  await one.waitForSelector('[data-field="text"]:has-text("Slow A")');
  // Two's lease requests answer late: Slow A is on screen before its lease is refused.
  await two.route('**/api/v1/me/records/*/lease', async (route) => {
    if (route.request().method() === 'PUT') await new Promise((resolve) => setTimeout(resolve, 1200));
    await route.continue();
  });
  await two.goto(slowQueue);
  await two.waitForSelector('[data-field="text"]:has-text("Slow A")');
  await two.keyboard.press('1');
  await two.keyboard.press('Enter');
  await two.waitForSelector('[data-field="text"]:has-text("Slow B")');
  assert.equal(await two.locator('.save-status').innerText(), 'That record is being annotated by others; this is the next free one');
  // Past the autosave's quiet period (1.5 s): the answer typed on Slow A was dropped, not saved late.
  await two.waitForTimeout(2000);
  // Nothing typed on Slow A was written, nor reached Slow B: no answer is selected, no response.
  assert.equal(await two.locator('[data-option].selected').count(), 0, 'no option picked on Slow B');
  let records = (await apiCall('GET', `/api/v1/datasets/${D.slow.id}/records?include=responses&limit=10`)).items;
  assert.deepEqual(records.map((r) => r.responses.length), [0, 0], 'no response on either record');

  // Typed once the lease is held, the same keys answer Slow B.
  await two.keyboard.press('2');
  await two.keyboard.press('Enter');
  await two.waitForSelector('#held');
  records = (await apiCall('GET', `/api/v1/datasets/${D.slow.id}/records?include=responses&limit=10`)).items;
  const b = records.find((r) => r.id === D.slowIds[1]);
  assert.deepEqual(b.responses.map((x) => [x.user_id, x.status, x.values.label.value]), [[D.two.id, 'submitted', 'no']]);
  assert.equal(records.find((r) => r.id === D.slowIds[0]).responses.length, 0);
  await one.context().close();
  await two.context().close();
});
