// The annotation view's frame: the toolbar (dataset name, queues with counts, position with ← / →,
// bulk, guidelines and shortcuts toggles), the line below it (progress, search, sort, the filters
// button), the filter chips and the filter panel's place (views/annotate/filters.js fills them),
// and the panes (record, questions with the status line, side panel).

import { h, replace } from '../../dom.js';
import { QUEUES } from '../../lib/queue.js';

/**
 * What the toolbar's controls do.
 * @typedef {object} ToolbarActions
 * @property {(delta: number) => void} go
 * @property {(which: 'guidelines'|'help') => void} panel
 * @property {() => void} bulk
 * @property {(text: string) => void} search
 * @property {(sort: string) => void} sort
 * @property {() => void} filters opens or closes the filter panel
 */

/**
 * Builds the view into `main` and returns the elements the view updates.
 * @param {HTMLElement} main
 * @param {{dataset: any, query: import('../../lib/queue.js').QueueQuery, sorts: [string, string][]}} at
 *   the dataset, what the URL asks for, and the sort orders offered (token, label)
 * @param {ToolbarActions} on
 */
export function buildFrame(main, { dataset, query, sorts }, on) {
  const counts = h('nav', { class: 'queues', 'aria-label': 'Queues' });
  const progress = h('div', { class: 'progress' });
  const searchInput = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', id: 'search', placeholder: 'Search records', 'aria-label': 'Search records', value: query.text })
  );
  const sortSelect = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'sort', 'aria-label': 'Sort' }, sorts.map(([token, label]) => h('option', { value: token }, label)))
  );
  sortSelect.value = query.sort;
  const filtersBtn = h('button', { type: 'button', id: 'filters-toggle', 'aria-expanded': 'false', 'aria-controls': 'filter-panel', onclick: () => on.filters() }, 'Filters');
  const chips = h('div', { class: 'filter-chips', id: 'filter-chips', role: 'group', 'aria-label': 'Filters in force', hidden: true });
  const filterPanel = h('div', { class: 'filter-panel', id: 'filter-panel', hidden: true });
  const position = h('span', { class: 'position', id: 'position' });
  const prevBtn = h('button', { type: 'button', title: 'Previous record (←)', 'aria-label': 'Previous record', onclick: () => on.go(-1) }, '←');
  const nextBtn = h('button', { type: 'button', title: 'Next record (→)', 'aria-label': 'Next record', onclick: () => on.go(1) }, '→');
  const recordPane = h('section', { class: 'record', 'aria-label': 'Record' });
  const formPane = h('section', { class: 'form', 'aria-label': 'Questions' });
  const statusLine = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite', id: 'save-status' });
  const side = h('aside', { class: 'side', id: 'guidelines', hidden: true, 'aria-label': 'Guidelines' });
  side.setAttribute('tabindex', '-1');
  const guidelinesBtn = h('button', { type: 'button', id: 'guidelines-toggle', 'aria-keyshortcuts': 'g', onclick: () => on.panel('guidelines') }, 'Guidelines ', h('kbd', null, 'g'));
  const helpBtn = h('button', { type: 'button', id: 'help-toggle', 'aria-keyshortcuts': '?', onclick: () => on.panel('help') }, 'Shortcuts ', h('kbd', null, '?'));
  const bulkBtn = h('button', { type: 'button', id: 'bulk-toggle', 'aria-pressed': 'false', onclick: () => on.bulk() }, 'Bulk view');

  replace(
    main,
    h(
      'div',
      { class: 'annotate' },
      h(
        'div',
        { class: 'toolbar' },
        h('h1', { title: dataset.name }, dataset.name),
        counts,
        h('span', { class: 'nav' }, prevBtn, position, nextBtn),
        h('span', { class: 'tools' }, bulkBtn, guidelinesBtn, helpBtn),
      ),
      // Progress, and finding records: a line of their own, so the toolbar above stays one line.
      h(
        'div',
        { class: 'subbar' },
        progress,
        h(
          'form',
          {
            class: 'search',
            role: 'search',
            onsubmit: (/** @type {Event} */ ev) => {
              ev.preventDefault();
              on.search(searchInput.value.trim());
            },
          },
          searchInput,
          sortSelect,
          filtersBtn,
        ),
      ),
      chips,
      filterPanel,
      h('div', { class: 'panes' }, recordPane, h('div', { class: 'form-wrap' }, formPane, statusLine), side),
    ),
  );
  sortSelect.addEventListener('change', () => on.sort(sortSelect.value));
  return { counts, progress, position, recordPane, formPane, statusLine, side, bulkBtn, filtersBtn, chips, filterPanel };
}

/**
 * The queue links with their counts.
 * @param {HTMLElement} nav @param {Record<string, number>} n @param {string} current
 * @param {(queue: string) => string} href @param {(queue: string) => void} open
 */
export function renderQueues(nav, n, current, href, open) {
  replace(
    nav,
    // The Returned queue is shown only while it holds records, or is the one open.
    QUEUES.filter((s) => n[s] !== undefined || s === current).map((s) =>
      h(
        'a',
        {
          href: href(s),
          class: s === current ? 'queue current' : 'queue',
          'aria-current': s === current ? 'page' : null,
          'data-queue': s,
          onclick: (/** @type {Event} */ ev) => {
            ev.preventDefault();
            ev.stopPropagation();
            open(s);
          },
        },
        `${s[0].toUpperCase()}${s.slice(1)} `,
        h('span', { class: 'count' }, String(n[s] ?? 0)),
      ),
    ),
  );
}

/**
 * The caller's progress bar. @param {HTMLElement} el @param {{done: number, total: number, pct: number}} p
 */
export function renderProgress(el, { done, total, pct }) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${pct}%`;
  replace(
    el,
    h('span', { class: 'bar', role: 'progressbar', 'aria-label': 'My progress', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct) }, fill),
    h('span', { class: 'label' }, `${done} of ${total} done (${pct}%)`),
  );
}
