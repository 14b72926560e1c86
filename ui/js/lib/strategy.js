// Consolidation strategies as small forms: which kinds each question type offers, the inputs each
// kind takes, a stored strategy (the server's JSON) as form values and form values back as the
// JSON that `PUT /api/v1/datasets/{id}/consolidation` takes. The server has the last word (its 422
// `detail` is shown); this only catches what a form can (a number that is none). Pure: no DOM.

/**
 * One input of a strategy's form. `select` offers `options` (or, for `question`, the dataset's
 * questions the caller passes); `number` and `integer` are read as numbers; `list` is a comma
 * separated list of names; `weights` is "name=weight" pairs separated by commas.
 * `when` names another input and the value it must hold for this one to count (a seed only goes
 * with a random tie-break); otherwise the input is left out.
 * @typedef {{name: string, label: string, input: 'select'|'number'|'integer'|'list'|'weights'|'question',
 *   options?: string[], optional?: boolean, initial?: string, when?: [string, string]}} Param
 */

const TIE_BREAKS = ['lowest', 'highest', 'random', 'unresolved'];
const ROUNDINGS = ['none', 'half_up', 'half_even', 'floor', 'ceil', 'nearest_option'];

/** @type {Param} */
const TIE_BREAK = { name: 'tie_break', label: 'Ties', input: 'select', options: TIE_BREAKS, initial: 'unresolved' };
/** @type {Param} */
const SEED = { name: 'seed', label: 'Seed (empty: the server picks one and records it)', input: 'integer', optional: true, when: ['tie_break', 'random'] };
/** @type {Param} */
const ROUNDING = { name: 'rounding', label: 'Rounding', input: 'select', options: ROUNDINGS };

/** The kinds each question type offers, each with its inputs, in the order they are offered. */
export const STRATEGIES = /** @type {Record<string, Record<string, Param[]>>} */ ({
  label_selection: {
    majority: [TIE_BREAK, SEED],
  },
  multi_label_selection: {
    label_majority: [{ name: 'threshold', label: 'Threshold (share of annotators)', input: 'number', initial: '0.5' }],
  },
  rating: {
    majority: [TIE_BREAK, SEED],
    mean: [ROUNDING],
    median: [ROUNDING],
    min: [],
    max: [],
  },
  ranking: { mean_rank: [], borda: [] },
  text: {
    by_rating: [
      { name: 'question', label: 'Rating question', input: 'question' },
      { name: 'pick', label: 'Pick', input: 'select', options: ['highest', 'lowest'] },
      { name: 'tie_break', label: 'Equal ratings', input: 'select', options: ['first', 'unresolved'] },
    ],
    by_annotator: [{ name: 'order', label: 'Annotators, first preferred (comma separated)', input: 'list' }],
    by_weight: [{ name: 'weights', label: 'Weights (name=weight, comma separated)', input: 'weights' }],
    all: [],
  },
  span: { majority: [] },
});

/** Readable names of the kinds. */
export const KIND_LABELS = /** @type {Record<string, string>} */ ({
  majority: 'Majority vote',
  label_majority: 'Majority per label',
  mean: 'Mean',
  median: 'Median',
  min: 'Minimum',
  max: 'Maximum',
  mean_rank: 'Mean rank',
  borda: 'Borda count',
  by_rating: 'By a rating of the texts',
  by_annotator: 'By annotator',
  by_weight: 'By annotator weight',
  all: 'All of them (one row each)',
});

/** The kinds a question type offers. @param {string} type */
export function kindsOf(type) {
  return Object.keys(STRATEGIES[type] || {});
}

/** The inputs of `kind` for a question of `type`. @param {string} type @param {string} kind @returns {Param[]} */
export function paramsOf(type, kind) {
  return (STRATEGIES[type] || {})[kind] || [];
}

/**
 * A strategy (the server's JSON) as form values: its kind and one string per input.
 * @param {string} type @param {any} strategy
 * @returns {{kind: string, values: Record<string, string>}}
 */
export function toForm(type, strategy) {
  const kinds = kindsOf(type);
  const kind = strategy && kinds.includes(strategy.kind) ? strategy.kind : kinds[0] || '';
  /** @type {Record<string, string>} */
  const values = {};
  for (const p of paramsOf(type, kind)) {
    const v = strategy && strategy.kind === kind ? strategy[p.name] : undefined;
    if (v === undefined || v === null) values[p.name] = p.initial ?? (p.input === 'select' && !p.optional ? /** @type {string[]} */ (p.options)[0] : '');
    else if (p.input === 'list') values[p.name] = Array.isArray(v) ? v.join(', ') : String(v);
    else if (p.input === 'weights') values[p.name] = Object.entries(v).map(([k, w]) => `${k}=${w}`).join(', ');
    else values[p.name] = String(v);
  }
  return { kind, values };
}

/**
 * Form values as a strategy: `{strategy}`, or `{error}` naming the input that holds no number or
 * pair. Empty optional inputs are left out.
 * @param {string} type @param {string} kind @param {Record<string, string>} values
 * @returns {{strategy: Record<string, any>, error?: undefined}|{error: string, strategy?: undefined}}
 */
export function fromForm(type, kind, values) {
  if (!kindsOf(type).includes(kind)) return { error: `"${kind}" is no strategy for a ${type} question` };
  /** @type {Record<string, any>} */
  const strategy = { kind };
  for (const p of paramsOf(type, kind)) {
    if (!applies(p, values)) continue;
    const raw = (values[p.name] ?? '').trim();
    if (raw === '') {
      if (p.optional) continue;
      return { error: `${p.label}: required` };
    }
    if (p.input === 'number' || p.input === 'integer') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (p.input === 'integer' && !Number.isInteger(n))) return { error: `${p.label}: "${raw}" is not ${p.input === 'integer' ? 'a whole number' : 'a number'}` };
      strategy[p.name] = n;
    } else if (p.input === 'list') {
      strategy[p.name] = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else if (p.input === 'weights') {
      /** @type {Record<string, number>} */
      const weights = {};
      for (const part of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        const at = part.lastIndexOf('=');
        const name = at > 0 ? part.slice(0, at).trim() : '';
        const w = at > 0 ? Number(part.slice(at + 1).trim()) : NaN;
        if (!name || !Number.isFinite(w) || part.slice(at + 1).trim() === '') return { error: `${p.label}: "${part}" is not name=weight` };
        weights[name] = w;
      }
      strategy[p.name] = weights;
    } else {
      strategy[p.name] = raw;
    }
  }
  return { strategy };
}

/** Whether an input counts with these values (see `when`). @param {Param} p @param {Record<string, string>} values */
export function applies(p, values) {
  return !p.when || (values[p.when[0]] ?? '') === p.when[1];
}

/**
 * A strategy in one line, for the effective-strategy column: "Majority vote (tie_break: lowest)".
 * @param {any} strategy
 */
export function describe(strategy) {
  if (!strategy || typeof strategy.kind !== 'string') return 'none';
  const params = Object.entries(strategy)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v && typeof v === 'object' ? Object.entries(v).map(([a, b]) => `${a}=${b}`).join(', ') : v}`);
  const name = KIND_LABELS[strategy.kind] || strategy.kind;
  return params.length ? `${name} (${params.join('; ')})` : name;
}

/** An answer value as short text: labels joined, a ranking as "a > b", spans as "label[start–end]". @param {any} v @returns {string} */
export function valueText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length && v.every((it) => it && typeof it === 'object' && 'rank' in it)) {
      return [...v].sort((a, b) => a.rank - b.rank).map((it) => it.value).join(' > ');
    }
    if (v.length && v.every((it) => it && typeof it === 'object' && 'start' in it && 'end' in it)) {
      return v.map((it) => `${it.label}[${it.start}–${it.end}]`).join(', ');
    }
    if (v.length && v.every((it) => it && typeof it === 'object' && 'username' in it)) {
      return v.map((it) => `${it.username}: ${valueText(it.value)}`).join('; ');
    }
    if (v.length && v.every((it) => Array.isArray(it) && it.length === 2 && typeof it[0] === 'string')) {
      return v.map((it) => `${it[0]}: ${valueText(it[1])}`).join('; ');
    }
    return v.map((it) => valueText(it)).join(', ');
  }
  if (typeof v === 'object') {
    if ('value' in v && Object.keys(v).length <= 2) return valueText(v.value);
    return Object.entries(v).map(([k, x]) => `${k}: ${valueText(x)}`).join('; ');
  }
  return String(v);
}

/**
 * One consolidated value of the preview as text, with the reason when it is unresolved.
 * @param {{status: string, value?: any, reason?: string|null}|null|undefined} f
 * @returns {{text: string, reason: string|null, status: string}}
 */
export function finalText(f) {
  if (!f) return { text: '', reason: null, status: 'none' };
  if (f.status === 'unresolved') return { text: '—', reason: f.reason || 'unresolved', status: f.status };
  return { text: valueText(f.value), reason: f.reason || null, status: f.status };
}
