// loam's web UI in a real headless browser, part 2 of 3: owners and accounts. Dataset settings
// seen by an annotator, user creation, role change and the password-reset dialog by keyboard; API
// key rotation in My settings; sign-out revoking the token; live progress on the settings page.
// Runs after ui-1-annotate.test.js against the same server (see there).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, PASSWORD, S, apiCall, opts, signedIn, openDataset } from '../lib/loam-ui.js';
import { setUp, tearDown } from '../lib/loam-ui.js';

before(setUp);
after(tearDown);

test('an owner edits the settings and the annotator sees them; creates a user who signs in', async () => {
  const boss = await signedIn('boss');
  await boss.click('tr[data-name="reviews"] a:has-text("Settings")');
  await boss.waitForSelector('#guidelines-input');
  const title = boss.locator('input[aria-label="Title of question sentiment"]');
  await title.fill('How does it feel?');
  await title.press('Enter');
  await boss.waitForSelector('#settings-status:has-text("Saved question sentiment")');
  // Field descriptions are editable here and shown next to the field while annotating. They sit in
  // a text area (room to read them, issue 19), where Ctrl+Enter saves.
  const fieldDescription = boss.locator('textarea[aria-label="Description of field body"]');
  await fieldDescription.fill('The review as the customer wrote it');
  await fieldDescription.press('Control+Enter');
  await boss.waitForSelector('#settings-status:has-text("Saved field body")');
  const fields = await apiCall('GET', `/api/v1/datasets/${S.ds.id}/fields`);
  assert.equal(fields.items.find((f) => f.name === 'body').description, 'The review as the customer wrote it');
  // Blind annotation unless the dataset opts in: the toggle follows min_submitted in the tab order.
  assert.equal((await apiCall('GET', `/api/v1/datasets/${S.ds.id}`)).responses_visible_for_annotators, false);
  await boss.focus('#min-submitted');
  await boss.keyboard.press('Tab');
  assert.equal(await boss.evaluate(() => document.activeElement?.id), 'responses-visible');
  await boss.keyboard.press('Space');
  await boss.keyboard.press('Tab');
  assert.equal(await boss.evaluate(() => document.activeElement?.id), 'save-dataset');
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#settings-status:has-text("Saved the dataset")');
  assert.equal((await apiCall('GET', `/api/v1/datasets/${S.ds.id}`)).responses_visible_for_annotators, true);
  await apiCall('PATCH', `/api/v1/datasets/${S.ds.id}`, { responses_visible_for_annotators: false });
  await boss.waitForSelector('#progress-live table');
  await boss.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
  // Progress refreshes by itself while records arrive.
  const totals = async () => (await boss.locator('#progress-live .totals').innerText()).match(/of (\d+) records/)[1];
  const before = Number(await totals());
  await apiCall('POST', `/api/v1/datasets/${S.ds.id}/records/bulk`, { items: [{ fields: { prompt: 'late', body: 'A late record.' } }] });
  await boss.waitForFunction((n) => document.querySelector('#progress-live .totals')?.textContent?.includes(`of ${n} records`), before + 1, { timeout: 15_000 });

  const ann = await signedIn('ann1');
  await openDataset(ann, 'reviews');
  await ann.waitForSelector('[data-question="sentiment"] h3:has-text("How does it feel?")');
  await ann.waitForSelector('[data-field="body"] .field-description:has-text("The review as the customer wrote it")');
  await ann.context().close();

  await boss.click('nav a:has-text("Users")');
  await boss.waitForSelector('#create-user');
  await boss.fill('#new-username', 'newbie');
  await boss.fill('#new-password', PASSWORD);
  await boss.selectOption('#new-workspace', { label: 'ui-e2e' });
  await boss.click('#create-user button[type="submit"]');
  await boss.waitForSelector('tr[data-user="newbie"]');

  const newbie = await signedIn('newbie');
  await newbie.waitForSelector('tr[data-name="reviews"]');
  await newbie.context().close();

  // Change the role; reset the password (the old one stops working, the new one signs in).
  await boss.selectOption('select[aria-label="Role of newbie"]', 'admin');
  await boss.waitForSelector('#users-status:has-text("Changing the role of newbie: done")');
  const users = await apiCall('GET', '/api/v1/users');
  assert.equal(users.items.find((u) => u.username === 'newbie').role, 'admin');
  // The reset is an in-page dialog, by keyboard: focus moves into it, stays inside, comes back.
  const focused = (page) => page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || '', text: el?.textContent || '', inDialog: !!el?.closest('dialog'), row: el?.closest('tr')?.dataset.user || '' };
  });
  const resetButton = 'tr[data-user="newbie"] button:has-text("Reset password")';
  await boss.focus(resetButton);
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#reset-dialog[open]');
  assert.equal((await focused(boss)).id, 'reset-password');
  await boss.keyboard.type('short');
  await boss.keyboard.press('Enter');
  // The server's validation message, shown in the dialog, which stays open with focus on the input.
  await boss.waitForSelector('#reset-dialog-error:has-text("at least 8 characters")');
  assert.equal(await boss.locator('#reset-password').getAttribute('aria-invalid'), 'true');
  assert.equal((await focused(boss)).id, 'reset-password');
  for (let i = 0; i < 5; i++) {
    await boss.keyboard.press('Tab');
    assert.ok((await focused(boss)).inDialog, `Tab ${i + 1} left the dialog`);
  }
  await boss.keyboard.press('Shift+Tab');
  assert.ok((await focused(boss)).inDialog, 'Shift+Tab left the dialog');
  await boss.keyboard.press('Escape');
  await boss.waitForSelector('#reset-dialog', { state: 'detached' });
  assert.deepEqual(await focused(boss), { id: '', text: 'Reset password', inDialog: false, row: 'newbie' });
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#reset-dialog[open]');
  await boss.screenshot({ path: join(SHOTS, 'reset-password.png') });
  await boss.keyboard.type('a-brand-new-password');
  await boss.keyboard.press('Enter');
  await boss.waitForSelector('#reset-dialog', { state: 'detached' });
  await boss.waitForSelector('#users-status:has-text("Resetting the password of newbie: done")');
  assert.deepEqual(await focused(boss), { id: '', text: 'Reset password', inDialog: false, row: 'newbie' });
  await boss.context().close();
  const form = (password) => new URLSearchParams({ username: 'newbie', password });
  assert.equal((await fetch(`${URL}/api/v1/token`, { method: 'POST', body: form(PASSWORD) })).status, 401);
  assert.equal((await fetch(`${URL}/api/v1/token`, { method: 'POST', body: form('a-brand-new-password') })).status, 201);
});

test('My settings: a user rotates their own API key and sees the new one once, with the SDK lines', async () => {
  const page = await signedIn('ann2');
  page.on('dialog', (dialog) => void dialog.accept());
  await page.click('nav a:has-text("My settings")');
  await page.waitForSelector('#rotate-key');
  await page.keyboard.press('Tab');
  await page.focus('#rotate-key');
  await page.keyboard.press('Enter');
  const key = (await page.locator('#api-key').innerText()).trim();
  assert.ok(key.length > 20);
  const python = await page.locator('pre.code').innerText();
  assert.match(python, /import argilla as rg/);
  assert.ok(python.includes(`api_key="${key}"`) && python.includes(URL));
  const me = await apiCall('GET', '/api/v1/me', undefined, key);
  assert.equal(me.username, 'ann2');
  await page.screenshot({ path: join(SHOTS, 'my-settings.png'), fullPage: true });
  // Rotating signed the user out everywhere (their sign-in token is revoked): a reload asks to
  // sign in again; the key is shown once, so after signing in it is not shown.
  await page.waitForSelector('#signed-out-note');
  await page.reload();
  await page.waitForSelector('#username');
  await page.keyboard.type('ann2');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#rotate-key');
  assert.equal(await page.locator('#api-key').count(), 0);
  await page.context().close();
});

test('signing out revokes the sign-in token on the server', async () => {
  const page = await signedIn('ann2');
  const token = await page.evaluate(() => localStorage.getItem('loam.token'));
  const me = (t) => fetch(`${URL}/api/v1/me`, { headers: { Authorization: `Bearer ${t}` } }).then((r) => r.status);
  assert.equal(await me(token), 200);
  await page.click('#sign-out');
  await page.waitForSelector('#username');
  assert.equal(await page.evaluate(() => localStorage.getItem('loam.token')), null);
  assert.equal(await me(token), 401, 'the token no longer works anywhere');
  await page.context().close();
});

test('live progress: records logged through the API appear in the owner\'s view without a reload, cheaply', async () => {
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'live', workspace_id: S.ws });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: opts('yes', 'no') } });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const boss = await signedIn('boss');
  const polls = [];
  boss.on('response', (res) => {
    if (res.url().includes(`/api/v1/ui/datasets/${ds.id}/progress`)) polls.push(res.status());
  });
  await boss.goto(`${URL}/datasets/${ds.id}/settings`);
  await boss.waitForSelector('#progress-live .totals:has-text("0 of 0 records")');
  // Nothing changes: the polls are answered 304 (no body, no counting).
  while (polls.filter((it) => it === 304).length < 2) await boss.waitForTimeout(250);
  // A pipeline pushes records in batches, as distilabel does; each shows up by itself.
  for (const [batch, total] of [[3, 3], [5, 8]]) {
    const items = Array.from({ length: batch }, (_, i) => ({ fields: { text: `pushed ${total - batch + i}` } }));
    await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
    await boss.waitForSelector(`#progress-live .totals:has-text("0 of ${total} records completed, ${total} pending")`, { timeout: 15_000 });
  }
  // An annotator answers: the per-annotator table follows.
  const [first] = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=1`)).items;
  await apiCall('POST', `/api/v1/records/${first.id}/responses`, { values: { label: { value: 'yes' } }, status: 'submitted' });
  await boss.waitForSelector('#progress-live .totals:has-text("1 of 8 records completed")', { timeout: 15_000 });
  await boss.waitForSelector('#progress-live tbody tr td:nth-child(2):has-text("1")');
  assert.ok(polls.every((it) => it === 200 || it === 304), `statuses ${polls}`);
  await boss.screenshot({ path: join(SHOTS, 'live-progress.png'), fullPage: true });
  // A hidden tab does not poll; shown again, it polls at once and catches up.
  const hide = (hidden) => boss.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await hide(true);
  await boss.waitForTimeout(500); // a poll already in flight may still land
  const whileHidden = polls.length;
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items: [{ fields: { text: 'while hidden' } }] });
  await boss.waitForTimeout(4000);
  assert.equal(polls.length, whileHidden, 'no polling while hidden');
  await hide(false);
  await boss.waitForSelector('#progress-live .totals:has-text("1 of 9 records completed")', { timeout: 15_000 });
  await boss.context().close();
});
