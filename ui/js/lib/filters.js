// The annotation view's filters and sort as plain data: read from the URL and written back to it
// (a reloaded or shared link shows the same view), turned into the Argilla search body's
// `filters.and` items and `sort` list, checked against the dataset's settings, and named for the
// chips that show them. Pure: no DOM, no network, so `node --test` covers it.
//
// In the URL, one parameter per value, keyed `<kind>.<name>`:
//   meta.<property>=<term>            metadata terms (repeated: any of them)
//   range.<property>=<min>..<max>     integer / float metadata (either side may be empty)
//   suggestion.<question>=<value>     the suggested value (repeated)
//   agent.<question>=<agent>          the suggestion's agent (repeated)
//   score.<question>=<min>..<max>     the suggestion's score
//   response.<question>=<value>       the caller's answer (repeated)
//   sort=<key>-<asc|desc>             key: inserted, updated, meta.<property>, score.<question>
// The older `meta=<property>=<term>` and `sort=oldest|newest` are still read.

/**
 * @typedef {'meta'|'suggestion'|'agent'|'response'} TermsKind
 * @typedef {'range'|'score'} RangeKind
 * @typedef {{kind: TermsKind, name: string, values: string[]}} TermsFilter
 * @typedef {{kind: RangeKind, name: string, ge: number|null, le: number|null}} RangeFilter
 * @typedef {TermsFilter|RangeFilter} Filter
 * @typedef {{on: 'inserted'|'updated'|'meta'|'score', name: string, desc: boolean}} SortKey
 * What filters may name: the metadata properties the caller sees and the questions.
 * @typedef {{name: string, title: string, type: string, values: string[]|null}} MetaInfo
 * @typedef {{name: string, title: string, type: string, options: {value: any, text: string}[]}} QuestionInfo
 * @typedef {{metadata: MetaInfo[], questions: QuestionInfo[]}} FilterSchema
 */

export const TERMS_KINDS = /** @type {TermsKind[]} */ (['meta', 'suggestion', 'agent', 'response']);
export const RANGE_KINDS = /** @type {RangeKind[]} */ (['range', 'score']);
/** Question kinds whose values the value filters offer (one option or a list of options). */
export const VALUE_TYPES = ['label_selection', 'multi_label_selection', 'rating'];
/** At most this many filters, and values in one (the server's limits are 50 and 250). */
const MAX_FILTERS = 40;
const MAX_VALUES = 250;
const MAX_TEXT = 200;

/**
 * The dataset's settings as filters see them.
 * @param {any[]} metadata items of `GET /api/v1/me/datasets/{id}/metadata-properties`
 * @param {any[]} questions items of `GET /api/v1/datasets/{id}/questions`
 * @returns {FilterSchema}
 */
export function filterSchema(metadata, questions) {
  return {
    metadata: metadata.map((m) => ({
      name: m.name,
      title: m.title || m.name,
      type: m.settings.type,
      values: Array.isArray(m.settings.values) ? m.settings.values.map(String) : null,
    })),
    questions: questions.map((q) => ({
      name: q.name,
      title: q.title || q.name,
      type: q.settings.type,
      options: Array.isArray(q.settings.options) ? q.settings.options.map((/** @type {any} */ o) => ({ value: o.value, text: String(o.text ?? o.value) })) : [],
    })),
  };
}

/** `a..b` as numbers (either may be empty); null when malformed or empty. @param {string} text */
export function parseRange(text) {
  const at = text.indexOf('..');
  if (at < 0) return null;
  const side = (/** @type {string} */ s) => (s.trim() === '' ? null : Number(s));
  const ge = side(text.slice(0, at));
  const le = side(text.slice(at + 2));
  const bad = (/** @type {number|null} */ n) => n !== null && !Number.isFinite(n);
  if (bad(ge) || bad(le) || (ge === null && le === null)) return null;
  if (ge !== null && le !== null && ge > le) return null;
  return { ge, le };
}

/** @param {number|null} ge @param {number|null} le */
const rangeText = (ge, le) => `${ge ?? ''}..${le ?? ''}`;

/**
 * The filters a URL's query holds, by their syntax alone (names are checked with `keepKnown` once
 * the settings are in hand). Malformed parameters are left out, never an error.
 * @param {URLSearchParams} query
 * @returns {Filter[]}
 */
export function parseFilters(query) {
  /** @type {Filter[]} */
  const res = [];
  /** @param {string} kind @param {string} name */
  const find = (kind, name) => res.find((f) => f.kind === kind && f.name === name);
  /** @param {TermsKind} kind @param {string} name @param {string} value */
  const addTerm = (kind, name, value) => {
    if (!value || value.length > MAX_TEXT) return;
    const f = /** @type {TermsFilter|undefined} */ (find(kind, name));
    if (f) {
      if (!f.values.includes(value) && f.values.length < MAX_VALUES) f.values.push(value);
    } else if (res.length < MAX_FILTERS) res.push({ kind, name, values: [value] });
  };
  for (const [key, value] of query) {
    if (key === 'meta') {
      // The older single metadata filter: `name=value`.
      const at = value.indexOf('=');
      if (at > 0) addTerm('meta', value.slice(0, at), value.slice(at + 1));
      continue;
    }
    const dot = key.indexOf('.');
    if (dot < 1 || dot === key.length - 1) continue;
    const kind = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (name.length > MAX_TEXT) continue;
    if (TERMS_KINDS.includes(/** @type {any} */ (kind))) addTerm(/** @type {TermsKind} */ (kind), name, value);
    else if (RANGE_KINDS.includes(/** @type {any} */ (kind))) {
      const range = parseRange(value);
      if (range && !find(kind, name) && res.length < MAX_FILTERS) res.push({ kind: /** @type {RangeKind} */ (kind), name, ...range });
    }
  }
  return res;
}

/**
 * Writes `filters` into `params` (after the parameters already there).
 * @param {URLSearchParams} params @param {Filter[]} filters
 */
export function writeFilters(params, filters) {
  for (const f of filters) {
    const key = `${f.kind}.${f.name}`;
    if ('values' in f) for (const v of f.values) params.append(key, v);
    else params.append(key, rangeText(f.ge, f.le));
  }
}

/** @param {FilterSchema} schema @param {string} name */
const metaOf = (schema, name) => schema.metadata.find((m) => m.name === name);
/** @param {FilterSchema} schema @param {string} name */
const questionOf = (schema, name) => schema.questions.find((q) => q.name === name);

/**
 * Whether `f` names what the settings hold, in a way it can filter: terms of a terms property,
 * a range of a numeric one, values of a question with options.
 * @param {Filter} f @param {FilterSchema} schema
 */
export function isKnown(f, schema) {
  if (f.kind === 'meta') return metaOf(schema, f.name)?.type === 'terms';
  if (f.kind === 'range') return ['integer', 'float'].includes(metaOf(schema, f.name)?.type || '');
  const q = questionOf(schema, f.name);
  if (!q) return false;
  if (f.kind === 'suggestion' || f.kind === 'response') return VALUE_TYPES.includes(q.type);
  return true;
}

/** The filters `schema` knows (a link naming a property since deleted, or hidden, loses it). @param {Filter[]} filters @param {FilterSchema} schema */
export function keepKnown(filters, schema) {
  return filters.filter((f) => isKnown(f, schema));
}

/**
 * The search body's `filters.and` items for `filters`.
 * @param {Filter[]} filters
 * @returns {any[]}
 */
export function filterItems(filters) {
  return filters.map((f) => {
    switch (f.kind) {
      case 'meta':
        return { type: 'terms', scope: { entity: 'metadata', metadata_property: f.name }, values: f.values };
      case 'suggestion':
        return { type: 'terms', scope: { entity: 'suggestion', question: f.name, property: 'value' }, values: f.values };
      case 'agent':
        return { type: 'terms', scope: { entity: 'suggestion', question: f.name, property: 'agent' }, values: f.values };
      case 'response':
        // The reference's response scope: a question (its value), no property.
        return { type: 'terms', scope: { entity: 'response', question: f.name }, values: f.values };
      case 'range':
        return withBounds({ type: 'range', scope: { entity: 'metadata', metadata_property: f.name } }, f);
      default:
        return withBounds({ type: 'range', scope: { entity: 'suggestion', question: f.name, property: 'score' } }, f);
    }
  });
}

/** @param {any} item @param {RangeFilter} f */
function withBounds(item, f) {
  if (f.ge !== null) item.ge = f.ge;
  if (f.le !== null) item.le = f.le;
  return item;
}

// ---- sort -----------------------------------------------------------------------------------

/**
 * The sort a URL's `sort` asks for, by its syntax alone; null for the server's default order.
 * @param {string|null} token
 * @returns {SortKey|null}
 */
export function parseSort(token) {
  if (!token) return null;
  if (token === 'oldest') return { on: 'inserted', name: '', desc: false };
  if (token === 'newest') return { on: 'inserted', name: '', desc: true };
  const m = /^(inserted|updated|meta\.(.+)|score\.(.+))-(asc|desc)$/.exec(token);
  if (!m || token.length > MAX_TEXT) return null;
  const on = /** @type {SortKey['on']} */ (m[1].split('.')[0]);
  return { on, name: m[2] || m[3] || '', desc: m[4] === 'desc' };
}

/** The URL's `sort` for `sort` ('' for the default order). @param {SortKey|null} sort */
export function sortToken(sort) {
  if (!sort) return '';
  const key = sort.on === 'meta' || sort.on === 'score' ? `${sort.on}.${sort.name}` : sort.on;
  return `${key}-${sort.desc ? 'desc' : 'asc'}`;
}

/** Whether the settings hold what `sort` orders by. @param {SortKey|null} sort @param {FilterSchema} schema */
export function sortKnown(sort, schema) {
  if (!sort) return true;
  if (sort.on === 'meta') return !!metaOf(schema, sort.name);
  if (sort.on === 'score') return !!questionOf(schema, sort.name);
  return true;
}

/** The search body's `sort` for `sort`, or undefined for the default order. @param {SortKey|null} sort */
export function sortItems(sort) {
  if (!sort) return undefined;
  const order = sort.desc ? 'desc' : 'asc';
  if (sort.on === 'meta') return [{ scope: { entity: 'metadata', metadata_property: sort.name }, order }];
  if (sort.on === 'score') return [{ scope: { entity: 'suggestion', question: sort.name, property: 'score' }, order }];
  return [{ scope: { entity: 'record', property: sort.on === 'inserted' ? 'inserted_at' : 'updated_at' }, order }];
}

/**
 * The orders the sort menu offers, as [token, label]; '' is the server's default order.
 * @param {FilterSchema} schema
 * @returns {[string, string][]}
 */
export function sortChoices(schema) {
  /** @type {[string, string][]} */
  const res = [
    ['', 'Default order'],
    ['inserted-asc', 'Oldest first'],
    ['inserted-desc', 'Newest first'],
    ['updated-desc', 'Recently updated'],
    ['updated-asc', 'Least recently updated'],
  ];
  for (const m of schema.metadata) {
    res.push([`meta.${m.name}-asc`, `${m.title} ↑`], [`meta.${m.name}-desc`, `${m.title} ↓`]);
  }
  for (const q of schema.questions) {
    res.push([`score.${q.name}-desc`, `${q.title} suggestion score ↓`], [`score.${q.name}-asc`, `${q.title} suggestion score ↑`]);
  }
  return res;
}

// ---- naming ---------------------------------------------------------------------------------

/**
 * A filter as its chip says it.
 * @param {Filter} f @param {FilterSchema} schema
 */
export function describe(f, schema) {
  const title = f.kind === 'meta' || f.kind === 'range' ? metaOf(schema, f.name)?.title || f.name : questionOf(schema, f.name)?.title || f.name;
  if ('values' in f) {
    const q = questionOf(schema, f.name);
    const shown = f.values.map((v) => (f.kind === 'suggestion' || f.kind === 'response') && q ? optionText(q, v) : v).join(' or ');
    if (f.kind === 'meta') return `${title}: ${shown}`;
    if (f.kind === 'suggestion') return `${title} suggested: ${shown}`;
    if (f.kind === 'agent') return `${title} suggested by ${shown}`;
    return `My ${title}: ${shown}`;
  }
  const bounds = f.ge !== null && f.le !== null ? `${f.ge} – ${f.le}` : f.ge !== null ? `≥ ${f.ge}` : `≤ ${f.le}`;
  return f.kind === 'range' ? `${title} ${bounds}` : `${title} suggestion score ${bounds}`;
}

/** @param {QuestionInfo} q @param {string} value */
function optionText(q, value) {
  const o = q.options.find((it) => String(it.value) === value);
  return o ? o.text : value;
}

/**
 * `filters` with `f` set in place of the filter of its kind and name (or added), or that filter
 * removed when `f` has no values.
 * @param {Filter[]} filters @param {Filter} f
 */
export function setFilter(filters, f) {
  const empty = 'values' in f ? f.values.length === 0 : f.ge === null && f.le === null;
  const at = filters.findIndex((it) => it.kind === f.kind && it.name === f.name);
  const res = filters.slice();
  if (at >= 0) {
    if (empty) res.splice(at, 1);
    else res[at] = f;
  } else if (!empty) res.push(f);
  return res;
}
