// Owners and admins edit a record's text fields and metadata from the annotation view (issue 20):
// the PATCH body made of the form's inputs, each metadata value read as its property's type, and
// the history's lines (`GET /api/v1/records/{id}/history`, a loam extension). Pure; unit-tested
// in e2e/ui/unit/record-edit.test.js.

/** The fields the form edits: text fields (other kinds are left as they are). @param {any[]} fields */
export function editableFields(fields) {
  return fields.filter((f) => f.settings && f.settings.type === 'text');
}

/** A metadata value as its input shows it. @param {any} value */
export function metadataInput(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A metadata input read as its property's type: empty removes the value; integers and floats
 * must be numbers of that kind (an Error names the property otherwise).
 * @param {{name: string, settings: {type: string}}} prop @param {string} text @returns {any}
 */
export function metadataValue(prop, text) {
  const t = text.trim();
  if (t === '') return undefined;
  if (prop.settings.type === 'integer') {
    if (!/^-?\d+$/.test(t)) throw new Error(`${prop.name}: enter a whole number`);
    return Number(t);
  }
  if (prop.settings.type === 'float') {
    const n = Number(t);
    if (!Number.isFinite(n)) throw new Error(`${prop.name}: enter a number`);
    return n;
  }
  return text;
}

/**
 * The PATCH body: the record's fields with the edited texts (an emptied one as null), and its
 * metadata with each property's input (keys of no property kept as they are).
 * @param {any} record @param {Record<string, string>} texts by field name
 * @param {{name: string, settings: {type: string}}[]} properties @param {Record<string, string>} inputs by property name
 * @returns {{fields: Record<string, any>, metadata: Record<string, any>}}
 */
export function editBody(record, texts, properties, inputs) {
  /** @type {Record<string, any>} */
  const fields = { ...(record.fields || {}) };
  // An emptied text is no value (the server refuses that for a required field).
  for (const [name, text] of Object.entries(texts)) fields[name] = text === '' ? null : text;
  /** @type {Record<string, any>} */
  const metadata = { ...(record.metadata || {}) };
  for (const prop of properties) {
    if (!(prop.name in inputs)) continue;
    const value = metadataValue(prop, inputs[prop.name]);
    if (value === undefined) delete metadata[prop.name];
    else metadata[prop.name] = value;
  }
  return { fields, metadata };
}

/** A history value as text. @param {any} value */
function shown(value) {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'string' ? `“${value}”` : JSON.stringify(value);
}

/**
 * One change of the history as a line: what changed, from what to what, by whom.
 * @param {{kind: string, name: string, previous: any, value: any, changed_by: null|{username: string}}} entry
 */
export function historyLine(entry) {
  const what = entry.kind === 'field' ? `Field ${entry.name}` : `Metadata ${entry.name}`;
  const who = entry.changed_by ? ` by ${entry.changed_by.username}` : '';
  return `${what}: ${shown(entry.previous)} → ${shown(entry.value)}${who}`;
}
