// The side panel of the annotation view: the keyboard shortcuts (`?`), or the guidelines
// (rendered by the server) with the questions' and fields' descriptions (`g`).

import { h, replace, trustedHtml } from '../../dom.js';
import { SHORTCUTS } from '../../lib/keys.js';

/** Fills `side` with the shortcuts. @param {HTMLElement} side @param {HTMLElement} closeBtn */
export function renderHelp(side, closeBtn) {
  replace(side, h('h2', null, 'Keyboard shortcuts'), h('dl', { class: 'shortcuts' }, SHORTCUTS.map(([k, d]) => [h('dt', null, h('kbd', null, k)), h('dd', null, d)])), closeBtn);
}

/**
 * Fills `side` with the guidelines and the descriptions.
 * @param {HTMLElement} side
 * @param {{dataset: any, questions: import('../../lib/form.js').Question[], fields: any[],
 *   markdown: (text: string) => Promise<string>}} about
 * @param {HTMLElement} closeBtn
 */
export function renderGuidelines(side, { dataset, questions, fields, markdown }, closeBtn) {
  const guide = h('div', { class: 'markdown' }, dataset.guidelines ? '' : h('p', { class: 'muted' }, 'This dataset has no guidelines.'));
  if (dataset.guidelines) void markdown(dataset.guidelines).then((html) => replace(guide, trustedHtml('div', 'md', html)));
  replace(
    side,
    h('h2', null, 'Guidelines'),
    guide,
    h('h2', null, 'Questions'),
    h('dl', { class: 'descriptions' }, questions.map((q) => [h('dt', null, q.title, q.required ? ' *' : ''), h('dd', null, q.description || '—')])),
    fields.some((f) => f.description)
      ? [h('h2', null, 'Fields'), h('dl', { class: 'descriptions' }, fields.filter((f) => f.description).map((f) => [h('dt', null, f.title), h('dd', null, f.description)]))]
      : null,
    closeBtn,
  );
}

/**
 * The side panel's state: `toggle` opens one panel or closes it when it is the one open;
 * `close` (Esc) closes it and calls `closed` (focus back to the form).
 * @param {HTMLElement} side
 * @param {Parameters<typeof renderGuidelines>[1]} about
 * @param {() => void} closed
 */
export function sidePanel(side, about, closed) {
  /** @type {'guidelines'|'help'|null} */
  let open = null;
  const close = () => {
    open = null;
    side.hidden = true;
    closed();
  };
  /** @param {'guidelines'|'help'} which */
  const toggle = (which) => {
    if (open === which) {
      open = null;
      side.hidden = true;
      return;
    }
    open = which;
    side.hidden = false;
    const closeBtn = h('button', { type: 'button', onclick: () => close() }, 'Close (Esc)');
    if (which === 'help') renderHelp(side, closeBtn);
    else renderGuidelines(side, about, closeBtn);
    side.focus();
  };
  return { toggle, close };
}
