// The bulk view's rules as plain data: which page of the queue it shows, where it goes after an
// answer took records out of the queue, what is selected (some records, or every record matching
// the queue's search and filters, on every page), and how an answer for many records is split
// into the batches `POST /api/v1/me/responses/bulk` takes. Pure, so `node --test` covers it.

/** The most records one `POST /api/v1/me/responses/bulk` takes. */
export const RESPONSES_PER_BATCH = 100;
/** The most records one search page returns (collecting the ids of all matching records). */
export const IDS_PER_PAGE = 1000;

/**
 * What is selected: some records by id, or all records matching the queue's search and filters
 * (`all`, `total` of them when chosen), whatever page shows them.
 * @typedef {{all: boolean, total: number, ids: Set<string>}} Selection
 */

/** @returns {Selection} */
export function noSelection() {
  return { all: false, total: 0, ids: new Set() };
}

/** How many records the selection holds. @param {Selection} s */
export function selectedCount(s) {
  return s.all ? s.total : s.ids.size;
}

/** Whether record `id` is selected. @param {Selection} s @param {string} id */
export function isSelected(s, id) {
  return s.all || s.ids.has(id);
}

/**
 * The selection after (de)selecting `ids`. Taking one record out of "all matching" leaves the
 * records of the page shown (`shown`) selected but that one: the selection is then what is seen.
 * @param {Selection} s @param {string[]} ids @param {boolean} on @param {string[]} shown
 * @returns {Selection}
 */
export function toggle(s, ids, on, shown) {
  const res = new Set(s.all ? shown : s.ids);
  for (const id of ids) {
    if (on) res.add(id);
    else res.delete(id);
  }
  return { all: false, total: 0, ids: res };
}

/** Every record matching the queue: `total` of them. @param {number} total @returns {Selection} */
export function selectAll(total) {
  return { all: true, total, ids: new Set() };
}

/** The first position of the page holding `pos`. @param {number} pos @param {number} size */
export function pageStart(pos, size) {
  return Math.floor(Math.max(0, pos) / size) * size;
}

/**
 * The page to show after records left the queue: the same one, or the last one that still has
 * records when this one is past the end.
 * @param {number} offset @param {number} size @param {number} total
 */
export function pageAfter(offset, size, total) {
  if (offset < total) return offset;
  return total === 0 ? 0 : pageStart(total - 1, size);
}

/**
 * Where ← / → lead from the page at `offset`: the next page's offset, or null.
 * @param {number} offset @param {number} size @param {number} total @param {number} delta
 */
export function pageStep(offset, size, total, delta) {
  const to = offset + delta * size;
  return to < 0 || to >= total ? null : to;
}

/**
 * "Records 11–20 of 57": the page at `offset` with `n` records shown.
 * @param {number} offset @param {number} n @param {number} total
 */
export function pageLabel(offset, n, total) {
  if (!n) return `${total} in this queue`;
  return `${offset + 1}–${offset + n} of ${total}`;
}

/**
 * `ids` in batches of at most `size`. @param {string[]} ids @param {number} [size]
 * @returns {string[][]}
 */
export function batches(ids, size = RESPONSES_PER_BATCH) {
  const res = [];
  for (let i = 0; i < ids.length; i += size) res.push(ids.slice(i, i + size));
  return res;
}

/**
 * Collects the ids of every record a search matches, a page at a time (`fetchPage(offset,
 * limit)` answers `{ids, total}`). Stops at the total first seen: nothing is written meanwhile.
 * @param {(offset: number, limit: number) => Promise<{ids: string[], total: number}>} fetchPage
 * @returns {Promise<string[]>}
 */
export async function collectIds(fetchPage) {
  /** @type {string[]} */
  const res = [];
  const seen = new Set();
  let total = Infinity;
  for (let offset = 0; offset < total; offset += IDS_PER_PAGE) {
    const page = await fetchPage(offset, IDS_PER_PAGE);
    total = Math.min(total, page.total);
    for (const id of page.ids) {
      if (!seen.has(id)) {
        seen.add(id);
        res.push(id);
      }
    }
    if (page.ids.length < IDS_PER_PAGE) break;
  }
  return res;
}

/**
 * Answers `ids` batch by batch (`send(batch)` answers the endpoint's items, one per record, in
 * order) and tells `progress(done, total)` after each. A batch that throws stops the run; what was
 * saved before it stays saved and is counted.
 * @param {string[]} ids
 * @param {(batch: string[]) => Promise<{items: {error?: any}[]}>} send
 * @param {(done: number, total: number) => void} progress
 * @returns {Promise<{saved: number, failed: {id: string, detail: string}[], error: any}>}
 */
export async function answerInBatches(ids, send, progress) {
  let saved = 0;
  /** @type {{id: string, detail: string}[]} */
  const failed = [];
  let done = 0;
  for (const batch of batches(ids)) {
    let res;
    try {
      res = await send(batch);
    } catch (error) {
      return { saved, failed, error };
    }
    batch.forEach((id, i) => {
      const item = res.items[i];
      if (item && item.error) failed.push({ id, detail: String(item.error.detail ?? 'failed') });
      else saved += 1;
    });
    done += batch.length;
    progress(done, ids.length);
  }
  return { saved, failed, error: null };
}

/**
 * The status line after a bulk answer.
 * @param {{saved: number, failed: {detail: string}[], error: any}} res @param {string} status
 */
export function answeredText(res, status) {
  const verb = status === 'submitted' ? 'submitted' : status === 'discarded' ? 'discarded' : 'saved as drafts';
  const parts = [`${res.saved} record${res.saved === 1 ? '' : 's'} ${verb}`];
  if (res.failed.length) parts.push(`${res.failed.length} failed: ${res.failed[0].detail}`);
  if (res.error) parts.push(`stopped: ${res.error instanceof Error ? res.error.message : res.error}`);
  return parts.join('; ');
}
