// The annotation view's undo of its last submit or discard, while the page stays open: a toast
// that says what was done with its Undo button and key, and the request that puts the caller's
// response back exactly as it was (lib/undo.js holds the rules).

import * as api from '../../api.js';
import { h, replace } from '../../dom.js';
import { ACTION_KEYS } from '../../lib/keys.js';
import { responsesAfterUndo, undoLabel, undoRequest } from '../../lib/undo.js';

/** @typedef {import('../../lib/undo.js').UndoEntry} UndoEntry */

/** How long the toast stays in view; the Undo button in the form and the key stay until the next answer. */
const TOAST_MS = 12_000;

export class LastAnswer {
  /** @param {HTMLElement} main where the toast lives @param {() => void} onUndo the toast's button */
  constructor(main, onUndo) {
    /** @type {UndoEntry|null} */
    this.entry = null;
    this.onUndo = onUndo;
    this.toast = h('div', { class: 'toast', id: 'undo-toast', role: 'status', 'aria-live': 'polite', hidden: true });
    /** @type {any} */
    this.timer = null;
    main.append(this.toast);
  }

  /** The button the form shows while there is something to undo. @returns {{label: string, run: () => void}|null} */
  get button() {
    return this.entry ? { label: undoLabel(this.entry.status), run: this.onUndo } : null;
  }

  /** An answer that can be undone (it replaces the one before). @param {UndoEntry} entry @param {string} what e.g. "Submitted" */
  remember(entry, what) {
    this.entry = entry;
    const key = ACTION_KEYS.undo;
    replace(
      this.toast,
      h('span', null, what),
      h('button', { type: 'button', class: 'link', id: 'undo-toast-btn', tabindex: '-1', title: `${undoLabel(entry.status)} (${key} or Ctrl+Z)`, onclick: () => this.onUndo() }, 'Undo', h('kbd', { class: 'key-hint' }, key)),
    );
    this.toast.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.toast.hidden = true), TOAST_MS);
  }

  forget() {
    this.entry = null;
    clearTimeout(this.timer);
    this.toast.hidden = true;
  }

  /**
   * Puts the caller's response back as it was on the server and in the record; the entry is
   * forgotten once done. Throws when the server refuses (the entry is kept: it can be tried again).
   * @returns {Promise<UndoEntry|null>}
   */
  async undo() {
    const entry = this.entry;
    if (!entry) return null;
    const req = undoRequest(entry);
    const restored = req.method === 'DELETE' ? (await api.del(req.path), null) : await api.put(req.path, req.body);
    entry.record.responses = responsesAfterUndo(entry.record.responses, entry, restored);
    this.forget();
    return entry;
  }

  /** The view is closing. */
  close() {
    clearTimeout(this.timer);
    this.toast.remove();
  }
}
