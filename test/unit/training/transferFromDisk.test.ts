/**
 * gs.transfer.reuse with a saved model: a path (folder or model.json, relative to the working
 * directory outside the kernel) or a URL; the reused layers carry the saved weights, are marked
 * reused in the frozen-layer map, and survive the loaded base being disposed.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as transfer from '../../../src/training/transfer';
import { buildSmallModel, fixtureDir } from '../engine/fileIO/smallModel';

before(async () => {
  await tf.setBackend('cpu');
});

const values = (l: tf.layers.Layer) => l.getWeights().map((w) => Array.from(w.dataSync()));

test('reuse(path) copies the saved model\'s lower layers with their weights, marked reused', async () => {
  const b = await transfer.reuse(fixtureDir);
  assert.deepEqual(b.layers.map((l) => l.name), ['hidden']);
  assert.deepEqual(values(b.layers[0]), values(buildSmallModel().layers[0]));
  b.add(tf.layers.dense({ units: 1, name: 'head' }));
  transfer.freeze(b, { upTo: 0 });
  const map = transfer.frozenMap(b);
  assert.deepEqual(map.map((l) => [l.name, l.trainable, l.reused ?? false]), [['hidden', false, true], ['head', true, false]]);
  // The loaded base was disposed; the copy still computes.
  assert.equal((b.predict(tf.ones([1, 3])) as tf.Tensor).shape.join(','), '1,1');
});

test('reuse takes model.json, a relative path, or a file:// URL; upTo counts in the saved model', async () => {
  const cwd = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-reuse-'));
  try {
    process.chdir(dir);
    await buildSmallModel().save('file://./base');
    const rel = await transfer.reuse('./base/model.json', { upTo: 'out' });
    assert.deepEqual(rel.layers.map((l) => l.name), ['hidden', 'out']);
    assert.deepEqual(values(rel.layers[1]), values(buildSmallModel().layers[1]));
    const url = await transfer.reuse(`file://${path.join(dir, 'base')}`);
    assert.deepEqual(url.layers.map((l) => l.name), ['hidden']);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('reuse(path) errors: a missing model, copy: false', async () => {
  await assert.rejects(transfer.reuse('/nonexistent/base'), /^Error: gs\.transfer\.reuse: cannot load the base model "\/nonexistent\/base": model file \/nonexistent\/base does not exist: loading failed$/);
  await assert.rejects(transfer.reuse(fixtureDir, { copy: false }), /`copy: false` shares layers with the model passed in; a model loaded from a path is always copied/);
  assert.equal(transfer.modelUrl('https://x/model.json'), 'https://x/model.json');
  assert.equal(transfer.modelUrl('./base'), 'file://./base');
});
