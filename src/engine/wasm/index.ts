/**
 * Fast and corrected kernels over the wasm backend, and cpu fallbacks for the gradient kernels it
 * lacks.
 *
 * The kernel process calls {@link ensureBackendPatches} once at start, after choosing the backend,
 * so every cell's plain `model.fit` benefits; `gs.fit` calls it too, for plain Node. It is
 * idempotent. This file is bundled once, into the library (dist/gradscope.js); the kernel loads
 * that bundle at run time, so its state below is the process's only one.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { ensureBackendPatches } from '../engine/wasm';
 * await tf.setBackend('wasm');
 * const report = ensureBackendPatches(tf);
 * // { overrides: 'installed', kernels: ['BatchMatMul', '_FusedMatMul', 'Slice', …, 'Conv2DBackpropFilter'],
 * //   fallbacks: ['DepthwiseConv2dNativeBackpropFilter', …, 'UnsortedSegmentSum', 'Einsum'], fused: ['adam'] }
 * ```
 */
import { setFusedAdam } from './adam';
import { convFilterOverride } from './convFilter';
import { convInputOverride } from './convInput';
import { cpuFallbacks, onCpu } from './cpuFallbacks';
import { installCpuCorrections } from '../corrections/resizeNearestNeighborGrad';
import { checkWasmInternals, probeOf } from './internals';
import { keepNaNOverrides } from './keepNaN';
import { matMulOverrides } from './matmul';
import { maxPoolGradOverride } from './maxPoolGrad';
import { selfTest } from './selfTest';
import { simdFor } from './simd';
import { sliceGatherOverrides } from './sliceGather';
import { GRADSCOPE_KERNEL, type KernelConfig, type Tf, type WasmBackend } from './types';

/** What {@link ensureBackendPatches} did. */
export interface BackendPatchReport {
  /** `installed`; `disabled` by option or `GRADSCOPE_WASM_OVERRIDES=0`; `unsupported` internals; `not-wasm`. */
  overrides: 'installed' | 'disabled' | 'unsupported' | 'not-wasm';
  /** Why the overrides are not installed (for `unsupported` and `disabled`). */
  reason?: string;
  /** Kernels overridden on wasm. */
  kernels: string[];
  /** Kernels missing on wasm that now run on the cpu backend. */
  fallbacks: string[];
  /** Optimizer updates done in one pass over the heap while the overrides are on (`adam`). */
  fused?: string[];
}

/** The kernel names the overrides replace. */
export const OVERRIDDEN_KERNELS: readonly string[] = [
  'BatchMatMul', '_FusedMatMul', 'Slice', 'StridedSlice', 'GatherV2', 'Conv2DBackpropFilter', 'Conv2DBackpropInput',
  'MaxPoolGrad', 'ClipByValue', 'Relu6', 'FusedConv2D', 'FusedDepthwiseConv2D', 'Identity', 'ResizeNearestNeighborGrad',
];

interface PatchState {
  /** The registry entries our kernels replaced, to put back on removal. */
  stock: Map<string, KernelConfig>;
  warned: Set<string>;
  /** The last explicit `options.overrides`: the kernel's setting outlives later calls without options. */
  chosen?: boolean;
  /** Backends found unsupported, with the reason: checked once, not on every `gs.fit`. */
  refused: WeakMap<object, string>;
}

const patchState: PatchState = { stock: new Map(), warned: new Set(), refused: new WeakMap() };

function state(): PatchState {
  return patchState;
}

type Role = 'override' | 'fallback';

/** Which of ours is registered under `name` on wasm, if any. */
function roleOf(tf: Tf, name: string): Role | undefined {
  const k = tf.getKernel(name, 'wasm') as unknown as KernelConfig | undefined;
  return k == null ? undefined : (k.kernelFunc as unknown as Record<symbol, Role | undefined>)[GRADSCOPE_KERNEL];
}

/** Registers `config` over whatever is there, remembering the replaced entry (a fallback included). */
function register(tf: Tf, config: KernelConfig, st: PatchState, role: Role): void {
  const current = tf.getKernel(config.kernelName, 'wasm') as unknown as KernelConfig | undefined;
  if (current != null) {
    if (!st.stock.has(config.kernelName)) st.stock.set(config.kernelName, current);
    tf.unregisterKernel(config.kernelName, 'wasm');
  }
  (config.kernelFunc as unknown as Record<symbol, unknown>)[GRADSCOPE_KERNEL] = role;
  tf.registerKernel(config as unknown as Parameters<Tf['registerKernel']>[0]);
}

/** Puts back what our `names` replaced (for an override over a fallback: the fallback). */
function restore(tf: Tf, names: readonly string[], st: PatchState, role: Role = 'override'): void {
  for (const name of names) {
    if (roleOf(tf, name) !== role) continue;
    tf.unregisterKernel(name, 'wasm');
    const stock = st.stock.get(name);
    if (stock != null) tf.registerKernel(stock as unknown as Parameters<Tf['registerKernel']>[0]);
    st.stock.delete(name);
  }
}

function warnOnce(st: PatchState, message: string): void {
  if (st.warned.has(message)) return;
  st.warned.add(message);
  console.warn(`gradscope: ${message}`);
}

/** Registers a cpu fallback for each gradient kernel wasm lacks (none twice). */
function ensureFallbacks(tf: Tf, st: PatchState): void {
  for (const config of cpuFallbacks(tf)) register(tf, config, st, 'fallback');
}

function namesWith(tf: Tf, role: Role): string[] {
  return tf.getKernelsForBackend('wasm').map((k) => k.kernelName).filter((name) => roleOf(tf, name) === role);
}

function installOverrides(tf: Tf, st: PatchState): string | undefined {
  const why = checkWasmInternals(probeOf(tf));
  if (why) return why;
  const k = (name: string) => tf.getKernel(name, 'wasm') as unknown as KernelConfig;
  const simd = simdFor(tf.backend() as unknown as WasmBackend);
  if (!simd) return 'this engine cannot compile the SIMD loops (simd.wat)';
  const [batchMatMul, fusedMatMul] = matMulOverrides({
    batchMatMul: k('BatchMatMul'), fusedMatMul: k('_FusedMatMul'), transpose: k('Transpose'),
    intBatchMatMul: onCpu(tf, 'BatchMatMul'),
  });
  const configs = [
    batchMatMul,
    ...keepNaNOverrides(simd, {
      clipByValue: k('ClipByValue'), relu6: k('Relu6'), fusedMatMul,
      fusedConv2D: k('FusedConv2D'), fusedDepthwiseConv2D: k('FusedDepthwiseConv2D'),
    }),
    ...sliceGatherOverrides(tf, k('Slice'), k('GatherV2'), k('StridedSlice'), k('Identity')),
    convInputOverride(tf, { conv2d: k('Conv2D'), pad: k('PadV2'), reverse: k('Reverse'), transpose: k('Transpose') },
      k('Conv2DBackpropInput')),
    maxPoolGradOverride(tf, k('MaxPoolGrad')),
  ];
  // The stock wasm kernel ignores halfPixelCenters; the corrected cpu one (engine/corrections) follows the forward pass.
  installCpuCorrections(tf);
  const resizeGrad = onCpu(tf, 'ResizeNearestNeighborGrad');
  if (resizeGrad && k('ResizeNearestNeighborGrad')) configs.push({ kernelName: 'ResizeNearestNeighborGrad', backendName: 'wasm', kernelFunc: resizeGrad });
  const filterFallback = tf.getKernel('Conv2DBackpropFilter', 'wasm') as unknown as KernelConfig | undefined;
  if (filterFallback != null) {
    const byName = new Map(configs.map((c) => [c.kernelName, c]));
    configs.push(convFilterOverride(tf, {
      pad: k('PadV2'), transpose: k('Transpose'),
      slice: byName.get('Slice')!, stridedSlice: byName.get('StridedSlice')!, batchMatMul: byName.get('BatchMatMul')!,
    }, filterFallback));
  }
  for (const c of configs) register(tf, c, st, 'override');
  const failed = selfTest(tf);
  if (failed) {
    restore(tf, OVERRIDDEN_KERNELS, st);
    return `self-test failed: ${failed} gave numbers different from the float64 reference`;
  }
  return undefined;
}

/**
 * Idempotent. When the active backend is wasm: installs the overrides (unless disabled by
 * `options.overrides === false` or env `GRADSCOPE_WASM_OVERRIDES=0`) and the cpu fallbacks for missing
 * gradient kernels. Never throws; says once (console.warn) when it leaves the stock kernels in place.
 * A call without `options.overrides` keeps the last explicit choice (so `gs.fit` does not undo the
 * kernel's "overrides off" setting); `true` turns them back on.
 */
export function ensureBackendPatches(tfModule: Tf, options?: { overrides?: boolean }): BackendPatchReport {
  const st = state();
  try {
    if (tfModule.getBackend() !== 'wasm') return { overrides: 'not-wasm', kernels: [], fallbacks: [] };
    // Off until the checks below pass; the patched update also re-checks the backend on every call.
    setFusedAdam(tfModule, false);
    ensureFallbacks(tfModule, st);
    const env = typeof process !== 'undefined' ? process.env?.GRADSCOPE_WASM_OVERRIDES : undefined;
    if (typeof options?.overrides === 'boolean') st.chosen = options.overrides;
    if (st.chosen === false || env === '0') {
      restore(tfModule, OVERRIDDEN_KERNELS, st);
      const reason = st.chosen === false ? 'turned off by option' : 'turned off by GRADSCOPE_WASM_OVERRIDES=0';
      warnOnce(st, `wasm kernel overrides ${reason}; using the stock tfjs-backend-wasm kernels`);
      return { overrides: 'disabled', reason, kernels: [], fallbacks: namesWith(tfModule, 'fallback') };
    }
    if (!OVERRIDDEN_KERNELS.every((name) => roleOf(tfModule, name) === 'override' || !tfModule.getKernel(name, 'wasm'))) {
      restore(tfModule, OVERRIDDEN_KERNELS, st);
      const backend = tfModule.backend() as object;
      const why = st.refused.get(backend) ?? installOverrides(tfModule, st);
      if (why) {
        st.refused.set(backend, why);
        warnOnce(st, `wasm kernel overrides not installed (${why}); using the stock tfjs-backend-wasm kernels, ` +
          'which are slow for transposed matmuls and wrong for fused matmuls with bias on transposed operands');
        return { overrides: 'unsupported', reason: why, kernels: [], fallbacks: namesWith(tfModule, 'fallback') };
      }
    }
    setFusedAdam(tfModule, true);
    return {
      overrides: 'installed', kernels: namesWith(tfModule, 'override'), fallbacks: namesWith(tfModule, 'fallback'), fused: ['adam'],
    };
  } catch (e) {
    const reason = `installing failed: ${(e as Error)?.message ?? String(e)}`;
    try {
      setFusedAdam(tfModule, false);
      restore(tfModule, OVERRIDDEN_KERNELS, st);
    } catch {
      // Nothing more can be done; the report says what happened.
    }
    warnOnce(st, `wasm kernel overrides not installed (${reason})`);
    return { overrides: 'unsupported', reason, kernels: [], fallbacks: [] };
  }
}

/** Restores the stock kernels and removes the cpu fallbacks (tests and the off switch). */
export function removeBackendPatches(tfModule: Tf): void {
  const st = state();
  setFusedAdam(tfModule, false);
  restore(tfModule, namesWith(tfModule, 'override'), st, 'override');
  restore(tfModule, namesWith(tfModule, 'fallback'), st, 'fallback');
}
