import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackendPatches, removeBackendPatches } from '../../../src/engine/wasm';
import { checkWasmInternals, probeOf, type InternalsProbe } from '../../../src/engine/wasm/internals';
import { tf, useWasm } from './helpers';

/** Captures console.warn calls made by `f`. */
function warnings<T>(f: () => T): { result: T; warned: string[] } {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    return { result: f(), warned };
  } finally {
    console.warn = original;
  }
}

/** The tf module as seen by the installer, with the backend or kernels replaced. */
function fakeTf(over: { backend?: unknown; getKernel?: typeof tf.getKernel }): typeof tf {
  const fake = Object.create(tf) as Record<string, unknown>;
  if (over.backend) Object.defineProperty(fake, 'backend', { value: () => over.backend });
  if (over.getKernel) Object.defineProperty(fake, 'getKernel', { value: over.getKernel });
  return fake as unknown as typeof tf;
}

describe('wasm internals check', () => {
  before(async () => {
    await useWasm();
    removeBackendPatches(tf);
  });
  after(() => removeBackendPatches(tf));

  test('the installed tfjs-backend-wasm 4.22.0 passes', () => {
    assert.equal(checkWasmInternals(probeOf(tf)), undefined);
  });

  test('mismatched versions, backend fields or kernels are refused with the reason', () => {
    const real = probeOf(tf);
    const be = real.backend as Record<string, unknown>;
    const changed = (fields: Record<string, unknown>) => Object.assign(Object.create(Object.getPrototypeOf(be)), be, fields);
    const cases: [Partial<InternalsProbe>, RegExp][] = [
      [{ wasmVersion: '4.21.0' }, /tfjs-backend-wasm is 4.21.0, the overrides need 4.22.0/],
      [{ wasmVersion: undefined }, /tfjs-backend-wasm is unknown/],
      [{ coreVersion: '5.0.0' }, /tfjs-core is 5.0.0/],
      [{ backend: changed({ dataIdMap: {} }) }, /dataIdMap/],
      [{ backend: changed({ wasm: { ...(be.wasm as object), HEAPU8: undefined } }) }, /HEAPU8/],
      [{ backend: changed({ typedArrayFromHeap: undefined }) }, /typedArrayFromHeap/],
      [{ kernel: (n: string) => (n === 'Slice' ? undefined : real.kernel(n)) }, /no Slice kernel/],
      [{ kernel: (n: string) => (n === 'BatchMatMul' ? { ...real.kernel(n)!, kernelFunc: function batchMatMul() { return null as never; } } : real.kernel(n)) },
        /BatchMatMul kernel is not the stock 4.22.0 one/],
    ];
    for (const [change, why] of cases) {
      const reason = checkWasmInternals({ ...real, ...change, kernel: change.kernel ?? real.kernel });
      assert.match(reason ?? 'accepted', why);
    }
  });

  test('a faked mismatched backend leaves the stock kernels in place, reports unsupported and warns once', () => {
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const be = tf.backend() as unknown as Record<string, unknown>;
    const fake = fakeTf({ backend: Object.assign(Object.create(Object.getPrototypeOf(be)), be, { dataIdMap: {} }) });
    const { result, warned } = warnings(() => [ensureBackendPatches(fake), ensureBackendPatches(fake)]);
    for (const r of result) {
      assert.equal(r.overrides, 'unsupported');
      assert.match(r.reason ?? '', /dataIdMap/);
      assert.deepEqual(r.kernels, []);
    }
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.match(warned[0], /not installed .*dataIdMap.*stock/);
    assert.equal(tf.getKernel('BatchMatMul', 'wasm'), stock);
  });

  test('install is idempotent, can be turned off by option or env, and removal restores the stock kernels', () => {
    const stockSlice = tf.getKernel('Slice', 'wasm');
    const first = ensureBackendPatches(tf);
    assert.equal(first.overrides, 'installed');
    const ourSlice = tf.getKernel('Slice', 'wasm');
    assert.notEqual(ourSlice, stockSlice);
    assert.deepEqual(ensureBackendPatches(tf), first);
    assert.equal(tf.getKernel('Slice', 'wasm'), ourSlice);

    const off = warnings(() => ensureBackendPatches(tf, { overrides: false })).result;
    assert.equal(off.overrides, 'disabled');
    assert.equal(tf.getKernel('Slice', 'wasm'), stockSlice);
    assert.deepEqual(off.fallbacks.sort(), [...first.fallbacks, 'Conv2DBackpropFilter'].sort(),
      'the cpu fallbacks stay (they are correctness, not speed), the fast filter gradient falls back to cpu');

    // A later call without options (as gs.fit makes) keeps the explicit choice.
    assert.equal(ensureBackendPatches(tf).overrides, 'disabled');
    assert.equal(ensureBackendPatches(tf, { overrides: true }).overrides, 'installed');
    process.env.GRADSCOPE_WASM_OVERRIDES = '0';
    try {
      assert.equal(warnings(() => ensureBackendPatches(tf)).result.overrides, 'disabled');
    } finally {
      delete process.env.GRADSCOPE_WASM_OVERRIDES;
    }
    assert.equal(ensureBackendPatches(tf).overrides, 'installed');
    removeBackendPatches(tf);
    assert.equal(tf.getKernel('Slice', 'wasm'), stockSlice);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  });

  test('on another backend nothing is installed', async () => {
    await tf.setBackend('cpu');
    try {
      assert.deepEqual(ensureBackendPatches(tf), { overrides: 'not-wasm', kernels: [], fallbacks: [] });
      assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
