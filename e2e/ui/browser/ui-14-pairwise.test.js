// loam's web UI in a real headless browser, part 14: pairwise preference (issue 22). An annotator
// compares two responses by keyboard on several records (left, right, tie, both bad, a strength,
// a strength cleared by a tie), each record's pair shown in the order the placement gives her; the
// shown order is recorded with every answer (`GET …/pairwise/answers`: both orders occur, each the
// placement function's), the saved values are the canonical A / B read back through the v2 SDK and
// the legacy SDK; the responses sit side by side at 1280 px and stacked at 390 px with nothing off
// the screen; a judge's suggestion shows on the option of its side. A dataset with the settings
// distilabel's PreferenceToArgilla creates is switched to pairwise from the settings page (after
// a refusal shown as the server words it), answered by keyboard, then unmarked. The insights
// page's Judges section, and its empty state. Runs on a workspace, users and datasets of its own
// (lib/pairwise-data.js), deleted at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { choices, placement } from '../../../ui/js/lib/pairwise.js';
import { SHOTS, URL, apiCall, setUp, signedIn, tearDown } from '../lib/loam-ui.js';
import { BASIC, JUDGE, LEGACY_READ, SDK_ARGS, V2_READ, answersOf, python, seedPairwise } from '../lib/pairwise-data.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** @type {Awaited<ReturnType<typeof seedPairwise>>} */
let D;

before(async () => {
  await setUp();
  D = await seedPairwise();
});
after(async () => {
  // Later files Tab through the home page's datasets and the users page: what this file made goes
  // (a failure to delete fails this file rather than a later one).
  if (D) {
    for (const ds of [D.basic, D.dl, D.plain]) await apiCall('DELETE', `/api/v1/datasets/${ds.id}`);
    for (const u of Object.values(D.users)) await apiCall('DELETE', `/api/v1/users/${u.id}`);
    await apiCall('DELETE', `/api/v1/workspaces/${D.ws.id}`);
  }
  await tearDown();
});

const annotate = (ds) => `${URL}/datasets/${ds.id}/annotate?sort=oldest`;
const atDesk = async (username) => {
  const page = await signedIn(username);
  await page.setViewportSize(DESKTOP);
  return page;
};
/** Where focus is: the question it is in, and the option it is on. */
const focus = (page) =>
  page.evaluate(() => {
    const el = /** @type {HTMLElement} */ (document.activeElement);
    const section = el && el.closest('[data-question]');
    return { question: section ? /** @type {HTMLElement} */ (section).dataset.question : null, option: el ? el.dataset.option ?? null : null, tag: el ? el.tagName : '' };
  });
const checked = (page, q, option) => page.locator(`[data-question="${q}"] [data-option="${option}"]`).getAttribute('aria-checked');
/** The basic record shown (its number, from the prompt), once its pair is arranged. */
async function shownRecord(page, n) {
  await page.waitForFunction((text) => document.querySelector('[data-field="prompt"]')?.textContent?.includes(text) && !!document.querySelector('.pairwise-compare'), `Prompt ${n}:`);
  const rec = D.records[`p${n}`];
  const shown = await page.locator('.pairwise-compare').getAttribute('data-shown');
  assert.equal(shown, placement(D.users['pw-ann1'].id, rec.id, D.pairing.question_id), `record ${n}: the order is the placement's`);
  return { rec, shown };
}
/** The canonical label of a side, as the record was shown. */
const canonical = (shown, side) => choices(D.pairing, shown).find((c) => c.side === side).value;

test('pairwise by keyboard: left, right, tie, both bad and strengths on six records, saved canonical with the order shown', async () => {
  const page = await atDesk('pw-ann1');
  await page.goto(annotate(D.basic));
  /** What each record gets: the keys pressed, then what the answer is in screen terms. */
  const plan = [
    { keys: ['1', 'j', '3'], side: 'first', strength: 'strong' },
    { keys: ['2', 'j', '1'], side: 'second', strength: 'slight' },
    { keys: ['3', 'j', '2'], side: 'tie', strength: null },
    { keys: ['4'], side: 'both_bad', strength: null },
    { keys: ['1', 'j', '2', 'k', '3'], side: 'tie', strength: null },
    { keys: ['2', 'j', '3'], side: 'second', strength: 'strong' },
  ];
  const expected = {};
  for (const [i, step] of plan.entries()) {
    const n = i + 1;
    const { rec, shown } = await shownRecord(page, n);
    // The two responses are shown once, in the comparison, first-shown on the left, without
    // their titles (a title may name the model).
    const [left, right] = shown === 'ab' ? [BASIC[i].a, BASIC[i].b] : [BASIC[i].b, BASIC[i].a];
    assert.equal(await page.locator('.field[data-field="response_a"]').count(), 1);
    assert.equal(await page.locator('.pairwise-compare .field[data-field="response_b"]').count(), 1);
    assert.ok((await page.locator('.pairwise-compare .pw-first').innerText()).includes(left.split(':')[0]), `record ${n}: the first shown is on the left`);
    assert.ok((await page.locator('.pairwise-compare .pw-second').innerText()).includes(right.split(':')[0]));
    assert.equal(await page.locator('.pairwise-compare h3:has-text("Model A response")').count(), 0, 'field titles are left out');
    assert.equal(await page.locator('.pairwise-compare .pw-first pre code').count() + (await page.locator('.pairwise-compare .pw-second pre code').count()), 1, 'markdown rendered (one code block)');
    // The record opens on the pairwise question; its choices in screen terms with their keys.
    assert.equal((await focus(page)).question, 'preference');
    assert.deepEqual(await page.locator('[data-question="preference"] [data-option] kbd').allInnerTexts(), ['1', '2', '3', '4']);
    assert.deepEqual(await page.locator('[data-question="preference"] [data-option] .pw-wide').allInnerTexts(), ['Left better', 'Right better', 'Tie', 'Both bad']);
    assert.deepEqual(await page.locator('[data-question="preference-strength"] [data-option] kbd').allInnerTexts(), ['1', '2', '3']);
    if (n === 1) {
      // The judge's suggestion (B) is on the option of B's side, with its agent and score, and pre-selected.
      const option = page.locator('[data-question="preference"] .suggested-option');
      assert.equal(await option.getAttribute('data-option'), 'B');
      assert.equal(await option.getAttribute('data-side'), shown === 'ab' ? 'second' : 'first');
      assert.match(await option.locator('.sugg-mark').innerText(), new RegExp(`${JUDGE} · 0.70`));
      assert.equal(await checked(page, 'preference', 'B'), 'true');
      await page.screenshot({ path: join(SHOTS, 'pairwise-annotate-1280.png'), fullPage: true });
    }
    for (const key of step.keys) await page.keyboard.press(key);
    const value = canonical(shown, step.side);
    assert.equal(await checked(page, 'preference', value), 'true', `record ${n}: ${step.side} is ${value}`);
    if (step.side === 'tie' || step.side === 'both_bad') {
      assert.equal(await page.locator('[data-question="preference-strength"] .options').getAttribute('aria-disabled'), 'true', 'no strength for a tie or both bad');
      assert.equal(await page.locator('[data-question="preference-strength"] [aria-checked="true"]').count(), 0, 'the strength is cleared');
    } else {
      assert.equal(await checked(page, 'preference-strength', step.strength), 'true');
    }
    expected[rec.id] = { value, strength: step.strength, shown };
    await page.keyboard.press('Enter');
    if (n < plan.length) await page.waitForFunction((text) => document.querySelector('[data-field="prompt"]')?.textContent?.includes(text), `Prompt ${n + 1}:`);
  }
  await page.waitForFunction(() => !document.querySelector('.pairwise-compare') || document.querySelector('.empty'));
  const answers = await answersOf(D.basic, 'preference', D.users['pw-ann1'].id);
  for (const [id, want] of Object.entries(expected)) {
    const got = answers[id];
    assert.ok(got, `an answer on ${id}`);
    assert.equal(got.status, 'submitted');
    assert.equal(got.value, want.value, 'the canonical label, not the side');
    assert.equal(got.strength ?? null, want.strength);
    assert.equal(got.shown, want.shown, 'the order shown is recorded, and is the placement\'s');
  }
  assert.deepEqual(new Set(Object.values(answers).map((a) => a.shown)), new Set(['ab', 'ba']), 'both orders occur');
  // Through the SDKs: the same canonical values (they never see left or right).
  const userId = D.users['pw-ann1'].id;
  for (const [venv, script] of [['sdk-2.8', V2_READ], ['legacy-1.29', LEGACY_READ]]) {
    const read = python(venv, script, SDK_ARGS(D.basic, D.ws, 'preference'));
    for (const [id, want] of Object.entries(expected)) {
      const mine = (read[id] || []).filter((r) => r.user_id === userId);
      assert.deepEqual(mine.map((r) => [r.value, r.status]), [[want.value, 'submitted']], `${venv} reads ${id}`);
    }
  }
  await page.context().close();
});

test('at 390 × 844 the pair is stacked (top / bottom) and nothing runs off the screen; drafts carry the order too', async () => {
  const page = await signedIn('pw-ann2');
  await page.setViewportSize(PHONE);
  await page.goto(annotate(D.basic));
  await page.waitForSelector('.pairwise-compare');
  assert.ok(await fits(page), 'no horizontal overflow at 390 px');
  const [first, second] = await Promise.all(['.pw-first', '.pw-second'].map((sel) => page.locator(`.pairwise-compare ${sel}`).boundingBox()));
  assert.ok(second.y >= first.y + first.height - 1, 'stacked: the second below the first');
  assert.deepEqual(await page.locator('[data-question="preference"] [data-option] .pw-narrow').allInnerTexts(), ['Top better', 'Bottom better', 'Tie', 'Both bad']);
  await page.screenshot({ path: join(SHOTS, 'pairwise-annotate-390.png'), fullPage: true });
  // A draft (Ctrl+S) carries the shown order as a submit does.
  await page.keyboard.press('2');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelector('.save-status')?.textContent?.includes('Draft saved'));
  const recId = D.records.p1.id;
  const shown = placement(D.users['pw-ann2'].id, recId, D.pairing.question_id);
  const mine = await answersOf(D.basic, 'preference', D.users['pw-ann2'].id);
  assert.equal(mine[recId].status, 'draft');
  assert.equal(mine[recId].value, canonical(shown, 'second'));
  assert.equal(mine[recId].shown, shown);
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, 'pairwise-annotate-draft-1280.png'), fullPage: true });
  await page.context().close();
});

test("distilabel's PreferenceToArgilla dataset: switched to pairwise on the settings page, answered by keyboard, unmarked", async () => {
  const admin = await atDesk('pw-admin');
  await admin.goto(`${URL}/datasets/${D.dl.id}/settings`);
  await admin.waitForSelector('#settings-pairwise #no-pairings');
  // The form guesses the pair and the judge's ratings from distilabel's names.
  assert.equal(await admin.locator('#pw-a').inputValue(), 'generations-0');
  assert.equal(await admin.locator('#pw-b').inputValue(), 'generations-1');
  assert.equal(await admin.locator('#pw-rating-a').inputValue(), 'generations-0-rating');
  assert.equal(await admin.locator('#pw-rating-b').inputValue(), 'generations-1-rating');
  // A name taken by a question: the server's refusal, as it words it.
  await admin.locator('#pw-name').fill('generations-0-rating');
  await admin.locator('#pairwise-switch').click();
  await admin.waitForFunction(() => /generations-0-rating/.test(document.querySelector('#pairwise-form-error')?.textContent || ''));
  assert.match(await admin.locator('#settings-status').innerText(), /Could not save/);
  // Two fields that are one: said before asking.
  await admin.locator('#pw-name').fill('preference');
  await admin.locator('#pw-b').selectOption('generations-0');
  await admin.locator('#pairwise-switch').click();
  await admin.waitForFunction(() => /two different fields/.test(document.querySelector('#pairwise-form-error')?.textContent || ''));
  await admin.locator('#pw-b').selectOption('generations-1');
  await admin.locator('#pw-name').focus();
  await admin.keyboard.press('Enter');
  await admin.waitForSelector('#settings-pairwise [data-pairing="preference"]');
  assert.match(await admin.locator('[data-pairing="preference"]').innerText(), /generations-0 \(A\) vs generations-1 \(B\).*judge ratings generations-0-rating vs generations-1-rating/s);
  await admin.waitForSelector('#settings-questions :text("preference-strength")');
  await admin.screenshot({ path: join(SHOTS, 'pairwise-settings-1280.png'), fullPage: true });
  await admin.setViewportSize(PHONE);
  assert.ok(await fits(admin), 'settings: no horizontal overflow at 390 px');
  await admin.locator('#settings-pairwise').screenshot({ path: join(SHOTS, 'pairwise-settings-390.png') });
  await admin.setViewportSize(DESKTOP);
  const pairing = (await apiCall('GET', `/api/v1/datasets/${D.dl.id}/pairwise`)).items[0];
  assert.deepEqual(pairing.ratings, { a: 'generations-0-rating', b: 'generations-1-rating' });

  // An annotator answers it by keyboard: from the first question (the judge's rating of
  // generations-0, pre-filled) down to the pairwise question with j (Escape out of a rationale).
  const ann = await atDesk('pw-ann2');
  await ann.goto(annotate(D.dl));
  const userId = D.users['pw-ann2'].id;
  const expected = {};
  for (const [n, keys, side, strength] of [[1, ['1', 'j', '3'], 'first', 'strong'], [2, ['2'], 'second', null], [3, ['3'], 'tie', null]]) {
    const rec = (await apiCall('GET', `/api/v1/datasets/${D.dl.id}/records?limit=10`)).items.find((r) => r.external_id === `d${n}`);
    await ann.waitForFunction((id) => document.querySelector('.pairwise-compare')?.closest('.record') && document.querySelector('[data-field="id"]')?.textContent?.includes(id), `sha-${n}`);
    const shown = await ann.locator('.pairwise-compare').getAttribute('data-shown');
    assert.equal(shown, placement(userId, rec.id, pairing.question_id));
    assert.equal((await focus(ann)).question, 'generations-0-rating');
    for (const key of ['j', 'Escape', 'j', 'j', 'Escape', 'j']) await ann.keyboard.press(key);
    assert.equal((await focus(ann)).question, 'preference');
    if (n === 1) {
      // The judge's ratings (5 vs 1) imply A: marked on A's option, on its side.
      const implied = ann.locator('[data-question="preference"] [data-option="A"]');
      assert.match(await implied.locator('.sugg-mark').innerText(), /ratings 5 vs 1/);
      assert.equal(await implied.getAttribute('data-side'), shown === 'ab' ? 'first' : 'second');
    }
    for (const key of keys) await ann.keyboard.press(key);
    expected[rec.id] = { value: choices(pairing, shown).find((c) => c.side === side).value, strength, shown };
    if (n === 1) await ann.screenshot({ path: join(SHOTS, 'pairwise-distilabel-1280.png'), fullPage: true });
    await ann.keyboard.press('Enter');
    await ann.waitForFunction((id) => !document.querySelector('[data-field="id"]')?.textContent?.includes(id), `sha-${n}`);
  }
  const answers = await answersOf(D.dl, 'preference', userId);
  for (const [id, want] of Object.entries(expected)) {
    assert.equal(answers[id].value, want.value);
    assert.equal(answers[id].strength ?? null, want.strength);
    assert.equal(answers[id].shown, want.shown);
    assert.equal(answers[id].status, 'submitted');
  }
  await ann.context().close();

  // Unmarked: the question stays an ordinary label question with its answers.
  await admin.reload();
  await admin.waitForSelector('[data-pairing="preference"] .unmark');
  await admin.locator('[data-pairing="preference"] .unmark').click();
  await admin.waitForSelector('#settings-pairwise #no-pairings');
  assert.deepEqual((await apiCall('GET', `/api/v1/datasets/${D.dl.id}/pairwise`)).items, []);
  await admin.context().close();
});

test('the insights page: judges against people with position bias, and the empty state', async () => {
  // The judge's verdicts in both orders on the basic dataset's records (after pw-ann1 answered).
  const items = Object.values(D.records).flatMap((r, i) => [
    { record_id: r.id, question: 'preference', agent: JUDGE, shown: 'ab', value: 'A', score: 0.9 },
    { record_id: r.id, question: 'preference', agent: JUDGE, shown: 'ba', value: i % 2 ? 'A' : 'B', score: 0.8 },
  ]);
  await apiCall('POST', `/api/v1/datasets/${D.basic.id}/pairwise/judgements`, { items });
  const page = await atDesk('pw-admin');
  await page.goto(`${URL}/datasets/${D.basic.id}/insights`);
  const row = page.locator(`#judges .judges-question[data-question="preference"] tr.judge[data-agent="${JUDGE}"]`);
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells.length, 5, 'agent, records, agreement, first shown, flips');
  for (const cell of cells.slice(2)) assert.match(cell, /^(\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] n = \d+|— .+)$/, `a figure with its interval, or a dash with the reason: ${cell}`);
  await page.locator('#judges').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'pairwise-judges-1280.png'), fullPage: true });
  await page.setViewportSize(PHONE);
  assert.ok(await fits(page), 'insights: no horizontal overflow at 390 px');
  await page.locator('#judges').screenshot({ path: join(SHOTS, 'pairwise-judges-390.png') });
  await page.setViewportSize(DESKTOP);
  await page.goto(`${URL}/datasets/${D.plain.id}/insights`);
  await page.waitForSelector('#judges #no-judges');
  await page.context().close();
});
