// loam's web UI in a real headless browser, part 8: roles and admin pages (issue 19 item 6), on a
// workspace, users and datasets of its own (lib/roles-data.js). An annotator visits every screen,
// by link and by URL, and finds no edit control, no admin link, and a "not allowed" page (with a
// way home) where a screen is not theirs; an admin manages the members of their workspace only;
// an owner reads team progress equal to the API's (in three requests with twenty more datasets),
// creates a user whose key is shown once and works, takes them out of a workspace and deletes
// them, and edits every kind of setting (each checked through the API), with a 422 shown in place.
// Screenshots at 1280×800 and 390×844; nothing runs off a 390 px screen.
// Runs after ui-1…ui-4 against the same server but relies on nothing they leave.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, setUp, signedIn, tabTo, tearDown } from '../lib/loam-ui.js';
import { MANY, WS, seedRoles } from '../lib/roles-data.js';

/** @type {Awaited<ReturnType<typeof seedRoles>>} */
let D;

before(async () => {
  await setUp();
  const found = (await apiCall('GET', '/api/v1/me/datasets')).items.find((d) => d.name === 'roles-team');
  assert.equal(found, undefined, 'the roles datasets are made by this file only');
  D = await seedRoles();
});
after(tearDown);

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const text = (page, selector) => page.locator(selector).first().innerText().then((t) => t.trim());
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
/** The elements that reach past the right edge (innermost first), to say what overflows. */
const overflowing = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} (${Math.round(el.getBoundingClientRect().right)} px)`),
  );

/** Signed in as `username` at 1280×800. */
async function as(username) {
  const page = await signedIn(username);
  await page.setViewportSize(DESKTOP);
  return page;
}

/** Screenshots of the current screen at 1280×800 and 390×844, checking nothing overflows at 390. */
async function shots(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  assert.ok(await fits(page), `${name}: no horizontal overflow at 390 px: ${await overflowing(page)}`);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** No control that changes a dataset's settings, users or workspaces, and no link to such a page. */
async function noAdminControls(page, where) {
  const n = await page.locator('a[href$="/settings"], a[href$="/insights"], a[href="/users"], #delete-dataset, button.danger, #create-user, .settings-form, #guidelines-input').count();
  assert.equal(n, 0, `${where}: an admin link or edit control`);
}

test('an annotator: no admin link or edit control anywhere; admin URLs show "not allowed" with a way home', async () => {
  const page = await as('r-ann1');
  /** @type {string[]} */
  const asked = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/')) asked.push(`${req.method()} ${new globalThis.URL(req.url()).pathname}`);
  });
  await page.waitForSelector('tr[data-name="roles-team"]');
  assert.equal(await page.locator('tr[data-name="roles-draft"]').count(), 0, 'drafts are not listed for annotators');
  assert.equal(await text(page, 'thead th:nth-child(3)'), 'My progress');
  assert.match(await text(page, 'tr[data-name="roles-team"] .progress-cell'), /2 submitted, 1 discarded, 0 draft of 4/);
  assert.equal(await page.locator('tr[data-name="roles-team"] .team').count(), 0, "no one else's figures");
  assert.deepEqual(await page.locator('nav[aria-label="Main"] a').allInnerTexts(), ['Datasets', 'My settings']);
  await noAdminControls(page, 'home');
  await shots(page, 'roles-annotator-home');

  // The annotation view, opened by its link.
  await tabTo(page, 'tr[data-name="roles-team"] a');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.question');
  await noAdminControls(page, 'annotation view');
  // My settings: their own key only.
  await page.click('nav a:has-text("My settings")');
  await page.waitForSelector('#rotate-key');
  await noAdminControls(page, 'my settings');
  assert.equal(await page.locator('select, input:not([type="hidden"])').count(), 0);

  // Every admin screen by URL: "not allowed", no form, nothing asked of the server but who I am.
  for (const [path, id] of [
    [`/datasets/${D.team.id}/settings`, 'settings-forbidden'],
    [`/datasets/${D.team.id}/insights`, 'insights-forbidden'],
    ['/users', 'users-forbidden'],
  ]) {
    asked.length = 0;
    await page.goto(URL + path);
    await page.waitForSelector(`#${id}`);
    assert.equal(await text(page, 'main h1'), 'Not allowed', path);
    assert.equal(await page.locator('main form, main input, main textarea, main select, main button').count(), 0, `${path}: a control`);
    assert.deepEqual(asked, ['GET /api/v1/me'], `${path}: asked the server for ${asked}`);
  }
  await shots(page, 'roles-not-allowed');
  // The way home, by keyboard: focus is already on it.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'forbidden-home');
  await page.keyboard.press('Enter');
  await page.waitForSelector('tr[data-name="roles-team"]');
  // The server agrees with what the page hid.
  const token = await page.evaluate(() => localStorage.getItem('loam.token'));
  const res = await fetch(`${URL}/api/v1/datasets/${D.team.id}`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"guidelines": "x"}' });
  assert.equal(res.status, 403);
  await page.context().close();
});

test('an admin manages the members of their workspace only, and gets "not allowed" elsewhere', async () => {
  const page = await as('r-admin');
  await page.waitForSelector('tr[data-name="roles-team"]');
  assert.equal(await page.locator('tr[data-name="roles-many-00"]').count(), 0, 'not their workspace');
  await page.click('nav a:has-text("Workspace members")');
  await page.waitForSelector(`section[data-workspace="${WS}"] tr[data-user="r-ann3"]`);
  assert.equal(await page.locator('#create-user, select[aria-label^="Role of"], button:has-text("Delete")').count(), 0, 'owner-only actions hidden');
  await shots(page, 'roles-admin-members');
  await tabTo(page, `button[aria-label="Remove r-ann3 from ${WS}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#remove-member-dialog[open]');
  // Focus starts on Cancel: Enter alone removes nobody.
  await tabTo(page, '#remove-member-dialog button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`section[data-workspace="${WS}"] tr[data-user="r-ann3"]`, { state: 'detached' });
  const members = await apiCall('GET', `/api/v1/workspaces/${D.ws.id}/users`);
  assert.ok(!members.items.some((u) => u.username === 'r-ann3'), 'r-ann3 was taken out');
  // A dataset of a workspace they are not in: the server's 403 becomes the same page.
  await page.goto(`${URL}/datasets/${D.manyIds[0]}/settings`);
  await page.waitForSelector('#settings-forbidden');
  await page.context().close();
});

test('an owner: team progress on the home equals the API, in three requests with twenty more datasets', async () => {
  const page = await as('r-owner');
  /** @type {string[]} */
  const asked = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/')) asked.push(new globalThis.URL(req.url()).pathname);
  });
  const started = Date.now();
  await page.goto(URL + '/');
  await page.waitForSelector('tr[data-name="roles-team"] .team');
  const ms = Date.now() - started;
  assert.ok((await page.locator('tr[data-name^="roles-many-"]').count()) === MANY);
  assert.deepEqual([...asked].sort(), ['/api/v1/me', '/api/v1/me/datasets', '/api/v1/me/workspaces', '/api/v1/ui/overview'], `requests: ${asked}`);
  console.log(`home of ${await page.locator('tbody tr').count()} datasets: ${asked.length} API requests, ${ms} ms to the team figures`);

  const row = 'tr[data-name="roles-team"]';
  const progress = await apiCall('GET', `/api/v1/datasets/${D.team.id}/progress`);
  assert.equal(await text(page, `${row} .records`), `${progress.completed} of ${progress.total} records completed, ${progress.pending} pending`);
  assert.equal(await text(page, `${row} .records`), '1 of 4 records completed, 3 pending');
  assert.match(await text(page, `${row} .waiting`), /^1 of the pending waiting for more responses \(2 submitted/);
  assert.equal(await text(page, `${row} .responses`), 'Team: 3 submitted, 1 discarded, 1 draft');
  const users = (await apiCall('GET', `/api/v1/datasets/${D.team.id}/users/progress`)).users;
  await page.click(`${row} details.annotators summary`);
  for (const u of users) {
    const sum = (status) => u.completed[status] + u.pending[status];
    assert.equal(await text(page, `${row} li[data-annotator="${u.username}"]`), `${u.username}: ${sum('submitted')} submitted, ${sum('discarded')} discarded, ${sum('draft')} draft`);
  }
  assert.match(await text(page, 'tr[data-name="roles-draft"]'), /roles-draft \(draft\)/);
  await shots(page, 'roles-owner-home');
  await page.context().close();
});

test('an owner creates a user whose key is shown once and works, takes them out of a workspace, deletes them', async () => {
  const page = await as('r-owner');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: URL });
  await page.click('nav a:has-text("Users")');
  await page.waitForSelector('#create-user');
  await page.focus('#new-username');
  await page.keyboard.type('r-new');
  await tabTo(page, '#new-password');
  await page.keyboard.type('a-long-enough-password');
  await page.selectOption('#new-workspace', { label: WS });
  await tabTo(page, '#create-user button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#new-user-api-key');
  assert.match(await text(page, '.key-once'), /won't see it again/);
  // Focus waits on the copy button (once the workspace membership is written too): Enter copies the key.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Copy key', null, { timeout: 5000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.key-once .copied:has-text("Copied")');
  const key = (await text(page, '#new-user-api-key'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
  assert.equal((await apiCall('GET', '/api/v1/me', undefined, key)).username, 'r-new', 'the key works against the API');
  await page.waitForSelector(`tr[data-user="r-new"] .chip[data-workspace="${WS}"]`);
  await shots(page, 'roles-users-key');
  // Shown once: gone after a reload.
  await page.reload();
  await page.waitForSelector('tr[data-user="r-new"]');
  assert.equal(await page.locator('#new-user-api-key').count(), 0);

  // Out of the workspace, confirmed in a dialog, by keyboard.
  const newUser = (await apiCall('GET', '/api/v1/users')).items.find((u) => u.username === 'r-new');
  // Far down the page: earlier files (ui-1…ui-13 run in name order) leave users and workspaces.
  await tabTo(page, `button[aria-label="Remove r-new from ${WS}"]`, 600);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#remove-member-dialog[open]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#remove-member-dialog', { state: 'detached' });
  assert.equal((await apiCall('GET', `/api/v1/users/${newUser.id}/workspaces`)).items.length, 1, 'Escape removed nothing');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#remove-member-dialog[open]');
  await tabTo(page, '#remove-member-dialog button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`tr[data-user="r-new"] .chip[data-workspace="${WS}"]`, { state: 'detached' });
  assert.equal((await apiCall('GET', `/api/v1/users/${newUser.id}/workspaces`)).items.length, 0);

  // Deleted: the key stops working.
  await tabTo(page, 'tr[data-user="r-new"] button.danger', 600);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#delete-user-dialog[open]');
  assert.match(await text(page, '#delete-user-dialog'), /responses are deleted/);
  await tabTo(page, '#delete-user-dialog button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('tr[data-user="r-new"]', { state: 'detached' });
  assert.ok(!(await apiCall('GET', '/api/v1/users')).items.some((u) => u.username === 'r-new'));
  assert.equal((await fetch(`${URL}/api/v1/me`, { headers: { 'X-Argilla-Api-Key': key } })).status, 401);
  // The owner cannot delete or demote themself here.
  assert.equal(await page.locator('tr[data-user="r-owner"] button:has-text("Delete"), select[aria-label="Role of r-owner"]').count(), 0);
  await page.context().close();
});

/** Replaces what an input or text area holds, by keyboard. */
async function retype(page, selector, value) {
  await page.focus(selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  if (value) await page.keyboard.type(value);
}

test('an owner edits every kind of setting, each checked through the API; a 422 shows in place, nothing typed is lost', async () => {
  const page = await as('r-owner');
  const id = D.team.id;
  const saved = (label) => page.waitForSelector(`#settings-status:has-text("Saved ${label}")`);
  const question = async (name) => (await apiCall('GET', `/api/v1/datasets/${id}/questions`)).items.find((q) => q.name === name);
  const field = async (name) => (await apiCall('GET', `/api/v1/datasets/${id}/fields`)).items.find((f) => f.name === name);
  await page.goto(`${URL}/datasets/${id}/settings`);
  await page.waitForSelector('#dataset-form');
  await page.waitForSelector('#guidelines-preview strong:has-text("all")');
  assert.match(await text(page, '#settings-scope'), /Published/);

  // The dataset: guidelines with their rendered preview, extra metadata, min_submitted.
  const before = await apiCall('GET', `/api/v1/datasets/${id}`);
  await retype(page, '#guidelines-input', '# Rules\n\nBe **kind** to the `model`.');
  await page.waitForSelector('#guidelines-preview h1:has-text("Rules")');
  await page.waitForSelector('#guidelines-preview strong:has-text("kind")');
  await page.focus('#allow-extra-metadata');
  await page.keyboard.press('Space');
  await retype(page, '#min-submitted', '3');
  await page.focus('#guidelines-input');
  await page.keyboard.press('Control+Enter');
  await saved('the dataset');
  let ds = await apiCall('GET', `/api/v1/datasets/${id}`);
  assert.equal(ds.guidelines, '# Rules\n\nBe **kind** to the `model`.');
  assert.equal(ds.allow_extra_metadata, !before.allow_extra_metadata);
  assert.equal(ds.distribution.min_submitted, 3);
  // A refused value: the message next to min_submitted, the typed guidelines kept, nothing saved.
  await retype(page, '#guidelines-input', 'Unsaved guidelines');
  await retype(page, '#min-submitted', '0');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#dataset-form [data-key="min_submitted"] .inline-error');
  assert.equal(await page.locator('#min-submitted').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'min-submitted');
  assert.equal(await page.inputValue('#guidelines-input'), 'Unsaved guidelines');
  ds = await apiCall('GET', `/api/v1/datasets/${id}`);
  assert.equal(ds.distribution.min_submitted, 3);
  assert.equal(ds.guidelines, '# Rules\n\nBe **kind** to the `model`.');
  await retype(page, '#min-submitted', '2');
  await page.keyboard.press('Enter');
  await saved('the dataset');
  assert.equal((await apiCall('GET', `/api/v1/datasets/${id}`)).guidelines, 'Unsaved guidelines');

  // A text field: title, a description with room (a text area), markdown; a custom field's template.
  await retype(page, 'input[aria-label="Title of field body"]', 'Review body');
  await retype(page, 'textarea[aria-label="Description of field body"]', 'Line one.\nLine two.');
  await page.focus('#field-body-markdown');
  await page.keyboard.press('Space');
  await page.focus('textarea[aria-label="Description of field body"]');
  await page.keyboard.press('Control+Enter');
  await saved('field body');
  let f = await field('body');
  assert.deepEqual([f.title, f.description, f.settings.use_markdown], ['Review body', 'Line one.\nLine two.', true]);
  await retype(page, '#field-card-template', '<p>{{record.fields.prompt}}</p>');
  await page.keyboard.press('Control+Enter');
  await saved('field card');
  f = await field('card');
  assert.equal(f.settings.template, '<p>{{record.fields.prompt}}</p>');
  assert.match(await text(page, '#field-prompt .fixed'), /prompt, text, required/);

  // A label question: title, description, a label's text and place, visible labels.
  await retype(page, 'textarea[aria-label="Description of question sentiment"]', 'How does the text feel?\n\nPick one.');
  await retype(page, 'input[aria-label="Text of label a of question sentiment"]', 'Alpha');
  // Label b moves up, by keyboard; focus stays on its button.
  await page.focus('button[aria-label="Move label b up"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move label b up');
  await retype(page, '#question-sentiment-visible', '3');
  await retype(page, 'input[aria-label="Title of question sentiment"]', 'Tone');
  await page.keyboard.press('Enter');
  await saved('question sentiment');
  let q = await question('sentiment');
  assert.deepEqual([q.title, q.description, q.settings.visible_options], ['Tone', 'How does the text feel?\n\nPick one.', 3]);
  assert.deepEqual(q.settings.options.map((o) => [o.value, o.text]), [['b', 'b'], ['a', 'Alpha'], ['c', 'c'], ['d', 'd']]);
  // The server refuses 2 visible labels: said next to that control; the new title stays typed.
  await retype(page, 'input[aria-label="Title of question sentiment"]', 'Tone, again');
  await retype(page, '#question-sentiment-visible', '2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#question-sentiment [data-key="visible_options"] .inline-error:has-text("visible_options")');
  await page.locator('#question-sentiment').screenshot({ path: join(SHOTS, 'roles-settings-422.png') });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'question-sentiment-visible');
  assert.equal(await page.inputValue('input[aria-label="Title of question sentiment"]'), 'Tone, again');
  assert.equal((await question('sentiment')).title, 'Tone', 'nothing saved');
  await retype(page, '#question-sentiment-visible', '4');
  await page.keyboard.press('Enter');
  await saved('question sentiment');
  q = await question('sentiment');
  assert.deepEqual([q.title, q.settings.visible_options], ['Tone, again', 4]);
  assert.equal(await page.locator('#question-sentiment .inline-error').count(), 0, 'the message is gone once saved');

  // Multi-label order, span overlap (on stays on), a text question's markdown.
  await page.selectOption('#question-topics-order', 'suggestion');
  await tabTo(page, '#question-topics-save');
  await page.keyboard.press('Enter');
  await saved('question topics');
  assert.equal((await question('topics')).settings.options_order, 'suggestion');
  await page.focus('#question-entities-overlap');
  await page.keyboard.press('Space');
  await tabTo(page, '#question-entities-save');
  await page.keyboard.press('Enter');
  await saved('question entities');
  assert.equal((await question('entities')).settings.allow_overlapping, true);
  await page.focus('#question-notes-markdown');
  await page.keyboard.press('Space');
  await tabTo(page, '#question-notes-save');
  await page.keyboard.press('Enter');
  await saved('question notes');
  assert.equal((await question('notes')).settings.use_markdown, true);
  // What the API keeps fixed is read-only, with the reason.
  assert.match(await text(page, '#question-quality .fixed'), /Rating values are fixed/);
  assert.match(await text(page, '#question-order'), /Ranking options are fixed/);
  assert.equal(await page.locator('#question-quality input:not(.title-input)').count(), 0);

  // Metadata: title and visibility; vectors: title.
  await retype(page, 'input[aria-label="Title of metadata source"]', 'Origin');
  await page.focus('#meta-source');
  await page.keyboard.press('Space');
  await tabTo(page, '#meta-source-form-save');
  await page.keyboard.press('Enter');
  await saved('metadata source');
  const meta = (await apiCall('GET', `/api/v1/me/datasets/${id}/metadata-properties`)).items.find((m) => m.name === 'source');
  assert.deepEqual([meta.title, meta.visible_for_annotators], ['Origin', false]);
  await retype(page, 'input[aria-label="Title of vector emb"]', 'Sentence embedding');
  await page.keyboard.press('Enter');
  await saved('vector emb');
  assert.equal((await apiCall('GET', `/api/v1/datasets/${id}/vectors-settings`)).items[0].title, 'Sentence embedding');

  // Reloaded, the page shows what was saved; overlap, once on, is read-only with its reason.
  await page.reload();
  await page.waitForSelector('#dataset-form');
  assert.equal(await page.inputValue('input[aria-label="Title of question sentiment"]'), 'Tone, again');
  assert.ok(await page.locator('#question-entities-overlap').isDisabled());
  assert.match(await text(page, '#question-entities [data-key="allow_overlapping"]'), /cannot be turned off/);
  await shots(page, 'roles-settings');

  // A draft dataset is deleted from its settings, after a confirmation.
  await page.goto(`${URL}/datasets/${D.draft.id}/settings`);
  await page.waitForSelector('#dataset-form');
  assert.match(await text(page, '#settings-scope'), /Draft/);
  await tabTo(page, '#delete-dataset', 200);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#delete-dataset-dialog[open]');
  await tabTo(page, '#delete-dataset-dialog button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:has-text("Datasets")');
  const gone = await fetch(`${URL}/api/v1/datasets/${D.draft.id}`, { headers: { 'X-Argilla-Api-Key': process.env.LOAM_KEY } });
  assert.equal(gone.status, 404);
  await page.context().close();
});
