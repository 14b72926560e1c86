// Unit tests of records' markdown (ui/js/lib/markdown.js): which texts, in what order, and the
// cache asking the renderer once per record, or once for many records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarkdownCache, markdownIndex, markdownTexts } from '../../../ui/js/lib/markdown.js';

const fields = [
  { name: 'plain', settings: { type: 'text', use_markdown: false } },
  { name: 'chat', settings: { type: 'chat', use_markdown: true } },
  { name: 'prompt', settings: { type: 'text', use_markdown: true } },
  { name: 'picture', settings: { type: 'image' } },
  { name: 'answer', settings: { type: 'text', use_markdown: true } },
];
const record = (id, f) => ({ id, fields: f });
const r1 = record('r1', { plain: 'no', chat: [{ role: 'user', content: 'hi' }, { role: 'bot', content: null }], prompt: '*p*', answer: '**a**' });
const r2 = record('r2', { plain: 'no', prompt: 'only' });
const r3 = record('r3', { plain: 'no markdown at all' });

test('markdown texts: markdown fields only, chat turns in place, in field order', () => {
  assert.deepEqual(markdownTexts(fields, r1), ['hi', '', '*p*', '**a**']);
  assert.deepEqual(markdownTexts(fields, r2), ['only']);
  assert.deepEqual(markdownTexts(fields, r3), []);
  assert.equal(markdownIndex(fields, r1, 'prompt'), 2);
  assert.equal(markdownIndex(fields, r1, 'answer'), 3);
  assert.equal(markdownIndex(fields, r2, 'answer'), 1, 'a missing chat takes no place');
});

test('the cache asks once per record, never for a record without markdown, and once for many', async () => {
  const asked = [];
  const cache = new MarkdownCache(fields, async (texts) => {
    asked.push(texts);
    return texts.map((t) => `<p>${t}</p>`);
  });
  assert.deepEqual(await cache.forRecord(r2), ['<p>only</p>']);
  assert.deepEqual(await cache.forRecord(r2), ['<p>only</p>']);
  assert.deepEqual(await cache.forRecord(r3), []);
  assert.deepEqual(asked, [['only']]);
  assert.equal(cache.missing(r1), true);
  assert.equal(cache.missing(r2), false);
  assert.equal(cache.missing(record('r4', { plain: 'x' })), false);
  await cache.forMany([r1, r2, record('r5', { prompt: 'five' })]);
  assert.deepEqual(asked[1], ['hi', '', '*p*', '**a**', 'five'], 'one request for the records not cached');
  assert.deepEqual(cache.get('r1'), ['<p>hi</p>', '<p></p>', '<p>*p*</p>', '<p>**a**</p>']);
  assert.deepEqual(cache.get('r5'), ['<p>five</p>']);
  await cache.forMany([r1, r2]);
  assert.equal(asked.length, 2, 'all cached: no request');
});

test('a record being asked for is not asked for again, alone or with others', async () => {
  const asked = [];
  /** @type {(v: string[]) => void} */
  let answer = () => {};
  const cache = new MarkdownCache(fields, (texts) => {
    asked.push(texts);
    return new Promise((resolve) => (answer = resolve));
  });
  const many = cache.forMany([r1, r2, r3]);
  assert.equal(cache.missing(r1), false, 'being asked for');
  const one = cache.forRecord(r2);
  const again = cache.forMany([r2, r1]);
  assert.equal(asked.length, 1, 'one request');
  answer(['<p>hi</p>', '', '<p>p</p>', '<p>a</p>', '<p>only</p>']);
  await many;
  assert.deepEqual(await one, ['<p>only</p>']);
  await again;
  assert.deepEqual(cache.get('r1'), ['<p>hi</p>', '', '<p>p</p>', '<p>a</p>']);
  assert.deepEqual(cache.get('r3'), []);
  assert.equal(asked.length, 1);
});

test('a failed request leaves the records to be asked for again', async () => {
  let fail = true;
  const cache = new MarkdownCache(fields, async (texts) => {
    if (fail) throw new Error('offline');
    return texts.map((t) => `<p>${t}</p>`);
  });
  await assert.rejects(cache.forRecord(r2));
  assert.equal(cache.missing(r2), true);
  fail = false;
  assert.deepEqual(await cache.forRecord(r2), ['<p>only</p>']);
});
