// loam's web UI in a real headless browser, part 15: what keeps the first screen and a move to the
// next record fast (issue 19's last line; bench/run-ui.sh measures it). A cold load of the
// annotation view asks for one module file (the embedded js/app.js, served as a bundle of the
// first screen's modules) besides js/early.js, which asks for the queue's first page and its first
// record's markdown with the page; the view takes those replies and asks for neither again. A
// move shows the next record, then leases it, updates the URL and prefetches markdown. Another
// screen, loaded lazily, shares the bundle's modules (one signed-in user, one API client). Runs
// after ui-1…ui-14 against the same server but relies on nothing they leave (its own workspace,
// user and dataset, removed again at the end: the files after it count Tabs over every dataset
// and user).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { URL, apiCall, setUp, signedIn, tearDown, user } from '../lib/loam-ui.js';

/** @type {{ws: any, annotator: any, ds: any, idOf: Record<string, string>}} `idOf`: the records' ids by their task's number */
let D;

before(async () => {
  await setUp();
  const ws = await apiCall('POST', '/api/v1/workspaces', { name: 'speed-e2e' });
  const annotator = await user('speed1', 'annotator', [ws.id]);
  const ds = await apiCall('POST', '/api/v1/datasets', { name: 'speed-first', workspace_id: ws.id });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'prompt', title: 'Prompt', required: true, settings: { type: 'text', use_markdown: true } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/fields`, { name: 'plain', title: 'Plain', required: true, settings: { type: 'text' } });
  await apiCall('POST', `/api/v1/datasets/${ds.id}/questions`, { name: 'label', title: 'Label', required: true, settings: { type: 'label_selection', options: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] } });
  await apiCall('PUT', `/api/v1/datasets/${ds.id}/publish`);
  const items = Array.from({ length: 12 }, (_, i) => ({ external_id: `s${i}`, fields: { prompt: `## Task ${i}\n\n**bold ${i}**`, plain: `plain ${i}` } }));
  await apiCall('POST', `/api/v1/datasets/${ds.id}/records/bulk`, { items });
  const records = (await apiCall('GET', `/api/v1/datasets/${ds.id}/records?limit=20`)).items;
  D = { ws, annotator, ds, idOf: Object.fromEntries(records.map((/** @type {any} */ r) => [/Task (\d+)/.exec(r.fields.prompt)?.[1], r.id])) };
});
after(async () => {
  await apiCall('DELETE', `/api/v1/datasets/${D.ds.id}`);
  await apiCall('DELETE', `/api/v1/users/${D.annotator.id}`);
  await apiCall('DELETE', `/api/v1/workspaces/${D.ws.id}`);
  await tearDown();
});

/**
 * Every request a page makes, as "METHOD path" (the version of /assets/ URLs left out; the query
 * kept for API calls). @param {import('playwright-core').Page} page
 */
function recordRequests(page) {
  /** @type {string[]} */
  const asked = [];
  page.on('request', (req) => {
    const url = new globalThis.URL(req.url());
    const path = url.pathname.replace(/^\/assets\/[0-9a-f]+\//, '/');
    asked.push(`${req.method()} ${path}${path.startsWith('/api/') ? url.search : ''}`);
  });
  return asked;
}

test('a cold load asks for one module file, and for the first page and its markdown once, with the page', async () => {
  const page = await signedIn('speed1');
  const asked = recordRequests(page);
  await page.goto(`${URL}/datasets/${D.ds.id}/annotate`);
  await page.waitForSelector('#position:has-text("1 of 12")');
  await page.waitForSelector('[data-field="prompt"] .markdown h2');
  const scripts = asked.filter((it) => it.startsWith('GET /js/'));
  assert.deepEqual(scripts.sort(), ['GET /js/app.js', 'GET /js/early.js'], asked.join('\n'));
  const firstPage = `POST /api/v1/me/datasets/${D.ds.id}/records/search?include=responses&include=suggestions&offset=0&limit=50`;
  assert.equal(asked.filter((it) => it === firstPage).length, 1, asked.join('\n'));
  // early.js asked for them; the view took every reply and asked for none again.
  assert.deepEqual(await page.evaluate(() => [.../** @type {any} */ (window).__loamEarly.started.keys()]), []);
  const markdown = asked.indexOf('POST /api/v1/ui/markdown');
  assert.ok(markdown >= 0 && markdown < asked.findIndex((it) => it.startsWith('PUT /api/v1/me/records/')), 'the first markdown before the lease, which waits for the frame');
  assert.match(await page.locator('[data-field="prompt"] .markdown h2').innerText(), /^Task \d+$/);
  // The focused answer is the first question's first option, not a text entry.
  assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-question]')?.getAttribute('data-question')), 'label');
  await page.context().close();
});

test('a move shows the next record, then leases it, updates the URL and prefetches markdown', async () => {
  const page = await signedIn('speed1');
  const asked = recordRequests(page);
  await page.goto(`${URL}/datasets/${D.ds.id}/annotate`);
  await page.waitForSelector('#position:has-text("1 of 12")');
  await page.waitForFunction(() => location.search.includes('page=1'));
  const leases = () => asked.filter((it) => /^PUT \/api\/v1\/me\/records\/[^/]+\/lease$/.test(it));
  /** The ids of the records shown, in order. */
  const shown = [];
  const task = async () => D.idOf[/Task (\d+)/.exec(await page.locator('[data-field="prompt"] .markdown h2').innerText())?.[1] || ''];
  shown.push(await task());
  for (let i = 2; i <= 7; i++) {
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`#position:has-text("${i} of 12")`);
    await page.waitForFunction((n) => location.search.includes(`page=${n}`), i);
    const id = await task();
    assert.ok(id && !shown.includes(id), `record ${i} is another record with its markdown`);
    shown.push(id);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-question]')?.getAttribute('data-question')), 'label', `record ${i}: focus on its first question`);
  }
  // Every record shown was leased, the last one last.
  for (let t = 0; t < 50 && !leases().at(-1)?.includes(shown[6]); t++) await page.waitForTimeout(100);
  assert.deepEqual(leases(), shown.map((id) => `PUT /api/v1/me/records/${id}/lease`));
  // Markdown is prefetched for several records at once: fewer requests than records shown.
  const markdown = asked.filter((it) => it === 'POST /api/v1/ui/markdown').length;
  assert.ok(markdown <= 4, `${markdown} markdown requests for 7 records`);
  await page.context().close();
});

test('another screen, loaded lazily, shares the bundle\'s modules: one API client, one signed-in user', async () => {
  const page = await signedIn('speed1');
  const asked = recordRequests(page);
  await page.goto(`${URL}/datasets/${D.ds.id}/annotate`);
  await page.waitForSelector('#position:has-text("1 of 12")');
  // The token goes bad: the home view, loaded with import(), gets a 401, and the sign-in listener
  // that app.js registered on the one api.js sends the page to the sign-in form.
  await page.evaluate(() => localStorage.setItem('loam.token', 'not-a-token'));
  await page.click('a.brand');
  await page.waitForURL(/\/signin/);
  assert.ok(asked.includes('GET /js/views/home.js'), 'the home view is a file of its own');
  assert.equal(asked.filter((it) => it === 'GET /api/v1/me').length, 1, 'the user was loaded once: session.js is shared');
  await page.context().close();
});
