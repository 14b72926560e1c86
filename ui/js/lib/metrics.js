// Agreement figures as people read them: a metric's name with its variant, a value with three
// decimals, and an undefined value (null) shown as a dash with the server's reason, never as 0.
// Pure: no DOM, no network, so `node --test` covers it.

/** @typedef {{name: string, variant?: string|null, value: number|null, reason?: string|null}} Metric */

const NAMES = /** @type {Record<string, string>} */ ({
  krippendorff_alpha: "Krippendorff's α",
  fleiss_kappa: "Fleiss' κ",
  exact_match: 'Exact match',
  span_f1: 'Span F1',
  cohen_kappa: "Cohen's κ",
});

const VARIANTS = /** @type {Record<string, string>} */ ({
  none: 'unweighted',
  span_characters: 'per character',
});

/** A metric's readable name, with its variant when it has one. @param {{name: string, variant?: string|null}} m */
export function metricLabel(m) {
  const name = NAMES[m.name] || m.name;
  if (!m.variant) return name;
  return `${name} (${VARIANTS[m.variant] || m.variant})`;
}

/**
 * A figure as text: three decimals, or a dash with the reason when the server says it is
 * undefined. `reason` is null when there is a number.
 * @param {number|null|undefined} value @param {string|null|undefined} [reason]
 * @returns {{text: string, reason: string|null}}
 */
export function formatValue(value, reason) {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // -0.0004 would read "-0.000": a sign on nothing.
    const text = value.toFixed(3);
    return { text: text === '-0.000' ? '0.000' : text, reason: null };
  }
  return { text: '—', reason: reason || 'not defined' };
}

/** A metric as text. @param {Metric} m */
export function formatMetric(m) {
  return formatValue(m.value, m.reason);
}

/**
 * The metrics of every annotator pair of one question as a table: one column per metric (name and
 * variant), one row per pair with the records both answered.
 * @param {{annotators: string[], records: number, metrics: Metric[]}[]} pairs
 * @returns {{columns: string[], rows: {pair: string, records: number, cells: {text: string, reason: string|null}[]}[]}}
 */
export function pairTable(pairs) {
  /** @type {string[]} */
  const columns = [];
  for (const p of pairs) {
    for (const m of p.metrics) {
      const label = metricLabel(m);
      if (!columns.includes(label)) columns.push(label);
    }
  }
  const rows = pairs.map((p) => ({
    pair: p.annotators.join(' & '),
    records: p.records,
    cells: columns.map((label) => {
      const m = p.metrics.find((it) => metricLabel(it) === label);
      return m ? formatMetric(m) : { text: '', reason: null };
    }),
  }));
  return { columns, rows };
}
