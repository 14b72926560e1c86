// Unit tests of the annotation view's filters and sort (ui/js/lib/filters.js): URL ↔ filters ↔
// search body for every kind, bad URL values left out safely, names checked against the settings,
// and the chips' wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fl from '../../../ui/js/lib/filters.js';
import { queueQuery, queueUrl, searchBody } from '../../../ui/js/lib/queue.js';

const SCHEMA = fl.filterSchema(
  [
    { name: 'source', title: 'Source', settings: { type: 'terms', values: null } },
    { name: 'lang', title: 'Language', settings: { type: 'terms', values: ['en', 'fr'] } },
    { name: 'length', title: 'Length', settings: { type: 'integer', min: null, max: null } },
    { name: 'temp', title: 'Temperature', settings: { type: 'float' } },
  ],
  [
    { name: 'quality', title: 'Quality', settings: { type: 'rating', options: [0, 1, 2, 3].map((value) => ({ value })) } },
    { name: 'verdict', title: 'Verdict', settings: { type: 'label_selection', options: [{ value: 'ok', text: 'Correct' }, { value: 'bad', text: 'Incorrect' }] } },
    { name: 'fix', title: 'Fix', settings: { type: 'text' } },
  ],
);

const EVERY_KIND = [
  { kind: 'meta', name: 'source', values: ['web', 'a book, really'] },
  { kind: 'range', name: 'length', ge: 10, le: null },
  { kind: 'range', name: 'temp', ge: 0.25, le: 0.75 },
  { kind: 'suggestion', name: 'quality', values: ['3'] },
  { kind: 'agent', name: 'quality', values: ['judge-v1', 'judge v2'] },
  { kind: 'score', name: 'verdict', ge: null, le: 0.5 },
  { kind: 'response', name: 'verdict', values: ['ok'] },
];

test('every filter kind goes to the URL and back unchanged, values with commas, spaces and = included', () => {
  const params = new URLSearchParams();
  fl.writeFilters(params, EVERY_KIND);
  assert.equal(params.toString().includes('range.length=10..'), true);
  assert.deepEqual(fl.parseFilters(new URLSearchParams(params.toString())), EVERY_KIND);
  // Through the whole view URL too, with the queue's other parameters.
  const q = { status: 'submitted', pos: 4, text: 'café', sort: 'score.quality-desc', filters: EVERY_KIND, record: '', bulk: 0 };
  const url = queueUrl('d1', q, 'submitted', 4);
  assert.deepEqual(queueQuery(new URL(url, 'http://x').searchParams), q);
});

test('the search body: one Argilla filter per kind, after the queue filters', () => {
  const body = searchBody({ status: 'draft', pos: 0, text: '', sort: '', filters: EVERY_KIND, record: '', bulk: 0 });
  assert.deepEqual(body.filters.and, [
    { type: 'terms', scope: { entity: 'response', property: 'status' }, values: ['draft'] },
    { type: 'terms', scope: { entity: 'metadata', metadata_property: 'source' }, values: ['web', 'a book, really'] },
    { type: 'range', scope: { entity: 'metadata', metadata_property: 'length' }, ge: 10 },
    { type: 'range', scope: { entity: 'metadata', metadata_property: 'temp' }, ge: 0.25, le: 0.75 },
    { type: 'terms', scope: { entity: 'suggestion', question: 'quality', property: 'value' }, values: ['3'] },
    { type: 'terms', scope: { entity: 'suggestion', question: 'quality', property: 'agent' }, values: ['judge-v1', 'judge v2'] },
    { type: 'range', scope: { entity: 'suggestion', question: 'verdict', property: 'score' }, le: 0.5 },
    { type: 'terms', scope: { entity: 'response', question: 'verdict' }, values: ['ok'] },
  ]);
});

test('bad URL values are left out, never an error', () => {
  const bad = new URLSearchParams(
    [
      'meta.=x', // no name
      'meta.source=', // no value
      'range.length=abc', // not a range
      'range.length=5..1', // the wrong way round
      'range.length=..', // no bound
      'score.quality=1..x', // not a number
      'score.quality=Infinity..', // not finite
      'bogus.source=web', // unknown kind
      'meta=noequals', // the older form needs name=value
      `meta.source=${'x'.repeat(300)}`, // too long
      'meta.source=web',
      'meta.source=web', // a repeat counts once
      'range.length=..7',
      'range.length=1..2', // a second range for the same property: the first stays
    ].join('&'),
  );
  assert.deepEqual(fl.parseFilters(bad), [
    { kind: 'meta', name: 'source', values: ['web'] },
    { kind: 'range', name: 'length', ge: null, le: 7 },
  ]);
  // Hundreds of parameters do not make hundreds of filters.
  const many = new URLSearchParams(Array.from({ length: 300 }, (_, i) => `meta.p${i}=v`).join('&'));
  assert.equal(fl.parseFilters(many).length, 40);
});

test('names the settings do not hold, or cannot filter that way, are dropped', () => {
  const filters = [
    { kind: 'meta', name: 'source', values: ['web'] },
    { kind: 'meta', name: 'hidden', values: ['x'] }, // not among the caller's properties
    { kind: 'meta', name: 'length', values: ['3'] }, // terms of a numeric property
    { kind: 'range', name: 'lang', ge: 1, le: null }, // a range of a terms property
    { kind: 'suggestion', name: 'fix', values: ['x'] }, // a text question has no values to pick
    { kind: 'response', name: 'nope', values: ['x'] },
    { kind: 'score', name: 'fix', ge: 0.5, le: null }, // any question has a score
    { kind: 'agent', name: 'fix', values: ['m'] },
  ];
  assert.deepEqual(fl.keepKnown(filters, SCHEMA).map((f) => `${f.kind}.${f.name}`), ['meta.source', 'score.fix', 'agent.fix']);
});

test('sort: tokens to bodies and back; older tokens read; unknown names refused by the settings check', () => {
  const cases = [
    ['inserted-asc', [{ scope: { entity: 'record', property: 'inserted_at' }, order: 'asc' }]],
    ['updated-desc', [{ scope: { entity: 'record', property: 'updated_at' }, order: 'desc' }]],
    ['meta.length-desc', [{ scope: { entity: 'metadata', metadata_property: 'length' }, order: 'desc' }]],
    ['score.quality-asc', [{ scope: { entity: 'suggestion', question: 'quality', property: 'score' }, order: 'asc' }]],
  ];
  for (const [token, body] of cases) {
    const sort = fl.parseSort(token);
    assert.equal(fl.sortToken(sort), token);
    assert.deepEqual(fl.sortItems(sort), body);
    assert.equal(fl.sortKnown(sort, SCHEMA), true, token);
  }
  assert.equal(fl.sortToken(fl.parseSort('oldest')), 'inserted-asc');
  assert.equal(fl.sortToken(fl.parseSort('newest')), 'inserted-desc');
  // A name with dashes keeps them; only the last part is the direction.
  assert.deepEqual(fl.parseSort('meta.my-prop-asc'), { on: 'meta', name: 'my-prop', desc: false });
  for (const bad of ['', 'random', 'inserted', 'inserted-up', 'meta.-asc', 'score-desc']) assert.equal(fl.parseSort(bad), null, bad);
  assert.equal(fl.sortItems(null), undefined);
  assert.equal(fl.sortKnown(fl.parseSort('meta.gone-asc'), SCHEMA), false);
  assert.equal(fl.sortKnown(fl.parseSort('score.gone-asc'), SCHEMA), false);
  // The menu offers every property and every question's score, and the default first.
  const tokens = fl.sortChoices(SCHEMA).map(([t]) => t);
  assert.equal(tokens[0], '');
  for (const t of ['meta.source-asc', 'meta.temp-desc', 'score.fix-desc', 'updated-asc']) assert.ok(tokens.includes(t), t);
});

test('chips name each filter with titles and option texts', () => {
  assert.deepEqual(EVERY_KIND.map((f) => fl.describe(f, SCHEMA)), [
    'Source: web or a book, really',
    'Length ≥ 10',
    'Temperature 0.25 – 0.75',
    'Quality suggested: 3',
    'Quality suggested by judge-v1 or judge v2',
    'Verdict suggestion score ≤ 0.5',
    'My Verdict: Correct',
  ]);
});

test('setFilter replaces a filter in place, adds a new one last, and removes an emptied one', () => {
  const a = { kind: 'meta', name: 'source', values: ['web'] };
  const b = { kind: 'range', name: 'length', ge: 1, le: 2 };
  assert.deepEqual(fl.setFilter([a, b], { ...a, values: ['book'] }), [{ ...a, values: ['book'] }, b]);
  assert.deepEqual(fl.setFilter([a], b), [a, b]);
  assert.deepEqual(fl.setFilter([a, b], { ...a, values: [] }), [b]);
  assert.deepEqual(fl.setFilter([a, b], { ...b, ge: null, le: null }), [a]);
  assert.deepEqual(fl.setFilter([], { ...b, ge: null, le: null }), []);
});

test('parseRange: either side may be empty, never both; numbers only; low before high', () => {
  assert.deepEqual(fl.parseRange('1..2'), { ge: 1, le: 2 });
  assert.deepEqual(fl.parseRange('-1.5..'), { ge: -1.5, le: null });
  assert.deepEqual(fl.parseRange('..0'), { ge: null, le: 0 });
  for (const bad of ['1', '..', 'a..b', '2..1', '1..2..3']) assert.equal(fl.parseRange(bad), null, bad);
});
