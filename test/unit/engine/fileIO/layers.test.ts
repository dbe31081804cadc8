/**
 * The file:// routers with layers-format models: relative and absolute URLs, folders, the files
 * tfjs-node writes (same layout, key order and bytes), converter-style shards, stale shards of an
 * earlier save, and the clear errors for what goes wrong on disk.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystem, registerFileRouters } from '../../../../src/engine/fileIO';
import { buildSmallModel, fixtureDir, forward, inputs } from './smallModel';
import { modelJson, snapshot, tempDir, writeModelJson } from './helpers';

let base: string;
before(async () => {
  await tf.setBackend('cpu');
  base = tempDir();
  assert.equal(registerFileRouters(tf, { baseDir: () => base }), 'registered');
});

const predict = (m: tf.LayersModel) => (m.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync();
const expected = inputs.map(forward);

/** A copy of the fixture in a fresh folder. */
function fixtureCopy(): string {
  const dir = tempDir();
  for (const f of fs.readdirSync(fixtureDir)) fs.copyFileSync(path.join(fixtureDir, f), path.join(dir, f));
  return dir;
}

async function rejects(p: Promise<unknown>, re: RegExp): Promise<string> {
  let message = '';
  await assert.rejects(p, (e: Error) => { message = e.message; return re.test(e.message); });
  return message;
}

describe('file:// with layers models', () => {
  test('registering twice is a no-op; the routers answer file:// only', () => {
    assert.equal(registerFileRouters(tf), 'already');
    assert.equal(tf.io.getSaveHandlers('file://./x').length, 1);
    assert.equal(tf.io.getLoadHandlers('file://./x/model.json').length, 1);
    const http = tf.io.getLoadHandlers('http://127.0.0.1/model.json');
    assert.deepEqual(http.map((h) => h.constructor.name), ['HTTPRequest'], 'http(s) stays with tfjs\'s own handler');
  });

  test('relative URLs resolve against the base folder; the folder is created; load takes model.json or its folder', async () => {
    await buildSmallModel().save('file://./models/small');
    assert.deepEqual(fs.readdirSync(path.join(base, 'models', 'small')).sort(), ['model.json', 'weights.bin']);
    assert.deepEqual(predict(await tf.loadLayersModel('file://./models/small/model.json')), expected);
    assert.deepEqual(predict(await tf.loadLayersModel('file://models/small')), expected);
    assert.deepEqual(predict(await tf.loadLayersModel(`file://${path.join(base, 'models', 'small', 'model.json')}`)), expected);
  });

  test('the files are laid out as tfjs-node writes them: model.json keys and order, one weights.bin of the encoded weights', async () => {
    const dir = tempDir();
    const model = buildSmallModel();
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.save(`file://${dir}`);
    const json = modelJson(dir);
    assert.deepEqual(Object.keys(json), ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy']);
    assert.equal(json.format, 'layers-model');
    assert.equal(json.convertedBy, null);
    const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
    const encoded = await tf.io.encodeWeights(named);
    assert.deepEqual(json.weightsManifest, [{ paths: ['weights.bin'], weights: encoded.specs }]);
    assert.ok(fs.readFileSync(path.join(dir, 'weights.bin')).equals(Buffer.from(encoded.data as ArrayBuffer)));
    // JSON.stringify without spaces, as tfjs-node writes it.
    assert.equal(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'), JSON.stringify(json));
    // With the optimizer, its config follows (tfjs-node's order) and its weights follow the model's.
    await model.save(`file://${dir}`, { includeOptimizer: true });
    const withOpt = modelJson(dir);
    assert.deepEqual(Object.keys(withOpt), ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy', 'trainingConfig']);
    assert.equal(withOpt.trainingConfig.loss, 'mean_squared_error');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin']);
  });

  test('sharded saving writes the converter\'s group1-shardNofM.bin files; loading joins shards split inside a tensor', async () => {
    const dir = tempDir();
    await buildSmallModel().save(fileSystem(tf, dir, { shardSizeBytes: 30 }));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['group1-shard1of4.bin', 'group1-shard2of4.bin', 'group1-shard3of4.bin', 'group1-shard4of4.bin', 'model.json']);
    assert.deepEqual(modelJson(dir).weightsManifest[0].paths, ['group1-shard1of4.bin', 'group1-shard2of4.bin', 'group1-shard3of4.bin', 'group1-shard4of4.bin']);
    assert.deepEqual([1, 2, 3, 4].map((i) => fs.statSync(path.join(dir, `group1-shard${i}of4.bin`)).size), [30, 30, 30, 14]);
    assert.deepEqual(predict(await tf.loadLayersModel(`file://${dir}/model.json`)), expected);
    assert.throws(() => fileSystem(tf, dir, { shardSizeBytes: 0 }), /shardSizeBytes must be a positive integer, got 0/);
    assert.throws(() => fileSystem(tf, dir, { shardSize: 10 } as never), /unknown option `shardSize`/);
  });

  test('several weight groups, each in its own shards, load in manifest order', async () => {
    const dir = fixtureCopy();
    const json = modelJson(dir);
    const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
    const [k1, b1, k2, b2] = json.weightsManifest[0].weights;
    // group 1: hidden/kernel + hidden/bias (48 + 16 bytes) in two shards; group 2: out/* in one.
    fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, 40));
    fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(40, 64));
    fs.writeFileSync(path.join(dir, 'group2-shard1of1.bin'), bytes.subarray(64));
    fs.rmSync(path.join(dir, 'weights.bin'));
    json.weightsManifest = [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [k1, b1] },
      { paths: ['group2-shard1of1.bin'], weights: [k2, b2] },
    ];
    writeModelJson(dir, json);
    const fractions: number[] = [];
    const m = await tf.loadLayersModel(`file://${dir}/model.json`, { onProgress: (f) => { fractions.push(f); } });
    assert.deepEqual(predict(m), expected);
    assert.deepEqual(fractions, [0, 1 / 3, 2 / 3, 1], 'onProgress: one step per weight file');
  });

  test('saving again replaces the model and removes shards the old model.json listed, nothing else', async () => {
    const dir = tempDir();
    await buildSmallModel().save(fileSystem(tf, dir, { shardSizeBytes: 50 }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await buildSmallModel().save(`file://${dir}`);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'notes.txt', 'weights.bin']);
    assert.deepEqual(snapshot(dir)['weights.bin'], snapshot(fixtureDir)['weights.bin']);
  });

  test('a missing model.json, a folder without one, and a save onto a file say which path', async () => {
    await rejects(tf.loadLayersModel('file://./nowhere/model.json'), /^model file nowhere\/model\.json does not exist: loading failed$/);
    fs.mkdirSync(path.join(base, 'empty'));
    await rejects(tf.loadLayersModel('file://./empty'), /empty is a folder without a model\.json, so empty\/model\.json does not exist/);
    fs.writeFileSync(path.join(base, 'afile'), 'x');
    await rejects(buildSmallModel().save('file://./afile'), /cannot save to afile: it exists as a file/);
    await rejects(tf.loadLayersModel('file://'), /names no path/);
  });

  test('a missing shard names the file, the model.json and the group', async () => {
    const dir = tempDir();
    await buildSmallModel().save(fileSystem(tf, dir, { shardSizeBytes: 60 }));
    fs.rmSync(path.join(dir, 'group1-shard2of2.bin'));
    const msg = await rejects(tf.loadLayersModel(`file://${dir}/model.json`), /weight file .*group1-shard2of2\.bin \(listed in .*model\.json, weightsManifest group 1 of 1\) does not exist/);
    assert.ok(msg.includes(dir), msg);
  });

  test('a truncated shard, a longer one and a wrong dtype are refused before tfjs decodes', async () => {
    const truncated = fixtureCopy();
    fs.truncateSync(path.join(truncated, 'weights.bin'), 100);
    await rejects(tf.loadLayersModel(`file://${truncated}`),
      /weight "out\/bias" \(float32 \[2\]\) needs bytes 96–104 but .*weights\.bin holds only 100: the weight file is truncated/);

    const longer = fixtureCopy();
    fs.appendFileSync(path.join(longer, 'weights.bin'), Buffer.alloc(8));
    await rejects(tf.loadLayersModel(`file://${longer}`), /weights\.bin holds 112 bytes but the manifest's 4 weights need 104: a dtype or shape in model\.json does not match/);

    const float64 = fixtureCopy();
    const json = modelJson(float64);
    json.weightsManifest[0].weights[0].dtype = 'float64';
    writeModelJson(float64, json);
    await rejects(tf.loadLayersModel(`file://${float64}`), /weight "hidden\/kernel" has dtype "float64"; TensorFlow\.js weights are float32, int32, bool, complex64 or string/);

    const quant = fixtureCopy();
    const q = modelJson(quant);
    q.weightsManifest[0].weights[0].quantization = { dtype: 'int4', scale: 1, min: 0 };
    writeModelJson(quant, q);
    await rejects(tf.loadLayersModel(`file://${quant}`), /"hidden\/kernel" is quantized as "int4"/);

    const bool = fixtureCopy();
    const b = modelJson(bool);
    b.weightsManifest[0].weights[3].dtype = 'bool'; // out/bias: 2 bytes instead of 8
    writeModelJson(bool, b);
    await rejects(tf.loadLayersModel(`file://${bool}`), /holds 104 bytes but the manifest's 4 weights need 98/);
  });

  test('a truncated or non-JSON model.json is named as such', async () => {
    const dir = fixtureCopy();
    const text = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'model.json'), text.slice(0, 700));
    await rejects(tf.loadLayersModel(`file://${dir}`), /model\.json is not valid JSON \(.*; 700 characters\): a truncated or partly written file/);
    writeModelJson(dir, { hello: 1 });
    await rejects(tf.loadLayersModel(`file://${dir}`), /holds neither "modelTopology" nor "weightsManifest"/);
    writeModelJson(dir, { modelTopology: {}, weightsManifest: [{ weights: [] }] });
    await rejects(tf.loadLayersModel(`file://${dir}`), /weightsManifest group 1 needs "paths"/);
  });

  test('http-only load options are refused by name; weightPathPrefix and weightUrlConverter are honoured', async () => {
    await rejects(tf.loadLayersModel(`file://${fixtureDir}/model.json`, { requestInit: { headers: {} } }), /the load option `requestInit` applies to http\(s\):\/\/ models/);
    await rejects(tf.loadLayersModel(`file://${fixtureDir}/model.json`, { fetchFunc: fetch }), /`fetchFunc`/);
    const dir = tempDir();
    fs.copyFileSync(path.join(fixtureDir, 'model.json'), path.join(dir, 'model.json'));
    const weights = tempDir();
    fs.copyFileSync(path.join(fixtureDir, 'weights.bin'), path.join(weights, 'weights.bin'));
    assert.deepEqual(predict(await tf.loadLayersModel(`file://${dir}`, { weightPathPrefix: weights })), expected);
    const asked: string[] = [];
    const converted = await tf.loadLayersModel(`file://${dir}`, { weightUrlConverter: async (n) => { asked.push(n); return `file://${path.join(weights, n)}`; } });
    assert.deepEqual(predict(converted), expected);
    assert.deepEqual(asked, ['weights.bin']);
    await rejects(tf.loadLayersModel(`file://${dir}`, { weightUrlConverter: async (n) => `https://example.com/${n}` }), /"https:\/\/example\.com\/weights\.bin" is not a file path/);
  });

  test('a model without weights saves and loads, also as tfjs-node writes it (a group without "weights")', async () => {
    const dir = tempDir();
    await tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] })] }).save(`file://${dir}`);
    assert.equal(fs.statSync(path.join(dir, 'weights.bin')).size, 0);
    const json = modelJson(dir);
    delete json.weightsManifest[0].weights;
    writeModelJson(dir, json);
    const m = await tf.loadLayersModel(`file://${dir}`);
    assert.deepEqual((m.predict(tf.tensor3d([[[1, 2], [3, 4]]])) as tf.Tensor).arraySync(), [[1, 2, 3, 4]]);
  });

  test('a dtype the model does not expect fails in tfjs with its own message', async () => {
    const dir = fixtureCopy();
    const json = modelJson(dir);
    json.weightsManifest[0].weights[1].dtype = 'int32'; // hidden/bias, same byte count
    writeModelJson(dir, json);
    await rejects(tf.loadLayersModel(`file://${dir}`), /dtype of the new value \(int32\) and previous value \(float32\) must match/);
  });
});
