// Draft handling: a debounced autosave that never loses a change. One save runs at a time; a
// failed save is retried with backoff and the newest change wins; the unsaved form is also kept
// in local storage so a reload or a closed tab does not lose typed text.

/**
 * @typedef {'idle'|'pending'|'saving'|'saved'|'retrying'} SaveStatus
 * @typedef {{save: (payload: any) => Promise<void>, delayMs?: number,
 *   onStatus?: (status: SaveStatus, error?: any) => void,
 *   setTimer?: (fn: () => void, ms: number) => any, clearTimer?: (handle: any) => void}} AutosaverOptions
 */

/** Backoff before retry `n` (1-based), in milliseconds: 1 s, 2 s, 4 s, … at most 15 s. @param {number} n */
export function retryDelay(n) {
  return Math.min(15000, 1000 * 2 ** Math.max(0, n - 1));
}

export class Autosaver {
  /** @param {AutosaverOptions} opts */
  constructor(opts) {
    this.opts = opts;
    this.delayMs = opts.delayMs ?? 1500;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h));
    /** @type {any} */ this.pending = undefined;
    this.hasPending = false;
    /** @type {any} */ this.timer = null;
    /** @type {Promise<void>|null} */ this.running = null;
    this.failures = 0;
    /** @type {SaveStatus} */ this.status = 'idle';
  }

  /** @param {SaveStatus} status @param {any} [error] */
  setStatus(status, error) {
    this.status = status;
    if (this.opts.onStatus) this.opts.onStatus(status, error);
  }

  /** A change to save after the quiet period. @param {any} payload */
  changed(payload) {
    this.pending = payload;
    this.hasPending = true;
    if (this.status !== 'retrying') this.setStatus('pending');
    this.arm(this.failures ? retryDelay(this.failures) : this.delayMs);
  }

  /** @param {number} ms */
  arm(ms) {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Saves the pending change now (waits for a running save first). */
  async flush() {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    while (this.running) await this.running;
    if (!this.hasPending) return;
    const payload = this.pending;
    this.hasPending = false;
    this.setStatus('saving');
    this.running = (async () => {
      try {
        await this.opts.save(payload);
        this.failures = 0;
        this.setStatus(this.hasPending ? 'pending' : 'saved');
      } catch (err) {
        this.failures += 1;
        if (!this.hasPending) {
          this.pending = payload;
          this.hasPending = true;
        }
        this.setStatus('retrying', err);
        this.arm(retryDelay(this.failures));
      }
    })();
    await this.running;
    this.running = null;
  }

  /** Drops any unsaved change (after a submit or discard saved the form another way). */
  cancel() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.hasPending = false;
    this.failures = 0;
    this.setStatus('idle');
  }
}

/**
 * The local-storage key of a record's unsaved form, per user: annotators sharing a browser never
 * get each other's unsaved answers.
 * @param {string} userId @param {string} recordId
 */
export function backupKey(userId, recordId) {
  return `loam.unsaved.${userId}.${recordId}`;
}

/**
 * @param {{getItem(k: string): string|null, setItem(k: string, v: string): void, removeItem(k: string): void}} storage
 * @param {string} userId @param {string} recordId @param {Record<string, any>} answers
 */
export function keepBackup(storage, userId, recordId, answers) {
  try {
    storage.setItem(backupKey(userId, recordId), JSON.stringify({ answers, at: Date.now() }));
  } catch {
    // Storage full or disabled: the server copy is still being retried.
  }
}

/**
 * The caller's backed-up answers of a record, if any.
 * @param {{getItem(k: string): string|null}} storage @param {string} userId @param {string} recordId
 * @returns {Record<string, any>|null}
 */
export function readBackup(storage, userId, recordId) {
  try {
    const raw = storage.getItem(backupKey(userId, recordId));
    if (!raw) return null;
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed.answers === 'object' ? parsed.answers : null;
  } catch {
    return null;
  }
}

/** @param {{removeItem(k: string): void}} storage @param {string} userId @param {string} recordId */
export function dropBackup(storage, userId, recordId) {
  try {
    storage.removeItem(backupKey(userId, recordId));
  } catch {
    // Nothing to do.
  }
}
