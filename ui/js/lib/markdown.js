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
    /** Records whose markdown is being asked for: a second ask waits for that answer. @type {Map<string, Promise<string[]>>} */
    this.pending = new Map();
  }

  /** @param {string} id */
  has(id) {
    return this.html.has(id);
  }

  /** @param {string} id */
  get(id) {
    return this.html.get(id);
  }

  /** Whether `record` has markdown neither rendered nor being asked for. @param {any} record */
  missing(record) {
    return !this.html.has(record.id) && !this.pending.has(record.id) && markdownTexts(this.fields, record).length > 0;
  }

  /** The rendered markdown of `record`, asked for unless cached or being asked for. @param {any} record */
  async forRecord(record) {
    const cached = this.html.get(record.id);
    if (cached) return cached;
    const asked = this.pending.get(record.id);
    if (asked) return asked;
    await this.forMany([record]);
    return this.html.get(record.id) || [];
  }

  /**
   * Renders the markdown of many records in one request, into the cache (those cached or being
   * asked for are left out; a failed request leaves them to be asked for again).
   * @param {any[]} records
   */
  async forMany(records) {
    const todo = records.filter((r, i) => !this.html.has(r.id) && !this.pending.has(r.id) && records.findIndex((o) => o.id === r.id) === i);
    const texts = todo.map((r) => markdownTexts(this.fields, r));
    const flat = texts.flat();
    const all = flat.length ? this.render(flat) : Promise.resolve([]);
    let at = 0;
    const each = todo.map((r, i) => {
      const from = at;
      at += texts[i].length;
      const mine = all.then((html) => {
        const part = html.slice(from, from + texts[i].length);
        this.html.set(r.id, part);
        return part;
      });
      this.pending.set(r.id, mine);
      void mine.catch(() => {}).finally(() => {
        if (this.pending.get(r.id) === mine) this.pending.delete(r.id);
      });
      return mine;
    });
    const waiting = records.filter((r) => !todo.includes(r) && this.pending.has(r.id)).map((r) => this.pending.get(r.id));
    await Promise.all([...each, ...waiting]);
  }
}
