// The markdown of records, rendered by the server (sanitised there, STYLE §2.8) and kept per
// record: which texts of a record are markdown and in what order, and a cache that asks for a
// record's texts, or many records' at once, in one request. The renderer is passed in, so
// `node --test` covers this without a server.

/**
 * The markdown texts of a record, in a fixed order: text fields, then chat turns, field by field.
 * @param {any[]} fields @param {any} record
 * @returns {string[]}
 */
export function markdownTexts(fields, record) {
  /** @type {string[]} */
  const texts = [];
  for (const f of fields) {
    const v = record.fields[f.name];
    if (v === undefined || v === null || !f.settings.use_markdown) continue;
    if (f.settings.type === 'text' && typeof v === 'string') texts.push(v);
    if (f.settings.type === 'chat' && Array.isArray(v)) for (const turn of v) texts.push(String(turn.content ?? ''));
  }
  return texts;
}

/**
 * Where the text of field `name` sits in `markdownTexts(fields, record)`.
 * @param {any[]} fields @param {any} record @param {string} name
 */
export function markdownIndex(fields, record, name) {
  let i = 0;
  for (const f of fields) {
    if (f.name === name) return i;
    const v = record.fields[f.name];
    if (v === undefined || v === null || !f.settings.use_markdown) continue;
    if (f.settings.type === 'text' && typeof v === 'string') i += 1;
    if (f.settings.type === 'chat' && Array.isArray(v)) i += v.length;
  }
  return i;
}

/** Records' rendered markdown by record id; a record with no markdown costs no request. */
export class MarkdownCache {
  /** @param {any[]} fields @param {(texts: string[]) => Promise<string[]>} render */
  constructor(fields, render) {
    this.fields = fields;
    this.render = render;
    /** @type {Map<string, string[]>} */
    this.html = new Map();
  }

  /** @param {string} id */
  has(id) {
    return this.html.has(id);
  }

  /** @param {string} id */
  get(id) {
    return this.html.get(id);
  }

  /** Whether `record` has markdown not rendered yet. @param {any} record */
  missing(record) {
    return !this.html.has(record.id) && markdownTexts(this.fields, record).length > 0;
  }

  /** The rendered markdown of `record`, asked for unless cached. @param {any} record */
  async forRecord(record) {
    if (this.html.has(record.id)) return this.html.get(record.id);
    const texts = markdownTexts(this.fields, record);
    const html = texts.length ? await this.render(texts) : [];
    this.html.set(record.id, html);
    return html;
  }

  /** Renders the markdown of many records in one request, into the cache. @param {any[]} records */
  async forMany(records) {
    const todo = records.filter((r) => !this.html.has(r.id));
    const texts = todo.map((r) => markdownTexts(this.fields, r));
    const flat = texts.flat();
    const html = flat.length ? await this.render(flat) : [];
    let at = 0;
    todo.forEach((r, i) => {
      this.html.set(r.id, html.slice(at, at + texts[i].length));
      at += texts[i].length;
    });
  }
}
