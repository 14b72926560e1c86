// Unit tests of span labels' colours (ui/js/lib/span-colors.js): by option position, stable,
// wrapping around the palette, the same for the editor and the record view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PALETTE_SIZE, spanColorClass, spanLabelClass } from '../../../ui/js/lib/span-colors.js';

const q = (...values) => ({ settings: { options: values.map((value) => ({ value })) } });

test('a label takes the colour of its position among its question\'s options', () => {
  const entities = q('PER', 'ORG', 'LOC');
  assert.equal(spanLabelClass([entities], 'PER'), 'span-c0');
  assert.equal(spanLabelClass([entities], 'ORG'), 'span-c1');
  assert.equal(spanLabelClass([entities], 'LOC'), 'span-c2');
  // Distinct labels of one question get distinct colours up to the palette's size.
  const many = q(...Array.from({ length: PALETTE_SIZE }, (_, i) => `L${i}`));
  const classes = many.settings.options.map((o) => spanLabelClass([many], o.value));
  assert.equal(new Set(classes).size, PALETTE_SIZE);
});

test('the first question that has the label decides; unknown labels and wrap-around stay in the palette', () => {
  assert.equal(spanLabelClass([q('A'), q('B', 'A')], 'A'), 'span-c0');
  assert.equal(spanLabelClass([q('A'), q('B', 'C')], 'C'), 'span-c1');
  assert.equal(spanLabelClass([q('A')], 'nope'), 'span-c0');
  assert.equal(spanLabelClass([], 'A'), 'span-c0');
  assert.equal(spanColorClass(PALETTE_SIZE + 3), 'span-c3');
  assert.equal(spanColorClass(-1), `span-c${PALETTE_SIZE - 1}`);
});
