/**
 * With tfjs-node's file:// router registered first, registering Gradscope's is refused politely
 * (it reports 'tfjs-node') and file:// stays with tfjs-node.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerFileRouters } from '../../../../src/engine/fileIO';

const stand = { load: async () => ({}) };

before(async () => {
  await tf.setBackend('cpu');
  tf.io.registerLoadRouter(((url: string) => (url.startsWith('file://') ? stand : null)) as never);
});

test('a file:// router already there (tfjs-node) keeps file:// to itself', () => {
  assert.equal(registerFileRouters(tf), 'tfjs-node');
  assert.deepEqual(tf.io.getLoadHandlers('file://./m/model.json'), [stand]);
  assert.deepEqual(tf.io.getSaveHandlers('file://./m'), []);
});
