// A manual clock for the UI's unit tests: timers run only when the test says so.

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

/** Timers that fire only on `fire()`; `pending()` lists the delays asked for. */
export function clock() {
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (fn, ms) => { const id = next++; timers.set(id, { fn, ms }); return id; },
    clearTimer: (id) => timers.delete(id),
    pending: () => [...timers.values()].map((t) => t.ms),
    async fire() {
      const all = [...timers.entries()];
      timers.clear();
      for (const [, t] of all) t.fn();
      await settle();
    },
  };
}
