// The Import panel's rules, pure (views/settings/import.js): a file's format from its name, the
// targets a dataset's settings offer (fields, metadata, each question's suggestion value, score
// and agent, vectors, the external id), the choices read from a mapping the server sent back,
// the mapping (JSON, every section explicit) made of the choices, and what a report says.
// The mapping's keys are the server's (loam_domain::import_file).

/** @typedef {{key: string, section: 'fields'|'metadata'|'suggestions'|'vectors'|'external_id', name: string, part?: 'value'|'score'|'agent', label: string}} Target */

/** @param {string} filename @returns {'jsonl'|'csv'|'parquet'|null} */
export function formatOf(filename) {
  const ext = (filename.split('.').pop() || '').toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'parquet') return 'parquet';
  return null;
}

/**
 * Bytes a preview needs of the file: the start of a text file (whole lines are what counts; the
 * last one may be cut, so the server is asked for fewer rows than the slice holds), all of a
 * Parquet file (its footer is at the end).
 * @param {string} format @param {number} size
 */
export function previewBytes(format, size) {
  return format === 'parquet' ? size : Math.min(size, 1 << 20);
}

/**
 * Every target the settings offer, in the order the form shows them.
 * @param {{fields: any[], questions: any[], metadata: any[], vectors: any[]}} settings
 * @returns {Target[]}
 */
export function targetsOf(settings) {
  /** @type {Target[]} */
  const res = [];
  for (const f of settings.fields) res.push({ key: `fields.${f.name}`, section: 'fields', name: f.name, label: `Field: ${f.title || f.name}` });
  for (const m of settings.metadata) res.push({ key: `metadata.${m.name}`, section: 'metadata', name: m.name, label: `Metadata: ${m.title || m.name}` });
  for (const q of settings.questions) {
    const title = q.title || q.name;
    res.push({ key: `suggestions.${q.name}.value`, section: 'suggestions', name: q.name, part: 'value', label: `Suggestion for ${title}` });
    res.push({ key: `suggestions.${q.name}.score`, section: 'suggestions', name: q.name, part: 'score', label: `Score of the suggestion for ${title}` });
    res.push({ key: `suggestions.${q.name}.agent`, section: 'suggestions', name: q.name, part: 'agent', label: `Agent of the suggestion for ${title}` });
  }
  for (const v of settings.vectors) res.push({ key: `vectors.${v.name}`, section: 'vectors', name: v.name, label: `Vector: ${v.title || v.name}` });
  res.push({ key: 'external_id', section: 'external_id', name: 'external_id', label: 'External id' });
  return res;
}

/**
 * The column chosen for each target key, from a mapping the server resolved (a literal agent
 * is kept apart: it names no column).
 * @param {any} mapping
 * @returns {{columns: Record<string, string>, agents: Record<string, string>}}
 */
export function choicesFrom(mapping) {
  /** @type {Record<string, string>} */
  const columns = {};
  /** @type {Record<string, string>} */
  const agents = {};
  if (!mapping) return { columns, agents };
  for (const section of ['fields', 'metadata', 'vectors']) {
    for (const [name, column] of Object.entries(mapping[section] || {})) columns[`${section}.${name}`] = String(column);
  }
  for (const [name, source] of Object.entries(mapping.suggestions || {})) {
    const s = /** @type {any} */ (source);
    if (typeof s === 'string') {
      columns[`suggestions.${name}.value`] = s;
      continue;
    }
    if (s.value) columns[`suggestions.${name}.value`] = s.value;
    if (s.score) columns[`suggestions.${name}.score`] = s.score;
    if (s.agent_column) columns[`suggestions.${name}.agent`] = s.agent_column;
    if (s.agent) agents[name] = s.agent;
  }
  if (mapping.external_id) columns.external_id = mapping.external_id;
  return { columns, agents };
}

/**
 * The mapping the choices make, every section explicit (so the server infers nothing more). A
 * suggestion without a value column is left out; `agents` are literal agents by question.
 * @param {Record<string, string>} columns @param {Record<string, string>} agents
 */
export function mappingOf(columns, agents = {}) {
  /** @type {any} */
  const res = { fields: {}, metadata: {}, suggestions: {}, vectors: {}, external_id: null };
  for (const [key, column] of Object.entries(columns)) {
    if (!column) continue;
    if (key === 'external_id') {
      res.external_id = column;
      continue;
    }
    const [section, ...rest] = key.split('.');
    if (section === 'suggestions') {
      const part = rest.pop();
      const name = rest.join('.');
      const entry = (res.suggestions[name] ||= {});
      entry[part === 'agent' ? 'agent_column' : /** @type {string} */ (part)] = column;
    } else {
      res[section][rest.join('.')] = column;
    }
  }
  for (const [name, agent] of Object.entries(agents)) {
    const entry = res.suggestions[name];
    if (entry && agent && !entry.agent_column) entry.agent = agent;
  }
  for (const [name, entry] of Object.entries(res.suggestions)) {
    if (!(/** @type {any} */ (entry).value)) delete res.suggestions[name];
  }
  return res;
}

/** The summary line of a report. @param {{rows_read: number, imported: number, failed: number, stopped?: string|null}} report */
export function summary(report) {
  const rows = (/** @type {number} */ n) => `${n.toLocaleString('en')} row${n === 1 ? '' : 's'}`;
  let text = `Read ${rows(report.rows_read)}: ${report.imported.toLocaleString('en')} imported, ${report.failed.toLocaleString('en')} failed.`;
  if (report.stopped) text += ` Stopped early: ${report.stopped}`;
  return text;
}

/** Where a row error is, as people read it. @param {{row: number, line?: number}} err */
export function placeOf(err) {
  return err.line ? `line ${err.line}` : `row ${err.row}`;
}
