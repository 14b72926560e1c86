// loam's web UI in a real headless browser: filters, sort, search highlighting and the bulk view
// (issue 19, items 3 and 4), on a workspace and dataset of its own (lib/filters-data.js: 72 code
// tasks made with the v2 SDK's JSON shapes). By keyboard, an annotator filters by a terms property
// with no declared values (its terms come from the metrics), by an integer range and by a
// suggestion score; sorts by suggestion score and by metadata; filters the Submitted queue by
// their own answer; reloads and keeps it all; sees search matches marked; gets "no records match"
// with a way out; submits one record and sees the counts follow; pages the bulk view and answers
// every record matching a filter (three pages) at once, the counts right after; and does it at
// 390×844 without horizontal scrolling. Runs after the other files on the same server but relies
// on nothing they leave.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { URL, SHOTS, apiCall, count, setUp, signedIn, tabTo, tearDown } from '../lib/loam-ui.js';
import { ROWS, SOURCES, pending, seedFilters } from '../lib/filters-data.js';

/** @type {{ds: any, annotator: any}} */
let D;

before(async () => {
  await setUp();
  D = await seedFilters();
});
after(tearDown);

const annotateUrl = (query = '') => `${URL}/datasets/${D.ds.id}/annotate${query ? `?${query}` : ''}`;
const positionIs = (page, text) => page.waitForSelector(`#position:text-is("${text}")`);
const promptText = (page) => page.locator('[data-field="prompt"]').innerText();
const noOverflow = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Signs in as the annotator at 1280×800 and opens the dataset's annotation view. */
async function annotator(query = '', viewport = { width: 1280, height: 800 }) {
  const page = await signedIn('fann');
  await page.setViewportSize(viewport);
  await page.goto(annotateUrl(query));
  await page.waitForSelector('#position');
  return page;
}

/** Opens the filter panel from the Filters button, by keyboard. */
async function openFilters(page) {
  await tabTo(page, '#filters-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#filter-panel form');
}

/** Tabs to a filter checkbox and ticks it with Space. */
async function tick(page, filter, value) {
  await tabTo(page, `fieldset[data-filter="${filter}"] input[value="${value}"]`, 200);
  await page.keyboard.press('Space');
}

test('metadata terms from the metrics (none declared), an integer range and a suggestion score, by keyboard, kept in the URL', async () => {
  const page = await annotator();
  await positionIs(page, `1 of ${pending().length}`);
  await openFilters(page);
  // The terms come from the property's metrics, with their counts; the hidden property is not offered.
  const github = ROWS.filter((r) => r.source === 'github').length;
  await page.waitForSelector(`fieldset[data-filter="meta.source"] label:has-text("github (${github})")`);
  for (const s of SOURCES) assert.equal(await page.locator(`fieldset[data-filter="meta.source"] input[value="${s}"]`).count(), 1, s);
  assert.equal(await page.locator('[data-meta="secret"]').count(), 0, 'metadata hidden from annotators is not offered');
  assert.equal(await page.locator('#filter-panel').getByText('Secret').count(), 0);
  // The integer range shows its bounds from the metrics.
  await page.waitForSelector('fieldset[data-filter="range.length"] input[data-side="to"][placeholder="710"]');
  await page.screenshot({ path: join(SHOTS, 'filters-panel-1280.png'), fullPage: true });

  await tick(page, 'meta.source', 'github');
  await page.keyboard.press('Enter'); // applies from the checkbox
  const byGithub = pending((r) => r.source === 'github');
  await positionIs(page, `1 of ${byGithub.length}`);
  assert.equal(await page.locator('#filter-chips .chip').innerText().then((t) => t.replace(/\s+×$/, '')), 'Source: github');
  assert.match(page.url(), /meta\.source=github/);
  assert.equal(await page.locator('#filter-panel').isHidden(), true, 'the panel closes on apply');

  // An integer range and a suggestion score: typed into number inputs, Enter applies.
  await openFilters(page);
  await tabTo(page, 'fieldset[data-filter="range.length"] input[data-side="from"]', 200);
  await page.keyboard.type('100');
  await page.keyboard.press('Tab');
  await page.keyboard.type('300');
  await page.keyboard.press('Enter');
  const inRange = byGithub.filter((r) => r.length >= 100 && r.length <= 300);
  await positionIs(page, `1 of ${inRange.length}`);
  await openFilters(page);
  await tabTo(page, '[data-filter-question="rating"] summary', 200);
  await page.keyboard.press('Enter'); // opens the question's group
  await tabTo(page, 'fieldset[data-filter="score.rating"] input[data-side="from"]', 50);
  await page.keyboard.type('0.5');
  await page.keyboard.press('Enter');
  const scored = inRange.filter((r) => r.rating.score >= 0.5);
  assert.ok(scored.length > 0 && scored.length < inRange.length);
  await positionIs(page, `1 of ${scored.length}`);
  assert.deepEqual(await page.locator('#filter-chips .chip').allInnerTexts().then((t) => t.map((it) => it.replace(/\s+×$/, ''))), ['Source: github', 'Length 100 – 300', 'Rating suggestion score ≥ 0.5']);

  // Reload: the same view, from the URL alone.
  const url = page.url();
  await page.reload();
  await positionIs(page, `1 of ${scored.length}`);
  assert.equal(page.url(), url);
  assert.equal(await page.locator('#filter-chips .chip').count(), 3);
  assert.match(await page.locator('#filters-toggle').innerText(), /Filters \(3\)/);

  // A chip's button removes its filter; Clear all removes the rest.
  await tabTo(page, '#filter-chips [data-chip="range.length"]');
  await page.keyboard.press('Enter');
  await positionIs(page, `1 of ${byGithub.filter((r) => r.rating.score >= 0.5).length}`);
  await tabTo(page, '#clear-filters');
  await page.keyboard.press('Enter');
  await positionIs(page, `1 of ${pending().length}`);
  assert.equal(await page.locator('#filter-chips').isHidden(), true);

  // A link naming hidden metadata (filter and sort) or holding a malformed range: those parts are
  // dropped, the rest applies, and the address is rewritten without them.
  await page.goto(annotateUrl('meta.secret=alpha&meta.source=github&sort=meta.secret-asc&range.length=abc'));
  await positionIs(page, `1 of ${byGithub.length}`);
  assert.deepEqual(await page.locator('#filter-chips .chip').allInnerTexts().then((t) => t.map((it) => it.replace(/\s+×$/, ''))), ['Source: github']);
  assert.doesNotMatch(page.url(), /secret|range/);
  assert.equal(await page.locator('#sort').inputValue(), '');
  await page.context().close();
});

test('sort by suggestion score and by metadata; the Submitted queue filtered by my answer', async () => {
  const page = await annotator();
  await page.selectOption('#sort', 'score.rating-desc');
  const top = Math.max(...pending().map((r) => r.rating.score));
  const best = pending((r) => r.rating.score === top).map((r) => r.i);
  await page.waitForFunction(() => location.search.includes('sort=score.rating-desc'));
  await page.waitForFunction((ids) => ids.some((i) => document.querySelector('[data-field="prompt"]')?.textContent?.includes(`Task ${i}:`)), best);
  // → walks down the scores.
  const scores = [];
  for (let k = 0; k < 5; k++) {
    const m = /Task (\d+):/.exec(await promptText(page));
    scores.push(ROWS[Number(m[1])].rating.score);
    await page.keyboard.press('ArrowRight');
    await positionIs(page, `${k + 2} of ${pending().length}`);
  }
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), `scores in descending order: ${scores}`);

  await page.selectOption('#sort', 'meta.length-desc');
  const longest = pending().reduce((a, b) => (b.length > a.length ? b : a));
  await page.waitForFunction((i) => document.querySelector('[data-field="prompt"]')?.textContent?.includes(`Task ${i}:`), longest.i);
  // The URL follows after the record's frame (issue 19's fast moves): reload once it has the sort.
  await page.waitForFunction(() => location.search.includes('sort=meta.length-desc'));
  await page.reload();
  await page.waitForFunction((i) => document.querySelector('[data-field="prompt"]')?.textContent?.includes(`Task ${i}:`), longest.i);
  assert.equal(await page.locator('#sort').inputValue(), 'meta.length-desc');

  // The response status is the queue; my answer's value is a filter within it.
  await tabTo(page, '[data-queue="submitted"]');
  await page.keyboard.press('Enter');
  const submitted = ROWS.filter((r) => r.mine?.status === 'submitted');
  await positionIs(page, `1 of ${submitted.length}`);
  await openFilters(page);
  await tabTo(page, '[data-filter-question="rating"] summary', 200);
  await page.keyboard.press('Enter');
  await tick(page, 'response.rating', '3');
  await page.keyboard.press('Enter');
  await positionIs(page, '1 of 1');
  assert.match(await promptText(page), /Task 3:/);
  assert.match(page.url(), /status=submitted/);
  assert.match(page.url(), /response\.rating=3/);
  await page.context().close();
});

test('search matches are marked in the fields; an empty result says no records match, with a way out', async () => {
  const page = await annotator();
  await tabTo(page, '#search');
  await page.keyboard.type('quicksort');
  await page.keyboard.press('Enter');
  const hits = pending((r) => r.prompt.includes('quicksort'));
  await positionIs(page, `1 of ${hits.length}`);
  await page.waitForSelector('[data-field="prompt"] mark.search-hit');
  assert.deepEqual(await page.locator('mark.search-hit').allInnerTexts(), ['quicksort']);
  // Marked inside the server's markdown, whose other markup stays.
  assert.equal(await page.locator('[data-field="prompt"] strong').count(), 1);
  await page.screenshot({ path: join(SHOTS, 'search-highlight-1280.png') });
  // A word of the plain-text field too, wherever it occurs, case folded.
  await page.goto(annotateUrl('q=LINE&sort=inserted-asc'));
  await page.waitForSelector('[data-field="response"] mark.search-hit');
  assert.equal(await page.locator('[data-field="response"] mark.search-hit').count(), 12);

  await tabTo(page, '#search');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('zebra');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#no-match:has-text("No records match these filters")');
  assert.equal(await page.getByText('this queue is done').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'filters-no-match-1280.png') });
  await tabTo(page, '#no-match-clear');
  await page.keyboard.press('Enter');
  await positionIs(page, `1 of ${pending().length}`);
  assert.equal(await page.locator('#search').inputValue(), '');
  await page.context().close();
});

test('a single submit: queue counts, position and progress follow', async () => {
  const page = await annotator('sort=inserted-asc');
  const before = pending();
  await positionIs(page, `1 of ${before.length}`);
  await page.waitForFunction((n) => document.querySelector('[data-queue="pending"] .count')?.textContent === String(n), before.length);
  assert.match(await promptText(page), new RegExp(`Task ${before[0].i}:`));
  const submittedBefore = await count(page, 'submitted');
  await tabTo(page, '[data-question="label"] [data-option]');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await positionIs(page, `1 of ${before.length - 1}`);
  await page.waitForFunction(([p, s]) => document.querySelector('[data-queue="pending"] .count')?.textContent === String(p) && document.querySelector('[data-queue="submitted"] .count')?.textContent === String(s), [before.length - 1, submittedBefore + 1]);
  const done = submittedBefore + 1 + ROWS.filter((r) => r.mine?.status === 'discarded').length;
  await page.waitForSelector(`.progress .label:has-text("${done} of ${ROWS.length} done")`);
  ROWS[before[0].i].mine = { status: 'submitted', label: 'correct' };
  await page.context().close();
});

test('the bulk view: every field, suggestions, paging by keyboard, and an answer for all records matching a filter', async () => {
  const page = await annotator('meta.source=docs&sort=inserted-asc');
  const docs = pending((r) => r.source === 'docs');
  assert.ok(docs.length > 20, `more than two pages of 10 (${docs.length})`);
  await positionIs(page, `1 of ${docs.length}`);
  await tabTo(page, '#bulk-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#bulk-range');
  await positionIs(page, `1–10 of ${docs.length}`);
  assert.match(page.url(), /view=bulk&size=10/);
  // Every field of each record, and its suggestions with agent and score.
  const first = page.locator('.bulk-card').first();
  assert.match(await first.locator('[data-field="prompt"]').innerText(), new RegExp(`Task ${docs[0].i}:`));
  assert.match(await first.locator('[data-field="response"]').innerText(), /solve_|line 0/);
  assert.equal(await first.locator('[data-suggestion="rating"]').innerText(), `Rating: ${docs[0].rating.value} · ${docs[0].rating.agent} · score ${docs[0].rating.score.toFixed(2)}`);
  assert.equal(await page.locator('.bulk-card').count(), 10);
  // A long text is cut, and opens with its button.
  const long = await page.locator('.bulk-card .field.clamped').first().elementHandle();
  await (await long.$('button.more')).focus();
  await page.keyboard.press('Enter');
  assert.equal(await long.evaluate((el) => el.classList.contains('clamped')), false);
  assert.equal(await long.evaluate((el) => el.querySelector('button.more').textContent), 'Show less');
  await page.screenshot({ path: join(SHOTS, 'bulk-filters-1280.png'), fullPage: true });

  // → and ← page; the page is in the URL.
  await page.locator('[data-bulk-record]').first().focus();
  await page.keyboard.press('ArrowRight');
  await positionIs(page, `11–20 of ${docs.length}`);
  assert.match(await page.locator('.bulk-card').first().innerText(), new RegExp(`Task ${docs[10].i}:`));
  await page.keyboard.press('ArrowRight');
  await positionIs(page, `21–${docs.length} of ${docs.length}`);
  assert.match(page.url(), /page=3/);
  await page.keyboard.press('ArrowLeft');
  await positionIs(page, `11–20 of ${docs.length}`);
  // Reload: the bulk view, its page and the filter, from the URL alone.
  await page.reload();
  await positionIs(page, `11–20 of ${docs.length}`);
  assert.equal(await page.locator('#bulk-toggle').getAttribute('aria-pressed'), 'true');
  assert.match(await page.locator('.bulk-card').first().innerText(), new RegExp(`Task ${docs[10].i}:`));
  await page.selectOption('#bulk-size', '25');
  await positionIs(page, `1–${docs.length} of ${docs.length}`);
  await page.selectOption('#bulk-size', '10');
  await positionIs(page, `1–10 of ${docs.length}`);

  // Select all matching: every page, not only the one shown.
  await tabTo(page, '#select-matching');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#selection-count:has-text("All ${docs.length} matching records selected")`);
  await page.waitForSelector(`#submit:has-text("Submit ${docs.length} selected")`);
  const pendingBefore = await count(page, 'pending');
  const submittedBefore = await count(page, 'submitted');
  await tabTo(page, '[data-question="label"] [data-option]');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#save-status:has-text("${docs.length} records submitted")`);
  await page.waitForFunction(([p, s]) => document.querySelector('[data-queue="pending"] .count')?.textContent === String(p) && document.querySelector('[data-queue="submitted"] .count')?.textContent === String(s), [pendingBefore - docs.length, submittedBefore + docs.length]);
  await page.waitForSelector('#no-match:has-text("No records match these filters")');
  await positionIs(page, '0 in this queue');
  // The server holds one submitted response per matching record, with the answer given.
  const records = (await apiCall('GET', `/api/v1/datasets/${D.ds.id}/records?include=responses&limit=1000`)).items;
  const mine = records.flatMap((r) => (r.responses || []).filter((x) => x.user_id === D.annotator.id && x.status === 'submitted').map((x) => ({ ext: r.external_id, label: x.values.label.value })));
  for (const r of docs) assert.deepEqual(mine.find((m) => m.ext === `task-${r.i}`), { ext: `task-${r.i}`, label: 'correct' }, `task-${r.i}`);
  for (const r of docs) ROWS[r.i].mine = { status: 'submitted', label: 'correct' };
  assert.equal(mine.length, ROWS.filter((r) => r.mine?.status === 'submitted').length);

  // Out of the filter, the bulk view shows the rest of Pending, counted right.
  await tabTo(page, '#no-match-clear');
  await page.keyboard.press('Enter');
  await positionIs(page, `1–10 of ${pending().length}`);
  await page.context().close();
});

test('a link naming filters and a sort the dataset lacks: they are left out, and the view says so until the filters change', async () => {
  // What the queue shows with only the known filter, and with none (earlier tests answered some).
  // The position once the queue is read ("1 of N", or "N in this queue" when empty).
  const settled = async (p) => {
    await p.waitForFunction(() => /\d/.test(document.getElementById('position')?.textContent || ''));
    return p.locator('#position').innerText();
  };
  const page = await annotator('meta.source=github');
  const web = await settled(page);
  await page.goto(annotateUrl());
  const whole = await settled(page);
  assert.notEqual(web, whole);
  await page.goto(annotateUrl('meta.nosuch=web&range.source=1..2&meta.source=github&sort=meta.nosuch-desc'));
  // The known filter holds; the unknown one and the terms-as-range are not applied, and not hidden.
  await positionIs(page, web);
  const notice = page.locator('#filter-chips .filter-notice');
  assert.match(await notice.innerText(), /^Not applied: this link's 2 filters \(nosuch: web; .*\) and its sort, which this dataset does not have\./);
  assert.equal(await page.locator('#filters-toggle').innerText(), 'Filters (1)');
  assert.doesNotMatch(page.url(), /nosuch|range\.source/);
  // Clearing the filters takes the notice away; the whole queue is shown.
  await tabTo(page, '#filter-chips .chip');
  await page.keyboard.press('Enter');
  await positionIs(page, whole);
  assert.equal(await notice.count(), 0);
  // Only unknown filters: the chips row holds just the notice.
  await page.goto(annotateUrl('meta.nosuch=web'));
  await positionIs(page, whole);
  assert.match(await notice.innerText(), /^Not applied: this link's a filter \(nosuch: web\), which this dataset does not have\. The queue below is not narrowed by it\.$/);
  await page.context().close();
});

test('at 390×844: the filter panel, chips, highlighting and the bulk view fit the width and work by keyboard', async () => {
  const phone = { width: 390, height: 844 };
  const page = await annotator('q=task&range.temperature=0.2..0.6', phone);
  const shown = pending((r) => r.temperature >= 0.2 && r.temperature <= 0.6);
  await positionIs(page, `1 of ${shown.length}`);
  await page.waitForSelector('mark.search-hit');
  if (!(await noOverflow(page))) {
    console.log(await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 12).map((el) => `${el.tagName}.${el.className}#${el.id} ${Math.round(el.getBoundingClientRect().right)}`).join('\n')));
  }
  assert.equal(await noOverflow(page), true, 'no horizontal scrolling with chips and a record');
  await page.screenshot({ path: join(SHOTS, 'search-highlight-390.png'), fullPage: true });
  await openFilters(page);
  await page.waitForSelector('fieldset[data-filter="meta.source"] input[value="docs"]');
  assert.equal(await noOverflow(page), true, 'no horizontal scrolling with the panel open');
  await page.screenshot({ path: join(SHOTS, 'filters-panel-390.png'), fullPage: true });
  await tick(page, 'meta.source', 'github');
  await page.keyboard.press('Escape'); // closes without applying
  assert.equal(await page.locator('#filter-panel').isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'filters-toggle', 'focus back on the button');
  await positionIs(page, `1 of ${shown.length}`);
  await tabTo(page, '#bulk-toggle');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.bulk-card');
  assert.equal(await noOverflow(page), true, 'no horizontal scrolling in the bulk view');
  await page.screenshot({ path: join(SHOTS, 'bulk-filters-390.png'), fullPage: true });
  await page.context().close();
});
