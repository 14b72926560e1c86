// loam's web UI in a real headless browser (Debian's chromium driven by playwright-core) against a
// running loam, part 1 of 3: annotating. Sign-in; one record answered with every question type by
// keyboard only; submit, discard, draft and clear against the queue counts; markdown payloads
// rendered inert; two annotators with min_submitted = 2; typed text surviving a network outage;
// Enter and Backspace inside a text area. Data is set up through the API (../lib/loam-ui.js);
// everything the annotators do goes through the UI.
//
// The ui-*.test.js files run one at a time in name order against one server (e2e/ui/run.sh), and
// later files rely on what earlier ones left (answers, a renamed question, users): keep the order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, PASSWORD, S, browser, apiCall, richDataset, user, myResponses, signedIn, tabTo, count, openDataset } from '../lib/loam-ui.js';
import { setUp, tearDown } from '../lib/loam-ui.js';

before(setUp);
after(tearDown);

test('sign-in: a wrong password is refused, the right one shows the datasets', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(URL + '/');
  await page.waitForSelector('#username');
  await page.fill('#username', 'ann1');
  await page.fill('#password', 'not-the-password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#signin-error:has-text("Wrong username or password")');
  assert.equal(await page.evaluate(() => localStorage.getItem('loam.token')), null);
  await page.fill('#password', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Datasets")');
  await page.waitForSelector('tr[data-name="reviews"]');
  await page.screenshot({ path: join(SHOTS, 'dataset-list.png'), fullPage: true });
  await context.close();
});

test('one record answered with every question type by keyboard only; the suggestion accepted', async () => {
  const page = await signedIn('ann1');
  await page.goto(`${URL}/datasets/${S.ds.id}/annotate?sort=oldest`);
  await page.waitForSelector('.question');
  // The first record carries a suggestion for Sentiment: marked on the suggested option itself,
  // with agent and score as text (issue 19 replaced the chip whose tooltip said so).
  const mark = page.locator('[data-question="sentiment"] [data-option="negative"] .sugg-mark');
  await mark.waitFor();
  assert.match(await mark.innerText(), /sentiment-model-v2 · 0\.87/);
  assert.equal(await page.locator('[data-question="sentiment"] [data-option="negative"]').getAttribute('aria-checked'), 'true');
  assert.equal(await page.locator('#submit').isDisabled(), false, 'the required question is answered by the suggestion');
  // Only 4 of 6 labels are visible; the filter box finds the others.
  assert.equal(await page.locator('[data-question="sentiment"] [data-option]').count(), 4);

  await tabTo(page, '[data-question="topics"] [data-option]');
  await page.keyboard.press('1');
  await page.keyboard.press('3');
  await tabTo(page, '[data-question="quality"] [data-option]');
  await page.keyboard.press('4');
  await tabTo(page, '[data-question="order"] [data-rank-item]');
  await page.keyboard.press('ArrowDown');
  await tabTo(page, '[data-question="notes"] textarea');
  await page.keyboard.type('Looks **fine**.');
  // use_markdown: a preview, rendered by the server, one Tab and Enter away.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-question="notes"] .preview strong:has-text("fine")');
  await tabTo(page, '[data-question="entities"] textarea');
  await page.keyboard.press('Home');
  for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('1');
  await page.waitForSelector('[data-question="entities"] .spans li');
  await page.waitForSelector('.field mark');
  await page.screenshot({ path: join(SHOTS, 'annotation-view.png'), fullPage: true });

  // Guidelines and question descriptions are one key away; Escape closes them.
  await page.keyboard.press('g');
  await page.waitForSelector('#guidelines .md h1:has-text("Be kind")');
  await page.waitForSelector('#guidelines dd:has-text("The overall tone.")');
  await page.screenshot({ path: join(SHOTS, 'guidelines.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#guidelines', { state: 'hidden' });

  const pendingBefore = await count(page, 'pending');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-queue="submitted"] .count')?.textContent === '1');
  assert.equal(await count(page, 'pending'), pendingBefore - 1);
  const [mine] = (await myResponses(S.ds.id, 'ann1')).filter((r) => r.status === 'submitted');
  assert.deepEqual(mine.values, {
    sentiment: { value: 'negative' },
    topics: { value: ['sports', 'science'] },
    quality: { value: 4 },
    order: { value: [{ value: 'reply-b', rank: 1 }, { value: 'reply-a', rank: 2 }, { value: 'reply-c', rank: 3 }] },
    notes: { value: 'Looks **fine**.' },
    entities: { value: [{ label: 'PER', start: 0, end: 12 }] },
  });
  await page.context().close();
});

test('submit, discard, draft and clear keep the queue counts right', async () => {
  const page = await signedIn('ann2');
  await page.goto(`${URL}/datasets/${S.ds.id}/annotate?sort=oldest`);
  await page.waitForSelector('.question');
  const waitCounts = async (expected) => {
    await page.waitForFunction((exp) => Object.entries(exp).every(([q, n]) => document.querySelector(`[data-queue="${q}"] .count`)?.textContent === String(n)), expected);
  };
  // ann1 submitted the first record, which completed it (min_submitted 1): four are left.
  await waitCounts({ pending: 4, draft: 0, submitted: 0, discarded: 0 });
  await page.waitForSelector('#position:has-text("1 of 4")');
  assert.equal(await page.locator('#submit').isDisabled(), true, 'a required question is unanswered');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await waitCounts({ pending: 3, draft: 0, submitted: 1, discarded: 0 });
  // Discard with Backspace.
  await page.waitForSelector('#position:has-text("1 of 3")');
  await page.keyboard.press('Backspace');
  await waitCounts({ pending: 2, draft: 0, submitted: 1, discarded: 1 });
  // Draft: pick a label, save with Ctrl+S.
  await page.waitForSelector('#position:has-text("1 of 2")');
  await page.keyboard.press('2');
  await page.keyboard.press('Control+s');
  await waitCounts({ pending: 1, draft: 1, submitted: 1, discarded: 1 });
  // Autosave: pick a label on the next record and wait; it becomes a draft by itself.
  await page.waitForSelector('#position:has-text("1 of 1")');
  await page.keyboard.press('3');
  await page.waitForSelector('#save-status:has-text("Draft saved")', { timeout: 10_000 });
  await waitCounts({ pending: 0, draft: 2, submitted: 1, discarded: 1 });
  // Clear a draft from the Draft queue: it goes back to pending.
  await page.click('[data-queue="draft"]');
  await page.waitForSelector('#position:has-text("1 of 2")');
  await page.keyboard.press('Shift+Space');
  await waitCounts({ pending: 1, draft: 1, submitted: 1, discarded: 1 });
  // A submitted answer can be revisited and changed.
  await page.click('[data-queue="submitted"]');
  await page.waitForSelector('.status-tag.submitted');
  await page.locator('[data-question="sentiment"] [data-option="neutral"]').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#save-status:has-text("Submitted")');
  const submitted = (await myResponses(S.ds.id, 'ann2')).filter((r) => r.status === 'submitted');
  assert.equal(submitted.length, 1);
  assert.equal(submitted[0].values.sentiment.value, 'neutral');
  await waitCounts({ pending: 1, draft: 1, submitted: 1, discarded: 1 });
  // Back to it with the left arrow; the deep link survives a reload.
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('.status-tag.submitted');
  assert.match(page.url(), /status=submitted&page=1/);
  await page.reload();
  await page.waitForSelector('[data-queue="submitted"].current');
  await page.waitForSelector('.status-tag.submitted');
  assert.equal(await page.locator('[data-question="sentiment"] [data-option="neutral"]').getAttribute('aria-checked'), 'true');
  assert.equal(await page.locator('h1').innerText(), 'reviews');
  await page.context().close();
});

test('markdown with <script> and onerror= payloads is rendered inert', async () => {
  const page = await signedIn('ann1');
  await openDataset(page, 'xss');
  await page.waitForSelector('.field-text .markdown');
  const html = await page.locator('[data-field="prompt"] .markdown').innerHTML();
  assert.doesNotMatch(html, /<script|onerror|javascript:/i);
  assert.match(html, /Before/);
  // Give any payload a chance to run, then check it did not.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => /** @type {any} */ (window).__xss), undefined);
  assert.equal(await page.locator('[data-field="prompt"] script').count(), 0);
  // The bulk view's cards (every field) use the same sanitised renderer.
  await page.focus('#bulk-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.bulk-list [data-field="prompt"] .markdown');
  const preview = await page.locator('.bulk-list [data-field="prompt"] .markdown').first().innerHTML();
  assert.doesNotMatch(preview, /<script|onerror|javascript:/i);
  assert.match(preview, /Before/);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => /** @type {any} */ (window).__xss), undefined);
  assert.equal(await page.locator('.bulk-list script').count(), 0);
  await page.context().close();
});

test('min_submitted = 2: both annotators get the record; it completes after both', async () => {
  const one = await signedIn('ann1');
  const two = await signedIn('ann2');
  for (const page of [one, two]) {
    await openDataset(page, 'pairs');
    await page.waitForSelector('#position:has-text("1 of 1")');
  }
  await one.keyboard.press('1');
  await one.keyboard.press('Enter');
  await one.waitForSelector('.empty:has-text("No pending records")');
  let records = await apiCall('GET', `/api/v1/datasets/${S.pair.id}/records`);
  assert.equal(records.items[0].status, 'pending', 'one submission is not enough');
  // The second annotator still has it.
  await two.reload();
  await two.waitForSelector('#position:has-text("1 of 1")');
  await two.keyboard.press('2');
  await two.keyboard.press('Enter');
  await two.waitForSelector('.empty:has-text("No pending records")');
  records = await apiCall('GET', `/api/v1/datasets/${S.pair.id}/records`);
  assert.equal(records.items[0].status, 'completed');
  await one.context().close();
  await two.context().close();
});

test('a network error never loses typed text: the UI retries, says so, and survives a reload', async () => {
  const page = await signedIn('ann2');
  await openDataset(page, 'xss');
  const offline = (route) => route.abort('internetdisconnected');
  await page.route('**/api/v1/records/*/responses', offline);
  await tabTo(page, '[data-question="notes"] textarea');
  await page.keyboard.type('typed while offline');
  await page.waitForSelector('#net:has-text("retrying")', { timeout: 15_000 });
  await page.reload();
  await page.waitForSelector('[data-question="notes"] textarea');
  assert.equal(await page.locator('[data-question="notes"] textarea').inputValue(), 'typed while offline');
  await page.waitForSelector('#net:has-text("retrying")', { timeout: 15_000 });
  await page.unroute('**/api/v1/records/*/responses', offline);
  await page.waitForSelector('#save-status:has-text("Draft saved")', { timeout: 30_000 });
  await page.waitForSelector('#net', { state: 'hidden' });
  const [draft] = await myResponses(S.xss.id, 'ann2');
  assert.equal(draft.status, 'draft');
  assert.equal(draft.values.notes.value, 'typed while offline');
  await page.context().close();
});

test('in a text area: Enter and Backspace edit the text, Shift+Enter submits, Shift+Backspace discards', async () => {
  const ds = await richDataset(S.ws, 'textkeys', [{ body: 'First.' }, { body: 'Second.' }]);
  await user('ann3', 'annotator', [S.ws]);
  const page = await signedIn('ann3');
  await openDataset(page, 'textkeys');
  const notes = page.locator('[data-question="notes"] textarea');
  const counts = (expected) =>
    page.waitForFunction((exp) => Object.entries(exp).every(([q, n]) => document.querySelector(`[data-queue="${q}"] .count`)?.textContent === String(n)), expected);
  await counts({ pending: 2, submitted: 0, discarded: 0 });
  await page.keyboard.press('1'); // the required label, before the focus moves into the text area
  await tabTo(page, '[data-question="notes"] textarea');
  await page.keyboard.type('line one');
  await page.keyboard.press('Enter');
  await page.keyboard.type('line two');
  assert.equal(await notes.inputValue(), 'line one\nline two');
  await page.keyboard.press('Shift+Enter');
  await counts({ pending: 1, submitted: 1, discarded: 0 });
  const [submitted] = await myResponses(ds.id, 'ann3');
  assert.equal(submitted.status, 'submitted');
  assert.equal(submitted.values.notes.value, 'line one\nline two', 'Enter in the text area typed a new line, it did not submit');

  await page.waitForSelector('#position:has-text("1 of 1")');
  await tabTo(page, '[data-question="notes"] textarea');
  await page.keyboard.type('ab');
  await page.keyboard.press('Backspace');
  assert.equal(await notes.inputValue(), 'a', 'Backspace in the text area deletes a character');
  await page.keyboard.press('Shift+Backspace');
  await counts({ pending: 0, submitted: 1, discarded: 1 });
  await page.context().close();
});

test('the first screen asks for who is signed in and for the dataset with the page, once each', async () => {
  const page = await signedIn('ann1');
  /** @type {string[]} */
  const asked = [];
  page.on('request', (req) => {
    const path = new globalThis.URL(req.url()).pathname;
    if (path.startsWith('/api/')) asked.push(`${req.method()} ${path}`);
  });
  await page.goto(`${URL}/datasets/${S.ds.id}/annotate?sort=oldest`);
  await page.waitForSelector('.question');
  // early.js asked for them before the modules arrived, and the view took every reply.
  assert.deepEqual(await page.evaluate(() => [.../** @type {any} */ (window).__loamEarly.started.keys()]), []);
  const once = ['/api/v1/me', `/api/v1/datasets/${S.ds.id}`, `/api/v1/datasets/${S.ds.id}/fields`, `/api/v1/datasets/${S.ds.id}/questions`, `/api/v1/me/datasets/${S.ds.id}/metadata-properties`, '/api/v1/me/review/workspaces'];
  for (const path of once) assert.equal(asked.filter((it) => it === `GET ${path}`).length, 1, path);
  await page.context().close();
});
