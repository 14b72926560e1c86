// What every question editor is given: the answer it edits and the ways back to the view (and,
// as its fourth argument, the record's suggestion for the question, shown whatever the answer).
// An editor renders one question's controls and reports gestures; it holds no state of its own
// but the view state of its options (filter text, expanded list, markdown preview) in `views`.

/**
 * @typedef {object} EditorContext
 * @property {any} record the record shown
 * @property {Record<string, import('../../../lib/answers.js').OptionsView>} views each question's
 *   options view (filter, expanded), created by the editor on first use
 * @property {(name: string) => any} current the answer to question `name` now
 * @property {(name: string) => boolean} prefilled whether question `name`'s answer is a suggestion
 *   not yet confirmed (picking its option again confirms it rather than clearing it)
 * @property {(name: string, value: any) => void} answer answers question `name` (`undefined`
 *   clears it), then the view re-renders and saves
 * @property {() => void} rerender re-renders the form (an options view changed)
 * @property {(q: import('../../../lib/form.js').Question, text: string, area: HTMLTextAreaElement) => void} typed
 *   text typed into a text question: answered without re-rendering, to keep the caret
 * @property {(message: string) => void} say shows a message in the status line
 * @property {() => import('../../../lib/answers.js').FieldSelection|null} takeFieldSelection the text
 *   last selected with the mouse in a span field, forgotten once taken
 * @property {(text: string) => Promise<string>} markdown the server's sanitised HTML of `text`
 * @property {(q: import('../../../lib/form.js').Question) => ((q: import('../../../lib/form.js').Question, value: any,
 *   ctx: EditorContext, suggestion: import('../../../lib/form.js').Suggestion|undefined) => HTMLElement)|undefined} [editorFor]
 *   the editor of a question that is not drawn by its type's editor (a pairwise question, issue 22)
 */

export {};
