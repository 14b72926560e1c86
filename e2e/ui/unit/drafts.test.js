// Unit tests of draft handling (ui/js/lib/drafts.js): debounce, one save at a time, retries
// that never drop a change, and the local backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock } from './lib/clock.js';
import { Autosaver, keepBackup, readBackup, dropBackup, retryDelay } from '../../../ui/js/lib/drafts.js';

test('changes are debounced into one save of the newest state', async () => {
  const c = clock();
  const saved = [];
  const statuses = [];
  const s = new Autosaver({ save: async (p) => { saved.push(p); }, delayMs: 1000, setTimer: c.setTimer, clearTimer: c.clearTimer, onStatus: (st) => statuses.push(st) });
  s.changed({ v: 1 });
  s.changed({ v: 2 });
  assert.deepEqual(c.pending(), [1000], 'one timer');
  await c.fire();
  await s.flush();
  assert.deepEqual(saved, [{ v: 2 }]);
  assert.equal(s.status, 'saved');
  assert.deepEqual(statuses, ['pending', 'pending', 'saving', 'saved']);
});

test('a failed save is retried with backoff and a newer change wins', async () => {
  const c = clock();
  const saved = [];
  let fail = 2;
  const s = new Autosaver({
    save: async (p) => { if (fail-- > 0) throw new TypeError('Failed to fetch'); saved.push(p); },
    delayMs: 10, setTimer: c.setTimer, clearTimer: c.clearTimer,
  });
  s.changed({ v: 1 });
  await c.fire();
  assert.equal(s.status, 'retrying');
  assert.deepEqual(c.pending(), [retryDelay(1)]);
  s.changed({ v: 2 });
  assert.equal(s.status, 'retrying', 'still says it is retrying');
  await c.fire();
  assert.equal(s.status, 'retrying');
  assert.deepEqual(c.pending(), [retryDelay(2)]);
  await c.fire();
  assert.deepEqual(saved, [{ v: 2 }], 'the newest change, once');
  assert.equal(s.status, 'saved');
});

test('cancel drops the pending change; flush saves at once', async () => {
  const c = clock();
  const saved = [];
  const s = new Autosaver({ save: async (p) => { saved.push(p); }, setTimer: c.setTimer, clearTimer: c.clearTimer });
  s.changed({ v: 1 });
  s.cancel();
  assert.deepEqual(c.pending(), []);
  await s.flush();
  assert.deepEqual(saved, []);
  s.changed({ v: 3 });
  await s.flush();
  assert.deepEqual(saved, [{ v: 3 }]);
});

test('backoff grows and is capped', () => {
  assert.deepEqual([1, 2, 3, 4, 10].map(retryDelay), [1000, 2000, 4000, 8000, 15000]);
});

test('the local backup round-trips and survives broken storage', () => {
  const map = new Map();
  const storage = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
  keepBackup(storage, 'u1', 'r1', { text: 'half-typed' });
  assert.deepEqual(readBackup(storage, 'u1', 'r1'), { text: 'half-typed' });
  dropBackup(storage, 'u1', 'r1');
  assert.equal(readBackup(storage, 'u1', 'r1'), null);
  map.set('loam.unsaved.u1.r2', '{not json');
  assert.equal(readBackup(storage, 'u1', 'r2'), null);
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceeded'); }, removeItem: () => {} };
  keepBackup(full, 'u1', 'r3', { a: 1 });
});

test('a backup is its user\'s: annotators sharing a browser never get each other\'s unsaved answers', () => {
  const map = new Map();
  const storage = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
  keepBackup(storage, 'ann-a', 'r1', { quality: 6 });
  assert.equal(readBackup(storage, 'ann-b', 'r1'), null);
  keepBackup(storage, 'ann-b', 'r1', { quality: 2 });
  dropBackup(storage, 'ann-b', 'r1');
  assert.deepEqual(readBackup(storage, 'ann-a', 'r1'), { quality: 6 }, "b's save drops b's backup only");
});
