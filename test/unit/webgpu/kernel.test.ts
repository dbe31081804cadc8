/**
 * The webgpu backend in a real kernel process (dist/kernel.js), as a notebook user meets it: the
 * adapter in the kernel's start-up info, cells that read with dataSync() and print() unchanged, an
 * oversized tensor that fails its cell with the limit named, and backend selection that never
 * claims webgpu when it did not start. The Dawn options that give this machine an adapter (gpu.ts)
 * reach the kernel through GRADSCOPE_DAWN_OPTIONS.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestKernel, root } from '../kernel/kernelHarness';
import { selectBackend } from '../../../src/kernel/backendChoice';
import { useWebGpu, type Gpu } from './gpu';
import { missingWebGpuPackage } from '../../../src/notebook/webgpuPackage';
import { probeAdapter } from '../../../src/engine/webgpu/probe';

let gpu: Gpu;
const savedEnv = process.env.GRADSCOPE_DAWN_OPTIONS;

async function withKernel<T>(backend: 'webgpu' | 'auto', dawn: string, f: (k: TestKernel) => Promise<T>): Promise<T> {
  process.env.GRADSCOPE_DAWN_OPTIONS = dawn;
  const k = new TestKernel({ backend });
  try {
    return await f(k);
  } finally {
    k.dispose();
  }
}

describe('the webgpu backend in the kernel', () => {
  before(async () => {
    gpu = await useWebGpu();
  });
  after(() => {
    if (savedEnv === undefined) delete process.env.GRADSCOPE_DAWN_OPTIONS;
    else process.env.GRADSCOPE_DAWN_OPTIONS = savedEnv;
  });

  test('starts on the adapter, says which, and cells using dataSync() and print() run unchanged', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const { started } = gpu;
    await withKernel('webgpu', started.dawnOptions.join(','), async (k) => {
      const info = await k.client.start();
      assert.equal(info.backend, 'webgpu');
      assert.ok(info.device?.includes(started.adapter.text), `device ${info.device} names the adapter ${started.adapter.text}`);
      assert.match(info.device ?? '', started.adapter.software ? /^software WebGPU, no GPU: / : /^GPU, WebGPU: /);
      assert.match(info.notes.join('\n'), /webgpu: dataSync\(\)\/arraySync\(\)\/print\(\) read synchronously through Dawn/);
      assert.match(info.notes.join('\n'), /webgpu kernel overrides: Relu, Relu6, .*MaxPoolGrad/);
      const r = await k.run(`import * as tf from '@tensorflow/tfjs';
const t = tf.matMul(tf.ones([50, 50]), tf.fill([50, 50], 2));
t.slice([0, 0], [1, 3]).print();
const loss = tf.losses.meanSquaredError(tf.zeros([4096]), tf.fill([4096], 3));
[tf.getBackend(), t.dataSync()[0], t.arraySync()[49][49], loss.dataSync()[0]].join(' ')`);
      assert.equal(r.status, 'ok', r.errorText);
      assert.equal(r.value, 'webgpu 100 100 9');
      assert.match(r.text, /Tensor\s+\[\[100, 100, 100\],?\]/, 'tfjs prints a 1×3 matrix as [[a, b, c],]');
    });
  });

  test('a tensor over the device limit fails its cell with the shape, the bytes and the limit', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const { started } = gpu;
    const limit = Math.min(started.limits.maxStorageBufferBindingSize, started.limits.maxBufferSize);
    const n = Math.floor(limit / 4) + 1;
    await withKernel('webgpu', started.dawnOptions.join(','), async (k) => {
      const r = await k.run(`import * as tf from '@tensorflow/tfjs';\nconst big = tf.fill([${n}], 1);\nbig.sum().dataSync()`);
      assert.equal(r.status, 'error');
      assert.match(r.errorText ?? '', new RegExp(`a float32 tensor of shape \\[${n}\\] \\(in Fill\\) needs .* on the GPU, more than this adapter's (maxStorageBufferBindingSize|maxBufferSize)`));
      const after = await k.run(`tf.fill([4096], 2).sum().dataSync()[0]`);
      assert.equal(after.value, '8192', 'the kernel keeps working');
    });
  });

  test('a WebGPU validation error shows on the cell that runs, and its next read fails instead of returning garbage', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    await withKernel('webgpu', gpu.started.dawnOptions.join(','), async (k) => {
      const r = await k.run(`import * as tf from '@tensorflow/tfjs';
const x = tf.fill([4096], 2).mul(3);
(tf.backend() as any).device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
await new Promise((resolve) => setTimeout(resolve, 200));
'after the error'`);
      assert.match(r.errorText ?? '', /WebGPU reported an error( in \w+)?: GPUValidationError: Buffer usages .* is invalid/);
      const read = await k.run('x.dataSync()[0]');
      assert.equal(read.status, 'error');
      assert.match(read.errorText ?? '', /WebGPU reported an error since the last read, so the values computed since are not trustworthy/);
      assert.equal((await k.run('tf.fill([4096], 2).mul(3).dataSync()[0]')).value, '6', 'the kernel goes on');
    });
  });

  test('auto takes webgpu only on a hardware adapter; on a software one it goes on down the chain and says why', async (t) => {
    if ('skip' in gpu) return t.skip(gpu.skip);
    const { started } = gpu;
    await withKernel('auto', started.dawnOptions.join(','), async (k) => {
      const info = await k.client.start();
      if (started.adapter.software) {
        assert.notEqual(info.backend, 'webgpu');
        assert.match(info.notes.join('\n'), /webgpu: only a software adapter was found \(.*\); `auto` uses WebGPU on a GPU only/);
        const r = await k.run(`import * as tf from '@tensorflow/tfjs';\ntf.getBackend()`);
        assert.equal(r.value, info.backend, 'tfjs runs on the backend the kernel announced');
      } else {
        assert.equal(info.backend, 'webgpu');
      }
    });
  });

  test('without an adapter, webgpu refuses to start and auto falls back, never claiming webgpu', async () => {
    // No Dawn backend of this name exists on Linux or macOS: Dawn finds no adapter.
    const none = process.platform === 'win32' ? 'backend=metal' : 'backend=d3d12';
    await withKernel('webgpu', none, async (k) => {
      await assert.rejects(k.client.start(), /the kernel failed to start: .*no TensorFlow\.js backend could start:[\s\S]*webgpu: no WebGPU adapter with Dawn options backend=/);
    });
    await withKernel('auto', none, async (k) => {
      const info = await k.client.start();
      assert.notEqual(info.backend, 'webgpu');
      assert.match(info.notes.join('\n'), /webgpu: no WebGPU adapter/);
      const r = await k.run(`import * as tf from '@tensorflow/tfjs';\ntf.getBackend()`);
      assert.equal(r.value, info.backend);
    });
  });

  test('without the webgpu package the message says how to install it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-nowebgpu-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(root, 'node_modules', '@tensorflow'), path.join(dir, 'node_modules', '@tensorflow'));
    try {
      const failure = await selectBackend('webgpu', dir, dir).then(() => undefined, (e: Error) => e);
      assert.match(failure?.message ?? '',
        /webgpu: the `webgpu` package \(Dawn's WebGPU for Node\) is not installed \(looked in .*\); run `npm i webgpu` in your workspace and restart the kernel/);
      assert.equal(missingWebGpuPackage(`the kernel failed to start: ${failure!.message}`), true, 'the editor offers to install it');
      assert.equal(missingWebGpuPackage('the kernel failed to start: no WebGPU adapter'), false, 'and only then');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('auto asks for the adapter out of process: a driver that crashes skips webgpu, the kernel goes on', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-crashing-dawn-'));
    const pkg = path.join(ws, 'node_modules', 'webgpu');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'webgpu', version: '0.0.0', type: 'module', main: 'index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), "export const globals = {};\nexport function create() { process.kill(process.pid, 'SIGSEGV'); }\n");
    try {
      const probe = probeAdapter(path.join(pkg, 'index.js'), []);
      assert.deepEqual(probe, { failed: 'asking Dawn for an adapter crashed the probe process (SIGSEGV)' });
      const selected = await selectBackend('auto', ws, root);
      assert.notEqual(selected.choice, 'webgpu');
      assert.match(selected.notes.join('\n'), /webgpu: asking Dawn for an adapter crashed the probe process \(SIGSEGV\); skipped/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
