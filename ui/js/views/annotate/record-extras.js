// What the record pane shows besides the record, for some records and roles only: a returned
// record's reviewer note and the others' answers (annotate/review-notes.js), an owner's or
// admin's edit tools and history (annotate/edit-record.js). Those modules are loaded the first
// time a record needs them, not with the view, so an annotator's first screen asks for fewer
// files; once loaded they are used at once.

/**
 * A module loaded on first use: `use(f)` calls `f` with it, at once when it is in, else once it
 * is (a failed load is tried again on the next use).
 * @template T @param {() => Promise<T>} load
 */
function lazy(load) {
  /** @type {T|null} */
  let mod = null;
  /** @type {Promise<T>|null} */
  let loading = null;
  return (/** @type {(m: T) => void} */ f) => {
    if (mod) return f(mod);
    loading ||= load().then((m) => (mod = m));
    loading.then(f, () => (loading = null));
  };
}

const notes = lazy(() => import('./review-notes.js'));
const tools = lazy(() => import('./edit-record.js'));

/** Counts renders of the pane: a module that arrives after the next render adds nothing. */
let renders = 0;

/**
 * Adds to the record pane, just rendered with `at.record`, what the record and the caller's role
 * call for.
 * @param {HTMLElement} pane
 * @param {{record: any, mine: any, returned: any, meId: string, dataset: any,
 *   questions: {name: string, title?: string}[], manage: boolean, fields: any[], properties: any[],
 *   current: () => any, saved: (res: any) => void}} at `returned`: the record's return, if any;
 *   `manage`: the caller may edit records; `current`: the record shown now; `saved`: the record as
 *   the server holds it after an edit
 */
export function recordExtras(pane, at) {
  const stamp = ++renders;
  const live = () => stamp === renders && at.current() === at.record;
  // Review: the comment of a record returned to the caller, and the others' answers once the
  // caller's own is submitted in a dataset that shows them.
  if (at.returned || (at.mine && at.mine.status === 'submitted')) {
    notes((m) => {
      if (!live()) return;
      const note = m.returnedNote(at.returned);
      if (note) pane.prepend(note);
      void m.othersPanel(at.record, at.mine, at.meId, at.dataset, at.questions).then((panel) => {
        if (panel && at.current() === at.record && !pane.querySelector('#others-answers')) pane.append(panel);
      });
    });
  }
  if (at.manage) {
    tools((m) => {
      if (live()) pane.append(m.recordTools({ record: at.record, fields: at.fields, properties: at.properties, saved: at.saved }));
    });
  }
}
