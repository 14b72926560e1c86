// The geometry of the Insights view's bar charts: how many submitted answers records have, and
// how per-record disagreement spreads over its bins. Bars, axis labels and a text alternative as
// plain numbers; views/insights/charts.js turns them into SVG elements. Pure: no DOM.

/** @typedef {{label: string, value: number}} Bar */
/**
 * @typedef {{x: number, y: number, width: number, height: number, label: string, value: number,
 *   labelX: number, valueY: number}} PlacedBar
 * @typedef {{width: number, height: number, bars: PlacedBar[], max: number, baseline: number}} Chart
 */

/** Room under the bars for their labels and above them for their values, in SVG units. */
export const LABEL_ROOM = 18;
export const VALUE_ROOM = 14;

/** Bars of `submitted_per_record`: one per count of submitted answers, in order. @param {{submitted: number, records: number}[]} rows */
export function submittedBars(rows) {
  return [...rows].sort((a, b) => a.submitted - b.submitted).map((r) => ({ label: String(r.submitted), value: r.records }));
}

/** A bin's bound as short text: 0, 0.1, 0.25. @param {number} x */
function bound(x) {
  return String(Math.round(x * 100) / 100);
}

/** Bars of a question's `disagreement` bins, labelled "from–to". @param {{from: number, to: number, records: number}[]} bins */
export function disagreementBars(bins) {
  return [...bins].sort((a, b) => a.from - b.from).map((b) => ({ label: `${bound(b.from)}–${bound(b.to)}`, value: b.records }));
}

/**
 * Places `bars` in a `width` × `height` box: equal slots, a gap between bars, heights in
 * proportion to the largest value (all flat when every value is 0), labels below, values above.
 * @param {Bar[]} bars @param {{width: number, height: number, gap?: number}} box
 * @returns {Chart}
 */
export function layoutBars(bars, { width, height, gap = 4 }) {
  const max = bars.reduce((m, b) => Math.max(m, b.value), 0);
  const baseline = height - LABEL_ROOM;
  const room = Math.max(0, baseline - VALUE_ROOM);
  const slot = bars.length ? width / bars.length : width;
  const barWidth = Math.max(1, slot - gap);
  const placed = bars.map((b, i) => {
    const h = max > 0 ? (Math.max(0, b.value) / max) * room : 0;
    const x = i * slot + gap / 2;
    return {
      x: round(x),
      y: round(baseline - h),
      width: round(barWidth),
      height: round(h),
      label: b.label,
      value: b.value,
      labelX: round(x + barWidth / 2),
      valueY: round(baseline - h - 3),
    };
  });
  return { width, height, bars: placed, max, baseline };
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 100) / 100;
}
