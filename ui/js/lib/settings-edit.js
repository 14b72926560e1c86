// What the settings page may change, and the PATCH bodies it sends: the server's update rules
// (api.md §5.4, §6.3, §7.3, §8; loam-domain settings/) mirrored, so a setting the API keeps fixed is
// shown read-only with the reason instead of a control that fails after the click. The server
// still decides: its 422 is shown next to the control it names (`errorKeys`).
// Pure; unit-tested in e2e/ui/unit/settings-edit.test.js.

/** Why a setting is shown read-only. */
export const FIXED = {
  name: 'Names are fixed once created: records, responses and scripts refer to them.',
  type: 'The type is fixed once created.',
  required: 'Set when it was created: the API does not change it.',
  ratingOptions: 'Rating values are fixed once created: the API keeps them as they are.',
  rankingOptions: 'Ranking options are fixed once created: the API keeps them as they are.',
  optionValues: 'Label values are fixed (answers refer to them); their texts and order may change.',
  spanField: 'The field a span question marks is fixed once created.',
  overlapOn: 'Overlapping spans cannot be turned off once allowed: existing answers may overlap.',
  fewOptions: 'Limiting the visible labels needs at least 3 labels.',
  published: 'Published: fields and questions can no longer be added or removed, and names, types and required flags stay as they are.',
  draft: 'Draft: names, types and required flags are fixed once created; fields and questions are added or removed through the SDK.',
  metadataSettings: "A property's type and values are fixed once created.",
  dimensions: "A vector's dimensions are fixed once created.",
};

/**
 * What a question's form offers beyond title and description.
 * @param {{settings: any}} q
 */
export function questionEditable(q) {
  const s = q.settings;
  const labels = ['label_selection', 'multi_label_selection', 'span'].includes(s.type);
  const n = labels ? s.options.length : 0;
  return {
    useMarkdown: s.type === 'text',
    optionTexts: labels,
    visibleOptions: labels && n >= 3,
    optionsOrder: s.type === 'multi_label_selection',
    // Off → on is allowed; on stays on.
    allowOverlapping: s.type === 'span' ? (s.allow_overlapping ? 'fixed-on' : 'editable') : null,
    fixedOptions: s.type === 'rating' ? FIXED.ratingOptions : s.type === 'ranking' ? FIXED.rankingOptions : null,
  };
}

/** Blank text is no text (the API clears a description with null). @param {string} text */
function orNull(text) {
  return text.trim() === '' ? null : text;
}

/** An integer typed in a number box, or the text itself so the server's message says what is wrong.
 * @param {string} text @returns {number|string|null} */
export function intOrText(text) {
  const t = text.trim();
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/**
 * The PATCH body of a question.
 * @param {{settings: any}} q
 * @param {{title: string, description: string, useMarkdown?: boolean, options?: {value: string, text: string}[],
 *   visibleOptions?: string, optionsOrder?: string, allowOverlapping?: boolean}} v
 *   `options`: the labels in the order shown, with their texts (values never change; order may).
 */
export function questionBody(q, v) {
  const s = q.settings;
  const can = questionEditable(q);
  /** @type {Record<string, any>} */
  const body = { title: v.title, description: orNull(v.description) };
  if (can.useMarkdown) body.settings = { type: s.type, use_markdown: !!v.useMarkdown };
  if (can.optionTexts) {
    /** @type {Map<string, any>} */
    const stored = new Map(s.options.map((/** @type {any} */ o) => [o.value, o]));
    const shown = v.options || s.options;
    /** @type {Record<string, any>} */
    const settings = {
      type: s.type,
      options: shown.map((/** @type {{value: string, text: string}} */ o) => ({ value: o.value, text: o.text, description: stored.get(o.value)?.description ?? null })),
    };
    if (can.visibleOptions) settings.visible_options = intOrText(v.visibleOptions ?? '');
    if (can.optionsOrder) settings.options_order = v.optionsOrder || s.options_order;
    if (can.allowOverlapping === 'editable') settings.allow_overlapping = !!v.allowOverlapping;
    body.settings = settings;
  }
  return body;
}

/**
 * The PATCH body of a field.
 * @param {{settings: any}} f
 * @param {{title: string, description: string, useMarkdown?: boolean, template?: string, advancedMode?: boolean}} v
 */
export function fieldBody(f, v) {
  const s = f.settings;
  /** @type {Record<string, any>} */
  const body = { title: v.title, description: orNull(v.description) };
  if (s.type === 'text' || s.type === 'chat') body.settings = { type: s.type, use_markdown: !!v.useMarkdown };
  if (s.type === 'custom') body.settings = { type: 'custom', template: v.template ?? s.template, advanced_mode: !!v.advancedMode };
  return body;
}

/**
 * The PATCH body of the dataset itself.
 * @param {{name: string, guidelines: string, allowExtraMetadata: boolean, minSubmitted: string, responsesVisible: boolean}} v
 */
export function datasetBody(v) {
  return {
    name: v.name,
    guidelines: orNull(v.guidelines),
    allow_extra_metadata: v.allowExtraMetadata,
    distribution: { strategy: 'overlap', min_submitted: intOrText(v.minSubmitted) },
    responses_visible_for_annotators: v.responsesVisible,
  };
}

/** Keys the server's messages name, longest first so `visible_options` wins over `options`. */
const KEYS = ['visible_options', 'options_order', 'allow_overlapping', 'min_submitted', 'guidelines', 'template', 'description', 'options', 'title', 'name'];

/**
 * Which settings a 422 is about: the keys of each error's `loc` (coded bodies), else the known keys
 * its message names (the plain `{"detail": "…"}` of a broken update rule). Empty when unknown.
 * @param {any} body @returns {string[]}
 */
export function errorKeys(body) {
  const detail = body && body.detail;
  if (detail && detail.params && Array.isArray(detail.params.errors)) {
    const res = [];
    for (const e of detail.params.errors) {
      const named = (e.loc || []).filter((/** @type {any} */ it) => typeof it === 'string' && KEYS.includes(it));
      if (named.length) res.push(named[named.length - 1]);
    }
    return [...new Set(res)];
  }
  if (typeof detail === 'string') {
    const hit = KEYS.find((k) => new RegExp(`\\b${k}\\b`).test(detail));
    return hit ? [hit] : [];
  }
  return [];
}
