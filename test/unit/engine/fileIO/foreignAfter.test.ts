/**
 * With tfjs-node loaded after the routers were registered (a file:// router that is not
 * Gradscope's), that one answers file:// alone: no "more than one handler" error, and its
 * files are the ones tfjs-node writes. The stand-in here records the URLs it was asked for.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerFileRouters } from '../../../../src/engine/fileIO';

const asked: string[] = [];
const stand = { load: async () => ({}), save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }) };

before(async () => {
  await tf.setBackend('cpu');
  assert.equal(registerFileRouters(tf), 'registered');
  const router = (url: string | string[]) => (typeof url === 'string' && url.startsWith('file://') ? (asked.push(url), stand) : null);
  tf.io.registerLoadRouter(router as never);
  tf.io.registerSaveRouter(router as never);
});

test('a file:// router registered later (tfjs-node) gets file:// to itself', () => {
  assert.deepEqual(tf.io.getLoadHandlers('file://./m/model.json'), [stand]);
  assert.deepEqual(tf.io.getSaveHandlers('file://./m'), [stand]);
  assert.ok(asked.includes('file://./m/model.json') && asked.includes('file://./m'));
  assert.equal(registerFileRouters(tf), 'tfjs-node', 'registering again reports the router in charge, and adds none');
  assert.equal(tf.io.getLoadHandlers('file://./m/model.json').length, 1);
});
