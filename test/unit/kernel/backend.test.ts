import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TestKernel } from './kernelHarness';

const fixtures = path.join(__dirname, 'fixtures');

async function withKernel<T>(options: ConstructorParameters<typeof TestKernel>[0], f: (k: TestKernel) => Promise<T>): Promise<T> {
  const k = new TestKernel(options);
  try {
    return await f(k);
  } finally {
    k.dispose();
  }
}

describe('backend selection at kernel start', () => {
  test('without native packages the kernel trains on wasm, and says why the natives were skipped', () =>
    withKernel({ backend: 'auto' }, async (k) => {
      const info = await k.client.start();
      assert.equal(info.backend, 'wasm');
      assert.match(info.notes.join('\n'), /tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
      assert.match(info.notes.join('\n'), /tensorflow: @tensorflow\/tfjs-node is not installed/);
      assert.equal((await k.run("import * as tf from '@tensorflow/tfjs';\ntf.getBackend()")).value, 'wasm');
    }));

  test('tfjs-node in the workspace wins over wasm, and cells, the native package and gradscope share one engine', () =>
    withKernel({ backend: 'auto', workspaceDir: path.join(fixtures, 'native-node') }, async (k) => {
      const info = await k.client.start();
      assert.equal(info.backend, 'tensorflow');
      assert.equal(info.device, 'CPU');
      const r = await k.run(`import * as tf from '@tensorflow/tfjs';
import * as tfn from '@tensorflow/tfjs-node';
import * as core from '@tensorflow/tfjs-core';
import * as gs from 'gradscope';
const t = tfn.tensor1d([0.9, 100]);
const [clipped] = gs.clip.byValue([{ name: 'g', tensor: t }], 1) as { name: string; tensor: tf.Tensor }[];
[tf.getBackend(), (tfn as any).node.fake, t instanceof tf.Tensor, t instanceof core.Tensor, Array.from(clipped.tensor.dataSync())].join(' ')`);
      assert.equal(r.status, 'ok', r.errorText);
      assert.equal(r.value, 'tensorflow node true true 0.8999999761581421,1');
    }));

  test('tfjs-node-gpu is tried first and reports the GPU device', () =>
    withKernel({ backend: 'auto', workspaceDir: path.join(fixtures, 'native-node-gpu') }, async (k) => {
      const info = await k.client.start();
      assert.equal(info.backend, 'tensorflow');
      assert.equal(info.device, 'GPU');
      assert.equal((await k.run("import * as tfn from '@tensorflow/tfjs-node-gpu';\n(tfn as any).node.fake")).value, 'node-gpu');
    }));

  test('the gradscope.backend setting forces a backend', () =>
    withKernel({ backend: 'cpu', workspaceDir: path.join(fixtures, 'native-node-gpu') }, async (k) => {
      assert.equal((await k.client.start()).backend, 'cpu');
    }));

  test('a forced backend that cannot load fails the start with a message naming it', () =>
    withKernel({ backend: 'tensorflow' }, async (k) => {
      const r = await k.run('1');
      assert.equal(r.status, 'died');
      assert.match(r.message ?? '', /could not start.*tfjs-node is not installed/s);
    }));

  test('importing a native package the kernel did not load says how to get it', () =>
    withKernel({ backend: 'cpu' }, async (k) => {
      const r = await k.run("import * as tfn from '@tensorflow/tfjs-node';");
      assert.equal(r.status, 'error');
      assert.match(r.errorText ?? '', /not available in this kernel \(backend: cpu\).*npm i @tensorflow\/tfjs-node/s);
    }));
});
