// UI timings on a big dataset, as ratios against the raw API measured in the same run and the same
// browser (bench/README.md, "UI"). Not a test: nothing here asserts a time.
//
//   node bench/ui.mjs --url URL --api-key OWNER_KEY [--records 10000] [--moves 200] [--loads 10]
//                     [--read-ms 50] [--json-out FILE]
//                     [--baseline-url URL --baseline-api-key KEY --baseline-json-out FILE]
//
// With a baseline server, both are measured in one run, interleaved: the same dataset on each, then
// every round trip, cold load, repeat load and move alternates between them (which goes first
// alternates too), so a machine whose load changes during the run slows both alike and the ratios
// hold. Each server's figures go to its own JSON file (bench/ui-compare.mjs prints them side by side).
//
// Also counts what a first (cold) load and a repeat load fetch: bytes on the wire, body bytes as
// sent and decoded (the difference is what compression saves), and requests that reached the server.
//
// Env: CHROMIUM (default /usr/bin/chromium). playwright-core comes from e2e/ui/node_modules
// (bench/run-ui.sh runs `npm ci` there first).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = await import(pathToFileURL(join(REPO, 'e2e/ui/node_modules/playwright-core/index.mjs')).href);
const { timeNextRecord } = await import(pathToFileURL(join(REPO, 'e2e/ui/lib/next-record.js')).href);

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'api-key': { type: 'string' },
    records: { type: 'string', default: '10000' },
    moves: { type: 'string', default: '200' },
    loads: { type: 'string', default: '10' },
    'read-ms': { type: 'string', default: '50' },
    'json-out': { type: 'string' },
    'baseline-url': { type: 'string' },
    'baseline-api-key': { type: 'string' },
    'baseline-json-out': { type: 'string' },
  },
});
if (!args.url || !args['api-key']) throw new Error('--url and --api-key are required');
if (!!args['baseline-url'] !== !!args['baseline-api-key']) throw new Error('--baseline-url and --baseline-api-key go together');
const N_RECORDS = Number(args.records);
const N_MOVES = Number(args.moves);
const N_LOADS = Number(args.loads);
const READ_MS = Number(args['read-ms']);
const PAGE = 50; // the annotation view's page size (ui/js/views/annotate.js)

/** The q-quantile (0 < q < 1), nearest rank, as every bench script reports it. */
const percentile = (values, q) => {
  const ordered = [...values].sort((a, b) => a - b);
  return ordered[Math.min(ordered.length - 1, Math.floor(q * ordered.length))];
};
const stats = (values) => ({ p50_ms: +percentile(values, 0.5).toFixed(2), p95_ms: +percentile(values, 0.95).toFixed(2), n: values.length });

async function api(target, method, path, body) {
  const res = await fetch(target.url + path, {
    method,
    headers: { 'X-Argilla-Api-Key': target.key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

// ---- setup (not timed) ---------------------------------------------------------------------------
const words = 'the a model answer prompt data record label quality good bad token train eval loss code python rust query index'.split(' ');

/** The same dataset and annotator on `target`; what the measurements need of them. */
async function setup(target) {
  const stamp = `${Date.now()}`;
  const ws = await api(target, 'POST', '/api/v1/workspaces', { name: `bench-ui-${stamp}` });
  const ds = await api(target, 'POST', '/api/v1/datasets', { name: `bench-ui-${stamp}`, workspace_id: ws.id, guidelines: 'Pick one.' });
  const post = (path, body) => api(target, 'POST', `/api/v1/datasets/${ds.id}/${path}`, body);
  await post('fields', { name: 'prompt', title: 'Prompt', required: true, settings: { type: 'text', use_markdown: true } });
  await post('fields', { name: 'response', title: 'Response', required: true, settings: { type: 'text', use_markdown: false } });
  const opts = (...v) => v.map((value) => ({ value, text: value }));
  await post('questions', { name: 'quality', title: 'Quality', required: true, settings: { type: 'label_selection', options: opts('good', 'bad', 'unsure') } });
  await post('questions', { name: 'score', title: 'Score', required: false, settings: { type: 'rating', options: [1, 2, 3, 4, 5].map((value) => ({ value })) } });
  await post('questions', { name: 'notes', title: 'Notes', required: false, settings: { type: 'text', use_markdown: true } });
  await api(target, 'PUT', `/api/v1/datasets/${ds.id}/publish`);
  let seed = 42; // the same records on every server
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const text = (n) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
  const setupStart = performance.now();
  for (let at = 0; at < N_RECORDS; at += 500) {
    const items = Array.from({ length: Math.min(500, N_RECORDS - at) }, (_, i) => ({
      fields: { prompt: `## Task ${at + i}\n\n${text(30)} **${text(3)}**\n\n\`\`\`python\nprint(${at + i})\n\`\`\``, response: text(80) },
    }));
    await post('records/bulk', { items });
  }
  const password = `bench-ui-${stamp}-pw`;
  const annotator = await api(target, 'POST', '/api/v1/users', { username: `bench-ui-${stamp}`, first_name: 'Bench', role: 'annotator', password });
  await api(target, 'POST', `/api/v1/workspaces/${ws.id}/users`, { user_id: annotator.id });
  const tokenRes = await fetch(`${target.url}/api/v1/token`, { method: 'POST', body: new URLSearchParams({ username: annotator.username, password }) });
  const { access_token: token } = await tokenRes.json();
  console.error(`# setup (${target.name}): ${N_RECORDS} records in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);
  return {
    ...target,
    token,
    annotateUrl: `${target.url}/datasets/${ds.id}/annotate`,
    searchPath: (offset, limit) => `/api/v1/me/datasets/${ds.id}/records/search?include=responses&include=suggestions&offset=${offset}&limit=${limit}`,
  };
}

const targets = [];
if (args['baseline-url']) targets.push({ name: 'baseline', url: args['baseline-url'], key: args['baseline-api-key'], out: args['baseline-json-out'] });
targets.push({ name: targets.length ? 'candidate' : 'loam', url: args.url, key: args['api-key'], out: args['json-out'] });
const servers = [];
for (const t of targets) servers.push(await setup(t));
/** Runs `f` on every server, the one that goes first alternating with `round`. */
async function eachServer(round, f) {
  const order = round % 2 ? [...servers].reverse() : servers;
  for (const s of order) await f(s);
}

// ---- the browser ---------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: false,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
/** A context signed in as the server's annotator (the token the sign-in page would store). */
async function context(server) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await ctx.addInitScript((t) => {
    localStorage.setItem('loam.token', t);
    // When the first record and its form are on screen: the annotation view's "first paint".
    /** @type {any} */ (window).__firstRecordAt = null;
    const obs = new MutationObserver(() => {
      const pos = document.getElementById('position');
      if (pos && /^1 of \d+/.test(pos.textContent || '') && document.querySelector('.question')) {
        /** @type {any} */ (window).__firstRecordAt = performance.now();
        obs.disconnect();
      }
    });
    obs.observe(document, { subtree: true, childList: true, characterData: true });
  }, server.token);
  return ctx;
}
const pendingBody = {
  filters: {
    type: 'and',
    and: [
      { type: 'terms', scope: { entity: 'response', property: 'status' }, values: ['pending'] },
      { type: 'terms', scope: { entity: 'record', property: 'status' }, values: ['pending'] },
    ],
  },
};

// Baselines, from inside the same browser: the raw API round trip for the page of records the
// view opens with (limit 50), and for one record (what a view without a page in hand would need
// for every move).
for (const s of servers) {
  s.results = { firstPaint: [], fcp: [], repeatPaint: [], next: [], apiPage: [], apiOne: [], coldBytes: null, repeatBytes: null };
  s.baseCtx = await context(s);
  s.basePage = await s.baseCtx.newPage();
  await s.basePage.goto(`${s.url}/favicon.svg`);
}
const roundTrip = (s, path) =>
  s.basePage.evaluate(
    async ({ path, body, t }) => {
      const t0 = performance.now();
      const res = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      await res.json();
      return performance.now() - t0;
    },
    { path, body: pendingBody, t: s.token },
  );
for (let i = 0; i < 3; i++) await eachServer(i, (s) => roundTrip(s, s.searchPath(0, PAGE))); // warm-up
for (let i = 0; i < Math.max(N_LOADS, 20); i++) await eachServer(i, async (s) => s.results.apiPage.push(await roundTrip(s, s.searchPath(0, PAGE))));
for (let i = 0; i < N_MOVES; i++) await eachServer(i, async (s) => s.results.apiOne.push(await roundTrip(s, s.searchPath(i + 1, 1))));
for (const s of servers) await s.baseCtx.close();

// What a load fetched, from the Resource Timing entries (the document and every file and API
// answer it asked for until the first record was on screen): bytes on the wire (headers
// included), body bytes as sent (compressed), body bytes once decoded (what an uncompressed
// answer would have sent), and the requests that reached the server (a file served from the
// browser's cache without asking costs none; a revalidated one still costs a round trip).
const loadBytes = (page) =>
  page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const sum = (key) => entries.reduce((n, e) => n + (/** @type {any} */ (e)[key] || 0), 0);
    return {
      requests: entries.length,
      to_server: entries.filter((e) => /** @type {any} */ (e).transferSize > 0).length,
      transfer: sum('transferSize'),
      encoded_body: sum('encodedBodySize'),
      decoded_body: sum('decodedBodySize'),
    };
  });
const firstRecord = (page) => page.waitForFunction(() => /** @type {any} */ (window).__firstRecordAt !== null, null, { timeout: 60_000 });

// First paint of the annotation view: a cold load (fresh context, empty cache) each time, then a
// repeat load in the same context (the browser's cache warm, as for a person opening the view
// again the next morning).
for (let i = 0; i < N_LOADS + 1; i++) {
  await eachServer(i, async (s) => {
    const r = s.results;
    const ctx = await context(s);
    const page = await ctx.newPage();
    await page.goto(s.annotateUrl);
    await firstRecord(page);
    const [at, paint] = await page.evaluate(() => [/** @type {any} */ (window).__firstRecordAt, performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null]);
    if (i > 0) {
      // The first load warms the server's caches; it is not counted.
      r.firstPaint.push(at);
      if (paint !== null) r.fcp.push(paint);
      r.coldBytes = await loadBytes(page);
      await page.goto('about:blank');
      await page.goto(s.annotateUrl);
      await firstRecord(page);
      r.repeatPaint.push(await page.evaluate(() => /** @type {any} */ (window).__firstRecordAt));
      r.repeatBytes = await loadBytes(page);
    }
    await ctx.close();
  });
}

// Next record: N_MOVES presses of →, each timed from the key press until the new record is on
// screen (the frame after the position changed), with READ_MS of "reading" between moves.
for (const s of servers) {
  s.ctx = await context(s);
  s.page = await s.ctx.newPage();
  await s.page.goto(s.annotateUrl);
  await firstRecord(s.page);
}
for (let i = 0; i < N_MOVES; i++) {
  await eachServer(i, async (s) => s.results.next.push(await timeNextRecord(s.page)));
  if (READ_MS) await new Promise((resolve) => setTimeout(resolve, READ_MS));
}
for (const s of servers) {
  s.position = await s.page.locator('#position').innerText();
  await s.ctx.close();
}
await browser.close();

const line = (label, s) => `${label.padEnd(34)} p50 ${s.p50_ms.toFixed(1).padStart(7)} ms   p95 ${s.p95_ms.toFixed(1).padStart(7)} ms   (n=${s.n})`;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const s of servers) {
  const { firstPaint, fcp, repeatPaint, next, apiPage, apiOne, coldBytes, repeatBytes } = s.results;
  const res = {
    records: N_RECORDS,
    interleaved_with: servers.length > 1 ? servers.filter((o) => o !== s).map((o) => o.name) : [],
    loads: firstPaint.length,
    moves: next.length,
    read_ms: READ_MS,
    first_paint: stats(firstPaint),
    first_contentful_paint: fcp.length ? stats(fcp) : null,
    repeat_load_paint: stats(repeatPaint),
    first_load_bytes: coldBytes,
    repeat_load_bytes: repeatBytes,
    api_page_round_trip: stats(apiPage),
    next_record: stats(next),
    api_one_record_round_trip: stats(apiOne),
    ratios: {
      first_paint_p50_over_api_page_p50: +(percentile(firstPaint, 0.5) / percentile(apiPage, 0.5)).toFixed(2),
      first_paint_p95_over_api_page_p50: +(percentile(firstPaint, 0.95) / percentile(apiPage, 0.5)).toFixed(2),
      next_record_p50_over_api_one_p50: +(percentile(next, 0.5) / percentile(apiOne, 0.5)).toFixed(2),
      next_record_p95_over_api_one_p50: +(percentile(next, 0.95) / percentile(apiOne, 0.5)).toFixed(2),
    },
    final_position: s.position,
  };
  console.log(`== ${s.name}: ${s.url}`);
  console.log(line('first paint, annotation view', res.first_paint));
  if (res.first_contentful_paint) console.log(line('first contentful paint', res.first_contentful_paint));
  console.log(line('first paint, repeat load (cache warm)', res.repeat_load_paint));
  for (const [label, b] of [['bytes on first load', coldBytes], ['bytes on a repeat load', repeatBytes]]) {
    console.log(`${label.padEnd(34)} ${kb(b.transfer)} on the wire (bodies ${kb(b.encoded_body)} as sent, ${kb(b.decoded_body)} decoded), ${b.to_server} of ${b.requests} requests reached the server`);
  }
  console.log(line(`baseline: API page of ${PAGE} records`, res.api_page_round_trip));
  console.log(line('next record (→)', res.next_record));
  console.log(line('baseline: API one record', res.api_one_record_round_trip));
  console.log(`ratio first paint / API page       p50 ${res.ratios.first_paint_p50_over_api_page_p50}x   p95 ${res.ratios.first_paint_p95_over_api_page_p50}x`);
  console.log(`ratio next record / API one record p50 ${res.ratios.next_record_p50_over_api_one_p50}x   p95 ${res.ratios.next_record_p95_over_api_one_p50}x`);
  console.log(JSON.stringify(res));
  if (s.out) writeFileSync(s.out, JSON.stringify(res, null, 2) + '\n');
}
