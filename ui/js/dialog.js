// A modal form dialog: the native <dialog> opened with showModal() (the rest of the page is inert,
// Escape cancels), Tab and Shift+Tab kept inside it, focus given back to what opened it, and the
// server's validation message shown next to the input instead of closing.

import { h } from './dom.js';

/**
 * @param {{id: string, title: string, opener: HTMLElement|null, fields: HTMLElement[],
 *   submitLabel: string, onSubmit: () => Promise<void>}} opts
 *   `onSubmit` throws to keep the dialog open; its message is shown in the dialog.
 * @returns {HTMLDialogElement}
 */
export function formDialog(opts) {
  const error = h('p', { class: 'field-error', id: `${opts.id}-error`, 'aria-live': 'assertive' });
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, opts.submitLabel));
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      'dialog',
      { id: opts.id, 'aria-labelledby': `${opts.id}-title`, 'aria-describedby': `${opts.id}-error` },
      h(
        'form',
        {
          // The server validates; its message is what the user sees.
          novalidate: true,
          onsubmit: async (/** @type {Event} */ ev) => {
            ev.preventDefault();
            error.textContent = '';
            submit.disabled = true;
            try {
              await opts.onSubmit();
              dialog.close();
            } catch (err) {
              error.textContent = err instanceof Error ? err.message : String(err);
              const first = opts.fields.find((it) => it.matches('input, textarea, select'));
              if (first) {
                first.setAttribute('aria-invalid', 'true');
                first.focus();
              }
            } finally {
              submit.disabled = false;
            }
          },
        },
        h('h2', { id: `${opts.id}-title` }, opts.title),
        opts.fields,
        error,
        h('div', { class: 'dialog-actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), submit),
      ),
    )
  );
  dialog.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll('input, select, textarea, button, a[href], [tabindex]:not([tabindex="-1"])')].filter(
      (it) => it instanceof HTMLElement && !(/** @type {any} */ (it).disabled),
    );
    const first = /** @type {HTMLElement} */ (focusable[0]);
    const last = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opts.opener && opts.opener.isConnected) opts.opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = opts.fields.find((it) => it.matches('input, textarea, select'));
  if (first) first.focus();
  return dialog;
}
