// loam's web UI in a real headless browser, part 13: importing a file from a dataset's settings
// (issue 21). An admin of the workspace picks a JSONL file by keyboard, the preview shows the
// first rows with the inferred mapping and the bad row's reason; a column is moved to another
// target with the keyboard and previewed again; the import shows its upload progress and the
// report with the bad rows, and the records are there through the API. A CSV whose columns
// match nothing gets the mapping's error and the selects to fix it. An annotator's settings
// page is the "not allowed" page. Screenshots at 1280×800 and 390×844; nothing runs off a
// 390 px screen. Runs on a workspace, users and dataset of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHOTS, URL, apiCall, setUp, signedIn, tabTo, tearDown, user } from '../lib/loam-ui.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** @type {{ws: any, ds: any, dir: string}} */
let D;

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'import-e2e' });
  await user('imp-admin', 'admin', [ws.id]);
  await user('imp-ann', 'annotator', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'imported', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: [{ value: 'pos', text: 'Pos' }, { value: 'neg', text: 'Neg' }] } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/metadata-properties`, { name: 'source', title: 'Source', settings: { type: 'terms' }, visible_for_annotators: true });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  D = { ws, ds, dir: mkdtempSync(join(tmpdir(), 'loam-ui-import-')) };
});
after(tearDown);

async function shots(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  assert.ok(await fits(page), `${name}: no horizontal overflow at 390 px`);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/**
 * Picks `file` in the file input, reached by keyboard (the chooser opens on Space). The wait for
 * the chooser starts before the tabbing: playwright asks the browser to intercept file choosers
 * when the first listener is added, without waiting for the answer, so a key pressed at once can
 * beat it and open an uncaught chooser (CI saw this once: a 30 s timeout). tabTo's round trips to
 * the page come after that request.
 */
async function pick(page, file) {
  const chooser = page.waitForEvent('filechooser');
  chooser.catch(() => {}); // a failure is reported where it is awaited below
  await tabTo(page, '#import-file', 200);
  await page.keyboard.press('Space');
  await (await chooser).setFiles(file);
}

test('an admin previews a JSONL file, remaps a column by keyboard, imports it with progress and reads the report', async () => {
  const rows = [
    { text: 'first', origin: 'web', label: 'pos' },
    { text: 'second', origin: 'mail', label: 'neg' },
    { origin: 'no text here' },
    { text: 'fourth', origin: 'web', label: 'maybe' },
  ];
  const file = join(D.dir, 'rows.jsonl');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const page = await signedIn('imp-admin');
  await page.setViewportSize(DESKTOP);
  await page.goto(`${URL}/datasets/${D.ds.id}/settings`);
  await page.waitForSelector('#settings-import');
  await pick(page, file);
  await page.waitForSelector('#import-preview-table');
  // Inferred: text → text, label → the suggestion; `origin` matches nothing yet.
  assert.equal(await page.locator('[data-target="fields.text"]').inputValue(), 'text');
  assert.equal(await page.locator('[data-target="suggestions.label.value"]').inputValue(), 'label');
  assert.equal(await page.locator('[data-target="metadata.source"]').inputValue(), '');
  assert.equal(await page.locator('#import-preview-table tbody tr').count(), 4);
  assert.equal(await page.locator('#import-preview-table tr.bad').count(), 2, 'no text, and a label that is no option');
  assert.match(await page.locator('#import-status').innerText(), /2 of the first 4 rows/);

  // Keyboard: the metadata select gets the `origin` column, then the preview again.
  await tabTo(page, '[data-target="metadata.source"]');
  await page.selectOption('[data-target="metadata.source"]', 'origin');
  await tabTo(page, '#import-preview');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#import-preview-table')?.textContent?.includes('"source":"web"'));
  await shots(page, 'import-preview');

  await tabTo(page, '#import-run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#import-summary');
  assert.equal(await page.locator('#import-summary').innerText(), 'Read 4 rows: 2 imported, 2 failed.');
  assert.equal(await page.locator('#import-progress').getAttribute('aria-valuenow'), '100');
  const errors = await page.locator('#import-errors tbody tr').allInnerTexts();
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^line 3/);
  assert.match(errors[1], /^line 4/);
  await shots(page, 'import-report');

  const stored = await apiCall('GET', `/api/v1/datasets/${D.ds.id}/records?include=suggestions&limit=100`);
  const byText = Object.fromEntries(stored.items.map((r) => [r.fields.text, r]));
  assert.deepEqual(Object.keys(byText).sort(), ['first', 'second']);
  assert.deepEqual(byText.second.metadata, { source: 'mail' });
  assert.equal(byText.first.suggestions[0].value, 'pos');
});

test('a file whose columns match nothing gets the mapping error and the selects to fix it', async () => {
  const file = join(D.dir, 'odd.csv');
  writeFileSync(file, 'body,where\nhello,web\n');
  const page = await signedIn('imp-admin');
  await page.goto(`${URL}/datasets/${D.ds.id}/settings`);
  await page.waitForSelector('#settings-import');
  await pick(page, file);
  await page.waitForSelector('#import-mapping-error');
  assert.equal(await page.locator('#import-run').isDisabled(), true);
  await page.selectOption('[data-target="fields.text"]', 'body');
  await page.click('#import-preview');
  await page.waitForFunction(() => !document.querySelector('#import-mapping-error') && !!document.querySelector('#import-preview-table'));
  assert.equal(await page.locator('#import-run').isDisabled(), false);
  await page.click('#import-run');
  await page.waitForSelector('#import-summary');
  assert.equal(await page.locator('#import-summary').innerText(), 'Read 1 row: 1 imported, 0 failed.');
});

test('annotators get no import', async () => {
  const page = await signedIn('imp-ann');
  await page.goto(`${URL}/datasets/${D.ds.id}/settings`);
  await page.waitForSelector('#settings-forbidden');
  assert.equal(await page.locator('#settings-import').count(), 0);
});
