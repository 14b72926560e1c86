// Live views: poll a cheap endpoint while the tab is visible. The server answers 304 when nothing
// changed since the ETag we hold (so an unchanged poll costs it a lookup and an index count); a
// failure backs off 2×, 4×, … up to a minute, and a success returns to the normal pace. A hidden tab
// does not poll at all; showing it again polls at once.

/**
 * @typedef {{changed: boolean, etag: string|null, data?: any}} PollResult
 * @typedef {{fetch: (etag: string|null) => Promise<PollResult>, onData: (data: any) => void,
 *   onError?: (error: any, retryInMs: number) => void, intervalMs?: number,
 *   isVisible?: () => boolean,
 *   setTimer?: (fn: () => void, ms: number) => any, clearTimer?: (handle: any) => void}} PollerOptions
 */

/** Milliseconds before the next poll after `failures` failures in a row. @param {number} failures @param {number} intervalMs */
export function pollDelay(failures, intervalMs) {
  if (failures <= 0) return intervalMs;
  return Math.min(60000, intervalMs * 2 ** failures);
}

export class Poller {
  /** @param {PollerOptions} opts */
  constructor(opts) {
    this.opts = opts;
    this.intervalMs = opts.intervalMs ?? 1500;
    this.isVisible = opts.isVisible ?? (() => true);
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h));
    /** @type {string|null} */ this.etag = null;
    this.failures = 0;
    /** @type {any} */ this.timer = null;
    this.inFlight = false;
    this.stopped = true;
  }

  /** Polls now, then keeps polling. */
  start() {
    this.stopped = false;
    void this.tick();
  }

  /** Keeps polling from data already in hand (fetched with the page): first poll after the interval. @param {string|null} etag */
  continueFrom(etag) {
    this.etag = etag;
    this.stopped = false;
    this.schedule();
  }

  stop() {
    this.stopped = true;
    this.cancelTimer();
  }

  /** The page's visibility changed: pause while hidden, poll at once when shown again. */
  visibilityChanged() {
    if (this.stopped) return;
    if (!this.isVisible()) {
      this.cancelTimer();
      return;
    }
    if (this.timer === null && !this.inFlight) void this.tick();
  }

  cancelTimer() {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
  }

  /** One poll, then the next one scheduled (unless stopped or hidden). */
  async tick() {
    this.cancelTimer();
    if (this.stopped || !this.isVisible() || this.inFlight) return;
    this.inFlight = true;
    try {
      const res = await this.opts.fetch(this.etag);
      this.failures = 0;
      if (res.changed) {
        this.etag = res.etag;
        if (!this.stopped) this.opts.onData(res.data);
      }
    } catch (err) {
      this.failures += 1;
      if (this.opts.onError && !this.stopped) this.opts.onError(err, pollDelay(this.failures, this.intervalMs));
    } finally {
      this.inFlight = false;
    }
    this.schedule();
  }

  schedule() {
    if (this.stopped || !this.isVisible()) return;
    this.cancelTimer();
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.tick();
    }, pollDelay(this.failures, this.intervalMs));
  }
}
