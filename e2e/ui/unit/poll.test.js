// Unit tests of live polling (ui/js/lib/poll.js): the ETag is sent back, unchanged replies do not
// re-render, failures back off and recover, and a hidden tab does not poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, settle } from './lib/clock.js';
import { Poller, pollDelay } from '../../../ui/js/lib/poll.js';

test('pollDelay: the interval when healthy, doubling per failure, at most a minute', () => {
  assert.equal(pollDelay(0, 1500), 1500);
  assert.equal(pollDelay(1, 1500), 3000);
  assert.equal(pollDelay(2, 1500), 6000);
  assert.equal(pollDelay(10, 1500), 60000);
});

test('the ETag of the last change is sent back; a 304 does not call onData', async () => {
  const c = clock();
  const sent = [];
  const replies = [
    { changed: true, etag: '"a"', data: 1 },
    { changed: false, etag: '"a"' },
    { changed: true, etag: '"b"', data: 2 },
  ];
  const seen = [];
  const p = new Poller({ fetch: async (etag) => { sent.push(etag); return replies.shift(); }, onData: (d) => seen.push(d), intervalMs: 1000, setTimer: c.setTimer, clearTimer: c.clearTimer });
  p.start();
  await settle();
  assert.deepEqual(c.pending(), [1000]);
  await c.fire();
  await c.fire();
  assert.deepEqual(sent, [null, '"a"', '"a"']);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(p.etag, '"b"');
});

test('failures back off and report when the next try is; a success returns to the pace', async () => {
  const c = clock();
  let fail = 2;
  const errors = [];
  const p = new Poller({
    fetch: async () => { if (fail-- > 0) throw new TypeError('Failed to fetch'); return { changed: true, etag: '"x"', data: 'ok' }; },
    onData: () => {},
    onError: (err, ms) => errors.push([err.message, ms]),
    intervalMs: 1000, setTimer: c.setTimer, clearTimer: c.clearTimer,
  });
  p.start();
  await settle();
  assert.deepEqual(c.pending(), [2000]);
  await c.fire();
  assert.deepEqual(c.pending(), [4000]);
  await c.fire();
  assert.deepEqual(c.pending(), [1000], 'back to the normal pace');
  assert.deepEqual(errors, [['Failed to fetch', 2000], ['Failed to fetch', 4000]]);
});

test('a hidden tab does not poll; showing it polls at once; stop ends it', async () => {
  const c = clock();
  let visible = true;
  let calls = 0;
  const p = new Poller({ fetch: async () => { calls++; return { changed: false, etag: null }; }, onData: () => {}, isVisible: () => visible, intervalMs: 1000, setTimer: c.setTimer, clearTimer: c.clearTimer });
  p.start();
  await settle();
  assert.equal(calls, 1);
  visible = false;
  p.visibilityChanged();
  assert.deepEqual(c.pending(), [], 'no timer while hidden');
  visible = true;
  p.visibilityChanged();
  await settle();
  assert.equal(calls, 2, 'polled when shown again');
  assert.deepEqual(c.pending(), [1000]);
  p.stop();
  assert.deepEqual(c.pending(), []);
  p.visibilityChanged();
  await settle();
  assert.equal(calls, 2, 'stopped stays stopped');
});

test('continueFrom: data already in hand, so the first poll waits an interval and sends its ETag', async () => {
  const c = clock();
  const sent = [];
  const p = new Poller({ fetch: async (etag) => { sent.push(etag); return { changed: false, etag }; }, onData: () => {}, intervalMs: 1000, setTimer: c.setTimer, clearTimer: c.clearTimer });
  p.continueFrom('"first"');
  await settle();
  assert.deepEqual(sent, [], 'no poll at once');
  assert.deepEqual(c.pending(), [1000]);
  await c.fire();
  assert.deepEqual(sent, ['"first"']);
  assert.deepEqual(c.pending(), [1000], 'and on it goes');
  p.stop();
});
