// The building blocks of the settings page: a form with one Save whose refusal by the server is
// shown next to the control it names (the form keeps everything typed), labelled controls, and
// read-only settings with the reason they cannot change. Ctrl+Enter in a text area saves, as Enter
// does in a one-line box.

import { ApiError } from '../../api.js';
import { h } from '../../dom.js';
import { errorKeys } from '../../lib/settings-edit.js';

/**
 * @param {{id: string, label: string, status: HTMLElement, save: () => Promise<any>,
 *   children: any[], className?: string, saveId?: string, saveLabel?: string}} opts
 *   `label` names what is saved in the page's status line ("Saved question sentiment").
 */
export function settingsForm(opts) {
  const error = h('p', { class: 'field-error form-error', id: `${opts.id}-error`, role: 'alert' });
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', id: opts.saveId || `${opts.id}-save` }, opts.saveLabel || 'Save'));
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      {
        class: `settings-form ${opts.className || ''}`,
        id: opts.id,
        // The server validates; its message is what the user sees.
        novalidate: true,
        onsubmit: async (/** @type {Event} */ ev) => {
          ev.preventDefault();
          clearErrors(form, error);
          submit.disabled = true;
          opts.status.className = 'save-status';
          opts.status.textContent = `Saving ${opts.label}…`;
          try {
            await opts.save();
            opts.status.className = 'save-status saved';
            opts.status.textContent = `Saved ${opts.label}`;
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            opts.status.className = 'save-status error';
            opts.status.textContent = `Could not save ${opts.label}: ${msg}`;
            showError(form, error, err, msg);
          } finally {
            submit.disabled = false;
          }
        },
      },
      opts.children,
      h('div', { class: 'form-actions' }, submit),
      error,
    )
  );
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && ev.target instanceof HTMLTextAreaElement) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  return form;
}

/** @param {HTMLElement} form @param {HTMLElement} error */
function clearErrors(form, error) {
  error.textContent = '';
  for (const it of form.querySelectorAll('.inline-error')) it.remove();
  for (const it of form.querySelectorAll('[aria-invalid]')) it.removeAttribute('aria-invalid');
}

/**
 * The message next to the control the server names, with focus there; else under the Save.
 * @param {HTMLElement} form @param {HTMLElement} fallback @param {unknown} err @param {string} msg
 */
function showError(form, fallback, err, msg) {
  const keys = err instanceof ApiError && err.status === 422 ? errorKeys(err.body) : [];
  const wrapper = keys.map((k) => form.querySelector(`[data-key="${k}"]`)).find((it) => it instanceof HTMLElement);
  if (!(wrapper instanceof HTMLElement)) {
    fallback.textContent = msg;
    return;
  }
  const id = `${form.id}-${wrapper.dataset.key}-error`;
  wrapper.append(h('p', { class: 'field-error inline-error', id, role: 'alert' }, msg));
  const input = wrapper.querySelector('input, textarea, select');
  if (input instanceof HTMLElement) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.focus();
  }
}

/**
 * A labelled control; `key` is the setting's name in the API (where its errors are shown).
 * @param {string} key @param {string} label @param {HTMLElement} input @param {string} [hint]
 */
export function control(key, label, input, hint) {
  return h('div', { class: 'control', dataset: { key } }, h('label', { for: input.id }, label), input, hint ? h('p', { class: 'hint muted' }, hint) : null);
}

/** A checkbox with its label on one line. @param {string} key @param {HTMLInputElement} box @param {string} label @param {string} [hint] */
export function checkbox(key, box, label, hint) {
  return h('div', { class: 'control', dataset: { key } }, h('div', { class: 'row' }, box, h('label', { for: box.id }, label)), hint ? h('p', { class: 'hint muted' }, hint) : null);
}

/** A setting that cannot change, with why. @param {string} label @param {any} value @param {string} reason */
export function fixed(label, value, reason) {
  return h('div', { class: 'fixed' }, h('span', { class: 'fixed-label' }, `${label}: `), h('span', { class: 'fixed-value' }, value), h('span', { class: 'fixed-reason muted' }, ` (${reason})`));
}

/** An id from a name that may hold any character. @param {...string} parts */
export function idOf(...parts) {
  return parts.map((it) => it.replace(/[^A-Za-z0-9_-]/g, '_')).join('-');
}
