// Shared by the browser tests and bench/ui.mjs: how long moving to the next record takes in the
// annotation view, measured inside the page.

/**
 * Presses → in `page` (on the annotation view) and resolves with the milliseconds from the key
 * press to the frame after the record's position (`#position`) changed.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<number>}
 */
export function timeNextRecord(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const pos = /** @type {HTMLElement} */ (document.getElementById('position'));
        const before = pos.textContent;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (pos.textContent !== before) {
            obs.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - t0));
          }
        });
        obs.observe(pos, { childList: true, characterData: true, subtree: true });
        document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      }),
  );
}
