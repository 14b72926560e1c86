// Unit tests of the Import panel's rules (ui/js/lib/import-map.js): formats from names, the
// targets a dataset offers, a resolved mapping as choices and the choices back as a mapping the
// server reads the same way, and the report's summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as im from '../../../ui/js/lib/import-map.js';

const settings = {
  fields: [{ name: 'text', title: 'Text' }],
  questions: [{ name: 'label', title: 'Label' }],
  metadata: [{ name: 'n', title: 'N' }],
  vectors: [{ name: 'emb', title: 'Emb' }],
};

test('the format comes from the extension', () => {
  assert.equal(im.formatOf('rows.JSONL'), 'jsonl');
  assert.equal(im.formatOf('a.b.ndjson'), 'jsonl');
  assert.equal(im.formatOf('x.csv'), 'csv');
  assert.equal(im.formatOf('x.parquet'), 'parquet');
  assert.equal(im.formatOf('x.txt'), null);
  assert.equal(im.previewBytes('parquet', 5e9), 5e9);
  assert.equal(im.previewBytes('csv', 5e9), 1 << 20);
  assert.equal(im.previewBytes('jsonl', 10), 10);
});

test('every setting is a target, the suggestion in three parts', () => {
  const keys = im.targetsOf(settings).map((t) => t.key);
  assert.deepEqual(keys, ['fields.text', 'metadata.n', 'suggestions.label.value', 'suggestions.label.score', 'suggestions.label.agent', 'vectors.emb', 'external_id']);
});

test('a resolved mapping as choices, and back', () => {
  const resolved = {
    fields: { text: 'body' },
    metadata: { n: 'count' },
    suggestions: { label: { value: 'pred', score: 'conf', agent: 'gpt' } },
    external_id: 'id',
    vectors: { emb: 'e' },
  };
  const { columns, agents } = im.choicesFrom(resolved);
  assert.deepEqual(columns, { 'fields.text': 'body', 'metadata.n': 'count', 'vectors.emb': 'e', 'suggestions.label.value': 'pred', 'suggestions.label.score': 'conf', external_id: 'id' });
  assert.deepEqual(agents, { label: 'gpt' });
  assert.deepEqual(im.mappingOf(columns, agents), resolved);
  // An agent column wins over a literal; a suggestion without its value is left out; nothing chosen is null or empty.
  assert.deepEqual(im.mappingOf({ 'suggestions.label.agent': 'who', 'suggestions.label.value': 'p' }, { label: 'x' }).suggestions, { label: { agent_column: 'who', value: 'p' } });
  assert.deepEqual(im.mappingOf({ 'suggestions.label.score': 's', 'fields.text': '' }), { fields: {}, metadata: {}, suggestions: {}, vectors: {}, external_id: null });
  assert.deepEqual(im.choicesFrom(null), { columns: {}, agents: {} });
});

test('the report in words', () => {
  assert.equal(im.summary({ rows_read: 1200, imported: 1199, failed: 1 }), 'Read 1,200 rows: 1,199 imported, 1 failed.');
  assert.equal(im.summary({ rows_read: 1, imported: 0, failed: 1, stopped: 'corrupt' }), 'Read 1 row: 0 imported, 1 failed. Stopped early: corrupt');
  assert.equal(im.placeOf({ row: 3, line: 4 }), 'line 4');
  assert.equal(im.placeOf({ row: 3 }), 'row 3');
});
