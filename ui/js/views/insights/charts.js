// The Insights view's bar charts: inline SVG built with DOM APIs from lib/chart.js's geometry (no
// library, no inline style: colours come from app.css), each with its text alternative: an
// `aria-label` that reads the bars out, and the same numbers as a table.

import { h } from '../../dom.js';
import { layoutBars } from '../../lib/chart.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string|number>} attrs @param {...(Node|string)} children */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/**
 * A bar chart as a figure: caption, SVG and a table of the same numbers.
 * @param {{id: string, caption: string, bars: import('../../lib/chart.js').Bar[], labelHead: string,
 *   valueHead: string, empty?: string}} opts
 */
export function barChart(opts) {
  const captionId = `${opts.id}-caption`;
  if (!opts.bars.length) {
    return h('figure', { class: 'chart', id: opts.id }, h('figcaption', { id: captionId }, opts.caption), h('p', { class: 'muted' }, opts.empty || 'Nothing to show yet.'));
  }
  const width = Math.max(300, opts.bars.length * 60);
  const chart = layoutBars(opts.bars, { width, height: 160 });
  const summary = opts.bars.map((b) => `${opts.labelHead} ${b.label}: ${b.value} ${opts.valueHead.toLowerCase()}`).join('; ');
  const svg = s(
    'svg',
    { viewBox: `0 0 ${chart.width} ${chart.height}`, width: chart.width, height: chart.height, role: 'img', 'aria-label': `${opts.caption}. ${summary}`, class: 'bars', preserveAspectRatio: 'xMinYMin meet' },
    s('line', { x1: 0, y1: chart.baseline, x2: chart.width, y2: chart.baseline, class: 'axis' }),
    ...chart.bars.map((b) =>
      s(
        'g',
        { class: 'bar-group' },
        s('title', {}, `${opts.labelHead} ${b.label}: ${b.value}`),
        s('rect', { x: b.x, y: b.y, width: b.width, height: Math.max(b.height, b.value > 0 ? 1 : 0), class: 'bar-rect' }),
        s('text', { x: b.labelX, y: chart.baseline + 13, 'text-anchor': 'middle', class: 'bar-label' }, b.label),
        s('text', { x: b.labelX, y: b.valueY, 'text-anchor': 'middle', class: 'bar-value' }, String(b.value)),
      ),
    ),
  );
  // The SVG is named by its aria-label; the caption names the figure.
  return h(
    'figure',
    { class: 'chart', id: opts.id, 'aria-labelledby': captionId },
    h('figcaption', { id: captionId }, opts.caption),
    h('div', { class: 'chart-box' }, svg),
    h(
      'details',
      { class: 'chart-table' },
      h('summary', null, 'As a table'),
      h(
        'table',
        null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, opts.labelHead), h('th', { scope: 'col' }, opts.valueHead))),
        h('tbody', null, opts.bars.map((b) => h('tr', null, h('td', null, b.label), h('td', null, String(b.value))))),
      ),
    ),
  );
}
