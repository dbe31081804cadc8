/**
 * The checked-in layers-format model (fixtures/small-mlp, written by makeFixture.ts through the
 * file:// router): it loads, predicts the values its formula weights give, and a save → load round
 * trip reproduces its files and weights bit for bit.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerFileRouters } from '../../../../src/engine/fileIO';
import { buildSmallModel, fixtureDir, forward, inputs } from './smallModel';

before(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
});

const bits = (m: tf.LayersModel) => m.getWeights().map((w) => Buffer.from(new Uint8Array(w.dataSync().buffer.slice(0))).toString('hex'));

test('the fixture loads and predicts the outputs its weights give, exactly', async () => {
  const model = await tf.loadLayersModel(`file://${fixtureDir}/model.json`);
  assert.deepEqual(model.layers.map((l) => l.name), ['hidden', 'out']);
  const y = (model.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync() as number[][];
  assert.deepEqual(y, inputs.map(forward));
  assert.ok(y.flat().some((v) => v !== 0) && new Set(y.flat()).size > 3, 'the outputs are not trivial');
});

test('the fixture is what the save router writes for the model today (run makeFixture.ts when tfjs changes the format)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-fixture-'));
  try {
    await buildSmallModel().save(`file://${dir}`);
    for (const f of ['model.json', 'weights.bin']) assert.ok(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(fixtureDir, f))), f);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('save → load round trip: the same bytes on disk and the same weights, bit for bit', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-roundtrip-'));
  try {
    const loaded = await tf.loadLayersModel(`file://${fixtureDir}/model.json`);
    await loaded.save(`file://${dir}`);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin']);
    for (const f of ['model.json', 'weights.bin']) {
      assert.ok(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(fixtureDir, f))), `${f} differs from the fixture's`);
    }
    const again = await tf.loadLayersModel(`file://${dir}/model.json`);
    assert.deepEqual(bits(again), bits(loaded));
    assert.deepEqual(bits(again), bits(buildSmallModel()));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
