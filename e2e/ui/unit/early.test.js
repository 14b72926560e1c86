// Unit tests of ui/js/early.js, the classic script that starts the first screen's requests with
// the page: run in a VM context with a stub fetch, it asks for exactly what the annotation view
// asks for (lib/queue.js `searchBody`, the view's page path, lib/markdown.js `markdownTexts`), so
// api.js can take the replies; URLs it cannot know the view's request for start no search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { PAGE, queueQuery, searchBody } from '../../../ui/js/lib/queue.js';
import { markdownTexts } from '../../../ui/js/lib/markdown.js';

const SOURCE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../ui/js/early.js'), 'utf8');
const DS = '0b6f2c1e-5a4b-4c3d-9e8f-123456789abc';
const fields = [
  { name: 'prompt', settings: { type: 'text', use_markdown: true } },
  { name: 'response', settings: { type: 'text', use_markdown: false } },
  { name: 'chat', settings: { type: 'chat', use_markdown: true } },
];
const record = { id: 'r1', fields: { prompt: '## P', response: 'plain', chat: [{ role: 'user', content: 'hi' }, { role: 'bot', content: null }] } };

/**
 * Runs early.js for `path` + `search` with a token; resolves to the requests it made and what it
 * left for api.js once every reply is in.
 * @param {string} search e.g. '?status=draft&page=3' @param {{records?: any[]}} [opts]
 */
async function run(search, { records = [record] } = {}) {
  /** @type {{method: string, path: string, body: string|undefined}[]} */
  const asked = [];
  const reply = (/** @type {any} */ json) => new Response(JSON.stringify(json), { status: 200, headers: { 'Content-Type': 'application/json' } });
  const fetch = async (/** @type {string} */ path, /** @type {any} */ init) => {
    asked.push({ method: init.method, path, body: init.body });
    if (path.endsWith('/fields')) return reply({ items: fields });
    if (path.includes('/records/search')) return reply({ items: records.map((r) => ({ record: r })), total: records.length });
    return reply({ items: [] });
  };
  const window = {};
  const context = vm.createContext({
    window,
    fetch,
    Response,
    URLSearchParams,
    Promise,
    Map,
    JSON,
    Object,
    Array,
    String,
    Number,
    localStorage: { getItem: () => 'tok' },
    location: { pathname: `/datasets/${DS}/annotate`, search },
  });
  vm.runInContext(SOURCE, context);
  const early = /** @type {any} */ (window).__loamEarly;
  // Every reply in (and the markdown asked for after the page's).
  for (const key of [...early.started.keys()]) await early.started.get(key);
  for (const key of [...early.started.keys()]) await early.started.get(key);
  return { asked, early };
}

/** The page request the view makes for `search` (views/annotate.js `fetchPage`). @param {string} search */
function viewsPage(search) {
  const q = queueQuery(new URLSearchParams(search));
  return { path: `/api/v1/me/datasets/${DS}/records/search?include=responses&include=suggestions&offset=${q.pos}&limit=${PAGE}`, body: JSON.stringify(searchBody(q, [])) };
}

test('a plain queue URL: the first page is asked for as the view asks for it', async () => {
  for (const search of ['', '?status=pending&page=1', '?status=draft&page=3', '?page=2', '?status=discarded']) {
    const { asked, early } = await run(search);
    const want = viewsPage(search);
    const page = asked.find((it) => it.path.includes('/records/search'));
    assert.deepEqual(page, { method: 'POST', ...want }, search);
    const taken = await early.started.get(`POST ${want.path}`);
    assert.equal(taken.body, want.body, 'the body is kept for api.js to compare');
  }
});

test('the first record\'s markdown is asked for as lib/markdown.js would', async () => {
  const { asked, early } = await run('');
  const md = asked.find((it) => it.path === '/api/v1/ui/markdown');
  assert.deepEqual(md, { method: 'POST', path: '/api/v1/ui/markdown', body: JSON.stringify({ texts: markdownTexts(fields, record) }) });
  assert.ok(early.started.has('POST /api/v1/ui/markdown'));
  const none = await run('', { records: [{ id: 'r2', fields: { response: 'no markdown' } }] });
  assert.equal(none.asked.filter((it) => it.path === '/api/v1/ui/markdown').length, 0, 'no markdown, no request');
  const empty = await run('', { records: [] });
  assert.equal(empty.asked.filter((it) => it.path === '/api/v1/ui/markdown').length, 0, 'an empty queue, no request');
});

test('a search, sort, filter, record, bulk view or the Returned queue starts no page', async () => {
  for (const search of ['?q=x', '?sort=oldest', '?status=returned', '?record=r1', '?view=bulk', '?status=pending&page=0', '?status=nope', '?meta.lang=en']) {
    const { asked } = await run(search);
    assert.equal(asked.filter((it) => it.method === 'POST').length, 0, search);
    assert.equal(asked.length, 8, `${search}: the settings (pairwise ones included) are asked for all the same`);
  }
});
