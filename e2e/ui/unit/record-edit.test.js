// Unit tests of the record edit of owners and admins (ui/js/lib/record-edit.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editableFields, editBody, historyLine, metadataInput, metadataValue } from '../../../ui/js/lib/record-edit.js';

const props = [
  { name: 'source', settings: { type: 'terms' } },
  { name: 'n', settings: { type: 'integer' } },
  { name: 'score', settings: { type: 'float' } },
];

test('text fields are the ones edited', () => {
  const fields = [{ name: 'text', settings: { type: 'text' } }, { name: 'img', settings: { type: 'image' } }];
  assert.deepEqual(editableFields(fields).map((f) => f.name), ['text']);
});

test('metadata inputs are read as their property type; empty removes', () => {
  assert.equal(metadataValue(props[0], 'web'), 'web');
  assert.equal(metadataValue(props[1], ' 12 '), 12);
  assert.equal(metadataValue(props[2], '0.5'), 0.5);
  assert.equal(metadataValue(props[1], ''), undefined);
  assert.throws(() => metadataValue(props[1], '1.5'), /n: enter a whole number/);
  assert.throws(() => metadataValue(props[2], 'abc'), /score: enter a number/);
  assert.equal(metadataInput(3), '3');
  assert.equal(metadataInput(undefined), '');
});

test('the PATCH body keeps other fields and metadata keys, applies the edits', () => {
  const record = { fields: { text: 'old', title: 't' }, metadata: { source: 'a', n: 1, extra: true } };
  const body = editBody(record, { text: 'new' }, props, { source: 'b', n: '', score: '2' });
  assert.deepEqual(body, { fields: { text: 'new', title: 't' }, metadata: { source: 'b', extra: true, score: 2 } });
  assert.deepEqual(record.fields.text, 'old', 'the record itself is unchanged until the server answers');
  assert.deepEqual(editBody(record, { text: '' }, props, {}).fields, { text: null, title: 't' }, 'an emptied text is no value');
});

test('history lines say what changed, from what to what, by whom', () => {
  assert.equal(historyLine({ kind: 'field', name: 'text', previous: 'a', value: 'b', changed_by: { username: 'owner' } }), 'Field text: “a” → “b” by owner');
  assert.equal(historyLine({ kind: 'metadata', name: 'n', previous: null, value: 2, changed_by: null }), 'Metadata n: (none) → 2');
});
