// Unit tests of who sees what (ui/js/lib/roles.js), against the server's policy (policy.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetLinks, forbiddenReason, isOwner, mayManage, mayOpen, navLinks, peopleActions } from '../../../ui/js/lib/roles.js';

test('managers are owners and admins; only owners manage users', () => {
  assert.deepEqual(['owner', 'admin', 'annotator', undefined].map(mayManage), [true, true, false, false]);
  assert.deepEqual(['owner', 'admin', 'annotator', undefined].map(isOwner), [true, false, false, false]);
});

test('an annotator may open only the datasets, the annotation view and their own settings', () => {
  const screens = /** @type {const} */ (['home', 'annotate', 'me', 'settings', 'insights', 'users']);
  assert.deepEqual(screens.map((s) => mayOpen(s, 'annotator')), [true, true, true, false, false, false]);
  assert.deepEqual(screens.map((s) => mayOpen(s, 'admin')), [true, true, true, true, true, true]);
  assert.deepEqual(screens.map((s) => mayOpen(s, 'owner')), [true, true, true, true, true, true]);
  for (const s of ['settings', 'insights', 'users']) assert.match(forbiddenReason(/** @type {any} */ (s)), /owners/);
});

test('the main navigation shows only what the role may use', () => {
  const labels = (role) => navLinks(role).map((it) => `${it.label} ${it.href}`);
  assert.deepEqual(labels('annotator'), ['Datasets /', 'My settings /me']);
  assert.deepEqual(labels('admin'), ['Datasets /', 'Workspace members /users', 'My settings /me']);
  assert.deepEqual(labels('owner'), ['Datasets /', 'Users /users', 'My settings /me']);
});

test('dataset links: settings for managers, insights once published', () => {
  assert.deepEqual(datasetLinks('annotator', 'ready'), []);
  assert.deepEqual(datasetLinks('admin', 'ready'), ['settings', 'insights']);
  assert.deepEqual(datasetLinks('owner', 'draft'), ['settings']);
});

test('the users page: owners do everything, admins only take members out of their workspaces', () => {
  const all = Object.keys(peopleActions('owner'));
  assert.ok(all.every((k) => peopleActions('owner')[k]), 'owner');
  assert.deepEqual(all.filter((k) => peopleActions('admin')[k]), ['removeFromWorkspace']);
  assert.deepEqual(all.filter((k) => peopleActions('annotator')[k]), []);
});

test('the review view: reviewers of the workspace only, once published; owners mark reviewers', async () => {
  const { mayReviewDataset, mayMarkReviewers } = await import('../../../ui/js/lib/roles.js');
  assert.equal(mayOpen('review', 'annotator'), true, 'the server decides whether an annotator is a reviewer');
  assert.equal(mayReviewDataset(['w1'], 'w1', 'ready'), true);
  assert.equal(mayReviewDataset(['w1'], 'w1', 'draft'), false);
  assert.equal(mayReviewDataset([], 'w1', 'ready'), false);
  assert.deepEqual(['owner', 'admin', 'annotator'].map(mayMarkReviewers), [true, false, false]);
  assert.match(forbiddenReason('review'), /reviewers/);
});
