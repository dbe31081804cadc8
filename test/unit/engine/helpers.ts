/**
 * Shared by the backend tests: the wasm backend set up once per test file, deterministic data, a
 * float64 matmul reference and the closeness measure the "within 1e-5 relative" means here.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { installCpuCorrections } from '../../../src/engine/corrections/resizeNearestNeighborGrad';

export { tf };

/**
 * Switches to `backend`, with Gradscope's overrides installed when it is wasm (one side of a cpu
 * comparison) and the cpu corrections the kernel installs on every backend.
 */
export async function onBackend(backend: string): Promise<void> {
  installCpuCorrections(tf);
  await tf.setBackend(backend);
  if (backend === 'wasm') ensureBackendPatches(tf);
}

/** For a suite's `after`: the stock wasm kernels back and wasm active, whatever the suite switched. */
export async function stockWasm(): Promise<void> {
  removeBackendPatches(tf);
  await tf.setBackend('wasm');
}

/** Sets the wasm backend (SIMD, one thread in Node). */
export async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Deterministic pseudo-random values in [-1, 1) (a small LCG; no global RNG state touched). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Float64 reference of op(A)·op(B) for rank-3 operands with broadcast batch (1 or B), also returning
 * Σ|a||b| per element: the scale of float32 rounding error, against which "relative" is measured.
 */
export function matmulRef(
  a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta: boolean, tb: boolean,
): { value: Float64Array; scale: Float64Array; shape: number[] } {
  const [ba, ar, ac] = aShape;
  const [bb, br, bc] = bShape;
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const batch = Math.max(ba, bb);
  const value = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let q = 0; q < batch; q++) {
    const ao = (ba === 1 ? 0 : q) * ar * ac;
    const bo = (bb === 1 ? 0 : q) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let t = 0;
        for (let p = 0; p < k; p++) {
          const x = ta ? a[ao + p * ac + i] : a[ao + i * ac + p];
          const y = tb ? b[bo + j * bc + p] : b[bo + p * bc + j];
          s += x * y;
          t += Math.abs(x * y);
        }
        value[(q * m + i) * n + j] = s;
        scale[(q * m + i) * n + j] = t;
      }
    }
  }
  return { value, scale, shape: [batch, m, n] };
}

/** Asserts |got − want| ≤ tol·max(scale, |want|, 1e-3) elementwise, naming the first bad element. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string,
  scale?: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const s = Math.max(scale ? scale[i] : 0, Math.abs(want[i]), 1e-3);
    if (!(Math.abs(got[i] - want[i]) <= tol * s)) {
      assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${tol} × ${s})`);
    }
  }
}
