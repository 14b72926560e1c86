// Time on task (issue 20): the active time an annotator spends on each record, measured from
// events with an injectable clock. Time counts while the tab is visible and the annotator gave
// input (a key, the pointer, a scroll) within the idle limit; opening a record counts as input.
// Each save of a response takes the time gathered on its record since the last save and sends
// it (`loam_active_ms`); a failed save gives it back. Pure: the view feeds it the events
// (views/annotate/timing.js).

/** Input older than this stops the count until the next input. */
export const IDLE_MS = 60_000;
/** The most one save may carry (the server refuses more: loam_domain::time_on_task). */
export const MAX_PER_SAVE = 3_600_000;
/** The key of time spent in the bulk view (shared out over the records one bulk answer saves). */
export const BULK = '\u0000bulk';

export class ActiveTime {
  /** @param {{now?: () => number, idleMs?: number, visible?: boolean}} [options] */
  constructor(options = {}) {
    this.now = options.now || (() => Date.now());
    this.idleMs = options.idleMs ?? IDLE_MS;
    this.visible = options.visible ?? true;
    /** Time gathered per key since its last save. @type {Map<string, number>} */
    this.spent = new Map();
    /** @type {string|null} */
    this.key = null;
    /** Until when time counts without more input. */
    this.activeUntil = -Infinity;
    /** Counted up to here. */
    this.mark = this.now();
  }

  /** Counts the time since the last event for the open key. */
  advance() {
    const t = this.now();
    if (this.visible && this.key !== null) {
      const end = Math.min(t, this.activeUntil);
      if (end > this.mark) this.spent.set(this.key, (this.spent.get(this.key) || 0) + (end - this.mark));
    }
    this.mark = t;
  }

  /** A record (or the bulk view) opens: what follows counts for `key` (null: nothing open). @param {string|null} key */
  open(key) {
    this.advance();
    this.key = key;
    if (key !== null) this.activeUntil = this.mark + this.idleMs;
  }

  /** Input from the annotator. */
  input() {
    this.advance();
    this.activeUntil = this.mark + this.idleMs;
  }

  /** The tab became visible or hidden. @param {boolean} visible */
  visibility(visible) {
    this.advance();
    this.visible = visible;
  }

  /** Whole milliseconds gathered for `key`, not taken. @param {string} key */
  peek(key) {
    this.advance();
    return Math.round(this.spent.get(key) || 0);
  }

  /**
   * Takes the time gathered for `key` for a save (at most MAX_PER_SAVE; the rest waits for the
   * next save). @param {string} key @returns {number}
   */
  take(key) {
    const all = this.peek(key);
    const ms = Math.min(all, MAX_PER_SAVE);
    if (all - ms > 0) this.spent.set(key, all - ms);
    else this.spent.delete(key);
    return ms;
  }

  /** A save failed: its time is gathered again. @param {string} key @param {number} ms */
  giveBack(key, ms) {
    if (ms > 0) this.spent.set(key, (this.spent.get(key) || 0) + ms);
  }
}

/**
 * `ms` shared out over `n` records in whole milliseconds, the remainder to the first ones (what a
 * bulk answer sends per record).
 * @param {number} ms @param {number} n @returns {number[]}
 */
export function shareOut(ms, n) {
  if (n <= 0) return [];
  const each = Math.floor(ms / n);
  const rest = ms - each * n;
  return Array.from({ length: n }, (_, i) => each + (i < rest ? 1 : 0));
}
