// Argilla's own web UI against loam: the built frontend of the argilla-server 2.8.0 wheel
// (ARGILLA_UI_DIR, unpacked by e2e/ui/run.sh) served in front of loam's API by
// lib/argilla-ui-server.js, in Debian's chromium. An owner signs in by keyboard, lands on the
// datasets home with a dataset made beforehand through the API, and opens its annotation page;
// every `/api` request the UI makes must answer below 400. All of them are printed.
//
// ARGILLA_UI_URL, if set, is an Argilla UI to drive instead (the reference server, which serves
// its own UI), for comparing what the UI asks of each; ARGILLA_UI_API_KEY is then its owner's key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../lib/chromium.js';
import { startArgillaUi } from '../lib/argilla-ui-server.js';

const LOAM = process.env.LOAM_URL;
const UI_DIR = process.env.ARGILLA_UI_DIR;
const OTHER_UI = process.env.ARGILLA_UI_URL;
const KEY = OTHER_UI ? process.env.ARGILLA_UI_API_KEY : process.env.LOAM_KEY;
const SHOTS = process.env.SCREENSHOTS || 'ui-screenshots';
if (!OTHER_UI && (!LOAM || !KEY || !UI_DIR)) {
  throw new Error('LOAM_URL, LOAM_KEY and ARGILLA_UI_DIR must be set (e2e/ui/run.sh sets them)');
}
mkdirSync(SHOTS, { recursive: true });

// A suffix keeps reruns against a long-lived server (ARGILLA_UI_URL) from colliding.
const SUFFIX = Math.random().toString(36).slice(2, 8);
const USERNAME = `argilla-ui-owner-${SUFFIX}`;
const PASSWORD = 'upstream-ui-keyboard-7';
let base = OTHER_UI ?? '';
let ui;
let browser;
const S = {};

async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'X-Argilla-Api-Key': KEY, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  if (!OTHER_UI) {
    ui = await startArgillaUi(UI_DIR, LOAM);
    base = ui.url;
  }
  browser = await launchChromium();
  // An owner with a known password (the server's own owner has a generated one), and a published
  // dataset in a workspace of their own, through the API.
  const owner = await api('POST', '/api/v1/users', { username: USERNAME, first_name: 'Ada', last_name: 'Upstream', role: 'owner', password: PASSWORD });
  const ws = await api('POST', '/api/v1/workspaces', { name: `upstream-ui-${SUFFIX}` });
  await api('POST', `/api/v1/workspaces/${ws.id}/users`, { user_id: owner.id });
  const ds = await api('POST', '/api/v1/datasets', { name: `upstream-ui-reviews-${SUFFIX}`, workspace_id: ws.id, guidelines: 'Label **each** review.' });
  await api('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'review', title: 'Review', required: true, settings: { type: 'text' } });
  await api('POST', `/api/v1/datasets/${ds.id}/questions`, {
    name: 'sentiment',
    title: 'Sentiment',
    required: true,
    settings: { type: 'label_selection', options: [{ value: 'positive', text: 'Positive' }, { value: 'negative', text: 'Negative' }] },
  });
  await api('POST', `/api/v1/datasets/${ds.id}/metadata-properties`, { name: 'stars', title: 'Stars', settings: { type: 'integer', min: 1, max: 5 } });
  await api('PUT', `/api/v1/datasets/${ds.id}/publish`);
  await api('POST', `/api/v1/datasets/${ds.id}/records/bulk`, {
    items: [
      { fields: { review: 'The soup was a delight from first spoon to last.' }, metadata: { stars: 5 } },
      { fields: { review: 'Cold fries and a long wait.' }, metadata: { stars: 1 } },
    ],
  });
  S.ds = ds;
});

after(async () => {
  await browser?.close();
  await ui?.close();
});

test("Argilla's own web UI signs in against loam and opens a dataset with no failing API call", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Nothing but this origin (the UI asks Google for fonts; the machine may be offline).
  const origin = new URL(base).origin;
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  const page = await context.newPage();
  /** @type {string[]} */
  const calls = [];
  /** @type {string[]} */
  const failures = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.origin !== origin || !url.pathname.startsWith('/api')) return;
    const line = `${res.request().method()} ${url.pathname}${url.search} -> ${res.status()}`;
    calls.push(line);
    if (res.status() >= 400) failures.push(line);
  });
  page.on('requestfailed', (req) => {
    const url = new URL(req.url());
    if (url.origin !== origin || !url.pathname.startsWith('/api')) return;
    const line = `${req.method()} ${url.pathname}${url.search} -> failed: ${req.failure()?.errorText}`;
    calls.push(line);
    failures.push(line);
  });
  try {
    await page.goto(`${base}/sign-in`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(SHOTS, 'upstream-sign-in.png') });
    // The username field has focus on load; the rest is the keyboard.
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'Username');
    await page.keyboard.type(USERNAME);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    // The datasets home, with the dataset made through the API.
    const link = page.getByText(S.ds.name, { exact: true });
    await link.first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'upstream-home.png') });
    // Its annotation page, with a record of the dataset (loam starts each annotator's queue at a
    // record of their own, so either may come first).
    await link.first().click();
    await page.waitForURL(new RegExp(`/dataset/${S.ds.id}/annotation-mode`), { timeout: 30_000 });
    await page.getByText(/^(The soup was a delight from first spoon to last\.|Cold fries and a long wait\.)$/).first().waitFor({ timeout: 30_000 });
    await page.locator('text=Negative >> visible=true').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'upstream-annotation.png') });
  } catch (err) {
    await page.screenshot({ path: join(SHOTS, 'upstream-failed.png') });
    throw err;
  } finally {
    console.log(`# Argilla's UI called:\n${calls.map((it) => `#   ${it}`).join('\n')}`);
    await context.close();
  }
  assert.deepEqual(failures, [], `API calls that failed:\n${failures.join('\n')}`);
  assert.ok(calls.some((it) => it.startsWith('GET /api/v1/oauth2/providers -> 200')), 'the sign-in page asks for OAuth providers');
});
