/**
 * A few-millisecond check run right after the overrides are registered: small transposed matmuls
 * (plain and fused with bias and relu), a strided slice, a gather, a convolution's filter gradient
 * a max-pool gradient over negative values and a clip of NaN, against values computed here in float64. If any disagrees, the installer puts the stock kernels back. It catches what the static
 * internals check cannot: a heap layout or a kernel contract that looks right but behaves differently.
 */
import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './types';

function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 37 + seed * 11) % 23) - 11) / 7;
  return out;
}

/** out[i][j] = sum_p A[i][p] B[p][j] with A given as stored (`ta`: stored as [k, m]) and likewise B. */
function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = s;
    }
  }
  return out;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])))) return false;
  }
  return true;
}

/** dL/dW of L = Σ conv2d(x, W, stride 2, 'same') ⊙ dy for x [1,5,5,2], W [3,3,2,2], in float64. */
function convFilterRef(x: Float32Array, dy: Float32Array): Float64Array {
  const [h, cin, cout, k, s, o] = [5, 2, 2, 3, 2, 3];
  const pad = 1; // SAME, stride 2, 5 -> 3 outputs: total padding 2, split 1/1
  const g = new Float64Array(k * k * cin * cout);
  for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) {
    let sum = 0;
    for (let oh = 0; oh < o; oh++) for (let ow = 0; ow < o; ow++) {
      const r = oh * s + kh - pad;
      const c = ow * s + kw - pad;
      if (r >= 0 && r < h && c >= 0 && c < h) sum += x[(r * h + c) * cin + ci] * dy[(oh * o + ow) * cout + co];
    }
    g[((kh * k + kw) * cin + ci) * cout + co] = sum;
  }
  return g;
}

/** Returns what failed, or undefined when the installed kernels give the expected numbers. */
export function selfTest(tf: Tf): string | undefined {
  const [m, k, n] = [5, 7, 3];
  const av = data(m * k, 1);
  const bv = data(k * n, 2);
  const biasV = data(n, 3);
  return tf.tidy(() => {
    const aT = tf.tensor2d(av, [k, m]);
    const bT = tf.tensor2d(bv, [n, k]);
    const bias = tf.tensor1d(biasV);
    if (!close(tf.matMul(aT, bT, true, true).dataSync(), matmul(av, bv, m, k, n, true, true))) {
      return 'BatchMatMul with both operands transposed';
    }
    const want = matmul(av, bv, m, k, n, true, true).map((v, i) => Math.max(0, v + biasV[i % n]));
    const fused = tf.fused.matMul({ a: aT, b: bT, transposeA: true, transposeB: true, bias, activation: 'relu' });
    if (!close(fused.dataSync(), want)) return '_FusedMatMul with bias and relu on transposed operands';
    const x = tf.tensor3d(data(4 * 5 * 6, 4), [4, 5, 6]);
    const xv = x.dataSync();
    const sliced = tf.slice(x, [1, 2, 1], [2, 3, 4]).dataSync();
    const wantSlice: number[] = [];
    for (let i = 1; i < 3; i++) for (let j = 2; j < 5; j++) for (let l = 1; l < 5; l++) wantSlice.push(xv[i * 30 + j * 6 + l]);
    if (!close(sliced, wantSlice)) return 'Slice of a strided 3-D region';
    const gathered = tf.gather(x, tf.tensor1d([3, 0, 3], 'int32')).dataSync();
    const wantGather = [...xv.slice(90, 120), ...xv.slice(0, 30), ...xv.slice(90, 120)];
    if (!close(gathered, wantGather)) return 'GatherV2 along axis 0';
    const cx = data(50, 5);
    const cdy = data(18, 6);
    const input = tf.tensor4d(cx, [1, 5, 5, 2]);
    const dy = tf.tensor4d(cdy, [1, 3, 3, 2]);
    const dW = tf.grad((w) => tf.conv2d(input, w as Tensor4D, 2, 'same').mul(dy).sum())(tf.zeros([3, 3, 2, 2]));
    if (!close(dW.dataSync(), convFilterRef(cx, cdy))) return 'Conv2DBackpropFilter with stride 2 and SAME padding';
    // Windows [-3 -1; -2 -4] and [-1 -1; -5 -6]: the first maximum (-1) takes each window's gradient.
    const pooled = tf.tensor4d([-3, -1, -1, -1, -2, -4, -5, -6], [1, 2, 4, 1]);
    const dx = tf.grad((t) => tf.maxPool(t as Tensor4D, 2, 2, 'valid').mul(tf.tensor4d([2, 3], [1, 1, 2, 1])).sum())(pooled);
    if (!close(dx.dataSync(), [0, 2, 3, 0, 0, 0, 0, 0])) return 'MaxPoolGrad over negative windows';
    const clipped = tf.clipByValue(tf.tensor1d([NaN, 2, -1, 0.5]), 0, 1).dataSync();
    if (!Number.isNaN(clipped[0]) || !close(clipped.slice(1), [1, 0, 0.5])) return 'ClipByValue keeping NaN';
    return undefined;
  });
}
