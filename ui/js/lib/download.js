// The export panel's pure parts: the body of `POST /api/v1/datasets/{id}/exports` from the panel's
// choices (the mapping typed as JSON), and the name to save the streamed file under, from the
// reply's Content-Disposition. Pure: no DOM, no network.

export const SHAPES = ['records', 'sft', 'preference', 'rm', 'dpo', 'kto'];
export const FORMATS = ['jsonl', 'csv', 'parquet', 'hf'];
export const LAYOUTS = ['standard', 'conversational'];
export const BELOW_MIN = ['skip', 'flag'];

/** What a format's file ends with when the server names none (hf: a folder, sent as a tar archive). */
const EXTENSIONS = /** @type {Record<string, string>} */ ({ jsonl: 'jsonl', csv: 'csv', parquet: 'parquet', hf: 'tar' });

/**
 * The request body, or an error naming what is wrong with the typed mapping. The mapping is sent
 * only when it is not the server's own default (`inferred`, as it was shown): left alone, the
 * server infers it again; layout is sent only when not the standard one.
 * @param {{shape: string, format: string, layout: string, below: string, mapping: string, inferred?: string|null}} choice
 * @returns {{body: Record<string, any>, error?: undefined}|{error: string, body?: undefined}}
 */
export function exportBody(choice) {
  /** @type {Record<string, any>} */
  const body = { shape: choice.shape, format: choice.format };
  if (choice.layout && choice.layout !== 'standard') body.layout = choice.layout;
  if (choice.below) body.below_min_submitted = choice.below;
  const text = choice.mapping.trim();
  if (text !== '' && text !== (choice.inferred ?? '').trim()) {
    try {
      const mapping = JSON.parse(text);
      if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) return { error: 'The mapping must be a JSON object' };
      body.mapping = mapping;
    } catch (err) {
      return { error: `The mapping is not JSON: ${err instanceof Error ? err.message : err}` };
    }
  }
  return { body };
}

/**
 * The file name a Content-Disposition header gives (`filename*=UTF-8''…` before `filename="…"`),
 * reduced to a plain name (no folders, no control characters); `fallback` when it gives none.
 * @param {string|null|undefined} header @param {string} fallback
 */
export function filenameFrom(header, fallback) {
  let name = '';
  if (header) {
    const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
    if (star) {
      const raw = star[1].trim().replace(/^"(.*)"$/, '$1');
      const at = raw.indexOf("''");
      try {
        name = decodeURIComponent(at >= 0 ? raw.slice(at + 2) : raw);
      } catch {
        name = '';
      }
    }
    if (!name) {
      const plain = /filename\s*=\s*("((?:\\.|[^"\\])*)"|[^;]+)/i.exec(header);
      if (plain) name = plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1].trim();
    }
  }
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[/\\]/).pop() || '';
  name = name.trim();
  if (!name || name === '.' || name === '..') return fallback;
  return name;
}

/** The name to use when the server gives none. @param {string} dataset @param {string} shape @param {string} format */
export function defaultFilename(dataset, shape, format) {
  const base = dataset.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';
  return `${base}-${shape}.${EXTENSIONS[format] || format}`;
}
