/**
 * Byte compatibility with tfjs-node, checked against tfjs-node's own file handler
 * (`@tensorflow/tfjs-node/dist/io/file_system.js`, plain JavaScript, no native binding needed) where it
 * can be found: resolvable from here, or named by GRADSCOPE_TFJS_NODE_IO (a copy of that file next to
 * its io_utils.js). Both ways: what tfjs-node saves equals what the router saves, byte for byte, and
 * each reads the other's files, sharded ones included.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystem, registerFileRouters } from '../../../../src/engine/fileIO';
import { buildSmallModel, forward, inputs } from './smallModel';
import { tempDir } from './helpers';

type NodeFileSystem = new (p: string) => tf.io.IOHandler;

function findTfjsNodeIO(): string | undefined {
  if (process.env.GRADSCOPE_TFJS_NODE_IO) return path.resolve(process.env.GRADSCOPE_TFJS_NODE_IO);
  try {
    return require.resolve('@tensorflow/tfjs-node/dist/io/file_system.js');
  } catch {
    return undefined;
  }
}
const ioPath = findTfjsNodeIO();
const skip = ioPath ? false : 'tfjs-node\'s file handler is not installed (set GRADSCOPE_TFJS_NODE_IO to its dist/io/file_system.js)';
let NodeFS: NodeFileSystem;

before(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (ioPath) NodeFS = (require(ioPath) as { NodeFileSystem: NodeFileSystem }).NodeFileSystem;
});

const predict = (m: tf.LayersModel) => (m.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync();
const bytes = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]));

test('tfjs-node saves exactly the files the router saves', { skip }, async () => {
  const theirs = tempDir();
  const ours = tempDir();
  const model = buildSmallModel();
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await model.save(new NodeFS(theirs));
  await model.save(`file://${ours}`);
  assert.deepEqual(bytes(ours), bytes(theirs));
  await model.save(new NodeFS(theirs), { includeOptimizer: true });
  await model.save(`file://${ours}`, { includeOptimizer: true });
  assert.deepEqual(bytes(ours), bytes(theirs), 'with the optimizer\'s weights and training config too');
});

test('each reads the other\'s files: tfjs-node loads the router\'s (sharded too), the router loads tfjs-node\'s', { skip }, async () => {
  const expected = inputs.map(forward);
  const theirs = tempDir();
  await buildSmallModel().save(new NodeFS(theirs));
  assert.deepEqual(predict(await tf.loadLayersModel(`file://${theirs}/model.json`)), expected);
  for (const shardSizeBytes of [undefined, 24]) {
    const ours = tempDir();
    await buildSmallModel().save(fileSystem(tf, ours, { shardSizeBytes }));
    const artifacts = await new NodeFS(path.join(ours, 'model.json')).load!();
    assert.deepEqual(predict(await tf.loadLayersModel(tf.io.fromMemory(artifacts))), expected, `shardSizeBytes ${shardSizeBytes}`);
  }
});
