// The settings page's "Pairwise comparison" section (issue 22; owners and admins, as the whole
// page): the dataset's pairings (`GET …/pairwise`), each of which can be unmarked (`DELETE`: its
// questions and answers stay), and the form that switches the dataset to pairwise (`POST`): two
// text fields to compare, the question's name and title, which outcomes it offers (tie, both bad),
// a strength question, and optionally the two rating questions whose suggestions are a judge's
// pick (distilabel's `PreferenceToArgilla`). Also on a published dataset: the one exception to "no
// new questions after publishing". The server's refusal is shown as it words it.

import * as api from '../../api.js';
import { h, replace } from '../../dom.js';
import { comparableFields, describePairing, switchBody } from '../../lib/pairwise.js';
import { checkbox, control, settingsForm } from './form.js';

/**
 * @param {string} datasetId @param {{fields: any[], questions: any[]}} settings
 * @param {HTMLElement} status the page's status line
 * @param {() => void} changed after a switch or an unmark (the page shows the questions anew)
 */
export function pairwisePanel(datasetId, settings, status, changed) {
  const list = h('div', { class: 'pairings', id: 'pairings' }, h('p', { class: 'muted' }, 'Loading…'));
  const load = async () => {
    try {
      const res = await api.get(`/api/v1/datasets/${datasetId}/pairwise`);
      replace(list, res.items.length ? res.items.map((/** @type {any} */ p) => pairingRow(p)) : h('p', { class: 'muted', id: 'no-pairings' }, 'No pairwise question yet.'));
    } catch (err) {
      replace(list, h('p', { class: 'error' }, `Could not load the pairwise questions: ${err instanceof Error ? err.message : err}`));
    }
  };
  /** @param {any} p */
  const pairingRow = (p) =>
    h(
      'div',
      { class: 'pairing', 'data-pairing': p.question },
      h('code', null, p.question),
      h('p', null, describePairing(p)),
      h(
        'button',
        {
          type: 'button',
          class: 'unmark',
          'aria-label': `Unmark ${p.question} as pairwise`,
          onclick: async (/** @type {Event} */ ev) => {
            const btn = /** @type {HTMLButtonElement} */ (ev.currentTarget);
            btn.disabled = true;
            try {
              await api.del(`/api/v1/datasets/${datasetId}/pairwise/${encodeURIComponent(p.question)}`);
              status.className = 'save-status saved';
              status.textContent = `${p.question} is an ordinary label question again; its answers stay`;
              changed();
            } catch (err) {
              status.className = 'save-status error';
              status.textContent = `Could not unmark ${p.question}: ${err instanceof Error ? err.message : err}`;
              btn.disabled = false;
            }
          },
        },
        'Unmark',
      ),
    );

  const texts = comparableFields(settings.fields);
  const ratings = settings.questions.filter((q) => q.settings.type === 'rating').map((q) => q.name);
  /** @param {string} id @param {string[]} names @param {string} chosen @param {string} none */
  const select = (id, names, chosen, none) =>
    /** @type {HTMLSelectElement} */ (h('select', { id }, none ? h('option', { value: '' }, none) : null, names.map((n) => h('option', { value: n, selected: n === chosen || null }, n))));
  const input = (/** @type {string} */ id, /** @type {string} */ value) => /** @type {HTMLInputElement} */ (h('input', { id, value, maxlength: '500' }));
  const box = (/** @type {string} */ id, /** @type {boolean} */ on) => /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id, checked: on }));
  const taken = new Set(settings.questions.map((q) => q.name));
  const name = input('pw-name', taken.has('preference') ? '' : 'preference');
  const title = input('pw-title', 'Which response is better?');
  const description = input('pw-description', '');
  const a = select('pw-a', texts, texts[texts.length - 2] || '', '');
  const b = select('pw-b', texts, texts[texts.length - 1] || '', '');
  const tie = box('pw-tie', true);
  const bothBad = box('pw-both-bad', true);
  const strength = box('pw-strength', true);
  const required = box('pw-required', true);
  // distilabel's PreferenceToArgilla names a judge's ratings after the fields: picked for them.
  const ratingOf = (/** @type {string} */ field) => (ratings.includes(`${field}-rating`) ? `${field}-rating` : '');
  const ratingA = select('pw-rating-a', ratings, ratingOf(a.value), '(none)');
  const ratingB = select('pw-rating-b', ratings, ratingOf(b.value), '(none)');

  const form = texts.length < 2
    ? h('p', { class: 'muted' }, 'A pairwise question compares two text fields; this dataset has fewer than two.')
    : settingsForm({
        id: 'pairwise-form',
        label: 'the pairwise question',
        status,
        saveId: 'pairwise-switch',
        saveLabel: 'Switch to pairwise',
        save: async () => {
          const made = switchBody({
            name: name.value,
            title: title.value,
            description: description.value,
            a: a.value,
            b: b.value,
            tie: tie.checked,
            both_bad: bothBad.checked,
            strength: strength.checked,
            required: required.checked,
            ratingA: ratingA.value,
            ratingB: ratingB.value,
          });
          if (made.problem) throw new Error(made.problem.message);
          await api.post(`/api/v1/datasets/${datasetId}/pairwise`, made.body);
          changed();
        },
        children: [
          h('h3', null, 'Switch to pairwise'),
          h('p', { class: 'muted hint' }, 'Adds a question whose answers are A, B, tie or both bad (and a strength question), shown to annotators as two responses side by side in an order randomised per annotator and record. To the SDKs it is an ordinary label question.'),
          control('a', 'Response A (field)', a),
          control('b', 'Response B (field)', b),
          control('name', 'Question name', name),
          control('title', 'Question title', title),
          control('description', 'Description (optional)', description),
          h(
            'div',
            { class: 'toggles' },
            checkbox('tie', tie, 'Tie'),
            checkbox('both_bad', bothBad, 'Both bad'),
            checkbox('strength', strength, 'Strength (slight / clear / strong)'),
            checkbox('required', required, 'Required'),
          ),
          ratings.length >= 2
            ? [control('ratings.a', "Judge's rating of A (optional)", ratingA), control('ratings.b', "Judge's rating of B (optional)", ratingB, 'Suggestions on these rating questions count as a judge\'s pick in the judge audit.')]
            : null,
        ],
      });

  void load();
  return h(
    'section',
    { class: 'card', id: 'settings-pairwise' },
    h('h2', null, 'Pairwise comparison'),
    list,
    form,
  );
}
