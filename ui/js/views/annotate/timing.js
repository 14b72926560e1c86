// Time on task in the annotation view: feeds lib/timing.js the annotator's input (keys, the
// pointer, scrolling) and the tab's visibility, and lends the timer to responses.js, whose saves
// send what it gathered on each record.

import { ActiveTime } from '../../lib/timing.js';
import { dropTimer, useTimer } from './responses.js';

const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'scroll', 'input'];

/** Starts measuring; `open(key)` names the record (or the bulk view) shown, `stop()` ends it. */
export function watchActivity() {
  const timer = new ActiveTime({ visible: document.visibilityState !== 'hidden' });
  const onInput = () => timer.input();
  const onVisibility = () => timer.visibility(document.visibilityState !== 'hidden');
  // Capture: the input is counted before a handler moves to another record.
  for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
  document.addEventListener('visibilitychange', onVisibility);
  useTimer(timer);
  return {
    /** @param {string|null} key */
    open: (key) => timer.open(key),
    stop() {
      timer.open(null);
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
      dropTimer(timer);
    },
  };
}
