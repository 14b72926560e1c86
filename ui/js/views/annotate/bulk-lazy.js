// The bulk view as the annotation view holds it: the flow (annotate/bulk-flow.js, with the pane
// and the rules it brings) is downloaded when the bulk view is first switched on, so a view that
// never uses it does not pay for it. Until then nothing is selected and there is nothing to show.

/** @typedef {ReturnType<typeof import('./bulk-flow.js').bulkFlow>} Flow */

/**
 * @param {import('../../lib/queue.js').QueueQuery} q the view's query (`q.bulk` > 0: the bulk view is on)
 * @param {() => Promise<Flow>} make loads the flow module and builds the flow
 */
export function lazyBulk(q, make) {
  /** @type {Promise<Flow>|null} */
  let loading = null;
  /** @type {Flow|null} */
  let flow = null;
  const get = () => {
    loading ??= make().then((it) => (flow = it));
    return loading;
  };
  return {
    /** Whether the bulk view is on. */
    active: () => q.bulk > 0,
    /** How many records an answer would go to. */
    count: () => (flow ? flow.count() : 0),
    toggle: async () => (await get()).toggle(),
    load: async () => (await get()).load(),
    go: async (/** @type {number} */ delta) => (await get()).go(delta),
    act: async (/** @type {'submitted'|'discarded'|'draft'} */ status) => (await get()).act(status),
    render: () => {
      if (flow) flow.render();
    },
  };
}
