/**
 * Importing the gradscope library in plain Node registers the file:// routers (no tfjs-node):
 * `model.save('file://./…')` works at once, relative to the working directory, and `gs.io.fileSystem`
 * saves sharded. The built bundle (dist/gradscope.js, what `require('gradscope/dist/gradscope.js')`
 * loads) does the same in a separate Node process.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as gs from '../../../../src/library';
import { root, requireBuild } from '../../kernel/kernelHarness';
import { buildSmallModel, forward, inputs } from './smallModel';
import { tempDir } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

test('the library import alone registers file://; gs.io.fileSystem shards', async () => {
  assert.equal(tf.io.getSaveHandlers('file://./m').length, 1);
  const dir = tempDir();
  await buildSmallModel().save(gs.io.fileSystem(dir, { shardSizeBytes: 64 }));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
  const m = await tf.loadLayersModel(`file://${dir}/model.json`);
  assert.deepEqual((m.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync(), inputs.map(forward));
});

test('dist/gradscope.js in plain Node: file://./ saves into the working directory and loads back', () => {
  requireBuild();
  const cwd = tempDir();
  const script = `
    const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});
    require(${JSON.stringify(path.join(root, 'dist', 'gradscope.js'))});
    (async () => {
      await tf.setBackend('cpu');
      const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
      await m.save('file://./plain');
      const back = await tf.loadLayersModel('file://./plain/model.json');
      console.log('out', JSON.stringify(back.predict(tf.ones([1, 3])).arraySync()));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /out \[\[3,3\]\]/);
  assert.deepEqual(fs.readdirSync(path.join(cwd, 'plain')).sort(), ['model.json', 'weights.bin']);
});
