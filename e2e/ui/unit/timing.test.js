// Unit tests of time on task (ui/js/lib/timing.js) with a fake clock: hidden-tab time and idle
// time are excluded, each save takes what was gathered since the last one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveTime, BULK, MAX_PER_SAVE, shareOut } from '../../../ui/js/lib/timing.js';

function clocked() {
  const clock = { t: 1_000_000 };
  const timer = new ActiveTime({ now: () => clock.t, idleMs: 60_000 });
  const wait = (/** @type {number} */ ms) => void (clock.t += ms);
  return { timer, wait };
}

test('time counts from the record opening while input keeps coming', () => {
  const { timer, wait } = clocked();
  timer.open('r1');
  wait(10_000);
  timer.input();
  wait(20_000);
  assert.equal(timer.take('r1'), 30_000);
  assert.equal(timer.take('r1'), 0, 'a save takes the time: the next one starts from zero');
});

test('idle time past the limit is excluded until the next input', () => {
  const { timer, wait } = clocked();
  timer.open('r1');
  wait(5_000);
  timer.input();
  wait(300_000); // five minutes away: only the first minute after the input counts
  assert.equal(timer.peek('r1'), 65_000);
  timer.input();
  wait(2_000);
  assert.equal(timer.take('r1'), 67_000);
});

test('hidden-tab time is excluded, visible time after it counts again', () => {
  const { timer, wait } = clocked();
  timer.open('r1');
  wait(10_000);
  timer.visibility(false);
  wait(40_000);
  timer.visibility(true);
  timer.input();
  wait(5_000);
  assert.equal(timer.take('r1'), 15_000);
});

test('time goes to the record that is open; nothing counts with none open', () => {
  const { timer, wait } = clocked();
  timer.open('r1');
  wait(4_000);
  timer.open('r2');
  wait(6_000);
  timer.open(null);
  wait(50_000);
  assert.equal(timer.take('r1'), 4_000);
  assert.equal(timer.take('r2'), 6_000);
});

test('a failed save gives its time back; a save carries at most the server\'s limit', () => {
  const { timer, wait } = clocked();
  timer.open('r1');
  wait(3_000);
  const ms = timer.take('r1');
  timer.giveBack('r1', ms);
  wait(1_000);
  assert.equal(timer.take('r1'), 4_000);
  timer.spent.set('r1', MAX_PER_SAVE + 10);
  assert.equal(timer.take('r1'), MAX_PER_SAVE);
  assert.equal(timer.take('r1'), 10);
});

test('bulk time is shared out over the records one answer saves', () => {
  const { timer, wait } = clocked();
  timer.open(BULK);
  wait(10_001);
  assert.deepEqual(shareOut(timer.take(BULK), 3), [3_334, 3_334, 3_333]);
  assert.deepEqual(shareOut(5, 0), []);
});

test('time-on-task figures as the progress pages show them', async () => {
  const { durationText, rateText, timeRows } = await import('../../../ui/js/lib/overview.js');
  assert.equal(durationText(null), '–');
  assert.equal(durationText(44_600), '45 s');
  assert.equal(durationText(125_000), '2 min 05 s');
  assert.equal(durationText(3_720_000), '1 h 02 min');
  assert.equal(rateText(null), '–');
  assert.equal(rateText(40), '40.0');
  const t = { active_ms: 90_000, done: 2, records_per_hour: 80, median_ms: 45_000 };
  assert.deepEqual(timeRows({ total: t, annotators: [{ ...t, username: 'ada' }] }), [
    { who: 'Team', team: true, active: '1 min 30 s', done: '2', perHour: '80.0', median: '45 s' },
    { who: 'ada', team: false, active: '1 min 30 s', done: '2', perHour: '80.0', median: '45 s' },
  ]);
  assert.deepEqual(timeRows(null), []);
});
