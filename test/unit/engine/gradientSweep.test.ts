/**
 * Every gradient a training step commonly needs, on wasm with Gradscope's overrides and fallbacks,
 * against the cpu backend (tfjs's reference): activations, losses, pooling, convolutions, batch
 * norm, reductions, reshaping ops. A kernel override or a stock wasm kernel that gets a gradient
 * wrong fails here by name (the MaxPoolGrad bug was found this way).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { onBackend, stockWasm, tf, useWasm, values } from './helpers';
import { OPS } from './gradientOps';

/** ∂(Σ w ⊙ op(x))/∂x for every op on `backend` (fixed x and w per op). */
async function gradients(backend: string): Promise<Map<string, Float32Array>> {
  await onBackend(backend);
  const out = new Map<string, Float32Array>();
  for (const [name, [shape, f]] of Object.entries(OPS)) {
    out.set(name, tf.tidy(() => {
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), name.length * 13 + 7).map((v) => v * 2), shape);
      const y = f(x);
      const w = tf.tensor(values(y.size, 99).map((v) => v * 2), y.shape);
      return tf.grad((t: tf.Tensor) => f(t).mul(w).sum())(x).dataSync() as Float32Array;
    }));
  }
  return out;
}

describe('gradients on wasm equal the cpu backend\'s', () => {
  before(useWasm);
  after(stockWasm);

  test(`${Object.keys(OPS).length} ops: every gradient within 1e-4 relative of cpu`, async () => {
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    const wrong: string[] = [];
    for (const [name, want] of cpu) {
      const got = wasm.get(name)!;
      const bad = want.findIndex((v, i) => !(Math.abs(got[i] - v) <= 1e-4 * Math.max(1e-3, Math.abs(v))));
      if (bad >= 0) wrong.push(`${name}[${bad}]: wasm ${got[bad]}, cpu ${want[bad]}`);
    }
    assert.deepEqual(wrong, []);
  });
});
