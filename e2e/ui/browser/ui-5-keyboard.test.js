// loam's web UI in a real headless browser, part 5: a keyboard flow that cannot write wrong data,
// and suggestions in plain sight (issue 19, items 1 and 2). On a code-LLM review dataset (rating
// 0–7, correct / incorrect, corrected response; a judge model's suggestions) and a dataset with a
// ranking and a span question whose suggestions have the v2 SDK's shape, annotators work by
// keyboard only, fast (no waiting between a submit and the next key), and every answer is checked
// through the API: a new record opens on its first question, never in a text area; digits pick a
// rating by value and confirm a suggested option; j / k move between questions and Tab stops only
// on answers; submits and discards are undone exactly; what the model said stays on the options.
// Runs after ui-1…ui-4 against the same server but relies on nothing they leave (its own
// workspace, users and datasets: lib/keys-data.js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, setUp, signedIn, tearDown } from '../lib/loam-ui.js';
import { CODE, JUDGE, RANKED, responsesOf, seedKeys } from '../lib/keys-data.js';

/** @type {Awaited<ReturnType<typeof seedKeys>>} */
let D;

before(async () => {
  await setUp();
  const found = (await apiCall('GET', '/api/v1/me/datasets')).items.find((d) => d.name === 'code-review');
  assert.equal(found, undefined, 'the code-review dataset is made by this file only');
  D = await seedKeys();
});
after(tearDown);

/** Where focus is: the question it is in, and what it is on. */
const focus = (page) =>
  page.evaluate(() => {
    const el = /** @type {HTMLElement} */ (document.activeElement);
    const section = el && el.closest('[data-question]');
    return { question: section ? /** @type {HTMLElement} */ (section).dataset.question : null, tag: el ? el.tagName : '', option: el ? el.dataset.option ?? null : null };
  });
const checked = (page, question, option) => page.locator(`[data-question="${question}"] [data-option="${option}"]`).getAttribute('aria-checked');
const instructionShown = (page) => page.locator('[data-field="instruction"]').innerText();
const waitRecord = (page, id) => page.waitForFunction((text) => document.querySelector('[data-field="instruction"]')?.textContent?.includes(text), CODE[id].instruction.replace(/`/g, ''));
const annotate = (ds) => `${URL}/datasets/${ds.id}/annotate?sort=oldest`;
/** Signed in at the desktop size the screenshots are taken at. */
const atDesk = async (username) => {
  const page = await signedIn(username);
  await page.setViewportSize({ width: 1280, height: 800 });
  return page;
};
const values = (response) => Object.fromEntries(Object.entries(response.values).map(([k, v]) => [k, v.value]));

test('Shift+Enter from a text question, then a digit: the digit answers the next record, whose text stays empty', async () => {
  const page = await atDesk('keys1');
  await page.goto(annotate(D.code));
  await waitRecord(page, 'c1');
  // A new record opens on its first question: the rating, on the suggested value.
  assert.deepEqual(await focus(page), { question: 'quality', tag: 'BUTTON', option: '2' });
  // Rating 0–7 by value: 5 is 5 (not the fifth option, 4); every rating button shows its key.
  assert.deepEqual(await page.locator('[data-question="quality"] [data-option] kbd').allInnerTexts(), ['0', '1', '2', '3', '4', '5', '6', '7']);
  await page.keyboard.press('5');
  assert.equal(await checked(page, 'quality', '5'), 'true');
  await page.keyboard.press('0');
  assert.equal(await checked(page, 'quality', '0'), 'true');
  await page.keyboard.press('5');
  // j: the verdict. Its suggested option pressed by its key is confirmed, not cleared, and a
  // second press keeps it too.
  await page.keyboard.press('j');
  assert.equal((await focus(page)).question, 'verdict');
  assert.equal(await checked(page, 'verdict', 'incorrect'), 'true');
  assert.equal(await page.locator('[data-question="verdict"] .prefilled').count(), 1, 'pre-filled from the suggestion, not yet confirmed');
  await page.keyboard.press('2');
  assert.equal(await checked(page, 'verdict', 'incorrect'), 'true', 'the key of a suggested option confirms it');
  assert.equal(await page.locator('[data-question="verdict"] .prefilled').count(), 0);
  await page.keyboard.press('2');
  assert.equal(await checked(page, 'verdict', 'incorrect'), 'true', 'a digit never clears');
  assert.equal((await focus(page)).question, 'verdict', 'focus stays on the question');
  // j: the corrected response, where typing goes; its text replaces the suggested one.
  await page.keyboard.press('j');
  assert.deepEqual(await focus(page), { question: 'corrected', tag: 'TEXTAREA', option: null });
  await page.keyboard.press('Control+a');
  await page.keyboard.type('def add(a, b):\n    return a + b  # fixed');
  // Edited: the suggested text stays in sight, unfolded, with its agent and score.
  const block = page.locator('[data-question="corrected"] .sugg-block');
  assert.equal(await block.getAttribute('open'), null, 'folded while rendered with the suggestion as the answer');
  // Submit from the text area and press the next key at once, as a fast annotator does.
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('3');
  await waitRecord(page, 'c2');
  await page.waitForFunction(() => document.querySelector('[data-question="quality"] [data-option="3"]')?.getAttribute('aria-checked') === 'true');
  const at = await focus(page);
  assert.equal(at.question, 'quality', 'the next record opened on its first question');
  assert.notEqual(at.tag, 'TEXTAREA');
  assert.equal(await page.locator('[data-question="corrected"] textarea').inputValue(), '', 'nothing was typed into the next record\'s text');
  await page.screenshot({ path: join(SHOTS, 'keys-rating-by-value-1280.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await waitRecord(page, 'c3');
  const mine = await responsesOf(D.code, D.users.keys1.id);
  assert.equal(mine.c1.status, 'submitted');
  assert.deepEqual(values(mine.c1), { quality: 5, verdict: 'incorrect', corrected: 'def add(a, b):\n    return a + b  # fixed' });
  assert.equal(mine.c2.status, 'submitted');
  assert.deepEqual(values(mine.c2), { quality: 3, verdict: 'correct' }, 'the digit answered the rating; the text is empty, so not in the response');
  await page.context().close();
});

test('a digit on a non-answer element keeps focus and the answer; Tab stops only on answers; every action shows its key', async () => {
  const page = await atDesk('keys1');
  await page.goto(annotate(D.code));
  await waitRecord(page, 'c3');
  // Focus on the question's "about" link (no Tab stop, but focusable by a click), then digits.
  await page.locator('[data-question="quality"] .info').focus();
  await page.keyboard.press('4');
  assert.equal(await checked(page, 'quality', '4'), 'true');
  assert.equal((await focus(page)).question, 'quality', 'focus stayed on the question');
  await page.keyboard.press('4');
  assert.equal(await checked(page, 'quality', '4'), 'true', 'the same key again keeps the answer');
  // The verdict's "about" link, then the key of its suggested option: confirmed, twice, focus kept.
  await page.locator('[data-question="verdict"] .info').focus();
  await page.keyboard.press('1');
  assert.equal(await checked(page, 'verdict', 'correct'), 'true');
  assert.equal(await page.locator('[data-question="verdict"] .prefilled').count(), 0, 'confirmed');
  await page.keyboard.press('1');
  assert.equal(await checked(page, 'verdict', 'correct'), 'true');
  assert.equal((await focus(page)).question, 'verdict');
  assert.equal(await checked(page, 'quality', '4'), 'true', 'the other answer is untouched');
  // Tab from the first answer to the actions: only answers, text areas and the actions stop it.
  await page.locator('[data-question="quality"] [data-option="0"]').focus();
  const stops = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = /** @type {HTMLElement} */ (document.activeElement);
      return { id: el.id, cls: el.className, tag: el.tagName, option: el.dataset.option ?? null, inForm: !!el.closest('.form') };
    });
    if (!stop.inForm) break;
    stops.push(stop);
  }
  const chips = stops.filter((s) => s.cls.split(/\s+/).some((c) => ['sugg-mark', 'info', 'suggested', 'prefilled'].includes(c)) || s.tag === 'SUMMARY');
  assert.deepEqual(chips, [], 'no chip, mark or about link is a Tab stop');
  assert.deepEqual(stops.filter((s) => s.option !== null).map((s) => s.option), ['1', '2', '3', '4', '5', '6', '7', 'correct', 'incorrect'], 'every option is a Tab stop, in order');
  assert.ok(stops.some((s) => s.tag === 'TEXTAREA'));
  assert.deepEqual(stops.filter((s) => s.id).map((s) => s.id), ['discard', 'clear', 'draft', 'submit']);
  // The action buttons show their keys.
  for (const [id, key] of [['discard', '⌫'], ['clear', 'Shift+Space'], ['draft', 'Ctrl+S'], ['submit', 'Enter']]) {
    assert.equal(await page.locator(`#${id} kbd`).innerText(), key, id);
  }
  // The shortcuts panel lists the new keys.
  await page.locator('[data-question="quality"] [data-option="4"]').focus();
  await page.keyboard.press('?');
  await page.waitForSelector('#guidelines dt:has-text("j / k")');
  await page.waitForSelector('#guidelines dt:has-text("u / Ctrl+Z")');
  await page.waitForSelector('#guidelines dt:has-text("0 … 9")');
  await page.keyboard.press('Escape');
  // A new search: the first question of the record it opens has focus.
  await page.focus('#search');
  await page.keyboard.type('FizzBuzz');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#position:has-text("1 of 1")');
  await waitRecord(page, 'c4');
  await page.waitForFunction(() => document.activeElement?.closest('[data-question]')?.getAttribute('data-question') === 'quality');
  await page.context().close();
});

test('undo: a discard and a submit are undone exactly (no response, or the draft as it was), and the record comes back', async () => {
  const page = await atDesk('keys2');
  const uid = D.users.keys2.id;
  await page.goto(annotate(D.code));
  await waitRecord(page, 'c1');
  const counts = (expected) => page.waitForFunction((exp) => Object.entries(exp).every(([q, n]) => document.querySelector(`[data-queue="${q}"] .count`)?.textContent === String(n)), expected);
  await counts({ pending: 6, draft: 0, submitted: 0, discarded: 0 });
  // Discard c1 with Backspace; the toast offers the undo with its key.
  await page.keyboard.press('Backspace');
  await waitRecord(page, 'c2');
  await counts({ pending: 5, discarded: 1 });
  assert.deepEqual(await focus(page), { question: 'quality', tag: 'BUTTON', option: '6' }, 'after a discard, the next record is on its first question');
  await page.waitForSelector('#undo-toast:has-text("Discarded")');
  assert.equal(await page.locator('#undo-toast kbd').innerText(), 'u');
  assert.equal(await page.locator('#undo kbd').innerText(), 'u', 'the Undo button shows its key');
  await page.screenshot({ path: join(SHOTS, 'keys-undo-toast-1280.png') });
  assert.equal((await responsesOf(D.code, uid)).c1.status, 'discarded');
  await page.keyboard.press('u');
  await waitRecord(page, 'c1');
  await counts({ pending: 6, discarded: 0 });
  assert.equal((await responsesOf(D.code, uid)).c1, null, 'no response, as before the discard');
  assert.equal((await focus(page)).question, 'quality', 'after an undo, the record is on its first question');
  assert.equal(await page.locator('#undo-toast').isVisible(), false);

  // A draft first (autosaved), then a submit, then Ctrl+Z: the draft comes back exactly.
  await page.keyboard.press('7');
  await page.waitForSelector('#save-status:has-text("Draft saved")', { timeout: 10_000 });
  const draft = (await responsesOf(D.code, uid)).c1;
  assert.equal(draft.status, 'draft');
  assert.deepEqual(values(draft), { quality: 7, verdict: 'incorrect', corrected: 'def add(a, b):\n    return a + b' });
  await page.keyboard.press('4');
  await page.keyboard.press('Enter');
  await waitRecord(page, 'c2');
  await counts({ pending: 5, submitted: 1, draft: 0 });
  assert.equal((await responsesOf(D.code, uid)).c1.values.quality.value, 4);
  await page.keyboard.press('Control+z');
  await waitRecord(page, 'c1');
  await counts({ pending: 5, submitted: 0, draft: 1 });
  const back = (await responsesOf(D.code, uid)).c1;
  assert.equal(back.id, draft.id);
  assert.equal(back.status, 'draft');
  assert.deepEqual(back.values, draft.values, 'the draft\'s values, exactly');
  // The form is as it was when submitted; the record is in view again.
  assert.equal(await checked(page, 'quality', '4'), 'true');
  // Nothing left to undo: u does nothing more.
  await page.keyboard.press('u');
  await page.waitForTimeout(200);
  assert.equal((await responsesOf(D.code, uid)).c1.status, 'draft');
  assert.match(await instructionShown(page), /add\(a, b\)/);
  await page.context().close();
});

test('a ranking suggestion logged by the SDK (rank: null) pre-fills its order and submits with Enter; span suggestions submit as logged', async () => {
  const page = await atDesk('keys3');
  await page.goto(`${URL}/datasets/${D.ranked.id}/annotate?sort=oldest`);
  await page.waitForSelector('[data-question="preference"] [data-rank-item]');
  const order = () => page.locator('[data-question="preference"] [data-rank-item]').evaluateAll((els) => els.map((el) => /** @type {HTMLElement} */ (el).dataset.rankItem));
  assert.deepEqual(await order(), RANKED.s1.order);
  // Each item carries the rank the judge gave it, with agent and score, as text.
  assert.match(await page.locator('[data-rank-item="reply-c"] .sugg-mark').innerText(), new RegExp(`#1 · ${JUDGE} · 0\\.90`));
  assert.match(await page.locator('[data-rank-item="reply-b"] .sugg-mark').innerText(), /#3 .* 0\.30/);
  // The suggested spans: pre-filled, highlighted in the field, marked in the list.
  await page.waitForSelector('[data-field="text"] mark[data-labels="PER"]');
  assert.equal(await page.locator('[data-question="entities"] .spans li').count(), 2);
  assert.match(await page.locator('[data-question="entities"] .spans li').first().innerText(), /PER “Ada Lovelace”.*ner-base · 0\.95/);
  assert.equal((await focus(page)).question, 'preference', 'the first question has focus');
  await page.screenshot({ path: join(SHOTS, 'keys-ranking-spans-1280.png'), fullPage: true });
  await page.keyboard.press('Enter');
  await page.waitForFunction((text) => document.querySelector('[data-field="text"]')?.textContent?.includes(text), RANKED.s2.text);
  const mine = await responsesOf(D.ranked, D.users.keys3.id);
  assert.equal(mine.s1.status, 'submitted');
  assert.deepEqual(values(mine.s1), {
    preference: RANKED.s1.order.map((value, i) => ({ value, rank: i + 1 })),
    entities: RANKED.s1.spans,
  });
  // Change the order on s2 (↓ on the first item): the marks still say what the judge said.
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[data-question="preference"] [data-rank-item]')?.getAttribute('data-rank-item') === 'reply-c');
  assert.match(await page.locator('[data-rank-item="reply-b"] .sugg-mark').innerText(), /#1/);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.empty');
  // The submitted record still answers "what did the model say?".
  await page.goto(`${URL}/datasets/${D.ranked.id}/annotate?status=submitted&sort=oldest`);
  await page.waitForSelector('.status-tag.submitted');
  assert.match(await page.locator('[data-rank-item="reply-c"] .sugg-mark').innerText(), /#1/);
  await page.context().close();
});

test('suggestions stay on the options after the answer changes, on drafts and on submitted records', async () => {
  const page = await atDesk('keys1');
  // keys1 submitted c1 in the first test: the judge's rating and verdict are still marked on it.
  await page.goto(`${URL}/datasets/${D.code.id}/annotate?status=submitted&sort=oldest`);
  await waitRecord(page, 'c1');
  assert.equal(await checked(page, 'quality', '5'), 'true', 'the answer');
  const mark = page.locator('[data-question="quality"] [data-option="2"] .sugg-mark');
  assert.equal(await mark.innerText(), `✦ ${JUDGE} · 0.80`, 'the suggestion, on the option it picked');
  assert.equal(await page.locator('[data-question="verdict"] [data-option="incorrect"] .sugg-mark').innerText(), `✦ ${JUDGE} · 0.91`);
  // The corrected text was edited: the suggested text is shown, unfolded, with agent and score.
  const block = page.locator('[data-question="corrected"] .sugg-block');
  assert.notEqual(await block.getAttribute('open'), null);
  assert.match(await block.innerText(), new RegExp(`Suggested by ${JUDGE} \\(score 0\\.75\\)[\\s\\S]*return a \\+ b`));
  await page.screenshot({ path: join(SHOTS, 'keys-suggestions-submitted-1280.png'), fullPage: true });
  // A draft (keys2 left one on c1): the suggestion is on the option there too.
  const other = await atDesk('keys2');
  await other.goto(`${URL}/datasets/${D.code.id}/annotate?status=draft`);
  await waitRecord(other, 'c1');
  assert.equal(await other.locator('[data-question="quality"] [data-option="2"] .sugg-mark').count(), 1);
  assert.equal(await checked(other, 'quality', '7'), 'true', 'the draft\'s answer');
  await other.context().close();
  await page.context().close();
});

test('at 390 × 844: keys and marks work and fit on a phone', async () => {
  const page = await signedIn('keys4');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(annotate(D.code));
  await waitRecord(page, 'c1');
  await page.locator('[data-question="quality"]').scrollIntoViewIfNeeded();
  // The marks and key hints are on screen, inside the phone's width.
  const boxes = await page.locator('.form .sugg-mark, .form kbd').evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => [r.left, r.right]));
  assert.ok(boxes.length >= 10);
  for (const [left, right] of boxes) assert.ok(left >= 0 && right <= 390, `a mark or key at ${left}…${right} px fits in 390 px`);
  const form = await page.locator('.form').evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  assert.equal(form, true, 'the form does not scroll sideways');
  await page.screenshot({ path: join(SHOTS, 'keys-annotate-390.png'), fullPage: true });
  await page.keyboard.press('6');
  await page.keyboard.press('Enter');
  await waitRecord(page, 'c2');
  await page.waitForSelector('#undo-toast:has-text("Submitted")');
  await page.screenshot({ path: join(SHOTS, 'keys-undo-toast-390.png') });
  await page.keyboard.press('u');
  await waitRecord(page, 'c1');
  assert.equal((await responsesOf(D.code, D.users.keys4.id)).c1, null);
  await page.goto(`${URL}/datasets/${D.ranked.id}/annotate?sort=oldest`);
  await page.waitForSelector('[data-rank-item] .sugg-mark');
  await page.screenshot({ path: join(SHOTS, 'keys-ranking-spans-390.png'), fullPage: true });
  await page.context().close();
});
