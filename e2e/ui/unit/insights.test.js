// Unit tests of the Insights view's pure parts: agreement figures as text (ui/js/lib/metrics.js)
// and the bar charts' geometry (ui/js/lib/chart.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../../ui/js/lib/metrics.js';
import * as ch from '../../../ui/js/lib/chart.js';

test('metric names carry their variant; unweighted and per-character read as words', () => {
  assert.equal(mx.metricLabel({ name: 'krippendorff_alpha', variant: 'ordinal' }), "Krippendorff's α (ordinal)");
  assert.equal(mx.metricLabel({ name: 'fleiss_kappa', variant: null }), "Fleiss' κ");
  assert.equal(mx.metricLabel({ name: 'cohen_kappa', variant: 'none' }), "Cohen's κ (unweighted)");
  assert.equal(mx.metricLabel({ name: 'krippendorff_alpha', variant: 'span_characters' }), "Krippendorff's α (per character)");
  // A metric this UI does not know yet is shown by its wire name, not dropped.
  assert.equal(mx.metricLabel({ name: 'new_metric', variant: 'x' }), 'new_metric (x)');
});

test('values: three decimals; null is a dash with the reason, never 0', () => {
  assert.deepEqual(mx.formatValue(0.123456, null), { text: '0.123', reason: null });
  assert.deepEqual(mx.formatValue(1, null), { text: '1.000', reason: null });
  assert.deepEqual(mx.formatValue(-0.5, null), { text: '-0.500', reason: null });
  assert.deepEqual(mx.formatValue(-0.0001, null), { text: '0.000', reason: null });
  assert.deepEqual(mx.formatValue(0, null), { text: '0.000', reason: null });
  assert.deepEqual(mx.formatValue(null, 'only one annotator'), { text: '—', reason: 'only one annotator' });
  assert.deepEqual(mx.formatValue(null, null), { text: '—', reason: 'not defined' });
  assert.deepEqual(mx.formatValue(NaN, null), { text: '—', reason: 'not defined' });
  assert.deepEqual(mx.formatMetric({ name: 'exact_match', value: null, reason: 'no pairs' }), { text: '—', reason: 'no pairs' });
});

test('the pair table: one column per metric variant seen, one row per pair, gaps left empty', () => {
  const t = mx.pairTable([
    {
      annotators: ['ann', 'bob'],
      records: 4,
      metrics: [
        { name: 'cohen_kappa', variant: 'none', value: 0.5, reason: null },
        { name: 'cohen_kappa', variant: 'linear', value: null, reason: 'no variation' },
      ],
    },
    { annotators: ['ann', 'cy'], records: 2, metrics: [{ name: 'cohen_kappa', variant: 'quadratic', value: 0.25, reason: null }] },
  ]);
  assert.deepEqual(t.columns, ["Cohen's κ (unweighted)", "Cohen's κ (linear)", "Cohen's κ (quadratic)"]);
  assert.deepEqual(t.rows[0], {
    pair: 'ann & bob',
    records: 4,
    cells: [{ text: '0.500', reason: null }, { text: '—', reason: 'no variation' }, { text: '', reason: null }],
  });
  assert.deepEqual(t.rows[1].cells.map((c) => c.text), ['', '', '0.250']);
  assert.deepEqual(mx.pairTable([]), { columns: [], rows: [] });
});

test('bars of submitted answers per record, in order of the count', () => {
  assert.deepEqual(ch.submittedBars([{ submitted: 3, records: 2 }, { submitted: 0, records: 12 }, { submitted: 1, records: 5 }]), [
    { label: '0', value: 12 },
    { label: '1', value: 5 },
    { label: '3', value: 2 },
  ]);
});

test('bars of disagreement bins, labelled by their bounds', () => {
  assert.deepEqual(ch.disagreementBars([{ from: 0.1, to: 0.2, records: 3 }, { from: 0, to: 0.1, records: 40 }]), [
    { label: '0–0.1', value: 40 },
    { label: '0.1–0.2', value: 3 },
  ]);
  // Floating-point bounds are shown short.
  assert.equal(ch.disagreementBars([{ from: 0.30000000000000004, to: 0.4, records: 1 }])[0].label, '0.3–0.4');
});

test('layout: equal slots, heights in proportion to the largest value, labels and values placed', () => {
  const c = ch.layoutBars([{ label: 'a', value: 10 }, { label: 'b', value: 5 }, { label: 'c', value: 0 }], { width: 300, height: 132, gap: 4 });
  const room = 132 - ch.LABEL_ROOM - ch.VALUE_ROOM;
  assert.equal(c.max, 10);
  assert.equal(c.baseline, 132 - ch.LABEL_ROOM);
  assert.deepEqual(c.bars.map((b) => b.x), [2, 102, 202]);
  assert.deepEqual(c.bars.map((b) => b.width), [96, 96, 96]);
  assert.deepEqual(c.bars.map((b) => b.height), [room, room / 2, 0]);
  // Every bar stands on the baseline.
  for (const b of c.bars) assert.equal(b.y + b.height, c.baseline);
  assert.deepEqual(c.bars.map((b) => b.labelX), [50, 150, 250]);
  assert.equal(c.bars[0].valueY, c.baseline - room - 3);
});

test('layout: all zeros give flat bars, no bars give an empty chart, never NaN', () => {
  const flat = ch.layoutBars([{ label: 'a', value: 0 }, { label: 'b', value: 0 }], { width: 100, height: 100 });
  assert.deepEqual(flat.bars.map((b) => b.height), [0, 0]);
  const none = ch.layoutBars([], { width: 100, height: 100 });
  assert.deepEqual(none.bars, []);
  assert.equal(none.max, 0);
  for (const b of ch.layoutBars([{ label: 'a', value: 3 }], { width: 2, height: 10 }).bars) {
    for (const v of [b.x, b.y, b.width, b.height, b.labelX, b.valueY]) assert.ok(Number.isFinite(v));
  }
});
