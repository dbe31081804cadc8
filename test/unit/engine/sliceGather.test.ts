import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { tf, useWasm, values } from './helpers';

/** Reference slice by explicit index arithmetic over the flat source. */
function sliceRef(src: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((x, y) => x * y, 1));
  const out: number[] = [];
  const walk = (d: number, flat: number) => {
    if (d === shape.length) return void out.push(src[flat]);
    for (let i = 0; i < size[d]; i++) walk(d + 1, flat + (begin[d] + i) * strides[d]);
  };
  walk(0, 0);
  return out;
}

// [shape, begin, size]: contiguous row blocks, strided inner windows, rank 1 to 6, empty slices.
const CASES: [number[], number[], number[]][] = [
  [[10], [3], [5]], [[10], [0], [10]], [[10], [9], [1]], [[10], [4], [0]],
  [[8192, 6], [1024, 0], [128, 6]], [[7, 9], [2, 3], [4, 5]], [[7, 9], [0, 8], [7, 1]],
  [[4, 5, 6], [1, 2, 1], [2, 3, 4]], [[4, 5, 6], [3, 0, 0], [1, 5, 6]], [[4, 5, 6], [1, 2, 0], [2, 3, 6]],
  [[3, 4, 5, 2], [0, 1, 0, 0], [3, 2, 5, 2]], [[3, 4, 5, 2], [1, 1, 2, 0], [2, 3, 3, 2]], [[3, 4, 5, 6], [1, 1, 2, 3], [2, 2, 2, 2]],
  [[2, 3, 2, 3, 4], [1, 0, 1, 1, 1], [1, 3, 1, 2, 3]], [[2, 2, 3, 2, 3, 2], [0, 1, 1, 0, 1, 1], [2, 1, 2, 2, 2, 1]],
];

describe('wasm Slice and GatherV2 overrides', () => {
  before(async () => {
    await useWasm();
    assert.equal(ensureBackendPatches(tf).overrides, 'installed');
  });
  after(() => removeBackendPatches(tf));

  test('Slice returns exactly the selected elements for float32, int32 and bool on every case', () => {
    for (const [shape, begin, size] of CASES) {
      const n = shape.reduce((x, y) => x * y);
      const f = values(n, n);
      for (const [dtype, data] of [
        ['float32', f], ['int32', Int32Array.from(f, (v) => Math.round(v * 1000))], ['bool', Uint8Array.from(f, (v) => (v > 0 ? 1 : 0))],
      ] as const) {
        tf.tidy(() => {
          const got = tf.slice(tf.tensor(data, shape, dtype), begin, size);
          assert.deepEqual(got.shape, size);
          assert.equal(got.dtype, dtype);
          assert.deepEqual(Array.from(got.dataSync()), sliceRef(data, shape, begin, size), `${dtype} [${shape}] ${begin} ${size}`);
        });
      }
    }
  });

  test('Slice accepts size -1 (to the end) like the stock kernel', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(values(30, 3), [5, 6]);
      assert.deepEqual(Array.from(tf.slice(x, [2, 1], [-1, -1]).dataSync()), sliceRef(x.dataSync(), [5, 6], [2, 1], [3, 5]));
    });
  });

  test('Slice past the end throws a clear error instead of returning uninitialised memory', () => {
    const x = tf.range(0, 10);
    assert.throws(() => tf.slice(x, [5], [8]), /begin\[0\] \+ size\[0\] \(13\) would overflow input.shape\[0\] \(10\)/);
    const y = tf.zeros([4, 3]);
    assert.throws(() => tf.slice(y, [1, 2], [2, 2]), /overflow input.shape\[1\] \(3\)/);
    // The stock kernel returns memory past the tensor without complaint: what this override fixes.
    removeBackendPatches(tf);
    const stock = tf.slice(x, [5], [8]);
    assert.equal(stock.size, 8);
    ensureBackendPatches(tf);
    tf.dispose([x, y, stock]);
  });

  test('StridedSlice gives the cpu backend result (unit strides through the heap-copy Slice, others stock)', async () => {
    const x = () => tf.tensor4d(values(3 * 5 * 6 * 2, 4), [3, 5, 6, 2]);
    const cases: [number[], number[], number[], number, number, number][] = [
      [[0, 1, 2, 0], [3, 4, 6, 2], [1, 1, 1, 1], 0, 0, 0], [[1, 0, 0, 0], [2, 5, 6, 2], [1, 1, 1, 1], 0, 0, 1],
      [[0, 0, 1, 0], [3, 5, 6, 2], [1, 2, 2, 1], 0, 0, 0], [[2, 4, 5, 1], [0, 0, 0, 0], [-1, -1, -2, 1], 0, 0, 0],
      [[0, 1, 0, 0], [0, 3, 0, 0], [1, 1, 1, 1], 0b1101, 0b1101, 0],
    ];
    const run = () => cases.map(([b, e, st, bm, em, shrink]) => tf.tidy(() => {
      const r = tf.stridedSlice(x(), b, e, st, bm, em, 0, 0, shrink);
      return { shape: r.shape, data: Array.from(r.dataSync()) };
    }));
    const ours = run();
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    assert.deepEqual(ours, cpu);
  });

  test('GatherV2 on axis 0 returns the indexed rows, repeated indices and index tensors of any rank included', () => {
    const x = tf.tensor3d(values(6 * 4 * 3, 9), [6, 4, 3]);
    const xv = x.arraySync();
    for (const idx of [[0], [5, 0, 2, 2, 5], [[1, 3], [3, 1], [0, 0]]]) {
      tf.tidy(() => {
        const got = tf.gather(x, tf.tensor(idx, undefined, 'int32'));
        const want = (Array.isArray(idx[0]) ? (idx as number[][]).map((r) => r.map((i) => xv[i])) : (idx as number[]).map((i) => xv[i]));
        assert.deepEqual(got.arraySync(), want);
      });
    }
    const ints = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
    assert.deepEqual(tf.gather(ints, [2, 0]).arraySync(), [[5, 6], [1, 2]]);
    const bools = tf.tensor1d([true, false, true], 'bool');
    assert.deepEqual(tf.gather(bools, [1, 2, 1]).arraySync(), [0, 1, 0]);
    tf.dispose([x, ints, bools]);
  });

  test('GatherV2 along other axes and with batch dims gives the cpu backend result', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
      assert.deepEqual(tf.gather(x, [2, 0], 1).arraySync(), [[3, 1], [6, 4]]);
      // Stock wasm returns uninitialised memory for the second batch here.
      assert.deepEqual(tf.gather(x, tf.tensor2d([[1], [0]], [2, 1], 'int32'), 1, 1).arraySync(), [[2], [4]]);
      const x3 = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
      assert.deepEqual(tf.gather(x3, tf.tensor2d([[1, 0], [0, 0]], [2, 2], 'int32'), 1, 1).arraySync(),
        [[[3, 4], [1, 2]], [[5, 6], [5, 6]]]);
      assert.deepEqual(tf.gather(x3, [1], 2).arraySync(), [[[2], [4]], [[6], [8]]]);
    });
  });

  test('GatherV2 with an index out of range throws and names it', () => {
    const x = tf.zeros([4, 2]);
    assert.throws(() => tf.gather(x, [1, 4]), /index value 4 is not in \[0, 3\]/);
    assert.throws(() => tf.gather(x, [-1]), /index value -1 is not in \[0, 3\]/);
    x.dispose();
  });

  test('slicing a batch from a large dataset does not copy the dataset out of the wasm heap', () => {
    // The stock kernel reads the whole source into JavaScript per call (readSync). Counting the bytes
    // the backend hands out through readSync during slices shows the difference without timing.
    const be = tf.backend() as unknown as { readSync: (id: object, s?: number, e?: number) => ArrayLike<number> };
    const data = tf.zeros([8192, 64]);
    let read = 0;
    const original = be.readSync;
    be.readSync = function (this: unknown, id: object, s?: number, e?: number) {
      const r = original.call(this, id, s, e);
      read += r.length;
      return r;
    };
    try {
      tf.tidy(() => {
        for (let i = 0; i < 8; i++) tf.slice(data, [i * 128, 0], [128, 64]);
        tf.stridedSlice(data, [128, 0], [256, 64]);
        tf.gather(data, tf.range(0, 128, 1, 'int32'));
      });
      const ours = read;
      removeBackendPatches(tf);
      read = 0;
      tf.tidy(() => { for (let i = 0; i < 8; i++) tf.slice(data, [i * 128, 0], [128, 64]); });
      assert.equal(read, 8 * 8192 * 64, 'the stock Slice reads the whole source each call');
      assert.ok(ours <= 128, `overrides read ${ours} elements (only the 128 indices)`);
    } finally {
      be.readSync = original;
      ensureBackendPatches(tf);
      data.dispose();
    }
  });

  test('tf.clone shares the buffer (no copy) yet outlives its source, and the buffer is freed with the last one', () => {
    ensureBackendPatches(tf);
    const be = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const before = be.numDataIds();
    const x = tf.tensor2d(values(64 * 64, 12), [64, 64]);
    const heap = be.wasm.HEAPU8.byteLength;
    const copy = tf.clone(x);
    assert.equal(be.numDataIds(), before + 1, 'one buffer for both');
    assert.equal(be.wasm.HEAPU8.byteLength, heap);
    const want = x.dataSync().slice();
    x.dispose();
    assert.deepEqual(copy.dataSync(), want, 'the clone keeps its values after the source is disposed');
    copy.dispose();
    assert.equal(be.numDataIds(), before);
    const strings = tf.tensor1d(['a', 'b'], 'string');
    const s = tf.clone(strings);
    assert.deepEqual(s.dataSync(), ['a', 'b']);
    tf.dispose([strings, s]);
  });
});
