/**
 * Saving is a transaction: a failure while writing the new files, or while moving them into place,
 * leaves the folder exactly as it was (the previous model's bytes, no temporary files), and no
 * model.json ever sits next to another save's weights. Failures are injected through the saver's
 * file operations.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FileModelSaver, nodeSaveFs, type SaveFs } from '../../../../src/engine/fileIO/save';
import { registerFileRouters } from '../../../../src/engine/fileIO';
import { buildSmallModel } from './smallModel';
import { modelJson, snapshot, tempDir } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
  registerFileRouters(tf);
});

/** A model whose weights differ from the small model's, so a mix of the two saves would show. */
function otherModel(): tf.Sequential {
  const m = buildSmallModel();
  m.layers[0].setWeights(m.layers[0].getWeights().map((w) => w.add(1)));
  return m;
}

/** File operations that fail at the `n`-th call of `op` (1-based), logging every call. */
function failing(op: keyof SaveFs, n: number, log: string[] = []): SaveFs {
  let calls = 0;
  const wrap = <K extends keyof SaveFs>(k: K): SaveFs[K] => (async (...args: [string, never]) => {
    log.push(`${k} ${args.map((a, i) => (k === 'writeFile' && i === 1 ? '…' : path.basename(a))).join(' → ')}`);
    if (k === op && ++calls === n) throw Object.assign(new Error(`injected ${k} failure`), { code: 'EIO' });
    return (nodeSaveFs[k] as (...a: unknown[]) => Promise<void>)(...args);
  }) as SaveFs[K];
  return { writeFile: wrap('writeFile'), rename: wrap('rename'), unlink: wrap('unlink') };
}

const saveWith = (dir: string, ops: SaveFs, shardSizeBytes?: number) =>
  otherModel().save(new FileModelSaver(tf, dir, dir, { shardSizeBytes }, ops));

async function savedBefore(shardSizeBytes?: number): Promise<string> {
  const dir = tempDir();
  await buildSmallModel().save(new FileModelSaver(tf, dir, dir, { shardSizeBytes }));
  return dir;
}

test('the commit order: all files written under temporary names, model.json moved aside first and put in place last', async () => {
  const dir = await savedBefore();
  const log: string[] = [];
  await saveWith(dir, failing('writeFile', 0, log));
  const steps = log.map((l) => l.replace(/\.(saving|previous)-[\w-]+/g, '.$1'));
  assert.deepEqual(steps, [
    'writeFile .weights.bin.saving → …',
    'writeFile .model.json.saving → …',
    'rename model.json → .model.json.previous',
    'rename weights.bin → .weights.bin.previous',
    'rename .weights.bin.saving → weights.bin',
    'rename .model.json.saving → model.json',
    'unlink .model.json.previous',
    'unlink .weights.bin.previous',
  ]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin']);
});

for (const [what, op, n] of [
  ['writing model.json (disk full)', 'writeFile', 2],
  ['moving the old weights aside', 'rename', 2],
  ['putting the new weights in place', 'rename', 3],
  ['putting the new model.json in place', 'rename', 4],
] as const) {
  test(`a failure ${what} leaves the previous model byte for byte, and no temporary file`, async () => {
    const dir = await savedBefore();
    const before = snapshot(dir);
    await assert.rejects(saveWith(dir, failing(op, n)), /saving the model to .* failed, the folder is as it was: injected/);
    assert.deepEqual(snapshot(dir), before);
    const reloaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    assert.deepEqual(reloaded.getWeights().map((w) => Array.from(w.dataSync())), buildSmallModel().getWeights().map((w) => Array.from(w.dataSync())));
  });
}

test('a failure replacing a sharded model with a single-file one restores every old shard', async () => {
  const dir = await savedBefore(40);
  const before = snapshot(dir);
  assert.equal(Object.keys(before).length, 4, 'model.json and three shards');
  await assert.rejects(saveWith(dir, failing('rename', 5)), /failed, the folder is as it was/);
  assert.deepEqual(snapshot(dir), before);
  await saveWith(dir, nodeSaveFs);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin'], 'a successful save removes the old shards');
  assert.deepEqual(modelJson(dir).weightsManifest[0].paths, ['weights.bin']);
});

test('a save into a new folder that fails leaves no model.json behind', async () => {
  const dir = path.join(tempDir(), 'fresh');
  await assert.rejects(otherModel().save(new FileModelSaver(tf, dir, dir, {}, failing('writeFile', 2))), /failed/);
  assert.deepEqual(fs.readdirSync(dir), []);
});
