// loam's web UI in a real headless browser, part 12: time on task and owners' record edits
// (issue 20). Two annotators work under a controlled clock (playwright's page.clock, paused and
// moved by hand): time with the tab hidden is left out, time past the idle limit after the last
// input is left out, and the figures the owner's home and the dataset's progress show per
// annotator and for the team match the events played. An owner edits a record's text and
// metadata from the annotation view by keyboard and reads the previous values in its history;
// an annotator has no edit action.
// Runs against the same server as the other files but relies on nothing they leave (its own
// workspace, users and dataset).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, URL, apiCall, setUp, signedIn, tabTo, tearDown, user } from '../lib/loam-ui.js';

/** @type {{ws: any, ds: any, ids: Record<string, string>, clock1: any, clock2: any}} */
let D;

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'time-e2e' });
  const clock1 = await user('clock1', 'annotator', [ws.id]);
  const clock2 = await user('clock2', 'annotator', [ws.id]);
  await user('clockboss', 'owner', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'timed', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: [{ value: 'a', text: 'A' }, { value: 'b', text: 'B' }] } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/metadata-properties`, { name: 'source', title: 'Source', settings: { type: 'terms' }, visible_for_annotators: true });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = [0, 1, 2, 3].map((i) => ({ external_id: `t${i}`, fields: { text: `Timed record ${i}` }, metadata: { source: 'web' } }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=100`)).items;
  D = { ws, ds, ids: Object.fromEntries(records.map((r) => [r.external_id, r.id])), clock1, clock2 };
});
after(tearDown);

const T0 = new Date('2026-03-02T09:00:00Z').getTime();
const S = 1000;
const shownText = (page) => page.locator('[data-field="text"]').innerText();
/** The external id of the record shown (`Timed record 3` is t3). */
const shownId = async (page) => `t${(await shownText(page)).match(/Timed record (\d)/)[1]}`;
/** Waits until the view shows another record than `id`. */
const movedOn = (page, id) => page.waitForFunction((n) => !document.querySelector('[data-field="text"]')?.textContent?.includes(`Timed record ${n}`), id.slice(1));

/** Signs in with the clock installed, then pauses it: from here on time moves only by hand. */
async function clocked(username) {
  const page = await signedIn(username);
  await page.clock.install({ time: T0 });
  await page.reload();
  await page.waitForSelector('h1:has-text("Datasets")');
  await page.clock.pauseAt(T0 + 60 * S);
  return page;
}

/** Opens the dataset from the home by its link (no reload: the paused clock stays as it is). */
async function openTimed(page) {
  await page.locator('tr[data-name="timed"] a', { hasText: 'timed' }).first().click();
  await page.waitForSelector('[data-field="text"]');
}

/** The tab goes hidden or visible, as a browser reports it. */
async function setVisible(page, visible) {
  await page.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

const responsesOf = async (userId) => {
  const res = await apiCall('GET', `/api/v1/datasets/${D.ds.id}/records?include=responses&limit=100`);
  return Object.fromEntries(res.items.flatMap((r) => (r.responses || []).filter((x) => x.user_id === userId).map((x) => [r.external_id, x.status])));
};

test('active time leaves out hidden-tab and idle time; the figures per annotator match the events', async () => {
  const one = await clocked('clock1');
  await openTimed(one);
  const first = await shownId(one);
  assert.equal(await one.locator('#edit-record').count(), 0, 'an annotator has no edit action');
  // The first record opens at 0 s. Input at 20 s, hidden from 30 s to 50 s (left out), submit at 55 s: 35 s.
  await one.clock.fastForward(20 * S);
  await one.keyboard.press('1');
  await one.clock.fastForward(10 * S);
  await setVisible(one, false);
  await one.clock.fastForward(20 * S);
  await setVisible(one, true);
  await one.clock.fastForward(5 * S);
  await one.keyboard.press('Enter');
  await movedOn(one, first);
  const second = await shownId(one);
  // The second opens at 55 s; nothing for 3 minutes (only the first minute counts), then an answer at
  // 235 s and a submit at 245 s: 60 s + 10 s = 70 s.
  await one.clock.fastForward(180 * S);
  await one.keyboard.press('2');
  await one.clock.fastForward(10 * S);
  await one.keyboard.press('Enter');
  await movedOn(one, second);
  assert.deepEqual(await responsesOf(D.clock1.id), { [first]: 'submitted', [second]: 'submitted' });

  // clock2 discards the record it is shown after 12 s of work (an answer at 2 s, Backspace at 12 s).
  const two = await clocked('clock2');
  await openTimed(two);
  const third = await shownId(two);
  assert.ok(![first, second].includes(third), 'records completed by clock1 are not pending for clock2');
  await two.clock.fastForward(2 * S);
  await two.keyboard.press('1');
  await two.clock.fastForward(10 * S);
  await two.keyboard.press('Backspace');
  await movedOn(two, third);
  assert.deepEqual(await responsesOf(D.clock2.id), { [third]: 'discarded' });

  // What the server summed: clock1 105 s over 2 records (median 52.5 s), clock2 12 s over 1.
  const progress = await apiCall('GET', `/api/v1/ui/datasets/${D.ds.id}/progress`);
  const figures = Object.fromEntries(progress.time.annotators.map((a) => [a.username, [a.active_ms, a.done, a.median_ms]]));
  assert.deepEqual(figures, { clock1: [105_000, 2, 52_500], clock2: [12_000, 1, 12_000] });
  assert.deepEqual([progress.time.total.active_ms, progress.time.total.done, progress.time.total.median_ms], [117_000, 3, 35_000]);

  // The owner's home and the dataset's progress show them.
  const boss = await signedIn('clockboss');
  const rowsOf = async (scope) =>
    boss.locator(`${scope} table.time-on-task tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const expected = [
    ['Team', '1 min 57 s', '3', '92.3', '35 s'],
    ['clock1', '1 min 45 s', '2', '68.6', '53 s'],
    ['clock2', '12 s', '1', '300.0', '12 s'],
  ];
  await boss.locator('tr[data-name="timed"] details.time summary').click();
  assert.deepEqual(await rowsOf('tr[data-name="timed"]'), expected);
  await boss.screenshot({ path: join(SHOTS, 'time-home.png'), fullPage: true });
  await boss.goto(`${URL}/datasets/${D.ds.id}/settings`);
  await boss.waitForSelector('#progress-live table.time-on-task');
  assert.deepEqual(await rowsOf('#progress-live'), expected);
  await boss.context().close();
  await one.context().close();
  await two.context().close();
});

test('an owner edits a record\'s text and metadata by keyboard and reads the previous values in its history', async () => {
  const boss = await signedIn('clockboss');
  await boss.goto(`${URL}/datasets/${D.ds.id}/annotate?record=${D.ids.t3}`);
  await boss.waitForSelector('[data-field="text"]');
  await tabTo(boss, '#edit-record');
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#edit-record-dialog');
  assert.equal(await boss.evaluate(() => document.activeElement?.id), 'edit-field-text', 'the form opens on its first input');
  await boss.keyboard.press('ControlOrMeta+a');
  await boss.keyboard.type('Timed record 3, fixed');
  await boss.locator('#edit-meta-source').fill('book');
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#edit-record-dialog', { state: 'detached' });
  await boss.waitForFunction(() => document.querySelector('[data-field="text"]')?.textContent?.includes('fixed'));
  const record = await apiCall('GET', `/api/v1/records/${D.ids.t3}`);
  assert.deepEqual([record.fields.text, record.metadata.source], ['Timed record 3, fixed', 'book']);
  await boss.locator('#record-history summary').click();
  await boss.waitForSelector('#record-history li time');
  const lines = await boss.locator('#record-history li').allInnerTexts();
  assert.equal(lines.length, 2);
  assert.ok(lines.some((l) => l.includes('Field text: “Timed record 3” → “Timed record 3, fixed” by clockboss')), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('Metadata source: “web” → “book” by clockboss')), lines.join('\n'));
  const history = await apiCall('GET', `/api/v1/records/${D.ids.t3}/history`);
  assert.equal(history.items.length, 2);
  await boss.screenshot({ path: join(SHOTS, 'time-record-history.png'), fullPage: true });
  // A bad value is refused in the form, and nothing changes.
  await boss.locator('#edit-record').click();
  await boss.locator('#edit-field-text').fill('');
  await boss.locator('#edit-record-dialog button[type="submit"]').click();
  await boss.waitForFunction(() => (document.querySelector('#edit-record-dialog-error')?.textContent || '').length > 0);
  assert.equal((await apiCall('GET', `/api/v1/records/${D.ids.t3}/history`)).items.length, 2);
  await boss.keyboard.press('Escape');
  await boss.context().close();
});
