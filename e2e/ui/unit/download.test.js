// Unit tests of the export panel's pure parts (ui/js/lib/download.js): the request body from the
// panel's choices and the file name from Content-Disposition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dl from '../../../ui/js/lib/download.js';

const choice = (extra = {}) => ({ shape: 'dpo', format: 'jsonl', layout: 'standard', below: 'skip', mapping: '', inferred: null, ...extra });

test('the body: shape and format; layout only when not standard; the mapping only when changed', () => {
  assert.deepEqual(dl.exportBody(choice()), { body: { shape: 'dpo', format: 'jsonl', below_min_submitted: 'skip' } });
  assert.deepEqual(dl.exportBody(choice({ layout: 'conversational', below: 'flag' })), {
    body: { shape: 'dpo', format: 'jsonl', layout: 'conversational', below_min_submitted: 'flag' },
  });
  const inferred = '{\n  "prompt": "prompt"\n}';
  // Left as the server inferred it: not sent, the server infers it again.
  assert.deepEqual(dl.exportBody(choice({ mapping: inferred, inferred })).body?.mapping, undefined);
  assert.deepEqual(dl.exportBody(choice({ mapping: '{"prompt": "body"}', inferred })).body?.mapping, { prompt: 'body' });
});

test('the body: a mapping that is no JSON object is refused here, naming why', () => {
  assert.match(dl.exportBody(choice({ mapping: '{prompt: body}' })).error ?? '', /^The mapping is not JSON: /);
  assert.equal(dl.exportBody(choice({ mapping: '[1, 2]' })).error, 'The mapping must be a JSON object');
  assert.equal(dl.exportBody(choice({ mapping: 'null' })).error, 'The mapping must be a JSON object');
});

test('the file name: filename* first, then quoted or bare filename, folders and control characters dropped', () => {
  assert.equal(dl.filenameFrom('attachment; filename="reviews-dpo.jsonl"', 'x'), 'reviews-dpo.jsonl');
  assert.equal(dl.filenameFrom('attachment; filename=plain.csv', 'x'), 'plain.csv');
  assert.equal(dl.filenameFrom(`attachment; filename="fallback.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20x.parquet`, 'x'), 'résumé x.parquet');
  assert.equal(dl.filenameFrom('attachment; filename="a \\"quoted\\" name.jsonl"', 'x'), 'a "quoted" name.jsonl');
  assert.equal(dl.filenameFrom('attachment; filename="../../etc/passwd"', 'x'), 'passwd');
  assert.equal(dl.filenameFrom('attachment; filename="C:\\\\temp\\\\evil.csv"', 'x'), 'evil.csv');
  assert.equal(dl.filenameFrom('attachment; filename="a\u0007b.csv"', 'x'), 'ab.csv');
  assert.equal(dl.filenameFrom("attachment; filename*=UTF-8''%E0%A4%A", 'bad.jsonl'), 'bad.jsonl');
  assert.equal(dl.filenameFrom('attachment; filename=".."', 'fb.jsonl'), 'fb.jsonl');
  assert.equal(dl.filenameFrom('attachment', 'fb.jsonl'), 'fb.jsonl');
  assert.equal(dl.filenameFrom(null, 'fb.jsonl'), 'fb.jsonl');
});

test('the fallback name: the dataset, the shape and the format', () => {
  assert.equal(dl.defaultFilename('my reviews/2', 'sft', 'jsonl'), 'my-reviews-2-sft.jsonl');
  assert.equal(dl.defaultFilename('***', 'records', 'hf'), 'dataset-records.tar');
});
