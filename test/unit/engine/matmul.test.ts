import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { assertClose, matmulRef, tf, useWasm, values } from './helpers';

// m, k, n and the batch of A and B (1 = broadcast). Covers 1-wide edges, odd sizes, the MLP's
// weight-gradient shapes and batched rank-3 with broadcasting either way.
const SHAPES: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 1], [3, 5, 2, 1, 1], [17, 33, 9, 1, 1], [1, 40, 13, 1, 1], [31, 1, 6, 1, 1],
  [128, 64, 48, 1, 1], [24, 128, 10, 1, 1], [4, 6, 5, 3, 3], [7, 3, 8, 1, 4], [5, 9, 2, 2, 1],
];
const FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

function operands(m: number, k: number, n: number, ba: number, bb: number, ta: boolean, tb: boolean, seed: number) {
  const aShape = ta ? [ba, k, m] : [ba, m, k];
  const bShape = tb ? [bb, n, k] : [bb, k, n];
  const av = values(aShape.reduce((x, y) => x * y), seed);
  const bv = values(bShape.reduce((x, y) => x * y), seed + 1);
  return { aShape, bShape, av, bv };
}

describe('wasm matmul overrides', () => {
  before(async () => {
    await useWasm();
    assert.equal(ensureBackendPatches(tf).overrides, 'installed');
  });
  after(() => removeBackendPatches(tf));

  test('BatchMatMul matches the float64 reference within 1e-5 on every shape and transpose flag', () => {
    let seed = 1;
    for (const [m, k, n, ba, bb] of SHAPES) {
      for (const [ta, tb] of FLAGS) {
        const { aShape, bShape, av, bv } = operands(m, k, n, ba, bb, ta, tb, seed++);
        const ref = matmulRef(av, aShape, bv, bShape, ta, tb);
        tf.tidy(() => {
          const rank3 = tf.matMul(tf.tensor3d(av, aShape as [number, number, number]),
            tf.tensor3d(bv, bShape as [number, number, number]), ta, tb);
          assert.deepEqual(rank3.shape, ref.shape);
          assertClose(rank3.dataSync(), ref.value, 1e-5, `[${m},${k},${n}] batch ${ba}/${bb} ta=${ta} tb=${tb}`, ref.scale);
          if (ba === 1 && bb === 1) {
            const rank2 = tf.matMul(tf.tensor2d(av, aShape.slice(1) as [number, number]),
              tf.tensor2d(bv, bShape.slice(1) as [number, number]), ta, tb);
            assertClose(rank2.dataSync(), ref.value, 1e-5, `rank-2 [${m},${k},${n}] ta=${ta} tb=${tb}`, ref.scale);
          }
        });
      }
    }
  });

  test('BatchMatMul with overrides matches the stock kernel on rank-4 operands', () => {
    const a = tf.tensor4d(values(2 * 3 * 6 * 5, 7), [2, 3, 6, 5]);
    const b = tf.tensor4d(values(2 * 3 * 4 * 6, 8), [2, 3, 4, 6]);
    const ours = tf.matMul(a, b, true, true).arraySync();
    removeBackendPatches(tf);
    const stock = tf.matMul(a, b, true, true);
    assert.deepEqual(stock.shape, [2, 3, 5, 4]);
    assertClose((tf.tensor(ours) as tf.Tensor).dataSync(), stock.dataSync(), 1e-5, 'rank 4');
    ensureBackendPatches(tf);
    tf.dispose([a, b, stock]);
  });

  const ACTIVATIONS: [string, (x: number) => number][] = [
    ['linear', (x) => x],
    ['relu', (x) => Math.max(0, x)],
    ['relu6', (x) => Math.min(6, Math.max(0, x))],
    ['elu', (x) => (x >= 0 ? x : Math.exp(x) - 1)],
    ['sigmoid', (x) => 1 / (1 + Math.exp(-x))],
    ['leakyrelu', (x) => (x >= 0 ? x : 0.2 * x)],
  ];

  test('_FusedMatMul with bias and each activation matches the float64 reference on transposed operands', () => {
    let seed = 100;
    for (const [m, k, n] of [[3, 5, 2], [17, 33, 9], [64, 48, 20]]) {
      for (const [ta, tb] of FLAGS) {
        for (const [activation, f] of ACTIVATIONS) {
          for (const withBias of [true, false]) {
            const { aShape, bShape, av, bv } = operands(m, k, n, 1, 1, ta, tb, seed++);
            const biasV = values(n, seed++).map((v) => 3 * v);
            const ref = matmulRef(av, aShape, bv, bShape, ta, tb);
            const want = ref.value.map((v, i) => f(v + (withBias ? biasV[i % n] : 0)));
            tf.tidy(() => {
              const got = tf.fused.matMul({
                a: tf.tensor2d(av, aShape.slice(1) as [number, number]),
                b: tf.tensor2d(bv, bShape.slice(1) as [number, number]),
                transposeA: ta, transposeB: tb,
                bias: withBias ? tf.tensor1d(biasV) : undefined,
                activation: activation as 'relu', leakyreluAlpha: 0.2,
              });
              assertClose(got.dataSync(), want, 1e-5,
                `fused ${activation} bias=${withBias} [${m},${k},${n}] ta=${ta} tb=${tb}`, ref.scale);
            });
          }
        }
      }
    }
  });

  test('the stock _FusedMatMul is wrong with bias and relu on a transposed operand (the bug fixed here)', () => {
    const [m, k, n] = [17, 33, 9];
    const { aShape, bShape, av, bv } = operands(m, k, n, 1, 1, true, false, 5);
    const biasV = values(n, 6).map((v) => 3 * v);
    const want = matmulRef(av, aShape, bv, bShape, true, false).value.map((v, i) => Math.max(0, v + biasV[i % n]));
    const run = () => tf.tidy(() => tf.fused.matMul({
      a: tf.tensor2d(av, [k, m]), b: tf.tensor2d(bv, [k, n]), transposeA: true, bias: tf.tensor1d(biasV), activation: 'relu',
    }).dataSync());
    const worst = (got: ArrayLike<number>) => Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i])));
    removeBackendPatches(tf);
    const stockError = worst(run());
    ensureBackendPatches(tf);
    assert.ok(stockError > 0.1, `stock error ${stockError}`);
    assert.ok(worst(run()) < 1e-4);
  });

  test('int32 matmuls (stock wasm throws on them, tf.math.confusionMatrix needs one) run exactly on cpu', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
      const b = tf.tensor2d([[7, 8], [9, 10], [11, 12]], [3, 2], 'int32');
      const c = tf.matMul(a, b);
      assert.equal(c.dtype, 'int32');
      assert.deepEqual(c.arraySync(), [[58, 64], [139, 154]]);
      assert.deepEqual(tf.matMul(a, a, false, true).arraySync(), [[14, 32], [32, 77]]);
      assert.deepEqual(tf.math.confusionMatrix(tf.tensor1d([0, 1, 1, 2], 'int32'), tf.tensor1d([0, 1, 2, 2], 'int32'), 3).arraySync(),
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
    });
  });

  test('the overrides leave no tensor and no wasm buffer behind', () => {
    const be = tf.backend() as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, ids: be.numDataIds() };
    tf.tidy(() => {
      const a = tf.tensor3d(values(2 * 30 * 20, 1), [2, 30, 20]);
      const b = tf.tensor3d(values(2 * 20 * 10, 2), [2, 20, 10]);
      for (const [ta, tb] of FLAGS) tf.matMul(ta ? a.transpose([0, 2, 1]) : a, tb ? b.transpose([0, 2, 1]) : b, ta, tb);
      tf.fused.matMul({ a: a.reshape([40, 30]), b: b.reshape([40, 10]).transpose(), transposeA: true, transposeB: true, bias: tf.zeros([10]), activation: 'relu' });
    });
    assert.deepEqual({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, ids: be.numDataIds() }, before);
  });
});
