// What the model said, in plain sight: a record's suggestion for a question and the mark (agent
// and score, as text) that each suggested option, ranking item or span carries. The marks come
// from the record's suggestions, not from the form, so they stay after the answer changes and on
// drafts and submitted records. Pure: no DOM, no network, so `node --test` covers it.

import { normalizeValue } from './form.js';

/** @typedef {import('./form.js').Question} Question */
/** @typedef {import('./form.js').Suggestion} Suggestion */
/** @typedef {import('./form.js').Span} Span */

/**
 * The record's suggestion for question `q`, if it has one with a value.
 * @param {Question} q @param {Suggestion[]|null|undefined} suggestions
 * @returns {Suggestion|undefined}
 */
export function suggestionFor(q, suggestions) {
  return (suggestions || []).find((s) => s.question_id === q.id && s.value !== null && s.value !== undefined);
}

/** A score as text, two decimals; '' without one. @param {unknown} score */
export function scoreText(score) {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(2) : '';
}

/**
 * The mark of a suggested item: its agent and score (the `index`th score when the suggestion
 * scores each item).
 * @param {Suggestion} s @param {number} [index]
 */
export function markText(s, index = 0) {
  const score = Array.isArray(s.score) ? s.score[index] : s.score;
  return [s.agent || 'suggested', scoreText(score)].filter(Boolean).join(' · ');
}

/**
 * The marks of the options a suggestion picks, by option value as text: the label or rating
 * suggested, each label of a multi-label suggestion, each item of a suggested ranking (its mark
 * leads with the rank suggested).
 * @param {Question} q @param {Suggestion|undefined} s
 * @returns {Record<string, string>}
 */
export function optionMarks(q, s) {
  if (!s) return {};
  const type = q.settings.type;
  const v = s.value;
  if (type === 'label_selection' || type === 'rating') return { [String(v)]: markText(s) };
  if (type === 'multi_label_selection' && Array.isArray(v)) return Object.fromEntries(v.map((it, i) => [String(it), markText(s, i)]));
  if (type === 'ranking' && Array.isArray(v)) {
    const ranked = /** @type {{value: string, rank: number}[]} */ (normalizeValue(q, v));
    return Object.fromEntries(ranked.map((it, i) => [it.value, `#${it.rank} · ${markText(s, i)}`]));
  }
  return {};
}

/**
 * The spans a span suggestion holds, each with its mark and whether the answer keeps it.
 * @param {Suggestion|undefined} s @param {Span[]|undefined} answer
 * @returns {(Span & {mark: string, kept: boolean})[]}
 */
export function spanMarks(s, answer) {
  if (!s || !Array.isArray(s.value)) return [];
  const spans = answer || [];
  return s.value
    .filter((it) => it && typeof it.label === 'string' && Number.isInteger(it.start) && Number.isInteger(it.end))
    .map((it, i) => ({
      label: it.label,
      start: it.start,
      end: it.end,
      mark: markText(s, i),
      kept: spans.some((a) => a.label === it.label && a.start === it.start && a.end === it.end),
    }));
}
