// What the annotation view reads of its queue: pages of records as the caller's queue, search,
// sort and filters ask for them, and the figures of the queue tabs, with the records a reviewer
// returned to the caller (review, issue 20), which the Returned queue is made of.

import * as api from '../../api.js';
import { PAGE, pendingCountBody, returnedEmpty, searchBody } from '../../lib/queue.js';

/** @typedef {import('../../lib/queue.js').Window} Window */

export class QueueReader {
  /** @param {string} datasetId @param {any} q the view's queue query, read at each call */
  constructor(datasetId, q) {
    this.datasetId = datasetId;
    this.q = q;
    /** Records returned to the caller, by record id. @type {Map<string, any>} */
    this.returned = new Map();
  }

  /** @param {{items: any[]}} res a reply of `…/review/returned` */
  keepReturned(res) {
    this.returned = new Map(res.items.map((it) => [it.record_id, it]));
  }

  /** The records from `offset` on. @param {number} offset @param {number} [limit] @returns {Promise<Window>} */
  async page(offset, limit = PAGE) {
    const ids = [...this.returned.keys()];
    if (returnedEmpty(this.q, ids)) return { offset, records: [], total: 0 };
    const url = `/api/v1/me/datasets/${this.datasetId}/records/search?include=responses&include=suggestions&offset=${offset}&limit=${limit}`;
    const res = await api.post(url, searchBody(this.q, ids));
    return { offset, records: res.items.map((/** @type {any} */ it) => it.record), total: res.total };
  }

  /** The caller's metrics and pending count, the returned records read again. */
  async counts() {
    const [metrics, pending, back] = await Promise.all([
      api.get(`/api/v1/me/datasets/${this.datasetId}/metrics`),
      api.post(`/api/v1/me/datasets/${this.datasetId}/records/search?offset=0&limit=1`, pendingCountBody()),
      api.get(`/api/v1/me/datasets/${this.datasetId}/review/returned`),
    ]);
    this.keepReturned(back);
    return { metrics, pending: /** @type {number} */ (pending.total) };
  }
}
