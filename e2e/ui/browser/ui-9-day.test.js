// loam's web UI in a real headless browser, part 9: what a day of annotation found (issue 19's
// QA). An annotator works the same queue in two tabs (a desk and a phone): a record submitted in one is still shown in
// the other, where it is answered again. The second tab must neither overwrite the submit with a
// draft nor get stuck ("connection lost, retrying" forever, a refused submit on every Enter): it
// says the record was answered elsewhere, keeps the typed answers, and a second Enter replaces
// the answer, which undo then restores. Two annotators sharing one browser: the answers one left
// unsaved on a record are kept for that one only, never shown to (and saved as a draft of) the
// other. An answer given just before a switch of queue, search, sort or filter is saved as a
// draft, not dropped. Every answer is checked through the API.
// Runs after ui-1…ui-8 against the same server but relies on nothing they leave (its own
// workspace, user and dataset: lib/day-data.js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, setUp, signInHere, signedIn, tearDown } from '../lib/loam-ui.js';
import { DAY_ANNOTATOR, DAY_SECOND, dayResponses, seedDay } from '../lib/day-data.js';

/** @type {Awaited<ReturnType<typeof seedDay>>} */
let D;

before(async () => {
  await setUp();
  D = await seedDay();
});
after(tearDown);

const shown = (page) => page.locator('[data-field="instruction"]').innerText();
const status = (page) => page.locator('.save-status').innerText();
const checked = (page, value) => page.locator(`[data-question="quality"] [data-option="${value}"]`).getAttribute('aria-checked');

test('a record answered in another tab: no draft over the submit, no dead end, a second Enter replaces it and undo restores it', async () => {
  const one = await signedIn(DAY_ANNOTATOR);
  await one.setViewportSize({ width: 1280, height: 800 });
  // The second "tab" is the annotator's phone, signed in as the same person.
  const two = await one.context().newPage();
  await two.setViewportSize({ width: 390, height: 844 });
  const queue = `${URL}/datasets/${D.ds.id}/annotate?status=pending&sort=oldest`;
  await one.goto(queue);
  await two.goto(queue);
  await one.waitForSelector('[data-field="instruction"]');
  await two.waitForSelector('[data-field="instruction"]');
  assert.match(await shown(one), /Task 0/);
  assert.match(await shown(two), /Task 0/);

  // Tab one submits Task 0 with 3; tab two still shows it.
  await one.bringToFront();
  await one.keyboard.press('3');
  await one.keyboard.press('Enter');
  await one.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 1'));
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t0, { status: 'submitted', values: { quality: 3 } });

  // Tab two rates it 5 and types a correction: the autosave finds the submit and leaves it be.
  await two.bringToFront();
  await two.keyboard.press('5');
  await two.keyboard.press('j');
  await two.keyboard.type('def f0(): pass');
  await two.waitForFunction(() => /answered meanwhile in another tab/.test(document.querySelector('.save-status')?.textContent || ''), null, { timeout: 10000 });
  assert.match(await status(two), /^Not saved as a draft: this record was answered meanwhile in another tab or window \(submitted\)/);
  assert.equal(await two.locator('.save-status.error').count(), 1, 'shown as a warning, not as saved');
  await two.waitForTimeout(2500); // no retry loop turns it into "connection lost"
  assert.doesNotMatch(await status(two), /connection lost/);
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t0, { status: 'submitted', values: { quality: 3 } }, 'the submit is untouched');
  assert.equal(await checked(two, 5), 'true', 'the typed answers are kept');
  await two.screenshot({ path: join(SHOTS, 'day-answered-elsewhere-390.png'), fullPage: true });

  // Enter from the text area: the answer replaces the other tab's, and the queue moves on.
  await two.keyboard.press('Shift+Enter');
  await two.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 1'));
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t0, { status: 'submitted', values: { quality: 5, corrected: 'def f0(): pass' } });
  // Undo puts back what the other tab submitted, not "no response".
  await two.keyboard.press('u');
  await two.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 0'));
  await two.waitForFunction(() => /Undone/.test(document.querySelector('.save-status')?.textContent || ''));
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t0, { status: 'submitted', values: { quality: 3 } });

  // A submit refused the same way (no autosave ran first) says so too, and a second Enter goes through.
  await one.bringToFront();
  await one.keyboard.press('6');
  await one.keyboard.press('Enter');
  await one.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 2'));
  await two.bringToFront();
  await two.keyboard.press('ArrowRight');
  await two.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 1'));
  await two.keyboard.press('2');
  await two.keyboard.press('Enter');
  await two.waitForFunction(() => /^Not saved: this record was answered meanwhile in another tab or window \(submitted\)/.test(document.querySelector('.save-status')?.textContent || ''));
  assert.match(await shown(two), /Task 1/, 'still on the record');
  await two.setViewportSize({ width: 1280, height: 800 });
  await two.screenshot({ path: join(SHOTS, 'day-answered-elsewhere-1280.png'), fullPage: true });
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t1, { status: 'submitted', values: { quality: 6 } });
  await two.keyboard.press('Enter');
  await two.waitForFunction(() => !document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 1'));
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t1, { status: 'submitted', values: { quality: 2 } });
  await one.context().close();
});

test('two annotators in one browser: answers one left unsaved are never restored into the other\'s form', async () => {
  const page = await signedIn(DAY_ANNOTATOR);
  await page.setViewportSize({ width: 1280, height: 800 });
  const byId = `${URL}/datasets/${D.ds.id}/annotate?record=${D.ids.t4}`;
  await page.goto(byId);
  await page.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 4'));
  await page.keyboard.press('4');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.save-status')?.textContent === 'Submitted');
  // An edit of the submitted answer, left unsaved (no Enter): kept locally for day1.
  await page.keyboard.press('6');
  assert.equal(await checked(page, 6), 'true');
  await page.click('#sign-out');
  await signInHere(page, DAY_SECOND);
  await page.goto(byId);
  await page.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 4'));
  await page.waitForTimeout(2500); // past the autosave's quiet period
  assert.doesNotMatch(await status(page), /Restored/);
  assert.equal(await page.locator('[data-question="quality"] [aria-checked="true"]').count(), 0, "day2's form is empty");
  assert.deepEqual(await dayResponses(D.ds, D.second.id), {}, 'nothing saved for day2');
  await page.screenshot({ path: join(SHOTS, 'day-shared-browser-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'day-shared-browser-390.png'), fullPage: true });
  // day1 again: the unsaved edit is still there for them.
  await page.click('#sign-out');
  await signInHere(page, DAY_ANNOTATOR);
  await page.goto(byId);
  await page.waitForFunction(() => /Restored/.test(document.querySelector('.save-status')?.textContent || ''));
  assert.equal(await checked(page, 6), 'true');
  assert.deepEqual((await dayResponses(D.ds, D.annotator.id)).t4, { status: 'submitted', values: { quality: 4 } });
  await page.context().close();
});

test('an answer given just before switching queue is saved as a draft, not dropped', async () => {
  const page = await signedIn(DAY_SECOND);
  await page.setViewportSize({ width: 1280, height: 800 });
  // Tasks 0, 1 and 4 are done (day1 submitted them; one response completes a record here).
  await page.goto(`${URL}/datasets/${D.ds.id}/annotate?status=pending&sort=oldest`);
  await page.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 2'));
  await page.keyboard.press('3');
  // At once (inside the autosave's quiet period) to the Draft queue, where the answer must be.
  await page.click('[data-queue="draft"]');
  await page.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 2'), null, { timeout: 10000 });
  assert.equal(await checked(page, 3), 'true');
  await page.waitForFunction(() => document.querySelector('[data-queue="draft"] .count')?.textContent === '1', null, { timeout: 5000 });
  assert.deepEqual((await dayResponses(D.ds, D.second.id)).t2, { status: 'draft', values: { quality: 3 } });
  // And from the search box: an answer, then a search at once.
  await page.click('[data-queue="pending"]');
  await page.waitForFunction(() => document.querySelector('[data-field="instruction"]')?.textContent?.includes('Task 3'));
  await page.keyboard.press('5');
  await page.fill('input[type="search"]', 'Task');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await page.waitForFunction(() => !/Unsaved|Saving/.test(document.querySelector('.save-status')?.textContent || ''));
  assert.deepEqual((await dayResponses(D.ds, D.second.id)).t3, { status: 'draft', values: { quality: 5 } });
  await page.context().close();
});
