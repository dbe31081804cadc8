/**
 * Checks, before any override is installed, that the wasm backend is the tfjs-backend-wasm 4.22.0
 * the overrides were written against: the versions, the backend object's fields and functions, and
 * the stock kernels they delegate to (by the code they contain). Anything different and the stock
 * kernels stay in place: a slower kernel is acceptable, a wrong number is not.
 */
import type { KernelConfig, Tf } from './types';

/** The tfjs-core and tfjs-backend-wasm versions the overrides were written and tested against. */
export const EXPECTED_VERSION = '4.22.0';

/** For each stock kernel the overrides use: the kernel function's name and text it must contain. */
export const STOCK_FINGERPRINTS: Readonly<Record<string, { fn: string; contains: string[] }>> = {
  BatchMatMul: { fn: 'batchMatMul', contains: ['wasmBatchMatMul(', 'transposeA', 'makeOutput'] },
  _FusedMatMul: { fn: 'fusedBatchMatMul', contains: ['wasmFusedMatMul(', 'transposeA', 'FusableActivation'] },
  Transpose: { fn: 'transpose', contains: ['wasmTranspose(', 'perm'] },
  Slice: { fn: 'slice', contains: ['readSync', 'isSliceContinous'] },
  GatherV2: { fn: 'gatherV2', contains: ['wasmGather(', 'collectGatherOpShapeInfo'] },
  StridedSlice: { fn: 'stridedSlice', contains: ['wasmStridedSlice(', 'isSimpleSlice'] },
  PadV2: { fn: 'pad', contains: ['wasmPadV2('] },
  Reverse: { fn: 'reverse', contains: ['wasmReverse('] },
  Conv2D: { fn: 'conv2d', contains: ['wasmConv2d(', 'dilations'] },
  Conv2DBackpropInput: { fn: 'conv2DBackpropInput', contains: ['wasmConv2DBackpropInput(', 'inputShape'] },
  MaxPoolGrad: { fn: 'maxPoolGrad', contains: ['wasmMaxPoolGrad(', 'computePool2DInfo'] },
  Identity: { fn: 'identity', contains: ['typedArrayFromHeap', 'makeOutput'] },
  ClipByValue: { fn: 'clip', contains: ['wasmClip(', 'clipValueMin'] },
  Relu6: { fn: 'kernelFunc', contains: ['wasmFunc(', 'makeOutput'] },
  FusedConv2D: { fn: 'fusedConv2d', contains: ['wasmFusedConv2d(', 'FusableActivation'] },
  FusedDepthwiseConv2D: { fn: 'fusedDepthwiseConv2d', contains: ['wasmFusedDepthwiseConv2d(', 'FusableActivation'] },
};

/** What {@link checkWasmInternals} inspects; `wasmVersion` undefined means "could not be read". */
export interface InternalsProbe {
  coreVersion: string | undefined;
  wasmVersion: string | undefined;
  backend: unknown;
  kernel(name: string): KernelConfig | undefined;
}

/** Reads the probe from the live tfjs module (the wasm package's version by `require`, if it resolves). */
export function probeOf(tf: Tf): InternalsProbe {
  let wasmVersion: string | undefined;
  try {
    // Same module instance that registered the backend unless two copies are installed; then the
    // fingerprints below still guard against a mismatch.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    wasmVersion = (require('@tensorflow/tfjs-backend-wasm') as { version_wasm?: string }).version_wasm;
  } catch {
    wasmVersion = undefined;
  }
  return {
    coreVersion: (tf.version as Record<string, string>)['tfjs-core'],
    wasmVersion,
    backend: tf.backend(),
    kernel: (name) => tf.getKernel(name, 'wasm') as unknown as KernelConfig | undefined,
  };
}

function isFn(o: unknown, key: string): boolean {
  return o != null && typeof (o as Record<string, unknown>)[key] === 'function';
}

/** Returns why the overrides cannot be installed, or undefined when the internals are as expected. */
export function checkWasmInternals(p: InternalsProbe): string | undefined {
  if (p.coreVersion !== EXPECTED_VERSION) {
    return `tfjs-core is ${p.coreVersion ?? 'unknown'}, the overrides need ${EXPECTED_VERSION}`;
  }
  if (p.wasmVersion !== EXPECTED_VERSION) {
    return `tfjs-backend-wasm is ${p.wasmVersion ?? 'unknown'}, the overrides need ${EXPECTED_VERSION}`;
  }
  const be = p.backend as Record<string, unknown> | null;
  for (const f of ['makeOutput', 'disposeData', 'readSync', 'typedArrayFromHeap', 'incRef']) {
    if (!isFn(be, f)) return `the wasm backend has no ${f}()`;
  }
  const map = be!.dataIdMap;
  if (!isFn(map, 'get') || !isFn(map, 'has')) return 'the wasm backend has no dataIdMap with get/has';
  const wasm = be!.wasm as Record<string, unknown> | undefined;
  if (!(wasm?.HEAPU8 instanceof Uint8Array)) return 'the wasm backend has no wasm.HEAPU8 heap';
  for (const f of ['cwrap', '_malloc', '_free']) {
    if (!isFn(wasm, f)) return `the wasm module has no ${f}()`;
  }
  // The SIMD loops (Adam's update, the NaN-keeping clamp) run over this memory.
  if (!((wasm.asm as Record<string, unknown> | undefined)?.memory instanceof WebAssembly.Memory)) {
    return 'the wasm module does not expose its memory (asm.memory)';
  }
  for (const [name, print] of Object.entries(STOCK_FINGERPRINTS)) {
    const k = p.kernel(name);
    if (k == null || typeof k.kernelFunc !== 'function') return `the wasm backend has no ${name} kernel`;
    const text = Function.prototype.toString.call(k.kernelFunc);
    if (k.kernelFunc.name !== print.fn || print.contains.some((c) => !text.includes(c))) {
      return `the wasm ${name} kernel is not the stock ${EXPECTED_VERSION} one`;
    }
  }
  return undefined;
}
