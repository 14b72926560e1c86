// The leases of the annotation view's Pending queue (issue 20; pure rules in lib/leases.js): the
// record shown is leased to the annotator (`PUT /api/v1/me/records/{id}/lease`, which releases
// their other leases in the dataset); one held by as many others as it needs is replaced by the
// next free one (`POST /api/v1/me/datasets/{id}/records/next`; `shown` picks the record to show);
// the lease is renewed on a timer while the page is visible and released on leaving (a keepalive
// request, so it survives the page) or when the view shows another queue.

import * as api from '../../api.js';
import { renewEvery, replaceAt } from '../../lib/leases.js';
import { dropAt, recordAt } from '../../lib/queue.js';
import { ownResponse } from '../../lib/answers.js';

/** The server's 409 for a record the caller already answered (loam_service::leases). */
const ANSWERED = /^You already answered this record/;

export class Leases {
  /**
   * @param {string} datasetId
   * @param {(message: string) => void} lost told when a renewal is refused (the record went to others)
   */
  constructor(datasetId, lost) {
    this.datasetId = datasetId;
    this.lost = lost;
    /** The record leased now, if any. @type {string|null} */
    this.held = null;
    /** @type {ReturnType<typeof setInterval>|null} */
    this.timer = null;
    this.onPageHide = () => this.release();
    window.addEventListener('pagehide', this.onPageHide);
  }

  /**
   * Leases `recordId` to the caller: 'leased'; 'answered' when the caller answered it meanwhile
   * (in another tab: it is theirs, shown without a lease); 'taken' when others hold as many places
   * as it needs or it got all its answers.
   * @param {string} recordId @returns {Promise<'leased'|'answered'|'taken'>}
   */
  async take(recordId) {
    try {
      const lease = await api.call('PUT', `/api/v1/me/records/${recordId}/lease`);
      this.hold(recordId, lease.duration_seconds);
      return 'leased';
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 409) {
        this.release();
        return ANSWERED.test(err.message) ? 'answered' : 'taken';
      }
      throw err;
    }
  }

  /**
   * The next free record past `afterId` (leased to the caller), or none with how many records
   * others hold.
   * @param {string|null} afterId
   * @returns {Promise<{record: any, lease: any, held_by_others: number}>}
   */
  async next(afterId) {
    const res = await api.post(`/api/v1/me/datasets/${this.datasetId}/records/next`, afterId ? { after: afterId } : {});
    if (res.record) this.hold(res.record.id, res.lease.duration_seconds);
    else this.stop();
    return res;
  }

  /**
   * The record at `pos` of the queue's window `w` leased to `userId`, or one in its place: a record
   * others hold as many places of as it needs is replaced by the next free one (past it in
   * insertion order), or, in a queue narrowed by search or filters, left out for the next one in
   * the queue. None when nothing is free (`held` is told how many records others hold).
   * @param {import('../../lib/queue.js').Window} w @param {number} pos @param {boolean} narrowed
   * @param {string} userId @param {(count: number) => void} held
   */
  async shown(w, pos, narrowed, userId, held) {
    let record = recordAt(w, pos);
    if (!record && w.records.length === 0 && !narrowed) {
      // No record left in hand: the server says whether one is free, or all are held by others.
      const res = await this.next(null);
      if (res.record) replaceAt(w, pos, res.record);
      else held(res.held_by_others);
      return res.record;
    }
    while (record) {
      // One the caller answered already (a draft put back by an undo) is theirs: no lease to take.
      if (ownResponse(record, userId)) {
        this.release();
        return record;
      }
      if ((await this.take(record.id)) !== 'taken') return record;
      if (!narrowed) {
        const res = await this.next(record.id);
        if (res.record) {
          replaceAt(w, pos, res.record);
          return res.record;
        }
        held(res.held_by_others);
        return null;
      }
      dropAt(w, pos);
      record = recordAt(w, pos);
    }
    return null;
  }

  /** @param {string} recordId @param {number} seconds */
  hold(recordId, seconds) {
    this.stop();
    this.held = recordId;
    this.timer = setInterval(() => void this.renew(), renewEvery(seconds));
  }

  async renew() {
    const id = this.held;
    if (!id || document.visibilityState !== 'visible') return;
    try {
      await api.call('PUT', `/api/v1/me/records/${id}/lease`);
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 409 && this.held === id) {
        this.stop();
        this.lost(err.message);
      }
    }
  }

  /** Stops renewing (the server released the lease, or it is no longer held). */
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.held = null;
  }

  /** Releases the lease held, if any, with a request that outlives the page. */
  release() {
    const id = this.held;
    this.stop();
    if (id) api.sendBeacon('DELETE', `/api/v1/me/records/${id}/lease`);
  }

  close() {
    this.release();
    window.removeEventListener('pagehide', this.onPageHide);
  }
}
