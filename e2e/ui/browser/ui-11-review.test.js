// loam's web UI in a real headless browser, part 11: review and adjudication, and what annotators
// see of each other's answers (issue 20, scopes 2 and 3), on a workspace, users and datasets of its
// own. A reviewer (an annotator an owner marked through the users page's API) adjudicates a
// disagreement by keyboard: accepts one annotator's answer, writes their own, returns the record
// with a comment; the annotator finds it in their Returned queue with the comment and resubmits;
// it is back in review and the reviewer accepts the consolidated answer. The final answer and the
// audit trail are read back through the API. An annotator never sees review controls or others'
// answers in blind mode, and sees the others' submitted answers after submitting in the open mode.
// Screenshots at 1280×800 and 390×844; nothing runs off a 390 px screen.
// Relies on nothing other files leave.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, URL, apiCall, setUp, signedIn, tearDown, user } from '../lib/loam-ui.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** @type {{ws: any, ds: any, ann1: any, ann2: any, rev: any, ids: Record<string, string>}} */
let D;

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'review-e2e' });
  const ann1 = await user('rv-ann1', 'annotator', [ws.id]);
  const ann2 = await user('rv-ann2', 'annotator', [ws.id]);
  const rev = await user('rv-rev', 'annotator', [ws.id]);
  await apiCall('PUT', `/api/v1/workspaces/${ws.id}/reviewers/${rev.id}`);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'review-disagree', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'text', title: 'Text', required: true, settings: { type: 'text' } });
  const options = ['yes', 'no'].map((value) => ({ value, text: value }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options } });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = ['r0', 'r1', 'r2', 'r3'].map((id) => ({ external_id: id, fields: { text: `Is ${id} spam?` } }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=100`)).items;
  const ids = Object.fromEntries(records.map((r) => [r.external_id, r.id]));
  const answer = (who, record, value) =>
    apiCall('POST', `/api/v1/records/${ids[record]}/responses`, { status: 'submitted', values: { label: { value } } }, who.api_key);
  // r0: they disagree; r1: they agree; r2, r3: only ann2 answered.
  await answer(ann1, 'r0', 'yes');
  await answer(ann2, 'r0', 'no');
  await answer(ann1, 'r1', 'yes');
  await answer(ann2, 'r1', 'yes');
  await answer(ann2, 'r2', 'no');
  await answer(ann2, 'r3', 'no');
  D = { ws, ds, ann1, ann2, rev, ids };
});
after(tearDown);

/** Screenshots at 1280×800 and 390×844, checking nothing overflows at 390. */
async function shots(page, name) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  assert.ok(await fits(page), `${name}: no horizontal overflow at 390 px`);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

const review = (record) => apiCall('GET', `/api/v1/records/${D.ids[record]}/review`);
const actions = async (record) => (await review(record)).events.map((e) => e.action);

test('a reviewer adjudicates a disagreement: accept one, write own, return; the annotator resubmits; back to review', async () => {
  const page = await signedIn('rv-rev');
  await page.setViewportSize(DESKTOP);
  // From the dataset's annotation view, the Review link (reviewers of the workspace only).
  await page.goto(`${URL}/datasets/${D.ds.id}/annotate`);
  await page.click('#review-link');
  await page.waitForSelector('#review-answers');
  assert.deepEqual(await page.locator('#review-queue li').allInnerTexts(), ['1. r0 (answers differ)']);
  assert.deepEqual(await page.locator('#review-answers thead th').allInnerTexts(), ['Question', 'A: rv-ann1', 'B: rv-ann2', 'Suggestion', 'Consolidated', 'Final']);
  assert.deepEqual(await page.locator('#review-answers tbody td[data-column]').allInnerTexts(), ['yes', 'no']);
  await shots(page, 'review-queue');

  // 1: accept A's answer.
  await page.keyboard.press('1');
  await page.waitForSelector('#audit li');
  let fin = (await review('r0')).final_answer;
  assert.deepEqual([fin.source, fin.source_user_id, fin.values], ['response', D.ann1.id, { label: { value: 'yes' } }]);
  assert.match(await page.locator('#final-answer').innerText(), /rv-ann1's answer, decided by rv-rev/);

  // o: write my own.
  await page.keyboard.press('o');
  await page.waitForSelector('#own-form');
  await page.selectOption('#own-label', 'no');
  await page.click('#save-own');
  await page.waitForFunction(() => document.querySelectorAll('#audit li').length === 2);
  fin = (await review('r0')).final_answer;
  assert.deepEqual([fin.source, fin.decided_by_username, fin.values], ['own', 'rv-rev', { label: { value: 'no' } }]);

  // r: return to B with a comment.
  await page.keyboard.press('r');
  await page.waitForSelector('#return-form');
  await page.selectOption('#return-to', D.ann2.id);
  await page.fill('#return-comment', 'Is it really not spam? Read the last line.');
  await page.click('#send-return');
  await page.waitForFunction(() => document.querySelectorAll('#audit li').length === 3);
  assert.match(await page.locator('#audit li').nth(2).innerText(), /rv-rev returned it to rv-ann2: “Is it really not spam\? Read the last line\.”/);
  const returned = await review('r0');
  assert.equal(returned.final_answer, null, 'a return clears the final answer');
  assert.equal(returned.responses.find((r) => r.user_id === D.ann2.id).status, 'draft', 'the annotator’s answer is a draft again');
  assert.equal((await apiCall('GET', `/api/v1/datasets/${D.ds.id}/review/queue`)).total, 0, 'it waits on the annotator');
  await shots(page, 'review-decided');

  // The annotator: the Returned queue with the comment; they resubmit.
  const ann = await signedIn('rv-ann2');
  await ann.goto(`${URL}/datasets/${D.ds.id}/annotate`);
  await ann.waitForSelector('[data-queue="returned"]');
  assert.equal(await ann.locator('[data-queue="returned"] .count').innerText(), '1');
  await ann.click('[data-queue="returned"]');
  await ann.waitForSelector('#returned-note');
  assert.match(await ann.locator('#returned-note').innerText(), /Returned by rv-rev: Is it really not spam\? Read the last line\./);
  await shots(ann, 'review-returned');
  await ann.keyboard.press('1');
  await ann.keyboard.press('Enter');
  await ann.waitForFunction(() => document.querySelector('[data-queue="returned"] .count')?.textContent === '0');
  const queue = await apiCall('GET', `/api/v1/datasets/${D.ds.id}/review/queue`);
  assert.deepEqual(queue.items.map((it) => [it.external_id, it.reason]), [['r0', 'resubmitted']]);

  // Back to review: both now say yes, so the consolidated answer is accepted with c.
  await page.goto(`${URL}/datasets/${D.ds.id}/review`);
  await page.waitForSelector('#review-answers');
  assert.deepEqual(await page.locator('#review-queue li').allInnerTexts(), ['1. r0 (resubmitted after a return)']);
  await page.keyboard.press('c');
  await page.waitForFunction(() => document.querySelectorAll('#audit li').length === 4);
  fin = (await review('r0')).final_answer;
  assert.deepEqual([fin.source, fin.values], ['consolidated', { label: { value: 'yes' } }]);
  assert.deepEqual(await actions('r0'), ['accept_response', 'own', 'return', 'accept_consolidated']);
  assert.equal((await apiCall('GET', `/api/v1/datasets/${D.ds.id}/review/queue`)).total, 0);
  await page.context().close();
  await ann.context().close();
});

test("an annotator: no review controls, no others' answers when blind; others' submitted answers after submitting when open", async () => {
  const page = await signedIn('rv-ann1');
  await page.setViewportSize(DESKTOP);
  const open = async (record) => {
    await page.goto(`${URL}/datasets/${D.ds.id}/annotate?record=${D.ids[record]}`);
    await page.waitForSelector('.question');
    // The panel is added after the record: give it its request.
    await page.waitForLoadState('networkidle');
  };
  await open('r2');
  assert.equal(await page.locator('#review-link').count(), 0, 'no review link for annotators who are not reviewers');
  assert.equal(await page.locator('#others-answers').count(), 0);
  // Blind (the default): even after submitting, nothing of the others.
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#save-status:has-text("Submitted")');
  await open('r2');
  assert.equal(await page.locator('#others-answers').count(), 0, 'blind: no others’ answers after submitting');
  const mine = await apiCall('GET', `/api/v1/records/${D.ids.r2}`, undefined, D.ann1.api_key);
  assert.deepEqual(mine.responses.map((r) => r.user_id), [D.ann1.id], 'the API is blind too');
  // The review view by URL: not allowed.
  await page.goto(`${URL}/datasets/${D.ds.id}/review`);
  await page.waitForSelector('h1:has-text("Not allowed")');
  assert.equal(await page.locator('#review-answers, .review-actions').count(), 0);

  // Open mode: after submitting, the others' submitted answers.
  await apiCall('PATCH', `/api/v1/datasets/${D.ds.id}`, { responses_visible_for_annotators: true });
  await open('r2');
  await page.waitForSelector('#others-answers');
  assert.match(await page.locator('#others-answers').innerText(), /Annotator 1\s+Label\s+no/);
  await shots(page, 'review-others-answers');
  // Before submitting (r3: only ann2 answered): nothing, in the view and the API.
  await open('r3');
  assert.equal(await page.locator('#others-answers').count(), 0, 'open, before submitting: nothing of the others');
  const before3 = await apiCall('GET', `/api/v1/records/${D.ids.r3}`, undefined, D.ann1.api_key);
  assert.deepEqual(before3.responses, []);
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#save-status:has-text("Submitted")');
  await open('r3');
  await page.waitForSelector('#others-answers');
  assert.match(await page.locator('#others-answers').innerText(), /Annotator 1\s+Label\s+no/);
  await apiCall('PATCH', `/api/v1/datasets/${D.ds.id}`, { responses_visible_for_annotators: false });
  await page.context().close();
});
