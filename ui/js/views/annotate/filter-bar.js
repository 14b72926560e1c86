// The annotation view's filters wired to the view: the filters and sort of the URL checked against
// the settings the caller sees (annotators never get hidden metadata: the server leaves it out of
// `/me/…/metadata-properties`), the sort menu's choices, the Filters button (with the number in
// force), the chips, the panel opened and closed, and what the panel reads from the server
// (metadata metrics and suggestion agents), each asked for once. A change reloads the queue.
// The chips and the panel (annotate/filters.js) are loaded when first needed: a view opened
// without filters does not download them.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { describe, filterSchema, isKnown, keepKnown, parseSort, sortChoices, sortKnown } from '../../lib/filters.js';

const panelModule = () => import('./filters.js');

/** @typedef {import('../../lib/filters.js').Filter} Filter */

/**
 * @param {string} datasetId @param {any[]} metadata the caller's metadata properties
 * @param {any[]} questions @param {import('../../lib/queue.js').QueueQuery} q the view's query
 */
export function filterBar(datasetId, metadata, questions, q) {
  const schema = filterSchema(metadata, questions);
  const known = keepKnown(q.filters, schema);
  const sortOk = sortKnown(parseSort(q.sort), schema);
  const dropped = known.length !== q.filters.length || !sortOk;
  // Said above the queue until the filters change: a link whose filter was left out must not look
  // filtered, or "select all matching" in the bulk view would answer more records than meant.
  let notice = dropped ? droppedNotice(q.filters.filter((f) => !isKnown(f, schema)).map((f) => describe(f, schema)), !sortOk) : '';
  q.filters = known;
  if (!sortOk) q.sort = '';

  /** @type {Map<string, Promise<any>>} */
  const metrics = new Map();
  /** @type {Promise<Record<string, string[]>>|null} */
  let agents = null;
  const sources = {
    metrics: (/** @type {string} */ name) => {
      const property = metadata.find((m) => m.name === name);
      if (!property) return Promise.reject(new Error(`no metadata property ${name}`));
      if (!metrics.has(name)) metrics.set(name, api.get(`/api/v1/metadata-properties/${property.id}/metrics`));
      return /** @type {Promise<any>} */ (metrics.get(name));
    },
    agents: () => {
      agents ??= api
        .get(`/api/v1/datasets/${datasetId}/records/search/suggestions/options`)
        .then((res) => Object.fromEntries(res.items.map((/** @type {any} */ it) => [it.question.name, it.agents])));
      return agents;
    },
  };

  /** @type {{filtersBtn: HTMLElement, chips: HTMLElement, filterPanel: HTMLElement}|null} */
  let els = null;
  /** @type {(set: () => void) => void} */
  let reload = () => {};

  /** @param {Filter[]} next */
  const apply = (next) => {
    close(false);
    notice = '';
    reload(() => (q.filters = next));
  };

  function render() {
    if (!els) return;
    const n = q.filters.length;
    els.filtersBtn.textContent = n ? `Filters (${n})` : 'Filters';
    const noticeEl = () => h('p', { class: 'filter-notice', role: 'status' }, notice);
    if (!n) {
      els.chips.hidden = !notice;
      els.chips.replaceChildren(...(notice ? [noticeEl()] : []));
      return;
    }
    void panelModule().then((m) => {
      // The filters in force when the module arrives (a later change rendered them already).
      if (!els) return;
      m.renderChips(els.chips, q.filters, schema, apply);
      if (notice) els.chips.append(noticeEl());
    });
  }

  /** @param {boolean} [refocus] */
  function close(refocus = true) {
    if (!els || els.filterPanel.hidden) return;
    els.filterPanel.hidden = true;
    els.filterPanel.replaceChildren();
    els.filtersBtn.setAttribute('aria-expanded', 'false');
    if (refocus) els.filtersBtn.focus();
  }

  function toggle() {
    if (!els) return;
    if (!els.filterPanel.hidden) {
      close();
      return;
    }
    els.filtersBtn.setAttribute('aria-expanded', 'true');
    const host = els.filterPanel;
    void panelModule().then((m) => m.openPanel(host, { schema, filters: q.filters, sources, apply, close: () => close() }));
  }

  return {
    /** Whether the URL named filters or a sort the settings lack (they were dropped). */
    dropped,
    /** The sort menu's choices. */
    sorts: sortChoices(schema),
    /**
     * Attaches to the frame's elements; `reloadWith(set)` applies `set` to the query and reads the
     * queue again.
     * @param {{filtersBtn: HTMLElement, chips: HTMLElement, filterPanel: HTMLElement}} frame
     * @param {(set: () => void) => void} reloadWith
     */
    mount(frame, reloadWith) {
      els = frame;
      reload = reloadWith;
      render();
    },
    toggle,
    render,
    /** Clears the search text and every filter. */
    clearAll: () => {
      close(false);
      notice = '';
      reload(() => {
        q.filters = [];
        q.text = '';
        const search = document.getElementById('search');
        if (search instanceof HTMLInputElement) search.value = '';
      });
    },
  };
}

/**
 * What the view says of filters and a sort that a link named but the dataset's settings (as the
 * caller sees them) do not have: they were left out, so the queue shown is not narrowed by them.
 * @param {string[]} filters the left-out filters, described @param {boolean} sort whether the sort was left out
 */
export function droppedNotice(filters, sort) {
  const parts = [];
  if (filters.length) parts.push(`${filters.length === 1 ? 'a filter' : `${filters.length} filters`} (${filters.join('; ')})`);
  if (sort) parts.push('its sort');
  return `Not applied: this link's ${parts.join(' and ')}, which this dataset does not have. The queue below is not narrowed by ${filters.length + (sort ? 1 : 0) === 1 ? 'it' : 'them'}.`;
}
