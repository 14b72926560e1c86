// Unit tests of what the settings page may change and sends (ui/js/lib/settings-edit.js), against
// the update rules of api.md §5.4, §6.3, §7.3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetBody, errorKeys, fieldBody, intOrText, questionBody, questionEditable } from '../../../ui/js/lib/settings-edit.js';

const opts = (...values) => values.map((value) => ({ value, text: value.toUpperCase(), description: null }));
const label = { settings: { type: 'label_selection', options: opts('a', 'b', 'c', 'd'), visible_options: null } };
const multi = { settings: { type: 'multi_label_selection', options: opts('x', 'y'), visible_options: null, options_order: 'natural' } };
const span = (on) => ({ settings: { type: 'span', field: 'body', options: opts('per', 'org', 'loc'), visible_options: 3, allow_overlapping: on } });
const rating = { settings: { type: 'rating', options: [{ value: 0 }, { value: 1 }] } };
const ranking = { settings: { type: 'ranking', options: opts('r1', 'r2') } };
const text = { settings: { type: 'text', use_markdown: false } };

test('what each question kind may change', () => {
  assert.deepEqual(questionEditable(label), { useMarkdown: false, optionTexts: true, visibleOptions: true, optionsOrder: false, allowOverlapping: null, fixedOptions: null });
  assert.equal(questionEditable(multi).visibleOptions, false, 'fewer than 3 labels: no visible_options');
  assert.equal(questionEditable(multi).optionsOrder, true);
  assert.equal(questionEditable(span(false)).allowOverlapping, 'editable');
  assert.equal(questionEditable(span(true)).allowOverlapping, 'fixed-on');
  assert.match(questionEditable(rating).fixedOptions, /Rating values are fixed/);
  assert.match(questionEditable(ranking).fixedOptions, /Ranking options are fixed/);
  assert.equal(questionEditable(text).useMarkdown, true);
});

test('question bodies: texts keep their values, blank description clears, visible labels as numbers', () => {
  const described = { settings: { ...label.settings, options: label.settings.options.map((o) => ({ ...o, description: o.value === 'b' ? 'Bee' : null })) } };
  const shown = [{ value: 'b', text: 'Bb' }, { value: 'a', text: 'Aa' }, { value: 'c', text: 'Cc' }, { value: 'd', text: 'Dd' }];
  const body = questionBody(described, { title: 'T', description: '  ', options: shown, visibleOptions: '3' });
  assert.deepEqual(body, {
    title: 'T',
    description: null,
    settings: { type: 'label_selection', options: [{ value: 'b', text: 'Bb', description: 'Bee' }, { value: 'a', text: 'Aa', description: null }, { value: 'c', text: 'Cc', description: null }, { value: 'd', text: 'Dd', description: null }], visible_options: 3 },
  }, 'reordered, retitled, descriptions kept');
  assert.deepEqual(questionBody(label, { title: 'T', description: '' }).settings.options, label.settings.options, 'unchanged without a form');
  assert.equal(questionBody(label, { title: 'T', description: '', visibleOptions: '' }).settings.visible_options, null);
  // Something the server refuses is sent as typed, so its message is the one shown.
  assert.equal(questionBody(label, { title: 'T', description: '', visibleOptions: '2' }).settings.visible_options, 2);
  assert.deepEqual(questionBody(multi, { title: 'M', description: 'd', optionsOrder: 'suggestion' }).settings.options_order, 'suggestion');
  assert.equal(questionBody(span(false), { title: 'S', description: '', allowOverlapping: true }).settings.allow_overlapping, true);
  assert.equal('allow_overlapping' in questionBody(span(true), { title: 'S', description: '', allowOverlapping: false }).settings, false, 'on stays on: not sent');
  assert.deepEqual(questionBody(rating, { title: 'R', description: 'why' }), { title: 'R', description: 'why' });
  assert.deepEqual(questionBody(text, { title: 'X', description: '', useMarkdown: true }).settings, { type: 'text', use_markdown: true });
});

test('field and dataset bodies', () => {
  assert.deepEqual(fieldBody({ settings: { type: 'text', use_markdown: false } }, { title: 'T', description: 'D', useMarkdown: true }), { title: 'T', description: 'D', settings: { type: 'text', use_markdown: true } });
  assert.deepEqual(fieldBody({ settings: { type: 'image' } }, { title: 'I', description: '' }), { title: 'I', description: null });
  assert.deepEqual(fieldBody({ settings: { type: 'custom', template: 'a', advanced_mode: false } }, { title: 'C', description: '', template: 'b', advancedMode: true }).settings, { type: 'custom', template: 'b', advanced_mode: true });
  assert.deepEqual(datasetBody({ name: 'n', guidelines: '', allowExtraMetadata: true, minSubmitted: '2', responsesVisible: false }), {
    name: 'n', guidelines: null, allow_extra_metadata: true, distribution: { strategy: 'overlap', min_submitted: 2 }, responses_visible_for_annotators: false,
  });
  assert.deepEqual([intOrText(' 4 '), intOrText(''), intOrText('2.5'), intOrText('x')], [4, null, '2.5', 'x']);
});

test('which control a 422 is about', () => {
  const coded = { detail: { code: 'validation_error', params: { errors: [{ loc: ['body', 'distribution', 'min_submitted'], msg: 'x', type: 'y' }] } } };
  assert.deepEqual(errorKeys(coded), ['min_submitted']);
  assert.deepEqual(errorKeys({ detail: "the value for 'visible_options' must be less or equal to the number of items in 'options' (4)" }), ['visible_options']);
  assert.deepEqual(errorKeys({ detail: 'the option values cannot be modified. found unexpected option values: [x]' }), []);
  assert.deepEqual(errorKeys({ detail: 'the number of options cannot be modified' }), ['options']);
  assert.deepEqual(errorKeys(null), []);
});
