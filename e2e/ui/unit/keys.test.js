// Unit tests of the keyboard map (ui/js/lib/keys.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_KEYS, SHORTCUTS, actionFor, carriedOver, isTextEntry } from '../../../ui/js/lib/keys.js';

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
    // 0 picks too: a rating scale may start at 0.
    [{ key: '0' }, { pick: 0 }],
    [{ key: '3', shiftKey: true }, null],
    [{ key: 'u' }, 'undo'],
    [{ key: 'z', ctrlKey: true }, 'undo'],
    [{ key: 'z', metaKey: true }, 'undo'],
    [{ key: 'z', ctrlKey: true, shiftKey: true }, null],
    [{ key: 'j' }, 'nextQuestion'],
    [{ key: 'k' }, 'prevQuestion'],
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
    [{ key: 'u' }, null],
    [{ key: 'j' }, null],
    [{ key: 'k' }, null],
    // The text's own undo, not the last submit's.
    [{ key: 'z', ctrlKey: true }, null],
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

test('keys pressed while the next record opens: answers and actions carry over, typing does not', () => {
  // Pressed outside a text entry: every action but the panels and Escape.
  for (const key of ['Enter', 'Backspace', '0', '7', 'j', 'k', 'u', 'ArrowRight']) assert.equal(carriedOver({ key }, false), true, key);
  for (const key of ['g', '?', 'Escape', 'a', 'Tab', ' ']) assert.equal(carriedOver({ key }, false), false, key);
  // Pressed in the text area being left: Enter there is a new line and letters are typing (not a
  // submit, not j / k / u); Shift+Enter is a submit, and a digit is meant for the next record.
  for (const key of ['Enter', 'Backspace', 'u', 'j', 'x']) assert.equal(carriedOver({ key }, true), false, key);
  assert.equal(carriedOver({ key: 'Enter', shiftKey: true }, true), true);
  assert.equal(carriedOver({ key: '5' }, true), true);
  assert.equal(carriedOver({ key: '5', ctrlKey: true }, true), false);
});

test('every action button\'s key is a shortcut that does that action, and the panel lists it', () => {
  const press = { submit: { key: 'Enter' }, discard: { key: 'Backspace' }, clear: { key: ' ', shiftKey: true }, draft: { key: 's', ctrlKey: true }, undo: { key: 'u' } };
  for (const [action, key] of Object.entries(ACTION_KEYS)) {
    assert.equal(actionFor(press[action], out), action, action);
    assert.ok(SHORTCUTS.some(([k]) => k.includes(key === '⌫' ? 'Backspace' : key)), `${key} is in the shortcuts panel`);
  }
  assert.ok(SHORTCUTS.some(([k, what]) => k === 'j / k' && /question/.test(what)));
});
