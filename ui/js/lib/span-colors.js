// Span labels' colours: a label takes the colour of its position among its question's options,
// from a palette of PALETTE_SIZE (ui/css/app.css, "render" block), the same in the span editor
// and on the record's text; the label's name is always shown too, so colour is never the only cue.

export const PALETTE_SIZE = 8;

/** The colour class of the option at `index`. @param {number} index */
export function spanColorClass(index) {
  return `span-c${((index % PALETTE_SIZE) + PALETTE_SIZE) % PALETTE_SIZE}`;
}

/**
 * The colour class of `label`: by its position among the options of the first of `questions`
 * that has it (span questions), else the first colour.
 * @param {{settings: {options?: {value: string}[]}}[]} questions @param {string} label
 */
export function spanLabelClass(questions, label) {
  for (const q of questions) {
    const at = (q.settings.options || []).findIndex((o) => o.value === label);
    if (at >= 0) return spanColorClass(at);
  }
  return spanColorClass(0);
}
