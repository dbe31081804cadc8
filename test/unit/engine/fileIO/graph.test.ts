/**
 * The file:// routers with graph models (tf.loadGraphModel, inference): a model.json in the
 * converter's graph format — written here by hand, a GraphDef of MatMul, BiasAdd and Relu with
 * weights in two shards that split a tensor — loads and computes y = relu(x·W + b); a loaded graph
 * model saves through file:// (its signature kept) and loads again the same.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystem, registerFileRouters } from '../../../../src/engine/fileIO';
import { modelJson, tempDir, writeModelJson } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
});

const W = [[0.5, -1], [0.25, 2], [1, 0]];
const b = [0.125, -0.5];
const X = [[1, 2, 3], [-1, 0.5, -2]];
const expected = X.map((x) => [0, 1].map((k) => Math.max(0, x.reduce((s, xi, i) => s + xi * W[i][k], 0) + b[k])));

const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
const float = { type: 'DT_FLOAT' };

/** A graph-format model folder: weights W (24 bytes) and b (8 bytes) in shards of 20 and 12 bytes. */
function writeGraphModel(): string {
  const dir = tempDir();
  const bytes = Buffer.from(new Float32Array([...W.flat(), ...b]).buffer);
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 20));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(20));
  writeModelJson(dir, {
    format: 'graph-model',
    generatedBy: 'hand-written test graph',
    convertedBy: 'none',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 3) } } },
        { name: 'W', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 2) } } } },
        { name: 'b', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(2) } } } },
        { name: 'MatMul', op: 'MatMul', input: ['x', 'W'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'BiasAdd', op: 'BiasAdd', input: ['MatMul', 'b'], attr: { T: float, data_format: { s: Buffer.from('NHWC').toString('base64') } } },
        { name: 'y', op: 'Relu', input: ['BiasAdd'], attr: { T: float } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'W', shape: [3, 2], dtype: 'float32' }, { name: 'b', shape: [2], dtype: 'float32' }] }],
  });
  return dir;
}

test('a sharded graph model loads with tf.loadGraphModel and computes relu(x·W + b)', async () => {
  const dir = writeGraphModel();
  const model = await tf.loadGraphModel(`file://${dir}/model.json`);
  const y = model.execute(tf.tensor2d(X), 'y') as tf.Tensor;
  assert.deepEqual(y.arraySync(), expected);
  assert.ok(expected.flat().some((v) => v > 0) && expected.flat().some((v) => v === 0), 'the example reaches both sides of the ReLU');
});

test('a graph model saves through file:// and loads back the same', async () => {
  const model = await tf.loadGraphModel(`file://${writeGraphModel()}/model.json`);
  const out = tempDir();
  await model.save(`file://${out}`);
  const saved = modelJson(out);
  assert.equal(saved.format, 'graph-model');
  assert.deepEqual(saved.weightsManifest[0].paths, ['weights.bin']);
  const again = await tf.loadGraphModel(`file://${out}/model.json`);
  assert.deepEqual((again.execute(tf.tensor2d(X), 'y') as tf.Tensor).arraySync(), expected);
  const sharded = tempDir();
  await model.save(fileSystem(tf, sharded, { shardSizeBytes: 16 }));
  assert.deepEqual(modelJson(sharded).weightsManifest[0].paths, ['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  assert.deepEqual(((await tf.loadGraphModel(`file://${sharded}`)).execute(tf.tensor2d(X), 'y') as tf.Tensor).arraySync(), expected);
});

test('a graph model with a missing or truncated shard fails naming the shard', async () => {
  const missing = writeGraphModel();
  fs.rmSync(path.join(missing, 'group1-shard2of2.bin'));
  await assert.rejects(tf.loadGraphModel(`file://${missing}/model.json`), /weight file .*group1-shard2of2\.bin \(listed in .*model\.json, weightsManifest group 1 of 1\) does not exist/);
  const cut = writeGraphModel();
  fs.truncateSync(path.join(cut, 'group1-shard2of2.bin'), 8);
  await assert.rejects(tf.loadGraphModel(`file://${cut}/model.json`), /weight "b" \(float32 \[2\]\) needs bytes 24–32 but .*group1-shard1of2\.bin, .*group1-shard2of2\.bin hold only 28: the weight files are truncated/);
});

test('two paths (a binary .pb topology and a manifest) are refused with the way out', async () => {
  await assert.rejects(tf.loadGraphModel(['file://./m.pb', 'file://./weights_manifest.json'] as never), /file:\/\/ loading takes one model\.json; 2 paths .* are not supported/);
});
