/**
 * What a notebook user sees on webgpu (Dawn; see gpu.ts for the adapter): synchronous reads that
 * work, NaN that stays NaN, max-pool gradients that go to the first maximum, and no silent wrong
 * numbers — a tensor over the device's limit and a WebGPU validation error both become errors that
 * say what happened.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, useWebGpu, values, type Gpu } from './gpu';
import type { WebGpuBackend } from '../../../src/engine/webgpu/types';
import { installSyncReads } from '../../../src/engine/webgpu/syncRead';

let gpu: Gpu;

/** A tensor computed on the GPU (large enough that tfjs does not run the op on the CPU). */
function onGpu(n = 4096): tf.Tensor {
  return tf.tidy(() => tf.add(tf.tensor1d(values(n, 3)), tf.fill([n], 1)));
}

describe('webgpu in a notebook', () => {
  before(async () => {
    gpu = await useWebGpu();
  });

  test('dataSync, arraySync, bufferSync and print read GPU tensors synchronously and agree with data()', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    assert.equal(gpu.started.syncReads, true, 'Dawn\'s pump passed its self-test');
    const a = onGpu();
    const want = Array.from(values(4096, 3), (v) => Math.fround(Math.fround(v) + 1));
    assert.deepEqual(Array.from(a.dataSync()), want);
    const m = tf.tidy(() => tf.matMul(tf.tensor2d(values(64 * 48, 4), [64, 48]), tf.tensor2d(values(48 * 32, 5), [48, 32])));
    const rows = m.arraySync() as number[][];
    const asyncValues = await tf.tidy(() => m.clone()).data();
    assert.deepEqual(rows.flat(), Array.from(asyncValues));
    assert.equal(rows.length, 64);
    const b = onGpu();
    assert.equal(b.bufferSync().get(4095), want[4095]);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      tf.tidy(() => tf.matMul(tf.ones([40, 40]), tf.ones([40, 40]).mul(2))).print();
    } finally {
      console.log = log;
    }
    assert.match(printed.join('\n'), /Tensor\s+\[\[80, 80, 80, .*80\],/s);
    tf.dispose([a, b, m]);
  });

  test('where no synchronous wait is possible, each sync call throws, naming itself and what to write instead', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const backend = tf.backend() as unknown as WebGpuBackend;
    const working = backend.readSync;
    installSyncReads(tf, backend, undefined);
    try {
      const calls: [string, (x: tf.Tensor) => unknown, RegExp][] = [
        ['dataSync()', (x) => x.dataSync(), /Write `await t\.data\(\)` in an async context instead/],
        ['arraySync()', (x) => x.arraySync(), /Write `await t\.array\(\)`/],
        ['print()', (x) => x.print(), /Write `console\.log\(await t\.array\(\)\)`/],
      ];
      for (const [call, f, instead] of calls) {
        const x = onGpu();
        assert.throws(() => f(x), (e: Error) => {
          assert.ok(e.message.startsWith(`${call} cannot read a tensor synchronously on the webgpu backend here`), e.message);
          assert.match(e.message, instead);
          return true;
        });
        assert.equal((await x.data()).length, 4096, 'await t.data() still works');
        x.dispose();
      }
    } finally {
      backend.readSync = working;
    }
  });

  test('ReLU, ReLU6 and fused ReLU keep NaN, as cpu does; a model with NaN weights reports a NaN loss', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const n = 2048;
    const x = tf.tidy(() => tf.concat([tf.fill([1], NaN), tf.tensor1d(values(n - 1, 6)).mul(10)]));
    const outs = tf.tidy(() => [tf.relu(x), tf.relu6(x), tf.fused.matMul({ a: x.reshape([1, n]), b: tf.ones([n, 3]), activation: 'relu' })]);
    for (const o of outs) assert.ok(Number.isNaN((await o.data())[0]), 'NaN in, NaN out');
    assert.equal((await outs[0].data())[1], Math.max(0, (await x.data())[1]), 'other values are ReLU\'s');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, NaN)));
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const loss = await model.evaluate(tf.ones([8, 4]), tf.oneHot(tf.zeros([8], 'int32'), 2)) as tf.Scalar;
    assert.ok(Number.isNaN(loss.dataSync()[0]), `loss is ${loss.dataSync()[0]}, not NaN`);
    tf.dispose([x, ...outs, loss]);
    model.dispose();
  });

  test('max-pool gradients go to the first maximum of each window, as on cpu, also for ties and all-negative windows', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const cases: [number[], number[]][] = [
      [[1, 1, 1, 1], [1, 2, 2, 1]],
      [[-3, -1, -2, -4, -5, -6, -7, -8], [1, 2, 4, 1]],
      [[2, 2, 5, 5, 1, 2, 5, 0, 2], [1, 3, 3, 1]],
    ];
    for (const [v, shape] of cases) {
      const grad = async (backend: string) => {
        await tf.setBackend(backend);
        const g = tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 1, 'same'))(tf.tensor4d(v, shape as [number, number, number, number]));
        return Array.from(await g.data());
      };
      const cpu = await grad('cpu');
      assert.deepEqual(await grad('webgpu'), cpu, `input ${v}`);
    }
  });

  test('addN of more tensors than one shader may bind sums them all (the gradient of a weight used 20 times)', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const parts = Array.from({ length: 20 }, (_, i) => tf.tidy(() => tf.tensor1d(values(2048, 20 + i)).mul(3)));
    const before = tf.memory().numTensors;
    const sum = tf.addN(parts);
    assert.equal(tf.memory().numTensors, before + 1, 'no partial sums left behind');
    const want = new Float64Array(2048);
    for (let i = 0; i < 20; i++) values(2048, 20 + i).forEach((v, j) => (want[j] += Math.fround(v * 3)));
    const got = await sum.data();
    assert.ok(got.every((v, j) => Math.abs(v - want[j]) <= 1e-5 * Math.max(1, Math.abs(want[j]))), 'every element is the sum of 20');
    const w = tf.variable(tf.tensor1d(values(2048, 7)));
    const grads = tf.variableGrads(() => tf.addN(Array.from({ length: 20 }, (_, i) => w.mul(i + 1))).sum() as tf.Scalar);
    const gv = await grads.grads[w.name].data();
    assert.ok(gv.every((v) => v === 210), `∂/∂w of Σ (i+1)·w is 210 everywhere, got ${gv[0]}`);
    assert.deepEqual(gpu.errors, [], 'no WebGPU validation error on the way');
    tf.dispose([...parts, sum, w, grads.value, ...Object.values(grads.grads)]);
  });

  test('a tensor larger than the device allows throws, naming the op, the shape, the bytes and the limit', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const limits = gpu.started.limits;
    const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const n = Math.floor(limit / 4) + 1;
    const before = tf.memory().numTensors;
    assert.throws(() => tf.fill([n], 1.5), (e: Error) => {
      assert.match(e.message, new RegExp(`a float32 tensor of shape \\[${n}\\] \\(in Fill\\) needs .*\\(${n * 4} bytes\\) on the GPU`));
      assert.match(e.message, new RegExp(`(maxStorageBufferBindingSize|maxBufferSize) of .*\\(${limit} bytes\\)`));
      return true;
    });
    assert.equal(tf.memory().numTensors, before, 'nothing left behind');
    const ok = onGpu();
    assert.equal((await ok.data()).length, 4096, 'the backend still works');
    ok.dispose();
  });

  test('a WebGPU validation error is reported and makes the next read throw instead of returning its values', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const device = (tf.backend() as unknown as WebGpuBackend).device as unknown as { createBuffer(d: object): { destroy(): void } };
    const errorsBefore = gpu.errors.length;
    const a = onGpu();
    // MAP_READ with STORAGE is not a valid usage: Dawn raises an uncaptured validation error.
    device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    await assert.rejects(a.data(), /WebGPU reported an error since the last read, so the values computed since are not trustworthy: GPUValidationError/);
    assert.equal(gpu.errors.length, errorsBefore + 1, 'the kernel is told (it shows the error on the cell)');
    assert.match(gpu.errors[errorsBefore].message, /^WebGPU reported an error: GPUValidationError/);
    assert.equal((await a.data()).length, 4096, 'reads work again once the error was reported');
    a.dispose();
  });
});
