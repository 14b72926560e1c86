// loam's web UI in a real headless browser, part 4: Insights (issue 18). Three annotators' answers
// are seeded through the API (lib/insights-data.js, its own workspace and dataset); an owner, by
// keyboard, reads agreement figures that equal a hand computation, follows a most-disagreed record
// into the annotation view, changes a consolidation strategy (and sees the server refuse a bad
// one), and downloads a JSONL export whose rows are checked; an annotator sees no Insights link and
// gets no data; a phone-width viewport keeps everything on screen and operable.
// Runs after ui-1…ui-3 against the same server (see ui-1-annotate.test.js) but relies on nothing
// they leave.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, setUp, signedIn, tabTo, tearDown } from '../lib/loam-ui.js';
import { ANSWERS, PROMPTS, RATERS, alphaNominal, cohenKappa, seedInsights, submittedCounts, unitsOf } from '../lib/insights-data.js';

/** @type {{ds: any, users: any, recordId: Record<string, string>}} */
let D;

before(async () => {
  await setUp();
  const found = (await apiCall('GET', '/api/v1/me/datasets')).items.find((d) => d.name === 'insights');
  assert.equal(found, undefined, 'the insights dataset is made by this file only');
  D = await seedInsights();
});
after(tearDown);

const insightsUrl = () => `${URL}/datasets/${D.ds.id}/insights`;
const text = (page, selector) => page.locator(selector).first().innerText().then((t) => t.trim());

/** Opens Insights from the datasets list by keyboard only. */
async function openInsightsByKeyboard(page) {
  await page.goto(URL + '/');
  await page.waitForSelector('tr[data-name="insights"]');
  await tabTo(page, 'tr[data-name="insights"] a[href$="/insights"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#insights');
}

test('an owner reads agreement figures that equal a hand computation', async () => {
  const page = await signedIn('chief');
  await openInsightsByKeyboard(page);
  await page.waitForSelector('#agreement [data-question="sentiment"]');
  assert.match(await text(page, '#agreement-summary'), new RegExp(`^${Object.keys(ANSWERS).length} records; 2 submitted`));

  // The annotators' submitted counts.
  for (const name of RATERS) {
    const submitted = Object.values(ANSWERS).filter((byUser) => byUser[name]).length;
    assert.equal(await text(page, `#agreement > .card tr[data-annotator="${name}"] td:nth-child(2)`), String(submitted), name);
  }
  // How many submitted answers records have: the chart's table alternative holds the numbers.
  const counts = submittedCounts();
  const rows = await page.locator('#chart-submitted .chart-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  for (const [answers, records] of rows) assert.equal(Number(records), counts[answers] || 0, `records with ${answers} answers`);
  for (const [answers, records] of Object.entries(counts)) assert.ok(rows.some(([a, r]) => a === answers && Number(r) === records), `a bar for ${answers} answers`);
  // The SVG reads out the same bars.
  assert.match(await page.locator('#chart-submitted svg').getAttribute('aria-label'), /Answers 3: 3 records/);

  // Krippendorff's α (nominal) and Cohen's κ of one pair, on the label question.
  const sentiment = unitsOf('sentiment');
  const alpha = alphaNominal(sentiment);
  assert.equal(await text(page, '[data-question="sentiment"] tr.metric[data-metric="krippendorff_alpha"][data-variant="nominal"] .value'), alpha.toFixed(3));
  const kappa = cohenKappa(sentiment, 'rater1', 'rater2');
  const pair = page.locator('[data-question="sentiment"] tr.pair[data-pair="rater1 & rater2"]');
  assert.ok((await pair.innerText()).includes(kappa.toFixed(3)), `κ ${kappa.toFixed(3)} in "${await pair.innerText()}"`);
  // One annotator answered `topic`: undefined, shown as a dash with the server's reason, not 0.
  const topicAlpha = page.locator('[data-question="topic"] tr.metric[data-metric="krippendorff_alpha"]').first();
  assert.equal((await topicAlpha.locator('.value').innerText()).trim(), '—');
  assert.ok((await topicAlpha.locator('.reason').innerText()).trim().length > 0, 'a reason is shown');
  await page.screenshot({ path: join(SHOTS, 'insights.png'), fullPage: true });
  await page.context().close();
});

test('the most-disagreed records come first and link into the annotation view on that record', async () => {
  const page = await signedIn('chief');
  await page.goto(insightsUrl());
  await page.waitForSelector('#disagreed-list li');
  await tabTo(page, '#disagreed-question', 200);
  await page.selectOption('#disagreed-question', 'sentiment');
  await page.waitForSelector('#disagreed-note:has-text("most disagreed first")');
  const listed = await page.locator('#disagreed-list li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-record')));
  const byId = Object.fromEntries(Object.entries(D.recordId).map(([ext, id]) => [id, ext]));
  // r2 and r4 were split; r1 and r3 unanimous; r5 has no answer.
  assert.deepEqual(new Set(listed.slice(0, 2).map((id) => byId[id])), new Set(['r2', 'r4']));
  assert.ok(!listed.slice(2).some((id) => ['r2', 'r4'].includes(byId[id])));
  const first = byId[listed[0]];
  await tabTo(page, '#disagreed-list li:first-child a');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#position:has-text("This record")');
  assert.ok(page.url().includes(`record=${D.recordId[first]}`), page.url());
  assert.ok((await page.locator('.record').innerText()).includes(PROMPTS[first]));
  // The queue links lead back out of the one record.
  await page.click('[data-queue="pending"]');
  await page.waitForFunction(() => !location.search.includes('record='));
  await page.context().close();
});

test('an owner changes a strategy by keyboard; the preview follows; a refused strategy shows the server’s detail', async () => {
  const page = await signedIn('chief');
  await page.goto(insightsUrl());
  await page.waitForSelector('#strategy-quality-kind');
  assert.ok((await text(page, '#strategy-quality-effective')).includes('default'));
  await tabTo(page, '#strategy-quality-kind', 200);
  await page.selectOption('#strategy-quality-kind', 'max');
  await tabTo(page, '#strategy-quality-save');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#strategy-quality-status.saved');
  const stored = (await apiCall('GET', `/api/v1/datasets/${D.ds.id}/consolidation`)).questions.find((q) => q.name === 'quality');
  assert.equal(stored.strategy.kind, 'max');
  assert.equal(stored.default, false);
  assert.ok(!(await text(page, '#strategy-quality-effective')).includes('default'));
  // The preview shows each record's highest rating.
  await page.waitForSelector(`#consolidation-preview tr[data-record="${D.recordId.r2}"]`);
  for (const [ext, byUser] of Object.entries(ANSWERS)) {
    const ratings = Object.values(byUser).map((v) => v.quality).filter((v) => v !== undefined);
    const cell = page.locator(`#consolidation-preview tr[data-record="${D.recordId[ext]}"] td[data-question="quality"] .value`);
    if (!(await cell.count())) continue;
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want, [
      `#consolidation-preview tr[data-record="${D.recordId[ext]}"] td[data-question="quality"] .value`,
      ratings.length ? String(Math.max(...ratings)) : '—',
    ]);
  }

  // Something the server refuses: its 422 detail is shown and nothing stored changes.
  const before = await apiCall('GET', `/api/v1/datasets/${D.ds.id}/consolidation`);
  await page.selectOption('#strategy-answer-kind', 'by_weight');
  await page.fill('#strategy-answer-weights', 'rater1=-1');
  await page.click('#strategy-answer-save');
  await page.waitForSelector('#strategy-answer-status.error');
  const refused = await text(page, '#strategy-answer-status');
  assert.match(refused, /^Not saved: /);
  assert.ok(refused.length > 'Not saved: '.length + 5, refused);
  assert.deepEqual(await apiCall('GET', `/api/v1/datasets/${D.ds.id}/consolidation`), before);

  // Back to the default.
  await page.click('#strategy-quality-reset');
  await page.waitForSelector('#strategy-quality-effective .default-tag');
  assert.equal((await apiCall('GET', `/api/v1/datasets/${D.ds.id}/consolidation`)).questions.find((q) => q.name === 'quality').default, true);
  await page.context().close();
});

test('an owner downloads a JSONL export by keyboard; its rows equal the answers', async () => {
  const page = await signedIn('chief');
  await page.goto(insightsUrl());
  await page.waitForSelector('#export-shape');
  await tabTo(page, '#export-shape', 200);
  await page.selectOption('#export-shape', 'sft');
  // The server's inferred mapping is shown: the prompt field and the text question.
  await page.waitForSelector('#export-mapping-note:has-text("default mapping for sft")');
  const inferred = JSON.parse(await page.locator('#export-mapping').inputValue());
  assert.ok(JSON.stringify(inferred).includes('"prompt"') && JSON.stringify(inferred).includes('"answer"'), JSON.stringify(inferred));
  await page.selectOption('#export-format', 'jsonl');
  await page.selectOption('#export-below', 'skip');
  await tabTo(page, '#export-download');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  await page.waitForSelector('#export-status.saved');
  assert.match(download.suggestedFilename(), /\.jsonl$/);
  const body = await readFile(await download.path(), 'utf8');
  const rows = body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  // The inferred mapping filters on the label question's "good" label: a record is kept when its
  // majority sentiment (ties unresolved, the default) is positive. The text question's default
  // strategy keeps every annotator's text: one row each.
  assert.deepEqual(inferred.filter, { question: 'sentiment', labels: ['positive'] });
  const majority = (byUser) => {
    const votes = {};
    for (const v of Object.values(byUser)) votes[v.sentiment] = (votes[v.sentiment] || 0) + 1;
    const top = Math.max(0, ...Object.values(votes));
    const winners = Object.keys(votes).filter((k) => votes[k] === top);
    return winners.length === 1 ? winners[0] : null;
  };
  const expected = Object.entries(ANSWERS)
    .filter(([, byUser]) => majority(byUser) === 'positive')
    .flatMap(([ext, byUser]) => Object.values(byUser).map((v) => `${PROMPTS[ext]} => ${v.answer}`));
  assert.ok(expected.length > 0);
  assert.deepEqual(rows.map((r) => `${r.prompt} => ${r.completion}`).sort(), expected.sort());
  await page.screenshot({ path: join(SHOTS, 'insights-export.png') });

  // An export the server refuses: its detail is shown, no file.
  await page.fill('#export-mapping', JSON.stringify({ prompt: 'no-such-field', completion: 'answer' }));
  await page.click('#export-download');
  await page.waitForSelector('#export-status.error');
  assert.match(await text(page, '#export-status'), /^Not exported: .*no-such-field/);
  // A mapping that is no JSON is caught before asking.
  await page.fill('#export-mapping', '{prompt');
  await page.click('#export-download');
  await page.waitForSelector('#export-status:has-text("The mapping is not JSON")');

  // The records shape: one row per record, every record (flagged when below min_submitted).
  await page.selectOption('#export-shape', 'records');
  await page.waitForSelector('#export-mapping-note:has-text("records")');
  await page.selectOption('#export-below', 'flag');
  const [all] = await Promise.all([page.waitForEvent('download'), page.click('#export-download')]);
  const records = (await readFile(await all.path(), 'utf8')).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  assert.equal(records.length, Object.keys(ANSWERS).length);
  for (const [ext, prompt] of Object.entries(PROMPTS)) assert.ok(records.some((r) => JSON.stringify(r).includes(JSON.stringify(prompt))), `a row for ${ext}`);
  await page.context().close();
});

test('an annotator sees no Insights link and gets no data', async () => {
  const page = await signedIn('rater1');
  await page.waitForSelector('tr[data-name="insights"]');
  assert.equal(await page.locator('a[href$="/insights"]').count(), 0);
  /** @type {string[]} */
  const asked = [];
  page.on('request', (req) => {
    if (/\/api\/.*\/(agreement|consolidation|exports)/.test(req.url())) asked.push(req.url());
  });
  await page.goto(insightsUrl());
  await page.waitForSelector('#insights-forbidden');
  assert.deepEqual(asked, [], 'the page asks for nothing it may not have');
  assert.equal(await page.locator('#agreement, #strategies, #export').count(), 0);
  // And the server refuses the data to this annotator's own token.
  const token = await page.evaluate(() => localStorage.getItem('loam.token'));
  for (const path of [`/api/v1/datasets/${D.ds.id}/agreement`, `/api/v1/datasets/${D.ds.id}/consolidation`]) {
    const res = await fetch(URL + path, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 403, path);
  }
  await page.context().close();
});

test('a phone-width viewport: nothing runs off the screen, and a strategy saves by keyboard', async () => {
  const page = await signedIn('chief');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(URL + '/');
  await page.waitForSelector('tr[data-name="insights"]');
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), 'the datasets list fits');
  await openInsightsByKeyboard(page);
  await page.waitForSelector('#chart-submitted svg');
  await page.waitForSelector('#consolidation-preview table, #consolidation-preview p');
  assert.ok(await fits(), 'Insights fits (wide tables scroll inside their own region)');
  const box = await page.locator('#chart-submitted svg').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the chart is drawn inside the screen');
  await page.screenshot({ path: join(SHOTS, 'insights-phone.png'), fullPage: true });
  await tabTo(page, '#strategy-sentiment-kind', 200);
  await tabTo(page, '#strategy-sentiment-tie_break');
  await page.selectOption('#strategy-sentiment-tie_break', 'highest');
  await tabTo(page, '#strategy-sentiment-save');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#strategy-sentiment-status.saved');
  const stored = (await apiCall('GET', `/api/v1/datasets/${D.ds.id}/consolidation`)).questions.find((q) => q.name === 'sentiment');
  assert.equal(stored.strategy.tie_break, 'highest');
  await page.context().close();
});
