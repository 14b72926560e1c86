// Pairwise questions in the annotation view (issue 22), downloaded only for a dataset that has one
// (annotate.js asks `GET …/pairwise` and imports this module when it lists any). A pairwise
// question is an ordinary label question to the SDKs; here its two responses (fields `a` and `b`,
// rendered as every field is, markdown included) are moved out of the record's field list into one
// comparison, side by side on wide screens and stacked on narrow ones, in the order the placement
// gives this annotator on this record (lib/pairwise.js); the choices say "Left / Top better",
// "Right / Bottom better", "Tie", "Both bad" with the keys 1 … 4 by position, and save the
// canonical label (A, B…). Its strength question takes 1 … 3 (slight, clear, strong) only after
// an A or B answer, and is cleared by a tie or both bad. Every save of the record's response says
// in which order each pair was shown (`loam_shown`).

import { h } from '../../dom.js';
import { labelAnswer } from '../../lib/answers.js';
import { choices, fieldsShown, impliedPick, placement, roleOf, shownOf, SIDE_NAMES, strengthForKey, strengthKeys, strengthUnder, takesStrength, valueForKey } from '../../lib/pairwise.js';
import { markText, optionMarks } from '../../lib/suggestions.js';
import { focusQuestion } from './form-pane.js';
import { suggestionMark } from './editors/marks.js';

/** @typedef {import('../../lib/pairwise.js').Pairing} Pairing */
/** @typedef {import('../../lib/form.js').Question} Question */
/** @typedef {import('./editors/context.js').EditorContext} EditorContext */
/** @typedef {(q: Question, value: any, ctx: EditorContext, suggestion: import('../../lib/form.js').Suggestion|undefined) => HTMLElement} Editor */

/** A name that says left on wide screens and top on narrow ones (CSS shows one). @param {{wide: string, narrow: string}} names */
function sideName(names) {
  return [h('span', { class: 'pw-wide' }, names.wide), h('span', { class: 'pw-narrow' }, names.narrow)];
}

/**
 * What the annotation view asks of the pairwise questions of a dataset.
 * @param {Pairing[]} pairings @param {string} userId @param {string} datasetId
 * @param {{name: string}[]} fields the dataset's fields, in the order the bulk view shows them
 * @param {Question[]} questions the dataset's questions (the judge's rating questions' ids); put
 *   in the order the form shows them, each strength question right under its pairwise question
 *   (in place: the view's one list of questions)
 */
export function pairwiseView(pairings, userId, datasetId, fields, questions) {
  questions.splice(0, questions.length, ...strengthUnder(pairings, questions));
  const idOf = (/** @type {string} */ name) => questions.find((q) => q.name === name)?.id;
  /**
   * The pick a judge's ratings of the pair imply on `record`, with its mark ("✦ ratings 4 vs 2"),
   * shown on that option when no suggestion is on the question itself.
   * @param {Pairing} p @param {any} record @returns {Record<string, string>}
   */
  const impliedMarks = (p, record) => {
    if (!p.ratings) return {};
    const [sa, sb] = [p.ratings.a, p.ratings.b].map((name) => (record.suggestions || []).find((/** @type {any} */ s) => s.question_id === idOf(name)));
    const pick = sa && sb ? impliedPick(p, sa.value, sb.value) : null;
    if (!pick || !sa) return {};
    const agent = sa.agent ? `${markText(sa)} · ` : '';
    return { [pick]: `${agent}ratings ${sa.value} vs ${sb.value}` };
  };
  /** @param {any} record @param {Pairing} p */
  const shownOn = (record, p) => placement(userId, record.id, p.question_id);

  /**
   * Sets the pairwise answer, clearing the strength first when the new answer takes none.
   * @param {Pairing} p @param {any} value @param {EditorContext} ctx
   */
  const choose = (p, value, ctx) => {
    if (p.strength && !takesStrength(p, value) && ctx.current(p.strength.question) !== undefined) ctx.answer(p.strength.question, undefined);
    ctx.answer(p.question, value);
  };

  /** @param {Pairing} p @returns {Editor} */
  const pairEditor = (p) => (q, value, ctx, suggestion) => {
    const shown = shownOn(ctx.record, p);
    const marks = suggestion ? optionMarks(q, suggestion) : impliedMarks(p, ctx.record);
    const texts = Object.fromEntries((q.settings.options || []).map((o) => [o.value, o.description || null]));
    return h(
      'div',
      { class: 'labels pairwise-choices', 'data-shown': shown },
      h(
        'div',
        { class: 'options', role: 'radiogroup', 'aria-labelledby': `q-${q.name}` },
        choices(p, shown).map((c) =>
          h(
            'button',
            {
              type: 'button',
              class: `option pw-choice${value === c.value ? ' selected' : ''}${marks[c.value] ? ' suggested-option' : ''}`,
              role: 'radio',
              'aria-checked': value === c.value ? 'true' : 'false',
              'aria-keyshortcuts': c.key,
              'data-option': c.value,
              'data-side': c.side,
              'data-key': `${q.name}:${c.value}`,
              title: texts[c.value],
              onclick: () => choose(p, labelAnswer(q, ctx.current(q.name), c.value, ctx.prefilled(q.name)), ctx),
            },
            h('kbd', { class: 'key-hint' }, c.key),
            sideName(c),
            suggestionMark(marks[c.value]),
          ),
        ),
      ),
    );
  };

  /** @param {Pairing} p @returns {Editor} */
  const strengthEditor = (p) => (q, value, ctx, suggestion) => {
    const pick = ctx.current(p.question);
    const open = takesStrength(p, pick);
    const marks = optionMarks(q, suggestion);
    const texts = Object.fromEntries((q.settings.options || []).map((o) => [o.value, o.text || o.value]));
    const why = open ? null : pick === undefined ? 'Pick the better response first.' : 'No strength for a tie or both bad.';
    return h(
      'div',
      { class: 'labels pairwise-strength' },
      h(
        'div',
        { class: 'options', role: 'radiogroup', 'aria-labelledby': `q-${q.name}`, 'aria-disabled': open ? null : 'true' },
        strengthKeys(p).map(({ value: level, key }) =>
          h(
            'button',
            {
              type: 'button',
              // Not `disabled`: a disabled button takes no focus, and j / k must still reach the question.
              class: `option${value === level ? ' selected' : ''}${marks[level] ? ' suggested-option' : ''}${open ? '' : ' off'}`,
              role: 'radio',
              'aria-checked': value === level ? 'true' : 'false',
              'aria-disabled': open ? null : 'true',
              'aria-keyshortcuts': key || null,
              'data-option': level,
              'data-key': `${q.name}:${level}`,
              onclick: () => (open ? ctx.answer(q.name, labelAnswer(q, ctx.current(q.name), level, ctx.prefilled(q.name))) : ctx.say(why || '')),
            },
            key ? h('kbd', { class: 'key-hint' }, key) : null,
            texts[level] || level,
            suggestionMark(marks[level]),
          ),
        ),
      ),
      why ? h('p', { class: 'muted hint pw-why' }, why) : null,
    );
  };

  /** @type {Map<string, Editor>} */
  const editors = new Map();
  for (const p of pairings) {
    editors.set(p.question, pairEditor(p));
    if (p.strength) editors.set(p.strength.question, strengthEditor(p));
  }

  return {
    pairings,

    /** The editor of a pairwise or strength question; undefined for any other. @param {Question} q */
    editorFor: (q) => editors.get(q.name),

    /**
     * Digit `n` on question `q`: true when `q` is a pairwise or strength question (handled here:
     * picked by position on screen, a digit never clears; a strength only after an A or B).
     * @param {Question} q @param {number} n @param {EditorContext} ctx @param {HTMLElement} formPane
     */
    pick(q, n, ctx, formPane) {
      const role = roleOf(pairings, q.name);
      if (!role || !ctx.record) return false;
      const p = role.pairing;
      if (role.role === 'pairwise') {
        const value = valueForKey(p, shownOn(ctx.record, p), n);
        if (value === null) return true;
        choose(p, value, ctx);
      } else {
        const level = strengthForKey(p, ctx.current(p.question), n);
        if (level === null) {
          if (strengthKeys(p).some((it) => it.key === String(n))) ctx.say('Pick the better response first: a tie or both bad takes no strength.');
          return true;
        }
        ctx.answer(q.name, level);
      }
      const section = formPane.querySelector(`[data-question="${CSS.escape(q.name)}"]`);
      if (section instanceof HTMLElement && section.contains(document.activeElement)) focusQuestion(section);
      return true;
    },

    /**
     * Moves each pair's two fields, as the record pane rendered them, into one comparison where
     * the first of them was, in the order shown; their titles are left out (a title may name the
     * model), each side named by its place.
     * @param {HTMLElement} pane @param {any} record
     */
    arrange(pane, record) {
      for (const p of pairings) {
        const shown = shownOn(record, p);
        const els = fieldsShown(p, shown).map((name) => pane.querySelector(`.field[data-field="${CSS.escape(name)}"]`));
        const [first, second] = els;
        if (!(first instanceof HTMLElement) || !(second instanceof HTMLElement)) continue;
        const earlier = first.compareDocumentPosition(second) & Node.DOCUMENT_POSITION_FOLLOWING ? first : second;
        const box = h('div', { class: 'pairwise-compare', 'data-pairwise': p.question, 'data-shown': shown, role: 'group', 'aria-label': `The two responses to compare (${p.question})` });
        earlier.before(box);
        [first, second].forEach((el, i) => {
          const names = i === 0 ? SIDE_NAMES.first : SIDE_NAMES.second;
          for (const hide of el.querySelectorAll(':scope > h3, :scope > .field-description')) hide.remove();
          el.removeAttribute('aria-labelledby');
          el.removeAttribute('aria-describedby');
          el.setAttribute('aria-label', `${names.wide} (${names.narrow.toLowerCase()} on a narrow screen) response`);
          box.append(h('div', { class: `pw-side pw-${i === 0 ? 'first' : 'second'}`, 'data-side': i === 0 ? 'first' : 'second' }, h('h3', { class: 'pw-tag' }, sideName(names)), el));
        });
      }
    },

    /**
     * What a save of the caller's response on `record` carries: `loam_shown`, the order each pair
     * was shown in (in the bulk view, where every field is shown in the dataset's order, that
     * order).
     * @param {any} record @param {boolean} [bulk]
     */
    extras(record, bulk = false) {
      if (record.dataset_id && record.dataset_id !== datasetId) return {};
      if (!bulk) return { loam_shown: shownOf(pairings, userId, record.id) };
      const at = (/** @type {string} */ name) => fields.findIndex((f) => f.name === name);
      return { loam_shown: Object.fromEntries(pairings.map((p) => [p.question, at(p.a) <= at(p.b) ? 'ab' : 'ba'])) };
    },
  };
}
