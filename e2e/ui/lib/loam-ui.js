// Shared by the browser tests of loam's own UI (browser/ui-*.test.js): the server they drive
// (LOAM_URL, and LOAM_KEY, the owner's API key, from e2e/ui/run.sh), data set up through the API as
// the owner, the shared workspace, users and datasets, and the keyboard-only ways to sign in and
// move around. Screenshots go to SCREENSHOTS (target/ui-screenshots).
import { mkdirSync } from 'node:fs';
import zlib from 'node:zlib';
import { launchChromium } from './chromium.js';

export const URL = process.env.LOAM_URL;
export const KEY = process.env.LOAM_KEY;
export const SHOTS = process.env.SCREENSHOTS || 'ui-screenshots';
export const PASSWORD = 'annotate-all-day-1';
if (!URL || !KEY) throw new Error('LOAM_URL and LOAM_KEY must be set (e2e/ui/run.sh sets them)');
mkdirSync(SHOTS, { recursive: true });

// ---- the API, as the owner ----------------------------------------------------------------------
export async function apiCall(method, path, body, key = KEY) {
  const res = await fetch(URL + path, {
    method,
    headers: { 'X-Argilla-Api-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

/** A 120×60 PNG (a plain tile) as a data URI, made here so the test needs no files. */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const file = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${file.toString('base64')}`;
}
const PICTURE = png(120, 60, [204, 153, 102]);

export const opts = (...values) => values.map((value) => ({ value, text: value }));

/** A published dataset with every field kind and every question type. */
export async function richDataset(ws, name, records, distribution) {
  const ds = await apiCall('POST', '/api/v1/datasets', { name, workspace_id: ws, guidelines: '# Be kind\n\nLabel **carefully**.', ...(distribution ? { distribution } : {}) });
  const field = (fname, title, settings, required = true) =>
    apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: fname, title, required, settings });
  await field('prompt', 'Prompt', { type: 'text', use_markdown: true });
  await field('body', 'Body', { type: 'text', use_markdown: false });
  await field('chat', 'Conversation', { type: 'chat', use_markdown: false }, false);
  await field('picture', 'Picture', { type: 'image' }, false);
  const question = (qname, title, settings, required, description) =>
    apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: qname, title, required, settings, description });
  const label = await question('sentiment', 'Sentiment', { type: 'label_selection', options: opts('positive', 'negative', 'neutral', 'mixed', 'unclear', 'other'), visible_options: 4 }, true, 'The overall tone.');
  await question('topics', 'Topics', { type: 'multi_label_selection', options: opts('sports', 'politics', 'science') }, false);
  await question('quality', 'Quality', { type: 'rating', options: [1, 2, 3, 4, 5].map((value) => ({ value })) }, false);
  await question('order', 'Preference', { type: 'ranking', options: opts('reply-a', 'reply-b', 'reply-c') }, false);
  await question('notes', 'Notes', { type: 'text', use_markdown: true }, false);
  await question('entities', 'Entities', { type: 'span', field: 'body', options: opts('PER', 'ORG'), allow_overlapping: false }, false);
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = records.map((r) => ({
    fields: {
      prompt: r.prompt ?? 'Plain *markdown* with `code`\n\n```python\nprint("hi")\n```',
      body: r.body ?? 'Ada Lovelace worked with Babbage.',
      chat: [{ role: 'user', content: 'Hello?' }, { role: 'assistant', content: 'Hi! How can I help?' }],
      picture: PICTURE,
    },
    suggestions: r.suggest ? [{ question_id: label.id, value: r.suggest, score: 0.87, agent: 'sentiment-model-v2' }] : [],
  }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  return ds;
}

export async function user(username, role, workspaces) {
  const u = await apiCall('POST', '/api/v1/users', { username, first_name: username, role, password: PASSWORD });
  for (const ws of workspaces) await apiCall('POST', `/api/v1/workspaces/${ws}/users`, { user_id: u.id });
  return u;
}

export async function myResponses(datasetId, username) {
  const res = await apiCall('GET', `/api/v1/datasets/${datasetId}/records?include=responses&limit=1000`);
  const users = await apiCall('GET', '/api/v1/users');
  const uid = users.items.find((u) => u.username === username).id;
  return res.items.flatMap((r) => (r.responses || []).filter((x) => x.user_id === uid).map((x) => ({ ...x, record: r })));
}

// ---- the browser and the shared data ------------------------------------------------------------
/** The chromium of this test file (set by `setUp`). */
export let browser;
/** The workspace, users and datasets every file shares (filled by `setUp`). */
export const S = {};

/**
 * A test file's `before`: launches chromium and makes the shared data, or finds it when an earlier
 * file made it (the files run one after another against one server, in name order, and later
 * files rely on what earlier ones left: answers, renamed questions, users).
 */
export async function setUp() {
  browser = await launchChromium();
  const datasets = (await apiCall('GET', '/api/v1/me/datasets')).items;
  const named = (name) => datasets.find((d) => d.name === name);
  if (named('reviews')) {
    const users = (await apiCall('GET', '/api/v1/users')).items;
    const byName = (username) => users.find((u) => u.username === username);
    S.ws = named('reviews').workspace_id;
    S.ann1 = byName('ann1');
    S.ann2 = byName('ann2');
    S.boss = byName('boss');
    S.ds = named('reviews');
    S.xss = named('xss');
    S.bulk = named('bulk');
    S.pair = named('pairs');
    return;
  }
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'ui-e2e' });
  S.ws = ws.id;
  S.ann1 = await user('ann1', 'annotator', [ws.id]);
  S.ann2 = await user('ann2', 'annotator', [ws.id]);
  S.boss = await user('boss', 'owner', [ws.id]);
  S.ds = await richDataset(ws.id, 'reviews', [
    { suggest: 'negative' },
    { body: 'Grace Hopper joined the Navy.' },
    { body: 'Alan Turing at Bletchley.' },
    { body: 'Record four.' },
    { body: 'Record five.' },
  ]);
  S.xss = await richDataset(ws.id, 'xss', [
    { prompt: 'Before <script>window.__xss = 1</script> after\n\n<img src="x" onerror="window.__xss = 2">\n\n[link](javascript:window.__xss=3)' },
  ]);
  S.bulk = await richDataset(ws.id, 'bulk', [{ body: 'First of four.' }, { body: 'Second of four.' }, { body: 'Third of four.' }, { body: 'Fourth of four.' }]);
  S.pair = await richDataset(ws.id, 'pairs', [{ body: 'Two people must answer this.' }], { strategy: 'overlap', min_submitted: 2 });
}

/** A test file's `after`. */
export async function tearDown() {
  if (browser) await browser.close();
}

/** A fresh browser context (its own storage), signed in as `username`. */
export async function signedIn(username) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${username}] page error:`, err.message));
  await page.goto(URL + '/');
  await signInHere(page, username);
  return page;
}

/** Signs in as `username` by keyboard on the sign-in page `page` shows (or is about to show). */
export async function signInHere(page, username) {
  await page.waitForSelector('#username');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Datasets")');
}

/** Presses Tab until the focused element matches `selector` (keyboard only). */
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

export const count = (page, queue) => page.locator(`[data-queue="${queue}"] .count`).innerText().then(Number);

export async function openDataset(page, name) {
  await page.goto(URL + '/');
  await page.click(`a:has-text("${name}")`);
  await page.waitForSelector('.question');
}
