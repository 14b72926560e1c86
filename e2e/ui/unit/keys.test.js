// Unit tests of the keyboard map (ui/js/lib/keys.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, isTextEntry } from '../../../ui/js/lib/keys.js';

const out = { inTextEntry: false };
const inText = { inTextEntry: true };

test('the Feedback UI shortcuts outside text areas', () => {
  const cases = [
    [{ key: 'Enter' }, 'submit'],
    [{ key: 'Backspace' }, 'discard'],
    [{ key: ' ', shiftKey: true }, 'clear'],
    [{ key: ' ' }, null],
    [{ key: 'ArrowLeft' }, 'prev'],
    [{ key: 'ArrowRight' }, 'next'],
    [{ key: '3' }, { pick: 3 }],
    [{ key: '0' }, null],
    [{ key: 's', ctrlKey: true }, 'draft'],
    [{ key: 'r', ctrlKey: true }, null],
    [{ key: 'g' }, 'guidelines'],
    [{ key: '?' }, 'help'],
    [{ key: 'Escape' }, 'escape'],
  ];
  for (const [ev, expected] of cases) assert.deepEqual(actionFor(ev, out), expected, JSON.stringify(ev));
});

test('inside a text area, plain keys type and Shift submits or discards', () => {
  const cases = [
    [{ key: 'Enter' }, null],
    [{ key: 'Enter', shiftKey: true }, 'submit'],
    [{ key: 'Backspace' }, null],
    [{ key: 'Backspace', shiftKey: true }, 'discard'],
    [{ key: ' ', shiftKey: true }, null],
    [{ key: 'ArrowLeft' }, null],
    [{ key: '3' }, null],
    [{ key: 'g' }, null],
  ];
  for (const [ev, expected] of cases) assert.deepEqual(actionFor(ev, inText), expected, JSON.stringify(ev));
});

test('a focused button keeps Enter; a selectable text keeps the arrows', () => {
  assert.equal(actionFor({ key: 'Enter' }, { inTextEntry: false, onButton: true }), null);
  assert.equal(actionFor({ key: 'ArrowRight' }, { inTextEntry: false, inSelectableText: true }), null);
  assert.deepEqual(actionFor({ key: '1' }, { inTextEntry: false, inSelectableText: true }), { pick: 1 });
});

test('what counts as a text entry', () => {
  assert.equal(isTextEntry({ tagName: 'TEXTAREA' }), true);
  assert.equal(isTextEntry({ tagName: 'TEXTAREA', readOnly: true }), false);
  assert.equal(isTextEntry({ tagName: 'INPUT', type: 'search' }), true);
  assert.equal(isTextEntry({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isTextEntry({ tagName: 'BUTTON' }), false);
  assert.equal(isTextEntry({ tagName: 'DIV', isContentEditable: true }), true);
  assert.equal(isTextEntry(null), false);
});
