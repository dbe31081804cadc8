/** Completion and inspection from live values: property lookups only, never a call. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeAt, inspectAt, nameAt } from '../../../src/kernel/introspect';

const scope = {
  tf: { ones: new Function('return () => 1')() as () => number, onesLike: () => 1, oneHot: () => 1, zeros: () => 0 },
  model: { layers: [1, 2], fit() { return 1; } },
  modelName: 'm',
  get boom(): never { throw new Error('getter ran'); },
};

test('members after a dot, names and keywords at the start of a word', () => {
  assert.deepEqual(completeAt('tf.on', 5, scope), { matches: ['oneHot', 'ones', 'onesLike'], start: 3, end: 5 });
  assert.deepEqual(completeAt('x = model.', 10, scope).matches.slice(0, 2), ['fit', 'layers']);
  assert.deepEqual(completeAt('mod', 3, scope).matches, ['model', 'modelName']);
  assert.ok(completeAt('aw', 2, scope).matches.includes('await'));
  assert.deepEqual(completeAt('nothing.he', 10, scope).matches, [], 'an unknown receiver offers nothing');
});

test('completion and inspection never call code; a throwing getter gives nothing', () => {
  assert.deepEqual(completeAt('boom.', 5, scope).matches, []);
  assert.equal(inspectAt('boom', 4, scope, 0), undefined);
  let called = false;
  const withCall = { f: () => { called = true; return { x: 1 }; } };
  assert.deepEqual(completeAt('f().', 4, withCall).matches, [], 'a call before the dot is not evaluated');
  assert.equal(called, false);
});

test('inspect names the type and shows the value or the signature', () => {
  assert.equal(nameAt('y = model.layers', 12), 'model.layers');
  assert.equal(inspectAt('model.layers', 8, scope, 0), 'model.layers: Array\n[ 1, 2 ]');
  assert.match(inspectAt('tf.ones', 7, scope, 0)!, /^tf\.ones: function\n\(\) => 1$/);
  assert.equal(inspectAt('missing', 3, scope, 0), undefined);
});
