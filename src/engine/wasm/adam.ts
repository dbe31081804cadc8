/**
 * One pass per variable for Adam's update on the wasm backend.
 *
 * tfjs's `AdamOptimizer.applyGradients` runs about ten elementwise kernels per variable (two moments,
 * bias corrections, square root, division, the step), each a round trip through the engine and a
 * full pass over memory, a large share of an MLP's step on wasm (test/bench/wasm.bench.ts). This computes the same update in one
 * SIMD loop (simd.wat, instantiated over the backend's own memory), writing the new weight and moments
 * into fresh buffers that the variables then take over, exactly as the stock update's `assign`s do (so
 * no tensor, snapshot or cached XNNPACK operator ever sees a buffer change under it).
 *
 * The loop does the stock kernels' float32 operations in the stock order, so the weights are the
 * stock update's to the bit (a JavaScript loop is no faster than the stock kernels, hence wasm).
 * Anything unusual (another backend, non-float32 variables, a gradient whose size differs, tensors
 * the backend does not hold, a module without its memory object) takes the stock path.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { offsetOf, simdFor } from './simd';
import type { TensorInfo, Tf, WasmBackend } from './types';

type Grads = Parameters<tfTypes.Optimizer['applyGradients']>[0];
type Slot = { originalName: string; variable: tfTypes.Variable };

/** The fields of tfjs-core 4.22.0's AdamOptimizer the fused update reads and writes. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tfTypes.Variable;
  accBeta2: tfTypes.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

const PATCH_KEY = Symbol('gradscope.fusedAdam');
const SQUARES_KEY = Symbol('gradscope.adamSquares');

interface PatchRecord {
  original: (this: unknown, grads: Grads) => void;
  /** Switched by the overrides' install/remove; the patch stays in place and checks it per call. */
  active: boolean;
}

function record(tf: Tf): PatchRecord | undefined {
  return (tf.AdamOptimizer.prototype as unknown as Record<symbol, PatchRecord | undefined>)[PATCH_KEY];
}

/** Turns the fused update on (installing it once per tfjs module) or off. */
export function setFusedAdam(tf: Tf, active: boolean): void {
  const proto = tf.AdamOptimizer.prototype as unknown as Record<string | symbol, unknown>;
  let rec = record(tf);
  if (!rec) {
    if (!active) return;
    rec = { original: proto.applyGradients as PatchRecord['original'], active };
    const patch = rec;
    proto[PATCH_KEY] = patch;
    proto.applyGradients = function applyGradients(this: AdamInternals, grads: Grads): void {
      if (!patch.active || !fusedApply(tf, this, grads)) patch.original.call(this, grads);
    };
  }
  rec.active = active;
}

/** Whether the fused update is on. */
export function fusedAdamActive(tf: Tf): boolean {
  return record(tf)?.active === true;
}

/**
 * Applies `grads` with `optimizer` and returns each gradient's Σg² (float64) by variable name when
 * the fused update computed them on its way through the gradients (Adam on wasm), else undefined
 * (the caller then measures them itself). Lets a run that meters its gradient norm every step read
 * each gradient once instead of twice.
 */
export function applyMeasuring(optimizer: tfTypes.Optimizer, grads: Grads): Map<string, number> | undefined {
  const sink = new Map<string, number>();
  const slot = optimizer as unknown as Record<symbol, Map<string, number> | undefined>;
  slot[SQUARES_KEY] = sink;
  try {
    optimizer.applyGradients(grads);
  } finally {
    delete slot[SQUARES_KEY];
  }
  return sink.size > 0 ? sink : undefined;
}

function entries(grads: Grads): [string, tfTypes.Tensor | null | undefined][] {
  return Array.isArray(grads)
    ? grads.map((g) => [g.name, g.tensor] as [string, tfTypes.Tensor])
    : Object.entries(grads);
}

function zerosSlot(tf: Tf, name: string, value: tfTypes.Variable, suffix: string): Slot {
  return { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/** Runs the update and returns true, or returns false having changed nothing (stock path). */
function fusedApply(tf: Tf, opt: AdamInternals, grads: Grads): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as unknown as WasmBackend;
  const registered = tf.engine().registeredVariables;
  const list = entries(grads);
  const held = (t: TensorInfo) => t.dtype === 'float32' && backend.dataIdMap.has(t.dataId);
  for (const [name, g] of list) {
    const value = registered[name];
    if (value == null || !held(value) || (g != null && (!held(g) || g.size !== value.size))) return false;
  }
  if (!held(opt.accBeta1) || !held(opt.accBeta2)) return false;
  const simd = simdFor(backend);
  if (!simd) return false;
  const f = Math.fround;
  const sink = (opt as unknown as Record<symbol, Map<string, number> | undefined>)[SQUARES_KEY];
  const at = (t: TensorInfo) => offsetOf(backend, t);
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  // The scalars as the stock kernels see them: float32 tensors made from these numbers.
  const c1 = f(1 - heap[at(opt.accBeta1) >> 2]), c2 = f(1 - heap[at(opt.accBeta2) >> 2]);
  list.forEach(([name, g], i) => {
    const value = registered[name];
    opt.accumulatedFirstMoment[i] ??= zerosSlot(tf, name, value, 'm');
    opt.accumulatedSecondMoment[i] ??= zerosSlot(tf, name, value, 'v');
    if (g == null) return;
    const m = opt.accumulatedFirstMoment[i].variable, v = opt.accumulatedSecondMoment[i].variable;
    const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
    const [wo, mo, vo] = outs.map(at);
    const squares = simd.adam(at(g), at(m), at(v), at(value), mo, vo, wo, value.size,
      opt.beta1, opt.beta2, 1 - opt.beta1, 1 - opt.beta2, c1, c2, opt.epsilon, -opt.learningRate);
    sink?.set(name, squares);
    [value, m, v].forEach((variable, j) => {
      const t = tf.engine().makeTensorFromTensorInfo(outs[j] as tfTypes.TensorInfo);
      variable.assign(t);
      t.dispose();
    });
  });
  tf.tidy(() => {
    opt.accBeta1.assign(tf.mul(opt.accBeta1, opt.beta1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, opt.beta2));
  });
  opt.incrementIterations();
  return true;
}
